//! Extreme times and durations handed to the core's public API (a Rust shell, or a
//! binding that forgot to check) end as errors, never as panics.

use std::panic::{catch_unwind, AssertUnwindSafe};

use chrono::{DateTime, Duration, TimeZone, Utc};
use vigil_core::bookings::{BookingDraft, BookingKind, BookingStatus, Client, Place};
use vigil_core::checkin::CheckinPlan;
use vigil_core::clock::Timestamp;

mod common;

fn t0() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 3, 1, 20, 0, 0).unwrap()
}

fn times() -> [Timestamp; 2] {
    [DateTime::<Utc>::MAX_UTC, DateTime::<Utc>::MIN_UTC]
}

fn durations() -> [Duration; 2] {
    [Duration::MAX, Duration::MIN]
}

/// Runs `f`: a panic fails the test; the answer is whether `f` refused.
fn no_panic<T>(what: &str, f: impl FnOnce() -> vigil_core::Result<T>) -> (String, bool) {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => (what.to_owned(), r.is_err()),
        Err(_) => panic!("{what} panicked"),
    }
}

fn draft(starts_at: Timestamp, ends_at: Option<Timestamp>) -> BookingDraft {
    BookingDraft {
        client: Client {
            label: "x".into(),
            phone: None,
            email: None,
            handle: None,
        },
        starts_at,
        ends_at,
        kind: BookingKind::Incall,
        place: Place {
            address: None,
            latitude: None,
            longitude: None,
        },
        terms: None,
        notes: None,
        status: BookingStatus::Planned,
    }
}

#[test]
fn extreme_times_and_durations_through_the_core_api_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    let (session, key, ana) = common::vault_with_ana(&path);
    let c = session.checkins(&key);
    let mut refused = Vec::new();
    for t in times() {
        refused.push(no_panic("booking add now", || {
            session.bookings().add(draft(t0(), None), t)
        }));
        refused.push(no_panic("booking start", || {
            session.bookings().add(draft(t, None), t0())
        }));
        refused.push(no_panic("booking end", || {
            session.bookings().add(draft(t0(), Some(t)), t0())
        }));
        refused.push(no_panic("arm deadline", || {
            c.arm(CheckinPlan::new(t, vec![ana]), t0())
        }));
        refused.push(no_panic("arm now", || {
            c.arm(CheckinPlan::new(t0() + Duration::hours(1), vec![ana]), t)
        }));
        refused.push(no_panic("check in", || c.check_in("2468", t)));
        refused.push(no_panic("tick", || c.tick(t)));
    }
    for d in durations() {
        let mut plan = CheckinPlan::new(t0() + Duration::hours(1), vec![ana]);
        plan.timing.reminder_before = d;
        refused.push(no_panic("reminder", || c.arm(plan, t0())));
        let mut plan = CheckinPlan::new(t0() + Duration::hours(1), vec![ana]);
        plan.timing.grace = d;
        refused.push(no_panic("grace", || c.arm(plan, t0())));
        let mut plan = CheckinPlan::new(t0() + Duration::hours(1), vec![ana]);
        plan.timing.repeat_every = d;
        refused.push(no_panic("repeat", || c.arm(plan, t0())));
    }
    let armed = c
        .arm(CheckinPlan::new(t0() + Duration::hours(1), vec![ana]), t0())
        .unwrap();
    for d in durations() {
        refused.push(no_panic("extend", || c.extend(&armed.id, d, t0())));
    }
    for t in times() {
        refused.push(no_panic("extend now", || {
            c.extend(&armed.id, Duration::minutes(5), t)
        }));
        refused.push(no_panic("cancel", || c.cancel(&armed.id, t)));
    }
    // A booking at an impossible time is refused (a shell could not show it); the
    // extremes of `now` may be answered (a tick at the end of time escalates) but never
    // panic. Every extreme duration is refused.
    let accepted: Vec<_> = refused
        .iter()
        .filter(|(_, r)| !r)
        .map(|(w, _)| w.as_str())
        .collect();
    assert!(
        accepted
            .iter()
            .all(|w| matches!(*w, "booking add now" | "check in" | "tick" | "cancel")),
        "{accepted:?}"
    );
}
