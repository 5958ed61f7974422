//! The plain-SQLite booking workload, shared by `store_workload` (bundled SQLite) and the
//! SQLCipher bench crate (`benches/sqlcipher`, which cannot link beside bundled SQLite):
//! the same rows, one column per field, random 16-byte ids, one transaction, then listed.
//! Included with `#[path]` so both run exactly this code.

use rusqlite::{params, Connection};

/// Nanoseconds this thread has run on a CPU (Linux: `/proc/thread-self/schedstat`), or
/// `None` elsewhere. The machine the figures come from is shared: wall time grows with the
/// load of others, CPU time much less, so the runs print both.
pub fn thread_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// CPU milliseconds between two `thread_cpu_ns` readings, as printed ("-" when unknown).
pub fn cpu_ms(start: Option<u64>, end: Option<u64>) -> String {
    match (start, end) {
        (Some(a), Some(b)) => format!("{:.3}", (b - a) as f64 / 1e6),
        _ => "-".into(),
    }
}

/// One booking's fields as the plain baseline stores them.
pub struct PlainBooking {
    pub label: String,
    pub phone: Option<String>,
    pub starts_at: i64,
    pub ends_at: Option<i64>,
    pub address: Option<String>,
    pub notes: Option<String>,
}

/// The benchmark's bookings (the same values as `benches/vault.rs`).
pub fn plain_bookings(n: usize) -> Vec<PlainBooking> {
    // 2026-01-01 09:00 UTC, one every 37 minutes.
    let t0 = 1_767_258_000_i64;
    (0..n)
        .map(|i| PlainBooking {
            label: format!("Client number {i}"),
            phone: Some(format!("07700 9{i:05}")),
            starts_at: t0 + 37 * 60 * i as i64,
            ends_at: Some(t0 + 37 * 60 * i as i64 + 3600),
            address: Some(format!("{} Example Street, Leeds", i % 300)),
            notes: Some("Regular, prefers texts, paid in advance".into()),
        })
        .collect()
}

/// WAL, secure_delete and the bookings table, as the vault sets its file up.
pub fn plain_schema(conn: &Connection) {
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA secure_delete = ON; PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;
         CREATE TABLE bookings (id BLOB PRIMARY KEY, label TEXT, phone TEXT, starts_at INTEGER,
           ends_at INTEGER, kind TEXT, address TEXT, notes TEXT, status TEXT,
           created_at INTEGER, updated_at INTEGER);",
    )
    .unwrap();
}

/// Inserts every booking in one transaction and lists them back; returns the count listed.
pub fn plain_insert_and_list(
    conn: &Connection,
    rows: &[PlainBooking],
    random_id: impl Fn() -> [u8; 16],
) -> usize {
    let tx = conn.unchecked_transaction().unwrap();
    {
        let mut insert = tx
            .prepare_cached(
                "INSERT INTO bookings (id, label, phone, starts_at, ends_at, kind, address, notes,
                 status, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )
            .unwrap();
        for b in rows {
            let id = random_id();
            insert
                .execute(params![
                    &id[..],
                    b.label,
                    b.phone,
                    b.starts_at,
                    b.ends_at,
                    "outcall",
                    b.address,
                    b.notes,
                    "planned",
                    b.starts_at,
                    b.starts_at,
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
