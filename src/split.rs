//! The code a first visit does not download:
//!
//! * the tools: the place search, the places and settings panels, and "Use my location". They
//!   are only needed once the viewer reaches for one, so they are loaded when the pointer or the
//!   focus first comes to the tools, or when one is used;
//! * the live feed's socket and the merging of its observations into the shown data, loaded
//!   when the feed starts, on pages with a relay (`live=`).
//!
//! The release build splits each into a WebAssembly module of its own (`cargo xtask build`,
//! with `wasm_split_cli_support`; code both use goes to a third, loaded by either). On every
//! other build (host tests, `cargo test --target wasm32`) the functions are called directly.
//!
//! [`Tools`] holds plain function pointers into that module: calling one runs under the caller's
//! reactive owner, so the views it returns read the dashboard's context as any other.
//!
//! A load that fails (the network away and no service worker copy) says so in the tools' status
//! line and is tried again at the next use.

// The split macro's loader and its import and export are `unsafe` (see `wasm_split_helpers`).
#![allow(unsafe_code)]

use leptos::prelude::*;
#[cfg(isobar_split)]
use leptos::wasm_split::wasm_split;
use leptos::wasm_split::SplitLoaderError;

use crate::components::{places::PlacesPanel, search::search, settings::SettingsPanel};
use isobar_core::live::Values;

use crate::live::{LiveFeed, Merged};
use crate::state::{feeds::Feeds, place::PlaceState};

/// The entry points of the split module.
#[derive(Clone, Copy)]
pub struct Tools {
    /// The panel of this name (`places` or `settings`).
    pub panel: fn(&str) -> AnyView,
    /// Makes the header's search field the place search, and returns its popup.
    pub search: fn(web_sys::HtmlInputElement) -> AnyView,
    /// Finds the viewer's position and shows its weather.
    pub locate: fn(PlaceState),
}

/// The split point: everything only [`entry`] reaches goes to the split module. Only the
/// release bundle is split (`isobar_split`, see `build.rs`): a module that imports its
/// loader cannot run where nothing provides it (the wasm tests' runner).
#[cfg(isobar_split)]
#[wasm_split(tools, wasm_split_path = ::leptos::wasm_split, fallible)]
fn tools() -> Result<Tools, SplitLoaderError> {
    Ok(entry())
}

/// The tools, at once, in a build that is not split.
#[cfg(not(isobar_split))]
async fn tools() -> Result<Tools, SplitLoaderError> {
    Ok(entry())
}

/// The entry points.
fn entry() -> Tools {
    Tools {
        panel: |name| match name {
            "places" => view! { <PlacesPanel/> }.into_any(),
            "settings" => view! { <SettingsPanel/> }.into_any(),
            _ => ().into_any(),
        },
        search,
        locate: PlaceState::locate,
    }
}

/// A use of the tools, run once they are loaded ([`Loader::with`]).
pub type Use = fn(Tools, PlaceState);

/// The live feed's code: only pages with a relay (`live=`) load it, when the feed starts. Tools
/// and live feed share what both use (the splitter puts it in a module of its own, loaded by
/// either).
#[derive(Clone, Copy)]
pub struct Live {
    /// Opens the feed's socket ([`LiveFeed::connect`]).
    pub connect: fn(LiveFeed, String),
    /// Merges an observation into the shown data ([`Feeds::merge_observation`]).
    pub merge: fn(Feeds, i64, &Values) -> Merged,
}

/// The live feed's entry points.
fn live_entry() -> Live {
    Live {
        connect: LiveFeed::connect,
        merge: Feeds::merge_observation,
    }
}

/// The split point of the live feed's code.
#[cfg(isobar_split)]
#[wasm_split(live, wasm_split_path = ::leptos::wasm_split, fallible)]
fn live() -> Result<Live, SplitLoaderError> {
    Ok(live_entry())
}

/// The live feed's code, at once, in a build that is not split.
#[cfg(not(isobar_split))]
async fn live() -> Result<Live, SplitLoaderError> {
    Ok(live_entry())
}

