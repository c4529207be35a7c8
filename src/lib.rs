//! Isobar: a weather dashboard that runs in the browser as WebAssembly.
//!
//! [`start`] reads the configuration from the query string, replaces the static skeleton of
//! `index.html` with the live [`app::App`] (same layout, so nothing shifts), and every card
//! fills as soon as the API call that feeds it returns. [`mount`] does the same into any
//! element, for the `<isobar-weather>` custom element (`widget.js`), which can put several on
//! one page. The logic that needs no browser lives in `isobar-core`.

pub mod api;
pub mod app;
pub mod components;
pub mod geo;
pub mod live;
pub mod load;
pub mod time;

use isobar_core::config::Config;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

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
pub fn start() {
    install_panic_hook();
    let Some(window) = web_sys::window() else {
        return;
    };
    let query = window.location().search().unwrap_or_default();
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
        mount_as(root, &query, framed.then_some(app::Embedded::Iframe)).keep();
    }
}

/// A dashboard mounted by [`mount`]: dropping it (or [`Widget::unmount`]) removes it, stops
/// its requests and closes its live connection.
#[wasm_bindgen]
pub struct Widget {
    handle: Option<Box<dyn std::any::Any>>,
}

#[wasm_bindgen]
impl Widget {
    /// Removes the dashboard: its elements, its requests in flight, its live connection and its
    /// timers.
    pub fn unmount(&mut self) {
        self.handle.take();
    }
}

impl Widget {
    /// Keeps the dashboard for the life of the page.
    fn keep(mut self) {
        std::mem::forget(self.handle.take());
    }
}

/// Mounts a dashboard into `root` (emptied first: a static skeleton is replaced by the same
/// layout, now live), configured by `query`, a query string with the options of the page's
/// address (`lat=52.52&lon=13.41&cards=current,uv`).
#[wasm_bindgen]
pub fn mount(root: web_sys::HtmlElement, query: &str) -> Widget {
    mount_as(root, query, Some(app::Embedded::Widget))
}

fn mount_as(root: web_sys::HtmlElement, query: &str, embedded: Option<app::Embedded>) -> Widget {
    let (config, errors) = Config::from_query(query);
    root.set_inner_html("");
    let _ = root.class_list().add_1("isobar-mount");
    let handle = leptos::mount::mount_to(root, move || {
        leptos::view! { <app::App config errors embedded/> }
    });
    Widget {
        handle: Some(Box::new(handle)),
    }
}
