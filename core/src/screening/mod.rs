//! Screening: is this client known, to her or to a local project?
//!
//! Two sources answer: the worker's own client notes and the alerts ("ugly mugs") of the
//! projects she trusts, imported from signed bundles (see [`crate::feeds`]). Everything is
//! sealed in the vault; lookups go through blind indexes of the normalized identifiers
//! (see [`index`] for the bit widths and partial-match indexes), and every candidate is
//! decrypted and compared exactly, so an index collision never shows as a match.
//!
//! [`Screening::screen`] answers fast enough to label an incoming call (see
//! `docs/PERFORMANCE.md`); [`Screening::call_labels`] gives the phone's call-labelling
//! extension the whole list up front.

mod alerts;
pub mod index;
mod screen;

use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};

/// Identifier normalization moved to [`crate::identifiers`]; re-exported so callers keep
/// their paths.
pub use crate::identifiers::{
    detect, normalize, normalize_email, normalize_handle, normalize_phone, normalize_plate,
    Identifier, IdentifierKind, Region,
};
pub use alerts::{
    Alert, AlertArea, AlertCategory, AlertImport, SkippedAlert, ALERTS_CONTENT_FORMAT,
    MAX_IDENTIFIERS_PER_ALERT,
};
pub use screen::{
    CallLabel, CallLabelCache, Match, MatchSource, MatchStrength, ScreenedInput, ScreeningResult,
};

use crate::clock::Timestamp;
use crate::vault::{Listing, RecordId, SealedTable, Session};
use crate::{Error, Result};
use index::Owner;

const NOTES: &str = "screening_notes";
const MAX_LABEL_CHARS: usize = 200;
const MAX_TEXT_CHARS: usize = 20_000;
const MAX_IDENTIFIERS: usize = 32;

/// Why screening input was refused: an identifier that does not normalize (the type lives
/// with the identifiers; this is its name in screening).
pub use crate::identifiers::IdentifierError as ScreeningError;

/// How the worker rates a client. Ordered from least to most serious.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Risk {
    Safe,
    Unknown,
    Caution,
    Danger,
    /// She never wants to hear from him again (call labelling may block the number).
    Blocked,
}

impl Risk {
    /// Every risk, least serious first (for pickers and command-line values).
    pub const ALL: [Risk; 5] = [
        Risk::Safe,
        Risk::Unknown,
        Risk::Caution,
        Risk::Danger,
        Risk::Blocked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Risk::Safe => "safe",
            Risk::Unknown => "unknown",
            Risk::Caution => "caution",
            Risk::Danger => "danger",
            Risk::Blocked => "blocked",
        }
    }
}

/// What the caller supplies to add or update a client note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoteDraft {
    /// Normalized identifiers (see [`normalize`] / [`detect`]); at least one.
    pub identifiers: Vec<Identifier>,
    /// A short name she recognises ("Dave, Tuesdays").
    pub label: String,
    pub risk: Risk,
    pub text: String,
}

impl NoteDraft {
    pub fn new(label: &str, risk: Risk, identifiers: Vec<Identifier>) -> Self {
        Self {
            identifiers,
            label: label.to_owned(),
            risk,
            text: String::new(),
        }
    }

    pub(crate) fn validate(&mut self) -> Result<()> {
        if self.label.trim().is_empty() {
            return Err(Error::invalid("note label", "must not be empty"));
        }
        if self.label.chars().count() > MAX_LABEL_CHARS {
            return Err(Error::invalid(
                "note label",
                "must be at most 200 characters",
            ));
        }
        if self.text.chars().count() > MAX_TEXT_CHARS {
            return Err(Error::invalid(
                "note text",
                "must be at most 20,000 characters",
            ));
        }
        crate::sort::sort(&mut self.identifiers);
        self.identifiers.dedup();
        if self.identifiers.is_empty() {
            return Err(Error::invalid("note identifiers", "at least one is needed"));
        }
        if self.identifiers.len() > MAX_IDENTIFIERS {
            return Err(Error::invalid("note identifiers", "at most 32 per note"));
        }
        Ok(())
    }
}

/// A stored client note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientNote {
    pub id: RecordId,
    #[serde(flatten)]
    pub details: NoteDraft,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Client notes, alerts and lookups of an unlocked vault.
pub struct Screening<'s> {
    session: &'s Session,
    region: Region,
}

impl Session {
    /// Screening with `region` as the default for numbers written without a country code.
    pub fn screening(&self, region: Region) -> Screening<'_> {
        Screening {
            session: self,
            region,
        }
    }
}

impl<'s> Screening<'s> {
    pub fn region(&self) -> Region {
        self.region
    }

    /// Normalizes raw text the way `screen` does (guessing the kind).
    pub fn detect(&self, raw: &str) -> Result<Identifier> {
        detect(raw, self.region)
    }

