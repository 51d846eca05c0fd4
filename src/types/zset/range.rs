//! Range reads and pops (Redis t_zset.c `zrangeGenericCommand`,
//! `genericZpopCommand`, `zmpopGenericCommand`): ZRANGE and its legacy
//! forms, ZRANGESTORE, ZPOPMIN/MAX, ZMPOP and the blocking pops.

use super::commands::{limits, zset_read, zset_write};
use super::score::{parse_lex_range, parse_score_range};
use super::{AddFlags, Item, ZSet};
use crate::blocking::{self, BlockKind, TimeUnit};
use crate::cmd::Ctx;
use crate::error::{CmdError, SYNTAX};
use crate::keyspace::notify;
use crate::resp::Reply;
use crate::types::coll;
use crate::types::Value;
use crate::util::num::string2ll;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Auto,
    Rank,
    Score,
    Lex,
}

/// How a ZRANGE-family command was called.
struct Spec {
    kind: Kind,
    rev: Option<bool>,
    withscores: bool,
    offset: i64,
    limit: i64,
}

/// Writes members (and scores) as ZRANGE replies them.
pub fn reply_items(r: &mut Reply, items: &[Item], withscores: bool) {
    if withscores && r.resp == 2 {
        r.array(items.len() * 2);
    } else {
        r.array(items.len());
    }
    for (e, s) in items {
        if withscores && r.resp >= 3 {
            r.array(2);
        }
        r.bulk(e);
        if withscores {
            r.double(*s);
        }
    }
}

/// Step 1 of `zrangeGenericCommand`: the options after min and max.
fn parse_zrange_opts(
    argv: &[Vec<u8>],
    from: usize,
    sp: &mut Spec,
    store: bool,
) -> Result<(), CmdError> {
    let mut j = from;
    while j < argv.len() {
        let left = argv.len() - j - 1;
        let a = argv[j].to_ascii_lowercase();
        match a.as_slice() {
            b"withscores" if !store => sp.withscores = true,
            b"limit" if left >= 2 => {
                sp.offset = string2ll(&argv[j + 1]).ok_or(crate::error::NOT_INTEGER)?;
                sp.limit = string2ll(&argv[j + 2]).ok_or(crate::error::NOT_INTEGER)?;
                j += 2;
            }
            b"rev" if sp.rev.is_none() => sp.rev = Some(true),
            b"bylex" if sp.kind == Kind::Auto => sp.kind = Kind::Lex,
            b"byscore" if sp.kind == Kind::Auto => sp.kind = Kind::Score,
            _ => return Err(SYNTAX),
        }
        j += 1;
    }
    if sp.kind == Kind::Auto {
        sp.kind = Kind::Rank;
    }
    if sp.limit != -1 && sp.kind == Kind::Rank {
        return Err(CmdError::err(
            "syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
        ));
    }
    if sp.withscores && sp.kind == Kind::Lex {
        return Err(CmdError::err(
            "syntax error, WITHSCORES not supported in combination with BYLEX",
        ));
    }
    Ok(())
}

