//! Key slots: the vault key (and the decoy key) wrapped under a passphrase.
//!
//! Every vault has [`KEY_SLOTS`] slots of exactly [`WRAPPED_LEN`] bytes. Slot 0 wraps the
//! real vault key; slot 1 wraps the decoy key when a duress passphrase is set and holds
//! random bytes otherwise — AES-GCM output is indistinguishable from random, so the file
//! does not say which. A slot's plaintext is `flags ‖ key`, the same length in every slot.
//!
//! The slots live in their own small file beside the vault (`<vault>-keys`), never in the
//! SQLite database: SQLite copies pages through its WAL, and an old WAL is unlinked, not
//! overwritten, so a wrapped key that passed through it can be carved from the disk after a
//! wipe. The slot file has one fixed size and is only ever written in place (same inode,
//! same blocks, `pwrite` at fixed offsets and `fdatasync`), so overwriting it during a wipe
//! overwrites the only copy the file system ever had.

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use ring::rand::SecureRandom;
use rusqlite::Connection;
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

/// First bytes of the slot file: what it is, and its layout version.
const MAGIC: &[u8; 8] = b"VIGILKS\x01";
/// The slot file's one and only size, with or without a duress passphrase.
pub(crate) const FILE_LEN: usize = MAGIC.len() + KEY_SLOTS as usize * WRAPPED_LEN;

/// What the duress slot's flags ask for at a duress unlock.
pub(crate) const FLAG_DESTROY_REAL: u8 = 0b01;
pub(crate) const FLAG_ALERT_BUDDIES: u8 = 0b10;
/// "This vault has an attempt-counter row" (see `guard`): set in the slots of a device-bound
/// vault once its row exists. Sealed with the key, so only the passphrase can vouch for it:
/// a slot that opens with this flag while the row is missing proves the row was deleted,
/// and one that opens without it is a vault from before every device-bound vault had one.
pub(crate) const FLAG_GUARDED: u8 = 0b100;

/// Every slot of a vault, in slot order.
pub(crate) type Slots = Vec<Vec<u8>>;

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

/// The slot file of the vault whose main file is `main`.
pub(crate) fn file_path(main: &Path) -> PathBuf {
    let mut name = main.as_os_str().to_owned();
    name.push(storage::SLOTS_SUFFIX);
    PathBuf::from(name)
}

fn offset(slot: u32) -> u64 {
    (MAGIC.len() + slot as usize * WRAPPED_LEN) as u64
}

/// Writes at a fixed offset of the open file: never truncates, never moves the file.
fn write_at(file: &mut File, bytes: &[u8], offset: u64) -> std::io::Result<()> {
    file.seek(SeekFrom::Start(offset))?;
    file.write_all(bytes)
}

fn malformed() -> Error {
    Error::CorruptHeader("key slots are missing or malformed")
}

/// Writes a new slot file (it must not exist yet), readable by its owner only, and syncs
/// it. Used at creation and when an older vault's slots move out of the database.
pub(crate) fn create_file(main: &Path, slots: &[Vec<u8>]) -> Result<()> {
    if slots.len() != KEY_SLOTS as usize || slots.iter().any(|s| s.len() != WRAPPED_LEN) {
        return Err(malformed());
    }
    let mut bytes = Vec::with_capacity(FILE_LEN);
    bytes.extend_from_slice(MAGIC);
    for slot in slots {
        bytes.extend_from_slice(slot);
    }
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(file_path(main))?;
    write_at(&mut file, &bytes, 0)?;
    file.sync_all()?;
    bytes.zeroize();
    Ok(())
}

