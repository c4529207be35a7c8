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
        if let Some(observer) = crate::embed::report_height() {
            let observer = StoredValue::new_local(observer);
            on_cleanup(move || {
                observer.try_with_value(web_sys::ResizeObserver::disconnect);
            });
        }
    }

    let settings = Settings::new(config);
    let now = Now::start();
    let tasks = Tasks::of_owner();
    let place = PlaceState::new(settings, tasks);
    let feeds = Feeds::new(settings, place, tasks);
    let live = live_feed(settings, place, feeds);
    Handles {
        settings,
        now,
        place,
        feeds,
        live,
    }
    .provide();
    mark("isobar:start");
    place.resolve();
    // The calls follow the place; the live feed (or polling, without one) starts once it is
    // known.
    Effect::new(move |started: Option<bool>| {
        let ready = place.place.with(|p| {
            untrack(|| feeds.follow(p));
            p.ready().is_some()
        });
        let started = started.unwrap_or(false);
        if ready && !started {
            live.start();
        }
        started || ready
    });
    // One mark when every call has answered, for benchmarks (`cargo xtask bench`).
    let marked = StoredValue::new(false);
    Effect::new(move || {
        if feeds.all_answered() && !marked.get_value() {
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
        place
            .note
            .get()
            .map(|n| view! { <p class="place-note" role="status">{n}</p> })
    };
    // After the contexts are provided: the cards read them.
    let cards_view = cards.iter().map(|id| card(id)).collect_view();
    view! {
        <div
            class="isobar"
            part="root"
            data-theme=theme
            data-layout=layout
            data-background=background
            data-embedded=embedded.map(Embedded::name)
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
    let config = settings.config();
    let station = config.station.clone();
    use_live_feed(LiveFeedOptions {
        url: config.live.clone(),
        subscription: Rc::new(move || match &station {
            Some(id) => Some(Subscription::Station(id.clone())),
            None => place.ready().map(|p| Subscription::Place {
                lat: p.lat,
                lon: p.lon,
            }),
        }),
        on_observation: Rc::new(move |time, values| feeds.merge_observation(time, values)),
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
        _ => ().into_any(),
    }
}
