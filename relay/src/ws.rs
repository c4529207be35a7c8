//! `/live`: one WebSocket per viewer. Its socket is split into a writer, which drains the
//! client's bounded queue and sends heartbeats, and a reader, which answers the client's
//! messages; when either ends, the other does, and the client's subscriptions are released.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use isobar_core::live::{self, ClientMessage, Limits, ServerMessage, PROTOCOL_VERSION};
use tokio::sync::{mpsc, Notify};

use crate::hub::{encode, Outbox, Outgoing, TopicKey};
use crate::metrics::Metrics;
use crate::{upstream, AppState};

/// Hard ceiling of one WebSocket message; larger ones close the connection. Messages between
/// `max_message_bytes` and this are answered with an `error` instead.
const FRAME_CEILING: usize = 64 * 1024;

/// Checks the Origin and the per-IP limit, then upgrades with small buffers (axum's default
/// 128 KiB read buffer per socket would dominate the memory of idle viewers).
pub async fn upgrade(
    ws: WebSocketUpgrade,
    headers: HeaderMap,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    State(state): State<Arc<AppState>>,
) -> Response {
    let origin = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok());
    if !state.config.origin_allowed(origin) {
        Metrics::inc(&state.metrics.connections_refused);
        tracing::info!(?origin, "refused a WebSocket from a foreign origin");
        return (StatusCode::FORBIDDEN, "origin not allowed\n").into_response();
    }
    let ip = peer.ip();
    {
        let mut per_ip = state.per_ip.lock().expect("per-ip lock");
        let n = per_ip.entry(ip).or_insert(0);
        if *n >= state.config.max_connections_per_ip {
            Metrics::inc(&state.metrics.connections_refused);
            return (
                StatusCode::TOO_MANY_REQUESTS,
                "too many connections from this address\n",
            )
                .into_response();
        }
        *n += 1;
    }
    ws.read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .max_write_buffer_size(FRAME_CEILING * 2)
        .max_message_size(FRAME_CEILING)
        .max_frame_size(FRAME_CEILING)
        .on_upgrade(move |socket| async move {
            connection(socket, state.clone()).await;
            let mut per_ip = state.per_ip.lock().expect("per-ip lock");
            if let Some(n) = per_ip.get_mut(&ip) {
                *n -= 1;
                if *n == 0 {
                    per_ip.remove(&ip);
                }
            }
        })
}

/// Resolves when the relay shuts down.
async fn stopped(mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|s| *s).await;
}

fn error(code: &str, message: impl Into<String>) -> Utf8Bytes {
    encode(&ServerMessage::Error {
        code: code.into(),
        message: message.into(),
    })
}

