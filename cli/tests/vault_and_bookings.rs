//! End to end: `vigil init`, `booking add/list`, `wipe`, the passphrase sources, and the
//! error paths a person meets first.

mod common;

use common::{file_names, parse_one_json, Env, PASSPHRASE};
use predicates::prelude::*;

#[test]
fn init_creates_the_vault_and_a_private_device_secret() {
    let env = Env::empty();
    let doc = env.json(&["init", "--kdf-iterations", "100000"]);
    assert_eq!(doc["kdf_iterations"], 100_000);
    assert!(env.vault().is_file());
    let device = env.path("vault.db.device");
    assert_eq!(doc["device_secret_file"], device.to_str().unwrap());
    let secret = std::fs::read(&device).unwrap();
    assert_eq!(secret.len(), 32);
    assert_ne!(secret, vec![0u8; 32]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&device).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "device secret must be owner-only");
    }
}

#[test]
fn init_explains_what_the_device_secret_file_does_not_protect() {
    let env = Env::empty();
    env.vigil()
        .args(["init", "--kdf-iterations", "100000"])
        .assert()
        .success()
        .stdout(predicate::str::contains("copies the whole folder"));
}

#[test]
fn init_refuses_to_overwrite_an_existing_vault() {
    let env = Env::with_vault();
    let before = std::fs::read(env.path("vault.db.device")).unwrap();
    env.vigil()
        .args(["init", "--kdf-iterations", "100000"])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("already exists"));
    assert_eq!(std::fs::read(env.path("vault.db.device")).unwrap(), before);
}

