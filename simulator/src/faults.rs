//! Fault injection: latency, error statuses, bodies cut off part-way, and responses that never
//! finish, per endpoint. Set at start (command-line flags), at run time (`PUT /_sim/faults/...`),
//! or per request (`sim_*` query parameters, which win).

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// One of the simulated APIs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Endpoint {
    /// `/v1/forecast`.
    Forecast,
    /// `/v1/air-quality`.
    AirQuality,
    /// `/v1/search`.
    Geocoding,
    /// `/alerts/active` (the US National Weather Service's API).
    NwsAlerts,
    /// `/alerts` (Bright Sky's API, Germany).
    BrightSkyAlerts,
}

impl Endpoint {
    /// Every endpoint.
    pub const ALL: [Endpoint; 5] = [
        Endpoint::Forecast,
        Endpoint::AirQuality,
        Endpoint::Geocoding,
        Endpoint::NwsAlerts,
        Endpoint::BrightSkyAlerts,
    ];

    /// The endpoint's name in flags, URLs and statistics.
    pub fn name(self) -> &'static str {
        match self {
            Endpoint::Forecast => "forecast",
            Endpoint::AirQuality => "air-quality",
            Endpoint::Geocoding => "geocoding",
            Endpoint::NwsAlerts => "nws",
            Endpoint::BrightSkyAlerts => "brightsky",
        }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Endpoint {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "forecast" => Ok(Endpoint::Forecast),
            "air-quality" | "air_quality" | "airquality" => Ok(Endpoint::AirQuality),
            "nws" => Ok(Endpoint::NwsAlerts),
            "brightsky" => Ok(Endpoint::BrightSkyAlerts),
            "geocoding" | "search" => Ok(Endpoint::Geocoding),
            other => Err(format!(
                "unknown endpoint `{other}` (expected forecast, air-quality, geocoding, nws, brightsky or all)"
            )),
        }
    }
}

/// What to do wrong. Every field is optional; an empty fault answers normally.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Fault {
    /// Wait this long before answering, in milliseconds.
    pub delay_ms: Option<u64>,
    /// Answer with this HTTP status and Open-Meteo's error body (429, 500, 503, ...).
    pub status: Option<u16>,
    /// With status 429 or 503: the `Retry-After` header, in seconds (default 1).
    pub retry_after: Option<u64>,
    /// Send only this part of the body: a fraction in (0, 1), or a byte count when ≥ 1.
    pub truncate: Option<f64>,
    /// Send the headers and part of the body, then never finish.
    pub hang: bool,
    /// Replace this fraction (0–1) of the data values with `null`, as Open-Meteo does where a
    /// model has no value; the same positions every time.
    pub nulls: Option<f64>,
    /// Live mode: `current` is the reading of this very second, changing every few seconds.
    pub live: bool,
    /// Apply to this many requests only, then clear itself (unlimited when absent).
    pub times: Option<u32>,
}

impl Fault {
    /// Whether the fault changes anything.
    pub fn is_empty(&self) -> bool {
        self.delay_ms.is_none()
            && self.status.is_none()
            && self.truncate.is_none()
            && !self.hang
            && self.nulls.is_none()
            && !self.live
    }

    /// Lays `other`'s set fields over `self`'s.
    pub fn overlay(mut self, other: &Fault) -> Fault {
        self.delay_ms = other.delay_ms.or(self.delay_ms);
        self.status = other.status.or(self.status);
        self.retry_after = other.retry_after.or(self.retry_after);
        self.truncate = other.truncate.or(self.truncate);
        self.hang |= other.hang;
        self.nulls = other.nulls.or(self.nulls);
        self.live |= other.live;
        self
    }

    /// Reads the per-request `sim_*` query parameters of [`FAULTS`] (`sim_delay=500`,
    /// `sim_hang=1`); other parameters are left alone.
    pub fn from_query(pairs: &[(String, String)]) -> Result<Fault, String> {
        let mut f = Fault::default();
        for (k, v) in pairs {
            let Some(spec) = FAULTS.iter().find(|s| s.query() == *k) else {
                continue;
            };
            let bad = || format!("Invalid value `{v}` for simulator parameter `{k}`");
            if spec.value.is_none() {
                // A switch: on for 1, true, yes or nothing.
                if matches!(v.as_str(), "1" | "true" | "yes" | "") {
                    (spec.set)(&mut f, "").map_err(|()| bad())?;
                }
            } else {
                (spec.set)(&mut f, v).map_err(|()| bad())?;
            }
        }
        Ok(f)
    }
}

