//! Dangerous-client reports (docs/reports.md): drafts in the vault, the age report file,
//! the project's review and its signed feed, and back to the worker's screening.

mod common;

use chrono::Duration;
use common::*;
use vigil_core::app::{App, VaultHome};
use vigil_core::bookings::{BookingDraft, BookingKind};
use vigil_core::export::age::{Identity, Recipient, X25519Identity};
use vigil_core::feeds::{sign_bundle, BundleDraft, BundleKind, PublisherKey};
use vigil_core::identifiers::{IdentifierKind, Region};
use vigil_core::reports::review::{build_review, read_review, write_review, AlertsSource};
use vigil_core::reports::{
    encrypt_report, open_report, Refusal, ReportDocument, ReportDraft, ReportIdentifier,
    RoughLocation,
};
use vigil_core::screening::{AlertCategory, MatchSource, MatchStrength, Risk};
use vigil_core::vault::MIN_KDF_ITERATIONS;
use vigil_core::Error;

const DEVICE: &[u8] = b"device secret from the keystore!";

fn worker(dir: &std::path::Path, name: &str) -> App {
    VaultHome::new(dir.join(name))
        .create("real passphrase", Some(DEVICE), MIN_KDF_ITERATIONS)
        .unwrap()
}

fn publisher_key() -> PublisherKey {
    let (pkcs8, _) =
        vigil_core::feeds::generate_publisher_key(&ring::rand::SystemRandom::new()).unwrap();
    PublisherKey::from_pkcs8(&pkcs8).unwrap()
}

fn sign_alerts(key: &PublisherKey, source: &AlertsSource, version: u64) -> Vec<u8> {
    let text = source.to_text();
    sign_bundle(
        key,
        &BundleDraft {
            kind: BundleKind::Alerts,
            version,
            issued_at: at(9, 0),
            expires_at: at(9, 0) + Duration::days(90),
            content: text.as_bytes(),
        },
    )
    .unwrap()
}

/// A worker who trusts the project and has imported its feed with the report key.
fn trusting_worker(dir: &std::path::Path, name: &str, key: &PublisherKey, bundle: &[u8]) -> App {
    let app = worker(dir, name);
    app.session()
        .feeds()
        .trust("Local Project", key.public_key(), at(8, 0))
        .unwrap();
    app.import_bundle(bundle, at(9, 5)).unwrap();
    app
}

fn draft(phone: &str, category: AlertCategory) -> ReportDraft {
    ReportDraft {
        when: "Friday night".into(),
        occurred_at: Some(at(22, 0)),
        place: "hotel by the station".into(),
        categories: vec![category],
        what_happened: "He refused to pay and pushed me.".into(),
        identifiers: vec![ReportIdentifier {
            kind: IdentifierKind::Phone,
            value: phone.into(),
        }],
        ..ReportDraft::default()
    }
}

