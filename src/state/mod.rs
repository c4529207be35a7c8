//! The dashboard's state, one concern per module. [`crate::app::App`] creates each; a component
//! reads only what it needs (`Feeds::get()`, `Now::get()`, …) and never the app.
//!
//! The handles (all `Copy`) travel down as one context, [`Handles`]: every context type adds
//! its own lookup code to the bundle (about 0.7 KB of wasm each), and the size limit is tight.
//! Nothing else is shared: each module owns its state and its rules.
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

use leptos::prelude::*;

use crate::live::LiveFeed;

/// The handles of one dashboard's state, provided as one context. Read them through each
/// module's `get()`.
#[derive(Clone, Copy)]
pub struct Handles {
    /// The settings.
    pub settings: settings::Settings,
    /// The clock.
    pub now: now::Now,
    /// The place shown.
    pub place: place::PlaceState,
    /// The API calls.
    pub feeds: feeds::Feeds,
    /// The live feed.
    pub live: LiveFeed,
    /// The calls in flight (a component's own, such as the place search, join them).
    pub tasks: tasks::Tasks,
    /// The tools' code (search, panels, "Use my location"), loaded on first use.
    pub tools: crate::split::Loader,
}

impl Handles {
    /// Provides them to everything created below the current owner.
    pub fn provide(self) {
        provide_context(self);
    }

    /// The handles from context, if inside a dashboard.
    pub fn find() -> Option<Handles> {
        use_context()
    }

    /// The handles from context; panics outside a dashboard.
    pub fn get() -> Handles {
        Handles::find().unwrap_or_else(|| outside())
    }
}

#[cold]
fn outside() -> ! {
    panic!("the dashboard's state was read outside the dashboard")
}
