//! `vigil bench`: the phone-relevant figures of docs/PERFORMANCE.md, measured on whatever
//! device runs this, from data generated here (no dataset, no network), so that the first
//! run on a phone compares directly with the desktop table.
//!
//! Everything happens in a new folder inside the one the caller gives (removed on return)
//! and uses the same calls the app makes: unlock at the real key-derivation cost, booking
//! insert and list, exact screening against notes and alerts, loading a signed directory
//! from the vault and the nearest-service queries. Times are wall clock, medians of several
//! runs; a phone throttles when hot, so the JSON says how many runs each figure took.

use std::path::Path;
use std::time::Instant;

use chrono::{TimeZone, Utc};
use ring::rand::SystemRandom;
use rusqlite::{params, Connection};
use serde::Serialize;

use crate::bookings::{BookingDraft, BookingKind, TimeRange};
use crate::clock::Timestamp;
use crate::directory::{
    build_directory_bundle, Category, DirectoryContent, NearbyQuery, OpenFilter, Service,
};
use crate::error::{Error, Result};
use crate::feeds::{generate_publisher_key, sign_bundle, BundleDraft, BundleKind, PublisherKey};
use crate::screening::{detect, NoteDraft, Region, Risk};
use crate::vault::{Vault, VaultOptions, DEFAULT_KDF_ITERATIONS, MIN_KDF_ITERATIONS};

/// The version of the report's JSON shape; bumped when a field changes meaning.
pub const REPORT_FORMAT: u32 = 1;

/// How much data and how many repetitions. [`BenchConfig::full`] matches the sizes of the
/// desktop benchmarks; [`BenchConfig::quick`] is for a first look (and the tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BenchConfig {
    /// Key-derivation iterations of the unlock figure (the default of new vaults).
    pub kdf_iterations: u32,
    pub unlock_runs: usize,
    pub bookings: usize,
    pub notes: usize,
    pub alerts: usize,
    pub services: usize,
    /// Repetitions of every other figure (the median is reported).
    pub runs: usize,
}

impl BenchConfig {
    /// The desktop benchmarks' sizes: 10,000 bookings, 10,000 notes and 100,000 alerts,
    /// a 100,000-service directory. A few minutes on a phone.
    pub fn full() -> Self {
        Self {
            kdf_iterations: DEFAULT_KDF_ITERATIONS,
            unlock_runs: 5,
            bookings: 10_000,
            notes: 10_000,
            alerts: 100_000,
            services: 100_000,
            runs: 5,
        }
    }

    /// A tenth of the data or less, the real key-derivation cost: seconds.
    pub fn quick() -> Self {
        Self {
            kdf_iterations: DEFAULT_KDF_ITERATIONS,
            unlock_runs: 2,
            bookings: 1_000,
            notes: 500,
            alerts: 2_000,
            services: 5_000,
            runs: 3,
        }
    }
}

/// One measured figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    /// Stable name, e.g. `unlock` (see docs/PERFORMANCE.md, "vigil bench").
    pub name: &'static str,
    /// What one measured operation is.
    pub what: String,
    /// Median over `runs`, in microseconds per operation.
    pub median_us: f64,
    /// Fastest run, in microseconds per operation.
    pub min_us: f64,
    pub runs: usize,
}

/// The whole report, as `vigil bench --json` prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchReport {
    pub format: u32,
    pub vigil_version: &'static str,
    /// `std::env::consts::ARCH` / `OS` of this build, e.g. `aarch64` / `android`.
    pub arch: &'static str,
    pub os: &'static str,
    /// False for a debug build, whose figures mean little.
    pub optimized: bool,
    pub config: BenchConfig,
    pub figures: Vec<Figure>,
}

impl BenchReport {
    pub fn figure(&self, name: &str) -> Option<&Figure> {
        self.figures.iter().find(|f| f.name == name)
    }

    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self).map_err(|e| Error::Decode(format!("bench report: {e}")))
    }
}

fn now() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
}

/// Sunday 11:00 in London: most services closed, so "open now" has to look further.
fn sunday_morning() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 3, 15, 11, 0, 0).unwrap()
}

