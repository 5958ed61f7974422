//! The `directory` section: every accepted service directory, in parts. Parts are merged
//! as part of their feed, as the `feed_versions` section decided (see
//! `feed_versions.rs`): stored only when the feed is replaced, counted as kept otherwise.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::feed_versions::replacing_plan;
use super::{
    invalid_reason, parse_record, publisher_id, ImportState, RecordSink, Section, SectionReport,
};
use crate::directory::{hours, Category, Chunk, Service};
use crate::feeds::BundleKind;
use crate::vault::{RecordId, Session};
use crate::Result;

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
        session.directory().for_each_stored_chunk(|id, opened| {
            let record = opened.map(|c| DirectoryPartRecord {
                publisher_id: c.publisher_id,
                version: c.version,
                time_zone: c.time_zone,
                part: c.index,
                parts: c.count,
                services: c.services.into_iter().map(ServiceRecord::from).collect(),
            });
            sink.write_opened(id, record)
        })
    }

    fn import(
        &self,
        session: &Session,
        record: serde_json::Value,
        report: &mut SectionReport,
        state: &mut ImportState,
    ) -> Result<()> {
        let Some(r) =
            parse_record::<DirectoryPartRecord>(record, report, publisher_id, "directory part")
        else {
            return Ok(());
        };
        let kept_before = report.kept_existing;
        let Some(plan) = replacing_plan(
            state,
            report,
            r.publisher_id,
            r.publisher_id,
            BundleKind::Directory,
            r.version,
        ) else {
            if report.kept_existing > kept_before {
                report.services_kept += r.services.len() as u64;
            }
            return Ok(());
        };
        if r.parts == 0 || r.part >= r.parts {
            report.reject(Some(r.publisher_id), "part number out of range");
            return Ok(());
        }
        if hours::parse_time_zone(&r.time_zone).is_err() {
            report.reject(Some(r.publisher_id), "unknown time zone");
            return Ok(());
        }
        let services: Vec<Service> = r.services.into_iter().map(Service::from).collect();
        let count = services.len() as u64;
        let mut ids = HashSet::with_capacity(services.len());
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
        session.directory().put_chunk(&Chunk {
            publisher_id: r.publisher_id,
            publisher: plan.publisher.clone(),
            version: r.version,
            time_zone: r.time_zone,
            index: r.part,
            count: r.parts,
            services,
        })?;
        report.inserted += 1;
        report.services_stored += count;
        Ok(())
    }
}
