//! The escalation engine: a pure state machine over an injected clock.
//!
//! No I/O and no clock reads happen here. The persistence layer (`store.rs`) loads the
//! serialized [`CheckinState`]s, applies one operation and saves them in one transaction;
//! a restart is therefore nothing more than deserializing what was saved.
//!
//! Every message (to a buddy or to the worker) is a *delivery*: it is due at an instant,
//! issued as an [`Action`] with a fresh [`ActionId`], and done only when the shell reports
//! [`Outcome::Sent`]. An issued action with no reported outcome after [`ACK_TIMEOUT_SECS`]
//! counts as failed, so a shell killed mid-send never loses an alert. Failures retry with
//! [`BACKOFF_SECS`], then move to the buddy's next channel, and the worker is told.
//!
//! Scheduled events are stored as "done" flags and counters, never recomputed from the
//! clock alone: a clock that goes backwards cannot un-fire anything, and a clock that jumps
//! far forward fires each due event once (one repeat round, not one per missed interval).

use std::collections::{BTreeSet, HashMap};

use chrono::Duration;
use serde::{Deserialize, Serialize};

use super::templates::{self, Compose, MessageKind};
use super::CheckinError;
use crate::clock::Timestamp;
use crate::vault::RecordId;
use crate::Result;

/// Identifies a check-in (a random row id).
pub type CheckinId = RecordId;

/// An issued action with no reported outcome after this long is treated as failed.
pub const ACK_TIMEOUT_SECS: i64 = 120;
/// Waits between attempts on one channel; after the last, the next channel is tried.
pub const BACKOFF_SECS: [i64; 3] = [30, 60, 120];
/// Attempts on one channel before falling back: the first plus one per backoff step.
pub const ATTEMPTS_PER_CHANNEL: u32 = BACKOFF_SECS.len() as u32 + 1;
/// The longest a check-in may run from arming to deadline, extensions included.
pub const MAX_TOTAL_SECS: i64 = 12 * 3600;
/// The shortest repeat interval accepted (a buddy's phone should not be flooded).
pub const MIN_REPEAT_SECS: i64 = 60;
/// Finished deliveries kept per check-in (older ones are folded into summary fields), so
/// a long escalation does not grow its row without bound.
const MAX_FINISHED_KEPT: usize = 32;
/// Longest failure reason kept from the shell (it is shown to the worker, never logged).
const MAX_REASON_LEN: usize = 200;

/// How a buddy is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Sms,
    Call,
    /// A messaging app chosen by the shell (share sheet, Signal, WhatsApp, ...).
    OtherApp,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Sms, Channel::Call, Channel::OtherApp];

    /// Channels in the order they are tried: the first choice, then the others.
    fn order(first: Channel) -> Vec<Channel> {
        std::iter::once(first)
            .chain(Self::ALL.into_iter().filter(|c| *c != first))
            .collect()
    }

    /// For a discreet (duress) message: text channels only, since a call would show on
    /// the screen the worker is being watched on.
    fn discreet_order(preferred: Channel) -> Vec<Channel> {
        let first = if preferred == Channel::Call {
            Channel::Sms
        } else {
            preferred
        };
        Self::order(first)
            .into_iter()
            .filter(|c| *c != Channel::Call)
            .collect()
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

/// The id of one issued action: stable, stored, and what outcomes refer to.
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
    pub kind: ActionKind,
}