/// One kind of fault: its name, which is the command-line flag (`--delay`), the per-request
/// query parameter (`sim_delay`) and, with [`FaultSpec::field`], the JSON field of
/// `PUT /_sim/faults/<endpoint>`; its help; and how it sets a [`Fault`]. The one list of
/// faults is [`FAULTS`]: the simulator's and the xtask's `--help`, the flags, the query
/// parameters and the README's table all come from it or are checked against it.
#[derive(Debug)]
pub struct FaultSpec {
    /// The name, as in the flag (`retry-after`).
    pub name: &'static str,
    /// The value's name in help (`MS`); `None` for a switch such as `--hang`.
    pub value: Option<&'static str>,
    /// The JSON field of [`Fault`] it sets.
    pub field: &'static str,
    /// What it does, for `--help`.
    pub help: &'static str,
    set: fn(&mut Fault, &str) -> Result<(), ()>,
}

impl FaultSpec {
    /// The command-line flag: `--delay`.
    pub fn flag(&self) -> String {
        format!("--{}", self.name)
    }

    /// The per-request query parameter: `sim_delay`.
    pub fn query(&self) -> String {
        format!("sim_{}", self.name.replace('-', "_"))
    }
}

/// Every fault the simulator can inject.
pub const FAULTS: &[FaultSpec] = &[
    FaultSpec {
        name: "delay",
        value: Some("MS"),
        field: "delay_ms",
        help: "wait MS milliseconds before answering",
        set: |f, v| {
            f.delay_ms = Some(v.parse().map_err(drop)?);
            Ok(())
        },
    },
    FaultSpec {
        name: "status",
        value: Some("CODE"),
        field: "status",
        help: "answer with HTTP status CODE (429, 500, 503, ...) and Open-Meteo's error body",
        set: |f, v| {
            f.status = Some(parse_status(v).ok_or(())?);
            Ok(())
        },
    },
    FaultSpec {
        name: "retry-after",
        value: Some("S"),
        field: "retry_after",
        help: "the Retry-After header of a 429 or 503, in seconds (default 1)",
        set: |f, v| {
            f.retry_after = Some(v.parse().map_err(drop)?);
            Ok(())
        },
    },
    FaultSpec {
        name: "truncate",
        value: Some("PART"),
        field: "truncate",
        help: "cut the body off part-way: a fraction (0.5) or a byte count (200)",
        set: |f, v| {
            f.truncate = Some(parse_truncate(v).ok_or(())?);
            Ok(())
        },
    },
    FaultSpec {
        name: "hang",
        value: None,
        field: "hang",
        help: "send the headers and part of the body, then never finish",
        set: |f, _| {
            f.hang = true;
            Ok(())
        },
    },
    FaultSpec {
        name: "nulls",
        value: Some("F"),
        field: "nulls",
        help: "null in place of a fraction F (0-1) of the values, the same places every time",
        set: |f, v| {
            f.nulls = Some(parse_fraction(v).ok_or(())?);
            Ok(())
        },
    },
    FaultSpec {
        name: "live",
        value: None,
        field: "live",
        help: "live mode: `current` is this second's reading, changing every few seconds",
        set: |f, _| {
            f.live = true;
            Ok(())
        },
    },
];

fn parse_status(v: &str) -> Option<u16> {
    v.parse().ok().filter(|s| (100..=599).contains(s))
}

fn parse_fraction(v: &str) -> Option<f64> {
    v.parse::<f64>().ok().filter(|t| (0.0..=1.0).contains(t))
}

fn parse_truncate(v: &str) -> Option<f64> {
    v.parse::<f64>().ok().filter(|t| *t > 0.0 && t.is_finite())
}

/// The configured faults of every endpoint.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FaultTable(pub HashMap<Endpoint, Fault>);

