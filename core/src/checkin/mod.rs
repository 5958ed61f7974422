//! Buddy check-in timers: buddies, the escalation engine, the duress code.
//!
//! The worker arms a check-in (a deadline, the buddies to alert, optionally a booking).
//! If she has not checked in with her code by the deadline plus a grace period, her buddies
//! are alerted with what they need to act, repeatedly, until one acknowledges or she checks
//! in. The duress code looks exactly like a normal check-in to whoever is watching and
//! alerts every buddy silently instead.
//!
//! Two doors lead to the same state in the same file:
//! - unlocked: [`Session::checkins`] (buddies, codes, arming, and everything below);
//! - locked: [`BackgroundRunner`], opened with the device secret only, for the shell's
//!   alarm/worker: `tick`, `next_wakeup`, `report_outcome`, `check_in`, ...
//!
//! Buddies are sealed under the vault key. Arming copies what escalation needs (buddy
//! names, numbers, channels, languages, booking facts) into the escalation state, sealed
//! under the [`EscalationKey`]; that state is erased when the check-in ends. See
//! `docs/checkin.md` for the state machine and how the shells must drive it.

mod delivery;
pub mod engine;
mod key;
mod model;
mod runner;
mod schedule;
pub mod sms;
mod store;
pub(crate) mod tables;
pub mod templates;

use std::collections::BTreeSet;

use chrono::Duration;
use serde::{Deserialize, Serialize};

pub use engine::{
    Action, ActionId, ActionKind, AlertFacts, Channel, CheckinId, CheckinStatus, EndedCheckin,
    EndedHow, LocationFix, LockScreenCheckin, MessagePurpose, Outcome, Phase, Timing, WorkerNotice,
    MAX_LADDER_STEPS,
};
pub use key::{EscalationKey, MIN_CODE_LEN, MIN_DEVICE_SECRET_LEN};
pub use runner::BackgroundRunner;
pub use store::{
    CheckInReceipt, FIRST_CODE_DELAY_SECS, FREE_WRONG_CODES, HISTORY_KEEP, HISTORY_KEEP_DAYS,
    MAX_CODE_DELAY_SECS,
};

/// Called by the vault at a duress unlock: queues the silent duress alerts prepared with
/// [`Checkins::prepare_duress_alert`]. Works on the main file with the escalation key only.
pub(crate) fn trigger_duress_alert(
    conn: &rusqlite::Connection,
    key: &EscalationKey,
    now: Timestamp,
) -> Result<bool> {
    Store::new(conn, key).trigger_duress(RecordId::random()?, now)
}

/// Whether duress-unlock alerts are prepared (checked when the duress passphrase is set).
pub(crate) fn duress_alert_prepared(
    conn: &rusqlite::Connection,
    key: &EscalationKey,
) -> Result<bool> {
    Store::new(conn, key).duress_standby_set()
}

use engine::{ArmSpec, CheckinState, Contact, Step, MAX_TOTAL_SECS};
use key::CodeVerifiers;
use store::Store;

use crate::clock::Timestamp;
use crate::identifiers::normalize_phone;
use crate::vault::{Listing, RecordId, Session};
use crate::{Error, Result};

const BUDDIES: &str = "checkin_buddies";
const MAX_NAME_LEN: usize = 100;
/// Largest UTC offset in use anywhere (UTC+14:00).
const MAX_OFFSET_MINUTES: i32 = 14 * 60;

/// Errors specific to check-ins. Messages never contain personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckinError {
    #[error("the escalation state cannot be opened with this device secret (wrong device secret, or the data is damaged)")]
    WrongDeviceSecret,
    #[error("set a check-in code and a duress code before arming a check-in")]
    CodesNotSet,
    #[error("wrong check-in code")]
    WrongCode,
    /// Too many wrong codes in a row: every code is refused, unchecked, for `wait_secs`
    /// more seconds (the delay doubles with each further wrong code, up to 15 minutes).
    #[error("too many wrong check-in codes: try again in {wait_secs} seconds")]
    TooManyWrongCodes { wait_secs: u64 },
    #[error("no check-in is armed")]
    NothingArmed,
    #[error("the deadline must be in the future")]
    DeadlineNotInFuture,
    #[error("a check-in may last at most 12 hours from arming, extensions included")]
    TooLong,
    #[error("a check-in needs at least one buddy")]
    NoBuddies,
    #[error("a chosen buddy does not exist")]
    UnknownBuddy,
    #[error("buddies are already being alerted: only a check-in with your code ends it now")]
    AlreadyEscalating,
    #[error("no action with that id is known")]
    UnknownAction,
    #[error("that buddy has not been alerted by this check-in")]
    NotAlerted,
    /// A custom escalation ladder was refused; says which step and why.
    #[error("escalation ladder: {0}")]
    InvalidLadder(LadderProblem),
    /// A number of minutes beyond what any check-in can use (e.g. `i64::MAX`).
    #[error("the {field} is out of range (at most 12 hours)")]
    DurationOutOfRange { field: &'static str },
}

