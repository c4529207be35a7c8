//! The live protocol between the relay and the dashboard: JSON text messages over a WebSocket,
//! each an object with a `type` field. Defined once here and used by both sides; documented with
//! an example of every message in `docs/live-protocol.md`.
//!
//! Values are always metric (°C, km/h, mm, hPa) and say so in `units`; the dashboard converts
//! to the viewer's units.

use serde::{Deserialize, Serialize};

/// The protocol version the `hello` message announces. Version 2 added positions: each
/// observation carries its topic's `epoch` and `offset`, and `subscribe` may send `since`, the
/// last position seen, to get what was missed (see `docs/live-protocol.md`). A version 1 client
/// sends no `since` and ignores the new fields.
pub const PROTOCOL_VERSION: u32 = 2;

/// Where a reading stands in its topic: the topic's `epoch` (it changes when the relay's
/// history of the topic starts again: a restart, or a place followed anew) and its `offset`
/// (1, 2, 3, ... in that epoch).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// The topic's epoch.
    pub epoch: String,
    /// The reading's offset in it.
    pub offset: u64,
}

impl Position {
    /// Whether a reading at `next` is new to a client that last saw `last`: any reading of
    /// another epoch, or a later offset of the same one. A client applies a reading only if
    /// this holds, so a replayed or repeated reading is shown once.
    pub fn is_new(last: Option<&Position>, next: &Position) -> bool {
        last.is_none_or(|l| l.epoch != next.epoch || next.offset > l.offset)
    }
}

/// What a subscription is for: a place (rounded to the model grid by the relay) or a
/// personal weather station.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Target {
    /// A place, by coordinates.
    Place {
        /// Latitude in degrees.
        lat: f64,
        /// Longitude in degrees.
        lon: f64,
    },
    /// A personal weather station, by its id.
    Station {
        /// The station's id (`KCASANFR5`).
        station: String,
    },
}

/// A message from the dashboard to the relay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    /// Start receiving observations for a target.
    Subscribe {
        /// What to subscribe to.
        #[serde(flatten)]
        target: Target,
        /// The last position the client saw of this topic (version 2): the relay then sends
        /// what was missed after it, or says it cannot (`recovered: false`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        since: Option<Position>,
    },
    /// Stop receiving observations for a target.
    Unsubscribe {
        /// What to unsubscribe from.
        #[serde(flatten)]
        target: Target,
    },
    /// Asks for a `pong`, to measure the round trip or keep the connection alive.
    Ping {
        /// Echoed in the `pong`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
    },
}

/// The limits a relay enforces, announced in `hello`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    /// Largest message accepted from a client, bytes.
    pub max_message_bytes: usize,
    /// Most subscriptions one connection may hold.
    pub max_subscriptions: usize,
    /// The relay pings this often, seconds.
    pub heartbeat_s: u64,
    /// A connection silent this long is closed, seconds.
    pub idle_timeout_s: u64,
    /// Messages a client may send per second on average; more are answered with
    /// `rate_limited` (absent from relays before it was announced).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messages_per_s: Option<f64>,
    /// Messages a client may send at once before `messages_per_s` applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_burst: Option<u32>,
}

/// Units of an observation's values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObservationUnits {
    /// `°C`.
    pub temperature: String,
    /// `km/h`.
    pub wind_speed: String,
    /// `mm`.
    pub precipitation: String,
    /// `hPa`.
    pub pressure: String,
}

impl Default for ObservationUnits {
    fn default() -> Self {
        ObservationUnits {
            temperature: "°C".into(),
            wind_speed: "km/h".into(),
            precipitation: "mm".into(),
            pressure: "hPa".into(),
        }
    }
}

/// Observed values; any may be absent.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Values {
    /// Air temperature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    /// Feels-like temperature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apparent_temperature: Option<f64>,
    /// Relative humidity, %.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub humidity: Option<f64>,
    /// Pressure at sea level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pressure: Option<f64>,
    /// Wind speed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wind_speed: Option<f64>,
    /// Gusts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wind_gust: Option<f64>,
    /// Direction the wind comes from, degrees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wind_direction: Option<f64>,
    /// UV index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uv_index: Option<f64>,
    /// Precipitation (rain rate over the last hour, or since the previous observation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precipitation: Option<f64>,
}

