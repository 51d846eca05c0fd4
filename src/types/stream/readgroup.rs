//! XREADGROUP (Redis t_stream.c `xreadCommand` with GROUP,
//! `streamReplyWithRange` with a group, `streamReplyWithRangeFromConsumerPEL`;
//! blocked.c `serveClientsBlockedOnStreamKey` for XREADGROUP waiters).
//!
//! A `>` read delivers entries after the group's last ID, advances it and
//! creates NACKs (unless NOACK); any other ID re-reads the consumer's own
//! PEL. The effect is propagated as one `XCLAIM ... FORCE JUSTID` per NACK
//! created, plus `XGROUP SETID` (NOACK) and `XGROUP CREATECONSUMER` (NOACK,
//! new consumer), never as XREADGROUP itself. A blocked XREADGROUP is
//! re-executed when its key is signalled; its key deleted or its group
//! destroyed unblock it with an error, as in 7.0.15.

use super::cgroup::{self, ConsumerGroup};
use super::claim::{setid_argv, xclaim_argv};
use super::group_cmds::{add_dirty, no_key_or_group, stream_at};
use super::id;
use super::{Stream, StreamId};
use crate::blocking::{self, BlockKind, TimeUnit};
use crate::cmd::Ctx;
use crate::error::{CmdError, SYNTAX};
use crate::keyspace::notify;
use crate::resp::Reply;
use crate::types::object::Value;

/// XREAD_BLOCKED_DEFAULT_COUNT: a served blocked read without COUNT.
const BLOCKED_DEFAULT_COUNT: i64 = 1000;

/// Side effects collected while a stream is borrowed, applied afterwards.
#[derive(Default)]
pub struct Effects {
    pub dirty: u64,
    /// A consumer was created (`xgroup-createconsumer`).
    pub created: bool,
    /// Commands to propagate, in order.
    pub props: Vec<Vec<Vec<u8>>>,
}

impl Effects {
    /// Looks consumer `name` up, refreshing its seen-time, or creates it
    /// (`streamLookupConsumer` + `streamCreateConsumer`); true if created.
    pub fn touch_consumer(&mut self, cg: &mut ConsumerGroup, name: &[u8], now: i64) -> bool {
        if let Some(c) = cg.consumers.get_mut(name) {
            c.seen_time = now;
            return false;
        }
        cg.create_consumer(name, now);
        self.dirty += 1;
        self.created = true;
        true
    }

    /// Adds the dirty count, fires `xgroup-createconsumer`, queues the propagation.
    pub fn apply(self, ctx: &mut Ctx, key: &[u8]) {
        let db = ctx.client.db;
        add_dirty(ctx.srv, self.dirty);
        if self.created {
            ctx.srv
                .notify(notify::STREAM, "xgroup-createconsumer", key, db);
        }
        for p in self.props {
            ctx.also_propagate(db, p);
        }
    }
}

/// Runs `f` on the stream and its group `name`, the group taken out of the
/// stream meanwhile so both can be used. Does nothing if there is no group.
pub fn with_group<R>(
    s: &mut Stream,
    name: &[u8],
    f: impl FnOnce(&Stream, &mut ConsumerGroup) -> R,
) -> Option<R> {
    let (k, mut cg) = s.cgroups.remove_entry(name)?;
    let out = f(s, &mut cg);
    s.cgroups.insert(k, cg);
    Some(out)
}

/// Whether entry `id` is in the stream (`streamEntryExists`).
pub fn entry_exists(s: &Stream, id: StreamId) -> bool {
    s.range(id, id, false).next().is_some()
}

/// Writes entry `id` as `[id, [field, value, ...]]`; false if it is not
/// in the stream.
pub fn emit_entry(r: &mut Reply, s: &Stream, id: StreamId) -> bool {
    match s.range(id, id, false).next() {
        Some(e) => {
            write_entry(r, &e);
            true
        }
        None => false,
    }
}

/// `[id, [field, value, ...]]` for one entry.
pub fn write_entry(r: &mut Reply, e: &super::Entry) {
    r.array(2);
    r.bulk(&e.id.to_bytes());
    r.array(e.num_fields() * 2);
    for (f, v) in e.fields() {
        for x in [f, v] {
            match x {
                crate::ds::listpack::LpValue::Str(b) => r.bulk(b),
                crate::ds::listpack::LpValue::Int(n) => r.bulk_i64(n),
            }
        }
    }
}

/// Parsed XREADGROUP arguments.
struct Args {
    /// Deadline for BLOCK (0 = forever), None without BLOCK.
    block: Option<u64>,
    count: i64,
    noack: bool,
    group: Vec<u8>,
    consumer: Vec<u8>,
    /// Index of the first key.
    streams: usize,
    nkeys: usize,
}

