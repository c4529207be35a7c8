//! The days ahead: weekday, icon, low and high as bars on one shared scale, chance and amount
//! of precipitation.

use isobar_core::clock;
use isobar_core::format::{extent, fixed, range_bar};
use leptos::prelude::*;

use super::icon::WeatherIcon;
use super::{with_unit, ForecastCard};
use crate::state::now::unix_now;
use crate::zone::Zone;

/// The `daily` card.
#[component]
pub fn DailyCard() -> impl IntoView {
    view! {
        <ForecastCard id="daily" body=move |f| {
            let precip = f.units.precipitation.symbol();
            let today = clock::local(unix_now(), &Zone::of(&f.location)).date();
            let days: Vec<_> = f.daily.iter().filter(|d| d.date >= today).collect();
            let scale = extent(days.iter().flat_map(|d| [d.temperature_min, d.temperature_max]));
            let rows = days
                .iter()
                .map(|d| {
                    let name = if d.date == today { "Today" } else { clock::weekday_label(d.date) };
                    let bar = scale.and_then(|(lo, hi)| range_bar(lo, hi, d.temperature_min, d.temperature_max));
                    let amount = d.precipitation_sum.filter(|s| *s > 0.0);
                    view! {
                        <li class="day">
                            <span class="day-name">{name}</span>
                            <WeatherIcon code=d.weather_code size=26/>
                            <span class="day-pop" title="Chance of precipitation">
                                {with_unit(d.precipitation_probability_max, 0, " %")}
                            </span>
                            <span class="day-sum" title="Precipitation">
                                {amount.map(|a| with_unit(Some(a), 1, &format!(" {precip}")))}
                            </span>
                            <span class="day-min" aria-label="low">{with_unit(d.temperature_min, 0, "°")}</span>
                            <span class="range" aria-hidden="true">
                                {bar.map(|(left, width)| {
                                    // Stretch the gradient to the whole scale, and slide it so
                                    // this fill shows the part under its own span.
                                    let w = width.max(1.0);
                                    let size = format!("{}% 100%", fixed(100.0 / w * 100.0, 1));
                                    let pos = format!("{}% 0", fixed(if w >= 100.0 { 0.0 } else { left / (100.0 - w) * 100.0 }, 1));
                                    view! {
                                        <span
                                            class="range-fill"
                                            style:left=format!("{}%", fixed(left, 1))
                                            style:width=format!("{}%", fixed(width, 1))
                                            style:background-size=size
                                            style:background-position=pos
                                        ></span>
                                    }
                                })}
                            </span>
                            <span class="day-max" aria-label="high">{with_unit(d.temperature_max, 0, "°")}</span>
                        </li>
                    }
                })
                .collect_view();
            view! { <ol class="days">{rows}</ol> }
        }/>
    }
}
