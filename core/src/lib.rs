//! Isobar's core: everything that needs neither a browser nor a server.
//!
//! * [`alerts`]: official alerts from the NWS (US) and Bright Sky (Germany), one shape.
//! * [`bands`]: UV and air-quality bands, colours and advice.
//! * [`wind`]: compass points and the Beaufort scale.
//! * [`cards`]: every card's id, heading and the call that fills it (one table).
//! * [`early`]: the calls a page starts before its WebAssembly has loaded, and which.
//! * [`json`]: JSON text into `serde_json::Value` (the browser's `JSON.parse` in WebAssembly).
//! * [`places`]: saved and recent places, their rules and stored form.
//! * [`params`]: the query parameters, their values and defaults (one table).
//! * [`moon`]: the moon's phase, next new and full moons, illumination and altitude.
//! * [`nowcast`]: rain in the next two hours, in one sentence, from 15-minute data.
//! * [`open_meteo`]: the JSON that Open-Meteo's forecast, air-quality and geocoding APIs send,
//!   parsed into the domain types of [`weather`], plus the request URLs that ask for it.
//! * [`retry`]: the wait after a 429 and the rule that drops a late answer.
//! * [`sun`]: solar noon, sunrise and sunset, and twilight, by NOAA's method.
//! * [`reconnect`]: the live feed's reconnection backoff, polling fallback and status.
//! * [`units`]: temperature, wind and precipitation units, their Open-Meteo names and conversions.
//! * [`weather`]: the domain types the dashboard draws (current conditions, hourly and daily rows,
//!   air quality, places).
//!
//! The crate builds for the host and for `wasm32-unknown-unknown`, so the dashboard, the
//! simulator and the relay share one definition of every shape, and `cargo test -p isobar-core`
//! checks it in seconds.

// No indexing of a `str` by range (`&s[a..]`): to the compiler the index may fall inside a
// character, and the panic's message formats that character with `Debug`, which brings
// Unicode's printable tables into the bundle (3,347 bytes brotli when two indexes were
// removed). Use `strip_prefix`, `split_once`, `split_at_checked` or `get`. Tests may.
#![cfg_attr(not(test), warn(clippy::string_slice))]

pub mod alerts;
pub mod bands;
pub mod cards;
pub mod clock;
pub mod config;
pub mod early;
pub mod format;
pub mod json;
pub mod live;
pub mod moon;
pub mod nowcast;
pub mod open_meteo;
pub mod params;
pub mod places;
pub mod prefs;
pub mod reconnect;
pub mod retry;
pub mod sun;
pub mod units;
pub mod weather;
pub mod wind;
pub mod wmo;

pub use open_meteo::ParseError;
