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

pub mod config;
pub mod hub;
pub mod metrics;
pub mod stations;
pub mod upstream;
mod ws;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use isobar_core::live::{ObservationUnits, ServerMessage, Target};
use tokio::sync::watch;

use crate::config::Config;
use crate::hub::{Hub, TopicKey};
use crate::metrics::Metrics;

/// Everything the handlers share.
pub struct AppState {
    /// The configuration.
    pub config: Config,
    /// Subscriptions and broadcast.
    pub hub: Hub,
    /// Counters.
    pub metrics: Metrics,
    /// HTTP client for upstream polls.
    pub http: reqwest::Client,
    next_id: AtomicU64,
    per_ip: Mutex<HashMap<IpAddr, usize>>,
    shutdown: watch::Receiver<bool>,
}

impl AppState {
    fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
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
            get(wunderground),
        )
        .route("/data/report", axum::routing::post(ecowitt))
        .route("/data/report/", axum::routing::post(ecowitt));
    if let Some(dir) = &state.config.static_dir {
        router = router.fallback_service(tower_http::services::ServeDir::new(dir));
    }
    router.with_state(state)
}

async fn health(State(s): State<Arc<AppState>>) -> impl IntoResponse {
    let (topics, subscriptions) = s.hub.sizes();
    axum::Json(serde_json::json!({
        "status": "ok",
        "connections": s.metrics.connections.load(Ordering::Relaxed),
        "topics": topics,
        "subscriptions": subscriptions,
    }))
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

/// Accepts a parsed upload from a known station with the right key, and publishes it.
fn accept_upload(
    s: &AppState,
    upload: stations::Upload,
) -> Result<String, (StatusCode, &'static str)> {
    use stations::Credential;
    let station = s
        .config
        .stations
        .iter()
        .find(|st| match &upload.credential {
            Credential::Wunderground { id, password } => &st.id == id && &st.key == password,
            Credential::Ecowitt { passkey } => {
                st.ecowitt_passkey.as_deref() == Some(passkey.as_str())
            }
        });
    let Some(station) = station else {
        Metrics::inc(&s.metrics.station_uploads_refused);
        tracing::warn!(credential = ?redact(&upload.credential), "station upload refused");
        return Err((
            StatusCode::UNAUTHORIZED,
            "unauthorized: unknown station or wrong key\n",
        ));
    };
    Metrics::inc(&s.metrics.station_uploads);
    if !upload.dropped.is_empty() {
        tracing::info!(station = %station.id, dropped = ?upload.dropped, "station values dropped");
    }
    let key = TopicKey::Station(station.id.clone());
    let msg = ServerMessage::Observation {
        target: Target::Station {
            station: station.id.clone(),
        },
        time: upload
            .time
            .unwrap_or_else(|| chrono::Utc::now().timestamp()),
        source: "station".into(),
        values: upload.values,
        units: ObservationUnits::default(),
    };
    let (sent, _) = s.hub.publish(&key, &msg);
    s.metrics
        .messages_sent
        .fetch_add(sent as u64, Ordering::Relaxed);
    Ok(station.id.clone())
}

fn redact(c: &stations::Credential) -> String {
    match c {
        stations::Credential::Wunderground { id, .. } => format!("wu:{id}"),
        stations::Credential::Ecowitt { passkey } => {
            format!("ecowitt:{}…", passkey.chars().take(4).collect::<String>())
        }
    }
}

async fn wunderground(State(s): State<Arc<AppState>>, RawQuery(q): RawQuery) -> impl IntoResponse {
    let pairs = stations::form_pairs(q.as_deref().unwrap_or(""));
    match stations::parse(&pairs) {
        None => (StatusCode::BAD_REQUEST, "missing ID and PASSWORD\n").into_response(),
        Some(up) => match accept_upload(&s, up) {
            Ok(_) => (StatusCode::OK, "success\n").into_response(),
            Err(e) => e.into_response(),
        },
    }
}

async fn ecowitt(State(s): State<Arc<AppState>>, body: String) -> impl IntoResponse {
    let pairs = stations::form_pairs(&body);
    match stations::parse(&pairs) {
        None => (StatusCode::BAD_REQUEST, "missing PASSKEY\n").into_response(),
        Some(up) => match accept_upload(&s, up) {
            Ok(_) => (StatusCode::OK, "OK\n").into_response(),
            Err(e) => e.into_response(),
        },
    }
}

/// Binds `config.listen` (port 0 picks one) and serves until shut down.
pub async fn spawn(config: Config) -> std::io::Result<Running> {
    let listener = tokio::net::TcpListener::bind(&config.listen).await?;
    let addr = listener.local_addr()?;
    let (shutdown, rx) = watch::channel(false);
    let state = Arc::new(AppState {
        http: reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(std::io::Error::other)?,
        config,
        hub: Hub::default(),
        metrics: Metrics::default(),
        next_id: AtomicU64::new(1),
        per_ip: Mutex::new(HashMap::new()),
        shutdown: rx.clone(),
    });
    let router = app(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let send_buffer = state.config.socket_send_buffer;
    let listener =
        axum::serve::ListenerExt::tap_io(listener, move |tcp: &mut tokio::net::TcpStream| {
            let sock = socket2::SockRef::from(&*tcp);
            if send_buffer > 0 {
                if let Err(e) = sock.set_send_buffer_size(send_buffer) {
                    tracing::warn!(%e, "cannot set SO_SNDBUF");
                }
            }
            let _ = sock.set_tcp_nodelay(true);
        });
    let mut stop = rx;
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                let _ = stop.wait_for(|s| *s).await;
            })
            .await;
    });
    Ok(Running {
        addr,
        state,
        shutdown,
        task,
    })
}