/// Why a custom escalation ladder was refused. Steps are numbered from 1, in the order
/// given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LadderProblem {
    #[error("at most {max} steps")]
    TooManySteps { max: u32 },
    #[error("step {step} names no buddy")]
    EmptyStep { step: u32 },
    #[error("step {step} names a buddy who is not chosen for this check-in")]
    BuddyNotChosen { step: u32 },
    #[error("step {step} names a buddy who is already on an earlier step")]
    BuddyRepeated { step: u32 },
    #[error("step {step} must start between 0 and 12 hours after the grace period")]
    StepOutOfRange { step: u32 },
    #[error("step {step} must start later than the step before it")]
    OutOfOrder { step: u32 },
    #[error("every chosen buddy must be on a step")]
    BuddyMissing,
}

impl From<LadderProblem> for Error {
    fn from(p: LadderProblem) -> Self {
        CheckinError::InvalidLadder(p).into()
    }
}

/// Refuses a time outside the core's range ([`crate::clock::check_time`]: 1970 to 9999)
/// with [`Error::TimeOutOfRange`]. Every check-in entry point calls it on the `now` (and
/// deadline) it is given, so no deadline, repeat or backoff can overflow.
pub(crate) fn check_time(t: Timestamp) -> Result<()> {
    crate::clock::check_time(t, "time").map(|_| ())
}

/// A number of minutes entered by the worker (timings, extensions, ladder steps) as a
/// duration: beyond 12 hours either way is [`CheckinError::DurationOutOfRange`] naming
/// `field`, so `i64::MAX` minutes is an error, not a panic. The sign is checked where the
/// value is used.
pub fn minutes(field: &'static str, m: i64) -> Result<Duration> {
    if m.checked_abs().is_none_or(|a| a > MAX_TOTAL_SECS / 60) {
        return Err(CheckinError::DurationOutOfRange { field }.into());
    }
    Ok(Duration::minutes(m))
}

/// A buddy as the worker enters one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuddyDraft {
    pub name: String,
    /// Any usual form; stored in E.164.
    pub phone: String,
    pub channel: Channel,
    /// Language of the messages this buddy gets (e.g. "en", "ro", "pt-BR"); see
    /// [`templates::language_list`].
    pub language: String,
    /// Write this buddy's SMS without diacritics ("plain letters"), so they fit in fewer
    /// segments. `None`: the language's usual practice (on for Polish and Romanian, see
    /// [`templates::plain_letters_default`]); the UI says so where the buddy is added.
    #[serde(default)]
    pub plain_letters: Option<bool>,
}

/// A stored buddy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "StoredBuddy")]
pub struct Buddy {
    pub id: RecordId,
    pub name: String,
    /// E.164.
    pub phone: String,
    pub channel: Channel,
    pub language: String,
    /// SMS to this buddy are written without diacritics.
    pub plain_letters: bool,
}

/// A buddy as stored, including records written before "plain letters" existed: those
/// get their language's default when read.
#[derive(Deserialize)]
struct StoredBuddy {
    id: RecordId,
    name: String,
    phone: String,
    channel: Channel,
    language: String,
    #[serde(default)]
    plain_letters: Option<bool>,
}

impl From<StoredBuddy> for Buddy {
    fn from(b: StoredBuddy) -> Self {
        Buddy {
            plain_letters: b
                .plain_letters
                .unwrap_or_else(|| templates::plain_letters_default(&b.language)),
            id: b.id,
            name: b.name,
            phone: b.phone,
            channel: b.channel,
            language: b.language,
        }
    }
}

fn normalize_language(tag: &str) -> Result<String> {
    let tag = tag.trim().replace('_', "-").to_ascii_lowercase();
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or_default();
    let ok = (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_lowercase())
        && parts
            .all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if !ok {
        return Err(Error::invalid(
            "language",
            "expected a language tag such as \"en\" or \"pt-BR\"",
        ));
    }
    Ok(tag)
}

