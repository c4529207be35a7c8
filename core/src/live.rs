//! The live protocol between the relay and the dashboard: JSON text messages over a WebSocket,
//! each an object with a `type` field. Defined once here and used by both sides; documented with
//! an example of every message in `docs/live-protocol.md`.
//!
//! Values are always metric (°C, km/h, mm, hPa) and say so in `units`; the dashboard converts
//! to the viewer's units.

use serde::{Deserialize, Serialize};

/// The protocol version the `hello` message announces.
pub const PROTOCOL_VERSION: u32 = 1;

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
        /// A stable code: `bad_message`, `too_large`, `too_many_subscriptions`, `not_found`, ...
        code: String,
        /// What went wrong, in plain words.
        message: String,
    },
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
    fn client_messages_round_trip_with_their_documented_shape() {
        let sub = parse_client(r#"{"type":"subscribe","lat":52.52,"lon":13.41}"#).unwrap();
        assert_eq!(
            sub,
            ClientMessage::Subscribe {
                target: Target::Place {
                    lat: 52.52,
                    lon: 13.41
                }
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