impl Values {
    /// Whether no value is present.
    pub fn is_empty(&self) -> bool {
        *self == Values::default()
    }
}

/// Whether a source is delivering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceState {
    /// Fresh values are arriving.
    Live,
    /// The source failed; the last values are stale.
    Stale,
}

/// A message from the relay to the dashboard.
// Messages are built and serialised at once, never stored in bulk: boxing the large
// observation would only add an allocation per message.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// Sent first on every connection.
    Hello {
        /// [`PROTOCOL_VERSION`].
        version: u32,
        /// The relay's clock, Unix seconds.
        server_time: i64,
        /// The limits in force.
        limits: Limits,
    },
    /// A subscription was accepted.
    Subscribed {
        /// The target, as the relay keys it (places rounded to the grid).
        #[serde(flatten)]
        target: Target,
        /// The topic's epoch (version 2).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        epoch: Option<String>,
        /// The topic's last offset, 0 before its first reading (version 2).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        offset: Option<u64>,
        /// Only when the client sent `since`: `true` when the observations that follow are
        /// exactly every reading after it (none, if it was at the last); `false` when they
        /// cannot be (another epoch, or older than the history kept), and only the current
        /// value follows.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        recovered: Option<bool>,
    },
    /// New values for a target.
    Observation {
        /// What the values are for.
        #[serde(flatten)]
        target: Target,
        /// When they were observed, Unix seconds.
        time: i64,
        /// Where they come from: `open-meteo`, `station`, `simulator`.
        source: String,
        /// The values.
        values: Values,
        /// Their units.
        units: ObservationUnits,
        /// The reading's position in its topic (version 2; set by the relay's hub).
        #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
        position: Option<Position>,
    },
    /// A source went stale or recovered.
    Status {
        /// What the status is about.
        #[serde(flatten)]
        target: Target,
        /// Live or stale.
        state: SourceState,
        /// Why, in plain words.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// Answer to a `ping`.
    Pong {
        /// The ping's id.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
    },
    /// Something the client sent could not be done.
    Error {
        /// A stable code: `bad_message`, `too_large`, `bad_target`, `unknown_station`,
        /// `too_many_subscriptions`, `too_many_places`, `not_subscribed`, `rate_limited`,
        /// `unavailable` (listed in `docs/live-protocol.md`).
        code: String,
        /// What went wrong, in plain words.
        message: String,
    },
}

/// Merges an observation (metric) into current conditions expressed in `units`: only the
/// values the observation carries change. Returns whether anything shown changed.
pub fn apply(
    current: &mut crate::weather::Current,
    time: i64,
    values: &Values,
    units: crate::units::Units,
) -> bool {
    use crate::units::{PrecipUnit, TempUnit, WindUnit};
    let before = current.clone();
    let t = |v: f64| TempUnit::Celsius.convert(v, units.temperature);
    let w = |v: f64| WindUnit::Kmh.convert(v, units.wind);
    let p = |v: f64| PrecipUnit::Mm.convert(v, units.precipitation);
    let set = |slot: &mut Option<f64>, v: Option<f64>, f: &dyn Fn(f64) -> f64| {
        if let Some(v) = v.filter(|v| v.is_finite()) {
            *slot = Some(f(v));
        }
    };
    let id = |v: f64| v;
    set(&mut current.temperature, values.temperature, &t);
    set(
        &mut current.apparent_temperature,
        values.apparent_temperature,
        &t,
    );
    set(&mut current.relative_humidity, values.humidity, &id);
    set(&mut current.pressure_msl, values.pressure, &id);
    set(&mut current.wind_speed, values.wind_speed, &w);
    set(&mut current.wind_gusts, values.wind_gust, &w);
    set(&mut current.wind_direction, values.wind_direction, &id);
    set(&mut current.uv_index, values.uv_index, &id);
    set(&mut current.precipitation, values.precipitation, &p);
    current.time = current.time.max(time);
    *current != before
}

