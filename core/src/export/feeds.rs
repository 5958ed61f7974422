//! Accepted bundles: the `feed_versions`, `alerts` and `directory` sections.
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
//! `kept_existing`. The `feed_versions` section decides, so it must come before `alerts`
//! and `directory` (Vigil writes it so); contents with no decision are rejected.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use super::notes::IdentifierRecord;
use super::{ImportState, RecordSink, Section, SectionReport};
use crate::clock::Timestamp;
use crate::directory::{hours, Category, Service};
use crate::feeds::{BundleKind, PublisherKeyId, VersionRecord};
use crate::screening::{Alert, AlertArea, AlertCategory, Region, Screening};
use crate::vault::{RecordId, Session};
use crate::{Error, Result};

/// What the `feed_versions` section decided for one publisher and kind.
pub(crate) struct FeedPlan {
    version: u64,
    /// The incoming contents replace the vault's; otherwise the vault's feed is kept.
    replace: bool,
    /// The vault's name for the publisher (stored with alerts and directory chunks).
    publisher: String,
    expires_at: Timestamp,
    /// Directory parts already stored, to refuse a part given twice.
    parts: BTreeSet<u32>,
}

fn invalid_reason(e: Error) -> String {
    match e {
        Error::InvalidInput { field, reason } => format!("invalid {field}: {reason}"),
        other => other.to_string(),
    }
}

