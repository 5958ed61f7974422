//! Delivery: every message (to a buddy or to the worker) is due at an instant, issued as
//! an [`Action`] with a fresh [`ActionId`] (its text composed then, from the templates), and
//! done only when the shell reports [`Outcome::Sent`]. An issued action with no reported
//! outcome after [`ACK_TIMEOUT_SECS`] counts as failed, so a shell killed mid-send never
//! loses an alert. Failures retry with [`BACKOFF_SECS`], then move to the buddy's next
//! channel, and the worker is told. A buddy's acknowledgement stops the retries to them.

use chrono::Duration;

use super::model::{
    Action, ActionId, ActionKind, Channel, CheckinState, Delivery, DeliveryState, Ending, Message,
    MessagePurpose, Outcome, Target, WorkerNotice,
};
use super::templates::{self, Compose, MessageKind};
use super::CheckinError;
use crate::clock::Timestamp;
use crate::vault::RecordId;
use crate::Result;

/// An issued action with no reported outcome after this long is treated as failed.
pub const ACK_TIMEOUT_SECS: i64 = 120;
/// Waits between attempts on one channel; after the last, the next channel is tried.
pub const BACKOFF_SECS: [i64; 3] = [30, 60, 120];
/// Attempts on one channel before falling back: the first plus one per backoff step.
pub const ATTEMPTS_PER_CHANNEL: u32 = BACKOFF_SECS.len() as u32 + 1;
/// Finished deliveries kept per check-in (older ones are folded into summary fields), so
/// a long escalation does not grow its row without bound.
const MAX_FINISHED_KEPT: usize = 32;
/// Longest failure reason kept from the shell (it is shown to the worker, never logged).
const MAX_REASON_LEN: usize = 200;

impl Channel {
    /// Channels in the order they are tried: the first choice, then the others.
    fn order(first: Channel) -> Vec<Channel> {
        std::iter::once(first)
            .chain(Self::ALL.into_iter().filter(|c| *c != first))
            .collect()
    }

    /// For a discreet (duress) message: SMS only, whatever the buddy prefers. A call shows
    /// on the screen the worker is being watched on, and "another app" needs her tap on a
    /// notification that holds the whole text; the phone sends an SMS without a trace on
    /// its screen. Its failures are retried by the repeat rounds, never shown.
    fn discreet_order() -> Vec<Channel> {
        vec![Channel::Sms]
    }

    /// For "I'm safe": every channel but a call. A call placed on her screen right after a
    /// normal check-in would be the one thing a duress check-in (which shows nothing) does
    /// not do, at the moment a check-in is most likely forced (escalation under way).
    fn safe_order(first: Channel) -> Vec<Channel> {
        let first = if first == Channel::Call {
            Channel::Sms
        } else {
            first
        };
        Self::order(first)
            .into_iter()
            .filter(|c| *c != Channel::Call)
            .collect()
    }
}

impl Delivery {
    pub(super) fn new(
        target: Target,
        message: Message,
        channels: Vec<Channel>,
        due: Timestamp,
    ) -> Self {
        Self {
            target,
            message,
            channels,
            channel_pos: 0,
            failures: 0,
            state: DeliveryState::Due { at: due },
            attempts: Vec::new(),
            seq: None,
            sent_seq: None,
            last_failure: None,
        }
    }

    pub(super) fn is_active(&self) -> bool {
        matches!(
            self.state,
            DeliveryState::Due { .. } | DeliveryState::Issued { .. }
        )
    }

    pub(super) fn is_buddy_warning(&self) -> bool {
        matches!(
            self.message,
            Message::Buddy(MessagePurpose::Alert | MessagePurpose::Duress)
        )
    }

    pub(super) fn discreet(&self) -> bool {
        self.message == Message::Buddy(MessagePurpose::Duress)
    }

    pub(super) fn due_instant(&self) -> Option<Timestamp> {
        match self.state {
            DeliveryState::Due { at } => Some(at),
            DeliveryState::Issued { at, .. } => Some(at + Duration::seconds(ACK_TIMEOUT_SECS)),
            _ => None,
        }
    }
}

