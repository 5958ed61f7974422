//! `vigil tour`: Vigil's main job on built-in defaults, with nothing prepared.
//!
//! Everything happens in a fresh temporary directory that is removed afterwards, on a
//! simulated clock, so the tour never touches a real vault and prints the same story on
//! every run. Each step says what it did; a step whose outcome is not what Vigil promises
//! fails the tour with a non-zero exit status instead of printing a reassuring line.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use ring::rand::{SecureRandom, SystemRandom};
use serde_json::{json, Value};
use vigil_core::bookings::{BookingDraft, BookingKind, TimeRange};
use vigil_core::checkin::{
    ActionKind, BackgroundRunner, BuddyDraft, Channel, CheckinPlan, EscalationKey, Outcome,
};
use vigil_core::clock::{Clock, ManualClock};
use vigil_core::directory::import::{import_nhs_choices, NHS_ATTRIBUTION, NHS_FILES};
use vigil_core::directory::{
    build_directory_bundle, Category, DirectoryContent, HoursSource, NearbyQuery, OpenFilter,
};
use vigil_core::export::age::{Identity, Recipient};
use vigil_core::feeds::{
    generate_publisher_key, sign_bundle, BundleDraft, BundleKind, PublisherKey,
};
use vigil_core::screening::{normalize, IdentifierKind, NoteDraft, Region, Risk};
use vigil_core::vault::{DuressOptions, Session, Vault, VaultOptions, DEFAULT_KDF_ITERATIONS};

use crate::context::Context;
use crate::error::{CliError, CliResult, Exit};

const PASSPHRASE: &str = "tour passphrase - not a real one";
const DURESS: &str = "tour duress passphrase";
const BACKUP_PASSPHRASE: &str = "tour backup passphrase";

/// Collects the steps: printed as they happen, or gathered into one JSON document.
struct Narrator {
    json: bool,
    /// Whether the technical details are printed (`--verbose`); JSON always has them.
    verbose: bool,
    steps: Vec<Value>,
    current: Option<(String, Vec<String>, Vec<String>)>,
}

impl Narrator {
    fn step(&mut self, title: impl Into<String>) {
        self.flush();
        let title = title.into();
        if !self.json {
            println!("{}. {title}", self.steps.len() + 1);
        }
        self.current = Some((title, Vec::new(), Vec::new()));
    }

    fn say(&mut self, line: impl Into<String>) {
        let line = line.into();
        if !self.json {
            println!("   {line}");
        }
        if let Some((_, lines, _)) = &mut self.current {
            lines.push(line);
        }
    }

    /// The technical words behind a plain line, for those who ask (`--verbose`).
    fn detail(&mut self, line: impl Into<String>) {
        let line = line.into();
        if !self.json && self.verbose {
            println!("     · {line}");
        }
        if let Some((_, _, details)) = &mut self.current {
            details.push(line);
        }
    }

