//! MQTT ingest against a real broker: Debian's Mosquitto on a free loopback port, a relay
//! following a weewx-mqtt station on it, a WebSocket subscriber of that station.

mod common;

use std::time::Duration;

use common::*;
use isobar_core::live::ServerMessage;
use isobar_relay::config::Station;
use isobar_testkit::{free_port, start_mosquitto, TempDir};
use rumqttc::{AsyncClient, MqttOptions, QoS};

/// A weewx-mqtt loop packet in US units, observed at `at` (Unix seconds), at `temp_f`.
fn packet(at: i64, temp_f: f64) -> String {
    format!(
        r#"{{"dateTime": "{at}.0", "usUnits": "1.0", "outTemp_F": "{temp_f}", "outHumidity": "40.0",
            "windSpeed_mph": "5.2", "windDir": "241.0", "barometer_inHg": "30.01", "interval_minute": "5.0"}}"#
    )
}

/// A publisher on the broker at `port` (its client reconnects as its loop is polled).
fn publisher(port: u16) -> AsyncClient {
    let (client, mut events) = AsyncClient::new(
        MqttOptions::new("isobar-test-station", "127.0.0.1", port),
        16,
    );
    tokio::spawn(async move {
        loop {
            if events.poll().await.is_err() {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    });
    client
}

/// Publishes `payload` on `weather/loop` every 200 ms until the subscriber gets an
/// observation (the relay subscribes once its connection is up), and returns it.
async fn publish_until_received(client: &AsyncClient, ws: &mut Ws, payload: &str) -> ServerMessage {
    for _ in 0..100 {
        let _ = client
            .publish("weather/loop", QoS::AtLeastOnce, false, payload.as_bytes())
            .await;
        if let Ok(m) = tokio::time::timeout(Duration::from_millis(200), next_news(ws)).await {
            return m;
        }
    }
    panic!("no observation came through the broker in 20 s");
}

#[tokio::test]
async fn a_weewx_packet_on_the_broker_reaches_subscribers_converted_also_after_a_broker_restart() {
    let dir = TempDir::new("mqtt").unwrap();
    let port = free_port().unwrap();
    let broker = start_mosquitto(port, &dir).await.unwrap();
    let s = setup(|c| {
        c.stations.push(Station {
            id: "WEEWX1".into(),
            mqtt_url: Some(format!("mqtt://127.0.0.1:{port}")),
            mqtt_topic: Some("weather/loop".into()),
            ..Default::default()
        });
    })
    .await;
    let mut ws = s.connect_hello().await;
    send(&mut ws, r#"{"type":"subscribe","station":"WEEWX1"}"#).await;
    assert!(matches!(
        next(&mut ws).await,
        ServerMessage::Subscribed { .. }
    ));
    let client = publisher(port);
    let at = chrono::Utc::now().timestamp() - 30;
    let first = packet(at, 72.5);
    match publish_until_received(&client, &mut ws, &first).await {
        ServerMessage::Observation {
            time,
            values,
            source,
            position,
            ..
        } => {
            assert_eq!(time, at, "dateTime is the time");
            assert_eq!(source, "station");
            assert_eq!(values.temperature, Some(22.5));
            assert_eq!(values.humidity, Some(40.0));
            assert_eq!(values.wind_speed, Some(8.37));
            assert_eq!(values.wind_direction, Some(241.0));
            assert_eq!(values.pressure, Some(1016.26));
            assert!(values.apparent_temperature.is_some());
            assert_eq!(position.unwrap().offset, 1);
        }
        other => panic!("{other:?}"),
    }
    // The same packet again (it was published until seen): kept once, not sent again.
    let metrics = s.metrics().await;
    assert_eq!(metric(&metrics, "isobar_relay_appends_total"), Some(1.0));

    // The broker restarts: the relay connects again and subscribes again by itself.
    drop(broker);
    let _broker = start_mosquitto(port, &dir).await.unwrap();
    match publish_until_received(&client, &mut ws, &packet(at + 20, 80.6)).await {
        ServerMessage::Observation {
            values, position, ..
        } => {
            assert_eq!(values.temperature, Some(27.0));
            assert_eq!(position.unwrap().offset, 2);
        }
        other => panic!("{other:?}"),
    }
    let metrics = s.metrics().await;
    assert!(
        metric(&metrics, "isobar_relay_mqtt_connects_total").is_some_and(|n| n >= 2.0),
        "{metrics}"
    );
    // A packet with nothing usable is counted, not sent.
    let _ = client
        .publish(
            "weather/loop",
            QoS::AtLeastOnce,
            false,
            &b"{\"outTemp\": \"hot\"}"[..],
        )
        .await;
    let refused = async {
        loop {
            let m = s.metrics().await;
            if metric(&m, "isobar_relay_mqtt_refused_total") == Some(1.0) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(10), refused)
        .await
        .expect("the unusable packet counted");
}
