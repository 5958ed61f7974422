//! The C2SP CCTV age test vectors (`shared/testvectors/age-cctv`), every one either run
//! with its exact expected outcome or skipped for a reason listed below.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use std::path::PathBuf;

use ring::digest::{digest, SHA256};
use vigil_age::{AgeError, AgeReader, ArmorMode, Identity, ReadOptions, X25519Identity};

/// Post-quantum hybrid (ML-KEM-768 + X25519) identities are not implemented.
const SKIP_HYBRID: &[&str] = &[
    "armor_hybrid",
    "hybrid",
    "hybrid_and_x25519",
    "hybrid_bad_tag",
    "hybrid_currupted_enc_mlkem",
    "hybrid_currupted_enc_x25519",
    "hybrid_extra_argument",
    "hybrid_grease",
    "hybrid_identity",
    "hybrid_long_file_key",
    "hybrid_long_share",
    "hybrid_low_order",
    "hybrid_multiple_recipients",
    "hybrid_no_match",
    "hybrid_not_canonical_body",
    "hybrid_not_canonical_enc",
    "hybrid_short_share",
    "hybrid_uppercase",
    "hybrid_x25519_arg",
];

fn vector_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/testvectors/age-cctv")
}

struct Vector {
    fields: BTreeMap<String, Vec<String>>,
    body: Vec<u8>,
}

impl Vector {
    fn parse(name: &str, raw: &[u8]) -> Vector {
        let split = raw
            .windows(2)
            .position(|w| w == b"\n\n")
            .unwrap_or_else(|| panic!("{name}: no blank line after the vector header"));
        let head = std::str::from_utf8(&raw[..split])
            .unwrap_or_else(|_| panic!("{name}: header not UTF-8"));
        let mut fields: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for line in head.lines() {
            let (k, v) = line
                .split_once(": ")
                .unwrap_or_else(|| panic!("{name}: bad line {line:?}"));
            fields.entry(k.to_owned()).or_default().push(v.to_owned());
        }
        let mut body = raw[split + 2..].to_vec();
        if fields.get("compressed").is_some_and(|c| c[0] == "zlib") {
            body = miniz_oxide::inflate::decompress_to_vec_zlib(&body)
                .unwrap_or_else(|e| panic!("{name}: zlib: {e:?}"));
        }
        Vector { fields, body }
    }

    fn one(&self, key: &str) -> Option<&str> {
        self.fields.get(key).map(|v| v[0].as_str())
    }
}

/// The outcome classes of the CCTV format.
fn class(e: &AgeError) -> &'static str {
    match e {
        AgeError::UnsupportedVersion
        | AgeError::MalformedHeader(_)
        | AgeError::WorkFactorTooHigh { .. } => "header failure",
        AgeError::WrongPassphrase
        | AgeError::NoMatchingIdentity
        | AgeError::UnsupportedRecipient(_) => "no match",
        AgeError::HeaderMac => "HMAC failure",
        AgeError::TamperedChunk { .. }
        | AgeError::Truncated
        | AgeError::TrailingData
        | AgeError::MalformedPayload(_) => "payload failure",
        AgeError::Armor(_) => "armor failure",
        other => panic!("unexpected error kind {other:?}"),
    }
}

/// Decrypts, collecting every byte released before success or failure. Armored vectors
/// are read as armored (as the vectors' `armored` field says), others with detection.
fn run(v: &Vector) -> (Vec<u8>, Option<AgeError>) {
    let armor = if v.one("armored") == Some("yes") {
        ArmorMode::Required
    } else {
        ArmorMode::Detect
    };
    run_with(v, armor)
}

fn run_with(v: &Vector, armor: ArmorMode) -> (Vec<u8>, Option<AgeError>) {
    let mut identities = Vec::new();
    for p in v.fields.get("passphrase").into_iter().flatten() {
        identities.push(Identity::passphrase(p));
    }
    for i in v.fields.get("identity").into_iter().flatten() {
        identities.push(Identity::X25519(
            i.parse::<X25519Identity>().expect("identity parses"),
        ));
    }
    let options = ReadOptions {
        armor,
        ..ReadOptions::default()
    };
    let mut reader = match AgeReader::with_options(Cursor::new(&v.body), &identities, &options) {
        Ok(r) => r,
        Err(e) => return (Vec::new(), Some(e)),
    };
    let mut released = Vec::new();
    // Small, odd-sized reads exercise chunk boundaries inside the reader.
    let mut buf = [0u8; 7919];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => return (released, None),
            Ok(n) => released.extend_from_slice(&buf[..n]),
            Err(e) => {
                let err = AgeError::from_io(e);
                // The failure is sticky: nothing more comes out afterwards.
                assert!(
                    reader.read(&mut buf).is_err(),
                    "read after failure must fail again"
                );
                return (released, Some(err));
            }
        }
    }
}

