//! Sorted set commands (Redis t_zset.c, command half): ZADD, ZINCRBY, ZREM,
//! ZCARD, ZSCORE, ZMSCORE, ZRANK, ZREVRANK, ZCOUNT, ZLEXCOUNT, ZSCAN and
//! ZREMRANGEBY*. Ranges are in `range.rs`, pops in `pop.rs`, the algebra
//! in `algebra.rs`, ZRANDMEMBER in `random.rs`.

use super::score::{parse_lex_range, parse_score, parse_score_range};
use super::{AddFlags, AddOut, Limits, ZSet};
use crate::cmd::{CommandImpl, Ctx};
use crate::error::{CmdError, SYNTAX, WRONGTYPE};
use crate::keyspace::notify;
use crate::server::Server;
use crate::types::coll::{self, ScanSource};
use crate::types::Value;
use crate::util::num::fmt_g17;

macro_rules! rows {
    ($($name:literal => $h:path),* $(,)?) => {
        &[$(CommandImpl { name: $name, handler: $h }),*]
    };
}

pub const COMMANDS: &[CommandImpl] = rows![
    "zadd" => zadd_command,
    "zincrby" => zincrby_command,
    "zrem" => zrem_command,
    "zcard" => zcard_command,
    "zscore" => zscore_command,
    "zmscore" => zmscore_command,
    "zrank" => zrank_command,
    "zrevrank" => zrevrank_command,
    "zcount" => zcount_command,
    "zlexcount" => zlexcount_command,
    "zscan" => zscan_command,
    "zremrangebyrank" => zremrangebyrank_command,
    "zremrangebyscore" => zremrangebyscore_command,
    "zremrangebylex" => zremrangebylex_command,
    "zrange" => super::range::zrange_command,
    "zrangestore" => super::range::zrangestore_command,
    "zrangebyscore" => super::range::zrangebyscore_command,
    "zrevrangebyscore" => super::range::zrevrangebyscore_command,
    "zrangebylex" => super::range::zrangebylex_command,
    "zrevrangebylex" => super::range::zrevrangebylex_command,
    "zrevrange" => super::range::zrevrange_command,
    "zpopmin" => super::range::zpopmin_command,
    "zpopmax" => super::range::zpopmax_command,
    "bzpopmin" => super::range::bzpopmin_command,
    "bzpopmax" => super::range::bzpopmax_command,
    "zmpop" => super::range::zmpop_command,
    "bzmpop" => super::range::bzmpop_command,
    "zunion" => super::algebra::zunion_command,
    "zinter" => super::algebra::zinter_command,
    "zdiff" => super::algebra::zdiff_command,
    "zunionstore" => super::algebra::zunionstore_command,
    "zinterstore" => super::algebra::zinterstore_command,
    "zdiffstore" => super::algebra::zdiffstore_command,
    "zintercard" => super::algebra::zintercard_command,
    "zrandmember" => super::random::zrandmember_command,
];

pub fn limits(srv: &Server) -> Limits {
    Limits {
        entries: srv.config.zset_max_listpack_entries.max(0) as usize,
        value: srv.config.zset_max_listpack_value.max(0) as usize,
    }
}

pub fn zset_read<'a>(
    srv: &'a mut Server,
    db: usize,
    key: &[u8],
) -> Result<Option<&'a mut ZSet>, CmdError> {
    match srv.lookup_read(db, key) {
        None => Ok(None),
        Some(Value::ZSet(z)) => Ok(Some(z)),
        Some(_) => Err(WRONGTYPE),
    }
}

pub fn zset_write<'a>(
    srv: &'a mut Server,
    db: usize,
    key: &[u8],
) -> Result<Option<&'a mut ZSet>, CmdError> {
    match srv.lookup_write(db, key) {
        None => Ok(None),
        Some(Value::ZSet(z)) => Ok(Some(z)),
        Some(_) => Err(WRONGTYPE),
    }
}

pub fn zset_at<'a>(srv: &'a mut Server, db: usize, key: &[u8]) -> &'a mut ZSet {
    match srv.dbs[db].dict.get_mut(key) {
        Some(Value::ZSet(z)) => z,
        _ => unreachable!("zset just ensured"),
    }
}

/// Parses the ZADD flags and checks them (`zaddGenericCommand`): returns
/// the flags, the index of the first score and CH.
fn zadd_flags(ctx: &Ctx, incr_cmd: bool) -> Result<(AddFlags, usize, bool), CmdError> {
    let mut f = AddFlags {
        incr: incr_cmd,
        ..AddFlags::default()
    };
    let mut ch = false;
    let mut i = 2;
    while i < ctx.argc() && !incr_cmd {
        match ctx.argv[i].to_ascii_lowercase().as_slice() {
            b"nx" => f.nx = true,
            b"xx" => f.xx = true,
            b"gt" => f.gt = true,
            b"lt" => f.lt = true,
            b"ch" => ch = true,
            b"incr" => f.incr = true,
            _ => break,
        }
        i += 1;
    }
    let elements = ctx.argc() - i;
    if elements % 2 == 1 || elements == 0 {
        return Err(SYNTAX);
    }
    if f.nx && f.xx {
        return Err(CmdError::err(
            "XX and NX options at the same time are not compatible",
        ));
    }
    if (f.nx && (f.gt || f.lt)) || (f.gt && f.lt) {
        return Err(CmdError::err(
            "GT, LT, and/or NX options at the same time are not compatible",
        ));
    }
    if f.incr && elements > 2 {
        return Err(CmdError::err(
            "INCR option supports a single increment-element pair",
        ));
    }
    Ok((f, i, ch))
}

