//! Sunrise and sunset today in the place's own zone, day length; polar night and midnight sun
//! named as such.

use isobar_core::format::{self, hours_minutes};
use isobar_core::weather::SunDay;
use leptos::prelude::*;

use super::card::Card;
use super::{forecast_feed, Detail};
use crate::app::Dashboard;
use crate::time::{self, Style};

/// The `sun` card.
#[component]
pub fn SunCard() -> impl IntoView {
    let (state, retry) = forecast_feed();
    let hour12 = Dashboard::get().config().hour12;
    view! {
        <Card id="sun" title="Sun" state retry body=move |f| {
            let tz = f.location.timezone.clone();
            let today = f.daily.first();
            let fmt = |t: i64| time::format(t, &tz, Style::Time, hour12);
            let (rise, set, summary) = match today.and_then(|d| d.sun) {
                Some(SunDay::RiseAndSet { sunrise, sunset }) => {
                    (fmt(sunrise), fmt(sunset), hours_minutes((sunset - sunrise) as f64))
                }
                Some(SunDay::PolarNight) => ("None".into(), "None".into(), "Polar night: the sun does not rise today".into()),
                Some(SunDay::MidnightSun) => ("None".into(), "None".into(), "Midnight sun: the sun does not set today".into()),
                None => (format::DASH.into(), format::DASH.into(), format::DASH.into()),
            };
            view! {
                <dl class="details sun-times">
                    <Detail label="Sunrise" value=rise/>
                    <Detail label="Sunset" value=set/>
                </dl>
                <p class="day-length" data-value="day-length">{summary}</p>
            }
        }/>
    }
}
