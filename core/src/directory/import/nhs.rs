//! The NHS Choices freedom-of-information extracts (2014): five `¬`-separated,
//! Windows-1252, CRLF files. See `docs/directory.md` for the mapping.

use std::collections::HashMap;
use std::path::Path;

use chrono::{Datelike, NaiveDate};

use super::{join_address, parse_coordinates, FileReport, Import, SkipReason};
use crate::directory::text::{decode_windows_1252, fold_for_search, non_empty};
use crate::directory::{Category, DirectoryError, Service};
use crate::Result;

/// The attribution the Open Government Licence v2.0 requires wherever this data is shown.
pub const NHS_ATTRIBUTION: &str =
    "Contains public sector information licensed under the Open Government Licence v2.0 (NHS Choices)";

/// The five files of an extract, in import order (the opening times join the pharmacies).
pub const NHS_FILES: [&str; 5] = [
    "Clinics.csv",
    "Hospital.csv",
    "Pharmacy.csv",
    "GPPractices.csv",
    "PharmacyOpeningTimes.csv",
];

const SEPARATOR: char = '¬';

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Clinic,
    Hospital,
    Pharmacy,
    GeneralPractice,
}

impl Kind {
    fn id_prefix(self) -> &'static str {
        match self {
            Kind::Clinic => "nhs:clinic:",
            Kind::Hospital => "nhs:hospital:",
            Kind::Pharmacy => "nhs:pharmacy:",
            Kind::GeneralPractice => "nhs:gp:",
        }
    }
}

/// Imports all five files from `folder`. `last_updated` is stamped on every service (the
/// extract's date; the files carry none). Services without coordinates are skipped and
/// reported; repeated `OrganisationID`s are merged; pharmacy opening times become OSM
/// `opening_hours`.
pub fn import_nhs_choices(folder: &Path, last_updated: Option<NaiveDate>) -> Result<Import> {
    import_tables(|file| Table::read(folder, file), last_updated)
}

/// [`import_nhs_choices`] over the five files' bytes, in [`NHS_FILES`] order: for callers
/// that do not hold a folder (the fuzzer, tests of hostile files).
pub fn import_nhs_choices_bytes(
    files: [&[u8]; 5],
    last_updated: Option<NaiveDate>,
) -> Result<Import> {
    import_tables(
        |file| {
            let i = NHS_FILES.iter().position(|f| *f == file).unwrap_or(0);
            let bytes = super::read_source(file, files[i], super::MAX_SOURCE_BYTES)?;
            Table::from_bytes(file, &bytes)
        },
        last_updated,
    )
}

