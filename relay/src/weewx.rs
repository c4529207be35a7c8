//! Loop packets as weewx's MQTT extension (weewx-mqtt) publishes them, one JSON object per
//! message on a topic such as `weather/loop`:
//!
//! - every value is a string (`"72.5"`, `"1660000000.0"`); a number is read too;
//! - a name carries its unit after an underscore (`outTemp_F`, `windSpeed_mph`,
//!   `rainRate_inch_per_hour`, `barometer_mbar`) unless the extension's `append_units_label` is
//!   off, when bare names are in the packet's `usUnits` system (`1`: US, `16`: METRIC, `17`:
//!   METRICWX);
//! - unitless fields have bare names: `dateTime` (Unix seconds: the observation time), `usUnits`,
//!   `outHumidity`, `windDir`, `UV`.
//!
//! Values are converted to the live protocol's metric units, as the HTTP uploads are; a value
//! in a unit this does not know, out of range or unreadable is dropped and named in
//! [`Packet::dropped`], never passed on.

use isobar_core::live::Values;
use serde_json::Value;

/// A loop packet, converted.
#[derive(Debug, Clone, PartialEq)]
pub struct Packet {
    /// `dateTime`, Unix seconds, when readable.
    pub time: Option<i64>,
    /// The values, metric.
    pub values: Values,
    /// Fields that were present but dropped, as `name=value`.
    pub dropped: Vec<String>,
}

/// What a quantity is measured in, and how to reach the protocol's unit.
#[derive(Clone, Copy)]
enum Kind {
    /// °C.
    Temperature,
    /// km/h.
    Speed,
    /// hPa.
    Pressure,
    /// mm (an amount, or an amount per hour).
    Rain,
}

/// The protocol's value of `v` in `unit` (a weewx-mqtt label or a weewx unit name), if the unit
/// is one for `kind`.
fn convert(kind: Kind, unit: &str, v: f64) -> Option<f64> {
    let factor = |f: f64| Some(v * f);
    match (kind, unit) {
        (Kind::Temperature, "C" | "degree_C") => Some(v),
        (Kind::Temperature, "F" | "degree_F") => Some((v - 32.0) * 5.0 / 9.0),
        (Kind::Speed, "kph" | "km_per_hour") => Some(v),
        (Kind::Speed, "mph" | "mile_per_hour") => factor(1.609_344),
        (Kind::Speed, "mps" | "meter_per_second") => factor(3.6),
        (Kind::Speed, "knot") => factor(1.852),
        (Kind::Pressure, "mbar" | "hPa") => Some(v),
        (Kind::Pressure, "inHg") => factor(33.863_886_67),
        (Kind::Pressure, "kPa") => factor(10.0),
        (Kind::Pressure, "mmHg") => factor(1.333_223_87),
        (Kind::Rain, "mm" | "mm_per_hour") => Some(v),
        (Kind::Rain, "cm" | "cm_per_hour") => factor(10.0),
        (Kind::Rain, "in" | "inch" | "inch_per_hour") => factor(25.4),
        _ => None,
    }
}

/// The unit of a bare name of `kind` in the weewx unit system `us_units`.
fn system_unit(kind: Kind, us_units: Option<u32>) -> Option<&'static str> {
    Some(match (kind, us_units?) {
        (Kind::Temperature, 1) => "F",
        (Kind::Temperature, 16 | 17) => "C",
        (Kind::Speed, 1) => "mph",
        (Kind::Speed, 16) => "kph",
        (Kind::Speed, 17) => "mps",
        (Kind::Pressure, 1) => "inHg",
        (Kind::Pressure, 16 | 17) => "mbar",
        (Kind::Rain, 1) => "in",
        (Kind::Rain, 16) => "cm",
        (Kind::Rain, 17) => "mm",
        _ => return None,
    })
}

/// A plausible range in the protocol's units (those of the HTTP uploads, converted).
fn plausible(field: &str, v: f64) -> bool {
    let (lo, hi) = match field {
        "outTemp" | "appTemp" | "windchill" => (-90.0, 71.0),
        "outHumidity" => (0.0, 100.0),
        "barometer" => (508.0, 1118.0),
        "windSpeed" | "windGust" => (0.0, 483.0),
        "windDir" => (0.0, 360.0),
        "UV" => (0.0, 25.0),
        _ => (0.0, 1016.0), // rain
    };
    (lo..=hi).contains(&v)
}

