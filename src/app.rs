//! The dashboard: its shared state, the calls that fill it, and the page layout.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use isobar_core::config::{Config, ConfigError, PlaceChoice, Theme, DEFAULT_PLACE};
use isobar_core::weather::{AirQuality, Forecast};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::api::{self, FetchError};
use crate::components::{
    air::AirCard, current::CurrentCard, daily::DailyCard, header::Header, hourly::HourlyCard,
    sun::SunCard, uv::UvCard, wind::WindCard,
};
use crate::load::Load;

/// How long to wait after a 429 that did not say (`Retry-After` missing or unreadable).
const DEFAULT_RETRY_AFTER_S: u32 = 30;
/// The longest wait honoured before retrying by itself.
const MAX_RETRY_AFTER_S: u32 = 3600;
/// How long the browser may take to say where the viewer is.
const GEOLOCATION_TIMEOUT_MS: i32 = 6000;

/// The place the weather is shown for, once known.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// Latitude in degrees.
    pub lat: f64,
    /// Longitude in degrees.
    pub lon: f64,
    /// Label for the header.
    pub name: String,
}

/// One API call that feeds cards: its state, whether Retry must wait (after a 429), and a
/// generation counter so that an answer to an older attempt never overwrites a newer one.
pub struct Feed<T: Send + Sync + 'static> {
    /// What the cards show.
    pub state: RwSignal<Load<Arc<T>>>,
    /// True while the service has asked to wait (`Retry-After`).
    pub blocked: RwSignal<bool>,
    /// When the value was last fetched, Unix seconds.
    pub updated: RwSignal<Option<i64>>,
    generation: StoredValue<u64>,
}

impl<T: Send + Sync + 'static> Clone for Feed<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: Send + Sync + 'static> Copy for Feed<T> {}

impl<T: Send + Sync + 'static> Feed<T> {
    fn new() -> Self {
        Feed {
            state: RwSignal::new(Load::Loading),
            blocked: RwSignal::new(false),
            updated: RwSignal::new(None),
            generation: StoredValue::new(0),
        }
    }

    /// Runs one attempt of the call to completion, updating the state. After a 429 it blocks
    /// Retry for the time the service asked, then calls `again`.
    async fn attempt(
        self,
        call: impl Future<Output = Result<T, FetchError>>,
        again: impl FnOnce() + 'static,
    ) {
        let generation = self.generation.get_value() + 1;
        self.generation.set_value(generation);
        self.state.set(Load::Loading);
        let result = call.await;
        if self.generation.try_get_value() != Some(generation) {
            return; // A newer attempt has started (its answer wins), or the widget is gone.
        }
        match result {
            Ok(v) => {
                self.updated.set(Some(crate::time::now()));
                self.state.set(Load::Ready(Arc::new(v)));
            }
            Err(e) => {
                let mut message = e.to_string();
                if let FetchError::RateLimited { retry_after } = e {
                    let wait = retry_after
                        .unwrap_or(DEFAULT_RETRY_AFTER_S)
                        .min(MAX_RETRY_AFTER_S);
                    message.push_str(&format!(" Trying again in {wait} s."));
                    self.blocked.set(true);
                    set_timeout(
                        move || {
                            self.blocked.set(false);
                            again();
                        },
                        Duration::from_secs(u64::from(wait)),
                    );
                }
                self.state.set(Load::Failed(message));
            }
        }
    }

    fn fail(self, message: String) {
        self.generation.update_value(|g| *g += 1);
        self.state.set(Load::Failed(message));
    }
}

/// Everything the cards share, provided as context.
#[derive(Clone, Copy)]
pub struct Dashboard {
    /// The configuration read from the query string.
    pub config: StoredValue<Arc<Config>>,
    /// The place, once resolved.
    pub place: RwSignal<Load<Place>>,
    /// A note about the place (shown when the default place stands in for the viewer's).
    pub place_note: RwSignal<Option<String>>,
    /// The forecast call (feeds current, UV, sun, wind, hourly and daily).
    pub forecast: Feed<Forecast>,
    /// The air-quality call (feeds the air card).
    pub air: Feed<AirQuality>,
    /// Whether times are shown on a 12-hour clock (`hour12=`, else the viewer's locale).
    pub hour12: bool,
    /// Now, Unix seconds, ticking every second (ages, the local time, countdowns).
    pub now: RwSignal<i64>,
    /// The live feed's state.
    pub live: RwSignal<crate::live::LiveStatus>,
    /// Whether the relay says the place's source is stale.
    pub source_stale: RwSignal<bool>,
    /// Live messages ignored as malformed or unknown.
    pub ignored: RwSignal<u32>,
    /// When the last live observation was made, Unix seconds.
    pub observed: RwSignal<Option<i64>>,
    /// Whether the relay answered that it has no station `station=`.
    pub station_unknown: RwSignal<bool>,
    /// The latest live update in words, for screen readers (at most once a minute).
    pub announcement: RwSignal<String>,
    last_announced: StoredValue<i64>,
    feeds_started: StoredValue<bool>,
    /// The open live connection (see [`crate::live`]).
    pub(crate) conn: StoredValue<Option<crate::live::Conn>, LocalStorage>,
    /// The polling interval, while polling.
    pub(crate) poller: StoredValue<Option<IntervalHandle>>,
    /// The next reconnection attempt, while waiting for it.
    pub(crate) reconnect: StoredValue<Option<TimeoutHandle>>,
    /// Calls in flight, aborted when the dashboard is removed.
    tasks: StoredValue<Vec<(u64, futures_util::future::AbortHandle)>>,
    next_task: StoredValue<u64>,
}

