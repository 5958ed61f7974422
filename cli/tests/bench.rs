//! `vigil bench`: the device benchmark's JSON shape (never its times, which depend on the
//! machine) and that it leaves nothing behind.

mod common;

use common::Env;

/// The figures in the order `vigil_core::benchmark` reports them; the first device run is
/// compared with docs/PERFORMANCE.md by these names.
const FIGURES: [&str; 10] = [
    "unlock",
    "bookings_insert_list",
    "bookings_insert_list_plain_sqlite",
    "alerts_import",
    "screen_exact_alert_hit",
    "screen_exact_note_hit",
    "screen_exact_no_match",
    "directory_load",
    "nearest",
    "nearest_open_now",
];

#[test]
fn bench_json_has_every_figure_and_leaves_nothing_behind() {
    let env = Env::empty();
    let scratch = env.path("scratch");
    std::fs::create_dir(&scratch).unwrap();
    let doc = env.json(&["bench", "--quick", "--dir", scratch.to_str().unwrap()]);

    assert_eq!(doc["format"], 1);
    assert!(doc["vigil_version"].is_string());
    assert_eq!(doc["arch"], std::env::consts::ARCH);
    assert_eq!(doc["os"], std::env::consts::OS);
    assert!(doc["optimized"].is_boolean());
    let config = doc["config"].as_object().expect("config object");
    // The unlock runs at the real cost of a new vault, also in the quick run.
    assert_eq!(config["kdf_iterations"], 600_000);
    for key in [
        "unlock_runs",
        "bookings",
        "notes",
        "alerts",
        "services",
        "runs",
    ] {
        assert!(config[key].as_u64().is_some_and(|n| n > 0), "config.{key}");
    }

    let figures = doc["figures"].as_array().expect("figures array");
    let names: Vec<&str> = figures
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, FIGURES);
    for f in figures {
        let median = f["median_us"].as_f64().expect("median_us");
        let min = f["min_us"].as_f64().expect("min_us");
        assert!(median > 0.0 && min > 0.0 && min <= median, "{f}");
        assert!(f["runs"].as_u64().is_some_and(|n| n >= 1), "{f}");
        assert!(f["what"].as_str().is_some_and(|w| !w.is_empty()), "{f}");
    }
    assert_eq!(
        std::fs::read_dir(&scratch).unwrap().count(),
        0,
        "the temporary vaults are removed"
    );
    // No vault was made where `--vault` points: the benchmark touches none.
    assert!(!env.vault().exists());
}

#[test]
fn bench_in_a_missing_folder_fails_clearly() {
    let env = Env::empty();
    let out = env
        .vigil()
        .args(["bench", "--quick", "--json", "--dir"])
        .arg(env.path("does-not-exist"))
        .assert()
        .failure();
    let err: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(err["error"]["code"], "storage", "{err}");
    assert!(
        err["error"]["hint"].as_str().unwrap().contains("--dir"),
        "{err}"
    );
}
