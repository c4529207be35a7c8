//! The simulator over real HTTP on 127.0.0.1: its answers have the shapes of the real samples
//! and are accepted by the dashboard's parsers; its sun agrees with the reference vectors; its
//! faults do what they say.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Offset, TimeZone};
use isobar_core::open_meteo::{parse_air_quality, parse_forecast, parse_geocoding};
use isobar_simulator::faults::{Endpoint, Fault, FaultTable};
use isobar_simulator::solar::{sun_day, SunDay};
use serde_json::Value;

fn samples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../core/tests/fixtures/samples")
}

fn sample(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(samples().join(name)).unwrap()).unwrap()
}

async fn sim() -> isobar_simulator::Running {
    isobar_simulator::spawn("127.0.0.1:0", FaultTable::default())
        .await
        .unwrap()
}

async fn get(sim: &isobar_simulator::Running, path_and_query: &str) -> reqwest::Response {
    reqwest::get(format!("http://{}{}", sim.addr, path_and_query))
        .await
        .unwrap()
}

async fn get_json(sim: &isobar_simulator::Running, q: &str) -> (String, Value) {
    let body = get(sim, q).await.text().await.unwrap();
    let v = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{q}: {e}: {body}"));
    (body, v)
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

fn vars_of(v: &Value) -> String {
    v.as_object()
        .unwrap()
        .keys()
        .filter(|k| *k != "time" && *k != "interval")
        .cloned()
        .collect::<Vec<_>>()
        .join(",")
}

#[tokio::test]
async fn fahrenheit_mph_request_has_the_sample_shape() {
    let s = sim().await;
    let want = sample("openmeteo_forecast_current_hourly_fahrenheit_mph.json");
    let q = format!(
        "/v1/forecast?latitude=40.9&longitude=-73.1&current={}&hourly={}&temperature_unit=fahrenheit&wind_speed_unit=mph&precipitation_unit=inch&timezone=America/New_York&forecast_days=1",
        vars_of(&want["current"]),
        vars_of(&want["hourly"])
    );
    let (body, got) = get_json(&s, &q).await;
    assert_eq!(keys(&got), keys(&want));
    assert_eq!(got["current_units"], want["current_units"]);
    assert_eq!(got["hourly_units"], want["hourly_units"]);
    assert_eq!(keys(&got["current"]), keys(&want["current"]));
    assert_eq!(got["hourly"]["time"].as_array().unwrap().len(), 24);
    assert_eq!(got["current"]["interval"], 900);
    assert!(
        got["current"]["time"].as_str().unwrap().ends_with(":00")
            || got["current"]["time"].as_str().unwrap().ends_with(":15")
            || got["current"]["time"].as_str().unwrap().ends_with(":30")
            || got["current"]["time"].as_str().unwrap().ends_with(":45")
    );
    let parsed = parse_forecast(&body).unwrap();
    assert_eq!(parsed.location.timezone, "America/New_York");
    assert!(matches!(
        parsed.location.utc_offset_seconds,
        -18_000 | -14_400
    ));
}

#[tokio::test]
async fn daily_gmt_request_has_the_sample_shape() {
    let s = sim().await;
    let want = sample("openmeteo_forecast_daily_full_gmt.json");
    let modelled: Vec<&str> = isobar_simulator::forecast::DAILY_VARS.to_vec();
    let asked: Vec<String> = want["daily"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| modelled.contains(&k.as_str()))
        .cloned()
        .collect();
    assert!(asked.len() >= 15, "{asked:?}");
    let q = format!(
        "/v1/forecast?latitude=47.685364&longitude=-116.784294&daily={}&temperature_unit=fahrenheit&wind_speed_unit=mph",
        asked.join(",")
    );
    let (body, got) = get_json(&s, &q).await;
    assert_eq!(got["timezone"], "GMT");
    assert_eq!(got["utc_offset_seconds"], 0);
    for k in &asked {
        assert_eq!(got["daily_units"][k], want["daily_units"][k], "unit of {k}");
    }
    assert_eq!(got["daily"]["time"].as_array().unwrap().len(), 7);
    // As in the sample, in GMT a sunset in Idaho falls on the next UTC date.
    let day = got["daily"]["time"][0].as_str().unwrap();
    let sunset = got["daily"]["sunset"][0].as_str().unwrap();
    assert!(sunset > day, "{sunset} after {day}");
    let f = parse_forecast(&body).unwrap();
    assert_eq!(f.daily.len(), 7);
    for d in &f.daily {
        let (lo, hi) = (d.temperature_min.unwrap(), d.temperature_max.unwrap());
        assert!(lo <= hi && lo > -60.0 && hi < 130.0, "{lo} {hi}");
    }
}

#[tokio::test]
async fn unixtime_matches_the_sydney_sample() {
    let s = sim().await;
    let want = sample("openmeteo_forecast_unixtime_sydney.json");
    let (body, got) = get_json(
        &s,
        "/v1/forecast?latitude=-33.77856&longitude=150.89552&current=temperature_2m,weather_code&daily=sunrise,sunset&timeformat=unixtime&timezone=Australia/Sydney&forecast_days=1",
    )
    .await;
    assert_eq!(got["current_units"], want["current_units"]);
    assert_eq!(got["daily_units"], want["daily_units"]);
    assert!(got["current"]["time"].is_i64());
    assert!(got["daily"]["sunrise"][0].is_i64());
    let f = parse_forecast(&body).unwrap();
    let d = &f.daily[0];
    // daily.time is local midnight: 14:00 UTC (AEDT) or 13:00... as a UTC epoch.
    let midnight = got["daily"]["time"][0].as_i64().unwrap();
    let offset = got["utc_offset_seconds"].as_i64().unwrap();
    assert_eq!((midnight + offset).rem_euclid(86_400), 0);
    assert!(matches!(
        d.sun,
        Some(isobar_core::weather::SunDay::RiseAndSet { .. })
    ));
}

#[tokio::test]
async fn air_quality_and_geocoding_have_the_sample_shapes() {
    let s = sim().await;
    for name in [
        "openmeteo_air_quality_current_delhi.json",
        "openmeteo_air_quality_current_london.json",
    ] {
        let want = sample(name);
        let q = format!(
            "/v1/air-quality?latitude={}&longitude={}&current={}",
            want["latitude"],
            want["longitude"],
            vars_of(&want["current"])
        );
        let (body, got) = get_json(&s, &q).await;
        assert_eq!(keys(&got), keys(&want), "{name}");
        assert_eq!(got["current_units"], want["current_units"], "{name}");
        assert_eq!(got["current"]["interval"], 3600);
        let aq = parse_air_quality(&body).unwrap();
        assert!(aq.us_aqi.unwrap() >= 0.0);
    }
    let want = sample("openmeteo_geocoding_search_enschede.json");
    let (body, got) = get_json(
        &s,
        "/v1/search?name=Enschede&count=10&language=en&format=json",
    )
    .await;
    let place = &got["results"][0];
    for k in keys(place) {
        assert!(want["results"][0].get(&k).is_some(), "unexpected key {k}");
    }
    assert_eq!(parse_geocoding(&body).unwrap()[0].name, "Enschede");
    let (body, got) = get_json(&s, "/v1/search?name=Qwertyville").await;
    assert!(got.get("results").is_none());
    assert!(parse_geocoding(&body).unwrap().is_empty());
}

#[tokio::test]
async fn uv_is_zero_at_night_and_temperature_follows_the_day() {
    let s = sim().await;
    let (body, _) = get_json(
        &s,
        "/v1/forecast?latitude=48.85&longitude=2.35&hourly=temperature_2m,uv_index,is_day&timeformat=unixtime&timezone=auto&forecast_days=7",
    )
    .await;
    let f = parse_forecast(&body).unwrap();
    assert_eq!(f.location.timezone, "Europe/Paris");
    assert_eq!(f.hourly.len(), 7 * 24);
    let mut warmer_afternoons = 0;
    for day in f.hourly.chunks(24) {
        for h in day {
            if h.is_day == Some(false) {
                assert_eq!(h.uv_index, Some(0.0));
            }
        }
        // Local hours 04:00 and 15:00.
        if day[15].temperature > day[4].temperature {
            warmer_afternoons += 1;
        }
    }
    assert!(warmer_afternoons >= 6, "{warmer_afternoons}");
}

#[tokio::test]
async fn bad_requests_answer_like_open_meteo() {
    let s = sim().await;
    let r = get(
        &s,
        "/v1/forecast?latitude=200&longitude=0&current=temperature_2m",
    )
    .await;
    assert_eq!(r.status(), 400);
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"], true);
    assert!(v["reason"]
        .as_str()
        .unwrap()
        .contains("Latitude must be in range"));
    let r = get(&s, "/v1/nowhere").await;
    assert_eq!(r.status(), 404);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v, serde_json::json!({"reason": "Not Found", "error": true}));
}

