//! Open-Meteo's wire format: request URLs, response DTOs, and their mapping to [`crate::weather`].
//!
//! The DTOs are private and lenient where the real service is loose: every value may be `null`
//! (also single elements of arrays), times come as ISO 8601 local times or as Unix seconds
//! depending on `timeformat`, unknown variables are ignored, and arrays of different lengths
//! are read as far as they go. What is *required* is what the dashboard cannot do without:
//! the location header (`latitude`, `longitude`, `utc_offset_seconds`, `timezone`) and the
//! `time` of every block that is present. A body without them, or one that is not JSON at all
//! (Open-Meteo can append plain text to a response that has already started), is a
//! [`ParseError`].

use chrono::{DateTime, NaiveDate, NaiveDateTime};

use crate::units::{PrecipUnit, TempUnit, Units, WindUnit};
use crate::weather::{
    AirQuality, Current, DailyPoint, Forecast, HourlyPoint, Location, Place, Pollutant, SunDay,
};

/// Why a response body could not be turned into domain types.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParseError {
    /// The body is not JSON of the expected shape (truncated, HTML, wrong types).
    #[error("the response is not valid JSON: {0}")]
    InvalidJson(String),
    /// A field the dashboard needs is absent.
    #[error("the response lacks the required field `{0}`")]
    MissingField(&'static str),
    /// A time value could not be read.
    #[error("the response has a time that cannot be read: `{0}`")]
    BadTime(String),
    /// The service answered with its error object (`{"error":true,"reason":"..."}`).
    #[error("the weather service said: {0}")]
    Api(String),
}

/// Returns the `reason` of an Open-Meteo error body (`{"error":true,"reason":"..."}`), if
/// `body` is one. Read through `serde_json::Value`, which the parser needs anyway: a derived
/// struct would add its own code to the WebAssembly bundle.
pub fn api_error_reason(body: &str) -> Option<String> {
    let v = crate::json::parse(body).ok()?;
    (v.get("error")? == true).then(|| {
        v.get("reason")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("unknown error")
            .to_owned()
    })
}

/// A time as Open-Meteo sends it: Unix seconds, or ISO 8601 local time without offset.
#[derive(Debug, Clone)]
enum TimeValue {
    Unix(i64),
    Iso(String),
}

/// Reads one time (by hand, for the same reason as [`api_error_reason`]).
fn time_value(v: &serde_json::Value) -> Result<TimeValue, ParseError> {
    use serde_json::Value;
    match v {
        Value::String(s) => Ok(TimeValue::Iso(s.clone())),
        Value::Number(n) => n.as_i64().map(TimeValue::Unix).ok_or_else(|| {
            ParseError::BadTime(crate::format::fixed(n.as_f64().unwrap_or(f64::NAN), 3))
        }),
        Value::Null => Err(ParseError::BadTime("null".into())),
        Value::Bool(b) => Err(ParseError::BadTime(b.to_string())),
        Value::Array(_) => Err(ParseError::BadTime("a list".into())),
        Value::Object(_) => Err(ParseError::BadTime("an object".into())),
    }
}

/// Reads a list of times, where `null`s are allowed when `nullable`.
fn time_list(v: &serde_json::Value, nullable: bool) -> Result<Vec<Option<TimeValue>>, ParseError> {
    let items = v
        .as_array()
        .ok_or_else(|| ParseError::BadTime("not a list of times".into()))?;
    items
        .iter()
        .map(|t| match t {
            serde_json::Value::Null if nullable => Ok(None),
            t => time_value(t).map(Some),
        })
        .collect()
}

impl TimeValue {
    /// The instant as UTC epoch seconds. ISO times are local times at `offset`, the offset
    /// Open-Meteo applied to every timestamp of the response.
    fn to_epoch(&self, offset: i32) -> Result<i64, ParseError> {
        match self {
            TimeValue::Unix(t) => Ok(*t),
            TimeValue::Iso(s) => {
                let naive = parse_iso(s).ok_or_else(|| ParseError::BadTime(s.clone()))?;
                Ok(naive.and_utc().timestamp() - i64::from(offset))
            }
        }
    }

