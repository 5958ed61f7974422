//! The offline service directory: where help is, and whether it is open now.
//!
//! "Where is the nearest sexual health clinic that is open now?" has to be answered with no
//! signal, in well under a second, on a cheap phone. Publishers (local projects) turn
//! OpenStreetMap exports, the NHS Choices extracts or their own spreadsheets into a list of
//! [`Service`]s with the [`import`] functions; the app loads every accepted publisher's
//! services into one in-memory [`DirectoryIndex`] (a spatial index built once per load) and
//! answers nearest / open-now / name / postcode queries from it.
//!
//! Opening hours stay in OpenStreetMap `opening_hours` syntax end to end, evaluated in the
//! time zone the publisher declares, with England & Wales bank holidays as `PH`
//! ([`hours`]). Hours that cannot be parsed are reported as unknown, never as an error.

mod bundle;
pub mod hours;
pub mod import;
mod index;
pub(crate) mod tables;
mod text;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

pub(crate) use bundle::Chunk;
pub use bundle::{
    build_directory_bundle, Directory, LoadedDirectory, StoredDirectory, SERVICES_PER_CHUNK,
};
pub use hours::{HoursSource, HoursStatus, OpenState};
pub use index::{DirectoryIndex, Hit, Match, NearbyQuery, OpenFilter, OpenNearby, EARTH_RADIUS_M};
pub use text::{decode_windows_1252, fold_for_search, normalize_postcode};

/// Errors specific to the directory. Messages name files and columns, never service data.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DirectoryError {
    #[error("{file}: the header has no `{column}` column")]
    MissingColumn { file: String, column: &'static str },
    #[error("{file}: cannot be read: {source}")]
    Read {
        file: String,
        source: std::io::Error,
    },
    #[error("{file}: larger than the {} MiB limit for a source file", .limit / (1024 * 1024))]
    TooLarge { file: String, limit: u64 },
    #[error("{file}: the file is empty (no header line)")]
    EmptyFile { file: String },
    #[error("unknown time zone `{0}` (expected an IANA name such as Europe/London)")]
    UnknownTimeZone(String),
    #[error("the GeoJSON document is not a FeatureCollection: {0}")]
    NotGeoJson(&'static str),
    #[error("the CSV header is unreadable: {0}")]
    BadCsvHeader(String),
    #[error("directory content format {0} is not understood by this build")]
    UnsupportedContentFormat(u32),
    #[error("duplicate service id within one publisher's directory")]
    DuplicateServiceId,
}

/// What kind of help a service offers. A service may have several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    SexualHealthClinic,
    SexWorkProject,
    /// Sexual assault referral centre (SARC).
    SexualAssaultReferralCentre,
    /// Accident & emergency department.
    AccidentAndEmergency,
    Pharmacy,
    /// General practitioner (family doctor) practice.
    GeneralPractice,
    DrugAndAlcoholService,
    NeedleExchange,
    DomesticAbuseService,
    Police,
    Other,
}

impl Category {
    pub const ALL: [Category; 11] = [
        Category::SexualHealthClinic,
        Category::SexWorkProject,
        Category::SexualAssaultReferralCentre,
        Category::AccidentAndEmergency,
        Category::Pharmacy,
        Category::GeneralPractice,
        Category::DrugAndAlcoholService,
        Category::NeedleExchange,
        Category::DomesticAbuseService,
        Category::Police,
        Category::Other,
    ];

    /// The stable machine name (as in the bundle format and the CSV importer).
    pub fn as_str(self) -> &'static str {
        match self {
            Category::SexualHealthClinic => "sexual_health_clinic",
            Category::SexWorkProject => "sex_work_project",
            Category::SexualAssaultReferralCentre => "sexual_assault_referral_centre",
            Category::AccidentAndEmergency => "accident_and_emergency",
            Category::Pharmacy => "pharmacy",
            Category::GeneralPractice => "general_practice",
            Category::DrugAndAlcoholService => "drug_and_alcohol_service",
            Category::NeedleExchange => "needle_exchange",
            Category::DomesticAbuseService => "domestic_abuse_service",
            Category::Police => "police",
            Category::Other => "other",
        }
    }

    /// Reads a category name as a spreadsheet author would write it: the machine name or
    /// a common alias ("A&E", "SARC", "GP", "GUM", "needle and syringe programme"...),
    /// case-, space- and punctuation-insensitive.
    pub fn parse_loose(s: &str) -> Option<Category> {
        let key: String = s
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == '&')
            .flat_map(char::to_lowercase)
            .collect();
        let c = match key.as_str() {
            "sexualhealthclinic"
            | "sexualhealth"
            | "gum"
            | "gumclinic"
            | "genitourinarymedicine"
            | "sti"
            | "sticlinic"
            | "contraception"
            | "familyplanning" => Category::SexualHealthClinic,
            "sexworkproject" | "sexwork" | "sexworkerproject" | "sexworkersupport" => {
                Category::SexWorkProject
            }
            "sexualassaultreferralcentre" | "sarc" | "sexualassault" => {
                Category::SexualAssaultReferralCentre
            }
            "accidentandemergency"
            | "a&e"
            | "ae"
            | "emergency"
            | "emergencydepartment"
            | "ed"
            | "er"
            | "accident&emergency" => Category::AccidentAndEmergency,
            "pharmacy" | "chemist" | "chemists" => Category::Pharmacy,
            "generalpractice" | "gp" | "gppractice" | "doctor" | "doctors" => {
                Category::GeneralPractice
            }
            "drugandalcoholservice"
            | "drugsandalcohol"
            | "drugandalcohol"
            | "drugs"
            | "alcohol"
            | "substancemisuse"
            | "addiction" => Category::DrugAndAlcoholService,
            "needleexchange" | "needleandsyringeprogramme" | "nsp" | "syringeexchange" => {
                Category::NeedleExchange
            }
            "domesticabuseservice" | "domesticabuse" | "domesticviolence" => {
                Category::DomesticAbuseService
            }
            "police" | "policestation" => Category::Police,
            "other" => Category::Other,
            _ => return None,
        };
        Some(c)
    }

    pub(crate) fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

