//! The header: the place's name, its local time, and the attribution Open-Meteo asks for.

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
) -> impl IntoView {
    let (now, hour12, place) = (Now::get(), Settings::get().hour12, PlaceState::get());
    let forecast = Feeds::get().forecast;
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
                    clock::time_label(t, &zone, hour12),
                    zone.fallback_label().unwrap_or_default()
                )
            })
        })
    };
    let inner = move || {
        view! {
            <div class="place">
                <h1 class="place-name" id="place-name">{name}</h1>
                <p class="local-time" data-local-time="">{move || local_time().unwrap_or_else(|| "\u{a0}".to_owned())}</p>
            </div>
            <LiveBadge/>
            <p class="attribution" part="attribution">
                <a href="https://open-meteo.com/" rel="noopener" target="_blank">"Weather data by Open-Meteo.com"</a>
            </p>
        }
    };
    // The page's banner landmark; in a widget, a plain group.
    // Landmarks named by the place, so two dashboards framed in one page stay distinct.
    view! {
        <header
            class="header"
            part="header"
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
