//! The table the settings own, and its upgrade steps (see `vault::schema`). The table
//! keeps its first name, `app_settings`: vault files already have it.

use crate::vault::schema::{Step, TableOwner};

pub(crate) struct SettingsTables;

impl TableOwner for SettingsTables {
    fn name(&self) -> &'static str {
        "settings"
    }

    fn steps(&self) -> &'static [Step] {
        const STEPS: &[Step] = &[
            // The worker's settings (region, languages, UTC offset, idle lock): one sealed
            // row (`settings/mod.rs`).
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
