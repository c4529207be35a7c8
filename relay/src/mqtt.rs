//! MQTT ingest: a station that publishes its loop packets to a broker (weewx's MQTT extension,
//! `weather/loop`) is subscribed to there, and each packet becomes an observation of the
//! station, as an HTTP upload does ([`crate::weewx`] reads it). The subscription is made again
//! after every connection to the broker: a broker that kept no session for the relay has
//! forgotten it (rumqtt#250). The client reconnects by itself as it is polled, a second apart.

use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use isobar_core::live::{ObservationUnits, ServerMessage, Target};
use rumqttc::{AsyncClient, Event, Incoming, MqttOptions, QoS};
use tokio::time::Instant;

use crate::hub::TopicKey;
use crate::metrics::Metrics;
use crate::AppState;

/// The topic weewx-mqtt publishes loop packets to by default.
pub const DEFAULT_TOPIC: &str = "weather/loop";

/// A broker's address and credentials, from `mqtt://[user[:password]@]host[:port]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broker {
    /// Host name or address.
    pub host: String,
    /// Port (1883 when not given).
    pub port: u16,
    /// User name and password, if given.
    pub credentials: Option<(String, String)>,
}

impl Broker {
    /// Reads a broker URL, or says in plain words what is wrong with it.
    pub fn parse(url: &str) -> Result<Broker, String> {
        let rest = url
            .strip_prefix("mqtt://")
            .or_else(|| url.strip_prefix("tcp://"))
            .ok_or_else(|| {
                format!("{url:?} must start with mqtt:// (TLS, mqtts://, is not supported)")
            })?;
        let rest = rest.trim_end_matches('/');
        let (credentials, address) = match rest.rsplit_once('@') {
            Some((login, address)) => {
                let (user, password) = login.split_once(':').unwrap_or((login, ""));
                (Some((user.to_owned(), password.to_owned())), address)
            }
            None => (None, rest),
        };
        let (host, port) = match address.rsplit_once(':') {
            Some((host, port)) => (
                host,
                port.parse()
                    .map_err(|_| format!("{url:?} has no valid port"))?,
            ),
            None => (address, 1883),
        };
        if host.is_empty() || host.contains('/') {
            return Err(format!("{url:?} has no valid host"));
        }
        Ok(Broker {
            host: host.to_owned(),
            port,
            credentials,
        })
    }
}

