//! Who listens to what. A topic is a place (rounded to the 0.1° model grid, so neighbours share
//! it) or a station. Each message is serialised once and handed to every subscriber's bounded
//! queue; a subscriber whose queue is full is dropped rather than slowing the others. Once the
//! hub's lock is given back, the publisher writes the queues out itself ([`Writer`]).
//!
//! Each topic numbers its readings: an epoch, made when the topic is, and an offset, 1, 2, 3,
//! ... A reading not newer than the last (the same upload sent twice) is not stored again. The
//! last readings are kept, so a client that comes back with the position it last saw gets
//! exactly what it missed, or is told it cannot (`recovered: false`) and gets the current value:
//! never part of what it missed presented as all of it.

use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::{BuildHasher, Hasher};
use std::sync::{Arc, Mutex};
use tokio::time::Instant;

use axum::extract::ws::Utf8Bytes;
use isobar_core::live::{Position, ServerMessage, Target};
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

/// A connection's sending side, as the hub sees it: once messages are queued for it, it is
/// asked to write them out from the caller's thread, as far as its socket takes them without
/// waiting. A publication then costs one send per subscriber, not a task's wake-up as well.
pub trait Writer: Send + Sync {
    /// Writes what is queued while the socket takes it at once, and leaves the rest (or the
    /// whole, when another writes meanwhile) to the connection's own writer task.
    fn write_queued(&self);
}

/// One client's way in: its queue, a bell that closes it, and what writes the queue out.
#[derive(Clone)]
pub struct Outbox {
    /// The client's bounded queue of serialised messages.
    pub queue: mpsc::Sender<Outgoing>,
    /// Rung when the client must be dropped.
    pub close: Arc<Notify>,
    /// Writes the queue out (`None`: someone reads the queue itself, as the hub's tests do).
    pub writer: Option<Arc<dyn Writer>>,
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbox")
            .field("queue", &self.queue)
            .field("writer", &self.writer.is_some())
            .finish_non_exhaustive()
    }
}

impl Outbox {
    /// Writes out what is queued (see [`Writer`]).
    pub fn write_queued(&self) {
        if let Some(w) = &self.writer {
            w.write_queued();
        }
    }

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

struct Topic {
    subscribers: HashMap<u64, Subscriber>,
    poller: Option<AbortHandle>,
    epoch: String,
    /// The last reading's offset, 0 before the first.
    offset: u64,
    /// The last reading's time and values: an older reading, or the same again, is not kept.
    newest: Option<(i64, isobar_core::live::Values)>,
    /// The last readings, oldest first, with their offsets.
    history: VecDeque<(u64, Utf8Bytes)>,
}

impl Topic {
    fn new(epoch: String) -> Topic {
        Topic {
            subscribers: HashMap::new(),
            poller: None,
            epoch,
            offset: 0,
            newest: None,
            history: VecDeque::new(),
        }
    }

    fn last(&self) -> Option<Utf8Bytes> {
        self.history.back().map(|(_, t)| t.clone())
    }
}

/// A subscriber, and what was published to it while its replay was on its way.
struct Subscriber {
    outbox: Outbox,
    held: Option<Vec<Utf8Bytes>>,
}

#[derive(Default)]
struct Topics {
    by_key: HashMap<TopicKey, Topic>,
    places: usize,
    /// Topics made so far: with the process's random seed, each one's epoch.
    made: u64,
    /// The queues added to under the lock: written out after it (see [`Locked`]).
    written: Vec<Arc<dyn Writer>>,
}

/// The hub's lock. When it is given back, the queues added to while it was held are written
/// out: the sends (10,000 of them take about 100 ms) then keep no other caller waiting. A
/// client's messages stay in order whoever writes them, as its queue is read under its
/// connection's own lock.
struct Locked<'a>(Option<std::sync::MutexGuard<'a, Topics>>);

impl std::ops::Deref for Locked<'_> {
    type Target = Topics;
    fn deref(&self) -> &Topics {
        self.0.as_ref().expect("held until dropped")
    }
}

impl std::ops::DerefMut for Locked<'_> {
    fn deref_mut(&mut self) -> &mut Topics {
        self.0.as_mut().expect("held until dropped")
    }
}

impl Drop for Locked<'_> {
    fn drop(&mut self) {
        let Some(mut topics) = self.0.take() else {
            return;
        };
        let written = std::mem::take(&mut topics.written);
        drop(topics);
        for w in written {
            w.write_queued();
        }
    }
}

