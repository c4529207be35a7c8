//! The sun's day at a place: solar noon, sunrise and sunset, and civil, nautical and astronomical
//! twilight, by NOAA's Solar Calculator method (Meeus's low-precision solar coordinates, the
//! equation of time, and the hour angle of each altitude, refined once at the event's own
//! instant). It agrees with NOAA's calculator to well within a minute away from the poles.
//!
//! Altitudes are the sun's centre: sunrise and sunset at −0.833° (refraction and the sun's
//! semi-diameter), civil twilight at −6°, nautical at −12°, astronomical at −18° (geometric).
//! A day on which the sun stays above or below an altitude has no crossing of it, and says so
//! ([`Crossing::AlwaysAbove`], [`Crossing::AlwaysBelow`]): near the poles there are days with no
//! astronomical night, or with no twilight at all.
//!
//! Trigonometry goes through [`trig`], which in WebAssembly is JavaScript's `Math` (the Rust
//! versions would bring libm's code into the bundle).

use chrono::NaiveDate;

/// Sunrise and sunset: the sun's centre 0.833° below the horizon.
pub const SUNRISE_ALTITUDE: f64 = -0.833;
/// Civil twilight begins (dawn) or ends (dusk) with the sun's centre 6° below the horizon.
pub const CIVIL_ALTITUDE: f64 = -6.0;
/// Nautical twilight: 12° below.
pub const NAUTICAL_ALTITUDE: f64 = -12.0;
/// Astronomical twilight: 18° below; darker than this is astronomical night.
pub const ASTRONOMICAL_ALTITUDE: f64 = -18.0;

/// Where the sun crosses one altitude on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crossing {
    /// It rises through the altitude at `up` and sinks through it at `down` (UTC epoch seconds).
    Times {
        /// Rising through the altitude (sunrise, dawn).
        up: i64,
        /// Sinking through it (sunset, dusk).
        down: i64,
    },
    /// The sun stays above the altitude all day (midnight sun; for twilight, no night that dark).
    AlwaysAbove,
    /// The sun stays below it all day (polar night; for twilight, not even that light).
    AlwaysBelow,
}

/// The sun's day at a place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SunTimes {
    /// Solar noon, the sun highest (UTC epoch seconds).
    pub noon: i64,
    /// Sunrise and sunset.
    pub sunrise: Crossing,
    /// Civil dawn and dusk.
    pub civil: Crossing,
    /// Nautical dawn and dusk.
    pub nautical: Crossing,
    /// Astronomical dawn and dusk.
    pub astronomical: Crossing,
}

/// Trigonometry in degrees: JavaScript's `Math` in WebAssembly, the standard library elsewhere.
pub mod trig {
    const RAD: f64 = std::f64::consts::PI / 180.0;

    #[cfg(target_arch = "wasm32")]
    use js_sys::Math as m;

    #[cfg(not(target_arch = "wasm32"))]
    mod m {
        pub fn sin(x: f64) -> f64 {
            x.sin()
        }
        pub fn cos(x: f64) -> f64 {
            x.cos()
        }
        pub fn tan(x: f64) -> f64 {
            x.tan()
        }
        pub fn asin(x: f64) -> f64 {
            x.asin()
        }
        pub fn acos(x: f64) -> f64 {
            x.acos()
        }
        pub fn atan2(y: f64, x: f64) -> f64 {
            y.atan2(x)
        }
    }

    /// Sine of `d` degrees.
    pub fn sin(d: f64) -> f64 {
        m::sin(d * RAD)
    }
    /// Cosine of `d` degrees.
    pub fn cos(d: f64) -> f64 {
        m::cos(d * RAD)
    }
    /// Tangent of `d` degrees.
    pub fn tan(d: f64) -> f64 {
        m::tan(d * RAD)
    }
    /// Arcsine, in degrees.
    pub fn asin(x: f64) -> f64 {
        m::asin(x) / RAD
    }
    /// Arccosine, in degrees.
    pub fn acos(x: f64) -> f64 {
        m::acos(x) / RAD
    }
    /// The angle of (`x`, `y`), in degrees.
    pub fn atan2(y: f64, x: f64) -> f64 {
        m::atan2(y, x) / RAD
    }
}

