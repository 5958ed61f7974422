//! Peak memory and time of importing a large alert bundle, in a process of its own.
//!
//! `cargo run --profile bench -p vigil-core --example alert_import_memory -- 100000`
//! (add `--import-only` to skip the call-label timings)
//!
//! The parent writes a signed bundle of N alerts to a temporary file and re-runs itself to
//! import it, so the child's peak RSS (VmHWM in /proc/self/status, Linux) covers only the
//! vault, the bundle read and the import. In the same run, before and after the import,
//! another child inserts the same N alert lines as JSON rows into plain SQLite (one
//! transaction, WAL, no index: the screening bench's `plain_sqlite/insert_json_rows`), so
//! the ratio is measured under the same load (the machine is shared).

use std::time::Instant;

use chrono::{TimeZone, Utc};
use ring::rand::SystemRandom;
use vigil_core::feeds::{
    generate_publisher_key, sign_bundle, BundleDraft, BundleKind, PublisherKey,
};
use vigil_core::screening::{CallLabelCache, NoteDraft, Region, Risk};
use vigil_core::vault::{Vault, VaultOptions, MIN_KDF_ITERATIONS};

#[path = "support/proc_status.rs"]
mod proc_status;
use proc_status::status_kib;

/// CPU seconds (user + system) this process has used: less sensitive than wall time to
/// other processes on a shared machine.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which ends with ')'): utime and stime are the 12th
    // and 13th, in clock ticks (100 per second on Linux).
    let after = stat.rsplit(')').next().unwrap_or_default();
    let f: Vec<u64> = after
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    f.get(11)
        .zip(f.get(12))
        .map_or(0.0, |(u, s)| (u + s) as f64 / 100.0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--child") {
        child(
            &args[2],
            &args[3],
            args.get(4).map(String::as_str) == Some("--import-only"),
        );
        return;
    }
    if args.get(1).map(String::as_str) == Some("--plain") {
        plain(&args[2]);
        return;
    }
    let n: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let import_only = args.iter().any(|a| a == "--import-only");
    let dir = tempfile::tempdir().expect("temporary directory");
    let (pkcs8, _) = generate_publisher_key(&SystemRandom::new()).expect("key");
    let key = PublisherKey::from_pkcs8(&pkcs8).expect("key");
    let mut content = String::from("{\"format\":1,\"region\":\"GB\"}\n");
    let mut x: u64 = 7;
    for i in 0..n {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let phone = format!("07{:09}", (x >> 33) % 1_000_000_000);
        let plate = if i % 3 == 0 {
            format!(
                r#",{{"kind":"plate","value":"AB{:02} C{:02}"}}"#,
                i % 100,
                (i / 100) % 100
            )
        } else {
            String::new()
        };
        content.push_str(&format!(
            r#"{{"id":"N-{i}","issued":"2026-02-01T20:00:00Z","identifiers":[{{"kind":"phone","value":"{phone}"}}{plate}],"area":{{"lat":53.8,"lon":-1.55,"radius_m":5000}},"category":"violence","description":"Became aggressive when asked for payment up front; left in a dark hatchback."}}"#
        ));
        content.push('\n');
    }
    let t0 = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
    let bundle = sign_bundle(
        &key,
        &BundleDraft {
            kind: BundleKind::Alerts,
            version: 1,
            issued_at: t0,
            expires_at: t0 + chrono::Duration::days(30),
            content: content.as_bytes(),
        },
    )
    .expect("sign");
    let bundle_path = dir.path().join("alerts.vglb");
    std::fs::write(&bundle_path, &bundle).expect("write bundle");
    println!(
        "bundle: {n} alerts, {:.1} MiB",
        bundle.len() as f64 / (1 << 20) as f64
    );
    let content_path = dir.path().join("alerts.jsonl");
    std::fs::write(&content_path, &content).expect("write content");
    let run = |args: &[&str]| -> f64 {
        let out = std::process::Command::new(std::env::current_exe().expect("exe"))
            .args(args)
            .stderr(std::process::Stdio::inherit())
            .output()
            .expect("child");
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).expect("utf-8");
        print!("{text}");
        text.lines()
            .find_map(|l| l.strip_prefix("seconds: "))
            .and_then(|s| s.parse().ok())
            .expect("timing")
    };
    let plain_path = content_path.to_str().expect("path");
    let plain_before = run(&["--plain", plain_path]);
    let mut child_args = vec![
        "--child".to_owned(),
        bundle_path.to_str().expect("path").to_owned(),
        key.public_key().to_string(),
    ];
    if import_only {
        child_args.push("--import-only".to_owned());
    }
    let args: Vec<&str> = child_args.iter().map(String::as_str).collect();
    let vigil = run(&args);
    let plain_after = run(&["--plain", plain_path]);
    let plain = (plain_before + plain_after) / 2.0;
    println!(
        "ratio: import {vigil:.2} s / plain SQLite {plain:.2} s (mean of {plain_before:.2} and {plain_after:.2}) = {:.1}x",
        vigil / plain
    );
}

