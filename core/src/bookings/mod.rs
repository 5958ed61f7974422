//! The booking log: who, where, when, and how it went.
//!
//! Every field, the times included, is sealed in one blob per booking; the table holds
//! nothing but a random id and that blob. Listing by time range therefore opens every
//! booking and filters in memory, which is fast enough at the scale of one person's log
//! (see `docs/PERFORMANCE.md`).

pub(crate) mod tables;

use std::collections::BinaryHeap;

use chrono::Duration;
use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::vault::{is_damage, Listing, RecordId, SealedTable, Session};
use crate::{Error, Result};

const TABLE: &str = "bookings";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum BookingKind {
    Incall,
    Outcall,
    Video,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum BookingStatus {
    Planned,
    InProgress,
    Done,
    Cancelled,
    /// The client did not come (or was not there).
    NoShow,
    Incident,
}

impl BookingKind {
    pub const ALL: [BookingKind; 4] = [
        BookingKind::Incall,
        BookingKind::Outcall,
        BookingKind::Video,
        BookingKind::Other,
    ];

    /// The stored name (as in the export).
    pub fn as_str(self) -> &'static str {
        match self {
            BookingKind::Incall => "incall",
            BookingKind::Outcall => "outcall",
            BookingKind::Video => "video",
            BookingKind::Other => "other",
        }
    }
}

impl BookingStatus {
    pub const ALL: [BookingStatus; 6] = [
        BookingStatus::Planned,
        BookingStatus::InProgress,
        BookingStatus::Done,
        BookingStatus::Cancelled,
        BookingStatus::NoShow,
        BookingStatus::Incident,
    ];

    /// The stored name (as in the export).
    pub fn as_str(self) -> &'static str {
        match self {
            BookingStatus::Planned => "planned",
            BookingStatus::InProgress => "in_progress",
            BookingStatus::Done => "done",
            BookingStatus::Cancelled => "cancelled",
            BookingStatus::NoShow => "no_show",
            BookingStatus::Incident => "incident",
        }
    }

    /// Whether the worker has said how the booking went (anything but planned or in
    /// progress).
    pub fn is_settled(self) -> bool {
        !matches!(self, BookingStatus::Planned | BookingStatus::InProgress)
    }
}

/// Who the booking is with. The identifiers are stored as entered; screening normalizes
/// them when it links bookings to client notes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Client {
    pub label: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub handle: Option<String>,
}

/// Where the booking happens.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Place {
    pub address: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

/// What the caller supplies to add or update a booking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookingDraft {
    pub client: Client,
    // Milliseconds inside the sealed record: parsing RFC 3339 strings was a large share of
    // the cost of listing.
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub starts_at: Timestamp,
    /// End time; `None` when open-ended.
    #[serde(with = "chrono::serde::ts_milliseconds_option")]
    pub ends_at: Option<Timestamp>,
    pub kind: BookingKind,
    pub place: Place,
    pub terms: Option<String>,
    pub notes: Option<String>,
    pub status: BookingStatus,
}

impl BookingDraft {
    /// A planned booking of `minutes` from `starts_at`, with everything else empty.
    pub fn new(client_label: &str, starts_at: Timestamp, minutes: i64, kind: BookingKind) -> Self {
        Self {
            client: Client {
                label: client_label.to_owned(),
                ..Client::default()
            },
            starts_at,
            ends_at: Some(starts_at + Duration::minutes(minutes)),
            kind,
            place: Place::default(),
            terms: None,
            notes: None,
            status: BookingStatus::Planned,
        }
    }

