//! The page as an app: the place search (a WAI-ARIA combobox), kept places, settings in the
//! page, what is stored and what the address says, and "Use my location". Controls are found
//! by role and accessible name, as a screen reader finds them.

use std::time::Duration;

use fantoccini::key::Key;
use isobar_simulator::faults::{Endpoint, Fault};
use serde_json::json;

use crate::support::Harness;

/// The combobox.
const COMBOBOX: &str = "input[role=combobox][aria-label='Search for a place']";

/// A script expression: the button whose accessible name (its `aria-label`, else its text) is
/// `name`, or `undefined`.
fn button(name: &str) -> String {
    format!(
        "[...document.querySelectorAll('button')].find(b => (b.getAttribute('aria-label') || b.textContent.trim()) === {})",
        json!(name)
    )
}

/// Clicks the button called `name`.
async fn press(h: &Harness, name: &str) {
    let found = h
        .js(&format!(
            "const b = {}; if (!b) return false; b.click(); return true;",
            button(name)
        ))
        .await;
    assert_eq!(found, true, "no button “{name}”");
}

/// The text in the search field.
async fn field(h: &Harness) -> serde_json::Value {
    h.js(&format!(
        "return document.querySelector(\"{COMBOBOX}\").value"
    ))
    .await
}

/// Empties the search field (as selecting its text and deleting would).
async fn clear_field(h: &Harness) {
    h.js(&format!(
        "document.querySelector(\"{COMBOBOX}\").value = ''; return true;"
    ))
    .await;
}

