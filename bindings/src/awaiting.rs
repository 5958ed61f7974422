//! "Past, no status" for the shells' booking lists: the rule is the core's
//! (`Booking::awaiting_outcome`); this only lists the ids it holds for.

use std::time::SystemTime;

use vigil_core::bookings::TimeRange;

use crate::error::Result;
use crate::types::to_time;
use crate::Session;

#[uniffi::export]
impl Session {
    /// The ids of the bookings that are over at `now` and still planned or in progress:
    /// show them as waiting for the worker's word (done, cancelled, no-show), never as done.
    pub fn bookings_awaiting_outcome(&self, now: SystemTime) -> Result<Vec<String>> {
        let now = to_time(now)?;
        let listing = self.with(|a| a.session().bookings().list(TimeRange::default()))?;
        Ok(listing
            .items
            .iter()
            .filter(|b| b.awaiting_outcome(now))
            .map(|b| b.id.to_string())
            .collect())
    }
}
