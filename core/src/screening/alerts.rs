//! Alert feeds: the `alerts` bundle kind.
//!
//! Content (UTF-8, JSON Lines, documented in `docs/screening.md`): a header line
//! `{"format":1,"region":"GB"}` — the region applies to numbers the publisher wrote
//! without a country code — then one alert per line. JSON Lines keeps a 100,000-alert
//! import in bounded memory and lets a problem be reported by line number.
//!
//! A line that is not a well-formed alert object makes the whole bundle malformed (a
//! broken publishing tool; the previous alerts stay). An alert that is well-formed but
//! unusable (no identifier normalizes, coordinates out of range, a duplicate id) is
//! skipped and reported, and the rest are imported. Import replaces the publisher's
//! previous alerts in the same transaction that records the bundle version.

use std::collections::HashSet;
use std::io::Read;

use rusqlite::{params, Connection, Transaction, TransactionBehavior};
use serde::{Deserialize, Serialize};

use super::index::Owner;
use super::{Identifier, Risk, Screening};
use crate::clock::Timestamp;
use crate::feeds::{Accepted, BundleKind, FeedError, VerifiedBundle};
use crate::identifiers::{normalize, IdentifierKind, Region};
use crate::vault::{Listing, Owned, RecordId, SealedTable};
use crate::{Error, Result};

pub(crate) const ALERTS: &str = "screening_alerts";
/// The content format this build reads.
pub const ALERTS_CONTENT_FORMAT: u32 = 1;
const MAX_REFERENCE_CHARS: usize = 100;
const MAX_DESCRIPTION_CHARS: usize = 5_000;
const MAX_PLACE_CHARS: usize = 200;
/// A BCP 47 language tag is at most 35 characters in practice (RFC 5646 section 4.4.1
/// asks implementations to take at least that); nothing longer is a language.
const MAX_LANG_CHARS: usize = 35;
const MAX_RADIUS_M: f64 = 500_000.0;
/// Identifiers one alert may carry. An alert describes one person (a few numbers, handles
/// and plates); an alert over this is skipped and reported, because every identifier adds
/// index rows and the sealed body grows with all of them (see `docs/screening.md`).
pub const MAX_IDENTIFIERS_PER_ALERT: usize = 100;
/// Page cache during an import (negative: KiB), released afterwards.
const IMPORT_CACHE_KIB: i64 = -32 * 1024;

/// What kind of harm an alert reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum AlertCategory {
    Violence,
    SexualAssault,
    Robbery,
    Stealthing,
    Harassment,
    NonPayment,
    TimeWaster,
    /// Anything else, including categories newer than this build.
    #[serde(other)]
    Other,
}

impl AlertCategory {
    /// The risk a match on this alert implies.
    pub fn risk(self) -> Risk {
        match self {
            AlertCategory::Violence
            | AlertCategory::SexualAssault
            | AlertCategory::Robbery
            | AlertCategory::Stealthing
            | AlertCategory::Harassment => Risk::Danger,
            AlertCategory::NonPayment | AlertCategory::TimeWaster | AlertCategory::Other => {
                Risk::Caution
            }
        }
    }
}

/// Where an alert applies: a circle, or a place name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AlertArea {
    Circle { lat: f64, lon: f64, radius_m: f64 },
    Place { place: String },
}

impl AlertArea {
    pub(crate) fn check(&self) -> std::result::Result<(), &'static str> {
        match self {
            AlertArea::Circle { lat, lon, radius_m } => {
                if !lat.is_finite() || !(-90.0..=90.0).contains(lat) {
                    return Err("latitude out of range");
                }
                if !lon.is_finite() || !(-180.0..=180.0).contains(lon) {
                    return Err("longitude out of range");
                }
                if !radius_m.is_finite() || *radius_m <= 0.0 || *radius_m > MAX_RADIUS_M {
                    return Err("radius out of range");
                }
            }
            AlertArea::Place { place } => {
                if place.trim().is_empty() || place.chars().count() > MAX_PLACE_CHARS {
                    return Err("place name empty or too long");
                }
            }
        }
        Ok(())
    }
}

/// [`AlertArea`] inside a sealed alert. Sealed records are positional (see
/// `vault::encoding`) and serde reads the struct variants of an untagged enum from named
/// fields only; newtype variants of plain structs read from either. Same JSON shape.
mod sealed_area {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::AlertArea;

    #[derive(Serialize, Deserialize)]
    struct Circle {
        lat: f64,
        lon: f64,
        radius_m: f64,
    }

    #[derive(Serialize, Deserialize)]
    struct Place {
        place: String,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(untagged)]
    enum Repr {
        Circle(Circle),
        Place(Place),
    }

