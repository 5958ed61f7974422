//! The unlock attempt limit: after N consecutive wrong passphrases, the vault wipes itself.
//!
//! The counter must be written before each attempt and readable without the passphrase, so
//! it cannot be sealed under the vault key. It is sealed under a key derived from the
//! device secret (the platform keystore) and bound to the vault's salt: editing the payload
//! or copying it from another vault makes it fail to open, and the vault then refuses to
//! unlock at all (fails closed).
//!
//! Presence is authenticated too: a device-bound vault gets a sealed "no limit" row when it
//! is created, so a device-bound vault *without* the row has been edited and fails closed.
//! (A legacy vault that is not device-bound keeps working without a row; it gets one when a
//! limit is set. Such a vault can be copied and attacked off the phone anyway.)
//!
//! Each attempt is counted in one `BEGIN IMMEDIATE` transaction (read, check, increment,
//! commit) before the key derivation runs, so parallel guessers queue on the write lock and
//! together get no more evaluated guesses than the limit.
//!
//! The decoy vault has its own limit, kept in the auxiliary database under a different
//! label: a decoy session can set or remove it but never touches the real one. Both are
//! enforced (the smaller wins), so a limit set in the decoy behaves like a real one.
//!
//! What it cannot stop: someone who copied the file before (or images the phone) can
//! restore an earlier counter, and anyone who has the file *and* the device secret can
//! attack it off the phone. See docs/threat-model.md.

use std::path::Path;
use std::time::Duration;

use ring::hkdf;
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};
use serde::{Deserialize, Serialize};

use super::keys::{open_with, seal_with, KdfParams, SealingKey, SecretKey};
use super::storage;
use crate::{Error, Result};

/// How long an attempt waits for another attempt's counter transaction. The transaction
/// holds no key derivation, so waits are short; an attempt never skips the counter.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The sealed state. `limit: None` is the "no limit" row every device-bound vault has.
/// Rows written before `limit` could be absent hold a plain number, which reads as `Some`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct Counter {
    limit: Option<u32>,
    failures: u32,
}

fn guard_key(kdf: &KdfParams, device_secret: &[u8]) -> SealingKey {
    let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, &kdf.salt).extract(device_secret);
    let mut key = [0u8; 32];
    prk.expand(&[b"vigil.unlock-guard.v1"], hkdf::HKDF_SHA256)
        .and_then(|okm| okm.fill(&mut key))
        .expect("HKDF-SHA256 can always produce 32 bytes");
    SecretKey::from_bytes(key).sealing_key()
}

/// Which row: the real vault's (main file) or the decoy's (auxiliary database). Different
/// associated data, so one cannot be moved into the other's place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Row {
    Real,
    Decoy,
}

impl Row {
    fn aad(self) -> &'static [u8] {
        match self {
            Row::Real => b"vigil.unlock-guard.v1",
            Row::Decoy => b"vigil.unlock-guard.decoy.v1",
        }
    }
}

fn non_empty(device_secret: Option<&[u8]>) -> Result<&[u8]> {
    device_secret
        .filter(|s| !s.is_empty())
        .ok_or(Error::DeviceSecretRequired)
}

fn read_sealed(conn: &Connection) -> Result<Option<Vec<u8>>> {
    Ok(conn
        .query_row("SELECT state FROM unlock_guard WHERE id = 1", [], |r| {
            r.get::<_, Vec<u8>>(0)
        })
        .optional()?)
}

fn open(key: &SealingKey, row: Row, sealed: &[u8]) -> Result<Counter> {
    open_with(key, row.aad(), sealed)
        .ok()
        .and_then(|plain| serde_json::from_slice(&plain).ok())
        .ok_or(Error::AttemptCounterTampered)
}

fn write(conn: &Connection, key: &SealingKey, row: Row, counter: Counter) -> Result<()> {
    let plain = serde_json::to_vec(&counter).map_err(|e| Error::Decode(e.to_string()))?;
    let sealed = seal_with(
        key,
        &ring::rand::SystemRandom::new(),
        row.aad(),
        &plain,
        b"",
    )?;
    conn.execute(
        "INSERT INTO unlock_guard (id, state) VALUES (1, ?1)
         ON CONFLICT (id) DO UPDATE SET state = excluded.state",
        params![sealed],
    )?;
    Ok(())
}

