//! The vault's cost over plain SQLite, and the cost of unlocking.
//!
//! `cargo bench -p vigil-core --bench vault`

use std::time::Duration;

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use rusqlite::{params, Connection};
use vigil_core::bookings::{BookingDraft, BookingKind, TimeRange};
use vigil_core::vault::{
    DuressOptions, Vault, VaultOptions, DEFAULT_KDF_ITERATIONS, MIN_KDF_ITERATIONS,
};

const N: usize = 10_000;

fn drafts() -> Vec<BookingDraft> {
    let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap();
    (0..N)
        .map(|i| {
            let mut d = BookingDraft::new(
                &format!("Client number {i}"),
                t0 + chrono::Duration::minutes(37 * i as i64),
                60,
                BookingKind::Outcall,
            );
            d.client.phone = Some(format!("07700 9{i:05}"));
            d.place.address = Some(format!("{} Example Street, Leeds", i % 300));
            d.notes = Some("Regular, prefers texts, paid in advance".into());
            d
        })
        .collect()
}

/// The same rows, unencrypted, one column per field, in the same transaction shape.
fn plain_insert_and_list(conn: &Connection, drafts: &[BookingDraft]) -> usize {
    let tx = conn.unchecked_transaction().unwrap();
    {
        let mut insert = tx
            .prepare_cached(
                "INSERT INTO bookings (id, label, phone, starts_at, ends_at, kind, address, notes,
                 status, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )
            .unwrap();
        let rng = ring::rand::SystemRandom::new();
        for d in drafts {
            // Random ids as any app with UUID keys would have, like the vault's.
            let id: [u8; 16] = ring::rand::generate(&rng).unwrap().expose();
            insert
                .execute(params![
                    &id[..],
                    d.client.label,
                    d.client.phone,
                    d.starts_at.timestamp(),
                    d.ends_at.map(|t| t.timestamp()),
                    "outcall",
                    d.place.address,
                    d.notes,
                    "planned",
                    d.starts_at.timestamp(),
                    d.starts_at.timestamp(),
                ])
                .unwrap();
        }
    }
    tx.commit().unwrap();
    let mut stmt = conn
        .prepare("SELECT id, label, phone, starts_at, ends_at, kind, address, notes, status FROM bookings ORDER BY starts_at DESC")
        .unwrap();
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, Vec<u8>>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, Option<i64>>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, Option<String>>(7)?,
                r.get::<_, String>(8)?,
            ))
        })
        .unwrap();
    rows.count()
}

fn plain_db(dir: &std::path::Path) -> Connection {
    let conn = Connection::open(dir.join("plain.db")).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA secure_delete = ON; PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;
         CREATE TABLE bookings (id BLOB PRIMARY KEY, label TEXT, phone TEXT, starts_at INTEGER,
           ends_at INTEGER, kind TEXT, address TEXT, notes TEXT, status TEXT,
           created_at INTEGER, updated_at INTEGER);",
    )
    .unwrap();
    conn
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
                let conn = plain_db(dir.path());
                (dir, conn)
            },
            |(dir, conn)| {
                assert_eq!(plain_insert_and_list(&conn, &drafts), N);
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
