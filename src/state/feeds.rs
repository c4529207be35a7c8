//! The API calls that fill the cards: the forecast (current conditions, UV, sun, wind, hourly and
//! daily) and air quality. Both start at once when the place is known, so the page is complete
//! after the slower one; each keeps its own state, `Retry-After` block and data age. The last
//! good answer for the same request is shown first, with its age ([`crate::storage::kept`]),
//! and stays shown while the network fails; [`Feeds::offline`] says when it does.
//!
//! The rules (the wait after a 429, a late answer dropped) are `isobar_core::retry`'s; this file
//! only executes them.

use std::sync::Arc;
use std::time::Duration;

use isobar_core::live::Values;
use isobar_core::retry::{retry_wait_s, Generation};
use isobar_core::weather::{AirQuality, Forecast};
use leptos::prelude::*;

use crate::api::{self, FetchError};
use crate::live::Merged;
use crate::state::load::Load;
use crate::state::now::unix_now;
use crate::state::place::{Place, PlaceState};
use crate::state::settings::Settings;
use crate::state::tasks::Tasks;
use crate::storage;
use isobar_core::alerts;
use isobar_core::open_meteo::{self, ParseError};

/// One API call that feeds cards: its state, whether Retry must wait (after a 429), and its
/// attempts' [`Generation`].
pub struct Feed<T: Send + Sync + 'static> {
    /// What the cards show.
    pub state: RwSignal<Load<Arc<T>>>,
    /// True while the service has asked to wait (`Retry-After`).
    pub blocked: RwSignal<bool>,
    /// When the value was last fetched, Unix seconds.
    pub updated: RwSignal<Option<i64>>,
    generation: StoredValue<Generation>,
    offline: RwSignal<bool>,
    /// The page's own dashboard: its calls are noted for the next visit ([`crate::early`]).
    keeps: bool,
}

impl<T: Send + Sync + 'static> Clone for Feed<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: Send + Sync + 'static> Copy for Feed<T> {}

impl<T: Send + Sync + 'static> Feed<T> {
    fn new(offline: RwSignal<bool>, keeps: bool) -> Self {
        Feed {
            state: RwSignal::new(Load::Loading),
            blocked: RwSignal::new(false),
            updated: RwSignal::new(None),
            generation: StoredValue::new(Generation::default()),
            offline,
            keeps,
        }
    }

    /// Runs one attempt of the call to `url` to completion, updating the state. The last good
    /// answer kept for `url` is shown at once, with its age, until the network answers; an
    /// answer that parses replaces it and is kept in its place, and a failure leaves it shown.
    /// After a 429 it blocks Retry for the time the service asked, then calls `again`.
    async fn attempt(
        self,
        url: String,
        fresh: bool,
        parse: fn(&str) -> Result<T, ParseError>,
        again: impl FnOnce() + 'static,
    ) -> bool {
        // Only this closure knows the value's type: the attempt itself is compiled once for
        // every feed.
        let state = self.state;
        let show = move |s: Show<'_>| {
            state.set(match s {
                Show::Loading => Load::Loading,
                Show::Body(body) => Load::Ready(Arc::new(parse(body)?)),
                Show::Failed(message) => Load::Failed(message),
            });
            Ok(())
        };
        Common {
            blocked: self.blocked,
            updated: self.updated,
            generation: self.generation,
            offline: self.offline,
            keeps: self.keeps,
        }
        .attempt(url, fresh, &show, Box::new(again))
        .await
    }

    /// The call cannot be made (the place failed): shows `message`, drops answers on their way.
    fn fail(self, message: String) {
        self.generation.update_value(Generation::cancel);
        self.state.set(Load::Failed(message));
    }
}

/// What an attempt shows: only the feed knows its value's type.
enum Show<'a> {
    Loading,
    /// An answer's body, shown if it parses.
    Body(&'a str),
    Failed(String),
}

/// A feed's handles that do not depend on its value's type.
struct Common {
    blocked: RwSignal<bool>,
    updated: RwSignal<Option<i64>>,
    generation: StoredValue<Generation>,
    offline: RwSignal<bool>,
    keeps: bool,
}

