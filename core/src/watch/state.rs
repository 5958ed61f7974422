//! The device-bound watch state: this phone's keys, its paired phones' public keys and
//! counters, the watches it holds for others, the check-ins it asked others to watch, and
//! the outbox of messages and notices for the shell.
//!
//! One row of table `watch_state`, sealed under a subkey of the escalation key, so that
//! the locked background runner can receive a message and raise an alarm without the
//! passphrase (SMS arrive at any time). Every operation loads it, applies one change and
//! saves it in one immediate transaction; an error rolls everything back, so a refused
//! message changes nothing.

use chrono::Duration;
use ring::rand::SecureRandom;
use rusqlite::{Connection, Transaction, TransactionBehavior};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::crypto::{self, Ephemeral, Identity, KeyId, PublicKeys};
use super::message::{self, Payload, WatchMessageKind, WatchTerms};
use super::{
    texts, BuddyWatchStatus, HeldWatch, Received, SentWatchStatus, WatchAction, WatchActionKind,
    WatchError, WatchNotice, WatchPhase,
};
use crate::checkin::engine::{ACK_TIMEOUT_SECS, ATTEMPTS_PER_CHANNEL, BACKOFF_SECS};
use crate::checkin::{ActionId, Channel, CheckinError, CheckinId, EscalationKey, Outcome};
use crate::clock::Timestamp;
use crate::vault::{encoding, is_damage, storage, RecordId, SealedTable, SecretKey};
use crate::{Error, Result};

pub(crate) const TABLE: &str = "watch_state";
const PURPOSE: &str = "vigil.watch.state.v1";
const SUBKEY: &[u8] = b"vigil.watch.state-key.v1";
/// Accepted counters remembered per paired phone, to tell a replay from a late message.
const RECENT: usize = 64;
/// How long after the alarm the buddy is told to call emergency services if the worker
/// has not answered (the first step is calling her).
pub const EMERGENCY_AFTER_SECS: i64 = 10 * 60;
/// How long a finished watch (or a finished check-in sent to buddies) stays listed.
const KEEP_FINISHED_SECS: i64 = 24 * 3600;
/// Worker side: when a WATCH, EXTEND, SAFE or DURESS-SAFE is sent again (the same text,
/// same counter) if no ACK came, counted from when it first left. An SMS the carrier took
/// but never delivered gives no delivery report on many networks: without these the
/// buddy's phone would silently lack the deadline. Three tries, then "not confirmed".
pub const RESEND_AFTER_SECS: [i64; 3] = [5 * 60, 15 * 60, 30 * 60];
/// Buddy side: a message accepted before and received again (a resend because the ACK was
/// lost) is answered with its ACK again, at most once per this interval...
pub const REACK_INTERVAL_SECS: i64 = 2 * 60;
/// ...and at most this many times per message, so that replaying a captured SMS cannot
/// make the buddy's phone send SMS without bound.
pub const MAX_REACKS: u32 = 5;

fn row_id() -> RecordId {
    RecordId::from_bytes([0; 16])
}

/// A paired phone as the device-bound state holds it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Peer {
    pub pairing: RecordId,
    pub name: String,
    /// E.164; `None` for a phone messages are pasted to by hand.
    pub phone: Option<String>,
    pub keys: PublicKeys,
    /// The counter of the last message sent to this phone.
    sent_counter: u64,
    /// The highest counter accepted from this phone.
    last_received: u64,
    /// The last accepted counters, to tell a replay from a late message.
    recent: Vec<u64>,
}

impl Peer {
    /// Remembers `counter` as accepted from this phone (a second copy is a replay).
    fn accepted(&mut self, counter: u64) {
        self.recent.push(counter);
        if self.recent.len() > RECENT {
            self.recent.remove(0);
        }
    }
}

/// A watch this phone holds for a paired worker.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Watch {
    id: RecordId,
    peer: KeyId,
    checkin: [u8; 16],
    terms: WatchTerms,
    /// Whether a WATCH or EXTEND arrived (a DURESS-SAFE alone brings no terms).
    has_terms: bool,
    received_at: Timestamp,
    safe_at: Option<Timestamp>,
    duress: bool,
    reminder_done: bool,
    alarm_at: Option<Timestamp>,
    acknowledged: bool,
    /// The newest message accepted for this watch and its ACKs, as the version that
    /// kept them per watch wrote them (read once into [`State::acks`], then cleared).
    /// Appended field: states written before it read as `None`.
    #[serde(default)]
    acks: Option<AckBudget>,
}

/// Buddy side: the newest message accepted from one paired phone for one check-in, and
/// its ACKs, whether or not a watch is held for it (a SAFE whose WATCH was lost holds
/// none, a DURESS-SAFE makes one: both must be answered alike).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct PeerAcks {
    peer: KeyId,
    checkin: [u8; 16],
    budget: AckBudget,
}

/// The ACKs sent for one accepted message (buddy side).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct AckBudget {
    /// The message's counter.
    counter: u64,
    /// When its last ACK was queued.
    at: Timestamp,
    /// ACKs queued again after the first.
    again: u32,
}

impl Watch {
    fn due(&self) -> Timestamp {
        self.terms.deadline + Duration::seconds(i64::from(self.terms.grace_secs))
    }

    fn finished_at(&self) -> Option<Timestamp> {
        if self.alarm_at.is_some() && !self.acknowledged && self.safe_at.is_none() {
            return None;
        }
        self.safe_at.or(self.alarm_at.filter(|_| self.acknowledged))
    }

    fn phase(&self) -> WatchPhase {
        if self.alarm_at.is_some() || (self.duress && !self.acknowledged) {
            WatchPhase::Alarm
        } else if self.safe_at.is_some() {
            WatchPhase::Safe
        } else if self.reminder_done {
            WatchPhase::Overdue
        } else {
            WatchPhase::Watching
        }
    }
}

