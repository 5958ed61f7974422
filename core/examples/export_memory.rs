//! Peak memory of exporting a large vault with damaged records, and of restoring the
//! export (issue 16, item 3: "an export with a million damaged records peaked at 1.66 GB").
//! Each mode runs in its own process, so its peak (VmHWM) is its own:
//!
//! ```sh
//! cargo run --profile bench -p vigil-core --example export_memory -- fill /tmp/v.db 300000 100000
//! target/bench/examples/export_memory export /tmp/v.db /tmp/v.age
//! target/bench/examples/export_memory restore /tmp/v.age /tmp/restored.db
//! ```
//!
//! `fill <vault> <bookings> <damaged>` adds the bookings, then flips one byte inside the
//! sealed body of the first `damaged` rows (in id order) straight in the SQLite file, as
//! someone with the file could; those rows fail authentication and the export leaves them
//! out and reports them. `export` writes to an X25519 recipient (its identity goes to
//! `<out>.key`, so the measurement is not scrypt's), and `restore` reads it into a new
//! vault. `forge <out> <n>` writes an export of `n` bookings that a restore must reject
//! (what a restore holds per rejected record). Passphrase of the vaults: `bench`. `fill` also accepts a vault made by `vigil init`
//! (it reads `<vault>.device`), so that `vigil export` can be measured on the same data.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::time::Instant;

use chrono::{TimeZone, Utc};
use vigil_core::bookings::{BookingDraft, BookingKind};
use vigil_core::export::age::{AgeWriter, Identity, Recipient, X25519Identity};
use vigil_core::vault::{Session, Vault, VaultOptions, MIN_KDF_ITERATIONS};

#[path = "support/proc_status.rs"]
mod proc_status;
use proc_status::status_kib;

const PASSPHRASE: &str = "bench";

fn create(path: &str) -> Session {
    let options = VaultOptions {
        kdf_iterations: MIN_KDF_ITERATIONS,
        device_secret: None,
    };
    Vault::create(path, PASSPHRASE, &options).unwrap()
}

/// A vault made by `vigil init` has a device secret beside it.
fn open(path: &str) -> Session {
    let device = std::fs::read(format!("{path}.device")).ok();
    Vault::open(path)
        .unwrap()
        .unlock(PASSPHRASE, device.as_deref())
        .unwrap()
}

fn fill(path: &str, n: usize, damaged: usize) {
    let session = if std::path::Path::new(path).exists() {
        open(path)
    } else {
        create(path)
    };
    let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 8, 0, 0).unwrap();
    for batch in 0..n.div_ceil(10_000) {
        let drafts = (batch * 10_000..n.min((batch + 1) * 10_000))
            .map(|i| {
                let at = t0 + chrono::Duration::minutes(37 * i as i64);
                let mut d =
                    BookingDraft::new(&format!("Client number {i}"), at, 60, BookingKind::Outcall);
                d.client.phone = Some(format!("07700 9{:05}", i % 100_000));
                d.place.address = Some(format!("{} Example Street, Leeds", i % 300));
                d.notes = Some("Regular, prefers texts, paid in advance".into());
                d
            })
            .collect();
        session.bookings().add_many(drafts, now).unwrap();
    }
    drop(session);
    // Damage in batches: read a batch of ids and bodies, write them back with one byte
    // flipped in the middle (inside the ciphertext), in one transaction per batch.
    let mut raw = rusqlite::Connection::open(path).unwrap();
    let mut after: Vec<u8> = Vec::new();
    let mut left = damaged;
    while left > 0 {
        let batch: Vec<(Vec<u8>, Vec<u8>)> = {
            let mut stmt = raw
                .prepare("SELECT id, body FROM bookings WHERE id > ?1 ORDER BY id LIMIT ?2")
                .unwrap();
            stmt.query_map(rusqlite::params![after, left.min(10_000) as i64], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
        };
        if batch.is_empty() {
            break;
        }
        let tx = raw.transaction().unwrap();
        for (id, mut body) in batch.iter().cloned() {
            let mid = body.len() / 2;
            body[mid] ^= 0x01;
            tx.execute(
                "UPDATE bookings SET body = ?2 WHERE id = ?1",
                rusqlite::params![id, body],
            )
            .unwrap();
        }
        tx.commit().unwrap();
        left -= batch.len();
        after = batch.last().unwrap().0.clone();
    }
    println!("{n} bookings, {} damaged", damaged - left);
}

