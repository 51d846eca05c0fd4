//! List commands (Redis t_list.c, commands half): pushes, LINSERT, LLEN,
//! LINDEX, LSET, LRANGE, LTRIM, LREM, LPOS. Pops, moves and the blocking
//! variants are in `pop.rs`.

use super::{clamp_range, new_list};
use crate::cmd::{CommandImpl, Ctx};
use crate::ds::listpack::LpValue;
use crate::ds::quicklist::{End, Quicklist};
use crate::error::{CmdError, NO_SUCH_KEY, OUT_OF_RANGE, SYNTAX, WRONGTYPE};
use crate::keyspace::notify;
use crate::server::Server;

pub const COMMANDS: &[CommandImpl] = &[
    CommandImpl {
        name: "lpush",
        handler: lpush_command,
    },
    CommandImpl {
        name: "rpush",
        handler: rpush_command,
    },
    CommandImpl {
        name: "lpushx",
        handler: lpushx_command,
    },
    CommandImpl {
        name: "rpushx",
        handler: rpushx_command,
    },
    CommandImpl {
        name: "linsert",
        handler: linsert_command,
    },
    CommandImpl {
        name: "llen",
        handler: llen_command,
    },
    CommandImpl {
        name: "lindex",
        handler: lindex_command,
    },
    CommandImpl {
        name: "lset",
        handler: lset_command,
    },
    CommandImpl {
        name: "lrange",
        handler: lrange_command,
    },
    CommandImpl {
        name: "ltrim",
        handler: ltrim_command,
    },
    CommandImpl {
        name: "lrem",
        handler: lrem_command,
    },
    CommandImpl {
        name: "lpos",
        handler: lpos_command,
    },
];

/// The list at `key`: `Ok(None)` when missing, WRONGTYPE for another type.
pub fn get_list<'a>(
    srv: &'a mut Server,
    db: usize,
    key: &[u8],
    write: bool,
) -> Result<Option<&'a mut Quicklist>, CmdError> {
    let v = if write {
        srv.lookup_write(db, key)
    } else {
        srv.lookup_read(db, key)
    };
    match v {
        None => Ok(None),
        Some(v) => v.as_list_mut().map(Some).ok_or(WRONGTYPE),
    }
}

/// Deletes `key` when its list became empty, with the "del" event (`listElementsRemoved` tail).
pub fn delete_if_empty(srv: &mut Server, db: usize, key: &[u8]) {
    let empty = srv.dbs[db]
        .dict
        .get(key)
        .and_then(|v| v.as_list())
        .is_some_and(|ql| ql.is_empty());
    if empty {
        srv.db_delete(db, key);
        srv.notify(notify::GENERIC, "del", key, db);
    }
}

/// Pushes `vals` to the list at `key`, creating it (`listTypePush` loop);
/// the caller has checked the type. Returns the new length.
pub fn push_values(srv: &mut Server, db: usize, key: &[u8], end: End, vals: &[Vec<u8>]) -> usize {
    if srv.dbs[db].dict.get(key).is_none() {
        let v = new_list(srv);
        srv.db_add(db, key, v);
    }
    let Some(ql) = srv.dbs[db].dict.get_mut(key).and_then(|v| v.as_list_mut()) else {
        return 0;
    };
    for v in vals {
        ql.push(end, v);
    }
    ql.len()
}

/// `pushGenericCommand`: LPUSH/RPUSH, and with `xx` LPUSHX/RPUSHX.
fn push_generic(ctx: &mut Ctx, end: End, xx: bool) -> Result<(), CmdError> {
    let db = ctx.client.db;
    let key = ctx.arg(1);
    let vals = &ctx.argv[2..];
    // An existing list is pushed to through the lookup's own reference: one
    // hash of the key instead of three.
    let len = match get_list(ctx.srv, db, key, true)? {
        Some(ql) => {
            for v in vals {
                ql.push(end, v);
            }
            ql.len()
        }
        None if xx => {
            ctx.reply().int(0);
            return Ok(());
        }
        None => push_values(ctx.srv, db, key, end, vals),
    };
    ctx.reply().int(len as i64);
    ctx.srv.signal_modified_key(db, key);
    let ev = if end == End::Head { "lpush" } else { "rpush" };
    ctx.srv.notify(notify::LIST, ev, key, db);
    ctx.srv.status.persistence.dirty += (ctx.argc() - 2) as u64;
    Ok(())
}

fn lpush_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    push_generic(ctx, End::Head, false)
}

