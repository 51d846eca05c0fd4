//! XPENDING (Redis t_stream.c `xpendingCommand`): the summary form and the
//! extended form with IDLE, a range, a count and a consumer filter.

use super::cgroup::ConsumerGroup;
use super::group_cmds::{no_key_or_group, stream_at};
use super::id;
use super::StreamId;
use crate::cmd::Ctx;
use crate::error::{CmdError, SYNTAX};

/// The extended form's arguments.
struct Extended {
    min_idle: i64,
    start: StreamId,
    end: StreamId,
    count: i64,
    consumer: Option<Vec<u8>>,
}

/// Parses `[IDLE min-idle] start end count [consumer]` (argv[3..]).
fn parse_extended(ctx: &Ctx) -> Result<Extended, CmdError> {
    let mut at = 3;
    let mut min_idle = 0;
    if ctx.arg_is(3, "idle") {
        min_idle = ctx.arg_i64(4)?;
        if ctx.argc() < 8 {
            return Err(SYNTAX);
        }
        at += 2;
    }
    let count = ctx.arg_i64(at + 2)?.max(0);
    let (mut start, start_ex) = id::parse_interval(ctx.arg(at), 0)?;
    if start_ex {
        start = start
            .incr()
            .ok_or_else(|| CmdError::err("invalid start ID for the interval"))?;
    }
    let (mut end, end_ex) = id::parse_interval(ctx.arg(at + 1), u64::MAX)?;
    if end_ex {
        end = end
            .decr()
            .ok_or_else(|| CmdError::err("invalid end ID for the interval"))?;
    }
    let consumer = (at + 3 < ctx.argc()).then(|| ctx.argv[at + 3].clone());
    Ok(Extended {
        min_idle,
        start,
        end,
        count,
        consumer,
    })
}

/// XPENDING key group [[IDLE min-idle] start end count [consumer]]
pub fn xpending_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let argc = ctx.argc();
    if argc != 3 && !(6..=9).contains(&argc) {
        return Err(SYNTAX);
    }
    let ext = if argc >= 6 {
        Some(parse_extended(ctx)?)
    } else {
        None
    };
    let (db, key, group) = (
        ctx.client.db,
        ctx.argv[1].as_slice(),
        ctx.argv[2].as_slice(),
    );
    let now = ctx.srv.time.mstime;
    let s = stream_at(ctx.srv, db, key, false)?;
    let Some(cg) = s.and_then(|s| s.cgroups.get(group)) else {
        return Err(no_key_or_group(key, group, ""));
    };
    match ext {
        None => reply_summary(&mut ctx.client.reply, cg),
        Some(e) => reply_extended(&mut ctx.client.reply, cg, &e, now),
    }
    Ok(())
}

fn reply_summary(r: &mut crate::resp::Reply, cg: &ConsumerGroup) {
    r.array(4);
    r.int(cg.pel.len() as i64);
    let (Some((first, _)), Some((last, _))) = (cg.pel.first_key_value(), cg.pel.last_key_value())
    else {
        r.null();
        r.null();
        r.null_array();
        return;
    };
    r.bulk(&first.to_bytes());
    r.bulk(&last.to_bytes());
    let owners: Vec<_> = cg
        .consumers
        .iter()
        .filter(|(_, c)| !c.pel.is_empty())
        .collect();
    r.array(owners.len());
    for (name, c) in owners {
        r.array(2);
        r.bulk(name);
        r.bulk_i64(c.pel.len() as i64);
    }
}

fn reply_extended(r: &mut crate::resp::Reply, cg: &ConsumerGroup, e: &Extended, now: i64) {
    let ids: Box<dyn Iterator<Item = &StreamId>> = match &e.consumer {
        Some(name) => match cg.consumers.get(name) {
            Some(c) => Box::new(c.pel.range(e.start..)),
            None => {
                r.array(0);
                return;
            }
        },
        None => Box::new(cg.pel.range(e.start..).map(|(id, _)| id)),
    };
    let at = r.defer_len();
    let mut n = 0;
    let mut left = e.count;
    for id in ids {
        if left == 0 || *id > e.end {
            break;
        }
        let Some(nack) = cg.pel.get(id) else {
            continue;
        };
        let idle = now.wrapping_sub(nack.delivery_time);
        if e.min_idle != 0 && idle < e.min_idle {
            continue;
        }
        n += 1;
        left -= 1;
        r.array(4);
        r.bulk(&id.to_bytes());
        r.bulk(&nack.consumer);
        r.int(idle.max(0));
        r.int(nack.delivery_count as i64);
    }
    r.set_deferred_array(at, n);
}
