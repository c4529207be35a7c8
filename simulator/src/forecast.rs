//! `/v1/forecast` and `/v1/air-quality`: Open-Meteo's parameters in, Open-Meteo's JSON out.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use isobar_core::moon;
use isobar_core::units::{PrecipUnit, TempUnit, Units, WindUnit};
use serde_json::{json, Map, Value};

use crate::model::{round, Model, Sample};
use crate::{air, solar, tz};

/// A request the service refuses, with Open-Meteo's status and reason.
#[derive(Debug, Clone, PartialEq)]
pub struct BadRequest(pub String);

type Pairs = [(String, String)];

fn get<'a>(q: &'a Pairs, key: &str) -> Option<&'a str> {
    q.iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn list(q: &Pairs, key: &str) -> Vec<String> {
    // Open-Meteo accepts both `hourly=a,b` and `hourly=a&hourly=b`.
    q.iter()
        .filter(|(k, _)| k == key)
        .flat_map(|(_, v)| v.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn floats(q: &Pairs, key: &str) -> Result<Vec<f64>, BadRequest> {
    let raw = get(q, key).ok_or_else(|| BadRequest(format!("Parameter '{key}' is required.")))?;
    raw.split(',')
        .map(|s| {
            s.trim().parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| {
                BadRequest(format!(
                    "Data corrupted at path ''. Cannot initialize Float from invalid String value {s}."
                ))
            })
        })
        .collect()
}

/// Which time zone the answer is in.
#[derive(Debug, Clone, Copy, PartialEq)]
enum ZoneChoice {
    Gmt,
    Auto,
    Named(Tz),
}

/// Everything a forecast or air-quality request asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    coords: Vec<(f64, f64)>,
    current: Vec<String>,
    hourly: Vec<String>,
    daily: Vec<String>,
    units: Units,
    unixtime: bool,
    zone: ZoneChoice,
    forecast_days: i64,
    past_days: i64,
    minutely_15: Vec<String>,
    /// How many quarter hours of `minutely_15`, from the current one.
    minutely_count: i64,
}

/// The API a request is for; they differ in their variables and default forecast length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// The weather forecast API.
    Forecast,
    /// The air-quality API.
    AirQuality,
}

impl Request {
    /// Reads and checks the query parameters as Open-Meteo does.
    pub fn parse(q: &Pairs, api: Api) -> Result<Request, BadRequest> {
        let lats = floats(q, "latitude")?;
        let lons = floats(q, "longitude")?;
        if lats.len() != lons.len() {
            return Err(BadRequest(
                "Parameter 'latitude' and 'longitude' must have the same number of elements".into(),
            ));
        }
        for (&lat, &lon) in lats.iter().zip(&lons) {
            if !(-90.0..=90.0).contains(&lat) {
                return Err(BadRequest(format!(
                    "Latitude must be in range of -90 to 90°. Given: {lat}."
                )));
            }
            if !(-180.0..=180.0).contains(&lon) {
                return Err(BadRequest(format!(
                    "Longitude must be in range of -180 to 180°. Given: {lon}."
                )));
            }
        }
        let units = Units {
            temperature: enum_param(
                q,
                "temperature_unit",
                TempUnit::parse,
                &["celsius", "fahrenheit"],
            )?,
            wind: enum_param(
                q,
                "wind_speed_unit",
                WindUnit::parse,
                &["kmh", "ms", "mph", "kn"],
            )
            .or_else(|_| {
                enum_param(
                    q,
                    "windspeed_unit",
                    WindUnit::parse,
                    &["kmh", "ms", "mph", "kn"],
                )
            })?,
            precipitation: enum_param(q, "precipitation_unit", PrecipUnit::parse, &["mm", "inch"])?,
        };
        let unixtime = match get(q, "timeformat") {
            None | Some("iso8601") => false,
            Some("unixtime") => true,
            Some(other) => {
                return Err(BadRequest(format!(
                    "Invalid timeformat '{other}'. Allowed values: iso8601, unixtime."
                )))
            }
        };
        let zone = match get(q, "timezone") {
            None | Some("") | Some("GMT") | Some("UTC") => ZoneChoice::Gmt,
            Some("auto") => ZoneChoice::Auto,
            Some(name) => ZoneChoice::Named(
                name.parse::<Tz>()
                    .map_err(|_| BadRequest(format!("Invalid timezone '{name}'")))?,
            ),
        };
        let (default_days, max_days) = match api {
            Api::Forecast => (7, 16),
            Api::AirQuality => (5, 7),
        };
        let forecast_days = int_param(q, "forecast_days", default_days, 0, max_days)?;
        let past_days = int_param(q, "past_days", 0, 0, 92)?;
        let known: &[&str] = match api {
            Api::Forecast => HOURLY_VARS,
            Api::AirQuality => air::VARS,
        };
        let current = list(q, "current");
        let hourly = list(q, "hourly");
        for (key, vars) in [("current", &current), ("hourly", &hourly)] {
            if let Some(v) = vars.iter().find(|v| !known.contains(&v.as_str())) {
                return Err(unknown_variable(v, key));
            }
        }
        let minutely_15 = list(q, "minutely_15");
        if api == Api::AirQuality && !minutely_15.is_empty() {
            return Err(unknown_variable(&minutely_15[0], "minutely_15"));
        }
        if let Some(v) = minutely_15.iter().find(|v| !known.contains(&v.as_str())) {
            return Err(unknown_variable(v, "minutely_15"));
        }
        let minutely_count = int_param(
            q,
            "forecast_minutely_15",
            forecast_days * 96,
            0,
            max_days * 96,
        )?;
        let daily = list(q, "daily");
        if api == Api::AirQuality && !daily.is_empty() {
            return Err(unknown_variable(&daily[0], "daily"));
        }
        if let Some(v) = daily.iter().find(|v| !DAILY_VARS.contains(&v.as_str())) {
            return Err(unknown_variable(v, "daily"));
        }
        Ok(Request {
            coords: lats.into_iter().zip(lons).collect(),
            current,
            hourly,
            daily,
            units,
            unixtime,
            zone,
            forecast_days,
            past_days,
            minutely_15,
            minutely_count,
        })
    }

