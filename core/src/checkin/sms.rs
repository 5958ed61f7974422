//! SMS segment arithmetic (3GPP TS 23.038 / 23.040) and "plain letters".
//!
//! A text that uses only the GSM 7-bit default alphabet (plus its extension table, whose
//! characters cost two septets) goes out as GSM-7: 160 septets in one SMS, 153 per segment
//! once concatenated. One character outside it switches the whole text to UCS-2: 70 UTF-16
//! units in one SMS, 67 per segment. Long concatenated texts arrive late, split or out of
//! order on some networks and cost the worker money, so buddy alerts are fitted to
//! [`MAX_ALERT_SEGMENTS`].
//!
//! Written here because the only Rust crate for this (`message_segment_calculator`, two
//! releases in 2024) is not maintained; the tables are short and fixed by the standard.

/// The most segments a buddy alert may take, in every language.
pub const MAX_ALERT_SEGMENTS: usize = 4;

/// How a text is encoded on the air.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Gsm7,
    Ucs2,
}

/// Characters of the GSM 03.38 default alphabet, besides ASCII letters and digits.
const GSM_BASIC_EXTRA: &str =
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./:;<=>?¡ÄÖÑÜ§¿äöñüà";
/// The extension table: each costs an escape septet plus itself.
const GSM_EXTENSION: &str = "^{}\\[~]|€\u{000C}";

/// Septets `c` takes in GSM-7, or `None` if it is not in the alphabet.
fn gsm_septets(c: char) -> Option<usize> {
    if c.is_ascii_alphanumeric() || GSM_BASIC_EXTRA.contains(c) {
        Some(1)
    } else if GSM_EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// The encoding a phone picks for `text`.
pub fn encoding(text: &str) -> Encoding {
    if text.chars().all(|c| gsm_septets(c).is_some()) {
        Encoding::Gsm7
    } else {
        Encoding::Ucs2
    }
}

/// How many SMS segments `text` takes. Segments are filled greedily without splitting an
/// escape sequence or a surrogate pair, as phones do.
pub fn segments(text: &str) -> usize {
    let (units, single, multi): (Vec<usize>, usize, usize) = match encoding(text) {
        Encoding::Gsm7 => (
            text.chars().map(|c| gsm_septets(c).unwrap_or(1)).collect(),
            160,
            153,
        ),
        Encoding::Ucs2 => (text.chars().map(char::len_utf16).collect(), 70, 67),
    };
    let total: usize = units.iter().sum();
    if total == 0 {
        return 1;
    }
    if total <= single {
        return 1;
    }
    let mut count = 1;
    let mut used = 0;
    for u in units {
        if used + u > multi {
            count += 1;
            used = 0;
        }
        used += u;
    }
    count
}

/// The part of `text` that arrives in the first segment.
pub fn first_segment(text: &str) -> &str {
    let enc = encoding(text);
    let (single, multi) = match enc {
        Encoding::Gsm7 => (160, 153),
        Encoding::Ucs2 => (70, 67),
    };
    let cost = |c: char| match enc {
        Encoding::Gsm7 => gsm_septets(c).unwrap_or(1),
        Encoding::Ucs2 => c.len_utf16(),
    };
    let total: usize = text.chars().map(cost).sum();
    let limit = if total <= single { single } else { multi };
    let mut used = 0;
    for (i, c) in text.char_indices() {
        used += cost(c);
        if used > limit {
            return &text[..i];
        }
    }
    text
}

/// Replaces letters outside GSM-7 with their plain Latin base letter ("ł" → "l",
/// "ș" → "s", "ã" → "a") and typographic marks with ASCII ones. Letters GSM-7 has (é, ñ,
/// ü, à, ...) are kept. This is how Polish and Romanian SMS are usually written.
pub fn plain_letters(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if gsm_septets(c).is_some() {
            out.push(c);
            continue;
        }
        match plain(c) {
            Some(s) => out.push_str(s),
            None => out.push(c),
        }
    }
    out
}

