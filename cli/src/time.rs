//! Times as a person types and reads them on a desktop.
//!
//! Input: RFC 3339 with an offset; a local date and time (`2026-12-01 21:00`,
//! `2026-12-01T21:00`, `2026-12-01`); a time today (`21:00`, `9pm`); `today`, `tomorrow` or
//! `yesterday` with a time; `in 2h`, `in 90 min`, `in 1h30m`; `now`. Local means the zone
//! given with `--tz`, else the `TZ` variable, else the system's zone. Phone shells use
//! pickers, so this parser is the desktop's own and stays in the CLI.
//!
//! Output: local time with its zone ("2026-12-01 21:00 GMT"), plus "in 90 min" /
//! "12 min ago" where that helps; JSON always RFC 3339 in UTC, to the second
//! ([`json`]).

use chrono::{
    DateTime, Duration, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime,
    SecondsFormat, TimeZone, Utc,
};
use chrono_tz::Tz;

/// What every accepted form looks like, for error hints.
pub const FORMS: &str = "2026-12-01 21:00, 2026-12-01T21:00, 2026-12-01T21:00+01:00, \
                         21:00, 9pm, tomorrow 21:00, in 2h, in 90 min, now";

/// The zone times are read and shown in.
#[derive(Debug, Clone, Copy)]
pub enum Zone {
    /// An IANA zone: from `--tz`, `TZ` or the system.
    Named(Tz),
    /// The system's zone when its name is unknown: its current offset only.
    Offset(FixedOffset),
}

impl Zone {
    /// `--tz`, else `TZ`, else the system zone's name, else the system's current offset.
    pub fn find(flag: Option<&str>) -> Result<Zone, String> {
        if let Some(name) = flag {
            return name.trim().parse::<Tz>().map(Zone::Named).map_err(|_| {
                "--tz: unknown time zone; use an IANA name such as Europe/London".to_owned()
            });
        }
        let from_env = std::env::var("TZ")
            .ok()
            .and_then(|v| v.trim_start_matches(':').parse::<Tz>().ok());
        let from_system = || {
            iana_time_zone::get_timezone()
                .ok()
                .and_then(|n| n.parse::<Tz>().ok())
        };
        Ok(match from_env.or_else(from_system) {
            Some(tz) => Zone::Named(tz),
            None => Zone::Offset(*chrono::Local::now().offset()),
        })
    }

    /// The UTC offset at `t`, in minutes (for the messages written to buddies).
    pub fn offset_minutes_at(&self, t: DateTime<Utc>) -> i32 {
        use chrono::Offset;
        match self {
            Zone::Named(tz) => t.with_timezone(tz).offset().fix().local_minus_utc() / 60,
            Zone::Offset(o) => o.local_minus_utc() / 60,
        }
    }

    /// "2026-12-01 21:00 GMT".
    pub fn show(&self, t: DateTime<Utc>) -> String {
        match self {
            Zone::Named(tz) => t.with_timezone(tz).format("%Y-%m-%d %H:%M %Z").to_string(),
            Zone::Offset(o) => t
                .with_timezone(o)
                .format("%Y-%m-%d %H:%M UTC%:z")
                .to_string(),
        }
    }

    /// "2026-12-01 21:00 GMT (in 90 min)": the distance from `now` is added within a week.
    pub fn show_from(&self, t: DateTime<Utc>, now: DateTime<Utc>) -> String {
        match relative(t, now) {
            Some(r) => format!("{} ({r})", self.show(t)),
            None => self.show(t),
        }
    }

    fn resolve(&self, local: NaiveDateTime) -> Result<DateTime<Utc>, String> {
        let found = match self {
            Zone::Named(tz) => map(tz.from_local_datetime(&local)),
            Zone::Offset(o) => map(o.from_local_datetime(&local)),
        };
        found.ok_or_else(|| {
            "that local time does not exist or happens twice (the clocks change then); \
             give it with its offset, e.g. 2026-03-29T02:30+01:00"
                .to_owned()
        })
    }

    fn today(&self, now: DateTime<Utc>) -> NaiveDate {
        match self {
            Zone::Named(tz) => now.with_timezone(tz).date_naive(),
            Zone::Offset(o) => now.with_timezone(o).date_naive(),
        }
    }

