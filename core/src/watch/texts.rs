//! What the buddy's phone says about a watch, in the buddy's own language.
//!
//! The wording is data (`texts.json`: a language tag to named texts with `{placeholder}`s),
//! in the languages of the check-in templates (`checkin/templates.json`); a test checks
//! that every one of those languages has every text with the same placeholders as
//! English. The language is the buddy's first language in their settings, which the
//! unlocked app copies into the device-bound state (the locked runner cannot read the
//! settings); before the first copy, English. A tag is tried exactly ("pt-br"), then by
//! its primary subtag ("pt"), then English.
//!
//! The buddy reads these on their own phone: unlike the SMS a worker's phone sends, they
//! may say what happened plainly.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::{WatchNotice, WatchTerms};
use crate::checkin::templates::render;

const TEXTS_JSON: &str = include_str!("texts.json");
pub(super) const FALLBACK_LANGUAGE: &str = "en";

type TextSet = HashMap<String, HashMap<String, String>>;

fn texts() -> &'static TextSet {
    static SET: OnceLock<TextSet> = OnceLock::new();
    // Compiled in and checked by the tests below; an unparsable file would leave the set
    // empty, and `lookup` would fall back to [`ENGLISH`].
    SET.get_or_init(|| serde_json::from_str(TEXTS_JSON).unwrap_or_default())
}

/// The English texts, built in: the last fallback, so that an alarm is never shown as a
/// bare text name even if `texts.json` were broken (a test keeps the two the same).
const ENGLISH: [(&str, &str); 12] = [
    ("reminder", "{name}'s check-in was due at {time}. Nothing heard yet: the alarm follows if she does not check in."),
    ("alarm", "ALARM: {name} has not checked in (due {time}). She may need help."),
    ("alarm_duress", "ALARM: {name} checked in under DURESS. She is in danger. Do NOT call or text her openly."),
    ("call_worker", "Call {name} now: {phone}. If she does not answer, call the emergency number."),
    ("call_emergency", "If you have not reached {name}, call the emergency number now and give them these details."),
    ("call_emergency_duress", "Call the emergency number now and give them these details. Do not call {name} openly."),
    ("safe_after_alarm", "{name} has checked in: she says she is safe."),
    ("no_number", "(no number saved)"),
    ("line_address", "Address: {address}"),
    ("line_map", "On the map: {map}"),
    ("line_client", "Meeting with: {client}"),
    ("line_contact", "Their contact: {contact}"),
];

