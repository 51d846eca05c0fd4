//! Stream nodes (Redis t_stream.c `streamAppendItem`, `streamIteratorGetID`):
//! the listpack layout of one rax node, written and read byte-for-byte as
//! Redis 7.0 does so RDB can store nodes verbatim.
//!
//! ```text
//! master entry: count | deleted | num-fields | field_1 .. field_N | 0
//! each entry:   flags | ms-diff | seq-diff | [num-fields | f_1 v_1 .. f_n v_n] | lp-count
//!               (with SAMEFIELDS: flags | ms-diff | seq-diff | v_1 .. v_N | lp-count)
//! ```
//! `lp-count` is the number of listpack elements of the entry before it, so
//! the node can be walked backwards; the master's `0` ends a backward walk.
//! IDs are stored as wrapping differences from the node's master ID.

use super::StreamId;
use crate::ds::listpack::{Listpack, LpValue};

/// Entry flags (STREAM_ITEM_FLAG_*).
pub const FLAG_NONE: i64 = 0;
pub const FLAG_DELETED: i64 = 1 << 0;
pub const FLAG_SAMEFIELDS: i64 = 1 << 1;

/// The integer at `p`. Nodes hold integers where this is called; a node
/// that does not (a corrupt one) reads as 0 rather than panicking.
pub fn int_at(lp: &Listpack, p: usize) -> i64 {
    lp.get(p).as_int().unwrap_or(0)
}

/// The element after `p`, or the end of the buffer (callers stop on `None`).
fn next(lp: &Listpack, p: usize) -> Option<usize> {
    lp.next(p)
}

/// The decoded master entry of a node.
#[derive(Clone, Copy, Debug)]
pub struct Master {
    /// Live entries (`count`).
    pub count: i64,
    /// Entries flagged deleted but still in the node.
    pub deleted: i64,
    pub num_fields: usize,
    /// Position of the first master field (meaningless when `num_fields` is 0).
    pub fields: usize,
    /// Position of the master's `0` terminator.
    pub terminator: usize,
}

impl Master {
    /// Position of the first entry, if any.
    pub fn first_entry(&self, lp: &Listpack) -> Option<usize> {
        next(lp, self.terminator)
    }
}

/// Reads the master entry of a node.
pub fn master(lp: &Listpack) -> Option<Master> {
    let p_count = lp.first()?;
    let p_deleted = next(lp, p_count)?;
    let p_nf = next(lp, p_deleted)?;
    let num_fields = int_at(lp, p_nf).max(0) as usize;
    let fields = next(lp, p_nf)?;
    let mut terminator = fields;
    for _ in 0..num_fields {
        terminator = next(lp, terminator)?;
    }
    Some(Master {
        count: int_at(lp, p_count),
        deleted: int_at(lp, p_deleted),
        num_fields,
        fields,
        terminator,
    })
}

/// One decoded entry of a node.
#[derive(Clone, Copy, Debug)]
pub struct RawEntry {
    pub flags: i64,
    pub id: StreamId,
    pub num_fields: usize,
    /// Position of the first value (SAMEFIELDS) or first field.
    pub data: usize,
    /// Position of the entry's `lp-count`.
    pub lp_count: usize,
}

impl RawEntry {
    pub fn deleted(&self) -> bool {
        self.flags & FLAG_DELETED != 0
    }

    pub fn same_fields(&self) -> bool {
        self.flags & FLAG_SAMEFIELDS != 0
    }
}

/// Decodes the entry whose flags are at `p`.
pub fn entry_at(lp: &Listpack, m: &Master, master_id: StreamId, p: usize) -> Option<RawEntry> {
    let flags = int_at(lp, p);
    let p_ms = next(lp, p)?;
    let p_seq = next(lp, p_ms)?;
    let id = StreamId::new(
        master_id.ms.wrapping_add(int_at(lp, p_ms) as u64),
        master_id.seq.wrapping_add(int_at(lp, p_seq) as u64),
    );
    let mut data = next(lp, p_seq)?;
    let (num_fields, elems) = if flags & FLAG_SAMEFIELDS != 0 {
        (m.num_fields, m.num_fields)
    } else {
        let n = int_at(lp, data).max(0) as usize;
        data = next(lp, data)?;
        (n, n * 2)
    };
    let mut lp_count = data;
    for _ in 0..elems {
        lp_count = next(lp, lp_count)?;
    }
    Some(RawEntry {
        flags,
        id,
        num_fields,
        data,
        lp_count,
    })
}

