//! Counters, exposed in Prometheus' text format at `/metrics`.

use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::OnceLock;
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

/// Why the relay refused something: a connection, a client's message, or a station upload.
/// Each is counted at `/metrics` as `isobar_relay_refusals_total{what="...",reason="..."}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// A WebSocket from an Origin not in `allowed_origins` (403).
    Origin,
    /// A WebSocket from a client address that holds `max_connections_per_ip` (429).
    PerIp,
    /// An upgrade the client broke off (reset or closed before it completed).
    UpgradeFailed,
    /// A message over the connection's rate limit (`error` `rate_limited`).
    RateLimited,
    /// A message over `max_message_bytes` (`error` `too_large`).
    TooLarge,
    /// Not JSON, an unknown type, missing fields, or binary (`error` `bad_message`).
    BadMessage,
    /// A place off the globe or a malformed station id (`error` `bad_target`).
    BadTarget,
    /// A station the relay does not declare (`error` `unknown_station`).
    UnknownStation,
    /// Over `max_subscriptions` on one connection (`error` `too_many_subscriptions`).
    TooManySubscriptions,
    /// A new place while `max_places` are polled (`error` `too_many_places`).
    TooManyPlaces,
    /// `unsubscribe` from what the connection does not follow (`error` `not_subscribed`).
    NotSubscribed,
    /// An upload without the protocol's credential (400).
    MissingCredential,
    /// An upload with an unknown station or a wrong key (401).
    Unauthorized,
    /// An Ecowitt upload that is not a form (415).
    MediaType,
    /// An upload body over the size limit (413).
    BodyTooLarge,
    /// An upload whose body did not arrive within `upload_timeout_s` (408).
    UploadTimeout,
    /// An upload with no usable value (400): nothing is published.
    NoValues,
    /// An upload from an address over `max_failed_uploads` (429).
    TooManyFailures,
    /// A subscription a relay of a cluster could not make: Redis is unreachable (`error`
    /// `unavailable`).
    Unavailable,
    /// An upload a relay of a cluster could not store: Redis is unreachable (503).
    NotStored,
}

impl Refusal {
    /// Every refusal, in the order `/metrics` lists them.
    pub const ALL: [Refusal; 20] = [
        Refusal::Origin,
        Refusal::PerIp,
        Refusal::UpgradeFailed,
        Refusal::RateLimited,
        Refusal::TooLarge,
        Refusal::BadMessage,
        Refusal::BadTarget,
        Refusal::UnknownStation,
        Refusal::TooManySubscriptions,
        Refusal::TooManyPlaces,
        Refusal::NotSubscribed,
        Refusal::MissingCredential,
        Refusal::Unauthorized,
        Refusal::MediaType,
        Refusal::BodyTooLarge,
        Refusal::UploadTimeout,
        Refusal::NoValues,
        Refusal::TooManyFailures,
        Refusal::Unavailable,
        Refusal::NotStored,
    ];

    /// What was refused: `connection`, `message` or `upload`.
    pub fn what(self) -> &'static str {
        use Refusal::*;
        match self {
            Origin | PerIp | UpgradeFailed => "connection",
            RateLimited | TooLarge | BadMessage | BadTarget | UnknownStation
            | TooManySubscriptions | TooManyPlaces | NotSubscribed | Unavailable => "message",
            MissingCredential | Unauthorized | MediaType | BodyTooLarge | UploadTimeout
            | NoValues | TooManyFailures | NotStored => "upload",
        }
    }

    /// The reason label, which for a message is also the `error` code the client gets.
    pub fn reason(self) -> &'static str {
        use Refusal::*;
        match self {
            Origin => "origin",
            PerIp => "per_ip",
            UpgradeFailed => "upgrade_failed",
            RateLimited => "rate_limited",
            TooLarge => "too_large",
            BadMessage => "bad_message",
            BadTarget => "bad_target",
            UnknownStation => "unknown_station",
            TooManySubscriptions => "too_many_subscriptions",
            TooManyPlaces => "too_many_places",
            NotSubscribed => "not_subscribed",
            MissingCredential => "missing_credential",
            Unauthorized => "unauthorized",
            MediaType => "unsupported_media_type",
            BodyTooLarge => "body_too_large",
            UploadTimeout => "timeout",
            NoValues => "no_values",
            TooManyFailures => "too_many_failures",
            Unavailable => "unavailable",
            NotStored => "not_stored",
        }
    }
}

