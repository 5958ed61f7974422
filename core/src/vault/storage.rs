//! The SQLite file: its companion files and connection settings. The tables and their
//! upgrades are declared by their owners (see `schema`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::{Error, Result};

/// Suffix of the auxiliary database every vault has beside its main file (it holds the
/// decoy vault; see `duress`).
pub(crate) const AUX_SUFFIX: &str = "-aux";

pub(crate) fn aux_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(AUX_SUFFIX);
    PathBuf::from(name)
}

/// Suffix of the key-slot file (see `slots`): kept out of SQLite so that no journal or WAL
/// ever holds a wrapped key.
pub(crate) const SLOTS_SUFFIX: &str = "-keys";

/// Suffix of the main file while a vault is being created: it gets its real name last, so
/// a file at the vault's path is always a complete vault.
pub(crate) const CREATING_SUFFIX: &str = "-creating";

pub(crate) fn creating_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(CREATING_SUFFIX);
    PathBuf::from(name)
}

/// Every file of a vault besides the main database: the slot file, SQLite's own
/// companions, and the auxiliary database with its companions.
pub(crate) fn companion_files(path: &Path) -> Vec<PathBuf> {
    [
        SLOTS_SUFFIX,
        "-wal",
        "-shm",
        "-journal",
        "-aux",
        "-aux-wal",
        "-aux-shm",
        "-aux-journal",
    ]
    .iter()
    .map(|suffix| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    })
    .collect()
}

/// How long any connection waits for another's write transaction before failing with
/// "database is locked". Writers keep their transactions short (an alert import prepares
/// everything before it takes the lock), so this only has to outlast one short write; it
/// is generous because a check-in that fails to escalate is worse than one that waits.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Opens (or creates) the database and applies and verifies the mandatory settings.
///
/// Every vault file is readable by its owner only (0600): a new database file is created
/// with that mode before SQLite opens it, and SQLite gives the `-wal`, `-shm` and
/// `-journal` files it makes the main file's mode. An existing file left more open (by an
/// older version, or a copy) is tightened on the way in.
pub(crate) fn connect(path: &Path, create: bool) -> Result<Connection> {
    if create {
        create_private_db_file(path)?;
    }
    restrict_to_owner(path);
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let conn = Connection::open_with_flags(path, flags).map_err(|e| match e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::CannotOpen => {
            Error::VaultNotFound
        }
        other => Error::Storage(other),
    })?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    configure(&conn).map_err(damaged_file)?;
    Ok(conn)
}

/// Creates `path` empty with mode 0600 unless it exists; SQLite takes an empty file as a
/// new database. The mode is set again explicitly, so a umask cannot widen it.
fn create_private_db_file(path: &Path) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(PRIVATE_FILE_MODE);
    }
    match options.open(path) {
        Ok(file) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                file.set_permissions(std::fs::Permissions::from_mode(PRIVATE_FILE_MODE))?;
            }
            drop(file);
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        // No such folder: the same answer SQLite would give.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Error::VaultNotFound),
        Err(e) => Err(e.into()),
    }
}

/// Creates (or truncates) a file that will hold vault data outside the vault, such as an
/// export: readable by its owner only (0600), set again explicitly so neither the umask
/// nor an older file left at that path can widen it. The one such rule for every caller
/// (`App::export_to_file`, the CLI's tour).
pub fn create_private_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(PRIVATE_FILE_MODE);
    }
    let file = options.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(PRIVATE_FILE_MODE))?;
    }
    Ok(file)
}

/// Owner read and write only, for every file of a vault.
pub(crate) const PRIVATE_FILE_MODE: u32 = 0o600;

/// Best effort: takes group and other permissions off the database and its companion
/// files that exist. A file system without permissions (FAT on a USB stick) keeps its own.
fn restrict_to_owner(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for file in std::iter::once(path.to_path_buf()).chain(companion_files(path)) {
            if let Ok(meta) = std::fs::metadata(&file) {
                if meta.is_file() && meta.permissions().mode() & 0o077 != 0 {
                    let _ = std::fs::set_permissions(
                        &file,
                        std::fs::Permissions::from_mode(PRIVATE_FILE_MODE),
                    );
                }
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// SQLite's "not a database" and "malformed" become a header error the caller can act on.
pub(crate) fn damaged_file(e: Error) -> Error {
    match e {
        Error::Storage(rusqlite::Error::SqliteFailure(f, _))
            if matches!(
                f.code,
                rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt
            ) =>
        {
            Error::CorruptHeader("the file is not an intact vault database")
        }
        other => other,
    }
}

fn configure(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "PRAGMA secure_delete = ON;
         PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;",
    )?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    // Checked, not assumed: a build or file where these did not take effect must not run.
    let secure_delete: i64 = conn.query_row("PRAGMA secure_delete", [], |r| r.get(0))?;
    let foreign_keys: i64 = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
    let temp_store: i64 = conn.query_row("PRAGMA temp_store", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal")
        || secure_delete != 1
        || foreign_keys != 1
        || temp_store != 2
    {
        return Err(Error::CorruptHeader(
            "database settings could not be applied",
        ));
    }
    Ok(())
}

/// The file's schema version. SQLite stores it as a signed 32-bit number; Vigil never
/// writes a negative one, so one is damage, reported as such rather than as a raw
/// conversion error.
pub(crate) fn schema_version(conn: &Connection) -> Result<u32> {
    let raw: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    u32::try_from(raw).map_err(|_| Error::CorruptHeader("schema version out of range"))
}

/// Moves everything from the WAL into the database and truncates the WAL, so deleted
/// content does not linger in it.
pub(crate) fn checkpoint(conn: &Connection) -> Result<()> {
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::schema::{latest_version, owners, upgrade, upgrade_with};

    #[test]
    fn settings_are_applied_on_every_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.db");
        let conn = connect(&path, true).unwrap();
        let sd: i64 = conn
            .query_row("PRAGMA secure_delete", [], |r| r.get(0))
            .unwrap();
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!((sd, mode.as_str()), (1, "wal"));
    }

    #[test]
    fn missing_file_is_not_created_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("absent.db");
        assert!(matches!(connect(&path, false), Err(Error::VaultNotFound)));
        assert!(!path.exists());
    }

    #[test]
    fn stepwise_and_direct_upgrades_give_the_same_schema() {
        let dir = tempfile::tempdir().unwrap();
        let direct = connect(&dir.path().join("a.db"), true).unwrap();
        upgrade(&direct).unwrap();
        let stepwise = connect(&dir.path().join("b.db"), true).unwrap();
        for v in 1..=latest_version() {
            upgrade_with(&stepwise, owners(), v).unwrap();
        }
        let schema = |c: &Connection| -> Vec<String> {
            c.prepare("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap()
        };
        assert_eq!(schema(&direct), schema(&stepwise));
    }

    #[test]
    fn migrations_upgrade_step_by_step() {
        let dir = tempfile::tempdir().unwrap();
        let conn = connect(&dir.path().join("v.db"), true).unwrap();
        upgrade_with(&conn, owners(), 1).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), 1);
        upgrade(&conn).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), latest_version());
        // Idempotent.
        upgrade(&conn).unwrap();
        conn.pragma_update(None, "user_version", latest_version() + 1)
            .unwrap();
        assert!(matches!(upgrade(&conn), Err(Error::SchemaTooNew(_))));
    }
}
