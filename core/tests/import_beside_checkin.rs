//! A long alert import must never make the check-in runner fail (issue 12): the runner
//! ticks on its own connection, through the locked path, while the unlocked session
//! imports a large alert bundle.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{Duration, TimeZone, Utc};
use ring::rand::SystemRandom;
use vigil_core::checkin::{BackgroundRunner, CheckinPlan, EscalationKey};
use vigil_core::clock::Timestamp;
use vigil_core::feeds::{
    generate_publisher_key, sign_bundle, BundleDraft, BundleKind, PublisherKey,
};
use vigil_core::screening::Region;
use vigil_core::vault::Vault;

mod common;

use common::DEVICE_SECRET as SECRET;
/// Large enough that the old import (everything inside the write transaction) held the
/// lock for longer than the runner waited.
const ALERTS: usize = 30_000;

fn t0() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 3, 1, 20, 0, 0).unwrap()
}

fn alerts_bundle(key: &PublisherKey, n: usize) -> Vec<u8> {
    let mut content = String::from("{\"format\":1,\"region\":\"GB\"}\n");
    let mut x: u64 = 5;
    for i in 0..n {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        content.push_str(&format!(
            r#"{{"id":"A-{i}","issued":"2026-02-01T20:00:00Z","identifiers":[{{"kind":"phone","value":"07{:09}"}},{{"kind":"plate","value":"AB{:02} C{:02}"}}],"category":"robbery","description":"Took the money back at knife point."}}"#,
            (x >> 33) % 1_000_000_000,
            i % 100,
            (i / 100) % 100
        ));
        content.push('\n');
    }
    sign_bundle(
        key,
        &BundleDraft {
            kind: BundleKind::Alerts,
            version: 1,
            issued_at: t0(),
            expires_at: t0() + Duration::days(30),
            content: content.as_bytes(),
        },
    )
    .unwrap()
}

#[test]
fn check_in_ticks_succeed_while_a_large_alert_import_runs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.db");
    let (session, escalation, ana) = common::vault_with_ana(&path);
    let checkins = session.checkins(&escalation);
    checkins
        .arm(CheckinPlan::new(t0() + Duration::hours(2), vec![ana]), t0())
        .unwrap();
    let key = {
        let (pkcs8, _) = generate_publisher_key(&SystemRandom::new()).unwrap();
        PublisherKey::from_pkcs8(&pkcs8).unwrap()
    };
    session
        .feeds()
        .trust("Project", key.public_key(), t0())
        .unwrap();
    let bundle = alerts_bundle(&key, ALERTS);

    let done = Arc::new(AtomicBool::new(false));
    let ticker = {
        let done = Arc::clone(&done);
        let path = path.clone();
        std::thread::spawn(move || {
            // The locked path: the device secret only, a connection of its own.
            let runner = BackgroundRunner::open(
                &Vault::open(&path).unwrap(),
                EscalationKey::from_device_secret(SECRET).unwrap(),
            )
            .unwrap();
            let (mut ok, mut failed) = (0usize, Vec::new());
            while !done.load(Ordering::SeqCst) {
                match runner.tick(t0() + Duration::minutes(1)) {
                    Ok(actions) => {
                        assert!(actions.is_empty(), "nothing is due yet");
                        ok += 1;
                    }
                    Err(e) => failed.push(e.to_string()),
                }
                std::thread::sleep(StdDuration::from_millis(20));
            }
            (ok, failed)
        })
    };
    let accepted = session
        .screening(Region::GB)
        .import_alerts(&bundle[..], t0())
        .unwrap();
    done.store(true, Ordering::SeqCst);
    let (ok, failed) = ticker.join().unwrap();
    assert_eq!(accepted.imported.imported, ALERTS);
    assert!(
        failed.is_empty(),
        "ticks failed during the import: {failed:?}"
    );
    assert!(ok > 0, "the runner ticked during the import");
    // The import was atomic and recorded its version.
    assert_eq!(session.screening(Region::GB).alert_count().unwrap(), ALERTS);
    assert_eq!(
        session
            .feeds()
            .accepted_version(accepted.status.publisher_id, BundleKind::Alerts)
            .unwrap(),
        Some(1)
    );
}
