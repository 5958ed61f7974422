//! Peak memory and time of loading a 100,000-service directory from the vault.
//!
//! `cargo run --profile bench -p vigil-core --example directory_load_memory`
//!
//! The parent process builds a vault holding one accepted 100,000-service bundle, then runs
//! itself again to load it, so that the child's peak (VmHWM from /proc/self/status) counts
//! only unlocking and loading, not building the test data.

use std::process::Command;
use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use ring::rand::SystemRandom;
use vigil_core::directory::{build_directory_bundle, DirectoryContent, NearbyQuery};
use vigil_core::feeds::{generate_publisher_key, PublisherKey};
use vigil_core::vault::{Vault, VaultOptions, MIN_KDF_ITERATIONS};

#[path = "support/proc_status.rs"]
mod proc_status;
use proc_status::status_kib;

#[allow(dead_code)] // query_points is for the benchmarks
#[path = "../benches/support/synthetic.rs"]
mod synthetic;

const PASSPHRASE: &str = "memory example";
const SERVICES: usize = 100_000;

fn load(path: &str) {
    let before = status_kib("VmHWM:");
    let session = Vault::open(path).unwrap().unlock(PASSPHRASE, None).unwrap();
    let start = Instant::now();
    let loaded = session.directory().load().unwrap();
    let elapsed = start.elapsed();
    let at = Utc.with_ymd_and_hms(2014, 3, 12, 12, 0, 0).unwrap();
    let hits = loaded
        .index
        .nearby(&NearbyQuery::new(51.5074, -0.1278, 10_000.0, 10, at))
        .unwrap();
    println!("services loaded:   {}", loaded.index.len());
    println!("load time:         {:.1} ms", elapsed.as_secs_f64() * 1e3);
    println!("VmHWM before load: {:.1} MB", before as f64 / 1024.0);
    println!(
        "VmHWM after load:  {:.1} MB (peak of the whole process)",
        status_kib("VmHWM:") as f64 / 1024.0
    );
    println!(
        "VmRSS after load:  {:.1} MB",
        status_kib("VmRSS:") as f64 / 1024.0
    );
    println!("nearest to central London: {} hits", hits.len());
}

fn prepare_and_measure() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("memory.db");
    {
        let session = Vault::create(
            &path,
            PASSPHRASE,
            &VaultOptions {
                kdf_iterations: MIN_KDF_ITERATIONS,
                device_secret: None,
            },
        )
        .unwrap();
        let (pkcs8, public) = generate_publisher_key(&SystemRandom::new()).unwrap();
        let key = PublisherKey::from_pkcs8(&pkcs8).unwrap();
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        session.feeds().trust("example", public, now).unwrap();
        let nhs = synthetic::nhs_services();
        let content =
            DirectoryContent::new("Europe/London", synthetic::synthetic(&nhs, SERVICES, 13));
        let bundle =
            build_directory_bundle(&key, &content, 1, now, now + Duration::days(30)).unwrap();
        println!("bundle size:       {:.1} MB", bundle.len() as f64 / 1e6);
        session.directory().accept_bundle(&bundle[..], now).unwrap();
    }
    let exe = std::env::current_exe().unwrap();
    let status = Command::new(exe).arg("load").arg(&path).status().unwrap();
    assert!(status.success());
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("load") => load(args.get(2).expect("vault path")),
        _ => prepare_and_measure(),
    }
}
