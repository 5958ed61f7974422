//! Opening and unlocking a vault (slot trial, attempt guard, duress), and the panic wipe.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::header::{load_slots, looks_like_vault, read_header};
use super::keys::RandomPool;
use super::slots::{self, SlotKey, REAL_SLOT};
use super::{decoy, guard, storage, DuressOptions, Realm, Session, Vault};
use crate::clock::Timestamp;
use crate::{Error, Result};

impl Vault {
    /// What is at `path`: `Ok(true)` for a vault (also one a wipe left half done),
    /// `Ok(false)` when there is no file, [`Error::NotAVault`] for any other file. Reads
    /// only; used before a wipe so that a mistyped path destroys nothing.
    pub fn probe(path: impl AsRef<Path>) -> Result<bool> {
        let path = path.as_ref();
        match std::fs::symlink_metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(e.into()),
            Ok(m) if !m.is_file() => return Err(Error::NotAVault),
            Ok(_) => {}
        }
        if looks_like_vault(path)? {
            Ok(true)
        } else {
            Err(Error::NotAVault)
        }
    }

    /// Opens an existing vault file and checks its header, without any key derivation.
    pub fn open(path: impl AsRef<Path>) -> Result<Vault> {
        let path = path.as_ref().to_path_buf();
        if !path.is_file() {
            return Err(Error::VaultNotFound);
        }
        let conn = storage::connect(&path, false)?;
        read_header(&conn)?;
        load_slots(&conn, &path)?;
        Ok(Vault { path })
    }

    /// Whether unlocking needs the device secret (read from the header; no key derivation).
    pub fn device_bound(&self) -> Result<bool> {
        let conn = storage::connect(&self.path, false)?;
        Ok(read_header(&conn)?.device_bound)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A connection for work that needs no vault key (the check-in background runner,
    /// which reads only rows sealed under the escalation key). Upgrades the schema like
    /// an unlock would, so a runner started after an app update finds its tables.
    pub(crate) fn connect_locked(&self) -> Result<Connection> {
        let conn = storage::connect(&self.path, false)?;
        read_header(&conn)?;
        super::schema::upgrade(&conn)?;
        Ok(conn)
    }

    /// Unlocks with the passphrase (and the device secret, for a device-bound vault or one
    /// with an attempt limit).
    ///
    /// A wrong passphrase fails with [`Error::WrongPassphrase`] and changes nothing on disk,
    /// except the attempt counter (every device-bound vault has one); the attempt that
    /// reaches the limit wipes the vault and fails with [`Error::WipedAfterFailedAttempts`].
    /// An edited counter fails with [`Error::AttemptCounterTampered`] before any passphrase
    /// is tried; a deleted one fails with the same error whether the passphrase was right or
    /// wrong (a vault made before every device-bound vault had a counter gets one instead,
    /// when its passphrase is right). The duress passphrase opens the decoy vault through
    /// the same call, in about the same time.
    pub fn unlock(&self, passphrase: &str, device_secret: Option<&[u8]>) -> Result<Session> {
        self.unlock_at(passphrase, device_secret, chrono::Utc::now())
    }

    /// [`Vault::unlock`] with the time injected (a decoy made afresh is dated around `now`).
    ///
    /// Unlock only opens a slot: which one opened is `Session::duress_options`. What a
    /// duress unlock does besides (the silent alert to the buddies) is the duress layer's
    /// work (`app::duress`), which the application layer runs after this.
    pub fn unlock_at(
        &self,
        passphrase: &str,
        device_secret: Option<&[u8]>,
        now: Timestamp,
    ) -> Result<Session> {
        let conn = storage::connect(&self.path, false)?;
        let kdf = read_header(&conn)?;
        let wrapped = load_slots(&conn, &self.path)?;
        let (attempt, row_missing) =
            match guard::begin(&conn, &storage::aux_path(&self.path), &kdf, device_secret)? {
                guard::Start::Unguarded => (None, false),
                guard::Start::Missing => (None, true),
                guard::Start::Counted(attempt) => (Some(attempt), false),
                guard::Start::Exhausted => {
                    drop(conn);
                    Vault::wipe(&self.path)?;
                    return Err(Error::WipedAfterFailedAttempts);
                }
            };
        let kek = kdf.derive_kek(passphrase, device_secret)?.sealing_key();
        // Try every slot, always, so the time taken does not depend on which one opens.
        let mut opened: Option<(u32, SlotKey)> = None;
        for (slot, bytes) in (0u32..).zip(&wrapped) {
            if let Some(key) = slots::unwrap(&kek, &kdf, slot, bytes) {
                opened.get_or_insert((slot, key));
            }
        }
        if row_missing {
            // Only a slot that opens and says it never had a counter (a vault from an earlier
            // version) may go on. A wrong passphrase and a right one on a vault whose counter
            // was deleted get the same answer: no oracle, and the vault stays closed.
            match &opened {
                Some((_, k)) if k.flags & slots::FLAG_GUARDED == 0 => {
                    guard::install_missing(&conn, &kdf, device_secret.unwrap_or_default())?;
                }
                _ => return Err(Error::AttemptCounterTampered),
            }
        }
        let Some((slot, SlotKey { flags, key })) = opened else {
            if let Some(attempt) = attempt {
                if attempt.exhausted() {
                    drop(conn);
                    Vault::wipe(&self.path)?;
                    return Err(Error::WipedAfterFailedAttempts);
                }
            }
            return Err(Error::WrongPassphrase);
        };
        if let Some(attempt) = attempt {
            attempt.succeeded(&conn)?;
        }
        // The row exists now; a device-bound vault's slot that does not say so yet (made by
        // an earlier version) is re-wrapped with the flag: same key, same KDF. From then on a
        // deleted row fails closed for this slot. The row is written first, so a crash in
        // between leaves a vault that still opens.
        let mark_guarded = || -> Result<()> {
            // Under the database's write lock, and only if the slot still holds what opened:
            // unlocks in parallel take turns, and never write the same slot at once.
            guard::exclusively(&conn, || {
                if slots::read(&self.path, slot)? != wrapped[slot as usize] {
                    return Ok(());
                }
                let marked = slots::wrap(
                    &kek,
                    &RandomPool::new(),
                    &kdf,
                    slot,
                    flags | slots::FLAG_GUARDED,
                    &key,
                )?;
                slots::write(&self.path, slot, &marked)
            })
        };
        let unmarked = kdf.device_bound && flags & slots::FLAG_GUARDED == 0;
        if slot == REAL_SLOT {
            if unmarked {
                mark_guarded()?;
            }
            super::schema::upgrade_both(&conn, &self.path)?;
            let session = Session::new(conn, self.path.clone(), key, kdf, Realm::Real);
            super::schema::upgrade_keyed(&session)?;
            return Ok(session);
        }
        let options = DuressOptions::from_flags(flags);
        if options.destroy_real {
            // First, before anything else can fail: the real data is gone from here on.
            slots::destroy(&self.path, REAL_SLOT)?;
        }
        // Both files, as a real unlock does: their versions must not tell which one opened.
        super::schema::upgrade_both(&conn, &self.path)?;
        if unmarked {
            // Silent too: a decoy unlock must look ordinary. It is tried again next time.
            let _ = mark_guarded();
        }
        drop(conn);
        let aux = storage::aux_path(&self.path);
        let realm = Realm::Decoy(options);
        let session = match storage::connect(&aux, false) {
            Ok(aux_conn) => {
                super::schema::upgrade(&aux_conn)?;
                Session::new(aux_conn, self.path.clone(), key, kdf, realm)
            }
            // Someone deleted the decoy: make a fresh one rather than fail visibly.
            Err(Error::VaultNotFound | Error::CorruptHeader(_)) => decoy::create(
                &self.path,
                |c| Session::new(c, self.path.clone(), key, kdf, realm),
                None,
                now,
            )?,
            Err(e) => return Err(e),
        };
        super::schema::upgrade_keyed(&session)?;
        Ok(session)
    }

    /// Panic wipe: destroys the slot file (overwritten in place with random bytes, synced,
    /// then unlinked: the data is unreadable from that instant), then removes the database
    /// and every companion file. Needs no passphrase. Idempotent, also for a vault a wipe
    /// left half done; refuses ([`Error::NotAVault`]) a file that is not a vault.
    pub fn wipe(path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let is_vault = Vault::probe(path)?;
        slots::shred_file(path)?;
        if is_vault {
            // A vault not yet upgraded keeps its slots in the database.
            if let Ok(conn) = storage::connect(path, false) {
                let _ = slots::destroy_legacy(&conn);
            }
        }
        // An interrupted creation's slot file, then its other files.
        let building = storage::creating_path(path);
        slots::shred_file(&building)?;
        remove_files(&building)?;
        remove_files(path)
    }

    /// Starts a panic wipe that happens at `now + window` unless cancelled: the shell shows a
    /// countdown and drives it with [`PendingWipe::poll`].
    pub fn wipe_after(
        path: impl AsRef<Path>,
        now: Timestamp,
        window: chrono::Duration,
    ) -> PendingWipe {
        PendingWipe {
            path: path.as_ref().to_path_buf(),
            due_at: now + window.max(chrono::Duration::zero()),
            state: WipeState::Pending,
        }
    }
}

/// Destroys a small secret file kept beside a vault (the desktop's device-secret file) the
/// way a wipe destroys the slot file: overwritten in place with random bytes, synced to the
/// disk, then unlinked. Returns whether it existed.
pub fn shred_file(path: impl AsRef<Path>) -> Result<bool> {
    slots::shred(path.as_ref())
}

/// Where a panic wipe with a cancel window stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum WipeState {
    Pending,
    Cancelled,
    Done,
}

/// A panic wipe waiting out its cancel window.
#[derive(Debug)]
pub struct PendingWipe {
    path: PathBuf,
    due_at: Timestamp,
    state: WipeState,
}

impl PendingWipe {
    pub fn due_at(&self) -> Timestamp {
        self.due_at
    }

    /// Cancels the wipe if it has not happened yet; a cancelled wipe touches nothing.
    pub fn cancel(&mut self) -> WipeState {
        if self.state == WipeState::Pending {
            self.state = WipeState::Cancelled;
        }
        self.state
    }

    /// Wipes once `now` has reached the end of the window.
    pub fn poll(&mut self, now: Timestamp) -> Result<WipeState> {
        if self.state == WipeState::Pending && now >= self.due_at {
            Vault::wipe(&self.path)?;
            self.state = WipeState::Done;
        }
        Ok(self.state)
    }
}

pub(super) fn remove_files(path: &Path) -> Result<()> {
    for file in std::iter::once(path.to_path_buf()).chain(storage::companion_files(path)) {
        match std::fs::remove_file(&file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
