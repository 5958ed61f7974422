//! The whole vault through export and import: every section round-trips, merges without
//! duplicating or rolling back, reports malformed records, and fatal errors change nothing.

mod common;

use std::io::{Cursor, Read, Write};

use chrono::Duration;
use common::{at, new_vault};
use ring::rand::SystemRandom;
use vigil_core::bookings::{Booking, BookingDraft, BookingKind, TimeRange};
use vigil_core::checkin::{Buddy, BuddyDraft, Channel, CheckinError, CheckinPlan, EscalationKey};
use vigil_core::directory::{
    build_directory_bundle, Category, DirectoryContent, Service, SERVICES_PER_CHUNK,
};
use vigil_core::export::age::{AgeError, AgeReader, AgeWriter, Identity, Recipient};
use vigil_core::export::{ExportError, ImportReport, SectionReport};
use vigil_core::feeds::{
    generate_publisher_key, sign_bundle, BundleDraft, BundleKind, FeedError, FeedStatus,
    PublisherKey, TrustedPublisher,
};
use vigil_core::screening::{
    Alert, ClientNote, MatchSource, MatchStrength, NoteDraft, Region, Risk, Screening,
};
use vigil_core::vault::{RecordId, Session};
use vigil_core::Error;

const PASSPHRASE: &str = "export sections passphrase";
/// Low scrypt cost: tests run unoptimized.
const WORK_FACTOR: u8 = 10;
const DEVICE_SECRET: &[u8] = b"device secret of at least 16 bytes";
/// Enough services for two directory parts.
const SERVICES: usize = SERVICES_PER_CHUNK + 150;

fn recipients() -> Vec<Recipient> {
    vec![Recipient::passphrase_with_work_factor(
        PASSPHRASE,
        WORK_FACTOR,
    )]
}

fn identities() -> Vec<Identity> {
    vec![Identity::passphrase(PASSPHRASE)]
}

fn esc() -> EscalationKey {
    EscalationKey::from_device_secret(DEVICE_SECRET).unwrap()
}

fn sc(s: &Session) -> Screening<'_> {
    s.screening(Region::GB)
}

fn new_key() -> PublisherKey {
    let (pkcs8, _) = generate_publisher_key(&SystemRandom::new()).unwrap();
    PublisherKey::from_pkcs8(&pkcs8).unwrap()
}

fn alerts_bundle(key: &PublisherKey, version: u64, alerts: &[(&str, &str, &str)]) -> Vec<u8> {
    let mut content = String::from("{\"format\":1,\"region\":\"GB\"}\n");
    for (reference, phone, category) in alerts {
        content.push_str(&format!(
            r#"{{"id":"{reference}","issued":"2026-11-20T22:00:00Z","identifiers":[{{"kind":"phone","value":"{phone}"}},{{"kind":"plate","value":"AB12 CDE"}}],"area":{{"lat":53.8,"lon":-1.55,"radius_m":5000}},"category":"{category}","description":"Marker description","lang":"en"}}"#
        ));
        content.push('\n');
    }
    sign_bundle(
        key,
        &BundleDraft {
            kind: BundleKind::Alerts,
            version,
            issued_at: at(6, 0),
            expires_at: at(6, 0) + Duration::days(30),
            content: content.as_bytes(),
        },
    )
    .unwrap()
}

fn services(n: usize, tag: &str) -> Vec<Service> {
    (0..n)
        .map(|i| {
            let mut s = Service::new(
                &format!("{tag}:{i}"),
                &format!("{tag} clinic {i}"),
                &[Category::SexualHealthClinic, Category::Pharmacy][..1 + i % 2],
                51.5 + (i as f64) * 0.0001,
                -0.12,
            );
            if i % 3 == 0 {
                s.opening_hours = Some("Mo-Fr 09:00-17:00".into());
                s.postcode = Some("SW1A 1AA".into());
                s.languages = vec!["en".into(), "ro".into()];
                s.last_updated = chrono::NaiveDate::from_ymd_opt(2026, 10, 1);
            }
            s
        })
        .collect()
}

fn directory_bundle(key: &PublisherKey, version: u64, services: Vec<Service>) -> Vec<u8> {
    let content = DirectoryContent::new("Europe/London", services);
    build_directory_bundle(
        key,
        &content,
        version,
        at(6, 0),
        at(6, 0) + Duration::days(90),
    )
    .unwrap()
}

struct Keys {
    first: PublisherKey,
    second: PublisherKey,
}

