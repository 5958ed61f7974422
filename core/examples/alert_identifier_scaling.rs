//! Time to import ONE alert carrying N identifiers (issue 12: this grew faster than
//! linearly). Timed once per size, for docs/PERFORMANCE.md; not a test.
//!
//! `cargo run --release -p vigil-core --example alert_identifier_scaling -- 10000 30000 100000`
//!
//! Sizes above the per-alert cap (`MAX_IDENTIFIERS_PER_ALERT`) are skipped by the import
//! and reported, so they measure how fast an oversized alert is refused.

use std::time::Instant;

use chrono::{TimeZone, Utc};
use ring::rand::SystemRandom;
use vigil_core::feeds::{
    generate_publisher_key, sign_bundle, BundleDraft, BundleKind, PublisherKey,
};
use vigil_core::screening::Region;
use vigil_core::vault::{Vault, VaultOptions, MIN_KDF_ITERATIONS};

fn bundle(key: &PublisherKey, n: usize) -> Vec<u8> {
    let mut content = String::from("{\"format\":1,\"region\":\"GB\"}\n");
    content.push_str(
        r#"{"id":"BIG","issued":"2026-02-01T20:00:00Z","category":"violence","identifiers":["#,
    );
    let mut x: u64 = 11;
    for i in 0..n {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        if i > 0 {
            content.push(',');
        }
        content.push_str(&format!(
            r#"{{"kind":"phone","value":"07{:09}"}}"#,
            (x >> 33) % 1_000_000_000
        ));
    }
    content.push_str("]}\n");
    let t0 = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
    sign_bundle(
        key,
        &BundleDraft {
            kind: BundleKind::Alerts,
            version: n as u64,
            issued_at: t0,
            expires_at: t0 + chrono::Duration::days(30),
            content: content.as_bytes(),
        },
    )
    .expect("sign")
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let (pkcs8, _) = generate_publisher_key(&SystemRandom::new()).expect("key");
    let key = PublisherKey::from_pkcs8(&pkcs8).expect("key");
    let now = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
    for n in sizes {
        let dir = tempfile::tempdir().expect("temporary directory");
        let session = Vault::create(
            dir.path().join("v.db"),
            "passphrase",
            &VaultOptions {
                kdf_iterations: MIN_KDF_ITERATIONS,
                device_secret: None,
            },
        )
        .expect("vault");
        session
            .feeds()
            .trust("Project", key.public_key(), now)
            .expect("trust");
        let bytes = bundle(&key, n);
        let t = Instant::now();
        let acc = session
            .screening(Region::GB)
            .import_alerts(&bytes[..], now)
            .expect("import");
        println!(
            "{n} identifiers: {:.2} s (imported {}, skipped {})",
            t.elapsed().as_secs_f64(),
            acc.imported.imported,
            acc.imported.skipped.len()
        );
    }
}
