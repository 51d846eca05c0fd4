//! Consumer groups (Redis t_stream.c `streamCG`, `streamConsumer`,
//! `streamNACK`, `streamCreateCG`, `streamCreateConsumer`,
//! `streamDelConsumer`, `streamEstimateDistanceFromFirstEverEntry`,
//! `streamRangeHasTombstones`, `streamReplyWithCGLag`).
//!
//! A group owns its pending entries list (PEL): ID -> [`Nack`]. Redis shares
//! each NACK between the group PEL and the owning consumer's PEL; here the
//! NACK lives in the group PEL and names its consumer, and each consumer
//! keeps the set of IDs it owns. Both maps are ordered like Redis's rax
//! (IDs by value, names by bytes), so every reply iterates in Redis's order.

use std::collections::{BTreeMap, BTreeSet};

use super::{Stream, StreamId};

/// `SCG_INVALID_ENTRIES_READ`: the group's read counter is unknown.
pub const INVALID_ENTRIES_READ: i64 = -1;

/// A pending entry (`streamNACK`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Nack {
    /// Unix ms of the last delivery.
    pub delivery_time: i64,
    /// Number of deliveries (Redis keeps a `uint64_t`).
    pub delivery_count: u64,
    /// Name of the owning consumer (a key of the group's `consumers`).
    pub consumer: Vec<u8>,
}

/// A consumer (`streamConsumer`, 7.0: no active-time yet).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Consumer {
    /// Unix ms of the last time the consumer was seen (read or claimed).
    pub seen_time: i64,
    /// The IDs of the group PEL owned by this consumer.
    pub pel: BTreeSet<StreamId>,
}

/// A consumer group (`streamCG`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConsumerGroup {
    /// Last ID delivered to any consumer (`>` reads after it).
    pub last_id: StreamId,
    /// Logical read counter, or [`INVALID_ENTRIES_READ`].
    pub entries_read: i64,
    /// Pending entries of the whole group.
    pub pel: BTreeMap<StreamId, Nack>,
    /// Consumers by name.
    pub consumers: BTreeMap<Vec<u8>, Consumer>,
}

/// The groups of a stream, by name (`stream.cgroups`).
pub type Groups = BTreeMap<Vec<u8>, ConsumerGroup>;

impl ConsumerGroup {
    pub fn new(last_id: StreamId, entries_read: i64) -> ConsumerGroup {
        ConsumerGroup {
            last_id,
            entries_read,
            pel: BTreeMap::new(),
            consumers: BTreeMap::new(),
        }
    }

    /// Creates consumer `name` seen at `now`; false if it exists
    /// (`streamCreateConsumer`).
    pub fn create_consumer(&mut self, name: &[u8], now: i64) -> bool {
        if self.consumers.contains_key(name) {
            return false;
        }
        self.consumers.insert(
            name.to_vec(),
            Consumer {
                seen_time: now,
                pel: BTreeSet::new(),
            },
        );
        true
    }

    /// Deletes consumer `name` and its pending entries (`streamDelConsumer`);
    /// returns how many it had, or None if there is no such consumer.
    pub fn del_consumer(&mut self, name: &[u8]) -> Option<usize> {
        let c = self.consumers.remove(name)?;
        for id in &c.pel {
            self.pel.remove(id);
        }
        Some(c.pel.len())
    }

    /// Acknowledges `id`: removes it from the group and consumer PELs.
    pub fn ack(&mut self, id: StreamId) -> bool {
        match self.pel.remove(&id) {
            Some(nack) => {
                if let Some(c) = self.consumers.get_mut(&nack.consumer) {
                    c.pel.remove(&id);
                }
                true
            }
            None => false,
        }
    }

    /// Gives pending entry `id` to `consumer` (which must exist), creating
    /// the NACK if needed; returns the NACK.
    pub fn assign(&mut self, id: StreamId, consumer: &[u8]) -> &mut Nack {
        let nack = self.pel.entry(id).or_insert_with(|| Nack {
            delivery_time: 0,
            delivery_count: 0,
            consumer: Vec::new(),
        });
        if nack.consumer != consumer {
            if let Some(old) = self.consumers.get_mut(&nack.consumer) {
                old.pel.remove(&id);
            }
            nack.consumer = consumer.to_vec();
        }
        if let Some(c) = self.consumers.get_mut(consumer) {
            c.pel.insert(id);
        }
        nack
    }

    /// Number of pending entries of consumer `name` (0 if unknown).
    pub fn consumer_pending(&self, name: &[u8]) -> usize {
        self.consumers.get(name).map_or(0, |c| c.pel.len())
    }
}

