//! The cluster: several relays sharing one Redis (`redis_url`), so that any client may use
//! any relay and each place is polled once for all of them.
//!
//! * **Where readings are numbered.** Each topic has, in Redis, a meta hash (`e`: its epoch,
//!   made at random when the hash is; `s`: its last offset; `v` and `h`: the last reading's
//!   time and values) and a stream of its last readings whose entry ids are their offsets.
//!   One script ([`APPEND`]) refuses a reading older than the last, or the same again, else
//!   numbers it, adds it to the stream and publishes it on the topic's channel, atomically:
//!   an upload is answered only once that is done, and a reading that reaches two relays,
//!   or comes by HTTP and MQTT, is kept once.
//! * **How they reach every relay.** Each relay mirrors in its [`Hub`](crate::hub::Hub) the
//!   topics its clients follow (and every declared station): a listener task subscribes to
//!   their channels, makes each topic from Redis's copy ([`SYNC`]), and delivers each
//!   published reading in order; a reading after a gap, or of another epoch, makes it catch
//!   up from the stream, or, when the stream no longer reaches back, start the topic again
//!   and tell its subscribers (`recovered: false`). Clients' replays come from the mirror, so
//!   a client that comes back to any relay gets exactly what it missed.
//! * **Faults.** When the pub/sub connection ends (Redis restarted, the connection killed),
//!   the listener connects again, subscribes again and catches every topic up. When it has
//!   been quiet for `broker_probe_s`, a probe is published to the relay's own channel; if it
//!   has not come back after as long again, the connection is replaced (a connection that
//!   silently stopped delivering). Each relay also compares its topics' positions with
//!   Redis's every `broker_probe_s`. `/health` reports the state (503 while disconnected).
//! * **One poll per place.** Before each poll a relay claims the interval's slot of the place
//!   (`SET … NX PX interval`): one relay of the cluster polls in each interval, and the
//!   others receive the reading.
//!
//! Keys, all under `redis_prefix` (`isobar`), with the topic in braces so that a topic's keys
//! share a Redis Cluster slot: `isobar:{s:ID}:meta`, `isobar:{s:ID}:log`, the channel
//! `isobar:{s:ID}`, `isobar:{p:525:134}:poll:<slot>`; places are in tenths of a degree.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use futures_util::StreamExt;
use isobar_core::live::Position;
use redis::aio::ConnectionManager;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use crate::hub::{self, Delivered, Installed, Refused, Snapshot, TopicKey};
use crate::metrics::Metrics;
use crate::AppState;

/// How long a relay waits for Redis at start, and for one command.
const TIMEOUT: Duration = Duration::from_secs(3);

/// How long a topic's keys live after their last use: a station's a week (its last readings
/// wait for the next viewer), a place's two hours.
const STATION_TTL_MS: u64 = 7 * 24 * 3600 * 1000;
const PLACE_TTL_MS: u64 = 2 * 3600 * 1000;

/// The start of both scripts: the topic's epoch, made (with offset 0, and no stale stream
/// left from a lost one) when the topic has none. KEYS: meta, log. ARGV: an epoch for a new
/// topic, the keys' lifetime (ms). See [`Cluster::invocation`].
macro_rules! topic_prelude {
    () => {
        r#"
local e = redis.call('HGET', KEYS[1], 'e')
if not e then
  e = ARGV[1]
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'e', e, 's', 0)
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
"#
    };
}

/// Appends a reading. KEYS: meta, log, channel. ARGV after the prelude's two: the reading's
/// time, its values (JSON), the observation (JSON, without its position), the stream's
/// length. Returns `{kept|repeat|older, epoch, offset}`.
pub const APPEND: &str = concat!(
    topic_prelude!(),
    r#"
local v = redis.call('HGET', KEYS[1], 'v')
if v then
  local t, last = tonumber(ARGV[3]), tonumber(v)
  if t < last then
    return {'older', e, tonumber(redis.call('HGET', KEYS[1], 's'))}
  end
  if t == last and redis.call('HGET', KEYS[1], 'h') == ARGV[4] then
    return {'repeat', e, tonumber(redis.call('HGET', KEYS[1], 's'))}
  end
end
local s = redis.call('HINCRBY', KEYS[1], 's', 1)
redis.call('HSET', KEYS[1], 'v', ARGV[3], 'h', ARGV[4])
local text = string.sub(ARGV[5], 1, -2) .. ',"epoch":"' .. e .. '","offset":' .. s .. '}'
redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[6], s .. '-0', 'd', text)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
redis.call('PUBLISH', KEYS[3], s .. ':' .. e .. ':' .. text)
return {'kept', e, s}
"#
);

