//! The worker's settings in export and restore (section `settings`, format 1.2).

mod common;

use std::io::{Cursor, Read, Write};

use common::*;
use vigil_core::app::{App, Settings, VaultHome};
use vigil_core::export::age::{AgeReader, AgeWriter, Identity, Recipient};
use vigil_core::vault::MIN_KDF_ITERATIONS;

const DEVICE: &[u8] = b"device secret from the keystore!";
const PASS: &str = "real passphrase";
const BACKUP: &str = "backup words";

fn created(dir: &std::path::Path) -> App {
    VaultHome::new(dir.join("vault.db"))
        .create(PASS, Some(DEVICE), MIN_KDF_ITERATIONS)
        .unwrap()
}

fn chosen() -> Settings {
    Settings {
        region: "ES".into(),
        worker_languages: vec!["es".into(), "en".into()],
        utc_offset_minutes: Some(60),
        idle_lock_minutes: 10,
    }
}

fn exported(app: &App, dir: &std::path::Path) -> Vec<u8> {
    let out = dir.join("backup.age");
    app.export_to_file(
        &out,
        &[Recipient::passphrase_with_work_factor(BACKUP, 10)],
        at(23, 0),
    )
    .unwrap();
    std::fs::read(out).unwrap()
}

fn identities() -> Vec<Identity> {
    vec![Identity::passphrase(BACKUP)]
}

fn settings_counts(report: &vigil_core::export::ImportReport) -> (u64, u64, usize) {
    let s = report
        .sections
        .iter()
        .find(|s| s.section == "settings")
        .expect("a settings section");
    (s.inserted, s.kept_existing, s.rejected.len())
}

#[test]
fn settings_restore_into_a_new_vault_and_never_overwrite_a_vaults_own() {
    let (a, b, c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let source = created(a.path());
    source.set_settings(&chosen()).unwrap();
    let file = exported(&source, a.path());

    // A new vault (on its defaults) takes them.
    let (restored, report) = created(b.path())
        .restore_into_new(Cursor::new(&file), &identities(), at(21, 0))
        .unwrap();
    assert_eq!(report.minor, vigil_core::export::FORMAT_MINOR);
    assert_eq!(settings_counts(&report), (1, 0, 0));
    assert_eq!(restored.settings().unwrap(), chosen());

    // A vault with settings of its own keeps them (an old backup never undoes a choice).
    let own = created(c.path());
    let mine = Settings {
        region: "RO".into(),
        ..Settings::default()
    };
    own.set_settings(&mine).unwrap();
    let report = own
        .restore(Cursor::new(&file), &identities(), at(21, 0))
        .unwrap();
    assert_eq!(settings_counts(&report), (0, 1, 0));
    assert_eq!(own.settings().unwrap(), mine);
}

#[test]
fn a_vault_on_its_defaults_exports_no_settings_and_an_export_without_them_restores() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let source = created(a.path());
    let file = exported(&source, a.path());
    let mut text = String::new();
    AgeReader::new(Cursor::new(&file), &identities())
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    assert!(text.contains("\"settings\":[]"), "{text}");

    // An export written before settings were exported (format 1.1: no such section).
    let old = text
        .replace(",\n\"settings\":[]", "")
        .replace(",\n\"report_drafts\":[]", "")
        .replace(",\n\"pairings\":[]", "")
        .replace(
            &format!("\"minor\":{}", vigil_core::export::FORMAT_MINOR),
            "\"minor\":1",
        );
    assert!(!old.contains("settings"));
    let mut w = AgeWriter::new(
        Vec::new(),
        &[Recipient::passphrase_with_work_factor(BACKUP, 10)],
    )
    .unwrap();
    w.write_all(old.as_bytes()).unwrap();
    let old_file = w.finish().unwrap();
    let target = created(b.path());
    target.set_settings(&chosen()).unwrap();
    let report = target
        .restore(Cursor::new(&old_file), &identities(), at(21, 0))
        .unwrap();
    assert_eq!(report.minor, 1);
    assert!(report.sections.iter().all(|s| s.section != "settings"));
    assert_eq!(target.settings().unwrap(), chosen());
}

#[test]
fn invalid_settings_in_an_export_are_reported_and_skipped() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let source = created(a.path());
    source.set_settings(&chosen()).unwrap();
    let file = exported(&source, a.path());
    let mut text = String::new();
    AgeReader::new(Cursor::new(&file), &identities())
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    let bad = text.replace("\"idle_lock_minutes\":10", "\"idle_lock_minutes\":0");
    assert_ne!(bad, text);
    let mut w = AgeWriter::new(
        Vec::new(),
        &[Recipient::passphrase_with_work_factor(BACKUP, 10)],
    )
    .unwrap();
    w.write_all(bad.as_bytes()).unwrap();
    let target = created(b.path());
    let report = target
        .restore(Cursor::new(w.finish().unwrap()), &identities(), at(21, 0))
        .unwrap();
    assert_eq!(settings_counts(&report), (0, 0, 1));
    assert_eq!(target.settings().unwrap(), Settings::default());
}
