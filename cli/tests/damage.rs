//! End to end (issue 12): one damaged record is reported and skipped, never fatal and
//! never hidden; header damage and newer files get specific errors; every file holding
//! vault data is private.

mod common;

use std::path::Path;

use common::{parse_one_json, Env, PASSPHRASE};
use predicates::prelude::*;

fn raw(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

fn add_booking(env: &Env, client: &str, at: &str) -> String {
    env.json(&["booking", "add", "--client", client, "--at", at])["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn a_booking_whose_body_is_not_a_blob_is_reported_and_the_rest_listed_and_exported() {
    let env = Env::with_vault();
    let damaged = add_booking(&env, "Tom", "2026-11-28T20:00:00Z");
    let intact = add_booking(&env, "Sam", "2026-11-29T20:00:00Z");
    raw(&env.vault())
        .execute(
            "UPDATE bookings SET body = 'x' WHERE hex(id) = upper(?1)",
            [&damaged],
        )
        .unwrap();

    env.vigil()
        .args(["booking", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Sam").and(predicate::str::contains("Tom").not()))
        .stderr(predicate::str::contains(
            "1 booking(s) failed authentication",
        ));
    let listed = env.json(&["booking", "list"]);
    assert_eq!(listed["bookings"].as_array().unwrap().len(), 1);
    assert_eq!(listed["bookings"][0]["id"], intact.as_str());
    assert_eq!(listed["unreadable"], serde_json::json!([damaged]));

    let backup = env.path("backup.age");
    let out = env
        .vigil()
        .env("VIGIL_EXPORT_PASSPHRASE", "backup words")
        .args(["--json", "export", "--out"])
        .arg(&backup)
        .assert()
        .success()
        .stderr(predicate::str::contains("left out of the export"));
    let summary = parse_one_json(&out.get_output().stdout);
    assert_eq!(summary["unreadable"], 1);
    assert_eq!(summary["sections"]["bookings"], 1);

    let target = env.path("restored.db");
    env.restore_at(&target, &backup, "backup words")
        .assert()
        .success();
    let restored = env.json_at(&target, &["booking", "list"]);
    assert_eq!(restored["bookings"][0]["id"], intact.as_str());
    assert_eq!(restored["bookings"].as_array().unwrap().len(), 1);
}

#[test]
fn screening_a_number_whose_danger_note_is_damaged_warns_in_text_and_json() {
    let env = Env::with_vault();
    env.vigil()
        .args([
            "note",
            "add",
            "--phone",
            "07700 900461",
            "--risk",
            "danger",
            "--label",
            "Dave",
        ])
        .assert()
        .success();
    env.vigil()
        .args(["screen", "07700 900461"])
        .assert()
        .success()
        .stdout(predicate::str::contains("DANGER"))
        .stdout(predicate::str::contains("could not be read").not());
    raw(&env.vault())
        .execute("UPDATE screening_notes SET body = x'00'", [])
        .unwrap();

    // Exit status 0, as for every answer (it never carries the risk); the answer itself
    // says it may be incomplete, and does not read as an all-clear.
    env.vigil()
        .args(["screen", "07700 900461"])
        .assert()
        .success()
        .stdout(predicate::str::contains("no readable notes or alerts"))
        .stdout(predicate::str::contains(
            "1 note could not be read (damaged or tampered): the answer may be incomplete",
        ))
        .stdout(predicate::str::contains("no notes or alerts").not());
    let out = env
        .vigil()
        .args(["--json", "screen", "07700 900461"])
        .assert()
        .success()
        .stderr(predicate::str::contains("1 note could not be read"));
    let answer = parse_one_json(&out.get_output().stdout);
    assert_eq!(answer["unreadable"]["notes"], 1);
    assert_eq!(answer["unreadable"]["alerts"], 0);
    assert_eq!(answer["complete"], false);
    assert_eq!(answer["matches"], serde_json::json!([]));
}

#[test]
fn a_huge_iteration_count_is_refused_at_once_as_a_damaged_header() {
    let env = Env::with_vault();
    raw(&env.vault())
        .execute("UPDATE vault_header SET kdf_iterations = 4294967295", [])
        .unwrap();
    // The helper's 60-second timeout fails the test if the derivation ran (about an hour).
    env.vigil()
        .args(["booking", "list"])
        .assert()
        .code(7)
        .stderr(predicate::str::contains("iteration count out of range"))
        .stderr(predicate::str::contains("wrong passphrase").not());
    env.vigil()
        .args(["init", "--kdf-iterations", "4294967295"])
        .arg("--vault")
        .arg(env.path("other.db"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("must be at most"));
}

#[test]
fn a_vault_from_a_newer_vigil_says_so_and_a_negative_version_is_damage() {
    let env = Env::with_vault();
    raw(&env.vault())
        .pragma_update(None, "user_version", 1000)
        .unwrap();
    env.vigil()
        .args(["booking", "list"])
        .assert()
        .code(9)
        .stderr(predicate::str::contains("newer version of Vigil"))
        .stderr(predicate::str::contains("upgrade"));
    raw(&env.vault())
        .pragma_update(None, "user_version", -1)
        .unwrap();
    env.vigil()
        .args(["booking", "list"])
        .assert()
        .code(7)
        .stderr(predicate::str::contains("schema version out of range"))
        .stderr(predicate::str::contains("storage error").not());
}

/// `vigil` run under `umask 022` (the usual default, which leaves files readable by all).
#[cfg(unix)]
fn under_umask_022(vault: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new("sh");
    cmd.args(["-c", "umask 022 && exec \"$@\"", "sh"])
        .arg(env!("CARGO_BIN_EXE_vigil"))
        .arg("--vault")
        .arg(vault)
        .env_remove("VIGIL_DURESS_PASSPHRASE")
        .env("VIGIL_PASSPHRASE", PASSPHRASE)
        .env("VIGIL_EXPORT_PASSPHRASE", "backup words")
        .timeout(std::time::Duration::from_secs(60));
    cmd
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

#[cfg(unix)]
#[test]
fn init_restore_and_export_write_private_files_in_private_folders() {
    let env = Env::empty();
    let vault = env.path("home/vigil/vault.db");
    under_umask_022(&vault)
        .args(["init", "--kdf-iterations", "100000"])
        .assert()
        .success();
    for name in ["vault.db", "vault.db-aux", "vault.db.device"] {
        assert_eq!(
            mode(&env.path(&format!("home/vigil/{name}"))),
            0o600,
            "{name}"
        );
    }
    assert_eq!(mode(&env.path("home/vigil")), 0o700);
    under_umask_022(&vault)
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

    let backup = env.path("backup.age");
    under_umask_022(&vault)
        .args(["export", "--out"])
        .arg(&backup)
        .assert()
        .success();
    assert_eq!(mode(&backup), 0o600);
    // Overwriting an existing, more open file makes it private too.
    std::fs::write(env.path("open.age"), b"old").unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(env.path("open.age"), std::fs::Permissions::from_mode(0o644))
            .unwrap();
    }
    under_umask_022(&vault)
        .args(["export", "--out"])
        .arg(env.path("open.age"))
        .assert()
        .success();
    assert_eq!(mode(&env.path("open.age")), 0o600);

    // Restore into a folder that does not exist yet: made, private, and the vault in it.
    let restored = env.path("new/nested/folder/restored.db");
    under_umask_022(&restored)
        .args(["restore", "--kdf-iterations", "100000", "--from"])
        .arg(&backup)
        .assert()
        .success()
        .stdout(predicate::str::contains("(new vault)"));
    for dir in ["new", "new/nested", "new/nested/folder"] {
        assert_eq!(mode(&env.path(dir)), 0o700, "{dir}");
    }
    for name in ["restored.db", "restored.db-aux", "restored.db.device"] {
        assert_eq!(
            mode(&env.path(&format!("new/nested/folder/{name}"))),
            0o600,
            "{name}"
        );
    }
    let out = under_umask_022(&restored)
        .args(["--json", "booking", "list"])
        .assert()
        .success();
    let listed = parse_one_json(&out.get_output().stdout);
    assert_eq!(listed["bookings"][0]["client"]["label"], "Tom");
}
