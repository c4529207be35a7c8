//! Polling Open-Meteo (or the simulator) for a place's current conditions: once per interval
//! for all its viewers; on failure the place is marked stale and the poll backs off.

use std::sync::Arc;
use std::time::Duration;

use isobar_core::live::{ObservationUnits, ServerMessage, SourceState, Values};
use isobar_core::open_meteo;

use crate::hub::TopicKey;
use crate::metrics::Metrics;
use crate::AppState;

/// One poll: current conditions at (`lat`, `lon`), metric, as Unix time.
pub async fn fetch(state: &AppState, lat: f64, lon: f64) -> Result<(i64, Values), String> {
    let url = open_meteo::current_conditions_url(&state.config.forecast_url, lat, lon);
    let resp = state
        .http
        .get(&url)
        .send()
        .await
        .map_err(|e| format!("upstream unreachable: {e}"))?;
    let status = resp.status();
    let body = resp
        .text()
        .await
        .map_err(|e| format!("upstream body: {e}"))?;
    if !status.is_success() {
        let reason = open_meteo::api_error_reason(&body).unwrap_or_default();
        return Err(format!("upstream answered {status} {reason}")
            .trim()
            .to_owned());
    }
    let f = open_meteo::parse_forecast(&body).map_err(|e| e.to_string())?;
    let c = f.current.ok_or("upstream sent no current conditions")?;
    Ok((
        c.time,
        Values {
            temperature: c.temperature,
            apparent_temperature: c.apparent_temperature,
            humidity: c.relative_humidity,
            pressure: c.pressure_msl,
            wind_speed: c.wind_speed,
            wind_gust: c.wind_gusts,
            wind_direction: c.wind_direction,
            uv_index: c.uv_index,
            precipitation: c.precipitation,
        },
    ))
}

/// Polls a place until aborted (when its last viewer leaves). On a relay of a cluster, each
/// poll is made only if this relay claims the interval first (the reading reaches the others
/// through Redis), and polls are aligned to the intervals, with a little jitter so that the
/// relays do not all ask Redis at once.
pub async fn poll_place(state: Arc<AppState>, key: TopicKey) {
    let target = key.target();
    let isobar_core::live::Target::Place { lat, lon } = target.clone() else {
        return;
    };
    let interval = state.config.poll_interval();
    let max_backoff = Duration::from_secs_f64(state.config.max_backoff_s.max(0.01));
    let mut failures: u32 = 0;
    let mut stale = false;
    let status = |state: SourceState, reason: Option<String>| ServerMessage::Status {
        target: target.clone(),
        state,
        reason,
    };
    loop {
        let wait = if !state.claim_poll(&key).await {
            Metrics::inc(&state.metrics.polls_skipped);
            interval
        } else {
            Metrics::inc(&state.metrics.upstream_calls);
            match fetch(&state, lat, lon).await {
                Ok((time, values)) => {
                    // In a cluster, another relay's failed poll may have said it.
                    let was_stale = match &state.cluster {
                        Some(c) => c.clear_stale(&key).await,
                        None => stale,
                    };
                    stale = false;
                    if was_stale {
                        report(&state, &key, status(SourceState::Live, None)).await;
                    }
                    failures = 0;
                    // An unchanged model time is a repeat: not sent again.
                    let reading = ServerMessage::Observation {
                        target: target.clone(),
                        time,
                        source: "open-meteo".into(),
                        values,
                        units: ObservationUnits::default(),
                        position: None,
                    };
                    report(&state, &key, reading).await;
                    interval
                }
                Err(reason) => {
                    Metrics::inc(&state.metrics.upstream_errors);
                    tracing::warn!(lat, lon, %reason, "upstream poll failed");
                    failures = failures.saturating_add(1);
                    let newly = match &state.cluster {
                        Some(c) => c.mark_stale(&key).await,
                        None => !stale,
                    };
                    stale = true;
                    if newly {
                        report(&state, &key, status(SourceState::Stale, Some(reason))).await;
                    }
                    interval
                        .saturating_mul(2u32.saturating_pow(failures.min(16)))
                        .min(max_backoff)
                }
            }
        };
        let wait = match state.cluster {
            Some(_) if wait == interval => until_next_slot(interval),
            _ => wait,
        };
        tokio::time::sleep(wait).await;
    }
}

/// Publishes what a poll found; a reading the cluster's Redis could not take is logged (the
/// next poll brings a newer one).
async fn report(state: &AppState, key: &TopicKey, msg: ServerMessage) {
    if let Err(e) = state.publish(key, msg).await {
        tracing::warn!(%e, "a poll's result could not be published");
    }
}

/// The time until the next interval of the wall clock begins, plus up to a tenth of an
/// interval of jitter.
fn until_next_slot(interval: Duration) -> Duration {
    let step = step_ms(interval);
    let jitter = crate::hub::random() % (step / 10 + 1);
    Duration::from_millis(step - wall_ms() % step + jitter)
}

/// The interval of the wall clock we are in (the number of whole intervals since 1970): the
/// slot a relay of a cluster claims before polling.
pub fn slot(interval: Duration) -> u64 {
    wall_ms() / step_ms(interval)
}

fn step_ms(interval: Duration) -> u64 {
    (interval.as_millis() as u64).max(1)
}

fn wall_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis() as u64
}