    pub(crate) fn validate(&self) -> Result<()> {
        if self.client.label.trim().is_empty() {
            return Err(Error::invalid("client label", "must not be empty"));
        }
        // Inside the range every shell can hold, so the booking can always be shown.
        crate::clock::check_time(self.starts_at, "start time")?;
        if let Some(end) = self.ends_at {
            crate::clock::check_time(end, "end time")?;
            if end <= self.starts_at {
                return Err(Error::invalid("end time", "must be after the start time"));
            }
        }
        match (self.place.latitude, self.place.longitude) {
            (None, None) => {}
            (Some(lat), Some(lon)) => {
                if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
                    return Err(Error::invalid("latitude", "must be between -90 and 90"));
                }
                if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
                    return Err(Error::invalid("longitude", "must be between -180 and 180"));
                }
            }
            _ => {
                return Err(Error::invalid(
                    "coordinates",
                    "latitude and longitude must be given together",
                ))
            }
        }
        Ok(())
    }
}

/// A stored booking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Booking {
    pub id: RecordId,
    pub details: BookingDraft,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// What is sealed for a booking: everything but the id, which is the row's key (and is
/// bound to the blob through the associated data).
#[derive(Serialize, Deserialize)]
struct SealedBooking<'a> {
    details: std::borrow::Cow<'a, BookingDraft>,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    created_at: Timestamp,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    updated_at: Timestamp,
}

impl<'a> From<&'a Booking> for SealedBooking<'a> {
    fn from(b: &'a Booking) -> Self {
        Self {
            details: std::borrow::Cow::Borrowed(&b.details),
            created_at: b.created_at,
            updated_at: b.updated_at,
        }
    }
}

impl SealedBooking<'_> {
    fn into_booking(self, id: RecordId) -> Booking {
        Booking {
            id,
            details: self.details.into_owned(),
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

impl Booking {
    /// Length of the booking, when it has an end.
    pub fn duration(&self) -> Option<Duration> {
        self.details.ends_at.map(|end| end - self.details.starts_at)
    }

    /// Whether the booking is over (its end, or its start when open-ended, is before
    /// `now`) and still planned or in progress: "past, no status". A past booking is never
    /// marked done by itself, because only the worker knows whether it happened, was
    /// cancelled or was a no-show; the shells show these as waiting for her word.
    pub fn awaiting_outcome(&self, now: Timestamp) -> bool {
        let over = self.details.ends_at.unwrap_or(self.details.starts_at);
        over <= now && !self.details.status.is_settled()
    }
}

/// A booking's place in the newest-first order of listings (later start first, then by
/// id): a page ends at one, and the next page starts after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookingCursor {
    pub starts_at: Timestamp,
    pub id: RecordId,
}

impl BookingCursor {
    pub fn of(b: &Booking) -> Self {
        Self {
            starts_at: b.details.starts_at,
            id: b.id,
        }
    }
}

/// As text (for the bindings and the command line): `<start in ms since 1970>.<id hex>`,
/// opaque to whoever passes it back.
impl std::fmt::Display for BookingCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.starts_at.timestamp_millis(), self.id)
    }
}

impl std::str::FromStr for BookingCursor {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let bad = || Error::invalid("page cursor", "not one this app returned");
        let (ms, id) = s.trim().split_once('.').ok_or_else(bad)?;
        let starts_at = ms
            .parse::<i64>()
            .ok()
            .and_then(chrono::DateTime::from_timestamp_millis)
            .ok_or_else(bad)?;
        Ok(Self {
            starts_at,
            id: id.parse().map_err(|_| bad())?,
        })
    }
}

impl Ord for BookingCursor {
    /// Newest first: a later start sorts before an earlier one; ties by id.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other
            .starts_at
            .cmp(&self.starts_at)
            .then(self.id.cmp(&other.id))
    }
}

