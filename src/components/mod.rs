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

/// The forecast call's state, a Retry that restarts it, and whether Retry must wait: what
/// every forecast card takes.
pub fn forecast_feed() -> (Signal<Load<Arc<Forecast>>>, Callback<()>, Signal<bool>) {
    let d = Dashboard::get();
    (
        d.forecast.state.into(),
        Callback::new(move |()| d.load_forecast()),
        d.forecast.blocked.into(),
    )
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