/// A check-in of this phone that paired buddies were asked to watch.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SentWatch {
    checkin: CheckinId,
    terms: WatchTerms,
    to: Vec<SentTo>,
    ended_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct SentTo {
    peer: KeyId,
    /// The last message queued, as the worker's screen shows it (a DURESS-SAFE is kept
    /// as `Safe`: nothing on this phone tells them apart).
    last: WatchMessageKind,
    counter: u64,
    /// The highest counter the buddy's phone confirmed.
    acked: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum OutState {
    Due { at: Timestamp },
    Issued { at: Timestamp },
    Sent { at: Timestamp },
    Exhausted { at: Timestamp },
    Withdrawn,
    // No variant for a superseded text: it is kept as `Exhausted` with every resend used
    // (see `State::supersede`), which the versions before it read the same way. A new
    // variant would make the whole state unreadable to them (`StateTooNew`) for a day.
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Item {
    /// A sealed message to a paired phone.
    Text {
        peer: KeyId,
        shown: WatchMessageKind,
        checkin: [u8; 16],
        text: String,
    },
    /// A notice on this (the buddy's) phone about a watch.
    Notice {
        watch: RecordId,
        notice: WatchNotice,
    },
}

/// One message or notice on its way, with the same tracking as check-in alerts: issued
/// with an id every retry keeps, retried after a failure or no outcome within
/// [`ACK_TIMEOUT_SECS`] with [`BACKOFF_SECS`], then the next channel.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Outgoing {
    id: RecordId,
    item: Item,
    state: OutState,
    channels: Vec<Channel>,
    channel: usize,
    attempt: u32,
    /// Worker side: when the text first left (its first `Sent` or `Exhausted`), the start
    /// of [`RESEND_AFTER_SECS`]; set at the first no-ACK resend. Appended fields: states
    /// written before them read as "never resent", and join the schedule from their
    /// current state's time.
    #[serde(default)]
    first_out: Option<Timestamp>,
    /// No-ACK resends made so far.
    #[serde(default)]
    resends: u32,
    /// The shell reported it sent at least once (a resend under way does not undo that).
    #[serde(default)]
    sent_once: bool,
    /// The ids of earlier resend rounds (worker side). Each round gets a new id, so that a
    /// shell which never sends one id twice once it was reported sent (Android's send
    /// ledger) really sends it again; a late report for an old id is recognised here and
    /// ignored, not applied to the current round. Appended field: older states read as
    /// none.
    #[serde(default)]
    prev_ids: Vec<RecordId>,
}

/// The channels for a text to a phone with or without a number.
fn text_channels(phone: Option<&str>) -> Vec<Channel> {
    if phone.is_some() {
        vec![Channel::Sms, Channel::OtherApp]
    } else {
        vec![Channel::OtherApp]
    }
}

impl Outgoing {
    fn action_id(&self) -> ActionId {
        ActionId {
            checkin: self.id,
            seq: self.channel as u32 + 1,
        }
    }

    fn finished_at(&self) -> Option<Timestamp> {
        match self.state {
            OutState::Sent { at } | OutState::Exhausted { at } => Some(at),
            OutState::Withdrawn => Some(Timestamp::MIN_UTC),
            _ => None,
        }
    }

    /// A failure on the current channel at `now`: retry with backoff, or the next channel,
    /// or give up.
    fn failed(&mut self, now: Timestamp) {
        if self.attempt < ATTEMPTS_PER_CHANNEL {
            let wait = BACKOFF_SECS[(self.attempt as usize)
                .saturating_sub(1)
                .min(BACKOFF_SECS.len() - 1)];
            self.state = OutState::Due {
                at: now + Duration::seconds(wait),
            };
        } else if self.channel + 1 < self.channels.len() {
            self.channel += 1;
            self.attempt = 0;
            self.state = OutState::Due { at: now };
        } else {
            self.state = OutState::Exhausted { at: now };
        }
    }
}

/// Everything kept under the device-bound key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct State {
    purpose: String,
    identity: Option<Identity>,
    peers: Vec<Peer>,
    watches: Vec<Watch>,
    sent: Vec<SentWatch>,
    outbox: Vec<Outgoing>,
    /// The language of this phone's owner (their first language in the settings, copied
    /// by the unlocked app), for the notices the locked runner shows; `None`: English.
    /// Appended field: states written before it read as `None`.
    #[serde(default)]
    language: Option<String>,
    /// Buddy side: ACK budgets per paired phone and check-in, kept for
    /// [`KEEP_FINISHED_SECS`] after their last ACK. Appended field: older states read as
    /// none (and their per-watch budgets move here on first use).
    #[serde(default)]
    acks: Vec<PeerAcks>,
}

impl State {
    fn new() -> Self {
        Self {
            purpose: PURPOSE.to_owned(),
            identity: None,
            peers: Vec::new(),
            watches: Vec::new(),
            sent: Vec::new(),
            outbox: Vec::new(),
            language: None,
            acks: Vec::new(),
        }
    }

    fn peer(&self, id: &KeyId) -> Option<&Peer> {
        self.peers.iter().find(|p| &p.keys.key_id() == id)
    }

    fn peer_by_pairing(&self, pairing: &RecordId) -> Option<&Peer> {
        self.peers.iter().find(|p| &p.pairing == pairing)
    }

    /// Seals `payload` to `peer` with the next counter and queues it.
    fn queue_text(
        &mut self,
        peer: KeyId,
        payload: Payload,
        shown: WatchMessageKind,
        now: Timestamp,
    ) -> Result<u64> {
        let identity = self.identity.clone().ok_or(WatchError::NoKeys)?;
        let me = identity.public()?.key_id();
        let p = self
            .peers
            .iter_mut()
            .find(|p| p.keys.key_id() == peer)
            .ok_or(Error::NotFound("pairing"))?;
        p.sent_counter += 1;
        let counter = p.sent_counter;
        let eph = Ephemeral::generate(&ring::rand::SystemRandom::new())?;
        let plain = payload.encode();
        let header = message::header(me, peer, counter, &eph.public, plain.len());
        let mut signed = header.clone();
        signed.extend(eph.seal(&p.keys, &header, &plain)?);
        let sig = identity.sign(&signed)?;
        let text = message::to_text(&signed, &sig);
        debug_assert!(message::fits_sms(&text));
        let channels = text_channels(p.phone.as_deref());
        if shown == WatchMessageKind::Extend {
            self.supersede(peer, payload.checkin(), now);
        }
        self.outbox.push(Outgoing {
            id: RecordId::random()?,
            item: Item::Text {
                peer,
                shown,
                checkin: payload.checkin(),
                text,
            },
            state: OutState::Due { at: now },
            channels,
            channel: 0,
            attempt: 0,
            first_out: None,
            resends: 0,
            sent_once: false,
            prev_ids: Vec::new(),
        });
        Ok(counter)
    }

    /// Worker side: an EXTEND of `checkin` to `peer` is being queued. The older texts not
    /// sent yet (waiting for their first try, a retry, or an outcome the shell still owes,
    /// or given up without ever leaving) are superseded: never offered again, whatever
    /// their retries or resend schedule said, as the EXTEND carries the whole WATCH and the
    /// buddy's phone would refuse them once it has it. Only an EXTEND supersedes: a SAFE or
    /// DURESS-SAFE carries no terms, so it waits behind the text that does
    /// ([`Self::held_back`]). Texts that already left need nothing: their resends stop,
    /// as they are no longer the newest ([`Self::awaiting_ack`]).
    ///
    /// A superseded text is kept as `Exhausted` with every resend used: finished (kept a
    /// day, so that a late outcome for it is still recognised), never sent again, and read
    /// alike by the versions before this one.
    fn supersede(&mut self, peer: KeyId, checkin: [u8; 16], now: Timestamp) {
        for o in &mut self.outbox {
            let older = matches!(&o.item, Item::Text { peer: p, checkin: c, shown, .. }
                if *p == peer && *c == checkin && *shown != WatchMessageKind::Ack);
            let unsent = match o.state {
                OutState::Due { .. } | OutState::Issued { .. } => true,
                OutState::Exhausted { .. } => !o.sent_once,
                _ => false,
            };
            if older && unsent {
                o.state = OutState::Exhausted { at: now };
                o.resends = RESEND_AFTER_SECS.len() as u32;
            }
        }
    }

    /// Worker side: whether the buddy's phone may lack the terms of `checkin`: no WATCH
    /// or EXTEND of it to `peer` ever left, and that phone confirmed nothing of it.
    fn terms_missing(&self, peer: KeyId, checkin: &[u8; 16]) -> bool {
        let left = self.outbox.iter().any(|o| {
            matches!(&o.item, Item::Text { peer: p, checkin: c, shown, .. }
                if *p == peer && c == checkin
                    && matches!(shown, WatchMessageKind::Watch | WatchMessageKind::Extend))
                && (o.sent_once || matches!(o.state, OutState::Sent { .. }))
        });
        let acked = self
            .sent
            .iter()
            .filter(|s| s.checkin.as_bytes() == checkin)
            .flat_map(|s| &s.to)
            .any(|t| t.peer == peer && t.acked > 0);
        !left && !acked
    }

