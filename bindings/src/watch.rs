//! "Watch over me" for the shells: pairing, inbound messages, the watches held for
//! others, and the worker's view of her buddies' confirmations. Converts only; the rules
//! are in `vigil_core::watch` and `vigil_core::app`.

use std::time::SystemTime;

use vigil_core::checkin::Channel;
use vigil_core::watch as w;
use vigil_core::watch::{WatchMessageKind, WatchNotice, WatchPhase};

use crate::error::Result;
use crate::types::{from_time, parse_id, to_time, ActionId};
use crate::{BackgroundRunner, Session};

/// The six digits to compare before pairing, and the name in the other phone's code.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PairingPreview {
    pub name: String,
    pub sas: String,
}

/// What the person confirmed: the other phone's code, the digits as read on it, and
/// optionally a name, their number and the buddy this pairing belongs to.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PairingInput {
    pub code: String,
    pub sas: String,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub buddy_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Pairing {
    pub id: String,
    pub name: String,
    pub phone: Option<String>,
    pub buddy_id: Option<String>,
    pub paired_at: SystemTime,
}

impl From<w::Pairing> for Pairing {
    fn from(p: w::Pairing) -> Self {
        Self {
            id: p.id.to_string(),
            name: p.name,
            phone: p.phone,
            buddy_id: p.buddy.map(|b| b.to_string()),
            paired_at: from_time(p.paired_at),
        }
    }
}

/// What a WATCH told the buddy.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct WatchTerms {
    pub deadline: SystemTime,
    pub grace_seconds: u32,
    pub utc_offset_minutes: i16,
    pub language: String,
    pub address: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub client: Option<String>,
    pub client_contact: Option<String>,
    pub booking_starts_at: Option<SystemTime>,
}

impl From<w::WatchTerms> for WatchTerms {
    fn from(t: w::WatchTerms) -> Self {
        Self {
            deadline: from_time(t.deadline),
            grace_seconds: t.grace_secs,
            utc_offset_minutes: t.utc_offset_minutes,
            language: t.language,
            address: t.address,
            latitude: t.place.map(|p| p.0),
            longitude: t.place.map(|p| p.1),
            client: t.client,
            client_contact: t.client_contact,
            booking_starts_at: t.booking_starts_at.map(from_time),
        }
    }
}

#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum WatchActionKind {
    /// Send `text` exactly (SMS to `phone`, or by another app); `kind` is what the
    /// worker's screen may show (a DURESS-SAFE shows as `Safe`).
    SendMessage {
        pairing_id: String,
        name: String,
        phone: Option<String>,
        channel: Channel,
        kind: WatchMessageKind,
        text: String,
    },
    /// Show the buddy a reminder, the alarm screen or a next step.
    NotifyBuddy {
        watch_id: String,
        notice: WatchNotice,
        worker_name: String,
        worker_phone: Option<String>,
        terms: WatchTerms,
        duress: bool,
        text: String,
    },
}

/// A watch action: perform it, then `reportOutcome(id, ...)` like a check-in action.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct WatchAction {
    pub id: ActionId,
    pub attempt: u32,
    pub kind: WatchActionKind,
}

impl From<w::WatchAction> for WatchAction {
    fn from(a: w::WatchAction) -> Self {
        let kind = match a.kind {
            w::WatchActionKind::SendMessage {
                pairing,
                name,
                phone,
                channel,
                kind,
                text,
            } => WatchActionKind::SendMessage {
                pairing_id: pairing.to_string(),
                name,
                phone,
                channel,
                kind,
                text,
            },
            w::WatchActionKind::NotifyBuddy {
                watch,
                notice,
                worker_name,
                worker_phone,
                terms,
                duress,
                text,
            } => WatchActionKind::NotifyBuddy {
                watch_id: watch.to_string(),
                notice,
                worker_name,
                worker_phone,
                terms: terms.into(),
                duress,
                text,
            },
        };
        Self {
            id: ActionId {
                checkin: a.id.checkin.to_string(),
                seq: a.id.seq,
            },
            attempt: a.attempt,
            kind,
        }
    }
}

/// An accepted inbound message.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReceivedMessage {
    pub pairing_id: String,
    pub name: String,
    pub kind: WatchMessageKind,
    pub watch_id: Option<String>,
}

