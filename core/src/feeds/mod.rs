//! Signed bundles: how a local project's directory and alerts reach the phone.
//!
//! A publisher signs a bundle (Ed25519) with a key the worker has pinned in her vault. The
//! app reads a bundle with a size limit, checks the signature *before* parsing anything
//! but the key id, refuses a version that is not above the last one it accepted from that
//! publisher for that kind (rollback), keeps an expired bundle but flags it stale, and
//! records the new version in the same SQLite transaction as the content's own import —
//! so a bundle whose content turns out malformed leaves the previous data and version
//! exactly as they were.
//!
//! Publishers and accepted versions are sealed rows: the list of projects a worker trusts
//! says something about her, so none of it is readable without the vault key.
//!
//! The envelope format is documented in `docs/bundle-format.md`; content kinds plug in
//! through [`Feeds::accept`] (see `/work/coord/feeds-api.md` for the contract).

mod bundle;
mod keys;

use std::io::Read;

use rusqlite::{params, Connection, Transaction, TransactionBehavior};
use serde::{Deserialize, Serialize};

pub use bundle::{
    sign_bundle, BundleDraft, BundleKind, SignedBundle, UnverifiedBundle, DEFAULT_MAX_BUNDLE_BYTES,
    ENVELOPE_OVERHEAD, FORMAT_VERSION, MAGIC, SIGNATURE_DOMAIN,
};
pub use keys::{
    generate_publisher_key, PublicKey, PublisherKey, PublisherKeyId, PUBLIC_KEY_PREFIX,
    SECRET_KEY_PREFIX,
};

use crate::clock::Timestamp;
use crate::vault::{Listing, RecordId, SealedTable, Session};
use crate::{Error, Result};

const PUBLISHERS: &str = "feed_publishers";
const VERSIONS: &str = "feed_versions";
/// Keys a publisher may have pinned at once: the current one and the next (rotation).
pub const MAX_KEYS_PER_PUBLISHER: usize = 2;
const MAX_NAME_CHARS: usize = 100;

/// Why a bundle or a publisher key was refused. No message quotes bundle content.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FeedError {
    #[error("the bundle is larger than the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("the bundle is truncated")]
    Truncated,
    #[error("the bundle envelope is malformed: {0}")]
    MalformedEnvelope(&'static str),
    #[error("the bundle uses envelope format {0}, which this build does not understand")]
    UnsupportedFormat(u8),
    #[error("the bundle's signature is not valid")]
    BadSignature,
    #[error("the bundle is signed with key {key_id}, which no trusted publisher has")]
    UnknownPublisherKey { key_id: PublisherKeyId },
    #[error("a {expected} bundle was expected but this one holds {found}")]
    WrongKind {
        expected: BundleKind,
        found: BundleKind,
    },
    #[error("the bundle holds a kind of content this build does not know")]
    UnknownKind,
    #[error("{kind} bundle version {offered} is not newer than the accepted version {accepted}")]
    Rollback {
        kind: BundleKind,
        offered: u64,
        accepted: u64,
    },
    #[error("the bundle's content is malformed: {0}")]
    MalformedContent(String),
    /// Another import into the same vault cleared this one's staged rows (two imports at
    /// once, from two connections); nothing was changed.
    #[error("another import ran at the same time; nothing was changed, try again")]
    ConcurrentImport,
    #[error("invalid publisher key: {0}")]
    InvalidKey(&'static str),
    #[error("a publisher with that name is already trusted")]
    PublisherExists,
    #[error("that key is already pinned")]
    KeyAlreadyPinned,
    #[error("a publisher must keep at least one key")]
    LastKey,
}

/// One pinned public key of a publisher.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PinnedKey {
    pub key: PublicKey,
    pub key_id: PublisherKeyId,
    pub pinned_at: Timestamp,
}

/// A publisher the worker trusts: a name she recognises and up to two keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrustedPublisher {
    /// Row id; content tables reference it (`ON DELETE CASCADE`) to scope their rows.
    pub id: RecordId,
    pub name: String,
    /// Oldest first; at most [`MAX_KEYS_PER_PUBLISHER`].
    pub keys: Vec<PinnedKey>,
    pub trusted_at: Timestamp,
    /// The project's X25519 report key (`age1...`), as its last accepted alerts bundle
    /// announced it: reports sent to this publisher are encrypted to it (`docs/reports.md`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_key: Option<String>,
}

impl TrustedPublisher {
    fn key(&self, id: PublisherKeyId) -> Option<&PublicKey> {
        self.keys.iter().find(|k| k.key_id == id).map(|k| &k.key)
    }
}

