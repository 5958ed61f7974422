//! End to end: buddies and check-ins (driven with `checkin tick --now`), and the coercion
//! and backup commands: duress, unlock-limit, lock, export, restore.

mod common;

use chrono::{Duration, Utc};
use common::{file_names, Env};
use predicates::prelude::*;

fn at(minutes: i64) -> String {
    (Utc::now() + Duration::minutes(minutes)).to_rfc3339()
}

fn armed(env: &Env) -> String {
    env.vigil()
        .args([
            "buddy",
            "add",
            "--name",
            "Ana",
            "--phone",
            "07400 123456",
            "--language",
            "en",
        ])
        .assert()
        .success();
    env.vigil()
        .args([
            "checkin",
            "set-codes",
            "--code",
            "4821",
            "--duress-code",
            "9137",
        ])
        .assert()
        .success();
    let booking = env.json(&[
        "booking",
        "add",
        "--client",
        "Tom",
        "--phone",
        "07700 900123",
        "--at",
        &at(0),
        "--address",
        "12 Example Street",
        "--kind",
        "outcall",
    ]);
    let status = env.json(&[
        "checkin",
        "start",
        "--minutes",
        "30",
        "--booking",
        booking["id"].as_str().unwrap(),
    ]);
    assert_eq!(status["phase"], "armed");
    status["id"].as_str().unwrap().to_owned()
}

#[test]
fn a_missed_checkin_prints_the_buddy_message_without_the_passphrase() {
    let env = Env::with_vault();
    armed(&env);
    // From here on no passphrase at all: tick, status and ok use the device secret only.
    let early = env
        .bare()
        .args(["checkin", "tick", "--json", "--now", &at(1)])
        .assert()
        .success();
    let early = common::parse_one_json(&early.get_output().stdout);
    assert!(early["actions"].as_array().unwrap().is_empty());

    let reminder = env
        .bare()
        .args(["checkin", "tick", "--json", "--now", &at(26)])
        .assert()
        .success();
    let reminder = common::parse_one_json(&reminder.get_output().stdout);
    assert_eq!(reminder["actions"][0]["type"], "notify_worker");
    assert_eq!(reminder["actions"][0]["notice"], "reminder");

    env.bare()
        .args(["checkin", "tick", "--now", &at(42)])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("text Ana on +447400123456")
                .and(predicate::str::contains("12 Example Street"))
                // The booking's number, stored in E.164 since issue 20 (item 8).
                .and(predicate::str::contains("+447700900123")),
        );
    // Reported done: the next tick does not send it again.
    let again = env
        .bare()
        .args(["checkin", "tick", "--json", "--now", &at(43)])
        .assert()
        .success();
    let again = common::parse_one_json(&again.get_output().stdout);
    assert!(again["actions"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["type"] != "message_buddy"));

    let status = env
        .bare()
        .args(["checkin", "status", "--json"])
        .assert()
        .success();
    let status = common::parse_one_json(&status.get_output().stdout);
    assert_eq!(status["checkins"][0]["phase"], "escalating");
    assert_eq!(status["checkins"][0]["buddies_alerted"], 1);

    env.bare()
        .args(["checkin", "ok", "--code", "0000"])
        .assert()
        .code(13);
    env.bare()
        .args(["checkin", "ok", "--code", "4821"])
        .assert()
        .success();
    env.bare()
        .args(["checkin", "tick", "--now", &at(44)])
        .assert()
        .success()
        .stdout(predicate::str::contains("I am safe"));
}

