//! Turning values into what a card shows: numbers with "–" for null, compass points, the
//! Beaufort scale, and the UV and air-quality bands with their official colours.

use crate::units::WindUnit;

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

/// A number rounded to `decimals`, or [`DASH`]. Negative zero shows as `0`.
pub fn number(v: Option<f64>, decimals: usize) -> String {
    match v {
        Some(x) if x.is_finite() => fixed(x, decimals),
        _ => DASH.to_owned(),
    }
}

/// The 16 compass points, clockwise from north.
pub const COMPASS: [&str; 16] = [
    "N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE", "S", "SSW", "SW", "WSW", "W", "WNW", "NW",
    "NNW",
];

/// The compass point nearest a direction in degrees (any value, wrapped to 0–360).
pub fn compass(degrees: f64) -> &'static str {
    let i = ((degrees.rem_euclid(360.0) / 22.5).round() as usize) % 16;
    COMPASS[i]
}

/// The name of each Beaufort force, 0–12.
pub const BEAUFORT_NAMES: [&str; 13] = [
    "Calm",
    "Light air",
    "Light breeze",
    "Gentle breeze",
    "Moderate breeze",
    "Fresh breeze",
    "Strong breeze",
    "Near gale",
    "Gale",
    "Strong gale",
    "Storm",
    "Violent storm",
    "Hurricane force",
];

/// The highest speed of Beaufort forces 0–11 in m/s, as WMO's code table gives them for
/// speeds reported to a tenth of a metre per second (force 0 is 0–0.2, force 1 is 0.3–1.5, ...).
const BEAUFORT_MAX_MS: [f64; 12] = [
    0.2, 1.5, 3.3, 5.4, 7.9, 10.7, 13.8, 17.1, 20.7, 24.4, 28.4, 32.6,
];

/// The Beaufort force of a wind speed given in `unit`.
pub fn beaufort(speed: f64, unit: WindUnit) -> u8 {
    let ms = (unit.convert(speed.max(0.0), WindUnit::Ms) * 10.0).round() / 10.0;
    BEAUFORT_MAX_MS
        .iter()
        .position(|&max| ms <= max + 1e-9)
        .unwrap_or(12) as u8
}

/// A band of a health index: its name, its colour, and advice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Band {
    /// The band's name (`Moderate`).
    pub name: &'static str,
    /// The official colour as CSS hex.
    pub color: &'static str,
    /// One line of advice.
    pub advice: &'static str,
}

/// The WHO UV index band of a value.
pub fn uv_band(uv: f64) -> Band {
    // WHO: 0–2 low, 3–5 moderate, 6–7 high, 8–10 very high, 11+ extreme (on the rounded index).
    match uv.max(0.0).round() as u32 {
        0..=2 => Band {
            name: "Low",
            color: "#4eb400",
            advice: "No protection needed.",
        },
        3..=5 => Band {
            name: "Moderate",
            color: "#f7e400",
            advice: "Seek shade at midday; wear sunscreen and a hat.",
        },
        6..=7 => Band {
            name: "High",
            color: "#f85900",
            advice: "Reduce time in the sun from late morning to mid-afternoon.",
        },
        8..=10 => Band {
            name: "Very high",
            color: "#d8001d",
            advice: "Avoid the midday sun; shirt, sunscreen and hat are a must.",
        },
        _ => Band {
            name: "Extreme",
            color: "#998cff",
            advice: "Stay indoors at midday if you can; full protection outside.",
        },
    }
}

/// The US EPA band of an AQI value.
pub fn us_aqi_band(aqi: f64) -> Band {
    match aqi.max(0.0).round() as u32 {
        0..=50 => Band {
            name: "Good",
            color: "#00e400",
            advice: "Air quality is satisfactory.",
        },
        51..=100 => Band {
            name: "Moderate",
            color: "#ffff00",
            advice: "Unusually sensitive people should limit long exertion outdoors.",
        },
        101..=150 => Band {
            name: "Unhealthy for sensitive groups",
            color: "#ff7e00",
            advice: "Sensitive groups should reduce long or heavy exertion outdoors.",
        },
        151..=200 => Band {
            name: "Unhealthy",
            color: "#ff0000",
            advice: "Everyone should reduce long or heavy exertion outdoors.",
        },
        201..=300 => Band {
            name: "Very unhealthy",
            color: "#8f3f97",
            advice: "Everyone should avoid exertion outdoors.",
        },
        _ => Band {
            name: "Hazardous",
            color: "#7e0023",
            advice: "Everyone should stay indoors.",
        },
    }
}

