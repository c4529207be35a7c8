//! The relay: Isobar's live feed.
//!
//! * `GET /live`: a WebSocket speaking [`isobar_core::live`]: `hello` first, then
//!   `subscribe`/`unsubscribe` by place or station, `observation`s as they come, `status` when a
//!   source goes stale or recovers, `pong`, `error`.
//! * Upstream polling ([`upstream`]): for every place with subscribers, current conditions from
//!   Open-Meteo (or the simulator), once per interval however many viewers, stopped when the
//!   last leaves; failures mark the place stale and back off.
//! * Station uploads ([`stations`]): Weather Underground `GET
//!   /weatherstation/updateweatherstation.php` and Ecowitt form `POST /data/report/`,
//!   authenticated by per-station keys, sent to the station's subscribers at once.
//! * `GET /health`, `GET /metrics` (Prometheus), and optionally the dashboard's static files.

pub mod client_ip;
pub mod cluster;
pub mod config;
pub mod hub;
pub mod log_gate;
pub mod metrics;
pub mod mqtt;
pub mod rate;
mod server;
pub mod slots;
pub mod stations;
pub mod strikes;
pub mod uploads;
pub mod upstream;
pub mod weewx;
mod ws;

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

use axum::extract::ws::Utf8Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use isobar_core::live::ServerMessage;
use tokio::sync::watch;

use crate::config::Config;
use crate::hub::{Hub, TopicKey};
use crate::log_gate::LogGate;
use crate::metrics::{Metrics, Refusal};
use crate::slots::Slots;

/// How often a flood of one kind of event may write a log line.
pub const LOG_PERIOD: Duration = Duration::from_secs(10);

/// One log gate per kind of event that a client can cause at will.
#[derive(Debug)]
pub struct LogGates {
    /// Refused station uploads (WARN).
    pub upload_refused: LogGate,
    /// Accepted uploads with values dropped or the time replaced (INFO).
    pub upload_noted: LogGate,
    /// Refused WebSocket connections (INFO).
    pub connection_refused: LogGate,
    /// WebSockets the relay closed (INFO).
    pub closed: LogGate,
}

impl Default for LogGates {
    fn default() -> Self {
        LogGates {
            upload_refused: LogGate::new(LOG_PERIOD),
            upload_noted: LogGate::new(LOG_PERIOD),
            connection_refused: LogGate::new(LOG_PERIOD),
            closed: LogGate::new(LOG_PERIOD),
        }
    }
}

/// Everything the handlers share.
pub struct AppState {
    /// The configuration.
    pub config: Config,
    /// Subscriptions and broadcast.
    pub hub: Hub,
    /// The cluster's Redis, when `redis_url` is set: where readings are numbered and kept.
    pub cluster: Option<Arc<cluster::Cluster>>,
    /// Counters.
    pub metrics: Metrics,
    /// HTTP client for upstream polls.
    pub http: reqwest::Client,
    /// Connection slots per client address.
    pub slots: Arc<Slots>,
    /// Throttles for the log lines clients can cause.
    pub log_gates: LogGates,
    /// Failed uploads per client address.
    pub strikes: strikes::Strikes,
    /// The `rate_limited` error, encoded once.
    rate_limited: Utf8Bytes,
    next_id: AtomicU64,
    shutdown: watch::Receiver<bool>,
}

impl AppState {
    fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// The client behind a request from `peer` (see [`client_ip`]).
    pub fn client_ip(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        client_ip::resolve(
            peer,
            headers,
            &self.config.trusted_proxies,
            self.config.client_ip_header,
        )
    }

    /// Counts and logs (throttled) a refused WebSocket connection.
    fn refuse_connection(&self, r: Refusal, client: IpAddr) {
        self.metrics.refused(r);
        if let Some(suppressed) = self
            .log_gates
            .connection_refused
            .pass(Instant::now(), &self.metrics)
        {
            tracing::info!(%client, reason = r.reason(), suppressed, "refused a WebSocket");
        }
    }

