//! End-to-end: the dashboard's live feed against a real relay (issue 4).

use crate::support::Harness;
use isobar_relay::config::Config;
use isobar_simulator::faults::{Endpoint, FaultTable};

async fn relay(listen: &str, upstream: std::net::SocketAddr) -> isobar_relay::Running {
    isobar_relay::spawn(Config {
        listen: listen.into(),
        // The relay polls its own simulator in live mode: values move every few seconds.
        forecast_url: format!("http://{upstream}/v1/forecast?sim_live=1"),
        poll_interval_s: 1.0,
        ..Config::default()
    })
    .await
    .unwrap()
}

/// A relay polling the harness's simulator, with station `id` declared (WU password `k`).
async fn station_relay(h: &Harness, id: &str) -> isobar_relay::Running {
    isobar_relay::spawn(Config {
        listen: "127.0.0.1:0".into(),
        forecast_url: format!("http://{}/v1/forecast", h.sim.addr),
        stations: vec![isobar_relay::config::Station {
            id: id.into(),
            key: Some("k".into()),
            ..Default::default()
        }],
        ..Config::default()
    })
    .await
    .unwrap()
}

/// Opens the dashboard with `query` and waits until its cards are ready and its feed is live.
async fn open_live(h: &Harness, query: &str) {
    h.client.goto(&h.url(query)).await.unwrap();
    h.wait_all_ready().await;
    h.wait_js(
        "the live badge",
        "return document.querySelector('.live-status').dataset.live === 'live'",
        20,
    )
    .await;
}

#[tokio::test]
async fn observations_change_the_cards_and_a_relay_restart_resyncs() {
    let h = Harness::start(1280, 1400).await;
    let upstream = isobar_simulator::spawn("127.0.0.1:0", FaultTable::default())
        .await
        .unwrap();
    let r = relay("127.0.0.1:0", upstream.addr).await;
    let addr = r.addr;
    open_live(
        &h,
        &format!("lat=52.52&lon=13.41&name=Berlin&hour12=0&live=ws://{addr}/live"),
    )
    .await;
    assert_eq!(h.text(".live-status").await.trim(), "Live");

    // Live observations change the current-conditions card in place.
    let before = h.text("[data-card=current] .card-body").await;
    let stamp = h
        .js("return document.querySelector('[data-card=current]').dataset.updated")
        .await;
    h.wait_js(
        "a live change in the current card",
        &format!(
            "return document.querySelector('[data-card=current] .card-body').textContent !== {}",
            serde_json::to_string(&before).unwrap()
        ),
        30,
    )
    .await;
    let after_stamp = h
        .js("return document.querySelector('[data-card=current]').dataset.updated")
        .await;
    assert_ne!(stamp, after_stamp, "data-updated follows the observation");
    assert!(h
        .text("[data-card=current] .card-age")
        .await
        .starts_with("updated"));
    assert_eq!(
        h.js("return document.querySelector('.live-status').dataset.ignored")
            .await,
        "0"
    );

    // The relay goes away: the page says it is reconnecting, with a countdown.
    let _ = r.shutdown.send(true);
    let _ = r.task.await;
    h.wait_js(
        "reconnecting",
        "return document.querySelector('.live-status').dataset.live === 'reconnecting'",
        15,
    )
    .await;
    assert!(h.text(".live-status").await.contains("Reconnecting in"));
    let rest_before = (
        h.sim.state.count(Endpoint::Forecast),
        h.sim.state.count(Endpoint::AirQuality),
    );

    // It comes back on the same address: live again, and the REST data fetched again.
    let r2 = relay(&addr.to_string(), upstream.addr).await;
    h.wait_js(
        "live again",
        "return document.querySelector('.live-status').dataset.live === 'live'",
        40,
    )
    .await;
    h.wait_all_ready().await;
    assert!(
        h.sim.state.count(Endpoint::Forecast) > rest_before.0,
        "forecast refetched"
    );
    assert!(
        h.sim.state.count(Endpoint::AirQuality) > rest_before.1,
        "air quality refetched"
    );
    assert!(
        h.console_errors()
            .await
            .iter()
            .all(|e| e.contains("WebSocket")),
        "{:?}",
        h.console_errors().await
    );
    h.screenshot("live-berlin").await;
    let _ = r2.shutdown.send(true);
    h.close().await;
}

