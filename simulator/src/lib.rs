//! An Open-Meteo-compatible server for offline runs and tests.
//!
//! It speaks the URLs, parameters and JSON shapes of Open-Meteo's forecast (`/v1/forecast`),
//! air-quality (`/v1/air-quality`) and geocoding (`/v1/search`) APIs, answers any coordinates
//! with deterministic, plausible weather for the real current date ([`model`]), computes
//! sunrise and sunset with NREL's algorithm ([`solar`]), reports each place's real IANA zone
//! ([`tz`]), and can misbehave on purpose ([`faults`]).
//!
//! Besides the three APIs it serves a small control surface under `/_sim/`:
//! `GET /_sim/faults`, `PUT /_sim/faults/{endpoint}` (a [`faults::Fault`] as JSON),
//! `DELETE /_sim/faults`, and `GET /_sim/stats` (requests counted per endpoint;
//! `DELETE /_sim/stats` resets them).
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let sim = isobar_simulator::spawn("127.0.0.1:0", Default::default()).await?;
//! println!("forecast at http://{}/v1/forecast", sim.addr);
//! # Ok(()) }
//! ```

pub mod air;
pub mod alerts;
pub mod faults;
pub mod forecast;
pub mod geocoding;
pub mod model;
pub mod solar;
pub mod tz;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use bytes::Bytes;
use futures_util::StreamExt as _;
use serde_json::{json, Value};
use tower_http::cors::{Any, CorsLayer};

use crate::faults::{Endpoint, Fault, FaultTable};
use crate::forecast::{Api, BadRequest, Request};

/// The simulator's shared state: configured faults and request counts.
#[derive(Debug, Default)]
pub struct SimState {
    faults: Mutex<FaultTable>,
    counts: [AtomicU64; Endpoint::ALL.len()],
    open: [AtomicI64; Endpoint::ALL.len()],
}

/// Counts a request as open until dropped: when its answer is done, or when the client goes
/// away first (hyper then drops the handler, or the body of a `hang` answer).
struct OpenGuard(Arc<SimState>, Endpoint);

impl Drop for OpenGuard {
    fn drop(&mut self) {
        self.0.open[self.1 as usize].fetch_sub(1, Ordering::Relaxed);
    }
}

impl SimState {
    /// A state with the given faults configured.
    pub fn with_faults(faults: FaultTable) -> Self {
        SimState {
            faults: Mutex::new(faults),
            ..SimState::default()
        }
    }

    /// Sets (or, with an empty fault, clears) the fault of one endpoint.
    pub fn set_fault(&self, endpoint: Endpoint, fault: Fault) {
        let mut table = self.faults.lock().expect("fault table lock");
        if fault.is_empty() {
            table.0.remove(&endpoint);
        } else {
            table.0.insert(endpoint, fault);
        }
    }

    /// Clears every fault.
    pub fn clear_faults(&self) {
        self.faults.lock().expect("fault table lock").0.clear();
    }

    /// How many requests `endpoint` has received.
    pub fn count(&self, endpoint: Endpoint) -> u64 {
        self.counts[endpoint as usize].load(Ordering::Relaxed)
    }

    /// How many requests to `endpoint` are open now (received, answer not finished, client
    /// still there).
    pub fn open(&self, endpoint: Endpoint) -> i64 {
        self.open[endpoint as usize].load(Ordering::Relaxed)
    }

    fn stats(&self) -> Value {
        let mut m = serde_json::Map::new();
        for e in Endpoint::ALL {
            m.insert(e.name().into(), json!(self.count(e)));
            m.insert(format!("{}_open", e.name()), json!(self.open(e)));
        }
        Value::Object(m)
    }
}

type Shared = Arc<SimState>;
type Pairs = Vec<(String, String)>;

