//! The days ahead: weekday, icon, low and high as bars on one shared scale, chance and amount
//! of precipitation.

use isobar_core::clock;
use isobar_core::format::{extent, fixed, range_bar};
use leptos::prelude::*;

use super::html;
use super::{with_unit, ForecastCard};
use crate::state::now::unix_now;
use crate::zone::Zone;

/// The `daily` card.
#[component]
pub fn DailyCard() -> AnyView {
    view! {
        <ForecastCard id="daily" body=move |f| {
            let precip = f.units.precipitation.symbol();
            let today = clock::local(unix_now(), &Zone::of(&f.location)).date();
            let days: Vec<_> = f.daily.iter().filter(|d| d.date >= today).collect();
            let scale = extent(days.iter().flat_map(|d| [d.temperature_min, d.temperature_max]));
            let mut html = String::new();
            for d in &days {
                let name = if d.date == today { "Today" } else { clock::weekday_label(d.date) };
                let bar = scale.and_then(|(lo, hi)| range_bar(lo, hi, d.temperature_min, d.temperature_max));
                let amount = d.precipitation_sum.filter(|s| *s > 0.0);
                html.push_str(&format!(
                    "<li class=\"day\"><span class=\"day-name\">{name}</span>{}\
                     <span class=\"day-pop\" title=\"Chance of precipitation\">{}</span>\
                     <span class=\"day-sum\" title=\"Precipitation\">{}</span>\
                     <span class=\"day-min\" aria-label=\"low\">{}</span><span class=\"range\" aria-hidden=\"true\">",
                    html::icon(d.weather_code, true, 26),
                    with_unit(d.precipitation_probability_max, 0, " %"),
                    amount.map(|a| with_unit(Some(a), 1, &format!(" {}", html::text(precip)))).unwrap_or_default(),
                    with_unit(d.temperature_min, 0, "°"),
                ));
                if let Some((left, width)) = bar {
                    // Stretch the gradient to the whole scale, and slide it so this fill shows
                    // the part under its own span.
                    let w = width.max(1.0);
                    html.push_str(&format!(
                        "<span class=\"range-fill\" data-style=\"left: {}%; width: {}%; background-size: {}% 100%; background-position: {}% 0\"></span>",
                        fixed(left, 1),
                        fixed(width, 1),
                        fixed(100.0 / w * 100.0, 1),
                        fixed(if w >= 100.0 { 0.0 } else { left / (100.0 - w) * 100.0 }, 1),
                    ));
                }
                html.push_str(&format!(
                    "</span><span class=\"day-max\" aria-label=\"high\">{}</span></li>",
                    with_unit(d.temperature_max, 0, "°")
                ));
            }
            html::body(format!("<ol class=\"days\">{html}</ol>"))
        }/>
    }
    .into_any()
}
