//! Directory bundles: built and signed by a publisher, accepted into the vault by the app.
//!
//! The bundle's content is a [`DirectoryContent`] as JSON (the services and the time zone
//! their hours are written in), carried in a signed `directory` bundle from `feeds`.
//! Accepting one replaces only that publisher's previous services, inside the same
//! transaction that records the new version: a refused or failing bundle leaves the old
//! directory and version untouched.
//!
//! In the vault a publisher's directory is sealed in chunks of [`SERVICES_PER_CHUNK`]
//! services (one row each, `publisher` referencing `feed_publishers` so removing a
//! publisher removes its services). Chunks keep every sealed blob small; loading opens them
//! all and builds the [`DirectoryIndex`] once.

use std::collections::BTreeMap;
use std::io::Read;

use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::{DirectoryContent, DirectoryError, DirectoryIndex, Service, CONTENT_FORMAT};
use crate::clock::Timestamp;
use crate::feeds::{
    sign_bundle, Accepted, BundleDraft, BundleKind, FeedError, PublisherKey, VerifiedBundle,
};
use crate::vault::{is_damage, Owned, RecordId, SealedTable, Session};
use crate::{Error, Result};

pub(super) const TABLE: &str = "directory_chunks";

/// Services sealed together in one row.
pub const SERVICES_PER_CHUNK: usize = 2_000;

/// Publisher side: validates `content` and signs it as a `directory` bundle. `version`
/// must grow with every bundle the publisher issues (the app refuses anything else).
pub fn build_directory_bundle(
    key: &PublisherKey,
    content: &DirectoryContent,
    version: u64,
    issued_at: Timestamp,
    expires_at: Timestamp,
) -> Result<Vec<u8>> {
    content.validate()?;
    let bytes = content.to_json()?;
    sign_bundle(
        key,
        &BundleDraft {
            kind: BundleKind::Directory,
            version,
            issued_at,
            expires_at,
            content: &bytes,
        },
    )
}

/// What accepting a directory bundle stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredDirectory {
    pub services: usize,
    pub chunks: usize,
}

/// The directory as loaded from the vault.
#[derive(Debug)]
pub struct LoadedDirectory {
    pub index: DirectoryIndex,
    /// Rows that failed authentication or decoding (tampered or corrupt): left out, reported.
    pub unreadable: Vec<RecordId>,
    /// Publishers some of whose chunks are missing or from another version: what could be
    /// read is loaded, and the app should ask for the bundle again.
    pub incomplete: Vec<String>,
}

#[derive(Serialize)]
struct ChunkRef<'a> {
    publisher_id: RecordId,
    publisher: &'a str,
    version: u64,
    time_zone: &'a str,
    index: u32,
    count: u32,
    services: &'a [Service],
}

/// One sealed row: part `index` of `count` of a publisher's directory at `version` (fields
/// in the order of `ChunkRef`, which writes it: sealed records are positional).
#[derive(Serialize, Deserialize)]
pub(crate) struct Chunk {
    pub(crate) publisher_id: RecordId,
    pub(crate) publisher: String,
    pub(crate) version: u64,
    pub(crate) time_zone: String,
    pub(crate) index: u32,
    pub(crate) count: u32,
    pub(crate) services: Vec<Service>,
}

/// The service directory of an unlocked vault.
pub struct Directory<'s> {
    session: &'s Session,
}

impl Session {
    pub fn directory(&self) -> Directory<'_> {
        Directory { session: self }
    }
}