/// The sun's declination (degrees) and the equation of time (minutes) at `epoch`.
fn position(epoch: f64) -> (f64, f64) {
    use trig::{asin, cos, sin, tan};
    // Julian centuries since J2000.0.
    let jc = (epoch / 86_400.0 + 2_440_587.5 - 2_451_545.0) / 36_525.0;
    let l0 = {
        let l = 280.46646 + jc * (36000.76983 + jc * 0.0003032);
        l - 360.0 * (l / 360.0).floor()
    };
    let m = 357.52911 + jc * (35999.05029 - 0.0001537 * jc);
    let e = 0.016708634 - jc * (0.000042037 + 0.0000001267 * jc);
    let centre = sin(m) * (1.914602 - jc * (0.004817 + 0.000014 * jc))
        + sin(2.0 * m) * (0.019993 - 0.000101 * jc)
        + sin(3.0 * m) * 0.000289;
    let omega = 125.04 - 1934.136 * jc;
    let apparent = l0 + centre - 0.00569 - 0.00478 * sin(omega);
    let mean_obliquity =
        23.0 + (26.0 + (21.448 - jc * (46.815 + jc * (0.00059 - jc * 0.001813))) / 60.0) / 60.0;
    let obliquity = mean_obliquity + 0.00256 * cos(omega);
    let declination = asin(sin(obliquity) * sin(apparent));
    let y = tan(obliquity / 2.0).powi(2);
    let eot = y * sin(2.0 * l0) - 2.0 * e * sin(m) + 4.0 * e * y * sin(m) * cos(2.0 * l0)
        - 0.5 * y * y * sin(4.0 * l0)
        - 1.25 * e * e * sin(2.0 * m);
    (declination, 4.0 * eot.to_degrees())
}

/// Solar noon at longitude `lon` on the UTC date of `epoch`, with the sun's place at `epoch`.
fn noon_near(epoch: f64, lon: f64) -> f64 {
    let day = (epoch / 86_400.0).floor() * 86_400.0;
    let (_, eot) = position(epoch);
    day + (720.0 - 4.0 * lon - eot) * 60.0
}

/// The crossing of `altitude` on the day whose solar noon is near `noon`.
fn crossing(noon: f64, lat: f64, lon: f64, altitude: f64) -> Crossing {
    use trig::{acos, cos, sin};
    // The hour angle (degrees) of the altitude at `t`; `Err` when the sun does not reach it.
    let hour_angle = |t: f64| {
        let (declination, _) = position(t);
        let c = (sin(altitude) - sin(lat) * sin(declination)) / (cos(lat) * cos(declination));
        if c < -1.0 {
            Err(Crossing::AlwaysAbove)
        } else if c > 1.0 {
            Err(Crossing::AlwaysBelow)
        } else {
            Ok(acos(c))
        }
    };
    let event = |sign: f64| -> Result<i64, Crossing> {
        let first = noon + sign * hour_angle(noon)? * 240.0;
        // Once more, with the sun's place and the equation of time at that instant.
        let at = shift_to(noon_near(first, lon), noon) + sign * hour_angle(first)? * 240.0;
        Ok(at.round() as i64)
    };
    match (event(-1.0), event(1.0)) {
        (Ok(up), Ok(down)) => Crossing::Times { up, down },
        (Err(kind), _) | (_, Err(kind)) => kind,
    }
}

/// The sun's day on the local calendar `date` at (`lat`, `lon`): the day whose solar noon falls
/// on that date at that longitude (local mean time).
pub fn sun_times(date: NaiveDate, lat: f64, lon: f64) -> SunTimes {
    let midnight = date
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc()
        .timestamp() as f64;
    // Local mean noon, then the true solar noon near it.
    let mean_noon = midnight + 43_200.0 - lon * 240.0;
    let first = shift_to(noon_near(mean_noon, lon), mean_noon);
    let noon = shift_to(noon_near(first, lon), mean_noon);
    SunTimes {
        noon: noon.round() as i64,
        sunrise: crossing(noon, lat, lon, SUNRISE_ALTITUDE),
        civil: crossing(noon, lat, lon, CIVIL_ALTITUDE),
        nautical: crossing(noon, lat, lon, NAUTICAL_ALTITUDE),
        astronomical: crossing(noon, lat, lon, ASTRONOMICAL_ALTITUDE),
    }
}

