//! Blind-index keys for identifiers, exact and partial.
//!
//! Each normalized identifier of a note or an alert gets index rows `(owner, kind, idx)`
//! where `idx` is `session.blind_index(domain, value, bits)`:
//!
//! | kind | value indexed | used for |
//! |---|---|---|
//! | phone / email / handle / plate | the normalized identifier | exact matches |
//! | phone tail | the last [`PHONE_TAIL_DIGITS`] digits of the E.164 number | "last 6+ digits" |
//! | plate trigram | every 3-character window of the plate | "part of a plate" |
//!
//! Bits are chosen *below* what the table size needs, so values collide on purpose and a
//! bucket holds several owners; candidates are decrypted and compared exactly. Notes
//! (one person's own, typically hundreds to a few thousand identifiers) use
//! [`NOTE_BITS`] = 12 (4,096 buckets); alerts (feeds of up to a few hundred thousand
//! identifiers) use [`ALERT_BITS`] = 16 (65,536 buckets). Notes and alerts use different
//! domains, so the file does not show which of her notes also appear in an alert feed.

use crate::identifiers::Identifier;

/// The digits a phone suffix index covers: the shortest partial number `screen` matches.
pub const PHONE_TAIL_DIGITS: usize = 6;
/// The length of a plate fragment index window: the shortest plate part `screen` matches.
pub const PLATE_FRAGMENT_CHARS: usize = 3;
/// Blind-index bits for notes.
pub const NOTE_BITS: u32 = 12;
/// Blind-index bits for alerts.
pub const ALERT_BITS: u32 = 16;

/// What an index row indexes (stored as a small integer column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(i64)]
pub(crate) enum IndexKind {
    Phone = 1,
    Email = 2,
    Handle = 3,
    Plate = 4,
    PhoneTail = 5,
    PlateTrigram = 6,
}

impl IndexKind {
    fn label(self) -> &'static str {
        match self {
            IndexKind::Phone => "phone",
            IndexKind::Email => "email",
            IndexKind::Handle => "handle",
            IndexKind::Plate => "plate",
            IndexKind::PhoneTail => "phone-tail6",
            IndexKind::PlateTrigram => "plate-3",
        }
    }

    pub(crate) fn exact_for(id: &Identifier) -> IndexKind {
        match id {
            Identifier::Phone(_) => IndexKind::Phone,
            Identifier::Email(_) => IndexKind::Email,
            Identifier::Handle { .. } => IndexKind::Handle,
            Identifier::Plate(_) => IndexKind::Plate,
        }
    }
}

/// Whose index it is: separate domains and bit widths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Owner {
    Note,
    Alert,
}

impl Owner {
    pub(crate) fn bits(self) -> u32 {
        match self {
            Owner::Note => NOTE_BITS,
            Owner::Alert => ALERT_BITS,
        }
    }

    pub(crate) fn domain(self, kind: IndexKind) -> String {
        let owner = match self {
            Owner::Note => "note",
            Owner::Alert => "alert",
        };
        format!("vigil.screening.{owner}.{}", kind.label())
    }
}

/// The last `PHONE_TAIL_DIGITS` digits of a digit string, if it has that many.
pub(crate) fn phone_tail(digits: &str) -> Option<&str> {
    (digits.len() >= PHONE_TAIL_DIGITS && digits.is_ascii())
        .then(|| &digits[digits.len() - PHONE_TAIL_DIGITS..])
}

/// Every distinct window of `PLATE_FRAGMENT_CHARS` characters of a plate.
pub(crate) fn plate_trigrams(plate: &str) -> Vec<String> {
    let chars: Vec<char> = plate.chars().collect();
    let mut out: Vec<String> = chars
        .windows(PLATE_FRAGMENT_CHARS)
        .map(|w| w.iter().collect())
        .collect();
    crate::sort::sort(&mut out);
    out.dedup();
    out
}

/// The (kind, value) pairs to index for one stored identifier.
pub(crate) fn entries(id: &Identifier) -> Vec<(IndexKind, String)> {
    let mut out = vec![(IndexKind::exact_for(id), id.normalized())];
    match id {
        Identifier::Phone(_) => {
            if let Some(tail) = id.phone_digits().and_then(phone_tail) {
                out.push((IndexKind::PhoneTail, tail.to_owned()));
            }
        }
        Identifier::Plate(p) => {
            out.extend(
                plate_trigrams(p)
                    .into_iter()
                    .map(|t| (IndexKind::PlateTrigram, t)),
            );
        }
        _ => {}
    }
    out
}

/// The number of trailing digits two digit strings share.
pub(crate) fn common_suffix_digits(a: &str, b: &str) -> usize {
    a.bytes()
        .rev()
        .zip(b.bytes().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tails_and_trigrams() {
        assert_eq!(phone_tail("447700900123"), Some("900123"));
        assert_eq!(phone_tail("12345"), None);
        assert_eq!(plate_trigrams("AB12CD"), ["12C", "2CD", "AB1", "B12"]);
        assert!(plate_trigrams("AB").is_empty());
        assert_eq!(common_suffix_digits("447700900123", "17700900123"), 10);
        assert_eq!(common_suffix_digits("1", "2"), 0);
        let e = entries(&Identifier::Plate("AB12CD".into()));
        assert_eq!(e.len(), 5);
        assert_eq!(
            entries(&Identifier::Phone("+447700900123".into()))[1].1,
            "900123"
        );
    }
}
