//! The place search: a combobox with a listbox popup (the WAI-ARIA pattern). Focus stays in
//! the input; the highlighted option is its `aria-activedescendant`. Typing searches the
//! geocoding API from two characters, 300 ms after the last key, with the request for older
//! text aborted and its answer never shown. Input and popup sit side by side, so the id
//! references work inside a widget's shadow root too.

use std::time::Duration;

use futures_util::future::AbortHandle;
use leptos::ev;
use leptos::prelude::*;

use crate::api;
use crate::state::{place::Place, Handles};

/// How long typing must pause before a search starts.
const DEBOUNCE_MS: u64 = 300;
/// The listbox's id.
const LIST_ID: &str = "isobar-search-list";

/// What the popup shows.
#[derive(Clone, PartialEq)]
enum Found {
    /// Nothing to show (too little text).
    Idle,
    /// Searching for this text.
    Searching,
    /// The answer for the text shown.
    Places(Vec<Place>),
    /// Nothing matched this text.
    NoMatch(String),
    /// The search failed, in words.
    Failed(String),
}

/// The search field and its popup.
#[component]
pub fn Search() -> impl IntoView {
    let Handles {
        settings,
        place,
        tasks,
        ..
    } = Handles::get();
    let found = RwSignal::new(Found::Idle);
    let open = RwSignal::new(false);
    let active = RwSignal::new(None::<usize>);
    let input = NodeRef::<leptos::html::Input>::new();
    // Each keystroke's number: a search for older text is dropped when it answers.
    let typed = StoredValue::new(0u64);
    let in_flight = StoredValue::new(None::<AbortHandle>);
    let count = move || found.with(|f| if let Found::Places(p) = f { p.len() } else { 0 });

    let search = move |text: String, ticket: u64| {
        if let Some(old) = in_flight.try_update_value(Option::take).flatten() {
            old.abort();
        }
        found.set(Found::Searching);
        open.set(true);
        let handle = tasks.spawn_abortable(async move {
            let config = settings.config_untracked();
            let answer = api::search(&config, &text, 10).await;
            if typed.try_get_value() != Some(ticket) {
                return; // Newer text is being searched.
            }
            active.set(None);
            found.set(match answer {
                Ok(p) if p.is_empty() => Found::NoMatch(text),
                Ok(p) => Found::Places(p),
                Err(e) => Found::Failed(format!("The search failed. {e}")),
            });
        });
        in_flight.set_value(handle);
    };
    let on_input = move |e: ev::Event| {
        let text = event_target_value(&e);
        let ticket = typed.try_update_value(|t| {
            *t += 1;
            *t
        });
        let Some(ticket) = ticket else { return };
        if text.trim().chars().count() < 2 {
            in_flight.update_value(|h| {
                if let Some(h) = h.take() {
                    h.abort();
                }
            });
            found.set(Found::Idle);
            open.set(false);
            return;
        }
        set_timeout(
            move || {
                if typed.try_get_value() == Some(ticket) {
                    search(text.trim().to_owned(), ticket);
                }
            },
            Duration::from_millis(DEBOUNCE_MS),
        );
    };
    let pick = move |i: usize| {
        let chosen = found.with_untracked(|f| match f {
            Found::Places(p) => p.get(i).cloned(),
            _ => None,
        });
        if let Some(p) = chosen {
            typed.update_value(|t| *t += 1);
            if let Some(el) = input.get_untracked() {
                el.set_value("");
            }
            open.set(false);
            active.set(None);
            found.set(Found::Idle);
            place.choose(p);
        }
    };
    let on_key = move |e: ev::KeyboardEvent| {
        let n = count();
        let shown = open.get_untracked() && n > 0;
        let current = active.get_untracked();
        let next = match e.key().as_str() {
            "ArrowDown" if n > 0 => Some(current.map_or(0, |a| (a + 1) % n)),
            "ArrowUp" if n > 0 => Some(current.map_or(n - 1, |a| (a + n - 1) % n)),
            "Home" if shown => Some(0),
            "End" if shown => Some(n - 1),
            "Enter" if shown => {
                e.prevent_default();
                return pick(current.unwrap_or(0));
            }
            "Escape" => {
                if open.get_untracked() {
                    open.set(false);
                    active.set(None);
                } else if let Some(el) = input.get_untracked() {
                    typed.update_value(|t| *t += 1);
                    el.set_value("");
                    found.set(Found::Idle);
                }
                e.prevent_default();
                return;
            }
            _ => return,
        };
        e.prevent_default();
        open.set(true);
        active.set(next);
        if let Some(el) = next.and_then(|i| option(input, i)) {
            el.scroll_into_view_with_bool(false);
        }
    };
    let option_id = |i: usize| format!("isobar-search-option-{i}");
    let options = move || {
        found.with(|f| match f {
            Found::Places(p) => p
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let region = [p.admin1.as_deref(), p.country.as_deref()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(", ");
                    view! {
                        <li
                            role="option"
                            id=option_id(i)
                            class="search-option"
                            aria-selected=move || (active.get() == Some(i)).to_string()
                            on:mousedown=|e: ev::MouseEvent| e.prevent_default()
                            on:click=move |_| pick(i)
                        >
                            <span class="search-name">{p.name.clone()}</span>
                            " "
                            <span class="search-region">{region}</span>
                        </li>
                    }
                })
                .collect_view()
                .into_any(),
            _ => ().into_any(),
        })
    };
    let message = move || {
        found.with(|f| match f {
            Found::Idle => String::new(),
            Found::Searching => "Searching…".to_owned(),
            Found::Places(p) if p.len() == 1 => "1 place found.".to_owned(),
            Found::Places(p) => format!("{} places found.", p.len()),
            Found::NoMatch(t) => format!("No places match “{t}”."),
            Found::Failed(m) => m.clone(),
        })
    };
    view! {
        <div class="search" on:focusout=move |_| open.set(false)>
            <input
                node_ref=input
                class="search-input"
                type="text"
                role="combobox"
                aria-label="Search for a place"
                placeholder="Search for a place"
                autocomplete="off"
                spellcheck="false"
                aria-autocomplete="list"
                aria-controls=LIST_ID
                aria-expanded=move || open.get().to_string()
                aria-activedescendant=move || active.get().filter(|_| open.get()).map(option_id)
                on:input=on_input
                on:keydown=on_key
                on:focus=move |_| open.set(found.with_untracked(|f| *f != Found::Idle))
            />
            <div class="search-popup" hidden=move || !open.get()>
                <ul role="listbox" id=LIST_ID aria-label="Places found" hidden=move || count() == 0>
                    {options}
                </ul>
                <p class="search-message" role="status" data-search-state=move || found.with(|f| match f {
                    Found::Idle => "idle",
                    Found::Searching => "searching",
                    Found::Places(_) => "found",
                    Found::NoMatch(_) => "none",
                    Found::Failed(_) => "error",
                })>{message}</p>
            </div>
        </div>
    }
}

/// The `i`-th option element, found from the input (in the page or in a shadow root).
fn option(input: NodeRef<leptos::html::Input>, i: usize) -> Option<web_sys::Element> {
    let root = input.get_untracked()?.parent_element()?;
    root.query_selector(&format!("#isobar-search-option-{i}"))
        .ok()
        .flatten()
}
