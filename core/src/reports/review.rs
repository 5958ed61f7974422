//! The project's side (publisher tools): received reports become a review file that a
//! person edits, and approved entries become alerts in the next signed feed version.
//!
//! Review file: JSON Lines, one [`ReviewEntry`] per line. It is the only place a report's
//! plaintext is written; `docs/reports.md` tells the project to keep it encrypted.
//!
//! Duplicates: reports that share a normalized identifier (phone, e-mail, handle, plate)
//! and happened within a window of each other become one entry, with every category that
//! was reported. The grouping is transitive (A and B share a phone, B and C a plate: one
//! entry).

use std::collections::HashMap;

use chrono::Duration;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::ReportDocument;
use crate::clock::Timestamp;
use crate::identifiers::{normalize, Identifier, IdentifierKind};
use crate::screening::{AlertArea, AlertCategory};
use crate::{Error, Result};

/// Reports about the same identifier further apart than this are kept apart by default.
pub const DEFAULT_MERGE_WINDOW_DAYS: i64 = 30;

/// One received report as the reviewer sees it (never published).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewAccount {
    pub report_id: String,
    pub sent_at: Timestamp,
    pub when: String,
    pub occurred_at: Option<Timestamp>,
    pub place: String,
    pub categories: Vec<AlertCategory>,
    pub what_happened: String,
    pub description: String,
    pub police_consent: bool,
    pub contact: Option<String>,
    /// Identifiers of this report that did not normalize: kind and reason only.
    #[serde(default)]
    pub unusable_identifiers: Vec<String>,
}

/// One line of the review file: what would be published, and the reports behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewEntry {
    /// Set to `true` to publish this entry with `vigil publish alerts --review`.
    pub approve: bool,
    /// The alert's id in the feed (also how it is withdrawn later).
    pub alert_id: String,
    /// The published category. It sets the severity the apps show: danger for violence,
    /// sexual_assault, robbery, stealthing, harassment; caution for the rest.
    pub category: AlertCategory,
    /// The published text; edit it to redact.
    pub description: String,
    /// The published identifiers (normalized); remove any to redact it.
    pub identifiers: Vec<Identifier>,
    /// The published area (rounded); `null` to leave it out.
    pub area: Option<AlertArea>,
    /// Every category reported (context; the description names them).
    pub categories: Vec<AlertCategory>,
    /// The reports merged into this entry (context, never published).
    pub accounts: Vec<ReviewAccount>,
}

/// What [`build_review`] made of a folder of decrypted reports.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Review {
    pub entries: Vec<ReviewEntry>,
    /// Reports received more than once (same report id): counted once.
    pub repeated: usize,
}

fn occurred(doc: &ReportDocument) -> Timestamp {
    doc.occurred_at.unwrap_or(doc.sent_at)
}

/// The most serious first, then in the feeds' order.
fn by_seriousness(categories: &mut [AlertCategory]) {
    crate::sort::sort_by_key(categories, |c| {
        (
            std::cmp::Reverse(c.risk()),
            AlertCategory::ALL.iter().position(|x| x == c),
        )
    });
}

