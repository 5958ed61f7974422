//! End to end: publisher tools, trust, import (directory and alerts), services, notes and
//! screening, with the refusals: untrusted key, tampered bundle, rollback, unknown category.

mod common;

use common::Env;
use predicates::prelude::*;

const ALERTS: &str = concat!(
    "{\"format\":1,\"region\":\"GB\"}\n",
    "{\"id\":\"A-1\",\"issued\":\"2026-02-20T22:00:00Z\",\"identifiers\":[{\"kind\":\"phone\",\"value\":\"07700 900123\"},{\"kind\":\"plate\",\"value\":\"AB12 CDE\"}],\"category\":\"violence\",\"description\":\"Violent when asked to leave.\"}\n",
    "{\"id\":\"A-2\",\"issued\":\"2026-02-21T01:00:00Z\",\"identifiers\":[{\"kind\":\"phone\",\"value\":\"not a number\"}],\"category\":\"time_waster\"}\n",
);

const SERVICES_CSV: &str = "\
id,name,categories,latitude,longitude,address,postcode,phone,opening_hours
1,Riverside Sexual Health,sexual_health_clinic,51.5080,-0.1247,1 Strand,WC2N 5HR,020 7000 0001,24/7
2,Night Pharmacy,pharmacy,51.5090,-0.1250,2 Strand,WC2N 5HS,,Mo-Su 09:00-10:00
3,Far Away Clinic,sexual_health_clinic,53.4808,-2.2426,Manchester,M1 1AA,,
";

/// A publisher key, trusted in the vault, and signed bundles from it.
fn publisher(env: &Env) {
    env.vigil()
        .args(["publish", "keygen", "--out"])
        .arg(env.path("pub.key"))
        .assert()
        .success()
        .stdout(predicate::str::starts_with("vigil-pub:"));
    std::fs::write(env.path("alerts.jsonl"), ALERTS).unwrap();
    std::fs::write(env.path("services.csv"), SERVICES_CSV).unwrap();
}

fn publish_alerts(env: &Env, key: &str, version: &str, out: &str) {
    env.vigil()
        .args(["publish", "alerts", "--from"])
        .arg(env.path("alerts.jsonl"))
        .arg("--key")
        .arg(env.path(key))
        .args(["--version", version, "--out"])
        .arg(env.path(out))
        .assert()
        .success();
}

fn publish_directory(env: &Env, version: &str, out: &str) {
    env.vigil()
        .args(["publish", "directory", "--format", "csv", "--from"])
        .arg(env.path("services.csv"))
        .arg("--key")
        .arg(env.path("pub.key"))
        .args(["--version", version, "--out"])
        .arg(env.path(out))
        .assert()
        .success();
}

fn trust(env: &Env) {
    env.vigil()
        .args(["trust", "add", "--name", "Test project", "--key"])
        .arg(env.path("pub.key.pub"))
        .assert()
        .success();
}

fn import(env: &Env, bundle: &str) -> assert_cmd::assert::Assert {
    env.vigil().arg("import").arg(env.path(bundle)).assert()
}

