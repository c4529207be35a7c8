//! Official alerts: for points in the United States the National Weather Service's, in Germany
//! Bright Sky's (the DWD's), most severe first, each with its severity in colour and word, its
//! headline, times in the place's zone and issuer, and the issuer's description and
//! instructions behind a disclosure. A place no source covers is told so plainly, never shown
//! an empty "no alerts" that could be read as all-clear.

use isobar_core::alerts::{Answer, Severity};
use isobar_core::clock;
use leptos::prelude::*;

use super::card::Card;
use super::html;
use crate::state::{feeds::Feeds, place::PlaceState, settings::Settings};
use crate::zone::Zone;

/// The zone times are shown in: the forecast's when it is known, else the place's from the
/// search, else UTC.
fn zone(feeds: Feeds, place: PlaceState) -> Zone {
    let from_forecast = feeds
        .forecast
        .state
        .with(|f| f.ready().map(|f| Zone::of(&f.location)));
    from_forecast.unwrap_or_else(|| Zone {
        name: place
            .ready()
            .and_then(|p| p.timezone)
            .unwrap_or_else(|| "UTC".to_owned()),
        fallback_offset: 0,
    })
}

/// The alerts as HTML.
fn body(a: &Answer, checked: Option<i64>, zone: &Zone, hour12: bool) -> String {
    let (Some(source), Some(alerts)) = (a.source, a.alerts.as_ref()) else {
        return "<p class=\"alerts-unavailable\" data-value=\"alerts-coverage\">Official alerts are not available for this place from these sources (the US National Weather Service, and Germany's DWD through Bright Sky).</p>".to_owned();
    };
    let when = |t: i64| {
        format!(
            "{} {}",
            clock::weekday_label(clock::local(t, zone).date()),
            clock::time_label(t, zone, hour12)
        )
    };
    if alerts.is_empty() {
        return format!(
            "<p class=\"alerts-none\" data-value=\"alerts-none\">No active alerts</p><p class=\"alerts-source\">{}{}</p>",
            source.name(),
            checked.map_or(String::new(), |t| format!(", checked {}", when(t))),
        );
    }
    let mut s = String::from("<ul class=\"alerts\">");
    for x in alerts {
        let times = match (x.start, x.end) {
            (Some(a), Some(b)) => format!("From {} until {}", when(a), when(b)),
            (Some(a), None) => format!("From {}", when(a)),
            (None, Some(b)) => format!("Until {}", when(b)),
            (None, None) => String::new(),
        };
        let para = |t: &Option<String>, class: &str| {
            t.as_ref().map_or(String::new(), |t| {
                t.split('\n')
                    .map(|p| format!("<p class=\"{class}\">{}</p>", html::text(p)))
                    .collect()
            })
        };
        s.push_str(&format!(
            "<li class=\"alert\" data-severity=\"{sev}\"><p class=\"alert-head\"><span class=\"alert-severity\">{word}</span> <strong class=\"alert-event\">{}</strong></p>{}<p class=\"alert-times\">{times}</p>{}\
             <details><summary>Details</summary>{}{}</details></li>",
            html::text(&x.event),
            x.headline.as_ref().map_or(String::new(), |h| format!("<p class=\"alert-headline\">{}</p>", html::text(h))),
            x.sender.as_ref().map_or(String::new(), |n| format!("<p class=\"alert-sender\">Issued by {}</p>", html::text(n))),
            para(&x.description, "alert-description"),
            para(&x.instruction, "alert-instruction"),
            sev = x.severity.word(),
            word = x.severity.word(),
        ));
    }
    s.push_str("</ul>");
    s
}

/// The most severe active alert's event, for the header: seen without scrolling.
pub fn headline(feeds: Feeds) -> Option<(Severity, String)> {
    feeds.alerts.state.with(|s| {
        s.ready().and_then(|a| {
            a.alerts
                .as_ref()?
                .first()
                .map(|x| (x.severity, x.event.clone()))
        })
    })
}

/// The `alerts` card.
#[component]
pub fn AlertsCard() -> AnyView {
    let (feeds, settings, place) = (Feeds::get(), Settings::get(), PlaceState::get());
    let retry = Callback::new(move |()| feeds.load_alerts());
    view! {
        <Card id="alerts" title=isobar_core::cards::title("alerts") state=feeds.alerts.state.into() retry blocked=feeds.alerts.blocked updated=feeds.alerts.updated body=move |a| {
            html::body(body(&a, feeds.alerts.updated.get_untracked(), &zone(feeds, place), settings.hour12()))
        }/>
    }
    .into_any()
}
