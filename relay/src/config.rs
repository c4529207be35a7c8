//! The relay's configuration, from a TOML file (every field optional).
//!
//! ```toml
//! listen = "127.0.0.1:8082"
//! forecast_url = "https://api.open-meteo.com/v1/forecast"
//! poll_interval_s = 60
//! allowed_origins = ["http://127.0.0.1:8080"]   # empty: any origin
//! trusted_proxies = ["127.0.0.1"]               # believe their X-Forwarded-For / Forwarded
//! static_dir = "dist"                            # serve the dashboard too
//!
//! [[stations]]
//! id = "KCASANFR5"          # what viewers subscribe to, and the WU ID
//! key = "s3cret"            # WU PASSWORD (without it, no WU uploads)
//! ecowitt_passkey = "DFD82AD35BF6EC2843920EC477D60648"   # optional
//! ```
//!
//! Every limit and what a client gets when it reaches it is listed in the README ("The
//! relay", "Limits").

use std::collections::HashSet;
use std::time::Duration;

use serde::Deserialize;

use crate::client_ip::{ClientIpHeader, TrustedProxies};

/// A personal weather station allowed to upload.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Station {
    /// The station's id: what viewers subscribe to, and its WU `ID`.
    pub id: String,
    /// WU `PASSWORD`; without one the station cannot upload by the WU protocol.
    #[serde(default)]
    pub key: Option<String>,
    /// Ecowitt `PASSKEY`; without one the station cannot upload by Ecowitt's protocol.
    #[serde(default)]
    pub ecowitt_passkey: Option<String>,
    /// An MQTT broker the station publishes its loop packets to, as weewx's MQTT extension
    /// does: `mqtt://[user[:password]@]host[:port]` (port 1883 by default; plain TCP).
    #[serde(default)]
    pub mqtt_url: Option<String>,
    /// The topic of its loop packets on that broker (`weather/loop` by default).
    #[serde(default)]
    pub mqtt_topic: Option<String>,
}