/// Groups duplicate reports and drafts one review entry per group (none approved).
pub fn build_review(docs: Vec<ReportDocument>, window: Duration) -> Review {
    let mut review = Review::default();
    let mut unique: Vec<ReportDocument> = Vec::with_capacity(docs.len());
    for doc in docs {
        if unique.iter().any(|d| d.report_id == doc.report_id) {
            review.repeated += 1;
        } else {
            unique.push(doc);
        }
    }
    crate::sort::sort_by(&mut unique, |a, b| {
        occurred(a)
            .cmp(&occurred(b))
            .then(a.report_id.cmp(&b.report_id))
    });
    let normalized: Vec<(Vec<Identifier>, Vec<String>)> = unique
        .iter()
        .map(|d| {
            let mut ok = Vec::new();
            let mut bad = Vec::new();
            for i in &d.identifiers {
                match normalize(i.kind, &i.value, d.region) {
                    Ok(id) => ok.push(id),
                    Err(e) => bad.push(e.to_string()),
                }
            }
            crate::sort::sort(&mut ok);
            ok.dedup();
            (ok, bad)
        })
        .collect();
    // Union-find over reports that share an identifier within the window.
    let mut parent: Vec<usize> = (0..unique.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut by_identifier: HashMap<&Identifier, Vec<usize>> = HashMap::new();
    for (i, (ids, _)) in normalized.iter().enumerate() {
        for id in ids {
            by_identifier.entry(id).or_default().push(i);
        }
    }
    for holders in by_identifier.values() {
        for (n, &a) in holders.iter().enumerate() {
            for &b in &holders[n + 1..] {
                if (occurred(&unique[a]) - occurred(&unique[b])).abs() <= window {
                    let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
                    parent[ra.max(rb)] = ra.min(rb);
                }
            }
        }
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut group_of: HashMap<usize, usize> = HashMap::new();
    for i in 0..unique.len() {
        let r = root(&mut parent, i);
        let g = *group_of.entry(r).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push(i);
    }
    for members in groups {
        let mut identifiers: Vec<Identifier> = Vec::new();
        let mut categories: Vec<AlertCategory> = Vec::new();
        let mut accounts = Vec::new();
        let mut area = None;
        for &i in &members {
            let d = &unique[i];
            identifiers.extend(normalized[i].0.iter().cloned());
            for c in &d.categories {
                if !categories.contains(c) {
                    categories.push(*c);
                }
            }
            if area.is_none() {
                area = d.rough_location.map(|l| AlertArea::Circle {
                    lat: l.latitude,
                    lon: l.longitude,
                    radius_m: l.radius_m,
                });
            }
            accounts.push(ReviewAccount {
                report_id: d.report_id.clone(),
                sent_at: d.sent_at,
                when: d.when.clone(),
                occurred_at: d.occurred_at,
                place: d.place.clone(),
                categories: d.categories.clone(),
                what_happened: d.what_happened.clone(),
                description: d.description.clone(),
                police_consent: d.police_consent,
                contact: d.contact.clone(),
                unusable_identifiers: normalized[i].1.clone(),
            });
        }
        crate::sort::sort(&mut identifiers);
        identifiers.dedup();
        by_seriousness(&mut categories);
        let category = categories.first().copied().unwrap_or(AlertCategory::Other);
        let names: Vec<&str> = categories.iter().map(|c| c.as_str()).collect();
        let description = format!(
            "Reported to the project ({} report{}): {}.",
            accounts.len(),
            if accounts.len() == 1 { "" } else { "s" },
            names.join(", ")
        );
        let first = &unique[members[0]].report_id;
        review.entries.push(ReviewEntry {
            approve: false,
            alert_id: format!("R-{}", &first[..12.min(first.len())]),
            category,
            description,
            identifiers,
            area,
            categories,
            accounts,
        });
    }
    review
}

/// Writes a review as JSON Lines.
pub fn write_review(entries: &[ReviewEntry]) -> Result<String> {
    let mut out = String::new();
    for e in entries {
        out.push_str(
            &serde_json::to_string(e)
                .map_err(|_| Error::Decode("a review entry could not be written".into()))?,
        );
        out.push('\n');
    }
    Ok(out)
}

/// Reads a review file; a line that is not an entry fails with its line number.
pub fn read_review(text: &str) -> std::result::Result<Vec<ReviewEntry>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let entry: ReviewEntry = serde_json::from_str(line).map_err(|e| {
            format!(
                "line {}, column {}: not a review entry of the expected shape",
                n + 1,
                e.column()
            )
        })?;
        out.push(entry);
    }
    Ok(out)
}

/// The publisher's alerts source: the JSON Lines content of its alerts feed (header and
/// alerts, see `docs/screening.md`), edited between versions.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertsSource {
    pub header: Map<String, Value>,
    pub alerts: Vec<Map<String, Value>>,
}

impl AlertsSource {
    /// An empty feed for `region`.
    pub fn new(region: crate::identifiers::Region) -> Self {
        let mut header = Map::new();
        header.insert(
            "format".into(),
            json!(crate::screening::ALERTS_CONTENT_FORMAT),
        );
        header.insert("region".into(), json!(region.code()));
        Self {
            header,
            alerts: Vec::new(),
        }
    }

    /// Parses the content; the apps check it in full when it is signed.
    pub fn parse(text: &str) -> std::result::Result<Self, String> {
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        let (_, first) = lines.next().ok_or("the alerts file is empty")?;
        let header: Map<String, Value> =
            serde_json::from_str(first).map_err(|_| "line 1: not a JSON header object")?;
        let mut alerts = Vec::new();
        for (n, line) in lines {
            let alert: Map<String, Value> = serde_json::from_str(line)
                .map_err(|_| format!("line {}: not a JSON alert object", n + 1))?;
            alerts.push(alert);
        }
        Ok(Self { header, alerts })
    }