#[test]
fn a_report_goes_from_a_booking_to_the_feed_and_screen_finds_the_number_in_another_format() {
    let dir = tempfile::tempdir().unwrap();
    let signing = publisher_key();
    let report_identity = X25519Identity::generate().unwrap();
    let mut source = AlertsSource::new(Region::GB);
    source.set_report_key(&report_identity.to_public());
    let v1 = sign_alerts(&signing, &source, 1);
    let app = trusting_worker(dir.path(), "w.db", &signing, &v1);

    // Trusting the publisher gave her its report key, from the signed feed.
    let recipients = app.report_recipients().unwrap();
    assert_eq!(recipients.len(), 1);
    assert_eq!(
        recipients[0].report_key,
        report_identity.to_public().to_string()
    );

    // A draft started from a booking carries its client and place.
    let mut b = BookingDraft::new("Tall guy, Fridays", at(21, 0), 60, BookingKind::Outcall);
    b.client.phone = Some("07700 900461".into());
    b.place.address = Some("12 Station Road".into());
    b.place.latitude = Some(53.80049);
    b.place.longitude = Some(-1.54913);
    let booking = app.session().bookings().add(b, at(20, 0)).unwrap();
    let report = app
        .start_report_from_booking(&booking.id, at(23, 0))
        .unwrap();
    assert_eq!(report.details.booking, Some(booking.id));
    assert_eq!(report.details.identifiers[0].value, "07700 900461");
    assert_eq!(report.details.place, "12 Station Road");
    assert!(!report.details.police_consent, "consent defaults to no");
    assert_eq!(report.details.contact, None, "anonymous by default");

    // Not sendable without a category; then edited and sent.
    assert!(matches!(
        app.send_report(&report.id, None, at(23, 5)),
        Err(Error::InvalidInput {
            field: "report categories",
            ..
        })
    ));
    let mut d = report.details.clone();
    d.categories = vec![AlertCategory::Violence];
    d.what_happened = "He hit me when I asked for the money.".into();
    app.reports().update(&report.id, d, at(23, 10)).unwrap();
    let sent = app.send_report(&report.id, None, at(23, 15)).unwrap();
    assert_eq!(sent.publisher, "Local Project");
    assert!(sent.report.sent_at.is_some());
    assert!(sent.file.starts_with(b"age-encryption.org/v1\n"));
    assert!(sent.file_name.ends_with(".age") && sent.file_name.len() == 20);

    // The project decrypts it, with every field she wrote and a rounded location.
    let doc = open_report(&sent.file, &report_identity).unwrap();
    assert_eq!(doc.categories, vec![AlertCategory::Violence]);
    assert_eq!(doc.identifiers[0].value, "07700 900461");
    assert_eq!(doc.occurred_at, Some(at(21, 0)));
    let loc = doc.rough_location.unwrap();
    assert_eq!((loc.latitude, loc.longitude), (53.8, -1.55));
    assert!(loc.radius_m >= 1000.0);

    // Review: one entry, normalized; a person approves it; the next version carries it.
    let review = build_review(vec![doc], Duration::days(30));
    let text = write_review(&review.entries).unwrap();
    let mut entries = read_review(&text).unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].identifiers[0].normalized(), "+447700900461");
    assert!(
        !entries[0].approve,
        "nothing is approved until a person says so"
    );
    entries[0].approve = true;
    assert_eq!(source.add_approved(&entries, at(9, 0)).unwrap(), 1);
    let v2 = sign_alerts(&signing, &source, 2);

    // Another worker, who trusts the same project, screens the number as she has it.
    let other = trusting_worker(dir.path(), "other.db", &signing, &v1);
    other.import_bundle(&v2, at(9, 30)).unwrap();
    let result = other
        .screen("+44 (0) 7700-900461", false, at(10, 0))
        .unwrap();
    assert_eq!(result.overall, Risk::Danger);
    let m = &result.matches[0];
    assert_eq!(m.strength, MatchStrength::Exact);
    assert!(matches!(m.source, MatchSource::Alert { .. }));

    // She may add the report to her own notes.
    let note = app.note_from_report(&report.id, None, at(23, 20)).unwrap();
    assert_eq!(note.details.risk, Risk::Danger);
    assert!(note.details.text.starts_with("Reported: violence."));
}