fn lookup(language: &str, key: &'static str) -> &'static str {
    lookup_in(texts(), language, key)
}

fn lookup_in<'s>(set: &'s TextSet, language: &str, key: &'static str) -> &'s str {
    let lang = language.trim().replace('_', "-").to_ascii_lowercase();
    let primary = lang.split('-').next().unwrap_or_default();
    [lang.as_str(), primary, FALLBACK_LANGUAGE]
        .iter()
        .find_map(|l| set.get(*l).and_then(|t| t.get(key)))
        .map(String::as_str)
        .or_else(|| ENGLISH.iter().find(|(k, _)| *k == key).map(|(_, v)| *v))
        .unwrap_or(key)
}

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

fn details(language: &str, terms: &WatchTerms, out: &mut String) {
    let mut line = |key, name, value: &str| {
        out.push('\n');
        out.push_str(&render(lookup(language, key), &[(name, value)]));
    };
    if let Some(a) = &terms.address {
        line("line_address", "address", a);
    }
    if let Some((lat, lon)) = terms.place {
        line(
            "line_map",
            "map",
            &format!(
                "https://www.openstreetmap.org/?mlat={lat:.6}&mlon={lon:.6}#map=18/{lat:.6}/{lon:.6}"
            ),
        );
    }
    if let Some(c) = &terms.client {
        line("line_client", "client", c);
    }
    if let Some(c) = &terms.client_contact {
        line("line_contact", "contact", c);
    }
}

/// The text of one notice to the buddy, in `language` (theirs).
pub(super) fn notice(
    notice: WatchNotice,
    name: &str,
    phone: Option<&str>,
    terms: &WatchTerms,
    duress: bool,
    has_terms: bool,
    language: &str,
) -> String {
    let phone = phone.unwrap_or_else(|| lookup(language, "no_number"));
    let key = match (notice, duress) {
        (WatchNotice::Reminder, _) => "reminder",
        (WatchNotice::Alarm, false) => "alarm",
        (WatchNotice::Alarm, true) => "alarm_duress",
        (WatchNotice::CallWorker, _) => "call_worker",
        (WatchNotice::CallEmergency, true) => "call_emergency_duress",
        (WatchNotice::CallEmergency, false) => "call_emergency",
        (WatchNotice::SafeAfterAlarm, _) => "safe_after_alarm",
    };
    let time = when(terms);
    let mut out = render(
        lookup(language, key),
        &[("name", name), ("time", &time), ("phone", phone)],
    );
    if has_terms && matches!(notice, WatchNotice::Alarm | WatchNotice::CallEmergency) {
        details(language, terms, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn without_the_texts_file_the_built_in_english_is_shown_not_the_text_names() {
        let empty = TextSet::new();
        for key in KEYS {
            let text = lookup_in(&empty, "pl", key);
            assert_ne!(text, key);
            assert_eq!(Some(text), texts()["en"].get(key).map(String::as_str));
        }
        // ...and the built-in English is the file's, text for text.
        assert_eq!(ENGLISH.len(), texts()["en"].len());
        for (key, text) in ENGLISH {
            assert_eq!(texts()["en"][key], text, "{key}");
        }
    }

    const KEYS: [&str; 12] = [
        "reminder",
        "alarm",
        "alarm_duress",
        "call_worker",
        "call_emergency",
        "call_emergency_duress",
        "safe_after_alarm",
        "no_number",
        "line_address",
        "line_map",
        "line_client",
        "line_contact",
    ];

    fn placeholders(s: &str) -> Vec<&str> {
        let mut out: Vec<&str> = s
            .split('{')
            .skip(1)
            .filter_map(|p| p.split_once('}').map(|(name, _)| name))
            .collect();
        out.sort_unstable();
        out
    }

    fn terms() -> WatchTerms {
        WatchTerms {
            deadline: chrono::Utc.with_ymd_and_hms(2026, 3, 1, 22, 0, 0).unwrap(),
            grace_secs: 600,
            utc_offset_minutes: 60,
            language: "en".into(),
            address: Some("12 Harbour Street".into()),
            place: Some((55.9751, -3.1724)),
            client: Some("Tall man {time}".into()),
            client_contact: Some("+447700900123".into()),
            booking_starts_at: None,
        }
    }

    /// Every text of `language` exists in its own file entry (not by falling back to
    /// English), with English's placeholders, and every notice renders completely.
    fn complete(language: &str) {
        let own = texts()
            .get(language)
            .unwrap_or_else(|| panic!("texts.json has no {language}"));
        let en = &texts()[FALLBACK_LANGUAGE];
        assert_eq!(own.len(), KEYS.len(), "{language}: extra or missing texts");
        for key in KEYS {
            let text = own
                .get(key)
                .unwrap_or_else(|| panic!("{language} lacks {key}"));
            assert!(!text.trim().is_empty(), "{language}.{key} is empty");
            assert_eq!(
                placeholders(text),
                placeholders(&en[key]),
                "{language}.{key}: placeholders differ from English"
            );
            if language != FALLBACK_LANGUAGE && !key.starts_with("line_map") {
                assert_ne!(text, &en[key], "{language}.{key} is not translated");
            }
        }
        for n in [
            WatchNotice::Reminder,
            WatchNotice::Alarm,
            WatchNotice::CallWorker,
            WatchNotice::CallEmergency,
            WatchNotice::SafeAfterAlarm,
        ] {
            for duress in [false, true] {
                let text = notice(n, "Maria", None, &terms(), duress, true, language);
                assert!(text.contains("Maria"), "{language} {n:?}: {text}");
                assert!(
                    !text.contains("{name}") && !text.contains("{phone}"),
                    "{language} {n:?}: {text}"
                );
                if matches!(n, WatchNotice::Alarm | WatchNotice::CallEmergency) {
                    assert!(text.contains("12 Harbour Street"), "{text}");
                    // A value with braces is not expanded again.
                    assert!(text.contains("Tall man {time}"), "{text}");
                }
            }
        }
    }

    #[test]
    fn english_has_every_text() {
        complete("en");
    }

    #[test]
    fn spanish_has_every_text() {
        complete("es");
    }

    #[test]
    fn polish_has_every_text() {
        complete("pl");
    }

    #[test]
    fn portuguese_has_every_text() {
        complete("pt");
    }

    #[test]
    fn brazilian_portuguese_has_every_text() {
        complete("pt-br");
    }

    #[test]
    fn romanian_has_every_text() {
        complete("ro");
    }

    /// A language added to the check-in templates must get the buddy's texts too.
    #[test]
    fn every_check_in_language_has_the_buddys_texts() {
        let mut ours: Vec<String> = texts().keys().cloned().collect();
        ours.sort();
        assert_eq!(ours, crate::checkin::templates::languages());
        for language in crate::checkin::templates::languages() {
            complete(&language);
        }
    }

    #[test]
    fn a_tag_is_read_exactly_then_by_its_primary_subtag_then_in_english() {
        let t = terms();
        let in_lang = |l| notice(WatchNotice::SafeAfterAlarm, "Ana", None, &t, false, true, l);
        assert_eq!(
            in_lang("pt-BR"),
            "Ana confirmou: ela diz que está em segurança."
        );
        assert_eq!(
            in_lang("pt_PT"),
            "Ana confirmou: diz que está em segurança."
        );
        assert_eq!(
            in_lang("es-MX"),
            "Ana ha confirmado: dice que está a salvo."
        );
        assert_eq!(in_lang("de"), "Ana has checked in: she says she is safe.");
        assert_eq!(
            notice(WatchNotice::CallWorker, "Ana", None, &t, false, true, "pl"),
            "Zadzwoń teraz (Ana): (nie zapisano numeru). Jeśli nie odbierze, zadzwoń na numer alarmowy."
        );
    }
}
