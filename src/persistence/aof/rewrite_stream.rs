//! AOF rewrite of a stream (Redis aof.c `rewriteStreamObject`,
//! `rioWriteStreamPendingEntry`, `rioWriteStreamEmptyConsumer`): XADD per
//! live entry (or `XADD key MAXLEN 0 0-1 x y` for an empty stream), XSETID
//! with ENTRIESADDED and MAXDELETEDID, then per group (in name order)
//! XGROUP CREATE ... ENTRIESREAD, and per consumer (in name order) an
//! XCLAIM ... TIME RETRYCOUNT JUSTID FORCE per pending entry, or XGROUP
//! CREATECONSUMER when it has none.

use super::cat_command;
use crate::persistence::rdb::stream::{ConsumerView, StreamView};
use crate::persistence::rdb::stream_node::{walk_node, EntryId};

/// Appends the commands that rebuild the stream `s` at `key` to `cmd`.
/// Fails only on a node that is not a stream node (never for a stream
/// this server built or loaded, which are checked).
pub fn stream_commands(
    cmd: &mut Vec<u8>,
    key: &[u8],
    mut s: StreamView<'_>,
) -> std::io::Result<()> {
    s.nodes.sort_by_key(|n| n.0);
    let mut args: Vec<Vec<u8>> = Vec::new();
    if s.meta.length > 0 {
        for (master, lp) in &s.nodes {
            walk_node(lp, *master, |e| {
                if e.deleted {
                    return true;
                }
                args.clear();
                args.push(b"XADD".to_vec());
                args.push(key.to_vec());
                args.push(e.id.text());
                for (f, v) in e.fields {
                    args.push(f.to_vec());
                    args.push(v.to_vec());
                }
                cat_command(cmd, &args);
                true
            })
            .ok_or_else(|| std::io::Error::other("corrupt stream node"))?;
        }
    } else {
        cat_command(
            cmd,
            &[&b"XADD"[..], key, b"MAXLEN", b"0", b"0-1", b"x", b"y"],
        );
    }
    setid_and_groups(cmd, key, &mut s);
    Ok(())
}

/// XSETID, then each group with its consumers and pending entries.
fn setid_and_groups(cmd: &mut Vec<u8>, key: &[u8], s: &mut StreamView<'_>) {
    let m = &s.meta;
    cat_command(
        cmd,
        &[
            &b"XSETID"[..],
            key,
            &m.last_id.text(),
            b"ENTRIESADDED",
            m.entries_added.to_string().as_bytes(),
            b"MAXDELETEDID",
            &m.max_deleted.text(),
        ],
    );
    s.groups.sort_by(|a, b| a.name.cmp(b.name));
    for g in &mut s.groups {
        g.pel.sort_by_key(|n| n.0);
        cat_command(
            cmd,
            &[
                &b"XGROUP"[..],
                b"CREATE",
                key,
                g.name,
                &g.last_id.text(),
                b"ENTRIESREAD",
                g.entries_read.to_string().as_bytes(),
            ],
        );
        g.consumers.sort_by(|a, b| a.name.cmp(b.name));
        for c in &mut g.consumers {
            consumer_commands(cmd, key, g.name, &g.pel, c);
        }
    }
}

/// XCLAIM ... FORCE per pending entry of consumer `c` of `group`, or XGROUP
/// CREATECONSUMER when it has none (rioWriteStreamPendingEntry,
/// rioWriteStreamEmptyConsumer). `pel` is the group PEL, ascending.
fn consumer_commands(
    cmd: &mut Vec<u8>,
    key: &[u8],
    group: &[u8],
    pel: &[(EntryId, i64, u64)],
    c: &mut ConsumerView<'_>,
) {
    if c.pel.is_empty() {
        cat_command(
            cmd,
            &[&b"XGROUP"[..], b"CREATECONSUMER", key, group, c.name],
        );
        return;
    }
    c.pel.sort();
    for id in &c.pel {
        // A consumer's entry is always in the group PEL (checked on load,
        // kept by the group code).
        let Ok(i) = pel.binary_search_by_key(id, |n| n.0) else {
            continue;
        };
        let (_, time, count) = pel[i];
        cat_command(
            cmd,
            &[
                &b"XCLAIM"[..],
                key,
                group,
                c.name,
                b"0",
                &id.text(),
                b"TIME",
                time.to_string().as_bytes(),
                b"RETRYCOUNT",
                count.to_string().as_bytes(),
                b"JUSTID",
                b"FORCE",
            ],
        );
    }
}
