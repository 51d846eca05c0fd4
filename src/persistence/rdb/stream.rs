//! Streams in RDB form (Redis rdb.c, the RDB_TYPE_STREAM_LISTPACKS(_2) arms
//! of rdbSaveObject and rdbLoadObject). We write type 19 and read 15 and 19.
//!
//! Layout: node count, then per node its 16-byte master ID and its listpack
//! (as raw strings); length, last ID; (19 only) first ID, max deleted ID,
//! entries added; then the groups: name, last delivered ID, (19 only)
//! entries read, the global PEL (raw 16-byte ID, delivery time in ms as 8
//! bytes LE, delivery count), the consumers (name, seen time, their PEL as
//! raw IDs that must be in the global PEL).
//!
//! The loader always checks what our stream code relies on, whatever
//! sanitize-dump-payload says: every node's layout, ascending IDs inside
//! their node's range, counters that match the entries, each pending entry
//! owned by exactly one consumer. Redis checks part of this only in deep
//! mode and trusts the rest; we refuse such payloads instead.

use std::collections::{BTreeMap, HashSet};
use std::io::{self, Read, Write};

use super::encoding::*;
use super::stream_node::{walk_node, EntryId};
use super::*;
use crate::ds::listpack::{self, Listpack};
use crate::persistence::rio::{RioReader, RioWriter};

/// The stream's own counters (everything but nodes and groups).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StreamMeta {
    pub length: u64,
    pub last_id: EntryId,
    pub first_id: EntryId,
    pub max_deleted: EntryId,
    pub entries_added: u64,
}

/// A pending entry of a group (streamNACK), owned by `consumer` (an index
/// into the group's consumers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NackData {
    pub id: EntryId,
    pub delivery_time: i64,
    pub delivery_count: u64,
    pub consumer: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumerData {
    pub name: Vec<u8>,
    pub seen_time: i64,
    /// The IDs this consumer owns, ascending.
    pub pel: Vec<EntryId>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupData {
    pub name: Vec<u8>,
    pub last_id: EntryId,
    /// -1 (SCG_INVALID_ENTRIES_READ) when unknown.
    pub entries_read: i64,
    /// Ascending by ID.
    pub pel: Vec<NackData>,
    pub consumers: Vec<ConsumerData>,
}

/// A stream as loaded: nodes ascending by master ID, each checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamData {
    pub nodes: Vec<(EntryId, Listpack)>,
    pub meta: StreamMeta,
    pub groups: Vec<GroupData>,
}

/// A stream to save, borrowed from wherever it lives. The writer sorts
/// nodes, groups, consumers and PELs as Redis's radix trees order them.
pub struct StreamView<'a> {
    pub nodes: Vec<(EntryId, &'a Listpack)>,
    pub meta: StreamMeta,
    pub groups: Vec<GroupView<'a>>,
}

pub struct GroupView<'a> {
    pub name: &'a [u8],
    pub last_id: EntryId,
    pub entries_read: i64,
    /// (id, delivery time, delivery count)
    pub pel: Vec<(EntryId, i64, u64)>,
    pub consumers: Vec<ConsumerView<'a>>,
}

pub struct ConsumerView<'a> {
    pub name: &'a [u8],
    pub seen_time: i64,
    pub pel: Vec<EntryId>,
}

/// rdbSaveObject for OBJ_STREAM (RDB_TYPE_STREAM_LISTPACKS_2).
pub fn save_stream<W: Write>(
    w: &mut RioWriter<W>,
    mut s: StreamView<'_>,
    compress: bool,
) -> io::Result<()> {
    s.nodes.sort_by_key(|n| n.0);
    save_len(w, s.nodes.len() as u64)?;
    for (id, lp) in &s.nodes {
        save_string(w, &id.to_be(), compress)?;
        save_string(w, lp.as_bytes(), compress)?;
    }
    let m = &s.meta;
    for v in [
        m.length,
        m.last_id.ms,
        m.last_id.seq,
        m.first_id.ms,
        m.first_id.seq,
        m.max_deleted.ms,
        m.max_deleted.seq,
        m.entries_added,
    ] {
        save_len(w, v)?;
    }
    s.groups.sort_by(|a, b| a.name.cmp(b.name));
    save_len(w, s.groups.len() as u64)?;
    for g in &mut s.groups {
        save_group(w, g, compress)?;
    }
    Ok(())
}

/// One group: name, last ID, entries read, global PEL, consumers.
fn save_group<W: Write>(
    w: &mut RioWriter<W>,
    g: &mut GroupView<'_>,
    compress: bool,
) -> io::Result<()> {
    save_string(w, g.name, compress)?;
    save_len(w, g.last_id.ms)?;
    save_len(w, g.last_id.seq)?;
    save_len(w, g.entries_read as u64)?;
    g.pel.sort_by_key(|n| n.0);
    save_len(w, g.pel.len() as u64)?;
    for (id, time, count) in &g.pel {
        w.write(&id.to_be())?;
        save_millis(w, *time)?;
        save_len(w, *count)?;
    }
    g.consumers.sort_by(|a, b| a.name.cmp(b.name));
    save_len(w, g.consumers.len() as u64)?;
    for c in &mut g.consumers {
        save_string(w, c.name, compress)?;
        save_millis(w, c.seen_time)?;
        c.pel.sort();
        save_len(w, c.pel.len() as u64)?;
        for id in &c.pel {
            w.write(&id.to_be())?;
        }
    }
    Ok(())
}

