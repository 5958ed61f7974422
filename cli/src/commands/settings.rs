//! `vigil settings show|set`: the settings stored in the vault (the rules and defaults are
//! the core's, `vigil_core::app::Settings`).

use serde_json::json;
use vigil_core::app::Settings;

use crate::args::{SettingsCommand, SettingsSetArgs};
use crate::context::Context;
use crate::error::{CliError, CliResult};

pub fn run(ctx: &Context, command: SettingsCommand) -> CliResult {
    let app = ctx.unlock()?;
    let settings = match command {
        SettingsCommand::Show => app.settings()?,
        SettingsCommand::Set(a) => {
            let mut settings = app.settings()?;
            apply(&mut settings, a)?;
            app.set_settings(&settings)?;
            app.settings()?
        }
    };
    ctx.emit(json!(settings), || {
        format!(
            "Region: {}\nLanguages: {}\nUTC offset: {}\nIdle lock: {} minutes",
            settings.region,
            settings.worker_languages.join(", "),
            match settings.utc_offset_minutes {
                Some(m) => format!("{m} minutes"),
                None => "the device clock's".to_owned(),
            },
            settings.idle_lock_minutes
        )
    })
}

fn apply(settings: &mut Settings, a: SettingsSetArgs) -> CliResult {
    if let Some(country) = a.country {
        settings.region = country;
    }
    if !a.languages.is_empty() {
        settings.worker_languages = a.languages;
    }
    if let Some(offset) = a.utc_offset {
        settings.utc_offset_minutes = match offset.trim() {
            "device" => None,
            minutes => Some(minutes.parse().map_err(|_| {
                CliError::usage(
                    "--utc-offset takes a number of minutes (e.g. 60, -300) or `device`",
                )
            })?),
        };
    }
    if let Some(minutes) = a.idle_lock_minutes {
        settings.idle_lock_minutes = minutes;
    }
    Ok(())
}
