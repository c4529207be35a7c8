//! The tools' code (the place search, the places and settings panels, "Use my location") is a
//! WebAssembly module of its own (`src/split.rs`, split by `cargo xtask build`): a first visit
//! does not load it; the first use does, and what was typed before it came is searched for; a
//! load that fails says so and is tried again at the next use.

use std::time::Duration;

use serde_json::json;

use crate::support::{dist_dir, Harness};

/// A script: how many times the page has loaded a split module.
const SPLIT_LOADS: &str = "return performance.getEntriesByType('resource').filter(e => e.name.includes('/isobar-split-')).length";

/// The search field.
const COMBOBOX: &str = "input[role=combobox][aria-label='Search for a place']";

/// Blocks the page's requests to URLs matching `pattern` (none if empty), bypassing the service
/// worker (whose copy would answer them).
async fn block(h: &Harness, pattern: &str) {
    h.cdp("Network.enable", json!({})).await;
    h.cdp("Network.setBypassServiceWorker", json!({ "bypass": true }))
        .await;
    let urls: Vec<&str> = [pattern].into_iter().filter(|p| !p.is_empty()).collect();
    h.cdp("Network.setBlockedURLs", json!({ "urls": urls }))
        .await;
}

/// The build has split modules (the tools', the live feed's), and the service worker caches
/// them (the tools work offline).
#[test]
fn the_build_has_a_split_module_and_the_worker_caches_it() {
    let dist = dist_dir();
    let split: Vec<String> = std::fs::read_dir(&dist)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("isobar-split-") && n.ends_with(".wasm"))
        .collect();
    for name in ["split_tools", "split_live"] {
        assert!(
            split.iter().any(|s| s.contains(name)),
            "a module {name}: {split:?}"
        );
    }
    let sw = std::fs::read_to_string(dist.join("sw.js")).unwrap();
    for s in &split {
        assert!(sw.contains(s), "the service worker caches {s}");
    }
    let js = std::fs::read_dir(&dist)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|n| n.starts_with("isobar-") && n.ends_with(".js") && !n.contains("widget"))
        .unwrap();
    let glue = std::fs::read_to_string(dist.join(js)).unwrap();
    for s in &split {
        assert!(glue.contains(s), "the script loads {s} by its name");
    }
    assert!(
        !glue.replace(' ', "").contains("from\"./__wasm_split.js\""),
        "the loader is in the script, not a file of its own"
    );
}

/// A first visit, filled, has loaded no split module (no live feed asked for); focusing the
/// search field loads the tools', and text typed at once (before it came) is searched for.
#[tokio::test]
async fn the_tools_are_loaded_on_first_use_and_what_was_typed_is_searched() {
    let h = Harness::start(1280, 1000).await;
    h.client
        .goto(&h.url("lat=52.52&lon=13.41&name=Berlin"))
        .await
        .unwrap();
    h.wait_all_ready().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(h.js(SPLIT_LOADS).await, 0, "not loaded by the first visit");

    // Focus and type in the same script: the keys come before the module can.
    h.client
        .execute(
            "const f = document.querySelector(arguments[0]); f.focus(); f.value = 'Toky'; \
             f.dispatchEvent(new Event('input', { bubbles: true })); return true;",
            vec![json!(COMBOBOX)],
        )
        .await
        .unwrap();
    h.wait_js(
        "Tokyo offered",
        "const l = document.querySelector('[role=listbox]'); return !!l && !l.hidden \
           && [...l.querySelectorAll('[role=option]')].some(o => o.textContent.includes('Tokyo'))",
        10,
    )
    .await;
    assert_eq!(
        h.js("return performance.getEntriesByType('resource').filter(e => e.name.includes('/isobar-split-split_tools-')).length").await,
        1,
        "the tools' module loaded once"
    );
    let loads = h.js(SPLIT_LOADS).await;
    assert_eq!(
        h.js(&format!(
            "return document.querySelector(\"{COMBOBOX}\").getAttribute('aria-expanded')"
        ))
        .await,
        "true"
    );
    // The other tools use the same module: no second load.
    h.click("button[aria-controls=isobar-settings]").await;
    h.wait_js(
        "the settings panel",
        "return !!document.querySelector('#isobar-settings select')",
        5,
    )
    .await;
    assert_eq!(h.js(SPLIT_LOADS).await, loads, "nothing loaded again");
    h.close().await;
}

/// With the module unreachable (no service worker copy), opening a panel says so in plain
/// words and the cards stay; once it is reachable, the next use loads it and the words go.
#[tokio::test]
async fn a_tools_load_that_fails_says_so_and_the_next_use_tries_again() {
    let h = Harness::start(1280, 1000).await;
    block(&h, "*isobar-split-*").await;
    h.client
        .goto(&h.url("lat=52.52&lon=13.41&name=Berlin"))
        .await
        .unwrap();
    h.wait_all_ready().await;
    let settings = "button[aria-controls=isobar-settings]";
    h.click(settings).await;
    h.wait_js(
        "the failure said",
        "return document.querySelector('.locate-error').textContent.includes('could not be loaded')",
        10,
    )
    .await;
    assert_eq!(
        h.js("return !!document.querySelector('#isobar-settings')")
            .await,
        false
    );
    assert_eq!(
        h.js("const p = document.querySelector('p.panel[role=status]'); return !!p && !p.hidden")
            .await,
        false,
        "no panel left saying it is loading"
    );
    // The rest keeps working.
    h.wait_all_ready().await;

    block(&h, "").await;
    h.click(settings).await; // closes
    h.click(settings).await; // opens: tried again
    h.wait_js(
        "the settings panel",
        "return !!document.querySelector('#isobar-settings select')",
        10,
    )
    .await;
    assert_eq!(
        h.text(".locate-error").await,
        "",
        "the failure no longer said"
    );
    h.close().await;
}

/// With the live feed's module unreachable, the feed behaves as with a relay that cannot be
/// reached: the badge says it is reconnecting and the cards stay; once the module can be
/// loaded, the next attempt loads it and the feed goes live.
#[tokio::test]
async fn a_live_module_that_cannot_load_is_a_closed_socket_and_is_tried_again() {
    let h = Harness::start(1280, 1000).await;
    let relay = isobar_relay::spawn(isobar_relay::config::Config {
        listen: "127.0.0.1:0".into(),
        forecast_url: format!("http://{}/v1/forecast", h.sim.addr),
        ..Default::default()
    })
    .await
    .unwrap();
    block(&h, "*isobar-split-split_live-*").await;
    h.client
        .goto(&h.url(&format!(
            "lat=52.52&lon=13.41&name=Berlin&live=ws://{}/live",
            relay.addr
        )))
        .await
        .unwrap();
    h.wait_all_ready().await;
    h.wait_js(
        "reconnecting",
        "return document.querySelector('.live-status').dataset.live === 'reconnecting'",
        10,
    )
    .await;
    h.wait_all_ready().await;

    block(&h, "").await;
    h.wait_js(
        "live once the module loads",
        "return document.querySelector('.live-status').dataset.live === 'live'",
        20,
    )
    .await;
    h.close().await;
}
