//! Peak memory of listing a large booking log: the whole listing in memory (`list`, what
//! `vigil booking list` did before) against the two-pass stream (`stream`) and one page
//! (`page`). Each mode runs in its own process on a vault made by `fill`:
//!
//! ```sh
//! cargo run --profile bench -p vigil-core --example booking_list_memory -- fill /tmp/v.db 300000
//! /usr/bin/time -v target/bench/examples/booking_list_memory stream /tmp/v.db
//! ```
//!
//! `fill` also accepts a vault made by `vigil init` (it reads `<vault>.device`), so that
//! `vigil booking list` itself can be measured on the same data. Passphrase: `VIGIL_PASSPHRASE`
//! or `bench`.

use std::io::Write;

use chrono::{TimeZone, Utc};
use vigil_core::bookings::{BookingDraft, BookingKind, TimeRange};
use vigil_core::vault::{Session, Vault, VaultOptions, MIN_KDF_ITERATIONS};

#[path = "support/proc_status.rs"]
mod proc_status;
use proc_status::status_kib;

fn passphrase() -> String {
    std::env::var("VIGIL_PASSPHRASE").unwrap_or_else(|_| "bench".into())
}

fn device(path: &str) -> Option<Vec<u8>> {
    std::fs::read(format!("{path}.device")).ok()
}

fn open(path: &str) -> Session {
    Vault::open(path)
        .unwrap()
        .unlock(&passphrase(), device(path).as_deref())
        .unwrap()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (mode, path) = (args[1].as_str(), args[2].as_str());
    let start = std::time::Instant::now();
    match mode {
        "fill" => {
            let n: usize = args[3].parse().unwrap();
            let session = if std::path::Path::new(path).exists() {
                open(path)
            } else {
                let options = VaultOptions {
                    kdf_iterations: MIN_KDF_ITERATIONS,
                    device_secret: None,
                };
                Vault::create(path, &passphrase(), &options).unwrap()
            };
            let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap();
            let now = Utc.with_ymd_and_hms(2026, 1, 1, 8, 0, 0).unwrap();
            for batch in 0..n.div_ceil(10_000) {
                let drafts = (batch * 10_000..n.min((batch + 1) * 10_000))
                    .map(|i| {
                        let at = t0 + chrono::Duration::minutes(37 * i as i64);
                        let mut d = BookingDraft::new(
                            &format!("Client number {i}"),
                            at,
                            60,
                            BookingKind::Outcall,
                        );
                        d.client.phone = Some(format!("07700 9{:05}", i % 100_000));
                        d.place.address = Some(format!("{} Example Street, Leeds", i % 300));
                        d.notes = Some("Regular, prefers texts, paid in advance".into());
                        d
                    })
                    .collect();
                session.bookings().add_many(drafts, now).unwrap();
            }
        }
        "list" => {
            let session = open(path);
            let listing = session.bookings().list(TimeRange::default()).unwrap();
            let mut out = std::io::sink();
            for b in &listing.items {
                writeln!(out, "{b:?}").unwrap();
            }
            eprintln!("{} bookings", listing.items.len());
        }
        "stream" => {
            let session = open(path);
            let mut out = std::io::sink();
            let mut n = 0usize;
            session
                .bookings()
                .for_each_newest_first(TimeRange::default(), |b| {
                    writeln!(out, "{b:?}")?;
                    n += 1;
                    Ok(())
                })
                .unwrap();
            eprintln!("{n} bookings");
        }
        "page" => {
            let session = open(path);
            let page = session
                .bookings()
                .list_page(TimeRange::default(), None, 50)
                .unwrap();
            eprintln!("{} bookings on the first page", page.items.len());
        }
        other => panic!("unknown mode {other}"),
    }
    println!(
        "{mode}: {:.2} s, peak RSS {:.1} MiB",
        start.elapsed().as_secs_f64(),
        status_kib("VmHWM:") as f64 / 1024.0
    );
}
