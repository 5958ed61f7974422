//! Coercion resistance: the duress passphrase and its decoy, the unlock attempt limit, and
//! the panic wipe with a cancel window.

mod common;

use chrono::Duration;
use common::*;
use rusqlite::Connection;
use vigil_core::app::VaultHome;
use vigil_core::bookings::{BookingDraft, BookingKind, TimeRange};
use vigil_core::checkin::{
    ActionKind, BackgroundRunner, BuddyDraft, Channel, EscalationKey, Outcome,
};
use vigil_core::vault::{DuressOptions, Vault, WipeState};
use vigil_core::Error;

const DEVICE: &[u8] = b"device secret from the keystore!";

/// A trusted publisher and a signed directory with an everyday service and a sex work
/// project, imported into `session`.
fn import_directory(
    session: &vigil_core::vault::Session,
    publisher: &vigil_core::feeds::PublisherKey,
) {
    use vigil_core::directory::{build_directory_bundle, Category, DirectoryContent, Service};
    let mut pharmacy = Service::new(
        "p:1",
        "Corner Pharmacy",
        &[Category::Pharmacy],
        51.51,
        -0.12,
    );
    pharmacy.opening_hours = Some("24/7".into());
    let project = Service::new(
        "p:2",
        "Sex Work Outreach",
        &[Category::SexWorkProject],
        51.52,
        -0.13,
    );
    let content = DirectoryContent::new("Europe/London", vec![pharmacy, project]);
    let bundle = build_directory_bundle(
        publisher,
        &content,
        1,
        at(8, 0),
        at(8, 0) + chrono::Duration::days(30),
    )
    .unwrap();
    if session.feeds().publishers().unwrap().items.is_empty() {
        session
            .feeds()
            .trust("Outreach project", publisher.public_key(), at(8, 0))
            .unwrap();
    }
    session
        .directory()
        .accept_bundle(bundle.as_slice(), at(9, 0))
        .unwrap();
    // What `App::import_bundle` does after a directory import: the duress layer keeps the
    // decoy's everyday services in step.
    vigil_core::app::decoy::refresh_decoy_directory(session, at(9, 0)).unwrap();
}

fn publisher_key() -> vigil_core::feeds::PublisherKey {
    let (pkcs8, _) =
        vigil_core::feeds::generate_publisher_key(&ring::rand::SystemRandom::new()).unwrap();
    vigil_core::feeds::PublisherKey::from_pkcs8(&pkcs8).unwrap()
}

fn key() -> EscalationKey {
    EscalationKey::from_device_secret(DEVICE).unwrap()
}

/// Adds a buddy and sets check-in codes; returns the buddy's id.
fn with_buddy(session: &vigil_core::vault::Session) -> vigil_core::vault::RecordId {
    let key = key();
    let checkins = session.checkins(&key);
    checkins.set_codes("4321", "9876").unwrap();
    checkins
        .add_buddy(
            BuddyDraft {
                name: "Ana".into(),
                phone: "07400 123456".into(),
                channel: Channel::Sms,
                language: "en".into(),
                plain_letters: None,
            },
            "GB",
        )
        .unwrap()
        .id
}

fn labels(session: &vigil_core::vault::Session) -> Vec<String> {
    session
        .bookings()
        .list(TimeRange::default())
        .unwrap()
        .items
        .into_iter()
        .map(|b| b.details.client.label)
        .collect()
}

fn real_vault(dir: &std::path::Path) -> (std::path::PathBuf, vigil_core::vault::Session) {
    let (path, session) = new_vault(dir, "real passphrase");
    let mut d = BookingDraft::new("Secret Client Ulysses", at(21, 0), 60, BookingKind::Outcall);
    d.place.address = Some("99 Hidden Road".into());
    session.bookings().add(d, at(20, 0)).unwrap();
    (path, session)
}

#[test]
fn the_duress_passphrase_opens_a_plausible_decoy_through_the_same_api() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut session) = real_vault(dir.path());
    session
        .set_duress(
            "real passphrase",
            "decoy passphrase",
            DuressOptions::default(),
            None,
            at(20, 0),
        )
        .unwrap();
    session.lock();

    let decoy = Vault::open(&path)
        .unwrap()
        .unlock("decoy passphrase", None)
        .unwrap();
    let seen = labels(&decoy);
    assert!(seen.len() >= 3, "a few ordinary bookings: {seen:?}");
    assert!(!seen.iter().any(|l| l.contains("Ulysses")));
    // It is a working vault: writes stay in the decoy.
    decoy
        .bookings()
        .add(
            BookingDraft::new("Yoga class", at(9, 0), 60, BookingKind::Other),
            at(8, 0),
        )
        .unwrap();
    assert_eq!(decoy.path(), path.as_path());
    decoy.lock();

    let real = Vault::open(&path)
        .unwrap()
        .unlock("real passphrase", None)
        .unwrap();
    assert_eq!(labels(&real), vec!["Secret Client Ulysses".to_string()]);
}

