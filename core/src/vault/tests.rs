use super::*;
use crate::bookings::{BookingDraft, BookingKind};
use crate::Error;
use chrono::TimeZone;
use rusqlite::params;

fn fast() -> VaultOptions {
    VaultOptions {
        kdf_iterations: MIN_KDF_ITERATIONS,
        device_secret: None,
    }
}

fn t0() -> crate::clock::Timestamp {
    chrono::Utc
        .with_ymd_and_hms(2026, 11, 28, 20, 0, 0)
        .unwrap()
}

#[test]
fn destroying_the_key_slots_alone_makes_the_data_unreadable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    let session = Vault::create(&path, "pass phrase", &fast()).unwrap();
    session
        .bookings()
        .add(BookingDraft::new("A", t0(), 60, BookingKind::Incall), t0())
        .unwrap();
    // The first half of a panic wipe, as if the phone died before the files went.
    slots::shred_file(session.path()).unwrap();
    drop(session);
    assert!(path.exists());
    let err = Vault::open(&path).unwrap_err();
    assert!(matches!(err, Error::CorruptHeader(_)), "{err:?}");
    // And the half-wiped vault can still be wiped.
    Vault::wipe(&path).unwrap();
    assert!(!path.exists());
}

#[test]
fn record_blobs_are_bound_to_their_table() {
    let dir = tempfile::tempdir().unwrap();
    let session = Vault::create(dir.path().join("v.db"), "p", &fast()).unwrap();
    let id = session.new_id().unwrap();
    let blob = session.seal("bookings", &id, &"secret").unwrap();
    assert_eq!(
        session.open::<String>("bookings", &id, &blob).unwrap(),
        "secret"
    );
    assert!(matches!(
        session.open::<String>("notes", &id, &blob),
        Err(Error::Tampered)
    ));
    let other = session.new_id().unwrap();
    assert!(matches!(
        session.open::<String>("bookings", &other, &blob),
        Err(Error::Tampered)
    ));
}

#[test]
fn escalation_sealing_is_separate_from_the_vault_key() {
    let dir = tempfile::tempdir().unwrap();
    let session = Vault::create(dir.path().join("v.db"), "p", &fast()).unwrap();
    let id = session.new_id().unwrap();
    let esc = SecretKey::from_bytes([9; keys::KEY_LEN]);
    let blob = seal_under(&esc, "t", &id, &42u32).unwrap();
    assert_eq!(open_under::<u32>(&esc, "t", &id, &blob).unwrap(), 42);
    // Neither key opens the other's blobs (the key id byte differs too).
    assert!(matches!(
        session.open::<u32>("t", &id, &blob),
        Err(Error::Tampered)
    ));
    let sealed = session.seal("t", &id, &42u32).unwrap();
    assert!(matches!(
        open_under::<u32>(&esc, "t", &id, &sealed),
        Err(Error::Tampered)
    ));
}

#[test]
fn the_slot_file_has_one_size_and_the_database_holds_no_slot() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    let mut session = Vault::create(&path, "p", &fast()).unwrap();
    let keys = slots::file_path(&path);
    let inode =
        |p: &std::path::Path| std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(p).unwrap());
    let before = inode(&keys);
    assert_eq!(
        std::fs::metadata(&keys).unwrap().len(),
        slots::FILE_LEN as u64
    );
    let rows: i64 = session
        .conn()
        .query_row("SELECT count(*) FROM key_slots", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 0);
    session
        .set_duress("p", "d", DuressOptions::default(), None, t0())
        .unwrap();
    session.change_passphrase("p", "q", None).unwrap();
    session.clear_duress().unwrap();
    // Written in place: same size, same inode, whatever was done to the slots.
    assert_eq!(
        std::fs::metadata(&keys).unwrap().len(),
        slots::FILE_LEN as u64
    );
    assert_eq!(inode(&keys), before);
    drop(session);
    Vault::open(&path).unwrap().unlock("q", None).unwrap();
}

/// Puts a vault back into the layout of the first release: slots in the `key_slots`
/// table, no slot file.
fn into_legacy_layout(path: &std::path::Path) {
    let wrapped = slots::read_all(path).unwrap().unwrap();
    let conn = storage::connect(path, false).unwrap();
    for (slot, bytes) in (0u32..).zip(&wrapped) {
        conn.execute(
            "INSERT INTO key_slots (slot, wrapped) VALUES (?1, ?2)",
            params![slot, bytes],
        )
        .unwrap();
    }
    std::fs::remove_file(slots::file_path(path)).unwrap();
}

