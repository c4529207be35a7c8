//! Wall-clock labels in a place's own time zone.
//!
//! Open-Meteo's `utc_offset_seconds` is the offset in force when the request was made; a
//! forecast that crosses a daylight-saving change needs the offset *of each instant*. That comes
//! from a [`ZoneOffsets`]: in the browser, `Intl.DateTimeFormat` with the place's IANA zone (the
//! browser's own time-zone database); in tests, `chrono-tz`. Everything else (which hour, which
//! weekday, 12- or 24-hour clock) is plain arithmetic here, tested on the host.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Timelike, Weekday};

/// The offset from UTC, in seconds, of a zone at any instant.
pub trait ZoneOffsets {
    /// Seconds east of UTC in force at `epoch` (Unix seconds).
    fn offset_at(&self, epoch: i64) -> i32;
}

/// A zone with one offset for all time (a fallback when the real zone is unknown).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedZone(pub i32);

impl ZoneOffsets for FixedZone {
    fn offset_at(&self, _: i64) -> i32 {
        self.0
    }
}

/// The local date and time of `epoch` in `zone`.
pub fn local(epoch: i64, zone: &impl ZoneOffsets) -> NaiveDateTime {
    let shifted = epoch + i64::from(zone.offset_at(epoch));
    DateTime::from_timestamp(shifted, 0)
        .unwrap_or_default()
        .naive_utc()
}

/// `14:05`, or `2:05 PM` on a 12-hour clock.
pub fn time_label(epoch: i64, zone: &impl ZoneOffsets, hour12: bool) -> String {
    let t = local(epoch, zone);
    if hour12 {
        let (pm, h) = t.hour12();
        format!("{h}:{:02} {}", t.minute(), if pm { "PM" } else { "AM" })
    } else {
        format!("{:02}:{:02}", t.hour(), t.minute())
    }
}

/// The hour alone: `14`, or `2 PM`. A label for a time not on the hour (a zone with a
/// :30 or :45 offset) keeps its minutes: `14:45`, `2:45 PM`.
pub fn hour_label(epoch: i64, zone: &impl ZoneOffsets, hour12: bool) -> String {
    let t = local(epoch, zone);
    if t.minute() != 0 {
        return time_label(epoch, zone, hour12);
    }
    if hour12 {
        let (pm, h) = t.hour12();
        format!("{h} {}", if pm { "PM" } else { "AM" })
    } else {
        format!("{:02}", t.hour())
    }
}

/// Short English weekday names, Monday first.
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const WEEKDAYS_LONG: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn weekday_index(w: Weekday) -> usize {
    w.num_days_from_monday() as usize
}

/// `Mon` for a calendar date.
pub fn weekday_label(date: NaiveDate) -> &'static str {
    WEEKDAYS[weekday_index(date.weekday())]
}

/// `Monday` for a calendar date.
pub fn weekday_long(date: NaiveDate) -> &'static str {
    WEEKDAYS_LONG[weekday_index(date.weekday())]
}

/// `Saturday 21 November` for a calendar date.
pub fn date_label(date: NaiveDate) -> String {
    format!(
        "{} {} {}",
        weekday_long(date),
        date.day(),
        MONTHS[date.month0() as usize]
    )
}

/// A short date: `Thu 24 December`.
pub fn short_date_label(date: NaiveDate) -> String {
    format!(
        "{} {} {}",
        weekday_label(date),
        date.day(),
        MONTHS[date.month0() as usize]
    )
}

/// A fixed offset as a label, `UTC+05:45`, `UTC-03:00` or `UTC`: shown beside times that use
/// the offset the API reported because the browser does not know the place's time zone (such
/// times may be an hour off across a daylight-saving change, and the label says so).
pub fn offset_label(offset_s: i32) -> String {
    if offset_s == 0 {
        return "UTC".to_owned();
    }
    let sign = if offset_s < 0 { '-' } else { '+' };
    let m = offset_s.unsigned_abs() / 60;
    format!("UTC{sign}{:02}:{:02}", m / 60, m % 60)
}