#[test]
fn a_destructive_duress_unlock_makes_the_real_data_unrecoverable() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut session) = real_vault(dir.path());
    let options = DuressOptions {
        destroy_real: true,
        alert_buddies: false,
    };
    session
        .set_duress(
            "real passphrase",
            "decoy passphrase",
            options,
            None,
            at(20, 0),
        )
        .unwrap();
    session.lock();
    let decoy = Vault::open(&path)
        .unwrap()
        .unlock("decoy passphrase", None)
        .unwrap();
    assert!(!labels(&decoy).is_empty());
    decoy.lock();
    // The real passphrase now fails exactly like a wrong one...
    assert!(matches!(
        Vault::open(&path).unwrap().unlock("real passphrase", None),
        Err(Error::WrongPassphrase)
    ));
    // ...and the duress passphrase still shows the decoy, again.
    let again = Vault::open(&path)
        .unwrap()
        .unlock("decoy passphrase", None)
        .unwrap();
    assert!(!labels(&again).is_empty());
    // The old key slot is gone from every file (not lingering in the WAL).
    assert_eq!(
        canaries_found(&path, &["Ulysses", "Hidden Road"]),
        Vec::<String>::new()
    );
}

#[test]
fn duress_and_real_passphrases_must_differ() {
    let dir = tempfile::tempdir().unwrap();
    let (_path, mut session) = real_vault(dir.path());
    let err = session
        .set_duress(
            "real passphrase",
            "real passphrase",
            DuressOptions::default(),
            None,
            at(20, 0),
        )
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
    assert!(matches!(
        session.set_duress("wrong", "decoy", DuressOptions::default(), None, at(20, 0)),
        Err(Error::WrongPassphrase)
    ));
    session
        .set_duress(
            "real passphrase",
            "decoy",
            DuressOptions::default(),
            None,
            at(20, 0),
        )
        .unwrap();
    assert!(matches!(
        session.change_passphrase("real passphrase", "decoy", None),
        Err(Error::InvalidInput { .. })
    ));
}

fn file_sizes(path: &std::path::Path) -> Vec<(String, u64)> {
    let mut sizes: Vec<(String, u64)> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| {
            let name = e
                .file_name()
                .to_string_lossy()
                .replace(&*path.file_name().unwrap().to_string_lossy(), "V");
            (name, e.metadata().unwrap().len())
        })
        .collect();
    sizes.sort();
    sizes
}

fn header_shape(path: &std::path::Path) -> Vec<String> {
    let conn = Connection::open(path).unwrap();
    let mut shape: Vec<String> = conn
        .prepare("SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_master ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let slots: Vec<String> = conn
        .prepare("SELECT slot || ':' || length(wrapped) FROM key_slots ORDER BY slot")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    shape.extend(slots);
    for table in ["bookings", "unlock_guard"] {
        let n: i64 = conn
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap();
        shape.push(format!("{table}={n}"));
    }
    shape
}

#[test]
fn vaults_with_and_without_a_duress_passphrase_look_the_same() {
    let plain_dir = tempfile::tempdir().unwrap();
    let duress_dir = tempfile::tempdir().unwrap();
    let (plain, s1) = real_vault(plain_dir.path());
    let (with_duress, mut s2) = real_vault(duress_dir.path());
    // Both have a buddy, check-in codes and a directory; only one has a duress
    // passphrase that alerts.
    let publisher = publisher_key();
    import_directory(&s1, &publisher);
    import_directory(&s2, &publisher);
    with_buddy(&s1);
    let buddy = with_buddy(&s2);
    s2.checkins(&key())
        .prepare_duress_alert(&[buddy], "en", 0)
        .unwrap();
    s2.set_duress(
        "real passphrase",
        "decoy",
        DuressOptions {
            destroy_real: true,
            alert_buddies: true,
        },
        Some(DEVICE),
        at(20, 0),
    )
    .unwrap();
    s1.lock();
    s2.lock();
    assert_eq!(file_modes(&plain), file_modes(&with_duress));
    assert_eq!(file_sizes(&plain), file_sizes(&with_duress));
    assert_eq!(header_shape(&plain), header_shape(&with_duress));
    assert_eq!(
        header_shape(&storage_aux(&plain)),
        header_shape(&storage_aux(&with_duress))
    );
}

/// Every file of the folder, by name (the vault's name replaced), with its permission bits.
fn file_modes(path: &std::path::Path) -> Vec<(String, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let mut modes: Vec<(String, u32)> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| {
            let name = e
                .file_name()
                .to_string_lossy()
                .replace(&*path.file_name().unwrap().to_string_lossy(), "V");
            (name, e.metadata().unwrap().permissions().mode() & 0o777)
        })
        .collect();
    modes.sort();
    modes
}

