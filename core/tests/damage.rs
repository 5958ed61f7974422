//! Damage is reported, never hidden and never fatal (issue 12): damaged screening rows make
//! the answer say it may be incomplete; header values out of range and files from a newer
//! Vigil give specific errors before any key derivation; vault files are private.

mod common;

use std::path::Path;

use common::{at, fast_options, new_vault};
use vigil_core::screening::{NoteDraft, Region, Risk};
use vigil_core::vault::{
    Vault, VaultOptions, DEFAULT_KDF_ITERATIONS, MAX_KDF_ITERATIONS, MIN_KDF_ITERATIONS,
};
use vigil_core::Error;

const PASSPHRASE: &str = "damage test passphrase";

fn raw(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

#[test]
fn screening_a_number_whose_note_is_damaged_says_the_answer_may_be_incomplete() {
    let dir = tempfile::tempdir().unwrap();
    let (path, s) = new_vault(dir.path(), PASSPHRASE);
    let sc = s.screening(Region::GB);
    let dave = sc.detect("07700 900461").unwrap();
    let other = sc.detect("07911 123456").unwrap();
    sc.add_notes(
        vec![
            NoteDraft::new("Dave", Risk::Danger, vec![dave]),
            NoteDraft::new("Other", Risk::Caution, vec![other]),
        ],
        at(9, 0),
    )
    .unwrap();
    let clean = sc.screen("07700 900461", at(10, 0)).unwrap();
    assert_eq!(clean.overall, Risk::Danger);
    assert_eq!((clean.unreadable_notes, clean.unreadable_alerts), (0, 0));
    assert!(!clean.is_incomplete());

    // Damage Dave's note only (a one-byte blob: fails authentication).
    let dave_id = clean.matches[0].source.clone();
    let vigil_core::screening::MatchSource::Note(note) = dave_id else {
        panic!("expected a note match");
    };
    raw(&path)
        .execute(
            "UPDATE screening_notes SET body = x'00' WHERE id = ?1",
            [&note.id.as_bytes()[..]],
        )
        .unwrap();

    for input in ["07700 900461", "+44 7700 900461"] {
        let r = sc.screen(input, at(10, 0)).unwrap();
        assert!(r.matches.is_empty());
        assert_eq!(r.overall, Risk::Unknown);
        // Found through both the exact and the phone-tail index: counted once.
        assert_eq!((r.unreadable_notes, r.unreadable_alerts), (1, 0), "{input}");
        assert!(r.is_incomplete());
    }
    let exact = sc.screen_exact("07700 900461", at(10, 0)).unwrap();
    assert_eq!(exact.unreadable_notes, 1);
    // A partial number reaches the damaged note through the phone-tail index.
    let partial = sc.screen("900461", at(10, 0)).unwrap();
    assert_eq!(partial.unreadable_notes, 1);
    // An unrelated number does not meet the damaged row: its answer is complete.
    let unrelated = sc.screen("07911 123456", at(10, 0)).unwrap();
    assert_eq!(unrelated.overall, Risk::Caution);
    assert!(!unrelated.is_incomplete());
    // The same with a body that is not a blob at all.
    raw(&path)
        .execute(
            "UPDATE screening_notes SET body = 'x' WHERE id = ?1",
            [&note.id.as_bytes()[..]],
        )
        .unwrap();
    assert_eq!(
        sc.screen("07700 900461", at(10, 0))
            .unwrap()
            .unreadable_notes,
        1
    );
}

fn set_iterations(path: &Path, n: i64) {
    raw(path)
        .execute("UPDATE vault_header SET kdf_iterations = ?1", [n])
        .unwrap();
}

#[test]
fn an_iteration_count_above_the_maximum_is_a_corrupt_header_found_before_any_derivation() {
    assert_eq!(MAX_KDF_ITERATIONS, 10 * DEFAULT_KDF_ITERATIONS);
    let dir = tempfile::tempdir().unwrap();
    let (path, s) = new_vault(dir.path(), PASSPHRASE);
    drop(s);
    // u32::MAX would hold an unlock for about an hour; this test finishing at all (no
    // timing assertion) shows no derivation ran. The passphrase is the right one: the
    // answer must not be "wrong passphrase".
    for n in [
        i64::from(u32::MAX),
        i64::from(MAX_KDF_ITERATIONS) + 1,
        1 << 40,
    ] {
        set_iterations(&path, n);
        assert!(
            matches!(Vault::open(&path), Err(Error::CorruptHeader(_))),
            "{n}"
        );
        let vault = open_unchecked(&path);
        assert!(
            matches!(vault.unlock(PASSPHRASE, None), Err(Error::CorruptHeader(_))),
            "{n}"
        );
    }
    set_iterations(&path, i64::from(MIN_KDF_ITERATIONS));
    Vault::open(&path)
        .unwrap()
        .unlock(PASSPHRASE, None)
        .unwrap();
}

/// A handle on a vault whose header `Vault::open` would refuse, to test `unlock` itself:
/// opened while the header was still valid.
fn open_unchecked(path: &Path) -> Vault {
    let conn = raw(path);
    let saved: i64 = conn
        .query_row("SELECT kdf_iterations FROM vault_header", [], |r| r.get(0))
        .unwrap();
    set_iterations(path, i64::from(MIN_KDF_ITERATIONS));
    let vault = Vault::open(path).unwrap();
    set_iterations(path, saved);
    vault
}

#[test]
fn creating_a_vault_above_the_maximum_iteration_count_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    let options = VaultOptions {
        kdf_iterations: MAX_KDF_ITERATIONS + 1,
        device_secret: None,
    };
    assert!(matches!(
        Vault::create(&path, PASSPHRASE, &options),
        Err(Error::InvalidInput { .. })
    ));
    assert!(!path.exists());
}

