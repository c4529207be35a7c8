//! Turning values into what a card shows: numbers with "–" for null (by integer arithmetic),
//! durations, ages, and the geometry of bars. The UV and air-quality bands are in
//! [`crate::bands`], compass points and the Beaufort scale in [`crate::wind`].

use crate::clock::{self, ZoneOffsets};

/// Shown in place of a value that is `null` or missing.
pub const DASH: &str = "–";

/// `x` rounded to `decimals` (at most 6) places, as text: `21.3`, `-4`, `0.0050`. Negative
/// zero shows as `0`. Written with integer arithmetic: Rust's float formatting machinery
/// would cost the WebAssembly bundle about 10 KB.
pub fn fixed(x: f64, decimals: usize) -> String {
    let decimals = decimals.min(6);
    let scale = 10u64.pow(decimals as u32);
    let scaled = (x.abs() * scale as f64).round();
    if !scaled.is_finite() || scaled >= 9.0e18 {
        return DASH.to_owned();
    }
    let scaled = scaled as u64;
    let (int, frac) = (scaled / scale, scaled % scale);
    let sign = if x < 0.0 && scaled != 0 { "-" } else { "" };
    if decimals == 0 {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac:0decimals$}")
    }
}

/// [`fixed`] without the zeros a reader does not need: `52.52`, `13.405`, `-4`, `0`. For
/// addresses and stored data, where `52.5200` would be noise.
pub fn trimmed(x: f64, decimals: usize) -> String {
    let mut s = fixed(x, decimals);
    if s.contains('.') {
        let keep = s.trim_end_matches('0').trim_end_matches('.').len();
        s.truncate(keep);
    }
    if s == "-0" {
        s.remove(0);
    }
    s
}

/// A number rounded to `decimals`, or [`DASH`]. Negative zero shows as `0`.
pub fn number(v: Option<f64>, decimals: usize) -> String {
    match v {
        Some(x) if x.is_finite() => fixed(x, decimals),
        _ => DASH.to_owned(),
    }
}

/// A duration in seconds as `13 h 42 min`.
pub fn hours_minutes(seconds: f64) -> String {
    let total = (seconds.max(0.0) / 60.0).round() as u64;
    format!("{} h {:02} min", total / 60, total % 60)
}

/// Where a day's low–high bar sits on a scale shared by all days: `(left, width)` as
/// percentages of the scale from `lo` to `hi`. A day without both values has no bar.
pub fn range_bar(lo: f64, hi: f64, min: Option<f64>, max: Option<f64>) -> Option<(f64, f64)> {
    let (min, max) = (min?, max?);
    let span = (hi - lo).max(f64::EPSILON);
    let left = ((min - lo) / span * 100.0).clamp(0.0, 100.0);
    // Not `clamp(left, 100.0)`: with a bound that is not a constant, `clamp` keeps an
    // assertion whose message formats floats, which costs the bundle about 5 KB.
    let right = ((max - lo) / span * 100.0).max(left).min(100.0);
    Some((left, right - left))
}