/// A vault with something in every section.
fn fill(s: &Session) -> Keys {
    let drafts = (0..3)
        .map(|i| {
            BookingDraft::new(
                &format!("client {i}"),
                at(9 + i, 0),
                60,
                BookingKind::Incall,
            )
        })
        .collect();
    s.bookings().add_many(drafts, at(8, 0)).unwrap();

    let dave = NoteDraft::new(
        "Dave, Tuesdays",
        Risk::Danger,
        vec![
            sc(s).detect("07700 900123").unwrap(),
            sc(s).detect("dave@example.com").unwrap(),
        ],
    );
    let mut car = NoteDraft::new(
        "silver car",
        Risk::Caution,
        vec![sc(s).detect("XY51 ZZT").unwrap()],
    );
    car.text = "waited outside twice".into();
    sc(s).add_notes(vec![dave, car], at(8, 30)).unwrap();
    let report = vigil_core::reports::ReportDraft {
        categories: vec![vigil_core::screening::AlertCategory::Violence],
        occurred_at: Some(at(7, 0)),
        ..Default::default()
    };
    s.reports().add(report, at(8, 40)).unwrap();

    let key = esc();
    let checkins = s.checkins(&key);
    for (name, phone, channel) in [
        ("Ana", "07400 123456", Channel::Sms),
        ("Bea", "+40 721 234 567", Channel::Call),
    ] {
        checkins
            .add_buddy(
                BuddyDraft {
                    name: name.into(),
                    phone: phone.into(),
                    channel,
                    language: "en".into(),
                    plain_letters: None,
                },
                "GB",
            )
            .unwrap();
    }
    checkins.set_codes("4711", "9999").unwrap();

    let keys = Keys {
        first: new_key(),
        second: new_key(),
    };
    s.feeds()
        .trust("Leeds Project", keys.first.public_key(), at(7, 0))
        .unwrap();
    s.feeds()
        .rotate("Leeds Project", keys.second.public_key(), at(7, 30))
        .unwrap();
    sc(s)
        .import_alerts(
            &alerts_bundle(
                &keys.first,
                3,
                &[
                    ("A-1", "07911 123456", "violence"),
                    ("A-2", "07911 654321", "time_waster"),
                ],
            )[..],
            at(7, 40),
        )
        .unwrap();
    s.directory()
        .accept_bundle(
            &directory_bundle(&keys.second, 5, services(SERVICES, "nhs"))[..],
            at(7, 50),
        )
        .unwrap();
    keys
}

/// Everything a user can see of a vault, for before/after comparisons.
#[derive(Debug, PartialEq)]
struct State {
    bookings: Vec<Booking>,
    notes: Vec<ClientNote>,
    buddies: Vec<Buddy>,
    publishers: Vec<TrustedPublisher>,
    feeds: Vec<FeedStatus>,
    alerts: Vec<Alert>,
    directory: Vec<(String, Service)>,
    incomplete: Vec<String>,
    screen_phone: usize,
    screen_plate_part: usize,
}

fn state(s: &Session) -> State {
    let bookings = s.bookings().list(TimeRange::default()).unwrap();
    let notes = sc(s).notes().unwrap();
    let buddies = s.checkins(&esc()).buddies().unwrap();
    let publishers = s.feeds().publishers().unwrap();
    let mut alerts = sc(s).alerts().unwrap();
    assert!(bookings.unreadable.is_empty() && notes.unreadable.is_empty());
    assert!(buddies.unreadable.is_empty() && publishers.unreadable.is_empty());
    assert!(alerts.unreadable.is_empty());
    alerts.items.sort_by_key(|a| a.id);
    let loaded = s.directory().load().unwrap();
    assert!(loaded.unreadable.is_empty());
    let mut directory: Vec<(String, Service)> = loaded
        .index
        .services()
        .map(|(p, s)| (p.to_owned(), s.clone()))
        .collect();
    directory.sort_by(|a, b| a.1.id.cmp(&b.1.id));
    State {
        bookings: bookings.items,
        notes: notes.items,
        buddies: buddies.items,
        publishers: publishers.items,
        feeds: s.feeds().status(at(23, 0)).unwrap(),
        alerts: alerts.items,
        directory,
        incomplete: loaded.incomplete,
        screen_phone: sc(s)
            .screen("07700900123", at(23, 0))
            .unwrap()
            .matches
            .len(),
        screen_plate_part: sc(s).screen("51ZZ", at(23, 0)).unwrap().matches.len(),
    }
}

fn export(s: &Session) -> Vec<u8> {
    let (out, report) = s
        .backup()
        .export(Vec::new(), &recipients(), at(23, 0))
        .unwrap();
    assert!(report.unreadable.is_empty(), "{:?}", report.unreadable);
    out
}

fn import(s: &Session, file: &[u8]) -> ImportReport {
    s.backup().import(Cursor::new(file), &identities()).unwrap()
}

fn section<'r>(report: &'r ImportReport, name: &str) -> &'r SectionReport {
    report
        .sections
        .iter()
        .find(|r| r.section == name)
        .unwrap_or_else(|| panic!("no {name} section in {report:?}"))
}

/// (inserted, updated, kept_existing, rejected)
fn counts(report: &ImportReport, name: &str) -> (u64, u64, u64, usize) {
    let r = section(report, name);
    (r.inserted, r.updated, r.kept_existing, r.rejected.len())
}

