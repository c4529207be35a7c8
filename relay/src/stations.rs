//! Personal weather station uploads: the Weather Underground protocol (`GET
//! /weatherstation/updateweatherstation.php?ID=...&PASSWORD=...&tempf=...`) and Ecowitt's
//! "customized" upload (form POST with `PASSKEY=...`). Both send imperial units; values are
//! converted to the protocol's metric units, and the sentinel -9999 and out-of-range values are
//! dropped, never passed on.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use isobar_core::live::Values;
use isobar_core::units::{PrecipUnit, TempUnit, WindUnit};

/// An upload, parsed and converted.
#[derive(Debug, Clone, PartialEq)]
pub struct Upload {
    /// The credential it carried: WU's `ID`/`PASSWORD`, or Ecowitt's `PASSKEY`.
    pub credential: Credential,
    /// When it was observed (`dateutc`), Unix seconds; `None` for `now`, absent or unreadable
    /// (see [`observation_time`] for the bounds applied before publishing).
    pub time: Option<i64>,
    /// The values, metric.
    pub values: Values,
    /// Fields that were present but dropped (sentinels, out of range, unreadable).
    pub dropped: Vec<String>,
}

/// How an upload identifies its station.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// Weather Underground: station id and password.
    Wunderground {
        /// `ID`.
        id: String,
        /// `PASSWORD`.
        password: String,
    },
    /// Ecowitt: the gateway's pass key.
    Ecowitt {
        /// `PASSKEY`.
        passkey: String,
    },
}

/// Reads `application/x-www-form-urlencoded` (a query string or a form body) as the WHATWG URL
/// standard decodes it; of a key given twice, the last value counts.
pub fn form_pairs(s: &str) -> HashMap<String, String> {
    form_urlencoded::parse(s.as_bytes()).into_owned().collect()
}

/// A plausible range for each field, in the upload's own (imperial) units.
fn range(key: &str) -> (f64, f64) {
    match key {
        "tempf" | "dewptf" | "windchillf" => (-130.0, 160.0),
        "humidity" => (0.0, 100.0),
        "baromin" | "baromrelin" | "baromabsin" => (15.0, 33.0),
        "windspeedmph" | "windgustmph" => (0.0, 300.0),
        "winddir" => (0.0, 360.0),
        "uv" | "UV" => (0.0, 25.0),
        "rainin" | "hourlyrainin" | "rainratein" => (0.0, 40.0),
        _ => (f64::MIN, f64::MAX),
    }
}

fn read(pairs: &HashMap<String, String>, keys: &[&str], dropped: &mut Vec<String>) -> Option<f64> {
    let (key, raw) = keys
        .iter()
        .find_map(|k| pairs.get(*k).map(|v| (*k, v.trim())))?;
    if raw.is_empty() {
        return None;
    }
    let value = raw.parse::<f64>().ok().filter(|v| v.is_finite());
    let (lo, hi) = range(key);
    match value {
        Some(v) if v > -9999.0 + 0.5 && (lo..=hi).contains(&v) => Some(v),
        _ => {
            dropped.push(format!("{key}={raw}"));
            None
        }
    }
}

/// `dateutc` as WU and Ecowitt send it (`2021-07-23 17:13:34`, `2024-4-10 12:4:2`); `None`
/// for `now` or none, and for anything unreadable, which is also noted in `dropped`. Only
/// four-digit years are read.
fn read_time(pairs: &HashMap<String, String>, dropped: &mut Vec<String>) -> Option<i64> {
    let raw = pairs.get("dateutc")?.trim();
    if raw.is_empty() || raw.eq_ignore_ascii_case("now") {
        return None;
    }
    let time = parse_time(raw);
    if time.is_none() {
        dropped.push(format!("dateutc={raw}"));
    }
    time
}

fn parse_time(raw: &str) -> Option<i64> {
    let (date, time) = raw.split_once(' ')?;
    let mut d = date.split('-').map(|x| x.parse::<u32>().ok());
    let mut t = time.split(':').map(|x| x.parse::<u32>().ok());
    let (y, mo, da) = (d.next()??, d.next()??, d.next()??);
    let (h, mi, s) = (t.next()??, t.next()??, t.next().flatten().unwrap_or(0));
    if !(1000..=9999).contains(&y) || d.next().is_some() || t.next().is_some() {
        return None;
    }
    let date = chrono::NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, mo, da)?;
    let dt: NaiveDateTime = date.and_hms_opt(h, mi, s)?;
    Some(dt.and_utc().timestamp())
}

