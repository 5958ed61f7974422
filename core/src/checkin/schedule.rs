//! The schedule of a check-in: arming, the reminder, the deadline, the ladder and its
//! repeat rounds, and the endings (check-in, duress, cancel, extend); plus [`Engine`], which
//! indexes many check-ins by their next due instant for `tick` and `next_wakeup`.
//!
//! Scheduled events are stored as "done" flags and counters, never recomputed from the
//! clock alone: a clock that goes backwards cannot un-fire anything, and a clock that jumps
//! far forward fires each due event once (one repeat round, not one per missed interval).

use std::collections::{BTreeSet, HashMap};

use chrono::Duration;

use super::delivery::ACK_TIMEOUT_SECS;
use super::model::{
    Action, ActionId, ArmSpec, CheckinId, CheckinState, CheckinStatus, Delivery, DeliveryState,
    Ending, Message, MessagePurpose, Outcome, Step, WorkerNotice,
};
use super::{check_time, CheckinError, LadderProblem};
use crate::clock::Timestamp;
use crate::vault::RecordId;
use crate::Result;

/// The longest a check-in may run from arming to deadline, extensions included.
pub const MAX_TOTAL_SECS: i64 = 12 * 3600;
/// The shortest repeat interval accepted (a buddy's phone should not be flooded).
pub const MIN_REPEAT_SECS: i64 = 60;
/// The most steps a custom escalation ladder may have.
pub const MAX_LADDER_STEPS: usize = 8;
/// Duress alerts repeat at the check-in's interval for this long after the duress code...
pub const DURESS_FAST_SECS: i64 = 3600;
/// ...then this often...
pub const DURESS_SLOW_EVERY_SECS: i64 = 3600;
/// ...and stop this long after it (unless a buddy answered before).
pub const DURESS_REPEAT_FOR_SECS: i64 = 24 * 3600;

fn secs(d: Duration) -> i64 {
    d.num_seconds()
}

