//! Rain in the next two hours, in one sentence, from the forecast API's 15-minute
//! precipitation (`minutely_15=precipitation`): "Light rain starting in about 20 min, easing off
//! by 11:15", "No rain expected in the next 2 hours".
//!
//! Each 15-minute value is the amount that falls in the quarter hour *before* its time, in the
//! request's precipitation unit; four times it is the rate per hour. The sentence follows Dark
//! Sky's templates as Pirate Weather keeps them: it finds the first start, the first end and
//! the second start of precipitation and says the ones that exist. The intensity is the
//! highest rate of the first spell: light below 2.5 mm/h, rain to 7.6 mm/h, heavy above
//! (AMS-style thresholds). Times to a start are "about" a multiple of 5 minutes: a 15-minute grid
//! supports no finer.
//!
//! A `null` quarter is unknown: inside the window it takes the state before it; at the end it
//! shortens the window the sentence speaks for; with no known quarter there is no sentence.

/// How long ahead the sentence looks, in seconds.
pub const WINDOW_S: i64 = 2 * 3600;
/// The length of one value's interval, in seconds.
pub const SLOT_S: i64 = 900;
/// The rate (mm/h) from which it counts as rain: Open-Meteo's 0.1 mm in a quarter hour.
pub const WET_MM_PER_H: f64 = 0.4;

/// How hard it rains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Intensity {
    /// Below 2.5 mm/h.
    Light,
    /// 2.5 to 7.6 mm/h.
    Moderate,
    /// Above 7.6 mm/h.
    Heavy,
}

impl Intensity {
    /// The intensity of a rate in mm/h.
    pub fn of(mm_per_h: f64) -> Intensity {
        if mm_per_h > 7.6 {
            Intensity::Heavy
        } else if mm_per_h >= 2.5 {
            Intensity::Moderate
        } else {
            Intensity::Light
        }
    }

    /// The words that start a sentence: "Light rain", "Rain", "Heavy rain".
    pub fn words(self) -> &'static str {
        match self {
            Intensity::Light => "Light rain",
            Intensity::Moderate => "Rain",
            Intensity::Heavy => "Heavy rain",
        }
    }
}

/// The quarters that matter at `now`: from the one that contains `now` to the end of the
/// window, each as (start, end, rate in mm/h or `None`). `mm_per_unit` turns the values into
/// millimetres (1 for mm, 25.4 for inches).
pub fn quarters(
    now: i64,
    values: &[(i64, Option<f64>)],
    mm_per_unit: f64,
) -> Vec<(i64, i64, Option<f64>)> {
    values
        .iter()
        .filter(|(end, _)| *end > now && end - SLOT_S < now + WINDOW_S)
        .map(|&(end, v)| (end - SLOT_S, end, v.map(|v| v * mm_per_unit * 4.0)))
        .collect()
}

