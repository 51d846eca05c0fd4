//! The bridge between the stream type and its RDB form (Redis rdb.c, the
//! OBJ_STREAM arms of rdbSaveObject and rdbLoadObject): a `Stream` lends
//! its nodes, counters and groups as a `StreamView`, and a loaded
//! `StreamData` becomes a `Stream`.

use super::rdb::stream::{StreamData, StreamMeta, StreamView};
use super::rdb::stream_node::EntryId;
use super::rdb::LoadError;
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
        groups: Vec::new(),
    }
}

/// A loaded stream (already checked by the loader) as a `Stream`.
pub fn stream_from(d: StreamData) -> Result<Stream, LoadError> {
    if !d.groups.is_empty() {
        return Err(LoadError::Unsupported(
            "Stream consumer groups are not supported by this server yet".into(),
        ));
    }
    let mut s = Stream::new();
    for (id, lp) in d.nodes {
        s.insert_node(sid(id), lp);
    }
    s.length = d.meta.length;
    s.last_id = sid(d.meta.last_id);
    s.first_id = sid(d.meta.first_id);
    s.max_deleted_entry_id = sid(d.meta.max_deleted);
    s.entries_added = d.meta.entries_added;
    Ok(s)
}
