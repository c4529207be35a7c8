//! `cargo xtask run`: serves the release bundle on 127.0.0.1, with the simulator beside it
//! when offline.

use std::path::PathBuf;

use isobar_simulator::faults::FaultTable;

use crate::Result;

/// How `run` was asked to serve.
pub struct RunOptions {
    /// Serve against the simulator instead of the real Open-Meteo.
    pub offline: bool,
    /// Port of the dashboard.
    pub port: u16,
    /// Port of the simulator.
    pub sim_port: u16,
    /// Faults to configure at the simulator.
    pub faults: FaultTable,
}

/// Serves `dist` until Ctrl-C, printing the URL to open.
pub async fn serve(dist: PathBuf, opts: RunOptions) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", opts.port))
        .await
        .map_err(|e| {
            format!(
                "cannot listen on 127.0.0.1:{}: {e} (choose another with --port)",
                opts.port
            )
        })?;
    let addr = listener.local_addr()?;
    let app = axum::Router::new().fallback_service(tower_http::services::ServeDir::new(dist));
    let mut url = format!("http://{addr}/");
    let mut endpoints = String::new();
    if opts.offline {
        let sim = isobar_simulator::spawn(&format!("127.0.0.1:{}", opts.sim_port), opts.faults)
            .await
            .map_err(|e| {
                format!(
                    "cannot start the simulator on port {}: {e} (choose another with --sim-port)",
                    opts.sim_port
                )
            })?;
        let s = sim.addr;
        println!(
            "Open-Meteo simulator on http://{s} (faults: PUT http://{s}/_sim/faults/<endpoint>)"
        );
        endpoints = format!(
            "?forecast_url=http://{s}/v1/forecast&air_quality_url=http://{s}/v1/air-quality&geocoding_url=http://{s}/v1/search"
        );
        url.push_str(&endpoints);
    }
    println!("Isobar is running: {url}");
    println!("Embedding examples:");
    for page in [
        "embed-iframes",
        "embed-elements",
        "embed-hostile",
        "embed-csp",
    ] {
        println!("  http://{addr}/public/{page}.html{endpoints}");
    }
    println!("(Ctrl-C to stop)");
    tokio::select! {
        r = axum::serve(listener, app) => r?,
        _ = tokio::signal::ctrl_c() => {}
    }
    Ok(())
}
