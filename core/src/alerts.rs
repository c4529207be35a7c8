//! Official weather alerts (issue 13): the US National Weather Service's active alerts for a
//! point (`api.weather.gov/alerts/active?point=LAT,LON`) and Bright Sky's DWD alerts for
//! Germany (`api.brightsky.dev/alerts?lat=…&lon=…`), both read into one [`Alert`] shape, most
//! severe first, and which of the two covers a place.
//!
//! Every field but the event is optional in the real answers (2017 NWS records have no
//! `senderName`, `ends` null, `instruction` ""). The issuer's text is shown as sent: hard-wrapped
//! lines are joined, blank lines kept as paragraph breaks, nothing paraphrased.

use serde_json::Value;

use crate::open_meteo::ParseError;

/// The NWS's active-alerts API.
pub const NWS_URL: &str = "https://api.weather.gov/alerts/active";
/// Bright Sky's alerts API.
pub const BRIGHTSKY_URL: &str = "https://api.brightsky.dev/alerts";

/// A CAP severity, most severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Extraordinary threat to life or property.
    Extreme,
    /// Significant threat.
    Severe,
    /// Possible threat.
    Moderate,
    /// Minimal to no known threat.
    Minor,
    /// Not said.
    Unknown,
}

impl Severity {
    /// From CAP's word, as the NWS (`Severe`) or Bright Sky (`severe`) writes it.
    pub fn parse(s: &str) -> Severity {
        match s {
            "Extreme" | "extreme" => Severity::Extreme,
            "Severe" | "severe" => Severity::Severe,
            "Moderate" | "moderate" => Severity::Moderate,
            "Minor" | "minor" => Severity::Minor,
            _ => Severity::Unknown,
        }
    }

    /// The word shown, and the `data-severity` value.
    pub fn word(self) -> &'static str {
        match self {
            Severity::Extreme => "Extreme",
            Severity::Severe => "Severe",
            Severity::Moderate => "Moderate",
            Severity::Minor => "Minor",
            Severity::Unknown => "Unknown",
        }
    }
}

/// One alert.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// What it is: "Tornado Warning", "persistent rain".
    pub event: String,
    /// How severe.
    pub severity: Severity,
    /// The issuer's one-line headline.
    pub headline: Option<String>,
    /// When it takes effect (onset, else effective), UTC epoch seconds.
    pub start: Option<i64>,
    /// When it ends (ends, else expires).
    pub end: Option<i64>,
    /// Who issued it ("NWS Bismarck ND", "Deutscher Wetterdienst").
    pub sender: Option<String>,
    /// The description, paragraphs separated by `\n`.
    pub description: Option<String>,
    /// What to do.
    pub instruction: Option<String>,
}

/// Which source covers a place, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The US National Weather Service.
    Nws,
    /// Bright Sky (Deutscher Wetterdienst), Germany.
    BrightSky,
}

impl Source {
    /// The source's name, as the card credits it.
    pub fn name(self) -> &'static str {
        match self {
            Source::Nws => "National Weather Service",
            Source::BrightSky => "Deutscher Wetterdienst (via Bright Sky)",
        }
    }
}

/// The source for a place: by its country code when known (from the place search), else by
/// its coordinates (the United States with Alaska, Hawaii and Puerto Rico; Germany's bounding
/// box, where Bright Sky itself says whether a point is covered).
pub fn source_for(lat: f64, lon: f64, country_code: Option<&str>) -> Option<Source> {
    match country_code.map(str::to_ascii_uppercase).as_deref() {
        Some("US" | "PR" | "GU" | "VI" | "AS" | "MP") => return Some(Source::Nws),
        Some("DE") => return Some(Source::BrightSky),
        Some(_) => return None,
        None => {}
    }
    let within = |s: f64, n: f64, w: f64, e: f64| (s..=n).contains(&lat) && (w..=e).contains(&lon);
    if within(47.27, 55.06, 5.87, 15.04) {
        Some(Source::BrightSky)
    } else if within(24.4, 49.4, -125.0, -66.9)
        || within(51.2, 71.5, -179.9, -129.9)
        || within(18.9, 22.3, -160.3, -154.8)
        || within(17.8, 18.6, -67.3, -65.2)
    {
        Some(Source::Nws)
    } else {
        None
    }
}

