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

/// Open, closed, or not known (no hours published, unparseable hours, or an explicit
/// `unknown` rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpenState {
    Open,
    Closed,
    Unknown,
}

/// A service's state at a moment and when that state next changes (`None`: not within the
/// look-ahead horizon, e.g. `24/7`, or not known).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoursStatus {
    pub state: OpenState,
    pub next_change: Option<Timestamp>,
}

impl HoursStatus {
    pub const UNKNOWN: HoursStatus = HoursStatus {
        state: OpenState::Unknown,
        next_change: None,
    };
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

    /// Parses and evaluates in one step; unparseable or missing hours are unknown.
    pub fn status(&self, raw: Option<&str>, at: Timestamp) -> HoursStatus {
        raw.and_then(|r| self.parse(r))
            .map_or(HoursStatus::UNKNOWN, |p| p.status_at(at))
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

    /// The state at `at` and when it next changes.
    pub fn status_at(&self, at: Timestamp) -> HoursStatus {
        let local = at.with_timezone(&self.tz);
        let evaluated = catch_unwind(AssertUnwindSafe(|| {
            let mut ranges = self.oh.iter_from(local);
            ranges.next().map(|r| (r.kind, r.range.end))
        }));
        match evaluated {
            Ok(Some((kind, end))) => {
                let end_utc = end.with_timezone(&Utc);
                // The crate reports "never changes" as an interval reaching its end of time.
                let next_change = (end_utc - at <= NEXT_CHANGE_HORIZON + TimeDelta::days(1))
                    .then_some(end_utc)
                    .filter(|e| *e > at);
                HoursStatus {
                    state: map_kind(kind),
                    next_change,
                }
            }
            _ => HoursStatus::UNKNOWN,
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
    fn unknown_time_zone_is_a_clear_error() {
        let err = HoursEvaluator::new("Europe/Atlantis").unwrap_err();
        assert!(err.to_string().contains("unknown time zone"), "{err}");
    }
}
