//! The vault's promises, tested from outside: wrong passphrases change nothing, damaged
//! headers and records fail clearly, nothing readable reaches the disk, and committed
//! writes survive a killed process.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use chrono::Duration;
use common::*;
use rusqlite::{params, Connection};
use vigil_core::bookings::{BookingDraft, BookingKind, Client, Place, TimeRange};
use vigil_core::vault::{Vault, VaultOptions, MIN_KDF_ITERATIONS};
use vigil_core::Error;

fn sha(path: &std::path::Path) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, &std::fs::read(path).unwrap())
        .as_ref()
        .to_vec()
}

fn raw(path: &std::path::Path) -> Connection {
    Connection::open(path).unwrap()
}

#[test]
fn create_lock_and_unlock_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let (path, session) = new_vault(dir.path(), "correct horse battery");
    let added = session
        .bookings()
        .add(
            BookingDraft::new("Regular", at(20, 0), 60, BookingKind::Incall),
            at(19, 0),
        )
        .unwrap();
    session.lock();
    let session = Vault::open(&path)
        .unwrap()
        .unlock("correct horse battery", None)
        .unwrap();
    assert_eq!(session.bookings().get(&added.id).unwrap(), added);
}

#[test]
fn wrong_passphrase_is_a_distinct_error_and_changes_nothing_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let (path, session) = new_vault(dir.path(), "right");
    session.lock();
    let before = sha(&path);
    let err = Vault::open(&path)
        .unwrap()
        .unlock("wrong", None)
        .unwrap_err();
    assert!(matches!(err, Error::WrongPassphrase), "{err:?}");
    assert_eq!(err.to_string(), "wrong passphrase");
    assert_eq!(sha(&path), before);
    // And the right one still works afterwards.
    Vault::open(&path).unwrap().unlock("right", None).unwrap();
}

#[test]
fn missing_vault_and_existing_vault_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("none.db");
    assert!(matches!(Vault::open(&path), Err(Error::VaultNotFound)));
    assert!(!path.exists());
    let (path, _s) = new_vault(dir.path(), "p");
    assert!(matches!(
        Vault::create(&path, "p", &fast_options()),
        Err(Error::VaultExists)
    ));
}

#[test]
fn empty_passphrase_and_weak_kdf_are_refused_at_creation() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    assert!(matches!(
        Vault::create(&path, "", &fast_options()),
        Err(Error::InvalidInput { .. })
    ));
    let weak = VaultOptions {
        kdf_iterations: 1000,
        device_secret: None,
    };
    assert!(matches!(
        Vault::create(&path, "p", &weak),
        Err(Error::WeakKdf)
    ));
    assert!(!path.exists(), "a refused vault leaves no file");
}

#[test]
fn truncated_or_foreign_files_are_corrupt_headers_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let (path, session) = new_vault(dir.path(), "p");
    session.lock();
    let bytes = std::fs::read(&path).unwrap();
    for len in [0usize, 10, 100, 1000, 4096] {
        let cut = dir.path().join(format!("cut{len}.db"));
        std::fs::write(&cut, &bytes[..len.min(bytes.len())]).unwrap();
        let result = Vault::open(&cut).and_then(|v| v.unlock("p", None));
        assert!(
            matches!(result, Err(Error::CorruptHeader(_))),
            "truncated to {len}: {result:?}"
        );
    }
    let garbage = dir.path().join("garbage.db");
    std::fs::write(&garbage, vec![0x5a; 8192]).unwrap();
    assert!(matches!(
        Vault::open(&garbage),
        Err(Error::CorruptHeader(_))
    ));
}

#[test]
fn unknown_format_version_is_reported_with_its_number() {
    let dir = tempfile::tempdir().unwrap();
    let (path, session) = new_vault(dir.path(), "p");
    session.lock();
    raw(&path)
        .execute("UPDATE vault_header SET format = 99", [])
        .unwrap();
    assert!(matches!(
        Vault::open(&path),
        Err(Error::UnsupportedFormat(99))
    ));
}

