//! Message wording, from data.
//!
//! `templates.json` maps a language tag to a set of named templates with `{placeholder}`s.
//! Adding a language is adding one object to that file; a test checks that every language
//! has every template with the same placeholders as English. A buddy's language is tried
//! exactly ("pt-br"), then by its primary subtag ("pt"), then English.
//!
//! Messages are written in the first person (they go out from the worker's own phone),
//! say only what is known ("last known location of my phone, 12 min old"), and always end
//! with a concrete first step. They do not name the app, which a client may not know about.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{FixedOffset, Offset};

use super::engine::{AlertFacts, Channel, LocationFix};
use crate::clock::Timestamp;

const TEMPLATES_JSON: &str = include_str!("templates.json");
const FALLBACK_LANGUAGE: &str = "en";

type TemplateSet = HashMap<String, HashMap<String, String>>;

fn templates() -> &'static TemplateSet {
    static SET: OnceLock<TemplateSet> = OnceLock::new();
    // The file is compiled in and checked by the tests below; an unparsable file would
    // leave the set empty and `lookup` would return the template names.
    SET.get_or_init(|| serde_json::from_str(TEMPLATES_JSON).unwrap_or_default())
}

/// The languages messages can be written in.
pub fn languages() -> Vec<String> {
    let mut langs: Vec<String> = templates().keys().cloned().collect();
    langs.sort();
    langs
}

fn lookup<'a>(language: &str, key: &'a str) -> &'a str
where
    'static: 'a,
{
    let set = templates();
    let lang = language.to_ascii_lowercase();
    let primary = lang.split(['-', '_']).next().unwrap_or_default();
    [lang.as_str(), primary, FALLBACK_LANGUAGE]
        .iter()
        .find_map(|l| set.get(*l).and_then(|t| t.get(key)))
        .map(String::as_str)
        .unwrap_or(key)
}

/// Fills `{name}` placeholders in one pass, so a value that itself contains braces (an
/// address, a handle) is never expanded again.
fn render(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match values.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The placeholders a template uses (for the completeness test).
#[cfg(test)]
fn placeholders(template: &str) -> std::collections::BTreeSet<String> {
    let mut set = std::collections::BTreeSet::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        set.insert(after[..close].to_owned());
        rest = &after[close + 1..];
    }
    set
}

/// What a message is drawn from.
pub(crate) struct Compose<'a> {
    pub deadline: Timestamp,
    pub escalates_at: Timestamp,
    pub facts: &'a AlertFacts,
    pub location: Option<&'a LocationFix>,
    pub ending_at: Option<Timestamp>,
    pub utc_offset_minutes: i32,
    pub now: Timestamp,
}

pub(crate) enum MessageKind<'a> {
    Alert,
    Duress,
    Safe,
    Reminder,
    Overdue,
    Escalating,
    ChannelFailed {
        buddy: &'a str,
        failed: Channel,
        next: Option<Channel>,
    },
}

/// A time as the worker and her buddies read it: local to the worker's offset, with the
/// offset written out so that nobody has to guess.
fn local_time(t: Timestamp, offset_minutes: i32) -> String {
    let offset =
        FixedOffset::east_opt(offset_minutes.saturating_mul(60)).unwrap_or(chrono::Utc.fix());
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let abs = offset_minutes.unsigned_abs();
    format!(
        "{} (UTC{sign}{:02}:{:02})",
        t.with_timezone(&offset).format("%Y-%m-%d %H:%M"),
        abs / 60,
        abs % 60
    )
}

/// An OpenStreetMap link with a marker.
pub fn map_link(latitude: f64, longitude: f64) -> String {
    format!(
        "https://www.openstreetmap.org/?mlat={latitude:.5}&mlon={longitude:.5}#map=17/{latitude:.5}/{longitude:.5}"
    )
}

fn channel_name(language: &str, channel: Channel) -> &'static str {
    lookup(
        language,
        match channel {
            Channel::Sms => "channel_sms",
            Channel::Call => "channel_call",
            Channel::OtherApp => "channel_other_app",
        },
    )
}

