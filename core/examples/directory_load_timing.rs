//! Time of loading a 100,000-service directory from the vault, beside plain baselines
//! measured in the same run (issue 16: "load of 100k services: 321 ms, mostly JSON"):
//!
//! - `decode`: MessagePack-decoding the same services from 50 plain buffers of 2,000
//!   (the sealed chunks' encoding, structs as arrays), no decryption, no index;
//! - `index`: building the index from services already in memory ([`DirectoryIndex::build`]);
//! - `load`: open the sealed chunks and build the index (what the app does);
//!
//! then the first and the second name and postcode search of one load.
//!
//! ```sh
//! cargo run --profile bench -p vigil-core --example directory_load_timing [-- rounds]
//! ```
//!
//! Rounds alternate the three, so a noisy machine slows each alike; medians are printed.
//! `loop <n>` only loads n times (for `perf record`).

use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use ring::rand::SystemRandom;
use serde::{Deserialize, Serialize};
use vigil_core::directory::{
    build_directory_bundle, Category, DirectoryContent, DirectoryIndex, Service,
};
use vigil_core::feeds::{generate_publisher_key, PublisherKey};
use vigil_core::vault::{Session, Vault, VaultOptions, MIN_KDF_ITERATIONS};

#[allow(dead_code)] // query_points is for the benchmarks
#[path = "../benches/support/synthetic.rs"]
mod synthetic;

const SERVICES: usize = 100_000;

/// The fields of a [`Service`] as the sealed chunks store them (positional, every field
/// written), without the skip rules that make `Service` itself write JSON-friendly output.
#[derive(Serialize, Deserialize)]
struct PlainService {
    id: String,
    name: String,
    categories: Vec<Category>,
    latitude: f64,
    longitude: f64,
    address: Option<String>,
    postcode: Option<String>,
    phone: Option<String>,
    website: Option<String>,
    opening_hours: Option<String>,
    languages: Vec<String>,
    notes: Option<String>,
    last_updated: Option<chrono::NaiveDate>,
}

impl From<&Service> for PlainService {
    fn from(s: &Service) -> Self {
        Self {
            id: s.id.clone(),
            name: s.name.clone(),
            categories: s.categories.clone(),
            latitude: s.latitude,
            longitude: s.longitude,
            address: s.address.clone(),
            postcode: s.postcode.clone(),
            phone: s.phone.clone(),
            website: s.website.clone(),
            opening_hours: s.opening_hours.clone(),
            languages: s.languages.clone(),
            notes: s.notes.clone(),
            last_updated: s.last_updated,
        }
    }
}

fn vault(dir: &std::path::Path, services: Vec<Service>) -> Session {
    let session = Vault::create(
        dir.join("load.db"),
        "timing example",
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
    let content = DirectoryContent::new("Europe/London", services);
    let bundle = build_directory_bundle(&key, &content, 1, now, now + Duration::days(30)).unwrap();
    session.directory().accept_bundle(&bundle[..], now).unwrap();
    session
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let nhs = synthetic::nhs_services();
    let services = synthetic::synthetic(&nhs, SERVICES, 13);
    let dir = tempfile::tempdir().unwrap();
    if args.get(1).map(String::as_str) == Some("loop") {
        let session = vault(dir.path(), services);
        let n: usize = args.get(2).map_or(20, |a| a.parse().unwrap());
        let start = Instant::now();
        for _ in 0..n {
            std::hint::black_box(session.directory().load().unwrap());
        }
        println!(
            "{n} loads, {:.1} ms each",
            start.elapsed().as_secs_f64() * 1e3 / n as f64
        );
        return;
    }
    let rounds: usize = args.get(1).map_or(9, |a| a.parse().unwrap());
    let buffers: Vec<Vec<u8>> = services
        .chunks(2_000)
        .map(|c| {
            let plain: Vec<PlainService> = c.iter().map(PlainService::from).collect();
            rmp_serde::to_vec(&plain).unwrap()
        })
        .collect();
    let session = vault(dir.path(), services.clone());
    let (mut decode, mut index, mut load) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        let t = Instant::now();
        let decoded: usize = buffers
            .iter()
            .map(|b| rmp_serde::from_slice::<Vec<PlainService>>(b).unwrap().len())
            .sum();
        decode.push(t.elapsed().as_secs_f64() * 1e3);
        assert_eq!(decoded, SERVICES);

        let content = DirectoryContent::new("Europe/London", services.clone());
        let t = Instant::now();
        let built = DirectoryIndex::build(vec![("example".to_owned(), content)]).unwrap();
        index.push(t.elapsed().as_secs_f64() * 1e3);
        assert_eq!(built.len(), SERVICES);
        drop(built);

        let t = Instant::now();
        let loaded = session.directory().load().unwrap();
        load.push(t.elapsed().as_secs_f64() * 1e3);
        assert_eq!(loaded.index.len(), SERVICES);
    }
    println!("{SERVICES} services, median of {rounds} alternating rounds:");
    println!(
        "  decode only (MessagePack, plain buffers): {:7.1} ms",
        median(&mut decode)
    );
    println!(
        "  build the index from memory:              {:7.1} ms",
        median(&mut index)
    );
    println!(
        "  load from the vault (open + decode + index): {:4.1} ms",
        median(&mut load)
    );
    // What the first search of a load pays now that its table is built on demand.
    let at = Utc.with_ymd_and_hms(2014, 3, 12, 12, 0, 0).unwrap();
    let loaded = session.directory().load().unwrap();
    let index = &loaded.index;
    first_and_second("name search", || {
        index.search_name("pharmacy", 20, at).unwrap().len()
    });
    first_and_second("postcode search", || {
        index.search_postcode("LS1", 20, at).unwrap().len()
    });
}

fn first_and_second(what: &str, run: impl Fn() -> usize) {
    let t = Instant::now();
    let n = run();
    let first = t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    run();
    let second = t.elapsed().as_secs_f64() * 1e3;
    println!("  {what} ({n} hits): first {first:.1} ms, then {second:.1} ms");
}
