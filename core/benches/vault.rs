//! The vault's cost over plain SQLite, and the cost of unlocking.
//!
//! `cargo bench -p vigil-core --bench vault`

use std::time::Duration;

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use vigil_core::benchmark::{booking_drafts, plain_bookings_db, plain_insert_and_list};
use vigil_core::bookings::{BookingDraft, TimeRange};
use vigil_core::vault::{
    DuressOptions, Vault, VaultOptions, DEFAULT_KDF_ITERATIONS, MIN_KDF_ITERATIONS,
};

const N: usize = 10_000;

fn drafts() -> Vec<BookingDraft> {
    booking_drafts(N)
}

fn insert_and_list(c: &mut Criterion) {
    let drafts = drafts();
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 8, 0, 0).unwrap();
    let fast = VaultOptions {
        kdf_iterations: MIN_KDF_ITERATIONS,
        device_secret: None,
    };
    let mut group = c.benchmark_group("bookings_insert_and_list_10k");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(15));
    group.bench_function("plain_sqlite", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().unwrap();
                let conn = plain_bookings_db(&dir.path().join("plain.db")).unwrap();
                (dir, conn)
            },
            |(dir, conn)| {
                assert_eq!(plain_insert_and_list(&conn, &drafts).unwrap(), N);
                (dir, conn)
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function("sealed_vault", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().unwrap();
                let session = Vault::create(dir.path().join("v.db"), "bench", &fast).unwrap();
                (dir, session, drafts.clone())
            },
            |(dir, session, drafts)| {
                session.bookings().add_many(drafts, now).unwrap();
                assert_eq!(
                    session
                        .bookings()
                        .list(TimeRange::default())
                        .unwrap()
                        .items
                        .len(),
                    N
                );
                (dir, session)
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

fn unlock(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    let options = VaultOptions {
        kdf_iterations: DEFAULT_KDF_ITERATIONS,
        device_secret: None,
    };
    let mut session = Vault::create(&path, "bench passphrase", &options).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 8, 0, 0).unwrap();
    session
        .set_duress(
            "bench passphrase",
            "duress passphrase",
            DuressOptions::default(),
            None,
            now,
        )
        .unwrap();
    session.lock();
    let mut group = c.benchmark_group("unlock");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("open_header_without_kdf", |b| {
        b.iter(|| Vault::open(&path).unwrap())
    });
    group.bench_function("unlock_default_600k_iterations", |b| {
        b.iter(|| {
            Vault::open(&path)
                .unwrap()
                .unlock("bench passphrase", None)
                .unwrap()
        })
    });
    // Must cost about the same as the real unlock: an observer must not tell them apart.
    group.bench_function("unlock_duress_passphrase_default_600k_iterations", |b| {
        b.iter(|| {
            Vault::open(&path)
                .unwrap()
                .unlock("duress passphrase", None)
                .unwrap()
        })
    });
    group.bench_function("wrong_passphrase_default_600k_iterations", |b| {
        b.iter(|| {
            Vault::open(&path)
                .unwrap()
                .unlock("wrong", None)
                .unwrap_err()
        })
    });
    group.finish();
}

criterion_group!(benches, insert_and_list, unlock);
criterion_main!(benches);
