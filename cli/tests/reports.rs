//! End to end on the command line: a worker drafts and sends a report, the project turns
//! a folder of received files into a review (refusing the bad ones one by one), signs the
//! approved entry into its feed, withdraws it later; workers import and screen.

mod common;

use common::Env;
use serde_json::Value;

fn json_out(cmd: &mut assert_cmd::Command) -> Value {
    let out = cmd
        .arg("--json")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).expect("one JSON document")
}

fn publish_alerts(env: &Env, extra: &[&str], version: &str) -> Value {
    let mut cmd = env.vigil();
    cmd.args(["publish", "alerts"])
        .args(extra)
        .arg("--key")
        .arg(env.path("pub.key"))
        .args(["--version", version, "--out"])
        .arg(env.path(&format!("v{version}.bundle")));
    json_out(&mut cmd)
}

fn import(env: &Env, version: &str) {
    env.vigil()
        .arg("import")
        .arg(env.path(&format!("v{version}.bundle")))
        .assert()
        .success();
}

fn alert_matches(env: &Env, number: &str) -> usize {
    let doc = json_out(env.vigil().args(["screen", number]));
    doc["matches"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["source"].get("alert").is_some())
        .count()
}

#[test]
fn report_round_trip_refusals_review_feed_screen_and_withdrawal() {
    let env = Env::with_vault();
    let p = |n: &str| env.path(n).to_str().unwrap().to_owned();
    // The project: signing key, report key, and a first feed that publishes the report key.
    env.vigil()
        .args(["publish", "keygen", "--out", &p("pub.key")])
        .assert()
        .success();
    let key = json_out(
        env.vigil()
            .args(["publish", "report-key", "--out", &p("report.key")]),
    );
    assert!(key["report_key"].as_str().unwrap().starts_with("age1"));
    let v1 = publish_alerts(
        &env,
        &[
            "--report-key",
            &p("report.key.pub"),
            "--save",
            &p("alerts.jsonl"),
        ],
        "1",
    );
    assert_eq!(v1["alerts"], 0);
    env.vigil()
        .args([
            "trust",
            "add",
            "--name",
            "Local Project",
            "--key",
            &p("pub.key.pub"),
        ])
        .assert()
        .success();
    import(&env, "1");

    // The worker drafts, edits and sends.
    let draft = json_out(env.vigil().args([
        "report",
        "new",
        "--when",
        "Friday night",
        "--phone",
        "07700 900461",
        "--what",
        "He grabbed my arm.",
    ]));
    assert_eq!(draft["police_consent"], false);
    assert_eq!(draft["contact"], Value::Null);
    let id = draft["id"].as_str().unwrap().to_owned();
    // No category yet: refused with the field named, nothing written.
    std::fs::create_dir(env.path("inbox")).unwrap();
    env.vigil()
        .args(["report", "send", &id, "--out", &p("inbox")])
        .assert()
        .code(6);
    assert_eq!(std::fs::read_dir(env.path("inbox")).unwrap().count(), 0);
    env.vigil()
        .args([
            "report",
            "edit",
            &id,
            "--category",
            "violence",
            "--category",
            "robbery",
        ])
        .assert()
        .success();
    let list = json_out(env.vigil().args(["report", "list"]));
    assert_eq!(list["reports"].as_array().unwrap().len(), 1);
    let sent = json_out(
        env.vigil()
            .args(["report", "send", &id, "--out", &p("inbox"), "--note"]),
    );
    let file = sent["file"].as_str().unwrap().to_owned();
    let name = std::path::Path::new(&file)
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(name.ends_with(".age") && name.len() == 20, "{name}");
    assert_eq!(sent["note"]["risk"], "danger");
    let good = std::fs::read(&file).unwrap();

    // What else arrives in the project's folder.
    std::fs::write(env.path("inbox/letter.txt"), "Dear project").unwrap();
    std::fs::write(env.path("inbox/cut.age"), &good[..good.len() - 50]).unwrap();
    let mut flipped = good.clone();
    let n = flipped.len() - 40;
    flipped[n] ^= 0x20;
    std::fs::write(env.path("inbox/flipped.age"), &flipped).unwrap();
    let other = json_out(
        env.vigil()
            .args(["publish", "report-key", "--out", &p("other.key")]),
    );
    env.vigil()
        .args(["export", "--out", &p("inbox/other.age"), "--recipient"])
        .arg(other["report_key"].as_str().unwrap())
        .assert()
        .success();

    let review = json_out(env.vigil().args([
        "publish",
        "reports",
        "--from",
        &p("inbox"),
        "--key",
        &p("report.key"),
        "--out",
        &p("review.jsonl"),
    ]));
    assert_eq!(review["opened"], serde_json::json!([name]));
    let reasons: std::collections::BTreeMap<String, String> = review["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["file"].as_str().unwrap().to_owned(),
                r["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        reasons["letter.txt"].contains("not an age file"),
        "{reasons:?}"
    );
    assert!(reasons["cut.age"].starts_with("truncated"), "{reasons:?}");
    assert!(reasons["flipped.age"].starts_with("altered"), "{reasons:?}");
    assert!(reasons["other.age"].contains("another key"), "{reasons:?}");
    assert_eq!(review["entries"], 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(env.path("review.jsonl"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the review file is plaintext: owner only");
    }

    // A person approves the entry (and could redact it); the next version carries it.
    let text = std::fs::read_to_string(env.path("review.jsonl")).unwrap();
    let mut entry: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(
        entry["categories"],
        serde_json::json!(["violence", "robbery"])
    );
    assert_eq!(entry["accounts"][0]["what_happened"], "He grabbed my arm.");
    entry["approve"] = Value::Bool(true);
    let alert_id = entry["alert_id"].as_str().unwrap().to_owned();
    std::fs::write(env.path("review.jsonl"), format!("{entry}\n")).unwrap();
    let v2 = publish_alerts(
        &env,
        &["--from", &p("alerts.jsonl"), "--review", &p("review.jsonl")],
        "2",
    );
    assert_eq!(v2["alerts"], 1);
    // The published feed holds no word of her account.
    let feed = std::fs::read_to_string(env.path("alerts.jsonl")).unwrap();
    assert!(!feed.contains("grabbed") && feed.contains(&alert_id));
    import(&env, "2");
    assert_eq!(alert_matches(&env, "+44 7700 900461"), 1);

    // Withdrawn in version 3: the importer removes it.
    let v3 = publish_alerts(
        &env,
        &["--from", &p("alerts.jsonl"), "--withdraw", &alert_id],
        "3",
    );
    assert_eq!(v3["alerts"], 0);
    import(&env, "3");
    assert_eq!(alert_matches(&env, "07700900461"), 0);
    // Her own note stays.
    let screened = json_out(env.vigil().args(["screen", "07700900461"]));
    assert_eq!(screened["overall"], "danger");
}