fn plain(c: char) -> Option<&'static str> {
    Some(match c {
        'á' | 'â' | 'ã' | 'ą' | 'ă' | 'ā' => "a",
        'Á' | 'Â' | 'Ã' | 'Ą' | 'Ă' | 'Ā' | 'À' => "A",
        'ć' | 'č' | 'ç' => "c",
        'Ć' | 'Č' => "C",
        'ę' | 'ê' | 'ë' | 'ě' | 'ē' => "e",
        'Ę' | 'Ê' | 'Ë' | 'Ě' | 'È' | 'Ē' => "E",
        'í' | 'î' | 'ï' | 'ī' => "i",
        'Í' | 'Î' | 'Ï' | 'Ì' | 'Ī' => "I",
        'ł' => "l",
        'Ł' => "L",
        'ń' | 'ň' => "n",
        'Ń' | 'Ň' => "N",
        'ó' | 'ô' | 'õ' | 'ō' => "o",
        'Ó' | 'Ô' | 'Õ' | 'Ò' | 'Ō' => "O",
        'ś' | 'š' | 'ș' | 'ş' => "s",
        'Ś' | 'Š' | 'Ș' | 'Ş' => "S",
        'ț' | 'ţ' | 'ť' => "t",
        'Ț' | 'Ţ' | 'Ť' => "T",
        'ú' | 'û' | 'ū' | 'ů' => "u",
        'Ú' | 'Û' | 'Ù' | 'Ū' | 'Ů' => "U",
        'ý' | 'ÿ' => "y",
        'Ý' => "Y",
        'ź' | 'ż' | 'ž' => "z",
        'Ź' | 'Ż' | 'Ž' => "Z",
        'º' => "o",
        'ª' => "a",
        '‘' | '’' | '‚' | '′' => "'",
        '“' | '”' | '„' | '«' | '»' | '″' => "\"",
        '–' | '—' | '‐' | '‑' | '−' => "-",
        '…' => "...",
        '±' => "+/-",
        '\u{00A0}' | '\u{2009}' | '\u{202F}' => " ",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gsm7_limits_are_160_then_153() {
        assert_eq!(segments(&"a".repeat(160)), 1);
        assert_eq!(segments(&"a".repeat(161)), 2);
        assert_eq!(segments(&"a".repeat(306)), 2);
        assert_eq!(segments(&"a".repeat(307)), 3);
        assert_eq!(segments(&"a".repeat(612)), 4);
        assert_eq!(segments(&"a".repeat(613)), 5);
        assert_eq!(segments(""), 1);
    }

    #[test]
    fn extension_characters_cost_two_and_are_not_split() {
        assert_eq!(encoding("price 5€ [x]"), Encoding::Gsm7);
        assert_eq!(segments(&"€".repeat(80)), 1);
        assert_eq!(segments(&"€".repeat(81)), 2);
        // 152 septets then an escape pair: the pair moves whole to the next segment.
        let text = format!("{}€{}", "a".repeat(152), "a".repeat(152));
        assert_eq!(segments(&text), 3);
    }

    #[test]
    fn one_diacritic_forces_ucs2_with_70_then_67() {
        assert_eq!(encoding("Adres: ul. Łąkowa"), Encoding::Ucs2);
        assert_eq!(encoding("Dirección é ñ ü à"), Encoding::Ucs2);
        assert_eq!(encoding("Direccion e ñ ü à"), Encoding::Gsm7);
        assert_eq!(segments(&"ł".repeat(70)), 1);
        assert_eq!(segments(&"ł".repeat(71)), 2);
        assert_eq!(segments(&"ł".repeat(268)), 4);
        assert_eq!(segments(&"ł".repeat(269)), 5);
        // An emoji is a surrogate pair: two units, never split across segments.
        assert_eq!(segments(&format!("{}😀", "a".repeat(68))), 1);
        assert_eq!(segments(&format!("{}😀", "a".repeat(69))), 2);
        assert_eq!(
            segments(&format!("{}😀{}", "a".repeat(66), "a".repeat(66))),
            3
        );
    }

    #[test]
    fn plain_letters_reach_gsm7_for_polish_romanian_portuguese_spanish() {
        for (input, expected) in [
            ("Zażółć gęślą jaźń Łódź", "Zazolc gesla jazn Lodz"),
            ("Știință și țară, în față", "Stiinta si tara, in fata"),
            ("Não, açúcar, avó, você", "Nao, acucar, avo, voce"),
            (
                "Dirección: Calle Año, nº 3, 2ª",
                "Direccion: Calle Año, no 3, 2a",
            ),
            ("“Quoted” – done…", "\"Quoted\" - done..."),
        ] {
            let plain = plain_letters(input);
            assert_eq!(plain, expected);
            assert_eq!(encoding(&plain), Encoding::Gsm7, "{plain}");
        }
    }

    #[test]
    fn first_segment_is_what_arrives_first() {
        let text = "a".repeat(200);
        assert_eq!(first_segment(&text).len(), 153);
        assert_eq!(first_segment("short"), "short");
        let ucs = "ł".repeat(100);
        assert_eq!(first_segment(&ucs).chars().count(), 67);
    }
}
