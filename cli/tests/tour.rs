//! End to end: `vigil tour` runs on built-in defaults with nothing prepared.

mod common;

use common::{parse_one_json, Env};
use predicates::prelude::*;

/// One text tour per test run (each tour derives keys at the real KDF cost).
#[test]
fn the_tour_runs_with_nothing_prepared_and_says_what_each_step_did() {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/nhs-sample");
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
            .and(predicate::str::contains("everything is encrypted"))
            // Plain words; the jargon only with --verbose.
            .and(predicate::str::contains("PBKDF2").not())
            .and(predicate::str::contains("AES-256-GCM").not())
            .and(predicate::str::contains("What to do next"))
            .and(predicate::str::contains("vigil checkin install-timer"))
            .and(predicate::str::contains("vigil tour --verbose"))
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
        assert!(step["details"].is_array());
    }
    // The details behind the plain words are there for whoever asks.
    let text = doc.to_string();
    assert!(text.contains("PBKDF2-HMAC-SHA256"), "{text}");
    assert!(doc["next"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n.as_str().unwrap().starts_with("vigil init")));
}

/// The tour's NHS sample is built into the binary: nothing in it points at the snapshot
/// beside the source checkout (`../shared/datasets`), which a shipped binary has not got.
/// The old tour embedded that path (through `CARGO_MANIFEST_DIR`) and read it at run time.
#[test]
fn the_tour_binary_does_not_read_the_dataset_beside_the_checkout() {
    let binary = std::path::Path::new(env!("CARGO_BIN_EXE_vigil"));
    let bytes = std::fs::read(binary).unwrap();
    let needle = b"shared/datasets";
    assert!(
        !bytes.windows(needle.len()).any(|w| w == needle),
        "the vigil binary names the dataset folder beside the checkout"
    );
    // Where strace works, watch the files the tour actually opens, too.
    let env = Env::empty();
    let log = env.path("files.log");
    let traced = std::process::Command::new("strace")
        .args(["-f", "-qq", "-e", "trace=file", "-o"])
        .arg(&log)
        .arg(binary)
        .args(["tour", "--json"])
        .current_dir(env.dir.path())
        .env_remove("VIGIL_PASSPHRASE")
        .output();
    match traced {
        Ok(out) if out.status.success() => {
            let opened = std::fs::read_to_string(&log).unwrap();
            assert!(opened.contains("vigil-tour-"), "strace saw no tour files");
            assert!(
                !opened.contains("shared/datasets") && !opened.contains("nhs-choices"),
                "the tour opened the dataset beside the checkout"
            );
        }
        other => eprintln!("strace unavailable, only the binary was checked: {other:?}"),
    }
}