/// A topic's position and its readings after one. KEYS: meta, log. ARGV after the prelude's
/// two: the mirror's epoch and offset (readings after it are returned if the epoch is the
/// topic's, else all), the most to return. Returns `{epoch, offset, {id, text, id, text, …}}`.
pub const SYNC: &str = concat!(
    topic_prelude!(),
    r#"
local s = tonumber(redis.call('HGET', KEYS[1], 's'))
local from = 0
if e == ARGV[3] then from = tonumber(ARGV[4]) end
local out = {}
for _, entry in ipairs(redis.call('XRANGE', KEYS[2], '(' .. from .. '-0', '+', 'COUNT', ARGV[5])) do
  out[#out + 1] = entry[1]
  out[#out + 1] = entry[2][2]
end
return {e, s, out}
"#
);

/// How commands reach Redis: each waits 3 s at most; a broken connection is made again.
fn conn_config() -> redis::aio::ConnectionManagerConfig {
    redis::aio::ConnectionManagerConfig::new()
        .set_connection_timeout(Some(TIMEOUT))
        .set_response_timeout(Some(TIMEOUT))
        .set_number_of_retries(2)
}

/// What appending a reading did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Appended {
    /// Numbered, kept and published.
    Kept(Position),
    /// Not kept: the topic's last reading again.
    Repeat,
    /// Not kept: older than the topic's last reading.
    Older,
}

/// What the listener is asked to do.
enum Command {
    /// Mirror a topic (subscribe to its channel and make it from Redis's copy).
    Watch(TopicKey, oneshot::Sender<Result<(), Refused>>),
    /// Stop mirroring a place no one follows here any more.
    Unwatch(TopicKey),
}

/// This relay's link to the cluster.
pub struct Cluster {
    prefix: String,
    /// This relay's id: random, in its probe channel and poll claims.
    node: String,
    client: redis::Client,
    /// Commands' connection: it reconnects by itself when the connection breaks, and is
    /// replaced here when a command times out (a connection that went silent).
    conn: std::sync::Mutex<ConnectionManager>,
    append: redis::Script,
    sync: redis::Script,
    commands: mpsc::UnboundedSender<Command>,
    /// Whether the pub/sub connection is up.
    connected: AtomicBool,
    /// When the pub/sub connection last delivered anything (ms since `born`).
    last_message_ms: AtomicU64,
    born: Instant,
    /// Where Redis is, for messages (the URL may hold a password).
    pub address: String,
}

/// The listener's end of [`Cluster::commands`].
pub struct Listener(mpsc::UnboundedReceiver<Command>);

impl Cluster {
    /// Connects to Redis at `url` (a command and `PING` within 3 s). An error says in plain
    /// words that Redis could not be reached, and where.
    pub async fn connect(url: &str, prefix: &str) -> Result<(Cluster, Listener), String> {
        let client = redis::Client::open(url).map_err(|e| format!("redis_url: {e}"))?;
        let address = client.get_connection_info().addr().to_string();
        let unreachable = |e: String| format!("cannot reach Redis at {address}: {e}");
        let mut conn = tokio::time::timeout(
            TIMEOUT * 2,
            ConnectionManager::new_with_config(client.clone(), conn_config()),
        )
        .await
        .map_err(|_| unreachable("no answer".into()))?
        .map_err(|e| unreachable(e.to_string()))?;
        let _: String = redis::cmd("PING")
            .query_async(&mut conn)
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        let (commands, rx) = mpsc::unbounded_channel();
        Ok((
            Cluster {
                prefix: prefix.to_owned(),
                node: format!("{:016x}", hub::random()),
                client,
                conn: std::sync::Mutex::new(conn),
                append: redis::Script::new(APPEND),
                sync: redis::Script::new(SYNC),
                commands,
                connected: AtomicBool::new(false),
                last_message_ms: AtomicU64::new(0),
                born: Instant::now(),
                address,
            },
            Listener(rx),
        ))
    }

    /// The commands' connection.
    fn conn(&self) -> ConnectionManager {
        self.conn.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// A command's result in words; a command that timed out replaces the connection.
    fn checked<T>(&self, r: redis::RedisResult<T>) -> Result<T, String> {
        r.map_err(|e| {
            if e.is_timeout() {
                if let Ok(fresh) =
                    ConnectionManager::new_lazy_with_config(self.client.clone(), conn_config())
                {
                    *self.conn.lock().unwrap_or_else(|e| e.into_inner()) = fresh;
                }
            }
            format!("Redis at {}: {e}", self.address)
        })
    }

    fn topic_id(key: &TopicKey) -> String {
        match key {
            TopicKey::Place { lat10, lon10 } => format!("p:{lat10}:{lon10}"),
            TopicKey::Station(s) => format!("s:{s}"),
        }
    }

    /// The topic's pub/sub channel.
    fn channel(&self, key: &TopicKey) -> String {
        channel(&self.prefix, key)
    }

    fn key(&self, key: &TopicKey, what: &str) -> String {
        format!("{}:{{{}}}:{what}", self.prefix, Self::topic_id(key))
    }

    /// This relay's own channel, for the liveness probe.
    fn probe_channel(&self) -> String {
        format!("{}:node:{}", self.prefix, self.node)
    }

    /// `script` on `key`'s meta and log, with the prelude's arguments (see
    /// [`topic_prelude`]); the script's own keys and arguments follow.
    fn invocation<'a>(
        &self,
        script: &'a redis::Script,
        key: &TopicKey,
    ) -> redis::ScriptInvocation<'a> {
        let mut call = script.key(self.key(key, "meta"));
        call.key(self.key(key, "log"))
            .arg(format!("{:016x}", hub::random()))
            .arg(Self::ttl(key));
        call
    }

    fn ttl(key: &TopicKey) -> u64 {
        match key {
            TopicKey::Station(_) => STATION_TTL_MS,
            TopicKey::Place { .. } => PLACE_TTL_MS,
        }
    }

    /// Whether the pub/sub connection is up.
    pub fn connected(&self) -> bool {
        self.connected.load(Ordering::Relaxed)
    }

    /// Milliseconds since the pub/sub connection last delivered anything.
    pub fn quiet_ms(&self) -> u64 {
        (self.born.elapsed().as_millis() as u64)
            .saturating_sub(self.last_message_ms.load(Ordering::Relaxed))
    }

    fn heard(&self) {
        self.last_message_ms
            .store(self.born.elapsed().as_millis() as u64, Ordering::Relaxed);
    }

    /// Appends an observation (`text`: its JSON without position) of `time` and `values` to
    /// `key`, keeping `keep` readings: numbered, kept and published to every relay, or
    /// refused as a repeat or older.
    pub async fn append(
        &self,
        key: &TopicKey,
        time: i64,
        values: &str,
        text: &str,
        keep: usize,
    ) -> Result<Appended, String> {
        let mut conn = self.conn();
        let appended = self
            .invocation(&self.append, key)
            .key(self.channel(key))
            .arg(time)
            .arg(values)
            .arg(text)
            .arg(keep.max(1))
            .invoke_async(&mut conn)
            .await;
        let (what, epoch, offset): (String, String, u64) = self.checked(appended)?;
        Ok(match what.as_str() {
            "repeat" => Appended::Repeat,
            "older" => Appended::Older,
            _ => Appended::Kept(Position { epoch, offset }),
        })
    }

    /// Sends a message that is not a reading (a source's status) to `key`'s subscribers on
    /// every relay.
    pub async fn announce(&self, key: &TopicKey, text: &str) -> Result<(), String> {
        let mut conn = self.conn();
        let sent = redis::cmd("PUBLISH")
            .arg(self.channel(key))
            .arg(format!("0::{text}"))
            .query_async::<()>(&mut conn)
            .await;
        self.checked(sent)
    }

    /// Claims the poll of `key` for the interval `slot` (of `interval`): `true` for one relay
    /// of the cluster in each slot. An error is a lost claim (the poll is skipped, as it
    /// could not be published anyway).
    pub async fn claim_poll(&self, key: &TopicKey, slot: u64, interval: Duration) -> bool {
        let mut conn = self.conn();
        let won: redis::RedisResult<Option<String>> = redis::cmd("SET")
            .arg(self.key(key, &format!("poll:{slot}")))
            .arg(&self.node)
            .arg("NX")
            .arg("PX")
            .arg((interval.as_millis() as u64).max(1))
            .query_async(&mut conn)
            .await;
        matches!(self.checked(won), Ok(Some(_)))
    }

    /// Marks a place's upstream as failing for the cluster: `true` if it was not already (the
    /// relay that finds it says so to the viewers).
    pub async fn mark_stale(&self, key: &TopicKey) -> bool {
        let mut conn = self.conn();
        let set: redis::RedisResult<Option<String>> = redis::cmd("SET")
            .arg(self.key(key, "stale"))
            .arg(&self.node)
            .arg("NX")
            .arg("PX")
            .arg(PLACE_TTL_MS)
            .query_async(&mut conn)
            .await;
        matches!(self.checked(set), Ok(Some(_)))
    }

    /// Clears the mark after a successful poll: `true` if it was set (by any relay), so that
    /// the one that polls next says the place is live again.
    pub async fn clear_stale(&self, key: &TopicKey) -> bool {
        let mut conn = self.conn();
        let cleared: redis::RedisResult<u64> = redis::cmd("DEL")
            .arg(self.key(key, "stale"))
            .query_async(&mut conn)
            .await;
        matches!(self.checked(cleared), Ok(1))
    }

    /// Mirrors `key` on this relay (waits for the listener). `Err(TooManyPlaces)` past
    /// `max_places`; `Err(Unwatched)` when Redis cannot be reached.
    pub async fn watch(&self, key: &TopicKey) -> Result<(), Refused> {
        let (tx, rx) = oneshot::channel();
        if self.commands.send(Command::Watch(key.clone(), tx)).is_err() {
            return Err(Refused::Unwatched);
        }
        rx.await.unwrap_or(Err(Refused::Unwatched))
    }

    /// Stops mirroring a place that no client here follows any more.
    pub fn unwatch(&self, key: &TopicKey) {
        let _ = self.commands.send(Command::Unwatch(key.clone()));
    }

    /// Redis's copy of `key` after the mirror's position (all of it for a topic not mirrored).
    async fn snapshot(&self, key: &TopicKey, from: Option<Position>) -> Result<Snapshot, String> {
        let mut conn = self.conn();
        let from = from.unwrap_or(Position {
            epoch: String::new(),
            offset: 0,
        });
        let read = self
            .invocation(&self.sync, key)
            .arg(&from.epoch)
            .arg(from.offset)
            .arg(100_000)
            .invoke_async(&mut conn)
            .await;
        let (epoch, top, flat): (String, u64, Vec<String>) = self.checked(read)?;
        let readings = flat
            .chunks_exact(2)
            .filter_map(|pair| {
                let offset = pair[0].split_once('-')?.0.parse().ok()?;
                Some((offset, Utf8Bytes::from(pair[1].clone())))
            })
            .collect();
        Ok(Snapshot {
            epoch,
            top,
            readings,
        })
    }
}

