//! The header: the place's name (with its save star), its local time, the live status, the
//! attribution Open-Meteo asks for, and the tools: place search, "Use my location", and the
//! buttons that open the places list and the settings panel.

use leptos::prelude::*;

use isobar_core::clock;

use isobar_core::reconnect::LiveStatus;

use crate::live::LiveFeed;
use crate::state::{feeds::Feeds, load::Load, now::Now, place::PlaceState, settings::Settings};
use crate::zone::Zone;

/// Place name, local time (kept current), attribution.
#[component]
pub fn Header(
    /// A `<header>` (the page's banner landmark); in a widget, whose host page has its own
    /// landmarks, a plain `<div>`.
    landmark: bool,
    /// Whether the place search, "Use my location", the star and the places list are shown.
    search: bool,
    /// Whether the settings button is shown.
    settings: bool,
    /// The open panel: `places`, `settings`, or empty.
    panel: RwSignal<&'static str>,
) -> impl IntoView {
    let (now, place) = (Now::get(), PlaceState::get());
    let config = Settings::get();
    let feeds = Feeds::get();
    let Feeds {
        forecast, offline, ..
    } = feeds;
    let name = move || match place.place.get() {
        Load::Ready(p) => p.name,
        Load::Loading => "Finding the place…".to_owned(),
        Load::Failed(_) => "Place not found".to_owned(),
    };
    let local_time = move || {
        forecast.state.with(|f| {
            f.ready().map(|f| {
                let zone = Zone::of(&f.location);
                let t = now.seconds();
                format!(
                    "{}, {}{}",
                    clock::date_label(clock::local(t, &zone).date()),
                    clock::time_label(t, &zone, config.hour12()),
                    zone.fallback_label().unwrap_or_default()
                )
            })
        })
    };
    let alert = move || crate::components::alerts::headline(feeds);
    let inner = move || {
        view! {
            <div class="place">
                <div class="place-title">
                    <h1 class="place-name" id="place-name">{name}</h1>
                    {search.then(|| view! { <SaveButton/> })}
                </div>
                <p class="local-time" data-local-time="">{move || local_time().unwrap_or_else(|| "\u{a0}".to_owned())}</p>
            </div>
            <LiveBadge/>
            // The most severe active alert, when the alerts card is shown (empty, and not
            // shown, otherwise).
            <p
                class="header-alert-slot"
                role="status"
                inner_html=move || alert().map_or(String::new(), |(s, e)| format!(
                    "<span class=\"header-alert\" data-severity=\"{}\"><span class=\"alert-severity\">{}</span> {}</span>",
                    s.word(), s.word(), crate::components::html::text(&e)
                ))
            ></p>
            <p class="network-status" role="status" hidden=move || !offline.get()>"Offline: the last data kept, with its age"</p>
            <p class="attribution" part="attribution">
                <a href="https://open-meteo.com/" rel="noopener" target="_blank">"Weather data by Open-Meteo.com"</a>
            </p>
            {(search || settings).then(|| view! { <Tools search settings panel/> })}
        }
    };
    // The page's banner landmark; in a widget, a plain group.
    // Landmarks named by the place, so two dashboards framed in one page stay distinct.
    view! {
        <header
            class="header"
            part="header"
            data-network=move || if offline.get() { "offline" } else { "online" }
            role=(!landmark).then_some("none")
            aria-labelledby=landmark.then_some("place-name")
        >
            {inner()}
        </header>
    }
}

/// The live feed's state: live, reconnecting (with its countdown), offline; and the
/// throttled announcements for screen readers.
#[component]
fn LiveBadge() -> impl IntoView {
    let (live, now) = (LiveFeed::get(), Now::get());
    let text = move || {
        let now_ms = now.seconds() as f64 * 1000.0;
        live.status.get().label(now_ms, live.source_stale.get())
    };
    view! {
        <p
            class="live-status"
            part="live-status"
            data-live=move || live.status.get().name()
            data-ignored=move || live.ignored.get().to_string()
            data-readings=move || live.readings.get().to_string()
            hidden=move || live.status.get() == LiveStatus::Off
        >
            <span class="live-dot" aria-hidden="true"></span>
            {text}
            <span class="visually-hidden">
                {move || matches!(live.status.get(), LiveStatus::Offline { .. }).then_some(" (refreshing every 5 min meanwhile)")}
            </span>
        </p>
        <p class="visually-hidden" aria-live="polite">{move || live.announcement.get()}</p>
    }
}

/// The star beside the name: saves the place shown, or removes it.
#[component]
fn SaveButton() -> impl IntoView {
    let place = PlaceState::get();
    let saved = move || {
        place.place.with(|p| {
            p.ready()
                .is_some_and(|p| place.places.with(|k| k.is_saved(p)))
        })
    };
    view! {
        <button
            type="button"
            class="save-place"
            aria-label=move || if saved() { "Remove place" } else { "Save place" }
            on:click=move |_| place.toggle_saved()
        >
            <span aria-hidden="true">{move || if saved() { "★" } else { "☆" }}</span>
        </button>
    }
}

/// The search field, "Use my location" (with why it failed), and the panel buttons.
#[component]
fn Tools(search: bool, settings: bool, panel: RwSignal<&'static str>) -> impl IntoView {
    let place = PlaceState::get();
    let toggle = move |name: &'static str, words: &'static str| {
        view! {
            <button
                type="button"
                class="tool"
                aria-expanded=move || (panel.get() == name).to_string()
                aria-controls=format!("isobar-{name}")
                on:click=move |_| panel.update(|p| *p = if *p == name { "" } else { name })
            >{words}</button>
        }
    };
    view! {
        <div class="tools" role="group" aria-label="Places and settings">
            {search.then(|| view! {
                <crate::components::search::Search/>
                <button type="button" class="tool" on:click=move |_| place.locate()>"Use my location"</button>
                {toggle("places", "Places")}
            })}
            {settings.then(|| toggle("settings", "Settings"))}
            <p class="locate-error" role="status">{move || place.locate_error.get()}</p>
        </div>
    }
}