#[test]
fn downgraded_kdf_parameters_never_unlock() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    let options = VaultOptions {
        kdf_iterations: MIN_KDF_ITERATIONS * 2,
        device_secret: None,
    };
    Vault::create(&path, "p", &options).unwrap().lock();
    // Below the floor: refused before any work.
    raw(&path)
        .execute("UPDATE vault_header SET kdf_iterations = 1000", [])
        .unwrap();
    assert!(matches!(Vault::open(&path), Err(Error::WeakKdf)));
    // Above the floor but weaker than written: the key slot's associated data no longer
    // matches, so the wrap does not open even with the right passphrase.
    raw(&path)
        .execute(
            "UPDATE vault_header SET kdf_iterations = ?1",
            params![MIN_KDF_ITERATIONS],
        )
        .unwrap();
    assert!(matches!(
        Vault::open(&path).unwrap().unlock("p", None),
        Err(Error::WrongPassphrase)
    ));
    // Restored, it opens: nothing was destroyed by the failed attempts.
    raw(&path)
        .execute(
            "UPDATE vault_header SET kdf_iterations = ?1",
            params![MIN_KDF_ITERATIONS * 2],
        )
        .unwrap();
    Vault::open(&path).unwrap().unlock("p", None).unwrap();
}

#[test]
fn a_device_bound_vault_needs_its_device_secret_and_cannot_be_unbound() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    let options = VaultOptions {
        kdf_iterations: MIN_KDF_ITERATIONS,
        device_secret: Some(b"keystore secret 0123456789abcdef".to_vec()),
    };
    Vault::create(&path, "p", &options).unwrap().lock();
    let vault = Vault::open(&path).unwrap();
    assert!(matches!(
        vault.unlock("p", None),
        Err(Error::DeviceSecretRequired)
    ));
    // Another phone's secret does not even open the attempt counter (sealed under this
    // phone's), so no passphrase is tried.
    assert!(matches!(
        vault.unlock("p", Some(b"another phone's secret")),
        Err(Error::AttemptCounterTampered)
    ));
    vault
        .unlock("p", Some(b"keystore secret 0123456789abcdef"))
        .unwrap();
    // Clearing the flag to skip the device secret breaks the slot's associated data.
    // (The counter row still asks for the secret; without that row too, the slot refuses.)
    raw(&path)
        .execute("UPDATE vault_header SET device_bound = 0", [])
        .unwrap();
    assert!(matches!(
        Vault::open(&path).unwrap().unlock("p", None),
        Err(Error::DeviceSecretRequired)
    ));
    raw(&path).execute("DELETE FROM unlock_guard", []).unwrap();
    assert!(matches!(
        Vault::open(&path).unwrap().unlock("p", None),
        Err(Error::WrongPassphrase)
    ));
}

#[test]
fn changing_the_passphrase_rewraps_without_touching_records() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut session) = new_vault(dir.path(), "old pass");
    let b = session
        .bookings()
        .add(
            BookingDraft::new("X", at(21, 0), 30, BookingKind::Video),
            at(20, 0),
        )
        .unwrap();
    let body_before: Vec<u8> = session_body(&path, &b.id);
    assert!(matches!(
        session.change_passphrase("not it", "new pass", None),
        Err(Error::WrongPassphrase)
    ));
    assert!(matches!(
        session.change_passphrase("old pass", "", None),
        Err(Error::InvalidInput { .. })
    ));
    session
        .change_passphrase("old pass", "new pass", None)
        .unwrap();
    session.lock();
    assert_eq!(
        session_body(&path, &b.id),
        body_before,
        "records are not re-encrypted"
    );
    let vault = Vault::open(&path).unwrap();
    assert!(matches!(
        vault.unlock("old pass", None),
        Err(Error::WrongPassphrase)
    ));
    assert_eq!(
        vault
            .unlock("new pass", None)
            .unwrap()
            .bookings()
            .get(&b.id)
            .unwrap(),
        b
    );
}