fn zadd_generic(ctx: &mut Ctx, incr_cmd: bool) -> Result<(), CmdError> {
    let (f, scoreidx, ch) = zadd_flags(ctx, incr_cmd)?;
    let argv = ctx.argv;
    let pairs = &argv[scoreidx..];
    let scores = pairs
        .chunks(2)
        .map(|p| parse_score(&p[0]))
        .collect::<Result<Vec<f64>, _>>()?;
    let (key, db, lim) = (argv[1].as_slice(), ctx.client.db, limits(ctx.srv));
    if zset_write(ctx.srv, db, key)?.is_none() {
        if f.xx {
            reply_zadd(ctx, f, ch, 0, 0, None);
            return Ok(());
        }
        let z = ZSet::for_first(pairs[1].len(), lim);
        ctx.srv.db_add(db, key, Value::ZSet(Box::new(z)));
    }
    let z = zset_at(ctx.srv, db, key);
    let (mut added, mut updated) = (0, 0);
    let mut newscore = None;
    for (p, &score) in pairs.chunks(2).zip(&scores) {
        let (out, s) = z.add(&p[1], score, f, lim);
        match out {
            AddOut::Nan => {
                touched(ctx, key, f.incr, added + updated);
                return Err(CmdError::err("resulting score is not a number (NaN)"));
            }
            AddOut::Added => added += 1,
            AddOut::Updated => updated += 1,
            AddOut::Same | AddOut::Nop => {}
        }
        if out != AddOut::Nop {
            newscore = Some(s);
        }
    }
    reply_zadd(ctx, f, ch, added, updated, newscore);
    touched(ctx, key, f.incr, added + updated);
    Ok(())
}

fn touched(ctx: &mut Ctx, key: &[u8], incr: bool, changed: u64) {
    if changed > 0 {
        let db = ctx.client.db;
        ctx.srv.signal_modified_key(db, key);
        ctx.srv
            .notify(notify::ZSET, if incr { "zincr" } else { "zadd" }, key, db);
        coll::add_dirty(ctx.srv, changed);
    }
}

fn reply_zadd(
    ctx: &mut Ctx,
    f: AddFlags,
    ch: bool,
    added: u64,
    updated: u64,
    newscore: Option<f64>,
) {
    let r = &mut ctx.client.reply;
    if f.incr {
        match newscore {
            Some(s) => r.double(s),
            None => r.null(),
        }
    } else {
        r.int((if ch { added + updated } else { added }) as i64);
    }
}

fn zadd_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    zadd_generic(ctx, false)
}

fn zincrby_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    zadd_generic(ctx, true)
}

fn zrem_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let (key, db) = (ctx.argv[1].as_slice(), ctx.client.db);
    let Some(z) = zset_write(ctx.srv, db, key)? else {
        ctx.client.reply.int(0);
        return Ok(());
    };
    let mut deleted = 0;
    let mut emptied = false;
    for m in &ctx.argv[2..] {
        if z.remove(m) {
            deleted += 1;
            if z.is_empty() {
                emptied = true;
                break;
            }
        }
    }
    if emptied {
        ctx.srv.db_delete(db, key);
    }
    if deleted > 0 {
        ctx.srv.notify(notify::ZSET, "zrem", key, db);
        if emptied {
            ctx.srv.notify(notify::GENERIC, "del", key, db);
        }
        ctx.srv.signal_modified_key(db, key);
        coll::add_dirty(ctx.srv, deleted);
    }
    ctx.client.reply.int(deleted as i64);
    Ok(())
}

fn zcard_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let db = ctx.client.db;
    let n = zset_read(ctx.srv, db, &ctx.argv[1])?.map_or(0, |z| z.len());
    ctx.client.reply.int(n as i64);
    Ok(())
}

fn zscore_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let db = ctx.client.db;
    match zset_read(ctx.srv, db, &ctx.argv[1])?.and_then(|z| z.score(&ctx.argv[2])) {
        Some(s) => ctx.client.reply.double(s),
        None => ctx.client.reply.null(),
    }
    Ok(())
}

