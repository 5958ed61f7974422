//! Encrypted export and import of the whole vault, readable with the standard age tools.
//!
//! An export is an [age](age) file whose plaintext is one JSON document (the schema and
//! its versioning rules are in `docs/export-format.md`):
//!
//! ```json
//! {"format":"vigil-export","version":1,"minor":3,"exported_at":"...",
//!  "sections":{"bookings":[{...},{...}],"client_notes":[...],"buddies":[...],
//!              "trusted_publishers":[...],"feed_versions":[...],"alerts":[...],
//!              "directory":[...],"settings":[...],"report_drafts":[...]}}
//! ```
//!
//! Both directions stream: records are written one at a time through the age writer and
//! read one at a time from the age reader, so memory stays flat whatever the vault's size.
//! Each capability contributes one [`Section`]; adding a capability to the export means
//! adding one implementation and one line to [`SECTIONS`]. Check-in codes and live
//! check-ins are deliberately left out (see `buddies.rs` and the format document).
//!
//! Import is one transaction: any error (wrong passphrase, tampering, truncation, an
//! unsupported version, malformed JSON, a storage failure) leaves the target vault exactly
//! as it was. The only thing import tolerates is a well-formed record that fails a
//! section's validation: it is skipped and reported, and the rest is imported.

/// age v1, in its own crate (`vigil-age`); re-exported here so callers keep one path.
pub use vigil_age as age;
mod alerts;
mod bookings;
mod buddies;
mod directory;
mod feed_versions;
mod notes;
mod pairings;
mod publishers;
mod reports;
mod settings;

use std::collections::HashMap;
use std::io::{self, BufReader, Read, Write};

use serde::de::DeserializeOwned;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Serialize;

use crate::clock::Timestamp;
use crate::feeds::BundleKind;
use crate::vault::{RecordId, Session};
use crate::{Error, Result};
use age::{AgeError, AgeReader, AgeWriter, Identity, Recipient};

/// The `format` field of every export.
pub const FORMAT_NAME: &str = "vigil-export";
/// Major version: a reader rejects any other major version.
pub const FORMAT_VERSION: u64 = 1;
/// Minor version: additions a reader of the same major version may skip (new sections,
/// new optional fields).
pub const FORMAT_MINOR: u64 = 5;

/// Errors specific to export and import.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    #[error(transparent)]
    Age(#[from] AgeError),
    #[error("the decrypted file is not a Vigil export")]
    NotAnExport,
    #[error("the export uses format version {0}, which this build does not support")]
    UnsupportedVersion(u64),
    #[error("the export document is malformed: {0}")]
    Malformed(String),
}

impl From<AgeError> for Error {
    fn from(e: AgeError) -> Self {
        Error::Export(ExportError::Age(e))
    }
}

/// One capability's part of the export.
pub(crate) trait Section: Sync {
    /// The key under `sections`; never changes once released.
    fn name(&self) -> &'static str;

    /// Writes every record through `sink`, one at a time.
    fn export(&self, session: &Session, sink: &mut RecordSink<'_>) -> Result<()>;

    /// Merges one record into the vault (inside the import transaction). A record that is
    /// well-formed JSON but not acceptable is reported through `report`, not returned as an
    /// error; an error aborts the whole import.
    fn import(
        &self,
        session: &Session,
        record: serde_json::Value,
        report: &mut SectionReport,
        state: &mut ImportState,
    ) -> Result<()>;
}

/// What one import carries from one section to the next.
#[derive(Default)]
pub(crate) struct ImportState {
    /// Per publisher and bundle kind: what the `feed_versions` section decided about the
    /// contents that follow in `alerts` and `directory`.
    pub(crate) feeds: HashMap<(RecordId, BundleKind), feed_versions::FeedPlan>,
    /// Rows were deleted: checkpoint after commit so their content leaves the WAL.
    pub(crate) erased: bool,
}

/// Every section, in export order. Owners of further capabilities add theirs here.
pub(crate) const SECTIONS: &[&dyn Section] = &[
    &bookings::BookingsSection,
    &notes::NotesSection,
    &buddies::BuddiesSection,
    // Publishers before the feeds that reference them, versions before the contents.
    &publishers::PublishersSection,
    &feed_versions::FeedVersionsSection,
    &alerts::AlertsSection,
    &directory::DirectorySection,
    // The application layer's settings (since 1.2).
    &settings::SettingsSection,
    // Dangerous-client report drafts (since 1.3).
    &reports::ReportsSection,
    // Phones paired for "watch over me" (since 1.5; exported, never imported).
    &pairings::PairingsSection,
];

/// Writes the records of one section as JSON array elements, and logs its unreadable rows.
pub(crate) struct RecordSink<'a> {
    out: &'a mut dyn Write,
    written: u64,
    report: &'a mut ExportReport,
    on_unreadable: &'a mut dyn FnMut(&UnreadableRecord),
    section: &'static str,
}

