//! Pub/Sub (Redis pubsub.c): the server's registries of channels, shard
//! channels and patterns, each client's own subscriptions, and the cleanup a
//! client needs when it resets or goes away. Publishing lives in `publish.rs`,
//! the commands in `commands.rs`.
//!
//! Registries map a name to its subscribers as `client id -> slab token`, so
//! that subscribing, unsubscribing and publishing cost O(1) per subscriber.

pub mod commands;
pub mod notify;
pub mod publish;

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::conn::Client;
use crate::server::Server;

pub use commands::COMMANDS;
pub use publish::publish;

/// Commands a RESP2 client may still run while it has subscriptions
/// (Redis `processCommand`), by full name.
pub const ALLOWED_WHEN_SUBSCRIBED: &[&str] = &[
    "ping",
    "subscribe",
    "ssubscribe",
    "unsubscribe",
    "sunsubscribe",
    "psubscribe",
    "punsubscribe",
    "quit",
    "reset",
];

/// Ordinary channels or shard channels (Redis `pubSubType` / `pubSubShardType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Global,
    Shard,
}

/// The subscribers of one channel or pattern: client id -> slab token.
pub type Subscribers = HashMap<u64, usize>;

/// The server-side registries (Redis `server.pubsub_channels`,
/// `server.pubsubshard_channels`, `server.pubsub_patterns`).
#[derive(Debug, Default)]
pub struct PubSub {
    channels: HashMap<Vec<u8>, Subscribers>,
    shard_channels: HashMap<Vec<u8>, Subscribers>,
    patterns: HashMap<Vec<u8>, Subscribers>,
}

/// Patterns in subscription order with O(1) membership. Redis 7.0 keeps a
/// client's patterns in a list, so PUNSUBSCRIBE without arguments answers in
/// the order they were subscribed.
#[derive(Debug, Default)]
pub struct PatternList {
    next: u64,
    index: HashMap<Vec<u8>, u64>,
    order: BTreeMap<u64, Vec<u8>>,
}

impl PatternList {
    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    pub fn contains(&self, p: &[u8]) -> bool {
        self.index.contains_key(p)
    }

    /// Adds `p` at the end; false if it was already there.
    pub fn insert(&mut self, p: &[u8]) -> bool {
        if self.index.contains_key(p) {
            return false;
        }
        let seq = self.next;
        self.next += 1;
        self.index.insert(p.to_vec(), seq);
        self.order.insert(seq, p.to_vec());
        true
    }

    /// Removes `p`; false if it was not there.
    pub fn remove(&mut self, p: &[u8]) -> bool {
        match self.index.remove(p) {
            Some(seq) => {
                self.order.remove(&seq);
                true
            }
            None => false,
        }
    }

    /// The patterns, oldest subscription first.
    pub fn iter(&self) -> impl Iterator<Item = &[u8]> {
        self.order.values().map(|p| p.as_slice())
    }

    pub fn clear(&mut self) {
        self.index.clear();
        self.order.clear();
    }
}

/// One client's subscriptions (Redis `c->pubsub_channels`, `c->pubsub_patterns`,
/// `c->pubsubshard_channels` and the CLIENT_PUBSUB flag).
#[derive(Debug, Default)]
pub struct ClientSubscriptions {
    pub channels: HashSet<Vec<u8>>,
    pub shard_channels: HashSet<Vec<u8>>,
    pub patterns: PatternList,
    /// CLIENT_PUBSUB: set by a subscribe command, cleared once no subscription
    /// is left. It selects the RESP2 subscribed context, the `pubsub` output
    /// buffer class and CLIENT LIST's `P` flag.
    pub active: bool,
}

impl ClientSubscriptions {
    /// Channels plus patterns: the count SUBSCRIBE and PSUBSCRIBE report.
    pub fn count(&self) -> usize {
        self.channels.len() + self.patterns.len()
    }

    /// Shard channels: the count SSUBSCRIBE reports.
    pub fn shard_count(&self) -> usize {
        self.shard_channels.len()
    }

    pub fn total(&self) -> usize {
        self.count() + self.shard_count()
    }

