//! Reports across the boundary: draft CRUD, the booking link kept through an edit, and
//! `encryptReport` to the report key of a trusted publisher's signed feed.

use std::time::{Duration as StdDuration, SystemTime};

use chrono::{Duration, TimeZone, Utc};
use vigil_core::export::age::X25519Identity;
use vigil_core::feeds::{generate_publisher_key, sign_bundle, BundleDraft, PublisherKey};
use vigil_core::reports::open_report;
use vigil_core::vault::MIN_KDF_ITERATIONS;
use vigil_ffi::{
    AlertCategory, BookingInput, BookingKind, BookingStatus, BundleKind, ReportIdentifier,
    ReportInput, Risk, Vault, VigilError,
};

fn input() -> ReportInput {
    ReportInput {
        when: "last night".into(),
        occurred_at: None,
        place: String::new(),
        rough_location: None,
        categories: vec![AlertCategory::Harassment],
        what_happened: "Kept calling after I said no.".into(),
        identifiers: vec![ReportIdentifier {
            kind: "phone".into(),
            value: "07700 900414".into(),
        }],
        description: String::new(),
        police_consent: false,
        contact: None,
    }
}

#[test]
fn drafts_cross_and_encrypt_report_opens_with_the_published_key() {
    let dir = tempfile::tempdir().unwrap();
    let vault = Vault::new(dir.path().join("v.db").to_string_lossy().into_owned());
    let session = vault
        .create(
            "correct horse battery".into(),
            b"keystore secret for the tests!!!".to_vec(),
            Some(MIN_KDF_ITERATIONS),
        )
        .unwrap();
    let issued = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let now = SystemTime::UNIX_EPOCH + StdDuration::from_secs(issued.timestamp() as u64 + 3600);

    // An unknown identifier kind is refused with its field named.
    let mut bad = input();
    bad.identifiers[0].kind = "fax".into();
    assert!(matches!(
        session.add_report(bad, now),
        Err(VigilError::InvalidInput { .. })
    ));

    let booking = session
        .add_booking(
            BookingInput {
                client_label: "B".into(),
                client_phone: Some("07700 900414".into()),
                client_email: None,
                client_handle: None,
                starts_at: now,
                ends_at: None,
                kind: BookingKind::Incall,
                address: None,
                latitude: None,
                longitude: None,
                terms: None,
                notes: None,
                status: BookingStatus::Done,
            },
            now,
        )
        .unwrap();
    let started = session
        .start_report_from_booking(booking.id.clone(), now)
        .unwrap();
    assert_eq!(started.booking_id.as_deref(), Some(booking.id.as_str()));
    let edited = session
        .update_report(started.id.clone(), input(), now)
        .unwrap();
    assert_eq!(
        edited.booking_id, started.booking_id,
        "the booking link stays"
    );
    assert_eq!(session.list_reports().unwrap().items.len(), 1);

    // No publisher takes reports yet.
    assert!(session
        .encrypt_report(edited.id.clone(), None, now)
        .is_err());
    let (pkcs8, public) = generate_publisher_key(&ring::rand::SystemRandom::new()).unwrap();
    let key = PublisherKey::from_pkcs8(&pkcs8).unwrap();
    let identity = X25519Identity::generate().unwrap();
    let content = format!(
        "{{\"format\":1,\"region\":\"GB\",\"report_key\":\"{}\"}}\n",
        identity.to_public()
    );
    let bundle = sign_bundle(
        &key,
        &BundleDraft {
            kind: BundleKind::Alerts,
            version: 1,
            issued_at: issued,
            expires_at: issued + Duration::days(30),
            content: content.as_bytes(),
        },
    )
    .unwrap();
    session
        .trust_publisher("Project".into(), public.to_string(), now)
        .unwrap();
    session.import_bundle(bundle, now).unwrap();
    assert_eq!(session.report_recipients().unwrap().len(), 1);
    let sent = session
        .encrypt_report(edited.id.clone(), None, now)
        .unwrap();
    assert!(sent.draft.sent_at.is_some());
    assert!(sent.file_name.ends_with(".age"));
    let doc = open_report(&sent.file, &identity).unwrap();
    assert_eq!(doc.categories, vec![AlertCategory::Harassment]);

    let note = session
        .note_from_report(edited.id.clone(), None, now)
        .unwrap();
    assert_eq!(note.risk, Risk::Danger);
    session.delete_report(edited.id).unwrap();
    assert!(session.list_reports().unwrap().items.is_empty());
}
