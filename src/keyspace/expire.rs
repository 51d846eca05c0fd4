//! Active expiry and database housekeeping (Redis expire.c
//! `activeExpireCycle`, server.c `databasesCron`): sample keys with a TTL in
//! each database, repeat while more than the acceptable share of the sample
//! had expired, within a time budget; resize and rehash the dicts in cron.

use crate::event_loop::clock;
use crate::server::Server;

const KEYS_PER_LOOP: u64 = 20;
const FAST_DURATION_US: u64 = 1000;
const SLOW_TIME_PERC: u64 = 25;
const ACCEPTABLE_STALE: u64 = 10;
/// Databases visited per cron call (CRON_DBS_PER_CALL).
const DBS_PER_CALL: usize = 16;

/// Slow cycles run from cron; fast ones from before-sleep.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum CycleKind {
    Slow,
    Fast,
}

/// The cycle's state across calls (statics in Redis).
#[derive(Default, Debug)]
pub struct CycleState {
    current_db: usize,
    timelimit_exit: bool,
    last_fast_cycle_us: i64,
    resize_db: usize,
    rehash_db: usize,
}

/// Parameters scaled by `active-expire-effort`.
struct Effort {
    keys_per_loop: u64,
    fast_duration: u64,
    slow_time_perc: u64,
    acceptable_stale: u64,
}

fn effort(level: i64) -> Effort {
    let e = (level.clamp(1, 10) - 1) as u64;
    Effort {
        keys_per_loop: KEYS_PER_LOOP + KEYS_PER_LOOP / 4 * e,
        fast_duration: FAST_DURATION_US + FAST_DURATION_US / 4 * e,
        slow_time_perc: SLOW_TIME_PERC + 2 * e,
        acceptable_stale: ACCEPTABLE_STALE - e,
    }
}

/// One active expire cycle (`activeExpireCycle`).
pub fn active_expire_cycle(srv: &mut Server, kind: CycleKind) {
    // A client pause keeps the dataset constant, expiry included.
    if srv.pause.freezes_dataset(srv.time.mstime) {
        return;
    }
    let eff = effort(srv.config.active_expire_effort);
    let start = clock::unix_us();
    if kind == CycleKind::Fast {
        let st = &srv.ks.expire;
        // Redis compares the 0..1 fraction with the percentage here, so only
        // a time-capped slow cycle starts fast cycles; kept as is.
        // stats.expired_stale_perc is in percent (as INFO shows it); Redis
        // keeps the 0..1 fraction and compares that here.
        let fraction = srv.stats.expired_stale_perc / 100.0;
        if !st.timelimit_exit && fraction < eff.acceptable_stale as f64 {
            return;
        }
        if start < st.last_fast_cycle_us + eff.fast_duration as i64 * 2 {
            return;
        }
        srv.ks.expire.last_fast_cycle_us = start;
    }
    let ndb = srv.dbs.len();
    let mut dbs_per_call = DBS_PER_CALL;
    if dbs_per_call > ndb || srv.ks.expire.timelimit_exit {
        dbs_per_call = ndb;
    }
    let hz = srv.effective_hz().max(1) as u64;
    let mut timelimit = (eff.slow_time_perc * 1_000_000 / hz / 100).max(1);
    if kind == CycleKind::Fast {
        timelimit = eff.fast_duration;
    }
    srv.ks.expire.timelimit_exit = false;
    let (mut total_sampled, mut total_expired) = (0u64, 0u64);
    let mut iteration = 0u64;
    for _ in 0..dbs_per_call {
        if srv.ks.expire.timelimit_exit {
            break;
        }
        let db = srv.ks.expire.current_db % ndb;
        srv.ks.expire.current_db = srv.ks.expire.current_db.wrapping_add(1);
        loop {
            iteration += 1;
            let Some((sampled, expired)) = expire_db_pass(srv, db, &eff) else {
                break;
            };
            total_sampled += sampled;
            total_expired += expired;
            if iteration & 0xf == 0 {
                let elapsed = (clock::unix_us() - start).max(0) as u64;
                if elapsed > timelimit {
                    srv.ks.expire.timelimit_exit = true;
                    srv.stats.expired_time_cap_reached_count += 1;
                    break;
                }
            }
            if sampled != 0 && expired * 100 / sampled <= eff.acceptable_stale {
                break;
            }
        }
    }
    let elapsed = (clock::unix_us() - start).max(0) as u64;
    srv.stats.expire_cycle_time_used_us += elapsed;
    let perc = if total_sampled > 0 {
        total_expired as f64 / total_sampled as f64
    } else {
        0.0
    };
    let prev = srv.stats.expired_stale_perc / 100.0;
    srv.stats.expired_stale_perc = (perc * 0.05 + prev * 0.95) * 100.0;
}

