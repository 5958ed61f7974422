//! What the buddy's phone says about a watch (English; the check-in templates' languages
//! are not carried over yet, see docs/checkin.md).
//!
//! The buddy reads these on their own phone: unlike the SMS a worker's phone sends, they
//! may say what happened plainly.

use super::{WatchNotice, WatchTerms};

fn when(terms: &WatchTerms) -> String {
    let offset = chrono::FixedOffset::east_opt(i32::from(terms.utc_offset_minutes) * 60)
        .unwrap_or_else(|| chrono::FixedOffset::east_opt(0).expect("zero offset"));
    let t = terms.deadline.with_timezone(&offset);
    let h = terms.utc_offset_minutes / 60;
    let m = (terms.utc_offset_minutes % 60).abs();
    let zone = match (h, m) {
        (0, 0) => "UTC".to_owned(),
        (h, 0) => format!("UTC{h:+}"),
        (h, m) => format!("UTC{h:+}:{m:02}"),
    };
    format!("{} {zone}", t.format("%Y-%m-%d %H:%M"))
}

fn details(terms: &WatchTerms, out: &mut String) {
    if let Some(a) = &terms.address {
        out.push_str(&format!("\nAddress: {a}"));
    }
    if let Some((lat, lon)) = terms.place {
        out.push_str(&format!(
            "\nOn the map: https://www.openstreetmap.org/?mlat={lat:.6}&mlon={lon:.6}#map=18/{lat:.6}/{lon:.6}"
        ));
    }
    if let Some(c) = &terms.client {
        out.push_str(&format!("\nMeeting with: {c}"));
    }
    if let Some(c) = &terms.client_contact {
        out.push_str(&format!("\nTheir contact: {c}"));
    }
}

/// The text of one notice to the buddy.
pub(super) fn notice(
    notice: WatchNotice,
    name: &str,
    phone: Option<&str>,
    terms: &WatchTerms,
    duress: bool,
    has_terms: bool,
) -> String {
    let phone = phone.unwrap_or("(no number saved)");
    let mut out = match (notice, duress) {
        (WatchNotice::Reminder, _) => format!(
            "{name}'s check-in was due at {}. Nothing heard yet: the alarm follows if she does not check in.",
            when(terms)
        ),
        (WatchNotice::Alarm, false) => format!(
            "ALARM: {name} has not checked in (due {}). She may need help.",
            when(terms)
        ),
        (WatchNotice::Alarm, true) => format!(
            "ALARM: {name} checked in under DURESS. She is in danger. Do NOT call or text her openly."
        ),
        (WatchNotice::CallWorker, _) => {
            format!("Call {name} now: {phone}. If she does not answer, call the emergency number.")
        }
        (WatchNotice::CallEmergency, true) => format!(
            "Call the emergency number now and give them these details. Do not call {name} openly."
        ),
        (WatchNotice::CallEmergency, false) => format!(
            "If you have not reached {name}, call the emergency number now and give them these details."
        ),
        (WatchNotice::SafeAfterAlarm, _) => format!("{name} has checked in: she says she is safe."),
    };
    if has_terms && matches!(notice, WatchNotice::Alarm | WatchNotice::CallEmergency) {
        details(terms, &mut out);
    }
    out
}