/// How much of each topic is kept for clients that come back.
#[derive(Debug, Clone, Copy)]
pub struct History {
    /// Readings kept per station.
    pub station: usize,
    /// Readings kept per place.
    pub place: usize,
    /// Most readings replayed to one client.
    pub max_replay: usize,
}

impl History {
    /// Readings kept of `key`'s topic.
    pub fn of(&self, key: &TopicKey) -> usize {
        match key {
            TopicKey::Station(_) => self.station,
            TopicKey::Place { .. } => self.place,
        }
    }
}

impl Default for History {
    fn default() -> History {
        History {
            station: 256,
            place: 4,
            max_replay: 300,
        }
    }
}

/// All topics. A place's topic lives while it has subscribers; a declared station's lives as
/// long as the relay (it keeps its last readings for the next viewer); no other topic can
/// be made, so the number of topics is bounded by `max_places` and the declared stations.
pub struct Hub {
    topics: Mutex<Topics>,
    stations: HashSet<String>,
    max_places: usize,
    history: History,
    /// Random for each process: epochs differ from one run to the next.
    seed: u64,
    /// Whether readings are numbered by a broker (a relay of a cluster): topics are then made
    /// only by [`Hub::install`], from the broker's copy, and fed by [`Hub::deliver`].
    mirror: bool,
}

/// A new subscriber's first messages: `subscribed`, then what it missed or the current value.
#[derive(Debug)]
pub struct Joined {
    /// Whether this is the topic's first subscriber (a place then needs a poller).
    pub first: bool,
    /// The `subscribed` message, with the topic's position (and `recovered` if asked).
    pub subscribed: Utf8Bytes,
    /// The readings to send after it, in order.
    pub replay: Vec<Utf8Bytes>,
    /// `Some(true)` when a `since` was answered with every reading after it, `Some(false)`
    /// when it could not be.
    pub recovered: Option<bool>,
}

/// What publishing did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Published {
    /// Subscribers it was sent to.
    pub sent: usize,
    /// Subscribers dropped as too slow.
    pub slow: Vec<u64>,
    /// Why a reading was neither kept nor sent, if it was not.
    pub not_kept: Option<NotKept>,
}

/// Why a reading was neither kept nor sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotKept {
    /// The topic's last reading again: the same time and values (a station that retries, a
    /// poll of an unchanged model time).
    Repeat,
    /// Older than the topic's last reading: shown, it would pass old values off as current.
    Older,
}

/// Why a subscription was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The station is not declared in the relay's configuration.
    UnknownStation,
    /// The relay already polls `max_places` places.
    TooManyPlaces,
    /// A relay of a cluster does not mirror this topic yet: [`Hub::install`] it first.
    Unwatched,
}

/// A broker's copy of a topic, from some offset on.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// The topic's epoch at the broker.
    pub epoch: String,
    /// Its last offset there.
    pub top: u64,
    /// Readings with their offsets, oldest first, as the broker still holds them: those after
    /// the mirror's position, or all of them for a topic not mirrored yet.
    pub readings: Vec<(u64, Utf8Bytes)>,
}

/// What [`Hub::install`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Installed {
    /// Made the topic.
    Made,
    /// Sent this many readings the mirror had missed, in order.
    Caught(usize),
    /// Started the topic again; this many subscribers were told (`recovered: false`).
    Reset(usize),
}

/// What [`Hub::deliver`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivered {
    /// Sent to this many subscribers.
    Sent(usize),
    /// Already had it (a reading caught up before its own message came).
    Old,
    /// Readings are missing before it, or it is of another epoch: catch up from the broker.
    Gap,
    /// The topic is not mirrored here.
    Unwatched,
}

/// A random number, different in each process.
pub fn random() -> u64 {
    std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish()
}

