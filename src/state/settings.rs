//! The settings: the configuration read from the query string, with what the viewer chose in
//! the settings panel. In the page, panel changes are kept in `localStorage` and the address
//! bar follows the view ([`isobar_core::prefs`] has the rules); an embedded dashboard keeps its
//! own settings in memory and touches neither.

use std::sync::Arc;

use isobar_core::cards::Source;
use isobar_core::config::{AqiScale, Config};
use isobar_core::prefs;
use isobar_core::units::Units;
use leptos::prelude::*;

use crate::storage;

/// The configuration, and whether this dashboard keeps what the viewer chooses.
#[derive(Clone, Copy)]
pub struct Settings {
    config: RwSignal<Arc<Config>>,
    /// The query the view is configured by (the address's, with the stored settings and the
    /// panel's changes).
    query: StoredValue<String>,
    keeps: bool,
}

impl Settings {
    /// The settings for `config`, read from `query`. `keeps`: the page's own dashboard, which
    /// stores panel changes and writes the address.
    pub fn new(config: Config, query: String, keeps: bool) -> Settings {
        Settings {
            config: RwSignal::new(Arc::new(config)),
            query: StoredValue::new(query),
            keeps,
        }
    }

    /// The settings from context; panics outside the dashboard.
    pub fn get() -> Settings {
        super::Handles::get().settings
    }

    /// The configuration (tracked: a view that reads it is made again when it changes).
    pub fn config(self) -> Arc<Config> {
        self.config.get()
    }

    /// The configuration, untracked.
    pub fn config_untracked(self) -> Arc<Config> {
        self.config.get_untracked()
    }

    /// Whether times are shown on a 12-hour clock (`hour12=`, else the viewer's locale).
    pub fn hour12(self) -> bool {
        self.config
            .with(|c| c.hour12)
            .unwrap_or_else(crate::zone::locale_uses_12_hours)
    }

    /// Whether this is the page's own dashboard, which keeps choices and writes the address.
    pub fn keeps(self) -> bool {
        self.keeps
    }

    /// What the calls are made with: a change of these fetches again.
    pub fn fetch_key(self) -> (Units, AqiScale) {
        self.config.with(|c| (c.units, c.aqi))
    }

    /// The viewer set `param` to `value` in the panel: every card follows at once; in the page
    /// the choice is stored (and only this one: what the address set stays the address's).
    pub fn change(self, param: &str, value: &str) {
        let query = self
            .query
            .try_update_value(|q| {
                *q = prefs::set(q, param, value);
                q.clone()
            })
            .unwrap_or_default();
        if self.keeps {
            let stored = storage::read(prefs::STORAGE_KEY).unwrap_or_default();
            storage::write(prefs::STORAGE_KEY, &prefs::set(&stored, param, value));
        }
        let _ = self.config.try_set(Arc::new(Config::from_query(&query).0));
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

    /// Whether the alerts card is shown.
    pub fn needs_alerts(self) -> bool {
        self.needs(Source::Alerts)
    }

    fn needs(self, source: Source) -> bool {
        self.config.with_untracked(|c| c.needs(source))
    }
}
