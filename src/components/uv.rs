//! UV index: now, its WHO band in the WHO colour, today's maximum and the hour it peaks, and
//! one line of advice.

use isobar_core::bands::uv_band;
use isobar_core::clock;
use isobar_core::format;
use leptos::prelude::*;

use super::{html, ForecastCard};
use crate::state::now::unix_now;
use crate::state::settings::Settings;
use crate::zone::Zone;

/// The WHO scale, low to extreme, with a marker at `uv`, as HTML.
fn uv_scale(uv: Option<f64>) -> String {
    let marker = uv.map_or(String::new(), |u| {
        let left = (u / 12.0 * 100.0).clamp(0.0, 100.0);
        format!(
            "<span class=\"uv-marker\" data-style=\"left: {}%\"></span>",
            format::fixed(left, 1)
        )
    });
    format!("<div class=\"uv-scale\" aria-hidden=\"true\">{marker}</div>")
}

/// The `uv` card.
#[component]
pub fn UvCard() -> AnyView {
    let settings = Settings::get();
    view! {
        <ForecastCard id="uv" live=true body=move |f| {
            let hour12 = settings.hour12();
            // From the hourly forecast once the current conditions are old (kept data).
            let now = f.uv_now(unix_now());
            let band = now.map(uv_band);
            let zone = Zone::of(&f.location);
            let today = clock::local(unix_now(), &zone).date();
            let today_max = f.daily.iter().find(|d| d.date == today).and_then(|d| d.uv_index_max);
            // The peak among today's hours, by local date.
            let peak = f
                .hourly
                .iter()
                .filter(|h| clock::local(h.time, &zone).date() == today)
                .filter_map(|h| h.uv_index.map(|u| (h.time, u)))
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .filter(|(_, u)| *u > 0.0);
            let peak_text = peak.map_or_else(
                || "No UV today".to_owned(),
                |(t, u)| format!("{} ({})", clock::time_label(t, &zone, hour12), format::number(Some(u), 0)),
            );
            html::body(format!(
                "<div class=\"uv-now\"><p class=\"big-value\" data-value=\"uv\">{}</p>\
                 <p class=\"band\" data-value=\"uv-band\"><span class=\"swatch\"{}></span>{}</p></div>\
                 {}<dl class=\"details\">{}{}</dl><p class=\"advice\">{}</p>",
                format::number(now, 0),
                band.map_or(String::new(), |b| format!(" data-style=\"background-color: {}\"", b.color)),
                band.map_or(format::DASH, |b| b.name),
                uv_scale(now),
                html::detail("Today's maximum", &format::number(today_max, 0)),
                html::detail("Peaks at", &peak_text),
                band.map_or("", |b| b.advice),
            ))
        }/>
    }
    .into_any()
}
