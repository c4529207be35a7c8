//! Air quality: pollutant concentrations that follow a daily rhythm, and the US and European
//! indices computed from them by the agencies' breakpoint tables.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::model::round;

/// The air-quality variables the simulator models.
pub const VARS: &[&str] = &[
    "european_aqi",
    "us_aqi",
    "pm2_5",
    "pm10",
    "carbon_monoxide",
    "nitrogen_dioxide",
    "sulphur_dioxide",
    "ozone",
    "dust",
    "uv_index",
];

/// Piecewise-linear index over concentration breakpoints: `(c_lo, c_hi, i_lo, i_hi)`.
fn index(c: f64, table: &[(f64, f64, f64, f64)]) -> f64 {
    for &(c_lo, c_hi, i_lo, i_hi) in table {
        if c <= c_hi {
            return ((i_hi - i_lo) / (c_hi - c_lo) * (c.max(c_lo) - c_lo) + i_lo).round();
        }
    }
    table.last().map_or(500.0, |t| t.3)
}

/// US EPA AQI from PM2.5 (µg/m³, 24 h), 2024 breakpoints.
pub fn us_aqi_pm25(c: f64) -> f64 {
    index(
        c,
        &[
            (0.0, 9.0, 0.0, 50.0),
            (9.1, 35.4, 51.0, 100.0),
            (35.5, 55.4, 101.0, 150.0),
            (55.5, 125.4, 151.0, 200.0),
            (125.5, 225.4, 201.0, 300.0),
            (225.5, 325.4, 301.0, 500.0),
        ],
    )
}

/// European AQI (0–100+, as Open-Meteo scales it) from PM2.5 (µg/m³).
pub fn european_aqi_pm25(c: f64) -> f64 {
    index(
        c,
        &[
            (0.0, 10.0, 0.0, 20.0),
            (10.0, 20.0, 20.0, 40.0),
            (20.0, 25.0, 40.0, 60.0),
            (25.0, 50.0, 60.0, 80.0),
            (50.0, 75.0, 80.0, 100.0),
            (75.0, 800.0, 100.0, 500.0),
        ],
    )
}

fn wave(lat: f64, lon: f64, t: DateTime<Utc>, salt: f64) -> f64 {
    let h = t.timestamp() as f64 / 3600.0;
    let phase = lat * 12.9898 + lon * 78.233 + salt;
    0.5 + 0.5 * ((h / 17.0 + phase).sin() * 0.6 + (h / 5.0 + phase * 1.7).sin() * 0.4)
}

/// The value of one air-quality variable at `t`.
pub fn value(var: &str, lat: f64, lon: f64, t: DateTime<Utc>) -> Value {
    // Cities in the lower mid-latitudes of the northern hemisphere get the dirtiest air.
    let base = 6.0 + 40.0 * (-((lat - 27.0) / 12.0).powi(2)).exp();
    let pm2_5 = round(base * (0.4 + 1.2 * wave(lat, lon, t, 0.0)), 1);
    let ozone = round(30.0 + 90.0 * wave(lat, lon, t, 2.0), 1);
    match var {
        "pm2_5" => json!(pm2_5),
        "pm10" => json!(round(pm2_5 * 1.6, 1)),
        "us_aqi" => json!(us_aqi_pm25(pm2_5) as i64),
        "european_aqi" => json!(european_aqi_pm25(pm2_5) as i64),
        "ozone" => json!(ozone),
        "carbon_monoxide" => json!(round(150.0 + 400.0 * wave(lat, lon, t, 3.0), 1)),
        "nitrogen_dioxide" => json!(round(4.0 + 36.0 * wave(lat, lon, t, 4.0), 1)),
        "sulphur_dioxide" => json!(round(1.0 + 9.0 * wave(lat, lon, t, 5.0), 1)),
        "dust" => json!(round(20.0 * wave(lat, lon, t, 6.0).powi(3), 1)),
        "uv_index" => json!(round(crate::model::Model::new(lat, lon).at(t).uv_index, 2)),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epa_breakpoints() {
        assert_eq!(us_aqi_pm25(0.0), 0.0);
        assert_eq!(us_aqi_pm25(9.0), 50.0);
        assert_eq!(us_aqi_pm25(35.4), 100.0);
        assert_eq!(us_aqi_pm25(55.4), 150.0);
        assert_eq!(european_aqi_pm25(15.0), 30.0);
    }
}
