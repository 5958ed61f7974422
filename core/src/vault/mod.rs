//! The encrypted vault: a SQLite file in which every sensitive value is sealed, and its
//! companion files.
//!
//! A [`Vault`] is a path; unlocking it with the passphrase (and, when the vault was
//! created device-bound, the device secret from the platform keystore) yields a
//! [`Session`], which holds the keys until it is locked or dropped. Capability modules
//! (bookings, check-ins, screening, ...) store their rows through a session.
//!
//! The header (in the database) holds the KDF parameters; the key slots (see `slots`) —
//! the real vault key, and the decoy key of the duress passphrase or random filler — live
//! in a fixed-size slot file beside it, so they never pass through SQLite's WAL. Every vault
//! also has an auxiliary database holding the decoy vault (see `decoy`: its file only;
//! what it holds is the duress layer's, `app::decoy`), and optionally an unlock attempt
//! limit (see `guard`).
//!
//! The code follows those parts: `header` reads and validates the header and the
//! slots, `create` makes a new vault, `unlock` opens, unlocks and wipes one, and `session`
//! is the unlocked vault. This file keeps the public types they share.

mod blind;
mod create;
mod decoy;
pub(crate) mod encoding;
mod guard;
mod header;
pub(crate) mod keys;
mod lockable;
mod record;
pub(crate) mod schema;
mod session;
mod slots;
pub(crate) mod storage;
mod table;
mod unlock;

use std::path::PathBuf;

pub(crate) use decoy::DuressLayer;
pub use keys::{SecretKey, DEFAULT_KDF_ITERATIONS, MAX_KDF_ITERATIONS, MIN_KDF_ITERATIONS};
pub use lockable::LockableSession;
pub(crate) use record::KeyId;
pub use record::RecordId;
pub(crate) use record::SealedBody;
pub use session::Session;
#[cfg(test)]
pub(crate) use session::{open_under, seal_under};
pub use storage::create_private_file;
pub(crate) use table::{is_damage, Owned, SealedTable};
pub use unlock::{shred_file, PendingWipe, WipeState};

/// Version of the header and key-slot format.
pub const FORMAT_VERSION: u32 = 1;

/// How a new vault is made.
#[derive(Debug, Clone)]
pub struct VaultOptions {
    /// PBKDF2 iterations; between [`MIN_KDF_ITERATIONS`] and [`MAX_KDF_ITERATIONS`].
    pub kdf_iterations: u32,
    /// Bytes from the platform keystore, mixed into the key-encryption key. A vault
    /// created with one cannot be unlocked without it.
    ///
    /// Every shipped caller passes one (the bindings take the Keystore/Keychain secret,
    /// the CLI writes `<vault>.device` first): deleting that secret is what makes a wipe
    /// final where overwriting cannot reach old blocks (flash, copy-on-write). It stays
    /// optional here because vaults made without one must keep opening, and the core's
    /// own tests exercise the key hierarchy without it. An empty secret is refused.
    pub device_secret: Option<Vec<u8>>,
}

impl Default for VaultOptions {
    fn default() -> Self {
        Self {
            kdf_iterations: DEFAULT_KDF_ITERATIONS,
            device_secret: None,
        }
    }
}

/// What a duress unlock does besides opening the decoy vault.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DuressOptions {
    /// Destroy the real key slot: the real data is gone for good.
    pub destroy_real: bool,
    /// Queue a silent duress alert to the buddies through the check-in escalation path.
    pub alert_buddies: bool,
}

impl DuressOptions {
    fn flags(self) -> u8 {
        (if self.destroy_real {
            slots::FLAG_DESTROY_REAL
        } else {
            0
        }) | (if self.alert_buddies {
            slots::FLAG_ALERT_BUDDIES
        } else {
            0
        })
    }

    fn from_flags(flags: u8) -> Self {
        Self {
            destroy_real: flags & slots::FLAG_DESTROY_REAL != 0,
            alert_buddies: flags & slots::FLAG_ALERT_BUDDIES != 0,
        }
    }
}

/// Which vault a session shows. Never exposed: a decoy session must look like a real one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Realm {
    Real,
    Decoy(DuressOptions),
}

/// A vault on disk, not yet unlocked.
#[derive(Debug, Clone)]
pub struct Vault {
    path: PathBuf,
}

/// The result of listing sealed rows: what opened, and the ids of rows that failed
/// authentication (reported, never silently dropped).
#[derive(Debug, Clone)]
pub struct Listing<T> {
    pub items: Vec<T>,
    pub unreadable: Vec<RecordId>,
}

impl<T> Default for Listing<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            unreadable: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests;
