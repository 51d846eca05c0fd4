//! String commands (Redis t_string.c): GET, SET and its variants, GETEX,
//! GETDEL, GETSET, MGET, MSET, MSETNX, APPEND, STRLEN, GETRANGE, SETRANGE.
//! Counters are in `numeric.rs`, LCS in `lcs.rs`.

use super::check_string_length;
use crate::cmd::{CommandImpl, Ctx};
use crate::error::{CmdError, SYNTAX, WRONGTYPE};
use crate::keyspace::notify;
use crate::propagate;
use crate::types::Value;
use crate::util::num::string2ll;

pub const COMMANDS: &[CommandImpl] = &[
    CommandImpl {
        name: "get",
        handler: get_command,
    },
    CommandImpl {
        name: "set",
        handler: set_command,
    },
    CommandImpl {
        name: "setnx",
        handler: setnx_command,
    },
    CommandImpl {
        name: "setex",
        handler: setex_command,
    },
    CommandImpl {
        name: "psetex",
        handler: psetex_command,
    },
    CommandImpl {
        name: "getex",
        handler: getex_command,
    },
    CommandImpl {
        name: "getdel",
        handler: getdel_command,
    },
    CommandImpl {
        name: "getset",
        handler: getset_command,
    },
    CommandImpl {
        name: "mget",
        handler: mget_command,
    },
    CommandImpl {
        name: "mset",
        handler: mset_command,
    },
    CommandImpl {
        name: "msetnx",
        handler: msetnx_command,
    },
    CommandImpl {
        name: "append",
        handler: append_command,
    },
    CommandImpl {
        name: "strlen",
        handler: strlen_command,
    },
    CommandImpl {
        name: "getrange",
        handler: getrange_command,
    },
    CommandImpl {
        name: "substr",
        handler: getrange_command,
    },
    CommandImpl {
        name: "setrange",
        handler: setrange_command,
    },
];

/// SET/GETEX option flags (Redis OBJ_SET_* / OBJ_*).
mod opt {
    pub const NX: u32 = 1 << 0;
    pub const XX: u32 = 1 << 1;
    pub const EX: u32 = 1 << 2;
    pub const PX: u32 = 1 << 3;
    pub const KEEPTTL: u32 = 1 << 4;
    pub const GET: u32 = 1 << 5;
    pub const EXAT: u32 = 1 << 6;
    pub const PXAT: u32 = 1 << 7;
    pub const PERSIST: u32 = 1 << 8;
    pub const ANY_EXPIRE: u32 = EX | PX | EXAT | PXAT;
}

/// Which command's options are being parsed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Family {
    Set,
    Get,
}

/// Parsed SET/GETEX options: flags and the expire argument with its unit.
struct SetOpts<'a> {
    flags: u32,
    expire: Option<&'a [u8]>,
    seconds: bool,
}

/// `parseExtendedStringArgumentsOrReply`.
fn parse_set_opts<'a>(
    argv: &'a [Vec<u8>],
    from: usize,
    fam: Family,
) -> Result<SetOpts<'a>, CmdError> {
    let mut o = SetOpts {
        flags: 0,
        expire: None,
        seconds: false,
    };
    let mut j = from;
    while j < argv.len() {
        let a = argv[j].as_slice();
        let next = argv.get(j + 1).map(|v| v.as_slice());
        let is = |w: &str| a.eq_ignore_ascii_case(w.as_bytes());
        let f = o.flags;
        if is("nx") && f & opt::XX == 0 && fam == Family::Set {
            o.flags |= opt::NX;
        } else if is("xx") && f & opt::NX == 0 && fam == Family::Set {
            o.flags |= opt::XX;
        } else if is("get") && fam == Family::Set {
            o.flags |= opt::GET;
        } else if is("keepttl") && f & (opt::PERSIST | opt::ANY_EXPIRE) == 0 && fam == Family::Set {
            o.flags |= opt::KEEPTTL;
        } else if is("persist") && fam == Family::Get && f & (opt::ANY_EXPIRE | opt::KEEPTTL) == 0 {
            o.flags |= opt::PERSIST;
        } else if let (Some(unit), Some(n)) = (expire_unit(a), next) {
            // Each unit excludes the others but may repeat (the last one wins).
            if f & (opt::KEEPTTL | opt::PERSIST | (opt::ANY_EXPIRE & !unit)) != 0 {
                return Err(SYNTAX);
            }
            o.flags |= unit;
            o.seconds = unit == opt::EX || unit == opt::EXAT;
            o.expire = Some(n);
            j += 1;
        } else {
            return Err(SYNTAX);
        }
        j += 1;
    }
    Ok(o)
}

