//! Offline and installable: the web app manifest and its icons, the service worker's app shell
//! with no network, and a redeploy that never mixes two builds. Each test serves its own copy
//! of the bundle, so it can stop the server (no network) or deploy another build into it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use isobar_testkit::{serve_dir_at, TempDir};
use serde_json::Value;

use crate::support::{dist_dir, Harness};

/// A script: every card's `data-updated` (when its data was fetched), in order.
const UPDATED: &str =
    "return [...document.querySelectorAll('[data-card]')].map(c => c.dataset.updated)";

/// Copies the folder `from` into `to`, recursively.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The width and height of a PNG, from its header.
fn png_size(path: &Path) -> (u32, u32) {
    let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        data.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{} is not a PNG",
        path.display()
    );
    let be = |i: usize| u32::from_be_bytes(data[i..i + 4].try_into().unwrap());
    (be(16), be(20))
}

/// The service worker's list of files, as the build wrote it into `sw.js`.
fn shell_files(dist: &Path) -> Vec<String> {
    let sw = std::fs::read_to_string(dist.join("sw.js")).unwrap();
    let list = sw
        .lines()
        .find_map(|l| l.strip_prefix("const FILES = "))
        .expect("sw.js has its list of files")
        .trim_end_matches(';');
    serde_json::from_str(list).unwrap()
}

/// The manifest parses, has what installing needs, and its icons exist at their declared
/// sizes; the page links it; every file the service worker caches exists.
#[test]
fn the_manifest_and_the_service_worker_list_match_the_bundle() {
    let dist = dist_dir();
    let html = std::fs::read_to_string(dist.join("index.html")).unwrap();
    assert!(
        html.contains("public/manifest.webmanifest"),
        "index.html links the manifest"
    );
    let manifest_path = dist.join("public/manifest.webmanifest");
    let m: Value = serde_json::from_str(&std::fs::read_to_string(&manifest_path).unwrap())
        .expect("the manifest is JSON");
    for key in [
        "name",
        "short_name",
        "start_url",
        "display",
        "theme_color",
        "background_color",
    ] {
        assert!(
            m[key].as_str().is_some_and(|v| !v.is_empty()),
            "manifest lacks {key}"
        );
    }
    assert_eq!(m["display"], "standalone");
    let icons = m["icons"].as_array().expect("icons");
    let mut have = Vec::new();
    for icon in icons {
        let src = icon["src"].as_str().unwrap();
        let sizes = icon["sizes"].as_str().unwrap();
        let (w, h) = png_size(&manifest_path.parent().unwrap().join(src));
        assert_eq!(format!("{w}x{h}"), sizes, "{src}");
        have.push((
            sizes.to_owned(),
            icon["purpose"].as_str().unwrap_or("any").to_owned(),
        ));
    }
    for want in [
        ("192x192", "any"),
        ("512x512", "any"),
        ("512x512", "maskable"),
    ] {
        assert!(
            have.iter().any(|(s, p)| s == want.0 && p == want.1),
            "no {want:?} icon in {have:?}"
        );
    }
    let files = shell_files(&dist);
    assert!(files.contains(&"./".to_owned()));
    for f in &files {
        let path = if f == "./" {
            dist.join("index.html")
        } else {
            dist.join(f)
        };
        assert!(
            path.is_file(),
            "sw.js caches {f}, which is not in the bundle"
        );
    }
    assert!(
        files.iter().any(|f| f.ends_with("_bg.wasm")) && files.iter().any(|f| f.ends_with(".js"))
    );
}

/// A copy of this build in a folder of its own (`name` for the folder), served on a free port:
/// a test can stop its server, serve it again, or deploy another build into it. The folder
/// lives as long as the `TempDir`.
async fn serve_a_copy(name: &str) -> (TempDir, std::net::SocketAddr, tokio::task::JoinHandle<()>) {
    let site = TempDir::new(name).unwrap();
    copy_dir(&dist_dir(), &site.0);
    let (addr, server) = serve_dir_at(site.0.clone(), "127.0.0.1:0").await.unwrap();
    (site, addr, server)
}

/// The weather API goes away: the simulator stops, and its port refuses connections.
async fn stop_the_api(h: &Harness) {
    h.sim.task.abort();
    tokio::time::sleep(Duration::from_millis(200)).await;
}