thread_local! {
    /// The live feed's code, once loaded (for every dashboard on the page: it is one module).
    static LIVE: std::cell::Cell<Option<Live>> = const { std::cell::Cell::new(None) };
}

/// Opens the live feed's socket to `url`, once its code is loaded. If it cannot be, the feed
/// goes on as when a socket closes: it polls, says so in the header, and tries again later.
pub fn connect(feed: LiveFeed, url: String) {
    leptos::task::spawn_local(async move {
        match live().await {
            Ok(live) => {
                LIVE.with(|l| l.set(Some(live)));
                (live.connect)(feed, url);
            }
            Err(_) => feed.closed(url),
        }
    });
}

/// Merges a live observation into `feeds`' shown data. Observations only come through the live
/// feed's socket, whose code brings this; before it is loaded there is nothing to merge.
pub fn merge(feeds: Feeds, time: i64, values: &Values) -> Merged {
    match LIVE.with(std::cell::Cell::get) {
        Some(live) => (live.merge)(feeds, time, values),
        None => Merged::NotShown,
    }
}

/// What is said while a use waits for the tools' module.
pub const LOADING: &str = "Loading…";

/// What is said when the split module could not be loaded.
pub const UNLOADED: &str =
    "The search, places and settings could not be loaded: the network seems to be away. Try again when it is back.";

/// Loads the split module once, on first use, for one dashboard.
#[derive(Clone, Copy)]
pub struct Loader {
    loaded: RwSignal<Option<Tools>>,
    loading: StoredValue<bool>,
    /// What a use asked for while the module was loading ([`Loader::with`]).
    then: StoredValue<Option<Use>>,
}

impl Loader {
    /// A loader with nothing loaded.
    pub fn new() -> Self {
        Self {
            loaded: RwSignal::new(None),
            loading: StoredValue::new(false),
            then: StoredValue::new(None),
        }
    }

    /// The tools if loaded (tracked), without starting a load.
    pub fn loaded(self) -> Option<Tools> {
        self.loaded.get()
    }

    /// The tools if loaded (tracked); else starts loading them, saying so, and a reader is run
    /// again once they are.
    pub fn tools(self, place: PlaceState) -> Option<Tools> {
        let tools = self.loaded.get();
        if tools.is_none() {
            self.start(place, true);
        }
        tools
    }

    /// Runs `f` with the tools: now if they are loaded, else once they are.
    pub fn with(self, place: PlaceState, f: Use) {
        match self.loaded.get_untracked() {
            Some(t) => f(t, place),
            None => {
                self.then.set_value(Some(f));
                self.start(place, true);
            }
        }
    }

    /// Starts loading the tools ahead of their use (the pointer or the focus came to them),
    /// unless they are loaded or loading.
    pub fn load(self, place: PlaceState) {
        self.start(place, false);
    }

    /// Starts loading the tools unless they are loaded or loading, and, when a use waits for
    /// them (`say`), says so in `place`'s status line until they come (a moment on a slow
    /// network). A failure is said there too, and the next use tries again.
    fn start(self, place: PlaceState, say: bool) {
        if self.loaded.get_untracked().is_some() {
            return;
        }
        if say {
            place.locate_error.set(Some(LOADING.to_owned()));
        }
        if self.loading.get_value() {
            return;
        }
        self.loading.set_value(true);
        leptos::task::spawn_local(async move {
            let tools = tools().await;
            if self.loading.try_set_value(false).is_some() {
                return; // the dashboard is gone
            }
            let then = self.then.try_update_value(Option::take).flatten();
            match tools {
                Ok(t) => {
                    // What was said while loading, or of a failure before, is over.
                    place.locate_error.update(|e| {
                        if matches!(e.as_deref(), Some(LOADING | UNLOADED)) {
                            *e = None;
                        }
                    });
                    self.loaded.set(Some(t));
                    if let Some(f) = then {
                        f(t, place);
                    }
                }
                Err(_) => place.locate_error.set(Some(UNLOADED.to_owned())),
            }
        });
    }
}

impl Default for Loader {
    fn default() -> Self {
        Self::new()
    }
}