/// Sets the settings panel's select labelled `label` to `value`, as a viewer would (a
/// `change` event), inside `root` (a script expression: `document`, or a widget's shadow root).
/// The panel's code is loaded when it is first opened, so this waits for the select (5 s).
async fn choose_setting(h: &Harness, root: &str, label: &str, value: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let done = h
            .client
            .execute(
                &format!("const s = [...({root}).querySelectorAll('select')].find(s => s.labels[0] && s.labels[0].textContent === arguments[0]); if (!s) return false; s.value = arguments[1]; s.dispatchEvent(new Event('change', {{ bubbles: true }})); return true;"),
                vec![json!(label), json!(value)],
            )
            .await
            .unwrap();
        if done == true {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "no setting “{label}”");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// The options shown in the listbox, as their text.
async fn options(h: &Harness) -> Vec<String> {
    let v = h
        .js("const l = document.querySelector('[role=listbox]'); if (!l || l.hidden || l.closest('[hidden]')) return []; return [...l.querySelectorAll('[role=option]')].map(o => o.textContent);")
        .await;
    serde_json::from_value(v).unwrap()
}

async fn wait_options(h: &Harness, what: &str, pred: impl Fn(&[String]) -> bool) -> Vec<String> {
    for _ in 0..200 {
        let o = options(h).await;
        if pred(&o) {
            return o;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "timed out waiting for {what}; options: {:?}",
        options(h).await
    );
}

/// The search popup's message (its live region).
async fn search_message(h: &Harness) -> String {
    h.text(".search-message").await
}

async fn place_name(h: &Harness) -> String {
    h.text(".place-name").await
}

/// The current temperature as shown.
async fn temperature(h: &Harness) -> String {
    h.text("[data-card=current] [data-value=temperature]").await
}

/// Type, arrow down, Enter: the place is shown, every card goes back to its placeholder and
/// fills again, and the address says where. Escape closes the popup, then clears the field.
#[tokio::test]
async fn search_by_keyboard_picks_a_place_and_every_card_refills() {
    let h = Harness::start(1280, 1400).await;
    h.client
        .goto(&h.url("lat=52.52&lon=13.41&name=Berlin"))
        .await
        .unwrap();
    h.wait_all_ready().await;
    // Hold the next answers back, to see the cards go back to their placeholders.
    for e in [Endpoint::Forecast, Endpoint::AirQuality] {
        h.sim.state.set_fault(
            e,
            Fault {
                delay_ms: Some(800),
                times: Some(1),
                ..Fault::default()
            },
        );
    }
    h.type_into(COMBOBOX, "Toky").await;
    let found = wait_options(&h, "Tokyo", |o| o.iter().any(|t| t.contains("Tokyo"))).await;
    assert!(
        found[0].contains("Japan"),
        "region and country shown: {found:?}"
    );
    assert_eq!(
        h.js(&format!(
            "return document.querySelector(\"{COMBOBOX}\").getAttribute('aria-expanded')"
        ))
        .await,
        "true"
    );
    h.type_into(COMBOBOX, &Key::Down.to_string()).await;
    let active = h
        .js(&format!("const i = document.querySelector(\"{COMBOBOX}\"); const id = i.getAttribute('aria-activedescendant'); const o = id && i.getRootNode().getElementById(id); return o ? [o.getAttribute('role'), o.getAttribute('aria-selected'), o.textContent] : null;"))
        .await;
    assert_eq!(active[0], "option");
    assert_eq!(active[1], "true");
    assert!(active[2].as_str().unwrap().contains("Tokyo"), "{active}");
    h.type_into(COMBOBOX, &Key::Enter.to_string()).await;

    h.wait_states("every card back to its placeholder", |s| {
        s.as_object().unwrap().values().all(|v| v == "loading")
    })
    .await;
    h.wait_all_ready().await;
    assert_eq!(place_name(&h).await, "Tokyo");
    let search = h.js("return location.search").await;
    let search = search.as_str().unwrap();
    assert!(
        search.contains("lat=35.6895")
            && search.contains("lon=139.6917")
            && search.contains("name=Tokyo"),
        "the address follows the place: {search}"
    );
    assert!(
        search.contains("forecast_url="),
        "other parameters kept: {search}"
    );
    assert_eq!(
        h.js(&format!(
            "return document.querySelector(\"{COMBOBOX}\").getAttribute('aria-expanded')"
        ))
        .await,
        "false"
    );

    // The pick emptied the field. Escape closes, then clears.
    assert_eq!(field(&h).await, "");
    h.type_into(COMBOBOX, "Lond").await;
    wait_options(&h, "London", |o| o.iter().any(|t| t.contains("London"))).await;
    h.type_into(COMBOBOX, &Key::Escape.to_string()).await;
    assert!(options(&h).await.is_empty(), "Escape closes the popup");
    assert_eq!(field(&h).await, "Lond");
    h.type_into(COMBOBOX, &Key::Escape.to_string()).await;
    assert_eq!(field(&h).await, "");
    assert_eq!(place_name(&h).await, "Tokyo", "Escape changes no place");
    let errors = h.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    h.close().await;
}

/// Nothing found says so; a failed search says what went wrong inside the popup, and the
/// dashboard keeps its place. A name is text, never HTML.
#[tokio::test]
async fn search_says_when_nothing_matches_and_when_it_fails() {
    let h = Harness::start(1280, 1400).await;
    h.client
        .goto(&h.url("lat=52.52&lon=13.41&name=Berlin"))
        .await
        .unwrap();
    h.wait_all_ready().await;
    h.type_into(COMBOBOX, "<b>Xyzzy").await;
    for _ in 0..100 {
        if search_message(&h).await.starts_with("No places match") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(search_message(&h).await, "No places match “<b>Xyzzy”.");
    assert_eq!(
        h.js("return document.querySelectorAll('.search b').length")
            .await,
        0
    );

    for (status, words) in [(500, "The search failed"), (429, "busy")] {
        h.sim.state.set_fault(
            Endpoint::Geocoding,
            Fault {
                status: Some(status),
                ..Fault::default()
            },
        );
        clear_field(&h).await;
        h.type_into(COMBOBOX, &format!("Par{status}")).await;
        let mut said = String::new();
        for _ in 0..100 {
            said = search_message(&h).await;
            if said.contains(words) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(said.contains(words), "{status}: {said}");
        assert!(said.starts_with("The search failed"), "{said}");
        assert_eq!(place_name(&h).await, "Berlin");
        h.wait_all_ready().await;
    }
    h.close().await;
}

/// The answer to older text, however late, never replaces the answer to newer text.
#[tokio::test]
async fn a_slow_answer_for_older_text_never_replaces_a_newer_one() {
    let h = Harness::start(1280, 1400).await;
    h.client
        .goto(&h.url("lat=52.52&lon=13.41&name=Berlin"))
        .await
        .unwrap();
    h.wait_all_ready().await;
    h.sim.state.set_fault(
        Endpoint::Geocoding,
        Fault {
            delay_ms: Some(2000),
            times: Some(1),
            ..Fault::default()
        },
    );
    h.type_into(COMBOBOX, "Berl").await;
    // After the debounce, the slow request is out.
    tokio::time::sleep(Duration::from_millis(700)).await;
    h.type_into(COMBOBOX, &Key::Backspace.to_string().repeat(4))
        .await;
    h.type_into(COMBOBOX, "Lond").await;
    wait_options(&h, "London", |o| o.iter().any(|t| t.contains("London"))).await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let shown = options(&h).await;
    assert!(
        shown.iter().all(|t| !t.contains("Berlin")) && shown.iter().any(|t| t.contains("London")),
        "{shown:?}"
    );
    h.close().await;
}

/// A saved place, the recent ones and the settings survive a reload; a setting applies to
/// every card at once without one; the address's parameters win over what is stored, and the
/// address is rewritten to what is shown.
/// Removing a saved place from the keyboard keeps the focus in the list: on the next row's
/// remove button, or the row before after the last one goes; the list drawn again when the
/// places' weather comes does not take it either.
#[tokio::test]
async fn removing_places_by_keyboard_keeps_the_focus_in_the_list() {
    let h = Harness::start(1280, 1200).await;
    let berlin = h.url("lat=52.52&lon=13.41&name=Berlin");
    h.client.goto(&berlin).await.unwrap();
    h.wait_all_ready().await;
    h.js(r#"localStorage.setItem('isobar:v1:places', JSON.stringify({saved: [
        {name: 'New York', latitude: 40.7128, longitude: -74.006, country: 'United States', timezone: 'America/New_York'},
        {name: 'Tokyo', latitude: 35.6895, longitude: 139.6917, country: 'Japan', timezone: 'Asia/Tokyo'},
        {name: 'Lisbon', latitude: 38.7223, longitude: -9.1393, country: 'Portugal', timezone: 'Europe/Lisbon'}],
        recent: []})); return true;"#)
        .await;
    h.client.goto(&berlin).await.unwrap();
    h.wait_all_ready().await;
    press(&h, "Places").await;
    let saved = "[...document.querySelectorAll('[aria-labelledby=isobar-places-saved] .places-name')].map(n => n.textContent).join(', ')";
    h.wait_js(
        "three saved places, with their weather",
        &format!("return {saved} === 'New York, Tokyo, Lisbon' && [...document.querySelectorAll('.places-now')].every(n => n.textContent.includes('°'))"),
        10,
    )
    .await;
    let focused = "return document.activeElement.getAttribute('aria-label')";

    h.type_into(
        ".places-remove[aria-label='Remove Tokyo']",
        &Key::Enter.to_string(),
    )
    .await;
    h.wait_js(
        "Tokyo gone",
        &format!("return {saved} === 'New York, Lisbon'"),
        5,
    )
    .await;
    assert_eq!(h.js(focused).await, "Remove Lisbon");

    h.type_into(
        ".places-remove[aria-label='Remove Lisbon']",
        &Key::Enter.to_string(),
    )
    .await;
    h.wait_js("Lisbon gone", &format!("return {saved} === 'New York'"), 5)
        .await;
    assert_eq!(h.js(focused).await, "Remove New York");
    let stored = h.stored("isobar:v1:places").await;
    let stored = stored.as_str().unwrap();
    assert!(
        stored.contains("New York") && !stored.contains("Tokyo") && !stored.contains("Lisbon"),
        "{stored}"
    );
    // A place picked from the keyboard is shown.
    h.type_into(".places-pick", &Key::Enter.to_string()).await;
    h.wait_js(
        "New York shown",
        "return document.querySelector('.place-name').textContent === 'New York'",
        10,
    )
    .await;
    h.close().await;
}

#[tokio::test]
async fn places_and_settings_apply_at_once_and_survive_a_reload() {
    let h = Harness::start(1280, 1600).await;
    h.client
        .goto(&h.url("lat=52.52&lon=13.41&name=Berlin"))
        .await
        .unwrap();
    h.wait_all_ready().await;
    h.type_into(COMBOBOX, "Toky").await;
    wait_options(&h, "Tokyo", |o| o.iter().any(|t| t.contains("Tokyo"))).await;
    h.js("document.querySelector('[role=option]').click(); return true;")
        .await;
    h.wait_states("Tokyo", |s| s["current"] == "ready").await;
    h.wait_js(
        "Tokyo shown",
        "return document.querySelector('.place-name').textContent === 'Tokyo'",
        10,
    )
    .await;
    h.wait_all_ready().await;
    press(&h, "Save place").await;
    h.wait_js(
        "the star pressed",
        &format!("return !!{}", button("Remove place")),
        5,
    )
    .await;

    // The places panel: Tokyo saved, Berlin recent, each with its weather now.
    press(&h, "Places").await;
    h.wait_js(
        "the places' weather",
        "const p = document.querySelector('#isobar-places'); return !!p && [...p.querySelectorAll('.places-now')].every(n => n.textContent.includes('°'))",
        10,
    )
    .await;
    let saved = h.text("[aria-labelledby=isobar-places-saved]").await;
    let recent = h.text("[aria-labelledby=isobar-places-recent]").await;
    assert!(
        saved.contains("Tokyo") && !saved.contains("Berlin"),
        "{saved}"
    );
    assert!(recent.contains("Berlin"), "{recent}");
    assert_eq!(
        h.js("return document.querySelector('button[aria-controls=isobar-places]').getAttribute('aria-expanded')").await,
        "true"
    );
    let shot = h.screenshot("app-places-panel-1280").await;
    assert!(std::fs::metadata(shot).unwrap().len() > 10_000);

    // Settings: °F at once, on every card, with no reload (the marker survives).
    press(&h, "Settings").await;
    h.js("window.__sameDocument = true; return true;").await;
    let before = temperature(&h).await;
    assert!(before.ends_with("°C"), "{before}");
    choose_setting(&h, "document", "Temperature", "f").await;
    h.wait_js("°F", "return document.querySelector('[data-card=current] [data-value=temperature]').textContent.endsWith('°F')", 10).await;
    h.wait_js("the daily card in °F", "return [...document.querySelectorAll('[data-card=daily] .day-max')].some(e => e.textContent.includes('°'))", 10).await;
    assert_eq!(h.js("return window.__sameDocument === true").await, true);
    let shot = h.screenshot("app-settings-panel-1280").await;
    assert!(std::fs::metadata(shot).unwrap().len() > 10_000);
    let stored = h.stored("isobar:v1:settings").await;
    assert!(stored.as_str().unwrap().contains("temp=f"), "{stored}");
    let search = h.js("return location.search").await;
    assert!(search.as_str().unwrap().contains("temp=f"), "{search}");

    // A reload with no place in the address: the last place, saved, in °F.
    h.client.goto(&h.url("")).await.unwrap();
    h.wait_all_ready().await;
    assert_eq!(place_name(&h).await, "Tokyo");
    assert!(temperature(&h).await.ends_with("°F"));
    h.wait_js(
        "still saved",
        &format!("return !!{}", button("Remove place")),
        5,
    )
    .await;
    let select = h.js("const s = [...document.querySelectorAll('select')].find(s => s.labels[0] && s.labels[0].textContent === 'Temperature'); return s ? s.value : null;").await;
    assert!(select.is_null(), "the panel starts closed");

    // The address wins for its view: °C, and the address says what is shown.
    h.client
        .goto(&h.url("temp=c&lat=51.5085&lon=-0.1257&name=London"))
        .await
        .unwrap();
    h.wait_all_ready().await;
    assert_eq!(place_name(&h).await, "London");
    assert!(temperature(&h).await.ends_with("°C"));
    let search = h.js("return location.search").await;
    let search = search.as_str().unwrap();
    assert!(!search.contains("temp=f"), "{search}");
    assert!(
        search.contains("name=London") && search.contains("forecast_url="),
        "{search}"
    );
    // ... and the stored choice is still there for the next view without one.
    assert!(h
        .stored("isobar:v1:settings")
        .await
        .as_str()
        .unwrap()
        .contains("temp=f"));
    h.close().await;
}

/// Garbage in storage, or storage that refuses every call (private mode, quota), leaves a
/// working page with its defaults and nothing alarming.
#[tokio::test]
async fn broken_storage_does_not_break_the_page() {
    let h = Harness::start(1280, 1400).await;
    h.before_each_page(
        r#"
        if (location.search.includes('storage=garbage')) {
            localStorage.setItem('isobar:v1:settings', 'temp=%%&units=\u0000{{');
            localStorage.setItem('isobar:v1:places', '{"saved": [1, {"name": 5}], "recent": "x", "last": [');
        }
        if (location.search.includes('storage=throws')) {
            for (const m of ['getItem', 'setItem', 'removeItem']) {
                Storage.prototype[m] = () => { throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); };
            }
        }
        "#,
    )
    .await;
    for case in ["storage=garbage", "storage=throws"] {
        h.client.goto(&h.url(case)).await.unwrap();
        h.wait_all_ready().await;
        assert_eq!(place_name(&h).await, "Berlin", "{case}: the default place");
        assert_eq!(
            h.js("return document.querySelectorAll('.notices li').length")
                .await,
            0,
            "{case}: nothing alarming"
        );
        // The page still works: a setting applies.
        press(&h, "Settings").await;
        choose_setting(&h, "document", "Wind", "ms").await;
        h.wait_js(
            "m/s",
            "return document.querySelector('[data-card=wind]').textContent.includes('m/s')",
            10,
        )
        .await;
        let errors = h.console_errors().await;
        assert!(errors.is_empty(), "{case}: console errors: {errors:#?}");
    }
    h.close().await;
}

