//! An unlocked vault: the keys it holds, sealing and opening rows, and the settings that
//! need the passphrase again (passphrase change, duress passphrase, attempt limit).

use std::path::{Path, PathBuf};

use ring::rand::SystemRandom;
use rusqlite::Connection;
use serde::{de::DeserializeOwned, Serialize};

use super::keys::{KdfParams, RandomPool, SealingKey};
use super::slots::{self, DURESS_SLOT, REAL_SLOT};
use super::{
    blind, decoy, guard, record, storage, DuressOptions, KeyId, Realm, RecordId, SecretKey, Vault,
};
use crate::clock::Timestamp;
use crate::{Error, Result};

/// Purpose labels for the subkeys of the vault key.
const RECORDS_PURPOSE: &[u8] = b"vigil.records.v1";
const BLIND_PURPOSE: &[u8] = b"vigil.blind-index.v1";

/// An unlocked vault. Holds the keys until dropped; [`Session::lock`] drops it on purpose.
pub struct Session {
    conn: Connection,
    /// The main vault file, also for a decoy session (whose `conn` is the auxiliary one).
    path: PathBuf,
    realm: Realm,
    vault_key: SecretKey,
    record_key: SealingKey,
    blind: blind::BlindIndexer,
    pub(super) kdf: KdfParams,
    rng: SystemRandom,
    pool: RandomPool,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").finish_non_exhaustive()
    }
}

