//! The check-in model: what is armed (plan, contacts, ladder, timing), the state of one
//! live check-in, and the actions and outcomes exchanged with the shell.
//!
//! Data and read-only accessors only: the rules that move a state forward live in
//! `schedule.rs` (deadlines, reminders, the ladder, repeat rounds) and `delivery.rs`
//! (issuing, outcomes, retries, channel fallback, acknowledgements). `templates.rs` reads
//! these types to write messages; nothing here depends on the templates.

use std::collections::BTreeSet;

use chrono::Duration;
use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::vault::RecordId;
use crate::Result;

/// Identifies a check-in (a random row id).
pub type CheckinId = RecordId;

/// How a buddy is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Channel {
    Sms,
    Call,
    /// A messaging app chosen by the shell (share sheet, Signal, WhatsApp, ...).
    OtherApp,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Sms, Channel::Call, Channel::OtherApp];

    /// The stored name (as in the export).
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Sms => "sms",
            Channel::Call => "call",
            Channel::OtherApp => "other_app",
        }
    }
}

/// A buddy as the escalation state holds it: a copy made at arming, so that the runner
/// needs nothing sealed under the vault key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    pub buddy: RecordId,
    pub name: String,
    /// E.164.
    pub phone: String,
    pub channel: Channel,
    pub language: String,
    /// SMS to this buddy are written without diacritics (absent in rows armed before the
    /// option existed: off).
    #[serde(default)]
    pub plain_letters: bool,
}

/// One rung of the escalation ladder, in engine form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// Seconds after deadline + grace at which this step starts.
    pub after_secs: i64,
    /// Indices into the check-in's contacts.
    pub contacts: Vec<usize>,
    /// Channel to try first; `None` means each buddy's preferred channel.
    pub channel: Option<Channel>,
}

/// Timing of a check-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// How long before the deadline the worker is reminded (zero: no reminder).
    pub reminder_before: Duration,
    /// How long after the deadline the ladder starts.
    pub grace: Duration,
    /// How often alerts repeat until a buddy acknowledges.
    pub repeat_every: Duration,
}

impl Default for Timing {
    /// Reminder 5 minutes before, grace 10 minutes after, repeat every 5 minutes.
    fn default() -> Self {
        Self {
            reminder_before: Duration::minutes(5),
            grace: Duration::minutes(10),
            repeat_every: Duration::minutes(5),
        }
    }
}

/// What the buddy's message says about the booking (copied from the booking at arming).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AlertFacts {
    pub client_label: Option<String>,
    /// Phone, e-mail, handle, as the worker entered them.
    pub client_identifiers: Vec<String>,
    pub address: Option<String>,
    /// Booking place (latitude, longitude).
    pub place: Option<(f64, f64)>,
    pub booking_starts_at: Option<Timestamp>,
}

/// The last location the worker's phone reported.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LocationFix {
    pub latitude: f64,
    pub longitude: f64,
    /// Radius in metres, when the platform gives one.
    pub accuracy_m: Option<f64>,
    pub at: Timestamp,
}

impl LocationFix {
    pub(crate) fn validate(&self) -> Result<()> {
        super::check_time(self.at)?;
        if !self.latitude.is_finite() || !(-90.0..=90.0).contains(&self.latitude) {
            return Err(crate::Error::invalid(
                "latitude",
                "must be between -90 and 90",
            ));
        }
        if !self.longitude.is_finite() || !(-180.0..=180.0).contains(&self.longitude) {
            return Err(crate::Error::invalid(
                "longitude",
                "must be between -180 and 180",
            ));
        }
        if let Some(a) = self.accuracy_m {
            if !a.is_finite() || a < 0.0 {
                return Err(crate::Error::invalid(
                    "accuracy",
                    "must be a non-negative number of metres",
                ));
            }
        }
        Ok(())
    }
}

/// Everything needed to arm one check-in, already resolved from the vault.
#[derive(Debug, Clone)]
pub struct ArmSpec {
    pub id: CheckinId,
    pub deadline: Timestamp,
    pub timing: Timing,
    pub contacts: Vec<Contact>,
    /// Empty: the default ladder (every contact, preferred channel, at deadline + grace).
    pub ladder: Vec<Step>,
    pub facts: AlertFacts,
    pub booking: Option<RecordId>,
    pub worker_language: String,
    /// The worker's UTC offset, for the times written in messages.
    pub utc_offset_minutes: i32,
}