    /// Worker side: whether entry `k` is a SAFE (or DURESS-SAFE) that must wait because the
    /// buddy's phone may lack the terms ([`Self::terms_missing`]) and a WATCH or EXTEND of
    /// its check-in to the same buddy is still being tried (a first try, a retry, or a
    /// resend to come). The buddy's phone accepts counters in order only: a SAFE arriving
    /// first would make it refuse the terms, and a DURESS-SAFE without them raises an
    /// alarm with no address, place or client. Once one left, nothing waits: the buddy has
    /// terms, and a SAFE held behind a newer EXTEND could let the old deadline pass.
    fn held_back(&self, k: usize) -> bool {
        let Item::Text {
            peer,
            shown: WatchMessageKind::Safe,
            checkin,
            ..
        } = &self.outbox[k].item
        else {
            return false;
        };
        if !self.terms_missing(*peer, checkin) {
            return false;
        }
        self.outbox.iter().enumerate().any(|(j, o)| {
            j != k
                && matches!(&o.item, Item::Text { peer: p, checkin: c, shown, .. }
                    if p == peer && c == checkin
                        && matches!(shown, WatchMessageKind::Watch | WatchMessageKind::Extend))
                && self.awaiting_ack(o)
                && match o.state {
                    OutState::Due { .. } | OutState::Issued { .. } => true,
                    OutState::Exhausted { .. } => self.resend_at(j).is_some(),
                    _ => false,
                }
        })
    }

    fn queue_notice(&mut self, watch: RecordId, notice: WatchNotice, at: Timestamp) -> Result<()> {
        self.outbox.push(Outgoing {
            id: RecordId::random()?,
            item: Item::Notice { watch, notice },
            state: OutState::Due { at },
            channels: vec![Channel::OtherApp],
            channel: 0,
            attempt: 0,
            first_out: None,
            resends: 0,
            sent_once: false,
            prev_ids: Vec::new(),
        });
        Ok(())
    }

    /// Withdraws the notices of `watch` not shown yet (its alarm steps, after a late SAFE
    /// or the buddy's acknowledgement).
    fn withdraw_notices(&mut self, watch: RecordId) {
        for o in &mut self.outbox {
            if matches!(&o.item, Item::Notice { watch: w, .. } if *w == watch)
                && matches!(o.state, OutState::Due { .. } | OutState::Issued { .. })
            {
                o.state = OutState::Withdrawn;
            }
        }
    }

    fn raise_alarm(&mut self, k: usize, now: Timestamp) -> Result<()> {
        let w = &mut self.watches[k];
        if w.alarm_at.is_some() {
            return Ok(());
        }
        w.alarm_at = Some(now);
        let (id, duress) = (w.id, w.duress);
        self.queue_notice(id, WatchNotice::Alarm, now)?;
        if duress {
            // Calling her openly could put her in more danger: straight to emergency.
            self.queue_notice(id, WatchNotice::CallEmergency, now)?;
        } else {
            self.queue_notice(id, WatchNotice::CallWorker, now)?;
            self.queue_notice(
                id,
                WatchNotice::CallEmergency,
                now + Duration::seconds(EMERGENCY_AFTER_SECS),
            )?;
        }
        Ok(())
    }

    /// Worker side: whether outbox entry `o` is the newest message of its check-in to its
    /// buddy and that buddy's phone has not confirmed it, or the WATCH or EXTEND a queued
    /// SAFE waits behind ([`Self::held_back`]) while no terms reached the buddy. Only such
    /// a text is resent: an older one is superseded (an EXTEND carries the whole WATCH; the
    /// receiver would refuse it as out of order anyway), and an ACK ends the schedule.
    fn awaiting_ack(&self, o: &Outgoing) -> bool {
        let Item::Text {
            peer,
            shown,
            checkin,
            text,
        } = &o.item
        else {
            return false;
        };
        if *shown == WatchMessageKind::Ack {
            return false;
        }
        let Some(counter) = message::parse(text).ok().map(|w| w.counter) else {
            return false;
        };
        self.sent
            .iter()
            .filter(|s| s.checkin.as_bytes() == checkin)
            .flat_map(|s| &s.to)
            .any(|t| {
                t.peer == *peer
                    && t.acked < counter
                    && (t.counter == counter
                        || (t.last == WatchMessageKind::Safe
                            && counter < t.counter
                            && matches!(shown, WatchMessageKind::Watch | WatchMessageKind::Extend)
                            && self.terms_missing(*peer, checkin)))
            })
    }

    /// When entry `k` is next sent again for want of an ACK, if it is waiting for one,
    /// has left (sent or given up) and has tries left.
    fn resend_at(&self, k: usize) -> Option<Timestamp> {
        let o = &self.outbox[k];
        let left = match o.state {
            OutState::Sent { at } | OutState::Exhausted { at } => at,
            _ => return None,
        };
        let after = RESEND_AFTER_SECS.get(o.resends as usize)?;
        if !self.awaiting_ack(o) {
            return None;
        }
        Some(o.first_out.unwrap_or(left) + Duration::seconds(*after))
    }

    /// Worker side: texts whose ACK is overdue go out again, the same text from the first
    /// channel (same counter: a copy that did arrive is refused as a replay and changes
    /// nothing, and brings its ACK again) under a new action id (the old one is kept in
    /// `prev_ids`); a resend still waiting when the ACK comes is dropped. A phone that
    /// wakes after several slots passed sends once, not once per slot.
    fn schedule_resends(&mut self, now: Timestamp) -> Result<()> {
        for k in 0..self.outbox.len() {
            let o = &self.outbox[k];
            if o.resends > 0 && matches!(o.state, OutState::Due { .. }) && !self.awaiting_ack(o) {
                self.outbox[k].state = OutState::Sent { at: now };
                continue;
            }
            let Some(at) = self.resend_at(k) else {
                continue;
            };
            if now < at {
                continue;
            }
            let phone = match &self.outbox[k].item {
                Item::Text { peer, .. } => self.peer(peer).and_then(|p| p.phone.clone()),
                Item::Notice { .. } => None,
            };
            let id = RecordId::random()?;
            let o = &mut self.outbox[k];
            if let OutState::Sent { at: left } | OutState::Exhausted { at: left } = o.state {
                o.first_out.get_or_insert(left);
            }
            if matches!(o.state, OutState::Sent { .. }) {
                // It left at least once (a state written before `sent_once` lacks it).
                o.sent_once = true;
            }
            // Every slot already passed counts as used: one resend, not a burst.
            let first_out = o.first_out.unwrap_or(now);
            let passed = RESEND_AFTER_SECS
                .iter()
                .filter(|after| now >= first_out + Duration::seconds(**after))
                .count();
            o.resends = u32::try_from(passed).unwrap_or(u32::MAX).max(o.resends + 1);
            let old = std::mem::replace(&mut o.id, id);
            o.prev_ids.push(old);
            o.channels = text_channels(phone.as_deref());
            o.channel = 0;
            o.attempt = 0;
            o.state = OutState::Due { at: now };
        }
        Ok(())
    }