/// Runs `op` `runs` times (each run timing `per_run` operations after `setup`) and
/// returns the figure.
fn measure<S>(
    name: &'static str,
    what: String,
    runs: usize,
    per_run: usize,
    mut setup: impl FnMut() -> Result<S>,
    mut op: impl FnMut(S) -> Result<()>,
) -> Result<Figure> {
    let runs = runs.max(1);
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let state = setup()?;
        let t = Instant::now();
        op(state)?;
        times.push(t.elapsed().as_secs_f64() * 1e6 / per_run.max(1) as f64);
    }
    crate::sort::sort_by(&mut times, f64::total_cmp);
    Ok(Figure {
        name,
        what,
        median_us: times[times.len() / 2],
        min_us: times[0],
        runs,
    })
}

/// A small deterministic generator, so every device measures the same data.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * ((self.next() >> 11) as f64 / (1u64 << 53) as f64)
    }

    fn mobile(&mut self) -> String {
        format!("07{:09}", self.next() % 1_000_000_000)
    }

    fn plate(&mut self) -> String {
        let mut l = || (b'A' + (self.next() % 26) as u8) as char;
        let (a, b, c, d, e) = (l(), l(), l(), l(), l());
        format!("{a}{b}{:02} {c}{d}{e}", self.next() % 100)
    }
}

fn options(kdf_iterations: u32) -> VaultOptions {
    VaultOptions {
        kdf_iterations,
        device_secret: None,
    }
}

/// Runs every figure in a new folder inside `parent` (removed on return, also after a
/// failure: nothing of the caller's is touched). `progress` hears the name of each group
/// of figures before it starts.
pub fn run(
    parent: &Path,
    config: &BenchConfig,
    progress: &mut dyn FnMut(&str),
) -> Result<BenchReport> {
    let salt: [u8; 8] = ring::rand::generate(&SystemRandom::new())
        .map_err(|_| Error::Random)?
        .expose();
    let dir = parent.join(format!("vigil-bench-{}", hex::encode(salt)));
    std::fs::create_dir(&dir)?;
    let figures = figures(&dir, config, progress);
    let removed = std::fs::remove_dir_all(&dir);
    let figures = figures?;
    removed?;
    Ok(BenchReport {
        format: REPORT_FORMAT,
        vigil_version: env!("CARGO_PKG_VERSION"),
        arch: std::env::consts::ARCH,
        os: std::env::consts::OS,
        optimized: !cfg!(debug_assertions),
        config: *config,
        figures,
    })
}

fn figures(
    dir: &Path,
    config: &BenchConfig,
    progress: &mut dyn FnMut(&str),
) -> Result<Vec<Figure>> {
    let mut figures = Vec::new();
    let mut ids = 0usize;
    let mut fresh = |name: &str| {
        ids += 1;
        dir.join(format!("{ids}-{name}.db"))
    };
    progress("unlock");
    figures.push(unlock(&fresh("unlock"), config)?);
    progress("bookings");
    figures.extend(bookings(&mut fresh, config)?);
    progress("screening");
    figures.extend(screening(&fresh("screening"), config)?);
    progress("directory");
    figures.extend(directory(&fresh("directory"), config)?);
    Ok(figures)
}

fn unlock(path: &Path, config: &BenchConfig) -> Result<Figure> {
    let session = Vault::create(path, "bench passphrase", &options(config.kdf_iterations))?;
    session.lock();
    measure(
        "unlock",
        format!(
            "open the vault and unlock it ({} PBKDF2 iterations)",
            config.kdf_iterations
        ),
        config.unlock_runs,
        1,
        || Ok(()),
        |()| {
            Vault::open(path)?
                .unlock("bench passphrase", None)
                .map(drop)
        },
    )
}

/// `n` generated bookings, one every 37 minutes from 2026-01-01 (also the criterion bench's).
pub fn booking_drafts(n: usize) -> Vec<BookingDraft> {
    let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap();
    (0..n)
        .map(|i| {
            let mut d = BookingDraft::new(
                &format!("Client number {i}"),
                t0 + chrono::Duration::minutes(37 * i as i64),
                60,
                BookingKind::Outcall,
            );
            d.client.phone = Some(format!("07700 9{:05}", i % 100_000));
            d.place.address = Some(format!("{} Example Street, Leeds", i % 300));
            d.notes = Some("Regular, prefers texts, paid in advance".into());
            d
        })
        .collect()
}

