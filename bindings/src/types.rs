//! Records and enums that cross the boundary, with their conversions. Conversion only:
//! every rule stays in the core.

use std::time::SystemTime;

use chrono::{DateTime, Utc};
use vigil_core::bookings as b;
use vigil_core::checkin as c;
use vigil_core::directory as d;
use vigil_core::screening as s;
use vigil_core::vault::RecordId;

// The enums are the core's own (derived behind its `uniffi` feature): one definition each.
pub use vigil_core::bookings::{BookingKind, BookingStatus};
pub use vigil_core::checkin::{
    Channel, MessagePurpose, Outcome, Phase as CheckinPhase, WorkerNotice,
};
pub use vigil_core::directory::{HoursSource, OpenState};
pub use vigil_core::feeds::BundleKind;
pub use vigil_core::screening::{AlertCategory, Risk};
pub use vigil_core::vault::WipeState;

use crate::error::{Result, VigilError};

/// A shell's time into the core: before 1970 or after 9999 is `TimeOutOfRange`, never a
/// panic (chrono's own conversion panics far in the future).
pub(crate) fn to_time(t: SystemTime) -> vigil_core::Result<DateTime<Utc>> {
    vigil_core::clock::from_system_time(t)
}

/// A location from the shell (the session's and the locked runner's `update_location`).
pub(crate) fn location_fix(
    latitude: f64,
    longitude: f64,
    accuracy_m: Option<f64>,
    at: SystemTime,
) -> vigil_core::Result<c::LocationFix> {
    Ok(c::LocationFix {
        latitude,
        longitude,
        accuracy_m,
        at: to_time(at)?,
    })
}

/// A core time out to the shell. Infallible on the shells' platforms (Unix `SystemTime`
/// holds chrono's whole range); times the core hands out come from accepted inputs.
pub(crate) fn from_time(t: DateTime<Utc>) -> SystemTime {
    SystemTime::from(t)
}

pub(crate) fn parse_id(id: &str) -> Result<RecordId> {
    id.parse().map_err(VigilError::from)
}

// ---- bookings --------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct BookingInput {
    /// Shown to buddies exactly as typed ("Meeting with: …") when a check-in covers the
    /// booking: say so next to the field where she types it.
    pub client_label: String,
    pub client_phone: Option<String>,
    pub client_email: Option<String>,
    pub client_handle: Option<String>,
    pub starts_at: SystemTime,
    pub ends_at: Option<SystemTime>,
    pub kind: BookingKind,
    pub address: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub terms: Option<String>,
    pub notes: Option<String>,
    pub status: BookingStatus,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Booking {
    pub id: String,
    pub details: BookingInput,
    pub created_at: SystemTime,
    pub updated_at: SystemTime,
}

impl TryFrom<BookingInput> for b::BookingDraft {
    type Error = vigil_core::Error;

    fn try_from(i: BookingInput) -> vigil_core::Result<Self> {
        Ok(b::BookingDraft {
            client: b::Client {
                label: i.client_label,
                phone: i.client_phone,
                email: i.client_email,
                handle: i.client_handle,
            },
            starts_at: to_time(i.starts_at)?,
            ends_at: i.ends_at.map(to_time).transpose()?,
            kind: i.kind,
            place: b::Place {
                address: i.address,
                latitude: i.latitude,
                longitude: i.longitude,
            },
            terms: i.terms,
            notes: i.notes,
            status: i.status,
        })
    }
}

impl From<b::Booking> for Booking {
    fn from(bk: b::Booking) -> Self {
        let d = bk.details;
        Booking {
            id: bk.id.to_string(),
            details: BookingInput {
                client_label: d.client.label,
                client_phone: d.client.phone,
                client_email: d.client.email,
                client_handle: d.client.handle,
                starts_at: from_time(d.starts_at),
                ends_at: d.ends_at.map(from_time),
                kind: d.kind,
                address: d.place.address,
                latitude: d.place.latitude,
                longitude: d.place.longitude,
                terms: d.terms,
                notes: d.notes,
                status: d.status,
            },
            created_at: from_time(bk.created_at),
            updated_at: from_time(bk.updated_at),
        }
    }
}

