//! The keyspace (Redis db.c, expire.c, evict.c, notify.c, lazyfree.c): the
//! databases with lookups and lazy expiry, the active expire cycle, access
//! data for eviction, keyspace notifications, lazy freeing, and the generic
//! key commands (DEL .. SCAN).

pub mod commands;
pub mod db;
pub mod debug_cmds;
pub mod digest;
pub mod evict;
pub mod expire;
pub mod expire_cmds;
pub mod key;
pub mod lazyfree;
pub mod notify;
pub mod object_cmds;
pub mod scan;

pub use db::Db;
pub use key::Key;

/// Runtime state of the keyspace besides the databases themselves.
#[derive(Default)]
pub struct State {
    /// Keyspace events fired and not yet delivered.
    pub events: notify::Notifications,
    pub lazyfree: lazyfree::LazyFree,
    /// The active expire cycle's and cron's position across calls.
    pub expire: expire::CycleState,
    /// Key eviction's pool and time-event state (evict/perform.rs).
    pub evict: evict::EvictState,
    rng: u64,
}

impl State {
    pub fn new() -> State {
        State {
            rng: 0x9E37_79B9_7F4A_7C15 ^ crate::event_loop::clock::unix_us() as u64,
            ..State::default()
        }
    }

    /// A pseudo-random u64 (xorshift64*), for sampling and LFU increments.
    pub fn random(&mut self) -> u64 {
        let mut x = self.rng | 1;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A uniform float in [0, 1].
    pub fn random_unit(&mut self) -> f64 {
        (self.random() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Creates the configured number of empty databases.
pub fn new_dbs(n: i64) -> Vec<Db> {
    (0..n.max(1) as usize).map(Db::new).collect()
}
