//! The application layer (`vigil_core::app`): the rules the shells used to hold.

mod common;

use chrono::Duration;
use common::*;
use vigil_core::app::{
    BuddyRef, Imported, NoteDefaults, SearchBy, Settings, VaultHome, MAX_RADIUS_KM,
};
use vigil_core::checkin::{ActionKind, BuddyDraft, Channel, EscalationKey};
use vigil_core::directory::{
    build_directory_bundle, Category, DirectoryContent, NearbyQuery, Service,
};
use vigil_core::export::age::{Identity, Recipient};
use vigil_core::feeds::{sign_bundle, BundleDraft, BundleKind, PublisherKey};
use vigil_core::screening::{IdentifierKind, Risk};
use vigil_core::vault::{DuressOptions, Vault, WipeState, MIN_KDF_ITERATIONS};
use vigil_core::Error;

const DEVICE: &[u8] = b"device secret from the keystore!";
const PASS: &str = "real passphrase";

fn home(dir: &std::path::Path) -> VaultHome {
    VaultHome::new(dir.join("vault.db"))
}

fn created(dir: &std::path::Path) -> (VaultHome, vigil_core::app::App) {
    let home = home(dir);
    let app = home.create(PASS, Some(DEVICE), MIN_KDF_ITERATIONS).unwrap();
    (home, app)
}

fn add_ana(app: &vigil_core::app::App) -> vigil_core::vault::RecordId {
    app.checkins().unwrap().set_codes("4321", "9876").unwrap();
    app.add_buddy(BuddyDraft {
        name: "Ana".into(),
        phone: "07400 123456".into(),
        channel: Channel::Sms,
        language: "en".into(),
        plain_letters: None,
    })
    .unwrap()
    .id
}

fn publisher() -> PublisherKey {
    let (pkcs8, _) =
        vigil_core::feeds::generate_publisher_key(&ring::rand::SystemRandom::new()).unwrap();
    PublisherKey::from_pkcs8(&pkcs8).unwrap()
}

fn directory_bundle(key: &PublisherKey) -> Vec<u8> {
    let mut pharmacy = Service::new(
        "p:1",
        "Corner Pharmacy",
        &[Category::Pharmacy],
        51.51,
        -0.12,
    );
    pharmacy.postcode = Some("SW1A 1AA".into());
    let content = DirectoryContent::new("Europe/London", vec![pharmacy]);
    build_directory_bundle(key, &content, 1, at(8, 0), at(8, 0) + Duration::days(30)).unwrap()
}

fn alerts_bundle(key: &PublisherKey) -> Vec<u8> {
    sign_bundle(
        key,
        &BundleDraft {
            kind: BundleKind::Alerts,
            version: 1,
            issued_at: at(8, 0),
            expires_at: at(8, 0) + Duration::days(14),
            content: b"{\"format\":1,\"region\":\"GB\"}\n",
        },
    )
    .unwrap()
}

#[test]
fn settings_have_defaults_are_checked_and_persist_across_lock_and_unlock() {
    let dir = tempfile::tempdir().unwrap();
    let (home, app) = created(dir.path());
    assert_eq!(app.settings().unwrap(), Settings::default());
    assert_eq!(app.settings().unwrap().region, "GB");
    let chosen = Settings {
        region: "RO".into(),
        worker_languages: vec!["ro".into(), "en".into()],
        utc_offset_minutes: Some(120),
        idle_lock_minutes: 10,
    };
    app.set_settings(&chosen).unwrap();
    // Invalid settings are refused whole: nothing changes.
    for bad in [
        Settings {
            region: "XX".into(),
            ..chosen.clone()
        },
        Settings {
            worker_languages: vec![],
            ..chosen.clone()
        },
        Settings {
            utc_offset_minutes: Some(15 * 60),
            ..chosen.clone()
        },
        Settings {
            idle_lock_minutes: 0,
            ..chosen.clone()
        },
    ] {
        assert!(
            matches!(app.set_settings(&bad), Err(Error::InvalidInput { .. })),
            "{bad:?}"
        );
    }
    app.lock();
    let again = home.unlock(PASS, Some(DEVICE), at(9, 0)).unwrap();
    assert_eq!(again.settings().unwrap(), chosen);
    assert_eq!(again.utc_offset_minutes().unwrap(), 120);
    assert_eq!(again.region().unwrap().code(), "RO");
}