fn export(path: &str, out: &str) {
    let session = open(path);
    let identity = X25519Identity::generate().unwrap();
    std::fs::write(format!("{out}.key"), identity.to_secret_string().as_str()).unwrap();
    let start = Instant::now();
    let file = BufWriter::new(File::create(out).unwrap());
    let (w, report) = session
        .backup()
        .export(file, &[Recipient::X25519(identity.to_public())], Utc::now())
        .unwrap();
    w.into_inner().unwrap().sync_all().unwrap();
    let total: u64 = report.sections.iter().map(|(_, n)| n).sum();
    println!(
        "export: {total} records written, {} unreadable ({} listed), {:.2} s",
        report.unreadable_count,
        report.unreadable.len(),
        start.elapsed().as_secs_f64()
    );
}

fn restore(file: &str, path: &str) {
    let key = std::fs::read_to_string(format!("{file}.key")).unwrap();
    let identity: X25519Identity = key.trim().parse().unwrap();
    let session = create(path);
    let start = Instant::now();
    let report = session
        .backup()
        .import(
            BufReader::new(File::open(file).unwrap()),
            &[Identity::X25519(identity)],
        )
        .unwrap();
    let inserted: u64 = report.sections.iter().map(|s| s.inserted).sum();
    let rejected: u64 = report.sections.iter().map(|s| s.rejected_count).sum();
    println!(
        "restore: {inserted} records inserted, {rejected} rejected, {:.2} s",
        start.elapsed().as_secs_f64()
    );
}

/// An export of `n` well-formed bookings that restore must reject (each updated before it
/// was created): what a restore holds per rejected record.
fn forge(out: &str, n: usize) {
    let identity = X25519Identity::generate().unwrap();
    std::fs::write(format!("{out}.key"), identity.to_secret_string().as_str()).unwrap();
    let file = BufWriter::new(File::create(out).unwrap());
    let mut w = AgeWriter::new(file, &[Recipient::X25519(identity.to_public())]).unwrap();
    write!(
        w,
        r#"{{"format":"vigil-export","version":1,"minor":5,"sections":{{"bookings":["#
    )
    .unwrap();
    for i in 0..n {
        if i > 0 {
            w.write_all(b",").unwrap();
        }
        write!(
            w,
            r#"{{"id":"{i:032x}","client":{{"label":"Client {i}"}},"starts_at":"2026-01-01T09:00:00Z","kind":"outcall","status":"planned","created_at":"2026-01-02T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}}"#
        )
        .unwrap();
    }
    w.write_all(b"]}}").unwrap();
    w.finish()
        .unwrap()
        .into_inner()
        .unwrap()
        .sync_all()
        .unwrap();
    println!("{n} invalid bookings written");
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).map(String::as_str).unwrap_or("");
    match mode {
        "fill" => fill(&args[2], args[3].parse().unwrap(), args[4].parse().unwrap()),
        "export" => export(&args[2], &args[3]),
        "restore" => restore(&args[2], &args[3]),
        "forge" => forge(&args[2], args[3].parse().unwrap()),
        _ => {
            eprintln!("usage: export_memory fill <vault> <bookings> <damaged> | export <vault> <out> | restore <file> <new vault> | forge <out> <invalid bookings>");
            std::process::exit(2);
        }
    }
    let _ = std::io::stdout().flush();
    println!(
        "{mode}: peak RSS {:.1} MiB",
        status_kib("VmHWM:") as f64 / 1024.0
    );
}
