use chrono::{Duration, TimeZone, Utc};

use super::*;
use crate::vault::{Vault, VaultOptions, MIN_KDF_ITERATIONS};

fn t0() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
}

fn session() -> (tempfile::TempDir, Session) {
    let dir = tempfile::tempdir().unwrap();
    let s = Vault::create(
        dir.path().join("v.db"),
        "correct horse",
        &VaultOptions {
            kdf_iterations: MIN_KDF_ITERATIONS,
            device_secret: None,
        },
    )
    .unwrap();
    (dir, s)
}

fn gb() -> Region {
    Region::GB
}

fn phone(raw: &str) -> Identifier {
    normalize(IdentifierKind::Phone, raw, gb()).unwrap()
}

fn invalid_kind(r: Result<impl std::fmt::Debug>) -> IdentifierKind {
    match r {
        Err(Error::Screening(ScreeningError::InvalidIdentifier { kind, .. })) => kind,
        other => panic!("expected an invalid identifier, got {other:?}"),
    }
}

#[test]
fn uk_number_in_every_common_format_matches_the_same_note() {
    let (_d, s) = session();
    let sc = s.screening(gb());
    let note = sc
        .add_note(
            NoteDraft::new("Tuesday guy", Risk::Danger, vec![phone("07700 900123")]),
            t0(),
        )
        .unwrap();
    for raw in [
        "07700 900123",
        "07700900123",
        "+44 7700 900123",
        "+447700900123",
        "0044 7700 900123",
        "00447700900123",
        "(07700) 900-123",
        "07700-900-123",
        "07700.900.123",
        "447700900123",
        "+44 (0) 7700 900123",
        " +44 7700 900 123 ",
        "tel:+44-7700-900123",
    ] {
        let r = sc.screen(raw, t0()).unwrap();
        assert_eq!(
            r.input,
            ScreenedInput::Identifier(Identifier::Phone("+447700900123".into())),
            "{raw}"
        );
        assert_eq!(r.matches.len(), 1, "{raw}");
        assert_eq!(r.matches[0].strength, MatchStrength::Exact, "{raw}");
        assert!(
            matches!(&r.matches[0].source, MatchSource::Note(n) if n.id == note.id),
            "{raw}"
        );
        assert_eq!(r.overall, Risk::Danger, "{raw}");
    }
}

#[test]
fn international_numbers_match_across_formats() {
    let (_d, s) = session();
    let sc = s.screening(gb());
    let cases: &[(&str, &[&str])] = &[
        (
            "+1 202 555 0143",
            &["+1 (202) 555-0143", "001 202 555 0143", "+12025550143"],
        ),
        ("+33 1 42 68 53 00", &["0033 1 42 68 53 00", "+33142685300"]),
        ("+49 30 901820", &["0049 30 901820", "+49 (30) 901820"]),
        ("+61 2 9374 4000", &["0061 2 9374 4000"]),
        // Italy keeps the leading zero of the national number.
        ("+39 06 6988 1234", &["0039 06 6988 1234", "+390669881234"]),
    ];
    for (stored, forms) in cases {
        sc.add_note(
            NoteDraft::new("x", Risk::Caution, vec![phone(stored)]),
            t0(),
        )
        .unwrap();
        for raw in *forms {
            let r = sc.screen(raw, t0()).unwrap();
            let exact: Vec<_> = r.matches.iter().filter(|m| m.strength.is_exact()).collect();
            assert_eq!(exact.len(), 1, "{raw}");
            assert_eq!(exact[0].matched, phone(stored), "{raw}");
        }
    }
    assert_eq!(phone("+39 06 6988 1234").normalized(), "+390669881234");
    // A French worker types French national numbers.
    let fr: Region = "fr".parse().unwrap();
    assert_eq!(
        normalize(IdentifierKind::Phone, "01 42 68 53 00", fr).unwrap(),
        Identifier::Phone("+33142685300".into())
    );
    // ... and a UK mobile written nationally is not a French number.
    assert_eq!(
        invalid_kind(normalize_phone("07700 900123", fr)),
        IdentifierKind::Phone
    );
    assert_eq!(
        normalize_phone("+44 7700 900123", fr).unwrap(),
        "+447700900123"
    );
}

