//! Key slots: the vault key (and the decoy key) wrapped under a passphrase.
//!
//! Every vault has [`KEY_SLOTS`] slots of exactly [`WRAPPED_LEN`] bytes. Slot 0 wraps the
//! real vault key; slot 1 wraps the decoy key when a duress passphrase is set and holds
//! random bytes otherwise — AES-GCM output is indistinguishable from random, so the file
//! does not say which. A slot's plaintext is `flags ‖ key`, the same length in every slot.

use ring::rand::SecureRandom;
use rusqlite::{params, Connection};
use zeroize::Zeroize;

use super::keys::{
    open_with, seal_with, KdfParams, SealingKey, SecretKey, KEY_LEN, NONCE_LEN, TAG_LEN,
};
use super::{storage, FORMAT_VERSION};
use crate::{Error, Result};

pub(crate) const KEY_SLOTS: u32 = 2;
pub(crate) const REAL_SLOT: u32 = 0;
pub(crate) const DURESS_SLOT: u32 = 1;
const PLAINTEXT_LEN: usize = 1 + KEY_LEN;
pub(crate) const WRAPPED_LEN: usize = NONCE_LEN + PLAINTEXT_LEN + TAG_LEN;

/// What the duress slot's flags ask for at a duress unlock.
pub(crate) const FLAG_DESTROY_REAL: u8 = 0b01;
pub(crate) const FLAG_ALERT_BUDDIES: u8 = 0b10;

/// An unwrapped slot.
pub(crate) struct SlotKey {
    pub flags: u8,
    pub key: SecretKey,
}

pub(crate) fn wrap(
    kek: &SealingKey,
    rng: &dyn super::keys::Entropy,
    kdf: &KdfParams,
    slot: u32,
    flags: u8,
    key: &SecretKey,
) -> Result<Vec<u8>> {
    let mut plain = [0u8; PLAINTEXT_LEN];
    plain[0] = flags;
    plain[1..].copy_from_slice(key.as_bytes());
    let wrapped = seal_with(kek, rng, &kdf.slot_aad(FORMAT_VERSION, slot), &plain, b"");
    plain.zeroize();
    wrapped
}

pub(crate) fn unwrap(
    kek: &SealingKey,
    kdf: &KdfParams,
    slot: u32,
    wrapped: &[u8],
) -> Option<SlotKey> {
    let mut plain = open_with(kek, &kdf.slot_aad(FORMAT_VERSION, slot), wrapped).ok()?;
    let result = (plain.len() == PLAINTEXT_LEN).then(|| {
        let mut key = [0u8; KEY_LEN];
        key.copy_from_slice(&plain[1..]);
        let slot_key = SlotKey {
            flags: plain[0],
            key: SecretKey::from_bytes(key),
        };
        key.zeroize();
        slot_key
    });
    plain.zeroize();
    result
}

pub(crate) fn random_filler(rng: &dyn SecureRandom) -> Result<Vec<u8>> {
    let mut v = vec![0u8; WRAPPED_LEN];
    rng.fill(&mut v).map_err(|_| Error::Random)?;
    Ok(v)
}

pub(crate) fn read(conn: &Connection, slot: u32) -> Result<Vec<u8>> {
    Ok(conn.query_row(
        "SELECT wrapped FROM key_slots WHERE slot = ?1",
        params![slot],
        |r| r.get(0),
    )?)
}

/// Writes a slot and pushes it through the WAL, so the previous content is gone from
/// every file of the vault when this returns.
pub(crate) fn write(conn: &Connection, slot: u32, wrapped: &[u8]) -> Result<()> {
    conn.execute(
        "UPDATE key_slots SET wrapped = ?2 WHERE slot = ?1",
        params![slot, wrapped],
    )?;
    storage::checkpoint(conn)
}

/// Overwrites one slot with random bytes.
pub(crate) fn destroy(conn: &Connection, slot: u32) -> Result<()> {
    write(
        conn,
        slot,
        &random_filler(&ring::rand::SystemRandom::new())?,
    )
}

/// Overwrites every slot with random bytes: the data is unreadable from here on.
pub(crate) fn destroy_all(conn: &Connection) -> Result<()> {
    let rng = ring::rand::SystemRandom::new();
    let tx = conn.unchecked_transaction()?;
    for slot in 0..KEY_SLOTS {
        tx.execute(
            "UPDATE key_slots SET wrapped = ?2 WHERE slot = ?1",
            params![slot, random_filler(&rng)?],
        )?;
    }
    tx.commit()?;
    storage::checkpoint(conn)
}
