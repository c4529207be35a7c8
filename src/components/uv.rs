//! UV index: now, its WHO band and colour, today's maximum and when it peaks, advice.

use isobar_core::format::{self, uv_band};
use leptos::prelude::*;

use super::card::Card;
use super::{forecast_feed, Detail};
use crate::app::Dashboard;
use crate::time::{self, Style};

/// The `uv` card.
#[component]
pub fn UvCard() -> impl IntoView {
    let (state, retry) = forecast_feed();
    let hour12 = Dashboard::get().config().hour12;
    view! {
        <Card id="uv" title="UV index" state retry body=move |f| {
            let now = f.current.as_ref().and_then(|c| c.uv_index);
            let band = now.map(uv_band);
            let tz = f.location.timezone.clone();
            let today = f.daily.first().and_then(|d| d.uv_index_max);
            let peak = f
                .hourly
                .iter()
                .take(24)
                .filter_map(|h| h.uv_index.map(|u| (h.time, u)))
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .filter(|(_, u)| *u > 0.0)
                .map(|(t, _)| time::format(t, &tz, Style::Time, hour12));
            view! {
                <p class="big-value" data-value="uv">{format::number(now, 0)}</p>
                <p class="band">
                    <span class="swatch" style=band.map(|b| format!("background:{}", b.color))></span>
                    {band.map_or(format::DASH, |b| b.name)}
                </p>
                <dl class="details">
                    <Detail label="Today's maximum" value=format::number(today, 0)/>
                    <Detail label="Peaks at" value=peak.unwrap_or_else(|| format::DASH.to_owned())/>
                </dl>
                <p class="advice">{band.map_or("", |b| b.advice)}</p>
            }
        }/>
    }
}
