//! End-to-end harness: the real release bundle served over HTTP on 127.0.0.1, the simulator
//! on another port (another origin, as the real APIs are), and headless Chromium driven over
//! WebDriver by ChromeDriver.
//!
//! The bundle is `dist/` (built by `cargo xtask test`, or `trunk build --release`), or the
//! folder named by `ISOBAR_DIST`. Chromium and ChromeDriver are found on PATH, or through
//! `CHROME` and `CHROMEDRIVER`.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::Client;
use isobar_simulator::faults::FaultTable;
use isobar_testkit::{serve_dir, Browser, BrowserOptions};
use serde_json::{json, Value};

/// The browser's own time zone in every test.
pub const VIEWER_TZ: &str = "America/Los_Angeles";

/// Where the built bundle is.
pub fn dist_dir() -> PathBuf {
    std::env::var_os("ISOBAR_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("dist"))
}

/// Where screenshots are saved.
pub fn screenshot_dir() -> PathBuf {
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/e2e-screenshots");
    std::fs::create_dir_all(&d).expect("screenshot dir");
    d
}

/// `GET /session/{id}/se/log` for the browser's console: ChromeDriver's log endpoint.
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }
    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.to_owned()))
    }
}

/// `POST /session/{id}/goog/cdp/execute`: a Chrome DevTools command through ChromeDriver.
#[derive(Debug)]
struct Cdp(Value);

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }
    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.0.to_string()))
    }
}

/// The dashboard under test: simulator, static server, browser.
pub struct Harness {
    /// The simulator.
    pub sim: isobar_simulator::Running,
    /// Where the bundle is served.
    pub site: SocketAddr,
    /// The browser session.
    pub client: Client,
    _browser: Browser,
}

impl Harness {
    /// Starts everything, with the browser window `width` × `height` pixels.
    pub async fn start(width: u32, height: u32) -> Harness {
        Harness::start_with(FaultTable::default(), width, height).await
    }

    /// Starts everything with `faults` configured at the simulator.
    pub async fn start_with(faults: FaultTable, width: u32, height: u32) -> Harness {
        let dist = dist_dir();
        assert!(
            dist.join("index.html").is_file(),
            "no built bundle in {}: run `cargo xtask test` (it builds it first) or `trunk build --release`",
            dist.display()
        );
        let sim = isobar_simulator::spawn("127.0.0.1:0", faults)
            .await
            .unwrap();
        let site = serve_dir(dist).await.unwrap();
        let browser = Browser::start(BrowserOptions {
            width,
            height,
            // The viewer's zone is far from every place tested: a time shown in it is a bug.
            time_zone: Some(VIEWER_TZ.to_owned()),
            console_log: true,
        })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        Harness {
            sim,
            site,
            client: browser.client.clone(),
            _browser: browser,
        }
    }

    /// The query string that points the dashboard at the simulator.
    pub fn endpoints(&self) -> String {
        let s = self.sim.addr;
        format!(
            "forecast_url=http://{s}/v1/forecast&air_quality_url=http://{s}/v1/air-quality&geocoding_url=http://{s}/v1/search&nws_url=http://{s}/alerts/active&brightsky_url=http://{s}/alerts"
        )
    }

    /// The dashboard's URL with `query` and the simulator endpoints.
    pub fn url(&self, query: &str) -> String {
        let sep = if query.is_empty() { "" } else { "&" };
        format!("http://{}/?{query}{sep}{}", self.site, self.endpoints())
    }

    /// Runs `script` (a function body; `arguments` as usual) and returns its value.
    pub async fn js(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.unwrap()
    }

    /// Waits until `script` (a function body returning a boolean) is true, for up to `secs`.
    /// A script that throws (an element not there yet: a card redrawing) counts as false.
    pub async fn wait_js(&self, what: &str, script: &str, secs: u64) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        let script = format!("try {{ {script} }} catch (e) {{ return false; }}");
        loop {
            if self.js(&script).await == Value::Bool(true) {
                return;
            }
            if Instant::now() > deadline {
                panic!("timed out after {secs} s waiting for {what}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// `{card id: data-state}` for every card on the page.
    pub async fn card_states(&self) -> Value {
        self.js(
            "const o = {}; document.querySelectorAll('[data-card]').forEach(e => o[e.dataset.card] = e.dataset.state); return o;",
        )
        .await
    }

    /// Waits until `pred` holds of the card states, or panics with the last states.
    pub async fn wait_states(&self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let states = self.card_states().await;
            if pred(&states) {
                return states;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; card states: {states}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The text of the first element matching `selector`, or panics.
    pub async fn text(&self, selector: &str) -> String {
        let v = self
            .client
            .execute(
                "const e = document.querySelector(arguments[0]); return e ? e.textContent : null;",
                vec![json!(selector)],
            )
            .await
            .unwrap();
        v.as_str()
            .unwrap_or_else(|| panic!("no element {selector}"))
            .to_owned()
    }

    /// Clicks the first element matching `selector`.
    pub async fn click(&self, selector: &str) {
        let ok = self
            .client
            .execute("const e = document.querySelector(arguments[0]); if (!e) return false; e.click(); return true;", vec![json!(selector)])
            .await
            .unwrap();
        assert_eq!(ok, true, "nothing to click at {selector}");
    }

    /// Waits until every card is `ready`.
    pub async fn wait_all_ready(&self) -> Value {
        self.wait_states("every card ready", |s| {
            let m = s.as_object().unwrap();
            !m.is_empty() && m.values().all(|v| v == "ready")
        })
        .await
    }

    /// The browser console's entries at level SEVERE (errors), as text.
    pub async fn console_errors(&self) -> Vec<String> {
        let log = self.client.issue_cmd(BrowserLog).await.unwrap();
        log.as_array()
            .map(|entries| {
                entries
                    .iter()
                    .filter(|e| e["level"] == "SEVERE")
                    .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Runs `script` in every document the browser opens from now on, before the page's own
    /// scripts (DevTools' `Page.addScriptToEvaluateOnNewDocument`): to stand in for a browser
    /// API, or to watch it.
    pub async fn before_each_page(&self, script: &str) {
        self.cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": script }),
        )
        .await;
    }

    /// Sends the Chrome DevTools command `cmd` with `params` to the page (for example
    /// `Network.emulateNetworkConditions`), and returns its result.
    pub async fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.client
            .issue_cmd(Cdp(json!({ "cmd": cmd, "params": params })))
            .await
            .unwrap_or_else(|e| panic!("{cmd}: {e}"))
    }

    /// Cuts the page's network (DevTools' offline emulation; the browser then says it is
    /// offline) or gives it back.
    pub async fn set_offline(&self, offline: bool) {
        self.cdp(
            "Network.emulateNetworkConditions",
            json!({"offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}),
        )
        .await;
    }

    /// Types `text` into the element matching `selector`, as keystrokes.
    pub async fn type_into(&self, selector: &str, text: &str) {
        let el = self
            .client
            .find(fantoccini::Locator::Css(selector))
            .await
            .unwrap_or_else(|e| panic!("no element {selector}: {e}"));
        el.send_keys(text).await.unwrap();
    }

    /// The page's `localStorage` entry `key`.
    pub async fn stored(&self, key: &str) -> Value {
        self.client
            .execute(
                "return localStorage.getItem(arguments[0]);",
                vec![json!(key)],
            )
            .await
            .unwrap()
    }

    /// Saves a screenshot as `target/e2e-screenshots/<name>.png` and returns its path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.unwrap();
        assert!(png.starts_with(b"\x89PNG"), "not a PNG");
        let path = screenshot_dir().join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }

    /// Ends the browser session.
    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}