/// The sentence for the next two hours at `now`, from the quarters of [`quarters`]. `clock`
/// writes a time of day in the place's zone. `None` when no quarter is known.
pub fn sentence(
    now: i64,
    quarters: &[(i64, i64, Option<f64>)],
    clock: impl Fn(i64) -> String,
) -> Option<String> {
    // Unknown quarters at the end shorten the window; inside, they take the state before.
    let known = quarters.iter().rposition(|q| q.2.is_some())?;
    let mut wet = Vec::with_capacity(known + 1);
    let mut last = false;
    for q in &quarters[..=known] {
        if let Some(rate) = q.2 {
            last = rate >= WET_MM_PER_H;
        }
        wet.push(last);
    }
    let window_end = quarters[known].1;
    let Some(start) = wet.iter().position(|w| *w) else {
        let minutes = ((window_end - now) as f64 / 60.0 / 15.0).round() as i64 * 15;
        return Some(if minutes >= 105 {
            "No rain expected in the next 2 hours.".to_owned()
        } else {
            format!("No rain expected in the next {minutes} min.")
        });
    };
    let end = wet[start..].iter().position(|w| !*w).map(|n| start + n);
    let again = end.and_then(|e| wet[e..].iter().position(|w| *w).map(|n| e + n));
    let strongest = quarters[start..end.unwrap_or(wet.len())]
        .iter()
        .filter_map(|q| q.2)
        .fold(0.0, f64::max);
    let mut s = Intensity::of(strongest).words().to_owned();
    if start == 0 {
        match end {
            None if window_end >= now + WINDOW_S => s.push_str(" for the next 2 hours"),
            None => s.push_str(&format!(" now, until at least {}", clock(window_end))),
            Some(_) => s.push_str(" now"),
        }
    } else {
        let minutes = ((quarters[start].0 - now) as f64 / 300.0).round().max(1.0) as i64 * 5;
        s.push_str(&format!(" starting in about {minutes} min"));
    }
    if let Some(e) = end {
        s.push_str(&format!(", easing off by {}", clock(quarters[e].0)));
        if let (Some(a), 0) = (again, start) {
            s.push_str(&format!(", starting again around {}", clock(quarters[a].0)));
        }
    }
    s.push('.');
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 10:00 UTC on some day; quarters end at 10:15, 10:30, …
    const T0: i64 = 1_700_000_000 - 1_700_000_000 % 86_400 + 36_000;

    fn clock(t: i64) -> String {
        let m = t.rem_euclid(86_400) / 60;
        format!("{:02}:{:02}", m / 60, m % 60)
    }

    /// The sentence at `now` for quarters ending at T0 + 15 min, + 30 min, … with `mm` each.
    fn say(now: i64, mm: &[Option<f64>]) -> Option<String> {
        let values: Vec<(i64, Option<f64>)> = mm
            .iter()
            .enumerate()
            .map(|(i, v)| (T0 + (i as i64 + 1) * SLOT_S, *v))
            .collect();
        sentence(now, &quarters(now, &values, 1.0), clock)
    }

    fn all(v: &[f64]) -> Vec<Option<f64>> {
        v.iter().map(|x| Some(*x)).collect()
    }

    #[test]
    fn dry() {
        assert_eq!(
            say(T0, &all(&[0.0; 9])).as_deref(),
            Some("No rain expected in the next 2 hours.")
        );
        // A trace below 0.1 mm a quarter is not rain.
        assert_eq!(
            say(T0, &all(&[0.05, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])).as_deref(),
            Some("No rain expected in the next 2 hours.")
        );
    }

    #[test]
    fn raining_throughout() {
        assert_eq!(
            say(T0, &all(&[0.3; 9])).as_deref(),
            Some("Light rain for the next 2 hours.")
        );
        assert_eq!(
            say(T0, &all(&[1.0; 9])).as_deref(),
            Some("Rain for the next 2 hours."),
            "4 mm/h"
        );
        assert_eq!(
            say(T0, &all(&[3.0; 9])).as_deref(),
            Some("Heavy rain for the next 2 hours."),
            "12 mm/h"
        );
    }

    #[test]
    fn raining_now_and_stopping() {
        assert_eq!(
            say(
                T0 + 120,
                &all(&[0.2, 0.3, 0.1, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
            )
            .as_deref(),
            Some("Light rain now, easing off by 10:45.")
        );
    }

    #[test]
    fn starting_then_stopping() {
        // Dry until 10:30, light rain 10:30–11:15.
        assert_eq!(
            say(
                T0 + 600,
                &all(&[0.0, 0.0, 0.2, 0.4, 0.3, 0.0, 0.0, 0.0, 0.0])
            )
            .as_deref(),
            Some("Light rain starting in about 20 min, easing off by 11:15.")
        );
        assert_eq!(
            say(T0, &all(&[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.5, 2.5, 2.5])).as_deref(),
            Some("Heavy rain starting in about 90 min."),
            "still raining at the end of the window"
        );
    }

    #[test]
    fn intermittent() {
        assert_eq!(
            say(T0, &all(&[0.5, 0.5, 0.0, 0.0, 0.0, 0.8, 0.8, 0.0, 0.0])).as_deref(),
            Some("Light rain now, easing off by 10:30, starting again around 11:15.")
        );
        // Starting, stopping and starting again: the second spell is not said.
        assert_eq!(
            say(T0, &all(&[0.0, 0.2, 0.0, 0.0, 0.2, 0.2, 0.0, 0.0, 0.0])).as_deref(),
            Some("Light rain starting in about 15 min, easing off by 10:30.")
        );
    }

    #[test]
    fn nulls() {
        // No known quarter: no sentence.
        assert_eq!(say(T0, &[None; 9]), None);
        assert_eq!(say(T0, &[]), None);
        // A gap inside a spell does not split it.
        let mut mm = all(&[0.3, 0.3, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
        mm[1] = None;
        assert_eq!(
            say(T0, &mm).as_deref(),
            Some("Light rain now, easing off by 10:30.")
        );
        // Unknown from 11:00 on: the window is what is known.
        let mut mm = all(&[0.0; 9]);
        for v in &mut mm[4..] {
            *v = None;
        }
        assert_eq!(
            say(T0, &mm).as_deref(),
            Some("No rain expected in the next 60 min.")
        );
        let mut mm = all(&[0.3; 9]);
        for v in &mut mm[4..] {
            *v = None;
        }
        assert_eq!(
            say(T0, &mm).as_deref(),
            Some("Light rain now, until at least 11:00.")
        );
    }

    #[test]
    fn only_the_quarters_from_now_on_count() {
        // At 10:40 the 10:15 and 10:30 quarters have passed; the one ending 10:45 is now.
        let mm = all(&[3.0, 3.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
        assert_eq!(
            say(T0 + 2400, &mm).as_deref(),
            Some("No rain expected in the next 2 hours.")
        );
        // Inches: 0.02 in a quarter hour is 2 mm/h.
        let values = [(T0 + SLOT_S, Some(0.02)), (T0 + 2 * SLOT_S, Some(0.0))];
        assert_eq!(
            sentence(T0, &quarters(T0, &values, 25.4), clock).as_deref(),
            Some("Light rain now, easing off by 10:15.")
        );
    }
}
