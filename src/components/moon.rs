//! The moon: its phase in words and as a drawn disc, the illuminated fraction, moonrise and
//! moonset today in the place's zone ("Does not rise" on a day it does not), and the dates of
//! the next full and new moons. Rise, set and phase come from the forecast API's daily
//! `moonrise`, `moonset` and `moon_phase`; the next full and new moons from core's
//! `moon::next` (Meeus).

use isobar_core::clock;
use isobar_core::format::{self, fixed};
use isobar_core::moon::{self, Phase};
use leptos::prelude::*;

use super::{html, ForecastCard};
use crate::state::now::unix_now;
use crate::state::settings::Settings;
use crate::zone::Zone;

/// The disc for phase `fraction` (0 new, 0.5 full) as an SVG: the lit part on the right while
/// waxing and on the left while waning, as seen from the northern hemisphere.
fn disc(fraction: f64, name: &str) -> String {
    let lit = moon::illuminated_at_phase(fraction);
    let waxing = fraction < 0.5;
    // The terminator is an ellipse whose half-width shrinks to nothing at the quarters.
    let rx = fixed(20.0 * (1.0 - 2.0 * lit).abs(), 2);
    let limb = u8::from(waxing);
    let terminator = u8::from(waxing == (lit > 0.5));
    format!(
        "<svg class=\"moon-disc\" viewBox=\"0 0 48 48\" role=\"img\" aria-label=\"{name}\">\
         <circle class=\"moon-dark\" cx=\"24\" cy=\"24\" r=\"20\"></circle>\
         <path class=\"moon-lit\" d=\"M24 4A20 20 0 0 {limb} 24 44A{rx} 20 0 0 {terminator} 24 4Z\"></path></svg>"
    )
}

/// The `moon` card.
#[component]
pub fn MoonCard() -> AnyView {
    let settings = Settings::get();
    view! {
        <ForecastCard id="moon" body=move |f| {
            let hour12 = settings.hour12();
            let now = unix_now();
            let zone = Zone::of(&f.location);
            let today = clock::local(now, &zone).date();
            let day = f.daily.iter().find(|d| d.date == today);
            let fraction = day.and_then(|d| d.moon_phase).unwrap_or_else(|| moon::phase(now));
            let name = moon::phase_name(fraction);
            // The API sends null on a day the moon does not rise or set; with no moon times for
            // any day it did not send them at all.
            let known = f.daily.iter().any(|d| d.moonrise.is_some() || d.moonset.is_some());
            let when = |t: Option<i64>, none: &str| match (t, known) {
                (Some(t), _) => clock::time_label(t, &zone, hour12),
                (None, true) => none.to_owned(),
                (None, false) => format::DASH.to_owned(),
            };
            let date = |t: i64| clock::short_date_label(clock::local(t, &zone).date());
            html::body(format!(
                "<div class=\"moon-now\">{}<div><p class=\"big-phase\" data-value=\"moon-phase\">{name}</p>\
                 <p class=\"moon-lit-fraction\" data-value=\"moon-illuminated\">{} % illuminated</p></div></div>\
                 <dl class=\"details\">{}{}{}{}</dl>",
                disc(fraction, name),
                fixed(moon::illuminated_at_phase(fraction) * 100.0, 0),
                html::detail("Moonrise", &when(day.and_then(|d| d.moonrise), "Does not rise")),
                html::detail("Moonset", &when(day.and_then(|d| d.moonset), "Does not set")),
                html::detail("Next full moon", &date(moon::next(now, Phase::Full))),
                html::detail("Next new moon", &date(moon::next(now, Phase::New))),
            ))
        }/>
    }
    .into_any()
}