    pub fn to_text(&self) -> String {
        let mut out = Value::Object(self.header.clone()).to_string();
        out.push('\n');
        for a in &self.alerts {
            out.push_str(&Value::Object(a.clone()).to_string());
            out.push('\n');
        }
        out
    }

    fn has(&self, id: &str) -> bool {
        self.alerts
            .iter()
            .any(|a| a.get("id").and_then(Value::as_str) == Some(id))
    }

    /// Publishes the report key in the header (the feed's signature covers it).
    pub fn set_report_key(&mut self, key: &crate::export::age::X25519Recipient) {
        self.header
            .insert("report_key".into(), Value::String(key.to_string()));
    }

    /// Adds the approved entries as alerts issued at `now`. Returns how many were added;
    /// an approved entry that cannot be published fails the whole call with its alert id.
    pub fn add_approved(
        &mut self,
        entries: &[ReviewEntry],
        now: Timestamp,
    ) -> std::result::Result<usize, String> {
        let mut added = 0;
        for e in entries.iter().filter(|e| e.approve) {
            let id = e.alert_id.trim();
            if id.is_empty() {
                return Err("an approved entry has an empty alert_id".into());
            }
            if e.identifiers.is_empty() {
                return Err(format!(
                    "approved entry {id} has no identifier left to publish"
                ));
            }
            if self.has(id) {
                return Err(format!("alert {id} is already in the feed"));
            }
            if self.withdrawn().iter().any(|w| w == id) {
                return Err(format!(
                    "alert {id} was withdrawn earlier: give the entry another alert_id"
                ));
            }
            let mut alert = Map::new();
            alert.insert("id".into(), json!(id));
            alert.insert("issued".into(), json!(now));
            alert.insert("identifiers".into(), json!(e.identifiers));
            if let Some(area) = &e.area {
                alert.insert("area".into(), json!(area));
            }
            alert.insert("category".into(), json!(e.category));
            alert.insert("description".into(), json!(e.description));
            self.alerts.push(alert);
            added += 1;
        }
        Ok(added)
    }

    /// The ids this feed has withdrawn.
    pub fn withdrawn(&self) -> Vec<String> {
        self.header
            .get("withdrawn")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Withdraws alert `id`: removed from the feed and listed in the header's `withdrawn`,
    /// so importers drop it (and skip it should it come back by mistake).
    pub fn withdraw(&mut self, id: &str) -> std::result::Result<(), String> {
        let id = id.trim();
        if !self.has(id) {
            return Err(format!("alert {id} is not in the feed"));
        }
        self.alerts
            .retain(|a| a.get("id").and_then(Value::as_str) != Some(id));
        let mut withdrawn = self.withdrawn();
        withdrawn.push(id.to_owned());
        self.header.insert("withdrawn".into(), json!(withdrawn));
        Ok(())
    }
}

/// The categories by name, for pickers and command-line values (the serde names).
impl AlertCategory {
    /// Every category, in the feeds' order.
    pub const ALL: [AlertCategory; 8] = [
        AlertCategory::Violence,
        AlertCategory::SexualAssault,
        AlertCategory::Robbery,
        AlertCategory::Stealthing,
        AlertCategory::Harassment,
        AlertCategory::NonPayment,
        AlertCategory::TimeWaster,
        AlertCategory::Other,
    ];

    /// The name in feeds and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertCategory::Violence => "violence",
            AlertCategory::SexualAssault => "sexual_assault",
            AlertCategory::Robbery => "robbery",
            AlertCategory::Stealthing => "stealthing",
            AlertCategory::Harassment => "harassment",
            AlertCategory::NonPayment => "non_payment",
            AlertCategory::TimeWaster => "time_waster",
            AlertCategory::Other => "other",
        }
    }
}

/// An identifier kind by its feed name (`phone`, `email`, `handle`, `plate`).
pub fn identifier_kind(name: &str) -> Option<IdentifierKind> {
    match name {
        "phone" => Some(IdentifierKind::Phone),
        "email" => Some(IdentifierKind::Email),
        "handle" => Some(IdentifierKind::Handle),
        "plate" => Some(IdentifierKind::Plate),
        _ => None,
    }
}