fn plaintext(file: &[u8]) -> serde_json::Value {
    let mut plain = String::new();
    AgeReader::new(Cursor::new(file), &identities())
        .unwrap()
        .read_to_string(&mut plain)
        .unwrap();
    serde_json::from_str(&plain).unwrap()
}

const ORDER: [&str; 10] = [
    "bookings",
    "client_notes",
    "buddies",
    "trusted_publishers",
    "feed_versions",
    "alerts",
    "directory",
    "settings",
    "report_drafts",
    "pairings",
];

/// Writes a parsed document back in the order Vigil writes it (serde_json's map sorts).
fn document(doc: &serde_json::Value) -> String {
    let sections: Vec<String> = ORDER
        .iter()
        .filter(|name| doc["sections"].get(**name).is_some())
        .map(|name| format!("\"{name}\":{}", doc["sections"][*name]))
        .collect();
    format!(
        r#"{{"format":{},"version":{},"minor":{},"exported_at":{},"sections":{{{}}}}}"#,
        doc["format"],
        doc["version"],
        doc["minor"],
        doc["exported_at"],
        sections.join(",")
    )
}

fn encrypt(doc: &str) -> Vec<u8> {
    let mut w = AgeWriter::new(Vec::new(), &recipients()).unwrap();
    w.write_all(doc.as_bytes()).unwrap();
    w.finish().unwrap()
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn the_whole_vault_round_trips_into_a_new_vault() {
    let (d1, d2) = (tmp(), tmp());
    let (_, source) = new_vault(d1.path(), "source");
    let keys = fill(&source);
    let before = state(&source);
    assert_eq!(before.directory.len(), SERVICES);
    let file = export(&source);

    let (_, target) = new_vault(d2.path(), "target");
    let report = import(&target, &file);
    assert!(report.skipped_sections.is_empty());
    assert_eq!(counts(&report, "bookings"), (3, 0, 0, 0));
    assert_eq!(counts(&report, "client_notes"), (2, 0, 0, 0));
    assert_eq!(counts(&report, "buddies"), (2, 0, 0, 0));
    assert_eq!(counts(&report, "trusted_publishers"), (1, 0, 0, 0));
    assert_eq!(counts(&report, "feed_versions"), (2, 0, 0, 0));
    assert_eq!(counts(&report, "alerts"), (2, 0, 0, 0));
    assert_eq!(counts(&report, "directory"), (2, 0, 0, 0), "two parts");
    // Same records, ids, times, keys, versions, alerts and services.
    assert_eq!(state(&target), before);

    // Notes are found by screening again: the blind indexes were rebuilt for this vault.
    let exact = sc(&target).screen("+44 7700 900123", at(23, 0)).unwrap();
    assert_eq!(exact.overall, Risk::Danger);
    assert!(
        matches!(&exact.matches[0].source, MatchSource::Note(n) if n.details.label == "Dave, Tuesdays")
    );
    let partial = sc(&target).screen("900123", at(23, 0)).unwrap();
    assert_eq!(partial.matches.len(), 1);
    assert_eq!(
        partial.matches[0].strength,
        MatchStrength::PhoneSuffix { digits: 6 }
    );
    let plate = sc(&target).screen("51ZZ", at(23, 0)).unwrap();
    assert!(plate
        .matches
        .iter()
        .any(|m| matches!(&m.source, MatchSource::Note(n) if n.details.label == "silver car")));
    let email = sc(&target)
        .screen_exact("Dave@Example.com", at(23, 0))
        .unwrap();
    assert_eq!(email.matches.len(), 1);
    // Alerts too, with their publisher.
    let alert = sc(&target).screen("07911 123456", at(23, 0)).unwrap();
    assert!(matches!(&alert.matches[0].source,
        MatchSource::Alert { publisher, alert, .. } if publisher == "Leeds Project" && alert.reference == "A-1"));

    // The directory loads, complete, and rollback protection survived the restore.
    let loaded = target.directory().load().unwrap();
    assert_eq!(loaded.index.len(), SERVICES);
    assert!(loaded.incomplete.is_empty());
    let older = directory_bundle(&keys.second, 4, services(3, "old"));
    let err = target
        .directory()
        .accept_bundle(&older[..], at(23, 30))
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Feed(FeedError::Rollback {
                offered: 4,
                accepted: 5,
                ..
            })
        ),
        "{err:?}"
    );
    let same_alerts = alerts_bundle(&keys.first, 3, &[]);
    assert!(matches!(
        sc(&target).import_alerts(&same_alerts[..], at(23, 30)),
        Err(Error::Feed(FeedError::Rollback { accepted: 3, .. }))
    ));
    // Both pinned keys still verify: a newer bundle from either is accepted.
    target
        .directory()
        .accept_bundle(
            &directory_bundle(&keys.first, 6, services(2, "new"))[..],
            at(23, 40),
        )
        .unwrap();
    assert_eq!(target.directory().load().unwrap().index.len(), 2);

    // Codes are not exported: the restored vault asks for them before arming.
    let key = esc();
    let checkins = target.checkins(&key);
    assert!(!checkins.codes_set().unwrap());
    let buddy = before.buddies[0].id;
    let err = checkins
        .arm(CheckinPlan::new(at(23, 50), vec![buddy]), at(23, 0))
        .unwrap_err();
    assert!(
        matches!(err, Error::Checkin(CheckinError::CodesNotSet)),
        "{err:?}"
    );
    checkins.set_codes("1234", "8765").unwrap();
    checkins
        .arm(CheckinPlan::new(at(23, 50), vec![buddy]), at(23, 0))
        .unwrap();
}