/// The id of one issued action: stored, and what outcomes refer to.
///
/// Stable across retries: every attempt to send the same message on the same channel
/// carries the same id (see [`Action::attempt`]), so a shell that sees an id again knows
/// the new action *replaces* the earlier one (an SMS still queued in the radio must not be
/// sent twice). A new channel, a new repeat round or a new message gets a new id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ActionId {
    pub checkin: CheckinId,
    pub seq: u32,
}

impl std::fmt::Display for ActionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.checkin, self.seq)
    }
}

impl std::str::FromStr for ActionId {
    type Err = crate::Error;
    fn from_str(s: &str) -> Result<Self> {
        let (checkin, seq) = s.split_once('-').ok_or(crate::Error::invalid(
            "action id",
            "expected <check-in id>-<number>",
        ))?;
        Ok(Self {
            checkin: checkin.parse()?,
            seq: seq.parse().map_err(|_| {
                crate::Error::invalid("action id", "expected <check-in id>-<number>")
            })?,
        })
    }
}

/// Something the shell must do now, then report with [`Outcome`].
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    pub id: ActionId,
    /// 1 for the first attempt under this id; more for a retry of the same message on the
    /// same channel (after a reported failure or no outcome within the timeout).
    pub attempt: u32,
    pub kind: ActionKind,
}

/// Notifications for the worker herself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum WorkerNotice {
    /// The deadline is near.
    Reminder,
    /// The deadline has passed; buddies will be alerted when the grace period ends.
    Overdue,
    /// Buddies are being alerted now.
    Escalating,
}

/// Why a buddy is being messaged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum MessagePurpose {
    /// The worker did not check in.
    Alert,
    /// The worker checked in with the duress code.
    Duress,
    /// The worker checked in after buddies were alerted: "I'm safe".
    Safe,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ActionKind {
    /// Show the worker a notification.
    NotifyWorker { notice: WorkerNotice, text: String },
    /// Send `text` to a buddy on `channel` (for a call: what the shell reads or shows).
    MessageBuddy {
        buddy: RecordId,
        name: String,
        phone: String,
        channel: Channel,
        language: String,
        purpose: MessagePurpose,
        text: String,
        /// Send without any visible trace (duress): no UI, no sound, no sent-message view
        /// where the platform allows.
        discreet: bool,
    },
    /// Tell the worker a buddy could not be reached on a channel.
    WorkerAlertFailed {
        buddy: RecordId,
        buddy_name: String,
        failed_channel: Channel,
        /// The channel tried next; `None` when every channel failed.
        next_channel: Option<Channel>,
        every_channel_failed: bool,
        /// The last failure reason the shell gave, if any.
        reason: Option<String>,
        text: String,
    },
}

/// What the shell reports for an issued action.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Outcome {
    /// Done (SMS handed to the network, call placed, notification shown).
    Sent,
    /// Not done; the reason is shown to the worker, never logged.
    Failed { reason: String },
}

/// How a check-in ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ending {
    CheckedIn { at: Timestamp },
    Duress { at: Timestamp },
    Cancelled { at: Timestamp },
}

