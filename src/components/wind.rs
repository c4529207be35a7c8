//! Wind: speed, gusts, direction with its compass point, the Beaufort force.

use isobar_core::config::WindDisplay;
use isobar_core::format::{self, beaufort, compass, BEAUFORT_NAMES};
use leptos::prelude::*;

use super::card::Card;
use super::{forecast_feed, with_unit, Detail};
use crate::app::Dashboard;

/// The `wind` card.
#[component]
pub fn WindCard() -> impl IntoView {
    let (state, retry) = forecast_feed();
    let display = Dashboard::get().config().wind;
    view! {
        <Card id="wind" title="Wind" state retry body=move |f| {
            let c = f.current.clone().unwrap_or_default();
            let unit = f.units.wind;
            let force = c.wind_speed.map(|s| beaufort(s, unit));
            let speed = |v: Option<f64>| match display {
                WindDisplay::Beaufort => v.map_or(format::DASH.to_owned(), |s| format!("{} Bft", beaufort(s, unit))),
                WindDisplay::Unit(_) => with_unit(v, 0, &format!(" {}", unit.symbol())),
            };
            let direction = c.wind_direction.map_or(format::DASH.to_owned(), |d| {
                format!("{} ({}°)", compass(d), format::number(Some(d), 0))
            });
            view! {
                <p class="big-value" data-value="wind-speed">{speed(c.wind_speed)}</p>
                <dl class="details">
                    <Detail label="Gusts" value=speed(c.wind_gusts)/>
                    <Detail label="From" value=direction/>
                    <Detail label="Beaufort" value=force.map_or(format::DASH.to_owned(), |b| format!("{b} – {}", BEAUFORT_NAMES[b as usize]))/>
                </dl>
            }
        }/>
    }
}
