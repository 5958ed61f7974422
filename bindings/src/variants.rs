//! Every variant of every enum that crosses the boundary, for the binding suites: they check
//! that each one arrives in Kotlin and Python and comes back unchanged.

use crate::types::*;

/// All the variants of a fieldless enum. The `match` has no wildcard, so a variant added to
/// the core breaks this build until it is listed here (and then the foreign suites, which
/// list the expected names, fail until they cover it).
macro_rules! every {
    ($t:ident: $($v:ident),+ $(,)?) => {{
        let _exhaustive = |x: $t| match x {
            $($t::$v => ()),+
        };
        vec![$($t::$v),+]
    }};
}

/// One value of each variant of each enum in the API.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct EnumVariants {
    pub booking_kinds: Vec<BookingKind>,
    pub booking_statuses: Vec<BookingStatus>,
    pub channels: Vec<Channel>,
    pub checkin_phases: Vec<CheckinPhase>,
    pub worker_notices: Vec<WorkerNotice>,
    pub message_purposes: Vec<MessagePurpose>,
    pub risks: Vec<Risk>,
    pub alert_categories: Vec<AlertCategory>,
    pub open_states: Vec<OpenState>,
    pub hours_sources: Vec<HoursSource>,
    pub bundle_kinds: Vec<BundleKind>,
    pub wipe_states: Vec<WipeState>,
    pub outcomes: Vec<Outcome>,
    pub action_kinds: Vec<ActionKind>,
    pub match_sources: Vec<MatchSource>,
}

fn outcomes() -> Vec<Outcome> {
    let all = vec![
        Outcome::Sent,
        Outcome::Failed {
            reason: "no signal".into(),
        },
    ];
    for o in &all {
        match o {
            Outcome::Sent | Outcome::Failed { .. } => {}
        }
    }
    all
}

fn action_kinds() -> Vec<ActionKind> {
    let all = vec![
        ActionKind::NotifyWorker {
            notice: WorkerNotice::Overdue,
            text: "Check in now".into(),
        },
        ActionKind::MessageBuddy {
            buddy_id: "0123456789abcdef0123456789abcdef".into(),
            name: "Ana".into(),
            phone: "+447400123456".into(),
            channel: Channel::OtherApp,
            language: "pt-br".into(),
            purpose: MessagePurpose::Duress,
            text: "ą ș ñ ✓".into(),
            discreet: true,
        },
        ActionKind::WorkerAlertFailed {
            buddy_id: "fedcba9876543210fedcba9876543210".into(),
            buddy_name: "Bea".into(),
            failed_channel: Channel::Sms,
            next_channel: Some(Channel::Call),
            every_channel_failed: false,
            reason: Some("no signal".into()),
            text: "Bea could not be reached".into(),
        },
    ];
    for a in &all {
        match a {
            ActionKind::NotifyWorker { .. }
            | ActionKind::MessageBuddy { .. }
            | ActionKind::WorkerAlertFailed { .. } => {}
        }
    }
    all
}

fn match_sources() -> Vec<MatchSource> {
    let all = vec![
        MatchSource::Note {
            note_id: "00112233445566778899aabbccddeeff".into(),
            label: "Dave".into(),
        },
        MatchSource::Alert {
            // A publisher's name keeps its case and punctuation.
            publisher: "SWARM Ugly Mugs (NW)".into(),
            category: AlertCategory::SexualAssault,
        },
    ];
    for m in &all {
        match m {
            MatchSource::Note { .. } | MatchSource::Alert { .. } => {}
        }
    }
    all
}

/// Every variant of every enum in the API (for the binding suites).
#[uniffi::export]
pub fn enum_variants() -> EnumVariants {
    EnumVariants {
        booking_kinds: every!(BookingKind: Incall, Outcall, Video, Other),
        booking_statuses: every!(BookingStatus: Planned, InProgress, Done, Cancelled, NoShow, Incident),
        channels: every!(Channel: Sms, Call, OtherApp),
        checkin_phases: every!(CheckinPhase: Armed, Escalating, Ended),
        worker_notices: every!(WorkerNotice: Reminder, Overdue, Escalating),
        message_purposes: every!(MessagePurpose: Alert, Duress, Safe),
        risks: every!(Risk: Safe, Unknown, Caution, Danger, Blocked),
        alert_categories: every!(
            AlertCategory: Violence,
            SexualAssault,
            Robbery,
            Stealthing,
            Harassment,
            NonPayment,
            TimeWaster,
            Other,
        ),
        open_states: every!(OpenState: Open, Closed, Unknown),
        hours_sources: every!(HoursSource: Published, NotPublished, NotUnderstood),
        bundle_kinds: every!(BundleKind: Alerts, Directory),
        wipe_states: every!(WipeState: Pending, Cancelled, Done),
        outcomes: outcomes(),
        action_kinds: action_kinds(),
        match_sources: match_sources(),
    }
}

/// Returns its argument: the suites send every variant in and compare what comes back.
#[uniffi::export]
pub fn echo_enum_variants(variants: EnumVariants) -> EnumVariants {
    variants
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_is_listed_once() {
        let v = enum_variants();
        assert_eq!(v.risks.len(), 5);
        assert_eq!(v.alert_categories.len(), 8);
        let mut risks = v.risks.clone();
        risks.dedup();
        assert_eq!(risks, v.risks);
        assert_eq!(echo_enum_variants(v.clone()), v);
    }
}
