//! Vault export and import through age: round trips, merging, and every failure leaving
//! the target vault unchanged.

mod common;

use std::io::{Cursor, Read, Write};

use chrono::Duration;
use common::{at, new_vault};
use vigil_core::bookings::{Booking, BookingDraft, BookingKind, BookingStatus, Place, TimeRange};
use vigil_core::export::age::{
    AgeError, AgeReader, AgeWriter, Identity, Recipient, X25519Identity,
};
use vigil_core::export::{ExportError, FORMAT_VERSION, LISTED_IN_REPORT};
use vigil_core::vault::Session;
use vigil_core::Error;

/// Low scrypt cost: tests run unoptimized.
const WORK_FACTOR: u8 = 10;
const PASSPHRASE: &str = "correct horse export staple";

fn passphrase() -> Vec<Recipient> {
    vec![Recipient::passphrase_with_work_factor(
        PASSPHRASE,
        WORK_FACTOR,
    )]
}

fn identity() -> Vec<Identity> {
    vec![Identity::passphrase(PASSPHRASE)]
}

fn draft(i: usize) -> BookingDraft {
    let mut d = BookingDraft::new(
        &format!("client {i}"),
        at(9, 0) + Duration::minutes(i as i64 * 90),
        60,
        if i % 2 == 0 {
            BookingKind::Incall
        } else {
            BookingKind::Outcall
        },
    );
    if i % 3 == 0 {
        d.place = Place {
            address: Some(format!("{i} Example Street")),
            latitude: Some(51.5 + (i % 1000) as f64 / 1000.0),
            longitude: Some(-0.12),
        };
        d.notes = Some("regular, pays in advance".into());
        d.status = BookingStatus::Done;
    }
    d
}

fn fill(session: &Session, n: usize) -> Vec<Booking> {
    let drafts = (0..n).map(draft).collect();
    session
        .bookings()
        .add_many(drafts, at(8, 0))
        .expect("add bookings")
}

fn all(session: &Session) -> Vec<Booking> {
    let listing = session.bookings().list(TimeRange::default()).expect("list");
    assert!(listing.unreadable.is_empty());
    listing.items
}

fn export(session: &Session, recipients: &[Recipient]) -> Vec<u8> {
    let (out, report) = session
        .backup()
        .export(Vec::new(), recipients, at(23, 0))
        .expect("export");
    assert!(report.unreadable.is_empty());
    out
}

/// Offset of the payload (after the header's MAC line and the 16-byte nonce).
fn payload_start(file: &[u8]) -> usize {
    let mac_line = file
        .windows(4)
        .position(|w| w == b"\n---")
        .expect("MAC line")
        + 1;
    let end = mac_line
        + file[mac_line..]
            .iter()
            .position(|&c| c == b'\n')
            .expect("newline")
        + 1;
    end + 16
}

const ENC_CHUNK: usize = 64 * 1024 + 16;

#[test]
fn round_trip_into_a_new_vault_keeps_ids_times_and_contents() {
    let dir = tempfile::tempdir().unwrap();
    let (_, source) = new_vault(&dir.path().join("a").tap_mkdir(), "source pass");
    let mut originals = fill(&source, 25);
    // An updated booking carries distinct created/updated times.
    let changed = source
        .bookings()
        .set_status(&originals[4].id, BookingStatus::Cancelled, at(12, 30))
        .unwrap();
    originals[4] = changed;
    let file = export(&source, &passphrase());

    let (_, target) = new_vault(&dir.path().join("b").tap_mkdir(), "target pass");
    let report = target
        .backup()
        .import(Cursor::new(&file), &identity())
        .expect("import");
    assert_eq!(report.version, FORMAT_VERSION);
    assert_eq!(report.exported_at, Some(at(23, 0)));
    // Every section is present, in export order, even when empty.
    assert_eq!(report.sections.len(), 10);
    assert_eq!(report.sections[0].section, "bookings");
    assert_eq!(report.sections[0].inserted, 25);
    assert!(report.skipped_sections.is_empty());
    assert_eq!(all(&target), all(&source));
    let restored = target.bookings().get(&originals[4].id).unwrap();
    assert_eq!(restored, originals[4]);
    assert_eq!(restored.created_at, at(8, 0));
    assert_eq!(restored.updated_at, at(12, 30));
}

