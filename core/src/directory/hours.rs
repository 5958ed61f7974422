//! Opening hours: OpenStreetMap `opening_hours` evaluated in the publisher's time zone.
//!
//! The `opening-hours` crate does the parsing and evaluation. What it cannot know is supplied
//! here: the bundle's declared IANA time zone (chrono-tz) and England & Wales bank holidays
//! as `PH`. The crate's own GB calendar lists only the holidays common to all four nations
//! (it lacks New Year's Day, Easter Monday and the August bank holiday, and misses the
//! jubilee moves), so the calendar is computed from the statutory rules plus the one-off
//! proclamations since 1995.
//!
//! Anything that cannot be parsed or evaluated is [`OpenState::Unknown`], never an error:
//! a service with odd hours must still be found.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, LazyLock};

use chrono::{Datelike, Days, NaiveDate, TimeDelta, Utc, Weekday};
use chrono_tz::Tz;
use compact_calendar::CompactCalendar;
use opening_hours::localization::TzLocation;
use opening_hours::{Context, ContextHolidays, OpeningHours, RuleKind};
use serde::{Deserialize, Serialize};

use super::DirectoryError;
use crate::clock::Timestamp;
use crate::Result;

/// First and last year the bank-holiday calendar covers. Years after the last proclaimed
/// one-off holiday follow the regular rules only.
pub const BANK_HOLIDAY_YEARS: std::ops::RangeInclusive<i32> = 1995..=2099;

/// Longer `opening_hours` values are treated as unknown rather than parsed: no real
/// schedule needs this much, and it bounds the work a hostile bundle can cause.
pub const MAX_HOURS_LEN: usize = 2_000;

/// How far ahead the next change of state is looked for; beyond it the change is reported
/// as `None` (no change within about a year).
const NEXT_CHANGE_HORIZON: TimeDelta = TimeDelta::days(400);

/// Open, closed, or not known: no hours published, hours not understood, an explicit
/// `unknown`, a comment without a state (`"by appointment"`), or an open end (`22:00+`,
/// closing time not known). Only `Open` may be shown as open: "open now" filters keep only
/// it and list `Unknown` separately as "maybe open".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum OpenState {
    Open,
    Closed,
    Unknown,
}

/// Where a state comes from: the published hours, or their absence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum HoursSource {
    /// The publisher's `opening_hours`, understood.
    Published,
    /// No `opening_hours` for this service: unknown.
    NotPublished,
    /// `opening_hours` that are not valid syntax (`Mo-Fr 9:00-5:00 pm`) or too long:
    /// unknown, shown as "hours not understood", never guessed to be open or closed.
    NotUnderstood,
}

/// A service's state at a moment, why, and when that state next changes (`None`: not
/// within the look-ahead horizon, e.g. `24/7`, or not known).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoursStatus {
    pub state: OpenState,
    /// The hours' comment for this state (`"by appointment"`), if any; for an open end,
    /// "closing time not known".
    pub comment: Option<String>,
    pub source: HoursSource,
    pub next_change: Option<Timestamp>,
    /// The state from `next_change` on: "open until 22:00, then maybe open" for
    /// `18:00-22:00+` (an open end), "closes at 17:00" only when it is `Closed`.
    pub next_state: Option<OpenState>,
}

impl HoursStatus {
    /// A service that publishes no hours.
    pub const NOT_PUBLISHED: HoursStatus = HoursStatus::unknown(HoursSource::NotPublished);
    /// A service whose hours do not parse.
    pub const NOT_UNDERSTOOD: HoursStatus = HoursStatus::unknown(HoursSource::NotUnderstood);

    const fn unknown(source: HoursSource) -> Self {
        HoursStatus {
            state: OpenState::Unknown,
            comment: None,
            source,
            next_change: None,
            next_state: None,
        }
    }
}

/// The comment the `opening-hours` crate (patched, as opening_hours.js) gives an open end
/// without a comment of its own, and what Vigil shows instead.
const OPEN_END_COMMENT: &str = "Specified as open end. Closing time was guessed.";
const OPEN_END_SHOWN: &str = "closing time not known";

fn shown_comment(comment: &str) -> Option<String> {
    match comment.trim() {
        "" => None,
        OPEN_END_COMMENT => Some(OPEN_END_SHOWN.to_owned()),
        c => Some(c.to_owned()),
    }
}