/// Reads a weewx-mqtt loop packet. `Err` (in plain words) when it is not a JSON object.
pub fn parse_loop(payload: &str) -> Result<Packet, String> {
    let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(payload) else {
        return Err("not a JSON object".into());
    };
    let number = |v: &Value| {
        match v {
            Value::String(s) => s.trim().parse::<f64>().ok(),
            Value::Number(n) => n.as_f64(),
            _ => None,
        }
        .filter(|v| v.is_finite())
    };
    let us_units = fields
        .get("usUnits")
        .and_then(number)
        .map(|u| u.round() as u32);
    let mut dropped = Vec::new();
    // The value of `field` (bare or with its unit), converted; the first of `names` present.
    let mut read = |names: &[&str], kind: Option<Kind>| -> Option<f64> {
        for name in names {
            for (key, raw) in &fields {
                let (field, unit) = match key.split_once('_') {
                    Some((f, u)) => (f, Some(u)),
                    None => (key.as_str(), None),
                };
                if field != *name {
                    continue;
                }
                let value = number(raw).and_then(|v| match kind {
                    None => Some(v),
                    Some(kind) => {
                        let unit = unit.or_else(|| system_unit(kind, us_units))?;
                        convert(kind, unit, v)
                    }
                });
                match value.filter(|v| plausible(field, *v)) {
                    Some(v) => return Some((v * 100.0).round() / 100.0),
                    None => dropped.push(format!("{key}={raw}")),
                }
            }
        }
        None
    };
    use Kind::*;
    let mut values = Values {
        temperature: read(&["outTemp"], Some(Temperature)),
        apparent_temperature: read(&["appTemp", "windchill"], Some(Temperature)),
        humidity: read(&["outHumidity"], None),
        pressure: read(&["barometer"], Some(Pressure)),
        wind_speed: read(&["windSpeed"], Some(Speed)),
        wind_gust: read(&["windGust"], Some(Speed)),
        wind_direction: read(&["windDir"], None),
        uv_index: read(&["UV"], None),
        // The last hour's rain, else the rate (per hour), else what fell since the last packet.
        precipitation: read(&["hourRain", "rainRate", "rain"], Some(Rain)),
    };
    if values.apparent_temperature.is_none() {
        if let (Some(t), Some(rh)) = (values.temperature, values.humidity) {
            values.apparent_temperature =
                crate::stations::apparent_temperature(t, rh, values.wind_speed);
        }
    }
    let time = fields
        .get("dateTime")
        .and_then(number)
        .filter(|t| (0.0..1e11).contains(t))
        .map(|t| t as i64);
    Ok(Packet {
        time,
        values,
        dropped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shared_sample_packet_reads_in_metric() {
        // ../shared/samples/ecowitt_and_wu_uploads.txt, last entry.
        let p = parse_loop(r#"{ "outTemp_F": "72.5", "windSpeed_mph": "5.2", "windDir": "241" }"#)
            .unwrap();
        assert_eq!(p.values.temperature, Some(22.5));
        assert_eq!(p.values.wind_speed, Some(8.37));
        assert_eq!(p.values.wind_direction, Some(241.0));
        assert_eq!(p.time, None);
        assert!(p.dropped.is_empty());
    }

    #[test]
    fn every_unit_label_converts_and_bare_names_follow_us_units() {
        let p = parse_loop(
            r#"{"dateTime":"1660000000.0","usUnits":"1.0","outTemp_C":"-3.5","outHumidity":"87.0",
                "barometer_mbar":"1013.2","windSpeed_kph":"12.0","windGust_mps":"5.0",
                "rainRate_inch_per_hour":"0.1","UV":"2.0","appTemp_F":"23.0","interval_minute":"5.0"}"#,
        )
        .unwrap();
        assert_eq!(p.time, Some(1_660_000_000));
        let v = &p.values;
        assert_eq!(v.temperature, Some(-3.5), "the label wins over usUnits");
        assert_eq!(v.humidity, Some(87.0));
        assert_eq!(v.pressure, Some(1013.2));
        assert_eq!(v.wind_speed, Some(12.0));
        assert_eq!(v.wind_gust, Some(18.0));
        assert_eq!(v.precipitation, Some(2.54));
        assert_eq!(v.uv_index, Some(2.0));
        assert_eq!(v.apparent_temperature, Some(-5.0));
        // Without labels: US units, then METRICWX.
        let us = parse_loop(
            r#"{"usUnits":1,"outTemp":"50","windSpeed":"10","barometer":"29.92","rain":"0.5"}"#,
        )
        .unwrap();
        assert_eq!(us.values.temperature, Some(10.0));
        assert_eq!(us.values.wind_speed, Some(16.09));
        assert_eq!(us.values.pressure, Some(1013.21));
        assert_eq!(us.values.precipitation, Some(12.7));
        let wx = parse_loop(r#"{"usUnits":"17.0","outTemp":"10","windSpeed":"10","rain":"1.2"}"#)
            .unwrap();
        assert_eq!(wx.values.wind_speed, Some(36.0));
        assert_eq!(wx.values.precipitation, Some(1.2));
        let metric = parse_loop(r#"{"usUnits":"16.0","windSpeed":"10","rain":"1.2"}"#).unwrap();
        assert_eq!(metric.values.wind_speed, Some(10.0));
        assert_eq!(
            metric.values.precipitation,
            Some(12.0),
            "METRIC's rain is in cm"
        );
    }

    #[test]
    fn unknown_units_junk_and_out_of_range_values_are_dropped_and_named() {
        let p = parse_loop(
            r#"{"outTemp":"20","windSpeed_furlong":"3","outHumidity":"abc","windDir":"400",
                "barometer_inHg":"-9999","outTemp_F":"70"}"#,
        )
        .unwrap();
        // A bare temperature with no usUnits cannot be read; the labelled one can.
        assert_eq!(p.values.temperature, Some(21.11));
        assert_eq!(p.values.wind_speed, None);
        assert_eq!(p.values.humidity, None);
        assert_eq!(p.values.wind_direction, None);
        assert_eq!(p.values.pressure, None);
        let mut dropped = p.dropped.clone();
        dropped.sort();
        assert_eq!(
            dropped,
            [
                "barometer_inHg=\"-9999\"",
                "outHumidity=\"abc\"",
                "outTemp=\"20\"",
                "windDir=\"400\"",
                "windSpeed_furlong=\"3\""
            ]
        );
        assert!(parse_loop("[1,2]").is_err());
        assert!(parse_loop("not json").is_err());
    }
}
