//! Text plumbing for the directory: decoding legacy files and folding text for search.

/// Decodes Windows-1252 (the superset of ISO-8859-1 that the NHS extracts really use: their
/// apostrophes and dashes are 0x92 and 0x96), by the WHATWG table in `encoding_rs`. Every
/// byte maps to exactly one character (0x81, 0x8D, 0x8F, 0x90 and 0x9D, unassigned, to the
/// C1 control of the same value, as browsers do), so decoding never fails and ASCII
/// separators keep their meaning. A byte-order mark is not special here: the importers
/// only call this for files that are not valid UTF-8.
pub fn decode_windows_1252(bytes: &[u8]) -> String {
    let (text, _had_errors) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
    text.into_owned()
}

/// Folds text for case- and diacritic-insensitive substring search: lower case, Latin
/// diacritics removed (`é` → `e`, `ß` → `ss`), apostrophes dropped, other punctuation turned
/// into single spaces. The same fold is applied to names and queries.
pub fn fold_for_search(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        if matches!(c, '\'' | '\u{2019}' | '\u{2018}' | '`') {
            continue;
        }
        if !c.is_alphanumeric() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        for lc in c.to_lowercase() {
            match strip_diacritic(lc) {
                Some(plain) => out.push_str(plain),
                None => out.push(lc),
            }
        }
    }
    out
}

/// The unaccented spelling of a lower-case Latin letter, when it has one.
fn strip_diacritic(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        'þ' => "th",
        _ => return None,
    })
}

/// A postcode reduced to upper-case letters and digits (`sw1a 1aa` → `SW1A1AA`), the key
/// the postcode search compares on.
pub fn normalize_postcode(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

/// Trims a field and turns an empty one into `None`.
pub(crate) fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1252_decodes_the_nhs_punctuation_and_latin1() {
        assert_eq!(
            decode_windows_1252(b"St George\x92s \x96 16\xbd \xa3"),
            "St George’s – 16½ £"
        );
        assert_eq!(decode_windows_1252(b"a\xacb"), "a¬b");
        assert_eq!(decode_windows_1252(b"Caf\xe9"), "Café");
    }

    #[test]
    fn windows_1252_maps_every_byte_to_one_character() {
        // The code points for 0x80-0x9F (Microsoft's table; the five unassigned bytes are
        // C1 controls); every other byte is its own code point.
        const HIGH: [u32; 32] = [
            0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
            0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
            0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
        ];
        let all: Vec<u8> = (0..=255).collect();
        let decoded: Vec<char> = decode_windows_1252(&all).chars().collect();
        assert_eq!(decoded.len(), 256);
        for (b, c) in all.iter().zip(&decoded) {
            let expected = match b {
                0x80..=0x9F => HIGH[usize::from(b - 0x80)],
                _ => u32::from(*b),
            };
            assert_eq!(u32::from(*c), expected, "byte {b:#04x}");
        }
        // No byte-order-mark sniffing: these bytes are three Latin-1 letters.
        assert_eq!(decode_windows_1252(b"\xef\xbb\xbfA"), "\u{ef}\u{bb}\u{bf}A");
    }

    #[test]
    fn folding_ignores_case_diacritics_and_punctuation() {
        assert_eq!(fold_for_search("Café  São-Paulo"), "cafe sao paulo");
        assert_eq!(fold_for_search("St. Peter's Street"), "st peters street");
        assert_eq!(fold_for_search("STRAßE Łódź"), "strasse lodz");
        assert!(fold_for_search("Queen Mary’s Hospital").contains(&fold_for_search("mary's")));
    }

    #[test]
    fn postcodes_normalize_to_compact_upper_case() {
        assert_eq!(normalize_postcode(" sw1a 1aa "), "SW1A1AA");
        assert_eq!(normalize_postcode("B44 0HL"), "B440HL");
    }
}
