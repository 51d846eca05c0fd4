//! HRANDFIELD (Redis t_hash.c `hrandfieldCommand`,
//! `hrandfieldWithCountCommand`): the four strategies chosen by count.

use super::commands::hash_read;
use super::Hash;
use crate::cmd::Ctx;
use crate::error::{CmdError, SYNTAX};
use crate::resp::Reply;
use crate::types::coll::{self, Rng};

/// Above this many picks the listpack is sampled in batches (as Redis does
/// to bound its temporary array).
const RANDOM_BATCH: usize = 1000;

pub fn hrandfield_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    if ctx.argc() >= 3 {
        return with_count(ctx);
    }
    let db = ctx.client.db;
    let mut rng = Rng::new(ctx);
    let field = match hash_read(ctx.srv, db, ctx.argv[1].as_slice())? {
        None => None,
        Some(Hash::Listpack(lp)) => lp
            .random_pair(&mut || rng.next_u64())
            .map(|(f, _)| f.to_vec()),
        Some(Hash::Table(d)) => d.fair_random().map(|e| e.key().field().to_vec()),
    };
    match field {
        Some(f) => ctx.client.reply.bulk(&f),
        None => ctx.client.reply.null(),
    }
    Ok(())
}

/// One field (and value) of the reply; RESP3 nests each pair in an array.
fn reply_pair(r: &mut Reply, withvalues: bool, f: &[u8], v: &[u8]) {
    if withvalues && r.resp >= 3 {
        r.array(2);
    }
    r.bulk(f);
    if withvalues {
        r.bulk(v);
    }
}

fn reply_len(r: &mut Reply, withvalues: bool, n: usize) {
    if withvalues && r.resp == 2 {
        r.array(n * 2);
    } else {
        r.array(n);
    }
}

fn with_count(ctx: &mut Ctx) -> Result<(), CmdError> {
    let l = coll::range_long(ctx.argv[2].as_slice())?;
    let withvalues = match ctx.argc() {
        3 => false,
        4 if ctx.arg_is(3, "withvalues") => true,
        _ => return Err(SYNTAX),
    };
    if withvalues && !(-i64::MAX / 2..=i64::MAX / 2).contains(&l) {
        return Err(CmdError::err("value is out of range"));
    }
    let (count, uniq) = (l.unsigned_abs() as usize, l >= 0);
    let db = ctx.client.db;
    let mut rng = Rng::new(ctx);
    let stop_at = crate::conn::obuf_limits::reply_stop_at(ctx.srv, ctx.client);
    let Some(h) = hash_read(ctx.srv, db, ctx.argv[1].as_slice())? else {
        ctx.client.reply.array(0);
        return Ok(());
    };
    let r = &mut ctx.client.reply;
    if count == 0 {
        r.array(0);
        return Ok(());
    }
    let size = h.len();
    if !uniq || count == 1 {
        with_repeats(r, stop_at, h, withvalues, count, &mut rng);
        return Ok(());
    }
    // Distinct fields from here on.
    if count >= size {
        let pairs = h.pairs();
        reply_len(r, withvalues, pairs.len());
        for (f, v) in &pairs {
            reply_pair(r, withvalues, f, v);
        }
        return Ok(());
    }
    let picked = match h {
        Hash::Listpack(lp) => lp
            .random_pairs_unique(count, &mut || rng.next_u64())
            .into_iter()
            .map(|(f, v)| (f.to_vec(), v.to_vec()))
            .collect(),
        Hash::Table(d) => unique_from_table(d, count, &mut rng),
    };
    reply_len(r, withvalues, picked.len());
    for (f, v) in &picked {
        reply_pair(r, withvalues, f, v);
    }
    Ok(())
}

/// Case 1: `count` independent picks, repeats allowed.
/// Stops once the reply's blocks reach `stop_at` (`reply_stop_at`).
fn with_repeats(
    r: &mut Reply,
    stop_at: usize,
    h: &mut Hash,
    withvalues: bool,
    count: usize,
    rng: &mut Rng,
) {
    reply_len(r, withvalues, count);
    match h {
        Hash::Listpack(lp) => {
            let mut left = count;
            while left > 0 && r.out().blocks_memory() < stop_at {
                let n = left.min(RANDOM_BATCH);
                for (f, v) in lp.random_pairs(n, &mut || rng.next_u64()) {
                    reply_pair(r, withvalues, &f.to_vec(), &v.to_vec());
                }
                left -= n;
            }
        }
        Hash::Table(d) => {
            for _ in 0..count {
                if r.out().blocks_memory() >= stop_at {
                    break;
                }
                if let Some(e) = d.fair_random() {
                    let (f, v) = e.key().parts();
                    reply_pair(r, withvalues, f, v);
                }
            }
        }
    }
}

/// `count` distinct pairs of a dict with fewer than `count` elements left
/// over: remove random ones from a copy when count is close to the size
/// (case 3), else draw until enough distinct ones (case 4).
fn unique_from_table(
    d: &mut super::HashTable,
    count: usize,
    rng: &mut Rng,
) -> Vec<(Vec<u8>, Vec<u8>)> {
    let size = d.len();
    if count * 3 > size {
        let mut all: Vec<_> = d
            .iter()
            .map(|e| {
                let (f, v) = e.key().parts();
                (f.to_vec(), v.to_vec())
            })
            .collect();
        while all.len() > count {
            let i = rng.below(all.len());
            all.swap_remove(i);
        }
        return all;
    }
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(count);
    while out.len() < count {
        let Some(e) = d.fair_random() else { break };
        if seen.insert(e.key().field().to_vec()) {
            out.push((e.key().field().to_vec(), e.key().value().to_vec()));
        }
    }
    out
}
