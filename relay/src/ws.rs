//! `/live`: one WebSocket per viewer. Its socket is split into a sending side, the [`Wire`],
//! and a reader, which answers the client's messages in order and keeps the heartbeat. A
//! publication is written to every subscriber's socket by the publisher itself, from the
//! hub, as far as each socket takes it at once: no task is woken per subscriber. What a
//! socket does not take, replies, pings and the close frame are written by the writer, a
//! task of its own; when it or the reader ends, the other does, and the client's
//! subscriptions are released.
//!
//! Replies wait for room in the client's queue, so a client that sends faster than it reads
//! is slowed down by TCP rather than dropped or allowed to grow the queue; publications never
//! wait, and a client whose queue is full when one comes is closed as too slow. Every close
//! the relay decides carries a close code and reason and is counted ([`Close`]).

use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use isobar_core::live::{self, ClientMessage, Limits, ServerMessage, Target, PROTOCOL_VERSION};
use tokio::sync::{mpsc, Notify};

use crate::hub::{encode, Outbox, Outgoing, Refused, TopicKey, Writer};
use crate::metrics::{Close, Metrics, Refusal};
use crate::rate::TokenBucket;
use crate::{upstream, AppState};

/// Hard ceiling of one WebSocket frame or message; larger ones close the connection with
/// 1009. Messages between `max_message_bytes` and this are answered with an `error` instead.
pub const FRAME_CEILING: usize = 64 * 1024;

/// How long the relay waits for a client to take a close frame and answer it.
const CLOSE_WAIT: Duration = Duration::from_secs(1);

/// Checks the Origin and takes a connection slot for the client's address, then upgrades
/// with small buffers (axum's default 128 KiB read buffer per socket would dominate the
/// memory of idle viewers; clients send a few small messages, so 1 KiB, grown for a larger
/// message, saves 3 KiB per viewer over 4 KiB). The slot is a guard owned by the upgrade
/// callback: it is given back however the connection ends, even when the upgrade never
/// completes.
pub async fn upgrade(
    ws: WebSocketUpgrade,
    headers: HeaderMap,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    State(state): State<Arc<AppState>>,
) -> Response {
    let client = state.client_ip(peer.ip(), &headers);
    let origin = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok());
    if !state.config.origin_allowed(origin) {
        state.refuse_connection(Refusal::Origin, client);
        return (StatusCode::FORBIDDEN, "origin not allowed\n").into_response();
    }
    let Some(slot) = state.slots.take(client) else {
        state.refuse_connection(Refusal::PerIp, client);
        return (
            StatusCode::TOO_MANY_REQUESTS,
            "too many connections from this address\n",
        )
            .into_response();
    };
    let failed = state.clone();
    ws.read_buffer_size(1024)
        .write_buffer_size(0)
        .max_write_buffer_size(FRAME_CEILING * 2)
        .max_message_size(FRAME_CEILING)
        .max_frame_size(FRAME_CEILING)
        .on_failed_upgrade(move |_| failed.metrics.refused(Refusal::UpgradeFailed))
        .on_upgrade(move |socket| async move {
            let _slot = slot;
            // Split here, so that the connection's future does not keep room for the whole
            // socket besides its halves (it is allocated per idle viewer).
            let (sink, stream) = socket.split();
            connection(sink, stream, state, client).await;
        })
}

/// Resolves when the relay shuts down.
async fn stopped(mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|s| *s).await;
}

/// An `error` message.
pub fn error(code: &str, message: impl Into<String>) -> Utf8Bytes {
    encode(&ServerMessage::Error {
        code: code.into(),
        message: message.into(),
    })
}

/// How a connection ended.
enum Ending {
    /// The client sent a close frame.
    ClientClosed,
    /// The client went away (reset, end of stream, a failed write): nothing more to send.
    Gone,
    /// The relay closes it.
    Close(Close, String),
}

/// What one connection holds in the hub and the gauges; given back on drop, however the
/// connection ends.
struct Session<'a> {
    state: &'a AppState,
    id: u64,
    subscriptions: HashSet<TopicKey>,
}

