//! End-to-end: the built release bundle in headless Chromium against the simulator.

use crate::support::Harness;
use isobar_simulator::faults::{Endpoint, Fault};

/// The page paints its placeholders at once, then every card fills, with no console errors.
#[tokio::test]
async fn bundle_renders_every_card_against_the_simulator() {
    let h = Harness::start(1280, 1500).await;
    // Hold every answer back so the placeholders can be seen.
    for e in Endpoint::ALL {
        h.sim.state.set_fault(
            e,
            Fault {
                delay_ms: Some(1500),
                ..Fault::default()
            },
        );
    }
    h.client
        .goto(&h.url("lat=52.52&lon=13.41&name=Berlin"))
        .await
        .unwrap();
    let states = h.card_states().await;
    let ids: Vec<&String> = states.as_object().unwrap().keys().collect();
    assert_eq!(ids.len(), 7, "{states}");
    assert!(
        states.as_object().unwrap().values().all(|v| v == "loading"),
        "{states}"
    );
    let visible_placeholders = h
        .js("return [...document.querySelectorAll('[data-card] .placeholder')].filter(p => p.getBoundingClientRect().height > 0).length")
        .await;
    assert_eq!(visible_placeholders, 7);
    let busy = h
        .js("return document.querySelectorAll('[data-card][aria-busy=true]').length")
        .await;
    assert_eq!(busy, 7);

    h.wait_all_ready().await;
    let temp = h.js("return document.querySelector('[data-card=current] [data-value=temperature]').textContent").await;
    assert!(temp.as_str().unwrap().ends_with("°C"), "{temp}");
    let name = h
        .js("return document.querySelector('.place-name').textContent")
        .await;
    assert_eq!(name, "Berlin");
    let errors = h.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    let shot = h.screenshot("e2e-desktop-berlin").await;
    assert!(std::fs::metadata(&shot).unwrap().len() > 10_000);
    h.close().await;
}

/// At phone width in the dark theme the cards stack in one column, nothing overflows sideways,
/// and every card still fills.
#[tokio::test]
async fn phone_width_dark_theme_stacks_the_cards() {
    let h = Harness::start(390, 2400).await;
    h.client
        .goto(&h.url("lat=-33.87&lon=151.21&name=Sydney&theme=dark"))
        .await
        .unwrap();
    h.wait_all_ready().await;
    assert_eq!(h.js("return window.innerWidth").await, 390);
    let overflow = h
        .js("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        .await;
    assert_eq!(overflow, 0, "horizontal overflow at 390 px");
    let lefts = h
        .js("return [...document.querySelectorAll('[data-card]')].map(e => Math.round(e.getBoundingClientRect().left))")
        .await;
    let lefts: Vec<i64> = lefts
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    assert!(
        lefts.windows(2).all(|w| w[0] == w[1]),
        "one column: {lefts:?}"
    );
    let theme = h
        .js("return document.querySelector('.isobar').dataset.theme")
        .await;
    assert_eq!(theme, "dark");
    let bg = h
        .js("return getComputedStyle(document.querySelector('.isobar')).backgroundColor")
        .await;
    assert_eq!(bg, "rgb(14, 22, 33)");
    assert!(h.console_errors().await.is_empty());
    h.screenshot("e2e-phone-sydney-dark").await;
    h.close().await;
}