#[test]
fn init_rejects_kdf_iterations_below_the_floor() {
    let env = Env::empty();
    env.vigil()
        .args(["init", "--kdf-iterations", "99999"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--kdf-iterations"));
    assert!(!env.vault().exists());
}

#[test]
fn init_creates_missing_folders() {
    let env = Env::empty();
    let nested = env.path("a/b/vault.db");
    env.vigil_at(&nested)
        .args(["init", "--kdf-iterations", "100000"])
        .assert()
        .success();
    assert!(nested.is_file());
}

#[test]
fn a_booking_added_is_listed_with_every_field() {
    let env = Env::with_vault();
    let added = env.json(&[
        "booking",
        "add",
        "--client",
        "Tom",
        "--phone",
        "07700 900123",
        "--at",
        "2026-11-28T20:00:00+01:00",
        "--minutes",
        "90",
        "--kind",
        "outcall",
        "--address",
        "12 Example Street",
        "--lat",
        "51.5",
        "--lon",
        "-0.12",
        "--note",
        "asked for the side door",
    ]);
    let listed = env.json(&["booking", "list"]);
    let bookings = listed["bookings"].as_array().unwrap();
    assert_eq!(bookings.len(), 1);
    let b = &bookings[0];
    assert_eq!(b["id"], added["id"]);
    assert_eq!(b["client"]["label"], "Tom");
    // Checked and stored in E.164, like a buddy's number (issue 20, item 8).
    assert_eq!(b["client"]["phone"], "+447700900123");
    assert_eq!(b["starts_at"], "2026-11-28T19:00:00Z");
    assert_eq!(b["ends_at"], "2026-11-28T20:30:00Z");
    assert_eq!(b["kind"], "outcall");
    assert_eq!(b["status"], "planned");
    assert_eq!(b["place"]["address"], "12 Example Street");
    assert_eq!(b["place"]["latitude"], 51.5);
    assert_eq!(b["place"]["longitude"], -0.12);
    assert_eq!(b["notes"], "asked for the side door");
    assert_eq!(listed["unreadable"].as_array().unwrap().len(), 0);
}

#[test]
fn booking_list_filters_by_time_and_prints_a_table() {
    let env = Env::with_vault();
    for (client, at) in [
        ("Early", "2026-11-01T10:00:00Z"),
        ("Middle", "2026-11-15T10:00:00Z"),
        ("Late", "2026-11-30T10:00:00Z"),
    ] {
        env.vigil()
            .args(["booking", "add", "--client", client, "--at", at])
            .assert()
            .success();
    }
    let doc = env.json(&[
        "booking",
        "list",
        "--from",
        "2026-11-10T00:00:00Z",
        "--to",
        "2026-11-20T00:00:00Z",
    ]);
    let labels: Vec<_> = doc["bookings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["client"]["label"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(labels, ["Middle"]);
    env.vigil()
        .args(["booking", "list"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("Early").and(predicate::str::contains("2026-11-30 10:00 UTC")),
        );
}

#[test]
fn the_vault_on_disk_holds_no_booking_text() {
    let env = Env::with_vault();
    env.vigil()
        .args([
            "booking",
            "add",
            "--client",
            "Canary Client",
            "--at",
            "2026-11-28T20:00:00Z",
            "--address",
            "Canary Lane 77",
        ])
        .assert()
        .success();
    for name in file_names(env.dir.path()) {
        let bytes = std::fs::read(env.path(&name)).unwrap();
        for needle in [&b"Canary Client"[..], b"Canary Lane"] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "{name} leaks"
            );
        }
    }
}

#[test]
fn malformed_time_is_a_usage_error_naming_the_flag() {
    let env = Env::with_vault();
    env.vigil()
        .args([
            "booking",
            "add",
            "--client",
            "Tom",
            "--at",
            "28/11/2026 20:00",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--at").and(predicate::str::contains("not a time")));
    env.vigil()
        .args(["booking", "list", "--from", "yesterday"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--from"));
    assert_eq!(
        env.json(&["booking", "list"])["bookings"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

#[test]
fn latitude_without_longitude_is_refused() {
    let env = Env::with_vault();
    env.vigil()
        .args([
            "booking",
            "add",
            "--client",
            "Tom",
            "--at",
            "2026-11-28T20:00:00Z",
            "--lat",
            "51.5",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--lon"));
}

#[test]
fn a_rejected_value_gets_its_own_status_and_no_personal_data() {
    let env = Env::with_vault();
    env.vigil()
        .args([
            "booking",
            "add",
            "--client",
            "Secret Name",
            "--at",
            "2026-11-28T20:00:00Z",
            "--lat",
            "123",
            "--lon",
            "0",
        ])
        .assert()
        .code(6)
        .stderr(
            predicate::str::contains("latitude").and(predicate::str::contains("Secret Name").not()),
        );
    env.vigil()
        .args([
            "booking",
            "add",
            "--client",
            "  ",
            "--at",
            "2026-11-28T20:00:00Z",
        ])
        .assert()
        .code(6)
        .stderr(predicate::str::contains("client label"));
}

#[test]
fn wrong_passphrase_fails_with_status_3_and_does_not_echo_it() {
    let env = Env::with_vault();
    env.bare()
        .env("VIGIL_PASSPHRASE", "not-the-passphrase-xyzzy")
        .args(["booking", "list"])
        .assert()
        .code(3)
        .stderr(
            predicate::str::contains("wrong passphrase")
                .and(predicate::str::contains("xyzzy").not()),
        );
}

#[test]
fn missing_vault_is_reported_before_any_passphrase_is_asked_for() {
    let env = Env::empty();
    // No passphrase source at all: the missing vault must still be what is reported.
    env.bare()
        .args(["booking", "list"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("no vault").and(predicate::str::contains("vigil init")));
}

#[test]
fn no_passphrase_source_without_a_terminal_fails_at_once() {
    let env = Env::with_vault();
    let started = std::time::Instant::now();
    env.bare()
        .args(["booking", "list"])
        .assert()
        .code(3)
        .stderr(
            predicate::str::contains("no terminal")
                .and(predicate::str::contains("VIGIL_PASSPHRASE")),
        );
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    // Also for init, which must not create anything.
    let fresh = Env::empty();
    fresh.bare().args(["init"]).assert().code(3);
    assert!(!fresh.vault().exists());
}

#[test]
fn passphrase_file_wins_and_its_trailing_newline_is_ignored() {
    let env = Env::with_vault();
    let file = env.path("pass.txt");
    std::fs::write(&file, format!("{PASSPHRASE}\n")).unwrap();
    env.bare()
        .env("VIGIL_PASSPHRASE", "wrong")
        .arg("--passphrase-file")
        .arg(&file)
        .args(["booking", "list"])
        .assert()
        .success();
    env.bare()
        .arg("--passphrase-file")
        .arg(env.path("missing.txt"))
        .args(["booking", "list"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("does not exist"));
}

#[test]
fn wipe_refuses_without_yes_and_leaves_everything() {
    let env = Env::with_vault();
    env.vigil()
        .args([
            "booking",
            "add",
            "--client",
            "Tom",
            "--at",
            "2026-11-28T20:00:00Z",
        ])
        .assert()
        .success();
    let before = file_names(env.dir.path());
    env.vigil()
        .arg("wipe")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--yes"));
    assert_eq!(file_names(env.dir.path()), before);
    assert_eq!(
        env.json(&["booking", "list"])["bookings"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn wipe_removes_every_file_without_a_passphrase_and_is_idempotent() {
    let env = Env::with_vault();
    env.vigil()
        .args([
            "booking",
            "add",
            "--client",
            "Tom",
            "--at",
            "2026-11-28T20:00:00Z",
        ])
        .assert()
        .success();
    let out = env
        .bare()
        .args(["wipe", "--yes", "--json"])
        .assert()
        .success();
    assert_eq!(parse_one_json(&out.get_output().stdout)["wiped"], true);
    assert!(
        file_names(env.dir.path()).is_empty(),
        "left: {:?}",
        file_names(env.dir.path())
    );
    let out = env
        .bare()
        .args(["wipe", "--yes", "--json"])
        .assert()
        .success();
    assert_eq!(parse_one_json(&out.get_output().stdout)["wiped"], false);
    env.vigil().args(["booking", "list"]).assert().code(4);
}

/// Settings live in the vault: the stored country reads national numbers in later
/// commands, and `--region` overrides it for one command only.
#[test]
fn settings_are_stored_in_the_vault_and_region_overrides_them_once() {
    let env = Env::with_vault();
    let shown = env.json(&["settings", "show"]);
    assert_eq!(shown["region"], "GB");
    assert_eq!(shown["worker_languages"], serde_json::json!(["en"]));
    assert_eq!(shown["utc_offset_minutes"], serde_json::Value::Null);
    let set = env.json(&[
        "settings",
        "set",
        "--country",
        "ro",
        "--language",
        "ro",
        "--utc-offset",
        "120",
    ]);
    assert_eq!(set["region"], "RO");
    assert_eq!(set["utc_offset_minutes"], 120);
    assert_eq!(
        env.json(&["settings", "show"])["worker_languages"],
        serde_json::json!(["ro"])
    );
    let ro = env.json(&["buddy", "add", "--name", "Ana", "--phone", "0722 123 456"]);
    assert_eq!(ro["phone"], "+40722123456");
    let gb = env.json(&[
        "buddy",
        "add",
        "--name",
        "Bo",
        "--phone",
        "07400 123456",
        "--region",
        "GB",
    ]);
    assert_eq!(gb["phone"], "+447400123456");
    // Invalid values are refused and change nothing.
    env.vigil()
        .args(["settings", "set", "--utc-offset", "9999"])
        .assert()
        .failure();
    env.vigil()
        .args(["settings", "set", "--utc-offset", "soon"])
        .assert()
        .failure();
    assert_eq!(env.json(&["settings", "show"])["utc_offset_minutes"], 120);
    let back = env.json(&["settings", "set", "--utc-offset", "device"]);
    assert_eq!(back["utc_offset_minutes"], serde_json::Value::Null);
}