#[test]
fn an_old_vault_with_slots_in_the_database_opens_and_is_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    let session = Vault::create(&path, "pass phrase", &fast()).unwrap();
    session
        .bookings()
        .add(BookingDraft::new("A", t0(), 60, BookingKind::Incall), t0())
        .unwrap();
    drop(session);
    into_legacy_layout(&path);
    assert!(!slots::file_path(&path).exists());

    let session = Vault::open(&path)
        .unwrap()
        .unlock("pass phrase", None)
        .unwrap();
    assert_eq!(
        session
            .bookings()
            .list(Default::default())
            .unwrap()
            .items
            .len(),
        1
    );
    assert!(slots::file_path(&path).exists());
    let rows: i64 = session
        .conn()
        .query_row("SELECT count(*) FROM key_slots", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 0, "the rows are gone once the slots moved");
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    assert_eq!(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0), 0);
    drop(session);
    // And it keeps opening from the slot file.
    Vault::open(&path)
        .unwrap()
        .unlock("pass phrase", None)
        .unwrap();
}

#[test]
fn an_old_vault_can_be_wiped_without_being_opened_first() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    drop(Vault::create(&path, "pass phrase", &fast()).unwrap());
    into_legacy_layout(&path);
    Vault::wipe(&path).unwrap();
    assert!(crate::vault::storage::companion_files(&path)
        .iter()
        .chain([&path])
        .all(|f| !f.exists()));
}

#[test]
fn an_interrupted_creation_leaves_no_vault_and_the_next_one_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    // What a creation killed at different points leaves: the files under the temporary
    // name (one finished, so with a real slot file), and a slot file and auxiliary
    // database already renamed.
    let building = storage::creating_path(&path);
    drop(Vault::create(&building, "x", &fast()).unwrap());
    std::fs::copy(slots::file_path(&building), slots::file_path(&path)).unwrap();
    std::fs::copy(storage::aux_path(&building), storage::aux_path(&path)).unwrap();
    assert!(matches!(Vault::open(&path), Err(Error::VaultNotFound)));
    assert!(!Vault::probe(&path).unwrap());

    let session = Vault::create(&path, "pass phrase", &fast()).unwrap();
    drop(session);
    Vault::open(&path)
        .unwrap()
        .unlock("pass phrase", None)
        .unwrap();
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains("-creating")), "{names:?}");
}

#[test]
fn wipe_refuses_a_file_that_is_not_a_vault() {
    let dir = tempfile::tempdir().unwrap();
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, b"not a vault").unwrap();
    assert!(matches!(Vault::wipe(&notes), Err(Error::NotAVault)));
    assert_eq!(std::fs::read(&notes).unwrap(), b"not a vault");
    // An ordinary SQLite database is not a vault either, and is left as it was.
    let db = dir.path().join("other.db");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch("CREATE TABLE t (a); INSERT INTO t VALUES (1);")
        .unwrap();
    drop(conn);
    let before = std::fs::read(&db).unwrap();
    assert!(matches!(Vault::wipe(&db), Err(Error::NotAVault)));
    assert_eq!(std::fs::read(&db).unwrap(), before);
    let empty = dir.path().join("empty");
    std::fs::write(&empty, b"").unwrap();
    assert!(matches!(Vault::wipe(&empty), Err(Error::NotAVault)));
    assert!(empty.exists());
    // No file at all: nothing to do, not an error.
    Vault::wipe(dir.path().join("absent.db")).unwrap();
}

#[test]
fn a_move_of_the_slots_stopped_mid_write_is_redone_from_the_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    drop(Vault::create(&path, "pass phrase", &fast()).unwrap());
    into_legacy_layout(&path);
    // The slot file was being written when the app died: too short, rows still there.
    std::fs::write(slots::file_path(&path), b"VIGILKS").unwrap();
    Vault::open(&path)
        .unwrap()
        .unlock("pass phrase", None)
        .unwrap();
    assert_eq!(
        std::fs::metadata(slots::file_path(&path)).unwrap().len(),
        slots::FILE_LEN as u64
    );
}
