//! A bounded soak of the relay binary (its own process, so its heap and log are its own):
//! for a few seconds, connection storms with resets, subscribe floods, ping floods, oversized
//! frames, slow headers and bad uploads, mixed with one well-behaved subscriber and one
//! station uploading every 100 ms. Afterwards the subscriber has every reading in order, the
//! relay's heap, connection slots and topics are back to their baseline, every kind of
//! refusal is counted, and the log did not flood.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{metric, metrics_at, reset_upgrade};
use futures_util::{SinkExt, StreamExt};
use isobar_core::live::{self, ServerMessage};
use isobar_testkit::{free_port, start_relay, KillOnDrop, TempDir};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

/// How long the hostile traffic lasts.
const SOAK: Duration = Duration::from_secs(8);

struct Relay {
    base: String,
    addr: std::net::SocketAddr,
    log: std::path::PathBuf,
    _process: KillOnDrop,
    _dir: TempDir,
}

impl Relay {
    async fn start() -> Relay {
        let port = free_port().unwrap();
        let dir = TempDir::new("soak").unwrap();
        let config = dir.0.join("relay.toml");
        std::fs::write(
            &config,
            format!(
                r#"listen = "127.0.0.1:{port}"
forecast_url = "http://127.0.0.1:9/v1/forecast"
header_timeout_s = 1
heartbeat_s = 2
# The bad uploads come "through the proxy" from another client than the station, which is
# not affected when that client is refused for failing too often.
trusted_proxies = ["127.0.0.1"]
idle_timeout_s = 5

[[stations]]
id = "SOAK"
key = "good"

[[stations]]
id = "OTHER"
key = "other"
ecowitt_passkey = "ECOPASS"
"#
            ),
        )
        .unwrap();
        let log = dir.0.join("relay.log");
        let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let process = start_relay(
            env!("CARGO_BIN_EXE_isobar-relay").as_ref(),
            &config,
            addr,
            "info",
            Some(&log),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        Relay {
            base: format!("http://{addr}"),
            addr,
            log,
            _process: process,
            _dir: dir,
        }
    }

    async fn health(&self) -> serde_json::Value {
        let text = reqwest::get(format!("{}/health", self.base))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        serde_json::from_str(&text).unwrap()
    }

    async fn metrics(&self) -> String {
        metrics_at(&format!("{}/metrics", self.base)).await
    }

    async fn heap(&self) -> f64 {
        metric(&self.metrics().await, "isobar_relay_heap_bytes").expect("the heap gauge")
    }

    async fn upload(&self, query: &str) -> u16 {
        reqwest::get(format!(
            "{}/weatherstation/updateweatherstation.php?{query}",
            self.base
        ))
        .await
        .map_or(0, |r| r.status().as_u16())
    }

    fn ws_url(&self) -> String {
        format!("ws://{}/live", self.addr)
    }
}

/// Runs `f` over and over until `stop`.
fn repeat<F, Fut>(stop: &Arc<AtomicBool>, f: F) -> tokio::task::JoinHandle<u64>
where
    F: Fn(u64) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let stop = stop.clone();
    tokio::spawn(async move {
        let mut n = 0;
        while !stop.load(Ordering::Relaxed) {
            f(n).await;
            n += 1;
        }
        n
    })
}