#[test]
fn the_export_holds_every_section_in_its_documented_shape() {
    let d = tmp();
    let (_, source) = new_vault(d.path(), "source");
    fill(&source);
    let file = export(&source);
    // Sections come in dependency order: publishers, then versions, then contents.
    let mut text = String::new();
    AgeReader::new(Cursor::new(&file), &identities())
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    let positions: Vec<usize> = ORDER
        .iter()
        .map(|name| text.find(&format!("\"{name}\":[")).unwrap())
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    let doc = plaintext(&file);
    assert_eq!(doc["minor"], vigil_core::export::FORMAT_MINOR);
    assert_eq!(doc["sections"].as_object().unwrap().len(), ORDER.len());
    let s = &doc["sections"];
    let keys = |v: &serde_json::Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k.join(",")
    };
    let note = s["client_notes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["label"] == "Dave, Tuesdays")
        .unwrap();
    assert_eq!(
        keys(note),
        "created_at,id,identifiers,label,risk,text,updated_at"
    );
    assert_eq!(note["risk"], "danger");
    assert_eq!(note["created_at"], "2026-11-28T08:30:00Z");
    assert!(note["identifiers"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!({"kind": "phone", "value": "+447700900123"})));
    assert_eq!(
        keys(&s["buddies"][0]),
        "channel,id,language,name,phone,plain_letters"
    );
    assert_eq!(s["buddies"].as_array().unwrap().len(), 2);
    let p = &s["trusted_publishers"][0];
    assert_eq!(keys(p), "id,keys,name,trusted_at");
    assert_eq!(keys(&p["keys"][0]), "key,key_id,pinned_at");
    assert!(p["keys"][0]["key"]
        .as_str()
        .unwrap()
        .starts_with("vigil-pub:"));
    let v = &s["feed_versions"][0];
    assert_eq!(
        keys(v),
        "accepted_at,expires_at,issued_at,key_id,kind,publisher_id,version"
    );
    let a = &s["alerts"][0];
    assert_eq!(
        keys(a),
        "area,category,description,feed_version,id,identifiers,issued,lang,publisher_id,reference"
    );
    assert_eq!(a["feed_version"], 3);
    assert_eq!(a["area"]["radius_m"], 5000.0);
    let part = &s["directory"][0];
    assert_eq!(
        keys(part),
        "part,parts,publisher_id,services,time_zone,version"
    );
    assert_eq!(part["parts"], 2);
    assert_eq!(part["time_zone"], "Europe/London");
    let r = &s["report_drafts"][0];
    assert_eq!(keys(r), "created_at,draft,id,sent_at,updated_at");
    assert_eq!(
        keys(&r["draft"]),
        "booking,categories,contact,description,identifiers,occurred_at,place,police_consent,rough_location,what_happened,when"
    );
    assert_eq!(r["draft"]["occurred_at"], "2026-11-28T07:00:00Z");
    assert_eq!(r["draft"]["categories"][0], "violence");
    // Nothing of the check-in codes is in the export.
    // Random ids and keys may contain the digits of a code, so look at every other value.
    let mut values = Vec::new();
    collect_non_id_strings(&doc, &mut values);
    assert!(!values.is_empty());
    for v in &values {
        assert!(
            !v.contains("4711") && !v.contains("9999"),
            "a code leaked: {v}"
        );
    }
    let text = doc.to_string();
    assert!(!text.contains("verifier") && !text.contains("codes"));
}

