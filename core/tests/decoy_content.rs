//! The decoy's content, generated per vault by the duress layer (`app::decoy`): its own
//! entries in every vault, the same ones each time for one vault, in the worker's language.

mod common;

use common::*;
use vigil_core::app::{App, Settings, VaultHome};
use vigil_core::bookings::TimeRange;
use vigil_core::vault::{DuressOptions, MIN_KDF_ITERATIONS};

const DEVICE: &[u8] = b"device secret from the keystore!";
const PASS: &str = "real passphrase";

fn created(dir: &std::path::Path) -> (VaultHome, App) {
    let home = VaultHome::new(dir.join("vault.db"));
    let app = home.create(PASS, Some(DEVICE), MIN_KDF_ITERATIONS).unwrap();
    (home, app)
}

/// The decoy's bookings (label and start), as the duress passphrase shows them.
fn decoy_entries(home: &VaultHome, duress: &str) -> Vec<(String, String)> {
    let decoy = home.unlock(duress, Some(DEVICE), at(21, 0)).unwrap();
    let mut entries: Vec<(String, String)> = decoy
        .session()
        .bookings()
        .list(TimeRange::default())
        .unwrap()
        .items
        .into_iter()
        .map(|b| (b.details.client.label, b.details.starts_at.to_rfc3339()))
        .collect();
    entries.sort();
    entries
}

fn set_duress(app: &mut App, duress: &str) {
    app.set_duress(PASS, duress, DuressOptions::default(), &[], at(20, 0))
        .unwrap();
}