    fn tick(&mut self, now: Timestamp) -> Result<Vec<WatchAction>> {
        // Watches: the reminder at the deadline, the alarm at deadline + grace (at once
        // after a DURESS-SAFE).
        for k in 0..self.watches.len() {
            let w = &self.watches[k];
            if w.alarm_at.is_some() {
                continue;
            }
            if w.duress {
                self.raise_alarm(k, now)?;
                continue;
            }
            if w.safe_at.is_some() || !w.has_terms {
                continue;
            }
            let (due, deadline, reminded, id) = (w.due(), w.terms.deadline, w.reminder_done, w.id);
            if now >= due {
                self.watches[k].reminder_done = true;
                self.raise_alarm(k, now)?;
            } else if now >= deadline && !reminded {
                self.watches[k].reminder_done = true;
                self.queue_notice(id, WatchNotice::Reminder, now)?;
            }
        }
        self.schedule_resends(now)?;
        // Deliveries: a silent issued action counts as failed after the timeout.
        let mut actions = Vec::new();
        for k in 0..self.outbox.len() {
            if let OutState::Issued { at } = self.outbox[k].state {
                if now >= at + Duration::seconds(ACK_TIMEOUT_SECS) {
                    self.outbox[k].failed(now);
                }
            }
            if let OutState::Due { at } = self.outbox[k].state {
                if now >= at && !self.held_back(k) {
                    let o = &mut self.outbox[k];
                    o.attempt += 1;
                    o.state = OutState::Issued { at: now };
                    actions.push(self.action(k)?);
                }
            }
        }
        self.prune(now);
        Ok(actions)
    }

    fn action(&self, k: usize) -> Result<WatchAction> {
        let o = &self.outbox[k];
        let channel = o.channels[o.channel];
        let kind = match &o.item {
            Item::Text {
                peer, shown, text, ..
            } => {
                let p = self.peer(peer).ok_or(Error::NotFound("pairing"))?;
                WatchActionKind::SendMessage {
                    pairing: p.pairing,
                    name: p.name.clone(),
                    phone: p.phone.clone(),
                    channel,
                    kind: *shown,
                    text: text.clone(),
                }
            }
            Item::Notice { watch, notice } => {
                let w = self
                    .watches
                    .iter()
                    .find(|w| &w.id == watch)
                    .ok_or(Error::NotFound("watch"))?;
                let p = self.peer(&w.peer);
                let name = p.map_or_else(String::new, |p| p.name.clone());
                let phone = p.and_then(|p| p.phone.clone());
                WatchActionKind::NotifyBuddy {
                    watch: w.id,
                    notice: *notice,
                    text: texts::notice(
                        *notice,
                        &name,
                        phone.as_deref(),
                        &w.terms,
                        w.duress,
                        w.has_terms,
                        self.language.as_deref().unwrap_or(texts::FALLBACK_LANGUAGE),
                    ),
                    worker_name: name,
                    worker_phone: phone,
                    terms: w.terms.clone(),
                    duress: w.duress,
                }
            }
        };
        Ok(WatchAction {
            id: o.action_id(),
            attempt: o.attempt,
            kind,
        })
    }

    fn prune(&mut self, now: Timestamp) {
        let keep = Duration::seconds(KEEP_FINISHED_SECS);
        self.outbox
            .retain(|o| o.finished_at().is_none_or(|at| now < at + keep));
        let outbox = &self.outbox;
        self.watches.retain(|w| {
            w.finished_at().is_none_or(|at| now < at + keep)
                || outbox
                    .iter()
                    .any(|o| matches!(&o.item, Item::Notice { watch, .. } if *watch == w.id))
        });
        self.sent
            .retain(|s| s.ended_at.is_none_or(|at| now < at + keep));
        self.acks.retain(|a| now < a.budget.at + keep);
    }

    fn next_wakeup(&self) -> Option<Timestamp> {
        let watches = self.watches.iter().filter_map(|w| {
            if w.alarm_at.is_some() {
                None
            } else if w.duress {
                Some(w.received_at)
            } else if w.safe_at.is_some() || !w.has_terms {
                None
            } else if !w.reminder_done {
                Some(w.terms.deadline)
            } else {
                Some(w.due())
            }
        });
        // A held-back SAFE wakes nobody: the text it waits behind does.
        let outbox = self
            .outbox
            .iter()
            .enumerate()
            .filter_map(|(k, o)| match o.state {
                OutState::Due { at } if !self.held_back(k) => Some(at),
                OutState::Issued { at } => Some(at + Duration::seconds(ACK_TIMEOUT_SECS)),
                _ => None,
            });
        let resends = (0..self.outbox.len()).filter_map(|k| self.resend_at(k));
        watches.chain(outbox).chain(resends).min()
    }