/// The flags position of the entry ending with the `lp-count` at `p`, or
/// `None` at the master terminator (walking backwards).
pub fn entry_start_from_end(lp: &Listpack, p: usize) -> Option<usize> {
    let n = int_at(lp, p);
    if n <= 0 {
        return None;
    }
    let mut q = p;
    for _ in 0..n {
        q = lp.prev(q)?;
    }
    Some(q)
}

/// A new node whose master entry takes the fields of its first entry
/// (the entry itself is appended by [`append_entry`]).
pub fn new_node(fields: &[&[u8]]) -> Listpack {
    let mut lp = Listpack::new();
    lp.append(LpValue::Int(1));
    lp.append(LpValue::Int(0));
    lp.append(LpValue::Int(fields.len() as i64));
    for f in fields {
        lp.append(LpValue::Str(f));
    }
    lp.append(LpValue::Int(0));
    lp
}

/// Whether `fields` equal the master fields, in order.
pub fn same_as_master(lp: &Listpack, m: &Master, fields: &[&[u8]]) -> bool {
    if fields.len() != m.num_fields {
        return false;
    }
    let mut p = Some(m.fields);
    for f in fields {
        match p {
            Some(q) if lp.get(q).eq_bytes(f) => p = next(lp, q),
            _ => return false,
        }
    }
    true
}

/// Appends one entry (`pairs` = field, value, ...) to a node whose master ID
/// is `master_id`, with or without SAMEFIELDS.
pub fn append_entry(
    lp: &mut Listpack,
    master_id: StreamId,
    id: StreamId,
    pairs: &[&[u8]],
    same: bool,
) {
    let n = pairs.len() / 2;
    let flags = if same { FLAG_SAMEFIELDS } else { FLAG_NONE };
    lp.append(LpValue::Int(flags));
    lp.append(LpValue::Int(id.ms.wrapping_sub(master_id.ms) as i64));
    lp.append(LpValue::Int(id.seq.wrapping_sub(master_id.seq) as i64));
    if !same {
        lp.append(LpValue::Int(n as i64));
    }
    for pair in pairs.chunks_exact(2) {
        if !same {
            lp.append(LpValue::Str(pair[0]));
        }
        lp.append(LpValue::Str(pair[1]));
    }
    let mut lp_count = n as i64 + 3;
    if !same {
        lp_count += n as i64 + 1;
    }
    lp.append(LpValue::Int(lp_count));
}

/// Sets the master's count and deleted counters.
pub fn set_counters(lp: &mut Listpack, count: i64, deleted: i64) {
    if let Some(p) = lp.first() {
        let p = lp.replace(p, LpValue::Int(count));
        if let Some(q) = lp.next(p) {
            lp.replace(q, LpValue::Int(deleted));
        }
    }
}

/// Flags the entry at `p` (its flags element) as deleted.
pub fn mark_deleted(lp: &mut Listpack, p: usize) {
    let flags = int_at(lp, p);
    lp.replace(p, LpValue::Int(flags | FLAG_DELETED));
}

/// Field/value pairs of an entry, without copying.
#[derive(Clone)]
pub struct Fields<'a> {
    lp: &'a Listpack,
    /// Next master field (SAMEFIELDS only).
    master: Option<usize>,
    cur: Option<usize>,
    left: usize,
}

impl<'a> Fields<'a> {
    pub fn new(lp: &'a Listpack, m: &Master, e: &RawEntry) -> Fields<'a> {
        Fields {
            lp,
            master: e.same_fields().then_some(m.fields),
            cur: Some(e.data),
            left: e.num_fields,
        }
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = (LpValue<'a>, LpValue<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let lp = self.lp;
        let cur = self.cur?;
        match self.master {
            Some(mp) => {
                self.master = lp.next(mp);
                self.cur = lp.next(cur);
                Some((lp.get(mp), lp.get(cur)))
            }
            None => {
                let v = lp.next(cur)?;
                self.cur = lp.next(v);
                Some((lp.get(cur), lp.get(v)))
            }
        }
    }
}