impl<'a> Session<'a> {
    fn open(state: &'a AppState) -> Session<'a> {
        state.metrics.connections.fetch_add(1, Ordering::Relaxed);
        Session {
            state,
            id: state.next_id(),
            subscriptions: HashSet::new(),
        }
    }
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        for key in &self.subscriptions {
            self.state.unsubscribe(key, self.id);
        }
        let m = &self.state.metrics;
        m.subscriptions
            .fetch_sub(self.subscriptions.len() as i64, Ordering::Relaxed);
        m.connections.fetch_sub(1, Ordering::Relaxed);
    }
}

async fn connection(
    sink: SplitSink<WebSocket, Message>,
    mut stream: SplitStream<WebSocket>,
    state: Arc<AppState>,
    client: IpAddr,
) {
    let config = &state.config;
    let metrics = &state.metrics;
    let mut session = Session::open(&state);
    let (tx, rx) = mpsc::channel::<Outgoing>(config.client_queue.max(4));
    let close = Arc::new(Notify::new());
    let wire = Arc::new(Wire {
        port: tokio::sync::Mutex::new(Port {
            sink: Some(sink),
            queue: rx,
            in_flight: None,
        }),
        bell: Notify::new(),
        state: state.clone(),
    });
    let outbox = Outbox {
        queue: tx,
        close: close.clone(),
        writer: Some(wire.clone()),
    };
    outbox.offer(encode(&ServerMessage::Hello {
        version: PROTOCOL_VERSION,
        server_time: chrono::Utc::now().timestamp(),
        limits: Limits {
            max_message_bytes: config.max_message_bytes,
            max_subscriptions: config.max_subscriptions,
            heartbeat_s: config.heartbeat_s,
            idle_timeout_s: config.idle_timeout_s,
            messages_per_s: Some(config.messages_per_s),
            message_burst: Some(config.message_burst),
        },
    }));

    // A publication is written by whoever publishes it, from the hub (see `Wire`); the writer
    // is a task of its own for the rest: what a socket did not take at once, replies, pings
    // and the close frame. It is woken only by those, not by each publication, and it may
    // block on a stalled socket, so dropping a slow client and shutting down are watched
    // here, where it can be stopped in a send.
    // Not a channel: tokio's allocates 32 slots at once, 1.5 KiB per idle viewer.
    let control = Arc::new(Signal::default());
    let mut writer = tokio::spawn(write(wire.clone(), control.clone()));

    let reader = async {
        let idle = Duration::from_secs(config.idle_timeout_s.max(1));
        let mut bucket =
            TokenBucket::new(config.messages_per_s, config.message_burst, Instant::now());
        let mut heartbeat = tokio::time::interval(Duration::from_secs(config.heartbeat_s.max(1)));
        heartbeat.tick().await;
        let mut heard = Instant::now();
        loop {
            let next = tokio::select! {
                m = tokio::time::timeout_at(heard + idle, stream.next()) => m,
                _ = heartbeat.tick() => {
                    // A client whose queue is full is being closed anyway.
                    control.send(Control::Ping);
                    continue;
                }
            };
            let msg = match next {
                Err(_) => {
                    return Ending::Close(
                        Close::Idle,
                        format!("no message or pong for {} s", config.idle_timeout_s),
                    )
                }
                Ok(None) => return Ending::Gone,
                Ok(Some(Err(e))) => return read_error(e),
                Ok(Some(Ok(m))) => m,
            };
            heard = Instant::now();
            let text = match msg {
                Message::Text(t) => Some(t),
                Message::Binary(_) => None,
                Message::Close(_) => return Ending::ClientClosed,
                _ => continue, // pings and pongs keep the connection alive
            };
            Metrics::inc(&metrics.messages_received);
            let reply = if !bucket.take(Instant::now()) {
                metrics.refused(Refusal::RateLimited);
                Some(state.rate_limited.clone())
            } else {
                match text {
                    None => Some(refuse(
                        metrics,
                        Refusal::BadMessage,
                        "messages are JSON text",
                    )),
                    // Boxed, as below: an idle connection's future then holds a pointer, not
                    // the state of these paths it rarely takes.
                    Some(text) => {
                        match Box::pin(handle(&state, &mut session, &outbox, &text, idle)).await {
                            Ok(reply) => reply,
                            Err(ending) => return ending,
                        }
                    }
                }
            };
            if let Some(text) = reply {
                if let Err(ending) = send_reply(&outbox, text, idle).await {
                    return ending;
                }
            }
        }
    };

    let ending = tokio::select! {
        _ = &mut writer => Ending::Gone,
        e = reader => e,
        _ = close.notified() => Ending::Close(
            Close::TooSlow,
            format!("fell {} messages behind", config.client_queue),
        ),
        _ = stopped(state.shutdown.clone()) => Ending::Close(Close::Shutdown, "the relay is stopping".into()),
    };
    match ending {
        Ending::Gone => {}
        Ending::ClientClosed => {
            // Sends tungstenite's answer to the client's close frame.
            control.send(Control::Close(None));
            let _ = tokio::time::timeout(CLOSE_WAIT, &mut writer).await;
        }
        Ending::Close(why, detail) => {
            metrics.closed(why);
            if state
                .log_gates
                .closed
                .pass(Instant::now(), metrics)
                .is_some()
            {
                tracing::info!(%client, reason = why.reason(), %detail, "closed a WebSocket");
            }
            Box::pin(say_goodbye(&mut writer, &control, stream, why, &detail)).await;
        }
    }
    writer.abort();
    // Nothing more is written; the socket closes when its reading half goes below, even if
    // a publication still holds the wire.
    wire.port.lock().await.sink = None;
}