/// The caller-visible phase. A duress check-in shows exactly like a normal one: ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "uniffi",
    derive(uniffi::Enum),
    uniffi(name = "CheckinPhase")
)]
pub enum Phase {
    /// Waiting for the worker to check in (the deadline may have passed; see `overdue`).
    Armed,
    /// The ladder has started.
    Escalating,
    /// Checked in, cancelled (or duress): nothing more for the worker to do.
    Ended,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum Target {
    Worker,
    Buddy(usize),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum Message {
    Notice(WorkerNotice),
    Buddy(MessagePurpose),
    ChannelFailed {
        contact: usize,
        failed: Channel,
        next: Option<Channel>,
        reason: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum DeliveryState {
    Due {
        at: Timestamp,
    },
    Issued {
        seq: u32,
        at: Timestamp,
    },
    Sent {
        at: Timestamp,
    },
    /// Every attempt on every channel failed.
    Exhausted {
        at: Timestamp,
    },
    /// No longer needed (the check-in ended or was extended first).
    Withdrawn,
}

/// One message on its way (to the worker or a buddy): what it says, the channels to try,
/// and how far it got. Kept in [`CheckinState`]; the rules are in `delivery.rs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct Delivery {
    pub(super) target: Target,
    pub(super) message: Message,
    /// Buddy channels in the order tried (empty for the worker).
    pub(super) channels: Vec<Channel>,
    pub(super) channel_pos: usize,
    /// Failures on the current channel.
    pub(super) failures: u32,
    pub(super) state: DeliveryState,
    /// Every action seq issued for this delivery, one per channel tried (a late `Sent` for
    /// any of them counts).
    pub(super) attempts: Vec<u32>,
    /// The action seq of the current channel: every retry on it reuses this id. `None`
    /// until first issued on the channel (and in rows written before ids were stable).
    #[serde(default)]
    pub(super) seq: Option<u32>,
    /// The action seq whose `Sent` marked this delivery sent: only a `Failed` for that
    /// same id (a delivery report) reopens it.
    #[serde(default)]
    pub(super) sent_seq: Option<u32>,
    pub(super) last_failure: Option<String>,
}

/// The whole state of one live check-in. Serialized into one sealed row.
///
/// Fields are visible to the sibling `schedule` and `delivery` modules, which hold the
/// rules; everything outside the check-in module goes through methods.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckinState {
    pub(super) id: CheckinId,
    pub(super) armed_at: Timestamp,
    pub(super) deadline: Timestamp,
    pub(super) reminder_before_secs: i64,
    pub(super) grace_secs: i64,
    pub(super) repeat_secs: i64,
    pub(super) contacts: Vec<Contact>,
    pub(super) ladder: Vec<Step>,
    pub(super) facts: AlertFacts,
    pub(super) booking: Option<RecordId>,
    pub(super) location: Option<LocationFix>,
    pub(super) worker_language: String,
    pub(super) utc_offset_minutes: i32,
    /// The worker's neutral text for her own notifications, if she chose discreet wording.
    #[serde(default)]
    pub(super) discreet_notice: Option<String>,
    pub(super) reminder_done: bool,
    pub(super) overdue_done: bool,
    /// Ladder steps started so far (steps are sorted by start time).
    pub(super) steps_started: usize,
    /// When a later step should start early because every earlier alert failed.
    pub(super) advance_at: Option<Timestamp>,
    /// Rounds are counted from here (first step, or the duress check-in).
    pub(super) round_base: Option<Timestamp>,
    pub(super) rounds_done: i64,
    pub(super) acknowledged_by: Option<usize>,
    pub(super) ending: Option<Ending>,
    pub(super) deliveries: Vec<Delivery>,
    pub(super) next_seq: u32,
    /// Contacts to whom an alert or duress message was issued at least once.
    pub(super) warned: BTreeSet<usize>,
    /// Contacts whose alert the shell reported sent.
    pub(super) alert_sent_to: BTreeSet<usize>,
    /// The worker was shown that every channel to some buddy failed.
    pub(super) worker_told_unreachable: bool,
    /// Seqs up to this belong to deliveries pruned from the list; reports for them are
    /// stale and ignored.
    pub(super) pruned_through_seq: u32,
    /// Armed by a duress unlock (not by the worker): a second duress unlock while this one
    /// still alerts must not queue the same alert again. Left out of JSON when false (the
    /// vault's positional record encoding writes it: see `vault::encoding::omit_false`).
    #[serde(default, skip_serializing_if = "crate::vault::encoding::omit_false")]
    pub(super) from_duress_unlock: bool,
}

/// What the caller may see of a check-in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckinStatus {
    pub id: CheckinId,
    pub phase: Phase,
    pub armed_at: Timestamp,
    pub deadline: Timestamp,
    /// When the first ladder step starts unless the worker checks in.
    pub escalates_at: Timestamp,
    pub booking: Option<RecordId>,
    /// Buddies whose alert the shell reported sent.
    pub buddies_alerted: usize,
    pub acknowledged: bool,
    pub last_location: Option<LocationFix>,
}

/// How an ended check-in ended, as its history shows it. The duress code ends a check-in
/// exactly like the normal code, so both are `CheckedIn`: someone made to open the vault
/// must not learn from the history that the duress code was used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndedHow {
    /// Checked in with a code.
    CheckedIn,
    /// Cancelled before any buddy was alerted.
    Cancelled,
}

/// One ended check-in, kept for `checkin history`: times, how it ended and counts only (no
/// names, numbers, places or messages). Written once, when the check-in ends, so nothing
/// that happens afterwards (a duress alert going out) changes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndedCheckin {
    pub id: CheckinId,
    pub armed_at: Timestamp,
    pub deadline: Timestamp,
    pub ended_at: Timestamp,
    pub how: EndedHow,
    /// Whether the escalation had started (the deadline and grace period had passed).
    pub escalated: bool,
    /// Buddies whose alert had been reported sent when it ended.
    pub buddies_alerted: usize,
    pub booking: Option<RecordId>,
}