/// A page controlled by this build's service worker.
async fn controlled(h: &Harness, url: &str) {
    h.client.goto(url).await.unwrap();
    h.wait_all_ready().await;
    h.wait_js(
        "the service worker in control",
        "return !!navigator.serviceWorker.controller",
        20,
    )
    .await;
}

/// With no network at all (the site's and the weather API's ports closed), the page still
/// opens from the service worker and every card shows the last data kept, with the time it was
/// fetched; when the network is back, every card fills again with fresh data.
#[tokio::test]
async fn the_page_opens_with_no_network() {
    let h = Harness::start(1280, 1400).await;
    let (site, addr, server) = serve_a_copy("offline-site").await;
    let url = format!(
        "http://{addr}/?lat=52.52&lon=13.41&name=Berlin&{}",
        h.endpoints()
    );
    controlled(&h, &url).await;

    let fetched = h.js(UPDATED).await;

    server.abort();
    stop_the_api(&h).await;
    h.client.goto(&url).await.unwrap();
    // Every card shows the kept data, with the time it was fetched: none blank or failed.
    h.wait_all_ready().await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    h.wait_all_ready().await;
    assert_eq!(h.js(UPDATED).await, fetched, "the kept data, with its age");
    assert_eq!(
        h.text(".place-name").await,
        "Berlin",
        "the app ran, from the cache"
    );
    let temp = h.text("[data-card=current] [data-value=temperature]").await;
    assert!(temp.ends_with("°C"), "{temp}");
    h.wait_js(
        "the header saying offline",
        "return document.querySelector('header').dataset.network === 'offline'",
        15,
    )
    .await;
    h.screenshot("offline-kept-1280").await;
    assert_eq!(h.js("return document.title").await, "Isobar weather");

    // The network is back: the site and the API on the same ports.
    let (_, _server) = serve_dir_at(site.0.clone(), &addr.to_string())
        .await
        .unwrap();
    let _sim = isobar_simulator::spawn(&h.sim.addr.to_string(), Default::default())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    h.client.goto(&url).await.unwrap();
    let before = serde_json::to_string(&fetched.to_string()).unwrap();
    h.wait_js(
        "fresh data",
        &format!("return JSON.stringify([...document.querySelectorAll('[data-card]')].map(c => c.dataset.updated)) !== {before}"),
        20,
    )
    .await;
    h.wait_all_ready().await;
    h.close().await;
}

/// A second visit shows the last good data at once, before the API answers; a truncated
/// answer and an error answer do not replace it (the card keeps it, and so does storage).
#[tokio::test]
async fn kept_data_shows_first_and_a_bad_answer_never_replaces_it() {
    use isobar_simulator::faults::{Endpoint, Fault};
    let h = Harness::start(1280, 1400).await;
    let url = h.url("lat=52.52&lon=13.41&name=Berlin");
    h.client.goto(&url).await.unwrap();
    h.wait_all_ready().await;
    let kept = "return Object.keys(localStorage).filter(k => k.startsWith('isobar:v1:answer:')).sort().map(k => localStorage.getItem(k))";
    let before = h.js(kept).await;
    assert_eq!(
        before.as_array().unwrap().len(),
        2,
        "the forecast and air quality kept"
    );
    let fetched = h.js(UPDATED).await;

    // Slow, truncated answers: the kept data is shown while they are on their way.
    for e in [Endpoint::Forecast, Endpoint::AirQuality] {
        h.sim.state.set_fault(
            e,
            Fault {
                delay_ms: Some(3000),
                truncate: Some(0.5),
                ..Fault::default()
            },
        );
    }
    h.client.goto(&url).await.unwrap();
    h.wait_all_ready().await;
    assert_eq!(
        h.js(UPDATED).await,
        fetched,
        "kept data at once, before any answer"
    );
    // The truncated answers arrive: nothing changes, and storage keeps the good ones.
    tokio::time::sleep(Duration::from_millis(3500)).await;
    h.wait_all_ready().await;
    assert_eq!(h.js(UPDATED).await, fetched);
    assert_eq!(
        h.js(kept).await,
        before,
        "a truncated answer replaced a kept one"
    );
    for e in [Endpoint::Forecast, Endpoint::AirQuality] {
        h.sim.state.set_fault(
            e,
            Fault {
                status: Some(500),
                ..Fault::default()
            },
        );
    }
    h.client.goto(&url).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1000)).await;
    h.wait_all_ready().await;
    assert_eq!(h.js(UPDATED).await, fetched);
    assert_eq!(
        h.js(kept).await,
        before,
        "an error answer replaced a kept one"
    );
    h.close().await;
}