impl Session {
    pub(super) fn new(
        conn: Connection,
        path: PathBuf,
        vault_key: SecretKey,
        kdf: KdfParams,
        realm: Realm,
    ) -> Self {
        Self {
            record_key: vault_key.subkey(RECORDS_PURPOSE).sealing_key(),
            blind: blind::BlindIndexer::new(&vault_key.subkey(BLIND_PURPOSE)),
            vault_key,
            conn,
            path,
            realm,
            kdf,
            rng: SystemRandom::new(),
            pool: RandomPool::new(),
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

    /// The key slot this session's key lives in.
    fn own_slot(&self) -> u32 {
        match self.realm {
            Realm::Real => REAL_SLOT,
            Realm::Decoy(_) => DURESS_SLOT,
        }
    }

    /// Runs `f` on the main file (the header lives there, also for a decoy session).
    fn with_main<R>(&self, f: impl FnOnce(&Connection) -> Result<R>) -> Result<R> {
        match self.realm {
            Realm::Real => f(&self.conn),
            Realm::Decoy(_) => f(&storage::connect(&self.path, false)?),
        }
    }

    /// Checks `passphrase` against this session's own slot; returns that slot's flags.
    fn verify_passphrase(&self, passphrase: &str, device_secret: Option<&[u8]>) -> Result<u8> {
        let kek = self
            .kdf
            .derive_kek(passphrase, device_secret)?
            .sealing_key();
        let slot = self.own_slot();
        match slots::unwrap(&kek, &self.kdf, slot, &slots::read(&self.path, slot)?) {
            Some(k) if k.key.as_bytes() == self.vault_key.as_bytes() => Ok(k.flags),
            _ => Err(Error::WrongPassphrase),
        }
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
        let main = &self.path;
        let flags = self.verify_passphrase(current, device_secret)?;
        let other = if self.own_slot() == REAL_SLOT {
            DURESS_SLOT
        } else {
            REAL_SLOT
        };
        let new_kek = self.kdf.derive_kek(new, device_secret)?.sealing_key();
        if slots::unwrap(&new_kek, &self.kdf, other, &slots::read(main, other)?).is_some() {
            return Err(Error::invalid(
                "passphrase",
                "must differ from the duress passphrase",
            ));
        }
        let wrapped = slots::wrap(
            &new_kek,
            &self.pool,
            &self.kdf,
            self.own_slot(),
            flags,
            &self.vault_key,
        )?;
        slots::write(main, self.own_slot(), &wrapped)
    }

    /// Sets the duress passphrase: unlocking with it opens a fresh decoy vault, and does
    /// what `options` say. Replaces any earlier duress passphrase and decoy.
    pub fn set_duress(
        &mut self,
        current: &str,
        duress: &str,
        options: DuressOptions,
        device_secret: Option<&[u8]>,
        now: Timestamp,
    ) -> Result<()> {
        if duress.is_empty() {
            return Err(Error::invalid("duress passphrase", "must not be empty"));
        }
        if let Realm::Decoy(_) = self.realm {
            // Inside the decoy there is no deeper decoy; answer as a real vault would,
            // after the same checks and the same work.
            self.verify_passphrase(current, device_secret)?;
            self.kdf.derive_kek(duress, device_secret)?;
            return Ok(());
        }
        self.verify_passphrase(current, device_secret)?;
        // The duress layer says whether the options can be honoured (the buddies to alert
        // are chosen); the vault itself knows nothing of check-ins.
        crate::DURESS_LAYER.check_options(self, options, device_secret)?;
        let duress_kek = self.kdf.derive_kek(duress, device_secret)?.sealing_key();
        if slots::unwrap(
            &duress_kek,
            &self.kdf,
            REAL_SLOT,
            &slots::read(&self.path, REAL_SLOT)?,
        )
        .is_some()
        {
            return Err(Error::invalid(
                "duress passphrase",
                "must differ from the passphrase",
            ));
        }
        let decoy_key = match decoy::load_key(self)? {
            Some(key) => key,
            None => {
                let key = SecretKey::random(&self.rng)?;
                decoy::store_key(self, &key)?;
                key
            }
        };
        // A fresh decoy (dates around now), with what the duress layer copies from the
        // real vault (see `decoy::DuressLayer`), in the auxiliary file every vault has:
        // refilled in place, so the file itself (inode, mode, birth time) looks as it does
        // in a vault without a duress passphrase.
        let decoy_session = decoy::refresh(
            &self.path,
            |c| {
                Session::new(
                    c,
                    self.path.clone(),
                    decoy_key.clone(),
                    self.kdf.clone(),
                    Realm::Decoy(options),
                )
            },
            self,
            now,
        )?;
        drop(decoy_session);
        // A device-bound vault has its counter row (the real unlock that led here made sure
        // of it), and the duress slot vouches for that too.
        let guarded = if self.kdf.device_bound {
            slots::FLAG_GUARDED
        } else {
            0
        };
        let wrapped = slots::wrap(
            &duress_kek,
            &self.pool,
            &self.kdf,
            DURESS_SLOT,
            options.flags() | guarded,
            &decoy_key,
        )?;
        slots::write(&self.path, DURESS_SLOT, &wrapped)
    }

    /// The decoy vault as a session, for the real session to keep it current; `None` when
    /// this session is the decoy (or the vault predates the stored decoy key).
    pub(crate) fn decoy_session(&self) -> Result<Option<Session>> {
        if self.realm != Realm::Real {
            return Ok(None);
        }
        let Some(key) = decoy::load_key(self)? else {
            return Ok(None);
        };
        let conn = storage::connect(&storage::aux_path(&self.path), false)?;
        super::schema::upgrade(&conn)?;
        Ok(Some(Session::new(
            conn,
            self.path.clone(),
            key,
            self.kdf.clone(),
            Realm::Decoy(DuressOptions::default()),
        )))
    }

    /// Removes the duress passphrase (its slot becomes random filler again).
    pub fn clear_duress(&mut self) -> Result<()> {
        match self.realm {
            Realm::Real => slots::destroy(&self.path, DURESS_SLOT),
            Realm::Decoy(_) => Ok(()),
        }
    }

    /// Sets an unlock attempt limit (`None` removes it): after that many consecutive wrong
    /// passphrases the vault wipes itself. Needs the device secret, which keeps the counter
    /// honest (see the `guard` module). In a decoy session this sets the decoy's own limit
    /// (same answer, same work); the real vault's limit is never changed from there.
    pub fn set_unlock_limit(&self, attempts: Option<u32>, device_secret: &[u8]) -> Result<()> {
        match self.realm {
            Realm::Real => guard::configure(&self.conn, &self.kdf, device_secret, attempts),
            Realm::Decoy(_) => self.with_main(|main| {
                guard::configure_decoy(main, &self.conn, &self.kdf, device_secret, attempts)
            }),
        }
    }

    /// Panic wipe from an unlocked session: the slot file first, then every file.
    pub fn wipe(self) -> Result<()> {
        let path = self.path.clone();
        slots::shred_file(&path)?;
        drop(self);
        Vault::wipe(path)
    }

    /// For a decoy session, a connection to the main file: the escalation state there
    /// belongs to the phone, not to one vault (the background runner drives it), so a
    /// decoy session must see it too. `None` for the real session, whose `conn` is it.
    pub(crate) fn main_file_if_decoy(&self) -> Result<Option<Connection>> {
        match self.realm {
            Realm::Real => Ok(None),
            Realm::Decoy(_) => Ok(Some(storage::connect(&self.path, false)?)),
        }
    }

    /// Whether this is the decoy: for the few operations that must not reach through to
    /// the real vault's settings (and answer as if they had).
    pub(crate) fn is_decoy(&self) -> bool {
        matches!(self.realm, Realm::Decoy(_))
    }

    /// Which slot opened this session: `None` for the real one, the duress slot's options
    /// for the decoy. Crate-only: to a shell a decoy session must look like a real one; the
    /// duress layer (`app::duress`) reads it right after an unlock.
    pub(crate) fn duress_options(&self) -> Option<DuressOptions> {
        match self.realm {
            Realm::Real => None,
            Realm::Decoy(options) => Some(options),
        }
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// A secret that stays the same for this session's vault (real or decoy) as long as
    /// its key does, one per `purpose`: the seed of content generated for it (the decoy's
    /// entries), so that content is the vault's own and stable.
    pub(crate) fn stable_seed(&self, purpose: &[u8]) -> [u8; 32] {
        let mut seed = [0u8; 32];
        seed.copy_from_slice(self.vault_key.subkey(purpose).as_bytes());
        seed
    }

    pub(crate) fn rng(&self) -> &SystemRandom {
        &self.rng
    }

    pub(crate) fn new_id(&self) -> Result<RecordId> {
        RecordId::random_from(&self.pool)
    }

    /// Seals `value` as the body of row `id` in `table`.
    pub(crate) fn seal<T: Serialize>(
        &self,
        table: &str,
        id: &RecordId,
        value: &T,
    ) -> Result<Vec<u8>> {
        record::seal_record(
            &self.record_key,
            KeyId::Records,
            &self.pool,
            table,
            id,
            value,
        )
    }

    /// The record key and the nonce source, for a table that seals many rows in a row
    /// (`SealedTable`, with buffers it reuses).
    pub(super) fn record_sealer(&self) -> (&SealingKey, &RandomPool) {
        (&self.record_key, &self.pool)
    }

    /// Opens the body of row `id` in `table`; [`Error::Tampered`] if it was altered or moved.
    pub(crate) fn open<T: DeserializeOwned>(
        &self,
        table: &str,
        id: &RecordId,
        blob: &[u8],
    ) -> Result<T> {
        record::open_record(&self.record_key, KeyId::Records, table, id, blob)
    }

    /// The blind index of a normalized searchable value (see the `blind` module).
    pub(crate) fn blind_index(&self, domain: &str, normalized: &str, bits: u32) -> i64 {
        self.blind.index(domain, normalized, bits)
    }

    /// Flushes the WAL into the database and truncates it (after deletes).
    pub(crate) fn checkpoint(&self) -> Result<()> {
        storage::checkpoint(&self.conn)
    }
}

/// Seals and opens with a key other than the vault's (the escalation key); tests only, the
/// code seals such rows through `SealedTable::under_key`.
#[cfg(test)]
pub(crate) fn seal_under<T: Serialize>(
    key: &SecretKey,
    table: &str,
    id: &RecordId,
    value: &T,
) -> Result<Vec<u8>> {
    record::seal_record(
        &key.sealing_key(),
        KeyId::Escalation,
        &SystemRandom::new(),
        table,
        id,
        value,
    )
}

#[cfg(test)]
pub(crate) fn open_under<T: DeserializeOwned>(
    key: &SecretKey,
    table: &str,
    id: &RecordId,
    blob: &[u8],
) -> Result<T> {
    record::open_record(&key.sealing_key(), KeyId::Escalation, table, id, blob)
}
