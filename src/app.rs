//! The whole page: it creates the dashboard's state (see [`crate::state`]) and its live feed,
//! wires them together, provides their handles, and lays out the header, the notices and the cards in
//! the configured order. Components read the state they need from context, never from here.

use std::rc::Rc;

use isobar_core::config::{Config, ConfigError, Theme};
use isobar_core::live::Subscription;
use leptos::prelude::*;

use crate::components::{
    air::AirCard, current::CurrentCard, daily::DailyCard, header::Header, hourly::HourlyCard,
    sun::SunCard, uv::UvCard, wind::WindCard,
};
use crate::embed::Embedded;
use crate::live::{use_live_feed, LiveFeed, LiveFeedOptions};
use crate::state::{
    feeds::Feeds, load::Load, now::Now, place::PlaceState, settings::Settings, tasks::Tasks,
    Handles,
};

/// The whole page: header, notices, and the cards in the configured order.
#[component]
pub fn App(
    /// The configuration.
    config: Config,
    /// The query string it was read from (the address's, and in the page the stored settings).
    query: String,
    /// Problems found in the query string, shown above the cards.
    errors: Vec<ConfigError>,
    /// Where the dashboard is shown, if embedded.
    embedded: Option<Embedded>,
) -> impl IntoView {
    let cards = config.cards.clone();
    // Search and settings: in the page unless turned off; in an embed only when asked for.
    let search = config.search.unwrap_or(embedded.is_none());
    let settings_on = config.settings.unwrap_or(embedded.is_none());
    let widget = embedded == Some(Embedded::Widget);
    let layout = if config.compact { "compact" } else { "full" };
    let background = if config.transparent {
        "transparent"
    } else {
        "solid"
    };
    if embedded == Some(Embedded::Iframe) {
        if let Some(observer) = crate::embed::report_height() {
            let observer = StoredValue::new_local(observer);
            on_cleanup(move || {
                observer.try_with_value(web_sys::ResizeObserver::disconnect);
            });
        }
    }

    let settings = Settings::new(config, query, embedded.is_none());
    let now = Now::start();
    let tasks = Tasks::of_owner();
    let place = PlaceState::new(settings, tasks);
    let feeds = Feeds::new(settings, place, tasks);
    let live = live_feed(settings, place, feeds);
    let tools = crate::split::Loader::new();
    Handles {
        settings,
        now,
        place,
        feeds,
        live,
        tasks,
        tools,
    }
    .provide();
    let root = NodeRef::<leptos::html::Div>::new();
    mark("isobar:start");
    // The place is resolved, and the calls start, in the next task: the one that builds the
    // page is long enough on a slow phone (the cards are built in tasks of their own, see
    // `later`).
    crate::state::tasks::after(std::time::Duration::ZERO, move || {
        // A widget removed at once has nothing left to resolve.
        if !place.place.is_disposed() {
            place.resolve();
        }
    });
    // The calls follow the place and the units; the live feed (or polling, without one)
    // starts once the place is known, and subscribes again when it changes.
    Effect::new(move |shown: Option<Option<(f64, f64)>>| {
        let _ = settings.fetch_key();
        let at = place.place.with(|p| {
            untrack(|| feeds.follow(p));
            p.ready().map(|p| (p.latitude, p.longitude))
        });
        let shown = shown.flatten();
        if at.is_some() && at != shown {
            if shown.is_some() {
                live.close();
            }
            live.start();
        }
        at.or(shown)
    });
    // The address (in the page) or the element's `isobar-change` event (a widget, for the
    // builder) follows the place and the settings.
    if embedded != Some(Embedded::Iframe) {
        Effect::new(move || {
            let config = settings.config();
            let shown = place
                .place
                .with(|p| p.ready().cloned())
                .filter(|_| place.chosen.get());
            if !widget {
                crate::embed::write_address(&config, shown.as_ref());
            } else if let Some(el) = root.get() {
                crate::embed::tell_host(&el, &config, shown.as_ref());
            }
        });
    }
    // One mark when every call has answered and every card has drawn its answer, for
    // benchmarks (`cargo xtask bench`).
    let marked = StoredValue::new(false);
    Effect::new(move || {
        if feeds.all_answered() && !marked.get_value() {
            marked.set_value(true);
            crate::state::tasks::when_drawn(|| mark("isobar:ready"));
        }
    });
    let notices = (!errors.is_empty()).then(|| {
        view! {
            <ul class="notices" role="status" aria-label="Problems with the settings">
                {errors.iter().map(|e| view! { <li data-param=e.param.clone()>{e.to_string()}</li> }).collect_view()}
            </ul>
        }
    });
    let panel = RwSignal::new("");
    // The panels' code is loaded when one is first opened (see `crate::split`).
    let panels = move || match panel.get() {
        "" => None,
        name => tools.tools(place).map(|t| (t.panel)(name)),
    };
    let place_note = move || {
        place
            .note
            .get()
            .map(|n| view! { <p class="place-note" role="status">{n}</p> })
    };
    // After the contexts are provided: the cards read them.
    // Each card's body reads the settings it shows, so it follows a change at once.
    let cards_view = cards
        .into_iter()
        .map(|id| later(std::sync::Arc::new(move || card(&id))))
        .collect_view();
    let theme = move || match settings.config().theme {
        Theme::Light => "light",
        Theme::Dark => "dark",
        Theme::Auto => "auto",
    };
    view! {
        <div
            node_ref=root
            class="isobar"
            part="root"
            data-theme=theme
            data-layout=layout
            data-background=background
            data-embedded=embedded.map(Embedded::name)
        >
            <Header landmark=!widget search settings=settings_on panel/>
            {panels}
            {notices}
            {place_note}
            // The page's main landmark; a widget, in its host page's tree, adds none.
            <div
                class="cards"
                id="cards"
                role=(!widget).then_some("main")
                aria-label=move || {
                    (!widget).then(|| match place.place.get() {
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

/// Creates the live feed for the settings' `live=` and `station=` (or the shown place), wired
/// to the feeds it keeps current.
fn live_feed(settings: Settings, place: PlaceState, feeds: Feeds) -> LiveFeed {
    let config = settings.config_untracked();
    let station = config.station.clone();
    use_live_feed(LiveFeedOptions {
        url: config.live.clone(),
        subscription: Rc::new(move || match &station {
            Some(id) => Some(Subscription::Station(id.clone())),
            None => place.ready().map(|p| Subscription::Place {
                lat: p.latitude,
                lon: p.longitude,
            }),
        }),
        on_observation: Rc::new(move |time, values| crate::split::merge(feeds, time, values)),
        on_refresh: Rc::new(move || feeds.refresh()),
        ..LiveFeedOptions::default()
    })
}

/// A `performance.mark`, read by the benchmarks.
fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}

/// A part of the page built in a task of its own, after the one that sets the page up (each
/// card), so no task is long enough for a slow phone to feel (Lighthouse's total blocking
/// time). The page is shown once every part is built (`embed::mount_as`).
fn later(
    part: std::sync::Arc<dyn Fn() -> AnyView + Send + Sync>,
) -> impl Fn() -> Option<AnyView> + Send + Sync + 'static {
    let on = RwSignal::new(false);
    crate::state::tasks::after(std::time::Duration::ZERO, move || {
        let _ = on.try_set(true);
    });
    move || on.get().then(|| part())
}

/// The card component for an id of [`isobar_core::cards::CARDS`].
fn card(id: &str) -> AnyView {
    match id {
        "current" => view! { <CurrentCard/> }.into_any(),
        "uv" => view! { <UvCard/> }.into_any(),
        "sun" => view! { <SunCard/> }.into_any(),
        "wind" => view! { <WindCard/> }.into_any(),
        "hourly" => view! { <HourlyCard/> }.into_any(),
        "daily" => view! { <DailyCard/> }.into_any(),
        "air" => view! { <AirCard/> }.into_any(),
        "nowcast" => view! { <crate::components::nowcast::NowcastCard/> }.into_any(),
        "moon" => view! { <crate::components::moon::MoonCard/> }.into_any(),
        "alerts" => view! { <crate::components::alerts::AlertsCard/> }.into_any(),
        _ => ().into_any(),
    }
}
