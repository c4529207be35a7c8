//! The domain types the dashboard draws.
//!
//! Every instant is a UTC epoch in seconds (`i64`), whatever time format the API answered in;
//! it is shown in the place's own IANA zone ([`Location::timezone`]) by the browser. Every
//! measured value is an `Option`, because Open-Meteo may send `null` for any of them.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::units::Units;

/// Where a forecast is for, as the API reported it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Location {
    /// Latitude of the grid cell, in degrees.
    pub latitude: f64,
    /// Longitude of the grid cell, in degrees.
    pub longitude: f64,
    /// Elevation in metres, when reported.
    pub elevation: Option<f64>,
    /// IANA time zone name (`Europe/Berlin`), or `GMT` when no zone was asked for.
    pub timezone: String,
    /// Abbreviation of the zone at request time (`CEST`, `GMT+5:30`), when reported.
    pub timezone_abbreviation: Option<String>,
    /// Offset from UTC in force when the request was made, in seconds.
    pub utc_offset_seconds: i32,
}

/// A full forecast answer: whichever of current, hourly and daily were asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forecast {
    /// Where the forecast is for.
    pub location: Location,
    /// The units the values are expressed in.
    pub units: Units,
    /// Current conditions, when `current=` was asked for.
    pub current: Option<Current>,
    /// Hourly rows, oldest first, when `hourly=` was asked for.
    pub hourly: Vec<HourlyPoint>,
    /// Daily rows, first day first, when `daily=` was asked for.
    pub daily: Vec<DailyPoint>,
    /// 15-minute precipitation, when `minutely_15=precipitation` was asked for: each value's
    /// time is the *end* of the quarter hour it fell in (UTC epoch seconds), the amount in the
    /// request's precipitation unit.
    pub minutely_15: Vec<(i64, Option<f64>)>,
}

impl Forecast {
    /// The UV index at `now`: the current conditions' while they are of the hour `now` is in;
    /// for kept data shown later, the hourly forecast's for that hour (`None` past its end).
    pub fn uv_now(&self, now: i64) -> Option<f64> {
        match &self.current {
            Some(c) if (now - c.time).abs() < 3600 => c.uv_index,
            _ => self
                .hourly
                .iter()
                .find(|h| (h.time..h.time + 3600).contains(&now))
                .and_then(|h| h.uv_index),
        }
    }
}

/// Current conditions.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Current {
    /// Start of the observation interval (UTC epoch seconds).
    pub time: i64,
    /// Length of the interval in seconds (900 for 15-minute data).
    pub interval: Option<u32>,
    /// Air temperature at 2 m.
    pub temperature: Option<f64>,
    /// Apparent ("feels like") temperature.
    pub apparent_temperature: Option<f64>,
    /// Relative humidity at 2 m, percent.
    pub relative_humidity: Option<f64>,
    /// Whether it is day (sun above the horizon).
    pub is_day: Option<bool>,
    /// WMO weather interpretation code.
    pub weather_code: Option<u8>,
    /// Cloud cover, percent.
    pub cloud_cover: Option<f64>,
    /// Pressure reduced to mean sea level, hPa.
    pub pressure_msl: Option<f64>,
    /// Pressure at the surface, hPa.
    pub surface_pressure: Option<f64>,
    /// Wind speed at 10 m.
    pub wind_speed: Option<f64>,
    /// Wind direction at 10 m, degrees the wind comes from.
    pub wind_direction: Option<f64>,
    /// Wind gusts at 10 m.
    pub wind_gusts: Option<f64>,
    /// Precipitation over the interval.
    pub precipitation: Option<f64>,
    /// UV index.
    pub uv_index: Option<f64>,
}

/// One hour of the hourly forecast.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct HourlyPoint {
    /// Start of the hour (UTC epoch seconds).
    pub time: i64,
    /// Air temperature at 2 m.
    pub temperature: Option<f64>,
    /// Apparent temperature.
    pub apparent_temperature: Option<f64>,
    /// Chance of precipitation, percent.
    pub precipitation_probability: Option<f64>,
    /// Precipitation amount over the hour.
    pub precipitation: Option<f64>,
    /// WMO weather interpretation code.
    pub weather_code: Option<u8>,
    /// Whether the hour is in daylight.
    pub is_day: Option<bool>,
    /// UV index.
    pub uv_index: Option<f64>,
    /// Wind speed at 10 m.
    pub wind_speed: Option<f64>,
    /// Wind direction at 10 m, degrees.
    pub wind_direction: Option<f64>,
}

