//! Streams (Redis t_stream.c, type half): the `Stream` value and its API.
//! Commands live in `add.rs`, `range.rs`, `trim.rs`, `read.rs`; see
//! docs/streams.md.
//!
//! # Structure
//! Entries live in nodes exactly as in Redis 7.0: a map from a node's
//! *master ID* (the ID of the first entry ever added to it) to a listpack in
//! Redis's stream node layout (`node.rs`). Redis keys the nodes in a rax by
//! the ID's 16-byte big-endian encoding; a `BTreeMap<u128, Listpack>` orders
//! the same way with the same complexity and stands in for the rax. RDB
//! writes each node as (`StreamId::to_be_bytes()` of the key, listpack
//! bytes), byte-for-byte what Redis writes.
//!
//! Entries are never removed from a node one by one: XDEL and in-node trims
//! flag them deleted and move one from the master's `count` to `deleted`;
//! a node whose `count` reaches 0 (XDEL) or whose entries are all trimmed
//! is removed as a whole. A new node is opened when the tail node reached
//! `stream-node-max-bytes` or `stream-node-max-entries` (live + deleted).
//!
//! Metadata as Redis 7.0 keeps it: `length` (live entries), `last_id` (the
//! top ID ever added or set by XSETID), `first_id` (first live ID, 0-0 when
//! empty), `max_deleted_entry_id` (largest ID removed by XDEL or set by
//! XSETID) and `entries_added` (every entry ever added).
//!
//! # API for the other stream helpers
//! - build: [`Stream::new`], [`Stream::append`] (XADD), [`Stream::insert_node`]
//!   (RDB load; fields `length`, `last_id`, ... are public to restore them).
//! - read: [`Stream::range`] -> [`Entry`] (`id`, `fields()`), [`Stream::edge_id`],
//!   [`Stream::last_valid_id`], [`Stream::nodes`] (master ID + listpack).
//! - remove: [`Stream::delete`] (one entry, XDEL's primitive), [`Stream::trim`].

pub mod add;
pub mod cgroup;
pub mod claim;
pub mod commands;
pub mod edit;
pub mod group_cmds;
pub mod id;
pub mod info;
pub mod iter;
#[cfg(test)]
mod model_tests;
pub mod node;
pub mod pending;
pub mod range;
pub mod read;
pub mod readgroup;
pub mod trim;

use std::collections::BTreeMap;

pub use id::{ParsedId, StreamId};
use node::{Fields, Master, RawEntry};

use crate::ds::listpack::Listpack;

/// STREAM_LISTPACK_MAX_PRE_ALLOCATE: a new node's initial allocation.
const PREALLOC: usize = 4096;

/// STREAM_LISTPACK_MAX_SIZE: no node grows past 1 GB.
pub const LISTPACK_MAX_SIZE: usize = 1 << 30;

/// The node limits of `stream-node-max-bytes` / `stream-node-max-entries`.
#[derive(Clone, Copy, Debug)]
pub struct NodeLimits {
    pub max_bytes: i64,
    pub max_entries: i64,
}

/// How XADD picks the new ID.
#[derive(Clone, Copy, Debug)]
pub enum AddId {
    /// `*`: the current unix time in ms, or last ID + 1.
    Auto { now_ms: u64 },
    /// `<ms>-<seq>`.
    Explicit(StreamId),
    /// `<ms>-*`: sequence 0, or last seq + 1 in the same ms.
    SeqAuto(u64),
}

/// Why an append failed (errno EDOM / ERANGE in Redis).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppendError {
    /// The ID is not greater than the top ID.
    IdTooSmall,
    /// The fields and values exceed the node size limit.
    TooLarge,
}

/// What to trim to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrimStrategy {
    MaxLen(u64),
    MinId(StreamId),
}

/// A trim request (`streamAddTrimArgs`): `limit` 0 means unlimited.
#[derive(Clone, Copy, Debug)]
pub struct TrimArgs {
    pub strategy: TrimStrategy,
    pub approx: bool,
    pub limit: i64,
}

