//! A short tour of what the core can do today, on built-in defaults: it creates a vault in
//! a temporary directory, logs bookings, shows that nothing readable reaches the disk,
//! locks, unlocks, and wipes. Run with `cargo run -p vigil-core --example tour`.

use chrono::{Duration, TimeZone, Utc};
use vigil_core::bookings::{BookingDraft, BookingKind, TimeRange};
use vigil_core::vault::{Vault, VaultOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("vigil-tour-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("vault.db");
    let passphrase = "tour passphrase - not a real one";
    let now = Utc
        .with_ymd_and_hms(2026, 11, 28, 18, 0, 0)
        .single()
        .ok_or("bad time")?;

    println!("1. Creating an encrypted vault at {}", path.display());
    let started = std::time::Instant::now();
    let session = Vault::create(&path, passphrase, &VaultOptions::default())?;
    println!(
        "   done in {:?} (PBKDF2-HMAC-SHA256, 600,000 iterations)",
        started.elapsed()
    );

    println!("2. Logging three bookings");
    let mut outcall = BookingDraft::new(
        "New client (Tom)",
        now + Duration::hours(2),
        60,
        BookingKind::Outcall,
    );
    outcall.client.phone = Some("07700 900123".into());
    outcall.place.address = Some("Flat 3, 12 Example Street".into());
    let log = session.bookings();
    log.add(outcall, now)?;
    log.add(
        BookingDraft::new(
            "Regular (J.)",
            now - Duration::days(1),
            90,
            BookingKind::Incall,
        ),
        now,
    )?;
    log.add(
        BookingDraft::new(
            "Video call",
            now + Duration::days(1),
            30,
            BookingKind::Video,
        ),
        now,
    )?;
    for b in log.list(TimeRange::default())?.items {
        println!(
            "   {}  {:<18} {:?}, {} min",
            b.details.starts_at.format("%a %d %b %H:%M"),
            b.details.client.label,
            b.details.kind,
            b.duration().map_or(0, |d| d.num_minutes())
        );
    }

    let raw = std::fs::read(&path)?;
    let wal = std::fs::read(dir.join("vault.db-wal")).unwrap_or_default();
    let leaked = [&raw, &wal]
        .iter()
        .any(|bytes| bytes.windows(12).any(|w| w == b"Example Stre"));
    println!(
        "3. Scanning the raw files for the address: {}",
        if leaked {
            "FOUND (this is a bug)"
        } else {
            "not found - everything is sealed"
        }
    );

    println!("4. Locking, then unlocking with a wrong and the right passphrase");
    session.lock();
    let vault = Vault::open(&path)?;
    match vault.unlock("guess", None) {
        Err(e) => println!("   wrong passphrase -> {e}"),
        Ok(_) => println!("   wrong passphrase opened the vault (this is a bug)"),
    }
    let session = vault.unlock(passphrase, None)?;
    println!(
        "   right passphrase -> {} bookings",
        session.bookings().list(TimeRange::default())?.items.len()
    );

    println!("5. Panic wipe: key slots destroyed first, then the files");
    session.wipe()?;
    println!("   vault file exists afterwards: {}", path.exists());
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