/// Refuses a buddy language no message is written in (they would get English without a
/// word); an import keeps what was exported, so this is checked where buddies are entered.
fn check_message_language(tag: &str) -> Result<()> {
    if templates::has_language(tag) {
        Ok(())
    } else {
        Err(Error::invalid(
            "language",
            "no buddy messages are written in that language yet; choose one of the listed languages",
        ))
    }
}

impl BuddyDraft {
    pub(crate) fn normalize(self, id: RecordId, default_region: &str) -> Result<Buddy> {
        let name = self.name.trim().to_owned();
        if name.is_empty() {
            return Err(Error::invalid("buddy name", "must not be empty"));
        }
        if name.chars().count() > MAX_NAME_LEN {
            return Err(Error::invalid(
                "buddy name",
                "must be at most 100 characters",
            ));
        }
        let language = normalize_language(&self.language)?;
        Ok(Buddy {
            id,
            name,
            plain_letters: self
                .plain_letters
                .unwrap_or_else(|| templates::plain_letters_default(&language)),
            // Same normalization as screening, so a buddy's number and a client note's
            // number compare equal.
            phone: normalize_phone(&self.phone, default_region.parse()?)?,
            channel: self.channel,
            language,
        })
    }
}

/// Buddy rows for export and import, which hold the vault key but not the escalation key
/// (buddies are sealed under the vault key only).
pub(crate) mod stored_buddies {
    use super::{Buddy, BUDDIES};
    use crate::vault::{RecordId, SealedTable, Session};
    use crate::Result;

    /// The sealed rows of the buddies table.
    pub(crate) fn table(session: &Session) -> SealedTable<'_, Buddy> {
        SealedTable::new(session, BUDDIES, "buddy")
    }

    pub(crate) fn for_each(
        session: &Session,
        visit: impl FnMut(RecordId, Result<Buddy>) -> Result<()>,
    ) -> Result<()> {
        table(session).for_each(visit)
    }

    pub(crate) fn get(session: &Session, id: &RecordId) -> Result<Buddy> {
        table(session).get(id)
    }

    /// Inserts a buddy as given (id included); the caller has normalized it.
    pub(crate) fn insert(session: &Session, buddy: &Buddy) -> Result<()> {
        table(session).insert(&buddy.id, buddy)
    }
}

/// One rung of the escalation ladder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LadderStep {
    /// After deadline + grace.
    pub after: Duration,
    pub buddies: Vec<RecordId>,
    /// Channel to try first; `None`: each buddy's preferred channel.
    pub channel: Option<Channel>,
}

/// A booking a check-in covers: its id (kept in the check-in's state) and the facts the
/// buddy messages carry, copied at arming.
#[derive(Debug, Clone, PartialEq)]
pub struct CoveredBooking {
    pub id: RecordId,
    pub facts: AlertFacts,
}

/// What the worker asks for when arming.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckinPlan {
    pub deadline: Timestamp,
    /// The chosen buddies.
    pub buddies: Vec<RecordId>,
    /// Empty: every chosen buddy, on their preferred channel, at deadline + grace.
    pub ladder: Vec<LadderStep>,
    /// The booking this check-in covers, with what the buddy messages say about it. Filled
    /// by the caller that can read bookings ([`crate::app::App::covered_booking`]): check-in
    /// does not read other capabilities.
    pub booking: Option<CoveredBooking>,
    pub timing: Timing,
    /// Language of the worker's own notifications.
    pub worker_language: String,
    /// The worker's UTC offset now, for times written in messages.
    pub utc_offset_minutes: i32,
    /// Discreet wording: when set, every notification to the worker herself (which may
    /// show on her lock screen, in front of a client) is this neutral text instead of
    /// "your buddies are being alerted". Buddy messages are unchanged. Offered default:
    /// [`templates::discreet_notice_default`]. Part of the plan until the app has a
    /// settings store to keep it in.
    pub discreet_notice: Option<String>,
}

impl CheckinPlan {
    /// A plan with the default timing and ladder, English notifications, times in UTC.
    pub fn new(deadline: Timestamp, buddies: Vec<RecordId>) -> Self {
        Self {
            deadline,
            buddies,
            ladder: Vec::new(),
            booking: None,
            timing: Timing::default(),
            worker_language: "en".to_owned(),
            utc_offset_minutes: 0,
            discreet_notice: None,
        }
    }
}

