//! The places list: saved places first, then the recent ones, each with its current temperature
//! and condition (all of them in one forecast request, made when the list is shown). A click
//! (or Enter) on a place shows it; each can be taken off the list.
//!
//! The list is drawn by one closure from the places and their weather (see the size note in
//! [`super::search`]).

use isobar_core::format;
use isobar_core::weather::Current;
use isobar_core::wmo;
use leptos::prelude::*;

use crate::api;
use crate::state::{place::Place, Handles};

/// The places panel (shown while its header button is pressed).
#[component]
pub fn PlacesPanel() -> impl IntoView {
    let Handles {
        settings,
        place,
        tasks,
        ..
    } = Handles::get();
    // The current conditions, with the places they were asked for.
    let now = RwSignal::new((Vec::<(f64, f64)>::new(), Vec::<Current>::new()));
    Effect::new(move || {
        let asked: Vec<(f64, f64)> = place.places.with(|p| {
            p.saved
                .iter()
                .chain(&p.recent)
                .map(|p| (p.latitude, p.longitude))
                .collect()
        });
        let _ = settings.fetch_key();
        if asked.is_empty() {
            return;
        }
        tasks.spawn(async move {
            let config = settings.config_untracked();
            if let Ok(current) = api::places_now(&config, &asked).await {
                let _ = now.try_set((asked, current));
            }
        });
    });
    let row = move |p: &Place, weather: String, saved: bool| {
        let region = p.region();
        let (shown, forget) = (p.clone(), p.clone());
        view! {
            <li class="places-item" data-saved=saved.to_string()>
                <button type="button" class="places-pick" on:click=move |_| place.choose(shown.clone())>
                    <span class="places-name">{p.name.clone()}</span>
                    <span class="places-region">{region}</span>
                    <span class="places-now">{weather}</span>
                </button>
                <button
                    type="button"
                    class="places-remove"
                    aria-label=format!("Remove {}", p.name)
                    on:click=move |_| place.forget(&forget)
                >"×"</button>
            </li>
        }
    };
    let lists = move || {
        let symbol = settings.config().units.temperature.symbol();
        now.with(|(asked, current)| {
            let weather = |p: &Place| {
                asked
                    .iter()
                    .position(|a| *a == (p.latitude, p.longitude))
                    .and_then(|i| current.get(i))
                    .map_or(format::DASH.to_owned(), |c| {
                        format!(
                            "{}{symbol}, {}",
                            format::number(c.temperature, 0),
                            c.weather_code.map_or(format::DASH, wmo::describe)
                        )
                    })
            };
            place.places.with(|k| {
                // Both lists are always drawn (hidden when empty): a view that is sometimes
                // there costs the bundle more than an attribute.
                let rows = |items: &[Place], saved: bool| {
                    items.iter().map(|p| row(p, weather(p), saved)).collect::<Vec<_>>()
                };
                let (no_saved, no_recent) = (k.saved.is_empty(), k.recent.is_empty());
                view! {
                    <h2 class="places-heading" id="isobar-places-saved" hidden=no_saved>"Saved"</h2>
                    <ul class="places-list" aria-labelledby="isobar-places-saved" hidden=no_saved>
                        {rows(&k.saved, true)}
                    </ul>
                    <h2 class="places-heading" id="isobar-places-recent" hidden=no_recent>"Recent"</h2>
                    <ul class="places-list" aria-labelledby="isobar-places-recent" hidden=no_recent>
                        {rows(&k.recent, false)}
                    </ul>
                    <p class="places-empty" hidden=!(no_saved && no_recent)>
                        "No places yet. Search for a place, then press the star to keep it here."
                    </p>
                }
            })
        })
    };
    view! {
        <section class="panel places" id="isobar-places" aria-label="Places">
            {lists}
        </section>
    }
}