/// A stream value.
#[derive(Clone, Debug, Default)]
pub struct Stream {
    nodes: BTreeMap<u128, Listpack>,
    pub length: u64,
    pub last_id: StreamId,
    pub first_id: StreamId,
    pub max_deleted_entry_id: StreamId,
    pub entries_added: u64,
    /// The tail node's preallocation (`lpNew(prealloc)` in
    /// `streamAppendItem`) until the node is shrunk: key and bytes. Only
    /// MEMORY USAGE reads it.
    prealloc: Option<(u128, usize)>,
    /// Consumer groups by name (xgroups helper, see cgroup.rs).
    pub cgroups: cgroup::Groups,
}

/// One live entry, read in place from its node.
#[derive(Clone, Copy)]
pub struct Entry<'a> {
    pub id: StreamId,
    lp: &'a Listpack,
    master: Master,
    raw: RawEntry,
}

impl<'a> Entry<'a> {
    pub fn num_fields(&self) -> usize {
        self.raw.num_fields
    }

    /// The (field, value) pairs in order.
    pub fn fields(&self) -> Fields<'a> {
        Fields::new(self.lp, &self.master, &self.raw)
    }

    /// Whether the entry is flagged deleted (only seen with tombstones).
    pub fn deleted(&self) -> bool {
        self.raw.deleted()
    }
}

impl Stream {
    pub fn new() -> Stream {
        Stream::default()
    }

    /// A copy (COPY; `streamDup` copies each listpack at its exact size).
    pub fn duplicate(&self) -> Stream {
        let mut c = self.clone();
        c.prealloc = None;
        c
    }

    /// Live entries (XLEN).
    pub fn len(&self) -> u64 {
        self.length
    }

    pub fn is_empty(&self) -> bool {
        self.length == 0
    }