/// What the writer is asked to send besides the queue's messages: the last thing asked, a
/// close overriding a ping.
#[derive(Default)]
struct Signal {
    bell: Notify,
    asked: std::sync::Mutex<Option<Control>>,
}

impl Signal {
    fn send(&self, c: Control) {
        {
            let mut asked = self.asked.lock().unwrap_or_else(|e| e.into_inner());
            if !matches!(*asked, Some(Control::Close(_))) {
                *asked = Some(c);
            }
        }
        self.bell.notify_one();
    }

    fn take(&self) -> Option<Control> {
        self.asked.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

/// What the writer sends besides the queue's messages.
enum Control {
    /// A heartbeat.
    Ping,
    /// A close frame (`None`: tungstenite's answer to the client's), then the writer ends.
    Close(Option<CloseFrame>),
}

/// A connection's sending side: the socket's sending half and the queue's reading end under
/// one lock, so that whoever holds it writes the client's messages in their order: a
/// publisher, from the hub, as far as the socket takes them at once ([`Writer`]), or the
/// writer task, which waits for the socket when it must.
struct Wire {
    port: tokio::sync::Mutex<Port>,
    /// Wakes the writer task: something is queued that was not written.
    bell: Notify,
    state: Arc<AppState>,
}

/// What the wire's lock guards.
struct Port {
    /// `None` once the writer has sent a close frame, or a write failed.
    sink: Option<SplitSink<WebSocket, Message>>,
    queue: mpsc::Receiver<Outgoing>,
    /// A message the socket has not wholly taken yet, with when it was published (`None`
    /// for a reply, which the delivery histogram does not count).
    in_flight: Option<Option<Instant>>,
}

impl Writer for Wire {
    fn write_queued(&self) {
        use std::future::Future;
        use std::task::{Context, Poll, Waker};
        // Its holder writes what is queued, or leaves it to the writer task, rung here.
        let Ok(mut port) = self.port.try_lock() else {
            self.bell.notify_one();
            return;
        };
        // Outside tokio's budget: a publisher writes to every subscriber in one poll of its
        // task, and within the budget (128 operations) every socket after the 128th would
        // say "not now", and be left to its writer task.
        let mut now = std::pin::pin!(tokio::task::coop::unconstrained(std::future::poll_fn(
            |_| Poll::Ready(port.write_now(&self.state.metrics))
        )));
        let written = now.as_mut().poll(&mut Context::from_waker(Waker::noop()));
        if written != Poll::Ready(true) {
            self.bell.notify_one();
        }
    }
}

impl Port {
    /// Writes queued messages while the socket takes them without waiting. `false` when
    /// some are left for the writer task: the socket is full, or a write failed.
    fn write_now(&mut self, metrics: &Metrics) -> bool {
        use futures_util::Sink;
        use std::pin::Pin;
        use std::task::{Context, Poll, Waker};
        let Some(sink) = self.sink.as_mut() else {
            return true;
        };
        if self.in_flight.is_some() {
            return false;
        }
        let mut cx = Context::from_waker(Waker::noop());
        loop {
            match Pin::new(&mut *sink).poll_ready(&mut cx) {
                Poll::Ready(Ok(())) => {}
                Poll::Ready(Err(_)) => break,
                Poll::Pending => return false,
            }
            let Ok(Outgoing { text, published }) = self.queue.try_recv() else {
                return true;
            };
            if Pin::new(&mut *sink)
                .start_send(Message::Text(text))
                .is_err()
            {
                break;
            }
            match Pin::new(&mut *sink).poll_flush(&mut cx) {
                Poll::Ready(Ok(())) => {
                    delivered(metrics, published);
                }
                Poll::Ready(Err(_)) => break,
                Poll::Pending => {
                    // Partly written: the writer task finishes it.
                    self.in_flight = Some(published);
                    return false;
                }
            }
        }
        // The client is gone: the writer task ends, and the connection with it.
        self.sink = None;
        false
    }

    /// Writes everything queued, waiting for the socket as long as it takes. `false` when
    /// nothing more can be written.
    async fn write_all(&mut self, metrics: &Metrics) -> bool {
        let Some(sink) = self.sink.as_mut() else {
            return false;
        };
        if sink.flush().await.is_err() {
            self.sink = None;
            return false;
        }
        delivered(metrics, self.in_flight.take().flatten());
        while let Ok(Outgoing { text, published }) = self.queue.try_recv() {
            if sink.send(Message::Text(text)).await.is_err() {
                self.sink = None;
                return false;
            }
            delivered(metrics, published);
        }
        true
    }
}

/// Counts a published message written out in the delivery-time histogram (`published` is
/// `None` for a reply).
fn delivered(metrics: &Metrics, published: Option<Instant>) {
    if let Some(t) = published {
        metrics.delivery.observe(t.elapsed());
    }
}

/// Writes what the publishers left in the client's queue, and its control frames, until the
/// socket ends or a close frame is sent.
async fn write(wire: Arc<Wire>, control: Arc<Signal>) {
    let metrics = &wire.state.metrics;
    // One wait for each bell, kept across messages: made anew for each, it would join and
    // leave the bell's list of waiters every time.
    let mut queued = std::pin::pin!(wire.bell.notified());
    let mut asked = std::pin::pin!(control.bell.notified());
    loop {
        // What is queued first (the `hello` at the start), then a control frame if asked.
        let mut port = wire.port.lock().await;
        if !port.write_all(metrics).await {
            return;
        }
        let Some(sink) = port.sink.as_mut() else {
            return;
        };
        match control.take() {
            Some(Control::Ping) if sink.send(Message::Ping(Default::default())).await.is_err() => {
                return;
            }
            Some(Control::Ping) | None => {}
            Some(Control::Close(Some(frame))) => {
                let _ = sink.send(Message::Close(Some(frame))).await;
                port.sink = None;
                return;
            }
            Some(Control::Close(None)) => {
                let _ = sink.close().await;
                port.sink = None;
                return;
            }
        }
        drop(port);
        tokio::select! {
            biased;
            () = &mut queued => queued.set(wire.bell.notified()),
            () = &mut asked => asked.set(control.bell.notified()),
        }
    }
}

/// Sends a close frame with `why`'s code and reason (through the writer, after what it is
/// sending) and waits briefly for the client's answer, reading (and dropping) what it still
/// sends meanwhile: closing a socket with unread data resets it, and the reset could destroy
/// the close frame before the client reads it.
async fn say_goodbye(
    writer: &mut tokio::task::JoinHandle<()>,
    control: &Signal,
    mut stream: SplitStream<WebSocket>,
    why: Close,
    detail: &str,
) {
    let mut reason = format!("{}: {detail}", why.reason());
    // A close frame's reason is at most 123 bytes.
    while reason.len() > 123 {
        reason.pop();
    }
    let frame = CloseFrame {
        code: why.code(),
        reason: reason.into(),
    };
    let wait = if why == Close::TooSlow {
        // It is not reading: the frame may never go out.
        Duration::from_millis(100)
    } else {
        CLOSE_WAIT
    };
    control.send(Control::Close(Some(frame)));
    if tokio::time::timeout(wait, writer).await.is_err() {
        return;
    }
    let _ = tokio::time::timeout(CLOSE_WAIT, async {
        while let Some(Ok(m)) = stream.next().await {
            if matches!(m, Message::Close(_)) {
                break;
            }
        }
    })
    .await;
}

/// What a read error means: an oversized frame or a protocol violation is closed with its
/// code; anything else (a reset, end of stream) means the client is gone.
fn read_error(e: axum::Error) -> Ending {
    use tungstenite::error::{Error as WsError, ProtocolError};
    let Ok(e) = e.into_inner().downcast::<WsError>() else {
        return Ending::Gone;
    };
    match *e {
        WsError::Capacity(c) => Ending::Close(
            Close::TooLarge,
            format!("{c}; messages may be at most {FRAME_CEILING} bytes"),
        ),
        WsError::Protocol(ProtocolError::ResetWithoutClosingHandshake) => Ending::Gone,
        WsError::Protocol(p) => Ending::Close(Close::Protocol, p.to_string()),
        WsError::Utf8(_) => Ending::Close(Close::Protocol, "text that is not UTF-8".into()),
        _ => Ending::Gone,
    }
}

/// Queues a message for this client alone, waiting up to `idle` for room in its queue (a
/// client that sends faster than it reads is slowed down), and writes it out.
async fn send_reply(outbox: &Outbox, text: Utf8Bytes, idle: Duration) -> Result<(), Ending> {
    let out = Outgoing {
        text,
        published: None,
    };
    match tokio::time::timeout(idle, outbox.queue.send(out)).await {
        Err(_) => Err(not_reading(idle)),
        Ok(Err(_)) => Err(Ending::Gone),
        Ok(Ok(())) => {
            outbox.write_queued();
            Ok(())
        }
    }
}

/// A client that has not taken its replies for the idle timeout: it holds a slot and reads
/// nothing, like an idle one.
fn not_reading(idle: Duration) -> Ending {
    Ending::Close(
        Close::TooSlow,
        format!("did not read its replies for {} s", idle.as_secs()),
    )
}

/// Subscribes connection `id` to `key` in the hub; on a relay of a cluster, mirrors the topic
/// first if it is not (a topic forgotten by its last subscriber meanwhile is mirrored again).
async fn subscribe(
    state: &AppState,
    key: &TopicKey,
    id: u64,
    outbox: &Outbox,
    since: Option<&live::Position>,
) -> Result<crate::hub::Joined, Refused> {
    let mut tries = 0;
    loop {
        match state.hub.subscribe(key, id, outbox.clone(), since) {
            Err(Refused::Unwatched) if tries < 3 => {
                tries += 1;
                let Some(cluster) = &state.cluster else {
                    return Err(Refused::Unwatched);
                };
                cluster.watch(key).await?;
            }
            joined => return joined,
        }
    }
}

/// Counts a refused message and words its `error` reply.
fn refuse(metrics: &Metrics, r: Refusal, message: impl Into<String>) -> Utf8Bytes {
    metrics.refused(r);
    error(r.reason(), message)
}

/// Answers one text message. `Ok(None)` when the answer was already queued (a subscription's
/// `subscribed` and last observation); `Err` when the connection must end (the client is gone,
/// or has not read its replies for `idle`).
async fn handle(
    state: &Arc<AppState>,
    session: &mut Session<'_>,
    outbox: &Outbox,
    text: &str,
    idle: Duration,
) -> Result<Option<Utf8Bytes>, Ending> {
    let config = &state.config;
    let metrics = &state.metrics;
    if text.len() > config.max_message_bytes {
        return Ok(Some(refuse(
            metrics,
            Refusal::TooLarge,
            format!("messages may be at most {} bytes", config.max_message_bytes),
        )));
    }
    let reply = match live::parse_client(text) {
        Err(e) => refuse(metrics, Refusal::BadMessage, e),
        Ok(ClientMessage::Ping { id }) => encode(&ServerMessage::Pong { id }),
        Ok(ClientMessage::Subscribe { target, since }) => {
            let Some(key) = TopicKey::of(&target) else {
                return Ok(Some(refuse(
                    metrics,
                    Refusal::BadTarget,
                    "latitude -90..90 and longitude -180..180, or a station id of letters, digits, - and _",
                )));
            };
            if session.subscriptions.contains(&key) {
                // Confirmed again; what it follows already comes.
                return Ok(Some(encode(&ServerMessage::Subscribed {
                    target: key.target(),
                    epoch: None,
                    offset: None,
                    recovered: None,
                })));
            }
            if session.subscriptions.len() >= config.max_subscriptions {
                return Ok(Some(refuse(
                    metrics,
                    Refusal::TooManySubscriptions,
                    format!(
                        "at most {} subscriptions per connection",
                        config.max_subscriptions
                    ),
                )));
            }
            match subscribe(state, &key, session.id, outbox, since.as_ref()).await {
                Err(Refused::UnknownStation) => {
                    let Target::Station { station } = &target else {
                        unreachable!("only stations can be unknown")
                    };
                    refuse(
                        metrics,
                        Refusal::UnknownStation,
                        format!("this relay has no station {station}"),
                    )
                }
                Err(Refused::Unwatched) => refuse(
                    metrics,
                    Refusal::Unavailable,
                    "the relay cannot reach the cluster's Redis; try again, or another relay",
                ),
                Err(Refused::TooManyPlaces) => refuse(
                    metrics,
                    Refusal::TooManyPlaces,
                    format!(
                        "this relay already follows {} places, its most; try again later",
                        config.max_places
                    ),
                ),
                Ok(joined) => {
                    session.subscriptions.insert(key.clone());
                    metrics.subscriptions.fetch_add(1, Ordering::Relaxed);
                    match joined.recovered {
                        Some(true) => Metrics::inc(&metrics.replays),
                        Some(false) => Metrics::inc(&metrics.gaps),
                        None => {}
                    }
                    if joined.first && matches!(key, TopicKey::Place { .. }) {
                        let task = tokio::spawn(upstream::poll_place(state.clone(), key.clone()));
                        state.hub.set_poller(&key, task.abort_handle());
                    }
                    // `subscribed` and what was missed, as fast as the client reads them;
                    // what is published meanwhile is held by the hub and follows them.
                    for text in std::iter::once(joined.subscribed).chain(joined.replay) {
                        send_reply(outbox, text, idle).await?;
                    }
                    // A client whose queue cannot take what was held is closed as too slow.
                    state.hub.release(&key, session.id);
                    return Ok(None);
                }
            }
        }
        Ok(ClientMessage::Unsubscribe { target }) => {
            match TopicKey::of(&target).filter(|k| session.subscriptions.remove(k)) {
                Some(key) => {
                    state.unsubscribe(&key, session.id);
                    metrics.subscriptions.fetch_sub(1, Ordering::Relaxed);
                    return Ok(None);
                }
                None => refuse(
                    metrics,
                    Refusal::NotSubscribed,
                    "no such subscription on this connection",
                ),
            }
        }
    };
    Ok(Some(reply))
}