/// The baseline: each alert line as a JSON row in plain SQLite, one transaction.
fn plain(content_path: &str) {
    let content = std::fs::read_to_string(content_path).expect("content");
    let dir = tempfile::tempdir().expect("temporary directory");
    let conn = rusqlite::Connection::open(dir.path().join("p.db")).expect("plain db");
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         CREATE TABLE alerts (id INTEGER PRIMARY KEY, body TEXT NOT NULL);",
    )
    .expect("schema");
    let cpu = cpu_seconds();
    let t = Instant::now();
    let tx = conn.unchecked_transaction().expect("tx");
    for (i, body) in content.lines().skip(1).enumerate() {
        tx.execute(
            "INSERT INTO alerts VALUES (?1, ?2)",
            rusqlite::params![i as i64, body],
        )
        .expect("insert");
    }
    tx.commit().expect("commit");
    let elapsed = t.elapsed().as_secs_f64();
    println!(
        "plain SQLite: inserted the same rows in {elapsed:.2} s (CPU {:.2} s)",
        cpu_seconds() - cpu
    );
    println!("seconds: {elapsed}");
}

fn child(bundle_path: &str, public_key: &str, import_only: bool) {
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
    let now = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
    session
        .feeds()
        .trust("Project", public_key.parse().expect("key"), now)
        .expect("trust");
    let before = status_kib("VmRSS:");
    let file = std::fs::File::open(bundle_path).expect("open bundle");
    let cpu = cpu_seconds();
    let t = Instant::now();
    let acc = session
        .screening(Region::GB)
        .import_alerts(std::io::BufReader::new(file), now)
        .expect("import");
    let elapsed = t.elapsed();
    let cpu = cpu_seconds() - cpu;
    let peak = status_kib("VmHWM:");
    println!(
        "imported {} alerts in {:.2} s (CPU {cpu:.2} s); RSS before import {:.1} MiB, peak RSS {:.1} MiB (import added at most {:.1} MiB)",
        acc.imported.imported,
        elapsed.as_secs_f64(),
        before as f64 / 1024.0,
        peak as f64 / 1024.0,
        peak.saturating_sub(before) as f64 / 1024.0
    );
    println!("seconds: {}", elapsed.as_secs_f64());
    if import_only {
        return;
    }

    // Call labels over the alerts plus 10,000 notes (the screening bench's 110,000
    // records): a full rebuild, the cached answer, and the rebuild after one note changed.
    let sc = session.screening(Region::GB);
    let drafts = (0..10_000u64)
        .map(|i| {
            let phone = format!("07700{:06}", i * 7 % 1_000_000);
            NoteDraft::new(
                "Regular",
                Risk::Caution,
                vec![sc.detect(&phone).expect("phone")],
            )
        })
        .collect();
    sc.add_notes(drafts, now).expect("notes");
    let time = |what: &str, f: &mut dyn FnMut() -> usize| {
        let mut best = f64::MAX;
        let mut n = 0;
        for _ in 0..5 {
            let t = Instant::now();
            n = f();
            best = best.min(t.elapsed().as_secs_f64() * 1e3);
        }
        println!("{what}: {n} labels, best of 5 {best:.1} ms");
    };
    time("call_labels (rebuild every call)", &mut || {
        sc.call_labels().expect("labels").len()
    });
    let mut cache = CallLabelCache::default();
    sc.call_labels_cached(&mut cache).expect("labels");
    time("call_labels_cached, nothing changed", &mut || {
        sc.call_labels_cached(&mut cache).expect("labels").len()
    });
    time("call_labels_cached after a note was added", &mut || {
        sc.add_note(
            NoteDraft::new(
                "New",
                Risk::Danger,
                vec![sc.detect("07700900123").expect("phone")],
            ),
            now,
        )
        .expect("note");
        sc.call_labels_cached(&mut cache).expect("labels").len()
    });
}
