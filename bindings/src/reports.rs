//! Dangerous-client reports as the shells see them (see docs/reports.md): draft records,
//! the encrypted file to hand to the share sheet, the publishers that take reports.

use std::time::SystemTime;

use vigil_core::reports as r;
use vigil_core::screening::AlertCategory;

use crate::error::Result;
use crate::types::{from_time, parse_id, to_time};

/// A rough location: sent rounded to about a kilometre, with a radius of at least 1 km.
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct RoughLocation {
    pub latitude: f64,
    pub longitude: f64,
    pub radius_m: f64,
}

/// A client identifier as typed; `kind` is `phone`, `email`, `handle` or `plate`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReportIdentifier {
    pub kind: String,
    pub value: String,
}

/// What the worker writes in a report. Everything may stay empty in a draft; sending needs
/// a category and an identifier or a description.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ReportInput {
    pub when: String,
    pub occurred_at: Option<SystemTime>,
    pub place: String,
    pub rough_location: Option<RoughLocation>,
    pub categories: Vec<AlertCategory>,
    pub what_happened: String,
    pub identifiers: Vec<ReportIdentifier>,
    pub description: String,
    /// Default no.
    pub police_consent: bool,
    /// `None`: anonymous.
    pub contact: Option<String>,
}

/// A stored draft.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ReportDraft {
    pub id: String,
    pub input: ReportInput,
    /// The booking it was started from, if any (never sent).
    pub booking_id: Option<String>,
    pub created_at: SystemTime,
    pub updated_at: SystemTime,
    /// When a report file was last made from it.
    pub sent_at: Option<SystemTime>,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ReportListing {
    pub items: Vec<ReportDraft>,
    /// Drafts that failed authentication (tampered or corrupt): say so.
    pub unreadable: Vec<String>,
}

/// The file to hand to the share sheet: an age file only the project can read, under a
/// name that says nothing.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct EncryptedReport {
    pub file: Vec<u8>,
    pub file_name: String,
    pub publisher: String,
    pub draft: ReportDraft,
}

/// A trusted publisher whose signed feed carries a report key.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReportRecipient {
    pub publisher_id: String,
    pub publisher: String,
    /// `age1...`
    pub report_key: String,
}

impl ReportInput {
    pub(crate) fn to_core(&self) -> Result<r::ReportDraft> {
        let identifiers = self
            .identifiers
            .iter()
            .map(|i| {
                let kind = r::review::identifier_kind(i.kind.trim()).ok_or(
                    vigil_core::Error::InvalidInput {
                        field: "identifier kind",
                        reason: "must be phone, email, handle or plate",
                    },
                )?;
                Ok(r::ReportIdentifier {
                    kind,
                    value: i.value.clone(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(r::ReportDraft {
            when: self.when.clone(),
            occurred_at: self.occurred_at.map(to_time).transpose()?,
            place: self.place.clone(),
            rough_location: self.rough_location.map(|l| r::RoughLocation {
                latitude: l.latitude,
                longitude: l.longitude,
                radius_m: l.radius_m,
            }),
            categories: self.categories.clone(),
            what_happened: self.what_happened.clone(),
            identifiers,
            description: self.description.clone(),
            police_consent: self.police_consent,
            contact: self.contact.clone(),
            booking: None,
        })
    }
}

fn kind_name(k: vigil_core::identifiers::IdentifierKind) -> &'static str {
    use vigil_core::identifiers::IdentifierKind as K;
    match k {
        K::Phone => "phone",
        K::Email => "email",
        K::Handle => "handle",
        K::Plate => "plate",
    }
}

impl From<r::Report> for ReportDraft {
    fn from(rep: r::Report) -> Self {
        let d = rep.details;
        ReportDraft {
            id: rep.id.to_string(),
            input: ReportInput {
                when: d.when,
                occurred_at: d.occurred_at.map(from_time),
                place: d.place,
                rough_location: d.rough_location.map(|l| RoughLocation {
                    latitude: l.latitude,
                    longitude: l.longitude,
                    radius_m: l.radius_m,
                }),
                categories: d.categories,
                what_happened: d.what_happened,
                identifiers: d
                    .identifiers
                    .into_iter()
                    .map(|i| ReportIdentifier {
                        kind: kind_name(i.kind).to_owned(),
                        value: i.value,
                    })
                    .collect(),
                description: d.description,
                police_consent: d.police_consent,
                contact: d.contact,
            },
            booking_id: d.booking.map(|b| b.to_string()),
            created_at: from_time(rep.created_at),
            updated_at: from_time(rep.updated_at),
            sent_at: rep.sent_at.map(from_time),
        }
    }
}

impl From<vigil_core::vault::Listing<r::Report>> for ReportListing {
    fn from(l: vigil_core::vault::Listing<r::Report>) -> Self {
        ReportListing {
            items: l.items.into_iter().map(Into::into).collect(),
            unreadable: l.unreadable.iter().map(ToString::to_string).collect(),
        }
    }
}

impl From<vigil_core::app::SentReport> for EncryptedReport {
    fn from(s: vigil_core::app::SentReport) -> Self {
        EncryptedReport {
            file: s.file,
            file_name: s.file_name,
            publisher: s.publisher,
            draft: s.report.into(),
        }
    }
}

impl From<vigil_core::app::ReportRecipient> for ReportRecipient {
    fn from(r: vigil_core::app::ReportRecipient) -> Self {
        ReportRecipient {
            publisher_id: r.publisher_id.to_string(),
            publisher: r.publisher,
            report_key: r.report_key,
        }
    }
}

pub(crate) fn id(text: &str) -> Result<vigil_core::vault::RecordId> {
    parse_id(text)
}
