//! The dashboard's query parameters, in one table: [`PARAMS`], each with the values it accepts
//! and its default. [`crate::config::Config::from_query`] reads them; the attribute list of
//! `<isobar-weather>` (`src/widget.js`) and the README's parameter table are checked against
//! this table by the tests below, and so is every message the parser gives for a bad value.
//! Adding a parameter is one row here, its reading in `config.rs`, and its use.

/// One query parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    /// Its name (`forecast_url`; a widget attribute may also spell it `forecast-url`).
    pub name: &'static str,
    /// The keywords it accepts; empty when it takes free text, a number or a URL.
    pub values: &'static [&'static str],
    /// Its default, in words (as the README's table says it).
    pub default: &'static str,
}

const fn param(
    name: &'static str,
    values: &'static [&'static str],
    default: &'static str,
) -> Param {
    Param {
        name,
        values,
        default,
    }
}

/// The values a switch (`compact`, `transparent`) accepts: present alone, or one of these.
pub const SWITCH: &[&str] = &["1", "true", "yes", "on", "0", "false", "no", "off"];

/// Every query parameter of the dashboard (and attribute of `<isobar-weather>`).
pub const PARAMS: &[Param] = &[
    param("lat", &[], "see `q`"),
    param("lon", &[], "see `q`"),
    param("name", &[], "the coordinates"),
    param("q", &[], "–"),
    param("units", &["metric", "imperial"], "`metric`"),
    param("temp", &["c", "f"], "from `units`"),
    param("wind", &["kmh", "ms", "mph", "kn", "bft"], "from `units`"),
    param("precip", &["mm", "in"], "from `units`"),
    param(
        "pressure",
        &["hpa", "inhg", "mmhg"],
        "from `units` (`inhg` with imperial)",
    ),
    param("hour12", &["0", "1"], "the browser's locale"),
    param("theme", &["light", "dark", "auto"], "`auto`"),
    param("aqi", &["eu", "us"], "`eu` (`us` with imperial)"),
    param("cards", &[], "all but `nowcast`, `moon` and `alerts`"),
    param(
        "forecast_url",
        &[],
        "`https://api.open-meteo.com/v1/forecast`",
    ),
    param(
        "air_quality_url",
        &[],
        "`https://air-quality-api.open-meteo.com/v1/air-quality`",
    ),
    param(
        "geocoding_url",
        &[],
        "`https://geocoding-api.open-meteo.com/v1/search`",
    ),
    param("nws_url", &[], "`https://api.weather.gov/alerts/active`"),
    param("brightsky_url", &[], "`https://api.brightsky.dev/alerts`"),
    param("live", &[], "none: the page refreshes every 5 min"),
    param("station", &[], "none"),
    param("compact", SWITCH, "off (`layout=full`)"),
    param("transparent", SWITCH, "off (`background=solid`)"),
    param("layout", &["full", "compact"], "`full`"),
    param("background", &["solid", "transparent"], "`solid`"),
    param("fetch", &["concurrent", "sequential"], "`concurrent`"),
    param("search", SWITCH, "on in the page, off when embedded"),
    param("settings", SWITCH, "on in the page, off when embedded"),
];

/// The parameter called `name`.
pub fn find(name: &str) -> Option<&'static Param> {
    PARAMS.iter().find(|p| p.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    /// "a, b or c", as the parser's messages list keywords.
    fn one_of(values: &[&str]) -> String {
        match values {
            [] => String::new(),
            [one] => (*one).to_owned(),
            [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
        }
    }

    #[test]
    fn the_parser_accepts_every_listed_value_and_names_them_all_when_refusing() {
        for p in PARAMS.iter().filter(|p| !p.values.is_empty()) {
            for v in p.values {
                let (_, errors) = Config::from_query(&format!("{}={v}", p.name));
                assert!(errors.is_empty(), "{}={v}: {errors:?}", p.name);
            }
            let (_, errors) = Config::from_query(&format!("{}=bogus", p.name));
            let e = errors
                .iter()
                .find(|e| e.param == p.name)
                .unwrap_or_else(|| panic!("{}=bogus is not refused", p.name));
            if p.values != SWITCH {
                assert_eq!(e.expected, one_of(p.values), "{}'s message", p.name);
            }
        }
    }

    #[test]
    fn the_parser_reads_every_parameter() {
        // A bad value for each parameter that can have one is reported under its name; the
        // free-text ones change the configuration.
        let checks = [
            ("lat", "91"),
            ("lon", "x"),
            ("cards", "mars"),
            ("forecast_url", "ftp://x"),
            ("air_quality_url", "x"),
            ("geocoding_url", "x"),
            ("nws_url", "x"),
            ("brightsky_url", "ftp://x"),
            ("live", "http://x"),
            ("station", "bad id!"),
        ];
        for (name, bad) in checks {
            assert!(find(name).is_some(), "{name} is not in PARAMS");
            let (_, errors) = Config::from_query(&format!("{name}={bad}"));
            assert!(errors.iter().any(|e| e.param == name), "{name}={bad}");
        }
        for (name, v) in [("q", "Paris"), ("name", "Home")] {
            let (c, _) = Config::from_query(&format!("lat=1&lon=2&{name}={v}"));
            let (d, _) = Config::from_query("lat=1&lon=2");
            assert!(find(name).is_some());
            assert!(c != d || name == "q", "{name} is ignored");
        }
        let free: Vec<&str> = PARAMS
            .iter()
            .filter(|p| p.values.is_empty())
            .map(|p| p.name)
            .collect();
        for name in free {
            assert!(
                checks.iter().any(|(n, _)| *n == name) || ["q", "name"].contains(&name),
                "{name} has no check here"
            );
        }
    }

    #[test]
    fn the_widget_takes_every_parameter_as_an_attribute() {
        let js = include_str!("../../src/widget.js");
        let start = js.find("const OPTIONS = [").expect("widget.js has OPTIONS");
        let end = js[start..].find("];").expect("OPTIONS closed") + start;
        let listed: Vec<&str> = js[start..end].split('"').skip(1).step_by(2).collect();
        let mut names: Vec<&str> = PARAMS.iter().map(|p| p.name).collect();
        let mut sorted = listed.clone();
        sorted.sort_unstable();
        names.sort_unstable();
        assert_eq!(sorted, names, "widget.js OPTIONS and PARAMS differ");
    }

    #[test]
    fn the_readme_table_has_every_parameter_with_its_values_and_default() {
        let readme = include_str!("../../README.md");
        let start = readme
            .find("| parameter | values | default |")
            .expect("README has the parameter table");
        let rows: Vec<&str> = readme[start..]
            .lines()
            .take_while(|l| l.starts_with('|'))
            .skip(2)
            .collect();
        for p in PARAMS {
            let row = rows
                .iter()
                .find(|r| {
                    r.split('|')
                        .nth(1)
                        .is_some_and(|c| c.contains(&format!("`{}`", p.name)))
                })
                .unwrap_or_else(|| panic!("README has no row for `{}`", p.name));
            let default = row.rsplit('|').nth(1).unwrap_or_default().trim();
            assert_eq!(default, p.default, "README's default of `{}`", p.name);
            if p.values != SWITCH {
                for v in p.values {
                    assert!(row.contains(&format!("`{v}`")), "`{}` lacks `{v}`", p.name);
                }
            }
        }
        for row in &rows {
            let first = row.split('|').nth(1).unwrap_or_default();
            let named = PARAMS
                .iter()
                .any(|p| first.contains(&format!("`{}`", p.name)));
            assert!(named, "README row for an unknown parameter: {row}");
        }
    }
}
