//! Units of measure: what Open-Meteo calls them in requests and responses, and conversions.
//!
//! Open-Meteo names a unit one way in the query string (`wind_speed_unit=mph`) and another way
//! in the `*_units` objects of its answer (`"mp/h"`). Both spellings are parsed here, so the
//! rest of the code deals only in the enums.

use serde::{Deserialize, Serialize};

/// A temperature unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TempUnit {
    /// Degrees Celsius (Open-Meteo's default).
    #[default]
    Celsius,
    /// Degrees Fahrenheit.
    Fahrenheit,
}

/// A wind speed unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WindUnit {
    /// Kilometres per hour (Open-Meteo's default).
    #[default]
    Kmh,
    /// Metres per second.
    Ms,
    /// Miles per hour.
    Mph,
    /// Knots.
    Kn,
}

/// A precipitation unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PrecipUnit {
    /// Millimetres (Open-Meteo's default).
    #[default]
    Mm,
    /// Inches.
    Inch,
}

/// A pressure unit for display. Open-Meteo always answers in hPa; the dashboard converts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PressureUnit {
    /// Hectopascals (millibars).
    #[default]
    Hpa,
    /// Inches of mercury (US weather reports).
    InHg,
    /// Millimetres of mercury.
    MmHg,
}

impl PressureUnit {
    /// Its value in the `pressure=` query parameter.
    pub fn query_value(self) -> &'static str {
        match self {
            PressureUnit::Hpa => "hpa",
            PressureUnit::InHg => "inhg",
            PressureUnit::MmHg => "mmhg",
        }
    }

    /// Parses a `pressure=` value.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "hpa" => Some(PressureUnit::Hpa),
            "inhg" => Some(PressureUnit::InHg),
            "mmhg" => Some(PressureUnit::MmHg),
            _ => None,
        }
    }

    /// The unit shown after a value, with the space before it (` hPa`).
    pub fn suffix(self) -> &'static str {
        match self {
            PressureUnit::Hpa => " hPa",
            PressureUnit::InHg => " inHg",
            PressureUnit::MmHg => " mmHg",
        }
    }

    /// Decimals worth showing: 29.92 inHg, 1013 hPa, 760 mmHg.
    pub fn decimals(self) -> usize {
        match self {
            PressureUnit::InHg => 2,
            _ => 0,
        }
    }

    /// Converts `hpa` hectopascals to this unit.
    pub fn from_hpa(self, hpa: f64) -> f64 {
        match self {
            PressureUnit::Hpa => hpa,
            PressureUnit::InHg => hpa / 33.863_886_666_7,
            PressureUnit::MmHg => hpa / 1.333_223_874,
        }
    }
}

/// The units that one set of values is expressed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Units {
    /// Unit of every temperature.
    pub temperature: TempUnit,
    /// Unit of every wind speed and gust.
    pub wind: WindUnit,
    /// Unit of every precipitation amount.
    pub precipitation: PrecipUnit,
}

impl TempUnit {
    /// The value of Open-Meteo's `temperature_unit` query parameter.
    pub fn query_value(self) -> &'static str {
        match self {
            TempUnit::Celsius => "celsius",
            TempUnit::Fahrenheit => "fahrenheit",
        }
    }

    /// Parses a query value (`celsius`) or a response unit string (`°C`).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "celsius" | "°C" | "C" | "c" => Some(TempUnit::Celsius),
            "fahrenheit" | "°F" | "F" | "f" => Some(TempUnit::Fahrenheit),
            _ => None,
        }
    }

    /// The symbol shown after a value (`°C`).
    pub fn symbol(self) -> &'static str {
        match self {
            TempUnit::Celsius => "°C",
            TempUnit::Fahrenheit => "°F",
        }
    }

    /// Converts `value` from `self` to `to`.
    pub fn convert(self, value: f64, to: TempUnit) -> f64 {
        match (self, to) {
            (TempUnit::Celsius, TempUnit::Fahrenheit) => value * 9.0 / 5.0 + 32.0,
            (TempUnit::Fahrenheit, TempUnit::Celsius) => (value - 32.0) * 5.0 / 9.0,
            _ => value,
        }
    }
}

