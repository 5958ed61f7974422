//! `vigil tour`: Vigil's main job on built-in defaults, with nothing prepared.
//!
//! Everything happens in a fresh temporary directory that is removed afterwards, on a
//! simulated clock, so the tour never touches a real vault and prints the same story on
//! every run. Each step says what it did; a step whose outcome is not what Vigil promises
//! fails the tour with a non-zero exit status instead of printing a reassuring line.

use std::fs;
use std::path::Path;
use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use serde_json::{json, Value};
use vigil_core::bookings::{BookingDraft, BookingKind, TimeRange};
use vigil_core::clock::{Clock, ManualClock};
use vigil_core::export::age::{Identity, Recipient};
use vigil_core::vault::{DuressOptions, Vault, VaultOptions, DEFAULT_KDF_ITERATIONS};

use crate::context::Context;
use crate::error::{CliError, CliResult, Exit};

const PASSPHRASE: &str = "tour passphrase - not a real one";
const DURESS: &str = "tour duress passphrase";
const BACKUP_PASSPHRASE: &str = "tour backup passphrase";

/// Collects the steps: printed as they happen, or gathered into one JSON document.
struct Narrator {
    json: bool,
    steps: Vec<Value>,
    current: Option<(String, Vec<String>)>,
}

impl Narrator {
    fn step(&mut self, title: impl Into<String>) {
        self.flush();
        let title = title.into();
        if !self.json {
            println!("{}. {title}", self.steps.len() + 1);
        }
        self.current = Some((title, Vec::new()));
    }

    fn say(&mut self, line: impl Into<String>) {
        let line = line.into();
        if !self.json {
            println!("   {line}");
        }
        if let Some((_, lines)) = &mut self.current {
            lines.push(line);
        }
    }

    fn flush(&mut self) {
        if let Some((title, lines)) = self.current.take() {
            self.steps.push(json!({ "step": title, "did": lines }));
        }
    }
}

/// A check the tour makes on its own results.
fn ensure(ok: bool, what: &str) -> CliResult {
    if ok {
        Ok(())
    } else {
        Err(CliError::new(
            Exit::Failure,
            format!("the tour found a defect: {what}"),
        ))
    }
}

pub fn run(ctx: &Context) -> CliResult {
    let dir = tempfile::Builder::new()
        .prefix("vigil-tour-")
        .tempdir()
        .map_err(|e| CliError::file("create a temporary folder in", &std::env::temp_dir(), e))?;
    let started = Instant::now();
    let mut n = Narrator {
        json: ctx.json,
        steps: Vec::new(),
        current: None,
    };
    if !ctx.json {
        println!(
            "Vigil guided tour: everything below happens in {}",
            dir.path().display()
        );
        println!("on a simulated clock, and is deleted at the end. No real vault is touched.\n");
    }
    tour(&mut n, dir.path())?;
    n.flush();
    let elapsed = started.elapsed();
    if ctx.json {
        ctx.emit(
            json!({
                "steps": n.steps,
                "seconds": elapsed.as_secs_f64(),
            }),
            String::new,
        )
    } else {
        println!(
            "\nTour finished in {:.1} s; the temporary folder is removed.",
            elapsed.as_secs_f64()
        );
        Ok(())
    }
}

