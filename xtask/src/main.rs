//! Isobar's project commands. Each installs what it needs first and skips what is there.
//!
//! ```text
//! cargo xtask run [--offline] [--port 8080] [--sim-port 8081] [SIMULATOR FAULT FLAGS]
//!     Build the release bundle and serve it on 127.0.0.1, printing the URL. By default the
//!     page talks to the real Open-Meteo; --offline starts the simulator and points the page
//!     at it (every fault flag of the simulator, such as --delay 500 or --live, goes to it and
//!     implies --offline).
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
//! cargo xtask bench-relay [--connections 10000] [--viewers 1000] [--rounds 5] [--passes 1] [--no-compare]
//!     The relay as its own release process: memory per idle connection, broadcast latency of
//!     a station upload to every subscriber, upstream calls for many viewers of one place; then
//!     the same fan-out against the relay alone, clusters of 2 and 3 relays on one Redis, and
//!     nginx + nchan (installed from Debian's packages when missing), with the ratios.
//! cargo xtask bench-live [--messages 1000] [--spacing 25]
//!     Relay message to DOM updated in headless Chromium: a station upload every N ms reaches
//!     the page through the release relay; p50/p95/p99 of upload → DOM change and → next frame.
//! cargo xtask bench-embed [--delay 500] [--runs 5]
//!     A host page with one <isobar-weather> and one with three: bytes downloaded, API calls,
//!     time to every card ready.
//! cargo xtask setup
//!     Only install the tools (wasm32 target, Trunk, wasm-bindgen-cli, wasm-opt, esbuild,
//!     Chromium).
//! ```
//! `cargo xtask help` and `cargo xtask <command> --help` say the same.

mod bench;
mod build;
mod run;
mod split;
mod test;
mod tools;
mod wasm;

use std::path::PathBuf;
use std::process::Command;

use clap::{Parser, Subcommand};

/// Errors end the command with their message.
pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// Cargo's target folder: `CARGO_TARGET_DIR` when set (relative to the workspace), else
/// `target/` in the workspace.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(|d| root().join(d))
        .unwrap_or_else(|| root().join("target"))
}

pub use isobar_testkit::KillOnDrop;

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

/// Isobar's project commands. Each installs what it needs first and skips what is there.
#[derive(Parser, Debug)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    command: Task,
}

#[derive(Subcommand, Debug)]
enum Task {
    /// Build the release bundle and serve it on 127.0.0.1, against the real Open-Meteo or,
    /// offline, the simulator.
    Run(run::RunOptions),
    /// Formatting, clippy (host and wasm32), host tests, browser tests of components, the
    /// release bundle and its size budget, end-to-end tests in headless Chromium.
    Test,
    /// Build the release bundle and print its sizes against the budget.
    Build,
    /// Every figure against its budget (bundle, load, live, relay, embedding, Lighthouse,
    /// axe-core): a table, and the same as JSON.
    Bench(bench::BenchOptions),
    /// Time to all cards ready in headless Chromium with every API call delayed by D ms, calls
    /// made together and one after another.
    BenchLoad(bench::load::LoadOptions),
    /// The relay as its own release process: memory per idle connection, broadcast latency,
    /// upstream calls for many viewers of one place.
    BenchRelay(bench::relay::RelayOptions),
    /// Relay message to DOM updated in headless Chromium, through the release relay.
    BenchLive(bench::live::LiveOptions),
    /// Host pages with one and three <isobar-weather>: bytes, API calls, time to ready.
    BenchEmbed(bench::load::LoadOptions),
    /// Only install the tools (wasm32 target, Trunk, wasm-bindgen-cli, wasm-opt, esbuild,
    /// Chromium).
    Setup,
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Runtime::new()?)
}

fn execute(task: Task) -> Result<()> {
    match task {
        Task::Run(opts) => {
            tools::ensure_build_tools()?;
            build::build_release()?;
            runtime()?.block_on(run::serve(build::dist(), opts))
        }
        Task::Test => test::all(),
        Task::Build => {
            tools::ensure_build_tools()?;
            build::build_release()?;
            build::check_budget()
        }
        Task::Bench(opts) => {
            tools::ensure_all()?;
            tools::ensure_audit_tools()?;
            build::build_release()?;
            runtime()?.block_on(bench::all(opts))
        }
        Task::BenchLoad(opts) => {
            tools::ensure_all()?;
            build::build_release()?;
            runtime()?.block_on(bench::load::load(opts)).map(drop)
        }
        Task::BenchRelay(opts) => runtime()?.block_on(async {
            bench::relay::relay(opts.clone()).await?;
            if !opts.no_compare {
                bench::fanout::compare(opts.connections, opts.rounds, opts.passes).await?;
            }
            Ok(())
        }),
        Task::BenchLive(opts) => {
            tools::ensure_all()?;
            build::build_release()?;
            runtime()?.block_on(bench::live::live(opts)).map(drop)
        }
        Task::BenchEmbed(opts) => {
            tools::ensure_all()?;
            build::build_release()?;
            let opts = bench::embed::EmbedOptions {
                delay_ms: opts.delay_ms,
                runs: opts.runs,
            };
            runtime()?.block_on(bench::embed::embed(opts)).map(drop)
        }
        Task::Setup => tools::ensure_all(),
    }
}

fn main() {
    if let Err(e) = execute(Cli::parse().command) {
        eprintln!("xtask: error: {e}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed_and_run_takes_every_fault() {
        Cli::command().debug_assert();
        let cli =
            Cli::try_parse_from(["xtask", "run", "--live", "--delay", "forecast=500"]).unwrap();
        let Task::Run(opts) = cli.command else {
            panic!("not run: {cli:?}");
        };
        assert!(opts.faults.given && !opts.offline);
        let help = Cli::command()
            .find_subcommand_mut("run")
            .unwrap()
            .render_long_help()
            .to_string();
        for spec in isobar_simulator::faults::FAULTS {
            assert!(
                help.contains(&spec.flag()),
                "{} not in run --help",
                spec.flag()
            );
        }
        assert!(Cli::try_parse_from(["xtask", "bench", "--runs", "2"]).is_err());
        assert!(Cli::try_parse_from(["xtask", "bench-relay", "--viewers", "0"]).is_err());
    }
}
