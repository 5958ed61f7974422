//! The data of the dependencies Vigil patches to make the phone library smaller (issue 16,
//! docs/bindings.md "Size"): the patches change how the data is stored, never what it says.

use chrono::{DateTime, LocalResult, Offset, TimeZone};
use chrono_tz::{OffsetName, Tz, TZ_VARIANTS};
use zxcvbn::matching::patterns::MatchPattern;

/// FNV-1a, fixed here so that the digest below means the same on every Rust version.
fn eat(h: &mut u64, bytes: &[u8]) {
    for b in bytes {
        *h ^= u64::from(*b);
        *h = h.wrapping_mul(0x0100_0000_01b3);
    }
}

fn eat_offset(h: &mut u64, o: &chrono_tz::TzOffset) {
    eat(h, &o.fix().local_minus_utc().to_le_bytes());
    eat(h, o.abbreviation().unwrap_or("-").as_bytes());
}

/// Every zone's name, and its offset and abbreviation at instants from 1900 to 2100 read
/// both as UTC and as local times (so the samples land in gaps and overlaps too).
fn time_zone_digest() -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for tz in TZ_VARIANTS {
        eat(&mut h, tz.name().as_bytes());
        assert_eq!(tz.name().parse::<Tz>(), Ok(tz));
        // 1900-01-01 to 2100-01-01, every 23 days, 1 hour and 1 second.
        let mut t: i64 = -2_208_988_800;
        while t < 4_102_444_800 {
            let utc = DateTime::from_timestamp(t, 0).unwrap().naive_utc();
            eat_offset(&mut h, &tz.offset_from_utc_datetime(&utc));
            match tz.offset_from_local_datetime(&utc) {
                LocalResult::Single(o) => {
                    eat(&mut h, b"1");
                    eat_offset(&mut h, &o);
                }
                LocalResult::Ambiguous(a, b) => {
                    eat(&mut h, b"2");
                    eat_offset(&mut h, &a);
                    eat_offset(&mut h, &b);
                }
                LocalResult::None => eat(&mut h, b"0"),
            }
            t += 23 * 86_400 + 3_601;
        }
    }
    h
}

/// The patched chrono-tz stores each zone's transitions compactly (patches/chrono-tz): every
/// zone answers exactly as chrono-tz 0.10.4 from crates.io did. The digest was computed with
/// the unpatched crate (0b480c514ad38cea; the same sampling every 7 days gave
/// 04fdec79c15992fa from both).
#[test]
fn every_time_zone_answers_as_the_unpatched_crate() {
    assert_eq!(TZ_VARIANTS.len(), 597);
    assert_eq!(format!("{:016x}", time_zone_digest()), "0b480c514ad38cea");
}

/// The patched zxcvbn ships its word lists deflated and inflates them on first use
/// (patches/zxcvbn): each list is there to its last word, at its rank.
#[test]
fn every_passphrase_word_list_is_whole() {
    for (word, list, rank) in [
        ("geekboy", "Passwords", 30_000),
        ("evaporator", "English", 30_000),
        ("angila", "FemaleNames", 3_710),
        ("alonso", "MaleNames", 983),
        ("bonnette", "Surnames", 10_000),
        ("abdomenizer", "UsTvAndFilm", 19_157),
    ] {
        let estimate = zxcvbn::zxcvbn(word, &[]);
        let found = estimate.sequence().iter().any(|m| {
            matches!(&m.pattern, MatchPattern::Dictionary(d)
                if format!("{:?}", d.dictionary_name) == list && d.rank == rank && m.token == word)
        });
        assert!(found, "{word}: {:?}", estimate.sequence());
    }
}
