//! Isobar's project commands. Each installs what it needs first and skips what is there.
//!
//! ```text
//! cargo xtask run [--offline] [--port 8080] [--sim-port 8081] [SIMULATOR FAULT FLAGS]
//!     Build the release bundle and serve it on 127.0.0.1, printing the URL. By default the
//!     page talks to the real Open-Meteo; --offline starts the simulator and points the page
//!     at it (fault flags such as --delay 500 go to the simulator).
//! cargo xtask test
//!     Formatting, clippy (host and wasm32), host tests, browser tests of components, the
//!     release bundle and its size budget, end-to-end tests in headless Chromium.
//! cargo xtask build
//!     Build the release bundle and print its sizes against the budget.
//! cargo xtask bench [--quick] [--delay 500] [--runs 5] [--json target/bench.json]
//!     Every figure against its budget: bundle, load, live, relay, embedding, Lighthouse
//!     (desktop and mobile) and axe-core; a table, and the same as JSON. --quick: smaller runs.
//! cargo xtask bench-load [--delay 500] [--runs 5]
//!     Time to all cards ready in headless Chromium with every API call delayed by D ms,
//!     calls made together and one after another. Prints figures; asserts nothing.
//! cargo xtask bench-relay [--connections 10000] [--viewers 1000]
//!     The relay as its own release process: memory per idle connection, broadcast latency of
//!     a station upload to every subscriber, upstream calls for many viewers of one place.
//! cargo xtask bench-live [--messages 1000] [--spacing 25]
//!     Relay message to DOM updated in headless Chromium: a station upload every N ms reaches
//!     the page through the release relay; p50/p95/p99 of upload → DOM change and → next frame.
//! cargo xtask bench-embed [--delay 500] [--runs 5]
//!     A host page with one <isobar-weather> and one with three: bytes downloaded, API calls,
//!     time to every card ready.
//! cargo xtask setup
//!     Only install the tools (wasm32 target, Trunk, wasm-bindgen-cli, wasm-opt, Chromium).
//! ```

mod audits;
mod bench;
mod bench_all;
mod bench_embed;
mod bench_live;
mod bench_relay;
mod bundle;
mod serve;
mod test;
mod tools;

use std::path::PathBuf;
use std::process::Command;

use isobar_simulator::faults::FaultTable;

/// Errors end the command with their message.
pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// A child process (ChromeDriver, the release relay) killed and reaped when dropped.
pub struct KillOnDrop(pub std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs a command to completion, failing on a non-zero exit.
pub fn run(cmd: &mut Command) -> Result<()> {
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run {:?}: {e}", cmd.get_program()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{cmd:?} failed ({status})").into())
    }
}

const USAGE: &str = "usage: cargo xtask <run [--offline] [--port N] [--sim-port N] [--delay|--status|--retry-after|--truncate|--hang|--nulls ...] | test | build | bench [--quick] [--delay MS] [--runs N] [--json PATH] | bench-load [--delay MS] [--runs N] | bench-relay [--connections N] [--viewers N] | bench-live [--messages N] [--spacing MS] | bench-embed [--delay MS] [--runs N] | setup>";

fn parse_run(args: &[String]) -> Result<serve::RunOptions> {
    let mut opts = serve::RunOptions {
        offline: false,
        port: 8080,
        sim_port: 8081,
        faults: FaultTable::default(),
    };
    let mut it = args.iter().peekable();
    while let Some(a) = it.next() {
        let mut value = |name: &str| -> Result<String> {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value").into())
        };
        match a.as_str() {
            "--offline" => opts.offline = true,
            "--port" => {
                opts.port = value("--port")?
                    .parse()
                    .map_err(|_| "--port needs a number")?
            }
            "--sim-port" => {
                opts.sim_port = value("--sim-port")?
                    .parse()
                    .map_err(|_| "--sim-port needs a number")?
            }
            "--delay" | "--status" | "--retry-after" | "--truncate" | "--nulls" => {
                let v = value(a)?;
                opts.faults.apply_flag(a, &v)?;
                opts.offline = true;
            }
            "--hang" => {
                let target = match it.peek() {
                    Some(v) if !v.starts_with("--") => it.next().cloned().unwrap_or_default(),
                    _ => "all".to_owned(),
                };
                opts.faults.apply_flag(a, &target)?;
                opts.offline = true;
            }
            other => return Err(format!("unknown option {other}\n{USAGE}").into()),
        }
    }
    Ok(opts)
}

