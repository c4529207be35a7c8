//! The live feed's connection policy: when to reconnect (exponential backoff with jitter, capped),
//! when to poll the forecast API instead, when to fetch again what was missed, and the status the
//! header shows. A plain state machine: the browser code (`src/live/feed.rs`) tells it what the
//! socket did and executes the [`Plan`] it answers with; the rules are tested here, on the host.
//!
//! The rules:
//! * attempt `n` after a failure waits `2^(n-1)` s (1, 2, 4, … capped at [`MAX_BACKOFF_S`]),
//!   times a random factor in [0.5, 1) so that many pages do not come back at once;
//! * a socket that had opened restarts the count at 1;
//! * after [`ATTEMPTS_BEFORE_POLLING`] failed attempts without ever connecting, the relay is
//!   taken as unreachable: the status is offline and the forecast is polled every
//!   [`POLL_INTERVAL_S`] while the socket keeps being tried; polling stops when it opens;
//! * a socket that opens after a break (any failed attempt, or an earlier connection) fetches
//!   the forecast again, so nothing missed while away is lost;
//! * without a live feed at all, the forecast is polled.

/// Longest wait between reconnection attempts, s.
pub const MAX_BACKOFF_S: f64 = 30.0;
/// Failed attempts, without ever connecting, before the page polls instead.
pub const ATTEMPTS_BEFORE_POLLING: u32 = 3;
/// How often the forecast is fetched while the live feed is down (and without one), s.
pub const POLL_INTERVAL_S: u32 = 300;

/// The state of the live feed, as the header shows it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LiveStatus {
    /// No `live=` given.
    Off,
    /// Opening the first connection.
    Connecting,
    /// Connected and subscribed.
    Live,
    /// Disconnected; the next attempt is at this time.
    Reconnecting {
        /// When the next attempt starts, ms since the epoch.
        at_ms: f64,
    },
    /// The relay could not be reached; the page polls the API and tries again at this time.
    Offline {
        /// When the next attempt starts, ms since the epoch.
        at_ms: f64,
    },
}

impl LiveStatus {
    /// The value of the status element's `data-live` attribute.
    pub fn name(self) -> &'static str {
        match self {
            LiveStatus::Off => "off",
            LiveStatus::Connecting => "connecting",
            LiveStatus::Live => "live",
            LiveStatus::Reconnecting { .. } => "reconnecting",
            LiveStatus::Offline { .. } => "offline",
        }
    }

    /// The status in words at `now_ms`, with the countdown to the next attempt; `stale` when
    /// the relay says the place's source is delayed. Empty when off.
    pub fn label(self, now_ms: f64, stale: bool) -> String {
        let secs = |at: f64| ((at - now_ms) / 1000.0).ceil().max(0.0) as i64;
        match self {
            LiveStatus::Off => String::new(),
            LiveStatus::Connecting => "Connecting…".to_owned(),
            LiveStatus::Live if stale => "Live (source delayed)".to_owned(),
            LiveStatus::Live => "Live".to_owned(),
            LiveStatus::Reconnecting { at_ms } => format!("Reconnecting in {} s", secs(at_ms)),
            // Short enough to share a phone's row with the attribution.
            LiveStatus::Offline { at_ms } => format!("Offline, retry in {} s", secs(at_ms)),
        }
    }
}

/// Seconds to wait before attempt `attempt` (1, 2, 4, … capped at [`MAX_BACKOFF_S`]), scaled
/// by `jitter` in [0, 1) to between half and all of it.
pub fn backoff_s(attempt: u32, jitter: f64) -> f64 {
    let base = 2f64
        .powi(attempt.saturating_sub(1).min(10) as i32)
        .min(MAX_BACKOFF_S);
    base * (0.5 + 0.5 * jitter.clamp(0.0, 1.0))
}

/// What the page does after an event of its live connection.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plan {
    /// The status to show.
    pub status: LiveStatus,
    /// Open a new socket after this many seconds (`None`: do not).
    pub reconnect_in_s: Option<f64>,
    /// Whether the forecast is polled every [`POLL_INTERVAL_S`] until the next plan.
    pub poll: bool,
    /// Fetch the forecast again now (back after a break).
    pub refetch: bool,
}

/// The live connection's history, as far as the policy needs it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reconnect {
    /// The number of the attempt in progress or next: 0 for the first connection.
    attempt: u32,
    /// Whether any socket has opened.
    ever_connected: bool,
    /// Whether the current socket is open.
    open: bool,
}

impl Reconnect {
    /// The plan without a live feed: poll the forecast.
    pub fn without_live() -> Plan {
        Plan {
            status: LiveStatus::Off,
            reconnect_in_s: None,
            poll: true,
            refetch: false,
        }
    }

    /// The first socket is being opened.
    pub fn start(&mut self) -> Plan {
        *self = Reconnect::default();
        Plan {
            status: LiveStatus::Connecting,
            reconnect_in_s: None,
            poll: false,
            refetch: false,
        }
    }

    /// The socket opened (and is subscribed).
    pub fn opened(&mut self) -> Plan {
        let refetch = self.attempt > 0 || self.ever_connected;
        self.open = true;
        Plan {
            status: LiveStatus::Live,
            reconnect_in_s: None,
            poll: false,
            refetch,
        }
    }