impl CheckinState {
    /// Validates and arms. Every mistake is caught here, not at the deadline.
    pub fn arm(spec: ArmSpec, now: Timestamp) -> Result<Self> {
        check_time(now)?;
        check_time(spec.deadline)?;
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
        let ladder = if spec.ladder.is_empty() {
            vec![Step {
                after_secs: 0,
                contacts: (0..spec.contacts.len()).collect(),
                channel: None,
            }]
        } else {
            validate_ladder(&spec.ladder, spec.contacts.len())?;
            spec.ladder
        };
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
            from_duress_unlock: false,
        })
    }

    fn reminder_at(&self) -> Timestamp {
        self.deadline - Duration::seconds(self.reminder_before_secs)
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
        let offset = self.round_offset(self.rounds_done + 1)?;
        Some(base + Duration::seconds(offset))
    }

    /// Seconds after the round base of repeat round `n` (from 1), or `None` when there is
    /// no such round. Alerts repeat at the check-in's interval until she checks in or a
    /// buddy answers. Duress alerts (which she cannot stop without giving herself away) at
    /// that interval for the first hour, then hourly (or at the interval, if longer), and
    /// not past a day once one of them has gone out: unbounded, they were 288 SMS a day to
    /// each buddy, in her sent messages and off her credit, which a prepaid phone runs out
    /// of (and then no alert of hers goes out at all). Until one has gone out (no signal,
    /// no credit, airplane mode for a day) they go on hourly: the day counts for nothing
    /// if nobody was told.
    pub(super) fn round_offset(&self, n: i64) -> Option<i64> {
        let Some((every, fast_rounds, slow)) = self.duress_shape() else {
            return Some(self.repeat_secs.max(1).saturating_mul(n));
        };
        let offset = if n <= fast_rounds {
            every * n
        } else {
            every * fast_rounds + (n - fast_rounds).saturating_mul(slow)
        };
        (offset <= DURESS_REPEAT_FOR_SECS || !self.duress_reached_someone()).then_some(offset)
    }

    /// How many repeat rounds are due `elapsed` seconds after the round base: the largest
    /// `n` whose [`Self::round_offset`] is at most `elapsed` (at most the last one there is).
    pub(super) fn rounds_due(&self, elapsed: i64) -> i64 {
        let Some((every, fast_rounds, slow)) = self.duress_shape() else {
            return elapsed / self.repeat_secs.max(1);
        };
        let slow_start = every * fast_rounds;
        let due = if elapsed < slow_start {
            elapsed / every
        } else {
            fast_rounds + (elapsed - slow_start) / slow
        };
        if !self.duress_reached_someone() {
            return due;
        }
        let last = fast_rounds + (DURESS_REPEAT_FOR_SECS - slow_start).max(0) / slow;
        due.min(last)
    }

    /// For a duress ending: the interval, the rounds at it, and the slower interval after.
    fn duress_shape(&self) -> Option<(i64, i64, i64)> {
        if !matches!(self.ending, Some(Ending::Duress { .. })) {
            return None;
        }
        let every = self.repeat_secs.max(1);
        Some((
            every,
            DURESS_FAST_SECS / every,
            DURESS_SLOW_EVERY_SECS.max(every),
        ))
    }

    /// Whether a duress alert is known to have left for some buddy (reported sent, not
    /// undelivered since).
    fn duress_reached_someone(&self) -> bool {
        self.deliveries.iter().any(|d| {
            d.message == Message::Buddy(MessagePurpose::Duress)
                && matches!(d.state, DeliveryState::Sent { .. })
        })
    }

    /// Nothing left to do: the row can be erased.
    pub fn is_finished(&self) -> bool {
        let idle = !self.deliveries.iter().any(Delivery::is_active);
        match self.ending {
            None => false,
            Some(Ending::Duress { .. }) => {
                idle && (self.acknowledged_by.is_some() || self.next_round_at().is_none())
            }
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
        self.rounds_done = self.rounds_due((now - base).num_seconds());
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

    /// The worker checked in. Returns `false` (and changes nothing) if already ended.
    /// Normal: pending messages are withdrawn and every buddy who may have seen an alert
    /// gets "I'm safe". Duress: the same for the caller, but every buddy is alerted
    /// discreetly, repeating until one acknowledges (for a day at most: see
    /// [`DURESS_REPEAT_FOR_SECS`]).
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
        check_time(now)?;
        self.ensure_not_escalating()?;
        if by <= Duration::zero() {
            return Err(crate::Error::invalid("extension", "must be positive"));
        }
        // Checked before adding: an extreme extension must not overflow the deadline.
        if secs(by) > MAX_TOTAL_SECS {
            return Err(CheckinError::TooLong.into());
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
}

/// Checks a custom ladder (engine form): at most [`MAX_LADDER_STEPS`] steps, each naming
/// at least one chosen buddy, starting in strictly increasing order within 12 hours of the
/// grace period's end; every buddy on exactly one step (a buddy's channel comes from their
/// step, so a second step for the same buddy could not take effect).
fn validate_ladder(ladder: &[Step], contacts: usize) -> Result<()> {
    if ladder.len() > MAX_LADDER_STEPS {
        return Err(LadderProblem::TooManySteps {
            max: MAX_LADDER_STEPS as u32,
        }
        .into());
    }
    let mut seen = BTreeSet::new();
    for (k, step) in ladder.iter().enumerate() {
        let n = u32::try_from(k + 1).unwrap_or(u32::MAX);
        if step.contacts.is_empty() {
            return Err(LadderProblem::EmptyStep { step: n }.into());
        }
        if step.contacts.iter().any(|c| *c >= contacts) {
            return Err(LadderProblem::BuddyNotChosen { step: n }.into());
        }
        if !(0..=MAX_TOTAL_SECS).contains(&step.after_secs) {
            return Err(LadderProblem::StepOutOfRange { step: n }.into());
        }
        if k > 0 && step.after_secs <= ladder[k - 1].after_secs {
            return Err(LadderProblem::OutOfOrder { step: n }.into());
        }
        for c in &step.contacts {
            if !seen.insert(*c) {
                return Err(LadderProblem::BuddyRepeated { step: n }.into());
            }
        }
    }
    if seen.len() < contacts {
        return Err(LadderProblem::BuddyMissing.into());
    }
    Ok(())
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
