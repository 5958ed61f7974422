//! The `report_drafts` section (since 1.3): the worker's dangerous-client report drafts.
//!
//! The record is the draft's own serde form (`reports::ReportDraft`, every field plain
//! text, numbers, booleans and the feeds' category names) with the id and times beside
//! it; `docs/export-format.md` documents it. A draft already in the vault is replaced only
//! by a strictly newer copy (`updated_at`), like every other record.

use serde::{Deserialize, Serialize};

use super::{
    found, invalid_reason, merge, parse_record, record_id, ImportState, RecordSink, Section,
    SectionReport,
};
use crate::clock::Timestamp;
use crate::reports::{Report, ReportDraft};
use crate::vault::{RecordId, Session};
use crate::Result;

/// One report draft as exported (format 1.3).
#[derive(Debug, Serialize, Deserialize)]
struct ReportRecord {
    id: RecordId,
    draft: ReportDraft,
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
                    draft: r.details,
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
            details: r.draft,
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