impl Dashboard {
    /// The dashboard from context; panics outside [`App`].
    pub fn get() -> Dashboard {
        expect_context::<Dashboard>()
    }

    /// The configuration.
    pub fn config(&self) -> Arc<Config> {
        self.config.get_value()
    }

    /// False once the dashboard has been removed (a widget taken out of its page): callbacks
    /// that outlive it check this before touching its state.
    pub fn alive(self) -> bool {
        !self.config.is_disposed()
    }

    /// Runs `task` until it ends or the dashboard is removed, whichever comes first; a request
    /// it was waiting for is then aborted (see [`crate::api`]).
    pub fn spawn(self, task: impl Future<Output = ()> + 'static) {
        self.spawn_boxed(Box::pin(task));
    }

    /// [`Dashboard::spawn`] for a boxed task: one copy of this code whatever the task.
    fn spawn_boxed(self, task: std::pin::Pin<Box<dyn Future<Output = ()>>>) {
        let (task, handle) = futures_util::future::abortable(task);
        let id = self.next_task.get_value();
        self.next_task.set_value(id + 1);
        self.tasks.update_value(|t| t.push((id, handle)));
        spawn_local(async move {
            let _ = task.await;
            self.tasks.try_update_value(|t| t.retain(|(i, _)| *i != id));
        });
    }

    /// Stops everything that would outlive the dashboard: calls in flight, the live connection,
    /// timers. Run when it is removed.
    fn stop(self) {
        for (_, task) in self
            .tasks
            .try_update_value(std::mem::take)
            .unwrap_or_default()
        {
            task.abort();
        }
        crate::live::close(self);
    }

    /// Whether any shown card is fed by the forecast call.
    fn needs_forecast(self) -> bool {
        self.config().cards.iter().any(|c| c != "air")
    }

    /// Whether the air-quality card is shown.
    fn needs_air(self) -> bool {
        self.config().cards.iter().any(|c| c == "air")
    }

    /// Resolves the place, then starts every call for it at once.
    pub fn start(self) {
        if !self.alive() {
            return;
        }
        let config = self.config();
        self.place.set(Load::Loading);
        match config.place.clone() {
            PlaceChoice::Coords { lat, lon, name } => {
                let name = name.unwrap_or_else(|| {
                    let f = |x| isobar_core::format::fixed(x, 2);
                    format!("{}°, {}°", f(lat), f(lon))
                });
                self.set_place(Place { lat, lon, name });
            }
            PlaceChoice::Search(q) => self.spawn(async move {
                match api::geocode(&config, &q).await {
                    Ok(Some(p)) => self.set_place(Place {
                        lat: p.latitude,
                        lon: p.longitude,
                        name: p.name,
                    }),
                    Ok(None) => self.fail_all(format!("No place called “{q}” was found.")),
                    Err(e) => self.fail_all(format!("The place “{q}” could not be looked up. {e}")),
                }
            }),
            PlaceChoice::Auto => self.spawn(async move {
                match crate::geo::locate(GEOLOCATION_TIMEOUT_MS).await {
                    Some((lat, lon)) => self.set_place(Place {
                        lat,
                        lon,
                        name: "Your location".to_owned(),
                    }),
                    None => {
                        let (lat, lon, name) = DEFAULT_PLACE;
                        self.place_note.set(Some(format!(
                            "Showing {name}: your location is not available. Add ?q=<place> or ?lat=…&lon=… to the address to choose a place."
                        )));
                        self.set_place(Place {
                            lat,
                            lon,
                            name: name.to_owned(),
                        });
                    }
                }
            }),
        }
    }

    fn fail_all(self, msg: String) {
        self.place.set(Load::Failed(msg.clone()));
        self.forecast.fail(msg.clone());
        self.air.fail(msg);
    }

