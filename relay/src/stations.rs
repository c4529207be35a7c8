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
    /// When it was observed (`dateutc`), Unix seconds; `None` for `now` or absent.
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

/// Reads `application/x-www-form-urlencoded` (a query string or a form body).
pub fn form_pairs(s: &str) -> HashMap<String, String> {
    isobar_core::config::parse_query(s).into_iter().collect()
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

/// `dateutc` as WU and Ecowitt send it (`2021-07-23 17:13:34`, `2024-4-10 12:4:2`, `now`).
fn read_time(pairs: &HashMap<String, String>) -> Option<i64> {
    let raw = pairs.get("dateutc")?.trim();
    let (date, time) = raw.split_once(' ')?;
    let mut d = date.split('-').map(|x| x.parse::<u32>().ok());
    let mut t = time.split(':').map(|x| x.parse::<u32>().ok());
    let (y, mo, da) = (d.next()??, d.next()??, d.next()??);
    let (h, mi, s) = (t.next()??, t.next()??, t.next().flatten().unwrap_or(0));
    let date = chrono::NaiveDate::from_ymd_opt(y as i32, mo, da)?;
    let dt: NaiveDateTime = date.and_hms_opt(h, mi, s)?;
    Some(dt.and_utc().timestamp())
}

/// Parses an upload of either protocol. `None` when it carries no credential at all.
pub fn parse(pairs: &HashMap<String, String>) -> Option<Upload> {
    let credential = if let Some(passkey) = pairs.get("PASSKEY") {
        Credential::Ecowitt {
            passkey: passkey.clone(),
        }
    } else {
        Credential::Wunderground {
            id: pairs.get("ID")?.clone(),
            password: pairs.get("PASSWORD").cloned().unwrap_or_default(),
        }
    };
    let mut dropped = Vec::new();
    let f = |v: f64| (TempUnit::Fahrenheit.convert(v, TempUnit::Celsius) * 10.0).round() / 10.0;
    let mph = |v: f64| (WindUnit::Mph.convert(v, WindUnit::Kmh) * 10.0).round() / 10.0;
    let inch = |v: f64| (PrecipUnit::Inch.convert(v, PrecipUnit::Mm) * 100.0).round() / 100.0;
    let inhg = |v: f64| (v * 33.863_886_67 * 10.0).round() / 10.0;
    let values = Values {
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
    let mut values = values;
    if values.apparent_temperature.is_none() {
        if let (Some(t), Some(rh)) = (values.temperature, values.humidity) {
            values.apparent_temperature = Some(apparent_temperature(t, rh, values.wind_speed));
        }
    }
    Some(Upload {
        credential,
        time: read_time(pairs),
        values,
        dropped,
    })
}

/// Feels-like temperature (°C) by the Australian Bureau of Meteorology's formula, the one
/// Open-Meteo uses, so a station's value is comparable with the model's: air temperature `t`
/// (°C), relative humidity `rh` (%), wind at 10 m (km/h; calm when the station sends none).
/// Used when a station sends no wind chill of its own.
pub fn apparent_temperature(t: f64, rh: f64, wind_kmh: Option<f64>) -> f64 {
    let vapour_hpa = rh / 100.0 * 6.105 * (17.27 * t / (237.7 + t)).exp();
    let wind_ms = wind_kmh.unwrap_or(0.0) / 3.6;
    ((t + 0.33 * vapour_hpa - 0.70 * wind_ms - 4.00) * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLES: &str =
        include_str!("../../core/tests/fixtures/samples/ecowitt_and_wu_uploads.txt");

    fn sample_lines() -> Vec<&'static str> {
        SAMPLES
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty() && !l.starts_with('{'))
            .collect()
    }

    #[test]
    fn feels_like_is_computed_when_the_station_sends_none() {
        assert_eq!(apparent_temperature(20.0, 50.0, None), 19.8);
        assert_eq!(apparent_temperature(37.0, 12.0, None), 35.5);
        // Wind cools: 36 km/h = 10 m/s takes 7 °C off.
        assert_eq!(apparent_temperature(20.0, 50.0, Some(36.0)), 12.8);
        let up = parse(&form_pairs("ID=X&PASSWORD=y&tempf=68&humidity=50")).unwrap();
        assert_eq!(up.values.apparent_temperature, Some(19.8));
        // A station's own wind chill wins.
        let up = parse(&form_pairs(
            "ID=X&PASSWORD=y&tempf=68&humidity=50&windchillf=50",
        ))
        .unwrap();
        assert_eq!(up.values.apparent_temperature, Some(10.0));
        // Without humidity nothing is made up.
        let up = parse(&form_pairs("ID=X&PASSWORD=y&tempf=68")).unwrap();
        assert_eq!(up.values.apparent_temperature, None);
    }

    #[test]
    fn every_sample_upload_parses() {
        let lines = sample_lines();
        assert_eq!(lines.len(), 4);
        for line in lines {
            let query = line.split_once('?').map_or(line, |(_, q)| q);
            let up = parse(&form_pairs(query)).unwrap_or_else(|| panic!("{line}"));
            assert!(up.values.temperature.is_some(), "{line}");
        }
    }

    #[test]
    fn ecowitt_is_converted_to_metric() {
        let up = parse(&form_pairs(sample_lines()[0])).unwrap();
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
        let up = parse(&form_pairs(sample_lines()[2])).unwrap();
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
        let up = parse(&form_pairs(
            "ID=X&PASSWORD=y&tempf=-9999&humidity=140&windspeedmph=abc&winddir=90&dateutc=now",
        ))
        .unwrap();
        assert_eq!(up.values.temperature, None);
        assert_eq!(up.values.humidity, None);
        assert_eq!(up.values.wind_speed, None);
        assert_eq!(up.values.wind_direction, Some(90.0));
        assert_eq!(up.dropped.len(), 3, "{:?}", up.dropped);
        assert_eq!(up.time, None);
        assert!(parse(&form_pairs("tempf=70")).is_none(), "no credential");
    }
}