fn parse_args(ctx: &Ctx) -> Result<Args, CmdError> {
    let (mut block, mut count, mut noack) = (None, 0, false);
    let mut gc: Option<(Vec<u8>, Vec<u8>)> = None;
    let mut streams = 0;
    let mut i = 1;
    while i < ctx.argc() {
        let more = ctx.argc() - i - 1;
        if ctx.arg_is(i, "block") && more > 0 {
            i += 1;
            block = Some(blocking::parse_timeout(ctx, ctx.arg(i), TimeUnit::Millis)?);
        } else if ctx.arg_is(i, "count") && more > 0 {
            i += 1;
            count = ctx.arg_i64(i)?.max(0);
        } else if ctx.arg_is(i, "streams") && more > 0 {
            streams = i + 1;
            if !(ctx.argc() - streams).is_multiple_of(2) {
                return Err(CmdError::err(
                    "Unbalanced XREAD list of streams: for each stream key an ID or '$' must be \
                     specified.",
                ));
            }
            break;
        } else if ctx.arg_is(i, "group") && more >= 2 {
            gc = Some((ctx.argv[i + 1].clone(), ctx.argv[i + 2].clone()));
            i += 2;
        } else if ctx.arg_is(i, "noack") {
            noack = true;
        } else {
            return Err(SYNTAX);
        }
        i += 1;
    }
    if streams == 0 {
        return Err(SYNTAX);
    }
    let Some((group, consumer)) = gc else {
        return Err(CmdError::err("Missing GROUP option for XREADGROUP"));
    };
    Ok(Args {
        block,
        count,
        noack,
        group,
        consumer,
        streams,
        nkeys: (ctx.argc() - streams) / 2,
    })
}

const DOLLAR_MEANINGLESS: &str = "The $ ID is meaningless in the context of XREADGROUP: you want \
    to read the history of this consumer by specifying a proper ID, or use the > ID to get new \
    messages. The $ ID would just return an empty result set.";

/// The error of a re-executed (blocked) XREADGROUP whose key went away.
const KEY_GONE: &str = "UNBLOCKED the stream key no longer exists";
const GROUP_GONE: &str = "NOGROUP the consumer group this client was blocked on no longer exists";

/// Checks every key and group and parses the IDs (`>` is the maximum ID).
fn resolve_ids(ctx: &mut Ctx, a: &Args) -> Result<Vec<StreamId>, CmdError> {
    let fresh = blocking::may_block_fresh(ctx);
    let db = ctx.client.db;
    let mut ids = Vec::with_capacity(a.nkeys);
    for k in 0..a.nkeys {
        let key = ctx.argv[a.streams + k].as_slice();
        let has_group = match stream_at(ctx.srv, db, key, false) {
            Ok(s) => s.map(|s| s.cgroups.contains_key(&a.group[..])),
            Err(_) if !fresh => return Err(CmdError::raw(KEY_GONE)),
            Err(e) => return Err(e),
        };
        match has_group {
            Some(true) => {}
            None if !fresh => return Err(CmdError::raw(KEY_GONE)),
            Some(false) if !fresh => return Err(CmdError::raw(GROUP_GONE)),
            _ => {
                return Err(no_key_or_group(
                    key,
                    &a.group,
                    " in XREADGROUP with GROUP option",
                ))
            }
        }
        let arg = ctx.arg(a.streams + a.nkeys + k);
        let id = match arg {
            b"$" => return Err(CmdError::err(DOLLAR_MEANINGLESS)),
            b">" => StreamId::MAX,
            _ => id::parse_strict(arg, 0)?,
        };
        ids.push(id);
    }
    Ok(ids)
}

/// XREADGROUP GROUP group consumer [COUNT n] [BLOCK ms] [NOACK] STREAMS key ... id ...
pub fn xreadgroup_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let a = parse_args(ctx)?;
    let ids = resolve_ids(ctx, &a)?;
    let reexec = !blocking::may_block_fresh(ctx);
    let mut count = a.count;
    if reexec && count == 0 {
        count = BLOCKED_DEFAULT_COUNT;
    }
    let top = ctx.client.reply.defer_len();
    let mut served = 0;
    for (k, &gt) in ids.iter().enumerate() {
        let key = ctx.argv[a.streams + k].clone();
        if blocking::serving_key(ctx).is_some_and(|ready| ready != key) {
            continue;
        }
        if serve_key(ctx, &a, &key, gt, count)? {
            served += 1;
            // A served waiter gets one key, as Redis serves the signalled key.
            if reexec {
                break;
            }
        }
    }
    if served > 0 {
        if ctx.client.reply.resp == 2 {
            ctx.client.reply.set_deferred_array(top, served);
        } else {
            ctx.client.reply.set_deferred_map(top, served);
        }
    } else if let Some(deadline) = a.block {
        if blocking::may_block(ctx) {
            let keys: Vec<&[u8]> = ctx.argv[a.streams..a.streams + a.nkeys]
                .iter()
                .map(|k| k.as_slice())
                .collect();
            blocking::block_on_keys(ctx, &keys, deadline, BlockKind::StreamGroup);
        } else {
            ctx.client.reply.null_array();
        }
    } else {
        ctx.client.reply.null_array();
    }
    ctx.prevent_propagation();
    Ok(())
}

