//! Official alerts, in the shapes of the US National Weather Service's
//! `/alerts/active?point=LAT,LON` and Bright Sky's `/alerts?lat=…&lon=…` (see the real
//! samples), with deterministic alerts for a few places, active around `now`:
//!
//! * near Bismarck, North Dakota (within half a degree of 46.81 N, 100.78 W): an Extreme
//!   Tornado Warning and a Moderate Wind Advisory;
//! * near Munich (48.14 N, 11.58 E): a Moderate persistent-rain warning and a Minor frost
//!   warning;
//! * elsewhere in the United States, or in Germany: none (Bright Sky still names the
//!   location: covered, nothing active);
//! * outside Germany, Bright Sky answers with no location (not covered); the NWS answers an
//!   empty collection.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{json, Value};

fn near(lat: f64, lon: f64, at: (f64, f64)) -> bool {
    (lat - at.0).abs() <= 0.5 && (lon - at.1).abs() <= 0.5
}

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// The NWS answer for a point.
pub fn nws(lat: f64, lon: f64, now: DateTime<Utc>) -> Value {
    let mut features = Vec::new();
    if near(lat, lon, (46.81, -100.78)) {
        let alert = |event: &str, severity: &str, start: i64, hours: i64, text: &str| {
            let onset = now + Duration::minutes(start);
            let ends = onset + Duration::hours(hours);
            json!({
                "id": format!("https://api.weather.gov/alerts/urn:oid:sim.{}", event.replace(' ', "-")),
                "type": "Feature",
                "geometry": null,
                "properties": {
                    "areaDesc": "Burleigh, ND; Morton, ND",
                    "sent": iso(onset), "effective": iso(onset), "onset": iso(onset),
                    "expires": iso(ends), "ends": iso(ends),
                    "status": "Actual", "messageType": "Alert", "category": "Met",
                    "severity": severity, "certainty": "Observed", "urgency": "Immediate",
                    "event": event, "senderName": "NWS Bismarck ND",
                    "headline": format!("{event} issued by NWS Bismarck ND"),
                    "description": text,
                    "instruction": "Move to a basement or an interior room on the lowest\nfloor of a sturdy building.",
                }
            })
        };
        features.push(alert(
            "Wind Advisory",
            "Moderate",
            -120,
            9,
            "* WHAT...West winds 25 to 35 mph with gusts up to 55 mph.\n\n* WHERE...Burleigh and\nMorton Counties.",
        ));
        features.push(alert(
            "Tornado Warning",
            "Extreme",
            -10,
            1,
            "At 640 PM MDT, a severe thunderstorm capable of producing a tornado\nwas located near Bismarck.",
        ));
    }
    json!({
        "type": "FeatureCollection",
        "features": features,
        "title": format!("Current watches, warnings, and advisories for {lat} N, {} W", -lon),
        "updated": iso(now),
    })
}

/// Bright Sky's answer for a point.
pub fn bright_sky(lat: f64, lon: f64, now: DateTime<Utc>) -> Value {
    let covered = isobar_core::alerts::source_for(lat, lon, None)
        == Some(isobar_core::alerts::Source::BrightSky);
    if !covered {
        return json!({"alerts": [], "location": null});
    }
    let mut alerts = Vec::new();
    if near(lat, lon, (48.14, 11.58)) {
        let alert = |id: i64, event: &str, severity: &str, hours: i64| {
            let onset = now - Duration::hours(1);
            json!({
                "id": id, "alert_id": format!("2.49.0.0.276.0.DWD.PVW.sim.{id}"),
                "effective": iso(onset - Duration::hours(2)), "onset": iso(onset),
                "expires": iso(onset + Duration::hours(hours)),
                "category": "met", "response_type": "prepare", "urgency": "immediate",
                "severity": severity, "certainty": "likely", "event_code": 63,
                "event_en": event, "event_de": event.to_uppercase(),
                "headline_en": format!("Official WARNING of {}", event.to_uppercase()),
                "headline_de": format!("Amtliche WARNUNG vor {}", event.to_uppercase()),
                "description_en": format!("There is a risk of {event} (Level 2 of 4).\nPrecipitation amounts: ~ 60 l/m²"),
                "description_de": "Es tritt Dauerregen auf.",
                "instruction_en": null, "instruction_de": null,
            })
        };
        alerts.push(alert(2, "frost", "minor", 12));
        alerts.push(alert(1, "persistent rain", "moderate", 30));
    }
    json!({
        "alerts": alerts,
        "location": {
            "warn_cell_id": 809_162_000, "name": "Simulated cell", "name_short": "Simulated",
            "district": "Simulated district", "state": "Simulated state", "state_short": "SI",
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use isobar_core::alerts::{parse, Severity, Source};

    #[test]
    fn the_simulated_answers_read_as_the_real_ones_do() {
        let now = Utc::now();
        let a = parse(Source::Nws, &nws(46.9, -100.7, now).to_string())
            .unwrap()
            .unwrap();
        let events: Vec<_> = a.iter().map(|x| (x.event.as_str(), x.severity)).collect();
        assert_eq!(
            events,
            [
                ("Tornado Warning", Severity::Extreme),
                ("Wind Advisory", Severity::Moderate)
            ]
        );
        assert!(a
            .iter()
            .all(|x| x.start.unwrap() <= now.timestamp() && x.end.unwrap() > now.timestamp()));
        assert_eq!(
            parse(Source::Nws, &nws(40.7, -74.0, now).to_string()).unwrap(),
            Some(vec![])
        );
        let b = parse(Source::BrightSky, &bright_sky(48.1, 11.6, now).to_string())
            .unwrap()
            .unwrap();
        assert_eq!(b[0].severity, Severity::Moderate);
        assert_eq!(b[1].event, "frost");
        assert_eq!(
            parse(
                Source::BrightSky,
                &bright_sky(52.52, 13.41, now).to_string()
            )
            .unwrap(),
            Some(vec![])
        );
        assert_eq!(
            parse(Source::BrightSky, &bright_sky(48.85, 2.35, now).to_string()).unwrap(),
            None
        );
    }
}