/// Renames this build's hashed script and wasm (and every mention of them) and gives its
/// service worker another build id: what a deploy of another build looks like to a browser.
fn deploy_another_build(site: &Path) -> (String, String) {
    let files = shell_files(site);
    let wasm = files
        .iter()
        .find(|f| f.ends_with("_bg.wasm"))
        .unwrap()
        .clone();
    let old = wasm.trim_end_matches("_bg.wasm").to_owned();
    let new = format!("{old}b");
    for name in [format!("{old}.js"), format!("{old}_bg.wasm")] {
        let to = site.join(name.replace(&old, &new));
        std::fs::rename(site.join(&name), to).unwrap();
        for ext in ["br", "gz"] {
            let _ = std::fs::remove_file(site.join(format!("{name}.{ext}")));
        }
    }
    for text in ["index.html", "sw.js"] {
        let path: PathBuf = site.join(text);
        let body = std::fs::read_to_string(&path).unwrap().replace(&old, &new);
        let body = if text == "sw.js" {
            body.replacen("const BUILD = \"", "const BUILD = \"b", 1)
        } else {
            body
        };
        std::fs::write(&path, body).unwrap();
        // A modification time in a later second than the copy's: `Last-Modified` has whole
        // seconds, and a deploy within the same second as the first load's answer would be
        // answered `304 Not Modified`, the old page (a deploy a second apart is what sites see).
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(std::time::SystemTime::now() + Duration::from_secs(2))
            .unwrap();
        for ext in ["br", "gz"] {
            let _ = std::fs::remove_file(site.join(format!("{text}.{ext}")));
        }
    }
    (old, new)
}

/// A redeploy: the next load is the new build throughout (no file of the old one), the new
/// worker waits beside the old one and offers "Updated: reload"; accepted, it takes over and
/// the old build's cache is deleted.
#[tokio::test]
async fn a_redeploy_never_mixes_two_builds() {
    let h = Harness::start(1280, 1400).await;
    let (site, addr, _server) = serve_a_copy("redeploy-site").await;
    let url = format!(
        "http://{addr}/?lat=52.52&lon=13.41&name=Berlin&{}",
        h.endpoints()
    );
    controlled(&h, &url).await;
    let caches = "const done = arguments[arguments.length - 1]; caches.keys().then(k => done(k.filter(n => n.startsWith('isobar-shell-'))));";
    let before = h.client.execute_async(caches, vec![]).await.unwrap();
    assert_eq!(before.as_array().unwrap().len(), 1, "{before}");

    let (old, new) = deploy_another_build(&site.0);
    h.client.goto(&url).await.unwrap();
    h.wait_all_ready().await;
    let loaded = h
        .js("return performance.getEntriesByType('resource').map(e => e.name).concat([...document.scripts].map(s => s.src), [...document.querySelectorAll('link')].map(l => l.href))")
        .await;
    let loaded: Vec<String> = serde_json::from_value(loaded).unwrap();
    assert!(
        loaded.iter().any(|u| u.contains(&new)),
        "the new build was loaded: {loaded:#?}"
    );
    assert!(
        !loaded
            .iter()
            .any(|u| u.contains(&format!("{old}.")) || u.contains(&format!("{old}_"))),
        "a file of the old build was loaded with the new page: {loaded:#?}"
    );
    h.wait_js(
        "the update offered",
        "const b = document.getElementById('update'); return !!b && !b.hidden",
        20,
    )
    .await;
    h.js("window.__beforeUpdate = true; document.getElementById('update').click(); return true;")
        .await;
    h.wait_js(
        "the reload into the new build",
        "return window.__beforeUpdate === undefined && document.readyState === 'complete'",
        20,
    )
    .await;
    h.wait_all_ready().await;
    let after = h.client.execute_async(caches, vec![]).await.unwrap();
    let after = after.as_array().unwrap();
    assert_eq!(after.len(), 1, "one shell cache left: {after:?}");
    assert_ne!(Value::Array(after.clone()), before, "the new build's cache");
    h.close().await;
}

