//! The live feed: one WebSocket to an Isobar relay (`live=`), subscribed to the shown place or
//! to a personal weather station on that relay (`station=`), in the shape of a leptos-use hook:
//! [`use_live_feed`] takes [`LiveFeedOptions`] and returns a [`LiveFeed`] of signals, with
//! [`LiveFeed::start`] and [`LiveFeed::close`].
//!
//! It owns its socket, its reconnection timer and its polling. When to reconnect, when to poll
//! instead and when to fetch again what was missed are `isobar_core::reconnect`'s rules
//! (tested on the host); this module executes them. Malformed or unknown messages are counted
//! and ignored.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

mod socket;

use isobar_core::live::{Subscription, Values};
use isobar_core::reconnect::{LiveStatus, Plan, Reconnect, POLL_INTERVAL_S};
use leptos::prelude::*;

use socket::Conn;

/// What merging a live observation into the shown data did.
#[derive(Debug, Clone, PartialEq)]
pub enum Merged {
    /// Nothing is shown yet to merge it into.
    NotShown,
    /// It changed nothing shown.
    Unchanged,
    /// It changed what is shown; the new values in words, for screen readers.
    Changed(String),
}

/// Merges an observation (time, metric values) into the shown data.
pub type OnObservation = Rc<dyn Fn(i64, &Values) -> Merged>;

/// What the live feed connects to and what it does with what arrives.
pub struct LiveFeedOptions {
    /// The relay's WebSocket address (`live=`). Default `None`: no socket; the feed only polls.
    pub url: Option<String>,
    /// What to subscribe to, asked when a socket opens and when a message arrives. Default:
    /// nothing (the socket stays open, subscribed to nothing).
    pub subscription: Rc<dyn Fn() -> Option<Subscription>>,
    /// Merges an observation (time, metric values) into the shown data. Default: ignores it.
    pub on_observation: OnObservation,
    /// Fetches the REST data again: on every poll, and when the socket is back after a break.
    /// Default: does nothing.
    pub on_refresh: Rc<dyn Fn()>,
    /// How often `on_refresh` runs while polling. Default: every
    /// [`POLL_INTERVAL_S`](isobar_core::reconnect::POLL_INTERVAL_S) seconds.
    pub poll_interval: Duration,
    /// The least time between two announcements for screen readers. Default: a minute.
    pub announce_every_s: i64,
}

impl Default for LiveFeedOptions {
    fn default() -> Self {
        LiveFeedOptions {
            url: None,
            subscription: Rc::new(|| None),
            on_observation: Rc::new(|_, _| Merged::NotShown),
            on_refresh: Rc::new(|| {}),
            poll_interval: Duration::from_secs(u64::from(POLL_INTERVAL_S)),
            announce_every_s: 60,
        }
    }
}

/// The live feed's state, as signals, and its controls.
#[derive(Clone, Copy)]
pub struct LiveFeed {
    /// The connection's state, as the header shows it.
    pub status: ReadSignal<LiveStatus>,
    /// Whether the relay says the subscribed source is stale.
    pub source_stale: ReadSignal<bool>,
    /// Live messages ignored as malformed or unknown.
    pub ignored: ReadSignal<u32>,
    /// Live readings applied since the page opened (each once, also across reconnections).
    pub readings: ReadSignal<u32>,
    /// When the last merged observation was made, Unix seconds.
    pub observed: ReadSignal<Option<i64>>,
    /// Whether the relay answered that it has no such station.
    pub station_unknown: ReadSignal<bool>,
    /// The latest live update in words, for screen readers (throttled).
    pub announcement: ReadSignal<String>,
    inner: StoredValue<Rc<RefCell<Inner>>, LocalStorage>,
}

/// What the feed owns, besides its signals.
struct Inner {
    options: LiveFeedOptions,
    policy: Reconnect,
    conn: Option<Conn>,
    poller: Option<IntervalHandle>,
    reconnect: Option<TimeoutHandle>,
    last_announced: i64,
    status: RwSignal<LiveStatus>,
    source_stale: RwSignal<bool>,
    ignored: RwSignal<u32>,
    readings: RwSignal<u32>,
    observed: RwSignal<Option<i64>>,
    station_unknown: RwSignal<bool>,
    announcement: RwSignal<String>,
    /// The last reading's position: sent as `since` when the socket opens again, so the relay
    /// sends what was missed. Forgotten by [`LiveFeed::close`] (another subscription follows).
    seen: Option<isobar_core::live::Position>,
}