// ---- feed_versions -------------------------------------------------------------------

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
            match opened {
                Ok(v) => {
                    let VersionRecord {
                        kind,
                        version,
                        key_id,
                        issued_at,
                        expires_at,
                        accepted_at,
                    } = v;
                    sink.write(&FeedVersionRecord {
                        publisher_id: publisher,
                        kind: KindRecord::of(kind),
                        version,
                        key_id: key_id.to_string(),
                        issued_at,
                        expires_at,
                        accepted_at,
                    })?;
                }
                Err(Error::Tampered | Error::Decode(_)) => sink.unreadable(row),
                Err(e) => return Err(e),
            }
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
        let publisher_id = publisher_id(&record);
        let Ok(r) = serde_json::from_value::<FeedVersionRecord>(record) else {
            report.reject(publisher_id, "not a valid feed version record");
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
        let current = match feeds.stored_version(r.publisher_id, kind) {
            Ok(v) => v,
            // Never reset rollback protection that cannot be read.
            Err(Error::Tampered | Error::Decode(_)) => {
                report.reject(
                    Some(r.publisher_id),
                    "the vault's version record of this feed is unreadable",
                );
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        let replace = current.as_ref().is_none_or(|c| c.version < r.version);
        if replace {
            let deleted = match kind {
                BundleKind::Alerts => {
                    screening(session).delete_publisher_alerts(&r.publisher_id)?
                }
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
            if current.is_some() {
                report.updated += 1;
            } else {
                report.inserted += 1;
            }
        } else {
            report.kept_existing += 1;
        }
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

fn publisher_id(record: &serde_json::Value) -> Option<RecordId> {
    record
        .get("publisher_id")
        .and_then(|v| v.as_str())
        .and_then(|s| s.parse().ok())
}

fn screening(session: &Session) -> Screening<'_> {
    session.screening(Region::GB)
}

/// The plan for a content record, or why the record cannot be placed.
fn plan_for(
    state: &mut ImportState,
    publisher: RecordId,
    kind: BundleKind,
    version: u64,
) -> std::result::Result<&mut FeedPlan, &'static str> {
    match state.feeds.get_mut(&(publisher, kind)) {
        None => Err("no accepted version of its feed precedes it"),
        Some(plan) if plan.version != version => Err("it belongs to another version of its feed"),
        Some(plan) => Ok(plan),
    }
}

// ---- alerts --------------------------------------------------------------------------

/// One alert of an accepted alert feed (format 1.1).
#[derive(Debug, Serialize, Deserialize)]
struct AlertRecord {
    id: RecordId,
    publisher_id: RecordId,
    /// The accepted bundle version it came from.
    feed_version: u64,
    /// The publisher's own reference.
    reference: String,
    issued: Timestamp,
    identifiers: Vec<IdentifierRecord>,
    #[serde(default)]
    area: Option<AreaRecord>,
    category: CategoryRecord,
    #[serde(default)]
    description: String,
    #[serde(default)]
    lang: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
enum AreaRecord {
    Circle { lat: f64, lon: f64, radius_m: f64 },
    Place { place: String },
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum CategoryRecord {
    Violence,
    SexualAssault,
    Robbery,
    Stealthing,
    Harassment,
    NonPayment,
    TimeWaster,
    /// Anything else, including categories newer than this build (as in bundles).
    #[serde(other)]
    Other,
}

fn alert_record(a: Alert, feed_version: u64) -> AlertRecord {
    let Alert {
        id,
        publisher_id,
        publisher: _,
        feed_expires_at: _,
        reference,
        issued,
        identifiers,
        area,
        category,
        description,
        lang,
    } = a;
    AlertRecord {
        id,
        publisher_id,
        feed_version,
        reference,
        issued,
        identifiers: identifiers.iter().map(IdentifierRecord::from).collect(),
        area: area.map(|a| match a {
            AlertArea::Circle { lat, lon, radius_m } => AreaRecord::Circle { lat, lon, radius_m },
            AlertArea::Place { place } => AreaRecord::Place { place },
        }),
        category: match category {
            AlertCategory::Violence => CategoryRecord::Violence,
            AlertCategory::SexualAssault => CategoryRecord::SexualAssault,
            AlertCategory::Robbery => CategoryRecord::Robbery,
            AlertCategory::Stealthing => CategoryRecord::Stealthing,
            AlertCategory::Harassment => CategoryRecord::Harassment,
            AlertCategory::NonPayment => CategoryRecord::NonPayment,
            AlertCategory::TimeWaster => CategoryRecord::TimeWaster,
            AlertCategory::Other => CategoryRecord::Other,
        },
        description,
        lang,
    }
}

pub(crate) struct AlertsSection;

impl Section for AlertsSection {
    fn name(&self) -> &'static str {
        "alerts"
    }

    fn export(&self, session: &Session, sink: &mut RecordSink<'_>) -> Result<()> {
        // Accepting a bundle replaces a publisher's alerts and its version together, so
        // every alert belongs to its publisher's current alerts version.
        let versions: HashMap<RecordId, u64> = session
            .feeds()
            .stored_versions()?
            .into_iter()
            .filter_map(|(_, publisher, v)| {
                v.ok()
                    .filter(|v| v.kind == BundleKind::Alerts)
                    .map(|v| (publisher, v.version))
            })
            .collect();
        screening(session).for_each_stored_alert(|id, opened| match opened {
            Ok(alert) => match versions.get(&alert.publisher_id) {
                Some(&version) => sink.write(&alert_record(alert, version)),
                // Without its version it could not be restored with rollback protection.
                None => {
                    sink.unreadable(id);
                    Ok(())
                }
            },
            Err(Error::Tampered | Error::Decode(_)) => {
                sink.unreadable(id);
                Ok(())
            }
            Err(e) => Err(e),
        })
    }

    fn import(
        &self,
        session: &Session,
        record: serde_json::Value,
        report: &mut SectionReport,
        state: &mut ImportState,
    ) -> Result<()> {
        let id = super::record_id(&record);
        let Ok(r) = serde_json::from_value::<AlertRecord>(record) else {
            report.reject(id, "not a valid alert record");
            return Ok(());
        };
        let plan = match plan_for(state, r.publisher_id, BundleKind::Alerts, r.feed_version) {
            Ok(plan) => plan,
            Err(reason) => {
                report.reject(Some(r.id), reason);
                return Ok(());
            }
        };
        if !plan.replace {
            report.kept_existing += 1;
            return Ok(());
        }
        let identifiers = match r
            .identifiers
            .iter()
            .map(IdentifierRecord::to_identifier)
            .collect::<Result<Vec<_>>>()
        {
            Ok(mut ids) => {
                ids.sort();
                ids.dedup();
                ids
            }
            Err(e) => {
                report.reject(Some(r.id), invalid_reason(e));
                return Ok(());
            }
        };
        let alert = Alert {
            id: r.id,
            publisher_id: r.publisher_id,
            publisher: plan.publisher.clone(),
            feed_expires_at: plan.expires_at,
            reference: r.reference.trim().to_owned(),
            issued: r.issued,
            identifiers,
            area: r.area.map(|a| match a {
                AreaRecord::Circle { lat, lon, radius_m } => {
                    AlertArea::Circle { lat, lon, radius_m }
                }
                AreaRecord::Place { place } => AlertArea::Place { place },
            }),
            category: match r.category {
                CategoryRecord::Violence => AlertCategory::Violence,
                CategoryRecord::SexualAssault => AlertCategory::SexualAssault,
                CategoryRecord::Robbery => AlertCategory::Robbery,
                CategoryRecord::Stealthing => AlertCategory::Stealthing,
                CategoryRecord::Harassment => AlertCategory::Harassment,
                CategoryRecord::NonPayment => AlertCategory::NonPayment,
                CategoryRecord::TimeWaster => AlertCategory::TimeWaster,
                CategoryRecord::Other => AlertCategory::Other,
            },
            description: r.description,
            lang: r.lang,
        };
        if let Err(reason) = Screening::check_alert(&alert) {
            report.reject(Some(alert.id), reason);
            return Ok(());
        }
        let screening = screening(session);
        if screening.alert_exists(&alert.id)? {
            report.reject(Some(alert.id), "an alert with this id is already stored");
            return Ok(());
        }
        screening.put_alert(session.conn(), &alert)?;
        report.inserted += 1;
        Ok(())
    }
}

// ---- directory -----------------------------------------------------------------------

/// Part `part` (from 0) of `parts` of one publisher's accepted directory (format 1.1).
/// Parts hold at most a few thousand services each, so import memory stays bounded.
#[derive(Debug, Serialize, Deserialize)]
struct DirectoryPartRecord {
    publisher_id: RecordId,
    version: u64,
    /// IANA time zone the opening hours are written in.
    time_zone: String,
    part: u32,
    parts: u32,
    services: Vec<ServiceRecord>,
}

#[derive(Debug, Serialize, Deserialize)]
struct ServiceRecord {
    /// The publisher's id for the service.
    id: String,
    name: String,
    categories: Vec<String>,
    latitude: f64,
    longitude: f64,
    #[serde(default)]
    address: Option<String>,
    #[serde(default)]
    postcode: Option<String>,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    website: Option<String>,
    #[serde(default)]
    opening_hours: Option<String>,
    #[serde(default)]
    languages: Vec<String>,
    #[serde(default)]
    notes: Option<String>,
    #[serde(default)]
    last_updated: Option<chrono::NaiveDate>,
}

impl From<Service> for ServiceRecord {
    fn from(s: Service) -> Self {
        let Service {
            id,
            name,
            categories,
            latitude,
            longitude,
            address,
            postcode,
            phone,
            website,
            opening_hours,
            languages,
            notes,
            last_updated,
        } = s;
        ServiceRecord {
            id,
            name,
            categories: categories.iter().map(|c| c.as_str().to_owned()).collect(),
            latitude,
            longitude,
            address,
            postcode,
            phone,
            website,
            opening_hours,
            languages,
            notes,
            last_updated,
        }
    }
}

impl From<ServiceRecord> for Service {
    fn from(r: ServiceRecord) -> Self {
        Service {
            id: r.id,
            name: r.name,
            // A category newer than this build reads as `other`, as in bundles' importers.
            categories: r
                .categories
                .iter()
                .map(|name| {
                    Category::ALL
                        .into_iter()
                        .find(|c| c.as_str() == name)
                        .unwrap_or(Category::Other)
                })
                .collect(),
            latitude: r.latitude,
            longitude: r.longitude,
            address: r.address,
            postcode: r.postcode,
            phone: r.phone,
            website: r.website,
            opening_hours: r.opening_hours,
            languages: r.languages,
            notes: r.notes,
            last_updated: r.last_updated,
        }
    }
}

pub(crate) struct DirectorySection;

impl Section for DirectorySection {
    fn name(&self) -> &'static str {
        "directory"
    }

    fn export(&self, session: &Session, sink: &mut RecordSink<'_>) -> Result<()> {
        session
            .directory()
            .for_each_stored_chunk(|id, opened| match opened {
                Ok(c) => sink.write(&DirectoryPartRecord {
                    publisher_id: c.publisher_id,
                    version: c.version,
                    time_zone: c.time_zone,
                    part: c.index,
                    parts: c.count,
                    services: c.services.into_iter().map(ServiceRecord::from).collect(),
                }),
                Err(Error::Tampered | Error::Decode(_)) => {
                    sink.unreadable(id);
                    Ok(())
                }
                Err(e) => Err(e),
            })
    }

    fn import(
        &self,
        session: &Session,
        record: serde_json::Value,
        report: &mut SectionReport,
        state: &mut ImportState,
    ) -> Result<()> {
        let publisher_id = publisher_id(&record);
        let Ok(r) = serde_json::from_value::<DirectoryPartRecord>(record) else {
            report.reject(publisher_id, "not a valid directory part record");
            return Ok(());
        };
        let plan = match plan_for(state, r.publisher_id, BundleKind::Directory, r.version) {
            Ok(plan) => plan,
            Err(reason) => {
                report.reject(Some(r.publisher_id), reason);
                return Ok(());
            }
        };
        if !plan.replace {
            report.kept_existing += 1;
            return Ok(());
        }
        if r.parts == 0 || r.part >= r.parts {
            report.reject(Some(r.publisher_id), "part number out of range");
            return Ok(());
        }
        if hours::parse_time_zone(&r.time_zone).is_err() {
            report.reject(Some(r.publisher_id), "unknown time zone");
            return Ok(());
        }
        let services: Vec<Service> = r.services.into_iter().map(Service::from).collect();
        let mut ids = std::collections::HashSet::with_capacity(services.len());
        for (i, s) in services.iter().enumerate() {
            if let Err(e) = s.validate() {
                report.reject(
                    Some(r.publisher_id),
                    format!("service {i}: {}", invalid_reason(e)),
                );
                return Ok(());
            }
            if !ids.insert(s.id.as_str()) {
                report.reject(Some(r.publisher_id), format!("service {i}: duplicate id"));
                return Ok(());
            }
        }
        if !plan.parts.insert(r.part) {
            report.reject(Some(r.publisher_id), "the same part is given twice");
            return Ok(());
        }
        session.directory().put_chunk(&crate::directory::Chunk {
            publisher_id: r.publisher_id,
            publisher: plan.publisher.clone(),
            version: r.version,
            time_zone: r.time_zone,
            index: r.part,
            count: r.parts,
            services,
        })?;
        report.inserted += 1;
        Ok(())
    }
}
