//! Key eviction (Redis evict.c `performEvictions`, `getMaxmemoryState`,
//! `evictionTimeProc`; server.c `processCommand`'s maxmemory step): when the
//! counted memory is over `maxmemory`, keys chosen by `maxmemory-policy` are
//! deleted until it is not, within a time budget set by
//! `maxmemory-eviction-tenacity`; what is left is done by a time event that
//! runs on every event loop iteration until memory is back under the limit.

use super::{ALLKEYS_RANDOM, VOLATILE_RANDOM};
use super::{FLAG_ALLKEYS, FLAG_LFU, FLAG_LRU, NO_EVICTION, VOLATILE_TTL};
use crate::cmd::meta::flags;
use crate::conn::Client;
use crate::error::CmdError;
use crate::server::Server;

/// The reply to a deny-oom command while memory cannot be freed.
pub const OOM: CmdError =
    CmdError::fixed("OOM command not allowed when used memory > 'maxmemory'.");

/// What an eviction run achieved (Redis EVICT_OK, EVICT_RUNNING, EVICT_FAIL).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Memory is under the limit, or evicting is not allowed right now.
    Ok,
    /// Still over the limit; the time event goes on evicting.
    Running,
    /// Over the limit with nothing left to evict.
    Fail,
}

/// Eviction state kept across calls (statics in Redis's evict.c).
#[derive(Debug, Default)]
pub struct EvictState {
    pub(super) pool: super::pool::Pool,
    /// The random policies' rotating database.
    next_db: usize,
    /// The eviction time event is scheduled (`isEvictionProcRunning`).
    pub proc_running: bool,
}

/// Bytes to free to get back under `maxmemory`, or None when under it
/// (`getMaxmemoryState`). Replica buffers and the AOF buffer do not count.
pub fn memory_to_free(srv: &Server) -> Option<u64> {
    let maxmemory = srv.config.maxmemory as u64;
    if maxmemory == 0 {
        return None;
    }
    let reported = crate::alloc::used_memory() as u64;
    if reported <= maxmemory {
        return None;
    }
    let not_counted = crate::introspection::info::not_counted_for_evict(srv);
    let used = reported.saturating_sub(not_counted);
    if used <= maxmemory {
        return None;
    }
    Some(used - maxmemory)
}

/// True when allocating `more` bytes would put the counted memory over
/// `maxmemory` (`overMaxmemoryAfterAlloc`).
pub fn over_maxmemory_after_alloc(srv: &Server, more: usize) -> bool {
    let maxmemory = srv.config.maxmemory as u64;
    if maxmemory == 0 {
        return false;
    }
    let used = crate::alloc::used_memory() as u64;
    if used + more as u64 <= maxmemory {
        return false;
    }
    let not_counted = crate::introspection::info::not_counted_for_evict(srv);
    used.saturating_sub(not_counted) + more as u64 > maxmemory
}

/// Before an insert into a database's main or expires dict: a table that
/// would grow may do so only if that keeps memory under maxmemory
/// (Redis `dictExpandAllowed` for the db dict types); a denied table grows
/// once its load factor passes 1.618. Costs one comparison when the
/// insert does not grow the table.
#[inline]
pub fn guard_growth(srv: &mut Server, db: usize, expires: bool) {
    let d = &srv.dbs[db];
    let growth = if expires {
        d.expires.growth_bytes()
    } else {
        d.dict.growth_bytes()
    };
    let Some(more) = growth else {
        return;
    };
    let allowed = !over_maxmemory_after_alloc(srv, more);
    let d = &mut srv.dbs[db];
    if expires {
        d.expires.expand_allowed = allowed;
    } else {
        d.dict.expand_allowed = allowed;
    }
}

/// The time one run may spend evicting (`evictionTimeLimitUs`): linear up to
/// 500us at tenacity 10, then 15% more per step, unlimited at 100.
pub fn time_limit_us(tenacity: i64) -> u64 {
    match tenacity {
        ..=10 => 50 * tenacity.max(0) as u64,
        11..=99 => (500.0 * 1.15f64.powf((tenacity - 10) as f64)) as u64,
        _ => u64::MAX,
    }
}

