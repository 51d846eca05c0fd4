//! Sorted set algebra (Redis t_zset.c `zunionInterDiffGenericCommand`):
//! ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD. Plain sets are
//! accepted as inputs with every score 1.

use super::commands::limits;
use super::score::parse_score;
use super::{Item, ZSet};
use crate::cmd::Ctx;
use crate::error::{CmdError, SYNTAX, WRONGTYPE};
use crate::keyspace::notify;
use crate::types::coll;
use crate::types::Value;
use crate::util::num::string2ll;
use std::collections::HashMap;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Union,
    Inter,
    Diff,
}

#[derive(Clone, Copy)]
enum Agg {
    Sum,
    Min,
    Max,
}

fn aggregate(agg: Agg, a: f64, b: f64) -> f64 {
    match agg {
        Agg::Sum => {
            let s = a + b;
            // inf + -inf: Redis stores 0 rather than NaN.
            if s.is_nan() {
                0.0
            } else {
                s
            }
        }
        Agg::Min => a.min(b),
        Agg::Max => a.max(b),
    }
}

/// The input at `key` as member/score pairs (None when missing).
fn input(ctx: &mut Ctx, key: &[u8]) -> Result<Option<Vec<Item>>, CmdError> {
    let db = ctx.client.db;
    // A read lookup even for the STORE forms (keymiss events, stats).
    Ok(match ctx.srv.lookup_read(db, key) {
        None => None,
        Some(Value::ZSet(z)) => Some(z.items()),
        Some(Value::Set(s)) => Some(s.members().into_iter().map(|m| (m, 1.0)).collect()),
        Some(_) => return Err(WRONGTYPE),
    })
}

/// Parsed options after the keys.
struct Opts {
    weights: Vec<f64>,
    agg: Agg,
    withscores: bool,
    limit: usize,
}

fn parse_opts(
    ctx: &Ctx,
    from: usize,
    n: usize,
    op: Op,
    store: bool,
    card: bool,
) -> Result<Opts, CmdError> {
    let argv = ctx.argv;
    let mut o = Opts {
        weights: vec![1.0; n],
        agg: Agg::Sum,
        withscores: false,
        limit: 0,
    };
    let mut j = from;
    while j < argv.len() {
        let remaining = argv.len() - j - 1;
        let a = argv[j].to_ascii_lowercase();
        if card && a == b"limit" && remaining >= 1 {
            o.limit = string2ll(&argv[j + 1])
                .filter(|&l| l >= 0)
                .ok_or_else(|| CmdError::err("LIMIT can't be negative"))?
                as usize;
            j += 2;
        } else if !card && op != Op::Diff && a == b"weights" && remaining >= n {
            for i in 0..n {
                o.weights[i] = parse_score(&argv[j + 1 + i])
                    .map_err(|_| CmdError::err("weight value is not a float"))?;
            }
            j += n + 1;
        } else if !card && op != Op::Diff && a == b"aggregate" && remaining >= 1 {
            o.agg = match argv[j + 1].to_ascii_lowercase().as_slice() {
                b"sum" => Agg::Sum,
                b"min" => Agg::Min,
                b"max" => Agg::Max,
                _ => return Err(SYNTAX),
            };
            j += 2;
        } else if !card && !store && a == b"withscores" {
            o.withscores = true;
            j += 1;
        } else {
            return Err(SYNTAX);
        }
    }
    Ok(o)
}

fn weighted(w: f64, s: f64) -> f64 {
    let v = w * s;
    if v.is_nan() {
        0.0
    } else {
        v
    }
}

/// The intersection, walking the smallest input and probing the others.
fn intersect(srcs: &[Option<Vec<Item>>], o: &Opts) -> Vec<Item> {
    let mut out = Vec::new();
    if srcs.iter().any(|s| s.as_ref().is_none_or(|v| v.is_empty())) {
        return out;
    }
    let mut order: Vec<usize> = (0..srcs.len()).collect();
    order.sort_by_key(|&i| srcs[i].as_ref().map_or(0, |v| v.len()));
    let maps: Vec<HashMap<&[u8], f64>> = srcs
        .iter()
        .map(|s| {
            s.iter()
                .flatten()
                .map(|(e, v)| (e.as_slice(), *v))
                .collect()
        })
        .collect();
    let first = order[0];
    'outer: for (e, s) in srcs[first].iter().flatten() {
        let mut score = weighted(o.weights[first], *s);
        for &i in &order[1..] {
            let Some(v) = maps[i].get(e.as_slice()) else {
                continue 'outer;
            };
            score = aggregate(o.agg, score, weighted(o.weights[i], *v));
        }
        out.push((e.clone(), score));
    }
    out
}

