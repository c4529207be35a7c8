//! Counters, exposed in Prometheus' text format at `/metrics`.

use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the delivery histogram's buckets, seconds.
pub const DELIVERY_BUCKETS: [f64; 13] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5,
];

/// A Prometheus histogram of durations with the [`DELIVERY_BUCKETS`] bounds.
#[derive(Debug, Default)]
pub struct Histogram {
    /// Observations at most each bound (not cumulative), then above the last.
    buckets: [AtomicU64; DELIVERY_BUCKETS.len() + 1],
    sum_us: AtomicU64,
    count: AtomicU64,
}

impl Histogram {
    /// Records one duration.
    pub fn observe(&self, d: Duration) {
        let s = d.as_secs_f64();
        let i = DELIVERY_BUCKETS
            .iter()
            .position(|b| s <= *b)
            .unwrap_or(DELIVERY_BUCKETS.len());
        self.buckets[i].fetch_add(1, Ordering::Relaxed);
        self.sum_us
            .fetch_add(d.as_micros() as u64, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    fn render(&self, out: &mut String, name: &str, help: &str) {
        let _ = writeln!(
            out,
            "# HELP isobar_relay_{name} {help}\n# TYPE isobar_relay_{name} histogram"
        );
        let mut cumulative = 0;
        for (i, b) in DELIVERY_BUCKETS.iter().enumerate() {
            cumulative += self.buckets[i].load(Ordering::Relaxed);
            let _ = writeln!(out, "isobar_relay_{name}_bucket{{le=\"{b}\"}} {cumulative}");
        }
        cumulative += self.buckets[DELIVERY_BUCKETS.len()].load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "isobar_relay_{name}_bucket{{le=\"+Inf\"}} {cumulative}"
        );
        let sum = self.sum_us.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "isobar_relay_{name}_sum {sum}");
        let _ = writeln!(
            out,
            "isobar_relay_{name}_count {}",
            self.count.load(Ordering::Relaxed)
        );
    }
}

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
    /// Time from publishing an observation to its being written to a subscriber's socket.
    pub delivery: Histogram,
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
        self.delivery.render(
            &mut out,
            "delivery_seconds",
            "Time from publishing an observation to writing it to a subscriber's socket.",
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delivery_histogram_renders_cumulative_buckets() {
        let m = Metrics::default();
        m.delivery.observe(Duration::from_micros(500));
        m.delivery.observe(Duration::from_millis(20));
        m.delivery.observe(Duration::from_secs(5));
        let text = m.render();
        for line in [
            "isobar_relay_delivery_seconds_bucket{le=\"0.001\"} 1",
            "isobar_relay_delivery_seconds_bucket{le=\"0.01\"} 1",
            "isobar_relay_delivery_seconds_bucket{le=\"0.025\"} 2",
            "isobar_relay_delivery_seconds_bucket{le=\"2.5\"} 2",
            "isobar_relay_delivery_seconds_bucket{le=\"+Inf\"} 3",
            "isobar_relay_delivery_seconds_count 3",
            "# TYPE isobar_relay_delivery_seconds histogram",
        ] {
            assert!(text.contains(line), "{line} missing from\n{text}");
        }
    }
}