    /// The local calendar date of a daily row.
    fn to_local_date(&self, offset: i32) -> Result<NaiveDate, ParseError> {
        match self {
            TimeValue::Iso(s) => parse_iso(s)
                .map(|t| t.date())
                .ok_or_else(|| ParseError::BadTime(s.clone())),
            TimeValue::Unix(t) => DateTime::from_timestamp(t + i64::from(offset), 0)
                .map(|d| d.date_naive())
                .ok_or_else(|| ParseError::BadTime(t.to_string())),
        }
    }
}

/// Reads Open-Meteo's local times: `2026-08-23`, `2026-08-23T18:45`, `2026-08-23T18:45:30`.
/// (By hand: chrono's general format parser would cost the bundle about 15 KB.)
fn parse_iso(s: &str) -> Option<NaiveDateTime> {
    let b = s.as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<u32> {
        let digits = b.get(range)?;
        digits.iter().try_fold(0u32, |acc, d| {
            d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
        })
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)?;
    let (h, m, sec) = match b.len() {
        10 => (0, 0, 0),
        16 if b[10] == b'T' && b[13] == b':' => (num(11..13)?, num(14..16)?, 0),
        19 if b[10] == b'T' && b[13] == b':' && b[16] == b':' => {
            (num(11..13)?, num(14..16)?, num(17..19)?)
        }
        _ => return None,
    };
    date.and_hms_opt(h, m, sec)
}

/// A JSON object: a whole answer, or a block of values keyed by variable name (`current`, or
/// the arrays of `hourly`/`daily`). Answers are read through `serde_json::Value` by hand: a
/// derived struct per shape (with `flatten`, which buffers the whole answer twice) cost several
/// KB of WebAssembly.
type Values = serde_json::Map<String, serde_json::Value>;

/// The location every Open-Meteo forecast and air-quality answer starts with.
fn location_of(v: &Values) -> Result<Location, ParseError> {
    let need = |k: &'static str| num(v.get(k)).ok_or(ParseError::MissingField(k));
    let text = |k: &str| {
        v.get(k)
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    };
    let offset = need("utc_offset_seconds")?;
    Ok(Location {
        latitude: need("latitude")?,
        longitude: need("longitude")?,
        elevation: num(v.get("elevation")),
        timezone: text("timezone").ok_or(ParseError::MissingField("timezone"))?,
        timezone_abbreviation: text("timezone_abbreviation"),
        utc_offset_seconds: offset as i32,
    })
}

/// The object named `key`, if there is one.
fn block<'a>(v: &'a Values, key: &str) -> Option<&'a Values> {
    v.get(key).and_then(serde_json::Value::as_object)
}

/// Reads a number; `null`, absent or non-numeric values are `None`.
fn num(v: Option<&serde_json::Value>) -> Option<f64> {
    v.and_then(serde_json::Value::as_f64)
}

/// Reads element `i` of the array named `key`.
fn num_at(block: &Values, key: &str, i: usize) -> Option<f64> {
    num(block.get(key).and_then(|a| a.get(i)))
}

fn code(v: Option<f64>) -> Option<u8> {
    v.filter(|c| (0.0..=99.0).contains(c)).map(|c| c as u8)
}

fn flag(v: Option<f64>) -> Option<bool> {
    v.map(|x| x != 0.0)
}

fn first_of(block: &Values, keys: &[&str]) -> Option<f64> {
    keys.iter().find_map(|k| num(block.get(*k)))
}

fn first_at(block: &Values, keys: &[&str], i: usize) -> Option<f64> {
    keys.iter().find_map(|k| num_at(block, k, i))
}

fn parse_body(body: &str) -> Result<Values, ParseError> {
    match parse_json(body)? {
        serde_json::Value::Object(v) => Ok(v),
        _ => Err(ParseError::InvalidJson("it is not a JSON object".into())),
    }
}

#[inline(always)]
fn parse_json(body: &str) -> Result<serde_json::Value, ParseError> {
    // Only an error body has an `error` key; look for it before the full parse.
    // A byte scan, not `str::contains`, whose substring searcher costs the bundle 1.6 KB.
    if body.as_bytes().windows(7).any(|w| w == b"\"error\"") {
        if let Some(reason) = api_error_reason(body) {
            return Err(ParseError::Api(reason));
        }
    }
    crate::json::parse(body).map_err(|e| match api_error_reason(body) {
        Some(reason) => ParseError::Api(reason),
        None => ParseError::InvalidJson(e.0),
    })
}

