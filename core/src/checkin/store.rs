//! Persistence of the escalation state: load, apply, save, in one transaction.
//!
//! Table `checkin_escalation` holds one row per live check-in (its serialized
//! [`CheckinState`]) plus one meta row (fixed all-zero id) with the code verifiers, all
//! sealed under the escalation key. The unlocked session and the locked background runner
//! both go through [`Store`], each on its own connection: every operation takes the write
//! lock up front (`BEGIN IMMEDIATE`) and waits for the other side rather than failing.
//!
//! A row is rewritten only when its state changed, and deleted (then the WAL checkpointed
//! and truncated, with `secure_delete` on) as soon as its check-in has nothing left to do.

use std::collections::HashMap;

use rusqlite::{params, Connection, Transaction, TransactionBehavior};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::engine::{
    Action, ActionId, AlertFacts, ArmSpec, CheckinId, CheckinState, CheckinStatus, Contact,
    EndedCheckin, Engine, LocationFix, Outcome, Timing,
};
use super::key::{CodeMatch, CodeVerifiers, EscalationKey};
use super::CheckinError;
use crate::clock::Timestamp;
use crate::vault::{is_damage, storage, Listing, RecordId, SealedTable};
use crate::{Error, Result};

pub(crate) const TABLE: &str = "checkin_escalation";
const HISTORY: &str = "checkin_history";

/// Ended check-ins kept for the history, at most (the newest).
pub const HISTORY_KEEP: usize = 100;
/// Ended check-ins older than this many days are dropped from the history. The history is
/// readable with the device secret alone (like the live state), so it is kept short.
pub const HISTORY_KEEP_DAYS: i64 = 90;
const META_PURPOSE: &str = "vigil.escalation.meta.v1";

fn meta_id() -> RecordId {
    RecordId::from_bytes([0; 16])
}

/// Settings readable while locked.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Meta {
    purpose: String,
    pub codes: Option<CodeVerifiers>,
    /// Who a duress *unlock* alerts, copied here because the real vault stays locked then.
    #[serde(default)]
    pub duress_standby: Option<DuressStandby>,
    /// Wrong check-in codes in a row, and until when every code is refused: kept here so
    /// the locked runner, the unlocked session (real or decoy) and a restart share it.
    #[serde(default)]
    pub code_attempts: CodeAttempts,
    /// Filler that brings the sealed row to a fixed size, so its length does not tell
    /// whether duress-unlock buddies are prepared.
    #[serde(default)]
    pad: String,
}

/// Wrong check-in codes entered without a limit could be guessed in a few minutes (a
/// four-digit code has 10,000 values): after [`FREE_WRONG_CODES`] wrong codes in a row,
/// every attempt is refused, unchecked, until a delay has passed that doubles with each
/// further wrong code, from [`FIRST_CODE_DELAY_SECS`] up to [`MAX_CODE_DELAY_SECS`]. A
/// right code (normal or duress: the same) resets it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CodeAttempts {
    pub wrong: u32,
    pub not_before: Option<Timestamp>,
}

/// Wrong codes allowed in a row before the first delay.
pub const FREE_WRONG_CODES: u32 = 3;
/// The first delay, after the last free wrong code.
pub const FIRST_CODE_DELAY_SECS: i64 = 30;
/// The longest delay: a worker who mistypes under stress is never locked out for long.
pub const MAX_CODE_DELAY_SECS: i64 = 15 * 60;

impl CodeAttempts {
    /// Seconds still to wait at `now`, if any. Never more than the longest delay, even if
    /// the clock was set back after the delay began.
    fn wait_secs(&self, now: Timestamp) -> Option<u64> {
        let left = (self.not_before? - now).num_seconds();
        (left > 0).then(|| left.min(MAX_CODE_DELAY_SECS) as u64)
    }

    /// Counts a wrong code at `now`; returns the delay it starts, if any.
    fn wrong_at(&mut self, now: Timestamp) -> Option<u64> {
        self.wrong = self.wrong.saturating_add(1);
        if self.wrong < FREE_WRONG_CODES {
            return None;
        }
        let doublings = (self.wrong - FREE_WRONG_CODES).min(16);
        let secs = (FIRST_CODE_DELAY_SECS << doublings).min(MAX_CODE_DELAY_SECS);
        self.not_before = Some(now + chrono::Duration::seconds(secs));
        Some(secs as u64)
    }
}