/// Opens the slot file and checks its size; `Ok(None)` when there is none.
fn open_file(main: &Path, write: bool) -> Result<Option<File>> {
    let file = match OpenOptions::new()
        .read(true)
        .write(write)
        .open(file_path(main))
    {
        Ok(f) => f,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    if file.metadata()?.len() != FILE_LEN as u64 {
        return Err(malformed());
    }
    Ok(Some(file))
}

/// Every slot from the slot file; `Ok(None)` when the vault has no slot file (yet).
pub(crate) fn read_all(main: &Path) -> Result<Option<Slots>> {
    let Some(mut file) = open_file(main, false)? else {
        return Ok(None);
    };
    let mut bytes = vec![0u8; FILE_LEN];
    file.read_exact(&mut bytes)?;
    if &bytes[..MAGIC.len()] != MAGIC {
        return Err(malformed());
    }
    Ok(Some(
        bytes[MAGIC.len()..]
            .chunks(WRAPPED_LEN)
            .map(<[u8]>::to_vec)
            .collect(),
    ))
}

pub(crate) fn read(main: &Path, slot: u32) -> Result<Vec<u8>> {
    let slots = read_all(main)?.ok_or_else(malformed)?;
    slots.into_iter().nth(slot as usize).ok_or_else(malformed)
}

/// Overwrites one slot in place and waits until it is on the disk: the previous content
/// of that slot is gone from every file of the vault when this returns.
pub(crate) fn write(main: &Path, slot: u32, wrapped: &[u8]) -> Result<()> {
    if slot >= KEY_SLOTS || wrapped.len() != WRAPPED_LEN {
        return Err(malformed());
    }
    let mut file = open_file(main, true)?.ok_or_else(malformed)?;
    write_at(&mut file, wrapped, offset(slot))?;
    file.sync_data()?;
    Ok(())
}

/// Overwrites one slot with random bytes.
pub(crate) fn destroy(main: &Path, slot: u32) -> Result<()> {
    write(
        main,
        slot,
        &random_filler(&ring::rand::SystemRandom::new())?,
    )
}

/// Destroys the slot file: overwritten in place with random bytes twice (each pass synced
/// to the disk), then unlinked. Returns whether there was one. From here on the data is
/// unreadable, whatever happens to the other files.
pub(crate) fn shred_file(main: &Path) -> Result<bool> {
    shred(&file_path(main))
}

/// Overwrites a small file in place with random bytes (twice, synced), then unlinks it.
/// Files larger than a slot file would hold no secret of ours and are only unlinked.
pub(crate) fn shred(path: &Path) -> Result<bool> {
    let file = match OpenOptions::new().write(true).open(path) {
        Ok(f) => Some(f),
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(false),
        // Unwritable (read-only copy): still try to unlink it below.
        Err(_) => None,
    };
    if let Some(mut file) = file {
        let len = file.metadata()?.len();
        if len <= 64 * 1024 {
            let rng = ring::rand::SystemRandom::new();
            let mut noise = vec![0u8; len as usize];
            for _ in 0..2 {
                rng.fill(&mut noise).map_err(|_| Error::Random)?;
                write_at(&mut file, &noise, 0)?;
                file.sync_data()?;
            }
        }
    }
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(true),
        Err(e) => Err(e.into()),
    }
}

/// The slots of a vault made before the slot file existed (the `key_slots` table); empty
/// when they have moved out.
pub(crate) fn read_legacy(conn: &Connection) -> Result<Vec<(u32, Vec<u8>)>> {
    Ok(conn
        .prepare("SELECT slot, wrapped FROM key_slots ORDER BY slot")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .and_then(|rows| rows.collect())?)
}

/// Removes the legacy rows (secure_delete overwrites their cells) and pushes the change
/// through the WAL.
pub(crate) fn delete_legacy(conn: &Connection) -> Result<()> {
    conn.execute("DELETE FROM key_slots", [])?;
    storage::checkpoint(conn)
}

/// Overwrites the legacy rows with random bytes, for a wipe of a vault not yet upgraded.
pub(crate) fn destroy_legacy(conn: &Connection) -> Result<()> {
    let rng = ring::rand::SystemRandom::new();
    let tx = conn.unchecked_transaction()?;
    let slots: Vec<u32> = read_legacy(&tx)?.into_iter().map(|(s, _)| s).collect();
    for slot in slots {
        tx.execute(
            "UPDATE key_slots SET wrapped = ?2 WHERE slot = ?1",
            rusqlite::params![slot, random_filler(&rng)?],
        )?;
    }
    tx.commit()?;
    delete_legacy(conn)
}
