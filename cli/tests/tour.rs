//! End to end: `vigil tour` runs on built-in defaults with nothing prepared.

mod common;

use common::{parse_one_json, Env};
use predicates::prelude::*;

/// One text tour per test run (each tour derives keys at the real KDF cost).
#[test]
fn the_tour_runs_with_nothing_prepared_and_says_what_each_step_did() {
    let folder =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/datasets/nhs-choices");
    assert!(
        folder.join("Pharmacy.csv").is_file(),
        "the NHS Choices sample is missing at {}",
        folder.display()
    );
    let env = Env::empty();
    // No passphrase source, no vault: the tour needs neither, and touches no --vault.
    env.bare().arg("tour").assert().success().stdout(
        predicate::str::contains("1. Create an encrypted vault")
            .and(predicate::str::contains("wrong passphrase -> refused"))
            .and(predicate::str::contains("everything is sealed"))
            .and(predicate::str::contains("Panic wipe"))
            .and(predicate::str::contains("Tour finished"))
            .and(predicate::str::contains(
                "2014 TEST DATA, NOT CURRENT SERVICE INFORMATION",
            ))
            .and(predicate::str::contains(
                "before trusting the project's key -> refused",
            ))
            .and(predicate::str::contains("one bit flipped -> refused")),
    );
    assert!(!env.vault().exists());
}

#[test]
fn the_tour_as_json_is_one_document_of_steps() {
    let env = Env::empty();
    let out = env.bare().args(["tour", "--json"]).assert().success();
    let doc = parse_one_json(&out.get_output().stdout);
    let steps = doc["steps"].as_array().unwrap();
    assert!(steps.len() >= 5);
    for step in steps {
        assert!(step["step"].is_string());
        assert!(!step["did"].as_array().unwrap().is_empty());
    }
}
