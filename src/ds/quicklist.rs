//! Quicklist (Redis quicklist.c): the list type's encoding, a sequence of
//! listpack nodes bounded by `list-max-listpack-size`, with the inner nodes
//! LZF-compressed beyond `list-compress-depth` from either end, and
//! elements of `packed_threshold` bytes or more kept alone in plain nodes.
//!
//! Nodes sit in a `VecDeque` and are addressed by index: pushes and pops at
//! either end are O(1), and node splits and merges follow Redis's rules
//! exactly, so the nodes (and therefore RDB/DUMP output) match Redis's for
//! the same operations.

mod edit;
mod iter;
mod node;
mod repr;
#[cfg(test)]
mod tests;

use std::collections::VecDeque;

use crate::ds::listpack::{Listpack, LpOwned, LpValue};

pub use iter::{Entry, Iter, IterMut};
use node::{Data, Node};

/// The default plain-node threshold (1 GB), see DEBUG QUICKLIST-PACKED-THRESHOLD.
pub const DEFAULT_PACKED_THRESHOLD: usize = 1 << 30;
/// Byte limits for fill -1..-5.
const OPTIMIZATION_LEVEL: [usize; 5] = [4096, 8192, 16384, 32768, 65536];
/// Largest node when the fill is an entry count.
const SIZE_SAFETY_LIMIT: usize = 8192;
/// Overestimate of one entry's overhead when checking room for it.
const SIZE_ESTIMATE_OVERHEAD: usize = 8;
/// The fill and compress fields are 16 bits wide in Redis.
pub const FILL_MAX: i32 = (1 << 15) - 1;
pub const COMPRESS_MAX: u32 = (1 << 16) - 1;

/// Which end an operation or iteration starts from (AL_START_HEAD/TAIL).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    Head,
    Tail,
}

/// quicklistisSetPackedThreshold's check: `None` when `sz` is at or near
/// 4 GB; 0 restores the default.
pub fn checked_packed_threshold(sz: u64) -> Option<usize> {
    if sz > (1u64 << 32) - (1 << 20) {
        None
    } else if sz == 0 {
        Some(DEFAULT_PACKED_THRESHOLD)
    } else {
        usize::try_from(sz).ok()
    }
}