#[tokio::test]
async fn a_station_upload_reaches_the_current_card() {
    let h = Harness::start(1280, 1400).await;
    let r = station_relay(&h, "KTEST1").await;
    let addr = r.addr;
    open_live(
        &h,
        &format!("lat=37.77&lon=-122.42&name=Home&live=ws://{addr}/live&station=KTEST1"),
    )
    .await;
    assert_eq!(
        h.text("[data-card=current] [data-value=station]").await,
        "KTEST1 (waiting)"
    );
    // The station reports 98.6 °F: the card shows 37 °C (rounded) and names the station.
    let upload = format!(
        "http://{addr}/weatherstation/updateweatherstation.php?ID=KTEST1&PASSWORD=k&dateutc=now&tempf=98.6&humidity=12"
    );
    let status = reqwest::get(&upload).await.unwrap().status();
    assert_eq!(status, 200);
    h.wait_js(
        "the station's temperature",
        "return document.querySelector('[data-card=current] [data-value=temperature]').textContent.startsWith('37')",
        10,
    )
    .await;
    assert_eq!(
        h.text("[data-card=current] [data-value=station]").await,
        "KTEST1"
    );
    // No wind chill from the station: feels-like is computed by the relay (BoM formula).
    assert!(h
        .text("[data-card=current] .details")
        .await
        .contains("Feels like36°"));
    assert!(h
        .text("[data-card=current] .details")
        .await
        .contains("12 %"));
    h.screenshot("live-station").await;
    // A station the relay does not have is said to be so, not left "waiting" forever.
    open_live(
        &h,
        &format!("lat=37.77&lon=-122.42&name=Home&live=ws://{addr}/live&station=KNOSUCH9"),
    )
    .await;
    h.wait_js(
        "the unknown station said so",
        "return document.querySelector('[data-card=current] [data-value=station]').textContent === 'KNOSUCH9 (unknown)'",
        10,
    )
    .await;
    h.screenshot("live-station-unknown").await;
    // However long the id (up to 64 characters), it stays inside the card.
    let long = "K".repeat(64);
    open_live(
        &h,
        &format!("lat=37.77&lon=-122.42&name=Home&live=ws://{addr}/live&station={long}"),
    )
    .await;
    h.wait_js(
        "the long station id clipped inside its card",
        "const dd = document.querySelector('[data-card=current] [data-value=station]'); const card = document.querySelector('[data-card=current]').getBoundingClientRect(); return dd.textContent.endsWith('(unknown)') && dd.getBoundingClientRect().right <= card.right",
        10,
    )
    .await;
    h.screenshot("live-station-long-id").await;
    // And on a phone.
    h.client.set_window_size(390, 900).await.unwrap();
    h.wait_js(
        "the long station id inside its card on a phone",
        "const dd = document.querySelector('[data-card=current] [data-value=station]'); const card = document.querySelector('[data-card=current]').getBoundingClientRect(); return card.width < 400 && dd.getBoundingClientRect().right <= card.right",
        10,
    )
    .await;
    h.screenshot("live-station-long-id-phone").await;
    let _ = r.shutdown.send(true);
    h.close().await;
}

