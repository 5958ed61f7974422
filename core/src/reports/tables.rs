//! The tables this capability owns, and their upgrade steps (see `vault::schema`).

use crate::vault::schema::{Step, TableOwner};

pub(crate) struct ReportsTables;

impl TableOwner for ReportsTables {
    fn name(&self) -> &'static str {
        "reports"
    }

    fn steps(&self) -> &'static [Step] {
        const STEPS: &[Step] = &[
            // Dangerous-client report drafts: one sealed row per draft, nothing in the clear.
            Step::sql(
                10,
                "CREATE TABLE report_drafts (
         id   BLOB PRIMARY KEY,
         body BLOB NOT NULL
     );",
            ),
        ];
        STEPS
    }
}