#[test]
fn without_a_stored_offset_the_device_offset_is_used() {
    let dir = tempfile::tempdir().unwrap();
    let (_home, mut app) = created(dir.path());
    assert_eq!(app.utc_offset_minutes().unwrap(), 0);
    app.set_device_utc_offset(-300).unwrap();
    assert_eq!(app.utc_offset_minutes().unwrap(), -300);
    assert!(app.set_device_utc_offset(i32::MAX).is_err());
}

/// The duress-unlock alert is written with the worker's stored UTC offset (the bindings
/// used to pass 0, so buddies read UTC).
#[test]
fn the_duress_alert_uses_the_stored_utc_offset() {
    let dir = tempfile::tempdir().unwrap();
    let (home, mut app) = created(dir.path());
    add_ana(&app);
    app.set_settings(&Settings {
        utc_offset_minutes: Some(120),
        ..Settings::default()
    })
    .unwrap();
    let alert = DuressOptions {
        destroy_real: false,
        alert_buddies: true,
    };
    app.set_duress(
        PASS,
        "decoy",
        alert,
        &[BuddyRef::Name("ana".into())],
        at(20, 0),
    )
    .unwrap();
    app.lock();
    let _decoy = home.unlock("decoy", Some(DEVICE), at(22, 0)).unwrap();
    let runner = home.runner(DEVICE).unwrap();
    let texts: Vec<String> = runner
        .tick(at(22, 0))
        .unwrap()
        .into_iter()
        .filter_map(|a| match a.kind {
            ActionKind::MessageBuddy { text, .. } => Some(text),
            _ => None,
        })
        .collect();
    assert_eq!(texts.len(), 1);
    assert!(texts[0].contains("I am NOT safe"), "{}", texts[0]);
    // 22:00 UTC is 00:00 at UTC+2.
    assert!(texts[0].contains("00:00"), "{}", texts[0]);
    assert!(!texts[0].contains("22:00"), "{}", texts[0]);
}

#[test]
fn clearing_the_duress_passphrase_clears_the_buddy_alert() {
    let dir = tempfile::tempdir().unwrap();
    let (home, mut app) = created(dir.path());
    add_ana(&app);
    let alert = DuressOptions {
        destroy_real: false,
        alert_buddies: true,
    };
    app.set_duress(PASS, "decoy", alert, &[], at(20, 0))
        .unwrap();
    assert!(app.checkins().unwrap().duress_alert_prepared().unwrap());
    app.clear_duress().unwrap();
    assert!(!app.checkins().unwrap().duress_alert_prepared().unwrap());
    app.lock();
    // The old duress passphrase opens nothing, and nothing is queued.
    assert!(matches!(
        home.unlock("decoy", Some(DEVICE), at(22, 0)),
        Err(Error::WrongPassphrase)
    ));
    assert!(home
        .runner(DEVICE)
        .unwrap()
        .tick(at(22, 0))
        .unwrap()
        .is_empty());
}

#[test]
fn a_bundle_of_either_kind_goes_to_its_importer_and_refreshes_the_directory_cache() {
    let dir = tempfile::tempdir().unwrap();
    let (_home, app) = created(dir.path());
    let key = publisher();
    app.session()
        .feeds()
        .trust("Project", key.public_key(), at(8, 0))
        .unwrap();
    assert!(app.directory().unwrap().index.is_empty());
    match app
        .import_bundle(&directory_bundle(&key), at(9, 0))
        .unwrap()
    {
        Imported::Directory(d) => assert_eq!(d.imported.services, 1),
        other => panic!("{other:?}"),
    }
    // The cached (empty) directory was dropped: the import shows at once.
    assert!(!app.directory().unwrap().index.is_empty());
    match app.import_bundle(&alerts_bundle(&key), at(9, 0)).unwrap() {
        Imported::Alerts(a) => assert_eq!(a.imported.imported, 0),
        other => panic!("{other:?}"),
    }
    // Not a bundle: refused, nothing stored.
    assert!(app.import_bundle(b"not a bundle", at(9, 0)).is_err());
}