impl Common {
    /// [`Feed::attempt`], with the value's type left to `show`.
    async fn attempt(
        self,
        url: String,
        fresh: bool,
        show: &dyn Fn(Show<'_>) -> Result<(), ParseError>,
        again: Box<dyn FnOnce()>,
    ) -> bool {
        let Some(ticket) = self.generation.try_update_value(Generation::begin) else {
            return false;
        };
        // A kept answer older than the forecast it holds is gone, not current.
        let kept = storage::kept(&url).filter(|(_, at)| unix_now() - at < KEPT_FOR_S);
        let shows_kept = match kept {
            Some((body, at)) if show(Show::Body(&body)).is_ok() => {
                self.updated.set(Some(at));
                true
            }
            _ => {
                let _ = show(Show::Loading);
                false
            }
        };
        let result = api::get_shared_at(&url, fresh).await;
        if self.generation.try_with_value(|g| g.is_current(ticket)) != Some(true) {
            return false; // A newer attempt has started (its answer wins), or the widget is gone.
        }
        let result = result.and_then(|(body, at)| {
            show(Show::Body(&body)).map_err(FetchError::from)?;
            Ok((body, at))
        });
        match result {
            Ok((body, now)) => {
                // `now` is when the answer came: a moment ago for one another caller fetched.
                // Kept (a write of the whole answer, which takes milliseconds) in a task of its
                // own once the cards this answer fills have drawn: queued now, it would come
                // before their task.
                let keeps = self.keeps;
                crate::state::tasks::when_drawn(move || {
                    crate::state::tasks::after(Duration::ZERO, move || {
                        storage::keep(&url, &body, now);
                        if keeps {
                            crate::early::note(&url);
                        }
                    });
                });
                // An answer may come from memory (another widget's, a moment ago): the network
                // is back only if the browser agrees.
                if browser_online() {
                    self.offline.set(false);
                }
                self.updated.set(Some(now));
                true
            }
            Err(e) => {
                let mut message = e.to_string();
                let wait = match e {
                    FetchError::RateLimited { retry_after } => {
                        self.blocked.set(true);
                        Some(retry_wait_s(retry_after))
                    }
                    FetchError::Network | FetchError::Timeout => {
                        self.offline.set(true);
                        Some(OFFLINE_RETRY_S)
                    }
                    _ => None,
                };
                if let Some(wait) = wait {
                    message.push_str(&format!(" Trying again in {wait} s."));
                    let blocked = self.blocked;
                    crate::state::tasks::after(Duration::from_secs(u64::from(wait)), move || {
                        if blocked.try_set(false).is_none() {
                            again();
                        }
                    });
                }
                if !shows_kept {
                    let _ = show(Show::Failed(message));
                }
                false
            }
        }
    }
}

/// Whether the browser thinks it is online (`navigator.onLine`; a `true` may still be wrong).
fn browser_online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

/// A parser of one call's answers.
type Parser<T> = fn(&str) -> Result<T, ParseError>;

/// How long a kept answer is shown, in seconds: as long as the forecast it holds lasts
/// ([`api::FORECAST_DAYS`] days). An older one is not shown at all.
pub const KEPT_FOR_S: i64 = api::FORECAST_DAYS as i64 * 86_400;

/// How long to wait before trying again when the service could not be reached, in seconds
/// (sooner when the browser says the network is back).
pub const OFFLINE_RETRY_S: u32 = 30;

/// How old a saved place's kept answers may be before [`Feeds`] fetches them again in the
/// background, in seconds.
pub const SYNC_AFTER_S: i64 = 3600;

/// How many saved places (the first in the list) have their answers kept fresh: with the
/// forecast and air quality of each, within [`storage::KEPT_MAX`].
pub const SYNC_PLACES: usize = 10;

/// The dashboard's calls.
#[derive(Clone, Copy)]
pub struct Feeds {
    /// True while the network is down: the browser says so, or the last call could not reach
    /// the service. The header says "Offline"; the cards show the data kept, with its age.
    pub offline: RwSignal<bool>,
    /// The forecast call (feeds current, UV, sun, wind, hourly and daily).
    pub forecast: Feed<Forecast>,
    /// The air-quality call (feeds the air card).
    pub air: Feed<AirQuality>,
    /// The official-alerts call (feeds the alerts card).
    pub alerts: Feed<alerts::Answer>,
    settings: Settings,
    place: PlaceState,
    tasks: Tasks,
    /// When the saved places were last brought up to date (Unix seconds; 0: not yet, or the
    /// last pass stopped at a failure).
    synced: StoredValue<i64>,
    /// The last live observation: applied again to a new forecast answer it is not older
    /// than (a reconnection fetches the forecast again, and its answer would hide a station's
    /// readings until the next one; one that came while the forecast was loading is shown).
    observed: StoredValue<Option<(i64, Values)>>,
}

impl Feeds {
    /// The calls. They start when [`Feeds::follow`] is told the place.
    pub fn new(settings: Settings, place: PlaceState, tasks: Tasks) -> Feeds {
        let offline = RwSignal::new(!browser_online());
        // Calls made one after another (for a benchmark's comparison) are not started early.
        let keeps = settings.keeps() && !settings.config_untracked().sequential;
        let feeds = Feeds {
            offline,
            forecast: Feed::new(offline, keeps),
            air: Feed::new(offline, keeps),
            alerts: Feed::new(offline, keeps),
            settings,
            place,
            tasks,
            synced: StoredValue::new(0),
            observed: StoredValue::new(None),
        };
        // The browser's word on the network: back online, every call is made again at once.
        let on = window_event_listener(leptos::ev::online, move |_| {
            offline.set(false);
            feeds.refresh();
        });
        let off = window_event_listener(leptos::ev::offline, move |_| offline.set(true));
        on_cleanup(move || {
            on.remove();
            off.remove();
        });
        feeds
    }

