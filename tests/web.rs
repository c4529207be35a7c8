//! Browser tests of components: mount, act, tick, assert on the DOM (wasm-bindgen-test in
//! headless Chromium).
#![cfg(target_arch = "wasm32")]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use isobar::components::card::Card;
use isobar::state::load::Load;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn container() -> web_sys::HtmlElement {
    let doc = web_sys::window().unwrap().document().unwrap();
    let el = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&el).unwrap();
    el.unchecked_into()
}

#[wasm_bindgen_test]
async fn card_goes_from_placeholder_to_value_and_retries_after_an_error() {
    let root = container();
    let state = RwSignal::new(Load::<u32>::Loading);
    let retries = Arc::new(AtomicUsize::new(0));
    let counted = retries.clone();
    let retry = Callback::new(move |()| {
        counted.fetch_add(1, Ordering::SeqCst);
    });
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! {
            <Card id="test" title="Test" state=state.into() retry body=|v: u32| view! { <p class="value">{v}</p> }/>
        }
    });
    let card = root.query_selector("[data-card=test]").unwrap().unwrap();
    assert_eq!(card.get_attribute("data-state").as_deref(), Some("loading"));
    assert_eq!(card.get_attribute("aria-busy").as_deref(), Some("true"));
    assert!(root.query_selector(".placeholder").unwrap().is_some());

    state.set(Load::Ready(21));
    leptos::task::tick().await;
    assert_eq!(card.get_attribute("data-state").as_deref(), Some("ready"));
    assert_eq!(card.get_attribute("aria-busy").as_deref(), Some("false"));
    let value = root.query_selector(".value").unwrap().unwrap();
    assert_eq!(value.text_content().as_deref(), Some("21"));
    assert!(root.query_selector(".placeholder").unwrap().is_none());

    state.set(Load::Failed(
        "The weather service could not be reached.".into(),
    ));
    leptos::task::tick().await;
    assert_eq!(card.get_attribute("data-state").as_deref(), Some("error"));
    let alert = root.query_selector("[role=alert]").unwrap().unwrap();
    assert!(alert
        .text_content()
        .unwrap()
        .contains("could not be reached"));
    let button: web_sys::HtmlElement = root
        .query_selector("button.retry")
        .unwrap()
        .unwrap()
        .unchecked_into();
    button.click();
    button.click();
    assert_eq!(retries.load(Ordering::SeqCst), 2);
}

#[wasm_bindgen_test]
fn a_zone_the_browser_does_not_know_uses_the_api_offset_labelled() {
    use isobar::zone::Zone;
    use isobar_core::clock::ZoneOffsets;
    let known = Zone {
        name: "Asia/Kathmandu".into(),
        fallback_offset: 0,
    };
    assert!(known.known());
    assert_eq!(known.fallback_label(), None);
    assert_eq!(known.offset_at(1_700_000_000), 20_700);
    let unknown = Zone {
        name: "Mars/Olympus_Mons".into(),
        fallback_offset: -12_600,
    };
    assert!(!unknown.known());
    assert_eq!(unknown.offset_at(1_700_000_000), -12_600);
    assert_eq!(unknown.fallback_label().as_deref(), Some(" (UTC-03:30)"));
}
