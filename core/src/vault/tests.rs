use super::*;
use crate::bookings::{BookingDraft, BookingKind};
use chrono::TimeZone;

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
    slots::destroy_all(session.conn()).unwrap();
    drop(session);
    assert!(path.exists());
    let err = Vault::open(&path)
        .unwrap()
        .unlock("pass phrase", None)
        .unwrap_err();
    assert!(matches!(err, Error::WrongPassphrase), "{err:?}");
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
fn every_vault_has_the_same_number_of_equally_sized_key_slots() {
    let dir = tempfile::tempdir().unwrap();
    let session = Vault::create(dir.path().join("v.db"), "p", &fast()).unwrap();
    let lens: Vec<i64> = session
        .conn()
        .prepare("SELECT length(wrapped) FROM key_slots ORDER BY slot")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(lens, vec![slots::WRAPPED_LEN as i64; KEY_SLOTS as usize]);
}
