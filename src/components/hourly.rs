//! The next 24 hours: time, icon, temperature, chance of precipitation.

use isobar_core::clock;
use isobar_core::format::{self, fixed};
use isobar_core::weather::HourlyPoint;
use leptos::prelude::*;

use super::html;
use super::{with_unit, ForecastCard};
use crate::state::now::unix_now;
use crate::state::settings::Settings;
use crate::zone::Zone;

/// The next 48 hours as a chart, drawn as SVG: temperature as a line and feels-like as a
/// dashed one, the chance of precipitation as bars, night shaded, a mark at now; with its
/// summary as the caption, and the same numbers in a table behind "Show as table" (for screen
/// readers, and for anyone who prefers it). 20 px an hour: it scrolls sideways in its own box.
/// `clock` labels the hours on the axis and in the table; `time` writes a time in the summary.
fn chart(
    hours: &[&HourlyPoint],
    now: i64,
    clock: &dyn Fn(i64) -> String,
    time: &dyn Fn(i64) -> String,
) -> String {
    let rows: Vec<_> = hours
        .iter()
        .map(|h| (h.time, h.temperature, h.precipitation_probability))
        .collect();
    let Some(summary) = format::chart_summary(&rows, time) else {
        return String::new();
    };
    let (lo, hi) = format::extent(
        hours
            .iter()
            .flat_map(|h| [h.temperature, h.apparent_temperature]),
    )
    .unwrap_or((0.0, 1.0));
    let span = (hi - lo).max(1.0);
    let y = |t: f64| 12.0 + (hi - t) / span * 76.0;
    let x = |i: usize| i as f64 * 20.0 + 10.0;
    let width = hours.len() * 20;
    let line = |pick: fn(&HourlyPoint) -> Option<f64>, class: &str| {
        let points: Vec<String> = hours
            .iter()
            .enumerate()
            .filter_map(|(i, h)| pick(h).map(|t| format!("{},{}", fixed(x(i), 0), fixed(y(t), 1))))
            .collect();
        format!(
            "<polyline class=\"{class}\" points=\"{}\"></polyline>",
            points.join(" ")
        )
    };
    let mut shades = String::new();
    let mut bars = String::new();
    let mut labels = String::new();
    for (i, h) in hours.iter().enumerate() {
        let left = fixed(x(i) - 10.0, 0);
        if h.is_day == Some(false) {
            shades.push_str(&format!("<rect class=\"chart-night\" x=\"{left}\" y=\"0\" width=\"20\" height=\"130\"></rect>"));
        }
        if let Some(p) = h.precipitation_probability.filter(|p| *p > 0.0) {
            let height = p / 100.0 * 30.0;
            bars.push_str(&format!(
                "<rect class=\"chart-pop\" x=\"{}\" y=\"{}\" width=\"14\" height=\"{}\"></rect>",
                fixed(x(i) - 7.0, 0),
                fixed(130.0 - height, 1),
                fixed(height, 1)
            ));
        }
        // Every three hours; not at the first, where the line marks now.
        if i % 3 == 0 && i > 0 {
            labels.push_str(&format!(
                "<text class=\"chart-time\" x=\"{}\" y=\"146\">{}</text>",
                fixed(x(i), 0),
                clock(h.time)
            ));
        }
    }
    let svg = format!(
        "{shades}{}{}",
        line(|h| h.apparent_temperature, "chart-feels"),
        line(|h| h.temperature, "chart-temp")
    );
    let now_x = hours.first().map_or(0.0, |h| (now - h.time) as f64 / 180.0);
    let mut table = String::from("<tr><th scope=\"row\">Time</th>");
    let mut temps = String::from("<tr><th scope=\"row\">Temperature</th>");
    let mut feels = String::from("<tr><th scope=\"row\">Feels like</th>");
    let mut pops = String::from("<tr><th scope=\"row\">Chance of precipitation</th>");
    for h in hours {
        table.push_str(&format!("<th scope=\"col\">{}</th>", clock(h.time)));
        temps.push_str(&format!("<td>{}</td>", with_unit(h.temperature, 0, "°")));
        feels.push_str(&format!(
            "<td>{}</td>",
            with_unit(h.apparent_temperature, 0, "°")
        ));
        pops.push_str(&format!(
            "<td>{}</td>",
            with_unit(h.precipitation_probability, 0, " %")
        ));
    }
    format!(
        "<figure class=\"hourly-chart\"><figcaption data-value=\"chart-summary\">{summary}</figcaption>\
         <div class=\"chart-scroll\" tabindex=\"0\" role=\"group\" aria-label=\"Chart of the next 48 hours, scrolls sideways\">\
         <svg class=\"chart\" viewBox=\"0 0 {width} 150\" width=\"{width}\" height=\"150\" role=\"img\" aria-label=\"{summary}\">\
         {svg}{bars}<line class=\"chart-now\" x1=\"{n}\" x2=\"{n}\" y1=\"0\" y2=\"130\"></line>{labels}</svg></div>\
         <details class=\"chart-table\"><summary>Show as table</summary><div class=\"chart-scroll\" tabindex=\"0\" role=\"group\" aria-label=\"Table of the next 48 hours, scrolls sideways\">\
         <table><caption>Next 48 hours</caption>{table}</tr>{temps}</tr>{feels}</tr>{pops}</tr></table></div></details></figure>",
        n = fixed(now_x, 0),
    )
}

/// The `hourly` card.
#[component]
pub fn HourlyCard() -> AnyView {
    let settings = Settings::get();
    view! {
        <ForecastCard id="hourly" body=move |f| {
            let hour12 = settings.hour12();
            let now = unix_now();
            let zone = Zone::of(&f.location);
            let mut html = String::new();
            for (i, h) in f.hourly.iter().filter(|h| h.time + 3600 > now).take(24).enumerate() {
                let label = if i == 0 { "Now".to_owned() } else { clock::hour_label(h.time, &zone, hour12) };
                html.push_str(&format!(
                    "<li class=\"hour\"><span class=\"hour-time\">{label}</span>{}\
                     <span class=\"hour-temp\">{}</span>\
                     <span class=\"hour-pop\" title=\"Chance of precipitation\">{}</span></li>",
                    html::icon(h.weather_code, h.is_day.unwrap_or(true), 28),
                    with_unit(h.temperature, 0, "°"),
                    with_unit(h.precipitation_probability, 0, " %"),
                ));
            }
            let hours: Vec<_> = f.hourly.iter().filter(|h| h.time + 3600 > now).take(48).collect();
            html::body(format!(
                "<ol class=\"hours\" tabindex=\"0\" aria-label=\"Hourly forecast, scrolls sideways\">{html}</ol>{}",
                chart(
                    &hours,
                    now,
                    &|t| clock::hour_label(t, &zone, hour12),
                    &|t| clock::time_label(t, &zone, hour12)
                ),
            ))
        }/>
    }
    .into_any()
}
