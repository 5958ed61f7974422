//! A session that can be locked from anywhere and locks itself when left idle.
//!
//! The shells hold one of these instead of a bare [`Session`]: `lock()` and the idle timeout
//! drop the session (zeroizing every key), and every later call answers
//! [`Error::Locked`] until the vault is unlocked again. Safe to share between threads.

use std::sync::{Arc, Mutex, MutexGuard};

use chrono::Duration;

use super::Session;
use crate::clock::{Clock, Timestamp};
use crate::{Error, Result};

struct State {
    session: Option<Session>,
    last_used: Timestamp,
}

pub struct LockableSession {
    state: Mutex<State>,
    idle_timeout: Option<Duration>,
    clock: Arc<dyn Clock>,
}

impl LockableSession {
    /// Wraps an unlocked session. `idle_timeout: None` never locks by itself.
    pub fn new(session: Session, idle_timeout: Option<Duration>, clock: Arc<dyn Clock>) -> Self {
        let now = clock.now();
        Self {
            state: Mutex::new(State {
                session: Some(session),
                last_used: now,
            }),
            idle_timeout,
            clock,
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave a session half-changed (every write is
        // a SQLite transaction), so a poisoned lock is still usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` on the session, or fails with [`Error::Locked`]. Locks first if the session
    /// has been idle for longer than the timeout.
    pub fn with<R>(&self, f: impl FnOnce(&Session) -> Result<R>) -> Result<R> {
        self.with_mut(|s| f(s))
    }

    pub fn with_mut<R>(&self, f: impl FnOnce(&mut Session) -> Result<R>) -> Result<R> {
        let now = self.clock.now();
        let mut state = self.state();
        if let Some(timeout) = self.idle_timeout {
            // A clock that moved backwards counts as no idle time, not as negative time.
            if now - state.last_used > timeout {
                state.session = None;
            }
        }
        let session = state.session.as_mut().ok_or(Error::Locked)?;
        let result = f(session);
        state.last_used = state.last_used.max(now);
        result
    }

    /// Locks now: the session and its keys are dropped and zeroized.
    pub fn lock(&self) {
        self.state().session = None;
    }

    pub fn is_locked(&self) -> bool {
        let now = self.clock.now();
        let state = self.state();
        state.session.is_none()
            || self
                .idle_timeout
                .is_some_and(|timeout| now - state.last_used > timeout)
    }

    /// Takes the session out (for operations that consume it, such as a wipe).
    pub fn take(&self) -> Result<Session> {
        self.state().session.take().ok_or(Error::Locked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use crate::vault::{Vault, VaultOptions, MIN_KDF_ITERATIONS};
    use chrono::TimeZone;

    fn session(dir: &std::path::Path) -> Session {
        Vault::create(
            dir.join("v.db"),
            "p",
            &VaultOptions {
                kdf_iterations: MIN_KDF_ITERATIONS,
                device_secret: None,
            },
        )
        .unwrap()
    }

    #[test]
    fn idle_timeout_locks_and_activity_keeps_it_open() {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(
            chrono::Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        ));
        let lockable = LockableSession::new(
            session(dir.path()),
            Some(Duration::minutes(5)),
            clock.clone(),
        );
        clock.advance(Duration::minutes(4));
        lockable.with(|_| Ok(())).unwrap();
        clock.advance(Duration::minutes(4));
        lockable.with(|_| Ok(())).unwrap();
        // Backwards is not idle time.
        clock.advance(Duration::hours(-3));
        lockable.with(|_| Ok(())).unwrap();
        clock.advance(Duration::hours(3) + Duration::minutes(6));
        assert!(lockable.is_locked());
        assert!(matches!(lockable.with(|_| Ok(())), Err(Error::Locked)));
        // And it stays locked when the clock is wound back.
        clock.advance(Duration::minutes(-10));
        assert!(matches!(lockable.with(|_| Ok(())), Err(Error::Locked)));
    }

    #[test]
    fn explicit_lock_answers_locked_everywhere() {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
        let lockable = LockableSession::new(session(dir.path()), None, clock);
        assert!(!lockable.is_locked());
        lockable.lock();
        assert!(lockable.is_locked());
        assert!(matches!(lockable.with(|_| Ok(())), Err(Error::Locked)));
        assert!(matches!(lockable.take(), Err(Error::Locked)));
    }
}