/// Steps 2-3 of `zrangeGenericCommand`: range, lookup, selection.
/// `first` is the index of the source key; `dst` is set for ZRANGESTORE.
fn zrange_generic(
    ctx: &mut Ctx,
    first: usize,
    mut sp: Spec,
    dst: Option<&[u8]>,
) -> Result<(), CmdError> {
    let argv = ctx.argv;
    parse_zrange_opts(argv, first + 3, &mut sp, dst.is_some())?;
    let rev = sp.rev.unwrap_or(false);
    let (mut lo, mut hi) = (&argv[first + 1], &argv[first + 2]);
    if rev && sp.kind != Kind::Rank {
        std::mem::swap(&mut lo, &mut hi);
    }
    enum Range {
        Rank(i64, i64),
        Score(crate::ds::skiplist::ScoreRange),
        Lex(crate::ds::skiplist::LexRange),
    }
    let range = match sp.kind {
        Kind::Score => Range::Score(parse_score_range(lo, hi)?),
        Kind::Lex => Range::Lex(parse_lex_range(lo, hi)?),
        _ => Range::Rank(
            string2ll(lo).ok_or(crate::error::NOT_INTEGER)?,
            string2ll(hi).ok_or(crate::error::NOT_INTEGER)?,
        ),
    };
    let db = ctx.client.db;
    let items = zset_read(ctx.srv, db, &argv[first])?.map(|z| match range {
        Range::Rank(s, e) => rank_slice(z, s, e, rev),
        Range::Score(r) => limited(z, z.score_span(&r), rev, sp.offset, sp.limit),
        Range::Lex(r) => limited(z, z.lex_span(&r, rev), rev, sp.offset, sp.limit),
    });
    match dst {
        None => reply_items(
            &mut ctx.client.reply,
            &items.unwrap_or_default(),
            sp.withscores,
        ),
        Some(d) => store_items(ctx, d, &items.unwrap_or_default(), "zrangestore"),
    }
    Ok(())
}

/// Ranks start..=end with negative indexes from the end (`genericZrangebyrankCommand`).
fn rank_slice(z: &ZSet, mut s: i64, mut e: i64, rev: bool) -> Vec<Item> {
    let len = z.len() as i64;
    if s < 0 {
        s += len;
    }
    if e < 0 {
        e += len;
    }
    s = s.max(0);
    if s > e || s >= len {
        return Vec::new();
    }
    e = e.min(len - 1);
    let (a, b) = if rev {
        ((len - 1 - e) as usize, (len - s) as usize)
    } else {
        (s as usize, (e + 1) as usize)
    };
    z.slice(a, b, rev)
}

/// A range span with LIMIT offset count applied in the walking direction.
fn limited(z: &ZSet, (a, b): (usize, usize), rev: bool, offset: i64, limit: i64) -> Vec<Item> {
    // A negative offset skips forever in Redis: nothing is returned.
    if offset < 0 || (offset > 0 && offset as usize >= z.len()) {
        return Vec::new();
    }
    let n = b - a;
    let off = (offset as usize).min(n);
    let take = if limit < 0 {
        n - off
    } else {
        (limit as usize).min(n - off)
    };
    if rev {
        z.slice(b - off - take, b - off, true)
    } else {
        z.slice(a + off, a + off + take, false)
    }
}

/// Stores `items` at `dst` (a new sorted set sized for them) or deletes
/// `dst` when there are none; replies with the count.
pub fn store_items(ctx: &mut Ctx, dst: &[u8], items: &[Item], event: &'static str) {
    let (db, lim) = (ctx.client.db, limits(ctx.srv));
    if items.is_empty() {
        if ctx.srv.db_delete(db, dst) {
            ctx.srv.signal_modified_key(db, dst);
            ctx.srv.notify(notify::GENERIC, "del", dst, db);
            coll::add_dirty(ctx.srv, 1);
        }
        ctx.client.reply.int(0);
        return;
    }
    let mut z = ZSet::with_hint(items.len(), 0, lim);
    for (e, s) in items {
        z.add(e, *s, AddFlags::default(), lim);
    }
    ctx.srv.set_key(db, dst, Value::ZSet(Box::new(z)), false);
    ctx.srv.notify(notify::ZSET, event, dst, db);
    coll::add_dirty(ctx.srv, 1);
    ctx.client.reply.int(items.len() as i64);
}

fn spec(kind: Kind, rev: Option<bool>) -> Spec {
    Spec {
        kind,
        rev,
        withscores: false,
        offset: 0,
        limit: -1,
    }
}

pub fn zrange_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    zrange_generic(ctx, 1, spec(Kind::Auto, None), None)
}

pub fn zrangestore_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let dst = ctx.argv[1].clone();
    zrange_generic(ctx, 2, spec(Kind::Auto, None), Some(&dst))
}

pub fn zrevrange_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    zrange_generic(ctx, 1, spec(Kind::Rank, Some(true)), None)
}