#[test]
fn a_search_by_name_falls_back_to_the_postcode_and_the_radius_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let (_home, app) = created(dir.path());
    let key = publisher();
    app.session()
        .feeds()
        .trust("Project", key.public_key(), at(8, 0))
        .unwrap();
    app.import_bundle(&directory_bundle(&key), at(9, 0))
        .unwrap();
    let names = |found: Vec<vigil_core::app::FoundService>| -> Vec<String> {
        found.into_iter().map(|f| f.service.name).collect()
    };
    assert!(app
        .search_services("SW1A", SearchBy::Name, 5, at(10, 0))
        .unwrap()
        .is_empty());
    assert_eq!(
        names(
            app.search_services("SW1A", SearchBy::Auto, 5, at(10, 0))
                .unwrap()
        ),
        ["Corner Pharmacy"]
    );
    assert_eq!(
        names(
            app.search_services("corner", SearchBy::Auto, 5, at(10, 0))
                .unwrap()
        ),
        ["Corner Pharmacy"]
    );
    let near =
        |km: f64| app.services_near(&NearbyQuery::new(51.5, -0.1, km * 1000.0, 5, at(10, 0)));
    assert_eq!(near(MAX_RADIUS_KM).unwrap().services.len(), 1);
    for bad in [MAX_RADIUS_KM + 1.0, 0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert!(
            matches!(near(bad), Err(Error::InvalidInput { .. })),
            "{bad}"
        );
    }
}

