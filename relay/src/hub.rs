//! Who listens to what. A topic is a place (rounded to the 0.1° model grid, so neighbours share
//! it) or a station. Each message is serialised once and handed to every subscriber's bounded
//! queue; a subscriber whose queue is full is dropped rather than slowing the others.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::ws::Utf8Bytes;
use isobar_core::live::{ServerMessage, Target};
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

/// All topics.
#[derive(Default)]
pub struct Hub {
    topics: Mutex<HashMap<TopicKey, Topic>>,
}

/// What a subscription found.
pub struct Joined {
    /// Whether this is the topic's first subscriber (a place then needs a poller).
    pub first: bool,
    /// The topic's last message, to send the newcomer at once.
    pub last: Option<Utf8Bytes>,
}

impl Hub {
    /// Adds connection `id` to `key`'s subscribers.
    pub fn subscribe(&self, key: &TopicKey, id: u64, outbox: Outbox) -> Joined {
        let mut topics = self.topics.lock().expect("hub lock");
        let topic = topics.entry(key.clone()).or_default();
        let first = topic.subscribers.is_empty() && topic.poller.is_none();
        topic.subscribers.insert(id, outbox);
        Joined {
            first,
            last: topic.last.clone(),
        }
    }

    /// Removes connection `id` from `key`. When the last subscriber of a place leaves, its
    /// poller stops and the topic is forgotten.
    pub fn unsubscribe(&self, key: &TopicKey, id: u64) {
        let mut topics = self.topics.lock().expect("hub lock");
        if let Some(topic) = topics.get_mut(key) {
            topic.subscribers.remove(&id);
            if topic.subscribers.is_empty() {
                if let Some(p) = topic.poller.take() {
                    p.abort();
                }
                // A station's last observation is kept for the next viewer.
                if matches!(key, TopicKey::Place { .. }) {
                    topics.remove(key);
                }
            }
        }
    }

    /// Records the task that polls `key`.
    pub fn set_poller(&self, key: &TopicKey, handle: AbortHandle) {
        let mut topics = self.topics.lock().expect("hub lock");
        match topics.get_mut(key) {
            Some(t) if !t.subscribers.is_empty() => t.poller = Some(handle),
            _ => handle.abort(), // everyone left already
        }
    }

    /// Sends `msg` to every subscriber of `key` (remembering observations for newcomers).
    /// Returns how many received it and the ids of those dropped as too slow.
    pub fn publish(&self, key: &TopicKey, msg: &ServerMessage) -> (usize, Vec<u64>) {
        let text = encode(msg);
        let mut topics = self.topics.lock().expect("hub lock");
        let topic = match (topics.get_mut(key), key) {
            (Some(t), _) => t,
            // A station keeps its last observation even with no one watching yet.
            (None, TopicKey::Station(_)) => topics.entry(key.clone()).or_default(),
            (None, _) => return (0, Vec::new()),
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
        let topics = self.topics.lock().expect("hub lock");
        (
            topics.len(),
            topics.values().map(|t| t.subscribers.len()).sum(),
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

    #[test]
    fn a_full_queue_drops_only_that_subscriber() {
        let hub = Hub::default();
        let key = TopicKey::Station("S".into());
        let (fast_tx, mut fast_rx) = mpsc::channel(8);
        let (slow_tx, _slow_rx) = mpsc::channel(1);
        let slow_close = Arc::new(Notify::new());
        hub.subscribe(
            &key,
            1,
            Outbox {
                queue: fast_tx,
                close: Arc::new(Notify::new()),
            },
        );
        hub.subscribe(
            &key,
            2,
            Outbox {
                queue: slow_tx,
                close: slow_close.clone(),
            },
        );
        let msg = ServerMessage::Pong { id: None };
        assert_eq!(hub.publish(&key, &msg), (2, vec![]));
        assert_eq!(hub.publish(&key, &msg), (1, vec![2]));
        assert_eq!(hub.publish(&key, &msg), (1, vec![]));
        let mut got = 0;
        while fast_rx.try_recv().is_ok() {
            got += 1;
        }
        assert_eq!(got, 3);
        assert_eq!(hub.sizes(), (1, 1));
    }
}
