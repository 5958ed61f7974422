//! The booking workload of `core/examples/store_workload.rs` on SQLCipher with a raw
//! 256-bit key (what an app would pass from the platform keystore, no KDF), printed as
//! one line: `sqlcipher <milliseconds> <file bytes> <CPU milliseconds>`.
//!
//! `cargo run --release --manifest-path benches/sqlcipher/Cargo.toml -- 10000`

use std::time::Instant;

use rusqlite::Connection;

#[path = "../../../core/examples/support/plain_bookings.rs"]
mod plain;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cipher.db");
    let rng = ring::rand::SystemRandom::new();
    let key: [u8; 32] = ring::rand::generate(&rng).unwrap().expose();
    let conn = Connection::open(&path).unwrap();
    // A raw key skips SQLCipher's PBKDF2, as the vault's figure excludes its own KDF.
    conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", hex(&key)))
        .unwrap();
    let version: String = conn
        .query_row("PRAGMA cipher_version", [], |r| r.get(0))
        .unwrap();
    eprintln!("SQLCipher {version}");
    plain::plain_schema(&conn);
    let rows = plain::plain_bookings(n);
    let cpu = plain::thread_cpu_ns();
    let start = Instant::now();
    let listed = plain::plain_insert_and_list(&conn, &rows, || {
        ring::rand::generate(&rng).unwrap().expose()
    });
    let elapsed = start.elapsed();
    let cpu = plain::cpu_ms(cpu, plain::thread_cpu_ns());
    assert_eq!(listed, n);
    drop(conn);
    let bytes = std::fs::metadata(&path).unwrap().len();
    println!("sqlcipher {:.3} {bytes} {cpu}", elapsed.as_secs_f64() * 1e3);
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