    pub(super) fn serialize<S: Serializer>(
        area: &Option<AlertArea>,
        s: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        area.as_ref()
            .map(|a| match a {
                AlertArea::Circle { lat, lon, radius_m } => Repr::Circle(Circle {
                    lat: *lat,
                    lon: *lon,
                    radius_m: *radius_m,
                }),
                AlertArea::Place { place } => Repr::Place(Place {
                    place: place.clone(),
                }),
            })
            .serialize(s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> std::result::Result<Option<AlertArea>, D::Error> {
        Ok(Option::<Repr>::deserialize(d)?.map(|r| match r {
            Repr::Circle(Circle { lat, lon, radius_m }) => AlertArea::Circle { lat, lon, radius_m },
            Repr::Place(Place { place }) => AlertArea::Place { place },
        }))
    }
}

/// A stored alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Row id in the vault.
    pub id: RecordId,
    /// The trusted publisher it came from.
    pub publisher_id: RecordId,
    /// The publisher's name when the alert was imported.
    pub publisher: String,
    /// Expiry of the bundle it came from: past it, the alert is shown as stale.
    pub feed_expires_at: Timestamp,
    /// The publisher's own reference for the alert.
    pub reference: String,
    pub issued: Timestamp,
    pub identifiers: Vec<Identifier>,
    #[serde(with = "sealed_area")]
    pub area: Option<AlertArea>,
    pub category: AlertCategory,
    pub description: String,
    /// BCP 47 language of the description, when the publisher says.
    pub lang: Option<String>,
}

/// An alert left out of an import, and why (no personal data in `reason`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedAlert {
    /// 1-based line of the content (the header is line 1).
    pub line: usize,
    pub reason: String,
}

/// What an alert import did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AlertImport {
    pub imported: usize,
    /// Identifiers dropped from otherwise imported alerts.
    pub dropped_identifiers: usize,
    pub skipped: Vec<SkippedAlert>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    format: u32,
    region: Region,
    /// The project's X25519 report key (`age1...`), covered by the bundle's signature.
    #[serde(default)]
    report_key: Option<String>,
    /// Ids of alerts the publisher withdrew: never imported, even if a line still has one.
    #[serde(default)]
    withdrawn: Vec<String>,
}

#[derive(Deserialize)]
struct RawIdentifier {
    kind: IdentifierKind,
    value: String,
}

#[derive(Deserialize)]
struct AlertLine {
    id: String,
    issued: Timestamp,
    identifiers: Vec<RawIdentifier>,
    #[serde(default)]
    area: Option<AlertArea>,
    category: AlertCategory,
    #[serde(default)]
    description: String,
    #[serde(default)]
    lang: Option<String>,
}

fn malformed(reason: String) -> Error {
    FeedError::MalformedContent(reason).into()
}

/// serde_json messages can quote the content; keep the position and the category only.
fn json_reason(line: usize, e: &serde_json::Error) -> String {
    let what = match e.classify() {
        serde_json::error::Category::Io => "unreadable",
        serde_json::error::Category::Syntax => "not valid JSON",
        serde_json::error::Category::Data => "not an alert object of the expected shape",
        serde_json::error::Category::Eof => "cut short",
    };
    format!("line {line}, column {}: {what}", e.column())
}

/// One index row: `(kind, blind index, alert)`, in the table's key order (after the
/// publisher) when sorted.
type IndexRow = (i64, i64, RecordId);

/// Alerts sealed per staging transaction (about 0.5 MB): the check-in runner waits at
/// most one such short write, and commits are few enough not to dominate.
const STAGING_BATCH: usize = 2_000;

// An alert index row packs into one `u64` (see `pack`): the blind index must fit 16 bits.
const _: () = assert!(super::index::ALERT_BITS <= 16);

/// An index row of an import as one integer: kind (bits 48–63), blind index (bits 32–47)
/// and the alert's ordinal among the import's ascending ids (bits 0–31). 8 bytes a row
/// instead of 32, so 400,000 rows take 3.2 MB; sorted, they are in the table's key order
/// `(publisher, kind, idx, alert)` (the publisher is the same for the whole import), so
/// each insert lands next to the previous one.
fn pack(ordinal: u32, kind: i64, idx: i64) -> u64 {
    ((kind as u64) << 48) | ((idx as u64) << 32) | u64::from(ordinal)
}

fn unpack(row: u64) -> (usize, i64, i64) {
    (
        (row & 0xffff_ffff) as usize,
        (row >> 48) as i64,
        ((row >> 32) & 0xffff) as i64,
    )
}

/// What an import keeps in memory once its sealed alerts are staged: their ids and index
/// rows (small), not their bodies (in `screening_alert_staging`).
struct StagedImport {
    /// The staged alerts' ids, ascending: the n-th alert staged has the n-th id, so rows
    /// are staged, and later moved, in key order.
    ids: Vec<RecordId>,
    /// Packed index rows (see [`pack`]), in alert order as they were computed.
    index: Vec<u64>,
    report: AlertImport,
    report_key: Option<String>,
}

/// Writes one batch of sealed alerts to the staging table in a short transaction of its
/// own (not under the import's write transaction: see [`Screening::import_alerts`]).
///
/// With `synchronous = NORMAL` (no sync at each commit; WAL mode stays consistent): a
/// staged row lost to a power cut is one the next import deletes anyway. The import's
/// own transaction commits with the connection's usual setting.
fn stage_batch(conn: &Connection, import: i64, batch: &mut Vec<(RecordId, Vec<u8>)>) -> Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let synchronous: i64 = conn.query_row("PRAGMA synchronous", [], |r| r.get(0))?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    let staged = (|| -> Result<()> {
        let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO screening_alert_staging (import, id, body) VALUES (?1, ?2, ?3)",
            )?;
            for (id, body) in batch.drain(..) {
                insert.execute(params![import, id, body])?;
            }
        }
        tx.commit()?;
        Ok(())
    })();
    conn.pragma_update(None, "synchronous", synchronous)?;
    staged
}