fn import_tables(
    read: impl Fn(&'static str) -> Result<Table>,
    last_updated: Option<NaiveDate>,
) -> Result<Import> {
    let mut import = Import::default();
    let mut pharmacies: HashMap<String, usize> = HashMap::new();
    for (file, kind) in [
        (NHS_FILES[0], Kind::Clinic),
        (NHS_FILES[1], Kind::Hospital),
        (NHS_FILES[2], Kind::Pharmacy),
        (NHS_FILES[3], Kind::GeneralPractice),
    ] {
        let table = read(file)?;
        let first = import.services.len();
        let report = import_services(&table, kind, last_updated, &mut import.services)?;
        if kind == Kind::Pharmacy {
            for (i, s) in import.services.iter().enumerate().skip(first) {
                if let Some(org) = s.id.strip_prefix(Kind::Pharmacy.id_prefix()) {
                    pharmacies.insert(org.to_owned(), i);
                }
            }
        }
        import.files.push(report);
    }
    let table = read(NHS_FILES[4])?;
    let report = import_opening_times(&table, &pharmacies, &mut import.services)?;
    import.files.push(report);
    Ok(import)
}

/// A decoded file: its header and its non-empty lines with their 1-based line numbers.
struct Table {
    file: &'static str,
    header: Vec<String>,
    rows: Vec<(usize, String)>,
}

impl Table {
    fn read(folder: &Path, file: &'static str) -> Result<Self> {
        let input =
            std::fs::File::open(folder.join(file)).map_err(|source| DirectoryError::Read {
                file: file.to_owned(),
                source,
            })?;
        let bytes = super::read_source(file, input, super::MAX_SOURCE_BYTES)?;
        Self::from_bytes(file, &bytes)
    }

    fn from_bytes(file: &'static str, bytes: &[u8]) -> Result<Self> {
        let text = decode_windows_1252(bytes);
        let mut lines = text
            .split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .enumerate()
            .map(|(i, l)| (i + 1, l));
        let header = match lines.next() {
            Some((_, h)) if !h.trim().is_empty() => {
                h.split(SEPARATOR).map(|c| c.trim().to_owned()).collect()
            }
            _ => {
                return Err(DirectoryError::EmptyFile {
                    file: file.to_owned(),
                }
                .into())
            }
        };
        let rows = lines
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(n, l)| (n, l.to_owned()))
            .collect();
        Ok(Self { file, header, rows })
    }

    fn column(&self, name: &'static str) -> Result<usize> {
        self.optional_column(name).ok_or_else(|| {
            DirectoryError::MissingColumn {
                file: self.file.to_owned(),
                column: name,
            }
            .into()
        })
    }

    fn optional_column(&self, name: &str) -> Option<usize> {
        self.header
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name))
    }

    /// Each row split into fields, or the reason it cannot be.
    fn records(&self) -> impl Iterator<Item = (usize, Result<Vec<&str>, SkipReason>)> {
        let expected = self.header.len();
        self.rows.iter().map(move |(n, line)| {
            let fields: Vec<&str> = line.split(SEPARATOR).collect();
            if fields.len() == expected {
                (*n, Ok(fields))
            } else {
                (
                    *n,
                    Err(SkipReason::WrongFieldCount {
                        expected,
                        found: fields.len(),
                    }),
                )
            }
        })
    }
}

/// Column positions of a services file.
struct Columns {
    id: usize,
    name: usize,
    lat: usize,
    lon: usize,
    address: Vec<usize>,
    postcode: Option<usize>,
    phone: Option<usize>,
    website: Option<usize>,
    sub_type: Option<usize>,
    sector: Option<usize>,
}

impl Columns {
    fn of(t: &Table) -> Result<Self> {
        Ok(Self {
            id: t.column("OrganisationID")?,
            name: t.column("OrganisationName")?,
            lat: t.column("Latitude")?,
            lon: t.column("Longitude")?,
            address: ["Address1", "Address2", "Address3", "City", "County"]
                .iter()
                .filter_map(|c| t.optional_column(c))
                .collect(),
            postcode: t.optional_column("Postcode"),
            phone: t.optional_column("Phone"),
            website: t.optional_column("Website"),
            sub_type: t.optional_column("SubType"),
            sector: t.optional_column("Sector"),
        })
    }
}

/// The rows sharing one `OrganisationID`, folded into one service as they are read.
struct Group {
    rows: Vec<usize>,
    service: Service,
    coordinates: Result<(), SkipReason>,
    phones: Vec<String>,
}

