//! Hostile clients and stations against the relay on 127.0.0.1:0: one test per defect that
//! probing found (issue 16), each failing on the relay before its fix.

mod common;

use std::time::{Duration, Instant};

use common::*;
use futures_util::{SinkExt, StreamExt};
use isobar_core::live::ServerMessage;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

/// Connects with extra request headers; the HTTP status when refused.
async fn connect_with(s: &Setup, headers: &[(&str, &str)]) -> Result<Ws, u16> {
    let mut req = format!("ws://{}/live", s.relay.addr)
        .into_client_request()
        .unwrap();
    for (k, v) in headers {
        req.headers_mut().insert(
            axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            v.parse().unwrap(),
        );
    }
    match tokio_tungstenite::connect_async(req).await {
        Ok((ws, _)) => Ok(ws),
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => Err(r.status().as_u16()),
        Err(e) => panic!("{e}"),
    }
}

#[tokio::test]
async fn upgrades_reset_by_the_client_give_their_slots_back() {
    let s = setup(|c| c.max_connections_per_ip = 8).await;
    // 200 upgrades reset right after being sent (the probe's storm), 20 at a time.
    for _ in 0..10 {
        let storm: Vec<_> = (0..20)
            .map(|_| tokio::spawn(reset_upgrade(s.relay.addr, "")))
            .collect();
        for t in storm {
            t.await.unwrap();
        }
    }
    wait_for_health(&s, Duration::from_secs(5), |h| {
        h["connection_slots"] == 0 && h["connections"] == 0
    })
    .await;
    // Every slot is free: the address can open its 8 connections again.
    let mut open = Vec::new();
    for _ in 0..8 {
        open.push(s.connect_hello().await);
    }
    assert_eq!(connect_with(&s, &[]).await.err(), Some(429));
}

#[tokio::test]
async fn the_per_ip_limit_counts_the_client_behind_a_trusted_proxy() {
    let s = setup(|c| {
        c.max_connections_per_ip = 2;
        c.trusted_proxies = isobar_relay::client_ip::TrustedProxies::parse(&["127.0.0.1"]).unwrap();
    })
    .await;
    let alice = [("x-forwarded-for", "203.0.113.1")];
    let _a1 = connect_with(&s, &alice).await.unwrap();
    let _a2 = connect_with(&s, &alice).await.unwrap();
    assert_eq!(connect_with(&s, &alice).await.err(), Some(429));
    // Another viewer behind the same proxy is not locked out by the first.
    let bob = [("x-forwarded-for", "198.51.100.7, 127.0.0.1")];
    let _b1 = connect_with(&s, &bob).await.unwrap();
    let _b2 = connect_with(&s, &bob).await.unwrap();
    assert_eq!(connect_with(&s, &bob).await.err(), Some(429));
    // RFC 7239's header is read too.
    let carol = [("forwarded", "for=\"[2001:db8::1]:4711\";proto=http")];
    let _c1 = connect_with(&s, &carol).await.unwrap();
    let _c2 = connect_with(&s, &carol).await.unwrap();
    assert_eq!(connect_with(&s, &carol).await.err(), Some(429));
    // A reset storm from behind the proxy leaks nothing either.
    for _ in 0..50 {
        reset_upgrade(s.relay.addr, "X-Forwarded-For: 192.0.2.99\r\n").await;
    }
    wait_for_health(&s, Duration::from_secs(5), |h| h["connection_slots"] == 6).await;
    let metrics = s.metrics().await;
    assert_eq!(
        metric(
            &metrics,
            "isobar_relay_refusals_total{what=\"connection\",reason=\"per_ip\"}"
        ),
        Some(3.0),
        "{metrics}"
    );
}

#[tokio::test]
async fn forwarding_headers_from_an_untrusted_peer_are_ignored() {
    let s = setup(|c| c.max_connections_per_ip = 1).await;
    let _first = connect_with(&s, &[("x-forwarded-for", "203.0.113.1")])
        .await
        .unwrap();
    // A client cannot choose its own address to get more slots.
    assert_eq!(
        connect_with(&s, &[("x-forwarded-for", "203.0.113.2")])
            .await
            .err(),
        Some(429)
    );
    assert_eq!(
        connect_with(&s, &[("forwarded", "for=203.0.113.3")])
            .await
            .err(),
        Some(429)
    );
}

