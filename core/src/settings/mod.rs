//! The worker's settings, stored sealed in the vault (one row), with defaults: a
//! capability like the others, below `export` (which carries them in its `settings`
//! section) and below `app` (which reads them for every screen and message).
//!
//! Shells used to keep these in memory (region GB, language "en", UTC offset 0): every
//! shell then had its own defaults and lost the choice at each restart. The application
//! layer reads and writes them through `App::settings` and `App::set_settings`.

pub(crate) mod tables;

use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};

use crate::identifiers::Region;
use crate::vault::{RecordId, SealedBody, Session};
use crate::{Error, Result};

pub(crate) const TABLE: &str = "app_settings";

/// Widest UTC offsets in use (UTC−12:00 to UTC+14:00), in minutes.
pub const MIN_UTC_OFFSET_MINUTES: i32 = -12 * 60;
pub const MAX_UTC_OFFSET_MINUTES: i32 = 14 * 60;
/// Longest idle time before a shell locks the vault: one day.
pub const MAX_IDLE_LOCK_MINUTES: u32 = 24 * 60;

/// What the worker chose once and every screen uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// ISO 3166-1 alpha-2 code for phone numbers written without a country code.
    pub region: String,
    /// Languages of the messages sent for the worker (buddy alerts), most preferred first.
    pub worker_languages: Vec<String>,
    /// The worker's UTC offset for times written in messages; `None` follows the device
    /// clock (the offset the shell gives with `App::set_device_utc_offset`).
    pub utc_offset_minutes: Option<i32>,
    /// Minutes without use after which the shell locks the vault.
    pub idle_lock_minutes: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            region: "GB".to_owned(),
            worker_languages: vec!["en".to_owned()],
            utc_offset_minutes: None,
            idle_lock_minutes: 5,
        }
    }
}

impl Settings {
    /// The region, parsed (it was checked when stored).
    pub fn region(&self) -> Result<Region> {
        self.region.parse()
    }

    /// The first language, for messages written in one language.
    pub fn language(&self) -> &str {
        self.worker_languages
            .first()
            .map(String::as_str)
            .unwrap_or("en")
    }

    /// Checks every field; nothing is stored unless all are valid.
    pub fn validate(&self) -> Result<()> {
        self.region()?;
        if self.worker_languages.is_empty() {
            return Err(Error::invalid("worker languages", "name at least one"));
        }
        for lang in &self.worker_languages {
            let ok = (2..=8).contains(&lang.len())
                && lang.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
            if !ok {
                return Err(Error::invalid(
                    "worker languages",
                    "each must be a language tag such as en or pt-BR",
                ));
            }
        }
        if let Some(offset) = self.utc_offset_minutes {
            if !(MIN_UTC_OFFSET_MINUTES..=MAX_UTC_OFFSET_MINUTES).contains(&offset) {
                return Err(Error::invalid(
                    "UTC offset",
                    "must be between -12:00 and +14:00",
                ));
            }
        }
        if !(1..=MAX_IDLE_LOCK_MINUTES).contains(&self.idle_lock_minutes) {
            return Err(Error::invalid(
                "idle lock",
                "must be between 1 and 1440 minutes",
            ));
        }
        Ok(())
    }
}

/// The id of the one settings row.
pub(crate) fn row() -> RecordId {
    RecordId::from_bytes([0; 16])
}

/// The stored settings, or the defaults when none were stored.
pub(crate) fn load(session: &Session) -> Result<Settings> {
    Ok(load_stored(session)?.unwrap_or_default())
}

/// The stored settings; `None` when the vault is still on its defaults (for export and
/// restore, which must tell the two apart).
pub(crate) fn load_stored(session: &Session) -> Result<Option<Settings>> {
    let body = session
        .conn()
        .query_row(
            "SELECT body FROM app_settings WHERE id = ?1",
            [row()],
            |r| r.get::<_, SealedBody>(0).map(|b| b.0),
        )
        .optional()?;
    body.map(|body| session.open(TABLE, &row(), &body))
        .transpose()
}

pub(crate) fn store(session: &Session, settings: &Settings) -> Result<()> {
    settings.validate()?;
    // Stored in its canonical form ("ro" → "RO").
    let settings = Settings {
        region: settings.region()?.code().to_owned(),
        ..settings.clone()
    };
    let body = session.seal(TABLE, &row(), &settings)?;
    session.conn().execute(
        "INSERT INTO app_settings (id, body) VALUES (?1, ?2)
         ON CONFLICT (id) DO UPDATE SET body = excluded.body",
        rusqlite::params![row(), body],
    )?;
    Ok(())
}
