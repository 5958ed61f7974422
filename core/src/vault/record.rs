//! Sealed records: one AES-256-GCM blob per row.
//!
//! Blob layout: `format version (1) ‖ key id (1) ‖ nonce (12) ‖ ciphertext ‖ tag (16)`.
//! The associated data binds the blob to its format version, key id, table and row id, so
//! a blob copied to another row or another table fails to open.

use std::fmt;
use std::str::FromStr;

use serde::{de::DeserializeOwned, Deserialize, Deserializer, Serialize, Serializer};

use super::keys::{open_with, seal_with, Entropy, SealingKey};
use crate::{Error, Result};

/// Version byte of the record blob format.
pub(crate) const RECORD_FORMAT: u8 = 1;

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

fn record_aad(key_id: KeyId, table: &str, id: &RecordId) -> Vec<u8> {
    let mut aad = Vec::with_capacity(16 + table.len() + 16);
    aad.extend_from_slice(b"vigil.record\0");
    aad.push(RECORD_FORMAT);
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
    let mut plain = serde_json::to_vec(value).map_err(|e| Error::Decode(e.to_string()))?;
    let sealed = seal_with(
        key,
        rng,
        &record_aad(key_id, table, id),
        &plain,
        &[RECORD_FORMAT, key_id as u8],
    );
    zeroize::Zeroize::zeroize(&mut plain);
    sealed
}

/// Opens and deserializes a blob sealed by [`seal_record`] for the same table and row.
pub(crate) fn open_record<T: DeserializeOwned>(
    key: &SealingKey,
    key_id: KeyId,
    table: &str,
    id: &RecordId,
    blob: &[u8],
) -> Result<T> {
    match blob {
        [RECORD_FORMAT, k, rest @ ..] if *k == key_id as u8 => {
            let mut plain = open_with(key, &record_aad(key_id, table, id), rest)?;
            let value = serde_json::from_slice(&plain)
                .map_err(|e| Error::Decode(format!("record of {table}: {}", e.classify_name())));
            zeroize::Zeroize::zeroize(&mut plain);
            value
        }
        // An unknown version or key id is indistinguishable from tampering to the reader.
        _ => Err(Error::Tampered),
    }
}

trait ClassifyName {
    fn classify_name(&self) -> &'static str;
}

impl ClassifyName for serde_json::Error {
    /// serde_json's messages can quote record contents; keep only the category.
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "io",
            serde_json::error::Category::Syntax => "syntax",
            serde_json::error::Category::Data => "unexpected shape",
            serde_json::error::Category::Eof => "truncated",
        }
    }
}
