//! Weather icons: small inline SVGs for every WMO code, with day and night variants, labelled
//! for screen readers with the condition in words.
//!
//! Each icon is data (a list of classed paths), drawn as SVG text by [`super::html::icon`].

use isobar_core::wmo::Icon;

const SUN: (&str, &str) = ("i-sun", "M12 7a5 5 0 1 0 0.01 0Z");
const RAYS: (&str, &str) = (
    "i-ray",
    "M12 1v3M12 20v3M1 12h3M20 12h3M4.2 4.2l2.1 2.1M17.7 17.7l2.1 2.1M4.2 19.8l2.1-2.1M17.7 6.3l2.1-2.1",
);
const MOON: (&str, &str) = (
    "i-moon",
    "M15.5 3.5a8.5 8.5 0 1 0 5 13.2A7 7 0 0 1 15.5 3.5Z",
);
const SMALL_SUN: (&str, &str) = ("i-sun", "M8 4.5a3.5 3.5 0 1 0 0.01 0Z");
const SMALL_MOON: (&str, &str) = ("i-moon", "M9.5 2.5a5 5 0 1 0 3 7.8A4.2 4.2 0 0 1 9.5 2.5Z");
const CLOUD: (&str, &str) = (
    "i-cloud",
    "M7 19h10.5a4.5 4.5 0 0 0 .6-8.96A6 6 0 0 0 6.6 11.1 4 4 0 0 0 7 19Z",
);
const SMALL_CLOUD: (&str, &str) = (
    "i-cloud",
    "M11 20h8a3.4 3.4 0 0 0 .4-6.8 4.6 4.6 0 0 0-8.8 1.3A2.8 2.8 0 0 0 11 20Z",
);
const HIGH_CLOUD: (&str, &str) = (
    "i-cloud",
    "M7 15h10.5a4.5 4.5 0 0 0 .6-8.96A6 6 0 0 0 6.6 7.1 4 4 0 0 0 7 15Z",
);
const SHOWER: (&str, &str) = ("i-rain", "M9 21l-1 2M13 21l-1 2M17 21l-1 2");
const FOG: (&str, &str) = ("i-fog", "M3 17h18M5 20.5h14");
const DRIZZLE: (&str, &str) = ("i-rain", "M9 18v1M13 18v1M17 18v1M11 21v1M15 21v1");
const RAIN: (&str, &str) = ("i-rain", "M9 17l-1.5 4M13 17l-1.5 4M17 17l-1.5 4");
const ICE: (&str, &str) = ("i-snow", "M11 22h2M12 21v2");
const SNOW: (&str, &str) = ("i-snow", "M8 18v4M6 20h4M12 17v4M10 19h4M16 18v4M14 20h4");
const BOLT: (&str, &str) = ("i-bolt", "M13 14l-3 5h3l-2 4 5-6h-3l2-3Z");
const QUESTION: (&str, &str) = (
    "i-unknown",
    "M10.5 12a1.8 1.8 0 1 1 2.3 1.7c-.5.2-.8.6-.8 1.1v.4M12 17.2v.3",
);

/// The classed paths of an icon, back to front.
pub fn paths(kind: Icon, night: bool) -> &'static [(&'static str, &'static str)] {
    match (kind, night) {
        (Icon::Clear, false) => &[SUN, RAYS],
        (Icon::Clear, true) => &[MOON],
        (Icon::FewClouds, false) => &[SMALL_SUN, SMALL_CLOUD],
        (Icon::FewClouds, true) => &[SMALL_MOON, SMALL_CLOUD],
        (Icon::PartlyCloudy, false) => &[SMALL_SUN, CLOUD],
        (Icon::PartlyCloudy, true) => &[SMALL_MOON, CLOUD],
        (Icon::Showers, false) => &[SMALL_SUN, CLOUD, SHOWER],
        (Icon::Showers, true) => &[SMALL_MOON, CLOUD, SHOWER],
        (Icon::Overcast, _) => &[CLOUD],
        (Icon::Fog, _) => &[HIGH_CLOUD, FOG],
        (Icon::Drizzle, _) => &[HIGH_CLOUD, DRIZZLE],
        (Icon::Rain, _) => &[HIGH_CLOUD, RAIN],
        (Icon::FreezingRain, _) => &[HIGH_CLOUD, RAIN, ICE],
        (Icon::Snow, _) => &[HIGH_CLOUD, SNOW],
        (Icon::Thunder, _) => &[HIGH_CLOUD, BOLT],
        (Icon::Unknown, _) => &[CLOUD, QUESTION],
    }
}

/// The name of an icon in `data-icon` (for tests and theming).
pub fn name(kind: Icon) -> &'static str {
    match kind {
        Icon::Clear => "clear",
        Icon::FewClouds => "few-clouds",
        Icon::PartlyCloudy => "partly-cloudy",
        Icon::Overcast => "overcast",
        Icon::Fog => "fog",
        Icon::Drizzle => "drizzle",
        Icon::Rain => "rain",
        Icon::FreezingRain => "freezing-rain",
        Icon::Snow => "snow",
        Icon::Showers => "showers",
        Icon::Thunder => "thunder",
        Icon::Unknown => "unknown",
    }
}