/// Follows `station`'s loop packets on `broker`, `topic`, until the task is dropped.
pub async fn ingest(state: Arc<AppState>, station: String, broker: Broker, topic: String) {
    let mut options = MqttOptions::new(
        format!("isobar-relay-{station}-{}", std::process::id()),
        broker.host.clone(),
        broker.port,
    );
    options.set_keep_alive(Duration::from_secs(30));
    if let Some((user, password)) = &broker.credentials {
        options.set_credentials(user, password);
    }
    let (client, mut events) = AsyncClient::new(options, 16);
    let metrics = &state.metrics;
    let mut logged_failure: Option<Instant> = None;
    // Readings not yet kept (a cluster's Redis unreachable): tried again, in order, after
    // each event from the broker (a packet, or its keep-alive answer every 30 s).
    let mut pending = VecDeque::new();
    loop {
        let event = events.poll().await;
        if let Ok(Event::Incoming(Incoming::Publish(p))) = &event {
            pending.extend(read(&state, &station, &p.payload));
        }
        keep(&state, &station, &mut pending).await;
        match event {
            Ok(Event::Incoming(Incoming::ConnAck(_))) => {
                Metrics::inc(&metrics.mqtt_connects);
                tracing::info!(%station, host = %broker.host, port = broker.port, %topic, "connected to the MQTT broker");
                logged_failure = None;
                if let Err(e) = client.try_subscribe(topic.as_str(), QoS::AtLeastOnce) {
                    tracing::warn!(%station, %e, "could not subscribe on the MQTT broker");
                }
            }
            Ok(_) => {}
            Err(e) => {
                // Once a minute at most while the broker stays away.
                if logged_failure.is_none_or(|t| t.elapsed() > Duration::from_secs(60)) {
                    tracing::warn!(%station, host = %broker.host, port = broker.port, %e, "MQTT broker unreachable; trying again every second");
                    logged_failure = Some(Instant::now());
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// Most readings held while they cannot be kept; past it the oldest is dropped, counted
/// (`isobar_relay_mqtt_lost_total`) and logged.
const MAX_PENDING: usize = 256;

/// Keeps the pending readings, oldest first, until one cannot be (it stays, with those after
/// it, for the next try).
async fn keep(state: &AppState, station: &str, pending: &mut VecDeque<ServerMessage>) {
    let key = TopicKey::Station(station.to_owned());
    // While the cluster's Redis is known to be away, held without trying: each try would
    // wait for its connection timeouts, and the broker's packets (and keep-alive) with it.
    let away = state.cluster.as_ref().is_some_and(|c| !c.connected());
    while let Some(msg) = pending.front().filter(|_| !away) {
        // The same reading also sent by HTTP is kept once (the repeat rule).
        match state.publish(&key, msg.clone()).await {
            Ok(_) => {
                pending.pop_front();
            }
            Err(e) => {
                if pending.len() == 1 {
                    tracing::warn!(%station, %e, "an MQTT reading cannot be kept yet; it is held and tried again");
                }
                break;
            }
        }
    }
    while pending.len() > MAX_PENDING {
        pending.pop_front();
        Metrics::inc(&state.metrics.mqtt_lost);
        tracing::warn!(%station, "an MQTT reading was dropped: {MAX_PENDING} were already held while they could not be kept");
    }
}

/// One message from the broker: an observation of `station` if it has a usable value.
fn read(state: &AppState, station: &str, payload: &[u8]) -> Option<ServerMessage> {
    let metrics = &state.metrics;
    let packet = std::str::from_utf8(payload)
        .map_err(|_| "not UTF-8 text".to_owned())
        .and_then(crate::weewx::parse_loop);
    let packet = match packet {
        Ok(p) if !p.values.is_empty() => p,
        Ok(p) => {
            Metrics::inc(&metrics.mqtt_refused);
            tracing::info!(%station, dropped = ?p.dropped, "MQTT packet with no usable value");
            return None;
        }
        Err(e) => {
            Metrics::inc(&metrics.mqtt_refused);
            tracing::info!(%station, %e, "unreadable MQTT packet");
            return None;
        }
    };
    let config = &state.config;
    let (time, replaced) = crate::stations::observation_time(
        packet.time,
        chrono::Utc::now().timestamp(),
        config.max_clock_skew_s,
        config.max_observation_age_s,
    );
    if replaced {
        Metrics::inc(&metrics.station_times_replaced);
    }
    metrics.mqtt_messages.fetch_add(1, Ordering::Relaxed);
    Some(ServerMessage::Observation {
        target: Target::Station {
            station: station.to_owned(),
        },
        time,
        source: "station".into(),
        values: packet.values,
        units: ObservationUnits::default(),
        position: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broker_urls_read_with_their_defaults_and_errors() {
        assert_eq!(
            Broker::parse("mqtt://127.0.0.1").unwrap(),
            Broker {
                host: "127.0.0.1".into(),
                port: 1883,
                credentials: None
            }
        );
        assert_eq!(
            Broker::parse("mqtt://weewx:s3cr:et@broker.lan:8883/").unwrap(),
            Broker {
                host: "broker.lan".into(),
                port: 8883,
                credentials: Some(("weewx".into(), "s3cr:et".into()))
            }
        );
        for bad in [
            "mqtts://broker.lan",
            "http://x",
            "mqtt://",
            "mqtt://host:port",
            "mqtt://host:99999",
        ] {
            assert!(Broker::parse(bad).is_err(), "{bad}");
        }
    }
}
