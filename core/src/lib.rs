//! Vigil's core: every rule and every byte of data of the safety companion.
//!
//! The native shells (Android, iOS, the desktop command line) only draw screens and reach
//! the operating system; everything they show or send is decided here. Each capability
//! owns one module and its tables inside the encrypted [`vault`].

pub mod app;
pub mod benchmark;
pub mod bookings;
pub mod checkin;
pub mod clock;
pub mod directory;
pub mod error;
pub mod export;
pub mod feeds;
pub mod identifiers;
pub mod reports;
pub mod screening;
pub mod settings;
pub(crate) mod sort;
pub mod vault;
pub mod watch;

pub use error::{Error, Result};

/// Every module that owns tables in the vault file, in the order their upgrade steps run
/// within one schema version (see `vault::schema`). A new capability adds itself here.
pub(crate) static TABLE_OWNERS: &[&dyn vault::schema::TableOwner] = &[
    &vault::schema::VaultTables,
    &bookings::tables::BookingsTables,
    &feeds::tables::FeedsTables,
    &directory::tables::DirectoryTables,
    &checkin::tables::CheckinTables,
    &screening::tables::ScreeningTables,
    &settings::tables::SettingsTables,
    &reports::tables::ReportsTables,
    &watch::tables::WatchTables,
];

/// The duress layer as the vault calls it: what goes into a decoy vault, and whether a
/// duress slot's options can be honoured (see `vault::DuressLayer`). Like `TABLE_OWNERS`,
/// the one place the vault is handed something from above; it calls nothing else of it.
pub(crate) static DURESS_LAYER: &dyn vault::DuressLayer = &app::decoy::Layer;

// The core's enums cross the FFI as they are (namespace `vigil_core`); the bindings crate
// adds the objects. Off unless the bindings build the core.
#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();
