//! A table of sealed rows: `(id BLOB PRIMARY KEY, body BLOB NOT NULL, ...)`, where `body`
//! is one value sealed for its table and row (see `record`).
//!
//! Every capability stores its rows through this one type, so the rules live once: a row
//! is sealed on the way in and opened on the way out, and a row that fails to open (tampered,
//! moved, or of an unknown shape) is reported by id in a [`Listing`] instead of being
//! dropped silently or failing the whole list. Deletes flush the WAL so erased bodies do not
//! linger in it.

use std::marker::PhantomData;

use ring::rand::SystemRandom;
use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{de::DeserializeOwned, Serialize};

use super::keys::{Entropy, SealingKey};
use super::{record, KeyId, Listing, RecordId, SealedBody, SecretKey, Session};
use crate::{Error, Result};

/// A sealed table holding values of type `T`. The table name is a constant of the owning
/// capability (it is part of every row's associated data, and goes into the SQL text).
pub(crate) struct SealedTable<'a, T> {
    conn: &'a Connection,
    sealer: Sealer<'a>,
    name: &'static str,
    /// What the entity is called in a "not found" error (no value ever goes there).
    what: &'static str,
    _rows: PhantomData<fn() -> T>,
}

/// The key a table's rows are sealed under.
enum Sealer<'a> {
    /// The vault's record key (every capability's tables).
    Vault(&'a Session),
    /// A key of its own, such as the escalation key from the device secret, which the
    /// locked runner holds without a session: expanded once for the table, not per row.
    Key(Box<SealingKey>, SystemRandom),
}

impl Sealer<'_> {
    /// The expanded key, which key sealed (bound in every blob) and the nonce source.
    fn parts(&self) -> (&SealingKey, KeyId, &dyn Entropy) {
        match self {
            Sealer::Vault(session) => {
                let (key, pool) = session.record_sealer();
                (key, KeyId::Records, pool)
            }
            Sealer::Key(key, rng) => (key, KeyId::Escalation, rng),
        }
    }

    /// Seals `value` for row `id` of `table` into `blob` (a buffer reused across rows).
    fn seal_into<T: Serialize>(
        &self,
        table: &str,
        id: &RecordId,
        value: &T,
        blob: &mut Vec<u8>,
    ) -> Result<()> {
        let (key, key_id, rng) = self.parts();
        record::seal_record_into(key, key_id, rng, table, id, value, blob)
    }

    /// Opens row `id` of `table`, decrypting in `scratch` (a buffer reused across rows).
    fn open<T: DeserializeOwned>(
        &self,
        table: &str,
        id: &RecordId,
        blob: &[u8],
        scratch: &mut Vec<u8>,
    ) -> Result<T> {
        let (key, key_id, _) = self.parts();
        record::open_record_with(key, key_id, table, id, blob, scratch)
    }
}

/// The body column of a row as SQLite holds it, borrowed: a value that is not a blob (a row
/// edited or damaged outside Vigil) reads as empty, which fails to open as
/// [`Error::Tampered`] and is reported for that row alone (see `SealedBody`).
fn body_ref<'r>(row: &'r rusqlite::Row<'_>, column: usize) -> rusqlite::Result<&'r [u8]> {
    Ok(match row.get_ref(column)? {
        ValueRef::Blob(b) => b,
        _ => &[],
    })
}

/// Inserts many rows into one table through one prepared statement and one buffer (see
/// [`SealedTable::inserter`]).
pub(crate) struct Inserter<'t, 'a, T> {
    table: &'t SealedTable<'a, T>,
    stmt: rusqlite::CachedStatement<'a>,
    blob: Vec<u8>,
}

impl<T: Serialize> Inserter<'_, '_, T> {
    /// Inserts a new row; fails if `id` exists.
    pub(crate) fn insert(&mut self, id: &RecordId, value: &T) -> Result<()> {
        let t = self.table;
        t.sealer.seal_into(t.name, id, value, &mut self.blob)?;
        self.stmt.execute(params![id, &self.blob[..]])?;
        Ok(())
    }
}

impl<'a, T> SealedTable<'a, T> {
    /// A table sealed under the session's record key, on the session's connection (inside
    /// any transaction open on it).
    pub(crate) fn new(session: &'a Session, name: &'static str, what: &'static str) -> Self {
        Self {
            conn: session.conn(),
            sealer: Sealer::Vault(session),
            name,
            what,
            _rows: PhantomData,
        }
    }