#[test]
fn cctv_age_vectors() {
    let mut names: Vec<String> = std::fs::read_dir(vector_dir())
        .expect("test vector directory exists")
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| n != "README.md" && n != "LICENSE")
        .collect();
    names.sort();
    assert!(
        names.len() > 100,
        "expected the full CCTV set, found {}",
        names.len()
    );
    for skipped in SKIP_HYBRID {
        assert!(
            names.iter().any(|n| n == skipped),
            "skip list names a missing vector {skipped}"
        );
    }

    let mut passed = 0;
    let mut failures = Vec::new();
    for name in &names {
        let raw = std::fs::read(vector_dir().join(name)).expect("read vector");
        let v = Vector::parse(name, &raw);
        let hybrid = v
            .fields
            .get("identity")
            .into_iter()
            .flatten()
            .any(|i| i.starts_with("AGE-SECRET-KEY-PQ-"));
        if SKIP_HYBRID.contains(&name.as_str()) {
            assert!(name.contains("hybrid"), "{name} is not a hybrid vector");
            continue;
        }
        assert!(
            !hybrid,
            "{name} needs hybrid keys but is not in the skip list"
        );

        let expect = v.one("expect").expect("expect field");
        let (released, err) = run(&v);
        let outcome = err.as_ref().map_or("success", class);
        let mut problems = Vec::new();
        if outcome != expect {
            problems.push(format!("expected {expect}, got {outcome} ({err:?})"));
        }
        if let Some(hash) = v.one("payload") {
            let got = hex::encode(digest(&SHA256, &released));
            if got != hash {
                problems.push(format!(
                    "released {} bytes hashing to {got}, expected {hash}",
                    released.len()
                ));
            }
        } else if !released.is_empty() {
            problems.push(format!(
                "released {} bytes where none are allowed",
                released.len()
            ));
        }
        if problems.is_empty() {
            passed += 1;
        } else {
            failures.push(format!("{name}: {}", problems.join("; ")));
        }
    }
    let skipped = SKIP_HYBRID.len();
    assert!(
        failures.is_empty(),
        "{} vectors failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(passed + skipped, names.len());
    eprintln!("CCTV age vectors: {passed} passed, {skipped} skipped (hybrid)");
}

/// Vectors whose outcome class differs when the reader detects armor itself instead of
/// being told: leading garbage hides the begin line, so the input is read as a (malformed)
/// binary file.
const DETECTION_DIFFERS: &[(&str, &str)] = &[("armor_garbage_leading", "header failure")];

#[test]
fn armor_detection_matches_the_declared_armor() {
    let mut checked = 0;
    for entry in std::fs::read_dir(vector_dir()).expect("vector dir") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        if name == "README.md" || name == "LICENSE" || SKIP_HYBRID.contains(&name.as_str()) {
            continue;
        }
        let v = Vector::parse(
            &name,
            &std::fs::read(vector_dir().join(&name)).expect("read"),
        );
        if v.one("armored") != Some("yes") {
            continue;
        }
        let declared = run_with(&v, ArmorMode::Required);
        let detected = run_with(&v, ArmorMode::Detect);
        let class_of = |r: &(Vec<u8>, Option<AgeError>)| r.1.as_ref().map_or("success", class);
        match DETECTION_DIFFERS.iter().find(|(n, _)| *n == name) {
            Some((_, expected)) => assert_eq!(class_of(&detected), *expected, "{name}"),
            None => {
                assert_eq!(class_of(&detected), class_of(&declared), "{name}");
                assert_eq!(detected.0, declared.0, "{name}: released bytes");
            }
        }
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} armored vectors");
}