    fn report(&mut self, id: &ActionId, outcome: Outcome, now: Timestamp) -> Result<()> {
        let Some(k) = self.outbox.iter().position(|o| o.id == id.checkin) else {
            // A late report for an earlier resend round: the current round has its own id
            // and goes on. Only a late `Sent` is kept, as the fact that it left.
            let o = self
                .outbox
                .iter_mut()
                .find(|o| o.prev_ids.contains(&id.checkin))
                .ok_or(CheckinError::UnknownAction)?;
            if outcome == Outcome::Sent {
                o.sent_once = true;
            }
            return Ok(());
        };
        // A text the buddy's phone confirmed, or one a newer message superseded (an EXTEND,
        // which carries everything it did): a later delivery failure sends nothing again.
        let settled = matches!(&self.outbox[k].item, Item::Text { shown, .. } if *shown != WatchMessageKind::Ack)
            && !self.awaiting_ack(&self.outbox[k]);
        let o = &mut self.outbox[k];
        let seq = id.seq as usize;
        if seq == 0 || seq > o.channels.len() {
            return Err(CheckinError::UnknownAction.into());
        }
        match (outcome, o.state) {
            (
                Outcome::Sent,
                OutState::Due { .. } | OutState::Issued { .. } | OutState::Exhausted { .. },
            ) => {
                o.state = OutState::Sent { at: now };
                o.sent_once = true;
            }
            (Outcome::Failed { .. }, OutState::Issued { .. }) if seq == o.channel + 1 => {
                o.failed(now)
            }
            (Outcome::Failed { .. }, OutState::Sent { .. }) if seq == o.channel + 1 && !settled => {
                // A delivery report: the SMS never arrived. Send it again now.
                o.attempt = o.attempt.min(ATTEMPTS_PER_CHANNEL - 1);
                o.failed(now);
                if let OutState::Due { .. } = o.state {
                    o.state = OutState::Due { at: now };
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Opens and applies an inbound message. Every refusal returns before anything is
    /// changed (the outer error, which rolls back), except a replay of this watch's newest
    /// accepted message: still refused (the inner error), it may queue that message's ACK
    /// again ([`Self::ack_again`]) and changes nothing else.
    fn receive(
        &mut self,
        text: &str,
        now: Timestamp,
    ) -> Result<std::result::Result<Received, WatchError>> {
        let wire = message::parse(text)?;
        let identity = self.identity.clone().ok_or(WatchError::WrongRecipient)?;
        let me = identity.public()?.key_id();
        if wire.recipient != me {
            return Err(WatchError::WrongRecipient.into());
        }
        let k = self
            .peers
            .iter()
            .position(|p| p.keys.key_id() == wire.sender)
            .ok_or(WatchError::UnknownSender)?;
        if !crypto::verify(&self.peers[k].keys, &wire.signed, &wire.signature) {
            return Err(WatchError::Forged.into());
        }
        let plain = identity.open(&wire.ephemeral, wire.header(), wire.sealed())?;
        let payload = Payload::decode(&plain)?;
        let peer = &mut self.peers[k];
        if wire.counter <= peer.last_received {
            if !peer.recent.contains(&wire.counter) {
                return self.late_terms(k, wire.counter, payload, now);
            }
            self.ack_again(wire.sender, &payload, wire.counter, now)?;
            return Ok(Err(WatchError::Replayed));
        }
        peer.accepted(wire.counter);
        peer.last_received = wire.counter;
        let (pairing, name) = (peer.pairing, peer.name.clone());
        let kind = payload.kind();
        let checkin = payload.checkin();
        let mut watch = None;
        match payload {
            Payload::Watch(c, terms) | Payload::Extend(c, terms) => {
                let k = self.watch_for(wire.sender, c, &terms, now)?;
                let w = &mut self.watches[k];
                if w.safe_at.is_none() && w.alarm_at.is_none() {
                    if terms.deadline > w.terms.deadline {
                        w.reminder_done = false;
                    }
                    w.terms = terms;
                    w.has_terms = true;
                }
                watch = Some(w.id);
            }
            Payload::Safe(c) => {
                if let Some(k) = self.find_watch(wire.sender, c) {
                    let w = &mut self.watches[k];
                    if w.safe_at.is_none() && !w.duress {
                        w.safe_at = Some(now);
                        let (id, alarmed) = (w.id, w.alarm_at.is_some());
                        if alarmed {
                            self.withdraw_notices(id);
                            self.queue_notice(id, WatchNotice::SafeAfterAlarm, now)?;
                        }
                    }
                    watch = Some(self.watches[k].id);
                }
            }
            Payload::DuressSafe(c) => {
                let k = match self.find_watch(wire.sender, c) {
                    Some(k) => k,
                    None => self.watch_for(wire.sender, c, &no_terms(now), now)?,
                };
                let w = &mut self.watches[k];
                if !w.duress && w.safe_at.is_none() {
                    w.duress = true;
                    w.received_at = now;
                    if w.alarm_at.is_some() {
                        // Already alarmed: the steps change (no open call to her).
                        let id = w.id;
                        self.withdraw_notices(id);
                        self.queue_notice(id, WatchNotice::Alarm, now)?;
                        self.queue_notice(id, WatchNotice::CallEmergency, now)?;
                    }
                }
                watch = Some(self.watches[k].id);
            }
            Payload::Ack(c, counter) => {
                if let Some(s) = self.sent.iter_mut().find(|s| s.checkin.as_bytes() == &c) {
                    if let Some(t) = s.to.iter_mut().find(|t| t.peer == wire.sender) {
                        if counter <= t.counter {
                            t.acked = t.acked.max(counter);
                        }
                    }
                }
            }
        }
        if kind != WatchMessageKind::Ack {
            self.queue_text(
                wire.sender,
                Payload::Ack(checkin, wire.counter),
                WatchMessageKind::Ack,
                now,
            )?;
            // The budget does not depend on a watch being held: a SAFE and a DURESS-SAFE
            // for a watch never received are answered alike.
            let budget = AckBudget {
                counter: wire.counter,
                at: now,
                again: 0,
            };
            self.set_acks(wire.sender, checkin, budget);
        }
        Ok(Ok(Received {
            pairing,
            name,
            kind,
            watch,
        }))
    }

    /// Buddy side: a message older than one already accepted from that phone, never
    /// accepted itself. Refused as out of order, except for a WATCH or EXTEND of a watch
    /// that a DURESS-SAFE raised: the worker's phone sends a fresh EXTEND just before a
    /// SAFE or DURESS-SAFE when no terms ever left, and a carrier may deliver the short
    /// DURESS-SAFE before the longer EXTEND (or before a WATCH it held for hours). Taken
    /// when the watch has no terms yet, or has older ones (a later deadline: an EXTEND only
    /// ever moves it later, and changes nothing else). The first terms raise the alarm
    /// again with the address, the place, the client and the contact; a buddy who already
    /// acknowledged the alarm gets the alarm with them once more, to acknowledge again (the
    /// details are what the emergency call needs), without the emergency step repeated.
    /// Nothing else changes, and no ACK is queued: the DURESS-SAFE's ACK already confirms
    /// every older message to the worker's phone, and under duress every SMS fewer reaching
    /// it is better.
    fn late_terms(
        &mut self,
        peer: usize,
        counter: u64,
        payload: Payload,
        now: Timestamp,
    ) -> Result<std::result::Result<Received, WatchError>> {
        let sender = self.peers[peer].keys.key_id();
        let kind = payload.kind();
        let (Payload::Watch(checkin, terms) | Payload::Extend(checkin, terms)) = payload else {
            return Err(WatchError::OutOfOrder.into());
        };
        let Some(k) = self.find_watch(sender, checkin).filter(|&k| {
            let w = &self.watches[k];
            w.duress && (!w.has_terms || terms.deadline > w.terms.deadline)
        }) else {
            return Err(WatchError::OutOfOrder.into());
        };
        let w = &mut self.watches[k];
        let first_terms = !w.has_terms;
        w.terms = terms;
        w.has_terms = true;
        let (id, alarmed, acknowledged) = (w.id, w.alarm_at.is_some(), w.acknowledged);
        if first_terms && alarmed {
            self.withdraw_notices(id);
            self.queue_notice(id, WatchNotice::Alarm, now)?;
            if acknowledged {
                self.watches[k].acknowledged = false;
            } else {
                self.queue_notice(id, WatchNotice::CallEmergency, now)?;
            }
        }
        let p = &mut self.peers[peer];
        p.accepted(counter);
        Ok(Ok(Received {
            pairing: p.pairing,
            name: p.name.clone(),
            kind,
            watch: Some(id),
        }))
    }

    /// Buddy side: a message accepted before arrived again. If it is the newest accepted
    /// from that phone for its check-in (whether or not a watch is held: a SAFE and a
    /// DURESS-SAFE must be answered alike), its last ACK is at least
    /// [`REACK_INTERVAL_SECS`] old and fewer than [`MAX_REACKS`] were sent again, its ACK
    /// is queued again (the worker's phone resends while no ACK arrives). Anything else
    /// (an ACK, an older message, a replay too soon or too often, or more than a day
    /// after its last ACK) sends nothing.
    fn ack_again(
        &mut self,
        sender: KeyId,
        payload: &Payload,
        counter: u64,
        now: Timestamp,
    ) -> Result<()> {
        if payload.kind() == WatchMessageKind::Ack {
            return Ok(());
        }
        let checkin = payload.checkin();
        let Some(b) = self.acks_for(sender, checkin) else {
            return Ok(());
        };
        if b.counter != counter
            || b.again >= MAX_REACKS
            || now < b.at + Duration::seconds(REACK_INTERVAL_SECS)
        {
            return Ok(());
        }
        b.again += 1;
        b.at = now;
        self.queue_text(
            sender,
            Payload::Ack(checkin, counter),
            WatchMessageKind::Ack,
            now,
        )?;
        Ok(())
    }

    /// Replaces the ACK budget of (`peer`, `checkin`) with that of its newest message.
    fn set_acks(&mut self, peer: KeyId, checkin: [u8; 16], budget: AckBudget) {
        if let Some(k) = self.find_watch(peer, checkin) {
            self.watches[k].acks = None;
        }
        self.acks
            .retain(|a| !(a.peer == peer && a.checkin == checkin));
        self.acks.push(PeerAcks {
            peer,
            checkin,
            budget,
        });
    }

    /// The ACK budget of (`peer`, `checkin`), moving one a watch kept (an older
    /// version's state) into [`State::acks`] first.
    fn acks_for(&mut self, peer: KeyId, checkin: [u8; 16]) -> Option<&mut AckBudget> {
        if let Some(old) = self
            .find_watch(peer, checkin)
            .and_then(|k| self.watches[k].acks.take())
        {
            self.set_acks(peer, checkin, old);
        }
        self.acks
            .iter_mut()
            .find(|a| a.peer == peer && a.checkin == checkin)
            .map(|a| &mut a.budget)
    }

    fn find_watch(&self, peer: KeyId, checkin: [u8; 16]) -> Option<usize> {
        self.watches
            .iter()
            .position(|w| w.peer == peer && w.checkin == checkin)
    }

    fn watch_for(
        &mut self,
        peer: KeyId,
        checkin: [u8; 16],
        terms: &WatchTerms,
        now: Timestamp,
    ) -> Result<usize> {
        if let Some(k) = self.find_watch(peer, checkin) {
            return Ok(k);
        }
        self.watches.push(Watch {
            id: RecordId::random()?,
            peer,
            checkin,
            terms: terms.clone(),
            has_terms: false,
            received_at: now,
            safe_at: None,
            duress: false,
            reminder_done: false,
            alarm_at: None,
            acknowledged: false,
            acks: None,
        });
        Ok(self.watches.len() - 1)
    }
}

fn no_terms(now: Timestamp) -> WatchTerms {
    WatchTerms {
        deadline: now,
        grace_secs: 0,
        utc_offset_minutes: 0,
        language: String::new(),
        address: None,
        place: None,
        client: None,
        client_contact: None,
        booking_starts_at: None,
    }
}

/// The device-bound state on one connection (the unlocked session's or the locked
/// runner's).
pub struct WatchState<'a> {
    conn: &'a Connection,
    key: SecretKey,
}

impl std::fmt::Debug for WatchState<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WatchState").finish_non_exhaustive()
    }
}

impl<'a> WatchState<'a> {
    pub(crate) fn new(conn: &'a Connection, key: &EscalationKey) -> Self {
        Self {
            conn,
            key: key.secret().subkey(SUBKEY),
        }
    }

