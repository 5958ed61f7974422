//! The tables this capability owns, and their upgrade steps (see `vault::schema`).

use crate::vault::schema::{Step, TableOwner};

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
        ];
        STEPS
    }
}
