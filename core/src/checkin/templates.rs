//! Message wording, from data.
//!
//! `templates.json` maps a language tag to a set of named templates with `{placeholder}`s.
//! Adding a language is adding one object to that file; a test checks that every language
//! has every template with the same placeholders as English. A buddy's language is tried
//! exactly ("pt-br"), then by its primary subtag ("pt"), then English.
//!
//! Messages are written in the first person (they go out from the worker's own phone),
//! say only what is known ("last location of my phone, 12 min ago"), and always carry a
//! concrete first step. They do not name the app, sex work or a client: someone may read
//! them over the buddy's shoulder, and a client may not know about the app.
//!
//! A buddy alert is fitted to [`sms::MAX_ALERT_SEGMENTS`] SMS segments: see [`fit`].
//! Rules for translators: `docs/translations.md`.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{FixedOffset, Offset};

use super::engine::{AlertFacts, Channel, LocationFix};
use super::sms;
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

/// The languages messages can be written in (lower-case tags: "en", "pt-br", ...).
pub fn languages() -> Vec<String> {
    let mut langs: Vec<String> = templates().keys().cloned().collect();
    langs.sort();
    langs
}

/// Languages where SMS are usually written without diacritics, so a buddy's "plain
/// letters" option is on by default (and the UI says so where the buddy is added).
const PLAIN_LETTERS_BY_DEFAULT: [&str; 2] = ["pl", "ro"];

/// Whether "plain letters" is on by default for a buddy with this language tag.
pub fn plain_letters_default(language: &str) -> bool {
    let lang = language.to_ascii_lowercase();
    let primary = lang.split(['-', '_']).next().unwrap_or_default();
    PLAIN_LETTERS_BY_DEFAULT.contains(&primary)
}

/// A language as the app and the CLI list it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LanguageInfo {
    /// The tag to store ("en", "pt-br").
    pub tag: String,
    /// The language's own name for itself ("Polski").
    pub name: String,
    /// Whether "plain letters" is on by default for a buddy in this language.
    pub plain_letters_default: bool,
}

/// Every language with its own name, in tag order.
pub fn language_list() -> Vec<LanguageInfo> {
    languages()
        .into_iter()
        .map(|tag| LanguageInfo {
            name: lookup(&tag, "language_name").to_owned(),
            plain_letters_default: plain_letters_default(&tag),
            tag,
        })
        .collect()
}

/// The neutral text offered for the worker's own notifications when she chooses
/// discreet wording (she may type her own instead).
pub fn discreet_notice_default(language: &str) -> String {
    lookup(language, "discreet_default").to_owned()
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
    /// The worker's neutral text for her own notifications (lock screen), if she chose
    /// discreet wording. Buddy messages are not affected.
    pub discreet_notice: Option<&'a str>,
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

/// `UTC+1`, `UTC-3`, `UTC+5:30`, `UTC`: short, and with no brackets to nest.
fn offset_label(offset_minutes: i32) -> String {
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let abs = offset_minutes.unsigned_abs();
    match (abs / 60, abs % 60) {
        (0, 0) => "UTC".to_owned(),
        (h, 0) => format!("UTC{sign}{h}"),
        (h, m) => format!("UTC{sign}{h}:{m:02}"),
    }
}

/// A time as the worker and her buddies read it: local to the worker's offset, with the
/// offset written out so that nobody has to guess; the date only when it is not today
/// (in the worker's zone) — a full timestamp is clutter at 2 a.m.
fn local_time(t: Timestamp, now: Timestamp, offset_minutes: i32) -> String {
    let offset =
        FixedOffset::east_opt(offset_minutes.saturating_mul(60)).unwrap_or(chrono::Utc.fix());
    let local = t.with_timezone(&offset);
    let format = if local.date_naive() == now.with_timezone(&offset).date_naive() {
        "%H:%M"
    } else {
        "%Y-%m-%d %H:%M"
    };
    format!("{} {}", local.format(format), offset_label(offset_minutes))
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

/// The lines of a buddy alert, by what they say. Alert and duress messages have the same
/// lines in the same order (only the intro, the time label and the first step differ),
/// so that nobody comparing them can tell them apart by shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Line {
    Intro,
    Address,
    BookingMap,
    PhoneLocation,
    FirstStep,
    Time,
    Client,
    ClientContact,
    Started,
}

/// The order in which lines are left out when an alert does not fit: least important
/// first. The intro, the place (the first of address, booking map, phone location) and the
/// first step are never left out.
const DROP_ORDER: [Line; 6] = [
    Line::Started,
    Line::Time,
    Line::Client,
    Line::BookingMap,
    Line::ClientContact,
    Line::PhoneLocation,
];
/// Lines cheap to lose: dropped before the alphabet is changed to plain letters.
const MINOR_LINES: usize = 3;

/// The lines of an alert or duress message, in order. The place comes right after the
/// intro so that the first segment alone says it is an alert and where she is.
fn alert_lines(language: &str, duress: bool, ctx: &Compose<'_>) -> Vec<(Line, String)> {
    let f = ctx.facts;
    let t = |key| lookup(language, key);
    let time = |at| local_time(at, ctx.now, ctx.utc_offset_minutes);
    let mut lines = vec![(
        Line::Intro,
        t(if duress { "duress_intro" } else { "alert_intro" }).to_owned(),
    )];
    if let Some(address) = f.address.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        lines.push((Line::Address, render(t("line_address"), &[("address", address)])));
    }
    if let Some((lat, lon)) = f.place {
        lines.push((
            Line::BookingMap,
            render(t("line_booking_map"), &[("map", &map_link(lat, lon))]),
        ));
    }
    let location = match ctx.location {
        Some(fix) => {
            let minutes = (ctx.now - fix.at).num_minutes().max(0).to_string();
            let age = render(t("age_minutes"), &[("minutes", &minutes)]);
            let accuracy = match fix.accuracy_m {
                Some(m) => render(
                    t("accuracy_metres"),
                    &[("metres", &(m.round() as i64).to_string())],
                ),
                None => t("accuracy_unknown").to_owned(),
            };
            let map = map_link(fix.latitude, fix.longitude);
            render(
                t("line_location"),
                &[("age", &age), ("accuracy", &accuracy), ("map", &map)],
            )
        }
        None => t("line_location_none").to_owned(),
    };
    lines.push((Line::PhoneLocation, location));
    lines.push((
        Line::FirstStep,
        t(if duress {
            "first_step_duress"
        } else {
            "first_step_alert"
        })
        .to_owned(),
    ));
    let (label, at) = if duress {
        ("line_duress_time", ctx.ending_at.unwrap_or(ctx.now))
    } else {
        ("line_due", ctx.deadline)
    };
    lines.push((Line::Time, render(t(label), &[("time", &time(at))])));
    if let Some(client) = f.client_label.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        lines.push((Line::Client, render(t("line_client"), &[("client", client)])));
    }
    let ids: Vec<&str> = f
        .client_identifiers
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    if !ids.is_empty() {
        lines.push((
            Line::ClientContact,
            render(t("line_client_contact"), &[("identifiers", &ids.join(", "))]),
        ));
    }
    if let Some(start) = f.booking_starts_at {
        lines.push((Line::Started, render(t("line_started"), &[("time", &time(start))])));
    }
    lines
}