/// One sampling pass over `db`'s expires table; None when there is nothing
/// worth sampling. Returns (sampled, expired).
fn expire_db_pass(srv: &mut Server, db: usize, eff: &Effort) -> Option<(u64, u64)> {
    let d = &mut srv.dbs[db];
    let num = d.expires.len() as u64;
    if num == 0 {
        d.avg_ttl = 0;
        return None;
    }
    let slots = d.expires.slots() as u64;
    if slots > crate::ds::dict::INITIAL_SIZE as u64 && num * 100 / slots < 1 {
        return None;
    }
    let now = clock::unix_ms();
    let num = num.min(eff.keys_per_loop);
    let max_buckets = num * 20;
    let (mut sampled, mut checked) = (0u64, 0u64);
    let mut due: Vec<Vec<u8>> = Vec::new();
    let (mut ttl_sum, mut ttl_samples) = (0i64, 0i64);
    while sampled < num && checked < max_buckets {
        for t in 0..2 {
            if t == 1 && !d.expires.is_rehashing() {
                break;
            }
            checked += 1;
            d.expires.visit_bucket(t, d.expires_cursor, |e| {
                let ttl = e.val - now;
                if now > e.val {
                    due.push(e.key().bytes().to_vec());
                }
                if ttl > 0 {
                    // Expires near i64::MAX overflow the sum; Redis's long
                    // long wraps, and a panic here would be client-made.
                    ttl_sum = ttl_sum.wrapping_add(ttl);
                    ttl_samples += 1;
                }
                sampled += 1;
            });
        }
        d.expires_cursor = d.expires_cursor.wrapping_add(1);
    }
    if ttl_samples > 0 {
        let avg = ttl_sum / ttl_samples;
        if d.avg_ttl == 0 {
            d.avg_ttl = avg;
        }
        d.avg_ttl = (d.avg_ttl / 50) * 49 + avg / 50;
    }
    let expired = due.len() as u64;
    for k in due {
        srv.delete_expired_key(db, &k);
    }
    Some((sampled, expired))
}

/// Cron's database work (`databasesCron`): active expiry, then shrinking and
/// incremental rehashing of the dicts.
pub fn databases_cron(srv: &mut Server) {
    if srv.debug.active_expire_enabled {
        active_expire_cycle(srv, CycleKind::Slow);
    }
    // No resizing or rehashing in cron while a child shares our pages.
    if srv.status.persistence.has_child() {
        return;
    }
    let ndb = srv.dbs.len();
    let per_call = DBS_PER_CALL.min(ndb);
    for _ in 0..per_call {
        let i = srv.ks.expire.resize_db % ndb;
        srv.dbs[i].dict.shrink_if_needed();
        srv.dbs[i].expires.shrink_if_needed();
        srv.ks.expire.resize_db = srv.ks.expire.resize_db.wrapping_add(1);
    }
    if srv.config.activerehashing {
        for _ in 0..per_call {
            let i = srv.ks.expire.rehash_db % ndb;
            if incrementally_rehash(srv, i) {
                break;
            }
            srv.ks.expire.rehash_db = (srv.ks.expire.rehash_db + 1) % ndb;
        }
    }
}

/// Rehashes one database's dicts for about a millisecond (`incrementallyRehash`).
fn incrementally_rehash(srv: &mut Server, db: usize) -> bool {
    let start = clock::unix_us();
    let deadline = || clock::unix_us() - start >= 1000;
    let d = &mut srv.dbs[db];
    if d.dict.is_rehashing() {
        d.dict.rehash_for(deadline);
        return true;
    }
    if d.expires.is_rehashing() {
        d.expires.rehash_for(deadline);
        return true;
    }
    false
}

/// Before-sleep's fast expire cycle.
pub fn before_sleep(srv: &mut Server) {
    if srv.debug.active_expire_enabled {
        active_expire_cycle(srv, CycleKind::Fast);
    }
    crate::pubsub::notify::deliver(srv, None);
}
