//! The place search: a combobox with a listbox popup (the WAI-ARIA pattern). Focus stays in
//! the input; the highlighted option is its `aria-activedescendant`. Typing searches the
//! geocoding API from two characters, 300 ms after the last key, with the request for older
//! text aborted and its answer never shown. Input and popup sit side by side, so the id
//! references work inside a widget's shadow root too.
//!
//! Size: the popup's whole state is one signal, its options are written as HTML text with one
//! click listener on the list, and the input's two ARIA states are set by one effect. Each
//! reactive closure and view is a type of its own with its own code in the bundle; a dozen small
//! ones cost several KB.

use std::time::Duration;

use futures_util::future::AbortHandle;
use leptos::ev;
use leptos::prelude::*;

use crate::api;
use crate::components::html::{self, text};
use crate::state::{place::Place, Handles};

/// How long typing must pause before a search starts.
const DEBOUNCE_MS: u64 = 300;
/// The listbox's id.
const LIST_ID: &str = "isobar-search-list";
/// The id of the option at an index.
const OPTION_ID: &str = "isobar-search-option-";

/// What the popup shows.
#[derive(Clone, PartialEq, Default)]
enum Found {
    /// Nothing (too little text).
    #[default]
    Idle,
    /// Searching.
    Searching,
    /// The answer for the text in the field.
    Places(Vec<Place>),
    /// Nothing matched this text.
    NoMatch(String),
    /// The search failed, in words.
    Failed(String),
}

/// The popup's state.
#[derive(Clone, PartialEq, Default)]
struct Popup {
    found: Found,
    open: bool,
    active: Option<usize>,
}

impl Popup {
    fn places(&self) -> &[Place] {
        match &self.found {
            Found::Places(p) => p,
            _ => &[],
        }
    }

    /// What the live region says.
    fn message(&self) -> String {
        match &self.found {
            Found::Idle => String::new(),
            Found::Searching => "Searching…".to_owned(),
            Found::Places(p) if p.len() == 1 => "1 place found.".to_owned(),
            Found::Places(p) => format!("{} places found.", p.len()),
            Found::NoMatch(t) => format!("No places match “{t}”."),
            Found::Failed(m) => m.clone(),
        }
    }
}

