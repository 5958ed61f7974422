//! The `trusted_publishers` section: the projects the worker trusts, with their pinned keys.
//!
//! Pinning a key is a trust decision, so the import is conservative: a publisher whose id is
//! already in the vault is replaced only when the incoming copy pinned a key later than
//! any key the vault's copy holds (it reflects a later rotation); otherwise the vault's
//! keys stay, so an old backup can never bring back a key the worker retired. A publisher
//! that clashes with a *different* trusted publisher (same name, or a key that is already
//! pinned) is rejected, as `Feeds::trust` would refuse it.

use serde::{Deserialize, Serialize};

use super::{
    found, invalid_reason, merge, parse_record, record_id, ImportState, RecordSink, Section,
    SectionReport,
};
use crate::clock::Timestamp;
use crate::feeds::{
    check_name, same_name, PinnedKey, PublicKey, PublisherKeyId, TrustedPublisher,
    MAX_KEYS_PER_PUBLISHER,
};
use crate::vault::{RecordId, Session};
use crate::{Error, Result};

/// One trusted publisher as exported (format 1.1).
#[derive(Debug, Serialize, Deserialize)]
struct PublisherRecord {
    id: RecordId,
    name: String,
    keys: Vec<KeyRecord>,
    trusted_at: Timestamp,
    /// The report key its alerts feed announced (`age1...`; since 1.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    report_key: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct KeyRecord {
    /// `vigil-pub:` + 64 hex digits.
    key: String,
    /// 16 hex digits; must match `key`.
    key_id: String,
    pinned_at: Timestamp,
}

impl From<TrustedPublisher> for PublisherRecord {
    fn from(p: TrustedPublisher) -> Self {
        let TrustedPublisher {
            id,
            name,
            keys,
            trusted_at,
            report_key,
        } = p;
        PublisherRecord {
            id,
            name,
            keys: keys
                .into_iter()
                .map(|k| {
                    let PinnedKey {
                        key,
                        key_id,
                        pinned_at,
                    } = k;
                    KeyRecord {
                        key: key.to_string(),
                        key_id: key_id.to_string(),
                        pinned_at,
                    }
                })
                .collect(),
            trusted_at,
            report_key,
        }
    }
}

impl PublisherRecord {
    fn into_publisher(self) -> std::result::Result<TrustedPublisher, String> {
        let name = check_name(&self.name).map_err(invalid_reason)?;
        if self.keys.is_empty() || self.keys.len() > MAX_KEYS_PER_PUBLISHER {
            return Err("a publisher has one or two pinned keys".into());
        }
        let mut keys: Vec<PinnedKey> = Vec::with_capacity(self.keys.len());
        for k in self.keys {
            let key: PublicKey = k.key.parse().map_err(|e: Error| e.to_string())?;
            let key_id: PublisherKeyId = k.key_id.parse().map_err(|e: Error| e.to_string())?;
            if key.key_id() != key_id {
                return Err("a key id does not match its key".into());
            }
            if keys.iter().any(|p| p.key_id == key_id) {
                return Err("the same key is pinned twice".into());
            }
            keys.push(PinnedKey {
                key,
                key_id,
                pinned_at: k.pinned_at,
            });
        }
        if let Some(k) = &self.report_key {
            k.parse::<crate::export::age::X25519Recipient>()
                .map_err(|_| "its report key is not an age X25519 recipient".to_owned())?;
        }
        Ok(TrustedPublisher {
            id: self.id,
            name,
            keys,
            trusted_at: self.trusted_at,
            report_key: self.report_key,
        })
    }
}

/// When the publisher's key set last grew: the merge compares this.
fn last_pinned(p: &TrustedPublisher) -> Timestamp {
    p.keys
        .iter()
        .map(|k| k.pinned_at)
        .max()
        .unwrap_or(p.trusted_at)
}

pub(crate) struct PublishersSection;

impl Section for PublishersSection {
    fn name(&self) -> &'static str {
        "trusted_publishers"
    }

    fn export(&self, session: &Session, sink: &mut RecordSink<'_>) -> Result<()> {
        // A handful of rows: listing them all is fine.
        let listing = session.feeds().publishers()?;
        for id in listing.unreadable {
            sink.unreadable(id);
        }
        for p in listing.items {
            sink.write(&PublisherRecord::from(p))?;
        }
        Ok(())
    }

    fn import(
        &self,
        session: &Session,
        record: serde_json::Value,
        report: &mut SectionReport,
        _state: &mut ImportState,
    ) -> Result<()> {
        let id = record_id(&record);
        let Some(r) =
            parse_record::<PublisherRecord>(record, report, record_id, "trusted publisher")
        else {
            return Ok(());
        };
        let publisher = match r.into_publisher() {
            Ok(p) => p,
            Err(reason) => {
                report.reject(id, reason);
                return Ok(());
            }
        };
        let feeds = session.feeds();
        merge(
            report,
            publisher.id,
            "the vault's copy of this publisher is unreadable",
            || found(feeds.publisher_by_id(&publisher.id)),
            |current| last_pinned(current) < last_pinned(&publisher),
            |_| {
                // As `Feeds::trust` would refuse it; checked only when it is to be written.
                let others = feeds.publishers()?;
                for other in others.items.iter().filter(|o| o.id != publisher.id) {
                    if same_name(&other.name, &publisher.name) {
                        return Ok(Err("another publisher with that name is already trusted"));
                    }
                    if other
                        .keys
                        .iter()
                        .any(|k| publisher.keys.iter().any(|n| n.key_id == k.key_id))
                    {
                        return Ok(Err(
                            "one of its keys is already pinned for another publisher",
                        ));
                    }
                }
                feeds.save(session.conn(), &publisher)?;
                Ok(Ok(()))
            },
        )?;
        Ok(())
    }
}