    /// Merges a live observation into the current conditions.
    pub fn apply_observation(self, time: i64, values: &isobar_core::live::Values) {
        let Some(f) = self.forecast.state.get_untracked().ready().cloned() else {
            return;
        };
        let mut next = (*f).clone();
        let mut current = next.current.clone().unwrap_or_default();
        self.observed.set(Some(time));
        if !isobar_core::live::apply(&mut current, time, values, next.units) {
            return;
        }
        let now = crate::time::now();
        if now - self.last_announced.get_value() >= 60 {
            self.last_announced.set_value(now);
            let n = |v| isobar_core::format::number(v, 0);
            self.announcement.set(format!(
                "Live update: {}{}, wind {} {}.",
                n(current.temperature),
                next.units.temperature.symbol(),
                n(current.wind_speed),
                next.units.wind.symbol()
            ));
        }
        next.current = Some(current);
        self.forecast.state.set(Load::Ready(Arc::new(next)));
    }

    fn set_place(self, place: Place) {
        if !self.alive() {
            return;
        }
        self.place.set(Load::Ready(place));
        if !self.feeds_started.get_value() {
            self.feeds_started.set_value(true);
            match self.config().live.clone() {
                Some(url) => crate::live::start(self, url),
                // Without a live feed, keep the data fresh by polling.
                None => crate::live::start_polling(self),
            }
        }
        if self.config().sequential {
            // For comparison in benchmarks only: one call after the other.
            self.spawn(async move {
                self.forecast_attempt(false).await;
                self.air_attempt(false).await;
            });
        } else {
            self.spawn(self.forecast_attempt(false));
            self.spawn(self.air_attempt(false));
        }
    }

    fn place_ready(self) -> Option<Place> {
        self.place.get_untracked().ready().cloned()
    }

    async fn forecast_attempt(self, fresh: bool) {
        let Some(p) = self.place_ready() else { return };
        if !self.needs_forecast() {
            return;
        }
        let config = self.config();
        let call = async move { api::forecast(&config, p.lat, p.lon, config.units, fresh).await };
        self.forecast
            .attempt(call, move || self.load_forecast())
            .await;
    }

    async fn air_attempt(self, fresh: bool) {
        let Some(p) = self.place_ready() else { return };
        if !self.needs_air() {
            return;
        }
        let config = self.config();
        let call = async move { api::air_quality(&config, p.lat, p.lon, fresh).await };
        self.air.attempt(call, move || self.load_air()).await;
    }

    /// (Re)starts the forecast call, for a fresh answer (Retry, a refresh); restarts
    /// everything if the place itself failed.
    pub fn load_forecast(self) {
        if !self.alive() {
            return;
        }
        if self.place_ready().is_none() {
            return self.start();
        }
        self.spawn(self.forecast_attempt(true));
    }

    /// (Re)starts the air-quality call, for a fresh answer; restarts everything if the place
    /// itself failed.
    pub fn load_air(self) {
        if !self.alive() {
            return;
        }
        if self.place_ready().is_none() {
            return self.start();
        }
        self.spawn(self.air_attempt(true));
    }
}

/// Where the dashboard is shown, when not as a page of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Embedded {
    /// In an iframe: as tall as its content, which it posts to the parent page.
    Iframe,
    /// In an `<isobar-weather>` element's shadow root.
    Widget,
}

/// The message an iframed dashboard posts to its parent when its height changes:
/// `{"type": "isobar:height", "height": <CSS pixels>}`.
pub const HEIGHT_MESSAGE: &str = "isobar:height";

/// Posts the document's content height to the parent page whenever it changes, so the host
/// can size the iframe with no scrollbar. Returns the observer, to disconnect.
fn report_height() -> Option<web_sys::ResizeObserver> {
    let window = web_sys::window()?;
    let body = window.document()?.body()?;
    let last = std::cell::Cell::new(0.0);
    let post = Closure::<dyn FnMut()>::new({
        let body = body.clone();
        move || {
            let height = body.get_bounding_client_rect().height().ceil();
            if height == last.get() {
                return;
            }
            last.set(height);
            let msg = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&msg, &"type".into(), &HEIGHT_MESSAGE.into());
            let _ = js_sys::Reflect::set(&msg, &"height".into(), &height.into());
            if let Ok(Some(parent)) = window.parent() {
                let _ = parent.post_message(&msg, "*");
            }
        }
    });
    let observer = web_sys::ResizeObserver::new(post.as_ref().unchecked_ref()).ok()?;
    observer.observe(&body);
    post.forget(); // One per page, for its whole life.
    Some(observer)
}

