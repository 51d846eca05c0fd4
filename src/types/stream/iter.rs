//! Stream iteration (Redis t_stream.c `streamIteratorStart`,
//! `streamIteratorGetID`): walks the nodes from the one that may hold the
//! start ID, forwards or backwards, decoding entries in place.

use std::collections::btree_map;

use super::node::{self, Master};
use super::{Entry, Stream, StreamId};
use crate::ds::listpack::Listpack;

/// The node being walked: `pos` is the next entry's flags (forwards) or
/// the previous entry's `lp-count` (backwards).
struct NodeCur<'a> {
    lp: &'a Listpack,
    master_id: StreamId,
    m: Master,
    pos: Option<usize>,
}

/// An iterator over the entries of a stream between two IDs (inclusive).
pub struct Range<'a> {
    nodes: btree_map::Range<'a, u128, Listpack>,
    cur: Option<NodeCur<'a>>,
    start: StreamId,
    end: StreamId,
    rev: bool,
    skip_tombstones: bool,
    done: bool,
}

impl<'a> Range<'a> {
    pub(super) fn new(
        s: &'a Stream,
        start: StreamId,
        end: StreamId,
        rev: bool,
        skip_tombstones: bool,
    ) -> Range<'a> {
        let map = s.nodes_map();
        // Forwards: from the last node whose master ID <= start (or the
        // first node). Backwards: from the last node whose master ID <= end.
        let nodes = if rev {
            map.range(..=end.to_u128())
        } else {
            let seek = map
                .range(..=start.to_u128())
                .next_back()
                .map_or(0, |(k, _)| *k);
            map.range(seek..)
        };
        Range {
            nodes,
            cur: None,
            start,
            end,
            rev,
            skip_tombstones,
            done: start > end,
        }
    }

    fn open_next_node(&mut self) -> bool {
        let next = if self.rev {
            self.nodes.next_back()
        } else {
            self.nodes.next()
        };
        let Some((k, lp)) = next else {
            return false;
        };
        let master_id = StreamId::from_u128(*k);
        let Some(m) = node::master(lp) else {
            return false;
        };
        let pos = if self.rev {
            lp.last().filter(|&p| p != m.terminator)
        } else {
            m.first_entry(lp)
        };
        self.cur = Some(NodeCur {
            lp,
            master_id,
            m,
            pos,
        });
        true
    }

    /// The next raw entry of the current node, advancing its cursor.
    fn step(&mut self) -> Option<Option<Entry<'a>>> {
        let cur = self.cur.as_mut()?;
        let Some(pos) = cur.pos else {
            self.cur = None;
            return Some(None);
        };
        let lp = cur.lp;
        let flags_at = if self.rev {
            node::entry_start_from_end(lp, pos)?
        } else {
            pos
        };
        let raw = node::entry_at(lp, &cur.m, cur.master_id, flags_at)?;
        cur.pos = if self.rev {
            lp.prev(flags_at).filter(|&p| p != cur.m.terminator)
        } else {
            lp.next(raw.lp_count)
        };
        Some(Some(Entry {
            id: raw.id,
            lp,
            master: cur.m,
            raw,
        }))
    }
}

impl<'a> Iterator for Range<'a> {
    type Item = Entry<'a>;

    fn next(&mut self) -> Option<Entry<'a>> {
        while !self.done {
            if self.cur.is_none() && !self.open_next_node() {
                self.done = true;
                break;
            }
            let Some(step) = self.step() else {
                // A corrupt node: stop rather than loop.
                self.done = true;
                break;
            };
            let Some(e) = step else {
                continue;
            };
            if !self.rev {
                if e.id < self.start {
                    continue;
                }
                if e.id > self.end {
                    self.done = true;
                    break;
                }
            } else {
                if e.id > self.end {
                    continue;
                }
                if e.id < self.start {
                    self.done = true;
                    break;
                }
            }
            if self.skip_tombstones && e.raw.deleted() {
                continue;
            }
            return Some(e);
        }
        None
    }
}
