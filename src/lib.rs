//! Isobar: a weather dashboard that runs in the browser as WebAssembly.
//!
//! [`start`] reads the configuration from the query string, replaces the static skeleton of
//! `index.html` with the live [`app::App`] (same layout, so nothing shifts), and every card
//! fills as soon as the API call that feeds it returns. [`mount`] ([`embed`]) does the same into
//! any element, for the `<isobar-weather>` custom element (`widget.js`), which can put several
//! on one page. The logic that needs no browser lives in `isobar-core`.
//!
//! * [`app`]: the page; creates and provides the [`state`] and the [`live`] feed.
//! * [`state`]: settings, clock, place, the API feeds: one module and one context each.
//! * [`live`]: the WebSocket to the relay, as a hook with `start`/`close`.
//! * [`components`]: the header and one file per card.
//! * [`api`], [`zone`], [`geo`]: the browser's fetch, `Intl` time zones and geolocation.
//! * [`split`]: the tools' code, loaded on first use (split out of the first visit).
//! * [`early`]: the calls `index.html` started before the WebAssembly had loaded, taken over.

// No indexing of a `str` by range, as in `isobar-core` (its `lib.rs` says why).
#![cfg_attr(not(test), warn(clippy::string_slice))]

pub mod api;
pub mod app;
pub mod components;
pub mod early;
pub mod embed;
pub mod geo;
pub mod live;
pub mod split;
pub mod state;
pub mod storage;
pub mod zone;

pub use embed::{mount, Widget};

use isobar_core::prefs;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The allocator: Talc, made for WebAssembly, is smaller than the standard library's dlmalloc
/// (and faster).
#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// The message shown if the dashboard stops on an internal error.
pub const FATAL_MESSAGE: &str =
    "Isobar stopped because of an internal error. Reload the page to try again.";

/// Shows [`FATAL_MESSAGE`] in the page (and the details in the console) on a panic, so a
/// panic never leaves a blank or silently frozen page.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("fatal"))
        {
            el.set_text_content(Some(FATAL_MESSAGE));
            let _ = el.remove_attribute("hidden");
        }
        // Widgets show it in their own shadow roots (widget.js listens).
        if let (Some(w), Ok(e)) = (web_sys::window(), web_sys::Event::new("isobar:fatal")) {
            let _ = w.dispatch_event(&e);
        }
    }));
}

/// Starts the dashboard in the page's `#app` element, configured by the page's query string.
/// A page without `#app` (one that only hosts widgets) is left alone.
///
/// The dashboard is set up in short tasks after the one that compiled and started the
/// WebAssembly (the stored settings read in one, the dashboard built in the next, each card in
/// one of its own: see `embed::mount_as` and `app::App`), so a slow phone stays responsive; the
/// page's static placeholders are shown meanwhile.
pub fn start() {
    install_panic_hook();
    crate::state::tasks::after(std::time::Duration::ZERO, start_now);
}

fn start_now() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let query = window.location().search().unwrap_or_default();
    early::opened(&query);
    let root = window
        .document()
        .and_then(|d| d.get_element_by_id("app"))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(root) = root {
        let framed = window
            .top()
            .ok()
            .flatten()
            .is_some_and(|top| JsValue::from(top) != JsValue::from(&window));
        // The page's own dashboard adds the settings the viewer stored (the address wins, and
        // a stored value this version cannot read is dropped by `with_stored`); an iframe is
        // configured by its snippet alone. Read in this task, drawn in the next: the first
        // read of the browser's storage is slow on a phone.
        let query = if framed {
            query
        } else {
            let stored = storage::read(prefs::STORAGE_KEY).unwrap_or_default();
            prefs::with_stored(&stored, &query)
        };
        let embedded = framed.then_some(embed::Embedded::Iframe);
        crate::state::tasks::after(std::time::Duration::ZERO, move || {
            embed::mount_as(root, &query, embedded).keep()
        });
    }
}
