//! Sunrise, sunset and solar elevation, from NREL's Solar Position Algorithm
//! (the `solar-positioning` crate), reported the way Open-Meteo reports them.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, TimeZone, Utc};
use solar_positioning::{delta_t, Horizon, Location, SolarEvents, SolarPositions};

/// The sun on one local date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SunDay {
    /// The sun rises and sets; the sunset may fall on the next local date.
    RiseAndSet {
        /// Sunrise.
        sunrise: DateTime<Utc>,
        /// The sunset that follows it.
        sunset: DateTime<Utc>,
    },
    /// The sun stays below the horizon all day.
    PolarNight,
    /// The sun stays above the horizon all day.
    MidnightSun,
}

impl SunDay {
    /// Sunrise, sunset and daylight in seconds as Open-Meteo encodes them: polar night is
    /// sunrise = sunset = local midnight with no daylight; midnight sun is sunrise at local
    /// midnight and sunset at the next local midnight, with 86,400 s of daylight.
    pub fn open_meteo(self, local_midnight: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>, f64) {
        match self {
            SunDay::RiseAndSet { sunrise, sunset } => {
                let ms = (sunset - sunrise).num_milliseconds();
                (sunrise, sunset, ms as f64 / 1000.0)
            }
            SunDay::PolarNight => (local_midnight, local_midnight, 0.0),
            SunDay::MidnightSun => (local_midnight, local_midnight + Duration::days(1), 86_400.0),
        }
    }
}

fn delta_t_for(date: NaiveDate) -> f64 {
    delta_t::estimate_from_date(date.year(), date.month()).unwrap_or(69.0)
}

/// The sun on `date`, a calendar date at the fixed UTC `offset` (as Open-Meteo computes it:
/// with the offset in force at request time).
pub fn sun_day(lat: f64, lon: f64, date: NaiveDate, offset: FixedOffset) -> SunDay {
    let location = Location {
        latitude: lat.clamp(-90.0, 90.0),
        longitude: lon,
    };
    let dt = delta_t_for(date);
    let events = SolarEvents::new();
    let start = offset
        .from_local_datetime(&date.and_hms_opt(0, 0, 0).expect("midnight exists"))
        .single()
        .expect("fixed offsets are unambiguous")
        .with_timezone(&Utc);
    let end = start + Duration::days(1);
    // Solar noon of the date; near the date line a transit can be missing from one local
    // date, so fall back to the middle of the day.
    let transit = events
        .next_transit(&start, &end, lon, dt)
        .ok()
        .flatten()
        .unwrap_or(start + Duration::hours(12));
    let rise = events
        .next_rise(
            &(transit - Duration::hours(12)),
            &transit,
            location,
            dt,
            Horizon::SunriseSunset,
        )
        .ok()
        .flatten();
    let set = events
        .next_set(
            &transit,
            &(transit + Duration::hours(12)),
            location,
            dt,
            Horizon::SunriseSunset,
        )
        .ok()
        .flatten();
    match (rise, set) {
        (Some(sunrise), Some(sunset)) => SunDay::RiseAndSet { sunrise, sunset },
        _ if elevation(lat, lon, transit) > -0.833 => SunDay::MidnightSun,
        _ => SunDay::PolarNight,
    }
}

/// The sun's geometric elevation above the horizon at `t`, in degrees.
pub fn elevation(lat: f64, lon: f64, t: DateTime<Utc>) -> f64 {
    let location = Location {
        latitude: lat.clamp(-90.0, 90.0),
        longitude: lon,
    };
    SolarPositions::new()
        .at(&t, location, 0.0, delta_t_for(t.date_naive()), None)
        .map(|p| p.elevation_angle())
        .unwrap_or(-90.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noon_is_above_and_midnight_below_in_berlin() {
        let noon = Utc.with_ymd_and_hms(2024, 6, 21, 11, 0, 0).unwrap();
        assert!(elevation(52.52, 13.405, noon) > 55.0);
        let night = Utc.with_ymd_and_hms(2024, 6, 21, 23, 0, 0).unwrap();
        assert!(elevation(52.52, 13.405, night) < 0.0);
    }

    /// The dashboard's twilight (NOAA's method, in core) against this crate's NREL SPA, an
    /// independent and more precise algorithm: at each dawn and dusk core gives, the sun's
    /// geometric elevation is the twilight's altitude, to within a minute of the sun's motion.
    #[test]
    fn core_twilight_agrees_with_spa_within_a_minute() {
        use isobar_core::sun::{sun_times, Crossing};
        let places = [
            (52.52, 13.405),   // Berlin
            (-33.87, 151.21),  // Sydney
            (40.71, -74.01),   // New York
            (64.15, -21.94),   // Reykjavik
            (1.29, 103.85),    // Singapore
            (-54.8, -68.3),    // Ushuaia
            (27.7172, 85.324), // Kathmandu
        ];
        let mut checked = 0;
        for (lat, lon) in places {
            for day in (0..365).step_by(17) {
                let date = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + chrono::Days::new(day);
                let t = sun_times(date, lat, lon);
                let at = |s: i64| Utc.timestamp_opt(s, 0).unwrap();
                // Noon: the highest point (the elevation a minute either side is lower).
                let peak = elevation(lat, lon, at(t.noon));
                for side in [-60, 60] {
                    assert!(
                        elevation(lat, lon, at(t.noon + side)) < peak + 1e-4,
                        "{date} {lat},{lon} noon"
                    );
                }
                for (altitude, crossing) in [
                    (-6.0, t.civil),
                    (-12.0, t.nautical),
                    (-18.0, t.astronomical),
                ] {
                    let Crossing::Times { up, down } = crossing else {
                        continue;
                    };
                    for (s, rising) in [(up, true), (down, false)] {
                        // The elevation a minute before and after brackets the altitude.
                        let (before, after) = (
                            elevation(lat, lon, at(s - 60)),
                            elevation(lat, lon, at(s + 60)),
                        );
                        let bracketed = if rising {
                            before <= altitude && altitude <= after
                        } else {
                            before >= altitude && altitude >= after
                        };
                        assert!(
                            bracketed,
                            "{date} {lat},{lon} at {altitude}°: {before} .. {after}"
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 300, "{checked}");
    }
}
