//! Every real Open-Meteo response in the samples parses into domain types, nulls included.

use std::path::PathBuf;

use isobar_core::open_meteo::{parse_air_quality, parse_forecast, parse_geocoding};
use isobar_core::units::{PrecipUnit, TempUnit, WindUnit};
use isobar_core::weather::SunDay;

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/samples")
}

/// The folders holding samples: the in-repo copy, and the shared folder when it is there.
fn sample_dirs() -> Vec<PathBuf> {
    let mut dirs = vec![fixture_dir()];
    let shared = std::env::var_os("ISOBAR_SAMPLES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/samples"));
    if shared.is_dir() {
        dirs.push(shared);
    }
    dirs
}

fn read(name: &str) -> String {
    std::fs::read_to_string(fixture_dir().join(name)).expect("fixture exists")
}

#[test]
fn every_open_meteo_sample_parses() {
    let mut parsed = 0;
    for dir in sample_dirs() {
        for entry in std::fs::read_dir(&dir).expect("sample dir readable") {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if !(name.starts_with("openmeteo_") && name.ends_with(".json")) {
                continue;
            }
            let body = std::fs::read_to_string(&path).unwrap();
            let result = if name.contains("geocoding") {
                parse_geocoding(&body).map(|_| ())
            } else if name.contains("air_quality") {
                parse_air_quality(&body).map(|_| ())
            } else {
                parse_forecast(&body).map(|_| ())
            };
            assert!(result.is_ok(), "{}: {:?}", path.display(), result);
            parsed += 1;
        }
    }
    assert!(
        parsed >= 8,
        "expected at least the 8 in-repo samples, parsed {parsed}"
    );
}

#[test]
fn fahrenheit_mph_current_and_hourly() {
    let f = parse_forecast(&read(
        "openmeteo_forecast_current_hourly_fahrenheit_mph.json",
    ))
    .unwrap();
    assert_eq!(f.units.temperature, TempUnit::Fahrenheit);
    assert_eq!(f.units.wind, WindUnit::Mph);
    assert_eq!(f.units.precipitation, PrecipUnit::Inch);
    assert_eq!(f.location.timezone, "America/New_York");
    assert_eq!(f.location.utc_offset_seconds, -14_400);
    let c = f.current.unwrap();
    assert_eq!(c.temperature, Some(74.2));
    assert_eq!(c.wind_gusts, Some(16.6));
    assert_eq!(c.weather_code, Some(0));
    // 2026-08-23T18:45 at UTC-4 = 22:45 UTC.
    assert_eq!(c.time, 1_787_525_100);
    assert_eq!(f.hourly.len(), 24);
    assert_eq!(f.hourly[9].weather_code, Some(63));
    assert_eq!(f.hourly[9].precipitation_probability, Some(55.0));
    assert_eq!(f.hourly[1].time - f.hourly[0].time, 3600);
    assert!(f.daily.is_empty());
}

#[test]
fn daily_in_gmt_keeps_sunsets_on_their_own_date() {
    let f = parse_forecast(&read("openmeteo_forecast_daily_full_gmt.json")).unwrap();
    assert_eq!(f.daily.len(), 7);
    let d = &f.daily[0];
    assert_eq!(d.date.to_string(), "2025-07-28");
    assert_eq!(d.temperature_max, Some(91.1));
    assert_eq!(d.uv_index_max, Some(7.25));
    match d.sun {
        Some(SunDay::RiseAndSet { sunrise, sunset }) => {
            // Sunrise 2025-07-28T12:20Z, sunset 2025-07-29T03:27Z: the next UTC date.
            assert_eq!(sunrise, 1_753_705_200);
            assert_eq!(sunset, 1_753_759_620);
        }
        other => panic!("expected a normal day, got {other:?}"),
    }
}