/// Reads `--name NUMBER` pairs, handing each to `set`, which names the options it knows.
fn numeric_options(
    args: &[String],
    mut set: impl FnMut(&str, usize) -> std::result::Result<(), ()>,
) -> Result<()> {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let v: usize = it
            .next()
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("{a} needs a number"))?;
        set(a, v).map_err(|()| format!("unknown option {a}\n{USAGE}"))?;
    }
    Ok(())
}

fn parse_bench(args: &[String]) -> Result<bench::LoadOptions> {
    let mut opts = bench::LoadOptions {
        delay_ms: 500,
        runs: 5,
    };
    numeric_options(args, |name, v| {
        match name {
            "--delay" => opts.delay_ms = v as u64,
            "--runs" => opts.runs = v.max(1),
            _ => return Err(()),
        }
        Ok(())
    })?;
    Ok(opts)
}

fn parse_bench_relay(args: &[String]) -> Result<bench_relay::RelayOptions> {
    let mut opts = bench_relay::RelayOptions {
        connections: 10_000,
        viewers: 1_000,
    };
    numeric_options(args, |name, v| {
        match name {
            "--connections" => opts.connections = v.max(1),
            "--viewers" => opts.viewers = v.max(1),
            _ => return Err(()),
        }
        Ok(())
    })?;
    Ok(opts)
}

fn parse_bench_live(args: &[String]) -> Result<bench_live::LiveOptions> {
    let mut opts = bench_live::LiveOptions {
        messages: 1_000,
        spacing_ms: 25,
    };
    numeric_options(args, |name, v| {
        match name {
            "--messages" => opts.messages = v.max(1),
            "--spacing" => opts.spacing_ms = v.max(1) as u64,
            _ => return Err(()),
        }
        Ok(())
    })?;
    Ok(opts)
}

fn parse_bench_all(args: &[String]) -> Result<bench_all::BenchOptions> {
    let mut opts = bench_all::BenchOptions {
        quick: false,
        delay_ms: 500,
        runs: 5,
        json: root().join("target/bench.json"),
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--quick" {
            opts.quick = true;
            continue;
        }
        let v = it.next().ok_or_else(|| format!("{a} needs a value"))?;
        match a.as_str() {
            "--delay" => opts.delay_ms = v.parse().map_err(|_| "--delay needs milliseconds")?,
            "--runs" => {
                opts.runs = v
                    .parse::<usize>()
                    .map_err(|_| "--runs needs a number")?
                    .max(5)
            }
            "--json" => opts.json = v.into(),
            other => return Err(format!("unknown option {other}\n{USAGE}").into()),
        }
    }
    Ok(opts)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => parse_run(&args[1..]).and_then(|opts| {
            tools::ensure_build_tools()?;
            bundle::build_release()?;
            let rt = tokio::runtime::Runtime::new()?;
            rt.block_on(serve::serve(bundle::dist(), opts))
        }),
        Some("test") => test::all(),
        Some("build") => tools::ensure_build_tools()
            .and_then(|()| bundle::build_release())
            .and_then(|()| bundle::check_budget()),
        Some("bench") => parse_bench_all(&args[1..]).and_then(|opts| {
            tools::ensure_all()?;
            tools::ensure_audit_tools()?;
            bundle::build_release()?;
            tokio::runtime::Runtime::new()?.block_on(bench_all::all(opts))
        }),
        Some("bench-load") => parse_bench(&args[1..]).and_then(|opts| {
            tools::ensure_all()?;
            bundle::build_release()?;
            tokio::runtime::Runtime::new()?
                .block_on(bench::load(opts))
                .map(drop)
        }),
        Some("bench-relay") => parse_bench_relay(&args[1..]).and_then(|opts| {
            tokio::runtime::Runtime::new()?
                .block_on(bench_relay::relay(opts))
                .map(drop)
        }),
        Some("bench-live") => parse_bench_live(&args[1..]).and_then(|opts| {
            tools::ensure_all()?;
            bundle::build_release()?;
            tokio::runtime::Runtime::new()?
                .block_on(bench_live::live(opts))
                .map(drop)
        }),
        Some("bench-embed") => parse_bench(&args[1..]).and_then(|opts| {
            tools::ensure_all()?;
            bundle::build_release()?;
            tokio::runtime::Runtime::new()?
                .block_on(bench_embed::embed(bench_embed::EmbedOptions {
                    delay_ms: opts.delay_ms,
                    runs: opts.runs,
                }))
                .map(drop)
        }),
        Some("setup") => tools::ensure_all(),
        _ => Err(USAGE.into()),
    };
    if let Err(e) = result {
        eprintln!("xtask: error: {e}");
        std::process::exit(1);
    }
}
