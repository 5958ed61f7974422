//! One run of the booking workload (insert N bookings in one transaction, list them back)
//! in a fresh directory, printed as one line: `<kind> <milliseconds> <file bytes> <CPU
//! milliseconds>` (the thread's time on a CPU over the same span; "-" off Linux).
//! `kind` is `plain` (bundled SQLite, one column per field) or `vault` (sealed records).
//! The file size is the database after the connection closed (WAL checkpointed).
//!
//! Run by `benches/store-vs-sqlcipher.sh`, interleaved with the SQLCipher run of
//! `benches/sqlcipher` (which cannot link in this binary):
//! `cargo run --profile bench -p vigil-core --example store_workload -- vault 10000`

use std::time::Instant;

use chrono::{TimeZone, Utc};
use rusqlite::Connection;
use vigil_core::bookings::{BookingDraft, BookingKind, TimeRange};
use vigil_core::vault::{Vault, VaultOptions, MIN_KDF_ITERATIONS};

#[path = "support/plain_bookings.rs"]
mod plain;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let kind = args.get(1).map(String::as_str).unwrap_or("vault");
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let dir = tempfile::tempdir().unwrap();
    let (elapsed, cpu, path) = match kind {
        "plain" => {
            let path = dir.path().join("plain.db");
            let conn = Connection::open(&path).unwrap();
            plain::plain_schema(&conn);
            let rows = plain::plain_bookings(n);
            let rng = ring::rand::SystemRandom::new();
            let cpu = plain::thread_cpu_ns();
            let start = Instant::now();
            let listed = plain::plain_insert_and_list(&conn, &rows, || {
                ring::rand::generate(&rng).unwrap().expose()
            });
            let elapsed = start.elapsed();
            let cpu = plain::cpu_ms(cpu, plain::thread_cpu_ns());
            assert_eq!(listed, n);
            drop(conn);
            (elapsed, cpu, path)
        }
        "vault" => {
            let path = dir.path().join("v.db");
            let options = VaultOptions {
                kdf_iterations: MIN_KDF_ITERATIONS,
                device_secret: None,
            };
            let session = Vault::create(&path, "bench", &options).unwrap();
            let drafts = drafts(n);
            let now = Utc.with_ymd_and_hms(2026, 1, 1, 8, 0, 0).unwrap();
            let cpu = plain::thread_cpu_ns();
            let start = Instant::now();
            // The drafts come back as the added bookings: freed after the clock stops, as
            // the plain run's input rows are.
            let added = session.bookings().add_many(drafts, now).unwrap();
            let listed = session.bookings().list(TimeRange::default()).unwrap();
            let elapsed = start.elapsed();
            let cpu = plain::cpu_ms(cpu, plain::thread_cpu_ns());
            assert_eq!((added.len(), listed.items.len()), (n, n));
            drop((added, listed));
            drop(session);
            (elapsed, cpu, path)
        }
        other => panic!("unknown kind {other}: plain or vault"),
    };
    let bytes = std::fs::metadata(&path).unwrap().len();
    println!("{kind} {:.3} {bytes} {cpu}", elapsed.as_secs_f64() * 1e3);
}

/// The same bookings as `plain::plain_bookings`, as drafts.
fn drafts(n: usize) -> Vec<BookingDraft> {
    plain::plain_bookings(n)
        .into_iter()
        .map(|p| {
            let starts = Utc.timestamp_opt(p.starts_at, 0).unwrap();
            let mut d = BookingDraft::new(&p.label, starts, 60, BookingKind::Outcall);
            d.client.phone = p.phone;
            d.place.address = p.address;
            d.notes = p.notes;
            d
        })
        .collect()
}
