//! Dangerous-client reports, joined with the capabilities they draw on: a draft started
//! from a booking, the report key of a trusted publisher (from its signed alerts feed),
//! and the note she may add to her own screening notes after sending. The reports module
//! reads none of those itself.

use super::{App, NoteDefaults};
use crate::clock::Timestamp;
use crate::export::age::X25519Recipient;
use crate::identifiers::IdentifierKind;
use crate::reports::{
    encrypt_report, suggested_file_name, Report, ReportDocument, ReportDraft, ReportIdentifier,
    Reports, RoughLocation,
};
use crate::screening::{ClientNote, Risk};
use crate::vault::RecordId;
use crate::{Error, Result};

/// The radius a draft started from a booking's coordinates gets, in metres.
const BOOKING_RADIUS_M: f64 = 2_000.0;

/// A publisher she trusts that takes reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRecipient {
    pub publisher_id: RecordId,
    pub publisher: String,
    /// `age1...`
    pub report_key: String,
}

/// A report file ready to hand over: the bytes and a name that says nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct SentReport {
    pub report: Report,
    pub file: Vec<u8>,
    pub file_name: String,
    pub publisher: String,
}

impl App {
    /// Report drafts (create, edit, delete, list): no rule beyond the capability's own.
    pub fn reports(&self) -> Reports<'_> {
        self.session.reports()
    }

    /// Starts a draft from a booking: its client's phone, e-mail and handle, its place
    /// (address as text, coordinates as a 2 km circle) and its start time. Her own label
    /// for the client is not copied: it is her private name for him, and may say more.
    pub fn start_report_from_booking(&self, booking: &RecordId, now: Timestamp) -> Result<Report> {
        let b = self.session.bookings().get(booking)?;
        let c = &b.details.client;
        let identifiers = [
            (IdentifierKind::Phone, &c.phone),
            (IdentifierKind::Email, &c.email),
            (IdentifierKind::Handle, &c.handle),
        ]
        .into_iter()
        .filter_map(|(kind, v)| {
            v.as_ref()
                .filter(|v| !v.trim().is_empty())
                .map(|v| ReportIdentifier {
                    kind,
                    value: v.clone(),
                })
        })
        .collect();
        let p = &b.details.place;
        let rough_location = match (p.latitude, p.longitude) {
            (Some(latitude), Some(longitude)) => Some(RoughLocation {
                latitude,
                longitude,
                radius_m: BOOKING_RADIUS_M,
            }),
            _ => None,
        };
        let draft = ReportDraft {
            occurred_at: Some(b.details.starts_at),
            place: p.address.clone().unwrap_or_default(),
            rough_location,
            identifiers,
            booking: Some(b.id),
            ..ReportDraft::default()
        };
        self.reports().add(draft, now)
    }

    /// The trusted publishers whose signed alerts feed announced a report key.
    pub fn report_recipients(&self) -> Result<Vec<ReportRecipient>> {
        Ok(self
            .session
            .feeds()
            .publishers()?
            .items
            .into_iter()
            .filter_map(|p| {
                p.report_key.map(|report_key| ReportRecipient {
                    publisher_id: p.id,
                    publisher: p.name,
                    report_key,
                })
            })
            .collect())
    }

    /// Encrypts draft `id` to the report key of the trusted publisher called `publisher`
    /// (or the only one that takes reports, when `None`), and records that it was sent.
    /// The shell hands `file` to the share sheet or writes it; nothing is sent from here.
    pub fn send_report(
        &self,
        id: &RecordId,
        publisher: Option<&str>,
        now: Timestamp,
    ) -> Result<SentReport> {
        let recipients = self.report_recipients()?;
        let none = || {
            Error::invalid(
                "publisher",
                "no trusted publisher takes reports yet (its signed alerts feed must announce a report key)",
            )
        };
        let recipient = match publisher {
            Some(name) => {
                if recipients.is_empty() {
                    return Err(none());
                }
                recipients
                    .into_iter()
                    .find(|r| crate::feeds::same_name(&r.publisher, name))
                    .ok_or(Error::NotFound("publisher"))?
            }
            None => {
                let mut all = recipients.into_iter();
                match (all.next(), all.next()) {
                    (Some(one), None) => one,
                    (None, _) => return Err(none()),
                    (Some(_), Some(_)) => {
                        return Err(Error::invalid(
                            "publisher",
                            "more than one trusted publisher takes reports; name one",
                        ))
                    }
                }
            }
        };
        let key: X25519Recipient = recipient
            .report_key
            .parse()
            .map_err(|_| Error::invalid("report key", "not an age X25519 recipient"))?;
        let report = self.reports().get(id)?;
        let doc = ReportDocument::from_draft(&report.details, self.region()?, now)?;
        let file = encrypt_report(&doc, &key)?;
        let report = self.reports().mark_sent(id, now)?;
        Ok(SentReport {
            report,
            file,
            file_name: suggested_file_name()?,
            publisher: recipient.publisher,
        })
    }

    /// Adds a note to her own screening notes from report `id` (offered after sending):
    /// its identifiers, `risk` (danger unless she says otherwise), and what she reported.
    pub fn note_from_report(
        &self,
        id: &RecordId,
        risk: Option<Risk>,
        now: Timestamp,
    ) -> Result<ClientNote> {
        let report = self.reports().get(id)?;
        let d = &report.details;
        if d.identifiers.is_empty() {
            return Err(Error::invalid(
                "note",
                "the report has no identifier to note",
            ));
        }
        let categories: Vec<&str> = d.categories.iter().map(|c| c.as_str()).collect();
        let mut text = format!("Reported: {}.", categories.join(", "));
        if !d.what_happened.trim().is_empty() {
            text.push(' ');
            text.push_str(d.what_happened.trim());
        }
        let text: String = text.chars().take(20_000).collect();
        self.add_note(
            NoteDefaults {
                label: None,
                risk: risk.unwrap_or(Risk::Danger),
                identifiers: d
                    .identifiers
                    .iter()
                    .map(|i| (i.kind, i.value.clone()))
                    .collect(),
                text,
            },
            now,
        )
    }
}
