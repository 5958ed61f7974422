//! The `buddies` section: the people a check-in alerts.
//!
//! Check-in codes are not exported: only salted verifiers under the device's escalation
//! key exist, and they are useless on another phone. Set the codes again after a restore.
//! Live check-ins are not exported either (a backup restored later must never fire an old
//! timer). Buddies have no update time, so an existing buddy is never overwritten.

use serde::{Deserialize, Serialize};

use super::{RecordSink, Section, SectionReport};
use crate::checkin::{restore_buddy, stored_buddies, stored_buddy, Buddy, Channel};
use crate::vault::{RecordId, Session};
use crate::{Error, Result};

#[derive(Debug, Serialize, Deserialize)]
struct BuddyRecord {
    id: RecordId,
    name: String,
    /// E.164.
    phone: String,
    channel: Channel,
    language: String,
}

pub(crate) struct BuddiesSection;

impl Section for BuddiesSection {
    fn name(&self) -> &'static str {
        "buddies"
    }

    fn export(&self, session: &Session, sink: &mut RecordSink<'_>) -> Result<()> {
        let listing = stored_buddies(session)?;
        for id in listing.unreadable {
            sink.unreadable(id);
        }
        for b in listing.items {
            sink.write(&BuddyRecord {
                id: b.id,
                name: b.name,
                phone: b.phone,
                channel: b.channel,
                language: b.language,
            })?;
        }
        Ok(())
    }

    fn import(
        &self,
        session: &Session,
        record: serde_json::Value,
        report: &mut SectionReport,
    ) -> Result<()> {
        let Some(r) = report.parse::<BuddyRecord>(record, "buddy") else {
            return Ok(());
        };
        match stored_buddy(session, &r.id) {
            Ok(_) => {
                report.kept_existing += 1;
                return Ok(());
            }
            Err(Error::NotFound(_)) => {}
            Err(Error::Tampered | Error::Decode(_)) => {
                report.reject(Some(r.id), "the vault's copy of this buddy is unreadable");
                return Ok(());
            }
            Err(e) => return Err(e),
        }
        let buddy = Buddy {
            id: r.id,
            name: r.name,
            phone: r.phone,
            channel: r.channel,
            language: r.language,
        };
        match restore_buddy(session, buddy) {
            Ok(_) => report.inserted += 1,
            Err(e @ (Error::InvalidInput { .. } | Error::Screening(_))) => {
                report.reject(Some(r.id), e.to_string())
            }
            Err(e) => return Err(e),
        }
        Ok(())
    }
}