    /// Sends `msg` to `key`'s subscribers (on every relay of a cluster) and counts it. A
    /// reading is numbered and kept first; for one neither kept nor sent (a repeat, or older
    /// than the topic's last), says why. An error when the cluster's Redis could not take it.
    pub async fn publish(
        &self,
        key: &TopicKey,
        msg: ServerMessage,
    ) -> Result<Option<hub::NotKept>, String> {
        let observation = matches!(msg, ServerMessage::Observation { .. });
        let not_kept = match &self.cluster {
            None => {
                let published = self.hub.publish(key, msg);
                self.metrics
                    .messages_sent
                    .fetch_add(published.sent as u64, Ordering::Relaxed);
                published.not_kept
            }
            Some(cluster) => {
                let text = serde_json::to_string(&msg).expect("messages serialise");
                match &msg {
                    ServerMessage::Observation { time, values, .. } => {
                        let values = serde_json::to_string(values).expect("values serialise");
                        let keep = self.hub.history().of(key);
                        let appended = cluster.append(key, *time, &values, &text, keep).await;
                        match appended.inspect_err(|_| Metrics::inc(&self.metrics.broker_errors))? {
                            cluster::Appended::Kept(_) => None,
                            cluster::Appended::Repeat => Some(hub::NotKept::Repeat),
                            cluster::Appended::Older => Some(hub::NotKept::Older),
                        }
                    }
                    _ => {
                        cluster.announce(key, &text).await?;
                        None
                    }
                }
            }
        };
        match not_kept {
            Some(_) => Metrics::inc(&self.metrics.repeats),
            None if observation => Metrics::inc(&self.metrics.appends),
            None => {}
        }
        Ok(not_kept)
    }

    /// Removes connection `id` from `key`; a place no one here follows any more stops being
    /// mirrored from the cluster.
    pub fn unsubscribe(&self, key: &TopicKey, id: u64) {
        if self.hub.unsubscribe(key, id) {
            if let Some(cluster) = &self.cluster {
                cluster.unwatch(key);
            }
        }
    }

    /// Whether this relay polls `key` now: always alone; in a cluster, if it is the first to
    /// claim the current interval's slot of the place.
    pub async fn claim_poll(&self, key: &TopicKey) -> bool {
        let Some(cluster) = &self.cluster else {
            return true;
        };
        let interval = self.config.poll_interval();
        cluster
            .claim_poll(key, upstream::slot(interval), interval)
            .await
    }
}

/// A running relay.
pub struct Running {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its state (metrics, hub), for tests.
    pub state: Arc<AppState>,
    /// Ends the relay gracefully: WebSockets are closed, then the server stops.
    pub shutdown: watch::Sender<bool>,
    /// The server task.
    pub task: tokio::task::JoinHandle<()>,
}

/// The router.
pub fn app(state: Arc<AppState>) -> Router {
    let mut router = Router::new()
        .route("/live", get(ws::upgrade))
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .route(
            "/weatherstation/updateweatherstation.php",
            get(uploads::wunderground),
        )
        .route("/data/report", post(uploads::ecowitt))
        .route("/data/report/", post(uploads::ecowitt));
    if let Some(dir) = &state.config.static_dir {
        router = router.fallback_service(tower_http::services::ServeDir::new(dir));
    }
    router.with_state(state)
}

/// The relay's state; 503 while a relay of a cluster has lost its pub/sub connection to
/// Redis (a load balancer then sends clients to the others).
async fn health(State(s): State<Arc<AppState>>) -> impl IntoResponse {
    let (topics, subscriptions) = s.hub.sizes();
    let (slots, addresses) = s.slots.held();
    let mut body = serde_json::json!({
        "status": "ok",
        "connections": s.metrics.connections.load(Ordering::Relaxed),
        "topics": topics,
        "subscriptions": subscriptions,
        "connection_slots": slots,
        "client_addresses": addresses,
        // Where readings are numbered and kept: this process's memory, or the cluster's Redis.
        "bus": if s.cluster.is_some() { "redis" } else { "memory" },
    });
    let mut code = axum::http::StatusCode::OK;
    if let Some(c) = &s.cluster {
        let up = c.connected();
        if !up {
            body["status"] = "degraded".into();
            code = axum::http::StatusCode::SERVICE_UNAVAILABLE;
        }
        body["broker"] = serde_json::json!({
            "address": c.address,
            "state": if up { "connected" } else { "reconnecting" },
            "last_message_ms_ago": c.quiet_ms(),
            "reconnects": s.metrics.broker_reconnects.load(Ordering::Relaxed),
        });
    }
    (code, axum::Json(body))
}