fn expire_unit(a: &[u8]) -> Option<u32> {
    [
        ("ex", opt::EX),
        ("px", opt::PX),
        ("exat", opt::EXAT),
        ("pxat", opt::PXAT),
    ]
    .into_iter()
    .find(|(w, _)| a.eq_ignore_ascii_case(w.as_bytes()))
    .map(|(_, f)| f)
}

/// "invalid expire time in 'set' command" (`addReplyErrorExpireTime`).
pub fn invalid_expire(ctx: &Ctx) -> CmdError {
    CmdError::err(format!(
        "invalid expire time in '{}' command",
        ctx.fullname()
    ))
}

/// The absolute expire time in ms of a SET/GETEX option (`getExpireMillisecondsOrReply`).
fn expire_ms(ctx: &Ctx, o: &SetOpts) -> Result<i64, CmdError> {
    let Some(arg) = o.expire else {
        return Ok(0);
    };
    let mut ms = string2ll(arg).ok_or(crate::error::NOT_INTEGER)?;
    if ms <= 0 || (o.seconds && ms > i64::MAX / 1000) {
        return Err(invalid_expire(ctx));
    }
    if o.seconds {
        ms *= 1000;
    }
    if o.flags & (opt::EX | opt::PX) != 0 {
        ms = ms.wrapping_add(ctx.srv.time.mstime);
    }
    if ms <= 0 {
        return Err(invalid_expire(ctx));
    }
    Ok(ms)
}

/// Replies with the string at `key`, or null (`getGenericCommand`). Errors on
/// a wrong type.
fn get_generic(ctx: &mut Ctx, key: &[u8]) -> Result<(), CmdError> {
    let db = ctx.client.db;
    match ctx.srv.lookup_read(db, key) {
        None => ctx.client.reply.null(),
        Some(v) if !v.is_string() => return Err(WRONGTYPE),
        Some(v) => {
            let mut t = [0u8; 20];
            ctx.client.reply.bulk(v.str_bytes(&mut t));
        }
    }
    Ok(())
}

/// GET key
fn get_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    get_generic(ctx, ctx.arg(1))
}

/// What SET replies when it sets or aborts.
#[derive(Clone, Copy)]
enum SetReply {
    OkOrNull,
    OneOrZero,
}

/// `setGenericCommand`.
fn set_generic(
    ctx: &mut Ctx,
    o: &SetOpts,
    key: &[u8],
    val_arg: usize,
    reply: SetReply,
) -> Result<(), CmdError> {
    let val = ctx.arg(val_arg);
    let when = expire_ms(ctx, o)?;
    if o.flags & opt::GET != 0 {
        get_generic(ctx, key)?;
    }
    let db = ctx.client.db;
    let found = ctx.srv.lookup_write(db, key).is_some();
    if (o.flags & opt::NX != 0 && found) || (o.flags & opt::XX != 0 && !found) {
        if o.flags & opt::GET == 0 {
            match reply {
                SetReply::OkOrNull => ctx.client.reply.null(),
                SetReply::OneOrZero => ctx.client.reply.int(0),
            }
        }
        return Ok(());
    }
    let keep_ttl = o.flags & opt::KEEPTTL != 0;
    // A big value is the argument itself, moved in after the call.
    let value = ctx.string_value_of_arg(val_arg, db, key);
    ctx.srv.set_key(db, key, value, keep_ttl);
    ctx.srv.status.persistence.dirty += 1;
    ctx.srv.notify(notify::STRING, "set", key, db);
    if o.expire.is_some() {
        ctx.srv.set_expire(db, key, when);
        ctx.srv.notify(notify::GENERIC, "expire", key, db);
        // Replicas and the AOF get an absolute time (SET key value PXAT ms).
        let ms = when.to_string();
        ctx.propagate_replace(propagate::argv(&[b"SET", key, val, b"PXAT", ms.as_bytes()]));
    }
    if o.flags & opt::GET == 0 {
        match reply {
            SetReply::OkOrNull => ctx.client.reply.ok(),
            SetReply::OneOrZero => ctx.client.reply.int(1),
        }
    }
    Ok(())
}

/// SET key value [NX|XX] [GET] [EX s|PX ms|EXAT ts|PXAT ms-ts|KEEPTTL]
fn set_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let o = parse_set_opts(ctx.argv, 3, Family::Set)?;
    set_generic(ctx, &o, ctx.arg(1), 2, SetReply::OkOrNull)
}

/// SETNX key value
fn setnx_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let o = SetOpts {
        flags: opt::NX,
        expire: None,
        seconds: false,
    };
    set_generic(ctx, &o, ctx.arg(1), 2, SetReply::OneOrZero)
}

