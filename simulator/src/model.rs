//! Deterministic, plausible weather for any place and time.
//!
//! Every quantity is a smooth function of the grid cell (coordinates rounded to 0.1°) and
//! of time: the same request gives the same answer, neighbouring hours differ a little, and the
//! shape follows the real world where it matters to a dashboard: temperatures follow the season
//! and the day (coldest near dawn, warmest mid-afternoon), UV follows the sun's elevation and is
//! zero at night, rain comes from clouds, snow falls below freezing.

use chrono::{DateTime, Datelike, Utc};

use crate::solar;

/// Weather at one instant, in Open-Meteo's default units (°C, km/h, mm, hPa).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// Air temperature at 2 m, °C.
    pub temperature: f64,
    /// Relative humidity, %.
    pub relative_humidity: f64,
    /// Dew point, °C.
    pub dew_point: f64,
    /// Apparent temperature, °C.
    pub apparent_temperature: f64,
    /// Cloud cover, %.
    pub cloud_cover: f64,
    /// Precipitation over the preceding hour, mm.
    pub precipitation: f64,
    /// Liquid part of it, mm.
    pub rain: f64,
    /// Snowfall, cm.
    pub snowfall: f64,
    /// Chance of precipitation, %.
    pub precipitation_probability: f64,
    /// WMO weather interpretation code.
    pub weather_code: u8,
    /// Pressure at mean sea level, hPa.
    pub pressure_msl: f64,
    /// Pressure at the surface, hPa.
    pub surface_pressure: f64,
    /// Wind speed at 10 m, km/h.
    pub wind_speed: f64,
    /// Wind direction at 10 m, degrees.
    pub wind_direction: f64,
    /// Gusts at 10 m, km/h.
    pub wind_gusts: f64,
    /// UV index.
    pub uv_index: f64,
    /// UV index under a clear sky.
    pub uv_index_clear_sky: f64,
    /// Whether the sun is up.
    pub is_day: bool,
    /// Visibility, m.
    pub visibility: f64,
    /// Solar elevation, degrees.
    pub sun_elevation: f64,
}

/// The weather of one grid cell.
#[derive(Debug, Clone, Copy)]
pub struct Model {
    lat: f64,
    lon: f64,
    elevation: f64,
    seed: u64,
}