impl std::fmt::Display for Category {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One place that offers help.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Service {
    /// Stable within one publisher's directory: a newer bundle uses the same id for the same
    /// place (e.g. `nhs:pharmacy:1186`, `osm:node/123`).
    pub id: String,
    pub name: String,
    pub categories: Vec<Category>,
    /// WGS84 decimal degrees.
    pub latitude: f64,
    pub longitude: f64,
    #[serde(default, skip_serializing_if = "crate::vault::encoding::omit_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "crate::vault::encoding::omit_none")]
    pub postcode: Option<String>,
    #[serde(default, skip_serializing_if = "crate::vault::encoding::omit_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "crate::vault::encoding::omit_none")]
    pub website: Option<String>,
    /// OpenStreetMap `opening_hours` syntax, kept as published; evaluated on query.
    #[serde(default, skip_serializing_if = "crate::vault::encoding::omit_none")]
    pub opening_hours: Option<String>,
    /// Languages spoken, as the publisher writes them (ideally BCP 47 tags: `en`, `ro`, `pt-BR`).
    #[serde(default, skip_serializing_if = "crate::vault::encoding::omit_empty")]
    pub languages: Vec<String>,
    #[serde(default, skip_serializing_if = "crate::vault::encoding::omit_none")]
    pub notes: Option<String>,
    /// When the publisher last checked this entry.
    #[serde(default, skip_serializing_if = "crate::vault::encoding::omit_none")]
    pub last_updated: Option<NaiveDate>,
}

impl Service {
    /// A service with the required fields and everything else empty.
    pub fn new(
        id: &str,
        name: &str,
        categories: &[Category],
        latitude: f64,
        longitude: f64,
    ) -> Self {
        Self {
            id: id.to_owned(),
            name: name.to_owned(),
            categories: categories.to_vec(),
            latitude,
            longitude,
            address: None,
            postcode: None,
            phone: None,
            website: None,
            opening_hours: None,
            languages: Vec::new(),
            notes: None,
            last_updated: None,
        }
    }

    /// Checks what the index relies on. Opening hours are deliberately not checked: hours
    /// that do not parse are shown as unknown rather than hiding the service.
    pub fn validate(&self) -> Result<()> {
        if self.id.trim().is_empty() {
            return Err(Error::invalid("service id", "must not be empty"));
        }
        if self.name.trim().is_empty() {
            return Err(Error::invalid("service name", "must not be empty"));
        }
        if self.categories.is_empty() {
            return Err(Error::invalid(
                "categories",
                "a service needs at least one category",
            ));
        }
        check_coordinates(self.latitude, self.longitude)
    }

    pub(crate) fn category_bits(&self) -> u16 {
        self.categories.iter().fold(0, |acc, c| acc | c.bit())
    }
}

/// Rejects NaN, infinities and out-of-range WGS84 coordinates.
pub fn check_coordinates(latitude: f64, longitude: f64) -> Result<()> {
    if !latitude.is_finite() || !(-90.0..=90.0).contains(&latitude) {
        return Err(Error::invalid(
            "latitude",
            "must be a number between -90 and 90",
        ));
    }
    if !longitude.is_finite() || !(-180.0..=180.0).contains(&longitude) {
        return Err(Error::invalid(
            "longitude",
            "must be a number between -180 and 180",
        ));
    }
    Ok(())
}

/// The directory content schema this build writes and reads.
pub const CONTENT_FORMAT: u32 = 1;

/// One publisher's directory as carried in a bundle: the services and the IANA time zone
/// their opening hours are written in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DirectoryContent {
    /// The content schema version ([`CONTENT_FORMAT`]); a newer one is refused, not guessed at.
    pub format: u32,
    /// IANA name, e.g. `Europe/London`.
    pub time_zone: String,
    pub services: Vec<Service>,
}

impl DirectoryContent {
    pub fn new(time_zone: &str, services: Vec<Service>) -> Self {
        Self {
            format: CONTENT_FORMAT,
            time_zone: time_zone.to_owned(),
            services,
        }
    }

    /// Checks the format, the time zone, every service, and that ids are unique.
    pub fn validate(&self) -> Result<()> {
        if self.format != CONTENT_FORMAT {
            return Err(DirectoryError::UnsupportedContentFormat(self.format).into());
        }
        hours::parse_time_zone(&self.time_zone)?;
        let mut ids = std::collections::HashSet::with_capacity(self.services.len());
        for s in &self.services {
            s.validate()?;
            if !ids.insert(s.id.as_str()) {
                return Err(DirectoryError::DuplicateServiceId.into());
            }
        }
        Ok(())
    }

    pub fn to_json(&self) -> Result<Vec<u8>> {
        serde_json::to_vec(self).map_err(|e| Error::Decode(json_position("directory content", &e)))
    }

    pub fn from_json(bytes: &[u8]) -> Result<Self> {
        serde_json::from_slice(bytes)
            .map_err(|e| Error::Decode(json_position("directory content", &e)))
    }
}

/// A JSON error reduced to where it happened: serde_json's own message may quote the input.
pub(crate) fn json_position(what: &str, e: &serde_json::Error) -> String {
    format!(
        "{what} is not valid (line {}, column {})",
        e.line(),
        e.column()
    )
}
