//! Air quality: the index on the configured scale (European or US), its band and colour,
//! PM2.5 and the dominant pollutant.

use isobar_core::bands::{european_aqi_band, us_aqi_band};
use isobar_core::config::AqiScale;
use isobar_core::format;
use leptos::prelude::*;

use super::card::Card;
use super::{html, with_unit};
use crate::state::{feeds::Feeds, settings::Settings};

/// The `air` card.
#[component]
pub fn AirCard() -> AnyView {
    let (feeds, settings) = (Feeds::get(), Settings::get());
    let retry = Callback::new(move |()| feeds.load_air());
    view! {
        <Card id="air" title=isobar_core::cards::title("air") state=feeds.air.state.into() retry blocked=feeds.air.blocked updated=feeds.air.updated body=move |a| {
            let us = settings.config().aqi == AqiScale::Us;
            let (label, value, band) = if us {
                ("US AQI", a.us_aqi, a.us_aqi.map(us_aqi_band))
            } else {
                ("European AQI", a.european_aqi, a.european_aqi.map(european_aqi_band))
            };
            let dominant = a
                .dominant(us)
                .map_or(format::DASH.to_owned(), |p| format!("{} ({})", p.label(), p.words()));
            html::body(format!(
                "<div class=\"aqi-now\"><p class=\"big-value\" data-value=\"aqi\">{}</p>\
                 <p class=\"band\" data-value=\"aqi-band\"><span class=\"swatch\"{}></span>{}</p></div>\
                 <dl class=\"details\">{}{}{}</dl><p class=\"advice\">{}</p>",
                format::number(value, 0),
                band.map_or(String::new(), |b| format!(" data-style=\"background-color: {}\"", b.color)),
                band.map_or(format::DASH, |b| b.name),
                html::detail("Scale", label),
                html::detail("PM2.5", &with_unit(a.pm2_5, 1, " µg/m³")),
                html::detail("Dominant", &dominant),
                band.map_or("", |b| b.advice),
            ))
        }/>
    }
    .into_any()
}
