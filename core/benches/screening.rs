//! Screening lookups at scale: 10,000 notes and 100,000 alerts.
//!
//! Every group compares Vigil's sealed store (blind index → decrypt candidates → exact
//! compare) with two baselines in the same run:
//! - `plain_sqlite`: the same records as plaintext JSON in SQLite with ordinary indexes
//!   on the normalized identifiers, phone tails and plate trigrams (what an unencrypted
//!   app would do); it normalizes the input and decodes the matched rows too;
//! - `decrypt_scan`: no index at all, decrypt every note and alert and compare.
//!
//! Run: `cargo bench -p vigil-core --bench screening`

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use ring::rand::SystemRandom;
use rusqlite::{params, Connection};
use vigil_core::clock::Timestamp;
use vigil_core::feeds::{
    generate_publisher_key, sign_bundle, BundleDraft, BundleKind, PublisherKey,
};
use vigil_core::screening::{detect, Alert, ClientNote, Identifier, NoteDraft, Region, Risk};
use vigil_core::vault::{Session, Vault, VaultOptions, MIN_KDF_ITERATIONS};

const NOTES: usize = 10_000;
const ALERTS: usize = 100_000;

fn now() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
}

/// A deterministic generator, so every run screens the same data.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn mobile(&mut self) -> String {
        format!("07{:09}", self.next() % 1_000_000_000)
    }

    fn plate(&mut self) -> String {
        let l = |x: u64| (b'A' + (x % 26) as u8) as char;
        let (a, b, c) = (self.next(), self.next(), self.next());
        format!(
            "{}{}{:02} {}{}{}",
            l(a),
            l(a / 26),
            b % 100,
            l(c),
            l(c / 26),
            l(c / 676)
        )
    }
}

