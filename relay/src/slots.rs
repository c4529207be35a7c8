//! Connection slots per client address. A slot is a guard: it is given back when dropped,
//! whatever ends the connection (a failed upgrade, a client reset, a panic, a normal close),
//! so no path can leak one.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::client_ip::limit_key;

/// How many connections each client address holds, up to a maximum.
#[derive(Debug)]
pub struct Slots {
    max: usize,
    held: Mutex<HashMap<IpAddr, usize>>,
}

/// One connection's slot; dropping it frees it.
#[derive(Debug)]
pub struct Slot {
    slots: Arc<Slots>,
    key: IpAddr,
}

impl Slots {
    /// A table allowing `max` connections per address.
    pub fn new(max: usize) -> Arc<Slots> {
        Arc::new(Slots {
            max,
            held: Mutex::new(HashMap::new()),
        })
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<IpAddr, usize>> {
        // The map stays consistent even if a holder panicked: every change is one statement.
        self.held.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes a slot for `client` (counted by [`limit_key`]: an IPv6 client by its /64), or
    /// `None` when it holds the maximum already.
    pub fn take(self: &Arc<Self>, client: IpAddr) -> Option<Slot> {
        let key = limit_key(client);
        let mut held = self.lock();
        let n = held.entry(key).or_insert(0);
        if *n >= self.max {
            return None;
        }
        *n += 1;
        Some(Slot {
            slots: self.clone(),
            key,
        })
    }

    /// Slots held over all addresses, and how many addresses hold any.
    pub fn held(&self) -> (usize, usize) {
        let held = self.lock();
        (held.values().sum(), held.len())
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut held = self.slots.lock();
        if let Some(n) = held.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                held.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_slot_is_free_again_even_when_dropped_by_a_panic() {
        let slots = Slots::new(2);
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let a = slots.take(ip).unwrap();
        let b = slots.take(ip).unwrap();
        assert!(slots.take(ip).is_none());
        assert!(slots.take("192.0.2.2".parse().unwrap()).is_some());
        drop(a);
        let c = slots.take(ip).unwrap();
        let held = std::thread::spawn(move || {
            let _c = c;
            panic!("a handler panicked");
        })
        .join();
        assert!(held.is_err());
        drop(b);
        assert_eq!(slots.held(), (0, 0), "every slot came back");
    }

    #[test]
    fn an_ipv6_client_counts_by_its_64() {
        let slots = Slots::new(1);
        let _a = slots.take("2001:db8:1:2::1".parse().unwrap()).unwrap();
        assert!(slots.take("2001:db8:1:2::ffff".parse().unwrap()).is_none());
        assert!(slots.take("2001:db8:1:3::1".parse().unwrap()).is_some());
    }
}
