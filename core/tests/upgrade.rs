//! A vault written by an earlier release (main at 821f0eb, schema version 6) opens with
//! this build: the file is upgraded, every record of every capability is still there, the
//! decoy vault opens and is upgraded too, and opening again changes nothing.
//! How the fixture was made: `core/tests/fixtures/vault-821f0eb/README.md`.

use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use rusqlite::Connection;
use vigil_core::bookings::TimeRange;
use vigil_core::checkin::EscalationKey;
use vigil_core::clock::Timestamp;
use vigil_core::screening::Region;
use vigil_core::vault::{Session, Vault};

const FIXTURE: &str = "tests/fixtures/vault-821f0eb";
const PASSPHRASE: &str = "export sections passphrase";
const DURESS: &str = "duress passphrase";
const DEVICE_SECRET: &[u8] = b"device secret of at least 16 bytes";
/// The schema version of the fixture.
const OLD_VERSION: i64 = 6;

fn at(h: u32, m: u32) -> Timestamp {
    Utc.with_ymd_and_hms(2026, 11, 28, h, m, 0).unwrap()
}

/// A private copy of the fixture (the test must not change the committed files).
fn copy_fixture(dir: &Path) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE);
    for name in ["vault.db", "vault.db-keys", "vault.db-aux"] {
        std::fs::copy(src.join(name), dir.join(name)).expect("fixture file missing");
    }
    dir.join("vault.db")
}

fn pragma(path: &Path, name: &str) -> i64 {
    Connection::open(path)
        .unwrap()
        .query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
        .unwrap()
}

fn schema_sql(path: &Path) -> Vec<String> {
    let conn = Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
        .unwrap();
    let rows = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<Vec<String>>>()
        .unwrap();
    rows
}

fn unlock(path: &Path, passphrase: &str) -> Session {
    Vault::open(path)
        .unwrap()
        .unlock_at(passphrase, Some(DEVICE_SECRET), at(21, 30))
        .unwrap()
}

/// Every record the generator wrote, read back through the public API.
fn assert_everything_is_there(s: &Session) {
    let bookings = s.bookings().list(TimeRange::default()).unwrap();
    assert!(bookings.unreadable.is_empty());
    let mut labels: Vec<_> = bookings
        .items
        .iter()
        .map(|b| b.details.client.label.clone())
        .collect();
    labels.sort();
    assert_eq!(labels, ["client 0", "client 1", "client 2"]);

    let screening = s.screening(Region::GB);
    let notes = screening.notes().unwrap();
    assert!(notes.unreadable.is_empty());
    let mut labels: Vec<_> = notes
        .items
        .iter()
        .map(|n| n.details.label.clone())
        .collect();
    labels.sort();
    assert_eq!(labels, ["Dave, Tuesdays", "silver car"]);
    // The blind indexes still find them, the phone and the handle included.
    for probe in ["+44 7700 900123", "instagram:silver.car", "51ZZ"] {
        let found = screening.screen(probe, at(23, 0)).unwrap();
        assert!(
            !found.matches.is_empty(),
            "nothing found for a stored identifier"
        );
    }
    let alerts = screening.alerts().unwrap();
    assert!(alerts.unreadable.is_empty());
    assert_eq!(alerts.items.len(), 2);
    assert!(!screening
        .screen("07911 123456", at(23, 0))
        .unwrap()
        .matches
        .is_empty());

    let key = EscalationKey::from_device_secret(DEVICE_SECRET).unwrap();
    let checkins = s.checkins(&key);
    let buddies = checkins.buddies().unwrap();
    assert!(buddies.unreadable.is_empty());
    let names: Vec<_> = buddies.items.iter().map(|b| b.name.clone()).collect();
    assert_eq!(names, ["Ana", "Bea"]);
    let armed = checkins.list().unwrap();
    assert!(armed.unreadable.is_empty());
    assert_eq!(armed.items.len(), 1);

    let publishers = s.feeds().publishers().unwrap();
    assert!(publishers.unreadable.is_empty());
    assert_eq!(publishers.items.len(), 1);
    assert_eq!(publishers.items[0].name, "Leeds Project");
    let directory = s.directory().load().unwrap();
    assert!(directory.unreadable.is_empty());
    assert_eq!(directory.index.services().count(), 12);
}

#[test]
fn a_vault_from_821f0eb_is_upgraded_with_every_record_and_reopening_is_a_no_op() {
    let dir = tempfile::tempdir().unwrap();
    let path = copy_fixture(dir.path());
    let aux = dir.path().join("vault.db-aux");
    assert_eq!(pragma(&path, "user_version"), OLD_VERSION);
    assert_eq!(pragma(&aux, "user_version"), OLD_VERSION);

    let session = unlock(&path, PASSPHRASE);
    assert_everything_is_there(&session);
    drop(session);
    let upgraded = pragma(&path, "user_version");
    assert!(upgraded > OLD_VERSION);

    // The upgraded file has exactly the schema of a vault made by this build.
    let fresh_dir = tempfile::tempdir().unwrap();
    let fresh = fresh_dir.path().join("vault.db");
    let options = vigil_core::vault::VaultOptions {
        kdf_iterations: vigil_core::vault::MIN_KDF_ITERATIONS,
        device_secret: Some(DEVICE_SECRET.to_vec()),
    };
    drop(Vault::create(&fresh, PASSPHRASE, &options).unwrap());
    assert_eq!(pragma(&fresh, "user_version"), upgraded);
    assert_eq!(schema_sql(&path), schema_sql(&fresh));

    // A second open runs no step: SQLite's schema cookie (bumped by any change to the
    // schema) and the version stay as they are, and the data is all there again.
    let cookie = pragma(&path, "schema_version");
    let session = unlock(&path, PASSPHRASE);
    assert_everything_is_there(&session);
    drop(session);
    assert_eq!(pragma(&path, "schema_version"), cookie);
    assert_eq!(pragma(&path, "user_version"), upgraded);

    // The duress passphrase still opens the decoy, whose file is upgraded the same way.
    let decoy = unlock(&path, DURESS);
    drop(decoy);
    assert_eq!(pragma(&aux, "user_version"), upgraded);
    assert_eq!(schema_sql(&aux), schema_sql(&fresh));
}

