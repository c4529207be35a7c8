//! Air quality: pollutant concentrations that follow a daily rhythm, and the US and European
//! indices computed from them by the agencies' breakpoint tables.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::model::round;

/// The air-quality variables the simulator models.
pub const VARS: &[&str] = &[
    "european_aqi",
    "european_aqi_pm2_5",
    "european_aqi_pm10",
    "european_aqi_nitrogen_dioxide",
    "european_aqi_ozone",
    "european_aqi_sulphur_dioxide",
    "us_aqi",
    "us_aqi_pm2_5",
    "us_aqi_pm10",
    "us_aqi_nitrogen_dioxide",
    "us_aqi_ozone",
    "us_aqi_sulphur_dioxide",
    "us_aqi_carbon_monoxide",
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

/// Breakpoint tables `(c_lo, c_hi, i_lo, i_hi)` of the US EPA AQI for the other pollutants,
/// with concentrations in µg/m³ (converted from ppb/ppm at 25 °C).
const US_PM10: &[(f64, f64, f64, f64)] = &[
    (0.0, 54.0, 0.0, 50.0),
    (55.0, 154.0, 51.0, 100.0),
    (155.0, 254.0, 101.0, 150.0),
    (255.0, 354.0, 151.0, 200.0),
    (355.0, 424.0, 201.0, 300.0),
    (425.0, 604.0, 301.0, 500.0),
];
const US_O3: &[(f64, f64, f64, f64)] = &[
    (0.0, 106.0, 0.0, 50.0),
    (106.1, 137.0, 51.0, 100.0),
    (137.1, 167.0, 101.0, 150.0),
    (167.1, 206.0, 151.0, 200.0),
    (206.1, 392.0, 201.0, 300.0),
    (392.1, 800.0, 301.0, 500.0),
];
const US_NO2: &[(f64, f64, f64, f64)] = &[
    (0.0, 100.0, 0.0, 50.0),
    (100.1, 188.0, 51.0, 100.0),
    (188.1, 677.0, 101.0, 150.0),
    (677.1, 1220.0, 151.0, 200.0),
    (1220.1, 2349.0, 201.0, 300.0),
    (2349.1, 3853.0, 301.0, 500.0),
];
const US_SO2: &[(f64, f64, f64, f64)] = &[
    (0.0, 92.0, 0.0, 50.0),
    (92.1, 197.0, 51.0, 100.0),
    (197.1, 485.0, 101.0, 150.0),
    (485.1, 797.0, 151.0, 200.0),
    (797.1, 1583.0, 201.0, 300.0),
    (1583.1, 2630.0, 301.0, 500.0),
];
const US_CO: &[(f64, f64, f64, f64)] = &[
    (0.0, 5_038.0, 0.0, 50.0),
    (5_038.1, 10_763.0, 51.0, 100.0),
    (10_763.1, 14_198.0, 101.0, 150.0),
    (14_198.1, 17_633.0, 151.0, 200.0),
    (17_633.1, 34_808.0, 201.0, 300.0),
    (34_808.1, 57_703.0, 301.0, 500.0),
];

/// European AQI breakpoints (EEA bands, scaled 0–100+ as Open-Meteo does).
fn eu_table(bounds: [f64; 6]) -> [(f64, f64, f64, f64); 6] {
    let idx = [0.0, 20.0, 40.0, 60.0, 80.0, 100.0, 500.0];
    let mut t = [(0.0, 0.0, 0.0, 0.0); 6];
    let mut lo = 0.0;
    for (i, hi) in bounds.iter().enumerate() {
        t[i] = (lo, *hi, idx[i], idx[i + 1]);
        lo = *hi;
    }
    t
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

/// Concentrations at one place and time, µg/m³.
struct Air {
    pm2_5: f64,
    pm10: f64,
    ozone: f64,
    nitrogen_dioxide: f64,
    sulphur_dioxide: f64,
    carbon_monoxide: f64,
}

impl Air {
    fn at(lat: f64, lon: f64, t: DateTime<Utc>) -> Air {
        // Cities in the lower mid-latitudes of the northern hemisphere get the dirtiest air.
        let base = 6.0 + 40.0 * (-((lat - 27.0) / 12.0).powi(2)).exp();
        let pm2_5 = round(base * (0.4 + 1.2 * wave(lat, lon, t, 0.0)), 1);
        Air {
            pm2_5,
            pm10: round(pm2_5 * 1.6, 1),
            ozone: round(30.0 + 110.0 * wave(lat, lon, t, 2.0), 1),
            nitrogen_dioxide: round(4.0 + 36.0 * wave(lat, lon, t, 4.0), 1),
            sulphur_dioxide: round(1.0 + 9.0 * wave(lat, lon, t, 5.0), 1),
            carbon_monoxide: round(150.0 + 400.0 * wave(lat, lon, t, 3.0), 1),
        }
    }

    fn us_sub(&self) -> [f64; 6] {
        [
            us_aqi_pm25(self.pm2_5),
            index(self.pm10, US_PM10),
            index(self.nitrogen_dioxide, US_NO2),
            index(self.ozone, US_O3),
            index(self.sulphur_dioxide, US_SO2),
            index(self.carbon_monoxide, US_CO),
        ]
    }

    fn eu_sub(&self) -> [f64; 5] {
        [
            european_aqi_pm25(self.pm2_5),
            index(
                self.pm10,
                &eu_table([20.0, 40.0, 50.0, 100.0, 150.0, 1200.0]),
            ),
            index(
                self.nitrogen_dioxide,
                &eu_table([40.0, 90.0, 120.0, 230.0, 340.0, 1000.0]),
            ),
            index(
                self.ozone,
                &eu_table([50.0, 100.0, 130.0, 240.0, 380.0, 800.0]),
            ),
            index(
                self.sulphur_dioxide,
                &eu_table([100.0, 200.0, 350.0, 500.0, 750.0, 1250.0]),
            ),
        ]
    }
}

/// The value of one air-quality variable at `t`.
pub fn value(var: &str, lat: f64, lon: f64, t: DateTime<Utc>) -> Value {
    let a = Air::at(lat, lon, t);
    let us = a.us_sub();
    let eu = a.eu_sub();
    let max = |v: &[f64]| v.iter().copied().fold(0.0, f64::max);
    match var {
        "pm2_5" => json!(a.pm2_5),
        "pm10" => json!(a.pm10),
        "us_aqi" => json!(max(&us) as i64),
        "us_aqi_pm2_5" => json!(us[0] as i64),
        "us_aqi_pm10" => json!(us[1] as i64),
        "us_aqi_nitrogen_dioxide" => json!(us[2] as i64),
        "us_aqi_ozone" => json!(us[3] as i64),
        "us_aqi_sulphur_dioxide" => json!(us[4] as i64),
        "us_aqi_carbon_monoxide" => json!(us[5] as i64),
        "european_aqi" => json!(max(&eu) as i64),
        "european_aqi_pm2_5" => json!(eu[0] as i64),
        "european_aqi_pm10" => json!(eu[1] as i64),
        "european_aqi_nitrogen_dioxide" => json!(eu[2] as i64),
        "european_aqi_ozone" => json!(eu[3] as i64),
        "european_aqi_sulphur_dioxide" => json!(eu[4] as i64),
        "ozone" => json!(a.ozone),
        "carbon_monoxide" => json!(a.carbon_monoxide),
        "nitrogen_dioxide" => json!(a.nitrogen_dioxide),
        "sulphur_dioxide" => json!(a.sulphur_dioxide),
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