/// Serves one key if it has something for this read; true if it replied.
fn serve_key(
    ctx: &mut Ctx,
    a: &Args,
    key: &[u8],
    gt: StreamId,
    count: i64,
) -> Result<bool, CmdError> {
    let db = ctx.client.db;
    let now = ctx.srv.time.mstime;
    let reexec = !blocking::may_block_fresh(ctx);
    let mut fx = Effects::default();
    let Some(s) = stream_at(ctx.srv, db, key, false)? else {
        return Ok(false);
    };
    let r = &mut ctx.client.reply;
    let served = with_group(s, &a.group, |s, cg| {
        let history = gt != StreamId::MAX;
        // A fresh call needs a live entry after the group's last ID; a
        // served waiter only a newer top ID (blocked.c), so entries added
        // and deleted in one MULTI still wake it, with an empty list.
        let serve = history
            || if reexec {
                s.last_id > cg.last_id
            } else {
                s.length > 0 && s.last_valid_id() > cg.last_id
            };
        let start = if history { gt } else { cg.last_id };
        if !serve {
            return false;
        }
        // 7.0.15 looks the consumer up (or creates it) only when serving.
        if fx.touch_consumer(cg, &a.consumer, now) && a.noack {
            fx.props.push(crate::propagate::argv(&[
                b"XGROUP",
                b"CREATECONSUMER",
                key,
                &a.group,
                &a.consumer,
            ]));
        }
        if r.resp == 2 {
            r.array(2);
        }
        r.bulk(key);
        // The start is exclusive: from the ID after it.
        let Some(start) = start.incr() else {
            r.array(0);
            return true;
        };
        if history {
            reply_consumer_pel(r, s, cg, &a.consumer, start, count, now);
        } else {
            reply_new_entries(r, s, cg, key, a, start, count, now, &mut fx);
        }
        fx.dirty += 1;
        true
    })
    .unwrap_or(false);
    fx.apply(ctx, key);
    Ok(served)
}

/// Re-delivers the consumer's own pending entries from `start`
/// (`streamReplyWithRangeFromConsumerPEL`): deleted entries come as `[id, nil]`.
fn reply_consumer_pel(
    r: &mut Reply,
    s: &Stream,
    cg: &mut ConsumerGroup,
    consumer: &[u8],
    start: StreamId,
    count: i64,
    now: i64,
) {
    let ids: Vec<StreamId> = match cg.consumers.get(consumer) {
        Some(c) => {
            let it = c.pel.range(start..).copied();
            if count > 0 {
                it.take(count as usize).collect()
            } else {
                it.collect()
            }
        }
        None => Vec::new(),
    };
    r.array(ids.len());
    for id in ids {
        if emit_entry(r, s, id) {
            if let Some(nack) = cg.pel.get_mut(&id) {
                nack.delivery_time = now;
                nack.delivery_count = nack.delivery_count.wrapping_add(1);
            }
        } else {
            r.array(2);
            r.bulk(&id.to_bytes());
            r.null_array();
        }
    }
}

/// Delivers entries after the group's last ID (`streamReplyWithRange`
/// with a group): advances the group, creates or moves NACKs.
#[allow(clippy::too_many_arguments)]
fn reply_new_entries(
    r: &mut Reply,
    s: &Stream,
    cg: &mut ConsumerGroup,
    key: &[u8],
    a: &Args,
    start: StreamId,
    count: i64,
    now: i64,
    fx: &mut Effects,
) {
    let at = r.defer_len();
    let mut n = 0;
    let mut moved_last = false;
    for e in s.range(start, StreamId::MAX, false) {
        if e.id > cg.last_id {
            cgroup::advance_group(s, cg, e.id);
            moved_last = true;
        }
        write_entry(r, &e);
        if !a.noack {
            let nack = cg.assign(e.id, &a.consumer);
            nack.delivery_time = now;
            nack.delivery_count = 1;
            let nack = nack.clone();
            fx.props.push(xclaim_argv(
                key,
                &a.group,
                &e.id.to_bytes(),
                &nack,
                cg.last_id,
            ));
        }
        n += 1;
        if count > 0 && n as i64 == count {
            break;
        }
    }
    r.set_deferred_array(at, n);
    if a.noack && moved_last {
        fx.props.push(setid_argv(key, &a.group, cg));
    }
}

/// A stream key was deleted or overwritten: wake its XREADGROUP waiters so
/// they get their error (`signalDeletedKeyAsReady`).
pub fn signal_deleted_stream(srv: &mut crate::server::Server, db: usize, old: &Value, key: &[u8]) {
    if matches!(old, Value::Stream(_)) {
        blocking::signal_deleted_key_as_ready(srv, db, key);
    }
}
