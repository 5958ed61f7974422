//! Vigil's core: every rule and every byte of data of the safety companion.
//!
//! The native shells (Android, iOS, the desktop command line) only draw screens and reach
//! the operating system; everything they show or send is decided here. Each capability
//! owns one module and its tables inside the encrypted [`vault`].

pub mod bookings;
pub mod checkin;
pub mod clock;
pub mod directory;
pub mod error;
pub mod export;
pub mod feeds;
pub mod screening;
pub mod vault;

pub use error::{Error, Result};

// The core's enums cross the FFI as they are (namespace `vigil_core`); the bindings crate
// adds the objects. Off unless the bindings build the core.
#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();