    fn table<'t>(&'t self, conn: &'t Connection) -> SealedTable<'t, State> {
        SealedTable::under_key(conn, &self.key, TABLE, "watch state")
    }

    /// Runs `f` on the state in one immediate transaction; saves only when it changed.
    fn run<R>(&self, f: impl FnOnce(&mut State) -> Result<R>) -> Result<R> {
        self.conn.busy_timeout(storage::BUSY_TIMEOUT)?;
        let tx = Transaction::new_unchecked(self.conn, TransactionBehavior::Immediate)?;
        let loaded = match self.table(&tx).find(&row_id()) {
            Ok(Some(s)) if s.purpose == PURPOSE => Some(s),
            Ok(Some(_)) => return Err(CheckinError::WrongDeviceSecret.into()),
            Ok(None) => None,
            // It opened (the key is right) but does not read: written by a newer version
            // (e.g. with fields appended that this one does not know).
            Err(Error::Decode(_)) => return Err(WatchError::StateTooNew.into()),
            Err(e) if is_damage(&e) => return Err(CheckinError::WrongDeviceSecret.into()),
            Err(e) => return Err(e),
        };
        // Compared by the record encoding (compiled for sealing anyway), in buffers wiped
        // on drop: the state holds this phone's watch keys and the buddies' numbers.
        let before = loaded
            .as_ref()
            .map(|s| encoding::encode(s).map(Zeroizing::new))
            .transpose()?;
        let mut state = loaded.unwrap_or_else(State::new);
        let result = f(&mut state)?;
        let after = Zeroizing::new(encoding::encode(&state)?);
        if before.as_ref() != Some(&after) {
            self.table(&tx).upsert(&row_id(), &state)?;
        }
        tx.commit()?;
        Ok(result)
    }

    /// This phone's public keys, made on first use.
    pub(crate) fn own_keys(&self, rng: &dyn SecureRandom) -> Result<PublicKeys> {
        self.run(|s| {
            if s.identity.is_none() {
                s.identity = Some(Identity::generate(rng)?);
            }
            s.identity.as_ref().ok_or(WatchError::NoKeys)?.public()
        })
    }

    /// Keeps `language` (the owner's, from the settings) for the buddy's notices; written
    /// only when it changed.
    pub(crate) fn set_language(&self, language: &str) -> Result<()> {
        self.run(|s| {
            if s.language.as_deref() != Some(language) {
                s.language = Some(language.to_owned());
            }
            Ok(())
        })
    }

    pub(crate) fn add_peer(
        &self,
        pairing: RecordId,
        name: String,
        phone: Option<String>,
        keys: PublicKeys,
    ) -> Result<()> {
        self.run(|s| {
            // The same phone paired again (same keys, so the same state on its side): its
            // counters go on, or it would refuse every later message as a replay.
            let same = s.peers.iter().find(|p| p.keys.key_id() == keys.key_id());
            let (sent_counter, last_received, recent) = same.map_or((0, 0, Vec::new()), |p| {
                (p.sent_counter, p.last_received, p.recent.clone())
            });
            s.peers
                .retain(|p| p.pairing != pairing && p.keys.key_id() != keys.key_id());
            s.peers.push(Peer {
                pairing,
                name,
                phone,
                keys,
                sent_counter,
                last_received,
                recent,
            });
            Ok(())
        })
    }

    pub(crate) fn update_peer(
        &self,
        pairing: RecordId,
        name: String,
        phone: Option<String>,
    ) -> Result<()> {
        self.run(|s| {
            let Some(p) = s.peers.iter_mut().find(|p| p.pairing == pairing) else {
                return Ok(());
            };
            p.name = name;
            if p.phone == phone {
                return Ok(());
            }
            p.phone = phone;
            let (key, phone) = (p.keys.key_id(), p.phone.clone());
            // Texts not handed to the shell yet follow a changed number from the first
            // channel with fresh tries (SMS when there is a number now, also for a text
            // that was waiting on another app; another app when there is none), under a
            // new id: a send to the old number the shell may still hold is not this one.
            for o in &mut s.outbox {
                if matches!(&o.item, Item::Text { peer, .. } if *peer == key)
                    && matches!(o.state, OutState::Due { .. })
                {
                    let old = std::mem::replace(&mut o.id, RecordId::random()?);
                    o.prev_ids.push(old);
                    o.channels = text_channels(phone.as_deref());
                    o.channel = 0;
                    o.attempt = 0;
                }
            }
            Ok(())
        })
    }

    pub(crate) fn remove_peer(&self, pairing: RecordId) -> Result<()> {
        self.run(|s| {
            let gone: Vec<KeyId> = s
                .peers
                .iter()
                .filter(|p| p.pairing == pairing)
                .map(|p| p.keys.key_id())
                .collect();
            s.peers.retain(|p| p.pairing != pairing);
            s.outbox
                .retain(|o| !matches!(&o.item, Item::Text { peer, .. } if gone.contains(peer)));
            Ok(())
        })
    }

    /// Worker side: asks each paired phone in `pairings` to watch `checkin`. Pairings
    /// without keys on this phone are skipped and not returned.
    pub(crate) fn start(
        &self,
        checkin: CheckinId,
        mut terms: WatchTerms,
        pairings: &[RecordId],
        now: Timestamp,
    ) -> Result<Vec<RecordId>> {
        message::fit_terms(*checkin.as_bytes(), &mut terms);
        self.run(|s| {
            let mut to = Vec::new();
            let mut started = Vec::new();
            for pairing in pairings {
                let Some(peer) = s.peer_by_pairing(pairing).map(|p| p.keys.key_id()) else {
                    continue;
                };
                if to.iter().any(|t: &SentTo| t.peer == peer) {
                    continue;
                }
                let counter = s.queue_text(
                    peer,
                    Payload::Watch(*checkin.as_bytes(), terms.clone()),
                    WatchMessageKind::Watch,
                    now,
                )?;
                to.push(SentTo {
                    peer,
                    last: WatchMessageKind::Watch,
                    counter,
                    acked: 0,
                });
                started.push(*pairing);
            }
            if !to.is_empty() {
                s.sent.retain(|w| w.checkin != checkin);
                s.sent.push(SentWatch {
                    checkin,
                    terms: terms.clone(),
                    to,
                    ended_at: None,
                });
            }
            Ok(started)
        })
    }

