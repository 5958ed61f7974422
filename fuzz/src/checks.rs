//! What each fuzz target checks, one function per target. Every function takes the raw
//! fuzzer input, must never panic on it, and panics (a finding) only when a property the
//! core promises does not hold.
//!
//! Shared with the stable test suite: `core/tests/fuzz_regressions.rs` includes this file
//! by path and replays `fuzz/regressions/<target>/*` and `fuzz/corpus/<target>/*` through
//! the same functions, so a fixed finding stays fixed without nightly.

use std::cell::RefCell;
use std::io::{Read, Write};

use chrono::{DateTime, Duration, TimeZone, Utc};
use vigil_age::{AgeReader, AgeWriter, ArmorMode, Identity, ReadOptions, Recipient};
use vigil_core::directory::hours::{HoursEvaluator, MAX_HOURS_LEN};
use vigil_core::directory::import::{
    import_csv, import_nhs_choices_bytes, import_osm_geojson, Import,
};
use vigil_core::directory::DirectoryContent;
use vigil_core::feeds::{
    sign_bundle, BundleDraft, BundleKind, FeedError, PublisherKey, UnverifiedBundle,
    DEFAULT_MAX_BUNDLE_BYTES,
};
use vigil_core::identifiers::{detect, normalize, IdentifierKind, Region};
use vigil_core::vault::{Session, Vault, VaultOptions, MIN_KDF_ITERATIONS};
use vigil_core::Error;

/// A fixed Ed25519 test key (PKCS#8 v2, seed = SHA-256 of a public phrase). Not secret:
/// it only exists so that committed seed bundles verify and the fuzzer gets past the
/// signature check.
pub const TEST_KEY_FILE: &str = "vigil-secret:3053020101300506032b6570042204200c5206acd012a65bd3518cab3e6e4959ce462ebf00f2e19e34ca595ca9462d85a123032100972eb92f8978b34f5115e924b7462a1b5e61a313703833ca4b64d3386a1a9eb0";

/// The X25519 identity of the C2SP age test vectors (public, from the test vectors).
pub const AGE_TEST_IDENTITY: &str =
    "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0";

/// Largest plaintext the age target reads; a 64 KiB chunk stream can claim any length.
const AGE_READ_CAP: u64 = 4 << 20;

pub fn test_key() -> PublisherKey {
    PublisherKey::from_key_file(TEST_KEY_FILE).expect("the fixed test key loads")
}

/// The fixed "now" of every target: evaluation must not depend on the wall clock.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
}

/// Envelope + verification. Property: a bundle that verifies is canonical — signing its
/// parsed fields again (Ed25519 is deterministic) gives back exactly the input bytes, so
/// nothing outside the signed fields was accepted.
pub fn bundle_envelope(data: &[u8]) {
    let Ok(unverified) = UnverifiedBundle::read(data, DEFAULT_MAX_BUNDLE_BYTES) else {
        return;
    };
    let key = test_key();
    let _ = unverified.key_id();
    if let Ok(bundle) = unverified.verify(&key.public_key()) {
        let again = sign_bundle(
            &key,
            &BundleDraft {
                kind: bundle.kind,
                version: bundle.version,
                issued_at: bundle.issued_at,
                expires_at: bundle.expires_at,
                content: bundle.content(),
            },
        )
        .expect("a verified bundle's fields can be signed again");
        assert!(again == data, "a verified bundle is not canonical");
    }
}

struct ContentState {
    _dir: tempfile::TempDir,
    session: Session,
    key: PublisherKey,
    version: u64,
}

thread_local! {
    /// One vault per process: creating it per input would fuzz the KDF, not the content.
    static CONTENT: RefCell<Option<ContentState>> = const { RefCell::new(None) };
}

fn content_state() -> ContentState {
    let dir = tempfile::tempdir().expect("temp dir");
    let session = Vault::create(
        dir.path().join("fuzz.db"),
        "fuzz passphrase",
        &VaultOptions {
            kdf_iterations: MIN_KDF_ITERATIONS,
            device_secret: None,
        },
    )
    .expect("vault");
    let key = test_key();
    session
        .feeds()
        .trust("Fuzz", key.public_key(), t0())
        .expect("trust");
    ContentState {
        _dir: dir,
        session,
        key,
        version: 0,
    }
}