#[test]
fn export_to_file_is_atomic_and_private() {
    let dir = tempfile::tempdir().unwrap();
    let (_home, app) = created(dir.path());
    app.session()
        .bookings()
        .add(
            vigil_core::bookings::BookingDraft::new(
                "Someone",
                at(21, 0),
                60,
                vigil_core::bookings::BookingKind::Incall,
            ),
            at(20, 0),
        )
        .unwrap();
    let out = dir.path().join("backup.age");
    std::fs::write(&out, b"the previous export").unwrap();
    // A failing export (no recipient) leaves the previous file whole and no temporary file.
    assert!(app.export_to_file(&out, &[], at(20, 0)).is_err());
    assert_eq!(std::fs::read(&out).unwrap(), b"the previous export");
    assert!(!vigil_core::app::export_file_tmp_path(&out).exists());
    let report = app
        .export_to_file(&out, &[Recipient::passphrase("export pass")], at(20, 0))
        .unwrap();
    assert!(report.unreadable.is_empty());
    assert!(!vigil_core::app::export_file_tmp_path(&out).exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // It restores into a new vault.
    let other = tempfile::tempdir().unwrap();
    let (_h, fresh) = created(other.path());
    let (fresh, restored) = fresh
        .restore_into_new(
            std::fs::File::open(&out).unwrap(),
            &[Identity::passphrase("export pass")],
            at(21, 0),
        )
        .unwrap();
    assert!(restored.sections.iter().any(|s| s.inserted > 0));
    assert_eq!(
        fresh
            .session()
            .bookings()
            .list(Default::default())
            .unwrap()
            .items
            .len(),
        1
    );
}

#[test]
fn a_failed_restore_into_a_new_vault_leaves_no_vault() {
    let dir = tempfile::tempdir().unwrap();
    let (home, app) = created(dir.path());
    assert!(home.exists().unwrap());
    let result = app.restore_into_new(
        &b"age-encryption.org/v1\nnot really\n"[..],
        &[Identity::passphrase("export pass")],
        at(21, 0),
    );
    assert!(result.is_err());
    assert!(!home.exists().unwrap(), "the new vault was wiped");
    assert!(!Vault::probe(home.path()).unwrap());
}

#[test]
fn a_restore_into_an_existing_vault_that_fails_keeps_the_vault() {
    let dir = tempfile::tempdir().unwrap();
    let (home, app) = created(dir.path());
    assert!(app
        .restore(&b"garbage"[..], &[Identity::passphrase("x")], at(21, 0))
        .is_err());
    app.lock();
    assert!(home.unlock(PASS, Some(DEVICE), at(9, 0)).is_ok());
}

#[test]
fn a_note_is_labelled_by_its_first_identifier_read_in_the_stored_region() {
    let dir = tempfile::tempdir().unwrap();
    let (_home, mut app) = created(dir.path());
    let note = app
        .add_note(
            NoteDefaults {
                label: None,
                risk: Risk::Caution,
                identifiers: vec![(IdentifierKind::Phone, "07700 900555".into())],
                text: String::new(),
            },
            at(9, 0),
        )
        .unwrap();
    assert_eq!(note.details.label, "+447700900555");
    // The session region wins over the stored one, for this session only.
    app.use_region_for_session(Some("RO".parse().unwrap()));
    let ro = app
        .add_note(
            NoteDefaults {
                label: Some("Dan".into()),
                risk: Risk::Danger,
                identifiers: vec![(IdentifierKind::Phone, "0722 123 456".into())],
                text: String::new(),
            },
            at(9, 0),
        )
        .unwrap();
    assert_eq!(ro.details.label, "Dan");
    assert_eq!(ro.details.identifiers[0].normalized(), "+40722123456");
    assert!(app
        .add_note(
            NoteDefaults {
                label: None,
                risk: Risk::Safe,
                identifiers: vec![],
                text: String::new(),
            },
            at(9, 0),
        )
        .is_err());
}

#[test]
fn buddies_are_chosen_by_id_or_by_one_name() {
    let dir = tempfile::tempdir().unwrap();
    let (_home, app) = created(dir.path());
    let ana = add_ana(&app);
    assert_eq!(app.resolve_buddies(&[]).unwrap(), vec![ana]);
    assert_eq!(
        app.resolve_buddies(&[BuddyRef::Name(" ANA ".into())])
            .unwrap(),
        vec![ana]
    );
    assert_eq!(
        app.resolve_buddies(&[BuddyRef::Id(ana)]).unwrap(),
        vec![ana]
    );
    assert!(matches!(
        app.resolve_buddies(&[BuddyRef::Name("Bea".into())]),
        Err(Error::NotFound(_))
    ));
    add_ana(&app);
    assert!(matches!(
        app.resolve_buddies(&[BuddyRef::Name("ana".into())]),
        Err(Error::InvalidInput { .. })
    ));
}

#[test]
fn a_checkin_plan_takes_the_stored_language_and_offset() {
    let dir = tempfile::tempdir().unwrap();
    let (_home, app) = created(dir.path());
    let ana = add_ana(&app);
    app.set_settings(&Settings {
        worker_languages: vec!["ro".into()],
        utc_offset_minutes: Some(-60),
        ..Settings::default()
    })
    .unwrap();
    let plan = app.checkin_plan(at(22, 0), &[]).unwrap();
    assert_eq!(plan.buddies, vec![ana]);
    assert_eq!(plan.worker_language, "ro");
    assert_eq!(plan.utc_offset_minutes, -60);
}

#[test]
fn a_pending_wipe_can_be_cancelled_and_otherwise_happens_at_the_end_of_its_window() {
    let dir = tempfile::tempdir().unwrap();
    let (home, app) = created(dir.path());
    app.lock();
    let mut wipe = home.wipe_after(at(9, 0), Duration::seconds(10));
    assert_eq!(wipe.poll(at(9, 0)).unwrap(), WipeState::Pending);
    assert_eq!(wipe.cancel(), WipeState::Cancelled);
    assert_eq!(wipe.poll(at(10, 0)).unwrap(), WipeState::Cancelled);
    assert!(home.exists().unwrap());
    let mut wipe = home.wipe_after(at(9, 0), Duration::seconds(10));
    assert_eq!(
        wipe.poll(at(9, 0) + Duration::seconds(10)).unwrap(),
        WipeState::Done
    );
    assert!(!home.exists().unwrap());
}

#[test]
fn a_device_secret_too_short_for_the_escalation_key_makes_no_vault() {
    let dir = tempfile::tempdir().unwrap();
    let home = home(dir.path());
    assert!(home
        .create(PASS, Some(b"short"), MIN_KDF_ITERATIONS)
        .is_err());
    assert!(!home.exists().unwrap());
    let _ = EscalationKey::from_device_secret(DEVICE).unwrap();
}

/// The bindings keep these behind a `Mutex` in objects shared across threads.
#[test]
fn the_app_objects_can_move_between_threads() {
    fn send<T: Send>() {}
    fn sync<T: Sync>() {}
    send::<vigil_core::app::App>();
    send::<VaultHome>();
    sync::<VaultHome>();
}

#[test]
fn linked_bookings_share_a_normalized_identifier_with_the_note() {
    let dir = tempfile::tempdir().unwrap();
    let (_home, app) = created(dir.path());
    let note = app
        .add_note(
            NoteDefaults {
                label: Some("x".into()),
                risk: Risk::Caution,
                identifiers: vec![(IdentifierKind::Phone, "07700 900123".into())],
                text: String::new(),
            },
            at(9, 0),
        )
        .unwrap();
    let booking = |label: &str, phone: &str, day: i64| {
        let mut d = vigil_core::bookings::BookingDraft::new(
            label,
            at(9, 0) + Duration::days(day),
            60,
            vigil_core::bookings::BookingKind::Incall,
        );
        d.client.phone = Some(phone.into());
        d
    };
    app.session()
        .bookings()
        .add_many(
            vec![
                booking("A", "+44 7700 900123", 0),
                booking("B", "07700 900999", 1),
                booking("C", "not a number", 2),
            ],
            at(9, 0),
        )
        .unwrap();
    let linked = app.linked_bookings(&note.id).unwrap();
    assert_eq!(linked.len(), 1);
    assert_eq!(linked[0].details.client.label, "A");
}

#[test]
fn a_checkin_covers_a_booking_through_the_app_layer() {
    let dir = tempfile::tempdir().unwrap();
    let (_home, app) = created(dir.path());
    // An unknown booking is refused here, before anything is armed.
    assert!(matches!(
        app.covered_booking(&vigil_core::vault::RecordId::from_bytes([7; 16])),
        Err(Error::NotFound("booking"))
    ));
    let mut draft = vigil_core::bookings::BookingDraft::new(
        "Tall man",
        at(9, 0),
        60,
        vigil_core::bookings::BookingKind::Outcall,
    );
    draft.client.phone = Some("07400 999888".into());
    draft.client.email = Some("  ".into());
    draft.place.address = Some("12 Example Road".into());
    let booking = app.session().bookings().add(draft, at(9, 0)).unwrap();
    let covered = app.covered_booking(&booking.id).unwrap();
    assert_eq!(covered.id, booking.id);
    assert_eq!(covered.facts.client_label.as_deref(), Some("Tall man"));
    // Blank fields are left out of the buddy message.
    assert_eq!(
        covered.facts.client_identifiers,
        vec!["07400 999888".to_owned()]
    );
    assert_eq!(covered.facts.address.as_deref(), Some("12 Example Road"));
    assert_eq!(covered.facts.booking_starts_at, Some(at(9, 0)));
}

/// The session's call-labelling list (what the bindings hand the phone) is cached, and a
/// note added or deleted shows in the very next call.
#[test]
fn app_call_labels_follow_note_changes_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let (_home, app) = created(dir.path());
    assert!(app.call_labels().unwrap().is_empty());
    let sc = app.screening().unwrap();
    let note = sc
        .add_note(
            vigil_core::screening::NoteDraft::new(
                "Dave",
                Risk::Danger,
                vec![sc.detect("07700 900123").unwrap()],
            ),
            at(12, 0),
        )
        .unwrap();
    let labels = app.call_labels().unwrap();
    assert_eq!(
        labels
            .iter()
            .map(|l| (l.number, l.label.as_str()))
            .collect::<Vec<_>>(),
        [(447700900123, "Dave")]
    );
    assert_eq!(app.call_labels().unwrap(), labels);
    app.delete_note(&note.id).unwrap();
    assert!(app.call_labels().unwrap().is_empty());
}
