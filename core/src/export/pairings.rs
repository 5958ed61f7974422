//! The `pairings` section (format 1.3): the phones paired for "watch over me".
//!
//! Exported so the backup is a whole copy of the vault and shows whom the worker was
//! paired with. Never imported: a pairing is only half in the vault. This phone's own keys
//! (which the other phone knows and checks every message against) and the per-pair
//! counters are device-bound, under the escalation key, like the check-in codes, and a
//! restore happens on another device or after a wipe that destroyed the device secret.
//! A restored pairing would list a buddy as watching while their phone refuses every
//! message, so each record is reported as refused with the reason: pair again. Live
//! watches are not exported, like live check-ins.

use serde::{Deserialize, Serialize};

use super::{parse_record, record_id, ImportState, RecordSink, Section, SectionReport};
use crate::clock::Timestamp;
use crate::vault::{RecordId, Session};
use crate::watch::stored_pairings;
use crate::Result;

#[derive(Debug, Serialize, Deserialize)]
struct PairingRecord {
    id: RecordId,
    name: String,
    /// E.164, when saved.
    phone: Option<String>,
    /// The other phone's X25519 and Ed25519 public keys, hex.
    sealing_key: String,
    signing_key: String,
    buddy: Option<RecordId>,
    paired_at: Timestamp,
}

pub(crate) struct PairingsSection;

impl Section for PairingsSection {
    fn name(&self) -> &'static str {
        "pairings"
    }

    fn export(&self, session: &Session, sink: &mut RecordSink<'_>) -> Result<()> {
        stored_pairings::for_each(session, |id, opened| {
            sink.write_opened(
                id,
                opened.map(|p| PairingRecord {
                    id: p.id,
                    name: p.name,
                    phone: p.phone,
                    sealing_key: hex::encode(p.keys.sealing),
                    signing_key: hex::encode(p.keys.signing),
                    buddy: p.buddy,
                    paired_at: p.paired_at,
                }),
            )
        })
    }

    fn import(
        &self,
        _session: &Session,
        record: serde_json::Value,
        report: &mut SectionReport,
        _state: &mut ImportState,
    ) -> Result<()> {
        let Some(r) = parse_record::<PairingRecord>(record, report, record_id, "pairing") else {
            return Ok(());
        };
        report.reject(
            Some(r.id),
            "a pairing is bound to the phone that made it: pair the two phones again",
        );
        Ok(())
    }
}