impl From<w::Received> for ReceivedMessage {
    fn from(r: w::Received) -> Self {
        Self {
            pairing_id: r.pairing.to_string(),
            name: r.name,
            kind: r.kind,
            watch_id: r.watch.map(|w| w.to_string()),
        }
    }
}

/// Why a watch message was refused: the stable reason a shell branches on (its log, its
/// words in the phone's language) instead of reading the core's English `detail`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum WatchRefusal {
    /// Not a Vigil watch message at all (no `VGL1:` prefix).
    NotAWatchMessage,
    /// Damaged: not valid base64, or its content does not read.
    Malformed,
    /// Cut off: an SMS segment lost, a paste not whole.
    Truncated,
    /// Written by a newer Vigil (a message version this one does not know).
    NewerVersion,
    /// Sealed to another phone.
    WrongRecipient,
    /// From a phone this one is not paired with.
    UnknownSender,
    /// The signature or seal does not verify: altered or forged.
    Forged,
    /// Already received (a duplicate, a resend or a replay).
    Replayed,
    /// Older than one already received from that phone.
    OutOfOrder,
}

impl WatchRefusal {
    /// The reason of a refused inbound message; `None` for every other failure (storage,
    /// a locked vault), which stays an error. `WatchError` is non-exhaustive: a refusal
    /// added to the core without a reason here stays the thrown `MessageRefused`, which
    /// the shells still handle.
    fn of(e: &vigil_core::Error) -> Option<Self> {
        use w::WatchError as E;
        let vigil_core::Error::Watch(e) = e else {
            return None;
        };
        Some(match e {
            E::NotAWatchMessage => Self::NotAWatchMessage,
            E::Malformed => Self::Malformed,
            E::Truncated => Self::Truncated,
            E::UnsupportedVersion => Self::NewerVersion,
            E::WrongRecipient => Self::WrongRecipient,
            E::UnknownSender => Self::UnknownSender,
            E::Forged => Self::Forged,
            E::Replayed => Self::Replayed,
            E::OutOfOrder => Self::OutOfOrder,
            E::BadPairingCode(_) | E::OwnCode | E::SasMismatch | E::NoKeys => return None,
            _ => return None,
        })
    }
}

/// What became of an inbound message: accepted, or refused with its reason (and the
/// core's words, free of personal data). Either way the shell runs its wake-up next: the
/// core may have queued an ACK (a replay of an accepted WATCH brings its ACK again).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum WatchReceipt {
    Accepted {
        message: ReceivedMessage,
    },
    Refused {
        reason: WatchRefusal,
        detail: String,
    },
}

/// A refusal becomes a [`WatchReceipt::Refused`]; any other failure stays an error.
fn receipt(r: vigil_core::Result<w::Received>) -> vigil_core::Result<WatchReceipt> {
    match r {
        Ok(m) => Ok(WatchReceipt::Accepted { message: m.into() }),
        Err(e) => match WatchRefusal::of(&e) {
            Some(reason) => Ok(WatchReceipt::Refused {
                reason,
                detail: e.to_string(),
            }),
            None => Err(e),
        },
    }
}

/// A watch held for a paired worker.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct HeldWatch {
    pub id: String,
    pub worker_name: String,
    pub worker_phone: Option<String>,
    pub phase: WatchPhase,
    pub duress: bool,
    pub terms: Option<WatchTerms>,
    pub alarm_at: Option<SystemTime>,
    pub alarm_due: Option<SystemTime>,
    pub acknowledged: bool,
}

impl From<w::HeldWatch> for HeldWatch {
    fn from(h: w::HeldWatch) -> Self {
        Self {
            id: h.id.to_string(),
            worker_name: h.worker_name,
            worker_phone: h.worker_phone,
            phase: h.phase,
            duress: h.duress,
            terms: h.terms.map(Into::into),
            alarm_at: h.alarm_at.map(from_time),
            alarm_due: h.alarm_due.map(from_time),
            acknowledged: h.acknowledged,
        }
    }
}

/// When a held watch needs the phone awake, and nothing about whose it is: what a shell
/// books its wake-ups from (a decoy session's includes the phone's real watches, which its
/// `held_watches` does not list).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HeldWatchTimes {
    pub watch_id: String,
    pub phase: WatchPhase,
    pub deadline: Option<SystemTime>,
    pub alarm_due: Option<SystemTime>,
}

