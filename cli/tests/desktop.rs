//! End to end: the desktop shell a person can live with (issue 20): check-ins that reach
//! someone (`tick --exec`, `--notify`, `install-timer`), secrets kept off the command line,
//! times, records, help.

mod common;

use chrono::{Duration, Utc};
use common::Env;
use predicates::prelude::*;

fn at(minutes: i64) -> String {
    (Utc::now() + Duration::minutes(minutes)).to_rfc3339()
}

/// A vault with one buddy, codes 4821 / 9137 and a 30-minute check-in armed.
fn armed(env: &Env) -> String {
    env.ana_and_codes();
    let status = env.json(&["checkin", "start", "--minutes", "30"]);
    status["id"].as_str().unwrap().to_owned()
}

fn tick(env: &Env, minutes: i64, extra: &[&str]) -> serde_json::Value {
    let out = env
        .bare()
        .args(["checkin", "tick", "--json", "--now", &at(minutes)])
        .args(extra)
        .assert()
        .success();
    common::parse_one_json(&out.get_output().stdout)
}

/// Whether `out` names buddy Ana or any form of her number. Not a bare "7400": the action
/// ids printed beside it are random hex, and one held "7400" once (a flaky failure).
fn names_the_buddy(out: &str) -> bool {
    ["Ana", "+44", "7400123456", "7400 123456"]
        .iter()
        .any(|s| out.contains(s))
}

#[test]
fn tick_exec_hands_each_action_as_json_to_the_command_and_reports_its_status() {
    let env = Env::with_vault();
    armed(&env);
    let sent = env.path("sent.jsonl");
    let cmd = format!("cat >> '{}'", sent.display());
    let reminder = tick(&env, 26, &["--exec", &cmd]);
    assert_eq!(reminder["actions"][0]["type"], "notify_worker");
    assert_eq!(reminder["actions"][0]["outcome"], "sent");

    // Human output names no one: id, type, outcome.
    env.bare()
        .args(["checkin", "tick", "--now", &at(42), "--exec", &cmd])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("message_buddy: done")
                .and(predicate::function(|out: &str| !names_the_buddy(out))),
        );
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&sent)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON document per line"))
        .collect();
    assert_eq!(lines[0]["type"], "notify_worker");
    let message = lines
        .iter()
        .find(|l| l["type"] == "message_buddy")
        .expect("the buddy message reached the command");
    assert_eq!(message["phone"], "+447400123456");
    assert_eq!(message["name"], "Ana");
    assert_eq!(message["attempt"], 1);
    // Sent once: the next tick does not hand it over again.
    let again = tick(&env, 43, &["--exec", &cmd]);
    assert!(again["actions"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["type"] != "message_buddy"));
}

#[test]
fn a_failing_exec_command_is_reported_failed_with_its_first_stderr_line() {
    let env = Env::with_vault();
    armed(&env);
    let cmd = "cat >/dev/null; echo 'gateway down: no credit' >&2; echo second >&2; exit 3";
    let out = env
        .bare()
        .args(["checkin", "tick", "--now", &at(42), "--exec", cmd])
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stdout.contains("message_buddy: failed (exit status 3)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("failed: the next tick tries again"),
        "{stdout}"
    );
    // The command's own words go to the core (shown to the worker), not to the output.
    assert!(!stdout.contains("gateway down") && !stderr.contains("gateway down"));

    // The core heard "failed": it retries the same message (same id, next attempt) and,
    // when the channel is used up, tells the worker, with that first line as the reason.
    let mut attempts = vec![];
    let mut told = None;
    for minutes in [43, 45, 48, 51] {
        let next = tick(&env, minutes, &["--exec", cmd]);
        for a in next["actions"].as_array().unwrap() {
            if a["type"] == "message_buddy" {
                attempts.push(a["attempt"].as_u64().unwrap());
            }
            if a["type"] == "worker_alert_failed" {
                told = Some(a["reason"].as_str().unwrap().to_owned());
            }
        }
    }
    // Then the next channel, as a new action (attempt 1).
    assert_eq!(attempts[..3], [2, 3, 4]);
    let reason = told.expect("the worker is told the buddy was not reached");
    assert_eq!(reason, "gateway down: no credit");
}

