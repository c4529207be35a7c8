//! The header: the place's name, its local time, and the attribution Open-Meteo asks for.

use leptos::prelude::*;

use isobar_core::clock;

use crate::app::Dashboard;
use crate::live::LiveStatus;
use crate::load::Load;
use crate::time::Zone;

/// Place name, local time (kept current), attribution.
#[component]
pub fn Header(
    /// A `<header>` (the page's banner landmark); in a widget, whose host page has its own
    /// landmarks, a plain `<div>`.
    landmark: bool,
) -> impl IntoView {
    let d = Dashboard::get();
    let now = d.now;
    let hour12 = d.hour12;
    let name = move || match d.place.get() {
        Load::Ready(p) => p.name,
        Load::Loading => "Finding the place…".to_owned(),
        Load::Failed(_) => "Place not found".to_owned(),
    };
    let local_time = move || {
        d.forecast.state.with(|f| {
            f.ready().map(|f| {
                let zone = Zone::of(&f.location);
                let t = now.get();
                format!(
                    "{}, {}",
                    clock::date_label(clock::local(t, &zone).date()),
                    clock::time_label(t, &zone, hour12)
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
    let d = Dashboard::get();
    let text = move || {
        let now_ms = d.now.get() as f64 * 1000.0;
        let secs = |at: f64| ((at - now_ms) / 1000.0).ceil().max(0.0) as i64;
        match d.live.get() {
            LiveStatus::Off => String::new(),
            LiveStatus::Connecting => "Connecting…".to_owned(),
            LiveStatus::Live if d.source_stale.get() => "Live (source delayed)".to_owned(),
            LiveStatus::Live => "Live".to_owned(),
            LiveStatus::Reconnecting { at_ms } => format!("Reconnecting in {} s", secs(at_ms)),
            // Short enough to share a phone's row with the attribution.
            LiveStatus::Offline { at_ms } => format!("Offline, retry in {} s", secs(at_ms)),
        }
    };
    view! {
        <p
            class="live-status"
            part="live-status"
            data-live=move || d.live.get().name()
            data-ignored=move || d.ignored.get().to_string()
            hidden=move || d.live.get() == LiveStatus::Off
        >
            <span class="live-dot" aria-hidden="true"></span>
            {text}
            <span class="visually-hidden">
                {move || matches!(d.live.get(), LiveStatus::Offline { .. }).then_some(" (refreshing every 5 min meanwhile)")}
            </span>
        </p>
        <p class="visually-hidden" aria-live="polite">{move || d.announcement.get()}</p>
    }
}
