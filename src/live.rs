//! The live feed: one WebSocket to an Isobar relay (`live=`), subscribed to the shown place,
//! or to a personal weather station on that relay (`station=`).
//!
//! Observations change the current conditions in place. When the socket closes the page
//! reconnects with exponential backoff and jitter (capped at 30 s) and, once back, fetches the
//! REST data again so nothing missed while away is lost. If the relay cannot be reached at all,
//! the page polls the forecast API instead, and keeps trying the socket. Malformed or unknown
//! messages are counted and ignored.

use std::time::Duration;

use isobar_core::live::{self, Incoming};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::app::Dashboard;

/// Longest wait between reconnection attempts.
pub const MAX_BACKOFF_S: f64 = 30.0;
/// Failed attempts, without ever connecting, before the page polls instead.
pub const ATTEMPTS_BEFORE_POLLING: u32 = 3;
/// How often the forecast is fetched while the live feed is down (and without one).
pub const POLL_INTERVAL: Duration = Duration::from_secs(300);

/// The state of the live feed, as the header shows it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LiveStatus {
    /// No `live=` given.
    Off,
    /// Opening the first connection.
    Connecting,
    /// Connected and subscribed.
    Live,
    /// Disconnected; the next attempt is at this Unix time (ms).
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
}

/// A dashboard's open socket and the callbacks that must live as long as it.
pub(crate) struct Conn {
    ws: web_sys::WebSocket,
    _open: Closure<dyn FnMut()>,
    _message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _close: Closure<dyn FnMut()>,
}

impl Conn {
    /// Closes the socket without the reconnection its close event would start.
    fn shut(self) {
        self.ws.set_onclose(None);
        self.ws.set_onmessage(None);
        let _ = self.ws.close();
    }
}

/// Stops the dashboard's live feed for good (it is being removed): the socket, the polling
/// and a pending reconnection.
pub fn close(d: Dashboard) {
    if let Some(Some(conn)) = d.conn.try_update_value(Option::take) {
        conn.shut();
    }
    stop_polling(d);
    if let Some(Some(h)) = d.reconnect.try_update_value(Option::take) {
        h.clear();
    }
}

/// Seconds before attempt `n` (1, 2, 4, … capped), with jitter so that many pages do not
/// return at once.
pub fn backoff_s(n: u32) -> f64 {
    let base = 2f64
        .powi(n.saturating_sub(1).min(10) as i32)
        .min(MAX_BACKOFF_S);
    base * (0.5 + 0.5 * js_sys::Math::random())
}

/// Polls the forecast every [`POLL_INTERVAL`] until stopped.
pub fn start_polling(d: Dashboard) {
    if d.poller.get_value().is_none() {
        let refresh = move || {
            d.load_forecast();
            d.load_air();
        };
        d.poller
            .set_value(set_interval_with_handle(refresh, POLL_INTERVAL).ok());
    }
}

fn stop_polling(d: Dashboard) {
    if let Some(h) = d.poller.try_update_value(Option::take).flatten() {
        h.clear();
    }
}

/// What the page subscribes to: the `station=` if given, else the shown place.
fn subscribe_message(d: Dashboard) -> Option<String> {
    if let Some(s) = &d.config().station {
        return Some(live::subscribe_station(s));
    }
    let p = d.place.get_untracked().ready().cloned()?;
    Some(live::subscribe_place(p.lat, p.lon))
}

/// Whether a message is about what the page subscribed to.
fn is_ours(d: Dashboard, target: &live::Target) -> bool {
    match (&d.config().station, target) {
        (Some(s), live::Target::Station { station }) => s == station,
        (Some(_), _) => false,
        (None, _) => d
            .place
            .get_untracked()
            .ready()
            .is_some_and(|p| live::is_place(target, p.lat, p.lon)),
    }
}

/// Opens the feed (once the place is known).
pub fn start(d: Dashboard, url: String) {
    d.live.set(LiveStatus::Connecting);
    connect(d, url, 0, false);
}

fn connect(d: Dashboard, url: String, attempt: u32, ever_connected: bool) {
    if !d.alive() {
        return;
    }
    d.reconnect.set_value(None);
    let Ok(ws) = web_sys::WebSocket::new(&url) else {
        return retry(d, url, attempt + 1, ever_connected);
    };
    let opened = std::rc::Rc::new(std::cell::Cell::new(false));

    let open = {
        let (ws, opened) = (ws.clone(), opened.clone());
        Closure::<dyn FnMut()>::new(move || {
            opened.set(true);
            if let Some(msg) = subscribe_message(d) {
                let _ = ws.send_with_str(&msg);
            }
            d.live.set(LiveStatus::Live);
            stop_polling(d);
            if attempt > 0 || ever_connected {
                // Back after a break: fetch what was missed.
                d.load_forecast();
                d.load_air();
            }
        })
    };
    let message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            let incoming = e
                .data()
                .as_string()
                .map_or(Incoming::Invalid, |t| live::read_incoming(&t));
            let ours = |target: &live::Target| is_ours(d, target);
            match incoming {
                Incoming::Observation {
                    target,
                    time,
                    values,
                } if ours(&target) => {
                    d.apply_observation(time, &values);
                }
                Incoming::Status { target, stale } if ours(&target) => d.source_stale.set(stale),
                Incoming::Error { code } if code == "unknown_station" => {
                    d.station_unknown.set(d.config().station.is_some());
                }
                Incoming::Invalid => d.ignored.update(|n| *n += 1),
                _ => {}
            }
        });
    let close = {
        let url = url.clone();
        let opened = opened.clone();
        Closure::<dyn FnMut()>::new(move || {
            if !d.alive() {
                return;
            }
            let was_open = opened.get();
            // Dropping the closures from inside one of them is not allowed: defer it.
            if let Some(Some(conn)) = d.conn.try_update_value(Option::take) {
                set_timeout(move || drop(conn), Duration::ZERO);
            }
            let next = if was_open { 1 } else { attempt + 1 };
            retry(d, url.clone(), next, ever_connected || was_open);
        })
    };
    ws.set_onopen(Some(open.as_ref().unchecked_ref()));
    ws.set_onmessage(Some(message.as_ref().unchecked_ref()));
    ws.set_onclose(Some(close.as_ref().unchecked_ref()));
    let conn = Conn {
        ws,
        _open: open,
        _message: message,
        _close: close,
    };
    if let Some(Some(old)) = d.conn.try_update_value(|c| c.replace(conn)) {
        old.shut();
    }
}

fn retry(d: Dashboard, url: String, attempt: u32, ever_connected: bool) {
    let wait = backoff_s(attempt);
    let at_ms = js_sys::Date::now() + wait * 1000.0;
    if !ever_connected && attempt >= ATTEMPTS_BEFORE_POLLING {
        d.live.set(LiveStatus::Offline { at_ms });
        start_polling(d);
    } else {
        d.live.set(LiveStatus::Reconnecting { at_ms });
    }
    d.reconnect.set_value(
        set_timeout_with_handle(
            move || connect(d, url, attempt, ever_connected),
            Duration::from_secs_f64(wait),
        )
        .ok(),
    );
}