fn bookings(
    fresh: &mut dyn FnMut(&str) -> std::path::PathBuf,
    config: &BenchConfig,
) -> Result<Vec<Figure>> {
    let n = config.bookings;
    let drafts = booking_drafts(n);
    let vault = measure(
        "bookings_insert_list",
        format!("insert {n} bookings in one transaction and list them back, through the vault"),
        config.runs,
        1,
        || {
            let path = fresh("bookings");
            let session = Vault::create(&path, "bench", &options(MIN_KDF_ITERATIONS))?;
            Ok((session, drafts.clone()))
        },
        |(session, drafts)| {
            session.bookings().add_many(drafts, now())?;
            let listed = session.bookings().list(TimeRange::default())?.items.len();
            check(listed == n, "listed bookings")
        },
    )?;
    let plain = measure(
        "bookings_insert_list_plain_sqlite",
        format!("the same {n} bookings in plain SQLite, one column per field (baseline)"),
        config.runs,
        1,
        || plain_bookings_db(&fresh("plain")),
        |conn| {
            let listed = plain_insert_and_list(&conn, &drafts)?;
            check(listed == n, "listed plain bookings")
        },
    )?;
    Ok(vec![vault, plain])
}

fn check(ok: bool, what: &str) -> Result<()> {
    if ok {
        Ok(())
    } else {
        // Records the vault should hold but did not return: as damage, never a figure.
        Err(Error::Decode(format!("bench: unexpected count of {what}")))
    }
}

/// The plain-SQLite baseline's database: one column per booking field, the vault's pragmas.
/// Shared with the criterion bench (`benches/vault.rs`) so both compare with the same thing.
pub fn plain_bookings_db(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path)?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA secure_delete = ON; PRAGMA temp_store = MEMORY;
         CREATE TABLE bookings (id BLOB PRIMARY KEY, label TEXT, phone TEXT, starts_at INTEGER,
           ends_at INTEGER, kind TEXT, address TEXT, notes TEXT, status TEXT,
           created_at INTEGER, updated_at INTEGER);",
    )?;
    Ok(conn)
}

/// What an unencrypted app with random UUID keys would do, in the vault's transaction shape:
/// insert `drafts`, then list every row back; returns the number listed.
pub fn plain_insert_and_list(conn: &Connection, drafts: &[BookingDraft]) -> Result<usize> {
    let rng = SystemRandom::new();
    let tx = conn.unchecked_transaction()?;
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO bookings (id, label, phone, starts_at, ends_at, kind, address, notes,
             status, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?;
        for d in drafts {
            let id: [u8; 16] = ring::rand::generate(&rng)
                .map_err(|_| Error::Random)?
                .expose();
            insert.execute(params![
                &id[..],
                d.client.label,
                d.client.phone,
                d.starts_at.timestamp(),
                d.ends_at.map(|t| t.timestamp()),
                "outcall",
                d.place.address,
                d.notes,
                "planned",
                d.starts_at.timestamp(),
                d.starts_at.timestamp(),
            ])?;
        }
    }
    tx.commit()?;
    let mut stmt = conn.prepare(
        "SELECT id, label, phone, starts_at, ends_at, kind, address, notes, status
         FROM bookings ORDER BY starts_at DESC",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, Vec<u8>>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, Option<i64>>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, Option<String>>(6)?,
            r.get::<_, Option<String>>(7)?,
            r.get::<_, String>(8)?,
        ))
    })?;
    let mut n = 0;
    for row in rows {
        row?;
        n += 1;
    }
    Ok(n)
}

fn publisher(session: &crate::vault::Session, name: &str) -> Result<PublisherKey> {
    let (pkcs8, public) = generate_publisher_key(&SystemRandom::new())?;
    session.feeds().trust(name, public, now())?;
    PublisherKey::from_pkcs8(&pkcs8)
}

/// Lookups this many times per run, cycling through the chosen identifiers.
const LOOKUPS: usize = 200;

