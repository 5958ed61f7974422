//! The tables this capability owns, and their upgrade steps (see `vault::schema`).

use crate::vault::schema::{Step, TableOwner};

pub(crate) struct WatchTables;

impl TableOwner for WatchTables {
    fn name(&self) -> &'static str {
        "watch"
    }

    fn steps(&self) -> &'static [Step] {
        const STEPS: &[Step] = &[
            // watch over me (core/src/watch). Pairings are sealed under the vault key; the
            // device-bound state (this phone's keys, the paired phones' public keys and
            // counters, watches held, the outbox) is one row sealed under a subkey of the
            // escalation key, so SMS can be received and alarms raised while locked.
            Step::sql(
                9,
                "CREATE TABLE watch_pairings (
         id   BLOB PRIMARY KEY,
         body BLOB NOT NULL
     );
     CREATE TABLE watch_state (
         id   BLOB PRIMARY KEY,
         body BLOB NOT NULL
     );",
            ),
        ];
        STEPS
    }
}