/// Serialized size of the meta row (room for codes and a standby of several buddies).
const META_SIZE: usize = 4096;

impl Meta {
    fn new() -> Self {
        Self {
            purpose: META_PURPOSE.to_owned(),
            codes: None,
            duress_standby: None,
            code_attempts: CodeAttempts::default(),
            pad: String::new(),
        }
    }

    fn pad_to_fixed_size(&mut self) -> Result<()> {
        self.pad.clear();
        // Measured in the vault's record encoding, where the filler's length prefix grows
        // with the filler: a second pass settles it.
        for _ in 0..3 {
            let mut encoded = crate::vault::encoding::encode(self)?;
            let len = encoded.len();
            zeroize::Zeroize::zeroize(&mut encoded);
            let want = (self.pad.len() + META_SIZE).saturating_sub(len);
            if want == self.pad.len() {
                break;
            }
            self.pad = " ".repeat(want);
        }
        Ok(())
    }
}

/// What a duress unlock needs to alert buddies without the vault key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct DuressStandby {
    pub contacts: Vec<Contact>,
    pub worker_language: String,
    pub utc_offset_minutes: i32,
}

/// How long the check-in armed by a duress unlock nominally runs: it is checked in with
/// duress at once, so the deadline only has to be valid.
const DURESS_UNLOCK_DEADLINE_MINUTES: i64 = 30;

/// The result of a check-in with a code. A duress check-in returns exactly this too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckInReceipt {
    /// The check-ins that were ended, in id order.
    pub checkins: Vec<CheckinId>,
    pub at: Timestamp,
}

/// Everything one operation works on.
pub(crate) struct Loaded {
    pub engine: Engine,
    pub meta: Option<Meta>,
    pub unreadable: Vec<RecordId>,
    meta_changed: bool,
    /// Serialized state as loaded, to write back only what changed. It holds the plaintext
    /// of every check-in (buddies, message, place): wiped when dropped.
    before: HashMap<CheckinId, Zeroizing<Vec<u8>>>,
}

pub(crate) struct Store<'a> {
    conn: &'a Connection,
    key: &'a EscalationKey,
}

impl<'a> Store<'a> {
    pub fn new(conn: &'a Connection, key: &'a EscalationKey) -> Self {
        Self { conn, key }
    }

    /// Runs `f` on the loaded state in one immediate transaction and saves what changed.
    /// An error from `f` rolls everything back.
    pub fn run<R>(&self, f: impl FnOnce(&mut Loaded) -> Result<R>) -> Result<R> {
        self.conn.busy_timeout(storage::BUSY_TIMEOUT)?;
        let tx = Transaction::new_unchecked(self.conn, TransactionBehavior::Immediate)?;
        let mut loaded = self.load(&tx)?;
        let result = f(&mut loaded)?;
        let erased = self.save(&tx, &mut loaded)?;
        tx.commit()?;
        if erased {
            storage::checkpoint(self.conn)?;
        }
        Ok(result)
    }

    /// The meta row, opened as such (a row that does not open means the device secret is
    /// not the one the check-ins were armed with).
    fn meta_table<'t>(&'t self, conn: &'t Connection) -> SealedTable<'t, Meta> {
        SealedTable::under_key(conn, self.key.secret(), TABLE, "check-in codes")
    }

    /// The check-in rows (every row but the meta row).
    fn state_table<'t>(&'t self, conn: &'t Connection) -> SealedTable<'t, CheckinState> {
        SealedTable::under_key(conn, self.key.secret(), TABLE, "check-in")
    }

    /// Ended check-ins (see [`EndedCheckin`]).
    fn history_table<'t>(&'t self, conn: &'t Connection) -> SealedTable<'t, EndedCheckin> {
        SealedTable::under_key(conn, self.key.secret(), HISTORY, "check-in history")
    }

