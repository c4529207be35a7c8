//! The accept loop: hyper's HTTP/1 server with a header-read timeout, which `axum::serve`
//! does not set. A client that opens a connection and sends its request headers slowly, or
//! not at all (slowloris), is disconnected after `header_timeout_s`; so is a kept-alive
//! connection that sends no next request in that time.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tower_http::add_extension::AddExtension;

use crate::AppState;

/// Largest request head (request line and headers), bytes; hyper's floor is 8 KiB.
const MAX_HEAD_BYTES: usize = 16 * 1024;

/// Serves `router` on `listener` until `shutdown` turns true, then stops accepting, lets
/// requests in flight finish, and returns (open WebSockets close on the same signal).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    state: Arc<AppState>,
    mut shutdown: watch::Receiver<bool>,
) {
    // Each connection's task holds a receiver; when all are gone, every request is done.
    let (in_flight, in_flight_rx) = watch::channel(());
    let header_timeout = Duration::from_secs_f64(state.config.header_timeout_s);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors, most likely: wait instead of spinning.
                    tracing::warn!(%e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stopped(&mut shutdown) => break,
        };
        tune(&tcp, state.config.socket_send_buffer);
        let service = TowerToHyperService::new(AddExtension::new(
            router.clone(),
            ConnectInfo::<SocketAddr>(peer),
        ));
        let conn = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout)
            .max_buf_size(MAX_HEAD_BYTES)
            .serve_connection(TokioIo::new(tcp), service)
            .with_upgrades();
        let mut stop = shutdown.clone();
        let held = in_flight_rx.clone();
        tokio::spawn(async move {
            let _held = held;
            let mut conn = std::pin::pin!(conn);
            // Errors here are the client's (a reset, a timeout, a malformed request).
            tokio::select! {
                _ = conn.as_mut() => return,
                _ = stopped(&mut stop) => conn.as_mut().graceful_shutdown(),
            }
            let _ = conn.await;
        });
    }
    drop(listener);
    drop(in_flight_rx);
    // Requests in flight get a moment to finish; upgraded sockets are no longer counted.
    let _ = tokio::time::timeout(Duration::from_secs(5), in_flight.closed()).await;
}

/// Resolves when `shutdown` turns true (or its sender is gone).
async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|s| *s).await;
}

/// Socket options of every accepted connection: a small send buffer (see
/// `socket_send_buffer`) and no Nagle delay.
fn tune(tcp: &TcpStream, send_buffer: usize) {
    let sock = socket2::SockRef::from(tcp);
    if send_buffer > 0 {
        if let Err(e) = sock.set_send_buffer_size(send_buffer) {
            tracing::warn!(%e, "cannot set SO_SNDBUF");
        }
    }
    let _ = sock.set_tcp_nodelay(true);
}
