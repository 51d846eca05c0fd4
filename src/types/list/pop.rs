//! List pops and moves (Redis t_list.c): LPOP, RPOP, LMOVE, RPOPLPUSH,
//! LMPOP and the blocking BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, which
//! serve at once when they can and otherwise block through `crate::blocking`.

use super::commands::{delete_if_empty, get_list, push_values};
use super::parse_where;
use crate::blocking::{self, BlockKind, TimeUnit};
use crate::cmd::{CommandImpl, Ctx};
use crate::ds::listpack::{LpOwned, LpValue};
use crate::ds::quicklist::End;
use crate::error::{CmdError, SYNTAX, WRONGTYPE};
use crate::keyspace::notify;
use crate::resp::reply::Reply;
use crate::server::Server;

pub const COMMANDS: &[CommandImpl] = &[
    CommandImpl {
        name: "lpop",
        handler: lpop_command,
    },
    CommandImpl {
        name: "rpop",
        handler: rpop_command,
    },
    CommandImpl {
        name: "lmove",
        handler: lmove_command,
    },
    CommandImpl {
        name: "rpoplpush",
        handler: rpoplpush_command,
    },
    CommandImpl {
        name: "lmpop",
        handler: lmpop_command,
    },
    CommandImpl {
        name: "blpop",
        handler: blpop_command,
    },
    CommandImpl {
        name: "brpop",
        handler: brpop_command,
    },
    CommandImpl {
        name: "blmove",
        handler: blmove_command,
    },
    CommandImpl {
        name: "brpoplpush",
        handler: brpoplpush_command,
    },
    CommandImpl {
        name: "blmpop",
        handler: blmpop_command,
    },
];

fn pop_event(end: End) -> &'static str {
    if end == End::Head {
        "lpop"
    } else {
        "rpop"
    }
}

fn push_event(end: End) -> &'static str {
    if end == End::Head {
        "lpush"
    } else {
        "rpush"
    }
}

/// Pops up to `count` elements from the list at `key` (which exists and is
/// a list), then fires the events and deletes the key if it became empty
/// (`listElementsRemoved`).
fn pop_and_notify(srv: &mut Server, db: usize, key: &[u8], end: End, count: usize) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut empty = false;
    if let Some(ql) = srv.dbs[db].dict.get_mut(key).and_then(|v| v.as_list_mut()) {
        while out.len() < count {
            match ql.pop(end) {
                Some(v) => out.push(v.into_bytes()),
                None => break,
            }
        }
        empty = ql.is_empty();
    }
    elements_removed(srv, db, key, end, out.len(), empty);
    out
}

/// `listElementsRemoved`: the pop event, the key's deletion when the list
/// became `empty` (with its "del" event), the modified-key signal and dirty.
fn elements_removed(srv: &mut Server, db: usize, key: &[u8], end: End, n: usize, empty: bool) {
    srv.notify(notify::LIST, pop_event(end), key, db);
    if empty {
        srv.db_delete(db, key);
        srv.notify(notify::GENERIC, "del", key, db);
    }
    srv.signal_modified_key(db, key);
    srv.status.persistence.dirty += n as u64;
}

/// One popped element as a bulk reply, straight from the listpack's value.
fn reply_value(r: &mut Reply, v: &LpOwned) {
    match v.as_value() {
        LpValue::Str(b) => r.bulk(b),
        LpValue::Int(i) => r.bulk_i64(i),
    }
}

/// `popGenericCommand`: LPOP/RPOP key [count]. The list is looked up once
/// and the elements are written to the reply as they are popped (before
/// the events, as in Redis).
fn pop_generic(ctx: &mut Ctx, end: End) -> Result<(), CmdError> {
    if ctx.argc() > 3 {
        return Err(ctx.wrong_args());
    }
    let count = if ctx.argc() == 3 {
        let n = crate::util::num::string2ll(ctx.arg(2)).filter(|n| *n >= 0);
        Some(n.ok_or_else(|| CmdError::err("value is out of range, must be positive"))?)
    } else {
        None
    };
    let db = ctx.client.db;
    let key = ctx.arg(1);
    let r = &mut ctx.client.reply;
    let Some(ql) = get_list(ctx.srv, db, key, true)? else {
        match count {
            Some(_) => r.null_array(),
            None => r.null(),
        }
        return Ok(());
    };
    let popped = match count {
        Some(0) => {
            r.array(0);
            return Ok(());
        }
        Some(n) => {
            let n = usize::try_from(n).unwrap_or(usize::MAX).min(ql.len());
            r.array(n);
            for _ in 0..n {
                match ql.pop(end) {
                    Some(v) => reply_value(r, &v),
                    // Cannot happen (n <= len); keep the reply well formed.
                    None => r.null(),
                }
            }
            n
        }
        None => match ql.pop(end) {
            Some(v) => {
                reply_value(r, &v);
                1
            }
            None => {
                r.null();
                0
            }
        },
    };
    let empty = ql.is_empty();
    elements_removed(ctx.srv, db, key, end, popped, empty);
    Ok(())
}

