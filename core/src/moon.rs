//! The moon: its phase now, the instants of the next new and full moons (Meeus, *Astronomical
//! Algorithms*, ch. 49, with the main periodic terms: within a few minutes), its illuminated
//! fraction (ch. 48), its phase in words, and its place in the sky (Montenbruck and Pfleger's
//! "MiniMoon" series, a few arc-minutes), from which the simulator finds moonrise and moonset.
//!
//! Trigonometry goes through [`crate::sun::trig`] (JavaScript's `Math` in WebAssembly).

use crate::sun::trig::{asin, cos, sin};

/// Days in a mean synodic month (new moon to new moon).
pub const SYNODIC_MONTH_DAYS: f64 = 29.530588861;

/// The moon's altitude at rising and setting, degrees: its parallax less refraction and its
/// semi-diameter (Meeus ch. 15, as Open-Meteo uses).
pub const RISE_ALTITUDE: f64 = 0.125;

/// Julian centuries since J2000.0 at `epoch` (Unix seconds).
fn centuries(epoch: f64) -> f64 {
    (epoch / 86400.0 + 2440587.5 - 2451545.0) / 36525.0
}

fn degrees(x: f64) -> f64 {
    x - 360.0 * (x / 360.0).floor()
}

/// The moon's elongation from the sun (0 new, 180 full), corrected by the main terms, and
/// the phase angle (Meeus ch. 48, low precision), in degrees.
fn elongation_and_phase_angle(epoch: f64) -> (f64, f64) {
    let t = centuries(epoch);
    let d = degrees(297.8501921 + 445267.1114034 * t);
    let m = degrees(357.5291092 + 35999.0502909 * t);
    let mp = degrees(134.9633964 + 477198.8675055 * t);
    let i = 180.0 - d - 6.289 * sin(mp) + 2.100 * sin(m)
        - 1.274 * sin(2.0 * d - mp)
        - 0.658 * sin(2.0 * d)
        - 0.214 * sin(2.0 * mp)
        - 0.110 * sin(d);
    (degrees(180.0 - i), i)
}

/// The phase at `epoch` as a fraction of the synodic month: 0 new, 0.25 first quarter, 0.5
/// full, 0.75 last quarter (Open-Meteo's `moon_phase`).
pub fn phase(epoch: i64) -> f64 {
    elongation_and_phase_angle(epoch as f64).0 / 360.0
}

/// The illuminated fraction of the disc at `epoch`, 0 to 1.
pub fn illuminated(epoch: i64) -> f64 {
    (1.0 + cos(elongation_and_phase_angle(epoch as f64).1)) / 2.0
}

/// The illuminated fraction for a phase `fraction` of the synodic month (within about 1 %).
pub fn illuminated_at_phase(fraction: f64) -> f64 {
    (1.0 - cos(fraction * 360.0)) / 2.0
}

/// The phase in words: "New moon", "Waxing crescent", "First quarter", "Waxing gibbous", "Full
/// moon", "Waning gibbous", "Last quarter", "Waning crescent". The four main phases are named
/// within about a day of their instant (1/30 of the month each side).
pub fn phase_name(fraction: f64) -> &'static str {
    let f = fraction - fraction.floor();
    let near = |x: f64| (f - x).abs() < 1.0 / 30.0;
    if !(1.0 / 30.0..=29.0 / 30.0).contains(&f) {
        "New moon"
    } else if near(0.25) {
        "First quarter"
    } else if near(0.5) {
        "Full moon"
    } else if near(0.75) {
        "Last quarter"
    } else if f < 0.25 {
        "Waxing crescent"
    } else if f < 0.5 {
        "Waxing gibbous"
    } else if f < 0.75 {
        "Waning gibbous"
    } else {
        "Waning crescent"
    }
}

/// Which phase instant to find.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// New moon.
    New,
    /// Full moon.
    Full,
}

