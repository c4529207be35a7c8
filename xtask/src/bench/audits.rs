//! Audits by other people's tools: Lighthouse (run on Debian's Chromium) and axe-core, both
//! from the npm registry at the versions pinned in `xtask/npm/package-lock.json`.

use std::process::Command;
use std::time::{Duration, Instant};

use fantoccini::Client;
use serde_json::Value;

use crate::{tools, Result};

/// Lighthouse's form factors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormFactor {
    /// `--preset=desktop`: no CPU slowdown, a fast connection.
    Desktop,
    /// Lighthouse's default: a mid-range phone, 4× CPU slowdown, slow 4G (simulated).
    Mobile,
}

impl FormFactor {
    /// Its name in the report.
    pub fn name(self) -> &'static str {
        match self {
            FormFactor::Desktop => "desktop",
            FormFactor::Mobile => "mobile",
        }
    }
}

/// Lighthouse's four category scores (0–100) and the metrics behind performance.
#[derive(Debug, Clone)]
pub struct Lighthouse {
    /// Which run.
    pub form_factor: FormFactor,
    /// Performance, accessibility, best practices, SEO, 0–100.
    pub scores: [(String, f64); 4],
    /// First contentful paint, largest contentful paint, total blocking time (ms), cumulative
    /// layout shift.
    pub metrics: Vec<(String, f64)>,
    /// Audits that did not score full marks, with what they say.
    pub failing: Vec<String>,
}

/// Runs Lighthouse on `url`.
pub fn lighthouse(url: &str, form_factor: FormFactor) -> Result<Lighthouse> {
    let out = std::env::temp_dir().join(format!(
        "isobar-lighthouse-{}-{}.json",
        form_factor.name(),
        std::process::id()
    ));
    let mut cmd = Command::new("node");
    cmd.arg(tools::npm_dir().join("node_modules/lighthouse/cli/index.js"))
        .arg(url)
        .args(["--output=json", "--quiet"])
        .arg(format!("--output-path={}", out.display()))
        .arg(format!(
            "--chrome-flags={}",
            tools::CHROMIUM_FLAGS.join(" ")
        ))
        .env("CHROME_PATH", tools::chromium());
    if form_factor == FormFactor::Desktop {
        cmd.arg("--preset=desktop");
    }
    crate::run(&mut cmd)?;
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&out)?)?;
    let _ = std::fs::remove_file(&out);
    let score = |k: &str| report["categories"][k]["score"].as_f64().unwrap_or(0.0) * 100.0;
    let metric = |k: &str| {
        report["audits"][k]["numericValue"]
            .as_f64()
            .unwrap_or(f64::NAN)
    };
    let mut failing = Vec::new();
    if let Some(audits) = report["audits"].as_object() {
        for (id, a) in audits {
            let mode = a["scoreDisplayMode"].as_str().unwrap_or_default();
            if matches!(mode, "binary" | "numeric" | "metricSavings")
                && a["score"].as_f64().is_some_and(|s| s < 1.0)
            {
                failing.push(format!(
                    "{id} {:.2} {}",
                    a["score"].as_f64().unwrap_or(0.0),
                    a["displayValue"].as_str().unwrap_or_default()
                ));
            }
        }
    }
    Ok(Lighthouse {
        form_factor,
        scores: [
            ("performance".into(), score("performance")),
            ("accessibility".into(), score("accessibility")),
            ("best-practices".into(), score("best-practices")),
            ("seo".into(), score("seo")),
        ],
        metrics: vec![
            ("fcp_ms".into(), metric("first-contentful-paint")),
            ("lcp_ms".into(), metric("largest-contentful-paint")),
            ("tbt_ms".into(), metric("total-blocking-time")),
            ("cls".into(), metric("cumulative-layout-shift")),
        ],
        failing,
    })
}

/// axe-core's violations on one page.
#[derive(Debug, Clone)]
pub struct AxeResult {
    /// The page (its path).
    pub page: String,
    /// Rules passed.
    pub passes: usize,
    /// `rule (impact): nodes` for each violation.
    pub violations: Vec<String>,
}

/// Waits until nothing on the page, in its shadow roots or its same-origin iframes, is still
/// loading: cards have left `data-state=loading`.
const SETTLED: &str = r#"
const docs = [document, ...[...document.querySelectorAll('iframe')].map(f => { try { return f.contentDocument; } catch (e) { return null; } }).filter(Boolean)];
const roots = docs.flatMap(d => [d, ...[...d.querySelectorAll('isobar-weather')].map(w => w.shadowRoot).filter(Boolean)]);
const cards = roots.flatMap(r => [...r.querySelectorAll('[data-card]')]);
return document.readyState === 'complete' && cards.length > 0 && cards.every(c => c.dataset.state !== 'loading');
"#;

/// Runs axe-core on each page (after its cards have filled), including the insides of shadow
/// roots and same-origin iframes.
pub async fn axe(client: &Client, pages: &[(String, String)]) -> Result<Vec<AxeResult>> {
    let source =
        std::fs::read_to_string(tools::npm_dir().join("node_modules/axe-core/axe.min.js"))?;
    let mut results = Vec::new();
    for (name, url) in pages {
        client.goto(url).await?;
        let deadline = Instant::now() + Duration::from_secs(30);
        while client.execute(SETTLED, vec![]).await? != Value::Bool(true) {
            if Instant::now() > deadline {
                return Err(format!("{name}: its cards never filled").into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // axe goes into the page and into each iframe (which it then audits through).
        // The source is the script itself, not an eval: a page's Content-Security-Policy does
        // not apply to what WebDriver runs, but would to an eval in it.
        client
            .execute(&format!("{source}\n;return true;"), vec![])
            .await?;
        client
            .execute(
                "const src = arguments[0]; \
                 for (const f of document.querySelectorAll('iframe')) { try { f.contentWindow.eval(src); } catch (e) {} } \
                 return true;",
                vec![Value::String(source.clone())],
            )
            .await?;
        let report = client
            .execute_async(
                "const done = arguments[arguments.length - 1]; \
                 axe.run(document, { iframes: true, resultTypes: ['violations'] }) \
                   .then(r => done({ passes: r.passes.length, violations: r.violations.map(v => `${v.id} (${v.impact}): ${v.nodes.length} [${v.nodes.slice(0, 3).map(n => JSON.stringify(n.target)).join(', ')}]`) })) \
                   .catch(e => done({ error: String(e) }));",
                vec![],
            )
            .await?;
        if let Some(e) = report["error"].as_str() {
            return Err(format!("axe on {name}: {e}").into());
        }
        results.push(AxeResult {
            page: name.clone(),
            passes: report["passes"].as_u64().unwrap_or(0) as usize,
            violations: report["violations"]
                .as_array()
                .map(|v| {
                    v.iter()
                        .filter_map(|x| x.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
        });
    }
    Ok(results)
}