    /// Reads a time in one of the accepted forms; `now` anchors the relative ones. The
    /// error never repeats the input (it may be a number typed in the wrong place).
    pub fn parse(&self, input: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
        let s = input.trim().to_ascii_lowercase();
        let bad = || format!("not a time this understands; use a form such as {FORMS}");
        if s == "now" {
            return Ok(now);
        }
        // Numeric forms: `T` and `Z` in either case.
        let upper = s.to_ascii_uppercase();
        if let Ok(t) = DateTime::parse_from_rfc3339(&upper) {
            return Ok(t.with_timezone(&Utc));
        }
        for f in [
            "%Y-%m-%dT%H:%M%:z",
            "%Y-%m-%d %H:%M%:z",
            "%Y-%m-%dT%H:%M%#z",
        ] {
            if let Ok(t) = DateTime::parse_from_str(&upper, f) {
                return Ok(t.with_timezone(&Utc));
            }
        }
        if let Some(rest) = s.strip_prefix("in ") {
            let d = duration(rest).ok_or_else(bad)?;
            return now.checked_add_signed(d).ok_or_else(bad);
        }
        for f in [
            "%Y-%m-%d %H:%M",
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%dT%H:%M:%S",
        ] {
            if let Ok(local) = NaiveDateTime::parse_from_str(&upper, f) {
                return self.resolve(local);
            }
        }
        if let Ok(date) = NaiveDate::parse_from_str(&s, "%Y-%m-%d") {
            return self.resolve(date.and_time(NaiveTime::MIN));
        }
        let today = self.today(now);
        let (day, clock) = match s.split_once(' ') {
            Some(("today", rest)) => (today, rest),
            Some(("tomorrow", rest)) => (today.succ_opt().ok_or_else(bad)?, rest),
            Some(("yesterday", rest)) => (today.pred_opt().ok_or_else(bad)?, rest),
            _ => (today, s.as_str()),
        };
        let time = time_of_day(clock).ok_or_else(bad)?;
        self.resolve(day.and_time(time))
    }
}

fn map<T: TimeZone>(r: LocalResult<DateTime<T>>) -> Option<DateTime<Utc>> {
    match r {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        _ => None,
    }
}

/// "21:00", "21.00", "9pm", "9:30 pm", "12am".
fn time_of_day(s: &str) -> Option<NaiveTime> {
    let s = s.trim().replace(' ', "");
    let (body, pm) = if let Some(b) = s.strip_suffix("pm") {
        (b.to_owned(), Some(true))
    } else if let Some(b) = s.strip_suffix("am") {
        (b.to_owned(), Some(false))
    } else {
        (s.clone(), None)
    };
    let (h, m) = match body.split_once([':', '.']) {
        Some((h, m)) if m.len() == 2 => (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?),
        Some(_) => return None,
        None if pm.is_some() => (body.parse::<u32>().ok()?, 0),
        None => return None,
    };
    let h = match pm {
        None => h,
        Some(_) if !(1..=12).contains(&h) => return None,
        Some(true) => h % 12 + 12,
        Some(false) => h % 12,
    };
    NaiveTime::from_hms_opt(h, m, 0)
}

/// "2h", "90 min", "1h30m", "2 hours", "3 days".
fn duration(s: &str) -> Option<Duration> {
    let mut total = Duration::zero();
    let mut rest = s.trim();
    let mut any = false;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return None;
        }
        let n: i64 = rest[..digits].parse().ok()?;
        rest = rest[digits..].trim_start();
        let unit_len = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = rest[unit_len..].trim_start();
        rest = rest.strip_prefix(',').unwrap_or(rest).trim_start();
        rest = rest.strip_prefix("and ").unwrap_or(rest).trim_start();
        let minutes = match unit {
            "m" | "min" | "mins" | "minute" | "minutes" => n,
            "h" | "hr" | "hrs" | "hour" | "hours" => n.checked_mul(60)?,
            "d" | "day" | "days" => n.checked_mul(24 * 60)?,
            _ => return None,
        };
        total = total.checked_add(&Duration::try_minutes(minutes)?)?;
        any = true;
    }
    any.then_some(total)
}