    /// Records a check-in that has ended, once (the first record stays: what happens after
    /// the ending never changes it), and keeps the history short. Returns whether rows
    /// were dropped.
    fn record_ended(&self, tx: &Transaction<'_>, entry: &EndedCheckin) -> Result<bool> {
        let known: bool = tx.query_row(
            "SELECT EXISTS(SELECT 1 FROM checkin_history WHERE id = ?1)",
            params![entry.id],
            |r| r.get(0),
        )?;
        if known {
            return Ok(false);
        }
        let table = self.history_table(tx);
        table.insert(&entry.id, entry)?;
        let oldest_kept = entry.ended_at - chrono::Duration::days(HISTORY_KEEP_DAYS);
        let mut kept: Vec<(Timestamp, RecordId)> = Vec::new();
        let mut dropped = Vec::new();
        table.for_each_stored(|id, opened| {
            match opened {
                Ok(e) if e.ended_at >= oldest_kept => kept.push((e.ended_at, id)),
                Ok(_) => dropped.push(id),
                // A damaged row is left for `history` to report.
                Err(e) if is_damage(&e) => {}
                Err(e) => return Err(e),
            }
            Ok(())
        })?;
        crate::sort::sort_by(&mut kept, |a, b| b.cmp(a));
        dropped.extend(kept.iter().skip(HISTORY_KEEP).map(|(_, id)| *id));
        for id in &dropped {
            // Checkpointed after the commit (see `run`), not inside the transaction.
            tx.execute("DELETE FROM checkin_history WHERE id = ?1", params![id])?;
        }
        Ok(!dropped.is_empty())
    }

    fn load(&self, tx: &Transaction<'_>) -> Result<Loaded> {
        let meta_id = meta_id();
        let meta = match self.meta_table(tx).find(&meta_id) {
            Ok(Some(m)) if m.purpose != META_PURPOSE => {
                return Err(CheckinError::WrongDeviceSecret.into())
            }
            Ok(m) => m,
            Err(e) if is_damage(&e) => return Err(CheckinError::WrongDeviceSecret.into()),
            Err(e) => return Err(e),
        };
        let mut states = Vec::new();
        let mut unreadable = Vec::new();
        let mut before = HashMap::new();
        self.state_table(tx).for_each_stored(|id, opened| {
            if id == meta_id {
                return Ok(());
            }
            match opened {
                Ok(state) if state.id() == id => {
                    before.insert(id, Zeroizing::new(crate::vault::encoding::encode(&state)?));
                    states.push(state);
                }
                Ok(_) => unreadable.push(id),
                Err(e) if is_damage(&e) => unreadable.push(id),
                Err(e) => return Err(e),
            }
            Ok(())
        })?;
        if meta.is_none() && (!states.is_empty() || !unreadable.is_empty()) {
            // Rows exist but the meta row is gone: the file was tampered with.
            return Err(CheckinError::WrongDeviceSecret.into());
        }
        Ok(Loaded {
            engine: Engine::from_states(states),
            meta,
            unreadable,
            meta_changed: false,
            before,
        })
    }

    /// Writes changed rows, deletes finished ones; returns whether anything was erased.
    fn save(&self, tx: &Transaction<'_>, loaded: &mut Loaded) -> Result<bool> {
        if loaded.meta_changed {
            if let Some(meta) = &mut loaded.meta {
                meta.pad_to_fixed_size()?;
                self.meta_table(tx).upsert(&meta_id(), meta)?;
            }
        }
        let states = self.state_table(tx);
        let finished = loaded.engine.take_finished();
        let mut erased = false;
        let ended: Vec<EndedCheckin> = finished
            .iter()
            .chain(loaded.engine.states())
            .filter_map(CheckinState::ended_entry)
            .collect();
        for entry in &ended {
            erased |= self.record_ended(tx, entry)?;
        }
        for state in &finished {
            let n = tx.execute(
                "DELETE FROM checkin_escalation WHERE id = ?1",
                params![state.id()],
            )?;
            erased |= n > 0;
        }
        for state in loaded.engine.states() {
            let encoded = Zeroizing::new(crate::vault::encoding::encode(state)?);
            if loaded.before.get(&state.id()) == Some(&encoded) {
                continue;
            }
            states.upsert(&state.id(), state)?;
        }
        Ok(erased)
    }

