//! Strict, unpadded standard base64 (RFC 4648 §4 alphabet), as the age header uses it.
//!
//! age accepts exactly one encoding of each value: no `=` padding, no whitespace, and the
//! unused low bits of the last character must be zero. A lenient decoder would let two
//! different headers carry the same stanza, which breaks the header MAC's meaning, so this
//! one rejects every non-canonical form.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn value(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// True for the characters a base64 body line may contain.
pub(crate) fn is_alphabet(c: u8) -> bool {
    value(c).is_some()
}

pub(crate) fn encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            let idx = (n >> (18 - 6 * i)) & 0x3f;
            out.push(char::from(ALPHABET[idx as usize]));
        }
    }
    out
}

/// Decodes canonical unpadded base64; `None` for anything else.
pub(crate) fn decode(text: &[u8]) -> Option<Vec<u8>> {
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    for chunk in text.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= u32::from(value(c)?) << (18 - 6 * i);
        }
        let bytes = n.to_be_bytes();
        let produced = chunk.len() - 1;
        // Canonical: the bits below the last produced byte must be zero.
        let unused_mask = match produced {
            3 => 0,
            2 => 0xff,
            _ => 0xffff,
        };
        if n & unused_mask != 0 {
            return None;
        }
        out.extend_from_slice(&bytes[1..=produced]);
    }
    Some(out)
}

/// Decodes canonical padded base64 (the ASCII armor's form): length a multiple of 4, `=`
/// only as the last one or two characters, zero trailing bits.
pub(crate) fn decode_padded(text: &[u8]) -> Option<Vec<u8>> {
    if text.len() % 4 != 0 {
        return None;
    }
    let pad = text.iter().rev().take_while(|&&c| c == b'=').count();
    let unpadded = &text[..text.len() - pad];
    match (pad, unpadded.len() % 4) {
        (0, 0) | (1, 3) | (2, 2) => decode(unpadded),
        _ => None,
    }
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
        }
    }

    #[test]
    fn matches_rfc4648_without_padding() {
        assert_eq!(encode(b"f"), "Zg");
        assert_eq!(encode(b"fo"), "Zm8");
        assert_eq!(encode(b"foo"), "Zm9v");
        assert_eq!(encode(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn padded_decoding_is_strict() {
        assert_eq!(decode_padded(b"Zg==").as_deref(), Some(&b"f"[..]));
        assert_eq!(decode_padded(b"Zm8=").as_deref(), Some(&b"fo"[..]));
        assert_eq!(decode_padded(b"Zm9v").as_deref(), Some(&b"foo"[..]));
        assert_eq!(decode_padded(b""), Some(Vec::new()));
        assert_eq!(decode_padded(b"Zg"), None, "missing padding");
        assert_eq!(decode_padded(b"Zh=="), None, "non-zero trailing bits");
        assert_eq!(decode_padded(b"Z==="), None, "too much padding");
        assert_eq!(decode_padded(b"Zg=a"), None, "padding in the middle");
    }

    #[test]
    fn rejects_non_canonical_forms() {
        assert_eq!(decode(b"Zg=="), None, "padding");
        assert_eq!(decode(b"Zh"), None, "non-zero trailing bits");
        assert_eq!(decode(b"Zm9"), None, "non-zero trailing bits");
        assert_eq!(decode(b"Z"), None, "impossible length");
        assert_eq!(decode(b"Zm 9"), None, "whitespace");
        assert_eq!(decode(b"Zm-_"), None, "url-safe alphabet");
    }
}