    fn set(&self, kind: Kind) -> &HashSet<Vec<u8>> {
        match kind {
            Kind::Global => &self.channels,
            Kind::Shard => &self.shard_channels,
        }
    }

    fn set_mut(&mut self, kind: Kind) -> &mut HashSet<Vec<u8>> {
        match kind {
            Kind::Global => &mut self.channels,
            Kind::Shard => &mut self.shard_channels,
        }
    }

    /// The count a confirmation for `kind` reports.
    pub fn count_for(&self, kind: Kind) -> usize {
        match kind {
            Kind::Global => self.count(),
            Kind::Shard => self.shard_count(),
        }
    }
}

/// Subscription counts for CLIENT LIST (`sub=`, `psub=`, `ssub=`) and the `P` flag.
impl Client {
    pub fn sub_count(&self) -> usize {
        self.pubsub.channels.len()
    }

    pub fn psub_count(&self) -> usize {
        self.pubsub.patterns.len()
    }

    pub fn ssub_count(&self) -> usize {
        self.pubsub.shard_channels.len()
    }

    /// Redis CLIENT_PUBSUB.
    pub fn is_pubsub(&self) -> bool {
        self.pubsub.active
    }
}

/// Adds `c` to `name`'s subscribers in `map`.
fn add_subscriber(map: &mut HashMap<Vec<u8>, Subscribers>, name: &[u8], c: &Client) {
    match map.get_mut(name) {
        Some(subs) => {
            subs.insert(c.id, c.token);
        }
        None => {
            let mut subs = Subscribers::new();
            subs.insert(c.id, c.token);
            map.insert(name.to_vec(), subs);
        }
    }
}

/// Removes client `id` from `name`'s subscribers, dropping the entry when it
/// empties so that abandoned channels cost no memory.
fn remove_subscriber(map: &mut HashMap<Vec<u8>, Subscribers>, name: &[u8], id: u64) {
    if let Some(subs) = map.get_mut(name) {
        subs.remove(&id);
        if subs.is_empty() {
            map.remove(name);
        }
    }
}

impl PubSub {
    fn registry(&self, kind: Kind) -> &HashMap<Vec<u8>, Subscribers> {
        match kind {
            Kind::Global => &self.channels,
            Kind::Shard => &self.shard_channels,
        }
    }

    fn registry_mut(&mut self, kind: Kind) -> &mut HashMap<Vec<u8>, Subscribers> {
        match kind {
            Kind::Global => &mut self.channels,
            Kind::Shard => &mut self.shard_channels,
        }
    }

    /// Subscribes `c` to a channel; false if it already was.
    pub fn subscribe(&mut self, kind: Kind, c: &mut Client, name: &[u8]) -> bool {
        if c.pubsub.set(kind).contains(name) {
            return false;
        }
        c.pubsub.set_mut(kind).insert(name.to_vec());
        add_subscriber(self.registry_mut(kind), name, c);
        true
    }

    /// Unsubscribes `c` from a channel; false if it was not subscribed.
    pub fn unsubscribe(&mut self, kind: Kind, c: &mut Client, name: &[u8]) -> bool {
        if !c.pubsub.set_mut(kind).remove(name) {
            return false;
        }
        remove_subscriber(self.registry_mut(kind), name, c.id);
        true
    }

    /// Subscribes `c` to a pattern; false if it already was.
    pub fn psubscribe(&mut self, c: &mut Client, pattern: &[u8]) -> bool {
        if !c.pubsub.patterns.insert(pattern) {
            return false;
        }
        add_subscriber(&mut self.patterns, pattern, c);
        true
    }

    /// Unsubscribes `c` from a pattern; false if it was not subscribed.
    pub fn punsubscribe(&mut self, c: &mut Client, pattern: &[u8]) -> bool {
        if !c.pubsub.patterns.remove(pattern) {
            return false;
        }
        remove_subscriber(&mut self.patterns, pattern, c.id);
        true
    }

