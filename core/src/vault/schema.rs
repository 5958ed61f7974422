//! Schema upgrades, declared by the capability that owns the tables.
//!
//! Each capability implements [`TableOwner`] (after Mozilla application-services'
//! `ConnectionInitializer`): it lists its [`Step`]s, each tagged with the file's schema
//! version it belongs to. `PRAGMA user_version` counts versions for the whole file, so
//! steps of different owners interleave in version order (and, within one version, in the
//! order of the owner list). A step has a part that runs when the file is opened, without
//! keys (SQL or Rust code, all of a file's missing steps in one transaction), and may have a
//! keyed part that runs after the next unlock, where rows can be re-sealed or blind indexes
//! rebuilt. Keyed progress is kept in `schema_keyed` and written only when a keyed part
//! actually runs.
//!
//! [`upgrade`] and [`upgrade_keyed`] are the only entry points; the vault calls them when it
//! opens a file and when it unlocks one. Never edit a released step; append a new one.

use rusqlite::{params, Connection, OptionalExtension};

use super::Session;
use crate::{Error, Result};

/// The part of a step that needs no key.
pub(crate) enum Run {
    Sql(&'static str),
    /// For upgrades SQL cannot express; no released step needs one yet.
    #[cfg_attr(not(test), allow(dead_code))]
    Code(fn(&Connection) -> Result<()>),
}

/// One upgrade step of one owner.
pub(crate) struct Step {
    /// The schema version this step is part of (the file is at this version after it).
    pub version: u32,
    pub run: Run,
    /// Runs after the first unlock at or past `version`, with the session's keys.
    pub keyed: Option<fn(&Session) -> Result<()>>,
}

impl Step {
    pub(crate) const fn sql(version: u32, sql: &'static str) -> Self {
        Self {
            version,
            run: Run::Sql(sql),
            keyed: None,
        }
    }

    /// A step with only a keyed part (such as re-sealing rows in a new record format).
    pub(crate) const fn keyed(version: u32, keyed: fn(&Session) -> Result<()>) -> Self {
        Self {
            version,
            run: Run::Sql(""),
            keyed: Some(keyed),
        }
    }
}

/// The schema version whose keyed steps re-seal the bulk tables' rows from JSON (record
/// format 1) into MessagePack (format 2, see `vault::encoding`). Rows of the small tables
/// (settings, check-ins, feeds) stay JSON until they are next written; both are read.
pub(crate) const RECORD_FORMAT_2: u32 = 12;

/// A module that owns tables in the vault file.
pub(crate) trait TableOwner: Sync {
    /// For tests and debugging (never in the file).
    #[cfg_attr(not(test), allow(dead_code))]
    fn name(&self) -> &'static str;
    /// Its steps, oldest first.
    fn steps(&self) -> &'static [Step];
}

/// Every table owner, in the order their steps run within one version: the vault's own
/// tables first, then the capabilities. The one list a new capability is added to.
pub(crate) fn owners() -> &'static [&'static dyn TableOwner] {
    crate::TABLE_OWNERS
}

/// The schema version this build writes.
pub(crate) fn latest_version() -> u32 {
    latest_of(owners())
}

fn latest_of(owners: &[&dyn TableOwner]) -> u32 {
    owners
        .iter()
        .flat_map(|o| o.steps())
        .map(|s| s.version)
        .max()
        .unwrap_or(0)
}

/// Brings a file to the latest schema (the keyless parts), atomically. A file newer than
/// this build fails with [`Error::SchemaTooNew`] and is left as it is.
pub(crate) fn upgrade(conn: &Connection) -> Result<()> {
    upgrade_with(conn, owners(), latest_version())
}

/// Gives a new file the latest schema. It has no rows from older versions, so its keyed
/// progress starts at the latest version too: the first unlock has nothing to upgrade.
pub(crate) fn create_latest(conn: &Connection) -> Result<()> {
    upgrade(conn)?;
    conn.execute(
        "UPDATE schema_keyed SET version = ?1 WHERE id = 1",
        params![latest_version()],
    )?;
    Ok(())
}

/// Brings the main file (`main`, open) and the decoy's auxiliary file to the latest
/// schema, whichever passphrase unlocked: a file left behind would show which vault was
/// opened since an update. The auxiliary file is best effort: a missing or damaged one must
/// not keep the real vault shut (the decoy code remakes it when the decoy is opened).
pub(crate) fn upgrade_both(main: &Connection, path: &std::path::Path) -> Result<()> {
    upgrade(main)?;
    if let Ok(aux) = super::storage::connect(&super::storage::aux_path(path), false) {
        let _ = upgrade(&aux);
    }
    Ok(())
}