/// Index rows written by one statement of an import.
const INDEX_ROWS_PER_INSERT: usize = 100;

/// `INSERT` of `rows` index rows of one publisher (`?1`), each `(kind, idx, alert)`.
fn insert_index_rows_sql(rows: usize) -> String {
    let values: Vec<String> = (0..rows)
        .map(|i| format!("(?1, ?{}, ?{}, ?{})", 2 + 3 * i, 3 + 3 * i, 4 + 3 * i))
        .collect();
    format!(
        "INSERT INTO screening_alert_index (publisher, kind, idx, alert) VALUES {}",
        values.join(", ")
    )
}

/// Moves a staged import into the alert tables, inside the import's write transaction:
/// the alert rows with their bodies straight from the staging table, in id order, a
/// staging batch per statement (each batch's staged rows deleted once moved), then the
/// index rows in key order.
///
/// Index rows carry their alert's publisher and no foreign key to the alert (schema 14):
/// an import or a publisher's removal deletes them by publisher, the screening query
/// joins them to the alerts, so a row without its alert (none is ever written) would
/// match nothing. Without that key, each index row costs one insert into one B-tree
/// instead of an alert lookup and two B-tree inserts, and the alert rows can go in whole
/// (see [`store_alerts`] for why they used to go in empty first).
fn move_staged(
    conn: &Connection,
    publisher: RecordId,
    import: i64,
    staged: &mut StagedImport,
) -> Result<()> {
    // A staging batch at a time: its rows are moved, then deleted, so the pages they free
    // (zeroed, `secure_delete`) are reused by the next batch's alert rows while still in
    // the page cache. Moved whole and deleted after, the staged pages were written to the
    // WAL a second time as zeros and then checkpointed into the file (27 MB each for
    // 100,000 alerts), and the file kept them as free pages.
    let mut insert = conn.prepare_cached(
        "INSERT INTO screening_alerts (id, publisher, body)
         SELECT id, ?2, body FROM screening_alert_staging
         WHERE import = ?1 AND id BETWEEN ?3 AND ?4 ORDER BY id",
    )?;
    let mut delete = conn.prepare_cached(
        "DELETE FROM screening_alert_staging WHERE import = ?1 AND id BETWEEN ?2 AND ?3",
    )?;
    let mut moved = 0;
    for chunk in staged.ids.chunks(STAGING_BATCH) {
        let (first, last) = (chunk[0], chunk[chunk.len() - 1]);
        moved += insert.execute(params![import, publisher, first, last])?;
        delete.execute(params![import, first, last])?;
    }
    if moved != staged.ids.len() {
        // Another import's start cleared this one's rows.
        return Err(FeedError::ConcurrentImport.into());
    }
    staged.index.sort_unstable();
    // Many rows per statement: one call into SQLite per row cost about as much as the
    // B-tree insert itself.
    let mut chunks = staged.index.chunks_exact(INDEX_ROWS_PER_INSERT);
    let mut many = conn.prepare_cached(&insert_index_rows_sql(INDEX_ROWS_PER_INSERT))?;
    for chunk in &mut chunks {
        many.raw_bind_parameter(1, publisher)?;
        for (i, &row) in chunk.iter().enumerate() {
            let (ordinal, kind, idx) = unpack(row);
            let at = 2 + 3 * i;
            many.raw_bind_parameter(at, kind)?;
            many.raw_bind_parameter(at + 1, idx)?;
            many.raw_bind_parameter(at + 2, staged.ids[ordinal])?;
        }
        many.raw_execute()?;
    }
    let mut one = conn.prepare_cached(&insert_index_rows_sql(1))?;
    for &row in chunks.remainder() {
        let (ordinal, kind, idx) = unpack(row);
        one.execute(params![publisher, kind, idx, staged.ids[ordinal]])?;
    }
    Ok(())
}

/// Deletes one publisher's alerts, then their index rows (a range of the index's key);
/// returns how many alerts. Callers run it inside their transaction (an import's, a
/// publisher's removal), so both deletions land together or not at all.
fn delete_alerts_of(conn: &Connection, publisher: &RecordId) -> Result<usize> {
    debug_assert!(
        !conn.is_autocommit(),
        "delete_alerts_of outside a transaction"
    );
    let n = conn.execute(
        "DELETE FROM screening_alerts WHERE publisher = ?1",
        params![publisher],
    )?;
    conn.execute(
        "DELETE FROM screening_alert_index WHERE publisher = ?1",
        params![publisher],
    )?;
    Ok(n)
}

/// Stores alert rows with their index rows, both in key order.
///
/// Until schema 14 every index row had a foreign key to its alert, and each alert row
/// went in with an empty body first: the key check compared against whole rows of the
/// `WITHOUT ROWID` table, which made one alert with N identifiers cost O(N²). Index rows
/// now reference the publisher only (see [`move_staged`]), so that cost is gone (an alert
/// at the identifier cap is imported in `hostile_input`).
fn store_alerts(
    conn: &Connection,
    publisher: RecordId,
    alerts: &mut [(RecordId, Vec<u8>)],
    index: &mut [IndexRow],
) -> Result<()> {
    alerts.sort_unstable_by_key(|(id, _)| *id);
    index.sort_unstable();
    let mut insert = conn
        .prepare_cached("INSERT INTO screening_alerts (id, publisher, body) VALUES (?1, ?2, ?3)")?;
    for (id, body) in alerts.iter() {
        insert.execute(params![id, publisher, body])?;
    }
    let mut write = conn.prepare_cached(
        "INSERT INTO screening_alert_index (publisher, kind, idx, alert) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (kind, idx, id) in index.iter() {
        write.execute(params![publisher, kind, idx, id])?;
    }
    Ok(())
}