impl StreamData {
    /// The saving view of a loaded stream.
    pub fn view(&self) -> StreamView<'_> {
        StreamView {
            nodes: self.nodes.iter().map(|(id, lp)| (*id, lp)).collect(),
            meta: self.meta,
            groups: self
                .groups
                .iter()
                .map(|g| GroupView {
                    name: &g.name,
                    last_id: g.last_id,
                    entries_read: g.entries_read,
                    pel: g
                        .pel
                        .iter()
                        .map(|n| (n.id, n.delivery_time, n.delivery_count))
                        .collect(),
                    consumers: g
                        .consumers
                        .iter()
                        .map(|c| ConsumerView {
                            name: &c.name,
                            seen_time: c.seen_time,
                            pel: c.pel.clone(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

fn load_id<R: Read>(r: &mut RioReader<R>) -> LoadResult<EntryId> {
    let ms = load_len(r)?;
    let seq = load_len(r)?;
    Ok(EntryId { ms, seq })
}

fn load_raw_id<R: Read>(r: &mut RioReader<R>) -> LoadResult<EntryId> {
    let mut raw = [0u8; 16];
    r.read_exact(&mut raw)?;
    Ok(EntryId::from_be(&raw))
}

/// rdbLoadObject for RDB_TYPE_STREAM_LISTPACKS and _2 (`v2`).
pub fn load_stream<R: Read>(
    r: &mut RioReader<R>,
    v2: bool,
    opts: &LoadOptions,
) -> LoadResult<StreamData> {
    let nodes = load_nodes(r, opts)?;
    let length = load_len(r)?;
    let last_id = load_id(r)?;
    let mut meta = StreamMeta {
        length,
        last_id,
        ..StreamMeta::default()
    };
    if v2 {
        meta.first_id = load_id(r)?;
        meta.max_deleted = load_id(r)?;
        meta.entries_added = load_len(r)?;
    } else {
        meta.entries_added = length;
    }
    if length != 0 && nodes.is_empty() {
        return Err(corrupt("Stream length inconsistent with rax entries"));
    }
    let first_valid = check_entries(&nodes, &meta)?;
    if !v2 {
        // streamGetEdgeID(first, skip tombstones): the maximal ID when empty.
        meta.first_id = first_valid.unwrap_or(EntryId::MAX);
    }
    let ngroups = load_len(r)?;
    let mut groups: Vec<GroupData> = Vec::new();
    let mut names: HashSet<Vec<u8>> = HashSet::new();
    for _ in 0..ngroups {
        let g = load_group(r, v2, &meta)?;
        if !names.insert(g.name.clone()) {
            return Err(corrupt(format!(
                "Duplicated consumer group name {}",
                String::from_utf8_lossy(&g.name)
            )));
        }
        groups.push(g);
    }
    Ok(StreamData {
        nodes: nodes.into_iter().collect(),
        meta,
        groups,
    })
}

/// The nodes: 16-byte keys, listpacks that are stream nodes, no duplicates.
fn load_nodes<R: Read>(
    r: &mut RioReader<R>,
    opts: &LoadOptions,
) -> LoadResult<BTreeMap<EntryId, Listpack>> {
    let n = load_len(r)?;
    let mut nodes = BTreeMap::new();
    for _ in 0..n {
        let key = load_bytes(r)?;
        let key: [u8; 16] = key
            .as_slice()
            .try_into()
            .map_err(|_| corrupt("Stream node key entry is not the size of a stream ID"))?;
        let blob = load_bytes(r)?;
        opts.count_sanitized();
        let failed = || corrupt("Stream listpack integrity check failed.");
        // Redis's shallow check; the empty-node error comes before the
        // layout check only when not sanitizing deeply, as in Redis.
        if !listpack::validate_shallow(&blob) {
            return Err(failed());
        }
        if !opts.deep && blob.get(6) == Some(&0xFF) {
            return Err(corrupt("Empty listpack inside stream"));
        }
        let lp = Listpack::from_bytes(blob).ok_or_else(failed)?;
        if lp.is_empty() {
            return Err(failed());
        }
        let master = EntryId::from_be(&key);
        walk_node(&lp, master, |_| true).ok_or_else(failed)?;
        if nodes.insert(master, lp).is_some() {
            return Err(corrupt("Listpack re-added with existing key"));
        }
    }
    Ok(nodes)
}

/// What our stream code relies on and Redis never checks: live entries
/// ascending, each inside its node's range and not above the last ID; the
/// node counters and the stream length matching the entries. Returns the
/// first live entry's ID.
fn check_entries(
    nodes: &BTreeMap<EntryId, Listpack>,
    meta: &StreamMeta,
) -> LoadResult<Option<EntryId>> {
    let bad = |why: &str| corrupt(format!("Stream entries inconsistent: {}", why));
    let mut prev: Option<EntryId> = None;
    let mut first: Option<EntryId> = None;
    let mut live = 0u64;
    let keys: Vec<EntryId> = nodes.keys().copied().collect();
    for (i, (master, lp)) in nodes.iter().enumerate() {
        let next_key = keys.get(i + 1).copied();
        let (mut n_live, mut n_dead) = (0u64, 0u64);
        let mut in_order = true;
        let counts = walk_node(lp, *master, |e| {
            if e.deleted {
                n_dead += 1;
                return true;
            }
            n_live += 1;
            let ok = e.id >= *master
                && next_key.is_none_or(|k| e.id < k)
                && prev.is_none_or(|p| e.id > p)
                && e.id <= meta.last_id;
            prev = Some(e.id);
            first.get_or_insert(e.id);
            in_order &= ok;
            true
        })
        .ok_or_else(|| bad("node layout"))?;
        if !in_order {
            return Err(bad("entry IDs out of order"));
        }
        if counts.count != n_live || counts.deleted != n_dead {
            return Err(bad("node counters"));
        }
        live += n_live;
    }
    if live != meta.length {
        return Err(bad("length"));
    }
    if meta.entries_added < meta.length {
        return Err(bad("entries added below length"));
    }
    Ok(first)
}

/// One consumer group: name, last ID, entries read, global PEL, consumers.
fn load_group<R: Read>(r: &mut RioReader<R>, v2: bool, meta: &StreamMeta) -> LoadResult<GroupData> {
    let name = load_bytes(r)?;
    let last_id = load_id(r)?;
    let entries_read = if v2 {
        load_len(r)? as i64
    } else {
        estimate_entries_read(meta, last_id)
    };
    let mut pel = load_group_pel(r)?;
    let nconsumers = load_len(r)?;
    let mut consumers: Vec<ConsumerData> = Vec::new();
    let mut names: HashSet<Vec<u8>> = HashSet::new();
    for _ in 0..nconsumers {
        let cname = load_bytes(r)?;
        if !names.insert(cname.clone()) {
            return Err(corrupt("Duplicate stream consumer detected."));
        }
        let seen_time = load_millis(r)?;
        let owned = load_consumer_pel(r, &mut pel, consumers.len())?;
        consumers.push(ConsumerData {
            name: cname,
            seen_time,
            pel: owned,
        });
    }
    // Redis checks this only when sanitizing deeply; our groups need an
    // owner for every pending entry.
    if pel.values().any(|n| n.consumer == usize::MAX) {
        return Err(corrupt("Stream CG PEL entry without consumer"));
    }
    Ok(GroupData {
        name,
        last_id,
        entries_read,
        pel: pel.into_values().collect(),
        consumers,
    })
}

/// The group PEL, owners not yet known (`usize::MAX`).
fn load_group_pel<R: Read>(r: &mut RioReader<R>) -> LoadResult<BTreeMap<EntryId, NackData>> {
    let npel = load_len(r)?;
    let mut pel: BTreeMap<EntryId, NackData> = BTreeMap::new();
    for _ in 0..npel {
        let id = load_raw_id(r)?;
        let delivery_time = load_millis(r)?;
        let delivery_count = load_len(r)?;
        let nack = NackData {
            id,
            delivery_time,
            delivery_count,
            consumer: usize::MAX,
        };
        if pel.insert(id, nack).is_some() {
            return Err(corrupt(
                "Duplicated global PEL entry loading stream consumer group",
            ));
        }
    }
    Ok(pel)
}

/// A consumer's PEL: IDs of the group PEL, each claimed by one consumer.
fn load_consumer_pel<R: Read>(
    r: &mut RioReader<R>,
    pel: &mut BTreeMap<EntryId, NackData>,
    idx: usize,
) -> LoadResult<Vec<EntryId>> {
    let n = load_len(r)?;
    let mut owned = Vec::new();
    for _ in 0..n {
        let id = load_raw_id(r)?;
        let nack = pel
            .get_mut(&id)
            .ok_or_else(|| corrupt("Consumer entry not found in group global PEL"))?;
        if nack.consumer != usize::MAX {
            return Err(corrupt(
                "Stream consumer PEL entry already has a consumer assigned",
            ));
        }
        nack.consumer = idx;
        owned.push(id);
    }
    owned.sort();
    Ok(owned)
}

/// streamEstimateDistanceFromFirstEverEntry (Redis 7.0), for groups of a
/// type 15 stream, which has no entries-read field: -1 when unknown.
pub fn estimate_entries_read(m: &StreamMeta, id: EntryId) -> i64 {
    let added = m.entries_added as i64;
    if m.entries_added == 0 {
        return 0;
    }
    if m.length == 0 && id <= m.last_id {
        return added;
    }
    if id == m.last_id {
        return added;
    }
    if id > m.last_id {
        return -1;
    }
    if m.max_deleted.is_zero() || m.max_deleted < m.first_id {
        if id < m.first_id {
            return added.wrapping_sub(m.length as i64);
        }
        if id == m.first_id {
            return added.wrapping_sub(m.length as i64).wrapping_add(1);
        }
    }
    -1
}
