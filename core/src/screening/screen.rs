//! The lookup itself, and the call-labelling list.

use std::collections::{BTreeMap, HashSet};

use rusqlite::params;
use serde::Serialize;

use super::alerts::{Alert, AlertCategory, ALERTS};
use super::index::{
    self, common_suffix_digits, phone_tail, plate_trigrams, IndexKind, Owner, PHONE_TAIL_DIGITS,
};
use super::{ClientNote, Risk, Screening, NOTES};
use crate::clock::Timestamp;
use crate::identifiers::{detect, Identifier};
use crate::vault::RecordId;
use crate::{Error, Result};

/// What was looked up, after normalization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScreenedInput {
    /// A whole identifier: exact and partial matches.
    Identifier(Identifier),
    /// Only the last digits of a number (six or more): partial matches only.
    PartialNumber(String),
}

/// How a match was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchStrength {
    Exact,
    /// The numbers share their last `digits` digits (at least six).
    PhoneSuffix {
        digits: usize,
    },
    /// One plate contains the other (at least three characters).
    PlateFragment,
}

impl MatchStrength {
    pub fn is_exact(self) -> bool {
        matches!(self, MatchStrength::Exact)
    }
}

/// Where a match came from, with the whole record as evidence.
#[derive(Debug, Clone, PartialEq)]
pub enum MatchSource {
    Note(ClientNote),
    Alert {
        alert: Alert,
        publisher: String,
        /// The publisher's alert bundle is past its expiry.
        stale: bool,
    },
}

/// One piece of evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    pub strength: MatchStrength,
    /// The stored identifier that matched.
    pub matched: Identifier,
    /// The risk this match implies on its own (a partial match implies at most caution).
    pub risk: Risk,
    pub source: MatchSource,
}

/// The answer to [`Screening::screen`].
#[derive(Debug, Clone, PartialEq)]
pub struct ScreeningResult {
    pub input: ScreenedInput,
    /// The most serious risk among exact matches, raised to caution by a serious partial
    /// match; `Unknown` when nothing matched.
    pub overall: Risk,
    /// Exact matches first, then partial; within each, most serious first.
    pub matches: Vec<Match>,
    /// Notes the index pointed to for this input that could not be read (damaged or
    /// tampered rows). Non-zero means the answer may be incomplete: one of them may be a
    /// note about this very client, so "nothing found" is not an all-clear.
    pub unreadable_notes: usize,
    /// The same for imported alerts.
    pub unreadable_alerts: usize,
}

impl ScreeningResult {
    /// Whether some candidate rows could not be read, so the answer may miss a match.
    pub fn is_incomplete(&self) -> bool {
        self.unreadable_notes > 0 || self.unreadable_alerts > 0
    }
}

/// Rows found through the index that failed to open during one lookup. A blind index can
/// collide, so not every one of them is about the input; they are counted, not guessed at.
#[derive(Default)]
struct Damage {
    notes: HashSet<RecordId>,
    alerts: HashSet<RecordId>,
}

impl Damage {
    fn record(&mut self, owner: Owner, id: RecordId) {
        match owner {
            Owner::Note => self.notes.insert(id),
            Owner::Alert => self.alerts.insert(id),
        };
    }
}

/// A row found through the index, not yet known to match.
struct Candidate {
    id: RecordId,
    body: Vec<u8>,
    identifiers: Vec<Identifier>,
}

/// The last call-labelling list and the fingerprint of the records it was built from (see
/// [`Screening::call_labels_cached`]); held in memory by the unlocked session's owner.
#[derive(Debug, Default)]
pub struct CallLabelCache {
    state: Option<([u8; 32], Vec<CallLabel>)>,
}

/// One entry of the call-labelling list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallLabel {
    /// E.164 digits as a number (what iOS Call Directory and Android want), e.g. 447700900123.
    pub number: i64,
    pub e164: String,
    /// The most serious risk of every note and alert on this number.
    pub risk: Risk,
    /// Her own note label if she has one, else "Alert: <category>".
    pub label: String,
    /// How many alerts name this number.
    pub alerts: usize,
}

