//! The places list: saved places first, then the recent ones, each with its current temperature
//! and condition (all of them in one forecast request, made when the list is shown). A click
//! (or Enter) on a place shows it; each can be taken off the list.
//!
//! The lists are written as HTML text from the places and their weather (as the card bodies
//! are, see [`super::html`]), with one click listener on the panel: a Leptos view of the rows
//! cost the bundle build and rebuild code for each element and attribute.

use isobar_core::format;
use isobar_core::weather::Current;
use isobar_core::wmo;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::api;
use crate::components::html::{self, text};
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
                // Both lists are always written (hidden when empty); each button says which
                // list and row it is, for the one click listener.
                let mut html = String::new();
                for (list, items) in [("saved", &k.saved), ("recent", &k.recent)] {
                    let hidden = if items.is_empty() { " hidden" } else { "" };
                    let heading = if list == "saved" { "Saved" } else { "Recent" };
                    html.push_str(&format!(
                        "<h2 class=\"places-heading\" id=\"isobar-places-{list}\"{hidden}>{heading}</h2><ul class=\"places-list\" aria-labelledby=\"isobar-places-{list}\"{hidden}>"
                    ));
                    for (i, p) in items.iter().enumerate() {
                        let name = text(&p.name);
                        html.push_str(&format!(
                            "<li class=\"places-item\" data-saved=\"{}\"><button type=\"button\" class=\"places-pick\" data-list=\"{list}\" data-i=\"{i}\"><span class=\"places-name\">{name}</span><span class=\"places-region\">{}</span><span class=\"places-now\">{}</span></button><button type=\"button\" class=\"places-remove\" data-list=\"{list}\" data-i=\"{i}\" aria-label=\"Remove {name}\">×</button></li>",
                            list == "saved",
                            text(&p.region()),
                            text(&weather(p)),
                        ));
                    }
                    html.push_str("</ul>");
                }
                let none = if k.saved.is_empty() && k.recent.is_empty() { "" } else { " hidden" };
                html.push_str(&format!(
                    "<p class=\"places-empty\"{none}>No places yet. Search for a place, then press the star to keep it here.</p>"
                ));
                html
            })
        })
    };
    // Drawn again when the places or their weather change, keeping the focus on the same row's
    // button (the next row's, after a removal; the row before, after the last one's).
    let panel = NodeRef::<leptos::html::Section>::new();
    Effect::new(move || {
        let html = lists();
        let Some(el) = panel.get() else { return };
        let focused = document()
            .active_element()
            .filter(|a| el.contains(Some(a)))
            .and_then(|a| {
                Some((
                    a.class_name(),
                    a.get_attribute("data-list")?,
                    a.get_attribute("data-i")?,
                ))
            });
        el.set_inner_html(&html);
        if let Some((class, list, i)) = focused {
            let at = |i: &str| {
                el.query_selector(&format!("button.{class}[data-list={list}][data-i=\"{i}\"]"))
                    .ok()
                    .flatten()
            };
            let before = i
                .parse::<usize>()
                .ok()
                .and_then(|i| i.checked_sub(1))
                .map(|i| i.to_string());
            let target = at(&i).or_else(|| before.as_deref().and_then(at));
            if let Some(b) = target.and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok()) {
                let _ = b.focus();
            }
        }
    });
    let click = move |e: leptos::ev::MouseEvent| {
        let Some(button) = html::target(&e, "button[data-i]") else {
            return;
        };
        let saved = button.get_attribute("data-list").as_deref() == Some("saved");
        let i = html::row(&button);
        let chosen = place.places.with_untracked(|k| {
            let items = if saved { &k.saved } else { &k.recent };
            i.and_then(|i| items.get(i).cloned())
        });
        let Some(p) = chosen else { return };
        if button.class_name() == "places-remove" {
            place.forget(&p);
        } else {
            place.choose(p);
        }
    };
    view! {
        <section class="panel places" id="isobar-places" aria-label="Places" node_ref=panel on:click=click></section>
    }
}