impl FaultTable {
    /// The fault for the next request to `endpoint`, counting down `times`.
    pub fn take(&mut self, endpoint: Endpoint) -> Fault {
        let Some(f) = self.0.get_mut(&endpoint) else {
            return Fault::default();
        };
        let current = f.clone();
        if let Some(n) = f.times.as_mut() {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.0.remove(&endpoint);
            }
        }
        current
    }

    /// Applies one command-line flag of [`FAULTS`] (`--delay`, `--hang`, ...) with its value
    /// `[ENDPOINT=]VALUE` (a switch takes `[ENDPOINT]`), where ENDPOINT is an endpoint name
    /// or `all` (the default).
    pub fn apply_flag(&mut self, flag: &str, value: &str) -> Result<(), String> {
        let spec = FAULTS
            .iter()
            .find(|s| s.flag() == flag)
            .ok_or_else(|| format!("unknown flag {flag}"))?;
        let (target, v) = match value.split_once('=') {
            Some((t, v)) => (t, v),
            None if spec.value.is_none() => (value, ""),
            None => ("all", value),
        };
        let endpoints: Vec<Endpoint> = if target == "all" || target.is_empty() {
            Endpoint::ALL.to_vec()
        } else {
            vec![target.parse()?]
        };
        for e in endpoints {
            (spec.set)(self.0.entry(e).or_default(), v)
                .map_err(|()| format!("invalid value `{value}` for {flag}"))?;
        }
        Ok(())
    }
}

/// The fault flags of [`FAULTS`] on a command line (the simulator's, and `cargo xtask run`'s),
/// with their help; flatten it into a `clap` parser.
#[derive(Debug, Clone, Default)]
pub struct FaultArgs {
    /// The faults the flags set.
    pub table: FaultTable,
    /// Whether any fault flag was given.
    pub given: bool,
}

impl clap::FromArgMatches for FaultArgs {
    fn from_arg_matches(m: &clap::ArgMatches) -> Result<Self, clap::Error> {
        let mut args = FaultArgs::default();
        for spec in FAULTS {
            for v in m.get_many::<String>(spec.name).into_iter().flatten() {
                args.given = true;
                args.table
                    .apply_flag(&spec.flag(), v)
                    .map_err(|e| clap::Error::raw(clap::error::ErrorKind::ValueValidation, e))?;
            }
        }
        Ok(args)
    }

    fn update_from_arg_matches(&mut self, m: &clap::ArgMatches) -> Result<(), clap::Error> {
        *self = FaultArgs::from_arg_matches(m)?;
        Ok(())
    }
}

impl clap::Args for FaultArgs {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        use clap::{Arg, ArgAction};
        let cmd = cmd.next_help_heading(
            "Faults (ENDPOINT: forecast, air-quality, geocoding, nws, brightsky or all, the default)",
        );
        FAULTS.iter().fold(cmd, |cmd, spec| {
            let arg = Arg::new(spec.name)
                .long(spec.name)
                .action(ArgAction::Append)
                .help(spec.help);
            cmd.arg(match spec.value {
                Some(v) => arg.value_name(format!("[ENDPOINT=]{v}")),
                None => arg
                    .value_name("ENDPOINT")
                    .num_args(0..=1)
                    .default_missing_value("all"),
            })
        })
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        FaultArgs::augment_args(cmd)
    }
}