    /// A table sealed under `key` instead of the vault's record key, on `conn` (which may
    /// be a transaction, or the locked runner's connection: no session needed).
    pub(crate) fn under_key(
        conn: &'a Connection,
        key: &'a SecretKey,
        name: &'static str,
        what: &'static str,
    ) -> Self {
        Self {
            conn,
            sealer: Sealer::Key(Box::new(key.sealing_key()), SystemRandom::new()),
            name,
            what,
            _rows: PhantomData,
        }
    }

    /// Deletes row `id` and flushes the WAL; [`Error::NotFound`] if there was none.
    pub(crate) fn delete(&self, id: &RecordId) -> Result<()> {
        let n = self
            .conn
            .prepare_cached(&format!("DELETE FROM {} WHERE id = ?1", self.name))?
            .execute(params![id])?;
        if n == 0 {
            return Err(Error::NotFound(self.what));
        }
        super::storage::checkpoint(self.conn)
    }
}

/// Writing: `T` is what is sealed (it may borrow, as `Cow` does).
impl<'a, T: Serialize> SealedTable<'a, T> {
    /// The sealed body of `value` for row `id` (for callers that write extra columns).
    pub(crate) fn seal(&self, id: &RecordId, value: &T) -> Result<Vec<u8>> {
        let mut blob = Vec::new();
        self.sealer.seal_into(self.name, id, value, &mut blob)?;
        Ok(blob)
    }

    /// Inserts a new row; fails if `id` exists.
    pub(crate) fn insert(&self, id: &RecordId, value: &T) -> Result<()> {
        self.inserter()?.insert(id, value)
    }

    /// For inserting many rows (a batch inside one transaction): the statement is prepared
    /// once and the body buffer reused, instead of a statement-cache lookup and fresh
    /// buffers per row.
    pub(crate) fn inserter(&self) -> Result<Inserter<'_, 'a, T>> {
        let stmt = self.conn.prepare_cached(&format!(
            "INSERT INTO {} (id, body) VALUES (?1, ?2)",
            self.name
        ))?;
        Ok(Inserter {
            table: self,
            stmt,
            blob: Vec::new(),
        })
    }

    /// Inserts the row or replaces its body (import, and records that keep their id).
    pub(crate) fn upsert(&self, id: &RecordId, value: &T) -> Result<()> {
        let body = self.seal(id, value)?;
        self.conn
            .prepare_cached(&format!(
                "INSERT INTO {} (id, body) VALUES (?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET body = excluded.body",
                self.name
            ))?
            .execute(params![id, body])?;
        Ok(())
    }

    /// Replaces the body of an existing row; [`Error::NotFound`] if there is none.
    pub(crate) fn update(&self, id: &RecordId, value: &T) -> Result<()> {
        let body = self.seal(id, value)?;
        let n = self
            .conn
            .prepare_cached(&format!("UPDATE {} SET body = ?2 WHERE id = ?1", self.name))?
            .execute(params![id, body])?;
        if n == 0 {
            return Err(Error::NotFound(self.what));
        }
        Ok(())
    }
}