/// Parses an IANA time-zone name.
pub fn parse_time_zone(name: &str) -> Result<Tz> {
    name.parse::<Tz>()
        .map_err(|_| DirectoryError::UnknownTimeZone(name.chars().take(64).collect()).into())
}

/// England & Wales bank holidays on `date`, for the years in [`BANK_HOLIDAY_YEARS`].
pub fn is_bank_holiday_england_wales(date: NaiveDate) -> bool {
    bank_holidays().get_public().contains(date)
}

/// Every England & Wales bank holiday of `year`, in date order.
pub fn bank_holidays_england_wales(year: i32) -> Vec<NaiveDate> {
    let mut days = Vec::with_capacity(10);
    let Some(jan1) = NaiveDate::from_ymd_opt(year, 1, 1) else {
        return days;
    };
    let mut taken = Vec::new();
    days.push(next_free_weekday(jan1, &mut taken));
    if let Some(easter) = easter_sunday(year) {
        days.extend(easter.checked_sub_days(Days::new(2)));
        days.extend(easter.checked_add_days(Days::new(1)));
    }
    // Early May: first Monday, moved to 8 May for VE Day anniversaries.
    let early_may = match year {
        1995 | 2020 => NaiveDate::from_ymd_opt(year, 5, 8),
        _ => NaiveDate::from_weekday_of_month_opt(year, 5, Weekday::Mon, 1),
    };
    days.extend(early_may);
    // Spring: last Monday of May, moved for the jubilees.
    let spring = match year {
        2002 | 2012 => NaiveDate::from_ymd_opt(year, 6, 4),
        2022 => NaiveDate::from_ymd_opt(year, 6, 2),
        _ => last_monday(year, 5),
    };
    days.extend(spring);
    days.extend(last_monday(year, 8));
    let mut taken = Vec::new();
    for d in [25, 26] {
        if let Some(day) = NaiveDate::from_ymd_opt(year, 12, d) {
            days.push(next_free_weekday(day, &mut taken));
        }
    }
    // One-off proclamations.
    let extra: &[(u32, u32)] = match year {
        1999 => &[(12, 31)],
        2002 => &[(6, 3)],
        2011 => &[(4, 29)],
        2012 => &[(6, 5)],
        2022 => &[(6, 3), (9, 19)],
        2023 => &[(5, 8)],
        _ => &[],
    };
    days.extend(
        extra
            .iter()
            .filter_map(|&(m, d)| NaiveDate::from_ymd_opt(year, m, d)),
    );
    days.sort_unstable();
    days.dedup();
    days
}

/// A fixed-date holiday falling on a weekend (or on a day already taken by the previous
/// one) moves to the next free weekday: the statutory substitute-day rule.
fn next_free_weekday(mut d: NaiveDate, taken: &mut Vec<NaiveDate>) -> NaiveDate {
    while matches!(d.weekday(), Weekday::Sat | Weekday::Sun) || taken.contains(&d) {
        match d.succ_opt() {
            Some(next) => d = next,
            None => break,
        }
    }
    taken.push(d);
    d
}

fn last_monday(year: i32, month: u32) -> Option<NaiveDate> {
    let first_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    let last = first_next.pred_opt()?;
    let back = last.weekday().num_days_from_monday();
    last.checked_sub_days(Days::new(u64::from(back)))
}

/// Gregorian Easter Sunday (the anonymous algorithm of Meeus, Jones and Butcher).
fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

/// The England & Wales calendar in the form the `opening-hours` crate evaluates `PH` with.
fn bank_holidays() -> &'static ContextHolidays {
    static CAL: LazyLock<ContextHolidays> = LazyLock::new(|| {
        let mut cal = CompactCalendar::default();
        for year in BANK_HOLIDAY_YEARS {
            for d in bank_holidays_england_wales(year) {
                cal.insert(d);
            }
        }
        ContextHolidays::new(Arc::new(cal), Arc::new(CompactCalendar::default()))
    });
    &CAL
}

/// Parses and evaluates opening hours in one time zone, with England & Wales bank
/// holidays as `PH`.
#[derive(Clone)]
pub struct HoursEvaluator {
    ctx: Context<TzLocation<Tz>>,
    tz: Tz,
}