fn session_body(path: &std::path::Path, id: &vigil_core::vault::RecordId) -> Vec<u8> {
    raw(path)
        .query_row(
            "SELECT body FROM bookings WHERE id = ?1",
            params![id],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn a_flipped_byte_in_one_record_fails_that_record_only() {
    let dir = tempfile::tempdir().unwrap();
    let (path, session) = new_vault(dir.path(), "p");
    let bookings = session
        .bookings()
        .add_many(
            (0..3)
                .map(|i| {
                    BookingDraft::new(&format!("C{i}"), at(10 + i, 0), 60, BookingKind::Outcall)
                })
                .collect(),
            at(9, 0),
        )
        .unwrap();
    let victim = &bookings[1];
    let mut body = session_body(&path, &victim.id);
    for offset in [0, 1, 2, 14, body.len() / 2, body.len() - 1] {
        let mut tampered = body.clone();
        tampered[offset] ^= 0x20;
        raw(&path)
            .execute(
                "UPDATE bookings SET body = ?2 WHERE id = ?1",
                params![victim.id, tampered],
            )
            .unwrap();
        assert!(
            matches!(session.bookings().get(&victim.id), Err(Error::Tampered)),
            "offset {offset}"
        );
        assert_eq!(
            session.bookings().get(&bookings[0].id).unwrap(),
            bookings[0]
        );
        let listing = session.bookings().list(TimeRange::default()).unwrap();
        assert_eq!(listing.items.len(), 2);
        assert_eq!(listing.unreadable, vec![victim.id]);
    }
    // A truncated blob too.
    body.truncate(10);
    raw(&path)
        .execute(
            "UPDATE bookings SET body = ?2 WHERE id = ?1",
            params![victim.id, body],
        )
        .unwrap();
    assert!(matches!(
        session.bookings().get(&victim.id),
        Err(Error::Tampered)
    ));
}

#[test]
fn a_blob_copied_to_another_row_does_not_open() {
    let dir = tempfile::tempdir().unwrap();
    let (path, session) = new_vault(dir.path(), "p");
    let a = session
        .bookings()
        .add(
            BookingDraft::new("Alpha", at(10, 0), 60, BookingKind::Incall),
            at(9, 0),
        )
        .unwrap();
    let b = session
        .bookings()
        .add(
            BookingDraft::new("Beta", at(11, 0), 60, BookingKind::Incall),
            at(9, 0),
        )
        .unwrap();
    let body_a = session_body(&path, &a.id);
    raw(&path)
        .execute(
            "UPDATE bookings SET body = ?2 WHERE id = ?1",
            params![b.id, body_a],
        )
        .unwrap();
    assert!(matches!(
        session.bookings().get(&b.id),
        Err(Error::Tampered)
    ));
    assert_eq!(session.bookings().get(&a.id).unwrap(), a);
}

#[test]
fn bookings_crud_and_time_range_listing_newest_first() {
    let dir = tempfile::tempdir().unwrap();
    let (_path, session) = new_vault(dir.path(), "p");
    let log = session.bookings();
    let early = log
        .add(
            BookingDraft::new("Early", at(9, 0), 60, BookingKind::Incall),
            at(8, 0),
        )
        .unwrap();
    let mid = log
        .add(
            BookingDraft::new("Mid", at(13, 0), 90, BookingKind::Outcall),
            at(8, 0),
        )
        .unwrap();
    let late = log
        .add(
            BookingDraft::new("Late", at(22, 0), 30, BookingKind::Video),
            at(8, 0),
        )
        .unwrap();
    assert_eq!(mid.duration(), Some(Duration::minutes(90)));

    let all = log.list(TimeRange::default()).unwrap().items;
    assert_eq!(
        all.iter().map(|b| b.id).collect::<Vec<_>>(),
        vec![late.id, mid.id, early.id]
    );
    let window = TimeRange {
        from: Some(at(9, 0)),
        to: Some(at(13, 0)),
    };
    let some = log.list(window).unwrap().items;
    assert_eq!(
        some.iter().map(|b| b.id).collect::<Vec<_>>(),
        vec![mid.id, early.id]
    );

    let mut details = mid.details.clone();
    details.client.phone = Some("07700 900123".into());
    details.notes = Some("gate code 1234".into());
    let updated = log.update(&mid.id, details, at(14, 0)).unwrap();
    assert_eq!(updated.created_at, at(8, 0));
    assert_eq!(updated.updated_at, at(14, 0));
    assert_eq!(log.get(&mid.id).unwrap(), updated);
    let done = log
        .set_status(
            &mid.id,
            vigil_core::bookings::BookingStatus::Done,
            at(15, 0),
        )
        .unwrap();
    assert_eq!(
        done.details.status,
        vigil_core::bookings::BookingStatus::Done
    );

    log.delete(&early.id).unwrap();
    assert!(matches!(
        log.get(&early.id),
        Err(Error::NotFound("booking"))
    ));
    assert!(matches!(
        log.delete(&early.id),
        Err(Error::NotFound("booking"))
    ));
    assert_eq!(log.list(TimeRange::default()).unwrap().items.len(), 2);
}

#[test]
fn impossible_bookings_are_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let (_path, session) = new_vault(dir.path(), "p");
    let ok = BookingDraft::new("C", at(10, 0), 60, BookingKind::Incall);
    let mut bad_end = ok.clone();
    bad_end.ends_at = Some(at(9, 0));
    let mut no_label = ok.clone();
    no_label.client.label = "  ".into();
    let mut half_coords = ok.clone();
    half_coords.place.latitude = Some(51.5);
    let mut nan = ok.clone();
    nan.place = Place {
        address: None,
        latitude: Some(f64::NAN),
        longitude: Some(0.0),
    };
    let mut far = ok.clone();
    far.place.latitude = Some(91.0);
    far.place.longitude = Some(0.0);
    for (what, draft) in [
        ("end", bad_end),
        ("label", no_label),
        ("coords", half_coords),
        ("nan", nan),
        ("range", far),
    ] {
        let err = session
            .bookings()
            .add_many(vec![ok.clone(), draft], at(8, 0))
            .unwrap_err();
        assert!(matches!(err, Error::InvalidInput { .. }), "{what}: {err:?}");
    }
    assert!(session
        .bookings()
        .list(TimeRange::default())
        .unwrap()
        .items
        .is_empty());
}

const CANARIES: &[&str] = &[
    "Canary Client Zebedee",
    "07700 900461",
    "zebedee@example.org",
    "@zebedee_handle",
    "14 Canary Wharf Lane",
    "Canary terms two hours",
    "Canary notes ring twice",
];

fn canary_draft() -> BookingDraft {
    BookingDraft {
        client: Client {
            label: CANARIES[0].into(),
            phone: Some(CANARIES[1].into()),
            email: Some(CANARIES[2].into()),
            handle: Some(CANARIES[3].into()),
        },
        place: Place {
            address: Some(CANARIES[4].into()),
            latitude: Some(51.5054),
            longitude: Some(-0.0235),
        },
        terms: Some(CANARIES[5].into()),
        notes: Some(CANARIES[6].into()),
        ..BookingDraft::new("x", at(23, 17), 120, BookingKind::Outcall)
    }
}

#[test]
fn no_plaintext_reaches_any_file_after_writes_deletes_and_wipe() {
    let dir = tempfile::tempdir().unwrap();
    let (path, session) = new_vault(dir.path(), "p");
    // Times too: the start time in the formats serde and people would write it.
    let times = ["2026-11-28T23:17", "23:17", "51.5054"];
    let all: Vec<&str> = CANARIES.iter().chain(times.iter()).copied().collect();

    let kept = session.bookings().add(canary_draft(), at(9, 0)).unwrap();
    assert!(
        std::fs::metadata(vault_files(&path)[1].clone()).is_ok(),
        "WAL in use"
    );
    assert_eq!(
        canaries_found(&path, &all),
        Vec::<String>::new(),
        "after write"
    );

    let mut doomed = canary_draft();
    doomed.client.label = "Doomed Canary Quentin".into();
    let doomed = session.bookings().add(doomed, at(9, 0)).unwrap();
    // The sealed blob itself must not survive its deletion either (secure_delete and the
    // checkpoint after deletes), or a later key compromise would expose it.
    let doomed_blob = session_body(&path, &doomed.id);
    let tail = doomed_blob[doomed_blob.len() - 24..].to_vec();
    session.bookings().delete(&doomed.id).unwrap();
    let leftovers: Vec<String> = vault_files(&path)
        .iter()
        .filter_map(|f| std::fs::read(f).ok())
        .filter(|bytes| bytes.windows(24).any(|w| w == tail.as_slice()))
        .map(|_| "deleted ciphertext".to_string())
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert_eq!(
        canaries_found(&path, &["Doomed Canary Quentin"]),
        Vec::<String>::new(),
        "after delete"
    );
    assert!(session.bookings().get(&kept.id).is_ok());

    session.wipe().unwrap();
    for f in vault_files(&path) {
        assert!(!f.exists(), "{} survived the wipe", f.display());
    }
    assert_eq!(
        canaries_found(&path, &all),
        Vec::<String>::new(),
        "after wipe"
    );
    // Idempotent, and safe with nothing left.
    Vault::wipe(&path).unwrap();
    assert!(matches!(Vault::open(&path), Err(Error::VaultNotFound)));
}

#[test]
fn locked_wipe_needs_no_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let (path, session) = new_vault(dir.path(), "p");
    session.bookings().add(canary_draft(), at(9, 0)).unwrap();
    session.lock();
    Vault::wipe(&path).unwrap();
    assert!(vault_files(&path).iter().all(|f| !f.exists()));
}

