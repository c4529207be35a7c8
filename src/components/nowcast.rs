//! Rain in the next two hours: one sentence (`isobar_core::nowcast`) and a bar for each quarter
//! hour, on a scale that reaches at least "heavy" so a drizzle does not look like a storm.

use isobar_core::clock;
use isobar_core::format::fixed;
use isobar_core::nowcast::{quarters, sentence};
use isobar_core::units::PrecipUnit;
use leptos::prelude::*;

use super::{html, ForecastCard};
use crate::state::now::unix_now;
use crate::state::settings::Settings;
use crate::zone::Zone;

/// Heavy rain from this rate (mm/h): the scale reaches at least this high.
const HEAVY: f64 = 7.6;
/// Moderate rain from this rate (mm/h).
const MODERATE: f64 = 2.5;

/// The `nowcast` card.
#[component]
pub fn NowcastCard() -> AnyView {
    let settings = Settings::get();
    view! {
        <ForecastCard id="nowcast" body=move |f| {
            let hour12 = settings.hour12();
            let now = unix_now();
            let zone = Zone::of(&f.location);
            let clock = |t: i64| clock::time_label(t, &zone, hour12);
            let mm = if f.units.precipitation == PrecipUnit::Inch { 25.4 } else { 1.0 };
            let q = quarters(now, &f.minutely_15, mm);
            let Some(said) = sentence(now, &q, clock) else {
                return html::body("<p class=\"nowcast-sentence\" data-value=\"nowcast\">No 15-minute forecast for this place.</p>".to_owned());
            };
            // One bar per quarter hour, 20 units wide, on a scale of 0 to at least HEAVY mm/h.
            let top = q.iter().filter_map(|x| x.2).fold(HEAVY, f64::max);
            let y = |rate: f64| 60.0 - rate / top * 56.0;
            let mut bars = String::new();
            for (i, (start, _, rate)) in q.iter().enumerate() {
                let x = i as f64 * 20.0 + 2.0;
                if let Some(r) = rate.filter(|r| *r > 0.0) {
                    bars.push_str(&format!(
                        "<rect class=\"nowcast-bar\" x=\"{}\" y=\"{}\" width=\"16\" height=\"{}\"></rect>",
                        fixed(x, 0),
                        fixed(y(r), 1),
                        fixed(60.0 - y(r), 1)
                    ));
                }
                if i % 4 == 0 {
                    let label = if i == 0 { "Now".to_owned() } else { clock(*start) };
                    bars.push_str(&format!(
                        "<text class=\"nowcast-time\" x=\"{}\" y=\"74\">{label}</text>",
                        fixed(x, 0)
                    ));
                }
            }
            let line = |rate: f64, name: &str| {
                format!(
                    "<line class=\"nowcast-level\" x1=\"0\" x2=\"180\" y1=\"{y}\" y2=\"{y}\"></line>\
                     <text class=\"nowcast-level-name\" x=\"180\" y=\"{}\">{name}</text>",
                    fixed(y(rate) - 2.0, 1),
                    y = fixed(y(rate), 1)
                )
            };
            html::body(format!(
                "<p class=\"nowcast-sentence\" data-value=\"nowcast\">{said}</p>\
                 <svg class=\"nowcast-chart\" viewBox=\"0 0 200 78\" aria-hidden=\"true\">\
                 {}{}<line class=\"nowcast-axis\" x1=\"0\" x2=\"180\" y1=\"60\" y2=\"60\"></line>{bars}</svg>\
                 <p class=\"nowcast-note\">Each bar: 15 minutes, in mm an hour. A forecast, not radar.</p>",
                line(MODERATE, "moderate"),
                line(HEAVY, "heavy"),
            ))
        }/>
    }
    .into_any()
}
