//! Text plumbing for the directory: decoding legacy files and folding text for search.

/// Windows-1252 code points for bytes 0x80–0x9F. Bytes 0x81, 0x8D, 0x8F, 0x90 and 0x9D are
/// unassigned and decode to the C1 control of the same value, as browsers do.
const CP1252_HIGH: [char; 32] = [
    '\u{20AC}', '\u{0081}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{008D}', '\u{017D}', '\u{008F}',
    '\u{0090}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}', '\u{009D}', '\u{017E}', '\u{0178}',
];

/// Decodes Windows-1252 (the superset of ISO-8859-1 that the NHS extracts really use: their
/// apostrophes and dashes are 0x92 and 0x96). Every byte maps to exactly one character, so
/// decoding never fails and byte offsets of ASCII separators are preserved in meaning.
pub fn decode_windows_1252(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 16);
    for &b in bytes {
        match b {
            0x00..=0x7F => out.push(b as char),
            0x80..=0x9F => out.push(CP1252_HIGH[(b - 0x80) as usize]),
            // Latin-1: the byte value is the code point.
            _ => out.push(char::from(b)),
        }
    }
    out
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
