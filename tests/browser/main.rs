//! The end-to-end tests, one binary (so the suite links once), a module per area: the real
//! release bundle over HTTP on 127.0.0.1, the simulator, the relay, and headless Chromium driven
//! over WebDriver (`isobar-testkit`). `support` is the harness.
#![cfg(not(target_arch = "wasm32"))]

mod support;

mod app;
mod cards;
mod e2e;
mod early;
mod embed;
mod live;
mod offline;
mod split;