/// The browser is asked where the viewer is only when "Use my location" is pressed, never on
/// load; refused, a message beside the button and nothing else changes; allowed, the weather
/// there.
#[tokio::test]
async fn geolocation_only_after_the_button_is_pressed() {
    let h = Harness::start(1280, 1400).await;
    h.before_each_page(
        r#"
        window.__geoCalls = 0;
        window.__geoAnswer = 'deny';
        const geo = {
            getCurrentPosition(ok, fail) {
                window.__geoCalls += 1;
                setTimeout(() => window.__geoAnswer === 'deny'
                    ? fail({ code: 1, message: 'User denied Geolocation', PERMISSION_DENIED: 1 })
                    : ok({ coords: { latitude: 48.8566, longitude: 2.3522, accuracy: 20 }, timestamp: Date.now() }), 50);
            },
            watchPosition() { window.__geoCalls += 1; return 1; },
            clearWatch() {},
        };
        Object.defineProperty(Navigator.prototype, 'geolocation', { get: () => geo, configurable: true });
        "#,
    )
    .await;
    h.client.goto(&h.url("")).await.unwrap();
    h.wait_all_ready().await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(h.js("return window.__geoCalls").await, 0, "asked on load");
    assert_eq!(place_name(&h).await, "Berlin");
    let note = h.text(".place-note").await;
    assert!(
        note.contains("Search for a place") && note.contains("location"),
        "{note}"
    );

    press(&h, "Use my location").await;
    h.wait_js(
        "the refusal said",
        "return document.querySelector('.locate-error').textContent.length > 0",
        5,
    )
    .await;
    assert_eq!(h.js("return window.__geoCalls").await, 1);
    assert_eq!(place_name(&h).await, "Berlin");
    assert_eq!(h.card_states().await["current"], "ready");

    h.js("window.__geoAnswer = 'allow'; return true;").await;
    press(&h, "Use my location").await;
    h.wait_js(
        "the place found",
        "return document.querySelector('.place-name').textContent.startsWith('Near')",
        10,
    )
    .await;
    h.wait_all_ready().await;
    assert_eq!(place_name(&h).await, "Near 48.86°N 2.35°E");
    assert_eq!(
        h.js("return document.querySelector('.locate-error').textContent")
            .await,
        ""
    );
    h.close().await;
}

