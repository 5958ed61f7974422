//! The unlock attempt limit: after N consecutive wrong passphrases, the vault wipes itself.
//!
//! The counter must be written before each attempt and readable without the passphrase, so
//! it cannot be sealed under the vault key. It is sealed under a key derived from the
//! device secret (the platform keystore) and bound to the vault's salt: editing the payload
//! or copying it from another vault makes it fail to open, and the vault then refuses to
//! unlock at all (fails closed).
//!
//! Presence is authenticated too: a device-bound vault gets a sealed "no limit" row when it
//! is created, and its key slots carry `FLAG_GUARDED` ("this vault has a row"), sealed under
//! the passphrase. When the row is missing the passphrase is still derived and every slot
//! tried: a slot that opens *without* the flag is a vault made by an earlier version that
//! never had a row, which gets its row and the flag and opens; every other outcome (no slot
//! opens, or one opens with the flag) fails closed with the same error, so someone who
//! deleted the row learns nothing about their guess. Every unlock of a device-bound vault
//! whose slot lacks the flag adds it, so after one unlock the row's presence is vouched for
//! by the passphrase. (A legacy vault that is not device-bound keeps working without a row;
//! it gets one when a limit is set. Such a vault can be copied and attacked off the phone
//! anyway.)
//!
//! Each attempt is counted in one `BEGIN IMMEDIATE` transaction (read, check, increment,
//! commit) before the key derivation runs, so parallel guessers queue on the write lock and
//! together get no more evaluated guesses than the limit.
//!
//! The decoy vault has its own limit, kept in the auxiliary database under a different
//! label: a decoy session can set or remove it but never touches the real one. Both are
//! enforced (the smaller wins), so a limit set in the decoy behaves like a real one.
//!
//! What it cannot stop: someone who copied the file before (or images the phone) can
//! restore an earlier counter, and anyone who has the file *and* the device secret can
//! attack it off the phone. See docs/threat-model.md.

use std::path::Path;
use std::time::Duration;

use ring::hkdf;
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};
use serde::{Deserialize, Serialize};

use super::keys::{open_with, seal_with, KdfParams, SealingKey, SecretKey};
use super::storage;
use crate::{Error, Result};

/// How long an attempt waits for another attempt's counter transaction. The transaction
/// holds no key derivation, so waits are short; an attempt never skips the counter.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The sealed state. `limit: None` is the "no limit" row every device-bound vault has.
/// Rows written before `limit` could be absent hold a plain number, which reads as `Some`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct Counter {
    limit: Option<u32>,
    failures: u32,
}

fn guard_key(kdf: &KdfParams, device_secret: &[u8]) -> SealingKey {
    let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, &kdf.salt).extract(device_secret);
    let mut key = [0u8; 32];
    prk.expand(&[b"vigil.unlock-guard.v1"], hkdf::HKDF_SHA256)
        .and_then(|okm| okm.fill(&mut key))
        .expect("HKDF-SHA256 can always produce 32 bytes");
    SecretKey::from_bytes(key).sealing_key()
}

/// Which row: the real vault's (main file) or the decoy's (auxiliary database). Different
/// associated data, so one cannot be moved into the other's place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Row {
    Real,
    Decoy,
}

impl Row {
    fn aad(self) -> &'static [u8] {
        match self {
            Row::Real => b"vigil.unlock-guard.v1",
            Row::Decoy => b"vigil.unlock-guard.decoy.v1",
        }
    }
}

fn non_empty(device_secret: Option<&[u8]>) -> Result<&[u8]> {
    device_secret
        .filter(|s| !s.is_empty())
        .ok_or(Error::DeviceSecretRequired)
}

fn read_sealed(conn: &Connection) -> Result<Option<Vec<u8>>> {
    Ok(conn
        .query_row("SELECT state FROM unlock_guard WHERE id = 1", [], |r| {
            r.get::<_, Vec<u8>>(0)
        })
        .optional()?)
}

fn open(key: &SealingKey, row: Row, sealed: &[u8]) -> Result<Counter> {
    open_with(key, row.aad(), sealed)
        .ok()
        .and_then(|plain| serde_json::from_slice(&plain).ok())
        .ok_or(Error::AttemptCounterTampered)
}

