//! The relay on 127.0.0.1:0 with real WebSocket clients, polling the simulator.

mod common;

use std::time::Duration;

use common::*;
use futures_util::{SinkExt, StreamExt};
use isobar_core::live::{Position, ServerMessage, SourceState, Target};
use isobar_relay::config::Config;
use isobar_simulator::faults::{Endpoint, Fault};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn subscribe_to_a_place_and_receive_observations() {
    let s = setup(|_| {}).await;
    let mut ws = s.connect().await;
    hello(&mut ws).await;
    send(&mut ws, r#"{"type":"subscribe","lat":52.52,"lon":13.41}"#).await;
    match next(&mut ws).await {
        ServerMessage::Subscribed { target, .. } => assert_eq!(
            target,
            Target::Place {
                lat: 52.5,
                lon: 13.4
            }
        ),
        other => panic!("{other:?}"),
    }
    match next_news(&mut ws).await {
        ServerMessage::Observation {
            target,
            values,
            source,
            units,
            ..
        } => {
            assert_eq!(
                target,
                Target::Place {
                    lat: 52.5,
                    lon: 13.4
                }
            );
            assert_eq!(source, "open-meteo");
            assert_eq!(units.temperature, "°C");
            assert!(values.temperature.is_some() && values.wind_speed.is_some());
        }
        other => panic!("{other:?}"),
    }
    send(&mut ws, r#"{"type":"ping","id":"7"}"#).await;
    assert_eq!(
        next_news(&mut ws).await,
        ServerMessage::Pong {
            id: Some("7".into())
        }
    );
}

// On tokio's paused clock: the waits below are the poll interval's timers, which the runtime
// jumps to once every socket is idle, so the test takes milliseconds instead of five seconds.
#[tokio::test(start_paused = true)]
async fn many_viewers_of_one_place_cause_one_upstream_poll_per_interval() {
    let s = setup(|c| c.poll_interval_s = 1.0).await;
    let mut clients = Vec::new();
    for i in 0..40 {
        let mut ws = s.connect().await;
        hello(&mut ws).await;
        // Neighbours within the same 0.1° cell share one poll.
        let lat = 48.85 + f64::from(i % 4) * 0.01;
        send(
            &mut ws,
            &format!(r#"{{"type":"subscribe","lat":{lat},"lon":2.35}}"#),
        )
        .await;
        clients.push(ws);
    }
    for ws in &mut clients {
        assert!(matches!(
            next_news(ws).await,
            ServerMessage::Observation { .. }
        ));
    }
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let calls = s.sim.state.count(Endpoint::Forecast);
    // One poll at the first subscription, then one a second: 3 or 4 in 2.5 s, never 40.
    assert!(
        (2..=4).contains(&calls),
        "{calls} upstream calls for 40 viewers"
    );
    let metrics = s.metrics().await;
    assert!(
        metrics.contains(&format!("isobar_relay_upstream_calls_total {calls}")),
        "{metrics}"
    );
    // When the last viewer leaves, polling stops.
    drop(clients);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after = s.sim.state.count(Endpoint::Forecast);
    tokio::time::sleep(Duration::from_millis(2200)).await;
    assert_eq!(
        s.sim.state.count(Endpoint::Forecast),
        after,
        "polling went on with no viewers"
    );
}

#[tokio::test]
async fn a_station_upload_reaches_its_subscribers_at_once() {
    let s = setup(|_| {}).await;
    let mut ws = s.connect().await;
    hello(&mut ws).await;
    send(&mut ws, r#"{"type":"subscribe","station":"KCASANFR5"}"#).await;
    // Subscribed before the upload: one published before would come as the current value, a
    // reply rather than a publication.
    assert!(matches!(
        next(&mut ws).await,
        ServerMessage::Subscribed { .. }
    ));
    // WU's own example, observed a minute ago.
    let observed = chrono::Utc::now() - chrono::Duration::seconds(60);
    let dateutc = observed.format("%Y-%m-%d+%H%%3A%M%%3A%S");
    let status = s.wu(&format!(
        "ID=KCASANFR5&PASSWORD=s3cret&dateutc={dateutc}&winddir=230&windspeedmph=12&windgustmph=12&tempf=70&rainin=0&baromin=29.1&dewptf=68.2&humidity=90&weather=&clouds=&softwaretype=vws%20versionxx&action=updateraw",
    ))
    .await;
    assert_eq!(status, 200);
    match next_news(&mut ws).await {
        ServerMessage::Observation {
            target,
            values,
            time,
            source,
            ..
        } => {
            assert_eq!(
                target,
                Target::Station {
                    station: "KCASANFR5".into()
                }
            );
            assert_eq!(source, "station");
            assert_eq!(time, observed.timestamp());
            assert_eq!(values.temperature, Some(21.1));
            assert_eq!(values.wind_speed, Some(19.3));
            assert_eq!(values.humidity, Some(90.0));
        }
        other => panic!("{other:?}"),
    }
    // Ecowitt, by its pass key, with a -9999 that must not be passed on.
    let body = "PASSKEY=DFD82AD35BF6EC2843920EC477D60648&stationtype=GW1000A_V1.6.8&dateutc=2021-07-23+17:13:34&tempf=-9999&humidity=43&windspeedmph=2.46";
    let r = reqwest::Client::new()
        .post(s.url("/data/report/"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    match next_news(&mut ws).await {
        ServerMessage::Observation { values, .. } => {
            assert_eq!(values.temperature, None);
            assert_eq!(values.humidity, Some(43.0));
        }
        other => panic!("{other:?}"),
    }
    // A newcomer gets the last observation at once.
    let mut late = s.connect().await;
    hello(&mut late).await;
    send(&mut late, r#"{"type":"subscribe","station":"KCASANFR5"}"#).await;
    assert!(matches!(
        next_news(&mut late).await,
        ServerMessage::Observation { .. }
    ));
    // Each published observation written to a subscriber was timed (the newcomer's copy is a
    // reply, not a publication).
    let metrics = s.metrics().await;
    let count = metrics
        .lines()
        .find_map(|l| l.strip_prefix("isobar_relay_delivery_seconds_count "))
        .and_then(|v| v.parse::<u64>().ok());
    assert!(count.is_some_and(|n| n >= 2), "{metrics}");
}

#[tokio::test]
async fn a_wrong_station_key_is_refused_and_nothing_is_sent() {
    let s = setup(|_| {}).await;
    let mut ws = s.connect().await;
    hello(&mut ws).await;
    send(&mut ws, r#"{"type":"subscribe","station":"KCASANFR5"}"#).await;
    assert!(matches!(
        next(&mut ws).await,
        ServerMessage::Subscribed { .. }
    ));
    for url in [
        "/weatherstation/updateweatherstation.php?ID=KCASANFR5&PASSWORD=guess&tempf=70",
        "/weatherstation/updateweatherstation.php?ID=NOSUCH&PASSWORD=s3cret&tempf=70",
    ] {
        assert_eq!(reqwest::get(s.url(url)).await.unwrap().status(), 401);
    }
    let form = Some("application/x-www-form-urlencoded");
    assert_eq!(s.ecowitt(form, "PASSKEY=0000&tempf=70").await, 401);
    send(&mut ws, r#"{"type":"ping"}"#).await;
    // The pong comes next: no observation slipped in before it.
    assert_eq!(next(&mut ws).await, ServerMessage::Pong { id: None });
}

#[tokio::test]
async fn malformed_and_oversized_messages_get_errors_and_the_connection_lives_on() {
    let s = setup(|c| c.max_message_bytes = 1024).await;
    let mut ws = s.connect().await;
    hello(&mut ws).await;
    let expect_error = |m: ServerMessage, want: &str| match m {
        ServerMessage::Error { code, message } => {
            assert_eq!(code, want, "{message}");
            assert!(!message.is_empty());
        }
        other => panic!("expected error {want}, got {other:?}"),
    };
    send(&mut ws, "{not json").await;
    expect_error(next(&mut ws).await, "bad_message");
    send(&mut ws, r#"{"type":"launch_rocket"}"#).await;
    expect_error(next(&mut ws).await, "bad_message");
    send(&mut ws, r#"{"type":"subscribe","lat":123,"lon":0}"#).await;
    expect_error(next(&mut ws).await, "bad_target");
    send(
        &mut ws,
        &format!(r#"{{"type":"ping","id":"{}"}}"#, "x".repeat(5000)),
    )
    .await;
    expect_error(next(&mut ws).await, "too_large");
    ws.send(Message::Binary(vec![1, 2, 3].into()))
        .await
        .unwrap();
    expect_error(next(&mut ws).await, "bad_message");
    send(&mut ws, r#"{"type":"ping","id":"still here"}"#).await;
    assert_eq!(
        next(&mut ws).await,
        ServerMessage::Pong {
            id: Some("still here".into())
        }
    );
    let metrics = s.metrics().await;
    // Not JSON, unknown type, too large, binary; a bad target is well-formed and not counted.
    assert!(
        metrics.contains("isobar_relay_messages_rejected_total 4"),
        "{metrics}"
    );
}

#[tokio::test]
async fn subscriptions_per_connection_are_limited() {
    let s = setup(|c| {
        c.max_subscriptions = 2;
        c.stations = ["A", "B", "C"].map(station).to_vec();
    })
    .await;
    let mut ws = s.connect().await;
    hello(&mut ws).await;
    for station in ["A", "B"] {
        send(
            &mut ws,
            &format!(r#"{{"type":"subscribe","station":"{station}"}}"#),
        )
        .await;
        assert!(matches!(
            next(&mut ws).await,
            ServerMessage::Subscribed { .. }
        ));
    }
    send(&mut ws, r#"{"type":"subscribe","station":"C"}"#).await;
    assert!(
        matches!(next(&mut ws).await, ServerMessage::Error { code, .. } if code == "too_many_subscriptions")
    );
    send(&mut ws, r#"{"type":"unsubscribe","station":"A"}"#).await;
    send(&mut ws, r#"{"type":"subscribe","station":"C"}"#).await;
    assert!(matches!(
        next(&mut ws).await,
        ServerMessage::Subscribed { .. }
    ));
}

#[tokio::test]
async fn a_foreign_origin_is_refused() {
    let s = setup(|c| c.allowed_origins = vec!["http://weather.example".into()]).await;
    let url = format!("ws://{}/live", s.relay.addr);
    let mut req = url.clone().into_client_request().unwrap();
    req.headers_mut()
        .insert("origin", "http://evil.example".parse().unwrap());
    let err = tokio_tungstenite::connect_async(req).await.unwrap_err();
    assert!(err.to_string().contains("403"), "{err}");
    let mut req = url.into_client_request().unwrap();
    req.headers_mut()
        .insert("origin", "http://weather.example".parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
    hello(&mut ws).await;
}

// On the paused clock: its waits are the relay's timers, not I/O.
#[tokio::test(start_paused = true)]
async fn upstream_failure_marks_the_place_stale_then_live_again() {
    let s = setup(|c| {
        c.poll_interval_s = 0.3;
        c.max_backoff_s = 0.6;
    })
    .await;
    let mut ws = s.connect().await;
    hello(&mut ws).await;
    send(&mut ws, r#"{"type":"subscribe","lat":35.68,"lon":139.69}"#).await;
    assert!(matches!(
        next_news(&mut ws).await,
        ServerMessage::Observation { .. }
    ));
    s.sim.state.set_fault(
        Endpoint::Forecast,
        Fault {
            status: Some(503),
            ..Fault::default()
        },
    );
    match next_news(&mut ws).await {
        ServerMessage::Status { state, reason, .. } => {
            assert_eq!(state, SourceState::Stale);
            assert!(reason.unwrap().contains("503"));
        }
        other => panic!("{other:?}"),
    }
    s.sim.state.clear_faults();
    assert_eq!(
        next_news(&mut ws).await,
        ServerMessage::Status {
            target: Target::Place {
                lat: 35.7,
                lon: 139.7
            },
            state: SourceState::Live,
            reason: None
        }
    );
    // Polling goes on at its interval; the same model time is not sent again (a repeat).
    let calls = s.sim.state.count(Endpoint::Forecast);
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(s.sim.state.count(Endpoint::Forecast) >= calls + 2);
}

/// Reads the `hello`, subscribes to station KCASANFR5 and reads the `subscribed`.
async fn subscribe_to_the_station(ws: &mut Ws) {
    hello(ws).await;
    send(ws, r#"{"type":"subscribe","station":"KCASANFR5"}"#).await;
    assert!(matches!(next(ws).await, ServerMessage::Subscribed { .. }));
}

/// Uploads reading `i` of station KCASANFR5: no time given (the relay's clock's second), and
/// each reading differs from the last.
async fn upload_a_reading(s: &Setup, http: &reqwest::Client, i: u64) {
    let url = s.url(&format!(
        "/weatherstation/updateweatherstation.php?ID=KCASANFR5&PASSWORD=s3cret&tempf={}&humidity=50",
        50 + i % 30
    ));
    assert_eq!(http.get(url).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn a_slow_client_is_dropped_and_the_others_get_everything() {
    let s = setup(|c| c.client_queue = 4).await;
    // The slow client has a tiny receive window, subscribes, and then never reads.
    let mut slow = s.connect_small_window().await;
    subscribe_to_the_station(&mut slow).await;
    let mut fast = s.connect().await;
    subscribe_to_the_station(&mut fast).await;

    let http = reqwest::Client::new();
    let uploads = 3000;
    let reader = tokio::spawn(async move {
        let mut got = 0;
        while got < uploads {
            if let ServerMessage::Observation { .. } = next(&mut fast).await {
                got += 1;
            }
        }
        got
    });
    for i in 0..uploads {
        upload_a_reading(&s, &http, i).await;
    }
    assert_eq!(
        reader.await.unwrap(),
        uploads,
        "the fast client got every observation"
    );
    let metrics = s.metrics().await;
    assert!(
        metrics.contains("isobar_relay_clients_dropped_slow_total 1"),
        "the slow client was not dropped: {metrics}"
    );
    // Its socket was closed by the relay: reading it now ends.
    let mut closed = false;
    while let Ok(Some(m)) = tokio::time::timeout(Duration::from_secs(5), slow.next()).await {
        if matches!(m, Ok(Message::Close(_)) | Err(_)) {
            closed = true;
            break;
        }
    }
    assert!(closed, "the slow client's socket is still open");
}

#[tokio::test]
async fn a_client_that_stops_reading_and_catches_up_gets_every_reading_once_in_order() {
    // Its queue holds everything published while it does not read, but its socket does not:
    // publications are written partly and left to its writer task, and the rest queues.
    let uploads: u64 = 400;
    let s = setup(|c| c.client_queue = 1000).await;
    let mut paused = s.connect_small_window().await;
    subscribe_to_the_station(&mut paused).await;
    let http = reqwest::Client::new();
    for i in 0..uploads {
        if i == uploads / 2 {
            // A reply, queued among the publications.
            send(&mut paused, r#"{"type":"ping","id":"half"}"#).await;
        }
        upload_a_reading(&s, &http, i).await;
    }
    let (mut offsets, mut pong_after) = (Vec::new(), None);
    while (offsets.len() as u64) < uploads {
        match next(&mut paused).await {
            ServerMessage::Observation { position, .. } => {
                offsets.push(position.expect("numbered").offset)
            }
            ServerMessage::Pong { .. } => pong_after = Some(offsets.len() as u64),
            _ => {}
        }
    }
    assert_eq!(offsets, (1..=uploads).collect::<Vec<_>>());
    // The ping was answered after what had been published when it was sent.
    let pong_after = pong_after.expect("the ping was answered");
    assert!(
        (uploads / 2..uploads).contains(&pong_after),
        "pong after {pong_after} readings"
    );
    let metrics = s.metrics().await;
    assert!(
        metrics.contains("isobar_relay_clients_dropped_slow_total 0"),
        "the client was dropped: {metrics}"
    );
}

#[tokio::test]
async fn connections_per_ip_are_limited_and_freed_when_one_closes() {
    let s = setup(|c| c.max_connections_per_ip = 2).await;
    let mut a = s.connect().await;
    hello(&mut a).await;
    let mut b = s.connect().await;
    hello(&mut b).await;
    let url = format!("ws://{}/live", s.relay.addr);
    let err = tokio_tungstenite::connect_async(&url).await.unwrap_err();
    assert!(err.to_string().contains("429"), "{err}");
    assert!(s
        .metrics()
        .await
        .contains("isobar_relay_connections_refused_total 1"));
    // The first closes; its slot is free again once the relay has seen it go.
    a.close(None).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    let mut c = loop {
        match tokio_tungstenite::connect_async(&url).await {
            Ok((ws, _)) => break ws,
            Err(e) if tokio::time::Instant::now() < deadline => {
                assert!(e.to_string().contains("429"), "{e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("the closed connection's slot was never freed: {e}"),
        }
    };
    hello(&mut c).await;
    send(&mut b, r#"{"type":"ping","id":"b"}"#).await;
    assert_eq!(
        next(&mut b).await,
        ServerMessage::Pong {
            id: Some("b".into())
        }
    );
}

// On the paused clock: its waits are the relay's timers, not I/O.
#[tokio::test(start_paused = true)]
async fn a_silent_client_is_closed_after_the_idle_timeout_and_a_responsive_one_is_not() {
    let s = setup(|c| {
        c.heartbeat_s = 1;
        c.idle_timeout_s = 2;
    })
    .await;
    let mut silent = s.connect().await;
    let mut responsive = s.connect().await;
    hello(&mut responsive).await;
    // The responsive client reads, so tungstenite answers the relay's pings with pongs.
    let watcher = tokio::spawn(async move {
        let start = tokio::time::Instant::now();
        while start.elapsed() < Duration::from_millis(4500) {
            match tokio::time::timeout(Duration::from_millis(200), responsive.next()).await {
                Ok(Some(Ok(Message::Close(_)))) | Ok(Some(Err(_))) | Ok(None) => {
                    return Err(start.elapsed())
                }
                _ => {}
            }
        }
        Ok(responsive)
    });
    // The silent one reads nothing (and so answers no ping) for 3.5 s.
    tokio::time::sleep(Duration::from_millis(3500)).await;
    let mut closed = false;
    while let Ok(Some(m)) = tokio::time::timeout(Duration::from_secs(3), silent.next()).await {
        if matches!(m, Ok(Message::Close(_)) | Err(_)) {
            closed = true;
            break;
        }
    }
    assert!(closed, "the silent client was not closed");
    let mut responsive = watcher
        .await
        .unwrap()
        .unwrap_or_else(|t| panic!("the responsive client was closed after {t:?}"));
    send(&mut responsive, r#"{"type":"ping"}"#).await;
    assert_eq!(
        next(&mut responsive).await,
        ServerMessage::Pong { id: None }
    );
}

#[tokio::test]
async fn static_files_are_served_next_to_the_live_endpoint() {
    let dir = std::env::temp_dir().join(format!("isobar-relay-static-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><title>Isobar</title>",
    )
    .unwrap();
    let s = setup(|c| c.static_dir = Some(dir.display().to_string())).await;
    let page = reqwest::get(s.url("/")).await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("<title>Isobar</title>"));
    assert_eq!(
        reqwest::get(s.url("/missing.js")).await.unwrap().status(),
        404
    );
    // The relay's own routes still answer.
    assert_eq!(reqwest::get(s.url("/health")).await.unwrap().status(), 200);
    let mut ws = s.connect().await;
    hello(&mut ws).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_example_configuration_is_valid() {
    let text = include_str!("../relay.example.toml");
    let config = Config::from_toml(text).unwrap();
    assert_eq!(config.stations.len(), 2);
    assert!(config.stations[1].ecowitt_passkey.is_some());
    assert!(!config.allowed_origins.is_empty());
    assert!(!config.trusted_proxies.is_empty());
    // The limits it shows are the defaults, as it says.
    let d = Config::default();
    assert_eq!(
        (
            config.max_places,
            config.messages_per_s,
            config.message_burst,
            config.max_connections_per_ip,
            config.header_timeout_s,
            config.max_clock_skew_s,
            config.max_observation_age_s,
            config.idle_timeout_s,
            config.max_failed_uploads,
        ),
        (
            d.max_places,
            d.messages_per_s,
            d.message_burst,
            d.max_connections_per_ip,
            d.header_timeout_s,
            d.max_clock_skew_s,
            d.max_observation_age_s,
            d.idle_timeout_s,
            d.max_failed_uploads,
        )
    );
}

#[tokio::test]
async fn a_slow_subscriber_is_dropped_and_counted_once() {
    // Small buffers: a subscriber that does not read falls behind soon. (Readings of a place
    // come at most once a second, its model's time, so a station's feed it fast.)
    let s = setup(|c| {
        c.client_queue = 4;
        c.socket_send_buffer = 4096;
    })
    .await;
    let mut slow = s.connect_small_window().await;
    hello(&mut slow).await;
    send(&mut slow, r#"{"type":"subscribe","station":"KCASANFR5"}"#).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let mut ago = 3000;
    loop {
        for _ in 0..20 {
            assert_eq!(upload(&s, ago, 60.0).await.0, 200);
            ago -= 1;
        }
        let metrics = s.metrics().await;
        let dropped = metric(&metrics, "isobar_relay_clients_dropped_slow_total").unwrap();
        if dropped > 0.0 {
            // Once: the publication and the connection's close used to count it twice.
            for _ in 0..20 {
                assert_eq!(upload(&s, ago, 60.0).await.0, 200);
                ago -= 1;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
            let metrics = s.metrics().await;
            assert_eq!(
                metric(&metrics, "isobar_relay_clients_dropped_slow_total"),
                Some(1.0),
                "{metrics}"
            );
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never dropped: {metrics}"
        );
    }
    drop(slow);
}

/// A WU upload of `temp_f` observed `ago` seconds ago; its answer's status and body.
async fn upload(s: &Setup, ago: i64, temp_f: f64) -> (u16, String) {
    let observed = chrono::Utc::now() - chrono::Duration::seconds(ago);
    let dateutc = observed.format("%Y-%m-%d+%H%%3A%M%%3A%S");
    let r = reqwest::get(s.url(&format!(
        "/weatherstation/updateweatherstation.php?ID=KCASANFR5&PASSWORD=s3cret&dateutc={dateutc}&tempf={temp_f}&action=updateraw"
    )))
    .await
    .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The next observation's position and temperature.
async fn reading(ws: &mut Ws) -> (Position, f64) {
    match next_news(ws).await {
        ServerMessage::Observation {
            position, values, ..
        } => (position.expect("a position"), values.temperature.unwrap()),
        other => panic!("{other:?}"),
    }
}

/// `subscribed`'s position and `recovered`.
async fn subscribed(ws: &mut Ws) -> (Position, Option<bool>) {
    match next(ws).await {
        ServerMessage::Subscribed {
            epoch,
            offset,
            recovered,
            ..
        } => (
            Position {
                epoch: epoch.unwrap(),
                offset: offset.unwrap(),
            },
            recovered,
        ),
        other => panic!("{other:?}"),
    }
}

fn subscribe_since(p: &Position) -> String {
    format!(
        r#"{{"type":"subscribe","station":"KCASANFR5","since":{{"epoch":"{}","offset":{}}}}}"#,
        p.epoch, p.offset
    )
}

#[tokio::test]
async fn a_client_that_comes_back_with_its_position_gets_every_reading_it_missed_once() {
    let s = setup(|_| {}).await;
    let mut ws = s.connect().await;
    hello(&mut ws).await;
    send(&mut ws, r#"{"type":"subscribe","station":"KCASANFR5"}"#).await;
    assert_eq!(subscribed(&mut ws).await.0.offset, 0, "no reading yet");
    let mut last = None;
    for (i, ago) in [60, 55, 50].into_iter().enumerate() {
        assert_eq!(upload(&s, ago, 50.0 + i as f64).await.0, 200);
        let (p, _) = reading(&mut ws).await;
        assert_eq!(p.offset, i as u64 + 1);
        last = Some(p);
    }
    let last = last.unwrap();
    drop(ws);
    // Missed while away, each answered only once kept.
    for (i, ago) in [45, 40, 35, 30].into_iter().enumerate() {
        assert_eq!(upload(&s, ago, 60.0 + i as f64).await.0, 200);
    }
    // The same reading again (a console that retries), and an older one: answered, not kept.
    let (status, body) = upload(&s, 30, 63.0).await;
    assert_eq!(status, 200);
    assert!(body.contains("repeat"), "{body}");
    assert!(upload(&s, 31, 99.0).await.1.contains("older"));
    let mut ws = s.connect().await;
    hello(&mut ws).await;
    send(&mut ws, &subscribe_since(&last)).await;
    let (top, recovered) = subscribed(&mut ws).await;
    assert_eq!((top.offset, recovered), (7, Some(true)));
    assert_eq!(top.epoch, last.epoch);
    for (i, offset) in (4..=7).enumerate() {
        let (p, temp_c) = reading(&mut ws).await;
        assert_eq!(p.offset, offset);
        let want = (60.0 + i as f64 - 32.0) * 5.0 / 9.0;
        assert!((temp_c - want).abs() < 0.06, "{temp_c} for offset {offset}");
    }
    // Nothing else came: the next message answers the ping.
    send(&mut ws, r#"{"type":"ping","id":"end"}"#).await;
    assert!(matches!(next(&mut ws).await, ServerMessage::Pong { .. }));
    // Already at the top: recovered, nothing to replay.
    let mut again = s.connect().await;
    hello(&mut again).await;
    send(&mut again, &subscribe_since(&top)).await;
    assert_eq!(subscribed(&mut again).await.1, Some(true));
    send(&mut again, r#"{"type":"ping"}"#).await;
    assert!(matches!(next(&mut again).await, ServerMessage::Pong { .. }));
    let metrics = s.metrics().await;
    assert_eq!(metric(&metrics, "isobar_relay_appends_total"), Some(7.0));
    assert_eq!(metric(&metrics, "isobar_relay_repeats_total"), Some(2.0));
    assert_eq!(metric(&metrics, "isobar_relay_replays_total"), Some(2.0));
    assert_eq!(metric(&metrics, "isobar_relay_gaps_total"), Some(0.0));
    // Kept in this process's memory: no broker.
    assert_eq!(s.health().await["bus"], "memory");
}

#[tokio::test]
async fn past_the_history_or_in_another_epoch_the_client_is_told_and_gets_the_current_value() {
    let s = setup(|c| c.station_history = 3).await;
    let mut ws = s.connect().await;
    hello(&mut ws).await;
    send(&mut ws, r#"{"type":"subscribe","station":"KCASANFR5"}"#).await;
    let _ = subscribed(&mut ws).await;
    assert_eq!(upload(&s, 60, 50.0).await.0, 200);
    let (first, _) = reading(&mut ws).await;
    drop(ws);
    for ago in [50, 40, 30, 20] {
        assert_eq!(upload(&s, ago, 70.0).await.0, 200);
    }
    // Four missed, three kept: no replay at all, only the current value.
    for since in [
        first.clone(),
        Position {
            epoch: "an-old-epoch".into(),
            offset: 4,
        },
    ] {
        let mut ws = s.connect().await;
        hello(&mut ws).await;
        send(&mut ws, &subscribe_since(&since)).await;
        assert_eq!(
            subscribed(&mut ws).await,
            (
                Position {
                    epoch: first.epoch.clone(),
                    offset: 5
                },
                Some(false)
            )
        );
        assert_eq!(reading(&mut ws).await.0.offset, 5);
        send(&mut ws, r#"{"type":"ping"}"#).await;
        assert!(matches!(next(&mut ws).await, ServerMessage::Pong { .. }));
    }
    let metrics = s.metrics().await;
    assert_eq!(metric(&metrics, "isobar_relay_gaps_total"), Some(2.0));
}
