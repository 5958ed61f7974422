//! The `report_drafts` section (since 1.3): the worker's dangerous-client report drafts.
//!
//! The record shape is defined here (times as RFC 3339, as in every section), converted
//! with exhaustive struct literals so a new draft field fails to compile until the export
//! carries it; `docs/export-format.md` documents it. A draft already in the vault is
//! replaced only by a strictly newer copy (`updated_at`), like every other record.

use serde::{Deserialize, Serialize};

use super::{
    found, invalid_reason, merge, parse_record, record_id, ImportState, RecordSink, Section,
    SectionReport,
};
use crate::clock::Timestamp;
use crate::reports::{Report, ReportDraft, ReportIdentifier, RoughLocation};
use crate::screening::AlertCategory;
use crate::vault::{RecordId, Session};
use crate::Result;

/// What she wrote, as exported (format 1.3).
#[derive(Debug, Serialize, Deserialize)]
struct DraftRecord {
    #[serde(default)]
    when: String,
    #[serde(default)]
    occurred_at: Option<Timestamp>,
    #[serde(default)]
    place: String,
    #[serde(default)]
    rough_location: Option<RoughLocation>,
    #[serde(default)]
    categories: Vec<AlertCategory>,
    #[serde(default)]
    what_happened: String,
    #[serde(default)]
    identifiers: Vec<ReportIdentifier>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    police_consent: bool,
    #[serde(default)]
    contact: Option<String>,
    #[serde(default)]
    booking: Option<RecordId>,
}

impl From<ReportDraft> for DraftRecord {
    fn from(d: ReportDraft) -> Self {
        let ReportDraft {
            when,
            occurred_at,
            place,
            rough_location,
            categories,
            what_happened,
            identifiers,
            description,
            police_consent,
            contact,
            booking,
        } = d;
        DraftRecord {
            when,
            occurred_at,
            place,
            rough_location,
            categories,
            what_happened,
            identifiers,
            description,
            police_consent,
            contact,
            booking,
        }
    }
}

impl From<DraftRecord> for ReportDraft {
    fn from(d: DraftRecord) -> Self {
        ReportDraft {
            when: d.when,
            occurred_at: d.occurred_at,
            place: d.place,
            rough_location: d.rough_location,
            categories: d.categories,
            what_happened: d.what_happened,
            identifiers: d.identifiers,
            description: d.description,
            police_consent: d.police_consent,
            contact: d.contact,
            booking: d.booking,
        }
    }
}

/// One report draft as exported (format 1.3).
#[derive(Debug, Serialize, Deserialize)]
struct ReportRecord {
    id: RecordId,
    draft: DraftRecord,
    created_at: Timestamp,
    updated_at: Timestamp,
    #[serde(default)]
    sent_at: Option<Timestamp>,
}

pub(crate) struct ReportsSection;

impl Section for ReportsSection {
    fn name(&self) -> &'static str {
        "report_drafts"
    }

    fn export(&self, session: &Session, sink: &mut RecordSink<'_>) -> Result<()> {
        session.reports().for_each_stored(|id, opened| {
            sink.write_opened(
                id,
                opened.map(|r| ReportRecord {
                    id: r.id,
                    draft: r.details.into(),
                    created_at: r.created_at,
                    updated_at: r.updated_at,
                    sent_at: r.sent_at,
                }),
            )
        })
    }

    fn import(
        &self,
        session: &Session,
        record: serde_json::Value,
        report: &mut SectionReport,
        _state: &mut ImportState,
    ) -> Result<()> {
        let Some(r) = parse_record::<ReportRecord>(record, report, record_id, "report draft")
        else {
            return Ok(());
        };
        let mut incoming = Report {
            id: r.id,
            details: r.draft.into(),
            created_at: r.created_at,
            updated_at: r.updated_at,
            sent_at: r.sent_at,
        };
        if let Err(e) = incoming.validate() {
            report.reject(Some(incoming.id), invalid_reason(e));
            return Ok(());
        }
        let reports = session.reports();
        merge(
            report,
            incoming.id,
            "the vault's copy of this report draft is unreadable",
            || found(reports.get(&incoming.id)),
            |current| current.updated_at < incoming.updated_at,
            |_| reports.put_raw(&incoming).map(Ok),
        )?;
        Ok(())
    }
}
