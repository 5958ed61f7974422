//! The two base64 forms age uses, as strict engines of the `base64` crate.
//!
//! age accepts exactly one encoding of each value: standard alphabet, no whitespace, and
//! the unused low bits of the last character must be zero. A lenient decoder would let two
//! different headers carry the same stanza, which breaks the header MAC's meaning, so both
//! engines reject every non-canonical form.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;

/// The header's form (stanza arguments, bodies and the MAC): no `=` padding at all.
const UNPADDED: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(false),
);

/// The ASCII armor's form: PEM, so padded, and (as age's `StdEncoding.Strict()`) only the
/// canonical padding and zero trailing bits.
const PADDED: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_encode_padding(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical)
        .with_decode_allow_trailing_bits(false),
);

/// True for the characters a base64 body line may contain.
pub(crate) fn is_alphabet(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'+' || c == b'/'
}

pub(crate) fn encode(data: &[u8]) -> String {
    UNPADDED.encode(data)
}

/// Decodes canonical unpadded base64; `None` for anything else.
pub(crate) fn decode(text: &[u8]) -> Option<Vec<u8>> {
    UNPADDED.decode(text).ok()
}

/// Decodes canonical padded base64 (the armor's lines); `None` for anything else.
pub(crate) fn decode_padded(text: &[u8]) -> Option<Vec<u8>> {
    PADDED.decode(text).ok()
}

/// Encodes with padding, as `age -a` writes armor lines (the tests build armor with it).
#[cfg(test)]
pub(crate) fn encode_padded(data: &[u8]) -> String {
    PADDED.encode(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_length() {
        let data: Vec<u8> = (0..=255u8).collect();
        for len in 0..70 {
            let enc = encode(&data[..len]);
            assert!(!enc.contains('='));
            assert_eq!(decode(enc.as_bytes()).as_deref(), Some(&data[..len]));
            let padded = encode_padded(&data[..len]);
            assert_eq!(padded.len() % 4, 0);
            assert_eq!(
                decode_padded(padded.as_bytes()).as_deref(),
                Some(&data[..len])
            );
        }
    }

    #[test]
    fn matches_rfc4648_without_padding() {
        assert_eq!(encode(b"f"), "Zg");
        assert_eq!(encode(b"fo"), "Zm8");
        assert_eq!(encode(b"foo"), "Zm9v");
        assert_eq!(encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(encode(&[0xfb, 0xff]), "+/8");
    }

    #[test]
    fn padded_decoding_is_strict() {
        assert_eq!(decode_padded(b"Zg==").as_deref(), Some(&b"f"[..]));
        assert_eq!(decode_padded(b"Zm8=").as_deref(), Some(&b"fo"[..]));
        assert_eq!(decode_padded(b"Zm9v").as_deref(), Some(&b"foo"[..]));
        assert_eq!(decode_padded(b""), Some(Vec::new()));
        assert_eq!(decode_padded(b"Zg"), None, "missing padding");
        assert_eq!(decode_padded(b"Zg="), None, "short padding");
        assert_eq!(decode_padded(b"Zh=="), None, "non-zero trailing bits");
        assert_eq!(decode_padded(b"Zm9="), None, "non-zero trailing bits");
        assert_eq!(decode_padded(b"Z==="), None, "too much padding");
        assert_eq!(decode_padded(b"Zg=a"), None, "padding in the middle");
        assert_eq!(decode_padded(b"Zg==Zg=="), None, "padding before the end");
        assert_eq!(decode_padded(b"Zm9v\n"), None, "line end");
        assert_eq!(decode_padded(b"Zm-_"), None, "url-safe alphabet");
    }

    #[test]
    fn rejects_non_canonical_forms() {
        assert_eq!(decode(b"Zg=="), None, "padding");
        assert_eq!(decode(b"Zm8="), None, "padding");
        assert_eq!(decode(b"Zh"), None, "non-zero trailing bits");
        assert_eq!(decode(b"Zm9"), None, "non-zero trailing bits");
        assert_eq!(decode(b"Z"), None, "impossible length");
        assert_eq!(decode(b"Zm 9"), None, "whitespace");
        assert_eq!(decode(b"Zm9v\r"), None, "carriage return");
        assert_eq!(decode(b"Zm-_"), None, "url-safe alphabet");
    }

    #[test]
    fn the_body_alphabet_is_exactly_the_standard_one() {
        let standard: Vec<u8> = (0..=255u8).filter(|&c| is_alphabet(c)).collect();
        assert_eq!(
            standard,
            b"+/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
        );
    }
}