impl RecordSink<'_> {
    pub(crate) fn write<T: Serialize>(&mut self, record: &T) -> Result<()> {
        if self.written > 0 {
            self.out.write_all(b",")?;
        }
        self.out.write_all(b"\n")?;
        serde_json::to_writer(&mut *self.out, record).map_err(json_write_error)?;
        self.written += 1;
        Ok(())
    }

    /// A stored row that failed authentication: left out of the export and reported.
    ///
    /// Counted per section, the first [`LISTED_IN_REPORT`] kept in the report, every one
    /// passed to the caller's callback: nothing here grows with the number of damaged rows
    /// (the report used to list them all, and the bindings copied that list again).
    pub(crate) fn unreadable(&mut self, id: RecordId) {
        let record = UnreadableRecord {
            section: self.section,
            id,
        };
        (self.on_unreadable)(&record);
        let report = &mut *self.report;
        report.unreadable_count += 1;
        match report.unreadable_by_section.last_mut() {
            Some((s, n)) if *s == self.section => *n += 1,
            _ => report.unreadable_by_section.push((self.section, 1)),
        }
        if report.unreadable.len() < LISTED_IN_REPORT {
            report.unreadable.push(record);
        }
    }

    /// Writes one stored row as opened by its module: a row that cannot be read (tampered
    /// or undecodable) is reported and skipped, so one bad row never stops the export;
    /// any other error (storage) aborts it.
    pub(crate) fn write_opened<R: Serialize>(
        &mut self,
        id: RecordId,
        opened: Result<R>,
    ) -> Result<()> {
        match opened {
            Ok(record) => self.write(&record),
            Err(Error::Tampered | Error::Decode(_)) => {
                self.unreadable(id);
                Ok(())
            }
            Err(e) => Err(e),
        }
    }
}

fn json_write_error(e: serde_json::Error) -> Error {
    if e.is_io() {
        // The only writer under the serializer is the age writer over the caller's sink.
        Error::Io(io::Error::other("writing the export failed"))
    } else {
        Error::Decode(format!(
            "a record could not be serialized: {}",
            category(&e)
        ))
    }
}

/// How many unreadable or rejected records a report lists by id; the rest are counted.
/// Reports stay the same size whatever the vault holds (issue 16: memory that does not
/// grow with the data); [`Backup::export_reporting`] hands over every id, one at a time.
pub const LISTED_IN_REPORT: usize = 100;

/// What an export wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportReport {
    /// Records written per section, in export order.
    pub sections: Vec<(&'static str, u64)>,
    /// Stored rows that failed authentication and could not be exported, all of them.
    pub unreadable_count: u64,
    /// The same per section, in export order; only sections that had some.
    pub unreadable_by_section: Vec<(&'static str, u64)>,
    /// The first [`LISTED_IN_REPORT`] of them, in the order met.
    pub unreadable: Vec<UnreadableRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreadableRecord {
    pub section: &'static str,
    pub id: RecordId,
}

/// What an import did with one section.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SectionReport {
    pub section: String,
    /// Records that were not in the vault.
    pub inserted: u64,
    /// Records that replaced an older version of themselves (older `updated_at`).
    pub updated: u64,
    /// Records already present in the same or a newer version: the vault's copy was kept.
    pub kept_existing: u64,
    /// Well-formed records that failed validation; nothing of them was stored. All of
    /// them are counted here, the first [`LISTED_IN_REPORT`] listed in `rejected`.
    pub rejected_count: u64,
    pub rejected: Vec<RejectedRecord>,
    /// Directory section only, where one record is a part holding many services: the
    /// services in the parts stored, and in the parts kept. What a person means by "how
    /// many" (22,846 services, not 12 parts).
    pub services_stored: u64,
    pub services_kept: u64,
}

/// A record the import skipped. Carries no record content, only where it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRecord {
    /// Position within its section, from 0.
    pub index: u64,
    pub id: Option<RecordId>,
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub version: u64,
    pub minor: u64,
    pub exported_at: Option<Timestamp>,
    pub sections: Vec<SectionReport>,
    /// Sections this build does not know (from a newer minor version), skipped whole.
    pub skipped_sections: Vec<String>,
}