/// The router: the three APIs, the control surface, CORS for every origin (as Open-Meteo
/// sends it), and Open-Meteo's JSON 404 for everything else.
pub fn app(state: Shared) -> Router {
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods(Any)
        .allow_headers(Any)
        // Let the dashboard read Retry-After on a 429.
        .expose_headers([header::RETRY_AFTER]);
    Router::new()
        .route("/v1/forecast", get(forecast_handler))
        .route("/v1/air-quality", get(air_quality_handler))
        .route("/v1/search", get(search_handler))
        .route("/alerts/active", get(nws_handler))
        .route("/alerts", get(brightsky_handler))
        .route("/_sim/faults", get(get_faults).delete(delete_faults))
        .route("/_sim/faults/{endpoint}", axum::routing::put(put_fault))
        .route("/_sim/stats", get(get_stats).delete(reset_stats))
        .fallback(|| async { error_response(StatusCode::NOT_FOUND, "Not Found", None) })
        .layer(cors)
        // Like Open-Meteo, answer compressed when the client accepts it.
        .layer(tower_http::compression::CompressionLayer::new())
        .with_state(state)
}

/// A running simulator.
pub struct Running {
    /// The address it listens on.
    pub addr: SocketAddr,
    /// Its state, to set faults and read counts from a test.
    pub state: Shared,
    /// The server task.
    pub task: tokio::task::JoinHandle<()>,
}

/// Binds `addr` (port 0 picks a free port) and serves the simulator in a background task.
pub async fn spawn(addr: &str, faults: FaultTable) -> std::io::Result<Running> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let state = Arc::new(SimState::with_faults(faults));
    let router = app(state.clone());
    let task = tokio::spawn(async move {
        axum::serve(listener, router)
            .await
            .expect("simulator server");
    });
    Ok(Running { addr, state, task })
}

fn error_response(status: StatusCode, reason: &str, retry_after: Option<u64>) -> Response {
    let body = json!({"reason": reason, "error": true}).to_string();
    let mut r = (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response();
    if let Some(s) = retry_after {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(s));
    }
    r
}

fn reason_for(status: u16) -> &'static str {
    match status {
        429 => "Minutely API request limit exceeded. Please try again in one minute.",
        503 => "Service temporarily unavailable. Please try again later.",
        500 => "Internal server error.",
        404 => "Not Found",
        _ => "Simulated failure.",
    }
}

/// Answers one API request: counts it, builds the body, and answers as its fault says.
async fn serve(
    state: &Shared,
    endpoint: Endpoint,
    query: &Pairs,
    build: impl FnOnce(&Fault) -> Result<Value, BadRequest>,
) -> Response {
    state.counts[endpoint as usize].fetch_add(1, Ordering::Relaxed);
    state.open[endpoint as usize].fetch_add(1, Ordering::Relaxed);
    let guard = OpenGuard(state.clone(), endpoint);
    let configured = state
        .faults
        .lock()
        .expect("fault table lock")
        .take(endpoint);
    let fault = match Fault::from_query(query) {
        Ok(f) => configured.overlay(&f),
        Err(reason) => return error_response(StatusCode::BAD_REQUEST, &reason, None),
    };
    // A delay of D ms: the answer comes D ms after the request, whatever building it took
    // (a benchmark's "every call delayed by D" measures the page, not the simulator).
    let due = tokio::time::Instant::now() + Duration::from_millis(fault.delay_ms.unwrap_or(0));
    if let Some(code) = fault.status {
        tokio::time::sleep_until(due).await;
        let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let retry = matches!(code, 429 | 503).then(|| fault.retry_after.unwrap_or(1));
        return error_response(status, reason_for(code), retry);
    }
    let body = match build(&fault) {
        Ok(mut v) => {
            if let Some(fraction) = fault.nulls {
                faults::apply_nulls(&mut v, fraction);
            }
            v.to_string()
        }
        Err(BadRequest(reason)) => {
            tokio::time::sleep_until(due).await;
            return error_response(StatusCode::BAD_REQUEST, &reason, None);
        }
    };
    tokio::time::sleep_until(due).await;
    let cut = |t: f64| -> usize {
        let n = if t < 1.0 {
            (body.len() as f64 * t) as usize
        } else {
            t as usize
        };
        n.min(body.len().saturating_sub(1))
    };
    let headers = [(header::CONTENT_TYPE, "application/json; charset=utf-8")];
    if fault.hang {
        // Headers and the first part of the body, then nothing, ever.
        let first = Bytes::copy_from_slice(&body.as_bytes()[..cut(fault.truncate.unwrap_or(0.5))]);
        let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(first) })
            .chain(futures_util::stream::pending())
            // Open until the client goes away and the body is dropped.
            .inspect(move |_| {
                let _ = &guard;
            });
        return (StatusCode::OK, headers, Body::from_stream(stream)).into_response();
    }
    if let Some(t) = fault.truncate {
        let part = body.as_bytes()[..cut(t)].to_vec();
        return (StatusCode::OK, headers, part).into_response();
    }
    (StatusCode::OK, headers, body).into_response()
}