fn lpop_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    pop_generic(ctx, End::Head)
}

fn rpop_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    pop_generic(ctx, End::Tail)
}

/// `lmoveGenericCommand`: moves one element from `src` to `dst`.
fn lmove_generic(
    ctx: &mut Ctx,
    src: &[u8],
    dst: &[u8],
    from: End,
    to: End,
) -> Result<(), CmdError> {
    let db = ctx.client.db;
    if get_list(ctx.srv, db, src, true)?.is_none() {
        ctx.reply().null();
        return Ok(());
    }
    if ctx.srv.lookup_write(db, dst).is_some_and(|v| !v.is_list()) {
        return Err(WRONGTYPE);
    }
    let value = match ctx.srv.dbs[db]
        .dict
        .get_mut(src)
        .and_then(|v| v.as_list_mut())
    {
        Some(ql) => ql.pop(from).map(|v| v.into_bytes()),
        None => None,
    };
    let Some(value) = value else {
        ctx.reply().null();
        return Ok(());
    };
    push_values(ctx.srv, db, dst, to, std::slice::from_ref(&value));
    ctx.srv.signal_modified_key(db, dst);
    ctx.srv.notify(notify::LIST, push_event(to), dst, db);
    ctx.reply().bulk(&value);
    ctx.srv.notify(notify::LIST, pop_event(from), src, db);
    delete_if_empty(ctx.srv, db, src);
    ctx.srv.signal_modified_key(db, src);
    ctx.srv.status.persistence.dirty += 1;
    Ok(())
}

fn where_arg(ctx: &Ctx, i: usize) -> Result<End, CmdError> {
    parse_where(ctx.arg(i)).ok_or(SYNTAX)
}

/// LMOVE source destination LEFT|RIGHT LEFT|RIGHT
fn lmove_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let from = where_arg(ctx, 3)?;
    let to = where_arg(ctx, 4)?;
    lmove_generic(ctx, ctx.arg(1), ctx.arg(2), from, to)
}

/// RPOPLPUSH source destination
fn rpoplpush_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    lmove_generic(ctx, ctx.arg(1), ctx.arg(2), End::Tail, End::Head)
}

/// `blmoveGenericCommand`: serve at once, or block on `src`.
fn blmove_generic(ctx: &mut Ctx, from: End, to: End, timeout_idx: usize) -> Result<(), CmdError> {
    let deadline = blocking::parse_timeout(ctx, ctx.arg(timeout_idx), TimeUnit::Seconds)?;
    let db = ctx.client.db;
    let src = ctx.arg(1);
    let reprocessing = !blocking::may_block_fresh(ctx);
    let state = ctx.srv.lookup_write(db, src).map(|v| v.is_list());
    match state {
        // A blocked client is only served by a list (7.0 `serveClientsBlockedOnListKey`).
        Some(true) => {
            lmove_generic(ctx, src, ctx.arg(2), from, to)?;
            // Replicated as LMOVE / RPOPLPUSH.
            let rep = if timeout_idx == 5 {
                vec![
                    b"LMOVE".to_vec(),
                    src.to_vec(),
                    ctx.arg(2).to_vec(),
                    ctx.arg(3).to_vec(),
                    ctx.arg(4).to_vec(),
                ]
            } else {
                vec![b"RPOPLPUSH".to_vec(), src.to_vec(), ctx.arg(2).to_vec()]
            };
            ctx.propagate_replace(rep);
            Ok(())
        }
        Some(false) if !reprocessing => lmove_generic(ctx, src, ctx.arg(2), from, to),
        _ => {
            if !blocking::may_block(ctx) {
                ctx.reply().null();
            } else {
                blocking::block_on_keys(ctx, &[src], deadline, BlockKind::List);
            }
            Ok(())
        }
    }
}

/// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout
fn blmove_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let from = where_arg(ctx, 3)?;
    let to = where_arg(ctx, 4)?;
    blmove_generic(ctx, from, to, 5)
}

/// BRPOPLPUSH source destination timeout
fn brpoplpush_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    blmove_generic(ctx, End::Tail, End::Head, 3)
}

