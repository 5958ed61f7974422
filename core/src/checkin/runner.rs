//! The background runner: escalation while the vault is locked.
//!
//! The shell's alarm or background worker opens the vault file with the device secret
//! only (no passphrase, no vault key). The runner can read and advance the escalation
//! state and nothing else: buddies, bookings and notes stay sealed under the vault key.

use rusqlite::Connection;

use super::engine::{Action, ActionId, CheckinId, CheckinStatus, LocationFix, Outcome};
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
        self.store().tick(now)
    }

    /// When to wake next; `None` when nothing is armed or pending.
    pub fn next_wakeup(&self) -> Result<Option<Timestamp>> {
        self.store().next_wakeup()
    }

    pub fn report_outcome(
        &self,
        action: &ActionId,
        outcome: Outcome,
        now: Timestamp,
    ) -> Result<()> {
        self.store().report(action, outcome, now)
    }

    /// Check in from the lock screen (normal or duress code; the same receipt either way).
    pub fn check_in(&self, code: &str, now: Timestamp) -> Result<CheckInReceipt> {
        self.store().check_in(code, now)
    }

    pub fn acknowledge(&self, checkin: &CheckinId, buddy: &RecordId, now: Timestamp) -> Result<()> {
        self.store().acknowledge(checkin, buddy, now)
    }

    pub fn update_location(&self, fix: LocationFix) -> Result<()> {
        self.store().update_location(fix)
    }

    /// What the lock screen / foreground notification may show.
    pub fn list(&self) -> Result<Listing<CheckinStatus>> {
        self.store().list()
    }
}
