//! The tables this capability owns, and their upgrade steps (see `vault::schema`).

use crate::vault::schema::{Step, TableOwner, RECORD_FORMAT_2};
use crate::vault::{SealedTable, Session};
use crate::Result;

pub(crate) struct DirectoryTables;

impl TableOwner for DirectoryTables {
    fn name(&self) -> &'static str {
        "directory"
    }

    fn steps(&self) -> &'static [Step] {
        const STEPS: &[Step] = &[
            // directory — each accepted publisher's services, sealed in chunks of up to 2,000
            // (directory/bundle.rs). A rowid table: the rows are large (hundreds of kilobytes).
            Step::sql(
                3,
                "CREATE TABLE directory_chunks (
         id        BLOB PRIMARY KEY,
         publisher BLOB NOT NULL REFERENCES feed_publishers (id) ON DELETE CASCADE,
         body      BLOB NOT NULL
     );
     CREATE INDEX directory_chunks_by_publisher ON directory_chunks (publisher);",
            ),
            // Chunks re-sealed in the compact record format.
            Step::keyed(RECORD_FORMAT_2, reseal),
        ];
        STEPS
    }
}

/// Re-seals directory chunks still in the JSON record format.
fn reseal(session: &Session) -> Result<()> {
    SealedTable::<super::bundle::Chunk>::new(session, super::bundle::TABLE, "directory part")
        .reseal_legacy()
        .map(drop)
}