/// What a directory or alert import can change, to compare before and after a refusal.
#[derive(Debug, PartialEq)]
struct Snapshot {
    versions: Vec<(String, u64)>,
    alerts: usize,
    services: usize,
}

fn snapshot(s: &Session) -> Snapshot {
    let mut versions: Vec<(String, u64)> = s
        .feeds()
        .status(t0())
        .expect("feed status")
        .into_iter()
        .map(|f| (f.kind.as_str().to_owned(), f.version))
        .collect();
    versions.sort();
    let loaded = s.directory().load().expect("directory loads");
    assert!(loaded.unreadable.is_empty() && loaded.incomplete.is_empty());
    Snapshot {
        versions,
        alerts: s.screening(Region::GB).alert_count().expect("alert count"),
        services: loaded.index.len(),
    }
}

/// Bundle content after verification (structure-aware: the target signs the fuzzed
/// content with the trusted test key, so every input reaches the content parser). The
/// first byte picks the kind (even: directory, odd: alerts). Property: the content is
/// imported whole or refused as malformed content with nothing changed — never
/// half-imported; an accepted bundle's version is recorded and its items are all there.
pub fn bundle_content(data: &[u8]) {
    let Some((&selector, content)) = data.split_first() else {
        return;
    };
    let kind = if selector % 2 == 0 {
        BundleKind::Directory
    } else {
        BundleKind::Alerts
    };
    CONTENT.with(|cell| {
        let mut cell = cell.borrow_mut();
        let state = cell.get_or_insert_with(content_state);
        state.version += 1;
        let Ok(bundle) = sign_bundle(
            &state.key,
            &BundleDraft {
                kind,
                version: state.version,
                issued_at: t0(),
                expires_at: t0() + Duration::days(30),
                content,
            },
        ) else {
            return;
        };
        let s = &state.session;
        let before = snapshot(s);
        let version_of = |snap: &Snapshot| {
            snap.versions
                .iter()
                .find(|(k, _)| k == kind.as_str())
                .map(|(_, v)| *v)
        };
        let outcome = match kind {
            BundleKind::Directory => s
                .directory()
                .accept_bundle(&bundle[..], t0())
                .map(|a| a.imported.services),
            BundleKind::Alerts => s
                .screening(Region::GB)
                .import_alerts(&bundle[..], t0())
                .map(|a| a.imported.imported),
        };
        let after = snapshot(s);
        match outcome {
            Ok(count) => {
                assert_eq!(version_of(&after), Some(state.version), "version recorded");
                match kind {
                    BundleKind::Directory => {
                        assert_eq!(after.services, count, "every service stored");
                        assert_eq!(after.alerts, before.alerts);
                    }
                    BundleKind::Alerts => {
                        assert_eq!(after.alerts, count, "every alert stored");
                        assert_eq!(after.services, before.services);
                    }
                }
            }
            Err(e) => {
                assert!(
                    matches!(e, Error::Feed(FeedError::MalformedContent(_))),
                    "refused with an error other than malformed content: {e:?}"
                );
                assert_eq!(before, after, "a refused bundle changed the vault");
            }
        }
    });
}

/// Directory content JSON on its own. Property: valid content survives
/// serialize → parse → serialize unchanged and still validates.
pub fn directory_content(data: &[u8]) {
    let Ok(content) = DirectoryContent::from_json(data) else {
        return;
    };
    if content.validate().is_err() {
        return;
    }
    let json = content.to_json().expect("valid content serializes");
    let again = DirectoryContent::from_json(&json).expect("own output parses");
    again.validate().expect("own output validates");
    let json2 = again.to_json().expect("serializes");
    assert!(
        json == json2,
        "directory content is not stable through JSON"
    );
}

/// What every importer promises of its result: each row accounted for exactly once, and
/// the services form content a bundle would accept (valid, unique ids).
fn check_import(import: &Import) {
    for f in &import.files {
        assert!(f.is_balanced(), "an import report does not balance");
    }
    DirectoryContent::new("Europe/London", import.services.clone())
        .validate()
        .expect("imported services form valid directory content");
}

/// OSM GeoJSON import.
pub fn geojson(data: &[u8]) {
    if let Ok(import) = import_osm_geojson("fuzz.geojson", data) {
        check_import(&import);
    }
}

/// Plain CSV import (any encoding, delimiter sniffed).
pub fn plain_csv(data: &[u8]) {
    if let Ok(import) = import_csv("fuzz.csv", data) {
        check_import(&import);
    }
}

