//! `isobar-relay`: Isobar's live feed server.
//!
//! ```text
//! cargo run -p isobar-relay -- [--config relay.toml] [--listen 127.0.0.1:8082]
//!     [--forecast-url URL] [--static DIR] [--redis URL] [--log-json]
//! ```
//! (`--help` says the same.)
//! Flags override the configuration file (see `isobar_relay::config`). Logs go to stderr
//! (`RUST_LOG` filters, `--log-json` for one JSON object per line); a flood of one kind of
//! event (refused uploads or connections) writes one line per 10 s with the count left out.
//! Ctrl-C or SIGTERM closes every WebSocket and stops.

use isobar_relay::config::Config;

/// The system allocator, counting the bytes in use for `isobar_relay_heap_bytes`.
#[global_allocator]
static ALLOCATOR: cap::Cap<std::alloc::System> = cap::Cap::new(std::alloc::System, usize::MAX);

fn heap_bytes() -> usize {
    ALLOCATOR.allocated()
}

/// Isobar's live feed server: polls Open-Meteo once per place for all viewers, takes uploads
/// from personal weather stations, and pushes both to dashboards over WebSocket (/live).
#[derive(clap::Parser, Debug)]
#[command(name = "isobar-relay", version)]
struct Cli {
    /// The configuration file (TOML; every key in relay/relay.example.toml). The flags below
    /// override it.
    #[arg(long, value_name = "FILE")]
    config: Option<std::path::PathBuf>,
    /// Where to listen (the `listen` key).
    #[arg(long, value_name = "ADDR")]
    listen: Option<String>,
    /// Open-Meteo's forecast endpoint, or the simulator's (the `forecast_url` key).
    #[arg(long, value_name = "URL")]
    forecast_url: Option<String>,
    /// Also serve the dashboard's files from this folder (the `static_dir` key).
    #[arg(long = "static", value_name = "DIR")]
    static_dir: Option<String>,
    /// Run as one relay of a cluster sharing this Redis (the `redis_url` key; also
    /// `ISOBAR_REDIS_URL`), e.g. redis://127.0.0.1:6379. The relay exits if it cannot reach it.
    #[arg(long = "redis", value_name = "URL")]
    redis_url: Option<String>,
    /// Log one JSON object per line instead of text.
    #[arg(long)]
    log_json: bool,
}

impl Cli {
    /// The configuration: the file's, then the flags over it.
    fn config(&self) -> Result<Config, String> {
        let mut config = match &self.config {
            Some(path) => {
                let shown = path.display();
                let text = std::fs::read_to_string(path).map_err(|e| format!("{shown}: {e}"))?;
                Config::from_toml(&text).map_err(|e| format!("{shown}: {e}"))?
            }
            None => Config::default(),
        };
        if let Some(v) = &self.listen {
            config.listen = v.clone();
        }
        if let Some(v) = &self.forecast_url {
            config.forecast_url = v.clone();
        }
        if let Some(v) = &self.static_dir {
            config.static_dir = Some(v.clone());
        }
        let from_env = std::env::var("ISOBAR_REDIS_URL")
            .ok()
            .filter(|v| !v.is_empty());
        if let Some(v) = self.redis_url.clone().or(from_env) {
            config.redis_url = Some(v);
        }
        config.check()?;
        Ok(config)
    }
}

#[tokio::main]
async fn main() {
    let cli = <Cli as clap::Parser>::parse();
    let json = cli.log_json;
    let config = match cli.config() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    if json {
        tracing_subscriber::fmt()
            .json()
            .with_writer(std::io::stderr)
            .with_env_filter(filter)
            .init();
    } else {
        // Colours only on a terminal, not in a log file or the journal.
        use std::io::IsTerminal;
        tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_ansi(std::io::stderr().is_terminal())
            .with_env_filter(filter)
            .init();
    }
    isobar_relay::metrics::count_heap_with(heap_bytes);
    let relay = match isobar_relay::spawn(config).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start the relay: {e}");
            std::process::exit(1);
        }
    };
    tracing::info!(addr = %relay.addr, "relay listening: ws://{}/live", relay.addr);
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    tracing::info!("shutting down");
    let _ = relay.shutdown.send(true);
    let _ = relay.task.await;
}