/// The fixture is what its README says: written at schema version 6 with the lowest KDF
/// cost (a guard against regenerating it with another build by mistake).
#[test]
fn the_fixture_is_a_version_6_vault() {
    let dir = tempfile::tempdir().unwrap();
    let path = copy_fixture(dir.path());
    assert_eq!(pragma(&path, "user_version"), OLD_VERSION);
    let iterations: i64 = Connection::open(&path)
        .unwrap()
        .query_row("SELECT kdf_iterations FROM vault_header", [], |r| r.get(0))
        .unwrap();
    assert_eq!(iterations, i64::from(vigil_core::vault::MIN_KDF_ITERATIONS));
}

/// A duress unlock is the first unlock after the update: both files are upgraded, as a
/// real unlock would leave them, so their versions do not tell which vault was opened.
#[test]
fn a_first_duress_unlock_upgrades_both_files_like_a_real_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = copy_fixture(dir.path());
    let aux = dir.path().join("vault.db-aux");
    drop(unlock(&path, DURESS));
    let after_duress = (pragma(&path, "user_version"), pragma(&aux, "user_version"));

    let dir = tempfile::tempdir().unwrap();
    let path = copy_fixture(dir.path());
    let aux = dir.path().join("vault.db-aux");
    drop(unlock(&path, PASSPHRASE));
    let after_real = (pragma(&path, "user_version"), pragma(&aux, "user_version"));

    assert!(after_real.0 > OLD_VERSION);
    assert_eq!(after_real.0, after_real.1);
    assert_eq!(after_duress, after_real);
}

/// The first byte of every body of `table`: the record format of each row.
fn record_formats(path: &Path, table: &str) -> Vec<u8> {
    let conn = Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare(&format!("SELECT body FROM {table} ORDER BY id"))
        .unwrap();
    let rows = stmt
        .query_map([], |r| r.get::<_, Vec<u8>>(0))
        .unwrap()
        .map(|b| b.unwrap()[0])
        .collect();
    rows
}

const BULK_TABLES: [&str; 4] = [
    "bookings",
    "screening_notes",
    "screening_alerts",
    "directory_chunks",
];

/// Schema version 12 re-seals the bulk tables from JSON (record format 1) into the compact
/// format 2, in the real vault and in the decoy; a failure in the middle (here: the last
/// table refuses the update, as a crash would stop it) leaves every row as it was and
/// readable, and the next unlock completes it.
#[test]
fn json_records_are_resealed_compact_and_an_interrupted_migration_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = copy_fixture(dir.path());
    let aux = dir.path().join("vault.db-aux");
    for table in BULK_TABLES {
        let formats = record_formats(&path, table);
        assert!(!formats.is_empty(), "{table} has rows in the fixture");
        assert!(formats.iter().all(|f| *f == 1), "{table} is JSON before");
    }
    let size_before: usize = BULK_TABLES
        .iter()
        .map(|t| {
            Connection::open(&path)
                .unwrap()
                .query_row(&format!("SELECT sum(length(body)) FROM {t}"), [], |r| {
                    r.get::<_, i64>(0)
                })
                .unwrap() as usize
        })
        .sum();

    // Interrupted: the alerts (re-sealed last) refuse, after bookings and the directory
    // were re-sealed inside the same transaction.
    Connection::open(&path)
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER interrupt BEFORE UPDATE ON screening_alerts
             BEGIN SELECT RAISE(ABORT, 'interrupted'); END;",
        )
        .unwrap();
    assert!(Vault::open(&path)
        .unwrap()
        .unlock_at(PASSPHRASE, Some(DEVICE_SECRET), at(21, 30))
        .is_err());
    for table in BULK_TABLES {
        assert!(
            record_formats(&path, table).iter().all(|f| *f == 1),
            "{table} untouched after the interruption"
        );
    }
    Connection::open(&path)
        .unwrap()
        .execute_batch("DROP TRIGGER interrupt;")
        .unwrap();

    // The next unlock re-seals everything, and every record reads back.
    let session = unlock(&path, PASSPHRASE);
    assert_everything_is_there(&session);
    drop(session);
    for table in BULK_TABLES {
        assert!(
            record_formats(&path, table).iter().all(|f| *f == 2),
            "{table} re-sealed"
        );
    }
    let size_after: usize = BULK_TABLES
        .iter()
        .map(|t| {
            Connection::open(&path)
                .unwrap()
                .query_row(&format!("SELECT sum(length(body)) FROM {t}"), [], |r| {
                    r.get::<_, i64>(0)
                })
                .unwrap() as usize
        })
        .sum();
    assert!(size_after < size_before, "{size_after} < {size_before}");
    // The decoy was brought along (its rows, where it has any, are compact too).
    for table in BULK_TABLES {
        assert!(record_formats(&aux, table).iter().all(|f| *f == 2));
    }
    let decoy = unlock(&path, DURESS);
    assert!(decoy
        .bookings()
        .list(TimeRange::default())
        .unwrap()
        .unreadable
        .is_empty());
    drop(decoy);
    // And it keeps opening, with nothing left to do.
    let session = unlock(&path, PASSPHRASE);
    assert_everything_is_there(&session);
}