/// When the sun rises and sets on one local day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SunDay {
    /// An ordinary day: the sun rises and sets (UTC epoch seconds).
    RiseAndSet {
        /// Sunrise.
        sunrise: i64,
        /// Sunset (may fall on the next local date).
        sunset: i64,
    },
    /// The sun does not rise at all (Open-Meteo: sunrise = sunset = local midnight).
    PolarNight,
    /// The sun does not set (Open-Meteo: sunrise 00:00 of the day, sunset 00:00 of the next).
    MidnightSun,
}

/// One day of the daily forecast.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DailyPoint {
    /// The local date in the place's time zone.
    pub date: NaiveDate,
    /// WMO weather interpretation code (the day's most severe).
    pub weather_code: Option<u8>,
    /// Maximum air temperature.
    pub temperature_max: Option<f64>,
    /// Minimum air temperature.
    pub temperature_min: Option<f64>,
    /// Sunrise and sunset, when asked for and sent.
    pub sun: Option<SunDay>,
    /// Length of daylight in seconds.
    pub daylight_duration: Option<f64>,
    /// Maximum UV index.
    pub uv_index_max: Option<f64>,
    /// Total precipitation.
    pub precipitation_sum: Option<f64>,
    /// Maximum chance of precipitation, percent.
    pub precipitation_probability_max: Option<f64>,
    /// Maximum wind speed.
    pub wind_speed_max: Option<f64>,
    /// Maximum gust.
    pub wind_gusts_max: Option<f64>,
    /// Dominant wind direction, degrees.
    pub wind_direction_dominant: Option<f64>,
    /// Moonrise (UTC epoch seconds), when asked for; `None` on a day the moon does not rise.
    pub moonrise: Option<i64>,
    /// Moonset, likewise.
    pub moonset: Option<i64>,
    /// The moon's phase at local noon as a fraction of the synodic month (0 new, 0.5 full).
    pub moon_phase: Option<f64>,
}

/// A pollutant that an air quality index is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Pollutant {
    /// Fine particles, under 2.5 µm.
    Pm2_5,
    /// Particles under 10 µm.
    Pm10,
    /// Nitrogen dioxide.
    NitrogenDioxide,
    /// Ozone.
    Ozone,
    /// Sulphur dioxide.
    SulphurDioxide,
    /// Carbon monoxide.
    CarbonMonoxide,
}

impl Pollutant {
    /// Every pollutant, in Open-Meteo's order.
    pub const ALL: [Pollutant; 6] = [
        Pollutant::Pm2_5,
        Pollutant::Pm10,
        Pollutant::NitrogenDioxide,
        Pollutant::Ozone,
        Pollutant::SulphurDioxide,
        Pollutant::CarbonMonoxide,
    ];

    /// Open-Meteo's name, as in `us_aqi_<name>`.
    pub fn key(self) -> &'static str {
        match self {
            Pollutant::Pm2_5 => "pm2_5",
            Pollutant::Pm10 => "pm10",
            Pollutant::NitrogenDioxide => "nitrogen_dioxide",
            Pollutant::Ozone => "ozone",
            Pollutant::SulphurDioxide => "sulphur_dioxide",
            Pollutant::CarbonMonoxide => "carbon_monoxide",
        }
    }

    /// The short name people know (`PM2.5`, `NO₂`).
    pub fn label(self) -> &'static str {
        match self {
            Pollutant::Pm2_5 => "PM2.5",
            Pollutant::Pm10 => "PM10",
            Pollutant::NitrogenDioxide => "NO₂",
            Pollutant::Ozone => "O₃",
            Pollutant::SulphurDioxide => "SO₂",
            Pollutant::CarbonMonoxide => "CO",
        }
    }

    /// The name in words (`nitrogen dioxide`).
    pub fn words(self) -> &'static str {
        match self {
            Pollutant::Pm2_5 => "fine particles",
            Pollutant::Pm10 => "coarse particles",
            Pollutant::NitrogenDioxide => "nitrogen dioxide",
            Pollutant::Ozone => "ozone",
            Pollutant::SulphurDioxide => "sulphur dioxide",
            Pollutant::CarbonMonoxide => "carbon monoxide",
        }
    }
}