// ---- buddies and check-ins ---------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct BuddyInput {
    pub name: String,
    pub phone: String,
    pub channel: Channel,
    /// Language of the buddy's messages: a tag from `message_languages()` ("en", "es",
    /// "pl", "pt", "pt-br", "ro").
    pub language: String,
    /// Write their SMS without diacritics. `None`: the language's usual practice (on for
    /// Polish and Romanian); say so where the buddy is added.
    #[uniffi(default = None)]
    pub plain_letters: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Buddy {
    pub id: String,
    pub name: String,
    /// E.164.
    pub phone: String,
    pub channel: Channel,
    pub language: String,
    /// Their SMS are written without diacritics.
    pub plain_letters: bool,
}

impl From<BuddyInput> for c::BuddyDraft {
    fn from(i: BuddyInput) -> Self {
        c::BuddyDraft {
            name: i.name,
            phone: i.phone,
            channel: i.channel,
            language: i.language,
            plain_letters: i.plain_letters,
        }
    }
}

impl From<c::Buddy> for Buddy {
    fn from(bd: c::Buddy) -> Self {
        Buddy {
            id: bd.id.to_string(),
            name: bd.name,
            phone: bd.phone,
            channel: bd.channel,
            language: bd.language,
            plain_letters: bd.plain_letters,
        }
    }
}

/// A language buddy messages can be written in, for the language picker.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MessageLanguage {
    /// The tag to store ("pt-br").
    pub tag: String,
    /// Its own name ("Português (Brasil)").
    pub name: String,
    /// Whether "plain letters" is on by default for a buddy in this language.
    pub plain_letters_default: bool,
    /// The neutral text offered for discreet notifications in this language.
    pub discreet_notice_default: String,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CheckinInput {
    pub deadline: SystemTime,
    /// Empty: every buddy. The messages are written in the worker's first language and
    /// UTC offset from `settings()`.
    pub buddy_ids: Vec<String>,
    pub booking_id: Option<String>,
    /// Defaults (5 min reminder, 10 min grace, repeat every 5 min) when `None`.
    pub reminder_minutes: Option<i64>,
    pub grace_minutes: Option<i64>,
    pub repeat_minutes: Option<i64>,
    /// Discreet wording: the worker's own notifications (lock screen) say only this neutral
    /// text. `None`: the full wording.
    #[uniffi(default = None)]
    pub discreet_notice: Option<String>,
    /// A custom escalation ladder; empty: every chosen buddy on their preferred channel
    /// at deadline + grace. Steps in order of start, at most 8, each buddy on exactly one
    /// step (refused with `InvalidInput` naming the step otherwise).
    #[uniffi(default = [])]
    pub ladder: Vec<LadderStepInput>,
}

/// One rung of a custom escalation ladder.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LadderStepInput {
    /// Minutes after deadline + grace at which this step starts (0 to 720, increasing
    /// from step to step).
    pub after_minutes: i64,
    /// Buddies alerted at this step; each must be among the check-in's `buddy_ids`.
    pub buddy_ids: Vec<String>,
    /// Channel to try first; `None`: each buddy's preferred channel.
    #[uniffi(default = None)]
    pub channel: Option<Channel>,
}

impl LadderStepInput {
    pub(crate) fn to_core(&self) -> Result<c::LadderStep> {
        Ok(c::LadderStep {
            after: c::minutes("ladder step", self.after_minutes)?,
            buddies: self
                .buddy_ids
                .iter()
                .map(|id| parse_id(id))
                .collect::<Result<Vec<_>>>()?,
            channel: self.channel,
        })
    }
}

/// What a lock screen or foreground notification may show of one check-in: state, times
/// and counts; no names, numbers, booking or location.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct LockScreenCheckin {
    /// Pass back to `acknowledge`.
    pub id: String,
    pub phase: CheckinPhase,
    pub deadline: SystemTime,
    pub escalates_at: SystemTime,
    pub buddies_alerted: u32,
    pub acknowledged: bool,
}

