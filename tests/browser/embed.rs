//! End-to-end: Isobar embedded in other pages (issue 5): the example host pages in `public/`,
//! iframes sized by their height messages, `<isobar-weather>` elements in shadow roots that
//! share requests, re-render on attribute changes and stop when removed.

use std::time::Duration;

use crate::support::Harness;
use isobar_simulator::faults::{Endpoint, Fault, FaultTable};
use serde_json::Value;

/// `{widget id: {card: state}}` for every `<isobar-weather>` on the page.
const WIDGET_STATES: &str = "const o = {}; \
    document.querySelectorAll('isobar-weather').forEach((w, i) => { \
      const s = {}; \
      (w.shadowRoot ? w.shadowRoot.querySelectorAll('[data-card]') : []).forEach(c => s[c.dataset.card] = c.dataset.state); \
      o[w.id || i] = s; }); \
    return o;";

/// The example page `name` (in `public/`), pointed at the simulator.
pub(crate) fn example(h: &Harness, name: &str) -> String {
    format!("http://{}/public/{name}?{}", h.site, h.endpoints())
}

/// Waits until every widget on the page has every card ready; returns the states.
pub(crate) async fn wait_widgets_ready(h: &Harness) -> Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let states = h.js(WIDGET_STATES).await;
        let m = states.as_object().unwrap();
        let ready = !m.is_empty()
            && m.values().all(|w| {
                let w = w.as_object().unwrap();
                !w.is_empty() && w.values().all(|s| s == "ready")
            });
        if ready {
            return states;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "widgets not ready: {states}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Opens the example page `name` against the simulator and waits for every widget to fill.
async fn open_example(h: &Harness, name: &str) -> Value {
    h.client.goto(&example(h, name)).await.unwrap();
    wait_widgets_ready(h).await
}

/// Each widget's size, and each of its cards' box relative to the widget.
const LAYOUT: &str = "const o = {}; \
    document.querySelectorAll('isobar-weather').forEach(w => { \
      const r = w.getBoundingClientRect(); \
      const cards = [...w.shadowRoot.querySelectorAll('[data-card], .header')].map(c => { \
        const b = c.getBoundingClientRect(); \
        return [c.dataset.card || 'header', Math.round(b.x - r.x), Math.round(b.y - r.y), Math.round(b.width), Math.round(b.height)]; }); \
      o[w.id] = { width: Math.round(r.width), height: Math.round(r.height), cards }; }); \
    return o;";

#[tokio::test]
async fn three_elements_render_and_two_of_one_place_share_one_request() {
    let h = Harness::start(1280, 1000).await;
    let states = open_example(&h, "embed-elements.html").await;
    assert_eq!(states["berlin"].as_object().unwrap().len(), 7, "{states}");
    assert_eq!(
        states["berlin-compact"].as_object().unwrap().len(),
        3,
        "{states}"
    );
    assert_eq!(states["tokyo"].as_object().unwrap().len(), 4, "{states}");
    // Two places: one forecast request each, though two widgets show Berlin.
    assert_eq!(h.sim.state.count(Endpoint::Forecast), 2);
    // Air quality: Berlin (once) and Tokyo; the compact Berlin widget shows no air card.
    assert_eq!(h.sim.state.count(Endpoint::AirQuality), 2);
    // Shadow roots: the page's own CSS does not reach in, the widget's does not leak out.
    let leaked = h
        .js("return getComputedStyle(document.querySelector('h1')).fontFamily")
        .await;
    assert!(leaked.as_str().unwrap().contains("Georgia"), "{leaked}");
    assert_eq!(
        h.js("return document.querySelectorAll('[data-card]').length")
            .await,
        0,
        "cards must live in shadow roots"
    );
    // Theming: a custom property and ::part() from the host page.
    let themed = h
        .js("const c = document.getElementById('tokyo').shadowRoot.querySelector('[data-card]'); \
             const s = getComputedStyle(c); return [s.borderTopLeftRadius, s.boxShadow !== 'none'];")
        .await;
    assert_eq!(themed, serde_json::json!(["4px", true]));
    assert!(
        h.console_errors().await.is_empty(),
        "{:?}",
        h.console_errors().await
    );
    // Nothing overflows its card, even in the 300 px compact widget (only the hourly list
    // scrolls, by design, and it is focusable).
    assert_eq!(h.js(OVERFLOWING).await, serde_json::json!([]));
    h.screenshot("embed-elements-1280").await;
    h.close().await;
}

#[tokio::test]
async fn hostile_css_does_not_change_the_widgets_layout() {
    let h = Harness::start(1280, 1000).await;
    open_example(&h, "embed-hostile.html").await;
    let hostile = h.js(LAYOUT).await;
    h.screenshot("embed-hostile-1280").await;
    // The same page without its hostile stylesheet.
    h.js("document.getElementById('hostile').remove(); return true;")
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let plain = h.js(LAYOUT).await;
    assert_eq!(hostile, plain);
    // And the same as the plain example page with the same three widgets.
    open_example(&h, "embed-elements.html").await;
    assert_eq!(h.js(LAYOUT).await, plain);
    h.close().await;
}

#[tokio::test]
async fn an_attribute_change_re_renders_the_element() {
    let h = Harness::start(1280, 1000).await;
    open_example(&h, "embed-elements.html").await;
    let before = h.sim.state.count(Endpoint::Forecast);
    h.js("const w = document.getElementById('tokyo'); \
          w.setAttribute('lat', '-33.87'); w.setAttribute('lon', '151.21'); \
          w.setAttribute('name', 'Sydney'); w.setAttribute('cards', 'current,wind'); return true;")
        .await;
    h.wait_js(
        "Sydney",
        "const r = document.getElementById('tokyo').shadowRoot; \
         return r.querySelector('.place-name')?.textContent === 'Sydney' \
           && [...r.querySelectorAll('[data-card]')].map(c => c.dataset.card + ':' + c.dataset.state).join() === 'current:ready,wind:ready';",
        20,
    )
    .await;
    // Four attributes changed at once: one re-render, one new forecast request.
    assert_eq!(h.sim.state.count(Endpoint::Forecast), before + 1);
    h.close().await;
}

#[tokio::test]
async fn removing_an_element_aborts_its_requests_and_closes_its_live_connection() {
    let mut faults = FaultTable::default();
    faults.0.insert(
        Endpoint::AirQuality,
        Fault {
            delay_ms: Some(20_000),
            ..Fault::default()
        },
    );
    let h = Harness::start_with(faults, 1280, 1000).await;
    let relay = isobar_relay::spawn(isobar_relay::config::Config {
        listen: "127.0.0.1:0".into(),
        forecast_url: format!("http://{}/v1/forecast", h.sim.addr),
        ..isobar_relay::config::Config::default()
    })
    .await
    .unwrap();
    let live = format!("ws://{}/live", relay.addr);
    h.client
        .goto(&format!("http://{}/public/examples.css", h.site))
        .await
        .unwrap();
    // A host page made on the spot: one widget with a live feed and a slow air-quality call.
    h.js(&format!(
        "document.open(); document.write('<!doctype html><body></body>'); document.close(); \
         const w = document.createElement('isobar-weather'); w.id = 'w'; \
         for (const [k, v] of Object.entries({{lat: '48.85', lon: '2.35', name: 'Paris', live: '{live}', \
           forecast_url: 'http://{s}/v1/forecast', air_quality_url: 'http://{s}/v1/air-quality'}})) w.setAttribute(k, v); \
         document.body.append(w); \
         const s = document.createElement('script'); s.type = 'module'; s.src = '/isobar-widget.js'; document.body.append(s); \
         return true;",
        s = h.sim.addr
    ))
    .await;
    h.wait_js(
        "the widget live, its air call in flight",
        "const r = document.getElementById('w')?.shadowRoot; \
         return r?.querySelector('.live-status')?.dataset.live === 'live' \
           && r.querySelector('[data-card=current]')?.dataset.state === 'ready';",
        20,
    )
    .await;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while h.sim.state.open(Endpoint::AirQuality) != 1 {
        assert!(
            std::time::Instant::now() < deadline,
            "the air call never arrived"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        relay
            .state
            .metrics
            .connections
            .load(std::sync::atomic::Ordering::Relaxed),
        1
    );

    h.js("document.getElementById('w').remove(); return true;")
        .await;
    // Well before the 20 s delay is over, the request is gone and so is the socket.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let open = h.sim.state.open(Endpoint::AirQuality);
        let sockets = relay
            .state
            .metrics
            .connections
            .load(std::sync::atomic::Ordering::Relaxed);
        if open == 0 && sockets == 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "after removal: {open} air request(s) open, {sockets} live connection(s)"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = relay.shutdown.send(true);
    h.close().await;
}

#[tokio::test]
async fn iframes_are_sized_by_their_height_messages() {
    let h = Harness::start(1280, 900).await;
    h.client
        .goto(&example(&h, "embed-iframes.html"))
        .await
        .unwrap();
    h.wait_js(
        "both iframes ready and sized",
        "return [...document.querySelectorAll('iframe')].every(f => { \
           const d = f.contentDocument; \
           if (!d || !f.style.height) return false; \
           const cards = [...d.querySelectorAll('[data-card]')]; \
           return cards.length > 0 && cards.every(c => c.dataset.state === 'ready') \
             && Math.abs(parseFloat(f.style.height) - Math.ceil(d.body.getBoundingClientRect().height)) < 1; })",
        30,
    )
    .await;
    // No scrollbar: each iframe shows all of its content.
    let overflow = h
        .js("return [...document.querySelectorAll('iframe')].map(f => \
               f.contentDocument.documentElement.scrollHeight - f.clientHeight)")
        .await;
    for o in overflow.as_array().unwrap() {
        assert!(o.as_f64().unwrap() <= 0.0, "an iframe scrolls: {overflow}");
    }
    // The compact one fits its 300 px column; the transparent one lets the page show through.
    let compact = h
        .js("const f = document.querySelectorAll('iframe')[1]; const d = f.contentDocument; \
             return [f.clientWidth, d.documentElement.scrollWidth, \
                     getComputedStyle(d.body).backgroundColor, d.querySelector('.isobar').dataset.layout];")
        .await;
    assert_eq!(compact[0], 300);
    assert!(compact[1].as_f64().unwrap() <= 300.0, "{compact}");
    assert_eq!(compact[2], "rgba(0, 0, 0, 0)");
    assert_eq!(compact[3], "compact");
    h.screenshot("embed-iframes-1280").await;
    h.close().await;
}

/// The widgets' card bodies whose content overflows them (a scrolling region that the keyboard
/// cannot reach, and a card whose end is cut), as `id card`.
const OVERFLOWING: &str = "return [...document.querySelectorAll('isobar-weather')].flatMap(w => \
       [...w.shadowRoot.querySelectorAll('.card-body')] \
         .filter(b => b.scrollWidth > b.clientWidth || b.scrollHeight > b.clientHeight) \
         .map(b => w.id + ' ' + b.parentElement.dataset.card));";

#[tokio::test]
async fn a_strict_content_security_policy_is_enough() {
    // At a phone's width: the widget and the iframe stack.
    let h = Harness::start(390, 900).await;
    h.client.goto(&example(&h, "embed-csp.html")).await.unwrap();
    wait_widgets_ready(&h).await;
    h.wait_js(
        "the iframe ready and sized",
        "const f = document.querySelector('iframe'); const d = f.contentDocument; \
         return !!d && !!f.style.height && [...d.querySelectorAll('[data-card]')].every(c => c.dataset.state === 'ready');",
        30,
    )
    .await;
    let errors = h.console_errors().await;
    assert!(errors.is_empty(), "{errors:?}");
    h.screenshot("embed-csp-390").await;
    assert_eq!(h.js(OVERFLOWING).await, serde_json::json!([]));
    // On a desktop the Berlin widget is a 290 px column: its cards still hold what they show.
    h.client.set_window_size(1280, 1000).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(h.js(OVERFLOWING).await, serde_json::json!([]));
    h.screenshot("embed-csp-1280").await;
    h.close().await;
}

#[tokio::test]
async fn widgets_keep_their_size_while_their_cards_fill() {
    let mut faults = FaultTable::default();
    for e in [Endpoint::Forecast, Endpoint::AirQuality] {
        faults.0.insert(
            e,
            Fault {
                delay_ms: Some(1500),
                ..Fault::default()
            },
        );
    }
    let h = Harness::start_with(faults, 1280, 1000).await;
    h.client
        .goto(&example(&h, "embed-elements.html"))
        .await
        .unwrap();
    // Mounted (the live dashboard always states its layout), cards still loading.
    h.wait_js(
        "three mounted widgets with loading cards",
        "const ws = [...document.querySelectorAll('isobar-weather')]; \
         return ws.length === 3 && ws.every(w => w.shadowRoot?.querySelector('.isobar[data-layout]') \
           && [...w.shadowRoot.querySelectorAll('[data-card]')].every(c => c.dataset.state === 'loading'));",
        10,
    )
    .await;
    let loading = h.js(LAYOUT).await;
    wait_widgets_ready(&h).await;
    assert_eq!(h.js(LAYOUT).await, loading);
    h.close().await;
}