/// Export and import of an unlocked vault.
pub struct Backup<'s> {
    session: &'s Session,
}

impl Session {
    pub fn backup(&self) -> Backup<'_> {
        Backup { session: self }
    }
}

impl Backup<'_> {
    /// Writes the whole vault to `out` as an age file for `recipients` (one passphrase, or
    /// one or more X25519 public keys). Returns the inner writer once everything, final
    /// chunk included, is written and flushed.
    pub fn export<W: Write>(
        &self,
        out: W,
        recipients: &[Recipient],
        now: Timestamp,
    ) -> Result<(W, ExportReport)> {
        self.export_reporting(out, recipients, now, &mut |_| {})
    }

    /// [`Backup::export`], passing every unreadable row to `on_unreadable` as it is met
    /// (the report lists only the first [`LISTED_IN_REPORT`]): for a caller that wants
    /// every id of a badly damaged vault without holding them all.
    pub fn export_reporting<W: Write>(
        &self,
        out: W,
        recipients: &[Recipient],
        now: Timestamp,
        on_unreadable: &mut dyn FnMut(&UnreadableRecord),
    ) -> Result<(W, ExportReport)> {
        let mut age = AgeWriter::new(out, recipients)?;
        let mut report = ExportReport::default();
        // One read transaction: every section comes from the same snapshot.
        let snapshot = self.session.conn().unchecked_transaction()?;
        write!(
            age,
            "{{\"format\":\"{FORMAT_NAME}\",\"version\":{FORMAT_VERSION},\"minor\":{FORMAT_MINOR},\"exported_at\":"
        )?;
        serde_json::to_writer(&mut age, &now).map_err(json_write_error)?;
        age.write_all(b",\"sections\":{")?;
        for (i, section) in SECTIONS.iter().enumerate() {
            if i > 0 {
                age.write_all(b",")?;
            }
            age.write_all(b"\n")?;
            serde_json::to_writer(&mut age, section.name()).map_err(json_write_error)?;
            age.write_all(b":[")?;
            let mut sink = RecordSink {
                out: &mut age,
                written: 0,
                report: &mut report,
                on_unreadable: &mut *on_unreadable,
                section: section.name(),
            };
            section.export(self.session, &mut sink)?;
            let written = sink.written;
            age.write_all(if written > 0 { b"\n]" } else { b"]" })?;
            report.sections.push((section.name(), written));
        }
        age.write_all(b"\n}}\n")?;
        drop(snapshot);
        let out = age.finish()?;
        Ok((out, report))
    }

    /// Reads an export from `input` and merges it into this vault, all or nothing.
    ///
    /// Records keep their ids and times. A record already present is replaced only by a
    /// strictly newer version (`updated_at`), so importing twice, or importing an older
    /// backup, never duplicates or rolls back anything.
    pub fn import<R: Read>(&self, input: R, identities: &[Identity]) -> Result<ImportReport> {
        let reader = AgeReader::new(input, identities)?;
        let mut source = ErrorCapture {
            inner: reader,
            error: None,
        };
        let tx = self.session.conn().unchecked_transaction()?;
        let mut ctx = ImportCtx {
            session: self.session,
            failure: None,
            state: ImportState::default(),
            report: ImportReport {
                version: 0,
                minor: 0,
                exported_at: None,
                sections: Vec::new(),
                skipped_sections: Vec::new(),
            },
        };
        let parsed = {
            let mut de = serde_json::Deserializer::from_reader(BufReader::new(&mut source));
            DocumentSeed { ctx: &mut ctx }
                .deserialize(&mut de)
                .and_then(|()| de.end())
        };
        if let Err(e) = parsed {
            return Err(ctx
                .failure
                .take()
                .or_else(|| source.error.take().map(Error::from))
                .unwrap_or_else(|| ExportError::Malformed(describe(&e)).into()));
        }
        // Only an authenticated final chunk proves the document was not cut short.
        let mut probe = [0u8; 1];
        match source.read(&mut probe) {
            Ok(0) => {}
            Ok(_) => {
                return Err(
                    ExportError::Malformed("data after the end of the document".into()).into(),
                )
            }
            Err(_) => {
                return Err(source
                    .error
                    .take()
                    .map(Error::from)
                    .unwrap_or(AgeError::Truncated.into()))
            }
        }
        tx.commit()?;
        if ctx.state.erased {
            self.session.checkpoint()?;
        }
        Ok(ctx.report)
    }
}

