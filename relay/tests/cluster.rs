//! Several relay processes sharing one Redis (Debian's `redis-server`, started on a free
//! port): any client on any relay, one upstream poll per place for the cluster, every reading
//! to every subscriber once and in order (also when Redis's pub/sub connections are killed, or
//! a relay is), honest gaps past the history or after a Redis restart, and a relay that will
//! not start without its Redis.

mod common;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use isobar_core::live::{self, Position, ServerMessage};
use isobar_simulator::faults::FaultTable;
use isobar_testkit::{free_port, start_redis, start_relay, KillOnDrop, TempDir};
use tokio_tungstenite::tungstenite::Message;

use common::{metric, metrics_at, Ws, KEY, STATION};

/// Redis, the simulator and relay processes sharing them.
struct Cluster {
    dir: TempDir,
    redis_port: u16,
    redis: Option<KillOnDrop>,
    sim: isobar_simulator::Running,
    prefix: String,
    relays: Vec<Relay>,
    proxy: Option<Proxy>,
}

/// One relay process.
struct Relay {
    addr: SocketAddr,
    process: Option<KillOnDrop>,
}

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_isobar-relay"))
}

/// Redis and `n` relays, each with `extra` added to its configuration.
async fn cluster(n: usize, extra: &str) -> Cluster {
    cluster_with(n, extra, "", false).await
}

/// Redis and `n` relays, each with `extra` added to its configuration's top and `tail` to its
/// end; with `proxied`, relay 0 reaches Redis through a [`Proxy`].
async fn cluster_with(n: usize, extra: &str, tail: &str, proxied: bool) -> Cluster {
    let dir = TempDir::new("cluster").unwrap();
    let redis_port = free_port().unwrap();
    let redis = start_redis(redis_port, &dir).await.unwrap();
    let sim = isobar_simulator::spawn("127.0.0.1:0", FaultTable::default())
        .await
        .unwrap();
    let mut c = Cluster {
        dir,
        redis_port,
        redis: Some(redis),
        sim,
        prefix: format!("isobar-t-{}", free_port().unwrap()),
        relays: Vec::new(),
        proxy: None,
    };
    if proxied {
        c.proxy = Some(Proxy::start(redis_port).await);
    }
    for i in 0..n {
        let port = match &c.proxy {
            Some(p) if i == 0 => p.port,
            _ => c.redis_port,
        };
        let relay = c
            .start(
                i,
                &format!("redis_url = \"redis://127.0.0.1:{port}\"\n{extra}"),
                tail,
            )
            .await;
        c.relays.push(relay);
    }
    c
}

impl Cluster {
    fn config(&self, addr: SocketAddr, extra: &str, tail: &str) -> String {
        format!(
            r#"listen = "{addr}"
forecast_url = "http://{sim}/v1/forecast"
poll_interval_s = 0.5
max_backoff_s = 1.0
redis_prefix = "{prefix}"
broker_probe_s = 0.5
client_queue = 2048
max_connections_per_ip = 1000
max_observation_age_s = 7200
{extra}
[[stations]]
id = "{STATION}"
key = "{KEY}"
{tail}
"#,
            sim = self.sim.addr,
            prefix = self.prefix,
        )
    }

    /// Starts relay number `i` (its configuration file is `relay-<i>.toml`).
    async fn start(&self, i: usize, extra: &str, tail: &str) -> Relay {
        let addr: SocketAddr = format!("127.0.0.1:{}", free_port().unwrap())
            .parse()
            .unwrap();
        let path = self.dir.0.join(format!("relay-{i}.toml"));
        std::fs::write(&path, self.config(addr, extra, tail)).unwrap();
        let log = self.dir.0.join(format!("relay-{i}.log"));
        let process = start_relay(&bin(), &path, addr, "info", Some(&log))
            .await
            .unwrap();
        Relay {
            addr,
            process: Some(process),
        }
    }

    fn addr(&self, i: usize) -> SocketAddr {
        self.relays[i % self.relays.len()].addr
    }

    async fn redis(&self) -> redis::aio::MultiplexedConnection {
        redis::Client::open(format!("redis://127.0.0.1:{}", self.redis_port))
            .unwrap()
            .get_multiplexed_async_connection()
            .await
            .unwrap()
    }

    fn forecasts(&self) -> u64 {
        self.sim
            .state
            .count(isobar_simulator::faults::Endpoint::Forecast)
    }
}

