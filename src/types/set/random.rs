//! SPOP and SRANDMEMBER (Redis t_set.c `spopCommand`,
//! `spopWithCountCommand`, `srandmemberWithCountCommand`): the strategies
//! chosen by count.

use super::commands::{set_read, set_write};
use super::Set;
use crate::cmd::Ctx;
use crate::error::{CmdError, SYNTAX};
use crate::keyspace::notify;
use crate::types::coll::{self, Rng};
use crate::util::num::string2ll;

/// SPOP count: popping more than size/5 moves the survivors to a new set
/// instead (SPOP_MOVE_STRATEGY_MUL).
const SPOP_MOVE_STRATEGY_MUL: usize = 5;
/// SRANDMEMBER count: above size/3 a copy is trimmed instead of sampled
/// (SRANDMEMBER_SUB_STRATEGY_MUL).
const SRANDMEMBER_SUB_STRATEGY_MUL: usize = 3;

fn reply_set(ctx: &mut Ctx, members: &[Vec<u8>]) {
    let r = &mut ctx.client.reply;
    r.set(members.len());
    for m in members {
        r.bulk(m);
    }
}

/// The whole set as Redis replies it for large counts: through SUNION,
/// whose fresh intset iterates in order when every member is an integer.
fn as_union_order(s: &Set) -> Vec<Vec<u8>> {
    let mut u = Set::new_intset();
    s.for_each(|m| {
        u.add(m, usize::MAX);
    });
    u.members()
}

pub fn spop_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    match ctx.argc() {
        3 => return spop_with_count(ctx),
        n if n > 3 => return Err(SYNTAX),
        _ => {}
    }
    let (key, db) = (ctx.argv[1].as_slice(), ctx.client.db);
    let mut rng = Rng::new(ctx);
    let Some(s) = set_write(ctx.srv, db, key)? else {
        ctx.client.reply.null();
        return Ok(());
    };
    let Some(m) = s.random(&mut rng) else {
        ctx.client.reply.null();
        return Ok(());
    };
    s.remove(&m);
    let emptied = s.is_empty();
    ctx.srv.notify(notify::SET, "spop", key, db);
    ctx.client.reply.bulk(&m);
    // The random choice is made once: replicas and the AOF get SREM.
    ctx.propagate_replace(crate::propagate::argv(&[b"SREM", key, &m]));
    if emptied {
        ctx.srv.db_delete(db, key);
        ctx.srv.notify(notify::GENERIC, "del", key, db);
    }
    ctx.srv.signal_modified_key(db, key);
    coll::add_dirty(ctx.srv, 1);
    Ok(())
}

fn spop_with_count(ctx: &mut Ctx) -> Result<(), CmdError> {
    // Any unparsable or negative count gets the same message in Redis.
    let count = string2ll(&ctx.argv[2])
        .filter(|&v| v >= 0)
        .ok_or_else(|| CmdError::err("value is out of range, must be positive"))?
        as usize;
    let (key, db) = (ctx.argv[1].as_slice(), ctx.client.db);
    let mut rng = Rng::new(ctx);
    let Some(s) = set_write(ctx.srv, db, key)? else {
        ctx.client.reply.set(0);
        return Ok(());
    };
    if count == 0 {
        ctx.client.reply.set(0);
        return Ok(());
    }
    let size = s.len();
    let popped: Vec<Vec<u8>>;
    let mut emptied = false;
    if count >= size {
        popped = as_union_order(s);
        emptied = true;
    } else if count * SPOP_MOVE_STRATEGY_MUL > size {
        // Move the survivors out; what stays behind is the reply.
        let mut keep = match s {
            Set::Intset(_) => Set::new_intset(),
            Set::Table(_) => Set::Table(super::SetTable::new()),
        };
        for _ in 0..size - count {
            if let Some(m) = s.random(&mut rng) {
                s.remove(&m);
                keep.add(&m, usize::MAX);
            }
        }
        popped = s.members();
        *s = keep;
    } else {
        let mut out = Vec::with_capacity(count);
        for _ in 0..count {
            if let Some(m) = s.random(&mut rng) {
                s.remove(&m);
                out.push(m);
            }
        }
        popped = out;
    }
    ctx.srv.notify(notify::SET, "spop", key, db);
    reply_set(ctx, &popped);
    if emptied {
        ctx.srv.db_delete(db, key);
        ctx.srv.notify(notify::GENERIC, "del", key, db);
    }
    ctx.srv.signal_modified_key(db, key);
    coll::add_dirty(ctx.srv, popped.len() as u64);
    propagate_spop_count(ctx, key, db, &popped, emptied);
    Ok(())
}