fn write(conn: &Connection, key: &SealingKey, row: Row, counter: Counter) -> Result<()> {
    let plain = serde_json::to_vec(&counter).map_err(|e| Error::Decode(e.to_string()))?;
    let sealed = seal_with(
        key,
        &ring::rand::SystemRandom::new(),
        row.aad(),
        &plain,
        b"",
    )?;
    conn.execute(
        "INSERT INTO unlock_guard (id, state) VALUES (1, ?1)
         ON CONFLICT (id) DO UPDATE SET state = excluded.state",
        params![sealed],
    )?;
    Ok(())
}

fn immediate(conn: &Connection) -> Result<Transaction<'_>> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    Ok(Transaction::new_unchecked(
        conn,
        TransactionBehavior::Immediate,
    )?)
}

/// Runs `f` holding the main database's write lock (as an attempt's count does), so that
/// unlocks in parallel take turns at what `f` writes beside the database.
pub(crate) fn exclusively<R>(conn: &Connection, f: impl FnOnce() -> Result<R>) -> Result<R> {
    let tx = immediate(conn)?;
    let result = f()?;
    tx.commit()?;
    Ok(result)
}

/// Writes the sealed "no limit" row of a device-bound vault: inside its creation, or at
/// the first unlock of one made before every device-bound vault had a row.
pub(crate) fn install(conn: &Connection, kdf: &KdfParams, device_secret: &[u8]) -> Result<()> {
    if device_secret.is_empty() {
        return Err(Error::DeviceSecretRequired);
    }
    write(
        conn,
        &guard_key(kdf, device_secret),
        Row::Real,
        Counter {
            limit: None,
            failures: 0,
        },
    )
}

/// Gives a device-bound vault made by an earlier version its "no limit" row, unless one
/// has appeared since [`begin`] looked (an unlock in parallel installed it first).
pub(crate) fn install_missing(
    conn: &Connection,
    kdf: &KdfParams,
    device_secret: &[u8],
) -> Result<()> {
    let tx = immediate(conn)?;
    if read_sealed(&tx)?.is_none() {
        install(&tx, kdf, device_secret)?;
    }
    tx.commit()?;
    Ok(())
}

/// The decoy's own limit, from the auxiliary database (none when it has no row or no file).
fn decoy_limit(aux: &Path, key: &SealingKey) -> Result<Option<u32>> {
    if !aux.is_file() {
        return Ok(None);
    }
    let conn = storage::connect(aux, false)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let has_table: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'unlock_guard')",
        [],
        |r| r.get(0),
    )?;
    if !has_table {
        return Ok(None);
    }
    match read_sealed(&conn)? {
        None => Ok(None),
        Some(sealed) => Ok(open(key, Row::Decoy, &sealed)?.limit),
    }
}

/// What [`begin`] found.
pub(crate) enum Start {
    /// A legacy vault (not device-bound) that has never had a limit: nothing to count.
    Unguarded,
    /// A device-bound vault without its row: deleted, or a vault from before every
    /// device-bound vault had one. Only a slot's `FLAG_GUARDED` can tell which, so the
    /// caller derives the key and decides after trying the slots; nothing is counted.
    Missing,
    /// The attempt is counted; run the key derivation. (Boxed: it holds an expanded key.)
    Counted(Box<Attempt>),
    /// The limit was already used up (by attempts in parallel, or one killed before it
    /// could wipe): wipe without evaluating this passphrase.
    Exhausted,
}

/// An attempt in progress against a guarded vault.
pub(crate) struct Attempt {
    key: SealingKey,
    limit: Option<u32>,
    failures: u32,
}

/// Called before the key derivation. Records the attempt first, in its own committed
/// transaction, so that killing the app mid-attempt still counts it and parallel attempts
/// each see the count the one before left.
pub(crate) fn begin(
    conn: &Connection,
    aux: &Path,
    kdf: &KdfParams,
    device_secret: Option<&[u8]>,
) -> Result<Start> {
    let tx = immediate(conn)?;
    let Some(sealed) = read_sealed(&tx)? else {
        return if kdf.device_bound {
            Ok(Start::Missing)
        } else {
            Ok(Start::Unguarded)
        };
    };
    let key = guard_key(kdf, non_empty(device_secret)?);
    let counter = open(&key, Row::Real, &sealed)?;
    let limit = match (counter.limit, decoy_limit(aux, &key)?) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    if limit.is_some_and(|limit| counter.failures >= limit) {
        return Ok(Start::Exhausted);
    }
    let failures = counter.failures.saturating_add(1);
    write(
        &tx,
        &key,
        Row::Real,
        Counter {
            failures,
            ..counter
        },
    )?;
    tx.commit()?;
    Ok(Start::Counted(Box::new(Attempt {
        key,
        limit,
        failures,
    })))
}