/// Why the relay closed a WebSocket, with the close code and reason it sends. Counted at
/// `/metrics` as `isobar_relay_closes_total{code="...",reason="..."}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Close {
    /// Silent (no message, no pong) for `idle_timeout_s`: 1001.
    Idle,
    /// The relay is shutting down: 1001.
    Shutdown,
    /// Its queue was full: it fell behind the messages sent to it: 1008.
    TooSlow,
    /// A frame or message over 64 KiB: 1009.
    TooLarge,
    /// It broke the WebSocket protocol (an unmasked frame, bad UTF-8, ...): 1002.
    Protocol,
}

impl Close {
    /// Every close the relay decides.
    pub const ALL: [Close; 5] = [
        Close::Idle,
        Close::Shutdown,
        Close::TooSlow,
        Close::TooLarge,
        Close::Protocol,
    ];

    /// The WebSocket close code.
    pub fn code(self) -> u16 {
        match self {
            Close::Idle | Close::Shutdown => 1001,
            Close::TooSlow => 1008,
            Close::TooLarge => 1009,
            Close::Protocol => 1002,
        }
    }

    /// The label, and the start of the reason sent in the close frame.
    pub fn reason(self) -> &'static str {
        match self {
            Close::Idle => "idle_timeout",
            Close::Shutdown => "shutting_down",
            Close::TooSlow => "too_slow",
            Close::TooLarge => "too_large",
            Close::Protocol => "protocol_error",
        }
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
    /// Upstream polls made.
    pub upstream_calls: AtomicU64,
    /// Upstream polls that failed.
    pub upstream_errors: AtomicU64,
    /// Station uploads accepted.
    pub station_uploads: AtomicU64,
    /// Accepted uploads whose `dateutc` was out of bounds and replaced by the receive time.
    pub station_times_replaced: AtomicU64,
    /// Log lines left out by the log throttle (their count is in the next line logged).
    pub log_lines_suppressed: AtomicU64,
    /// Readings numbered and kept (station uploads and upstream polls).
    pub appends: AtomicU64,
    /// Readings neither kept nor sent: the topic's last again (a repeated upload, an unchanged
    /// poll), or older than it.
    pub repeats: AtomicU64,
    /// Subscriptions with `since` answered with every reading missed (`recovered: true`).
    pub replays: AtomicU64,
    /// Subscriptions with `since` that could not be (`recovered: false`): a gap the client is
    /// told about.
    pub gaps: AtomicU64,
    /// Connections made to MQTT brokers (each followed by the station's subscription).
    pub mqtt_connects: AtomicU64,
    /// MQTT loop packets read into observations.
    pub mqtt_messages: AtomicU64,
    /// MQTT messages with no usable value, or unreadable.
    pub mqtt_refused: AtomicU64,
    /// MQTT readings dropped because too many were held while they could not be kept.
    pub mqtt_lost: AtomicU64,
    /// Times a relay of a cluster connected to Redis's pub/sub again.
    pub broker_reconnects: AtomicU64,
    /// Times a relay of a cluster caught a topic up from Redis's stream (a gap in what pub/sub
    /// delivered).
    pub broker_catchups: AtomicU64,
    /// Times a mirrored topic started again because Redis no longer held what it missed
    /// (restarted, or its history trimmed); its subscribers were told.
    pub broker_resets: AtomicU64,
    /// Liveness probes that did not come back over pub/sub (the connection was replaced).
    pub broker_probes_lost: AtomicU64,
    /// Redis commands that failed.
    pub broker_errors: AtomicU64,
    /// Polls left to another relay of the cluster (it claimed the interval first).
    pub polls_skipped: AtomicU64,
    /// Time from publishing an observation to its being written to a subscriber's socket.
    pub delivery: Histogram,
    refusals: [AtomicU64; Refusal::ALL.len()],
    closes: [AtomicU64; Close::ALL.len()],
}