/// A topic's pub/sub channel.
fn channel(prefix: &str, key: &TopicKey) -> String {
    format!("{prefix}:{{{}}}", Cluster::topic_id(key))
}

/// The topic a channel (`<prefix>:{<topic>}`) is of.
fn topic_of(prefix: &str, channel: &str) -> Option<TopicKey> {
    let id = channel
        .strip_prefix(prefix)?
        .strip_prefix(":{")?
        .strip_suffix('}')?;
    if let Some(station) = id.strip_prefix("s:") {
        return Some(TopicKey::Station(station.to_owned()));
    }
    let (lat, lon) = id.strip_prefix("p:")?.split_once(':')?;
    Some(TopicKey::Place {
        lat10: lat.parse().ok()?,
        lon10: lon.parse().ok()?,
    })
}

/// Brings the mirror of `key` up to Redis's copy, counting what that took.
async fn sync(state: &AppState, cluster: &Cluster, key: &TopicKey) -> Result<(), Refused> {
    let snapshot = match cluster.snapshot(key, state.hub.position(key)).await {
        Ok(s) => s,
        Err(e) => {
            Metrics::inc(&state.metrics.broker_errors);
            tracing::warn!(%e, "could not read a topic from Redis");
            return Err(Refused::Unwatched);
        }
    };
    match state.hub.install(key, snapshot)? {
        Installed::Made | Installed::Caught(0) => {}
        Installed::Caught(n) => {
            Metrics::inc(&state.metrics.broker_catchups);
            state
                .metrics
                .messages_sent
                .fetch_add(n as u64, Ordering::Relaxed);
        }
        Installed::Reset(told) => {
            Metrics::inc(&state.metrics.broker_resets);
            tracing::warn!(
                topic = Cluster::topic_id(key),
                told,
                "readings were lost in Redis (restarted, or history trimmed): the topic starts again"
            );
        }
    }
    Ok(())
}

