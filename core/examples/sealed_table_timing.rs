//! Times listing 10,000 bookings (every row opened through the vault's sealed-table code)
//! and, when given the upgrade fixture's folder, the first unlock of that old vault (which
//! upgrades it) against a second one. Median of 7 runs, release build:
//! `cargo run --release -p vigil-core --example sealed_table_timing [fixture dir]`.

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use vigil_core::bookings::{BookingDraft, BookingKind, TimeRange};
use vigil_core::vault::{Vault, VaultOptions, MIN_KDF_ITERATIONS};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let options = VaultOptions {
        kdf_iterations: MIN_KDF_ITERATIONS,
        device_secret: None,
    };
    let s = Vault::create(dir.path().join("v.db"), "pass", &options).unwrap();
    let t0 = Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap();
    let drafts = (0..10_000)
        .map(|i| BookingDraft::new(&format!("client {i}"), t0, 60, BookingKind::Incall))
        .collect();
    let start = Instant::now();
    s.bookings().add_many(drafts, t0).unwrap();
    println!("insert 10,000 bookings: {:.1?}", start.elapsed());
    let runs = (0..7)
        .map(|_| {
            let start = Instant::now();
            let listing = s.bookings().list(TimeRange::default()).unwrap();
            assert_eq!(listing.items.len(), 10_000);
            start.elapsed()
        })
        .collect();
    println!("list 10,000 bookings (median of 7): {:.1?}", median(runs));

    if let Some(fixture) = std::env::args().nth(1) {
        let secret: &[u8] = b"device secret of at least 16 bytes";
        let mut first = Vec::new();
        let mut second = Vec::new();
        for _ in 0..7 {
            let d = tempfile::tempdir().unwrap();
            for name in ["vault.db", "vault.db-keys", "vault.db-aux"] {
                std::fs::copy(
                    std::path::Path::new(&fixture).join(name),
                    d.path().join(name),
                )
                .unwrap();
            }
            let path = d.path().join("vault.db");
            for out in [&mut first, &mut second] {
                let start = Instant::now();
                let v = Vault::open(&path).unwrap();
                drop(
                    v.unlock("export sections passphrase", Some(secret))
                        .unwrap(),
                );
                out.push(start.elapsed());
            }
        }
        println!(
            "open + unlock the 821f0eb fixture, first (upgrades): {:.2?}",
            median(first)
        );
        println!(
            "open + unlock it again (nothing to do): {:.2?}",
            median(second)
        );
    }
}