/// Evicting is skipped while loading, while clients are paused (the
/// dataset must stay as it is) and, later, on a replica that ignores
/// maxmemory (`isSafeToPerformEvictions`).
fn safe_to_evict(srv: &Server) -> bool {
    !srv.status.persistence.loading && !srv.pause.freezes_dataset(srv.time.mstime)
}

/// The processCommand step: evicts if needed, then refuses deny-oom
/// commands (and anything but EXEC, DISCARD, QUIT and RESET inside MULTI,
/// whose queue would grow) when memory could not be freed. Dispatch calls
/// it only when `maxmemory` is set.
pub fn check_oom(srv: &mut Server, c: &mut Client, cmd_id: usize) -> Result<(), CmdError> {
    let out_of_memory = perform_evictions(srv, Some(c)) == Outcome::Fail;
    // WATCH marks an eviction left for the running client.
    crate::multi::after_call(srv, c);
    if !out_of_memory {
        return Ok(());
    }
    let meta = srv.commands.cmds[cmd_id].meta;
    let denyoom = crate::multi::effective_flags(srv, c, cmd_id) & flags::DENYOOM != 0;
    let in_multi = c.mstate.active && !matches!(meta.name, "exec" | "discard" | "quit" | "reset");
    if denyoom || in_multi {
        return Err(OOM);
    }
    Ok(())
}

/// CONFIG SET maxmemory (`updateMaxmemory`): warns when the new limit is
/// already exceeded and lets the time event evict down to it.
pub fn update_maxmemory(srv: &mut Server) {
    let maxmemory = srv.config.maxmemory as u64;
    if maxmemory == 0 {
        return;
    }
    let not_counted = crate::introspection::info::not_counted_for_evict(srv);
    let used = (crate::alloc::used_memory() as u64).saturating_sub(not_counted);
    if maxmemory < used {
        srv.log.warning(&format!(
            "WARNING: the new maxmemory value set via CONFIG SET ({maxmemory}) is smaller than the current memory usage ({used}). This will result in key eviction and/or the inability to accept new write commands depending on the maxmemory-policy."
        ));
    }
    srv.ks.evict.proc_running = true;
}

/// At startup, a maxmemory under 1 MB is most likely a mistake (Redis
/// warns after "Ready to accept connections").
pub fn warn_small_maxmemory(srv: &Server) {
    let maxmemory = srv.config.maxmemory as u64;
    if maxmemory > 0 && maxmemory < 1024 * 1024 {
        srv.log.warning(&format!(
            "WARNING: You specified a maxmemory value that is less than 1MB (current value is {maxmemory} bytes). Are you sure this is what you really want?"
        ));
    }
}

/// The eviction time event (`evictionTimeProc`): one run per event loop
/// iteration while it is scheduled. Returns true while it must run again
/// at once.
pub fn time_proc(srv: &mut Server) -> bool {
    if !srv.ks.evict.proc_running {
        return false;
    }
    if perform_evictions(srv, None) == Outcome::Running {
        return true;
    }
    srv.ks.evict.proc_running = false;
    false
}