#[test]
fn the_plaintext_is_the_documented_json_document() {
    let dir = tempfile::tempdir().unwrap();
    let (_, source) = new_vault(dir.path(), "pass");
    let originals = fill(&source, 3);
    let file = export(&source, &passphrase());
    let mut plain = String::new();
    AgeReader::new(Cursor::new(&file), &identity())
        .unwrap()
        .read_to_string(&mut plain)
        .unwrap();
    let doc: serde_json::Value = serde_json::from_str(&plain).unwrap();
    assert_eq!(doc["format"], "vigil-export");
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["minor"], vigil_core::export::FORMAT_MINOR);
    assert_eq!(doc["exported_at"], "2026-11-28T23:00:00Z");
    let records = doc["sections"]["bookings"].as_array().unwrap();
    assert_eq!(records.len(), 3);
    let first = originals
        .iter()
        .find(|b| b.id.to_string() == records[0]["id"])
        .unwrap();
    assert_eq!(records[0]["created_at"], "2026-11-28T08:00:00Z");
    // The published shape, not the sealed storage shape (integer times, nested details).
    assert!(records[0]["starts_at"].is_string(), "{}", records[0]);
    assert!(records[0].get("details").is_none());
    let mut keys: Vec<&str> = records[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "client",
            "created_at",
            "ends_at",
            "id",
            "kind",
            "notes",
            "place",
            "starts_at",
            "status",
            "terms",
            "updated_at"
        ]
    );
    assert_eq!(records[0]["client"]["label"], first.details.client.label);
}

#[test]
fn x25519_export_opens_with_any_of_its_recipients_only() {
    let dir = tempfile::tempdir().unwrap();
    let (_, source) = new_vault(&dir.path().join("a").tap_mkdir(), "pass");
    fill(&source, 5);
    let (alice, bob, eve) = (
        X25519Identity::generate().unwrap(),
        X25519Identity::generate().unwrap(),
        X25519Identity::generate().unwrap(),
    );
    let file = export(
        &source,
        &[
            Recipient::X25519(alice.to_public()),
            Recipient::X25519(bob.to_public()),
        ],
    );
    for (i, who) in [alice, bob].into_iter().enumerate() {
        let (_, target) = new_vault(&dir.path().join(format!("t{i}")).tap_mkdir(), "pass");
        target
            .backup()
            .import(Cursor::new(&file), &[Identity::X25519(who)])
            .unwrap();
        assert_eq!(all(&target), all(&source));
    }
    let (_, target) = new_vault(&dir.path().join("eve").tap_mkdir(), "pass");
    let err = target
        .backup()
        .import(
            Cursor::new(&file),
            &[Identity::X25519(eve), Identity::passphrase("guess")],
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Export(ExportError::Age(AgeError::NoMatchingIdentity))
        ),
        "{err:?}"
    );
    assert!(all(&target).is_empty());
}

#[test]
fn merging_never_duplicates_and_never_overwrites_a_newer_record() {
    let dir = tempfile::tempdir().unwrap();
    let (_, source) = new_vault(&dir.path().join("a").tap_mkdir(), "pass");
    let originals = fill(&source, 6);
    // Source has a newer version of booking 1.
    source
        .bookings()
        .set_status(&originals[1].id, BookingStatus::Done, at(13, 0))
        .unwrap();
    let first_export = export(&source, &passphrase());

    // The target restores it, then changes booking 2 itself, later.
    let (_, target) = new_vault(&dir.path().join("b").tap_mkdir(), "pass");
    target
        .backup()
        .import(Cursor::new(&first_export), &identity())
        .unwrap();
    let newer_local = target
        .bookings()
        .set_status(&originals[2].id, BookingStatus::Incident, at(20, 0))
        .unwrap();
    // Meanwhile the source changed booking 2 too, but earlier than the target did, and
    // booking 3 after the target's copy.
    source
        .bookings()
        .set_status(&originals[2].id, BookingStatus::Cancelled, at(14, 0))
        .unwrap();
    let newer_remote = source
        .bookings()
        .set_status(&originals[3].id, BookingStatus::Cancelled, at(21, 0))
        .unwrap();
    let second_export = export(&source, &passphrase());

    let report = target
        .backup()
        .import(Cursor::new(&second_export), &identity())
        .unwrap();
    let r = &report.sections[0];
    assert_eq!((r.inserted, r.updated, r.kept_existing), (0, 1, 5), "{r:?}");
    assert!(r.rejected.is_empty());
    let merged = all(&target);
    assert_eq!(merged.len(), 6, "no duplicates");
    assert_eq!(
        target.bookings().get(&originals[2].id).unwrap(),
        newer_local,
        "newer local kept"
    );
    assert_eq!(
        target.bookings().get(&originals[3].id).unwrap(),
        newer_remote,
        "newer import applied"
    );

    // Importing the same file again changes nothing.
    let again = target
        .backup()
        .import(Cursor::new(&second_export), &identity())
        .unwrap();
    assert_eq!(again.sections[0].kept_existing, 6);
    assert_eq!(all(&target), merged);
}