/// How one node is stored, for RDB and DEBUG.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeView<'a> {
    /// An uncompressed listpack.
    Packed(&'a [u8]),
    /// An uncompressed single element.
    Plain(&'a [u8]),
    /// LZF data of `raw_len` bytes once decompressed.
    Compressed {
        lzf: &'a [u8],
        raw_len: usize,
        plain: bool,
    },
}

/// A list of listpacks.
#[derive(Clone, Debug)]
pub struct Quicklist {
    nodes: VecDeque<Node>,
    count: usize,
    fill: i32,
    compress: u32,
    packed_threshold: usize,
}

impl Default for Quicklist {
    fn default() -> Self {
        Quicklist::new(-2, 0)
    }
}

fn size_meets_optimization(sz: usize, fill: i32) -> bool {
    if fill >= 0 {
        return false;
    }
    let off = (-(fill as i64) - 1) as usize;
    off < OPTIMIZATION_LEVEL.len() && sz <= OPTIMIZATION_LEVEL[off]
}

impl Quicklist {
    /// quicklistNew: `fill` is list-max-listpack-size, `compress` is
    /// list-compress-depth; both are clamped as Redis does.
    pub fn new(fill: i32, compress: u32) -> Quicklist {
        let mut ql = Quicklist {
            nodes: VecDeque::new(),
            count: 0,
            fill: -2,
            compress: 0,
            packed_threshold: DEFAULT_PACKED_THRESHOLD,
        };
        ql.set_options(fill, compress);
        ql
    }

    /// quicklistSetOptions.
    pub fn set_options(&mut self, fill: i32, compress: u32) {
        self.fill = fill.clamp(-5, FILL_MAX);
        self.compress = compress.min(COMPRESS_MAX);
    }

    /// Sets the size from which elements get a plain node of their own. In
    /// Redis this is process-wide; the list type passes the server's value.
    pub fn set_packed_threshold(&mut self, sz: usize) {
        self.packed_threshold = sz;
    }

    pub fn fill(&self) -> i32 {
        self.fill
    }

    pub fn compress_depth(&self) -> u32 {
        self.compress
    }

    /// quicklistCount: the number of elements.
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The number of nodes (ql->len).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Sum of the nodes' uncompressed sizes (DEBUG OBJECT ql_uncompressed_size).
    pub fn uncompressed_size(&self) -> usize {
        self.nodes.iter().map(|n| n.sz).sum()
    }

    /// MEMORY USAGE's estimate (Redis objectComputeSize): the quicklist plus
    /// the average node (struct and data) of the first `samples` nodes times
    /// the node count.
    pub fn mem_usage(&self, samples: usize) -> usize {
        let (mut sum, mut n) = (0usize, 0usize);
        for node in self.nodes.iter().take(samples) {
            let data = match &node.data {
                Data::Packed(lp) => lp.bytes(),
                Data::Plain(v) => v.len(),
                Data::Lzf(z) => z.len(),
            };
            sum += std::mem::size_of::<Node>() + crate::alloc::alloc_size(data);
            n += 1;
        }
        let avg = if n == 0 { 0.0 } else { sum as f64 / n as f64 };
        std::mem::size_of::<Quicklist>() + (avg * self.nodes.len() as f64) as usize
    }

    /// How many nodes are compressed right now.
    pub fn compressed_nodes(&self) -> usize {
        self.nodes.iter().filter(|n| n.is_compressed()).count()
    }

    /// The nodes as stored, head to tail (what rdbSaveObject writes).
    pub fn node_views(&self) -> impl Iterator<Item = NodeView<'_>> + '_ {
        self.nodes.iter().map(|n| match &n.data {
            Data::Packed(lp) => NodeView::Packed(lp.as_bytes()),
            Data::Plain(v) => NodeView::Plain(v),
            Data::Lzf(z) => NodeView::Compressed {
                lzf: z,
                raw_len: n.sz,
                plain: n.plain,
            },
        })
    }

    /// Element counts per node, head to tail.
    pub fn node_counts(&self) -> Vec<usize> {
        self.nodes.iter().map(|n| n.count).collect()
    }

    fn is_large(&self, sz: usize) -> bool {
        sz >= self.packed_threshold
    }

    /// _quicklistNodeAllowInsert.
    fn allow_insert(&self, node: Option<usize>, sz: usize) -> bool {
        let Some(n) = node.and_then(|i| self.nodes.get(i)) else {
            return false;
        };
        if n.plain || self.is_large(sz) {
            return false;
        }
        let new_sz = n.sz + sz + SIZE_ESTIMATE_OVERHEAD;
        if size_meets_optimization(new_sz, self.fill) {
            true
        } else if new_sz > SIZE_SAFETY_LIMIT {
            false
        } else {
            (n.count as i64) < self.fill as i64
        }
    }

    /// _quicklistNodeAllowMerge.
    fn allow_merge(&self, a: Option<usize>, b: Option<usize>) -> bool {
        let (Some(a), Some(b)) = (
            a.and_then(|i| self.nodes.get(i)),
            b.and_then(|i| self.nodes.get(i)),
        ) else {
            return false;
        };
        if a.plain || b.plain {
            return false;
        }
        // Approximate merged size: one header and terminator go away.
        let merge_sz = (a.sz + b.sz).saturating_sub(11);
        if size_meets_optimization(merge_sz, self.fill) {
            true
        } else if merge_sz > SIZE_SAFETY_LIMIT {
            false
        } else {
            (a.count + b.count) as i64 <= self.fill as i64
        }
    }

    // ---- compression -------------------------------------------------

    /// quicklistCompressNode: only raw inner nodes are compressed.
    fn compress_node(&mut self, i: usize) {
        let len = self.nodes.len();
        if i == 0 || i + 1 >= len {
            // Head and tail stay raw; forget a pending recompress.
            if let Some(n) = self.nodes.get_mut(i) {
                n.recompress = false;
            }
            return;
        }
        self.nodes[i].compress();
    }

    fn decompress_node(&mut self, i: usize) {
        self.nodes[i].decompress();
    }

    /// quicklistDecompressNodeForUse.
    fn decompress_for_use(&mut self, i: usize) {
        if self.nodes[i].is_compressed() {
            self.nodes[i].decompress();
            self.nodes[i].recompress = true;
        }
    }

    /// quicklistRecompressOnly.
    fn recompress_only(&mut self, i: usize) {
        if self.nodes.get(i).is_some_and(|n| n.recompress) {
            self.compress_node(i);
        }
    }

    /// quicklistCompress.
    fn compress_at(&mut self, i: usize) {
        if self.nodes[i].recompress {
            self.compress_node(i);
        } else {
            self.compress_around(Some(i));
        }
    }

    /// __quicklistCompress: keeps `compress` nodes raw at each end and
    /// compresses `node` and the first node past the depth on each side.
    fn compress_around(&mut self, node: Option<usize>) {
        let len = self.nodes.len();
        let depth = self.compress as usize;
        if len == 0 || depth == 0 || len < depth * 2 {
            return;
        }
        let (mut fwd, mut rev) = (0usize, len - 1);
        let mut in_depth = false;
        for _ in 0..depth {
            self.decompress_node(fwd);
            self.decompress_node(rev);
            if Some(fwd) == node || Some(rev) == node {
                in_depth = true;
            }
            if fwd == rev || fwd + 1 == rev {
                return;
            }
            fwd += 1;
            rev -= 1;
        }
        if !in_depth {
            if let Some(n) = node {
                self.compress_node(n);
            }
        }
        self.compress_node(fwd);
        self.compress_node(rev);
    }

    // ---- node insertion and removal ----------------------------------

    /// __quicklistInsertNode: puts `new` after or before node `old` (or as
    /// the only node) and returns its index.
    fn insert_node(&mut self, old: Option<usize>, new: Node, after: bool) -> usize {
        let idx = match old {
            None => {
                debug_assert!(self.nodes.is_empty());
                if after {
                    self.nodes.len()
                } else {
                    0
                }
            }
            Some(o) if after => o + 1,
            Some(o) => o,
        };
        self.nodes.insert(idx, new);
        if let Some(o) = old {
            self.compress_at(if after { o } else { o + 1 });
        }
        self.compress_at(idx);
        idx
    }

    /// __quicklistDelNode.
    fn del_node(&mut self, i: usize) {
        let n = self.nodes.remove(i).expect("quicklist node");
        self.count -= n.count;
        self.compress_around(None);
    }

    /// quicklistDelIndex: deletes the entry at `p` in node `i`; true if the
    /// node went away.
    fn del_index(&mut self, i: usize, p: usize) -> bool {
        if self.nodes[i].plain {
            self.del_node(i);
            return true;
        }
        let node = &mut self.nodes[i];
        node.lp_mut().delete(p);
        node.update_sz();
        self.count -= 1;
        if node.count == 0 {
            self.del_node(i);
            return true;
        }
        false
    }

    fn insert_plain_node(&mut self, old: Option<usize>, value: &[u8], after: bool) {
        self.insert_node(old, Node::plain(value.to_vec()), after);
        self.count += 1;
    }

    fn new_packed(value: &[u8]) -> Node {
        let mut lp = Listpack::new();
        lp.append(LpValue::Str(value));
        Node::packed(lp)
    }

    // ---- pushes and pops ---------------------------------------------

    /// quicklistPush: adds `value` at one end; true if a new node was made.
    pub fn push(&mut self, end: End, value: &[u8]) -> bool {
        let (at, after) = match end {
            End::Head => (0, false),
            End::Tail => (self.nodes.len().wrapping_sub(1), true),
        };
        let edge = (!self.nodes.is_empty()).then_some(at);
        if self.is_large(value.len()) {
            self.insert_plain_node(edge, value, after);
            return true;
        }
        let created = if self.allow_insert(edge, value.len()) {
            // The ends are never compressed, but be safe.
            self.decompress_node(at);
            let node = &mut self.nodes[at];
            match end {
                End::Head => node.lp_mut().prepend(LpValue::Str(value)),
                End::Tail => node.lp_mut().append(LpValue::Str(value)),
            };
            node.update_sz();
            false
        } else {
            self.insert_node(edge, Self::new_packed(value), after);
            true
        };
        self.count += 1;
        created
    }

    /// quicklistPushHead.
    pub fn push_head(&mut self, value: &[u8]) -> bool {
        self.push(End::Head, value)
    }

    /// quicklistPushTail.
    pub fn push_tail(&mut self, value: &[u8]) -> bool {
        self.push(End::Tail, value)
    }

    /// quicklistPop: removes and returns the element at one end.
    pub fn pop(&mut self, end: End) -> Option<LpOwned> {
        if self.count == 0 {
            return None;
        }
        let i = match end {
            End::Head => 0,
            End::Tail => self.nodes.len() - 1,
        };
        self.decompress_node(i);
        if self.nodes[i].plain {
            let Data::Plain(v) =
                std::mem::replace(&mut self.nodes[i].data, Data::Plain(Vec::new()))
            else {
                unreachable!("plain node holds plain data");
            };
            self.del_node(i);
            return Some(LpOwned::Str(v));
        }
        let lp = self.nodes[i].lp();
        let p = match end {
            End::Head => lp.first(),
            End::Tail => lp.last(),
        }?;
        let v = lp.get(p).to_owned_value();
        self.del_index(i, p);
        Some(v)
    }

    /// quicklistAppendListpack: adds a whole listpack as a new tail node
    /// (RDB loading). Empty listpacks are ignored.
    pub fn append_listpack(&mut self, lp: Listpack) {
        if lp.is_empty() {
            return;
        }
        let tail = self.nodes.len().checked_sub(1);
        let n = Node::packed(lp);
        self.count += n.count;
        self.insert_node(tail, n, true);
    }

    /// quicklistAppendPlainNode: adds one element as a plain tail node.
    pub fn append_plain(&mut self, value: Vec<u8>) {
        let tail = self.nodes.len().checked_sub(1);
        self.count += 1;
        self.insert_node(tail, Node::plain(value), true);
    }

    // ---- lookups ------------------------------------------------------

    /// Finds the node holding element `idx` (negative counts from the
    /// tail), walking from the closer end; returns (node, offset in node).
    fn locate(&self, idx: i64) -> Option<(usize, usize)> {
        let index = if idx < 0 {
            (idx.unsigned_abs() - 1) as usize
        } else {
            idx as usize
        };
        if index >= self.count {
            return None;
        }
        let pos = if idx < 0 {
            self.count - 1 - index
        } else {
            index
        };
        if pos <= (self.count - 1) / 2 {
            let mut accum = 0;
            for (i, n) in self.nodes.iter().enumerate() {
                if accum + n.count > pos {
                    return Some((i, pos - accum));
                }
                accum += n.count;
            }
        } else {
            let mut accum = self.count;
            for (i, n) in self.nodes.iter().enumerate().rev() {
                accum -= n.count;
                if accum <= pos {
                    return Some((i, pos - accum));
                }
            }
        }
        None
    }

    /// quicklistGetIteratorEntryAtIdx, read-only: the element at `idx`.
    pub fn index(&self, idx: i64) -> Option<LpOwned> {
        let (i, off) = self.locate(idx)?;
        let n = &self.nodes[i];
        if n.plain {
            return Some(LpOwned::Str(n.raw_bytes().into_owned()));
        }
        let lp = n.listpack();
        let p = lp.seek(off as i64)?;
        Some(lp.get(p).to_owned_value())
    }

    /// Calls `f` on elements from `idx` on toward `dir`'s opposite end
    /// (forward from the head side for `End::Head`) until it returns false.
    /// Compressed nodes are decompressed into a temporary, one at a time.
    pub fn for_each_from(&self, idx: i64, dir: End, mut f: impl FnMut(LpValue<'_>) -> bool) {
        let Some((mut i, off)) = self.locate(idx) else {
            return;
        };
        let mut start = Some(off);
        loop {
            let n = &self.nodes[i];
            if n.plain {
                if !f(LpValue::Str(&n.raw_bytes())) {
                    return;
                }
            } else {
                let lp = n.listpack();
                let first = match (start, dir) {
                    (Some(o), _) => lp.seek(o as i64),
                    (None, End::Head) => lp.first(),
                    (None, End::Tail) => lp.last(),
                };
                let mut p = first;
                while let Some(q) = p {
                    if !f(lp.get(q)) {
                        return;
                    }
                    p = match dir {
                        End::Head => lp.next(q),
                        End::Tail => lp.prev(q),
                    };
                }
            }
            start = None;
            i = match dir {
                End::Head if i + 1 < self.nodes.len() => i + 1,
                End::Tail if i > 0 => i - 1,
                _ => return,
            };
        }
    }

    /// All elements, from head to tail or tail to head.
    pub fn iter(&self, dir: End) -> Iter<'_> {
        Iter::new(self, dir)
    }

    /// quicklistGetIterator / quicklistGetIteratorAtIdx: a mutating iterator
    /// starting at `idx` (or at `dir`'s end when `None`).
    pub fn iter_mut(&mut self, dir: End, idx: Option<i64>) -> Option<IterMut<'_>> {
        IterMut::new(self, dir, idx)
    }

    /// quicklistReplaceAtIndex: true if `idx` existed.
    pub fn replace_at_index(&mut self, idx: i64, value: &[u8]) -> bool {
        let Some(mut it) = self.iter_mut(End::Tail, Some(idx)) else {
            return false;
        };
        match it.next() {
            Some(e) => {
                it.replace(e, value);
                true
            }
            None => false,
        }
    }

    /// quicklistRotate: moves the tail element to the head.
    pub fn rotate(&mut self) {
        if self.count <= 1 {
            return;
        }
        let t = self.nodes.len() - 1;
        if self.nodes[t].plain {
            let n = self.nodes.pop_back().expect("tail node");
            self.nodes.push_front(n);
            // The new tail may have been a compressed inner node.
            self.compress_around(None);
            return;
        }
        let lp = self.nodes[t].lp();
        let v = lp.get(lp.last().expect("tail entry")).to_vec();
        self.push_head(&v);
        let t = self.nodes.len() - 1;
        let p = self.nodes[t].lp().last().expect("tail entry");
        self.del_index(t, p);
    }

    // ---- range deletion ---------------------------------------------

    /// quicklistDelRange: deletes `count` elements from `start` (negative
    /// counts from the tail); true if anything was deleted.
    pub fn del_range(&mut self, start: i64, count: i64) -> bool {
        if count <= 0 {
            return false;
        }
        let mut extent = count as u64;
        if start >= 0 {
            let left = (self.count as u64).wrapping_sub(start as u64);
            extent = extent.min(left);
        } else {
            extent = extent.min(start.unsigned_abs());
        }
        let Some((mut i, mut off)) = self.locate(start) else {
            return false;
        };
        while extent > 0 && i < self.nodes.len() {
            let ncount = self.nodes[i].count;
            let whole = off == 0 && extent >= ncount as u64;
            let del = if whole {
                ncount
            } else {
                ((ncount - off) as u64).min(extent) as usize
            };
            let mut gone = false;
            if whole || self.nodes[i].plain {
                self.del_node(i);
                gone = true;
            } else {
                self.decompress_for_use(i);
                let node = &mut self.nodes[i];
                node.lp_mut().delete_range(off as i64, del);
                node.update_sz();
                self.count -= del;
                if self.nodes[i].count == 0 {
                    self.del_node(i);
                    gone = true;
                } else {
                    self.recompress_only(i);
                }
            }
            extent -= del as u64;
            if !gone {
                i += 1;
            }
            off = 0;
        }
        true
    }
}