    /// Worker side: the deadline of `checkin` moved; each buddy gets a full EXTEND.
    pub(crate) fn extend(
        &self,
        checkin: CheckinId,
        deadline: Timestamp,
        now: Timestamp,
    ) -> Result<()> {
        self.run(|s| {
            let Some(k) = s
                .sent
                .iter()
                .position(|w| w.checkin == checkin && w.ended_at.is_none())
            else {
                return Ok(());
            };
            s.sent[k].terms.deadline = deadline;
            let terms = s.sent[k].terms.clone();
            let peers: Vec<KeyId> = s.sent[k].to.iter().map(|t| t.peer).collect();
            for (i, peer) in peers.into_iter().enumerate() {
                if s.peer(&peer).is_none() {
                    continue;
                }
                let counter = s.queue_text(
                    peer,
                    Payload::Extend(*checkin.as_bytes(), terms.clone()),
                    WatchMessageKind::Extend,
                    now,
                )?;
                let t = &mut s.sent[k].to[i];
                t.last = WatchMessageKind::Extend;
                t.counter = counter;
            }
            Ok(())
        })
    }

    /// Worker side: `checkins` ended; each buddy gets SAFE, or DURESS-SAFE under
    /// duress. Both are queued, stored and shown the same way: only the sealed payload
    /// differs, by one byte, which nobody holding this phone can read back.
    pub(crate) fn end(&self, checkins: &[CheckinId], duress: bool, now: Timestamp) -> Result<()> {
        self.run(|s| {
            for checkin in checkins {
                let Some(k) = s
                    .sent
                    .iter()
                    .position(|w| &w.checkin == checkin && w.ended_at.is_none())
                else {
                    continue;
                };
                let c = *checkin.as_bytes();
                let terms = s.sent[k].terms.clone();
                let peers: Vec<KeyId> = s.sent[k].to.iter().map(|t| t.peer).collect();
                for (i, peer) in peers.into_iter().enumerate() {
                    if s.peer(&peer).is_none() {
                        continue;
                    }
                    // The buddy's phone may not have the terms (no WATCH or EXTEND left
                    // and none confirmed): a fresh EXTEND goes first, with fresh tries, and
                    // the SAFE waits behind it (`State::held_back`). Done alike for SAFE
                    // and DURESS-SAFE, so that nothing on this phone tells them apart.
                    if s.terms_missing(peer, &c) {
                        s.queue_text(
                            peer,
                            Payload::Extend(c, terms.clone()),
                            WatchMessageKind::Extend,
                            now,
                        )?;
                    }
                    let payload = if duress {
                        Payload::DuressSafe(c)
                    } else {
                        Payload::Safe(c)
                    };
                    let counter = s.queue_text(peer, payload, WatchMessageKind::Safe, now)?;
                    let t = &mut s.sent[k].to[i];
                    t.last = WatchMessageKind::Safe;
                    t.counter = counter;
                }
                s.sent[k].ended_at = Some(now);
            }
            Ok(())
        })
    }

    /// Receives one message. A replay is refused as before, but the state is saved: it
    /// may have queued an ACK again (see `State::ack_again`).
    pub(crate) fn receive(&self, text: &str, now: Timestamp) -> Result<Received> {
        Ok(self.run(|s| s.receive(text, now))??)
    }

    pub(crate) fn tick(&self, now: Timestamp) -> Result<Vec<WatchAction>> {
        self.run(|s| s.tick(now))
    }

    pub(crate) fn next_wakeup(&self) -> Result<Option<Timestamp>> {
        self.run(|s| Ok(s.next_wakeup()))
    }

    pub(crate) fn report(&self, id: &ActionId, outcome: Outcome, now: Timestamp) -> Result<()> {
        self.run(|s| s.report(id, outcome, now))
    }

    /// Whether `id` is one of this state's actions (to route a report).
    pub(crate) fn owns_action(&self, id: &ActionId) -> Result<bool> {
        self.run(|s| {
            Ok(s.outbox
                .iter()
                .any(|o| o.id == id.checkin || o.prev_ids.contains(&id.checkin)))
        })
    }

    /// The buddy has seen the alarm and is acting: the remaining steps are withdrawn.
    pub(crate) fn acknowledge(&self, watch: &RecordId, now: Timestamp) -> Result<()> {
        self.run(|s| {
            let w = s
                .watches
                .iter_mut()
                .find(|w| &w.id == watch)
                .ok_or(Error::NotFound("watch"))?;
            w.acknowledged = true;
            if w.alarm_at.is_none() {
                w.alarm_at = Some(now);
            }
            let id = w.id;
            s.withdraw_notices(id);
            Ok(())
        })
    }

    /// Watches held for others, by deadline.
    pub(crate) fn held(&self) -> Result<Vec<HeldWatch>> {
        self.run(|s| {
            let mut out: Vec<HeldWatch> = s
                .watches
                .iter()
                .map(|w| {
                    let p = s.peer(&w.peer);
                    HeldWatch {
                        id: w.id,
                        pairing: p.map(|p| p.pairing),
                        worker_name: p.map_or_else(String::new, |p| p.name.clone()),
                        worker_phone: p.and_then(|p| p.phone.clone()),
                        phase: w.phase(),
                        duress: w.duress,
                        terms: w.has_terms.then(|| w.terms.clone()),
                        alarm_at: w.alarm_at,
                        alarm_due: (w.has_terms && !w.duress).then(|| w.due()),
                        acknowledged: w.acknowledged,
                    }
                })
                .collect();
            out.sort_by_key(|w| (w.alarm_due, w.id));
            Ok(out)
        })
    }

