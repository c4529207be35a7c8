//! `cargo xtask run`: serves the release bundle on 127.0.0.1, with the simulator beside it
//! when offline.

use std::path::PathBuf;

use isobar_simulator::faults::FaultArgs;

use crate::Result;

/// How `run` was asked to serve.
#[derive(clap::Args, Debug, Clone)]
pub struct RunOptions {
    /// Serve against the simulator instead of the real Open-Meteo (implied by any fault flag).
    #[arg(long)]
    pub offline: bool,
    /// Port of the dashboard.
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Port of the simulator.
    #[arg(long, default_value_t = 8081)]
    pub sim_port: u16,
    /// Faults to configure at the simulator.
    #[command(flatten)]
    pub faults: FaultArgs,
}

/// The built site as a static host serves it: brotli or gzip copies when the browser accepts
/// them (written by `build::precompress`), hashed files cached for a year, the rest revalidated.
pub fn static_site(dir: PathBuf) -> axum::Router {
    let files = tower_http::services::ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip();
    axum::Router::new()
        .fallback_service(files)
        .layer(axum::middleware::from_fn(cache_headers))
}

/// `Cache-Control` by file name: Trunk's hashed names (`isobar-0123456789abcdef.js`) never
/// change content; everything else may.
async fn cache_headers(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let hashed = req
        .uri()
        .path()
        .rsplit('/')
        .next()
        .and_then(|name| name.split('.').next())
        .map(|stem| stem.trim_end_matches("_bg"))
        .and_then(|stem| stem.rsplit_once('-'))
        .is_some_and(|(_, h)| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()));
    let mut resp = next.run(req).await;
    let value = if hashed {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    resp.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static(value),
    );
    resp
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
    let app = static_site(dist);
    let mut url = format!("http://{addr}/");
    let mut endpoints = String::new();
    if opts.offline || opts.faults.given {
        let sim =
            isobar_simulator::spawn(&format!("127.0.0.1:{}", opts.sim_port), opts.faults.table)
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
            "?forecast_url=http://{s}/v1/forecast&air_quality_url=http://{s}/v1/air-quality&geocoding_url=http://{s}/v1/search&nws_url=http://{s}/alerts/active&brightsky_url=http://{s}/alerts"
        );
        url.push_str(&endpoints);
    }
    println!("Isobar is running: {url}");
    println!("Widget builder: http://{addr}/public/builder.html{endpoints}");
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