    /// Follows the place: every call starts at once when it is resolved, and fails with its
    /// message when it cannot be.
    pub fn follow(self, place: &Load<Place>) {
        match place {
            Load::Ready(_) => self.load_all(false),
            Load::Failed(msg) => {
                self.forecast.fail(msg.clone());
                self.air.fail(msg.clone());
                self.alerts.fail(msg.clone());
            }
            Load::Loading => {}
        }
    }

    /// The calls from context; panics outside the dashboard.
    pub fn get() -> Feeds {
        super::Handles::get().feeds
    }

    /// Starts every call the shown cards need, at once (one after the other with
    /// `sequential`, for comparison in benchmarks only). `fresh` skips an answer another
    /// widget on the page fetched a moment ago.
    fn load_all(self, fresh: bool) {
        if self.settings.config_untracked().sequential {
            self.tasks.spawn(async move {
                self.forecast_attempt(fresh).await;
                self.air_attempt(fresh).await;
                self.alerts_attempt(fresh).await;
            });
        } else {
            self.tasks.spawn(self.forecast_attempt(fresh));
            self.tasks.spawn(self.air_attempt(fresh));
            self.tasks.spawn(self.alerts_attempt(fresh));
        }
    }

    /// Fetches everything again, for a fresh answer (polling, back after a break).
    pub fn refresh(self) {
        self.load_forecast();
        self.load_air();
        self.load_alerts();
    }

    fn forecast_url(self, p: &Place) -> String {
        let config = self.settings.config_untracked();
        config.forecast_call(p.latitude, p.longitude)
    }

    fn air_url(self, p: &Place) -> String {
        let config = self.settings.config_untracked();
        config.air_call(p.latitude, p.longitude)
    }

    async fn forecast_attempt(self, fresh: bool) {
        let Some(p) = self.place.ready() else { return };
        if !self.settings.needs_forecast() {
            return;
        }
        let answered = self
            .forecast
            .attempt(
                self.forecast_url(&p),
                fresh,
                open_meteo::parse_forecast,
                move || self.load_forecast(),
            )
            .await;
        if answered {
            if let Some((time, values)) = self.observed.get_value() {
                crate::split::merge(self, time, &values);
            }
        }
        // At most one pass an hour: each reads every saved place's kept answers.
        if answered && self.settings.keeps() && unix_now() - self.synced.get_value() >= SYNC_AFTER_S
        {
            self.tasks.spawn(self.sync_saved());
        }
    }

    async fn air_attempt(self, fresh: bool) {
        let Some(p) = self.place.ready() else { return };
        if !self.settings.needs_air() {
            return;
        }
        self.air
            .attempt(
                self.air_url(&p),
                fresh,
                open_meteo::parse_air_quality,
                move || self.load_air(),
            )
            .await;
    }

    /// The alerts of the source that covers the place; for a place none covers, an answer
    /// that says so, with no request.
    async fn alerts_attempt(self, fresh: bool) {
        let Some(p) = self.place.ready() else { return };
        if !self.settings.needs_alerts() {
            return;
        }
        let config = self.settings.config_untracked();
        let source = alerts::source_for(p.latitude, p.longitude, p.country_code.as_deref());
        let (source, base, parse): (_, &str, Parser<alerts::Answer>) = match source {
            Some(s @ alerts::Source::Nws) => (s, &config.nws_url, alerts::parse_nws),
            Some(s @ alerts::Source::BrightSky) => {
                (s, &config.brightsky_url, alerts::parse_bright_sky)
            }
            None => {
                self.alerts.updated.set(None);
                self.alerts.state.set(Load::Ready(Arc::new(alerts::Answer {
                    source: None,
                    alerts: None,
                })));
                return;
            }
        };
        let url = alerts::url(source, base, p.latitude, p.longitude);
        self.alerts
            .attempt(url, fresh, parse, move || self.load_alerts())
            .await;
    }

