//! The calls a page starts before its WebAssembly has loaded: the first script of `index.html`
//! makes them, and the dashboard takes each over when it asks for the same URL
//! (`src/early.rs`), so that the forecast is on its way while the bundle downloads and
//! compiles. Which calls:
//!
//! - the ones this address made last time, as the dashboard noted them under [`STORAGE_KEY`]
//!   ([`noted`] and [`note`]): any place, settings and cards, the place in the address or
//!   the one viewed last;
//! - else, for an address with `lat` and `lon` and nothing else that changes the calls
//!   ([`SKIP`]), and no stored settings, the calls of the default configuration, from
//!   [`template`], which `cargo xtask build` writes into the page. This is a first visit.
//!
//! A URL the dashboard does not ask for is a wasted request, never a wrong answer: only an
//! exact match is taken over.

use crate::cards::Source;
use crate::config::Config;

/// The `localStorage` key of the calls an address made: the addresses' query strings (as
/// `location.search` gives them), each after an `@`, then each call's URL, separated by spaces
/// (which none has: the browser writes them `%20`).
pub const STORAGE_KEY: &str = "isobar:v1:early";

/// The parameters (or `name=value` pairs) that change the default calls, besides the ones the
/// page's script reads itself (`lat`, `lon`, `forecast_url`, `air_quality_url`): with any of
/// them in the address, a first visit waits for the dashboard. (`fetch=sequential` makes the
/// calls one after another, which starting them together would undo.)
pub const SKIP: &[&str] = &[
    "q",
    "units",
    "temp",
    "wind",
    "precip",
    "aqi",
    "cards",
    "fetch=sequential",
];

/// The coordinates' markers in [`template`]'s queries, replaced by the page's script with the
/// address's `lat` and `lon` written to 4 decimals, as [`crate::format::fixed`] writes them.
pub const MARKERS: [&str; 2] = ["LAT", "LON"];

/// What the page's script needs, as a JavaScript object literal (JSON): `key`
/// ([`STORAGE_KEY`]), `settings` (the stored settings' key: with any, a first visit is not
/// guessed), `skip` ([`SKIP`]), and `calls`, one `[parameter, default base, query]` per call of
/// the default configuration, the query with the [`MARKERS`].
pub fn template() -> String {
    let config = Config::default();
    // Coordinates no real call has, replaced by the markers.
    let (lat, lon) = (1.5, 2.25);
    let calls: Vec<serde_json::Value> = [
        (
            Source::Forecast,
            "forecast_url",
            &config.forecast_url,
            config.forecast_call(lat, lon),
        ),
        (
            Source::AirQuality,
            "air_quality_url",
            &config.air_quality_url,
            config.air_call(lat, lon),
        ),
    ]
    .into_iter()
    .filter(|(source, ..)| config.needs(*source))
    .map(|(_, param, base, url)| {
        let query = url
            .strip_prefix(base.as_str())
            .unwrap_or(&url)
            .replacen("latitude=1.5000", &format!("latitude={}", MARKERS[0]), 1)
            .replacen("longitude=2.2500", &format!("longitude={}", MARKERS[1]), 1);
        serde_json::json!([param, base, query])
    })
    .collect();
    serde_json::json!({
        "key": STORAGE_KEY,
        "settings": crate::prefs::STORAGE_KEY,
        "skip": SKIP,
        "calls": calls,
    })
    .to_string()
}

/// The calls noted for the address whose query string is `search`, from the stored `text`.
pub fn noted<'a>(text: &'a str, search: &str) -> Vec<&'a str> {
    let tokens = || text.split(' ').filter(|t| !t.is_empty());
    if !tokens().any(|t| t.strip_prefix('@') == Some(search)) {
        return Vec::new();
    }
    tokens().filter(|t| !t.starts_with('@')).collect()
}

