//! The calls `index.html`'s first script started before the WebAssembly had loaded
//! (`window.isobarEarly`: URL → its `fetch` promise and `AbortController`), taken over by the
//! request for the same URL ([`take`]), and the calls this address makes, noted for its next
//! visit ([`note`]). Which calls the script starts is [`isobar_core::early`]'s rule.

use isobar_core::early;
use wasm_bindgen::{JsCast, JsValue};

use crate::storage;

/// The call to `url` the page started early, if it did: its `fetch` promise and controller.
/// Each is taken once.
pub fn take(url: &str) -> Option<(js_sys::Promise, web_sys::AbortController)> {
    // Throws (so `None`) when the script started nothing: `isobarEarly` is then undefined.
    let calls = js_sys::Reflect::get(&js_sys::global(), &"isobarEarly".into()).ok()?;
    let key = JsValue::from_str(url);
    let call = js_sys::Reflect::get(&calls, &key).ok()?;
    if call.is_undefined() {
        return None;
    }
    let _ = js_sys::Reflect::delete_property(calls.unchecked_ref::<js_sys::Object>(), &key);
    let call: js_sys::Array = call.unchecked_into();
    Some((call.get(0).unchecked_into(), call.get(1).unchecked_into()))
}

thread_local! {
    /// The query string the page was opened with ([`opened`]), and the one it showed when its
    /// first call answered (after the dashboard had written the view into the address).
    static ADDRESSES: std::cell::RefCell<(Option<String>, Option<String>)> =
        const { std::cell::RefCell::new((None, None)) };
}

fn search() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// Remembers the address the page was opened with, before the dashboard rewrites it: a visit
/// to it again starts the calls of the view it opened.
pub fn opened() {
    ADDRESSES.with_borrow_mut(|a| a.0 = Some(search()));
}

/// Notes that the view shown called `url`, so that the next visit to its address (the one in
/// the address bar now, and the one the page was opened with while the view is still that
/// one) starts the call before the WebAssembly has loaded.
pub fn note(url: &str) {
    let now = search();
    let (opened, first) = ADDRESSES.with_borrow_mut(|a| {
        let first = a.1.get_or_insert_with(|| now.clone()).clone();
        (a.0.clone(), first)
    });
    let mut searches = vec![now.as_str()];
    if let Some(opened) = opened.as_deref().filter(|o| now == first && *o != now) {
        searches.push(opened);
    }
    let text = storage::read(early::STORAGE_KEY).unwrap_or_default();
    if let Some(next) = early::note(&text, &searches, url) {
        storage::write(early::STORAGE_KEY, &next);
    }
}