impl Attempt {
    /// The passphrase was right: the count starts again (keeping whatever limit is stored
    /// now).
    pub fn succeeded(self, conn: &Connection) -> Result<()> {
        let tx = immediate(conn)?;
        let sealed = read_sealed(&tx)?.ok_or(Error::AttemptCounterTampered)?;
        let counter = open(&self.key, Row::Real, &sealed)?;
        write(
            &tx,
            &self.key,
            Row::Real,
            Counter {
                failures: 0,
                ..counter
            },
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The passphrase was wrong: true when that was the last attempt allowed.
    pub fn exhausted(&self) -> bool {
        self.limit.is_some_and(|limit| self.failures >= limit)
    }
}

fn counter_for(attempts: Option<u32>) -> Result<Counter> {
    if attempts == Some(0) {
        return Err(Error::invalid("attempt limit", "must be at least 1"));
    }
    Ok(Counter {
        limit: attempts,
        failures: 0,
    })
}

/// Sets (or with `None` removes) the real vault's limit, resetting the count. Removing
/// leaves a sealed "no limit" row, never no row.
pub(crate) fn configure(
    conn: &Connection,
    kdf: &KdfParams,
    device_secret: &[u8],
    attempts: Option<u32>,
) -> Result<()> {
    let counter = counter_for(attempts)?;
    if device_secret.is_empty() {
        if attempts.is_none() && !kdf.device_bound {
            // A legacy vault removing its limit without the secret: back to no row.
            conn.execute("DELETE FROM unlock_guard", [])?;
            return Ok(());
        }
        return Err(Error::DeviceSecretRequired);
    }
    let key = guard_key(kdf, device_secret);
    let tx = immediate(conn)?;
    // Read like the decoy's [`configure_decoy`] does, so both take the same work; the owner
    // may replace a row that no longer opens.
    if let Some(sealed) = read_sealed(&tx)? {
        let _ = open(&key, Row::Real, &sealed);
    }
    write(&tx, &key, Row::Real, counter)?;
    tx.commit()?;
    Ok(())
}

/// Sets (or removes) the decoy's own limit, in the auxiliary database `aux`, with the same
/// checks and the same work as [`configure`]. The real limit is not touched; a legacy
/// vault without a real row gets a "no limit" one, so attempts can be counted.
pub(crate) fn configure_decoy(
    main: &Connection,
    aux: &Connection,
    kdf: &KdfParams,
    device_secret: &[u8],
    attempts: Option<u32>,
) -> Result<()> {
    let counter = counter_for(attempts)?;
    if device_secret.is_empty() {
        if attempts.is_none() && !kdf.device_bound {
            aux.execute("DELETE FROM unlock_guard", [])?;
            return Ok(());
        }
        return Err(Error::DeviceSecretRequired);
    }
    let key = guard_key(kdf, device_secret);
    {
        let tx = immediate(main)?;
        match read_sealed(&tx)? {
            // Checked, so a decoy session cannot overwrite a row it cannot read.
            Some(sealed) => {
                open(&key, Row::Real, &sealed)?;
            }
            None if kdf.device_bound => return Err(Error::AttemptCounterTampered),
            None => write(
                &tx,
                &key,
                Row::Real,
                Counter {
                    limit: None,
                    failures: 0,
                },
            )?,
        }
        tx.commit()?;
    }
    let tx = immediate(aux)?;
    write(&tx, &key, Row::Decoy, counter)?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::{slots, storage, Vault, VaultOptions, MIN_KDF_ITERATIONS};
    use super::*;

    const DEVICE: &[u8] = b"device secret from the keystore!";

    #[test]
    fn attempts_counted_but_cut_off_still_use_up_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.db");
        let options = VaultOptions {
            kdf_iterations: MIN_KDF_ITERATIONS,
            device_secret: Some(DEVICE.to_vec()),
        };
        let session = Vault::create(&path, "right", &options).unwrap();
        session.set_unlock_limit(Some(2), DEVICE).unwrap();
        let kdf = session.kdf.clone();
        session.lock();
        // Two attempts counted, then the app killed before either finished its derivation.
        let conn = storage::connect(&path, false).unwrap();
        let aux = storage::aux_path(&path);
        for _ in 0..2 {
            assert!(matches!(
                begin(&conn, &aux, &kdf, Some(DEVICE)).unwrap(),
                Start::Counted(_)
            ));
        }
        drop(conn);
        // Even the right passphrase is no longer tried: the limit is used up.
        let err = Vault::open(&path)
            .unwrap()
            .unlock("right", Some(DEVICE))
            .unwrap_err();
        assert!(matches!(err, Error::WipedAfterFailedAttempts), "{err:?}");
        assert!(!path.exists());
    }

    const PASS: &str = "right";
    const DURESS: &str = "duress";

    fn bound_vault(path: &Path) -> super::super::Session {
        let options = VaultOptions {
            kdf_iterations: MIN_KDF_ITERATIONS,
            device_secret: Some(DEVICE.to_vec()),
        };
        Vault::create(path, PASS, &options).unwrap()
    }

    fn kdf_of(path: &Path) -> KdfParams {
        super::super::header::read_header(&storage::connect(path, false).unwrap()).unwrap()
    }

    /// The flags of `slot` as `passphrase` opens it (`None`: it does not open).
    fn slot_flags(path: &Path, passphrase: &str, slot: u32) -> Option<u8> {
        let kdf = kdf_of(path);
        let kek = kdf
            .derive_kek(passphrase, Some(DEVICE))
            .unwrap()
            .sealing_key();
        slots::unwrap(&kek, &kdf, slot, &slots::read(path, slot).unwrap()).map(|k| k.flags)
    }

    /// Test-only: puts a device-bound vault back into the state an earlier version left it
    /// in: the slots `passphrases` open lose `FLAG_GUARDED` (same key, re-wrapped), and with
    /// `drop_row` the counter row goes too (a version before rows were written at creation).
    fn make_legacy(path: &Path, passphrases: &[&str], drop_row: bool) {
        let kdf = kdf_of(path);
        for passphrase in passphrases {
            let kek = kdf
                .derive_kek(passphrase, Some(DEVICE))
                .unwrap()
                .sealing_key();
            for slot in 0..slots::KEY_SLOTS {
                let wrapped = slots::read(path, slot).unwrap();
                if let Some(k) = slots::unwrap(&kek, &kdf, slot, &wrapped) {
                    let flags = k.flags & !slots::FLAG_GUARDED;
                    let rng = ring::rand::SystemRandom::new();
                    let rewrapped = slots::wrap(&kek, &rng, &kdf, slot, flags, &k.key).unwrap();
                    slots::write(path, slot, &rewrapped).unwrap();
                }
            }
        }
        if drop_row {
            delete_row(path);
        }
    }

    fn delete_row(path: &Path) {
        storage::connect(path, false)
            .unwrap()
            .execute("DELETE FROM unlock_guard", [])
            .unwrap();
    }

    fn has_row(path: &Path) -> bool {
        read_sealed(&storage::connect(path, false).unwrap())
            .unwrap()
            .is_some()
    }

    fn unlock(path: &Path, passphrase: &str) -> Result<super::super::Session> {
        Vault::open(path)?.unlock(passphrase, Some(DEVICE))
    }

    #[test]
    fn a_device_bound_vault_made_before_counter_rows_opens_and_is_then_guarded() {
        use crate::bookings::{BookingDraft, BookingKind};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.db");
        let session = bound_vault(&path);
        let when = chrono::Utc::now();
        let booking = session
            .bookings()
            .add(BookingDraft::new("A", when, 60, BookingKind::Incall), when)
            .unwrap();
        session.lock();
        assert_eq!(
            slot_flags(&path, PASS, slots::REAL_SLOT),
            Some(slots::FLAG_GUARDED)
        );
        make_legacy(&path, &[PASS], true);
        assert_eq!(slot_flags(&path, PASS, slots::REAL_SLOT), Some(0));
        // A wrong passphrase cannot be told from a deleted row: the same answer as there.
        let err = unlock(&path, "wrong").unwrap_err();
        assert!(matches!(err, Error::AttemptCounterTampered), "{err:?}");
        assert!(!has_row(&path));
        // The right one opens the same data, and the vault gets its row and its flag.
        let session = unlock(&path, PASS).unwrap();
        assert_eq!(session.bookings().get(&booking.id).unwrap().id, booking.id);
        session.lock();
        assert!(has_row(&path));
        assert_eq!(
            slot_flags(&path, PASS, slots::REAL_SLOT),
            Some(slots::FLAG_GUARDED)
        );
        // Now an ordinary guarded vault: counts, and a deleted row fails closed.
        let err = unlock(&path, "wrong").unwrap_err();
        assert!(matches!(err, Error::WrongPassphrase), "{err:?}");
        unlock(&path, PASS).unwrap().lock();
        delete_row(&path);
        for passphrase in [PASS, "wrong"] {
            let err = unlock(&path, passphrase).unwrap_err();
            assert!(matches!(err, Error::AttemptCounterTampered), "{err:?}");
        }
        assert!(path.exists());
    }

    #[test]
    fn parallel_first_unlocks_of_a_legacy_vault_all_open_and_leave_one_good_slot() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.db");
        bound_vault(&path).lock();
        make_legacy(&path, &[PASS], true);
        let handles: Vec<_> = (0..6)
            .map(|_| {
                let path = path.clone();
                std::thread::spawn(move || unlock(&path, PASS).map(|s| s.lock()))
            })
            .collect();
        for h in handles {
            h.join().unwrap().unwrap();
        }
        assert!(has_row(&path));
        assert_eq!(
            slot_flags(&path, PASS, slots::REAL_SLOT),
            Some(slots::FLAG_GUARDED)
        );
        unlock(&path, PASS).unwrap().lock();
    }