/// The European Environment Agency band of a European AQI value (Open-Meteo's 0–100+ scale).
pub fn european_aqi_band(aqi: f64) -> Band {
    match aqi.max(0.0) {
        a if a <= 20.0 => Band {
            name: "Good",
            color: "#50f0e6",
            advice: "Enjoy your usual outdoor activities.",
        },
        a if a <= 40.0 => Band {
            name: "Fair",
            color: "#50ccaa",
            advice: "Enjoy your usual outdoor activities.",
        },
        a if a <= 60.0 => Band {
            name: "Moderate",
            color: "#f0e641",
            advice: "Sensitive people should consider less intense outdoor activity.",
        },
        a if a <= 80.0 => Band {
            name: "Poor",
            color: "#ff5050",
            advice: "Consider reducing intense outdoor activity.",
        },
        a if a <= 100.0 => Band {
            name: "Very poor",
            color: "#960032",
            advice: "Reduce physical activity outdoors.",
        },
        _ => Band {
            name: "Extremely poor",
            color: "#7d2181",
            advice: "Avoid physical activity outdoors.",
        },
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
    let right = ((max - lo) / span * 100.0).clamp(left, 100.0);
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

/// How far the sun is along today's arc at `now`: 0 at sunrise, 1 at sunset; `None` at night.
pub fn sun_progress(now: i64, sunrise: i64, sunset: i64) -> Option<f64> {
    (sunset > sunrise && (sunrise..=sunset).contains(&now))
        .then(|| (now - sunrise) as f64 / (sunset - sunrise) as f64)
}

/// How old data is, in words: `updated just now`, `updated 3 min ago`, `updated 2 h ago`.
pub fn age(now: i64, updated: i64) -> String {
    let s = (now - updated).max(0);
    match s {
        0..=44 => "updated just now".to_owned(),
        45..=3569 => format!("updated {} min ago", ((s + 30) / 60).max(1)),
        _ => format!("updated {} h ago", (s + 1800) / 3600),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_in_words() {
        assert_eq!(age(100, 100), "updated just now");
        assert_eq!(
            age(100, 200),
            "updated just now",
            "a clock ahead is not negative"
        );
        assert_eq!(age(1000, 1000 - 50), "updated 1 min ago");
        assert_eq!(age(1000, 1000 - 150), "updated 3 min ago");
        assert_eq!(age(10_000, 10_000 - 3600), "updated 1 h ago");
        assert_eq!(age(100_000, 100_000 - 7 * 3600), "updated 7 h ago");
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
    fn compass_points() {
        assert_eq!(compass(0.0), "N");
        assert_eq!(compass(359.0), "N");
        assert_eq!(compass(11.2), "N");
        assert_eq!(compass(11.3), "NNE");
        assert_eq!(compass(90.0), "E");
        assert_eq!(compass(202.5), "SSW");
        assert_eq!(compass(-90.0), "W");
        assert_eq!(compass(720.0 + 315.0), "NW");
    }

    #[test]
    fn beaufort_scale() {
        // WMO's table in m/s: the first and last tenth of each force.
        let table = [
            (0.0, 0),
            (0.2, 0),
            (0.3, 1),
            (1.5, 1),
            (1.6, 2),
            (3.3, 2),
            (3.4, 3),
            (5.4, 3),
            (5.5, 4),
            (7.9, 4),
            (8.0, 5),
            (10.7, 5),
            (10.8, 6),
            (13.8, 6),
            (13.9, 7),
            (17.1, 7),
            (17.2, 8),
            (20.7, 8),
            (20.8, 9),
            (24.4, 9),
            (24.5, 10),
            (28.4, 10),
            (28.5, 11),
            (32.6, 11),
            (32.7, 12),
            (60.0, 12),
        ];
        for (ms, force) in table {
            assert_eq!(beaufort(ms, WindUnit::Ms), force, "{ms} m/s");
        }
        // Other units convert first: 20 km/h is 5.6 m/s, 40 kn is 20.6 m/s, 75 mph is 33.5 m/s.
        assert_eq!(beaufort(19.0, WindUnit::Kmh), 3);
        assert_eq!(beaufort(20.0, WindUnit::Kmh), 4);
        assert_eq!(beaufort(40.0, WindUnit::Kn), 8);
        assert_eq!(beaufort(75.0, WindUnit::Mph), 12);
        assert_eq!(
            BEAUFORT_NAMES[beaufort(25.0, WindUnit::Kmh) as usize],
            "Moderate breeze"
        );
        assert_eq!(
            BEAUFORT_NAMES[beaufort(-3.0, WindUnit::Kmh) as usize],
            "Calm"
        );
    }

    #[test]
    fn uv_and_aqi_bands() {
        assert_eq!(uv_band(0.0).name, "Low");
        assert_eq!(uv_band(2.4).name, "Low");
        assert_eq!(uv_band(2.6).name, "Moderate");
        assert_eq!(uv_band(7.0).name, "High");
        assert_eq!(uv_band(10.0).name, "Very high");
        assert_eq!(uv_band(11.0).name, "Extreme");
        assert_eq!(us_aqi_band(50.0).name, "Good");
        assert_eq!(us_aqi_band(160.0).name, "Unhealthy");
        assert_eq!(us_aqi_band(301.0).name, "Hazardous");
        assert_eq!(european_aqi_band(35.0).name, "Fair");
        assert_eq!(european_aqi_band(120.0).name, "Extremely poor");
    }

    #[test]
    fn durations() {
        assert_eq!(hours_minutes(44_179.0), "12 h 16 min");
        assert_eq!(hours_minutes(0.0), "0 h 00 min");
    }
}