#[test]
fn two_vaults_get_different_decoys_and_one_vault_keeps_its_own() {
    let (a_dir, b_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (a_home, mut a) = created(a_dir.path());
    let (b_home, mut b) = created(b_dir.path());
    set_duress(&mut a, "decoy a");
    set_duress(&mut b, "decoy b");
    a.lock();
    b.lock();
    let first_a = decoy_entries(&a_home, "decoy a");
    let first_b = decoy_entries(&b_home, "decoy b");
    assert_eq!(first_a.len(), 5);
    // Same clock, same settings: only each vault's own seed tells them apart (two random
    // 64-bit seeds giving the same five entries and times is not a real possibility).
    assert_ne!(first_a, first_b, "every installation has its own decoy");

    // Setting the duress passphrase again (same time) refills the decoy with the same
    // entries: the seed is the vault's, not the moment's.
    let mut a = a_home.unlock(PASS, Some(DEVICE), at(20, 0)).unwrap();
    set_duress(&mut a, "decoy a2");
    a.lock();
    assert_eq!(decoy_entries(&a_home, "decoy a2"), first_a);
}

#[test]
fn the_decoy_is_written_in_the_workers_language() {
    let dir = tempfile::tempdir().unwrap();
    let (home, mut app) = created(dir.path());
    app.set_settings(&Settings {
        region: "ES".into(),
        worker_languages: vec!["es".into()],
        ..Settings::default()
    })
    .unwrap();
    set_duress(&mut app, "decoy");
    app.lock();
    let decoy = home.unlock("decoy", Some(DEVICE), at(21, 0)).unwrap();
    let labels: Vec<String> = decoy
        .session()
        .bookings()
        .list(TimeRange::default())
        .unwrap()
        .items
        .into_iter()
        .map(|b| b.details.client.label)
        .collect();
    const SPANISH: &[&str] = &[
        "Revisión",
        "Peluquería",
        "Videollamada",
        "Gimnasio",
        "Café",
        "Óptica",
        "Fisio",
        "Uñas",
        "Cita",
        "Clase",
        "Médico",
        "Comida",
        "Autoescuela",
    ];
    assert_eq!(labels.len(), 5);
    for label in &labels {
        assert!(
            SPANISH.iter().any(|w| label.starts_with(w)),
            "not a Spanish entry: {label}"
        );
    }
    // The decoy carries the worker's settings too, so its screens read the same.
    assert_eq!(decoy.settings().unwrap().region, "ES");
    assert_eq!(decoy.settings().unwrap().language(), "es");
}

#[test]
fn a_decoy_has_stored_settings_only_when_the_real_vault_has() {
    use std::io::Read;
    use vigil_core::export::age::{AgeReader, Identity, Recipient};
    let dir = tempfile::tempdir().unwrap();
    let (home, mut app) = created(dir.path());
    set_duress(&mut app, "decoy");
    app.lock();
    // Exported as a person would from the decoy: like a real vault on its defaults.
    let decoy = home.unlock("decoy", Some(DEVICE), at(21, 0)).unwrap();
    let out = dir.path().join("decoy.age");
    decoy
        .export_to_file(
            &out,
            &[Recipient::passphrase_with_work_factor("backup", 10)],
            at(21, 0),
        )
        .unwrap();
    let mut text = String::new();
    AgeReader::new(
        std::fs::File::open(&out).unwrap(),
        &[Identity::passphrase("backup")],
    )
    .unwrap()
    .read_to_string(&mut text)
    .unwrap();
    assert!(text.contains("\"settings\":[]"), "{text}");
}

#[test]
fn settings_changed_after_the_decoy_was_filled_reach_it_and_never_come_back() {
    let dir = tempfile::tempdir().unwrap();
    let (home, mut app) = created(dir.path());
    set_duress(&mut app, "decoy");
    // Changed after the decoy was filled (on the defaults then).
    let french = Settings {
        region: "FR".into(),
        worker_languages: vec!["fr".into()],
        utc_offset_minutes: Some(60),
        idle_lock_minutes: 7,
    };
    app.set_settings(&french).unwrap();
    app.lock();
    let decoy = home.unlock("decoy", Some(DEVICE), at(21, 0)).unwrap();
    assert_eq!(decoy.settings().unwrap(), french);

    // Changed inside the decoy: they stay there.
    let german = Settings {
        region: "DE".into(),
        worker_languages: vec!["de".into()],
        ..Settings::default()
    };
    decoy.set_settings(&german).unwrap();
    decoy.lock();
    let real = home.unlock(PASS, Some(DEVICE), at(21, 5)).unwrap();
    assert_eq!(real.settings().unwrap(), french);
    real.lock();
    let decoy = home.unlock("decoy", Some(DEVICE), at(21, 10)).unwrap();
    assert_eq!(decoy.settings().unwrap(), german);
}

#[test]
fn a_restore_brings_the_decoy_the_restored_services_and_settings() {
    use vigil_core::directory::{build_directory_bundle, Category, DirectoryContent, Service};
    use vigil_core::export::age::{Identity, Recipient};
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    // The backed-up vault: a directory (an everyday service and a project) and settings.
    let (_, source) = created(a.path());
    let (pkcs8, _) =
        vigil_core::feeds::generate_publisher_key(&ring::rand::SystemRandom::new()).unwrap();
    let publisher = vigil_core::feeds::PublisherKey::from_pkcs8(&pkcs8).unwrap();
    source
        .session()
        .feeds()
        .trust("Outreach project", publisher.public_key(), at(8, 0))
        .unwrap();
    let content = DirectoryContent::new(
        "Europe/London",
        vec![
            Service::new(
                "p:1",
                "Corner Pharmacy",
                &[Category::Pharmacy],
                51.51,
                -0.12,
            ),
            Service::new(
                "p:2",
                "Sex Work Outreach",
                &[Category::SexWorkProject],
                51.52,
                -0.13,
            ),
        ],
    );
    let bundle = build_directory_bundle(
        &publisher,
        &content,
        1,
        at(8, 0),
        at(8, 0) + chrono::Duration::days(30),
    )
    .unwrap();
    source.import_bundle(&bundle, at(9, 0)).unwrap();
    let french = Settings {
        region: "FR".into(),
        worker_languages: vec!["fr".into()],
        ..Settings::default()
    };
    source.set_settings(&french).unwrap();
    let out = a.path().join("backup.age");
    source
        .export_to_file(
            &out,
            &[Recipient::passphrase_with_work_factor("backup", 10)],
            at(10, 0),
        )
        .unwrap();

    // Restored into a vault whose decoy was filled before (empty directory, defaults).
    let (home, mut target) = created(b.path());
    set_duress(&mut target, "decoy");
    target
        .restore(
            std::fs::File::open(&out).unwrap(),
            &[Identity::passphrase("backup")],
            at(20, 30),
        )
        .unwrap();
    target.lock();
    let decoy = home.unlock("decoy", Some(DEVICE), at(21, 0)).unwrap();
    let services: Vec<(String, String)> = decoy
        .session()
        .directory()
        .load()
        .unwrap()
        .index
        .services()
        .map(|(p, s)| (p.to_string(), s.name.clone()))
        .collect();
    assert_eq!(
        services,
        vec![(
            "Local health services 1".to_string(),
            "Corner Pharmacy".to_string()
        )]
    );
    assert_eq!(decoy.settings().unwrap(), french);
}