#[tokio::test]
async fn faults_do_what_they_say() {
    let s = sim().await;
    let base = "/v1/forecast?latitude=52.52&longitude=13.41&current=temperature_2m";

    // Latency.
    let t = Instant::now();
    assert_eq!(
        get(&s, &format!("{base}&sim_delay=300")).await.status(),
        200
    );
    assert!(t.elapsed() >= Duration::from_millis(300));

    // Statuses, with Retry-After on 429.
    let r = get(&s, &format!("{base}&sim_status=429&sim_retry_after=7")).await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "7");
    assert_eq!(r.json::<Value>().await.unwrap()["error"], true);
    for code in [500, 503] {
        assert_eq!(
            get(&s, &format!("{base}&sim_status={code}")).await.status(),
            code
        );
    }

    // A body cut off part-way is not JSON, and the parser says so.
    let whole = get(&s, base).await.text().await.unwrap();
    let cut = get(&s, &format!("{base}&sim_truncate=0.5"))
        .await
        .text()
        .await
        .unwrap();
    assert!(cut.len() < whole.len());
    assert!(parse_forecast(&cut).is_err());

    // A response that never finishes: headers arrive, the body does not.
    let r = get(&s, &format!("{base}&sim_hang=1")).await;
    assert_eq!(r.status(), 200);
    let body = tokio::time::timeout(Duration::from_millis(500), r.text()).await;
    assert!(body.is_err(), "the body finished");

    // Configured at run time, for a number of requests, then recovered.
    s.state.set_fault(
        Endpoint::AirQuality,
        Fault {
            status: Some(503),
            times: Some(1),
            ..Fault::default()
        },
    );
    let aq = "/v1/air-quality?latitude=52.52&longitude=13.41&current=pm2_5";
    assert_eq!(get(&s, aq).await.status(), 503);
    assert_eq!(get(&s, aq).await.status(), 200);
    assert_eq!(
        get(&s, base).await.status(),
        200,
        "other endpoints unaffected"
    );

    // The same over the control API.
    let client = reqwest::Client::new();
    let url = format!("http://{}/_sim/faults/forecast", s.addr);
    let r = client
        .put(&url)
        .header("content-type", "application/json")
        .body(r#"{"status":500}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(get(&s, base).await.status(), 500);
    client
        .delete(format!("http://{}/_sim/faults", s.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(get(&s, base).await.status(), 200);

    let stats: Value = get(&s, "/_sim/stats").await.json().await.unwrap();
    assert!(stats["forecast"].as_u64().unwrap() >= 9);
    assert_eq!(stats["air-quality"], 2);
}

#[tokio::test]
async fn faults_set_by_flags_at_start() {
    let mut table = FaultTable::default();
    table.apply_flag("--status", "forecast=503").unwrap();
    table.apply_flag("--retry-after", "forecast=3").unwrap();
    let s = isobar_simulator::spawn("127.0.0.1:0", table).await.unwrap();
    let r = get(
        &s,
        "/v1/forecast?latitude=1&longitude=2&current=temperature_2m",
    )
    .await;
    assert_eq!(r.status(), 503);
    assert_eq!(r.headers()["retry-after"], "3");
    let r = get(&s, "/v1/search?name=Berlin").await;
    assert_eq!(r.status(), 200);
}

/// The instant of an RFC 3339 time with offset, as Unix seconds.
fn local_seconds(s: &str) -> i64 {
    DateTime::parse_from_rfc3339(s).unwrap().timestamp()
}

#[test]
fn sun_agrees_with_the_reference_vectors() {
    let v = sample("sun_reference_vectors.json");
    let mut compared = 0;
    for case in v["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let date = NaiveDate::parse_from_str(case["date"].as_str().unwrap(), "%Y-%m-%d").unwrap();
        let (lat, lon) = (case["lat"].as_f64().unwrap(), case["lon"].as_f64().unwrap());
        let tz: chrono_tz::Tz = case["tz"].as_str().unwrap().parse().unwrap();
        let noon = tz
            .from_local_datetime(&date.and_hms_opt(12, 0, 0).unwrap())
            .earliest()
            .unwrap();
        let offset: FixedOffset = noon.offset().fix();
        let got = sun_day(lat, lon, date, offset);
        let want = &case["noaa_algorithm"];
        match want["sunrise"].as_str().unwrap() {
            "polar_night" => assert_eq!(got, SunDay::PolarNight, "{name}"),
            "polar_day" => assert_eq!(got, SunDay::MidnightSun, "{name}"),
            rise => {
                let SunDay::RiseAndSet { sunrise, sunset } = got else {
                    panic!("{name}: expected rise and set, got {got:?}");
                };
                let set = want["sunset"].as_str().unwrap();
                let dr = (sunrise.timestamp() - local_seconds(rise)).abs();
                let ds = (sunset.timestamp() - local_seconds(set)).abs();
                assert!(dr <= 120, "{name}: sunrise off by {dr} s");
                assert!(ds <= 120, "{name}: sunset off by {ds} s");
                compared += 1;
            }
        }
    }
    assert!(compared >= 8, "compared {compared}");
}

#[tokio::test]
async fn polar_days_are_reported_as_open_meteo_does() {
    // The simulator answers for today, so ask near both poles: away from the equinoxes one
    // is in polar night (sunrise = sunset = local midnight, no daylight) and the other in
    // midnight sun (sunrise at midnight, sunset at the next midnight, 86,400 s).
    let s = sim().await;
    let q = |lat: i32| {
        format!("/v1/forecast?latitude={lat}&longitude=0&daily=sunrise,sunset,daylight_duration&timezone=GMT&forecast_days=1")
    };
    let (north_body, north) = get_json(&s, &q(89)).await;
    let (south_body, south) = get_json(&s, &q(-89)).await;
    let day = north["daily"]["time"][0].as_str().unwrap().to_owned();
    let today = NaiveDate::parse_from_str(&day, "%Y-%m-%d").unwrap();
    let near_equinox = [(3, 20), (9, 22)].iter().any(|&(m, d)| {
        let equinox = NaiveDate::from_ymd_opt(today.year(), m, d).unwrap();
        (today - equinox).num_days().abs() < 10
    });
    if near_equinox {
        return;
    }
    let north_night = north["daily"]["daylight_duration"][0].as_f64() == Some(0.0);
    let (night, night_body, sun, sun_body) = if north_night {
        (&north, &north_body, &south, &south_body)
    } else {
        (&south, &south_body, &north, &north_body)
    };
    let next = (today + chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    assert_eq!(night["daily"]["daylight_duration"][0], 0.0);
    assert_eq!(night["daily"]["sunrise"][0], format!("{day}T00:00"));
    assert_eq!(night["daily"]["sunset"][0], format!("{day}T00:00"));
    assert_eq!(sun["daily"]["daylight_duration"][0], 86_400.0);
    assert_eq!(sun["daily"]["sunrise"][0], format!("{day}T00:00"));
    assert_eq!(sun["daily"]["sunset"][0], format!("{next}T00:00"));
    use isobar_core::weather::SunDay as Parsed;
    assert_eq!(
        parse_forecast(night_body).unwrap().daily[0].sun,
        Some(Parsed::PolarNight)
    );
    assert_eq!(
        parse_forecast(sun_body).unwrap().daily[0].sun,
        Some(Parsed::MidnightSun)
    );
}

/// The variables the dashboard and the relay ask for are one list each in core
/// (`isobar_core::open_meteo`); the simulator must model every one of them.
#[test]
fn the_simulator_models_every_variable_the_dashboard_and_relay_ask_for() {
    use isobar_core::open_meteo as om;
    use isobar_simulator::{air, forecast};
    let blocks: [(&str, &[&str], &[&str]); 6] = [
        ("current", om::CURRENT_VARS, forecast::HOURLY_VARS),
        ("relay's current", om::LIVE_VARS, forecast::HOURLY_VARS),
        ("hourly", om::HOURLY_VARS, forecast::HOURLY_VARS),
        ("daily", om::DAILY_VARS, forecast::DAILY_VARS),
        ("air quality (EU)", om::AIR_QUALITY_VARS_EU, air::VARS),
        ("air quality (US)", om::AIR_QUALITY_VARS_US, air::VARS),
    ];
    for (block, asked, modelled) in blocks {
        for v in asked {
            assert!(
                modelled.contains(v),
                "{block} asks for {v}, which the simulator lacks"
            );
        }
    }
}

/// The places list asks for every kept place in one request (comma-separated coordinates) and
/// reads one answer per place, in order: the real request against the simulator, read by
/// core's parser.
#[tokio::test]
async fn several_places_in_one_request_come_back_in_order() {
    use isobar_core::open_meteo::{parse_places, places_url};
    let s = sim().await;
    let places = [(52.52, 13.41), (-33.87, 151.21), (64.15, -21.94)];
    let base = format!("http://{}/v1/forecast", s.addr);
    for n in [1, 3] {
        let url = places_url(&base, &places[..n], isobar_core::units::Units::default());
        let body = reqwest::get(&url).await.unwrap().text().await.unwrap();
        let currents = parse_places(&body, n).unwrap_or_else(|e| panic!("{e}: {body}"));
        assert_eq!(currents.len(), n);
        assert!(currents
            .iter()
            .all(|c| c.temperature.is_some() && c.weather_code.is_some()));
        // Asking for more than came back is an error in words, not a panic or a short list.
        assert!(parse_places(&body, n + 1).is_err());
    }
    // In the order asked: each answer's own coordinates say whose it is.
    let url = places_url(&base, &places, isobar_core::units::Units::default());
    let body: Value = reqwest::get(&url).await.unwrap().json().await.unwrap();
    for (answer, (lat, lon)) in body.as_array().unwrap().iter().zip(places) {
        assert!(
            (answer["latitude"].as_f64().unwrap() - lat).abs() < 0.1,
            "{answer}"
        );
        assert!(
            (answer["longitude"].as_f64().unwrap() - lon).abs() < 0.1,
            "{answer}"
        );
    }
}