#[test]
fn merging_never_duplicates_and_keeps_the_newer_side() {
    let (d1, d2) = (tmp(), tmp());
    let (_, source) = new_vault(d1.path(), "source");
    let keys = fill(&source);
    let first = export(&source);
    let (_, target) = new_vault(d2.path(), "target");
    import(&target, &first);

    let notes = sc(&source).notes().unwrap().items;
    let (dave, car) = if notes[0].details.label == "Dave, Tuesdays" {
        (notes[0].clone(), notes[1].clone())
    } else {
        (notes[1].clone(), notes[0].clone())
    };
    // The target changes Dave's note late; the source changes it earlier, and the car note
    // after the target's copy.
    let mut d = dave.details.clone();
    d.text = "target's later edit".into();
    let target_dave = sc(&target).update_note(&dave.id, d, at(20, 0)).unwrap();
    let mut d = dave.details.clone();
    d.text = "source's earlier edit".into();
    sc(&source).update_note(&dave.id, d, at(14, 0)).unwrap();
    let mut d = car.details.clone();
    d.identifiers = vec![sc(&source).detect("QQ99 QQQ").unwrap()];
    let source_car = sc(&source).update_note(&car.id, d, at(21, 0)).unwrap();
    // The source adds a buddy and accepts newer alerts; the target accepts a newer directory.
    source
        .checkins(&esc())
        .add_buddy(
            BuddyDraft {
                name: "Cleo".into(),
                phone: "07400 654321".into(),
                channel: Channel::OtherApp,
                language: "pt-BR".into(),
                plain_letters: None,
            },
            "GB",
        )
        .unwrap();
    sc(&source)
        .import_alerts(
            &alerts_bundle(&keys.first, 4, &[("A-9", "07911 999999", "robbery")])[..],
            at(21, 0),
        )
        .unwrap();
    target
        .directory()
        .accept_bundle(
            &directory_bundle(&keys.second, 6, services(10, "own"))[..],
            at(21, 0),
        )
        .unwrap();
    let second = export(&source);

    let report = import(&target, &second);
    assert_eq!(counts(&report, "bookings"), (0, 0, 3, 0));
    assert_eq!(counts(&report, "client_notes"), (0, 1, 1, 0));
    assert_eq!(counts(&report, "buddies"), (1, 0, 2, 0));
    assert_eq!(counts(&report, "trusted_publishers"), (0, 0, 1, 0));
    // Alerts v4 replaces v3; the target's directory v6 is newer than the incoming v5.
    assert_eq!(counts(&report, "feed_versions"), (0, 1, 1, 0));
    assert_eq!(counts(&report, "alerts"), (1, 0, 0, 0));
    assert_eq!(counts(&report, "directory"), (0, 0, 2, 0));

    let merged = state(&target);
    assert_eq!(merged.notes.len(), 2, "no duplicates");
    assert_eq!(
        sc(&target).get_note(&dave.id).unwrap(),
        target_dave,
        "newer local kept"
    );
    assert_eq!(
        sc(&target).get_note(&car.id).unwrap(),
        source_car,
        "newer import applied"
    );
    // The replaced note's old plate no longer matches; its new one does.
    assert_eq!(merged.screen_plate_part, 0);
    assert_eq!(
        sc(&target)
            .screen("QQ99QQQ", at(23, 0))
            .unwrap()
            .matches
            .len(),
        1
    );
    assert_eq!(merged.buddies.len(), 3);
    assert_eq!(merged.alerts.len(), 1);
    assert_eq!(merged.alerts[0].reference, "A-9");
    assert!(sc(&target)
        .screen("07911 123456", at(23, 0))
        .unwrap()
        .matches
        .is_empty());
    assert_eq!(
        merged.directory.len(),
        10,
        "the target's newer directory kept"
    );
    let versions: Vec<(BundleKind, u64)> =
        merged.feeds.iter().map(|f| (f.kind, f.version)).collect();
    assert!(
        versions.contains(&(BundleKind::Alerts, 4))
            && versions.contains(&(BundleKind::Directory, 6))
    );

    // Importing the same file again changes nothing at all.
    let again = import(&target, &second);
    for r in &again.sections {
        assert_eq!(
            (r.inserted, r.updated, r.rejected.len()),
            (0, 0, 0),
            "{r:?}"
        );
    }
    assert_eq!(state(&target), merged);
    // And an older backup rolls nothing back.
    import(&target, &first);
    assert_eq!(state(&target), merged);
}

#[test]
fn publisher_key_sets_merge_by_their_latest_pinning() {
    let (d1, d2) = (tmp(), tmp());
    let (_, source) = new_vault(d1.path(), "source");
    let first = new_key();
    source
        .feeds()
        .trust("P", first.public_key(), at(7, 0))
        .unwrap();
    let old_backup = export(&source);
    let (_, target) = new_vault(d2.path(), "target");
    import(&target, &old_backup);
    // The source rotates and retires the first key (say it leaked).
    let second = new_key();
    source
        .feeds()
        .rotate("P", second.public_key(), at(12, 0))
        .unwrap();
    source
        .feeds()
        .retire_key("P", first.public_key().key_id())
        .unwrap();
    let report = import(&target, &export(&source));
    assert_eq!(counts(&report, "trusted_publishers"), (0, 1, 0, 0));
    let p = target.feeds().publisher("P").unwrap();
    assert_eq!(p.keys.len(), 1);
    assert_eq!(p.keys[0].key, second.public_key());
    // The old backup cannot bring the retired key back.
    let report = import(&target, &old_backup);
    assert_eq!(counts(&report, "trusted_publishers"), (0, 0, 1, 0));
    assert_eq!(target.feeds().publisher("P").unwrap(), p);
    // A different publisher with the same name in the target is not overwritten.
    let d3 = tmp();
    let (_, other) = new_vault(d3.path(), "other");
    other
        .feeds()
        .trust("p", new_key().public_key(), at(1, 0))
        .unwrap();
    let report = import(&other, &old_backup);
    assert_eq!(counts(&report, "trusted_publishers"), (0, 0, 0, 1));
    assert_eq!(other.feeds().publishers().unwrap().items.len(), 1);
}

