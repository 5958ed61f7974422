//! Sealed records: one AES-256-GCM blob per row.
//!
//! Blob layout: `format version (1) ‖ key id (1) ‖ nonce (12) ‖ ciphertext ‖ tag (16)`.
//! The associated data binds the blob to its format version, key id, table and row id, so
//! a blob copied to another row or another table fails to open, and the version byte (which
//! says how the plaintext is encoded, see `encoding`) cannot be changed either.

use std::fmt;
use std::str::FromStr;

use serde::{de::DeserializeOwned, Deserialize, Deserializer, Serialize, Serializer};

use super::keys::{open_into, seal_in_place, Entropy, SealingKey, NONCE_LEN};
use crate::{Error, Result};
use zeroize::Zeroize;

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
    /// The same 32 hexadecimal characters as `Display`, written on the stack: every sealed
    /// alert holds two ids, and two allocations each were measurable in an import.
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut hex = [0u8; 32];
        hex::encode_to_slice(self.0, &mut hex).map_err(serde::ser::Error::custom)?;
        s.serialize_str(std::str::from_utf8(&hex).map_err(serde::ser::Error::custom)?)
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

/// Calls `f` with the associated data of a record: `"vigil.record\0" ‖ format ‖ key id ‖
/// table ‖ 0 ‖ row id`. Built on the stack (one per row sealed or opened: an allocation
/// each was measurable in a listing); a table name too long for it goes to the heap.
fn with_record_aad<R>(
    format: u8,
    key_id: KeyId,
    table: &str,
    id: &RecordId,
    f: impl FnOnce(&[u8]) -> R,
) -> R {
    const PREFIX: &[u8] = b"vigil.record\0";
    const STACK: usize = 96;
    let len = PREFIX.len() + 2 + table.len() + 1 + id.0.len();
    let mut stack = [0u8; STACK];
    let mut heap = Vec::new();
    let aad: &mut [u8] = if len <= STACK {
        &mut stack[..len]
    } else {
        heap.resize(len, 0);
        &mut heap
    };
    let (head, rest) = aad.split_at_mut(PREFIX.len());
    head.copy_from_slice(PREFIX);
    rest[0] = format;
    rest[1] = key_id as u8;
    let rest = &mut rest[2..];
    rest[..table.len()].copy_from_slice(table.as_bytes());
    rest[table.len()] = 0;
    rest[table.len() + 1..].copy_from_slice(&id.0);
    f(aad)
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
    let mut blob = Vec::new();
    seal_record_into(key, key_id, rng, table, id, value, &mut blob)?;
    Ok(blob)
}

/// As [`seal_record`], into `blob` (cleared first), which a batch reuses row after row.
///
/// The value is encoded straight after the header and nonce and sealed where it lies, so
/// the plaintext never exists anywhere else (and the buffer wipes what it leaves behind
/// when it grows, see `encoding::encode_into`); on an error the buffer is wiped.
///
/// The nonce is 96 random bits from the session's buffered kernel randomness
/// (`RandomPool`: bytes from the OS, handed out once each). Random nonces under one key
/// stay unique with overwhelming probability well past any vault's size: the chance of any
/// repeat among 2^32 sealed records is below 2^-32 (NIST SP 800-38D's bound for random
/// GCM nonces), and a person's vault writes millions at most, re-sealing included.
pub(crate) fn seal_record_into<T: Serialize>(
    key: &SealingKey,
    key_id: KeyId,
    rng: &dyn Entropy,
    table: &str,
    id: &RecordId,
    value: &T,
    blob: &mut Vec<u8>,
) -> Result<()> {
    blob.clear();
    let mut nonce = [0u8; NONCE_LEN];
    rng.fill_bytes(&mut nonce)?;
    blob.extend_from_slice(&[RECORD_FORMAT, key_id as u8]);
    blob.extend_from_slice(&nonce);
    let body_start = blob.len();
    let sealed = encoding::encode_into(value, blob).and_then(|()| {
        with_record_aad(RECORD_FORMAT, key_id, table, id, |aad| {
            seal_in_place(key, nonce, aad, blob, body_start)
        })
    });
    if sealed.is_err() {
        blob.zeroize();
    }
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
    open_record_with(key, key_id, table, id, blob, &mut Vec::new())
}