fn read_time(v: Option<&serde_json::Value>, offset: i32) -> Result<i64, ParseError> {
    let v = v.ok_or(ParseError::MissingField("time"))?;
    time_value(v)?.to_epoch(offset)
}

/// The `time` array of an hourly or daily block.
fn time_array(block: &Values) -> Result<Vec<TimeValue>, ParseError> {
    let v = block.get("time").ok_or(ParseError::MissingField("time"))?;
    Ok(time_list(v, false)?.into_iter().flatten().collect())
}

/// Units of a response, read from any of its `*_units` objects (Open-Meteo's own defaults
/// where a unit is not stated).
fn units_of(maps: &[Option<&Values>]) -> Units {
    let find = |keys: &[&str]| -> Option<&str> {
        maps.iter().flatten().find_map(|m| {
            keys.iter()
                .find_map(|k| m.get(*k).and_then(serde_json::Value::as_str))
        })
    };
    Units {
        temperature: find(&[
            "temperature_2m",
            "temperature_2m_max",
            "apparent_temperature",
        ])
        .and_then(TempUnit::parse)
        .unwrap_or_default(),
        wind: find(&["wind_speed_10m", "wind_speed_10m_max", "wind_gusts_10m"])
            .and_then(WindUnit::parse)
            .unwrap_or_default(),
        precipitation: find(&["precipitation", "precipitation_sum", "rain"])
            .and_then(PrecipUnit::parse)
            .unwrap_or_default(),
    }
}

/// The `current` block of one place's answer, if it has one.
fn current_of(dto: &Values, offset: i32) -> Result<Option<Current>, ParseError> {
    let Some(c) = block(dto, "current") else {
        return Ok(None);
    };
    Ok(Some(Current {
        time: read_time(c.get("time"), offset)?,

        interval: num(c.get("interval")).map(|i| i as u32),
        temperature: num(c.get("temperature_2m")),
        apparent_temperature: num(c.get("apparent_temperature")),
        relative_humidity: num(c.get("relative_humidity_2m")),
        is_day: flag(num(c.get("is_day"))),
        weather_code: code(first_of(c, &["weather_code", "weathercode"])),
        cloud_cover: num(c.get("cloud_cover")),
        pressure_msl: num(c.get("pressure_msl")),
        surface_pressure: num(c.get("surface_pressure")),
        wind_speed: num(c.get("wind_speed_10m")),
        wind_direction: num(c.get("wind_direction_10m")),
        wind_gusts: num(c.get("wind_gusts_10m")),
        precipitation: num(c.get("precipitation")),
        uv_index: num(c.get("uv_index")),
    }))
}

/// Parses the answer to [`places_url`]: the current conditions of each place asked for, in the
/// order asked. Open-Meteo answers one place with an object and several with an array of them.
pub fn parse_places(body: &str, asked: usize) -> Result<Vec<Current>, ParseError> {
    let answers = match parse_json(body)? {
        serde_json::Value::Array(items) => items,
        one @ serde_json::Value::Object(_) => vec![one],
        _ => return Err(ParseError::InvalidJson("it is not a JSON object".into())),
    };
    if answers.len() != asked {
        return Err(ParseError::InvalidJson(format!(
            "it has {} places, not the {asked} asked for",
            answers.len()
        )));
    }
    answers
        .iter()
        .map(|a| {
            let dto = a
                .as_object()
                .ok_or_else(|| ParseError::InvalidJson("a place is not a JSON object".into()))?;
            let offset = location_of(dto)?.utc_offset_seconds;
            current_of(dto, offset)?.ok_or(ParseError::MissingField("current"))
        })
        .collect()
}

