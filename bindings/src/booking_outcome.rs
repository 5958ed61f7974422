//! Bookings "past, no status" for the booking screens (issue 20): which bookings are over
//! and still wait for the worker's word (done, cancelled, no-show). The rule is the core's
//! `Booking::awaiting_outcome`; this only lists the ids.

use std::time::SystemTime;

use vigil_core::bookings::TimeRange;

use crate::error::Result;
use crate::types::to_time;
use crate::Session;

#[uniffi::export]
impl Session {
    /// Ids of the bookings that are over at `now` and still planned or in progress, for a
    /// "past, no status" mark beside them (the shell never decides that itself).
    pub fn bookings_awaiting_outcome(&self, now: SystemTime) -> Result<Vec<String>> {
        let now = to_time(now)?;
        self.with(|a| {
            a.session()
                .bookings()
                .list(TimeRange {
                    from: None,
                    to: None,
                })
                .map(|l| {
                    l.items
                        .iter()
                        .filter(|b| b.awaiting_outcome(now))
                        .map(|b| b.id.to_string())
                        .collect()
                })
        })
    }
}