    fn flush(&mut self) {
        if let Some((title, lines, details)) = self.current.take() {
            self.steps
                .push(json!({ "step": title, "did": lines, "details": details }));
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

/// What to do after the tour, in the order a new user needs it.
const NEXT_STEPS: [&str; 6] = [
    "vigil init                      make your own vault (you choose its passphrase)",
    "vigil buddy add --name NAME --phone NUMBER      someone to alert if you do not check in",
    "vigil checkin set-codes         your check-in code and your duress code",
    "vigil checkin install-timer --exec CMD          so a missed check-in reaches your buddy",
    "vigil booking add --client NAME --at \"tomorrow 21:00\"      log a booking",
    "vigil --help, or `vigil man | man -l -`         every command",
];

pub fn run(ctx: &Context, verbose: bool) -> CliResult {
    let dir = tempfile::Builder::new()
        .prefix("vigil-tour-")
        .tempdir()
        .map_err(|e| CliError::file("create a temporary folder in", &std::env::temp_dir(), e))?;
    let started = Instant::now();
    let mut n = Narrator {
        json: ctx.json,
        verbose,
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
                "next": NEXT_STEPS.iter().map(|l| l.split("  ").next().unwrap_or(l).trim()).collect::<Vec<_>>(),
            }),
            String::new,
        )
    } else {
        println!(
            "\nTour finished in {:.1} s; the temporary folder is removed.",
            elapsed.as_secs_f64()
        );
        println!("\nWhat to do next, on your own computer:");
        for line in NEXT_STEPS {
            println!("  {line}");
        }
        if !verbose {
            println!("\n`vigil tour --verbose` shows the technical details of each step.");
        }
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
    // Every vault is bound to a device secret (the keystore's, on a phone): so is the tour's.
    let mut device = [0u8; 32];
    SystemRandom::new()
        .fill(&mut device)
        .map_err(|_| CliError::new(Exit::Failure, "the system random generator failed"))?;
    let device = &device[..];
    let session = Vault::create(
        &path,
        PASSPHRASE,
        &VaultOptions {
            device_secret: Some(device.to_vec()),
            ..VaultOptions::default()
        },
    )?;
    n.say(format!(
        "created a vault locked by a passphrase; opening it took {:.2} s on purpose, so that \
         guessing passphrases is slow",
        t.elapsed().as_secs_f64()
    ));
    n.detail(format!(
        "{}: key derivation PBKDF2-HMAC-SHA256, {} iterations, plus a device secret in a \
         file beside it",
        path.display(),
        DEFAULT_KDF_ITERATIONS
    ));
    n.say("every booking, note and setting is encrypted before it is written to disk");
    n.detail("each record sealed with AES-256-GCM under keys held only while unlocked");

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
            "{}  {:<18} {}, {} min",
            b.details.starts_at.format("%a %d %b %H:%M"),
            b.details.client.label,
            b.details.kind.as_str(),
            b.duration().map_or(0, |d| d.num_minutes())
        ));
    }

    n.step("Look for the outcall address in the raw files on disk");
    let leaked = raw_files_contain(&path, b"Example Street")?;
    ensure(!leaked, "the address was found in plain text on disk")?;
    n.say("not found anywhere in the vault's files: everything is encrypted");
    n.detail("searched the SQLite database and its write-ahead journal byte for byte");

    directory_steps(n, &session, dir, &clock)?;
    screening_steps(n, &session, &clock)?;
    checkin_steps(n, &session, &path, &clock)?;

    n.step("Lock, then unlock with a wrong and with the right passphrase");
    session.lock();
    let vault = Vault::open(&path)?;
    match vault.unlock("a guess", Some(device)) {
        Err(vigil_core::Error::WrongPassphrase) => n.say("wrong passphrase -> refused"),
        Err(e) => return Err(e.into()),
        Ok(_) => {
            return Err(CliError::new(
                Exit::Failure,
                "the tour found a defect: a wrong passphrase opened the vault",
            ))
        }
    }
    let mut session = vault.unlock(PASSPHRASE, Some(device))?;
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
        Some(device),
        clock.now(),
    )?;
    session.lock();
    let decoy = vault.unlock(DURESS, Some(device))?;
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
    n.detail("both passphrases open a key slot of the same size; the decoy lives in a second file that every vault has");
    decoy.lock();
    let session = vault.unlock(PASSPHRASE, Some(device))?;

    n.step("Back up to an encrypted file the standard age tools can read, and restore it");
    let backup = dir.join("backup.age");
    let file = vigil_core::vault::create_private_file(&backup)
        .map_err(|e| CliError::file("create", &backup, e))?;
    let (_, report) = session.backup().export(
        std::io::BufWriter::new(file),
        &[Recipient::passphrase(BACKUP_PASSPHRASE)],
        clock.now(),
    )?;
    let written: u64 = report.sections.iter().map(|(_, k)| k).sum();
    n.say(format!(
        "saved {written} records to a backup file locked by its own passphrase",
    ));
    n.detail(format!(
        "{}: age v1 format, scrypt passphrase; the standard `age -d` decrypts it too",
        backup.display()
    ));
    let restored_path = dir.join("restored.db");
    let restored = Vault::create(
        &restored_path,
        PASSPHRASE,
        &VaultOptions {
            kdf_iterations: vigil_core::vault::MIN_KDF_ITERATIONS,
            device_secret: Some(device.to_vec()),
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
    n.say(
        "the keys are destroyed first, so nothing can be read from that moment; then every \
           file is removed",
    );
    n.detail(
        "key slots overwritten in place, then the database, journal and device secret deleted",
    );
    n.say(format!("vault file exists afterwards: {}", path.exists()));
    Ok(())
}

/// The tour's slice of the 2014 NHS Choices snapshot (a few dozen rows around Charing
/// Cross, byte for byte in the snapshot's Windows-1252 `¬` dialect), built into the binary
/// so that `vigil tour` reads nothing beside the source checkout. Where it comes from and
/// how it was cut: `cli/data/nhs-sample/README.md`.
const NHS_SAMPLE: [(&str, &[u8]); 5] = [
    (
        NHS_FILES[0],
        include_bytes!("../data/nhs-sample/Clinics.csv"),
    ),
    (
        NHS_FILES[1],
        include_bytes!("../data/nhs-sample/Hospital.csv"),
    ),
    (
        NHS_FILES[2],
        include_bytes!("../data/nhs-sample/Pharmacy.csv"),
    ),
    (
        NHS_FILES[3],
        include_bytes!("../data/nhs-sample/GPPractices.csv"),
    ),
    (
        NHS_FILES[4],
        include_bytes!("../data/nhs-sample/PharmacyOpeningTimes.csv"),
    ),
];

/// Writes the built-in sample into `dir` (the tour's temporary folder) for the importer,
/// which reads an extract's five files from a folder.
fn write_nhs_sample(dir: &Path) -> CliResult<PathBuf> {
    let folder = dir.join("nhs-sample");
    fs::create_dir(&folder).map_err(|e| CliError::file("create", &folder, e))?;
    for (name, bytes) in NHS_SAMPLE {
        let file = folder.join(name);
        fs::write(&file, bytes).map_err(|e| CliError::file("write", &file, e))?;
    }
    Ok(folder)
}

fn directory_steps(
    n: &mut Narrator,
    session: &Session,
    dir: &Path,
    clock: &ManualClock,
) -> CliResult {
    n.step("Publish a sample directory from the NHS Choices snapshot, and import it");
    n.say("2014 TEST DATA, NOT CURRENT SERVICE INFORMATION: do not use it to find help");
    n.say(NHS_ATTRIBUTION);
    let now = clock.now();
    let import = import_nhs_choices(&write_nhs_sample(dir)?, None)?;
    let (pkcs8, public) = generate_publisher_key(&SystemRandom::new())?;
    let key = PublisherKey::from_pkcs8(&pkcs8)?;
    let content = DirectoryContent::new("Europe/London", import.services);
    let bundle = build_directory_bundle(&key, &content, 1, now, now + Duration::days(30))?;
    let bundle_path = dir.join("directory.vgl");
    fs::write(&bundle_path, &bundle).map_err(|e| CliError::file("write", &bundle_path, e))?;
    n.say(format!(
        "a project signed a list of {} services with its key, so no one can change it on the way",
        content.services.len(),
    ));
    n.detail(format!(
        "{}: {} KiB, Ed25519 signature, key {}",
        bundle_path.display(),
        bundle.len() / 1024,
        public.key_id()
    ));
    let untrusted = session.directory().accept_bundle(&bundle[..], now);
    ensure(
        untrusted.is_err(),
        "a bundle from an untrusted key was accepted",
    )?;
    n.say("importing it before trusting the project's key -> refused");
    session
        .feeds()
        .trust("Sample project (2014 test data)", public, now)?;
    let accepted = session.directory().accept_bundle(&bundle[..], now)?;
    n.say(format!(
        "after `trust add` -> verified and imported: {} services, version {}",
        accepted.imported.services, accepted.status.version
    ));
    let mut tampered = bundle.clone();
    if let Some(b) = tampered.get_mut(bundle.len() / 2) {
        *b ^= 0x01;
    }
    ensure(
        session
            .directory()
            .accept_bundle(&tampered[..], now)
            .is_err(),
        "a tampered bundle was accepted",
    )?;
    n.say("the same bundle with one bit flipped -> refused (bad signature)");
    let loaded = session.directory().load()?;
    // Charing Cross, London, on a Saturday evening (the tour's clock).
    // Only pharmacies known to be open are listed as open; those whose hours say nothing
    // certain for that time follow, labelled "maybe open".
    let query = NearbyQuery::new(51.5080, -0.1247, 3_000.0, 3, now)
        .categories(&[Category::Pharmacy])
        .open(OpenFilter::OpenOnly);
    let found = loaded.index.nearby_open(&query)?;
    n.say(format!(
        "pharmacies open near Charing Cross at {}:",
        now.format("%a %H:%M UTC")
    ));
    for h in &found.open {
        n.say(format!("  {:>5.0} m  {}", h.distance_m, h.service.name));
    }
    if !found.maybe_open.is_empty() {
        n.say("maybe open (hours not known for that time: call first):");
        for h in &found.maybe_open {
            let why = match (&h.hours.comment, h.hours.source) {
                (Some(c), _) => c.clone(),
                (None, HoursSource::NotUnderstood) => "hours not understood".to_owned(),
                (None, HoursSource::NotPublished) => "no hours published".to_owned(),
                (None, HoursSource::Published) => "hours unknown".to_owned(),
            };
            n.say(format!(
                "  {:>5.0} m  {} ({why})",
                h.distance_m, h.service.name
            ));
        }
    }
    Ok(())
}

fn screening_steps(n: &mut Narrator, session: &Session, clock: &ManualClock) -> CliResult {
    n.step("Screen a number against your own notes and a signed alert feed");
    let now = clock.now();
    let (pkcs8, public) = generate_publisher_key(&SystemRandom::new())?;
    let key = PublisherKey::from_pkcs8(&pkcs8)?;
    let content = concat!(
        "{\"format\":1,\"region\":\"GB\"}\n",
        "{\"id\":\"TOUR-1\",\"issued\":\"2026-11-01T22:00:00Z\",",
        "\"identifiers\":[{\"kind\":\"phone\",\"value\":\"07700 900123\"}],",
        "\"category\":\"violence\",\"description\":\"Sample alert for the tour.\"}\n"
    );
    let bundle = sign_bundle(
        &key,
        &BundleDraft {
            kind: BundleKind::Alerts,
            version: 1,
            issued_at: now,
            expires_at: now + Duration::days(30),
            content: content.as_bytes(),
        },
    )?;
    session.feeds().trust("Sample alert feed", public, now)?;
    let screening = session.screening(Region::GB);
    let imported = screening.import_alerts(&bundle[..], now)?;
    n.say(format!(
        "imported a signed alert feed with {} alert",
        imported.imported.imported
    ));
    screening.add_note(
        NoteDraft::new(
            "Dave, Tuesdays",
            Risk::Caution,
            vec![normalize(
                IdentifierKind::Phone,
                "07700 900555",
                Region::GB,
            )?],
        ),
        now,
    )?;
    n.say("noted a client of your own as 'caution'");
    for input in ["07700 900123", "+44 7700 900555", "07700 900999"] {
        let result = screening.screen(input, now)?;
        let summary = crate::commands::screening::human(&result);
        let mut lines = summary.lines();
        n.say(format!(
            "screen {input}: {}",
            lines.next().unwrap_or_default()
        ));
        for line in lines {
            n.say(format!("  {}", line.trim()));
        }
    }
    Ok(())
}

fn checkin_steps(
    n: &mut Narrator,
    session: &Session,
    path: &Path,
    clock: &ManualClock,
) -> CliResult {
    n.step("Arm a check-in for the outcall, then miss it (simulated clock)");
    let mut secret = [0u8; 32];
    SystemRandom::new()
        .fill(&mut secret)
        .map_err(|_| CliError::new(Exit::Failure, "the system random generator failed"))?;
    let key = EscalationKey::from_device_secret(&secret)?;
    let checkins = session.checkins(&key);
    let buddy = checkins.add_buddy(
        BuddyDraft {
            name: "Ana".into(),
            phone: "07400 123456".into(),
            channel: Channel::Sms,
            language: "en".into(),
            plain_letters: None,
        },
        "GB",
    )?;
    checkins.set_codes("4821", "9137")?;
    let booking = session
        .bookings()
        .list(TimeRange::default())?
        .items
        .into_iter()
        .find(|b| b.details.kind == BookingKind::Outcall)
        .ok_or_else(|| CliError::new(Exit::Failure, "the tour lost its outcall"))?;
    let mut plan = CheckinPlan::new(
        booking.details.starts_at + Duration::minutes(60),
        vec![buddy.id],
    );
    plan.booking = Some(vigil_core::app::covered_booking(&booking));
    clock.set(booking.details.starts_at);
    let status = checkins.arm(plan, clock.now())?;
    n.say(format!(
        "{}: armed until {} with buddy {} ({}); codes set (normal and duress)",
        clock.now().format("%H:%M"),
        status.deadline.format("%H:%M"),
        buddy.name,
        buddy.phone
    ));
    // From here on the background runner does the work: device secret only, no passphrase,
    // as a phone's alarm does while the vault is locked.
    let runner = BackgroundRunner::open(
        &Vault::open(path)?,
        EscalationKey::from_device_secret(&secret)?,
    )?;
    let mut buddy_messages = 0;
    for minutes in [56, 61, 71] {
        clock.set(booking.details.starts_at + Duration::minutes(minutes));
        let actions = runner.tick(clock.now())?;
        if actions.is_empty() {
            n.say(format!("{}: nothing due", clock.now().format("%H:%M")));
        }
        for action in &actions {
            if matches!(action.kind, ActionKind::MessageBuddy { .. }) {
                buddy_messages += 1;
            }
            for (i, line) in crate::commands::checkin::describe(action)
                .lines()
                .enumerate()
            {
                if i == 0 {
                    n.say(format!("{}: {line}", clock.now().format("%H:%M")));
                } else {
                    n.say(format!("       | {line}"));
                }
            }
            runner.report_outcome(&action.id, Outcome::Sent, clock.now())?;
        }
    }
    ensure(buddy_messages > 0, "the missed check-in alerted nobody")?;
    n.say("(a phone sends that text itself; the desktop prints it for you to send)");
    clock.advance(Duration::minutes(3));
    runner.check_in("4821", clock.now())?;
    for action in runner.tick(clock.now())? {
        n.say(format!(
            "{}: checked in late with the code -> {}",
            clock.now().format("%H:%M"),
            crate::commands::checkin::describe(&action).replace('\n', " ")
        ));
        runner.report_outcome(&action.id, Outcome::Sent, clock.now())?;
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The built-in sample is a well-formed extract: every file imports without a skipped
    /// row, in the snapshot's own dialect, and the pharmacies carry their opening hours.
    #[test]
    fn the_built_in_nhs_sample_imports_cleanly_in_the_snapshots_dialect() {
        for (name, bytes) in NHS_SAMPLE {
            assert!(
                bytes.contains(&0xAC),
                "{name}: not `¬`-separated Windows-1252"
            );
            assert!(bytes.ends_with(b"\r\n"), "{name}: not CRLF");
            let rows = bytes
                .split(|&b| b == b'\n')
                .filter(|l| !l.is_empty())
                .count()
                - 1;
            assert!((1..=150).contains(&rows), "{name}: {rows} rows");
        }
        let dir = tempfile::tempdir().unwrap();
        let import = import_nhs_choices(&write_nhs_sample(dir.path()).unwrap(), None).unwrap();
        assert_eq!(import.skipped().count(), 0);
        assert_eq!(import.files.len(), NHS_FILES.len());
        let pharmacies = import
            .services
            .iter()
            .filter(|s| s.categories.contains(&Category::Pharmacy))
            .collect::<Vec<_>>();
        assert_eq!(pharmacies.len(), 22);
        // Three of them published no hours in 2014: the tour lists them as "maybe open".
        let with_hours = pharmacies.iter().filter(|p| p.opening_hours.is_some());
        assert_eq!(with_hours.count(), 19);
    }
}
