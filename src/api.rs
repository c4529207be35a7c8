//! Calls to the weather APIs from the browser, with a timeout, and errors in plain words.
//!
//! The same functions talk to the real Open-Meteo and to the simulator: only the endpoint URLs
//! of the [`Config`] differ.

use std::cell::Cell;
use std::rc::Rc;

use gloo_net::http::Request;
use isobar_core::config::Config;
use isobar_core::open_meteo::{self, ParseError};
use isobar_core::units::Units;
use isobar_core::weather::{AirQuality, Forecast, Place};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// How long one request may take before it is abandoned.
pub const TIMEOUT_MS: i32 = 10_000;

/// How many days of daily forecast the dashboard asks for.
pub const FORECAST_DAYS: u8 = 10;

/// Why a request failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FetchError {
    /// The server could not be reached (offline, refused, blocked by CORS).
    #[error("The weather service could not be reached. Check the connection and try again.")]
    Network,
    /// No answer within [`TIMEOUT_MS`].
    #[error("The weather service took longer than {} seconds to answer.", TIMEOUT_MS / 1000)]
    Timeout,
    /// Too many requests; the service asks to wait.
    #[error("The weather service is busy (too many requests).{}", retry_hint(*.retry_after))]
    RateLimited {
        /// Seconds to wait, from `Retry-After`, when the browser may read it.
        retry_after: Option<u32>,
    },
    /// Another HTTP error.
    #[error("The weather service answered with an error ({status}{}).", reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default())]
    Http {
        /// The HTTP status.
        status: u16,
        /// Open-Meteo's `reason`, when sent.
        reason: Option<String>,
    },
    /// The answer could not be read.
    #[error("The weather data could not be read: {0}")]
    Parse(#[from] ParseError),
}

fn retry_hint(s: Option<u32>) -> String {
    match s {
        Some(s) => format!(" It asked to wait {s} s."),
        None => String::new(),
    }
}

/// GETs `url` and returns its body, or why not. Aborts after [`TIMEOUT_MS`].
pub async fn get_text(url: &str) -> Result<String, FetchError> {
    let controller = web_sys::AbortController::new().ok();
    let timed_out = Rc::new(Cell::new(false));
    let timer = controller.as_ref().and_then(|c| {
        let c = c.clone();
        let flag = timed_out.clone();
        let cb = Closure::once_into_js(move || {
            flag.set(true);
            c.abort();
        });
        web_sys::window()?
            .set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), TIMEOUT_MS)
            .ok()
    });
    let signal = controller.as_ref().map(web_sys::AbortController::signal);
    let result = async {
        let resp = Request::get(url)
            .abort_signal(signal.as_ref())
            .send()
            .await
            .map_err(|_| FetchError::Network)?;
        let status = resp.status();
        if status == 429 {
            let retry_after = resp
                .headers()
                .get("retry-after")
                .and_then(|v| v.trim().parse().ok());
            return Err(FetchError::RateLimited { retry_after });
        }
        let body = resp.text().await.map_err(|_| FetchError::Network)?;
        if !(200..300).contains(&status) {
            return Err(FetchError::Http {
                status,
                reason: open_meteo::api_error_reason(&body),
            });
        }
        Ok(body)
    }
    .await;
    if let (Some(id), Some(w)) = (timer, web_sys::window()) {
        w.clear_timeout_with_handle(id);
    }
    match result {
        Err(FetchError::Network) if timed_out.get() => Err(FetchError::Timeout),
        other => other,
    }
}

/// Current conditions, hourly and daily forecast for a place.
pub async fn forecast(
    config: &Config,
    lat: f64,
    lon: f64,
    units: Units,
) -> Result<Forecast, FetchError> {
    let url = open_meteo::forecast_url(&config.forecast_url, lat, lon, units, FORECAST_DAYS);
    Ok(open_meteo::parse_forecast(&get_text(&url).await?)?)
}

/// Current air quality for a place.
pub async fn air_quality(config: &Config, lat: f64, lon: f64) -> Result<AirQuality, FetchError> {
    let us = config.aqi == isobar_core::config::AqiScale::Us;
    let url = open_meteo::air_quality_url(&config.air_quality_url, lat, lon, us);
    Ok(open_meteo::parse_air_quality(&get_text(&url).await?)?)
}

/// The first place matching `name`, if any.
pub async fn geocode(config: &Config, name: &str) -> Result<Option<Place>, FetchError> {
    let url = open_meteo::geocoding_url(&config.geocoding_url, name, 1);
    Ok(open_meteo::parse_geocoding(&get_text(&url).await?)?
        .into_iter()
        .next())
}
