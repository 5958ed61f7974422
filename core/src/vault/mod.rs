//! The encrypted vault: a SQLite file in which every sensitive value is sealed, and its
//! companion files.
//!
//! A [`Vault`] is a path; unlocking it with the passphrase (and, when the vault was
//! created device-bound, the device secret from the platform keystore) yields a
//! [`Session`], which holds the keys until it is locked or dropped. Capability modules
//! (bookings, check-ins, screening, ...) store their rows through a session.
//!
//! The header (in the database) holds the KDF parameters; the key slots (see `slots`) —
//! the real vault key, and the decoy key of the duress passphrase or random filler — live
//! in a fixed-size slot file beside it, so they never pass through SQLite's WAL. Every vault
//! also has an auxiliary database holding the decoy vault (see `decoy`), and optionally an
//! unlock attempt limit (see `guard`).

mod blind;
mod decoy;
mod guard;
pub(crate) mod keys;
mod lockable;
mod record;
mod slots;
pub(crate) mod storage;

use std::path::{Path, PathBuf};

use ring::rand::{SecureRandom, SystemRandom};
use rusqlite::{params, Connection, OptionalExtension};

use crate::clock::Timestamp;
use serde::{de::DeserializeOwned, Serialize};

pub use keys::{SecretKey, DEFAULT_KDF_ITERATIONS, MAX_KDF_ITERATIONS, MIN_KDF_ITERATIONS};
pub use lockable::LockableSession;
pub(crate) use record::KeyId;
pub use record::RecordId;
pub(crate) use record::SealedBody;

use crate::{Error, Result};
use keys::{KdfParams, RandomPool, SealingKey, SALT_LEN};
use slots::{SlotKey, DURESS_SLOT, KEY_SLOTS, REAL_SLOT};

/// Version of the header and key-slot format.
pub const FORMAT_VERSION: u32 = 1;

/// How a new vault is made.
#[derive(Debug, Clone)]
pub struct VaultOptions {
    /// PBKDF2 iterations; between [`MIN_KDF_ITERATIONS`] and [`MAX_KDF_ITERATIONS`].
    pub kdf_iterations: u32,
    /// Bytes from the platform keystore, mixed into the key-encryption key. A vault
    /// created with one cannot be unlocked without it.
    ///
    /// Every shipped caller passes one (the bindings take the Keystore/Keychain secret,
    /// the CLI writes `<vault>.device` first): deleting that secret is what makes a wipe
    /// final where overwriting cannot reach old blocks (flash, copy-on-write). It stays
    /// optional here because vaults made without one must keep opening, and the core's
    /// own tests exercise the key hierarchy without it. An empty secret is refused.
    pub device_secret: Option<Vec<u8>>,
}

impl Default for VaultOptions {
    fn default() -> Self {
        Self {
            kdf_iterations: DEFAULT_KDF_ITERATIONS,
            device_secret: None,
        }
    }
}

/// What a duress unlock does besides opening the decoy vault.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DuressOptions {
    /// Destroy the real key slot: the real data is gone for good.
    pub destroy_real: bool,
    /// Queue a silent duress alert to the buddies through the check-in escalation path.
    pub alert_buddies: bool,
}

impl DuressOptions {
    fn flags(self) -> u8 {
        (if self.destroy_real {
            slots::FLAG_DESTROY_REAL
        } else {
            0
        }) | (if self.alert_buddies {
            slots::FLAG_ALERT_BUDDIES
        } else {
            0
        })
    }

    fn from_flags(flags: u8) -> Self {
        Self {
            destroy_real: flags & slots::FLAG_DESTROY_REAL != 0,
            alert_buddies: flags & slots::FLAG_ALERT_BUDDIES != 0,
        }
    }
}

/// Which vault a session shows. Never exposed: a decoy session must look like a real one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Realm {
    Real,
    Decoy(DuressOptions),
}

/// A vault on disk, not yet unlocked.
#[derive(Debug, Clone)]
pub struct Vault {
    path: PathBuf,
}

