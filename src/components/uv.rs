//! UV index: now, its WHO band in the WHO colour, today's maximum and the hour it peaks, and
//! one line of advice.

use isobar_core::bands::uv_band;
use isobar_core::clock;
use isobar_core::format;
use leptos::prelude::*;

use super::{Detail, ForecastCard};
use crate::state::now::unix_now;
use crate::state::settings::Settings;
use crate::zone::Zone;

/// The WHO scale, low to extreme, with a marker at `uv`.
#[component]
pub fn UvScale(
    /// The index to mark.
    uv: Option<f64>,
) -> impl IntoView {
    let marker = uv.map(|u| {
        let left = (u / 12.0 * 100.0).clamp(0.0, 100.0);
        view! { <span class="uv-marker" style:left=format!("{}%", format::fixed(left, 1))></span> }
    });
    view! { <div class="uv-scale" aria-hidden="true">{marker}</div> }
}

/// The `uv` card.
#[component]
pub fn UvCard() -> impl IntoView {
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
            view! {
                <div class="uv-now">
                    <p class="big-value" data-value="uv">{format::number(now, 0)}</p>
                    <p class="band" data-value="uv-band">
                        <span class="swatch" style:background-color=band.map(|b| b.color)></span>
                        {band.map_or(format::DASH, |b| b.name)}
                    </p>
                </div>
                <UvScale uv=now/>
                <dl class="details">
                    <Detail label="Today's maximum" value=format::number(today_max, 0)/>
                    <Detail label="Peaks at" value=peak_text/>
                </dl>
                <p class="advice">{band.map_or("", |b| b.advice)}</p>
            }
        }/>
    }
}
