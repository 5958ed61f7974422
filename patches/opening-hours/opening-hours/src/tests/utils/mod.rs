pub(crate) mod parse;
pub(crate) mod stats;

mod parser_schedule;
