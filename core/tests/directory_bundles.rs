//! Directory bundles end to end: publisher builds and signs, the vault verifies, stores each
//! publisher's services sealed, and loads them into one index.

use std::path::PathBuf;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use ring::rand::SystemRandom;
use vigil_core::clock::Timestamp;
use vigil_core::directory::import::import_nhs_choices;
use vigil_core::directory::{
    build_directory_bundle, Category, DirectoryContent, DirectoryIndex, NearbyQuery, Service,
    SERVICES_PER_CHUNK,
};
use vigil_core::feeds::{
    generate_publisher_key, sign_bundle, BundleDraft, BundleKind, FeedError, PublisherKey,
};
use vigil_core::vault::{Session, Vault, VaultOptions, MIN_KDF_ITERATIONS};
use vigil_core::Error;

fn t0() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
}

fn vault() -> (tempfile::TempDir, PathBuf, Session) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    let s = Vault::create(
        &path,
        "correct horse",
        &VaultOptions {
            kdf_iterations: MIN_KDF_ITERATIONS,
            device_secret: None,
        },
    )
    .unwrap();
    (dir, path, s)
}

fn new_key() -> PublisherKey {
    let (pkcs8, _) = generate_publisher_key(&SystemRandom::new()).unwrap();
    PublisherKey::from_pkcs8(&pkcs8).unwrap()
}

fn bundle(key: &PublisherKey, version: u64, services: Vec<Service>) -> Vec<u8> {
    let content = DirectoryContent::new("Europe/London", services);
    build_directory_bundle(key, &content, version, t0(), t0() + Duration::days(90)).unwrap()
}

/// A directory bundle signed around arbitrary content bytes (what a buggy or hostile
/// publisher could send).
fn raw_bundle(key: &PublisherKey, version: u64, content: &[u8]) -> Vec<u8> {
    sign_bundle(
        key,
        &BundleDraft {
            kind: BundleKind::Directory,
            version,
            issued_at: t0(),
            expires_at: t0() + Duration::days(90),
            content,
        },
    )
    .unwrap()
}

/// `n` pharmacies on a grid over the Midlands, ids `{prefix}{i}`.
fn grid(prefix: &str, n: usize) -> Vec<Service> {
    (0..n)
        .map(|i| {
            let lat = 52.0 + (i / 100) as f64 * 0.01;
            let lon = -2.0 + (i % 100) as f64 * 0.01;
            let mut s = Service::new(
                &format!("{prefix}{i}"),
                &format!("Pharmacy {i}"),
                &[Category::Pharmacy],
                lat,
                lon,
            );
            s.opening_hours = Some("Mo-Sa 09:00-18:00; PH off".into());
            s
        })
        .collect()
}

fn outreach_v1() -> Vec<Service> {
    let mut a1 = Service::new(
        "a1",
        "Night Outreach Van",
        &[Category::SexWorkProject],
        51.5155,
        -0.0720,
    );
    a1.opening_hours = Some("Fr-Sa 22:00-04:00".into());
    a1.languages = vec!["en".into(), "ro".into()];
    let a2 = Service::new(
        "a2",
        "Drop-in",
        &[Category::SexWorkProject, Category::NeedleExchange],
        51.5200,
        -0.0800,
    );
    vec![a1, a2]
}

fn ids_of(index: &DirectoryIndex, publisher: &str) -> Vec<String> {
    let mut ids: Vec<String> = index
        .services()
        .filter(|(p, _)| *p == publisher)
        .map(|(_, s)| s.id.clone())
        .collect();
    ids.sort();
    ids
}

fn feed_err<T: std::fmt::Debug>(r: vigil_core::Result<T>) -> FeedError {
    match r {
        Err(Error::Feed(e)) => e,
        other => panic!("expected a feed error, got {other:?}"),
    }
}

