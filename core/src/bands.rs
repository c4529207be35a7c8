//! The bands of the health indices, with their official colours and advice: the WHO UV index,
//! the US EPA AQI and the European AQI.

/// A band of a health index: its name, its colour, and advice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Band {
    /// The band's name (`Moderate`).
    pub name: &'static str,
    /// The official colour as CSS hex.
    pub color: &'static str,
    /// One line of advice.
    pub advice: &'static str,
}

/// The WHO UV index band of a value.
pub fn uv_band(uv: f64) -> Band {
    // WHO: 0–2 low, 3–5 moderate, 6–7 high, 8–10 very high, 11+ extreme (on the rounded index).
    match uv.max(0.0).round() as u32 {
        0..=2 => Band {
            name: "Low",
            color: "#4eb400",
            advice: "No protection needed.",
        },
        3..=5 => Band {
            name: "Moderate",
            color: "#f7e400",
            advice: "Seek shade at midday; wear sunscreen and a hat.",
        },
        6..=7 => Band {
            name: "High",
            color: "#f85900",
            advice: "Reduce time in the sun from late morning to mid-afternoon.",
        },
        8..=10 => Band {
            name: "Very high",
            color: "#d8001d",
            advice: "Avoid the midday sun; shirt, sunscreen and hat are a must.",
        },
        _ => Band {
            name: "Extreme",
            color: "#998cff",
            advice: "Stay indoors at midday if you can; full protection outside.",
        },
    }
}

/// The US EPA band of an AQI value.
pub fn us_aqi_band(aqi: f64) -> Band {
    match aqi.max(0.0).round() as u32 {
        0..=50 => Band {
            name: "Good",
            color: "#00e400",
            advice: "Air quality is satisfactory.",
        },
        51..=100 => Band {
            name: "Moderate",
            color: "#ffff00",
            advice: "Unusually sensitive people should limit long exertion outdoors.",
        },
        101..=150 => Band {
            name: "Unhealthy for sensitive groups",
            color: "#ff7e00",
            advice: "Sensitive groups should reduce long or heavy exertion outdoors.",
        },
        151..=200 => Band {
            name: "Unhealthy",
            color: "#ff0000",
            advice: "Everyone should reduce long or heavy exertion outdoors.",
        },
        201..=300 => Band {
            name: "Very unhealthy",
            color: "#8f3f97",
            advice: "Everyone should avoid exertion outdoors.",
        },
        _ => Band {
            name: "Hazardous",
            color: "#7e0023",
            advice: "Everyone should stay indoors.",
        },
    }
}

/// The European Environment Agency band of a European AQI value (Open-Meteo's 0–100+ scale).
pub fn european_aqi_band(aqi: f64) -> Band {
    match aqi.max(0.0) {
        a if a <= 20.0 => Band {
            name: "Good",
            color: "#50f0e6",
            advice: "Enjoy your usual outdoor activities.",
        },
        a if a <= 40.0 => Band {
            name: "Fair",
            color: "#50ccaa",
            advice: "Enjoy your usual outdoor activities.",
        },
        a if a <= 60.0 => Band {
            name: "Moderate",
            color: "#f0e641",
            advice: "Sensitive people should consider less intense outdoor activity.",
        },
        a if a <= 80.0 => Band {
            name: "Poor",
            color: "#ff5050",
            advice: "Consider reducing intense outdoor activity.",
        },
        a if a <= 100.0 => Band {
            name: "Very poor",
            color: "#960032",
            advice: "Reduce physical activity outdoors.",
        },
        _ => Band {
            name: "Extremely poor",
            color: "#7d2181",
            advice: "Avoid physical activity outdoors.",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uv_and_aqi_bands() {
        assert_eq!(uv_band(0.0).name, "Low");
        assert_eq!(uv_band(2.4).name, "Low");
        assert_eq!(uv_band(2.6).name, "Moderate");
        assert_eq!(uv_band(7.0).name, "High");
        assert_eq!(uv_band(10.0).name, "Very high");
        assert_eq!(uv_band(11.0).name, "Extreme");
        assert_eq!(us_aqi_band(50.0).name, "Good");
        assert_eq!(us_aqi_band(160.0).name, "Unhealthy");
        assert_eq!(us_aqi_band(301.0).name, "Hazardous");
        assert_eq!(european_aqi_band(35.0).name, "Fair");
        assert_eq!(european_aqi_band(120.0).name, "Extremely poor");
    }
}