/// Keeps the typed age error that serde_json would otherwise flatten into a message.
struct ErrorCapture<R: Read> {
    inner: AgeReader<R>,
    error: Option<AgeError>,
}

impl<R: Read> Read for ErrorCapture<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf).map_err(|e| {
            let age = AgeError::from_io(e);
            let kind = match &age {
                AgeError::Io(e) => e.kind(),
                _ => io::ErrorKind::InvalidData,
            };
            self.error.get_or_insert(age);
            io::Error::new(kind, "the encrypted export could not be read")
        })
    }
}

fn category(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Io => "read error",
        serde_json::error::Category::Syntax => "invalid JSON",
        serde_json::error::Category::Data => "unexpected structure",
        serde_json::error::Category::Eof => "unexpected end of document",
    }
}

/// serde_json's own messages can quote record contents; keep the category and position.
fn describe(e: &serde_json::Error) -> String {
    format!(
        "{} at line {}, column {}",
        category(e),
        e.line(),
        e.column()
    )
}

struct ImportCtx<'a> {
    session: &'a Session,
    /// The typed error behind an aborted parse.
    failure: Option<Error>,
    state: ImportState,
    report: ImportReport,
}

impl ImportCtx<'_> {
    fn abort<E: serde::de::Error>(&mut self, e: Error) -> E {
        self.failure.get_or_insert(e);
        E::custom("import aborted")
    }
}

struct DocumentSeed<'c, 'a> {
    ctx: &'c mut ImportCtx<'a>,
}

impl<'de> DeserializeSeed<'de> for DocumentSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for DocumentSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a Vigil export document")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        let ctx = self.ctx;
        let (mut format_ok, mut version_ok, mut sections_seen) = (false, false, false);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "format" => {
                    let format: serde_json::Value = map.next_value()?;
                    if format.as_str() != Some(FORMAT_NAME) {
                        return Err(ctx.abort(ExportError::NotAnExport.into()));
                    }
                    format_ok = true;
                }
                "version" => {
                    let Some(version) = map.next_value::<serde_json::Value>()?.as_u64() else {
                        return Err(ctx.abort(
                            ExportError::Malformed("version is not a number".into()).into(),
                        ));
                    };
                    if version != FORMAT_VERSION {
                        return Err(ctx.abort(ExportError::UnsupportedVersion(version).into()));
                    }
                    ctx.report.version = version;
                    version_ok = true;
                }
                "minor" => ctx.report.minor = map.next_value()?,
                "exported_at" => ctx.report.exported_at = Some(map.next_value()?),
                "sections" => {
                    if !format_ok {
                        return Err(ctx.abort(ExportError::NotAnExport.into()));
                    }
                    if !version_ok {
                        return Err(ctx.abort(
                            ExportError::Malformed(
                                "the version must come before the sections".into(),
                            )
                            .into(),
                        ));
                    }
                    map.next_value_seed(SectionsSeed { ctx: &mut *ctx })?;
                    sections_seen = true;
                }
                // Unknown top-level fields come from a newer minor version.
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if !format_ok {
            return Err(ctx.abort(ExportError::NotAnExport.into()));
        }
        if !sections_seen {
            return Err(
                ctx.abort(ExportError::Malformed("the document has no sections".into()).into())
            );
        }
        Ok(())
    }
}

struct SectionsSeed<'c, 'a> {
    ctx: &'c mut ImportCtx<'a>,
}

