//! The station upload endpoints. Each protocol takes only its own credential: Weather
//! Underground's `ID` and `PASSWORD` on `GET /weatherstation/updateweatherstation.php`,
//! Ecowitt's `PASSKEY` in a form `POST /data/report/`. An upload is published only when it
//! is authenticated and carries at least one usable value; every refusal is answered with a
//! status and a reason in plain words, counted by reason, and logged at most once per
//! [`crate::LOG_PERIOD`] per kind with the number left out. An address that fails too often
//! is refused for a while ([`crate::strikes`]).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

use axum::body::Body;
use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use isobar_core::live::{ObservationUnits, ServerMessage, Target};
use subtle::ConstantTimeEq;

use crate::config::Station;
use crate::hub::{NotKept, TopicKey};
use crate::metrics::{Metrics, Refusal};
use crate::stations::{self, Credential, Protocol};
use crate::AppState;

/// Largest upload body, bytes (a gateway with every sensor sends about 2 KB).
pub const MAX_BODY: usize = 16 * 1024;

/// `GET /weatherstation/updateweatherstation.php?ID=…&PASSWORD=…&tempf=…`: answers `success`.
pub async fn wunderground(
    State(s): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let client = s.client_ip(peer.ip(), &headers);
    if let Some(r) = blocked(&s, client) {
        return r;
    }
    let pairs = stations::form_pairs(q.as_deref().unwrap_or(""));
    accept(&s, client, Protocol::Wunderground, &pairs).await
}

/// `POST /data/report/` with a form body holding `PASSKEY=…`: answers `OK`.
pub async fn ecowitt(
    State(s): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let client = s.client_ip(peer.ip(), &headers);
    if let Some(r) = blocked(&s, client) {
        return r;
    }
    if !is_form(&headers) {
        return refuse(
            &s,
            client,
            Refusal::MediaType,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the upload as a form (Content-Type: application/x-www-form-urlencoded)",
        );
    }
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_BODY) {
        return too_large(&s, client);
    }
    let wait = Duration::from_secs_f64(s.config.upload_timeout_s);
    let bytes = match tokio::time::timeout(wait, axum::body::to_bytes(body, MAX_BODY)).await {
        Err(_) => {
            return refuse(
                &s,
                client,
                Refusal::UploadTimeout,
                StatusCode::REQUEST_TIMEOUT,
                "the upload's body did not arrive in time",
            )
        }
        Ok(Err(_)) => return too_large(&s, client),
        Ok(Ok(b)) => b,
    };
    let pairs = stations::form_pairs(&String::from_utf8_lossy(&bytes));
    accept(&s, client, Protocol::Ecowitt, &pairs).await
}

/// The 429 for an address over `max_failed_uploads`, if it is.
fn blocked(s: &AppState, client: IpAddr) -> Option<Response> {
    let wait = s.strikes.blocked(client, Instant::now())?;
    let secs = wait.as_secs() + 1;
    let mut r = refuse(
        s,
        client,
        Refusal::TooManyFailures,
        StatusCode::TOO_MANY_REQUESTS,
        &format!("too many failed uploads from this address; try again in {secs} s"),
    );
    r.headers_mut()
        .insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
    Some(r)
}

fn too_large(s: &AppState, client: IpAddr) -> Response {
    refuse(
        s,
        client,
        Refusal::BodyTooLarge,
        StatusCode::PAYLOAD_TOO_LARGE,
        &format!("an upload may be at most {MAX_BODY} bytes"),
    )
}

/// Whether the request says its body is a URL-encoded form (parameters such as a charset
/// allowed).
fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| {
            m.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

/// Counts, logs (throttled) and answers a refused upload.
fn refuse(s: &AppState, client: IpAddr, r: Refusal, status: StatusCode, message: &str) -> Response {
    s.metrics.refused(r);
    if let Some(suppressed) = s.log_gates.upload_refused.pass(Instant::now(), &s.metrics) {
        tracing::warn!(
            %client,
            reason = r.reason(),
            suppressed,
            "station upload refused: {message}"
        );
    }
    (status, format!("{message}\n")).into_response()
}

/// The declared station `credential` belongs to, compared in constant time.
fn station<'a>(stations: &'a [Station], credential: &Credential) -> Option<&'a Station> {
    let same = |secret: &Option<String>, given: &str| {
        secret
            .as_deref()
            .is_some_and(|k| bool::from(k.as_bytes().ct_eq(given.as_bytes())))
    };
    match credential {
        Credential::Wunderground { id, password } => stations
            .iter()
            .find(|st| &st.id == id)
            .filter(|st| same(&st.key, password)),
        Credential::Ecowitt { passkey } => stations
            .iter()
            .find(|st| same(&st.ecowitt_passkey, passkey)),
    }
}

