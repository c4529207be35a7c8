//! Throttled logging: a flood of the same event (refused uploads, refused connections) is
//! logged once per period, each line saying how many like it were left out since the last.

use std::sync::atomic::Ordering;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

use crate::metrics::Metrics;

/// Lets one log line of a kind through per period.
#[derive(Debug)]
pub struct LogGate {
    period: Duration,
    state: Mutex<(Option<Instant>, u64)>,
}

impl LogGate {
    /// A gate that opens once per `period`.
    pub const fn new(period: Duration) -> LogGate {
        LogGate {
            period,
            state: Mutex::new((None, 0)),
        }
    }

    /// `Some(n)` when a line may be logged now, `n` being how many were left out since the
    /// last; `None` when this one is left out (and counted in `metrics`).
    pub fn pass(&self, now: Instant, metrics: &Metrics) -> Option<u64> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let (last, suppressed) = &mut *state;
        match *last {
            Some(t) if now.saturating_duration_since(t) < self.period => {
                *suppressed += 1;
                metrics.log_lines_suppressed.fetch_add(1, Ordering::Relaxed);
                None
            }
            _ => {
                *last = Some(now);
                Some(std::mem::take(suppressed))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_period_with_the_count_left_out() {
        let m = Metrics::default();
        let gate = LogGate::new(Duration::from_secs(10));
        let t0 = Instant::now();
        assert_eq!(gate.pass(t0, &m), Some(0));
        for i in 1..=500 {
            assert_eq!(gate.pass(t0 + Duration::from_millis(i), &m), None);
        }
        assert_eq!(gate.pass(t0 + Duration::from_secs(10), &m), Some(500));
        assert_eq!(m.log_lines_suppressed.load(Ordering::Relaxed), 500);
    }
}