    #[test]
    fn a_vault_with_a_row_but_no_flag_gets_the_flag_so_deleting_its_row_fails_closed() {
        // Vaults from the version that wrote a row at creation but had no flag yet.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.db");
        let session = bound_vault(&path);
        session.set_unlock_limit(Some(3), DEVICE).unwrap();
        session.lock();
        make_legacy(&path, &[PASS], false);
        unlock(&path, PASS).unwrap().lock();
        assert_eq!(
            slot_flags(&path, PASS, slots::REAL_SLOT),
            Some(slots::FLAG_GUARDED)
        );
        // Without the flag, deleting the row would have turned the limit into "none".
        delete_row(&path);
        let err = unlock(&path, PASS).unwrap_err();
        assert!(matches!(err, Error::AttemptCounterTampered), "{err:?}");
        assert!(!has_row(&path));
    }

    #[test]
    fn a_legacy_duress_slot_opens_the_decoy_and_gets_the_row_and_the_flag() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.db");
        let mut session = bound_vault(&path);
        session
            .set_duress(
                PASS,
                DURESS,
                super::super::DuressOptions::default(),
                Some(DEVICE),
                chrono::Utc::now(),
            )
            .unwrap();
        session.lock();
        assert_eq!(
            slot_flags(&path, DURESS, slots::DURESS_SLOT),
            Some(slots::FLAG_GUARDED)
        );
        make_legacy(&path, &[PASS, DURESS], true);
        let decoy = unlock(&path, DURESS).unwrap();
        assert!(decoy.is_decoy());
        decoy.lock();
        assert!(has_row(&path));
        assert_eq!(
            slot_flags(&path, DURESS, slots::DURESS_SLOT),
            Some(slots::FLAG_GUARDED)
        );
        // The real slot is upgraded by its own passphrase, at its next unlock.
        assert_eq!(slot_flags(&path, PASS, slots::REAL_SLOT), Some(0));
        let real = unlock(&path, PASS).unwrap();
        assert!(!real.is_decoy());
        real.lock();
        assert_eq!(
            slot_flags(&path, PASS, slots::REAL_SLOT),
            Some(slots::FLAG_GUARDED)
        );
        delete_row(&path);
        for passphrase in [PASS, DURESS, "wrong"] {
            let err = unlock(&path, passphrase).unwrap_err();
            assert!(matches!(err, Error::AttemptCounterTampered), "{err:?}");
        }
    }

    #[test]
    fn the_duress_flags_survive_the_upgrade() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.db");
        let mut session = bound_vault(&path);
        let options = super::super::DuressOptions {
            destroy_real: false,
            alert_buddies: false,
        };
        session
            .set_duress(PASS, DURESS, options, Some(DEVICE), chrono::Utc::now())
            .unwrap();
        session.lock();
        // A slot written with other flags keeps them when the guard flag is added.
        let kdf = kdf_of(&path);
        let kek = kdf.derive_kek(DURESS, Some(DEVICE)).unwrap().sealing_key();
        let k = slots::unwrap(
            &kek,
            &kdf,
            slots::DURESS_SLOT,
            &slots::read(&path, slots::DURESS_SLOT).unwrap(),
        )
        .unwrap();
        let rng = ring::rand::SystemRandom::new();
        let odd = slots::wrap(&kek, &rng, &kdf, slots::DURESS_SLOT, 0b1000, &k.key).unwrap();
        slots::write(&path, slots::DURESS_SLOT, &odd).unwrap();
        unlock(&path, DURESS).unwrap().lock();
        assert_eq!(
            slot_flags(&path, DURESS, slots::DURESS_SLOT),
            Some(0b1000 | slots::FLAG_GUARDED)
        );
    }

    #[test]
    fn a_vault_without_a_device_secret_gets_no_flag_and_no_row() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.db");
        let options = VaultOptions {
            kdf_iterations: MIN_KDF_ITERATIONS,
            device_secret: None,
        };
        Vault::create(&path, PASS, &options).unwrap().lock();
        Vault::open(&path)
            .unwrap()
            .unlock(PASS, None)
            .unwrap()
            .lock();
        let kdf = kdf_of(&path);
        let kek = kdf.derive_kek(PASS, None).unwrap().sealing_key();
        let k = slots::unwrap(
            &kek,
            &kdf,
            slots::REAL_SLOT,
            &slots::read(&path, slots::REAL_SLOT).unwrap(),
        )
        .unwrap();
        assert_eq!(k.flags, 0);
        assert!(!has_row(&path));
    }

    /// Figures for docs/PERFORMANCE.md (not a check): median unlock times at the default
    /// KDF cost. `cargo test -p vigil-core --lib guard::tests::unlock_figures -- --ignored
    /// --nocapture`
    #[test]
    #[ignore]
    fn unlock_figures() {
        use super::super::DEFAULT_KDF_ITERATIONS;
        use std::time::Instant;
        let options = VaultOptions {
            kdf_iterations: DEFAULT_KDF_ITERATIONS,
            device_secret: Some(DEVICE.to_vec()),
        };
        let time = |prepare: &dyn Fn(&Path), passphrase: &str| {
            let mut runs: Vec<f64> = (0..5)
                .map(|_| {
                    let dir = tempfile::tempdir().unwrap();
                    let path = dir.path().join("v.db");
                    Vault::create(&path, PASS, &options).unwrap().lock();
                    prepare(&path);
                    let start = Instant::now();
                    let _ = unlock(&path, passphrase).map(|s| s.lock());
                    start.elapsed().as_secs_f64() * 1000.0
                })
                .collect();
            crate::sort::sort_by(&mut runs, f64::total_cmp);
            runs[2]
        };
        let edit_row = |path: &Path| {
            storage::connect(path, false)
                .unwrap()
                .execute(
                    "UPDATE unlock_guard SET state = zeroblob(length(state))",
                    [],
                )
                .unwrap();
        };
        let rows = [
            ("guarded vault, right passphrase", time(&|_| {}, PASS)),
            (
                "legacy, no row: first unlock (upgrade)",
                time(&|p| make_legacy(p, &[PASS], true), PASS),
            ),
            (
                "row but no flag: first unlock (upgrade)",
                time(&|p| make_legacy(p, &[PASS], false), PASS),
            ),
            (
                "row deleted, right passphrase",
                time(&|p| delete_row(p), PASS),
            ),
            (
                "row deleted, wrong passphrase",
                time(&|p| delete_row(p), "wrong"),
            ),
            ("row edited (refused before the KDF)", time(&edit_row, PASS)),
        ];
        for (what, ms) in rows {
            eprintln!("| {what} | {ms:.1} ms |");
        }
    }

    #[test]
    fn rows_written_before_no_limit_existed_still_read() {
        let counter: Counter = serde_json::from_str(r#"{"limit":5,"failures":2}"#).unwrap();
        assert_eq!((counter.limit, counter.failures), (Some(5), 2));
    }
}