/// The stored text after the view shown at the addresses `searches` (each after an `@`,
/// separated by spaces: `@?lat=1&lon=2 @?lat=1&lon=2&units=imperial`) has called `url`: one URL
/// per endpoint (a newer forecast URL, after a change of units, replaces the older), the calls
/// of another view forgotten. `None` when nothing changes.
pub fn note(text: &str, searches: &str, url: &str) -> Option<String> {
    let same_endpoint = |u: &str| u.split('?').next() == url.split('?').next();
    let mut out = searches.to_owned();
    // The same view: its other calls stay.
    let same = |r: &&str| r.starts_with(' ') && !r.starts_with(" @");
    if let Some(rest) = text.strip_prefix(searches).filter(same) {
        for u in rest.split(' ').filter(|u| !u.is_empty()) {
            if u == url {
                return None;
            }
            if !same_endpoint(u) {
                out.push(' ');
                out.push_str(u);
            }
        }
    }
    out.push(' ');
    out.push_str(url);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::fixed;
    use crate::params::PARAMS;

    /// What the page's script does with the template for the address `query` (the same steps,
    /// in Rust): `None` where it leaves the calls to the dashboard.
    fn scripted(query: &str) -> Option<Vec<String>> {
        let t: serde_json::Value = serde_json::from_str(&template()).unwrap();
        let pairs: Vec<(String, String)> = query
            .split('&')
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.trim().to_owned()))
            .collect();
        let get = |k: &str| {
            pairs
                .iter()
                .rev()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
        };
        let coord = |k: &str, limit: f64| {
            let v = get(k)?;
            let (int, frac) = v
                .trim_start_matches('-')
                .split_once('.')
                .unwrap_or((&v, ""));
            let digits = |s: &str, n| s.len() <= n && s.bytes().all(|b| b.is_ascii_digit());
            let x: f64 = v.parse().ok()?;
            (!int.is_empty()
                && digits(int.trim_start_matches('-'), 3)
                && digits(frac, 4)
                && x.abs() <= limit)
                .then(|| fixed(x, 4))
        };
        let (lat, lon) = (coord("lat", 90.0)?, coord("lon", 180.0)?);
        for s in t["skip"].as_array().unwrap() {
            let s = s.as_str().unwrap();
            let hit = match s.split_once('=') {
                Some((k, v)) => get(k).as_deref() == Some(v),
                None => get(s).is_some(),
            };
            if hit {
                return None;
            }
        }
        let mut urls = Vec::new();
        for call in t["calls"].as_array().unwrap() {
            let base = get(call[0].as_str().unwrap()).unwrap_or(call[1].as_str().unwrap().into());
            if base.contains('?') || !base.starts_with("http") {
                return None;
            }
            let query = call[2].as_str().unwrap();
            urls.push(format!(
                "{base}{}",
                query
                    .replacen(MARKERS[0], &lat, 1)
                    .replacen(MARKERS[1], &lon, 1)
            ));
        }
        Some(urls)
    }

    /// The calls the dashboard makes for the address `query`.
    fn dashboard(query: &str) -> Vec<String> {
        let (c, errors) = Config::from_query(query);
        assert!(errors.is_empty(), "{query}: {errors:?}");
        let crate::config::PlaceChoice::Coords { lat, lon, .. } = c.place else {
            panic!("{query} has no coordinates")
        };
        let mut urls = Vec::new();
        if c.needs(Source::Forecast) {
            urls.push(c.forecast_call(lat, lon));
        }
        if c.needs(Source::AirQuality) {
            urls.push(c.air_call(lat, lon));
        }
        urls
    }

    #[test]
    fn the_template_gives_the_dashboards_own_calls_for_coordinates_and_endpoints() {
        for query in [
            "lat=52.52&lon=13.41",
            "lat=-33.8688&lon=151.2093&name=Sydney",
            "lat=0&lon=-0.1&forecast_url=http://127.0.0.1:9/v1/forecast",
            "lat=1&lon=2&air_quality_url=http://127.0.0.1:9/aq&forecast_url=http://a.test/f",
            "lat=89.9999&lon=-179.9999&fetch=concurrent",
        ] {
            assert_eq!(scripted(query).as_ref(), Some(&dashboard(query)), "{query}");
        }
    }

    #[test]
    fn every_other_parameter_leaves_the_default_calls_alone_or_is_skipped() {
        let samples = [
            ("live", "ws://127.0.0.1:9/live"),
            ("station", "home"),
            ("name", "X"),
        ];
        for p in PARAMS {
            if ["lat", "lon", "forecast_url", "air_quality_url"].contains(&p.name) {
                continue;
            }
            let values: Vec<String> = if p.values.is_empty() {
                let sample = samples.iter().find(|(n, _)| *n == p.name).map(|(_, v)| *v);
                let url = format!("http://{}.test/x", p.name);
                vec![sample
                    .unwrap_or(if p.name.ends_with("_url") {
                        &url
                    } else {
                        "Paris"
                    })
                    .into()]
            } else {
                p.values.iter().map(|v| (*v).into()).collect()
            };
            for v in values {
                let query = format!("lat=10.5&lon=20.25&{}={v}", p.name);
                if scripted(&query).is_none() {
                    continue;
                }
                let (_, errors) = Config::from_query(&query);
                if errors.is_empty() {
                    assert_eq!(
                        scripted(&query).unwrap(),
                        dashboard(&query),
                        "{query}: add it to SKIP"
                    );
                }
            }
        }
        for s in SKIP {
            let name = s.split('=').next().unwrap();
            assert!(
                crate::params::find(name).is_some(),
                "{name} is not a parameter"
            );
        }
    }

    #[test]
    fn addresses_that_are_not_plain_coordinates_are_left_to_the_dashboard() {
        for query in [
            "q=Paris",
            "lat=52.52",
            "lat=91&lon=0",
            "lat=52.123456&lon=13",
            "lat=1e1&lon=2",
            "lat=52&lon=13&units=imperial",
            "lat=52&lon=13&cards=current,moon",
            "lat=52&lon=13&fetch=sequential",
            "lat=52&lon=13&forecast_url=http://x.test/f?key=1",
        ] {
            assert_eq!(scripted(query), None, "{query}");
        }
        let t = template();
        for m in MARKERS {
            assert_eq!(t.matches(m).count(), 2, "{m} once in each call: {t}");
        }
    }

    #[test]
    fn notes_keep_one_call_per_endpoint_for_the_view_shown() {
        let f1 = "http://a.test/v1/forecast?latitude=1&temperature_unit=celsius";
        let f2 = "http://a.test/v1/forecast?latitude=1&temperature_unit=fahrenheit";
        let aq = "http://a.test/v1/air-quality?latitude=1";
        let here = "@?lat=1&lon=2";
        let t = note("", here, f1).unwrap();
        let t = note(&t, here, aq).unwrap();
        assert_eq!(note(&t, here, aq), None);
        assert_eq!(noted(&t, "?lat=1&lon=2"), [f1, aq]);
        let t = note(&t, here, f2).unwrap();
        assert_eq!(noted(&t, "?lat=1&lon=2"), [aq, f2]);
        assert!(noted(&t, "").is_empty());
        // The address the page was opened with, and the one it wrote: both lead to the calls.
        let both = "@?lat=1&lon=2&temp=f @?lat=1&lon=2&units=imperial";
        let t = note(&t, both, f2).unwrap();
        assert_eq!(noted(&t, "?lat=1&lon=2&temp=f"), [f2]);
        assert_eq!(noted(&t, "?lat=1&lon=2&units=imperial"), [f2]);
        assert!(noted(&t, "?lat=1&lon=2").is_empty());
        // The first of them alone is another view.
        let t2 = note(&t, "@?lat=1&lon=2&temp=f", aq).unwrap();
        assert_eq!(noted(&t2, "?lat=1&lon=2&temp=f"), [aq]);
        let t = note(&t, "@", f1).unwrap();
        assert_eq!(noted(&t, ""), [f1]);
        assert!(noted(&t, "?lat=1&lon=2&temp=f").is_empty());
        assert!(noted("garbage", "").is_empty());
        assert!(noted("", "").is_empty());
    }
}
