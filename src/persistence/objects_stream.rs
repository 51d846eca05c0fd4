//! The bridge between the stream type and its RDB form (Redis rdb.c, the
//! OBJ_STREAM arms of rdbSaveObject and rdbLoadObject): a `Stream` lends
//! its nodes, counters and groups as a `StreamView`, and a loaded
//! `StreamData` becomes a `Stream`.

use super::rdb::stream::{ConsumerView, GroupData, GroupView, StreamData, StreamMeta, StreamView};
use super::rdb::stream_node::EntryId;
use crate::types::stream::cgroup::{Consumer, ConsumerGroup, Nack};
use crate::types::stream::{Stream, StreamId};

fn eid(id: StreamId) -> EntryId {
    EntryId::new(id.ms, id.seq)
}

fn sid(id: EntryId) -> StreamId {
    StreamId::new(id.ms, id.seq)
}

/// The stream in the form the RDB writer and the AOF rewrite take.
pub fn view(s: &Stream) -> StreamView<'_> {
    StreamView {
        nodes: s.nodes().map(|(id, lp)| (eid(id), lp)).collect(),
        meta: StreamMeta {
            length: s.length,
            last_id: eid(s.last_id),
            first_id: eid(s.first_id),
            max_deleted: eid(s.max_deleted_entry_id),
            entries_added: s.entries_added,
        },
        groups: s
            .cgroups
            .iter()
            .map(|(name, g)| group_view(name, g))
            .collect(),
    }
}

fn group_view<'a>(name: &'a [u8], g: &'a ConsumerGroup) -> GroupView<'a> {
    GroupView {
        name,
        last_id: eid(g.last_id),
        entries_read: g.entries_read,
        pel: g
            .pel
            .iter()
            .map(|(id, n)| (eid(*id), n.delivery_time, n.delivery_count))
            .collect(),
        consumers: g
            .consumers
            .iter()
            .map(|(name, c)| ConsumerView {
                name,
                seen_time: c.seen_time,
                pel: c.pel.iter().map(|id| eid(*id)).collect(),
            })
            .collect(),
    }
}

/// A loaded group: the loader proved every pending entry has exactly one
/// consumer and every consumer entry is in the group PEL.
fn group_from(g: GroupData) -> ConsumerGroup {
    let mut cg = ConsumerGroup::new(sid(g.last_id), g.entries_read);
    for n in &g.pel {
        let owner = g
            .consumers
            .get(n.consumer)
            .map(|c| c.name.clone())
            .unwrap_or_default();
        let nack = Nack {
            delivery_time: n.delivery_time,
            delivery_count: n.delivery_count,
            consumer: owner,
        };
        cg.pel.insert(sid(n.id), nack);
    }
    for c in g.consumers {
        let consumer = Consumer {
            seen_time: c.seen_time,
            pel: c.pel.into_iter().map(sid).collect(),
        };
        cg.consumers.insert(c.name, consumer);
    }
    cg
}

/// A loaded stream (already checked by the loader) as a `Stream`.
pub fn stream_from(d: StreamData) -> Stream {
    let mut s = Stream::new();
    for (id, lp) in d.nodes {
        s.insert_node(sid(id), lp);
    }
    s.length = d.meta.length;
    s.last_id = sid(d.meta.last_id);
    s.first_id = sid(d.meta.first_id);
    s.max_deleted_entry_id = sid(d.meta.max_deleted);
    s.entries_added = d.meta.entries_added;
    for g in d.groups {
        s.cgroups.insert(g.name.clone(), group_from(g));
    }
    s
}
