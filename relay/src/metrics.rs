//! Counters, exposed in Prometheus' text format at `/metrics`.

use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

/// The relay's counters and gauges.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Open WebSocket connections.
    pub connections: AtomicI64,
    /// Active subscriptions, over all connections.
    pub subscriptions: AtomicI64,
    /// Messages sent to clients.
    pub messages_sent: AtomicU64,
    /// Messages received from clients.
    pub messages_received: AtomicU64,
    /// Client messages that were malformed or too large.
    pub messages_rejected: AtomicU64,
    /// Clients dropped for falling behind.
    pub clients_dropped_slow: AtomicU64,
    /// Connections refused (origin, per-IP limit).
    pub connections_refused: AtomicU64,
    /// Upstream polls made.
    pub upstream_calls: AtomicU64,
    /// Upstream polls that failed.
    pub upstream_errors: AtomicU64,
    /// Station uploads accepted.
    pub station_uploads: AtomicU64,
    /// Station uploads refused (unknown station, wrong key).
    pub station_uploads_refused: AtomicU64,
}

impl Metrics {
    /// Adds one to a counter.
    pub fn inc(c: &AtomicU64) {
        c.fetch_add(1, Ordering::Relaxed);
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut gauge = |name: &str, help: &str, v: i64| {
            let _ = writeln!(out, "# HELP isobar_relay_{name} {help}\n# TYPE isobar_relay_{name} gauge\nisobar_relay_{name} {v}");
        };
        gauge(
            "connections",
            "Open WebSocket connections.",
            self.connections.load(Ordering::Relaxed),
        );
        gauge(
            "subscriptions",
            "Active subscriptions.",
            self.subscriptions.load(Ordering::Relaxed),
        );
        let counters = [
            (
                "messages_sent_total",
                "Messages sent to clients.",
                &self.messages_sent,
            ),
            (
                "messages_received_total",
                "Messages received from clients.",
                &self.messages_received,
            ),
            (
                "messages_rejected_total",
                "Malformed or oversized client messages.",
                &self.messages_rejected,
            ),
            (
                "clients_dropped_slow_total",
                "Clients dropped for falling behind.",
                &self.clients_dropped_slow,
            ),
            (
                "connections_refused_total",
                "Connections refused by origin or per-IP limit.",
                &self.connections_refused,
            ),
            (
                "upstream_calls_total",
                "Upstream polls made.",
                &self.upstream_calls,
            ),
            (
                "upstream_errors_total",
                "Upstream polls that failed.",
                &self.upstream_errors,
            ),
            (
                "station_uploads_total",
                "Station uploads accepted.",
                &self.station_uploads,
            ),
            (
                "station_uploads_refused_total",
                "Station uploads refused.",
                &self.station_uploads_refused,
            ),
        ];
        for (name, help, c) in counters {
            let _ = writeln!(
                out,
                "# HELP isobar_relay_{name} {help}\n# TYPE isobar_relay_{name} counter\nisobar_relay_{name} {}",
                c.load(Ordering::Relaxed)
            );
        }
        out
    }
}
