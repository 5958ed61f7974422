//! Publisher-side importers: turn an OpenStreetMap export, the NHS Choices extracts or a
//! plain spreadsheet into [`Service`]s for a directory bundle.
//!
//! A malformed row never aborts an import: it is skipped and reported with its row number
//! and the reason, and everything else is imported. Only a problem with the whole input (a
//! missing file, a header without a required column, a document that is not GeoJSON) is an
//! error. Every importer accounts for each input row exactly once: imported (became a new
//! service), merged (folded into a service already seen, e.g. a repeated id) or skipped.

mod csv;
mod nhs;
mod osm;

use std::io::Read;
use std::path::Path;

use serde::Serialize;

use super::{DirectoryError, Service};
use crate::Result;

pub use self::csv::{import_csv, import_csv_path};
pub use nhs::{import_nhs_choices, import_nhs_choices_bytes, NHS_ATTRIBUTION, NHS_FILES};
pub use osm::import_osm_geojson;

/// Largest source file an importer reads (a GeoJSON document, a CSV file, each NHS file).
/// Generous (a whole directory bundle is at most 64 MiB), but finite: a pipe or a device
/// that never ends is refused instead of filling memory.
pub const MAX_SOURCE_BYTES: u64 = 128 * 1024 * 1024;

/// Reads a whole source file, at most `limit` bytes: one byte more is
/// [`DirectoryError::TooLarge`]. `file` names it in errors.
pub fn read_source(file: &str, input: impl Read, limit: u64) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    input
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|source| DirectoryError::Read {
            file: file.to_owned(),
            source,
        })?;
    if bytes.len() as u64 > limit {
        return Err(DirectoryError::TooLarge {
            file: file.to_owned(),
            limit,
        }
        .into());
    }
    Ok(bytes)
}

/// [`read_source`] of a file, within [`MAX_SOURCE_BYTES`].
pub fn read_source_path(path: &Path) -> Result<Vec<u8>> {
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let input = std::fs::File::open(path).map_err(|source| DirectoryError::Read {
        file: file.clone(),
        source,
    })?;
    read_source(&file, input, MAX_SOURCE_BYTES)
}

/// Why a row was not imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// No usable latitude/longitude (empty cells, or an OSM feature with no geometry).
    MissingCoordinates,
    /// Coordinates that are not numbers or lie outside WGS84 ranges.
    InvalidCoordinates,
    MissingName,
    MissingId,
    /// The row has a different number of fields than the header.
    WrongFieldCount {
        expected: usize,
        found: usize,
    },
    /// Not a record of any service category this importer maps (e.g. an OSM bench).
    NotAService,
    /// A category cell naming no known category.
    UnknownCategory(String),
    /// An opening-times row for an organisation the services file does not contain.
    UnknownOrganisation,
    /// An opening-times row whose day, times or date cannot be read.
    BadOpeningTimes(&'static str),
    /// A geometry the importer cannot place (e.g. a polygon with no points).
    UnsupportedGeometry(&'static str),
    /// The row's bytes or quoting could not be read as a record.
    Unreadable(String),
    /// A second row with an id already imported, with different content, in a format where
    /// ids must be unique.
    DuplicateId,
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SkipReason::MissingCoordinates => f.write_str("no coordinates"),
            SkipReason::InvalidCoordinates => {
                f.write_str("coordinates out of range or not numbers")
            }
            SkipReason::MissingName => f.write_str("no name"),
            SkipReason::MissingId => f.write_str("no id"),
            SkipReason::WrongFieldCount { expected, found } => {
                write!(f, "expected {expected} fields, found {found}")
            }
            SkipReason::NotAService => f.write_str("not a service this importer maps"),
            SkipReason::UnknownCategory(c) => write!(f, "unknown category `{c}`"),
            SkipReason::UnknownOrganisation => {
                f.write_str("no organisation with this id in the services files")
            }
            SkipReason::BadOpeningTimes(why) => write!(f, "unreadable opening times: {why}"),
            SkipReason::UnsupportedGeometry(why) => write!(f, "unsupported geometry: {why}"),
            SkipReason::Unreadable(why) => write!(f, "unreadable row: {why}"),
            SkipReason::DuplicateId => f.write_str("duplicate id"),
        }
    }
}

/// One skipped row: which file, which row (1-based, the header is row 1 for delimited
/// files; the feature's position for GeoJSON), and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedRow {
    pub file: String,
    pub row: usize,
    pub reason: SkipReason,
}

/// What an import did with each input file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FileReport {
    pub file: String,
    /// Data rows (or features) read, the header excluded.
    pub rows: usize,
    /// Rows that became a new service.
    pub imported: usize,
    /// Rows folded into a service already read (repeated id, or opening times joined to
    /// their pharmacy).
    pub merged: usize,
    pub skipped: Vec<SkippedRow>,
}

impl FileReport {
    pub(crate) fn new(file: &str) -> Self {
        Self {
            file: file.to_owned(),
            ..Self::default()
        }
    }

    pub(crate) fn skip(&mut self, row: usize, reason: SkipReason) {
        self.skipped.push(SkippedRow {
            file: self.file.clone(),
            row,
            reason,
        });
    }

    /// Every row is accounted for exactly once.
    pub fn is_balanced(&self) -> bool {
        self.imported + self.merged + self.skipped.len() == self.rows
    }
}

/// The outcome of one import: the services, and a report per input file.
#[derive(Debug, Clone, Default)]
pub struct Import {
    pub services: Vec<Service>,
    pub files: Vec<FileReport>,
}

impl Import {
    pub fn imported(&self) -> usize {
        self.files.iter().map(|f| f.imported).sum()
    }

    pub fn merged(&self) -> usize {
        self.files.iter().map(|f| f.merged).sum()
    }

    pub fn skipped(&self) -> impl Iterator<Item = &SkippedRow> {
        self.files.iter().flat_map(|f| f.skipped.iter())
    }

    pub fn file(&self, name: &str) -> Option<&FileReport> {
        self.files.iter().find(|f| f.file == name)
    }
}

/// Reads a coordinate pair from two text cells; `Err` says why it is unusable.
pub(crate) fn parse_coordinates(lat: &str, lon: &str) -> Result<(f64, f64), SkipReason> {
    let (lat, lon) = (lat.trim(), lon.trim());
    if lat.is_empty() || lon.is_empty() {
        return Err(SkipReason::MissingCoordinates);
    }
    let (Ok(lat), Ok(lon)) = (lat.parse::<f64>(), lon.parse::<f64>()) else {
        return Err(SkipReason::InvalidCoordinates);
    };
    super::check_coordinates(lat, lon).map_err(|_| SkipReason::InvalidCoordinates)?;
    Ok((lat, lon))
}

/// Joins the non-empty parts of an address with ", ".
pub(crate) fn join_address<'a>(parts: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let joined = parts
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    (!joined.is_empty()).then_some(joined)
}