/// axe-core's violations on the page (axe-core already injected), one line each.
async fn axe_violations(h: &Harness) -> serde_json::Value {
    h.client
        .execute_async(
            "const done = arguments[arguments.length - 1]; axe.run(document, { resultTypes: ['violations'] }).then(r => done(r.violations.map(v => `${v.id} (${v.impact}): ${v.nodes.map(n => JSON.stringify(n.target)).join(', ')}`))).catch(e => done([String(e)]));",
            vec![],
        )
        .await
        .unwrap()
}

/// axe-core finds no violation with the search popup open, with the places panel open and
/// with the settings panel open, at desktop and phone widths; nor with every card shown.
#[tokio::test]
async fn no_accessibility_violations_with_the_popup_or_a_panel_open() {
    let axe = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("xtask/build-tools/node_modules/axe-core/axe.min.js"),
    )
    .expect("axe-core installed with the build tools (cargo xtask test installs it)");
    for (width, height) in [(1280, 1400), (390, 2000)] {
        let h = Harness::start(width, height).await;
        h.client
            .goto(&h.url("lat=52.52&lon=13.41&name=Berlin"))
            .await
            .unwrap();
        h.wait_all_ready().await;
        h.js(&format!("{axe}\n;return true;")).await;
        let run = async |what: &str| {
            assert_eq!(axe_violations(&h).await, json!([]), "{width} px, {what}");
        };
        h.type_into(COMBOBOX, "Lon").await;
        wait_options(&h, "options", |o| !o.is_empty()).await;
        h.type_into(COMBOBOX, &Key::Down.to_string()).await;
        run("search popup open").await;
        h.screenshot(&format!("app-search-popup-{width}")).await;
        h.type_into(COMBOBOX, &Key::Escape.to_string()).await;
        press(&h, "Places").await;
        run("places panel open").await;
        press(&h, "Settings").await;
        run("settings panel open").await;
        h.screenshot(&format!("app-settings-{width}")).await;
        h.close().await;
    }

    // Every card, with an alert active and every disclosure open (alert details, the hourly
    // table), in both themes.
    for theme in ["light", "dark"] {
        let h = Harness::start(1280, 2400).await;
        let every: Vec<&str> = isobar_core::cards::CARDS.iter().map(|c| c.id).collect();
        h.client
            .goto(&h.url(&format!(
                "lat=46.81&lon=-100.78&name=Bismarck&theme={theme}&cards={}",
                every.join(",")
            )))
            .await
            .unwrap();
        h.wait_all_ready().await;
        h.js(&format!(
        "{axe}\n;document.querySelectorAll('details').forEach(d => d.open = true); return true;"
    ))
        .await;
        assert_eq!(axe_violations(&h).await, json!([]), "every card, {theme}");
        h.screenshot(&format!("app-every-card-1280-{theme}")).await;
        h.close().await;
    }
}

