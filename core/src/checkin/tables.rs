//! The tables this capability owns, and their upgrade steps (see `vault::schema`).

use crate::vault::schema::{Step, TableOwner};

pub(crate) struct CheckinTables;

impl TableOwner for CheckinTables {
    fn name(&self) -> &'static str {
        "checkin"
    }

    fn steps(&self) -> &'static [Step] {
        const STEPS: &[Step] = &[
            // check-ins (core/src/checkin). Buddies are sealed under the vault key; the
            // escalation state (one row per live check-in, plus the code verifiers) is sealed under
            // the escalation key so the background runner can read it while the vault is locked.
            Step::sql(
                4,
                "CREATE TABLE checkin_buddies (
         id   BLOB PRIMARY KEY,
         body BLOB NOT NULL
     );
     CREATE TABLE checkin_escalation (
         id   BLOB PRIMARY KEY,
         body BLOB NOT NULL
     );",
            ),
            // Ended check-ins (times, how each ended, counts), sealed under the escalation
            // key because a check-in mostly ends while the vault is locked.
            Step::sql(
                11,
                "CREATE TABLE checkin_history (
         id   BLOB PRIMARY KEY,
         body BLOB NOT NULL
     );",
            ),
        ];
        STEPS
    }
}