    /// Whether the request asked for more than one place (Open-Meteo then answers a list).
    pub fn is_multi(&self) -> bool {
        self.coords.len() > 1
    }
}

fn unknown_variable(v: &str, key: &str) -> BadRequest {
    BadRequest(format!(
        "Data corrupted at path ''. Cannot initialize ForecastVariable from invalid String value {v} for key {key}."
    ))
}

fn enum_param<T: Default>(
    q: &Pairs,
    key: &str,
    parse: fn(&str) -> Option<T>,
    allowed: &[&str],
) -> Result<T, BadRequest> {
    match get(q, key) {
        None => Ok(T::default()),
        Some(v) if allowed.contains(&v) => Ok(parse(v).unwrap_or_default()),
        Some(v) => Err(BadRequest(format!(
            "Invalid {key} '{v}'. Allowed values: {}.",
            allowed.join(", ")
        ))),
    }
}

fn int_param(q: &Pairs, key: &str, default: i64, min: i64, max: i64) -> Result<i64, BadRequest> {
    match get(q, key) {
        None => Ok(default),
        Some(v) => match v.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            Ok(_) => Err(BadRequest(format!(
                "Parameter '{key}' must be between {min} and {max}."
            ))),
            Err(_) => Err(BadRequest(format!(
                "Data corrupted at path ''. Cannot initialize Int from invalid String value {v} for key {key}."
            ))),
        },
    }
}

/// Hourly and current variables of the forecast API that the simulator models.
pub const HOURLY_VARS: &[&str] = &[
    "temperature_2m",
    "relative_humidity_2m",
    "dew_point_2m",
    "apparent_temperature",
    "is_day",
    "precipitation",
    "precipitation_probability",
    "rain",
    "showers",
    "snowfall",
    "weather_code",
    "cloud_cover",
    "pressure_msl",
    "surface_pressure",
    "wind_speed_10m",
    "wind_direction_10m",
    "wind_gusts_10m",
    "uv_index",
    "uv_index_clear_sky",
    "visibility",
];

/// Daily variables of the forecast API that the simulator models.
pub const DAILY_VARS: &[&str] = &[
    "weather_code",
    "temperature_2m_max",
    "temperature_2m_min",
    "temperature_2m_mean",
    "apparent_temperature_max",
    "apparent_temperature_min",
    "sunrise",
    "sunset",
    "daylight_duration",
    "sunshine_duration",
    "uv_index_max",
    "uv_index_clear_sky_max",
    "precipitation_sum",
    "rain_sum",
    "showers_sum",
    "snowfall_sum",
    "precipitation_hours",
    "precipitation_probability_max",
    "wind_speed_10m_max",
    "wind_gusts_10m_max",
    "wind_direction_10m_dominant",
    "moonrise",
    "moonset",
    "moon_phase",
];

