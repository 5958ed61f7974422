//! The `bookings` section: every booking with its id and times.

use rusqlite::OptionalExtension;

use super::{RecordSink, Section, SectionReport};
use crate::bookings::Booking;
use crate::vault::{RecordId, Session};
use crate::{Error, Result};

const TABLE: &str = "bookings";

pub(crate) struct BookingsSection;

impl Section for BookingsSection {
    fn name(&self) -> &'static str {
        "bookings"
    }

    fn export(&self, session: &Session, sink: &mut RecordSink<'_>) -> Result<()> {
        // Row by row: never the whole log in memory. Ordered by id for a stable output.
        let mut stmt = session
            .conn()
            .prepare("SELECT id, body FROM bookings ORDER BY id")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let id: RecordId = row.get(0)?;
            let body: Vec<u8> = row.get(1)?;
            match session.open::<Booking>(TABLE, &id, &body) {
                Ok(booking) => sink.write(&booking)?,
                Err(Error::Tampered | Error::Decode(_)) => sink.unreadable(id),
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn import(
        &self,
        session: &Session,
        record: serde_json::Value,
        report: &mut SectionReport,
    ) -> Result<()> {
        let id = record
            .get("id")
            .and_then(|v| v.as_str())
            .and_then(|s| s.parse::<RecordId>().ok());
        let booking: Booking = match serde_json::from_value(record) {
            Ok(b) => b,
            Err(_) => {
                report.reject(id, "not a valid booking record");
                return Ok(());
            }
        };
        if let Err(Error::InvalidInput { field, reason }) = booking.details.validate() {
            report.reject(Some(booking.id), format!("invalid {field}: {reason}"));
            return Ok(());
        }
        if booking.updated_at < booking.created_at {
            report.reject(Some(booking.id), "updated before it was created");
            return Ok(());
        }
        let existing: Option<Vec<u8>> = session
            .conn()
            .prepare_cached("SELECT body FROM bookings WHERE id = ?1")?
            .query_row([&booking.id], |r| r.get(0))
            .optional()?;
        match existing {
            None => {
                session.bookings().put_raw(&booking)?;
                report.inserted += 1;
            }
            Some(body) => match session.open::<Booking>(TABLE, &booking.id, &body) {
                Ok(current) if current.updated_at < booking.updated_at => {
                    session.bookings().put_raw(&booking)?;
                    report.updated += 1;
                }
                Ok(_) => report.kept_existing += 1,
                // Never overwrite what cannot be compared; the user decides.
                Err(Error::Tampered | Error::Decode(_)) => {
                    report.reject(
                        Some(booking.id),
                        "the vault's copy of this booking is unreadable",
                    );
                }
                Err(e) => return Err(e),
            },
        }
        Ok(())
    }
}