/// Pops from the first non-empty list of `keys` (`blockingPopGenericCommand`
/// and `mpopGenericCommand`). `count` is None for BLPOP/BRPOP's reply shape.
/// Returns false when every list was missing or empty.
fn pop_first(
    ctx: &mut Ctx,
    keys: &[Vec<u8>],
    end: End,
    count: Option<usize>,
    clamp_prop: bool,
) -> Result<bool, CmdError> {
    let db = ctx.client.db;
    let reprocessing = !blocking::may_block_fresh(ctx);
    for key in blocking::keys_to_serve(ctx, keys) {
        let nonempty = match ctx.srv.lookup_write(db, key) {
            None => continue,
            Some(v) => match v.as_list() {
                Some(ql) => !ql.is_empty(),
                // A blocked client waits for a list: other types are skipped.
                None if reprocessing => continue,
                None => return Err(WRONGTYPE),
            },
        };
        if !nonempty {
            continue;
        }
        let items = pop_and_notify(ctx.srv, db, key, end, count.unwrap_or(1));
        // Replicated as a plain [LR]POP (with the requested COUNT for *MPOP).
        let cmd: &[u8] = if end == End::Head { b"LPOP" } else { b"RPOP" };
        let mut rep = vec![cmd.to_vec(), key.clone()];
        if let Some(n) = count {
            // LMPOP replicates the number popped, BLMPOP the number asked.
            let n = if clamp_prop { items.len() } else { n };
            rep.push(n.to_string().into_bytes());
        }
        ctx.propagate_replace(rep);
        let r = ctx.reply();
        r.array(2);
        r.bulk(key);
        match count {
            Some(_) => {
                r.array(items.len());
                for it in &items {
                    r.bulk(it);
                }
            }
            None => r.bulk(items.first().map_or(&[][..], |v| &v[..])),
        }
        return Ok(true);
    }
    Ok(false)
}

/// BLPOP/BRPOP key [key ...] timeout
fn bpop_generic(ctx: &mut Ctx, end: End) -> Result<(), CmdError> {
    let deadline = blocking::parse_timeout(ctx, ctx.arg(ctx.argc() - 1), TimeUnit::Seconds)?;
    let keys = &ctx.argv[1..ctx.argc() - 1];
    if pop_first(ctx, keys, end, None, false)? {
        return Ok(());
    }
    block_or_null(ctx, keys, deadline);
    Ok(())
}

fn block_or_null(ctx: &mut Ctx, keys: &[Vec<u8>], deadline: u64) {
    if !blocking::may_block(ctx) {
        ctx.reply().null_array();
        return;
    }
    let ks: Vec<&[u8]> = keys.iter().map(|k| k.as_slice()).collect();
    blocking::block_on_keys(ctx, &ks, deadline, BlockKind::List);
}

fn blpop_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    bpop_generic(ctx, End::Head)
}

fn brpop_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    bpop_generic(ctx, End::Tail)
}

/// Parsed `numkeys key [key ...] LEFT|RIGHT [COUNT count]` (`lmpopGenericCommand`).
struct Mpop {
    first_key: usize,
    numkeys: usize,
    end: End,
    count: usize,
}

/// Parses the LMPOP/BLMPOP arguments from `numkeys_idx` on; also used by
/// sorted sets' ZMPOP shape if wanted.
fn parse_mpop(ctx: &Ctx, numkeys_idx: usize) -> Result<Mpop, CmdError> {
    let numkeys = crate::util::num::string2ll(ctx.arg(numkeys_idx))
        .filter(|n| *n >= 1)
        .ok_or_else(|| CmdError::err("numkeys should be greater than 0"))?;
    let where_idx = (numkeys as u64).saturating_add(numkeys_idx as u64 + 1);
    if where_idx >= ctx.argc() as u64 {
        return Err(SYNTAX);
    }
    let where_idx = where_idx as usize;
    let end = where_arg(ctx, where_idx)?;
    let mut count: Option<usize> = None;
    let mut j = where_idx + 1;
    while j < ctx.argc() {
        if count.is_none() && ctx.arg_is(j, "count") && j + 1 < ctx.argc() {
            let n = crate::util::num::string2ll(ctx.arg(j + 1))
                .filter(|n| *n >= 1)
                .ok_or_else(|| CmdError::err("count should be greater than 0"))?;
            count = Some(usize::try_from(n).unwrap_or(usize::MAX));
            j += 2;
        } else {
            return Err(SYNTAX);
        }
    }
    Ok(Mpop {
        first_key: numkeys_idx + 1,
        numkeys: numkeys as usize,
        end,
        count: count.unwrap_or(1),
    })
}

/// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]
fn lmpop_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let m = parse_mpop(ctx, 1)?;
    let keys = &ctx.argv[m.first_key..m.first_key + m.numkeys];
    if !pop_first(ctx, keys, m.end, Some(m.count), true)? {
        ctx.reply().null_array();
    }
    Ok(())
}

/// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]
fn blmpop_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let m = parse_mpop(ctx, 2)?;
    let deadline = blocking::parse_timeout(ctx, ctx.arg(1), TimeUnit::Seconds)?;
    let keys = &ctx.argv[m.first_key..m.first_key + m.numkeys];
    if pop_first(ctx, keys, m.end, Some(m.count), false)? {
        return Ok(());
    }
    block_or_null(ctx, keys, deadline);
    Ok(())
}
