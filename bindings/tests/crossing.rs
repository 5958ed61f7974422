//! What crosses the boundary is the core's data, not text made from it: an alert match
//! carries the publisher's name as the worker pinned it (case and punctuation kept) and the
//! category as an enum, never a lowercased debug string; identifiers read as the core
//! writes them.

use std::time::{Duration as StdDuration, SystemTime};

use chrono::{Duration, TimeZone, Utc};
use vigil_core::feeds::{generate_publisher_key, sign_bundle, BundleDraft, PublisherKey};
use vigil_core::vault::MIN_KDF_ITERATIONS;
use vigil_ffi::{AlertCategory, BundleKind, MatchSource, Risk, Vault};

#[test]
fn alert_match_keeps_the_publisher_name_and_a_typed_category() {
    let dir = tempfile::tempdir().unwrap();
    let vault = Vault::new(dir.path().join("v.db").to_string_lossy().into_owned());
    let session = vault
        .create(
            "correct horse battery".into(),
            b"keystore secret for the tests!!!".to_vec(),
            Some(MIN_KDF_ITERATIONS),
        )
        .unwrap();
    let (pkcs8, public) = generate_publisher_key(&ring::rand::SystemRandom::new()).unwrap();
    let key = PublisherKey::from_pkcs8(&pkcs8).unwrap();
    let issued = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let content = concat!(
        "{\"format\":1,\"region\":\"GB\"}\n",
        r#"{"id":"a1","issued":"2026-01-01T00:00:00Z","identifiers":[{"kind":"phone","value":"+447700900999"}],"area":{"place":"Leeds"},"category":"sexual_assault","description":"Test alert"}"#,
        "\n",
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
    let now = SystemTime::UNIX_EPOCH + StdDuration::from_secs(issued.timestamp() as u64 + 3600);
    session
        .trust_publisher("SWARM Ugly Mugs (NW)".into(), public.to_string(), now)
        .unwrap();
    let summary = session.import_bundle(bundle, now).unwrap();
    assert_eq!(summary.kind, BundleKind::Alerts);

    let result = session.screen("07700 900999".into(), now).unwrap();
    assert_eq!(result.overall, Risk::Danger);
    assert_eq!(
        result.matches[0].source,
        MatchSource::Alert {
            publisher: "SWARM Ugly Mugs (NW)".into(),
            category: AlertCategory::SexualAssault,
        }
    );
    assert_eq!(result.matches[0].detail, "Test alert");
}

/// A handle reads the same in the bindings as in the core and the CLI (`platform:name`),
/// however it was typed.
#[test]
fn handles_use_the_cores_written_form() {
    let dir = tempfile::tempdir().unwrap();
    let vault = Vault::new(dir.path().join("v.db").to_string_lossy().into_owned());
    let session = vault
        .create(
            "correct horse battery".into(),
            b"keystore secret for the tests!!!".to_vec(),
            Some(MIN_KDF_ITERATIONS),
        )
        .unwrap();
    let now = SystemTime::UNIX_EPOCH + StdDuration::from_secs(1_780_000_000);
    let note = session
        .add_note(
            vigil_ffi::NoteInput {
                identifiers: vec!["Instagram:@Dave.X".into()],
                label: Some("Dave".into()),
                risk: Risk::Caution,
                text: String::new(),
            },
            now,
        )
        .unwrap();
    let written =
        vigil_core::screening::detect("Instagram:@Dave.X", vigil_core::screening::Region::GB)
            .unwrap()
            .to_string();
    assert_eq!(note.identifiers, vec![written.clone()]);
    assert!(!written.contains('@'), "{written}");
    let result = session.screen("instagram:dave.x".into(), now).unwrap();
    assert_eq!(result.normalized, written);
    assert_eq!(result.matches[0].matched, written);
}
