//! Isobar: a weather dashboard that runs in the browser as WebAssembly.
//!
//! [`start`] reads the configuration from the query string, replaces the static skeleton of
//! `index.html` with the live [`app::App`] (same layout, so nothing shifts), and every card
//! fills as soon as the API call that feeds it returns. The logic that needs no browser lives
//! in `isobar-core`.

pub mod api;
pub mod app;
pub mod components;
pub mod geo;
pub mod live;
pub mod load;
pub mod time;

use isobar_core::config::Config;
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
    }));
}

/// Starts the dashboard in the page's `#app` element (or `<body>` when there is none).
pub fn start() {
    install_panic_hook();
    let window = web_sys::window().expect("a browser window");
    let query = window.location().search().unwrap_or_default();
    let (config, errors) = Config::from_query(&query);
    let document = window.document().expect("a document");
    let root = document
        .get_element_by_id("app")
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        .or_else(|| document.body());
    let Some(root) = root else { return };
    // The static skeleton is replaced by the same layout, now live.
    root.set_inner_html("");
    leptos::mount::mount_to(root, move || {
        leptos::view! { <app::App config errors/> }
    })
    .forget();
}
