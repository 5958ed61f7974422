//! The encrypted vault: one SQLite file in which every sensitive value is sealed.
//!
//! A [`Vault`] is a path; unlocking it with the passphrase (and, when the vault was
//! created device-bound, the device secret from the platform keystore) yields a
//! [`Session`], which holds the keys until it is locked or dropped. Capability modules
//! (bookings, check-ins, screening, ...) store their rows through a session.
//!
//! The header holds the KDF parameters and a fixed number of key slots. Slot 0 wraps the
//! vault key; the other slots hold random bytes of the same length, so the file looks the
//! same whether or not further slots are in use.

mod blind;
pub(crate) mod keys;
mod record;
pub(crate) mod storage;

use std::path::{Path, PathBuf};

use ring::rand::{SecureRandom, SystemRandom};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{de::DeserializeOwned, Serialize};

pub use keys::{SecretKey, DEFAULT_KDF_ITERATIONS, MIN_KDF_ITERATIONS};
pub(crate) use record::KeyId;
pub use record::RecordId;

use keys::{open_with, seal_with, KdfParams, KEY_LEN, SALT_LEN};
use crate::{Error, Result};

/// Version of the header and key-slot format.
pub const FORMAT_VERSION: u32 = 1;
/// Key slots every vault has, used or not.
pub(crate) const KEY_SLOTS: u32 = 2;
/// Length of a wrapped key: nonce + key + tag.
const WRAPPED_LEN: usize = keys::NONCE_LEN + KEY_LEN + keys::TAG_LEN;

/// How a new vault is made.
#[derive(Debug, Clone)]
pub struct VaultOptions {
    /// PBKDF2 iterations; at least [`MIN_KDF_ITERATIONS`].
    pub kdf_iterations: u32,
    /// Bytes from the platform keystore, mixed into the key-encryption key. A vault
    /// created with one cannot be unlocked without it.
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

/// A vault on disk, not yet unlocked.
#[derive(Debug, Clone)]
pub struct Vault {
    path: PathBuf,
}

impl Vault {
    /// Creates a new vault file and returns an unlocked session on it.
    pub fn create(path: impl AsRef<Path>, passphrase: &str, options: &VaultOptions) -> Result<Session> {
        let path = path.as_ref().to_path_buf();
        if passphrase.is_empty() {
            return Err(Error::invalid("passphrase", "must not be empty"));
        }
        if options.kdf_iterations < MIN_KDF_ITERATIONS {
            return Err(Error::WeakKdf);
        }
        if path.exists() {
            return Err(Error::VaultExists);
        }
        let rng = SystemRandom::new();
        let mut salt = [0u8; SALT_LEN];
        rng.fill(&mut salt).map_err(|_| Error::Random)?;
        let kdf = KdfParams {
            iterations: options.kdf_iterations,
            salt,
            device_bound: options.device_secret.is_some(),
        };
        let kek = kdf.derive_kek(passphrase, options.device_secret.as_deref())?;
        let vault_key = SecretKey::random(&rng)?;

        let result = (|| {
            let conn = storage::connect(&path, true)?;
            storage::migrate_to(&conn, storage::latest_version())?;
            let tx = conn.unchecked_transaction()?;
            tx.execute(
                "INSERT INTO vault_header (id, format, kdf_iterations, kdf_salt, device_bound)
                 VALUES (1, ?1, ?2, ?3, ?4)",
                params![FORMAT_VERSION, kdf.iterations, &kdf.salt[..], kdf.device_bound],
            )?;
            for slot in 0..KEY_SLOTS {
                let wrapped = if slot == 0 {
                    seal_with(&kek, &rng, &kdf.slot_aad(FORMAT_VERSION, slot), vault_key.as_bytes(), b"")?
                } else {
                    random_bytes(&rng, WRAPPED_LEN)?
                };
                tx.execute(
                    "INSERT INTO key_slots (slot, wrapped) VALUES (?1, ?2)",
                    params![slot, wrapped],
                )?;
            }
            tx.commit()?;
            Ok(conn)
        })();
        match result {
            Ok(conn) => Ok(Session::new(conn, path, vault_key, kdf)),
            Err(e) => {
                // Leave nothing half-made behind.
                let _ = remove_files(&path);
                Err(e)
            }
        }
    }