    /// The socket closed, or could not be opened, at `now_ms`; `jitter` in [0, 1) is random.
    pub fn closed(&mut self, now_ms: f64, jitter: f64) -> Plan {
        let was_open = std::mem::take(&mut self.open);
        self.attempt = if was_open { 1 } else { self.attempt + 1 };
        self.ever_connected |= was_open;
        let wait = backoff_s(self.attempt, jitter);
        let at_ms = now_ms + wait * 1000.0;
        let unreachable = !self.ever_connected && self.attempt >= ATTEMPTS_BEFORE_POLLING;
        Plan {
            status: if unreachable {
                LiveStatus::Offline { at_ms }
            } else {
                LiveStatus::Reconnecting { at_ms }
            },
            reconnect_in_s: Some(wait),
            poll: unreachable,
            refetch: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_with_jitter() {
        let lo: Vec<f64> = (1..=8).map(|n| backoff_s(n, 0.0)).collect();
        assert_eq!(lo, [0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 15.0, 15.0]);
        let hi: Vec<f64> = (1..=8).map(|n| backoff_s(n, 0.999_999)).collect();
        for (n, h) in hi.iter().enumerate() {
            let full = 2f64.powi(n as i32).min(MAX_BACKOFF_S);
            assert!(*h < full && *h > full * 0.99, "attempt {}: {h}", n + 1);
        }
        // Huge attempt numbers neither overflow nor pass the cap; jitter out of range is clamped.
        assert_eq!(backoff_s(u32::MAX, 1.0), MAX_BACKOFF_S);
        assert_eq!(backoff_s(0, -3.0), 0.5);
    }

    #[test]
    fn an_unreachable_relay_means_polling_after_three_attempts() {
        let mut r = Reconnect::default();
        assert_eq!(r.start().status, LiveStatus::Connecting);
        let first = r.closed(1000.0, 0.0);
        assert_eq!(first.status, LiveStatus::Reconnecting { at_ms: 1500.0 });
        assert_eq!(first.reconnect_in_s, Some(0.5));
        assert!(!first.poll);
        let second = r.closed(0.0, 0.0);
        assert_eq!(second.status, LiveStatus::Reconnecting { at_ms: 1000.0 });
        let third = r.closed(0.0, 0.0);
        assert_eq!(third.status, LiveStatus::Offline { at_ms: 2000.0 });
        assert!(third.poll);
        // It keeps trying, further apart, and keeps polling.
        let later: Vec<Plan> = (0..6).map(|_| r.closed(0.0, 0.0)).collect();
        assert!(later.iter().all(|p| p.poll && p.status.name() == "offline"));
        assert_eq!(later.last().unwrap().reconnect_in_s, Some(15.0));
        // The relay comes back: live, polling stops, and what was missed is fetched.
        let back = r.opened();
        assert_eq!(back.status, LiveStatus::Live);
        assert!(!back.poll && back.refetch);
    }

    #[test]
    fn the_first_connection_fetches_nothing_again() {
        let mut r = Reconnect::default();
        r.start();
        let p = r.opened();
        assert_eq!(p.status, LiveStatus::Live);
        assert!(!p.refetch && !p.poll && p.reconnect_in_s.is_none());
    }

    #[test]
    fn a_dropped_connection_reconnects_quickly_and_refetches() {
        let mut r = Reconnect::default();
        r.start();
        r.opened();
        // Once connected, the count restarts at 1 and the page never falls back to polling:
        // the relay was there, so it is coming back.
        for _ in 0..3 {
            let p = r.closed(0.0, 0.0);
            assert_eq!(p.reconnect_in_s, Some(0.5));
            assert_eq!(p.status.name(), "reconnecting");
            assert!(!p.poll);
            assert!(r.opened().refetch);
        }
        let mut waits = vec![];
        for _ in 0..4 {
            let p = r.closed(0.0, 0.0);
            assert!(!p.poll, "connected once: reconnecting, not offline");
            waits.push(p.reconnect_in_s.unwrap());
        }
        assert_eq!(waits, [0.5, 1.0, 2.0, 4.0]);
    }

    #[test]
    fn without_a_live_feed_the_forecast_is_polled() {
        let p = Reconnect::without_live();
        assert_eq!(p.status, LiveStatus::Off);
        assert!(p.poll && p.reconnect_in_s.is_none());
    }

    #[test]
    fn the_status_in_words_counts_down() {
        let at_ms = 10_000.0;
        assert_eq!(LiveStatus::Off.label(0.0, false), "");
        assert_eq!(LiveStatus::Live.label(0.0, false), "Live");
        assert_eq!(LiveStatus::Live.label(0.0, true), "Live (source delayed)");
        assert_eq!(
            LiveStatus::Reconnecting { at_ms }.label(7_500.0, false),
            "Reconnecting in 3 s"
        );
        assert_eq!(
            LiveStatus::Offline { at_ms }.label(20_000.0, false),
            "Offline, retry in 0 s"
        );
        let names: Vec<&str> = [
            LiveStatus::Off,
            LiveStatus::Connecting,
            LiveStatus::Live,
            LiveStatus::Reconnecting { at_ms },
            LiveStatus::Offline { at_ms },
        ]
        .iter()
        .map(|s| s.name())
        .collect();
        assert_eq!(
            names,
            ["off", "connecting", "live", "reconnecting", "offline"]
        );
    }
}