    /// Number of nodes (rax elements).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// The nodes in ID order: master ID and listpack (for RDB and DEBUG).
    pub fn nodes(&self) -> impl DoubleEndedIterator<Item = (StreamId, &Listpack)> + '_ {
        self.nodes
            .iter()
            .map(|(k, lp)| (StreamId::from_u128(*k), lp))
    }

    /// Adds a node as loaded from RDB (the caller validated it and restores
    /// the metadata fields itself).
    pub fn insert_node(&mut self, master: StreamId, lp: Listpack) {
        self.nodes.insert(master.to_u128(), lp);
    }

    /// Live entries with `start <= id <= end`, ascending or (`rev`) descending.
    pub fn range(&self, start: StreamId, end: StreamId, rev: bool) -> iter::Range<'_> {
        iter::Range::new(self, start, end, rev, true)
    }

    /// Like [`Stream::range`] but also yields entries flagged deleted.
    pub fn range_with_tombstones(
        &self,
        start: StreamId,
        end: StreamId,
        rev: bool,
    ) -> iter::Range<'_> {
        iter::Range::new(self, start, end, rev, false)
    }

    /// `streamGetEdgeID`: the first (or last) entry's ID, optionally skipping
    /// deleted entries; when there is none, the maximum ID for `first` and
    /// 0-0 otherwise.
    pub fn edge_id(&self, first: bool, skip_tombstones: bool) -> StreamId {
        let mut it = iter::Range::new(self, StreamId::MIN, StreamId::MAX, !first, skip_tombstones);
        match it.next() {
            Some(e) => e.id,
            None if first => StreamId::MAX,
            None => StreamId::MIN,
        }
    }

    /// `streamLastValidID`: the last live entry's ID, or 0-0.
    pub fn last_valid_id(&self) -> StreamId {
        self.edge_id(false, true)
    }

    /// Computes the ID XADD would use (`streamAppendItem`'s first half).
    fn next_id(&self, spec: AddId) -> Result<StreamId, AppendError> {
        let last = self.last_id;
        let id = match spec {
            AddId::Explicit(id) => id,
            AddId::SeqAuto(ms) if ms == last.ms => {
                // Redis 7.0.15 returns here without setting errno, and XADD
                // then reports the (stale) ERANGE text.
                if last.seq == u64::MAX {
                    return Err(AppendError::TooLarge);
                }
                StreamId::new(ms, last.seq + 1)
            }
            AddId::SeqAuto(ms) => StreamId::new(ms, 0),
            AddId::Auto { now_ms } if now_ms > last.ms => StreamId::new(now_ms, 0),
            AddId::Auto { .. } => last.incr().unwrap_or(StreamId::MIN),
        };
        if id <= last {
            return Err(AppendError::IdTooSmall);
        }
        Ok(id)
    }

    /// Whether the tail node can take `add_bytes` more (`streamAppendItem`).
    fn tail_has_room(lp: &Listpack, add_bytes: usize, limits: NodeLimits) -> bool {
        let mut max_bytes = limits.max_bytes.max(0) as usize;
        if max_bytes == 0 || max_bytes > LISTPACK_MAX_SIZE {
            max_bytes = LISTPACK_MAX_SIZE;
        }
        if lp.bytes() + add_bytes >= max_bytes {
            return false;
        }
        if limits.max_entries != 0 {
            if let Some(m) = node::master(lp) {
                if m.count + m.deleted >= limits.max_entries {
                    return false;
                }
            }
        }
        true
    }

    /// XADD's append (`streamAppendItem`): `pairs` is field, value, field,
    /// value... (an odd last element is ignored). Returns the new entry's ID.
    pub fn append(
        &mut self,
        pairs: &[&[u8]],
        spec: AddId,
        limits: NodeLimits,
    ) -> Result<StreamId, AppendError> {
        let id = self.next_id(spec)?;
        let total: usize = pairs.iter().map(|p| p.len()).sum();
        if total > LISTPACK_MAX_SIZE {
            return Err(AppendError::TooLarge);
        }
        let fields: Vec<&[u8]> = pairs.chunks_exact(2).map(|c| c[0]).collect();
        let tail = self
            .nodes
            .iter_mut()
            .next_back()
            .filter(|(_, lp)| Self::tail_has_room(lp, total, limits));
        match tail {
            Some((k, lp)) => {
                let master_id = StreamId::from_u128(*k);
                let Some(m) = node::master(lp) else {
                    return Err(AppendError::TooLarge);
                };
                let same = node::same_as_master(lp, &m, &fields);
                node::set_counters(lp, m.count + 1, m.deleted);
                node::append_entry(lp, master_id, id, pairs, same);
            }
            None => {
                let mut lp = node::new_node(&fields);
                node::append_entry(&mut lp, id, id, pairs, true);
                self.nodes.insert(id.to_u128(), lp);
                let mut pre = PREALLOC;
                if limits.max_bytes > 0 && (limits.max_bytes as usize) < pre {
                    pre = limits.max_bytes as usize;
                }
                self.prealloc = Some((id.to_u128(), pre));
            }
        }
        self.length += 1;
        self.entries_added += 1;
        self.last_id = id;
        if self.length == 1 {
            self.first_id = id;
        }
        Ok(id)
    }

    /// Removes one live entry (`streamDeleteItem`); false if there is none
    /// with that ID. XDEL updates `first_id` and `max_deleted_entry_id`.
    pub fn delete(&mut self, id: StreamId) -> bool {
        let Some((&k, lp)) = self.nodes.range_mut(..=id.to_u128()).next_back() else {
            return false;
        };
        let master_id = StreamId::from_u128(k);
        let Some(m) = node::master(lp) else {
            return false;
        };
        let mut p = m.first_entry(lp);
        while let Some(q) = p {
            let Some(e) = node::entry_at(lp, &m, master_id, q) else {
                return false;
            };
            if e.id > id {
                return false;
            }
            if e.id == id && !e.deleted() {
                let before = lp.bytes();
                if m.count == 1 {
                    self.nodes.remove(&k);
                } else {
                    node::mark_deleted(lp, q);
                    node::set_counters(lp, m.count - 1, m.deleted + 1);
                }
                self.note_shrink(k, before);
                self.length -= 1;
                return true;
            }
            p = lp.next(e.lp_count);
        }
        false
    }

    /// XTRIM / XADD's trimming (`streamTrim`): returns entries removed.
    pub fn trim(&mut self, args: &TrimArgs) -> u64 {
        let deleted = trim::trim_nodes(self, args);
        if let Some((k, _)) = self.prealloc {
            if !self.nodes.contains_key(&k) {
                self.prealloc = None;
            }
        }
        self.first_id = if self.length == 0 {
            StreamId::MIN
        } else {
            self.edge_id(true, true)
        };
        deleted
    }

    /// The rax node count Redis would have (XINFO STREAM radix-tree-nodes,
    /// MEMORY USAGE): the canonical radix tree over the 16-byte node keys,
    /// a compressed node per single-child chain, a branching node per fork,
    /// an empty node per key. O(nodes).
    pub fn rax_nodes(&self) -> usize {
        let keys: Vec<u128> = self.nodes.keys().copied().collect();
        if keys.is_empty() {
            return 1;
        }
        rax_count(&keys, 0)
    }

    /// Free effort (`lazyfreeGetFreeEffort`: one allocation per rax node),
    /// estimated in O(1) as two rax nodes per key.
    pub fn free_effort(&self) -> usize {
        1 + self.nodes.len() * 2 + cgroup::groups_free_effort(&self.cgroups)
    }

    /// MEMORY USAGE (objectComputeSize for streams): the stream and rax
    /// overhead plus the listpacks, averaging the first `samples` nodes.
    pub fn mem_usage(&self, samples: usize) -> usize {
        // sizeof(stream) is 80; the rax estimate is streamRadixTreeMemoryUsage's.
        let mut size = 80 + self.nodes.len() * 16 + self.rax_nodes() * (4 + 8 * 30);
        let samples = samples.max(1);
        let mut lpsize = 0;
        let mut n = 0;
        for (k, lp) in self.nodes.iter().take(samples) {
            lpsize += self.node_alloc(*k, lp);
            n += 1;
        }
        if self.nodes.len() <= n {
            size += lpsize;
        } else {
            size += lpsize / n * (self.nodes.len() - 1);
            if let Some((k, lp)) = self.nodes.iter().next_back() {
                size += self.node_alloc(*k, lp);
            }
        }
        size + cgroup::groups_mem_usage(&self.cgroups)
    }

    /// Drops the preallocation of node `k` if it shrank (listpack.c
    /// reallocates to the exact size when an edit makes it smaller).
    pub(crate) fn note_shrink(&mut self, k: u128, before: usize) {
        if self.prealloc.is_some_and(|(p, _)| p == k)
            && self.nodes.get(&k).is_none_or(|lp| lp.bytes() < before)
        {
            self.prealloc = None;
        }
    }

    /// The allocation of node `k` as jemalloc sizes it.
    fn node_alloc(&self, k: u128, lp: &Listpack) -> usize {
        use crate::alloc::alloc_size;
        match self.prealloc {
            Some((p, n)) if p == k => alloc_size(lp.bytes().max(n)),
            _ => alloc_size(lp.bytes()),
        }
    }

    pub(crate) fn nodes_map(&self) -> &BTreeMap<u128, Listpack> {
        &self.nodes
    }

    pub(crate) fn nodes_map_mut(&mut self) -> &mut BTreeMap<u128, Listpack> {
        &mut self.nodes
    }
}

