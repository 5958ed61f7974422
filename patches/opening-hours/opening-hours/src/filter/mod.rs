pub(crate) mod date_filter;
pub(crate) mod time_filter;
