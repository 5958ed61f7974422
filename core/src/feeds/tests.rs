use std::io::Read;

use chrono::{Duration, TimeZone, Utc};
use ring::rand::SystemRandom;

use super::*;
use crate::vault::{Vault, VaultOptions, MIN_KDF_ITERATIONS};

fn t0() -> Timestamp {
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
    s.conn()
        .execute_batch("CREATE TABLE test_items (item TEXT NOT NULL)")
        .unwrap();
    (dir, s)
}

fn new_key() -> PublisherKey {
    let (pkcs8, _) = generate_publisher_key(&SystemRandom::new()).unwrap();
    PublisherKey::from_pkcs8(&pkcs8).unwrap()
}

fn bundle(key: &PublisherKey, kind: BundleKind, version: u64, content: &str) -> Vec<u8> {
    sign_bundle(
        key,
        &BundleDraft {
            kind,
            version,
            issued_at: t0(),
            expires_at: t0() + Duration::days(30),
            content: content.as_bytes(),
        },
    )
    .unwrap()
}

/// A toy content kind: a JSON list of strings, replacing the table's rows.
fn import_items(conn: &Connection, b: &VerifiedBundle) -> Result<usize> {
    let items: Vec<String> = serde_json::from_slice(b.content())
        .map_err(|_| FeedError::MalformedContent("not a list of strings".into()))?;
    conn.execute("DELETE FROM test_items", [])?;
    for i in &items {
        conn.execute("INSERT INTO test_items (item) VALUES (?1)", [i])?;
    }
    Ok(items.len())
}