/// The lowest and highest of optional values, or `None` when there is none.
pub fn extent(values: impl IntoIterator<Item = Option<f64>>) -> Option<(f64, f64)> {
    values
        .into_iter()
        .flatten()
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

/// `s` escaped for HTML text and attribute values (quoted with `"` or `'`): `&`, `<`, `>`,
/// `"` and `'` as character references.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The hourly chart's summary in words, from (time, temperature, chance of precipitation %)
/// rows: "Highest 21° at 15:00, lowest 12° at 05:00; rain likely from 18:00" (likely: a
/// chance of 50 % or more), or "…; no rain likely". `clock` writes a time of day. `None` with
/// no temperature at all.
pub fn chart_summary(
    hours: &[(i64, Option<f64>, Option<f64>)],
    clock: impl Fn(i64) -> String,
) -> Option<String> {
    let temps = hours.iter().filter_map(|(t, v, _)| v.map(|v| (*t, v)));
    let high = temps
        .clone()
        .fold(None, |best: Option<(i64, f64)>, x| match best {
            Some(b) if b.1 >= x.1 => Some(b),
            _ => Some(x),
        })?;
    let low = temps.fold(high, |b, x| if x.1 < b.1 { x } else { b });
    let rain = hours
        .iter()
        .find(|(_, _, p)| p.is_some_and(|p| p >= 50.0))
        .map_or("no rain likely".to_owned(), |(t, _, _)| {
            format!("rain likely from {}", clock(*t))
        });
    Some(format!(
        "Highest {}° at {}, lowest {}° at {}; {rain}",
        number(Some(high.1), 0),
        clock(high.0),
        number(Some(low.1), 0),
        clock(low.0)
    ))
}

/// How far the sun is along today's arc at `now`: 0 at sunrise, 1 at sunset; `None` at night.
pub fn sun_progress(now: i64, sunrise: i64, sunset: i64) -> Option<f64> {
    (sunset > sunrise && (sunrise..=sunset).contains(&now))
        .then(|| (now - sunrise) as f64 / (sunset - sunrise) as f64)
}

/// How old data is, in words: `updated just now`, `updated 3 min ago`. From an hour on, with
/// the time it was fetched in the place's zone, when that is known: `as of 09:40, 2 h ago`,
/// and from a day on with its weekday: `as of Sat 09:40, 2 days ago`.
pub fn age(now: i64, updated: i64, zone: Option<&impl ZoneOffsets>, hour12: bool) -> String {
    let s = (now - updated).max(0);
    let ago = match s {
        0..=44 => return "updated just now".to_owned(),
        45..=3569 => return format!("updated {} min ago", ((s + 30) / 60).max(1)),
        3570..=86_399 => format!("{} h ago", (s + 1800) / 3600),
        _ => {
            let days = (s + 43_200) / 86_400;
            format!("{days} day{} ago", if days == 1 { "" } else { "s" })
        }
    };
    let Some(zone) = zone else {
        return format!("updated {ago}");
    };
    let day = if s < 86_400 {
        ""
    } else {
        clock::weekday_label(clock::local(updated, zone).date())
    };
    let space = if day.is_empty() { "" } else { " " };
    format!(
        "as of {day}{space}{}, {ago}",
        clock::time_label(updated, zone, hour12)
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn trimmed_drops_only_needless_zeros() {
        for (x, d, want) in [
            (52.52, 4, "52.52"),
            (13.405, 4, "13.405"),
            (-0.12784, 4, "-0.1278"),
            (100.0, 4, "100"),
            (-0.00001, 4, "0"),
            (10.0, 0, "10"),
            (1.05, 1, "1.1"),
        ] {
            assert_eq!(trimmed(x, d), want, "{x} to {d}");
        }
    }

    use super::*;
    use crate::clock::FixedZone;

    #[test]
    fn the_chart_summary_names_the_extremes_and_the_first_likely_rain() {
        let clock = |t: i64| format!("{:02}:00", t / 3600 % 24);
        let hours = [
            (3 * 3600, Some(12.4), Some(10.0)),
            (4 * 3600, Some(11.6), None),
            (15 * 3600, Some(21.2), Some(40.0)),
            (18 * 3600, None, Some(70.0)),
            (19 * 3600, Some(21.0), Some(90.0)),
        ];
        assert_eq!(
            chart_summary(&hours, clock).as_deref(),
            Some("Highest 21° at 15:00, lowest 12° at 04:00; rain likely from 18:00")
        );
        let dry = [(3600, Some(-0.4), Some(0.0)), (7200, Some(2.0), Some(49.0))];
        assert_eq!(
            chart_summary(&dry, clock).as_deref(),
            Some("Highest 2° at 02:00, lowest 0° at 01:00; no rain likely")
        );
        assert_eq!(chart_summary(&[(0, None, Some(80.0))], clock), None);
    }

    #[test]
    fn html_escapes_markup_and_quotes() {
        assert_eq!(escape_html("KÖLN-1 (ok)"), "KÖLN-1 (ok)");
        assert_eq!(
            escape_html(r#"<img src=x onerror="a('b')">&amp;"#),
            "&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;amp;"
        );
    }

    #[test]
    fn ages_in_words() {
        let none: Option<&FixedZone> = None;
        assert_eq!(age(100, 100, none, false), "updated just now");
        assert_eq!(
            age(100, 200, none, false),
            "updated just now",
            "a clock ahead is not negative"
        );
        assert_eq!(age(1000, 1000 - 50, none, false), "updated 1 min ago");
        assert_eq!(age(1000, 1000 - 150, none, false), "updated 3 min ago");
        assert_eq!(age(10_000, 10_000 - 3600, none, false), "updated 1 h ago");
        assert_eq!(
            age(100_000, 100_000 - 7 * 3600, none, false),
            "updated 7 h ago"
        );
        assert_eq!(
            age(1_000_000, 1_000_000 - 86_400, none, false),
            "updated 1 day ago"
        );
    }

    #[test]
    fn old_data_says_when_it_was_fetched_in_the_place_zone() {
        // 2026-11-28 (a Saturday) 08:40 UTC; Berlin in winter is UTC+1.
        let fetched = 1_795_855_200;
        let berlin = FixedZone(3600);
        let at = |later: i64, hour12| age(fetched + later, fetched, Some(&berlin), hour12);
        assert_eq!(
            at(600, false),
            "updated 10 min ago",
            "recent data: its age alone"
        );
        assert_eq!(at(2 * 3600, false), "as of 09:40, 2 h ago");
        assert_eq!(at(2 * 3600, true), "as of 9:40 AM, 2 h ago");
        assert_eq!(at(23 * 3600 + 1800, false), "as of 09:40, 24 h ago");
        assert_eq!(at(86_400, false), "as of Sat 09:40, 1 day ago");
        assert_eq!(at(3 * 86_400 + 3600, false), "as of Sat 09:40, 3 days ago");
        // The same instant in Kathmandu (UTC+05:45).
        assert_eq!(
            age(fetched + 3 * 3600, fetched, Some(&FixedZone(20_700)), false),
            "as of 14:25, 3 h ago"
        );
    }

    #[test]
    fn bars_share_one_scale() {
        assert_eq!(
            range_bar(0.0, 20.0, Some(5.0), Some(15.0)),
            Some((25.0, 50.0))
        );
        assert_eq!(
            range_bar(0.0, 20.0, Some(0.0), Some(20.0)),
            Some((0.0, 100.0))
        );
        assert_eq!(range_bar(0.0, 20.0, None, Some(20.0)), None);
        // One day only, min = max: a zero-width bar, not a division by zero.
        assert_eq!(range_bar(3.0, 3.0, Some(3.0), Some(3.0)), Some((0.0, 0.0)));
        assert_eq!(
            extent([Some(3.0), None, Some(-2.0), Some(f64::NAN)]),
            Some((-2.0, 3.0))
        );
        assert_eq!(extent([None, None]), None);
    }

    #[test]
    fn sun_progress_is_a_fraction_of_daylight() {
        assert_eq!(sun_progress(150, 100, 200), Some(0.5));
        assert_eq!(sun_progress(100, 100, 200), Some(0.0));
        assert_eq!(sun_progress(99, 100, 200), None);
        assert_eq!(sun_progress(201, 100, 200), None);
    }

    #[test]
    fn numbers_and_nulls() {
        assert_eq!(number(None, 1), DASH);
        assert_eq!(number(Some(f64::NAN), 0), DASH);
        assert_eq!(number(Some(21.26), 1), "21.3");
        assert_eq!(number(Some(-0.2), 0), "0");
        assert_eq!(number(Some(-3.4), 0), "-3");
    }

    #[test]
    fn fixed_point_matches_rounding() {
        assert_eq!(fixed(21.25, 1), "21.3");
        assert_eq!(fixed(-0.04, 1), "0.0");
        assert_eq!(fixed(-3.46, 1), "-3.5");
        assert_eq!(fixed(52.52, 4), "52.5200");
        assert_eq!(fixed(-118.24368, 4), "-118.2437");
        assert_eq!(fixed(0.005, 3), "0.005");
        assert_eq!(fixed(1e300, 1), DASH);
        assert_eq!(fixed(-7.25, 1), "-7.3", "halves round away from zero");
        assert_eq!(fixed(1013.6, 0), "1014");
        assert_eq!(fixed(-40.0, 0), "-40");
        assert_eq!(fixed(99.99, 1), "100.0");
    }

    #[test]
    fn durations() {
        assert_eq!(hours_minutes(44_179.0), "12 h 16 min");
        assert_eq!(hours_minutes(0.0), "0 h 00 min");
    }
}