/// `t` moved by whole days to within half a day of `near` (the noon formula works on the UTC
/// date, which for far east or west longitudes is not the local one).
fn shift_to(t: f64, near: f64) -> f64 {
    t + ((near - t) / 86_400.0).round() * 86_400.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, TimeZone};

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn epoch(rfc3339: &str) -> i64 {
        DateTime::parse_from_rfc3339(rfc3339).unwrap().timestamp()
    }

    /// Every case of the shared reference vectors, against the NOAA method's published values.
    #[test]
    fn sunrise_and_sunset_match_the_reference_vectors() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/samples/sun_reference_vectors.json"
        ));
        let Ok(text) = text else {
            return; // the shared samples are not beside this checkout
        };
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let mut checked = 0;
        for case in v["cases"].as_array().unwrap() {
            let name = case["name"].as_str().unwrap();
            let times = sun_times(
                date(case["date"].as_str().unwrap()),
                case["lat"].as_f64().unwrap(),
                case["lon"].as_f64().unwrap(),
            );
            let noaa = &case["noaa_algorithm"];
            match (noaa["sunrise"].as_str().unwrap(), times.sunrise) {
                ("polar_night", Crossing::AlwaysBelow) | ("polar_day", Crossing::AlwaysAbove) => {}
                (rise, Crossing::Times { up, down }) => {
                    let set = noaa["sunset"].as_str().unwrap();
                    assert!(
                        (up - epoch(rise)).abs() <= 60,
                        "{name}: sunrise {up} vs {rise}"
                    );
                    assert!(
                        (down - epoch(set)).abs() <= 60,
                        "{name}: sunset {down} vs {set}"
                    );
                }
                other => panic!("{name}: {other:?} ({noaa})"),
            }
            checked += 1;
        }
        assert!(checked >= 10, "{checked} cases");
    }

    #[test]
    fn twilight_brackets_the_day_in_order() {
        // Berlin at the equinox: astronomical, nautical and civil dawn, sunrise, noon, then the
        // same in reverse, each step 30 to 45 minutes apart, symmetric about solar noon.
        let t = sun_times(date("2024-03-20"), 52.52, 13.405);
        let mut times = Vec::new();
        for c in [t.astronomical, t.nautical, t.civil, t.sunrise] {
            let Crossing::Times { up, down } = c else {
                panic!("{c:?}")
            };
            // Nearly: the declination moves about 0.4° a day at the equinox.
            assert!(
                (up + down - 2 * t.noon).abs() <= 180,
                "symmetric about noon: {c:?}"
            );
            times.push((up, down));
        }
        for w in times.windows(2) {
            let (outer, inner) = (w[0], w[1]);
            assert!((1800..=2700).contains(&(inner.0 - outer.0)), "{times:?}");
            assert!((1800..=2700).contains(&(outer.1 - inner.1)), "{times:?}");
        }
        // Mean solar noon at 13.405° E is 11:06:23 UTC; the equation of time adds about 7.5 min.
        assert!(
            (t.noon - epoch("2024-03-20T11:13:50Z")).abs() <= 60,
            "{}",
            t.noon
        );
    }

    #[test]
    fn polar_days_are_named() {
        // Tromsø at midsummer: the sun never sets, and there is no twilight at all.
        let t = sun_times(date("2024-06-21"), 69.6492, 18.9553);
        assert_eq!(t.sunrise, Crossing::AlwaysAbove);
        assert_eq!(t.civil, Crossing::AlwaysAbove);
        assert_eq!(t.astronomical, Crossing::AlwaysAbove);
        // Berlin at midsummer: sunrise and sunset, but no astronomical night.
        let t = sun_times(date("2024-06-21"), 52.52, 13.405);
        assert!(matches!(t.sunrise, Crossing::Times { .. }));
        assert!(matches!(t.nautical, Crossing::Times { .. }));
        assert_eq!(t.astronomical, Crossing::AlwaysAbove);
        // Utqiagvik in midwinter: polar night, but civil twilight around noon.
        let t = sun_times(date("2019-12-21"), 71.2906, -156.7886);
        assert_eq!(t.sunrise, Crossing::AlwaysBelow);
        assert!(matches!(t.civil, Crossing::Times { .. }));
        // Near the pole in midwinter: not even astronomical twilight.
        let t = sun_times(date("2021-12-21"), 89.0, 0.0);
        assert_eq!(t.astronomical, Crossing::AlwaysBelow);
    }

    #[test]
    fn the_day_is_the_local_one_far_east_and_west() {
        // Auckland (UTC+13 in January) and Honolulu (UTC−10): solar noon on the date asked for,
        // in local time.
        for (lat, lon, offset) in [(-36.85, 174.76, 13 * 3600), (21.31, -157.86, -10 * 3600)] {
            let t = sun_times(date("2025-01-15"), lat, lon);
            let local = chrono::FixedOffset::east_opt(offset)
                .unwrap()
                .timestamp_opt(t.noon, 0)
                .unwrap();
            assert_eq!(local.date_naive(), date("2025-01-15"), "{lat},{lon}");
            assert!(
                (11..=14).contains(&chrono::Timelike::hour(&local)),
                "{local}"
            );
        }
    }
}
