//! The worker's settings as the application layer gives them: read and written on an
//! unlocked [`App`]; the type, its checks and its table live in [`crate::settings`].

use super::App;
use crate::settings::{load, store, Settings, MAX_UTC_OFFSET_MINUTES, MIN_UTC_OFFSET_MINUTES};
use crate::{Error, Result};

impl App {
    /// The worker's settings (defaults until changed).
    pub fn settings(&self) -> Result<Settings> {
        load(&self.session)
    }

    /// Stores new settings, all checked first; in the real vault the decoy gets them too
    /// (see `decoy::mirror_settings`).
    pub fn set_settings(&self, settings: &Settings) -> Result<()> {
        store(&self.session, settings)?;
        super::decoy::mirror_settings(&self.session)?;
        self.sync_watch_language();
        Ok(())
    }

    /// The UTC offset messages are written in: the stored one, else the device's.
    pub fn utc_offset_minutes(&self) -> Result<i32> {
        Ok(self
            .settings()?
            .utc_offset_minutes
            .unwrap_or(self.device_utc_offset_minutes))
    }

    /// The device clock's current UTC offset, from the shell (used when the worker has not
    /// fixed one in the settings). Out-of-range values are refused.
    pub fn set_device_utc_offset(&mut self, minutes: i32) -> Result<()> {
        if !(MIN_UTC_OFFSET_MINUTES..=MAX_UTC_OFFSET_MINUTES).contains(&minutes) {
            return Err(Error::invalid(
                "UTC offset",
                "must be between -12:00 and +14:00",
            ));
        }
        self.device_utc_offset_minutes = minutes;
        Ok(())
    }
}