#[test]
fn publishers_merge_and_a_newer_bundle_replaces_only_its_own_services() {
    let (_dir, _path, s) = vault();
    let (outreach, nhs) = (new_key(), new_key());
    s.feeds()
        .trust("Outreach North", outreach.public_key(), t0())
        .unwrap();
    s.feeds().trust("NHS demo", nhs.public_key(), t0()).unwrap();

    let stored = s
        .directory()
        .accept_bundle(&bundle(&outreach, 1, outreach_v1())[..], t0())
        .unwrap();
    assert_eq!(stored.imported.services, 2);
    let big = grid("p", 2 * SERVICES_PER_CHUNK + 500);
    let stored = s
        .directory()
        .accept_bundle(&bundle(&nhs, 7, big.clone())[..], t0())
        .unwrap();
    assert_eq!(
        (stored.imported.services, stored.imported.chunks),
        (big.len(), 3)
    );
    assert_eq!(stored.status.version, 7);

    let loaded = s.directory().load().unwrap();
    assert!(loaded.unreadable.is_empty() && loaded.incomplete.is_empty());
    let index = &loaded.index;
    assert_eq!(index.len(), 2 + big.len());
    assert_eq!(ids_of(index, "Outreach North"), ["a1", "a2"]);
    let van = index
        .nearby(&NearbyQuery::new(51.5150, -0.0720, 2_000.0, 1, t0()))
        .unwrap();
    assert_eq!(
        (van[0].service.id.as_str(), van[0].publisher),
        ("a1", "Outreach North")
    );
    assert_eq!(van[0].service.languages, ["en", "ro"]);
    let nhs_ids = ids_of(index, "NHS demo");
    assert_eq!(nhs_ids.len(), big.len());

    // Version 2 from the outreach project: a1 gone, a2 renamed, a3 new.
    let mut v2 = outreach_v1();
    v2.remove(0);
    v2[0].name = "Drop-in (new address)".into();
    v2.push(Service::new(
        "a3",
        "Health Bus",
        &[Category::SexualHealthClinic],
        51.53,
        -0.09,
    ));
    s.directory()
        .accept_bundle(&bundle(&outreach, 2, v2)[..], t0() + Duration::days(1))
        .unwrap();

    let index = s.directory().load().unwrap().index;
    assert_eq!(ids_of(&index, "Outreach North"), ["a2", "a3"]);
    assert_eq!(
        ids_of(&index, "NHS demo"),
        nhs_ids,
        "the other publisher is untouched"
    );
    let a2 = index.services().find(|(_, s)| s.id == "a2").unwrap().1;
    assert_eq!(a2.name, "Drop-in (new address)");
    assert_eq!(index.len(), 2 + big.len());
    let outreach_id = s.feeds().publisher("Outreach North").unwrap().id;
    assert_eq!(
        s.feeds()
            .accepted_version(outreach_id, BundleKind::Directory)
            .unwrap(),
        Some(2)
    );
}

