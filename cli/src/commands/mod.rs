//! One module per group of commands.

pub mod booking;
pub mod vault;