/// `streamRangeHasTombstones`: whether an XDEL tombstone may lie in
/// `start..=end` (None meaning the extremes).
pub fn range_has_tombstones(s: &Stream, start: Option<StreamId>, end: Option<StreamId>) -> bool {
    if s.length == 0 || s.max_deleted_entry_id.is_zero() {
        return false;
    }
    if s.first_id > s.max_deleted_entry_id {
        return false;
    }
    let start = start.unwrap_or(StreamId::MIN);
    let end = end.unwrap_or(StreamId::MAX);
    start <= s.max_deleted_entry_id && s.max_deleted_entry_id <= end
}

/// `streamEstimateDistanceFromFirstEverEntry`: the logical read counter of
/// `id`, or [`INVALID_ENTRIES_READ`] when it cannot be known.
pub fn estimate_distance(s: &Stream, id: StreamId) -> i64 {
    let added = s.entries_added as i64;
    if s.entries_added == 0 {
        return 0;
    }
    if s.length == 0 && id <= s.last_id {
        return added;
    }
    if id == s.last_id {
        return added;
    }
    if id > s.last_id {
        return INVALID_ENTRIES_READ;
    }
    if s.max_deleted_entry_id.is_zero() || s.max_deleted_entry_id < s.first_id {
        if id < s.first_id {
            return added - s.length as i64;
        }
        if id == s.first_id {
            return added - s.length as i64 + 1;
        }
    }
    INVALID_ENTRIES_READ
}

/// The group's lag (`streamReplyWithCGLag`): None when it is unknown.
pub fn lag(s: &Stream, cg: &ConsumerGroup) -> Option<i64> {
    let added = s.entries_added as i64;
    if s.entries_added == 0 {
        return Some(0);
    }
    if cg.entries_read != INVALID_ENTRIES_READ && !range_has_tombstones(s, Some(cg.last_id), None) {
        return Some(added.wrapping_sub(cg.entries_read));
    }
    match estimate_distance(s, cg.last_id) {
        INVALID_ENTRIES_READ => None,
        read => Some(added.wrapping_sub(read)),
    }
}

/// Advances the group past `id`, just delivered by a `>` read, keeping its
/// read counter valid when it can (`streamReplyWithRange` with a group).
pub fn advance_group(s: &Stream, cg: &mut ConsumerGroup, id: StreamId) {
    if cg.entries_read != INVALID_ENTRIES_READ && !range_has_tombstones(s, Some(id), None) {
        // ENTRIESREAD may have set it anywhere: wraps as Redis's long long does.
        cg.entries_read = cg.entries_read.wrapping_add(1);
    } else if s.entries_added != 0 {
        cg.entries_read = estimate_distance(s, id);
    }
    cg.last_id = id;
}

/// Number of nodes of a Redis rax holding `keys` (16-byte big-endian IDs,
/// ascending). A rax of fixed-length keys keeps the compressed form: a node
/// at the root, at every branching prefix, at every child of a branching
/// prefix and at every key. Counted in one pass over the common-prefix
/// lengths of neighbours: every branching prefix and key is a node, plus
/// one node when its edge from the parent branch is longer than one byte.
/// Used by MEMORY USAGE and XINFO STREAM.
pub fn rax_node_count(keys: impl Iterator<Item = [u8; 16]>) -> usize {
    let keys: Vec<[u8; 16]> = keys.collect();
    let n = keys.len();
    if n <= 1 {
        return 1 + n;
    }
    let lcp =
        |a: &[u8; 16], b: &[u8; 16]| a.iter().zip(b).take_while(|(x, y)| x == y).count() as i32;
    // l[i] is the common prefix of keys i-1 and i (l[0] unused).
    let l: Vec<i32> = (0..n)
        .map(|i| {
            if i == 0 {
                -1
            } else {
                lcp(&keys[i - 1], &keys[i])
            }
        })
        .collect();
    let mut count = 1 + n;
    for i in 0..n {
        let parent = l[i].max(if i + 1 < n { l[i + 1] } else { -1 });
        if 16 > parent + 1 {
            count += 1;
        }
    }
    // Branching prefixes are the distinct LCP intervals (a stack of open
    // intervals); each one's parent is the deeper of its two boundaries.
    let mut stack: Vec<i32> = Vec::new();
    for &cur in l[1..].iter().chain(std::iter::once(&-1)) {
        while let Some(&d) = stack.last() {
            if d <= cur {
                break;
            }
            stack.pop();
            let parent = cur.max(stack.last().copied().unwrap_or(-1));
            if d > 0 {
                count += 1;
                if parent >= 0 && d > parent + 1 {
                    count += 1;
                }
            }
        }
        if cur >= 0 && stack.last().is_none_or(|&t| t < cur) {
            stack.push(cur);
        }
    }
    count
}

