//! `cargo xtask bench-embed`: what a host page pays for Isobar widgets. A page with one
//! `<isobar-weather>` and a page with three (two of one place, as in
//! `public/embed-elements.html`) are loaded in headless Chromium with every API call delayed by
//! D ms: the bytes they download (the files the browser fetched, measured brotli-compressed as a
//! static host serves them, and the API answers) and the time from navigation to every card of
//! every widget ready (median of N loads). Prints figures; asserts nothing.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use isobar_simulator::faults::FaultTable;
use serde_json::Value;

use super::load;
use crate::{build, Result};

/// What to measure.
#[derive(Debug, Clone)]
pub struct EmbedOptions {
    /// Delay the simulator adds to every request, ms.
    pub delay_ms: u64,
    /// Page loads per page.
    pub runs: usize,
}

const WIDGETS_ONE: &str = r#"<isobar-weather lat="52.52" lon="13.41" name="Berlin" style="width:340px"></isobar-weather>"#;
const WIDGETS_THREE: &str = r#"<isobar-weather lat="52.52" lon="13.41" name="Berlin" style="width:340px"></isobar-weather>
<isobar-weather lat="52.52" lon="13.41" name="Berlin" compact cards="current,hourly,daily" style="width:300px"></isobar-weather>
<isobar-weather lat="35.68" lon="139.69" name="Tokyo" cards="current,uv,sun,air" style="width:340px"></isobar-weather>"#;

/// A host page: the widgets, the widget script, and a probe that marks when every card of
/// every widget is ready.
fn host_page(widgets: &str, sim: std::net::SocketAddr) -> String {
    let widgets = widgets.replace(
        "<isobar-weather ",
        &format!(
            "<isobar-weather forecast_url=\"http://{sim}/v1/forecast\" air_quality_url=\"http://{sim}/v1/air-quality\" "
        ),
    );
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench</title></head><body>
<div style="display:flex;gap:16px;align-items:flex-start">{widgets}</div>
<script type="module" src="/isobar-widget.js"></script>
<script>
const probe = setInterval(() => {{
  const ws = [...document.querySelectorAll('isobar-weather')];
  const ready = ws.every(w => {{
    const cards = w.shadowRoot ? [...w.shadowRoot.querySelectorAll('[data-card]')] : [];
    return cards.length > 0 && cards.every(c => c.dataset.state === 'ready');
  }});
  if (ready) {{ clearInterval(probe); window.__isobarReady = performance.now(); }}
}}, 2);
</script></body></html>"#
    )
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// One host page's figures.
#[derive(Debug, Clone)]
pub struct EmbedRow {
    /// Widgets on the page.
    pub widgets: usize,
    /// Bytes of the files fetched, brotli.
    pub files_brotli: u64,
    /// Files fetched (from the bundle).
    pub files: usize,
    /// API calls made.
    pub api_calls: usize,
    /// Bytes of the API answers, uncompressed.
    pub api_bytes: f64,
    /// Navigation to every card of every widget ready, ms (median, warm).
    pub all_ready_ms: f64,
}

/// Runs the benchmark (the release bundle must be built) and prints the figures.
pub async fn embed(opts: EmbedOptions) -> Result<Vec<EmbedRow>> {
    let mut faults = FaultTable::default();
    faults.apply_flag("--delay", &opts.delay_ms.to_string())?;
    let sim = isobar_simulator::spawn("127.0.0.1:0", faults).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let site = listener.local_addr()?;
    let (one, three) = (
        host_page(WIDGETS_ONE, sim.addr),
        host_page(WIDGETS_THREE, sim.addr),
    );
    let app = axum::Router::new()
        .route(
            "/bench-one.html",
            axum::routing::get(move || async move { axum::response::Html(one) }),
        )
        .route(
            "/bench-three.html",
            axum::routing::get(move || async move { axum::response::Html(three) }),
        )
        .merge(crate::run::static_site(build::dist()));
    tokio::spawn(async move { axum::serve(listener, app).await });
    let browser = load::browser().await?;
    let client = browser.client.clone();
    let dist = build::dist();
    println!(
        "Embedding: widgets on a host page, every API call delayed by D = {} ms, median of {} loads (127.0.0.1)",
        opts.delay_ms, opts.runs
    );
    println!(
        "{:<10} {:>14} {:>10} {:>14} {:>14} {:>12}",
        "widgets", "files brotli", "files", "API calls", "API bytes", "all ready"
    );
    let mut rows = Vec::new();
    for (label, page) in [("1", "bench-one.html"), ("3", "bench-three.html")] {
        let url = format!("http://{site}/{page}");
        let mut times = Vec::new();
        let mut last = Value::Null;
        // The first load is cold (no cache): its resources are the bytes a first visit costs.
        for run in 0..=opts.runs {
            client.goto("about:blank").await?;
            client.goto(&url).await?;
            let deadline = Instant::now() + Duration::from_secs(60);
            let ready = loop {
                let v = client
                    .execute("return window.__isobarReady ?? null", vec![])
                    .await?;
                if let Some(t) = v.as_f64() {
                    break t;
                }
                if Instant::now() > deadline {
                    return Err(format!("{page}: the widgets never became ready").into());
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            };
            // Answers kept by this load would be shown at once by the next (offline first):
            // every load here measures the network.
            client.execute(super::FORGET_KEPT_ANSWERS, vec![]).await?;
            if run == 0 {
                last = client
                    .execute(
                        "return performance.getEntriesByType('resource').map(e => [e.name, e.initiatorType, e.transferSize, e.decodedBodySize]);",
                        vec![],
                    )
                    .await?;
            } else {
                times.push(ready);
            }
        }
        // Files from the bundle, once each, brotli as a static host would serve them.
        let entries = last.as_array().cloned().unwrap_or_default();
        let mut files = HashSet::new();
        let (mut api_calls, mut api_bytes) = (0, 0.0);
        for e in &entries {
            let name = e[0].as_str().unwrap_or_default();
            if name.contains(&sim.addr.to_string()) {
                api_calls += 1;
            } else if let Some(path) = name.strip_prefix(&format!("http://{site}/")) {
                files.insert(path.to_owned());
            }
        }
        let mut brotli = 0;
        let mut names: Vec<&String> = files.iter().collect();
        names.sort();
        for f in &names {
            if let Ok(data) = std::fs::read(dist.join(f)) {
                brotli += build::brotli_len(&data);
            }
        }
        // The API answers' sizes: the browser may not read them across origins, so ask again.
        let http = reqwest::Client::new();
        for e in &entries {
            let name = e[0].as_str().unwrap_or_default();
            if name.contains(&sim.addr.to_string()) {
                if let Ok(r) = http.get(name).send().await {
                    api_bytes += r.bytes().await.map_or(0, |b| b.len()) as f64;
                }
            }
        }
        let row = EmbedRow {
            widgets: label.parse().unwrap_or(0),
            files_brotli: brotli,
            files: files.len(),
            api_calls,
            api_bytes,
            all_ready_ms: median(times),
        };
        println!(
            "{:<10} {:>10.1} KiB {:>10} {:>14} {:>10.1} KiB {:>9.0} ms",
            label,
            row.files_brotli as f64 / 1024.0,
            row.files,
            row.api_calls,
            row.api_bytes / 1024.0,
            row.all_ready_ms
        );
        rows.push(row);
    }
    println!("(files: widget script, JS glue, wasm, stylesheet, each fetched once per page; API bytes uncompressed as the simulator sends them; all ready: navigation to every card of every widget ready, warm cache)");
    let _ = client.close().await;
    Ok(rows)
}