/// Joins lines into the text that is sent, in plain letters if asked.
fn join(lines: &[(Line, String)], plain_letters: bool) -> String {
    let text = lines
        .iter()
        .map(|(_, l)| l.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    if plain_letters {
        sms::plain_letters(&text)
    } else {
        text
    }
}

/// Fits an alert into [`sms::MAX_ALERT_SEGMENTS`] segments:
/// 1. as written (plain letters if the buddy chose them), dropping only minor lines;
/// 2. else in plain letters (GSM-7 where the text allows), dropping lines in
///    [`DROP_ORDER`] — never the intro, the place or the first step;
/// 3. else (only with a very long address) the address is shortened.
pub(crate) fn fit(lines: Vec<(Line, String)>, plain_letters: bool) -> String {
    let place = [Line::Address, Line::BookingMap, Line::PhoneLocation]
        .into_iter()
        .find(|p| lines.iter().any(|(l, _)| l == p));
    let without = |dropped: &[Line]| -> Vec<(Line, String)> {
        lines
            .iter()
            .filter(|(l, _)| Some(*l) == place || !dropped.contains(l))
            .cloned()
            .collect()
    };
    let fits = |text: &str| sms::segments(text) <= sms::MAX_ALERT_SEGMENTS;
    if !plain_letters {
        for k in 0..=MINOR_LINES {
            let text = join(&without(&DROP_ORDER[..k]), false);
            if fits(&text) {
                return text;
            }
        }
    }
    for k in 0..=DROP_ORDER.len() {
        let text = join(&without(&DROP_ORDER[..k]), true);
        if fits(&text) {
            return text;
        }
    }
    // Only an address of hundreds of characters gets here: shorten it, keep the rest.
    let mut core = without(&DROP_ORDER);
    if let Some(i) = core.iter().position(|(l, _)| *l == Line::Address) {
        let full: Vec<char> = core[i].1.chars().collect();
        let mut keep = full.len();
        while keep > 20 {
            keep -= 1;
            core[i].1 = full[..keep].iter().collect::<String>() + "...";
            if fits(&join(&core, true)) {
                break;
            }
        }
    }
    join(&core, true)
}

/// Composes one message in `language` (falling back to English). `plain_letters`: the
/// buddy reads SMS without diacritics (buddy messages only).
pub(crate) fn compose(
    language: &str,
    plain_letters: bool,
    kind: MessageKind<'_>,
    ctx: &Compose<'_>,
) -> String {
    let t = |key| lookup(language, key);
    let time = |at| local_time(at, ctx.now, ctx.utc_offset_minutes);
    let worker_text = |text: String| match ctx.discreet_notice {
        Some(neutral) => neutral.to_owned(),
        None => text,
    };
    match kind {
        MessageKind::Alert => fit(alert_lines(language, false, ctx), plain_letters),
        MessageKind::Duress => fit(alert_lines(language, true, ctx), plain_letters),
        MessageKind::Safe => {
            let text = t("safe_message");
            if plain_letters {
                sms::plain_letters(text)
            } else {
                text.to_owned()
            }
        }
        MessageKind::Reminder => worker_text(render(
            t("worker_reminder"),
            &[("deadline", &time(ctx.deadline))],
        )),
        MessageKind::Overdue => worker_text(render(
            t("worker_overdue"),
            &[("escalates_at", &time(ctx.escalates_at))],
        )),
        MessageKind::Escalating => worker_text(t("worker_escalating").to_owned()),
        MessageKind::ChannelFailed {
            buddy,
            failed,
            next: Some(next),
        } => worker_text(render(
            t("worker_channel_failed"),
            &[
                ("buddy", buddy),
                ("channel", channel_name(language, failed)),
                ("next_channel", channel_name(language, next)),
            ],
        )),
        MessageKind::ChannelFailed {
            buddy, next: None, ..
        } => worker_text(render(t("worker_all_failed"), &[("buddy", buddy)])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
}