#[test]
fn each_bad_file_is_refused_with_its_reason_and_the_rest_still_open() {
    let identity = X25519Identity::generate().unwrap();
    let other = X25519Identity::generate().unwrap();
    let doc = ReportDocument::from_draft(
        &draft("07700 900123", AlertCategory::Robbery),
        Region::GB,
        at(12, 0),
    )
    .unwrap();
    let good = encrypt_report(&doc, &identity.to_public()).unwrap();
    let to_other = encrypt_report(&doc, &other.to_public()).unwrap();
    let header_end = good.windows(5).position(|w| w == b"\n--- ").unwrap() + 5;
    let mut flipped_payload = good.clone();
    let last = flipped_payload.len() - 30;
    flipped_payload[last] ^= 0x01;
    let mut flipped_header = good.clone();
    flipped_header[header_end + 3] ^= 0x01; // inside the MAC
    let passphrase = {
        use std::io::Write;
        let mut w = vigil_core::export::age::AgeWriter::new(
            Vec::new(),
            &[Recipient::passphrase_with_work_factor("pw", 2)],
        )
        .unwrap();
        w.write_all(b"{}").unwrap();
        w.finish().unwrap()
    };
    let not_a_report = {
        use std::io::Write;
        let mut w = vigil_core::export::age::AgeWriter::new(
            Vec::new(),
            &[Recipient::X25519(identity.to_public())],
        )
        .unwrap();
        w.write_all(b"{\"hello\":1}").unwrap();
        w.finish().unwrap()
    };
    let cases: Vec<(&str, Vec<u8>, Refusal)> = vec![
        ("other key", to_other, Refusal::OtherKey),
        ("passphrase file", passphrase, Refusal::OtherKey),
        (
            "cut in the payload",
            good[..good.len() - 100].to_vec(),
            Refusal::Truncated,
        ),
        (
            "cut after the nonce",
            good[..header_end + 60].to_vec(),
            Refusal::Truncated,
        ),
        (
            "cut in the header",
            good[..header_end - 20].to_vec(),
            Refusal::Truncated,
        ),
        (
            "bit flipped in the payload",
            flipped_payload,
            Refusal::Altered,
        ),
        ("bit flipped in the MAC", flipped_header, Refusal::Altered),
        (
            "not age",
            b"Dear project, here is my report".to_vec(),
            Refusal::NotAge,
        ),
        ("empty", Vec::new(), Refusal::NotAge),
        ("a PDF", b"%PDF-1.7\n".to_vec(), Refusal::NotAge),
        (
            "not a report",
            not_a_report,
            Refusal::NotAReport("not a Vigil report document"),
        ),
    ];
    for (what, bytes, want) in cases {
        let got = open_report(&bytes, &identity);
        assert_eq!(got.as_ref().err(), Some(&want), "{what}");
        // The reason never quotes the file.
        let reason = want.to_string();
        assert!(
            !reason.contains("0770") && !reason.contains("pushed"),
            "{what}"
        );
    }
    // The good file still opens, after all of them.
    assert_eq!(open_report(&good, &identity).unwrap(), doc);
}

#[test]
fn reports_from_two_workers_about_one_number_merge_into_one_alert_with_both_categories() {
    let dir = tempfile::tempdir().unwrap();
    let signing = publisher_key();
    let identity = X25519Identity::generate().unwrap();
    let mut source = AlertsSource::new(Region::GB);
    source.set_report_key(&identity.to_public());
    let v1 = sign_alerts(&signing, &source, 1);
    let ana = trusting_worker(dir.path(), "ana.db", &signing, &v1);
    let bea = trusting_worker(dir.path(), "bea.db", &signing, &v1);

    let a = ana
        .reports()
        .add(draft("07700 900777", AlertCategory::Violence), at(23, 0))
        .unwrap();
    let mut other_format = draft("+44 7700 900 777", AlertCategory::Robbery);
    other_format.occurred_at = Some(at(22, 0) + Duration::days(3));
    let b = bea.reports().add(other_format, at(23, 0)).unwrap();
    // A third report of the same number, months later, stays its own entry.
    let mut later = draft("07700900777", AlertCategory::NonPayment);
    later.occurred_at = Some(at(22, 0) + Duration::days(200));
    let c = bea.reports().add(later, at(23, 0)).unwrap();
    // And an unrelated one.
    let d = ana
        .reports()
        .add(draft("07700 900888", AlertCategory::TimeWaster), at(23, 0))
        .unwrap();

    let mut files = Vec::new();
    for (app, id) in [(&ana, a.id), (&bea, b.id), (&bea, c.id), (&ana, d.id)] {
        files.push(
            app.send_report(&id, Some("local project"), at(23, 30))
                .unwrap()
                .file,
        );
    }
    // The same file received twice is counted once.
    files.push(files[0].clone());
    let docs: Vec<_> = files
        .iter()
        .map(|f| open_report(f, &identity).unwrap())
        .collect();
    let review = build_review(docs, Duration::days(30));
    assert_eq!(review.repeated, 1);
    assert_eq!(review.entries.len(), 3);
    let at_777 = review
        .entries
        .iter()
        .position(|e| e.identifiers[0].normalized() == "+447700900777" && e.accounts.len() == 2)
        .expect("the two reports within the window are one entry");
    let merged = &review.entries[at_777];
    assert_eq!(merged.accounts.len(), 2);
    assert_eq!(
        merged.categories,
        vec![AlertCategory::Violence, AlertCategory::Robbery]
    );
    assert_eq!(merged.category, AlertCategory::Violence);
    assert_eq!(merged.identifiers.len(), 1);
    assert!(merged.description.contains("violence, robbery"));

    // Published: one alert for the number, naming both categories.
    let mut entries = review.entries.clone();
    entries[at_777].approve = true;
    source.add_approved(&entries, at(9, 0)).unwrap();
    let v2 = sign_alerts(&signing, &source, 2);
    ana.import_bundle(&v2, at(9, 30)).unwrap();
    let result = ana.screen("07700900777", true, at(10, 0)).unwrap();
    let alerts: Vec<_> = result
        .matches
        .iter()
        .filter_map(|m| match &m.source {
            MatchSource::Alert { alert, .. } => Some(alert),
            _ => None,
        })
        .collect();
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].category, AlertCategory::Violence);
    assert!(alerts[0].description.contains("violence, robbery"));
}

