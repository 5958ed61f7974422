//! Dangerous-client reports: the worker's half of an Ugly Mugs-style scheme, with no server.
//!
//! She drafts a report in the vault (sealed like every record), and when she is ready it
//! becomes one canonical document encrypted as a standard age file to a project's X25519
//! report key ([`document`]); she hands the file over through any channel she already
//! uses. The project decrypts the files it receives, merges duplicates into a review file
//! and signs what a person approved into its alert feed ([`review`], publisher tools).
//!
//! This module reads no other capability's records: starting a draft from a booking, the
//! report key of a trusted publisher and the note she may add afterwards are joined in the
//! application layer (`app::reports`). See `docs/reports.md`.

pub mod document;
pub mod review;
pub(crate) mod tables;

use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::identifiers::{normalize, Identifier, IdentifierKind, Region};
use crate::screening::AlertCategory;
use crate::vault::{Listing, RecordId, SealedTable, Session};
use crate::{Error, Result};

pub use document::{
    encrypt_report, open_report, suggested_file_name, Refusal, ReportDocument,
    MAX_REPORT_FILE_BYTES, PAD_BLOCK, REPORT_FORMAT, REPORT_VERSION,
};

const TABLE: &str = "report_drafts";
pub(crate) const MAX_SHORT_CHARS: usize = 500;
pub(crate) const MAX_TEXT_CHARS: usize = 10_000;
pub(crate) const MAX_DESCRIPTION_CHARS: usize = 2_000;
pub(crate) const MAX_CONTACT_CHARS: usize = 200;
pub(crate) const MAX_VALUE_CHARS: usize = 200;
/// Identifiers one report may carry (an alert allows 100; a report describes one man).
pub const MAX_REPORT_IDENTIFIERS: usize = 32;
/// The smallest radius a rough location is sent with, in metres.
pub const MIN_ROUGH_RADIUS_M: f64 = 1_000.0;
/// The largest radius of a rough location, in metres.
pub const MAX_ROUGH_RADIUS_M: f64 = 50_000.0;

/// A client identifier as she typed it. It is normalized (in her region) when the report
/// is sent, and again by the project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportIdentifier {
    pub kind: IdentifierKind,
    pub value: String,
}

/// Roughly where it happened: a circle, never an exact point (see [`RoughLocation::rounded`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RoughLocation {
    pub latitude: f64,
    pub longitude: f64,
    pub radius_m: f64,
}

impl RoughLocation {
    fn check(&self) -> Result<()> {
        if !self.latitude.is_finite() || !(-90.0..=90.0).contains(&self.latitude) {
            return Err(Error::invalid("latitude", "must be between -90 and 90"));
        }
        if !self.longitude.is_finite() || !(-180.0..=180.0).contains(&self.longitude) {
            return Err(Error::invalid("longitude", "must be between -180 and 180"));
        }
        if !self.radius_m.is_finite() || self.radius_m <= 0.0 || self.radius_m > MAX_ROUGH_RADIUS_M
        {
            return Err(Error::invalid(
                "radius",
                "must be more than 0 and at most 50 km",
            ));
        }
        Ok(())
    }

    /// What a sent report carries: coordinates rounded to 0.01° (about a kilometre) and a
    /// radius of at least [`MIN_ROUGH_RADIUS_M`], so the file never pins down her address.
    pub fn rounded(&self) -> Self {
        let round = |v: f64| (v * 100.0).round() / 100.0;
        Self {
            latitude: round(self.latitude),
            longitude: round(self.longitude),
            radius_m: self.radius_m.clamp(MIN_ROUGH_RADIUS_M, MAX_ROUGH_RADIUS_M),
        }
    }
}

/// What she writes in a report. Everything is optional while it is a draft; sending
/// needs a category and something that identifies him (see [`ReportDraft::check_sendable`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportDraft {
    /// When it happened, in her words ("Saturday night, about 11").
    #[serde(default)]
    pub when: String,
    /// When it happened, as a time, if she gives one (duplicates are matched on it).
    #[serde(default, with = "chrono::serde::ts_milliseconds_option")]
    pub occurred_at: Option<Timestamp>,
    /// Where, in her words ("hotel near the station").
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub rough_location: Option<RoughLocation>,
    /// What happened, in the categories the alert feeds use.
    #[serde(default)]
    pub categories: Vec<AlertCategory>,
    #[serde(default)]
    pub what_happened: String,
    /// Phone, e-mail, handle, plate, as typed.
    #[serde(default)]
    pub identifiers: Vec<ReportIdentifier>,
    /// What he looks like, his car, anything else that identifies him.
    #[serde(default)]
    pub description: String,
    /// Whether she agrees to the report being passed to the police. Default no.
    #[serde(default)]
    pub police_consent: bool,
    /// How the project may contact her; `None`: anonymous.
    #[serde(default)]
    pub contact: Option<String>,
    /// The booking the draft was started from (kept in the vault, never sent).
    #[serde(default)]
    pub booking: Option<RecordId>,
}

fn check_len(text: &str, max: usize, field: &'static str, reason: &'static str) -> Result<()> {
    if text.chars().count() > max {
        return Err(Error::invalid(field, reason));
    }
    Ok(())
}