/// The lines describing who, where, when and the last known location.
fn details(language: &str, ctx: &Compose<'_>, lines: &mut Vec<String>) {
    let f = ctx.facts;
    let t = |key| lookup(language, key);
    if let Some(client) = f.client_label.as_deref().filter(|s| !s.trim().is_empty()) {
        lines.push(render(t("line_client"), &[("client", client)]));
    }
    if !f.client_identifiers.is_empty() {
        let ids = f.client_identifiers.join(", ");
        lines.push(render(t("line_client_contact"), &[("identifiers", &ids)]));
    }
    if let Some(start) = f.booking_starts_at {
        let started = local_time(start, ctx.utc_offset_minutes);
        lines.push(render(t("line_booking_started"), &[("started", &started)]));
    }
    if let Some(address) = f.address.as_deref().filter(|s| !s.trim().is_empty()) {
        lines.push(render(t("line_address"), &[("address", address)]));
    }
    if let Some((lat, lon)) = f.place {
        lines.push(render(
            t("line_booking_map"),
            &[("map", &map_link(lat, lon))],
        ));
    }
    match ctx.location {
        Some(fix) => {
            let minutes = (ctx.now - fix.at).num_minutes().max(0).to_string();
            let age = render(t("age_minutes"), &[("minutes", &minutes)]);
            let accuracy = match fix.accuracy_m {
                Some(m) => format!("±{} m", m.round() as i64),
                None => t("accuracy_unknown").to_owned(),
            };
            let map = map_link(fix.latitude, fix.longitude);
            lines.push(render(
                t("line_location"),
                &[("age", &age), ("accuracy", &accuracy), ("map", &map)],
            ));
        }
        None => lines.push(t("line_location_none").to_owned()),
    }
}

