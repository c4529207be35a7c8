//! What a viewer chooses in the page (issue 11): the settings panel's table, the settings kept
//! in storage, and the address that reproduces the view.
//!
//! Settings are kept and changed as query parameters, the same words as the address and the
//! widget's attributes, so that one parser ([`Config::from_query`]) reads all three and a value
//! a later version does not know is ignored like a bad parameter. The rules:
//!
//! * the address wins over storage for the view it opens ([`with_stored`]), and does not change
//!   what is stored: only a change in the panel is kept ([`set`]);
//! * the address bar shows the place and each setting that differs from the default, and keeps
//!   every other parameter as it was ([`address`]).

use crate::config::{decode_component, AqiScale, Config, Theme, WindDisplay};
use crate::units::{PrecipUnit, TempUnit, WindUnit};
use crate::weather::Place;

/// One control of the settings panel: a query parameter, its label, and its choices (keyword,
/// words).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    /// The query parameter it sets.
    pub param: &'static str,
    /// The control's label (tests and screen readers find it by this name).
    pub label: &'static str,
    /// Its choices: the keyword, and what the viewer reads.
    pub options: &'static [(&'static str, &'static str)],
}

/// The settings panel, in order. Every keyword is one the parameter accepts ([`crate::params`]).
pub const SETTINGS: &[Setting] = &[
    Setting {
        param: "temp",
        label: "Temperature",
        options: &[("c", "°C"), ("f", "°F")],
    },
    Setting {
        param: "wind",
        label: "Wind",
        options: &[
            ("kmh", "km/h"),
            ("ms", "m/s"),
            ("mph", "mph"),
            ("kn", "knots"),
            ("bft", "Beaufort"),
        ],
    },
    Setting {
        param: "precip",
        label: "Precipitation",
        options: &[("mm", "mm"), ("in", "inches")],
    },
    Setting {
        param: "pressure",
        label: "Pressure",
        options: &[("hpa", "hPa"), ("inhg", "inHg"), ("mmhg", "mmHg")],
    },
    Setting {
        param: "hour12",
        label: "Time format",
        options: &[("0", "24-hour"), ("1", "12-hour")],
    },
    Setting {
        param: "theme",
        label: "Theme",
        options: &[("auto", "Automatic"), ("light", "Light"), ("dark", "Dark")],
    },
    Setting {
        param: "aqi",
        label: "Air quality scale",
        options: &[("eu", "European"), ("us", "US")],
    },
];

/// The `localStorage` key of the settings (a query string of [`SETTINGS`] parameters).
pub const STORAGE_KEY: &str = "isobar:v1:settings";

/// What `units=` sets: stored values of these give way to an address that has `units`.
const UNIT_PARAMS: &[&str] = &["temp", "wind", "precip", "pressure", "aqi"];

/// The parameters that say where. [`address`] writes `lat`, `lon` and `name` for the place
/// shown and drops the others.
const PLACE_PARAMS: &[&str] = &["lat", "lon", "name", "q"];

/// The keyword `config` has for the setting `param` (`wind` → `bft`); `None` for `hour12` when
/// it follows the browser's locale, and for a parameter that is not a setting.
pub fn value(config: &Config, param: &str) -> Option<&'static str> {
    Some(match param {
        "temp" => match config.units.temperature {
            TempUnit::Celsius => "c",
            TempUnit::Fahrenheit => "f",
        },
        "wind" => match config.wind {
            WindDisplay::Beaufort => "bft",
            WindDisplay::Unit(WindUnit::Kmh) => "kmh",
            WindDisplay::Unit(WindUnit::Ms) => "ms",
            WindDisplay::Unit(WindUnit::Mph) => "mph",
            WindDisplay::Unit(WindUnit::Kn) => "kn",
        },
        "precip" => match config.units.precipitation {
            PrecipUnit::Mm => "mm",
            PrecipUnit::Inch => "in",
        },
        "pressure" => config.pressure.query_value(),
        "hour12" => match config.hour12? {
            true => "1",
            false => "0",
        },
        "theme" => match config.theme {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        },
        "aqi" => match config.aqi {
            AqiScale::European => "eu",
            AqiScale::Us => "us",
        },
        _ => return None,
    })
}

/// The query's parameters, each as (decoded name, raw `name=value` text).
fn pairs(query: &str) -> impl Iterator<Item = (String, &str)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| (decode_component(p.split('=').next().unwrap_or_default()), p))
}