/// Makes `input` (the header's search field, built before this code was loaded: see
/// [`crate::split`]) the place search, and returns its popup, to be put beside it. Text typed
/// before is searched for at once.
pub fn search(input: web_sys::HtmlInputElement) -> AnyView {
    let Handles {
        settings,
        place,
        tasks,
        ..
    } = Handles::get();
    let popup = RwSignal::new(Popup::default());
    let field = StoredValue::new_local(input.clone());
    // Each keystroke's number: the answer to older text is dropped.
    let typed = StoredValue::new(0u64);
    let in_flight = StoredValue::new(None::<AbortHandle>);
    let abort = move || {
        if let Some(Some(h)) = in_flight.try_update_value(Option::take) {
            h.abort();
        }
    };
    let set = move |found: Found, open: bool| {
        popup.set(Popup {
            found,
            open,
            active: None,
        })
    };

    let search = move |text: String, ticket: u64| {
        abort();
        set(Found::Searching, true);
        let handle = tasks.spawn_abortable(async move {
            let config = settings.config_untracked();
            let answer = api::search(&config, &text, 10).await;
            if typed.try_get_value() == Some(ticket) {
                set(
                    match answer {
                        Ok(p) if p.is_empty() => Found::NoMatch(text),
                        Ok(p) => Found::Places(p),
                        Err(e) => Found::Failed(format!("The search failed. {e}")),
                    },
                    true,
                );
            }
        });
        in_flight.set_value(handle);
    };
    let on_text = move |text: String| {
        let text = text.trim().to_owned();
        let Some(ticket) = typed.try_update_value(|t| {
            *t += 1;
            *t
        }) else {
            return;
        };
        if text.chars().count() < 2 {
            abort();
            return set(Found::Idle, false);
        }
        crate::state::tasks::after(Duration::from_millis(DEBOUNCE_MS), move || {
            if typed.try_get_value() == Some(ticket) {
                search(text, ticket);
            }
        });
    };
    // What was typed before this code was loaded (too little, or nothing, keeps the popup idle).
    on_text(input.value());
    let pick = move |i: usize| {
        let Some(p) = popup.with_untracked(|s| s.places().get(i).cloned()) else {
            return;
        };
        typed.update_value(|t| *t += 1);
        field.with_value(|el| el.set_value(""));
        set(Found::Idle, false);
        place.choose(p);
    };
    let on_key = move |e: ev::KeyboardEvent| {
        let (n, open, active) = popup.with_untracked(|s| (s.places().len(), s.open, s.active));
        let shown = open && n > 0;
        let next = match e.key().as_str() {
            "ArrowDown" if n > 0 => active.map_or(0, |a| (a + 1) % n),
            "ArrowUp" if n > 0 => active.map_or(n - 1, |a| (a + n - 1) % n),
            "Home" if shown => 0,
            "End" if shown => n - 1,
            "Enter" if shown => {
                e.prevent_default();
                return pick(active.unwrap_or(0));
            }
            "Escape" if open => {
                e.prevent_default();
                return popup.update(|s| s.open = false);
            }
            "Escape" => {
                typed.update_value(|t| *t += 1);
                abort();
                field.with_value(|el| el.set_value(""));
                return set(Found::Idle, false);
            }
            _ => return,
        };
        e.prevent_default();
        popup.update(|s| {
            s.open = true;
            s.active = Some(next);
        });
    };
    // The input's states, and the highlighted option scrolled into view.
    let el = input.clone();
    Effect::new(move || {
        let (open, active) = popup.with(|s| (s.open, s.active.filter(|_| s.open)));
        let _ = el.set_attribute("aria-expanded", if open { "true" } else { "false" });
        match active {
            Some(i) => {
                let id = format!("{OPTION_ID}{i}");
                let _ = el.set_attribute("aria-activedescendant", &id);
                let option = el
                    .parent_element()
                    .and_then(|p| p.query_selector(&format!("#{id}")).ok().flatten());
                if let Some(o) = option {
                    o.scroll_into_view_with_bool(false);
                }
            }
            None => {
                let _ = el.remove_attribute("aria-activedescendant");
            }
        }
    });
    // The options as HTML text (see [`super::html`]): one click listener on the list.
    let options = move || {
        popup.with(|s| {
            let mut html = String::new();
            for (i, p) in s.places().iter().enumerate() {
                html.push_str(&format!(
                    "<li role=\"option\" id=\"{OPTION_ID}{i}\" class=\"search-option\" data-i=\"{i}\" aria-selected=\"{}\"><span class=\"search-name\">{}</span> <span class=\"search-region\">{}</span></li>",
                    s.active == Some(i),
                    text(&p.name),
                    text(&p.region()),
                ));
            }
            html
        })
    };
    let click = move |e: ev::MouseEvent| {
        if let Some(i) = html::target(&e, "[data-i]").and_then(|o| html::row(&o)) {
            pick(i);
        }
    };
    let target: &web_sys::EventTarget = &input;
    listen(target, "input", move |e: web_sys::Event| {
        on_text(event_target_value(&e))
    });
    listen(target, "keydown", on_key);
    listen(target, "focus", move |_: web_sys::Event| {
        popup.update(|s| s.open = s.found != Found::Idle)
    });
    if let Some(search) = input.parent_element() {
        listen(&search, "focusout", move |_: web_sys::Event| {
            popup.update(|s| s.open = false)
        });
    }
    let _ = input.set_attribute("aria-controls", LIST_ID);
    view! {
        <div class="search-popup" hidden=move || !popup.with(|s| s.open)>
            // The field keeps the focus (a mousedown would take it) while an option is clicked.
            <ul
                role="listbox"
                id=LIST_ID
                aria-label="Places found"
                hidden=move || popup.with(|s| s.places().is_empty())
                inner_html=options
                on:mousedown=|e: ev::MouseEvent| e.prevent_default()
                on:click=click
            ></ul>
            <p class="search-message" role="status">{move || popup.with(Popup::message)}</p>
        </div>
    }
    .into_any()
}

/// Calls `f` on each `name` event at `target`. The listener is never removed, nor its closure
/// freed: the field it listens to lasts as long as its dashboard (four small closures for each
/// dashboard built; after one is removed, their signals are gone and they do nothing).
fn listen<E: wasm_bindgen::convert::FromWasmAbi + 'static>(
    target: &web_sys::EventTarget,
    name: &str,
    f: impl Fn(E) + 'static,
) {
    use wasm_bindgen::JsCast;
    let f = wasm_bindgen::closure::Closure::<dyn Fn(E)>::new(f);
    let _ = target.add_event_listener_with_callback(name, f.as_ref().unchecked_ref());
    f.forget();
}