fn immediate(conn: &Connection) -> Result<Transaction<'_>> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    Ok(Transaction::new_unchecked(
        conn,
        TransactionBehavior::Immediate,
    )?)
}

/// Writes the sealed "no limit" row of a new device-bound vault (inside its creation).
pub(crate) fn install(conn: &Connection, kdf: &KdfParams, device_secret: &[u8]) -> Result<()> {
    if device_secret.is_empty() {
        return Err(Error::DeviceSecretRequired);
    }
    write(
        conn,
        &guard_key(kdf, device_secret),
        Row::Real,
        Counter {
            limit: None,
            failures: 0,
        },
    )
}

/// The decoy's own limit, from the auxiliary database (none when it has no row or no file).
fn decoy_limit(aux: &Path, key: &SealingKey) -> Result<Option<u32>> {
    if !aux.is_file() {
        return Ok(None);
    }
    let conn = storage::connect(aux, false)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let has_table: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'unlock_guard')",
        [],
        |r| r.get(0),
    )?;
    if !has_table {
        return Ok(None);
    }
    match read_sealed(&conn)? {
        None => Ok(None),
        Some(sealed) => Ok(open(key, Row::Decoy, &sealed)?.limit),
    }
}

/// What [`begin`] found.
pub(crate) enum Start {
    /// A legacy vault (not device-bound) that has never had a limit: nothing to count.
    Unguarded,
    /// The attempt is counted; run the key derivation. (Boxed: it holds an expanded key.)
    Counted(Box<Attempt>),
    /// The limit was already used up (by attempts in parallel, or one killed before it
    /// could wipe): wipe without evaluating this passphrase.
    Exhausted,
}

/// An attempt in progress against a guarded vault.
pub(crate) struct Attempt {
    key: SealingKey,
    limit: Option<u32>,
    failures: u32,
}

/// Called before the key derivation. Records the attempt first, in its own committed
/// transaction, so that killing the app mid-attempt still counts it and parallel attempts
/// each see the count the one before left.
pub(crate) fn begin(
    conn: &Connection,
    aux: &Path,
    kdf: &KdfParams,
    device_secret: Option<&[u8]>,
) -> Result<Start> {
    let tx = immediate(conn)?;
    let Some(sealed) = read_sealed(&tx)? else {
        // A device-bound vault has had its row since creation: a missing one was deleted.
        return if kdf.device_bound {
            Err(Error::AttemptCounterTampered)
        } else {
            Ok(Start::Unguarded)
        };
    };
    let key = guard_key(kdf, non_empty(device_secret)?);
    let counter = open(&key, Row::Real, &sealed)?;
    let limit = match (counter.limit, decoy_limit(aux, &key)?) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    if limit.is_some_and(|limit| counter.failures >= limit) {
        return Ok(Start::Exhausted);
    }
    let failures = counter.failures.saturating_add(1);
    write(
        &tx,
        &key,
        Row::Real,
        Counter {
            failures,
            ..counter
        },
    )?;
    tx.commit()?;
    Ok(Start::Counted(Box::new(Attempt {
        key,
        limit,
        failures,
    })))
}

