//! Set algebra (Redis t_set.c `sinterGenericCommand`,
//! `sunionDiffGenericCommand`): SMEMBERS, SINTER, SINTERCARD, SINTERSTORE,
//! SUNION, SUNIONSTORE, SDIFF, SDIFFSTORE.

use super::commands::max_intset;
use super::Set;
use crate::cmd::Ctx;
use crate::error::{CmdError, SYNTAX, WRONGTYPE};
use crate::keyspace::notify;
use crate::types::coll;
use crate::types::Value;
use crate::util::num::string2ll;

/// Looks every key up (lazy expiry, stats) and checks types; returns which
/// keys hold a set.
fn lookup_all(ctx: &mut Ctx, keys: &[Vec<u8>]) -> Result<Vec<bool>, CmdError> {
    let db = ctx.client.db;
    let mut found = Vec::with_capacity(keys.len());
    for k in keys {
        found.push(match ctx.srv.lookup_read(db, k) {
            None => false,
            Some(Value::Set(_)) => true,
            Some(_) => return Err(WRONGTYPE),
        });
    }
    Ok(found)
}

/// Borrowed sets for the keys that hold one (None for missing keys).
fn borrow_sets<'a>(
    srv: &'a crate::server::Server,
    db: usize,
    keys: &[Vec<u8>],
) -> Vec<Option<&'a Set>> {
    keys.iter()
        .map(|k| match srv.dbs[db].dict.get(k) {
            Some(Value::Set(s)) => Some(&**s),
            _ => None,
        })
        .collect()
}

/// Stores a computed set at `dst` or deletes `dst` when it is empty, and
/// replies with its size.
fn store(ctx: &mut Ctx, dst: &[u8], result: Set, event: &'static str) {
    let db = ctx.client.db;
    let n = result.len();
    if n > 0 {
        ctx.srv
            .set_key(db, dst, Value::Set(Box::new(result)), false);
        ctx.client.reply.int(n as i64);
        ctx.srv.notify(notify::SET, event, dst, db);
        coll::add_dirty(ctx.srv, 1);
    } else {
        ctx.client.reply.int(0);
        delete_dst(ctx, dst);
    }
}

fn delete_dst(ctx: &mut Ctx, dst: &[u8]) {
    let db = ctx.client.db;
    if ctx.srv.db_delete(db, dst) {
        coll::add_dirty(ctx.srv, 1);
        ctx.srv.signal_modified_key(db, dst);
        ctx.srv.notify(notify::GENERIC, "del", dst, db);
    }
}

/// What an intersection produces.
#[derive(Clone, Copy, PartialEq, Eq)]
enum InterOut<'a> {
    Reply,
    Card(usize),
    Store(&'a [u8]),
}

fn sinter_generic(ctx: &mut Ctx, keys: &[Vec<u8>], out: InterOut<'_>) -> Result<(), CmdError> {
    let found = lookup_all(ctx, keys)?;
    if found.iter().any(|f| !f) {
        match out {
            InterOut::Store(dst) => {
                delete_dst(ctx, dst);
                ctx.client.reply.int(0);
            }
            InterOut::Card(_) => ctx.client.reply.int(0),
            InterOut::Reply => ctx.client.reply.set(0),
        }
        return Ok(());
    }
    let db = ctx.client.db;
    let max = max_intset(ctx.srv);
    let mut sets: Vec<&Set> = borrow_sets(ctx.srv, db, keys)
        .into_iter()
        .flatten()
        .collect();
    // Iterate the smallest set, probing the others.
    sets.sort_by_key(|s| s.len());
    let limit = match out {
        InterOut::Card(l) if l > 0 => l,
        _ => usize::MAX,
    };
    let mut hits: Vec<Vec<u8>> = Vec::new();
    let mut count = 0usize;
    for m in sets[0].members() {
        if sets[1..].iter().all(|s| s.contains(&m)) {
            count += 1;
            if !matches!(out, InterOut::Card(_)) {
                hits.push(m);
            }
            if count >= limit {
                break;
            }
        }
    }
    match out {
        InterOut::Card(_) => ctx.client.reply.int(count as i64),
        InterOut::Reply => {
            let r = &mut ctx.client.reply;
            r.set(hits.len());
            for h in &hits {
                r.bulk(h);
            }
        }
        InterOut::Store(dst) => {
            let mut result = Set::new_intset();
            for h in &hits {
                result.add(h, max);
            }
            store(ctx, dst, result, "sinterstore");
        }
    }
    Ok(())
}

