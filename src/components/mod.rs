//! The page's components: the header and one file per card.

pub mod air;
pub mod card;
pub mod current;
pub mod daily;
pub mod header;
pub mod hourly;
pub mod icon;
pub mod sun;
pub mod uv;
pub mod wind;

use std::sync::Arc;

use isobar_core::format::{self, DASH};
use isobar_core::weather::Forecast;
use leptos::prelude::*;

use crate::app::Dashboard;
use crate::load::Load;

/// What every forecast card takes: the call's state, a Retry that restarts it, whether Retry
/// must wait, and when the data was fetched.
pub struct ForecastFeed {
    /// The forecast call's state.
    pub state: Signal<Load<Arc<Forecast>>>,
    /// Restarts the call.
    pub retry: Callback<()>,
    /// True while Retry must wait.
    pub blocked: Signal<bool>,
    /// When the forecast was fetched.
    pub updated: Signal<Option<i64>>,
}

/// The forecast feed from context.
pub fn forecast_feed() -> ForecastFeed {
    let d = Dashboard::get();
    ForecastFeed {
        state: d.forecast.state.into(),
        retry: Callback::new(move |()| d.load_forecast()),
        blocked: d.forecast.blocked.into(),
        updated: d.forecast.updated.into(),
    }
}

/// For cards that live observations reach: the later of the fetch and the last observation.
pub fn live_updated() -> Signal<Option<i64>> {
    let d = Dashboard::get();
    Signal::derive(move || d.forecast.updated.get().max(d.observed.get()))
}

/// A labelled value in a card's detail list: `<dt>label</dt><dd>value</dd>`.
#[component]
pub fn Detail(
    /// What the value is.
    label: &'static str,
    /// The value, already formatted.
    value: String,
) -> impl IntoView {
    view! {
        <div class="detail">
            <dt>{label}</dt>
            <dd>{value}</dd>
        </div>
    }
}

/// A value with its unit, or the dash alone when the value is null.
pub fn with_unit(v: Option<f64>, decimals: usize, unit: &str) -> String {
    match v {
        Some(_) => format!("{}{unit}", format::number(v, decimals)),
        None => DASH.to_owned(),
    }
}