/// Evicts keys until memory is under the limit, the time budget is spent
/// (the time event then goes on) or nothing is left to evict
/// (`performEvictions`). `me` is the client about to run a command: its
/// tracking invalidations go before its reply.
pub fn perform_evictions(srv: &mut Server, mut me: Option<&mut Client>) -> Outcome {
    if !safe_to_evict(srv) {
        return Outcome::Ok;
    }
    let Some(to_free) = memory_to_free(srv) else {
        return update_metrics(srv, Outcome::Ok);
    };
    if srv.config.maxmemory_policy == NO_EVICTION {
        return update_metrics(srv, Outcome::Fail);
    }
    let limit_us = time_limit_us(srv.config.maxmemory_eviction_tenacity);
    let lazy = srv.config.lazyfree_lazy_eviction;
    let start = srv.mono.now_us();
    let (mut freed, mut keys_freed) = (0i64, 0u64);
    let mut result = Outcome::Fail;
    loop {
        if freed >= to_free as i64 {
            result = running_or_ok(srv);
            break;
        }
        let Some((db, key)) = select_key(srv) else {
            break;
        };
        freed += evict_key(srv, db, &key, me.as_deref_mut());
        keys_freed += 1;
        if keys_freed % 16 != 0 {
            continue;
        }
        // A background free lowers memory after the delete returned.
        if lazy && memory_to_free(srv).is_none() {
            result = running_or_ok(srv);
            break;
        }
        if srv.mono.now_us().saturating_sub(start) > limit_us {
            srv.ks.evict.proc_running = true;
            result = Outcome::Running;
            break;
        }
    }
    if result == Outcome::Fail && wait_for_lazyfree(srv, limit_us) {
        result = Outcome::Ok;
    }
    let ms = srv.mono.now_us().saturating_sub(start) / 1000;
    let threshold = srv.config.latency_monitor_threshold;
    let now = srv.time.unixtime;
    srv.latency
        .add_sample_if_needed(threshold, "eviction-cycle", ms, now);
    update_metrics(srv, result)
}

fn running_or_ok(srv: &Server) -> Outcome {
    if srv.ks.evict.proc_running {
        Outcome::Running
    } else {
        Outcome::Ok
    }
}

/// Nothing is left to evict, but the lazyfree thread may still be freeing
/// evicted values: wait for it a little (at most the time budget, capped at
/// a millisecond so the event loop never stalls), then look again.
fn wait_for_lazyfree(srv: &Server, limit_us: u64) -> bool {
    if srv.ks.lazyfree.pending_objects() == 0 {
        return false;
    }
    let start = srv.mono.now_us();
    let budget = limit_us.min(1000);
    while srv.ks.lazyfree.pending_objects() != 0 && srv.mono.now_us() - start < budget {
        std::thread::yield_now();
    }
    memory_to_free(srv).is_none()
}

/// Tracks the time spent over the limit (INFO total/current_eviction_exceeded_time).
fn update_metrics(srv: &mut Server, result: Outcome) -> Outcome {
    let now = srv.time.mstime.max(1);
    let st = &mut srv.stats;
    match result {
        Outcome::Running | Outcome::Fail => {
            if st.eviction_exceeded_since_ms == 0 {
                st.eviction_exceeded_since_ms = now;
            }
        }
        Outcome::Ok => {
            if st.eviction_exceeded_since_ms != 0 {
                let spent = (now - st.eviction_exceeded_since_ms).max(0) as u64;
                st.total_eviction_exceeded_time_ms += spent;
                st.eviction_exceeded_since_ms = 0;
            }
        }
    }
    result
}

/// The next key to evict under the policy, as (db, key).
fn select_key(srv: &mut Server) -> Option<(usize, Vec<u8>)> {
    let policy = srv.config.maxmemory_policy;
    if policy & (FLAG_LRU | FLAG_LFU) != 0 || policy == VOLATILE_TTL {
        return select_from_pool(srv, policy);
    }
    if policy == ALLKEYS_RANDOM || policy == VOLATILE_RANDOM {
        return select_random(srv, policy == ALLKEYS_RANDOM);
    }
    None
}

/// Samples every database into the pool, then takes its best live
/// candidate; again if all candidates were ghosts.
fn select_from_pool(srv: &mut Server, policy: i64) -> Option<(usize, Vec<u8>)> {
    let allkeys = policy & FLAG_ALLKEYS != 0;
    loop {
        let mut total = 0usize;
        for db in 0..srv.dbs.len() {
            total += populate(srv, db, policy);
        }
        if total == 0 {
            return None;
        }
        let dbs = &srv.dbs;
        let found = srv.ks.evict.pool.pop_best(|db, key| {
            let d = &dbs[db];
            if allkeys {
                d.dict.contains(key)
            } else {
                d.expires.contains(key)
            }
        });
        if found.is_some() {
            return found;
        }
    }
}