/// Whether an observation's target is the place at (`lat`, `lon`): the relay reports places at
/// the centre of their 0.1° grid cell.
pub fn is_place(target: &Target, lat: f64, lon: f64) -> bool {
    match target {
        Target::Place { lat: a, lon: b } => {
            (a * 10.0).round() == (lat * 10.0).round() && (b * 10.0).round() == (lon * 10.0).round()
        }
        Target::Station { .. } => false,
    }
}

/// Whether `id` can name a station: 1 to 64 ASCII letters, digits, `-` and `_`.
pub fn is_station_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
}

/// What the dashboard needs from a server message.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    /// New values.
    Observation {
        /// For what.
        target: Target,
        /// Observed at, Unix seconds.
        time: i64,
        /// The values (metric).
        values: Values,
        /// Where the reading stands in its topic (relays of protocol version 2).
        position: Option<Position>,
    },
    /// A source went stale (`true`) or recovered.
    Status {
        /// For what.
        target: Target,
        /// Whether it is stale.
        stale: bool,
    },
    /// The relay could not do something the dashboard asked (`error`), by its stable code
    /// (`unknown_station`, `rate_limited`, ...).
    Error {
        /// The error's `code`.
        code: String,
    },
    /// A well-formed message the dashboard has nothing to do with (`hello`, `pong`, ...).
    Other,
    /// Malformed or of an unknown type: counted and ignored.
    Invalid,
}

/// Reads a server message for the dashboard. The same wire format as [`ServerMessage`], read
/// through `serde_json::Value` by hand: serde's derive for tagged, flattened enums would add
/// about 20 KB to the WebAssembly bundle.
pub fn read_incoming(text: &str) -> Incoming {
    use serde_json::Value;
    let Ok(Value::Object(m)) = crate::json::parse(text) else {
        return Incoming::Invalid;
    };
    let num = |k: &str| m.get(k).and_then(Value::as_f64);
    let target = || match (
        num("lat"),
        num("lon"),
        m.get("station").and_then(Value::as_str),
    ) {
        (Some(lat), Some(lon), _) => Some(Target::Place { lat, lon }),
        (_, _, Some(s)) => Some(Target::Station {
            station: s.to_owned(),
        }),
        _ => None,
    };
    match m.get("type").and_then(Value::as_str) {
        Some("observation") => {
            let (Some(target), Some(time), Some(Value::Object(v))) = (
                target(),
                m.get("time").and_then(Value::as_i64),
                m.get("values"),
            ) else {
                return Incoming::Invalid;
            };
            let f = |k: &str| v.get(k).and_then(Value::as_f64);
            let position = match (m.get("epoch").and_then(Value::as_str), m.get("offset")) {
                (Some(epoch), Some(offset)) => offset.as_u64().map(|offset| Position {
                    epoch: epoch.to_owned(),
                    offset,
                }),
                _ => None,
            };
            Incoming::Observation {
                target,
                time,
                position,
                values: Values {
                    temperature: f("temperature"),
                    apparent_temperature: f("apparent_temperature"),
                    humidity: f("humidity"),
                    pressure: f("pressure"),
                    wind_speed: f("wind_speed"),
                    wind_gust: f("wind_gust"),
                    wind_direction: f("wind_direction"),
                    uv_index: f("uv_index"),
                    precipitation: f("precipitation"),
                },
            }
        }
        Some("status") => match (target(), m.get("state").and_then(Value::as_str)) {
            (Some(target), Some(s @ ("stale" | "live"))) => Incoming::Status {
                target,
                stale: s == "stale",
            },
            _ => Incoming::Invalid,
        },
        Some("error") => match m.get("code").and_then(Value::as_str) {
            Some(code) => Incoming::Error {
                code: code.to_owned(),
            },
            None => Incoming::Invalid,
        },
        Some("hello" | "subscribed" | "pong") => Incoming::Other,
        _ => Incoming::Invalid,
    }
}

