//! Time zones: the IANA zone of any coordinates, and the offset and abbreviation Open-Meteo
//! reports for it.

use std::sync::OnceLock;

use chrono::{DateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

/// The IANA zone at (`lat`, `lon`): the country's zone on land, `Etc/GMT±N` at sea.
pub fn zone_at(lat: f64, lon: f64) -> Tz {
    static FINDER: OnceLock<tzf_rs::DefaultFinder> = OnceLock::new();
    let finder = FINDER.get_or_init(tzf_rs::DefaultFinder::new);
    finder
        .get_tz_name(lon, lat)
        .parse::<Tz>()
        .unwrap_or(Tz::UTC)
}

/// The offset from UTC of `tz` at `at`, in seconds.
pub fn offset_seconds(tz: Tz, at: DateTime<Utc>) -> i32 {
    tz.offset_from_utc_datetime(&at.naive_utc())
        .fix()
        .local_minus_utc()
}

/// The abbreviation Open-Meteo gives a zone: `GMT`, `GMT+2`, `GMT-4`, `GMT+5:30`.
pub fn abbreviation(offset_seconds: i32) -> String {
    if offset_seconds == 0 {
        return "GMT".to_owned();
    }
    let sign = if offset_seconds < 0 { '-' } else { '+' };
    let abs = offset_seconds.unsigned_abs();
    let (h, m) = (abs / 3600, abs % 3600 / 60);
    if m == 0 {
        format!("GMT{sign}{h}")
    } else {
        format!("GMT{sign}{h}:{m:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_real_zones() {
        assert_eq!(zone_at(52.52, 13.405), chrono_tz::Europe::Berlin);
        assert_eq!(zone_at(27.7172, 85.324), chrono_tz::Asia::Kathmandu);
        assert_eq!(zone_at(28.6139, 77.209), chrono_tz::Asia::Kolkata);
        assert_eq!(zone_at(47.5615, -52.7126), chrono_tz::America::St_Johns);
        assert_eq!(zone_at(-43.95, -176.56), chrono_tz::Pacific::Chatham);
    }

    #[test]
    fn abbreviations_have_minutes_only_when_needed() {
        assert_eq!(abbreviation(0), "GMT");
        assert_eq!(abbreviation(-14_400), "GMT-4");
        assert_eq!(abbreviation(20_700), "GMT+5:45");
        assert_eq!(abbreviation(-9_000), "GMT-2:30");
    }
}