impl Vault {
    /// Creates a new vault (the main file, its slot file and its auxiliary database) and
    /// returns an unlocked session on it.
    ///
    /// Atomic: every file is built under a temporary name and the main file gets its name
    /// last, so an interrupted creation never leaves something that looks like a vault;
    /// its leftovers are cleared by the next creation (or a wipe).
    pub fn create(
        path: impl AsRef<Path>,
        passphrase: &str,
        options: &VaultOptions,
    ) -> Result<Session> {
        let path = path.as_ref().to_path_buf();
        if passphrase.is_empty() {
            return Err(Error::invalid("passphrase", "must not be empty"));
        }
        if options.kdf_iterations < MIN_KDF_ITERATIONS {
            return Err(Error::WeakKdf);
        }
        if options.kdf_iterations > MAX_KDF_ITERATIONS {
            return Err(Error::invalid(
                "kdf iterations",
                "above the allowed maximum (MAX_KDF_ITERATIONS)",
            ));
        }
        if matches!(&options.device_secret, Some(s) if s.is_empty()) {
            return Err(Error::DeviceSecretRequired);
        }
        if path.exists() {
            return Err(Error::VaultExists);
        }
        // No main file, so whatever else is there is the rest of an interrupted creation
        // or wipe: none of it belongs to a vault.
        clear_leftovers(&path)?;
        let rng = SystemRandom::new();
        let mut salt = [0u8; SALT_LEN];
        rng.fill(&mut salt).map_err(|_| Error::Random)?;
        let kdf = KdfParams {
            iterations: options.kdf_iterations,
            salt,
            device_bound: options.device_secret.is_some(),
        };
        let kek = kdf.derive_kek(passphrase, options.device_secret.as_deref())?;
        let vault_key = SecretKey::random(&rng)?;
        let building = storage::creating_path(&path);

        let result = (|| {
            let pool = RandomPool::new();
            // A device-bound vault gets its counter row below, and says so in its slot.
            let flags = if kdf.device_bound {
                slots::FLAG_GUARDED
            } else {
                0
            };
            let wrapped = (0..KEY_SLOTS)
                .map(|slot| {
                    if slot == REAL_SLOT {
                        slots::wrap(&kek.sealing_key(), &pool, &kdf, slot, flags, &vault_key)
                    } else {
                        slots::random_filler(&rng)
                    }
                })
                .collect::<Result<Vec<_>>>()?;
            slots::create_file(&building, &wrapped)?;
            let conn = storage::connect(&building, true)?;
            storage::migrate_to(&conn, storage::latest_version())?;
            conn.execute(
                "INSERT INTO vault_header (id, format, kdf_iterations, kdf_salt, device_bound)
                 VALUES (1, ?1, ?2, ?3, ?4)",
                params![
                    FORMAT_VERSION,
                    kdf.iterations,
                    &kdf.salt[..],
                    kdf.device_bound
                ],
            )?;
            // Presence of the attempt counter is authenticated from the start: a device-bound
            // vault always has a sealed ("no limit") row, so a deleted one fails closed.
            if let Some(secret) = options.device_secret.as_deref() {
                guard::install(&conn, &kdf, secret)?;
            }
            // The decoy database exists in every vault. Its key is kept sealed under the real
            // key (and wrapped in the duress slot only once a duress passphrase is set).
            // Its dates are relative to creation; the wall clock is good enough for them.
            let decoy_key = SecretKey::random(&rng)?;
            let real = Session::new(
                conn,
                building.clone(),
                vault_key.clone(),
                kdf.clone(),
                Realm::Real,
            );
            decoy::store_key(&real, &decoy_key)?;
            real.checkpoint()?;
            let decoy = decoy::create(
                &building,
                |c| {
                    Session::new(
                        c,
                        building.clone(),
                        decoy_key,
                        kdf.clone(),
                        Realm::Decoy(DuressOptions::default()),
                    )
                },
                chrono::Utc::now(),
            )?;
            // Closing the last connection folds the WAL into the file and removes it, so
            // the files can be renamed.
            drop(decoy);
            drop(real);
            finish_creation(&building, &path)?;
            // SQLite's shared-memory file, if it outlived the connection.
            remove_files(&building)?;
            let conn = storage::connect(&path, false)?;
            Ok(Session::new(
                conn,
                path.clone(),
                vault_key.clone(),
                kdf.clone(),
                Realm::Real,
            ))
        })();
        match result {
            Ok(real) => Ok(real),
            Err(e) => {
                // Leave nothing half-made behind.
                let _ = clear_leftovers(&path);
                let _ = Vault::wipe(&path);
                Err(e)
            }
        }
    }

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

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A connection for work that needs no vault key (the check-in background runner,
    /// which reads only rows sealed under the escalation key). Upgrades the schema like
    /// an unlock would, so a runner started after an app update finds its tables.
    pub(crate) fn connect_locked(&self) -> Result<Connection> {
        let conn = storage::connect(&self.path, false)?;
        read_header(&conn)?;
        storage::migrate_to(&conn, storage::latest_version())?;
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

    /// [`Vault::unlock`] with the time injected: a duress unlock that alerts buddies
    /// queues the alert as due at `now`.
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
            storage::migrate_to(&conn, storage::latest_version())?;
            return Ok(Session::new(conn, self.path.clone(), key, kdf, Realm::Real));
        }
        let options = DuressOptions::from_flags(flags);
        if options.destroy_real {
            // First, before anything else can fail: the real data is gone from here on.
            slots::destroy(&self.path, REAL_SLOT)?;
        }
        if options.alert_buddies {
            // Silent: whatever happens here, the caller sees an ordinary unlock. Without the
            // device secret no alert can be queued (set_duress requires it, so the shell
            // that set it up passes it).
            if let Some(key) = device_secret
                .and_then(|s| crate::checkin::EscalationKey::from_device_secret(s).ok())
            {
                let _ = crate::checkin::trigger_duress_alert(&conn, &key, now);
            }
        }
        if unmarked {
            // Silent too: a decoy unlock must look ordinary. It is tried again next time.
            let _ = mark_guarded();
        }
        drop(conn);
        let aux = storage::aux_path(&self.path);
        let realm = Realm::Decoy(options);
        let session = match storage::connect(&aux, false) {
            Ok(aux_conn) => {
                storage::migrate_to(&aux_conn, storage::latest_version())?;
                Session::new(aux_conn, self.path.clone(), key, kdf, realm)
            }
            // Someone deleted the decoy: make a fresh one rather than fail visibly.
            Err(Error::VaultNotFound | Error::CorruptHeader(_)) => decoy::create(
                &self.path,
                |c| Session::new(c, self.path.clone(), key, kdf, realm),
                chrono::Utc::now(),
            )?,
            Err(e) => return Err(e),
        };
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

fn remove_files(path: &Path) -> Result<()> {
    for file in std::iter::once(path.to_path_buf()).chain(storage::companion_files(path)) {
        match std::fs::remove_file(&file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

fn read_header(conn: &Connection) -> Result<KdfParams> {
    read_header_inner(conn).map_err(storage::damaged_file)
}

fn read_header_inner(conn: &Connection) -> Result<KdfParams> {
    let version = storage::schema_version(conn)?;
    if version == 0 {
        return Err(Error::CorruptHeader("no vault header"));
    }
    // Before reading anything else: a newer Vigil may have changed the header itself.
    if version > storage::latest_version() {
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
fn load_slots(conn: &Connection, path: &Path) -> Result<slots::Slots> {
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
fn looks_like_vault(path: &Path) -> Result<bool> {
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

/// Gives the files built under the temporary name their real names, the main file last,
/// and makes the renames durable.
fn finish_creation(building: &Path, path: &Path) -> Result<()> {
    for suffix in ["-wal", "-journal", "-aux-wal", "-aux-journal"] {
        let mut name = building.as_os_str().to_owned();
        name.push(suffix);
        if Path::new(&name).exists() {
            return Err(Error::CorruptHeader(
                "the new vault's database was not closed cleanly",
            ));
        }
    }
    let renamed = |suffix: &str| {
        let (mut from, mut to) = (building.as_os_str().to_owned(), path.as_os_str().to_owned());
        from.push(suffix);
        to.push(suffix);
        std::fs::rename(from, to)
    };
    renamed(storage::SLOTS_SUFFIX)?;
    renamed(storage::AUX_SUFFIX)?;
    renamed("")?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // Best effort: not every platform can open a directory to sync it.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

/// Clears what an interrupted creation or wipe left beside a vault path that has no main
/// file: the slot files are shredded, the rest removed.
fn clear_leftovers(path: &Path) -> Result<()> {
    let building = storage::creating_path(path);
    slots::shred_file(&building)?;
    remove_files(&building)?;
    slots::shred_file(path)?;
    for file in storage::companion_files(path) {
        match std::fs::remove_file(&file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// The result of listing sealed rows: what opened, and the ids of rows that failed
/// authentication (reported, never silently dropped).
#[derive(Debug, Clone)]
pub struct Listing<T> {
    pub items: Vec<T>,
    pub unreadable: Vec<RecordId>,
}

impl<T> Default for Listing<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            unreadable: Vec::new(),
        }
    }
}

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
    blind_key: SecretKey,
    kdf: KdfParams,
    rng: SystemRandom,
    pool: RandomPool,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").finish_non_exhaustive()
    }
}

impl Session {
    fn new(
        conn: Connection,
        path: PathBuf,
        vault_key: SecretKey,
        kdf: KdfParams,
        realm: Realm,
    ) -> Self {
        Self {
            record_key: vault_key.subkey(RECORDS_PURPOSE).sealing_key(),
            blind_key: vault_key.subkey(BLIND_PURPOSE),
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
        if options.alert_buddies {
            let key = crate::checkin::EscalationKey::from_device_secret(
                device_secret.ok_or(Error::DeviceSecretRequired)?,
            )?;
            if !crate::checkin::duress_alert_prepared(&self.conn, &key)? {
                return Err(Error::invalid(
                    "duress alert",
                    "choose the buddies to alert first (prepare_duress_alert)",
                ));
            }
        }
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
        // A fresh decoy (dates around now), with the everyday part of the directory, in
        // the auxiliary file every vault has: refilled in place, so the file itself (inode,
        // mode, birth time) looks as it does in a vault without a duress passphrase.
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
            now,
        )?;
        self.directory()
            .copy_everyday_services_to(&decoy_session, now)?;
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
        storage::migrate_to(&conn, storage::latest_version())?;
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

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
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
        blind::blind_index(&self.blind_key, domain, normalized, bits)
    }

    /// Flushes the WAL into the database and truncates it (after deletes).
    pub(crate) fn checkpoint(&self) -> Result<()> {
        storage::checkpoint(&self.conn)
    }
}

/// Seals and opens with a key other than the vault's (the escalation key).
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

pub(crate) fn open_under<T: DeserializeOwned>(
    key: &SecretKey,
    table: &str,
    id: &RecordId,
    blob: &[u8],
) -> Result<T> {
    record::open_record(&key.sealing_key(), KeyId::Escalation, table, id, blob)
}

#[cfg(test)]
mod tests;
