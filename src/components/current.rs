//! Current conditions: temperature, feels-like, the condition in words and as an icon,
//! humidity, pressure, cloud cover.

use isobar_core::format;
use isobar_core::wmo;
use leptos::prelude::*;

use super::{html, with_unit, ForecastCard};

/// The `current` card.
#[component]
pub fn CurrentCard() -> AnyView {
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
            // A station measures no cloud: its row takes cloud cover's place. Its state is
            // read here, so the body is drawn again when it changes.
            let last = match &station {
                Some(s) => {
                    let label = html::text(&if live.station_unknown.get() {
                        // The relay answered `unknown_station`.
                        format!("{s} (unknown)")
                    } else if live.observed.get().is_some() {
                        s.clone()
                    } else {
                        format!("{s} (waiting)")
                    });
                    // The whole text is also the title: a long id is cut short on screen, and
                    // with it the state.
                    format!(
                        "<div class=\"detail\"><dt>Station</dt><dd class=\"clip\" data-value=\"station\" title=\"{label}\">{label}</dd></div>"
                    )
                }
                None => html::detail("Cloud cover", &with_unit(c.cloud_cover, 0, " %")),
            };
            html::body(format!(
                "<div class=\"now\"><p class=\"big-temp\" data-value=\"temperature\">{}</p>{}</div>\
                 <p class=\"condition\" data-value=\"condition\">{condition}</p><dl class=\"details\">{}{}{}{last}</dl>",
                with_unit(c.temperature, 0, unit),
                html::icon(c.weather_code, c.is_day.unwrap_or(true), 56),
                html::detail("Feels like", &with_unit(c.apparent_temperature, 0, unit)),
                html::detail("Humidity", &with_unit(c.relative_humidity, 0, " %")),
                html::detail("Pressure", &with_unit(c.pressure_msl.map(|p| pressure.from_hpa(p)), pressure.decimals(), pressure.suffix())),
            ))
        }/>
    }
    .into_any()
}