/// Imports `file` into a vault holding other bookings and checks that it fails with an
/// error matching `expected` and leaves the vault exactly as it was.
fn assert_rejected_unchanged(
    file: &[u8],
    identities: &[Identity],
    expected: impl Fn(&Error) -> bool,
) {
    let dir = tempfile::tempdir().unwrap();
    let (_, target) = new_vault(dir.path(), "target pass");
    let drafts = (100..104).map(draft).collect();
    target.bookings().add_many(drafts, at(7, 0)).unwrap();
    let before = all(&target);
    let err = target
        .backup()
        .import(Cursor::new(file), identities)
        .unwrap_err();
    assert!(expected(&err), "unexpected error {err:?}");
    assert_eq!(all(&target), before, "target vault changed");
}

fn age_error(err: &Error) -> Option<&AgeError> {
    match err {
        Error::Export(ExportError::Age(e)) => Some(e),
        _ => None,
    }
}

/// An export big enough for several 64 KiB chunks.
fn multi_chunk_export() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let (_, source) = new_vault(dir.path(), "pass");
    fill(&source, 900);
    let file = export(&source, &passphrase());
    assert!(
        file.len() - payload_start(&file) > 2 * ENC_CHUNK,
        "export spans 3+ chunks"
    );
    file
}

#[test]
fn wrong_passphrase_is_reported_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (_, source) = new_vault(dir.path(), "pass");
    fill(&source, 3);
    let file = export(&source, &passphrase());
    assert_rejected_unchanged(&file, &[Identity::passphrase("wrong")], |e| {
        matches!(age_error(e), Some(AgeError::WrongPassphrase))
    });
}

#[test]
fn tampered_header_is_reported_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (_, source) = new_vault(dir.path(), "pass");
    fill(&source, 3);
    let (alice, bob) = (
        X25519Identity::generate().unwrap(),
        X25519Identity::generate().unwrap(),
    );
    let file = export(
        &source,
        &[
            Recipient::X25519(alice.to_public()),
            Recipient::X25519(bob.to_public()),
        ],
    );
    // Swap the order of the two stanzas: each still opens, but the MAC covers the order.
    let text_end = payload_start(&file) - 16;
    let header = std::str::from_utf8(&file[..text_end]).unwrap();
    let lines: Vec<&str> = header.lines().collect();
    assert_eq!(lines.len(), 6, "version, 2 × (stanza + body), MAC");
    let swapped = [lines[0], lines[3], lines[4], lines[1], lines[2], lines[5]].join("\n") + "\n";
    let mut tampered = swapped.into_bytes();
    tampered.extend_from_slice(&file[text_end..]);
    assert_rejected_unchanged(&tampered, &[Identity::X25519(alice)], |e| {
        matches!(age_error(e), Some(AgeError::HeaderMac))
    });
}

#[test]
fn tampered_chunk_is_reported_and_nothing_before_it_is_kept() {
    let file = multi_chunk_export();
    let mut tampered = file.clone();
    // A byte in the second chunk: the first chunk's records are already inserted by then,
    // so this also proves the rollback.
    let pos = payload_start(&file) + ENC_CHUNK + 100;
    tampered[pos] ^= 0x01;
    assert_rejected_unchanged(&tampered, &identity(), |e| {
        matches!(age_error(e), Some(AgeError::TamperedChunk { index: 1 }))
    });
}

