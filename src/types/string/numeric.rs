//! String counters (Redis t_string.c): INCR, DECR, INCRBY, DECRBY, INCRBYFLOAT.

use crate::cmd::{CommandImpl, Ctx};
use crate::error::{CmdError, OVERFLOW, WRONGTYPE};
use crate::keyspace::notify;
use crate::types::Value;
use crate::util::ld;

pub const COMMANDS: &[CommandImpl] = &[
    CommandImpl {
        name: "incr",
        handler: incr_command,
    },
    CommandImpl {
        name: "decr",
        handler: decr_command,
    },
    CommandImpl {
        name: "incrby",
        handler: incrby_command,
    },
    CommandImpl {
        name: "decrby",
        handler: decrby_command,
    },
    CommandImpl {
        name: "incrbyfloat",
        handler: incrbyfloat_command,
    },
];

/// `incrDecrCommand`.
fn incr_decr(ctx: &mut Ctx, incr: i64) -> Result<(), CmdError> {
    let key = ctx.arg(1);
    let db = ctx.client.db;
    let (old, exists) = match ctx.srv.lookup_write(db, key) {
        None => (0, false),
        Some(v) if !v.is_string() => return Err(WRONGTYPE),
        Some(v) => (v.str_to_i64()?, true),
    };
    let value = old.checked_add(incr).ok_or(OVERFLOW)?;
    let share = ctx.srv.share_integers();
    let new = Value::from_i64(value, share);
    if exists {
        ctx.srv.db_overwrite(db, key, new);
    } else {
        ctx.srv.db_add(db, key, new);
    }
    ctx.srv.signal_modified_key(db, key);
    ctx.srv.notify(notify::STRING, "incrby", key, db);
    ctx.srv.status.persistence.dirty += 1;
    ctx.client.reply.int(value);
    Ok(())
}

/// INCR key
fn incr_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    incr_decr(ctx, 1)
}

/// DECR key
fn decr_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    incr_decr(ctx, -1)
}

/// INCRBY key increment
fn incrby_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let incr = ctx.arg_i64(2)?;
    incr_decr(ctx, incr)
}

/// DECRBY key decrement
fn decrby_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let incr = ctx.arg_i64(2)?;
    if incr == i64::MIN {
        return Err(CmdError::err("decrement would overflow"));
    }
    incr_decr(ctx, -incr)
}

/// INCRBYFLOAT key increment: long double arithmetic, stored as "%.17Lf".
fn incrbyfloat_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let (key, incr) = (ctx.arg(1), ctx.arg(2));
    let db = ctx.client.db;
    let (sum, exists) = match ctx.srv.lookup_write(db, key) {
        None => (ld::add(b"0", incr), false),
        Some(v) if !v.is_string() => return Err(WRONGTYPE),
        Some(v) => {
            let mut t = [0u8; 20];
            (ld::add(v.str_bytes(&mut t), incr), true)
        }
    };
    let sum = sum.map_err(|e| e.to_cmd_error())?;
    let new = Value::str_emb(&sum);
    if exists {
        ctx.srv.db_overwrite(db, key, new);
    } else {
        ctx.srv.db_add(db, key, new);
    }
    ctx.srv.signal_modified_key(db, key);
    ctx.srv.notify(notify::STRING, "incrbyfloat", key, db);
    ctx.srv.status.persistence.dirty += 1;
    // Replicas and the AOF must not redo the float arithmetic.
    ctx.propagate_replace(crate::propagate::argv(&[b"SET", key, &sum, b"KEEPTTL"]));
    ctx.client.reply.bulk(&sum);
    Ok(())
}