/// The connection's `wal_autocheckpoint` and `cache_size` from before an import changed
/// them. Put back by [`ImportPragmas::restore`], or when dropped, so an import that
/// returns early or unwinds leaves the session's connection as it found it (no
/// checkpoints ever again, or a 32 MiB cache, would outlive the import).
struct ImportPragmas<'c> {
    conn: &'c Connection,
    autocheckpoint: i64,
    cache: i64,
    restored: bool,
}

impl<'c> ImportPragmas<'c> {
    fn save(conn: &'c Connection) -> Result<Self> {
        Ok(ImportPragmas {
            conn,
            autocheckpoint: conn.query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))?,
            cache: conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?,
            restored: false,
        })
    }

    fn put_back(&self) -> Result<()> {
        self.conn
            .pragma_update(None, "wal_autocheckpoint", self.autocheckpoint)?;
        self.conn.pragma_update(None, "cache_size", self.cache)?;
        Ok(())
    }

    /// Puts the settings back, reporting a failure (dropping only tries).
    fn restore(mut self) -> Result<()> {
        self.restored = true;
        self.put_back()
    }
}

impl Drop for ImportPragmas<'_> {
    fn drop(&mut self) {
        if !self.restored {
            let _ = self.put_back();
        }
    }
}

/// Parsed alerts per message from the parsing thread to the sealing one, at most.
const PARSED_BATCH: usize = 256;
/// A message also ends once its parsed alerts hold this many bytes (see
/// [`ParsedAlert::retained_bytes`]): 256 alerts at the limits (5,000-character
/// descriptions, 100 identifiers) would hold about 13 MB.
const PARSED_BATCH_BYTES: usize = 256 * 1024;
/// Messages that may wait between the two threads. With the one being filled and the one
/// being sealed, at most `PARSED_IN_FLIGHT + 2` messages exist, each under
/// `PARSED_BATCH_BYTES` plus one alert (at most about 60 KB): under 2 MB in all.
const PARSED_IN_FLIGHT: usize = 4;

/// An alert line ready to seal: checked, identifiers normalized.
struct ParsedAlert {
    reference: String,
    issued: Timestamp,
    identifiers: Vec<Identifier>,
    area: Option<AlertArea>,
    category: AlertCategory,
    description: String,
    lang: Option<String>,
    /// Identifiers that did not normalize (the alert kept the others).
    dropped: usize,
}

impl ParsedAlert {
    /// Bytes this alert holds (struct and heap), for bounding the batches in flight.
    fn retained_bytes(&self) -> usize {
        let identifiers: usize = self
            .identifiers
            .iter()
            .map(|id| match id {
                Identifier::Phone(v) | Identifier::Email(v) | Identifier::Plate(v) => v.len(),
                Identifier::Handle { platform, name } => platform.len() + name.len(),
            })
            .sum();
        let place = match &self.area {
            Some(AlertArea::Place { place }) => place.len(),
            _ => 0,
        };
        std::mem::size_of::<ParsedLine>()
            + self.reference.len()
            + self.description.len()
            + self.lang.as_ref().map_or(0, String::len)
            + place
            + self.identifiers.len() * std::mem::size_of::<Identifier>()
            + identifiers
    }
}

enum ParsedLine {
    Skipped(SkippedAlert),
    Alert(ParsedAlert),
}

/// A parsed line, or why the content is malformed (which ends the import).
type ParsedItem = std::result::Result<ParsedLine, String>;

/// Parses, checks and normalizes the alert lines in order and sends them in batches of
/// [`PARSED_BATCH`] alerts or [`PARSED_BATCH_BYTES`], whichever comes first; stops at the first malformed line (sent as the batch's last item) or
/// when the receiver has gone (the import failed).
fn parse_lines<'a>(
    lines: impl Iterator<Item = (usize, &'a str)>,
    region: Region,
    withdrawn: &HashSet<&str>,
    send: &std::sync::mpsc::SyncSender<Vec<ParsedItem>>,
) {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(PARSED_BATCH);
    let mut bytes = 0;
    for (line_no, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let item = parse_line(line_no, line, region, withdrawn, &mut seen);
        let stop = item.is_err();
        bytes += match &item {
            Ok(ParsedLine::Alert(alert)) => alert.retained_bytes(),
            _ => std::mem::size_of::<ParsedLine>(),
        };
        out.push(item);
        if stop || out.len() == PARSED_BATCH || bytes >= PARSED_BATCH_BYTES {
            bytes = 0;
            let full = std::mem::replace(&mut out, Vec::with_capacity(PARSED_BATCH));
            if send.send(full).is_err() || stop {
                return;
            }
        }
    }
    if !out.is_empty() {
        let _ = send.send(out);
    }
}

