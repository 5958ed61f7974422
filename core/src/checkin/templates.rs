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

use super::model::{AlertFacts, Channel, LocationFix};
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
    crate::sort::sort(&mut langs);
    langs
}

/// Whether buddy messages can be written in `language`: its tag or its primary language
/// ("pt-PT" → "pt") has templates. Other tags would silently get English.
pub fn has_language(language: &str) -> bool {
    let set = templates();
    let lang = language.trim().replace('_', "-").to_ascii_lowercase();
    let primary = lang.split('-').next().unwrap_or_default();
    set.contains_key(lang.as_str()) || set.contains_key(primary)
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
/// address, a handle) is never expanded again. Also fills the buddy's notices
/// (`watch::texts`).
pub(crate) fn render(template: &str, values: &[(&str, &str)]) -> String {
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

/// An OpenStreetMap link with a marker, centred on it at street zoom (osm.org centres on
/// `mlat`/`mlon` and takes `zoom` when there is no `#map=` fragment; shorter than repeating
/// the coordinates in one).
pub fn map_link(latitude: f64, longitude: f64) -> String {
    format!("https://www.openstreetmap.org/?mlat={latitude:.5}&mlon={longitude:.5}&zoom=17")
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
        t(if duress {
            "duress_intro"
        } else {
            "alert_intro"
        })
        .to_owned(),
    )];
    if let Some(address) = f
        .address
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        lines.push((
            Line::Address,
            render(t("line_address"), &[("address", address)]),
        ));
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
    if let Some(client) = f
        .client_label
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        lines.push((
            Line::Client,
            render(t("line_client"), &[("client", client)]),
        ));
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
            render(
                t("line_client_contact"),
                &[("identifiers", &ids.join(", "))],
            ),
        ));
    }
    if let Some(start) = f.booking_starts_at {
        lines.push((
            Line::Started,
            render(t("line_started"), &[("time", &time(start))]),
        ));
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

/// Whether a composed alert may go out: at most [`sms::MAX_ALERT_SEGMENTS`] segments, and
/// the first segment alone says it is an alert and where she is (the whole address line,
/// or the label of the map or location line, whose link may run on).
fn acceptable(text: &str, lines: &[(Line, String)], place: Option<Line>, plain: bool) -> bool {
    if sms::segments(text) > sms::MAX_ALERT_SEGMENTS {
        return false;
    }
    let first = sms::first_segment(text);
    let Some((kind, line)) = lines.iter().find(|(l, _)| Some(*l) == place) else {
        return true;
    };
    let line = if plain {
        sms::plain_letters(line)
    } else {
        line.clone()
    };
    let needed = match kind {
        Line::Address => line.as_str(),
        _ => line.split(':').next().unwrap_or_default(),
    };
    first.contains(needed)
}

/// Fits an alert and its duress twin the same way, so both always have the same lines:
/// 1. as written (plain letters if the buddy chose them), dropping only minor lines;
/// 2. else in plain letters (GSM-7 where the text allows), dropping lines in
///    [`DROP_ORDER`] — never the intro, the place or the first step;
/// 3. else (only with a very long or non-Latin address) the address is shortened.
///
/// In practice an alert that needs UCS-2 goes out in plain letters: 67 characters, the
/// first UCS-2 segment, cannot hold the alert and an address.
fn fit(language: &str, ctx: &Compose<'_>, plain_letters: bool, duress: bool) -> String {
    let pair = [
        alert_lines(language, false, ctx),
        alert_lines(language, true, ctx),
    ];
    let place = [Line::Address, Line::BookingMap, Line::PhoneLocation]
        .into_iter()
        .find(|p| pair[0].iter().any(|(l, _)| l == p));
    let without = |lines: &[(Line, String)], dropped: &[Line]| -> Vec<(Line, String)> {
        lines
            .iter()
            .filter(|(l, _)| Some(*l) == place || !dropped.contains(l))
            .cloned()
            .collect()
    };
    let mut plans: Vec<(bool, usize)> = Vec::new();
    if !plain_letters {
        plans.extend((0..=MINOR_LINES).map(|k| (false, k)));
    }
    plans.extend((0..=DROP_ORDER.len()).map(|k| (true, k)));
    for (plain, k) in plans {
        let texts = pair
            .iter()
            .map(|lines| {
                let kept = without(lines, &DROP_ORDER[..k]);
                let text = join(&kept, plain);
                acceptable(&text, &kept, place, plain).then_some(text)
            })
            .collect::<Option<Vec<String>>>();
        if let Some(mut texts) = texts {
            return texts.swap_remove(usize::from(duress));
        }
    }
    // Only an address of hundreds of characters (or in a script GSM-7 lacks) gets here:
    // shorten it, the same length in both, and keep everything else that is core.
    let mut cores = pair.map(|lines| without(&lines, &DROP_ORDER));
    let fits = |cores: &[Vec<(Line, String)>; 2]| {
        cores
            .iter()
            .all(|c| sms::segments(&join(c, true)) <= sms::MAX_ALERT_SEGMENTS)
    };
    if let Some(i) = cores[0].iter().position(|(l, _)| *l == Line::Address) {
        let full: Vec<char> = cores[0][i].1.chars().collect();
        let mut keep = full.len();
        while keep > 20 && !fits(&cores) {
            keep -= 1;
            let short = full[..keep].iter().collect::<String>() + "...";
            for core in &mut cores {
                core[i].1 = short.clone();
            }
        }
    }
    join(&cores[usize::from(duress)], true)
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
        MessageKind::Alert => fit(language, ctx, plain_letters, false),
        MessageKind::Duress => fit(language, ctx, plain_letters, true),
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
    use chrono::{Duration, TimeZone, Utc};

    const REQUIRED_LANGUAGES: [&str; 6] = ["en", "ro", "pl", "pt", "pt-br", "es"];
    /// A woman's and a man's name, long and with the letters that decline or carry
    /// diacritics, as a buddy or worker may type them.
    const BUDDY_NAMES: [&str; 2] = ["Ana-Maria Știrbu", "Grzegorz Brzęczyszczykiewicz"];
    const ADDRESS: &str = "Flat 14, Marlborough Court, 127 Kensington High Street, London W8 5SF";
    const CLIENT: &str = "Tall man, grey beard, black BMW estate";
    const IDENTIFIERS: [&str; 3] = ["+447700900123", "j.whitfield1978@example.com", "@jwhit_ldn"];

    #[test]
    fn every_language_has_every_template_with_the_same_placeholders() {
        let set: TemplateSet = serde_json::from_str(TEMPLATES_JSON).expect("templates.json parses");
        let english = &set["en"];
        for lang in REQUIRED_LANGUAGES {
            assert!(set.contains_key(lang), "missing language {lang}");
        }
        for (lang, templates) in &set {
            assert_eq!(lang, &lang.to_ascii_lowercase(), "tags are lower case");
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

    fn now() -> Timestamp {
        // 23:40 in the worker's zone (UTC+1).
        Utc.with_ymd_and_hms(2026, 3, 1, 22, 40, 0).unwrap()
    }

    fn full_facts(start: Timestamp) -> AlertFacts {
        AlertFacts {
            client_label: Some(CLIENT.into()),
            client_identifiers: IDENTIFIERS.iter().map(|s| s.to_string()).collect(),
            address: Some(ADDRESS.into()),
            place: Some((51.50123, -0.19456)),
            booking_starts_at: Some(start),
        }
    }

    fn fix(now: Timestamp) -> LocationFix {
        LocationFix {
            latitude: 51.50234,
            longitude: -0.19321,
            accuracy_m: Some(25.0),
            at: now - Duration::minutes(12),
        }
    }

    fn ctx<'a>(
        facts: &'a AlertFacts,
        location: Option<&'a LocationFix>,
        deadline: Timestamp,
    ) -> Compose<'a> {
        Compose {
            deadline,
            escalates_at: deadline + Duration::minutes(10),
            facts,
            location,
            ending_at: Some(now()),
            utc_offset_minutes: 60,
            now: now(),
            discreet_notice: None,
        }
    }

    fn every_kind(buddy: &str) -> Vec<MessageKind<'_>> {
        let mut kinds = vec![
            MessageKind::Alert,
            MessageKind::Duress,
            MessageKind::Safe,
            MessageKind::Reminder,
            MessageKind::Overdue,
            MessageKind::Escalating,
        ];
        for failed in [Channel::Sms, Channel::Call, Channel::OtherApp] {
            for next in [Channel::Sms, Channel::Call, Channel::OtherApp] {
                if next != failed {
                    kinds.push(MessageKind::ChannelFailed {
                        buddy,
                        failed,
                        next: Some(next),
                    });
                }
            }
            kinds.push(MessageKind::ChannelFailed {
                buddy,
                failed,
                next: None,
            });
        }
        kinds
    }

    /// Structural faults a reader notices: nested brackets, empty or doubled spaces,
    /// unfilled placeholders, space before punctuation.
    fn assert_well_formed(lang: &str, text: &str) {
        assert!(!text.contains('{'), "{lang}: unfilled placeholder: {text}");
        assert!(!text.contains("  "), "{lang}: doubled space: {text}");
        assert!(!text.contains("\n\n"), "{lang}: empty line: {text}");
        for line in text.lines() {
            assert_eq!(line, line.trim(), "{lang}: stray space around: {line}");
            assert!(!line.is_empty(), "{lang}: empty line: {text}");
            for p in [" .", " ,", " :", "..", ":."] {
                assert!(
                    !line.contains(p) || line.contains("..."),
                    "{lang}: '{p}' in: {line}"
                );
            }
            let mut depth = 0i32;
            for c in line.chars() {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                assert!(
                    (0..=1).contains(&depth),
                    "{lang}: nested or unbalanced brackets: {line}"
                );
            }
            assert_eq!(depth, 0, "{lang}: unbalanced brackets: {line}");
        }
    }

    #[test]
    fn every_template_renders_well_formed_in_every_language() {
        let now = now();
        let today_start = now - Duration::hours(1);
        let other_day_start = now - Duration::hours(30);
        for lang in languages() {
            for start in [today_start, other_day_start] {
                for with_fix in [true, false] {
                    for plain in [false, true] {
                        let facts = full_facts(start);
                        let f = fix(now);
                        let c = ctx(&facts, with_fix.then_some(&f), now - Duration::minutes(20));
                        for buddy in BUDDY_NAMES {
                            for kind in every_kind(buddy) {
                                let buddy_message = matches!(
                                    kind,
                                    MessageKind::Alert | MessageKind::Duress | MessageKind::Safe
                                );
                                let text = compose(&lang, plain, kind, &c);
                                assert_well_formed(&lang, &text);
                                if plain && buddy_message {
                                    assert_eq!(
                                        sms::encoding(&text),
                                        sms::Encoding::Gsm7,
                                        "{lang}: plain letters left UCS-2: {text}"
                                    );
                                }
                            }
                        }
                    }
                }
            }
            // Nothing known about the booking or the phone: still a whole message.
            let empty = AlertFacts::default();
            let c = ctx(&empty, None, now - Duration::minutes(20));
            for kind in every_kind("Ana") {
                assert_well_formed(&lang, &compose(&lang, false, kind, &c));
            }
        }
    }

    #[test]
    fn the_buddy_name_stands_alone_where_a_language_would_decline_it() {
        // Polish and Romanian cannot inflect a name in a placeholder: it must follow a
        // colon (nominative) or a preposition that leaves names unchanged.
        let facts = AlertFacts::default();
        let c = ctx(&facts, None, now());
        for (failed, next) in [(Channel::Sms, Some(Channel::Call)), (Channel::Sms, None)] {
            let kind = || MessageKind::ChannelFailed {
                buddy: "Ana",
                failed,
                next,
            };
            let pl = compose("pl", false, kind(), &c);
            assert!(pl.contains("osobą: Ana"), "{pl}");
            assert!(!pl.contains("z Ana"), "{pl}");
            let ro = compose("ro", false, kind(), &c);
            assert!(!ro.contains("pe Ana"), "{ro}");
            assert!(ro.contains("legătura cu Ana"), "{ro}");
        }
    }

    #[test]
    fn times_show_the_date_only_when_it_is_not_today() {
        let now = now(); // 2026-03-01 23:40 at UTC+1
        assert_eq!(
            local_time(now - Duration::minutes(30), now, 60),
            "23:10 UTC+1"
        );
        // 23:00 UTC on 1 March is already 2 March at UTC+1.
        let after_midnight = Utc.with_ymd_and_hms(2026, 3, 1, 23, 30, 0).unwrap();
        assert_eq!(
            local_time(after_midnight, now, 60),
            "2026-03-02 00:30 UTC+1"
        );
        assert_eq!(
            local_time(now - Duration::hours(30), now, 60),
            "2026-02-28 17:40 UTC+1"
        );
        assert_eq!(local_time(now, now, 0), "22:40 UTC");
        assert_eq!(local_time(now, now, 330), "04:10 UTC+5:30");
    }

    #[test]
    fn negative_offsets_are_written_out() {
        let t = Utc.with_ymd_and_hms(2026, 3, 1, 2, 30, 0).unwrap();
        assert_eq!(local_time(t, t, -180), "23:30 UTC-3");
        let later = t + Duration::hours(12);
        assert_eq!(local_time(t, later, -180), "2026-02-28 23:30 UTC-3");
    }

    /// The line kinds of a composed alert, recovered from the template texts.
    fn shape(lines: &[(Line, String)]) -> Vec<Line> {
        lines.iter().map(|(l, _)| *l).collect()
    }

    #[test]
    fn duress_and_normal_alerts_have_the_same_shape() {
        let now = now();
        for lang in languages() {
            for with_fix in [true, false] {
                for facts in [full_facts(now - Duration::hours(1)), AlertFacts::default()] {
                    let f = fix(now);
                    let c = ctx(&facts, with_fix.then_some(&f), now - Duration::minutes(20));
                    let alert = alert_lines(&lang, false, &c);
                    let duress = alert_lines(&lang, true, &c);
                    assert_eq!(shape(&alert), shape(&duress), "{lang}");
                    for ((kind, a), (_, d)) in alert.iter().zip(&duress) {
                        if !matches!(kind, Line::Intro | Line::FirstStep | Line::Time) {
                            assert_eq!(a, d, "{lang}: {kind:?} differs");
                        }
                    }
                    // Fitting treats both alike.
                    let a = compose(&lang, false, MessageKind::Alert, &c);
                    let d = compose(&lang, false, MessageKind::Duress, &c);
                    assert_eq!(a.lines().count(), d.lines().count(), "{lang}:\n{a}\n{d}");
                }
            }
        }
    }

    #[test]
    fn duress_and_safe_messages_open_the_same_way() {
        // Spanish used "Confirmé" in one and "He confirmado" in the other.
        let facts = AlertFacts::default();
        let c = ctx(&facts, None, now());
        let duress = compose("es", false, MessageKind::Duress, &c);
        let safe = compose("es", false, MessageKind::Safe, &c);
        assert!(duress.starts_with("ALERTA: he confirmado,"), "{duress}");
        assert!(safe.starts_with("He confirmado "), "{safe}");
    }

    /// Before/after figures for docs/PERFORMANCE.md come from this table (run with
    /// `--nocapture`).
    #[test]
    fn every_buddy_alert_fits_four_segments_in_every_language() {
        let now = now();
        let mut table = Vec::new();
        for lang in languages() {
            for plain in [false, true] {
                for duress in [false, true] {
                    for with_fix in [true, false] {
                        let facts = full_facts(now - Duration::hours(30));
                        let f = fix(now);
                        let c = ctx(&facts, with_fix.then_some(&f), now - Duration::hours(25));
                        let kind = if duress {
                            MessageKind::Duress
                        } else {
                            MessageKind::Alert
                        };
                        let text = compose(&lang, plain, kind, &c);
                        let segments = sms::segments(&text);
                        assert!(
                            segments <= sms::MAX_ALERT_SEGMENTS,
                            "{lang} plain={plain} duress={duress}: {segments} segments:\n{text}"
                        );
                        // Never left out: the alert, the place, the first step (in plain
                        // letters when fitting needed them).
                        let t = |key| {
                            let s = lookup(&lang, key);
                            if sms::encoding(&text) == sms::Encoding::Gsm7 {
                                sms::plain_letters(s)
                            } else {
                                s.to_owned()
                            }
                        };
                        let intro = t(if duress {
                            "duress_intro"
                        } else {
                            "alert_intro"
                        });
                        let step = t(if duress {
                            "first_step_duress"
                        } else {
                            "first_step_alert"
                        });
                        assert!(text.starts_with(&intro), "{lang}: {text}");
                        assert!(text.contains(&step), "{lang}: {text}");
                        let address_label = t("line_address").replace("{address}", "");
                        assert!(text.contains(&address_label), "{lang}: {text}");
                        // The first segment alone says it is an alert and where she is.
                        let first = sms::first_segment(&text);
                        let alert_word = intro.split(':').next().unwrap();
                        assert!(first.starts_with(alert_word), "{lang}: {first}");
                        assert!(
                            first.contains(&address_label),
                            "{lang} plain={plain}: the place starts after segment 1: {first}"
                        );
                        if sms::encoding(&text) == sms::Encoding::Gsm7 {
                            assert!(first.contains(ADDRESS), "{lang}: {first}");
                        }
                        table.push(format!(
                            "{lang:5} plain={plain:5} duress={duress:5} fix={with_fix:5} {:?} {} chars {segments} segments, {} lines",
                            sms::encoding(&text),
                            text.chars().count(),
                            text.lines().count()
                        ));
                    }
                }
            }
        }
        eprintln!("{}", table.join("\n"));
    }

    #[test]
    fn with_plain_letters_only_minor_lines_are_left_out_of_a_plausible_alert() {
        // GSM-7 leaves room for every important line of a long, realistic booking; a
        // booking with only an address and a label keeps every line.
        let now = now();
        for lang in languages() {
            let facts = full_facts(now - Duration::hours(30));
            let f = fix(now);
            let c = ctx(&facts, Some(&f), now - Duration::hours(25));
            let lines = alert_lines(&lang, false, &c);
            for duress in [false, true] {
                let kind = if duress {
                    MessageKind::Duress
                } else {
                    MessageKind::Alert
                };
                let text = compose(&lang, true, kind, &c);
                assert_eq!(sms::encoding(&text), sms::Encoding::Gsm7);
                for (line, body) in alert_lines(&lang, duress, &c) {
                    if !matches!(
                        line,
                        Line::Started | Line::Time | Line::Client | Line::BookingMap
                    ) {
                        assert!(
                            text.contains(&sms::plain_letters(&body)),
                            "{lang}: {line:?} left out:\n{text}"
                        );
                    }
                }
            }
            let small = AlertFacts {
                client_label: Some("Tom".into()),
                address: Some("12 Baker Street, London NW1 6XE".into()),
                ..AlertFacts::default()
            };
            let c = ctx(&small, Some(&f), now - Duration::minutes(20));
            let text = compose(&lang, false, MessageKind::Alert, &c);
            assert_eq!(text.lines().count(), 6, "{lang}: {text}");
            assert_eq!(lines.len(), 9);
        }
    }

    #[test]
    fn least_important_lines_go_first_and_a_huge_address_is_shortened() {
        let now = now();
        let mut facts = full_facts(now - Duration::hours(1));
        facts.client_label = Some("Ł".repeat(80)); // forces UCS-2 and is long
        let f = fix(now);
        let c = ctx(&facts, Some(&f), now - Duration::minutes(20));
        let text = compose("en", false, MessageKind::Alert, &c);
        assert!(sms::segments(&text) <= sms::MAX_ALERT_SEGMENTS, "{text}");
        // The minor lines could not make room in UCS-2, so the text went to plain letters
        // and kept the important ones.
        assert_eq!(sms::encoding(&text), sms::Encoding::Gsm7, "{text}");
        assert!(text.contains("My phone's last location"), "{text}");
        assert!(text.contains(ADDRESS), "{text}");

        facts.address = Some(format!("{ADDRESS}, {}", "Entrance C, ".repeat(80)));
        facts.client_label = Some(CLIENT.into());
        let c = ctx(&facts, Some(&f), now - Duration::minutes(20));
        for lang in languages() {
            let text = compose(&lang, false, MessageKind::Duress, &c);
            assert!(
                sms::segments(&text) <= sms::MAX_ALERT_SEGMENTS,
                "{lang}: {text}"
            );
            assert!(text.contains("London W8 5SF, Entrance C"), "{lang}: {text}");
            assert!(text.contains("..."), "{lang}: {text}");
            assert!(text.contains(&sms::plain_letters(lookup(&lang, "first_step_duress"))));
        }
    }

    #[test]
    fn the_first_segment_names_the_place_without_an_address_too() {
        let now = now();
        let facts = AlertFacts::default();
        for lang in languages() {
            let f = fix(now);
            let c = ctx(&facts, Some(&f), now - Duration::minutes(20));
            let text = compose(&lang, true, MessageKind::Alert, &c);
            let first = sms::first_segment(&text);
            let label = sms::plain_letters(lookup(&lang, "line_location"));
            let label = label.split('{').next().unwrap();
            assert!(first.contains(&format!("\n{label}")), "{lang}: {first}");
            let c = ctx(&facts, None, now - Duration::minutes(20));
            let text = compose(&lang, true, MessageKind::Alert, &c);
            let none = sms::plain_letters(lookup(&lang, "line_location_none"));
            assert!(sms::first_segment(&text).contains(&none), "{lang}: {text}");
        }
    }

    #[test]
    fn alerts_carry_every_fact_and_local_times() {
        let now = now();
        let mut facts = full_facts(now - Duration::hours(1));
        facts.place = None;
        facts.client_identifiers.truncate(2);
        facts.client_label = Some("Tom".into());
        facts.address = Some("12 Baker Street, London NW1 6XE".into());
        let f = fix(now);
        let c = ctx(&facts, Some(&f), now - Duration::minutes(20));
        for lang in languages() {
            let alert = compose(&lang, false, MessageKind::Alert, &c);
            assert!(alert.contains("Tom"), "{lang}: {alert}");
            assert!(alert.contains("+447700900123, j.whitfield1978@example.com"));
            assert!(alert.contains("https://www.openstreetmap.org/?mlat=51.50234&mlon=-0.19321"));
            assert!(
                alert.contains("12 min"),
                "{lang}: location age missing: {alert}"
            );
            assert!(
                alert.contains("22:40 UTC+1"),
                "{lang}: meeting start: {alert}"
            );
            assert!(alert.contains("23:20 UTC+1"), "{lang}: deadline: {alert}");
            assert!(
                !alert.contains("2026-"),
                "{lang}: today's date shown: {alert}"
            );
        }
    }

    #[test]
    fn messages_name_neither_the_app_nor_sex_work_nor_a_client() {
        let now = now();
        let facts = full_facts(now - Duration::hours(1));
        let f = fix(now);
        let c = ctx(&facts, Some(&f), now - Duration::minutes(20));
        let banned = [
            "vigil",
            "client",
            "klient",
            "cliente",
            "booking",
            "sex",
            "escort",
            "punter",
            "rezerw",
            "reserva",
            "rezervare",
        ];
        for lang in languages() {
            for kind in every_kind("Ana") {
                let text = compose(&lang, false, kind, &c)
                    .replace(CLIENT, "")
                    .to_lowercase();
                for word in banned {
                    assert!(!text.contains(word), "{lang}: '{word}' in {text}");
                }
            }
        }
    }

    #[test]
    fn address_braces_come_through_verbatim() {
        let mut facts = full_facts(now());
        facts.address = Some("1 High St {map}".into());
        let c = ctx(&facts, None, now());
        let text = compose("en", false, MessageKind::Alert, &c);
        assert!(text.contains("Address: 1 High St {map}"), "{text}");
    }

    #[test]
    fn discreet_wording_replaces_every_worker_notice_but_no_buddy_message() {
        let facts = full_facts(now());
        let mut c = ctx(&facts, None, now());
        c.discreet_notice = Some("Water the plants");
        for kind in every_kind("Ana") {
            let buddy_message = matches!(
                kind,
                MessageKind::Alert | MessageKind::Duress | MessageKind::Safe
            );
            let text = compose("en", false, kind, &c);
            assert_eq!(text == "Water the plants", !buddy_message, "{text}");
        }
        for lang in languages() {
            let neutral = discreet_notice_default(&lang);
            assert!(!neutral.is_empty() && !neutral.contains('{'));
        }
    }

    #[test]
    fn language_falls_back_by_subtag_then_to_english() {
        assert_eq!(lookup("pt-BR", "channel_call"), "ligação");
        assert_eq!(lookup("pt-PT", "channel_call"), "chamada");
        assert_eq!(lookup("pt", "channel_call"), "chamada");
        assert_eq!(lookup("ES", "channel_call"), "llamada");
        assert_eq!(lookup("es-MX", "channel_call"), "llamada");
        assert_eq!(lookup("xx", "channel_call"), "phone call");
    }

    #[test]
    fn the_language_list_names_each_language_and_its_plain_letters_default() {
        let list = language_list();
        let tags: Vec<&str> = list.iter().map(|l| l.tag.as_str()).collect();
        assert_eq!(tags, ["en", "es", "pl", "pt", "pt-br", "ro"]);
        let pl = list.iter().find(|l| l.tag == "pl").unwrap();
        assert_eq!(pl.name, "Polski");
        assert!(pl.plain_letters_default);
        assert!(plain_letters_default("ro"));
        assert!(plain_letters_default("RO-md"));
        assert!(!plain_letters_default("pt-br"));
        assert!(!plain_letters_default("en"));
    }
}
