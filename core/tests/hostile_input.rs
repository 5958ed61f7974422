//! Resources under hostile input (issue 12): every reader is bounded, an oversized alert is
//! skipped, the publisher never signs what the apps refuse, and a passphrase file cannot
//! make scrypt take gigabytes.

use std::io::{Cursor, Read};

use chrono::{DateTime, Duration, TimeZone, Utc};
use ring::rand::SystemRandom;
use vigil_core::directory::import::{
    import_csv_path, import_nhs_choices, read_source, MAX_SOURCE_BYTES,
};
use vigil_core::directory::DirectoryError;
use vigil_core::export::age::{AgeError, AgeReader, AgeWriter, Identity, Recipient};
use vigil_core::feeds::{
    generate_publisher_key, sign_bundle, BundleDraft, BundleKind, FeedError, PublisherKey,
    DEFAULT_MAX_BUNDLE_BYTES, FORMAT_VERSION, MAGIC,
};
use vigil_core::screening::{Region, MAX_IDENTIFIERS_PER_ALERT};
use vigil_core::vault::{Session, Vault, VaultOptions, MIN_KDF_ITERATIONS};
use vigil_core::Error;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
}

fn session() -> (tempfile::TempDir, Session) {
    let dir = tempfile::tempdir().unwrap();
    let s = Vault::create(
        dir.path().join("v.db"),
        "correct horse",
        &VaultOptions {
            kdf_iterations: MIN_KDF_ITERATIONS,
            device_secret: None,
        },
    )
    .unwrap();
    (dir, s)
}

fn new_key() -> PublisherKey {
    let (pkcs8, _) = generate_publisher_key(&SystemRandom::new()).unwrap();
    PublisherKey::from_pkcs8(&pkcs8).unwrap()
}

fn draft(content: &[u8]) -> BundleDraft<'_> {
    BundleDraft {
        kind: BundleKind::Alerts,
        version: 1,
        issued_at: t0(),
        expires_at: t0() + Duration::days(14),
        content,
    }
}