/// Run by `a_killed_writer_loses_no_committed_booking` in a child process.
#[test]
#[ignore = "child process of a_killed_writer_loses_no_committed_booking"]
fn child_writer() {
    let Ok(path) = std::env::var("VIGIL_CHILD_VAULT") else {
        return;
    };
    let session = Vault::open(&path).unwrap().unlock("p", None).unwrap();
    for i in 0.. {
        let batch: Vec<BookingDraft> = (0..5)
            .map(|j| {
                BookingDraft::new(
                    &format!("child {i}-{j}"),
                    at(10, 0),
                    60,
                    BookingKind::Incall,
                )
            })
            .collect();
        session.bookings().add_many(batch, at(9, 0)).unwrap();
        println!("committed {}", (i + 1) * 5);
    }
}

#[test]
fn a_killed_writer_loses_no_committed_booking() {
    let dir = tempfile::tempdir().unwrap();
    let (path, session) = new_vault(dir.path(), "p");
    session.lock();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_writer",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("VIGIL_CHILD_VAULT", &path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut committed = 0;
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        if let Some(n) = line.unwrap().strip_prefix("committed ") {
            committed = n.parse().unwrap();
            if committed >= 200 {
                break;
            }
        }
    }
    child.kill().unwrap(); // SIGKILL: no destructors, no checkpoint, mid-transaction.
    child.wait().unwrap();
    assert!(committed >= 200);
    let session = Vault::open(&path).unwrap().unlock("p", None).unwrap();
    let listing = session.bookings().list(TimeRange::default()).unwrap();
    assert!(listing.unreadable.is_empty());
    let n = listing.items.len();
    assert!(
        n >= committed && n % 5 == 0,
        "{n} bookings after {committed} committed"
    );
    // And the vault still takes writes.
    session
        .bookings()
        .add(
            BookingDraft::new("after", at(12, 0), 60, BookingKind::Incall),
            at(12, 0),
        )
        .unwrap();
}