async fn forecast_handler(State(s): State<Shared>, Query(q): Query<Pairs>) -> Response {
    serve(&s, Endpoint::Forecast, &q, |fault| {
        let r = Request::parse(&q, Api::Forecast)?;
        Ok(forecast::answer(
            &r,
            Api::Forecast,
            chrono::Utc::now(),
            fault.live,
        ))
    })
    .await
}

async fn air_quality_handler(State(s): State<Shared>, Query(q): Query<Pairs>) -> Response {
    serve(&s, Endpoint::AirQuality, &q, |fault| {
        let r = Request::parse(&q, Api::AirQuality)?;
        Ok(forecast::answer(
            &r,
            Api::AirQuality,
            chrono::Utc::now(),
            fault.live,
        ))
    })
    .await
}

async fn search_handler(State(s): State<Shared>, Query(q): Query<Pairs>) -> Response {
    serve(&s, Endpoint::Geocoding, &q, |_| {
        let get = |k: &str| q.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
        let name = get("name").unwrap_or("");
        let count = match get("count") {
            None => 10,
            Some(c) => c
                .parse::<usize>()
                .map_err(|_| BadRequest(format!("Invalid count '{c}'")))?,
        };
        Ok(geocoding::search(name, count))
    })
    .await
}

async fn nws_handler(State(s): State<Shared>, Query(q): Query<Pairs>) -> Response {
    serve(&s, Endpoint::NwsAlerts, &q, |_| {
        let point = q
            .iter()
            .find(|(k, _)| k == "point")
            .map(|(_, v)| v.as_str());
        let (lat, lon) = point
            .and_then(|p| p.split_once(','))
            .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)))
            .ok_or_else(|| BadRequest(format!("Invalid point '{}'", point.unwrap_or(""))))?;
        Ok(alerts::nws(lat, lon, chrono::Utc::now()))
    })
    .await
}

async fn brightsky_handler(State(s): State<Shared>, Query(q): Query<Pairs>) -> Response {
    serve(&s, Endpoint::BrightSkyAlerts, &q, |_| {
        let get = |k: &str| {
            q.iter()
                .find(|(key, _)| key == k)
                .and_then(|(_, v)| v.parse::<f64>().ok())
                .ok_or_else(|| BadRequest(format!("Invalid or missing '{k}'")))
        };
        Ok(alerts::bright_sky(
            get("lat")?,
            get("lon")?,
            chrono::Utc::now(),
        ))
    })
    .await
}

async fn get_faults(State(s): State<Shared>) -> Json<HashMap<Endpoint, Fault>> {
    Json(s.faults.lock().expect("fault table lock").0.clone())
}

async fn delete_faults(State(s): State<Shared>) -> StatusCode {
    s.clear_faults();
    StatusCode::NO_CONTENT
}

async fn put_fault(
    State(s): State<Shared>,
    Path(endpoint): Path<String>,
    Json(fault): Json<Fault>,
) -> Response {
    let targets = if endpoint == "all" {
        Endpoint::ALL.to_vec()
    } else {
        match endpoint.parse::<Endpoint>() {
            Ok(e) => vec![e],
            Err(reason) => return error_response(StatusCode::NOT_FOUND, &reason, None),
        }
    };
    for e in targets {
        s.set_fault(e, fault.clone());
    }
    StatusCode::NO_CONTENT.into_response()
}

async fn get_stats(State(s): State<Shared>) -> Json<Value> {
    Json(s.stats())
}

async fn reset_stats(State(s): State<Shared>) -> StatusCode {
    for c in &s.counts {
        c.store(0, Ordering::Relaxed);
    }
    StatusCode::NO_CONTENT
}