/// `query` without the parameters `drop` names.
fn without(query: &str, drop: impl Fn(&str) -> bool) -> Vec<&str> {
    pairs(query)
        .filter(|(k, _)| !drop(k))
        .map(|(_, raw)| raw)
        .collect()
}

/// The query that configures a view: the `stored` settings, except those `query` sets itself
/// or through `units`, then `query` itself, whose parameters therefore win. Only a stored
/// [`SETTINGS`] parameter with one of its panel's values is taken: anything else stored (a
/// value an older or newer version wrote, garbage) is ignored quietly, so every problem the
/// configuration reports is the address's own.
pub fn with_stored(stored: &str, query: &str) -> String {
    let given: Vec<String> = pairs(query).map(|(k, _)| k).collect();
    let has = |k: &str| given.iter().any(|g| g == k);
    let usable = |raw: &str| {
        let (k, v) = raw.split_once('=').unwrap_or((raw, ""));
        let (k, v) = (decode_component(k), decode_component(v));
        SETTINGS
            .iter()
            .any(|s| s.param == k && s.options.iter().any(|(o, _)| *o == v))
            && !has(&k)
            && !(has("units") && UNIT_PARAMS.contains(&k.as_str()))
    };
    let mut out: Vec<&str> = pairs(stored)
        .map(|(_, raw)| raw)
        .filter(|raw| usable(raw))
        .collect();
    out.extend(pairs(query).map(|(_, raw)| raw));
    out.join("&")
}

/// `query` with the setting `param` set to `value` (a panel change): for the view, and for what
/// is stored.
pub fn set(query: &str, param: &str, value: &str) -> String {
    let mut out = without(query, |k| k == param);
    let pair = format!("{}={}", encode_component(param), encode_component(value));
    out.push(&pair);
    out.join("&")
}

/// The query string for the address bar (without `?`): `current` without the place and the
/// settings, in its own order and spelling, then `lat`, `lon` and `name` of `place` (when given;
/// otherwise the place parameters stay as they were) and each setting of `config` that differs
/// from the default.
pub fn address(current: &str, config: &Config, place: Option<&Place>) -> String {
    let mut out: Vec<String> = without(current, |k| {
        k == "units"
            || SETTINGS.iter().any(|s| s.param == k)
            || (place.is_some() && PLACE_PARAMS.contains(&k))
    })
    .into_iter()
    .map(str::to_owned)
    .collect();
    if let Some(p) = place {
        // Four decimals: 11 m, finer than any forecast grid. Not `{}`: Rust's float
        // printing would cost the bundle about 5 KB.
        out.push(format!("lat={}", crate::format::trimmed(p.latitude, 4)));
        out.push(format!("lon={}", crate::format::trimmed(p.longitude, 4)));
        out.push(format!("name={}", encode_component(&p.name)));
    }
    let default = Config::default();
    for s in SETTINGS {
        if let Some(v) = value(config, s.param).filter(|v| value(&default, s.param) != Some(v)) {
            out.push(format!("{}={v}", s.param));
        }
    }
    out.join("&")
}