#[test]
fn malformed_records_of_every_section_are_reported_and_the_rest_imported() {
    let d1 = tmp();
    let (_, source) = new_vault(d1.path(), "source");
    fill(&source);
    let mut doc = plaintext(&export(&source));
    let s = doc["sections"].as_object_mut().unwrap();
    let push_bad = |s: &mut serde_json::Map<String, serde_json::Value>,
                    name: &str,
                    edit: &dyn Fn(&mut serde_json::Value)| {
        let records = s[name].as_array_mut().unwrap();
        let mut bad = records[0].clone();
        edit(&mut bad);
        records.insert(0, bad);
    };
    let fresh_id = serde_json::json!("00112233445566778899aabbccddeeff");
    push_bad(s, "client_notes", &|r| {
        r["id"] = fresh_id.clone();
        r["identifiers"] = serde_json::json!([{"kind": "phone", "value": "not a number"}]);
    });
    push_bad(s, "buddies", &|r| {
        r["id"] = fresh_id.clone();
        r["phone"] = serde_json::json!("12");
    });
    push_bad(s, "trusted_publishers", &|r| {
        r["id"] = fresh_id.clone();
        r["name"] = serde_json::json!("Other");
        r["keys"][0]["key_id"] = serde_json::json!("0000000000000000");
    });
    push_bad(s, "feed_versions", &|r| {
        r["publisher_id"] = fresh_id.clone();
    });
    // A language tag longer than any (a bundle's import refuses it too).
    push_bad(s, "alerts", &|r| {
        r["id"] = serde_json::json!("ffeeddccbbaa99887766554433221100");
        r["lang"] = serde_json::json!("x".repeat(36));
    });
    push_bad(s, "alerts", &|r| {
        r["id"] = fresh_id.clone();
        r["feed_version"] = serde_json::json!(2);
    });
    // The first directory part is broken in place (not a copy).
    s["directory"][0]["time_zone"] = serde_json::json!("Mars/Olympus_Mons");
    // A record that is not an object of its section at all.
    s["client_notes"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!([1, 2, 3]));
    let file = encrypt(&document(&doc));

    let d2 = tmp();
    let (_, target) = new_vault(d2.path(), "target");
    let report = import(&target, &file);
    assert_eq!(counts(&report, "client_notes"), (2, 0, 0, 2));
    assert_eq!(counts(&report, "buddies"), (2, 0, 0, 1));
    assert_eq!(counts(&report, "trusted_publishers"), (1, 0, 0, 1));
    assert_eq!(counts(&report, "feed_versions"), (2, 0, 0, 1));
    assert_eq!(counts(&report, "alerts"), (2, 0, 0, 2));
    // The bad part was the first part of the only directory: the other part is stored and
    // the directory loads as incomplete, so the app asks for the bundle again.
    assert_eq!(counts(&report, "directory"), (1, 0, 0, 1));
    let notes = section(&report, "client_notes");
    assert_eq!(notes.rejected[0].index, 0);
    assert_eq!(
        notes.rejected[0].id.map(|i| i.to_string()).as_deref(),
        Some("00112233445566778899aabbccddeeff")
    );
    assert!(
        notes.rejected[0].reason.contains("phone"),
        "{}",
        notes.rejected[0].reason
    );
    assert_eq!(notes.rejected[1].index, 3);
    assert!(section(&report, "buddies").rejected[0]
        .reason
        .contains("phone"));
    assert!(section(&report, "trusted_publishers").rejected[0]
        .reason
        .contains("key id"));
    assert!(section(&report, "feed_versions").rejected[0]
        .reason
        .contains("publisher"));
    let alerts = &section(&report, "alerts").rejected;
    assert!(alerts[0].reason.contains("version"), "{}", alerts[0].reason);
    assert!(alerts[1].reason.contains("lang"), "{}", alerts[1].reason);
    assert!(section(&report, "directory").rejected[0]
        .reason
        .contains("time zone"));
    // Rejections carry no record content.
    for r in &report.sections {
        for rej in &r.rejected {
            assert!(!rej.reason.contains("not a number") && !rej.reason.contains("Mars"));
        }
    }
    assert_eq!(sc(&target).notes().unwrap().items.len(), 2);
    assert_eq!(target.feeds().publishers().unwrap().items.len(), 1);
    assert_eq!(sc(&target).alert_count().unwrap(), 2);
    let loaded = target.directory().load().unwrap();
    assert_eq!(loaded.incomplete, ["Leeds Project"]);
}