/// As [`open_record`], decrypting into `scratch` (a buffer a listing reuses row after row:
/// one copy of each body and no allocation per row). The plaintext is wiped from it before
/// this returns, whatever the outcome.
pub(crate) fn open_record_with<T: DeserializeOwned>(
    key: &SealingKey,
    key_id: KeyId,
    table: &str,
    id: &RecordId,
    blob: &[u8],
    scratch: &mut Vec<u8>,
) -> Result<T> {
    match blob {
        [format @ (FORMAT_JSON | FORMAT_MSGPACK), k, rest @ ..] if *k == key_id as u8 => {
            let opened = with_record_aad(*format, key_id, table, id, |aad| {
                open_into(key, aad, rest, scratch)
            });
            let value = opened.and_then(|len| encoding::decode(*format, table, &scratch[..len]));
            // Plaintext and tag; the spare capacity beyond was wiped after the last row.
            scratch.as_mut_slice().zeroize();
            scratch.clear();
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A record id serializes as its `Display` form (sealed bodies hold it as such).
    #[test]
    fn a_record_id_serializes_as_its_hex_display() {
        for bytes in [[0u8; 16], [0xff; 16], *b"0123456789abcdef"] {
            let id = RecordId::from_bytes(bytes);
            assert_eq!(serde_json::to_string(&id).unwrap(), format!("\"{id}\""));
            let back: RecordId =
                serde_json::from_str(&serde_json::to_string(&id).unwrap()).unwrap();
            assert_eq!(back, id);
        }
    }
    use crate::vault::keys::{RandomPool, SecretKey};

    /// The associated data as it was built before it moved to the stack (a `Vec` per row):
    /// every stored blob was sealed over exactly these bytes.
    fn reference_aad(format: u8, key_id: KeyId, table: &str, id: &RecordId) -> Vec<u8> {
        let mut aad = b"vigil.record\0".to_vec();
        aad.extend_from_slice(&[format, key_id as u8]);
        aad.extend_from_slice(table.as_bytes());
        aad.push(0);
        aad.extend_from_slice(id.as_bytes());
        aad
    }

    #[test]
    fn the_associated_data_is_unchanged_for_short_and_long_table_names() {
        let id = RecordId::from_bytes([0xA5; 16]);
        let long = "t".repeat(200);
        for table in ["", "bookings", "directory_chunks", &long] {
            for (format, key_id) in [
                (FORMAT_JSON, KeyId::Records),
                (FORMAT_MSGPACK, KeyId::Escalation),
            ] {
                let built = with_record_aad(format, key_id, table, &id, <[u8]>::to_vec);
                assert_eq!(built, reference_aad(format, key_id, table, &id), "{table}");
            }
        }
    }

    #[test]
    fn buffers_reused_across_rows_of_every_size_seal_and_open_each_and_keep_no_plaintext() {
        let key = SecretKey::from_bytes([3; 32]).sealing_key();
        let pool = RandomPool::new();
        let (mut blob, mut scratch) = (Vec::new(), Vec::new());
        let mut sealed = Vec::new();
        // Small, large, small: the buffers grow, then are reused with room to spare.
        for (i, n) in [1usize, 5000, 3, 700, 0].into_iter().enumerate() {
            let id = RecordId::from_bytes([i as u8; 16]);
            let value = format!("{i}:{}", "x".repeat(n));
            seal_record_into(&key, KeyId::Records, &pool, "t", &id, &value, &mut blob).unwrap();
            let plain = encoding::encode(&value).unwrap();
            assert!(
                !blob.windows(plain.len()).any(|w| w == plain.as_slice()),
                "the plaintext is sealed where it was written"
            );
            assert_eq!(blob, seal_record_round_trip_blob(&key, &id, &blob));
            sealed.push((id, value, blob.clone()));
        }
        for (id, value, blob) in &sealed {
            let opened: String =
                open_record_with(&key, KeyId::Records, "t", id, blob, &mut scratch).unwrap();
            assert_eq!(&opened, value);
            assert!(
                scratch.is_empty(),
                "no plaintext left in the scratch buffer"
            );
        }
        // A row opened under another row's id fails, and leaves the scratch empty too.
        let (id, _, blob) = &sealed[1];
        let other = RecordId::from_bytes([0xFF; 16]);
        assert!(matches!(
            open_record_with::<String>(&key, KeyId::Records, "t", &other, blob, &mut scratch),
            Err(Error::Tampered)
        ));
        assert!(scratch.is_empty());
        assert_eq!(
            open_record::<String>(&key, KeyId::Records, "t", id, blob).unwrap(),
            sealed[1].1
        );
    }

    /// What a blob opens to, sealed again by hand with its own nonce (the in-place path
    /// must write exactly header ‖ nonce ‖ AES-GCM(plaintext) ‖ tag).
    fn seal_record_round_trip_blob(key: &SealingKey, id: &RecordId, blob: &[u8]) -> Vec<u8> {
        let plain: String = open_record(key, KeyId::Records, "t", id, blob).unwrap();
        let mut again = blob[..2 + NONCE_LEN].to_vec();
        let start = again.len();
        again.extend_from_slice(&encoding::encode(&plain).unwrap());
        let nonce: [u8; NONCE_LEN] = blob[2..2 + NONCE_LEN].try_into().unwrap();
        with_record_aad(RECORD_FORMAT, KeyId::Records, "t", id, |aad| {
            seal_in_place(key, nonce, aad, &mut again, start)
        })
        .unwrap();
        again
    }

    /// Writes a field, then fails: part of the plaintext is in the buffer by then.
    struct FailsHalfway;

    impl Serialize for FailsHalfway {
        fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
            use serde::ser::{Error as _, SerializeStruct};
            let mut st = s.serialize_struct("FailsHalfway", 2)?;
            st.serialize_field("secret", "a secret worth wiping")?;
            drop(st);
            Err(S::Error::custom("refused"))
        }
    }

    #[test]
    fn a_value_that_fails_to_encode_leaves_the_buffer_wiped() {
        let key = SecretKey::from_bytes([4; 32]).sealing_key();
        let mut blob = Vec::with_capacity(512);
        let id = RecordId::from_bytes([1; 16]);
        let err = seal_record_into(
            &key,
            KeyId::Records,
            &RandomPool::new(),
            "t",
            &id,
            &FailsHalfway,
            &mut blob,
        )
        .unwrap_err();
        assert!(matches!(err, Error::Decode(_)), "{err:?}");
        assert!(blob.is_empty());
    }
}