/// Reading: `T` is what a row opens as.
impl<T: DeserializeOwned> SealedTable<'_, T> {
    /// The row `id`, or `None`; [`Error::Tampered`] if it does not open.
    pub(crate) fn find(&self, id: &RecordId) -> Result<Option<T>> {
        let body = self
            .conn
            .prepare_cached(&format!("SELECT body FROM {} WHERE id = ?1", self.name))?
            .query_row(params![id], |r| r.get::<_, SealedBody>(0))
            .optional()?;
        body.map(|b| self.sealer.open(self.name, id, &b.0, &mut Vec::new()))
            .transpose()
    }

    /// The row `id`; [`Error::NotFound`] if there is none.
    pub(crate) fn get(&self, id: &RecordId) -> Result<T> {
        self.find(id)?.ok_or(Error::NotFound(self.what))
    }

    /// Visits every row in id order, one at a time (export never holds a whole table): a
    /// row that fails to open is passed as its error with its id.
    pub(crate) fn for_each(
        &self,
        visit: impl FnMut(RecordId, Result<T>) -> Result<()>,
    ) -> Result<()> {
        self.scan(" ORDER BY id", visit)
    }

    /// Visits every row in storage order, each row's error passed with its id (for a
    /// caller that keeps the order it has always loaded rows in).
    pub(crate) fn for_each_stored(
        &self,
        visit: impl FnMut(RecordId, Result<T>) -> Result<()>,
    ) -> Result<()> {
        self.scan("", visit)
    }

    /// Visits every row in storage order (a list sorts afterwards anyway, and a rowid
    /// table reads fastest in its own order).
    fn scan(
        &self,
        order: &str,
        mut visit: impl FnMut(RecordId, Result<T>) -> Result<()>,
    ) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT id, body FROM {}{order}", self.name))?;
        let mut rows = stmt.query([])?;
        // One buffer for every row: the body is read in place from SQLite and copied once,
        // into this, to be decrypted.
        let mut scratch = Vec::new();
        while let Some(row) = rows.next()? {
            let id: RecordId = row.get(0)?;
            let opened = self
                .sealer
                .open(self.name, &id, body_ref(row, 1)?, &mut scratch);
            visit(id, opened)?;
        }
        Ok(())
    }

    /// Visits every row of a table whose rows belong to an owner (a publisher) named in
    /// column `owner_column`, passing the owner too. The owner is also inside the sealed
    /// value: a row moved under another owner fails like a forged one ([`Error::Tampered`]).
    pub(crate) fn for_each_owned(
        &self,
        owner_column: &'static str,
        mut visit: impl FnMut(RecordId, RecordId, Result<T>) -> Result<()>,
    ) -> Result<()>
    where
        T: Owned,
    {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT id, {owner_column}, body FROM {}",
            self.name
        ))?;
        let mut rows = stmt.query([])?;
        let mut scratch = Vec::new();
        while let Some(row) = rows.next()? {
            let id: RecordId = row.get(0)?;
            let owner: RecordId = row.get(1)?;
            let body = body_ref(row, 2)?;
            let opened = match self.sealer.open::<T>(self.name, &id, body, &mut scratch) {
                Ok(v) if v.owner() != owner => Err(Error::Tampered),
                other => other,
            };
            visit(id, owner, opened)?;
        }
        Ok(())
    }

    /// Every row `keep` maps to `Some`, with the ids of rows that did not open. Errors
    /// other than a damaged row (storage, I/O) fail the listing.
    pub(crate) fn list_map<U>(
        &self,
        mut keep: impl FnMut(RecordId, T) -> Option<U>,
    ) -> Result<Listing<U>> {
        let mut listing = Listing::default();
        self.scan("", |id, opened| {
            match opened {
                Ok(value) => listing.items.extend(keep(id, value)),
                Err(e) if is_damage(&e) => listing.unreadable.push(id),
                Err(e) => return Err(e),
            }
            Ok(())
        })?;
        Ok(listing)
    }

    /// Every row, with the ids of rows that did not open.
    pub(crate) fn list(&self) -> Result<Listing<T>> {
        self.list_map(|_, value| Some(value))
    }
}

