//! The duress layer: what a duress unlock does besides opening the decoy, and setting or
//! clearing the duress passphrase with everything that goes with it.
//!
//! It sits above the capabilities: the vault only reports which slot opened
//! (`Session::duress_options`), and this layer queues the silent alert through check-ins.
//! The decoy itself must look ordinary to whoever holds the phone: everything here is
//! silent, and a failure never shows.

use super::{App, BuddyRef};
use crate::checkin::EscalationKey;
use crate::clock::Timestamp;
use crate::vault::{DuressOptions, Session};
use crate::Result;

/// Runs right after every unlock. For a duress unlock whose slot says so, queues the
/// silent alert to the chosen buddies (due at `now`). Never fails: whatever happens, the
/// caller sees an ordinary unlock. Without the device secret no alert can be queued
/// ([`App::set_duress`] requires it, so a shell that set it up passes it).
pub(crate) fn after_unlock(session: &Session, device_secret: Option<&[u8]>, now: Timestamp) {
    let Some(options) = session.duress_options() else {
        return;
    };
    if !options.alert_buddies {
        return;
    }
    let Some(key) = device_secret.and_then(|s| EscalationKey::from_device_secret(s).ok()) else {
        return;
    };
    // The escalation state lives in the main file, also for the decoy session.
    if let Ok(Some(main)) = session.main_file_if_decoy() {
        let _ = crate::checkin::trigger_duress_alert(&main, &key, now);
    }
}

impl App {
    /// Sets the duress passphrase. With `options.alert_buddies`, the chosen buddies (all of
    /// them when `buddies` is empty) get the silent alert, written in the worker's first
    /// language with the stored UTC offset (see [`App::utc_offset_minutes`]).
    pub fn set_duress(
        &mut self,
        current: &str,
        duress: &str,
        options: DuressOptions,
        buddies: &[BuddyRef],
        now: Timestamp,
    ) -> Result<()> {
        if options.alert_buddies {
            let ids = self.resolve_buddies(buddies)?;
            let settings = self.settings()?;
            let offset = self.utc_offset_minutes()?;
            self.checkins()?
                .prepare_duress_alert(&ids, settings.language(), offset)?;
        }
        let secret = self.device_secret.clone();
        self.session.set_duress(
            current,
            duress,
            options,
            secret.as_deref().map(|s| &s[..]),
            now,
        )
    }

    /// Removes the duress passphrase, and the duress-unlock alert with it (a buddy must not
    /// be alerted by a passphrase that no longer exists).
    pub fn clear_duress(&mut self) -> Result<()> {
        self.session.clear_duress()?;
        if self.escalation.is_some() {
            self.checkins()?.clear_duress_alert()?;
        }
        Ok(())
    }
}
