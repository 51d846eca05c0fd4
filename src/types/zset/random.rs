//! ZRANDMEMBER (Redis t_zset.c `zrandmemberCommand`,
//! `zrandmemberWithCountCommand`): the four strategies chosen by count.

use super::commands::zset_read;
use super::{Item, ZSet};
use crate::cmd::Ctx;
use crate::error::{CmdError, SYNTAX};
use crate::resp::Reply;
use crate::types::coll::{self, Rng};

const RANDOM_BATCH: usize = 1000;

pub fn zrandmember_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    if ctx.argc() >= 3 {
        return with_count(ctx);
    }
    let db = ctx.client.db;
    let mut rng = Rng::new(ctx);
    let m = match zset_read(ctx.srv, db, &ctx.argv[1])? {
        None => None,
        Some(ZSet::Listpack(lp)) => lp
            .random_pair(&mut || rng.next_u64())
            .map(|(e, _)| e.to_vec()),
        Some(ZSet::Skiplist(b)) => b.dict.fair_random().map(|e| e.key().to_vec()),
    };
    match m {
        Some(m) => ctx.client.reply.bulk(&m),
        None => ctx.client.reply.null(),
    }
    Ok(())
}

fn reply_len(r: &mut Reply, ws: bool, n: usize) {
    if ws && r.resp == 2 {
        r.array(n * 2);
    } else {
        r.array(n);
    }
}

fn reply_one(r: &mut Reply, ws: bool, e: &[u8], s: f64) {
    if ws && r.resp >= 3 {
        r.array(2);
    }
    r.bulk(e);
    if ws {
        r.double(s);
    }
}

fn lp_item(e: crate::ds::listpack::LpValue<'_>, s: crate::ds::listpack::LpValue<'_>) -> Item {
    let score = match s {
        crate::ds::listpack::LpValue::Int(i) => i as f64,
        crate::ds::listpack::LpValue::Str(b) => super::score::strtod(b).0,
    };
    (e.to_vec(), score)
}

fn with_count(ctx: &mut Ctx) -> Result<(), CmdError> {
    let l = coll::range_long(&ctx.argv[2])?;
    let ws = match ctx.argc() {
        3 => false,
        4 if ctx.arg_is(3, "withscores") => true,
        _ => return Err(SYNTAX),
    };
    if ws && !(-i64::MAX / 2..=i64::MAX / 2).contains(&l) {
        return Err(CmdError::err("value is out of range"));
    }
    let (count, uniq) = (l.unsigned_abs() as usize, l >= 0);
    let db = ctx.client.db;
    let mut rng = Rng::new(ctx);
    let stop_at = crate::conn::obuf_limits::reply_stop_at(ctx.srv, ctx.client);
    let Some(z) = zset_read(ctx.srv, db, &ctx.argv[1])? else {
        ctx.client.reply.array(0);
        return Ok(());
    };
    let r = &mut ctx.client.reply;
    if count == 0 {
        r.array(0);
        return Ok(());
    }
    let size = z.len();
    if !uniq || count == 1 {
        with_repeats(r, stop_at, z, ws, count, &mut rng);
        return Ok(());
    }
    // The whole set comes back from the highest score down, as in Redis.
    let picked = if count >= size {
        let mut all = z.items();
        all.reverse();
        all
    } else {
        distinct(z, count, &mut rng)
    };
    reply_len(r, ws, picked.len());
    for (e, s) in &picked {
        reply_one(r, ws, e, *s);
    }
    Ok(())
}

/// Case 1: `count` independent picks, repeats allowed.
/// Stops once the reply's blocks reach `stop_at` (`reply_stop_at`).
fn with_repeats(
    r: &mut Reply,
    stop_at: usize,
    z: &mut ZSet,
    ws: bool,
    count: usize,
    rng: &mut Rng,
) {
    reply_len(r, ws, count);
    match z {
        ZSet::Listpack(lp) => {
            let mut left = count;
            while left > 0 && r.out().blocks_memory() < stop_at {
                let n = left.min(RANDOM_BATCH);
                for (e, s) in lp.random_pairs(n, &mut || rng.next_u64()) {
                    let (e, s) = lp_item(e, s);
                    reply_one(r, ws, &e, s);
                }
                left -= n;
            }
        }
        ZSet::Skiplist(b) => {
            for _ in 0..count {
                if r.out().blocks_memory() >= stop_at {
                    break;
                }
                if let Some(e) = b.dict.fair_random() {
                    let (m, s) = (e.key().node(), b.sl.score(e.key().node()));
                    reply_one(r, ws, b.sl.ele(m), s);
                }
            }
        }
    }
}

/// Cases 2.5-4: `count` distinct members, fewer than the size.
fn distinct(z: &mut ZSet, count: usize, rng: &mut Rng) -> Vec<Item> {
    match z {
        ZSet::Listpack(lp) => lp
            .random_pairs_unique(count, &mut || rng.next_u64())
            .into_iter()
            .map(|(e, s)| lp_item(e, s))
            .collect(),
        ZSet::Skiplist(b) if count * 3 > b.sl.len() => {
            let mut all: Vec<Item> = b.sl.iter().map(|(e, s)| (e.to_vec(), s)).collect();
            while all.len() > count {
                let i = rng.below(all.len());
                all.swap_remove(i);
            }
            all
        }
        ZSet::Skiplist(b) => {
            let mut seen = std::collections::HashSet::new();
            let mut out = Vec::with_capacity(count);
            while out.len() < count {
                let Some(id) = b.dict.fair_random().map(|e| e.key().node()) else {
                    break;
                };
                if seen.insert(b.sl.ele(id).to_vec()) {
                    out.push((b.sl.ele(id).to_vec(), b.sl.score(id)));
                }
            }
            out
        }
    }
}