/// One alert line: parsed, checked against the limits, identifiers normalized.
fn parse_line(
    line_no: usize,
    line: &str,
    region: Region,
    withdrawn: &HashSet<&str>,
    seen: &mut HashSet<String>,
) -> ParsedItem {
    let raw: AlertLine = serde_json::from_str(line).map_err(|e| json_reason(line_no, &e))?;
    let skip = |reason: String| {
        Ok(ParsedLine::Skipped(SkippedAlert {
            line: line_no,
            reason,
        }))
    };
    let reference = raw.id.trim();
    if reference.is_empty() || reference.chars().count() > MAX_REFERENCE_CHARS {
        return skip("alert id empty or too long".into());
    }
    if withdrawn.contains(reference) {
        return skip("withdrawn by the publisher".into());
    }
    if !seen.insert(reference.to_owned()) {
        return skip("duplicate alert id".into());
    }
    if raw.identifiers.len() > MAX_IDENTIFIERS_PER_ALERT {
        return skip(format!(
            "too many identifiers ({}; at most {MAX_IDENTIFIERS_PER_ALERT} per alert)",
            raw.identifiers.len()
        ));
    }
    if raw.description.chars().count() > MAX_DESCRIPTION_CHARS {
        return skip("description too long".into());
    }
    if raw
        .lang
        .as_ref()
        .is_some_and(|l| l.chars().count() > MAX_LANG_CHARS)
    {
        return skip("lang too long".into());
    }
    if let Some(Err(reason)) = raw.area.as_ref().map(AlertArea::check) {
        return skip(format!("area: {reason}"));
    }
    let mut identifiers = Vec::with_capacity(raw.identifiers.len());
    let mut last_problem = None;
    let mut dropped = 0;
    for r in &raw.identifiers {
        match normalize(r.kind, &r.value, region) {
            Ok(id) => identifiers.push(id),
            Err(e) => {
                dropped += 1;
                last_problem = Some(e.to_string());
            }
        }
    }
    identifiers.sort();
    identifiers.dedup();
    if identifiers.is_empty() {
        let why = last_problem.unwrap_or_else(|| "no identifiers".into());
        return skip(format!("no usable identifier ({why})"));
    }
    Ok(ParsedLine::Alert(ParsedAlert {
        reference: reference.to_owned(),
        issued: raw.issued,
        identifiers,
        area: raw.area,
        category: raw.category,
        description: raw.description,
        lang: raw.lang,
        dropped,
    }))
}