/// Everything the relay can be told.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on.
    pub listen: String,
    /// Open-Meteo forecast endpoint (or the simulator's).
    pub forecast_url: String,
    /// How often each place is polled, seconds (fractions allowed, for tests).
    pub poll_interval_s: f64,
    /// Longest wait between polls while upstream fails, seconds.
    pub max_backoff_s: f64,
    /// Most places polled at once over all viewers; a subscription to one more is refused
    /// (`too_many_places`). Size it to the upstream API's rate limit.
    pub max_places: usize,
    /// Origins allowed to open `/live`; empty allows any.
    pub allowed_origins: Vec<String>,
    /// Reverse proxies (addresses or CIDR ranges) whose forwarding headers name the real
    /// client; empty believes no header.
    pub trusted_proxies: TrustedProxies,
    /// Which forwarding header names the client when a trusted proxy sends the request.
    pub client_ip_header: ClientIpHeader,
    /// Largest client message, bytes.
    pub max_message_bytes: usize,
    /// Messages a client may send per second on average (a token bucket per connection).
    pub messages_per_s: f64,
    /// Messages a client may send at once before `messages_per_s` applies.
    pub message_burst: u32,
    /// Most subscriptions per connection.
    pub max_subscriptions: usize,
    /// Most connections from one client address (IPv6: one /64).
    pub max_connections_per_ip: usize,
    /// Messages queued for one client before it is dropped as too slow.
    pub client_queue: usize,
    /// Readings of each station kept for clients that reconnect with `since`.
    pub station_history: usize,
    /// Readings of each followed place kept for clients that reconnect with `since`.
    pub place_history: usize,
    /// Most readings replayed to one reconnecting client; more missed gets `recovered: false`
    /// and the current value.
    pub max_replay: usize,
    /// Kernel send buffer of each connection, bytes (SO_SNDBUF). Small, so an idle viewer
    /// costs little and a stalled one fills its queue soon instead of megabytes of buffer.
    pub socket_send_buffer: usize,
    /// Seconds between the relay's pings.
    pub heartbeat_s: u64,
    /// Seconds of silence from a client before it is closed.
    pub idle_timeout_s: u64,
    /// Seconds a client has to send a request's headers (and, on a kept-alive connection, the
    /// next request's) before the connection is closed.
    pub header_timeout_s: f64,
    /// Seconds a station upload may take, body included, before it is answered 408.
    pub upload_timeout_s: f64,
    /// Failed uploads (no credential, unknown station, wrong key) one client address may make
    /// per `failed_uploads_window_s` before all its uploads are refused with 429 until the
    /// window ends.
    pub max_failed_uploads: u32,
    /// The window of `max_failed_uploads`, seconds.
    pub failed_uploads_window_s: f64,
    /// How far ahead of the relay's clock a station's `dateutc` may be, seconds.
    pub max_clock_skew_s: i64,
    /// How far behind the relay's clock a station's `dateutc` may be, seconds.
    pub max_observation_age_s: i64,
    /// Serve this folder (the built dashboard) at `/`.
    pub static_dir: Option<String>,
    /// A Redis server shared by several relays (`redis://[:password@]host[:port][/db]`): the
    /// relay is then one of a cluster, where any client may use any relay. Unset (the
    /// default), it is one process with everything in memory. When set and Redis cannot be
    /// reached at start, the relay says so and exits.
    pub redis_url: Option<String>,
    /// The prefix of every Redis key and channel of the cluster.
    pub redis_prefix: String,
    /// Seconds of silence on the cluster's pub/sub connection after which a probe is sent
    /// through it; if the probe has not come back after as long again, the connection is
    /// replaced. Each relay also compares its topics' positions with Redis's this often.
    pub broker_probe_s: f64,
    /// Stations allowed to upload.
    pub stations: Vec<Station>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8082".into(),
            forecast_url: isobar_core::open_meteo::FORECAST_URL.into(),
            poll_interval_s: 60.0,
            max_backoff_s: 600.0,
            max_places: 256,
            allowed_origins: Vec::new(),
            trusted_proxies: TrustedProxies::default(),
            client_ip_header: ClientIpHeader::default(),
            max_message_bytes: 4096,
            messages_per_s: 10.0,
            message_burst: 50,
            max_subscriptions: 16,
            max_connections_per_ip: 64,
            client_queue: 64,
            station_history: 256,
            place_history: 4,
            max_replay: 300,
            socket_send_buffer: 32 * 1024,
            heartbeat_s: 30,
            idle_timeout_s: 90,
            header_timeout_s: 10.0,
            upload_timeout_s: 10.0,
            max_failed_uploads: 20,
            failed_uploads_window_s: 60.0,
            max_clock_skew_s: 300,
            max_observation_age_s: 900,
            static_dir: None,
            redis_url: None,
            redis_prefix: "isobar".into(),
            broker_probe_s: 5.0,
            stations: Vec::new(),
        }
    }
}

impl Config {
    /// Reads a TOML configuration and checks it.
    pub fn from_toml(text: &str) -> Result<Config, String> {
        let config: Config =
            toml::from_str(text).map_err(|e| format!("bad relay configuration: {e}"))?;
        config.check()?;
        Ok(config)
    }

