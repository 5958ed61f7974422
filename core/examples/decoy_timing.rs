//! Times the duress layer's work: making a vault (its decoy filled), setting a duress
//! passphrase (the decoy refilled, with a directory of 2,150 services to copy from),
//! unlocking with the real and the duress passphrase (they must take about the same time),
//! and a lock-screen check-in with the right code; prints the decoy file's size. Median
//! of 7 runs (21 for check-ins), minimum KDF cost, release build:
//! `cargo run --release -p vigil-core --example decoy_timing`.
//!
//! Uses only calls that exist before and after the duress layer moved out of the vault,
//! so the same file measures both.

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use vigil_core::checkin::{BackgroundRunner, BuddyDraft, Channel, CheckinPlan, EscalationKey};
use vigil_core::directory::{build_directory_bundle, Category, DirectoryContent, Service};
use vigil_core::feeds::{generate_publisher_key, PublisherKey};
use vigil_core::vault::{DuressOptions, Vault, VaultOptions, MIN_KDF_ITERATIONS};

const SECRET: &[u8] = b"device secret of at least 16 bytes";

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let t0 = Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap();
    let options = VaultOptions {
        kdf_iterations: MIN_KDF_ITERATIONS,
        device_secret: Some(SECRET.to_vec()),
    };
    let (pkcs8, _) = generate_publisher_key(&ring::rand::SystemRandom::new()).unwrap();
    let publisher = PublisherKey::from_pkcs8(&pkcs8).unwrap();
    let services: Vec<Service> = (0..2_150)
        .map(|i| {
            let category = if i % 2 == 0 {
                Category::Pharmacy
            } else {
                Category::SexualHealthClinic
            };
            Service::new(
                &format!("s:{i}"),
                &format!("Service {i}"),
                &[category],
                51.0 + (i as f64) / 10_000.0,
                -0.1,
            )
        })
        .collect();
    let bundle = build_directory_bundle(
        &publisher,
        &DirectoryContent::new("Europe/London", services),
        1,
        t0,
        t0 + chrono::Duration::days(30),
    )
    .unwrap();

    let (mut create, mut duress, mut real_unlock, mut duress_unlock) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut aux_size = 0;
    let mut last = None;
    for _ in 0..7 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.db");
        let start = Instant::now();
        let mut s = Vault::create(&path, "pass", &options).unwrap();
        create.push(start.elapsed());
        s.feeds()
            .trust("Outreach", publisher.public_key(), t0)
            .unwrap();
        s.directory().accept_bundle(&bundle[..], t0).unwrap();
        let start = Instant::now();
        s.set_duress("pass", "decoy", DuressOptions::default(), Some(SECRET), t0)
            .unwrap();
        duress.push(start.elapsed());
        s.lock();
        let vault = Vault::open(&path).unwrap();
        let start = Instant::now();
        vault.unlock("pass", Some(SECRET)).unwrap().lock();
        real_unlock.push(start.elapsed());
        let start = Instant::now();
        vault.unlock("decoy", Some(SECRET)).unwrap().lock();
        duress_unlock.push(start.elapsed());
        let mut aux = path.as_os_str().to_owned();
        aux.push("-aux");
        aux_size = std::fs::metadata(&aux).unwrap().len();
        last = Some((dir, path));
    }
    println!("create (decoy filled): {:.1?}", median(create));
    println!(
        "set_duress (decoy refilled, 1,075 services copied): {:.1?}",
        median(duress)
    );
    println!("unlock, real passphrase: {:.1?}", median(real_unlock));
    println!("unlock, duress passphrase: {:.1?}", median(duress_unlock));
    println!("decoy file: {aux_size} bytes");

    let (_dir, path) = last.unwrap();
    let key = EscalationKey::from_device_secret(SECRET).unwrap();
    let s = Vault::open(&path)
        .unwrap()
        .unlock("pass", Some(SECRET))
        .unwrap();
    let c = s.checkins(&key);
    c.set_codes("2468", "1357").unwrap();
    let ana = c
        .add_buddy(
            BuddyDraft {
                name: "Ana".into(),
                phone: "07400 123456".into(),
                channel: Channel::Sms,
                language: "en".into(),
                plain_letters: None,
            },
            "GB",
        )
        .unwrap();
    s.lock();
    let runner = BackgroundRunner::open(&Vault::open(&path).unwrap(), key).unwrap();
    let mut checkin = Vec::new();
    let mut now = Utc::now();
    for _ in 0..21 {
        let s = Vault::open(&path)
            .unwrap()
            .unlock("pass", Some(SECRET))
            .unwrap();
        s.checkins(&EscalationKey::from_device_secret(SECRET).unwrap())
            .arm(
                CheckinPlan::new(now + chrono::Duration::hours(1), vec![ana.id]),
                now,
            )
            .unwrap();
        s.lock();
        let start = Instant::now();
        runner.check_in("2468", now).unwrap();
        checkin.push(start.elapsed());
        now += chrono::Duration::minutes(1);
    }
    println!("lock-screen check-in, right code: {:.1?}", median(checkin));
}