/// Reads the offset out of an `Intl` long offset name: `GMT+05:45`, `GMT-03:30`, `GMT`.
pub fn parse_gmt_offset(name: &str) -> Option<i32> {
    let rest = name
        .trim()
        .strip_prefix("GMT")
        .or_else(|| name.trim().strip_prefix("UTC"))?;
    if rest.is_empty() {
        return Some(0);
    }
    // Not indexing (see `config::parse_decimal`): the minus sign may be U+2212.
    let (sign, rest) = match rest.strip_prefix('+') {
        Some(rest) => (1, rest),
        None => (-1, rest.strip_prefix(['-', '−'])?),
    };
    // Digits only: `parse` alone would also take a second sign (`GMT+-1`).
    let number = |s: &str| {
        s.starts_with(|c: char| c.is_ascii_digit())
            .then(|| s.parse::<i32>().ok())
            .flatten()
    };
    let (h, m) = match rest.split_once(':') {
        Some((h, m)) => (number(h)?, number(m)?),
        None => (number(rest)?, 0),
    };
    (h <= 18 && m < 60).then_some(sign * (h * 3600 + m * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_offsets_are_labelled_and_read_back() {
        for (s, label) in [
            (0, "UTC"),
            (20_700, "UTC+05:45"),
            (-12_600, "UTC-03:30"),
            (-36_000, "UTC-10:00"),
            (50_400, "UTC+14:00"),
        ] {
            assert_eq!(offset_label(s), label);
            assert_eq!(parse_gmt_offset(label), Some(s));
        }
    }
    use chrono::{Offset, TimeZone};

    /// The zone database, as the browser's Intl would answer it.
    struct Iana(chrono_tz::Tz);

    impl ZoneOffsets for Iana {
        fn offset_at(&self, epoch: i64) -> i32 {
            let t = DateTime::from_timestamp(epoch, 0).unwrap().naive_utc();
            self.0.offset_from_utc_datetime(&t).fix().local_minus_utc()
        }
    }

    fn epoch(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp()
    }

    #[test]
    fn hours_across_spring_forward_in_berlin() {
        // 2026-03-29: clocks go from 02:00 CET to 03:00 CEST. Hourly data from local midnight.
        let berlin = Iana(chrono_tz::Europe::Berlin);
        let start = epoch("2026-03-28T23:00:00Z");
        let labels: Vec<String> = (0..5)
            .map(|h| hour_label(start + h * 3600, &berlin, false))
            .collect();
        assert_eq!(labels, ["00", "01", "03", "04", "05"]);
        // With the response's fixed offset (CET, +1) the same hours would be one off after 02:00.
        let fixed: Vec<String> = (0..5)
            .map(|h| hour_label(start + h * 3600, &FixedZone(3600), false))
            .collect();
        assert_eq!(fixed, ["00", "01", "02", "03", "04"]);
    }

    #[test]
    fn hours_across_fall_back_in_new_york() {
        // 2026-11-01: 02:00 EDT becomes 01:00 EST; 1 AM happens twice.
        let ny = Iana(chrono_tz::America::New_York);
        let start = epoch("2026-11-01T04:00:00Z");
        let labels: Vec<String> = (0..4)
            .map(|h| hour_label(start + h * 3600, &ny, true))
            .collect();
        assert_eq!(labels, ["12 AM", "1 AM", "1 AM", "2 AM"]);
    }

    #[test]
    fn quarter_and_half_hour_zones() {
        let noon_utc = epoch("2026-06-01T12:00:00Z");
        let kathmandu = Iana(chrono_tz::Asia::Kathmandu);
        assert_eq!(time_label(noon_utc, &kathmandu, false), "17:45");
        assert_eq!(hour_label(noon_utc, &kathmandu, false), "17:45");
        assert_eq!(
            time_label(noon_utc, &Iana(chrono_tz::Asia::Kolkata), true),
            "5:30 PM"
        );
        assert_eq!(
            time_label(noon_utc, &Iana(chrono_tz::America::St_Johns), false),
            "09:30"
        );
        // Chatham in southern summer: UTC+13:45, already the next day.
        let jan = epoch("2026-01-15T12:00:00Z");
        let chatham = Iana(chrono_tz::Pacific::Chatham);
        assert_eq!(time_label(jan, &chatham, false), "01:45");
        assert_eq!(weekday_label(local(jan, &chatham).date()), "Fri");
    }

    #[test]
    fn dates_and_offsets() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        assert_eq!(date_label(d), "Saturday 21 November");
        assert_eq!(short_date_label(d), "Sat 21 November");
        assert_eq!(weekday_label(d), "Sat");
        assert_eq!(parse_gmt_offset("GMT+05:45"), Some(20_700));
        assert_eq!(parse_gmt_offset("GMT-03:30"), Some(-12_600));
        assert_eq!(parse_gmt_offset("GMT−10"), Some(-36_000));
        assert_eq!(parse_gmt_offset("GMT"), Some(0));
        assert_eq!(parse_gmt_offset("CEST"), None);
        assert_eq!(parse_gmt_offset(" UTC+1 "), Some(3_600));
        for bad in [
            "GMT+",
            "GMT*2",
            "GMT+-1",
            "GMT−+1",
            "GMT+05:-3",
            "GMT+5:",
            "GMT+19",
        ] {
            assert_eq!(parse_gmt_offset(bad), None, "{bad}");
        }
    }
}
