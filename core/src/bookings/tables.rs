//! The tables this capability owns, and their upgrade steps (see `vault::schema`).

use crate::vault::schema::{Step, TableOwner, RECORD_FORMAT_2};
use crate::vault::{SealedTable, Session};
use crate::Result;

pub(crate) struct BookingsTables;

impl TableOwner for BookingsTables {
    fn name(&self) -> &'static str {
        "bookings"
    }

    fn steps(&self) -> &'static [Step] {
        const STEPS: &[Step] = &[
            // The booking log: one sealed row per booking.
            Step::sql(
                1,
                "CREATE TABLE bookings (
         id   BLOB PRIMARY KEY,
         body BLOB NOT NULL
     );",
            ),
            // Bookings re-sealed in the compact record format.
            Step::keyed(RECORD_FORMAT_2, reseal),
        ];
        STEPS
    }
}

/// Re-seals bookings still in the JSON record format.
fn reseal(session: &Session) -> Result<()> {
    SealedTable::<super::SealedBooking<'_>>::new(session, super::TABLE, "booking")
        .reseal_legacy()
        .map(drop)
}