/// Runs the keyed parts of every step the file has had since its keyed parts last ran.
/// The real session brings the decoy vault along when it had parts to run, so the two
/// files do not drift apart (which would tell which one was opened since an update).
pub(crate) fn upgrade_keyed(session: &Session) -> Result<()> {
    if upgrade_keyed_with(session, owners())? {
        if let Some(decoy) = session.decoy_session()? {
            upgrade_keyed_with(&decoy, owners())?;
        }
    }
    Ok(())
}

/// The steps of `owners` between versions `from` (exclusive) and `to` (inclusive), in the
/// order they run.
fn steps_between<'o>(owners: &'o [&'o dyn TableOwner], from: u32, to: u32) -> Vec<&'o Step> {
    let mut steps: Vec<(u32, usize, &Step)> = owners
        .iter()
        .enumerate()
        .flat_map(|(i, o)| o.steps().iter().map(move |s| (s.version, i, s)))
        .filter(|(v, _, _)| *v > from && *v <= to)
        .collect();
    // Stable: one owner's steps of the same version keep their order.
    crate::sort::sort_by_key(&mut steps, |(v, i, _)| (*v, *i));
    steps.into_iter().map(|(_, _, s)| s).collect()
}

pub(crate) fn upgrade_with(
    conn: &Connection,
    owners: &[&dyn TableOwner],
    target: u32,
) -> Result<()> {
    let current = super::storage::schema_version(conn)?;
    let latest = latest_of(owners);
    if current > latest {
        return Err(Error::SchemaTooNew(current));
    }
    let target = target.min(latest);
    if current >= target {
        return Ok(());
    }
    let tx = conn.unchecked_transaction()?;
    for step in steps_between(owners, current, target) {
        match step.run {
            Run::Sql(sql) => tx.execute_batch(sql)?,
            Run::Code(f) => f(&tx)?,
        }
    }
    tx.pragma_update(None, "user_version", target)?;
    tx.commit()?;
    Ok(())
}

/// The version up to which keyed parts have run; files from before `schema_keyed`
/// existed had none to run.
fn keyed_version(conn: &Connection) -> Result<Option<u32>> {
    let has_table: bool = conn
        .query_row(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_keyed'",
            [],
            |_| Ok(true),
        )
        .optional()?
        .unwrap_or(false);
    if !has_table {
        return Ok(None);
    }
    let v: Option<i64> = conn
        .query_row("SELECT version FROM schema_keyed WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()?;
    v.map(|v| u32::try_from(v).map_err(|_| Error::CorruptHeader("schema version out of range")))
        .transpose()
}

/// Whether any keyed part ran.
pub(crate) fn upgrade_keyed_with(session: &Session, owners: &[&dyn TableOwner]) -> Result<bool> {
    let conn = session.conn();
    let Some(done) = keyed_version(conn)? else {
        return Ok(false);
    };
    let current = super::storage::schema_version(conn)?;
    let pending: Vec<_> = steps_between(owners, done, current)
        .into_iter()
        .filter_map(|s| s.keyed)
        .collect();
    if pending.is_empty() {
        // Nothing written: an unlock leaves no trace of which file it opened.
        return Ok(false);
    }
    let tx = conn.unchecked_transaction()?;
    for keyed in pending {
        keyed(session)?;
    }
    tx.execute(
        "UPDATE schema_keyed SET version = ?1 WHERE id = 1",
        params![current],
    )?;
    tx.commit()?;
    Ok(true)
}

/// The tables of the vault itself: the header, the attempt counter, the decoy key, and
/// the keyed-upgrade progress. (The key slots table of version 1 is unused since the
/// slots moved to their own file; released steps are never edited.)
pub(crate) struct VaultTables;

impl TableOwner for VaultTables {
    fn name(&self) -> &'static str {
        "vault"
    }

    fn steps(&self) -> &'static [Step] {
        const STEPS: &[Step] = &[
            Step::sql(
                1,
                "CREATE TABLE vault_header (
         id             INTEGER PRIMARY KEY CHECK (id = 1),
         format         INTEGER NOT NULL,
         kdf_iterations INTEGER NOT NULL,
         kdf_salt       BLOB    NOT NULL,
         device_bound   INTEGER NOT NULL
     );
     CREATE TABLE key_slots (
         slot    INTEGER PRIMARY KEY,
         wrapped BLOB NOT NULL
     );
     CREATE TABLE unlock_guard (
         id    INTEGER PRIMARY KEY CHECK (id = 1),
         state BLOB NOT NULL
     );",
            ),
            // The decoy vault's key, sealed under the real key, so the real session can
            // keep the decoy looking alive whether or not a duress passphrase is set.
            Step::sql(
                6,
                "CREATE TABLE decoy_key (
         id   BLOB PRIMARY KEY,
         body BLOB NOT NULL
     );",
            ),
            // Progress of the keyed upgrade parts (see the module comment). Every part up
            // to version 6 is done: there were none.
            Step::sql(
                7,
                "CREATE TABLE schema_keyed (
         id      INTEGER PRIMARY KEY CHECK (id = 1),
         version INTEGER NOT NULL
     );
     INSERT INTO schema_keyed (id, version) VALUES (1, 6);",
            ),
        ];
        STEPS
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::storage::{connect, schema_version};

    struct Fake(&'static [Step]);
    impl TableOwner for Fake {
        fn name(&self) -> &'static str {
            "fake"
        }
        fn steps(&self) -> &'static [Step] {
            self.0
        }
    }

    fn add_b(conn: &Connection) -> Result<()> {
        conn.execute_batch("ALTER TABLE t ADD COLUMN b INTEGER NOT NULL DEFAULT 7;")?;
        Ok(())
    }

    static A: Fake = Fake(&[
        Step::sql(1, "CREATE TABLE t (a TEXT NOT NULL);"),
        Step {
            version: 2,
            run: Run::Code(add_b),
            keyed: None,
        },
    ]);
    static B: Fake = Fake(&[
        Step::sql(1, "CREATE TABLE u (t_a TEXT);"),
        Step::sql(3, "CREATE INDEX t_b ON t (b);"),
    ]);

    #[test]
    fn owners_steps_interleave_by_version_and_an_old_file_keeps_its_data() {
        let dir = tempfile::tempdir().unwrap();
        let conn = connect(&dir.path().join("v.db"), true).unwrap();
        let owners: [&dyn TableOwner; 2] = [&A, &B];
        upgrade_with(&conn, &owners, 1).unwrap();
        conn.execute("INSERT INTO t (a) VALUES ('kept')", [])
            .unwrap();
        upgrade_with(&conn, &owners, 3).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), 3);
        let (a, b): (String, i64) = conn
            .query_row("SELECT a, b FROM t", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap();
        assert_eq!((a.as_str(), b), ("kept", 7));
        // A second run is a no-op.
        upgrade_with(&conn, &owners, 3).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), 3);
    }

    #[test]
    fn a_failing_code_step_rolls_the_whole_upgrade_back() {
        fn fails(_: &Connection) -> Result<()> {
            Err(Error::CorruptHeader("step failed"))
        }
        static F: Fake = Fake(&[
            Step::sql(1, "CREATE TABLE t (a TEXT);"),
            Step {
                version: 2,
                run: Run::Code(fails),
                keyed: None,
            },
        ]);
        let dir = tempfile::tempdir().unwrap();
        let conn = connect(&dir.path().join("v.db"), true).unwrap();
        assert!(upgrade_with(&conn, &[&F], 2).is_err());
        assert_eq!(schema_version(&conn).unwrap(), 0);
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 0);
    }

    #[test]
    fn versions_have_no_gaps_and_every_owner_is_listed_once() {
        let mut versions: Vec<u32> = owners()
            .iter()
            .flat_map(|o| o.steps())
            .map(|s| s.version)
            .collect();
        versions.sort();
        versions.dedup();
        assert_eq!(versions, (1..=latest_version()).collect::<Vec<_>>());
        let mut names: Vec<_> = owners().iter().map(|o| o.name()).collect();
        names.sort();
        let n = names.len();
        names.dedup();
        assert_eq!(names.len(), n);
    }

    #[test]
    fn a_keyed_part_runs_once_after_unlock_and_only_then_writes() {
        use crate::vault::{Vault, VaultOptions, MIN_KDF_ITERATIONS};
        use std::sync::atomic::{AtomicU32, Ordering};
        static RUNS: AtomicU32 = AtomicU32::new(0);
        fn count(_: &Session) -> Result<()> {
            RUNS.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
        // Far above any real version, so a new real step never collides with it.
        static K: Fake = Fake(&[Step {
            version: 1000,
            run: Run::Sql("CREATE TABLE k (x);"),
            keyed: Some(count),
        }]);
        let dir = tempfile::tempdir().unwrap();
        let options = VaultOptions {
            kdf_iterations: MIN_KDF_ITERATIONS,
            device_secret: None,
        };
        let session = Vault::create(dir.path().join("v.db"), "pass", &options).unwrap();
        let mut with_k: Vec<&dyn TableOwner> = owners().to_vec();
        with_k.push(&K);
        // Nothing pending: nothing runs, nothing is written.
        let before = session.conn().total_changes();
        assert!(!upgrade_keyed_with(&session, &with_k).unwrap());
        assert_eq!(session.conn().total_changes(), before);
        assert_eq!(RUNS.load(Ordering::SeqCst), 0);
        upgrade_with(session.conn(), &with_k, 1000).unwrap();
        assert!(upgrade_keyed_with(&session, &with_k).unwrap());
        assert!(!upgrade_keyed_with(&session, &with_k).unwrap());
        assert_eq!(RUNS.load(Ordering::SeqCst), 1);
        let done: i64 = session
            .conn()
            .query_row("SELECT version FROM schema_keyed", [], |r| r.get(0))
            .unwrap();
        assert_eq!(done, 1000);
    }
}
