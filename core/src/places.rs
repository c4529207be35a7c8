//! The places a viewer keeps (issue 11): the saved ones, and the last [`MAX_RECENT`] viewed.
//! Plain data with its rules, stored as JSON under [`STORAGE_KEY`]; the browser code only loads
//! and saves the text.
//!
//! The rules follow Open-Meteo's own site: recent places newest first, at most ten; saving a
//! place takes it out of the recent ones; viewing a saved place moves it to the top of the saved
//! list. Stored text is read defensively: garbage, an entry of a shape this version does not
//! know, or a value out of range is skipped, never fatal, and never loses the other entries.

use serde_json::Value;

use crate::weather::Place;

/// How many recently viewed places are kept.
pub const MAX_RECENT: usize = 10;
/// How many saved places are kept (a list longer than this is cut when read).
pub const MAX_SAVED: usize = 50;
/// The `localStorage` key. Namespaced (the custom element shares its host page's storage) and
/// versioned: a later shape gets a new key.
pub const STORAGE_KEY: &str = "isobar:v1:places";

/// Saved places, then recently viewed ones.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Places {
    /// Saved (starred) places, in the viewer's order: the last viewed first.
    pub saved: Vec<Place>,
    /// Recently viewed places that are not saved, newest first.
    pub recent: Vec<Place>,
    /// The place viewed last, saved or not: what a visit without a place in its address shows.
    pub last: Option<Place>,
}

/// Whether two records name the same place: within about 100 m (geocoding may return a place
/// with more decimals than a URL carries).
pub fn same_place(a: &Place, b: &Place) -> bool {
    (a.latitude - b.latitude).abs() < 0.001 && (a.longitude - b.longitude).abs() < 0.001
}

impl Places {
    /// Whether `place` is saved.
    pub fn is_saved(&self, place: &Place) -> bool {
        self.saved.iter().any(|p| same_place(p, place))
    }

    /// `place` is being viewed: a saved place moves to the top of the saved list; any other
    /// goes to the top of the recent ones, which keep at most [`MAX_RECENT`].
    pub fn visit(&mut self, place: Place) {
        self.last = Some(place.clone());
        if let Some(i) = self.saved.iter().position(|p| same_place(p, &place)) {
            self.saved.remove(i);
            self.saved.insert(0, place);
            return;
        }
        self.push_recent(place);
    }

    /// Puts `place` at the top of the recent ones (once), keeping at most [`MAX_RECENT`].
    fn push_recent(&mut self, place: Place) {
        self.recent.retain(|p| !same_place(p, &place));
        self.recent.insert(0, place);
        self.recent.truncate(MAX_RECENT);
    }

    /// Saves `place` (at the top), taking it out of the recent ones. Saving a saved place does
    /// nothing.
    pub fn save(&mut self, place: Place) {
        if self.is_saved(&place) {
            return;
        }
        self.recent.retain(|p| !same_place(p, &place));
        self.saved.insert(0, place);
        self.saved.truncate(MAX_SAVED);
    }

    /// Removes `place` from the saved ones; it becomes the most recent place, so that it is not
    /// lost at once from the list.
    pub fn remove(&mut self, place: &Place) {
        let Some(i) = self.saved.iter().position(|p| same_place(p, place)) else {
            return;
        };
        let removed = self.saved.remove(i);
        self.push_recent(removed);
    }

    /// Forgets `place` altogether (the viewer takes it off the list).
    pub fn forget(&mut self, place: &Place) {
        self.saved.retain(|p| !same_place(p, place));
        self.recent.retain(|p| !same_place(p, place));
    }