#[test]
fn malformed_identifiers_are_refused_naming_the_kind() {
    use IdentifierKind::*;
    for raw in [
        "",
        "12345",
        "abc",
        "0770090012345678901",
        "+999 1234567",
        "07700 9001",
        "call me",
    ] {
        assert_eq!(invalid_kind(normalize(Phone, raw, gb())), Phone, "{raw:?}");
    }
    for raw in [
        "",
        "no-at-sign",
        "a@b",
        "a b@c.com",
        "@example.com",
        "a@.com",
        "a@b..com",
    ] {
        assert_eq!(invalid_kind(normalize(Email, raw, gb())), Email, "{raw:?}");
    }
    for raw in [
        "@name",
        "instagram:",
        "instagram:@",
        ":name",
        "insta gram:x",
        "x:two words",
    ] {
        assert_eq!(
            invalid_kind(normalize(Handle, raw, gb())),
            Handle,
            "{raw:?}"
        );
    }
    for raw in ["", "A", "AB!12", "ABCDEFGHIJK", "AB_12"] {
        assert_eq!(invalid_kind(normalize(Plate, raw, gb())), Plate, "{raw:?}");
    }
    // detect names the kind it guessed; an unguessable input says so.
    assert_eq!(invalid_kind(detect("@bob", gb())), Handle);
    assert_eq!(invalid_kind(detect("bob@", gb())), Email);
    assert_eq!(
        invalid_kind(detect("07700 9001 23 45 67 89 1", gb())),
        Phone
    );
    assert!(matches!(
        detect("   ", gb()),
        Err(Error::Screening(ScreeningError::Unrecognized))
    ));
    // Messages never repeat the input.
    let e = normalize(Phone, "07700 9001", gb())
        .unwrap_err()
        .to_string();
    assert!(!e.contains("9001"), "{e}");
    assert!(e.contains("phone number"), "{e}");
    let (_d, s) = session();
    assert!(s.screening(gb()).screen("!!", t0()).is_err());
}

