//! Expire commands (Redis expire.c): EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT
//! with NX/XX/GT/LT, TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST.

use super::db::lookup;
use super::notify;
use crate::cmd::{CommandImpl, Ctx};
use crate::error::CmdError;

pub const COMMANDS: &[CommandImpl] = &[
    CommandImpl {
        name: "expire",
        handler: expire_command,
    },
    CommandImpl {
        name: "pexpire",
        handler: pexpire_command,
    },
    CommandImpl {
        name: "expireat",
        handler: expireat_command,
    },
    CommandImpl {
        name: "pexpireat",
        handler: pexpireat_command,
    },
    CommandImpl {
        name: "ttl",
        handler: ttl_command,
    },
    CommandImpl {
        name: "pttl",
        handler: pttl_command,
    },
    CommandImpl {
        name: "expiretime",
        handler: expiretime_command,
    },
    CommandImpl {
        name: "pexpiretime",
        handler: pexpiretime_command,
    },
    CommandImpl {
        name: "persist",
        handler: persist_command,
    },
];

const NX: u32 = 1;
const XX: u32 = 2;
const GT: u32 = 4;
const LT: u32 = 8;

/// `parseExtendedExpireArgumentsOrReply`.
fn parse_flags(ctx: &Ctx) -> Result<u32, CmdError> {
    let mut flags = 0;
    for j in 3..ctx.argc() {
        let f = [("nx", NX), ("xx", XX), ("gt", GT), ("lt", LT)]
            .into_iter()
            .find(|(w, _)| ctx.arg_is(j, w))
            .map(|(_, f)| f);
        match f {
            Some(f) => flags |= f,
            None => {
                return Err(CmdError::err(format!(
                    "Unsupported option {}",
                    crate::error::lossy_prefix(ctx.arg(j), usize::MAX)
                )))
            }
        }
    }
    if flags & NX != 0 && flags & (XX | GT | LT) != 0 {
        return Err(CmdError::err(
            "NX and XX, GT or LT options at the same time are not compatible",
        ));
    }
    if flags & GT != 0 && flags & LT != 0 {
        return Err(CmdError::err(
            "GT and LT options at the same time are not compatible",
        ));
    }
    Ok(flags)
}

/// True when the NX/XX/GT/LT conditions refuse the new expire time.
fn refused(flags: u32, when: i64, current: i64) -> bool {
    (flags & NX != 0 && current != -1)
        || (flags & XX != 0 && current == -1)
        || (flags & GT != 0 && (when <= current || current == -1))
        || (flags & LT != 0 && current != -1 && when >= current)
}

/// `expireGenericCommand`: `base` is now for relative forms, 0 for absolute ones.
fn expire_generic(ctx: &mut Ctx, relative: bool, seconds: bool) -> Result<(), CmdError> {
    let flags = parse_flags(ctx)?;
    let mut when = ctx.arg_i64(2)?;
    let bad_time = || crate::types::string::commands::invalid_expire(ctx);
    if seconds {
        when = when.checked_mul(1000).ok_or_else(bad_time)?;
    }
    let base = if relative { ctx.srv.time.mstime } else { 0 };
    if when > i64::MAX - base {
        return Err(bad_time());
    }
    when += base;
    let key = ctx.arg(1);
    let db = ctx.client.db;
    if ctx.srv.lookup_write(db, key).is_none() {
        ctx.client.reply.int(0);
        return Ok(());
    }
    if flags != 0 && refused(flags, when, ctx.srv.get_expire(db, key)) {
        ctx.client.reply.int(0);
        return Ok(());
    }
    let srv = &mut *ctx.srv;
    if srv.check_already_expired(when) {
        let lazy = srv.config.lazyfree_lazy_expire;
        srv.db_generic_delete(db, key, lazy);
        srv.status.persistence.dirty += 1;
        srv.signal_modified_key(db, key);
        srv.notify(notify::GENERIC, "del", key, db);
        let cmd: &[u8] = if lazy { b"UNLINK" } else { b"DEL" };
        ctx.propagate_replace(crate::propagate::argv(&[cmd, key]));
    } else {
        srv.set_expire(db, key, when);
        srv.signal_modified_key(db, key);
        srv.notify(notify::GENERIC, "expire", key, db);
        srv.status.persistence.dirty += 1;
        // Replicas and the AOF get an absolute time.
        let ms = when.to_string();
        ctx.propagate_replace(crate::propagate::argv(&[b"PEXPIREAT", key, ms.as_bytes()]));
    }
    ctx.client.reply.int(1);
    Ok(())
}

/// EXPIRE key seconds [NX|XX|GT|LT]
fn expire_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    expire_generic(ctx, true, true)
}

/// PEXPIRE key milliseconds [NX|XX|GT|LT]
fn pexpire_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    expire_generic(ctx, true, false)
}

/// EXPIREAT key unix-time-seconds [NX|XX|GT|LT]
fn expireat_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    expire_generic(ctx, false, true)
}

/// PEXPIREAT key unix-time-milliseconds [NX|XX|GT|LT]
fn pexpireat_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    expire_generic(ctx, false, false)
}

/// `ttlGenericCommand`: -2 for no key, -1 for no TTL.
fn ttl_generic(ctx: &mut Ctx, ms: bool, absolute: bool) -> Result<(), CmdError> {
    let key = ctx.arg(1);
    let db = ctx.client.db;
    if ctx.srv.lookup_key(db, key, lookup::NOTOUCH).is_none() {
        ctx.client.reply.int(-2);
        return Ok(());
    }
    let expire = ctx.srv.get_expire(db, key);
    if expire == -1 {
        ctx.client.reply.int(-1);
        return Ok(());
    }
    let ttl = if absolute {
        expire
    } else {
        expire - ctx.srv.time.mstime
    }
    .max(0);
    // Rounded in a wider type: an expire near i64::MAX gives Redis's
    // positive answer instead of overflowing (or panicking in debug).
    let secs = ((ttl as i128 + 500) / 1000) as i64;
    ctx.client.reply.int(if ms { ttl } else { secs });
    Ok(())
}

/// TTL key
fn ttl_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    ttl_generic(ctx, false, false)
}

/// PTTL key
fn pttl_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    ttl_generic(ctx, true, false)
}

/// EXPIRETIME key
fn expiretime_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    ttl_generic(ctx, false, true)
}

/// PEXPIRETIME key
fn pexpiretime_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    ttl_generic(ctx, true, true)
}

/// PERSIST key
fn persist_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let key = ctx.arg(1);
    let db = ctx.client.db;
    let done = ctx.srv.lookup_write(db, key).is_some() && ctx.srv.remove_expire(db, key);
    if done {
        ctx.srv.signal_modified_key(db, key);
        ctx.srv.notify(notify::GENERIC, "persist", key, db);
        ctx.srv.status.persistence.dirty += 1;
    }
    ctx.client.reply.int(done as i64);
    Ok(())
}
