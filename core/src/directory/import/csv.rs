//! A plain spreadsheet export: one service per row, a header naming the columns.
//!
//! Recognised headers (case, spaces, `-` and `_` ignored): `id`, `name`, `categories`
//! (or `category`, `type`), `latitude` (`lat`), `longitude` (`lon`, `lng`, `long`),
//! `address`, `postcode` (`post code`, `zip`, `postal code`), `phone` (`telephone`, `tel`),
//! `website` (`url`, `web`), `opening_hours` (`hours`, `opening hours`), `languages`
//! (`language`), `notes` (`description`), `last_updated` (`updated`, `checked`). `name`,
//! `latitude` and `longitude` are required. Several categories or languages in one cell are
//! separated by `;`, `|` or `,`. Other columns are ignored.
//!
//! Commas, semicolons or tabs are accepted as the separator (whichever the header uses
//! most); the text may be UTF-8 (with or without a byte-order mark) or Windows-1252, as
//! spreadsheet programs still write.

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;

use super::{parse_coordinates, FileReport, Import, SkipReason};
use crate::directory::text::{decode_windows_1252, fold_for_search, non_empty};
use crate::directory::{Category, DirectoryError, Service};
use crate::Result;

#[derive(Default)]
struct Columns {
    id: Option<usize>,
    name: usize,
    categories: Option<usize>,
    lat: usize,
    lon: usize,
    address: Option<usize>,
    postcode: Option<usize>,
    phone: Option<usize>,
    website: Option<usize>,
    hours: Option<usize>,
    languages: Option<usize>,
    notes: Option<usize>,
    updated: Option<usize>,
}

impl Columns {
    fn from_header(header: &csv::StringRecord) -> Result<Self> {
        let keys: Vec<String> = header
            .iter()
            .map(|h| {
                h.chars()
                    .filter(|c| c.is_alphanumeric())
                    .flat_map(char::to_lowercase)
                    .collect()
            })
            .collect();
        let find = |names: &[&str]| keys.iter().position(|k| names.contains(&k.as_str()));
        let require = |names: &[&str], column: &'static str| {
            find(names).ok_or(DirectoryError::MissingColumn {
                file: "CSV".to_owned(),
                column,
            })
        };
        Ok(Self {
            id: find(&["id", "serviceid"]),
            name: require(&["name", "servicename"], "name")?,
            categories: find(&["categories", "category", "type", "types"]),
            lat: require(&["latitude", "lat"], "latitude")?,
            lon: require(&["longitude", "lon", "lng", "long"], "longitude")?,
            address: find(&["address"]),
            postcode: find(&["postcode", "zip", "zipcode", "postalcode"]),
            phone: find(&["phone", "telephone", "tel", "phonenumber"]),
            website: find(&["website", "url", "web"]),
            hours: find(&["openinghours", "hours"]),
            languages: find(&["languages", "language"]),
            notes: find(&["notes", "description"]),
            updated: find(&["lastupdated", "updated", "checked"]),
        })
    }
}

/// Imports a CSV file from disk; see [`import_csv`].
pub fn import_csv_path(path: &Path) -> Result<Import> {
    let file = path
        .file_name()
        .map_or_else(|| "CSV".to_owned(), |n| n.to_string_lossy().into_owned());
    let bytes = super::read_source_path(path)?;
    import_csv(&file, &bytes)
}

