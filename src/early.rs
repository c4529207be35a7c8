//! The calls `index.html`'s first script started before the WebAssembly had loaded
//! (`window.isobarEarly`: URL → its `fetch` promise and `AbortController`), taken over by the
//! request for the same URL ([`take`]), and the calls this address makes, noted for its next
//! visit ([`note`]), in storage for the script and told to the service worker, which starts
//! them at the navigation itself. Which calls the script starts is [`isobar_core::early`]'s
//! rule.

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
    /// The addresses of the view shown, as [`early::note`] takes them: the one in the address
    /// bar, and the one the page was opened with if that differs and the view is still the
    /// one of the first answer. Before the first answer, `!` and the address opened.
    static ADDRESSES: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

fn search() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// Remembers the address the page was opened with (its query string, `search`), before the
/// dashboard rewrites it: a visit to it again starts the calls of the view it opened.
pub fn opened(search: &str) {
    ADDRESSES.set(format!("!@{search}"));
}

/// Notes that the view shown called `url`, so that the next visit to its address (the one in
/// the address bar now, and the one the page was opened with while the view is still the one
/// of the first answer) starts the call before the WebAssembly has loaded.
pub fn note(url: &str) {
    let now = format!("@{}", search());
    let searches = ADDRESSES.with_borrow_mut(|a| {
        if let Some(opened) = a.strip_prefix('!') {
            // The first answer: the view the page opened with, in the address it wrote.
            *a = if *opened == now {
                now
            } else {
                format!("{now} {opened}")
            };
        } else if a.split(' ').next() != Some(&now) {
            *a = now; // Another view.
        }
        a.clone()
    });
    let mut text = storage::read(early::STORAGE_KEY).unwrap_or_default();
    if let Some(next) = early::note(&text, &searches, url) {
        storage::write(early::STORAGE_KEY, &next);
        text = next;
    }
    // Changed or not: a worker that took control after the note was written learns it too.
    tell_worker(&text);
}

/// Calls `index.html`'s `isobarTell(note)`, which tells the service worker that controls the
/// page, if one does, the calls noted: `src/sw.js` starts them at the next navigation to a
/// noted address, before the page has even arrived. Where the dashboard is embedded there is
/// no such function, and nothing is told.
fn tell_worker(note: &str) {
    if let Ok(tell) = js_sys::Reflect::get(&js_sys::global(), &"isobarTell".into()) {
        if let Some(tell) = tell.dyn_ref::<js_sys::Function>() {
            let _ = tell.call1(&JsValue::NULL, &note.into());
        }
    }
}
