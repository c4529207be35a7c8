//! Wind: speed, gusts, direction as a compass with an arrow and a cardinal label, the Beaufort
//! force and its name.

use isobar_core::config::WindDisplay;
use isobar_core::format;
use isobar_core::units::WindUnit;
use isobar_core::wind::{beaufort, compass, BEAUFORT_NAMES};
use leptos::prelude::*;

use super::{with_unit, Detail, ForecastCard};
use crate::state::settings::Settings;

/// A compass dial with an arrow blowing the way the wind goes.
#[component]
fn Compass(
    /// Degrees the wind comes from; `None` when unknown.
    from: Option<f64>,
) -> impl IntoView {
    let label = from.map_or("Wind direction unknown".to_owned(), |d| {
        format!(
            "Wind from the {} ({}°)",
            compass(d),
            format::number(Some(d), 0)
        )
    });
    let arrow = from.map(|d| {
        view! {
            <g class="compass-arrow" transform=format!("rotate({} 50 50)", format::fixed(d, 0))>
                <path d="M50 16 L50 78"/>
                <path class="head" d="M43 72 L50 86 L57 72 Z"/>
            </g>
        }
    });
    let title = label.clone();
    view! {
        <svg class="compass" viewBox="0 0 100 100" role="img" aria-label=label>
            <title>{title}</title>
            <circle class="dial" cx="50" cy="50" r="44"/>
            <text x="50" y="11" text-anchor="middle">"N"</text>
            <text x="93" y="54" text-anchor="middle">"E"</text>
            <text x="50" y="97" text-anchor="middle">"S"</text>
            <text x="7" y="54" text-anchor="middle">"W"</text>
            {arrow}
        </svg>
    }
}

/// The big speed: the number large, its unit small.
fn big_speed(v: Option<f64>, unit: WindUnit, display: WindDisplay) -> AnyView {
    match (display, v) {
        (WindDisplay::Unit(_), Some(s)) => view! {
            {format::number(Some(s), 0)}<span class="unit">{unit.symbol()}</span>
        }
        .into_any(),
        _ => speed_text(v, unit, display).into_any(),
    }
}

/// A wind speed as the settings ask: in a unit, or as a Beaufort force.
pub fn speed_text(v: Option<f64>, unit: WindUnit, display: WindDisplay) -> String {
    match (display, v) {
        (_, None) => format::DASH.to_owned(),
        (WindDisplay::Beaufort, Some(s)) => format!("{} Bft", beaufort(s, unit)),
        (WindDisplay::Unit(_), Some(_)) => with_unit(v, 0, &format!(" {}", unit.symbol())),
    }
}

/// The `wind` card.
#[component]
pub fn WindCard() -> impl IntoView {
    let settings = Settings::get();
    view! {
        <ForecastCard id="wind" live=true body=move |f| {
            let display = settings.config().wind;
            let c = f.current.clone().unwrap_or_default();
            let unit = f.units.wind;
            let force = c.wind_speed.map(|s| beaufort(s, unit));
            let from = c
                .wind_direction
                .map_or(format::DASH.to_owned(), |d| format!("{} ({}°)", compass(d), format::number(Some(d), 0)));
            view! {
                <div class="wind-layout">
                    <Compass from=c.wind_direction/>
                    <div>
                        <p class="big-value" data-value="wind-speed">{big_speed(c.wind_speed, unit, display)}</p>
                        <dl class="details">
                            <Detail label="Gusts" value=speed_text(c.wind_gusts, unit, display)/>
                            <Detail label="From" value=from/>
                        </dl>
                    </div>
                </div>
                <p class="beaufort" data-value="beaufort">
                    {force.map_or(format::DASH.to_owned(), |b| format!("Force {b}: {}", BEAUFORT_NAMES[b as usize]))}
                </p>
            }
        }/>
    }
}