#[test]
fn setting_a_duress_passphrase_refills_the_aux_file_in_place() {
    use std::os::unix::fs::MetadataExt;
    let plain_dir = tempfile::tempdir().unwrap();
    let duress_dir = tempfile::tempdir().unwrap();
    let (plain, s1) = real_vault(plain_dir.path());
    let (with_duress, mut s2) = real_vault(duress_dir.path());
    // Made by the core itself (whatever the umask): owner-only, main and aux alike.
    for (name, mode) in file_modes(&plain) {
        assert_eq!(mode, 0o600, "{name}");
    }
    let aux = storage_aux(&with_duress);
    let before = std::fs::metadata(&aux).unwrap();
    let main_before = std::fs::metadata(&with_duress).unwrap();
    s2.set_duress(
        "real passphrase",
        "decoy",
        DuressOptions::default(),
        None,
        at(20, 0),
    )
    .unwrap();
    // Set twice: replacing a duress passphrase refills the same file again.
    s2.set_duress(
        "real passphrase",
        "decoy 2",
        DuressOptions::default(),
        None,
        at(20, 30),
    )
    .unwrap();
    s1.lock();
    s2.lock();
    let after = std::fs::metadata(&aux).unwrap();
    assert_eq!(
        (before.dev(), before.ino()),
        (after.dev(), after.ino()),
        "same file"
    );
    assert_eq!(after.mode() & 0o777, 0o600);
    if let (Ok(born), Ok(born_after), Ok(main_born)) =
        (before.created(), after.created(), main_before.created())
    {
        assert_eq!(born, born_after, "birth time unchanged");
        assert!(born >= main_born, "born with the vault, as in every vault");
    }
    assert_eq!(file_modes(&plain), file_modes(&with_duress));
    assert_eq!(file_sizes(&plain), file_sizes(&with_duress));
    let names = |p: &std::path::Path| -> Vec<String> {
        file_sizes(p).into_iter().map(|(n, _)| n).collect()
    };
    assert_eq!(names(&plain), names(&with_duress));
}

#[test]
fn decoy_bookings_look_entered_by_a_person() {
    use chrono::Timelike;
    let dir = tempfile::tempdir().unwrap();
    let (path, mut session) = real_vault(dir.path());
    // A clock with seconds and milliseconds, as a phone's is.
    let now = at(20, 0) + Duration::milliseconds(17_670);
    session
        .set_duress(
            "real passphrase",
            "decoy",
            DuressOptions::default(),
            None,
            now,
        )
        .unwrap();
    session.lock();
    let decoy = Vault::open(&path).unwrap().unlock("decoy", None).unwrap();
    let bookings = decoy.bookings().list(TimeRange::default()).unwrap().items;
    assert!(bookings.len() >= 3, "{bookings:?}");
    let mut created: Vec<_> = bookings.iter().map(|b| b.created_at).collect();
    for b in &bookings {
        let start = b.details.starts_at;
        assert_eq!(
            (start.second(), start.nanosecond(), start.minute() % 15),
            (0, 0, 0),
            "a quarter hour, whole minutes: {start}"
        );
        if let Some(end) = b.details.ends_at {
            assert_eq!((end.second(), end.nanosecond()), (0, 0), "{end}");
        }
        assert!(b.created_at < start, "entered before it happens");
        assert!(b.created_at < now, "entered before now");
        assert!(
            b.created_at.date_naive() < now.date_naive(),
            "on an earlier day"
        );
        assert!(b.updated_at >= b.created_at && b.updated_at <= now);
    }
    created.sort();
    created.dedup();
    assert_eq!(created.len(), bookings.len(), "distinct created_at");
    let days: std::collections::BTreeSet<_> =
        bookings.iter().map(|b| b.created_at.date_naive()).collect();
    assert!(days.len() >= 2, "entered over several days: {days:?}");
}

