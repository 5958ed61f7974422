//! Bech32 (BIP 173 checksum, not Bech32m) as age uses it for keys: `age1...` recipients and
//! `AGE-SECRET-KEY-1...` identities. Unlike BIP 173 there is no 90-character limit.

const CHARSET: &[u8; 32] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const GENERATORS: [u32; 5] = [
    0x3b6a_57b2,
    0x2650_8e6d,
    0x1ea1_19fa,
    0x3d42_33dd,
    0x2a14_62b3,
];

fn polymod(values: impl Iterator<Item = u8>) -> u32 {
    let mut chk: u32 = 1;
    for v in values {
        let top = chk >> 25;
        chk = ((chk & 0x01ff_ffff) << 5) ^ u32::from(v);
        for (i, g) in GENERATORS.iter().enumerate() {
            if (top >> i) & 1 == 1 {
                chk ^= g;
            }
        }
    }
    chk
}

fn hrp_expand(hrp: &[u8]) -> impl Iterator<Item = u8> + '_ {
    hrp.iter()
        .map(|c| c >> 5)
        .chain(std::iter::once(0))
        .chain(hrp.iter().map(|c| c & 31))
}

/// Regroups bits; `pad` adds zero bits at the end (encoding), otherwise leftover bits must
/// be fewer than `from` and zero (strict decoding).
fn convert_bits(data: &[u8], from: u32, to: u32, pad: bool) -> Option<Vec<u8>> {
    let mut acc: u32 = 0;
    let mut bits: u32 = 0;
    let max = (1u32 << to) - 1;
    let mut out = Vec::with_capacity(data.len() * from as usize / to as usize + 1);
    for &v in data {
        if u32::from(v) >> from != 0 {
            return None;
        }
        acc = (acc << from) | u32::from(v);
        bits += from;
        while bits >= to {
            bits -= to;
            out.push(((acc >> bits) & max) as u8);
        }
    }
    if pad {
        if bits > 0 {
            out.push(((acc << (to - bits)) & max) as u8);
        }
    } else if bits >= from || (acc << (to - bits)) & max != 0 {
        return None;
    }
    Some(out)
}

/// Encodes `data` under the lowercase human-readable part `hrp`.
pub(crate) fn encode(hrp: &str, data: &[u8]) -> String {
    let hrp = hrp.to_ascii_lowercase();
    let values = convert_bits(data, 8, 5, true).unwrap_or_default();
    let chk = polymod(
        hrp_expand(hrp.as_bytes())
            .chain(values.iter().copied())
            .chain([0u8; 6]),
    ) ^ 1;
    let mut out = hrp;
    out.push('1');
    for v in &values {
        out.push(char::from(CHARSET[*v as usize]));
    }
    for i in 0..6 {
        out.push(char::from(CHARSET[((chk >> (5 * (5 - i))) & 31) as usize]));
    }
    out
}

/// Decodes a Bech32 string; returns the lowercase human-readable part and the data.
/// Mixed case, a bad checksum or a bad character is `None`.
pub(crate) fn decode(s: &str) -> Option<(String, Vec<u8>)> {
    let has_lower = s.bytes().any(|c| c.is_ascii_lowercase());
    let has_upper = s.bytes().any(|c| c.is_ascii_uppercase());
    if has_lower && has_upper {
        return None;
    }
    let s = s.to_ascii_lowercase();
    let sep = s.rfind('1')?;
    let (hrp, rest) = (&s[..sep], &s.as_bytes()[sep + 1..]);
    if hrp.is_empty() || rest.len() < 6 || !hrp.bytes().all(|c| (33..=126).contains(&c)) {
        return None;
    }
    let values: Vec<u8> = rest
        .iter()
        .map(|c| CHARSET.iter().position(|x| x == c).map(|p| p as u8))
        .collect::<Option<_>>()?;
    if polymod(hrp_expand(hrp.as_bytes()).chain(values.iter().copied())) != 1 {
        return None;
    }
    let data = convert_bits(&values[..values.len() - 6], 5, 8, false)?;
    Some((hrp.to_owned(), data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bip173_valid_strings_decode() {
        for s in [
            "A12UEL5L",
            "a12uel5l",
            "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
            "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
        ] {
            assert!(decode(s).is_some(), "{s}");
        }
    }

    #[test]
    fn rejects_mixed_case_and_bad_checksum() {
        assert!(decode("A12uEL5L").is_none());
        assert!(decode("a12uel5m").is_none());
        assert!(decode("1qzzfhee").is_none(), "empty hrp");
    }

    #[test]
    fn round_trips_32_bytes() {
        let data: Vec<u8> = (100..132).collect();
        let s = encode("age", &data);
        assert!(s.starts_with("age1"));
        assert_eq!(decode(&s), Some(("age".to_owned(), data)));
    }
}
