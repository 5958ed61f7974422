//! "Watch over me": a paired buddy's phone holds a copy of the deadline.
//!
//! An on-phone check-in timer fails when the worker's phone is switched off, taken or
//! smashed before the deadline. With no server, the alternative is a second phone: the
//! worker's Vigil sends a sealed, signed WATCH message (by SMS or any text channel) to a
//! paired buddy's Vigil, which raises the alarm on the buddy's phone unless a SAFE (or an
//! EXTEND moving the deadline) arrives in time. A DURESS-SAFE looks like a SAFE on the
//! worker's phone and on the wire, and is an alarm on the buddy's.
//!
//! - `code.rs`: pairing codes (public keys and a display name as one line of text);
//! - `crypto.rs`: keys, sealing (X25519 + HKDF + ChaCha20-Poly1305), signing (Ed25519),
//!   the short authentication string;
//! - `message.rs`: the binary layout and its text form, within 3 SMS segments;
//! - `state.rs`: the device-bound state (keys, counters, watches held, the outbox) and the
//!   watcher's rules, driven by `receive`, `tick`, `next_wakeup`, `report_outcome`.
//!
//! Two doors, as for check-ins: pairings (names, numbers, keys, the link to a buddy) are
//! sealed under the vault key ([`Pairings`], unlocked); what the locked phone needs to
//! receive a message and raise an alarm is sealed under the escalation key
//! ([`WatchState`], opened with the device secret alone). The application layer composes
//! this with check-ins; this module reads no other capability. See `docs/checkin.md`.

mod code;
mod crypto;
pub mod message;
mod state;
pub(crate) mod tables;
mod texts;

use ring::rand::SystemRandom;
use serde::{Deserialize, Serialize};

pub use code::{PairingCode, MAX_PAIRING_NAME, PAIRING_PREFIX};
pub use crypto::{short_authentication_string, KeyId, PublicKeys};
pub use message::{
    fits_sms, is_watch_message, WatchMessageKind, WatchTerms, MAX_MESSAGE_SEGMENTS, MESSAGE_PREFIX,
};
pub use state::{
    WatchState, EMERGENCY_AFTER_SECS, MAX_REACKS, REACK_INTERVAL_SECS, RESEND_AFTER_SECS,
};

use crate::checkin::{ActionId, Channel, CheckinId, EscalationKey};
use crate::clock::Timestamp;
use crate::identifiers::normalize_phone;
use crate::vault::{Listing, RecordId, SealedTable, Session};
use crate::Result;

const PAIRINGS: &str = "watch_pairings";

/// Why a pairing code or a message was refused. Messages never contain personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WatchError {
    #[error("this is not a Vigil watch message (it does not start with VGL1:)")]
    NotAWatchMessage,
    #[error("the watch message is damaged (not valid base64, or its content is malformed)")]
    Malformed,
    #[error("the watch message is cut off (a segment missing?)")]
    Truncated,
    #[error("the watch message is from a newer version of Vigil")]
    UnsupportedVersion,
    /// This phone's watch state opened (right device secret) but was written by a newer
    /// Vigil than this one (an app downgraded or a backup of the app restored): nothing
    /// changed; updating Vigil reads it.
    #[error("the watch state was written by a newer version of Vigil; update Vigil")]
    StateTooNew,
    #[error("the watch message is meant for another phone")]
    WrongRecipient,
    /// Sealed to this phone by a key it is not paired with: ignored.
    #[error("the watch message is from a phone this one is not paired with")]
    UnknownSender,
    #[error("the watch message's signature or seal does not verify: it was altered or forged")]
    Forged,
    #[error("the watch message was already received (a duplicate or a replay)")]
    Replayed,
    #[error("the watch message is older than one already received from that phone")]
    OutOfOrder,
    #[error("the pairing code is not valid: {0}")]
    BadPairingCode(&'static str),
    #[error("that is this phone's own pairing code")]
    OwnCode,
    #[error("the confirmation digits do not match: do not pair (the code may have been swapped)")]
    SasMismatch,
    #[error("this phone has no watch keys yet")]
    NoKeys,
}