/// SMEMBERS is SINTER of one key in Redis 7.0.
pub fn smembers_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    sinter_generic(ctx, &ctx.argv[1..2], InterOut::Reply)
}

pub fn sinter_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    sinter_generic(ctx, &ctx.argv[1..], InterOut::Reply)
}

pub fn sinterstore_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    sinter_generic(ctx, &ctx.argv[2..], InterOut::Store(&ctx.argv[1]))
}

/// SINTERCARD numkeys key [key ...] [LIMIT limit]
pub fn sintercard_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let numkeys = string2ll(&ctx.argv[1])
        .filter(|&n| n >= 1)
        .ok_or_else(|| CmdError::err("numkeys should be greater than 0"))?
        as usize;
    if numkeys > ctx.argc() - 2 {
        return Err(CmdError::err(
            "Number of keys can't be greater than number of args",
        ));
    }
    let mut limit = 0usize;
    let mut j = 2 + numkeys;
    while j < ctx.argc() {
        if ctx.arg_is(j, "limit") && j + 1 < ctx.argc() {
            limit = string2ll(&ctx.argv[j + 1])
                .filter(|&l| l >= 0)
                .ok_or_else(|| CmdError::err("LIMIT can't be negative"))?
                as usize;
            j += 2;
        } else {
            return Err(SYNTAX);
        }
    }
    sinter_generic(ctx, &ctx.argv[2..2 + numkeys], InterOut::Card(limit))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Union,
    Diff,
}

/// SUNION/SDIFF and their STORE forms (`sunionDiffGenericCommand`).
fn sunion_diff_generic(
    ctx: &mut Ctx,
    keys: &[Vec<u8>],
    dst: Option<&[u8]>,
    op: Op,
) -> Result<(), CmdError> {
    lookup_all(ctx, keys)?;
    let db = ctx.client.db;
    let max = max_intset(ctx.srv);
    let sets = borrow_sets(ctx.srv, db, keys);
    // The same key as the first one later on makes a difference empty.
    let sameset = keys[1..].iter().any(|k| *k == keys[0]) && sets[0].is_some();
    let mut result = Set::new_intset();
    match op {
        Op::Union => {
            for s in sets.iter().flatten() {
                s.for_each(|m| {
                    result.add(m, max);
                });
            }
        }
        Op::Diff if sameset => {}
        Op::Diff => {
            if let Some(first) = sets[0] {
                diff_into(first, &sets[1..], &mut result, max);
            }
        }
    }
    match dst {
        None => {
            let members = result.members();
            let r = &mut ctx.client.reply;
            r.set(members.len());
            for m in &members {
                r.bulk(m);
            }
        }
        Some(d) => store(
            ctx,
            d,
            result,
            if op == Op::Union {
                "sunionstore"
            } else {
                "sdiffstore"
            },
        ),
    }
    Ok(())
}

/// The members of `first` in none of `others`. Redis picks between probing
/// every other set per member (algorithm 1) and removing the other sets'
/// members from a copy (algorithm 2) by estimated work; both give the same
/// set, so the choice only bounds the time taken.
fn diff_into(first: &Set, others: &[Option<&Set>], result: &mut Set, max: usize) {
    let others: Vec<&Set> = others.iter().flatten().copied().collect();
    let one = first.len() * (others.len() + 1) / 2;
    let two: usize = first.len() + others.iter().map(|s| s.len()).sum::<usize>();
    if one <= two {
        let mut rev = others.clone();
        rev.sort_by_key(|s| std::cmp::Reverse(s.len()));
        first.for_each(|m| {
            if !rev.iter().any(|s| s.contains(m)) {
                result.add(m, max);
            }
        });
    } else {
        first.for_each(|m| {
            result.add(m, max);
        });
        for s in others {
            if result.is_empty() {
                break;
            }
            s.for_each(|m| {
                result.remove(m);
            });
        }
    }
}

pub fn sunion_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    sunion_diff_generic(ctx, &ctx.argv[1..], None, Op::Union)
}

pub fn sunionstore_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    sunion_diff_generic(ctx, &ctx.argv[2..], Some(&ctx.argv[1]), Op::Union)
}

pub fn sdiff_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    sunion_diff_generic(ctx, &ctx.argv[1..], None, Op::Diff)
}

pub fn sdiffstore_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    sunion_diff_generic(ctx, &ctx.argv[2..], Some(&ctx.argv[1]), Op::Diff)
}
