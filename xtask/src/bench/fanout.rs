//! `cargo xtask bench-relay`'s fan-out comparison: one publish to N WebSocket subscribers,
//! measured by the same load client against the relay alone, the relay as a cluster of 2 and
//! 3 processes on one Redis (subscribers spread over them, the upload sent to the first), and
//! nginx with the nchan module (Debian's `libnginx-mod-nchan`: WebSocket subscribers, one HTTP
//! publish of a message the size of the relay's). Each server is started, given its
//! subscribers, sent `rounds` publishes, and stopped before the next. Prints figures; asserts
//! nothing.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::relay::{cpu_ms, cpu_split_ms, open, percentile, receive_all, rss_kib, start};
use crate::Result;

/// Debian's nginx, with nchan from `libnginx-mod-nchan`.
const NGINX: &str = "/usr/sbin/nginx";
const NCHAN: &str = "/usr/lib/nginx/modules/ngx_nchan_module.so";

/// One server's figures.
#[derive(Debug, Clone)]
pub struct Fanout {
    /// What was measured.
    pub name: String,
    /// Subscribers.
    pub subscribers: usize,
    /// Publish to each subscriber's receipt: p50, p99, max (ms).
    pub latency_ms: (f64, f64, f64),
    /// Deliveries seen (subscribers × rounds when none was lost).
    pub deliveries: usize,
    /// Publishes made.
    pub rounds: u32,
    /// (RSS of the server processes with the subscribers − before) / subscribers, KiB.
    pub per_connection_kib: f64,
    /// CPU of the server processes (Redis included) per publish, ms.
    pub cpu_per_broadcast_ms: f64,
    /// Redis's part of it, ms (clusters only).
    pub redis_cpu_per_broadcast_ms: Option<f64>,
    /// The servers' time in the kernel (system time, Redis's not included) per publish, ms:
    /// the TCP send and the loopback delivery to the subscribers' sockets.
    pub kernel_per_broadcast_ms: f64,
}

impl Fanout {
    /// CPU per message delivered, µs.
    pub fn cpu_per_message_us(&self) -> f64 {
        self.cpu_per_broadcast_ms * 1000.0 / self.subscribers as f64
    }
}

/// The processes of a server, and how to reach it.
struct Server {
    name: String,
    /// Where subscribers connect, in turn.
    urls: Vec<String>,
    /// The relay's subscribe message (nchan subscribes by URL).
    subscribe: Option<String>,
    /// How a publish is made.
    publish: Publish,
    /// Processes whose memory and CPU count (nginx's workers are found as its children).
    pids: Vec<u32>,
    redis_pid: Option<u32>,
    _guards: Vec<Box<dyn Send>>,
}

enum Publish {
    /// A station upload to this relay.
    Upload(String),
    /// A POST of the body to nchan's publisher location.
    Post(String),
}

/// The message nchan publishes: the size of the relay's observation (about 330 bytes).
fn nchan_body(i: u32) -> String {
    let mut body = format!(
        r#"{{"type":"observation","station":"BENCH","time":{},"source":"station","values":{{"temperature":{}.0,"humidity":40.0,"pressure":1013.2,"wind_speed":12.0,"wind_direction":240.0}},"units":{{"temperature":"°C","wind_speed":"km/h","pressure":"hPa","precipitation":"mm"}},"epoch":"0123456789abcdef","offset":{i}"#,
        1_700_000_000 + i,
        15 + i
    );
    while body.len() < 329 {
        body.push(' ');
    }
    body.push('}');
    body
}

/// The process and its children (nginx's workers).
fn with_children(pid: u32) -> Vec<u32> {
    let mut all = vec![pid];
    if let Ok(c) = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")) {
        all.extend(c.split_whitespace().filter_map(|p| p.parse::<u32>().ok()));
    }
    all
}

fn rss_of(pids: &[u32]) -> u64 {
    pids.iter()
        .flat_map(|p| with_children(*p))
        .map(rss_kib)
        .sum()
}

/// The user and system CPU time of `pids` and their children, ms.
fn cpu_split_of(pids: &[u32]) -> (f64, f64) {
    pids.iter()
        .flat_map(|p| with_children(*p))
        .map(cpu_split_ms)
        .fold((0.0, 0.0), |(u, s), (pu, ps)| (u + pu, s + ps))
}

