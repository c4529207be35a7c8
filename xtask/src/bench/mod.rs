//! `cargo xtask bench`: every figure of Isobar against its budgets, in one run. Prints a table
//! and writes the same figures as JSON (`target/bench.json`, or `--json PATH`). `--quick` runs
//! each part smaller (fewer messages, connections and viewers), for CI: it shows that every
//! part runs and prints; nothing here asserts on time.

use clap::builder::TypedValueParser as _;
use std::time::Instant;

use isobar_simulator::faults::FaultTable;
use serde_json::{json, Value};

pub mod audits;
pub mod embed;
pub mod fanout;
pub mod live;
pub mod load;
pub mod relay;

/// A script that forgets the weather answers the dashboard kept (offline first), so that the
/// next load measures the network rather than the kept copy.
pub const FORGET_KEPT_ANSWERS: &str = "Object.keys(localStorage).filter(k => k.startsWith('isobar:v1:answer')).forEach(k => localStorage.removeItem(k)); return true;";

use audits::FormFactor;

use crate::{build, tools, Result};

/// What to run.
#[derive(clap::Args, Debug, Clone)]
pub struct BenchOptions {
    /// Smaller runs, for CI.
    #[arg(long)]
    pub quick: bool,
    /// Delay the simulator adds to every API call in the load benchmarks, ms.
    #[arg(long = "delay", value_name = "MS", default_value_t = 500)]
    pub delay_ms: u64,
    /// Page loads per mode (at least 5).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(5..).map(usize::from))]
    pub runs: usize,
    /// Where to write the JSON (default: target/bench.json in the workspace).
    #[arg(long, value_name = "PATH")]
    pub json: Option<std::path::PathBuf>,
}

fn output(program: &str, args: &[&str]) -> String {
    std::process::Command::new(program)
        .args(args)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// The machine the figures were measured on.
fn machine() -> Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_default();
    let os = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                .map(|v| v.trim_matches('"').to_owned())
        })
        .unwrap_or_default();
    json!({
        "cores": std::thread::available_parallelism().map_or(0, |n| n.get()),
        "cpu": cpu,
        "os": os,
        "rustc": output("rustc", &["--version"]),
        "chromium": output(&tools::chromium().to_string_lossy(), &["--version"]),
        "node": output("node", &["--version"]),
    })
}

fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "NOT met"
    }
}

