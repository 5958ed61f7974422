//! The patched dependencies' data and regex features as the library ships them (issue 16,
//! docs/bindings.md "Size"). Run it on its own, `cargo test -p vigil-ffi --test
//! shipped_features`: with `--workspace`, vigil-core's dev-dependencies (proptest) switch
//! every regex Unicode table back on, and a pattern that needs a table the library lacks
//! would pass here and panic in the app. (That happened once: phonenumber's extension
//! pattern is case-insensitive and needs `unicode-case`.)

use vigil_core::app::passphrase_strength;
use vigil_core::identifiers::{normalize_phone, Region};

/// Every phone number goes through phonenumber's natural-format parser, whose extension
/// pattern (case-insensitive, `\p{Nd}`) is compiled on first use, and the metadata, whose
/// patterns are all checked when the (deflated) database is loaded.
#[test]
fn phone_numbers_parse_with_the_shipped_regex_features() {
    for (raw, e164) in [
        ("07700 900123", "+447700900123"),
        ("+44 7700 900123", "+447700900123"),
        ("(07700) 900-123", "+447700900123"),
        ("07700 900123 ext. 12", "+447700900123"),
        ("07700 900123 EXT 12", "+447700900123"),
        ("+1 415 555 2671", "+14155552671"),
    ] {
        assert_eq!(normalize_phone(raw, Region::GB).unwrap(), e164, "{raw}");
    }
}

/// zxcvbn's regexes (`\s` in its date matcher, back-references in fancy-regex) and its
/// deflated word lists.
#[test]
fn passphrases_are_estimated_with_the_shipped_regex_features() {
    assert!(!passphrase_strength("password1", &[]).acceptable);
    assert!(!passphrase_strength("1990-01-01", &[]).acceptable);
    assert!(!passphrase_strength("abcabcabcabc", &[]).acceptable);
    assert!(passphrase_strength("correct plinth wobble saucer 1977", &[]).acceptable);
}
