//! The dashboard's configuration, read from its query string.
//!
//! Every parameter is optional. An invalid value never stops the page: it is reported as a
//! [`ConfigError`] naming the parameter and what it accepts, and its default is used instead.

use crate::cards::CARDS;
use crate::open_meteo::{AIR_QUALITY_URL, FORECAST_URL, GEOCODING_URL};
use crate::units::{PrecipUnit, PressureUnit, TempUnit, Units, WindUnit};

/// The place shown when none is given and geolocation is refused: Berlin.
pub const DEFAULT_PLACE: (f64, f64, &str) = (52.52, 13.405, "Berlin");

/// How wind speeds are shown: an Open-Meteo unit, or the Beaufort scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindDisplay {
    /// A speed unit.
    Unit(WindUnit),
    /// Beaufort force (speeds fetched in m/s).
    Beaufort,
}

/// Light, dark, or following the system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    /// Light colours.
    Light,
    /// Dark colours.
    Dark,
    /// Follow `prefers-color-scheme`.
    #[default]
    Auto,
}

/// Which air quality index is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AqiScale {
    /// The European AQI (0–100+).
    European,
    /// The US EPA AQI (0–500).
    Us,
}

/// How the place is chosen.
#[derive(Debug, Clone, PartialEq)]
pub enum PlaceChoice {
    /// Explicit coordinates, with an optional label.
    Coords {
        /// Latitude in degrees.
        lat: f64,
        /// Longitude in degrees.
        lon: f64,
        /// Label for the header.
        name: Option<String>,
    },
    /// A place search; the first match is used.
    Search(String),
    /// The browser's geolocation if allowed, else [`DEFAULT_PLACE`].
    Auto,
}

/// The dashboard's configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Where to show the weather for.
    pub place: PlaceChoice,
    /// Units the forecast is fetched in.
    pub units: Units,
    /// How wind is shown.
    pub wind: WindDisplay,
    /// How pressure is shown (`pressure=`; Open-Meteo answers in hPa).
    pub pressure: PressureUnit,
    /// 12-hour clock when `Some(true)`, 24-hour when `Some(false)`, the locale's otherwise.
    pub hour12: Option<bool>,
    /// Colour theme.
    pub theme: Theme,
    /// Air quality scale.
    pub aqi: AqiScale,
    /// Cards to show, in order.
    pub cards: Vec<String>,
    /// Forecast API endpoint.
    pub forecast_url: String,
    /// Air-quality API endpoint.
    pub air_quality_url: String,
    /// Geocoding API endpoint.
    pub geocoding_url: String,
    /// The US National Weather Service's active-alerts API (`nws_url`), for the `alerts` card.
    pub nws_url: String,
    /// Bright Sky's alerts API (`brightsky_url`), for the `alerts` card in Germany.
    pub brightsky_url: String,
    /// Make the API calls one after another instead of together (`fetch=sequential`): only
    /// for benchmarks that compare the two.
    pub sequential: bool,
    /// The relay's WebSocket URL (`live=ws://…/live`): keeps the cards live.
    pub live: Option<String>,
    /// A personal weather station on that relay (`station=ID`): its uploads, not the model's
    /// current conditions, keep the current card live.
    pub station: Option<String>,
    /// The compact layout for a narrow column (`compact`, `layout=compact`): one column,
    /// tighter spacing.
    pub compact: bool,
    /// A transparent background around the cards (`transparent`, `background=transparent`).
    pub transparent: bool,
    /// The place search, "Use my location" and the places list (`search`): `None` shows them
    /// in the page and hides them in an embed.
    pub search: Option<bool>,
    /// The settings panel (`settings`): `None` shows it in the page and hides it in an embed.
    pub settings: Option<bool>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            place: PlaceChoice::Auto,
            units: Units::default(),
            wind: WindDisplay::Unit(WindUnit::Kmh),
            pressure: PressureUnit::Hpa,
            hour12: None,
            theme: Theme::Auto,
            aqi: AqiScale::European,
            cards: crate::cards::defaults().map(|c| c.id.to_owned()).collect(),
            forecast_url: FORECAST_URL.to_owned(),
            air_quality_url: AIR_QUALITY_URL.to_owned(),
            geocoding_url: GEOCODING_URL.to_owned(),
            nws_url: crate::alerts::NWS_URL.to_owned(),
            brightsky_url: crate::alerts::BRIGHTSKY_URL.to_owned(),
            sequential: false,
            live: None,
            station: None,
            compact: false,
            transparent: false,
            search: None,
            settings: None,
        }
    }
}

