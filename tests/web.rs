//! Browser tests of components: mount, act, tick, assert on the DOM (wasm-bindgen-test in
//! headless Chromium).
#![cfg(target_arch = "wasm32")]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use isobar::components::card::Card;
use isobar::state::load::Load;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn container() -> web_sys::HtmlElement {
    let doc = web_sys::window().unwrap().document().unwrap();
    let el = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&el).unwrap();
    el.unchecked_into()
}

#[wasm_bindgen_test]
async fn card_goes_from_placeholder_to_value_and_retries_after_an_error() {
    let root = container();
    let state = RwSignal::new(Load::<u32>::Loading);
    let retries = Arc::new(AtomicUsize::new(0));
    let counted = retries.clone();
    let retry = Callback::new(move |()| {
        counted.fetch_add(1, Ordering::SeqCst);
    });
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! {
            <Card id="test" title="Test" state=state.into() retry body=|v: u32| format!("<p class=\"value\">{v}</p>")/>
        }
    });
    // The body is written by an effect, which runs once the frame is mounted.
    leptos::task::tick().await;
    let card = root.query_selector("[data-card=test]").unwrap().unwrap();
    assert_eq!(card.get_attribute("data-state").as_deref(), Some("loading"));
    assert_eq!(card.get_attribute("aria-busy").as_deref(), Some("true"));
    assert!(root.query_selector(".placeholder").unwrap().is_some());

    state.set(Load::Ready(21));
    leptos::task::tick().await;
    assert_eq!(card.get_attribute("data-state").as_deref(), Some("ready"));
    assert_eq!(card.get_attribute("aria-busy").as_deref(), Some("false"));
    let value = root.query_selector(".value").unwrap().unwrap();
    assert_eq!(value.text_content().as_deref(), Some("21"));
    assert!(root.query_selector(".placeholder").unwrap().is_none());

    state.set(Load::Failed(
        "The weather service could not be reached.".into(),
    ));
    leptos::task::tick().await;
    assert_eq!(card.get_attribute("data-state").as_deref(), Some("error"));
    let alert = root.query_selector("[role=alert]").unwrap().unwrap();
    assert!(alert
        .text_content()
        .unwrap()
        .contains("could not be reached"));
    let button: web_sys::HtmlElement = root
        .query_selector("button.retry")
        .unwrap()
        .unwrap()
        .unchecked_into();
    button.click();
    button.click();
    assert_eq!(retries.load(Ordering::SeqCst), 2);
}

#[wasm_bindgen_test]
fn a_zone_the_browser_does_not_know_uses_the_api_offset_labelled() {
    use isobar::zone::Zone;
    use isobar_core::clock::ZoneOffsets;
    let known = Zone {
        name: "Asia/Kathmandu".into(),
        fallback_offset: 0,
    };
    assert!(known.known());
    assert_eq!(known.fallback_label(), None);
    assert_eq!(known.offset_at(1_700_000_000), 20_700);
    let unknown = Zone {
        name: "Mars/Olympus_Mons".into(),
        fallback_offset: -12_600,
    };
    assert!(!unknown.known());
    assert_eq!(unknown.offset_at(1_700_000_000), -12_600);
    assert_eq!(unknown.fallback_label().as_deref(), Some(" (UTC-03:30)"));
}

/// Offsets are remembered over spans of two days (`zone::intl_offset`): asked hour by hour
/// across daylight-saving changes, forwards, backwards and jumping, every answer is the one the
/// rules give, including the last hour before and the first after each change.
#[wasm_bindgen_test]
fn remembered_offsets_are_right_on_both_sides_of_each_change() {
    use isobar::zone::Zone;
    use isobar_core::clock::ZoneOffsets;
    // (zone, the change's instant, offset before, offset after)
    let changes = [
        // Berlin, 29 March 2026 01:00 UTC: +01:00 → +02:00.
        ("Europe/Berlin", 1_774_746_000_i64, 3_600, 7_200),
        // New York, 1 November 2026 06:00 UTC: -04:00 → -05:00.
        ("America/New_York", 1_793_512_800, -14_400, -18_000),
        // Lord Howe, 4 April 2026 15:00 UTC: +11:00 → +10:30 (a half-hour change).
        ("Australia/Lord_Howe", 1_775_314_800, 39_600, 37_800),
    ];
    for (name, change, before, after) in changes {
        let zone = Zone {
            name: name.into(),
            fallback_offset: 0,
        };
        let expected = |t: i64| if t < change { before } else { after };
        // Hour by hour from three days before to three days after, then back, then jumping.
        let hours: Vec<i64> = (-72..=72).map(|h| change + h * 3600).collect();
        let jumps = [
            change - 1,
            change + 86_400,
            change - 86_400,
            change,
            change - 3601,
        ];
        for t in hours.iter().chain(hours.iter().rev()).chain(jumps.iter()) {
            assert_eq!(zone.offset_at(*t), expected(*t), "{name} at {t}");
        }
    }
}