/// `n` relay processes, on a Redis of their own when `n > 1`.
async fn relays(n: usize, subscribers: usize, dir: &Path) -> Result<Server> {
    let mut guards: Vec<Box<dyn Send>> = Vec::new();
    let mut redis = None;
    let mut redis_line = String::new();
    if n > 1 {
        let port = isobar_testkit::free_port()?;
        let redis_dir = isobar_testkit::TempDir::new("bench-redis")?;
        let r = isobar_testkit::start_redis(port, &redis_dir).await?;
        redis = Some(r.0.id());
        guards.push(Box::new(r));
        guards.push(Box::new(redis_dir));
        redis_line = format!("redis_url = \"redis://127.0.0.1:{port}\"\n");
    }
    let mut urls = Vec::new();
    let mut pids = Vec::new();
    let mut upload = String::new();
    for i in 0..n {
        let port = isobar_testkit::free_port()?;
        let config = dir.join(format!("relay-{n}-{i}.toml"));
        std::fs::write(
            &config,
            format!(
                "listen = \"127.0.0.1:{port}\"\nmax_connections_per_ip = {}\nmax_subscriptions = 4\n{redis_line}\n[[stations]]\nid = \"BENCH\"\nkey = \"k\"\n",
                subscribers + 10
            ),
        )?;
        let relay = start(&config, port).await?;
        pids.push(relay.0.id());
        guards.push(Box::new(relay));
        urls.push(format!("ws://127.0.0.1:{port}/live"));
        if i == 0 {
            upload = format!("http://127.0.0.1:{port}");
        }
    }
    Ok(Server {
        name: match n {
            1 => "relay alone".into(),
            n => format!("relay × {n} + Redis"),
        },
        urls,
        subscribe: Some(r#"{"type":"subscribe","station":"BENCH"}"#.into()),
        publish: Publish::Upload(upload),
        pids,
        redis_pid: redis,
        _guards: guards,
    })
}

/// nginx stopped as it should be (TERM to the master, which stops its workers).
struct Nginx(std::process::Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// nginx with nchan: `/sub` (WebSocket subscribers) and `/pub` (HTTP publisher) of one channel.
async fn nchan(subscribers: usize, dir: &Path) -> Result<Server> {
    let port = isobar_testkit::free_port()?;
    let prefix = dir.join("nginx");
    std::fs::create_dir_all(prefix.join("logs"))?;
    let conf = prefix.join("nginx.conf");
    std::fs::write(
        &conf,
        format!(
            r#"load_module {NCHAN};
daemon off;
worker_processes auto;
worker_rlimit_nofile {files};
error_log {log} warn;
pid {pid};
events {{ worker_connections {files}; }}
http {{
  access_log off;
  client_body_temp_path {tmp}/body;
  proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi;
  scgi_temp_path {tmp}/scgi;
  server {{
    listen 127.0.0.1:{port};
    location = /pub {{ nchan_publisher; nchan_channel_id bench; nchan_message_buffer_length 1; }}
    location = /sub {{ nchan_subscriber websocket; nchan_channel_id bench; nchan_subscriber_first_message newest; }}
  }}
}}
"#,
            files = subscribers * 2 + 1024,
            log = prefix.join("logs/error.log").display(),
            pid = prefix.join("nginx.pid").display(),
            tmp = prefix.display(),
        ),
    )?;
    let child = Command::new(NGINX)
        .arg("-c")
        .arg(&conf)
        .arg("-p")
        .arg(&prefix)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("{NGINX}: {e}"))?;
    let nginx = Nginx(child);
    isobar_testkit::wait_listening(port, "nginx")
        .await
        .map_err(|e| format!("{e}; see {}", prefix.join("logs/error.log").display()))?;
    Ok(Server {
        name: "nginx + nchan".into(),
        urls: vec![format!("ws://127.0.0.1:{port}/sub")],
        subscribe: None,
        publish: Publish::Post(format!("http://127.0.0.1:{port}/pub")),
        pids: vec![nginx.0.id()],
        redis_pid: None,
        _guards: vec![Box::new(nginx)],
    })
}

/// Gives `server` its subscribers, publishes `rounds` times, and measures.
async fn measure(server: Server, subscribers: usize, rounds: u32) -> Result<Fanout> {
    let http = reqwest::Client::new();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle_rss = rss_of(&server.pids);
    let mut clients = Vec::with_capacity(subscribers);
    while clients.len() < subscribers {
        let n = 200.min(subscribers - clients.len());
        let start = clients.len();
        let batch = futures_util::future::join_all((0..n).map(|i| {
            let url = &server.urls[(start + i) % server.urls.len()];
            open(url, server.subscribe.as_deref())
        }))
        .await;
        for ws in batch {
            clients.push(ws?);
        }
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let per_connection_kib =
        rss_of(&server.pids).saturating_sub(idle_rss) as f64 / subscribers as f64;

    // The send time, as µs since `epoch`, read without a lock by every receiver.
    let epoch = Instant::now();
    let sent_at = Arc::new(AtomicU64::new(0));
    let (mut rx, readers) = receive_all(clients, epoch, sent_at.clone());
    let mut latencies = Vec::new();
    let (user_before, system_before) = cpu_split_of(&server.pids);
    let redis_before = server.redis_pid.map(cpu_ms);
    for i in 0..rounds {
        sent_at.store(epoch.elapsed().as_micros() as u64, Ordering::Relaxed);
        let sent = match &server.publish {
            Publish::Upload(base) => {
                http.get(format!(
                    "{base}/weatherstation/updateweatherstation.php?ID=BENCH&PASSWORD=k&tempf={}",
                    60 + i
                ))
                .send()
                .await
            }
            Publish::Post(url) => http.post(url).body(nchan_body(i)).send().await,
        };
        sent?.error_for_status()?;
        for _ in 0..subscribers {
            match tokio::time::timeout(Duration::from_secs(30), rx.recv()).await {
                Ok(Some(ms)) => latencies.push(ms),
                _ => break,
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (user_after, system_after) = cpu_split_of(&server.pids);
    let per_publish = |after: f64, before: f64| (after - before) / f64::from(rounds);
    let kernel = per_publish(system_after, system_before);
    let cpu = per_publish(user_after, user_before) + kernel;
    let redis = server
        .redis_pid
        .zip(redis_before)
        .map(|(pid, before)| (cpu_ms(pid) - before) / f64::from(rounds));
    drop(readers);
    latencies.sort_by(f64::total_cmp);
    Ok(Fanout {
        name: server.name.clone(),
        subscribers,
        latency_ms: (
            percentile(&latencies, 0.5),
            percentile(&latencies, 0.99),
            latencies.last().copied().unwrap_or(f64::NAN),
        ),
        deliveries: latencies.len(),
        rounds,
        per_connection_kib,
        cpu_per_broadcast_ms: cpu + redis.unwrap_or(0.0),
        redis_cpu_per_broadcast_ms: redis,
        kernel_per_broadcast_ms: kernel,
    })
}

/// Measures the relay alone, in clusters of 2 and 3, and nginx + nchan, with `subscribers`
/// each, `passes` times with the order turned by one each pass (so that no server always
/// runs first or after the same one), and prints the medians with the ratios relay / nchan.
/// Needs Redis, nginx and nchan from Debian's packages (installed when missing).
pub async fn compare(subscribers: usize, rounds: u32, passes: u32) -> Result<Vec<Fanout>> {
    crate::tools::ensure_packages(&[
        ("redis-server", isobar_testkit::REDIS),
        ("nginx", NGINX),
        ("libnginx-mod-nchan", NCHAN),
    ])?;
    let dir = std::env::temp_dir().join(format!("isobar-bench-fanout-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let mut runs: Vec<Vec<Fanout>> = vec![Vec::new(); 4];
    for pass in 0..passes.max(1) as usize {
        for turn in 0..4 {
            let which = (turn + pass) % 4;
            let server = match which {
                0 => relays(1, subscribers, &dir).await?,
                1 => nchan(subscribers, &dir).await?,
                n => relays(n, subscribers, &dir).await?,
            };
            eprintln!(
                "xtask: fan-out to {subscribers} subscribers, pass {}: {}",
                pass + 1,
                server.name
            );
            runs[which].push(measure(server, subscribers, rounds).await?);
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    let figures: Vec<Fanout> = runs.iter().map(|r| median(r)).collect();
    print(&figures, &runs);
    Ok(figures)
}

/// Each figure's median over the passes of one server.
fn median(runs: &[Fanout]) -> Fanout {
    let mid = |f: &dyn Fn(&Fanout) -> f64| {
        let mut v: Vec<f64> = runs.iter().map(f).collect();
        v.sort_by(f64::total_cmp);
        percentile(&v, 0.5)
    };
    Fanout {
        name: runs[0].name.clone(),
        subscribers: runs[0].subscribers,
        latency_ms: (
            mid(&|f| f.latency_ms.0),
            mid(&|f| f.latency_ms.1),
            mid(&|f| f.latency_ms.2),
        ),
        deliveries: runs.iter().map(|f| f.deliveries).min().unwrap_or(0),
        rounds: runs[0].rounds,
        per_connection_kib: mid(&|f| f.per_connection_kib),
        cpu_per_broadcast_ms: mid(&|f| f.cpu_per_broadcast_ms),
        redis_cpu_per_broadcast_ms: runs[0]
            .redis_cpu_per_broadcast_ms
            .map(|_| mid(&|f| f.redis_cpu_per_broadcast_ms.unwrap_or(0.0))),
        kernel_per_broadcast_ms: mid(&|f| f.kernel_per_broadcast_ms),
    }
}

fn print(figures: &[Fanout], runs: &[Vec<Fanout>]) {
    let Some(first) = figures.first() else {
        return;
    };
    println!(
        "Fan-out: {} publishes, each to {} WebSocket subscribers; the same client, each server alone on 127.0.0.1; medians of {} passes",
        first.rounds,
        first.subscribers,
        runs[0].len()
    );
    println!(
        "  {:<22} {:>8} {:>8} {:>8} {:>10} {:>14} {:>14} {:>14} {:>12}",
        "server",
        "p50 ms",
        "p99 ms",
        "max ms",
        "KiB/conn",
        "CPU/publish",
        "CPU/message",
        "of it kernel",
        "of it Redis"
    );
    for f in figures {
        println!(
            "  {:<22} {:>8.1} {:>8.1} {:>8.1} {:>10.2} {:>11.0} ms {:>11.1} µs {:>11.0} ms {:>12}{}",
            f.name,
            f.latency_ms.0,
            f.latency_ms.1,
            f.latency_ms.2,
            f.per_connection_kib,
            f.cpu_per_broadcast_ms,
            f.cpu_per_message_us(),
            f.kernel_per_broadcast_ms,
            f.redis_cpu_per_broadcast_ms
                .map_or("–".into(), |r| format!("{r:.0} ms")),
            if f.deliveries < f.subscribers * f.rounds as usize {
                format!("  ({} deliveries: some lost)", f.deliveries)
            } else {
                String::new()
            }
        );
    }
    for r in runs {
        let each = |f: &dyn Fn(&Fanout) -> String| r.iter().map(f).collect::<Vec<_>>().join(", ");
        println!(
            "  {:<22} each pass: p99 {} ms; CPU per publish {} ms, of it kernel {} ms",
            r[0].name,
            each(&|f| format!("{:.0}", f.latency_ms.1)),
            each(&|f| format!("{:.0}", f.cpu_per_broadcast_ms)),
            each(&|f| format!("{:.0}", f.kernel_per_broadcast_ms)),
        );
    }
    let Some(nchan) = figures.iter().find(|f| f.name.contains("nchan")) else {
        return;
    };
    println!("  ratio to nginx + nchan (below 1: the relay is better)");
    for f in figures.iter().filter(|f| !f.name.contains("nchan")) {
        println!(
            "  {:<22} p50 ×{:.2}, p99 ×{:.2}, memory per connection ×{:.2}, CPU per delivered message ×{:.2} (in the kernel ×{:.2}, in user space ×{:.2})",
            f.name,
            f.latency_ms.0 / nchan.latency_ms.0,
            f.latency_ms.1 / nchan.latency_ms.1,
            f.per_connection_kib / nchan.per_connection_kib,
            f.cpu_per_message_us() / nchan.cpu_per_message_us(),
            f.kernel_per_broadcast_ms / nchan.kernel_per_broadcast_ms,
            (f.cpu_per_broadcast_ms - f.redis_cpu_per_broadcast_ms.unwrap_or(0.0) - f.kernel_per_broadcast_ms)
                / (nchan.cpu_per_broadcast_ms - nchan.kernel_per_broadcast_ms),
        );
    }
}