/// Parses a `/v1/forecast` answer.
pub fn parse_forecast(body: &str) -> Result<Forecast, ParseError> {
    let dto = parse_body(body)?;
    let location = location_of(&dto)?;
    let offset = location.utc_offset_seconds;
    let units = units_of(&[
        block(&dto, "current_units"),
        block(&dto, "hourly_units"),
        block(&dto, "daily_units"),
    ]);

    let current = current_of(&dto, offset)?;

    let hourly = match block(&dto, "hourly") {
        None => Vec::new(),
        Some(h) => time_array(h)?
            .iter()
            .enumerate()
            .map(|(i, t)| {
                Ok(HourlyPoint {
                    time: t.to_epoch(offset)?,
                    temperature: num_at(h, "temperature_2m", i),
                    apparent_temperature: num_at(h, "apparent_temperature", i),
                    precipitation_probability: num_at(h, "precipitation_probability", i),
                    precipitation: num_at(h, "precipitation", i),
                    weather_code: code(first_at(h, &["weather_code", "weathercode"], i)),
                    is_day: flag(num_at(h, "is_day", i)),
                    uv_index: num_at(h, "uv_index", i),
                    wind_speed: num_at(h, "wind_speed_10m", i),
                    wind_direction: num_at(h, "wind_direction_10m", i),
                })
            })
            .collect::<Result<_, ParseError>>()?,
    };

    let daily = match block(&dto, "daily") {
        None => Vec::new(),
        Some(d) => {
            let sunrise = optional_times(d, "sunrise")?;
            let sunset = optional_times(d, "sunset")?;
            let moonrise = optional_times(d, "moonrise")?;
            let moonset = optional_times(d, "moonset")?;
            time_array(d)?
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    let daylight = num_at(d, "daylight_duration", i);
                    let at = |v: &[Option<TimeValue>]| -> Result<Option<i64>, ParseError> {
                        v.get(i)
                            .and_then(Option::as_ref)
                            .map(|t| t.to_epoch(offset))
                            .transpose()
                    };
                    let (rise, set) = (at(&sunrise)?, at(&sunset)?);
                    Ok(DailyPoint {
                        date: t.to_local_date(offset)?,
                        weather_code: code(first_at(d, &["weather_code", "weathercode"], i)),
                        temperature_max: num_at(d, "temperature_2m_max", i),
                        temperature_min: num_at(d, "temperature_2m_min", i),
                        sun: sun_day(rise, set, daylight),
                        daylight_duration: daylight,
                        uv_index_max: num_at(d, "uv_index_max", i),
                        precipitation_sum: num_at(d, "precipitation_sum", i),
                        precipitation_probability_max: num_at(
                            d,
                            "precipitation_probability_max",
                            i,
                        ),
                        wind_speed_max: num_at(d, "wind_speed_10m_max", i),
                        wind_gusts_max: num_at(d, "wind_gusts_10m_max", i),
                        wind_direction_dominant: num_at(d, "wind_direction_10m_dominant", i),
                        moonrise: at(&moonrise)?,
                        moonset: at(&moonset)?,
                        moon_phase: num_at(d, "moon_phase", i),
                    })
                })
                .collect::<Result<_, ParseError>>()?
        }
    };

    let minutely_15 = match block(&dto, "minutely_15") {
        None => Vec::new(),
        Some(m) => time_array(m)?
            .iter()
            .enumerate()
            .map(|(i, t)| Ok((t.to_epoch(offset)?, num_at(m, "precipitation", i))))
            .collect::<Result<_, ParseError>>()?,
    };

    Ok(Forecast {
        location,
        units,
        current,
        hourly,
        daily,
        minutely_15,
    })
}

/// Reads a daily array of optional times (`sunrise`, `sunset`); absent means all `None`.
fn optional_times(block: &Values, key: &str) -> Result<Vec<Option<TimeValue>>, ParseError> {
    match block.get(key) {
        None => Ok(Vec::new()),
        Some(v) => time_list(v, true),
    }
}

/// Classifies one day's sunrise and sunset the way Open-Meteo encodes polar days: polar night
/// has sunrise = sunset (local midnight) and no daylight; midnight sun has a whole day between
/// them.
fn sun_day(sunrise: Option<i64>, sunset: Option<i64>, daylight: Option<f64>) -> Option<SunDay> {
    const DAY: i64 = 86_400;
    match (sunrise, sunset) {
        (Some(rise), Some(set)) => Some(if set - rise >= DAY || daylight >= Some(86_399.0) {
            SunDay::MidnightSun
        } else if set == rise || daylight == Some(0.0) {
            SunDay::PolarNight
        } else {
            SunDay::RiseAndSet {
                sunrise: rise,
                sunset: set,
            }
        }),
        _ => match daylight {
            Some(d) if d <= 0.0 => Some(SunDay::PolarNight),
            Some(d) if d >= 86_399.0 => Some(SunDay::MidnightSun),
            _ => None,
        },
    }
}