#[test]
fn a_withdrawn_alert_is_removed_by_importers_and_never_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    let signing = publisher_key();
    let mut source = AlertsSource::new(Region::GB);
    let line = |id: &str, phone: &str| {
        serde_json::from_str(&format!(
            r#"{{"id":"{id}","issued":"2026-11-01T00:00:00Z","identifiers":[{{"kind":"phone","value":"{phone}"}}],"category":"violence"}}"#
        ))
        .unwrap()
    };
    source.alerts.push(line("A-1", "07700 900301"));
    source.alerts.push(line("A-2", "07700 900302"));
    let v1 = sign_alerts(&signing, &source, 1);
    let app = trusting_worker(dir.path(), "w.db", &signing, &v1);
    assert!(!app
        .screen("07700900301", true, at(10, 0))
        .unwrap()
        .matches
        .is_empty());

    source.withdraw("A-1").unwrap();
    assert_eq!(source.withdrawn(), vec!["A-1".to_owned()]);
    assert!(source.withdraw("A-1").is_err(), "already gone");
    let v2 = sign_alerts(&signing, &source, 2);
    app.import_bundle(&v2, at(10, 5)).unwrap();
    assert!(app
        .screen("07700900301", true, at(10, 10))
        .unwrap()
        .matches
        .is_empty());
    assert!(!app
        .screen("07700900302", true, at(10, 10))
        .unwrap()
        .matches
        .is_empty());

    // A later version that lists it again by mistake: importers still skip it.
    source.alerts.push(line("A-1", "07700 900301"));
    let v3 = sign_alerts(&signing, &source, 3);
    let imported = match app.import_bundle(&v3, at(10, 15)).unwrap() {
        vigil_core::app::Imported::Alerts(a) => a.imported,
        _ => unreachable!(),
    };
    assert_eq!(imported.imported, 1);
    assert_eq!(imported.skipped[0].reason, "withdrawn by the publisher");
    assert!(app
        .screen("07700900301", true, at(10, 20))
        .unwrap()
        .matches
        .is_empty());
    // The publisher tool refuses to publish a withdrawn id again.
    source.alerts.pop();
    let mut entries = build_review(
        vec![ReportDocument::from_draft(
            &draft("07700 900309", AlertCategory::Violence),
            Region::GB,
            at(12, 0),
        )
        .unwrap()],
        Duration::days(30),
    )
    .entries;
    entries[0].approve = true;
    entries[0].alert_id = "A-1".into();
    assert!(source.add_approved(&entries, at(9, 0)).is_err());
}

#[test]
fn the_report_key_follows_the_signed_feed_and_a_bad_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let signing = publisher_key();
    // An old bundle without a report key stays valid.
    let v1 = sign_alerts(&signing, &AlertsSource::new(Region::GB), 1);
    let app = trusting_worker(dir.path(), "w.db", &signing, &v1);
    assert!(app.report_recipients().unwrap().is_empty());
    let id = app
        .reports()
        .add(draft("07700 900123", AlertCategory::Violence), at(23, 0))
        .unwrap()
        .id;
    assert!(matches!(
        app.send_report(&id, None, at(23, 1)),
        Err(Error::InvalidInput {
            field: "publisher",
            ..
        })
    ));
    // A key that is not an age recipient: the bundle is malformed, nothing changes.
    let mut bad = AlertsSource::new(Region::GB);
    bad.header
        .insert("report_key".into(), serde_json::json!("age1notakey"));
    assert!(app
        .import_bundle(&sign_alerts(&signing, &bad, 2), at(9, 10))
        .is_err());
    assert!(app.report_recipients().unwrap().is_empty());
    // A good key arrives with the next version, and leaves with a version without it.
    let identity = X25519Identity::generate().unwrap();
    let mut with_key = AlertsSource::new(Region::GB);
    with_key.set_report_key(&identity.to_public());
    app.import_bundle(&sign_alerts(&signing, &with_key, 3), at(9, 20))
        .unwrap();
    assert_eq!(app.report_recipients().unwrap().len(), 1);
    app.import_bundle(
        &sign_alerts(&signing, &AlertsSource::new(Region::GB), 4),
        at(9, 30),
    )
    .unwrap();
    assert!(app.report_recipients().unwrap().is_empty());
}