/// Longest discreet notice text (it is one line on a lock screen).
const MAX_DISCREET_NOTICE_LEN: usize = 100;

/// Trims the worker's neutral notice text; empty means "not discreet".
fn normalize_discreet_notice(text: Option<&str>) -> Result<Option<String>> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > MAX_DISCREET_NOTICE_LEN {
        return Err(Error::invalid(
            "discreet notice",
            "must be at most 100 characters",
        ));
    }
    if text.chars().any(char::is_control) {
        return Err(Error::invalid(
            "discreet notice",
            "must be one line of text",
        ));
    }
    Ok(Some(text.to_owned()))
}

/// Check-ins of an unlocked vault.
pub struct Checkins<'s> {
    session: &'s Session,
    key: &'s EscalationKey,
}

impl Session {
    /// Check-ins and buddies; `key` comes from the device secret.
    pub fn checkins<'s>(&'s self, key: &'s EscalationKey) -> Checkins<'s> {
        Checkins { session: self, key }
    }
}

impl Checkins<'_> {
    /// The escalation state's copy of each buddy (an unknown id is an arming error).
    fn contacts(&self, buddies: &[RecordId]) -> Result<Vec<Contact>> {
        buddies
            .iter()
            .map(|id| {
                let buddy = self.buddy(id).map_err(|e| match e {
                    Error::NotFound(_) => CheckinError::UnknownBuddy.into(),
                    other => other,
                })?;
                Ok(Contact {
                    buddy: buddy.id,
                    name: buddy.name,
                    phone: buddy.phone,
                    channel: buddy.channel,
                    language: buddy.language,
                    plain_letters: buddy.plain_letters,
                })
            })
            .collect()
    }

    /// Runs `f` on the escalation state, which lives in the main file for the whole phone
    /// (the locked runner drives it there). A decoy session (duress passphrase) works on it
    /// too: a duress unlock's silent alert and check-ins armed in the real vault keep
    /// their alarms, and check-ins and codes behave exactly as in the real vault, the same
    /// state the lock screen shows. Only the buddies belong to the vault that is open.
    fn with_store<R>(&self, f: impl FnOnce(&Store<'_>) -> Result<R>) -> Result<R> {
        match self.session.main_file_if_decoy()? {
            Some(main) => f(&Store::new(&main, self.key)),
            None => f(&Store::new(self.session.conn(), self.key)),
        }
    }

    /// The connection and key of the escalation state (the main file's), for the
    /// device-bound state of another capability composed by the application layer.
    pub(crate) fn with_escalation_conn<R>(
        &self,
        f: impl FnOnce(&rusqlite::Connection, &EscalationKey) -> Result<R>,
    ) -> Result<R> {
        match self.session.main_file_if_decoy()? {
            Some(main) => f(&main, self.key),
            None => f(self.session.conn(), self.key),
        }
    }

    /// For a decoy session, runs `f` on the decoy file's own connection (its own watch
    /// state: the application layer keeps the decoy's pairings and watches apart from the
    /// phone's); `None` for the real session.
    pub(crate) fn with_decoy_conn<R>(
        &self,
        f: impl FnOnce(&rusqlite::Connection, &EscalationKey) -> Result<R>,
    ) -> Result<Option<R>> {
        if !self.session.is_decoy() {
            return Ok(None);
        }
        f(self.session.conn(), self.key).map(Some)
    }

    /// [`Checkins::check_in`], also saying whether it was the duress code (for the
    /// application layer only; see `Store::check_in_telling_duress`).
    pub(crate) fn check_in_telling_duress(
        &self,
        code: &str,
        now: Timestamp,
    ) -> Result<(CheckInReceipt, bool)> {
        check_time(now)?;
        self.with_store(|s| s.check_in_telling_duress(code, now))
    }

    // ---- buddies -------------------------------------------------------------------

    /// Adds a buddy; national numbers are read in `default_region` (e.g. "GB").
    pub fn add_buddy(&self, draft: BuddyDraft, default_region: &str) -> Result<Buddy> {
        let buddy = draft.normalize(self.session.new_id()?, default_region)?;
        check_message_language(&buddy.language)?;
        stored_buddies::insert(self.session, &buddy)?;
        Ok(buddy)
    }

    pub fn update_buddy(
        &self,
        id: &RecordId,
        draft: BuddyDraft,
        default_region: &str,
    ) -> Result<Buddy> {
        let old = self.buddy(id)?;
        let buddy = draft.normalize(*id, default_region)?;
        // A buddy stored before languages were checked keeps theirs while other details
        // change; a new language must be one the messages exist in.
        if buddy.language != old.language {
            check_message_language(&buddy.language)?;
        }
        stored_buddies::table(self.session).update(id, &buddy)?;
        Ok(buddy)
    }

    /// Removes a buddy. A check-in already armed keeps its own copy and still alerts them.
    pub fn remove_buddy(&self, id: &RecordId) -> Result<()> {
        stored_buddies::table(self.session).delete(id)
    }

    pub fn buddy(&self, id: &RecordId) -> Result<Buddy> {
        stored_buddies::get(self.session, id)
    }

    /// Every buddy, by name; tampered rows are reported, not dropped.
    pub fn buddies(&self) -> Result<Listing<Buddy>> {
        let mut listing = stored_buddies::table(self.session).list()?;
        crate::sort::sort_by(&mut listing.items, |a, b| {
            a.name.cmp(&b.name).then(a.id.cmp(&b.id))
        });
        Ok(listing)
    }

    // ---- codes ---------------------------------------------------------------------

    /// Sets the check-in code and the duress code (at least 4 characters each, different).
    /// Takes effect for check-ins already armed too.
    pub fn set_codes(&self, normal: &str, duress: &str) -> Result<()> {
        let codes = CodeVerifiers::new(self.key, self.session.rng(), normal, duress)?;
        self.with_store(|s| s.set_codes(codes))
    }

    pub fn codes_set(&self) -> Result<bool> {
        self.with_store(|s| s.codes_set())
    }

    // ---- duress unlock -------------------------------------------------------------

    /// Chooses the buddies that a duress *unlock* alerts silently (when the duress
    /// passphrase was set with `alert_buddies`). Their contacts are copied under the
    /// escalation key, because the real vault stays locked during a duress unlock.
    pub fn prepare_duress_alert(
        &self,
        buddies: &[RecordId],
        worker_language: &str,
        utc_offset_minutes: i32,
    ) -> Result<()> {
        if buddies.is_empty() {
            return Err(CheckinError::NoBuddies.into());
        }
        if utc_offset_minutes.abs() > MAX_OFFSET_MINUTES {
            return Err(Error::invalid("UTC offset", "must be within 14 hours"));
        }
        let unique: Vec<RecordId> = buddies
            .iter()
            .copied()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let contacts = self.contacts(&unique)?;
        let standby = store::DuressStandby {
            contacts,
            worker_language: normalize_language(worker_language)?,
            utc_offset_minutes,
        };
        if self.session.is_decoy() {
            // Inside the decoy there is no deeper duress passphrase (see
            // `Session::set_duress`): answer as a real vault would, and keep the real
            // standby buddies.
            return Ok(());
        }
        self.with_store(|s| s.set_duress_standby(Some(standby)))
    }

    pub fn clear_duress_alert(&self) -> Result<()> {
        if self.session.is_decoy() {
            return Ok(());
        }
        self.with_store(|s| s.set_duress_standby(None))
    }

    pub fn duress_alert_prepared(&self) -> Result<bool> {
        self.with_store(|s| s.duress_standby_set())
    }

    // ---- arming --------------------------------------------------------------------

    /// Arms a check-in. Every problem (deadline not in the future, too long, no buddy,
    /// unknown buddy or booking, codes not set) is reported now, not at the deadline.
    pub fn arm(&self, plan: CheckinPlan, now: Timestamp) -> Result<CheckinStatus> {
        check_time(now)?;
        check_time(plan.deadline)?;
        if plan.ladder.len() > MAX_LADDER_STEPS {
            return Err(LadderProblem::TooManySteps {
                max: MAX_LADDER_STEPS as u32,
            }
            .into());
        }
        if plan.buddies.is_empty() {
            return Err(CheckinError::NoBuddies.into());
        }
        if plan.utc_offset_minutes.abs() > MAX_OFFSET_MINUTES {
            return Err(Error::invalid("UTC offset", "must be within 14 hours"));
        }
        let worker_language = normalize_language(&plan.worker_language)?;
        let discreet_notice = normalize_discreet_notice(plan.discreet_notice.as_deref())?;
        let mut chosen: Vec<RecordId> = Vec::new();
        let mut seen = BTreeSet::new();
        for id in &plan.buddies {
            if seen.insert(*id) {
                chosen.push(*id);
            }
        }
        let contacts = self.contacts(&chosen)?;
        let mut ladder = Vec::with_capacity(plan.ladder.len());
        for (k, step) in plan.ladder.iter().enumerate() {
            let step_no = u32::try_from(k + 1).unwrap_or(u32::MAX);
            let mut idx = Vec::new();
            for b in &step.buddies {
                let i = chosen
                    .iter()
                    .position(|c| c == b)
                    .ok_or(LadderProblem::BuddyNotChosen { step: step_no })?;
                // Named twice on one step or on two steps: the engine says which.
                idx.push(i);
            }
            ladder.push(Step {
                after_secs: step.after.num_seconds(),
                contacts: idx,
                channel: step.channel,
            });
        }
        let (booking, facts) = match plan.booking {
            Some(covered) => (Some(covered.id), covered.facts),
            None => (None, AlertFacts::default()),
        };
        let mut state = CheckinState::arm(
            ArmSpec {
                id: self.session.new_id()?,
                deadline: plan.deadline,
                timing: plan.timing,
                contacts,
                ladder,
                facts,
                booking,
                worker_language,
                utc_offset_minutes: plan.utc_offset_minutes,
            },
            now,
        )?;
        state.set_discreet_notice(discreet_notice);
        self.with_store(|s| s.arm(state))
    }

    // ---- while armed ---------------------------------------------------------------

    /// Checks in every armed check-in with the normal or the duress code; both return
    /// the same receipt.
    pub fn check_in(&self, code: &str, now: Timestamp) -> Result<CheckInReceipt> {
        check_time(now)?;
        self.with_store(|s| s.check_in(code, now))
    }

    /// Moves the deadline later (refused once buddies are being alerted, and beyond the
    /// 12-hour cap).
    pub fn extend(&self, id: &CheckinId, by: Duration, now: Timestamp) -> Result<CheckinStatus> {
        self.with_store(|store| {
            store.with_checkin(id, |s| {
                s.extend(by, now)?;
                Ok(s.status())
            })
        })
    }

    /// Ends a check-in before escalation without alerting anyone.
    pub fn cancel(&self, id: &CheckinId, now: Timestamp) -> Result<()> {
        check_time(now)?;
        self.with_store(|store| store.with_checkin(id, |s| s.cancel(now)))
    }

    /// A buddy replied or called back: alerts stop repeating.
    pub fn acknowledge(&self, id: &CheckinId, buddy: &RecordId, now: Timestamp) -> Result<()> {
        check_time(now)?;
        self.with_store(|s| s.acknowledge(id, buddy, now))
    }

    /// The phone's latest location, kept for the buddy messages (with its age).
    pub fn update_location(&self, fix: LocationFix) -> Result<()> {
        self.with_store(|s| s.update_location(fix))
    }

    /// Every action due at `now`: the same ones the locked runner would return.
    pub fn tick(&self, now: Timestamp) -> Result<Vec<Action>> {
        check_time(now)?;
        self.with_store(|s| s.tick(now))
    }

    /// When the shell must wake next; `None` when nothing is armed or pending.
    pub fn next_wakeup(&self) -> Result<Option<Timestamp>> {
        self.with_store(|s| s.next_wakeup())
    }

    pub fn report_outcome(
        &self,
        action: &ActionId,
        outcome: Outcome,
        now: Timestamp,
    ) -> Result<()> {
        check_time(now)?;
        self.with_store(|s| s.report(action, outcome, now))
    }

    /// A check-in that is armed or escalating; ended ones are not found.
    pub fn status(&self, id: &CheckinId) -> Result<CheckinStatus> {
        self.with_store(|s| s.status(id))
    }

    /// Every armed or escalating check-in, by deadline.
    pub fn list(&self) -> Result<Listing<CheckinStatus>> {
        self.with_store(|s| s.list())
    }

    /// Ended check-ins, latest first: the last [`HISTORY_KEEP`] of the last
    /// [`HISTORY_KEEP_DAYS`] days. A decoy vault (duress passphrase) has none: the history
    /// lives beside the real vault's escalation state, and showing it there would show the
    /// real check-ins.
    pub fn history(&self) -> Result<Listing<EndedCheckin>> {
        if self.session.is_decoy() {
            return Ok(Listing {
                items: Vec::new(),
                unreadable: Vec::new(),
            });
        }
        self.with_store(|s| s.history())
    }
}