fn import_services(
    table: &Table,
    kind: Kind,
    last_updated: Option<NaiveDate>,
    out: &mut Vec<Service>,
) -> Result<FileReport> {
    let cols = Columns::of(table)?;
    let mut report = FileReport::new(table.file);
    let mut groups: Vec<Group> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for (line, record) in table.records() {
        report.rows += 1;
        let fields = match record {
            Ok(f) => f,
            Err(reason) => {
                report.skip(line, reason);
                continue;
            }
        };
        let field = |i: usize| fields.get(i).copied().unwrap_or("");
        let opt = |i: Option<usize>| i.and_then(|i| non_empty(field(i)));
        let org = field(cols.id).trim();
        if org.is_empty() {
            report.skip(line, SkipReason::MissingId);
            continue;
        }
        let coordinates = parse_coordinates(field(cols.lat), field(cols.lon));
        let phone = opt(cols.phone);
        if let Some(&g) = by_id.get(org) {
            let group = &mut groups[g];
            group.rows.push(line);
            let s = &mut group.service;
            if group.coordinates.is_err() {
                if let Ok((lat, lon)) = coordinates {
                    (s.latitude, s.longitude) = (lat, lon);
                    group.coordinates = Ok(());
                }
            }
            if s.name.is_empty() {
                s.name = field(cols.name).trim().to_owned();
            }
            if s.address.is_none() {
                s.address = join_address(cols.address.iter().map(|&i| field(i)));
            }
            s.postcode = s.postcode.take().or_else(|| opt(cols.postcode));
            s.website = s.website.take().or_else(|| opt(cols.website));
            if let Some(p) = phone {
                if !group.phones.contains(&p) {
                    group.phones.push(p);
                }
            }
            continue;
        }
        let name = field(cols.name).trim().to_owned();
        let (latitude, longitude) = coordinates.clone().unwrap_or((0.0, 0.0));
        let mut service = Service::new(
            &format!("{}{}", kind.id_prefix(), org),
            &name,
            &categories(kind, &name),
            latitude,
            longitude,
        );
        service.address = join_address(cols.address.iter().map(|&i| field(i)));
        service.postcode = opt(cols.postcode);
        service.website = opt(cols.website);
        service.notes = describe(kind, opt(cols.sub_type), opt(cols.sector));
        service.last_updated = last_updated;
        by_id.insert(org.to_owned(), groups.len());
        groups.push(Group {
            rows: vec![line],
            service,
            coordinates: coordinates.map(|_| ()),
            phones: phone.into_iter().collect(),
        });
    }
    for mut group in groups {
        let problem = match (&group.coordinates, group.service.name.is_empty()) {
            (Err(reason), _) => Some(reason.clone()),
            (Ok(()), true) => Some(SkipReason::MissingName),
            (Ok(()), false) => None,
        };
        if let Some(reason) = problem {
            for line in group.rows {
                report.skip(line, reason.clone());
            }
            continue;
        }
        report.imported += 1;
        report.merged += group.rows.len() - 1;
        let mut phones = group.phones.into_iter();
        group.service.phone = phones.next();
        let others: Vec<String> = phones.collect();
        if !others.is_empty() {
            let line = format!("Other phone numbers: {}", others.join(", "));
            group.service.notes = Some(match group.service.notes.take() {
                Some(n) => format!("{n}. {line}"),
                None => line,
            });
        }
        out.push(group.service);
    }
    Ok(report)
}

/// Categories from what the extract says. Hospital and clinic files carry no service-type
/// column, so only an explicit name qualifies a clinic as sexual health (or a hospital as
/// A&E); everything else is `Other` rather than a guess that could send someone to the
/// wrong door.
fn categories(kind: Kind, name: &str) -> Vec<Category> {
    match kind {
        Kind::Pharmacy => vec![Category::Pharmacy],
        Kind::GeneralPractice => vec![Category::GeneralPractice],
        Kind::Clinic | Kind::Hospital => {
            let folded = fold_for_search(name);
            let mut cats = Vec::new();
            if is_sexual_health(&folded) {
                cats.push(Category::SexualHealthClinic);
            }
            if ["sexual assault", "sarc"]
                .iter()
                .any(|k| has_word_phrase(&folded, k))
            {
                cats.push(Category::SexualAssaultReferralCentre);
            }
            if ["drug", "drugs", "alcohol", "substance misuse"]
                .iter()
                .any(|k| has_word_phrase(&folded, k))
            {
                cats.push(Category::DrugAndAlcoholService);
            }
            if [
                "a e",
                "accident and emergency",
                "accident emergency",
                "emergency department",
            ]
            .iter()
            .any(|k| has_word_phrase(&folded, k))
            {
                cats.push(Category::AccidentAndEmergency);
            }
            if cats.is_empty() {
                cats.push(Category::Other);
            }
            cats
        }
    }
}