/// The instant (Unix seconds) of the lunation `k` (Meeus ch. 49: k = 0 is the new moon of
/// 2000-01-06; `k + 0.5` the full moon after it).
fn instant(k: f64, full: bool) -> f64 {
    let t = k / 1236.85;
    let jde = 2451550.09766 + 29.530588861 * k + 0.00015437 * t * t;
    let e = 1.0 - 0.002516 * t;
    let m = degrees(2.5534 + 29.1053567 * k);
    let mp = degrees(201.5643 + 385.81693528 * k + 0.0107582 * t * t);
    let f = degrees(160.7108 + 390.67050284 * k - 0.0016118 * t * t);
    let om = degrees(124.7746 - 1.56375588 * k + 0.0020672 * t * t);
    // Meeus's table 49.A, the new-moon column and the full-moon column written out: a
    // table-driven form measured 264 bytes larger in the bundle.
    let c = if full {
        -0.40614 * sin(mp)
            + 0.17302 * e * sin(m)
            + 0.01614 * sin(2.0 * mp)
            + 0.01043 * sin(2.0 * f)
            + 0.00734 * e * sin(mp - m)
            - 0.00514 * e * sin(mp + m)
            + 0.00209 * e * e * sin(2.0 * m)
            - 0.00111 * sin(mp - 2.0 * f)
            - 0.00057 * sin(mp + 2.0 * f)
            + 0.00056 * e * sin(2.0 * mp + m)
            - 0.00042 * sin(3.0 * mp)
            + 0.00042 * e * sin(m + 2.0 * f)
            + 0.00038 * e * sin(m - 2.0 * f)
            - 0.00024 * e * sin(2.0 * mp - m)
            - 0.00017 * sin(om)
    } else {
        -0.40720 * sin(mp)
            + 0.17241 * e * sin(m)
            + 0.01608 * sin(2.0 * mp)
            + 0.01039 * sin(2.0 * f)
            + 0.00739 * e * sin(mp - m)
            - 0.00514 * e * sin(mp + m)
            + 0.00208 * e * e * sin(2.0 * m)
            - 0.00111 * sin(mp - 2.0 * f)
            - 0.00057 * sin(mp + 2.0 * f)
            + 0.00056 * e * sin(2.0 * mp + m)
            - 0.00042 * sin(3.0 * mp)
            + 0.00042 * e * sin(m + 2.0 * f)
            + 0.00038 * e * sin(m - 2.0 * f)
            - 0.00024 * e * sin(2.0 * mp - m)
            - 0.00017 * sin(om)
    };
    // Terrestrial time to UT: about 69 s in the 2020s.
    (jde + c - 2440587.5) * 86400.0 - 69.0
}

/// The first new or full moon after `epoch` (Unix seconds), to within a few minutes.
pub fn next(epoch: i64, which: Phase) -> i64 {
    let offset = if which == Phase::Full { 0.5 } else { 0.0 };
    let days = (epoch as f64 / 86400.0 + 2440587.5 - 2451550.09766) / SYNODIC_MONTH_DAYS;
    let mut k = (days - offset).floor() + offset - 1.0;
    loop {
        let t = instant(k, which == Phase::Full);
        if t > epoch as f64 {
            return t.round() as i64;
        }
        k += 1.0;
    }
}