impl Screening<'_> {
    /// Screens one identifier as typed (or as received from the phone for an incoming
    /// call) against her notes and every imported alert. `now` decides which alert feeds
    /// are stale.
    pub fn screen(&self, raw: &str, now: Timestamp) -> Result<ScreeningResult> {
        self.run(raw, now, true)
    }

    /// Exact matches only: the cheapest answer, e.g. to label an incoming call while it
    /// rings. A partial number (digits only) finds nothing here.
    pub fn screen_exact(&self, raw: &str, now: Timestamp) -> Result<ScreeningResult> {
        self.run(raw, now, false)
    }

    fn run(&self, raw: &str, now: Timestamp, partial: bool) -> Result<ScreeningResult> {
        let input = match detect(raw, self.region) {
            Ok(id) => ScreenedInput::Identifier(id),
            Err(e) => {
                let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
                let only_number_chars = raw
                    .chars()
                    .all(|c| c.is_ascii_digit() || " -.()\u{a0}".contains(c));
                if only_number_chars && digits.len() >= PHONE_TAIL_DIGITS {
                    ScreenedInput::PartialNumber(digits)
                } else {
                    return Err(e);
                }
            }
        };
        let mut matches = Vec::new();
        let mut seen: HashSet<RecordId> = HashSet::new();
        let mut damage = Damage::default();
        if let ScreenedInput::Identifier(id) = &input {
            let kind = IndexKind::exact_for(id);
            let values = [id.normalized()];
            for c in self.candidates(Owner::Note, kind, &values, &mut damage)? {
                if c.identifiers.contains(id) {
                    if let Some(note) =
                        self.open_full::<ClientNote>(Owner::Note, &c, &mut damage)?
                    {
                        seen.insert(c.id);
                        matches.push(note_match(note, MatchStrength::Exact, id.clone()));
                    }
                }
            }
            for c in self.candidates(Owner::Alert, kind, &values, &mut damage)? {
                if c.identifiers.contains(id) {
                    if let Some(alert) = self.open_full::<Alert>(Owner::Alert, &c, &mut damage)? {
                        seen.insert(c.id);
                        matches.push(alert_match(alert, MatchStrength::Exact, id.clone()));
                    }
                }
            }
        }
        if partial {
            self.partial_matches(&input, &mut seen, &mut matches, &mut damage)?;
        }
        if matches
            .iter()
            .any(|m| matches!(m.source, MatchSource::Alert { .. }))
        {
            self.name_publishers(&mut matches, now);
        }
        matches.sort_by(|a, b| {
            b.strength
                .is_exact()
                .cmp(&a.strength.is_exact())
                .then(b.risk.cmp(&a.risk))
                .then(suffix_len(b.strength).cmp(&suffix_len(a.strength)))
        });
        Ok(ScreeningResult {
            overall: overall_risk(&matches),
            input,
            matches,
            unreadable_notes: damage.notes.len(),
            unreadable_alerts: damage.alerts.len(),
        })
    }

    fn partial_matches(
        &self,
        input: &ScreenedInput,
        seen: &mut HashSet<RecordId>,
        out: &mut Vec<Match>,
        damage: &mut Damage,
    ) -> Result<()> {
        let (digits, plate) = match input {
            ScreenedInput::PartialNumber(d) => (Some(d.as_str()), None),
            ScreenedInput::Identifier(id @ Identifier::Phone(_)) => (id.phone_digits(), None),
            ScreenedInput::Identifier(Identifier::Plate(p)) => (None, Some(p.as_str())),
            ScreenedInput::Identifier(_) => (None, None),
        };
        if let Some(digits) = digits {
            let Some(tail) = phone_tail(digits) else {
                return Ok(());
            };
            let keys = [tail.to_owned()];
            let phone_hit = |ids: &[Identifier]| -> Option<(Identifier, usize)> {
                ids.iter()
                    .filter_map(|i| {
                        i.phone_digits()
                            .map(|d| (i, common_suffix_digits(d, digits)))
                    })
                    .filter(|(i, n)| *n >= PHONE_TAIL_DIGITS && i.phone_digits() != Some(digits))
                    .max_by_key(|(_, n)| *n)
                    .map(|(i, n)| (i.clone(), n))
            };
            for c in self.candidates(Owner::Note, IndexKind::PhoneTail, &keys, damage)? {
                if seen.contains(&c.id) {
                    continue;
                }
                if let Some((id, n)) = phone_hit(&c.identifiers) {
                    if let Some(note) = self.open_full::<ClientNote>(Owner::Note, &c, damage)? {
                        seen.insert(c.id);
                        out.push(note_match(
                            note,
                            MatchStrength::PhoneSuffix { digits: n },
                            id,
                        ));
                    }
                }
            }
            for c in self.candidates(Owner::Alert, IndexKind::PhoneTail, &keys, damage)? {
                if seen.contains(&c.id) {
                    continue;
                }
                if let Some((id, n)) = phone_hit(&c.identifiers) {
                    if let Some(alert) = self.open_full::<Alert>(Owner::Alert, &c, damage)? {
                        seen.insert(c.id);
                        out.push(alert_match(
                            alert,
                            MatchStrength::PhoneSuffix { digits: n },
                            id,
                        ));
                    }
                }
            }
        }
        if let Some(plate) = plate {
            let grams = plate_trigrams(plate);
            if grams.is_empty() {
                return Ok(());
            }
            let plate_hit = |ids: &[Identifier]| -> Option<Identifier> {
                ids.iter()
                    .find(|i| match i {
                        Identifier::Plate(p) => {
                            p != plate
                                && p.chars().count().min(plate.chars().count())
                                    >= index::PLATE_FRAGMENT_CHARS
                                && (p.contains(plate) || plate.contains(p.as_str()))
                        }
                        _ => false,
                    })
                    .cloned()
            };
            for c in self.candidates(Owner::Note, IndexKind::PlateTrigram, &grams, damage)? {
                if seen.contains(&c.id) {
                    continue;
                }
                if let Some(id) = plate_hit(&c.identifiers) {
                    if let Some(note) = self.open_full::<ClientNote>(Owner::Note, &c, damage)? {
                        seen.insert(c.id);
                        out.push(note_match(note, MatchStrength::PlateFragment, id));
                    }
                }
            }
            for c in self.candidates(Owner::Alert, IndexKind::PlateTrigram, &grams, damage)? {
                if seen.contains(&c.id) {
                    continue;
                }
                if let Some(id) = plate_hit(&c.identifiers) {
                    if let Some(alert) = self.open_full::<Alert>(Owner::Alert, &c, damage)? {
                        seen.insert(c.id);
                        out.push(alert_match(alert, MatchStrength::PlateFragment, id));
                    }
                }
            }
        }
        Ok(())
    }

    /// Rows whose index matches any of `values` (each row once), with only their
    /// identifiers decoded: most candidates are collisions, and parsing the whole record
    /// for them would be wasted. Rows that fail to open are left out (a lookup must still
    /// answer) and counted in `damage`, so the answer says it may be incomplete.
    fn candidates(
        &self,
        owner: Owner,
        kind: IndexKind,
        values: &[String],
        damage: &mut Damage,
    ) -> Result<Vec<Candidate>> {
        let (sql, table) = match owner {
            Owner::Note => (
                "SELECT n.id, n.body FROM screening_note_index i
                 JOIN screening_notes n ON n.id = i.note WHERE i.kind = ?1 AND i.idx = ?2",
                NOTES,
            ),
            Owner::Alert => (
                // Index rows are keyed by publisher first (schema 14): one range per
                // publisher, of which there are a handful.
                "SELECT a.id, a.body FROM feed_publishers p
                 CROSS JOIN screening_alert_index i ON i.publisher = p.id
                     AND i.kind = ?1 AND i.idx = ?2
                 JOIN screening_alerts a ON a.id = i.alert",
                ALERTS,
            ),
        };
        let conn = self.session.conn();
        let mut stmt = conn.prepare_cached(sql)?;
        let mut done = HashSet::new();
        let mut out = Vec::new();
        let domain = owner.domain(kind);
        let mut buckets: Vec<i64> = values
            .iter()
            .map(|v| self.session.blind_index(domain, v, owner.bits()))
            .collect();
        buckets.sort_unstable();
        buckets.dedup();
        for idx in buckets {
            let mut rows = stmt.query(params![kind as i64, idx])?;
            while let Some(row) = rows.next()? {
                let id: RecordId = row.get(0)?;
                if !done.insert(id) {
                    continue;
                }
                let body = row.get::<_, crate::vault::SealedBody>(1)?.0;
                // The whole record: sealed records are positional (see `vault::encoding`), so
                // there is no reading one field by its name.
                let identifiers = match owner {
                    Owner::Note => self
                        .session
                        .open::<ClientNote>(table, &id, &body)
                        .map(|n| n.details.identifiers),
                    Owner::Alert => self
                        .session
                        .open::<Alert>(table, &id, &body)
                        .map(|a| a.identifiers),
                };
                match identifiers {
                    Ok(identifiers) => out.push(Candidate {
                        id,
                        body,
                        identifiers,
                    }),
                    Err(Error::Tampered | Error::Decode(_)) => damage.record(owner, id),
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(out)
    }

    /// The whole record of a candidate that matched.
    fn open_full<T: serde::de::DeserializeOwned>(
        &self,
        owner: Owner,
        c: &Candidate,
        damage: &mut Damage,
    ) -> Result<Option<T>> {
        let table = match owner {
            Owner::Note => NOTES,
            Owner::Alert => ALERTS,
        };
        match self.session.open::<T>(table, &c.id, &c.body) {
            Ok(v) => Ok(Some(v)),
            Err(Error::Tampered | Error::Decode(_)) => {
                damage.record(owner, c.id);
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Alerts carry their publisher's name and their feed's expiry (written at import,
    /// which replaces them all), so naming them needs no further decryption.
    fn name_publishers(&self, matches: &mut [Match], now: Timestamp) {
        for m in matches {
            if let MatchSource::Alert {
                alert,
                publisher,
                stale,
            } = &mut m.source
            {
                publisher.clone_from(&alert.publisher);
                *stale = now >= alert.feed_expires_at;
            }
        }
    }

    /// [`Screening::call_labels`], answered from `cache` while the notes and alerts are
    /// byte for byte what they were when it was filled (a phone refreshes its call
    /// directory after every import; rebuilding decrypts every record).
    ///
    /// The cache is keyed by a SHA-256 of every stored note and alert row (id and sealed
    /// body, read without decrypting): any change by any path (import, withdrawal, note
    /// edit, restore, a publisher removed, a damaged or swapped row) changes the key, and
    /// the list is rebuilt from the records. It lives in memory only, so nothing on disk
    /// is trusted in its place.
    pub fn call_labels_cached(&self, cache: &mut CallLabelCache) -> Result<Vec<CallLabel>> {
        // Fingerprint first, then the list: a write in between leaves a list newer than
        // its key, which the next call rebuilds, never an older one kept as current.
        let key = self.records_fingerprint()?;
        if let Some((have, labels)) = &cache.state {
            if *have == key {
                return Ok(labels.clone());
            }
        }
        let labels = self.call_labels()?;
        cache.state = Some((key, labels.clone()));
        Ok(labels)
    }

    /// SHA-256 over every note and alert row (table, id, body length, sealed body).
    fn records_fingerprint(&self) -> Result<[u8; 32]> {
        let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
        for table in [NOTES, ALERTS] {
            ctx.update(table.as_bytes());
            ctx.update(&[0]);
            let mut stmt = self
                .session
                .conn()
                .prepare(&format!("SELECT id, body FROM {table} ORDER BY id"))?;
            let mut rows = stmt.query([])?;
            let mut count: u64 = 0;
            while let Some(row) = rows.next()? {
                for col in 0..2 {
                    // Rows are blobs; anything else is damage, hashed by its value so a
                    // change to it still changes the key.
                    let other;
                    let bytes = match row.get_ref(col)? {
                        rusqlite::types::ValueRef::Blob(b) => {
                            ctx.update(b"b");
                            b
                        }
                        v => {
                            ctx.update(b"o");
                            other = format!("{v:?}");
                            other.as_bytes()
                        }
                    };
                    ctx.update(&(bytes.len() as u64).to_le_bytes());
                    ctx.update(bytes);
                }
                count += 1;
            }
            ctx.update(&count.to_le_bytes());
        }
        let mut out = [0u8; 32];
        out.copy_from_slice(ctx.finish().as_ref());
        Ok(out)
    }

    /// Every phone number in her notes and the imported alerts with its label, sorted by
    /// number ascending and without duplicates (iOS Call Directory requires that order).
    pub fn call_labels(&self) -> Result<Vec<CallLabel>> {
        struct Acc {
            e164: String,
            risk: Risk,
            note: Option<(Risk, String)>,
            alerts: usize,
            worst_alert: Option<AlertCategory>,
        }
        let mut by_number: BTreeMap<i64, Acc> = BTreeMap::new();
        fn entry<'m>(
            by_number: &'m mut BTreeMap<i64, Acc>,
            id: &Identifier,
        ) -> Option<&'m mut Acc> {
            let number: i64 = id.phone_digits()?.parse().ok()?;
            Some(by_number.entry(number).or_insert_with(|| Acc {
                e164: id.normalized(),
                risk: Risk::Unknown,
                note: None,
                alerts: 0,
                worst_alert: None,
            }))
        }
        for note in self.notes()?.items {
            for id in &note.details.identifiers {
                if let Some(acc) = entry(&mut by_number, id) {
                    let r = note.details.risk;
                    if lower_note(&acc.note, r) {
                        acc.note = Some((r, note.details.label.clone()));
                    }
                }
            }
        }
        for alert in self.alerts()?.items {
            for id in &alert.identifiers {
                if let Some(acc) = entry(&mut by_number, id) {
                    acc.alerts += 1;
                    if lower_category(acc.worst_alert, alert.category) {
                        acc.worst_alert = Some(alert.category);
                    }
                }
            }
        }
        Ok(by_number
            .into_iter()
            .map(|(number, acc)| {
                let note_risk = acc.note.as_ref().map(|(r, _)| *r);
                let alert_risk = acc.worst_alert.map(AlertCategory::risk);
                let risk = match (note_risk, alert_risk) {
                    (Some(n), Some(a)) => n.max(a),
                    (Some(n), None) => n,
                    (None, Some(a)) => a,
                    (None, None) => acc.risk,
                };
                let label = match (&acc.note, acc.worst_alert) {
                    (Some((_, l)), _) => l.clone(),
                    (None, Some(c)) => format!("Alert: {}", category_word(c)),
                    (None, None) => String::new(),
                };
                CallLabel {
                    number,
                    e164: acc.e164,
                    risk,
                    label,
                    alerts: acc.alerts,
                }
            })
            .collect())
    }
}

fn lower_note(have: &Option<(Risk, String)>, r: Risk) -> bool {
    have.as_ref().is_none_or(|(h, _)| *h < r)
}

fn lower_category(have: Option<AlertCategory>, c: AlertCategory) -> bool {
    have.is_none_or(|h| h.risk() < c.risk())
}

fn category_word(c: AlertCategory) -> &'static str {
    match c {
        AlertCategory::Violence => "violence",
        AlertCategory::SexualAssault => "sexual assault",
        AlertCategory::Robbery => "robbery",
        AlertCategory::Stealthing => "stealthing",
        AlertCategory::Harassment => "harassment",
        AlertCategory::NonPayment => "non-payment",
        AlertCategory::TimeWaster => "time waster",
        AlertCategory::Other => "other",
    }
}

fn suffix_len(s: MatchStrength) -> usize {
    match s {
        MatchStrength::PhoneSuffix { digits } => digits,
        _ => 0,
    }
}

fn partial_risk(r: Risk) -> Risk {
    if r >= Risk::Caution {
        Risk::Caution
    } else {
        Risk::Unknown
    }
}

fn note_match(note: ClientNote, strength: MatchStrength, matched: Identifier) -> Match {
    let risk = if strength.is_exact() {
        note.details.risk
    } else {
        partial_risk(note.details.risk)
    };
    Match {
        strength,
        matched,
        risk,
        source: MatchSource::Note(note),
    }
}

fn alert_match(alert: Alert, strength: MatchStrength, matched: Identifier) -> Match {
    let risk = if strength.is_exact() {
        alert.category.risk()
    } else {
        partial_risk(alert.category.risk())
    };
    Match {
        strength,
        matched,
        risk,
        source: MatchSource::Alert {
            alert,
            publisher: String::new(),
            stale: false,
        },
    }
}

/// Exact matches decide; a serious partial match raises the answer to caution at least.
fn overall_risk(matches: &[Match]) -> Risk {
    let exact = matches
        .iter()
        .filter(|m| m.strength.is_exact())
        .map(|m| m.risk)
        .max();
    let partial = matches
        .iter()
        .filter(|m| !m.strength.is_exact())
        .map(|m| m.risk)
        .max();
    let base = exact.unwrap_or(Risk::Unknown);
    match partial {
        Some(Risk::Caution) if base < Risk::Caution => Risk::Caution,
        _ => base,
    }
}
