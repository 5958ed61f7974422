//! An unlocked [`App`] that can be locked from anywhere and locks itself when left idle,
//! for shells that share one object between threads (the bindings).
//!
//! The idle time is the worker's stored setting (`idle_lock_minutes`), read at unlock and
//! again whenever the settings are stored through [`LockableApp::set_settings`].

use std::sync::{Arc, Mutex, MutexGuard};

use chrono::Duration;

use super::{App, Settings};
use crate::clock::{Clock, Timestamp};
use crate::{Error, Result};

struct State {
    app: Option<App>,
    last_used: Timestamp,
    idle_timeout: Duration,
}

pub struct LockableApp {
    state: Mutex<State>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for LockableApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LockableApp").finish_non_exhaustive()
    }
}

fn idle_timeout(settings: &Settings) -> Duration {
    Duration::minutes(i64::from(settings.idle_lock_minutes))
}

impl LockableApp {
    /// Wraps an unlocked app; its idle timeout is the stored setting.
    pub fn new(app: App, clock: Arc<dyn Clock>) -> Result<Self> {
        let idle_timeout = idle_timeout(&app.settings()?);
        Ok(Self {
            state: Mutex::new(State {
                app: Some(app),
                last_used: clock.now(),
                idle_timeout,
            }),
            clock,
        })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // Every write is a SQLite transaction: a panic cannot leave the app half-changed.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` on the app, or fails with [`Error::Locked`]. Locks first if it has been
    /// idle for longer than the stored idle time.
    pub fn with<R>(&self, f: impl FnOnce(&App) -> Result<R>) -> Result<R> {
        self.with_mut(|app| f(app))
    }

    pub fn with_mut<R>(&self, f: impl FnOnce(&mut App) -> Result<R>) -> Result<R> {
        let now = self.clock.now();
        let mut state = self.state();
        // A clock that moved backwards counts as no idle time.
        if now - state.last_used > state.idle_timeout {
            state.app = None;
        }
        let app = state.app.as_mut().ok_or(Error::Locked)?;
        let result = f(app);
        state.last_used = state.last_used.max(now);
        result
    }

    /// Stores new settings; a new idle time applies from now on.
    pub fn set_settings(&self, settings: &Settings) -> Result<()> {
        self.with(|app| app.set_settings(settings))?;
        self.state().idle_timeout = idle_timeout(settings);
        Ok(())
    }

    /// Locks now: the app and its keys are dropped and zeroized.
    pub fn lock(&self) {
        self.state().app = None;
    }

    pub fn is_locked(&self) -> bool {
        let now = self.clock.now();
        let state = self.state();
        state.app.is_none() || now - state.last_used > state.idle_timeout
    }

    /// Takes the app out (for what consumes it: a wipe, a restore into a new vault).
    pub fn take(&self) -> Result<App> {
        self.state().app.take().ok_or(Error::Locked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::VaultHome;
    use crate::clock::ManualClock;
    use crate::vault::MIN_KDF_ITERATIONS;
    use chrono::TimeZone;

    #[test]
    fn locks_after_the_stored_idle_time_and_follows_a_new_one() {
        let dir = tempfile::tempdir().unwrap();
        let home = VaultHome::new(dir.path().join("v.db"));
        let app = home.create("p", None, MIN_KDF_ITERATIONS).unwrap();
        let t0 = chrono::Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap();
        let clock = Arc::new(ManualClock::new(t0));
        let lockable = LockableApp::new(app, clock.clone()).unwrap();
        let mut settings = lockable.with(|a| a.settings()).unwrap();
        settings.idle_lock_minutes = 10;
        lockable.set_settings(&settings).unwrap();
        clock.set(t0 + Duration::minutes(9));
        assert!(lockable.with(|a| a.settings()).is_ok());
        clock.set(t0 + Duration::minutes(20));
        assert!(lockable.is_locked());
        assert!(matches!(
            lockable.with(|a| a.settings()),
            Err(Error::Locked)
        ));
    }
}
