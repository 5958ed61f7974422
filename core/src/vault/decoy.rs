//! The decoy vault opened by the duress passphrase.
//!
//! It lives in the auxiliary database beside the main file, which *every* vault has from
//! creation, filled with the same ordinary-looking content: sealed under a throw-away key
//! when no duress passphrase is set, under the key wrapped in the duress slot when one is.
//! Same files, same sizes, same header either way.
//!
//! This module is the decoy's file mechanics only; its content is the duress layer's
//! (see [`DuressLayer`]).

use std::path::Path;

use rusqlite::Connection;

use super::{keys::KEY_LEN, storage, RecordId, SecretKey, Session};
use crate::clock::Timestamp;
use crate::{Error, Result};

/// The duress layer as the vault sees it (implemented in `app::decoy`, handed to the vault
/// in `lib.rs` as `DURESS_LAYER`): what goes into a decoy, and whether a duress slot's
/// options can be honoured. The vault only makes, empties and seals the decoy's file and
/// writes the slots; it calls this for the rest, so every way of making a decoy
/// (creation, a duress passphrase set, a decoy remade at a duress unlock) fills it the
/// same way, whoever calls.
pub(crate) trait DuressLayer: Sync {
    /// Writes ordinary content into `decoy`, just emptied, inside the transaction that
    /// emptied it. `real` is the real session when it is the one filling (creation, a
    /// duress passphrase set); `None` when a duress unlock remakes a deleted decoy.
    fn fill(&self, real: Option<&Session>, decoy: &Session, now: Timestamp) -> Result<()>;

    /// After the fill is committed: what the decoy takes from the real vault in separate
    /// transactions (the everyday part of the directory).
    fn copy_from_real(&self, real: &Session, decoy: &Session, now: Timestamp) -> Result<()>;

    /// Refuses duress `options` the real vault is not ready for (alerting buddies who were
    /// never chosen), before any slot is written.
    fn check_options(
        &self,
        real: &Session,
        options: super::DuressOptions,
        device_secret: Option<&[u8]>,
    ) -> Result<()>;
}

/// Creates the auxiliary database with decoy content sealed under the session's key
/// (at vault creation, or when the file has gone missing or is damaged).
pub(crate) fn create(
    main_path: &Path,
    session_for: impl FnOnce(Connection) -> Session,
    real: Option<&Session>,
    now: Timestamp,
) -> Result<Session> {
    let aux = storage::aux_path(main_path);
    remove(main_path)?;
    let conn = storage::connect(&aux, true)?;
    super::schema::create_latest(&conn)?;
    let session = session_for(conn);
    refill(&session, real, now)?;
    Ok(session)
}

/// Refills the existing auxiliary database in place (see [`refill`]); makes it afresh
/// only when it is missing or damaged.
pub(crate) fn refresh(
    main_path: &Path,
    session_for: impl FnOnce(Connection) -> Session,
    real: &Session,
    now: Timestamp,
) -> Result<Session> {
    match storage::connect(&storage::aux_path(main_path), false) {
        Ok(conn) => {
            super::schema::upgrade(&conn)?;
            let session = session_for(conn);
            refill(&session, Some(real), now)?;
            Ok(session)
        }
        Err(Error::VaultNotFound | Error::CorruptHeader(_)) => {
            create(main_path, session_for, Some(real), now)
        }
        Err(e) => Err(e),
    }
}

/// Replaces everything in the decoy with fresh ordinary content ([`DuressLayer::fill`]), in
/// place: one transaction on the existing file (same inode, same mode, same birth time),
/// then a checkpoint so nothing of the old content stays in the WAL, then what is copied
/// from the real vault.
pub(crate) fn refill(decoy: &Session, real: Option<&Session>, now: Timestamp) -> Result<()> {
    let content = crate::DURESS_LAYER;
    let conn = decoy.conn();
    let tx = conn.unchecked_transaction()?;
    let tables: Vec<String> = tx
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
             ORDER BY name",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for table in &tables {
        // Names come from the schema itself, not from input.
        tx.execute(&format!("DELETE FROM \"{table}\""), [])?;
    }
    content.fill(real, decoy, now)?;
    tx.commit()?;
    decoy.checkpoint()?;
    match real {
        Some(real) => content.copy_from_real(real, decoy, now),
        None => Ok(()),
    }
}

pub(crate) fn remove(main_path: &Path) -> Result<()> {
    let aux = storage::aux_path(main_path);
    for file in std::iter::once(aux.clone()).chain(["-wal", "-shm", "-journal"].iter().map(|s| {
        let mut n = aux.as_os_str().to_owned();
        n.push(s);
        n.into()
    })) {
        match std::fs::remove_file(&file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

const KEY_TABLE: &str = "decoy_key";

fn key_row() -> RecordId {
    RecordId::from_bytes([0; 16])
}

/// Seals the decoy key into the real vault.
pub(crate) fn store_key(real: &Session, key: &SecretKey) -> Result<()> {
    let body = real.seal(KEY_TABLE, &key_row(), &hex::encode(key.as_bytes()))?;
    real.conn().execute(
        "INSERT INTO decoy_key (id, body) VALUES (?1, ?2)
         ON CONFLICT (id) DO UPDATE SET body = excluded.body",
        rusqlite::params![key_row(), body],
    )?;
    Ok(())
}

pub(crate) fn load_key(real: &Session) -> Result<Option<SecretKey>> {
    use rusqlite::OptionalExtension;
    let Some(body) = real
        .conn()
        .query_row(
            "SELECT body FROM decoy_key WHERE id = ?1",
            [key_row()],
            |r| r.get::<_, super::SealedBody>(0).map(|b| b.0),
        )
        .optional()?
    else {
        return Ok(None);
    };
    let text: zeroize::Zeroizing<String> =
        zeroize::Zeroizing::new(real.open(KEY_TABLE, &key_row(), &body)?);
    let mut bytes = [0u8; KEY_LEN];
    hex::decode_to_slice(text.as_bytes(), &mut bytes)
        .map_err(|_| crate::Error::Decode("decoy key".into()))?;
    let key = SecretKey::from_bytes(bytes);
    zeroize::Zeroize::zeroize(&mut bytes);
    Ok(Some(key))
}
