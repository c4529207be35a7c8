//! Sunrise and sunset today in the place's own zone, day length, and an arc with the sun's
//! position now. Polar night and midnight sun are named as such, never shown as "00:00".

use isobar_core::clock;
use isobar_core::format::{self, hours_minutes, sun_progress};
use isobar_core::sun::{sun_times, Crossing};
use isobar_core::weather::SunDay;
use leptos::prelude::*;

use super::{html, ForecastCard};
use crate::state::now::unix_now;
use crate::state::settings::Settings;
use crate::zone::Zone;

/// The sun's arc, as HTML: a half circle over the horizon, with a dot where the sun is now.
/// `progress` is 0 at sunrise and 1 at sunset (`None` while the sun is down); `polar` says
/// whether the sun is up all day (midnight sun) or down all day (polar night).
fn sun_arc(progress: Option<f64>, polar: Option<bool>) -> String {
    let label = match (progress, polar) {
        (_, Some(true)) => "The sun stays above the horizon all day".to_owned(),
        (_, Some(false)) => "The sun stays below the horizon all day".to_owned(),
        (Some(p), None) => format!(
            "The sun is {} % of the way from sunrise to sunset",
            format::fixed(p * 100.0, 0)
        ),
        (None, None) => "The sun is below the horizon".to_owned(),
    };
    let dot = progress.map_or(String::new(), |p| {
        // The browser's Math: Rust's own sin and cos would add their tables to the bundle.
        let a = std::f64::consts::PI * p;
        format!(
            "<circle class=\"sun-dot\" cx=\"{}\" cy=\"{}\" r=\"7\"></circle>",
            format::fixed(100.0 - 88.0 * js_sys::Math::cos(a), 1),
            format::fixed(98.0 - 88.0 * js_sys::Math::sin(a), 1)
        )
    });
    format!(
        "<svg class=\"sun-arc\" viewBox=\"0 0 200 104\" role=\"img\" aria-label=\"{label}\"><title>{label}</title>\
         <path class=\"{}\" d=\"M12 98 A88 88 0 0 1 188 98\"></path>\
         <line class=\"horizon\" x1=\"0\" y1=\"98\" x2=\"200\" y2=\"98\"></line>{dot}</svg>",
        if polar == Some(false) { "arc arc-down" } else { "arc" }
    )
}

/// Solar noon and the three twilights of `date` at the place, as HTML: a row for each dawn and
/// dusk (computed in core, NOAA's method), and a line naming a polar case ("No astronomical
/// night") where a twilight has no dawn or dusk that day.
fn twilight(date: chrono::NaiveDate, lat: f64, lon: f64, fmt: &dyn Fn(i64) -> String) -> String {
    let t = sun_times(date, lat, lon);
    let mut rows = html::detail("Solar noon", &fmt(t.noon));
    let mut notes = Vec::new();
    // Each name twice: `to_lowercase` would bring Unicode's case tables into the bundle.
    for (name, lower, crossing, depth) in [
        ("Civil", "civil", t.civil, 6),
        ("Nautical", "nautical", t.nautical, 12),
        ("Astronomical", "astronomical", t.astronomical, 18),
    ] {
        let (dawn, dusk) = match crossing {
            Crossing::Times { up, down } => (fmt(up), fmt(down)),
            Crossing::AlwaysAbove => {
                // Under the midnight sun the day-length line has said it.
                if t.sunrise != Crossing::AlwaysAbove {
                    notes.push(if depth == 18 {
                        "No astronomical night".to_owned()
                    } else {
                        format!("{name} twilight lasts all night")
                    });
                }
                ("none".to_owned(), "none".to_owned())
            }
            Crossing::AlwaysBelow => {
                notes.push(format!(
                    "No {lower} twilight: the sun stays more than {depth}° below the horizon"
                ));
                ("none".to_owned(), "none".to_owned())
            }
        };
        rows.push_str(&html::detail(&format!("{name} dawn"), &dawn));
        rows.push_str(&html::detail(&format!("{name} dusk"), &dusk));
    }
    // The lightest twilight missing says it all (civil twilight all night: no darker night).
    let note = notes.first().map_or(String::new(), |n| {
        format!("<p class=\"twilight-note\">{n}.</p>")
    });
    format!("<dl class=\"details twilight\" aria-label=\"Twilight\">{rows}</dl>{note}")
}

/// The `sun` card.
#[component]
pub fn SunCard() -> AnyView {
    let settings = Settings::get();
    view! {
        <ForecastCard id="sun" body=move |f| {
            let hour12 = settings.hour12();
            let zone = Zone::of(&f.location);
            let fmt = |t: i64| clock::time_label(t, &zone, hour12);
            let now = unix_now();
            let today = clock::local(now, &zone).date();
            let day = f.daily.iter().find(|d| d.date == today).or(f.daily.first());
            let (rise, set, summary, progress, polar) = match day.and_then(|d| d.sun) {
                Some(SunDay::RiseAndSet { sunrise, sunset }) => (
                    fmt(sunrise),
                    fmt(sunset),
                    format!("Daylight {}", hours_minutes((sunset - sunrise) as f64)),
                    sun_progress(now, sunrise, sunset),
                    None,
                ),
                Some(SunDay::PolarNight) => (
                    "No sunrise".into(),
                    "No sunset".into(),
                    "Polar night: the sun does not rise today".into(),
                    None,
                    Some(false),
                ),
                Some(SunDay::MidnightSun) => (
                    "No sunrise".into(),
                    "No sunset".into(),
                    "Midnight sun: the sun does not set today".into(),
                    Some(0.5),
                    Some(true),
                ),
                None => (format::DASH.into(), format::DASH.into(), format::DASH.into(), None, None),
            };
            html::body(format!(
                "{}<dl class=\"details sun-times\">{}{}</dl><p class=\"day-length\" data-value=\"day-length\">{summary}</p>{}",
                sun_arc(progress, polar),
                html::detail("Sunrise", &rise),
                html::detail("Sunset", &set),
                twilight(today, f.location.latitude, f.location.longitude, &fmt),
            ))
        }/>
    }
    .into_any()
}