/// "in 90 min", "12 min ago", "in 3 h 5 min", "in 2 days"; `None` beyond a week.
pub fn relative(t: DateTime<Utc>, now: DateTime<Utc>) -> Option<String> {
    let secs = (t - now).num_seconds();
    let minutes = (secs.abs() + 30) / 60;
    if minutes > 7 * 24 * 60 {
        return None;
    }
    if minutes == 0 {
        return Some("now".to_owned());
    }
    let span = span(minutes);
    Some(if secs >= 0 {
        format!("in {span}")
    } else {
        format!("{span} ago")
    })
}

/// A length of time for a person: "90 min", "3 h 5 min", "2 days".
pub fn span(minutes: i64) -> String {
    let minutes = minutes.abs();
    if minutes < 120 {
        format!("{minutes} min")
    } else if minutes < 48 * 60 {
        match minutes % 60 {
            0 => format!("{} h", minutes / 60),
            m => format!("{} h {m} min", minutes / 60),
        }
    } else {
        format!("{} days", (minutes + 12 * 60) / (24 * 60))
    }
}

/// The one JSON form of a time: RFC 3339 in UTC, to the second ("2026-12-01T21:00:00Z").
pub fn json(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn london() -> Zone {
        Zone::Named(chrono_tz::Europe::London)
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn local_forms_are_read_in_the_zone() {
        let now = utc("2026-07-01T10:00:00Z");
        let z = london();
        // Summer: London is UTC+1.
        assert_eq!(
            z.parse("2026-07-01 21:00", now).unwrap(),
            utc("2026-07-01T20:00:00Z")
        );
        assert_eq!(
            z.parse("2026-07-01T21:00", now).unwrap(),
            utc("2026-07-01T20:00:00Z")
        );
        // Winter: UTC+0.
        assert_eq!(
            z.parse("2026-12-01 21:00", now).unwrap(),
            utc("2026-12-01T21:00:00Z")
        );
        assert_eq!(
            z.parse("2026-12-01T21:00+01:00", now).unwrap(),
            utc("2026-12-01T20:00:00Z")
        );
        assert_eq!(
            z.parse("tomorrow 21:00", now).unwrap(),
            utc("2026-07-02T20:00:00Z")
        );
        assert_eq!(
            z.parse("Tomorrow 9pm", now).unwrap(),
            utc("2026-07-02T20:00:00Z")
        );
        assert_eq!(z.parse("9:30am", now).unwrap(), utc("2026-07-01T08:30:00Z"));
        assert_eq!(z.parse("in 2h", now).unwrap(), utc("2026-07-01T12:00:00Z"));
        assert_eq!(
            z.parse("in 90 min", now).unwrap(),
            utc("2026-07-01T11:30:00Z")
        );
        assert_eq!(
            z.parse("in 1h30m", now).unwrap(),
            utc("2026-07-01T11:30:00Z")
        );
        assert_eq!(z.parse("now", now).unwrap(), now);
        // A spring-forward gap does not exist locally.
        assert!(z.parse("2026-03-29 01:30", now).is_err());
        for bad in [
            "tomorrow",
            "in 2 fortnights",
            "13pm",
            "07700 900123",
            "21:0",
            "",
        ] {
            // The same words whatever was typed: the input is never repeated.
            let e = z.parse(bad, now).unwrap_err();
            assert!(e.starts_with("not a time this understands;"), "{e}");
        }
    }

    #[test]
    fn times_show_in_local_time_with_zone_and_distance() {
        let now = utc("2026-12-01T19:30:00Z");
        let z = london();
        assert_eq!(z.show(utc("2026-12-01T21:00:00Z")), "2026-12-01 21:00 GMT");
        assert_eq!(
            z.show_from(utc("2026-12-01T21:00:00Z"), now),
            "2026-12-01 21:00 GMT (in 90 min)"
        );
        assert_eq!(
            relative(utc("2026-12-01T19:18:00Z"), now).unwrap(),
            "12 min ago"
        );
        assert_eq!(
            relative(utc("2026-12-01T22:35:00Z"), now).unwrap(),
            "in 3 h 5 min"
        );
        assert!(relative(utc("2027-01-01T00:00:00Z"), now).is_none());
        assert_eq!(
            json(utc("2026-12-01T21:00:00.123+01:00")),
            "2026-12-01T20:00:00Z"
        );
        let summer = Zone::Named(chrono_tz::Europe::London);
        assert_eq!(
            summer.show(utc("2026-07-01T20:00:00Z")),
            "2026-07-01 21:00 BST"
        );
    }
}