/// A WU upload to `addr` of reading number `i` (its time `base + i` seconds, its values made
/// from `i`, so that no two are alike); the answer's status and body.
async fn upload(http: &reqwest::Client, addr: SocketAddr, base: i64, i: u64) -> (u16, String) {
    let observed = chrono::DateTime::from_timestamp(base + i as i64, 0).unwrap();
    let dateutc = observed.format("%Y-%m-%d+%H%%3A%M%%3A%S");
    let url = format!(
        "http://{addr}/weatherstation/updateweatherstation.php?ID={STATION}&PASSWORD={KEY}&dateutc={dateutc}&tempf={}&humidity={}&action=updateraw",
        20 + i % 100,
        1 + i / 100,
    );
    let r = http.get(url).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The first reading's time for a run of `n`: far enough back that the last is not ahead of
/// the relay's clock.
fn base(n: u64) -> i64 {
    chrono::Utc::now().timestamp() - n as i64 - 60
}

async fn connect(addr: SocketAddr) -> Option<Ws> {
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/live"))
        .await
        .ok()?;
    match next(&mut ws).await? {
        ServerMessage::Hello { .. } => Some(ws),
        _ => None,
    }
}

/// The next message, or `None` when the socket ends or nothing comes for 15 s.
async fn next(ws: &mut Ws) -> Option<ServerMessage> {
    loop {
        match tokio::time::timeout(Duration::from_secs(15), ws.next()).await {
            Ok(Some(Ok(Message::Text(t)))) => return live::parse_server(&t),
            Ok(Some(Ok(_))) => continue,
            _ => return None,
        }
    }
}

fn subscribe(target: &str, since: Option<&Position>) -> String {
    match since {
        Some(p) => format!(
            r#"{{"type":"subscribe",{target},"since":{{"epoch":"{}","offset":{}}}}}"#,
            p.epoch, p.offset
        ),
        None => format!(r#"{{"type":"subscribe",{target}}}"#),
    }
}

/// `n` viewers of `target` (JSON fields), spread over the relays, each once subscribed.
async fn viewers(c: &Cluster, target: &str, n: usize) -> Vec<Ws> {
    let mut all = Vec::new();
    for i in 0..n {
        let mut ws = connect(c.addr(i)).await.unwrap();
        ws.send(Message::text(subscribe(target, None)))
            .await
            .unwrap();
        match next(&mut ws).await {
            Some(ServerMessage::Subscribed { .. }) => {}
            other => panic!("{other:?}"),
        }
        all.push(ws);
    }
    all
}

fn station_target() -> String {
    format!(r#""station":"{STATION}""#)
}

/// What one subscriber saw.
#[derive(Debug, Default)]
struct Seen {
    /// Offsets of the readings applied, in order (each once, by the dashboard's rule).
    offsets: Vec<u64>,
    /// Every `recovered` it was told.
    recovered: Vec<bool>,
    /// Readings received again (a replay overlapping what it had).
    repeated: usize,
    /// Connections made.
    connections: usize,
    last: Option<Position>,
}

/// A subscriber of the station that follows it until it has seen offset `until`, connecting
/// to `addrs` in turn from `first` whenever its connection ends, with its last position, as
/// the dashboard does.
async fn follow(
    addrs: Vec<SocketAddr>,
    first: usize,
    until: u64,
    ready: tokio::sync::mpsc::Sender<()>,
) -> Seen {
    let mut seen = Seen::default();
    let mut at = first;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
    let mut ready = Some(ready);
    while seen.last.as_ref().is_none_or(|p| p.offset < until) {
        assert!(tokio::time::Instant::now() < deadline, "gave up: {seen:?}");
        let Some(mut ws) = connect(addrs[at % addrs.len()]).await else {
            at += 1;
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        seen.connections += 1;
        let asked = subscribe(&station_target(), seen.last.as_ref());
        if ws.send(Message::text(asked)).await.is_err() {
            at += 1;
            continue;
        }
        while let Some(m) = next(&mut ws).await {
            match m {
                ServerMessage::Subscribed { recovered, .. } => {
                    if let Some(r) = recovered {
                        seen.recovered.push(r);
                    }
                    if let Some(tx) = ready.take() {
                        let _ = tx.send(()).await;
                    }
                }
                ServerMessage::Observation {
                    position: Some(p), ..
                } => {
                    if Position::is_new(seen.last.as_ref(), &p) {
                        seen.offsets.push(p.offset);
                        seen.last = Some(p);
                    } else {
                        seen.repeated += 1;
                    }
                    if seen.last.as_ref().is_some_and(|p| p.offset >= until) {
                        break;
                    }
                }
                _ => {}
            }
        }
        at += 1;
    }
    seen
}

/// Starts `n` followers on relay `relays[first]`..., waiting until each has subscribed.
async fn followers(
    c: &Cluster,
    n: usize,
    spread: bool,
    until: u64,
) -> Vec<tokio::task::JoinHandle<Seen>> {
    let addrs: Vec<SocketAddr> = c.relays.iter().map(|r| r.addr).collect();
    let (tx, mut rx) = tokio::sync::mpsc::channel(n);
    let tasks = (0..n)
        .map(|i| {
            let first = if spread { i } else { 0 };
            tokio::spawn(follow(addrs.clone(), first, until, tx.clone()))
        })
        .collect();
    for _ in 0..n {
        tokio::time::timeout(Duration::from_secs(30), rx.recv())
            .await
            .expect("every follower subscribes");
    }
    tasks
}

#[tokio::test]
async fn a_reading_uploaded_to_one_relay_reaches_subscribers_on_every_relay_once() {
    let c = cluster(3, "").await;
    let http = reqwest::Client::new();
    let tasks = followers(&c, 3, true, 2).await;
    let base = base(10);
    let (status, body) = upload(&http, c.addr(1), base, 1).await;
    assert_eq!((status, body.as_str()), (200, "success\n"));
    // The same reading again, at another relay (a station that retries): kept once.
    let (status, body) = upload(&http, c.addr(2), base, 1).await;
    assert_eq!(status, 200);
    assert!(body.contains("a repeat"), "{body}");
    let (status, body) = upload(&http, c.addr(0), base, 2).await;
    assert_eq!((status, body.as_str()), (200, "success\n"));
    for t in tasks {
        let seen = t.await.unwrap();
        assert_eq!(seen.offsets, vec![1, 2], "{seen:?}");
        assert_eq!(seen.repeated, 0);
    }
    let health = wait_health(c.addr(0), 200).await;
    assert_eq!(health["bus"], "redis");
    assert_eq!(health["broker"]["state"], "connected");
}

#[tokio::test]
async fn every_subscriber_gets_every_reading_once_in_order_when_pubsub_connections_are_killed() {
    const N: u64 = 1000;
    let c = cluster(3, "").await;
    let http = reqwest::Client::new();
    let tasks = followers(&c, 300, true, N).await;
    let base = base(N);
    let mut redis = c.redis().await;
    let mut repeats = 0;
    for i in 1..=N {
        let (status, body) = upload(&http, c.addr(i as usize), base, i).await;
        assert_eq!((status, body.as_str()), (200, "success\n"), "reading {i}");
        if i % 10 == 0 {
            // Sent again to another relay, as a station that did not get its answer would.
            let (status, body) = upload(&http, c.addr(i as usize + 1), base, i).await;
            assert!(status == 200 && body.contains("a repeat"), "{body}");
            repeats += 1;
        }
        if i == 300 || i == 700 {
            // Every relay's pub/sub connection cut mid-burst.
            let killed: i64 = redis::cmd("CLIENT")
                .arg("KILL")
                .arg("TYPE")
                .arg("pubsub")
                .query_async(&mut redis)
                .await
                .unwrap();
            assert_eq!(killed, 3);
        }
    }
    assert_eq!(repeats, 100);
    let want: Vec<u64> = (1..=N).collect();
    for t in tasks {
        let seen = t.await.unwrap();
        assert_eq!(seen.offsets, want);
        assert_eq!(seen.connections, 1, "no subscriber was dropped");
    }
    let len: u64 = redis::cmd("XLEN")
        .arg(format!("{}:{{s:{STATION}}}:log", c.prefix))
        .query_async(&mut redis)
        .await
        .unwrap();
    assert_eq!(len, 256, "the stream keeps station_history readings");
    let mut reconnects = 0.0;
    for r in &c.relays {
        let m = metrics_at(&format!("http://{}/metrics", r.addr)).await;
        reconnects += metric(&m, "isobar_relay_broker_reconnects_total").unwrap();
    }
    assert_eq!(
        reconnects, 6.0,
        "each relay connected again after each kill"
    );
}

#[tokio::test]
async fn clients_of_a_killed_relay_get_every_reading_from_the_others() {
    const N: u64 = 500;
    let mut c = cluster(3, "").await;
    let http = reqwest::Client::new();
    // 100 clients on relay 0; when it dies each comes back to relay 1 or 2.
    let addrs: Vec<SocketAddr> = c.relays.iter().map(|r| r.addr).collect();
    let (tx, mut rx) = tokio::sync::mpsc::channel(100);
    let tasks: Vec<_> = (0..100)
        .map(|i| {
            let mut order = vec![addrs[0]];
            order.extend(if i % 2 == 0 {
                [addrs[1], addrs[2]]
            } else {
                [addrs[2], addrs[1]]
            });
            tokio::spawn(follow(order, 0, N, tx.clone()))
        })
        .collect();
    for _ in 0..100 {
        rx.recv().await.unwrap();
    }
    let base = base(N);
    for i in 1..=N {
        let (status, _) = upload(&http, c.addr(1 + i as usize % 2), base, i).await;
        assert_eq!(status, 200);
        if i == 300 {
            drop(c.relays[0].process.take()); // SIGKILL
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let want: Vec<u64> = (1..=N).collect();
    for t in tasks {
        let seen = t.await.unwrap();
        assert_eq!(seen.offsets, want);
        assert!(seen.connections >= 2, "{seen:?}");
        assert!(seen.recovered.iter().all(|r| *r), "{seen:?}");
    }
}

#[tokio::test]
async fn past_the_history_or_after_a_redis_restart_the_gap_is_told_with_the_current_value() {
    let mut c = cluster(2, "station_history = 20").await;
    let http = reqwest::Client::new();
    let base = base(200);
    let mut ws = connect(c.addr(0)).await.unwrap();
    ws.send(Message::text(subscribe(&station_target(), None)))
        .await
        .unwrap();
    let Some(ServerMessage::Subscribed { epoch, .. }) = next(&mut ws).await else {
        panic!("subscribed");
    };
    upload(&http, c.addr(1), base, 1).await;
    let Some(ServerMessage::Observation {
        position: Some(first),
        ..
    }) = next(&mut ws).await
    else {
        panic!("the first reading");
    };
    assert_eq!((Some(&first.epoch), first.offset), (epoch.as_ref(), 1));
    drop(ws);
    // 50 missed, more than the 20 kept: told so, with the current value only.
    for i in 2..=51 {
        upload(&http, c.addr(i as usize), base, i).await;
    }
    // Relay 1 learns the last upload from Redis a moment after it was kept: wait until its
    // mirror has it (a subscriber without a position is sent readings up to the current one),
    // or it rightly tells the position it has, 50 (this failed once under load).
    let mut probe = connect(c.addr(1)).await.unwrap();
    probe
        .send(Message::text(subscribe(&station_target(), None)))
        .await
        .unwrap();
    loop {
        match next(&mut probe).await {
            Some(ServerMessage::Observation {
                position: Some(p), ..
            }) if p.offset == 51 => break,
            Some(_) => {}
            None => panic!("relay 1 never had the 51st reading"),
        }
    }
    drop(probe);
    let mut ws = connect(c.addr(1)).await.unwrap();
    ws.send(Message::text(subscribe(&station_target(), Some(&first))))
        .await
        .unwrap();
    let Some(ServerMessage::Subscribed {
        recovered, offset, ..
    }) = next(&mut ws).await
    else {
        panic!("subscribed");
    };
    assert_eq!((recovered, offset), (Some(false), Some(51)));
    let Some(ServerMessage::Observation {
        position: Some(now),
        ..
    }) = next(&mut ws).await
    else {
        panic!("the current value");
    };
    assert_eq!(now.offset, 51);

    // Redis restarted (it keeps nothing): the relays say so and connect again by themselves.
    drop(c.redis.take());
    let health = wait_health(c.addr(0), 503).await;
    assert_eq!(health["status"], "degraded");
    assert_eq!(health["broker"]["state"], "reconnecting");
    // An upload meanwhile is not answered as kept: the station is told to send it again.
    let (status, body) = upload(&http, c.addr(0), base, 55).await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("send it again"), "{body}");
    // So is a subscription the relay cannot make without Redis (a place it does not follow);
    // the connection stays.
    let mut other = connect(c.addr(0)).await.unwrap();
    for _ in 0..2 {
        other
            .send(Message::text(subscribe(r#""lat":1.0,"lon":1.0"#, None)))
            .await
            .unwrap();
        match next(&mut other).await {
            Some(ServerMessage::Error { code, .. }) => assert_eq!(code, "unavailable"),
            m => panic!("{m:?}"),
        }
    }
    c.redis = Some(start_redis(c.redis_port, &c.dir).await.unwrap());
    wait_health(c.addr(0), 200).await;
    wait_health(c.addr(1), 200).await;
    // The client that stayed is told that its topic started again.
    let Some(ServerMessage::Subscribed {
        recovered,
        epoch: Some(epoch),
        ..
    }) = next(&mut ws).await
    else {
        panic!("told of the restart");
    };
    assert_eq!(recovered, Some(false));
    assert_ne!(epoch, now.epoch);
    let (status, _) = upload(&http, c.addr(0), base, 60).await;
    assert_eq!(status, 200);
    let Some(ServerMessage::Observation {
        position: Some(after),
        ..
    }) = next(&mut ws).await
    else {
        panic!("the reading after the restart");
    };
    assert_eq!((after.epoch.as_str(), after.offset), (epoch.as_str(), 1));
    // One that comes back from before the restart: told, and given the current value.
    let mut ws = connect(c.addr(0)).await.unwrap();
    ws.send(Message::text(subscribe(&station_target(), Some(&now))))
        .await
        .unwrap();
    let Some(ServerMessage::Subscribed { recovered, .. }) = next(&mut ws).await else {
        panic!("subscribed");
    };
    assert_eq!(recovered, Some(false));
    let Some(ServerMessage::Observation {
        position: Some(current),
        ..
    }) = next(&mut ws).await
    else {
        panic!("the current value");
    };
    assert_eq!(current, after);
    let m = metrics_at(&format!("http://{}/metrics", c.addr(0))).await;
    assert!(metric(&m, "isobar_relay_broker_reconnects_total").unwrap() >= 1.0);
    assert!(metric(&m, "isobar_relay_broker_resets_total").unwrap() >= 1.0);
}

/// Polls the metrics of the relay at `addr` every 100 ms until the sample `name` is at least
/// `at_least`; fails, with the metrics, if `deadline` passes first.
async fn wait_metric(addr: SocketAddr, name: &str, at_least: f64, deadline: tokio::time::Instant) {
    let url = format!("http://{addr}/metrics");
    loop {
        let text = metrics_at(&url).await;
        if metric(&text, name) >= Some(at_least) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{name} never reached {at_least}:\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Polls `/health` until it answers `code` (within 15 s); its body.
async fn wait_health(addr: SocketAddr, code: u16) -> serde_json::Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        if let Ok(r) = reqwest::get(format!("http://{addr}/health")).await {
            if r.status().as_u16() == code {
                return serde_json::from_str(&r.text().await.unwrap()).unwrap();
            }
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "/health at {addr} never answered {code}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn the_cluster_polls_a_place_once_per_interval_and_another_relay_takes_over() {
    let mut c = cluster(3, "").await;
    let place = r#""lat":52.52,"lon":13.41"#;
    // 60 viewers of one place, 20 on each relay.
    let viewers = viewers(&c, place, 60).await;
    // Intervals of 0.5 s: over 5 s, 10 intervals (11 slots touched at most).
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = c.forecasts();
    tokio::time::sleep(Duration::from_secs(5)).await;
    let polls = c.forecasts() - before;
    assert!((8..=11).contains(&polls), "{polls} polls in 10 intervals");
    // Whichever relay polled, two of three go: the last one polls alone.
    drop(c.relays[0].process.take());
    drop(c.relays[1].process.take());
    tokio::time::sleep(Duration::from_millis(600)).await;
    let before = c.forecasts();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let polls = c.forecasts() - before;
    assert!((5..=7).contains(&polls), "{polls} polls in 6 intervals");
    let m = metrics_at(&format!("http://{}/metrics", c.addr(2))).await;
    assert!(metric(&m, "isobar_relay_polls_skipped_total").unwrap() >= 1.0);
    // Every viewer gone: polling stops.
    drop(viewers);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let before = c.forecasts();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(c.forecasts(), before, "no poll without a viewer");
}

#[tokio::test]
async fn a_relay_that_cannot_reach_its_redis_says_so_and_exits() {
    let dir = TempDir::new("no-redis").unwrap();
    let port = free_port().unwrap();
    let out = tokio::process::Command::new(bin())
        .args(["--listen", "127.0.0.1:0", "--redis"])
        .arg(format!("redis://127.0.0.1:{port}"))
        .current_dir(&dir.0)
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("cannot reach Redis at 127.0.0.1:{port}")),
        "{stderr}"
    );
}

/// A TCP proxy to port `to` whose connections can be frozen: a frozen connection stays open
/// and silently passes nothing more (as one behind a dead NAT entry would); connections made
/// after the freeze pass.
struct Proxy {
    port: u16,
    made: Arc<AtomicU64>,
    frozen: Arc<AtomicU64>,
}

impl Proxy {
    async fn start(to: u16) -> Proxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (made, frozen) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        let (m, f) = (made.clone(), frozen.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let me = m.fetch_add(1, Ordering::SeqCst) + 1;
                let Ok(server) = tokio::net::TcpStream::connect(("127.0.0.1", to)).await else {
                    continue;
                };
                let (cr, cw) = client.into_split();
                let (sr, sw) = server.into_split();
                tokio::spawn(pump(cr, sw, me, f.clone()));
                tokio::spawn(pump(sr, cw, me, f.clone()));
            }
        });
        Proxy { port, made, frozen }
    }

    /// Freezes every connection made so far.
    fn freeze(&self) {
        self.frozen
            .store(self.made.load(Ordering::SeqCst), Ordering::SeqCst);
    }
}

async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    me: u64,
    frozen: Arc<AtomicU64>,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if me <= frozen.load(Ordering::SeqCst) {
            // Open, and silent for ever.
            std::future::pending::<()>().await;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

#[tokio::test]
async fn a_pubsub_connection_that_silently_stops_delivering_is_found_and_replaced() {
    let c = cluster_with(2, "", "", true).await;
    let http = reqwest::Client::new();
    let tasks = followers(&c, 1, false, 2).await;
    let base = base(10);
    assert_eq!(upload(&http, c.addr(1), base, 1).await.0, 200);
    // Relay 0's connections to Redis go silent; relay 1's are direct.
    tokio::time::sleep(Duration::from_millis(300)).await;
    c.proxy.as_ref().unwrap().freeze();
    assert_eq!(upload(&http, c.addr(1), base, 2).await.0, 200);
    let seen = tokio::time::timeout(Duration::from_secs(20), tasks.into_iter().next().unwrap())
        .await
        .expect("the reading came through a new connection")
        .unwrap();
    assert_eq!(seen.offsets, vec![1, 2]);
    assert_eq!(
        seen.connections, 1,
        "it came to the relay the client was on"
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let m = metrics_at(&format!("http://{}/metrics", c.addr(0))).await;
        let lost = metric(&m, "isobar_relay_broker_probes_lost_total").unwrap();
        let back = metric(&m, "isobar_relay_broker_reconnects_total").unwrap();
        if lost >= 1.0 && back >= 1.0 {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{m}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        wait_health(c.addr(0), 200).await["broker"]["state"],
        "connected"
    );
}

#[tokio::test]
async fn a_weewx_packet_read_by_every_relay_is_kept_once_and_reaches_every_subscriber() {
    use rumqttc::{AsyncClient, MqttOptions, QoS};
    let dir = TempDir::new("cluster-mqtt").unwrap();
    let mqtt_port = free_port().unwrap();
    let _broker = isobar_testkit::start_mosquitto(mqtt_port, &dir)
        .await
        .unwrap();
    let tail = format!(
        "[[stations]]\nid = \"WEEWX1\"\nmqtt_url = \"mqtt://127.0.0.1:{mqtt_port}\"\nmqtt_topic = \"weather/loop\"\n"
    );
    let c = cluster_with(2, "", &tail, false).await;
    let mut viewers = viewers(&c, r#""station":"WEEWX1""#, 2).await;
    let (client, mut events) = AsyncClient::new(
        MqttOptions::new("isobar-test-station", "127.0.0.1", mqtt_port),
        16,
    );
    tokio::spawn(async move { while events.poll().await.is_ok() {} });
    // Both relays follow the broker once they are connected: wait for both.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    for i in 0..2 {
        wait_metric(c.addr(i), "isobar_relay_mqtt_connects_total", 1.0, deadline).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let at = chrono::Utc::now().timestamp() - 30;
    let packet = format!(
        r#"{{"dateTime": "{at}.0", "usUnits": "1.0", "outTemp_F": "50.0", "outHumidity": "40.0", "windSpeed_mph": "10.0"}}"#
    );
    client
        .publish("weather/loop", QoS::AtLeastOnce, false, packet.as_bytes())
        .await
        .unwrap();
    for ws in &mut viewers {
        match next(ws).await {
            Some(ServerMessage::Observation {
                time,
                values,
                position: Some(p),
                ..
            }) => {
                assert_eq!((time, p.offset), (at, 1));
                assert_eq!(values.temperature, Some(10.0));
                assert_eq!(values.humidity, Some(40.0));
                let kmh = values.wind_speed.unwrap();
                assert!((kmh - 16.09).abs() < 0.01, "{kmh}");
            }
            other => panic!("{other:?}"),
        }
    }
    // Read by both relays, kept once: the second append was a repeat.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (mut appends, mut repeats) = (0.0, 0.0);
    for i in 0..2 {
        let m = metrics_at(&format!("http://{}/metrics", c.addr(i))).await;
        appends += metric(&m, "isobar_relay_appends_total").unwrap();
        repeats += metric(&m, "isobar_relay_repeats_total").unwrap();
    }
    assert_eq!((appends, repeats), (1.0, 1.0));
    for ws in &mut viewers {
        assert!(
            tokio::time::timeout(Duration::from_millis(300), ws.next())
                .await
                .is_err(),
            "nothing more"
        );
    }
}

#[tokio::test]
async fn a_failing_upstream_is_reported_once_on_every_relay_and_so_is_its_recovery() {
    use isobar_core::live::SourceState;
    use isobar_simulator::faults::{Endpoint, Fault};
    let c = cluster(2, "").await;
    let place = r#""lat":35.68,"lon":139.69"#;
    let mut viewers = viewers(&c, place, 2).await;
    // The first reading, polled by one of the two relays, reaches both viewers.
    for ws in &mut viewers {
        assert!(matches!(
            next(ws).await,
            Some(ServerMessage::Observation { .. })
        ));
    }
    c.sim.state.set_fault(
        Endpoint::Forecast,
        Fault {
            status: Some(503),
            ..Fault::default()
        },
    );
    // Whichever relay polls, both viewers are told once, and told again when it recovers,
    // even if the relay that recovers is not the one that failed.
    let status = |m: Option<ServerMessage>| match m {
        Some(ServerMessage::Status { state, .. }) => state,
        other => panic!("{other:?}"),
    };
    for ws in &mut viewers {
        assert_eq!(status(next(ws).await), SourceState::Stale);
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    c.sim.state.clear_faults();
    for ws in &mut viewers {
        assert_eq!(status(next(ws).await), SourceState::Live);
    }
}

/// One relay with no Redis (the default): everything in its memory.
async fn single() -> Cluster {
    let mut c = Cluster {
        dir: TempDir::new("single").unwrap(),
        redis_port: 0,
        redis: None,
        sim: isobar_simulator::spawn("127.0.0.1:0", FaultTable::default())
            .await
            .unwrap(),
        prefix: "isobar".into(),
        relays: Vec::new(),
        proxy: None,
    };
    let relay = c.start(0, "", "").await;
    c.relays.push(relay);
    c
}

#[tokio::test]
async fn a_single_relay_without_redis_passes_the_same_recovery_tests() {
    const N: u64 = 1000;
    let mut c = single().await;
    let health = wait_health(c.addr(0), 200).await;
    assert_eq!(health["bus"], "memory");
    assert!(health.get("broker").is_none());
    let http = reqwest::Client::new();
    let tasks = followers(&c, 100, false, N).await;
    let base = base(N);
    for i in 1..=N {
        let (status, body) = upload(&http, c.addr(0), base, i).await;
        assert_eq!((status, body.as_str()), (200, "success\n"));
        if i % 10 == 0 {
            let (_, body) = upload(&http, c.addr(0), base, i).await;
            assert!(body.contains("a repeat"), "{body}");
        }
    }
    let want: Vec<u64> = (1..=N).collect();
    let mut epoch = None;
    for t in tasks {
        let seen = t.await.unwrap();
        assert_eq!(seen.offsets, want);
        assert_eq!(seen.connections, 1);
        epoch = seen.last.map(|p| p.epoch);
    }
    let epoch = epoch.unwrap();
    // Past the history (256 kept): told, with the current value only.
    let at = |offset| Position {
        epoch: epoch.clone(),
        offset,
    };
    let mut ws = connect(c.addr(0)).await.unwrap();
    ws.send(Message::text(subscribe(&station_target(), Some(&at(1)))))
        .await
        .unwrap();
    match next(&mut ws).await {
        Some(ServerMessage::Subscribed {
            recovered, offset, ..
        }) => assert_eq!((recovered, offset), (Some(false), Some(N))),
        other => panic!("{other:?}"),
    }
    match next(&mut ws).await {
        Some(ServerMessage::Observation {
            position: Some(p), ..
        }) => assert_eq!(p, at(N)),
        other => panic!("{other:?}"),
    }
    // Within it: exactly what was missed.
    let mut ws = connect(c.addr(0)).await.unwrap();
    ws.send(Message::text(subscribe(
        &station_target(),
        Some(&at(N - 3)),
    )))
    .await
    .unwrap();
    match next(&mut ws).await {
        Some(ServerMessage::Subscribed { recovered, .. }) => assert_eq!(recovered, Some(true)),
        other => panic!("{other:?}"),
    }
    for o in N - 2..=N {
        match next(&mut ws).await {
            Some(ServerMessage::Observation {
                position: Some(p), ..
            }) => assert_eq!(p, at(o)),
            other => panic!("{other:?}"),
        }
    }
    // Restarted, the relay has forgotten everything: another epoch, and the client is told.
    drop(c.relays[0].process.take());
    let relay = c.start(1, "", "").await;
    let mut ws = connect(relay.addr).await.unwrap();
    ws.send(Message::text(subscribe(&station_target(), Some(&at(N)))))
        .await
        .unwrap();
    match next(&mut ws).await {
        Some(ServerMessage::Subscribed {
            recovered,
            epoch: Some(e),
            offset,
            ..
        }) => {
            assert_eq!((recovered, offset), (Some(false), Some(0)));
            assert_ne!(e, epoch);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_mqtt_reading_that_comes_while_redis_is_away_is_kept_when_it_returns() {
    use rumqttc::{AsyncClient, MqttOptions, QoS};
    let dir = TempDir::new("cluster-mqtt-away").unwrap();
    let mqtt_port = free_port().unwrap();
    let _broker = isobar_testkit::start_mosquitto(mqtt_port, &dir)
        .await
        .unwrap();
    let tail =
        format!("[[stations]]\nid = \"WEEWX2\"\nmqtt_url = \"mqtt://127.0.0.1:{mqtt_port}\"\n");
    let mut c = cluster_with(1, "", &tail, false).await;
    let mut ws = viewers(&c, r#""station":"WEEWX2""#, 1).await.remove(0);
    let (client, mut events) = AsyncClient::new(
        MqttOptions::new("isobar-test-station-2", "127.0.0.1", mqtt_port),
        16,
    );
    tokio::spawn(async move { while events.poll().await.is_ok() {} });
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    wait_metric(c.addr(0), "isobar_relay_mqtt_connects_total", 1.0, deadline).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let at = chrono::Utc::now().timestamp() - 60;
    let packet = |t: i64, temp_f: f64| {
        format!(r#"{{"dateTime": "{t}.0", "usUnits": "1.0", "outTemp_F": "{temp_f}"}}"#)
    };
    // Redis goes away; a reading comes meanwhile.
    drop(c.redis.take());
    wait_health(c.addr(0), 503).await;
    client
        .publish("weather/loop", QoS::AtLeastOnce, false, packet(at, 50.0))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    c.redis = Some(start_redis(c.redis_port, &c.dir).await.unwrap());
    wait_health(c.addr(0), 200).await;
    // The next packet finds Redis back: the held reading is kept first, then the new one.
    client
        .publish(
            "weather/loop",
            QoS::AtLeastOnce,
            false,
            packet(at + 10, 59.0),
        )
        .await
        .unwrap();
    let mut temperatures = Vec::new();
    while temperatures.len() < 2 {
        match next(&mut ws).await {
            Some(ServerMessage::Observation { values, .. }) => {
                temperatures.push(values.temperature.unwrap())
            }
            Some(ServerMessage::Subscribed { recovered, .. }) => {
                assert_eq!(recovered, Some(false), "told of the restart")
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(temperatures, vec![10.0, 15.0]);
    let m = metrics_at(&format!("http://{}/metrics", c.addr(0))).await;
    assert_eq!(metric(&m, "isobar_relay_mqtt_lost_total"), Some(0.0));
    assert_eq!(metric(&m, "isobar_relay_appends_total"), Some(2.0));
}

#[tokio::test]
async fn mqtt_readings_held_past_the_bound_while_redis_is_away_are_dropped_oldest_first_and_counted(
) {
    use rumqttc::{AsyncClient, MqttOptions, QoS};
    let dir = TempDir::new("cluster-mqtt-flood").unwrap();
    let mqtt_port = free_port().unwrap();
    let _broker = isobar_testkit::start_mosquitto(mqtt_port, &dir)
        .await
        .unwrap();
    let tail =
        format!("[[stations]]\nid = \"WEEWX3\"\nmqtt_url = \"mqtt://127.0.0.1:{mqtt_port}\"\n");
    let mut c = cluster_with(1, "", &tail, false).await;
    let mut ws = viewers(&c, r#""station":"WEEWX3""#, 1).await.remove(0);
    let (client, mut events) = AsyncClient::new(
        MqttOptions::new("isobar-test-station-3", "127.0.0.1", mqtt_port),
        16,
    );
    tokio::spawn(async move { while events.poll().await.is_ok() {} });
    let url = format!("http://{}/metrics", c.addr(0));
    let metrics = || metrics_at(&url);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    wait_metric(c.addr(0), "isobar_relay_mqtt_connects_total", 1.0, deadline).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    // 260 readings while Redis is away: 256 are held, the 4 oldest dropped and counted.
    let at = chrono::Utc::now().timestamp() - 600;
    let packet = |i: i64| {
        format!(
            r#"{{"dateTime": "{}.0", "usUnits": "17.0", "outTemp": "{}.0"}}"#,
            at + i,
            i % 40
        )
    };
    drop(c.redis.take());
    wait_health(c.addr(0), 503).await;
    for i in 1..=260 {
        client
            .publish("weather/loop", QoS::AtLeastOnce, false, packet(i))
            .await
            .unwrap();
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    wait_metric(
        c.addr(0),
        "isobar_relay_mqtt_messages_total",
        260.0,
        deadline,
    )
    .await;
    assert_eq!(
        metric(&metrics().await, "isobar_relay_mqtt_lost_total"),
        Some(4.0)
    );
    c.redis = Some(start_redis(c.redis_port, &c.dir).await.unwrap());
    wait_health(c.addr(0), 200).await;
    client
        .publish("weather/loop", QoS::AtLeastOnce, false, packet(261))
        .await
        .unwrap();
    // Readings 5..=261, in order, each once.
    let mut times = Vec::new();
    while times.len() < 257 {
        match next(&mut ws).await {
            Some(ServerMessage::Observation { time, .. }) => times.push(time - at),
            Some(ServerMessage::Subscribed { .. }) => {}
            other => panic!("after {} readings: {other:?}", times.len()),
        }
    }
    assert_eq!(times, (5..=261).collect::<Vec<i64>>());
    // The count is raised once the append has answered, which may be after its reading has
    // reached the viewer: wait for it (it failed once under load, 256 read at once).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    wait_metric(c.addr(0), "isobar_relay_appends_total", 257.0, deadline).await;
    assert_eq!(
        metric(&metrics().await, "isobar_relay_appends_total"),
        Some(257.0)
    );
}
