pub(crate) mod pairs;
pub(crate) mod rc;
pub(crate) mod sign;
pub(crate) mod text;
pub(crate) mod weekday;
