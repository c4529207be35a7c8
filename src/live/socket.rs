//! The live feed's socket: opening it, subscribing, reading what the relay sends, and what
//! happens when it closes (the policy's [`Plan`], executed by the feed).

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use isobar_core::live::{self, Incoming, Subscription};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::{LiveFeed, Merged};
use crate::state::now::unix_now;

/// An open socket and the callbacks that must live as long as it.
pub(super) struct Conn {
    ws: web_sys::WebSocket,
    _open: Closure<dyn FnMut()>,
    _message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _close: Closure<dyn FnMut()>,
}

impl Conn {
    /// Closes the socket without the reconnection its close event would start.
    pub(super) fn shut(self) {
        self.ws.set_onclose(None);
        self.ws.set_onmessage(None);
        let _ = self.ws.close();
    }
}

impl LiveFeed {
    /// Opens a socket to `url`; when it closes, [`LiveFeed::closed`] plans the next. (Called
    /// through [`crate::split::connect`]: this code is loaded only by pages with a live feed.)
    pub(crate) fn connect(self, url: String) {
        if !self.alive() {
            return;
        }
        self.with(|i| i.reconnect = None);
        let Ok(ws) = web_sys::WebSocket::new(&url) else {
            return self.closed(url);
        };
        let opened = Rc::new(Cell::new(false));
        let open = {
            let (ws, opened) = (ws.clone(), opened.clone());
            Closure::<dyn FnMut()>::new(move || {
                opened.set(true);
                let subscription = self.with(|i| i.options.subscription.clone());
                let message = subscription.and_then(|s| s().map(|s| s.message()));
                if let Some(msg) = message {
                    // Back with the last position seen: the relay sends every reading missed,
                    // or the current value if it cannot.
                    let since = self.with(|i| i.seen.clone()).flatten();
                    let _ = ws.send_with_str(&live::subscribe_since(&msg, since.as_ref()));
                }
                if let Some(plan) = self.with(|i| i.policy.opened()) {
                    self.execute(plan);
                }
            })
        };
        let message =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                let incoming = e
                    .data()
                    .as_string()
                    .map_or(Incoming::Invalid, |t| live::read_incoming(&t));
                self.receive(incoming);
            });
        let close = {
            let url = url.clone();
            Closure::<dyn FnMut()>::new(move || {
                if !self.alive() {
                    return;
                }
                // Dropping the closures from inside one of them is not allowed: defer it.
                if let Some(Some(conn)) = self.with(|i| i.conn.take()) {
                    crate::state::tasks::after(Duration::ZERO, move || drop(conn));
                }
                self.closed(url.clone());
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
        if let Some(Some(old)) = self.with(|i| i.conn.replace(conn)) {
            old.shut();
        }
    }

    /// The socket closed or could not be opened (or its code could not be loaded): wait as the
    /// policy says, then try again.
    pub(crate) fn closed(self, url: String) {
        let (now_ms, jitter) = (js_sys::Date::now(), js_sys::Math::random());
        let Some(plan) = self.with(|i| i.policy.closed(now_ms, jitter)) else {
            return;
        };
        self.execute(plan);
        if let Some(wait) = plan.reconnect_in_s {
            let handle = set_timeout_with_handle(
                move || crate::split::connect(self, url),
                Duration::from_secs_f64(wait),
            )
            .ok();
            self.with(|i| i.reconnect = handle);
        }
    }

    /// Handles one message from the relay.
    fn receive(self, incoming: Incoming) {
        let Some((subscription, on_observation, signals)) = self.with(|i| {
            (
                i.options.subscription.clone(),
                i.options.on_observation.clone(),
                (i.observed, i.source_stale, i.station_unknown, i.ignored),
            )
        }) else {
            return;
        };
        let subscription = subscription();
        let (observed, source_stale, station_unknown, ignored) = signals;
        let ours = |target: &live::Target| subscription.as_ref().is_some_and(|s| s.covers(target));
        match incoming {
            Incoming::Observation {
                target,
                time,
                values,
                position,
            } if ours(&target) => {
                // Each reading once: one replayed after a reconnection may have been seen.
                if let Some(p) = position {
                    let new = self.with(|i| {
                        let new = live::Position::is_new(i.seen.as_ref(), &p);
                        if new {
                            i.seen = Some(p);
                        }
                        new
                    });
                    if new != Some(true) {
                        return;
                    }
                }
                self.with(|i| i.readings.update(|n| *n += 1));
                let merged = on_observation(time, &values);
                if merged != Merged::NotShown {
                    observed.set(Some(time));
                }
                if let Merged::Changed(words) = merged {
                    self.announce(words);
                }
            }
            Incoming::Status { target, stale } if ours(&target) => {
                source_stale.set(stale);
            }
            Incoming::Error { code } if code == "unknown_station" => {
                let station = matches!(subscription, Some(Subscription::Station(_)));
                station_unknown.set(station);
            }
            Incoming::Invalid => ignored.update(|n| *n += 1),
            _ => {}
        }
    }

    /// Says `words` to screen readers, unless something was said less than
    /// `announce_every_s` ago.
    fn announce(self, words: String) {
        let now = unix_now();
        let due = self.with(|i| {
            let due = now - i.last_announced >= i.options.announce_every_s;
            if due {
                i.last_announced = now;
            }
            due.then_some(i.announcement)
        });
        if let Some(Some(announcement)) = due {
            announcement.set(words);
        }
    }
}