#[test]
fn truncated_file_is_reported_and_changes_nothing() {
    let file = multi_chunk_export();
    let start = payload_start(&file);
    // Cut exactly after two full chunks: every remaining chunk authenticates, yet the
    // final one is missing.
    assert_rejected_unchanged(&file[..start + 2 * ENC_CHUNK], &identity(), |e| {
        matches!(age_error(e), Some(AgeError::Truncated))
    });
    // Cut inside a chunk: that chunk no longer authenticates.
    assert_rejected_unchanged(&file[..start + ENC_CHUNK + 5000], &identity(), |e| {
        matches!(age_error(e), Some(AgeError::TamperedChunk { index: 1 }))
    });
    // Cut inside the header.
    assert_rejected_unchanged(&file[..40], &identity(), |e| {
        matches!(age_error(e), Some(AgeError::MalformedHeader(_)))
    });
}

fn encrypt(plain: &str) -> Vec<u8> {
    let mut w = AgeWriter::new(Vec::new(), &passphrase()).unwrap();
    w.write_all(plain.as_bytes()).unwrap();
    w.finish().unwrap()
}

/// One booking record exactly as an export writes it.
fn booking_json(i: usize) -> String {
    let dir = tempfile::tempdir().unwrap();
    let (_, s) = new_vault(dir.path(), "pass");
    s.bookings().add(draft(i), at(8, 0)).unwrap();
    let mut plain = String::new();
    AgeReader::new(Cursor::new(export(&s, &passphrase())), &identity())
        .unwrap()
        .read_to_string(&mut plain)
        .unwrap();
    let doc: serde_json::Value = serde_json::from_str(&plain).unwrap();
    doc["sections"]["bookings"][0].to_string()
}

#[test]
fn unknown_major_version_is_a_specific_error_and_changes_nothing() {
    let doc = format!(
        r#"{{"format":"vigil-export","version":2,"minor":0,"exported_at":"2026-11-28T23:00:00Z","sections":{{"bookings":[{}]}}}}"#,
        booking_json(1)
    );
    assert_rejected_unchanged(&encrypt(&doc), &identity(), |e| {
        matches!(e, Error::Export(ExportError::UnsupportedVersion(2)))
    });
}

#[test]
fn documents_that_are_not_exports_are_rejected() {
    assert_rejected_unchanged(&encrypt(r#"{"hello":"world"}"#), &identity(), |e| {
        matches!(e, Error::Export(ExportError::NotAnExport))
    });
    let broken = format!(
        r#"{{"format":"vigil-export","version":1,"sections":{{"bookings":[{},"#,
        booking_json(1)
    );
    assert_rejected_unchanged(&encrypt(&broken), &identity(), |e| {
        matches!(e, Error::Export(ExportError::Malformed(_)))
    });
    let trailing = r#"{"format":"vigil-export","version":1,"sections":{}} {}"#;
    assert_rejected_unchanged(&encrypt(trailing), &identity(), |e| {
        matches!(e, Error::Export(ExportError::Malformed(_)))
    });
}

#[test]
fn unknown_sections_of_a_newer_minor_version_are_skipped_and_reported() {
    let doc = format!(
        r#"{{"format":"vigil-export","version":1,"minor":7,"new_field":{{"x":[1,2]}},"sections":{{"holograms":[{{"a":1}}],"bookings":[{}]}}}}"#,
        booking_json(2)
    );
    let dir = tempfile::tempdir().unwrap();
    let (_, target) = new_vault(dir.path(), "pass");
    let report = target
        .backup()
        .import(Cursor::new(encrypt(&doc)), &identity())
        .unwrap();
    assert_eq!(report.minor, 7);
    assert_eq!(report.skipped_sections, vec!["holograms".to_owned()]);
    assert_eq!(report.sections[0].inserted, 1);
    assert_eq!(all(&target).len(), 1);
}

