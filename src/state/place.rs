//! The place the weather is shown for, and the places a viewer keeps: coordinates from the
//! settings, a name looked up by the geocoding API (`q=`), a place picked in the page, or (with
//! no place in the address) the place viewed last, else the default place with a prompt. The
//! browser is asked where the viewer is only when they press "Use my location".
//!
//! In the page the kept places persist in `localStorage` ([`isobar_core::places`]); an
//! embedded dashboard keeps its own in memory.

use isobar_core::config::{PlaceChoice, DEFAULT_PLACE};
use isobar_core::places::{Places, STORAGE_KEY};
use leptos::prelude::*;

use crate::api;
use crate::state::load::Load;
use crate::state::settings::Settings;
use crate::state::tasks::Tasks;
use crate::storage;

pub use isobar_core::weather::Place;

/// How long the browser may take to say where the viewer is.
const GEOLOCATION_TIMEOUT_MS: i32 = 10_000;

/// The place shown, and the kept places.
#[derive(Clone, Copy)]
pub struct PlaceState {
    /// The place, once resolved; failed with a message when it cannot be.
    pub place: RwSignal<Load<Place>>,
    /// A note about the place: the prompt shown with the default place.
    pub note: RwSignal<Option<String>>,
    /// Why "Use my location" found nothing, shown beside the button.
    pub locate_error: RwSignal<Option<String>>,
    /// Saved and recent places.
    pub places: RwSignal<Places>,
    /// Whether the place shown was chosen (by the address, the viewer or storage), rather than
    /// the default standing in: only a chosen place is written to the address.
    pub chosen: RwSignal<bool>,
    settings: Settings,
    tasks: Tasks,
}

impl PlaceState {
    /// The place state, still to be resolved; the kept places read from storage when the
    /// settings keep them.
    pub fn new(settings: Settings, tasks: Tasks) -> PlaceState {
        let places = settings
            .keeps()
            .then(|| storage::read(STORAGE_KEY))
            .flatten()
            .map(|t| Places::from_json(&t))
            .unwrap_or_default();
        PlaceState {
            place: RwSignal::new(Load::Loading),
            note: RwSignal::new(None),
            locate_error: RwSignal::new(None),
            places: RwSignal::new(places),
            chosen: RwSignal::new(false),
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
        match self.settings.config_untracked().place.clone() {
            PlaceChoice::Coords { lat, lon, name } => {
                let name = name.unwrap_or_else(|| {
                    let f = |x| isobar_core::format::fixed(x, 2);
                    format!("{}°, {}°", f(lat), f(lon))
                });
                self.choose(Place::at(lat, lon, name));
            }
            PlaceChoice::Search(q) => self.tasks.spawn(async move {
                let config = self.settings.config_untracked();
                match api::search(&config, &q, 1)
                    .await
                    .map(|v| v.into_iter().next())
                {
                    Ok(Some(p)) => self.choose(p),
                    Ok(None) => self.fail(format!("No place called “{q}” was found.")),
                    Err(e) => self.fail(format!("The place “{q}” could not be looked up. {e}")),
                }
            }),
            PlaceChoice::Auto => match self.places.with_untracked(|p| p.last.clone()) {
                Some(last) => self.choose(last),
                None => {
                    let (lat, lon, name) = DEFAULT_PLACE;
                    self.note.set(Some(format!(
                            "Showing {name}. Search for a place or use your location to see your own weather."
                        )));
                    self.place.set(Load::Ready(Place::at(lat, lon, name)));
                }
            },
        }
    }

    /// Shows `place` (picked, found, or from the address): every card reloads for it, and it
    /// becomes the last place viewed.
    pub fn choose(self, place: Place) {
        if !self.settings.alive() {
            return;
        }
        self.note.set(None);
        self.locate_error.set(None);
        self.chosen.set(true);
        self.keep(|p| p.visit(place.clone()));
        self.place.set(Load::Ready(place));
    }

    /// Saves the place shown, or removes it if saved.
    pub fn toggle_saved(self) {
        let Some(place) = self.ready() else { return };
        self.keep(|p| {
            if p.is_saved(&place) {
                p.remove(&place);
            } else {
                p.save(place);
            }
        });
    }

    /// Forgets a kept place (saved or recent).
    pub fn forget(self, place: &Place) {
        self.keep(|p| p.forget(place));
    }

    /// Asks the browser where the viewer is (only ever after they press the button) and shows
    /// the weather there; says why not beside the button.
    pub fn locate(self) {
        self.locate_error.set(None);
        self.tasks.spawn(async move {
            match crate::geo::locate(GEOLOCATION_TIMEOUT_MS).await {
                Ok((lat, lon)) => {
                    let deg = |x: f64, pos: char, neg: char| {
                        let side = if x < 0.0 { neg } else { pos };
                        format!("{}°{side}", isobar_core::format::fixed(x.abs(), 2))
                    };
                    let name = format!("Near {} {}", deg(lat, 'N', 'S'), deg(lon, 'E', 'W'));
                    self.choose(Place::at(lat, lon, name));
                }
                Err(why) => {
                    let _ = self.locate_error.try_set(Some(why));
                }
            }
        });
    }

    /// Changes the kept places and stores them (in the page).
    fn keep(self, change: impl FnOnce(&mut Places)) {
        self.places.update(change);
        if self.settings.keeps() {
            storage::write(STORAGE_KEY, &self.places.with_untracked(Places::to_json));
        }
    }

    fn fail(self, message: String) {
        let _ = self.place.try_set(Load::Failed(message));
    }
}
