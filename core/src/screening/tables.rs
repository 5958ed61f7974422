//! The tables this capability owns, and their upgrade steps (see `vault::schema`).

use crate::vault::schema::{Step, TableOwner, RECORD_FORMAT_2};
use crate::vault::{SealedTable, Session};
use crate::Result;

pub(crate) struct ScreeningTables;

impl TableOwner for ScreeningTables {
    fn name(&self) -> &'static str {
        "screening"
    }

    fn steps(&self) -> &'static [Step] {
        const STEPS: &[Step] = &[
            // screening — client notes, imported alerts (scoped to a trusted publisher), and the
            // blind indexes of their normalized identifiers (kind = exact / phone tail / plate part).
            Step::sql(
                5,
                "CREATE TABLE screening_notes (
         id   BLOB PRIMARY KEY,
         body BLOB NOT NULL
     ) WITHOUT ROWID;
     CREATE TABLE screening_note_index (
         kind INTEGER NOT NULL,
         idx  INTEGER NOT NULL,
         note BLOB    NOT NULL REFERENCES screening_notes (id) ON DELETE CASCADE,
         PRIMARY KEY (kind, idx, note)
     ) WITHOUT ROWID;
     CREATE INDEX screening_note_index_owner ON screening_note_index (note);
     CREATE TABLE screening_alerts (
         id        BLOB PRIMARY KEY,
         publisher BLOB NOT NULL REFERENCES feed_publishers (id) ON DELETE CASCADE,
         body      BLOB NOT NULL
     ) WITHOUT ROWID;
     CREATE INDEX screening_alerts_by_publisher ON screening_alerts (publisher);
     CREATE TABLE screening_alert_index (
         kind  INTEGER NOT NULL,
         idx   INTEGER NOT NULL,
         alert BLOB    NOT NULL REFERENCES screening_alerts (id) ON DELETE CASCADE,
         PRIMARY KEY (kind, idx, alert)
     ) WITHOUT ROWID;
     CREATE INDEX screening_alert_index_owner ON screening_alert_index (alert);",
            ),
            // Notes and alerts re-sealed in the compact record format.
            Step::keyed(RECORD_FORMAT_2, reseal),
            // Sealed alerts of an import in progress, written in short transactions before
            // the import takes the write lock and moved into `screening_alerts` under it
            // (see `alerts::import_alerts`). Rows of an import that never finished (a
            // crash) were never visible and are deleted by the next import.
            Step::sql(
                13,
                "CREATE TABLE screening_alert_staging (
         import INTEGER NOT NULL,
         id     BLOB    NOT NULL,
         body   BLOB    NOT NULL,
         PRIMARY KEY (import, id)
     ) WITHOUT ROWID;",
            ),
            // Alert index rows keyed by publisher first, with no foreign key to the alert
            // and no second index: one B-tree serves the screening lookup (per publisher:
            // there are a handful) and the delete of a publisher's alerts (a key range);
            // an import writes each row once, in key order, instead of an alert lookup and
            // two B-tree inserts (see `alerts::move_staged`). Rows are carried over.
            Step::sql(
                14,
                "CREATE TABLE screening_alert_index_14 (
         publisher BLOB    NOT NULL REFERENCES feed_publishers (id) ON DELETE CASCADE,
         kind      INTEGER NOT NULL,
         idx       INTEGER NOT NULL,
         alert     BLOB    NOT NULL,
         PRIMARY KEY (publisher, kind, idx, alert)
     ) WITHOUT ROWID;
     INSERT INTO screening_alert_index_14 (publisher, kind, idx, alert)
         SELECT a.publisher, i.kind, i.idx, i.alert
         FROM screening_alert_index i JOIN screening_alerts a ON a.id = i.alert
         ORDER BY 1, 2, 3, 4;
     DROP TABLE screening_alert_index;
     ALTER TABLE screening_alert_index_14 RENAME TO screening_alert_index;",
            ),
        ];
        STEPS
    }
}

/// Re-seals notes and alerts still in the JSON record format (index rows are unchanged:
/// they hold blind indexes, not record bodies).
fn reseal(session: &Session) -> Result<()> {
    SealedTable::<super::ClientNote>::new(session, super::NOTES, "client note").reseal_legacy()?;
    SealedTable::<super::alerts::Alert>::new(session, super::alerts::ALERTS, "alert")
        .reseal_legacy()
        .map(drop)
}