/// The widget builder: a place searched, cards unticked, °F and compact chosen. Its preview,
/// and both snippets put into a page, render that dashboard.
#[tokio::test]
async fn the_builders_snippets_render_the_dashboard_they_describe() {
    let h = Harness::start(1280, 2400).await;
    h.client
        .goto(&format!(
            "http://{}/public/builder.html?{}",
            h.site,
            h.endpoints()
        ))
        .await
        .unwrap();
    h.wait_js(
        "the builder",
        "return !!document.querySelector('#preview isobar-weather')",
        10,
    )
    .await;
    h.type_into("#place-query", "Tokyo").await;
    h.click("#find").await;
    h.wait_js(
        "Tokyo found",
        "return document.getElementById('place-status').textContent.includes('found')",
        10,
    )
    .await;
    h.js(
        "for (const id of ['daily', 'air']) { const c = document.querySelector(`input[name=card][value=${id}]`); c.checked = false; c.dispatchEvent(new Event('change', { bubbles: true })); } \
         const t = document.getElementById('setting-temp'); t.value = 'f'; t.dispatchEvent(new Event('change', { bubbles: true })); \
         const c = document.querySelector('input[name=compact]'); c.checked = true; c.dispatchEvent(new Event('change', { bubbles: true })); return true;",
    )
    .await;
    let element = h
        .js("return document.getElementById('element-snippet').value")
        .await;
    let element = element.as_str().unwrap().to_owned();
    for part in [
        r#"lat="35.6895""#,
        r#"name="Tokyo""#,
        r#"cards="current,uv,sun,wind,hourly""#,
        r#"temp="f""#,
        " compact",
        "/isobar-widget.js",
        "forecast_url=",
    ] {
        assert!(
            element.contains(part),
            "element snippet lacks {part}: {element}"
        );
    }
    let iframe = h
        .js("return document.getElementById('iframe-snippet').value")
        .await;
    let iframe = iframe.as_str().unwrap().to_owned();
    assert!(
        iframe.contains("temp=f") && iframe.contains("isobar:height"),
        "{iframe}"
    );

    // Each snippet into the page, as a site owner pastes it.
    h.client
        .execute(
            "for (const [id, snippet] of [['pasted-element', arguments[0]], ['pasted-iframe', arguments[1]]]) { const box = document.createElement('div'); box.id = id; box.style.width = '360px'; document.body.append(box); box.append(document.createRange().createContextualFragment(snippet)); } return true;",
            vec![json!(element), json!(iframe)],
        )
        .await
        .unwrap();
    // The preview and both pasted snippets: the same cards, in °F, compact.
    let roots = "[document.querySelector('#preview isobar-weather').shadowRoot, document.querySelector('#pasted-element isobar-weather').shadowRoot, document.querySelector('#pasted-iframe iframe').contentDocument]";
    h.wait_js(
        "the three dashboards filled",
        &format!("const roots = {roots}; return roots.every(r => r && r.querySelectorAll('[data-card]').length > 0 && [...r.querySelectorAll('[data-card]')].every(c => c.dataset.state === 'ready'));"),
        20,
    )
    .await;
    let seen = h
        .js(&format!("return {roots}.map(r => [[...r.querySelectorAll('[data-card]')].map(c => c.dataset.card).join(','), r.querySelector('[data-card=current] [data-value=temperature]').textContent.slice(-2), r.querySelector('.isobar').dataset.layout, r.querySelector('.place-name').textContent]);"))
        .await;
    for s in seen.as_array().unwrap() {
        assert_eq!(
            s,
            &json!(["current,uv,sun,wind,hourly", "°F", "compact", "Tokyo"]),
            "{seen}"
        );
    }
    h.wait_js("the iframe sized to its content", "return document.querySelector('#pasted-iframe iframe').getBoundingClientRect().height > 400", 10).await;
    let shot = h.screenshot("app-builder-1280").await;
    assert!(std::fs::metadata(shot).unwrap().len() > 10_000);
    h.close().await;
}