fn is_sexual_health(folded: &str) -> bool {
    const PHRASES: [&str; 7] = [
        "sexual health",
        "gum",
        "genito urinary",
        "genitourinary",
        "family planning",
        "contraception",
        "contraceptive",
    ];
    if PHRASES.iter().any(|k| has_word_phrase(folded, k)) {
        return true;
    }
    // Brook, the young people's sexual health charity, names its clinics "Brook <area>";
    // streets and buildings that merely start with the word are excluded.
    let mut words = folded.split(' ');
    words.next() == Some("brook")
        && !matches!(
            words.next(),
            Some("green" | "place" | "centre" | "house" | "street" | "road" | "lane" | "close")
        )
}

/// `phrase` occurs in `folded` on word boundaries.
fn has_word_phrase(folded: &str, phrase: &str) -> bool {
    folded.match_indices(phrase).any(|(at, _)| {
        let before_ok = at == 0 || folded.as_bytes()[at - 1] == b' ';
        let end = at + phrase.len();
        let after_ok = end == folded.len() || folded.as_bytes()[end] == b' ';
        before_ok && after_ok
    })
}

/// A short note from the sub-type and sector columns (e.g. "Mental Health Hospital,
/// Independent Sector"), which a reader needs to judge a hospital.
fn describe(kind: Kind, sub_type: Option<String>, sector: Option<String>) -> Option<String> {
    if kind != Kind::Hospital {
        return None;
    }
    let sub_type = sub_type.filter(|s| !s.eq_ignore_ascii_case("UNKNOWN"));
    join_address(sub_type.iter().chain(sector.iter()).map(String::as_str))
}

/// One pharmacy's opening times as they are read.
#[derive(Default)]
struct Week {
    /// Intervals per weekday, Monday first; `Some(empty)` is an explicit closed day.
    days: [Option<Vec<String>>; 7],
    /// Dated openings (`None` intervals: closed that day).
    dated: Vec<(NaiveDate, Option<String>)>,
}

fn import_opening_times(
    table: &Table,
    pharmacies: &HashMap<String, usize>,
    services: &mut [Service],
) -> Result<FileReport> {
    let id = table.column("OrganisationId")?;
    let day = table.column("WeekDay")?;
    let times = table.column("Times")?;
    let is_open = table.column("IsOpen")?;
    let kind = table.column("OpeningTimeType")?;
    let date = table.column("AdditionalOpeningDate")?;
    let mut report = FileReport::new(table.file);
    let mut weeks: HashMap<usize, Week> = HashMap::new();
    for (line, record) in table.records() {
        report.rows += 1;
        let fields = match record {
            Ok(f) => f,
            Err(reason) => {
                report.skip(line, reason);
                continue;
            }
        };
        let field = |i: usize| fields.get(i).map_or("", |f| f.trim());
        let Some(&service) = pharmacies.get(field(id)) else {
            report.skip(line, SkipReason::UnknownOrganisation);
            continue;
        };
        let open = match field(is_open) {
            o if o.eq_ignore_ascii_case("true") => true,
            o if o.eq_ignore_ascii_case("false") => false,
            _ => {
                report.skip(
                    line,
                    SkipReason::BadOpeningTimes("IsOpen is neither True nor False"),
                );
                continue;
            }
        };
        let interval = if open {
            match osm_interval(field(times)) {
                Some(i) => Some(i),
                None => {
                    report.skip(
                        line,
                        SkipReason::BadOpeningTimes("times are not HH:MM-HH:MM"),
                    );
                    continue;
                }
            }
        } else {
            None
        };
        let week = weeks.entry(service).or_default();
        match field(kind) {
            k if k.eq_ignore_ascii_case("General") => {
                let Some(d) = weekday_index(field(day)) else {
                    report.skip(line, SkipReason::BadOpeningTimes("unknown weekday"));
                    continue;
                };
                let slot = week.days[d].get_or_insert_with(Vec::new);
                slot.extend(interval);
            }
            k if k.eq_ignore_ascii_case("Additional") => {
                let Some(on) = parse_nhs_date(field(date)) else {
                    report.skip(
                        line,
                        SkipReason::BadOpeningTimes("unreadable additional opening date"),
                    );
                    continue;
                };
                week.dated.push((on, interval));
            }
            _ => {
                report.skip(line, SkipReason::BadOpeningTimes("unknown OpeningTimeType"));
                continue;
            }
        }
        report.merged += 1;
    }
    for (service, week) in weeks {
        if let Some(s) = services.get_mut(service) {
            s.opening_hours = week.to_osm();
        }
    }
    Ok(report)
}