/// The last accepted bundle of one kind from one publisher.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedStatus {
    pub publisher_id: RecordId,
    pub publisher: String,
    pub kind: BundleKind,
    pub version: u64,
    pub key_id: PublisherKeyId,
    pub issued_at: Timestamp,
    pub expires_at: Timestamp,
    pub accepted_at: Timestamp,
    /// Past its expiry at the `now` the status was asked for (or accepted at).
    #[serde(skip)]
    pub stale: bool,
}

/// A bundle verified against a trusted publisher's pinned key, handed to the importer.
#[derive(Debug)]
pub struct VerifiedBundle {
    pub publisher_id: RecordId,
    pub publisher: String,
    pub bundle: SignedBundle,
    /// Expired at acceptance: used anyway, but the app must say so.
    pub stale: bool,
}

impl VerifiedBundle {
    pub fn content(&self) -> &[u8] {
        self.bundle.content()
    }
}

/// The outcome of [`Feeds::accept`]: the recorded status and what the importer returned.
#[derive(Debug)]
pub struct Accepted<T> {
    pub status: FeedStatus,
    pub imported: T,
}

/// The trusted publishers and accepted bundles of an unlocked vault.
pub struct Feeds<'s> {
    session: &'s Session,
    max_bundle_bytes: u64,
}

impl Session {
    pub fn feeds(&self) -> Feeds<'_> {
        Feeds {
            session: self,
            max_bundle_bytes: DEFAULT_MAX_BUNDLE_BYTES,
        }
    }
}

pub(crate) fn check_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::invalid("publisher name", "must not be empty"));
    }
    if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(Error::invalid(
            "publisher name",
            "must be at most 100 printable characters",
        ));
    }
    Ok(name.to_owned())
}

pub(crate) fn same_name(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// The sealed record of the last accepted bundle of one kind from one publisher.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct VersionRecord {
    pub(crate) kind: BundleKind,
    pub(crate) version: u64,
    pub(crate) key_id: PublisherKeyId,
    pub(crate) issued_at: Timestamp,
    pub(crate) expires_at: Timestamp,
    pub(crate) accepted_at: Timestamp,
}

