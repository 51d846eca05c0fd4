//! XCLAIM and XAUTOCLAIM (Redis t_stream.c `xclaimCommand`,
//! `xautoclaimCommand`, `streamPropagateXCLAIM`): moving pending entries
//! to another consumer. Both propagate one idempotent XCLAIM per entry
//! touched (including entries dropped because they were deleted from the
//! stream) and never themselves.

use super::cgroup::{ConsumerGroup, Nack};
use super::group_cmds::{no_key_or_group, stream_at};
use super::id;
use super::readgroup::{emit_entry, entry_exists, with_group, Effects};
use super::{Stream, StreamId};
use crate::cmd::Ctx;
use crate::error::{CmdError, SYNTAX};
use crate::util::num::string2ll;

/// The XCLAIM that recreates `nack` for `id` on replicas and in the AOF:
/// `XCLAIM key group consumer 0 id TIME t RETRYCOUNT n FORCE JUSTID LASTID l`.
pub fn xclaim_argv(
    key: &[u8],
    group: &[u8],
    id: &[u8],
    nack: &Nack,
    last: StreamId,
) -> Vec<Vec<u8>> {
    crate::propagate::argv(&[
        b"XCLAIM",
        key,
        group,
        &nack.consumer,
        b"0",
        id,
        b"TIME",
        nack.delivery_time.to_string().as_bytes(),
        b"RETRYCOUNT",
        (nack.delivery_count as i64).to_string().as_bytes(),
        b"FORCE",
        b"JUSTID",
        b"LASTID",
        &last.to_bytes(),
    ])
}

/// XCLAIM's options after the IDs.
struct ClaimOpts {
    delivery_time: i64,
    retry_count: i64,
    force: bool,
    justid: bool,
    last_id: Option<StreamId>,
}

fn opt_i64(ctx: &Ctx, i: usize, what: &str) -> Result<i64, CmdError> {
    string2ll(ctx.arg(i))
        .ok_or_else(|| CmdError::err(format!("Invalid {} option argument for XCLAIM", what)))
}

/// Parses the options from argv[j..] (`now` turns IDLE into a time).
fn parse_claim_opts(ctx: &Ctx, mut j: usize, now: i64) -> Result<ClaimOpts, CmdError> {
    let mut o = ClaimOpts {
        delivery_time: -1,
        retry_count: -1,
        force: false,
        justid: false,
        last_id: None,
    };
    while j < ctx.argc() {
        let more = j + 1 < ctx.argc();
        if ctx.arg_is(j, "force") {
            o.force = true;
        } else if ctx.arg_is(j, "justid") {
            o.justid = true;
        } else if ctx.arg_is(j, "idle") && more {
            j += 1;
            o.delivery_time = now.wrapping_sub(opt_i64(ctx, j, "IDLE")?);
        } else if ctx.arg_is(j, "time") && more {
            j += 1;
            o.delivery_time = opt_i64(ctx, j, "TIME")?;
        } else if ctx.arg_is(j, "retrycount") && more {
            j += 1;
            o.retry_count = opt_i64(ctx, j, "RETRYCOUNT")?;
        } else if ctx.arg_is(j, "lastid") && more {
            j += 1;
            o.last_id = Some(id::parse_strict(ctx.arg(j), 0)?);
        } else {
            let mut t = b"ERR Unrecognized XCLAIM option '".to_vec();
            t.extend_from_slice(crate::error::c_prefix(ctx.arg(j), usize::MAX));
            t.push(b'\'');
            return Err(CmdError::from_bytes(t));
        }
        j += 1;
    }
    // A bogus time (in the future or negative) is taken as now.
    if o.delivery_time < 0 || o.delivery_time > now {
        o.delivery_time = now;
    }
    Ok(o)
}

/// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME ms]
/// [RETRYCOUNT n] [FORCE] [JUSTID] [LASTID id]
pub fn xclaim_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let (db, key, group) = (
        ctx.client.db,
        ctx.argv[1].as_slice(),
        ctx.argv[2].as_slice(),
    );
    let has_group =
        stream_at(ctx.srv, db, key, false)?.is_some_and(|s| s.cgroups.contains_key(group));
    if !has_group {
        return Err(no_key_or_group(key, group, ""));
    }
    let min_idle = string2ll(ctx.arg(4))
        .ok_or_else(|| CmdError::err("Invalid min-idle-time argument for XCLAIM"))?
        .max(0);
    let mut ids = Vec::new();
    let mut j = 5;
    while j < ctx.argc() {
        match id::parse_strict(ctx.arg(j), 0) {
            Ok(id) => ids.push((id, j)),
            Err(_) => break,
        }
        j += 1;
    }
    let now = ctx.srv.time.mstime;
    let opts = parse_claim_opts(ctx, j, now)?;
    let mut fx = Effects::default();
    let argv = ctx.argv;
    let Some(s) = stream_at(ctx.srv, db, key, false)? else {
        return Ok(());
    };
    let r = &mut ctx.client.reply;
    with_group(s, group, |s, cg| {
        let mut propagate_last_id = false;
        if let Some(l) = opts.last_id {
            // Applied once every option parsed, before the claims.
            if l > cg.last_id {
                cg.last_id = l;
                propagate_last_id = true;
            }
        }
        let at = r.defer_len();
        let mut n = 0;
        for &(id, arg) in &ids {
            match claim_one(s, cg, id, &opts, min_idle, now, &argv[3], &mut fx) {
                Claim::Skipped => {}
                Claim::Dropped(nack) => {
                    // The entry is gone from the stream: its NACK is dropped.
                    fx.props
                        .push(xclaim_argv(key, group, &argv[arg], &nack, cg.last_id));
                    fx.dirty += 1;
                    propagate_last_id = false;
                }
                Claim::Claimed(nack) => {
                    if opts.justid {
                        r.bulk(&id.to_bytes());
                    } else if !emit_entry(r, s, id) {
                        r.null();
                    }
                    n += 1;
                    fx.props
                        .push(xclaim_argv(key, group, &argv[arg], &nack, cg.last_id));
                    fx.dirty += 1;
                    propagate_last_id = false;
                }
            }
        }
        r.set_deferred_array(at, n);
        if propagate_last_id {
            fx.props.push(setid_argv(key, group, cg));
            fx.dirty += 1;
        }
    });
    fx.apply(ctx, key, group);
    ctx.prevent_propagation();
    Ok(())
}

/// What XCLAIM did with one ID.
enum Claim {
    /// Not pending (and no FORCE), or not idle enough.
    Skipped,
    /// Deleted from the stream: its NACK (as it was) left the PEL.
    Dropped(Nack),
    /// Claimed: the NACK after the change.
    Claimed(Nack),
}

/// Claims one ID for XCLAIM.
#[allow(clippy::too_many_arguments)]
fn claim_one(
    s: &Stream,
    cg: &mut ConsumerGroup,
    id: StreamId,
    o: &ClaimOpts,
    min_idle: i64,
    now: i64,
    consumer: &[u8],
    fx: &mut Effects,
) -> Claim {
    if !entry_exists(s, id) {
        return match cg.pel.get(&id).cloned() {
            Some(nack) => {
                cg.ack(id);
                Claim::Dropped(nack)
            }
            None => Claim::Skipped,
        };
    }
    let existed = match cg.pel.get(&id) {
        Some(nack) if min_idle != 0 && now.wrapping_sub(nack.delivery_time) < min_idle => {
            return Claim::Skipped
        }
        Some(_) => true,
        None if o.force => false,
        None => return Claim::Skipped,
    };
    fx.touch_consumer(cg, consumer, now);
    let nack = cg.assign(id, consumer);
    if !existed {
        // streamCreateNACK: delivered once, now.
        nack.delivery_count = 1;
    }
    nack.delivery_time = o.delivery_time;
    if o.retry_count >= 0 {
        nack.delivery_count = o.retry_count as u64;
    } else if !o.justid {
        nack.delivery_count = nack.delivery_count.wrapping_add(1);
    }
    Claim::Claimed(nack.clone())
}

/// XAUTOCLAIM's parsed arguments.
struct AutoArgs {
    min_idle: i64,
    start: StreamId,
    count: i64,
    justid: bool,
}

/// XAUTOCLAIM's COUNT limit: `count * 10` attempts and `count` IDs of 16
/// bytes must not overflow a long.
const AUTOCLAIM_MAX_COUNT: i64 = i64::MAX / 16;

