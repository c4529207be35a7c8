//! `cargo xtask bench-relay`: the relay's figures, measured against a release build running as
//! its own process: memory per idle connection, broadcast latency of one station upload to
//! every subscriber, and upstream calls for many viewers of one place. Prints figures; asserts
//! nothing.

use clap::builder::TypedValueParser as _;
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use isobar_simulator::faults::{Endpoint, FaultTable};
use tokio_tungstenite::tungstenite::Message;

use crate::tools::path_env;
use crate::{root, run, KillOnDrop, Result};

/// What to measure.
#[derive(clap::Args, Debug, Clone)]
pub struct RelayOptions {
    /// Idle connections to hold (and subscribers of the broadcast); memory is also measured at
    /// a tenth of it on the way.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..).map(|n| n as usize))]
    pub connections: usize,
    /// Viewers of one place, for the upstream-call count.
    #[arg(long, default_value_t = 1_000, value_parser = clap::value_parser!(u32).range(1..).map(|n| n as usize))]
    pub viewers: usize,
    /// Broadcasts measured (each to every subscriber).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    pub rounds: u32,
    /// Passes of the fan-out comparison (each server once per pass, the order turned by one).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub passes: u32,
    /// Skip the fan-out comparison (the relay alone, in clusters of 2 and 3 on Redis, and
    /// nginx + nchan, each with `connections` subscribers).
    #[arg(long)]
    pub no_compare: bool,
}

pub fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// CPU time the process has used (user + system), ms.
pub fn cpu_ms(pid: u32) -> f64 {
    let (user, system) = cpu_split_ms(pid);
    user + system
}

/// CPU time the process has used in its own code (user) and in the kernel for it (system),
/// ms, from `/proc/<pid>/stat` (10 ms ticks).
pub fn cpu_split_ms(pid: u32) -> (f64, f64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces, so split after its ')').
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name; in ticks.
    let tick = |i: usize| f.get(i).copied().unwrap_or(0.0) * 10.0;
    (tick(11), tick(12))
}

/// The relay's delivery histogram: cumulative counts per upper bound (seconds).
async fn delivery_buckets(http: &reqwest::Client, base: &str) -> Vec<(f64, u64)> {
    let text = match http.get(format!("{base}/metrics")).send().await {
        Ok(r) => r.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    };
    text.lines()
        .filter_map(|l| l.strip_prefix("isobar_relay_delivery_seconds_bucket{le=\""))
        .filter_map(|l| {
            let (le, n) = l.split_once("\"} ")?;
            let le = if le == "+Inf" {
                f64::INFINITY
            } else {
                le.parse().ok()?
            };
            Some((le, n.trim().parse().ok()?))
        })
        .collect()
}

/// The bucket bound (ms) below which fraction `p` of the observations between two readings of
/// the histogram fall.
fn bucket_quantile(before: &[(f64, u64)], after: &[(f64, u64)], p: f64) -> f64 {
    let total = after.last().map_or(0, |a| a.1) - before.last().map_or(0, |b| b.1);
    for (i, (le, n)) in after.iter().enumerate() {
        let d = n - before.get(i).map_or(0, |b| b.1);
        if d as f64 >= p * total as f64 {
            return le * 1000.0;
        }
    }
    f64::INFINITY
}

/// The `p` quantile (0..1) of sorted values.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// A WebSocket client.
pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A WebSocket to `url`; with `subscribe`, the relay's `hello` read, that message sent and
/// its answer read (nchan subscribes by URL and says nothing).
pub async fn open(url: &str, subscribe: Option<&str>) -> Result<Ws> {
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await?;
    if let Some(s) = subscribe {
        ws.next().await; // hello
        ws.send(Message::Text(s.into())).await?;
        ws.next().await; // subscribed
    }
    Ok(ws)
}

