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
    let req = ClaimReq {
        opts: parse_claim_opts(ctx, j, now)?,
        ids,
        min_idle,
        now,
    };
    let mut fx = Effects::default();
    let argv = ctx.argv;
    let Some(s) = stream_at(ctx.srv, db, key, false)? else {
        return Ok(());
    };
    let r = &mut ctx.client.reply;
    with_group(s, group, |s, cg| claim_all(s, cg, &req, argv, r, &mut fx));
    fx.apply(ctx, key);
    ctx.prevent_propagation();
    Ok(())
}

/// A parsed XCLAIM: the IDs with their argument index, and the options.
struct ClaimReq {
    opts: ClaimOpts,
    ids: Vec<(StreamId, usize)>,
    min_idle: i64,
    now: i64,
}

/// XCLAIM's work on the group: LASTID, each ID, the reply, what to propagate.
fn claim_all(
    s: &Stream,
    cg: &mut ConsumerGroup,
    req: &ClaimReq,
    argv: &[Vec<u8>],
    r: &mut crate::resp::Reply,
    fx: &mut Effects,
) {
    let (key, group) = (&argv[1][..], &argv[2][..]);
    let mut propagate_last_id = false;
    if let Some(l) = req.opts.last_id {
        // Applied once every option parsed, before the claims.
        if l > cg.last_id {
            cg.last_id = l;
            propagate_last_id = true;
        }
    }
    let at = r.defer_len();
    let mut n = 0;
    for &(id, arg) in &req.ids {
        let nack = match claim_one(s, cg, id, req, &argv[3], fx) {
            Claim::Skipped => continue,
            // The entry is gone from the stream: its NACK was dropped.
            Claim::Dropped(nack) => nack,
            Claim::Claimed(nack) => {
                if req.opts.justid {
                    r.bulk(&id.to_bytes());
                } else if !emit_entry(r, s, id) {
                    r.null();
                }
                n += 1;
                nack
            }
        };
        fx.props
            .push(xclaim_argv(key, group, &argv[arg], &nack, cg.last_id));
        fx.dirty += 1;
        propagate_last_id = false;
    }
    r.set_deferred_array(at, n);
    if propagate_last_id {
        fx.props.push(setid_argv(key, group, cg));
        fx.dirty += 1;
    }
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
fn claim_one(
    s: &Stream,
    cg: &mut ConsumerGroup,
    id: StreamId,
    req: &ClaimReq,
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
    let (o, now) = (&req.opts, req.now);
    let existed = match cg.pel.get(&id) {
        Some(nack) if req.min_idle != 0 && now.wrapping_sub(nack.delivery_time) < req.min_idle => {
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
    let mut fx = Effects::default();
    let argv = ctx.argv;
    let Some(s) = stream_at(ctx.srv, db, key, false)? else {
        return Ok(());
    };
    let r = &mut ctx.client.reply;
    with_group(s, group, |s, cg| {
        r.array(3);
        let at = r.defer_len();
        let (claimed, next) = autoclaim_scan(s, cg, &a, argv, now, r, &mut fx, &mut deleted);
        r.set_deferred_array(at, claimed);
        // The cursor goes first but is known last.
        let mut cursor = crate::resp::Reply::new(r.resp);
        cursor.bulk(&next.unwrap_or(StreamId::MIN).to_bytes());
        r.insert(at, &cursor.to_vec());
        r.array(deleted.len());
        for id in &deleted {
            r.bulk(&id.to_bytes());
        }
    });
    fx.apply(ctx, key);
    ctx.prevent_propagation();
    Ok(())
}

/// Walks the group PEL from `a.start` for at most `count * 10` entries,
/// claiming idle ones for argv[3] and dropping deleted ones (both use up
/// COUNT). Returns how many were claimed and the next cursor (None at the end).
#[allow(clippy::too_many_arguments)]
fn autoclaim_scan(
    s: &Stream,
    cg: &mut ConsumerGroup,
    a: &AutoArgs,
    argv: &[Vec<u8>],
    now: i64,
    r: &mut crate::resp::Reply,
    fx: &mut Effects,
    deleted: &mut Vec<StreamId>,
) -> (usize, Option<StreamId>) {
    let (key, group, consumer) = (&argv[1][..], &argv[2][..], &argv[3][..]);
    let (mut claimed, mut count, mut attempts) = (0, a.count, a.count * 10);
    let mut pos = Some(a.start);
    let next_at = |cg: &ConsumerGroup, pos: Option<StreamId>| {
        pos.and_then(|p| cg.pel.range(p..).next().map(|(id, _)| *id))
    };
    while attempts > 0 && count > 0 {
        attempts -= 1;
        let Some(id) = next_at(cg, pos) else {
            return (claimed, None);
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
    (claimed, next_at(cg, pos))
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