#[tokio::test]
async fn subscribing_to_undeclared_stations_makes_no_topics() {
    // A high rate limit: this test is about topics, not bursts.
    let s = setup(|c| {
        c.messages_per_s = 1e6;
        c.message_burst = 100_000;
    })
    .await;
    let (mut tx, mut rx) = s.connect_hello().await.split();
    let n = 3200;
    let writer = tokio::spawn(async move {
        for i in 0..n {
            let sub = format!(r#"{{"type":"subscribe","station":"S{i}"}}"#);
            let unsub = format!(r#"{{"type":"unsubscribe","station":"S{i}"}}"#);
            tx.send(Message::Text(sub.into())).await.unwrap();
            tx.send(Message::Text(unsub.into())).await.unwrap();
        }
        tx
    });
    // Each subscribe is refused with `unknown_station`; each unsubscribe of it, with
    // `not_subscribed`.
    let mut codes = std::collections::HashMap::<String, usize>::new();
    for _ in 0..2 * n {
        let m = tokio::time::timeout(Duration::from_secs(10), rx.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        let Message::Text(t) = m else { continue };
        match isobar_core::live::parse_server(&t).unwrap() {
            ServerMessage::Error { code, .. } => *codes.entry(code).or_default() += 1,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(codes.get("unknown_station"), Some(&n));
    assert_eq!(codes.get("not_subscribed"), Some(&n));
    let h = s.health().await;
    assert_eq!(h["topics"], 0, "{h}");
    // The declared station can still be followed.
    let mut ws = writer.await.unwrap().reunite(rx).unwrap();
    send(&mut ws, r#"{"type":"subscribe","station":"KCASANFR5"}"#).await;
    assert!(matches!(
        next(&mut ws).await,
        ServerMessage::Subscribed { .. }
    ));
    assert_eq!(s.health().await["topics"], 1);
}

#[tokio::test]
async fn places_beyond_max_places_are_refused_until_one_is_left() {
    let s = setup(|c| c.max_places = 2).await;
    let mut a = s.connect_hello().await;
    for lat in [10, 20] {
        send(
            &mut a,
            &format!(r#"{{"type":"subscribe","lat":{lat},"lon":0}}"#),
        )
        .await;
        assert!(matches!(
            next(&mut a).await,
            ServerMessage::Subscribed { .. }
        ));
    }
    let mut b = s.connect_hello().await;
    send(&mut b, r#"{"type":"subscribe","lat":30,"lon":0}"#).await;
    expect_error(next_news(&mut b).await, "too_many_places");
    // A place already followed is not a new one.
    send(&mut b, r#"{"type":"subscribe","lat":10,"lon":0}"#).await;
    assert!(matches!(
        next(&mut b).await,
        ServerMessage::Subscribed { .. }
    ));
    drop(a);
    wait_for_health(&s, Duration::from_secs(5), |h| h["topics"] == 1).await;
    send(&mut b, r#"{"type":"subscribe","lat":30,"lon":0}"#).await;
    loop {
        match next(&mut b).await {
            ServerMessage::Subscribed { .. } => break,
            ServerMessage::Observation { .. } => continue,
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn a_burst_of_messages_is_answered_in_order_or_refused_as_rate_limited() {
    let s = setup(|c| {
        c.messages_per_s = 20.0;
        c.message_burst = 50;
    })
    .await;
    let (mut tx, mut rx) = s.connect_hello().await.split();
    let (subs, pings) = (1_000, 10_000);
    // The probe's bursts: 1,000 subscribes, then 10,000 pings, all at once.
    let writer = tokio::spawn(async move {
        for _ in 0..subs {
            let m = r#"{"type":"subscribe","station":"KCASANFR5"}"#;
            tx.feed(Message::Text(m.into())).await.unwrap();
        }
        for i in 0..pings {
            let m = format!(r#"{{"type":"ping","id":"{i}"}}"#);
            tx.feed(Message::Text(m.into())).await.unwrap();
        }
        tx.flush().await.unwrap();
        tx
    });
    let (mut subscribed, mut pongs, mut limited) = (0, 0, 0);
    let mut last_pong = -1i64;
    for i in 0..subs + pings {
        let m = tokio::time::timeout(Duration::from_secs(20), rx.next())
            .await
            .unwrap_or_else(|_| panic!("no reply {i} within 20 s"))
            .unwrap_or_else(|| panic!("the socket ended after {i} replies"))
            .unwrap_or_else(|e| panic!("after {i} replies: {e}"));
        let Message::Text(t) = m else {
            panic!("reply {i}: {m:?}");
        };
        match isobar_core::live::parse_server(&t).unwrap() {
            ServerMessage::Subscribed { .. } if i < subs => subscribed += 1,
            ServerMessage::Pong { id } if i >= subs => {
                let id: i64 = id.unwrap().parse().unwrap();
                assert!(id > last_pong, "pong {id} after {last_pong}: out of order");
                last_pong = id;
                pongs += 1;
            }
            ServerMessage::Error { code, .. } if code == "rate_limited" => limited += 1,
            other => panic!("reply {i}: {other:?}"),
        }
    }
    assert_eq!(subscribed + pongs + limited, subs + pings);
    assert!((50..subs).contains(&subscribed), "{subscribed} subscribed");
    assert!(limited > 9_000, "{limited} refused");
    // The connection lives on: after a pause, a ping is answered.
    let mut ws = writer.await.unwrap().reunite(rx).unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    send(&mut ws, r#"{"type":"ping","id":"after"}"#).await;
    assert_eq!(
        next(&mut ws).await,
        ServerMessage::Pong {
            id: Some("after".into())
        }
    );
    let metrics = s.metrics().await;
    assert_eq!(
        metric(
            &metrics,
            "isobar_relay_refusals_total{what=\"message\",reason=\"rate_limited\"}"
        ),
        Some(limited as f64),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_frame_over_the_ceiling_is_closed_with_1009_and_a_reason() {
    let s = setup(|_| {}).await;
    // The client's own limits must let it send a 1 MB frame.
    let config = WebSocketConfig::default()
        .max_frame_size(Some(4 << 20))
        .max_message_size(Some(4 << 20));
    let (mut ws, _) = tokio_tungstenite::connect_async_with_config(
        format!("ws://{}/live", s.relay.addr),
        Some(config),
        false,
    )
    .await
    .unwrap();
    hello(&mut ws).await;
    let big = format!(r#"{{"type":"ping","id":"{}"}}"#, "x".repeat(1 << 20));
    // The relay may close before it has read it all: the send may fail.
    let _ = ws.send(Message::Text(big.into())).await;
    let frame = closed_with(&mut ws, Duration::from_secs(5))
        .await
        .expect("a close frame, not a bare end of the socket");
    assert_eq!(frame.code, CloseCode::Size);
    assert!(frame.reason.contains("too_large"), "{}", frame.reason);
    let metrics = s.metrics().await;
    assert_eq!(
        metric(
            &metrics,
            "isobar_relay_closes_total{code=\"1009\",reason=\"too_large\"}"
        ),
        Some(1.0),
        "{metrics}"
    );
}

// On the paused clock: its waits are the relay's timers, not I/O.
#[tokio::test(start_paused = true)]
async fn idle_and_shutdown_closes_carry_a_code_and_a_reason_and_are_counted() {
    let s = setup(|c| {
        c.heartbeat_s = 1;
        c.idle_timeout_s = 2;
    })
    .await;
    // tungstenite answers pings only while it is read: this one is not, so it goes silent.
    let mut silent = s.connect().await;
    tokio::time::sleep(Duration::from_millis(3000)).await;
    let frame = closed_with(&mut silent, Duration::from_secs(5))
        .await
        .expect("a close frame");
    assert_eq!(frame.code, CloseCode::Away);
    assert!(frame.reason.contains("idle_timeout"), "{}", frame.reason);
    let mut open = s.connect_hello().await;
    s.relay.shutdown.send(true).unwrap();
    let frame = closed_with(&mut open, Duration::from_secs(5))
        .await
        .expect("a close frame");
    assert_eq!(frame.code, CloseCode::Away);
    assert!(frame.reason.contains("shutting_down"), "{}", frame.reason);
    let text = s.relay.state.metrics.render();
    for line in [
        "isobar_relay_closes_total{code=\"1001\",reason=\"idle_timeout\"} 1",
        "isobar_relay_closes_total{code=\"1001\",reason=\"shutting_down\"} 1",
    ] {
        assert!(text.contains(line), "{line} missing from\n{text}");
    }
}

/// A client that follows [`STATION`] and has read `subscribed`.
async fn subscribed_to_the_station(s: &Setup) -> Ws {
    let mut ws = s.connect_hello().await;
    send(&mut ws, r#"{"type":"subscribe","station":"KCASANFR5"}"#).await;
    assert!(matches!(
        next(&mut ws).await,
        ServerMessage::Subscribed { .. }
    ));
    ws
}

/// The observation that an upload produced, read by a subscriber of [`STATION`]. Each upload
/// has a temperature of its own: two readings of one second with the same values would be one.
async fn observed_time(s: &Setup, ws: &mut Ws, dateutc: &str) -> i64 {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let tempf = 60 + N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let status = s
        .wu(&format!(
            "ID={STATION}&PASSWORD={KEY}&tempf={tempf}&humidity=50&dateutc={dateutc}"
        ))
        .await;
    assert_eq!(status, 200, "{dateutc}");
    match next_news(ws).await {
        ServerMessage::Observation { time, .. } => time,
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn station_times_out_of_bounds_are_replaced_by_the_receive_time() {
    let s = setup(|_| {}).await;
    let mut ws = s.connect_hello().await;
    send(&mut ws, r#"{"type":"subscribe","station":"KCASANFR5"}"#).await;
    // A few minutes of skew either way is kept as the station sent it (first the one behind:
    // a reading older than the last is not kept).
    let skewed = |offset| {
        let sent = chrono::Utc::now() + chrono::Duration::seconds(offset);
        (
            sent.format("%Y-%m-%d+%H:%M:%S").to_string(),
            sent.timestamp(),
        )
    };
    let (dateutc, sent) = skewed(-240);
    assert_eq!(observed_time(&s, &mut ws, &dateutc).await, sent);
    for dateutc in [
        "2999-01-01+00:00:00",
        "99999-01-01+00:00:00",
        "1900-01-01+00:00:00",
        "4294967295-01-01+00:00:00",
        "2000-01-01+10%3A32%3A35",
        "garbage",
    ] {
        let before = chrono::Utc::now().timestamp();
        let time = observed_time(&s, &mut ws, dateutc).await;
        let after = chrono::Utc::now().timestamp();
        assert!(
            (before..=after).contains(&time),
            "{dateutc}: published as {time}"
        );
    }
    let (dateutc, sent) = skewed(120);
    assert_eq!(observed_time(&s, &mut ws, &dateutc).await, sent);
    let metrics = s.metrics().await;
    assert_eq!(
        metric(&metrics, "isobar_relay_station_times_replaced_total"),
        Some(3.0),
        "2999, 1900 and 2000 were read and replaced; the rest could not be read:\n{metrics}"
    );
}

#[tokio::test]
async fn an_upload_without_a_usable_value_publishes_nothing() {
    let s = setup(|_| {}).await;
    let mut ws = s.connect_hello().await;
    send(&mut ws, r#"{"type":"subscribe","station":"KCASANFR5"}"#).await;
    assert_eq!(
        s.wu(&format!("ID={STATION}&PASSWORD={KEY}&tempf=70&humidity=50"))
            .await,
        200
    );
    assert!(matches!(
        next_news(&mut ws).await,
        ServerMessage::Observation { .. }
    ));
    for junk in [
        "tempf=-9999&humidity=abc",
        "tempf=&softwaretype=x",
        "action=updateraw",
    ] {
        assert_eq!(
            s.wu(&format!("ID={STATION}&PASSWORD={KEY}&{junk}")).await,
            400,
            "{junk}"
        );
    }
    // Nothing was sent: the pong comes next.
    send(&mut ws, r#"{"type":"ping"}"#).await;
    assert_eq!(next(&mut ws).await, ServerMessage::Pong { id: None });
    // A newcomer gets the last good observation.
    let mut late = s.connect_hello().await;
    send(&mut late, r#"{"type":"subscribe","station":"KCASANFR5"}"#).await;
    match next_news(&mut late).await {
        ServerMessage::Observation { values, .. } => {
            assert_eq!(values.temperature, Some(21.1));
        }
        other => panic!("{other:?}"),
    }
    // 159.9 °F at 100 %: published, but without a made-up feels-like of 174.5 °C.
    assert_eq!(
        s.wu(&format!(
            "ID={STATION}&PASSWORD={KEY}&tempf=159.9&humidity=100"
        ))
        .await,
        200
    );
    match next_news(&mut ws).await {
        ServerMessage::Observation { values, .. } => {
            assert_eq!(values.temperature, Some(71.1));
            assert_eq!(values.apparent_temperature, None);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_ecowitt_endpoint_takes_only_forms() {
    let s = setup(|_| {}).await;
    let mut ws = subscribed_to_the_station(&s).await;
    let body = format!("PASSKEY={PASSKEY}&tempf=70&humidity=50");
    for ct in [None, Some("text/plain"), Some("application/json")] {
        assert_eq!(s.ecowitt(ct, &body).await, 415, "{ct:?}");
    }
    send(&mut ws, r#"{"type":"ping"}"#).await;
    assert_eq!(next(&mut ws).await, ServerMessage::Pong { id: None });
    let form = Some("application/x-www-form-urlencoded; charset=utf-8");
    assert_eq!(s.ecowitt(form, &body).await, 200);
    assert!(matches!(
        next(&mut ws).await,
        ServerMessage::Observation { .. }
    ));
    // A body over the limit is refused before it is read.
    let huge = format!("{body}&pad={}", "x".repeat(64 * 1024));
    assert_eq!(s.ecowitt(form, &huge).await, 413);
}

#[tokio::test]
async fn each_protocol_takes_only_its_own_secret() {
    let s = setup(|_| {}).await;
    let mut ws = subscribed_to_the_station(&s).await;
    let form = Some("application/x-www-form-urlencoded");
    // The Ecowitt pass key on the WU endpoint, as a PASSKEY or as the password.
    assert_eq!(s.wu(&format!("PASSKEY={PASSKEY}&tempf=70")).await, 400);
    assert_eq!(
        s.wu(&format!("ID={STATION}&PASSWORD={PASSKEY}&tempf=70"))
            .await,
        401
    );
    // The WU credentials on the Ecowitt endpoint, as they are or as a pass key.
    assert_eq!(
        s.ecowitt(form, &format!("ID={STATION}&PASSWORD={KEY}&tempf=70"))
            .await,
        400
    );
    assert_eq!(
        s.ecowitt(form, &format!("PASSKEY={KEY}&tempf=70")).await,
        401
    );
    send(&mut ws, r#"{"type":"ping"}"#).await;
    assert_eq!(next(&mut ws).await, ServerMessage::Pong { id: None });
}

#[tokio::test]
async fn slow_or_silent_request_headers_are_cut_off() {
    let s = setup(|c| c.header_timeout_s = 1.0).await;
    let addr = s.relay.addr;
    let start = Instant::now();
    // 36 slowloris connections: a header byte every 200 ms, never finishing; and 4 that
    // send nothing at all.
    let slow: Vec<_> = (0..40)
        .map(|i| {
            tokio::spawn(async move {
                let mut tcp = TcpStream::connect(addr).await.unwrap();
                if i < 36 {
                    tcp.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n")
                        .await
                        .unwrap();
                }
                let mut buf = [0u8; 256];
                loop {
                    tokio::select! {
                        r = tcp.read(&mut buf) => match r {
                            // The relay closed it (it may say 408 first).
                            Ok(0) | Err(_) => return start.elapsed(),
                            Ok(_) => continue,
                        },
                        _ = tokio::time::sleep(Duration::from_millis(200)) => {
                            if i < 36 && tcp.write_all(b"X").await.is_err() {
                                return start.elapsed();
                            }
                        }
                    }
                    assert!(start.elapsed() < Duration::from_secs(10), "still open");
                }
            })
        })
        .collect();
    // Others are served meanwhile.
    assert_eq!(s.health().await["status"], "ok");
    for t in slow {
        let closed_after = t.await.unwrap();
        assert!(
            closed_after < Duration::from_secs(4),
            "closed only after {closed_after:?}"
        );
    }
}

#[tokio::test]
async fn a_flood_of_bad_uploads_writes_few_log_lines() {
    let s = setup(|_| {}).await;
    let n = 300;
    for i in 0..n {
        let status = s
            .wu(&format!("ID={STATION}&PASSWORD=guess{i}&tempf=70"))
            .await;
        // 401 until the address is blocked for failing too often, then 429.
        assert!(status == 401 || status == 429, "{status}");
    }
    let metrics = s.metrics().await;
    let suppressed = metric(&metrics, "isobar_relay_log_lines_suppressed_total").unwrap();
    // One line per kind per 10 s at most: nearly all of them were left out (and counted).
    assert!(suppressed >= f64::from(n - 5), "{metrics}");
    let refused = |reason: &str| {
        metric(
            &metrics,
            &format!("isobar_relay_refusals_total{{what=\"upload\",reason=\"{reason}\"}}"),
        )
    };
    assert_eq!(refused("unauthorized"), Some(20.0));
    assert_eq!(refused("too_many_failures"), Some(f64::from(n - 20)));
}

// On the paused clock: its waits are the relay's timers, not I/O.
#[tokio::test(start_paused = true)]
async fn an_address_that_keeps_failing_is_refused_for_a_while() {
    let s = setup(|c| {
        c.max_failed_uploads = 5;
        c.failed_uploads_window_s = 2.0;
        c.trusted_proxies = isobar_relay::client_ip::TrustedProxies::parse(&["127.0.0.1"]).unwrap();
    })
    .await;
    let guesser = "203.0.113.9";
    for i in 0..5 {
        let q = format!("ID={STATION}&PASSWORD=guess{i}&tempf=70");
        assert_eq!(s.wu_from(guesser, &q).await, (401, None));
    }
    // The sixth guess is not even tried; nor is the right key from that address.
    let (status, retry) = s
        .wu_from(guesser, &format!("ID={STATION}&PASSWORD=guess6&tempf=70"))
        .await;
    assert_eq!(status, 429);
    let retry: u64 = retry.expect("Retry-After").parse().unwrap();
    assert!((1..=3).contains(&retry), "{retry}");
    let good = format!("ID={STATION}&PASSWORD={KEY}&tempf=70");
    assert_eq!(s.wu_from(guesser, &good).await.0, 429);
    // The station itself, elsewhere, is not affected.
    assert_eq!(s.wu_from("198.51.100.20", &good).await, (200, None));
    // After the window the address is heard again.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(s.wu_from(guesser, &good).await, (200, None));
}

#[tokio::test]
async fn a_client_that_sends_a_burst_and_never_reads_is_closed_and_its_slot_freed() {
    let s = setup(|c| {
        c.heartbeat_s = 1;
        c.idle_timeout_s = 2;
        c.messages_per_s = 1e6;
        c.message_burst = 100_000;
    })
    .await;
    // A tiny receive window, and the client never reads: its replies pile up in the relay.
    let ws = s.connect_small_window().await;
    let (mut tx, rx) = ws.split();
    let writer = tokio::spawn(async move {
        for i in 0..20_000 {
            let m = format!(r#"{{"type":"ping","id":"{i}"}}"#);
            if tx.send(Message::Text(m.into())).await.is_err() {
                break;
            }
        }
        tx
    });
    wait_for_health(&s, Duration::from_secs(3), |h| h["connections"] == 1).await;
    // Not reading is not allowed to hold the slot for ever: closed after the idle timeout.
    wait_for_health(&s, Duration::from_secs(8), |h| {
        h["connections"] == 0 && h["connection_slots"] == 0
    })
    .await;
    assert_eq!(
        s.relay
            .state
            .metrics
            .closes(isobar_relay::metrics::Close::TooSlow),
        1
    );
    writer.abort();
    drop(rx);
}