#[test]
fn emails_handles_and_plates_normalize() {
    assert_eq!(
        detect("  Client.Name@Example.COM ", gb()).unwrap(),
        Identifier::Email("client.name@example.com".into())
    );
    assert_eq!(
        detect("mailto:A@B.co", gb()).unwrap(),
        Identifier::Email("a@b.co".into())
    );
    let h = detect("Instagram:@Some_Name", gb()).unwrap();
    assert_eq!(h.normalized(), "instagram:some_name");
    assert_eq!(detect("ig:some_name", gb()).unwrap(), h);
    assert_eq!(detect("twitter:@Bob", gb()).unwrap().normalized(), "x:bob");
    assert_eq!(
        detect("ab12 cde", gb()).unwrap(),
        Identifier::Plate("AB12CDE".into())
    );
    assert_eq!(
        detect("AB-12-CDE", gb()).unwrap(),
        Identifier::Plate("AB12CDE".into())
    );
    // Serde form round-trips and re-normalizes.
    let json = serde_json::to_string(&h).unwrap();
    assert_eq!(json, r#"{"kind":"handle","value":"instagram:some_name"}"#);
    assert_eq!(serde_json::from_str::<Identifier>(&json).unwrap(), h);
    assert!(serde_json::from_str::<Identifier>(r#"{"kind":"phone","value":"nope"}"#).is_err());
}

#[test]
fn notes_are_sealed_and_indexed_without_plaintext() {
    let (d, s) = session();
    let sc = s.screening(gb());
    let email = detect("someone@example.com", gb()).unwrap();
    let n = sc
        .add_note(
            NoteDraft {
                identifiers: vec![phone("07700 900123"), email.clone(), phone("07700 900123")],
                label: "Marker-Label".into(),
                risk: Risk::Caution,
                text: "Marker-Text".into(),
            },
            t0(),
        )
        .unwrap();
    assert_eq!(n.details.identifiers.len(), 2, "duplicates are merged");
    let rows: i64 = s
        .conn()
        .query_row(
            "SELECT count(*) FROM screening_note_index WHERE note = ?1",
            [n.id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(rows, 3, "phone exact + phone tail + email");
    s.checkpoint().unwrap();
    let bytes = std::fs::read(d.path().join("v.db")).unwrap();
    for needle in [
        &b"Marker"[..],
        b"447700900123",
        b"900123",
        b"someone@example",
    ] {
        assert!(!bytes.windows(needle.len()).any(|w| w == needle));
    }
    // Validation.
    let none = NoteDraft::new("x", Risk::Safe, vec![]);
    assert!(matches!(
        sc.add_note(none, t0()),
        Err(Error::InvalidInput { .. })
    ));
    let unlabeled = NoteDraft::new(" ", Risk::Safe, vec![email]);
    assert!(matches!(
        sc.add_note(unlabeled, t0()),
        Err(Error::InvalidInput { .. })
    ));
}

#[test]
fn update_and_delete_keep_the_index_in_step() {
    let (_d, s) = session();
    let sc = s.screening(gb());
    let n = sc
        .add_note(
            NoteDraft::new("a", Risk::Caution, vec![phone("07700 900123")]),
            t0(),
        )
        .unwrap();
    let mut d = n.details.clone();
    d.identifiers = vec![phone("07700 900456")];
    d.risk = Risk::Blocked;
    let later = t0() + Duration::hours(1);
    let u = sc.update_note(&n.id, d, later).unwrap();
    assert_eq!((u.created_at, u.updated_at), (t0(), later));
    assert!(sc.screen("07700 900123", t0()).unwrap().matches.is_empty());
    assert_eq!(
        sc.screen("07700 900456", t0()).unwrap().overall,
        Risk::Blocked
    );
    sc.delete_note(&n.id).unwrap();
    assert!(sc.screen("07700 900456", t0()).unwrap().matches.is_empty());
    let left: i64 = s
        .conn()
        .query_row("SELECT count(*) FROM screening_note_index", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(left, 0);
    assert!(matches!(sc.delete_note(&n.id), Err(Error::NotFound(_))));
}

#[test]
fn partial_matches_on_last_digits_and_plate_parts() {
    let (_d, s) = session();
    let sc = s.screening(gb());
    let plate = detect("AB12 CDE", gb()).unwrap();
    sc.add_note(
        NoteDraft::new("car", Risk::Danger, vec![plate.clone()]),
        t0(),
    )
    .unwrap();
    sc.add_note(
        NoteDraft::new("phone", Risk::Danger, vec![phone("07700 900123")]),
        t0(),
    )
    .unwrap();
    sc.add_note(
        NoteDraft::new("nice", Risk::Safe, vec![phone("07911 900123")]),
        t0(),
    )
    .unwrap();

    // Only the last six digits.
    let r = sc.screen("900 123", t0()).unwrap();
    assert_eq!(r.input, ScreenedInput::PartialNumber("900123".into()));
    assert_eq!(r.matches.len(), 2);
    assert!(r
        .matches
        .iter()
        .all(|m| m.strength == MatchStrength::PhoneSuffix { digits: 6 }));
    assert_eq!(
        r.overall,
        Risk::Caution,
        "a partial match never says danger"
    );
    // A full number that differs early: exact for one, partial for the other.
    let r = sc.screen("07700 900123", t0()).unwrap();
    assert_eq!(r.matches[0].strength, MatchStrength::Exact);
    assert_eq!(
        r.matches[1].strength,
        MatchStrength::PhoneSuffix { digits: 6 }
    );
    assert_eq!(r.overall, Risk::Danger);
    // Fewer than six shared digits is no match.
    assert!(sc.screen("07700 800123", t0()).unwrap().matches.is_empty());
    assert!(
        sc.screen("00123", t0()).is_err() || sc.screen("00123", t0()).unwrap().matches.is_empty()
    );

    for fragment in ["B12", "ab12c", "12CDE", "AB12CDEX"] {
        let r = sc.screen(fragment, t0()).unwrap();
        assert_eq!(r.matches.len(), 1, "{fragment}");
        assert_eq!(
            r.matches[0].strength,
            MatchStrength::PlateFragment,
            "{fragment}"
        );
        assert_eq!(r.matches[0].matched, plate);
    }
    assert_eq!(
        sc.screen("AB12CDE", t0()).unwrap().matches[0].strength,
        MatchStrength::Exact
    );
    assert!(sc.screen("XY9", t0()).unwrap().matches.is_empty());
    assert!(sc.screen("AB1 XYZ", t0()).unwrap().matches.is_empty());
}

#[test]
fn colliding_blind_indexes_never_show_as_matches() {
    let (_d, s) = session();
    let sc = s.screening(gb());
    let drafts: Vec<_> = (0..300)
        .map(|i| NoteDraft::new("n", Risk::Danger, vec![phone(&format!("07700 9{i:05}"))]))
        .collect();
    sc.add_notes(drafts, t0()).unwrap();
    // Find absent numbers whose bucket is shared with stored ones (12 bits: ~7% of them).
    let mut tried_colliding = 0;
    for i in 0..2000 {
        let absent = format!("+447911{i:06}");
        let idx = s.blind_index(
            index::Owner::Note.domain(index::IndexKind::Phone),
            &absent,
            index::NOTE_BITS,
        );
        let in_bucket: i64 = s
            .conn()
            .query_row(
                "SELECT count(*) FROM screening_note_index WHERE kind = 1 AND idx = ?1",
                [idx],
                |r| r.get(0),
            )
            .unwrap();
        if in_bucket > 0 {
            tried_colliding += 1;
            let r = sc.screen(&absent, t0()).unwrap();
            assert!(r.matches.iter().all(|m| !m.strength.is_exact()), "{absent}");
        }
    }
    assert!(tried_colliding > 10, "{tried_colliding}");
}

#[test]
fn overall_risk_prefers_exact_evidence() {
    let (_d, s) = session();
    let sc = s.screening(gb());
    sc.add_note(
        NoteDraft::new("ok", Risk::Safe, vec![phone("07700 900123")]),
        t0(),
    )
    .unwrap();
    assert_eq!(sc.screen("07700900123", t0()).unwrap().overall, Risk::Safe);
    assert_eq!(
        sc.screen("07700900999", t0()).unwrap().overall,
        Risk::Unknown
    );
    // A different number sharing the tail and rated danger raises it to caution.
    sc.add_note(
        NoteDraft::new("bad", Risk::Danger, vec![phone("07911 900123")]),
        t0(),
    )
    .unwrap();
    assert_eq!(
        sc.screen("07700900123", t0()).unwrap().overall,
        Risk::Caution
    );
}

#[test]
fn call_labels_are_sorted_merged_and_numeric() {
    let (_d, s) = session();
    let sc = s.screening(gb());
    sc.add_note(
        NoteDraft::new(
            "Later",
            Risk::Caution,
            vec![phone("07911 123456"), detect("a@b.co", gb()).unwrap()],
        ),
        t0(),
    )
    .unwrap();
    sc.add_note(
        NoteDraft::new("First", Risk::Safe, vec![phone("+1 202 555 0143")]),
        t0(),
    )
    .unwrap();
    sc.add_note(
        NoteDraft::new("Worse", Risk::Blocked, vec![phone("07911123456")]),
        t0(),
    )
    .unwrap();
    let labels = sc.call_labels().unwrap();
    let numbers: Vec<i64> = labels.iter().map(|l| l.number).collect();
    assert_eq!(numbers, [12025550143, 447911123456]);
    assert_eq!(labels[1].risk, Risk::Blocked);
    assert_eq!(labels[1].label, "Worse");
    assert_eq!(labels[0].e164, "+12025550143");
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

        #[test]
        fn normalization_of_arbitrary_text(raw in ".{0,40}", digits in "[0-9 +()./-]{0,24}") {
            for input in [raw.as_str(), digits.as_str()] {
                let _ = detect(input, Region::GB);
                for kind in [IdentifierKind::Phone, IdentifierKind::Email, IdentifierKind::Handle, IdentifierKind::Plate] {
                    if let Ok(id) = normalize(kind, input, Region::GB) {
                        // Normalizing a normalized value changes nothing.
                        prop_assert_eq!(normalize(kind, &id.normalized(), Region::GB).ok(), Some(id));
                    }
                }
            }
        }
    }
}

/// `index_rows` keeps each (kind, blind index) once, in the order first seen, whether it
/// looks rows up in its list (a few) or in a set (past 32): the same rows as computing every
/// entry and dropping repeats.
#[test]
fn index_rows_are_distinct_in_first_seen_order() {
    let (_d, s) = session();
    let sc = s.screening(gb());
    for owner in [index::Owner::Note, index::Owner::Alert] {
        for n in [1usize, 3, 20, 60] {
            // Plates sharing most trigrams, a phone twice: many repeats.
            let mut ids: Vec<Identifier> = (0..n)
                .map(|i| Identifier::Plate(format!("AB{:02}CDE", i % 7)))
                .collect();
            ids.push(phone("07700 900123"));
            ids.push(phone("07700 900123"));
            let mut expected = Vec::new();
            for id in &ids {
                for (kind, value) in index::entries(id) {
                    let idx = s.blind_index(owner.domain(kind), &value, owner.bits());
                    if !expected.contains(&(kind, idx)) {
                        expected.push((kind, idx));
                    }
                }
            }
            assert_eq!(sc.index_rows(owner, &ids), expected, "{owner:?} {n}");
        }
    }
}