/// A time series block (`hourly`, `minutely_15`): `time`, then one array per variable of
/// `vars`, each value from `value(variable, time)`.
fn series(
    times: &[DateTime<Utc>],
    vars: &[String],
    r: &Request,
    offset: FixedOffset,
    value: impl Fn(&str, DateTime<Utc>) -> Value,
) -> Value {
    let mut block = Map::new();
    block.insert(
        "time".into(),
        Value::Array(
            times
                .iter()
                .map(|t| time_value(*t, r.unixtime, offset, false))
                .collect(),
        ),
    );
    for v in vars {
        block.insert(
            v.clone(),
            Value::Array(times.iter().map(|t| value(v, *t)).collect()),
        );
    }
    Value::Object(block)
}

/// The unit string Open-Meteo puts in `*_units` for a variable.
fn unit_of(var: &str, units: Units, unixtime: bool) -> &'static str {
    let time = if unixtime { "unixtime" } else { "iso8601" };
    let temp = units.temperature.symbol();
    let wind = match units.wind {
        WindUnit::Kmh => "km/h",
        WindUnit::Ms => "m/s",
        WindUnit::Mph => "mp/h",
        WindUnit::Kn => "kn",
    };
    let precip = match units.precipitation {
        PrecipUnit::Mm => "mm",
        PrecipUnit::Inch => "inch",
    };
    match var {
        "time" | "sunrise" | "sunset" | "moonrise" | "moonset" => time,
        "moon_phase" => "fraction",
        "interval" => "seconds",
        v if v.starts_with("temperature")
            || v.starts_with("apparent")
            || v.starts_with("dew_point") =>
        {
            temp
        }
        v if v.starts_with("wind_speed") || v.starts_with("wind_gusts") => wind,
        v if v.starts_with("wind_direction") => "°",
        "snowfall" | "snowfall_sum" => match units.precipitation {
            PrecipUnit::Mm => "cm",
            PrecipUnit::Inch => "inch",
        },
        v if v.starts_with("precipitation_probability")
            || v.starts_with("relative_humidity")
            || v == "cloud_cover" =>
        {
            "%"
        }
        "precipitation_hours" => "h",
        v if v.starts_with("precipitation")
            || v.starts_with("rain")
            || v.starts_with("showers") =>
        {
            precip
        }
        "weather_code" => "wmo code",
        v if v.contains("pressure") => "hPa",
        "daylight_duration" | "sunshine_duration" => "s",
        "visibility" => match units.precipitation {
            PrecipUnit::Mm => "m",
            PrecipUnit::Inch => "ft",
        },
        "is_day" => "",
        v if v.starts_with("us_aqi") => "USAQI",
        v if v.starts_with("european_aqi") => "EAQI",
        "pm2_5" | "pm10" | "carbon_monoxide" | "nitrogen_dioxide" | "sulphur_dioxide" | "ozone"
        | "dust" => "μg/m³",
        v if v.starts_with("uv_index") => "",
        _ => "undefined",
    }
}

/// A value of one hourly/current variable, in the requested units, rounded as Open-Meteo does.
fn hourly_value(var: &str, s: &Sample, u: Units) -> Value {
    let t = |c: f64| round(TempUnit::Celsius.convert(c, u.temperature), 1);
    let w = |k: f64| round(WindUnit::Kmh.convert(k, u.wind), 1);
    let p = |mm: f64| match u.precipitation {
        PrecipUnit::Mm => round(mm, 2),
        PrecipUnit::Inch => round(PrecipUnit::Mm.convert(mm, PrecipUnit::Inch), 3),
    };
    let v = match var {
        "temperature_2m" => t(s.temperature),
        "relative_humidity_2m" => s.relative_humidity,
        "dew_point_2m" => t(s.dew_point),
        "apparent_temperature" => t(s.apparent_temperature),
        "is_day" => return json!(i32::from(s.is_day)),
        "precipitation" => p(s.precipitation),
        "precipitation_probability" => s.precipitation_probability,
        "rain" => p(s.rain),
        "showers" => 0.0,
        "snowfall" => match u.precipitation {
            PrecipUnit::Mm => round(s.snowfall, 2),
            PrecipUnit::Inch => round(s.snowfall / 2.54, 3),
        },
        "weather_code" => return json!(s.weather_code),
        "cloud_cover" => s.cloud_cover,
        "pressure_msl" => round(s.pressure_msl, 1),
        "surface_pressure" => round(s.surface_pressure, 1),
        "wind_speed_10m" => w(s.wind_speed),
        "wind_direction_10m" => s.wind_direction,
        "wind_gusts_10m" => w(s.wind_gusts),
        "uv_index" => round(s.uv_index, 2),
        "uv_index_clear_sky" => round(s.uv_index_clear_sky, 2),
        "visibility" => match u.precipitation {
            PrecipUnit::Mm => round(s.visibility, 0),
            PrecipUnit::Inch => round(s.visibility * 3.28084, 0),
        },
        _ => return Value::Null,
    };
    integral(v)
}