    /// (Re)starts the alerts call, for a fresh answer.
    pub fn load_alerts(self) {
        if self.may_start() {
            self.tasks.spawn(self.alerts_attempt(true));
        }
    }

    /// Keeps the saved places' answers fresh, one call after another, so that switching to
    /// one shows its weather at once, and works offline: an answer kept more than
    /// [`SYNC_AFTER_S`] ago is fetched again (and kept only if it parses). Runs at most once an
    /// hour; stops at the first failure, and the next good answer of the place shown starts it
    /// again.
    async fn sync_saved(self) {
        self.synced.set_value(unix_now());
        let saved = self.place.places.with_untracked(|p| p.saved.clone());
        let ok_forecast: fn(&str) -> bool = |b| open_meteo::parse_forecast(b).is_ok();
        let ok_air: fn(&str) -> bool = |b| open_meteo::parse_air_quality(b).is_ok();
        'places: for p in saved.iter().take(SYNC_PLACES) {
            let calls = [
                (
                    self.settings.needs_forecast(),
                    self.forecast_url(p),
                    ok_forecast,
                ),
                (self.settings.needs_air(), self.air_url(p), ok_air),
            ];
            for (needed, url, parses) in calls {
                if !needed
                    || storage::kept_at(&url).is_some_and(|at| unix_now() - at < SYNC_AFTER_S)
                {
                    continue;
                }
                match api::get_shared_at(&url, false).await {
                    Ok((body, at)) if parses(&body) => storage::keep(&url, &body, at),
                    Ok(_) => {}
                    Err(_) => {
                        // The next good answer of the place shown tries again.
                        let _ = self.synced.try_set_value(0);
                        break 'places;
                    }
                }
            }
        }
    }

    /// (Re)starts the forecast call, for a fresh answer (Retry, a refresh); resolves the place
    /// again if it had failed (the calls then start with it).
    pub fn load_forecast(self) {
        if self.may_start() {
            self.tasks.spawn(self.forecast_attempt(true));
        }
    }

    /// (Re)starts the air-quality call, for a fresh answer; resolves the place again if it had
    /// failed.
    pub fn load_air(self) {
        if self.may_start() {
            self.tasks.spawn(self.air_attempt(true));
        }
    }

    /// Whether a call may start again now: the dashboard is still there and the place is
    /// known. A place that had failed is resolved again instead (the calls start with it).
    fn may_start(self) -> bool {
        if !self.settings.alive() {
            return false;
        }
        if self.place.ready().is_none() {
            self.place.resolve();
            return false;
        }
        true
    }

    /// Whether every call the shown cards need has answered (with data or an error).
    pub fn all_answered(self) -> bool {
        (!self.settings.needs_forecast() || self.forecast.state.with(|s| !s.is_loading()))
            && (!self.settings.needs_air() || self.air.state.with(|s| !s.is_loading()))
            && (!self.settings.needs_alerts() || self.alerts.state.with(|s| !s.is_loading()))
    }

    /// Merges a live observation (metric) into the shown current conditions. Called through
    /// [`crate::split::merge`]: the live feed's module brings this code.
    pub fn merge_observation(self, time: i64, values: &Values) -> Merged {
        self.observed.set_value(Some((time, values.clone())));
        let Some(f) = self.forecast.state.get_untracked().ready().cloned() else {
            return Merged::NotShown;
        };
        let mut next = (*f).clone();
        let mut current = next.current.clone().unwrap_or_default();
        // A reading from before the forecast's current quarter hour began is older than what
        // it shows (a station that stopped sending, applied again to a new answer).
        if time < current.time - 900 {
            return Merged::Unchanged;
        }
        if !isobar_core::live::apply(&mut current, time, values, next.units) {
            return Merged::Unchanged;
        }
        let n = |v| isobar_core::format::number(v, 0);
        let words = format!(
            "Live update: {}{}, wind {} {}.",
            n(current.temperature),
            next.units.temperature.symbol(),
            n(current.wind_speed),
            next.units.wind.symbol()
        );
        next.current = Some(current);
        self.forecast.state.set(Load::Ready(Arc::new(next)));
        Merged::Changed(words)
    }
}
