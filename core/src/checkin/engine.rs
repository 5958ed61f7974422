//! The escalation engine: a pure state machine over an injected clock.
//!
//! No I/O and no clock reads happen here. The persistence layer (`store.rs`) loads the
//! serialized [`CheckinState`]s, applies one operation and saves them in one transaction;
//! a restart is therefore nothing more than deserializing what was saved.
//!
//! Every message (to a buddy or to the worker) is a *delivery*: it is due at an instant,
//! issued as an [`Action`] with an [`ActionId`] that every retry on the same channel
//! keeps (a new channel gets a new id), and done only when the shell reports
//! [`Outcome::Sent`]. An issued action with no reported outcome after [`ACK_TIMEOUT_SECS`]
//! counts as failed, so a shell killed mid-send never loses an alert. Failures retry with
//! [`BACKOFF_SECS`], then move to the buddy's next channel, and the worker is told.
//!
//! Scheduled events are stored as "done" flags and counters, never recomputed from the
//! clock alone: a clock that goes backwards cannot un-fire anything, and a clock that jumps
//! far forward fires each due event once (one repeat round, not one per missed interval).
//!
//! The engine is split by concern; this module re-exports the parts so callers keep one
//! path:
//! - `model.rs`: the data (plan, contacts, check-in state, actions, outcomes);
//! - `schedule.rs`: arming, reminders, deadline, ladder, repeat rounds, endings, and the
//!   many-check-in [`Engine`] behind `tick` and `next_wakeup`;
//! - `delivery.rs`: issuing actions, outcomes, retries, backoff, channel fallback, acks.
//!
//! `templates.rs` depends on the model only; delivery calls the templates when an action
//! is issued.

pub use super::delivery::{ACK_TIMEOUT_SECS, ATTEMPTS_PER_CHANNEL, BACKOFF_SECS};
pub use super::model::{
    Action, ActionId, ActionKind, AlertFacts, ArmSpec, Channel, CheckinId, CheckinState,
    CheckinStatus, Contact, EndedCheckin, EndedHow, Ending, LocationFix, LockScreenCheckin,
    MessagePurpose, Outcome, Phase, Step, Timing, WorkerNotice,
};
pub use super::schedule::{Engine, MAX_LADDER_STEPS, MAX_TOTAL_SECS, MIN_REPEAT_SECS};

#[cfg(test)]
#[path = "engine_tests.rs"]
mod tests;