    /// The stored form: `{"saved": [...], "recent": [...], "last": {...}}`. Written by hand
    /// rather than with `serde_json`'s serializer, which (with its float printer) would add about
    /// 2 KB to the WebAssembly bundle; [`Places::from_json`] reads it back.
    pub fn to_json(&self) -> String {
        let mut out = String::from("{\"saved\":");
        list_to_json(&mut out, &self.saved);
        out.push_str(",\"recent\":");
        list_to_json(&mut out, &self.recent);
        if let Some(last) = &self.last {
            out.push_str(",\"last\":");
            place_to_json(&mut out, last);
        }
        out.push('}');
        out
    }

    /// Reads the stored form. Anything unreadable gives no places; an entry that is not a valid
    /// place is skipped; lists longer than this version keeps are cut.
    pub fn from_json(text: &str) -> Places {
        let Ok(Value::Object(stored)) = crate::json::parse(text) else {
            return Places::default();
        };
        let list = |key: &str, max: usize| -> Vec<Place> {
            let Some(Value::Array(items)) = stored.get(key) else {
                return Vec::new();
            };
            let mut out: Vec<Place> = Vec::new();
            for p in items.iter().filter_map(place_from_json) {
                if !out.iter().any(|q| same_place(q, &p)) {
                    out.push(p);
                }
                if out.len() == max {
                    break;
                }
            }
            out
        };
        let saved = list("saved", MAX_SAVED);
        let mut recent = list("recent", MAX_RECENT);
        recent.retain(|p| !saved.iter().any(|s| same_place(s, p)));
        let last = stored.get("last").and_then(place_from_json);
        Places {
            saved,
            recent,
            last,
        }
    }
}

fn list_to_json(out: &mut String, places: &[Place]) {
    out.push('[');
    for (i, p) in places.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        place_to_json(out, p);
    }
    out.push(']');
}

fn place_to_json(out: &mut String, p: &Place) {
    out.push_str("{\"name\":");
    string_to_json(out, &p.name);
    // Six decimals (about 0.1 m), by the integer-based formatter.
    for (k, v) in [("latitude", p.latitude), ("longitude", p.longitude)] {
        out.push_str(&format!(",\"{k}\":{}", crate::format::fixed(v, 6)));
    }
    for (k, v) in [
        ("country", &p.country),
        ("country_code", &p.country_code),
        ("admin1", &p.admin1),
        ("timezone", &p.timezone),
    ] {
        if let Some(v) = v {
            out.push_str(&format!(",\"{k}\":"));
            string_to_json(out, v);
        }
    }
    out.push('}');
}