/// Authenticates, checks and publishes an upload.
async fn accept(
    s: &AppState,
    client: IpAddr,
    protocol: Protocol,
    pairs: &HashMap<String, String>,
) -> Response {
    let Some(upload) = stations::parse(protocol, pairs) else {
        let missing = match protocol {
            Protocol::Wunderground => "missing ID and PASSWORD",
            Protocol::Ecowitt => "missing PASSKEY",
        };
        s.strikes.strike(client, Instant::now());
        return refuse(
            s,
            client,
            Refusal::MissingCredential,
            StatusCode::BAD_REQUEST,
            missing,
        );
    };
    let Some(station) = station(&s.config.stations, &upload.credential) else {
        s.strikes.strike(client, Instant::now());
        return refuse(
            s,
            client,
            Refusal::Unauthorized,
            StatusCode::UNAUTHORIZED,
            "unauthorized: unknown station or wrong key",
        );
    };
    if upload.values.is_empty() {
        let mut message = String::from("no usable value in this upload, nothing was published");
        if !upload.dropped.is_empty() {
            message = format!("{message} (dropped: {})", upload.dropped.join(", "));
        }
        return refuse(
            s,
            client,
            Refusal::NoValues,
            StatusCode::BAD_REQUEST,
            &message,
        );
    }
    let now = chrono::Utc::now().timestamp();
    let (time, replaced) = stations::observation_time(
        upload.time,
        now,
        s.config.max_clock_skew_s,
        s.config.max_observation_age_s,
    );
    if replaced {
        Metrics::inc(&s.metrics.station_times_replaced);
    }
    if replaced || !upload.dropped.is_empty() {
        if let Some(suppressed) = s.log_gates.upload_noted.pass(Instant::now(), &s.metrics) {
            tracing::info!(
                station = %station.id,
                dropped = ?upload.dropped,
                sent_time = upload.time,
                time_replaced = replaced,
                suppressed,
                "station upload accepted with values dropped or its time replaced"
            );
        }
    }
    Metrics::inc(&s.metrics.station_uploads);
    let msg = ServerMessage::Observation {
        target: Target::Station {
            station: station.id.clone(),
        },
        time,
        source: "station".into(),
        values: upload.values,
        units: ObservationUnits::default(),
        position: None,
    };
    // Answered once the reading is kept; a repeat (a station that retries) or an older
    // reading is answered as received, saying it was not kept.
    let not_kept = match s.publish(&TopicKey::Station(station.id.clone()), msg).await {
        Ok(n) => n,
        Err(e) => {
            tracing::warn!(station = station.id, %e, "an upload could not be stored");
            let mut r = refuse(
                s,
                client,
                Refusal::NotStored,
                StatusCode::SERVICE_UNAVAILABLE,
                "not stored: the relay cannot reach its store (the cluster's Redis); send it again",
            );
            r.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(5));
            return r;
        }
    };
    let ok = match protocol {
        Protocol::Wunderground => "success",
        Protocol::Ecowitt => "OK",
    };
    let ok = match not_kept {
        None => format!("{ok}\n"),
        Some(NotKept::Repeat) => format!("{ok} (a repeat: this reading was received already)\n"),
        Some(NotKept::Older) => {
            format!("{ok} (not kept: older than the last reading received from this station)\n")
        }
    };
    (StatusCode::OK, ok).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_form_content_type_is_a_form() {
        let with = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::CONTENT_TYPE, v.parse().unwrap());
            is_form(&h)
        };
        assert!(with("application/x-www-form-urlencoded"));
        assert!(with("Application/X-WWW-Form-URLEncoded; charset=UTF-8"));
        assert!(!with("text/plain"));
        assert!(!with("application/json"));
        assert!(!with("multipart/form-data; boundary=x"));
        assert!(!is_form(&HeaderMap::new()));
    }

    #[test]
    fn secrets_match_only_their_own_protocol() {
        let stations = [
            Station {
                id: "WU".into(),
                key: Some("wu-secret".into()),
                ecowitt_passkey: Some("ECO".into()),
                ..Default::default()
            },
            Station {
                id: "ONLYECO".into(),
                key: None,
                ecowitt_passkey: Some("ECO2".into()),
                ..Default::default()
            },
        ];
        let wu = |id: &str, password: &str| {
            station(
                &stations,
                &Credential::Wunderground {
                    id: id.into(),
                    password: password.into(),
                },
            )
            .map(|s| s.id.as_str())
        };
        let eco = |p: &str| {
            station(&stations, &Credential::Ecowitt { passkey: p.into() }).map(|s| s.id.as_str())
        };
        assert_eq!(wu("WU", "wu-secret"), Some("WU"));
        assert_eq!(wu("WU", "ECO"), None, "the pass key is not the WU password");
        assert_eq!(wu("ONLYECO", ""), None);
        assert_eq!(wu("ONLYECO", "ECO2"), None);
        assert_eq!(eco("ECO"), Some("WU"));
        assert_eq!(eco("wu-secret"), None, "the WU password is not a pass key");
        assert_eq!(eco("ECO2"), Some("ONLYECO"));
    }
}
