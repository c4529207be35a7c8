//! Calls to the weather APIs from the browser, with a timeout, and errors in plain words.
//!
//! The same functions talk to the real Open-Meteo and to the simulator: only the endpoint URLs
//! of the [`Config`] differ.
//!
//! Requests are shared by everything on the page: widgets that ask for the same URL while it is
//! in flight, or within [`REUSE_MS`] of its answer, get that answer instead of a request of
//! their own. A request whose every caller has gone (a widget removed from the page) is
//! aborted.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use futures_util::future::{FutureExt, Shared, WeakShared};

use gloo_net::http::{Request, Response};
use isobar_core::config::Config;
use isobar_core::open_meteo::{self, ParseError};
use isobar_core::weather::{Current, Place};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// How long one request may take before it is abandoned.
pub const TIMEOUT_MS: i32 = 10_000;

pub use isobar_core::open_meteo::FORECAST_DAYS;

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

/// How long an answer is reused for other callers of the same URL.
pub const REUSE_MS: f64 = 60_000.0;

/// An answer's body and when it came (`Date.now()`, stamped once for every caller that shares
/// the request: callers resumed on either side of a second would otherwise keep one answer as
/// two of different ages).
type Body = Result<(Rc<str>, f64), FetchError>;
type Fetch = Pin<Box<dyn Future<Output = Body>>>;

/// A request in flight (held weakly: when every caller has gone it is dropped, and aborted) or
/// an answer, with when it came.
enum Entry {
    InFlight(WeakShared<Fetch>),
    Done(Rc<str>, f64),
}

thread_local! {
    /// By URL. A list, not a map: it holds a handful of entries, and a hash map's code would
    /// cost the bundle more than the search does.
    static REQUESTS: RefCell<Vec<(String, Entry)>> = const { RefCell::new(Vec::new()) };
}

/// GETs `url` like [`get_text`], sharing the request with every other caller on the page.
/// `fresh` skips a stored answer (Retry, a refresh) but still joins a request in flight.
pub async fn get_shared(url: &str, fresh: bool) -> Result<Rc<str>, FetchError> {
    get_shared_at(url, fresh).await.map(|(body, _)| body)
}

/// [`get_shared`], with when the answer came (Unix seconds): a moment ago for an answer reused
/// from another caller, whose data is as old as that.
pub async fn get_shared_at(url: &str, fresh: bool) -> Result<(Rc<str>, i64), FetchError> {
    let now = js_sys::Date::now();
    let request: Shared<Fetch> = REQUESTS.with(|r| {
        let mut r = r.borrow_mut();
        // Answers too old to reuse, and requests whose callers have all gone, are dropped.
        r.retain(|(_, e)| match e {
            Entry::Done(_, at) => now - at < REUSE_MS,
            Entry::InFlight(weak) => weak.upgrade().is_some(),
        });
        match r.iter().find(|(u, _)| u == url).map(|(_, e)| e) {
            Some(Entry::Done(body, at)) if !fresh => {
                let done = (body.clone(), *at);
                return async move { Ok(done) }.boxed_local().shared();
            }
            Some(Entry::InFlight(weak)) => {
                if let Some(shared) = weak.upgrade() {
                    return shared;
                }
            }
            _ => {}
        }
        let owned = url.to_owned();
        let request = async move {
            let result: Body = get_text(&owned)
                .await
                .map(|b| (Rc::from(b), js_sys::Date::now()));
            REQUESTS.with(|r| {
                let mut r = r.borrow_mut();
                r.retain(|(u, _)| *u != owned);
                if let Ok((body, at)) = &result {
                    r.push((owned, Entry::Done(body.clone(), *at)));
                }
            });
            result
        }
        .boxed_local()
        .shared();
        if let Some(weak) = request.downgrade() {
            r.retain(|(u, _)| u != url);
            r.push((url.to_owned(), Entry::InFlight(weak)));
        }
        request
    });
    let (body, at) = request.await?;
    Ok((body, (at / 1000.0) as i64))
}

/// A request's controller and timeout. Dropped, it clears the timeout, and aborts the request
/// unless it finished: a caller that goes away (a widget removed from the page) takes its
/// request with it.
struct InFlight {
    controller: Option<web_sys::AbortController>,
    timer: Option<i32>,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if let (Some(id), Some(w)) = (self.timer, web_sys::window()) {
            w.clear_timeout_with_handle(id);
        }
        if let Some(c) = self.controller.take() {
            c.abort();
        }
    }
}

/// GETs `url` and returns its body, or why not. Aborts after [`TIMEOUT_MS`], and when the
/// future is dropped before the answer is in.
pub async fn get_text(url: &str) -> Result<String, FetchError> {
    // A call the page started before the WebAssembly had loaded is taken over, with its
    // controller (so the timeout and a caller that goes abort it too).
    let (early, controller) = match crate::early::take(url) {
        Some((promise, controller)) => (Some(promise), Some(controller)),
        None => (None, web_sys::AbortController::new().ok()),
    };
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
    let mut guard = InFlight { controller, timer };
    let result = async {
        let resp = match early {
            Some(promise) => wasm_bindgen_futures::JsFuture::from(promise)
                .await
                .map(|r| Response::from(r.unchecked_into::<web_sys::Response>()))
                .map_err(drop),
            None => Request::get(url)
                .abort_signal(signal.as_ref())
                .send()
                .await
                .map_err(drop),
        }
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
    guard.controller = None; // finished: nothing to abort; the timeout goes with the guard
    drop(guard);
    match result {
        Err(FetchError::Network) if timed_out.get() => Err(FetchError::Timeout),
        other => other,
    }
}

/// The places matching `name`, best first, at most `count`.
pub async fn search(config: &Config, name: &str, count: u8) -> Result<Vec<Place>, FetchError> {
    let url = open_meteo::geocoding_url(&config.geocoding_url, name, count);
    Ok(open_meteo::parse_geocoding(
        &get_shared(&url, false).await?,
    )?)
}

/// The current conditions of several places, in one request, in the order given.
pub async fn places_now(
    config: &Config,
    places: &[(f64, f64)],
) -> Result<Vec<Current>, FetchError> {
    let url = open_meteo::places_url(&config.forecast_url, places, config.units);
    Ok(open_meteo::parse_places(
        &get_shared(&url, false).await?,
        places.len(),
    )?)
}