/// Reads one published message: `<offset>:<epoch>:<json>`, offset 0 for a message that is
/// not a reading.
fn parse(payload: &str) -> Option<(Option<Position>, &str)> {
    let (offset, rest) = payload.split_once(':')?;
    let (epoch, text) = rest.split_once(':')?;
    let offset: u64 = offset.parse().ok()?;
    let position = (offset > 0).then(|| Position {
        epoch: epoch.to_owned(),
        offset,
    });
    Some((position, text))
}

/// Delivers one published message to this relay's subscribers; catches up on a gap.
async fn on_message(state: &AppState, cluster: &Cluster, msg: &redis::Msg) {
    let Some(key) = topic_of(&cluster.prefix, msg.get_channel_name()) else {
        return;
    };
    let Ok(payload) = std::str::from_utf8(msg.get_payload_bytes()) else {
        return;
    };
    let Some((position, text)) = parse(payload) else {
        tracing::warn!("unreadable message on the cluster's channel");
        return;
    };
    let text = Utf8Bytes::from(text.to_owned());
    let sent = match position {
        None => state.hub.send(&key, &text),
        Some(position) => match state.hub.deliver(&key, &position, text) {
            Delivered::Sent(n) => n,
            Delivered::Gap => {
                let _ = sync(state, cluster, &key).await;
                0
            }
            Delivered::Old | Delivered::Unwatched => 0,
        },
    };
    state
        .metrics
        .messages_sent
        .fetch_add(sent as u64, Ordering::Relaxed);
}

