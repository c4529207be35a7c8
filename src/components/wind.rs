//! Wind: speed, gusts, direction as a compass with an arrow and a cardinal label, the Beaufort
//! force and its name.

use isobar_core::config::WindDisplay;
use isobar_core::format;
use isobar_core::units::WindUnit;
use isobar_core::wind::{beaufort, compass, BEAUFORT_NAMES};
use leptos::prelude::*;

use super::{html, with_unit, ForecastCard};
use crate::state::settings::Settings;

/// A compass dial with an arrow blowing the way the wind goes, as HTML; `from` is the degrees
/// the wind comes from (`None` when unknown).
fn compass_dial(from: Option<f64>) -> String {
    let label = from.map_or("Wind direction unknown".to_owned(), |d| {
        format!(
            "Wind from the {} ({}°)",
            compass(d),
            format::number(Some(d), 0)
        )
    });
    let arrow = from.map_or(String::new(), |d| {
        format!(
            "<g class=\"compass-arrow\" transform=\"rotate({} 50 50)\"><path d=\"M50 16 L50 78\"></path>\
             <path class=\"head\" d=\"M43 72 L50 86 L57 72 Z\"></path></g>",
            format::fixed(d, 0)
        )
    });
    format!(
        "<svg class=\"compass\" viewBox=\"0 0 100 100\" role=\"img\" aria-label=\"{label}\"><title>{label}</title>\
         <circle class=\"dial\" cx=\"50\" cy=\"50\" r=\"44\"></circle>\
         <text x=\"50\" y=\"11\" text-anchor=\"middle\">N</text><text x=\"93\" y=\"54\" text-anchor=\"middle\">E</text>\
         <text x=\"50\" y=\"97\" text-anchor=\"middle\">S</text><text x=\"7\" y=\"54\" text-anchor=\"middle\">W</text>{arrow}</svg>"
    )
}

/// The big speed, as HTML: the number large, its unit small.
fn big_speed(v: Option<f64>, unit: WindUnit, display: WindDisplay) -> String {
    match (display, v) {
        (WindDisplay::Unit(_), Some(s)) => format!(
            "{}<span class=\"unit\">{}</span>",
            format::number(Some(s), 0),
            html::text(unit.symbol())
        ),
        _ => speed_text(v, unit, display),
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
pub fn WindCard() -> AnyView {
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
            html::body(format!(
                "<div class=\"wind-layout\">{}<div><p class=\"big-value\" data-value=\"wind-speed\">{}</p>\
                 <dl class=\"details\">{}{}</dl></div></div><p class=\"beaufort\" data-value=\"beaufort\">{}</p>",
                compass_dial(c.wind_direction),
                big_speed(c.wind_speed, unit, display),
                html::detail("Gusts", &speed_text(c.wind_gusts, unit, display)),
                html::detail("From", &from),
                force.map_or(format::DASH.to_owned(), |b| format!("Force {b}: {}", BEAUFORT_NAMES[b as usize])),
            ))
        }/>
    }
    .into_any()
}