/// The whole page: header, notices, and the cards in the configured order.
#[component]
pub fn App(
    /// The configuration.
    config: Config,
    /// Problems found in the query string, shown above the cards.
    errors: Vec<ConfigError>,
    /// Where the dashboard is shown, if embedded.
    embedded: Option<Embedded>,
) -> impl IntoView {
    let theme = match config.theme {
        Theme::Light => "light",
        Theme::Dark => "dark",
        Theme::Auto => "auto",
    };
    let cards = config.cards.clone();
    let widget = embedded == Some(Embedded::Widget);
    let layout = if config.compact { "compact" } else { "full" };
    let background = if config.transparent {
        "transparent"
    } else {
        "solid"
    };
    if embedded == Some(Embedded::Iframe) {
        if let Some(observer) = report_height() {
            let observer = StoredValue::new_local(observer);
            on_cleanup(move || {
                observer.try_with_value(web_sys::ResizeObserver::disconnect);
            });
        }
    }
    let hour12 = config
        .hour12
        .unwrap_or_else(crate::time::locale_uses_12_hours);
    let dashboard = Dashboard {
        config: StoredValue::new(Arc::new(config)),
        place: RwSignal::new(Load::Loading),
        place_note: RwSignal::new(None),
        forecast: Feed::new(),
        air: Feed::new(),
        hour12,
        now: RwSignal::new(crate::time::now()),
        live: RwSignal::new(crate::live::LiveStatus::Off),
        source_stale: RwSignal::new(false),
        ignored: RwSignal::new(0),
        observed: RwSignal::new(None),
        station_unknown: RwSignal::new(false),
        announcement: RwSignal::new(String::new()),
        last_announced: StoredValue::new(0),
        feeds_started: StoredValue::new(false),
        conn: StoredValue::new_local(None),
        poller: StoredValue::new(None),
        reconnect: StoredValue::new(None),
        tasks: StoredValue::new(Vec::new()),
        next_task: StoredValue::new(0),
    };
    on_cleanup(move || dashboard.stop());
    if let Ok(tick) = set_interval_with_handle(
        move || dashboard.now.set(crate::time::now()),
        Duration::from_secs(1),
    ) {
        on_cleanup(move || tick.clear());
    }
    provide_context(dashboard);
    mark("isobar:start");
    dashboard.start();
    // One mark when every call has answered, for benchmarks (`cargo xtask bench-load`).
    let marked = StoredValue::new(false);
    Effect::new(move || {
        let done = (!dashboard.needs_forecast()
            || dashboard.forecast.state.with(|s| !s.is_loading()))
            && (!dashboard.needs_air() || dashboard.air.state.with(|s| !s.is_loading()));
        if done && !marked.get_value() {
            marked.set_value(true);
            mark("isobar:ready");
        }
    });

    let notices = (!errors.is_empty()).then(|| {
        view! {
            <ul class="notices" role="status" aria-label="Problems with the settings">
                {errors.iter().map(|e| view! { <li data-param=e.param.clone()>{e.to_string()}</li> }).collect_view()}
            </ul>
        }
    });
    let place_note = move || {
        dashboard
            .place_note
            .get()
            .map(|n| view! { <p class="place-note" role="status">{n}</p> })
    };
    // After provide_context: the cards read the dashboard from it.
    let cards_view = cards.iter().map(|id| card(id)).collect_view();
    view! {
        <div
            class="isobar"
            part="root"
            data-theme=theme
            data-layout=layout
            data-background=background
            data-embedded=embedded.map(|e| match e {
                Embedded::Iframe => "iframe",
                Embedded::Widget => "widget",
            })
        >
            <Header landmark=!widget/>
            {notices}
            {place_note}
            // The page's main landmark; a widget, in its host page's tree, adds none.
            <div
                class="cards"
                id="cards"
                role=(!widget).then_some("main")
                aria-label=move || {
                    (!widget).then(|| match dashboard.place.get() {
                        Load::Ready(p) => format!("Weather for {}", p.name),
                        _ => "Weather".to_owned(),
                    })
                }
            >
                {cards_view}
            </div>
        </div>
    }
}

/// A `performance.mark`, read by the benchmarks.
fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}

/// The card component for an id of [`isobar_core::config::ALL_CARDS`].
fn card(id: &str) -> AnyView {
    match id {
        "current" => view! { <CurrentCard/> }.into_any(),
        "uv" => view! { <UvCard/> }.into_any(),
        "sun" => view! { <SunCard/> }.into_any(),
        "wind" => view! { <WindCard/> }.into_any(),
        "hourly" => view! { <HourlyCard/> }.into_any(),
        "daily" => view! { <DailyCard/> }.into_any(),
        "air" => view! { <AirCard/> }.into_any(),
        _ => ().into_any(),
    }
}
