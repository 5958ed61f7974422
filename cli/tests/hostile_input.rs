//! Issue 12 at the command line: `--json` failures are one JSON document on stdout, a
//! closed pipe is not a failure, rejected values are never echoed, and publisher inputs
//! that never end are refused.

mod common;

use std::process::Stdio;

use common::{parse_one_json, Env};

/// A value that must never reach the terminal: it looks like a phone number.
const PERSONAL: &str = "not a time 07700 900461";

fn assert_not_echoed(out: &std::process::Output) {
    for stream in [&out.stdout, &out.stderr] {
        let text = String::from_utf8_lossy(stream);
        assert!(
            !text.contains("07700") && !text.contains("900461"),
            "the rejected value was echoed: {text}"
        );
    }
}

#[test]
fn a_failure_with_json_prints_one_error_document_on_stdout() {
    let env = Env::empty();
    let out = env
        .vigil()
        .args(["--json", "booking", "list"])
        .assert()
        .code(4)
        .get_output()
        .clone();
    let doc = parse_one_json(&out.stdout);
    assert_eq!(doc["error"]["kind"], "no_vault");
    assert_eq!(doc["error"]["exit"], 4);
    assert!(doc["error"]["message"]
        .as_str()
        .unwrap()
        .contains("no vault"));
    assert!(doc["error"]["hint"]
        .as_str()
        .unwrap()
        .contains("vigil init"));
    // Without --json, stdout stays empty and the message goes to stderr.
    let out = env.vigil().args(["booking", "list"]).assert().code(4);
    assert!(out.get_output().stdout.is_empty());
}

#[test]
fn rejected_values_are_never_echoed() {
    let env = Env::with_vault();
    // A value parser of ours (a time), in text and JSON mode.
    let out = env
        .vigil()
        .args(["booking", "add", "--at", PERSONAL, "--client", "x"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert_not_echoed(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--at"), "names the argument: {stderr}");
    assert!(stderr.contains("not a time"), "says why: {stderr}");
    let out = env
        .vigil()
        .args([
            "--json", "booking", "add", "--at", PERSONAL, "--client", "x",
        ])
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert_not_echoed(&out);
    let doc = parse_one_json(&out.stdout);
    assert_eq!(doc["error"]["kind"], "usage");
    assert!(doc["error"]["message"].as_str().unwrap().contains("--at"));
    // clap's own range check repeats the number in its reason.
    let out = env
        .vigil()
        .args(["checkin", "start", "--minutes", "7700900461"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert_not_echoed(&out);
    assert!(String::from_utf8_lossy(&out.stderr).contains("--minutes"));
    // A stray value where none belongs, and an unknown command.
    for args in [vec!["booking", "list", "07700 900461"], vec!["07700900461"]] {
        let out = env
            .vigil()
            .args(&args)
            .assert()
            .code(2)
            .get_output()
            .clone();
        assert_not_echoed(&out);
    }
}

#[test]
fn a_closed_pipe_ends_json_output_quietly() {
    let env = Env::with_vault();
    for json in [true, false] {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_vigil"));
        cmd.arg("--vault")
            .arg(env.vault())
            .env("VIGIL_PASSPHRASE", common::PASSPHRASE)
            .args(["booking", "list"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if json {
            cmd.arg("--json");
        }
        let mut child = cmd.spawn().unwrap();
        // Close the reading end before the command (which first unlocks the vault) writes:
        // `vigil --json booking list | head -0`.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "json={json}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[cfg(unix)]
#[test]
fn endless_publisher_inputs_are_refused() {
    let env = Env::empty();
    let key = env.path("project.key");
    env.bare()
        .args(["publish", "keygen", "--out"])
        .arg(&key)
        .assert()
        .success();
    let bundle = env.path("out.vglb");
    for (what, format) in [
        ("directory", Some("geojson")),
        ("directory", Some("csv")),
        ("alerts", None),
    ] {
        let mut cmd = env.bare();
        cmd.args([
            "--json",
            "publish",
            what,
            "--from",
            "/dev/zero",
            "--version",
            "1",
            "--key",
        ])
        .arg(&key)
        .arg("--out")
        .arg(&bundle);
        if let Some(f) = format {
            cmd.args(["--format", f]);
        }
        let out = cmd.assert().code(6).get_output().clone();
        let doc = parse_one_json(&out.stdout);
        assert!(
            doc["error"]["message"]
                .as_str()
                .unwrap()
                .contains("MiB limit"),
            "{doc}"
        );
        assert!(!bundle.exists());
    }
    // A passphrase "file" that never ends.
    let env = Env::with_vault();
    let out = env
        .bare()
        .args(["--passphrase-file", "/dev/zero", "booking", "list"])
        .assert()
        .code(6)
        .get_output()
        .clone();
    assert!(String::from_utf8_lossy(&out.stderr).contains("larger than"));
}