fn screening(path: &Path, config: &BenchConfig) -> Result<Vec<Figure>> {
    let session = Vault::create(path, "bench", &options(MIN_KDF_ITERATIONS))?;
    let key = publisher(&session, "Bench project")?;
    let mut rng = SplitMix(7);
    let mut alert_phones = Vec::with_capacity(config.alerts);
    let mut content = String::with_capacity(config.alerts * 280);
    content.push_str("{\"format\":1,\"region\":\"GB\"}\n");
    for i in 0..config.alerts {
        let phone = rng.mobile();
        let mut ids = format!(r#"{{"kind":"phone","value":"{phone}"}}"#);
        if i % 3 == 0 {
            ids.push_str(&format!(r#",{{"kind":"plate","value":"{}"}}"#, rng.plate()));
        }
        content.push_str(&format!(
            r#"{{"id":"N-{i}","issued":"2026-02-01T20:00:00Z","identifiers":[{ids}],"area":{{"lat":53.8,"lon":-1.55,"radius_m":5000}},"category":"violence","description":"Became aggressive when asked for payment up front; left in a dark hatchback."}}"#
        ));
        content.push('\n');
        alert_phones.push(phone);
    }
    let bundle = sign_bundle(
        &key,
        &BundleDraft {
            kind: BundleKind::Alerts,
            version: 1,
            issued_at: now(),
            expires_at: now() + chrono::Duration::days(30),
            content: content.as_bytes(),
        },
    )?;
    drop(content);
    let sc = session.screening(Region::GB);
    let import = measure(
        "alerts_import",
        format!(
            "verify, parse, seal and index a signed bundle of {} alerts (once)",
            config.alerts
        ),
        1,
        1,
        || Ok(()),
        |()| sc.import_alerts(&bundle[..], now()).map(drop),
    )?;
    let mut note_phones = Vec::with_capacity(config.notes);
    let mut drafts = Vec::with_capacity(config.notes);
    for i in 0..config.notes {
        let phone = rng.mobile();
        let mut ids = vec![detect(&phone, Region::GB)?];
        if i % 5 == 0 {
            ids.push(detect(&format!("client{i}@example.com"), Region::GB)?);
        }
        if i % 4 == 0 {
            ids.push(detect(&rng.plate(), Region::GB)?);
        }
        note_phones.push(phone);
        let mut d = NoteDraft::new("Regular, Thursdays", Risk::Caution, ids);
        d.text = "Polite, pays on time, prefers incalls.".into();
        drafts.push(d);
    }
    sc.add_notes(drafts, now())?;
    let pick = |phones: &[String], seed: u64| -> Vec<String> {
        if phones.is_empty() {
            return Vec::new();
        }
        let mut r = SplitMix(seed);
        (0..64)
            .map(|_| phones[r.below(phones.len())].clone())
            .collect()
    };
    // Mobile numbers of the same shape that nothing holds.
    let held: std::collections::HashSet<&String> =
        alert_phones.iter().chain(&note_phones).collect();
    let mut r = SplitMix(17);
    let misses: Vec<String> = std::iter::repeat_with(|| r.mobile())
        .filter(|p| !held.contains(p))
        .take(64)
        .collect();
    let mut figures = vec![import];
    for (name, what, queries, must_match) in [
        (
            "screen_exact_alert_hit",
            "exact screening of a number an alert holds",
            pick(&alert_phones, 11),
            true,
        ),
        (
            "screen_exact_note_hit",
            "exact screening of a number a note holds",
            pick(&note_phones, 13),
            true,
        ),
        (
            "screen_exact_no_match",
            "exact screening of a number nothing holds",
            misses,
            false,
        ),
    ] {
        if queries.is_empty() {
            continue;
        }
        figures.push(measure(
            name,
            format!("{what} ({} notes, {} alerts)", config.notes, config.alerts),
            config.runs,
            LOOKUPS,
            || Ok(()),
            |()| {
                for q in queries.iter().cycle().take(LOOKUPS) {
                    let found = !sc.screen_exact(q, now())?.matches.is_empty();
                    check(found == must_match, "screening matches")?;
                }
                Ok(())
            },
        )?);
    }
    Ok(figures)
}

/// Everyday hours as NHS extracts write them; `None` for services without any.
const HOURS: [Option<&str>; 8] = [
    Some("Mo-Fr 09:00-17:30; Sa 09:00-13:00"),
    Some("Mo-Fr 08:30-18:30"),
    Some("Mo-Su 08:00-22:00"),
    Some("24/7"),
    Some("Mo-Th 09:00-17:00; Fr 09:00-16:30; PH off"),
    Some("Tu,Th 18:00-20:00; Sa 10:00-12:00"),
    Some("Mo-Sa 09:00-18:00; Su 10:00-16:00"),
    None,
];

/// `n` services clustered around 400 towns in Great Britain, so that density varies as
/// it does in a real directory.
fn services(n: usize, rng: &mut SplitMix, towns: &[(f64, f64)]) -> Vec<Service> {
    (0..n)
        .map(|i| {
            let (lat, lon) = towns[rng.below(towns.len())];
            let category = Category::ALL[rng.below(Category::ALL.len())];
            let mut s = Service::new(
                &format!("bench:{i}"),
                &format!("Service {i}"),
                &[category],
                lat + rng.range(-0.05, 0.05),
                lon + rng.range(-0.08, 0.08),
            );
            s.opening_hours = HOURS[rng.below(HOURS.len())].map(str::to_owned);
            s.postcode = Some(format!("LS{} {}AB", i % 30, i % 10));
            s.address = Some(format!("{} High Street", i % 200));
            s
        })
        .collect()
}

fn directory(path: &Path, config: &BenchConfig) -> Result<Vec<Figure>> {
    let session = Vault::create(path, "bench", &options(MIN_KDF_ITERATIONS))?;
    let key = publisher(&session, "Bench directory")?;
    let mut rng = SplitMix(13);
    let towns: Vec<(f64, f64)> = (0..400)
        .map(|_| (rng.range(50.5, 55.5), rng.range(-4.5, 1.5)))
        .collect();
    let n = config.services;
    let content = DirectoryContent::new("Europe/London", services(n, &mut rng, &towns));
    let bundle =
        build_directory_bundle(&key, &content, 1, now(), now() + chrono::Duration::days(30))?;
    drop(content);
    session.directory().accept_bundle(&bundle[..], now())?;
    drop(bundle);
    let directory = session.directory();
    let load = measure(
        "directory_load",
        format!("open the sealed chunks of {n} services and build the index"),
        config.runs,
        1,
        || Ok(()),
        |()| {
            let loaded = directory.load()?;
            check(loaded.index.len() == n, "loaded services")
        },
    )?;
    let loaded = directory.load()?;
    let points: Vec<(f64, f64)> = (0..256)
        .map(|_| {
            let (lat, lon) = towns[rng.below(towns.len())];
            (lat + rng.range(-0.02, 0.02), lon + rng.range(-0.03, 0.03))
        })
        .collect();
    let mut figures = vec![load];
    for (name, filter, what) in [
        ("nearest", OpenFilter::Any, "nearest 10 within 10 km"),
        (
            "nearest_open_now",
            OpenFilter::OpenOnly,
            "nearest 10 within 10 km open on Sunday 11:00",
        ),
    ] {
        figures.push(measure(
            name,
            format!("{what}, {n} services, {} query points", points.len()),
            config.runs,
            points.len(),
            || Ok(()),
            |()| {
                for &(lat, lon) in &points {
                    let query =
                        NearbyQuery::new(lat, lon, 10_000.0, 10, sunday_morning()).open(filter);
                    std::hint::black_box(loaded.index.nearby(&query)?.len());
                }
                Ok(())
            },
        )?);
    }
    Ok(figures)
}

/// Every figure's name, in the report's order.
pub const FIGURES: [&str; 10] = [
    "unlock",
    "bookings_insert_list",
    "bookings_insert_list_plain_sqlite",
    "alerts_import",
    "screen_exact_alert_hit",
    "screen_exact_note_hit",
    "screen_exact_no_match",
    "directory_load",
    "nearest",
    "nearest_open_now",
];

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny run: every figure is there, positive, and the counts it checks hold.
    #[test]
    fn every_figure_is_measured() {
        let dir = tempfile::tempdir().unwrap();
        let config = BenchConfig {
            kdf_iterations: MIN_KDF_ITERATIONS,
            unlock_runs: 1,
            bookings: 50,
            notes: 20,
            alerts: 60,
            services: 300,
            runs: 1,
        };
        let mut heard = Vec::new();
        let report = run(dir.path(), &config, &mut |s| heard.push(s.to_owned())).unwrap();
        assert_eq!(heard, ["unlock", "bookings", "screening", "directory"]);
        let names: Vec<_> = report.figures.iter().map(|f| f.name).collect();
        assert_eq!(names, FIGURES);
        for f in &report.figures {
            assert!(f.median_us > 0.0 && f.min_us <= f.median_us, "{f:?}");
        }
        // Nothing is left behind in the caller's directory.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