#[test]
fn invalid_records_are_reported_and_the_rest_imported() {
    let good = booking_json(3);
    let mut bad_end: serde_json::Value = serde_json::from_str(&booking_json(4)).unwrap();
    bad_end["ends_at"] = serde_json::json!("2020-01-01T00:00:00Z");
    let doc = format!(
        r#"{{"format":"vigil-export","version":1,"sections":{{"bookings":[{{"id":"00112233445566778899aabbccddeeff","nonsense":true}},{bad_end},{good}]}}}}"#
    );
    let dir = tempfile::tempdir().unwrap();
    let (_, target) = new_vault(dir.path(), "pass");
    let report = target
        .backup()
        .import(Cursor::new(encrypt(&doc)), &identity())
        .unwrap();
    let r = &report.sections[0];
    assert_eq!(r.inserted, 1);
    assert_eq!(r.rejected.len(), 2);
    assert_eq!(r.rejected[0].index, 0);
    assert_eq!(
        r.rejected[0].id.map(|i| i.to_string()).as_deref(),
        Some("00112233445566778899aabbccddeeff")
    );
    assert_eq!(r.rejected[1].index, 1);
    assert!(
        r.rejected[1].reason.contains("end time"),
        "{}",
        r.rejected[1].reason
    );
    assert_eq!(all(&target).len(), 1);
}

#[test]
fn a_file_of_many_invalid_records_gives_a_bounded_report() {
    let mut bad_end: serde_json::Value = serde_json::from_str(&booking_json(4)).unwrap();
    bad_end["ends_at"] = serde_json::json!("2020-01-01T00:00:00Z");
    let bad = bad_end.to_string();
    let mut records = vec![bad.as_str(); LISTED_IN_REPORT + 50];
    let good = booking_json(3);
    records.push(&good);
    let doc = format!(
        r#"{{"format":"vigil-export","version":1,"sections":{{"bookings":[{}]}}}}"#,
        records.join(",")
    );
    let dir = tempfile::tempdir().unwrap();
    let (_, target) = new_vault(dir.path(), "pass");
    let report = target
        .backup()
        .import(Cursor::new(encrypt(&doc)), &identity())
        .unwrap();
    let r = &report.sections[0];
    // Every rejection counted, the first LISTED_IN_REPORT listed, positions still exact.
    assert_eq!(
        (r.inserted, r.rejected_count),
        (1, LISTED_IN_REPORT as u64 + 50)
    );
    assert_eq!(r.rejected.len(), LISTED_IN_REPORT);
    assert!(r
        .rejected
        .iter()
        .enumerate()
        .all(|(i, x)| x.index == i as u64));
    assert_eq!(all(&target).len(), 1);
}

