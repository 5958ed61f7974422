//! Replays the fuzzers' committed inputs on the stable toolchain: every finding kept under
//! `fuzz/regressions/<target>/` and the minimized seed corpus under `fuzz/corpus/<target>/`
//! run through the very checks the fuzz targets run (`fuzz/src/checks.rs`, included by
//! path), so a fixed crash, hang or broken property stays fixed. See docs/fuzzing.md.

#[path = "../../fuzz/src/checks.rs"]
mod checks;

use std::path::PathBuf;

fn replay(target: &str, check: fn(&[u8])) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let corpus = root.join("corpus").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .unwrap_or_else(|e| panic!("corpus of {target} missing ({e})"))
        .map(|e| e.unwrap().path())
        .collect();
    assert!(!files.is_empty(), "corpus of {target} is empty");
    if let Ok(dir) = std::fs::read_dir(root.join("regressions").join(target)) {
        files.extend(dir.map(|e| e.unwrap().path()));
    }
    files.sort();
    for file in files {
        let data = std::fs::read(&file).unwrap();
        let outcome = std::panic::catch_unwind(|| check(&data));
        assert!(outcome.is_ok(), "{target}: {} fails", file.display());
    }
}

#[test]
fn bundle_envelope() {
    replay("bundle_envelope", checks::bundle_envelope);
}

#[test]
fn bundle_content() {
    replay("bundle_content", checks::bundle_content);
}

#[test]
fn directory_content() {
    replay("directory_content", checks::directory_content);
}

#[test]
fn geojson() {
    replay("geojson", checks::geojson);
}

#[test]
fn plain_csv() {
    replay("plain_csv", checks::plain_csv);
}

#[test]
fn nhs_csv() {
    replay("nhs_csv", checks::nhs_csv);
}

#[test]
fn opening_hours() {
    replay("opening_hours", checks::opening_hours);
}

#[test]
fn age() {
    replay("age", checks::age);
}

#[test]
fn identifiers() {
    replay("identifiers", checks::identifiers);
}

/// Fuzzing finding (identifiers): a trunk `(0)` and more zeros after `+44` normalized to a
/// number that did not normalize to itself, so a note saved under it would not be found.
#[test]
fn phone_normalization_is_idempotent_after_a_trunk_zero() {
    use vigil_core::identifiers::{normalize_phone, Region};
    for raw in ["+44 (...0) 00 900103", "+44 (0) 00 900103"] {
        if let Ok(e164) = normalize_phone(raw, Region::GB) {
            assert_eq!(normalize_phone(&e164, Region::GB).unwrap(), e164, "{raw}");
        }
    }
    assert_eq!(
        normalize_phone("+44 (0) 7700 900123", Region::GB).unwrap(),
        "+447700900123"
    );
}

/// Fuzzing finding (opening_hours): an open rule with a comment printed without `open`,
/// and the printed text then parsed as unknown.
#[test]
fn open_rule_with_a_comment_prints_its_state() {
    for raw in ["\"J\u{390}\":", "Mo 10:00-12:00 open \"by appointment\""] {
        let oh: opening_hours::OpeningHours = raw.parse().unwrap();
        let printed = oh.to_string();
        let again: opening_hours::OpeningHours = printed.parse().unwrap();
        assert_eq!(again.to_string(), printed, "{raw}");
    }
}

/// Fuzzing finding (opening_hours, 10-minute run): a `/24:00` repetition was reported as
/// a parser implementation error (a debug assertion); it is a 24-hour period.
#[test]
fn a_repetition_of_24_hours_parses_and_prints_back() {
    let oh: opening_hours::OpeningHours = "Mo-Fr 09:00-1:00/24:00".parse().unwrap();
    let printed = oh.to_string();
    let again: opening_hours::OpeningHours = printed.parse().unwrap();
    assert_eq!(again.to_string(), printed);
    checks::opening_hours(b"Mo-Fr 09:00-1:00/24:00");
}

/// Fuzzing finding (opening_hours, 10-minute run): ` 8:00-48:00+` panicked when evaluated
/// ("overflow during TimeSpan resolution"); a span that cannot wrap now ends at 48:00.
#[test]
fn an_open_end_past_48_hours_is_evaluated_without_a_panic() {
    checks::opening_hours(b" 8:00-48:00+");
}

/// Fuzzing findings (identifiers, 10-minute runs): `mailto:tel:g+003A@B.co`,
/// `mailto:A:@B.o` normalized to e-mail addresses whose text then read as a phone number or
/// a handle. A colon in the name before `@` is refused now (it is only valid quoted).
#[test]
fn an_email_name_with_a_colon_is_refused() {
    use vigil_core::identifiers::{detect, Region};
    for raw in ["mailto:tel:g+003A@B.co", "mailto:A:@B.o", "tel:g+003a@b.co"] {
        assert!(detect(raw, Region::GB).is_err(), "{raw}");
    }
    checks::identifiers(b"mailto:A:@B.o");
    checks::identifiers(b"tel:@280.EE21");
}

/// Fuzzing finding (identifiers): a short foreign number typed with its `00` prefix was
/// detected as a phone number, but its E.164 form had under seven digits and was refused.
#[test]
fn detected_short_international_number_detects_again() {
    use vigil_core::identifiers::{detect, Region};
    let id = detect("0 0/491/921", Region::GB).unwrap();
    assert_eq!(detect(&id.normalized(), Region::GB).unwrap(), id);
}

/// Fuzzing finding (identifiers): `mAilto:` kept its scheme (matched case-sensitively),
/// lower-cased to `mailto:…`, which the next normalization stripped.
#[test]
fn mixed_case_mailto_scheme_is_dropped() {
    use vigil_core::identifiers::normalize_email;
    assert_eq!(normalize_email("mAilto:A@B.co").unwrap(), "a@b.co");
    assert_eq!(normalize_email("MAILTO:a@b.co").unwrap(), "a@b.co");
}

/// Fuzzing finding (identifiers): `ǰ` upper-cases to `J` and a combining caron, so the
/// plate it was in normalized to text that was then refused.
#[test]
fn plate_letter_that_uppercases_to_a_combining_mark_is_refused() {
    use vigil_core::identifiers::normalize_plate;
    assert!(normalize_plate("1115415\u{1f0}").is_err());
    assert_eq!(normalize_plate("ab12 cde").unwrap(), "AB12CDE");
}

/// Fuzzing finding (identifiers): `mailto:l:#4a@B.o` normalized to `l:#4a@b.o`, which
/// was then detected as a handle and refused. Since the 10-minute runs a colon in an
/// address's name is refused outright; a real handle is still a handle.
#[test]
fn email_with_a_colon_in_its_name_is_refused_not_read_as_a_handle() {
    use vigil_core::identifiers::{detect, Identifier, Region};
    assert!(detect("mailto:l:#4a@B.o", Region::GB).is_err());
    assert!(matches!(
        detect("instagram:@Some.One", Region::GB).unwrap(),
        Identifier::Handle { .. }
    ));
}

#[test]
fn watch_message() {
    replay("watch_message", checks::watch_message);
}