const NHS_SAMPLE: [&[u8]; 5] = [
    include_bytes!("../../cli/data/nhs-sample/Clinics.csv"),
    include_bytes!("../../cli/data/nhs-sample/Hospital.csv"),
    include_bytes!("../../cli/data/nhs-sample/Pharmacy.csv"),
    include_bytes!("../../cli/data/nhs-sample/GPPractices.csv"),
    include_bytes!("../../cli/data/nhs-sample/PharmacyOpeningTimes.csv"),
];

/// The NHS `¬`-separated Windows-1252 dialect. The first byte picks which of the five
/// files the rest replaces; the other four are the committed sample.
pub fn nhs_csv(data: &[u8]) {
    let Some((&selector, file)) = data.split_first() else {
        return;
    };
    let mut files = NHS_SAMPLE;
    files[selector as usize % 5] = file;
    if let Ok(import) = import_nhs_choices_bytes(files, None) {
        check_import(&import);
    }
}

/// OSM `opening_hours` strings. Property: what parses prints back to text that parses to
/// the same text (display is a fixed point); evaluation at fixed times never panics.
pub fn opening_hours(data: &[u8]) {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    let eval = HoursEvaluator::new("Europe/London").expect("London");
    if let Some(parsed) = eval.parse(raw) {
        let _ = parsed.state_at(t0());
        let _ = parsed.status_at(t0());
        let _ = parsed.status_at(Utc.with_ymd_and_hms(2026, 12, 25, 23, 59, 0).unwrap());
    }
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > MAX_HOURS_LEN {
        return;
    }
    if let Ok(oh) = raw.parse::<opening_hours::OpeningHours>() {
        let printed = oh.to_string();
        let again = printed
            .parse::<opening_hours::OpeningHours>()
            .expect("printed opening hours parse again");
        assert_eq!(
            printed,
            again.to_string(),
            "opening hours display is unstable"
        );
    }
}

/// age files: header, stanzas, armor, bech32 keys, the STREAM payload, read with the test
/// vectors' X25519 identity and passphrase (work factor capped low, so scrypt stays cheap).
/// Property: whatever decrypts, encrypting it again and decrypting gives it back.
pub fn age(data: &[u8]) {
    let identities = [
        Identity::X25519(AGE_TEST_IDENTITY.parse().expect("test identity")),
        Identity::passphrase("password"),
    ];
    let options = ReadOptions {
        max_work_factor: 10,
        armor: ArmorMode::Detect,
    };
    let Ok(reader) = AgeReader::with_options(data, &identities, &options) else {
        return;
    };
    let mut plain = Vec::new();
    if reader.take(AGE_READ_CAP).read_to_end(&mut plain).is_err() {
        return;
    }
    let Identity::X25519(id) = &identities[0] else {
        unreachable!()
    };
    let mut w = AgeWriter::new(Vec::new(), &[Recipient::X25519(id.to_public())]).expect("writer");
    w.write_all(&plain).expect("write");
    let file = w.finish().expect("finish");
    let mut back = Vec::new();
    AgeReader::new(&file[..], &identities)
        .expect("own file opens")
        .read_to_end(&mut back)
        .expect("own file reads");
    assert!(back == plain, "age round trip changed the plaintext");
}

/// Identifier normalization (phone, e-mail, handle, plate, and detection). Property:
/// normalization is idempotent — the normalized text normalizes to itself.
pub fn identifiers(data: &[u8]) {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    for kind in [
        IdentifierKind::Phone,
        IdentifierKind::Email,
        IdentifierKind::Handle,
        IdentifierKind::Plate,
    ] {
        if let Ok(id) = normalize(kind, raw, Region::GB) {
            let again = normalize(kind, &id.normalized(), Region::GB)
                .expect("a normalized identifier normalizes again");
            assert_eq!(id, again, "normalization is not idempotent");
        }
    }
    if let Ok(id) = detect(raw, Region::GB) {
        let again = detect(&id.normalized(), Region::GB).expect("detected text detects again");
        assert_eq!(id, again, "detection is not idempotent");
    }
}