/// The request for `source` at a point, on the API at `base`.
pub fn url(source: Source, base: &str, lat: f64, lon: f64) -> String {
    // At most 4 decimals: the NWS redirects a point given more finely.
    let (la, lo) = (
        crate::format::trimmed(lat, 4),
        crate::format::trimmed(lon, 4),
    );
    match source {
        Source::Nws => format!("{base}?point={la},{lo}"),
        Source::BrightSky => format!("{base}?lat={la}&lon={lo}"),
    }
}

/// What a source answered: its alerts, most severe first (then soonest), or, for Bright Sky,
/// `None` when the point is outside its coverage (no `location`).
pub fn parse(source: Source, body: &str) -> Result<Option<Vec<Alert>>, ParseError> {
    let v = crate::json::parse(body).map_err(|e| ParseError::InvalidJson(e.to_string()))?;
    let text = |o: &Value, k: &str| {
        o.get(k)
            .and_then(Value::as_str)
            .map(paragraphs)
            .filter(|s| !s.is_empty())
    };
    let time = |o: &Value, keys: &[&str]| {
        keys.iter()
            .find_map(|k| o.get(*k).and_then(Value::as_str).and_then(parse_rfc3339))
    };
    let mut alerts = match source {
        Source::Nws => {
            let features = v
                .get("features")
                .and_then(Value::as_array)
                .ok_or(ParseError::MissingField("features"))?;
            features
                .iter()
                .filter_map(|f| f.get("properties"))
                .filter_map(|p| {
                    Some(Alert {
                        event: text(p, "event")?,
                        severity: Severity::parse(p.get("severity")?.as_str().unwrap_or("")),
                        headline: text(p, "headline"),
                        start: time(p, &["onset", "effective"]),
                        end: time(p, &["ends", "expires"]),
                        sender: text(p, "senderName"),
                        description: text(p, "description"),
                        instruction: text(p, "instruction"),
                    })
                })
                .collect::<Vec<_>>()
        }
        Source::BrightSky => {
            if v.get("location").is_none_or(Value::is_null) {
                return Ok(None);
            }
            let list = v
                .get("alerts")
                .and_then(Value::as_array)
                .ok_or(ParseError::MissingField("alerts"))?;
            list.iter()
                .filter_map(|a| {
                    Some(Alert {
                        event: text(a, "event_en")?,
                        severity: Severity::parse(
                            a.get("severity").and_then(Value::as_str).unwrap_or(""),
                        ),
                        headline: text(a, "headline_en"),
                        start: time(a, &["onset", "effective"]),
                        end: time(a, &["expires"]),
                        sender: Some("Deutscher Wetterdienst".to_owned()),
                        description: text(a, "description_en"),
                        instruction: text(a, "instruction_en"),
                    })
                })
                .collect()
        }
    };
    // Most severe first, then soonest: an insertion sort (a handful of alerts; the standard
    // library's sort would cost the bundle several KB).
    for i in 1..alerts.len() {
        let mut j = i;
        while j > 0
            && (alerts[j].severity, alerts[j].start) < (alerts[j - 1].severity, alerts[j - 1].start)
        {
            alerts.swap(j, j - 1);
            j -= 1;
        }
    }
    Ok(Some(alerts))
}

/// What the alerts card shows: the source asked (`None`: none covers the place) and what it
/// said (`None`: it does not cover the point after all).
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// The source asked.
    pub source: Option<Source>,
    /// Its active alerts, most severe first.
    pub alerts: Option<Vec<Alert>>,
}