#[test]
fn the_duress_code_looks_like_a_normal_checkin_and_alerts_silently() {
    let normal = Env::with_vault();
    armed(&normal);
    let duress = Env::with_vault();
    armed(&duress);
    let a = normal
        .bare()
        .args(["checkin", "ok", "--code", "4821"])
        .assert()
        .success();
    let b = duress
        .bare()
        .args(["checkin", "ok", "--code", "9137"])
        .assert()
        .success();
    assert_eq!(a.get_output().stdout, b.get_output().stdout);
    assert_eq!(a.get_output().stderr, b.get_output().stderr);
    let tick = duress
        .bare()
        .args(["checkin", "tick", "--json", "--now", &at(1)])
        .assert()
        .success();
    let tick = common::parse_one_json(&tick.get_output().stdout);
    let message = tick["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["type"] == "message_buddy")
        .unwrap();
    assert_eq!(message["purpose"], "duress");
    assert_eq!(message["discreet"], true);
    let tick = normal
        .bare()
        .args(["checkin", "tick", "--json", "--now", &at(1)])
        .assert()
        .success();
    let tick = common::parse_one_json(&tick.get_output().stdout);
    assert!(tick["actions"].as_array().unwrap().is_empty());
}

/// `checkin status --json` with what differs by construction (ids, times) masked.
fn masked_status(env: &Env) -> serde_json::Value {
    let out = env
        .bare()
        .args(["checkin", "status", "--json"])
        .assert()
        .success();
    let mut status = common::parse_one_json(&out.get_output().stdout);
    for s in status["checkins"].as_array_mut().unwrap() {
        for field in ["id", "booking", "armed_at", "deadline", "escalates_at"] {
            if !s[field].is_null() {
                s[field] = "masked".into();
            }
        }
    }
    status
}

#[test]
fn checkin_status_is_the_same_after_the_duress_code_and_the_normal_code() {
    let normal = Env::with_vault();
    armed(&normal);
    let duress = Env::with_vault();
    armed(&duress);
    assert_eq!(masked_status(&normal), masked_status(&duress));
    normal
        .bare()
        .args(["checkin", "ok", "--code", "4821"])
        .assert()
        .success();
    duress
        .bare()
        .args(["checkin", "ok", "--code", "9137"])
        .assert()
        .success();
    let (a, b) = (masked_status(&normal), masked_status(&duress));
    assert_eq!(a, b);
    assert!(a.get("next_wakeup").is_none(), "{a}");
    // Text output too.
    let text = |env: &Env| {
        env.bare()
            .args(["checkin", "status"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone()
    };
    assert_eq!(text(&normal), text(&duress));
    // The alarm loop still knows: `tick` reports the silent alerts' wake-up.
    let tick = duress
        .bare()
        .args(["checkin", "tick", "--json", "--now", &at(1)])
        .assert()
        .success();
    let tick = common::parse_one_json(&tick.get_output().stdout);
    assert!(!tick["actions"].as_array().unwrap().is_empty());
}

#[test]
fn extend_and_cancel_act_on_the_armed_checkin() {
    let env = Env::with_vault();
    let id = armed(&env);
    let before = env.json(&["checkin", "status"]);
    let extended = env.json(&["checkin", "extend", "--minutes", "15"]);
    assert_eq!(extended["id"], id.as_str());
    let old =
        chrono::DateTime::parse_from_rfc3339(before["checkins"][0]["deadline"].as_str().unwrap())
            .unwrap();
    let new = chrono::DateTime::parse_from_rfc3339(extended["deadline"].as_str().unwrap()).unwrap();
    assert_eq!(new - old, Duration::minutes(15));
    env.vigil().args(["checkin", "cancel"]).assert().success();
    assert!(env.json(&["checkin", "status"])["checkins"]
        .as_array()
        .unwrap()
        .is_empty());
    env.vigil().args(["checkin", "cancel"]).assert().code(10);
}

#[test]
fn checkin_start_explains_what_is_missing() {
    let env = Env::with_vault();
    env.vigil()
        .args(["checkin", "start", "--minutes", "30"])
        .assert()
        .code(6)
        .stderr(predicate::str::contains("buddy"));
    env.vigil()
        .args(["buddy", "add", "--name", "Ana", "--phone", "07400 123456"])
        .assert()
        .success();
    env.vigil()
        .args(["checkin", "start", "--minutes", "30"])
        .assert()
        .code(6)
        .stderr(predicate::str::contains("set-codes"));
    env.vigil()
        .args(["checkin", "start", "--minutes", "30", "--buddy", "Nobody"])
        .assert()
        .code(10);
    env.vigil()
        .args([
            "checkin",
            "set-codes",
            "--code",
            "12",
            "--duress-code",
            "9137",
        ])
        .assert()
        .code(6);
    env.vigil()
        .args(["buddy", "add", "--name", "Bo", "--phone", "not a phone"])
        .assert()
        .code(6)
        .stderr(
            predicate::str::contains("not a phone")
                .not()
                .or(predicate::str::contains("invalid phone")),
        );
}

#[test]
fn checkin_tick_without_the_device_secret_says_so() {
    let env = Env::with_vault();
    std::fs::remove_file(env.path("vault.db.device")).unwrap();
    env.bare()
        .args(["checkin", "tick"])
        .assert()
        .code(11)
        .stderr(predicate::str::contains("device-secret file"));
}

#[test]
fn the_duress_passphrase_opens_the_decoy_through_every_command() {
    let env = Env::with_vault();
    env.vigil()
        .args([
            "booking",
            "add",
            "--client",
            "Real Client",
            "--at",
            "2026-11-28T20:00:00Z",
        ])
        .assert()
        .success();
    env.vigil()
        .env("VIGIL_DURESS_PASSPHRASE", "duress words")
        .args(["duress", "set"])
        .assert()
        .success();
    let decoy = env
        .bare()
        .env("VIGIL_PASSPHRASE", "duress words")
        .args(["booking", "list", "--json"])
        .assert()
        .success();
    let decoy = common::parse_one_json(&decoy.get_output().stdout);
    let labels: Vec<&str> = decoy["bookings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["client"]["label"].as_str().unwrap())
        .collect();
    assert!(!labels.is_empty());
    assert!(!labels.contains(&"Real Client"));
    let real = env.json(&["booking", "list"]);
    assert_eq!(real["bookings"][0]["client"]["label"], "Real Client");
}

#[test]
fn a_destructive_duress_unlock_leaves_the_real_passphrase_useless() {
    let env = Env::with_vault();
    let file = env.path("duress.txt");
    std::fs::write(&file, "duress words\n").unwrap();
    env.vigil()
        .args([
            "duress",
            "set",
            "--destroy-real",
            "--duress-passphrase-file",
        ])
        .arg(&file)
        .assert()
        .success();
    env.bare()
        .env("VIGIL_PASSPHRASE", "duress words")
        .args(["booking", "list"])
        .assert()
        .success();
    env.vigil().args(["booking", "list"]).assert().code(3);
}

#[test]
fn a_duress_unlock_with_alert_buddies_queues_a_silent_alert() {
    let env = Env::with_vault();
    env.vigil()
        .env("VIGIL_DURESS_PASSPHRASE", "duress words")
        .args(["duress", "set", "--alert-buddies"])
        .assert()
        .code(6)
        .stderr(predicate::str::contains("buddy"));
    env.vigil()
        .args(["buddy", "add", "--name", "Ana", "--phone", "07400 123456"])
        .assert()
        .success();
    env.vigil()
        .env("VIGIL_DURESS_PASSPHRASE", "duress words")
        .args(["duress", "set", "--alert-buddies", "--buddy", "ana"])
        .assert()
        .success();
    let quiet = env
        .bare()
        .args(["checkin", "tick", "--json"])
        .assert()
        .success();
    let quiet = common::parse_one_json(&quiet.get_output().stdout);
    assert!(quiet["actions"].as_array().unwrap().is_empty());
    // Forced to unlock: the duress passphrase opens the decoy, as a normal unlock would.
    env.bare()
        .env("VIGIL_PASSPHRASE", "duress words")
        .args(["booking", "list"])
        .assert()
        .success();
    let tick = env
        .bare()
        .args(["checkin", "tick", "--json"])
        .assert()
        .success();
    let tick = common::parse_one_json(&tick.get_output().stdout);
    let message = tick["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["type"] == "message_buddy")
        .unwrap();
    assert_eq!(message["name"], "Ana");
    assert_eq!(message["purpose"], "duress");
    assert_eq!(message["discreet"], true);
}

#[test]
fn duress_set_without_a_duress_passphrase_source_fails_at_once() {
    let env = Env::with_vault();
    env.vigil()
        .args(["duress", "set"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("VIGIL_DURESS_PASSPHRASE"));
}

#[test]
fn the_unlock_limit_wipes_after_n_wrong_passphrases() {
    let env = Env::with_vault();
    env.json(&["unlock-limit", "--attempts", "2"]);
    let wrong = || {
        env.bare()
            .env("VIGIL_PASSPHRASE", "wrong")
            .args(["booking", "list"])
            .assert()
    };
    wrong().code(3);
    wrong().code(8).stderr(predicate::str::contains("wiped"));
    assert!(!env.vault().exists());
    env.vigil().args(["booking", "list"]).assert().code(4);
}

#[test]
fn a_right_passphrase_resets_the_unlock_counter_and_zero_removes_the_limit() {
    let env = Env::with_vault();
    env.json(&["unlock-limit", "--attempts", "2"]);
    env.bare()
        .env("VIGIL_PASSPHRASE", "wrong")
        .args(["booking", "list"])
        .assert()
        .code(3);
    env.vigil().args(["booking", "list"]).assert().success();
    env.bare()
        .env("VIGIL_PASSPHRASE", "wrong")
        .args(["booking", "list"])
        .assert()
        .code(3);
    env.json(&["unlock-limit", "--attempts", "0"]);
    for _ in 0..3 {
        env.bare()
            .env("VIGIL_PASSPHRASE", "wrong")
            .args(["booking", "list"])
            .assert()
            .code(3);
    }
    assert!(env.vault().exists());
}

#[test]
fn the_duress_passphrase_cannot_remove_the_real_unlock_limit() {
    let env = Env::with_vault();
    env.json(&["unlock-limit", "--attempts", "2"]);
    env.vigil()
        .env("VIGIL_DURESS_PASSPHRASE", "duress words")
        .args(["duress", "set"])
        .assert()
        .success();
    // Under the duress passphrase the answer is the ordinary one...
    env.bare()
        .env("VIGIL_PASSPHRASE", "duress words")
        .args(["unlock-limit", "--attempts", "0"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Unlock limit removed."));
    // ...but only the decoy's setting changed: the real limit of 2 still wipes.
    let wrong = || {
        env.bare()
            .env("VIGIL_PASSPHRASE", "wrong")
            .args(["booking", "list"])
            .assert()
    };
    wrong().code(3);
    wrong().code(8).stderr(predicate::str::contains("wiped"));
    assert!(!env.vault().exists());
}

#[test]
fn lock_reports_the_vault_locked_and_needs_one() {
    let env = Env::with_vault();
    let out = env.bare().args(["lock", "--json"]).assert().success();
    assert_eq!(
        common::parse_one_json(&out.get_output().stdout)["locked"],
        true
    );
    let empty = Env::empty();
    empty.bare().arg("lock").assert().code(4);
}

#[test]
fn export_and_restore_round_trip_into_a_new_vault() {
    let env = Env::with_vault();
    let added = env.json(&[
        "booking",
        "add",
        "--client",
        "Tom",
        "--at",
        "2026-11-28T20:00:00Z",
        "--note",
        "side door",
    ]);
    let backup = env.path("backup.age");
    env.vigil()
        .env("VIGIL_EXPORT_PASSPHRASE", "backup words")
        .args(["export", "--out"])
        .arg(&backup)
        .assert()
        .success();
    let bytes = std::fs::read(&backup).unwrap();
    assert!(bytes.starts_with(b"age-encryption.org/v1\n"));
    assert!(!bytes.windows(9).any(|w| w == b"side door"));

    let target = env.path("restored.db");
    env.restore_at(&target, &backup, "backup words")
        .assert()
        .success();
    let listed = env.json_at(&target, &["booking", "list"]);
    assert_eq!(listed["bookings"][0]["id"], added["id"]);
    assert_eq!(listed["bookings"][0]["notes"], "side door");
    assert!(env.path("restored.db.device").is_file());

    // Restoring again merges without duplicating.
    env.vigil_at(&target)
        .env("VIGIL_EXPORT_PASSPHRASE", "backup words")
        .args(["restore", "--from"])
        .arg(&backup)
        .assert()
        .success();
    let out = env
        .vigil_at(&target)
        .args(["booking", "list", "--json"])
        .assert()
        .success();
    assert_eq!(
        common::parse_one_json(&out.get_output().stdout)["bookings"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn restore_with_a_wrong_passphrase_or_a_damaged_file_leaves_nothing_behind() {
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
    let backup = env.path("backup.age");
    env.vigil()
        .env("VIGIL_EXPORT_PASSPHRASE", "backup words")
        .args(["export", "--out"])
        .arg(&backup)
        .assert()
        .success();
    let fresh = Env::empty();
    fresh
        .restore_at(&fresh.vault(), &backup, "not it")
        .assert()
        .code(3);
    assert!(
        file_names(fresh.dir.path()).is_empty(),
        "{:?}",
        file_names(fresh.dir.path())
    );
    let mut bytes = std::fs::read(&backup).unwrap();
    let last = bytes.len() - 5;
    bytes[last] ^= 1;
    std::fs::write(fresh.path("bad.age"), &bytes).unwrap();
    fresh
        .restore_at(&fresh.vault(), &fresh.path("bad.age"), "backup words")
        .assert()
        .code(7);
    assert_eq!(file_names(fresh.dir.path()), ["bad.age"]);
}

#[test]
fn export_to_an_age_recipient_and_restore_with_its_identity() {
    use vigil_core::export::age::X25519Identity;
    let env = Env::with_vault();
    env.vigil()
        .args(["export", "--recipient", "age1notakey", "--out"])
        .arg(env.path("x.age"))
        .assert()
        .code(6);
    assert!(!env.path("x.age").exists());

    let added = env.json(&[
        "booking",
        "add",
        "--client",
        "Tom",
        "--at",
        "2026-11-28T20:00:00Z",
    ]);
    let identity = X25519Identity::generate().unwrap();
    std::fs::write(
        env.path("id.txt"),
        format!("# key\n{}\n", identity.to_secret_string().as_str()),
    )
    .unwrap();
    let recipient = identity.to_public().to_string();
    // No export passphrase source at all: a recipient needs none.
    env.vigil()
        .args(["export", "--recipient", &recipient, "--out"])
        .arg(env.path("x.age"))
        .assert()
        .success();
    let target = env.path("restored.db");
    env.vigil_at(&target)
        .args(["restore", "--kdf-iterations", "100000", "--identity"])
        .arg(env.path("id.txt"))
        .arg("--from")
        .arg(env.path("x.age"))
        .assert()
        .success();
    let out = env
        .vigil_at(&target)
        .args(["booking", "list", "--json"])
        .assert()
        .success();
    assert_eq!(
        common::parse_one_json(&out.get_output().stdout)["bookings"][0]["id"],
        added["id"]
    );
}

#[test]
fn buddy_add_says_whether_their_sms_use_plain_letters_and_languages_are_listed() {
    let env = Env::with_vault();
    env.vigil()
        .args(["buddy", "add", "--name", "Kasia", "--phone", "07400 111222"])
        .args(["--language", "pl"])
        .assert()
        .success()
        .stdout(predicate::str::contains("without diacritics, as is usual"));
    let bruna = env.json(&[
        "buddy",
        "add",
        "--name",
        "Bruna",
        "--phone",
        "07400 333444",
        "--language",
        "pt-BR",
        "--plain-letters",
        "yes",
    ]);
    assert_eq!(bruna["language"], "pt-br");
    assert_eq!(bruna["plain_letters"], true);
    env.vigil()
        .args(["buddy", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("(pl, plain letters)"));
    let langs = env.json(&["buddy", "languages"]);
    let tags: Vec<&str> = langs["languages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["tag"].as_str().unwrap())
        .collect();
    assert_eq!(tags, ["en", "es", "pl", "pt", "pt-br", "ro"]);
}

#[test]
fn a_discreet_checkin_shows_only_the_neutral_text_to_the_worker() {
    let env = Env::with_vault();
    env.ana_and_codes();
    env.json(&["checkin", "start", "--minutes", "30", "--discreet"]);
    let reminder = env
        .bare()
        .args(["checkin", "tick", "--json", "--now", &at(26)])
        .assert()
        .success();
    let reminder = common::parse_one_json(&reminder.get_output().stdout);
    assert_eq!(reminder["actions"][0]["notice"], "reminder");
    assert_eq!(
        reminder["actions"][0]["text"],
        "Reminder: check your calendar."
    );
    env.bare()
        .args(["checkin", "tick", "--now", &at(42)])
        .assert()
        .success()
        .stdout(predicate::str::contains("ALERT: I have not checked in"));
}