impl CheckinState {
    /// Drops the oldest finished deliveries beyond [`MAX_FINISHED_KEPT`]; everything the
    /// engine still needs from them lives in the summary fields.
    pub(super) fn prune(&mut self) {
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

    pub(super) fn notify_worker(&mut self, notice: WorkerNotice, now: Timestamp) {
        self.deliveries.push(Delivery::new(
            Target::Worker,
            Message::Notice(notice),
            Vec::new(),
            now,
        ));
    }

    /// Queues a message to contact `c` unless one is already on its way to them (the one
    /// in flight carries the same news; its text is composed when it is issued).
    pub(super) fn queue_buddy(&mut self, c: usize, purpose: MessagePurpose, now: Timestamp) {
        let busy = self.deliveries.iter().any(|d| {
            d.target == Target::Buddy(c) && d.is_active() && d.message == Message::Buddy(purpose)
        });
        if busy {
            return;
        }
        let Some(contact) = self.contacts.get(c) else {
            return;
        };
        let first = self
            .ladder
            .iter()
            .find(|s| s.contacts.contains(&c))
            .and_then(|s| s.channel)
            .unwrap_or(contact.channel);
        let channels = match purpose {
            MessagePurpose::Duress => Channel::discreet_order(),
            MessagePurpose::Safe => Channel::safe_order(first),
            _ => Channel::order(first),
        };
        self.deliveries.push(Delivery::new(
            Target::Buddy(c),
            Message::Buddy(purpose),
            channels,
            now,
        ));
    }

    pub(super) fn fail(&mut self, i: usize, now: Timestamp, reason: Option<String>) {
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
            // A new channel is a new action for the shell, with a new id.
            d.seq = None;
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

    /// Issues delivery `i`. A retry on the same channel reuses the delivery's action id,
    /// so the shell can tell it replaces an earlier send of the same message.
    pub(super) fn issue(&mut self, i: usize, now: Timestamp) -> Action {
        let seq = match self.deliveries[i].seq {
            Some(seq) => seq,
            None => {
                let seq = self.next_seq;
                self.next_seq = self.next_seq.saturating_add(1);
                let d = &mut self.deliveries[i];
                d.seq = Some(seq);
                d.attempts.push(seq);
                seq
            }
        };
        let d = &mut self.deliveries[i];
        let attempt = d.failures.saturating_add(1);
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
        Action { id, attempt, kind }
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
    /// `Sent` for an earlier attempt still marks the message delivered. A `Failed` after
    /// `Sent` (an SMS delivery report saying it never arrived) is acted on at once: the
    /// message is retried now, or the next channel tried, while it is still needed.
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
                    d.sent_seq = Some(seq);
                }
                if let (Message::Buddy(MessagePurpose::Alert), Target::Buddy(c)) =
                    (&d.message, d.target)
                {
                    self.alert_sent_to.insert(c);
                }
            }
            Outcome::Failed { reason } => {
                let d = &self.deliveries[i];
                // Only the id whose Sent closed the delivery can be reported undelivered;
                // a Sent that came from an earlier channel stands.
                let current = d.sent_seq == Some(seq);
                match d.state {
                    DeliveryState::Issued { seq: s, .. } if s == seq => {
                        self.fail(i, now, Some(reason));
                    }
                    DeliveryState::Sent { .. } if current && self.still_needed(i) => {
                        self.failed_after_sent(i, now, reason);
                    }
                    // A stale report (an earlier channel, or a message no longer needed)
                    // changes nothing.
                    _ => {}
                }
            }
        }
        Ok(())
    }

    /// Whether a buddy message reported sent should still get through if it turns out
    /// undelivered: an alert while the check-in is live and nobody has answered, a duress
    /// message until somebody answers, an "I'm safe" always. Worker notices never.
    fn still_needed(&self, i: usize) -> bool {
        let d = &self.deliveries[i];
        let Target::Buddy(_) = d.target else {
            return false;
        };
        match d.message {
            Message::Buddy(MessagePurpose::Alert) => {
                self.ending.is_none() && self.acknowledged_by.is_none()
            }
            Message::Buddy(MessagePurpose::Duress) => self.acknowledged_by.is_none(),
            Message::Buddy(MessagePurpose::Safe) => true,
            _ => false,
        }
    }

    /// A delivery report says a message reported sent never arrived: count the failure
    /// and retry now (or move to the next channel now) instead of waiting for the next
    /// repeat round; the waiting already happened while the report was on its way.
    fn failed_after_sent(&mut self, i: usize, now: Timestamp, reason: String) {
        if let (Message::Buddy(MessagePurpose::Alert), Target::Buddy(c)) =
            (&self.deliveries[i].message, self.deliveries[i].target)
        {
            let other_sent = self.deliveries.iter().enumerate().any(|(j, d)| {
                j != i
                    && d.target == Target::Buddy(c)
                    && d.message == Message::Buddy(MessagePurpose::Alert)
                    && matches!(d.state, DeliveryState::Sent { .. })
            });
            if !other_sent {
                self.alert_sent_to.remove(&c);
            }
        }
        self.fail(i, now, Some(reason));
        if let DeliveryState::Due { at } = &mut self.deliveries[i].state {
            *at = now;
        }
    }

    pub(super) fn withdraw_active(&mut self, keep: impl Fn(&Delivery) -> bool) {
        for d in &mut self.deliveries {
            if d.is_active() && !keep(d) {
                d.state = DeliveryState::Withdrawn;
            }
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

    /// Whether action `seq` belongs to a delivery already reported sent.
    pub fn is_sent(&self, seq: u32) -> bool {
        self.deliveries
            .iter()
            .any(|d| d.attempts.contains(&seq) && matches!(d.state, DeliveryState::Sent { .. }))
    }
}