/// What the buddy's phone is told about a watch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum WatchNotice {
    /// The deadline has passed and nothing was heard yet; the alarm follows at
    /// deadline + grace.
    Reminder,
    /// Nothing heard by deadline + grace, or a DURESS-SAFE: the alarm screen, with the
    /// details.
    Alarm,
    /// Next step: call the worker.
    CallWorker,
    /// Next step: call the emergency services with the details (at once under duress).
    CallEmergency,
    /// A SAFE arrived after the alarm.
    SafeAfterAlarm,
}

/// A watch held on this phone, as its list shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum WatchPhase {
    /// Before the deadline.
    Watching,
    /// Past the deadline, nothing heard, before the alarm.
    Overdue,
    /// The alarm was raised (or is due now).
    Alarm,
    /// The worker checked in.
    Safe,
}

/// Something the shell must do for a watch, then report like a check-in action.
#[derive(Debug, Clone, PartialEq)]
pub struct WatchAction {
    /// Kept by every retry on the same channel (see [`ActionId`]).
    pub id: ActionId,
    pub attempt: u32,
    pub kind: WatchActionKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum WatchActionKind {
    /// Send `text` to a paired phone (SMS to `phone`, or through another app when there is
    /// no number or SMS failed). `kind` is what the worker's screen may show: a
    /// DURESS-SAFE shows as `Safe`.
    SendMessage {
        pairing: RecordId,
        name: String,
        phone: Option<String>,
        channel: Channel,
        kind: WatchMessageKind,
        text: String,
    },
    /// Show the buddy a notice about a watch they hold (reminder, alarm, next step).
    NotifyBuddy {
        watch: RecordId,
        notice: WatchNotice,
        worker_name: String,
        worker_phone: Option<String>,
        terms: WatchTerms,
        /// Checked in under duress: do not call her openly.
        duress: bool,
        text: String,
    },
}

/// A message accepted by [`WatchState::receive`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub pairing: RecordId,
    pub name: String,
    pub kind: WatchMessageKind,
    /// The watch it concerns, on the buddy's side.
    pub watch: Option<RecordId>,
}

/// A watch held for someone else.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldWatch {
    pub id: RecordId,
    pub pairing: Option<RecordId>,
    pub worker_name: String,
    pub worker_phone: Option<String>,
    pub phase: WatchPhase,
    pub duress: bool,
    /// `None` when only a DURESS-SAFE arrived (the WATCH was lost).
    pub terms: Option<WatchTerms>,
    pub alarm_at: Option<Timestamp>,
    /// When the alarm is due unless a SAFE or EXTEND arrives.
    pub alarm_due: Option<Timestamp>,
    pub acknowledged: bool,
}

/// When a watch held on this phone needs it awake, and nothing about whose it is: for a
/// shell that books its wake-ups ahead (iOS), from any session. A decoy's includes the
/// phone's real watches (their alarms must still ring) while its watch list shows only its
/// own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeldWatchTimes {
    pub id: RecordId,
    pub phase: WatchPhase,
    /// `None` when only a DURESS-SAFE arrived (its alarm is already raised).
    pub deadline: Option<Timestamp>,
    /// When the alarm is due unless a SAFE or EXTEND arrives.
    pub alarm_due: Option<Timestamp>,
}

impl From<&HeldWatch> for HeldWatchTimes {
    fn from(w: &HeldWatch) -> Self {
        Self {
            id: w.id,
            phase: w.phase,
            deadline: w.terms.as_ref().map(|t| t.deadline),
            alarm_due: w.alarm_due,
        }
    }
}

/// A check-in of this phone that paired buddies watch.
#[derive(Debug, Clone, PartialEq)]
pub struct SentWatchStatus {
    pub checkin: CheckinId,
    pub deadline: Timestamp,
    pub buddies: Vec<BuddyWatchStatus>,
}

/// One buddy's side of a sent watch, as the worker sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuddyWatchStatus {
    pub pairing: Option<RecordId>,
    pub name: String,
    /// The last message sent (`Safe` after a normal or a duress check-in).
    pub last: WatchMessageKind,
    /// The shell reported it sent.
    pub sent: bool,
    /// The buddy's phone confirmed it (an ACK arrived).
    pub confirmed: bool,
}