impl Attempt {
    /// The passphrase was right: the count starts again (keeping whatever limit is stored
    /// now).
    pub fn succeeded(self, conn: &Connection) -> Result<()> {
        let tx = immediate(conn)?;
        let sealed = read_sealed(&tx)?.ok_or(Error::AttemptCounterTampered)?;
        let counter = open(&self.key, Row::Real, &sealed)?;
        write(
            &tx,
            &self.key,
            Row::Real,
            Counter {
                failures: 0,
                ..counter
            },
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The passphrase was wrong: true when that was the last attempt allowed.
    pub fn exhausted(&self) -> bool {
        self.limit.is_some_and(|limit| self.failures >= limit)
    }
}

fn counter_for(attempts: Option<u32>) -> Result<Counter> {
    if attempts == Some(0) {
        return Err(Error::invalid("attempt limit", "must be at least 1"));
    }
    Ok(Counter {
        limit: attempts,
        failures: 0,
    })
}

/// Sets (or with `None` removes) the real vault's limit, resetting the count. Removing
/// leaves a sealed "no limit" row, never no row.
pub(crate) fn configure(
    conn: &Connection,
    kdf: &KdfParams,
    device_secret: &[u8],
    attempts: Option<u32>,
) -> Result<()> {
    let counter = counter_for(attempts)?;
    if device_secret.is_empty() {
        if attempts.is_none() && !kdf.device_bound {
            // A legacy vault removing its limit without the secret: back to no row.
            conn.execute("DELETE FROM unlock_guard", [])?;
            return Ok(());
        }
        return Err(Error::DeviceSecretRequired);
    }
    let key = guard_key(kdf, device_secret);
    let tx = immediate(conn)?;
    // Read like the decoy's [`configure_decoy`] does, so both take the same work; the owner
    // may replace a row that no longer opens.
    if let Some(sealed) = read_sealed(&tx)? {
        let _ = open(&key, Row::Real, &sealed);
    }
    write(&tx, &key, Row::Real, counter)?;
    tx.commit()?;
    Ok(())
}

/// Sets (or removes) the decoy's own limit, in the auxiliary database `aux`, with the same
/// checks and the same work as [`configure`]. The real limit is not touched; a legacy
/// vault without a real row gets a "no limit" one, so attempts can be counted.
pub(crate) fn configure_decoy(
    main: &Connection,
    aux: &Connection,
    kdf: &KdfParams,
    device_secret: &[u8],
    attempts: Option<u32>,
) -> Result<()> {
    let counter = counter_for(attempts)?;
    if device_secret.is_empty() {
        if attempts.is_none() && !kdf.device_bound {
            aux.execute("DELETE FROM unlock_guard", [])?;
            return Ok(());
        }
        return Err(Error::DeviceSecretRequired);
    }
    let key = guard_key(kdf, device_secret);
    {
        let tx = immediate(main)?;
        match read_sealed(&tx)? {
            // Checked, so a decoy session cannot overwrite a row it cannot read.
            Some(sealed) => {
                open(&key, Row::Real, &sealed)?;
            }
            None if kdf.device_bound => return Err(Error::AttemptCounterTampered),
            None => write(
                &tx,
                &key,
                Row::Real,
                Counter {
                    limit: None,
                    failures: 0,
                },
            )?,
        }
        tx.commit()?;
    }
    let tx = immediate(aux)?;
    write(&tx, &key, Row::Decoy, counter)?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::{storage, Vault, VaultOptions, MIN_KDF_ITERATIONS};
    use super::*;

    const DEVICE: &[u8] = b"device secret from the keystore!";

    #[test]
    fn attempts_counted_but_cut_off_still_use_up_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.db");
        let options = VaultOptions {
            kdf_iterations: MIN_KDF_ITERATIONS,
            device_secret: Some(DEVICE.to_vec()),
        };
        let session = Vault::create(&path, "right", &options).unwrap();
        session.set_unlock_limit(Some(2), DEVICE).unwrap();
        let kdf = session.kdf.clone();
        session.lock();
        // Two attempts counted, then the app killed before either finished its derivation.
        let conn = storage::connect(&path, false).unwrap();
        let aux = storage::aux_path(&path);
        for _ in 0..2 {
            assert!(matches!(
                begin(&conn, &aux, &kdf, Some(DEVICE)).unwrap(),
                Start::Counted(_)
            ));
        }
        drop(conn);
        // Even the right passphrase is no longer tried: the limit is used up.
        let err = Vault::open(&path)
            .unwrap()
            .unlock("right", Some(DEVICE))
            .unwrap_err();
        assert!(matches!(err, Error::WipedAfterFailedAttempts), "{err:?}");
        assert!(!path.exists());
    }

    #[test]
    fn rows_written_before_no_limit_existed_still_read() {
        let counter: Counter = serde_json::from_str(r#"{"limit":5,"failures":2}"#).unwrap();
        assert_eq!((counter.limit, counter.failures), (Some(5), 2));
    }
}