    /// Stores new code verifiers (checked against the existing meta row first, so a
    /// wrong device secret cannot silently replace the codes of armed check-ins).
    pub fn set_codes(&self, codes: CodeVerifiers) -> Result<()> {
        self.run(|l| {
            l.meta.get_or_insert_with(Meta::new).codes = Some(codes);
            l.meta_changed = true;
            Ok(())
        })
    }

    pub fn set_duress_standby(&self, standby: Option<DuressStandby>) -> Result<()> {
        self.run(|l| {
            l.meta.get_or_insert_with(Meta::new).duress_standby = standby;
            l.meta_changed = true;
            Ok(())
        })
    }

    pub fn duress_standby_set(&self) -> Result<bool> {
        self.run(|l| Ok(l.meta.as_ref().is_some_and(|m| m.duress_standby.is_some())))
    }

    /// A duress unlock happened: arm a check-in for the standby buddies and end it with
    /// duress at once, so the usual silent duress alerts go out through the runner.
    /// Returns false when no standby was prepared.
    ///
    /// Once per coercion: while the alert of an earlier duress unlock is still going out
    /// or repeating (no buddy has acknowledged it), another duress unlock (the phone
    /// unlocked again in front of the same person) adds nothing, so the buddies do not get
    /// the same alert twice. After an acknowledgement a new duress unlock alerts afresh.
    pub fn trigger_duress(&self, id: CheckinId, now: Timestamp) -> Result<bool> {
        self.run(|l| {
            let Some(standby) = l.meta.as_ref().and_then(|m| m.duress_standby.clone()) else {
                return Ok(false);
            };
            if l.engine
                .states()
                .any(|s| s.from_duress_unlock && s.acknowledged_by.is_none())
            {
                return Ok(true);
            }
            let mut state = CheckinState::arm(
                ArmSpec {
                    id,
                    deadline: now + chrono::Duration::minutes(DURESS_UNLOCK_DEADLINE_MINUTES),
                    timing: Timing::default(),
                    contacts: standby.contacts,
                    ladder: Vec::new(),
                    facts: AlertFacts::default(),
                    booking: None,
                    worker_language: standby.worker_language,
                    utc_offset_minutes: standby.utc_offset_minutes,
                },
                now,
            )?;
            state.from_duress_unlock = true;
            state.check_in(true, now);
            l.engine.insert(state);
            Ok(true)
        })
    }

    pub fn codes_set(&self) -> Result<bool> {
        self.run(|l| Ok(l.meta.as_ref().is_some_and(|m| m.codes.is_some())))
    }

    pub fn arm(&self, state: CheckinState) -> Result<CheckinStatus> {
        self.run(|l| {
            if l.meta.as_ref().and_then(|m| m.codes.as_ref()).is_none() {
                return Err(CheckinError::CodesNotSet.into());
            }
            let status = state.status();
            l.engine.insert(state);
            Ok(status)
        })
    }

    pub fn tick(&self, now: Timestamp) -> Result<Vec<Action>> {
        self.run(|l| Ok(l.engine.tick(now)))
    }

    pub fn next_wakeup(&self) -> Result<Option<Timestamp>> {
        self.run(|l| Ok(l.engine.next_wakeup()))
    }

    pub fn report(&self, action: &ActionId, outcome: Outcome, now: Timestamp) -> Result<()> {
        self.run(|l| l.engine.report(action, outcome, now))
    }

    /// Checks in with a code: the normal code ends every armed check-in, the duress code
    /// ends them with silent alerts, and both answer the same. Wrong codes count (see
    /// [`CodeAttempts`]); during a delay every code, right or wrong, normal or duress, is
    /// refused the same way without being checked, so the delay neither tells the codes
    /// apart nor lets guessing go on. The count is saved whatever the answer.
    pub fn check_in(&self, code: &str, now: Timestamp) -> Result<CheckInReceipt> {
        self.check_in_telling_duress(code, now).map(|(r, _)| r)
    }