impl CheckinState {
    /// The history entry of a check-in that has ended; `None` while it is live, and for
    /// the check-in a duress *unlock* arms (the worker never armed it: listing it would
    /// tell the duress passphrase was used).
    pub(crate) fn ended_entry(&self) -> Option<EndedCheckin> {
        if self.from_duress_unlock {
            return None;
        }
        let (how, at) = match self.ending? {
            Ending::CheckedIn { at } | Ending::Duress { at } => (EndedHow::CheckedIn, at),
            Ending::Cancelled { at } => (EndedHow::Cancelled, at),
        };
        Some(EndedCheckin {
            id: self.id,
            armed_at: self.armed_at,
            deadline: self.deadline,
            ended_at: at,
            how,
            escalated: self.steps_started > 0,
            // As at the ending: a duress code changes neither this nor `escalated` then.
            buddies_alerted: self.alert_sent_to.len(),
            booking: self.booking,
        })
    }
}

/// What a lock screen or a foreground notification may show of a check-in, read by the
/// locked [`BackgroundRunner`](super::BackgroundRunner): its state and times, and counts.
/// No names, numbers, booking, messages or location: whoever holds the locked phone may
/// see this.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockScreenCheckin {
    /// To pass back to `acknowledge`.
    pub id: CheckinId,
    pub phase: Phase,
    pub deadline: Timestamp,
    /// When the first ladder step starts unless the worker checks in.
    pub escalates_at: Timestamp,
    /// How many buddies' alerts the shell reported sent.
    pub buddies_alerted: usize,
    /// Whether a buddy answered (repeats have stopped).
    pub acknowledged: bool,
}

impl From<CheckinStatus> for LockScreenCheckin {
    fn from(s: CheckinStatus) -> Self {
        Self {
            id: s.id,
            phase: s.phase,
            deadline: s.deadline,
            escalates_at: s.escalates_at,
            buddies_alerted: s.buddies_alerted,
            acknowledged: s.acknowledged,
        }
    }
}

impl CheckinState {
    /// Discreet wording for the worker's own notifications (already validated).
    pub(crate) fn set_discreet_notice(&mut self, text: Option<String>) {
        self.discreet_notice = text;
    }

    pub fn id(&self) -> CheckinId {
        self.id
    }

    pub fn deadline(&self) -> Timestamp {
        self.deadline
    }

    pub fn ending(&self) -> Option<Ending> {
        self.ending
    }

    pub fn contacts(&self) -> &[Contact] {
        &self.contacts
    }

    /// When ladder step `k` starts (step 0: deadline + grace). Derived from the state, so
    /// both the schedule and the message texts read it from here.
    pub(super) fn step_start(&self, k: usize) -> Timestamp {
        let after = self.ladder.get(k).map_or(0, |s| s.after_secs);
        self.deadline + Duration::seconds(self.grace_secs + after)
    }

    /// Contacts on the ladder steps started so far.
    pub(super) fn started_contacts(&self) -> BTreeSet<usize> {
        self.ladder[..self.steps_started]
            .iter()
            .flat_map(|s| s.contacts.iter().copied())
            .collect()
    }

    /// The caller-visible phase: duress shows as ended, like a normal check-in.
    pub fn phase(&self) -> Phase {
        match self.ending {
            Some(_) => Phase::Ended,
            None if self.steps_started > 0 => Phase::Escalating,
            None => Phase::Armed,
        }
    }

    /// Keeps the newest fix; an older one (reported late) is ignored.
    pub fn update_location(&mut self, fix: LocationFix) {
        if self.location.is_none_or(|l| fix.at >= l.at) {
            self.location = Some(fix);
        }
    }

    /// Whether any alert to a buddy was reported sent, or the worker was told that every
    /// channel to some buddy failed (used by tests and by the property checks).
    pub fn buddy_reached_or_worker_told(&self) -> bool {
        !self.alert_sent_to.is_empty() || self.worker_told_unreachable
    }

    /// Whether any buddy was sent (or may have been sent) an alert or duress message.
    pub fn any_buddy_warned(&self) -> bool {
        !self.warned.is_empty()
    }
}