fn zmscore_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let db = ctx.client.db;
    let z = zset_read(ctx.srv, db, &ctx.argv[1])?;
    let r = &mut ctx.client.reply;
    r.array(ctx.argv.len() - 2);
    for m in &ctx.argv[2..] {
        match z.as_ref().and_then(|z| z.score(m)) {
            Some(s) => r.double(s),
            None => r.null(),
        }
    }
    Ok(())
}

fn zrank_generic(ctx: &mut Ctx, rev: bool) -> Result<(), CmdError> {
    let db = ctx.client.db;
    match zset_read(ctx.srv, db, &ctx.argv[1])?.and_then(|z| z.rank(&ctx.argv[2], rev)) {
        Some(r) => ctx.client.reply.int(r as i64),
        None => ctx.client.reply.null(),
    }
    Ok(())
}

fn zrank_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    zrank_generic(ctx, false)
}

fn zrevrank_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    zrank_generic(ctx, true)
}

fn zcount_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let r = parse_score_range(&ctx.argv[2], &ctx.argv[3])?;
    let db = ctx.client.db;
    let n = zset_read(ctx.srv, db, &ctx.argv[1])?.map_or(0, |z| {
        let (a, b) = z.score_span(&r);
        b - a
    });
    ctx.client.reply.int(n as i64);
    Ok(())
}

fn zlexcount_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let r = parse_lex_range(&ctx.argv[2], &ctx.argv[3])?;
    let db = ctx.client.db;
    let n = zset_read(ctx.srv, db, &ctx.argv[1])?.map_or(0, |z| {
        let (a, b) = z.lex_span(&r, false);
        b - a
    });
    ctx.client.reply.int(n as i64);
    Ok(())
}

fn zscan_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let cursor = coll::scan_cursor(ctx)?;
    let (db, argv) = (ctx.client.db, ctx.argv);
    let Some(z) = zset_read(ctx.srv, db, &argv[1])? else {
        coll::empty_scan(ctx);
        return Ok(());
    };
    let (next, items) = match z {
        ZSet::Listpack(lp) => {
            // The listpack's own strings, as Redis returns them.
            let items = lp.iter().map(|v| v.to_vec()).collect();
            coll::scan_elements(argv, cursor, true, ScanSource::All(items))?
        }
        ZSet::Skiplist(b) => {
            let mut step = |c: u64, out: &mut Vec<Vec<u8>>| {
                b.dict.scan(c, |e| {
                    out.push(e.key().to_vec());
                    out.push(fmt_g17(b.entry_score(e)).into_bytes());
                })
            };
            coll::scan_elements(argv, cursor, true, ScanSource::Cursor(&mut step))?
        }
    };
    coll::scan_reply(ctx, next, &items);
    Ok(())
}

/// Which ZREMRANGEBY* form.
enum RemRange {
    Rank(i64, i64),
    Score(crate::ds::skiplist::ScoreRange),
    Lex(crate::ds::skiplist::LexRange),
}

fn zremrange_generic(ctx: &mut Ctx, spec: RemRange) -> Result<(), CmdError> {
    let (key, db) = (ctx.argv[1].as_slice(), ctx.client.db);
    let Some(z) = zset_write(ctx.srv, db, key)? else {
        ctx.client.reply.int(0);
        return Ok(());
    };
    let len = z.len() as i64;
    let (a, b) = match &spec {
        RemRange::Rank(s, e) => {
            let (mut s, mut e) = (*s, *e);
            if s < 0 {
                s += len;
            }
            if e < 0 {
                e += len;
            }
            s = s.max(0);
            if s > e || s >= len {
                ctx.client.reply.int(0);
                return Ok(());
            }
            (s as usize, (e.min(len - 1) + 1) as usize)
        }
        RemRange::Score(r) => z.score_span(r),
        RemRange::Lex(r) => z.lex_span(r, false),
    };
    let removed = z.remove_span(a, b).len();
    let emptied = z.is_empty();
    if emptied {
        ctx.srv.db_delete(db, key);
    }
    if removed > 0 {
        let ev = match spec {
            RemRange::Rank(..) => "zremrangebyrank",
            RemRange::Score(_) => "zremrangebyscore",
            RemRange::Lex(_) => "zremrangebylex",
        };
        ctx.srv.signal_modified_key(db, key);
        ctx.srv.notify(notify::ZSET, ev, key, db);
        if emptied {
            ctx.srv.notify(notify::GENERIC, "del", key, db);
        }
        coll::add_dirty(ctx.srv, removed as u64);
    }
    ctx.client.reply.int(removed as i64);
    Ok(())
}

fn zremrangebyrank_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let (s, e) = (ctx.arg_i64(2)?, ctx.arg_i64(3)?);
    zremrange_generic(ctx, RemRange::Rank(s, e))
}

fn zremrangebyscore_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let r = parse_score_range(&ctx.argv[2], &ctx.argv[3])?;
    zremrange_generic(ctx, RemRange::Score(r))
}

fn zremrangebylex_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let r = parse_lex_range(&ctx.argv[2], &ctx.argv[3])?;
    zremrange_generic(ctx, RemRange::Lex(r))
}
