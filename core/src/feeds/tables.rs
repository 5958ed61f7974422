//! The tables this capability owns, and their upgrade steps (see `vault::schema`).

use crate::vault::schema::{Step, TableOwner};

pub(crate) struct FeedsTables;

impl TableOwner for FeedsTables {
    fn name(&self) -> &'static str {
        "feeds"
    }

    fn steps(&self) -> &'static [Step] {
        const STEPS: &[Step] = &[
            // feeds — trusted publishers and the last accepted version per publisher and kind.
            // Content tables (alerts, directory) reference feed_publishers(id) ON DELETE CASCADE.
            Step::sql(
                2,
                "CREATE TABLE feed_publishers (
         id   BLOB PRIMARY KEY,
         body BLOB NOT NULL
     ) WITHOUT ROWID;
     CREATE TABLE feed_versions (
         id        BLOB PRIMARY KEY,
         publisher BLOB NOT NULL REFERENCES feed_publishers (id) ON DELETE CASCADE,
         body      BLOB NOT NULL
     ) WITHOUT ROWID;
     CREATE INDEX feed_versions_by_publisher ON feed_versions (publisher);",
            ),
        ];
        STEPS
    }
}