/// Whole numbers are sent without a fraction (`81`, not `81.0`), as Open-Meteo does for
/// percentages and directions.
fn integral(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        json!(v as i64)
    } else {
        json!(v)
    }
}

/// One local day's hourly samples summarised.
struct Day {
    date: NaiveDate,
    midnight: DateTime<Utc>,
    samples: Vec<Sample>,
    sun: solar::SunDay,
    lat: f64,
    lon: f64,
}

/// When the moon rises (`rising`) or sets on the local day starting at `midnight`: where its
/// altitude crosses [`moon::RISE_ALTITUDE`], found in 10-minute steps and interpolated, as
/// Open-Meteo does from hourly samples. `None` on a day it does not.
fn moon_crossing(d: &Day, rising: bool) -> Option<DateTime<Utc>> {
    let start = d.midnight.timestamp();
    let above = |t: i64| moon::altitude(d.lat, d.lon, t) - moon::RISE_ALTITUDE;
    let mut previous = above(start);
    for step in 1..=144 {
        let t = start + step * 600;
        let now = above(t);
        if (previous < 0.0 && now >= 0.0 && rising) || (previous >= 0.0 && now < 0.0 && !rising) {
            let at = t - 600 + (600.0 * previous / (previous - now)).round() as i64;
            return DateTime::from_timestamp(at, 0);
        }
        previous = now;
    }
    None
}

fn daily_value(var: &str, d: &Day, r: &Request, offset: FixedOffset) -> Value {
    let u = r.units;
    let max = |f: fn(&Sample) -> f64| d.samples.iter().map(f).fold(f64::MIN, f64::max);
    let min = |f: fn(&Sample) -> f64| d.samples.iter().map(f).fold(f64::MAX, f64::min);
    let sum = |f: fn(&Sample) -> f64| d.samples.iter().map(f).sum::<f64>();
    let mean = |f: fn(&Sample) -> f64| sum(f) / d.samples.len().max(1) as f64;
    let t = |c: f64| json!(round(TempUnit::Celsius.convert(c, u.temperature), 1));
    let w = |k: f64| json!(round(WindUnit::Kmh.convert(k, u.wind), 1));
    let p = |mm: f64| match u.precipitation {
        PrecipUnit::Mm => json!(round(mm, 2)),
        PrecipUnit::Inch => json!(round(mm / 25.4, 3)),
    };
    let (sunrise, sunset, daylight) = d.sun.open_meteo(d.midnight);
    match var {
        "weather_code" => json!(d.samples.iter().map(|s| s.weather_code).max().unwrap_or(0)),
        "temperature_2m_max" => t(max(|s| s.temperature)),
        "temperature_2m_min" => t(min(|s| s.temperature)),
        "temperature_2m_mean" => t(mean(|s| s.temperature)),
        "apparent_temperature_max" => t(max(|s| s.apparent_temperature)),
        "apparent_temperature_min" => t(min(|s| s.apparent_temperature)),
        "sunrise" => time_value(sunrise, r.unixtime, offset, false),
        "sunset" => time_value(sunset, r.unixtime, offset, false),
        "daylight_duration" => json!(round(daylight, 2)),
        "sunshine_duration" => json!(round(daylight * (1.0 - mean(|s| s.cloud_cover) / 110.0), 2)),
        "uv_index_max" => json!(round(max(|s| s.uv_index), 2)),
        "uv_index_clear_sky_max" => json!(round(max(|s| s.uv_index_clear_sky), 2)),
        "precipitation_sum" | "rain_sum" => p(sum(|s| s.precipitation)),
        "showers_sum" => p(0.0),
        "snowfall_sum" => json!(round(sum(|s| s.snowfall), 2)),
        "precipitation_hours" => {
            json!(d.samples.iter().filter(|s| s.precipitation > 0.0).count() as f64)
        }
        "precipitation_probability_max" => integral(max(|s| s.precipitation_probability)),
        "wind_speed_10m_max" => w(max(|s| s.wind_speed)),
        "wind_gusts_10m_max" => w(max(|s| s.wind_gusts)),
        "moon_phase" => json!(round(moon::phase(d.midnight.timestamp() + 43_200), 4)),
        "moonrise" | "moonset" => match moon_crossing(d, var == "moonrise") {
            Some(t) => time_value(t, r.unixtime, offset, false),
            None => Value::Null,
        },
        "wind_direction_10m_dominant" => {
            let (x, y) = d.samples.iter().fold((0.0, 0.0), |(x, y), s| {
                let a = s.wind_direction.to_radians();
                (x + s.wind_speed * a.cos(), y + s.wind_speed * a.sin())
            });
            json!(y.atan2(x).to_degrees().rem_euclid(360.0).round() as i64)
        }
        _ => Value::Null,
    }
}