#[test]
fn a_decoy_session_drives_the_silent_duress_alert_like_the_runner() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut session) = real_vault(dir.path());
    let ana = with_buddy(&session);
    session
        .checkins(&key())
        .prepare_duress_alert(&[ana], "en", 0)
        .unwrap();
    let alert = DuressOptions {
        destroy_real: false,
        alert_buddies: true,
    };
    session
        .set_duress("real passphrase", "decoy", alert, Some(DEVICE), at(20, 0))
        .unwrap();
    session.lock();

    let vault = Vault::open(&path).unwrap();
    // Through the application layer, which runs the duress layer after the unlock.
    let app = VaultHome::new(&path)
        .unlock("decoy", Some(DEVICE), at(22, 0))
        .unwrap();
    let decoy = app.session();
    let escalation = key();
    let checkins = decoy.checkins(&escalation);
    // The shell, unlocked, follows the documented loop: the alarm stays set...
    let wake = checkins.next_wakeup().unwrap();
    assert!(wake.is_some_and(|t| t <= at(22, 0)), "{wake:?}");
    // ...and the tick on waking returns the alert, discreet, with nothing to show.
    let actions = checkins.tick(at(22, 0)).unwrap();
    assert_eq!(actions.len(), 1, "{actions:?}");
    match &actions[0].kind {
        ActionKind::MessageBuddy {
            phone, discreet, ..
        } => {
            assert_eq!(phone, "+447400123456");
            assert!(*discreet);
        }
        other => panic!("{other:?}"),
    }
    // Nothing listed, as after any check-in.
    assert!(checkins.list().unwrap().items.is_empty());
    checkins
        .report_outcome(&actions[0].id, Outcome::Sent, at(22, 1))
        .unwrap();
    // Done for good: neither the session nor the locked runner sends it again until the
    // next repeat, which a buddy's reply stops.
    assert!(checkins.tick(at(22, 1)).unwrap().is_empty());
    let runner = BackgroundRunner::open(&vault, key()).unwrap();
    assert!(runner.tick(at(22, 1)).unwrap().is_empty());
    checkins
        .acknowledge(&actions[0].id.checkin, &ana, at(22, 2))
        .unwrap();
    assert_eq!(checkins.next_wakeup().unwrap(), None);
    assert_eq!(runner.next_wakeup().unwrap(), None);
    assert!(runner.tick(at(23, 0)).unwrap().is_empty());
    assert!(checkins.tick(at(23, 0)).unwrap().is_empty());
}

#[test]
fn a_checkin_armed_in_the_real_vault_behaves_the_same_in_the_decoy() {
    use vigil_core::checkin::{CheckinPlan, MessagePurpose};
    let dir = tempfile::tempdir().unwrap();
    let (path, mut session) = real_vault(dir.path());
    let ana = with_buddy(&session);
    session
        .checkins(&key())
        .prepare_duress_alert(&[ana], "en", 0)
        .unwrap();
    let armed = session
        .checkins(&key())
        .arm(CheckinPlan::new(at(21, 0), vec![ana]), at(20, 0))
        .unwrap();
    session
        .set_duress(
            "real passphrase",
            "decoy",
            DuressOptions::default(),
            None,
            at(20, 0),
        )
        .unwrap();
    session.lock();
    let vault = Vault::open(&path).unwrap();
    let decoy = vault.unlock_at("decoy", Some(DEVICE), at(20, 10)).unwrap();
    let escalation = key();
    let checkins = decoy.checkins(&escalation);
    // What the lock screen shows, the app shows.
    let runner = BackgroundRunner::open(&vault, key()).unwrap();
    let listed: Vec<_> = checkins
        .list()
        .unwrap()
        .items
        .iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(listed, vec![armed.id]);
    assert_eq!(runner.list().unwrap().items.len(), 1);
    assert!(checkins.codes_set().unwrap());
    assert_eq!(
        checkins.next_wakeup().unwrap(),
        runner.next_wakeup().unwrap()
    );
    // Choosing duress-unlock buddies inside the decoy keeps the real ones.
    assert!(checkins.duress_alert_prepared().unwrap());
    checkins.clear_duress_alert().unwrap();
    assert!(checkins.duress_alert_prepared().unwrap());
    // The duress code, entered in the decoy, ends it like anywhere else and alerts.
    checkins.check_in("9876", at(20, 15)).unwrap();
    assert!(checkins.list().unwrap().items.is_empty());
    let actions = checkins.tick(at(20, 15)).unwrap();
    assert_eq!(actions.len(), 1, "{actions:?}");
    assert!(matches!(
        actions[0].kind,
        ActionKind::MessageBuddy {
            purpose: MessagePurpose::Duress,
            discreet: true,
            ..
        }
    ));
    runner
        .report_outcome(&actions[0].id, Outcome::Sent, at(20, 16))
        .unwrap();
    assert!(checkins.tick(at(20, 16)).unwrap().is_empty());
}