fn phones(first: u32, n: usize) -> String {
    (0..n as u32)
        .map(|i| format!(r#"{{"kind":"phone","value":"07700 9{:05}"}}"#, first + i))
        .collect::<Vec<_>>()
        .join(",")
}

#[test]
fn an_alert_over_the_identifier_cap_is_skipped_and_reported() {
    let (_d, s) = session();
    let key = new_key();
    s.feeds().trust("Project", key.public_key(), t0()).unwrap();
    let line = |id: &str, ids: String| {
        format!(
            r#"{{"id":"{id}","issued":"2026-02-20T22:00:00Z","identifiers":[{ids}],"category":"violence"}}"#
        )
    };
    let content = format!(
        "{{\"format\":1,\"region\":\"GB\"}}\n{}\n{}\n",
        line("TOO-MANY", phones(0, MAX_IDENTIFIERS_PER_ALERT + 1)),
        line("AT-CAP", phones(20_000, MAX_IDENTIFIERS_PER_ALERT)),
    );
    let bundle = sign_bundle(&key, &draft(content.as_bytes())).unwrap();
    let report = s
        .screening(Region::GB)
        .import_alerts(&bundle[..], t0())
        .unwrap()
        .imported;
    assert_eq!(report.imported, 1);
    assert_eq!(report.skipped.len(), 1);
    assert_eq!(report.skipped[0].line, 2);
    assert!(
        report.skipped[0].reason.contains("too many identifiers"),
        "{}",
        report.skipped[0].reason
    );
    let screening = s.screening(Region::GB);
    // Every identifier of the alert at the cap is indexed; none of the skipped one is.
    assert!(!screening
        .screen_exact("07700 920099", t0())
        .unwrap()
        .matches
        .is_empty());
    assert!(screening
        .screen_exact("07700 900000", t0())
        .unwrap()
        .matches
        .is_empty());
}

fn too_large(r: vigil_core::Result<impl std::fmt::Debug>) -> u64 {
    match r {
        Err(Error::Directory(DirectoryError::TooLarge { limit, .. })) => limit,
        other => panic!("expected a source that is too large, got {other:?}"),
    }
}

#[test]
fn an_endless_source_is_refused_at_the_limit() {
    // GeoJSON and alert files go through `read_source` (the CLI's publish commands).
    let limit = too_large(read_source(
        "x.geojson",
        std::io::repeat(b'{'),
        MAX_SOURCE_BYTES,
    ));
    assert_eq!(limit, MAX_SOURCE_BYTES);
    let limit = too_large(read_source(
        "alerts.jsonl",
        std::io::repeat(b'\n'),
        DEFAULT_MAX_BUNDLE_BYTES,
    ));
    assert_eq!(limit, DEFAULT_MAX_BUNDLE_BYTES);
    // Exactly at the limit is accepted.
    let exact = read_source("x.csv", std::io::repeat(b'a').take(1000), 1000).unwrap();
    assert_eq!(exact.len(), 1000);
}

#[cfg(unix)]
#[test]
fn endless_csv_and_nhs_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("services.csv");
    std::os::unix::fs::symlink("/dev/zero", &csv).unwrap();
    assert_eq!(too_large(import_csv_path(&csv)), MAX_SOURCE_BYTES);
    for file in vigil_core::directory::import::NHS_FILES {
        std::os::unix::fs::symlink("/dev/zero", dir.path().join(file)).unwrap();
    }
    assert_eq!(
        too_large(import_nhs_choices(dir.path(), None)),
        MAX_SOURCE_BYTES
    );
}

#[test]
fn an_endless_bundle_is_refused() {
    let (_d, s) = session();
    // Not a bundle at all.
    let err = s
        .screening(Region::GB)
        .import_alerts(std::io::repeat(0), t0())
        .unwrap_err();
    assert!(
        matches!(err, Error::Feed(FeedError::MalformedEnvelope(_))),
        "{err:?}"
    );
    // A plausible header, then bytes that never end: the declared length bounds the read.
    let mut header = MAGIC.to_vec();
    header.push(FORMAT_VERSION);
    header.extend_from_slice(&1000u64.to_be_bytes());
    let err = s
        .screening(Region::GB)
        .import_alerts(Cursor::new(header).chain(std::io::repeat(7)), t0())
        .unwrap_err();
    assert!(
        matches!(err, Error::Feed(FeedError::MalformedEnvelope(_))),
        "{err:?}"
    );
}

#[test]
fn the_publisher_never_signs_a_bundle_the_apps_refuse() {
    let key = new_key();
    // Payload = key id 8 + kind length 1 + "alerts" 6 + version, times, content length 32.
    let room = DEFAULT_MAX_BUNDLE_BYTES as usize - (8 + 1 + 6 + 32);
    let mut content = vec![b'x'; room + 1];
    let err = sign_bundle(&key, &draft(&content)).unwrap_err();
    assert!(
        matches!(err, Error::Feed(FeedError::TooLarge { limit }) if limit == DEFAULT_MAX_BUNDLE_BYTES),
        "{err:?}"
    );
    // The largest bundle the publisher signs is one the apps read.
    content.pop();
    let bundle = sign_bundle(&key, &draft(&content)).unwrap();
    let (_d, s) = session();
    s.feeds().trust("Project", key.public_key(), t0()).unwrap();
    let verified = s.feeds().verify(&bundle[..], t0()).unwrap();
    assert_eq!(verified.content().len(), room);
}

fn passphrase_file(work_factor: u8) -> Vec<u8> {
    let mut w = AgeWriter::new(
        Vec::new(),
        &[Recipient::passphrase_with_work_factor("pw", work_factor)],
    )
    .unwrap();
    std::io::Write::write_all(&mut w, b"secret").unwrap();
    w.finish().unwrap()
}

#[test]
fn a_scrypt_work_factor_above_20_is_refused_before_scrypt_runs() {
    // Made at work factor 10, then the header claims 22 (4 GiB of scrypt memory). The MAC
    // no longer matches, but the reader must refuse on the work factor before computing
    // anything: the old reader ran scrypt at 2^22 first (4.1 GB, 44 s).
    let file = passphrase_file(10);
    let text = String::from_utf8_lossy(&file).into_owned();
    let line_end = text.find("\n").unwrap() + 1;
    let stanza_end = line_end + text[line_end..].find('\n').unwrap();
    let stanza = &text[line_end..stanza_end];
    assert!(
        stanza.starts_with("-> scrypt ") && stanza.ends_with(" 10"),
        "{stanza}"
    );
    for (claimed, expect_refused) in [("22", true), ("21", true), ("10", false)] {
        let mut hostile = file[..stanza_end - 2].to_vec();
        hostile.extend_from_slice(claimed.as_bytes());
        hostile.extend_from_slice(&file[stanza_end..]);
        let result = AgeReader::new(Cursor::new(hostile), &[Identity::passphrase("pw")]);
        match result {
            Err(AgeError::WorkFactorTooHigh { log_n, max }) => {
                assert!(expect_refused);
                assert_eq!((log_n, max), (claimed.parse().unwrap(), 20));
            }
            Ok(mut r) => {
                assert!(!expect_refused);
                let mut out = Vec::new();
                r.read_to_end(&mut out).unwrap();
                assert_eq!(out, b"secret");
            }
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    // The writer never makes a file the reader refuses.
    assert!(matches!(
        AgeWriter::new(
            Vec::new(),
            &[Recipient::passphrase_with_work_factor("pw", 21)]
        ),
        Err(AgeError::InvalidRecipient(_))
    ));
}

#[test]
fn endless_age_input_is_refused() {
    let id = [Identity::passphrase("pw")];
    let err = AgeReader::new(std::io::repeat(b'a'), &id).unwrap_err();
    assert!(matches!(err, AgeError::MalformedHeader(_)), "{err:?}");
    let endless_line =
        Cursor::new(b"age-encryption.org/v1\n-> scrypt ".to_vec()).chain(std::io::repeat(b'A'));
    let err = AgeReader::new(endless_line, &id).unwrap_err();
    assert!(matches!(err, AgeError::MalformedHeader(_)), "{err:?}");
    let armored =
        Cursor::new(b"-----BEGIN AGE ENCRYPTED FILE-----\n".to_vec()).chain(std::io::repeat(b'A'));
    let err = AgeReader::new(armored, &id).unwrap_err();
    assert!(matches!(err, AgeError::Armor(_)), "{err:?}");
    // A genuine header and nonce, then zeros forever: the first chunk fails to open.
    let file = passphrase_file(10);
    let mac = file.windows(5).position(|w| w == b"\n--- ").unwrap() + 1;
    let header_end = mac + file[mac..].iter().position(|&b| b == b'\n').unwrap() + 1;
    let endless = Cursor::new(file[..header_end + 16].to_vec()).chain(std::io::repeat(0));
    let mut reader = AgeReader::new(endless, &id).unwrap();
    let mut out = Vec::new();
    assert!(reader.read_to_end(&mut out).is_err());
}