/// SplitMix64: a tiny, well-distributed integer hash.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A value in [-1, 1] for an integer knot.
fn knot(seed: u64, k: i64) -> f64 {
    (mix(seed ^ mix(k as u64)) >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
}

/// Smooth 1-D value noise in [-1, 1]: knots at integers, cosine-interpolated between.
fn noise(seed: u64, x: f64) -> f64 {
    let k = x.floor();
    let f = x - k;
    let w = (1.0 - (f * std::f64::consts::PI).cos()) / 2.0;
    let k = k as i64;
    knot(seed, k) * (1.0 - w) + knot(seed, k + 1) * w
}

/// Rounds to `digits` decimals.
pub fn round(x: f64, digits: i32) -> f64 {
    let p = 10f64.powi(digits);
    (x * p).round() / p
}

impl Model {
    /// The model for the grid cell containing (`lat`, `lon`).
    pub fn new(lat: f64, lon: f64) -> Self {
        let cell_lat = (lat * 10.0).round() as i64;
        let cell_lon = (lon * 10.0).round() as i64;
        let seed = mix((cell_lat as u64).wrapping_mul(1_000_003) ^ (cell_lon as u64));
        // A terrain height that stays put for the cell, lower near the coast-like latitudes.
        let elevation = round(((knot(seed, -1) + 1.0) / 2.0).powi(2) * 600.0, 0);
        Model {
            lat,
            lon,
            elevation,
            seed,
        }
    }

    /// The cell's elevation in metres.
    pub fn elevation(&self) -> f64 {
        self.elevation
    }

    /// The weather at `t`.
    pub fn at(&self, t: DateTime<Utc>) -> Sample {
        let hours = t.timestamp() as f64 / 3600.0;
        let s = self.seed;
        let abs_lat = self.lat.abs();

        // Season: warmest in mid-July in the north, mid-January in the south.
        let doy = f64::from(t.ordinal());
        let season = ((doy - 197.0) / 365.25 * std::f64::consts::TAU).cos();
        let season = if self.lat >= 0.0 { season } else { -season };
        let annual_mean = 27.0 - 0.3 * abs_lat - 0.0065 * self.elevation;
        let seasonal = 0.22 * abs_lat * season;

        let cloud = (50.0 + 65.0 * noise(s ^ 1, hours / 9.0)).clamp(0.0, 100.0);
        let wet = noise(s ^ 2, hours / 5.0);

        // Day: coldest near dawn, warmest mid-afternoon in local solar time.
        let solar_hour =
            (t.timestamp().rem_euclid(86_400) as f64 / 3600.0 + self.lon / 15.0).rem_euclid(24.0);
        let daily_shape = ((solar_hour - 15.0) / 24.0 * std::f64::consts::TAU).cos();
        let diurnal_amp = 5.5 * (1.0 - 0.5 * cloud / 100.0);
        let synoptic = 4.0 * noise(s ^ 3, hours / 36.0);
        let temperature = annual_mean + seasonal + synoptic + diurnal_amp * daily_shape;

        let sun_elevation = solar::elevation(self.lat, self.lon, t);
        let is_day = sun_elevation > -0.833;

        let precipitation = if cloud > 70.0 && wet > 0.15 {
            round((wet - 0.15) * 5.0 * (cloud - 60.0) / 40.0, 1)
        } else {
            0.0
        };
        let freezing = temperature < 0.5;
        let (rain, snowfall) = if freezing {
            (0.0, round(precipitation * 0.7, 2))
        } else {
            (precipitation, 0.0)
        };
        let precipitation_probability = ((cloud - 45.0) * 1.2 + (wet + 1.0) * 25.0)
            .clamp(0.0, 100.0)
            .round();

        let relative_humidity = (68.0 + 18.0 * noise(s ^ 4, hours / 12.0) - 12.0 * daily_shape
            + 0.15 * (cloud - 50.0)
            + if precipitation > 0.0 { 12.0 } else { 0.0 })
        .clamp(12.0, 100.0)
        .round();
        // Magnus formula.
        let gamma = (relative_humidity / 100.0).ln() + 17.62 * temperature / (243.12 + temperature);
        let dew_point = 243.12 * gamma / (17.62 - gamma);

        let wind_speed =
            (13.0 + 11.0 * noise(s ^ 5, hours / 6.0) + 3.0 * daily_shape.max(0.0)).max(0.0);
        let wind_direction = (250.0 + 150.0 * noise(s ^ 6, hours / 20.0)).rem_euclid(360.0);
        let wind_gusts = wind_speed * (1.45 + 0.35 * noise(s ^ 7, hours / 2.0)) + 2.0;

        // Australian apparent temperature (Steadman), with wind in m/s.
        let vapour =
            relative_humidity / 100.0 * 6.105 * (17.27 * temperature / (237.7 + temperature)).exp();
        let apparent_temperature = temperature + 0.33 * vapour - 0.70 * wind_speed / 3.6 - 4.0;

        let pressure_msl = 1013.0 + 14.0 * noise(s ^ 8, hours / 48.0);
        let surface_pressure = pressure_msl * (1.0 - 0.0065 * self.elevation / 288.15).powf(5.255);

        let uv_index_clear_sky = if sun_elevation > 0.0 {
            12.5 * sun_elevation.to_radians().sin().powf(2.4)
        } else {
            0.0
        };
        let uv_index = uv_index_clear_sky * (1.0 - 0.65 * (cloud / 100.0).powi(2));

        let foggy = relative_humidity >= 97.0 && wind_speed < 8.0 && precipitation == 0.0;
        let weather_code = if precipitation > 0.0 {
            if freezing {
                match precipitation {
                    p if p < 1.0 => 71,
                    p if p < 3.0 => 73,
                    _ => 75,
                }
            } else if wet > 0.85 && temperature > 16.0 {
                95
            } else {
                match precipitation {
                    p if p < 0.3 => 51,
                    p if p < 1.0 => 53,
                    p if p < 2.0 => 61,
                    p if p < 4.0 => 63,
                    _ => 65,
                }
            }
        } else if foggy {
            45
        } else {
            match cloud {
                c if c < 15.0 => 0,
                c if c < 40.0 => 1,
                c if c < 75.0 => 2,
                _ => 3,
            }
        };
        let visibility = if foggy {
            400.0
        } else {
            24_140.0 - 150.0 * precipitation.min(100.0) * 10.0
        };

        Sample {
            temperature,
            relative_humidity,
            dew_point,
            apparent_temperature,
            cloud_cover: cloud.round(),
            precipitation,
            rain,
            snowfall,
            precipitation_probability,
            weather_code,
            pressure_msl,
            surface_pressure,
            wind_speed,
            wind_direction: wind_direction.round(),
            wind_gusts,
            uv_index,
            uv_index_clear_sky,
            is_day,
            visibility,
            sun_elevation,
        }
    }
}

impl Model {
    /// The weather at `t` as a live sensor would read it: the smooth model plus the small,
    /// quick fluctuations of real air, so that values change every few seconds (the
    /// simulator's live mode, for demos and tests of the live feed).
    pub fn at_live(&self, t: DateTime<Utc>) -> Sample {
        let mut s = self.at(t);
        let secs = t.timestamp() as f64;
        let wobble = |salt: u64, period: f64| noise(self.seed ^ salt, secs / period);
        s.temperature += 0.6 * wobble(11, 7.0);
        s.apparent_temperature += 0.8 * wobble(11, 7.0);
        s.relative_humidity = (s.relative_humidity + 3.0 * wobble(12, 9.0))
            .clamp(0.0, 100.0)
            .round();
        s.wind_speed = (s.wind_speed + 4.0 * wobble(13, 5.0)).max(0.0);
        s.wind_gusts = s.wind_gusts.max(s.wind_speed) + 3.0 * wobble(14, 4.0).abs();
        s.wind_direction = (s.wind_direction + 15.0 * wobble(15, 6.0))
            .rem_euclid(360.0)
            .round();
        s.pressure_msl += 0.3 * wobble(16, 11.0);
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn live_readings_move_within_seconds() {
        let m = Model::new(52.52, 13.405);
        let t = Utc.with_ymd_and_hms(2026, 7, 1, 12, 0, 0).unwrap();
        let temps: Vec<f64> = (0..6)
            .map(|i| {
                round(
                    m.at_live(t + chrono::Duration::seconds(3 * i)).temperature,
                    1,
                )
            })
            .collect();
        assert!(temps.windows(2).any(|w| w[0] != w[1]), "{temps:?}");
        assert!((m.at_live(t).temperature - m.at(t).temperature).abs() <= 0.6);
    }

    #[test]
    fn deterministic_and_smooth() {
        let m = Model::new(52.52, 13.405);
        let t = Utc.with_ymd_and_hms(2026, 7, 1, 12, 0, 0).unwrap();
        assert_eq!(m.at(t), Model::new(52.52, 13.405).at(t));
        let next = m.at(t + chrono::Duration::hours(1));
        assert!((m.at(t).temperature - next.temperature).abs() < 4.0);
    }

    #[test]
    fn afternoon_is_warmer_than_dawn_and_uv_is_zero_at_night() {
        let m = Model::new(48.85, 2.35);
        for day in 1..=28 {
            // Paris: 04:00 UTC is near dawn, 14:00 UTC mid-afternoon.
            let dawn = m.at(Utc.with_ymd_and_hms(2026, 6, day, 4, 0, 0).unwrap());
            let afternoon = m.at(Utc.with_ymd_and_hms(2026, 6, day, 14, 0, 0).unwrap());
            let night = m.at(Utc.with_ymd_and_hms(2026, 6, day, 23, 30, 0).unwrap());
            assert!(afternoon.temperature > dawn.temperature, "day {day}");
            assert!(afternoon.uv_index > 0.0);
            assert_eq!(night.uv_index, 0.0);
            assert!(!night.is_day);
        }
    }

    #[test]
    fn winter_is_colder_than_summer_in_both_hemispheres() {
        let mean = |m: &Model, month| {
            (0..24)
                .map(|h| {
                    m.at(Utc.with_ymd_and_hms(2026, month, 15, h, 0, 0).unwrap())
                        .temperature
                })
                .sum::<f64>()
                / 24.0
        };
        let oslo = Model::new(59.91, 10.75);
        assert!(mean(&oslo, 7) > mean(&oslo, 1) + 10.0);
        let sydney = Model::new(-33.87, 151.21);
        assert!(mean(&sydney, 1) > mean(&sydney, 7));
    }
}
