//! What the relay's integration tests share: a simulator and a relay on 127.0.0.1:0, real
//! WebSocket clients, and readers of `/metrics` and `/health`.

#![allow(dead_code)] // each test file uses some of these

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use isobar_core::live::{self, ServerMessage};
use isobar_relay::config::{Config, Station};
use isobar_simulator::faults::FaultTable;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// A WebSocket client.
pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The station every setup declares, with its WU key and Ecowitt pass key.
pub const STATION: &str = "KCASANFR5";
/// Its WU password.
pub const KEY: &str = "s3cret";
/// Its Ecowitt pass key.
pub const PASSKEY: &str = "DFD82AD35BF6EC2843920EC477D60648";

/// A simulator and a relay polling it.
pub struct Setup {
    pub sim: isobar_simulator::Running,
    pub relay: isobar_relay::Running,
}

/// A relay on a free port, polling a simulator every second, with [`STATION`] declared;
/// `edit` changes the configuration.
pub async fn setup(edit: impl FnOnce(&mut Config)) -> Setup {
    let sim = isobar_simulator::spawn("127.0.0.1:0", FaultTable::default())
        .await
        .unwrap();
    let mut config = Config {
        listen: "127.0.0.1:0".into(),
        forecast_url: format!("http://{}/v1/forecast", sim.addr),
        poll_interval_s: 1.0,
        max_backoff_s: 2.0,
        stations: vec![Station {
            id: STATION.into(),
            key: Some(KEY.into()),
            ecowitt_passkey: Some(PASSKEY.into()),
            ..Default::default()
        }],
        ..Config::default()
    };
    edit(&mut config);
    let relay = isobar_relay::spawn(config).await.unwrap();
    Setup { sim, relay }
}

/// A declared station with only a WU key.
pub fn station(id: &str) -> Station {
    Station {
        id: id.into(),
        key: Some("k".into()),
        ecowitt_passkey: None,
        ..Default::default()
    }
}

impl Setup {
    /// A WebSocket to `/live`.
    pub async fn connect(&self) -> Ws {
        let (ws, _) = tokio_tungstenite::connect_async(format!("ws://{}/live", self.relay.addr))
            .await
            .unwrap();
        ws
    }

    /// A WebSocket to `/live` with a 4 KiB receive window: a client that stops reading soon
    /// stalls the relay's writes to it.
    pub async fn connect_small_window(&self) -> Ws {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(4096).unwrap();
        let stream = socket.connect(self.relay.addr).await.unwrap();
        let (ws, _) = tokio_tungstenite::client_async(
            format!("ws://{}/live", self.relay.addr),
            MaybeTlsStream::Plain(stream),
        )
        .await
        .unwrap();
        ws
    }

    /// A WebSocket to `/live` that has read its `hello`.
    pub async fn connect_hello(&self) -> Ws {
        let mut ws = self.connect().await;
        hello(&mut ws).await;
        ws
    }

    /// The relay's Prometheus metrics, as text.
    pub async fn metrics(&self) -> String {
        metrics_at(&self.url("/metrics")).await
    }

    /// `/health` as JSON.
    pub async fn health(&self) -> serde_json::Value {
        serde_json::from_str(
            &reqwest::get(self.url("/health"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap(),
        )
        .unwrap()
    }

    /// `http://relay{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.relay.addr)
    }

    /// A WU upload of `query` (credentials included or not); the status.
    pub async fn wu(&self, query: &str) -> u16 {
        reqwest::get(self.url(&format!("/weatherstation/updateweatherstation.php?{query}")))
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    /// A WU upload of `query` through a trusted proxy for `client`; the status and the
    /// `Retry-After`, if any.
    pub async fn wu_from(&self, client: &str, query: &str) -> (u16, Option<String>) {
        let r = reqwest::Client::new()
            .get(self.url(&format!("/weatherstation/updateweatherstation.php?{query}")))
            .header("x-forwarded-for", client)
            .send()
            .await
            .unwrap();
        let retry = r
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_owned());
        (r.status().as_u16(), retry)
    }

    /// An Ecowitt upload of `body` with `content_type`; the status.
    pub async fn ecowitt(&self, content_type: Option<&str>, body: &str) -> u16 {
        let mut req = reqwest::Client::new()
            .post(self.url("/data/report/"))
            .body(body.to_owned());
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        req.send().await.unwrap().status().as_u16()
    }
}

/// The metrics at `url`.
pub async fn metrics_at(url: &str) -> String {
    reqwest::get(url).await.unwrap().text().await.unwrap()
}

/// A sample's value from Prometheus text (`name` with its labels, exactly as written).
pub fn metric(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

/// The next message, within 10 s.
pub async fn next(ws: &mut Ws) -> ServerMessage {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("a message within 10 s")
            .expect("the socket is open")
            .expect("a valid frame");
        if let Message::Text(t) = msg {
            return live::parse_server(&t).unwrap_or_else(|| panic!("unparseable: {t}"));
        }
    }
}

/// The next message that is not `subscribed`.
pub async fn next_news(ws: &mut Ws) -> ServerMessage {
    loop {
        match next(ws).await {
            ServerMessage::Subscribed { .. } => continue,
            m => return m,
        }
    }
}

/// Expects an `error` with `code`.
pub fn expect_error(m: ServerMessage, want: &str) {
    match m {
        ServerMessage::Error { code, message } => {
            assert_eq!(code, want, "{message}");
            assert!(!message.is_empty());
        }
        other => panic!("expected error {want}, got {other:?}"),
    }
}

/// Sends a text message.
pub async fn send(ws: &mut Ws, text: &str) {
    ws.send(Message::Text(text.into())).await.unwrap();
}

/// Reads the `hello`.
pub async fn hello(ws: &mut Ws) {
    match next(ws).await {
        ServerMessage::Hello {
            version, limits, ..
        } => {
            assert_eq!(version, live::PROTOCOL_VERSION);
            assert!(limits.max_message_bytes > 0);
        }
        other => panic!("expected hello, got {other:?}"),
    }
}

/// Reads until the relay closes the socket: its close frame, if it sent one (`None` when the
/// socket ended without one). Panics if it stays open for `within`.
pub async fn closed_with(ws: &mut Ws, within: Duration) -> Option<CloseFrame> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, ws.next()).await {
            Err(_) => panic!("the relay did not close the socket within {within:?}"),
            Ok(Some(Ok(Message::Close(frame)))) => return frame,
            Ok(Some(Ok(_))) => continue,
            Ok(Some(Err(_)) | None) => return None,
        }
    }
}

/// Opens a WebSocket upgrade and resets the TCP connection right after sending it (SO_LINGER
/// 0), the way the probe that found the slot leak did.
pub async fn reset_upgrade(addr: std::net::SocketAddr, extra_headers: &str) {
    let Ok(mut tcp) = TcpStream::connect(addr).await else {
        return;
    };
    let request = format!(
        "GET /live HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{extra_headers}\r\n"
    );
    let _ = tcp.write_all(request.as_bytes()).await;
    // Linger 0: the close sends a reset at once (it does not block).
    let _ = socket2::SockRef::from(&tcp).set_linger(Some(Duration::ZERO));
    drop(tcp);
}

/// Polls `/health` until `done` holds of it, or panics after `within` with the last answer.
pub async fn wait_for_health(
    s: &Setup,
    within: Duration,
    done: impl Fn(&serde_json::Value) -> bool,
) {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let h = s.health().await;
        if done(&h) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "/health never got there: {h}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