    /// Worker side: each check-in sent to buddies, with each buddy's confirmation.
    pub(crate) fn sent(&self) -> Result<Vec<SentWatchStatus>> {
        self.run(|s| {
            Ok(s.sent
                .iter()
                .map(|w| SentWatchStatus {
                    checkin: w.checkin,
                    deadline: w.terms.deadline,
                    buddies: w
                        .to
                        .iter()
                        .map(|t| {
                            let p = s.peer(&t.peer);
                            // The last message itself (by its counter: an older EXTEND
                            // sent does not make a newer one sent).
                            let delivered = s.outbox.iter().any(|o| {
                                matches!(&o.item, Item::Text { peer, checkin, text, .. }
                                    if *peer == t.peer && checkin == w.checkin.as_bytes()
                                        && message::parse(text).is_ok_and(|m| m.counter == t.counter))
                                    && (o.sent_once || matches!(o.state, OutState::Sent { .. }))
                            });
                            BuddyWatchStatus {
                                pairing: p.map(|p| p.pairing),
                                name: p.map_or_else(String::new, |p| p.name.clone()),
                                last: t.last,
                                sent: delivered,
                                confirmed: t.acked >= t.counter,
                            }
                        })
                        .collect(),
                })
                .collect())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::encoding::{decode, FORMAT_MSGPACK};
    use chrono::TimeZone;

    /// States written by the code before the resend schedule and the ACK budget (session
    /// 5), as MessagePack: a worker's, whose WATCH to the buddy was sent at 20:00 and not
    /// confirmed, and the buddy's, which accepted it at 20:01 and queued its ACK.
    fn old(which: &str) -> State {
        let hex = match which {
            "worker" => include_str!("testdata/state-v1-worker.hex"),
            _ => include_str!("testdata/state-v1-buddy.hex"),
        };
        decode(
            FORMAT_MSGPACK,
            TABLE,
            &hex::decode(hex.trim()).expect("hex"),
        )
        .expect("an old state loads")
    }

    #[test]
    fn a_state_written_by_a_newer_version_is_reported_as_such_not_as_a_wrong_secret() {
        use crate::vault::{Vault, VaultOptions, MIN_KDF_ITERATIONS};
        let dir = tempfile::tempdir().unwrap();
        let session = Vault::create(
            dir.path().join("v.db"),
            "pass",
            &VaultOptions {
                kdf_iterations: MIN_KDF_ITERATIONS,
                device_secret: Some(vec![7; 32]),
            },
        )
        .unwrap();
        let key = EscalationKey::from_device_secret(&[7; 32]).unwrap();
        let state = WatchState::new(session.conn(), &key);
        state.set_language("pl").unwrap();
        /// An empty [`State`] with one more field, as a later version might append.
        #[derive(Serialize)]
        struct Newer {
            purpose: String,
            identity: Option<()>,
            peers: Vec<()>,
            watches: Vec<()>,
            sent: Vec<()>,
            outbox: Vec<()>,
            language: Option<String>,
            acks: Vec<()>,
            later: u32,
        }
        let newer = Newer {
            purpose: PURPOSE.into(),
            identity: None,
            peers: vec![],
            watches: vec![],
            sent: vec![],
            outbox: vec![],
            language: Some("pl".into()),
            acks: vec![],
            later: 1,
        };
        SealedTable::under_key(session.conn(), &state.key, TABLE, "watch state")
            .upsert(&row_id(), &newer)
            .unwrap();
        let e = state.next_wakeup().unwrap_err();
        assert!(matches!(e, Error::Watch(WatchError::StateTooNew)), "{e:?}");
        assert_eq!(e.kind(), crate::error::ErrorKind::NewerVersion);
        // A wrong device secret is still told as such.
        let other = EscalationKey::from_device_secret(&[8; 32]).unwrap();
        let e = WatchState::new(session.conn(), &other)
            .next_wakeup()
            .unwrap_err();
        assert_eq!(
            e.kind(),
            crate::error::ErrorKind::WrongDeviceSecret,
            "{e:?}"
        );
    }

    fn t(h: u32, m: u32) -> Timestamp {
        chrono::Utc.with_ymd_and_hms(2026, 11, 28, h, m, 0).unwrap()
    }

    fn texts(actions: &[WatchAction]) -> Vec<(WatchMessageKind, String)> {
        actions
            .iter()
            .filter_map(|a| match &a.kind {
                WatchActionKind::SendMessage { kind, text, .. } => Some((*kind, text.clone())),
                WatchActionKind::NotifyBuddy { .. } => None,
            })
            .collect()
    }

    #[test]
    fn a_state_written_before_the_resend_schedule_loads_and_joins_it() {
        let mut worker = old("worker");
        let Item::Text { text: watch, .. } = worker.outbox[0].item.clone() else {
            panic!("the WATCH");
        };
        assert!(worker.outbox[0].first_out.is_none() && worker.outbox[0].resends == 0);
        // Its WATCH (sent at 20:00, no ACK) is resent on the new schedule.
        assert_eq!(worker.next_wakeup(), Some(t(20, 5)));
        let resend = worker.tick(t(20, 5)).unwrap();
        assert_eq!(texts(&resend), [(WatchMessageKind::Watch, watch.clone())]);
        // It was sent (its old state said so, before `sent_once` existed): still shown as
        // sent while the resend is under way.
        assert!(worker.outbox[0].sent_once);
        worker
            .report(&resend[0].id, Outcome::Sent, t(20, 5))
            .unwrap();
        assert_eq!(worker.next_wakeup(), Some(t(20, 15)));
        // Saved again, it reads back with the new fields.
        let again: State = decode(
            FORMAT_MSGPACK,
            TABLE,
            &crate::vault::encoding::encode(&worker).unwrap(),
        )
        .unwrap();
        assert_eq!(again.outbox[0].first_out, Some(t(20, 0)));
        assert_eq!(again.outbox[0].resends, 1);

        // The buddy's old state holds the watch without an ACK budget: a replay is
        // refused and sends nothing (it cannot tell it was answered), a later
        // message starts the budget.
        let mut buddy = old("buddy");
        assert!(buddy.watches[0].acks.is_none());
        assert!(matches!(
            buddy.receive(&watch, t(20, 10)).unwrap(),
            Err(WatchError::Replayed)
        ));
        let actions = buddy.tick(t(20, 10)).unwrap();
        let sent = texts(&actions);
        assert_eq!(sent.len(), 1, "only the ACK queued before: {sent:?}");
        assert_eq!(sent[0].0, WatchMessageKind::Ack);
        buddy
            .report(&actions[0].id, Outcome::Sent, t(20, 10))
            .unwrap();
        // Its next wake-up is the deadline (22:00): no ACK is resent for want of one.
        assert_eq!(buddy.next_wakeup(), Some(t(22, 0)));

        // A budget kept on the watch (the version of an hour before) is still honoured,
        // and moves to the per-phone budgets.
        let mut buddy = old("buddy");
        let counter = message::parse(&watch).unwrap().counter;
        buddy.watches[0].acks = Some(AckBudget {
            counter,
            at: t(20, 1),
            again: 0,
        });
        assert!(matches!(
            buddy.receive(&watch, t(20, 10)).unwrap(),
            Err(WatchError::Replayed)
        ));
        assert!(buddy.watches[0].acks.is_none() && buddy.acks.len() == 1);
        let sent = texts(&buddy.tick(t(20, 10)).unwrap());
        assert_eq!(sent.len(), 2, "the old ACK and the new one: {sent:?}");
    }

    /// The outbox states as the code before superseding (a919c7c) knew them.
    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "snake_case")]
    #[allow(dead_code)]
    enum OutStateBefore {
        Due { at: Timestamp },
        Issued { at: Timestamp },
        Sent { at: Timestamp },
        Exhausted { at: Timestamp },
        Withdrawn,
    }

    #[test]
    fn a_superseded_text_is_written_so_that_the_previous_release_still_reads_the_state() {
        let mut worker = old("worker");
        let Item::Text { peer, checkin, .. } = worker.outbox[0].item.clone() else {
            panic!("the WATCH");
        };
        // Its WATCH never left (the composer was dismissed): an EXTEND supersedes it.
        worker.outbox[0].state = OutState::Due { at: t(20, 0) };
        worker.outbox[0].sent_once = false;
        let terms = worker.sent[0].terms.clone();
        worker
            .queue_text(
                peer,
                Payload::Extend(checkin, terms),
                WatchMessageKind::Extend,
                t(20, 2),
            )
            .unwrap();
        // Never offered again, and nothing the older code would resend.
        assert_eq!(worker.outbox[0].state, OutState::Exhausted { at: t(20, 2) });
        assert_eq!(worker.outbox[0].resends as usize, RESEND_AFTER_SECS.len());
        assert!(worker.resend_at(0).is_none());
        let sent = texts(&worker.tick(t(20, 2)).unwrap());
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].0, WatchMessageKind::Extend);
        // Every outbox state, as written, reads in the code before a919c7c (its only
        // change to the stored types was a variant of this enum).
        for o in &worker.outbox {
            let bytes = crate::vault::encoding::encode(&o.state).unwrap();
            let read: Result<OutStateBefore> = decode(FORMAT_MSGPACK, TABLE, &bytes);
            assert!(read.is_ok(), "{:?} does not read: {read:?}", o.state);
        }
    }
}