/// A connection that sends `messages` at once, reads what it is answered for a moment, and
/// goes (the last ones without reading all of it).
async fn flood(url: String, messages: Vec<String>, read_all: bool) {
    let Ok((ws, _)) = tokio_tungstenite::connect_async(url).await else {
        return;
    };
    let (mut tx, mut rx) = ws.split();
    let n = messages.len();
    let writer = tokio::spawn(async move {
        for m in messages {
            if tx.feed(Message::Text(m.into())).await.is_err() {
                return;
            }
        }
        let _ = tx.flush().await;
    });
    let want = if read_all { n + 1 } else { n / 10 };
    let mut got = 0;
    while got < want {
        match tokio::time::timeout(Duration::from_secs(5), rx.next()).await {
            Ok(Some(Ok(Message::Text(_)))) => got += 1,
            Ok(Some(Ok(_))) => {}
            _ => break,
        }
    }
    writer.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_relay_survives_a_mixed_attack_and_returns_to_its_baseline() {
    let relay = Relay::start().await;
    let http = reqwest::Client::new();
    // Warm up every path once, so the baseline includes what is allocated once for good.
    assert_eq!(relay.upload("ID=OTHER&PASSWORD=other&tempf=50").await, 200);
    assert_eq!(
        relay
            .upload("ID=SOAK&PASSWORD=good&winddir=0&tempf=50")
            .await,
        200
    );
    flood(relay.ws_url(), vec![r#"{"type":"ping"}"#.into(); 10], true).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let baseline_heap = relay.heap().await;
    let baseline = relay.health().await;
    assert_eq!(baseline["topics"], 2, "{baseline}");
    assert_eq!(baseline["connection_slots"], 0, "{baseline}");

    // The well-behaved subscriber.
    let (ws, _) = tokio_tungstenite::connect_async(relay.ws_url())
        .await
        .unwrap();
    let (mut sub_tx, mut sub_rx) = ws.split();
    sub_tx
        .send(Message::Text(
            r#"{"type":"subscribe","station":"SOAK"}"#.into(),
        ))
        .await
        .unwrap();
    // Subscribed before the attack and the uploads begin: a reading published before the
    // subscription is made would come as its current value, in place of reading 0.
    loop {
        let m = tokio::time::timeout(Duration::from_secs(10), sub_rx.next())
            .await
            .expect("subscribed within 10 s");
        if let Some(Ok(Message::Text(t))) = m {
            if matches!(
                live::parse_server(&t),
                Some(ServerMessage::Subscribed { .. })
            ) {
                break;
            }
        }
    }
    // It reads until it has the last reading sent (told once the station is done) or 10 s
    // more have passed.
    let (last_tx, mut last_rx) = tokio::sync::watch::channel(None::<u32>);
    let readings = tokio::spawn(async move {
        let mut seen = Vec::new();
        let mut deadline = None;
        loop {
            if let Some(last) = *last_rx.borrow() {
                if seen.last() == Some(&last) {
                    break;
                }
                deadline.get_or_insert(Instant::now() + Duration::from_secs(10));
            }
            let wait = deadline.map_or(Duration::from_secs(60), |d: Instant| {
                d.saturating_duration_since(Instant::now())
            });
            tokio::select! {
                m = tokio::time::timeout(wait, sub_rx.next()) => match m {
                    Ok(Some(Ok(Message::Text(t)))) => {
                        if let Some(ServerMessage::Observation { values, .. }) =
                            live::parse_server(&t)
                        {
                            seen.push(values.wind_direction.unwrap() as u32);
                        }
                    }
                    Ok(Some(Ok(_))) => {}
                    _ => break,
                },
                _ = last_rx.changed() => {}
            }
        }
        seen
    });

    let stop = Arc::new(AtomicBool::new(false));
    let url = relay.ws_url();
    let addr = relay.addr;
    let base = relay.base.clone();
    let mut hostiles = Vec::new();
    // Connection storms with resets.
    hostiles.push(repeat(&stop, move |_| reset_upgrade(addr, "")));
    // Subscribe floods: undeclared stations, too many places, a declared one over and over;
    // every 5th goes without reading its answers.
    let u = url.clone();
    hostiles.push(repeat(&stop, move |i| {
        let msgs = (0..1000)
            .map(|j| match j % 3 {
                0 => format!(r#"{{"type":"subscribe","station":"X{i}_{j}"}}"#),
                1 => r#"{"type":"subscribe","station":"OTHER"}"#.to_owned(),
                _ => format!(r#"{{"type":"unsubscribe","station":"X{i}_{j}"}}"#),
            })
            .collect();
        flood(u.clone(), msgs, i % 5 != 0)
    }));
    // Ping floods.
    let u = url.clone();
    hostiles.push(repeat(&stop, move |i| {
        let msgs = (0..10_000)
            .map(|j| format!(r#"{{"type":"ping","id":"{j}"}}"#))
            .collect();
        flood(u.clone(), msgs, i % 2 == 0)
    }));
    // Oversized frames.
    let u = url.clone();
    hostiles.push(repeat(&stop, move |_| {
        let u = u.clone();
        async move {
            let config = WebSocketConfig::default()
                .max_frame_size(Some(4 << 20))
                .max_message_size(Some(4 << 20));
            if let Ok((mut ws, _)) =
                tokio_tungstenite::connect_async_with_config(u, Some(config), false).await
            {
                let big = "x".repeat(1 << 20);
                let _ = ws.send(Message::Text(big.into())).await;
                while let Ok(Some(Ok(_))) =
                    tokio::time::timeout(Duration::from_secs(2), ws.next()).await
                {}
            }
        }
    }));
    // Over the per-address limit: 70 connections at once, held a moment.
    let u = url.clone();
    hostiles.push(repeat(&stop, move |_| {
        let u = u.clone();
        async move {
            let mut held = Vec::new();
            for _ in 0..70 {
                if let Ok((ws, _)) = tokio_tungstenite::connect_async(u.clone()).await {
                    held.push(ws);
                }
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }));
    // Slow headers.
    hostiles.push(repeat(&stop, move |_| async move {
        if let Ok(mut tcp) = TcpStream::connect(addr).await {
            let _ = tcp.write_all(b"GET /health HTTP/1.1\r\n").await;
            for _ in 0..10 {
                tokio::time::sleep(Duration::from_millis(200)).await;
                if tcp.write_all(b"X").await.is_err() {
                    break;
                }
            }
        }
    }));
    // Bad uploads of every kind, and good-but-odd ones to the other station.
    let b = base.clone();
    let h = http.clone();
    hostiles.push(repeat(&stop, move |i| {
        let (b, h) = (b.clone(), h.clone());
        async move {
            let from = format!("203.0.113.{}", i % 4);
            let wu = |q: String| {
                h.get(format!("{b}/weatherstation/updateweatherstation.php?{q}"))
                    .header("x-forwarded-for", from.clone())
            };
            let eco = |ct: &'static str, body: String| {
                h.post(format!("{b}/data/report/"))
                    .header("content-type", ct)
                    .header("x-forwarded-for", from.clone())
                    .body(body)
            };
            let form = "application/x-www-form-urlencoded";
            let requests = [
                wu(format!("ID=SOAK&PASSWORD=guess{i}&tempf=70")),
                wu("tempf=70".into()),
                wu("ID=OTHER&PASSWORD=other&tempf=-9999&humidity=abc".into()),
                wu(
                    "ID=OTHER&PASSWORD=other&tempf=159.9&humidity=100&dateutc=2999-01-01+00:00:00"
                        .into(),
                ),
                wu("PASSKEY=ECOPASS&tempf=70".into()),
                eco("text/plain", "PASSKEY=ECOPASS&tempf=70".into()),
                eco(form, "ID=OTHER&PASSWORD=other&tempf=70".into()),
                eco(
                    form,
                    format!("PASSKEY=ECOPASS&tempf=70&pad={}", "x".repeat(20_000)),
                ),
            ];
            for r in requests {
                let _ = r.send().await;
            }
        }
    }));

    // Meanwhile the station uploads every 100 ms; each reading is numbered by its winddir.
    let start = Instant::now();
    let mut sent = 0u32;
    while start.elapsed() < SOAK {
        sent += 1;
        let status = relay
            .upload(&format!(
                "ID=SOAK&PASSWORD=good&tempf=60&humidity=50&winddir={sent}"
            ))
            .await;
        assert_eq!(status, 200, "upload {sent} during the attack");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop.store(true, Ordering::Relaxed);
    let mut rounds = Vec::new();
    for h in hostiles {
        rounds.push(h.await.unwrap());
    }
    println!("hostile rounds (resets, subscribe floods, ping floods, 1 MB frames, 70 at once, slow headers, bad upload sets): {rounds:?}");

    // The subscriber got every reading, in order: the first upload's (kept as the last
    // observation, 0) and then 1..=sent.
    last_tx.send(Some(sent)).unwrap();
    let seen = readings.await.unwrap();
    let expected: Vec<u32> = (0..=sent).collect();
    assert_eq!(seen, expected, "readings lost or out of order");

    // Everything held for the attack is given back.
    let deadline = Instant::now() + Duration::from_secs(10);
    let after = loop {
        let h = relay.health().await;
        if h["connections"] == 0 && h["connection_slots"] == 0 && h["topics"] == 2 {
            break h;
        }
        assert!(Instant::now() < deadline, "not back to the baseline: {h}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(after["subscriptions"], 0, "{after}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let heap = relay.heap().await;
    let metrics = relay.metrics().await;
    println!(
        "heap: {baseline_heap} bytes before, {heap} after; resident: {:?}",
        metric(&metrics, "isobar_relay_resident_memory_bytes")
    );
    assert!(
        heap <= baseline_heap + 256.0 * 1024.0,
        "the heap grew from {baseline_heap} to {heap} bytes"
    );

    // Each kind of refusal was counted.
    for (what, reason) in [
        ("connection", "per_ip"),
        ("message", "rate_limited"),
        ("message", "unknown_station"),
        ("upload", "unauthorized"),
        ("upload", "missing_credential"),
        ("upload", "no_values"),
        ("upload", "unsupported_media_type"),
        ("upload", "body_too_large"),
        ("upload", "too_many_failures"),
    ] {
        let name = format!("isobar_relay_refusals_total{{what=\"{what}\",reason=\"{reason}\"}}");
        let n = metric(&metrics, &name).unwrap_or(0.0);
        assert!(n > 0.0, "{name} is {n}:\n{metrics}");
    }
    for name in [
        "isobar_relay_closes_total{code=\"1009\",reason=\"too_large\"}",
        "isobar_relay_station_times_replaced_total",
        "isobar_relay_log_lines_suppressed_total",
    ] {
        let n = metric(&metrics, name).unwrap_or(0.0);
        assert!(n > 0.0, "{name} is {n}:\n{metrics}");
    }
    // Thousands of refusals, a few dozen log lines at most (one per kind per 10 s).
    let log = std::fs::read_to_string(&relay.log).unwrap();
    let lines = log.lines().count();
    println!("log lines: {lines}");
    assert!(lines < 40, "{lines} log lines:\n{log}");
}