impl WindUnit {
    /// The value of Open-Meteo's `wind_speed_unit` query parameter.
    pub fn query_value(self) -> &'static str {
        match self {
            WindUnit::Kmh => "kmh",
            WindUnit::Ms => "ms",
            WindUnit::Mph => "mph",
            WindUnit::Kn => "kn",
        }
    }

    /// Parses a query value (`mph`) or a response unit string (`mp/h`).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "kmh" | "km/h" => Some(WindUnit::Kmh),
            "ms" | "m/s" => Some(WindUnit::Ms),
            "mph" | "mp/h" => Some(WindUnit::Mph),
            "kn" | "kt" | "knots" => Some(WindUnit::Kn),
            _ => None,
        }
    }

    /// The unit string shown after a value (`km/h`).
    pub fn symbol(self) -> &'static str {
        match self {
            WindUnit::Kmh => "km/h",
            WindUnit::Ms => "m/s",
            WindUnit::Mph => "mph",
            WindUnit::Kn => "kn",
        }
    }

    /// How many metres per second one of this unit is.
    fn metres_per_second(self) -> f64 {
        match self {
            WindUnit::Kmh => 1000.0 / 3600.0,
            WindUnit::Ms => 1.0,
            WindUnit::Mph => 0.44704,
            WindUnit::Kn => 1852.0 / 3600.0,
        }
    }

    /// Converts `value` from `self` to `to`.
    pub fn convert(self, value: f64, to: WindUnit) -> f64 {
        if self == to {
            value
        } else {
            value * self.metres_per_second() / to.metres_per_second()
        }
    }
}

impl PrecipUnit {
    /// The value of Open-Meteo's `precipitation_unit` query parameter.
    pub fn query_value(self) -> &'static str {
        match self {
            PrecipUnit::Mm => "mm",
            PrecipUnit::Inch => "inch",
        }
    }

    /// Parses a query value (`inch`) or a response unit string (`inch`, `mm`).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "mm" => Some(PrecipUnit::Mm),
            "inch" | "in" | "\"" => Some(PrecipUnit::Inch),
            _ => None,
        }
    }

    /// The unit string shown after a value (`mm`, `in`).
    pub fn symbol(self) -> &'static str {
        match self {
            PrecipUnit::Mm => "mm",
            PrecipUnit::Inch => "in",
        }
    }

    /// Converts `value` from `self` to `to`.
    pub fn convert(self, value: f64, to: PrecipUnit) -> f64 {
        match (self, to) {
            (PrecipUnit::Mm, PrecipUnit::Inch) => value / 25.4,
            (PrecipUnit::Inch, PrecipUnit::Mm) => value * 25.4,
            _ => value,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_query_and_response_spellings() {
        assert_eq!(WindUnit::parse("mp/h"), Some(WindUnit::Mph));
        assert_eq!(WindUnit::parse("mph"), Some(WindUnit::Mph));
        assert_eq!(WindUnit::parse("km/h"), Some(WindUnit::Kmh));
        assert_eq!(WindUnit::parse("furlongs"), None);
        assert_eq!(TempUnit::parse("°F"), Some(TempUnit::Fahrenheit));
        assert_eq!(PrecipUnit::parse("inch"), Some(PrecipUnit::Inch));
        for u in [WindUnit::Kmh, WindUnit::Ms, WindUnit::Mph, WindUnit::Kn] {
            assert_eq!(WindUnit::parse(u.query_value()), Some(u));
        }
    }

    #[test]
    fn converts_with_known_anchors() {
        assert!((TempUnit::Celsius.convert(100.0, TempUnit::Fahrenheit) - 212.0).abs() < 1e-9);
        assert!((TempUnit::Fahrenheit.convert(-40.0, TempUnit::Celsius) + 40.0).abs() < 1e-9);
        assert!((WindUnit::Ms.convert(10.0, WindUnit::Kmh) - 36.0).abs() < 1e-9);
        assert!((WindUnit::Kn.convert(1.0, WindUnit::Kmh) - 1.852).abs() < 1e-9);
        assert!((WindUnit::Mph.convert(1.0, WindUnit::Ms) - 0.44704).abs() < 1e-9);
        assert!((PrecipUnit::Inch.convert(1.0, PrecipUnit::Mm) - 25.4).abs() < 1e-9);
        // The standard atmosphere: 1013.25 hPa = 29.92 inHg = 760 mmHg.
        assert!((PressureUnit::InHg.from_hpa(1013.25) - 29.921).abs() < 1e-3);
        assert!((PressureUnit::MmHg.from_hpa(1013.25) - 760.0).abs() < 1e-3);
        assert_eq!(PressureUnit::Hpa.from_hpa(1000.0), 1000.0);
        for u in [PressureUnit::Hpa, PressureUnit::InHg, PressureUnit::MmHg] {
            assert_eq!(PressureUnit::parse(u.query_value()), Some(u));
        }
        assert_eq!(PressureUnit::parse("psi"), None);
        assert_eq!(PressureUnit::InHg.suffix(), " inHg");
    }
}