#[tokio::test]
async fn an_unreachable_relay_shows_offline_without_moving_the_cards_on_a_phone() {
    let h = Harness::start(390, 900).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port(); // closed again: nothing listens there
    h.client
        .goto(&h.url(&format!(
            "lat=52.52&lon=13.41&name=Berlin&live=ws://127.0.0.1:{port}/live"
        )))
        .await
        .unwrap();
    h.wait_all_ready().await;
    let layout = "const h = document.querySelector('.header').getBoundingClientRect(); \
                  const c = document.querySelector('[data-card]').getBoundingClientRect(); \
                  return [h.height, c.top];";
    let before = h.js(layout).await;
    h.wait_js(
        "offline",
        "return document.querySelector('.live-status').dataset.live === 'offline'",
        30,
    )
    .await;
    let badge = h.text(".live-status").await;
    assert!(badge.starts_with("Offline, retry in "), "{badge}");
    assert!(badge.contains("refreshing every 5 min"), "{badge}");
    assert_eq!(h.js(layout).await, before, "the header changed height");
    h.screenshot("live-offline-390").await;
    h.close().await;
}

/// A TCP proxy on a free loopback port to `target`, which a test can cut (every connection
/// through it dropped, new ones refused) and restore: the dashboard loses its relay while the
/// relay itself runs on.
struct Proxy {
    addr: std::net::SocketAddr,
    target: std::sync::Arc<std::sync::Mutex<std::net::SocketAddr>>,
    up: std::sync::Arc<std::sync::atomic::AtomicBool>,
    conns: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl Proxy {
    async fn start(target: std::net::SocketAddr) -> Proxy {
        use std::sync::atomic::Ordering;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let up = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let conns = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let target = std::sync::Arc::new(std::sync::Mutex::new(target));
        let (up2, conns2, target2) = (up.clone(), conns.clone(), target.clone());
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !up2.load(Ordering::SeqCst) {
                    continue; // dropped: refused
                }
                let target = *target2.lock().unwrap();
                let task = tokio::spawn(async move {
                    if let Ok(mut out) = tokio::net::TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut out).await;
                    }
                });
                conns2.lock().unwrap().push(task.abort_handle());
            }
        });
        Proxy {
            addr,
            target,
            up,
            conns,
        }
    }

    /// Sends new connections to `to` (another relay behind the same address, as a load
    /// balancer would).
    fn point_to(&self, to: std::net::SocketAddr) {
        *self.target.lock().unwrap() = to;
    }

    fn cut(&self) {
        self.up.store(false, std::sync::atomic::Ordering::SeqCst);
        for c in self.conns.lock().unwrap().drain(..) {
            c.abort();
        }
    }

    fn restore(&self) {
        self.up.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

/// A WU upload to the relay at `addr` for station `id` (password `k`), observed `ago` seconds
/// ago, at `tempf`.
async fn upload_to(addr: std::net::SocketAddr, id: &str, ago: i64, tempf: f64) {
    let at = chrono::Utc::now() - chrono::Duration::seconds(ago);
    let url = format!(
        "http://{addr}/weatherstation/updateweatherstation.php?ID={id}&PASSWORD=k&dateutc={}&tempf={tempf}",
        at.format("%Y-%m-%d+%H%%3A%M%%3A%S")
    );
    assert_eq!(reqwest::get(&url).await.unwrap().status(), 200);
}

/// A sample of the relay's `/metrics` at `addr` (`name` with its labels, as written).
async fn relay_metric(addr: std::net::SocketAddr, name: &str) -> Option<f64> {
    let text = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse::<f64>().ok())
}

/// The live readings the page has applied (its badge's `data-readings`).
async fn readings_applied(h: &Harness) -> u64 {
    h.client
        .execute(
            "return Number(document.querySelector('.live-status').dataset.readings)",
            vec![],
        )
        .await
        .unwrap()
        .as_u64()
        .unwrap()
}