pub fn zrangebyscore_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    zrange_generic(ctx, 1, spec(Kind::Score, Some(false)), None)
}

pub fn zrevrangebyscore_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    zrange_generic(ctx, 1, spec(Kind::Score, Some(true)), None)
}

pub fn zrangebylex_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    zrange_generic(ctx, 1, spec(Kind::Lex, Some(false)), None)
}

pub fn zrevrangebylex_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    zrange_generic(ctx, 1, spec(Kind::Lex, Some(true)), None)
}

/// A key and what was popped from it.
type Popped = (Vec<u8>, Vec<Item>);

/// Pops up to `count` from the first non-empty key of `keys`
/// (`genericZpopCommand`); None when every key is empty.
fn pop_first(
    ctx: &mut Ctx,
    keys: &[Vec<u8>],
    max: bool,
    count: usize,
) -> Result<Option<Popped>, CmdError> {
    let db = ctx.client.db;
    let reprocessing = !blocking::may_block_fresh(ctx);
    for key in blocking::keys_to_serve(ctx, keys) {
        let z = match zset_write(ctx.srv, db, key) {
            Ok(Some(z)) => z,
            Ok(None) => continue,
            // A blocked client waits for a sorted set: other types are skipped
            // (7.0 `serveClientsBlockedOnSortedSetKey`).
            Err(_) if reprocessing => continue,
            Err(e) => return Err(e),
        };
        let len = z.len();
        if len == 0 {
            continue;
        }
        let n = count.min(len);
        let mut items = if max {
            z.remove_span(len - n, len)
        } else {
            z.remove_span(0, n)
        };
        if max {
            items.reverse();
        }
        let emptied = z.is_empty();
        ctx.srv.notify(
            notify::ZSET,
            if max { "zpopmax" } else { "zpopmin" },
            key,
            db,
        );
        if emptied {
            ctx.srv.db_delete(db, key);
            ctx.srv.notify(notify::GENERIC, "del", key, db);
        }
        ctx.srv.signal_modified_key(db, key);
        coll::add_dirty(ctx.srv, items.len() as u64);
        return Ok(Some((key.clone(), items)));
    }
    Ok(None)
}

fn zpop_command(ctx: &mut Ctx, max: bool) -> Result<(), CmdError> {
    if ctx.argc() > 3 {
        return Err(SYNTAX);
    }
    let count = if ctx.argc() == 3 {
        Some(
            string2ll(&ctx.argv[2])
                .filter(|&v| v >= 0)
                .ok_or_else(|| CmdError::err("value is out of range, must be positive"))?
                as usize,
        )
    } else {
        None
    };
    if count == Some(0) {
        // The key's type is checked before a zero count answers (7.0).
        let db = ctx.client.db;
        zset_write(ctx.srv, db, &ctx.argv[1])?;
        ctx.client.reply.array(0);
        return Ok(());
    }
    let argv = ctx.argv;
    let popped = pop_first(ctx, &argv[1..2], max, count.unwrap_or(1))?;
    let items = popped.map(|(_, i)| i).unwrap_or_default();
    let r = &mut ctx.client.reply;
    if count.is_some() {
        reply_items(r, &items, true);
    } else {
        // Without a count RESP3 keeps the flat member/score pair.
        r.array(items.len() * 2);
        for (e, s) in &items {
            r.bulk(e);
            r.double(*s);
        }
    }
    Ok(())
}

pub fn zpopmin_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    zpop_command(ctx, false)
}

pub fn zpopmax_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    zpop_command(ctx, true)
}

/// Blocks on `keys` (`blockForKeys` with BLOCKED_ZSET), or, where blocking
/// is denied (MULTI, scripts), replies a null array as a timeout would.
fn block_or_null(ctx: &mut Ctx, keys: &[Vec<u8>], deadline: u64) {
    if !blocking::may_block(ctx) {
        ctx.reply().null_array();
        return;
    }
    let ks: Vec<&[u8]> = keys.iter().map(|k| k.as_slice()).collect();
    blocking::block_on_keys(ctx, &ks, deadline, BlockKind::ZSet);
}

