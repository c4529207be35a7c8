//! WMO weather interpretation codes (as Open-Meteo sends them) in words.

/// The condition a WMO code stands for, in plain English.
pub fn describe(code: u8) -> &'static str {
    match code {
        0 => "Clear sky",
        1 => "Mainly clear",
        2 => "Partly cloudy",
        3 => "Overcast",
        45 => "Fog",
        48 => "Freezing fog",
        51 => "Light drizzle",
        53 => "Drizzle",
        55 => "Heavy drizzle",
        56 | 57 => "Freezing drizzle",
        61 => "Light rain",
        63 => "Rain",
        65 => "Heavy rain",
        66 | 67 => "Freezing rain",
        71 => "Light snow",
        73 => "Snow",
        75 => "Heavy snow",
        77 => "Snow grains",
        80 => "Light showers",
        81 => "Showers",
        82 => "Violent showers",
        85 | 86 => "Snow showers",
        95 => "Thunderstorm",
        96 | 99 => "Thunderstorm with hail",
        _ => "Unknown conditions",
    }
}

/// The picture for a WMO code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Icon {
    /// Sun (day) or moon (night) alone.
    Clear,
    /// Sun or moon with a small cloud.
    FewClouds,
    /// Sun or moon behind a cloud.
    PartlyCloudy,
    /// A cloud.
    Overcast,
    /// Fog bands.
    Fog,
    /// Cloud with a few fine drops.
    Drizzle,
    /// Cloud with rain.
    Rain,
    /// Cloud with rain and ice.
    FreezingRain,
    /// Cloud with snowflakes.
    Snow,
    /// Sun or moon, cloud and rain: showers.
    Showers,
    /// Cloud with lightning.
    Thunder,
    /// A code outside the WMO table.
    Unknown,
}

/// The icon for a WMO code.
pub fn icon(code: u8) -> Icon {
    match code {
        0 => Icon::Clear,
        1 => Icon::FewClouds,
        2 => Icon::PartlyCloudy,
        3 => Icon::Overcast,
        45 | 48 => Icon::Fog,
        51 | 53 | 55 => Icon::Drizzle,
        56 | 57 | 66 | 67 => Icon::FreezingRain,
        61 | 63 | 65 => Icon::Rain,
        71 | 73 | 75 | 77 | 85 | 86 => Icon::Snow,
        80..=82 => Icon::Showers,
        95 | 96 | 99 => Icon::Thunder,
        _ => Icon::Unknown,
    }
}

impl Icon {
    /// Whether the icon shows the sun by day and the moon by night.
    pub fn has_day_night(self) -> bool {
        matches!(
            self,
            Icon::Clear | Icon::FewClouds | Icon::PartlyCloudy | Icon::Showers
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_in_the_table_has_a_real_icon() {
        for code in [
            0, 1, 2, 3, 45, 48, 51, 53, 55, 56, 57, 61, 63, 65, 66, 67, 71, 73, 75, 77, 80, 81, 82,
            85, 86, 95, 96, 99,
        ] {
            assert_ne!(icon(code), Icon::Unknown, "code {code}");
            assert_ne!(describe(code), "Unknown conditions", "code {code}");
        }
        assert_eq!(icon(42), Icon::Unknown);
        assert!(icon(0).has_day_night());
        assert!(!icon(63).has_day_night());
    }

    #[test]
    fn known_and_unknown_codes() {
        assert_eq!(describe(0), "Clear sky");
        assert_eq!(describe(63), "Rain");
        assert_eq!(describe(42), "Unknown conditions");
    }
}
