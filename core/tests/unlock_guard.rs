//! The unlock attempt limit against the three bypasses of issue 12: deleting the counter,
//! guessing in parallel, and changing the real limit from the decoy session.

mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::*;
use rusqlite::Connection;
use vigil_core::vault::{DuressOptions, Session, Vault, VaultOptions, MIN_KDF_ITERATIONS};
use vigil_core::Error;

const DEVICE: &[u8] = b"device secret from the keystore!";
const PASS: &str = "real passphrase";

fn bound_vault(dir: &Path) -> (PathBuf, Session) {
    let path = dir.join("vault.db");
    let session = Vault::create(
        &path,
        PASS,
        &VaultOptions {
            kdf_iterations: MIN_KDF_ITERATIONS,
            device_secret: Some(DEVICE.to_vec()),
        },
    )
    .unwrap();
    (path, session)
}

fn guess(path: &Path, passphrase: &str) -> Result<Session, Error> {
    Vault::open(path)?.unlock(passphrase, Some(DEVICE))
}

fn delete_counter(path: &Path) {
    Connection::open(path)
        .unwrap()
        .execute("DELETE FROM unlock_guard", [])
        .unwrap();
}

fn counter_rows(path: &Path) -> i64 {
    Connection::open(path)
        .unwrap()
        .query_row("SELECT count(*) FROM unlock_guard", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn deleting_the_attempt_counter_fails_closed() {
    let dir = tempfile::tempdir().unwrap();
    let (path, session) = bound_vault(dir.path());
    session.set_unlock_limit(Some(3), DEVICE).unwrap();
    session.lock();
    assert!(matches!(guess(&path, "nope"), Err(Error::WrongPassphrase)));
    delete_counter(&path);
    // A guess and the right passphrase get the same refusal: the vault stays shut, intact.
    for _ in 0..6 {
        assert!(matches!(
            guess(&path, "nope"),
            Err(Error::AttemptCounterTampered)
        ));
    }
    assert!(matches!(
        guess(&path, PASS),
        Err(Error::AttemptCounterTampered)
    ));
    assert!(path.exists());
}

fn slot_file(path: &Path) -> Vec<u8> {
    let mut name = path.as_os_str().to_owned();
    name.push("-keys");
    std::fs::read(PathBuf::from(name)).unwrap()
}

#[test]
fn with_the_counter_deleted_every_passphrase_gets_the_same_answer_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = with_decoy(dir.path());
    guess(&path, PASS)
        .unwrap()
        .set_unlock_limit(Some(3), DEVICE)
        .unwrap();
    delete_counter(&path);
    let slots_before = slot_file(&path);
    // Right, duress and wrong passphrases, more times than the limit: no answer tells them
    // apart, none is counted towards a wipe, and nothing is written.
    for _ in 0..4 {
        for passphrase in [PASS, "decoy passphrase", "nope", ""] {
            let err = guess(&path, passphrase).unwrap_err();
            assert!(
                matches!(err, Error::AttemptCounterTampered),
                "{passphrase:?}: {err:?}"
            );
        }
    }
    assert_eq!(counter_rows(&path), 0);
    assert_eq!(slot_file(&path), slots_before);
    assert!(path.exists());
}

#[test]
fn a_device_bound_vault_has_a_counter_row_from_creation_even_without_a_limit() {
    let dir = tempfile::tempdir().unwrap();
    let (path, session) = bound_vault(dir.path());
    session.lock();
    assert_eq!(counter_rows(&path), 1);
    guess(&path, PASS).unwrap().lock();
    delete_counter(&path);
    assert!(matches!(
        guess(&path, "nope"),
        Err(Error::AttemptCounterTampered)
    ));
}

#[test]
fn removing_the_limit_keeps_a_sealed_row_and_allows_any_number_of_guesses() {
    let dir = tempfile::tempdir().unwrap();
    let (path, session) = bound_vault(dir.path());
    session.set_unlock_limit(Some(3), DEVICE).unwrap();
    session.set_unlock_limit(None, DEVICE).unwrap();
    session.lock();
    assert_eq!(counter_rows(&path), 1);
    for _ in 0..6 {
        assert!(matches!(guess(&path, "nope"), Err(Error::WrongPassphrase)));
    }
    guess(&path, PASS).unwrap().lock();
    delete_counter(&path);
    assert!(matches!(
        guess(&path, PASS),
        Err(Error::AttemptCounterTampered)
    ));
}

#[test]
fn a_legacy_vault_without_a_device_secret_keeps_working_and_gets_its_row_with_a_limit() {
    let dir = tempfile::tempdir().unwrap();
    let (path, session) = new_vault(dir.path(), PASS);
    session.lock();
    assert_eq!(counter_rows(&path), 0);
    let vault = Vault::open(&path).unwrap();
    assert!(matches!(
        vault.unlock("nope", None),
        Err(Error::WrongPassphrase)
    ));
    let session = vault.unlock(PASS, None).unwrap();
    session.set_unlock_limit(Some(2), DEVICE).unwrap();
    session.lock();
    assert_eq!(counter_rows(&path), 1);
    assert!(matches!(
        vault.unlock("nope", None),
        Err(Error::DeviceSecretRequired)
    ));
    assert!(matches!(guess(&path, "nope"), Err(Error::WrongPassphrase)));
    assert!(matches!(
        guess(&path, "nope"),
        Err(Error::WipedAfterFailedAttempts)
    ));
    assert!(!path.exists());
}

/// What the parallel guessers saw, counted over all threads.
#[derive(Debug, Default)]
struct Tally {
    wrong: AtomicUsize,
    wiped: AtomicUsize,
    gone: AtomicUsize,
    other: AtomicUsize,
}

/// `threads` guessers, each with its own `Vault::open(..).unlock(..)` (its own connection),
/// guess wrong passphrases until the vault is gone. Returns the tally.
fn guess_in_parallel(limit: u32, threads: usize) -> Tally {
    let dir = tempfile::tempdir().unwrap();
    let (path, session) = bound_vault(dir.path());
    session.set_unlock_limit(Some(limit), DEVICE).unwrap();
    session.lock();
    let tally = Arc::new(Tally::default());
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let path = path.clone();
            let tally = Arc::clone(&tally);
            std::thread::spawn(move || {
                for round in 0..(limit as usize * 4) {
                    match guess(&path, &format!("guess {t}-{round}")) {
                        Err(Error::WrongPassphrase) => {
                            tally.wrong.fetch_add(1, Ordering::SeqCst);
                        }
                        Err(Error::WipedAfterFailedAttempts) => {
                            tally.wiped.fetch_add(1, Ordering::SeqCst);
                            return;
                        }
                        Err(Error::VaultNotFound) => {
                            tally.gone.fetch_add(1, Ordering::SeqCst);
                            return;
                        }
                        other => {
                            // A file removed under an open connection; never a success.
                            assert!(other.is_err(), "a wrong guess opened the vault");
                            tally.other.fetch_add(1, Ordering::SeqCst);
                            return;
                        }
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert!(!path.exists(), "the vault must be wiped after the limit");
    assert!(matches!(guess(&path, PASS), Err(Error::VaultNotFound)));
    Arc::try_unwrap(tally).unwrap()
}

#[test]
fn parallel_guessers_get_no_more_wrong_guesses_than_the_limit() {
    for (limit, threads) in [(5u32, 8usize), (10, 16)] {
        let tally = guess_in_parallel(limit, threads);
        eprintln!("limit {limit}, {threads} guessers: {tally:?}");
        let wrong = tally.wrong.load(Ordering::SeqCst);
        // The attempt that reaches the limit is evaluated too, and answers "wiped".
        assert!(
            wrong < limit as usize,
            "limit {limit}: {wrong} wrong answers"
        );
        assert!(tally.wiped.load(Ordering::SeqCst) >= 1);
    }
}

fn with_decoy(dir: &Path) -> PathBuf {
    let (path, mut session) = bound_vault(dir);
    session
        .set_duress(
            PASS,
            "decoy passphrase",
            DuressOptions::default(),
            Some(DEVICE),
            at(20, 0),
        )
        .unwrap();
    session.lock();
    path
}

#[test]
fn the_decoy_session_cannot_remove_or_raise_the_real_limit() {
    let dir = tempfile::tempdir().unwrap();
    let path = with_decoy(dir.path());
    guess(&path, PASS)
        .unwrap()
        .set_unlock_limit(Some(3), DEVICE)
        .unwrap();
    let decoy = guess(&path, "decoy passphrase").unwrap();
    // The same answers a real session gives.
    decoy.set_unlock_limit(None, DEVICE).unwrap();
    assert!(matches!(
        decoy.set_unlock_limit(Some(0), DEVICE),
        Err(Error::InvalidInput { .. })
    ));
    assert!(matches!(
        decoy.set_unlock_limit(Some(5), b""),
        Err(Error::DeviceSecretRequired)
    ));
    decoy.set_unlock_limit(Some(100), DEVICE).unwrap();
    decoy.lock();
    // The real limit of 3 still holds (the decoy unlock reset the count, as a real one does).
    assert!(matches!(guess(&path, "nope"), Err(Error::WrongPassphrase)));
    assert!(matches!(guess(&path, "nope"), Err(Error::WrongPassphrase)));
    assert!(matches!(
        guess(&path, "nope"),
        Err(Error::WipedAfterFailedAttempts)
    ));
    assert!(!path.exists());
}

#[test]
fn removing_the_limit_from_the_decoy_leaves_the_real_vault_without_one_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = with_decoy(dir.path());
    let decoy = guess(&path, "decoy passphrase").unwrap();
    decoy.set_unlock_limit(None, DEVICE).unwrap();
    decoy.lock();
    for _ in 0..6 {
        assert!(matches!(guess(&path, "nope"), Err(Error::WrongPassphrase)));
    }
    guess(&path, PASS).unwrap().lock();
}

#[test]
fn a_limit_set_in_the_decoy_behaves_like_a_real_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = with_decoy(dir.path());
    let decoy = guess(&path, "decoy passphrase").unwrap();
    decoy.set_unlock_limit(Some(2), DEVICE).unwrap();
    decoy.lock();
    // The real session can still set its own, larger limit: the smaller one counts.
    guess(&path, PASS)
        .unwrap()
        .set_unlock_limit(Some(10), DEVICE)
        .unwrap();
    assert!(matches!(guess(&path, "nope"), Err(Error::WrongPassphrase)));
    assert!(matches!(
        guess(&path, "nope"),
        Err(Error::WipedAfterFailedAttempts)
    ));
    assert!(!path.exists());
}

#[test]
fn an_edited_decoy_limit_fails_closed_like_the_real_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = with_decoy(dir.path());
    let decoy = guess(&path, "decoy passphrase").unwrap();
    decoy.set_unlock_limit(Some(4), DEVICE).unwrap();
    decoy.lock();
    let mut aux = path.as_os_str().to_owned();
    aux.push("-aux");
    Connection::open(PathBuf::from(aux))
        .unwrap()
        .execute(
            "UPDATE unlock_guard SET state = zeroblob(length(state))",
            [],
        )
        .unwrap();
    assert!(matches!(
        guess(&path, PASS),
        Err(Error::AttemptCounterTampered)
    ));
    assert!(path.exists());
}