fn storage_aux(path: &std::path::Path) -> std::path::PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push("-aux");
    p.into()
}

#[test]
fn the_unlock_limit_wipes_after_n_wrong_passphrases_and_survives_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let (path, session) = real_vault(dir.path());
    session.set_unlock_limit(Some(3), DEVICE).unwrap();
    session.lock();
    let vault = Vault::open(&path).unwrap();
    assert!(matches!(
        vault.unlock("nope", None),
        Err(Error::DeviceSecretRequired)
    ));
    assert!(matches!(
        vault.unlock("nope 1", Some(DEVICE)),
        Err(Error::WrongPassphrase)
    ));
    // A right passphrase resets the count.
    vault
        .unlock("real passphrase", Some(DEVICE))
        .unwrap()
        .lock();
    assert!(matches!(
        vault.unlock("nope 1", Some(DEVICE)),
        Err(Error::WrongPassphrase)
    ));
    // "Restart": a fresh handle on the file keeps counting.
    let vault = Vault::open(&path).unwrap();
    assert!(matches!(
        vault.unlock("nope 2", Some(DEVICE)),
        Err(Error::WrongPassphrase)
    ));
    assert!(matches!(
        vault.unlock("nope 3", Some(DEVICE)),
        Err(Error::WipedAfterFailedAttempts)
    ));
    assert!(vault_files(&path).iter().all(|f| !f.exists()));
    assert!(matches!(Vault::open(&path), Err(Error::VaultNotFound)));
}

#[test]
fn a_tampered_attempt_counter_fails_closed() {
    let dir = tempfile::tempdir().unwrap();
    let (path, session) = real_vault(dir.path());
    session.set_unlock_limit(Some(5), DEVICE).unwrap();
    session.lock();
    assert!(Vault::open(&path)
        .unwrap()
        .unlock("bad", Some(DEVICE))
        .is_err());
    // Resetting the counter by editing the row: flip a byte, or delete and re-insert junk.
    let conn = Connection::open(&path).unwrap();
    conn.execute(
        "UPDATE unlock_guard SET state = zeroblob(length(state))",
        [],
    )
    .unwrap();
    drop(conn);
    assert!(matches!(
        Vault::open(&path)
            .unwrap()
            .unlock("real passphrase", Some(DEVICE)),
        Err(Error::AttemptCounterTampered)
    ));
    // A counter from another vault (another salt) does not fit either.
    let other_dir = tempfile::tempdir().unwrap();
    let (other, s) = real_vault(other_dir.path());
    s.set_unlock_limit(Some(100), DEVICE).unwrap();
    s.lock();
    let state: Vec<u8> = Connection::open(&other)
        .unwrap()
        .query_row("SELECT state FROM unlock_guard", [], |r| r.get(0))
        .unwrap();
    Connection::open(&path)
        .unwrap()
        .execute("UPDATE unlock_guard SET state = ?1", [state])
        .unwrap();
    assert!(matches!(
        Vault::open(&path)
            .unwrap()
            .unlock("real passphrase", Some(DEVICE)),
        Err(Error::AttemptCounterTampered)
    ));
    // The wrong device secret cannot read the counter either.
    assert!(matches!(
        Vault::open(&other)
            .unwrap()
            .unlock("real passphrase", Some(b"another device")),
        Err(Error::AttemptCounterTampered)
    ));
}