/// Reads every client's messages in a task of its own, and sends the time from `sent_at` (µs
/// since `epoch`, stored by the publisher just before it publishes) to each observation's
/// receipt, in ms. The tasks end with their sockets; aborted when the handles are.
pub fn receive_all(
    clients: Vec<Ws>,
    epoch: Instant,
    sent_at: Arc<AtomicU64>,
) -> (tokio::sync::mpsc::UnboundedReceiver<f64>, Readers) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<f64>();
    let readers = clients
        .into_iter()
        .map(|mut ws| {
            let (tx, sent_at) = (tx.clone(), sent_at.clone());
            tokio::spawn(async move {
                while let Some(Ok(m)) = ws.next().await {
                    if let Message::Text(t) = m {
                        if t.contains("\"observation\"") {
                            let now = epoch.elapsed().as_micros() as u64;
                            let us = now.saturating_sub(sent_at.load(Ordering::Relaxed));
                            let _ = tx.send(us as f64 / 1000.0);
                        }
                    }
                }
            })
            .abort_handle()
        })
        .collect();
    (rx, Readers(readers))
}

/// The reading tasks of [`receive_all`], aborted when dropped.
pub struct Readers(Vec<tokio::task::AbortHandle>);

impl Drop for Readers {
    fn drop(&mut self) {
        for r in &self.0 {
            r.abort();
        }
    }
}

/// Builds the release relay.
pub fn build() -> Result<()> {
    eprintln!("xtask: building the relay (release)");
    run(
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["build", "--release", "-p", "isobar-relay"])
            .current_dir(root())
            .env("PATH", path_env()),
    )
}

/// Starts the release relay with a configuration file listening on `port`, and waits until
/// it answers `/health`.
pub async fn start(config: &std::path::Path, port: u16) -> Result<KillOnDrop> {
    let bin = crate::target_dir().join("release/isobar-relay");
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    Ok(isobar_testkit::start_relay(&bin, config, addr, "warn", None).await?)
}

/// Memory with `connections` idle connections held.
#[derive(Debug, Clone, Copy)]
pub struct Held {
    /// Connections held.
    pub connections: usize,
    /// Relay RSS with them, KiB.
    pub rss_kib: u64,
    /// (RSS with them − RSS before any) / connections, KiB.
    pub per_connection_kib: f64,
}

/// The relay's figures.
#[derive(Debug, Clone)]
pub struct RelayFigures {
    /// Relay RSS before any connection, KiB.
    pub idle_rss_kib: u64,
    /// Memory at each level of idle connections.
    pub held: Vec<Held>,
    /// Subscribers of the broadcast.
    pub subscribers: usize,
    /// Upload to each subscriber's receipt, seen by the clients: p50, p99, max (ms).
    pub broadcast_ms: (f64, f64, f64),
    /// Publish to socket write, from the relay's histogram: p50, p99 bucket bounds (ms).
    pub relay_side_ms: (f64, f64),
    /// Relay CPU per broadcast, ms.
    pub cpu_per_broadcast_ms: f64,
    /// Viewers of one place.
    pub viewers: usize,
    /// Upstream calls made while they watched.
    pub upstream_calls: u64,
    /// Poll intervals they watched for.
    pub intervals: f64,
}