/// SPOP with a count goes out as DEL/UNLINK when it took the whole set,
/// else as one SREM per member (wrapped in MULTI/EXEC when several).
fn propagate_spop_count(ctx: &mut Ctx, key: &[u8], db: usize, popped: &[Vec<u8>], emptied: bool) {
    use crate::propagate::argv;
    if emptied {
        let cmd: &[u8] = if ctx.srv.config.lazyfree_lazy_server_del {
            b"UNLINK"
        } else {
            b"DEL"
        };
        ctx.propagate_replace(argv(&[cmd, key]));
        return;
    }
    for m in popped {
        ctx.also_propagate(db, argv(&[b"SREM", key, m]));
    }
    ctx.prevent_propagation();
}

pub fn srandmember_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    match ctx.argc() {
        3 => return srandmember_with_count(ctx),
        n if n > 3 => return Err(SYNTAX),
        _ => {}
    }
    let db = ctx.client.db;
    let mut rng = Rng::new(ctx);
    match set_read(ctx.srv, db, &ctx.argv[1])?.and_then(|s| s.random(&mut rng)) {
        Some(m) => ctx.client.reply.bulk(&m),
        None => ctx.client.reply.null(),
    }
    Ok(())
}

fn srandmember_with_count(ctx: &mut Ctx) -> Result<(), CmdError> {
    let l = coll::range_long(&ctx.argv[2])?;
    let (count, uniq) = (l.unsigned_abs() as usize, l >= 0);
    let db = ctx.client.db;
    let mut rng = Rng::new(ctx);
    let stop_at = crate::conn::obuf_limits::reply_stop_at(ctx.srv, ctx.client);
    let Some(s) = set_read(ctx.srv, db, &ctx.argv[1])? else {
        ctx.client.reply.array(0);
        return Ok(());
    };
    if count == 0 {
        ctx.client.reply.array(0);
        return Ok(());
    }
    let size = s.len();
    if !uniq || count == 1 {
        let r = &mut ctx.client.reply;
        r.array(count);
        for _ in 0..count {
            if r.out().blocks_memory() >= stop_at {
                break;
            }
            if let Some(m) = s.random(&mut rng) {
                r.bulk(&m);
            }
        }
        return Ok(());
    }
    if count >= size {
        // An array even in RESP3 (unlike SPOP), as Redis 7.0 replies.
        let all = as_union_order(s);
        let r = &mut ctx.client.reply;
        r.array(all.len());
        for m in &all {
            r.bulk(m);
        }
        return Ok(());
    }
    let picked = if count * SRANDMEMBER_SUB_STRATEGY_MUL > size {
        let mut all = s.members();
        while all.len() > count {
            let i = rng.below(all.len());
            all.swap_remove(i);
        }
        all
    } else {
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::with_capacity(count);
        while out.len() < count {
            let Some(m) = s.random(&mut rng) else { break };
            if seen.insert(m.clone()) {
                out.push(m);
            }
        }
        out
    };
    let r = &mut ctx.client.reply;
    r.array(picked.len());
    for m in &picked {
        r.bulk(m);
    }
    Ok(())
}