/// The moon's geocentric altitude above the horizon at (`lat`, `lon`) at `epoch`, degrees
/// (MiniMoon's position, a few arc-minutes; Meeus ch. 12 and 13 for the sky).
pub fn altitude(lat: f64, lon: f64, epoch: i64) -> f64 {
    let t = centuries(epoch as f64);
    let frac = |x: f64| x - x.floor();
    let l0 = frac(0.606433 + 1336.855225 * t);
    let l = 360.0 * frac(0.374897 + 1325.55241 * t);
    let ls = 360.0 * frac(0.993133 + 99.997361 * t);
    let d = 360.0 * frac(0.827361 + 1236.853086 * t);
    let f = 360.0 * frac(0.259086 + 1342.227825 * t);
    let dl =
        22640.0 * sin(l) - 4586.0 * sin(l - 2.0 * d) + 2370.0 * sin(2.0 * d) + 769.0 * sin(2.0 * l)
            - 668.0 * sin(ls)
            - 412.0 * sin(2.0 * f)
            - 212.0 * sin(2.0 * l - 2.0 * d)
            - 206.0 * sin(l + ls - 2.0 * d)
            + 192.0 * sin(l + 2.0 * d)
            - 165.0 * sin(ls - 2.0 * d)
            - 125.0 * sin(d)
            - 110.0 * sin(l + ls)
            + 148.0 * sin(l - ls)
            - 55.0 * sin(2.0 * f - 2.0 * d);
    // Arc-seconds to degrees.
    let s = f + (dl + 412.0 * sin(2.0 * f) + 541.0 * sin(ls)) / 3600.0;
    let h = f - 2.0 * d;
    let n = -526.0 * sin(h) + 44.0 * sin(l + h) - 31.0 * sin(-l + h) - 23.0 * sin(ls + h)
        + 11.0 * sin(-ls + h)
        - 25.0 * sin(-2.0 * l + f)
        + 21.0 * sin(-l + f);
    let lambda = 360.0 * frac(l0 + dl / 1296000.0);
    let beta = (18520.0 * sin(s) + n) / 3600.0;
    // Ecliptic to equatorial.
    let eps = 23.439291 - 0.0130042 * t;
    let dec = asin(sin(beta) * cos(eps) + cos(beta) * sin(eps) * sin(lambda));
    let ra = {
        let y = sin(lambda) * cos(eps) - crate::sun::trig::tan(beta) * sin(eps);
        let x = cos(lambda);
        crate::sun::trig::atan2(y, x)
    };
    // The hour angle from Greenwich mean sidereal time.
    let days = epoch as f64 / 86400.0 + 2440587.5 - 2451545.0;
    let gmst = degrees(280.46061837 + 360.98564736629 * days);
    let hour_angle = gmst + lon - ra;
    asin(sin(lat) * sin(dec) + cos(lat) * cos(dec) * cos(hour_angle))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn at(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp()
    }

    /// Published instants (USNO / NASA eclipse tables, UTC): eclipse days, where the
    /// instants are well known.
    const FULL: &[&str] = &[
        "2024-01-25T17:54:00Z",
        "2024-03-25T07:00:00Z",
        "2025-03-14T06:55:00Z",
        "2025-09-07T18:09:00Z",
    ];
    const NEW: &[&str] = &[
        "2024-01-11T11:57:00Z",
        "2024-04-08T18:21:00Z",
        "2025-09-21T19:54:00Z",
    ];

    #[test]
    fn next_full_and_new_moons_match_published_instants() {
        for (list, which) in [(FULL, Phase::Full), (NEW, Phase::New)] {
            for s in list {
                let want = at(s);
                // From three days and from twenty days before.
                for before in [3 * 86400, 20 * 86400] {
                    let got = next(want - before, which);
                    assert!((got - want).abs() <= 600, "{which:?} {s}: {got} vs {want}");
                }
                let p = phase(want);
                let expected = if which == Phase::Full { 0.5 } else { 0.0 };
                let off = ((p - expected + 0.5).rem_euclid(1.0) - 0.5).abs();
                assert!(off < 0.01, "{s}: phase {p}");
                let lit = illuminated(want);
                let expected = if which == Phase::Full { 1.0 } else { 0.0 };
                assert!((lit - expected).abs() < 0.01, "{s}: lit {lit}");
            }
        }
    }

    #[test]
    fn phases_have_names_and_the_illumination_follows() {
        assert_eq!(phase_name(0.0), "New moon");
        assert_eq!(phase_name(0.99), "New moon");
        assert_eq!(phase_name(0.1), "Waxing crescent");
        assert_eq!(phase_name(0.25), "First quarter");
        assert_eq!(phase_name(0.4), "Waxing gibbous");
        assert_eq!(phase_name(0.5), "Full moon");
        assert_eq!(phase_name(0.6), "Waning gibbous");
        assert_eq!(phase_name(0.75), "Last quarter");
        assert_eq!(phase_name(0.9), "Waning crescent");
        assert!((illuminated_at_phase(0.25) - 0.5).abs() < 1e-9);
        assert!(illuminated_at_phase(0.5) > 0.999);
    }

    #[test]
    fn the_full_moon_rises_at_sunset() {
        // 2025-09-07, Berlin: full moon at 18:09 UTC; sunset about 17:40 UTC. At sunset the
        // moon is on the eastern horizon (within about 5°), and it is up at midnight.
        let sunset = at("2025-09-07T17:40:00Z");
        let alt = altitude(52.52, 13.405, sunset);
        assert!(alt.abs() < 6.0, "{alt}");
        assert!(altitude(52.52, 13.405, at("2025-09-07T23:00:00Z")) > 15.0);
        assert!(altitude(52.52, 13.405, at("2025-09-07T11:00:00Z")) < -15.0);
    }
}