/// The `subscribe` message for a place, written by hand for the same reason.
pub fn subscribe_place(lat: f64, lon: f64) -> String {
    let f = |x| crate::format::fixed(x, 4);
    format!(
        r#"{{"type":"subscribe","lat":{},"lon":{}}}"#,
        f(lat),
        f(lon)
    )
}

/// The `subscribe` message for a station (its id checked by [`is_station_id`], so it needs
/// no escaping).
pub fn subscribe_station(id: &str) -> String {
    format!(r#"{{"type":"subscribe","station":"{id}"}}"#)
}

/// `subscribe` (from [`subscribe_place`] or [`subscribe_station`]) asking for what was missed
/// after `since`. An epoch that is not letters, digits, `-` and `_` (a relay makes none other)
/// is not sent: the relay then sends the current value, as to a new subscriber.
pub fn subscribe_since(subscribe: &str, since: Option<&Position>) -> String {
    match (since, subscribe.strip_suffix('}')) {
        (Some(p), Some(open)) if is_station_id(&p.epoch) => format!(
            r#"{open},"since":{{"epoch":"{}","offset":{}}}}}"#,
            p.epoch, p.offset
        ),
        _ => subscribe.to_owned(),
    }
}

/// What a page follows on the relay: a personal weather station (`station=`), or a place.
#[derive(Debug, Clone, PartialEq)]
pub enum Subscription {
    /// A station, by its id (checked by [`is_station_id`]).
    Station(String),
    /// A place.
    Place {
        /// Latitude in degrees.
        lat: f64,
        /// Longitude in degrees.
        lon: f64,
    },
}

impl Subscription {
    /// The `subscribe` message that asks for it.
    pub fn message(&self) -> String {
        match self {
            Subscription::Station(id) => subscribe_station(id),
            Subscription::Place { lat, lon } => subscribe_place(*lat, *lon),
        }
    }

    /// Whether a message about `target` is about what was subscribed to.
    pub fn covers(&self, target: &Target) -> bool {
        match (self, target) {
            (Subscription::Station(s), Target::Station { station }) => s == station,
            (Subscription::Place { lat, lon }, _) => is_place(target, *lat, *lon),
            _ => false,
        }
    }
}

/// Reads a client message, or says in plain words why not.
pub fn parse_client(text: &str) -> Result<ClientMessage, String> {
    serde_json::from_str(text).map_err(|e| format!("not a valid message: {e}"))
}

/// Reads a server message; `None` for anything malformed or unknown (counted and ignored by
/// the dashboard, never fatal).
pub fn parse_server(text: &str) -> Option<ServerMessage> {
    serde_json::from_str(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subscription_covers_its_own_target_only() {
        let station = Subscription::Station("KX-1".into());
        assert_eq!(
            station.message(),
            r#"{"type":"subscribe","station":"KX-1"}"#
        );
        assert!(station.covers(&Target::Station {
            station: "KX-1".into()
        }));
        assert!(!station.covers(&Target::Station {
            station: "KX-2".into()
        }));
        assert!(!station.covers(&Target::Place {
            lat: 52.55,
            lon: 13.45
        }));
        let place = Subscription::Place {
            lat: 52.52,
            lon: 13.405,
        };
        assert_eq!(
            place.message(),
            r#"{"type":"subscribe","lat":52.5200,"lon":13.4050}"#
        );
        // The relay reports the place rounded to its 0.1° cell.
        assert!(place.covers(&Target::Place {
            lat: 52.5,
            lon: 13.4
        }));
        assert!(!place.covers(&Target::Place {
            lat: 52.7,
            lon: 13.4
        }));
        assert!(!place.covers(&Target::Station {
            station: "KX-1".into()
        }));
    }

    #[test]
    fn client_messages_round_trip_with_their_documented_shape() {
        let sub = parse_client(r#"{"type":"subscribe","lat":52.52,"lon":13.41}"#).unwrap();
        assert_eq!(
            sub,
            ClientMessage::Subscribe {
                target: Target::Place {
                    lat: 52.52,
                    lon: 13.41
                },
                since: None,
            }
        );
        let st = parse_client(r#"{"type":"subscribe","station":"KCASANFR5"}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&st).unwrap(),
            r#"{"type":"subscribe","station":"KCASANFR5"}"#
        );
        assert!(parse_client(r#"{"type":"ping"}"#).is_ok());
        assert!(parse_client(r#"{"type":"subscribe"}"#).is_err());
        assert!(parse_client(r#"{"type":"launch"}"#).is_err());
        assert!(parse_client("not json").is_err());
    }

    #[test]
    fn the_dashboards_reader_agrees_with_the_protocol_types() {
        let obs = ServerMessage::Observation {
            target: Target::Place {
                lat: 52.5,
                lon: 13.4,
            },
            time: 1_795_219_200,
            source: "open-meteo".into(),
            values: Values {
                temperature: Some(3.4),
                wind_direction: Some(322.0),
                ..Values::default()
            },
            units: ObservationUnits::default(),
            position: None,
        };
        let text = serde_json::to_string(&obs).unwrap();
        let ServerMessage::Observation {
            target,
            time,
            values,
            ..
        } = obs
        else {
            unreachable!()
        };
        assert_eq!(
            read_incoming(&text),
            Incoming::Observation {
                target: target.clone(),
                time,
                values: values.clone(),
                position: None,
            }
        );
        // Version 2: with its position.
        let at = Position {
            epoch: "1f2e3d4c5b6a-7".into(),
            offset: 42,
        };
        let numbered = ServerMessage::Observation {
            target: target.clone(),
            time,
            source: "open-meteo".into(),
            values: values.clone(),
            units: ObservationUnits::default(),
            position: Some(at.clone()),
        };
        let text = serde_json::to_string(&numbered).unwrap();
        assert!(
            text.contains(r#""epoch":"1f2e3d4c5b6a-7","offset":42"#),
            "{text}"
        );
        assert_eq!(parse_server(&text), Some(numbered));
        assert_eq!(
            read_incoming(&text),
            Incoming::Observation {
                target,
                time,
                values,
                position: Some(at),
            }
        );
        let stale = ServerMessage::Status {
            target: Target::Station {
                station: "S".into(),
            },
            state: SourceState::Stale,
            reason: Some("503".into()),
        };
        assert_eq!(
            read_incoming(&serde_json::to_string(&stale).unwrap()),
            Incoming::Status {
                target: Target::Station {
                    station: "S".into()
                },
                stale: true
            }
        );
        assert_eq!(read_incoming(r#"{"type":"pong"}"#), Incoming::Other);
        let refused = ServerMessage::Error {
            code: "unknown_station".into(),
            message: "this relay has no station X".into(),
        };
        assert_eq!(
            read_incoming(&serde_json::to_string(&refused).unwrap()),
            Incoming::Error {
                code: "unknown_station".into()
            }
        );
        for bad in [
            "",
            "[]",
            "{}",
            r#"{"type":"observation","lat":1}"#,
            r#"{"type":"ufo"}"#,
            r#"{"type":"status","lat":1,"lon":2,"state":"sleepy"}"#,
            r#"{"type":"error","message":"no code"}"#,
        ] {
            assert_eq!(read_incoming(bad), Incoming::Invalid, "{bad}");
        }
        assert_eq!(
            parse_client(&subscribe_place(52.52, 13.41)).unwrap(),
            ClientMessage::Subscribe {
                target: Target::Place {
                    lat: 52.52,
                    lon: 13.41
                },
                since: None,
            }
        );
    }

    #[test]
    fn observations_merge_in_the_viewers_units() {
        use crate::units::{PrecipUnit, TempUnit, Units, WindUnit};
        use crate::weather::Current;
        let mut c = Current {
            time: 100,
            temperature: Some(50.0),
            relative_humidity: Some(80.0),
            ..Current::default()
        };
        let units = Units {
            temperature: TempUnit::Fahrenheit,
            wind: WindUnit::Mph,
            precipitation: PrecipUnit::Inch,
        };
        let v = Values {
            temperature: Some(20.0),
            wind_speed: Some(16.09344),
            precipitation: Some(25.4),
            ..Values::default()
        };
        assert!(apply(&mut c, 200, &v, units));
        assert_eq!(c.temperature, Some(68.0));
        assert!((c.wind_speed.unwrap() - 10.0).abs() < 1e-9);
        assert_eq!(c.precipitation, Some(1.0));
        assert_eq!(c.relative_humidity, Some(80.0), "absent values are kept");
        assert_eq!(c.time, 200);
        assert!(
            !apply(&mut c, 150, &v, units),
            "the same values change nothing"
        );
        assert!(is_place(
            &Target::Place {
                lat: 52.5,
                lon: 13.4
            },
            52.52,
            13.41
        ));
        assert!(!is_place(
            &Target::Place {
                lat: 52.6,
                lon: 13.4
            },
            52.52,
            13.41
        ));
    }

    #[test]
    fn a_client_applies_each_reading_once_and_any_of_a_new_epoch() {
        let at = |epoch: &str, offset| Position {
            epoch: epoch.into(),
            offset,
        };
        assert!(Position::is_new(None, &at("a", 1)));
        assert!(Position::is_new(Some(&at("a", 1)), &at("a", 2)));
        assert!(
            Position::is_new(Some(&at("a", 1)), &at("a", 9)),
            "a gap: still newer"
        );
        assert!(
            !Position::is_new(Some(&at("a", 5)), &at("a", 5)),
            "the same again"
        );
        assert!(
            !Position::is_new(Some(&at("a", 5)), &at("a", 3)),
            "replayed, seen"
        );
        assert!(
            Position::is_new(Some(&at("a", 5)), &at("b", 1)),
            "the relay started again"
        );
    }

    #[test]
    fn subscribe_since_asks_for_what_was_missed_and_round_trips() {
        let since = Position {
            epoch: "0a1b2c-3".into(),
            offset: 41,
        };
        let text = subscribe_since(&subscribe_station("KX-1"), Some(&since));
        assert_eq!(
            text,
            r#"{"type":"subscribe","station":"KX-1","since":{"epoch":"0a1b2c-3","offset":41}}"#
        );
        assert_eq!(
            parse_client(&text).unwrap(),
            ClientMessage::Subscribe {
                target: Target::Station {
                    station: "KX-1".into()
                },
                since: Some(since),
            }
        );
        let place = subscribe_place(52.52, 13.41);
        assert_eq!(subscribe_since(&place, None), place);
        // An epoch that would need escaping is not sent.
        let odd = Position {
            epoch: "a\"b".into(),
            offset: 1,
        };
        assert_eq!(subscribe_since(&place, Some(&odd)), place);
        // Version 1 shape still reads, with no `since`.
        assert!(matches!(
            parse_client(&place).unwrap(),
            ClientMessage::Subscribe { since: None, .. }
        ));
    }

    #[test]
    fn server_messages_serialise_flat() {
        let m = ServerMessage::Observation {
            target: Target::Station {
                station: "IHONGK51".into(),
            },
            time: 1_712_750_642,
            source: "station".into(),
            values: Values {
                temperature: Some(8.8),
                ..Values::default()
            },
            units: ObservationUnits::default(),
            position: None,
        };
        let text = serde_json::to_string(&m).unwrap();
        assert!(
            text.starts_with(r#"{"type":"observation","station":"IHONGK51","time":1712750642"#),
            "{text}"
        );
        assert!(text.contains(r#""values":{"temperature":8.8}"#), "{text}");
        assert_eq!(parse_server(&text), Some(m));
        assert_eq!(parse_server(r#"{"type":"weather_balloon"}"#), None);
    }
}