/// Adds `maxmemory-samples` keys of one database to the pool with their
/// scores (`evictionPoolPopulate`); returns the size of the sampled dict.
fn populate(srv: &mut Server, db: usize, policy: i64) -> usize {
    let now = srv.time.mstime;
    let decay = srv.config.lfu_decay_time;
    let samples = srv.config.maxmemory_samples.max(1) as usize;
    let pool = &mut srv.ks.evict.pool;
    let d = &mut srv.dbs[db];
    let score_of = |meta: u32| -> u64 {
        if policy & FLAG_LRU != 0 {
            super::idle_ms(meta, now)
        } else {
            255 - super::lfu_decr_and_return(meta, now, decay) as u64
        }
    };
    if policy & FLAG_ALLKEYS != 0 {
        let n = d.dict.len();
        if n == 0 {
            return 0;
        }
        for e in d.dict.sample(samples.min(n)) {
            pool.insert(score_of(e.key().meta()), db, e.key().bytes());
        }
        return n;
    }
    let n = d.expires.len();
    if n == 0 {
        return 0;
    }
    let dict = &d.dict;
    for e in d.expires.sample(samples.min(n)) {
        let key = e.key().bytes();
        let score = if policy == VOLATILE_TTL {
            // The sooner the expire, the better the candidate.
            u64::MAX.wrapping_sub(e.val as u64)
        } else {
            match dict.find(key) {
                Some(k) => score_of(k.key().meta()),
                None => continue,
            }
        };
        pool.insert(score, db, key);
    }
    n
}

/// A random key, visiting the databases in turn (allkeys-/volatile-random).
fn select_random(srv: &mut Server, allkeys: bool) -> Option<(usize, Vec<u8>)> {
    let ndb = srv.dbs.len();
    for _ in 0..ndb {
        srv.ks.evict.next_db = srv.ks.evict.next_db.wrapping_add(1);
        let db = srv.ks.evict.next_db % ndb;
        let d = &mut srv.dbs[db];
        let key = if allkeys {
            d.dict.random_entry().map(|e| e.key().bytes().to_vec())
        } else {
            d.expires.random_entry().map(|e| e.key().bytes().to_vec())
        };
        if let Some(k) = key {
            return Some((db, k));
        }
    }
    None
}

/// Deletes one key with everything an eviction entails: stats, the
/// `eviction-del` latency event, WATCH and tracking invalidation, the
/// `evicted` keyspace event and a DEL (UNLINK when lazy) to the AOF.
/// Returns the bytes the delete itself freed (may be negative).
fn evict_key(srv: &mut Server, db: usize, key: &[u8], me: Option<&mut Client>) -> i64 {
    let lazy = srv.config.lazyfree_lazy_eviction;
    let before = crate::alloc::used_memory() as i64;
    let start = srv.mono.now_us();
    srv.db_generic_delete(db, key, lazy);
    let ms = srv.mono.now_us().saturating_sub(start) / 1000;
    let delta = before - crate::alloc::used_memory() as i64;
    let threshold = srv.config.latency_monitor_threshold;
    let now = srv.time.unixtime;
    srv.latency
        .add_sample_if_needed(threshold, "eviction-del", ms, now);
    srv.stats.evicted_keys += 1;
    crate::multi::touch_watched_key(srv, db, key);
    crate::tracking::invalidate_key_by_server(srv, key, me);
    srv.notify(super::super::notify::EVICTED, "evicted", key, db);
    crate::propagate::propagate_deletion(srv, db, key, lazy);
    delta
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenacity_limits() {
        assert_eq!(time_limit_us(0), 0);
        assert_eq!(time_limit_us(10), 500);
        assert_eq!(time_limit_us(11), 575);
        assert!(time_limit_us(99) > 100_000_000);
        assert_eq!(time_limit_us(100), u64::MAX);
    }
}