fn tour(n: &mut Narrator, dir: &Path) -> CliResult {
    let clock = ManualClock::new(
        Utc.with_ymd_and_hms(2026, 11, 28, 18, 0, 0)
            .single()
            .ok_or_else(|| CliError::new(Exit::Failure, "the tour's start time is invalid"))?,
    );
    let path = dir.join("vault.db");

    n.step("Create an encrypted vault");
    let t = Instant::now();
    let session = Vault::create(&path, PASSPHRASE, &VaultOptions::default())?;
    n.say(format!(
        "created {} with the default key derivation (PBKDF2-HMAC-SHA256, {} iterations) in {:.2} s",
        path.display(),
        DEFAULT_KDF_ITERATIONS,
        t.elapsed().as_secs_f64()
    ));
    n.say("every booking, note and setting is sealed with AES-256-GCM before it reaches the disk");

    n.step("Log three bookings");
    let now = clock.now();
    let mut outcall = BookingDraft::new(
        "New client (Tom)",
        now + Duration::hours(2),
        60,
        BookingKind::Outcall,
    );
    outcall.client.phone = Some("07700 900123".into());
    outcall.place.address = Some("Flat 3, 12 Example Street".into());
    let log = session.bookings();
    log.add_many(
        vec![
            outcall,
            BookingDraft::new(
                "Regular (J.)",
                now - Duration::days(1),
                90,
                BookingKind::Incall,
            ),
            BookingDraft::new(
                "Video call",
                now + Duration::days(1),
                30,
                BookingKind::Video,
            ),
        ],
        now,
    )?;
    for b in log.list(TimeRange::default())?.items {
        n.say(format!(
            "{}  {:<18} {:?}, {} min",
            b.details.starts_at.format("%a %d %b %H:%M"),
            b.details.client.label,
            b.details.kind,
            b.duration().map_or(0, |d| d.num_minutes())
        ));
    }

    n.step("Look for the outcall address in the raw files on disk");
    let leaked = raw_files_contain(&path, b"Example Street")?;
    ensure(!leaked, "the address was found in plain text on disk")?;
    n.say("not found in the database or its journal: everything is sealed");

    n.step("Lock, then unlock with a wrong and with the right passphrase");
    session.lock();
    let vault = Vault::open(&path)?;
    match vault.unlock("a guess", None) {
        Err(vigil_core::Error::WrongPassphrase) => n.say("wrong passphrase -> refused"),
        Err(e) => return Err(e.into()),
        Ok(_) => {
            return Err(CliError::new(
                Exit::Failure,
                "the tour found a defect: a wrong passphrase opened the vault",
            ))
        }
    }
    let mut session = vault.unlock(PASSPHRASE, None)?;
    let real_count = session.bookings().list(TimeRange::default())?.items.len();
    ensure(
        real_count == 3,
        "the unlocked vault does not hold the three bookings",
    )?;
    n.say(format!("right passphrase -> {real_count} bookings"));

    n.step("Set a duress passphrase and unlock with it");
    session.set_duress(
        PASSPHRASE,
        DURESS,
        DuressOptions::default(),
        None,
        clock.now(),
    )?;
    session.lock();
    let decoy = vault.unlock(DURESS, None)?;
    let decoy_items = decoy.bookings().list(TimeRange::default())?.items;
    ensure(
        decoy_items
            .iter()
            .all(|b| b.details.client.label != "New client (Tom)"),
        "the duress passphrase showed real bookings",
    )?;
    n.say(format!(
        "the duress passphrase opens an ordinary-looking decoy through the same commands: {} entries such as \"{}\"",
        decoy_items.len(),
        decoy_items.first().map_or("", |b| b.details.client.label.as_str())
    ));
    n.say("nothing in the files tells whether a duress passphrase is set");
    decoy.lock();
    let session = vault.unlock(PASSPHRASE, None)?;

    n.step("Back up to an encrypted file the standard age tools can read, and restore it");
    let backup = dir.join("backup.age");
    let file = fs::File::create(&backup).map_err(|e| CliError::file("create", &backup, e))?;
    let (_, report) = session.backup().export(
        std::io::BufWriter::new(file),
        &[Recipient::passphrase(BACKUP_PASSPHRASE)],
        clock.now(),
    )?;
    let written: u64 = report.sections.iter().map(|(_, k)| k).sum();
    n.say(format!(
        "exported {written} records to {} (age v1, scrypt passphrase; `age -d` decrypts it)",
        backup.display()
    ));
    let restored_path = dir.join("restored.db");
    let restored = Vault::create(
        &restored_path,
        PASSPHRASE,
        &VaultOptions {
            kdf_iterations: vigil_core::vault::MIN_KDF_ITERATIONS,
            device_secret: None,
        },
    )?;
    let input = fs::File::open(&backup).map_err(|e| CliError::file("open", &backup, e))?;
    let imported = restored.backup().import(
        std::io::BufReader::new(input),
        &[Identity::passphrase(BACKUP_PASSPHRASE)],
    )?;
    let inserted: u64 = imported.sections.iter().map(|s| s.inserted).sum();
    let restored_count = restored.bookings().list(TimeRange::default())?.items.len();
    ensure(
        restored_count == real_count,
        "the restored vault differs from the original",
    )?;
    n.say(format!(
        "restored {inserted} records into a new vault: {restored_count} bookings, same ids and times"
    ));
    restored.wipe()?;

    n.step("Panic wipe");
    session.wipe()?;
    ensure(!path.exists(), "the vault file survived the wipe")?;
    n.say("key slots destroyed first (unreadable from that instant), then every file removed");
    n.say(format!("vault file exists afterwards: {}", path.exists()));
    Ok(())
}

/// Whether `needle` appears in the vault file or any of its SQLite companions.
fn raw_files_contain(vault: &Path, needle: &[u8]) -> CliResult<bool> {
    let dir = vault.parent().unwrap_or(Path::new("."));
    let entries = fs::read_dir(dir).map_err(|e| CliError::file("read", dir, e))?;
    for entry in entries.flatten() {
        let bytes = fs::read(entry.path()).map_err(|e| CliError::file("read", &entry.path(), e))?;
        if bytes.windows(needle.len()).any(|w| w == needle) {
            return Ok(true);
        }
    }
    Ok(false)
}
