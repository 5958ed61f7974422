//! The `alerts` section: the alerts of every accepted alert feed, each tagged with the
//! feed version it came from. They are merged as part of their feed, as the
//! `feed_versions` section decided (see `feed_versions.rs`): an alert is stored only when
//! its feed is replaced, and counted as kept when the vault's feed is newer.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::feed_versions::replacing_plan;
use super::notes::IdentifierRecord;
use super::{
    invalid_reason, parse_record, record_id, ImportState, RecordSink, Section, SectionReport,
};
use crate::clock::Timestamp;
use crate::feeds::BundleKind;
use crate::screening::{Alert, AlertArea, AlertCategory, Region, Screening};
use crate::vault::{RecordId, Session};
use crate::{Error, Result};

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
        session
            .screening(Region::GB)
            .for_each_stored_alert(|id, opened| match opened {
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
        let Some(r) = parse_record::<AlertRecord>(record, report, record_id, "alert") else {
            return Ok(());
        };
        let Some(plan) = replacing_plan(
            state,
            report,
            r.id,
            r.publisher_id,
            BundleKind::Alerts,
            r.feed_version,
        ) else {
            return Ok(());
        };
        let identifiers = match r
            .identifiers
            .iter()
            .map(IdentifierRecord::to_identifier)
            .collect::<Result<Vec<_>>>()
        {
            Ok(mut ids) => {
                crate::sort::sort(&mut ids);
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
        let screening = session.screening(Region::GB);
        if screening.alert_exists(&alert.id)? {
            report.reject(Some(alert.id), "an alert with this id is already stored");
            return Ok(());
        }
        screening.put_alert(session.conn(), &alert)?;
        report.inserted += 1;
        Ok(())
    }
}
