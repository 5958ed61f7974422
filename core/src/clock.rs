//! Time, injected.
//!
//! Nothing in the core reads the system clock directly: the shells pass `now`, and tests
//! drive a [`ManualClock`]. That is what makes timers replayable after a restart and
//! testable across clock jumps.

use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Duration, Utc};

use crate::{Error, Result};

/// A point in time, always UTC inside the core.
pub type Timestamp = DateTime<Utc>;

/// A source of the current time.
pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

/// The operating system's wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Utc::now()
    }
}

/// A clock that only moves when told to (tests, simulations, the guided tour).
#[derive(Debug)]
pub struct ManualClock(Mutex<Timestamp>);

impl ManualClock {
    pub fn new(start: Timestamp) -> Self {
        Self(Mutex::new(start))
    }

    pub fn set(&self, to: Timestamp) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = to;
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The earliest time the core accepts: the Unix epoch. A phone whose clock reset to
/// before it is wrong, and every shell's time type can hold it.
pub const MIN_TIME: Timestamp = match DateTime::from_timestamp(0, 0) {
    Some(t) => t,
    None => panic!("the epoch is representable"),
};

/// The latest time the core accepts: the end of year 9999, the last moment Python's
/// `datetime` (and RFC 3339's four-digit year) can hold, so a time the core hands out
/// always reaches the shell.
pub const MAX_TIME: Timestamp = match DateTime::from_timestamp(253_402_300_799, 999_999_999) {
    Some(t) => t,
    None => panic!("the end of year 9999 is representable"),
};

/// The longest duration the core accepts, either sign: ten thousand years. Any accepted
/// time plus or minus any accepted duration stays inside chrono's range, so arithmetic on
/// them cannot panic; a result after [`MAX_TIME`] is refused where it leaves the core.
pub const MAX_DURATION: Duration = match Duration::try_days(10_000 * 366) {
    Some(d) => d,
    None => panic!("ten thousand years are representable"),
};

/// Checks a time a caller passed in: [`Error::TimeOutOfRange`] outside
/// [`MIN_TIME`]..=[`MAX_TIME`], naming only `what` (never the value).
pub fn check_time(t: Timestamp, what: &'static str) -> Result<Timestamp> {
    if (MIN_TIME..=MAX_TIME).contains(&t) {
        Ok(t)
    } else {
        Err(Error::TimeOutOfRange(what))
    }
}

/// Checks a duration a caller passed in: at most [`MAX_DURATION`] either way.
pub fn check_duration(d: Duration, what: &'static str) -> Result<Duration> {
    if d.abs() <= MAX_DURATION {
        Ok(d)
    } else {
        Err(Error::TimeOutOfRange(what))
    }
}

/// A shell's time (Kotlin `Instant`, Swift `Date`, Python `datetime`) as a core time.
/// Out of range (before 1970, after 9999) is an error, never a panic.
pub fn from_system_time(t: SystemTime) -> Result<Timestamp> {
    let since_epoch = t
        .duration_since(UNIX_EPOCH)
        .map_err(|_| Error::TimeOutOfRange("time"))?;
    let secs = i64::try_from(since_epoch.as_secs()).map_err(|_| Error::TimeOutOfRange("time"))?;
    let t = DateTime::from_timestamp(secs, since_epoch.subsec_nanos())
        .ok_or(Error::TimeOutOfRange("time"))?;
    check_time(t, "time")
}

/// A core time as a shell's time. Out of range is an error: a shell's type may not hold
/// it (Python's `datetime` ends in 9999).
pub fn to_system_time(t: Timestamp) -> Result<SystemTime> {
    let t = check_time(t, "time")?;
    let secs = u64::try_from(t.timestamp()).map_err(|_| Error::TimeOutOfRange("time"))?;
    UNIX_EPOCH
        .checked_add(std::time::Duration::new(secs, t.timestamp_subsec_nanos()))
        .ok_or(Error::TimeOutOfRange("time"))
}

/// Minutes as a duration, refused (not a panic) beyond [`MAX_DURATION`]; `i64::MAX`
/// minutes is a typed error.
pub fn minutes(m: i64, what: &'static str) -> Result<Duration> {
    Duration::try_minutes(m)
        .ok_or(Error::TimeOutOfRange(what))
        .and_then(|d| check_duration(d, what))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extreme_system_times_are_typed_errors() {
        let far = UNIX_EPOCH + std::time::Duration::from_secs(i64::MAX as u64);
        let before = UNIX_EPOCH - std::time::Duration::from_secs(1);
        let year_10000 = UNIX_EPOCH + std::time::Duration::from_secs(253_402_300_800);
        for t in [far, before, year_10000] {
            assert!(matches!(
                from_system_time(t),
                Err(Error::TimeOutOfRange("time"))
            ));
        }
        assert_eq!(from_system_time(UNIX_EPOCH).unwrap(), MIN_TIME);
        let last = UNIX_EPOCH + std::time::Duration::new(253_402_300_799, 999_999_999);
        assert_eq!(from_system_time(last).unwrap(), MAX_TIME);
    }

    #[test]
    fn core_times_outside_the_range_do_not_reach_a_shell() {
        for t in [
            DateTime::<Utc>::MAX_UTC,
            DateTime::<Utc>::MIN_UTC,
            MIN_TIME - Duration::nanoseconds(1),
        ] {
            assert!(matches!(
                to_system_time(t),
                Err(Error::TimeOutOfRange("time"))
            ));
        }
        for t in [MIN_TIME, MAX_TIME] {
            assert_eq!(from_system_time(to_system_time(t).unwrap()).unwrap(), t);
        }
    }

    #[test]
    fn extreme_minutes_are_typed_errors() {
        for m in [i64::MAX, i64::MIN, 10_000 * 366 * 24 * 60 + 1] {
            assert!(matches!(
                minutes(m, "grace"),
                Err(Error::TimeOutOfRange("grace"))
            ));
        }
        let most = minutes(i64::from(u32::MAX), "idle lock").unwrap();
        assert_eq!(most.num_minutes(), i64::from(u32::MAX));
        // The bound holds its promise: no accepted pair overflows.
        let _ = MAX_TIME + MAX_DURATION;
        let _ = MIN_TIME - MAX_DURATION;
        assert!(check_duration(Duration::MAX, "x").is_err());
        assert!(check_duration(Duration::MIN, "x").is_err());
    }
}