impl<'de> DeserializeSeed<'de> for SectionsSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for SectionsSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a map of sections")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        while let Some(name) = map.next_key::<String>()? {
            match SECTIONS.iter().find(|s| s.name() == name) {
                Some(section) => {
                    let mut report = SectionReport {
                        section: name,
                        ..SectionReport::default()
                    };
                    map.next_value_seed(RecordsSeed {
                        ctx: &mut *self.ctx,
                        section: *section,
                        report: &mut report,
                    })?;
                    self.ctx.report.sections.push(report);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                    // Section names are chosen by Vigil, never by the user; cap them anyway.
                    self.ctx
                        .report
                        .skipped_sections
                        .push(name.chars().take(64).collect());
                }
            }
        }
        Ok(())
    }
}

struct RecordsSeed<'c, 'a, 'r> {
    ctx: &'c mut ImportCtx<'a>,
    section: &'static dyn Section,
    report: &'r mut SectionReport,
}

impl<'de> DeserializeSeed<'de> for RecordsSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for RecordsSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list of records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        // One record in memory at a time.
        while let Some(record) = seq.next_element::<serde_json::Value>()? {
            let ctx = &mut *self.ctx;
            if let Err(e) = self
                .section
                .import(ctx.session, record, self.report, &mut ctx.state)
            {
                return Err(ctx.abort(e));
            }
        }
        Ok(())
    }
}

/// The `id` of a record that may not parse, for the rejection report.
pub(crate) fn record_id(record: &serde_json::Value) -> Option<RecordId> {
    id_field(record, "id")
}

/// The `publisher_id` of a feed record that may not parse (feed records have no own id).
pub(crate) fn publisher_id(record: &serde_json::Value) -> Option<RecordId> {
    id_field(record, "publisher_id")
}

fn id_field(record: &serde_json::Value, field: &str) -> Option<RecordId> {
    record
        .get(field)
        .and_then(|v| v.as_str())
        .and_then(|s| s.parse::<RecordId>().ok())
}

/// Reads one record of a section's shape, or rejects it (under the id `id_of` finds, if
/// any) as "not a valid `what` record". serde's message is not kept: it can quote values.
pub(crate) fn parse_record<R: DeserializeOwned>(
    record: serde_json::Value,
    report: &mut SectionReport,
    id_of: fn(&serde_json::Value) -> Option<RecordId>,
    what: &str,
) -> Option<R> {
    let id = id_of(&record);
    match serde_json::from_value::<R>(record) {
        Ok(r) => Some(r),
        Err(_) => {
            report.reject(id, format!("not a valid {what} record"));
            None
        }
    }
}

/// A validation error as a rejection reason: names the field, never its value.
pub(crate) fn invalid_reason(e: Error) -> String {
    match e {
        Error::InvalidInput { field, reason } => format!("invalid {field}: {reason}"),
        other => other.to_string(),
    }
}

/// What [`merge`] asks a section to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Store {
    /// The vault has no record with this id.
    Insert,
    /// The vault's copy is older and is replaced.
    Update,
}

/// What [`merge`] did with one record (already counted in the section's report).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Merged {
    Inserted,
    Updated,
    /// The vault's copy is the same or newer and stays.
    Kept,
    /// Reported as rejected; nothing was written.
    Rejected,
}

/// The one merge rule of every section whose records have an identity in the vault:
/// look up the vault's copy (`current`, `None` when there is none), insert when there is
/// none, replace it only when `newer` says the incoming record is strictly newer, and keep
/// it otherwise, so importing twice or importing an older backup never duplicates or rolls
/// back anything. A vault copy that cannot be read is never overwritten (it cannot be
/// compared; the user decides): the record is rejected with the reason `unreadable`.
/// `store` may still refuse the write with a reason (a clash found
/// only once a write is due); it is then rejected and nothing is counted as stored.
pub(crate) fn merge<T>(
    report: &mut SectionReport,
    id: RecordId,
    unreadable: &'static str,
    current: impl FnOnce() -> Result<Option<T>>,
    newer: impl FnOnce(&T) -> bool,
    store: impl FnOnce(Store) -> Result<std::result::Result<(), &'static str>>,
) -> Result<Merged> {
    let op = match current() {
        Ok(None) => Store::Insert,
        Ok(Some(current)) if newer(&current) => Store::Update,
        Ok(Some(_)) => {
            report.kept_existing += 1;
            return Ok(Merged::Kept);
        }
        Err(Error::Tampered | Error::Decode(_)) => {
            report.reject(Some(id), unreadable);
            return Ok(Merged::Rejected);
        }
        Err(e) => return Err(e),
    };
    if let Err(reason) = store(op)? {
        report.reject(Some(id), reason);
        return Ok(Merged::Rejected);
    }
    Ok(match op {
        Store::Insert => {
            report.inserted += 1;
            Merged::Inserted
        }
        Store::Update => {
            report.updated += 1;
            Merged::Updated
        }
    })
}