/// Composes one message in `language` (falling back to English).
pub(crate) fn compose(language: &str, kind: MessageKind<'_>, ctx: &Compose<'_>) -> String {
    let t = |key| lookup(language, key);
    let time = |at| local_time(at, ctx.utc_offset_minutes);
    match kind {
        MessageKind::Alert => {
            let mut lines = vec![render(
                t("alert_intro"),
                &[("deadline", &time(ctx.deadline))],
            )];
            details(language, ctx, &mut lines);
            lines.push(t("first_step_alert").to_owned());
            lines.join("\n")
        }
        MessageKind::Duress => {
            let at = time(ctx.ending_at.unwrap_or(ctx.now));
            let mut lines = vec![render(t("duress_intro"), &[("at", &at)])];
            details(language, ctx, &mut lines);
            lines.push(t("first_step_duress").to_owned());
            lines.join("\n")
        }
        MessageKind::Safe => t("safe_message").to_owned(),
        MessageKind::Reminder => render(t("worker_reminder"), &[("deadline", &time(ctx.deadline))]),
        MessageKind::Overdue => render(
            t("worker_overdue"),
            &[("escalates_at", &time(ctx.escalates_at))],
        ),
        MessageKind::Escalating => t("worker_escalating").to_owned(),
        MessageKind::ChannelFailed {
            buddy,
            failed,
            next: Some(next),
        } => render(
            t("worker_channel_failed"),
            &[
                ("buddy", buddy),
                ("channel", channel_name(language, failed)),
                ("next_channel", channel_name(language, next)),
            ],
        ),
        MessageKind::ChannelFailed {
            buddy, next: None, ..
        } => render(t("worker_all_failed"), &[("buddy", buddy)]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone, Utc};

    const REQUIRED_LANGUAGES: [&str; 5] = ["en", "ro", "pl", "pt", "es"];

    #[test]
    fn every_language_has_every_template_with_the_same_placeholders() {
        let set: TemplateSet = serde_json::from_str(TEMPLATES_JSON).expect("templates.json parses");
        let english = &set["en"];
        for lang in REQUIRED_LANGUAGES {
            assert!(set.contains_key(lang), "missing language {lang}");
        }
        for (lang, templates) in &set {
            for (key, en_text) in english {
                let text = templates
                    .get(key)
                    .unwrap_or_else(|| panic!("{lang} lacks template {key}"));
                assert!(!text.trim().is_empty(), "{lang}/{key} is empty");
                assert_eq!(
                    placeholders(text),
                    placeholders(en_text),
                    "{lang}/{key} placeholders differ"
                );
            }
            for key in templates.keys() {
                assert!(
                    english.contains_key(key),
                    "{lang} has unknown template {key}"
                );
            }
        }
    }

    #[test]
    fn every_placeholder_is_filled_in_every_language() {
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 22, 0, 0).unwrap();
        let facts = AlertFacts {
            client_label: Some("Tall man, blue car".into()),
            client_identifiers: vec!["+447700900123".into(), "x@example.com".into()],
            address: Some("1 High St {map}".into()),
            place: Some((51.5, -0.12)),
            booking_starts_at: Some(now - Duration::hours(1)),
        };
        let fix = LocationFix {
            latitude: 51.51,
            longitude: -0.13,
            accuracy_m: Some(25.0),
            at: now - Duration::minutes(12),
        };
        let ctx = Compose {
            deadline: now,
            escalates_at: now + Duration::minutes(10),
            facts: &facts,
            location: Some(&fix),
            ending_at: Some(now),
            utc_offset_minutes: 60,
            now,
        };
        for lang in languages() {
            for kind in [
                MessageKind::Alert,
                MessageKind::Duress,
                MessageKind::Safe,
                MessageKind::Reminder,
                MessageKind::Overdue,
                MessageKind::Escalating,
                MessageKind::ChannelFailed {
                    buddy: "Ana",
                    failed: Channel::Sms,
                    next: Some(Channel::Call),
                },
                MessageKind::ChannelFailed {
                    buddy: "Ana",
                    failed: Channel::Sms,
                    next: None,
                },
            ] {
                let text = compose(&lang, kind, &ctx);
                // The address deliberately contains "{map}": it must come through verbatim.
                let stripped = text.replace("1 High St {map}", "");
                assert!(
                    !stripped.contains('{'),
                    "{lang}: unfilled placeholder in {text}"
                );
            }
            let alert = compose(&lang, MessageKind::Alert, &ctx);
            assert!(alert.contains("Tall man, blue car"));
            assert!(alert.contains("+447700900123"));
            assert!(alert.contains("https://www.openstreetmap.org/?mlat=51.51000&mlon=-0.13000"));
            assert!(
                alert.contains("12 min"),
                "{lang}: location age missing: {alert}"
            );
            assert!(
                alert.contains("2026-03-01 22:00 (UTC+01:00)"),
                "{lang}: local booking start: {alert}"
            );
        }
    }

    #[test]
    fn language_falls_back_by_subtag_then_to_english() {
        assert_eq!(lookup("pt-BR", "channel_call"), "chamada");
        assert_eq!(lookup("ES", "channel_call"), "llamada");
        assert_eq!(lookup("xx", "channel_call"), "phone call");
    }

    #[test]
    fn no_fix_is_said_plainly_and_duress_says_duress() {
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 22, 0, 0).unwrap();
        let facts = AlertFacts::default();
        let ctx = Compose {
            deadline: now,
            escalates_at: now,
            facts: &facts,
            location: None,
            ending_at: Some(now),
            utc_offset_minutes: 0,
            now,
        };
        let alert = compose("en", MessageKind::Alert, &ctx);
        assert!(alert.contains("has not reported any location"));
        assert!(alert.contains("What to do first: call me"));
        let duress = compose("en", MessageKind::Duress, &ctx);
        assert!(duress.contains("DURESS"));
        assert!(duress.contains("NOT safe"));
        assert!(!alert.contains("DURESS"));
    }

    #[test]
    fn negative_offsets_are_written_out() {
        let t = Utc.with_ymd_and_hms(2026, 3, 1, 2, 30, 0).unwrap();
        assert_eq!(local_time(t, -180), "2026-02-28 23:30 (UTC-03:00)");
    }
}