#[test]
fn refused_bundles_change_nothing() {
    let (_dir, _path, s) = vault();
    let key = new_key();
    let publisher = s
        .feeds()
        .trust("Outreach North", key.public_key(), t0())
        .unwrap();
    s.directory()
        .accept_bundle(&bundle(&key, 5, outreach_v1())[..], t0())
        .unwrap();
    let before = ids_of(&s.directory().load().unwrap().index, "Outreach North");

    // Rollback: an older or equal version.
    let replay = feed_err(
        s.directory()
            .accept_bundle(&bundle(&key, 5, vec![])[..], t0()),
    );
    assert!(
        matches!(
            replay,
            FeedError::Rollback {
                offered: 5,
                accepted: 5,
                ..
            }
        ),
        "{replay:?}"
    );

    // Content that fails validation, signed by the right key.
    let mut bad = outreach_v1();
    bad[1].latitude = 95.0;
    let content = serde_json::to_vec(&DirectoryContent::new("Europe/London", bad)).unwrap();
    match feed_err(
        s.directory()
            .accept_bundle(&raw_bundle(&key, 6, &content)[..], t0()),
    ) {
        FeedError::MalformedContent(m) => {
            assert!(m.contains("service 1") && m.contains("latitude"), "{m}");
            assert!(!m.contains("Drop-in"), "messages never quote content: {m}");
        }
        other => panic!("{other:?}"),
    }
    let bad_tz =
        serde_json::to_vec(&DirectoryContent::new("Europe/Nowhere", outreach_v1())).unwrap();
    assert!(matches!(
        feed_err(
            s.directory()
                .accept_bundle(&raw_bundle(&key, 6, &bad_tz)[..], t0())
        ),
        FeedError::MalformedContent(_)
    ));
    let mut dup = outreach_v1();
    dup[1].id = "a1".into();
    let dup = serde_json::to_vec(&DirectoryContent::new("Europe/London", dup)).unwrap();
    assert!(matches!(
        feed_err(
            s.directory()
                .accept_bundle(&raw_bundle(&key, 6, &dup)[..], t0())
        ),
        FeedError::MalformedContent(_)
    ));
    let mut future = DirectoryContent::new("Europe/London", outreach_v1());
    future.format = 2;
    let future = serde_json::to_vec(&future).unwrap();
    assert!(matches!(
        feed_err(
            s.directory()
                .accept_bundle(&raw_bundle(&key, 6, &future)[..], t0())
        ),
        FeedError::MalformedContent(_)
    ));
    assert!(matches!(
        feed_err(
            s.directory()
                .accept_bundle(&raw_bundle(&key, 6, b"{\"not\": \"a directory\"")[..], t0())
        ),
        FeedError::MalformedContent(_)
    ));
    // An alerts bundle offered as a directory.
    let alerts = sign_bundle(
        &key,
        &BundleDraft {
            kind: BundleKind::Alerts,
            version: 9,
            issued_at: t0(),
            expires_at: t0() + Duration::days(1),
            content: b"[]",
        },
    )
    .unwrap();
    assert!(matches!(
        feed_err(s.directory().accept_bundle(&alerts[..], t0())),
        FeedError::WrongKind { .. }
    ));
    // A stranger's bundle.
    assert!(matches!(
        feed_err(
            s.directory()
                .accept_bundle(&bundle(&new_key(), 10, vec![])[..], t0())
        ),
        FeedError::UnknownPublisherKey { .. }
    ));

    assert_eq!(
        ids_of(&s.directory().load().unwrap().index, "Outreach North"),
        before
    );
    assert_eq!(
        s.feeds()
            .accepted_version(publisher.id, BundleKind::Directory)
            .unwrap(),
        Some(5)
    );

    // And the publisher tool refuses to sign invalid content in the first place.
    let mut dup = outreach_v1();
    dup.push(dup[0].clone());
    let err = build_directory_bundle(
        &key,
        &DirectoryContent::new("Europe/London", dup),
        6,
        t0(),
        t0() + Duration::days(1),
    );
    assert!(err.is_err());
}

#[test]
fn an_empty_bundle_clears_a_publisher_and_removal_drops_its_services() {
    let (_dir, _path, s) = vault();
    let (a, b) = (new_key(), new_key());
    s.feeds().trust("A", a.public_key(), t0()).unwrap();
    s.feeds().trust("B", b.public_key(), t0()).unwrap();
    s.directory()
        .accept_bundle(&bundle(&a, 1, outreach_v1())[..], t0())
        .unwrap();
    s.directory()
        .accept_bundle(&bundle(&b, 1, grid("b", 10))[..], t0())
        .unwrap();
    assert_eq!(s.directory().load().unwrap().index.len(), 12);

    s.directory()
        .accept_bundle(&bundle(&a, 2, vec![])[..], t0())
        .unwrap();
    let loaded = s.directory().load().unwrap();
    assert_eq!((loaded.index.len(), loaded.incomplete.len()), (10, 0));

    s.feeds().remove("B").unwrap();
    assert_eq!(s.directory().load().unwrap().index.len(), 0);
}