/// The time an observation is published with, and whether the station's own was replaced.
/// A station's `dateutc` is kept when it is at most `skew` seconds ahead of the relay's clock
/// and at most `max_age` behind; otherwise (a clock reset to 2000, a year 2999, local time
/// sent as UTC) the receive time replaces it: an upload is sent as it happens, so the
/// receive time is the better estimate, and a reading is not lost for a wrong clock.
pub fn observation_time(sent: Option<i64>, now: i64, skew: i64, max_age: i64) -> (i64, bool) {
    match sent {
        Some(t) if t <= now.saturating_add(skew) && t >= now.saturating_sub(max_age) => (t, false),
        Some(_) => (now, true),
        None => (now, false),
    }
}

/// Which protocol an upload came by; each has its own credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// Weather Underground: `ID` and `PASSWORD` in the query.
    Wunderground,
    /// Ecowitt's customized upload: `PASSKEY` in a form body.
    Ecowitt,
}

/// Parses an upload by `protocol`. `None` when it lacks that protocol's credential: another
/// protocol's credential does not count.
pub fn parse(protocol: Protocol, pairs: &HashMap<String, String>) -> Option<Upload> {
    let present = |k: &str| pairs.get(k).filter(|v| !v.is_empty()).cloned();
    let credential = match protocol {
        Protocol::Ecowitt => Credential::Ecowitt {
            passkey: present("PASSKEY")?,
        },
        Protocol::Wunderground => Credential::Wunderground {
            id: present("ID")?,
            password: present("PASSWORD")?,
        },
    };
    let mut dropped = Vec::new();
    let f = |v: f64| (TempUnit::Fahrenheit.convert(v, TempUnit::Celsius) * 10.0).round() / 10.0;
    let mph = |v: f64| (WindUnit::Mph.convert(v, WindUnit::Kmh) * 10.0).round() / 10.0;
    let inch = |v: f64| (PrecipUnit::Inch.convert(v, PrecipUnit::Mm) * 100.0).round() / 100.0;
    let inhg = |v: f64| (v * 33.863_886_67 * 10.0).round() / 10.0;
    let mut values = Values {
        temperature: read(pairs, &["tempf"], &mut dropped).map(f),
        apparent_temperature: read(pairs, &["windchillf"], &mut dropped).map(f),
        humidity: read(pairs, &["humidity"], &mut dropped),
        pressure: read(pairs, &["baromrelin", "baromin"], &mut dropped).map(inhg),
        wind_speed: read(pairs, &["windspeedmph"], &mut dropped).map(mph),
        wind_gust: read(pairs, &["windgustmph"], &mut dropped).map(mph),
        wind_direction: read(pairs, &["winddir"], &mut dropped),
        uv_index: read(pairs, &["uv", "UV"], &mut dropped),
        precipitation: read(
            pairs,
            &["hourlyrainin", "rainin", "rainratein"],
            &mut dropped,
        )
        .map(inch),
    };
    if values.apparent_temperature.is_none() {
        if let (Some(t), Some(rh)) = (values.temperature, values.humidity) {
            values.apparent_temperature = apparent_temperature(t, rh, values.wind_speed);
        }
    }
    Some(Upload {
        credential,
        time: read_time(pairs, &mut dropped),
        values,
        dropped,
    })
}

/// Highest dew point the feels-like formula is used for, °C: about the highest ever measured
/// (35 °C, Dhahran, 2003). Above it the humidity term grows without meaning.
const MAX_DEW_POINT_C: f64 = 35.0;