/// Parses a `/v1/air-quality` answer with a `current` block.
pub fn parse_air_quality(body: &str) -> Result<AirQuality, ParseError> {
    let dto = parse_body(body)?;
    let location = location_of(&dto)?;
    let c = block(&dto, "current").ok_or(ParseError::MissingField("current"))?;
    Ok(AirQuality {
        time: read_time(c.get("time"), location.utc_offset_seconds)?,
        location,
        european_aqi: num(c.get("european_aqi")),
        us_aqi: num(c.get("us_aqi")),
        pm2_5: num(c.get("pm2_5")),
        pm10: num(c.get("pm10")),
        ozone: num(c.get("ozone")),
        nitrogen_dioxide: num(c.get("nitrogen_dioxide")),
        sulphur_dioxide: num(c.get("sulphur_dioxide")),
        carbon_monoxide: num(c.get("carbon_monoxide")),
        european_sub: sub_indices(c, "european_aqi_"),
        us_sub: sub_indices(c, "us_aqi_"),
    })
}

fn sub_indices(c: &Values, prefix: &str) -> Vec<(Pollutant, f64)> {
    Pollutant::ALL
        .iter()
        .filter_map(|p| num(c.get(&format!("{prefix}{}", p.key()))).map(|v| (*p, v)))
        .collect()
}

/// Parses a `/v1/search` (geocoding) answer. No match is an empty list: Open-Meteo then
/// leaves out the `results` key entirely.
pub fn parse_geocoding(body: &str) -> Result<Vec<Place>, ParseError> {
    let dto = parse_body(body)?;
    let Some(results) = dto.get("results") else {
        return Ok(Vec::new());
    };
    let results = results
        .as_array()
        .ok_or(ParseError::MissingField("results"))?;
    results
        .iter()
        .map(|r| {
            let r = r.as_object().ok_or(ParseError::MissingField("results"))?;
            let text = |k: &str| {
                r.get(k)
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_owned)
            };
            Ok(Place {
                name: text("name").ok_or(ParseError::MissingField("name"))?,
                latitude: num(r.get("latitude")).ok_or(ParseError::MissingField("latitude"))?,
                longitude: num(r.get("longitude")).ok_or(ParseError::MissingField("longitude"))?,
                country: text("country"),
                country_code: text("country_code"),
                admin1: text("admin1"),
                timezone: text("timezone"),
            })
        })
        .collect()
}

/// Default endpoint of the forecast API.
pub const FORECAST_URL: &str = "https://api.open-meteo.com/v1/forecast";
/// Default endpoint of the air-quality API.
pub const AIR_QUALITY_URL: &str = "https://air-quality-api.open-meteo.com/v1/air-quality";
/// Default endpoint of the geocoding API.
pub const GEOCODING_URL: &str = "https://geocoding-api.open-meteo.com/v1/search";

/// The variables the dashboard asks for in `current=`.
pub const CURRENT_VARS: &[&str] = &[
    "temperature_2m",
    "apparent_temperature",
    "relative_humidity_2m",
    "is_day",
    "weather_code",
    "cloud_cover",
    "pressure_msl",
    "wind_speed_10m",
    "wind_direction_10m",
    "wind_gusts_10m",
    "precipitation",
    "uv_index",
];

/// The variables the dashboard asks for in `hourly=`.
pub const HOURLY_VARS: &[&str] = &[
    "temperature_2m",
    "precipitation_probability",
    "precipitation",
    "weather_code",
    "is_day",
    "uv_index",
];

/// The variables the dashboard asks for in `daily=`.
pub const DAILY_VARS: &[&str] = &[
    "weather_code",
    "temperature_2m_max",
    "temperature_2m_min",
    "sunrise",
    "sunset",
    "daylight_duration",
    "uv_index_max",
    "precipitation_sum",
    "precipitation_probability_max",
];