/// The locked runner's list: armed and escalating check-ins by deadline, and the ids of
/// rows that could not be read (show "a check-in could not be read", never drop it).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct LockScreenListing {
    pub checkins: Vec<LockScreenCheckin>,
    pub unreadable_ids: Vec<String>,
}

impl From<vigil_core::vault::Listing<c::LockScreenCheckin>> for LockScreenListing {
    fn from(l: vigil_core::vault::Listing<c::LockScreenCheckin>) -> Self {
        LockScreenListing {
            checkins: l
                .items
                .into_iter()
                .map(|st| LockScreenCheckin {
                    id: st.id.to_string(),
                    phase: st.phase,
                    deadline: from_time(st.deadline),
                    escalates_at: from_time(st.escalates_at),
                    buddies_alerted: u32::try_from(st.buddies_alerted).unwrap_or(u32::MAX),
                    acknowledged: st.acknowledged,
                })
                .collect(),
            unreadable_ids: l.unreadable.iter().map(|id| id.to_string()).collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CheckinStatus {
    pub id: String,
    pub phase: CheckinPhase,
    pub armed_at: SystemTime,
    pub deadline: SystemTime,
    pub escalates_at: SystemTime,
    pub booking_id: Option<String>,
    pub buddies_alerted: u32,
    pub acknowledged: bool,
}

impl From<c::CheckinStatus> for CheckinStatus {
    fn from(st: c::CheckinStatus) -> Self {
        CheckinStatus {
            id: st.id.to_string(),
            phase: st.phase,
            armed_at: from_time(st.armed_at),
            deadline: from_time(st.deadline),
            escalates_at: from_time(st.escalates_at),
            booking_id: st.booking.map(|id| id.to_string()),
            buddies_alerted: u32::try_from(st.buddies_alerted).unwrap_or(u32::MAX),
            acknowledged: st.acknowledged,
        }
    }
}

/// Identifies one issued action; pass it back with the outcome. Every retry of the same
/// message on the same channel carries the same id (see `Action.attempt`): an id seen
/// again replaces the earlier action (docs/bindings.md, "Action ids and retries").
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ActionId {
    pub checkin: String,
    pub seq: u32,
}

#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum ActionKind {
    /// Show the worker a notification.
    NotifyWorker { notice: WorkerNotice, text: String },
    /// Send `text` to a buddy; `discreet`: no visible trace (duress).
    MessageBuddy {
        buddy_id: String,
        name: String,
        phone: String,
        channel: Channel,
        language: String,
        purpose: MessagePurpose,
        text: String,
        discreet: bool,
    },
    /// Tell the worker a buddy could not be reached on a channel.
    WorkerAlertFailed {
        buddy_id: String,
        buddy_name: String,
        /// The channel that failed.
        failed_channel: Channel,
        /// The channel tried next; `None` when every channel failed.
        next_channel: Option<Channel>,
        every_channel_failed: bool,
        /// The last failure reason the shell reported ("no outcome reported" after a
        /// timeout); shown to the worker, never logged.
        reason: Option<String>,
        text: String,
    },
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Action {
    pub id: ActionId,
    /// 1 for the first attempt under this id, more for a retry of the same message on
    /// the same channel.
    pub attempt: u32,
    pub kind: ActionKind,
}

impl From<c::Action> for Action {
    fn from(a: c::Action) -> Self {
        let kind = match a.kind {
            c::ActionKind::NotifyWorker { notice, text } => {
                ActionKind::NotifyWorker { notice, text }
            }
            c::ActionKind::MessageBuddy {
                buddy,
                name,
                phone,
                channel,
                language,
                purpose,
                text,
                discreet,
            } => ActionKind::MessageBuddy {
                buddy_id: buddy.to_string(),
                name,
                phone,
                channel,
                language,
                purpose,
                text,
                discreet,
            },
            // Every field named (no `..`): a field added in the core must be passed on.
            c::ActionKind::WorkerAlertFailed {
                buddy,
                buddy_name,
                failed_channel,
                next_channel,
                every_channel_failed,
                reason,
                text,
            } => ActionKind::WorkerAlertFailed {
                buddy_id: buddy.to_string(),
                buddy_name,
                failed_channel,
                next_channel,
                every_channel_failed,
                reason,
                text,
            },
        };
        Action {
            id: ActionId {
                checkin: a.id.checkin.to_string(),
                seq: a.id.seq,
            },
            attempt: a.attempt,
            kind,
        }
    }
}

impl ActionId {
    pub(crate) fn to_core(&self) -> Result<c::ActionId> {
        Ok(c::ActionId {
            checkin: parse_id(&self.checkin)?,
            seq: self.seq,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CheckInReceipt {
    pub checkin_ids: Vec<String>,
    pub at: SystemTime,
}

impl From<c::CheckInReceipt> for CheckInReceipt {
    fn from(r: c::CheckInReceipt) -> Self {
        CheckInReceipt {
            checkin_ids: r.checkins.iter().map(|id| id.to_string()).collect(),
            at: from_time(r.at),
        }
    }
}

// ---- screening -------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct NoteInput {
    /// Identifiers as typed (numbers, e-mails, `platform:@handle`, plates); each is
    /// recognised and normalized by the core.
    pub identifiers: Vec<String>,
    /// `None` (or blank): labelled by its first identifier, normalized.
    pub label: Option<String>,
    pub risk: Risk,
    pub text: String,
}

impl From<NoteInput> for vigil_core::app::NoteForm {
    fn from(i: NoteInput) -> Self {
        vigil_core::app::NoteForm {
            identifiers: i.identifiers,
            label: i.label,
            risk: i.risk,
            text: i.text,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ClientNote {
    pub id: String,
    /// Normalized identifiers in the core's written form, e.g. `+447700900123`,
    /// `instagram:dave.x`.
    pub identifiers: Vec<String>,
    pub label: String,
    pub risk: Risk,
    pub text: String,
    pub created_at: SystemTime,
    pub updated_at: SystemTime,
}

/// The core's one written form (`+447700900123`, `onlyfans:dave`): the CLI prints the same.
pub(crate) fn identifier_text(i: &s::Identifier) -> String {
    i.to_string()
}

impl From<s::ClientNote> for ClientNote {
    fn from(n: s::ClientNote) -> Self {
        ClientNote {
            id: n.id.to_string(),
            identifiers: n.details.identifiers.iter().map(identifier_text).collect(),
            label: n.details.label,
            risk: n.details.risk,
            text: n.details.text,
            created_at: from_time(n.created_at),
            updated_at: from_time(n.updated_at),
        }
    }
}

/// Where a match comes from: structured, for the app to word and translate.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum MatchSource {
    /// One of her own notes.
    Note { note_id: String, label: String },
    /// An imported alert: the publisher's name as it was written, and what the alert reports.
    Alert {
        publisher: String,
        category: AlertCategory,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ScreenMatch {
    pub exact: bool,
    /// The stored identifier that matched.
    pub matched: String,
    pub risk: Risk,
    pub source: MatchSource,
    /// Her note's text, or the alert's description.
    pub detail: String,
    /// An alert whose feed has expired.
    pub stale: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ScreenResult {
    /// The input after normalization.
    pub normalized: String,
    pub overall: Risk,
    pub matches: Vec<ScreenMatch>,
    /// Notes the lookup found but could not read (damaged or tampered). Non-zero: the
    /// answer may be incomplete, and the app must say so rather than show an all-clear.
    pub unreadable_notes: u32,
    /// The same for imported alerts.
    pub unreadable_alerts: u32,
}

impl From<s::ScreeningResult> for ScreenResult {
    fn from(r: s::ScreeningResult) -> Self {
        let normalized = match &r.input {
            s::ScreenedInput::Identifier(i) => identifier_text(i),
            s::ScreenedInput::PartialNumber(digits) => digits.clone(),
        };
        let unreadable_notes = u32::try_from(r.unreadable_notes).unwrap_or(u32::MAX);
        let unreadable_alerts = u32::try_from(r.unreadable_alerts).unwrap_or(u32::MAX);
        ScreenResult {
            normalized,
            overall: r.overall,
            unreadable_notes,
            unreadable_alerts,
            matches: r
                .matches
                .into_iter()
                .map(|m| {
                    let (source, detail, stale) = match m.source {
                        s::MatchSource::Note(n) => (
                            MatchSource::Note {
                                note_id: n.id.to_string(),
                                label: n.details.label,
                            },
                            n.details.text,
                            false,
                        ),
                        s::MatchSource::Alert {
                            alert,
                            publisher,
                            stale,
                        } => (
                            MatchSource::Alert {
                                publisher,
                                category: alert.category,
                            },
                            alert.description,
                            stale,
                        ),
                    };
                    ScreenMatch {
                        exact: m.strength.is_exact(),
                        matched: identifier_text(&m.matched),
                        risk: m.risk,
                        source,
                        detail,
                        stale,
                    }
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CallLabel {
    /// E.164 digits as a number, ascending (what iOS Call Directory wants).
    pub number: i64,
    pub label: String,
    pub risk: Risk,
}

// ---- directory -------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct NearbyInput {
    pub latitude: f64,
    pub longitude: f64,
    pub radius_km: f64,
    pub limit: u32,
    /// Category names ("sexual health clinic", "pharmacy", "A&E", ...); empty: all.
    pub categories: Vec<String>,
    /// Keep only services known to be open at this time.
    pub open_at: Option<SystemTime>,
    /// With `open_at`: after the open services, list those whose state at that time is
    /// unknown (`open_state` = `Unknown`; "maybe open": "by appointment", closing time not
    /// known, hours not understood or not published). The app must show them apart,
    /// labelled, never as open.
    #[uniffi(default = false)]
    pub include_maybe_open: bool,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ServiceHit {
    pub id: String,
    pub publisher: String,
    pub name: String,
    pub categories: Vec<String>,
    pub latitude: f64,
    pub longitude: f64,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub distance_m: f64,
    pub open_state: OpenState,
    /// The hours' comment for this state ("by appointment", "closing time not known").
    pub hours_comment: Option<String>,
    pub hours_source: HoursSource,
    pub next_change: Option<SystemTime>,
    /// The state from `next_change` on ("open until 22:00, then maybe open").
    pub next_state: Option<OpenState>,
}

pub(crate) fn service_hit(
    service: &d::Service,
    publisher: &str,
    distance_m: f64,
    hours: d::HoursStatus,
) -> ServiceHit {
    ServiceHit {
        id: service.id.clone(),
        publisher: publisher.to_owned(),
        name: service.name.clone(),
        categories: service
            .categories
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect(),
        latitude: service.latitude,
        longitude: service.longitude,
        address: service.address.clone(),
        postcode: service.postcode.clone(),
        phone: service.phone.clone(),
        website: service.website.clone(),
        distance_m,
        open_state: hours.state,
        hours_comment: hours.comment,
        hours_source: hours.source,
        next_change: hours.next_change.map(from_time),
        next_state: hours.next_state,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ImportSummary {
    pub kind: BundleKind,
    pub publisher: String,
    pub version: u64,
    /// Past its expiry: used, but the app must say the data may be out of date.
    pub stale: bool,
    /// Alerts or services now stored for this publisher.
    pub records: u64,
    /// Alerts skipped as unusable (reported, the rest imported).
    pub skipped: u64,
}

// ---- listings: every list says which rows could not be read -----------------------------

fn ids(ids: &[RecordId]) -> Vec<String> {
    ids.iter().map(|id| id.to_string()).collect()
}

/// Bookings, and the ids of stored rows that could not be read (damaged or tampered): show
/// "a booking could not be read", never drop it silently.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct BookingListing {
    pub bookings: Vec<Booking>,
    pub unreadable_ids: Vec<String>,
}

impl From<vigil_core::vault::Listing<b::Booking>> for BookingListing {
    fn from(l: vigil_core::vault::Listing<b::Booking>) -> Self {
        BookingListing {
            unreadable_ids: ids(&l.unreadable),
            bookings: l.items.into_iter().map(Into::into).collect(),
        }
    }
}

/// One page of bookings, newest first (see `list_bookings_page`).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct BookingPage {
    pub bookings: Vec<Booking>,
    /// Pass back to get the next page; `None` on the last one.
    pub next_cursor: Option<String>,
    /// Rows of the whole log that could not be read, on every page.
    pub unreadable_count: u64,
    /// Their ids, on the first page only (at most one page's worth).
    pub unreadable_ids: Vec<String>,
}

impl From<b::BookingPage> for BookingPage {
    fn from(p: b::BookingPage) -> Self {
        BookingPage {
            unreadable_ids: ids(&p.unreadable),
            unreadable_count: p.unreadable_count as u64,
            next_cursor: p.next.map(|c| c.to_string()),
            bookings: p.items.into_iter().map(Into::into).collect(),
        }
    }
}

/// Client notes, with the ids of rows that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct NoteListing {
    pub notes: Vec<ClientNote>,
    pub unreadable_ids: Vec<String>,
}

impl From<vigil_core::vault::Listing<s::ClientNote>> for NoteListing {
    fn from(l: vigil_core::vault::Listing<s::ClientNote>) -> Self {
        NoteListing {
            unreadable_ids: ids(&l.unreadable),
            notes: l.items.into_iter().map(Into::into).collect(),
        }
    }
}

/// Buddies, with the ids of rows that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct BuddyListing {
    pub buddies: Vec<Buddy>,
    pub unreadable_ids: Vec<String>,
}

impl From<vigil_core::vault::Listing<c::Buddy>> for BuddyListing {
    fn from(l: vigil_core::vault::Listing<c::Buddy>) -> Self {
        BuddyListing {
            unreadable_ids: ids(&l.unreadable),
            buddies: l.items.into_iter().map(Into::into).collect(),
        }
    }
}

/// Live check-ins, with the ids of rows that could not be read.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CheckinListing {
    pub checkins: Vec<CheckinStatus>,
    pub unreadable_ids: Vec<String>,
}

impl From<vigil_core::vault::Listing<c::CheckinStatus>> for CheckinListing {
    fn from(l: vigil_core::vault::Listing<c::CheckinStatus>) -> Self {
        CheckinListing {
            unreadable_ids: ids(&l.unreadable),
            checkins: l.items.into_iter().map(Into::into).collect(),
        }
    }
}

/// Services found, and the directory's damage report.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ServiceListing {
    pub services: Vec<ServiceHit>,
    /// With `NearbyInput.open_at`: services whose state then is unknown ("maybe open"),
    /// nearest first, to show apart and labelled, never as open. Empty otherwise.
    pub maybe_open: Vec<ServiceHit>,
    /// Directory rows that could not be read (left out of every search).
    pub unreadable_ids: Vec<String>,
    /// Publishers whose directory is only partly stored: ask for their bundle again.
    pub incomplete_publishers: Vec<String>,
}

pub(crate) fn found(f: vigil_core::app::FoundService) -> ServiceHit {
    service_hit(
        &f.service,
        &f.publisher,
        f.distance_m.unwrap_or(0.0),
        f.hours,
    )
}

pub(crate) fn service_listing(
    services: Vec<vigil_core::app::FoundService>,
    maybe_open: Vec<vigil_core::app::FoundService>,
    dir: &d::LoadedDirectory,
) -> ServiceListing {
    ServiceListing {
        services: services.into_iter().map(found).collect(),
        maybe_open: maybe_open.into_iter().map(found).collect(),
        unreadable_ids: ids(&dir.unreadable),
        incomplete_publishers: dir.incomplete.clone(),
    }
}

// ---- settings, probing, feeds, backups ---------------------------------------------------

/// What the worker chose once, stored in the vault (defaults: GB, ["en"], the device's
/// offset, 5 minutes).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Settings {
    /// ISO 3166-1 alpha-2 code for numbers written without a country code.
    pub region: String,
    /// Languages of the messages sent for her (buddy alerts), most preferred first.
    pub worker_languages: Vec<String>,
    /// Her UTC offset for times in messages; `None`: the device's (`setDeviceUtcOffset`).
    pub utc_offset_minutes: Option<i32>,
    /// Minutes without a call after which the session locks itself (1 to 1440).
    pub idle_lock_minutes: u32,
}

impl From<vigil_core::app::Settings> for Settings {
    fn from(s: vigil_core::app::Settings) -> Self {
        Settings {
            region: s.region,
            worker_languages: s.worker_languages,
            utc_offset_minutes: s.utc_offset_minutes,
            idle_lock_minutes: s.idle_lock_minutes,
        }
    }
}

impl From<Settings> for vigil_core::app::Settings {
    fn from(s: Settings) -> Self {
        vigil_core::app::Settings {
            region: s.region,
            worker_languages: s.worker_languages,
            utc_offset_minutes: s.utc_offset_minutes,
            idle_lock_minutes: s.idle_lock_minutes,
        }
    }
}

/// A vault looked at without its passphrase.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct VaultProbe {
    pub exists: bool,
    /// Unlocking needs the device secret.
    pub needs_device_secret: bool,
}

/// A publisher she trusts, as pinned.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TrustedPublisher {
    pub name: String,
    /// Its pinned keys (`vigil-pub:...`), oldest first.
    pub public_keys: Vec<String>,
    pub trusted_at: SystemTime,
}

/// The trusted publishers, and the ids of rows that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PublisherListing {
    pub publishers: Vec<TrustedPublisher>,
    pub unreadable_ids: Vec<String>,
}

impl From<vigil_core::vault::Listing<vigil_core::feeds::TrustedPublisher>> for PublisherListing {
    fn from(l: vigil_core::vault::Listing<vigil_core::feeds::TrustedPublisher>) -> Self {
        PublisherListing {
            unreadable_ids: ids(&l.unreadable),
            publishers: l
                .items
                .into_iter()
                .map(|p| TrustedPublisher {
                    name: p.name,
                    public_keys: p.keys.iter().map(|k| k.key.to_string()).collect(),
                    trusted_at: from_time(p.trusted_at),
                })
                .collect(),
        }
    }
}

/// The last accepted bundle of one publisher and kind.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FeedStatus {
    /// The name she pinned the publisher under.
    pub publisher: String,
    pub kind: BundleKind,
    pub version: u64,
    pub issued_at: SystemTime,
    pub expires_at: SystemTime,
    pub accepted_at: SystemTime,
    /// Past its expiry now: the app must say the data may be out of date.
    pub stale: bool,
}

impl From<vigil_core::feeds::FeedStatus> for FeedStatus {
    fn from(f: vigil_core::feeds::FeedStatus) -> Self {
        FeedStatus {
            publisher: f.publisher,
            kind: f.kind,
            version: f.version,
            issued_at: from_time(f.issued_at),
            expires_at: from_time(f.expires_at),
            accepted_at: from_time(f.accepted_at),
            stale: f.stale,
        }
    }
}

/// Records written in one export section.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SectionCount {
    pub section: String,
    pub records: u64,
}

/// A record that could not be read and so is not in the export.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct UnreadableRecord {
    pub section: String,
    pub id: String,
}

/// What an export wrote. `unreadable_count` > 0: the backup lacks those records; say so.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ExportSummary {
    pub sections: Vec<SectionCount>,
    /// Every record left out because it could not be read.
    pub unreadable_count: u64,
    /// The first 100 of them (the count is what to show; the list stays small whatever
    /// the vault holds).
    pub unreadable: Vec<UnreadableRecord>,
}

impl From<vigil_core::export::ExportReport> for ExportSummary {
    fn from(r: vigil_core::export::ExportReport) -> Self {
        ExportSummary {
            sections: r
                .sections
                .into_iter()
                .map(|(section, records)| SectionCount {
                    section: section.to_owned(),
                    records,
                })
                .collect(),
            unreadable_count: r.unreadable_count,
            unreadable: r
                .unreadable
                .into_iter()
                .map(|u| UnreadableRecord {
                    section: u.section.to_owned(),
                    id: u.id.to_string(),
                })
                .collect(),
        }
    }
}

/// What a restore did with one section.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SectionRestore {
    pub section: String,
    pub inserted: u64,
    pub updated: u64,
    pub kept_existing: u64,
    /// Records refused by the rules (nothing of them stored), all of them.
    pub rejected_count: u64,
    /// The reasons of the first 100 of them; no content, only reasons.
    pub rejected: Vec<String>,
    /// Directory only (its records are parts of many services): the services stored and
    /// kept, the count to show a person.
    pub services_stored: u64,
    pub services_kept: u64,
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RestoreSummary {
    pub exported_at: Option<SystemTime>,
    pub sections: Vec<SectionRestore>,
    /// Sections from a newer Vigil, skipped whole.
    pub skipped_sections: Vec<String>,
}

impl From<vigil_core::export::ImportReport> for RestoreSummary {
    fn from(r: vigil_core::export::ImportReport) -> Self {
        RestoreSummary {
            exported_at: r.exported_at.map(from_time),
            sections: r
                .sections
                .into_iter()
                .map(|s| SectionRestore {
                    section: s.section,
                    inserted: s.inserted,
                    updated: s.updated,
                    kept_existing: s.kept_existing,
                    rejected_count: s.rejected_count,
                    rejected: s.rejected.into_iter().map(|r| r.reason).collect(),
                    services_stored: s.services_stored,
                    services_kept: s.services_kept,
                })
                .collect(),
            skipped_sections: r.skipped_sections,
        }
    }
}

impl From<vigil_core::app::Imported> for ImportSummary {
    fn from(i: vigil_core::app::Imported) -> Self {
        match i {
            vigil_core::app::Imported::Directory(a) => ImportSummary {
                kind: BundleKind::Directory,
                publisher: a.status.publisher,
                version: a.status.version,
                stale: a.status.stale,
                records: a.imported.services as u64,
                skipped: 0,
            },
            vigil_core::app::Imported::Alerts(a) => ImportSummary {
                kind: BundleKind::Alerts,
                publisher: a.status.publisher,
                version: a.status.version,
                stale: a.status.stale,
                records: a.imported.imported as u64,
                skipped: a.imported.skipped.len() as u64,
            },
        }
    }
}

/// One ended check-in: times, how it ended, counts (no names or numbers).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct EndedCheckin {
    pub id: String,
    pub armed_at: SystemTime,
    pub deadline: SystemTime,
    pub ended_at: SystemTime,
    /// Checked in with a code (the normal or the duress code: the same); false: cancelled.
    pub checked_in: bool,
    /// The escalation had started when it ended.
    pub escalated: bool,
    pub buddies_alerted: u32,
    pub booking_id: Option<String>,
}

/// The check-in history and the rows that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CheckinHistory {
    pub entries: Vec<EndedCheckin>,
    pub unreadable_ids: Vec<String>,
}

impl From<vigil_core::vault::Listing<c::EndedCheckin>> for CheckinHistory {
    fn from(l: vigil_core::vault::Listing<c::EndedCheckin>) -> Self {
        CheckinHistory {
            unreadable_ids: ids(&l.unreadable),
            entries: l
                .items
                .into_iter()
                .map(|e| EndedCheckin {
                    id: e.id.to_string(),
                    armed_at: from_time(e.armed_at),
                    deadline: from_time(e.deadline),
                    ended_at: from_time(e.ended_at),
                    checked_in: e.how == c::EndedHow::CheckedIn,
                    escalated: e.escalated,
                    buddies_alerted: u32::try_from(e.buddies_alerted).unwrap_or(u32::MAX),
                    booking_id: e.booking.map(|id| id.to_string()),
                })
                .collect(),
        }
    }
}

/// The worker's own bookings with a screened client.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SeenInBookings {
    pub bookings: u32,
    /// The latest one that has begun.
    pub last: Option<SystemTime>,
    /// The next one to come.
    pub next: Option<SystemTime>,
    pub incidents: u32,
    pub no_shows: u32,
}

impl From<vigil_core::app::SeenInBookings> for SeenInBookings {
    fn from(s: vigil_core::app::SeenInBookings) -> Self {
        let n = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        SeenInBookings {
            bookings: n(s.bookings),
            last: s.last.map(from_time),
            next: s.next.map(from_time),
            incidents: n(s.incidents),
            no_shows: n(s.no_shows),
        }
    }
}
