//! The `feed_versions` section: the last accepted bundle version per publisher and kind,
//! and the decision that the `alerts` and `directory` sections follow.
//!
//! The signed bundles themselves are not kept in the vault (only what they contained), so
//! the export carries the accepted *contents* as records, each tagged with the bundle
//! version it came from, plus one `feed_versions` record per publisher and kind. Restoring
//! them reproduces the same alerts and services and the same rollback protection: a bundle
//! not newer than the restored version is still refused.
//!
//! A feed is merged as a unit, as accepting a bundle replaces it as a unit: when the
//! incoming version is newer than the vault's (or the vault has none), the vault's
//! contents for that publisher and kind are deleted and the incoming ones inserted;
//! otherwise the vault's feed is kept whole and the incoming contents are counted as
//! `kept_existing`. This section decides (a [`FeedPlan`] per feed), so it must come before
//! `alerts` and `directory` (Vigil writes it so); contents with no decision are rejected.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::{
    merge, parse_record, publisher_id, ImportState, Merged, RecordSink, Section, SectionReport,
};
use crate::clock::Timestamp;
use crate::feeds::{BundleKind, PublisherKeyId, VersionRecord};
use crate::identifiers::Region;
use crate::vault::{RecordId, Session};
use crate::{Error, Result};

/// What the `feed_versions` section decided for one publisher and kind.
pub(crate) struct FeedPlan {
    pub(super) version: u64,
    /// The incoming contents replace the vault's; otherwise the vault's feed is kept.
    pub(super) replace: bool,
    /// The vault's name for the publisher (stored with alerts and directory chunks).
    pub(super) publisher: String,
    pub(super) expires_at: Timestamp,
    /// Directory parts already stored, to refuse a part given twice.
    pub(super) parts: BTreeSet<u32>,
}

/// The plan of a content record's feed when that feed is being replaced. `None` when the
/// record is dealt with here: counted as kept (the vault's feed stays) or rejected under
/// `id` (no decision precedes it, or the decision was about another version).
pub(super) fn replacing_plan<'s>(
    state: &'s mut ImportState,
    report: &mut SectionReport,
    id: RecordId,
    publisher: RecordId,
    kind: BundleKind,
    version: u64,
) -> Option<&'s mut FeedPlan> {
    match state.feeds.get_mut(&(publisher, kind)) {
        None => report.reject(Some(id), "no accepted version of its feed precedes it"),
        Some(plan) if plan.version != version => {
            report.reject(Some(id), "it belongs to another version of its feed")
        }
        Some(plan) if !plan.replace => report.kept_existing += 1,
        Some(plan) => return Some(plan),
    }
    None
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum KindRecord {
    Alerts,
    Directory,
}

impl KindRecord {
    fn of(kind: BundleKind) -> Self {
        match kind {
            BundleKind::Alerts => KindRecord::Alerts,
            BundleKind::Directory => KindRecord::Directory,
        }
    }

    fn kind(self) -> BundleKind {
        match self {
            KindRecord::Alerts => BundleKind::Alerts,
            KindRecord::Directory => BundleKind::Directory,
        }
    }
}

/// The last accepted bundle of one kind from one publisher (format 1.1).
#[derive(Debug, Serialize, Deserialize)]
struct FeedVersionRecord {
    publisher_id: RecordId,
    kind: KindRecord,
    version: u64,
    /// The publisher key that signed it (16 hex digits).
    key_id: String,
    issued_at: Timestamp,
    expires_at: Timestamp,
    accepted_at: Timestamp,
}

pub(crate) struct FeedVersionsSection;

impl Section for FeedVersionsSection {
    fn name(&self) -> &'static str {
        "feed_versions"
    }

    fn export(&self, session: &Session, sink: &mut RecordSink<'_>) -> Result<()> {
        for (row, publisher, opened) in session.feeds().stored_versions()? {
            let record = opened.map(|v| {
                let VersionRecord {
                    kind,
                    version,
                    key_id,
                    issued_at,
                    expires_at,
                    accepted_at,
                } = v;
                FeedVersionRecord {
                    publisher_id: publisher,
                    kind: KindRecord::of(kind),
                    version,
                    key_id: key_id.to_string(),
                    issued_at,
                    expires_at,
                    accepted_at,
                }
            });
            sink.write_opened(row, record)?;
        }
        Ok(())
    }

    fn import(
        &self,
        session: &Session,
        record: serde_json::Value,
        report: &mut SectionReport,
        state: &mut ImportState,
    ) -> Result<()> {
        let Some(r) =
            parse_record::<FeedVersionRecord>(record, report, publisher_id, "feed version")
        else {
            return Ok(());
        };
        let Ok(key_id) = r.key_id.parse::<PublisherKeyId>() else {
            report.reject(Some(r.publisher_id), "invalid key id");
            return Ok(());
        };
        if r.expires_at <= r.issued_at {
            report.reject(Some(r.publisher_id), "expiry is not after issue");
            return Ok(());
        }
        let kind = r.kind.kind();
        if state.feeds.contains_key(&(r.publisher_id, kind)) {
            report.reject(
                Some(r.publisher_id),
                "a second version record for the same publisher and kind",
            );
            return Ok(());
        }
        let feeds = session.feeds();
        let publisher = match feeds.publisher_by_id(&r.publisher_id) {
            Ok(p) => p,
            Err(Error::NotFound(_)) => {
                report.reject(
                    Some(r.publisher_id),
                    "its publisher is not in the vault (missing or rejected)",
                );
                return Ok(());
            }
            Err(Error::Tampered | Error::Decode(_)) => {
                report.reject(Some(r.publisher_id), "its publisher is unreadable");
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        let merged = merge(
            report,
            r.publisher_id,
            // Never reset rollback protection that cannot be read.
            "the vault's version record of this feed is unreadable",
            || feeds.stored_version(r.publisher_id, kind),
            |current| current.version < r.version,
            |_| {
                let deleted = match kind {
                    BundleKind::Alerts => session
                        .screening(Region::GB)
                        .delete_publisher_alerts(&r.publisher_id)?,
                    BundleKind::Directory => session
                        .directory()
                        .delete_publisher_chunks(&r.publisher_id)?,
                };
                state.erased |= deleted > 0;
                feeds.put_version(
                    r.publisher_id,
                    &VersionRecord {
                        kind,
                        version: r.version,
                        key_id,
                        issued_at: r.issued_at,
                        expires_at: r.expires_at,
                        accepted_at: r.accepted_at,
                    },
                )?;
                Ok(Ok(()))
            },
        )?;
        let replace = match merged {
            Merged::Inserted | Merged::Updated => true,
            Merged::Kept => false,
            Merged::Rejected => return Ok(()),
        };
        state.feeds.insert(
            (r.publisher_id, kind),
            FeedPlan {
                version: r.version,
                replace,
                publisher: publisher.name,
                expires_at: r.expires_at,
                parts: BTreeSet::new(),
            },
        );
        Ok(())
    }
}