    /// What makes a configuration unusable or unsafe, in plain words: stations without a
    /// usable secret, two stations with one id or pass key, limits that would refuse
    /// everything.
    pub fn check(&self) -> Result<(), String> {
        let bad = |m: String| Err(format!("bad relay configuration: {m}"));
        if let Some(url) = &self.redis_url {
            if let Err(e) = redis::Client::open(url.as_str()) {
                return bad(format!("redis_url: {e}"));
            }
        }
        if self.redis_prefix.is_empty() || self.redis_prefix.contains(['{', '}', ' ']) {
            return bad("redis_prefix must be non-empty, without spaces or braces".into());
        }
        if !(self.broker_probe_s.is_finite() && self.broker_probe_s > 0.0) {
            return bad("broker_probe_s must be more than 0".into());
        }
        let mut ids = HashSet::new();
        let mut passkeys = HashSet::new();
        for st in &self.stations {
            if !isobar_core::live::is_station_id(&st.id) {
                return bad(format!(
                    "station id {:?} must be 1 to 64 letters, digits, - or _",
                    st.id
                ));
            }
            if !ids.insert(st.id.as_str()) {
                return bad(format!("station {} is declared twice", st.id));
            }
            if st.key.as_deref() == Some("") || st.ecowitt_passkey.as_deref() == Some("") {
                return bad(format!(
                    "station {} has an empty key or pass key (leave it out instead)",
                    st.id
                ));
            }
            if st.key.is_none() && st.ecowitt_passkey.is_none() && st.mqtt_url.is_none() {
                return bad(format!(
                    "station {} needs a key (WU), an ecowitt_passkey or an mqtt_url",
                    st.id
                ));
            }
            if let Some(url) = &st.mqtt_url {
                if let Err(e) = crate::mqtt::Broker::parse(url) {
                    return bad(format!("station {}: mqtt_url {e}", st.id));
                }
            }
            if st
                .mqtt_topic
                .as_deref()
                .is_some_and(|t| t.is_empty() || t.contains(['+', '#']))
            {
                return bad(format!(
                    "station {}: mqtt_topic must name one topic (no + or # wildcards)",
                    st.id
                ));
            }
            if let Some(p) = &st.ecowitt_passkey {
                if !passkeys.insert(p.as_str()) {
                    return bad(format!(
                        "two stations share the ecowitt_passkey of {}",
                        st.id
                    ));
                }
            }
        }
        let positive = [
            ("poll_interval_s", self.poll_interval_s),
            ("max_backoff_s", self.max_backoff_s),
            ("messages_per_s", self.messages_per_s),
            ("header_timeout_s", self.header_timeout_s),
            ("upload_timeout_s", self.upload_timeout_s),
            ("failed_uploads_window_s", self.failed_uploads_window_s),
        ];
        for (name, v) in positive {
            if !(v.is_finite() && v > 0.0) {
                return bad(format!("{name} must be a positive number of seconds"));
            }
        }
        let counts = [
            ("max_places", self.max_places),
            ("max_message_bytes", self.max_message_bytes),
            ("message_burst", self.message_burst as usize),
            ("max_subscriptions", self.max_subscriptions),
            ("max_connections_per_ip", self.max_connections_per_ip),
            ("max_failed_uploads", self.max_failed_uploads as usize),
            ("station_history", self.station_history),
            ("place_history", self.place_history),
        ];
        for (name, v) in counts {
            if v == 0 {
                return bad(format!("{name} must be at least 1"));
            }
        }
        if self.idle_timeout_s <= self.heartbeat_s {
            return bad(format!(
                "idle_timeout_s ({}) must be longer than heartbeat_s ({}), or quiet viewers that answer every ping would be closed as idle",
                self.idle_timeout_s, self.heartbeat_s
            ));
        }
        if self.max_clock_skew_s < 0 || self.max_observation_age_s < 0 {
            return bad("max_clock_skew_s and max_observation_age_s cannot be negative".into());
        }
        Ok(())
    }

    /// The poll interval.
    pub fn poll_interval(&self) -> Duration {
        Duration::from_secs_f64(self.poll_interval_s.max(0.01))
    }

    /// Whether a WebSocket from `origin` may connect.
    pub fn origin_allowed(&self, origin: Option<&str>) -> bool {
        self.allowed_origins.is_empty()
            || origin.is_some_and(|o| self.allowed_origins.iter().any(|a| a == o))
    }

    /// The ids of the declared stations.
    pub fn station_ids(&self) -> impl Iterator<Item = &str> {
        self.stations.iter().map(|s| s.id.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unusable_stations_are_refused_at_load() {
        let load = |stations: &str| Config::from_toml(stations);
        assert!(load("[[stations]]\nid = \"A\"\nkey = \"k\"\n").is_ok());
        assert!(load("[[stations]]\nid = \"A\"\necowitt_passkey = \"P\"\n").is_ok());
        for (bad, why) in [
            ("[[stations]]\nid = \"A\"\n", "needs a key"),
            ("[[stations]]\nid = \"A\"\nkey = \"\"\n", "empty key"),
            (
                "[[stations]]\nid = \"A\"\nkey = \"k\"\n[[stations]]\nid = \"A\"\nkey = \"j\"\n",
                "declared twice",
            ),
            (
                "[[stations]]\nid = \"A\"\necowitt_passkey = \"P\"\n[[stations]]\nid = \"B\"\necowitt_passkey = \"P\"\n",
                "share the ecowitt_passkey",
            ),
            ("[[stations]]\nid = \"a b\"\nkey = \"k\"\n", "letters, digits"),
            ("messages_per_s = 0\n", "messages_per_s"),
            ("max_connections_per_ip = 0\n", "max_connections_per_ip"),
            ("trusted_proxies = [\"not an address\"]\n", "not an address"),
            ("idle_timeout_s = 30\n", "longer than heartbeat_s"),
        ] {
            let err = load(bad).unwrap_err();
            assert!(err.contains(why), "{bad:?}: {err}");
        }
    }
}
