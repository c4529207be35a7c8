//! Embedding: [`mount`] puts a dashboard into any element (the `<isobar-weather>` custom
//! element of `widget.js` calls it, and can put several on one page), and a dashboard framed
//! by another page reports its height so the host can size the iframe.

use isobar_core::config::Config;
use isobar_core::prefs;
use isobar_core::weather::Place;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::app::App;

/// Where the dashboard is shown, when not as a page of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Embedded {
    /// In an iframe: as tall as its content, which it posts to the parent page.
    Iframe,
    /// In an `<isobar-weather>` element's shadow root.
    Widget,
}

impl Embedded {
    /// The value of the root's `data-embedded` attribute.
    pub fn name(self) -> &'static str {
        match self {
            Embedded::Iframe => "iframe",
            Embedded::Widget => "widget",
        }
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
    pub(crate) fn keep(mut self) {
        std::mem::forget(self.handle.take());
    }
}

/// Mounts a dashboard into `root`, configured by `query`, a query string with the options of
/// the page's address (`lat=52.52&lon=13.41&cards=current,uv`). What `root` holds (a static
/// skeleton of the same layout) stays until the dashboard is built, a few tasks later, and is
/// then replaced by it.
#[wasm_bindgen]
pub fn mount(root: web_sys::HtmlElement, query: &str) -> Widget {
    mount_as(root, query, Some(Embedded::Widget))
}

/// [`mount`], for a page of its own (`embedded` `None`, `query` then holding the viewer's
/// stored settings too) or framed.
pub(crate) fn mount_as(
    root: web_sys::HtmlElement,
    query: &str,
    embedded: Option<Embedded>,
) -> Widget {
    let (config, errors) = Config::from_query(query);
    let query = query.to_owned();
    let _ = root.class_list().add_1("isobar-mount");
    // Built off the page, in a few tasks (each card in one of its own, see `App`), and then
    // shown whole in place of what `root` held (the page's static skeleton, the same layout):
    // a slow phone stays responsive, and nothing moves.
    let Ok(built) = root
        .owner_document()
        .map_or(Err(JsValue::NULL), |d| d.create_element("div"))
    else {
        return Widget { handle: None };
    };
    let handle = leptos::mount::mount_to(built.clone().unchecked_into(), move || {
        leptos::view! { <App config query errors embedded/> }
    });
    crate::state::tasks::after(std::time::Duration::ZERO, move || {
        root.set_inner_html("");
        while let Some(node) = built.first_child() {
            let _ = root.append_child(&node);
        }
    });
    Widget {
        handle: Some(Box::new(handle)),
    }
}

/// Writes the view (the place, when `place` is given, and each setting that differs from the
/// default) into the address bar with `history.replaceState`, keeping every other parameter and
/// the fragment: the address can be shared or bookmarked and shows the same.
pub fn write_address(config: &Config, place: Option<&Place>) {
    let Some(w) = web_sys::window() else { return };
    let location = w.location();
    let current = location.search().unwrap_or_default();
    let next = prefs::address(&current, config, place);
    if next == current.trim_start_matches('?') {
        return;
    }
    let path = location.pathname().unwrap_or_default();
    let hash = location.hash().unwrap_or_default();
    let url = if next.is_empty() {
        format!("{path}{hash}")
    } else {
        format!("{path}?{next}{hash}")
    };
    if let Ok(history) = w.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
}

/// The name of the event a widget's element sends when its place or settings change; its
/// `detail` is the view as a query string of attributes (`lat=…&lon=…&name=…&temp=f`).
pub const CHANGE_EVENT: &str = "isobar-change";

/// Sends [`CHANGE_EVENT`] from `el` (inside a widget's shadow root: it crosses to the host
/// element and bubbles on).
pub fn tell_host(el: &web_sys::Element, config: &Config, place: Option<&Place>) {
    let init = web_sys::CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(&JsValue::from_str(&prefs::address("", config, place)));
    if let Ok(e) = web_sys::CustomEvent::new_with_event_init_dict(CHANGE_EVENT, &init) {
        let _ = el.dispatch_event(&e);
    }
}

/// The message an iframed dashboard posts to its parent when its height changes:
/// `{"type": "isobar:height", "height": <CSS pixels>}`.
pub const HEIGHT_MESSAGE: &str = "isobar:height";

/// Posts the document's content height to the parent page whenever it changes, so the host
/// can size the iframe with no scrollbar. Returns the observer, to disconnect.
pub fn report_height() -> Option<web_sys::ResizeObserver> {
    let window = web_sys::window()?;
    let body = window.document()?.body()?;
    let last = std::cell::Cell::new(0.0);
    let post = Closure::<dyn FnMut()>::new({
        let body = body.clone();
        move || {
            let height = body.get_bounding_client_rect().height().ceil();
            if height == last.get() {
                return;
            }
            last.set(height);
            let msg = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&msg, &"type".into(), &HEIGHT_MESSAGE.into());
            let _ = js_sys::Reflect::set(&msg, &"height".into(), &height.into());
            if let Ok(Some(parent)) = window.parent() {
                let _ = parent.post_message(&msg, "*");
            }
        }
    });
    let observer = web_sys::ResizeObserver::new(post.as_ref().unchecked_ref()).ok()?;
    observer.observe(&body);
    post.forget(); // One per page, for its whole life.
    Some(observer)
}