/// Upgrading: rows sealed in an earlier record format are opened and sealed again.
impl<T: Serialize + DeserializeOwned> SealedTable<'_, T> {
    /// Re-seals every row of an older record format in the current one (the keyed step of
    /// schema version 12 for the bulk tables). Rows that do not open are left as they are,
    /// still reported by the listings. Works in id order, a batch at a time (never the
    /// whole table in memory); run inside the keyed upgrade's transaction, so a crash
    /// leaves every row as it was. Returns how many rows were re-sealed.
    pub(crate) fn reseal_legacy(&self) -> Result<usize> {
        const BATCH: i64 = 512;
        let mut select = self.conn.prepare_cached(&format!(
            "SELECT id, body FROM {} WHERE ?1 IS NULL OR id > ?1 ORDER BY id LIMIT ?2",
            self.name
        ))?;
        let mut after: Option<RecordId> = None;
        let mut resealed = 0;
        loop {
            let batch = select
                .query_map(params![after, BATCH], |r| {
                    Ok((r.get::<_, RecordId>(0)?, r.get::<_, SealedBody>(1)?.0))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let Some((last, _)) = batch.last() else {
                return Ok(resealed);
            };
            after = Some(*last);
            let full = batch.len() as i64 == BATCH;
            for (id, body) in batch {
                if !super::record::is_legacy_body(&body) {
                    continue;
                }
                match self
                    .sealer
                    .open::<T>(self.name, &id, &body, &mut Vec::new())
                {
                    Ok(value) => {
                        self.update(&id, &value)?;
                        resealed += 1;
                    }
                    Err(e) if is_damage(&e) => {}
                    Err(e) => return Err(e),
                }
            }
            if !full {
                return Ok(resealed);
            }
        }
    }
}

/// A sealed value that names its owner, checked against the row's owner column.
pub(crate) trait Owned {
    fn owner(&self) -> RecordId;
}

/// Whether an error opening a row means that row is damaged (listed as unreadable) rather
/// than that the storage failed (which fails the whole operation).
pub(crate) fn is_damage(e: &Error) -> bool {
    matches!(e, Error::Tampered | Error::Decode(_))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::{Vault, VaultOptions, MIN_KDF_ITERATIONS};

    const T: &str = "bookings";

    fn session(dir: &tempfile::TempDir) -> Session {
        let options = VaultOptions {
            kdf_iterations: MIN_KDF_ITERATIONS,
            device_secret: None,
        };
        Vault::create(dir.path().join("v.db"), "pass", &options).unwrap()
    }

    #[test]
    fn rows_round_trip_and_a_damaged_row_is_listed_by_id_not_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let s = session(&dir);
        let table: SealedTable<'_, String> = SealedTable::new(&s, T, "row");
        let (a, b) = (s.new_id().unwrap(), s.new_id().unwrap());
        table.insert(&a, &"first".to_owned()).unwrap();
        table.insert(&b, &"second".to_owned()).unwrap();
        assert!(table.insert(&a, &"again".to_owned()).is_err());
        table.update(&a, &"changed".to_owned()).unwrap();
        assert_eq!(table.get(&a).unwrap(), "changed");
        // A body moved to another row no longer opens: that row is reported, not dropped.
        s.conn()
            .execute(
                "UPDATE bookings SET body = (SELECT body FROM bookings WHERE id = ?1) WHERE id = ?2",
                params![a, b],
            )
            .unwrap();
        let listing = table.list().unwrap();
        assert_eq!(listing.items, vec!["changed".to_owned()]);
        assert_eq!(listing.unreadable, vec![b]);
        assert!(matches!(table.get(&b), Err(Error::Tampered)));
        table.delete(&b).unwrap();
        assert!(matches!(table.delete(&b), Err(Error::NotFound("row"))));
        assert!(matches!(
            table.update(&b, &String::new()),
            Err(Error::NotFound("row"))
        ));
        assert_eq!(table.find(&b).unwrap(), None);
    }

    #[test]
    fn an_inserter_writes_a_batch_and_a_scan_reports_a_non_blob_body_for_its_row_alone() {
        let dir = tempfile::tempdir().unwrap();
        let s = session(&dir);
        let table: SealedTable<'_, String> = SealedTable::new(&s, T, "row");
        let ids: Vec<RecordId> = (0..50).map(|_| s.new_id().unwrap()).collect();
        {
            let mut inserter = table.inserter().unwrap();
            for (i, id) in ids.iter().enumerate() {
                // Sizes up and down, so the reused buffers shrink and grow under each row.
                inserter.insert(id, &"y".repeat((i * 97) % 1500)).unwrap();
            }
            assert!(inserter.insert(&ids[0], &String::new()).is_err());
        }
        // One row's body replaced by text (edited outside Vigil), in the middle of the scan.
        s.conn()
            .execute(
                "UPDATE bookings SET body = 'x' WHERE id = ?1",
                params![ids[20]],
            )
            .unwrap();
        let mut seen = Vec::new();
        table
            .for_each(|id, opened| {
                seen.push((id, opened.ok().map(|v| v.len())));
                Ok(())
            })
            .unwrap();
        seen.sort();
        let mut want: Vec<(RecordId, Option<usize>)> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (*id, (i != 20).then_some((i * 97) % 1500)))
            .collect();
        want.sort();
        assert_eq!(seen, want);
        assert_eq!(table.list().unwrap().unreadable, vec![ids[20]]);
    }

    #[test]
    fn a_table_under_its_own_key_round_trips_and_the_vault_key_cannot_open_it() {
        let dir = tempfile::tempdir().unwrap();
        let s = session(&dir);
        let key = SecretKey::from_bytes([7; 32]);
        let own: SealedTable<'_, String> = SealedTable::under_key(s.conn(), &key, T, "row");
        let id = s.new_id().unwrap();
        own.upsert(&id, &"escalation".to_owned()).unwrap();
        assert_eq!(own.get(&id).unwrap(), "escalation");
        let mut seen = Vec::new();
        own.for_each_stored(|id, opened| {
            seen.push((id, opened.unwrap()));
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, vec![(id, "escalation".to_owned())]);
        // The same row read under the vault's record key (or another key) does not open.
        let vault: SealedTable<'_, String> = SealedTable::new(&s, T, "row");
        assert!(matches!(vault.get(&id), Err(Error::Tampered)));
        let other = SecretKey::from_bytes([8; 32]);
        let wrong: SealedTable<'_, String> = SealedTable::under_key(s.conn(), &other, T, "row");
        assert_eq!(wrong.list().unwrap().unreadable, vec![id]);
    }
}