#[test]
fn a_vault_from_a_newer_vigil_gets_a_clear_error_and_a_negative_version_a_corrupt_one() {
    let dir = tempfile::tempdir().unwrap();
    let (path, s) = new_vault(dir.path(), PASSPHRASE);
    drop(s);
    raw(&path)
        .pragma_update(None, "user_version", 1000)
        .unwrap();
    let e = Vault::open(&path).unwrap_err();
    assert!(matches!(e, Error::SchemaTooNew(1000)), "{e:?}");
    assert!(e.to_string().contains("newer version of Vigil"), "{e}");
    // A newer Vigil may have changed the header too: nothing of it is read.
    raw(&path).execute_batch("DROP TABLE vault_header").unwrap();
    assert!(matches!(Vault::open(&path), Err(Error::SchemaTooNew(1000))));

    let neg = dir.path().join("neg");
    std::fs::create_dir(&neg).unwrap();
    let (path, s) = new_vault(&neg, PASSPHRASE);
    drop(s);
    raw(&path).pragma_update(None, "user_version", -1).unwrap();
    let e = Vault::open(&path).unwrap_err();
    assert!(matches!(e, Error::CorruptHeader(_)), "{e:?}");
}

#[cfg(unix)]
#[test]
fn every_vault_file_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    let s = Vault::create(&path, PASSPHRASE, &fast_options()).unwrap();
    s.bookings()
        .add(
            vigil_core::bookings::BookingDraft::new(
                "A",
                at(9, 0),
                30,
                vigil_core::bookings::BookingKind::Incall,
            ),
            at(8, 0),
        )
        .unwrap();
    // While the session is open SQLite keeps its -wal and -shm beside both databases.
    let mode = |suffix: &str| {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        std::fs::metadata(&p)
            .unwrap_or_else(|e| panic!("{suffix}: {e}"))
            .permissions()
            .mode()
            & 0o777
    };
    for suffix in ["", "-wal", "-shm", "-aux"] {
        assert_eq!(mode(suffix), 0o600, "v.db{suffix}");
    }
    drop(s);
    // A vault file left more open (by an older version, or a copy) is tightened on open.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    Vault::open(&path).unwrap();
    assert_eq!(mode(""), 0o600);
}
