//! The header: the place's name (with its save star), its local time, the live status, the
//! attribution Open-Meteo asks for, and the tools: place search, "Use my location", and the
//! buttons that open the places list and the settings panel.
//!
//! Everything but the tools is HTML text, kept current by one render effect per part (as the
//! renderer keeps its own attributes, at once): a view of many small reactive parts costs the
//! bundle build and rebuild code for each.

use leptos::prelude::*;

use isobar_core::clock;

use isobar_core::reconnect::LiveStatus;

use crate::live::LiveFeed;
use crate::state::{feeds::Feeds, load::Load, now::Now, place::PlaceState, settings::Settings};
use crate::zone::Zone;

/// The header's text as HTML, with `search`'s save star: everything but the tools, which
/// [`wire`] keeps current.
fn text(search: bool) -> String {
    format!(
        "<div class=\"place\"><div class=\"place-title\"><h1 class=\"place-name\" id=\"place-name\"></h1>{}</div>\
         <p class=\"local-time\" data-local-time=\"\"></p></div>\
         <p class=\"live-status\" part=\"live-status\" hidden><span class=\"live-dot\" aria-hidden=\"true\"></span><span class=\"visually-hidden\"></span></p>\
         <p class=\"visually-hidden\" aria-live=\"polite\"></p>\
         <p class=\"header-alert-slot\" role=\"status\"></p>\
         <p class=\"network-status\" role=\"status\" hidden>Offline: the last data kept, with its age</p>\
         <p class=\"attribution\" part=\"attribution\"><a href=\"https://open-meteo.com/\" rel=\"noopener\" target=\"_blank\">Weather data by Open-Meteo.com</a></p>",
        if search {
            "<button type=\"button\" class=\"save-place\"><span aria-hidden=\"true\"></span></button>"
        } else {
            ""
        }
    )
}

/// Keeps the header's parts current while the header lasts: each `f` writes one part, as the
/// renderer keeps its own attributes, at once and whenever what it reads changes.
#[derive(Default)]
struct Parts(Vec<RenderEffect<()>>);

impl Parts {
    /// Adds the part `f` writes (boxed: one copy of the effect's code for every part).
    fn bind(&mut self, f: Box<dyn Fn()>) {
        self.0.push(RenderEffect::new(move |_| f()));
    }
}

/// Keeps the header's text ([`text`], in `header`) current: the place's name, its save star, its
/// local time (kept current), the live feed's state (live, reconnecting with its countdown,
/// offline) and its throttled announcements for screen readers, the most severe alert, and
/// whether the network is away.
fn wire(header: &web_sys::Element) {
    let (now, place, config, feeds, live) = (
        Now::get(),
        PlaceState::get(),
        Settings::get(),
        Feeds::get(),
        LiveFeed::get(),
    );
    let find = |selector: &str| header.query_selector(selector).ok().flatten();
    let (Some(name), Some(time), Some(badge), Some(said), Some(alert), Some(network)) = (
        find(".place-name"),
        find(".local-time"),
        find(".live-status"),
        find("[aria-live]"),
        find(".header-alert-slot"),
        find(".network-status"),
    ) else {
        return;
    };
    let mut parts = Parts::default();
    parts.bind(Box::new(move || {
        name.set_text_content(Some(&match place.place.get() {
            Load::Ready(p) => p.name,
            Load::Loading => "Finding the place…".to_owned(),
            Load::Failed(_) => "Place not found".to_owned(),
        }));
    }));
    if let Some(star) = find(".save-place") {
        parts.bind(Box::new(move || {
            let saved = place.place.with(|p| {
                p.ready()
                    .is_some_and(|p| place.places.with(|k| k.is_saved(p)))
            });
            let _ = star.set_attribute(
                "aria-label",
                if saved { "Remove place" } else { "Save place" },
            );
            star.set_inner_html(if saved {
                "<span aria-hidden=\"true\">★</span>"
            } else {
                "<span aria-hidden=\"true\">☆</span>"
            });
        }));
    }
    let forecast = feeds.forecast;
    parts.bind(Box::new(move || {
        let label = forecast.state.with(|f| {
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
        });
        time.set_text_content(Some(label.as_deref().unwrap_or("\u{a0}")));
    }));
    // The badge: its dot, the words (a text node of their own), and why, for screen readers.
    let words = web_sys::window()
        .and_then(|w| w.document())
        .map(|d| d.create_text_node(""));
    if let (Some(words), Some(why)) = (words, badge.last_element_child()) {
        let _ = badge.insert_before(&words, Some(&why));
        parts.bind(Box::new(move || {
            let status = live.status.get();
            let _ = badge.set_attribute("data-live", status.name());
            let _ = badge.set_attribute("data-ignored", &live.ignored.get().to_string());
            let _ = badge.set_attribute("data-readings", &live.readings.get().to_string());
            let _ = badge.toggle_attribute_with_force("hidden", status == LiveStatus::Off);
            let now_ms = now.seconds() as f64 * 1000.0;
            words.set_data(&status.label(now_ms, live.source_stale.get()));
            why.set_text_content(
                matches!(status, LiveStatus::Offline { .. })
                    .then_some(" (refreshing every 5 min meanwhile)"),
            );
        }));
    }
    parts.bind(Box::new(move || {
        said.set_text_content(Some(&live.announcement.get()))
    }));
    // The most severe active alert, when the alerts card is shown (empty otherwise).
    parts.bind(Box::new(move || {
        alert.set_inner_html(&crate::components::alerts::headline(feeds).map_or(
            String::new(),
            |(s, e)| {
                format!(
                    "<span class=\"header-alert\" data-severity=\"{}\"><span class=\"alert-severity\">{}</span> {}</span>",
                    s.word(),
                    s.word(),
                    crate::components::html::text(&e)
                )
            },
        ));
    }));
    let offline = feeds.offline;
    parts.bind(Box::new(move || {
        let _ = network.toggle_attribute_with_force("hidden", !offline.get());
    }));
    // Dropped (so stopped) with the dashboard.
    StoredValue::new_local(parts);
}