impl std::fmt::Debug for HoursEvaluator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HoursEvaluator")
            .field("tz", &self.tz.name())
            .finish()
    }
}

impl HoursEvaluator {
    /// An evaluator for the IANA time zone `time_zone` (e.g. `Europe/London`).
    pub fn new(time_zone: &str) -> Result<Self> {
        let tz = parse_time_zone(time_zone)?;
        Ok(Self::for_tz(tz))
    }

    pub fn for_tz(tz: Tz) -> Self {
        let ctx = Context::default()
            .with_holidays(bank_holidays().clone())
            .with_locale(TzLocation::new(tz))
            .approx_bound_interval_size(NEXT_CHANGE_HORIZON);
        Self { ctx, tz }
    }

    pub fn time_zone(&self) -> Tz {
        self.tz
    }

    /// Parses `raw`; `None` when it is not valid `opening_hours` syntax (the caller shows
    /// such a service's hours as unknown).
    pub fn parse(&self, raw: &str) -> Option<ParsedHours> {
        let raw = raw.trim();
        if raw.is_empty() || raw.len() > MAX_HOURS_LEN {
            return None;
        }
        // The parser is fuzzed upstream, but a panic here must never take the query down.
        let parsed = catch_unwind(AssertUnwindSafe(|| raw.parse::<OpeningHours>().ok())).ok()??;
        Some(ParsedHours {
            oh: parsed.with_context(self.ctx.clone()),
            tz: self.tz,
        })
    }

    /// Parses and evaluates in one step; missing or unparseable hours are unknown.
    pub fn status(&self, raw: Option<&str>, at: Timestamp) -> HoursStatus {
        match raw.map(str::trim).filter(|r| !r.is_empty()) {
            None => HoursStatus::NOT_PUBLISHED,
            Some(r) => self
                .parse(r)
                .map_or(HoursStatus::NOT_UNDERSTOOD, |p| p.status_at(at)),
        }
    }
}

/// Opening hours parsed once, bound to their time zone and holiday calendar.
#[derive(Clone)]
pub struct ParsedHours {
    oh: OpeningHours<TzLocation<Tz>>,
    tz: Tz,
}

impl std::fmt::Debug for ParsedHours {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParsedHours")
            .field("hours", &self.oh.to_string())
            .finish()
    }
}

impl ParsedHours {
    /// The state at `at` (cheaper than [`ParsedHours::status_at`]: no look-ahead).
    pub fn state_at(&self, at: Timestamp) -> OpenState {
        let local = at.with_timezone(&self.tz);
        catch_unwind(AssertUnwindSafe(|| self.oh.state(local).0))
            .map_or(OpenState::Unknown, map_kind)
    }

    /// The state at `at`, its comment, when it next changes and to what.
    pub fn status_at(&self, at: Timestamp) -> HoursStatus {
        let local = at.with_timezone(&self.tz);
        let evaluated = catch_unwind(AssertUnwindSafe(|| {
            let mut ranges = self.oh.iter_from(local);
            let first = ranges.next()?;
            let next_kind = ranges.next().map(|r| r.kind);
            Some((first.kind, first.comment, first.range.end, next_kind))
        }));
        match evaluated {
            Ok(Some((kind, comment, end, next_kind))) => {
                let end_utc = end.with_timezone(&Utc);
                // The crate reports "never changes" as an interval reaching its end of time.
                let next_change = (end_utc - at <= NEXT_CHANGE_HORIZON + TimeDelta::days(1))
                    .then_some(end_utc)
                    .filter(|e| *e > at);
                HoursStatus {
                    state: map_kind(kind),
                    comment: shown_comment(&comment),
                    source: HoursSource::Published,
                    next_change,
                    next_state: next_change.and(next_kind.map(map_kind)),
                }
            }
            _ => HoursStatus::NOT_UNDERSTOOD,
        }
    }
}