/// The browser says the network is gone (DevTools' offline emulation): the header says
/// offline and the cards keep their data; when the network is back, every card is fetched
/// again by itself, with no reload.
#[tokio::test]
async fn the_header_says_offline_and_the_cards_refresh_when_the_network_returns() {
    // At phone width: the offline status must fit the header there too.
    let h = Harness::start(390, 1600).await;
    h.client
        .goto(&h.url("lat=52.52&lon=13.41&name=Berlin"))
        .await
        .unwrap();
    h.wait_all_ready().await;
    assert_eq!(
        h.js("return document.querySelector('header').dataset.network")
            .await,
        "online"
    );
    let fetched = h.js(UPDATED).await;
    h.set_offline(true).await;
    h.wait_js(
        "the header saying offline",
        "return document.querySelector('header').dataset.network === 'offline' && !document.querySelector('.network-status').hidden",
        10,
    )
    .await;
    assert_eq!(h.js(UPDATED).await, fetched, "the cards keep their data");
    h.screenshot("offline-header-390").await;
    h.wait_all_ready().await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    h.set_offline(false).await;
    let before = serde_json::to_string(&fetched.to_string()).unwrap();
    h.wait_js(
        "every card fetched again",
        &format!("return document.querySelector('header').dataset.network === 'online' && JSON.stringify([...document.querySelectorAll('[data-card]')].map(c => c.dataset.updated)) !== {before} && [...document.querySelectorAll('[data-card]')].every(c => c.dataset.state === 'ready' && c.dataset.updated !== undefined)"),
        20,
    )
    .await;
    let now = h.js(UPDATED).await;
    for (a, b) in now
        .as_array()
        .unwrap()
        .iter()
        .zip(fetched.as_array().unwrap())
    {
        assert_ne!(a, b, "every card is fresh: {now} vs {fetched}");
    }
    h.close().await;
}

/// Kept data shown the next day, with no network: time has moved on, so the daily list starts
/// at the new today (yesterday's row is gone and "Today" is the day that was tomorrow), the
/// hourly strip still starts now and has its 24 hours, and each card's age says a day. Once
/// the forecast has all passed, it is not shown at all.
#[tokio::test]
async fn kept_data_shown_the_next_day_follows_the_clock() {
    let h = Harness::start(1280, 1400).await;
    // Days ahead, when the page's address asks for it (`clock_days=N`): every clock of the page
    // (Date.now and new Date()) moved on.
    h.before_each_page(
        r#"
        const days = Number(new URLSearchParams(location.search).get('clock_days') || 0);
        if (days) {
            const Real = Date, shift = days * 86400000;
            class Later extends Real {
                constructor(...a) { if (a.length === 0) super(Real.now() + shift); else super(...a); }
                static now() { return Real.now() + shift; }
            }
            globalThis.Date = Later;
        }
        "#,
    )
    .await;
    let place = "lat=52.52&lon=13.41&name=Berlin&hour12=0";
    h.client.goto(&h.url(place)).await.unwrap();
    h.wait_all_ready().await;
    let days = "return [...document.querySelectorAll('[data-card=daily] .day-name')].map(e => e.textContent)";
    let hours = "return document.querySelectorAll('[data-card=hourly] .hour').length";
    let before: Vec<String> = serde_json::from_value(h.js(days).await).unwrap();
    assert_eq!(before[0], "Today");
    assert_eq!(h.js(hours).await, 24);

    stop_the_api(&h).await;
    h.client
        .goto(&h.url(&format!("{place}&clock_days=1")))
        .await
        .unwrap();
    h.wait_all_ready().await;
    let after: Vec<String> = serde_json::from_value(h.js(days).await).unwrap();
    assert_eq!(
        after.len(),
        before.len() - 1,
        "yesterday has gone: {before:?} → {after:?}"
    );
    assert_eq!(after[0], "Today");
    assert_eq!(after[1..], before[2..], "the days move up by one");
    assert_eq!(
        h.js(hours).await,
        24,
        "the hourly strip still has its 24 hours"
    );
    assert_eq!(
        h.text("[data-card=hourly] .hour-time").await,
        "Now",
        "it starts at the current hour"
    );
    // The age names when the data was fetched, in the place's zone, and how long ago.
    let expected = h
        .js("const t = Number(document.querySelector('[data-card=current]').dataset.updated) * 1000; \
             const p = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {timeZone: 'Europe/Berlin', \
               weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23'}) \
               .formatToParts(new Date(t)).map(x => [x.type, x.value])); \
             return `as of ${p.weekday} ${p.hour}:${p.minute}, 1 day ago`;")
        .await;
    assert_eq!(h.text("[data-card=current] .card-age").await, expected);
    h.screenshot("offline-next-day-1280").await;

    // Eleven days on, the kept forecast has all passed: it is not shown as current.
    h.client
        .goto(&h.url(&format!("{place}&clock_days=11")))
        .await
        .unwrap();
    let states = h
        .wait_states("the cards settled", |s| {
            s.as_object().unwrap().values().all(|v| v != "loading")
        })
        .await;
    assert!(
        states.as_object().unwrap().values().all(|v| v == "error"),
        "{states}"
    );
    h.close().await;
}

