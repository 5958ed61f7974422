//! Bookings with the rules a shell would otherwise copy: a client's phone number is
//! checked like a buddy's, a booking far from a check-in's time is pointed out, and
//! screening learns how often the worker has booked a client before.

use chrono::Duration;

use super::App;
use crate::bookings::{Booking, BookingDraft, BookingStatus, TimeRange};
use crate::clock::Timestamp;
use crate::identifiers::{detect, normalize, normalize_phone, Identifier, IdentifierKind};
use crate::screening::Region;
use crate::vault::RecordId;
use crate::Result;

/// How far a covered booking may lie outside a check-in's time before the worker is told:
/// an hour covers travel and a booking that starts a little after the deadline.
pub const COVERED_BOOKING_SLACK_MINUTES: i64 = 60;

/// A check-in covering a booking at another time: its buddy messages would describe the
/// wrong meeting. Returned to the shell to show before (or after) arming.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookingTiming {
    /// The booking starts this long after the check-in's deadline.
    StartsAfterDeadline { minutes: i64 },
    /// The booking was over this long before the check-in was armed.
    EndedBeforeArming { minutes: i64 },
}

/// The worker's own bookings with a client screening was asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SeenInBookings {
    /// Every booking with this client (past, future, cancelled or not).
    pub bookings: usize,
    /// The start of the latest one that has begun, if any.
    pub last: Option<Timestamp>,
    /// The start of the next one still to come, if any.
    pub next: Option<Timestamp>,
    /// Of those bookings, how many she marked as an incident or a no-show.
    pub incidents: usize,
    pub no_shows: usize,
}

impl App {
    /// A booking's client phone, when given, must be a number (read in the session's
    /// region, like a buddy's); it is stored in E.164 so screening and the check-in
    /// messages agree whatever the region later becomes. Blank means none.
    fn checked_booking(&self, mut draft: BookingDraft) -> Result<BookingDraft> {
        draft.client.phone = match draft.client.phone.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => Some(normalize_phone(raw, self.region()?)?),
        };
        Ok(draft)
    }

    /// Logs a booking (see [`Self::update_booking`] for the checks).
    pub fn add_booking(&self, draft: BookingDraft, now: Timestamp) -> Result<Booking> {
        let draft = self.checked_booking(draft)?;
        self.session.bookings().add(draft, now)
    }

    /// Replaces a booking's details. A phone number that is not one is refused with
    /// [`crate::identifiers::IdentifierError`] and nothing is stored.
    pub fn update_booking(
        &self,
        id: &RecordId,
        draft: BookingDraft,
        now: Timestamp,
    ) -> Result<Booking> {
        let draft = self.checked_booking(draft)?;
        self.session.bookings().update(id, draft, now)
    }

    /// Says how a booking went (done, cancelled, no-show, incident; or planned again).
    pub fn set_booking_status(
        &self,
        id: &RecordId,
        status: BookingStatus,
        now: Timestamp,
    ) -> Result<Booking> {
        self.session.bookings().set_status(id, status, now)
    }

    /// Whether the booking `id` lies well outside a check-in from `now` to `deadline`
    /// (more than [`COVERED_BOOKING_SLACK_MINUTES`] either side). `None`: it fits.
    pub fn covered_booking_timing(
        &self,
        id: &RecordId,
        now: Timestamp,
        deadline: Timestamp,
    ) -> Result<Option<BookingTiming>> {
        Ok(booking_timing(
            &self.session.bookings().get(id)?,
            now,
            deadline,
        ))
    }

    /// How often the worker booked the client `raw` names (a phone number, e-mail or
    /// handle, recognised as screening does, in the session's region): "seen in 2
    /// bookings, last 28 Nov". Only exact matches of the normalized identifier count.
    /// Input that is not an identifier gives the recognition error, as screening does.
    pub fn seen_in_bookings(&self, raw: &str, now: Timestamp) -> Result<SeenInBookings> {
        let region = self.region()?;
        let wanted = detect(raw, region)?;
        let mut seen = SeenInBookings::default();
        for b in self.session.bookings().list(TimeRange::default())?.items {
            if !booking_identifiers(&b, region).any(|id| id == wanted) {
                continue;
            }
            seen.bookings += 1;
            let at = b.details.starts_at;
            if at <= now {
                seen.last = seen.last.max(Some(at));
            } else {
                seen.next = Some(seen.next.map_or(at, |n| n.min(at)));
            }
            match b.details.status {
                BookingStatus::Incident => seen.incidents += 1,
                BookingStatus::NoShow => seen.no_shows += 1,
                _ => {}
            }
        }
        Ok(seen)
    }
}

/// The identifiers a booking's client was entered with that normalize in `region`
/// (booking fields are free text: those that do not are left out).
pub(crate) fn booking_identifiers(
    b: &Booking,
    region: Region,
) -> impl Iterator<Item = Identifier> + '_ {
    let c = &b.details.client;
    [
        c.phone
            .as_deref()
            .map(|p| normalize(IdentifierKind::Phone, p, region)),
        c.email
            .as_deref()
            .map(|e| normalize(IdentifierKind::Email, e, region)),
        c.handle.as_deref().map(|h| detect(h, region)),
    ]
    .into_iter()
    .flatten()
    .filter_map(|r| r.ok())
}

/// See [`App::covered_booking_timing`].
pub fn booking_timing(
    booking: &Booking,
    now: Timestamp,
    deadline: Timestamp,
) -> Option<BookingTiming> {
    let slack = Duration::minutes(COVERED_BOOKING_SLACK_MINUTES);
    let d = &booking.details;
    let end = d.ends_at.unwrap_or(d.starts_at);
    if d.starts_at > deadline + slack {
        return Some(BookingTiming::StartsAfterDeadline {
            minutes: (d.starts_at - deadline).num_minutes(),
        });
    }
    if end + slack < now {
        return Some(BookingTiming::EndedBeforeArming {
            minutes: (now - end).num_minutes(),
        });
    }
    None
}
