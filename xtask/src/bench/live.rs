//! `cargo xtask bench-live`: how long a relay message takes to reach the page's DOM. The
//! release dashboard runs in headless Chromium with `live=` and `station=` pointing at the
//! release relay; the bench uploads station readings (one every `--spacing` ms, each a
//! different temperature) and the page records, with a MutationObserver, when the current
//! card's temperature changes and when the next animation frame starts. Both sides read the
//! same wall clock (`performance.timeOrigin + performance.now()` in the page), so the latency
//! runs from just before the upload is sent (the relay pushes the message before it answers
//! the upload) to the DOM change. Prints figures; asserts nothing.

use clap::builder::TypedValueParser as _;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use isobar_simulator::faults::FaultTable;
use serde_json::Value;

use super::relay::percentile;
use super::{load, relay};
use crate::{build, Result};

/// What to measure.
#[derive(clap::Args, Debug, Clone)]
pub struct LiveOptions {
    /// Messages to time.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..).map(|n| n as usize))]
    pub messages: usize,
    /// Pause between messages, ms (more than a frame, so each change is its own).
    #[arg(long = "spacing", value_name = "MS", default_value_t = 25, value_parser = clap::value_parser!(u64).range(1..))]
    pub spacing_ms: u64,
}

/// Latency percentiles, ms.
#[derive(Debug, Clone, Copy)]
pub struct Latency {
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Largest.
    pub max: f64,
}

impl Latency {
    fn of(mut v: Vec<f64>) -> Latency {
        v.sort_by(f64::total_cmp);
        Latency {
            p50: percentile(&v, 0.5),
            p95: percentile(&v, 0.95),
            p99: percentile(&v, 0.99),
            max: v.last().copied().unwrap_or(f64::NAN),
        }
    }
}

/// The figures.
#[derive(Debug, Clone, Copy)]
pub struct LiveFigures {
    /// Messages sent.
    pub sent: usize,
    /// Messages whose change was seen in the DOM.
    pub seen: usize,
    /// Upload sent → DOM changed.
    pub dom: Latency,
    /// Upload sent → the next animation frame after the change.
    pub frame: Latency,
}

/// Installed in the page: records each change of the current card's temperature.
const OBSERVER: &str = r#"
const card = document.querySelector('[data-card=current]');
window.__isobarLive = [];
let last = null;
new MutationObserver(() => {
  const t = performance.timeOrigin + performance.now();
  const e = card.querySelector('[data-value=temperature]');
  const text = e ? e.textContent : '';
  if (text === last) return;
  last = text;
  const rec = { t, text, frame: null };
  window.__isobarLive.push(rec);
  requestAnimationFrame(() => { rec.frame = performance.timeOrigin + performance.now(); });
}).observe(card, { subtree: true, childList: true, characterData: true });
return true;
"#;

fn now_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// The temperature (°C) of message `i`: consecutive ones differ.
fn celsius(i: usize) -> i32 {
    5 + (i % 30) as i32
}

/// Runs the benchmark (the release bundle must be built) and prints the figures.
pub async fn live(opts: LiveOptions) -> Result<LiveFigures> {
    relay::build()?;
    let sim = isobar_simulator::spawn("127.0.0.1:0", FaultTable::default()).await?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let config =
        std::env::temp_dir().join(format!("isobar-bench-live-{}.toml", std::process::id()));
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:{port}\"\nforecast_url = \"http://{}/v1/forecast\"\nclient_queue = 4096\n\n[[stations]]\nid = \"BENCH\"\nkey = \"k\"\n",
            sim.addr
        ),
    )?;
    let relay = relay::start(&config, port).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let site = listener.local_addr()?;
    let app = crate::run::static_site(build::dist());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let browser = load::browser().await?;
    let client = browser.client.clone();
    let s = sim.addr;
    client
        .goto(&format!(
            "http://{site}/?lat=52.52&lon=13.41&name=Berlin&live=ws://127.0.0.1:{port}/live&station=BENCH&forecast_url=http://{s}/v1/forecast&air_quality_url=http://{s}/v1/air-quality"
        ))
        .await?;
    let wait = |script: &'static str| {
        let client = client.clone();
        async move {
            for _ in 0..300 {
                if client.execute(script, vec![]).await? == Value::Bool(true) {
                    return Ok(());
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err::<(), Box<dyn std::error::Error>>(format!("timed out: {script}").into())
        }
    };
    wait("return document.querySelector('.live-status')?.dataset.live === 'live' && document.querySelector('[data-card=current]')?.dataset.state === 'ready'").await?;
    client.execute(OBSERVER, vec![]).await?;

    let http = reqwest::Client::new();
    let upload = |c: i32| {
        format!(
            "http://127.0.0.1:{port}/weatherstation/updateweatherstation.php?ID=BENCH&PASSWORD=k&tempf={:.2}&humidity=50",
            f64::from(c) * 1.8 + 32.0
        )
    };
    // A first value unlike any of the timed ones, so the first timed one is a change.
    http.get(upload(-40)).send().await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    client
        .execute("window.__isobarLive.length = 0; return true;", vec![])
        .await?;

    eprintln!(
        "xtask: sending {} station readings, one every {} ms",
        opts.messages, opts.spacing_ms
    );
    let mut sent = Vec::with_capacity(opts.messages);
    let mut tick = tokio::time::interval(Duration::from_millis(opts.spacing_ms.max(1)));
    for i in 0..opts.messages {
        tick.tick().await;
        let t0 = now_ms();
        http.get(upload(celsius(i))).send().await?;
        sent.push(t0);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let records = client
        .execute(
            "return window.__isobarLive.map(r => [r.t, r.text, r.frame]);",
            vec![],
        )
        .await?;
    let records = records.as_array().cloned().unwrap_or_default();

    // Match each message with the first later change that shows its temperature.
    let (mut dom, mut frame) = (Vec::new(), Vec::new());
    let mut next = 0;
    for (i, t0) in sent.iter().enumerate() {
        let want = format!("{}°", celsius(i));
        while let Some(r) = records.get(next) {
            next += 1;
            let (Some(t), Some(text)) = (r[0].as_f64(), r[1].as_str()) else {
                continue;
            };
            if text.starts_with(&want) && t >= *t0 {
                dom.push(t - t0);
                if let Some(f) = r[2].as_f64() {
                    frame.push(f - t0);
                }
                break;
            }
        }
    }
    let _ = client.close().await;
    drop(relay);
    let _ = std::fs::remove_file(config);
    let figures = LiveFigures {
        sent: sent.len(),
        seen: dom.len(),
        dom: Latency::of(dom),
        frame: Latency::of(frame),
    };
    println!(
        "Live: station upload → relay → WebSocket → current card, release bundle in headless Chromium, 127.0.0.1"
    );
    println!(
        "  messages: {} sent, {} changes seen in the DOM",
        figures.sent, figures.seen
    );
    for (name, l) in [("DOM updated", figures.dom), ("next frame", figures.frame)] {
        println!(
            "  {name:<12} p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            l.p50, l.p95, l.p99, l.max
        );
    }
    Ok(figures)
}
