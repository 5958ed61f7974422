//! The background runner: escalation while the vault is locked.
//!
//! The shell's alarm or background worker opens the vault file with the device secret
//! only (no passphrase, no vault key). The runner can read and advance the escalation
//! state and nothing else: buddies, bookings and notes stay sealed under the vault key.

use rusqlite::Connection;

use super::check_time;
use super::engine::{Action, ActionId, CheckinId, LocationFix, LockScreenCheckin, Outcome};
use super::key::EscalationKey;
use super::store::{CheckInReceipt, Store};
use crate::clock::Timestamp;
use crate::vault::{Listing, RecordId, Vault};
use crate::Result;

/// Drives escalation without the passphrase. Holds its own connection to the vault file;
/// it can run beside an unlocked session (each waits for the other's transaction).
pub struct BackgroundRunner {
    conn: Connection,
    key: EscalationKey,
}

impl std::fmt::Debug for BackgroundRunner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackgroundRunner").finish_non_exhaustive()
    }
}

impl BackgroundRunner {
    /// Opens the runner. A wrong device secret fails here, with
    /// [`CheckinError::WrongDeviceSecret`](super::CheckinError::WrongDeviceSecret), as soon
    /// as anything has been stored under the right one.
    pub fn open(vault: &Vault, key: EscalationKey) -> Result<Self> {
        let runner = Self {
            conn: vault.connect_locked()?,
            key,
        };
        runner.store().next_wakeup()?;
        Ok(runner)
    }

    fn store(&self) -> Store<'_> {
        Store::new(&self.conn, &self.key)
    }

    /// Every action due at `now`.
    pub fn tick(&self, now: Timestamp) -> Result<Vec<Action>> {
        check_time(now)?;
        self.store().tick(now)
    }

    /// When to wake next; `None` when nothing is armed or pending.
    pub fn next_wakeup(&self) -> Result<Option<Timestamp>> {
        self.store().next_wakeup()
    }

    /// Records what the shell did with an action (see [`ActionId`] for retries, which
    /// keep their id).
    pub fn report_outcome(
        &self,
        action: &ActionId,
        outcome: Outcome,
        now: Timestamp,
    ) -> Result<()> {
        check_time(now)?;
        self.store().report(action, outcome, now)
    }

    /// Check in from the lock screen (normal or duress code; the same receipt either way).
    pub fn check_in(&self, code: &str, now: Timestamp) -> Result<CheckInReceipt> {
        check_time(now)?;
        self.store().check_in(code, now)
    }

    /// The runner's connection and key, for the device-bound state of another capability
    /// composed by the application layer.
    pub(crate) fn with_escalation_conn<R>(
        &self,
        f: impl FnOnce(&Connection, &EscalationKey) -> Result<R>,
    ) -> Result<R> {
        f(&self.conn, &self.key)
    }

    /// [`BackgroundRunner::check_in`], also saying whether it was the duress code (for the
    /// application layer only).
    pub(crate) fn check_in_telling_duress(
        &self,
        code: &str,
        now: Timestamp,
    ) -> Result<(CheckInReceipt, bool)> {
        check_time(now)?;
        self.store().check_in_telling_duress(code, now)
    }

    /// A buddy replied or called back while the phone is locked: the repeat alerts stop
    /// (messages already on their way to other buddies still go out). The buddy must
    /// have been alerted by this check-in.
    pub fn acknowledge(&self, checkin: &CheckinId, buddy: &RecordId, now: Timestamp) -> Result<()> {
        check_time(now)?;
        self.store().acknowledge(checkin, buddy, now)
    }

    /// The phone's latest location, kept for the buddy messages (an older fix than the
    /// one kept is ignored).
    pub fn update_location(&self, fix: LocationFix) -> Result<()> {
        self.store().update_location(fix)
    }

    /// What the lock screen / foreground notification may show: armed and escalating
    /// check-ins by deadline, as [`LockScreenCheckin`]s (no names, numbers, booking or
    /// location), plus the ids of rows that could not be read.
    pub fn list(&self) -> Result<Listing<LockScreenCheckin>> {
        let listing = self.store().list()?;
        Ok(Listing {
            items: listing.items.into_iter().map(Into::into).collect(),
            unreadable: listing.unreadable,
        })
    }
}
