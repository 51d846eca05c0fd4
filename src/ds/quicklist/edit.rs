//! Quicklist edits in the middle of the list (Redis quicklist.c
//! _quicklistInsert, quicklistReplaceEntry, _quicklistSplitNode,
//! _quicklistMergeNodes, _quicklistListpackMerge).

use super::node::{Data, Node};
use super::{Entry, Quicklist};
use crate::ds::listpack::{Listpack, LpValue, Where};

impl Quicklist {
    /// _quicklistListpackMerge: merges nodes `a` and `a + 1` into one at
    /// index `a`, keeping the longer listpack's buffer.
    fn listpack_merge(&mut self, a: usize) -> usize {
        self.decompress_node(a);
        self.decompress_node(a + 1);
        let right = self.nodes.remove(a + 1).expect("right node");
        let left = std::mem::replace(&mut self.nodes[a], right);
        let keep_left = left.count >= self.nodes[a].count;
        let Data::Packed(llp) = left.data else {
            unreachable!("merge of a plain node")
        };
        let rlp = match std::mem::replace(&mut self.nodes[a].data, Data::Plain(Vec::new())) {
            Data::Packed(lp) => lp,
            _ => unreachable!("merge of a plain node"),
        };
        let merged = Listpack::merge(llp, rlp);
        if keep_left {
            self.nodes[a].recompress = left.recompress;
        }
        self.nodes[a].data = Data::Packed(merged);
        self.nodes[a].update_sz();
        // The dropped node held no elements of its own any more.
        self.compress_around(None);
        self.compress_at(a);
        a
    }

    /// _quicklistMergeNodes: tries to merge the two nodes before `center`,
    /// the two after it, then `center` with its neighbours.
    fn merge_nodes(&mut self, center: usize) {
        let mut center = center;
        if center >= 2 && self.allow_merge(Some(center - 1), Some(center - 2)) {
            self.listpack_merge(center - 2);
            center -= 1;
        }
        if self.allow_merge(Some(center + 1), Some(center + 2)) {
            self.listpack_merge(center + 1);
        }
        let target = if center >= 1 && self.allow_merge(Some(center), Some(center - 1)) {
            self.listpack_merge(center - 1)
        } else {
            center
        };
        if self.allow_merge(Some(target), Some(target + 1)) {
            self.listpack_merge(target);
        }
    }

    /// _quicklistSplitNode: node `i` keeps [0, offset] (after) or
    /// [offset, end] (before); the returned node holds the rest.
    fn split_node(&mut self, i: usize, offset: i64, after: bool) -> Node {
        let node = &mut self.nodes[i];
        let offset = if offset < 0 {
            node.count as i64 + offset
        } else {
            offset
        };
        let mut copy = node.lp().clone();
        let (orig_start, orig_extent) = if after {
            (offset + 1, usize::MAX)
        } else {
            (0, offset as usize)
        };
        let (new_start, new_extent) = if after {
            (0, offset as usize + 1)
        } else {
            (offset, usize::MAX)
        };
        node.lp_mut().delete_range(orig_start, orig_extent);
        node.update_sz();
        copy.delete_range(new_start, new_extent);
        Node::packed(copy)
    }

