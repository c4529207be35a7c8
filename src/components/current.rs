//! Current conditions: temperature, feels-like, the condition in words and as an icon,
//! humidity, pressure, cloud cover.

use isobar_core::format;
use isobar_core::wmo;
use leptos::prelude::*;

use super::icon::WeatherIcon;
use super::{with_unit, Detail, ForecastCard};

/// The `current` card.
#[component]
pub fn CurrentCard() -> impl IntoView {
    let station = crate::state::settings::Settings::get()
        .config()
        .station
        .clone();
    let live = crate::live::LiveFeed::get();
    let settings = crate::state::settings::Settings::get();
    view! {
        <ForecastCard id="current" live=true body=move |f| {
            let pressure = settings.config().pressure;
            let unit = f.units.temperature.symbol();
            let c = f.current.clone().unwrap_or_default();
            let condition = c.weather_code.map_or(format::DASH, wmo::describe);
            view! {
                <div class="now">
                    <p class="big-temp" data-value="temperature">{with_unit(c.temperature, 0, unit)}</p>
                    <WeatherIcon code=c.weather_code is_day=c.is_day.unwrap_or(true) size=56/>
                </div>
                <p class="condition" data-value="condition">{condition}</p>

                <dl class="details">
                    <Detail label="Feels like" value=with_unit(c.apparent_temperature, 0, unit)/>
                    <Detail label="Humidity" value=with_unit(c.relative_humidity, 0, " %")/>
                    <Detail label="Pressure" value=with_unit(c.pressure_msl.map(|p| pressure.from_hpa(p)), pressure.decimals(), pressure.suffix())/>
                    {match station.clone() {
                        // A station measures no cloud: its row takes cloud cover's place.
                        Some(s) => {
                            // The whole text is also the title: a long id is cut short on
                            // screen, and with it the state.
                            let label = move || if live.station_unknown.get() {
                                // The relay answered `unknown_station`.
                                format!("{s} (unknown)")
                            } else if live.observed.get().is_some() {
                                s.clone()
                            } else {
                                format!("{s} (waiting)")
                            };
                            let title = label.clone();
                            view! {
                                <div class="detail">
                                    <dt>"Station"</dt>
                                    <dd class="clip" data-value="station" title=title>{label}</dd>
                                </div>
                            }.into_any()
                        }
                        None => view! { <Detail label="Cloud cover" value=with_unit(c.cloud_cover, 0, " %")/> }.into_any(),
                    }}
                </dl>
            }
        }/>
    }
}