fn rpush_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    push_generic(ctx, End::Tail, false)
}

fn lpushx_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    push_generic(ctx, End::Head, true)
}

fn rpushx_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    push_generic(ctx, End::Tail, true)
}

/// LINSERT key BEFORE|AFTER pivot element
fn linsert_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let after = if ctx.arg_is(2, "after") {
        true
    } else if ctx.arg_is(2, "before") {
        false
    } else {
        return Err(SYNTAX);
    };
    let db = ctx.client.db;
    let (key, pivot, val) = (ctx.arg(1), ctx.arg(3), ctx.arg(4));
    let Some(ql) = get_list(ctx.srv, db, key, true)? else {
        ctx.reply().int(0);
        return Ok(());
    };
    let mut inserted = false;
    if let Some(mut it) = ql.iter_mut(End::Head, None) {
        while let Some(e) = it.next() {
            if it.compare(&e, pivot) {
                it.insert(e, val, after);
                inserted = true;
                break;
            }
        }
    }
    if !inserted {
        ctx.reply().int(-1);
        return Ok(());
    }
    let len = ql.len() as i64;
    ctx.srv.signal_modified_key(db, key);
    ctx.srv.notify(notify::LIST, "linsert", key, db);
    ctx.srv.status.persistence.dirty += 1;
    ctx.reply().int(len);
    Ok(())
}

/// LLEN key
fn llen_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let db = ctx.client.db;
    let n = get_list(ctx.srv, db, ctx.arg(1), false)?.map_or(0, |ql| ql.len());
    ctx.reply().int(n as i64);
    Ok(())
}

/// LINDEX key index: the key is checked before the index is parsed.
fn lindex_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let db = ctx.client.db;
    let Some(ql) = get_list(ctx.srv, db, ctx.arg(1), false)? else {
        ctx.reply().null();
        return Ok(());
    };
    let ql: &Quicklist = ql;
    let idx = crate::util::num::string2ll(&ctx.argv[2]).ok_or(crate::error::NOT_INTEGER)?;
    match ql.index(idx) {
        Some(v) => {
            let b = v.into_bytes();
            ctx.reply().bulk(&b)
        }
        None => ctx.reply().null(),
    }
    Ok(())
}

/// LSET key index element
fn lset_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let db = ctx.client.db;
    let key = ctx.arg(1);
    let idx_arg = ctx.arg(2);
    let val = ctx.arg(3);
    let ql = get_list(ctx.srv, db, key, true)?.ok_or(NO_SUCH_KEY)?;
    let idx = crate::util::num::string2ll(idx_arg).ok_or(crate::error::NOT_INTEGER)?;
    if !ql.replace_at_index(idx, val) {
        return Err(OUT_OF_RANGE);
    }
    ctx.reply().ok();
    ctx.srv.signal_modified_key(db, key);
    ctx.srv.notify(notify::LIST, "lset", key, db);
    ctx.srv.status.persistence.dirty += 1;
    Ok(())
}

/// LRANGE key start stop: indexes are parsed before the lookup.
fn lrange_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let start = ctx.arg_i64(2)?;
    let end = ctx.arg_i64(3)?;
    let db = ctx.client.db;
    let Some(ql) = get_list(ctx.srv, db, ctx.arg(1), false)? else {
        ctx.reply().array(0);
        return Ok(());
    };
    // The elements go straight from the listpacks into the reply buffer, as
    // addListRangeReply does: no per-element copy in between.
    let r = &mut ctx.client.reply;
    let Some((s, e)) = clamp_range(start, end, ql.len() as i64) else {
        r.array(0);
        return Ok(());
    };
    let count = (e - s + 1) as usize;
    r.array(count);
    let mut sent = 0;
    ql.for_each_from(s, End::Head, |v| {
        match v {
            LpValue::Str(b) => r.bulk(b),
            LpValue::Int(i) => r.bulk_i64(i),
        }
        sent += 1;
        sent < count
    });
    Ok(())
}

/// LTRIM key start stop
fn ltrim_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let start = ctx.arg_i64(2)?;
    let end = ctx.arg_i64(3)?;
    let db = ctx.client.db;
    let key = ctx.arg(1);
    let Some(ql) = get_list(ctx.srv, db, key, true)? else {
        ctx.reply().ok();
        return Ok(());
    };
    let len = ql.len() as i64;
    let (ltrim, rtrim) = match clamp_range(start, end, len) {
        Some((s, e)) => (s, len - e - 1),
        None => (len, 0),
    };
    ql.del_range(0, ltrim);
    ql.del_range(-rtrim, rtrim);
    ctx.srv.notify(notify::LIST, "ltrim", key, db);
    delete_if_empty(ctx.srv, db, key);
    ctx.srv.signal_modified_key(db, key);
    ctx.srv.status.persistence.dirty += (ltrim + rtrim) as u64;
    ctx.reply().ok();
    Ok(())
}