/// A query parameter with a value the dashboard cannot use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The parameter's name.
    pub param: String,
    /// The value given.
    pub value: String,
    /// What the parameter accepts, in words.
    pub expected: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "The setting “{}={}” was ignored: {} accepts {}.",
            self.param, self.value, self.param, self.expected
        )
    }
}

/// Decodes one `application/x-www-form-urlencoded` component (`+` is a space) as the WHATWG
/// URL standard does: `%` and two hex digits is a byte, anything else is kept; bytes that are
/// not UTF-8 become U+FFFD. Written here rather than taken from `form_urlencoded`, which
/// costs the dashboard 0.4 KiB more (measured).
pub fn decode_component(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            // `%` and exactly two hex digits (`u8::from_str_radix` would also take a sign:
            // `%+1` was once the byte 0x01).
            b'%' if i + 2 < bytes.len()
                && bytes[i + 1].is_ascii_hexdigit()
                && bytes[i + 2].is_ascii_hexdigit() =>
            {
                let hex = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
                out.push(hex(bytes[i + 1]) << 4 | hex(bytes[i + 2]));
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Splits a query string (with or without the leading `?`) into decoded pairs.
pub fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .strip_prefix('?')
        .unwrap_or(query)
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => (decode_component(k), decode_component(v)),
            None => (decode_component(kv), String::new()),
        })
        .collect()
}

fn is_http_url(s: &str) -> bool {
    (s.starts_with("https://") || s.starts_with("http://")) && s.len() > "http://x".len()
}

impl Config {
    /// Whether any card shown is filled by the call `source`.
    pub fn needs(&self, source: crate::cards::Source) -> bool {
        self.cards
            .iter()
            .any(|id| crate::cards::find(id).is_some_and(|c| c.source == source))
    }

    /// The URL of the forecast call for the place at `lat`, `lon` with this configuration.
    pub fn forecast_call(&self, lat: f64, lon: f64) -> String {
        crate::open_meteo::forecast_url(
            &self.forecast_url,
            lat,
            lon,
            self.units,
            crate::open_meteo::FORECAST_DAYS,
            &self.cards,
        )
    }

    /// The URL of the air-quality call for the place at `lat`, `lon` with this configuration.
    pub fn air_call(&self, lat: f64, lon: f64) -> String {
        crate::open_meteo::air_quality_url(
            &self.air_quality_url,
            lat,
            lon,
            self.aqi == AqiScale::Us,
        )
    }

    /// Reads a configuration from a query string. Returns it with every problem found.
    pub fn from_query(query: &str) -> (Config, Vec<ConfigError>) {
        let pairs = parse_query(query);
        let mut c = Config::default();
        let mut errors = Vec::new();
        let get = |key: &str| {
            pairs
                .iter()
                .rev()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.trim().to_owned())
        };
        let mut err = |param: &str, value: &str, expected: &str| {
            errors.push(ConfigError {
                param: param.to_owned(),
                value: value.to_owned(),
                expected: expected.to_owned(),
            })
        };