impl ReportDraft {
    /// The checks every saved draft passes: sizes and ranges only.
    pub(crate) fn validate(&mut self) -> Result<()> {
        check_len(
            &self.when,
            MAX_SHORT_CHARS,
            "report time",
            "must be at most 500 characters",
        )?;
        check_len(
            &self.place,
            MAX_SHORT_CHARS,
            "report place",
            "must be at most 500 characters",
        )?;
        check_len(
            &self.what_happened,
            MAX_TEXT_CHARS,
            "what happened",
            "must be at most 10,000 characters",
        )?;
        check_len(
            &self.description,
            MAX_DESCRIPTION_CHARS,
            "client description",
            "must be at most 2,000 characters",
        )?;
        if let Some(t) = self.occurred_at {
            crate::clock::check_time(t, "report time")?;
        }
        if let Some(loc) = &self.rough_location {
            loc.check()?;
        }
        if let Some(c) = &self.contact {
            check_len(
                c,
                MAX_CONTACT_CHARS,
                "contact",
                "must be at most 200 characters",
            )?;
            if c.trim().is_empty() {
                self.contact = None;
            }
        }
        let mut seen = Vec::with_capacity(self.categories.len());
        for c in &self.categories {
            if !seen.contains(c) {
                seen.push(*c);
            }
        }
        self.categories = seen;
        self.identifiers.retain(|i| !i.value.trim().is_empty());
        if self.identifiers.len() > MAX_REPORT_IDENTIFIERS {
            return Err(Error::invalid(
                "report identifiers",
                "at most 32 per report",
            ));
        }
        for i in &self.identifiers {
            check_len(
                &i.value,
                MAX_VALUE_CHARS,
                "report identifier",
                "must be at most 200 characters",
            )?;
        }
        Ok(())
    }

    /// What sending needs beyond a valid draft: at least one category, something that
    /// identifies him, and every identifier readable in `region`. Returns the normalized
    /// identifiers. Errors name the field or the identifier's kind, never a value.
    pub fn check_sendable(&self, region: Region) -> Result<Vec<Identifier>> {
        if self.categories.is_empty() {
            return Err(Error::invalid(
                "report categories",
                "choose at least one category",
            ));
        }
        if self.identifiers.is_empty() && self.description.trim().is_empty() {
            return Err(Error::invalid(
                "report",
                "needs an identifier of the client or a description of him",
            ));
        }
        self.identifiers
            .iter()
            .map(|i| normalize(i.kind, &i.value, region))
            .collect()
    }
}

/// A stored draft.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub id: RecordId,
    pub details: ReportDraft,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub created_at: Timestamp,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub updated_at: Timestamp,
    /// When a report file was last made from it; `None`: never sent.
    #[serde(default, with = "chrono::serde::ts_milliseconds_option")]
    pub sent_at: Option<Timestamp>,
}

/// The report drafts of an unlocked vault.
pub struct Reports<'s> {
    session: &'s Session,
}

impl Session {
    pub fn reports(&self) -> Reports<'_> {
        Reports { session: self }
    }
}

impl Reports<'_> {
    fn table(&self) -> SealedTable<'_, Report> {
        SealedTable::new(self.session, TABLE, "report")
    }

    pub fn add(&self, mut draft: ReportDraft, now: Timestamp) -> Result<Report> {
        draft.validate()?;
        let report = Report {
            id: self.session.new_id()?,
            details: draft,
            created_at: now,
            updated_at: now,
            sent_at: None,
        };
        self.table().insert(&report.id, &report)?;
        Ok(report)
    }

    pub fn get(&self, id: &RecordId) -> Result<Report> {
        self.table().get(id)
    }

    /// Replaces a draft's details; keeps its id, creation and sending times, and the
    /// booking it was started from when `details` names none (a shell's form has no such
    /// field).
    pub fn update(
        &self,
        id: &RecordId,
        mut details: ReportDraft,
        now: Timestamp,
    ) -> Result<Report> {
        details.validate()?;
        let existing = self.get(id)?;
        if details.booking.is_none() {
            details.booking = existing.details.booking;
        }
        let report = Report {
            id: *id,
            details,
            created_at: existing.created_at,
            updated_at: now.max(existing.updated_at),
            sent_at: existing.sent_at,
        };
        self.table().update(id, &report)?;
        Ok(report)
    }

    /// Records that a report file was made from the draft.
    pub fn mark_sent(&self, id: &RecordId, now: Timestamp) -> Result<Report> {
        let mut report = self.get(id)?;
        report.sent_at = Some(now);
        report.updated_at = now.max(report.updated_at);
        self.table().update(id, &report)?;
        Ok(report)
    }

    /// Deletes a draft (the WAL is flushed, so its text does not linger there).
    pub fn delete(&self, id: &RecordId) -> Result<()> {
        self.table().delete(id)
    }

    /// Every draft, newest change first; rows that fail to open are reported by id.
    pub fn list(&self) -> Result<Listing<Report>> {
        let mut listing = self.table().list()?;
        crate::sort::sort_by(&mut listing.items, |a, b| {
            b.updated_at.cmp(&a.updated_at).then(a.id.cmp(&b.id))
        });
        Ok(listing)
    }

    /// Stores `report` exactly as given (import only; the caller validated it).
    pub(crate) fn put_raw(&self, report: &Report) -> Result<()> {
        self.table().upsert(&report.id, report)
    }

    /// Visits every stored draft in id order (export).
    pub(crate) fn for_each_stored(
        &self,
        visit: impl FnMut(RecordId, Result<Report>) -> Result<()>,
    ) -> Result<()> {
        self.table().for_each(visit)
    }
}

impl Report {
    /// Checks an imported record as `add` would check a new one.
    pub(crate) fn validate(&mut self) -> Result<()> {
        self.details.validate()?;
        if self.updated_at < self.created_at {
            return Err(Error::invalid("report", "updated before it was created"));
        }
        Ok(())
    }
}