const OSM_DAYS: [&str; 7] = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];
const OSM_MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn weekday_index(name: &str) -> Option<usize> {
    const NAMES: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    NAMES.iter().position(|n| n.eq_ignore_ascii_case(name))
}

/// `"Apr 18 2014"` / `"May  5 2014"` (padded day).
fn parse_nhs_date(s: &str) -> Option<NaiveDate> {
    let mut parts = s.split_whitespace();
    let month = parts.next()?;
    let day: u32 = parts.next()?.parse().ok()?;
    let year: i32 = parts.next()?.parse().ok()?;
    if parts.next().is_some() {
        return None;
    }
    let m = OSM_MONTHS
        .iter()
        .position(|n| n.eq_ignore_ascii_case(month))?;
    NaiveDate::from_ymd_opt(year, m as u32 + 1, day)
}

/// `"09:00-18:00"` as an OSM interval. An end of `00:00` means midnight at the end of the
/// day (`24:00`); any other end before the start runs past midnight, which OSM allows.
fn osm_interval(s: &str) -> Option<String> {
    let (start, end) = s.split_once('-')?;
    let start = parse_hhmm(start.trim())?;
    let mut end = parse_hhmm(end.trim())?;
    if end == (0, 0) {
        end = (24, 0);
    }
    Some(format!(
        "{:02}:{:02}-{:02}:{:02}",
        start.0, start.1, end.0, end.1
    ))
}

fn parse_hhmm(s: &str) -> Option<(u32, u32)> {
    let (h, m) = s.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some((h, m))
}

