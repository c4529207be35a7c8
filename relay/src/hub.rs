//! Who listens to what. A topic is a place (rounded to the 0.1° model grid, so neighbours share
//! it) or a station. Each message is serialised once and handed to every subscriber's bounded
//! queue; a subscriber whose queue is full is dropped rather than slowing the others.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use tokio::time::Instant;

use axum::extract::ws::Utf8Bytes;
use isobar_core::live::{ServerMessage, Target};
use tokio::sync::mpsc::PermitIterator;
use tokio::sync::{mpsc, Notify};
use tokio::task::AbortHandle;

/// A topic's key: a grid cell of 0.1° or a station id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TopicKey {
    /// A place, in tenths of a degree.
    Place {
        /// Latitude × 10, rounded.
        lat10: i32,
        /// Longitude × 10, rounded (wrapped into −1800..1800).
        lon10: i32,
    },
    /// A station.
    Station(String),
}

impl TopicKey {
    /// The topic a subscription target belongs to.
    pub fn of(target: &Target) -> Option<TopicKey> {
        match target {
            Target::Place { lat, lon } => {
                if !(lat.is_finite() && lon.is_finite() && lat.abs() <= 90.0 && lon.abs() <= 180.0)
                {
                    return None;
                }
                let lon10 = (lon * 10.0).round() as i32;
                Some(TopicKey::Place {
                    lat10: (lat * 10.0).round() as i32,
                    lon10: if lon10 == 1800 { -1800 } else { lon10 },
                })
            }
            Target::Station { station } => isobar_core::live::is_station_id(station)
                .then(|| TopicKey::Station(station.clone())),
        }
    }

    /// The target as the relay reports it (a place at its grid cell's centre).
    pub fn target(&self) -> Target {
        match self {
            TopicKey::Place { lat10, lon10 } => Target::Place {
                lat: f64::from(*lat10) / 10.0,
                lon: f64::from(*lon10) / 10.0,
            },
            TopicKey::Station(s) => Target::Station { station: s.clone() },
        }
    }
}

/// A message on its way to one client.
#[derive(Debug)]
pub struct Outgoing {
    /// The serialised message.
    pub text: Utf8Bytes,
    /// When it was published to every subscriber (`None` for a reply to this client), for the
    /// delivery-time histogram.
    pub published: Option<Instant>,
}

/// One client's way in: its queue, and a bell that closes it.
#[derive(Clone, Debug)]
pub struct Outbox {
    /// The client's bounded queue of serialised messages.
    pub queue: mpsc::Sender<Outgoing>,
    /// Rung when the client must be dropped.
    pub close: Arc<Notify>,
}

impl Outbox {
    /// Queues a message; `false` when the queue is full or gone (the client is then closed).
    pub fn offer(&self, text: Utf8Bytes) -> bool {
        self.offer_published(text, None)
    }

    /// Queues a published message, stamped with when it was published.
    pub fn offer_published(&self, text: Utf8Bytes, published: Option<Instant>) -> bool {
        if self.queue.try_send(Outgoing { text, published }).is_ok() {
            true
        } else {
            self.close.notify_one();
            false
        }
    }
}

/// Serialises a message for the wire.
pub fn encode(msg: &ServerMessage) -> Utf8Bytes {
    Utf8Bytes::from(serde_json::to_string(msg).expect("messages serialise"))
}

#[derive(Default)]
struct Topic {
    subscribers: HashMap<u64, Outbox>,
    last: Option<Utf8Bytes>,
    poller: Option<AbortHandle>,
}

#[derive(Default)]
struct Topics {
    by_key: HashMap<TopicKey, Topic>,
    places: usize,
}

/// All topics. A place's topic lives while it has subscribers; a declared station's lives as
/// long as the relay (it keeps the last observation for the next viewer); no other topic can
/// be made, so the number of topics is bounded by `max_places` and the declared stations.
pub struct Hub {
    topics: Mutex<Topics>,
    stations: HashSet<String>,
    max_places: usize,
}

/// Why a subscription was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The station is not declared in the relay's configuration.
    UnknownStation,
    /// The relay already polls `max_places` places.
    TooManyPlaces,
}

