//! The header: the place's name, its local time, and the attribution Open-Meteo asks for.

use leptos::prelude::*;

use isobar_core::clock;

use crate::app::Dashboard;
use crate::load::Load;
use crate::time::{self, Zone};

/// Place name, local time (kept current), attribution.
#[component]
pub fn Header() -> impl IntoView {
    let d = Dashboard::get();
    let now = RwSignal::new(time::now());
    let handle = set_interval_with_handle(
        move || now.set(time::now()),
        std::time::Duration::from_secs(15),
    )
    .ok();
    on_cleanup(move || {
        if let Some(h) = handle {
            h.clear();
        }
    });
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
    view! {
        <header class="header">
            <div class="place">
                <h1 class="place-name">{name}</h1>
                <p class="local-time" data-local-time="">{move || local_time().unwrap_or_else(|| "\u{a0}".to_owned())}</p>
            </div>
            <p class="attribution">
                <a href="https://open-meteo.com/" rel="noopener" target="_blank">"Weather data by Open-Meteo.com"</a>
            </p>
        </header>
    }
}