/// Imports `file` into a full vault and checks the error and that nothing changed.
fn assert_fatal_and_unchanged(file: &[u8], ids: &[Identity], expected: impl Fn(&Error) -> bool) {
    let d = tmp();
    let (_, target) = new_vault(d.path(), "target");
    fill(&target);
    let before = state(&target);
    let err = target.backup().import(Cursor::new(file), ids).unwrap_err();
    assert!(expected(&err), "unexpected error {err:?}");
    assert_eq!(state(&target), before, "target vault changed");
    assert!(target.checkins(&esc()).codes_set().unwrap());
}

fn age_error(err: &Error) -> Option<&AgeError> {
    match err {
        Error::Export(ExportError::Age(e)) => Some(e),
        _ => None,
    }
}

#[test]
fn fatal_errors_leave_a_full_vault_exactly_as_it_was() {
    let d = tmp();
    let (_, source) = new_vault(d.path(), "source");
    fill(&source);
    // Records the target does not have, in every section, so a partial import would show.
    let file = export(&source);
    const CHUNK: usize = 64 * 1024 + 16;
    assert!(file.len() > 3 * CHUNK, "the export spans several chunks");

    assert_fatal_and_unchanged(&file, &[Identity::passphrase("wrong")], |e| {
        matches!(age_error(e), Some(AgeError::WrongPassphrase))
    });
    // The last chunk: every section before the directory's tail was already merged.
    let mut tampered = file.clone();
    let last = tampered.len() - 20;
    tampered[last] ^= 0x40;
    assert_fatal_and_unchanged(&tampered, &identities(), |e| {
        matches!(age_error(e), Some(AgeError::TamperedChunk { .. }))
    });
    assert_fatal_and_unchanged(&file[..file.len() - 200], &identities(), |e| {
        matches!(
            age_error(e),
            Some(AgeError::TamperedChunk { .. } | AgeError::Truncated)
        )
    });
    let mut doc = plaintext(&file);
    doc["version"] = serde_json::json!(2);
    assert_fatal_and_unchanged(&encrypt(&document(&doc)), &identities(), |e| {
        matches!(e, Error::Export(ExportError::UnsupportedVersion(2)))
    });
    // Valid records, then broken JSON at the very end.
    let mut broken = document(&plaintext(&file));
    broken.truncate(broken.len() - 3);
    assert_fatal_and_unchanged(&encrypt(&broken), &identities(), |e| {
        matches!(e, Error::Export(ExportError::Malformed(_)))
    });
}

#[test]
fn feed_contents_without_their_version_record_are_rejected() {
    let d1 = tmp();
    let (_, source) = new_vault(d1.path(), "source");
    fill(&source);
    let mut doc = plaintext(&export(&source));
    doc["sections"]["feed_versions"] = serde_json::json!([]);
    let d2 = tmp();
    let (_, target) = new_vault(d2.path(), "target");
    let report = import(&target, &encrypt(&document(&doc)));
    assert_eq!(counts(&report, "alerts"), (0, 0, 0, 2));
    assert_eq!(counts(&report, "directory"), (0, 0, 0, 2));
    assert_eq!(sc(&target).alert_count().unwrap(), 0);
    assert!(target.feeds().status(at(23, 0)).unwrap().is_empty());
}

/// The example in `docs/export-format.md` restores its note (screenable) and its buddy.
#[test]
fn the_documented_example_restores_notes_and_buddies() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/export-format.md"
    ))
    .unwrap();
    let example = doc
        .split("## Example")
        .nth(1)
        .and_then(|s| s.split("```json\n").nth(1))
        .and_then(|s| s.split("```").next())
        .expect("an example block");
    let d = tmp();
    let (_, target) = new_vault(d.path(), "target");
    let report = import(&target, &encrypt(example));
    assert_eq!(report.minor, 1);
    assert_eq!(counts(&report, "client_notes"), (1, 0, 0, 0));
    assert_eq!(counts(&report, "buddies"), (1, 0, 0, 0));
    let r = sc(&target).screen("07700 900123", at(23, 0)).unwrap();
    assert_eq!(r.overall, Risk::Caution);
    let buddies = target.checkins(&esc()).buddies().unwrap().items;
    assert_eq!(buddies[0].phone, "+447400123456");
    assert_eq!(buddies[0].channel, Channel::Sms);
}

/// Every key, string and number in `value`, except random ids and keys (16+ characters
/// of hex or base64), in which any four digits can occur by chance.
fn collect_non_id_strings(value: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value;
    // Random ids and keys (a publisher key is `vigil-pub:` and hex) may hold any digits.
    let id_like = |s: &str| {
        s.len() >= 16
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+/=_-".contains(&b))
    };
    match value {
        Value::String(s) if id_like(s.strip_prefix("vigil-pub:").unwrap_or(s)) => {}
        Value::String(s) => out.push(s.clone()),
        Value::Number(n) => out.push(n.to_string()),
        Value::Array(items) => items.iter().for_each(|v| collect_non_id_strings(v, out)),
        Value::Object(map) => map.iter().for_each(|(k, v)| {
            out.push(k.clone());
            collect_non_id_strings(v, out);
        }),
        _ => {}
    }
}

