//! Wind in words: the compass point of a direction and the Beaufort force of a speed.

use crate::units::WindUnit;

/// The 16 compass points, clockwise from north.
pub const COMPASS: [&str; 16] = [
    "N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE", "S", "SSW", "SW", "WSW", "W", "WNW", "NW",
    "NNW",
];

/// The compass point nearest a direction in degrees (any value, wrapped to 0–360).
pub fn compass(degrees: f64) -> &'static str {
    // Wrapped in integers: a float remainder brings libm's fmod (and 128-bit division) into
    // the WebAssembly bundle, about 1 KB.
    let i = ((degrees / 22.5).round() as i64).rem_euclid(16) as usize;
    COMPASS[i]
}

/// The name of each Beaufort force, 0–12.
pub const BEAUFORT_NAMES: [&str; 13] = [
    "Calm",
    "Light air",
    "Light breeze",
    "Gentle breeze",
    "Moderate breeze",
    "Fresh breeze",
    "Strong breeze",
    "Near gale",
    "Gale",
    "Strong gale",
    "Storm",
    "Violent storm",
    "Hurricane force",
];

/// The highest speed of Beaufort forces 0–11 in m/s, as WMO's code table gives them for
/// speeds reported to a tenth of a metre per second (force 0 is 0–0.2, force 1 is 0.3–1.5, ...).
const BEAUFORT_MAX_MS: [f64; 12] = [
    0.2, 1.5, 3.3, 5.4, 7.9, 10.7, 13.8, 17.1, 20.7, 24.4, 28.4, 32.6,
];

/// The Beaufort force of a wind speed given in `unit`.
pub fn beaufort(speed: f64, unit: WindUnit) -> u8 {
    let ms = (unit.convert(speed.max(0.0), WindUnit::Ms) * 10.0).round() / 10.0;
    BEAUFORT_MAX_MS
        .iter()
        .position(|&max| ms <= max + 1e-9)
        .unwrap_or(12) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compass_points() {
        assert_eq!(compass(0.0), "N");
        assert_eq!(compass(359.0), "N");
        assert_eq!(compass(11.2), "N");
        assert_eq!(compass(11.3), "NNE");
        assert_eq!(compass(90.0), "E");
        assert_eq!(compass(202.5), "SSW");
        assert_eq!(compass(-90.0), "W");
        assert_eq!(compass(720.0 + 315.0), "NW");
    }
    #[test]
    fn beaufort_scale() {
        // WMO's table in m/s: the first and last tenth of each force.
        let table = [
            (0.0, 0),
            (0.2, 0),
            (0.3, 1),
            (1.5, 1),
            (1.6, 2),
            (3.3, 2),
            (3.4, 3),
            (5.4, 3),
            (5.5, 4),
            (7.9, 4),
            (8.0, 5),
            (10.7, 5),
            (10.8, 6),
            (13.8, 6),
            (13.9, 7),
            (17.1, 7),
            (17.2, 8),
            (20.7, 8),
            (20.8, 9),
            (24.4, 9),
            (24.5, 10),
            (28.4, 10),
            (28.5, 11),
            (32.6, 11),
            (32.7, 12),
            (60.0, 12),
        ];
        for (ms, force) in table {
            assert_eq!(beaufort(ms, WindUnit::Ms), force, "{ms} m/s");
        }
        // Other units convert first: 20 km/h is 5.6 m/s, 40 kn is 20.6 m/s, 75 mph is 33.5 m/s.
        assert_eq!(beaufort(19.0, WindUnit::Kmh), 3);
        assert_eq!(beaufort(20.0, WindUnit::Kmh), 4);
        assert_eq!(beaufort(40.0, WindUnit::Kn), 8);
        assert_eq!(beaufort(75.0, WindUnit::Mph), 12);
        assert_eq!(
            BEAUFORT_NAMES[beaufort(25.0, WindUnit::Kmh) as usize],
            "Moderate breeze"
        );
        assert_eq!(
            BEAUFORT_NAMES[beaufort(-3.0, WindUnit::Kmh) as usize],
            "Calm"
        );
    }
}
