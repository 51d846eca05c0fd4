//! Stream command table and shared helpers (Redis t_stream.c, command half):
//! key lookups with WRONGTYPE, node limits from the config, entry replies.

use super::{Entry, Stream};
use crate::cmd::CommandImpl;
use crate::error::{CmdError, WRONGTYPE};
use crate::resp::Reply;
use crate::server::Server;
use crate::types::Value;

pub const COMMANDS: &[CommandImpl] = &[
    CommandImpl {
        name: "xadd",
        handler: super::add::xadd_command,
    },
    CommandImpl {
        name: "xrange",
        handler: super::range::xrange_command,
    },
    CommandImpl {
        name: "xrevrange",
        handler: super::range::xrevrange_command,
    },
    CommandImpl {
        name: "xlen",
        handler: super::range::xlen_command,
    },
    CommandImpl {
        name: "xdel",
        handler: super::edit::xdel_command,
    },
    CommandImpl {
        name: "xtrim",
        handler: super::edit::xtrim_command,
    },
    CommandImpl {
        name: "xsetid",
        handler: super::edit::xsetid_command,
    },
    CommandImpl {
        name: "xread",
        handler: super::read::xread_command,
    },
];

impl Value {
    pub fn as_stream(&self) -> Option<&Stream> {
        match self {
            Value::Stream(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_stream_mut(&mut self) -> Option<&mut Stream> {
        match self {
            Value::Stream(s) => Some(s),
            _ => None,
        }
    }
}

/// The stream at `key` (`lookupKeyRead`/`Write` + `checkType`): `Ok(None)`
/// when missing, WRONGTYPE for another type.
pub fn get_stream<'a>(
    srv: &'a mut Server,
    db: usize,
    key: &[u8],
    write: bool,
) -> Result<Option<&'a mut Stream>, CmdError> {
    let v = if write {
        srv.lookup_write(db, key)
    } else {
        srv.lookup_read(db, key)
    };
    match v {
        None => Ok(None),
        Some(v) => v.as_stream_mut().map(Some).ok_or(WRONGTYPE),
    }
}

/// The node limits from `stream-node-max-bytes` / `-entries`.
pub fn node_limits(srv: &Server) -> super::NodeLimits {
    super::NodeLimits {
        max_bytes: srv.config.stream_node_max_bytes,
        max_entries: srv.config.stream_node_max_entries,
    }
}

/// One entry as Redis replies it: `[id, [field, value, ...]]`.
pub fn reply_entry(r: &mut Reply, e: &Entry<'_>) {
    r.array(2);
    r.bulk(e.id.to_string().as_bytes());
    r.array(e.num_fields() * 2);
    let mut buf = Vec::new();
    for (f, v) in e.fields() {
        for x in [f, v] {
            buf.clear();
            x.write_to(&mut buf);
            r.bulk(&buf);
        }
    }
}

/// Entries of `s` in `[start, end]` (`streamReplyWithRange` without
/// groups): at most `count` (0 = all), as an array. Returns the count.
pub fn reply_range(
    r: &mut Reply,
    s: &Stream,
    start: super::StreamId,
    end: super::StreamId,
    count: usize,
    rev: bool,
) -> usize {
    let at = r.defer_len();
    let mut n = 0;
    for e in s.range(start, end, rev) {
        if count != 0 && n == count {
            break;
        }
        reply_entry(r, &e);
        n += 1;
    }
    r.set_deferred_array(at, n);
    n
}