/// Saved places that were never opened here have their answers kept too (fetched in the
/// background once the place shown has answered), so switching between them works with no
/// network: each shows its own last data, with the time it was fetched.
#[tokio::test]
async fn switching_between_saved_places_works_offline() {
    let h = Harness::start(1280, 1400).await;
    let berlin = h.url("lat=52.52&lon=13.41&name=Berlin&hour12=0");
    h.client.goto(&berlin).await.unwrap();
    h.wait_all_ready().await;
    // Two saved places, as another visit left them.
    h.js(r#"localStorage.setItem('isobar:v1:places', JSON.stringify({saved: [
        {name: 'New York', latitude: 40.7128, longitude: -74.006, country: 'United States', timezone: 'America/New_York'},
        {name: 'Tokyo', latitude: 35.6895, longitude: 139.6917, country: 'Japan', timezone: 'Asia/Tokyo'}],
        recent: []})); return true;"#)
        .await;
    h.client.goto(&berlin).await.unwrap();
    h.wait_all_ready().await;
    // When each kept answer for a place was fetched: {latitude: [forecast, air quality]}.
    let kept_at = "const o = {}; for (const k of Object.keys(localStorage)) { \
          const m = k.match(/^isobar:v1:answer:.*[?&]latitude=([-0-9.]+)/); \
          if (m) (o[m[1]] ||= []).push(Number(localStorage.getItem(k).split('\\n')[0])); } \
        return o;";
    h.wait_js(
        "both saved places' answers kept",
        &format!("const o = (() => {{ {kept_at} }})(); return o['40.7128']?.length === 2 && o['35.6895']?.length === 2"),
        20,
    )
    .await;
    let kept = h.js(kept_at).await;

    h.set_offline(true).await;
    for (name, lat, zone) in [
        ("New York", "40.7128", "America/New_York"),
        ("Tokyo", "35.6895", "Asia/Tokyo"),
        ("New York", "40.7128", "America/New_York"),
    ] {
        h.js(
            "const b = document.querySelector('button[aria-controls=isobar-places]'); \
              if (b.getAttribute('aria-expanded') !== 'true') b.click(); return true;",
        )
        .await;
        h.wait_js(
            "the places list",
            &format!("return [...document.querySelectorAll('.places-pick')].some(b => b.querySelector('.places-name').textContent === '{name}')"),
            5,
        )
        .await;
        h.js(&format!("[...document.querySelectorAll('.places-pick')].find(b => b.querySelector('.places-name').textContent === '{name}').click(); return true;"))
            .await;
        h.wait_js(
            &format!("{name} shown"),
            &format!("return document.querySelector('.place-name').textContent === '{name}'"),
            5,
        )
        .await;
        // Every card ready with that place's kept data (Berlin's may still show a moment),
        // and the header's clock in that place's zone.
        let times = serde_json::to_string(&kept[lat]).unwrap();
        h.wait_js(
            &format!("every card showing {name}'s kept data ({times})"),
            &format!("const t = {times}; \
                const clock = new Intl.DateTimeFormat('en-GB', {{timeZone: '{zone}', hour: '2-digit', minute: '2-digit', hourCycle: 'h23'}}).format(new Date()); \
                return document.querySelector('.local-time').textContent.includes(clock) \
                  && [...document.querySelectorAll('[data-card]')].every(c => \
                    c.dataset.state === 'ready' && t.includes(Number(c.dataset.updated)))"),
            10,
        )
        .await;
        h.wait_js(
            "the header saying offline",
            "return document.querySelector('header').dataset.network === 'offline'",
            10,
        )
        .await;
    }
    let age = h.text("[data-card=current] .card-age").await;
    assert!(age.starts_with("updated "), "{age}");
    h.close().await;
}

