//! The calls that start before the WebAssembly has loaded (`index.html`'s first script,
//! `isobar_core::early`, `src/early.rs`): made once, taken over by the dashboard, and started
//! early on a first visit to coordinates and on a repeat visit to any address.

use crate::support::Harness;
use isobar_simulator::faults::{Endpoint, Fault};
use serde_json::Value;

/// When the page's forecast and air-quality calls started, and when the WebAssembly started
/// (`isobar:start`, once it had loaded), in ms from navigation; `null` for a call not yet
/// answered. Several calls to one endpoint would be several entries: the first is given.
const TIMES: &str = "
    const at = (part) => (performance.getEntriesByType('resource').find(e => e.name.includes(part)) || {}).startTime ?? null;
    return { forecast: at('/v1/forecast?'), air: at('/v1/air-quality?'),
             start: (performance.getEntriesByName('isobar:start')[0] || {}).startTime ?? null,
             left: Object.keys(window.isobarEarly || {}).length };";

/// Loads `url`, waits until both calls have answered and the cards are ready, and returns
/// [`TIMES`] with how many calls of each the simulator has had.
async fn load(h: &Harness, url: &str) -> (Value, u64, u64) {
    h.client.goto("about:blank").await.unwrap();
    h.client.goto(url).await.unwrap();
    h.wait_js(
        "both calls answered",
        "const t = (p) => performance.getEntriesByType('resource').some(e => e.name.includes(p) && e.responseEnd > 0);
         return t('/v1/forecast?') && t('/v1/air-quality?') && !!performance.getEntriesByName('isobar:start')[0];",
        20,
    )
    .await;
    h.wait_all_ready().await;
    let times = h.js(TIMES).await;
    let (forecasts, airs) = counts(h);
    (times, forecasts, airs)
}

/// How many forecast and air-quality calls the simulator has had.
fn counts(h: &Harness) -> (u64, u64) {
    (
        h.sim.state.count(Endpoint::Forecast),
        h.sim.state.count(Endpoint::AirQuality),
    )
}

