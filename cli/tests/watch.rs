//! End to end: `vigil pair show|add|list|phone`, `vigil watch receive|list`, and `checkin tick`
//! sending and acting on watch messages, between two vaults (a worker's and a desktop
//! buddy's).

mod common;

use chrono::{Duration, Utc};
use common::Env;
use predicates::prelude::*;

fn at(minutes: i64) -> String {
    (Utc::now() + Duration::minutes(minutes)).to_rfc3339()
}

/// Pairs the worker (who keeps Ana as a buddy) with Ana's desktop, checking the digits.
fn paired() -> (Env, Env) {
    let worker = Env::with_vault();
    worker.ana_and_codes();
    let buddy = Env::with_vault();
    let w_code = worker.json(&["pair", "show", "--name", "Maria"])["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let b_code = buddy.json(&["pair", "show", "--name", "Ana"])["code"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(w_code.starts_with("VGP1:"));
    // Without --sas: the digits are shown and nothing is saved.
    let on_worker = worker.json(&["pair", "add", &b_code]);
    assert_eq!(on_worker["saved"], false);
    assert_eq!(on_worker["name"], "Ana");
    let on_buddy = buddy.json(&["pair", "add", &w_code]);
    assert_eq!(
        on_worker["sas"], on_buddy["sas"],
        "both show the same digits"
    );
    let sas = on_worker["sas"].as_str().unwrap().to_owned();
    assert!(worker.json(&["pair", "list"])["pairings"]
        .as_array()
        .unwrap()
        .is_empty());
    // Wrong digits: refused.
    worker
        .vigil()
        .args(["pair", "add", &b_code, "--sas", "123 45x"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("digits do not match"));
    worker
        .vigil()
        .args([
            "pair",
            "add",
            &b_code,
            "--sas",
            &sas,
            "--phone",
            "07400 123456",
        ])
        .args(["--buddy", "Ana"])
        .assert()
        .success()
        .stdout(predicate::str::contains("also watched by their phone"));
    buddy
        .vigil()
        .args(["pair", "add", &w_code, "--sas", &sas])
        .assert()
        .success();
    let list = buddy.json(&["pair", "list"]);
    assert_eq!(list["pairings"][0]["name"], "Maria");
    (worker, buddy)
}

/// `checkin tick --now T --json` on `env`, needing no passphrase: the watch actions.
fn tick(env: &Env, minutes: i64) -> Vec<serde_json::Value> {
    let out = env
        .bare()
        .args(["checkin", "tick", "--now", &at(minutes), "--json"])
        .assert()
        .success();
    common::parse_one_json(&out.get_output().stdout)["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["type"].as_str().unwrap_or("").starts_with("watch_"))
        .cloned()
        .collect()
}

#[test]
fn a_desktop_buddy_receives_a_piped_watch_and_alarms_at_deadline_plus_grace() {
    let (worker, buddy) = paired();
    worker.json(&["checkin", "start", "--minutes", "30"]);
    let sent = tick(&worker, 0);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["type"], "watch_message");
    assert_eq!(sent[0]["kind"], "watch");
    assert_eq!(sent[0]["phone"], "+447400123456");
    let text = sent[0]["text"].as_str().unwrap().to_owned();
    // Pasted with a line break in the middle, piped on stdin, no passphrase.
    let (a, b) = text.split_at(100);
    let out = buddy
        .bare()
        .args(["watch", "receive", "--json"])
        .write_stdin(format!("here it is:\n{a}\n{b}\n"))
        .assert()
        .success();
    let got = common::parse_one_json(&out.get_output().stdout);
    assert_eq!(got["messages"][0]["accepted"], true);
    assert_eq!(got["messages"][0]["kind"], "watch");
    assert_eq!(got["messages"][0]["from"], "Maria");
    let list = buddy.json(&["watch", "list"]);
    assert_eq!(list["watches"][0]["phase"], "watching");
    assert_eq!(list["watches"][0]["worker"], "Maria");
    // The buddy's tick sends the ACK (no number saved: pasted by hand, another app).
    let acks = tick(&buddy, 1);
    assert_eq!(acks[0]["kind"], "ack");
    assert_eq!(acks[0]["channel"], "other_app");
    // The same message again: refused as a replay, exit status 12, nothing changed.
    buddy
        .bare()
        .args(["watch", "receive", &text])
        .assert()
        .code(12)
        .stdout(predicate::str::contains("already received"));
    assert!(tick(&buddy, 2).is_empty(), "too soon: no ACK again");
    // The worker's phone resends it 5 minutes on (its ACK never came): still refused, but
    // the buddy's next tick sends the ACK again.
    buddy
        .bare()
        .args(["watch", "receive", &text, "--now", &at(5)])
        .assert()
        .code(12);
    let again = tick(&buddy, 5);
    assert_eq!(again.len(), 1, "{again:?}");
    assert_eq!(again[0]["kind"], "ack");
    assert_ne!(again[0]["text"], acks[0]["text"], "a new ACK, not a retry");
    // Nothing before deadline + grace (30 + 10 minutes); then the alarm.
    assert!(tick(&buddy, 39).iter().all(|a| a["notice"] != "alarm"));
    let alarm = tick(&buddy, 41);
    let notices: Vec<_> = alarm.iter().map(|a| a["notice"].clone()).collect();
    assert!(notices.contains(&"alarm".into()), "{alarm:?}");
    assert!(notices.contains(&"call_worker".into()));
    assert_eq!(
        buddy.json(&["watch", "list"])["watches"][0]["phase"],
        "alarm"
    );
}

#[test]
fn a_check_in_sends_safe_and_the_worker_sees_the_buddys_confirmation() {
    let (worker, buddy) = paired();
    worker.json(&["checkin", "start", "--minutes", "30"]);
    let watch = tick(&worker, 0)[0]["text"].as_str().unwrap().to_owned();
    buddy
        .bare()
        .args(["watch", "receive", &watch])
        .assert()
        .success();
    worker
        .bare()
        .args(["checkin", "ok", "--code", "4821"])
        .assert()
        .success();
    let safe = tick(&worker, 1);
    assert_eq!(safe[0]["kind"], "safe");
    buddy
        .bare()
        .args(["watch", "receive", safe[0]["text"].as_str().unwrap()])
        .assert()
        .success()
        .stdout(predicate::str::contains("Received SAFE from Maria"));
    let ack = tick(&buddy, 2);
    let ack_text = ack.iter().find(|a| a["kind"] == "ack").unwrap()["text"]
        .as_str()
        .unwrap()
        .to_owned();
    worker
        .bare()
        .args(["watch", "receive", &ack_text])
        .assert()
        .success()
        .stdout(predicate::str::contains("Received ACK from Ana"));
    assert!(tick(&buddy, 60).iter().all(|a| a["notice"] != "alarm"));
    assert_eq!(
        buddy.json(&["watch", "list"])["watches"][0]["phase"],
        "safe"
    );
}

#[test]
fn a_pairings_number_is_changed_by_name_or_id_and_a_bad_number_is_refused() {
    let (worker, _buddy) = paired();
    let id = worker.json(&["pair", "list"])["pairings"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // By name (any case), read in the vault's region.
    let out = worker.json(&["pair", "phone", "ana", "07400 654321"]);
    assert_eq!(out["phone"], "+447400654321");
    assert_eq!(out["id"], id.as_str());
    worker
        .vigil()
        .args(["pair", "phone", &id, "07400 777888"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Ana's number is now +447400777888",
        ));
    // A check-in now goes to the new number.
    worker.json(&["checkin", "start", "--minutes", "30"]);
    assert_eq!(tick(&worker, 0)[0]["phone"], "+447400777888");
    // A bad number: refused (invalid value), the number not echoed, nothing changed.
    worker
        .vigil()
        .args(["pair", "phone", "Ana", "07400 77x"])
        .assert()
        .code(predicate::ne(0))
        .stderr(predicate::str::contains("phone").and(predicate::str::contains("77x").not()));
    assert_eq!(
        worker.json(&["pair", "list"])["pairings"][0]["phone"],
        "+447400777888"
    );
    // No such pairing; neither a number nor --none; --none removes it.
    worker
        .vigil()
        .args(["pair", "phone", "Nobody", "07400 777888"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no pairing has that id or name"));
    worker
        .vigil()
        .args(["pair", "phone", "Ana"])
        .assert()
        .failure();
    let out = worker.json(&["pair", "phone", "Ana", "--none"]);
    assert_eq!(out["phone"], serde_json::Value::Null);
}