fn parse_autoclaim(ctx: &Ctx) -> Result<AutoArgs, CmdError> {
    let min_idle = string2ll(ctx.arg(4))
        .ok_or_else(|| CmdError::err("Invalid min-idle-time argument for XAUTOCLAIM"))?
        .max(0);
    let (mut start, ex) = id::parse_interval(ctx.arg(5), 0)?;
    if ex {
        start = start
            .incr()
            .ok_or_else(|| CmdError::err("invalid start ID for the interval"))?;
    }
    let mut a = AutoArgs {
        min_idle,
        start,
        count: 100,
        justid: false,
    };
    let mut j = 6;
    while j < ctx.argc() {
        if ctx.arg_is(j, "count") && j + 1 < ctx.argc() {
            a.count = string2ll(ctx.arg(j + 1))
                .filter(|&c| (1..=AUTOCLAIM_MAX_COUNT).contains(&c))
                .ok_or_else(|| CmdError::err("COUNT must be > 0"))?;
            j += 1;
        } else if ctx.arg_is(j, "justid") {
            a.justid = true;
        } else {
            return Err(SYNTAX);
        }
        j += 1;
    }
    Ok(a)
}

/// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]
pub fn xautoclaim_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let a = parse_autoclaim(ctx)?;
    let (db, key, group) = (
        ctx.client.db,
        ctx.argv[1].as_slice(),
        ctx.argv[2].as_slice(),
    );
    let has_group =
        stream_at(ctx.srv, db, key, false)?.is_some_and(|s| s.cgroups.contains_key(group));
    if !has_group {
        return Err(no_key_or_group(key, group, ""));
    }
    // Redis allocates room for `count` deleted IDs up front.
    let mut deleted: Vec<StreamId> = Vec::new();
    if deleted.try_reserve_exact(a.count as usize).is_err() {
        return Err(CmdError::err(
            "Insufficient memory, failed allocating transient memory, COUNT too high.",
        ));
    }
    let now = ctx.srv.time.mstime;
    let consumer = ctx.argv[3].as_slice();
    let mut fx = Effects::default();
    let Some(s) = stream_at(ctx.srv, db, key, false)? else {
        return Ok(());
    };
    let r = &mut ctx.client.reply;
    with_group(s, group, |s, cg| {
        r.array(3);
        let cursor_at = r.defer_len();
        let list_at = r.defer_len();
        let mut claimed = 0;
        let mut count = a.count;
        let mut attempts = a.count * 10;
        let mut pos = Some(a.start);
        let mut eof = false;
        while attempts > 0 && count > 0 {
            attempts -= 1;
            let next = pos.and_then(|p| cg.pel.range(p..).next().map(|(id, _)| *id));
            let Some(id) = next else {
                eof = true;
                break;
            };
            pos = id.incr();
            if !entry_exists(s, id) {
                if let Some(nack) = cg.pel.get(&id) {
                    fx.props
                        .push(xclaim_argv(key, group, &id.to_bytes(), nack, cg.last_id));
                }
                cg.ack(id);
                fx.dirty += 1;
                deleted.push(id);
                // Deleted IDs count: the reply has room for `count` of them.
                count -= 1;
                continue;
            }
            let idle = cg
                .pel
                .get(&id)
                .map_or(0, |n| now.wrapping_sub(n.delivery_time));
            if a.min_idle != 0 && idle < a.min_idle {
                continue;
            }
            fx.touch_consumer(cg, consumer, now);
            let nack = cg.assign(id, consumer);
            nack.delivery_time = now;
            if !a.justid {
                nack.delivery_count = nack.delivery_count.wrapping_add(1);
            }
            let nack = nack.clone();
            if a.justid {
                r.bulk(&id.to_bytes());
            } else {
                emit_entry(r, s, id);
            }
            claimed += 1;
            count -= 1;
            fx.props
                .push(xclaim_argv(key, group, &id.to_bytes(), &nack, cg.last_id));
            fx.dirty += 1;
        }
        let next = if eof {
            None
        } else {
            pos.and_then(|p| cg.pel.range(p..).next().map(|(id, _)| *id))
        };
        r.set_deferred_array(list_at, claimed);
        let mut cursor = crate::resp::Reply::new(r.resp);
        cursor.bulk(&next.unwrap_or(StreamId::MIN).to_bytes());
        r.buf.splice(cursor_at..cursor_at, cursor.buf);
        r.array(deleted.len());
        for id in &deleted {
            r.bulk(&id.to_bytes());
        }
    });
    fx.apply(ctx, key, group);
    ctx.prevent_propagation();
    Ok(())
}

/// `XGROUP SETID key group <last_id> ENTRIESREAD <n>` (`streamPropagateGroupID`).
pub fn setid_argv(key: &[u8], group: &[u8], cg: &ConsumerGroup) -> Vec<Vec<u8>> {
    crate::propagate::argv(&[
        b"XGROUP",
        b"SETID",
        key,
        group,
        &cg.last_id.to_bytes(),
        b"ENTRIESREAD",
        cg.entries_read.to_string().as_bytes(),
    ])
}