/// A JSON string: quotes, backslashes and control characters escaped.
fn string_to_json(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A stored place, if it is one: a non-empty name of at most 200 characters and coordinates in
/// range. Optional text fields of another type are dropped, not fatal.
fn place_from_json(v: &Value) -> Option<Place> {
    let name = v.get("name")?.as_str()?.trim();
    let latitude = v.get("latitude")?.as_f64()?;
    let longitude = v.get("longitude")?.as_f64()?;
    let valid = !name.is_empty()
        && name.chars().count() <= 200
        && latitude.abs() <= 90.0
        && longitude.abs() <= 180.0;
    let text = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty() && s.len() <= 200)
            .map(str::to_owned)
    };
    valid.then(|| Place {
        name: name.to_owned(),
        latitude,
        longitude,
        country: text("country"),
        country_code: text("country_code"),
        admin1: text("admin1"),
        timezone: text("timezone"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn place(name: &str, lat: f64, lon: f64) -> Place {
        Place::at(lat, lon, name)
    }

    #[test]
    fn recent_places_are_newest_first_unique_and_at_most_ten() {
        let mut p = Places::default();
        for i in 0..12 {
            p.visit(place(&format!("P{i}"), f64::from(i), 0.0));
        }
        p.visit(place("P5 again", 5.0, 0.0004));
        assert_eq!(p.last.as_ref().map(|l| l.name.as_str()), Some("P5 again"));
        let names: Vec<&str> = p.recent.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names.len(), MAX_RECENT);
        assert_eq!(names[0], "P5 again");
        assert_eq!(names[1], "P11");
        assert!(!names.contains(&"P5"), "{names:?}");
        assert!(!names.contains(&"P1") && !names.contains(&"P0"));
    }

    #[test]
    fn saving_takes_a_place_out_of_recent_and_viewing_moves_it_up() {
        let (a, b, c) = (
            place("A", 1.0, 1.0),
            place("B", 2.0, 2.0),
            place("C", 3.0, 3.0),
        );
        let mut p = Places::default();
        p.visit(a.clone());
        p.visit(b.clone());
        p.save(a.clone());
        p.save(c.clone());
        p.save(c.clone());
        assert_eq!(p.saved, vec![c.clone(), a.clone()]);
        assert_eq!(p.recent, vec![b.clone()]);
        p.visit(a.clone());
        assert_eq!(p.last, Some(a.clone()));
        assert_eq!(p.saved, vec![a.clone(), c.clone()]);
        assert_eq!(
            p.recent,
            vec![b.clone()],
            "a saved place never joins the recent ones"
        );
        p.remove(&a);
        assert_eq!(p.saved, vec![c.clone()]);
        assert_eq!(p.recent, vec![a.clone(), b.clone()]);
        p.forget(&a);
        p.forget(&c);
        assert!(p.saved.is_empty());
        assert_eq!(p.recent, vec![b]);
    }

    #[test]
    fn the_stored_form_round_trips() {
        let mut p = Places::default();
        let mut berlin = place("Berlin", 52.52, 13.41);
        berlin.country = Some("Germany".into());
        berlin.admin1 = Some("Land Berlin".into());
        berlin.timezone = Some("Europe/Berlin".into());
        p.save(berlin);
        p.visit(place("Zürich “Altstadt”", 47.37, 8.54));
        p.visit(place(
            "a \"quoted\" \\ back\\slash\ttab\u{1}\u{7f} 北京 🌧",
            -33.868_82,
            -151.209_29,
        ));
        let json = p.to_json();
        assert!(serde_json::from_str::<Value>(&json).is_ok(), "{json}");
        assert_eq!(Places::from_json(&json), p);
    }

    #[test]
    fn garbage_and_unknown_shapes_are_survived() {
        for bad in [
            "",
            "null",
            "[]",
            "{",
            "42",
            "\"x\"",
            "{\"saved\": 3}",
            "\u{0}",
        ] {
            assert_eq!(Places::from_json(bad), Places::default(), "{bad:?}");
        }
        let mixed = r#"{"saved": [
            {"name": "Ok", "latitude": 1, "longitude": 2, "country": 7, "future": [1, 2]},
            {"name": "", "latitude": 1, "longitude": 2},
            {"name": "Far", "latitude": 91, "longitude": 2},
            {"latitude": 1, "longitude": 2},
            "Paris",
            {"name": "Ok twice", "latitude": 1.0001, "longitude": 2}
        ], "recent": [{"name": "Ok", "latitude": 1, "longitude": 2},
                      {"name": "R", "latitude": -3.5, "longitude": 170}],
           "version_99_field": true}"#;
        let p = Places::from_json(mixed);
        assert_eq!(p.saved.len(), 1);
        assert_eq!(p.saved[0].name, "Ok");
        assert_eq!(p.saved[0].country, None);
        assert_eq!(p.recent, vec![place("R", -3.5, 170.0)]);
    }

    #[test]
    fn long_stored_lists_are_cut() {
        let many: Vec<Value> = (0..80)
            .map(|i| json!({"name": format!("P{i}"), "latitude": f64::from(i), "longitude": 0}))
            .collect();
        let p = Places::from_json(&json!({"saved": many, "recent": many}).to_string());
        assert_eq!(p.saved.len(), MAX_SAVED);
        // The recent ones that are also saved are dropped; the rest are cut to ten.
        assert!(p.recent.len() <= MAX_RECENT);
        assert!(p.recent.iter().all(|r| !p.is_saved(r)));
    }
}
