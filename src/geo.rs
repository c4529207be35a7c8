//! The viewer's location, when they allow it.

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// Asks the browser where the viewer is. `None` if they refuse, the browser cannot tell, or no
/// answer comes within `timeout_ms` (a permission prompt left open counts as no answer).
pub async fn locate(timeout_ms: i32) -> Option<(f64, f64)> {
    let window = web_sys::window()?;
    let geolocation = window.navigator().geolocation().ok()?;
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
    let first = JsFuture::from(js_sys::Promise::race(&js_sys::Array::of2(&asked, &timer)))
        .await
        .ok()?;
    // The timer resolves with `undefined`; a position has `coords`.
    let coords = js_sys::Reflect::get(&first, &"coords".into()).ok()?;
    let get = |k: &str| js_sys::Reflect::get(&coords, &k.into()).ok()?.as_f64();
    Some((get("latitude")?, get("longitude")?))
}