async fn metrics(State(s): State<Arc<AppState>>) -> impl IntoResponse {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        s.metrics.render(),
    )
}

/// Runs `task` in the background until it ends or the relay stops.
fn until_stopped(
    task: impl std::future::Future<Output = ()> + Send + 'static,
    mut stop: watch::Receiver<bool>,
) {
    tokio::spawn(async move {
        tokio::select! {
            () = task => {}
            _ = stop.wait_for(|stopped| *stopped) => {}
        }
    });
}

/// Binds `config.listen` (port 0 picks one) and serves until shut down. A configuration
/// that [`Config::check`] refuses is an error.
pub async fn spawn(config: Config) -> std::io::Result<Running> {
    config.check().map_err(std::io::Error::other)?;
    let listener = tokio::net::TcpListener::bind(&config.listen).await?;
    let addr = listener.local_addr()?;
    let (shutdown, rx) = watch::channel(false);
    // Never a silent fall back to one process: a cluster's relay that cannot reach Redis
    // does not start.
    let (cluster, broker) = match &config.redis_url {
        Some(url) => {
            let (c, l) = cluster::Cluster::connect(url, &config.redis_prefix)
                .await
                .map_err(std::io::Error::other)?;
            (Some(Arc::new(c)), Some(l))
        }
        None => (None, None),
    };
    let mut hub = Hub::new(config.station_ids(), config.max_places).with_history(hub::History {
        station: config.station_history,
        place: config.place_history,
        max_replay: config.max_replay,
    });
    if cluster.is_some() {
        hub = hub.mirrored();
    }
    let state = Arc::new(AppState {
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(std::io::Error::other)?,
        hub,
        cluster,
        slots: Slots::new(config.max_connections_per_ip),
        rate_limited: ws::error(
            Refusal::RateLimited.reason(),
            format!(
                "too many messages: at most {} a second after a burst of {}; this one was not read",
                config.messages_per_s, config.message_burst
            ),
        ),
        strikes: strikes::Strikes::new(
            config.max_failed_uploads,
            Duration::from_secs_f64(config.failed_uploads_window_s),
        ),
        config,
        metrics: Metrics::default(),
        log_gates: LogGates::default(),
        next_id: AtomicU64::new(1),
        shutdown: rx.clone(),
    });
    if let Some(broker) = broker {
        let (ready, started) = tokio::sync::oneshot::channel();
        until_stopped(cluster::listen(state.clone(), broker, ready), rx.clone());
        started
            .await
            .unwrap_or_else(|_| Err("the cluster's listener stopped".into()))
            .map_err(std::io::Error::other)?;
    }
    // Stations that publish to an MQTT broker: followed there until the relay stops.
    for st in &state.config.stations {
        let Some(url) = &st.mqtt_url else { continue };
        let broker = mqtt::Broker::parse(url).map_err(std::io::Error::other)?;
        let topic = st
            .mqtt_topic
            .clone()
            .unwrap_or_else(|| mqtt::DEFAULT_TOPIC.into());
        until_stopped(
            mqtt::ingest(state.clone(), st.id.clone(), broker, topic),
            rx.clone(),
        );
    }
    let router = app(state.clone());
    let task = tokio::spawn(server::serve(listener, router, state.clone(), rx));
    Ok(Running {
        addr,
        state,
        shutdown,
        task,
    })
}