/// Runs everything and prints the table.
pub async fn all(opts: BenchOptions) -> Result<()> {
    let started = Instant::now();
    let mut rows: Vec<(String, String, String, bool)> = Vec::new();
    let mut row = |what: &str, measured: String, target: &str, met: bool| {
        rows.push((what.to_owned(), measured, target.to_owned(), met));
    };

    // Bundle.
    println!("== Bundle");
    let files = build::measure(&build::dist())?;
    let total = build::report(&files);
    let css = build::inlined_css(&build::dist())?;
    println!(
        "{:<44} {:>6.1} KiB {:>6.1} KiB {:>6.1} KiB   (counted in index.html)",
        css.name,
        css.raw as f64 / 1024.0,
        css.gzip as f64 / 1024.0,
        css.brotli as f64 / 1024.0
    );
    row(
        "first visit, brotli (bytes)",
        total.to_string(),
        &format!("≤ {} (the gate; aim 130000)", build::BUDGET_BROTLI),
        total <= build::BUDGET_BROTLI,
    );

    // Load.
    println!("\n== Load");
    let load = load::load(load::LoadOptions {
        delay_ms: opts.delay_ms,
        runs: opts.runs,
    })
    .await?;
    let over = load.concurrent.all_ready - load.delay_ms;
    row(
        "all cards ready − D (D = delay), warm",
        format!("{over:.0} ms"),
        "≤ 60 ms",
        over <= 60.0,
    );
    let cold = load.cold.all_ready - load.delay_ms;
    row(
        "all cards ready − D, cold (new profile)",
        format!("{cold:.0} ms"),
        "≤ 150 ms",
        cold <= 150.0,
    );

    // Live.
    println!("\n== Live");
    let live = live::live(live::LiveOptions {
        messages: if opts.quick { 100 } else { 1000 },
        spacing_ms: 25,
    })
    .await?;
    row(
        "relay message → DOM, p95",
        format!("{:.1} ms", live.dom.p95),
        "≤ 16 ms",
        live.dom.p95 <= 16.0,
    );

    // Relay.
    println!("\n== Relay");
    let relay = relay::relay(relay::RelayOptions {
        connections: if opts.quick { 1000 } else { 10_000 },
        viewers: if opts.quick { 100 } else { 1000 },
        rounds: 5,
        passes: 1,
        no_compare: true,
    })
    .await?;
    let top = relay.held.last().copied();
    if let Some(h) = top {
        row(
            &format!("memory per idle connection at {}", h.connections),
            format!("{:.1} KiB", h.per_connection_kib),
            "≤ 16 KB (15.6 KiB)",
            h.per_connection_kib * 1024.0 <= 16_000.0,
        );
    }
    row(
        &format!("broadcast to {} subscribers, p99", relay.subscribers),
        format!("{:.0} ms", relay.broadcast_ms.1),
        "< 100 ms",
        relay.broadcast_ms.1 < 100.0,
    );
    // The first poll comes with the first subscription, then one per interval.
    let per_interval = (relay.upstream_calls as f64 - 1.0) / relay.intervals.floor().max(1.0);
    row(
        &format!("upstream calls per interval, {} viewers", relay.viewers),
        format!("{per_interval:.2}"),
        "1",
        (per_interval - 1.0).abs() < 0.01,
    );

    // Embedding.
    println!("\n== Embedding");
    let embed = embed::embed(embed::EmbedOptions {
        delay_ms: opts.delay_ms,
        runs: opts.runs,
    })
    .await?;

    // Lighthouse and axe-core, against the simulator with no delay.
    println!("\n== Lighthouse and axe-core");
    let sim = isobar_simulator::spawn("127.0.0.1:0", FaultTable::default()).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let site = listener.local_addr()?;
    let app = crate::run::static_site(build::dist());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let s = sim.addr;
    let endpoints = format!(
        "forecast_url=http://{s}/v1/forecast&air_quality_url=http://{s}/v1/air-quality&geocoding_url=http://{s}/v1/search"
    );
    let dashboard = format!("http://{site}/?lat=52.52&lon=13.41&name=Berlin&{endpoints}");
    // Each form factor `runs` times (once in a quick run): the run with the median performance
    // score stands for it, and every run's scores are printed and kept in the JSON.
    let lh_runs = if opts.quick { 1 } else { opts.runs };
    let mut lighthouse = Vec::new();
    let mut lighthouse_runs = Vec::new();
    for ff in [FormFactor::Desktop, FormFactor::Mobile] {
        let mut runs = Vec::new();
        for _ in 0..lh_runs {
            let url = dashboard.clone();
            let lh = tokio::task::spawn_blocking(move || {
                audits::lighthouse(&url, ff).map_err(|e| e.to_string())
            })
            .await??;
            println!(
                "Lighthouse {:<8} {}",
                ff.name(),
                lh.scores
                    .iter()
                    .map(|(k, v)| format!("{k} {v:.0}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            for f in &lh.failing {
                println!("    below full marks: {f}");
            }
            runs.push(lh);
        }
        runs.sort_by(|a, b| a.scores[0].1.total_cmp(&b.scores[0].1));
        lighthouse.push(runs[runs.len() / 2].clone());
        lighthouse_runs.push(runs);
    }
    let per_run = |i: usize, k: usize| {
        lighthouse_runs[i]
            .iter()
            .map(|l| format!("{:.0}", l.scores[k].1))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // Desktop: full marks in every category of every run.
    let desktop_all_100 = lighthouse_runs[0]
        .iter()
        .all(|l| l.scores.iter().all(|(_, v)| *v >= 100.0));
    row(
        "Lighthouse desktop: perf, a11y, best practices, SEO",
        if lh_runs == 1 {
            lighthouse[0]
                .scores
                .iter()
                .map(|(_, v)| format!("{v:.0}"))
                .collect::<Vec<_>>()
                .join(" / ")
        } else {
            (0..4)
                .map(|k| format!("[{}]", per_run(0, k)))
                .collect::<Vec<_>>()
                .join(" / ")
        },
        "100 each",
        desktop_all_100,
    );
    let mobile_perf = lighthouse[1].scores[0].1;
    row(
        "Lighthouse mobile performance (median)",
        if lh_runs == 1 {
            format!("{mobile_perf:.0} (one run)")
        } else {
            format!("{mobile_perf:.0} of [{}]", per_run(1, 0))
        },
        "≥ 98",
        mobile_perf >= 98.0,
    );

    let mut pages = vec![("dashboard".to_owned(), dashboard.clone())];
    for p in [
        "embed-iframes",
        "embed-elements",
        "embed-hostile",
        "embed-csp",
    ] {
        pages.push((
            format!("public/{p}.html"),
            format!("http://{site}/public/{p}.html?{endpoints}"),
        ));
    }
    let browser = load::browser().await?;
    let client = browser.client.clone();
    let axe = audits::axe(&client, &pages).await?;
    let _ = client.close().await;
    let violations: usize = axe.iter().map(|a| a.violations.len()).sum();
    for a in &axe {
        println!(
            "axe-core {:<28} {} violations, {} rules passed{}",
            a.page,
            a.violations.len(),
            a.passes,
            if a.violations.is_empty() {
                String::new()
            } else {
                format!(": {}", a.violations.join("; "))
            }
        );
    }
    row(
        &format!("axe-core violations ({} pages)", axe.len()),
        violations.to_string(),
        "0",
        violations == 0,
    );

    // The table.
    let m = machine();
    println!(
        "\n== Isobar against its budgets{} ({} cores, {}, {}; {:.0} s)",
        if opts.quick { ", quick run" } else { "" },
        m["cores"],
        m["cpu"].as_str().unwrap_or_default(),
        m["os"].as_str().unwrap_or_default(),
        started.elapsed().as_secs_f64()
    );
    println!(
        "{:<52} {:>18}  {:<20} verdict",
        "figure", "measured", "target"
    );
    for (what, measured, target, met) in &rows {
        println!("{what:<52} {measured:>18}  {target:<20} {}", verdict(*met));
    }

    // The JSON.
    let lat = |l: live::Latency| json!({"p50": l.p50, "p95": l.p95, "p99": l.p99, "max": l.max});
    let times = |t: load::LoadTimes| {
        json!({"first_paint_ms": t.first_paint, "placeholders_visible_ms": t.placeholders,
               "wasm_start_ms": t.wasm_start, "calls_start_ms": t.calls_start, "answers_ms": t.answers, "all_ready_ms": t.all_ready})
    };
    let report = json!({
        "date": chrono_free_date(),
        "quick": opts.quick,
        "machine": m,
        "bundle": {
            "files": files.iter().map(|f| json!({"name": f.name, "raw": f.raw, "gzip": f.gzip, "brotli": f.brotli})).collect::<Vec<_>>(),
            "css_inlined_in_html": {"raw": css.raw, "gzip": css.gzip, "brotli": css.brotli},
            "first_visit_brotli": total,
            "budget_brotli": build::BUDGET_BROTLI,
            "aim_brotli": 120 * 1024,
        },
        "load": {
            "delay_ms": load.delay_ms,
            "runs": load.runs,
            "concurrent": times(load.concurrent),
            "sequential": times(load.sequential),
            "cold": times(load.cold),
            "ready_minus_delay_over_delay": load.ratio(),
        },
        "live": {"messages": live.sent, "seen": live.seen, "dom_ms": lat(live.dom), "next_frame_ms": lat(live.frame)},
        "relay": {
            "idle_rss_kib": relay.idle_rss_kib,
            "held": relay.held.iter().map(|h| json!({"connections": h.connections, "rss_kib": h.rss_kib, "per_connection_kib": h.per_connection_kib})).collect::<Vec<_>>(),
            "broadcast": {"subscribers": relay.subscribers, "p50_ms": relay.broadcast_ms.0, "p99_ms": relay.broadcast_ms.1, "max_ms": relay.broadcast_ms.2,
                          "relay_side_p50_le_ms": relay.relay_side_ms.0, "relay_side_p99_le_ms": relay.relay_side_ms.1,
                          "relay_cpu_per_broadcast_ms": relay.cpu_per_broadcast_ms},
            "upstream": {"viewers": relay.viewers, "calls": relay.upstream_calls, "intervals": relay.intervals},
        },
        "embed": embed.iter().map(|e| json!({"widgets": e.widgets, "files_brotli": e.files_brotli, "files": e.files,
            "api_calls": e.api_calls, "api_bytes": e.api_bytes, "all_ready_ms": e.all_ready_ms})).collect::<Vec<_>>(),
        "lighthouse_runs": lighthouse_runs.iter().flatten().map(|l| json!({
            "form_factor": l.form_factor.name(),
            "scores": l.scores.iter().map(|(k, v)| (k.clone(), json!(v))).collect::<serde_json::Map<_, _>>(),
            "metrics": l.metrics.iter().map(|(k, v)| (k.clone(), json!(v))).collect::<serde_json::Map<_, _>>(),
        })).collect::<Vec<_>>(),
        "lighthouse": lighthouse.iter().map(|l| json!({
            "form_factor": l.form_factor.name(),
            "scores": l.scores.iter().map(|(k, v)| (k.clone(), json!(v))).collect::<serde_json::Map<_, _>>(),
            "metrics": l.metrics.iter().map(|(k, v)| (k.clone(), json!(v))).collect::<serde_json::Map<_, _>>(),
            "below_full_marks": l.failing,
        })).collect::<Vec<_>>(),
        "axe": axe.iter().map(|a| json!({"page": a.page, "violations": a.violations, "passes": a.passes})).collect::<Vec<_>>(),
        "targets": rows.iter().map(|(w, m, t, ok)| json!({"figure": w, "measured": m, "target": t, "met": ok})).collect::<Vec<_>>(),
    });
    let json_path = opts
        .json
        .clone()
        .unwrap_or_else(|| crate::target_dir().join("bench.json"));
    if let Some(dir) = json_path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&json_path, serde_json::to_string_pretty(&report)?)?;
    println!("\nJSON: {}", json_path.display());
    Ok(())
}

/// Today's date (UTC), `YYYY-MM-DD`, without a date crate.
fn chrono_free_date() -> String {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400) as i64;
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}