/// Compares every mirrored topic's position with Redis's, and catches up those that were
/// behind at the same position at the last check too (a reading in flight is not a gap).
async fn check_positions(
    state: &AppState,
    cluster: &Cluster,
    watched: &HashSet<TopicKey>,
    behind: &mut HashMap<TopicKey, Option<Position>>,
) {
    let keys: Vec<&TopicKey> = watched.iter().collect();
    if keys.is_empty() {
        return;
    }
    let mut pipe = redis::pipe();
    for key in &keys {
        pipe.cmd("HMGET")
            .arg(cluster.key(key, "meta"))
            .arg("e")
            .arg("s");
    }
    let mut conn = cluster.conn();
    let found = pipe.query_async(&mut conn).await;
    let Ok(found): Result<Vec<(Option<String>, Option<u64>)>, _> = cluster.checked(found) else {
        Metrics::inc(&state.metrics.broker_errors);
        return;
    };
    for (key, (epoch, top)) in keys.into_iter().zip(found) {
        let here = state.hub.position(key);
        let same = match (&here, epoch, top) {
            (Some(p), Some(e), Some(s)) => p.epoch == e && p.offset >= s,
            _ => false,
        };
        if same {
            behind.remove(key);
        } else if behind.get(key) == Some(&here) {
            behind.remove(key);
            let _ = sync(state, cluster, key).await;
        } else {
            behind.insert(key.clone(), here);
        }
    }
}