/// LREM key count element
fn lrem_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let count = ctx.arg_i64(2)?;
    let db = ctx.client.db;
    let (key, val) = (ctx.arg(1), ctx.arg(3));
    let Some(ql) = get_list(ctx.srv, db, key, true)? else {
        ctx.reply().int(0);
        return Ok(());
    };
    let (dir, limit) = if count < 0 {
        (End::Tail, count.unsigned_abs())
    } else {
        (End::Head, count as u64)
    };
    let mut removed = 0u64;
    if let Some(mut it) = ql.iter_mut(dir, None) {
        while let Some(e) = it.next() {
            if it.compare(&e, val) {
                it.delete(e);
                removed += 1;
                if removed == limit {
                    break;
                }
            }
        }
    }
    if removed > 0 {
        ctx.srv.signal_modified_key(db, key);
        ctx.srv.notify(notify::LIST, "lrem", key, db);
        delete_if_empty(ctx.srv, db, key);
        ctx.srv.status.persistence.dirty += removed;
    }
    ctx.reply().int(removed as i64);
    Ok(())
}

/// LPOS options: RANK (0 = default 1), COUNT (None = not given), MAXLEN.
struct LposOpts {
    rank: i64,
    count: Option<i64>,
    maxlen: i64,
}

fn parse_lpos(ctx: &Ctx) -> Result<LposOpts, CmdError> {
    let mut o = LposOpts {
        rank: 1,
        count: None,
        maxlen: 0,
    };
    let mut j = 3;
    while j < ctx.argc() {
        let more = j + 1 < ctx.argc();
        if ctx.arg_is(j, "rank") && more {
            o.rank = ctx.arg_i64(j + 1)?;
            if o.rank == 0 {
                return Err(CmdError::err(
                    "RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
                ));
            }
        } else if ctx.arg_is(j, "count") && more {
            let n = ctx
                .arg_i64(j + 1)
                .map_err(|_| CmdError::err("COUNT can't be negative"))?;
            if n < 0 {
                return Err(CmdError::err("COUNT can't be negative"));
            }
            o.count = Some(n);
        } else if ctx.arg_is(j, "maxlen") && more {
            let n = ctx
                .arg_i64(j + 1)
                .map_err(|_| CmdError::err("MAXLEN can't be negative"))?;
            if n < 0 {
                return Err(CmdError::err("MAXLEN can't be negative"));
            }
            o.maxlen = n;
        } else {
            return Err(SYNTAX);
        }
        j += 2;
    }
    Ok(o)
}

/// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
fn lpos_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let o = parse_lpos(ctx)?;
    let db = ctx.client.db;
    let ele = ctx.arg(2);
    let Some(ql) = get_list(ctx.srv, db, ctx.arg(1), false)? else {
        match o.count {
            Some(_) => ctx.reply().array(0),
            None => ctx.reply().null(),
        }
        return Ok(());
    };
    // A negative rank scans from the tail; i64::MIN stays negative after
    // negation, so every match then satisfies `matches >= rank`, as in Redis.
    let (dir, rank) = if o.rank < 0 {
        (End::Tail, o.rank.wrapping_neg())
    } else {
        (End::Head, o.rank)
    };
    let len = ql.len() as i64;
    let want = o.count.unwrap_or(1);
    let mut found: Vec<i64> = Vec::new();
    let (mut index, mut matches) = (0i64, 0i64);
    for v in ql.iter(dir) {
        if o.maxlen != 0 && index >= o.maxlen {
            break;
        }
        if v.as_value().eq_bytes(ele) {
            matches += 1;
            if matches >= rank {
                found.push(if dir == End::Head {
                    index
                } else {
                    len - index - 1
                });
                if want != 0 && found.len() as i64 >= want {
                    break;
                }
            }
        }
        index += 1;
    }
    let r = ctx.reply();
    match o.count {
        Some(_) => {
            r.array(found.len());
            for i in found {
                r.int(i);
            }
        }
        None => match found.first() {
            Some(&i) => r.int(i),
            None => r.null(),
        },
    }
    Ok(())
}
