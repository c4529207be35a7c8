//! The next 24 hours: time, icon, temperature, chance of precipitation.

use isobar_core::clock;
use leptos::prelude::*;

use super::html;
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
            let mut html = String::new();
            for (i, h) in f.hourly.iter().filter(|h| h.time + 3600 > now).take(24).enumerate() {
                let label = if i == 0 { "Now".to_owned() } else { clock::hour_label(h.time, &zone, hour12) };
                html.push_str(&format!(
                    "<li class=\"hour\"><span class=\"hour-time\">{label}</span>{}\
                     <span class=\"hour-temp\">{}</span>\
                     <span class=\"hour-pop\" title=\"Chance of precipitation\">{}</span></li>",
                    html::icon(h.weather_code, h.is_day.unwrap_or(true), 28),
                    with_unit(h.temperature, 0, "°"),
                    with_unit(h.precipitation_probability, 0, " %"),
                ));
            }
            view! { <ol class="hours" tabindex="0" aria-label="Hourly forecast, scrolls sideways" inner_html=html></ol> }
        }/>
    }
}