fn items(s: &Session) -> Vec<String> {
    let mut stmt = s
        .conn()
        .prepare("SELECT item FROM test_items ORDER BY item")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

fn accept(s: &Session, bytes: &[u8], now: Timestamp) -> Result<Accepted<usize>> {
    s.feeds()
        .accept(bytes, BundleKind::Alerts, now, import_items)
}

fn feed_err(r: Result<impl std::fmt::Debug>) -> FeedError {
    match r {
        Err(Error::Feed(e)) => e,
        other => panic!("expected a feed error, got {other:?}"),
    }
}

/// A trusted publisher "Project" with one accepted bundle (version 5, items a and b).
fn with_accepted() -> (tempfile::TempDir, Session, PublisherKey) {
    let (dir, s) = session();
    let key = new_key();
    s.feeds().trust("Project", key.public_key(), t0()).unwrap();
    let acc = accept(
        &s,
        &bundle(&key, BundleKind::Alerts, 5, r#"["a","b"]"#),
        t0(),
    )
    .unwrap();
    assert_eq!(
        (acc.imported, acc.status.version, acc.status.stale),
        (2, 5, false)
    );
    (dir, s, key)
}

fn assert_untouched(s: &Session) {
    assert_eq!(items(s), ["a", "b"]);
    let status = s.feeds().status(t0()).unwrap();
    assert_eq!(status.len(), 1);
    assert_eq!(status[0].version, 5);
}

#[test]
fn accepts_a_signed_bundle_and_records_its_version() {
    let (_d, s, key) = with_accepted();
    assert_untouched(&s);
    let acc = accept(&s, &bundle(&key, BundleKind::Alerts, 6, r#"["c"]"#), t0()).unwrap();
    assert_eq!(acc.status.publisher, "Project");
    assert_eq!(acc.status.key_id, key.key_id());
    assert_eq!(items(&s), ["c"]);
    let p = s.feeds().publisher("project").unwrap();
    assert_eq!(
        s.feeds()
            .accepted_version(p.id, BundleKind::Alerts)
            .unwrap(),
        Some(6)
    );
    assert_eq!(
        s.feeds()
            .accepted_version(p.id, BundleKind::Directory)
            .unwrap(),
        None
    );
}

#[test]
fn bad_signature_is_refused_and_nothing_changes() {
    let (_d, s, key) = with_accepted();
    let mut b = bundle(&key, BundleKind::Alerts, 6, r#"["evil"]"#);
    let n = b.len();
    b[n - 70] ^= 1; // a content byte
    assert!(matches!(
        feed_err(accept(&s, &b, t0())),
        FeedError::BadSignature
    ));
    let mut b = bundle(&key, BundleKind::Alerts, 6, r#"["evil"]"#);
    b[n - 1] ^= 0x80; // the signature itself
    assert!(matches!(
        feed_err(accept(&s, &b, t0())),
        FeedError::BadSignature
    ));
    // The signed header is covered too: bump the version field in place.
    let mut b = bundle(&key, BundleKind::Alerts, 6, r#"["evil"]"#);
    let version_at = 13 + 8 + 1 + "alerts".len() + 7;
    b[version_at] = 9;
    assert!(matches!(
        feed_err(accept(&s, &b, t0())),
        FeedError::BadSignature
    ));
    assert_untouched(&s);
}

#[test]
fn unknown_key_is_refused() {
    let (_d, s, _key) = with_accepted();
    let stranger = new_key();
    let e = feed_err(accept(
        &s,
        &bundle(&stranger, BundleKind::Alerts, 9, r#"["x"]"#),
        t0(),
    ));
    assert!(matches!(e, FeedError::UnknownPublisherKey { key_id } if key_id == stranger.key_id()));
    assert_untouched(&s);
}

#[test]
fn a_trusted_key_id_on_another_signers_bundle_fails_the_signature() {
    let (_d, s, key) = with_accepted();
    let stranger = new_key();
    let mut b = bundle(&stranger, BundleKind::Alerts, 9, r#"["x"]"#);
    b[13..21].copy_from_slice(&key.key_id().0);
    assert!(matches!(
        feed_err(accept(&s, &b, t0())),
        FeedError::BadSignature
    ));
    assert_untouched(&s);
}

#[test]
fn older_or_equal_version_is_a_rollback() {
    let (_d, s, key) = with_accepted();
    for v in [1, 4, 5] {
        let e = feed_err(accept(
            &s,
            &bundle(&key, BundleKind::Alerts, v, r#"["old"]"#),
            t0(),
        ));
        assert!(
            matches!(e, FeedError::Rollback { offered, accepted: 5, kind: BundleKind::Alerts } if offered == v),
            "{e:?}"
        );
    }
    assert_untouched(&s);
}

#[test]
fn truncated_input_is_refused_at_every_length() {
    let (_d, s, key) = with_accepted();
    let b = bundle(&key, BundleKind::Alerts, 6, r#"["new"]"#);
    for cut in 0..b.len() {
        let e = feed_err(accept(&s, &b[..cut], t0()));
        assert!(matches!(e, FeedError::Truncated), "cut at {cut}: {e:?}");
    }
    assert_untouched(&s);
}

/// Counts the bytes a reader hands out, to prove an oversized bundle is not read whole.
struct Counting<'a> {
    inner: &'a [u8],
    read: usize,
}

impl Read for Counting<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n;
        Ok(n)
    }
}

#[test]
fn oversized_input_is_refused_before_it_is_read() {
    let (_d, s, key) = with_accepted();
    let big = format!("[\"{}\"]", "x".repeat(10_000));
    let b = bundle(&key, BundleKind::Alerts, 6, &big);
    let mut reader = Counting { inner: &b, read: 0 };
    let r = s.feeds().with_max_bundle_bytes(1_000).accept(
        &mut reader,
        BundleKind::Alerts,
        t0(),
        import_items,
    );
    assert!(matches!(feed_err(r), FeedError::TooLarge { limit: 1_000 }));
    assert!(reader.read <= 64, "read {} bytes", reader.read);
    // A forged declared length near u64::MAX is refused by the default limit too.
    let mut forged = b.clone();
    forged[5..13].copy_from_slice(&u64::MAX.to_be_bytes());
    assert!(matches!(
        feed_err(accept(&s, &forged, t0())),
        FeedError::TooLarge { .. }
    ));
    assert_untouched(&s);
}

#[test]
fn valid_signature_over_malformed_content_leaves_everything_untouched() {
    let (_d, s, key) = with_accepted();
    let e = feed_err(accept(
        &s,
        &bundle(&key, BundleKind::Alerts, 6, "{not json"),
        t0(),
    ));
    assert!(matches!(e, FeedError::MalformedContent(_)));
    // An importer that writes and then fails is rolled back as well.
    let b = bundle(&key, BundleKind::Alerts, 6, r#"["c"]"#);
    let r = s
        .feeds()
        .accept(&b[..], BundleKind::Alerts, t0(), |conn, b| {
            import_items(conn, b)?;
            Err::<(), _>(FeedError::MalformedContent("late failure".into()).into())
        });
    assert!(matches!(feed_err(r), FeedError::MalformedContent(_)));
    assert_untouched(&s);
    // And the same version is still acceptable afterwards.
    accept(&s, &b, t0()).unwrap();
    assert_eq!(items(&s), ["c"]);
}

#[test]
fn wrong_kind_is_refused() {
    let (_d, s, key) = with_accepted();
    let b = bundle(&key, BundleKind::Directory, 9, r#"["dir"]"#);
    let e = feed_err(accept(&s, &b, t0()));
    assert!(matches!(
        e,
        FeedError::WrongKind {
            expected: BundleKind::Alerts,
            found: BundleKind::Directory
        }
    ));
    assert_untouched(&s);
    // Versions are per kind: directory version 1 is fine after alerts version 5.
    let b = bundle(&key, BundleKind::Directory, 1, r#"["dir"]"#);
    s.feeds()
        .accept(&b[..], BundleKind::Directory, t0(), import_items)
        .unwrap();
    assert_eq!(s.feeds().status(t0()).unwrap().len(), 2);
}

#[test]
fn expired_bundle_is_accepted_but_stale() {
    let (_d, s, key) = with_accepted();
    assert!(s.feeds().stale(t0()).unwrap().is_empty());
    let later = t0() + Duration::days(31);
    assert_eq!(s.feeds().stale(later).unwrap().len(), 1);
    let acc = accept(&s, &bundle(&key, BundleKind::Alerts, 6, r#"["c"]"#), later).unwrap();
    assert!(acc.status.stale);
    assert_eq!(items(&s), ["c"]);
    let stale = s.feeds().stale(later).unwrap();
    assert_eq!((stale.len(), stale[0].version), (1, 6));
}

#[test]
fn envelope_errors_are_specific() {
    let (_d, s, key) = with_accepted();
    let b = bundle(&key, BundleKind::Alerts, 6, r#"["c"]"#);
    let mut trailing = b.clone();
    trailing.push(0);
    assert!(matches!(
        feed_err(accept(&s, &trailing, t0())),
        FeedError::MalformedEnvelope(_)
    ));
    let mut magic = b.clone();
    magic[0] = b'X';
    assert!(matches!(
        feed_err(accept(&s, &magic, t0())),
        FeedError::MalformedEnvelope(_)
    ));
    let mut format = b.clone();
    format[4] = 2;
    assert!(matches!(
        feed_err(accept(&s, &format, t0())),
        FeedError::UnsupportedFormat(2)
    ));
    let r = sign_bundle(
        &key,
        &BundleDraft {
            kind: BundleKind::Alerts,
            version: 1,
            issued_at: t0(),
            expires_at: t0(),
            content: b"[]",
        },
    );
    assert!(matches!(feed_err(r), FeedError::MalformedEnvelope(_)));
    assert_untouched(&s);
}

#[test]
fn rotation_keeps_two_keys_and_the_version_counter() {
    let (_d, s, k1) = with_accepted();
    let k2 = new_key();
    let p = s.feeds().rotate("Project", k2.public_key(), t0()).unwrap();
    assert_eq!(p.keys.len(), 2);
    accept(
        &s,
        &bundle(&k1, BundleKind::Alerts, 6, r#"["old key"]"#),
        t0(),
    )
    .unwrap();
    accept(
        &s,
        &bundle(&k2, BundleKind::Alerts, 7, r#"["new key"]"#),
        t0(),
    )
    .unwrap();
    // The version counter belongs to the publisher, not the key.
    let e = feed_err(accept(&s, &bundle(&k2, BundleKind::Alerts, 3, "[]"), t0()));
    assert!(matches!(e, FeedError::Rollback { accepted: 7, .. }));
    let k3 = new_key();
    let p = s.feeds().rotate("Project", k3.public_key(), t0()).unwrap();
    let ids: Vec<_> = p.keys.iter().map(|k| k.key_id).collect();
    assert_eq!(ids, [k2.key_id(), k3.key_id()]);
    let e = feed_err(accept(&s, &bundle(&k1, BundleKind::Alerts, 8, "[]"), t0()));
    assert!(matches!(e, FeedError::UnknownPublisherKey { .. }));
    // Retiring: not the last key.
    s.feeds().retire_key("Project", k2.key_id()).unwrap();
    assert!(matches!(
        feed_err(s.feeds().retire_key("Project", k3.key_id())),
        FeedError::LastKey
    ));
    assert!(matches!(
        feed_err(s.feeds().rotate("Project", k3.public_key(), t0())),
        FeedError::KeyAlreadyPinned
    ));
}

#[test]
fn trust_list_and_remove() {
    let (_d, s, key) = with_accepted();
    assert!(matches!(
        feed_err(s.feeds().trust("PROJECT ", new_key().public_key(), t0())),
        FeedError::PublisherExists
    ));
    assert!(matches!(
        feed_err(s.feeds().trust("Other", key.public_key(), t0())),
        FeedError::KeyAlreadyPinned
    ));
    assert!(matches!(
        s.feeds().trust("  ", new_key().public_key(), t0()),
        Err(Error::InvalidInput { .. })
    ));
    s.feeds()
        .trust("Another", new_key().public_key(), t0())
        .unwrap();
    let names: Vec<_> = s
        .feeds()
        .publishers()
        .unwrap()
        .items
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["Another", "Project"]);
    s.feeds().remove("project").unwrap();
    assert!(s.feeds().status(t0()).unwrap().is_empty());
    let n: i64 = s
        .conn()
        .query_row("SELECT count(*) FROM feed_versions", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 0);
    assert!(matches!(
        s.feeds().remove("project"),
        Err(Error::NotFound("publisher"))
    ));
    // Nothing about publishers is stored in the clear.
    let raw: Vec<u8> = s
        .conn()
        .query_row("SELECT body FROM feed_publishers", [], |r| r.get(0))
        .unwrap();
    assert!(!raw.windows(7).any(|w| w == b"Another"));
}

#[test]
fn verify_checks_without_recording() {
    let (_d, s, key) = with_accepted();
    let b = bundle(&key, BundleKind::Alerts, 6, r#"["c"]"#);
    let v = s.feeds().verify(&b[..], t0()).unwrap();
    assert_eq!(
        (v.publisher.as_str(), v.bundle.version, v.content()),
        ("Project", 6, &br#"["c"]"#[..])
    );
    assert_untouched(&s);
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

        #[test]
        fn reading_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            if let Ok(b) = UnverifiedBundle::read(&bytes[..], 1_000) {
                let _ = b.key_id();
            }
            let mut with_magic = b"VGLB\x01".to_vec();
            with_magic.extend_from_slice(&bytes);
            let _ = UnverifiedBundle::read(&with_magic[..], 1_000);
        }
    }
}

/// A two-step import does not hold the bundle while it writes (issue 16: the 26.6 MiB of
/// a 100,000-alert bundle stayed in memory beside the write's page cache); a one-step
/// import still parses the content inside the write.
#[test]
fn accept_prepared_releases_the_content_before_the_write() {
    let (_d, s) = session();
    let key = new_key();
    s.feeds().trust("Project", key.public_key(), t0()).unwrap();
    let b = bundle(&key, BundleKind::Alerts, 1, "[\"a\",\"b\"]");
    let acc = s
        .feeds()
        .accept_prepared(
            &b[..],
            BundleKind::Alerts,
            t0(),
            |bundle| Ok(bundle.content().len()),
            |_, bundle, seen| Ok((seen, bundle.content().len(), bundle.bundle.version)),
        )
        .unwrap();
    assert_eq!(acc.imported, (9, 0, 1));
    assert_eq!(acc.status.version, 1);
    let b = bundle(&key, BundleKind::Alerts, 2, "[\"c\"]");
    assert_eq!(accept(&s, &b, t0()).unwrap().imported, 1);
    assert_eq!(items(&s), ["c"]);
}

/// Verification reads the signed message in place: a bundle altered anywhere in the
/// payload, header fields or content, is still refused.
#[test]
fn any_altered_payload_byte_fails_verification() {
    let (_d, s) = session();
    let key = new_key();
    s.feeds().trust("Project", key.public_key(), t0()).unwrap();
    let good = bundle(&key, BundleKind::Alerts, 1, "[\"a\"]");
    // Past the key id (which selects the key), through the last content byte.
    for i in 13 + 8..good.len() - 64 {
        let mut b = good.clone();
        b[i] ^= 0x01;
        assert!(s.feeds().verify(&b[..], t0()).is_err(), "byte {i}");
    }
    assert!(s.feeds().verify(&good[..], t0()).is_ok());
}