#[test]
fn drafts_are_kept_edited_listed_and_deleted_and_bad_input_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let app = worker(dir.path(), "w.db");
    let reports = app.reports();
    let a = reports.add(ReportDraft::default(), at(10, 0)).unwrap();
    let b = reports
        .add(draft("07700 900123", AlertCategory::Harassment), at(11, 0))
        .unwrap();
    let listed: Vec<_> = reports.list().unwrap().items.iter().map(|r| r.id).collect();
    assert_eq!(listed, vec![b.id, a.id]);
    let mut too_long = b.details.clone();
    too_long.what_happened = "x".repeat(10_001);
    assert!(reports.update(&b.id, too_long, at(12, 0)).is_err());
    let mut far = b.details.clone();
    far.rough_location = Some(RoughLocation {
        latitude: 91.0,
        longitude: 0.0,
        radius_m: 1000.0,
    });
    assert!(reports.update(&b.id, far, at(12, 0)).is_err());
    assert_eq!(
        reports.get(&b.id).unwrap(),
        b,
        "a refused edit changes nothing"
    );
    // An identifier that does not read as its kind: refused at sending, naming the kind.
    let mut d = b.details.clone();
    d.identifiers[0].value = "12".into();
    let e = d.check_sendable(Region::GB).unwrap_err();
    assert!(e.to_string().contains("phone number") && !e.to_string().contains("12"));
    reports.delete(&a.id).unwrap();
    assert!(matches!(reports.get(&a.id), Err(Error::NotFound("report"))));
    assert_eq!(reports.list().unwrap().items.len(), 1);
}

#[test]
fn drafts_survive_export_and_restore() {
    let dir = tempfile::tempdir().unwrap();
    let app = worker(dir.path(), "w.db");
    let mut d = draft("07700 900123", AlertCategory::Stealthing);
    d.police_consent = true;
    d.contact = Some("Signal, evenings".into());
    let r = app.reports().add(d, at(10, 0)).unwrap();
    let (file, _) = app
        .session()
        .backup()
        .export(
            Vec::new(),
            &[Recipient::passphrase_with_work_factor("pw", 2)],
            at(11, 0),
        )
        .unwrap();
    let other = worker(dir.path(), "other.db");
    let report = other
        .session()
        .backup()
        .import(&file[..], &[Identity::passphrase("pw")])
        .unwrap();
    let section = report
        .sections
        .iter()
        .find(|s| s.section == "report_drafts")
        .unwrap();
    assert_eq!(section.inserted, 1);
    assert_eq!(other.reports().get(&r.id).unwrap(), r);
}