/// The NWS's answer as the card's.
pub fn parse_nws(body: &str) -> Result<Answer, ParseError> {
    Ok(Answer {
        source: Some(Source::Nws),
        alerts: parse(Source::Nws, body)?,
    })
}

/// Bright Sky's answer as the card's.
pub fn parse_bright_sky(body: &str) -> Result<Answer, ParseError> {
    Ok(Answer {
        source: Some(Source::BrightSky),
        alerts: parse(Source::BrightSky, body)?,
    })
}

/// Hard-wrapped text as paragraphs: lines joined with a space, a blank line starting a new
/// paragraph; the paragraphs separated by one `\n`, ends trimmed. (By lines, not by a `"\n\n"`
/// pattern: a string searcher would cost the bundle.)
pub fn paragraphs(s: &str) -> String {
    let mut out = String::new();
    let mut blank = false;
    for line in s.split('\n').map(str::trim) {
        if line.is_empty() {
            blank = true;
            continue;
        }
        if !out.is_empty() {
            out.push(if blank { '\n' } else { ' ' });
        }
        out.push_str(line);
        blank = false;
    }
    out
}

/// An RFC 3339 time (`2025-06-19T18:40:00-06:00`, `2023-08-26T10:41:00+00:00`, `…Z`) as UTC
/// epoch seconds; `None` if it is not one. By hand: chrono's parser would cost the bundle.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let d = b.get(r)?;
        d.iter()
            .all(u8::is_ascii_digit)
            .then(|| d.iter().fold(0, |n, c| n * 10 + i64::from(c - b'0')))
    };
    if b.get(4) != Some(&b'-')
        || b.get(7) != Some(&b'-')
        || !matches!(b.get(10), Some(b'T' | b't' | b' '))
    {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let date = chrono::NaiveDate::from_ymd_opt(y as i32, mo as u32, d as u32)?;
    let mut rest = 19;
    if b.get(rest) == Some(&b'.') {
        rest += 1;
        while b.get(rest).is_some_and(u8::is_ascii_digit) {
            rest += 1;
        }
    }
    let offset = match b.get(rest)? {
        b'Z' | b'z' => 0,
        sign @ (b'+' | b'-') => {
            let o = num(rest + 1..rest + 3)? * 3600 + num(rest + 4..rest + 6)? * 60;
            if *sign == b'-' {
                -o
            } else {
                o
            }
        }
        _ => return None,
    };
    if h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let days = date
        .signed_duration_since(chrono::NaiveDate::from_ymd_opt(1970, 1, 1)?)
        .num_days();
    Some(days * 86_400 + h * 3600 + mi * 60 + se - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(name: &str) -> String {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/samples/");
        std::fs::read_to_string(format!("{dir}{name}")).unwrap()
    }

    #[test]
    fn times_in_rfc3339() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_rfc3339("2025-06-19T18:40:00-06:00"),
            Some(1_750_380_000)
        );
        assert_eq!(
            parse_rfc3339("2023-08-26T10:41:00+00:00"),
            Some(1_693_046_460)
        );
        assert_eq!(
            parse_rfc3339("2023-08-26T10:41:00.500+02:00"),
            Some(1_693_039_260)
        );
        assert_eq!(parse_rfc3339("2023-02-30T10:41:00Z"), None);
        assert_eq!(parse_rfc3339("yesterday"), None);
        assert_eq!(parse_rfc3339(""), None);
    }

    #[test]
    fn the_real_nws_answers_parse_most_severe_first() {
        let a = parse(Source::Nws, &sample("nws_alerts_active_tornado.json"))
            .unwrap()
            .unwrap();
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].event, "Tornado Warning");
        assert_eq!(a[0].severity, Severity::Extreme);
        assert_eq!(a[0].sender.as_deref(), Some("NWS Bismarck ND"));
        assert_eq!(a[0].start, parse_rfc3339("2025-06-19T18:40:00-06:00"));
        assert_eq!(a[0].end, parse_rfc3339("2025-06-19T19:15:00-06:00"));
        let instruction = a[0].instruction.as_deref().unwrap();
        assert!(instruction.starts_with("TAKE COVER NOW!"), "{instruction}");
        assert!(!instruction.contains("lowest\nfloor"), "hard wraps joined");

        // 2017: zone alerts, no sender, `ends` null (then `expires`), instruction "".
        let a = parse(Source::Nws, &sample("nws_alerts_active_point.json"))
            .unwrap()
            .unwrap();
        assert_eq!(a.len(), 2);
        assert!(a.windows(2).all(|w| w[0].severity <= w[1].severity));
        for x in &a {
            assert_eq!(x.sender, None);
            assert!(x.end.is_some(), "expires stands in for ends");
            assert_eq!(x.instruction, None, "an empty instruction is none");
        }
    }

    #[test]
    fn the_real_bright_sky_answers_parse_and_say_when_covered() {
        let a = parse(Source::BrightSky, &sample("brightsky_alerts.json"))
            .unwrap()
            .unwrap();
        assert_eq!(a[0].event, "persistent rain");
        assert_eq!(a[0].severity, Severity::Moderate);
        assert_eq!(
            a[0].headline.as_deref(),
            Some("Official WARNING of PERSISTANT RAIN")
        );
        assert_eq!(a[0].instruction, None);
        let heat = parse(Source::BrightSky, &sample("brightsky_alerts_health.json"))
            .unwrap()
            .unwrap();
        assert_eq!(heat[0].severity, Severity::Minor);
        assert!(heat[0].instruction.is_some());
        // Covered, nothing active: an empty list, which is a true "no alerts".
        let none = parse(Source::BrightSky, &sample("brightsky_alerts_empty.json")).unwrap();
        assert_eq!(none, Some(Vec::new()));
        // Outside coverage: no location.
        assert_eq!(
            parse(Source::BrightSky, r#"{"alerts":[],"location":null}"#).unwrap(),
            None
        );
        assert!(parse(Source::BrightSky, "<html>").is_err());
    }

    #[test]
    fn coverage_by_country_or_coordinates() {
        assert_eq!(source_for(52.52, 13.41, None), Some(Source::BrightSky));
        assert_eq!(
            source_for(52.52, 13.41, Some("de")),
            Some(Source::BrightSky)
        );
        assert_eq!(source_for(40.71, -74.01, None), Some(Source::Nws));
        assert_eq!(
            source_for(61.22, -149.9, None),
            Some(Source::Nws),
            "Anchorage"
        );
        assert_eq!(
            source_for(21.31, -157.86, None),
            Some(Source::Nws),
            "Honolulu"
        );
        assert_eq!(source_for(48.85, 2.35, None), None, "Paris");
        assert_eq!(source_for(-33.87, 151.21, None), None, "Sydney");
        // Strasbourg is inside Germany's box but the search knows it is in France.
        assert_eq!(source_for(48.58, 7.75, Some("FR")), None);
        assert_eq!(
            url(
                Source::Nws,
                "https://api.weather.gov/alerts/active",
                39.78,
                -89.65
            ),
            "https://api.weather.gov/alerts/active?point=39.78,-89.65"
        );
        assert_eq!(
            url(
                Source::BrightSky,
                "https://api.brightsky.dev/alerts",
                52.52,
                13.41
            ),
            "https://api.brightsky.dev/alerts?lat=52.52&lon=13.41"
        );
    }

    #[test]
    fn hard_wrapped_text_becomes_paragraphs() {
        assert_eq!(paragraphs("a\nb\n\nc\n"), "a b\nc");
        assert_eq!(paragraphs("\n x \n\n\n y\nz"), "x\ny z");
        assert_eq!(paragraphs("  \n"), "");
    }
}