#[test]
fn unixtime_sydney() {
    let f = parse_forecast(&read("openmeteo_forecast_unixtime_sydney.json")).unwrap();
    assert_eq!(f.location.timezone, "Australia/Sydney");
    assert_eq!(f.current.as_ref().unwrap().time, 1_790_432_100);
    assert_eq!(f.current.as_ref().unwrap().relative_humidity, None);
    let d = &f.daily[0];
    // daily.time is local midnight as a UTC epoch: 2026-09-27 in Sydney.
    assert_eq!(d.date.to_string(), "2026-09-27");
    assert_eq!(
        d.sun,
        Some(SunDay::RiseAndSet {
            sunrise: 1_790_451_582,
            sunset: 1_790_495_759
        })
    );
}

#[test]
fn current_gmt_mph_has_all_seventeen() {
    let f = parse_forecast(&read("openmeteo_forecast_current_gmt_mph.json")).unwrap();
    let c = f.current.unwrap();
    assert_eq!(c.is_day, Some(true));
    assert_eq!(c.surface_pressure, Some(945.2));
    assert_eq!(c.wind_direction, Some(162.0));
    assert_eq!(f.units.wind, WindUnit::Mph);
}

#[test]
fn air_quality_samples() {
    let delhi = parse_air_quality(&read("openmeteo_air_quality_current_delhi.json")).unwrap();
    assert_eq!(delhi.us_aqi, Some(160.0));
    assert_eq!(delhi.carbon_monoxide, Some(570.0));
    assert_eq!(delhi.european_aqi, None);
    let london = parse_air_quality(&read("openmeteo_air_quality_current_london.json")).unwrap();
    assert_eq!(london.pm10, Some(6.3));
    // The samples carry no sub-indices: no dominant pollutant is claimed.
    assert_eq!(london.dominant(true), None);
}

#[test]
fn dominant_pollutant_is_the_highest_sub_index() {
    let body = r#"{"latitude":28.6,"longitude":77.2,"utc_offset_seconds":19800,"timezone":"Asia/Kolkata",
        "current":{"time":1790432100,"interval":3600,"us_aqi":160,"us_aqi_pm2_5":160,"us_aqi_ozone":72,
        "us_aqi_pm10":null,"european_aqi":55,"european_aqi_pm2_5":40,"european_aqi_ozone":55}}"#;
    let a = parse_air_quality(body).unwrap();
    use isobar_core::weather::Pollutant;
    assert_eq!(a.dominant(true), Some(Pollutant::Pm2_5));
    assert_eq!(a.dominant(false), Some(Pollutant::Ozone));
    assert_eq!(a.us_sub.len(), 2, "nulls are left out");
}

#[test]
fn geocoding_samples() {
    let places = parse_geocoding(&read("openmeteo_geocoding_search_enschede.json")).unwrap();
    assert_eq!(places.len(), 2);
    assert_eq!(places[0].name, "Enschede");
    assert_eq!(places[0].timezone.as_deref(), Some("Europe/Amsterdam"));
    assert_eq!(places[1].admin1.as_deref(), Some("Overijssel"));
    assert!(
        parse_geocoding(&read("openmeteo_geocoding_search_empty.json"))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn nulls_inside_arrays_are_none() {
    let body = r#"{"latitude":1,"longitude":2,"utc_offset_seconds":3600,"timezone":"Europe/Paris",
        "hourly":{"time":["2026-03-29T01:00","2026-03-29T02:00"],"temperature_2m":[null,4.5]},
        "daily":{"time":["2026-03-29"],"sunrise":[null],"sunset":[null],"uv_index_max":[null]}}"#;
    let f = parse_forecast(body).unwrap();
    assert_eq!(f.hourly[0].temperature, None);
    assert_eq!(f.hourly[1].temperature, Some(4.5));
    assert_eq!(f.hourly[1].weather_code, None);
    assert_eq!(f.daily[0].sun, None);
    assert_eq!(f.daily[0].uv_index_max, None);
}