fn map_kind(kind: RuleKind) -> OpenState {
    match kind {
        RuleKind::Open => OpenState::Open,
        RuleKind::Closed => OpenState::Closed,
        RuleKind::Unknown => OpenState::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn easter_matches_known_dates() {
        assert_eq!(easter_sunday(2014), Some(d(2014, 4, 20)));
        assert_eq!(easter_sunday(2019), Some(d(2019, 4, 21)));
        assert_eq!(easter_sunday(2024), Some(d(2024, 3, 31)));
        assert_eq!(easter_sunday(2038), Some(d(2038, 4, 25)));
    }

    #[test]
    fn bank_holidays_match_the_published_calendars() {
        // As published on gov.uk/bank-holidays for England and Wales.
        assert_eq!(
            bank_holidays_england_wales(2014),
            [
                d(2014, 1, 1),
                d(2014, 4, 18),
                d(2014, 4, 21),
                d(2014, 5, 5),
                d(2014, 5, 26),
                d(2014, 8, 25),
                d(2014, 12, 25),
                d(2014, 12, 26)
            ]
        );
        assert_eq!(
            bank_holidays_england_wales(2015),
            [
                d(2015, 1, 1),
                d(2015, 4, 3),
                d(2015, 4, 6),
                d(2015, 5, 4),
                d(2015, 5, 25),
                d(2015, 8, 31),
                d(2015, 12, 25),
                d(2015, 12, 28)
            ]
        );
        assert_eq!(
            bank_holidays_england_wales(2020),
            [
                d(2020, 1, 1),
                d(2020, 4, 10),
                d(2020, 4, 13),
                d(2020, 5, 8),
                d(2020, 5, 25),
                d(2020, 8, 31),
                d(2020, 12, 25),
                d(2020, 12, 28)
            ]
        );
        assert_eq!(
            bank_holidays_england_wales(2022),
            [
                d(2022, 1, 3),
                d(2022, 4, 15),
                d(2022, 4, 18),
                d(2022, 5, 2),
                d(2022, 6, 2),
                d(2022, 6, 3),
                d(2022, 8, 29),
                d(2022, 9, 19),
                d(2022, 12, 26),
                d(2022, 12, 27)
            ]
        );
        assert_eq!(
            bank_holidays_england_wales(2023),
            [
                d(2023, 1, 2),
                d(2023, 4, 7),
                d(2023, 4, 10),
                d(2023, 5, 1),
                d(2023, 5, 8),
                d(2023, 5, 29),
                d(2023, 8, 28),
                d(2023, 12, 25),
                d(2023, 12, 26)
            ]
        );
        assert_eq!(
            bank_holidays_england_wales(2027),
            [
                d(2027, 1, 1),
                d(2027, 3, 26),
                d(2027, 3, 29),
                d(2027, 5, 3),
                d(2027, 5, 31),
                d(2027, 8, 30),
                d(2027, 12, 27),
                d(2027, 12, 28)
            ]
        );
        assert!(is_bank_holiday_england_wales(d(2026, 8, 31)));
        assert!(!is_bank_holiday_england_wales(d(2026, 8, 24)));
    }

    #[test]
    fn bank_holidays_2026_to_2028_match_the_official_list() {
        // gov.uk/bank-holidays (England and Wales) for 2026 and 2027; 2028 from the same
        // statutory rules (New Year's Day on a Saturday moves to Monday 3 January).
        assert_eq!(
            bank_holidays_england_wales(2026),
            [
                d(2026, 1, 1),
                d(2026, 4, 3),
                d(2026, 4, 6),
                d(2026, 5, 4),
                d(2026, 5, 25),
                d(2026, 8, 31),
                d(2026, 12, 25),
                d(2026, 12, 28)
            ]
        );
        // Boxing Day 2026 is a Saturday: only the substitute Monday is a bank holiday.
        assert!(!is_bank_holiday_england_wales(d(2026, 12, 26)));
        assert_eq!(
            bank_holidays_england_wales(2027),
            [
                d(2027, 1, 1),
                d(2027, 3, 26),
                d(2027, 3, 29),
                d(2027, 5, 3),
                d(2027, 5, 31),
                d(2027, 8, 30),
                d(2027, 12, 27),
                d(2027, 12, 28)
            ]
        );
        assert_eq!(
            bank_holidays_england_wales(2028),
            [
                d(2028, 1, 3),
                d(2028, 4, 14),
                d(2028, 4, 17),
                d(2028, 5, 1),
                d(2028, 5, 29),
                d(2028, 8, 28),
                d(2028, 12, 25),
                d(2028, 12, 26)
            ]
        );
    }

    fn at(y: i32, m: u32, day: u32, h: u32, mi: u32) -> Timestamp {
        use chrono::TimeZone;
        chrono_tz::Europe::London
            .with_ymd_and_hms(y, m, day, h, mi, 0)
            .single()
            .unwrap()
            .with_timezone(&Utc)
    }

    fn status(hours: &str, t: Timestamp) -> HoursStatus {
        HoursEvaluator::new("Europe/London")
            .unwrap()
            .status(Some(hours), t)
    }

    #[test]
    fn a_comment_without_a_state_is_unknown_not_open() {
        // Wednesday 4 and Saturday 7 March 2026.
        let s = status("\"by appointment only\"", at(2026, 3, 4, 12, 0));
        assert_eq!(s.state, OpenState::Unknown);
        assert_eq!(s.comment.as_deref(), Some("by appointment only"));
        let walk_in = status("Mo-Fr 09:00-17:00 \"walk-in\"", at(2026, 3, 4, 12, 0));
        assert_eq!(walk_in.state, OpenState::Unknown);
        assert_eq!(
            status("Mo-Fr 09:00-17:00 open \"walk-in\"", at(2026, 3, 4, 12, 0)).state,
            OpenState::Open
        );
        let fallback = "Mo-Fr 09:00-17:00 || \"by appointment\"";
        assert_eq!(
            status(fallback, at(2026, 3, 7, 12, 0)).state,
            OpenState::Unknown
        );
        assert_eq!(
            status(fallback, at(2026, 3, 4, 12, 0)).state,
            OpenState::Open
        );
        assert_eq!(
            status(fallback, at(2026, 3, 4, 20, 0)).state,
            OpenState::Unknown
        );
        assert_eq!(
            status("Fr 09:00-12:00 \"early close\"", at(2026, 3, 6, 10, 0)).state,
            OpenState::Unknown
        );
    }

    #[test]
    fn an_open_end_is_unknown_until_its_guessed_end() {
        let late = "Fr-Sa 22:00+";
        let s = status(late, at(2026, 3, 6, 23, 0));
        assert_eq!(s.state, OpenState::Unknown);
        assert_eq!(s.comment.as_deref(), Some("closing time not known"));
        // From 22:00 opening_hours.js guesses eight hours: unknown until 06:00.
        assert_eq!(s.next_change, Some(at(2026, 3, 7, 6, 0)));
        assert_eq!(status(late, at(2026, 3, 7, 12, 0)).state, OpenState::Closed);
        let fixed = "Fr 18:00-22:00+";
        assert_eq!(status(fixed, at(2026, 3, 6, 20, 0)).state, OpenState::Open);
        assert_eq!(
            status(fixed, at(2026, 3, 6, 23, 0)).state,
            OpenState::Unknown
        );
    }

    #[test]
    fn hours_past_midnight_survive_an_earlier_rule() {
        let bar = "Su-Th 11:00-01:00; Fr-Sa 11:00-03:00";
        // Sunday 8 March 00:30 and 02:30: Saturday's hours run on to 03:00.
        assert_eq!(status(bar, at(2026, 3, 8, 0, 30)).state, OpenState::Open);
        assert_eq!(status(bar, at(2026, 3, 8, 2, 30)).state, OpenState::Open);
        assert_eq!(status(bar, at(2026, 3, 8, 3, 30)).state, OpenState::Closed);
        // A later rule for the next day still overrides them.
        let s = status("Fr 20:00-03:00; Sa 10:00-18:00", at(2026, 3, 7, 1, 0));
        assert_eq!(s.state, OpenState::Closed);
    }

    #[test]
    fn hours_not_understood_are_unknown_and_say_so() {
        let s = status("Mo-Fr 9:00-5:00 pm", at(2026, 3, 4, 12, 0));
        assert_eq!(s.state, OpenState::Unknown);
        assert_eq!(s.source, HoursSource::NotUnderstood);
        assert_eq!(
            HoursEvaluator::new("Europe/London")
                .unwrap()
                .status(None, at(2026, 3, 4, 12, 0))
                .source,
            HoursSource::NotPublished
        );
    }

    #[test]
    fn unknown_time_zone_is_a_clear_error() {
        let err = HoursEvaluator::new("Europe/Atlantis").unwrap_err();
        assert!(err.to_string().contains("unknown time zone"), "{err}");
    }
}