        let coord = |key: &str, limit: u8, err: &mut dyn FnMut(&str, &str, &str)| {
            let v = get(key)?;
            match parse_decimal(&v) {
                Some(x) if x.abs() <= f64::from(limit) => Some(x),
                _ => {
                    err(key, &v, &format!("a number from -{limit} to {limit}"));
                    None
                }
            }
        };
        let lat = coord("lat", 90, &mut err);
        let lon = coord("lon", 180, &mut err);
        let name = get("name").filter(|n| !n.is_empty());
        c.place = match (lat, lon, get("q").filter(|q| !q.is_empty())) {
            (Some(lat), Some(lon), _) => PlaceChoice::Coords { lat, lon, name },
            (_, _, Some(q)) => PlaceChoice::Search(q),
            _ => {
                if lat.is_some() != lon.is_some() && get("lat").is_some() != get("lon").is_some() {
                    let missing = if lat.is_some() { "lon" } else { "lat" };
                    err(missing, "", "a number too: lat and lon go together");
                }
                PlaceChoice::Auto
            }
        };

        if let Some(u) = get("units") {
            match u.as_str() {
                "metric" => {}
                "imperial" => {
                    c.units = Units {
                        temperature: TempUnit::Fahrenheit,
                        wind: WindUnit::Mph,
                        precipitation: PrecipUnit::Inch,
                    };
                    c.wind = WindDisplay::Unit(WindUnit::Mph);
                    c.pressure = PressureUnit::InHg;
                    c.aqi = AqiScale::Us;
                }
                _ => err("units", &u, "metric or imperial"),
            }
        }
        if let Some(t) = get("temp") {
            match t.as_str() {
                "c" => c.units.temperature = TempUnit::Celsius,
                "f" => c.units.temperature = TempUnit::Fahrenheit,
                _ => err("temp", &t, "c or f"),
            }
        }
        if let Some(w) = get("wind") {
            let display = match w.as_str() {
                "kmh" => Some(WindDisplay::Unit(WindUnit::Kmh)),
                "ms" => Some(WindDisplay::Unit(WindUnit::Ms)),
                "mph" => Some(WindDisplay::Unit(WindUnit::Mph)),
                "kn" => Some(WindDisplay::Unit(WindUnit::Kn)),
                "bft" => Some(WindDisplay::Beaufort),
                _ => None,
            };
            match display {
                Some(d) => c.wind = d,
                None => err("wind", &w, "kmh, ms, mph, kn or bft"),
            }
        }
        c.units.wind = match c.wind {
            WindDisplay::Unit(u) => u,
            WindDisplay::Beaufort => WindUnit::Ms,
        };
        if let Some(p) = get("precip") {
            match p.as_str() {
                "mm" => c.units.precipitation = PrecipUnit::Mm,
                "in" => c.units.precipitation = PrecipUnit::Inch,
                _ => err("precip", &p, "mm or in"),
            }
        }
        if let Some(p) = get("pressure") {
            match PressureUnit::parse(&p) {
                Some(u) => c.pressure = u,
                None => err("pressure", &p, "hpa, inhg or mmhg"),
            }
        }
        if let Some(h) = get("hour12") {
            match h.as_str() {
                "0" => c.hour12 = Some(false),
                "1" => c.hour12 = Some(true),
                _ => err("hour12", &h, "0 or 1"),
            }
        }
        if let Some(t) = get("theme") {
            match t.as_str() {
                "light" => c.theme = Theme::Light,
                "dark" => c.theme = Theme::Dark,
                "auto" => c.theme = Theme::Auto,
                _ => err("theme", &t, "light, dark or auto"),
            }
        }
        if let Some(a) = get("aqi") {
            match a.as_str() {
                "eu" | "european" => c.aqi = AqiScale::European,
                "us" => c.aqi = AqiScale::Us,
                _ => err("aqi", &a, "eu or us"),
            }
        }
        if let Some(list) = get("cards") {
            let mut cards = Vec::new();
            let mut unknown = Vec::new();
            for id in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                if crate::cards::find(id).is_some() {
                    if !cards.iter().any(|c| c == id) {
                        cards.push(id.to_owned());
                    }
                } else {
                    unknown.push(id.to_owned());
                }
            }
            if !unknown.is_empty() || cards.is_empty() {
                err(
                    "cards",
                    &list,
                    &format!(
                        "a comma-separated list of {}",
                        CARDS.iter().map(|c| c.id).collect::<Vec<_>>().join(", ")
                    ),
                );
            }
            if !cards.is_empty() {
                c.cards = cards;
            }
        }
        if let Some(l) = get("live").filter(|l| !l.is_empty()) {
            if (l.starts_with("ws://") || l.starts_with("wss://")) && l.len() > "ws://x".len() {
                c.live = Some(l);
            } else {
                err("live", &l, "a full ws:// or wss:// URL of an Isobar relay");
            }
        }
        if let Some(s) = get("station").filter(|s| !s.is_empty()) {
            if !crate::live::is_station_id(&s) {
                err(
                    "station",
                    &s,
                    "a station id of letters, digits, - and _ (at most 64)",
                );
            } else if c.live.is_none() {
                err(
                    "station",
                    &s,
                    "a live= relay too: stations upload to a relay, which passes them on",
                );
            } else {
                c.station = Some(s);
            }
        }
        // Flags: present (`?compact`, `compact=`), or 1/true/yes; 0/false/no turn them off.
        let flag = |key: &str, err: &mut dyn FnMut(&str, &str, &str)| -> Option<bool> {
            let v = get(key)?;
            match v.to_ascii_lowercase().as_str() {
                "" | "1" | "true" | "yes" | "on" => Some(true),
                "0" | "false" | "no" | "off" => Some(false),
                _ => {
                    err(key, &v, "nothing, 1 or true (0 or false turns it off)");
                    None
                }
            }
        };
        if let Some(b) = flag("compact", &mut err) {
            c.compact = b;
        }
        if let Some(b) = flag("transparent", &mut err) {
            c.transparent = b;
        }
        c.search = flag("search", &mut err);
        c.settings = flag("settings", &mut err);
        if let Some(l) = get("layout") {
            match l.as_str() {
                "compact" => c.compact = true,
                "full" => c.compact = false,
                _ => err("layout", &l, "full or compact"),
            }
        }
        if let Some(b) = get("background") {
            match b.as_str() {
                "transparent" => c.transparent = true,
                "solid" => c.transparent = false,
                _ => err("background", &b, "solid or transparent"),
            }
        }
        if let Some(f) = get("fetch") {
            match f.as_str() {
                "concurrent" => c.sequential = false,
                "sequential" => c.sequential = true,
                _ => err("fetch", &f, "concurrent or sequential"),
            }
        }
        for (key, slot) in [
            ("forecast_url", &mut c.forecast_url),
            ("air_quality_url", &mut c.air_quality_url),
            ("geocoding_url", &mut c.geocoding_url),
            ("nws_url", &mut c.nws_url),
            ("brightsky_url", &mut c.brightsky_url),
        ] {
            if let Some(u) = get(key) {
                if is_http_url(&u) {
                    *slot = u;
                } else {
                    err(key, &u, "a full http:// or https:// URL");
                }
            }
        }
        (c, errors)
    }
}