    /// _quicklistInsert: inserts `value` next to the iterator entry `e`.
    pub(crate) fn insert_at_entry(&mut self, e: &Entry, value: &[u8], after: bool) {
        let Some(node) = e.node else {
            // Empty list: the new node is the only one.
            if self.is_large(value.len()) {
                self.insert_plain_node(None, value, after);
            } else {
                self.insert_node(None, Self::new_packed(value), after);
                self.count += 1;
            }
            return;
        };
        let sz = value.len();
        let full = !self.allow_insert(Some(node), sz);
        let cnt = self.nodes[node].count as i64;
        let at_tail = after && (e.offset == cnt - 1 || e.offset == -1);
        let at_head = !after && (e.offset == 0 || e.offset == -cnt);
        let avail_next = at_tail && self.allow_insert(Some(node + 1), sz);
        let avail_prev = at_head && node > 0 && self.allow_insert(Some(node - 1), sz);

        if self.is_large(sz) {
            self.insert_large(node, e.offset, value, after, at_tail || at_head);
            return;
        }
        if !full {
            self.decompress_for_use(node);
            let wh = if after { Where::After } else { Where::Before };
            let zi = e.zi.expect("entry position");
            self.nodes[node]
                .lp_mut()
                .insert(zi, LpValue::Str(value), wh);
            self.nodes[node].update_sz();
            self.recompress_only(node);
        } else if (at_tail && avail_next) || (at_head && avail_prev) {
            // Spill into the neighbour's near end.
            let nb = if after { node + 1 } else { node - 1 };
            self.decompress_for_use(nb);
            let lp = self.nodes[nb].lp_mut();
            if after {
                lp.prepend(LpValue::Str(value));
            } else {
                lp.append(LpValue::Str(value));
            }
            self.nodes[nb].update_sz();
            self.recompress_only(nb);
            self.recompress_only(node);
        } else if at_tail || at_head {
            self.insert_node(Some(node), Self::new_packed(value), after);
        } else {
            self.split_insert(node, e.offset, value, after);
        }
        self.count += 1;
    }

    /// A large element gets a plain node of its own, next to the entry's
    /// node or, in the middle of a listpack, between its two halves.
    fn insert_large(&mut self, node: usize, offset: i64, value: &[u8], after: bool, edge: bool) {
        if self.nodes[node].plain || edge {
            self.insert_plain_node(Some(node), value, after);
        } else {
            self.decompress_for_use(node);
            let new = self.split_node(node, offset, after);
            let mid = self.insert_node(Some(node), Node::plain(value.to_vec()), after);
            self.insert_node(Some(mid), new, after);
            self.count += 1;
        }
    }

    /// A full node is split at the entry, the value joins the new half,
    /// and the neighbourhood is merged back where the fill allows.
    fn split_insert(&mut self, node: usize, offset: i64, value: &[u8], after: bool) {
        self.decompress_for_use(node);
        let mut new = self.split_node(node, offset, after);
        if after {
            new.lp_mut().prepend(LpValue::Str(value));
        } else {
            new.lp_mut().append(LpValue::Str(value));
        }
        new.update_sz();
        let idx = self.insert_node(Some(node), new, after);
        // Before-inserts push the original node one slot right.
        let center = if after { node } else { idx + 1 };
        self.merge_nodes(center);
    }

    /// quicklistReplaceEntry: replaces the iterator entry `e` with `value`.
    pub(crate) fn replace_at_entry(&mut self, e: &Entry, value: &[u8]) {
        let node = e.node.expect("entry node");
        let large = self.is_large(value.len());
        if !self.nodes[node].plain && !large {
            let zi = e.zi.expect("entry position");
            self.nodes[node].lp_mut().replace(zi, LpValue::Str(value));
            self.nodes[node].update_sz();
            self.compress_at(node);
        } else if self.nodes[node].plain {
            if large {
                let n = &mut self.nodes[node];
                n.data = Data::Plain(value.to_vec());
                n.sz = value.len();
                self.compress_at(node);
            } else {
                self.insert_at_entry(e, value, true);
                self.del_node(node);
            }
        } else {
            // A large value inside a listpack: put a plain node after the
            // entry (splitting if needed), then drop the old entry, which is
            // now the node's last.
            self.nodes[node].dont_compress = true;
            self.insert_at_entry(e, value, true);
            if self.nodes[node].count == 1 {
                self.del_node(node);
            } else {
                let p = self.nodes[node].lp().last().expect("entry");
                self.del_index(node, p);
                self.nodes[node].dont_compress = false;
                self.compress_at(node);
                if node + 1 < self.nodes.len() {
                    self.compress_at(node + 1);
                }
            }
        }
    }
}