    /// Opens an existing vault file and checks its header, without any key derivation.
    pub fn open(path: impl AsRef<Path>) -> Result<Vault> {
        let path = path.as_ref().to_path_buf();
        if !path.is_file() {
            return Err(Error::VaultNotFound);
        }
        let conn = storage::connect(&path, false)?;
        read_header(&conn)?;
        Ok(Vault { path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A connection for work that needs no vault key (the check-in background runner,
    /// which reads only rows sealed under the escalation key). Upgrades the schema like
    /// an unlock would, so a runner started after an app update finds its tables.
    pub(crate) fn connect_locked(&self) -> Result<Connection> {
        let conn = storage::connect(&self.path, false)?;
        read_header(&conn)?;
        storage::migrate_to(&conn, storage::latest_version())?;
        Ok(conn)
    }

    /// Unlocks with the passphrase (and device secret, for a device-bound vault).
    ///
    /// A wrong passphrase changes nothing on disk and fails with [`Error::WrongPassphrase`].
    pub fn unlock(&self, passphrase: &str, device_secret: Option<&[u8]>) -> Result<Session> {
        let conn = storage::connect(&self.path, false)?;
        let (kdf, slots) = read_header(&conn)?;
        let kek = kdf.derive_kek(passphrase, device_secret)?;
        // Try every slot, always, so the time taken does not depend on which one opens.
        let mut found = None;
        for (slot, wrapped) in &slots {
            if let Ok(bytes) = open_with(&kek, &kdf.slot_aad(FORMAT_VERSION, *slot), wrapped) {
                if found.is_none() {
                    found = Some(bytes);
                }
            }
        }
        let mut bytes = found.ok_or(Error::WrongPassphrase)?;
        let mut key = [0u8; KEY_LEN];
        if bytes.len() != KEY_LEN {
            return Err(Error::CorruptHeader("wrapped key has the wrong length"));
        }
        key.copy_from_slice(&bytes);
        zeroize::Zeroize::zeroize(&mut bytes);
        let vault_key = SecretKey::from_bytes(key);
        zeroize::Zeroize::zeroize(&mut key);
        storage::migrate_to(&conn, storage::latest_version())?;
        Ok(Session::new(conn, self.path.clone(), vault_key, kdf))
    }

    /// Panic wipe: destroys the key slots (the data is unreadable from that instant), then
    /// removes the database and every companion file. Idempotent; needs no passphrase.
    pub fn wipe(path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        if path.is_file() {
            // Best effort on the key slots: a file SQLite cannot read loses them with the file.
            if let Ok(conn) = storage::connect(path, false) {
                let _ = destroy_key_slots(&conn);
            }
        }
        remove_files(path)
    }
}

fn random_bytes(rng: &dyn SecureRandom, len: usize) -> Result<Vec<u8>> {
    let mut v = vec![0u8; len];
    rng.fill(&mut v).map_err(|_| Error::Random)?;
    Ok(v)
}

/// Overwrites every key slot with random bytes and pushes the change through the WAL into
/// the main file, so no copy of a wrapped key survives anywhere in the vault's files.
fn destroy_key_slots(conn: &Connection) -> Result<()> {
    let rng = SystemRandom::new();
    let slots: Vec<u32> = conn
        .prepare("SELECT slot FROM key_slots")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let tx = conn.unchecked_transaction()?;
    for slot in slots {
        tx.execute(
            "UPDATE key_slots SET wrapped = ?2 WHERE slot = ?1",
            params![slot, random_bytes(&rng, WRAPPED_LEN)?],
        )?;
    }
    tx.commit()?;
    storage::checkpoint(conn)
}

fn remove_files(path: &Path) -> Result<()> {
    for file in std::iter::once(path.to_path_buf()).chain(storage::companion_files(path)) {
        match std::fs::remove_file(&file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

type Slots = Vec<(u32, Vec<u8>)>;

fn read_header(conn: &Connection) -> Result<(KdfParams, Slots)> {
    let version = storage::schema_version(conn)?;
    if version == 0 {
        return Err(Error::CorruptHeader("no vault header"));
    }
    let row = conn
        .query_row(
            "SELECT format, kdf_iterations, kdf_salt, device_bound FROM vault_header WHERE id = 1",
            [],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, Vec<u8>>(2)?,
                    r.get::<_, i64>(3)?,
                ))
            },
        )
        .optional()
        .map_err(|_| Error::CorruptHeader("unreadable vault header"))?
        .ok_or(Error::CorruptHeader("no vault header"))?;
    let (format, iterations, salt, device_bound) = row;
    if format != i64::from(FORMAT_VERSION) {
        return Err(Error::UnsupportedFormat(u32::try_from(format).unwrap_or(u32::MAX)));
    }
    let iterations = u32::try_from(iterations).map_err(|_| Error::CorruptHeader("iteration count out of range"))?;
    let salt: [u8; SALT_LEN] = salt
        .try_into()
        .map_err(|_| Error::CorruptHeader("salt has the wrong length"))?;
    let device_bound = match device_bound {
        0 => false,
        1 => true,
        _ => return Err(Error::CorruptHeader("device flag out of range")),
    };
    let slots: Slots = conn
        .prepare("SELECT slot, wrapped FROM key_slots ORDER BY slot")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .and_then(|rows| rows.collect())
        .map_err(|_| Error::CorruptHeader("unreadable key slots"))?;
    if slots.len() != KEY_SLOTS as usize || slots.iter().any(|(_, w)| w.len() != WRAPPED_LEN) {
        return Err(Error::CorruptHeader("key slots are missing or malformed"));
    }
    let kdf = KdfParams {
        iterations,
        salt,
        device_bound,
    };
    if kdf.iterations < MIN_KDF_ITERATIONS {
        return Err(Error::WeakKdf);
    }
    Ok((kdf, slots))
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

/// Purpose labels for the subkeys of the vault key.
const RECORDS_PURPOSE: &[u8] = b"vigil.records.v1";
const BLIND_PURPOSE: &[u8] = b"vigil.blind-index.v1";

/// An unlocked vault. Holds the keys until dropped; [`Session::lock`] drops it on purpose.
pub struct Session {
    conn: Connection,
    path: PathBuf,
    vault_key: SecretKey,
    record_key: SecretKey,
    blind_key: SecretKey,
    kdf: KdfParams,
    rng: SystemRandom,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").finish_non_exhaustive()
    }
}

impl Session {
    fn new(conn: Connection, path: PathBuf, vault_key: SecretKey, kdf: KdfParams) -> Self {
        Self {
            record_key: vault_key.subkey(RECORDS_PURPOSE),
            blind_key: vault_key.subkey(BLIND_PURPOSE),
            vault_key,
            conn,
            path,
            kdf,
            rng: SystemRandom::new(),
        }
    }

    /// The vault file this session works on.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Locks the vault: the session and every key it holds are zeroized.
    pub fn lock(self) {
        drop(self);
    }

    /// Re-wraps the vault key under a new passphrase. Nothing else is re-encrypted.
    /// The current passphrase is asked again, so an unlocked phone in someone else's hands
    /// cannot be locked against its owner.
    pub fn change_passphrase(
        &mut self,
        current: &str,
        new: &str,
        device_secret: Option<&[u8]>,
    ) -> Result<()> {
        if new.is_empty() {
            return Err(Error::invalid("passphrase", "must not be empty"));
        }
        let current_kek = self.kdf.derive_kek(current, device_secret)?;
        let aad = self.kdf.slot_aad(FORMAT_VERSION, 0);
        let wrapped: Vec<u8> = self
            .conn
            .query_row("SELECT wrapped FROM key_slots WHERE slot = 0", [], |r| r.get(0))?;
        let mut unwrapped = open_with(&current_kek, &aad, &wrapped).map_err(|_| Error::WrongPassphrase)?;
        let matches = unwrapped.as_slice() == self.vault_key.as_bytes();
        zeroize::Zeroize::zeroize(&mut unwrapped);
        if !matches {
            return Err(Error::WrongPassphrase);
        }
        let new_kek = self.kdf.derive_kek(new, device_secret)?;
        let rewrapped = seal_with(&new_kek, &self.rng, &aad, self.vault_key.as_bytes(), b"")?;
        self.conn.execute(
            "UPDATE key_slots SET wrapped = ?1 WHERE slot = 0",
            params![rewrapped],
        )?;
        // The old wrap must not linger in the WAL.
        storage::checkpoint(&self.conn)
    }

    /// Panic wipe from an unlocked session.
    pub fn wipe(self) -> Result<()> {
        let path = self.path.clone();
        destroy_key_slots(&self.conn)?;
        drop(self);
        Vault::wipe(path)
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    pub(crate) fn rng(&self) -> &SystemRandom {
        &self.rng
    }

    pub(crate) fn new_id(&self) -> Result<RecordId> {
        RecordId::random(&self.rng)
    }

    /// Seals `value` as the body of row `id` in `table`.
    pub(crate) fn seal<T: Serialize>(&self, table: &str, id: &RecordId, value: &T) -> Result<Vec<u8>> {
        record::seal_record(&self.record_key, KeyId::Records, &self.rng, table, id, value)
    }

    /// Opens the body of row `id` in `table`; [`Error::Tampered`] if it was altered or moved.
    pub(crate) fn open<T: DeserializeOwned>(&self, table: &str, id: &RecordId, blob: &[u8]) -> Result<T> {
        record::open_record(&self.record_key, KeyId::Records, table, id, blob)
    }

    /// The blind index of a normalized searchable value (see the `blind` module).
    pub(crate) fn blind_index(&self, domain: &str, normalized: &str, bits: u32) -> i64 {
        blind::blind_index(&self.blind_key, domain, normalized, bits)
    }

    /// Flushes the WAL into the database and truncates it (after deletes).
    pub(crate) fn checkpoint(&self) -> Result<()> {
        storage::checkpoint(&self.conn)
    }
}

/// Seals and opens with a key other than the vault's (the escalation key).
pub(crate) fn seal_under<T: Serialize>(
    key: &SecretKey,
    table: &str,
    id: &RecordId,
    value: &T,
) -> Result<Vec<u8>> {
    record::seal_record(key, KeyId::Escalation, &SystemRandom::new(), table, id, value)
}

pub(crate) fn open_under<T: DeserializeOwned>(
    key: &SecretKey,
    table: &str,
    id: &RecordId,
    blob: &[u8],
) -> Result<T> {
    record::open_record(key, KeyId::Escalation, table, id, blob)
}

#[cfg(test)]
mod tests;