/// Follows station `id` through `proxy` with the page: one reading uploaded to `uploads`, then
/// the way to the relay is cut (and `meanwhile` runs: a relay stopped, say), three readings
/// are uploaded, `before_return` runs (the proxy pointed elsewhere), and the way is back. The
/// page must show the last and have applied all four, each once.
async fn lose_the_relay_and_come_back(
    h: &Harness,
    proxy: &Proxy,
    uploads: std::net::SocketAddr,
    id: &str,
    meanwhile: impl FnOnce(),
    before_return: impl FnOnce(),
) {
    let temperature_is = |c: u32| {
        format!("return document.querySelector('[data-card=current] [data-value=temperature]').textContent.startsWith('{c}')")
    };
    open_live(
        h,
        &format!(
            "lat=37.77&lon=-122.42&name=Home&live=ws://{}/live&station={id}",
            proxy.addr
        ),
    )
    .await;
    upload_to(uploads, id, 100, 50.0).await;
    h.wait_js("the first reading (10 °C)", &temperature_is(10), 10)
        .await;
    proxy.cut();
    meanwhile();
    h.wait_js(
        "reconnecting",
        "return document.querySelector('.live-status').dataset.live === 'reconnecting'",
        15,
    )
    .await;
    for (ago, tempf) in [(90, 59.0), (80, 68.0), (70, 77.0)] {
        upload_to(uploads, id, ago, tempf).await;
    }
    before_return();
    proxy.restore();
    h.wait_js("the last missed reading (25 °C)", &temperature_is(25), 40)
        .await;
    h.wait_js(
        "live again",
        "return document.querySelector('.live-status').dataset.live === 'live'",
        10,
    )
    .await;
    assert_eq!(readings_applied(h).await, 4, "each reading applied once");
}

#[tokio::test]
async fn a_dashboard_that_loses_its_relay_gets_every_reading_it_missed_on_its_return() {
    let h = Harness::start(1280, 1400).await;
    let r = station_relay(&h, "KTEST2").await;
    let proxy = Proxy::start(r.addr).await;
    lose_the_relay_and_come_back(&h, &proxy, r.addr, "KTEST2", || {}, || {}).await;
    // The page came back with its position, and the relay sent every reading missed: not
    // only the current value (that would be a gap, `recovered: false`).
    let metric = |name| relay_metric(r.addr, name);
    assert_eq!(metric("isobar_relay_appends_total").await, Some(4.0));
    assert_eq!(metric("isobar_relay_replays_total").await, Some(1.0));
    assert_eq!(metric("isobar_relay_gaps_total").await, Some(0.0));
    let _ = r.shutdown.send(true);
    h.close().await;
}

#[tokio::test]
async fn a_dashboard_whose_relay_dies_gets_every_reading_from_another_relay_of_the_cluster() {
    let h = Harness::start(1280, 1400).await;
    let dir = isobar_testkit::TempDir::new("browser-cluster").unwrap();
    let port = isobar_testkit::free_port().unwrap();
    let _redis = isobar_testkit::start_redis(port, &dir).await.unwrap();
    let relay = || {
        isobar_relay::spawn(Config {
            listen: "127.0.0.1:0".into(),
            forecast_url: format!("http://{}/v1/forecast", h.sim.addr),
            redis_url: Some(format!("redis://127.0.0.1:{port}")),
            stations: vec![isobar_relay::config::Station {
                id: "KTEST3".into(),
                key: Some("k".into()),
                ..Default::default()
            }],
            ..Config::default()
        })
    };
    let (a, b) = (relay().await.unwrap(), relay().await.unwrap());
    // Every reading goes to relay B; the page follows relay A until A stops, and then the
    // same address leads to B, as behind a load balancer.
    let proxy = Proxy::start(a.addr).await;
    lose_the_relay_and_come_back(
        &h,
        &proxy,
        b.addr,
        "KTEST3",
        || {
            let _ = a.shutdown.send(true);
        },
        || proxy.point_to(b.addr),
    )
    .await;
    // Relay B replayed what the page missed at A: every reading, none skipped.
    let metric = |name| relay_metric(b.addr, name);
    assert_eq!(metric("isobar_relay_replays_total").await, Some(1.0));
    assert_eq!(metric("isobar_relay_gaps_total").await, Some(0.0));
    let _ = b.shutdown.send(true);
    h.close().await;
}