impl Directory<'_> {
    /// Verifies a `directory` bundle from a trusted publisher (signature, kind, rollback:
    /// see `feeds`), checks its content, and replaces that publisher's services with it.
    /// Malformed content is refused with [`FeedError::MalformedContent`] and changes nothing.
    pub fn accept_bundle(
        &self,
        input: impl Read,
        now: Timestamp,
    ) -> Result<Accepted<StoredDirectory>> {
        let accepted =
            self.session
                .feeds()
                .accept(input, BundleKind::Directory, now, |conn, bundle| {
                    self.store(conn, bundle)
                })?;
        Ok(accepted)
    }

    fn store(
        &self,
        conn: &rusqlite::Connection,
        bundle: &VerifiedBundle,
    ) -> Result<StoredDirectory> {
        let content = parse_content(bundle.content())?;
        self.store_services(
            conn,
            bundle.publisher_id,
            &bundle.publisher,
            bundle.bundle.version,
            &content,
        )
    }

    /// Replaces one publisher's services with `content`, in chunks (also used by the
    /// duress layer to give the decoy its everyday services).
    pub(crate) fn store_services(
        &self,
        conn: &rusqlite::Connection,
        publisher_id: RecordId,
        publisher: &str,
        version: u64,
        content: &DirectoryContent,
    ) -> Result<StoredDirectory> {
        conn.execute(
            "DELETE FROM directory_chunks WHERE publisher = ?1",
            params![publisher_id],
        )?;
        let count = content.services.len().div_ceil(SERVICES_PER_CHUNK).max(1);
        let count_u32 = u32::try_from(count)
            .map_err(|_| FeedError::MalformedContent("too many services".into()))?;
        let mut insert = conn.prepare_cached(
            "INSERT INTO directory_chunks (id, publisher, body) VALUES (?1, ?2, ?3)",
        )?;
        let mut chunks = content
            .services
            .chunks(SERVICES_PER_CHUNK)
            .collect::<Vec<_>>();
        if chunks.is_empty() {
            // An empty directory is still a directory: it clears the publisher's services.
            chunks.push(&[]);
        }
        for (i, services) in chunks.into_iter().enumerate() {
            let id = self.session.new_id()?;
            let chunk = ChunkRef {
                publisher_id,
                publisher,
                version,
                time_zone: &content.time_zone,
                index: i as u32,
                count: count_u32,
                services,
            };
            let body = self.session.seal(TABLE, &id, &chunk)?;
            insert.execute(params![id, publisher_id, body])?;
        }
        Ok(StoredDirectory {
            services: content.services.len(),
            chunks: count,
        })
    }

    /// Visits every stored chunk row by row (a chunk moved under another publisher is
    /// reported as tampered).
    pub(crate) fn for_each_stored_chunk(
        &self,
        mut visit: impl FnMut(RecordId, Result<Chunk>) -> Result<()>,
    ) -> Result<()> {
        self.chunks()
            .for_each_owned("publisher", |id, _, opened| visit(id, opened))
    }

    /// The sealed rows of the directory.
    fn chunks(&self) -> SealedTable<'_, Chunk> {
        SealedTable::new(self.session, TABLE, "directory part")
    }

    /// Stores one chunk under a new row id (chunk row ids carry no meaning).
    pub(crate) fn put_chunk(&self, chunk: &Chunk) -> Result<()> {
        let id = self.session.new_id()?;
        let sealed = ChunkRef {
            publisher_id: chunk.publisher_id,
            publisher: &chunk.publisher,
            version: chunk.version,
            time_zone: &chunk.time_zone,
            index: chunk.index,
            count: chunk.count,
            services: &chunk.services,
        };
        let body = self.session.seal(TABLE, &id, &sealed)?;
        self.session.conn().execute(
            "INSERT INTO directory_chunks (id, publisher, body) VALUES (?1, ?2, ?3)",
            params![id, chunk.publisher_id, body],
        )?;
        Ok(())
    }

    /// Removes one publisher's directory; returns how many chunks went.
    pub(crate) fn delete_publisher_chunks(&self, publisher: &RecordId) -> Result<usize> {
        Ok(self.session.conn().execute(
            "DELETE FROM directory_chunks WHERE publisher = ?1",
            params![publisher],
        )?)
    }

    /// Opens every stored chunk and builds the in-memory index once.
    pub fn load(&self) -> Result<LoadedDirectory> {
        struct Parts {
            name: String,
            time_zone: String,
            version: u64,
            count: u32,
            chunks: BTreeMap<u32, Vec<Service>>,
            consistent: bool,
        }
        let mut unreadable = Vec::new();
        let mut by_publisher: BTreeMap<RecordId, Parts> = BTreeMap::new();
        self.chunks()
            .for_each_owned("publisher", |id, publisher, opened| {
                let chunk = match opened {
                    Ok(c) => c,
                    Err(e) if is_damage(&e) => {
                        unreadable.push(id);
                        return Ok(());
                    }
                    Err(e) => return Err(e),
                };
                let parts = by_publisher.entry(publisher).or_insert_with(|| Parts {
                    name: chunk.publisher.clone(),
                    time_zone: chunk.time_zone.clone(),
                    version: chunk.version,
                    count: chunk.count,
                    chunks: BTreeMap::new(),
                    consistent: true,
                });
                if chunk.version != parts.version
                    || chunk.count != parts.count
                    || chunk.time_zone != parts.time_zone
                {
                    parts.consistent = false;
                    parts.version = parts.version.max(chunk.version);
                }
                if parts.chunks.insert(chunk.index, chunk.services).is_some() {
                    parts.consistent = false;
                }
                Ok(())
            })?;
        let mut incomplete = Vec::new();
        // A publisher whose directory was accepted but none of whose chunks could be read
        // (every accepted bundle stores at least one chunk, even when empty).
        // Read row by row: a damaged version record must not make the whole directory
        // unusable (it is reported by the export and refused by the next import).
        let feeds = self.session.feeds();
        let publishers = feeds.publishers()?.items;
        for (_, publisher_id, record) in feeds.stored_versions()? {
            let Ok(record) = record else { continue };
            if record.kind == BundleKind::Directory && !by_publisher.contains_key(&publisher_id) {
                if let Some(p) = publishers.iter().find(|p| p.id == publisher_id) {
                    incomplete.push(p.name.clone());
                }
            }
        }
        let mut directories: Vec<(String, DirectoryContent)> = by_publisher
            .into_values()
            .map(|p| {
                if !p.consistent || p.chunks.len() != p.count as usize {
                    incomplete.push(p.name.clone());
                }
                let services = p.chunks.into_values().flatten().collect();
                (p.name, DirectoryContent::new(&p.time_zone, services))
            })
            .collect();
        crate::sort::sort_by(&mut directories, |a, b| a.0.cmp(&b.0));
        crate::sort::sort(&mut incomplete);
        incomplete.dedup();
        Ok(LoadedDirectory {
            index: DirectoryIndex::build(directories)?,
            unreadable,
            incomplete,
        })
    }
}