/// Feels-like temperature (°C) by the Australian Bureau of Meteorology's formula, the one
/// Open-Meteo uses, so a station's value is comparable with the model's: air temperature `t`
/// (°C), relative humidity `rh` (%), wind at 10 m (km/h; calm when the station sends none).
/// Used when a station sends no wind chill of its own.
///
/// `None` outside the conditions the formula describes: air temperature −40…50 °C, a dew
/// point at most [`MAX_DEW_POINT_C`], wind at most 150 km/h (hurricane force; its linear wind
/// term means nothing beyond). (A station's 159.9 °F at 100 %
/// once gave 174.5 °C; such a reading now carries no feels-like rather than a wrong one.)
pub fn apparent_temperature(t: f64, rh: f64, wind_kmh: Option<f64>) -> Option<f64> {
    let wind_kmh = wind_kmh.unwrap_or(0.0);
    let saturation = |t: f64| 6.105 * (17.27 * t / (237.7 + t)).exp();
    let vapour_hpa = rh / 100.0 * saturation(t);
    let in_domain = (-40.0..=50.0).contains(&t)
        && (0.0..=100.0).contains(&rh)
        && (0.0..=150.0).contains(&wind_kmh)
        && vapour_hpa <= saturation(MAX_DEW_POINT_C);
    if !in_domain {
        return None;
    }
    let wind_ms = wind_kmh / 3.6;
    Some(((t + 0.33 * vapour_hpa - 0.70 * wind_ms - 4.00) * 10.0).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLES: &str =
        include_str!("../../core/tests/fixtures/samples/ecowitt_and_wu_uploads.txt");

    fn wu(query: &str) -> Option<Upload> {
        parse(Protocol::Wunderground, &form_pairs(query))
    }

    fn sample_lines() -> Vec<&'static str> {
        SAMPLES
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty() && !l.starts_with('{'))
            .collect()
    }

    #[test]
    fn feels_like_is_computed_when_the_station_sends_none() {
        assert_eq!(apparent_temperature(20.0, 50.0, None), Some(19.8));
        assert_eq!(apparent_temperature(37.0, 12.0, None), Some(35.5));
        // Wind cools: 36 km/h = 10 m/s takes 7 °C off.
        assert_eq!(apparent_temperature(20.0, 50.0, Some(36.0)), Some(12.8));
        let up = wu("ID=X&PASSWORD=y&tempf=68&humidity=50").unwrap();
        assert_eq!(up.values.apparent_temperature, Some(19.8));
        // A station's own wind chill wins.
        let up = wu("ID=X&PASSWORD=y&tempf=68&humidity=50&windchillf=50").unwrap();
        assert_eq!(up.values.apparent_temperature, Some(10.0));
        // Without humidity nothing is made up.
        let up = wu("ID=X&PASSWORD=y&tempf=68").unwrap();
        assert_eq!(up.values.apparent_temperature, None);
    }

    #[test]
    fn feels_like_stays_in_the_formulas_domain() {
        // 159.9 °F at 100 %: once 174.5 °C.
        let up = wu("ID=X&PASSWORD=y&tempf=159.9&humidity=100").unwrap();
        assert_eq!(up.values.temperature, Some(71.1));
        assert_eq!(up.values.apparent_temperature, None);
        // The hottest and most humid air ever measured is still inside.
        let dhahran = apparent_temperature(42.0, 60.0, None).unwrap();
        assert!((50.0..65.0).contains(&dhahran), "{dhahran}");
        let yakutsk = apparent_temperature(-40.0, 70.0, Some(10.0)).unwrap();
        assert!((-48.0..-40.0).contains(&yakutsk), "{yakutsk}");
        for (t, rh, w) in [
            (50.1, 10.0, None),
            (-40.5, 50.0, None),
            (40.0, 100.0, None), // a 40 °C dew point
            (20.0, 50.0, Some(151.0)),
            (20.0, 101.0, None),
        ] {
            assert_eq!(apparent_temperature(t, rh, w), None, "{t} {rh} {w:?}");
        }
        // Never more than 40 °C from the air temperature inside the domain.
        for t in (-40..=50).step_by(5) {
            for rh in (0..=100).step_by(10) {
                for w in (0..=150).step_by(25) {
                    let (t, rh, w) = (f64::from(t), f64::from(rh), f64::from(w));
                    if let Some(at) = apparent_temperature(t, rh, Some(w)) {
                        assert!((at - t).abs() <= 40.0, "{t} °C {rh} % {w} km/h: {at}");
                    }
                }
            }
        }
    }

    #[test]
    fn every_sample_upload_parses() {
        let lines = sample_lines();
        assert_eq!(lines.len(), 4);
        for line in lines {
            let query = line.split_once('?').map_or(line, |(_, q)| q);
            let protocol = if query.contains("PASSKEY=") {
                Protocol::Ecowitt
            } else {
                Protocol::Wunderground
            };
            let up = parse(protocol, &form_pairs(query)).unwrap_or_else(|| panic!("{line}"));
            assert!(up.values.temperature.is_some(), "{line}");
        }
    }

    #[test]
    fn ecowitt_is_converted_to_metric() {
        let up = parse(Protocol::Ecowitt, &form_pairs(sample_lines()[0])).unwrap();
        assert_eq!(
            up.credential,
            Credential::Ecowitt {
                passkey: "DFD82AD35BF6EC2843920EC477D60648".into()
            }
        );
        assert_eq!(up.values.temperature, Some(27.4)); // 81.3 °F
        assert_eq!(up.values.humidity, Some(43.0));
        assert_eq!(up.values.wind_speed, Some(4.0)); // 2.46 mph
        assert_eq!(up.values.wind_gust, Some(6.8)); // 4.25 mph
        assert_eq!(up.values.wind_direction, Some(296.0));
        assert_eq!(up.values.pressure, Some(1013.9)); // 29.940 inHg
        assert_eq!(up.values.uv_index, Some(1.0));
        assert_eq!(up.time, Some(1_627_060_414)); // 2021-07-23 17:13:34 UTC
    }

    #[test]
    fn wunderground_with_loose_dates() {
        let up = wu(sample_lines()[2]).unwrap();
        assert_eq!(
            up.credential,
            Credential::Wunderground {
                id: "IHONGK51".into(),
                password: "<redacted>".into()
            }
        );
        assert_eq!(up.values.temperature, Some(8.8)); // 47.9 °F
        assert_eq!(up.values.uv_index, Some(0.0));
        assert_eq!(up.time, Some(1_712_750_642)); // 2024-4-10 12:4:2
    }

    #[test]
    fn sentinels_and_impossible_values_are_dropped() {
        let up =
            wu("ID=X&PASSWORD=y&tempf=-9999&humidity=140&windspeedmph=abc&winddir=90&dateutc=now")
                .unwrap();
        assert_eq!(up.values.temperature, None);
        assert_eq!(up.values.humidity, None);
        assert_eq!(up.values.wind_speed, None);
        assert_eq!(up.values.wind_direction, Some(90.0));
        assert_eq!(up.dropped.len(), 3, "{:?}", up.dropped);
        assert_eq!(up.time, None);
        assert!(wu("tempf=70").is_none(), "no credential");
    }

    #[test]
    fn forms_are_decoded_as_the_url_standard_says() {
        let p = form_pairs("PASSWORD=%+1&a=%41%zz%&b=x+y%2B&b=last&c");
        // A sign is not a hex digit: `%+1` once decoded to the byte 0x01.
        assert_eq!(p["PASSWORD"], "% 1");
        assert_eq!(p["a"], "A%zz%");
        assert_eq!(p["b"], "last");
        assert_eq!(p["c"], "");
        let p = form_pairs("k=%E2%82%AC%FF");
        assert_eq!(p["k"], "€\u{FFFD}", "bad UTF-8 is replaced, not fatal");
    }

    #[test]
    fn each_protocol_takes_only_its_own_credential() {
        let ecowitt = "PASSKEY=ABC&tempf=70";
        let wunderground = "ID=S&PASSWORD=p&tempf=70";
        assert!(parse(Protocol::Wunderground, &form_pairs(ecowitt)).is_none());
        assert!(parse(Protocol::Ecowitt, &form_pairs(wunderground)).is_none());
        assert!(parse(Protocol::Ecowitt, &form_pairs(ecowitt)).is_some());
        assert!(wu(wunderground).is_some());
        // Empty credentials are no credentials.
        assert!(wu("ID=S&PASSWORD=&tempf=70").is_none());
        assert!(parse(Protocol::Ecowitt, &form_pairs("PASSKEY=&tempf=70")).is_none());
    }

    #[test]
    fn station_times_are_read_strictly_and_bounded() {
        let time = |d: &str| {
            wu(&format!("ID=S&PASSWORD=p&tempf=70&dateutc={d}"))
                .unwrap()
                .time
        };
        assert_eq!(time("2021-07-23+17:13:34"), Some(1_627_060_414));
        // Years the probe sent: 2999 parses (and is then out of bounds); the rest do not.
        assert_eq!(time("2999-01-01+00:00:00"), Some(32_472_144_000));
        for bad in [
            "99999-01-01+00:00:00",
            "4294967295-01-01+00:00:00",
            "900-01-01+00:00:00",
            "2021-02-30+00:00:00",
            "2021-07-23+25:00:00",
            "2021-07-23-01+10:00:00",
            "now",
            "",
        ] {
            assert_eq!(time(bad), None, "{bad}");
        }
        let now = 1_795_219_200;
        let keep = |t| observation_time(Some(t), now, 300, 900);
        assert_eq!(keep(now - 60), (now - 60, false));
        assert_eq!(keep(now + 299), (now + 299, false), "clock skew is fine");
        assert_eq!(keep(now + 301), (now, true));
        assert_eq!(keep(now - 901), (now, true));
        assert_eq!(keep(32_472_144_000), (now, true), "year 2999");
        assert_eq!(keep(-2_208_988_800), (now, true), "year 1900");
        assert_eq!(keep(i64::MIN), (now, true));
        assert_eq!(observation_time(None, now, 300, 900), (now, false));
    }
}