    fn conn(&self) -> &'s Connection {
        self.session.conn()
    }

    /// Writes the index rows of one note's identifiers.
    pub(crate) fn write_index(
        &self,
        conn: &Connection,
        owner_id: &RecordId,
        identifiers: &[Identifier],
    ) -> Result<()> {
        let rows = self.index_rows(Owner::Note, identifiers);
        write_index_rows(conn, owner_id, &rows)
    }

    /// The distinct `(kind, blind index)` rows of one owner's identifiers. Needs no
    /// connection, so an import can compute them before it takes the write lock.
    pub(crate) fn index_rows(
        &self,
        owner: Owner,
        identifiers: &[Identifier],
    ) -> Vec<(index::IndexKind, i64)> {
        let mut rows: Vec<(index::IndexKind, i64)> = Vec::with_capacity(2 * identifiers.len());
        // Rows already pushed, looked up in `rows` itself while there are few (an alert has
        // a handful): a hash set per alert was a measurable part of an import.
        let mut seen: Option<std::collections::HashSet<(index::IndexKind, i64)>> = None;
        for id in identifiers {
            index::for_each_entry(id, |kind, value| {
                let idx = self
                    .session
                    .blind_index(owner.domain(kind), value, owner.bits());
                let new = match &mut seen {
                    Some(set) => set.insert((kind, idx)),
                    None => !rows.contains(&(kind, idx)),
                };
                if new {
                    rows.push((kind, idx));
                    if seen.is_none() && rows.len() > 32 {
                        seen = Some(rows.iter().copied().collect());
                    }
                }
            });
        }
        rows
    }

    /// Adds one client note.
    pub fn add_note(&self, draft: NoteDraft, now: Timestamp) -> Result<ClientNote> {
        Ok(self.add_notes(vec![draft], now)?.remove(0))
    }

    /// Adds several notes in one transaction: all of them or none.
    pub fn add_notes(&self, drafts: Vec<NoteDraft>, now: Timestamp) -> Result<Vec<ClientNote>> {
        let mut drafts = drafts;
        for d in &mut drafts {
            d.validate()?;
        }
        let tx = self.conn().unchecked_transaction()?;
        let mut out = Vec::with_capacity(drafts.len());
        for details in drafts {
            let note = ClientNote {
                id: self.session.new_id()?,
                details,
                created_at: now,
                updated_at: now,
            };
            self.store_note(&tx, &note)?;
            out.push(note);
        }
        tx.commit()?;
        Ok(out)
    }

    /// Writes a note as given (id and times included) and rebuilds its index rows.
    pub(crate) fn store_note(&self, conn: &Connection, note: &ClientNote) -> Result<()> {
        self.notes_table().upsert(&note.id, note)?;
        conn.execute(
            "DELETE FROM screening_note_index WHERE note = ?1",
            params![note.id],
        )?;
        self.write_index(conn, &note.id, &note.details.identifiers)
    }

    /// The sealed rows of the notes table (their index rows are written beside them).
    fn notes_table(&self) -> SealedTable<'_, ClientNote> {
        SealedTable::new(self.session, NOTES, "client note")
    }

    pub fn get_note(&self, id: &RecordId) -> Result<ClientNote> {
        self.notes_table().get(id)
    }

    /// Replaces a note's details (and its index rows); keeps its id and creation time.
    pub fn update_note(
        &self,
        id: &RecordId,
        details: NoteDraft,
        now: Timestamp,
    ) -> Result<ClientNote> {
        let mut details = details;
        details.validate()?;
        let existing = self.get_note(id)?;
        let note = ClientNote {
            id: *id,
            details,
            created_at: existing.created_at,
            updated_at: now.max(existing.updated_at),
        };
        let tx = self.conn().unchecked_transaction()?;
        self.store_note(&tx, &note)?;
        tx.commit()?;
        // Old index rows were deleted; make sure they do not linger in the WAL.
        self.session.checkpoint()?;
        Ok(note)
    }

    /// Deletes a note and its index rows.
    pub fn delete_note(&self, id: &RecordId) -> Result<()> {
        // The index rows go with it (ON DELETE CASCADE).
        self.notes_table().delete(id)
    }

    /// Visits every stored note row by row (export: never the whole table in memory).
    pub(crate) fn for_each_stored_note(
        &self,
        visit: impl FnMut(RecordId, Result<ClientNote>) -> Result<()>,
    ) -> Result<()> {
        self.notes_table().for_each(visit)
    }

    /// Every note, most recently updated first; unreadable rows are reported.
    pub fn notes(&self) -> Result<Listing<ClientNote>> {
        let mut listing = self.notes_table().list()?;
        crate::sort::sort_by(&mut listing.items, |a, b| {
            b.updated_at.cmp(&a.updated_at).then(a.id.cmp(&b.id))
        });
        Ok(listing)
    }
}

/// Inserts precomputed index rows for one note (alerts write theirs with their publisher:
/// see `alerts::store_alerts`).
pub(crate) fn write_index_rows(
    conn: &Connection,
    owner_id: &RecordId,
    rows: &[(index::IndexKind, i64)],
) -> Result<()> {
    let mut stmt = conn
        .prepare_cached("INSERT INTO screening_note_index (note, kind, idx) VALUES (?1, ?2, ?3)")?;
    for (kind, idx) in rows {
        stmt.execute(params![owner_id, *kind as i64, idx])?;
    }
    Ok(())
}

pub(crate) mod tables;
#[cfg(test)]
mod tests;