fn alert_content(n: usize, rng: &mut Lcg) -> (String, Vec<String>, Vec<String>) {
    let mut phones = Vec::with_capacity(n);
    let mut plates = Vec::new();
    let mut c = String::with_capacity(n * 260);
    c.push_str("{\"format\":1,\"region\":\"GB\"}\n");
    for i in 0..n {
        let phone = rng.mobile();
        let mut ids = format!(r#"{{"kind":"phone","value":"{phone}"}}"#);
        if i % 3 == 0 {
            let plate = rng.plate();
            ids.push_str(&format!(r#",{{"kind":"plate","value":"{plate}"}}"#));
            plates.push(plate);
        }
        c.push_str(&format!(
            r#"{{"id":"N-{i}","issued":"2026-02-01T20:00:00Z","identifiers":[{ids}],"area":{{"lat":53.8,"lon":-1.55,"radius_m":5000}},"category":"violence","description":"Became aggressive when asked for payment up front; left in a dark hatchback."}}"#
        ));
        c.push('\n');
        phones.push(phone);
    }
    (c, phones, plates)
}

fn new_session(dir: &tempfile::TempDir, name: &str) -> Session {
    Vault::create(
        dir.path().join(name),
        "bench passphrase",
        &VaultOptions {
            kdf_iterations: MIN_KDF_ITERATIONS,
            device_secret: None,
        },
    )
    .unwrap()
}

fn signed(key: &PublisherKey, content: &str) -> Vec<u8> {
    sign_bundle(
        key,
        &BundleDraft {
            kind: BundleKind::Alerts,
            version: 1,
            issued_at: now(),
            expires_at: now() + chrono::Duration::days(30),
            content: content.as_bytes(),
        },
    )
    .unwrap()
}

struct Fixture {
    _dir: tempfile::TempDir,
    session: Session,
    plain: Connection,
    alert_phones: Vec<String>,
    alert_plates: Vec<String>,
    note_phones: Vec<String>,
    bundle: Vec<u8>,
    key: PublisherKey,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let session = new_session(&dir, "vault.db");
    let mut rng = Lcg(7);
    let (pkcs8, public) = generate_publisher_key(&SystemRandom::new()).unwrap();
    let key = PublisherKey::from_pkcs8(&pkcs8).unwrap();
    session.feeds().trust("Project", public, now()).unwrap();
    let (content, alert_phones, alert_plates) = alert_content(ALERTS, &mut rng);
    let bundle = signed(&key, &content);
    let sc = session.screening(Region::GB);
    let t = Instant::now();
    sc.import_alerts(&bundle[..], now()).unwrap();
    eprintln!("fixture: imported {ALERTS} alerts in {:?}", t.elapsed());
    let mut note_phones = Vec::new();
    let drafts: Vec<NoteDraft> = (0..NOTES)
        .map(|i| {
            let p = rng.mobile();
            let mut ids = vec![detect(&p, Region::GB).unwrap()];
            if i % 5 == 0 {
                ids.push(detect(&format!("client{i}@example.com"), Region::GB).unwrap());
            }
            if i % 4 == 0 {
                ids.push(detect(&rng.plate(), Region::GB).unwrap());
            }
            note_phones.push(p);
            let mut d = NoteDraft::new("Regular, Thursdays", Risk::Caution, ids);
            d.text = "Polite, pays on time, prefers incalls.".into();
            d
        })
        .collect();
    sc.add_notes(drafts, now()).unwrap();
    let plain = plain_store(&dir, &session);
    Fixture {
        _dir: dir,
        session,
        plain,
        alert_phones,
        alert_plates,
        note_phones,
        bundle,
        key,
    }
}

// ---- the plain SQLite baseline -------------------------------------------------------

fn plain_store(dir: &tempfile::TempDir, session: &Session) -> Connection {
    let conn = Connection::open(dir.path().join("plain.db")).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
         CREATE TABLE alerts (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
         CREATE TABLE ids (owner INTEGER NOT NULL, is_alert INTEGER NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL);
         CREATE INDEX ids_lookup ON ids (kind, value);",
    )
    .unwrap();
    let sc = session.screening(Region::GB);
    let tx = conn.unchecked_transaction().unwrap();
    let add_ids = |owner: i64, is_alert: bool, ids: &[Identifier]| {
        for id in ids {
            let v = id.normalized();
            let kind = format!("{:?}", id.kind());
            tx.execute(
                "INSERT INTO ids VALUES (?1, ?2, ?3, ?4)",
                params![owner, is_alert, kind, v],
            )
            .unwrap();
            if let Some(d) = id.phone_digits() {
                let tail = &d[d.len() - 6..];
                tx.execute(
                    "INSERT INTO ids VALUES (?1, ?2, 'tail', ?3)",
                    params![owner, is_alert, tail],
                )
                .unwrap();
            }
            if let Identifier::Plate(p) = id {
                let c: Vec<char> = p.chars().collect();
                for w in c.windows(3) {
                    let g: String = w.iter().collect();
                    tx.execute(
                        "INSERT INTO ids VALUES (?1, ?2, 'tri', ?3)",
                        params![owner, is_alert, g],
                    )
                    .unwrap();
                }
            }
        }
    };
    for (i, n) in sc.notes().unwrap().items.iter().enumerate() {
        let body = serde_json::to_string(n).unwrap();
        tx.execute("INSERT INTO notes VALUES (?1, ?2)", params![i as i64, body])
            .unwrap();
        add_ids(i as i64, false, &n.details.identifiers);
    }
    for (i, a) in sc.alerts().unwrap().items.iter().enumerate() {
        let body = serde_json::to_string(a).unwrap();
        tx.execute(
            "INSERT INTO alerts VALUES (?1, ?2)",
            params![i as i64, body],
        )
        .unwrap();
        add_ids(i as i64, true, &a.identifiers);
    }
    tx.commit().unwrap();
    conn
}

/// Plain lookup: normalize, indexed query, decode matching rows, compare like Vigil does.
fn plain_screen(conn: &Connection, raw: &str, partial: bool) -> usize {
    let (kind, value, id) = match detect(raw, Region::GB) {
        Ok(id) => (format!("{:?}", id.kind()), id.normalized(), Some(id)),
        Err(_) => (
            "tail".to_owned(),
            raw.chars().filter(char::is_ascii_digit).collect(),
            None,
        ),
    };
    let mut found = 0;
    let mut run = |kind: &str, value: &str| {
        let mut stmt = conn
            .prepare_cached(
                "SELECT i.is_alert, coalesce(n.body, a.body) FROM ids i
                 LEFT JOIN notes n ON i.is_alert = 0 AND n.id = i.owner
                 LEFT JOIN alerts a ON i.is_alert = 1 AND a.id = i.owner
                 WHERE i.kind = ?1 AND i.value = ?2",
            )
            .unwrap();
        let mut rows = stmt.query(params![kind, value]).unwrap();
        while let Some(r) = rows.next().unwrap() {
            let is_alert: bool = r.get(0).unwrap();
            let body: String = r.get(1).unwrap();
            let ids = if is_alert {
                serde_json::from_str::<Alert>(&body).unwrap().identifiers
            } else {
                serde_json::from_str::<ClientNote>(&body)
                    .unwrap()
                    .details
                    .identifiers
            };
            found += usize::from(!ids.is_empty());
        }
    };
    if !partial {
        run(&kind, &value);
    } else {
        match id {
            Some(Identifier::Plate(p)) => {
                let c: Vec<char> = p.chars().collect();
                for w in c.windows(3) {
                    run("tri", &w.iter().collect::<String>());
                }
            }
            Some(ref i @ Identifier::Phone(_)) => {
                let d = i.phone_digits().unwrap();
                run("tail", &d[d.len() - 6..]);
            }
            _ => run("tail", &value[value.len() - 6..]),
        }
    }
    found
}

/// No index: decrypt everything and compare.
fn scan_screen(session: &Session, raw: &str) -> usize {
    let sc = session.screening(Region::GB);
    let target = detect(raw, Region::GB).ok();
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let hit = |ids: &[Identifier]| {
        ids.iter().any(|i| match (&target, i) {
            (Some(Identifier::Plate(q)), Identifier::Plate(p)) => p.contains(q.as_str()),
            (Some(t), _) if t == i => true,
            (_, Identifier::Phone(_)) => {
                digits.len() >= 6
                    && i.phone_digits()
                        .unwrap()
                        .ends_with(&digits[digits.len() - 6..])
            }
            _ => false,
        })
    };
    let mut n = 0;
    n += sc
        .notes()
        .unwrap()
        .items
        .iter()
        .filter(|x| hit(&x.details.identifiers))
        .count();
    n += sc
        .alerts()
        .unwrap()
        .items
        .iter()
        .filter(|x| hit(&x.identifiers))
        .count();
    n
}

// ---- benchmarks ----------------------------------------------------------------------

fn benches(c: &mut Criterion) {
    let f = fixture();
    let sc = f.session.screening(Region::GB);
    // Written as a caller would: spaced, national form.
    let alert_hit = format!(
        "{} {}",
        &f.alert_phones[4242][..5],
        &f.alert_phones[4242][5..]
    );
    let note_hit = f.note_phones[777].clone();
    let miss = "07700 900999".to_owned();
    let tail = f.alert_phones[31337][5..].to_owned(); // last 6 digits
    let plate_fragment: String = f.alert_plates[99].replace(' ', "")[1..5].to_owned();
    assert!(!sc.screen(&alert_hit, now()).unwrap().matches.is_empty());
    assert!(!sc.screen(&note_hit, now()).unwrap().matches.is_empty());
    assert!(sc
        .screen(&tail, now())
        .unwrap()
        .matches
        .iter()
        .any(|m| !m.strength.is_exact()));
    assert!(!sc
        .screen(&plate_fragment, now())
        .unwrap()
        .matches
        .is_empty());
    assert!(plain_screen(&f.plain, &alert_hit, false) > 0);

    let mut g = c.benchmark_group("screen_exact");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500));
    for (name, q) in [
        ("alert_hit", &alert_hit),
        ("note_hit", &note_hit),
        ("miss", &miss),
    ] {
        g.bench_function(format!("vigil/{name}"), |b| {
            b.iter(|| sc.screen_exact(black_box(q), now()).unwrap())
        });
        // The full `screen` also runs the partial (last-6-digits) lookups.
        g.bench_function(format!("vigil_with_partial/{name}"), |b| {
            b.iter(|| sc.screen(black_box(q), now()).unwrap())
        });
        g.bench_function(format!("plain_sqlite/{name}"), |b| {
            b.iter(|| plain_screen(&f.plain, black_box(q), false))
        });
    }
    g.bench_function("decrypt_scan/alert_hit", |b| {
        b.iter(|| scan_screen(&f.session, black_box(&alert_hit)))
    });
    g.finish();

    let mut g = c.benchmark_group("screen_partial");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500));
    for (name, q) in [("phone_last6", &tail), ("plate_fragment", &plate_fragment)] {
        g.bench_function(format!("vigil/{name}"), |b| {
            b.iter(|| sc.screen(black_box(q), now()).unwrap())
        });
        g.bench_function(format!("plain_sqlite/{name}"), |b| {
            b.iter(|| plain_screen(&f.plain, black_box(q), true))
        });
    }
    g.bench_function("decrypt_scan/phone_last6", |b| {
        b.iter(|| scan_screen(&f.session, black_box(&tail)))
    });
    g.finish();

    let mut g = c.benchmark_group("call_labels");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500));
    g.bench_function("vigil/110k_records", |b| {
        b.iter(|| sc.call_labels().unwrap().len())
    });
    let mut cache = vigil_core::screening::CallLabelCache::default();
    g.bench_function("vigil/110k_records_cached", |b| {
        b.iter(|| sc.call_labels_cached(&mut cache).unwrap().len())
    });
    g.finish();

    // Import of the same 100,000-alert bundle into a fresh vault, against inserting the same
    // rows unencrypted.
    let mut g = c.benchmark_group("import_100k_alerts");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .warm_up_time(Duration::from_millis(1));
    g.bench_function("vigil/verify_normalize_seal_index", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().unwrap();
                let s = new_session(&dir, "import.db");
                s.feeds()
                    .trust("Project", f.key.public_key(), now())
                    .unwrap();
                (dir, s)
            },
            |(dir, s)| {
                s.screening(Region::GB)
                    .import_alerts(&f.bundle[..], now())
                    .unwrap();
                (dir, s)
            },
            BatchSize::PerIteration,
        )
    });
    let bodies: Vec<String> = sc
        .alerts()
        .unwrap()
        .items
        .iter()
        .map(|a| serde_json::to_string(a).unwrap())
        .collect();
    g.bench_function("plain_sqlite/insert_json_rows", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().unwrap();
                let conn = Connection::open(dir.path().join("p.db")).unwrap();
                conn.execute_batch(
                    "PRAGMA journal_mode = WAL;
                     CREATE TABLE alerts (id INTEGER PRIMARY KEY, body TEXT NOT NULL);",
                )
                .unwrap();
                (dir, conn)
            },
            |(dir, conn)| {
                let tx = conn.unchecked_transaction().unwrap();
                for (i, body) in bodies.iter().enumerate() {
                    tx.execute(
                        "INSERT INTO alerts VALUES (?1, ?2)",
                        params![i as i64, body],
                    )
                    .unwrap();
                }
                tx.commit().unwrap();
                (dir, conn)
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(screening, benches);
criterion_main!(screening);
