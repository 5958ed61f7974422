//! End to end: records a person can manage (issue 20, items 2 and 8): booking status and
//! past bookings, check-in history, the only armed check-in, and input checked the same
//! way everywhere.

mod common;

use chrono::{Duration, Utc};
use common::Env;
use predicates::prelude::*;

fn at(minutes: i64) -> String {
    (Utc::now() + Duration::minutes(minutes)).to_rfc3339()
}

fn booking(env: &Env, args: &[&str]) -> String {
    let mut all = vec!["booking", "add"];
    all.extend_from_slice(args);
    env.json(&all)["id"].as_str().unwrap().to_owned()
}

#[test]
fn past_bookings_wait_for_a_status_and_no_show_is_one() {
    let env = Env::with_vault();
    let past = booking(&env, &["--client", "Tom", "--at", &at(-180)]);
    let future = booking(&env, &["--client", "Sam", "--at", &at(180)]);

    // Over and still planned: listed as waiting for her word, never marked done by itself.
    let listed = env.json(&["booking", "list"]);
    let find = |id: &str| {
        listed["bookings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(find(&past)["status"], "planned");
    assert_eq!(find(&past)["awaiting_outcome"], true);
    assert_eq!(find(&future)["awaiting_outcome"], false);
    env.vigil()
        .args(["booking", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("past, no status"))
        .stdout(predicate::str::contains(
            "1 past booking(s) have no status yet",
        ));
    let waiting = env.json(&["booking", "list", "--no-status"]);
    assert_eq!(waiting["bookings"].as_array().unwrap().len(), 1);
    assert_eq!(waiting["bookings"][0]["id"], past.as_str());

    // The verbs, and the status subcommand, both take no-show.
    assert_eq!(
        env.json(&["booking", "no-show", &past])["status"],
        "no_show"
    );
    assert_eq!(
        env.json(&["booking", "status", &past, "no-show"])["status"],
        "no_show"
    );
    assert_eq!(env.json(&["booking", "done", &past])["status"], "done");
    assert_eq!(
        env.json(&["booking", "cancel", &future])["status"],
        "cancelled"
    );
    env.vigil()
        .args(["booking", "no-show", &past])
        .assert()
        .success()
        .stdout(predicate::str::contains("is now a no-show"));
    let listed = env.json(&["booking", "list", "--no-status"]);
    assert!(listed["bookings"].as_array().unwrap().is_empty());
    env.vigil()
        .args(["booking", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("no status yet").not());

    // A no-show survives an export and a restore.
    let backup = env.path("backup.age");
    env.vigil()
        .env("VIGIL_EXPORT_PASSPHRASE", "another long export passphrase")
        .args(["export", "--out"])
        .arg(&backup)
        .assert()
        .success();
    let target = env.path("restored.db");
    env.restore_at(&target, &backup, "another long export passphrase")
        .assert()
        .success();
    let restored = env.json_at(&target, &["booking", "show", &past]);
    assert_eq!(restored["status"], "no_show");
}

#[test]
fn a_bookings_phone_is_checked_like_a_buddys_and_nothing_is_lost() {
    let env = Env::with_vault();
    env.vigil()
        .args([
            "booking",
            "add",
            "--client",
            "Tom",
            "--at",
            &at(60),
            "--phone",
            "not a number",
        ])
        .assert()
        .code(6)
        .stderr(predicate::str::contains("phone"))
        .stderr(predicate::str::contains("Nothing was saved"))
        .stderr(predicate::str::contains("not a number").not());
    assert!(env.json(&["booking", "list"])["bookings"]
        .as_array()
        .unwrap()
        .is_empty());

    let id = booking(
        &env,
        &[
            "--client",
            "Tom",
            "--at",
            &at(60),
            "--phone",
            "07700 900123",
        ],
    );
    assert_eq!(
        env.json(&["booking", "show", &id])["client"]["phone"],
        "+447700900123"
    );
    // A bad number in an edit changes nothing, the other fields given with it included.
    env.vigil()
        .args(["booking", "edit", &id, "--phone", "12", "--client", "Other"])
        .assert()
        .code(6);
    let shown = env.json(&["booking", "show", &id]);
    assert_eq!(shown["client"]["label"], "Tom");
    assert_eq!(shown["client"]["phone"], "+447700900123");
    // "" still removes it.
    let edited = env.json(&["booking", "edit", &id, "--phone", ""]);
    assert_eq!(edited["client"]["phone"], serde_json::Value::Null);
}

#[test]
fn a_buddy_language_must_be_one_the_messages_are_written_in() {
    let env = Env::with_vault();
    env.vigil()
        .args([
            "buddy",
            "add",
            "--name",
            "Ana",
            "--phone",
            "07400 123456",
            "--language",
            "xx",
        ])
        .assert()
        .code(6)
        .stderr(predicate::str::contains("language"))
        .stderr(predicate::str::contains("vigil buddy languages"));
    assert!(env.json(&["buddy", "list"])["buddies"]
        .as_array()
        .is_none_or(|b| b.is_empty()));
    // A regional tag of a known language is fine (pt-BR has its own messages, en-GB
    // gets English).
    for tag in ["pt-BR", "en-GB", "ro"] {
        env.vigil()
            .args([
                "buddy",
                "add",
                "--name",
                tag,
                "--phone",
                "07400 123456",
                "--language",
                tag,
            ])
            .assert()
            .success();
    }
    env.vigil()
        .args(["buddy", "edit", "ro", "--language", "klingon"])
        .assert()
        .code(6);
    assert_eq!(env.json(&["buddy", "show", "ro"])["language"], "ro");
}

#[test]
fn extend_and_cancel_take_the_only_armed_checkin_and_name_them_when_several() {
    let env = Env::with_vault();
    env.ana_and_codes();
    env.vigil()
        .args(["checkin", "cancel"])
        .assert()
        .code(10)
        .stderr(predicate::str::contains("no check-in"));
    let first = env.json(&["checkin", "start", "--minutes", "30"]);
    // The phase in words, not the enum's name.
    env.bare()
        .args(["checkin", "status"])
        .assert()
        .success()
        .stdout(predicate::str::contains("  armed  deadline"))
        .stdout(predicate::str::contains("Armed").not());
    let extended = env.json(&["checkin", "extend", "--minutes", "15"]);
    assert_eq!(extended["id"], first["id"]);

    let second = env.json(&["checkin", "start", "--minutes", "60"]);
    let out = env
        .vigil()
        .args(["checkin", "extend", "--minutes", "15"])
        .assert()
        .code(6)
        .stderr(predicate::str::contains("more than one check-in is armed"));
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    for s in [&first, &second] {
        assert!(err.contains(s["id"].as_str().unwrap()), "{err}");
    }
    let cancelled = env.json(&["checkin", "cancel", "--id", second["id"].as_str().unwrap()]);
    assert_eq!(cancelled["cancelled"], second["id"]);
    // One left: no --id needed again.
    let cancelled = env.json(&["checkin", "cancel"]);
    assert_eq!(cancelled["cancelled"], first["id"]);
}

#[test]
fn history_lists_ended_checkins_and_a_duress_code_looks_like_a_checkin() {
    let env = Env::with_vault();
    env.ana_and_codes();
    env.vigil()
        .args(["checkin", "history"])
        .assert()
        .success()
        .stdout(predicate::str::contains("No check-in has ended yet."));

    let b = booking(&env, &["--client", "Tom", "--at", &at(5)]);
    let cancelled = env.json(&["checkin", "start", "--minutes", "30", "--booking", &b]);
    env.json(&["checkin", "cancel"]);
    let normal = env.json(&["checkin", "start", "--minutes", "30"]);
    env.vigil()
        .args(["checkin", "ok", "--code", "4821"])
        .assert()
        .success();
    let duress = env.json(&["checkin", "start", "--minutes", "30"]);
    env.vigil()
        .args(["checkin", "ok", "--code", "9137"])
        .assert()
        .success();
    // The duress alerts go out afterwards: the history entry does not change with them.
    env.bare()
        .args(["checkin", "tick", "--json"])
        .assert()
        .success();

    let history = env.json(&["checkin", "history"]);
    let entries = history["history"].as_array().unwrap();
    assert_eq!(entries.len(), 3, "{history}");
    let entry = |id: &serde_json::Value| {
        entries
            .iter()
            .find(|e| e["id"] == *id)
            .unwrap_or_else(|| panic!("{id} in {history}"))
            .clone()
    };
    let c = entry(&cancelled["id"]);
    assert_eq!(c["outcome"], "cancelled");
    assert_eq!(c["booking"], b.as_str());
    assert_eq!(c["deadline"], cancelled["deadline"]);
    let (n, d) = (entry(&normal["id"]), entry(&duress["id"]));
    assert_eq!(n["outcome"], "checked_in");
    // Field for field the same shape and values: nothing tells the duress code apart.
    assert_eq!(d["outcome"], "checked_in");
    for field in ["escalated", "buddies_alerted", "booking"] {
        assert_eq!(n[field], d[field], "{field}");
    }
    let keys = |v: &serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&n), keys(&d));
    env.vigil()
        .args(["checkin", "history"])
        .assert()
        .success()
        .stdout(predicate::str::contains("cancelled"))
        .stdout(predicate::str::contains("checked in").count(2));
}

#[test]
fn a_duress_unlock_leaves_no_trace_in_either_history() {
    let env = Env::with_vault();
    env.ana_and_codes();
    env.vigil()
        .env(
            "VIGIL_DURESS_PASSPHRASE",
            "a different duress passphrase here",
        )
        .args(["duress", "set", "--alert-buddies"])
        .assert()
        .success();
    env.bare()
        .env("VIGIL_PASSPHRASE", "a different duress passphrase here")
        .args(["booking", "list"])
        .assert()
        .success();
    let out = env
        .bare()
        .args(["checkin", "tick", "--json"])
        .assert()
        .success();
    // The duress unlock did alert (so the history had something to leave out).
    let ticked = common::parse_one_json(&out.get_output().stdout);
    assert!(
        ticked["actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["type"] == "message_buddy"),
        "{ticked}"
    );
    let real = env.json(&["checkin", "history"]);
    assert!(real["history"].as_array().unwrap().is_empty(), "{real}");
}

#[test]
fn arming_for_a_booking_far_away_in_time_says_so() {
    let env = Env::with_vault();
    env.ana_and_codes();
    let later = booking(&env, &["--client", "Tom", "--at", &at(3 * 24 * 60)]);
    let out = env
        .vigil()
        .args([
            "checkin",
            "start",
            "--minutes",
            "60",
            "--booking",
            &later,
            "--json",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("starts 3 days after"));
    let doc = common::parse_one_json(&out.get_output().stdout);
    let minutes = doc["booking_timing"]["starts_after_deadline_minutes"]
        .as_i64()
        .unwrap();
    assert!(
        (3 * 24 * 60 - 62..=3 * 24 * 60 - 58).contains(&minutes),
        "{doc}"
    );
    env.json(&["checkin", "cancel"]);

    let past = booking(&env, &["--client", "Sam", "--at", &at(-5 * 60)]);
    env.vigil()
        .args(["checkin", "start", "--minutes", "60", "--booking", &past])
        .assert()
        .success()
        .stderr(predicate::str::contains("ended"));
    env.json(&["checkin", "cancel"]);

    // A booking starting now: not a word.
    let now = booking(&env, &["--client", "Kim", "--at", &at(2)]);
    let out = env
        .vigil()
        .args([
            "checkin",
            "start",
            "--minutes",
            "60",
            "--booking",
            &now,
            "--json",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("booking").not());
    let doc = common::parse_one_json(&out.get_output().stdout);
    assert_eq!(doc["booking_timing"], serde_json::Value::Null);
}

#[test]
fn screening_counts_the_workers_own_bookings_with_the_client() {
    let env = Env::with_vault();
    for (minutes, status) in [(-3 * 24 * 60, "done"), (-24 * 60, "no-show")] {
        let id = booking(
            &env,
            &[
                "--client",
                "Tom",
                "--at",
                &at(minutes),
                "--phone",
                "07700 900123",
            ],
        );
        env.json(&["booking", "status", &id, status]);
    }
    booking(
        &env,
        &[
            "--client",
            "Tom",
            "--at",
            &at(24 * 60),
            "--phone",
            "+44 7700 900123",
        ],
    );
    booking(
        &env,
        &[
            "--client",
            "Other",
            "--at",
            &at(-60),
            "--phone",
            "07700 900999",
        ],
    );

    let doc = env.json(&["screen", "07700900123"]);
    assert_eq!(doc["own_bookings"]["count"], 3);
    assert_eq!(doc["own_bookings"]["no_shows"], 1);
    assert!(doc["own_bookings"]["last"].is_string());
    assert!(doc["own_bookings"]["next"].is_string());
    env.vigil()
        .args(["screen", "+447700900123"])
        .assert()
        .success()
        .stdout(predicate::str::contains("seen in 3 of your bookings, last"))
        .stdout(predicate::str::contains("1 no-show"));

    // A number never booked says nothing about bookings.
    let doc = env.json(&["screen", "07700 900555"]);
    assert_eq!(doc["own_bookings"]["count"], 0);
    env.vigil()
        .args(["screen", "07700 900555"])
        .assert()
        .success()
        .stdout(predicate::str::contains("seen in").not());
}