/// The custom element cannot use a service worker on its host's origin: it keeps its last
/// answers in the host page's storage, and with the weather API unreachable shows them at once,
/// with their age, its header saying offline.
#[tokio::test]
async fn an_embedded_element_shows_its_kept_data_with_no_network() {
    let h = Harness::start(1280, 1400).await;
    let page = crate::embed::example(&h, "embed-elements.html");
    h.client.goto(&page).await.unwrap();
    crate::embed::wait_widgets_ready(&h).await;
    let updated = "return [...document.querySelectorAll('isobar-weather')].map(w => \
        [...w.shadowRoot.querySelectorAll('[data-card]')].map(c => c.dataset.updated))";
    let fetched = h.js(updated).await;
    assert!(
        fetched.as_array().unwrap().len() >= 2,
        "the example has several widgets: {fetched}"
    );

    stop_the_api(&h).await;
    h.client.goto(&page).await.unwrap();
    crate::embed::wait_widgets_ready(&h).await;
    assert_eq!(h.js(updated).await, fetched, "each widget's kept data");
    h.wait_js(
        "every widget saying offline",
        "return [...document.querySelectorAll('isobar-weather')].every(w => \
           w.shadowRoot.querySelector('[data-network]').dataset.network === 'offline')",
        15,
    )
    .await;
    let ages = h
        .js(
            "return [...document.querySelectorAll('isobar-weather')].flatMap(w => \
               [...w.shadowRoot.querySelectorAll('.card-age')].map(a => a.textContent))",
        )
        .await;
    for a in ages.as_array().unwrap() {
        assert!(a.as_str().unwrap().starts_with("updated "), "{ages}");
    }
    h.close().await;
}

/// An iframe gets the page's offline behaviour on Isobar's origin: the host page stays up, but
/// Isobar's site and the weather API are gone; the iframe still opens from its service worker
/// and shows its last data with its age.
#[tokio::test]
async fn an_iframe_opens_from_its_service_worker_with_no_network() {
    let h = Harness::start(1280, 1400).await;
    let (_site, isobar, server) = serve_a_copy("offline-iframe-site").await;
    let host = TempDir::new("offline-iframe-host").unwrap();
    std::fs::write(
        host.0.join("index.html"),
        format!(
            "<!doctype html><title>A host page</title><h1>A host page</h1>\
             <iframe title=\"Weather in Berlin\" style=\"width:800px;height:1200px\" \
               src=\"http://{isobar}/?lat=52.52&amp;lon=13.41&amp;name=Berlin&amp;{}\"></iframe>",
            h.endpoints().replace('&', "&amp;")
        ),
    )
    .unwrap();
    let (host_addr, _host_server) = serve_dir_at(host.0.clone(), "127.0.0.1:0").await.unwrap();
    let page = format!("http://{host_addr}/");

    h.client.goto(&page).await.unwrap();
    h.client.enter_frame(0).await.unwrap();
    h.wait_all_ready().await;
    h.wait_js(
        "the service worker in control of the iframe",
        "return !!navigator.serviceWorker.controller",
        20,
    )
    .await;
    let fetched = h.js(UPDATED).await;
    h.client.enter_parent_frame().await.unwrap();

    server.abort();
    stop_the_api(&h).await;
    h.client.goto(&page).await.unwrap();
    h.client.enter_frame(0).await.unwrap();
    h.wait_all_ready().await;
    assert_eq!(h.js(UPDATED).await, fetched, "the kept data, with its age");
    assert_eq!(
        h.text(".place-name").await,
        "Berlin",
        "the app ran, from the cache"
    );
    h.wait_js(
        "the header saying offline",
        "return document.querySelector('header').dataset.network === 'offline'",
        15,
    )
    .await;
    h.client.enter_parent_frame().await.unwrap();
    h.close().await;
}