impl Feeds<'_> {
    /// A different input size limit (the default is [`DEFAULT_MAX_BUNDLE_BYTES`]).
    pub fn with_max_bundle_bytes(mut self, limit: u64) -> Self {
        self.max_bundle_bytes = limit;
        self
    }

    fn conn(&self) -> &Connection {
        self.session.conn()
    }

    /// Every trusted publisher, by name; rows that fail to open are reported.
    pub fn publishers(&self) -> Result<Listing<TrustedPublisher>> {
        let mut listing =
            SealedTable::<TrustedPublisher>::new(self.session, PUBLISHERS, "publisher").list()?;
        listing
            .items
            .sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        Ok(listing)
    }

    /// The trusted publisher called `name` (case-insensitive).
    pub fn publisher(&self, name: &str) -> Result<TrustedPublisher> {
        self.publishers()?
            .items
            .into_iter()
            .find(|p| same_name(&p.name, name))
            .ok_or(Error::NotFound("publisher"))
    }

    /// Writes a publisher as given (id, keys and times included).
    pub(crate) fn save(&self, conn: &Connection, p: &TrustedPublisher) -> Result<()> {
        let body = self.session.seal(PUBLISHERS, &p.id, p)?;
        conn.execute(
            "INSERT INTO feed_publishers (id, body) VALUES (?1, ?2)
             ON CONFLICT (id) DO UPDATE SET body = excluded.body",
            params![p.id, body],
        )?;
        Ok(())
    }

    /// Pins a new publisher with its first key.
    pub fn trust(&self, name: &str, key: PublicKey, now: Timestamp) -> Result<TrustedPublisher> {
        let name = check_name(name)?;
        let tx = self.conn().unchecked_transaction()?;
        let existing = self.publishers()?.items;
        if existing.iter().any(|p| same_name(&p.name, &name)) {
            return Err(FeedError::PublisherExists.into());
        }
        if existing.iter().any(|p| p.key(key.key_id()).is_some()) {
            return Err(FeedError::KeyAlreadyPinned.into());
        }
        let publisher = TrustedPublisher {
            id: self.session.new_id()?,
            name,
            keys: vec![PinnedKey {
                key,
                key_id: key.key_id(),
                pinned_at: now,
            }],
            trusted_at: now,
            report_key: None,
        };
        self.save(&tx, &publisher)?;
        tx.commit()?;
        Ok(publisher)
    }

    /// Pins the publisher's next key. With two keys pinned already, the older one is
    /// dropped, so a publisher announces key N+1 while still signing with key N.
    pub fn rotate(
        &self,
        name: &str,
        new_key: PublicKey,
        now: Timestamp,
    ) -> Result<TrustedPublisher> {
        let tx = self.conn().unchecked_transaction()?;
        let all = self.publishers()?.items;
        if all.iter().any(|p| p.key(new_key.key_id()).is_some()) {
            return Err(FeedError::KeyAlreadyPinned.into());
        }
        let mut publisher = all
            .into_iter()
            .find(|p| same_name(&p.name, name))
            .ok_or(Error::NotFound("publisher"))?;
        publisher.keys.push(PinnedKey {
            key: new_key,
            key_id: new_key.key_id(),
            pinned_at: now,
        });
        while publisher.keys.len() > MAX_KEYS_PER_PUBLISHER {
            publisher.keys.remove(0);
        }
        self.save(&tx, &publisher)?;
        tx.commit()?;
        Ok(publisher)
    }

    /// Unpins one key (a compromised or retired one); the last key cannot be removed.
    pub fn retire_key(&self, name: &str, key_id: PublisherKeyId) -> Result<TrustedPublisher> {
        let tx = self.conn().unchecked_transaction()?;
        let mut publisher = self.publisher(name)?;
        if publisher.key(key_id).is_none() {
            return Err(Error::NotFound("publisher key"));
        }
        if publisher.keys.len() == 1 {
            return Err(FeedError::LastKey.into());
        }
        publisher.keys.retain(|k| k.key_id != key_id);
        self.save(&tx, &publisher)?;
        tx.commit()?;
        Ok(publisher)
    }

    /// Records the report key a verified alerts bundle announced (`None`: it announced
    /// none, and any earlier key is dropped), on `conn` inside the import's transaction.
    pub(crate) fn set_report_key(
        &self,
        conn: &Connection,
        publisher: RecordId,
        report_key: Option<String>,
    ) -> Result<()> {
        let mut p = self.publisher_by_id(&publisher)?;
        if p.report_key != report_key {
            p.report_key = report_key;
            self.save(conn, &p)?;
        }
        Ok(())
    }

    /// Stops trusting a publisher. Its version records, and every content row that
    /// references it (`ON DELETE CASCADE`, e.g. its alerts), go with it.
    pub fn remove(&self, name: &str) -> Result<()> {
        let publisher = self.publisher(name)?;
        self.conn().execute(
            "DELETE FROM feed_publishers WHERE id = ?1",
            params![publisher.id],
        )?;
        self.session.checkpoint()
    }

    /// Reads and verifies a bundle against the pinned keys, without changing anything.
    pub fn verify(&self, input: impl Read, now: Timestamp) -> Result<VerifiedBundle> {
        let unverified = UnverifiedBundle::read(input, self.max_bundle_bytes)?;
        self.verify_read(unverified, now)
    }

    fn verify_read(&self, unverified: UnverifiedBundle, now: Timestamp) -> Result<VerifiedBundle> {
        let key_id = unverified.key_id()?;
        let publisher = self
            .publishers()?
            .items
            .into_iter()
            .find(|p| p.key(key_id).is_some())
            .ok_or(FeedError::UnknownPublisherKey { key_id })?;
        let key = *publisher
            .key(key_id)
            .ok_or(FeedError::UnknownPublisherKey { key_id })?;
        let bundle = unverified.verify(&key)?;
        Ok(VerifiedBundle {
            publisher_id: publisher.id,
            publisher: publisher.name,
            stale: bundle.is_stale(now),
            bundle,
        })
    }

    /// Accepts a bundle of `kind`: reads it within the size limit, verifies it, refuses a
    /// rollback, then runs `import` and records the new version — all in one transaction.
    ///
    /// `import` receives the connection (inside the transaction; any statement on the
    /// session's connection joins it) and the verified bundle; it must parse
    /// `bundle.content()` and return [`FeedError::MalformedContent`] if it cannot, after
    /// which nothing it wrote, and no version, is kept.
    pub fn accept<T>(
        &self,
        input: impl Read,
        kind: BundleKind,
        now: Timestamp,
        import: impl FnOnce(&Connection, &VerifiedBundle) -> Result<T>,
    ) -> Result<Accepted<T>> {
        self.accept_in_steps(
            input,
            kind,
            now,
            |_| Ok(()),
            |conn, b, ()| import(conn, b),
            false,
        )
    }

    /// [`Feeds::accept`] in two steps, so that a large import does not hold the write lock
    /// while it works: `prepare` (parse, normalize, seal, compute indexes) runs on the
    /// verified bundle *before* the write transaction; `write` then only stores what
    /// `prepare` produced, in the same transaction that records the version. The check-in
    /// runner, on its own connection, waits at most that short write (see
    /// `storage::BUSY_TIMEOUT`).
    ///
    /// The bundle's content is released once `prepare` returns: `write` sees the verified
    /// header fields and an empty [`VerifiedBundle::content`], so a large bundle is not
    /// held in memory beside what the write needs.
    pub fn accept_prepared<P, T>(
        &self,
        input: impl Read,
        kind: BundleKind,
        now: Timestamp,
        prepare: impl FnOnce(&VerifiedBundle) -> Result<P>,
        write: impl FnOnce(&Connection, &VerifiedBundle, P) -> Result<T>,
    ) -> Result<Accepted<T>> {
        self.accept_in_steps(input, kind, now, prepare, write, true)
    }

    fn accept_in_steps<P, T>(
        &self,
        input: impl Read,
        kind: BundleKind,
        now: Timestamp,
        prepare: impl FnOnce(&VerifiedBundle) -> Result<P>,
        write: impl FnOnce(&Connection, &VerifiedBundle, P) -> Result<T>,
        release_content: bool,
    ) -> Result<Accepted<T>> {
        // Read (bounded) and verify before taking the write lock: input may be slow.
        let unverified = UnverifiedBundle::read(input, self.max_bundle_bytes)?;
        let mut verified = self.verify_read(unverified, now)?;
        if verified.bundle.kind != kind {
            return Err(FeedError::WrongKind {
                expected: kind,
                found: verified.bundle.kind,
            }
            .into());
        }
        // Refuse a rollback before the expensive part too; checked again under the lock.
        self.check_not_rollback(self.conn(), &verified, kind)?;
        let prepared = prepare(&verified)?;
        if release_content {
            verified.bundle.release_content();
        }
        let b = &verified.bundle;
        // IMMEDIATE: take the write lock now (waiting out another writer with the busy
        // timeout) rather than failing when a read transaction upgrades.
        let tx = Transaction::new_unchecked(self.conn(), TransactionBehavior::Immediate)?;
        // The publisher may have been removed, or the key retired, since verification.
        let still_pinned = self
            .publishers()?
            .items
            .iter()
            .any(|p| p.id == verified.publisher_id && p.key(b.key_id).is_some());
        if !still_pinned {
            return Err(FeedError::UnknownPublisherKey { key_id: b.key_id }.into());
        }
        let previous = self.check_not_rollback(&tx, &verified, kind)?;
        let imported = write(&tx, &verified, prepared)?;
        let record = VersionRecord {
            kind,
            version: b.version,
            key_id: b.key_id,
            issued_at: b.issued_at,
            expires_at: b.expires_at,
            accepted_at: now,
        };
        let row_id = match previous {
            Some((id, _)) => id,
            None => self.session.new_id()?,
        };
        let body = self.session.seal(VERSIONS, &row_id, &record)?;
        tx.execute(
            "INSERT INTO feed_versions (id, publisher, body) VALUES (?1, ?2, ?3)
             ON CONFLICT (id) DO UPDATE SET body = excluded.body",
            params![row_id, verified.publisher_id, body],
        )?;
        tx.commit()?;
        Ok(Accepted {
            status: status_of(&verified.publisher, verified.publisher_id, record, now),
            imported,
        })
    }

    /// The stored version row of (publisher, kind), or `Rollback` if the bundle is not newer.
    fn check_not_rollback(
        &self,
        conn: &Connection,
        verified: &VerifiedBundle,
        kind: BundleKind,
    ) -> Result<Option<(RecordId, VersionRecord)>> {
        let previous = self.version_row(conn, verified.publisher_id, kind)?;
        if let Some((_, last)) = &previous {
            if verified.bundle.version <= last.version {
                return Err(FeedError::Rollback {
                    kind,
                    offered: verified.bundle.version,
                    accepted: last.version,
                }
                .into());
            }
        }
        Ok(previous)
    }

    fn version_row(
        &self,
        conn: &Connection,
        publisher: RecordId,
        kind: BundleKind,
    ) -> Result<Option<(RecordId, VersionRecord)>> {
        let mut stmt =
            conn.prepare_cached("SELECT id, body FROM feed_versions WHERE publisher = ?1")?;
        let mut rows = stmt.query(params![publisher])?;
        while let Some(row) = rows.next()? {
            let id: RecordId = row.get(0)?;
            let body = row.get::<_, crate::vault::SealedBody>(1)?.0;
            // A version record that does not open must not silently reset rollback
            // protection: the error propagates.
            let record: VersionRecord = self.session.open(VERSIONS, &id, &body)?;
            if record.kind == kind {
                return Ok(Some((id, record)));
            }
        }
        Ok(None)
    }

    /// The publisher with row id `id`.
    pub(crate) fn publisher_by_id(&self, id: &RecordId) -> Result<TrustedPublisher> {
        SealedTable::new(self.session, PUBLISHERS, "publisher").get(id)
    }

    /// Every accepted-version row: (row id, publisher id, the record or why it won't open).
    /// There are at most a few per publisher, so a list is fine.
    pub(crate) fn stored_versions(
        &self,
    ) -> Result<Vec<(RecordId, RecordId, Result<VersionRecord>)>> {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT id, publisher, body FROM feed_versions")?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let id: RecordId = row.get(0)?;
            let publisher: RecordId = row.get(1)?;
            let body = row.get::<_, crate::vault::SealedBody>(2)?.0;
            out.push((id, publisher, self.session.open(VERSIONS, &id, &body)));
        }
        Ok(out)
    }

    /// The accepted-version record for one publisher and kind; an unreadable row is an error.
    pub(crate) fn stored_version(
        &self,
        publisher: RecordId,
        kind: BundleKind,
    ) -> Result<Option<VersionRecord>> {
        Ok(self
            .version_row(self.conn(), publisher, kind)?
            .map(|(_, r)| r))
    }

    /// Records `record` as the accepted version of its kind for `publisher`, replacing the
    /// previous one (the caller has compared versions).
    pub(crate) fn put_version(&self, publisher: RecordId, record: &VersionRecord) -> Result<()> {
        let conn = self.conn();
        let row_id = match self.version_row(conn, publisher, record.kind)? {
            Some((id, _)) => id,
            None => self.session.new_id()?,
        };
        let body = self.session.seal(VERSIONS, &row_id, record)?;
        conn.execute(
            "INSERT INTO feed_versions (id, publisher, body) VALUES (?1, ?2, ?3)
             ON CONFLICT (id) DO UPDATE SET body = excluded.body",
            params![row_id, publisher, body],
        )?;
        Ok(())
    }

    /// The last accepted bundle of every publisher and kind, with staleness at `now`.
    pub fn status(&self, now: Timestamp) -> Result<Vec<FeedStatus>> {
        let mut out = Vec::new();
        for p in self.publishers()?.items {
            let mut stmt = self
                .conn()
                .prepare_cached("SELECT id, body FROM feed_versions WHERE publisher = ?1")?;
            let mut rows = stmt.query(params![p.id])?;
            while let Some(row) = rows.next()? {
                let id: RecordId = row.get(0)?;
                let body = row.get::<_, crate::vault::SealedBody>(1)?.0;
                let record: VersionRecord = self.session.open(VERSIONS, &id, &body)?;
                out.push(status_of(&p.name, p.id, record, now));
            }
        }
        out.sort_by(|a, b| {
            a.publisher
                .cmp(&b.publisher)
                .then(a.kind.as_str().cmp(b.kind.as_str()))
        });
        Ok(out)
    }

    /// The accepted bundles that are past their expiry at `now`.
    pub fn stale(&self, now: Timestamp) -> Result<Vec<FeedStatus>> {
        Ok(self.status(now)?.into_iter().filter(|s| s.stale).collect())
    }

    /// The last accepted version for one publisher and kind, if any.
    pub fn accepted_version(
        &self,
        publisher_id: RecordId,
        kind: BundleKind,
    ) -> Result<Option<u64>> {
        Ok(self
            .version_row(self.conn(), publisher_id, kind)?
            .map(|(_, r)| r.version))
    }
}

fn status_of(name: &str, publisher_id: RecordId, r: VersionRecord, now: Timestamp) -> FeedStatus {
    FeedStatus {
        publisher_id,
        publisher: name.to_owned(),
        kind: r.kind,
        version: r.version,
        key_id: r.key_id,
        issued_at: r.issued_at,
        expires_at: r.expires_at,
        accepted_at: r.accepted_at,
        stale: now >= r.expires_at,
    }
}

pub(crate) mod tables;
#[cfg(test)]
mod tests;
