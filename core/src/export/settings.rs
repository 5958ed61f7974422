//! The `settings` section (since 1.2): the worker's settings (region, languages, UTC
//! offset, idle lock), the one sealed row of `settings` (table `app_settings`).
//!
//! Exported only when stored (a vault on its defaults exports an empty section). Settings
//! carry no times, so, as with buddies, a vault that has its own keeps them: restoring an
//! old backup never changes what the worker chose since. A vault still on its defaults (a
//! new one, made to restore into) takes the exported ones.

use serde::{Deserialize, Serialize};

use super::{
    invalid_reason, merge, parse_record, record_id, ImportState, RecordSink, Section, SectionReport,
};
use crate::settings::{self, Settings};
use crate::vault::{RecordId, Session};
use crate::Result;

/// The settings as exported: the row's id and the stored fields.
#[derive(Debug, Serialize, Deserialize)]
struct SettingsRecord {
    id: RecordId,
    #[serde(flatten)]
    settings: Settings,
}

pub(crate) struct SettingsSection;

impl Section for SettingsSection {
    fn name(&self) -> &'static str {
        "settings"
    }

    fn export(&self, session: &Session, sink: &mut RecordSink<'_>) -> Result<()> {
        let id = settings::row();
        match settings::load_stored(session) {
            Ok(None) => Ok(()),
            opened => sink.write_opened(
                id,
                opened.map(|s| SettingsRecord {
                    id,
                    settings: s.unwrap_or_default(),
                }),
            ),
        }
    }

    fn import(
        &self,
        session: &Session,
        record: serde_json::Value,
        report: &mut SectionReport,
        _state: &mut ImportState,
    ) -> Result<()> {
        let Some(r) = parse_record::<SettingsRecord>(record, report, record_id, "settings") else {
            return Ok(());
        };
        if r.id != settings::row() {
            report.reject(Some(r.id), "not the settings row");
            return Ok(());
        }
        if let Err(e) = r.settings.validate() {
            report.reject(Some(r.id), invalid_reason(e));
            return Ok(());
        }
        // No times to compare: settings the vault has are kept.
        merge(
            report,
            r.id,
            "the vault's settings are unreadable",
            || settings::load_stored(session),
            |_| false,
            |_| settings::store(session, &r.settings).map(Ok),
        )?;
        Ok(())
    }
}