/// The variables the dashboard asks for from the air-quality API on the European scale: the
/// index, its sub-indices (to name the dominant pollutant), and the particle concentrations.
/// Eight, under the ten that Open-Meteo counts as one call.
pub const AIR_QUALITY_VARS_EU: &[&str] = &[
    "european_aqi",
    "european_aqi_pm2_5",
    "european_aqi_pm10",
    "european_aqi_nitrogen_dioxide",
    "european_aqi_ozone",
    "european_aqi_sulphur_dioxide",
    "pm2_5",
    "pm10",
];

/// The same on the US scale.
pub const AIR_QUALITY_VARS_US: &[&str] = &[
    "us_aqi",
    "us_aqi_pm2_5",
    "us_aqi_pm10",
    "us_aqi_nitrogen_dioxide",
    "us_aqi_ozone",
    "us_aqi_sulphur_dioxide",
    "us_aqi_carbon_monoxide",
    "pm2_5",
];

/// Joins `base` and query pairs into a URL, percent-encoding the values.
fn with_query(base: &str, pairs: &[(&str, String)]) -> String {
    let sep = if base.contains('?') { '&' } else { '?' };
    let query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
    format!("{base}{sep}{}", query.join("&"))
}

/// Percent-encodes a query value (RFC 3986 unreserved characters pass; `,` is kept readable).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b',' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// How many days of daily forecast the dashboard asks for.
pub const FORECAST_DAYS: u8 = 10;

/// URL of a forecast request for the dashboard: current, hourly and daily blocks in `units`,
/// as Unix times, in the place's own time zone.
///
/// What only some cards need is asked for only when one of `cards` is shown: the 15-minute
/// precipitation of the next two and a half hours for `nowcast`
/// (`minutely_15=precipitation&forecast_minutely_15=10`), the moon's daily times and phase for
/// `moon`.
pub fn forecast_url(
    base: &str,
    lat: f64,
    lon: f64,
    units: Units,
    forecast_days: u8,
    cards: &[String],
) -> String {
    let shown = |id: &str| cards.iter().any(|c| c == id);
    let mut daily = DAILY_VARS.join(",");
    if shown("moon") {
        daily.push_str(",moonrise,moonset,moon_phase");
    }
    let mut query = vec![
        ("latitude", crate::format::fixed(lat, 4)),
        ("longitude", crate::format::fixed(lon, 4)),
        ("current", CURRENT_VARS.join(",")),
        ("hourly", HOURLY_VARS.join(",")),
        ("daily", daily),
        ("temperature_unit", units.temperature.query_value().into()),
        ("wind_speed_unit", units.wind.query_value().into()),
        (
            "precipitation_unit",
            units.precipitation.query_value().into(),
        ),
        ("timeformat", "unixtime".into()),
        ("timezone", "auto".into()),
        ("forecast_days", forecast_days.to_string()),
    ];
    if shown("nowcast") {
        query.push(("minutely_15", "precipitation".into()));
        query.push(("forecast_minutely_15", "10".into()));
    }
    with_query(base, &query)
}

/// The variables the relay polls for a place's live `observation` (each maps to one of
/// [`crate::live::Values`]).
pub const LIVE_VARS: &[&str] = &[
    "temperature_2m",
    "apparent_temperature",
    "relative_humidity_2m",
    "pressure_msl",
    "wind_speed_10m",
    "wind_gusts_10m",
    "wind_direction_10m",
    "uv_index",
    "precipitation",
];

/// The variables the places list shows for each kept place.
pub const PLACES_VARS: &[&str] = &["temperature_2m", "weather_code", "is_day"];

/// URL of one request for the current conditions ([`PLACES_VARS`]) of several places:
/// comma-separated coordinates, which Open-Meteo answers with one object per place, in order.
pub fn places_url(base: &str, places: &[(f64, f64)], units: Units) -> String {
    let list = |f: fn(&(f64, f64)) -> f64| {
        places
            .iter()
            .map(|p| crate::format::fixed(f(p), 4))
            .collect::<Vec<_>>()
            .join(",")
    };
    with_query(
        base,
        &[
            ("latitude", list(|p| p.0)),
            ("longitude", list(|p| p.1)),
            ("current", PLACES_VARS.join(",")),
            ("temperature_unit", units.temperature.query_value().into()),
            ("timeformat", "unixtime".into()),
            ("timezone", "auto".into()),
        ],
    )
}