/// Flips one byte inside the sealed body of the first `n` bookings (in id order).
fn damage_bookings(path: &std::path::Path, n: usize) -> Vec<String> {
    let raw = rusqlite::Connection::open(path).unwrap();
    let rows: Vec<(Vec<u8>, Vec<u8>)> = raw
        .prepare("SELECT id, body FROM bookings ORDER BY id LIMIT ?1")
        .unwrap()
        .query_map([n as i64], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    rows.into_iter()
        .map(|(id, mut body)| {
            let mid = body.len() / 2;
            body[mid] ^= 1;
            raw.execute(
                "UPDATE bookings SET body = ?2 WHERE id = ?1",
                rusqlite::params![id, body],
            )
            .unwrap();
            id.iter().map(|b| format!("{b:02x}")).collect()
        })
        .collect()
}

#[test]
fn a_badly_damaged_vault_exports_with_a_bounded_report_and_every_id_streamed() {
    let dir = tempfile::tempdir().unwrap();
    let (path, source) = new_vault(dir.path(), "pass");
    let damaged = LISTED_IN_REPORT + 20;
    fill(&source, damaged + 10);
    let mut expected = damage_bookings(&path, damaged);
    let mut streamed = Vec::new();
    let (file, report) = source
        .backup()
        .export_reporting(Vec::new(), &passphrase(), at(12, 0), &mut |u| {
            assert_eq!(u.section, "bookings");
            streamed.push(u.id.to_string());
        })
        .unwrap();
    assert_eq!(report.unreadable_count, damaged as u64);
    assert_eq!(
        report.unreadable_by_section,
        vec![("bookings", damaged as u64)]
    );
    assert_eq!(report.unreadable.len(), LISTED_IN_REPORT);
    assert_eq!(report.sections[0], ("bookings", 10));
    // The callback saw every damaged row, and the report's list is the first of them.
    expected.sort();
    let listed: Vec<String> = report.unreadable.iter().map(|u| u.id.to_string()).collect();
    assert_eq!(listed[..], streamed[..LISTED_IN_REPORT]);
    streamed.sort();
    assert_eq!(streamed, expected);
    // What could be read still restores.
    let target_dir = tempfile::tempdir().unwrap();
    let (_, target) = new_vault(target_dir.path(), "pass");
    target
        .backup()
        .import(Cursor::new(file), &identity())
        .unwrap();
    assert_eq!(all(&target).len(), 10);
}

/// Peak resident memory so far, in KiB (Linux).
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

fn current_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Resets the peak so the next phase is measured on its own.
fn reset_peak() {
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
}

/// 100,000 bookings exported to a file and imported from it: peak memory growth during
/// each phase stays small and independent of the record count.
/// `cargo test -p vigil-core --release --test export -- --ignored --nocapture`
#[test]
#[ignore = "heavy: 100,000 records"]
fn hundred_thousand_records_stream_with_flat_memory() {
    const N: usize = 100_000;
    let dir = tempfile::tempdir().unwrap();
    let (_, source) = new_vault(&dir.path().join("a").tap_mkdir(), "pass");
    for batch in 0..N / 1000 {
        let drafts = (batch * 1000..(batch + 1) * 1000).map(draft).collect();
        source.bookings().add_many(drafts, at(8, 0)).unwrap();
    }
    let path = dir.path().join("export.age");

    reset_peak();
    let base = current_rss_kib();
    let file = std::fs::File::create(&path).unwrap();
    let (_, report) = source
        .backup()
        .export(std::io::BufWriter::new(file), &passphrase(), at(23, 0))
        .unwrap();
    let export_growth = peak_rss_kib().saturating_sub(base);
    assert_eq!(report.sections[0], ("bookings", N as u64));
    let size = std::fs::metadata(&path).unwrap().len();

    let (_, target) = new_vault(&dir.path().join("b").tap_mkdir(), "pass");
    reset_peak();
    let base = current_rss_kib();
    let file = std::fs::File::open(&path).unwrap();
    let report = target.backup().import(file, &identity()).unwrap();
    let import_growth = peak_rss_kib().saturating_sub(base);
    assert_eq!(report.sections[0].inserted, N as u64);

    eprintln!(
        "100k bookings: export file {:.1} MiB; peak RSS growth: export {} KiB, import {} KiB",
        size as f64 / 1048576.0,
        export_growth,
        import_growth
    );
    // The document is tens of MiB; holding it (or the records) would show here.
    assert!(size > 20 << 20);
    assert!(export_growth < 16 * 1024, "export grew {export_growth} KiB");
    assert!(import_growth < 16 * 1024, "import grew {import_growth} KiB");
}

trait TapMkdir {
    fn tap_mkdir(self) -> Self;
}

impl TapMkdir for std::path::PathBuf {
    fn tap_mkdir(self) -> Self {
        std::fs::create_dir_all(&self).unwrap();
        self
    }
}

/// The example in `docs/export-format.md` is a valid export of this build.
#[test]
fn the_documented_example_imports() {
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
    let dir = tempfile::tempdir().unwrap();
    let (_, target) = new_vault(dir.path(), "pass");
    let report = target
        .backup()
        .import(Cursor::new(encrypt(example)), &identity())
        .unwrap();
    assert_eq!(report.sections[0].inserted, 1);
    let b = target
        .bookings()
        .get(&"0f1e2d3c4b5a69788796a5b4c3d2e1f0".parse().unwrap())
        .unwrap();
    assert_eq!(b.details.client.label, "R.");
    assert_eq!(b.details.kind, BookingKind::Outcall);
    assert_eq!(b.details.status, BookingStatus::Done);
    assert_eq!(b.updated_at.to_rfc3339(), "2026-11-28T21:05:00+00:00");
    assert_eq!(b.details.place.latitude, Some(51.5072));
}