/// A decimal number as people write one in an address: `52.52`, `-0.1278`, `+13.4`, `.5`,
/// `7.`, `1e-3`. Nothing else: no `NaN`, `inf`, hex or spaces inside.
///
/// Read by the JSON parser ([`crate::json`]), which the bundle has anyway for the API's answers,
/// rather than by `str::parse::<f64>`: the standard library's parser brings a 10,416-byte
/// table of powers of five (about 9 KB of a brotli-compressed bundle) for the last bit of
/// precision, a ten-millionth of a millimetre on a coordinate.
pub fn parse_decimal(text: &str) -> Option<f64> {
    // `strip_prefix` and `split_at_checked` rather than indexing: an index could panic (to the
    // compiler) and would bring the panic's message, which formats a `char` with `Debug` and
    // so Unicode's printable tables (about 1.3 KB brotli for the bundle).
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.strip_prefix('+').unwrap_or(text)),
    };
    let (mantissa, exponent) = match digits.find(['e', 'E']) {
        Some(i) => digits.split_at_checked(i)?,
        None => (digits, ""),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() && frac.is_empty() || !all_digits(int) || !all_digits(frac) {
        return None;
    }
    // JSON wants a digit on each side of the point and no leading zeros.
    let int = int.trim_start_matches('0');
    let json = format!(
        "{sign}{}.{}{exponent}",
        if int.is_empty() { "0" } else { int },
        if frac.is_empty() { "0" } else { frac },
    );
    crate::json::parse(&json)
        .ok()?
        .as_f64()
        .filter(|x| x.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_when_empty() {
        let (c, e) = Config::from_query("");
        assert_eq!(c, Config::default());
        assert!(e.is_empty());
    }

    #[test]
    fn decimals_as_people_write_them() {
        for (text, want) in [
            ("52.52", 52.52),
            ("-0.1278", -0.1278),
            ("+13.405", 13.405),
            (".5", 0.5),
            ("-.5", -0.5),
            ("7.", 7.0),
            ("007", 7.0),
            ("0", 0.0),
            ("1e-3", 0.001),
            ("-33.8688E0", -33.8688),
            ("179.99999999", 179.99999999),
        ] {
            assert_eq!(parse_decimal(text), Some(want), "{text}");
            // The same number as the standard library reads it, to the last bit or one off.
            let exact: f64 = text.parse().unwrap();
            assert!((want - exact).abs() <= f64::EPSILON * exact.abs(), "{text}");
        }
        for text in [
            "", "-", "+", ".", "-.", "e5", "1e", "1e+", "1.2.3", "1,5", "0x10", "NaN", "inf",
            "-inf", "1e999", " 1", "1 ", "--1", "+-1", "1_000", "١٢",
        ] {
            assert_eq!(parse_decimal(text), None, "{text:?}");
        }
        let (_, e) = Config::from_query("lat=1e999&lon=0");
        assert_eq!(e[0].param, "lat");
        assert!(e[0].to_string().contains("from -90 to 90"), "{}", e[0]);
    }

    #[test]
    fn coordinates_name_and_endpoints() {
        let (c, e) = Config::from_query(
            "?lat=27.7&lon=85.32&name=Kathmandu%20Valley&forecast_url=http%3A%2F%2F127.0.0.1%3A9%2Fv1%2Fforecast",
        );
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(
            c.place,
            PlaceChoice::Coords {
                lat: 27.7,
                lon: 85.32,
                name: Some("Kathmandu Valley".into())
            }
        );
        assert_eq!(c.forecast_url, "http://127.0.0.1:9/v1/forecast");
    }

    #[test]
    fn invalid_values_are_named_and_defaults_kept() {
        let (c, e) = Config::from_query("lat=200&lon=10&units=kelvin&cards=uv,mars&wind=warp");
        let params: Vec<&str> = e.iter().map(|e| e.param.as_str()).collect();
        assert_eq!(params, ["lat", "units", "wind", "cards"]);
        assert_eq!(c.place, PlaceChoice::Auto);
        assert_eq!(c.units, Units::default());
        assert_eq!(c.cards, ["uv"]);
        let msg = e[0].to_string();
        assert!(
            msg.contains("lat=200") && msg.contains("-90 to 90"),
            "{msg}"
        );
    }

    #[test]
    fn imperial_with_overrides() {
        let (c, e) = Config::from_query("units=imperial&temp=c&wind=bft");
        assert!(e.is_empty());
        assert_eq!(c.units.temperature, TempUnit::Celsius);
        assert_eq!(c.units.precipitation, PrecipUnit::Inch);
        assert_eq!(c.wind, WindDisplay::Beaufort);
        assert_eq!(c.units.wind, WindUnit::Ms);
    }

    #[test]
    fn pressure_follows_units_unless_given() {
        assert_eq!(Config::from_query("").0.pressure, PressureUnit::Hpa);
        assert_eq!(
            Config::from_query("units=imperial").0.pressure,
            PressureUnit::InHg
        );
        let (c, e) = Config::from_query("units=imperial&pressure=mmhg");
        assert!(e.is_empty());
        assert_eq!(c.pressure, PressureUnit::MmHg);
        let (c, e) = Config::from_query("pressure=psi");
        assert_eq!(c.pressure, PressureUnit::Hpa);
        assert_eq!(e[0].param, "pressure");
    }

    #[test]
    fn decodes_percent_and_plus() {
        assert_eq!(decode_component("S%C3%A3o+Paulo"), "São Paulo");
        assert_eq!(decode_component("100%"), "100%");
        assert_eq!(decode_component("%zz"), "%zz");
        // Only two hex digits make an escape: a sign is not one (`%+1` was the byte 0x01).
        assert_eq!(decode_component("%+1"), "% 1");
        assert_eq!(decode_component("%-1"), "%-1");
        assert_eq!(decode_component("a%4"), "a%4");
        assert_eq!(decode_component("%41%4a%4A"), "AJJ");
        assert_eq!(decode_component("%FF"), "\u{FFFD}");
        assert_eq!(
            parse_query("?q=%+1&name=Z%C3%BCrich&&flag"),
            vec![
                ("q".to_owned(), "% 1".to_owned()),
                ("name".to_owned(), "Zürich".to_owned()),
                ("flag".to_owned(), String::new()),
            ]
        );
    }

    #[test]
    fn decodes_as_the_url_standards_reference_does() {
        // form_urlencoded implements the WHATWG URL standard; the dashboard decodes by hand
        // because that is 0.5 KiB smaller. Checked on generated strings of the characters
        // that matter.
        let alphabet: Vec<char> = "%+=&?aZ09fFgG-_.~ é€\u{0}".chars().collect();
        let mut seed: u64 = 0x1505;
        let mut next = || {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as usize
        };
        for _ in 0..20_000 {
            let len = next() % 12;
            let s: String = (0..len)
                .map(|_| alphabet[next() % alphabet.len()])
                .collect();
            let want: Vec<(String, String)> =
                form_urlencoded::parse(s.as_bytes()).into_owned().collect();
            assert_eq!(parse_query(&format!("?{s}")), want, "{s:?}");
        }
    }

    #[test]
    fn a_station_needs_a_relay_and_a_plain_id() {
        let (c, e) = Config::from_query("live=ws://127.0.0.1:8082/live&station=KCASANFR5");
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(c.station.as_deref(), Some("KCASANFR5"));
        let (c, e) = Config::from_query("station=KCASANFR5");
        assert_eq!(c.station, None);
        assert_eq!(e[0].param, "station");
        assert!(e[0].to_string().contains("live="), "{}", e[0]);
        let (c, e) = Config::from_query("live=ws://h/live&station=a%22b");
        assert_eq!(c.station, None);
        assert!(e[0].to_string().contains("letters, digits"), "{}", e[0]);
    }

    #[test]
    fn compact_and_transparent_as_flags_or_values() {
        let (c, e) = Config::from_query("compact&transparent=1");
        assert!(e.is_empty(), "{e:?}");
        assert!(c.compact && c.transparent);
        let (c, e) = Config::from_query("layout=compact&background=transparent");
        assert!(e.is_empty(), "{e:?}");
        assert!(c.compact && c.transparent);
        let (c, e) = Config::from_query("compact=false&transparent=no");
        assert!(e.is_empty());
        assert!(!c.compact && !c.transparent);
        let (c, e) = Config::from_query("compact=maybe&layout=tiny");
        assert!(!c.compact);
        let params: Vec<&str> = e.iter().map(|e| e.param.as_str()).collect();
        assert_eq!(params, ["compact", "layout"]);
    }
}