/// BZPOPMIN/BZPOPMAX key [key ...] timeout (`blockingGenericZpopCommand`):
/// pops from the first non-empty sorted set, or blocks until one is added.
fn bzpop_command(ctx: &mut Ctx, max: bool) -> Result<(), CmdError> {
    let argv = ctx.argv;
    let deadline = blocking::parse_timeout(ctx, &argv[argv.len() - 1], TimeUnit::Seconds)?;
    let keys = &argv[1..argv.len() - 1];
    match pop_first(ctx, keys, max, 1)? {
        Some((key, items)) if !items.is_empty() => {
            let r = &mut ctx.client.reply;
            r.array(3);
            r.bulk(&key);
            r.bulk(&items[0].0);
            r.double(items[0].1);
            // Replicas and the AOF get the non-blocking form on the key served.
            let cmd: &[u8] = if max { b"ZPOPMAX" } else { b"ZPOPMIN" };
            ctx.propagate_replace(crate::propagate::argv(&[cmd, &key]));
        }
        _ => block_or_null(ctx, keys, deadline),
    }
    Ok(())
}

pub fn bzpopmin_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    bzpop_command(ctx, false)
}

pub fn bzpopmax_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    bzpop_command(ctx, true)
}

/// [B]ZMPOP arguments from `numkeys_idx`: keys, MIN|MAX, COUNT.
/// `is_block` says whether this is BZMPOP (timeout at argument 1).
fn zmpop_generic(ctx: &mut Ctx, numkeys_idx: usize, is_block: bool) -> Result<(), CmdError> {
    let argv = ctx.argv;
    let numkeys = string2ll(&argv[numkeys_idx])
        .filter(|&n| n >= 1)
        .ok_or_else(|| CmdError::err("numkeys should be greater than 0"))?
        as usize;
    let where_idx = numkeys_idx + 1 + numkeys;
    if numkeys > argv.len() - numkeys_idx - 2 || where_idx >= argv.len() {
        return Err(SYNTAX);
    }
    let max = match argv[where_idx].to_ascii_lowercase().as_slice() {
        b"min" => false,
        b"max" => true,
        _ => return Err(SYNTAX),
    };
    let mut count: Option<usize> = None;
    let mut j = where_idx + 1;
    while j < argv.len() {
        if argv[j].eq_ignore_ascii_case(b"count") && j + 1 < argv.len() && count.is_none() {
            count = Some(
                string2ll(&argv[j + 1])
                    .filter(|&c| c >= 1)
                    .ok_or_else(|| CmdError::err("count should be greater than 0"))?
                    as usize,
            );
            j += 2;
        } else {
            return Err(SYNTAX);
        }
    }
    // Redis checks the timeout only once the rest parsed.
    let deadline = if is_block {
        Some(blocking::parse_timeout(ctx, &argv[1], TimeUnit::Seconds)?)
    } else {
        None
    };
    let keys = &argv[numkeys_idx + 1..where_idx];
    match pop_first(ctx, keys, max, count.unwrap_or(1))? {
        Some((key, items)) => {
            let r = &mut ctx.client.reply;
            r.array(2);
            r.bulk(&key);
            r.array(items.len());
            for (e, s) in &items {
                r.array(2);
                r.bulk(e);
                r.double(*s);
            }
            // Propagated as ZPOPMIN/ZPOPMAX of the key served, with the
            // number of elements actually popped.
            let cmd: &[u8] = if max { b"ZPOPMAX" } else { b"ZPOPMIN" };
            let n = items.len().to_string();
            ctx.propagate_replace(crate::propagate::argv(&[cmd, &key, n.as_bytes()]));
        }
        None => match deadline {
            Some(deadline) => block_or_null(ctx, keys, deadline),
            None => ctx.client.reply.null_array(),
        },
    }
    Ok(())
}

pub fn zmpop_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    zmpop_generic(ctx, 1, false)
}

/// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]
pub fn bzmpop_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    zmpop_generic(ctx, 2, true)
}