/// URL of the relay's poll of a place: current conditions ([`LIVE_VARS`]) in the live
/// protocol's metric units, times as Unix seconds.
pub fn current_conditions_url(base: &str, lat: f64, lon: f64) -> String {
    with_query(
        base,
        &[
            ("latitude", crate::format::fixed(lat, 4)),
            ("longitude", crate::format::fixed(lon, 4)),
            ("current", LIVE_VARS.join(",")),
            ("timeformat", "unixtime".into()),
            ("timezone", "GMT".into()),
        ],
    )
}

/// URL of an air-quality request for current conditions on the US (`us`) or European scale.
pub fn air_quality_url(base: &str, lat: f64, lon: f64, us: bool) -> String {
    let vars = if us {
        AIR_QUALITY_VARS_US
    } else {
        AIR_QUALITY_VARS_EU
    };
    with_query(
        base,
        &[
            ("latitude", crate::format::fixed(lat, 4)),
            ("longitude", crate::format::fixed(lon, 4)),
            ("current", vars.join(",")),
            ("timeformat", "unixtime".into()),
            ("timezone", "auto".into()),
        ],
    )
}

/// URL of a place search.
pub fn geocoding_url(base: &str, name: &str, count: u8) -> String {
    with_query(
        base,
        &[
            ("name", name.to_owned()),
            ("count", count.to_string()),
            ("language", "en".into()),
            ("format", "json".into()),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutely_15_precipitation_is_read_with_its_nulls_and_asked_for_only_for_nowcast() {
        let body = r#"{"latitude":52.52,"longitude":13.41,"utc_offset_seconds":3600,
            "timezone":"Europe/Berlin","minutely_15_units":{"time":"unixtime","precipitation":"mm"},
            "minutely_15":{"time":[1700000000,1700000900,1700001800],"precipitation":[0.0,null,0.4]}}"#;
        let f = parse_forecast(body).unwrap();
        assert_eq!(
            f.minutely_15,
            [
                (1_700_000_000, Some(0.0)),
                (1_700_000_900, None),
                (1_700_001_800, Some(0.4))
            ]
        );
        let base = "http://x/v1/forecast";
        let cards = |ids: &[&str]| ids.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let with = forecast_url(
            base,
            1.0,
            2.0,
            Units::default(),
            10,
            &cards(&["nowcast", "moon"]),
        );
        assert!(
            with.ends_with("&minutely_15=precipitation&forecast_minutely_15=10"),
            "{with}"
        );
        assert!(with.contains(",moonrise,moonset,moon_phase&"), "{with}");
        let without = forecast_url(base, 1.0, 2.0, Units::default(), 10, &cards(&["current"]));
        assert!(
            !without.contains("minutely_15") && !without.contains("moon"),
            "{without}"
        );
    }

    #[test]
    fn places_answers_of_the_wrong_shape_are_errors_in_words() {
        assert!(matches!(
            parse_places("[1, 2]", 2),
            Err(ParseError::InvalidJson(_))
        ));
        assert!(matches!(
            parse_places("{}", 1),
            Err(ParseError::MissingField(_))
        ));
        assert!(matches!(
            parse_places("\"x\"", 1),
            Err(ParseError::InvalidJson(_))
        ));
        let one = r#"{"latitude":1,"longitude":2,"utc_offset_seconds":0,"timezone":"GMT",
                     "current":{"time":1700000000,"temperature_2m":3.5,"weather_code":2}}"#;
        let got = parse_places(one, 1).unwrap();
        assert_eq!(got[0].temperature, Some(3.5));
        assert_eq!(got[0].weather_code, Some(2));
        let two = format!("[{one},{one}]");
        assert_eq!(parse_places(&two, 2).unwrap().len(), 2);
        let e = parse_places(&two, 3).unwrap_err().to_string();
        assert!(e.contains("2 places, not the 3"), "{e}");
        let url = places_url(
            "http://x/v1/forecast",
            &[(1.0, 2.0), (-3.5, 4.25)],
            Units::default(),
        );
        assert!(
            url.contains("latitude=1.0000,-3.5000&longitude=2.0000,4.2500"),
            "{url}"
        );
    }

    #[test]
    fn the_relays_poll_asks_for_every_live_value_in_metric_and_unix_time() {
        assert_eq!(
            current_conditions_url("https://api.open-meteo.com/v1/forecast", 52.52, 13.41),
            "https://api.open-meteo.com/v1/forecast?latitude=52.5200&longitude=13.4100&current=temperature_2m,apparent_temperature,relative_humidity_2m,pressure_msl,wind_speed_10m,wind_gusts_10m,wind_direction_10m,uv_index,precipitation&timeformat=unixtime&timezone=GMT"
        );
        // A base that has a query already (a proxy's key, say) is extended, not broken.
        assert!(
            current_conditions_url("http://127.0.0.1:8081/v1/forecast?apikey=x", -33.9, 151.2)
                .starts_with("http://127.0.0.1:8081/v1/forecast?apikey=x&latitude=-33.9000&")
        );
    }

    #[test]
    fn iso_times_use_the_response_offset() {
        let t = TimeValue::Iso("2026-08-23T18:45".into());
        // 18:45 at UTC-4 is 22:45 UTC.
        assert_eq!(t.to_epoch(-14_400).unwrap(), 1_787_525_100);
        assert!(TimeValue::Iso("yesterday".into()).to_epoch(0).is_err());
    }

    #[test]
    fn iso_forms_open_meteo_sends() {
        let t = |s: &str| parse_iso(s).map(|d| d.and_utc().timestamp());
        assert_eq!(t("2026-08-23"), Some(1_787_443_200));
        assert_eq!(t("2026-08-23T18:45"), Some(1_787_510_700));
        assert_eq!(t("2026-08-23T18:45:30"), Some(1_787_510_730));
        for bad in [
            "2026-8-23",
            "2026-08-23T18",
            "2026-02-30",
            "2026-08-23 18:45",
            "",
            "yesterday",
            "2026-08-23T25:00",
        ] {
            assert_eq!(t(bad), None, "{bad}");
        }
    }

    #[test]
    fn polar_days_are_classified() {
        let midnight = 1_636_156_800;
        assert_eq!(
            sun_day(Some(midnight), Some(midnight), Some(0.0)),
            Some(SunDay::PolarNight)
        );
        assert_eq!(
            sun_day(Some(midnight), Some(midnight + 86_400), Some(86_400.0)),
            Some(SunDay::MidnightSun)
        );
        assert_eq!(
            sun_day(Some(midnight + 25_000), Some(midnight + 60_000), None),
            Some(SunDay::RiseAndSet {
                sunrise: midnight + 25_000,
                sunset: midnight + 60_000
            })
        );
    }

    #[test]
    fn error_bodies_are_recognised() {
        let body = r#"{"reason":"Not Found","error":true}"#;
        assert_eq!(api_error_reason(body).as_deref(), Some("Not Found"));
        assert_eq!(
            parse_forecast(body),
            Err(ParseError::Api("Not Found".into()))
        );
        assert!(matches!(
            parse_forecast(r#"{"latitude":1.0,"longitude":2"#),
            Err(ParseError::InvalidJson(_))
        ));
        assert_eq!(
            parse_forecast(r#"{"latitude":1.0,"longitude":2.0,"utc_offset_seconds":0}"#),
            Err(ParseError::MissingField("timezone"))
        );
    }

    #[test]
    fn urls_ask_for_unixtime_in_the_local_zone() {
        let url = forecast_url(FORECAST_URL, 52.52, 13.405, Units::default(), 10, &[]);
        assert!(url.starts_with("https://api.open-meteo.com/v1/forecast?latitude=52.5200&"));
        assert!(url.contains("timeformat=unixtime&timezone=auto"));
        assert!(url.contains("current=temperature_2m,apparent_temperature,"));
        let url = geocoding_url("http://127.0.0.1:1/v1/search?x=1", "São Paulo & co", 1);
        assert!(url.contains("?x=1&name=S%C3%A3o%20Paulo%20%26%20co&count=1"));
    }
}