/// SETEX key seconds value
fn setex_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let o = SetOpts {
        flags: opt::EX,
        expire: Some(ctx.arg(2)),
        seconds: true,
    };
    set_generic(ctx, &o, ctx.arg(1), 3, SetReply::OkOrNull)
}

/// PSETEX key milliseconds value
fn psetex_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let o = SetOpts {
        flags: opt::PX,
        expire: Some(ctx.arg(2)),
        seconds: false,
    };
    set_generic(ctx, &o, ctx.arg(1), 3, SetReply::OkOrNull)
}

/// GETEX key [EX s|PX ms|EXAT ts|PXAT ms-ts|PERSIST]
fn getex_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let o = parse_set_opts(ctx.argv, 2, Family::Get)?;
    let key = ctx.arg(1);
    let db = ctx.client.db;
    let Some(v) = ctx.srv.lookup_read(db, key) else {
        ctx.client.reply.null();
        return Ok(());
    };
    if !v.is_string() {
        return Err(WRONGTYPE);
    }
    let when = expire_ms(ctx, &o)?;
    let srv = &mut *ctx.srv;
    if let Some(v) = srv.dbs[db].dict.get(key) {
        let mut t = [0u8; 20];
        ctx.client.reply.bulk(v.str_bytes(&mut t));
    }
    // Propagated as DEL/UNLINK, PEXPIREAT or PERSIST (never GETEX).
    let prop: Vec<Vec<u8>>;
    if o.flags & (opt::EXAT | opt::PXAT) != 0 && srv.check_already_expired(when) {
        let lazy = srv.config.lazyfree_lazy_expire;
        srv.db_generic_delete(db, key, lazy);
        srv.signal_modified_key(db, key);
        srv.notify(notify::GENERIC, "del", key, db);
        srv.status.persistence.dirty += 1;
        let cmd: &[u8] = if lazy { b"UNLINK" } else { b"DEL" };
        prop = propagate::argv(&[cmd, key]);
    } else if o.expire.is_some() {
        srv.set_expire(db, key, when);
        srv.signal_modified_key(db, key);
        srv.notify(notify::GENERIC, "expire", key, db);
        srv.status.persistence.dirty += 1;
        prop = propagate::argv(&[b"PEXPIREAT", key, when.to_string().as_bytes()]);
    } else if o.flags & opt::PERSIST != 0 && srv.remove_expire(db, key) {
        srv.signal_modified_key(db, key);
        srv.notify(notify::GENERIC, "persist", key, db);
        srv.status.persistence.dirty += 1;
        prop = propagate::argv(&[b"PERSIST", key]);
    } else {
        return Ok(());
    }
    ctx.propagate_replace(prop);
    Ok(())
}

/// GETDEL key
fn getdel_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let key = ctx.arg(1);
    get_generic(ctx, key)?;
    let db = ctx.client.db;
    let lazy = ctx.srv.config.lazyfree_lazy_user_del;
    if ctx.srv.db_generic_delete(db, key, lazy) {
        ctx.srv.signal_modified_key(db, key);
        ctx.srv.notify(notify::GENERIC, "del", key, db);
        ctx.srv.status.persistence.dirty += 1;
        ctx.propagate_replace(propagate::argv(&[b"DEL", key]));
    }
    Ok(())
}

/// GETSET key value
fn getset_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let key = ctx.arg(1);
    get_generic(ctx, key)?;
    let db = ctx.client.db;
    let share = ctx.srv.share_integers();
    ctx.srv
        .set_key(db, key, Value::str_encoded(ctx.arg(2), share), false);
    ctx.srv.notify(notify::STRING, "set", key, db);
    ctx.srv.status.persistence.dirty += 1;
    // Propagated as SET (Redis rewrites argv[0]).
    ctx.propagate_replace(propagate::argv(&[b"SET", key, ctx.arg(2)]));
    Ok(())
}

/// MGET key [key ...]
fn mget_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let db = ctx.client.db;
    ctx.client.reply.array(ctx.argc() - 1);
    for key in &ctx.argv[1..] {
        match ctx.srv.lookup_read(db, key) {
            Some(v) if v.is_string() => {
                let mut t = [0u8; 20];
                ctx.client.reply.bulk(v.str_bytes(&mut t));
            }
            _ => ctx.client.reply.null(),
        }
    }
    Ok(())
}

/// `msetGenericCommand`.
fn mset_generic(ctx: &mut Ctx, nx: bool) -> Result<(), CmdError> {
    if ctx.argc().is_multiple_of(2) {
        return Err(ctx.wrong_args());
    }
    let db = ctx.client.db;
    if nx {
        for key in ctx.argv[1..].iter().step_by(2) {
            if ctx.srv.lookup_write(db, key).is_some() {
                ctx.client.reply.int(0);
                return Ok(());
            }
        }
    }
    let share = ctx.srv.share_integers();
    for pair in ctx.argv[1..].chunks(2) {
        ctx.srv
            .set_key(db, &pair[0], Value::str_encoded(&pair[1], share), false);
        ctx.srv.notify(notify::STRING, "set", &pair[0], db);
    }
    ctx.srv.status.persistence.dirty += (ctx.argc() as u64 - 1) / 2;
    if nx {
        ctx.client.reply.int(1);
    } else {
        ctx.client.reply.ok();
    }
    Ok(())
}

