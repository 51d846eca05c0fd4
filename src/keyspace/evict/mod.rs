//! The eviction policy's access data (Redis evict.c): the LRU clock and the
//! LFU logarithmic counter kept with each key, which OBJECT IDLETIME and
//! OBJECT FREQ report. `maxmemory-policy` decides which of the two is kept.
//! Eviction itself is in `perform.rs`, its candidate pool in `pool.rs`.

pub mod perform;
pub mod pool;

pub use perform::{check_oom, perform_evictions, time_proc, update_maxmemory, EvictState, Outcome};

pub const FLAG_LRU: i64 = 1 << 0;
pub const FLAG_LFU: i64 = 1 << 1;
pub const FLAG_ALLKEYS: i64 = 1 << 2;

pub const VOLATILE_LRU: i64 = FLAG_LRU;
pub const VOLATILE_LFU: i64 = (1 << 8) | FLAG_LFU;
pub const VOLATILE_TTL: i64 = 2 << 8;
pub const VOLATILE_RANDOM: i64 = 3 << 8;
pub const ALLKEYS_LRU: i64 = (4 << 8) | FLAG_LRU | FLAG_ALLKEYS;
pub const ALLKEYS_LFU: i64 = (5 << 8) | FLAG_LFU | FLAG_ALLKEYS;
pub const ALLKEYS_RANDOM: i64 = (6 << 8) | FLAG_ALLKEYS;
pub const NO_EVICTION: i64 = 7 << 8;

/// The values of `maxmemory-policy`, in Redis's order.
pub const POLICIES: &[(&str, i64)] = &[
    ("volatile-lru", VOLATILE_LRU),
    ("volatile-lfu", VOLATILE_LFU),
    ("volatile-random", VOLATILE_RANDOM),
    ("volatile-ttl", VOLATILE_TTL),
    ("allkeys-lru", ALLKEYS_LRU),
    ("allkeys-lfu", ALLKEYS_LFU),
    ("allkeys-random", ALLKEYS_RANDOM),
    ("noeviction", NO_EVICTION),
];

/// LRU clock bits and resolution (LRU_BITS, LRU_CLOCK_RESOLUTION).
pub const LRU_CLOCK_MAX: u32 = (1 << 24) - 1;
const LRU_CLOCK_RESOLUTION_MS: i64 = 1000;
/// A new key's LFU counter (LFU_INIT_VAL).
pub const LFU_INIT_VAL: u32 = 5;

pub fn is_lfu(policy: i64) -> bool {
    policy & FLAG_LFU != 0
}

/// Integers are not shared under LRU/LFU policies with a maxmemory set,
/// so every key keeps its own access data (MAXMEMORY_FLAG_NO_SHARED_INTEGERS).
pub fn share_integers(policy: i64, maxmemory: i64) -> bool {
    maxmemory == 0 || policy & (FLAG_LRU | FLAG_LFU) == 0
}

/// The LRU clock (`getLRUClock`): seconds, 24 bits.
pub fn lru_clock(now_ms: i64) -> u32 {
    ((now_ms / LRU_CLOCK_RESOLUTION_MS) as u64 & LRU_CLOCK_MAX as u64) as u32
}

/// Milliseconds since the access recorded in `lru` (`estimateObjectIdleTime`).
pub fn idle_ms(lru: u32, now_ms: i64) -> u64 {
    let clock = lru_clock(now_ms);
    let lru = lru & LRU_CLOCK_MAX;
    let ticks = if clock >= lru {
        clock - lru
    } else {
        clock + (LRU_CLOCK_MAX - lru)
    };
    ticks as u64 * LRU_CLOCK_RESOLUTION_MS as u64
}

/// Minutes, 16 bits (`LFUGetTimeInMinutes`).
fn lfu_minutes(now_ms: i64) -> u32 {
    ((now_ms / 1000 / 60) & 65535) as u32
}

/// Minutes since `ldt`, with 16-bit wrap (`LFUTimeElapsed`).
fn lfu_elapsed(ldt: u32, now_ms: i64) -> u32 {
    let now = lfu_minutes(now_ms);
    if now >= ldt {
        now - ldt
    } else {
        65535 - ldt + now
    }
}

/// The counter after decay for the time passed (`LFUDecrAndReturn`).
pub fn lfu_decr_and_return(meta: u32, now_ms: i64, decay_time: i64) -> u32 {
    let ldt = meta >> 8;
    let counter = meta & 255;
    let periods = if decay_time > 0 {
        lfu_elapsed(ldt, now_ms) as i64 / decay_time
    } else {
        0
    };
    if periods > 0 {
        if periods > counter as i64 {
            0
        } else {
            counter - periods as u32
        }
    } else {
        counter
    }
}

/// Logarithmic increment (`LFULogIncr`); `r` is uniform in [0, 1].
fn lfu_log_incr(counter: u32, log_factor: i64, r: f64) -> u32 {
    if counter == 255 {
        return 255;
    }
    let base = counter.saturating_sub(LFU_INIT_VAL) as f64;
    let p = 1.0 / (base * log_factor as f64 + 1.0);
    if r < p {
        counter + 1
    } else {
        counter
    }
}

/// Access data for a new key.
pub fn initial_meta(policy: i64, now_ms: i64) -> u32 {
    if is_lfu(policy) {
        (lfu_minutes(now_ms) << 8) | LFU_INIT_VAL
    } else {
        lru_clock(now_ms)
    }
}

/// The policy's knobs and a random source, for `touched`.
#[derive(Clone, Copy, Debug)]
pub struct AccessPolicy {
    pub policy: i64,
    pub lfu_log_factor: i64,
    pub lfu_decay_time: i64,
}

impl AccessPolicy {
    /// Access data after an access (`lookupKey`'s LRU/LFU update).
    pub fn touched(&self, meta: u32, now_ms: i64, r: f64) -> u32 {
        if is_lfu(self.policy) {
            let c = lfu_decr_and_return(meta, now_ms, self.lfu_decay_time);
            let c = lfu_log_incr(c, self.lfu_log_factor, r);
            (lfu_minutes(now_ms) << 8) | c
        } else {
            lru_clock(now_ms)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lru_idle_wraps() {
        let now = 5_000_000_000i64;
        assert_eq!(idle_ms(lru_clock(now - 10_000), now), 10_000);
        assert_eq!(idle_ms(LRU_CLOCK_MAX - 5, 3000), 8000);
    }

    #[test]
    fn lfu_counts_and_decays() {
        let p = AccessPolicy {
            policy: ALLKEYS_LFU,
            lfu_log_factor: 10,
            lfu_decay_time: 1,
        };
        let now = 60_000 * 100;
        let mut m = initial_meta(ALLKEYS_LFU, now);
        assert_eq!(m & 255, LFU_INIT_VAL);
        m = p.touched(m, now, 0.0);
        assert_eq!(m & 255, 6);
        assert_eq!(lfu_decr_and_return(m, now + 60_000 * 3, 1), 3);
        assert_eq!(lfu_decr_and_return(m, now + 60_000 * 30, 1), 0);
    }
}
