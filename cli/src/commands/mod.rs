//! One module per group of commands.

pub mod backup;
pub mod bench;
pub mod booking;
pub mod checkin;
pub mod deliver;
pub mod feeds;
pub mod help;
pub mod publish;
pub mod report;
pub mod screening;
pub mod security;
pub mod services;
pub mod settings;
pub mod timer;
pub mod vault;
pub mod watch;