/// Handles a command while the pub/sub connection is `sink` (or down).
async fn command(
    state: &AppState,
    cluster: &Cluster,
    watched: &mut HashSet<TopicKey>,
    sink: Option<&mut redis::aio::PubSubSink>,
    command: Command,
) {
    match command {
        Command::Watch(key, reply) => {
            if watched.contains(&key) && state.hub.position(&key).is_some() {
                let _ = reply.send(Ok(()));
                return;
            }
            // Subscribed first, then read: a reading published in between is in the copy
            // read, and its message is then an old one.
            if let Some(sink) = sink {
                if watched.insert(key.clone()) {
                    if let Err(e) = sink.subscribe(cluster.channel(&key)).await {
                        tracing::warn!(%e, "could not subscribe to a topic in Redis");
                    }
                }
            } else {
                watched.insert(key.clone());
            }
            let made = sync(state, cluster, &key).await;
            if made.is_err() && state.hub.position(&key).is_none() {
                watched.remove(&key);
            }
            let _ = reply.send(made);
        }
        Command::Unwatch(key) => {
            if state.hub.forget_unused(&key) && watched.remove(&key) {
                if let Some(sink) = sink {
                    let _ = sink.unsubscribe(cluster.channel(&key)).await;
                }
            }
        }
    }
}

