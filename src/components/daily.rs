//! The days ahead: weekday, condition, low and high, chance and amount of precipitation.

use isobar_core::format;
use isobar_core::wmo;
use leptos::prelude::*;

use super::card::Card;
use super::{forecast_feed, with_unit};
use crate::app::Dashboard;
use crate::time::{self, Style};

/// The `daily` card.
#[component]
pub fn DailyCard() -> impl IntoView {
    let (state, retry) = forecast_feed();
    let hour12 = Dashboard::get().config().hour12;
    view! {
        <Card id="daily" title="Next days" state retry body=move |f| {
            let unit = f.units.temperature.symbol();
            let precip = f.units.precipitation.symbol();
            let rows = f
                .daily
                .iter()
                .map(|d| {
                    // Noon of the local date names its weekday whatever the offset.
                    let noon = d.date.and_hms_opt(12, 0, 0).map(|n| n.and_utc().timestamp()).unwrap_or(0);
                    let condition = d.weather_code.map_or(format::DASH, wmo::describe);
                    view! {
                        <li class="day">
                            <span class="day-name">{time::format(noon, "UTC", Style::Weekday, hour12)}</span>
                            <span class="day-condition">{condition}</span>
                            <span class="day-min">{with_unit(d.temperature_min, 0, unit)}</span>
                            <span class="day-max">{with_unit(d.temperature_max, 0, unit)}</span>
                            <span class="day-pop">{with_unit(d.precipitation_probability_max, 0, " %")}</span>
                            <span class="day-sum">{with_unit(d.precipitation_sum, 1, &format!(" {precip}"))}</span>
                        </li>
                    }
                })
                .collect_view();
            view! { <ol class="days">{rows}</ol> }
        }/>
    }
}
