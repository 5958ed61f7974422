//! The `buddies` section: the people a check-in alerts.
//!
//! Check-in *codes* are not exported. They exist only as salted MACs under the escalation
//! key, which is derived from the device secret: a verifier is useless on another device
//! (or after the device secret changes), and the code itself cannot be recovered. After a
//! restore the worker sets her codes again; until she does, arming is refused
//! (`CheckinError::CodesNotSet`), so a restored vault never has a check-in that cannot be
//! ended. Live check-ins are not exported either (see `docs/export-format.md`).
//!
//! Buddies carry no times, so a buddy already in the vault (same id) is always kept: the
//! import cannot tell which copy is newer and never overwrites silently.

use serde::{Deserialize, Serialize};

use super::{
    found, merge, parse_record, record_id, ImportState, RecordSink, Section, SectionReport,
};
use crate::checkin::{stored_buddies, Buddy, BuddyDraft, Channel};
use crate::vault::{RecordId, Session};
use crate::{Error, Result};

/// One buddy as exported (format 1.1).
#[derive(Debug, Serialize, Deserialize)]
struct BuddyRecord {
    id: RecordId,
    name: String,
    /// E.164.
    phone: String,
    channel: ChannelRecord,
    language: String,
    /// Absent in files written before the option existed: the language's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    plain_letters: Option<bool>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum ChannelRecord {
    Sms,
    Call,
    OtherApp,
}

impl From<Buddy> for BuddyRecord {
    fn from(b: Buddy) -> Self {
        let Buddy {
            id,
            name,
            phone,
            channel,
            language,
            plain_letters,
        } = b;
        BuddyRecord {
            id,
            name,
            phone,
            channel: match channel {
                Channel::Sms => ChannelRecord::Sms,
                Channel::Call => ChannelRecord::Call,
                Channel::OtherApp => ChannelRecord::OtherApp,
            },
            language,
            plain_letters: Some(plain_letters),
        }
    }
}

pub(crate) struct BuddiesSection;

impl Section for BuddiesSection {
    fn name(&self) -> &'static str {
        "buddies"
    }

    fn export(&self, session: &Session, sink: &mut RecordSink<'_>) -> Result<()> {
        stored_buddies::for_each(session, |id, opened| {
            sink.write_opened(id, opened.map(BuddyRecord::from))
        })
    }

    fn import(
        &self,
        session: &Session,
        record: serde_json::Value,
        report: &mut SectionReport,
        _state: &mut ImportState,
    ) -> Result<()> {
        let Some(r) = parse_record::<BuddyRecord>(record, report, record_id, "buddy") else {
            return Ok(());
        };
        let draft = BuddyDraft {
            name: r.name,
            phone: r.phone,
            channel: match r.channel {
                ChannelRecord::Sms => Channel::Sms,
                ChannelRecord::Call => Channel::Call,
                ChannelRecord::OtherApp => Channel::OtherApp,
            },
            language: r.language,
            plain_letters: r.plain_letters,
        };
        // The same checks as adding a buddy; an E.164 number keeps its own country.
        let buddy = match draft.normalize(r.id, "GB") {
            Ok(b) => b,
            Err(Error::InvalidInput { field, reason }) => {
                report.reject(Some(r.id), format!("invalid {field}: {reason}"));
                return Ok(());
            }
            // The phone number goes through screening's normalizer; its message names the
            // kind, never the value.
            Err(e @ Error::Screening(_)) => {
                report.reject(Some(r.id), e.to_string());
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        // No times to compare: the vault's copy is always kept.
        merge(
            report,
            buddy.id,
            "the vault's copy of this buddy is unreadable",
            || found(stored_buddies::get(session, &buddy.id)),
            |_| false,
            |_| stored_buddies::insert(session, &buddy).map(Ok),
        )?;
        Ok(())
    }
}