#[test]
fn tampered_or_moved_chunks_are_reported_and_left_out() {
    let (_dir, path, s) = vault();
    let (a, b) = (new_key(), new_key());
    let pa = s.feeds().trust("A", a.public_key(), t0()).unwrap();
    s.feeds().trust("B", b.public_key(), t0()).unwrap();
    s.directory()
        .accept_bundle(&bundle(&a, 1, grid("a", SERVICES_PER_CHUNK + 10))[..], t0())
        .unwrap();
    s.directory()
        .accept_bundle(&bundle(&b, 1, grid("b", 10))[..], t0())
        .unwrap();

    // Someone with the file flips a byte in one of A's chunks and moves B's chunk under A.
    let raw = rusqlite::Connection::open(&path).unwrap();
    let a_chunks: Vec<(Vec<u8>, Vec<u8>)> = {
        let mut stmt = raw
            .prepare("SELECT id, body FROM directory_chunks WHERE publisher = ?1")
            .unwrap();
        stmt.query_map([pa.id], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    };
    assert_eq!(a_chunks.len(), 2);
    let (id, mut body) = a_chunks[0].clone();
    let mid = body.len() / 2;
    body[mid] ^= 1;
    raw.execute(
        "UPDATE directory_chunks SET body = ?2 WHERE id = ?1",
        rusqlite::params![id, body],
    )
    .unwrap();
    raw.execute(
        "UPDATE directory_chunks SET publisher = ?1 WHERE publisher <> ?1",
        [pa.id],
    )
    .unwrap();
    drop(raw);

    let loaded = s.directory().load().unwrap();
    assert_eq!(loaded.unreadable.len(), 2);
    // A lost a chunk; every chunk of B was moved away.
    assert_eq!(loaded.incomplete, ["A", "B"]);
    // What could be read is still there.
    assert!(
        loaded.index.len() == 10 || loaded.index.len() == SERVICES_PER_CHUNK,
        "{}",
        loaded.index.len()
    );
}

#[test]
fn the_nhs_directory_round_trips_through_a_signed_bundle_and_the_vault() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/datasets/nhs-choices");
    assert!(
        dir.join("Pharmacy.csv").is_file(),
        "NHS Choices test data missing at {}",
        dir.display()
    );
    let services = import_nhs_choices(&dir, NaiveDate::from_ymd_opt(2014, 2, 22))
        .unwrap()
        .services;
    let direct = DirectoryIndex::build([(
        "NHS".to_owned(),
        DirectoryContent::new("Europe/London", services.clone()),
    )])
    .unwrap();

    let (_dir, _path, s) = vault();
    let key = new_key();
    s.feeds().trust("NHS", key.public_key(), t0()).unwrap();
    let bytes = bundle(&key, 1, services);
    // Accepted after expiry: stored and loaded, but flagged stale.
    let accepted = s
        .directory()
        .accept_bundle(&bytes[..], t0() + Duration::days(365))
        .unwrap();
    assert!(accepted.status.stale);
    let loaded = s.directory().load().unwrap();
    assert_eq!(loaded.index.len(), 22_846);

    let at = Utc.with_ymd_and_hms(2014, 4, 18, 11, 0, 0).unwrap();
    for (lat, lon) in [
        (51.5074, -0.1278),
        (53.4808, -2.2426),
        (52.4862, -1.8904),
        (50.3755, -4.1427),
    ] {
        let q = NearbyQuery::new(lat, lon, 10_000.0, 10, at)
            .open(vigil_core::directory::OpenFilter::OpenOnly);
        let from_vault: Vec<_> = loaded
            .index
            .nearby(&q)
            .unwrap()
            .into_iter()
            .map(|h| (h.service.clone(), h.hours.clone()))
            .collect();
        let from_import: Vec<_> = direct
            .nearby(&q)
            .unwrap()
            .into_iter()
            .map(|h| (h.service.clone(), h.hours.clone()))
            .collect();
        assert_eq!(from_vault, from_import);
        assert!(!from_vault.is_empty());
    }
}
