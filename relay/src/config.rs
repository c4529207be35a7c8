//! The relay's configuration, from a TOML file (every field optional).
//!
//! ```toml
//! listen = "127.0.0.1:8082"
//! forecast_url = "https://api.open-meteo.com/v1/forecast"
//! poll_interval_s = 60
//! allowed_origins = ["http://127.0.0.1:8080"]   # empty: any origin
//! static_dir = "dist"                            # serve the dashboard too
//!
//! [[stations]]
//! id = "KCASANFR5"          # Weather Underground ID (and the id viewers subscribe to)
//! key = "s3cret"            # WU PASSWORD
//! ecowitt_passkey = "DFD82AD35BF6EC2843920EC477D60648"   # optional
//! ```

use std::time::Duration;

use serde::Deserialize;

/// A personal weather station allowed to upload.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Station {
    /// The station's id: WU `ID`, and what viewers subscribe to.
    pub id: String,
    /// WU `PASSWORD`.
    pub key: String,
    /// Ecowitt `PASSKEY`, if the station uploads by Ecowitt's protocol.
    #[serde(default)]
    pub ecowitt_passkey: Option<String>,
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
    /// Origins allowed to open `/live`; empty allows any.
    pub allowed_origins: Vec<String>,
    /// Largest client message, bytes.
    pub max_message_bytes: usize,
    /// Most subscriptions per connection.
    pub max_subscriptions: usize,
    /// Most connections from one IP address.
    pub max_connections_per_ip: usize,
    /// Messages queued for one client before it is dropped as too slow.
    pub client_queue: usize,
    /// Kernel send buffer of each connection, bytes (SO_SNDBUF). Small, so an idle viewer
    /// costs little and a stalled one fills its queue soon instead of megabytes of buffer.
    pub socket_send_buffer: usize,
    /// Seconds between the relay's pings.
    pub heartbeat_s: u64,
    /// Seconds of silence from a client before it is closed.
    pub idle_timeout_s: u64,
    /// Serve this folder (the built dashboard) at `/`.
    pub static_dir: Option<String>,
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
            allowed_origins: Vec::new(),
            max_message_bytes: 4096,
            max_subscriptions: 16,
            max_connections_per_ip: 64,
            client_queue: 64,
            socket_send_buffer: 32 * 1024,
            heartbeat_s: 30,
            idle_timeout_s: 90,
            static_dir: None,
            stations: Vec::new(),
        }
    }
}

impl Config {
    /// Reads a TOML configuration.
    pub fn from_toml(text: &str) -> Result<Config, String> {
        toml::from_str(text).map_err(|e| format!("bad relay configuration: {e}"))
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
}