/// Two paired vaults (a worker's and a buddy's) for the `watch_message` target, made once
/// per process: the buddy's locked runner receives the fuzzed messages.
struct WatchPair {
    _dir: tempfile::TempDir,
    runner: vigil_core::checkin::BackgroundRunner,
    /// The worker's key id, then the buddy's: patched into wires so inputs reach the
    /// signature check.
    sender: [u8; 8],
    recipient: [u8; 8],
}

thread_local! {
    static WATCH_PAIR: RefCell<Option<WatchPair>> = const { RefCell::new(None) };
}

fn watch_pair() -> WatchPair {
    use vigil_core::app::VaultHome;
    use vigil_core::watch::PairingDraft;
    let dir = tempfile::tempdir().expect("temporary folder");
    let make = |name: &str, secret: &[u8]| {
        VaultHome::new(dir.path().join(name))
            .create("pass", Some(secret), MIN_KDF_ITERATIONS)
            .expect("vault")
    };
    let (w_secret, b_secret) = (
        b"fuzz-worker-device-secret-000000",
        b"fuzz-buddy-device-secret-0000000",
    );
    let worker = make("w.db", w_secret);
    let buddy = make("b.db", b_secret);
    let w_code = worker.pairings().unwrap().own_code("W").unwrap();
    let b_code = buddy.pairings().unwrap().own_code("B").unwrap();
    let sas = worker.pairings().unwrap().preview(&b_code).unwrap().sas;
    let draft = |code: String| PairingDraft {
        code,
        sas: sas.clone(),
        name: None,
        phone: None,
        buddy: None,
    };
    let on_b = buddy
        .pairings()
        .unwrap()
        .add(draft(w_code), "GB", t0())
        .unwrap();
    let on_w = worker
        .pairings()
        .unwrap()
        .add(draft(b_code), "GB", t0())
        .unwrap();
    let runner = VaultHome::new(dir.path().join("b.db"))
        .runner(b_secret)
        .unwrap();
    WatchPair {
        runner,
        sender: on_b.keys.key_id().0,
        recipient: on_w.keys.key_id().0,
        _dir: dir,
    }
}

/// Pairing codes and watch messages. The first byte picks what the rest is:
/// 0: a pairing code (property: what parses prints back to a code that parses the same);
/// 1: an inbound text; 2: wire bytes, sent as `VGL1:` + base64 with this pair's key ids and
/// the right length patched in (so inputs reach the signature check); 3: a decrypted
/// payload (property: decode → encode → decode is stable). For 1 and 2, property: a
/// refused message changes nothing the buddy's phone shows or schedules.
pub fn watch_message(data: &[u8]) {
    use base64::Engine as _;
    use vigil_core::app::Escalation;
    use vigil_core::watch::{message, PairingCode};
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let text = match mode % 4 {
        0 => {
            if let Ok(code) = PairingCode::parse(&String::from_utf8_lossy(rest)) {
                let again = PairingCode::parse(&code.to_text()).expect("a printed code parses");
                assert_eq!(again, code, "pairing code round trip changed it");
            }
            return;
        }
        3 => {
            message::fuzz_payload_round_trip(rest);
            return;
        }
        1 => String::from_utf8_lossy(rest).into_owned(),
        _ => WATCH_PAIR.with(|p| {
            let mut p = p.borrow_mut();
            let pair = p.get_or_insert_with(watch_pair);
            let mut wire = rest.to_vec();
            if wire.len() >= 19 {
                wire[0] = 1;
                let len = u16::try_from(wire.len()).unwrap_or(u16::MAX).to_be_bytes();
                wire[1..3].copy_from_slice(&len);
                wire[3..11].copy_from_slice(&pair.sender);
                wire[11..19].copy_from_slice(&pair.recipient);
            }
            format!(
                "{}{}",
                message::MESSAGE_PREFIX,
                base64::engine::general_purpose::STANDARD_NO_PAD.encode(wire)
            )
        }),
    };
    WATCH_PAIR.with(|p| {
        let mut p = p.borrow_mut();
        let pair = p.get_or_insert_with(watch_pair);
        let runner: &dyn Escalation = &pair.runner;
        let before = (
            format!("{:?}", runner.held_watches().unwrap()),
            runner.next_wakeup().unwrap(),
        );
        if runner.receive_watch_message(&text, t0()).is_err() {
            let after = (
                format!("{:?}", runner.held_watches().unwrap()),
                runner.next_wakeup().unwrap(),
            );
            assert_eq!(before, after, "a refused message changed the state");
        }
    });
}
