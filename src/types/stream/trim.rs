//! Stream trimming (Redis t_stream.c `streamTrim`): whole nodes are dropped
//! from the head while they can go entirely; exact trimming then flags
//! entries of the first remaining node deleted, approximate trimming stops
//! at the first node it cannot drop whole. `limit` (the work cap for `~`)
//! stops before a node whose live entries would exceed it.

use super::node::{self, Master};
use super::{Stream, StreamId, TrimArgs, TrimStrategy};
use crate::ds::listpack::Listpack;

/// The last entry ID of a node, deleted or not (`lpGetEdgeStreamID`).
fn node_last_id(lp: &Listpack, m: &Master, master_id: StreamId) -> StreamId {
    let start = lp
        .last()
        .filter(|&p| p != m.terminator)
        .and_then(|p| node::entry_start_from_end(lp, p));
    match start.and_then(|p| node::entry_at(lp, m, master_id, p)) {
        Some(e) => e.id,
        None => master_id,
    }
}

/// Runs the trim over the nodes; returns the entries removed. The caller
/// updates `first_id`.
pub(super) fn trim_nodes(s: &mut Stream, args: &TrimArgs) -> u64 {
    let mut deleted: u64 = 0;
    loop {
        if let TrimStrategy::MaxLen(max) = args.strategy {
            if s.length <= max {
                break;
            }
        }
        let length = s.length;
        let Some((&k, lp)) = s.nodes_map_mut().iter_mut().next() else {
            break;
        };
        let Some(m) = node::master(lp) else {
            break;
        };
        let entries = m.count.max(0) as u64;
        if args.limit != 0 && deleted + entries > args.limit as u64 {
            break;
        }
        let master_id = StreamId::from_u128(k);
        let remove_node = match args.strategy {
            TrimStrategy::MaxLen(max) => length - entries >= max,
            TrimStrategy::MinId(min) => node_last_id(lp, &m, master_id) < min,
        };
        if remove_node {
            s.nodes_map_mut().remove(&k);
            s.length -= entries;
            deleted += entries;
            continue;
        }
        if args.approx {
            break;
        }
        let before = lp.bytes();
        let removed = trim_in_node(lp, &m, master_id, args.strategy, length);
        s.note_shrink(k, before);
        s.length -= removed;
        deleted += removed;
        break;
    }
    deleted
}

/// Flags entries of one node deleted from its head until the strategy is
/// met; returns how many were flagged.
fn trim_in_node(
    lp: &mut Listpack,
    m: &Master,
    master_id: StreamId,
    strategy: TrimStrategy,
    mut length: u64,
) -> u64 {
    let mut flagged = 0;
    let mut p = m.first_entry(lp);
    while let Some(q) = p {
        let Some(e) = node::entry_at(lp, m, master_id, q) else {
            break;
        };
        let stop = match strategy {
            TrimStrategy::MaxLen(max) => length <= max,
            TrimStrategy::MinId(min) => e.id >= min,
        };
        if stop {
            break;
        }
        // Flags are small integers: replacing them keeps every position.
        if !e.deleted() {
            node::mark_deleted(lp, q);
            flagged += 1;
            length -= 1;
        }
        p = lp.next(e.lp_count);
    }
    node::set_counters(lp, m.count - flagged as i64, m.deleted + flagged as i64);
    flagged
}