/// Creates a live feed (not started: see [`LiveFeed::start`]); it closes by itself when the
/// current reactive owner (the dashboard) is cleaned up.
pub fn use_live_feed(options: LiveFeedOptions) -> LiveFeed {
    let status = RwSignal::new(LiveStatus::Off);
    let source_stale = RwSignal::new(false);
    let ignored = RwSignal::new(0);
    let readings = RwSignal::new(0);
    let observed = RwSignal::new(None);
    let station_unknown = RwSignal::new(false);
    let announcement = RwSignal::new(String::new());
    let feed = LiveFeed {
        status: status.read_only(),
        source_stale: source_stale.read_only(),
        ignored: ignored.read_only(),
        readings: readings.read_only(),
        observed: observed.read_only(),
        station_unknown: station_unknown.read_only(),
        announcement: announcement.read_only(),
        inner: StoredValue::new_local(Rc::new(RefCell::new(Inner {
            options,
            policy: Reconnect::default(),
            conn: None,
            poller: None,
            reconnect: None,
            last_announced: 0,
            seen: None,
            status,
            source_stale,
            ignored,
            readings,
            observed,
            station_unknown,
            announcement,
        }))),
    };
    on_cleanup(move || feed.close());
    feed
}

impl LiveFeed {
    /// The live feed from context; panics outside the dashboard.
    pub fn get() -> LiveFeed {
        crate::state::Handles::get().live
    }

    /// Opens the socket, or starts polling when there is no `url`.
    pub fn start(self) {
        let Some(url) = self.with(|i| i.options.url.clone()) else {
            return;
        };
        match url {
            Some(url) => {
                if let Some(plan) = self.with(|i| i.policy.start()) {
                    self.execute(plan);
                    crate::split::connect(self, url);
                }
            }
            None => self.execute(Reconnect::without_live()),
        }
    }

    /// Stops the feed for good: the socket, the polling and a pending reconnection.
    pub fn close(self) {
        let Some((conn, poller, reconnect)) = self.with(|i| {
            i.seen = None;
            (i.conn.take(), i.poller.take(), i.reconnect.take())
        }) else {
            return;
        };
        if let Some(conn) = conn {
            conn.shut();
        }
        if let Some(h) = poller {
            h.clear();
        }
        if let Some(h) = reconnect {
            h.clear();
        }
    }

    /// Whether the feed still exists (its dashboard has not been removed).
    fn alive(self) -> bool {
        !self.inner.is_disposed()
    }

    /// Runs `f` on what the feed owns; `None` once the feed is gone. (Never call out to
    /// options' callbacks inside `f`: they may come back to the feed.)
    fn with<U>(self, f: impl FnOnce(&mut Inner) -> U) -> Option<U> {
        let inner = self.inner.try_get_value()?;
        let mut inner = inner.borrow_mut();
        Some(f(&mut inner))
    }

    /// Carries out a [`Plan`]: the status, polling on or off, a refetch. (The reconnection it
    /// may ask for is scheduled by the caller, which holds the address.)
    fn execute(self, plan: Plan) {
        let Some((status, on_refresh, interval, polling)) = self.with(|i| {
            (
                i.status,
                i.options.on_refresh.clone(),
                i.options.poll_interval,
                i.poller.is_some(),
            )
        }) else {
            return;
        };
        status.set(plan.status);
        if plan.poll && !polling {
            let refresh = on_refresh.clone();
            let handle = set_interval_with_handle(move || refresh(), interval).ok();
            self.with(|i| i.poller = handle);
        } else if !plan.poll {
            if let Some(Some(h)) = self.with(|i| i.poller.take()) {
                h.clear();
            }
        }
        if plan.refetch {
            on_refresh();
        }
    }
}