/// Widgets show the search and the settings only when asked, inside their shadow roots, and
/// each keeps its own choices: a change in one leaves the other and the page's address alone,
/// and is told to the host page as an `isobar-change` event.
#[tokio::test]
async fn each_widget_keeps_its_own_search_and_settings() {
    let h = Harness::start(1280, 2400).await;
    let page = format!(
        "http://{}/public/embed-elements.html?{}",
        h.site,
        h.endpoints()
    );
    h.client.goto(&page).await.unwrap();
    h.wait_js("the example widgets", "return [...document.querySelectorAll('isobar-weather')].every(w => w.shadowRoot && w.shadowRoot.querySelector('[data-card=current]')?.dataset.state === 'ready')", 20).await;
    // The examples ask for neither.
    assert_eq!(
        h.js("return [...document.querySelectorAll('isobar-weather')].some(w => w.shadowRoot.querySelector('[role=combobox], .tools'))").await,
        false
    );
    h.js(&format!(
        "window.__changes = []; \
         for (const id of ['one', 'two']) {{ const w = document.createElement('isobar-weather'); w.id = id; w.style.width = '600px'; \
           for (const [k, v] of Object.entries({{ lat: '52.52', lon: '13.41', name: 'Berlin', search: '', settings: '', forecast_url: 'http://{s}/v1/forecast', air_quality_url: 'http://{s}/v1/air-quality', geocoding_url: 'http://{s}/v1/search' }})) w.setAttribute(k, v); \
           w.addEventListener('isobar-change', e => window.__changes.push([id, e.detail])); document.body.append(w); }} return true;",
        s = h.sim.addr
    ))
    .await;
    let ready = "const r = document.getElementById(arguments[0]).shadowRoot; return !!r && [...r.querySelectorAll('[data-card]')].length > 0 && [...r.querySelectorAll('[data-card]')].every(c => c.dataset.state === 'ready');";
    for id in ["one", "two"] {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while h.client.execute(ready, vec![json!(id)]).await.unwrap() != true {
            assert!(
                std::time::Instant::now() < deadline,
                "widget {id} never filled"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let address = h.js("return location.href").await;

    // Settings in the first: °F there only.
    h.js("const r = document.getElementById('one').shadowRoot; [...r.querySelectorAll('button')].find(b => b.textContent === 'Settings').click(); return true;").await;
    choose_setting(
        &h,
        "document.getElementById('one').shadowRoot",
        "Temperature",
        "f",
    )
    .await;
    let temp = |id: &str| {
        format!("return document.getElementById('{id}').shadowRoot.querySelector('[data-card=current] [data-value=temperature]').textContent")
    };
    h.wait_js(
        "°F in the first",
        &format!("{}.endsWith('°F')", temp("one")),
        10,
    )
    .await;
    assert!(
        h.js(&temp("two")).await.as_str().unwrap().ends_with("°C"),
        "the second keeps °C"
    );

    // Search in the second, by keyboard inside its shadow root.
    h.js("document.getElementById('two').shadowRoot.querySelector('[role=combobox]').focus(); return true;").await;
    h.client
        .active_element()
        .await
        .unwrap()
        .send_keys("Toky")
        .await
        .unwrap();
    h.wait_js("Tokyo offered", "const r = document.getElementById('two').shadowRoot; return [...r.querySelectorAll('[role=option]')].some(o => o.textContent.includes('Tokyo'))", 10).await;
    h.client
        .active_element()
        .await
        .unwrap()
        .send_keys(&format!("{}{}", Key::Down, Key::Enter))
        .await
        .unwrap();
    h.wait_js("Tokyo in the second", "return document.getElementById('two').shadowRoot.querySelector('.place-name').textContent === 'Tokyo'", 10).await;
    assert_eq!(h.js("return document.getElementById('one').shadowRoot.querySelector('.place-name').textContent").await, "Berlin");
    assert_eq!(
        h.js("return location.href").await,
        address,
        "widgets leave the address alone"
    );
    let changes = h.js("return window.__changes").await;
    let told = |id: &str, part: &str| {
        changes
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c[0] == id && c[1].as_str().unwrap_or_default().contains(part))
    };
    assert!(
        told("one", "temp=f") && told("two", "name=Tokyo"),
        "{changes}"
    );
    assert_eq!(
        h.stored("isobar:v1:settings").await,
        json!(null),
        "nothing stored by widgets"
    );
    h.close().await;
}
