//! The vault header: the KDF parameters in the database and the key slots beside it,
//! read and validated before any key derivation, and the check that tells a vault from
//! any other file.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension};

use super::keys::{KdfParams, SALT_LEN};
use super::slots::{self, KEY_SLOTS};
use super::{storage, FORMAT_VERSION, MAX_KDF_ITERATIONS, MIN_KDF_ITERATIONS};
use crate::{Error, Result};

pub(super) fn read_header(conn: &Connection) -> Result<KdfParams> {
    read_header_inner(conn).map_err(storage::damaged_file)
}

fn read_header_inner(conn: &Connection) -> Result<KdfParams> {
    let version = storage::schema_version(conn)?;
    if version == 0 {
        return Err(Error::CorruptHeader("no vault header"));
    }
    // Before reading anything else: a newer Vigil may have changed the header itself.
    if version > super::schema::latest_version() {
        return Err(Error::SchemaTooNew(version));
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
        return Err(Error::UnsupportedFormat(
            u32::try_from(format).unwrap_or(u32::MAX),
        ));
    }
    // Out of range is damage or tampering, never a reason to start a KDF run: the count
    // is checked here, before any derivation, and reported as a corrupt header (not as a
    // wrong passphrase).
    let iterations = u32::try_from(iterations)
        .ok()
        .filter(|n| *n <= MAX_KDF_ITERATIONS)
        .ok_or(Error::CorruptHeader("iteration count out of range"))?;
    let salt: [u8; SALT_LEN] = salt
        .try_into()
        .map_err(|_| Error::CorruptHeader("salt has the wrong length"))?;
    let device_bound = match device_bound {
        0 => false,
        1 => true,
        _ => return Err(Error::CorruptHeader("device flag out of range")),
    };
    let kdf = KdfParams {
        iterations,
        salt,
        device_bound,
    };
    if kdf.iterations < MIN_KDF_ITERATIONS {
        return Err(Error::WeakKdf);
    }
    Ok(kdf)
}

/// The key slots, from the slot file. A vault made before the slot file existed keeps
/// them in the `key_slots` table: they move to the slot file here, on first open, and the
/// rows are deleted (`secure_delete` overwrites them) and the WAL is truncated.
pub(super) fn load_slots(conn: &Connection, path: &Path) -> Result<slots::Slots> {
    let legacy =
        slots::read_legacy(conn).map_err(|_| Error::CorruptHeader("unreadable key slots"))?;
    let well_formed = legacy.len() == KEY_SLOTS as usize
        && (0u32..)
            .zip(&legacy)
            .all(|(i, (slot, w))| *slot == i && w.len() == slots::WRAPPED_LEN);
    let from_file = match slots::read_all(path) {
        Ok(file) => file,
        // A move stopped while the file was being written: the rows are still there.
        Err(Error::CorruptHeader(_)) if well_formed => {
            slots::shred_file(path)?;
            None
        }
        Err(e) => return Err(e),
    };
    if let Some(current) = from_file {
        if !legacy.is_empty() {
            // The move was interrupted after the file was written: finish it.
            slots::delete_legacy(conn)?;
        }
        return Ok(current);
    }
    if !well_formed {
        return Err(Error::CorruptHeader("key slots are missing or malformed"));
    }
    let moved: slots::Slots = legacy.into_iter().map(|(_, w)| w).collect();
    slots::create_file(path, &moved)?;
    slots::delete_legacy(conn)?;
    Ok(moved)
}

/// Whether `path` holds a vault: it has an intact slot file, or it is a SQLite
/// database in WAL mode with a vault header table. Checked before anything is opened for
/// writing, so an unrelated database is not switched to WAL mode either.
pub(super) fn looks_like_vault(path: &Path) -> Result<bool> {
    if matches!(slots::read_all(path), Ok(Some(_))) {
        return Ok(true);
    }
    let mut head = [0u8; 20];
    let mut file = std::fs::File::open(path)?;
    if std::io::Read::read_exact(&mut file, &mut head).is_err()
        || &head[..16] != b"SQLite format 3\0"
        || head[18] != 2
        || head[19] != 2
    {
        return Ok(false);
    }
    drop(file);
    let Ok(conn) = storage::connect(path, false) else {
        return Ok(false);
    };
    Ok(conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'vault_header'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .is_ok_and(|n| n == 1))
}