/// Replaces about `fraction` of the data values of an answer (every variable of `current`,
/// `hourly` and `daily`, never `time`) with `null`, at positions fixed by a hash of the
/// variable's name and index.
pub fn apply_nulls(answer: &mut serde_json::Value, fraction: f64) {
    use serde_json::Value;
    fn hit(key: &str, i: usize, fraction: f64) -> bool {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in key.bytes().chain(i.to_le_bytes()) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        (h % 10_000) as f64 / 10_000.0 < fraction
    }
    if let Value::Array(places) = answer {
        places.iter_mut().for_each(|p| apply_nulls(p, fraction));
        return;
    }
    for block in ["current", "hourly", "daily"] {
        let Some(Value::Object(vars)) = answer.get_mut(block) else {
            continue;
        };
        for (key, v) in vars.iter_mut() {
            if key == "time" || key == "interval" {
                continue;
            }
            match v {
                Value::Array(items) => items
                    .iter_mut()
                    .enumerate()
                    .filter(|(i, _)| hit(key, *i, fraction))
                    .for_each(|(_, x)| *x = Value::Null),
                x if hit(key, 0, fraction) => *x = Value::Null,
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_target_one_or_all_endpoints() {
        let mut t = FaultTable::default();
        t.apply_flag("--delay", "500").unwrap();
        t.apply_flag("--status", "air-quality=503").unwrap();
        t.apply_flag("--hang", "geocoding").unwrap();
        assert_eq!(t.0[&Endpoint::Forecast].delay_ms, Some(500));
        assert_eq!(t.0[&Endpoint::AirQuality].status, Some(503));
        assert_eq!(t.0[&Endpoint::Forecast].status, None);
        assert!(t.0[&Endpoint::Geocoding].hang);
        assert!(t.apply_flag("--status", "weather=500").is_err());
        assert!(t.apply_flag("--truncate", "forecast=-1").is_err());
    }

    #[test]
    fn times_counts_down_then_clears() {
        let mut t = FaultTable::default();
        t.0.insert(
            Endpoint::Forecast,
            Fault {
                status: Some(500),
                times: Some(2),
                ..Fault::default()
            },
        );
        assert_eq!(t.take(Endpoint::Forecast).status, Some(500));
        assert_eq!(t.take(Endpoint::Forecast).status, Some(500));
        assert!(t.take(Endpoint::Forecast).is_empty());
    }

    #[test]
    fn nulls_replace_data_but_never_time() {
        let mut v = serde_json::json!({
            "current": {"time": 1, "interval": 900, "temperature_2m": 3.0},
            "hourly": {"time": [1, 2, 3, 4], "temperature_2m": [1.0, 2.0, 3.0, 4.0]}
        });
        apply_nulls(&mut v, 1.0);
        assert_eq!(v["current"]["time"], 1);
        assert_eq!(v["current"]["temperature_2m"], serde_json::Value::Null);
        assert_eq!(v["hourly"]["time"][3], 4);
        assert!(v["hourly"]["temperature_2m"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x.is_null()));
        let mut w =
            serde_json::json!({"hourly": {"time": vec![0; 200], "uv_index": vec![1.0; 200]}});
        apply_nulls(&mut w, 0.25);
        let n = w["hourly"]["uv_index"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x.is_null())
            .count();
        assert!((20..=80).contains(&n), "{n} of 200");
    }

    #[test]
    fn query_parameters_override() {
        let q = vec![
            ("sim_status".to_owned(), "429".to_owned()),
            ("sim_retry_after".to_owned(), "7".to_owned()),
        ];
        let f = Fault::from_query(&q).unwrap();
        let base = Fault {
            status: Some(500),
            delay_ms: Some(10),
            ..Fault::default()
        };
        let merged = base.overlay(&f);
        assert_eq!(merged.status, Some(429));
        assert_eq!(merged.retry_after, Some(7));
        assert_eq!(merged.delay_ms, Some(10));
    }
}

#[cfg(test)]
mod table_tests {
    use super::*;

    /// The README's fault table: its rows between the heading and the first blank line.
    fn readme_rows() -> Vec<String> {
        let readme = include_str!("../../README.md");
        let start = readme
            .find("| fault | start flag |")
            .expect("README has the fault table");
        readme[start..]
            .lines()
            .take_while(|l| l.starts_with('|'))
            .skip(2)
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn the_readme_table_lists_every_fault_and_no_other() {
        let rows = readme_rows();
        for spec in FAULTS {
            let flag = match spec.value {
                Some(v) => format!("`{} [EP=]{v}`", spec.flag()),
                None => format!("`{} [EP]`", spec.flag()),
            };
            let row = rows
                .iter()
                .find(|r| r.contains(&flag))
                .unwrap_or_else(|| panic!("no README row with {flag}"));
            assert!(row.contains(&format!("`{}=", spec.query())), "{row}");
            assert!(row.contains(&format!("`{}`", spec.field)), "{row}");
        }
        for row in &rows {
            let flag = row.split('|').nth(2).unwrap_or_default().trim();
            let known = flag == "–"
                || FAULTS
                    .iter()
                    .any(|s| flag.starts_with(&format!("`{} ", s.flag())));
            assert!(known, "README row for a fault the simulator lacks: {row}");
        }
    }

    #[test]
    fn every_field_is_a_field_of_fault() {
        let all = serde_json::to_value(Fault::default()).unwrap();
        for spec in FAULTS {
            assert!(all.get(spec.field).is_some(), "{}", spec.field);
            let mut f = Fault::default();
            let v = match spec.value {
                Some("CODE") => "503",
                Some(_) => "1",
                None => "",
            };
            (spec.set)(&mut f, v).unwrap();
            assert_ne!(f, Fault::default(), "{} sets nothing", spec.name);
            let on = if v.is_empty() { "1" } else { v };
            let query = Fault::from_query(&[(spec.query(), on.to_owned())]).unwrap();
            assert_eq!(query, f, "{} by query", spec.query());
        }
    }
}
