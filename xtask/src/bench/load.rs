//! `cargo xtask bench-load`: how long the dashboard takes to fill when every API call takes
//! D ms, with its calls made together (as shipped) and one after another (for comparison).
//! A benchmark that prints figures, not a test: nothing here asserts on time.

use clap::builder::TypedValueParser as _;

use std::time::{Duration, Instant};

use fantoccini::Client;
use isobar_simulator::faults::FaultTable;

use crate::{build, Result};

/// What to measure.
#[derive(clap::Args, Debug, Clone)]
pub struct LoadOptions {
    /// Delay the simulator adds to every request, ms.
    #[arg(long = "delay", value_name = "MS", default_value_t = 500)]
    pub delay_ms: u64,
    /// Page loads per mode.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..).map(usize::from))]
    pub runs: usize,
}

/// Starts ChromeDriver and a headless Chromium session (1280 × 1000).
pub async fn browser() -> Result<isobar_testkit::Browser> {
    Ok(isobar_testkit::Browser::start(isobar_testkit::BrowserOptions::default()).await?)
}

/// Times of one page load, ms from navigation start.
#[derive(Debug, Clone, Copy)]
struct Sample {
    first_paint: f64,
    placeholders: f64,
    wasm_start: f64,
    calls_start: f64,
    answers: f64,
    all_ready: f64,
}

async fn load_once(client: &Client, url: &str) -> Result<Sample> {
    client.goto("about:blank").await?;
    client.goto(url).await?;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let v = client
            .execute(
                "const m = n => (performance.getEntriesByName(n)[0] || {}).startTime;
                 const calls = performance.getEntriesByType('resource').filter(e => e.name.includes('/v1/'));
                 return [m('first-paint'), m('first-contentful-paint'), m('isobar:start'), m('isobar:ready'),
                         Math.min(...calls.map(e => e.startTime)), Math.max(...calls.map(e => e.responseEnd))];",
                vec![],
            )
            .await?;
        if let Some(ready) = v[3].as_f64() {
            // The answers this load kept would be shown at once by the next one (offline
            // first): every load here measures the network, so they go.
            client.execute(super::FORGET_KEPT_ANSWERS, vec![]).await?;
            let f = |i: usize| v[i].as_f64().unwrap_or(f64::NAN);
            return Ok(Sample {
                first_paint: f(0),
                placeholders: f(1),
                wasm_start: f(2),
                calls_start: f(4),
                answers: f(5),
                all_ready: ready,
            });
        }
        if Instant::now() > deadline {
            return Err("the page never marked isobar:ready".into());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Medians of one way of loading, ms from navigation start.
#[derive(Debug, Clone, Copy)]
pub struct LoadTimes {
    /// First paint.
    pub first_paint: f64,
    /// The placeholder cards visible: they are in the static HTML, so this is the first
    /// contentful paint.
    pub placeholders: f64,
    /// The WebAssembly started (`isobar:start`).
    pub wasm_start: f64,
    /// The first weather API call started (resource timing).
    pub calls_start: f64,
    /// The last weather API call answered (resource timing, its response's end).
    pub answers: f64,
    /// Every call answered, every card filled (`isobar:ready`).
    pub all_ready: f64,
}

/// The load figures.
#[derive(Debug, Clone, Copy)]
pub struct LoadFigures {
    /// Delay added to every API call, ms.
    pub delay_ms: f64,
    /// Loads per mode.
    pub runs: usize,
    /// Calls made together, as shipped.
    pub concurrent: LoadTimes,
    /// Calls made one after another (`fetch=sequential`), for comparison.
    pub sequential: LoadTimes,
    /// As shipped, each load in a new browser profile (nothing cached, nothing stored).
    pub cold: LoadTimes,
}

impl LoadFigures {
    /// (all ready − D) / D for the shipped, concurrent page.
    pub fn ratio(&self) -> f64 {
        (self.concurrent.all_ready - self.delay_ms) / self.delay_ms
    }
}

/// Runs the benchmark (the release bundle must be built) and prints a table.
pub async fn load(opts: LoadOptions) -> Result<LoadFigures> {
    let mut faults = FaultTable::default();
    faults.apply_flag("--delay", &opts.delay_ms.to_string())?;
    let sim = isobar_simulator::spawn("127.0.0.1:0", faults).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let site = listener.local_addr()?;
    let app = crate::run::static_site(build::dist());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let warm = browser().await?;
    let client = warm.client.clone();
    let s = sim.addr;
    let d = opts.delay_ms as f64;
    println!(
        "Load with every API call delayed by D = {} ms; median of {} loads each (127.0.0.1, files served brotli-compressed; warm: the bundle cached and the calls' addresses noted by a first load, the answers kept by it forgotten; cold: a new browser profile each time)",
        opts.delay_ms, opts.runs
    );
    println!(
        "{:<12} {:>12} {:>13} {:>11} {:>11} {:>11} {:>11} {:>11} {:>12}",
        "calls",
        "first paint",
        "placeholders",
        "wasm start",
        "calls start",
        "answers",
        "all ready",
        "ready - D",
        "(ready-D)/D"
    );
    let mut modes = Vec::new();
    for mode in ["concurrent", "sequential", "cold"] {
        let fetch = if mode == "sequential" {
            "&fetch=sequential"
        } else {
            ""
        };
        let url = format!(
            "http://{site}/?lat=52.52&lon=13.41&name=Berlin{fetch}&forecast_url=http://{s}/v1/forecast&air_quality_url=http://{s}/v1/air-quality&geocoding_url=http://{s}/v1/search"
        );
        let mut samples = Vec::new();
        if mode == "cold" {
            // A new browser (a new, empty profile) for each load.
            for _ in 0..opts.runs {
                let fresh = browser().await?;
                samples.push(load_once(&fresh.client, &url).await?);
                let _ = fresh.client.clone().close().await;
            }
        } else {
            load_once(&client, &url).await?; // warm-up: caches the bundle
            for _ in 0..opts.runs {
                samples.push(load_once(&client, &url).await?);
            }
        }
        let m = |f: fn(&Sample) -> f64| median(samples.iter().map(f).collect());
        let t = LoadTimes {
            first_paint: m(|x| x.first_paint),
            placeholders: m(|x| x.placeholders),
            wasm_start: m(|x| x.wasm_start),
            calls_start: m(|x| x.calls_start),
            answers: m(|x| x.answers),
            all_ready: m(|x| x.all_ready),
        };
        println!(
            "{:<12} {:>9.0} ms {:>10.0} ms {:>8.0} ms {:>8.0} ms {:>8.0} ms {:>8.0} ms {:>8.0} ms {:>12.2}",
            mode,
            t.first_paint,
            t.placeholders,
            t.wasm_start,
            t.calls_start,
            t.answers,
            t.all_ready,
            t.all_ready - d,
            (t.all_ready - d) / d
        );
        modes.push(t);
    }
    let _ = client.close().await;
    Ok(LoadFigures {
        delay_ms: d,
        runs: opts.runs,
        concurrent: modes[0],
        sequential: modes[1],
        cold: modes[2],
    })
}
