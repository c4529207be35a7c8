//! The page's components: the header and one file per card.

pub mod air;
pub mod alerts;
pub mod card;
pub mod current;
pub mod daily;
pub mod header;
pub mod hourly;
pub mod html;
pub mod icon;
pub mod moon;
pub mod nowcast;
pub mod places;
pub mod search;
pub mod settings;
pub mod sun;
pub mod uv;
pub mod wind;

use std::sync::Arc;

use isobar_core::format::{self, DASH};
use isobar_core::weather::Forecast;
use leptos::prelude::*;

use crate::live::LiveFeed;
use crate::state::feeds::Feeds;
use crate::state::load::Load;

/// A card fed by the forecast call: the shared [`card::Card`] with the forecast's state,
/// Retry, `Retry-After` block and data age wired in. `live` cards (reached by live
/// observations) show the later of the fetch and the last observation, and highlight changes.
#[component]
pub fn ForecastCard<F>(
    /// The card's id (of `isobar_core::cards::CARDS`, which gives its heading).
    id: &'static str,
    /// Whether live observations reach this card.
    #[prop(optional)]
    live: bool,
    /// Draws the card's body from the forecast.
    body: F,
) -> AnyView
where
    F: Fn(Arc<Forecast>) -> String + Send + Sync + 'static,
{
    let (state, updated) = forecast_state(live);
    let forecast = Feeds::get().forecast;
    view! {
        <card::Card
            id
            title=isobar_core::cards::title(id)
            state
            retry=Callback::new(move |()| Feeds::get().load_forecast())
            blocked=forecast.blocked
            updated
            live
            body
        />
    }
    .into_any()
}

/// The forecast's state as one card shows it, and its data age. Not generic, so compiled
/// once for every forecast card.
fn forecast_state(live: bool) -> (Signal<Load<Arc<Forecast>>>, Signal<Option<i64>>) {
    let forecast = Feeds::get().forecast;
    let fetched = forecast.updated;
    let updated = if live {
        let observed = LiveFeed::get().observed;
        Signal::derive(move || fetched.get().max(observed.get()))
    } else {
        fetched.into()
    };
    // The cards draw after the task that read the answer, as many in each task as a short one
    // holds (see `tasks::draw`): with the answer's reading they would be one long task, which
    // a slow phone feels as a page that does not answer (Lighthouse's total blocking time).
    let source = forecast.state;
    let shown = RwSignal::new(source.get_untracked());
    Effect::watch(
        move || source.track(),
        move |_, _, _| {
            crate::state::tasks::draw(move || {
                if let Some(v) = source.try_get_untracked() {
                    shown.set(v);
                }
            });
        },
        false,
    );
    (shown.into(), updated)
}

/// A value with its unit, or the dash alone when the value is null.
pub fn with_unit(v: Option<f64>, decimals: usize, unit: &str) -> String {
    match v {
        Some(_) => format!("{}{unit}", format::number(v, decimals)),
        None => DASH.to_owned(),
    }
}
