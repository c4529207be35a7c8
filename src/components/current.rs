//! Current conditions: temperature, feels-like, the condition, humidity, pressure, cloud cover.

use isobar_core::format;
use isobar_core::wmo;
use leptos::prelude::*;

use super::card::Card;
use super::{forecast_feed, with_unit, Detail};

/// The `current` card.
#[component]
pub fn CurrentCard() -> impl IntoView {
    let (state, retry) = forecast_feed();
    view! {
        <Card id="current" title="Now" state retry body=|f| {
            let unit = f.units.temperature.symbol();
            let c = f.current.clone().unwrap_or_default();
            let condition = c.weather_code.map_or(format::DASH, wmo::describe);
            view! {
                <p class="big-temp" data-value="temperature">{with_unit(c.temperature, 0, unit)}</p>
                <p class="condition" data-value="condition">{condition}</p>
                <dl class="details">
                    <Detail label="Feels like" value=with_unit(c.apparent_temperature, 0, unit)/>
                    <Detail label="Humidity" value=with_unit(c.relative_humidity, 0, " %")/>
                    <Detail label="Pressure" value=with_unit(c.pressure_msl, 0, " hPa")/>
                    <Detail label="Cloud cover" value=with_unit(c.cloud_cover, 0, " %")/>
                </dl>
            }
        }/>
    }
}