/// Parses and checks bundle content. Messages name positions and fields, never content.
fn parse_content(bytes: &[u8]) -> Result<DirectoryContent> {
    let malformed = |m: String| -> Error { FeedError::MalformedContent(m).into() };
    let content: DirectoryContent = serde_json::from_slice(bytes).map_err(|e| {
        malformed(format!(
            "not a directory document (line {}, column {})",
            e.line(),
            e.column()
        ))
    })?;
    if content.format != CONTENT_FORMAT {
        return Err(malformed(format!(
            "directory content format {} is not supported",
            content.format
        )));
    }
    if super::hours::parse_time_zone(&content.time_zone).is_err() {
        return Err(malformed("unknown time zone".to_owned()));
    }
    let mut ids = std::collections::HashSet::with_capacity(content.services.len());
    for (i, s) in content.services.iter().enumerate() {
        match s.validate() {
            Ok(()) => {}
            Err(Error::InvalidInput { field, reason }) => {
                return Err(malformed(format!("service {i}: {field} {reason}")))
            }
            Err(e) => return Err(e),
        }
        if !ids.insert(s.id.as_str()) {
            return Err(malformed(format!(
                "service {i}: {}",
                DirectoryError::DuplicateServiceId
            )));
        }
    }
    Ok(content)
}

/// A directory part belongs to the publisher whose bundle it came from.
impl Owned for Chunk {
    fn owner(&self) -> RecordId {
        self.publisher_id
    }
}