/// Overwrites the body of the first row (by id) of `table` with a value that is not a
/// blob, as an edit outside Vigil or a damaged page could; returns that row's id.
fn damage_first_row(path: &std::path::Path, table: &str, value: &str) -> RecordId {
    let conn = rusqlite::Connection::open(path).unwrap();
    let id: [u8; 16] = conn
        .query_row(
            &format!("SELECT id FROM {table} ORDER BY id LIMIT 1"),
            [],
            |r| r.get(0),
        )
        .unwrap();
    conn.execute(
        &format!("UPDATE {table} SET body = {value} WHERE id = ?1"),
        [&id[..]],
    )
    .unwrap();
    RecordId::from_bytes(id)
}

#[test]
fn a_row_whose_body_is_not_a_blob_is_reported_and_skipped_in_every_listing_and_the_export() {
    let (d1, d2) = (tmp(), tmp());
    let (path, source) = new_vault(d1.path(), "source");
    fill(&source);
    let before = state(&source);
    // Text, integer and real bodies: none of them is a sealed record.
    let damaged: Vec<(&str, RecordId)> = [
        ("bookings", "'x'"),
        ("screening_notes", "42"),
        ("checkin_buddies", "'x'"),
        ("feed_versions", "1.5"),
        ("screening_alerts", "'x'"),
        ("directory_chunks", "'x'"),
    ]
    .iter()
    .map(|(table, value)| (*table, damage_first_row(&path, table, value)))
    .collect();
    let id_of = |table: &str| damaged.iter().find(|(t, _)| *t == table).unwrap().1;

    let bookings = source.bookings().list(TimeRange::default()).unwrap();
    assert_eq!(bookings.unreadable, vec![id_of("bookings")]);
    assert_eq!(bookings.items.len(), before.bookings.len() - 1);
    assert!(matches!(
        source.bookings().get(&id_of("bookings")),
        Err(Error::Tampered)
    ));
    let notes = sc(&source).notes().unwrap();
    assert_eq!(notes.unreadable, vec![id_of("screening_notes")]);
    assert_eq!(notes.items.len(), before.notes.len() - 1);
    let buddies = source.checkins(&esc()).buddies().unwrap();
    assert_eq!(buddies.unreadable, vec![id_of("checkin_buddies")]);
    assert_eq!(buddies.items.len(), before.buddies.len() - 1);
    let alerts = sc(&source).alerts().unwrap();
    assert_eq!(alerts.unreadable, vec![id_of("screening_alerts")]);
    assert_eq!(alerts.items.len(), before.alerts.len() - 1);
    let directory = source.directory().load().unwrap();
    assert_eq!(directory.unreadable, vec![id_of("directory_chunks")]);
    assert!(directory.index.services().count() < before.directory.len());

    // The export succeeds, leaves out exactly the damaged rows and says which they are.
    let (file, report) = source
        .backup()
        .export(Vec::new(), &recipients(), at(23, 0))
        .unwrap();
    let reported: Vec<RecordId> = report.unreadable.iter().map(|u| u.id).collect();
    for (table, id) in &damaged {
        assert!(reported.contains(id), "{table} row not reported");
    }
    // Alerts or directory parts whose accepted-version record is the damaged one cannot be
    // restored with rollback protection: they are reported too, never silently dropped.
    for u in &report.unreadable {
        assert!(
            damaged.iter().any(|(_, id)| *id == u.id)
                || ["alerts", "directory"].contains(&u.section),
            "{u:?}"
        );
    }
    let total = |name: &str| report.sections.iter().find(|(n, _)| *n == name).unwrap().1;
    let left_out = |name: &str| {
        report
            .unreadable
            .iter()
            .filter(|u| u.section == name)
            .count() as u64
    };
    assert_eq!(left_out("bookings"), 1);
    assert_eq!(total("bookings"), before.bookings.len() as u64 - 1);
    assert_eq!(total("client_notes"), before.notes.len() as u64 - 1);
    assert_eq!(total("buddies"), before.buddies.len() as u64 - 1);
    assert_eq!(
        total("alerts"),
        before.alerts.len() as u64 - left_out("alerts")
    );

    // Everything else restores intact.
    let (_, target) = new_vault(d2.path(), "target");
    let imported = import(&target, &file);
    assert_eq!(
        counts(&imported, "bookings").0,
        before.bookings.len() as u64 - 1
    );
    let restored = target.bookings().list(TimeRange::default()).unwrap();
    assert!(restored.unreadable.is_empty());
    let expected_bookings: Vec<&Booking> = before
        .bookings
        .iter()
        .filter(|b| b.id != id_of("bookings"))
        .collect();
    assert_eq!(restored.items.iter().collect::<Vec<_>>(), expected_bookings);
    assert_eq!(
        sc(&target).notes().unwrap().items.len(),
        before.notes.len() - 1
    );
}