/// Place name, local time (kept current), live state, alerts, attribution, and the tools.
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
    let (place, offline) = (PlaceState::get(), Feeds::get().offline);
    // Written as HTML text and kept current by `wire` (set up as the element is built, so it
    // is whole before the page shows it); the tools, with the search field, are a view of
    // their own after it.
    let wire = move |el: web_sys::Element| {
        el.set_inner_html(&text(search));
        wire(&el);
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
            use:wire
            on:click=move |e| {
                if crate::components::html::target(&e, ".save-place").is_some() {
                    place.toggle_saved();
                }
            }
        >
            {(search || settings).then(|| view! { <Tools search settings panel/> })}
        </header>
    }
}

/// The search field, "Use my location" (with why it failed), and the panel buttons.
///
/// Their code is loaded when the pointer or the focus first comes to them, or one is used (see
/// [`crate::split`]): until then the search field is a plain input, and what is typed in it is
/// searched for once the code is there.
#[component]
fn Tools(search: bool, settings: bool, panel: RwSignal<&'static str>) -> impl IntoView {
    let crate::state::Handles { place, tools, .. } = crate::state::Handles::get();
    let field = NodeRef::<leptos::html::Input>::new();
    // The field is built now; its code (and its popup) come with the tools'.
    let search_field = move || {
        view! {
            <div class="search">
                <input
                    node_ref=field
                    class="search-input"
                    type="text"
                    role="combobox"
                    aria-label="Search for a place"
                    placeholder="Search for a place"
                    autocomplete="off"
                    spellcheck="false"
                    aria-autocomplete="list"
                    aria-expanded="false"
                />
                {move || {
                    let (t, el) = (tools.loaded()?, field.get_untracked()?);
                    Some((t.search)(el))
                }}
            </div>
        }
    };
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
        <div
            class="tools"
            role="group"
            aria-label="Places and settings"
            on:pointerover=move |_| tools.load(place)
            on:focusin=move |_| tools.load(place)
        >
            {search.then(|| view! {
                {search_field}
                <button type="button" class="tool" on:click=move |_| tools.with(place, |t, p| (t.locate)(p))>"Use my location"</button>
                {toggle("places", "Places")}
            })}
            {settings.then(|| toggle("settings", "Settings"))}
            <p class="locate-error" role="status">{move || place.locate_error.get()}</p>
        </div>
    }
}
