//! The place the weather is shown for: coordinates from the settings, a name looked up by the
//! geocoding API (`q=`), or the viewer's own location (with the default place standing in when
//! the browser will not say).

use isobar_core::config::{PlaceChoice, DEFAULT_PLACE};
use leptos::prelude::*;

use crate::api;
use crate::state::load::Load;
use crate::state::settings::Settings;
use crate::state::tasks::Tasks;

/// How long the browser may take to say where the viewer is.
const GEOLOCATION_TIMEOUT_MS: i32 = 6000;

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

/// The place shown.
#[derive(Clone, Copy)]
pub struct PlaceState {
    /// The place, once resolved; failed with a message when it cannot be.
    pub place: RwSignal<Load<Place>>,
    /// A note about the place (shown when the default place stands in for the viewer's).
    pub note: RwSignal<Option<String>>,
    settings: Settings,
    tasks: Tasks,
}

impl PlaceState {
    /// The place state, still to be resolved.
    pub fn new(settings: Settings, tasks: Tasks) -> PlaceState {
        PlaceState {
            place: RwSignal::new(Load::Loading),
            note: RwSignal::new(None),
            settings,
            tasks,
        }
    }

    /// The place state from context; panics outside the dashboard.
    pub fn get() -> PlaceState {
        super::Handles::get().place
    }

    /// The place, if resolved (untracked).
    pub fn ready(self) -> Option<Place> {
        self.place
            .try_with_untracked(|p| p.ready().cloned())
            .flatten()
    }

    /// Resolves the place the settings ask for (again, after a failure).
    pub fn resolve(self) {
        if !self.settings.alive() {
            return;
        }
        self.place.set(Load::Loading);
        match self.settings.config().place.clone() {
            PlaceChoice::Coords { lat, lon, name } => {
                let name = name.unwrap_or_else(|| {
                    let f = |x| isobar_core::format::fixed(x, 2);
                    format!("{}°, {}°", f(lat), f(lon))
                });
                self.set(Place { lat, lon, name });
            }
            PlaceChoice::Search(q) => self.tasks.spawn(async move {
                let config = self.settings.config();
                let found = api::geocode(&config, &q).await;
                self.place.set(match found {
                    Ok(Some(p)) => Load::Ready(Place {
                        lat: p.latitude,
                        lon: p.longitude,
                        name: p.name,
                    }),
                    Ok(None) => Load::Failed(format!("No place called “{q}” was found.")),
                    Err(e) => Load::Failed(format!("The place “{q}” could not be looked up. {e}")),
                });
            }),
            PlaceChoice::Auto => self.tasks.spawn(async move {
                match crate::geo::locate(GEOLOCATION_TIMEOUT_MS).await {
                    Some((lat, lon)) => self.set(Place {
                        lat,
                        lon,
                        name: "Your location".to_owned(),
                    }),
                    None => {
                        let (lat, lon, name) = DEFAULT_PLACE;
                        self.note.set(Some(format!(
                            "Showing {name}: your location is not available. Add ?q=<place> or ?lat=…&lon=… to the address to choose a place."
                        )));
                        self.set(Place {
                            lat,
                            lon,
                            name: name.to_owned(),
                        });
                    }
                }
            }),
        }
    }

    fn set(self, place: Place) {
        if self.settings.alive() {
            self.place.set(Load::Ready(place));
        }
    }
}
