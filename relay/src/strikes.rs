//! Failed station uploads per client address: after `max` failures (no credential, unknown
//! station, wrong key) within a window, every upload from that address is refused (429) until
//! the window ends, so station keys cannot be guessed at network speed. A station that is
//! merely misconfigured uploads every few seconds and stays under the limit, still seeing
//! its 401. Addresses are counted by [`limit_key`] (an IPv6 client by its /64). Time is passed
//! in, so the policy is tested without sleeping.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

use crate::client_ip::limit_key;

/// Most addresses remembered at once; beyond, addresses whose window has ended are forgotten
/// first, and a new address is not tracked while all are live (the table cannot grow without
/// bound under a flood from many networks).
const MAX_TRACKED: usize = 10_000;

/// The failure counts.
#[derive(Debug)]
pub struct Strikes {
    max: u32,
    window: Duration,
    by_client: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl Strikes {
    /// Allows `max` failures per `window` and address.
    pub fn new(max: u32, window: Duration) -> Strikes {
        Strikes {
            max,
            window,
            by_client: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, (Instant, u32)>> {
        self.by_client.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How long `client` must wait before it may upload again, if it is blocked.
    pub fn blocked(&self, client: IpAddr, now: Instant) -> Option<Duration> {
        let by_client = self.lock();
        let (start, n) = by_client.get(&limit_key(client))?;
        let ends = *start + self.window;
        (*n >= self.max && now < ends).then(|| ends - now)
    }

    /// Counts a failure of `client`.
    pub fn strike(&self, client: IpAddr, now: Instant) {
        let client = limit_key(client);
        let mut by_client = self.lock();
        if by_client.len() >= MAX_TRACKED && !by_client.contains_key(&client) {
            let window = self.window;
            by_client.retain(|_, (start, _)| now.saturating_duration_since(*start) < window);
            if by_client.len() >= MAX_TRACKED {
                return;
            }
        }
        let entry = by_client.entry(client).or_insert((now, 0));
        if now.saturating_duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 += 1;
    }

    /// How many addresses are tracked.
    pub fn tracked(&self) -> usize {
        self.lock().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_blocked_after_max_failures_until_its_window_ends() {
        let strikes = Strikes::new(3, Duration::from_secs(60));
        let (a, b): (IpAddr, IpAddr) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        let t0 = Instant::now();
        for i in 0..3 {
            assert_eq!(strikes.blocked(a, t0), None, "after {i} failures");
            strikes.strike(a, t0 + Duration::from_secs(i));
        }
        assert_eq!(
            strikes.blocked(a, t0 + Duration::from_secs(10)),
            Some(Duration::from_secs(50))
        );
        assert_eq!(strikes.blocked(b, t0), None, "another address is not");
        // The window ends: a fresh start.
        let later = t0 + Duration::from_secs(60);
        assert_eq!(strikes.blocked(a, later), None);
        strikes.strike(a, later);
        assert_eq!(strikes.blocked(a, later), None);
    }

    #[test]
    fn an_ipv6_client_counts_by_its_64() {
        let strikes = Strikes::new(1, Duration::from_secs(60));
        let t0 = Instant::now();
        strikes.strike("2001:db8:1:2::1".parse().unwrap(), t0);
        assert!(strikes
            .blocked("2001:db8:1:2::2".parse().unwrap(), t0)
            .is_some());
        assert!(strikes
            .blocked("2001:db8:1:3::1".parse().unwrap(), t0)
            .is_none());
    }

    #[test]
    fn the_table_is_bounded_and_forgets_ended_windows_first() {
        let strikes = Strikes::new(1, Duration::from_secs(60));
        let t0 = Instant::now();
        let ip = |i: u32| IpAddr::from(std::net::Ipv4Addr::from(i));
        for i in 0..MAX_TRACKED as u32 + 10 {
            strikes.strike(ip(i), t0);
        }
        assert_eq!(strikes.tracked(), MAX_TRACKED);
        // Once their windows end, new addresses are tracked again.
        let later = t0 + Duration::from_secs(61);
        strikes.strike(ip(u32::MAX), later);
        assert_eq!(strikes.tracked(), 1);
        assert!(strikes.blocked(ip(u32::MAX), later).is_some());
    }
}
