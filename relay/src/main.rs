//! `isobar-relay`: Isobar's live feed server.
//!
//! ```text
//! cargo run -p isobar-relay -- [--config relay.toml] [--listen 127.0.0.1:8082]
//!     [--forecast-url URL] [--static DIR] [--log-json]
//! ```
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

fn parse_args() -> Result<(Config, bool), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut config = Config::default();
    if let Some(i) = args.iter().position(|a| a == "--config") {
        let path = args.get(i + 1).ok_or("--config needs a file")?;
        let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
        config = Config::from_toml(&text).map_err(|e| format!("{path}: {e}"))?;
    }
    let mut json = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{a} needs a value"))
        };
        match a.as_str() {
            "--config" => {
                value()?;
            }
            "--listen" => config.listen = value()?,
            "--forecast-url" => config.forecast_url = value()?,
            "--static" => config.static_dir = Some(value()?),
            "--log-json" => json = true,
            "-h" | "--help" => return Err("usage: isobar-relay [--config FILE] [--listen ADDR] [--forecast-url URL] [--static DIR] [--log-json]".into()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok((config, json))
}

#[tokio::main]
async fn main() {
    let (config, json) = match parse_args() {
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
