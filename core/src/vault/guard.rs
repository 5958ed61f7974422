//! The unlock attempt limit: after N consecutive wrong passphrases, the vault wipes itself.
//!
//! The counter must be written before each attempt and readable without the passphrase, so
//! it cannot be sealed under the vault key. It is sealed under a key derived from the
//! device secret (the platform keystore) and bound to the vault's salt: editing, deleting
//! the payload or copying it from another vault makes it fail to open, and the vault then
//! refuses to unlock at all (fails closed). What it cannot stop: someone who copied the
//! file before (or images the phone) can restore an earlier counter, and anyone who has the
//! file *and* the device secret can attack it off the phone. See docs/threat-model.md.

use ring::hkdf;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::keys::{open_with, seal_with, KdfParams, SealingKey, SecretKey};
use crate::{Error, Result};

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct Counter {
    limit: u32,
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

const AAD: &[u8] = b"vigil.unlock-guard.v1";

fn write(conn: &Connection, key: &SealingKey, counter: Counter) -> Result<()> {
    let plain = serde_json::to_vec(&counter).map_err(|e| Error::Decode(e.to_string()))?;
    let sealed = seal_with(key, &ring::rand::SystemRandom::new(), AAD, &plain, b"")?;
    conn.execute(
        "INSERT INTO unlock_guard (id, state) VALUES (1, ?1)
         ON CONFLICT (id) DO UPDATE SET state = excluded.state",
        params![sealed],
    )?;
    Ok(())
}

/// An attempt in progress against a guarded vault.
pub(crate) struct Attempt {
    key: SealingKey,
    counter: Counter,
}

/// Called before the key derivation. Records the attempt first, so that killing the app
/// mid-attempt still counts it. `Ok(None)` when no limit is set.
pub(crate) fn begin(
    conn: &Connection,
    kdf: &KdfParams,
    device_secret: Option<&[u8]>,
) -> Result<Option<Attempt>> {
    let Some(sealed) = conn
        .query_row("SELECT state FROM unlock_guard WHERE id = 1", [], |r| {
            r.get::<_, Vec<u8>>(0)
        })
        .optional()?
    else {
        return Ok(None);
    };
    let device_secret = device_secret
        .filter(|s| !s.is_empty())
        .ok_or(Error::DeviceSecretRequired)?;
    let key = guard_key(kdf, device_secret);
    let counter: Counter = open_with(&key, AAD, &sealed)
        .ok()
        .and_then(|plain| serde_json::from_slice(&plain).ok())
        .ok_or(Error::AttemptCounterTampered)?;
    let counter = Counter {
        failures: counter.failures.saturating_add(1),
        ..counter
    };
    write(conn, &key, counter)?;
    Ok(Some(Attempt { key, counter }))
}

impl Attempt {
    /// The passphrase was right: the count starts again.
    pub fn succeeded(self, conn: &Connection) -> Result<()> {
        write(
            conn,
            &self.key,
            Counter {
                failures: 0,
                ..self.counter
            },
        )
    }

    /// The passphrase was wrong: true when that was the last attempt allowed.
    pub fn exhausted(&self) -> bool {
        self.counter.failures >= self.counter.limit
    }
}

/// Sets (or with `None` removes) the limit, resetting the count.
pub(crate) fn configure(
    conn: &Connection,
    kdf: &KdfParams,
    device_secret: &[u8],
    attempts: Option<u32>,
) -> Result<()> {
    match attempts {
        None => {
            conn.execute("DELETE FROM unlock_guard", [])?;
            Ok(())
        }
        Some(0) => Err(Error::invalid("attempt limit", "must be at least 1")),
        Some(limit) => {
            if device_secret.is_empty() {
                return Err(Error::DeviceSecretRequired);
            }
            write(
                conn,
                &guard_key(kdf, device_secret),
                Counter { limit, failures: 0 },
            )
        }
    }
}