#[test]
fn notify_shows_the_workers_reminders_but_never_a_buddy_message() {
    let env = Env::with_vault();
    armed(&env);
    let bin = env.path("bin");
    std::fs::create_dir(&bin).unwrap();
    let log = env.path("notified.log");
    let script = bin.join("notify-send");
    std::fs::write(
        &script,
        format!("#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{}'\n", log.display()),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run = |minutes: i64| {
        let out = env
            .bare()
            .env("PATH", &path)
            .args([
                "checkin",
                "tick",
                "--json",
                "--notify",
                "--now",
                &at(minutes),
            ])
            .args(["--exec", "cat >/dev/null"])
            .assert()
            .success();
        common::parse_one_json(&out.get_output().stdout)
    };
    let reminder = run(26);
    assert_eq!(reminder["actions"][0]["type"], "notify_worker");
    let shown = std::fs::read_to_string(&log).unwrap();
    assert_eq!(shown.lines().count(), 1, "{shown}");
    let alert = run(42);
    assert!(alert["actions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["type"] == "message_buddy"));
    let shown = std::fs::read_to_string(&log).unwrap();
    assert!(!names_the_buddy(&shown), "{shown}");
}

#[test]
fn install_timer_writes_systemd_units_or_a_crontab_line_and_status_knows() {
    let env = Env::with_vault();
    armed(&env);
    env.bare()
        .args(["checkin", "status"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "no timer runs `vigil checkin tick`",
        ));

    // Without --exec a timer would print buddy messages into a log: refused.
    let units = env.path("units");
    env.bare()
        .args(["checkin", "install-timer", "--dir"])
        .arg(&units)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--exec"));

    let out = env
        .bare()
        .args(["checkin", "install-timer", "--json", "--notify", "--dir"])
        .arg(&units)
        .args(["--exec", "send-sms --to \"$X\" 100%"])
        .assert()
        .success();
    let doc = common::parse_one_json(&out.get_output().stdout);
    assert!(doc["enable"]
        .as_str()
        .unwrap()
        .contains("vigil-checkin.timer"));
    let service = std::fs::read_to_string(units.join("vigil-checkin.service")).unwrap();
    let timer = std::fs::read_to_string(units.join("vigil-checkin.timer")).unwrap();
    assert!(service.contains("Type=oneshot"), "{service}");
    assert!(
        service.contains(r#""checkin" "tick" "--exec" "send-sms --to \"$$X\" 100%%""#),
        "{service}"
    );
    assert!(service.contains("\"--notify\""), "{service}");
    assert!(service.contains(&format!("\"{}\"", env.vault().display())));
    assert!(timer.contains("OnCalendar=*-*-* *:*:00") && timer.contains("Persistent=true"));

    let status = env
        .bare()
        .args(["checkin", "status", "--json"])
        .assert()
        .success()
        .stderr(predicate::str::contains("no timer").not());
    let status = common::parse_one_json(&status.get_output().stdout);
    assert_eq!(status["timer_installed"], true);

    // Removed unit: the warning is back.
    std::fs::remove_file(units.join("vigil-checkin.timer")).unwrap();
    env.bare()
        .args(["checkin", "status"])
        .assert()
        .success()
        .stderr(predicate::str::contains("no timer runs"));

    let cron = env
        .bare()
        .args(["checkin", "install-timer", "--cron", "--json"])
        .args(["--exec", "mail-it"])
        .assert()
        .success();
    let cron = common::parse_one_json(&cron.get_output().stdout);
    let line = cron["crontab"].as_str().unwrap();
    assert!(line.starts_with("* * * * * '"), "{line}");
    assert!(
        line.contains("'checkin' 'tick' '--exec' 'mail-it'"),
        "{line}"
    );
}

#[test]
fn local_and_relative_times_are_read_in_the_zone_and_shown_with_it() {
    let env = Env::with_vault();
    let add = |tz: &str, at: &str| {
        env.json(&["booking", "add", "--client", "Tom", "--tz", tz, "--at", at])
    };
    // The same wall-clock time in two zones; JSON in UTC, to the second, with Z.
    let london = add("Europe/London", "2026-12-01 21:00");
    assert_eq!(london["starts_at"], "2026-12-01T21:00:00Z");
    let bucharest = add("Europe/Bucharest", "2026-12-01T21:00");
    assert_eq!(bucharest["starts_at"], "2026-12-01T19:00:00Z");
    let created = london["created_at"].as_str().unwrap();
    assert!(
        created.ends_with('Z') && !created.contains('.'),
        "{created}"
    );

    // An offset keeps its instant, and is echoed in local time with the zone.
    env.vigil()
        .env("TZ", "Europe/London")
        .args([
            "booking",
            "add",
            "--client",
            "Ann",
            "--at",
            "2026-12-01T20:00+01:00",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("at 2026-12-01 19:00 GMT"));
    env.vigil()
        .env("TZ", "Europe/London")
        .args([
            "booking",
            "list",
            "--from",
            "2026-12-01",
            "--to",
            "2026-12-02",
        ])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("2026-12-01 21:00 GMT")
                .and(predicate::str::contains("2026-12-01 19:00 GMT"))
                .and(predicate::str::contains("UTC").not()),
        );

    // Relative forms, anchored at now.
    let before = Utc::now();
    let soon = add("Europe/London", "in 2h");
    let t: chrono::DateTime<Utc> = soon["starts_at"].as_str().unwrap().parse().unwrap();
    assert!(t >= before + Duration::minutes(119) && t <= Utc::now() + Duration::minutes(121));
    let tomorrow = add("Europe/London", "tomorrow 9pm");
    assert!(tomorrow["starts_at"].as_str().unwrap().ends_with(":00:00Z"));

    // Nonsense is refused without repeating it (it may be a number typed in the wrong place).
    env.vigil()
        .args(["booking", "add", "--client", "X", "--at", "07700 900461"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("--at: not a time")
                .and(predicate::str::contains("900461").not()),
        );
    env.vigil()
        .args(["booking", "list", "--tz", "Mars/Olympus"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown time zone"));

    // Check-in times: local, with the zone and how far away.
    armed(&env);
    env.bare()
        .env("TZ", "Europe/London")
        .args(["checkin", "status"])
        .assert()
        .success()
        .stdout(predicate::str::is_match(r"(GMT|BST) \(in \d+ min\)").unwrap());
}

#[test]
fn bookings_can_be_shown_edited_marked_and_deleted() {
    let env = Env::with_vault();
    let b = env.json(&[
        "booking",
        "add",
        "--client",
        "Tom",
        "--tz",
        "UTC",
        "--at",
        "2026-12-01 21:00",
        "--minutes",
        "90",
        "--address",
        "12 Example Street",
    ]);
    let id = b["id"].as_str().unwrap();
    let shown = env.json(&["booking", "show", id]);
    assert_eq!(shown["client"]["label"], "Tom");

    // Moving the start keeps the length; "" removes an optional field; the rest stays.
    let edited = env.json(&[
        "booking",
        "edit",
        id,
        "--tz",
        "UTC",
        "--at",
        "2026-12-01 22:00",
        "--address",
        "",
        "--phone",
        "07700 900123",
    ]);
    assert_eq!(edited["starts_at"], "2026-12-01T22:00:00Z");
    assert_eq!(edited["ends_at"], "2026-12-01T23:30:00Z");
    assert_eq!(edited["place"]["address"], serde_json::Value::Null);
    assert_eq!(edited["client"]["phone"], "+447700900123");
    assert_eq!(edited["client"]["label"], "Tom");
    assert_eq!(edited["created_at"], b["created_at"]);

    for status in ["done", "cancelled", "incident", "planned"] {
        assert_eq!(
            env.json(&["booking", "status", id, status])["status"],
            status
        );
    }
    env.vigil()
        .args(["booking", "status", id, "finished"])
        .assert()
        .code(2);

    env.vigil()
        .args(["booking", "delete", id])
        .assert()
        .success()
        .stdout(predicate::str::contains("Deleted booking"));
    env.vigil().args(["booking", "show", id]).assert().code(10);
    env.vigil()
        .args(["booking", "show", "not-an-id"])
        .assert()
        .code(6)
        .stderr(predicate::str::contains("record id"));
}

#[test]
fn notes_can_be_listed_shown_edited_and_deleted() {
    let env = Env::with_vault();
    env.json(&[
        "booking",
        "add",
        "--client",
        "Dave",
        "--phone",
        "07700 900123",
        "--tz",
        "UTC",
        "--at",
        "2026-11-28 20:00",
    ]);
    let note = env.json(&[
        "note",
        "add",
        "--phone",
        "07700 900123",
        "--risk",
        "caution",
        "--label",
        "Dave",
        "--text",
        "haggles",
    ]);
    let id = note["id"].as_str().unwrap();
    let list = env.json(&["note", "list"]);
    assert_eq!(list["notes"][0]["id"], id);
    let shown = env.json(&["note", "show", id]);
    assert_eq!(shown["bookings"].as_array().unwrap().len(), 1);
    env.vigil()
        .env("TZ", "UTC")
        .args(["note", "show", id])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "seen in 1 booking(s), last 2026-11-28 20:00 UTC",
        ));

    let edited = env.json(&[
        "note",
        "edit",
        id,
        "--risk",
        "danger",
        "--text",
        "threatened me",
    ]);
    assert_eq!(edited["risk"], "danger");
    assert_eq!(edited["label"], "Dave");
    assert_eq!(edited["text"], "threatened me");
    let screened = env.json(&["screen", "07700 900123"]);
    assert_eq!(screened["matches"][0]["source"]["note"]["risk"], "danger");

    env.vigil().args(["note", "delete", id]).assert().success();
    assert!(env.json(&["note", "list"])["notes"]
        .as_array()
        .unwrap()
        .is_empty());
    let screened = env.json(&["screen", "07700 900123"]);
    assert!(screened["matches"].as_array().unwrap().is_empty());
}

#[test]
fn two_buddies_with_one_name_can_be_told_apart_renamed_edited_and_removed() {
    let env = Env::with_vault();
    let first = env.json(&["buddy", "add", "--name", "Ana", "--phone", "07400 123456"]);
    env.json(&["buddy", "add", "--name", "Ana", "--phone", "07400 654321"]);
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
    env.vigil()
        .args(["checkin", "start", "--minutes", "30", "--buddy", "Ana"])
        .assert()
        .code(6)
        .stderr(predicate::str::contains("rename one of them"));
    env.vigil().args(["buddy", "show", "Ana"]).assert().code(6);

    // The id tells them apart; the rename ends the clash.
    let id = first["id"].as_str().unwrap();
    let renamed = env.json(&["buddy", "rename", id, "Ana (work)"]);
    assert_eq!(renamed["name"], "Ana (work)");
    assert_eq!(renamed["phone"], "+447400123456");
    assert_eq!(
        env.json(&["buddy", "show", "ana"])["phone"],
        "+447400654321"
    );
    let edited = env.json(&[
        "buddy",
        "edit",
        "Ana (work)",
        "--phone",
        "07400 111222",
        "--language",
        "ro",
    ]);
    assert_eq!(edited["phone"], "+447400111222");
    assert_eq!(edited["language"], "ro");
    assert_eq!(edited["plain_letters"], true);
    env.vigil()
        .args(["buddy", "edit", "Ana (work)", "--phone", "not a number"])
        .assert()
        .code(6);

    let status = env.json(&["checkin", "start", "--minutes", "30", "--buddy", "Ana"]);
    assert_eq!(status["phase"], "armed");
    // With one check-in armed, extend and cancel need no --id.
    env.json(&["checkin", "extend", "--minutes", "15"]);
    env.json(&["checkin", "cancel"]);

    env.vigil()
        .args(["buddy", "remove", "Ana (work)"])
        .assert()
        .success();
    let list = env.json(&["buddy", "list"]);
    assert_eq!(list["buddies"].as_array().unwrap().len(), 1);
}

#[test]
fn codes_stay_off_the_command_line_and_weak_passphrases_need_an_override() {
    let env = Env::with_vault();
    env.vigil()
        .args(["buddy", "add", "--name", "Ana", "--phone", "07400 123456"])
        .assert()
        .success();
    // No flag, no terminal: refused at once, pointing at --code-fd.
    env.vigil()
        .args(["checkin", "set-codes"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--code-fd"));
    // Both codes from a file descriptor (stdin here), one a line.
    env.vigil()
        .args(["checkin", "set-codes", "--code-fd", "0"])
        .write_stdin("4821\n9137\n")
        .assert()
        .success();
    env.vigil()
        .args(["checkin", "set-codes", "--code-fd", "0"])
        .write_stdin("4821\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("2 line(s)"));
    env.json(&["checkin", "start", "--minutes", "30"]);
    env.bare()
        .args(["checkin", "ok"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no check-in code given"));
    env.bare()
        .args(["checkin", "ok", "--code-fd", "0"])
        .write_stdin("0000\n")
        .assert()
        .code(13);
    env.bare()
        .args(["checkin", "ok", "--code-fd", "0"])
        .write_stdin("4821\n")
        .assert()
        .success()
        .stdout(predicate::str::contains("Checked in"));

    // A weak passphrase is refused without an override, and never repeated.
    let weak = Env::empty();
    weak.bare()
        .env("VIGIL_PASSPHRASE", "abc12")
        .args(["init", "--kdf-iterations", "100000"])
        .assert()
        .code(6)
        .stderr(
            predicate::str::contains("too easy to guess")
                .and(predicate::str::contains("--allow-weak-passphrase"))
                .and(predicate::str::contains("abc12").not()),
        );
    assert!(!weak.vault().exists());
    weak.bare()
        .env("VIGIL_PASSPHRASE", "abc12")
        .args([
            "init",
            "--kdf-iterations",
            "100000",
            "--allow-weak-passphrase",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("easy to guess"));
    // The usual test passphrase passes the floor quietly.
    let fine = Env::empty();
    let doc = fine.json(&["init", "--kdf-iterations", "100000"]);
    assert!(doc["passphrase_strength"].as_u64().unwrap() >= 3);
}

#[test]
fn completions_man_page_and_one_key_fingerprint_form() {
    let env = Env::empty();
    // No vault is needed for help.
    let bash = env.bare().args(["completions", "bash"]).assert().success();
    let bash = String::from_utf8_lossy(&bash.get_output().stdout).into_owned();
    assert!(
        bash.contains("_vigil") && bash.contains("install-timer"),
        "bash completion"
    );
    env.bare().args(["completions", "zsh"]).assert().success();
    env.bare().args(["completions", "tcsh"]).assert().code(2);
    let man = env.bare().arg("man").assert().success();
    let man = String::from_utf8_lossy(&man.get_output().stdout).into_owned();
    assert!(man.contains(".TH vigil 1"), "roff");
    assert!(man.contains(".SH \"EXIT STATUS\"") && man.contains("wrong check-in code"));
    for code in 0..=14 {
        assert!(
            man.contains(&format!(".TP\n{code}\n")),
            "exit status {code}"
        );
    }
    // Help on flags that had none.
    env.bare()
        .args(["checkin", "start", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Minutes until the deadline"));

    // keygen, trust add and trust list name the key the same way.
    let env = Env::with_vault();
    let key = env.path("project.key");
    let made = env
        .bare()
        .args(["publish", "keygen", "--out"])
        .arg(&key)
        .assert()
        .success();
    let made = String::from_utf8_lossy(&made.get_output().stdout).into_owned();
    let id = made
        .split("(key ")
        .nth(1)
        .and_then(|r| r.split(')').next())
        .expect("keygen shows the key id")
        .to_owned();
    assert_eq!(id.len(), 16);
    // The README's file name: keygen writes <out>.pub.
    env.vigil()
        .args(["trust", "add", "--name", "Local project", "--key"])
        .arg(env.path("project.key.pub"))
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("key {id}")));
    env.vigil()
        .args(["trust", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("Local project  key {id}")));
}

/// A vault with a small signed directory: two services on the Strand (one a pharmacy open
/// 09:00-10:00 only), one clinic in Manchester.
fn with_directory() -> Env {
    let env = Env::with_vault();
    std::fs::write(
        env.path("services.csv"),
        "id,name,categories,latitude,longitude,address,postcode,phone,opening_hours\n\
         1,Riverside Sexual Health,sexual_health_clinic,51.5080,-0.1247,1 Strand,WC2N 5HR,,24/7\n\
         2,Night Pharmacy,pharmacy,51.5090,-0.1250,2 Strand,WC2N 5HS,,Mo-Su 09:00-10:00\n\
         3,Far Away Clinic,sexual_health_clinic,53.4808,-2.2426,Manchester,M1 1AA,,\n",
    )
    .unwrap();
    env.vigil()
        .args(["publish", "keygen", "--out"])
        .arg(env.path("pub.key"))
        .assert()
        .success();
    env.vigil()
        .args(["publish", "directory", "--format", "csv", "--from"])
        .arg(env.path("services.csv"))
        .arg("--key")
        .arg(env.path("pub.key"))
        .args(["--version", "1", "--out"])
        .arg(env.path("dir.vgl"))
        .assert()
        .success();
    env.vigil()
        .args(["trust", "add", "--name", "Test", "--key"])
        .arg(env.path("pub.key.pub"))
        .assert()
        .success();
    env.vigil()
        .arg("import")
        .arg(env.path("dir.vgl"))
        .assert()
        .success();
    env
}

#[test]
fn services_near_a_postcode_and_the_nearest_outside_the_filters() {
    let env = with_directory();
    // A postcode from the directory is a place.
    let near = env.json(&["services", "near", "WC2N 5HS", "--radius-km", "1"]);
    assert_eq!(near["services"][0]["name"], "Night Pharmacy");
    assert_eq!(near["services"].as_array().unwrap().len(), 2);
    // A full postcode the directory lacks: its district, said so.
    env.vigil()
        .args(["services", "near", "WC2N 9ZZ", "--radius-km", "1"])
        .assert()
        .success()
        .stderr(predicate::str::contains("centre of its district"))
        .stdout(predicate::str::contains("Riverside Sexual Health"));
    env.vigil()
        .args(["services", "near", "Nowhere Town"])
        .assert()
        .code(10)
        .stderr(predicate::str::contains("LAT,LON").and(predicate::str::contains("Nowhere").not()));

    // Nothing within the radius: the nearest beyond it, and how to widen.
    let out = env
        .vigil()
        .args(["services", "near", "53.0,-2.0", "--radius-km", "5"])
        .args(["--category", "sexual_health_clinic"])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        text.contains("No service matches within that radius"),
        "{text}"
    );
    assert!(text.contains("Nearest outside your filters"), "{text}");
    assert!(text.contains("Far Away Clinic"), "{text}");
    assert!(text.contains("--radius-km 5"), "{text}");
    // Only a pharmacy, closed at that hour: the open filter is named, in JSON too.
    let doc = env.json(&[
        "services",
        "near",
        "51.5090,-0.1250",
        "--radius-km",
        "1",
        "--category",
        "pharmacy",
        "--open-at",
        "2026-12-01T15:00:00Z",
    ]);
    assert!(doc["services"].as_array().unwrap().is_empty());
    let beyond = &doc["nearest_beyond"];
    assert_eq!(beyond["service"]["name"], "Night Pharmacy");
    assert_eq!(beyond["not_open"], true);
    assert_eq!(beyond["outside_radius"], false);
    // A category nobody lists: the nearest of any category.
    let doc = env.json(&[
        "services",
        "near",
        "51.5090,-0.1250",
        "--radius-km",
        "1",
        "--category",
        "sarc",
    ]);
    assert_eq!(doc["nearest_beyond"]["other_category"], true);
}

#[test]
fn danger_is_red_on_request_and_never_with_no_color() {
    let env = Env::with_vault();
    env.json(&["note", "add", "--phone", "07700 900123", "--risk", "danger"]);
    let screen = |vars: &[(&str, &str)]| {
        let mut cmd = env.vigil();
        cmd.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
        for (k, v) in vars {
            cmd.env(k, v);
        }
        let out = cmd.args(["screen", "07700 900123"]).assert().success();
        String::from_utf8_lossy(&out.get_output().stdout).into_owned()
    };
    // Not a terminal: plain.
    let plain = screen(&[]);
    assert!(
        plain.contains(": DANGER") && !plain.contains('\x1b'),
        "{plain:?}"
    );
    let red = screen(&[("CLICOLOR_FORCE", "1")]);
    assert!(red.contains("\x1b[1;31mDANGER\x1b[0m"), "{red:?}");
    let no = screen(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
    assert!(!no.contains('\x1b'), "{no:?}");
    // JSON never carries colour.
    let mut cmd = env.vigil();
    let out = cmd
        .env("CLICOLOR_FORCE", "1")
        .args(["screen", "07700 900123", "--json"])
        .assert()
        .success();
    assert!(!out.get_output().stdout.contains(&0x1b));
}

/// Restore counts services, not directory parts, and says what happens to check-in codes.
#[test]
fn restore_counts_services_and_says_codes_are_not_in_backups() {
    let env = with_directory();
    env.ana_and_codes();
    let backup = env.path("backup.age");
    env.vigil()
        .env("VIGIL_EXPORT_PASSPHRASE", "another long export passphrase")
        .args(["export", "--out"])
        .arg(&backup)
        .assert()
        .success();

    // Into a new vault: 3 services (in one part), and the codes must be set again.
    let target = env.path("new.db");
    env.restore_at(&target, &backup, "another long export passphrase")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "directory: 3 services stored, 0 already up to date (1 part(s))",
        ))
        .stdout(predicate::str::contains(
            "Check-in codes are never in a backup",
        ))
        .stdout(predicate::str::contains("vigil checkin set-codes"));
    let doc = {
        let out = env
            .restore_at(&env.vault(), &backup, "another long export passphrase")
            .arg("--json")
            .assert()
            .success();
        common::parse_one_json(&out.get_output().stdout)
    };
    // Into the vault it came from: everything already there, its codes kept.
    let dir = doc["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["section"] == "directory")
        .unwrap()
        .clone();
    assert_eq!(dir["services_stored"], 0, "{doc}");
    assert_eq!(dir["services_kept"], 3, "{doc}");
    assert_eq!(doc["checkin_codes_restored"], false);
    assert_eq!(doc["checkin_codes_set"], true);
}

/// Skipped source rows are told in words, grouped by reason; progress never reaches a
/// non-terminal (no control characters in what a script or a log reads).
#[test]
fn publish_tells_skipped_rows_in_words_by_reason_and_pipes_get_no_progress() {
    let env = Env::with_vault();
    std::fs::write(
        env.path("services.csv"),
        "id,name,categories,latitude,longitude,address,postcode,phone,opening_hours\n\
         1,Riverside Sexual Health,sexual_health_clinic,51.5080,-0.1247,1 Strand,WC2N 5HR,,24/7\n\
         2,No Place One,pharmacy,,,2 Strand,WC2N 5HS,,\n\
         3,No Place Two,pharmacy,,,3 Strand,WC2N 5HS,,\n\
         4,Odd One,tarot_reading,51.5090,-0.1250,4 Strand,WC2N 5HS,,\n",
    )
    .unwrap();
    env.vigil()
        .args(["publish", "keygen", "--out"])
        .arg(env.path("pub.key"))
        .assert()
        .success();
    let publish = || {
        let mut cmd = env.vigil();
        cmd.args(["publish", "directory", "--format", "csv", "--from"])
            .arg(env.path("services.csv"))
            .arg("--key")
            .arg(env.path("pub.key"))
            .args(["--version", "1", "--out"])
            .arg(env.path("dir.vgl"));
        cmd
    };
    let out = publish().assert().success();
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("3 source row(s) left out"), "{err}");
    assert!(
        err.contains("2 rows with no coordinates (e.g. services.csv row 3, services.csv row 4)"),
        "{err}"
    );
    assert!(
        err.contains("1 row with a category Vigil does not know"),
        "{err}"
    );
    assert!(!err.contains("MissingCoordinates") && !err.contains("UnknownCategory"));
    assert!(!err.contains('\r') && !err.contains('\u{1b}'), "{err:?}");

    let doc = {
        let out = publish().arg("--json").assert().success();
        common::parse_one_json(&out.get_output().stdout)
    };
    assert_eq!(doc["skipped_by_reason"]["with no coordinates"], 2, "{doc}");

    env.vigil()
        .args(["trust", "add", "--name", "Test", "--key"])
        .arg(env.path("pub.key.pub"))
        .assert()
        .success();
    let out = env
        .vigil()
        .arg("import")
        .arg(env.path("dir.vgl"))
        .assert()
        .success()
        .stdout(predicate::str::contains("1 services"));
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(!err.contains('\r') && !err.contains('\u{1b}'), "{err:?}");
}

/// Every time in JSON has the one form, RFC 3339 UTC to the second: trust add and trust
/// list printed nanoseconds.
#[test]
fn trust_times_in_json_have_the_one_form() {
    let env = Env::with_vault();
    env.vigil()
        .args(["publish", "keygen", "--out"])
        .arg(env.path("k.key"))
        .assert()
        .success();
    let one_form = |t: &serde_json::Value| {
        let t = t.as_str().unwrap();
        t.len() == 20 && t.ends_with('Z') && chrono::DateTime::parse_from_rfc3339(t).is_ok()
    };
    let added = {
        let out = env
            .vigil()
            .args(["trust", "add", "--name", "T", "--json", "--key"])
            .arg(env.path("k.key.pub"))
            .assert()
            .success();
        common::parse_one_json(&out.get_output().stdout)
    };
    assert!(one_form(&added["trusted_at"]), "{added}");
    assert!(one_form(&added["keys"][0]["pinned_at"]), "{added}");
    let listed = env.json(&["trust", "list"]);
    assert!(one_form(&listed["publishers"][0]["trusted_at"]), "{listed}");
    assert!(
        one_form(&listed["publishers"][0]["keys"][0]["pinned_at"]),
        "{listed}"
    );
}