impl Screening<'_> {
    /// Verifies and imports an alert bundle from a trusted publisher, replacing that
    /// publisher's previous alerts. See [`crate::feeds::Feeds::accept`] for the checks.
    ///
    /// Parsing, normalizing, sealing and blind indexing happen before the write lock is
    /// taken: sealed alerts go to `screening_alert_staging` in short transactions of
    /// [`STAGING_BATCH`] alerts (memory stays bounded whatever the bundle's size), and the
    /// one write transaction only deletes the old rows and moves the staged ones in, in key
    /// order, so the check-in runner on its own connection is never kept waiting long.
    /// Staged rows are invisible to everything else; a crash leaves the previous alerts,
    /// and the next import deletes what was staged.
    pub fn import_alerts(&self, input: impl Read, now: Timestamp) -> Result<Accepted<AlertImport>> {
        let conn = self.session.conn();
        let mut token = [0u8; 8];
        token.copy_from_slice(&self.session.new_id()?.as_bytes()[..8]);
        let import = i64::from_le_bytes(token);
        let pragmas = ImportPragmas::save(conn)?;
        // One checkpoint at the end (below) instead of one every 1,000 pages while staging
        // and committing: pages written several times (staged, then zeroed when the staged
        // rows go) are copied into the database once, in their last state.
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        let accepted = self.session.feeds().accept_prepared(
            input,
            BundleKind::Alerts,
            now,
            |bundle| self.stage_alerts(bundle, import),
            |conn, bundle, mut staged| {
                // The moved rows land in neighbouring pages, but the deleted ones and the
                // index rows' B-tree are spread out: with SQLite's default 2 MiB page cache
                // the move spends most of its time re-reading pages.
                conn.pragma_update(None, "cache_size", IMPORT_CACHE_KIB)?;
                delete_alerts_of(conn, &bundle.publisher_id)?;
                move_staged(conn, bundle.publisher_id, import, &mut staged)?;
                self.session.feeds().set_report_key(
                    conn,
                    bundle.publisher_id,
                    staged.report_key.take(),
                )?;
                Ok(std::mem::take(&mut staged.report))
            },
        );
        let accepted = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                // Best effort: the next import deletes them anyway. `pragmas` is put back
                // when dropped.
                let _ = conn.execute(
                    "DELETE FROM screening_alert_staging WHERE import = ?1",
                    params![import],
                );
                return Err(e);
            }
        };
        pragmas.restore()?;
        // The previous alerts and the staged rows were deleted: flush them out of the WAL.
        self.session.checkpoint()?;
        Ok(accepted)
    }

    /// Parses the bundle's content, seals every usable alert and stages it (batches of
    /// [`STAGING_BATCH`], each its own short transaction); returns the staged ids and the
    /// index rows to write under the lock.
    fn stage_alerts(&self, bundle: &VerifiedBundle, import: i64) -> Result<StagedImport> {
        let content = std::str::from_utf8(bundle.content())
            .map_err(|_| malformed("content is not UTF-8".to_owned()))?;
        let mut lines = content.lines().enumerate().map(|(i, l)| (i + 1, l));
        let header_line = lines.next().map(|(_, l)| l).unwrap_or_default();
        let header: Header =
            serde_json::from_str(header_line).map_err(|e| malformed(json_reason(1, &e)))?;
        if header.format != ALERTS_CONTENT_FORMAT {
            return Err(malformed(format!(
                "unsupported alerts format {}",
                header.format
            )));
        }
        if let Some(key) = &header.report_key {
            key.parse::<crate::export::age::X25519Recipient>()
                .map_err(|_| {
                    malformed("line 1: report_key is not an age X25519 recipient".into())
                })?;
        }
        let withdrawn: HashSet<&str> = header.withdrawn.iter().map(|w| w.trim()).collect();
        // Rows a crashed import left, cleared only now that this bundle is verified: a
        // forged or stale file must not disturb an import staging on another connection.
        self.session.conn().execute(
            "DELETE FROM screening_alert_staging WHERE import != ?1",
            params![import],
        )?;
        // One id per alert line, drawn up front and sorted, so alerts are sealed (the id is
        // bound into each sealed body) and staged in key order; unused ones are dropped.
        // Blank lines are skipped below and get none (a bundle of newlines costs nothing).
        let alert_lines = content
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .count();
        let mut ids = (0..alert_lines)
            .map(|_| self.session.new_id())
            .collect::<Result<Vec<_>>>()?;
        ids.sort_unstable();
        if ids.windows(2).any(|w| w[0] == w[1]) {
            // 128 random bits twice: the random source is broken.
            return Err(Error::Random);
        }
        let mut staged = StagedImport {
            ids: Vec::new(),
            index: Vec::new(),
            report: AlertImport::default(),
            report_key: header.report_key.clone(),
        };
        let report = &mut staged.report;
        let mut batch = Vec::with_capacity(STAGING_BATCH);
        let conn = self.session.conn();
        let mut next = 0usize;
        let region = header.region;
        // Parsing and normalizing (no key involved; about half the work) run on a thread of
        // their own, ahead of sealing, indexing and staging here, in line order; at most
        // `PARSED_IN_FLIGHT` batches wait between the two, so memory stays bounded.
        std::thread::scope(|scope| -> Result<()> {
            let (send, parsed) = std::sync::mpsc::sync_channel(PARSED_IN_FLIGHT);
            let withdrawn = &withdrawn;
            // A thread the OS cannot create is an error, not a panic.
            std::thread::Builder::new()
                .name("alert-parse".into())
                .spawn_scoped(scope, move || parse_lines(lines, region, withdrawn, &send))?;
            for item in parsed.into_iter().flatten() {
                let line = match item {
                    Err(reason) => return Err(malformed(reason)),
                    Ok(ParsedLine::Skipped(skipped)) => {
                        report.skipped.push(skipped);
                        continue;
                    }
                    Ok(ParsedLine::Alert(line)) => line,
                };
                report.dropped_identifiers += line.dropped;
                let ordinal = u32::try_from(next)
                    .map_err(|_| malformed("too many alerts in one bundle".into()))?;
                let alert = Alert {
                    id: ids[next],
                    publisher_id: bundle.publisher_id,
                    publisher: bundle.publisher.clone(),
                    feed_expires_at: bundle.bundle.expires_at,
                    reference: line.reference,
                    issued: line.issued,
                    identifiers: line.identifiers,
                    area: line.area,
                    category: line.category,
                    description: line.description,
                    lang: line.lang,
                };
                next += 1;
                staged.index.extend(
                    self.index_rows(Owner::Alert, &alert.identifiers)
                        .into_iter()
                        .map(|(kind, idx)| pack(ordinal, kind as i64, idx)),
                );
                batch.push((alert.id, self.session.seal(ALERTS, &alert.id, &alert)?));
                if batch.len() == STAGING_BATCH {
                    stage_batch(conn, import, &mut batch)?;
                }
                report.imported += 1;
            }
            Ok(())
        })?;
        stage_batch(conn, import, &mut batch)?;
        ids.truncate(next);
        ids.shrink_to_fit();
        staged.ids = ids;
        Ok(staged)
    }

    /// Checks what an alert import would check of one alert (export restores alerts one by
    /// one, outside a bundle). Returns a reason without personal data.
    pub(crate) fn check_alert(alert: &Alert) -> std::result::Result<(), &'static str> {
        let chars = alert.reference.chars().count();
        if alert.reference.trim().is_empty() || chars > MAX_REFERENCE_CHARS {
            return Err("alert reference empty or too long");
        }
        if alert.description.chars().count() > MAX_DESCRIPTION_CHARS {
            return Err("description too long");
        }
        // The same cap as a bundle's import: a restored backup is no way around it.
        if alert
            .lang
            .as_ref()
            .is_some_and(|l| l.chars().count() > MAX_LANG_CHARS)
        {
            return Err("lang too long");
        }
        if let Some(area) = &alert.area {
            area.check()?;
        }
        if alert.identifiers.is_empty() {
            return Err("no usable identifier");
        }
        if alert.identifiers.len() > MAX_IDENTIFIERS_PER_ALERT {
            return Err("too many identifiers");
        }
        Ok(())
    }

    /// Stores one alert as given (id included) with its index rows.
    pub(crate) fn put_alert(&self, conn: &Connection, alert: &Alert) -> Result<()> {
        let body = self.session.seal(ALERTS, &alert.id, alert)?;
        let mut index: Vec<IndexRow> = self
            .index_rows(Owner::Alert, &alert.identifiers)
            .into_iter()
            .map(|(k, idx)| (k as i64, idx, alert.id))
            .collect();
        store_alerts(
            conn,
            alert.publisher_id,
            &mut [(alert.id, body)],
            &mut index,
        )
    }

    pub(crate) fn alert_exists(&self, id: &RecordId) -> Result<bool> {
        let n: i64 = self.session.conn().query_row(
            "SELECT count(*) FROM screening_alerts WHERE id = ?1",
            params![id],
            |r| r.get(0),
        )?;
        Ok(n > 0)
    }

    /// Removes one publisher's alerts and their index rows; returns how many alerts.
    pub(crate) fn delete_publisher_alerts(&self, publisher: &RecordId) -> Result<usize> {
        delete_alerts_of(self.session.conn(), publisher)
    }

    /// Visits every stored alert row by row.
    pub(crate) fn for_each_stored_alert(
        &self,
        mut visit: impl FnMut(RecordId, Result<Alert>) -> Result<()>,
    ) -> Result<()> {
        SealedTable::<Alert>::new(self.session, ALERTS, "alert")
            .for_each_owned("publisher", |id, _, opened| visit(id, opened))
    }

    /// Every imported alert; unreadable rows are reported.
    pub fn alerts(&self) -> Result<Listing<Alert>> {
        SealedTable::<Alert>::new(self.session, ALERTS, "alert").list()
    }

    /// How many alerts are stored (cheap: no decryption).
    pub fn alert_count(&self) -> Result<usize> {
        let n: i64 =
            self.session
                .conn()
                .query_row("SELECT count(*) FROM screening_alerts", [], |r| r.get(0))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }
}