impl PartialOrd for BookingCursor {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// One page of [`Bookings::list_page`].
#[derive(Debug, Clone, Default)]
pub struct BookingPage {
    /// Newest first.
    pub items: Vec<Booking>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<BookingCursor>,
    /// Rows of the whole log that failed to open (tampered or corrupt), on every page.
    pub unreadable_count: usize,
    /// The ids of such rows, on the first page only, at most `limit` of them.
    pub unreadable: Vec<RecordId>,
}

/// A booking kept for a page, ordered by its cursor.
struct Ordered {
    key: BookingCursor,
    booking: Booking,
}

impl PartialEq for Ordered {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for Ordered {}

impl PartialOrd for Ordered {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ordered {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key.cmp(&other.key)
    }
}

/// An inclusive time window over booking start times; open on a side left `None`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeRange {
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
}

impl TimeRange {
    fn contains(&self, t: Timestamp) -> bool {
        self.from.is_none_or(|from| t >= from) && self.to.is_none_or(|to| t <= to)
    }
}

/// The booking log of an unlocked vault.
pub struct Bookings<'s> {
    session: &'s Session,
}

impl Session {
    pub fn bookings(&self) -> Bookings<'_> {
        Bookings { session: self }
    }
}

impl Bookings<'_> {
    /// The sealed rows of the bookings table.
    fn table(&self) -> SealedTable<'_, SealedBooking<'_>> {
        SealedTable::new(self.session, TABLE, "booking")
    }

    pub fn add(&self, draft: BookingDraft, now: Timestamp) -> Result<Booking> {
        Ok(self.add_many(vec![draft], now)?.remove(0))
    }

    /// Adds several bookings in one transaction: all of them or none.
    pub fn add_many(&self, drafts: Vec<BookingDraft>, now: Timestamp) -> Result<Vec<Booking>> {
        for d in &drafts {
            d.validate()?;
        }
        let tx = self.session.conn().unchecked_transaction()?;
        let added = drafts
            .into_iter()
            .map(|details| {
                Ok(Booking {
                    id: self.session.new_id()?,
                    details,
                    created_at: now,
                    updated_at: now,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        {
            let table = self.table();
            let mut inserter = table.inserter()?;
            for booking in &added {
                inserter.insert(&booking.id, &SealedBooking::from(booking))?;
            }
        }
        tx.commit()?;
        Ok(added)
    }

    /// Stores `booking` exactly as given (id and times included), replacing any row with
    /// the same id. For import only: it bypasses the usual id and time assignment, so the
    /// caller validates and decides on conflicts first.
    pub(crate) fn put_raw(&self, booking: &Booking) -> Result<()> {
        self.table()
            .upsert(&booking.id, &SealedBooking::from(booking))
    }

    /// Visits every stored booking one row at a time, in id order, without collecting them
    /// (for export). A row that fails to open is passed as its error with its id.
    pub(crate) fn for_each_stored(
        &self,
        mut visit: impl FnMut(RecordId, Result<Booking>) -> Result<()>,
    ) -> Result<()> {
        self.table()
            .for_each(|id, opened| visit(id, opened.map(|b| b.into_booking(id))))
    }

    pub fn get(&self, id: &RecordId) -> Result<Booking> {
        Ok(self.table().get(id)?.into_booking(*id))
    }

    /// Replaces a booking's details; keeps its id and creation time.
    pub fn update(&self, id: &RecordId, details: BookingDraft, now: Timestamp) -> Result<Booking> {
        details.validate()?;
        let existing = self.get(id)?;
        let booking = Booking {
            id: *id,
            details,
            created_at: existing.created_at,
            updated_at: now.max(existing.updated_at),
        };
        self.table().update(id, &SealedBooking::from(&booking))?;
        Ok(booking)
    }

    /// Changes only the status (the common case: planned → in progress → done).
    pub fn set_status(
        &self,
        id: &RecordId,
        status: BookingStatus,
        now: Timestamp,
    ) -> Result<Booking> {
        let mut details = self.get(id)?.details;
        details.status = status;
        self.update(id, details, now)
    }

    pub fn delete(&self, id: &RecordId) -> Result<()> {
        self.table().delete(id)
    }

    /// One page of the bookings starting within `range`, newest first: the first `limit`
    /// after `after` (from the start when `None`). Every row is opened, but only `limit`
    /// bookings are held at a time, so memory does not grow with the log; a phone lists a
    /// large log page by page. Rows that fail to open are counted on every page and named
    /// (up to `limit` of them) on the first.
    pub fn list_page(
        &self,
        range: TimeRange,
        after: Option<BookingCursor>,
        limit: usize,
    ) -> Result<BookingPage> {
        let limit = limit.max(1);
        // Max-heap on the newest-first order: its top is the last booking kept so far.
        let mut kept: BinaryHeap<Ordered> = BinaryHeap::with_capacity(limit + 1);
        let mut more = false;
        let mut page = BookingPage::default();
        self.table().for_each_stored(|id, opened| {
            match opened {
                Ok(sealed) => {
                    let booking = sealed.into_booking(id);
                    let key = BookingCursor::of(&booking);
                    if !range.contains(booking.details.starts_at) || after.is_some_and(|a| key <= a)
                    {
                        return Ok(());
                    }
                    if kept.len() == limit {
                        more = true;
                        if kept.peek().is_some_and(|top| key >= top.key) {
                            return Ok(());
                        }
                        kept.pop();
                    }
                    kept.push(Ordered { key, booking });
                }
                Err(e) if is_damage(&e) => {
                    page.unreadable_count += 1;
                    if after.is_none() && page.unreadable.len() < limit {
                        page.unreadable.push(id);
                    }
                }
                Err(e) => return Err(e),
            }
            Ok(())
        })?;
        page.items = kept
            .into_sorted_vec()
            .into_iter()
            .map(|o| o.booking)
            .collect();
        page.next = if more {
            page.items.last().map(BookingCursor::of)
        } else {
            None
        };
        Ok(page)
    }

    /// Visits the bookings starting within `range`, newest first, one at a time, and
    /// returns how many rows failed to open (see [`Bookings::for_each_unreadable`]). Holds
    /// only each booking's start time and id (24 bytes) between two passes, never the
    /// bookings: the command line streams a log of any size this way.
    pub fn for_each_newest_first(
        &self,
        range: TimeRange,
        mut visit: impl FnMut(Booking) -> Result<()>,
    ) -> Result<usize> {
        let mut keys = Vec::new();
        let mut unreadable = 0;
        self.table().for_each_stored(|id, opened| {
            match opened {
                Ok(sealed) if range.contains(sealed.details.starts_at) => {
                    keys.push(BookingCursor {
                        starts_at: sealed.details.starts_at,
                        id,
                    });
                }
                Ok(_) => {}
                Err(e) if is_damage(&e) => unreadable += 1,
                Err(e) => return Err(e),
            }
            Ok(())
        })?;
        keys.sort_unstable();
        for key in keys {
            match self.table().find(&key.id) {
                Ok(Some(sealed)) => visit(sealed.into_booking(key.id))?,
                // Deleted or damaged since the first pass (another connection): skipped.
                Ok(None) => {}
                Err(e) if is_damage(&e) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(unreadable)
    }

    /// Visits the id of every booking row that fails to open, one at a time.
    pub fn for_each_unreadable(&self, mut visit: impl FnMut(RecordId) -> Result<()>) -> Result<()> {
        self.table().for_each_stored(|id, opened| match opened {
            Ok(_) => Ok(()),
            Err(e) if is_damage(&e) => visit(id),
            Err(e) => Err(e),
        })
    }

    /// Bookings starting within `range`, newest first (the whole log in memory: prefer
    /// [`Bookings::list_page`] or [`Bookings::for_each_newest_first`] for a large one).
    pub fn list(&self, range: TimeRange) -> Result<Listing<Booking>> {
        let mut listing = self.table().list_map(|id, b| {
            range
                .contains(b.details.starts_at)
                .then(|| b.into_booking(id))
        })?;
        crate::sort::sort_by(&mut listing.items, |a, b| {
            b.details
                .starts_at
                .cmp(&a.details.starts_at)
                .then(a.id.cmp(&b.id))
        });
        Ok(listing)
    }
}
