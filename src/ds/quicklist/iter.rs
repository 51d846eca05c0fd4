//! Quicklist iterators (Redis quicklist.c quicklistIter, quicklistNext,
//! quicklistDelEntry, quicklistInsertBefore/After, quicklistReplaceEntry).

use std::borrow::Cow;

use super::{End, Quicklist};
use crate::ds::listpack::{Listpack, LpOwned, LpValue};

/// Where a mutating iterator stands: the node, the entry's position in
/// the node's listpack, and its offset in the node (negative when counted
/// from the node's tail, as Redis keeps it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub(super) node: Option<usize>,
    pub(super) zi: Option<usize>,
    pub(super) offset: i64,
}

/// A mutating iterator. Nodes it walks through are decompressed for use
/// and compressed again when it leaves them or is dropped. After an insert
/// or replace the iterator is consumed, as Redis resets it.
pub struct IterMut<'a> {
    ql: &'a mut Quicklist,
    dir: End,
    current: Option<usize>,
    zi: Option<usize>,
    offset: i64,
}

impl<'a> IterMut<'a> {
    pub(super) fn new(ql: &'a mut Quicklist, dir: End, idx: Option<i64>) -> Option<IterMut<'a>> {
        let (current, offset) = match idx {
            None => match dir {
                End::Head => ((!ql.nodes.is_empty()).then_some(0), 0),
                End::Tail => (ql.nodes.len().checked_sub(1), -1),
            },
            Some(idx) => {
                let (node, off) = ql.locate(idx)?;
                let offset = if idx >= 0 {
                    off as i64
                } else {
                    off as i64 - ql.nodes[node].count as i64
                };
                (Some(node), offset)
            }
        };
        Some(IterMut {
            ql,
            dir,
            current,
            zi: None,
            offset,
        })
    }

    /// quicklistNext: the next entry, or `None` at the end.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Option<Entry> {
        loop {
            let cur = self.current?;
            let plain = self.ql.nodes[cur].plain;
            match self.zi {
                None => {
                    self.ql.decompress_for_use(cur);
                    self.zi = if plain {
                        Some(0)
                    } else {
                        self.ql.nodes[cur].lp().seek(self.offset)
                    };
                }
                Some(_) if plain => self.zi = None,
                Some(zi) => {
                    let lp = self.ql.nodes[cur].lp();
                    let (next, step) = match self.dir {
                        End::Head => (lp.next(zi), 1),
                        End::Tail => (lp.prev(zi), -1),
                    };
                    self.zi = next;
                    self.offset += step;
                }
            }
            if let Some(zi) = self.zi {
                return Some(Entry {
                    node: Some(cur),
                    zi: Some(zi),
                    offset: self.offset,
                });
            }
            // This node is done: compress it again and move on.
            self.ql.compress_at(cur);
            match self.dir {
                End::Head => {
                    self.current = (cur + 1 < self.ql.nodes.len()).then_some(cur + 1);
                    self.offset = 0;
                }
                End::Tail => {
                    self.current = cur.checked_sub(1);
                    self.offset = -1;
                }
            }
            self.zi = None;
        }
    }

    /// The value at `e`.
    pub fn value(&self, e: &Entry) -> LpValue<'_> {
        let node = &self.ql.nodes[e.node.expect("entry node")];
        match &node.data {
            super::Data::Plain(v) => LpValue::Str(v),
            _ => node.lp().get(e.zi.expect("entry position")),
        }
    }

    /// quicklistCompare: whether the value at `e` equals `s`.
    pub fn compare(&self, e: &Entry, s: &[u8]) -> bool {
        self.value(e).eq_bytes(s)
    }

    /// quicklistDelEntry: deletes `e`; iteration continues with the element
    /// that followed it in the iterator's direction.
    pub fn delete(&mut self, e: Entry) {
        let node = e.node.expect("entry node");
        let gone = self.ql.del_index(node, e.zi.expect("entry position"));
        self.zi = None;
        if gone {
            match self.dir {
                End::Head => {
                    self.current = (node < self.ql.nodes.len()).then_some(node);
                    self.offset = 0;
                }
                End::Tail => {
                    self.current = node.checked_sub(1);
                    self.offset = -1;
                }
            }
        }
    }

    /// quicklistInsertBefore/After: inserts `value` next to `e`.
    pub fn insert(mut self, e: Entry, value: &[u8], after: bool) {
        self.current = None;
        self.ql.insert_at_entry(&e, value, after);
    }

    /// quicklistReplaceEntry: replaces the value at `e`.
    pub fn replace(mut self, e: Entry, value: &[u8]) {
        self.current = None;
        self.ql.replace_at_entry(&e, value);
    }
}

impl Drop for IterMut<'_> {
    /// quicklistReleaseIterator: compress the node we stopped in.
    fn drop(&mut self) {
        if let Some(c) = self.current {
            if c < self.ql.nodes.len() {
                self.ql.compress_at(c);
            }
        }
    }
}

/// A read-only iterator yielding owned values; compressed nodes are
/// decompressed into a temporary one at a time.
pub struct Iter<'a> {
    ql: &'a Quicklist,
    dir: End,
    node: Option<usize>,
    pos: Option<usize>,
    lp: Option<Cow<'a, Listpack>>,
}

impl<'a> Iter<'a> {
    pub(super) fn new(ql: &'a Quicklist, dir: End) -> Iter<'a> {
        let node = match dir {
            End::Head => (!ql.nodes.is_empty()).then_some(0),
            End::Tail => ql.nodes.len().checked_sub(1),
        };
        Iter {
            ql,
            dir,
            node,
            pos: None,
            lp: None,
        }
    }
}

impl Iterator for Iter<'_> {
    type Item = LpOwned;

    fn next(&mut self) -> Option<LpOwned> {
        loop {
            let i = self.node?;
            let ql: &Quicklist = self.ql;
            let n = &ql.nodes[i];
            if n.plain {
                if self.pos.is_none() {
                    self.pos = Some(0);
                    return Some(LpOwned::Str(n.raw_bytes().into_owned()));
                }
            } else {
                let lp = self.lp.get_or_insert_with(|| n.listpack());
                let p = match (self.pos, self.dir) {
                    (None, End::Head) => lp.first(),
                    (None, End::Tail) => lp.last(),
                    (Some(p), End::Head) => lp.next(p),
                    (Some(p), End::Tail) => lp.prev(p),
                };
                if let Some(p) = p {
                    self.pos = Some(p);
                    return Some(lp.get(p).to_owned_value());
                }
            }
            self.lp = None;
            self.pos = None;
            self.node = match self.dir {
                End::Head => (i + 1 < self.ql.nodes.len()).then_some(i + 1),
                End::Tail => i.checked_sub(1),
            };
        }
    }
}