/// Current air quality.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AirQuality {
    /// Where the values are for.
    pub location: Location,
    /// Start of the observation interval (UTC epoch seconds).
    pub time: i64,
    /// European Air Quality Index.
    pub european_aqi: Option<f64>,
    /// United States Air Quality Index.
    pub us_aqi: Option<f64>,
    /// Particulate matter under 2.5 µm, µg/m³.
    pub pm2_5: Option<f64>,
    /// Particulate matter under 10 µm, µg/m³.
    pub pm10: Option<f64>,
    /// Ozone, µg/m³.
    pub ozone: Option<f64>,
    /// Nitrogen dioxide, µg/m³.
    pub nitrogen_dioxide: Option<f64>,
    /// Sulphur dioxide, µg/m³.
    pub sulphur_dioxide: Option<f64>,
    /// Carbon monoxide, µg/m³.
    pub carbon_monoxide: Option<f64>,
    /// Sub-indices of the European AQI per pollutant, where sent.
    pub european_sub: Vec<(Pollutant, f64)>,
    /// Sub-indices of the US AQI per pollutant, where sent.
    pub us_sub: Vec<(Pollutant, f64)>,
}

impl AirQuality {
    /// The pollutant with the highest sub-index on the US (`us`) or European scale: the one
    /// that sets the index.
    pub fn dominant(&self, us: bool) -> Option<Pollutant> {
        let subs = if us { &self.us_sub } else { &self.european_sub };
        subs.iter()
            .filter(|(_, v)| v.is_finite())
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(p, _)| *p)
    }
}

/// A place found by the geocoding API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Place {
    /// The place's name (`Enschede`).
    pub name: String,
    /// Latitude in degrees.
    pub latitude: f64,
    /// Longitude in degrees.
    pub longitude: f64,
    /// Country name, when known.
    pub country: Option<String>,
    /// ISO country code, when known.
    pub country_code: Option<String>,
    /// First-level administrative area (state, province), when known.
    pub admin1: Option<String>,
    /// IANA time zone, when known.
    pub timezone: Option<String>,
}

impl Place {
    /// A place known only by its coordinates and a name (from the address, the viewer's
    /// location, or the default place).
    pub fn at(latitude: f64, longitude: f64, name: impl Into<String>) -> Place {
        Place {
            name: name.into(),
            latitude,
            longitude,
            country: None,
            country_code: None,
            admin1: None,
            timezone: None,
        }
    }

    /// Where the place is, for telling two of the same name apart: its first-level area and
    /// country (`Illinois, United States`), or empty when neither is known.
    pub fn region(&self) -> String {
        [self.admin1.as_deref(), self.country.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::{Current, Forecast, HourlyPoint, Location, Place};

    #[test]
    fn uv_now_follows_the_clock_once_the_current_conditions_are_old() {
        let hour = |time, uv| HourlyPoint {
            time,
            uv_index: Some(uv),
            ..HourlyPoint::default()
        };
        let f = Forecast {
            current: Some(Current {
                time: 36_000,
                uv_index: Some(3.0),
                ..Current::default()
            }),
            hourly: vec![hour(36_000, 2.5), hour(39_600, 5.0), hour(43_200, 7.0)],
            location: Location {
                latitude: 0.0,
                longitude: 0.0,
                elevation: None,
                timezone: "GMT".into(),
                timezone_abbreviation: None,
                utc_offset_seconds: 0,
            },
            units: Default::default(),
            daily: Vec::new(),
            minutely_15: Vec::new(),
        };
        assert_eq!(
            f.uv_now(36_000 + 900),
            Some(3.0),
            "fresh: the current value"
        );
        assert_eq!(f.uv_now(36_000 + 5400), Some(5.0), "90 min on: that hour's");
        assert_eq!(f.uv_now(43_200 + 3599), Some(7.0));
        assert_eq!(f.uv_now(43_200 + 3600), None, "past the forecast");
    }

    #[test]
    fn a_region_names_what_is_known() {
        let mut p = Place::at(39.78, -89.65, "Springfield");
        assert_eq!(p.region(), "");
        p.country = Some("United States".into());
        assert_eq!(p.region(), "United States");
        p.admin1 = Some("Illinois".into());
        assert_eq!(p.region(), "Illinois, United States");
    }
}
