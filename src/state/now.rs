//! Now, ticking every second: ages ("2 min ago"), the local time, countdowns.

use std::time::Duration;

use leptos::prelude::*;

/// The current time, Unix seconds.
#[derive(Clone, Copy)]
pub struct Now(RwSignal<i64>);

impl Now {
    /// Starts the clock (it stops with the dashboard).
    pub fn start() -> Now {
        let now = Now(RwSignal::new(unix_now()));
        if let Ok(tick) =
            set_interval_with_handle(move || now.0.set(unix_now()), Duration::from_secs(1))
        {
            on_cleanup(move || tick.clear());
        }
        now
    }

    /// The clock from context, if there is one.
    pub fn find() -> Option<Now> {
        super::Handles::find().map(|h| h.now)
    }

    /// The clock from context; panics outside the dashboard.
    pub fn get() -> Now {
        super::Handles::get().now
    }

    /// Now, Unix seconds (tracked: a view reading it redraws every second).
    pub fn seconds(self) -> i64 {
        self.0.get()
    }
}

/// Now, as Unix seconds, straight from the browser.
pub fn unix_now() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}