/// The listener: mirrors the declared stations and the topics asked for, delivering what is
/// published, until the relay stops. `ready` is told once every declared station is mirrored
/// (or why it could not be).
pub async fn listen(
    state: Arc<AppState>,
    Listener(mut commands): Listener,
    ready: oneshot::Sender<Result<(), String>>,
) {
    let Some(cluster) = state.cluster.clone() else {
        return;
    };
    let probe = Duration::from_secs_f64(state.config.broker_probe_s);
    let mut watched: HashSet<TopicKey> = state
        .config
        .stations
        .iter()
        .map(|s| TopicKey::Station(s.id.clone()))
        .collect();
    let mut ready = Some(ready);
    let mut backoff = Duration::from_millis(100);
    let mut connections = 0u64;
    loop {
        // Connect, subscribe to everything mirrored, catch every topic up.
        let connected = async {
            let pubsub = tokio::time::timeout(TIMEOUT, cluster.client.get_async_pubsub())
                .await
                .map_err(|_| "no answer".to_string())?
                .map_err(|e| e.to_string())?;
            let (mut sink, stream) = pubsub.split();
            let mut channels: Vec<String> = watched.iter().map(|k| cluster.channel(k)).collect();
            channels.push(cluster.probe_channel());
            tokio::time::timeout(TIMEOUT, sink.subscribe(channels))
                .await
                .map_err(|_| "no answer".to_string())?
                .map_err(|e| e.to_string())?;
            for key in watched.clone() {
                // A place forgotten meanwhile (its unwatch is on its way) is not made again.
                if matches!(key, TopicKey::Place { .. }) && state.hub.position(&key).is_none() {
                    continue;
                }
                sync(&state, &cluster, &key)
                    .await
                    .map_err(|_| "could not read the topics".to_string())?;
            }
            Ok::<_, String>((sink, stream))
        }
        .await;
        let (mut sink, mut stream) = match connected {
            Ok(c) => c,
            Err(e) => {
                if let Some(ready) = ready.take() {
                    let _ = ready.send(Err(format!(
                        "cannot reach Redis at {}: {e}",
                        cluster.address
                    )));
                    return;
                }
                tracing::warn!(%e, address = cluster.address, "Redis's pub/sub connection failed; trying again");
                // Topics asked for meanwhile are mirrored by commands alone.
                let wait = tokio::time::sleep(backoff);
                tokio::pin!(wait);
                loop {
                    tokio::select! {
                        () = &mut wait => break,
                        c = commands.recv() => match c {
                            Some(c) => command(&state, &cluster, &mut watched, None, c).await,
                            None => return,
                        },
                    }
                }
                backoff = (backoff * 2).min(Duration::from_secs(2));
                continue;
            }
        };
        connections += 1;
        if connections > 1 {
            Metrics::inc(&state.metrics.broker_reconnects);
            tracing::info!(
                address = cluster.address,
                "Redis's pub/sub connection is back; every topic caught up"
            );
        }
        backoff = Duration::from_millis(100);
        cluster.connected.store(true, Ordering::Relaxed);
        cluster.heard();
        if let Some(ready) = ready.take() {
            let _ = ready.send(Ok(()));
        }
        let mut tick = tokio::time::interval(probe);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        let mut probe_sent: Option<Instant> = None;
        let mut behind = HashMap::new();
        let probe_channel = cluster.probe_channel();
        let why = loop {
            tokio::select! {
                m = stream.next() => match m {
                    None => break "the connection ended",
                    Some(m) => {
                        cluster.heard();
                        if m.get_channel_name() == probe_channel {
                            probe_sent = None;
                        } else {
                            on_message(&state, &cluster, &m).await;
                        }
                    }
                },
                c = commands.recv() => match c {
                    Some(c) => command(&state, &cluster, &mut watched, Some(&mut sink), c).await,
                    None => return,
                },
                _ = tick.tick() => {
                    if probe_sent.is_some_and(|t| t.elapsed() >= probe) {
                        Metrics::inc(&state.metrics.broker_probes_lost);
                        break "a probe did not come back";
                    }
                    if probe_sent.is_none() && cluster.quiet_ms() >= probe.as_millis() as u64 {
                        let mut conn = cluster.conn();
                        let sent: redis::RedisResult<()> = redis::cmd("PUBLISH")
                            .arg(cluster.probe_channel())
                            .arg("probe")
                            .query_async(&mut conn)
                            .await;
                        if cluster.checked(sent).is_ok() {
                            probe_sent = Some(Instant::now());
                        }
                    }
                    check_positions(&state, &cluster, &watched, &mut behind).await;
                }
            }
        };
        cluster.connected.store(false, Ordering::Relaxed);
        tracing::warn!(
            address = cluster.address,
            why,
            "Redis's pub/sub connection is lost; connecting again"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_messages_read_with_their_positions() {
        let (p, text) = parse("42:abc:{\"type\":\"observation\",\"x\":\"a:b\"}").unwrap();
        assert_eq!(
            p,
            Some(Position {
                epoch: "abc".into(),
                offset: 42
            })
        );
        assert_eq!(text, "{\"type\":\"observation\",\"x\":\"a:b\"}");
        let (p, text) = parse("0::{\"type\":\"status\"}").unwrap();
        assert_eq!(p, None);
        assert_eq!(text, "{\"type\":\"status\"}");
        assert!(parse("x:abc:{}").is_none());
        assert!(parse("no colon").is_none());
    }

    #[test]
    fn channels_name_their_topics() {
        for key in [
            TopicKey::Place {
                lat10: 525,
                lon10: -1800,
            },
            TopicKey::Station("KCASANFR5".into()),
            TopicKey::Station("a:b".into()),
        ] {
            let c = channel("isobar", &key);
            assert_eq!(topic_of("isobar", &c), Some(key));
            assert_eq!(topic_of("other", &c), None);
        }
        assert_eq!(
            channel(
                "isobar",
                &TopicKey::Place {
                    lat10: 525,
                    lon10: 134
                }
            ),
            "isobar:{p:525:134}"
        );
        assert_eq!(topic_of("isobar", "isobar:node:abc"), None);
        assert_eq!(topic_of("isobar", "isobar:{p:x:1}"), None);
    }
}