/// An alert belongs to the publisher that issued it.
impl Owned for Alert {
    fn owner(&self) -> RecordId {
        self.publisher_id
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};
    use ring::rand::SystemRandom;

    use super::*;
    use crate::feeds::{generate_publisher_key, sign_bundle, BundleDraft, PublisherKey};
    use crate::vault::{Session, Vault, VaultOptions, MIN_KDF_ITERATIONS};

    fn t0() -> Timestamp {
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
    }

    fn trusted() -> (tempfile::TempDir, Session, PublisherKey) {
        let dir = tempfile::tempdir().unwrap();
        let s = Vault::create(
            dir.path().join("v.db"),
            "correct horse",
            &VaultOptions {
                kdf_iterations: MIN_KDF_ITERATIONS,
                device_secret: None,
            },
        )
        .unwrap();
        let (pkcs8, _) = generate_publisher_key(&SystemRandom::new()).unwrap();
        let key = PublisherKey::from_pkcs8(&pkcs8).unwrap();
        s.feeds().trust("Project", key.public_key(), t0()).unwrap();
        (dir, s, key)
    }

    fn bundle(key: &PublisherKey, version: u64, lines: &[String]) -> Vec<u8> {
        let mut content = String::from("{\"format\":1,\"region\":\"GB\"}\n");
        for l in lines {
            content.push_str(l);
            content.push('\n');
        }
        sign_bundle(
            key,
            &BundleDraft {
                kind: BundleKind::Alerts,
                version,
                issued_at: t0(),
                expires_at: t0() + Duration::days(14),
                content: content.as_bytes(),
            },
        )
        .unwrap()
    }

    fn line(i: usize) -> String {
        format!(
            r#"{{"id":"A-{i}","issued":"2026-02-20T22:00:00Z","identifiers":[{{"kind":"phone","value":"07700 9{i:05}"}}],"category":"violence"}}"#
        )
    }

