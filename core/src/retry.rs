//! Asking the weather service again: how long to wait after a 429 (`Retry-After`), and the
//! generation rule that lets only the newest attempt's answer reach the cards.
//!
//! The browser code only executes these rules (`src/state/feeds.rs`); they are tested here, on
//! the host.

/// How long to wait after a 429 that did not say (`Retry-After` missing or unreadable), s.
pub const DEFAULT_RETRY_AFTER_S: u32 = 30;
/// The longest wait honoured before retrying by itself, s: a service asking for more gets this.
pub const MAX_RETRY_AFTER_S: u32 = 3600;

/// Reads a `Retry-After` header's delay in seconds (`"120"`). An HTTP date, a negative or
/// fractional number, or anything else gives `None` (the caller then waits
/// [`DEFAULT_RETRY_AFTER_S`]).
pub fn parse_retry_after(value: &str) -> Option<u32> {
    let v = value.trim();
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Digits only: too many of them is still "a long time", not "unreadable".
    Some(v.parse().unwrap_or(u32::MAX))
}

/// How long to wait after a 429 that asked for `retry_after` seconds (or did not say):
/// [`DEFAULT_RETRY_AFTER_S`] when it did not, never more than [`MAX_RETRY_AFTER_S`].
pub fn retry_wait_s(retry_after: Option<u32>) -> u32 {
    retry_after
        .unwrap_or(DEFAULT_RETRY_AFTER_S)
        .min(MAX_RETRY_AFTER_S)
}

/// The attempts of one call, numbered: an answer is shown only if no newer attempt (or a
/// cancellation) has begun since its own began, so a late answer to an older request never
/// overwrites a newer one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Generation(u64);

/// The number of one attempt, given by [`Generation::begin`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket(u64);

impl Generation {
    /// A new attempt begins: every earlier ticket is now stale.
    pub fn begin(&mut self) -> Ticket {
        self.0 += 1;
        Ticket(self.0)
    }

    /// No attempt is current any more (the call failed for a reason of its own, such as the
    /// place not being found): answers still on their way are dropped.
    pub fn cancel(&mut self) {
        self.0 += 1;
    }

    /// Whether the answer to `ticket`'s attempt may be shown.
    pub fn is_current(&self, ticket: Ticket) -> bool {
        self.0 == ticket.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_delay_seconds_only() {
        assert_eq!(parse_retry_after("120"), Some(120));
        assert_eq!(parse_retry_after(" 7 "), Some(7));
        assert_eq!(parse_retry_after("0"), Some(0));
        assert_eq!(parse_retry_after("99999999999999"), Some(u32::MAX));
        for bad in [
            "",
            " ",
            "-5",
            "1.5",
            "+3",
            "soon",
            "Wed, 21 Oct 2015 07:28:00 GMT",
        ] {
            assert_eq!(parse_retry_after(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_wait_has_a_default_and_a_cap() {
        assert_eq!(retry_wait_s(None), DEFAULT_RETRY_AFTER_S);
        assert_eq!(retry_wait_s(Some(0)), 0);
        assert_eq!(retry_wait_s(Some(5)), 5);
        assert_eq!(retry_wait_s(Some(MAX_RETRY_AFTER_S)), MAX_RETRY_AFTER_S);
        assert_eq!(retry_wait_s(Some(MAX_RETRY_AFTER_S + 1)), MAX_RETRY_AFTER_S);
        assert_eq!(
            retry_wait_s(parse_retry_after("99999999999999")),
            MAX_RETRY_AFTER_S
        );
        assert_eq!(retry_wait_s(parse_retry_after("soon")), 30);
    }

    #[test]
    fn only_the_newest_attempt_is_shown() {
        let mut g = Generation::default();
        let first = g.begin();
        assert!(g.is_current(first));
        let second = g.begin();
        // The first answer arrives late: dropped; the second is shown.
        assert!(!g.is_current(first));
        assert!(g.is_current(second));
    }

    #[test]
    fn a_cancellation_drops_the_answer_on_its_way() {
        let mut g = Generation::default();
        let t = g.begin();
        g.cancel();
        assert!(!g.is_current(t));
        let next = g.begin();
        assert!(g.is_current(next));
        assert!(!g.is_current(t));
    }
}