impl Week {
    /// `Mo-Fr 09:00-13:00,14:00-18:00; Sa 09:00-13:00; 2014 Apr 18 off`: weekday rules
    /// first, dated rules after them so that they override (OSM: later rules win).
    fn to_osm(&self) -> Option<String> {
        let mut rules: Vec<String> = Vec::new();
        let day_spec: Vec<Option<String>> = self
            .days
            .iter()
            .map(|d| {
                d.as_ref().map(|intervals| {
                    let mut iv = intervals.clone();
                    crate::sort::sort(&mut iv);
                    iv.dedup();
                    if iv.is_empty() {
                        "off".to_owned()
                    } else {
                        iv.join(",")
                    }
                })
            })
            .collect();
        let mut d = 0;
        while d < 7 {
            let Some(spec) = &day_spec[d] else {
                d += 1;
                continue;
            };
            let mut last = d;
            while last + 1 < 7 && day_spec[last + 1].as_ref() == Some(spec) {
                last += 1;
            }
            let days = if last == d {
                OSM_DAYS[d].to_owned()
            } else {
                format!("{}-{}", OSM_DAYS[d], OSM_DAYS[last])
            };
            rules.push(format!("{days} {spec}"));
            d = last + 1;
        }
        let general_known = !rules.is_empty();
        let mut dated: Vec<(NaiveDate, Vec<String>)> = Vec::new();
        for (date, interval) in &self.dated {
            match dated.iter_mut().find(|(d, _)| d == date) {
                Some((_, ivs)) => ivs.extend(interval.iter().cloned()),
                None => dated.push((*date, interval.iter().cloned().collect())),
            }
        }
        crate::sort::sort(&mut dated);
        for (date, mut ivs) in dated {
            crate::sort::sort(&mut ivs);
            ivs.dedup();
            let spec = if ivs.is_empty() {
                "off".to_owned()
            } else {
                ivs.join(",")
            };
            rules.push(format!(
                "{} {} {:02} {spec}",
                date.year(),
                OSM_MONTHS[date.month0() as usize],
                date.day()
            ));
        }
        if rules.is_empty() {
            return None;
        }
        if !general_known {
            // Only dated openings are known: other days are unknown, not closed.
            rules.insert(0, "24/7 unknown".to_owned());
        }
        Some(rules.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_handle_midnight_ends() {
        assert_eq!(osm_interval("08:00-00:00").as_deref(), Some("08:00-24:00"));
        assert_eq!(osm_interval("00:00-00:00").as_deref(), Some("00:00-24:00"));
        assert_eq!(osm_interval("09:00-05:30").as_deref(), Some("09:00-05:30"));
        assert_eq!(osm_interval("9-5"), None);
        assert_eq!(osm_interval("25:00-26:00"), None);
    }

    #[test]
    fn nhs_dates_parse_with_padded_days() {
        assert_eq!(
            parse_nhs_date("May  5 2014"),
            NaiveDate::from_ymd_opt(2014, 5, 5)
        );
        assert_eq!(
            parse_nhs_date("Apr 18 2014"),
            NaiveDate::from_ymd_opt(2014, 4, 18)
        );
        assert_eq!(parse_nhs_date("Foo 18 2014"), None);
    }

    #[test]
    fn weeks_group_days_and_put_dated_rules_last() {
        let mut w = Week::default();
        for d in 0..5 {
            w.days[d] = Some(vec!["13:30-17:30".into(), "09:30-13:00".into()]);
        }
        w.days[5] = Some(vec!["09:00-13:00".into()]);
        w.dated.push((
            NaiveDate::from_ymd_opt(2014, 4, 18).unwrap(),
            Some("10:00-16:00".into()),
        ));
        w.dated
            .push((NaiveDate::from_ymd_opt(2014, 4, 21).unwrap(), None));
        assert_eq!(
            w.to_osm().as_deref(),
            Some("Mo-Fr 09:30-13:00,13:30-17:30; Sa 09:00-13:00; 2014 Apr 18 10:00-16:00; 2014 Apr 21 off")
        );
    }

    #[test]
    fn only_dated_openings_leave_other_days_unknown() {
        let mut w = Week::default();
        w.dated
            .push((NaiveDate::from_ymd_opt(2014, 12, 25).unwrap(), None));
        assert_eq!(w.to_osm().as_deref(), Some("24/7 unknown; 2014 Dec 25 off"));
    }

    #[test]
    fn sexual_health_only_when_the_name_says_so() {
        assert_eq!(
            categories(Kind::Clinic, "Archway Sexual Health Centre"),
            [Category::SexualHealthClinic]
        );
        assert_eq!(
            categories(Kind::Clinic, "John Anthony Centre (Gum)"),
            [Category::SexualHealthClinic]
        );
        assert_eq!(
            categories(Kind::Clinic, "Brook (Birmingham)"),
            [Category::SexualHealthClinic]
        );
        assert_eq!(
            categories(Kind::Clinic, "Brook Green Medical"),
            [Category::Other]
        );
        assert_eq!(
            categories(Kind::Clinic, "Brookside Surgery"),
            [Category::Other]
        );
        assert_eq!(
            categories(Kind::Clinic, "Gumtree Lane Clinic"),
            [Category::Other]
        );
        assert_eq!(
            categories(Kind::Clinic, "Seaham Community Drugs Team"),
            [Category::DrugAndAlcoholService]
        );
        assert_eq!(
            categories(Kind::Hospital, "Royal Infirmary A&E"),
            [Category::AccidentAndEmergency]
        );
        assert_eq!(
            categories(Kind::Hospital, "West Park Hospital"),
            [Category::Other]
        );
    }
}
