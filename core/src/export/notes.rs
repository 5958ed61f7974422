//! The `client_notes` section: the worker's own notes on clients, with ids and times.
//!
//! Identifiers are exported in their normalized text form and normalized again on import,
//! and the note's blind-index rows are rebuilt under the *target* vault's index key (index
//! values are keyed per vault, so they are never exported).

use serde::{Deserialize, Serialize};

use super::{
    found, invalid_reason, merge, parse_record, record_id, ImportState, RecordSink, Section,
    SectionReport, Store,
};
use crate::clock::Timestamp;
use crate::screening::{
    normalize, ClientNote, Identifier, IdentifierKind, NoteDraft, Region, Risk,
};
use crate::vault::{RecordId, Session};
use crate::Result;

/// One client note as exported (format 1.1).
#[derive(Debug, Serialize, Deserialize)]
struct NoteRecord {
    id: RecordId,
    label: String,
    risk: RiskRecord,
    #[serde(default)]
    text: String,
    identifiers: Vec<IdentifierRecord>,
    created_at: Timestamp,
    updated_at: Timestamp,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum RiskRecord {
    Safe,
    Unknown,
    Caution,
    Danger,
    Blocked,
}

/// `{"kind": "phone", "value": "+447700900123"}`; shared with the `alerts` section.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct IdentifierRecord {
    kind: KindRecord,
    value: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum KindRecord {
    Phone,
    Email,
    Handle,
    Plate,
}

impl From<&Identifier> for IdentifierRecord {
    fn from(id: &Identifier) -> Self {
        IdentifierRecord {
            kind: match id.kind() {
                IdentifierKind::Phone => KindRecord::Phone,
                IdentifierKind::Email => KindRecord::Email,
                IdentifierKind::Handle => KindRecord::Handle,
                IdentifierKind::Plate => KindRecord::Plate,
            },
            value: id.normalized(),
        }
    }
}

impl IdentifierRecord {
    /// Normalizes the exported value again (idempotent for what Vigil wrote; catches a
    /// hand-edited file). Phones are exported in E.164, so the region is never used.
    pub(super) fn to_identifier(&self) -> Result<Identifier> {
        let kind = match self.kind {
            KindRecord::Phone => IdentifierKind::Phone,
            KindRecord::Email => IdentifierKind::Email,
            KindRecord::Handle => IdentifierKind::Handle,
            KindRecord::Plate => IdentifierKind::Plate,
        };
        normalize(kind, &self.value, Region::GB)
    }
}

impl From<ClientNote> for NoteRecord {
    fn from(n: ClientNote) -> Self {
        let NoteDraft {
            identifiers,
            label,
            risk,
            text,
        } = n.details;
        NoteRecord {
            id: n.id,
            label,
            risk: match risk {
                Risk::Safe => RiskRecord::Safe,
                Risk::Unknown => RiskRecord::Unknown,
                Risk::Caution => RiskRecord::Caution,
                Risk::Danger => RiskRecord::Danger,
                Risk::Blocked => RiskRecord::Blocked,
            },
            text,
            identifiers: identifiers.iter().map(IdentifierRecord::from).collect(),
            created_at: n.created_at,
            updated_at: n.updated_at,
        }
    }
}

impl NoteRecord {
    /// The note this record describes, validated as `add_note` validates a draft.
    fn into_note(self) -> std::result::Result<ClientNote, String> {
        let identifiers = self
            .identifiers
            .iter()
            .map(IdentifierRecord::to_identifier)
            .collect::<Result<Vec<_>>>()
            .map_err(|e| e.to_string())?;
        let mut details = NoteDraft {
            identifiers,
            label: self.label,
            risk: match self.risk {
                RiskRecord::Safe => Risk::Safe,
                RiskRecord::Unknown => Risk::Unknown,
                RiskRecord::Caution => Risk::Caution,
                RiskRecord::Danger => Risk::Danger,
                RiskRecord::Blocked => Risk::Blocked,
            },
            text: self.text,
        };
        details.validate().map_err(invalid_reason)?;
        if self.updated_at < self.created_at {
            return Err("updated before it was created".into());
        }
        Ok(ClientNote {
            id: self.id,
            details,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

pub(crate) struct NotesSection;

impl Section for NotesSection {
    fn name(&self) -> &'static str {
        "client_notes"
    }

    fn export(&self, session: &Session, sink: &mut RecordSink<'_>) -> Result<()> {
        session
            .screening(Region::GB)
            .for_each_stored_note(|id, opened| sink.write_opened(id, opened.map(NoteRecord::from)))
    }

    fn import(
        &self,
        session: &Session,
        record: serde_json::Value,
        report: &mut SectionReport,
        state: &mut ImportState,
    ) -> Result<()> {
        let id = record_id(&record);
        let Some(r) = parse_record::<NoteRecord>(record, report, record_id, "client note") else {
            return Ok(());
        };
        let note = match r.into_note() {
            Ok(note) => note,
            Err(reason) => {
                report.reject(id, reason);
                return Ok(());
            }
        };
        let screening = session.screening(Region::GB);
        merge(
            report,
            note.id,
            "the vault's copy of this note is unreadable",
            || found(screening.get_note(&note.id)),
            |current| current.updated_at < note.updated_at,
            |op| {
                screening.store_note(session.conn(), &note)?;
                // Replacing deletes the old index rows.
                state.erased |= op == Store::Update;
                Ok(Ok(()))
            },
        )?;
        Ok(())
    }
}
