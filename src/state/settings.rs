//! The settings: the configuration read from the query string, fixed for the dashboard's life.

use std::sync::Arc;

use isobar_core::cards::{self, Source};
use isobar_core::config::Config;
use leptos::prelude::*;

/// The configuration.
#[derive(Clone, Copy)]
pub struct Settings {
    config: StoredValue<Arc<Config>>,
    /// Whether times are shown on a 12-hour clock (`hour12=`, else the viewer's locale).
    pub hour12: bool,
}

impl Settings {
    /// The settings for `config`.
    pub fn new(config: Config) -> Settings {
        let hour12 = config
            .hour12
            .unwrap_or_else(crate::zone::locale_uses_12_hours);
        Settings {
            config: StoredValue::new(Arc::new(config)),
            hour12,
        }
    }

    /// The settings from context; panics outside the dashboard.
    pub fn get() -> Settings {
        super::Handles::get().settings
    }

    /// The configuration.
    pub fn config(self) -> Arc<Config> {
        self.config.get_value()
    }

    /// False once the dashboard has been removed (a widget taken out of its page): callbacks
    /// that outlive it check this before touching its state.
    pub fn alive(self) -> bool {
        !self.config.is_disposed()
    }

    /// Whether any shown card is filled by the forecast call.
    pub fn needs_forecast(self) -> bool {
        self.needs(Source::Forecast)
    }

    /// Whether any shown card is filled by the air-quality call.
    pub fn needs_air(self) -> bool {
        self.needs(Source::AirQuality)
    }

    fn needs(self, source: Source) -> bool {
        self.config.with_value(|c| {
            c.cards
                .iter()
                .any(|id| cards::find(id).is_some_and(|c| c.source == source))
        })
    }
}