/// Notifications for the worker herself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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
enum Target {
    Worker,
    Buddy(usize),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Message {
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
enum DeliveryState {
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Delivery {
    target: Target,
    message: Message,
    /// Buddy channels in the order tried (empty for the worker).
    channels: Vec<Channel>,
    channel_pos: usize,
    /// Failures on the current channel.
    failures: u32,
    state: DeliveryState,
    /// Every action seq issued for this delivery (a late `Sent` for any of them counts).
    attempts: Vec<u32>,
    last_failure: Option<String>,
}

impl Delivery {
    fn new(target: Target, message: Message, channels: Vec<Channel>, due: Timestamp) -> Self {
        Self {
            target,
            message,
            channels,
            channel_pos: 0,
            failures: 0,
            state: DeliveryState::Due { at: due },
            attempts: Vec::new(),
            last_failure: None,
        }
    }

    fn is_active(&self) -> bool {
        matches!(
            self.state,
            DeliveryState::Due { .. } | DeliveryState::Issued { .. }
        )
    }

    fn is_buddy_warning(&self) -> bool {
        matches!(
            self.message,
            Message::Buddy(MessagePurpose::Alert | MessagePurpose::Duress)
        )
    }

    fn discreet(&self) -> bool {
        self.message == Message::Buddy(MessagePurpose::Duress)
    }

    fn due_instant(&self) -> Option<Timestamp> {
        match self.state {
            DeliveryState::Due { at } => Some(at),
            DeliveryState::Issued { at, .. } => Some(at + Duration::seconds(ACK_TIMEOUT_SECS)),
            _ => None,
        }
    }
}

/// The whole state of one live check-in. Serialized into one sealed row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckinState {
    id: CheckinId,
    armed_at: Timestamp,
    deadline: Timestamp,
    reminder_before_secs: i64,
    grace_secs: i64,
    repeat_secs: i64,
    contacts: Vec<Contact>,
    ladder: Vec<Step>,
    facts: AlertFacts,
    booking: Option<RecordId>,
    location: Option<LocationFix>,
    worker_language: String,
    utc_offset_minutes: i32,
    /// The worker's neutral text for her own notifications, if she chose discreet wording.
    #[serde(default)]
    discreet_notice: Option<String>,
    reminder_done: bool,
    overdue_done: bool,
    /// Ladder steps started so far (steps are sorted by start time).
    steps_started: usize,
    /// When a later step should start early because every earlier alert failed.
    advance_at: Option<Timestamp>,
    /// Rounds are counted from here (first step, or the duress check-in).
    round_base: Option<Timestamp>,
    rounds_done: i64,
    acknowledged_by: Option<usize>,
    ending: Option<Ending>,
    deliveries: Vec<Delivery>,
    next_seq: u32,
    /// Contacts to whom an alert or duress message was issued at least once.
    warned: BTreeSet<usize>,
    /// Contacts whose alert the shell reported sent.
    alert_sent_to: BTreeSet<usize>,
    /// The worker was shown that every channel to some buddy failed.
    worker_told_unreachable: bool,
    /// Seqs up to this belong to deliveries pruned from the list; reports for them are
    /// stale and ignored.
    pruned_through_seq: u32,
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

fn secs(d: Duration) -> i64 {
    d.num_seconds()
}

impl CheckinState {
    /// Discreet wording for the worker's own notifications (already validated).
    pub(crate) fn set_discreet_notice(&mut self, text: Option<String>) {
        self.discreet_notice = text;
    }

    /// Validates and arms. Every mistake is caught here, not at the deadline.
    pub fn arm(spec: ArmSpec, now: Timestamp) -> Result<Self> {
        if spec.deadline <= now {
            return Err(CheckinError::DeadlineNotInFuture.into());
        }
        if secs(spec.deadline - now) > MAX_TOTAL_SECS {
            return Err(CheckinError::TooLong.into());
        }
        if spec.contacts.is_empty() {
            return Err(CheckinError::NoBuddies.into());
        }
        let t = spec.timing;
        for (field, d) in [
            ("reminder", t.reminder_before),
            ("grace period", t.grace),
            ("repeat interval", t.repeat_every),
        ] {
            if d < Duration::zero() {
                return Err(crate::Error::invalid(field, "must not be negative"));
            }
            if secs(d) > MAX_TOTAL_SECS {
                return Err(crate::Error::invalid(field, "must not exceed 12 hours"));
            }
        }
        if secs(t.repeat_every) < MIN_REPEAT_SECS {
            return Err(crate::Error::invalid(
                "repeat interval",
                "must be at least one minute",
            ));
        }
        let mut ladder = if spec.ladder.is_empty() {
            vec![Step {
                after_secs: 0,
                contacts: (0..spec.contacts.len()).collect(),
                channel: None,
            }]
        } else {
            spec.ladder
        };
        for step in &ladder {
            if step.contacts.is_empty() {
                return Err(crate::Error::invalid("ladder step", "names no buddy"));
            }
            if step.contacts.iter().any(|c| *c >= spec.contacts.len()) {
                return Err(CheckinError::UnknownBuddy.into());
            }
            if step.after_secs < 0 || step.after_secs > MAX_TOTAL_SECS {
                return Err(crate::Error::invalid(
                    "ladder step",
                    "must start between 0 and 12 hours after the grace period",
                ));
            }
        }
        if (0..spec.contacts.len()).any(|c| !ladder.iter().any(|s| s.contacts.contains(&c))) {
            return Err(crate::Error::invalid(
                "ladder",
                "every chosen buddy must be on a step",
            ));
        }
        ladder.sort_by_key(|s| s.after_secs);
        let reminder_before_secs = secs(t.reminder_before);
        let reminder_at = spec.deadline - Duration::seconds(reminder_before_secs);
        Ok(Self {
            id: spec.id,
            armed_at: now,
            deadline: spec.deadline,
            reminder_before_secs,
            grace_secs: secs(t.grace),
            repeat_secs: secs(t.repeat_every),
            contacts: spec.contacts,
            ladder,
            facts: spec.facts,
            booking: spec.booking,
            location: None,
            worker_language: spec.worker_language,
            utc_offset_minutes: spec.utc_offset_minutes,
            discreet_notice: None,
            // A reminder that would fall at or before arming is pointless: skip it.
            reminder_done: reminder_before_secs == 0 || reminder_at <= now,
            overdue_done: false,
            steps_started: 0,
            advance_at: None,
            round_base: None,
            rounds_done: 0,
            acknowledged_by: None,
            ending: None,
            deliveries: Vec::new(),
            next_seq: 1,
            warned: BTreeSet::new(),
            alert_sent_to: BTreeSet::new(),
            worker_told_unreachable: false,
            pruned_through_seq: 0,
        })
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

    fn reminder_at(&self) -> Timestamp {
        self.deadline - Duration::seconds(self.reminder_before_secs)
    }

    fn step_start(&self, k: usize) -> Timestamp {
        let after = self.ladder.get(k).map_or(0, |s| s.after_secs);
        self.deadline + Duration::seconds(self.grace_secs + after)
    }

    fn rounds_active(&self) -> bool {
        if self.acknowledged_by.is_some() {
            return false;
        }
        match self.ending {
            None => self.round_base.is_some(),
            Some(Ending::Duress { .. }) => true,
            Some(_) => false,
        }
    }

    fn next_round_at(&self) -> Option<Timestamp> {
        let base = self.round_base?;
        Some(base + Duration::seconds(self.repeat_secs.saturating_mul(self.rounds_done + 1)))
    }

    /// The caller-visible phase: duress shows as ended, like a normal check-in.
    pub fn phase(&self) -> Phase {
        match self.ending {
            Some(_) => Phase::Ended,
            None if self.steps_started > 0 => Phase::Escalating,
            None => Phase::Armed,
        }
    }

    /// Nothing left to do: the row can be erased.
    pub fn is_finished(&self) -> bool {
        let idle = !self.deliveries.iter().any(Delivery::is_active);
        match self.ending {
            None => false,
            Some(Ending::Duress { .. }) => idle && self.acknowledged_by.is_some(),
            Some(_) => idle,
        }
    }

    pub fn status(&self) -> CheckinStatus {
        let alerted = &self.alert_sent_to;
        let ended = self.ending.is_some();
        CheckinStatus {
            id: self.id,
            phase: self.phase(),
            armed_at: self.armed_at,
            deadline: self.deadline,
            escalates_at: self.step_start(0),
            booking: self.booking,
            buddies_alerted: if ended { 0 } else { alerted.len() },
            acknowledged: !ended && self.acknowledged_by.is_some(),
            last_location: if ended { None } else { self.location },
        }
    }

    /// The earliest instant at which [`tick`](Self::tick) has something to do.
    pub fn next_due(&self) -> Option<Timestamp> {
        let mut best: Option<Timestamp> = None;
        let mut consider = |t: Timestamp| best = Some(best.map_or(t, |b| b.min(t)));
        if self.ending.is_none() {
            if !self.reminder_done {
                consider(self.reminder_at());
            }
            if !self.overdue_done {
                consider(self.deadline);
            }
            if self.steps_started < self.ladder.len() {
                consider(self.step_start(self.steps_started));
                if let Some(t) = self.advance_at {
                    consider(t);
                }
            }
        }
        if self.rounds_active() {
            if let Some(t) = self.next_round_at() {
                consider(t);
            }
        }
        for d in &self.deliveries {
            if let Some(t) = d.due_instant() {
                consider(t);
            }
        }
        best
    }

    /// Everything due at `now`: timeouts become failures, scheduled events fire once,
    /// due deliveries are issued.
    pub fn tick(&mut self, now: Timestamp) -> Vec<Action> {
        for i in 0..self.deliveries.len() {
            if let DeliveryState::Issued { at, .. } = self.deliveries[i].state {
                if now >= at + Duration::seconds(ACK_TIMEOUT_SECS) {
                    self.fail(i, now, None);
                    // The timeout already waited: retry now rather than after a backoff.
                    if let DeliveryState::Due { at } = &mut self.deliveries[i].state {
                        *at = now;
                    }
                }
            }
        }
        if self.ending.is_none() {
            self.fire_schedule(now);
        }
        self.fire_round(now);
        let mut actions = Vec::new();
        for i in 0..self.deliveries.len() {
            if let DeliveryState::Due { at } = self.deliveries[i].state {
                if now >= at {
                    actions.push(self.issue(i, now));
                }
            }
        }
        self.prune();
        actions
    }

    /// Drops the oldest finished deliveries beyond [`MAX_FINISHED_KEPT`]; everything the
    /// engine still needs from them lives in the summary fields.
    fn prune(&mut self) {
        let finished = self.deliveries.iter().filter(|d| !d.is_active()).count();
        let mut excess = finished.saturating_sub(MAX_FINISHED_KEPT);
        if excess == 0 {
            return;
        }
        let mut floor = self.pruned_through_seq;
        self.deliveries.retain(|d| {
            if excess > 0 && !d.is_active() {
                excess -= 1;
                floor = floor.max(d.attempts.iter().copied().max().unwrap_or(0));
                false
            } else {
                true
            }
        });
        self.pruned_through_seq = floor;
    }

    fn fire_schedule(&mut self, now: Timestamp) {
        // Worker notices: when several are due at once (a late wake-up), only the most
        // recent is shown; the others would be stale ("check in by 22:00" at 22:30).
        let escalation_due = self.steps_started == 0 && now >= self.step_start(0);
        if escalation_due {
            self.reminder_done = true;
            self.overdue_done = true;
        } else if !self.overdue_done && now >= self.deadline {
            self.reminder_done = true;
            self.overdue_done = true;
            self.notify_worker(WorkerNotice::Overdue, now);
        } else if !self.reminder_done && now >= self.reminder_at() {
            self.reminder_done = true;
            self.notify_worker(WorkerNotice::Reminder, now);
        }
        while self.steps_started < self.ladder.len()
            && (now >= self.step_start(self.steps_started)
                || self.advance_at.is_some_and(|t| now >= t))
        {
            let k = self.steps_started;
            if k == 0 {
                self.round_base = Some(self.step_start(0));
                self.rounds_done = 0;
                self.notify_worker(WorkerNotice::Escalating, now);
            }
            self.advance_at = None;
            self.steps_started += 1;
            let contacts = self.ladder[k].contacts.clone();
            for c in contacts {
                self.queue_buddy(c, MessagePurpose::Alert, now);
            }
        }
    }

    /// One repeat round if any is due: never one per missed interval.
    fn fire_round(&mut self, now: Timestamp) {
        if !self.rounds_active() {
            return;
        }
        let (Some(base), Some(next)) = (self.round_base, self.next_round_at()) else {
            return;
        };
        if now < next {
            return;
        }
        self.rounds_done = (now - base).num_seconds() / self.repeat_secs.max(1);
        let (purpose, contacts): (MessagePurpose, Vec<usize>) = match self.ending {
            Some(Ending::Duress { .. }) => {
                (MessagePurpose::Duress, (0..self.contacts.len()).collect())
            }
            _ => (
                MessagePurpose::Alert,
                self.started_contacts().into_iter().collect(),
            ),
        };
        for c in contacts {
            self.queue_buddy(c, purpose, now);
        }
    }

    fn started_contacts(&self) -> BTreeSet<usize> {
        self.ladder[..self.steps_started]
            .iter()
            .flat_map(|s| s.contacts.iter().copied())
            .collect()
    }

    fn notify_worker(&mut self, notice: WorkerNotice, now: Timestamp) {
        self.deliveries.push(Delivery::new(
            Target::Worker,
            Message::Notice(notice),
            Vec::new(),
            now,
        ));
    }

    /// Queues a message to contact `c` unless one is already on its way to them (the one
    /// in flight carries the same news; its text is composed when it is issued).
    fn queue_buddy(&mut self, c: usize, purpose: MessagePurpose, now: Timestamp) {
        let busy = self.deliveries.iter().any(|d| {
            d.target == Target::Buddy(c) && d.is_active() && d.message == Message::Buddy(purpose)
        });
        if busy {
            return;
        }
        let Some(contact) = self.contacts.get(c) else {
            return;
        };
        let channels = match purpose {
            MessagePurpose::Duress => Channel::discreet_order(contact.channel),
            _ => {
                let first = self
                    .ladder
                    .iter()
                    .find(|s| s.contacts.contains(&c))
                    .and_then(|s| s.channel)
                    .unwrap_or(contact.channel);
                Channel::order(first)
            }
        };
        self.deliveries.push(Delivery::new(
            Target::Buddy(c),
            Message::Buddy(purpose),
            channels,
            now,
        ));
    }

    fn fail(&mut self, i: usize, now: Timestamp, reason: Option<String>) {
        let told_worker = self
            .ending
            .is_none_or(|e| !matches!(e, Ending::Duress { .. }));
        let d = &mut self.deliveries[i];
        d.failures += 1;
        d.last_failure = Some(
            reason
                .map(|r| r.chars().take(MAX_REASON_LEN).collect())
                .unwrap_or_else(|| "no outcome reported".to_owned()),
        );
        if d.failures < ATTEMPTS_PER_CHANNEL {
            let wait = BACKOFF_SECS[(d.failures as usize - 1).min(BACKOFF_SECS.len() - 1)];
            d.state = DeliveryState::Due {
                at: now + Duration::seconds(wait),
            };
            return;
        }
        let Target::Buddy(contact) = d.target else {
            // A worker notice that never got through: nothing else to fall back to.
            d.state = DeliveryState::Exhausted { at: now };
            return;
        };
        let failed = d
            .channels
            .get(d.channel_pos)
            .copied()
            .unwrap_or(Channel::Sms);
        let reason = d.last_failure.clone();
        let discreet = d.discreet();
        let next = if d.channel_pos + 1 < d.channels.len() {
            d.channel_pos += 1;
            d.failures = 0;
            d.state = DeliveryState::Due { at: now };
            d.channels.get(d.channel_pos).copied()
        } else {
            d.state = DeliveryState::Exhausted { at: now };
            None
        };
        if told_worker && !discreet {
            self.deliveries.push(Delivery::new(
                Target::Worker,
                Message::ChannelFailed {
                    contact,
                    failed,
                    next,
                    reason,
                },
                Vec::new(),
                now,
            ));
        }
        if next.is_none() && self.ending.is_none() && self.every_started_alert_failed() {
            // Fall through to the next rung of the ladder now rather than at its time.
            self.advance_at = Some(now);
        }
    }

    fn every_started_alert_failed(&self) -> bool {
        let started = self.started_contacts();
        let alerts: Vec<&Delivery> = self
            .deliveries
            .iter()
            .filter(|d| matches!(d.target, Target::Buddy(c) if started.contains(&c)))
            .filter(|d| d.message == Message::Buddy(MessagePurpose::Alert))
            .collect();
        !alerts.is_empty()
            && alerts
                .iter()
                .all(|d| matches!(d.state, DeliveryState::Exhausted { .. }))
    }

    fn issue(&mut self, i: usize, now: Timestamp) -> Action {
        let seq = self.next_seq;
        self.next_seq = self.next_seq.saturating_add(1);
        let d = &mut self.deliveries[i];
        d.attempts.push(seq);
        d.state = DeliveryState::Issued { seq, at: now };
        let d = d.clone();
        match (&d.message, d.target) {
            (Message::Buddy(MessagePurpose::Alert | MessagePurpose::Duress), Target::Buddy(c)) => {
                self.warned.insert(c);
            }
            (Message::ChannelFailed { next: None, .. }, _) => self.worker_told_unreachable = true,
            _ => {}
        }
        let id = ActionId {
            checkin: self.id,
            seq,
        };
        let kind = self.compose_action(&d, now);
        Action { id, kind }
    }

    fn compose(&self, now: Timestamp) -> Compose<'_> {
        Compose {
            deadline: self.deadline,
            escalates_at: self.step_start(0),
            facts: &self.facts,
            location: self.location.as_ref(),
            ending_at: match self.ending {
                Some(
                    Ending::Duress { at } | Ending::CheckedIn { at } | Ending::Cancelled { at },
                ) => Some(at),
                None => None,
            },
            utc_offset_minutes: self.utc_offset_minutes,
            now,
            discreet_notice: self.discreet_notice.as_deref(),
        }
    }

    fn compose_action(&self, d: &Delivery, now: Timestamp) -> ActionKind {
        let ctx = self.compose(now);
        let contact = match (&d.message, d.target) {
            (Message::Buddy(_), Target::Buddy(c)) => self.contacts.get(c),
            (Message::ChannelFailed { contact, .. }, _) => self.contacts.get(*contact),
            _ => None,
        };
        match (&d.message, contact) {
            (Message::Buddy(purpose), Some(contact)) => {
                let kind = match purpose {
                    MessagePurpose::Alert => MessageKind::Alert,
                    MessagePurpose::Duress => MessageKind::Duress,
                    MessagePurpose::Safe => MessageKind::Safe,
                };
                ActionKind::MessageBuddy {
                    buddy: contact.buddy,
                    name: contact.name.clone(),
                    phone: contact.phone.clone(),
                    channel: d
                        .channels
                        .get(d.channel_pos)
                        .copied()
                        .unwrap_or(contact.channel),
                    language: contact.language.clone(),
                    purpose: *purpose,
                    text: templates::compose(&contact.language, contact.plain_letters, kind, &ctx),
                    discreet: *purpose == MessagePurpose::Duress,
                }
            }
            (
                Message::ChannelFailed {
                    failed,
                    next,
                    reason,
                    ..
                },
                Some(c),
            ) => ActionKind::WorkerAlertFailed {
                buddy: c.buddy,
                buddy_name: c.name.clone(),
                failed_channel: *failed,
                next_channel: *next,
                every_channel_failed: next.is_none(),
                reason: reason.clone(),
                text: templates::compose(
                    &self.worker_language,
                    false,
                    MessageKind::ChannelFailed {
                        buddy: &c.name,
                        failed: *failed,
                        next: *next,
                    },
                    &ctx,
                ),
            },
            // A notice, or (only in a corrupted state) a message with no contact to go to:
            // the worker is told rather than nothing happening.
            _ => {
                let notice = match &d.message {
                    Message::Notice(n) => *n,
                    _ => WorkerNotice::Escalating,
                };
                let kind = match notice {
                    WorkerNotice::Reminder => MessageKind::Reminder,
                    WorkerNotice::Overdue => MessageKind::Overdue,
                    WorkerNotice::Escalating => MessageKind::Escalating,
                };
                ActionKind::NotifyWorker {
                    notice,
                    text: templates::compose(&self.worker_language, false, kind, &ctx),
                }
            }
        }
    }

    /// Records what the shell did with action `seq`. Only `Sent` counts as done; a late
    /// `Sent` for an earlier attempt still marks the message delivered.
    pub fn report(&mut self, seq: u32, outcome: Outcome, now: Timestamp) -> Result<()> {
        let Some(i) = self
            .deliveries
            .iter()
            .position(|d| d.attempts.contains(&seq))
        else {
            if seq <= self.pruned_through_seq {
                // Long finished and folded away: nothing can change.
                return Ok(());
            }
            return Err(CheckinError::UnknownAction.into());
        };
        match outcome {
            Outcome::Sent => {
                let d = &mut self.deliveries[i];
                if !matches!(d.state, DeliveryState::Sent { .. }) {
                    d.state = DeliveryState::Sent { at: now };
                }
                if let (Message::Buddy(MessagePurpose::Alert), Target::Buddy(c)) =
                    (&d.message, d.target)
                {
                    self.alert_sent_to.insert(c);
                }
            }
            Outcome::Failed { reason } => {
                // Only the attempt in flight can fail; a stale report changes nothing.
                if matches!(self.deliveries[i].state, DeliveryState::Issued { seq: s, .. } if s == seq)
                {
                    self.fail(i, now, Some(reason));
                }
            }
        }
        Ok(())
    }

    fn withdraw_active(&mut self, keep: impl Fn(&Delivery) -> bool) {
        for d in &mut self.deliveries {
            if d.is_active() && !keep(d) {
                d.state = DeliveryState::Withdrawn;
            }
        }
    }

    /// The worker checked in. Returns `false` (and changes nothing) if already ended.
    /// Normal: pending messages are withdrawn and every buddy who may have seen an alert
    /// gets "I'm safe". Duress: the same for the caller, but every buddy is alerted
    /// discreetly, repeating until one acknowledges.
    pub fn check_in(&mut self, duress: bool, now: Timestamp) -> bool {
        if self.ending.is_some() {
            return false;
        }
        let alerted = self.warned.clone();
        self.withdraw_active(|_| false);
        if duress {
            self.ending = Some(Ending::Duress { at: now });
            self.round_base = Some(now);
            self.rounds_done = 0;
            self.acknowledged_by = None;
            for c in 0..self.contacts.len() {
                self.queue_buddy(c, MessagePurpose::Duress, now);
            }
        } else {
            self.ending = Some(Ending::CheckedIn { at: now });
            for c in alerted {
                self.queue_buddy(c, MessagePurpose::Safe, now);
            }
        }
        true
    }

    /// Adds time before escalation starts; refused once buddies are being alerted.
    pub fn extend(&mut self, by: Duration, now: Timestamp) -> Result<()> {
        self.ensure_not_escalating()?;
        if by <= Duration::zero() {
            return Err(crate::Error::invalid("extension", "must be positive"));
        }
        let deadline = self.deadline + by;
        if deadline <= now {
            return Err(CheckinError::DeadlineNotInFuture.into());
        }
        if secs(deadline - self.armed_at) > MAX_TOTAL_SECS {
            return Err(CheckinError::TooLong.into());
        }
        self.deadline = deadline;
        self.reminder_done = self.reminder_before_secs == 0 || self.reminder_at() <= now;
        self.overdue_done = false;
        self.withdraw_active(|d| !matches!(d.message, Message::Notice(_)));
        Ok(())
    }

    /// Ends the check-in without alerting anyone; refused once buddies are being alerted
    /// (then only a check-in with the worker's code ends it).
    pub fn cancel(&mut self, now: Timestamp) -> Result<()> {
        self.ensure_not_escalating()?;
        self.withdraw_active(|_| false);
        self.ending = Some(Ending::Cancelled { at: now });
        Ok(())
    }

    fn ensure_not_escalating(&self) -> Result<()> {
        match (self.ending, self.steps_started) {
            (Some(_), _) => Err(crate::Error::NotFound("armed check-in")),
            (None, 0) => Ok(()),
            (None, _) => Err(CheckinError::AlreadyEscalating.into()),
        }
    }

    /// A buddy answered (replied, called back): repeats stop. Messages already on their
    /// way to other buddies still go out.
    pub fn acknowledge(&mut self, buddy: &RecordId, _now: Timestamp) -> Result<()> {
        let c = self
            .contacts
            .iter()
            .position(|k| k.buddy == *buddy)
            .ok_or(CheckinError::UnknownBuddy)?;
        if !self.warned.contains(&c) {
            return Err(CheckinError::NotAlerted.into());
        }
        if self.acknowledged_by.is_none() {
            self.acknowledged_by = Some(c);
        }
        // Retries to the buddy who answered are pointless.
        for d in &mut self.deliveries {
            if d.target == Target::Buddy(c)
                && d.is_buddy_warning()
                && matches!(d.state, DeliveryState::Due { .. })
            {
                d.state = DeliveryState::Withdrawn;
            }
        }
        Ok(())
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

    /// Whether action `seq` belongs to a delivery already reported sent.
    pub fn is_sent(&self, seq: u32) -> bool {
        self.deliveries
            .iter()
            .any(|d| d.attempts.contains(&seq) && matches!(d.state, DeliveryState::Sent { .. }))
    }
}

/// Many check-ins, indexed by their next due instant so that `tick` and `next_wakeup`
/// touch only what is due (see `benches/checkin.rs`).
#[derive(Debug, Clone, Default)]
pub struct Engine {
    states: HashMap<CheckinId, CheckinState>,
    queue: BTreeSet<(Timestamp, CheckinId)>,
    due: HashMap<CheckinId, Timestamp>,
}

impl Engine {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn from_states(states: impl IntoIterator<Item = CheckinState>) -> Self {
        let mut e = Self::new();
        for s in states {
            e.insert(s);
        }
        e
    }

    pub fn insert(&mut self, state: CheckinState) {
        let id = state.id;
        self.states.insert(id, state);
        self.reindex(id);
    }

    pub fn get(&self, id: &CheckinId) -> Option<&CheckinState> {
        self.states.get(id)
    }

    pub fn states(&self) -> impl Iterator<Item = &CheckinState> {
        self.states.values()
    }

    pub fn len(&self) -> usize {
        self.states.len()
    }

    pub fn is_empty(&self) -> bool {
        self.states.is_empty()
    }

    /// Applies `f` to one check-in and keeps the index right.
    pub fn update<R>(
        &mut self,
        id: &CheckinId,
        f: impl FnOnce(&mut CheckinState) -> R,
    ) -> Option<R> {
        let r = f(self.states.get_mut(id)?);
        self.reindex(*id);
        Some(r)
    }

    /// Applies `f` to every check-in.
    pub fn update_all(&mut self, mut f: impl FnMut(&mut CheckinState)) {
        let ids: Vec<CheckinId> = self.states.keys().copied().collect();
        for id in ids {
            self.update(&id, &mut f);
        }
    }

    /// Removes and returns finished check-ins.
    pub fn take_finished(&mut self) -> Vec<CheckinState> {
        let ids: Vec<CheckinId> = self
            .states
            .values()
            .filter(|s| s.is_finished())
            .map(|s| s.id)
            .collect();
        ids.into_iter()
            .filter_map(|id| {
                if let Some(t) = self.due.remove(&id) {
                    self.queue.remove(&(t, id));
                }
                self.states.remove(&id)
            })
            .collect()
    }

    fn reindex(&mut self, id: CheckinId) {
        if let Some(t) = self.due.remove(&id) {
            self.queue.remove(&(t, id));
        }
        if let Some(t) = self.states.get(&id).and_then(CheckinState::next_due) {
            self.due.insert(id, t);
            self.queue.insert((t, id));
        }
    }

    /// Every action due at `now`, across all check-ins.
    pub fn tick(&mut self, now: Timestamp) -> Vec<Action> {
        let due: Vec<CheckinId> = self
            .queue
            .range(..=(now, RecordId::from_bytes([0xff; 16])))
            .map(|(_, id)| *id)
            .collect();
        let mut actions = Vec::new();
        for id in due {
            if let Some(mut a) = self.update(&id, |s| s.tick(now)) {
                actions.append(&mut a);
            }
        }
        actions
    }

    /// The earliest instant any check-in has something due; `None` when nothing is.
    pub fn next_wakeup(&self) -> Option<Timestamp> {
        self.queue.first().map(|(t, _)| *t)
    }

    pub fn report(&mut self, id: &ActionId, outcome: Outcome, now: Timestamp) -> Result<()> {
        self.update(&id.checkin, |s| s.report(id.seq, outcome, now))
            .unwrap_or(Err(CheckinError::UnknownAction.into()))
    }
}

#[cfg(test)]
#[path = "engine_tests.rs"]
mod tests;