/// The one rule for files that hold vault data outside the vault (exports, the tour's
/// backup): an older, wider file at the path is emptied and narrowed to 0600.
#[test]
fn a_private_file_replaces_an_older_wider_one_and_is_owner_only() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("backup.age");
    std::fs::write(&path, b"an older, longer file").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let mut file = vigil_core::vault::create_private_file(&path).unwrap();
    file.write_all(b"new").unwrap();
    drop(file);
    assert_eq!(std::fs::read(&path).unwrap(), b"new");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}

/// Paging and streaming give exactly the full listing's bookings in its order (ties on the
/// start time broken by id), with the damaged rows counted on every page and named on the
/// first, whatever the page size.
#[test]
fn pages_and_the_stream_follow_the_full_listing_and_report_damage() {
    let dir = tempfile::tempdir().unwrap();
    let (path, session) = new_vault(dir.path(), "pages");
    let drafts: Vec<_> = (0..40)
        .map(|i| {
            // Several bookings share each start time.
            BookingDraft::new(
                &format!("client {i}"),
                at(8 + i % 9, 0),
                30,
                BookingKind::Incall,
            )
        })
        .collect();
    let added = session.bookings().add_many(drafts, at(7, 0)).unwrap();
    // Two rows damaged on disk.
    let damaged = [added[3].id, added[17].id];
    for id in &damaged {
        raw(&path)
            .execute(
                "UPDATE bookings SET body = substr(body, 1, length(body) - 1) WHERE id = ?1",
                params![id],
            )
            .unwrap();
    }
    let range = TimeRange {
        from: Some(at(9, 0)),
        to: None,
    };
    let full = session.bookings().list(range).unwrap();
    assert_eq!(full.unreadable.len(), 2);
    let expected: Vec<_> = full.items.iter().map(|b| b.id).collect();
    assert!(expected.len() > 20);
    for limit in [1, 7, 100] {
        let mut seen = Vec::new();
        let mut after = None;
        let mut first = true;
        loop {
            let page = session.bookings().list_page(range, after, limit).unwrap();
            assert!(page.items.len() <= limit);
            assert_eq!(page.unreadable_count, 2);
            let mut named = page.unreadable.clone();
            named.sort();
            let mut want = if first { damaged.to_vec() } else { vec![] };
            want.truncate(limit);
            if first && limit < 2 {
                assert_eq!(named.len(), 1);
            } else {
                want.sort();
                assert_eq!(named, want);
            }
            first = false;
            seen.extend(page.items.iter().map(|b| b.id));
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        assert_eq!(seen, expected, "pages of {limit}");
    }
    let mut streamed = Vec::new();
    let unreadable = session
        .bookings()
        .for_each_newest_first(range, |b| {
            streamed.push(b.id);
            Ok(())
        })
        .unwrap();
    assert_eq!(streamed, expected);
    assert_eq!(unreadable, 2);
    let mut ids = Vec::new();
    session
        .bookings()
        .for_each_unreadable(|id| {
            ids.push(id);
            Ok(())
        })
        .unwrap();
    ids.sort();
    let mut want = damaged.to_vec();
    want.sort();
    assert_eq!(ids, want);
}