/// Computes the result of `op` over the inputs, sorted as a sorted set.
fn compute(op: Op, srcs: &[Option<Vec<Item>>], o: &Opts) -> Vec<Item> {
    let mut out: Vec<Item> = Vec::new();
    match op {
        Op::Union => {
            let mut acc: HashMap<Vec<u8>, f64> = HashMap::new();
            for (i, src) in srcs.iter().enumerate() {
                for (e, s) in src.iter().flatten() {
                    let v = weighted(o.weights[i], *s);
                    acc.entry(e.clone())
                        .and_modify(|x| *x = aggregate(o.agg, *x, v))
                        .or_insert(v);
                }
            }
            out.extend(acc);
        }
        Op::Inter => out = intersect(srcs, o),
        Op::Diff => {
            if let Some(first) = &srcs[0] {
                let others: Vec<HashMap<&[u8], ()>> = srcs[1..]
                    .iter()
                    .map(|s| {
                        s.iter()
                            .flatten()
                            .map(|(e, _)| (e.as_slice(), ()))
                            .collect()
                    })
                    .collect();
                for (e, s) in first {
                    if !others.iter().any(|m| m.contains_key(e.as_slice())) {
                        out.push((e.clone(), *s));
                    }
                }
            }
        }
    }
    // Scores compare as C doubles (-0 equals 0, then the member decides), as
    // in the skiplist Redis builds the result in; total_cmp puts -0 first.
    out.sort_by(|a, b| {
        a.1.partial_cmp(&b.1)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| a.0.cmp(&b.0))
    });
    out
}

fn generic(
    ctx: &mut Ctx,
    numkeys_idx: usize,
    dst: Option<&[u8]>,
    op: Op,
    card: bool,
) -> Result<(), CmdError> {
    let argv = ctx.argv;
    let numkeys = ctx.arg_i64(numkeys_idx)?;
    if numkeys < 1 {
        return Err(CmdError::err(format!(
            "at least 1 input key is needed for '{}' command",
            ctx.fullname()
        )));
    }
    if numkeys as usize > argv.len() - numkeys_idx - 1 {
        return Err(SYNTAX);
    }
    let n = numkeys as usize;
    let keys = &argv[numkeys_idx + 1..numkeys_idx + 1 + n];
    let mut srcs = Vec::with_capacity(n);
    for k in keys {
        srcs.push(input(ctx, k)?);
    }
    let o = parse_opts(ctx, numkeys_idx + 1 + n, n, op, dst.is_some(), card)?;
    let result = compute(op, &srcs, &o);
    if card {
        let c = if o.limit > 0 {
            result.len().min(o.limit)
        } else {
            result.len()
        };
        ctx.client.reply.int(c as i64);
        return Ok(());
    }
    match dst {
        None => super::range::reply_items(&mut ctx.client.reply, &result, o.withscores),
        Some(d) => store(ctx, d, result, op),
    }
    Ok(())
}

fn store(ctx: &mut Ctx, dst: &[u8], items: Vec<Item>, op: Op) {
    let (db, lim) = (ctx.client.db, limits(ctx.srv));
    if items.is_empty() {
        ctx.client.reply.int(0);
        if ctx.srv.db_delete(db, dst) {
            ctx.srv.signal_modified_key(db, dst);
            ctx.srv.notify(notify::GENERIC, "del", dst, db);
            coll::add_dirty(ctx.srv, 1);
        }
        return;
    }
    let n = items.len();
    let mut z = ZSet::Skiplist(Box::default());
    for (e, s) in &items {
        z.add(e, *s, super::AddFlags::default(), lim);
    }
    z.shrink_if_fits(lim);
    ctx.srv.set_key(db, dst, Value::ZSet(Box::new(z)), false);
    ctx.client.reply.int(n as i64);
    let ev = match op {
        Op::Union => "zunionstore",
        Op::Inter => "zinterstore",
        Op::Diff => "zdiffstore",
    };
    ctx.srv.notify(notify::ZSET, ev, dst, db);
    coll::add_dirty(ctx.srv, 1);
}

pub fn zunion_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    generic(ctx, 1, None, Op::Union, false)
}

pub fn zinter_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    generic(ctx, 1, None, Op::Inter, false)
}

pub fn zdiff_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    generic(ctx, 1, None, Op::Diff, false)
}

pub fn zunionstore_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let argv = ctx.argv;
    generic(ctx, 2, Some(&argv[1]), Op::Union, false)
}

pub fn zinterstore_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let argv = ctx.argv;
    generic(ctx, 2, Some(&argv[1]), Op::Inter, false)
}

pub fn zdiffstore_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let argv = ctx.argv;
    generic(ctx, 2, Some(&argv[1]), Op::Diff, false)
}

pub fn zintercard_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    generic(ctx, 1, None, Op::Inter, true)
}
