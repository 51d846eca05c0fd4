//! XRANGE, XREVRANGE and XLEN (Redis t_stream.c `xrangeGenericCommand`,
//! `xlenCommand`).

use super::commands::{get_stream, reply_range};
use super::id::parse_interval;
use crate::cmd::Ctx;
use crate::error::{CmdError, SYNTAX};

/// XRANGE key start end [COUNT count] / XREVRANGE key end start [COUNT count]
fn xrange_generic(ctx: &mut Ctx, rev: bool) -> Result<(), CmdError> {
    let (start_arg, end_arg) = if rev { (3, 2) } else { (2, 3) };
    let (mut start, start_ex) = parse_interval(ctx.arg(start_arg), 0)?;
    if start_ex {
        start = start
            .incr()
            .ok_or_else(|| CmdError::err("invalid start ID for the interval"))?;
    }
    let (mut end, end_ex) = parse_interval(ctx.arg(end_arg), u64::MAX)?;
    if end_ex {
        end = end
            .decr()
            .ok_or_else(|| CmdError::err("invalid end ID for the interval"))?;
    }
    let mut count: i64 = -1;
    let mut j = 4;
    while j < ctx.argc() {
        if ctx.arg_is(j, "count") && j + 1 < ctx.argc() {
            count = ctx.arg_i64(j + 1)?.max(0);
            j += 2;
        } else {
            return Err(SYNTAX);
        }
    }
    let db = ctx.client.db;
    let Some(s) = get_stream(ctx.srv, db, ctx.arg(1), false)? else {
        ctx.reply().array(0);
        return Ok(());
    };
    if count == 0 {
        ctx.client.reply.null_array();
        return Ok(());
    }
    let count = if count < 0 { 0 } else { count as usize };
    reply_range(&mut ctx.client.reply, s, start, end, count, rev);
    Ok(())
}

pub fn xrange_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    xrange_generic(ctx, false)
}

pub fn xrevrange_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    xrange_generic(ctx, true)
}

/// XLEN key
pub fn xlen_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let db = ctx.client.db;
    let n = get_stream(ctx.srv, db, ctx.arg(1), false)?.map_or(0, |s| s.len());
    ctx.reply().int(n as i64);
    Ok(())
}
