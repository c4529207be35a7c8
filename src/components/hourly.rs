//! The next 24 hours: time, condition, temperature, chance of precipitation.

use isobar_core::format;
use isobar_core::wmo;
use leptos::prelude::*;

use super::card::Card;
use super::{forecast_feed, with_unit};
use crate::app::Dashboard;
use crate::time::{self, Style};

/// The `hourly` card.
#[component]
pub fn HourlyCard() -> impl IntoView {
    let (state, retry) = forecast_feed();
    let hour12 = Dashboard::get().config().hour12;
    view! {
        <Card id="hourly" title="Next 24 hours" state retry body=move |f| {
            let now = time::now();
            let tz = f.location.timezone.clone();
            let unit = f.units.temperature.symbol();
            let rows = f
                .hourly
                .iter()
                .filter(|h| h.time + 3600 > now)
                .take(24)
                .map(|h| {
                    let condition = h.weather_code.map_or(format::DASH, wmo::describe);
                    view! {
                        <li class="hour">
                            <span class="hour-time">{time::format(h.time, &tz, Style::Hour, hour12)}</span>
                            <span class="hour-condition" title=condition>{condition}</span>
                            <span class="hour-temp">{with_unit(h.temperature, 0, unit)}</span>
                            <span class="hour-pop">{with_unit(h.precipitation_probability, 0, " %")}</span>
                        </li>
                    }
                })
                .collect_view();
            view! { <ol class="hours">{rows}</ol> }
        }/>
    }
}
