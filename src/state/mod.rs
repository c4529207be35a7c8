//! The dashboard's state, one concern per module. [`crate::app::App`] creates each and provides
//! it as a context of its own; a component reads only what it needs (`Feeds::get()`,
//! `Now::get()`, …) and never the app.
//!
//! * [`settings`]: the configuration from the query string (read-only).
//! * [`now`]: the clock, ticking every second.
//! * [`tasks`]: the calls in flight, aborted when the dashboard is removed.
//! * [`place`]: the place shown, resolved from the settings.
//! * [`feeds`]: the API calls that fill the cards, started when the place is known.
//! * [`load`]: the state of one call (loading, ready, failed).
//!
//! The live feed that keeps the cards current is [`crate::live`].

pub mod feeds;
pub mod load;
pub mod now;
pub mod place;
pub mod settings;
pub mod tasks;