/// Runs the benchmark and prints the figures.
pub async fn relay(opts: RelayOptions) -> Result<RelayFigures> {
    build()?;
    let sim = isobar_simulator::spawn("127.0.0.1:0", FaultTable::default()).await?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let config =
        std::env::temp_dir().join(format!("isobar-bench-relay-{}.toml", std::process::id()));
    let interval_s = 2.0;
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:{port}\"\nforecast_url = \"http://{}/v1/forecast\"\npoll_interval_s = {interval_s}\nmax_connections_per_ip = {}\nmax_subscriptions = 4\n\n[[stations]]\nid = \"BENCH\"\nkey = \"k\"\n",
            sim.addr,
            opts.connections + opts.viewers + 10
        ),
    )?;
    let relay = start(&config, port).await?;
    let pid = relay.0.id();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let idle_rss = rss_kib(pid);
    let url = format!("ws://127.0.0.1:{port}/live");

    // Idle connections, each subscribed to the station: memory at a tenth, then at all.
    let started = Instant::now();
    let mut clients = Vec::with_capacity(opts.connections);
    let mut held = Vec::new();
    let levels = [(opts.connections / 10).max(1), opts.connections];
    for level in levels {
        while clients.len() < level {
            let n = 200.min(level - clients.len());
            let batch = futures_util::future::join_all(
                (0..n).map(|_| open(&url, Some(r#"{"type":"subscribe","station":"BENCH"}"#))),
            )
            .await;
            for ws in batch {
                clients.push(ws?);
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        let rss = rss_kib(pid);
        held.push(Held {
            connections: level,
            rss_kib: rss,
            per_connection_kib: rss.saturating_sub(idle_rss) as f64 / level as f64,
        });
    }
    let connect_s = started.elapsed().as_secs_f64();

    // Broadcast: one upload, time until each subscriber has it.
    let rounds = opts.rounds;
    // The send time, as µs since `epoch`: read without a lock by 10,000 receivers, so the
    // measuring side adds as little as it can to the latency it measures.
    let epoch = Instant::now();
    let sent_at = Arc::new(AtomicU64::new(0));
    let (mut rx, _readers) = receive_all(clients, epoch, sent_at.clone());
    let mut latencies = Vec::new();
    let histogram_before = delivery_buckets(&http, &base).await;
    let cpu_before = cpu_ms(pid);
    for i in 0..rounds {
        sent_at.store(epoch.elapsed().as_micros() as u64, Ordering::Relaxed);
        http.get(format!(
            "{base}/weatherstation/updateweatherstation.php?ID=BENCH&PASSWORD=k&tempf={}",
            60 + i
        ))
        .send()
        .await?;
        for _ in 0..opts.connections {
            match tokio::time::timeout(Duration::from_secs(30), rx.recv()).await {
                Ok(Some(ms)) => latencies.push(ms),
                _ => break,
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    latencies.sort_by(f64::total_cmp);
    let relay_cpu = (cpu_ms(pid) - cpu_before) / f64::from(rounds);
    let histogram_after = delivery_buckets(&http, &base).await;
    let relay_side = (
        bucket_quantile(&histogram_before, &histogram_after, 0.5),
        bucket_quantile(&histogram_before, &histogram_after, 0.99),
    );

    // Many viewers of one place: upstream calls per interval.
    let before = sim.state.count(Endpoint::Forecast);
    let mut viewers = Vec::new();
    for chunk in 0..opts.viewers.div_ceil(200) {
        let n = 200.min(opts.viewers - chunk * 200);
        let batch = futures_util::future::join_all((0..n).map(|i| {
            let lat = 48.85 + (i % 5) as f64 * 0.01;
            let msg = format!(r#"{{"type":"subscribe","lat":{lat},"lon":2.35}}"#);
            let url = url.clone();
            async move { open(&url, Some(&msg)).await }
        }))
        .await;
        for ws in batch {
            viewers.push(ws?);
        }
    }
    let watch = Instant::now();
    tokio::time::sleep(Duration::from_secs_f64(interval_s * 3.0 + 0.5)).await;
    let calls = sim.state.count(Endpoint::Forecast) - before;
    let intervals = watch.elapsed().as_secs_f64() / interval_s;

    println!("Relay (release build, its own process), 127.0.0.1, this machine");
    println!(
        "  idle connections held:        {} (opened in {connect_s:.1} s); relay RSS before any: {idle_rss} KiB",
        opts.connections
    );
    for h in &held {
        println!(
            "  memory per idle connection:   {:.1} KiB at {} connections (RSS {} KiB)",
            h.per_connection_kib, h.connections, h.rss_kib
        );
    }
    println!(
        "  broadcast to {} subscribers:  p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} deliveries over {rounds} uploads)",
        opts.connections,
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        latencies.last().copied().unwrap_or(f64::NAN),
        latencies.len()
    );
    println!(
        "  relay side (publish → written to the socket, from its histogram): p50 ≤ {} ms, p99 ≤ {} ms",
        relay_side.0, relay_side.1
    );
    println!("  relay CPU per broadcast:      {relay_cpu:.0} ms (user + system, 10 ms ticks; includes the 200 ms pauses)");
    println!(
        "  {} viewers of one place:     {calls} upstream calls in {intervals:.1} poll intervals (first poll on the first subscription)",
        opts.viewers
    );
    drop(viewers);
    drop(relay);
    let _ = std::fs::remove_file(config);
    Ok(RelayFigures {
        idle_rss_kib: idle_rss,
        held,
        subscribers: opts.connections,
        broadcast_ms: (
            percentile(&latencies, 0.5),
            percentile(&latencies, 0.99),
            latencies.last().copied().unwrap_or(f64::NAN),
        ),
        relay_side_ms: relay_side,
        cpu_per_broadcast_ms: relay_cpu,
        viewers: opts.viewers,
        upstream_calls: calls,
        intervals,
    })
}