#[test]
fn a_wipe_with_a_cancel_window_can_be_cancelled_and_otherwise_wipes() {
    let dir = tempfile::tempdir().unwrap();
    let (path, session) = real_vault(dir.path());
    session.lock();
    let mut pending = Vault::wipe_after(&path, at(12, 0), Duration::seconds(5));
    assert_eq!(pending.poll(at(12, 0)).unwrap(), WipeState::Pending);
    assert_eq!(pending.cancel(), WipeState::Cancelled);
    assert_eq!(pending.poll(at(13, 0)).unwrap(), WipeState::Cancelled);
    let session = Vault::open(&path)
        .unwrap()
        .unlock("real passphrase", None)
        .unwrap();
    assert_eq!(labels(&session), vec!["Secret Client Ulysses".to_string()]);
    session.lock();

    let mut pending = Vault::wipe_after(&path, at(12, 0), Duration::seconds(5));
    assert_eq!(
        pending.poll(at(12, 0) + Duration::seconds(5)).unwrap(),
        WipeState::Done
    );
    assert_eq!(pending.cancel(), WipeState::Done, "too late to cancel");
    assert!(vault_files(&path).iter().all(|f| !f.exists()));
    let aux = storage_aux(&path);
    assert!(
        vault_files(&aux).iter().all(|f| !f.exists()),
        "the decoy goes too"
    );
}

#[test]
fn a_duress_unlock_silently_alerts_the_chosen_buddies_while_the_real_vault_stays_locked() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut session) = real_vault(dir.path());
    let ana = with_buddy(&session);
    let alert = DuressOptions {
        destroy_real: false,
        alert_buddies: true,
    };
    // Refused until the buddies are chosen, and without the device secret.
    assert!(matches!(
        session.set_duress("real passphrase", "decoy", alert, Some(DEVICE), at(20, 0)),
        Err(Error::InvalidInput { .. })
    ));
    session
        .checkins(&key())
        .prepare_duress_alert(&[ana], "en", 0)
        .unwrap();
    assert!(matches!(
        session.set_duress("real passphrase", "decoy", alert, None, at(20, 0)),
        Err(Error::DeviceSecretRequired)
    ));
    session
        .set_duress("real passphrase", "decoy", alert, Some(DEVICE), at(20, 0))
        .unwrap();
    session.lock();

    let vault = Vault::open(&path).unwrap();
    // The vault alone only opens the decoy slot: no alert is queued by `Vault::unlock`.
    let bare = vault.unlock_at("decoy", Some(DEVICE), at(21, 0)).unwrap();
    drop(bare);
    assert!(BackgroundRunner::open(&vault, key())
        .unwrap()
        .tick(at(22, 0))
        .unwrap()
        .is_empty());
    // The application layer's unlock runs the duress layer, which queues it.
    let app = VaultHome::new(&path)
        .unlock("decoy", Some(DEVICE), at(22, 0))
        .unwrap();
    let decoy = app.session();
    assert!(!labels(decoy).iter().any(|l| l.contains("Ulysses")));
    // The decoy shows no check-in and no buddy.
    assert!(decoy.checkins(&key()).list().unwrap().items.is_empty());
    assert!(decoy.checkins(&key()).buddies().unwrap().items.is_empty());

    // The background runner, with the device secret only, sends the silent alert.
    let runner = BackgroundRunner::open(&vault, key()).unwrap();
    let actions = runner.tick(at(22, 0)).unwrap();
    let texts: Vec<(String, bool)> = actions
        .iter()
        .filter_map(|a| match &a.kind {
            ActionKind::MessageBuddy {
                phone,
                discreet,
                text,
                ..
            } => {
                assert_eq!(phone, "+447400123456");
                Some((text.clone(), *discreet))
            }
            _ => None,
        })
        .collect();
    assert_eq!(texts.len(), 1, "{actions:?}");
    assert!(texts[0].1, "sent discreetly");
    assert!(texts[0].0.contains("I am NOT safe"), "{}", texts[0].0);
    assert!(
        !actions
            .iter()
            .any(|a| matches!(a.kind, ActionKind::NotifyWorker { .. })),
        "nothing shows on the worker's screen"
    );
}

#[test]
fn the_decoy_shows_everyday_services_only_under_a_neutral_name() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut session) = real_vault(dir.path());
    import_directory(&session, &publisher_key());
    session
        .set_duress(
            "real passphrase",
            "decoy",
            DuressOptions::default(),
            None,
            at(20, 0),
        )
        .unwrap();
    session.lock();
    let decoy = Vault::open(&path).unwrap().unlock("decoy", None).unwrap();
    let loaded = decoy.directory().load().unwrap();
    let services: Vec<(String, String)> = loaded
        .index
        .services()
        .map(|(p, s)| (p.to_string(), s.name.clone()))
        .collect();
    assert_eq!(
        services,
        vec![(
            "Local health services 1".to_string(),
            "Corner Pharmacy".to_string()
        )]
    );
    assert!(decoy
        .feeds()
        .publishers()
        .unwrap()
        .items
        .iter()
        .all(|p| !p.name.contains("Outreach")));
}
