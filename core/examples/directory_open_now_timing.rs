//! Times the open-now nearby query over 1,000,000 synthetic services (the same data and
//! queries as `benches/directory.rs`) without criterion, so that the before/after figures
//! of issue 21 can be taken with one short run:
//! `cargo run --profile bench -p vigil-core --example directory_open_now_timing`.

use std::hint::black_box;
use std::time::Instant;

use chrono::{TimeZone, Utc};
use vigil_core::clock::Timestamp;
use vigil_core::directory::{DirectoryContent, DirectoryIndex, NearbyQuery, OpenFilter};

#[path = "../benches/support/synthetic.rs"]
mod synthetic;

fn sunday_morning() -> Timestamp {
    Utc.with_ymd_and_hms(2014, 3, 16, 11, 0, 0).unwrap()
}

fn main() {
    let nhs = synthetic::nhs_services();
    let points = synthetic::query_points(&nhs, 256, 7);
    let index = DirectoryIndex::build([(
        "bench".to_owned(),
        DirectoryContent::new("Europe/London", synthetic::synthetic(&nhs, 1_000_000, 11)),
    )])
    .unwrap();
    let filters: &[(OpenFilter, &str)] = &[
        (OpenFilter::Any, "nearest 10 within 10 km"),
        (OpenFilter::OpenOnly, "open now"),
        (OpenFilter::UnknownOnly, "maybe open (unknown) group"),
    ];
    for &(filter, label) in filters {
        let run = |rounds: usize| {
            let start = Instant::now();
            for r in 0..rounds {
                for &(lat, lon) in &points {
                    let q = NearbyQuery::new(lat, lon, 10_000.0, 10, sunday_morning()).open(filter);
                    black_box(index.nearby(&q).unwrap().len());
                }
                black_box(r);
            }
            start.elapsed().as_secs_f64() / (rounds * points.len()) as f64
        };
        run(1); // warm-up: parses the hours strings the queries touch
        let per_query = (0..3).map(|_| run(1)).fold(f64::INFINITY, f64::min);
        println!(
            "1,000,000 synthetic, {label}: {:.1} µs per query (best of 3)",
            per_query * 1e6
        );
    }
}