/// Percent-encodes a query component: everything but ASCII letters, digits and `-._~`.
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    /// The widget builder (public/builder.js) offers the same cards and settings.
    #[test]
    fn the_builder_offers_every_card_and_setting() {
        let js = include_str!("../../public/builder.js");
        for c in crate::cards::CARDS {
            let row = format!("[\"{}\", \"{}\", {}]", c.id, c.title, c.default);
            assert!(js.contains(&row), "builder.js lacks the card {row}");
        }
        for s in SETTINGS {
            let head = format!("[\"{}\", \"{}\", [", s.param, s.label);
            let line = js
                .lines()
                .find(|l| l.trim_start().starts_with(&head))
                .unwrap_or_else(|| panic!("builder.js lacks the setting {head}"));
            for (v, words) in s.options {
                let option = format!("[\"{v}\", \"{words}\"]");
                assert!(
                    line.contains(&option),
                    "builder.js {}: lacks {option}",
                    s.param
                );
            }
        }
    }

    use super::*;
    use crate::config::PlaceChoice;
    use crate::params;

    fn place(name: &str, lat: f64, lon: f64) -> Place {
        Place::at(lat, lon, name)
    }

    #[test]
    fn every_choice_is_a_keyword_its_parameter_accepts_and_reads_back() {
        for s in SETTINGS {
            let p = params::find(s.param).expect("a parameter");
            let keys: Vec<&str> = s.options.iter().map(|(k, _)| *k).collect();
            for k in &keys {
                assert!(p.values.contains(k), "{}={k}", s.param);
                let (c, e) = Config::from_query(&format!("{}={k}", s.param));
                assert!(e.is_empty());
                assert_eq!(value(&c, s.param), Some(*k), "{}={k}", s.param);
            }
            for v in p.values.iter().filter(|v| **v != "european") {
                assert!(keys.contains(v), "the panel lacks {}={v}", s.param);
            }
        }
    }

    #[test]
    fn the_address_wins_over_storage_and_units_over_stored_units() {
        let stored = "temp=f&wind=bft&theme=dark&forecast_url=http://evil.example/";
        let (c, _) = Config::from_query(&with_stored(stored, ""));
        assert_eq!(value(&c, "temp"), Some("f"));
        assert_eq!(value(&c, "wind"), Some("bft"));
        assert_eq!(value(&c, "theme"), Some("dark"));
        assert_eq!(
            c.forecast_url,
            Config::default().forecast_url,
            "only settings are read"
        );
        let (c, _) = Config::from_query(&with_stored(stored, "temp=c&theme=light"));
        assert_eq!(value(&c, "temp"), Some("c"));
        assert_eq!(value(&c, "theme"), Some("light"));
        assert_eq!(value(&c, "wind"), Some("bft"));
        let (c, _) = Config::from_query(&with_stored(stored, "units=metric"));
        assert_eq!(value(&c, "temp"), Some("c"));
        assert_eq!(value(&c, "wind"), Some("kmh"));
        assert_eq!(value(&c, "theme"), Some("dark"), "units leaves the theme");
    }

    #[test]
    fn garbage_or_unknown_stored_values_are_ignored() {
        for stored in [
            "",
            "%%%",
            "temp=kelvin&wind",
            "{\"a\":1}",
            "=&&=x&temp=",
            "\u{0}\u{ffff}",
        ] {
            let (c, errors) = Config::from_query(&with_stored(stored, "lat=1&lon=2"));
            assert!(errors.is_empty(), "{stored:?}: {errors:?}");
            assert_eq!(value(&c, "temp"), Some("c"), "{stored:?}");
            assert!(matches!(c.place, PlaceChoice::Coords { .. }), "{stored:?}");
        }
    }

    #[test]
    fn a_change_replaces_the_parameter() {
        assert_eq!(set("temp=f&wind=ms", "temp", "c"), "wind=ms&temp=c");
        assert_eq!(set("", "hour12", "1"), "hour12=1");
        let (c, _) = Config::from_query(&set("units=imperial", "wind", "kmh"));
        assert_eq!(value(&c, "wind"), Some("kmh"));
        assert_eq!(value(&c, "temp"), Some("f"));
    }

    #[test]
    fn the_address_has_the_place_and_only_what_differs_and_keeps_the_rest() {
        let (c, _) = Config::from_query("units=imperial&theme=auto&wind=kmh");
        let paris = place("Paris & Co", 48.856_61, 2.351_499);
        let q = address(
            "q=Berlin&utm_source=x&theme=auto&cards=current,uv&units=imperial",
            &c,
            Some(&paris),
        );
        assert_eq!(
            q,
            "utm_source=x&cards=current,uv&lat=48.8566&lon=2.3515&name=Paris%20%26%20Co&temp=f&precip=in&pressure=inhg&aqi=us"
        );
        // It reproduces the view.
        let (d, e) = Config::from_query(&q);
        assert!(e.is_empty(), "{e:?}");
        for s in SETTINGS {
            assert_eq!(value(&d, s.param), value(&c, s.param), "{}", s.param);
        }
        assert_eq!(
            d.place,
            PlaceChoice::Coords {
                lat: 48.8566,
                lon: 2.3515,
                name: Some("Paris & Co".into())
            }
        );
        // Defaults only, no place known yet: the place parameters stay.
        assert_eq!(
            address("q=Berlin&temp=c", &Config::default(), None),
            "q=Berlin"
        );
        assert_eq!(address("", &Config::default(), None), "");
    }

    #[test]
    fn names_in_any_script_survive_the_round_trip() {
        for name in ["Zürich", "北京", "São Paulo", "a=b&c", "50% #1 +"] {
            let q = address("", &Config::default(), Some(&place(name, 1.0, 2.0)));
            match Config::from_query(&q).0.place {
                PlaceChoice::Coords { name: Some(n), .. } => assert_eq!(n, name),
                other => panic!("{name}: {other:?}"),
            }
        }
    }
}
