//! Replays the fuzzers' committed inputs on the stable toolchain: every finding kept under
//! `fuzz/regressions/<target>/` and the minimized seed corpus under `fuzz/corpus/<target>/`
//! run through the very checks the fuzz targets run (`fuzz/src/checks.rs`, included by
//! path), so a fixed crash, hang or broken property stays fixed. See docs/fuzzing.md.

#[path = "../../fuzz/src/checks.rs"]
mod checks;

use std::path::PathBuf;

fn replay(target: &str, check: fn(&[u8])) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let corpus = root.join("corpus").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .unwrap_or_else(|e| panic!("corpus of {target} missing ({e})"))
        .map(|e| e.unwrap().path())
        .collect();
    assert!(!files.is_empty(), "corpus of {target} is empty");
    if let Ok(dir) = std::fs::read_dir(root.join("regressions").join(target)) {
        files.extend(dir.map(|e| e.unwrap().path()));
    }
    files.sort();
    for file in files {
        let data = std::fs::read(&file).unwrap();
        let outcome = std::panic::catch_unwind(|| check(&data));
        assert!(outcome.is_ok(), "{target}: {} fails", file.display());
    }
}

#[test]
fn bundle_envelope() {
    replay("bundle_envelope", checks::bundle_envelope);
}

#[test]
fn bundle_content() {
    replay("bundle_content", checks::bundle_content);
}

#[test]
fn directory_content() {
    replay("directory_content", checks::directory_content);
}

#[test]
fn geojson() {
    replay("geojson", checks::geojson);
}

#[test]
fn plain_csv() {
    replay("plain_csv", checks::plain_csv);
}

#[test]
fn nhs_csv() {
    replay("nhs_csv", checks::nhs_csv);
}

#[test]
fn opening_hours() {
    replay("opening_hours", checks::opening_hours);
}

#[test]
fn age() {
    replay("age", checks::age);
}

#[test]
fn identifiers() {
    replay("identifiers", checks::identifiers);
}