impl From<w::HeldWatchTimes> for HeldWatchTimes {
    fn from(h: w::HeldWatchTimes) -> Self {
        Self {
            watch_id: h.id.to_string(),
            phase: h.phase,
            deadline: h.deadline.map(from_time),
            alarm_due: h.alarm_due.map(from_time),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct BuddyWatchStatus {
    pub pairing_id: Option<String>,
    pub name: String,
    pub last: WatchMessageKind,
    pub sent: bool,
    pub confirmed: bool,
}

/// One of the worker's check-ins that paired buddies watch.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SentWatch {
    pub checkin_id: String,
    pub deadline: SystemTime,
    pub buddies: Vec<BuddyWatchStatus>,
}

impl From<w::SentWatchStatus> for SentWatch {
    fn from(s: w::SentWatchStatus) -> Self {
        Self {
            checkin_id: s.checkin.to_string(),
            deadline: from_time(s.deadline),
            buddies: s
                .buddies
                .into_iter()
                .map(|b| BuddyWatchStatus {
                    pairing_id: b.pairing.map(|p| p.to_string()),
                    name: b.name,
                    last: b.last,
                    sent: b.sent,
                    confirmed: b.confirmed,
                })
                .collect(),
        }
    }
}

/// Whether an inbound text is a Vigil watch message (its prefix), for sorting an inbox.
#[uniffi::export]
pub fn is_watch_message(text: String) -> bool {
    w::is_watch_message(&text)
}

#[uniffi::export]
impl Session {
    /// This phone's pairing code (QR content and text form), with `name` shown to the
    /// other side.
    pub fn own_pairing_code(&self, name: String) -> Result<String> {
        self.with(|a| a.pairings()?.own_code(&name))
    }

    /// Reads the other phone's code: its name and the digits both screens must show.
    pub fn preview_pairing(&self, code: String) -> Result<PairingPreview> {
        self.with(|a| a.pairings()?.preview(&code))
            .map(|p| PairingPreview {
                name: p.name,
                sas: p.sas,
            })
    }

    /// Saves a pairing (refused with the digits wrong: `InvalidInput`).
    pub fn add_pairing(&self, input: PairingInput, now: SystemTime) -> Result<Pairing> {
        let buddy = input.buddy_id.as_deref().map(parse_id).transpose()?;
        let now = to_time(now)?;
        self.with(|a| {
            a.add_pairing(
                w::PairingDraft {
                    code: input.code,
                    sas: input.sas,
                    name: input.name,
                    phone: input.phone,
                    buddy,
                },
                now,
            )
        })
        .map(Into::into)
    }

    pub fn list_pairings(&self) -> Result<Vec<Pairing>> {
        self.with(|a| a.pairings()?.list())
            .map(|l| l.items.into_iter().map(Into::into).collect())
    }

    pub fn remove_pairing(&self, id: String) -> Result<()> {
        let id = parse_id(&id)?;
        self.with(|a| a.pairings()?.remove(&id))
    }

    /// Links a pairing to a buddy (`None` unlinks): check-ins with that buddy are watched.
    pub fn link_pairing(&self, id: String, buddy_id: Option<String>) -> Result<Pairing> {
        let id = parse_id(&id)?;
        let buddy = buddy_id.as_deref().map(parse_id).transpose()?;
        self.with(|a| a.pairings()?.link_buddy(&id, buddy))
            .map(Into::into)
    }

    /// Changes a pairing's number (`None` or blank removes it: messages are passed by
    /// hand), read as when pairing; a number that does not read throws `InvalidInput` and
    /// nothing changes. Messages not handed out yet go to the new number.
    pub fn set_pairing_phone(&self, id: String, phone: Option<String>) -> Result<Pairing> {
        let id = parse_id(&id)?;
        self.with(|a| a.set_pairing_phone(&id, phone.as_deref()))
            .map(Into::into)
    }

    /// Watch actions due at `now`: call with `tick` at every wake-up.
    pub fn watch_tick(&self, now: SystemTime) -> Result<Vec<WatchAction>> {
        let now = to_time(now)?;
        self.escalation(|e| e.watch_tick(now))
            .map(|v| v.into_iter().map(Into::into).collect())
    }

    /// An inbound SMS (or pasted text). A refusal throws `MessageRefused` with the reason
    /// in words only (or `NewerVersion`) and changes nothing; shells use `receive_watch`,
    /// which gives the reason as a `WatchRefusal`.
    pub fn receive_watch_message(&self, text: String, now: SystemTime) -> Result<ReceivedMessage> {
        let now = to_time(now)?;
        self.escalation(|e| e.receive_watch_message(&text, now))
            .map(Into::into)
    }

    /// An inbound SMS (or pasted text), a refusal returned with its reason rather than
    /// thrown: `Refused` changed nothing. Other failures (locked, storage) still throw.
    pub fn receive_watch(&self, text: String, now: SystemTime) -> Result<WatchReceipt> {
        let now = to_time(now)?;
        self.escalation(|e| receipt(e.receive_watch_message(&text, now)))
    }

    /// Watches this vault holds for others (in a decoy, only its own).
    pub fn held_watches(&self) -> Result<Vec<HeldWatch>> {
        self.escalation(|e| e.held_watches())
            .map(|v| v.into_iter().map(Into::into).collect())
    }

    /// When each watch this phone holds needs it awake (no names): book wake-ups from this,
    /// not from `held_watches`, so a decoy open keeps the real watches' alarms.
    pub fn held_watch_times(&self) -> Result<Vec<HeldWatchTimes>> {
        self.escalation(|e| e.held_watch_times())
            .map(|v| v.into_iter().map(Into::into).collect())
    }

    /// The buddy has seen the alarm and is acting: its remaining steps stop.
    pub fn acknowledge_watch(&self, watch_id: String, now: SystemTime) -> Result<()> {
        let id = parse_id(&watch_id)?;
        let now = to_time(now)?;
        self.escalation(|e| e.acknowledge_watch(&id, now))
    }

    /// The worker's check-ins that paired buddies watch, with each buddy's confirmation.
    pub fn sent_watches(&self) -> Result<Vec<SentWatch>> {
        self.with(|a| a.sent_watches())
            .map(|v| v.into_iter().map(Into::into).collect())
    }
}

#[uniffi::export]
impl BackgroundRunner {
    /// Watch actions due at `now`, with the vault locked: call with `tick`.
    pub fn watch_tick(&self, now: SystemTime) -> Result<Vec<WatchAction>> {
        let now = to_time(now)?;
        self.with(|r| r.watch_tick(now))
            .map(|v| v.into_iter().map(Into::into).collect())
    }

    /// An SMS that arrived while the phone is locked.
    pub fn receive_watch_message(&self, text: String, now: SystemTime) -> Result<ReceivedMessage> {
        let now = to_time(now)?;
        self.with(|r| r.receive_watch_message(&text, now))
            .map(Into::into)
    }

    /// An SMS that arrived while the phone is locked, a refusal returned with its reason.
    pub fn receive_watch(&self, text: String, now: SystemTime) -> Result<WatchReceipt> {
        let now = to_time(now)?;
        self.with(|r| receipt(r.receive_watch_message(&text, now)))
    }

    pub fn held_watches(&self) -> Result<Vec<HeldWatch>> {
        self.with(|r| r.held_watches())
            .map(|v| v.into_iter().map(Into::into).collect())
    }

    /// When each held watch needs the phone awake (no names), as on `Session`.
    pub fn held_watch_times(&self) -> Result<Vec<HeldWatchTimes>> {
        self.with(|r| r.held_watch_times())
            .map(|v| v.into_iter().map(Into::into).collect())
    }

    pub fn acknowledge_watch(&self, watch_id: String, now: SystemTime) -> Result<()> {
        let id = parse_id(&watch_id)?;
        let now = to_time(now)?;
        self.with(|r| r.acknowledge_watch(&id, now))
    }

    /// The worker's check-ins that paired buddies watch, with the vault locked: each
    /// buddy's last message, sent or not, confirmed or not. Kept by the core, so a shell
    /// restarted with a SAFE still unsent learns it here, not from its own memory.
    pub fn sent_watches(&self) -> Result<Vec<SentWatch>> {
        self.with(|r| r.sent_watches())
            .map(|v| v.into_iter().map(Into::into).collect())
    }
}