/// A time as Open-Meteo writes it: Unix seconds, or local time at the response's offset.
fn time_value(t: DateTime<Utc>, unixtime: bool, offset: FixedOffset, date_only: bool) -> Value {
    if unixtime {
        json!(t.timestamp())
    } else {
        let local = t.with_timezone(&offset);
        let fmt = if date_only {
            "%Y-%m-%d"
        } else {
            "%Y-%m-%dT%H:%M"
        };
        json!(local.format(fmt).to_string())
    }
}

/// Which variables one block holds, as Open-Meteo lists them in `*_units`.
fn units_block(vars: &[String], r: &Request, with_interval: bool) -> Value {
    let mut m = Map::new();
    m.insert("time".into(), json!(unit_of("time", r.units, r.unixtime)));
    if with_interval {
        m.insert("interval".into(), json!("seconds"));
    }
    for v in vars {
        m.insert(v.clone(), json!(unit_of(v, r.units, r.unixtime)));
    }
    Value::Object(m)
}

/// Builds the answer for every requested place, at the instant `now`.
///
/// In `live` mode, `current` is the reading of this very second (see [`Model::at_live`]).
pub fn answer(r: &Request, api: Api, now: DateTime<Utc>, live: bool) -> Value {
    let started = std::time::Instant::now();
    let mut places: Vec<Value> = r
        .coords
        .iter()
        .map(|&(lat, lon)| one_place(r, api, lat, lon, now, live))
        .collect();
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    for p in &mut places {
        p["generationtime_ms"] = json!(ms);
    }
    if places.len() == 1 {
        places.pop().expect("one place")
    } else {
        Value::Array(places)
    }
}