/// Sends `text` to every subscriber of `topic`: held for one whose replay is on its way.
/// A subscriber whose queue is full is dropped. Returns how many it was sent to, and who was
/// dropped; the queues it added to are noted in `written`, to be written out once the hub's
/// lock is given back.
fn fan_out(
    topic: &mut Topic,
    text: &Utf8Bytes,
    written: &mut Vec<Arc<dyn Writer>>,
) -> (usize, Vec<u64>) {
    let mut slow = Vec::new();
    let mut sent = 0;
    let now = Some(Instant::now());
    for (id, sub) in &mut topic.subscribers {
        let ok = match &mut sub.held {
            Some(held) if held.len() < sub.outbox.queue.max_capacity() => {
                held.push(text.clone());
                true
            }
            Some(_) => {
                sub.outbox.close.notify_one();
                false
            }
            None => {
                let ok = sub.outbox.offer_published(text.clone(), now);
                if let (true, Some(w)) = (ok, &sub.outbox.writer) {
                    written.push(w.clone());
                }
                ok
            }
        };
        if ok {
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

impl Hub {
    /// A hub for the declared `stations`, polling at most `max_places` places.
    pub fn new<S: Into<String>>(stations: impl IntoIterator<Item = S>, max_places: usize) -> Hub {
        Hub {
            topics: Mutex::default(),
            stations: stations.into_iter().map(Into::into).collect(),
            max_places,
            history: History::default(),
            seed: random(),
            mirror: false,
        }
    }

    /// The same hub as a mirror of a broker's topics (see [`Hub::install`]).
    pub fn mirrored(self) -> Hub {
        Hub {
            mirror: true,
            ..self
        }
    }

    /// How much of each topic it keeps.
    pub fn history(&self) -> History {
        self.history
    }

    /// The same hub keeping `history`.
    pub fn with_history(self, history: History) -> Hub {
        Hub { history, ..self }
    }

    /// A new topic, with an epoch of its own.
    fn topic(&self, made: &mut u64) -> Topic {
        *made += 1;
        Topic::new(format!("{:012x}-{made}", self.seed >> 16))
    }

    fn lock(&self) -> Locked<'_> {
        // Every change under the lock leaves the maps consistent, even if a holder panicked.
        Locked(Some(self.topics.lock().unwrap_or_else(|e| e.into_inner())))
    }

    /// Whether `id` is a declared station.
    pub fn is_declared(&self, id: &str) -> bool {
        self.stations.contains(id)
    }

    /// Adds connection `id` to `key`'s subscribers and says what to send it first: `subscribed`
    /// with the topic's position, then the readings after `since` when the history still holds
    /// all of them (at most `max_replay`), else the current value. Whatever is published until
    /// [`Hub::release`] is held for it, so that it comes after those, in order.
    pub fn subscribe(
        &self,
        key: &TopicKey,
        id: u64,
        outbox: Outbox,
        since: Option<&Position>,
    ) -> Result<Joined, Refused> {
        let mut topics = self.lock();
        let topics = &mut *topics;
        if !topics.by_key.contains_key(key) {
            match key {
                TopicKey::Station(s) if !self.stations.contains(s) => {
                    return Err(Refused::UnknownStation)
                }
                _ if self.mirror => return Err(Refused::Unwatched),
                _ => self.admit(topics, key)?,
            }
            let topic = self.topic(&mut topics.made);
            topics.by_key.insert(key.clone(), topic);
        }
        let topic = topics.by_key.get_mut(key).expect("present");
        let first = topic.subscribers.is_empty() && topic.poller.is_none();
        topic.subscribers.insert(
            id,
            Subscriber {
                outbox,
                held: Some(Vec::new()),
            },
        );
        let missed = since
            .filter(|p| p.epoch == topic.epoch && p.offset <= topic.offset)
            .map(|p| p.offset);
        let kept_from = topic.history.front().map_or(topic.offset + 1, |(o, _)| *o);
        let recovered = since.map(|_| {
            missed.is_some_and(|m| {
                m == topic.offset
                    || (m + 1 >= kept_from && topic.offset - m <= self.history.max_replay as u64)
            })
        });
        let replay = match (recovered, missed) {
            (Some(true), Some(m)) => topic
                .history
                .iter()
                .filter(|(o, _)| *o > m)
                .map(|(_, t)| t.clone())
                .collect(),
            _ => topic.last().into_iter().collect(),
        };
        let subscribed = encode(&ServerMessage::Subscribed {
            target: key.target(),
            epoch: Some(topic.epoch.clone()),
            offset: Some(topic.offset),
            recovered,
        });
        Ok(Joined {
            first,
            subscribed,
            replay,
            recovered,
        })
    }

    /// Sends connection `id` what was published to `key` since it subscribed, and from now on
    /// everything as it comes. `false` if its queue was too full to take it (it is dropped).
    pub fn release(&self, key: &TopicKey, id: u64) -> bool {
        let mut topics = self.lock();
        let Some(topic) = topics.by_key.get_mut(key) else {
            return true;
        };
        let Some(sub) = topic.subscribers.get_mut(&id) else {
            return true;
        };
        let now = Some(Instant::now());
        let writer = sub.outbox.writer.clone();
        for text in sub.held.take().unwrap_or_default() {
            if !sub.outbox.offer_published(text, now) {
                topic.subscribers.remove(&id);
                return false;
            }
        }
        topics.written.extend(writer);
        true
    }

    /// Removes connection `id` from `key`. When the last subscriber leaves, a place's poller
    /// stops and its topic is forgotten (`true`); a declared station's topic stays.
    pub fn unsubscribe(&self, key: &TopicKey, id: u64) -> bool {
        let mut topics = self.lock();
        let topics = &mut *topics;
        let Some(topic) = topics.by_key.get_mut(key) else {
            return false;
        };
        topic.subscribers.remove(&id);
        if topic.subscribers.is_empty() {
            if let Some(p) = topic.poller.take() {
                p.abort();
            }
            if let TopicKey::Place { .. } = key {
                topics.by_key.remove(key);
                topics.places -= 1;
                return true;
            }
        }
        false
    }

    /// Forgets a place's topic that has no subscriber (one mirrored for a client that left
    /// before subscribing). `true` when `key` has no topic now.
    pub fn forget_unused(&self, key: &TopicKey) -> bool {
        let mut topics = self.lock();
        let topics = &mut *topics;
        match topics.by_key.get(key) {
            None => true,
            Some(t) if t.subscribers.is_empty() && matches!(key, TopicKey::Place { .. }) => {
                topics.by_key.remove(key);
                topics.places -= 1;
                true
            }
            Some(_) => false,
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

    /// Sends `msg` to every subscriber of `key`. An observation is numbered and kept first;
    /// one not newer than the topic's last is a repeat, neither kept nor sent.
    pub fn publish(&self, key: &TopicKey, mut msg: ServerMessage) -> Published {
        let mut topics = self.lock();
        let topics = &mut *topics;
        if !topics.by_key.contains_key(key) {
            match key {
                // A declared station keeps its readings even with no one watching yet.
                TopicKey::Station(s) if self.stations.contains(s) => {
                    let topic = self.topic(&mut topics.made);
                    topics.by_key.insert(key.clone(), topic);
                }
                _ => return Published::default(),
            }
        }
        let topic = topics.by_key.get_mut(key).expect("present");
        let observation = if let ServerMessage::Observation {
            time,
            values,
            position,
            ..
        } = &mut msg
        {
            // Readings of one time with different values are each kept: a station that sends
            // no time is stamped with the relay's second, which two readings may share.
            let not_kept = match &topic.newest {
                Some((t, _)) if *time < *t => Some(NotKept::Older),
                Some((t, v)) if *time == *t && v == values => Some(NotKept::Repeat),
                _ => None,
            };
            if not_kept.is_some() {
                return Published {
                    not_kept,
                    ..Published::default()
                };
            }
            topic.newest = Some((*time, values.clone()));
            topic.offset += 1;
            *position = Some(Position {
                epoch: topic.epoch.clone(),
                offset: topic.offset,
            });
            true
        } else {
            false
        };
        let text = encode(&msg);
        if observation {
            self.keep(key, topic, text.clone());
        }
        let (sent, slow) = fan_out(topic, &text, &mut topics.written);
        Published {
            sent,
            slow,
            not_kept: None,
        }
    }

    /// Adds the reading numbered `topic.offset` to the topic's history, within its bound.
    fn keep(&self, key: &TopicKey, topic: &mut Topic, text: Utf8Bytes) {
        let keep = self.history.of(key);
        topic.history.push_back((topic.offset, text));
        while topic.history.len() > keep.max(1) {
            topic.history.pop_front();
        }
    }

    /// Counts a new topic for `key` against `max_places` if it is a place.
    fn admit(&self, topics: &mut Topics, key: &TopicKey) -> Result<(), Refused> {
        if let TopicKey::Place { .. } = key {
            if topics.places >= self.max_places {
                return Err(Refused::TooManyPlaces);
            }
            topics.places += 1;
        }
        Ok(())
    }

    /// Makes `topic` the broker's copy: its epoch, its readings (within the bound kept), its
    /// last offset.
    fn fill(&self, key: &TopicKey, topic: &mut Topic, snapshot: Snapshot) {
        topic.epoch = snapshot.epoch;
        topic.history.clear();
        for (offset, text) in snapshot.readings {
            topic.offset = offset;
            self.keep(key, topic, text);
        }
        topic.offset = snapshot.top;
    }

    /// The position a mirrored topic has reached, if it is mirrored.
    pub fn position(&self, key: &TopicKey) -> Option<Position> {
        self.lock().by_key.get(key).map(|t| Position {
            epoch: t.epoch.clone(),
            offset: t.offset,
        })
    }

    /// Mirrors the broker's copy of a topic: makes the topic from it, or brings an existing
    /// one up to it. The readings after the topic's offset are sent to its subscribers in
    /// order when `snapshot` holds all of them; when it cannot (the broker's history no
    /// longer reaches back, or its epoch changed: a restarted broker), the topic starts again
    /// from the snapshot and every subscriber is told so, as a client that came back too
    /// late is: `subscribed` with `recovered: false`, then the current value.
    pub fn install(&self, key: &TopicKey, snapshot: Snapshot) -> Result<Installed, Refused> {
        let mut topics = self.lock();
        let topics = &mut *topics;
        let Some(topic) = topics.by_key.get_mut(key) else {
            self.admit(topics, key)?;
            let mut topic = Topic::new(String::new());
            self.fill(key, &mut topic, snapshot);
            topics.by_key.insert(key.clone(), topic);
            return Ok(Installed::Made);
        };
        if topic.epoch == snapshot.epoch && snapshot.top <= topic.offset {
            return Ok(Installed::Caught(0));
        }
        let next = topic.offset + 1;
        let missed: Vec<_> = snapshot
            .readings
            .iter()
            .filter(|(o, _)| *o >= next)
            .collect();
        let whole = topic.epoch == snapshot.epoch
            && missed.first().is_some_and(|(o, _)| *o == next)
            && missed.last().is_some_and(|(o, _)| *o == snapshot.top)
            && missed.len() as u64 == snapshot.top - topic.offset;
        if whole {
            let n = missed.len();
            for (offset, text) in missed {
                topic.offset = *offset;
                self.keep(key, topic, text.clone());
                fan_out(topic, text, &mut topics.written);
            }
            return Ok(Installed::Caught(n));
        }
        self.fill(key, topic, snapshot);
        let subscribed = encode(&ServerMessage::Subscribed {
            target: key.target(),
            epoch: Some(topic.epoch.clone()),
            offset: Some(topic.offset),
            recovered: Some(false),
        });
        let told = topic.subscribers.len();
        fan_out(topic, &subscribed, &mut topics.written);
        if let Some(last) = topic.last() {
            fan_out(topic, &last, &mut topics.written);
        }
        Ok(Installed::Reset(told))
    }

    /// Sends a reading the broker numbered `position` to the subscribers of its mirrored
    /// topic, if it is the next one.
    pub fn deliver(&self, key: &TopicKey, position: &Position, text: Utf8Bytes) -> Delivered {
        let mut topics = self.lock();
        let topics = &mut *topics;
        let Some(topic) = topics.by_key.get_mut(key) else {
            return Delivered::Unwatched;
        };
        if position.epoch != topic.epoch || position.offset > topic.offset + 1 {
            return Delivered::Gap;
        }
        if position.offset <= topic.offset {
            return Delivered::Old;
        }
        topic.offset = position.offset;
        self.keep(key, topic, text.clone());
        let (sent, _) = fan_out(topic, &text, &mut topics.written);
        Delivered::Sent(sent)
    }

    /// Sends a message that is not a reading (a source's status) to `key`'s subscribers.
    pub fn send(&self, key: &TopicKey, text: &Utf8Bytes) -> usize {
        let mut topics = self.lock();
        let topics = &mut *topics;
        topics
            .by_key
            .get_mut(key)
            .map_or(0, |t| fan_out(t, text, &mut topics.written).0)
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
                writer: None,
            },
            rx,
        )
    }

    /// Subscribes as a connection does: `subscribed` and the replay into the queue, then
    /// what was held.
    fn join_since(
        hub: &Hub,
        key: &TopicKey,
        id: u64,
        o: &Outbox,
        since: Option<&Position>,
    ) -> Result<Joined, Refused> {
        let j = hub.subscribe(key, id, o.clone(), since)?;
        for t in std::iter::once(j.subscribed.clone()).chain(j.replay.clone()) {
            assert!(o.offer(t));
        }
        hub.release(key, id);
        Ok(j)
    }

    fn join(hub: &Hub, key: &TopicKey, id: u64, o: &Outbox) -> Result<bool, Refused> {
        join_since(hub, key, id, o, None).map(|j| j.first)
    }

    fn sent(p: Published) -> (usize, Vec<u64>) {
        (p.sent, p.slow)
    }

    fn reading(key: &TopicKey, time: i64) -> ServerMessage {
        ServerMessage::Observation {
            target: key.target(),
            time,
            source: "station".into(),
            values: Default::default(),
            units: Default::default(),
            position: None,
        }
    }

    /// The offsets of the observations in a queue, and the `recovered` of its `subscribed`.
    fn drain(rx: &mut mpsc::Receiver<Outgoing>) -> (Vec<u64>, Option<bool>) {
        let (mut offsets, mut recovered) = (Vec::new(), None);
        while let Ok(m) = rx.try_recv() {
            match serde_json::from_str(m.text.as_str()).unwrap() {
                ServerMessage::Observation { position, .. } => {
                    offsets.push(position.unwrap().offset)
                }
                ServerMessage::Subscribed { recovered: r, .. } => recovered = r,
                _ => {}
            }
        }
        (offsets, recovered)
    }

    fn at(epoch: &str, offset: u64) -> Position {
        Position {
            epoch: epoch.into(),
            offset,
        }
    }

    /// Reading `offset` of `epoch` as the broker holds it.
    fn numbered(key: &TopicKey, epoch: &str, offset: u64) -> (u64, Utf8Bytes) {
        let mut m = reading(key, offset as i64);
        if let ServerMessage::Observation { position, .. } = &mut m {
            *position = Some(at(epoch, offset));
        }
        (offset, encode(&m))
    }

    fn snapshot(key: &TopicKey, epoch: &str, top: u64, kept: &[u64]) -> Snapshot {
        Snapshot {
            epoch: epoch.into(),
            top,
            readings: kept.iter().map(|o| numbered(key, epoch, *o)).collect(),
        }
    }

    #[test]
    fn a_mirror_delivers_in_order_catches_up_whole_or_starts_again_and_says_so() {
        let hub = Hub::new(["S"], 8).mirrored();
        let key = TopicKey::Station("S".into());
        let (o, mut rx) = outbox(64);
        // Topics come from the broker only.
        assert_eq!(
            hub.subscribe(&key, 1, o.clone(), None).unwrap_err(),
            Refused::Unwatched
        );
        assert_eq!(
            hub.install(&key, snapshot(&key, "a", 2, &[1, 2])),
            Ok(Installed::Made)
        );
        let j = join_since(&hub, &key, 1, &o, Some(&at("a", 1))).unwrap();
        assert_eq!(j.recovered, Some(true));
        assert_eq!(drain(&mut rx), (vec![2], Some(true)));
        let deliver = |o: u64, e: &str| hub.deliver(&key, &at(e, o), numbered(&key, e, o).1);
        assert_eq!(deliver(3, "a"), Delivered::Sent(1));
        assert_eq!(deliver(3, "a"), Delivered::Old);
        assert_eq!(deliver(5, "a"), Delivered::Gap, "4 is missing");
        assert_eq!(deliver(4, "b"), Delivered::Gap, "another epoch");
        assert_eq!(drain(&mut rx), (vec![3], None));
        // Caught up whole from the broker's stream: sent in order.
        assert_eq!(
            hub.install(&key, snapshot(&key, "a", 5, &[4, 5])),
            Ok(Installed::Caught(2))
        );
        assert_eq!(drain(&mut rx), (vec![4, 5], None));
        // The stream no longer holds 6 and 7: started again, and the subscriber is told.
        assert_eq!(
            hub.install(&key, snapshot(&key, "a", 9, &[8, 9])),
            Ok(Installed::Reset(1))
        );
        assert_eq!(drain(&mut rx), (vec![9], Some(false)));
        // A restarted broker (another epoch): the same.
        assert_eq!(
            hub.install(&key, snapshot(&key, "b", 1, &[1])),
            Ok(Installed::Reset(1))
        );
        assert_eq!(drain(&mut rx), (vec![1], Some(false)));
        assert_eq!(hub.position(&key), Some(at("b", 1)));
        // Places mirrored count towards max_places.
        let small = Hub::new(Vec::<String>::new(), 1).mirrored();
        let place = |lat10| TopicKey::Place { lat10, lon10: 0 };
        assert_eq!(
            small.install(&place(1), snapshot(&place(1), "a", 0, &[])),
            Ok(Installed::Made)
        );
        assert_eq!(
            small.install(&place(2), snapshot(&place(2), "a", 0, &[])),
            Err(Refused::TooManyPlaces)
        );
        assert!(small.forget_unused(&place(1)));
        assert_eq!(
            small.install(&place(2), snapshot(&place(2), "a", 0, &[])),
            Ok(Installed::Made)
        );
    }

    #[test]
    fn readings_are_numbered_once_and_repeats_are_not_sent() {
        let hub = Hub::new(["S"], 8);
        let key = TopicKey::Station("S".into());
        let (o, mut rx) = outbox(64);
        join(&hub, &key, 1, &o).unwrap();
        assert_eq!(sent(hub.publish(&key, reading(&key, 100))), (1, vec![]));
        // The same reading again (a station that retries), and an older one: not sent.
        let not_kept = |m| hub.publish(&key, m).not_kept;
        assert_eq!(not_kept(reading(&key, 100)), Some(NotKept::Repeat));
        assert_eq!(not_kept(reading(&key, 99)), Some(NotKept::Older));
        // The same second with other values: a reading of its own.
        let mut other = reading(&key, 100);
        if let ServerMessage::Observation { values, .. } = &mut other {
            values.temperature = Some(3.0);
        }
        assert_eq!(not_kept(other), None);
        assert_eq!(sent(hub.publish(&key, reading(&key, 101))), (1, vec![]));
        assert_eq!(drain(&mut rx), (vec![1, 2, 3], None));
    }

    /// A connection's writer that notes each call and whether the hub's lock was free then.
    struct Probe {
        hub: std::sync::Weak<Hub>,
        calls: std::sync::atomic::AtomicUsize,
        under_lock: std::sync::atomic::AtomicBool,
    }

    impl Writer for Probe {
        fn write_queued(&self) {
            use std::sync::atomic::Ordering::SeqCst;
            self.calls.fetch_add(1, SeqCst);
            let hub = self.hub.upgrade().expect("the hub lives");
            if hub.topics.try_lock().is_err() {
                self.under_lock.store(true, SeqCst);
            }
        }
    }

    #[test]
    fn queues_are_written_out_once_the_lock_is_given_back_and_held_readings_too() {
        use std::sync::atomic::Ordering::SeqCst;
        let hub = Arc::new(Hub::new(["S"], 8));
        let key = TopicKey::Station("S".into());
        let probe = Arc::new(Probe {
            hub: Arc::downgrade(&hub),
            calls: Default::default(),
            under_lock: Default::default(),
        });
        let (mut o, mut rx) = outbox(64);
        o.writer = Some(probe.clone());
        let j = hub.subscribe(&key, 1, o.clone(), None).unwrap();
        assert!(o.offer(j.subscribed));
        // Published while the replay is on its way: held, nothing to write yet.
        hub.publish(&key, reading(&key, 1));
        assert_eq!(probe.calls.load(SeqCst), 0);
        // Released: the held reading is queued, and written out.
        assert!(hub.release(&key, 1));
        assert_eq!(probe.calls.load(SeqCst), 1);
        hub.publish(&key, reading(&key, 2));
        assert_eq!(probe.calls.load(SeqCst), 2);
        // A repeat is not sent, so nothing is written.
        hub.publish(&key, reading(&key, 2));
        assert_eq!(probe.calls.load(SeqCst), 2);
        assert!(
            !probe.under_lock.load(SeqCst),
            "written under the hub's lock"
        );
        assert_eq!(drain(&mut rx), (vec![1, 2], None));
    }

    #[test]
    fn a_client_that_comes_back_gets_exactly_what_it_missed_or_is_told_it_cannot() {
        let hub = Hub::new(["S"], 8).with_history(History {
            station: 5,
            place: 1,
            max_replay: 4,
        });
        let key = TopicKey::Station("S".into());
        for t in 1..=10 {
            hub.publish(&key, reading(&key, t));
        }
        let (o, mut rx) = outbox(64);
        let epoch = join_since(&hub, &key, 1, &o, None).unwrap();
        let epoch = match serde_json::from_str(epoch.subscribed.as_str()).unwrap() {
            ServerMessage::Subscribed { epoch, offset, .. } => {
                assert_eq!(offset, Some(10));
                epoch.unwrap()
            }
            other => panic!("{other:?}"),
        };
        assert_eq!(
            drain(&mut rx),
            (vec![10], None),
            "no since: the current value"
        );
        hub.unsubscribe(&key, 1);
        // Kept: offsets 6..=10; at most 4 replayed.
        let cases: [(Position, Vec<u64>, bool); 6] = [
            (at(&epoch, 10), vec![], true),
            (at(&epoch, 8), vec![9, 10], true),
            (at(&epoch, 6), vec![7, 8, 9, 10], true),
            // 5 missed: more than max_replay.
            (at(&epoch, 5), vec![10], false),
            // 7 missed, 5 of them still kept: never part of it as all of it.
            (at(&epoch, 3), vec![10], false),
            // Another epoch (the relay restarted, or the topic was made anew).
            (at("other", 9), vec![10], false),
        ];
        for (i, (since, offsets, recovered)) in cases.into_iter().enumerate() {
            let id = 2 + i as u64;
            join_since(&hub, &key, id, &o, Some(&since)).unwrap();
            assert_eq!(
                drain(&mut rx),
                (offsets, Some(recovered)),
                "since {since:?}"
            );
            hub.unsubscribe(&key, id);
        }
        // A position past the last one is not believed either.
        join_since(&hub, &key, 20, &o, Some(&at(&epoch, 11))).unwrap();
        assert_eq!(drain(&mut rx), (vec![10], Some(false)));
    }

    #[test]
    fn what_is_published_during_a_replay_follows_it_in_order() {
        let hub = Hub::new(["S"], 8);
        let key = TopicKey::Station("S".into());
        for t in 1..=3 {
            hub.publish(&key, reading(&key, t));
        }
        let epoch = match serde_json::from_str(
            hub.subscribe(&key, 1, outbox(8).0, None)
                .unwrap()
                .subscribed
                .as_str(),
        )
        .unwrap()
        {
            ServerMessage::Subscribed { epoch, .. } => epoch.unwrap(),
            other => panic!("{other:?}"),
        };
        hub.unsubscribe(&key, 1);
        let (o, mut rx) = outbox(64);
        let joined = hub
            .subscribe(&key, 2, o.clone(), Some(&at(&epoch, 1)))
            .unwrap();
        // Published while the replay (2, 3) is on its way: held, not queued before it.
        hub.publish(&key, reading(&key, 4));
        assert!(rx.try_recv().is_err());
        for t in std::iter::once(joined.subscribed).chain(joined.replay) {
            assert!(o.offer(t));
        }
        assert!(hub.release(&key, 2));
        hub.publish(&key, reading(&key, 5));
        assert_eq!(drain(&mut rx), (vec![2, 3, 4, 5], Some(true)));
    }

    #[test]
    fn a_subscriber_that_does_not_take_its_replay_is_dropped_once_its_held_readings_fill_its_queue()
    {
        let hub = Hub::new(["S"], 8);
        let key = TopicKey::Station("S".into());
        let (o, _rx) = outbox(2);
        // Subscribed, its replay never sent nor released: what comes is held, up to the
        // queue's size, then it is dropped as too slow (and its connection's bell rung).
        hub.subscribe(&key, 1, o.clone(), None).unwrap();
        assert_eq!(sent(hub.publish(&key, reading(&key, 1))), (1, vec![]));
        assert_eq!(sent(hub.publish(&key, reading(&key, 2))), (1, vec![]));
        assert_eq!(sent(hub.publish(&key, reading(&key, 3))), (0, vec![1]));
        assert_eq!(hub.sizes(), (1, 0));
        assert!(hub.release(&key, 1), "gone: nothing left to release");
    }

    #[test]
    fn a_place_followed_anew_starts_a_new_epoch() {
        let hub = Hub::new(Vec::<String>::new(), 8);
        let key = TopicKey::Place { lat10: 1, lon10: 2 };
        let (o, mut rx) = outbox(64);
        let epoch_of = |j: Joined| match serde_json::from_str(j.subscribed.as_str()).unwrap() {
            ServerMessage::Subscribed { epoch, .. } => epoch.unwrap(),
            other => panic!("{other:?}"),
        };
        let first = epoch_of(join_since(&hub, &key, 1, &o, None).unwrap());
        hub.publish(&key, reading(&key, 1));
        hub.unsubscribe(&key, 1);
        let second = join_since(&hub, &key, 1, &o, Some(&at(&first, 1))).unwrap();
        assert_eq!(second.recovered, Some(false));
        assert_ne!(epoch_of(second), first);
        let _ = drain(&mut rx);
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
        assert_eq!(sent(hub.publish(&key, msg.clone())), (2, vec![]));
        assert_eq!(sent(hub.publish(&key, msg.clone())), (1, vec![2]));
        assert_eq!(sent(hub.publish(&key, msg)), (1, vec![]));
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
        hub.publish(&st, reading(&st, 1));
        assert_eq!(hub.sizes(), (1, 0));
        while rx.try_recv().is_ok() {}
        assert_eq!(join(&hub, &st, 9, &o), Ok(true));
        assert!(rx.try_recv().unwrap().text.contains("subscribed"));
        assert!(rx.try_recv().unwrap().text.contains("observation"));
        hub.unsubscribe(&st, 9);
        assert_eq!(hub.sizes(), (1, 0));
    }
}