    /// [`Store::check_in`], also saying whether it was the duress code: for the watch
    /// messages the application layer queues (a DURESS-SAFE to paired buddies), never
    /// for anything shown.
    pub fn check_in_telling_duress(
        &self,
        code: &str,
        now: Timestamp,
    ) -> Result<(CheckInReceipt, bool)> {
        self.run(|l| {
            let meta = l.meta.as_mut().ok_or(CheckinError::CodesNotSet)?;
            let codes = meta.codes.as_ref().ok_or(CheckinError::CodesNotSet)?;
            if let Some(wait_secs) = meta.code_attempts.wait_secs(now) {
                return Ok(Err(CheckinError::TooManyWrongCodes { wait_secs }.into()));
            }
            let duress = match codes.verify(self.key, code) {
                Ok(matched) => matched == CodeMatch::Duress,
                Err(Error::Checkin(CheckinError::WrongCode)) => {
                    let delay = meta.code_attempts.wrong_at(now);
                    l.meta_changed = true;
                    return Ok(Err(match delay {
                        Some(wait_secs) => CheckinError::TooManyWrongCodes { wait_secs },
                        None => CheckinError::WrongCode,
                    }
                    .into()));
                }
                Err(e) => return Err(e),
            };
            if meta.code_attempts != CodeAttempts::default() {
                meta.code_attempts = CodeAttempts::default();
                l.meta_changed = true;
            }
            let mut ended = Vec::new();
            l.engine.update_all(|s| {
                if s.check_in(duress, now) {
                    ended.push(s.id());
                }
            });
            if ended.is_empty() {
                return Ok(Err(CheckinError::NothingArmed.into()));
            }
            crate::sort::sort(&mut ended);
            Ok(Ok((
                CheckInReceipt {
                    checkins: ended,
                    at: now,
                },
                duress,
            )))
        })?
    }

    pub fn with_checkin<R>(
        &self,
        id: &CheckinId,
        f: impl FnOnce(&mut CheckinState) -> Result<R>,
    ) -> Result<R> {
        self.run(|l| {
            l.engine
                .update(id, f)
                .unwrap_or(Err(Error::NotFound("check-in")))
        })
    }

    pub fn acknowledge(&self, id: &CheckinId, buddy: &RecordId, now: Timestamp) -> Result<()> {
        self.with_checkin(id, |s| s.acknowledge(buddy, now))
    }

    pub fn update_location(&self, fix: LocationFix) -> Result<()> {
        fix.validate()?;
        self.run(|l| {
            l.engine.update_all(|s| s.update_location(fix));
            Ok(())
        })
    }

    /// Check-ins the worker can see: armed or escalating (ended ones, duress included,
    /// are not shown).
    pub fn list(&self) -> Result<Listing<CheckinStatus>> {
        self.run(|l| {
            let mut items: Vec<CheckinStatus> = l
                .engine
                .states()
                .filter(|s| s.ending().is_none())
                .map(CheckinState::status)
                .collect();
            crate::sort::sort_by(&mut items, |a, b| {
                a.deadline.cmp(&b.deadline).then(a.id.cmp(&b.id))
            });
            Ok(Listing {
                items,
                unreadable: l.unreadable.clone(),
            })
        })
    }

    /// The ended check-ins, latest first; rows that fail to open are reported.
    pub fn history(&self) -> Result<Listing<EndedCheckin>> {
        self.run(|_| {
            let mut listing = self.history_table(self.conn).list()?;
            crate::sort::sort_by(&mut listing.items, |a, b| {
                b.ended_at.cmp(&a.ended_at).then(a.id.cmp(&b.id))
            });
            Ok(listing)
        })
    }

    pub fn status(&self, id: &CheckinId) -> Result<CheckinStatus> {
        self.run(|l| {
            l.engine
                .get(id)
                .filter(|s| s.ending().is_none())
                .map(CheckinState::status)
                .ok_or(Error::NotFound("check-in"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The encodings kept to detect changes are the plaintext of every check-in: they must be
    /// wiped when an operation ends (this fails to compile if they become plain vectors).
    #[test]
    fn the_states_kept_for_change_detection_are_wiped_on_drop() {
        let kept: fn(&Loaded) -> &HashMap<CheckinId, Zeroizing<Vec<u8>>> = |l| &l.before;
        let _ = kept;
    }
}
