//! The tables the application layer owns, and their upgrade steps (see `vault::schema`).

use crate::vault::schema::{Step, TableOwner};

pub(crate) struct AppTables;

impl TableOwner for AppTables {
    fn name(&self) -> &'static str {
        "app"
    }

    fn steps(&self) -> &'static [Step] {
        const STEPS: &[Step] = &[
            // The worker's settings (region, languages, UTC offset, idle lock): one sealed
            // row (`app/settings.rs`).
            Step::sql(
                8,
                "CREATE TABLE app_settings (
         id   BLOB PRIMARY KEY,
         body BLOB NOT NULL
     );",
            ),
        ];
        STEPS
    }
}
