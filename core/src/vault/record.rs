//! Sealed records: one AES-256-GCM blob per row.
//!
//! Blob layout: `format version (1) ‖ key id (1) ‖ nonce (12) ‖ ciphertext ‖ tag (16)`.
//! The associated data binds the blob to its format version, key id, table and row id, so
//! a blob copied to another row or another table fails to open, and the version byte (which
//! says how the plaintext is encoded, see `encoding`) cannot be changed either.

use std::fmt;
use std::str::FromStr;

use serde::{de::DeserializeOwned, Deserialize, Deserializer, Serialize, Serializer};

use super::keys::{open_with, seal_with, Entropy, SealingKey};
use crate::{Error, Result};

use super::encoding::{self, FORMAT_JSON, FORMAT_MSGPACK};

/// Version byte of the record blobs this build writes (older ones stay readable).
pub(crate) const RECORD_FORMAT: u8 = FORMAT_MSGPACK;

/// Which key sealed a blob (room for key rotation without changing the format).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum KeyId {
    /// The record subkey of the vault key.
    Records = 1,
    /// The escalation key, derived from the device secret (readable while locked).
    Escalation = 2,
}

/// A random 128-bit row id; reveals nothing (not even insertion order).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordId([u8; 16]);

impl RecordId {
    pub fn random() -> Result<Self> {
        Self::random_from(&ring::rand::SystemRandom::new())
    }

    pub(crate) fn random_from(rng: &dyn Entropy) -> Result<Self> {
        let mut b = [0u8; 16];
        rng.fill_bytes(&mut b)?;
        Ok(Self(b))
    }

    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RecordId({self})")
    }
}

impl FromStr for RecordId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let mut b = [0u8; 16];
        hex::decode_to_slice(s.trim(), &mut b)
            .map_err(|_| Error::invalid("id", "expected 32 hexadecimal characters"))?;
        Ok(Self(b))
    }
}

impl Serialize for RecordId {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for RecordId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl rusqlite::ToSql for RecordId {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(rusqlite::types::ToSqlOutput::Borrowed(
            rusqlite::types::ValueRef::Blob(&self.0),
        ))
    }
}

impl rusqlite::types::FromSql for RecordId {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        let blob = value.as_blob()?;
        <[u8; 16]>::try_from(blob).map(Self).map_err(|_| {
            rusqlite::types::FromSqlError::InvalidBlobSize {
                expected_size: 16,
                blob_size: blob.len(),
            }
        })
    }
}

/// The body column of a sealed row, read as whatever SQLite holds there. A value that is
/// not a blob (a row edited or damaged outside Vigil) becomes an empty body, which fails to
/// open as [`Error::Tampered`]: that one row is then reported as unreadable like any other
/// damaged record, instead of a type error failing the whole listing or export.
pub(crate) struct SealedBody(pub Vec<u8>);

impl rusqlite::types::FromSql for SealedBody {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        Ok(Self(match value {
            rusqlite::types::ValueRef::Blob(b) => b.to_vec(),
            _ => Vec::new(),
        }))
    }
}

fn record_aad(format: u8, key_id: KeyId, table: &str, id: &RecordId) -> Vec<u8> {
    let mut aad = Vec::with_capacity(16 + table.len() + 16);
    aad.extend_from_slice(b"vigil.record\0");
    aad.push(format);
    aad.push(key_id as u8);
    aad.extend_from_slice(table.as_bytes());
    aad.push(0);
    aad.extend_from_slice(&id.0);
    aad
}

/// Serializes and seals `value` for row `id` of `table`.
pub(crate) fn seal_record<T: Serialize>(
    key: &SealingKey,
    key_id: KeyId,
    rng: &dyn Entropy,
    table: &str,
    id: &RecordId,
    value: &T,
) -> Result<Vec<u8>> {
    let mut plain = encoding::encode(value)?;
    let sealed = seal_with(
        key,
        rng,
        &record_aad(RECORD_FORMAT, key_id, table, id),
        &plain,
        &[RECORD_FORMAT, key_id as u8],
    );
    zeroize::Zeroize::zeroize(&mut plain);
    sealed
}

/// Opens and decodes a blob sealed by [`seal_record`] for the same table and row, in the
/// current format or the JSON of earlier versions.
pub(crate) fn open_record<T: DeserializeOwned>(
    key: &SealingKey,
    key_id: KeyId,
    table: &str,
    id: &RecordId,
    blob: &[u8],
) -> Result<T> {
    match blob {
        [format @ (FORMAT_JSON | FORMAT_MSGPACK), k, rest @ ..] if *k == key_id as u8 => {
            let mut plain = open_with(key, &record_aad(*format, key_id, table, id), rest)?;
            let value = encoding::decode(*format, table, &plain);
            zeroize::Zeroize::zeroize(&mut plain);
            value
        }
        // An unknown version or key id is indistinguishable from tampering to the reader.
        _ => Err(Error::Tampered),
    }
}

/// Whether a sealed body is in an older format than this build writes (the keyed upgrade
/// re-seals those; no key needed to tell, the version byte is in the clear).
pub(crate) fn is_legacy_body(blob: &[u8]) -> bool {
    blob.first().is_some_and(|v| *v < RECORD_FORMAT)
}