/// In the browser JSON is read by `JSON.parse` (see `isobar_core::json`): every real
/// Open-Meteo answer in the fixtures must read as serde_json reads it, number for number, and
/// parse into the domain types.
#[wasm_bindgen_test]
fn the_browser_reads_every_sample_as_serde_json_does() {
    use isobar_core::open_meteo::{parse_air_quality, parse_forecast, parse_geocoding};
    use serde_json::Value;

    /// Where `a` and `b` differ, if they do. `20` and `20.0` are the same number (JavaScript
    /// has one kind), and a number may be one bit off: serde_json, without its
    /// `float_roundtrip` feature, may round the last bit differently from `JSON.parse`, which
    /// is exact.
    fn differ(a: &Value, b: &Value, at: &str) -> Option<String> {
        match (a, b) {
            (Value::Number(x), Value::Number(y)) => {
                let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
                ((x - y).abs() > f64::EPSILON * x.abs()).then(|| format!("{at}: {x} vs {y}"))
            }
            (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
                .iter()
                .zip(y)
                .enumerate()
                .find_map(|(i, (a, b))| differ(a, b, &format!("{at}[{i}]"))),
            (Value::Object(x), Value::Object(y)) if x.len() == y.len() => {
                x.iter().find_map(|(k, v)| match y.get(k) {
                    Some(w) => differ(v, w, &format!("{at}.{k}")),
                    None => Some(format!("{at}.{k} missing")),
                })
            }
            _ => (a != b).then(|| format!("{at}: {a} vs {b}")),
        }
    }
    macro_rules! sample {
        ($name:literal) => {
            (
                $name,
                include_str!(concat!("../core/tests/fixtures/samples/", $name)),
            )
        };
    }
    for (name, text) in [
        sample!("openmeteo_air_quality_current_delhi.json"),
        sample!("openmeteo_air_quality_current_london.json"),
        sample!("openmeteo_forecast_current_gmt_mph.json"),
        sample!("openmeteo_forecast_current_hourly_fahrenheit_mph.json"),
        sample!("openmeteo_forecast_daily_full_gmt.json"),
        sample!("openmeteo_forecast_unixtime_sydney.json"),
        sample!("openmeteo_geocoding_search_empty.json"),
        sample!("openmeteo_geocoding_search_enschede.json"),
    ] {
        let browser = isobar_core::json::parse(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let reference: Value = serde_json::from_str(text).unwrap();
        if let Some(d) = differ(&browser, &reference, "") {
            panic!("{name} reads differently at {d}");
        }
        let parsed = if name.contains("geocoding") {
            parse_geocoding(text).map(drop)
        } else if name.contains("air_quality") {
            parse_air_quality(text).map(drop)
        } else {
            parse_forecast(text).map(drop)
        };
        assert!(parsed.is_ok(), "{name}: {parsed:?}");
    }
    // Unix times stay whole numbers; what is not JSON is said in words.
    let v =
        isobar_core::json::parse(r#"{"time":1700000000,"t":-3.5,"n":null,"s":"é\"","b":[true]}"#)
            .unwrap();
    assert_eq!(v["time"].as_i64(), Some(1_700_000_000));
    assert_eq!(v["t"].as_f64(), Some(-3.5));
    assert!(v["n"].is_null() && v["s"] == "é\"" && v["b"][0] == true);
    let early = isobar_core::json::parse(r#"{"a":"#)
        .unwrap_err()
        .to_string();
    assert!(early.contains("ends too early"), "{early}");
    let not = isobar_core::json::parse("<html>").unwrap_err().to_string();
    assert!(not.starts_with("it is not JSON"), "{not}");
}

/// Callers that share one request get one answer of one age, however late each is resumed: a
/// second apart, two widgets of one place kept the same answer as two of different ages (the
/// later stamp won, and the earlier widget's kept data then looked newer than it had shown).
#[wasm_bindgen_test]
async fn callers_sharing_a_request_get_one_answer_time() {
    use std::future::Future;
    use std::task::Poll;
    let url = "data:text/plain,shared%20answer";
    let mut first = Box::pin(isobar::api::get_shared_at(url, true));
    let mut second = Box::pin(isobar::api::get_shared_at(url, false));
    // Each polled once: the first starts the request, the second joins it.
    futures_util::future::poll_fn(|cx| {
        assert!(first.as_mut().poll(cx).is_pending());
        assert!(second.as_mut().poll(cx).is_pending());
        Poll::Ready(())
    })
    .await;
    let (body, at) = first.await.unwrap();
    assert_eq!(&*body, "shared answer");
    // The second caller is resumed more than a second later.
    let wait = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 1100)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(wait).await.unwrap();
    let (again, later) = second.await.unwrap();
    assert_eq!(&*again, "shared answer");
    assert_eq!(later, at, "one request, one time");
}
