//! Air quality: the index on the configured scale, its band and colour, PM2.5.

use isobar_core::config::AqiScale;
use isobar_core::format::{self, european_aqi_band, us_aqi_band};
use leptos::prelude::*;

use super::card::Card;
use super::{with_unit, Detail};
use crate::app::Dashboard;

/// The `air` card.
#[component]
pub fn AirCard() -> impl IntoView {
    let d = Dashboard::get();
    let scale = d.config().aqi;
    let retry = Callback::new(move |()| d.load_air());
    view! {
        <Card id="air" title="Air quality" state=d.air.into() retry body=move |a| {
            let (label, value, band) = match scale {
                AqiScale::European => ("European AQI", a.european_aqi, a.european_aqi.map(european_aqi_band)),
                AqiScale::Us => ("US AQI", a.us_aqi, a.us_aqi.map(us_aqi_band)),
            };
            view! {
                <p class="big-value" data-value="aqi">{format::number(value, 0)}</p>
                <p class="band">
                    <span class="swatch" style=band.map(|b| format!("background:{}", b.color))></span>
                    {band.map_or(format::DASH, |b| b.name)}
                </p>
                <dl class="details">
                    <Detail label="Scale" value=label.to_owned()/>
                    <Detail label="PM2.5" value=with_unit(a.pm2_5, 1, " µg/m³")/>
                </dl>
            }
        }/>
    }
}
