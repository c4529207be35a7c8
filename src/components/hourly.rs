//! The next 24 hours: time, icon, temperature, chance of precipitation.

use isobar_core::clock;
use leptos::prelude::*;

use super::icon::WeatherIcon;
use super::{with_unit, ForecastCard};
use crate::state::now::unix_now;
use crate::state::settings::Settings;
use crate::zone::Zone;

/// The `hourly` card.
#[component]
pub fn HourlyCard() -> impl IntoView {
    let settings = Settings::get();
    view! {
        <ForecastCard id="hourly" body=move |f| {
            let hour12 = settings.hour12();
            let now = unix_now();
            let zone = Zone::of(&f.location);
            let rows = f
                .hourly
                .iter()
                .filter(|h| h.time + 3600 > now)
                .take(24)
                .enumerate()
                .map(|(i, h)| {
                    let label = if i == 0 { "Now".to_owned() } else { clock::hour_label(h.time, &zone, hour12) };
                    view! {
                        <li class="hour">
                            <span class="hour-time">{label}</span>
                            <WeatherIcon code=h.weather_code is_day=h.is_day.unwrap_or(true) size=28/>
                            <span class="hour-temp">{with_unit(h.temperature, 0, "°")}</span>
                            <span class="hour-pop" title="Chance of precipitation">{with_unit(h.precipitation_probability, 0, " %")}</span>
                        </li>
                    }
                })
                .collect_view();
            view! { <ol class="hours" tabindex="0" aria-label="Hourly forecast, scrolls sideways">{rows}</ol> }
        }/>
    }
}