/// Nothing she wrote is readable in the vault files or in the report file.
#[test]
fn canary_scan_of_the_vault_files_and_the_report_file() {
    let dir = tempfile::tempdir().unwrap();
    let signing = publisher_key();
    let identity = X25519Identity::generate().unwrap();
    let mut source = AlertsSource::new(Region::GB);
    source.set_report_key(&identity.to_public());
    let v1 = sign_alerts(&signing, &source, 1);
    let app = trusting_worker(dir.path(), "w.db", &signing, &v1);
    let canaries = [
        "CanaryWhen7781",
        "CanaryPlace7782",
        "CanaryHappened7783",
        "CanaryDescription7784",
        "CanaryContact7785",
        "canary7786@example.com",
        "CANARY7787",
        "7700900787",
    ];
    let d = ReportDraft {
        when: canaries[0].into(),
        place: canaries[1].into(),
        what_happened: canaries[2].into(),
        description: canaries[3].into(),
        contact: Some(canaries[4].into()),
        categories: vec![AlertCategory::Violence],
        identifiers: vec![
            ReportIdentifier {
                kind: IdentifierKind::Email,
                value: canaries[5].into(),
            },
            ReportIdentifier {
                kind: IdentifierKind::Plate,
                value: canaries[6].into(),
            },
            ReportIdentifier {
                kind: IdentifierKind::Phone,
                value: "07700 900787".into(),
            },
        ],
        ..ReportDraft::default()
    };
    let r = app.reports().add(d, at(10, 0)).unwrap();
    let sent = app.send_report(&r.id, None, at(10, 5)).unwrap();
    let path = app.path().to_path_buf();
    drop(app);
    let mut scanned = 0;
    for f in vault_files(&path) {
        if let Ok(bytes) = std::fs::read(&f) {
            scanned += bytes.len();
            for c in canaries {
                assert!(
                    !bytes
                        .windows(c.len())
                        .any(|w| w.eq_ignore_ascii_case(c.as_bytes())),
                    "{c} readable in {}",
                    f.display()
                );
            }
        }
    }
    assert!(scanned > 0);
    for c in canaries
        .iter()
        .chain(["violence", "vigil-report", "Local"].iter())
    {
        assert!(
            !sent
                .file
                .windows(c.len())
                .any(|w| w.eq_ignore_ascii_case(c.as_bytes())),
            "{c} readable in the report file"
        );
    }
    // Its size says only "a few KiB": the plaintext is padded to 4 KiB blocks.
    let doc = open_report(&sent.file, &identity).unwrap();
    assert_eq!(doc.what_happened, canaries[2]);
}

/// The duress passphrase opens a decoy with no report drafts, whatever the real vault holds.
#[test]
fn the_decoy_holds_no_report_drafts() {
    let dir = tempfile::tempdir().unwrap();
    let home = VaultHome::new(dir.path().join("w.db"));
    let mut app = home
        .create("real passphrase", Some(DEVICE), MIN_KDF_ITERATIONS)
        .unwrap();
    app.reports()
        .add(draft("07700 900123", AlertCategory::Violence), at(10, 0))
        .unwrap();
    app.set_duress(
        "real passphrase",
        "decoy passphrase",
        vigil_core::vault::DuressOptions {
            destroy_real: false,
            alert_buddies: false,
        },
        &[],
        at(10, 5),
    )
    .unwrap();
    app.lock();
    let decoy = home
        .unlock("decoy passphrase", Some(DEVICE), at(11, 0))
        .unwrap();
    assert!(decoy.reports().list().unwrap().items.is_empty());
    decoy.lock();
    let real = home
        .unlock("real passphrase", Some(DEVICE), at(12, 0))
        .unwrap();
    assert_eq!(real.reports().list().unwrap().items.len(), 1);
}

/// Figures for docs/PERFORMANCE.md (run by hand: `--ignored --nocapture`).
#[test]
#[ignore]
fn report_figures() {
    let identity = X25519Identity::generate().unwrap();
    let n = 1000;
    let docs: Vec<_> = (0..n)
        .map(|i| {
            let mut d = draft(&format!("07700 9{:05}", i % 700), AlertCategory::Violence);
            d.what_happened = "x".repeat(600);
            ReportDocument::from_draft(&d, Region::GB, at(12, 0)).unwrap()
        })
        .collect();
    let t = std::time::Instant::now();
    let files: Vec<_> = docs
        .iter()
        .map(|d| encrypt_report(d, &identity.to_public()).unwrap())
        .collect();
    let encrypt = t.elapsed();
    let t = std::time::Instant::now();
    let opened: Vec<_> = files
        .iter()
        .map(|f| open_report(f, &identity).unwrap())
        .collect();
    let open = t.elapsed();
    let t = std::time::Instant::now();
    let review = build_review(opened, Duration::days(30));
    let merge = t.elapsed();
    println!(
        "{n} reports: file {} bytes; encrypt {:?}/report, open {:?}/report, review {:?} ({} entries)",
        files[0].len(),
        encrypt / n,
        open / n,
        merge,
        review.entries.len()
    );
}
