//! The `bookings` section: every booking with its id and times.
//!
//! The record shape is defined here, not borrowed from the bookings module's serde
//! derives: those describe the sealed storage format (which may change freely, e.g. to
//! integer timestamps), while this is a published format that changes only by the rules in
//! `docs/export-format.md`. The conversions are exhaustive struct literals, so a new field
//! in `Booking` fails to compile here until the export handles it.

use serde::{Deserialize, Serialize};

use super::{
    found, invalid_reason, merge, parse_record, record_id, ImportState, RecordSink, Section,
    SectionReport,
};
use crate::bookings::{Booking, BookingDraft, BookingKind, BookingStatus, Client, Place};
use crate::clock::Timestamp;
use crate::vault::{RecordId, Session};
use crate::Result;

/// One booking as exported (format version 1).
#[derive(Debug, Serialize, Deserialize)]
struct BookingRecord {
    id: RecordId,
    client: ClientRecord,
    starts_at: Timestamp,
    #[serde(default)]
    ends_at: Option<Timestamp>,
    kind: KindRecord,
    #[serde(default)]
    place: PlaceRecord,
    #[serde(default)]
    terms: Option<String>,
    #[serde(default)]
    notes: Option<String>,
    status: StatusRecord,
    created_at: Timestamp,
    updated_at: Timestamp,
}

#[derive(Debug, Serialize, Deserialize)]
struct ClientRecord {
    label: String,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    handle: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct PlaceRecord {
    #[serde(default)]
    address: Option<String>,
    #[serde(default)]
    latitude: Option<f64>,
    #[serde(default)]
    longitude: Option<f64>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum KindRecord {
    Incall,
    Outcall,
    Video,
    Other,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum StatusRecord {
    Planned,
    InProgress,
    Done,
    Cancelled,
    NoShow,
    Incident,
}

impl From<Booking> for BookingRecord {
    fn from(b: Booking) -> Self {
        let BookingDraft {
            client,
            starts_at,
            ends_at,
            kind,
            place,
            terms,
            notes,
            status,
        } = b.details;
        let Client {
            label,
            phone,
            email,
            handle,
        } = client;
        let Place {
            address,
            latitude,
            longitude,
        } = place;
        BookingRecord {
            id: b.id,
            client: ClientRecord {
                label,
                phone,
                email,
                handle,
            },
            starts_at,
            ends_at,
            kind: match kind {
                BookingKind::Incall => KindRecord::Incall,
                BookingKind::Outcall => KindRecord::Outcall,
                BookingKind::Video => KindRecord::Video,
                BookingKind::Other => KindRecord::Other,
            },
            place: PlaceRecord {
                address,
                latitude,
                longitude,
            },
            terms,
            notes,
            status: match status {
                BookingStatus::Planned => StatusRecord::Planned,
                BookingStatus::InProgress => StatusRecord::InProgress,
                BookingStatus::Done => StatusRecord::Done,
                BookingStatus::Cancelled => StatusRecord::Cancelled,
                BookingStatus::NoShow => StatusRecord::NoShow,
                BookingStatus::Incident => StatusRecord::Incident,
            },
            created_at: b.created_at,
            updated_at: b.updated_at,
        }
    }
}

impl From<BookingRecord> for Booking {
    fn from(r: BookingRecord) -> Self {
        Booking {
            id: r.id,
            details: BookingDraft {
                client: Client {
                    label: r.client.label,
                    phone: r.client.phone,
                    email: r.client.email,
                    handle: r.client.handle,
                },
                starts_at: r.starts_at,
                ends_at: r.ends_at,
                kind: match r.kind {
                    KindRecord::Incall => BookingKind::Incall,
                    KindRecord::Outcall => BookingKind::Outcall,
                    KindRecord::Video => BookingKind::Video,
                    KindRecord::Other => BookingKind::Other,
                },
                place: Place {
                    address: r.place.address,
                    latitude: r.place.latitude,
                    longitude: r.place.longitude,
                },
                terms: r.terms,
                notes: r.notes,
                status: match r.status {
                    StatusRecord::Planned => BookingStatus::Planned,
                    StatusRecord::InProgress => BookingStatus::InProgress,
                    StatusRecord::Done => BookingStatus::Done,
                    StatusRecord::Cancelled => BookingStatus::Cancelled,
                    StatusRecord::NoShow => BookingStatus::NoShow,
                    StatusRecord::Incident => BookingStatus::Incident,
                },
            },
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

pub(crate) struct BookingsSection;

impl Section for BookingsSection {
    fn name(&self) -> &'static str {
        "bookings"
    }

    fn export(&self, session: &Session, sink: &mut RecordSink<'_>) -> Result<()> {
        // Row by row: never the whole log in memory.
        session
            .bookings()
            .for_each_stored(|id, opened| sink.write_opened(id, opened.map(BookingRecord::from)))
    }

    fn import(
        &self,
        session: &Session,
        record: serde_json::Value,
        report: &mut SectionReport,
        _state: &mut ImportState,
    ) -> Result<()> {
        let Some(r) = parse_record::<BookingRecord>(record, report, record_id, "booking") else {
            return Ok(());
        };
        let booking = Booking::from(r);
        if let Err(e) = booking.details.validate() {
            report.reject(Some(booking.id), invalid_reason(e));
            return Ok(());
        }
        if booking.updated_at < booking.created_at {
            report.reject(Some(booking.id), "updated before it was created");
            return Ok(());
        }
        let bookings = session.bookings();
        merge(
            report,
            booking.id,
            "the vault's copy of this booking is unreadable",
            || found(bookings.get(&booking.id)),
            |current| current.updated_at < booking.updated_at,
            |_| bookings.put_raw(&booking).map(Ok),
        )?;
        Ok(())
    }
}