/// The groups' part of the lazy-free effort (`lazyfreeGetFreeEffort`):
/// every group and every NACK is an allocation, the first group's PEL
/// standing for all of them.
pub fn groups_free_effort(groups: &Groups) -> usize {
    match groups.values().next() {
        Some(first) => groups.len() * (1 + first.pel.len()),
        None => 0,
    }
}

/// `streamRadixTreeMemoryUsage` for a rax of `numele` IDs and `numnodes` nodes.
pub fn rax_memory(numele: usize, numnodes: usize) -> usize {
    numele * 16 + numnodes * 4 + numnodes * 8 * 30
}

/// The consumer-group part of MEMORY USAGE (`objectComputeSize`).
pub fn groups_mem_usage(groups: &Groups) -> usize {
    // sizeof(streamCG), sizeof(streamNACK), sizeof(streamConsumer) in 7.0.
    const CG: usize = 40;
    const NACK: usize = 24;
    const CONSUMER: usize = 24;
    let mut size = 0;
    for cg in groups.values() {
        size += CG;
        let nodes = rax_node_count(cg.pel.keys().map(|id| id.to_be_bytes()));
        size += rax_memory(cg.pel.len(), nodes);
        size += NACK * cg.pel.len();
        for (name, c) in &cg.consumers {
            size += CONSUMER + name.len();
            let nodes = rax_node_count(c.pel.iter().map(|id| id.to_be_bytes()));
            size += rax_memory(c.pel.len(), nodes);
        }
    }
    size
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(ids: &[(u64, u64)]) -> usize {
        rax_node_count(ids.iter().map(|&(m, s)| StreamId::new(m, s).to_be_bytes()))
    }

    #[test]
    fn rax_nodes_of_small_sets() {
        assert_eq!(keys(&[]), 1);
        assert_eq!(keys(&[(1, 1)]), 2);
        // Two keys differing in the last byte: root chain, branch, two leaves.
        assert_eq!(keys(&[(1, 1), (1, 2)]), 4);
        // A third child of the same branch adds one leaf.
        assert_eq!(keys(&[(1, 1), (1, 2), (1, 3)]), 5);
    }

    /// The definition: distinct positions (root, branches, their children, keys).
    fn by_positions(ks: &[[u8; 16]]) -> usize {
        let mut pos = std::collections::HashSet::new();
        pos.insert(Vec::new());
        for (i, k) in ks.iter().enumerate() {
            pos.insert(k.to_vec());
            if i > 0 {
                let p = &ks[i - 1];
                let l = p.iter().zip(k).take_while(|(a, b)| a == b).count();
                pos.insert(p[..l].to_vec());
                pos.insert(p[..l + 1].to_vec());
                pos.insert(k[..l + 1].to_vec());
            }
        }
        pos.len()
    }

    #[test]
    fn rax_nodes_match_the_definition_on_random_sets() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for round in 0..200 {
            let mut ids = std::collections::BTreeSet::new();
            for _ in 0..(round % 40) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let ms = [x % 7, x % 300, x % 70000, x >> 20][(x % 4) as usize];
                ids.insert(StreamId::new(ms, (x >> 40) % [1, 3, 300][(x % 3) as usize]));
            }
            let ks: Vec<[u8; 16]> = ids.iter().map(|id| id.to_be_bytes()).collect();
            assert_eq!(
                rax_node_count(ks.iter().copied()),
                by_positions(&ks),
                "{:?}",
                ids
            );
        }
    }

    #[test]
    fn del_consumer_drops_its_pending_entries() {
        let mut g = ConsumerGroup::new(StreamId::MIN, INVALID_ENTRIES_READ);
        assert!(g.create_consumer(b"a", 1));
        assert!(!g.create_consumer(b"a", 2));
        g.create_consumer(b"b", 1);
        g.assign(StreamId::new(1, 0), b"a");
        g.assign(StreamId::new(2, 0), b"a");
        g.assign(StreamId::new(3, 0), b"b");
        g.assign(StreamId::new(2, 0), b"b");
        assert_eq!(g.consumer_pending(b"a"), 1);
        assert_eq!(g.del_consumer(b"b"), Some(2));
        assert_eq!(g.pel.len(), 1);
        assert!(g.ack(StreamId::new(1, 0)));
        assert!(!g.ack(StreamId::new(1, 0)));
        assert_eq!(g.consumer_pending(b"a"), 0);
    }
}