/// How the binary counts the heap in use, if it does (`main.rs` sets it).
static HEAP_BYTES: OnceLock<fn() -> usize> = OnceLock::new();

/// Reports `isobar_relay_heap_bytes` from `f` (the binary's counting allocator).
pub fn count_heap_with(f: fn() -> usize) {
    let _ = HEAP_BYTES.set(f);
}

impl Metrics {
    /// Adds one to a counter.
    pub fn inc(c: &AtomicU64) {
        c.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a refusal.
    pub fn refused(&self, r: Refusal) {
        Metrics::inc(&self.refusals[r as usize]);
    }

    /// How many times `r` happened.
    pub fn refusals(&self, r: Refusal) -> u64 {
        self.refusals[r as usize].load(Ordering::Relaxed)
    }

    /// Counts a close the relay decided.
    pub fn closed(&self, c: Close) {
        Metrics::inc(&self.closes[c as usize]);
    }

    /// How many connections the relay closed for `c`.
    pub fn closes(&self, c: Close) -> u64 {
        self.closes[c as usize].load(Ordering::Relaxed)
    }

    fn sum(&self, of: &[Refusal]) -> u64 {
        of.iter().map(|r| self.refusals(*r)).sum()
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
        if let Some(heap) = HEAP_BYTES.get() {
            gauge("heap_bytes", "Bytes of heap in use.", heap() as i64);
        }
        if let Some(rss) = resident_bytes() {
            gauge("resident_memory_bytes", "Resident set size, bytes.", rss);
        }
        use Refusal::*;
        let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let counters = [
            (
                "messages_sent_total",
                "Messages sent to clients.",
                load(&self.messages_sent),
            ),
            (
                "messages_received_total",
                "Messages received from clients.",
                load(&self.messages_received),
            ),
            (
                "messages_rejected_total",
                "Malformed or oversized client messages.",
                self.sum(&[BadMessage, TooLarge]),
            ),
            (
                "clients_dropped_slow_total",
                "Clients dropped for falling behind.",
                self.closes(Close::TooSlow),
            ),
            (
                "connections_refused_total",
                "Connections refused by origin or per-IP limit.",
                self.sum(&[Origin, PerIp]),
            ),
            (
                "upstream_calls_total",
                "Upstream polls made.",
                load(&self.upstream_calls),
            ),
            (
                "upstream_errors_total",
                "Upstream polls that failed.",
                load(&self.upstream_errors),
            ),
            (
                "station_uploads_total",
                "Station uploads accepted.",
                load(&self.station_uploads),
            ),
            (
                "station_uploads_refused_total",
                "Station uploads refused.",
                Refusal::ALL
                    .iter()
                    .filter(|r| r.what() == "upload")
                    .map(|r| self.refusals(*r))
                    .sum(),
            ),
            (
                "station_times_replaced_total",
                "Accepted uploads whose dateutc was out of bounds, replaced by the receive time.",
                load(&self.station_times_replaced),
            ),
            (
                "log_lines_suppressed_total",
                "Log lines left out by the log throttle.",
                load(&self.log_lines_suppressed),
            ),
            (
                "appends_total",
                "Readings numbered and kept.",
                load(&self.appends),
            ),
            (
                "repeats_total",
                "Readings neither kept nor sent: the topic's last again, or older than it.",
                load(&self.repeats),
            ),
            (
                "replays_total",
                "Resubscriptions answered with every reading missed.",
                load(&self.replays),
            ),
            (
                "broker_reconnects_total",
                "Times the pub/sub connection to the cluster's Redis was made again.",
                load(&self.broker_reconnects),
            ),
            (
                "broker_catchups_total",
                "Topics caught up from Redis's stream after a gap in pub/sub.",
                load(&self.broker_catchups),
            ),
            (
                "broker_resets_total",
                "Topics started again because Redis no longer held what was missed.",
                load(&self.broker_resets),
            ),
            (
                "broker_probes_lost_total",
                "Liveness probes that did not come back over pub/sub.",
                load(&self.broker_probes_lost),
            ),
            (
                "broker_errors_total",
                "Redis commands that failed.",
                load(&self.broker_errors),
            ),
            (
                "polls_skipped_total",
                "Polls left to another relay of the cluster, which claimed the interval first.",
                load(&self.polls_skipped),
            ),
            (
                "mqtt_connects_total",
                "Connections made to MQTT brokers, each followed by the station's subscription.",
                load(&self.mqtt_connects),
            ),
            (
                "mqtt_messages_total",
                "MQTT loop packets read into observations.",
                load(&self.mqtt_messages),
            ),
            (
                "mqtt_refused_total",
                "MQTT messages with no usable value, or unreadable.",
                load(&self.mqtt_refused),
            ),
            (
                "mqtt_lost_total",
                "MQTT readings dropped because too many were held while they could not be kept.",
                load(&self.mqtt_lost),
            ),
            (
                "gaps_total",
                "Resubscriptions whose missed readings could not all be sent (recovered false).",
                load(&self.gaps),
            ),
        ];
        for (name, help, v) in counters {
            let _ = writeln!(
                out,
                "# HELP isobar_relay_{name} {help}\n# TYPE isobar_relay_{name} counter\nisobar_relay_{name} {v}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP isobar_relay_refusals_total Connections, client messages and station uploads refused, by reason.\n# TYPE isobar_relay_refusals_total counter"
        );
        for r in Refusal::ALL {
            let _ = writeln!(
                out,
                "isobar_relay_refusals_total{{what=\"{}\",reason=\"{}\"}} {}",
                r.what(),
                r.reason(),
                self.refusals(r)
            );
        }
        let _ = writeln!(
            out,
            "# HELP isobar_relay_closes_total WebSocket connections the relay closed, by close code and reason.\n# TYPE isobar_relay_closes_total counter"
        );
        for c in Close::ALL {
            let _ = writeln!(
                out,
                "isobar_relay_closes_total{{code=\"{}\",reason=\"{}\"}} {}",
                c.code(),
                c.reason(),
                self.closes(c)
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

/// The process's resident set size, from `/proc/self/statm` (Linux).
fn resident_bytes() -> Option<i64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: i64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
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

    #[test]
    fn refusals_and_closes_are_counted_by_reason_and_summed_into_the_old_totals() {
        let m = Metrics::default();
        m.refused(Refusal::PerIp);
        m.refused(Refusal::PerIp);
        m.refused(Refusal::Origin);
        m.refused(Refusal::RateLimited);
        m.refused(Refusal::MediaType);
        m.closed(Close::TooLarge);
        m.closed(Close::TooSlow);
        let text = m.render();
        for line in [
            "isobar_relay_refusals_total{what=\"connection\",reason=\"per_ip\"} 2",
            "isobar_relay_refusals_total{what=\"message\",reason=\"rate_limited\"} 1",
            "isobar_relay_refusals_total{what=\"upload\",reason=\"unsupported_media_type\"} 1",
            "isobar_relay_refusals_total{what=\"upload\",reason=\"no_values\"} 0",
            "isobar_relay_closes_total{code=\"1009\",reason=\"too_large\"} 1",
            "isobar_relay_connections_refused_total 3",
            "isobar_relay_station_uploads_refused_total 1",
            "isobar_relay_clients_dropped_slow_total 1",
        ] {
            assert!(text.contains(line), "{line} missing from\n{text}");
        }
    }
}
