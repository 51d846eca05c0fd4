//! XINFO (Redis t_stream.c `xinfoCommand`, `xinfoReplyWithStreamInfo`):
//! STREAM [FULL [COUNT n]], GROUPS, CONSUMERS and HELP.

use super::cgroup::{self, ConsumerGroup, INVALID_ENTRIES_READ};
use super::group_cmds::{no_group_for_key, stream_at};
use super::readgroup::write_entry;
use super::{Stream, StreamId};
use crate::cmd::Ctx;
use crate::error::{CmdError, NO_SUCH_KEY};
use crate::resp::Reply;

/// FULL's default COUNT for entries and PELs.
const FULL_DEFAULT_COUNT: i64 = 10;

const XINFO_HELP: &[&str] = &[
    "CONSUMERS <key> <groupname>",
    "    Show consumers of <groupname>.",
    "GROUPS <key>",
    "    Show the stream consumer groups.",
    "STREAM <key> [FULL [COUNT <count>]",
    "    Show information about the stream.",
];

/// XINFO HELP
pub fn xinfo_help_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    crate::introspection::help::reply_help(ctx, "xinfo", XINFO_HELP);
    Ok(())
}

/// The stream at argv[2], "no such key" if missing.
fn lookup<'a>(
    srv: &'a mut crate::server::Server,
    db: usize,
    key: &[u8],
) -> Result<&'a mut Stream, CmdError> {
    stream_at(srv, db, key, false)?.ok_or(NO_SUCH_KEY)
}

fn bulk_str(r: &mut Reply, s: &str) {
    r.bulk(s.as_bytes());
}

fn reply_entries_read_and_lag(r: &mut Reply, s: &Stream, cg: &ConsumerGroup) {
    bulk_str(r, "entries-read");
    if cg.entries_read != INVALID_ENTRIES_READ {
        r.int(cg.entries_read);
    } else {
        r.null();
    }
    bulk_str(r, "lag");
    match cgroup::lag(s, cg) {
        Some(l) => r.int(l),
        None => r.null(),
    }
}

/// XINFO GROUPS key
pub fn xinfo_groups_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let s = lookup(ctx.srv, ctx.client.db, ctx.argv[2].as_slice())?;
    let r = &mut ctx.client.reply;
    r.array(s.cgroups.len());
    for (name, cg) in &s.cgroups {
        r.map(6);
        bulk_str(r, "name");
        r.bulk(name);
        bulk_str(r, "consumers");
        r.int(cg.consumers.len() as i64);
        bulk_str(r, "pending");
        r.int(cg.pel.len() as i64);
        bulk_str(r, "last-delivered-id");
        r.bulk(&cg.last_id.to_bytes());
        reply_entries_read_and_lag(r, s, cg);
    }
    Ok(())
}

/// XINFO CONSUMERS key group
pub fn xinfo_consumers_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let now = ctx.srv.time.mstime;
    let (key, group) = (ctx.argv[2].as_slice(), ctx.argv[3].as_slice());
    let s = lookup(ctx.srv, ctx.client.db, ctx.argv[2].as_slice())?;
    let Some(cg) = s.cgroups.get(group) else {
        return Err(no_group_for_key(key, group));
    };
    let r = &mut ctx.client.reply;
    r.array(cg.consumers.len());
    for (name, c) in &cg.consumers {
        r.map(3);
        bulk_str(r, "name");
        r.bulk(name);
        bulk_str(r, "pending");
        r.int(c.pel.len() as i64);
        bulk_str(r, "idle");
        r.int(now.wrapping_sub(c.seen_time).max(0));
    }
    Ok(())
}