    fn pragmas(s: &Session) -> (i64, i64) {
        let conn = s.conn();
        (
            conn.query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))
                .unwrap(),
            conn.query_row("PRAGMA cache_size", [], |r| r.get(0))
                .unwrap(),
        )
    }

    /// An import that fails mid-way, while parsing (a malformed line after many good
    /// ones) or under the write lock (after `cache_size` was raised), leaves the
    /// connection's `wal_autocheckpoint` and `cache_size` as they were.
    #[test]
    fn a_failed_import_leaves_the_connection_settings_as_before() {
        let (_d, s, key) = trusted();
        s.conn()
            .execute_batch("PRAGMA wal_autocheckpoint = 777; PRAGMA cache_size = -1234;")
            .unwrap();
        let before = pragmas(&s);
        assert_eq!(before, (777, -1234));

        let mut lines: Vec<String> = (0..3_000).map(line).collect();
        lines.push("{not json".into());
        let r = s
            .screening(Region::GB)
            .import_alerts(&bundle(&key, 1, &lines)[..], t0());
        assert!(matches!(r, Err(Error::Feed(_))), "{r:?}");
        assert_eq!(pragmas(&s), before, "failed while parsing");

        // Fails when the staged rows are moved in, under the lock.
        s.conn()
            .execute_batch(
                "CREATE TEMP TRIGGER no_alerts BEFORE INSERT ON main.screening_alerts
                 BEGIN SELECT RAISE(ABORT, 'refused'); END;",
            )
            .unwrap();
        lines.pop();
        let r = s
            .screening(Region::GB)
            .import_alerts(&bundle(&key, 1, &lines)[..], t0());
        assert!(matches!(r, Err(Error::Storage(_))), "{r:?}");
        assert_eq!(pragmas(&s), before, "failed under the lock");
        s.conn().execute_batch("DROP TRIGGER no_alerts").unwrap();

        // And a successful import puts them back too.
        let r = s
            .screening(Region::GB)
            .import_alerts(&bundle(&key, 1, &lines)[..], t0())
            .unwrap();
        assert_eq!(r.imported.imported, 3_000);
        assert_eq!(pragmas(&s), before, "after a successful import");
    }

    /// An import empties the staging table at once only when it holds nothing but that
    /// import's rows; rows another import staged meanwhile (here by a trigger, after this
    /// import's start cleared the table) stay, and only this import's go.
    #[test]
    fn an_import_removes_only_its_own_staged_rows() {
        let (_d, s, key) = trusted();
        let staged = |s: &Session| -> Vec<i64> {
            let mut st = s
                .conn()
                .prepare("SELECT import FROM screening_alert_staging")
                .unwrap();
            let rows = st.query_map([], |r| r.get(0)).unwrap();
            rows.map(|r| r.unwrap()).collect()
        };
        let lines: Vec<String> = (0..2_500).map(line).collect();
        let r = s
            .screening(Region::GB)
            .import_alerts(&bundle(&key, 1, &lines)[..], t0())
            .unwrap();
        assert_eq!(r.imported.imported, 2_500);
        assert!(staged(&s).is_empty());

        s.conn()
            .execute_batch(
                "CREATE TEMP TRIGGER other_import AFTER INSERT ON main.screening_alert_staging
                 WHEN NEW.import != 7
                 BEGIN
                     INSERT OR IGNORE INTO screening_alert_staging (import, id, body)
                     VALUES (7, x'00', x'00');
                 END;",
            )
            .unwrap();
        let r = s
            .screening(Region::GB)
            .import_alerts(&bundle(&key, 2, &lines)[..], t0())
            .unwrap();
        assert_eq!(r.imported.imported, 2_500);
        assert_eq!(staged(&s), [7]);
        assert_eq!(s.screening(Region::GB).alert_count().unwrap(), 2_500);
        s.conn().execute_batch("DROP TRIGGER other_import").unwrap();
    }

    /// The settings are put back when the import unwinds, too.
    #[test]
    fn the_import_settings_are_put_back_when_unwinding() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("PRAGMA wal_autocheckpoint = 777; PRAGMA cache_size = -1234;")
            .unwrap();
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _pragmas = ImportPragmas::save(&conn).unwrap();
            conn.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
            conn.pragma_update(None, "cache_size", IMPORT_CACHE_KIB)
                .unwrap();
            panic!("mid-import");
        }));
        assert!(r.is_err());
        let autocheckpoint: i64 = conn
            .query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))
            .unwrap();
        let cache: i64 = conn
            .query_row("PRAGMA cache_size", [], |r| r.get(0))
            .unwrap();
        assert_eq!((autocheckpoint, cache), (777, -1234));
    }

    /// Batches handed from the parsing thread are bounded in bytes, not only in alerts:
    /// alerts at every limit (5,000-character descriptions of 4-byte characters, 100
    /// identifiers) come in batches far smaller than 256, none much over
    /// `PARSED_BATCH_BYTES`; ordinary alerts still come 256 at a time.
    #[test]
    fn parsed_batches_are_bounded_in_bytes() {
        let identifiers: Vec<String> = (0..MAX_IDENTIFIERS_PER_ALERT)
            .map(|i| {
                format!(
                    r#"{{"kind":"email","value":"{}{i}@example.com"}}"#,
                    "x".repeat(60)
                )
            })
            .collect();
        let big: Vec<String> = (0..600)
            .map(|i| {
                format!(
                    r#"{{"id":"B-{i}","issued":"2026-02-20T22:00:00Z","identifiers":[{}],"category":"violence","description":"{}","lang":"{}"}}"#,
                    identifiers.join(","),
                    "\u{1F600}".repeat(MAX_DESCRIPTION_CHARS),
                    "x".repeat(MAX_LANG_CHARS),
                )
            })
            .collect();
        let batches = |lines: &[String]| {
            let (send, recv) = std::sync::mpsc::sync_channel(lines.len());
            parse_lines(
                lines.iter().enumerate().map(|(i, l)| (i + 2, l.as_str())),
                Region::GB,
                &HashSet::new(),
                &send,
            );
            drop(send);
            recv.into_iter().collect::<Vec<_>>()
        };
        let mut largest_alert = 0;
        let big_batches = batches(&big);
        for batch in &big_batches {
            let bytes: Vec<usize> = batch
                .iter()
                .map(|item| match item {
                    Ok(ParsedLine::Alert(a)) => a.retained_bytes(),
                    other => panic!("{:?}", other.as_ref().err()),
                })
                .collect();
            largest_alert = largest_alert.max(*bytes.iter().max().unwrap());
            let total: usize = bytes.iter().sum();
            assert!(total < PARSED_BATCH_BYTES + largest_alert, "{total}");
        }
        assert!(largest_alert > 20_000 + 100 * 70, "{largest_alert}");
        assert!(largest_alert < 60_000, "{largest_alert}");
        assert!(
            big_batches.len() > 600 / 10,
            "{} batches",
            big_batches.len()
        );
        let small: Vec<String> = (0..600).map(line).collect();
        let sizes: Vec<usize> = batches(&small).iter().map(Vec::len).collect();
        assert_eq!(sizes, [256, 256, 88]);
    }
}