/// DEBUG DIGEST of a stream (`xorObjectDigest`): each entry's `ms.seq`,
/// then its fields and values, mixed in order.
pub fn digest_into(digest: &mut crate::keyspace::digest::Digest, s: &Stream) {
    use crate::keyspace::digest::mix_digest;
    let mut buf = Vec::new();
    for e in s.range(StreamId::MIN, StreamId::MAX, false) {
        mix_digest(digest, format!("{}.{}", e.id.ms, e.id.seq).as_bytes());
        for (f, v) in e.fields() {
            for x in [f, v] {
                buf.clear();
                x.write_to(&mut buf);
                mix_digest(digest, &buf);
            }
        }
    }
}

/// Rax nodes under a trie position at byte `d` holding the sorted `keys`.
fn rax_count(keys: &[u128], d: u32) -> usize {
    if d >= 16 {
        return 1;
    }
    let diff = keys[0] ^ keys[keys.len() - 1];
    let p = if diff == 0 {
        16
    } else {
        diff.leading_zeros() / 8
    };
    if p > d {
        return 1 + rax_count(keys, p);
    }
    let byte = |k: u128| (k >> (8 * (15 - d))) as u8;
    let mut n = 1;
    let mut i = 0;
    while i < keys.len() {
        let b = byte(keys[i]);
        let mut j = i + 1;
        while j < keys.len() && byte(keys[j]) == b {
            j += 1;
        }
        n += rax_count(&keys[i..j], d + 1);
        i = j;
    }
    n
}
