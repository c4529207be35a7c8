//! The viewer's location, when they ask for it and allow it.

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// Asks the browser where the viewer is. Call it only after they asked (a button): a prompt on
/// load is an intrusion (and Lighthouse counts it). The error says why not, in words: they
/// refused, the browser cannot tell, or no answer came within `timeout_ms` (a permission prompt
/// left open counts as no answer).
pub async fn locate(timeout_ms: i32) -> Result<(f64, f64), String> {
    const UNAVAILABLE: &str = "Your location is not available in this browser.";
    let window = web_sys::window().ok_or(UNAVAILABLE)?;
    let geolocation = window.navigator().geolocation().map_err(|_| UNAVAILABLE)?;
    let asked = js_sys::Promise::new(&mut |resolve, reject| {
        let options = web_sys::PositionOptions::new();
        options.set_timeout(timeout_ms.max(0) as u32);
        options.set_maximum_age(600_000);
        if geolocation
            .get_current_position_with_error_callback_and_options(&resolve, Some(&reject), &options)
            .is_err()
        {
            let _ = reject.call0(&JsValue::NULL);
        }
    });
    let timer = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, timeout_ms);
    });
    let field = |v: &JsValue, k: &str| js_sys::Reflect::get(v, &k.into()).ok();
    match JsFuture::from(js_sys::Promise::race(&js_sys::Array::of2(&asked, &timer))).await {
        // The timer resolves with `undefined`; a position has `coords`.
        Ok(first) => {
            let coords = field(&first, "coords").filter(|c| c.is_object());
            let get = |k| coords.as_ref().and_then(|c| field(c, k)?.as_f64());
            match (get("latitude"), get("longitude")) {
                (Some(lat), Some(lon)) => Ok((lat, lon)),
                _ => Err("Your location did not come in time. Try again, or search for a place.".into()),
            }
        }
        // A GeolocationPositionError: 1 refused, 2 unavailable, 3 timed out.
        Err(e) => Err(match field(&e, "code").and_then(|c| c.as_f64()) {
            Some(1.0) => "Your location was not shared (the permission was refused). Search for a place instead.",
            Some(3.0) => "Your location did not come in time. Try again, or search for a place.",
            _ => "Your location could not be found. Search for a place instead.",
        }
        .into()),
    }
}