/// MSET key value [key value ...]
fn mset_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    mset_generic(ctx, false)
}

/// MSETNX key value [key value ...]
fn msetnx_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    mset_generic(ctx, true)
}

/// APPEND key value
fn append_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let (key, add) = (ctx.arg(1), ctx.arg(2));
    let db = ctx.client.db;
    let limit = ctx.srv.config.proto_max_bulk_len;
    let total = match ctx.srv.lookup_write(db, key) {
        None => {
            let share = ctx.srv.share_integers();
            ctx.srv.db_add(db, key, Value::str_encoded(add, share));
            add.len()
        }
        Some(v) => {
            if !v.is_string() {
                return Err(WRONGTYPE);
            }
            check_string_length(v.str_len() as u64 + add.len() as u64, limit)?;
            let buf = v.str_make_raw();
            buf.extend_from_slice(add);
            buf.len()
        }
    };
    ctx.srv.signal_modified_key(db, key);
    ctx.srv.notify(notify::STRING, "append", key, db);
    ctx.srv.status.persistence.dirty += 1;
    ctx.client.reply.int(total as i64);
    Ok(())
}

/// STRLEN key
fn strlen_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let db = ctx.client.db;
    let n = match ctx.srv.lookup_read(db, ctx.arg(1)) {
        None => 0,
        Some(v) if !v.is_string() => return Err(WRONGTYPE),
        Some(v) => v.str_len(),
    };
    ctx.client.reply.int(n as i64);
    Ok(())
}

/// GETRANGE key start end (and SUBSTR)
fn getrange_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let mut start = ctx.arg_i64(2)?;
    let mut end = ctx.arg_i64(3)?;
    let db = ctx.client.db;
    let Some(v) = ctx.srv.lookup_read(db, ctx.arg(1)) else {
        ctx.client.reply.bulk(b"");
        return Ok(());
    };
    if !v.is_string() {
        return Err(WRONGTYPE);
    }
    let mut t = [0u8; 20];
    let s = v.str_bytes(&mut t);
    let len = s.len() as i64;
    if start < 0 && end < 0 && start > end {
        ctx.client.reply.bulk(b"");
        return Ok(());
    }
    if start < 0 {
        start += len;
    }
    if end < 0 {
        end += len;
    }
    start = start.max(0);
    end = end.max(0);
    if end >= len {
        end = len - 1;
    }
    if start > end || len == 0 {
        ctx.client.reply.bulk(b"");
    } else {
        ctx.client.reply.bulk(&s[start as usize..=end as usize]);
    }
    Ok(())
}

/// SETRANGE key offset value
fn setrange_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let offset = ctx.arg_i64(2)?;
    if offset < 0 {
        return Err(CmdError::err("offset is out of range"));
    }
    let (key, val) = (ctx.arg(1), ctx.arg(3));
    let db = ctx.client.db;
    let limit = ctx.srv.config.proto_max_bulk_len;
    let total = (offset as u64).checked_add(val.len() as u64);
    let len = match ctx.srv.lookup_write(db, key) {
        None => {
            if val.is_empty() {
                ctx.client.reply.int(0);
                return Ok(());
            }
            check_string_length(total.unwrap_or(u64::MAX), limit)?;
            let mut buf = vec![0u8; offset as usize + val.len()];
            buf[offset as usize..].copy_from_slice(val);
            let n = buf.len();
            ctx.srv.db_add(db, key, Value::str_raw(buf));
            n
        }
        Some(v) => {
            if !v.is_string() {
                return Err(WRONGTYPE);
            }
            if val.is_empty() {
                let n = v.str_len();
                ctx.client.reply.int(n as i64);
                return Ok(());
            }
            check_string_length(total.unwrap_or(u64::MAX), limit)?;
            let buf = v.str_make_raw();
            let end = offset as usize + val.len();
            if buf.len() < end {
                buf.resize(end, 0);
            }
            buf[offset as usize..end].copy_from_slice(val);
            buf.len()
        }
    };
    ctx.srv.signal_modified_key(db, key);
    ctx.srv.notify(notify::STRING, "setrange", key, db);
    ctx.srv.status.persistence.dirty += 1;
    ctx.client.reply.int(len as i64);
    Ok(())
}