/// A paired phone, stored under the vault key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pairing {
    pub id: RecordId,
    pub name: String,
    /// E.164; `None` for a phone messages are pasted to by hand (a desktop buddy).
    pub phone: Option<String>,
    pub keys: PublicKeys,
    /// The buddy this pairing belongs to: a check-in with that buddy asks their phone to
    /// watch.
    pub buddy: Option<RecordId>,
    pub paired_at: Timestamp,
}

/// What is shown before a pairing is saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairingPreview {
    /// The name in the other phone's code.
    pub name: String,
    /// The six digits both people must see on both phones.
    pub sas: String,
}

/// What the person enters to pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairingDraft {
    /// The other phone's code (text form, or the QR code's content).
    pub code: String,
    /// The six digits as the person read them on the other phone (spaces ignored).
    pub sas: String,
    /// The name to keep (default: the code's).
    pub name: Option<String>,
    /// Their number, in any usual form (`None`: messages are pasted by hand).
    pub phone: Option<String>,
    pub buddy: Option<RecordId>,
}

/// Pairings of the open vault, and this phone's device-bound watch state.
pub struct Pairings<'a> {
    session: &'a Session,
    key: &'a EscalationKey,
}

impl std::fmt::Debug for Pairings<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pairings").finish_non_exhaustive()
    }
}

impl<'a> Pairings<'a> {
    pub fn new(session: &'a Session, key: &'a EscalationKey) -> Self {
        Self { session, key }
    }