/// A lookup by id as [`merge`] wants it: not found is `None`.
pub(crate) fn found<T>(lookup: Result<T>) -> Result<Option<T>> {
    match lookup {
        Ok(v) => Ok(Some(v)),
        Err(Error::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

impl SectionReport {
    /// Records a skipped record at the next position.
    /// Only the first [`LISTED_IN_REPORT`] are kept with their id and reason: a file of a
    /// million bad records must not make the report a million entries.
    pub(crate) fn reject(&mut self, id: Option<RecordId>, reason: impl Into<String>) {
        let index = self.inserted + self.updated + self.kept_existing + self.rejected_count;
        self.rejected_count += 1;
        if self.rejected.len() < LISTED_IN_REPORT {
            self.rejected.push(RejectedRecord {
                index,
                id,
                reason: reason.into(),
            });
        }
    }
}

#[cfg(test)]
mod merge_tests {
    use super::*;

    fn id() -> RecordId {
        RecordId::from_bytes([7; 16])
    }

    /// Runs `merge` over a vault copy of version `current` (or an outcome of the lookup)
    /// for an incoming version 2; returns the outcome, the report and what was written.
    fn run(
        current: Result<Option<u64>>,
        refuse: Option<&'static str>,
    ) -> (Result<Merged>, SectionReport, Option<Store>) {
        let mut report = SectionReport::default();
        let mut written = None;
        let merged = merge(
            &mut report,
            id(),
            "the vault's copy is unreadable",
            || current,
            |c| *c < 2,
            |op| {
                written = Some(op);
                Ok(refuse.map_or(Ok(()), Err))
            },
        );
        (merged, report, written)
    }

    #[test]
    fn absent_is_inserted_older_updated_same_or_newer_kept() {
        let (m, r, w) = run(Ok(None), None);
        assert_eq!(
            (m.unwrap(), r.inserted, w),
            (Merged::Inserted, 1, Some(Store::Insert))
        );
        let (m, r, w) = run(Ok(Some(1)), None);
        assert_eq!(
            (m.unwrap(), r.updated, w),
            (Merged::Updated, 1, Some(Store::Update))
        );
        for same_or_newer in [2, 3] {
            let (m, r, w) = run(Ok(Some(same_or_newer)), None);
            assert_eq!((m.unwrap(), r.kept_existing, w), (Merged::Kept, 1, None));
        }
    }

    #[test]
    fn unreadable_vault_copy_is_never_overwritten() {
        for e in [Error::Tampered, Error::Decode("x".into())] {
            let (m, r, w) = run(Err(e), None);
            assert_eq!((m.unwrap(), w), (Merged::Rejected, None));
            assert_eq!(r.rejected.len(), 1);
            assert_eq!(r.rejected[0].id, Some(id()));
            assert_eq!(r.rejected[0].reason, "the vault's copy is unreadable");
            assert_eq!(r.inserted + r.updated + r.kept_existing, 0);
        }
    }

    #[test]
    fn storage_error_aborts_and_refusal_rejects() {
        let (m, r, w) = run(Err(Error::Io(io::Error::other("disk"))), None);
        assert!(matches!(m, Err(Error::Io(_))));
        assert_eq!((r, w), (SectionReport::default(), None));
        let (m, r, _) = run(Ok(Some(1)), Some("clash"));
        assert_eq!(m.unwrap(), Merged::Rejected);
        assert_eq!((r.updated, r.rejected[0].reason.as_str()), (0, "clash"));
    }
}