fn one_place(r: &Request, api: Api, lat: f64, lon: f64, now: DateTime<Utc>, live: bool) -> Value {
    let model = Model::new(lat, lon);
    let (zone_name, offset_s) = match r.zone {
        ZoneChoice::Gmt => ("GMT".to_owned(), 0),
        ZoneChoice::Auto => {
            let z = tz::zone_at(lat, lon);
            (z.name().to_owned(), tz::offset_seconds(z, now))
        }
        ZoneChoice::Named(z) => (z.name().to_owned(), tz::offset_seconds(z, now)),
    };
    let offset = FixedOffset::east_opt(offset_s).expect("offsets are within a day");
    let mut out = Map::new();
    // Open-Meteo answers with the grid cell's coordinates, as 32-bit floats.
    out.insert("latitude".into(), json!(lat as f32));
    out.insert("longitude".into(), json!(lon as f32));
    out.insert("generationtime_ms".into(), json!(0.0));
    out.insert("utc_offset_seconds".into(), json!(offset_s));
    out.insert("timezone".into(), json!(zone_name));
    out.insert(
        "timezone_abbreviation".into(),
        json!(tz::abbreviation(offset_s)),
    );
    out.insert("elevation".into(), json!(model.elevation()));

    let value = |var: &str, t: DateTime<Utc>| -> Value {
        match api {
            Api::Forecast => hourly_value(var, &model.at(t), r.units),
            Api::AirQuality => air::value(var, lat, lon, t),
        }
    };

    if !r.current.is_empty() {
        let interval = match (api, live) {
            (Api::Forecast, true) => 1,
            (Api::Forecast, false) => 900,
            (Api::AirQuality, _) => 3600,
        };
        let t = DateTime::from_timestamp(now.timestamp() - now.timestamp().rem_euclid(interval), 0)
            .expect("valid time");
        let mut c = Map::new();
        c.insert("time".into(), time_value(t, r.unixtime, offset, false));
        c.insert("interval".into(), json!(interval));
        let live_sample = (live && api == Api::Forecast).then(|| model.at_live(t));
        for v in &r.current {
            let x = match &live_sample {
                Some(s) => hourly_value(v, s, r.units),
                None => value(v, t),
            };
            c.insert(v.clone(), x);
        }
        out.insert("current_units".into(), units_block(&r.current, r, true));
        out.insert("current".into(), Value::Object(c));
    }

    // Local midnight of today at the fixed offset, as Open-Meteo computes it.
    let today = now.with_timezone(&offset).date_naive();
    let first_day = today - Duration::days(r.past_days);
    let n_days = r.past_days + r.forecast_days;
    let midnight = |d: NaiveDate| {
        offset
            .from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight exists"))
            .single()
            .expect("fixed offsets are unambiguous")
            .with_timezone(&Utc)
    };

    if !r.hourly.is_empty() {
        let start = midnight(first_day);
        let times: Vec<DateTime<Utc>> = (0..n_days * 24)
            .map(|h| start + Duration::hours(h))
            .collect();
        let block = series(&times, &r.hourly, r, offset, |v, t| value(v, t));
        out.insert("hourly_units".into(), units_block(&r.hourly, r, false));
        out.insert("hourly".into(), block);
    }

    if !r.minutely_15.is_empty() {
        // From the current quarter hour; each value is what falls in the quarter before its
        // time (amounts are a quarter of the model's hourly rate at the quarter's middle).
        let first = now.timestamp() - now.timestamp().rem_euclid(900);
        let times: Vec<DateTime<Utc>> = (0..r.minutely_count)
            .map(|i| DateTime::from_timestamp(first + i * 900, 0).expect("valid time"))
            .collect();
        let block = series(&times, &r.minutely_15, r, offset, |v, t| {
            let mut sample = model.at(t - Duration::seconds(450));
            sample.precipitation /= 4.0;
            sample.rain /= 4.0;
            sample.snowfall /= 4.0;
            hourly_value(v, &sample, r.units)
        });
        out.insert(
            "minutely_15_units".into(),
            units_block(&r.minutely_15, r, false),
        );
        out.insert("minutely_15".into(), block);
    }

    if !r.daily.is_empty() {
        let days: Vec<Day> = (0..n_days)
            .map(|i| {
                let date = first_day + Duration::days(i);
                let m = midnight(date);
                Day {
                    date,
                    midnight: m,
                    samples: (0..24).map(|h| model.at(m + Duration::hours(h))).collect(),
                    sun: solar::sun_day(lat, lon, date, offset),
                    lat,
                    lon,
                }
            })
            .collect();
        let mut d = Map::new();
        d.insert(
            "time".into(),
            Value::Array(
                days.iter()
                    .map(|day| {
                        if r.unixtime {
                            json!(day.midnight.timestamp())
                        } else {
                            json!(day.date.format("%Y-%m-%d").to_string())
                        }
                    })
                    .collect(),
            ),
        );
        for v in &r.daily {
            d.insert(
                v.clone(),
                Value::Array(
                    days.iter()
                        .map(|day| daily_value(v, day, r, offset))
                        .collect(),
                ),
            );
        }
        out.insert("daily_units".into(), units_block(&r.daily, r, false));
        out.insert("daily".into(), Value::Object(d));
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Vec<(String, String)> {
        s.split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }

    #[test]
    fn refuses_what_open_meteo_refuses() {
        let bad = |s: &str| Request::parse(&q(s), Api::Forecast).unwrap_err().0;
        assert!(bad("latitude=200&longitude=0").contains("Latitude must be in range of -90 to 90°"));
        assert!(bad("latitude=1").contains("'longitude' is required"));
        assert!(bad("latitude=1&longitude=2&temperature_unit=kelvin").contains("temperature_unit"));
        assert!(bad("latitude=1&longitude=2&hourly=temperature_3m").contains("temperature_3m"));
        assert!(bad("latitude=1&longitude=2&forecast_days=17").contains("forecast_days"));
        assert!(bad("latitude=1&longitude=2&timezone=Mars/Olympus").contains("timezone"));
    }

    #[test]
    fn accepts_repeated_and_comma_lists() {
        let r = Request::parse(
            &q("latitude=1,2&longitude=3,4&hourly=temperature_2m&hourly=uv_index"),
            Api::Forecast,
        )
        .unwrap();
        assert!(r.is_multi());
        assert_eq!(r.hourly, vec!["temperature_2m", "uv_index"]);
    }

    #[test]
    fn minutely_15_starts_at_the_current_quarter_and_holds_quarter_hour_amounts() {
        let r = Request::parse(
            &q(
                "latitude=52.52&longitude=13.41&minutely_15=precipitation&forecast_minutely_15=10\
                &hourly=precipitation&timeformat=unixtime",
            ),
            Api::Forecast,
        )
        .unwrap();
        let now = Utc.with_ymd_and_hms(2026, 1, 15, 10, 7, 30).unwrap();
        let a = answer(&r, Api::Forecast, now, false);
        let m = &a["minutely_15"];
        let times: Vec<i64> = m["time"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_i64().unwrap())
            .collect();
        assert_eq!(times.len(), 10);
        assert_eq!(
            times[0],
            Utc.with_ymd_and_hms(2026, 1, 15, 10, 0, 0)
                .unwrap()
                .timestamp()
        );
        assert!(times.windows(2).all(|w| w[1] - w[0] == 900));
        assert_eq!(a["minutely_15_units"]["precipitation"], "mm");
        let model = Model::new(52.52, 13.41);
        for (t, v) in times.iter().zip(m["precipitation"].as_array().unwrap()) {
            let middle = DateTime::from_timestamp(t - 450, 0).unwrap();
            let want = round(model.at(middle).precipitation / 4.0, 2);
            assert_eq!(v.as_f64().unwrap(), want, "at {t}");
        }
        let bad = Request::parse(
            &q("latitude=1&longitude=2&minutely_15=rain_3m"),
            Api::Forecast,
        );
        assert!(bad.unwrap_err().0.contains("rain_3m"));
    }

    #[test]
    fn the_moon_rises_about_once_a_day_and_the_full_moon_at_sunset() {
        let r = Request::parse(
            &q(
                "latitude=52.52&longitude=13.41&daily=moonrise,moonset,moon_phase,sunset\
                &timeformat=unixtime&timezone=Europe/Berlin&past_days=3&forecast_days=16",
            ),
            Api::Forecast,
        )
        .unwrap();
        // 2025-09-07 was a full moon (18:09 UTC).
        let now = Utc.with_ymd_and_hms(2025, 9, 7, 10, 0, 0).unwrap();
        let a = answer(&r, Api::Forecast, now, false);
        let d = &a["daily"];
        assert_eq!(a["daily_units"]["moon_phase"], "fraction");
        let col = |k: &str| d[k].as_array().unwrap().clone();
        let (rises, sets) = (col("moonrise"), col("moonset"));
        let (phases, sunsets) = (col("moon_phase"), col("sunset"));
        assert_eq!(rises.len(), 19);
        // The full moon's day is the fourth (three past days): phase near 0.5, rising within
        // an hour of sunset.
        let p = phases[3].as_f64().unwrap();
        assert!((p - 0.5).abs() < 0.03, "{p}");
        let rise = rises[3].as_i64().unwrap();
        let sunset = sunsets[3].as_i64().unwrap();
        assert!(
            (rise - sunset).abs() < 3600,
            "moonrise {rise}, sunset {sunset}"
        );
        // At most one day in these 19 without a moonrise, and one without a moonset; each
        // rise and set is where the moon crosses its rising altitude.
        let missing = |v: &[Value]| v.iter().filter(|x| x.is_null()).count();
        assert!(missing(&rises) <= 1, "{rises:?}");
        assert!(missing(&sets) <= 1, "{sets:?}");
        for t in rises.iter().chain(&sets).filter_map(Value::as_i64) {
            let alt = moon::altitude(52.52, 13.41, t);
            assert!((alt - moon::RISE_ALTITUDE).abs() < 0.3, "{t}: {alt}");
        }
        // The phase grows by about a thirtieth a day, wrapping at the new moon.
        for w in phases.windows(2) {
            let step = (w[1].as_f64().unwrap() - w[0].as_f64().unwrap()).rem_euclid(1.0);
            assert!((0.025..0.045).contains(&step), "{phases:?}");
        }
    }
}