    fn table(&self) -> SealedTable<'_, Pairing> {
        SealedTable::new(self.session, PAIRINGS, "pairing")
    }

    /// Runs `f` on the device-bound state that goes with the open vault's pairings: in the
    /// real vault the phone's own (the one the locked runner drives); in a decoy (duress
    /// passphrase) the decoy's, kept in the decoy's file under the same escalation key. The
    /// phone's state holds the real buddies' names, numbers and check-ins: whoever forced
    /// the duress passphrase must not see them, so the decoy's pairing code, pairings,
    /// watches held and sent are its own (empty until paired in there).
    pub fn with_state<R>(&self, f: impl FnOnce(&WatchState<'_>) -> Result<R>) -> Result<R> {
        f(&WatchState::new(self.session.conn(), self.key))
    }

    /// Runs `f` on the phone's device-bound state (the main file's, also from a decoy),
    /// which the locked runner drives: for the messages about check-ins, which belong to
    /// the phone (see `Checkins`), so a real check-in extended or cancelled inside the
    /// decoy still tells the real buddies' phones.
    pub(crate) fn with_phone_state<R>(
        &self,
        f: impl FnOnce(&WatchState<'_>) -> Result<R>,
    ) -> Result<R> {
        match self.session.main_file_if_decoy()? {
            Some(main) => f(&WatchState::new(&main, self.key)),
            None => f(&WatchState::new(self.session.conn(), self.key)),
        }
    }

    /// Whether the open vault is a decoy (its own watch state is not the phone's).
    pub(crate) fn is_decoy(&self) -> bool {
        self.session.is_decoy()
    }

    /// This phone's pairing code, with `name` as the name shown to the other side. The
    /// keys are made on first use and kept under the escalation key.
    pub fn own_code(&self, name: &str) -> Result<String> {
        let name = code::normalize_name(name)?;
        let keys = self.with_state(|s| s.own_keys(&SystemRandom::new()))?;
        Ok(PairingCode { keys, name }.to_text())
    }

    /// Reads the other phone's code and gives the digits to compare.
    pub fn preview(&self, code: &str) -> Result<PairingPreview> {
        let theirs = PairingCode::parse(code)?;
        let mine = self.with_state(|s| s.own_keys(&SystemRandom::new()))?;
        if theirs.keys.key_id() == mine.key_id() {
            return Err(WatchError::OwnCode.into());
        }
        Ok(PairingPreview {
            name: theirs.name,
            sas: short_authentication_string(&mine, &theirs.keys),
        })
    }

    /// Saves a pairing once the digits the person read match. A code already paired
    /// replaces the old pairing (its counters start again: the other phone was reset).
    pub fn add(
        &self,
        draft: PairingDraft,
        default_region: &str,
        now: Timestamp,
    ) -> Result<Pairing> {
        let preview = self.preview(&draft.code)?;
        let typed: String = draft.sas.chars().filter(|c| !c.is_whitespace()).collect();
        let expected: String = preview.sas.chars().filter(|c| !c.is_whitespace()).collect();
        // Not a secret (both screens show it): a plain comparison.
        if typed != expected {
            return Err(WatchError::SasMismatch.into());
        }
        let theirs = PairingCode::parse(&draft.code)?;
        let name = match draft
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            Some(n) => code::normalize_name(n)?,
            None => theirs.name,
        };
        let phone = pairing_phone(draft.phone.as_deref(), default_region)?;
        if let Some(b) = &draft.buddy {
            crate::checkin::stored_buddies::get(self.session, b)?;
        }
        let existing = self
            .table()
            .list()?
            .items
            .into_iter()
            .find(|p| p.keys.key_id() == theirs.keys.key_id());
        let pairing = Pairing {
            id: match &existing {
                Some(p) => p.id,
                None => self.session.new_id()?,
            },
            name,
            phone,
            keys: theirs.keys,
            buddy: draft.buddy,
            paired_at: now,
        };
        self.table().upsert(&pairing.id, &pairing)?;
        self.with_state(|s| {
            s.add_peer(
                pairing.id,
                pairing.name.clone(),
                pairing.phone.clone(),
                pairing.keys,
            )
        })?;
        Ok(pairing)
    }

    /// Links a pairing to a buddy (or unlinks it).
    pub fn link_buddy(&self, id: &RecordId, buddy: Option<RecordId>) -> Result<Pairing> {
        let mut p = self.table().get(id)?;
        if let Some(b) = &buddy {
            crate::checkin::stored_buddies::get(self.session, b)?;
        }
        p.buddy = buddy;
        self.table().update(id, &p)?;
        self.with_state(|s| s.update_peer(p.id, p.name.clone(), p.phone.clone()))?;
        Ok(p)
    }

    /// Changes a pairing's number (`None` or blank: none, messages are passed by hand),
    /// read as when pairing. Messages not handed to the shell yet go to the new number;
    /// the keys and counters stay (it is the same phone).
    pub fn set_phone(
        &self,
        id: &RecordId,
        phone: Option<&str>,
        default_region: &str,
    ) -> Result<Pairing> {
        let phone = pairing_phone(phone, default_region)?;
        let mut p = self.table().get(id)?;
        p.phone = phone;
        self.table().update(id, &p)?;
        self.with_state(|s| s.update_peer(p.id, p.name.clone(), p.phone.clone()))?;
        Ok(p)
    }

    pub fn get(&self, id: &RecordId) -> Result<Pairing> {
        self.table().get(id)
    }

    /// Every pairing, by name.
    pub fn list(&self) -> Result<Listing<Pairing>> {
        let mut l = self.table().list()?;
        l.items
            .sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        Ok(l)
    }

    /// Removes a pairing: messages from that phone are refused from now on.
    pub fn remove(&self, id: &RecordId) -> Result<()> {
        self.table().delete(id)?;
        self.with_state(|s| s.remove_peer(*id))
    }

    /// The pairings linked to any of `buddies`.
    pub fn for_buddies(&self, buddies: &[RecordId]) -> Result<Vec<RecordId>> {
        Ok(self
            .list()?
            .items
            .into_iter()
            .filter(|p| p.buddy.is_some_and(|b| buddies.contains(&b)))
            .map(|p| p.id)
            .collect())
    }
}

/// A pairing's number in E.164, or `None` when absent or blank. A number that does not
/// read is `InvalidIdentifier` (which names the problem, not the number).
fn pairing_phone(raw: Option<&str>, default_region: &str) -> Result<Option<String>> {
    raw.map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| normalize_phone(p, default_region.parse()?))
        .transpose()
}

/// Pairing rows for export and import (vault key only).
pub(crate) mod stored_pairings {
    use super::{Pairing, PAIRINGS};
    use crate::vault::{RecordId, SealedTable, Session};
    use crate::Result;

    pub(crate) fn for_each(
        session: &Session,
        visit: impl FnMut(RecordId, Result<Pairing>) -> Result<()>,
    ) -> Result<()> {
        SealedTable::new(session, PAIRINGS, "pairing").for_each(visit)
    }
}

#[cfg(test)]
mod tests;