/// The current card's temperature, as shown.
async fn temperature(h: &Harness) -> String {
    h.js(
        "return document.querySelector('[data-card=current] [data-value=temperature]').textContent",
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

fn started_early(t: &Value) -> bool {
    let start = t["start"].as_f64().unwrap();
    t["forecast"].as_f64().unwrap() < start && t["air"].as_f64().unwrap() < start
}

/// Answers held back 300 ms, so that a call the dashboard made itself after loading could not
/// be mistaken for an early one.
async fn harness() -> Harness {
    let h = Harness::start(1280, 1000).await;
    for e in [Endpoint::Forecast, Endpoint::AirQuality] {
        h.sim.state.set_fault(
            e,
            Fault {
                delay_ms: Some(300),
                ..Fault::default()
            },
        );
    }
    h
}

/// A first visit (a new browser profile) to coordinates: both calls start before the
/// WebAssembly has loaded, and each is made once: the dashboard takes the early call over.
#[tokio::test]
async fn a_first_visit_to_coordinates_starts_its_calls_before_the_webassembly_and_makes_each_once()
{
    let h = harness().await;
    let (t, forecasts, airs) = load(&h, &h.url("lat=52.52&lon=13.41&name=Berlin")).await;
    assert!(started_early(&t), "{t}");
    assert_eq!((forecasts, airs), (1, 1), "{t}");
    assert_eq!(t["left"], 0, "every early call is taken over: {t}");
    let temp = temperature(&h).await;
    assert!(temp.ends_with("°C"), "{temp}");
    let errors = h.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    h.close().await;
}

/// Settings the template cannot guess (imperial units) leave a first visit to the dashboard;
/// the next visit to the same address starts the calls the last one made, in those units.
/// An address without a place (the place viewed last, from storage) does the same.
#[tokio::test]
async fn a_repeat_visit_starts_the_calls_its_address_made_last_time() {
    let h = harness().await;
    let imperial = h.url("lat=40.71&lon=-74.01&name=New%20York&units=imperial");
    let (t, forecasts, airs) = load(&h, &imperial).await;
    assert!(!started_early(&t), "units=imperial is not guessed: {t}");
    assert_eq!((forecasts, airs), (1, 1));

    let (t, forecasts, airs) = load(&h, &imperial).await;
    assert!(started_early(&t), "the calls of the last visit: {t}");
    assert_eq!((forecasts, airs), (2, 2), "each call once: {t}");
    let temp = temperature(&h).await;
    assert!(temp.ends_with("°F"), "{temp}");

    // No place in the address: the place viewed last. Its first visit is the dashboard's, the
    // next one early.
    let stored = h.url("");
    let (t, ..) = load(&h, &stored).await;
    assert!(!started_early(&t), "{t}");
    let (t, forecasts, airs) = load(&h, &stored).await;
    assert!(started_early(&t), "{t}");
    assert_eq!((forecasts, airs), (4, 4), "each call once: {t}");
    let name = h.text(".place-name").await;
    assert_eq!(name, "New York");
    h.close().await;
}

/// A site that can hold the page itself back (`GET /`, never cached) while everything else is
/// served: the bundle as the harness serves it, and a gate.
struct HeldSite {
    addr: std::net::SocketAddr,
    /// `true` while page requests are held.
    hold: tokio::sync::watch::Sender<bool>,
    /// Page requests received while held.
    held: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

async fn held_site() -> HeldSite {
    use std::sync::atomic::Ordering;
    let (hold, gate) = tokio::sync::watch::channel(false);
    let held = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let count = held.clone();
    let app = axum::Router::new()
        .fallback_service(tower_http::services::ServeDir::new(
            crate::support::dist_dir(),
        ))
        .layer(axum::middleware::from_fn(
            move |request: axum::extract::Request, next: axum::middleware::Next| {
                let (mut gate, count) = (gate.clone(), count.clone());
                async move {
                    let page = request.uri().path() == "/";
                    if page && *gate.borrow() {
                        count.fetch_add(1, Ordering::SeqCst);
                        let _ = gate.wait_for(|held| !held).await;
                    }
                    let mut response = next.run(request).await;
                    if page {
                        // Not from the HTTP cache: every visit asks the server.
                        response.headers_mut().insert(
                            http::header::CACHE_CONTROL,
                            http::HeaderValue::from_static("no-cache"),
                        );
                    }
                    response
                }
            },
        ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    HeldSite { addr, hold, held }
}

/// Under the service worker, a repeat visit's calls start at the navigation itself: while
/// the page's HTML is still held back by the server, and the worker has no copy of it (so no
/// script of the page can have run),
/// the simulator already has both calls; once the page arrives it takes them over, and each
/// call is made once.
#[tokio::test]
async fn under_the_service_worker_a_repeat_visit_starts_its_calls_before_the_page_arrives() {
    use std::sync::atomic::Ordering;
    let h = harness().await;
    let site = held_site().await;
    let search = format!(
        "?lat=40.71&lon=-74.01&name=New%20York&units=imperial&{}",
        h.endpoints()
    );
    let url = format!("http://{}/{search}", site.addr);
    // The first visit installs the worker; the second, under it, tells it the calls noted.
    load(&h, &url).await;
    h.wait_js(
        "the service worker in control",
        "return !!navigator.serviceWorker.controller",
        20,
    )
    .await;
    load(&h, &url).await;
    h.wait_js(
        "the worker keeping the note",
        &format!(
            "return caches.open('isobar-early').then(c => c.match(new URL('isobar-early-note', location.href).href))
                .then(r => r ? r.text() : '').then(t => t.split(' ').includes({:?})).catch(() => false)",
            format!("@{search}")
        ),
        20,
    )
    .await;
    let before = counts(&h);

    // The worker's copy of the page goes, so nothing can show the page while the server holds
    // it back (the worker falls back to its copy after 3 s): a call made now is the worker's.
    let dropped = h
        .js("return caches.keys().then(ks => Promise.all(ks.filter(k => k.startsWith('isobar-shell-'))
                .map(k => caches.open(k).then(c => c.delete(new URL('./', location.href).href)))))
                .then(d => d.filter(Boolean).length)")
        .await;
    assert_eq!(dropped, 1, "the worker's copy of the page");
    site.hold.send_replace(true);
    let client = h.client.clone();
    client.goto("about:blank").await.unwrap();
    let navigation = tokio::spawn({
        let (client, url) = (client.clone(), url.clone());
        async move { client.goto(&url).await }
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let (held, now) = (site.held.load(Ordering::SeqCst), counts(&h));
        if held > 0 && now.0 > before.0 && now.1 > before.1 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "with the page held back ({held} held), the calls were not started: (forecast, air quality) {before:?} → {now:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    site.hold.send_replace(false);
    navigation.await.unwrap().unwrap();
    h.wait_all_ready().await;
    assert_eq!(counts(&h), (before.0 + 1, before.1 + 1), "each call once");
    let temp = temperature(&h).await;
    assert!(temp.ends_with("°F"), "{temp}");
    let errors = h.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    h.close().await;
}