    /// Drops every subscription of `c` without notifying it (a client being
    /// freed or RESET).
    pub fn forget(&mut self, c: &mut Client) {
        let subs = std::mem::take(&mut c.pubsub);
        for name in &subs.channels {
            remove_subscriber(&mut self.channels, name, c.id);
        }
        for name in &subs.shard_channels {
            remove_subscriber(&mut self.shard_channels, name, c.id);
        }
        for pattern in subs.patterns.iter() {
            remove_subscriber(&mut self.patterns, pattern, c.id);
        }
    }

    /// Active channels of `kind` (those with at least one subscriber).
    pub fn channel_names(&self, kind: Kind) -> impl Iterator<Item = &[u8]> {
        self.registry(kind).keys().map(|k| k.as_slice())
    }

    /// Subscribers of one channel, patterns not counted (PUBSUB NUMSUB).
    pub fn numsub(&self, kind: Kind, name: &[u8]) -> usize {
        self.registry(kind).get(name).map_or(0, |s| s.len())
    }

    /// INFO `pubsub_channels`.
    pub fn channel_count(&self) -> usize {
        self.channels.len()
    }

    /// INFO `pubsub_patterns` and PUBSUB NUMPAT: distinct patterns.
    pub fn pattern_count(&self) -> usize {
        self.patterns.len()
    }

    /// INFO `pubsubshard_channels`.
    pub fn shard_channel_count(&self) -> usize {
        self.shard_channels.len()
    }
}

/// Drops a freed client's subscriptions (Redis `freeClient`).
pub fn forget_client(srv: &mut Server, c: &mut Client) {
    if c.pubsub.total() > 0 || c.pubsub.active {
        srv.pubsub.forget(c);
    }
}

/// What RESET undoes for pub/sub (Redis `clearClientConnectionState`): every
/// subscription, silently, and the CLIENT_PUBSUB flag.
pub fn reset_client(srv: &mut Server, c: &mut Client) {
    forget_client(srv, c);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conn::Socket;

    fn client(id: u64, token: usize) -> Client {
        let (a, _b) = mio::net::UnixStream::pair().unwrap();
        Client::new(id, token, Socket::Unix(a), "x:0".into(), "x:0".into(), 0)
    }

    #[test]
    fn pattern_list_keeps_subscription_order() {
        let mut l = PatternList::default();
        assert!(l.insert(b"b*"));
        assert!(l.insert(b"a*"));
        assert!(!l.insert(b"b*"));
        assert!(l.insert(b"c*"));
        assert!(l.remove(b"a*"));
        assert!(!l.remove(b"a*"));
        let v: Vec<&[u8]> = l.iter().collect();
        assert_eq!(v, vec![&b"b*"[..], &b"c*"[..]]);
        assert_eq!(l.len(), 2);
    }

    #[test]
    fn registries_follow_clients() {
        let mut ps = PubSub::default();
        let mut a = client(1, 0);
        let mut b = client(2, 1);
        assert!(ps.subscribe(Kind::Global, &mut a, b"ch"));
        assert!(!ps.subscribe(Kind::Global, &mut a, b"ch"));
        assert!(ps.subscribe(Kind::Global, &mut b, b"ch"));
        assert!(ps.subscribe(Kind::Shard, &mut b, b"ch"));
        assert!(ps.psubscribe(&mut a, b"c*"));
        assert!(ps.psubscribe(&mut b, b"c*"));
        assert_eq!(ps.numsub(Kind::Global, b"ch"), 2);
        assert_eq!(ps.numsub(Kind::Shard, b"ch"), 1);
        assert_eq!(ps.pattern_count(), 1);
        assert_eq!(a.pubsub.count(), 2);
        assert!(ps.unsubscribe(Kind::Global, &mut a, b"ch"));
        assert!(!ps.unsubscribe(Kind::Global, &mut a, b"ch"));
        assert_eq!(ps.numsub(Kind::Global, b"ch"), 1);
        ps.forget(&mut b);
        assert_eq!(ps.channel_count(), 0);
        assert_eq!(ps.shard_channel_count(), 0);
        assert_eq!(ps.pattern_count(), 1);
        assert!(ps.punsubscribe(&mut a, b"c*"));
        assert_eq!(ps.pattern_count(), 0);
        assert_eq!(b.pubsub.total(), 0);
    }
}
