//! The dashboard: its shared state, the calls that fill it, and the page layout.

use std::sync::Arc;

use isobar_core::config::{Config, ConfigError, PlaceChoice, Theme, DEFAULT_PLACE};
use isobar_core::weather::{AirQuality, Forecast};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::components::{
    air::AirCard, current::CurrentCard, daily::DailyCard, header::Header, hourly::HourlyCard,
    sun::SunCard, uv::UvCard, wind::WindCard,
};
use crate::load::Load;

/// The place the weather is shown for, once known.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// Latitude in degrees.
    pub lat: f64,
    /// Longitude in degrees.
    pub lon: f64,
    /// Label for the header.
    pub name: String,
}

/// Everything the cards share, provided as context.
#[derive(Clone, Copy)]
pub struct Dashboard {
    /// The configuration read from the query string.
    pub config: StoredValue<Arc<Config>>,
    /// The place, once resolved.
    pub place: RwSignal<Load<Place>>,
    /// The forecast call (feeds current, UV, sun, wind, hourly and daily).
    pub forecast: RwSignal<Load<Arc<Forecast>>>,
    /// The air-quality call (feeds the air card).
    pub air: RwSignal<Load<Arc<AirQuality>>>,
}

impl Dashboard {
    /// The dashboard from context; panics outside [`App`].
    pub fn get() -> Dashboard {
        expect_context::<Dashboard>()
    }

    /// The configuration.
    pub fn config(&self) -> Arc<Config> {
        self.config.get_value()
    }

    /// Resolves the place, then starts every call for it at once.
    pub fn start(self) {
        let config = self.config();
        match config.place.clone() {
            PlaceChoice::Coords { lat, lon, name } => {
                let name = name.unwrap_or_else(|| format!("{lat:.2}°, {lon:.2}°"));
                self.set_place(Place { lat, lon, name });
            }
            PlaceChoice::Search(q) => {
                self.place.set(Load::Loading);
                self.forecast.set(Load::Loading);
                self.air.set(Load::Loading);
                spawn_local(async move {
                    match api::geocode(&config, &q).await {
                        Ok(Some(p)) => self.set_place(Place {
                            lat: p.latitude,
                            lon: p.longitude,
                            name: p.name,
                        }),
                        Ok(None) => self.fail_all(format!("No place called “{q}” was found.")),
                        Err(e) => {
                            self.fail_all(format!("The place “{q}” could not be looked up. {e}"))
                        }
                    }
                });
            }
            PlaceChoice::Auto => {
                let (lat, lon, name) = DEFAULT_PLACE;
                self.set_place(Place {
                    lat,
                    lon,
                    name: name.to_owned(),
                });
            }
        }
    }

    fn fail_all(self, msg: String) {
        self.place.set(Load::Failed(msg.clone()));
        self.forecast.set(Load::Failed(msg.clone()));
        self.air.set(Load::Failed(msg));
    }

    fn set_place(self, place: Place) {
        self.place.set(Load::Ready(place));
        self.load_forecast();
        self.load_air();
    }

    /// (Re)starts the forecast call.
    pub fn load_forecast(self) {
        let Some(p) = self.place.get_untracked().ready().cloned() else {
            return self.start();
        };
        let config = self.config();
        self.forecast.set(Load::Loading);
        spawn_local(async move {
            let r = api::forecast(&config, p.lat, p.lon, config.units).await;
            self.forecast.set(match r {
                Ok(f) => Load::Ready(Arc::new(f)),
                Err(e) => Load::Failed(e.to_string()),
            });
        });
    }

    /// (Re)starts the air-quality call.
    pub fn load_air(self) {
        let Some(p) = self.place.get_untracked().ready().cloned() else {
            return self.start();
        };
        let config = self.config();
        self.air.set(Load::Loading);
        spawn_local(async move {
            let r = api::air_quality(&config, p.lat, p.lon).await;
            self.air.set(match r {
                Ok(a) => Load::Ready(Arc::new(a)),
                Err(e) => Load::Failed(e.to_string()),
            });
        });
    }
}

/// The whole page: header, configuration notices, and the cards in the configured order.
#[component]
pub fn App(
    /// The configuration.
    config: Config,
    /// Problems found in the query string, shown above the cards.
    errors: Vec<ConfigError>,
) -> impl IntoView {
    let theme = match config.theme {
        Theme::Light => "light",
        Theme::Dark => "dark",
        Theme::Auto => "auto",
    };
    let cards = config.cards.clone();
    let dashboard = Dashboard {
        config: StoredValue::new(Arc::new(config)),
        place: RwSignal::new(Load::Loading),
        forecast: RwSignal::new(Load::Loading),
        air: RwSignal::new(Load::Loading),
    };
    provide_context(dashboard);
    dashboard.start();

    let notices = (!errors.is_empty()).then(|| {
        view! {
            <ul class="notices" role="status" aria-label="Settings problems">
                {errors.iter().map(|e| view! { <li>{e.to_string()}</li> }).collect_view()}
            </ul>
        }
    });
    view! {
        <div class="isobar" data-theme=theme>
            <Header/>
            {notices}
            <main class="cards" id="cards">
                {cards.into_iter().map(|id| card(&id)).collect_view()}
            </main>
        </div>
    }
}

/// The card component for an id of [`isobar_core::config::ALL_CARDS`].
fn card(id: &str) -> AnyView {
    match id {
        "current" => view! { <CurrentCard/> }.into_any(),
        "uv" => view! { <UvCard/> }.into_any(),
        "sun" => view! { <SunCard/> }.into_any(),
        "wind" => view! { <WindCard/> }.into_any(),
        "hourly" => view! { <HourlyCard/> }.into_any(),
        "daily" => view! { <DailyCard/> }.into_any(),
        "air" => view! { <AirCard/> }.into_any(),
        _ => ().into_any(),
    }
}
