//! Stream node listpacks (Redis t_stream.c `streamValidateListpackIntegrity`
//! and the node layout described in stream.h): the walk that checks a node
//! and decodes its entries, used by the RDB loader and the AOF rewrite.
//!
//! A node is a listpack keyed by its master ID:
//! `count deleted n-master-fields field... 0` (the master entry), then per
//! entry `flags ms-delta seq-delta [n-fields field value...] | [value...]
//! lp-count`, where SAMEFIELDS entries carry only values (the master's
//! fields) and lp-count is the number of listpack elements of the entry
//! before it (so a node can be walked backwards).

use crate::ds::listpack::{self, Listpack, LpValue};

/// STREAM_ITEM_FLAG_DELETED: the entry is a tombstone.
pub const FLAG_DELETED: i64 = 1;
/// STREAM_ITEM_FLAG_SAMEFIELDS: the entry has the master entry's fields.
pub const FLAG_SAMEFIELDS: i64 = 2;

/// A stream entry ID (streamID): milliseconds and sequence.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EntryId {
    pub ms: u64,
    pub seq: u64,
}

impl EntryId {
    pub const MAX: EntryId = EntryId {
        ms: u64::MAX,
        seq: u64::MAX,
    };

    pub fn new(ms: u64, seq: u64) -> EntryId {
        EntryId { ms, seq }
    }

    /// streamEncodeID: 16 bytes, both halves big endian (rax keys sort as IDs).
    pub fn to_be(self) -> [u8; 16] {
        let mut out = [0u8; 16];
        out[..8].copy_from_slice(&self.ms.to_be_bytes());
        out[8..].copy_from_slice(&self.seq.to_be_bytes());
        out
    }

    /// streamDecodeID.
    pub fn from_be(b: &[u8; 16]) -> EntryId {
        let mut ms = [0u8; 8];
        let mut seq = [0u8; 8];
        ms.copy_from_slice(&b[..8]);
        seq.copy_from_slice(&b[8..]);
        EntryId {
            ms: u64::from_be_bytes(ms),
            seq: u64::from_be_bytes(seq),
        }
    }

    pub fn is_zero(self) -> bool {
        self.ms == 0 && self.seq == 0
    }

    /// The `ms-seq` text form.
    pub fn text(self) -> Vec<u8> {
        format!("{}-{}", self.ms, self.seq).into_bytes()
    }
}

/// One entry of a node, as walked.
pub struct NodeEntry<'a> {
    pub id: EntryId,
    pub deleted: bool,
    pub fields: &'a [(LpValue<'a>, LpValue<'a>)],
}

/// The master entry's counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeCounts {
    /// Entries not deleted.
    pub count: u64,
    /// Tombstones.
    pub deleted: u64,
}

/// lpGetIntegerIfValid: integer elements, or strings that parse as one.
fn next_int<'a>(it: &mut listpack::Iter<'a>) -> Option<i64> {
    it.next()?.as_int()
}

fn next_count(it: &mut listpack::Iter<'_>) -> Option<u64> {
    u64::try_from(next_int(it)?).ok()
}

/// Walks every entry of a node whose master ID is `master`, calling `f`
/// for each (tombstones included); `f` returning false stops the walk
/// with `None`. `None` also when the listpack is not a stream node: the
/// layout, the per-entry lp-count and the entry count must all agree, as
/// Redis's deep check requires (counts must also be non-negative here).
/// Never reads past the listpack, whatever it holds.
pub fn walk_node<'a>(
    lp: &'a Listpack,
    master: EntryId,
    mut f: impl FnMut(&NodeEntry<'_>) -> bool,
) -> Option<NodeCounts> {
    let mut it = lp.iter();
    let count = next_count(&mut it)?;
    let deleted = next_count(&mut it)?;
    let nmaster = next_count(&mut it)?;
    if nmaster as usize > it.len() {
        return None;
    }
    let mut master_fields = Vec::with_capacity(nmaster as usize);
    for _ in 0..nmaster {
        master_fields.push(it.next()?);
    }
    if next_int(&mut it)? != 0 {
        return None;
    }
    let total = count.checked_add(deleted)?;
    let mut fields: Vec<(LpValue<'a>, LpValue<'a>)> = Vec::new();
    for _ in 0..total {
        let flags = next_int(&mut it)?;
        let ms = next_int(&mut it)?;
        let seq = next_int(&mut it)?;
        fields.clear();
        let expected = if flags & FLAG_SAMEFIELDS != 0 {
            for f in &master_fields {
                fields.push((*f, it.next()?));
            }
            nmaster.checked_add(3)?
        } else {
            let n = next_count(&mut it)?;
            if n as usize > it.len() / 2 {
                return None;
            }
            for _ in 0..n {
                fields.push((it.next()?, it.next()?));
            }
            n.checked_mul(2)?.checked_add(4)?
        };
        if u64::try_from(next_int(&mut it)?).ok()? != expected {
            return None;
        }
        let id = EntryId {
            ms: master.ms.wrapping_add(ms as u64),
            seq: master.seq.wrapping_add(seq as u64),
        };
        let e = NodeEntry {
            id,
            deleted: flags & FLAG_DELETED != 0,
            fields: &fields,
        };
        if !f(&e) {
            return None;
        }
    }
    if it.next().is_some() {
        return None;
    }
    Some(NodeCounts { count, deleted })
}

/// An entry to build a node from: ID, tombstone, field-value pairs.
pub type BuildEntry = (EntryId, bool, Vec<(Vec<u8>, Vec<u8>)>);

/// Builds a node listpack from entries (tests and the fuzz seeds): the
/// first entry's fields become the master fields, as streamAppendItem does.
pub fn build_node(master: EntryId, entries: &[BuildEntry]) -> Listpack {
    let mut lp = Listpack::new();
    let valid = entries.iter().filter(|e| !e.1).count() as i64;
    let master_fields: Vec<&[u8]> = entries
        .first()
        .map(|e| e.2.iter().map(|(f, _)| f.as_slice()).collect())
        .unwrap_or_default();
    lp.append(LpValue::Int(valid));
    lp.append(LpValue::Int(entries.len() as i64 - valid));
    lp.append(LpValue::Int(master_fields.len() as i64));
    for f in &master_fields {
        lp.append(LpValue::Str(f));
    }
    lp.append(LpValue::Int(0));
    for (id, deleted, fields) in entries {
        let same = fields.len() == master_fields.len()
            && fields.iter().zip(&master_fields).all(|(a, b)| a.0 == *b);
        let mut flags = if *deleted { FLAG_DELETED } else { 0 };
        if same {
            flags |= FLAG_SAMEFIELDS;
        }
        lp.append(LpValue::Int(flags));
        lp.append(LpValue::Int(id.ms.wrapping_sub(master.ms) as i64));
        lp.append(LpValue::Int(id.seq.wrapping_sub(master.seq) as i64));
        if same {
            for (_, v) in fields {
                lp.append(LpValue::Str(v));
            }
            lp.append(LpValue::Int(fields.len() as i64 + 3));
        } else {
            lp.append(LpValue::Int(fields.len() as i64));
            for (f, v) in fields {
                lp.append(LpValue::Str(f));
                lp.append(LpValue::Str(v));
            }
            lp.append(LpValue::Int(fields.len() as i64 * 2 + 4));
        }
    }
    lp
}