async fn connection(socket: WebSocket, state: Arc<AppState>) {
    let id = state.next_id();
    state.metrics.connections.fetch_add(1, Ordering::Relaxed);
    let (mut sink, mut stream) = socket.split();
    let (tx, mut rx) = mpsc::channel::<Outgoing>(state.config.client_queue.max(2));
    let close = Arc::new(Notify::new());
    let outbox = Outbox {
        queue: tx,
        close: close.clone(),
    };
    let config = &state.config;
    outbox.offer(encode(&ServerMessage::Hello {
        version: PROTOCOL_VERSION,
        server_time: chrono::Utc::now().timestamp(),
        limits: Limits {
            max_message_bytes: config.max_message_bytes,
            max_subscriptions: config.max_subscriptions,
            heartbeat_s: config.heartbeat_s,
            idle_timeout_s: config.idle_timeout_s,
        },
    }));

    let metrics = &state.metrics;
    // The writer drains the queue and sends heartbeats. It may block on a stalled socket, so
    // dropping a slow client and shutting down are watched outside it (below), where they
    // can cancel a send in progress.
    let writer = async {
        let mut heartbeat = tokio::time::interval(Duration::from_secs(config.heartbeat_s.max(1)));
        heartbeat.tick().await;
        loop {
            tokio::select! {
                m = rx.recv() => match m {
                    Some(Outgoing { text, published }) => {
                        if sink.send(Message::Text(text)).await.is_err() { break; }
                        if let Some(t) = published {
                            metrics.delivery.observe(t.elapsed());
                        }
                    }
                    None => break,
                },
                _ = heartbeat.tick() => {
                    if sink.send(Message::Ping(Default::default())).await.is_err() { break; }
                }
            }
        }
    };

    let mut subscriptions: HashSet<TopicKey> = HashSet::new();
    let reader = async {
        let idle = Duration::from_secs(config.idle_timeout_s.max(1));
        while let Ok(Some(Ok(msg))) = tokio::time::timeout(idle, stream.next()).await {
            let text = match msg {
                Message::Text(t) => t,
                Message::Binary(_) => {
                    Metrics::inc(&metrics.messages_rejected);
                    outbox.offer(error("bad_message", "messages are JSON text"));
                    continue;
                }
                Message::Close(_) => break,
                _ => continue, // pings and pongs keep the connection alive
            };
            Metrics::inc(&metrics.messages_received);
            if text.len() > config.max_message_bytes {
                Metrics::inc(&metrics.messages_rejected);
                outbox.offer(error(
                    "too_large",
                    format!("messages may be at most {} bytes", config.max_message_bytes),
                ));
                continue;
            }
            let reply = match live::parse_client(&text) {
                Err(e) => {
                    Metrics::inc(&metrics.messages_rejected);
                    error("bad_message", e)
                }
                Ok(ClientMessage::Ping { id }) => encode(&ServerMessage::Pong { id }),
                Ok(ClientMessage::Subscribe { target }) => match TopicKey::of(&target) {
                    None => error("bad_target", "latitude -90..90 and longitude -180..180, or a station id of letters, digits, - and _"),
                    Some(key) if subscriptions.contains(&key) => encode(&ServerMessage::Subscribed { target: key.target() }),
                    Some(_) if subscriptions.len() >= config.max_subscriptions => error(
                        "too_many_subscriptions",
                        format!("at most {} subscriptions per connection", config.max_subscriptions),
                    ),
                    Some(key) => {
                        let joined = state.hub.subscribe(&key, id, outbox.clone());
                        subscriptions.insert(key.clone());
                        state.metrics.subscriptions.fetch_add(1, Ordering::Relaxed);
                        if joined.first && matches!(key, TopicKey::Place { .. }) {
                            let task = tokio::spawn(upstream::poll_place(state.clone(), key.clone()));
                            state.hub.set_poller(&key, task.abort_handle());
                        }
                        outbox.offer(encode(&ServerMessage::Subscribed { target: key.target() }));
                        match joined.last {
                            Some(last) => last,
                            None => continue,
                        }
                    }
                },
                Ok(ClientMessage::Unsubscribe { target }) => {
                    match TopicKey::of(&target).filter(|k| subscriptions.remove(k)) {
                        Some(key) => {
                            state.hub.unsubscribe(&key, id);
                            state.metrics.subscriptions.fetch_sub(1, Ordering::Relaxed);
                            continue;
                        }
                        None => error("not_subscribed", "no such subscription on this connection"),
                    }
                }
            };
            if !outbox.offer(reply) {
                break;
            }
        }
    };

    let mut goodbye = true;
    tokio::select! {
        _ = writer => goodbye = false,
        _ = reader => {}
        _ = close.notified() => {
            Metrics::inc(&metrics.clients_dropped_slow);
            tracing::info!(id, "dropped a client that fell behind");
        }
        _ = stopped(state.shutdown.clone()) => {}
    }
    if goodbye {
        // Best effort: a stalled client may never take it.
        let _ =
            tokio::time::timeout(Duration::from_millis(100), sink.send(Message::Close(None))).await;
    }
    for key in &subscriptions {
        state.hub.unsubscribe(key, id);
    }
    state
        .metrics
        .subscriptions
        .fetch_sub(subscriptions.len() as i64, Ordering::Relaxed);
    state.metrics.connections.fetch_sub(1, Ordering::Relaxed);
}