#[test]
fn keygen_writes_a_private_key_and_never_overwrites_it() {
    let env = Env::with_vault();
    publisher(&env);
    let key = std::fs::read_to_string(env.path("pub.key")).unwrap();
    assert!(key.starts_with("vigil-secret:"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(env.path("pub.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    env.vigil()
        .args(["publish", "keygen", "--out"])
        .arg(env.path("pub.key"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("never overwritten"));
    assert_eq!(std::fs::read_to_string(env.path("pub.key")).unwrap(), key);
}

#[test]
fn a_bundle_from_an_untrusted_key_is_refused_and_imports_once_trusted() {
    let env = Env::with_vault();
    publisher(&env);
    publish_alerts(&env, "pub.key", "1", "alerts.vgl");
    import(&env, "alerts.vgl").code(12).stderr(
        predicate::str::contains("no trusted publisher").and(predicate::str::contains("trust add")),
    );
    trust(&env);
    let doc = env.json(&["import", env.path("alerts.vgl").to_str().unwrap()]);
    assert_eq!(doc["kind"], "alerts");
    assert_eq!(doc["alerts"], 1);
    assert_eq!(doc["skipped"][0]["line"], 3);
    // The same version again is a rollback: refused, nothing changes.
    import(&env, "alerts.vgl")
        .code(12)
        .stderr(predicate::str::contains("not newer"));
}

#[test]
fn a_tampered_bundle_is_refused_and_changes_nothing() {
    let env = Env::with_vault();
    publisher(&env);
    trust(&env);
    publish_alerts(&env, "pub.key", "1", "alerts.vgl");
    let mut bytes = std::fs::read(env.path("alerts.vgl")).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(env.path("tampered.vgl"), &bytes).unwrap();
    import(&env, "tampered.vgl")
        .code(7)
        .stderr(predicate::str::contains("signature is not valid"));
    let screened = env.json(&["screen", "07700 900123"]);
    assert_eq!(screened["overall"], "unknown");
    // A truncated file is refused as well.
    std::fs::write(env.path("cut.vgl"), &bytes[..bytes.len() - 10]).unwrap();
    import(&env, "cut.vgl").code(7);
}

#[test]
fn a_bundle_signed_by_another_key_is_refused_even_with_a_higher_version() {
    let env = Env::with_vault();
    publisher(&env);
    trust(&env);
    env.vigil()
        .args(["publish", "keygen", "--out"])
        .arg(env.path("other.key"))
        .assert()
        .success();
    publish_alerts(&env, "other.key", "99", "forged.vgl");
    import(&env, "forged.vgl").code(12);
}

#[test]
fn publishing_malformed_alerts_fails_and_writes_nothing() {
    let env = Env::with_vault();
    publisher(&env);
    std::fs::write(
        env.path("alerts.jsonl"),
        "{\"format\":1,\"region\":\"GB\"}\nnot json\n",
    )
    .unwrap();
    env.vigil()
        .args(["publish", "alerts", "--from"])
        .arg(env.path("alerts.jsonl"))
        .arg("--key")
        .arg(env.path("pub.key"))
        .args(["--version", "1", "--out"])
        .arg(env.path("bad.vgl"))
        .assert()
        .code(6)
        .stderr(predicate::str::contains("line 2"));
    assert!(!env.path("bad.vgl").exists());
}

#[test]
fn screening_finds_alerts_and_own_notes_exactly_and_partially() {
    let env = Env::with_vault();
    publisher(&env);
    trust(&env);
    publish_alerts(&env, "pub.key", "1", "alerts.vgl");
    import(&env, "alerts.vgl").success();
    env.vigil()
        .args([
            "note",
            "add",
            "--phone",
            "07700 900555",
            "--risk",
            "caution",
            "--label",
            "Dave",
            "--text",
            "haggles",
        ])
        .assert()
        .success();
    let exact = env.json(&["screen", "+44 7700 900123"]);
    assert_eq!(exact["overall"], "danger");
    assert_eq!(exact["matches"][0]["strength"], "exact");
    assert_eq!(exact["matches"][0]["source"]["publisher"], "Test project");
    let partial = env.json(&["screen", "900555"]);
    assert_eq!(partial["overall"], "caution");
    assert_eq!(partial["matches"][0]["source"]["note"]["label"], "Dave");
    let plate = env.json(&["screen", "AB12"]);
    assert_eq!(plate["matches"].as_array().unwrap().len(), 1);
    let none = env.json(&["screen", "07700 900999"]);
    assert_eq!(none["overall"], "unknown");
    assert!(none["matches"].as_array().unwrap().is_empty());
    env.vigil()
        .args(["screen", "07700 900123"])
        .assert()
        .success()
        .stdout(predicate::str::contains("DANGER"));
}

#[test]
fn note_and_screen_reject_bad_input_without_echoing_it() {
    let env = Env::with_vault();
    env.vigil()
        .args(["note", "add", "--risk", "danger"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--phone"));
    env.vigil()
        .args([
            "note",
            "add",
            "--email",
            "secret-at-nowhere",
            "--risk",
            "danger",
        ])
        .assert()
        .code(6)
        .stderr(
            predicate::str::contains("e-mail")
                .and(predicate::str::contains("secret-at-nowhere").not()),
        );
    env.vigil().args(["screen", "!!"]).assert().code(6);
}

#[test]
fn services_near_and_search_answer_from_an_imported_directory() {
    let env = Env::with_vault();
    publisher(&env);
    trust(&env);
    env.vigil()
        .args(["services", "search", "clinic"])
        .assert()
        .code(10)
        .stderr(predicate::str::contains("directory is empty"));
    publish_directory(&env, "1", "dir.vgl");
    let doc = env.json(&["import", env.path("dir.vgl").to_str().unwrap()]);
    assert_eq!(doc["kind"], "directory");
    assert_eq!(doc["services"], 3);

    let near = env.json(&["services", "near", "51.5080,-0.1247", "--radius-km", "2"]);
    let names: Vec<&str> = near["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Riverside Sexual Health", "Night Pharmacy"]);
    assert_eq!(near["services"][0]["distance_m"], 0.0);

    let clinics = env.json(&[
        "services",
        "near",
        "51.5080,-0.1247",
        "--radius-km",
        "500",
        "--category",
        "GUM",
    ]);
    assert_eq!(clinics["services"].as_array().unwrap().len(), 2);

    // 23:00 UTC on a winter Wednesday: the pharmacy (09:00-10:00) is closed, the clinic is 24/7.
    let open = env.json(&[
        "services",
        "near",
        "51.5080,-0.1247",
        "--open-at",
        "2026-01-14T23:00:00Z",
    ]);
    let names: Vec<&str> = open["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Riverside Sexual Health"]);

    let found = env.json(&["services", "search", "pharm"]);
    assert_eq!(found["services"][0]["name"], "Night Pharmacy");
    let by_postcode = env.json(&["services", "search", "--postcode", "M1"]);
    assert_eq!(by_postcode["services"][0]["name"], "Far Away Clinic");
}

#[test]
fn services_open_at_lists_maybe_open_services_apart_and_labelled() {
    let env = Env::with_vault();
    publisher(&env);
    trust(&env);
    publish_directory(&env, "1", "dir.vgl");
    env.json(&["import", env.path("dir.vgl").to_str().unwrap()]);
    // 09:30 London on a winter Wednesday: both London services are open; the Manchester
    // clinic publishes no hours, so it is only "maybe open", after them.
    let args = [
        "services",
        "near",
        "51.5080,-0.1247",
        "--radius-km",
        "500",
        "--open-at",
        "2026-01-14T09:30:00Z",
    ];
    let doc = env.json(&args);
    let names = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        names(&doc["services"]),
        ["Riverside Sexual Health", "Night Pharmacy"]
    );
    assert_eq!(names(&doc["maybe_open"]), ["Far Away Clinic"]);
    assert_eq!(doc["maybe_open"][0]["open"], "unknown");
    assert_eq!(doc["maybe_open"][0]["hours_source"], "not_published");
    assert_eq!(doc["services"][1]["next_state"], "closed");
    assert_eq!(
        doc["services"][1]["hours_text"],
        "open, closes Wed 14 Jan 10:00"
    );
    // The text output labels the group.
    env.vigil()
        .args(args)
        .assert()
        .success()
        .stdout(predicate::str::contains("Maybe open"))
        .stdout(predicate::str::contains(
            "Night Pharmacy [pharmacy] open, closes 10:00",
        ))
        .stdout(predicate::str::contains(
            "Far Away Clinic [sexual_health_clinic] maybe open (no hours published)",
        ));
}

#[test]
fn services_refuse_an_unknown_category_and_a_bad_point() {
    let env = Env::with_vault();
    env.vigil()
        .args(["services", "near", "51.5,-0.12", "--category", "spaceport"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("unknown category")
                .and(predicate::str::contains("sexual_health_clinic")),
        );
    env.vigil()
        .args(["services", "near", "95,0"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("latitude"));
    env.vigil()
        .args(["services", "near", "51.5,-0.12", "--open-at", "tonight"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--open-at"));
}

#[test]
fn publish_directory_from_the_nhs_snapshot() {
    let folder =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/datasets/nhs-choices");
    assert!(
        folder.join("Pharmacy.csv").is_file(),
        "the NHS Choices sample is missing at {}",
        folder.display()
    );
    let env = Env::with_vault();
    publisher(&env);
    let out = env
        .vigil()
        .args(["publish", "directory", "--format", "nhs", "--from"])
        .arg(&folder)
        .arg("--key")
        .arg(env.path("pub.key"))
        .args(["--version", "1", "--json", "--out"])
        .arg(env.path("nhs.vgl"))
        .assert()
        .success();
    let doc = common::parse_one_json(&out.get_output().stdout);
    assert!(doc["services"].as_u64().unwrap() > 20_000);
    assert!(doc["attribution"].as_str().unwrap().contains("NHS Choices"));
    // A file where a folder is expected is a usage error.
    env.vigil()
        .args(["publish", "directory", "--format", "nhs", "--from"])
        .arg(env.path("pub.key"))
        .arg("--key")
        .arg(env.path("pub.key"))
        .args(["--version", "1", "--out"])
        .arg(env.path("x.vgl"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("folder"));
}
