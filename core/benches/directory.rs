//! Service directory: nearest-10-within-10-km with and without an open-now filter, index
//! against a brute-force scan, over the real NHS set and 1,000,000 synthetic services; and
//! loading a 100,000-service directory.
//!
//! Run: `cargo bench -p vigil-core --bench directory`
//! (peak memory of a load: `cargo run --profile bench -p vigil-core --example directory_load_memory`)

use std::hint::black_box;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use ring::rand::SystemRandom;
use vigil_core::clock::Timestamp;
use vigil_core::directory::{
    build_directory_bundle, DirectoryContent, DirectoryIndex, NearbyQuery, OpenFilter, Service,
};
use vigil_core::feeds::{generate_publisher_key, PublisherKey};
use vigil_core::vault::{Vault, VaultOptions, MIN_KDF_ITERATIONS};

#[path = "support/synthetic.rs"]
mod synthetic;

/// Sunday 11:00 in London: most services closed, so the open-now filter has to look
/// further than the plain nearest query.
fn sunday_morning() -> Timestamp {
    Utc.with_ymd_and_hms(2014, 3, 16, 11, 0, 0).unwrap()
}

fn index_of(services: Vec<Service>) -> DirectoryIndex {
    DirectoryIndex::build([(
        "bench".to_owned(),
        DirectoryContent::new("Europe/London", services),
    )])
    .unwrap()
}

fn nearest(c: &mut Criterion, label: &str, index: &DirectoryIndex, points: &[(f64, f64)]) {
    for (filter, name) in [
        (OpenFilter::Any, "nearest10_10km"),
        (OpenFilter::OpenOnly, "nearest10_10km_open_now"),
    ] {
        let mut group = c.benchmark_group(format!("directory/{name}/{label}"));
        group.sample_size(10);
        group.warm_up_time(Duration::from_millis(500));
        group.measurement_time(Duration::from_secs(2));
        let query = |i: usize| {
            let (lat, lon) = points[i % points.len()];
            NearbyQuery::new(lat, lon, 10_000.0, 10, sunday_morning()).open(filter)
        };
        let mut i = 0;
        group.bench_function("rtree_index", |b| {
            b.iter(|| {
                i += 1;
                black_box(index.nearby(&query(i)).unwrap().len())
            })
        });
        let mut i = 0;
        group.bench_function("brute_force_scan", |b| {
            b.iter(|| {
                i += 1;
                black_box(index.nearby_by_scan(&query(i)).unwrap().len())
            })
        });
        group.finish();
    }
}

fn bench_nearest(c: &mut Criterion) {
    let nhs = synthetic::nhs_services();
    let points = synthetic::query_points(&nhs, 256, 7);
    let nhs_index = index_of(nhs.clone());
    nearest(c, "nhs_22846", &nhs_index, &points);
    drop(nhs_index);
    let million = index_of(synthetic::synthetic(&nhs, 1_000_000, 11));
    nearest(c, "synthetic_1m", &million, &points);
}

fn bench_load(c: &mut Criterion) {
    let nhs = synthetic::nhs_services();
    let content = DirectoryContent::new("Europe/London", synthetic::synthetic(&nhs, 100_000, 13));
    let json = content.to_json().unwrap();

    let dir = tempfile::tempdir().unwrap();
    let session = Vault::create(
        dir.path().join("bench.db"),
        "bench passphrase",
        &VaultOptions {
            kdf_iterations: MIN_KDF_ITERATIONS,
            device_secret: None,
        },
    )
    .unwrap();
    let (pkcs8, public) = generate_publisher_key(&SystemRandom::new()).unwrap();
    let key = PublisherKey::from_pkcs8(&pkcs8).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
    session.feeds().trust("bench", public, now).unwrap();
    let bundle =
        build_directory_bundle(&key, &content, 1, now, now + chrono::Duration::days(30)).unwrap();
    session.directory().accept_bundle(&bundle[..], now).unwrap();
    drop(content);

    let mut group = c.benchmark_group("directory/load_100k");
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(5));
    // Baseline: only deserializing the content, no index.
    group.bench_function("json_parse_only", |b| {
        b.iter(|| black_box(DirectoryContent::from_json(&json).unwrap().services.len()))
    });
    group.bench_function("json_parse_and_index", |b| {
        b.iter(|| {
            let content = DirectoryContent::from_json(&json).unwrap();
            black_box(
                DirectoryIndex::build([("bench".to_owned(), content)])
                    .unwrap()
                    .len(),
            )
        })
    });
    group.bench_function("vault_open_chunks_and_index", |b| {
        b.iter(|| black_box(session.directory().load().unwrap().index.len()))
    });
    group.finish();
}

criterion_group!(benches, bench_nearest, bench_load);
criterion_main!(benches);