/// XINFO STREAM key [FULL [COUNT count]]
pub fn xinfo_stream_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    // The key is looked up before the options are parsed.
    lookup(ctx.srv, ctx.client.db, ctx.argv[2].as_slice())?;
    let argc = ctx.argc();
    let syntax = || crate::introspection::help::subcommand_syntax_error(ctx);
    let mut full = false;
    let mut count = FULL_DEFAULT_COUNT;
    if argc > 3 {
        if (argc != 4 && argc != 6) || !ctx.arg_is(3, "full") {
            return Err(syntax());
        }
        full = true;
        if argc == 6 {
            if !ctx.arg_is(4, "count") {
                return Err(syntax());
            }
            count = ctx.arg_i64(5)?.max(0);
        }
    }
    let s = lookup(ctx.srv, ctx.client.db, ctx.argv[2].as_slice())?;
    let r = &mut ctx.client.reply;
    r.map(if full { 9 } else { 10 });
    bulk_str(r, "length");
    r.int(s.length as i64);
    bulk_str(r, "radix-tree-keys");
    r.int(s.node_count() as i64);
    bulk_str(r, "radix-tree-nodes");
    let nodes = cgroup::rax_node_count(s.nodes().map(|(id, _)| id.to_be_bytes()));
    r.int(nodes as i64);
    bulk_str(r, "last-generated-id");
    r.bulk(&s.last_id.to_bytes());
    bulk_str(r, "max-deleted-entry-id");
    r.bulk(&s.max_deleted_entry_id.to_bytes());
    bulk_str(r, "entries-added");
    r.int(s.entries_added as i64);
    bulk_str(r, "recorded-first-entry-id");
    r.bulk(&s.first_id.to_bytes());
    if full {
        reply_full(r, s, count);
    } else {
        bulk_str(r, "groups");
        r.int(s.cgroups.len() as i64);
        for (name, rev) in [("first-entry", false), ("last-entry", true)] {
            bulk_str(r, name);
            match s.range(StreamId::MIN, StreamId::MAX, rev).next() {
                Some(e) => write_entry(r, &e),
                None => r.null(),
            }
        }
    }
    Ok(())
}

/// FULL's entries and groups, each list cut at `count` (0 = all).
fn reply_full(r: &mut Reply, s: &Stream, count: i64) {
    let limit = if count == 0 {
        usize::MAX
    } else {
        count as usize
    };
    bulk_str(r, "entries");
    let at = r.defer_len();
    let mut n = 0;
    for e in s.range(StreamId::MIN, StreamId::MAX, false).take(limit) {
        write_entry(r, &e);
        n += 1;
    }
    r.set_deferred_array(at, n);
    bulk_str(r, "groups");
    r.array(s.cgroups.len());
    for (name, cg) in &s.cgroups {
        r.map(7);
        bulk_str(r, "name");
        r.bulk(name);
        bulk_str(r, "last-delivered-id");
        r.bulk(&cg.last_id.to_bytes());
        reply_entries_read_and_lag(r, s, cg);
        bulk_str(r, "pel-count");
        r.int(cg.pel.len() as i64);
        bulk_str(r, "pending");
        r.array(cg.pel.len().min(limit));
        for (id, nack) in cg.pel.iter().take(limit) {
            r.array(4);
            r.bulk(&id.to_bytes());
            r.bulk(&nack.consumer);
            r.int(nack.delivery_time);
            r.int(nack.delivery_count as i64);
        }
        bulk_str(r, "consumers");
        r.array(cg.consumers.len());
        for (cname, c) in &cg.consumers {
            r.map(4);
            bulk_str(r, "name");
            r.bulk(cname);
            bulk_str(r, "seen-time");
            r.int(c.seen_time);
            bulk_str(r, "pel-count");
            r.int(c.pel.len() as i64);
            bulk_str(r, "pending");
            r.array(c.pel.len().min(limit));
            for id in c.pel.iter().take(limit) {
                let (t, n) = cg
                    .pel
                    .get(id)
                    .map_or((0, 0), |x| (x.delivery_time, x.delivery_count as i64));
                r.array(3);
                r.bulk(&id.to_bytes());
                r.int(t);
                r.int(n);
            }
        }
    }
}
