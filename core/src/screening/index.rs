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
    #[cfg(test)]
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

    pub(crate) fn domain(self, kind: IndexKind) -> &'static str {
        // Spelled out rather than formatted: an alert import asks for one per index row
        // (~370,000 for 100,000 alerts). `domains_are_owner_dot_kind` checks the spelling.
        use IndexKind::*;
        match (self, kind) {
            (Owner::Note, Phone) => "vigil.screening.note.phone",
            (Owner::Note, Email) => "vigil.screening.note.email",
            (Owner::Note, Handle) => "vigil.screening.note.handle",
            (Owner::Note, Plate) => "vigil.screening.note.plate",
            (Owner::Note, PhoneTail) => "vigil.screening.note.phone-tail6",
            (Owner::Note, PlateTrigram) => "vigil.screening.note.plate-3",
            (Owner::Alert, Phone) => "vigil.screening.alert.phone",
            (Owner::Alert, Email) => "vigil.screening.alert.email",
            (Owner::Alert, Handle) => "vigil.screening.alert.handle",
            (Owner::Alert, Plate) => "vigil.screening.alert.plate",
            (Owner::Alert, PhoneTail) => "vigil.screening.alert.phone-tail6",
            (Owner::Alert, PlateTrigram) => "vigil.screening.alert.plate-3",
        }
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

/// Calls `visit` with each (kind, value) pair to index for one stored identifier, in the
/// order of [`entries`], without building a list (an import visits ~370,000).
pub(crate) fn for_each_entry(id: &Identifier, mut visit: impl FnMut(IndexKind, &str)) {
    let kind = IndexKind::exact_for(id);
    match id {
        Identifier::Phone(v) => {
            visit(kind, v);
            if let Some(tail) = id.phone_digits().and_then(phone_tail) {
                visit(IndexKind::PhoneTail, tail);
            }
        }
        Identifier::Email(v) => visit(kind, v),
        Identifier::Handle { .. } => visit(kind, &id.normalized()),
        Identifier::Plate(p) => {
            visit(kind, p);
            for t in plate_trigrams(p) {
                visit(IndexKind::PlateTrigram, &t);
            }
        }
    }
}

/// The (kind, value) pairs to index for one stored identifier (see [`for_each_entry`]).
#[cfg(test)]
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

    /// The spelled-out domains are the ones stored indexes were computed with:
    /// `vigil.screening.{note|alert}.{kind label}`.
    #[test]
    fn domains_are_owner_dot_kind() {
        use IndexKind::*;
        for kind in [Phone, Email, Handle, Plate, PhoneTail, PlateTrigram] {
            for (owner, name) in [(Owner::Note, "note"), (Owner::Alert, "alert")] {
                assert_eq!(
                    owner.domain(kind),
                    format!("vigil.screening.{name}.{}", kind.label())
                );
            }
        }
    }

    /// The visitor an import uses sees the same (kind, value) pairs as `entries`, in order.
    #[test]
    fn each_entry_is_visited_as_listed() {
        for id in [
            Identifier::Phone("+447700900123".into()),
            Identifier::Phone("+4412".into()),
            Identifier::Email("a@example.com".into()),
            Identifier::Handle {
                platform: "telegram".into(),
                name: "someone".into(),
            },
            Identifier::Plate("AB12CDA".into()),
            Identifier::Plate("AB".into()),
        ] {
            let mut visited = Vec::new();
            for_each_entry(&id, |kind, value| visited.push((kind, value.to_owned())));
            assert_eq!(visited, entries(&id), "{id:?}");
        }
    }
}
