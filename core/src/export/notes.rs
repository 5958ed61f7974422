//! The `notes` section: the worker's own client notes.
//!
//! A published record type of its own (not the storage form); identifiers are written as
//! `{kind, value}` with handles as `platform:@name`, and normalized again on import, so
//! the blind indexes are rebuilt for the target vault's keys.

use serde::{Deserialize, Serialize};

use super::{RecordSink, Section, SectionReport};
use crate::clock::Timestamp;
use crate::screening::{
    normalize_email, normalize_handle, normalize_phone, normalize_plate, ClientNote, Identifier,
    NoteDraft, Region, Risk,
};
use crate::vault::{RecordId, Session};
use crate::{Error, Result};

#[derive(Debug, Serialize, Deserialize)]
struct NoteRecord {
    id: RecordId,
    identifiers: Vec<IdentifierRecord>,
    label: String,
    risk: Risk,
    #[serde(default)]
    text: String,
    created_at: Timestamp,
    updated_at: Timestamp,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
enum IdentifierRecord {
    Phone(String),
    Email(String),
    /// `platform:@name`
    Handle(String),
    Plate(String),
}

impl From<&Identifier> for IdentifierRecord {
    fn from(i: &Identifier) -> Self {
        match i {
            Identifier::Phone(p) => IdentifierRecord::Phone(p.clone()),
            Identifier::Email(e) => IdentifierRecord::Email(e.clone()),
            Identifier::Handle { platform, name } => {
                IdentifierRecord::Handle(format!("{platform}:@{name}"))
            }
            Identifier::Plate(p) => IdentifierRecord::Plate(p.clone()),
        }
    }
}

impl IdentifierRecord {
    fn normalize(&self) -> Result<Identifier> {
        // Phones are written in E.164, so the region is never used.
        match self {
            IdentifierRecord::Phone(p) => normalize_phone(p, Region::GB).map(Identifier::Phone),
            IdentifierRecord::Email(e) => normalize_email(e).map(Identifier::Email),
            IdentifierRecord::Handle(h) => normalize_handle(h),
            IdentifierRecord::Plate(p) => normalize_plate(p).map(Identifier::Plate),
        }
    }
}

impl From<ClientNote> for NoteRecord {
    fn from(n: ClientNote) -> Self {
        NoteRecord {
            id: n.id,
            identifiers: n.details.identifiers.iter().map(Into::into).collect(),
            label: n.details.label,
            risk: n.details.risk,
            text: n.details.text,
            created_at: n.created_at,
            updated_at: n.updated_at,
        }
    }
}

pub(crate) struct NotesSection;

impl Section for NotesSection {
    fn name(&self) -> &'static str {
        "notes"
    }

    fn export(&self, session: &Session, sink: &mut RecordSink<'_>) -> Result<()> {
        let listing = session.screening(Region::GB).notes()?;
        for id in listing.unreadable {
            sink.unreadable(id);
        }
        for note in listing.items {
            sink.write(&NoteRecord::from(note))?;
        }
        Ok(())
    }

    fn import(
        &self,
        session: &Session,
        record: serde_json::Value,
        report: &mut SectionReport,
    ) -> Result<()> {
        let Some(r) = report.parse::<NoteRecord>(record, "note") else {
            return Ok(());
        };
        let identifiers = match r
            .identifiers
            .iter()
            .map(IdentifierRecord::normalize)
            .collect()
        {
            Ok(ids) => ids,
            Err(e) => {
                report.reject(Some(r.id), e.to_string());
                return Ok(());
            }
        };
        if r.updated_at < r.created_at {
            report.reject(Some(r.id), "updated before it was created");
            return Ok(());
        }
        let mut details = NoteDraft::new(&r.label, r.risk, identifiers);
        details.text = r.text;
        let note = ClientNote {
            id: r.id,
            details,
            created_at: r.created_at,
            updated_at: r.updated_at,
        };
        let screening = session.screening(Region::GB);
        let newer = match screening.get_note(&note.id) {
            Err(Error::NotFound(_)) => None,
            Ok(current) if current.updated_at < note.updated_at => Some(true),
            Ok(_) => Some(false),
            Err(Error::Tampered | Error::Decode(_)) => {
                report.reject(Some(note.id), "the vault's copy of this note is unreadable");
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        if newer == Some(false) {
            report.kept_existing += 1;
            return Ok(());
        }
        let id = note.id;
        match screening.restore_note(note) {
            Ok(_) if newer.is_none() => report.inserted += 1,
            Ok(_) => report.updated += 1,
            Err(e @ (Error::InvalidInput { .. } | Error::Screening(_))) => {
                report.reject(Some(id), e.to_string())
            }
            Err(e) => return Err(e),
        }
        Ok(())
    }
}