/// Imports CSV bytes; `file` names the input in the report. Rows without an `id` column get
/// an id from the folded name and the coordinates, which stays the same as long as the row
/// does. A repeated id is merged into the first row with it.
pub fn import_csv(file: &str, bytes: &[u8]) -> Result<Import> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.strip_prefix('\u{FEFF}').unwrap_or(t).to_owned(),
        Err(_) => decode_windows_1252(bytes),
    };
    // csv counts a CRLF record's start on the line before it; plain LF keeps row numbers
    // equal to what a spreadsheet shows.
    let text = text.replace("\r\n", "\n");
    let first_line = text.lines().next().unwrap_or("");
    let delimiter = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| first_line.bytes().filter(|b| b == d).count())
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| DirectoryError::BadCsvHeader(e.to_string()))?
        .clone();
    if header.iter().all(|h| h.trim().is_empty()) {
        return Err(DirectoryError::EmptyFile {
            file: file.to_owned(),
        }
        .into());
    }
    let cols = Columns::from_header(&header)?;
    let mut report = FileReport::new(file);
    let mut services: Vec<Service> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let mut record = csv::StringRecord::new();
    loop {
        let row = reader.position().line() as usize;
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                report.rows += 1;
                report.skip(row, SkipReason::Unreadable(e.to_string()));
                continue;
            }
        }
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        report.rows += 1;
        let row = record.position().map_or(row, |p| p.line() as usize);
        if record.len() != header.len() {
            report.skip(
                row,
                SkipReason::WrongFieldCount {
                    expected: header.len(),
                    found: record.len(),
                },
            );
            continue;
        }
        match read_row(&cols, &record) {
            Ok(service) => {
                if let Some(&i) = by_id.get(&service.id) {
                    merge_into(&mut services[i], service);
                    report.merged += 1;
                } else {
                    by_id.insert(service.id.clone(), services.len());
                    services.push(service);
                    report.imported += 1;
                }
            }
            Err(reason) => report.skip(row, reason),
        }
    }
    Ok(Import {
        services,
        files: vec![report],
    })
}

fn read_row(cols: &Columns, record: &csv::StringRecord) -> Result<Service, SkipReason> {
    let cell = |i: usize| record.get(i).unwrap_or("");
    let opt = |i: Option<usize>| i.and_then(|i| non_empty(cell(i)));
    let name = non_empty(cell(cols.name)).ok_or(SkipReason::MissingName)?;
    let (lat, lon) = parse_coordinates(cell(cols.lat), cell(cols.lon))?;
    let mut categories = Vec::new();
    for part in split_list(&opt(cols.categories).unwrap_or_default()) {
        let c = Category::parse_loose(&part)
            .ok_or_else(|| SkipReason::UnknownCategory(part.clone()))?;
        if !categories.contains(&c) {
            categories.push(c);
        }
    }
    if categories.is_empty() {
        categories.push(Category::Other);
    }
    let id = match opt(cols.id) {
        Some(id) => format!("csv:{id}"),
        None if cols.id.is_some() => return Err(SkipReason::MissingId),
        None => format!("csv:{}@{:.5},{:.5}", fold_for_search(&name), lat, lon),
    };
    let mut s = Service::new(&id, &name, &categories, lat, lon);
    s.address = opt(cols.address);
    s.postcode = opt(cols.postcode);
    s.phone = opt(cols.phone);
    s.website = opt(cols.website);
    s.opening_hours = opt(cols.hours);
    s.languages = split_list(&opt(cols.languages).unwrap_or_default());
    s.notes = opt(cols.notes);
    s.last_updated = opt(cols.updated)
        .and_then(|d| NaiveDate::parse_from_str(d.get(..10).unwrap_or(&d), "%Y-%m-%d").ok());
    Ok(s)
}

fn split_list(cell: &str) -> Vec<String> {
    cell.split([';', '|', ','])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

fn merge_into(into: &mut Service, from: Service) {
    for c in from.categories {
        if !into.categories.contains(&c) {
            into.categories.push(c);
        }
    }
    for l in from.languages {
        if !into.languages.contains(&l) {
            into.languages.push(l);
        }
    }
    into.address = into.address.take().or(from.address);
    into.postcode = into.postcode.take().or(from.postcode);
    into.phone = into.phone.take().or(from.phone);
    into.website = into.website.take().or(from.website);
    into.opening_hours = into.opening_hours.take().or(from.opening_hours);
    into.notes = into.notes.take().or(from.notes);
    into.last_updated = into.last_updated.max(from.last_updated);
}