impl Hub {
    /// A hub for the declared `stations`, polling at most `max_places` places.
    pub fn new<S: Into<String>>(stations: impl IntoIterator<Item = S>, max_places: usize) -> Hub {
        Hub {
            topics: Mutex::default(),
            stations: stations.into_iter().map(Into::into).collect(),
            max_places,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Topics> {
        // Every change under the lock leaves the maps consistent, even if a holder panicked.
        self.topics.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether `id` is a declared station.
    pub fn is_declared(&self, id: &str) -> bool {
        self.stations.contains(id)
    }

    /// Adds connection `id` to `key`'s subscribers. Under the same lock as publication, it
    /// sends `subscribed` and then the topic's last observation through `permits` (reserved
    /// beforehand, so this cannot fail), so that nothing published later reaches the client
    /// before them. Returns whether this is the topic's first subscriber (a place then needs
    /// a poller).
    pub fn subscribe(
        &self,
        key: &TopicKey,
        id: u64,
        outbox: Outbox,
        subscribed: Utf8Bytes,
        mut permits: PermitIterator<'_, Outgoing>,
    ) -> Result<bool, Refused> {
        let mut topics = self.lock();
        let topics = &mut *topics;
        if !topics.by_key.contains_key(key) {
            match key {
                TopicKey::Station(s) if !self.stations.contains(s) => {
                    return Err(Refused::UnknownStation)
                }
                TopicKey::Place { .. } if topics.places >= self.max_places => {
                    return Err(Refused::TooManyPlaces)
                }
                TopicKey::Place { .. } => topics.places += 1,
                TopicKey::Station(_) => {}
            }
        }
        let topic = topics.by_key.entry(key.clone()).or_default();
        let first = topic.subscribers.is_empty() && topic.poller.is_none();
        topic.subscribers.insert(id, outbox);
        for text in std::iter::once(subscribed).chain(topic.last.clone()) {
            if let Some(p) = permits.next() {
                p.send(Outgoing {
                    text,
                    published: None,
                });
            }
        }
        Ok(first)
    }

    /// Removes connection `id` from `key`. When the last subscriber leaves, a place's poller
    /// stops and its topic is forgotten; a declared station's topic stays.
    pub fn unsubscribe(&self, key: &TopicKey, id: u64) {
        let mut topics = self.lock();
        let topics = &mut *topics;
        let Some(topic) = topics.by_key.get_mut(key) else {
            return;
        };
        topic.subscribers.remove(&id);
        if topic.subscribers.is_empty() {
            if let Some(p) = topic.poller.take() {
                p.abort();
            }
            if let TopicKey::Place { .. } = key {
                topics.by_key.remove(key);
                topics.places -= 1;
            }
        }
    }

    /// Records the task that polls `key`.
    pub fn set_poller(&self, key: &TopicKey, handle: AbortHandle) {
        let mut topics = self.lock();
        match topics.by_key.get_mut(key) {
            Some(t) if !t.subscribers.is_empty() => t.poller = Some(handle),
            _ => handle.abort(), // everyone left already
        }
    }

    /// Sends `msg` to every subscriber of `key` (remembering observations for newcomers).
    /// Returns how many received it and the ids of those dropped as too slow.
    pub fn publish(&self, key: &TopicKey, msg: &ServerMessage) -> (usize, Vec<u64>) {
        let text = encode(msg);
        let mut topics = self.lock();
        let topic = match (topics.by_key.contains_key(key), key) {
            (true, _) => topics.by_key.get_mut(key).expect("present"),
            // A declared station keeps its last observation even with no one watching yet.
            (false, TopicKey::Station(s)) if self.stations.contains(s) => {
                topics.by_key.entry(key.clone()).or_default()
            }
            (false, _) => return (0, Vec::new()),
        };
        if matches!(msg, ServerMessage::Observation { .. }) {
            topic.last = Some(text.clone());
        }
        let mut slow = Vec::new();
        let mut sent = 0;
        let now = Some(Instant::now());
        for (id, outbox) in &topic.subscribers {
            if outbox.offer_published(text.clone(), now) {
                sent += 1;
            } else {
                slow.push(*id);
            }
        }
        for id in &slow {
            topic.subscribers.remove(id);
        }
        (sent, slow)
    }

    /// How many topics and subscriptions there are.
    pub fn sizes(&self) -> (usize, usize) {
        let topics = self.lock();
        (
            topics.by_key.len(),
            topics.by_key.values().map(|t| t.subscribers.len()).sum(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neighbours_share_a_grid_cell() {
        let a = TopicKey::of(&Target::Place {
            lat: 52.52,
            lon: 13.41,
        })
        .unwrap();
        let b = TopicKey::of(&Target::Place {
            lat: 52.53,
            lon: 13.39,
        })
        .unwrap();
        let c = TopicKey::of(&Target::Place {
            lat: 52.6,
            lon: 13.41,
        })
        .unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(TopicKey::of(&Target::Place {
            lat: 91.0,
            lon: 0.0
        })
        .is_none());
        assert!(TopicKey::of(&Target::Station {
            station: "../etc".into()
        })
        .is_none());
    }

    fn outbox(capacity: usize) -> (Outbox, mpsc::Receiver<Outgoing>) {
        let (queue, rx) = mpsc::channel(capacity);
        (
            Outbox {
                queue,
                close: Arc::new(Notify::new()),
            },
            rx,
        )
    }

    fn join(hub: &Hub, key: &TopicKey, id: u64, o: &Outbox) -> Result<bool, Refused> {
        let permits = o.queue.try_reserve_many(2).unwrap();
        hub.subscribe(key, id, o.clone(), "subscribed".into(), permits)
    }

    #[test]
    fn a_full_queue_drops_only_that_subscriber() {
        let hub = Hub::new(["S"], 8);
        let key = TopicKey::Station("S".into());
        let (fast, mut fast_rx) = outbox(8);
        let (slow, _slow_rx) = outbox(2);
        assert_eq!(join(&hub, &key, 1, &fast), Ok(true));
        assert_eq!(join(&hub, &key, 2, &slow), Ok(false));
        let msg = ServerMessage::Pong { id: None };
        assert_eq!(hub.publish(&key, &msg), (2, vec![]));
        assert_eq!(hub.publish(&key, &msg), (1, vec![2]));
        assert_eq!(hub.publish(&key, &msg), (1, vec![]));
        let mut got = 0;
        while fast_rx.try_recv().is_ok() {
            got += 1;
        }
        assert_eq!(got, 4, "subscribed, then three");
        assert_eq!(hub.sizes(), (1, 1));
    }

    #[test]
    fn only_declared_stations_and_polled_places_have_topics() {
        let hub = Hub::new(["DECLARED"], 2);
        let (o, mut rx) = outbox(64);
        // Thousands of station ids make no topic (the flood of the issue that found it).
        for i in 0..3200 {
            let key = TopicKey::Station(format!("S{i}"));
            assert_eq!(join(&hub, &key, 1, &o), Err(Refused::UnknownStation));
            hub.unsubscribe(&key, 1);
        }
        assert_eq!(hub.sizes(), (0, 0));
        // Places come and go with their subscribers, at most `max_places` at once.
        let place = |lat10| TopicKey::Place { lat10, lon10: 0 };
        assert_eq!(join(&hub, &place(1), 1, &o), Ok(true));
        assert_eq!(join(&hub, &place(2), 1, &o), Ok(true));
        assert_eq!(join(&hub, &place(3), 1, &o), Err(Refused::TooManyPlaces));
        assert_eq!(join(&hub, &place(2), 2, &o), Ok(false), "an existing place");
        hub.unsubscribe(&place(1), 1);
        assert_eq!(join(&hub, &place(3), 1, &o), Ok(true));
        for (p, id) in [(2, 1), (2, 2), (3, 1)] {
            hub.unsubscribe(&place(p), id);
        }
        assert_eq!(hub.sizes(), (0, 0));
        // A declared station keeps its last observation for the next viewer.
        let st = TopicKey::Station("DECLARED".into());
        let obs = ServerMessage::Observation {
            target: st.target(),
            time: 1,
            source: "station".into(),
            values: Default::default(),
            units: Default::default(),
        };
        hub.publish(&st, &obs);
        assert_eq!(hub.sizes(), (1, 0));
        while rx.try_recv().is_ok() {}
        assert_eq!(join(&hub, &st, 9, &o), Ok(true));
        assert_eq!(rx.try_recv().unwrap().text.as_str(), "subscribed");
        assert!(rx.try_recv().unwrap().text.contains("observation"));
        hub.unsubscribe(&st, 9);
        assert_eq!(hub.sizes(), (1, 0));
    }
}
