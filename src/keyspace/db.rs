//! Databases (Redis db.c): the main dict and the expires dict of each
//! database, and the low-level API every command uses: lookups with lazy
//! expiry and access tracking, add, overwrite, delete, and expire times.
//!
//! These are methods on `Server` because a lookup touches several parts of
//! it at once (the database, the stats, the notification queue, the lazyfree
//! thread); each method borrows only the fields it needs internally.

use super::evict::{self, AccessPolicy};
use super::key::Key;
use super::notify;
use crate::ds::dict::Dict;
use crate::server::Server;
use crate::types::Value;

/// One database (Redis `redisDb`).
pub struct Db {
    pub id: usize,
    pub dict: Dict<Key, Value>,
    /// Keys with a time to live: key -> unix time in ms.
    pub expires: Dict<Key, i64>,
    /// Average TTL estimated by the active expire cycle (INFO keyspace avg_ttl).
    pub avg_ttl: i64,
    /// Where the active expire cycle's scan of `expires` stopped.
    pub expires_cursor: u64,
}

impl Db {
    pub fn new(id: usize) -> Db {
        Db {
            id,
            dict: Dict::new(),
            expires: Dict::new(),
            avg_ttl: 0,
            expires_cursor: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.dict.len()
    }

    pub fn is_empty(&self) -> bool {
        self.dict.is_empty()
    }

    /// The INFO keyspace line ("db0:keys=1,expires=0,avg_ttl=0"), None when empty.
    pub fn info_line(&self) -> Option<String> {
        if self.is_empty() {
            return None;
        }
        Some(format!(
            "db{}:keys={},expires={},avg_ttl={}",
            self.id,
            self.dict.len(),
            self.expires.len(),
            self.avg_ttl
        ))
    }

    /// The expire time of `key` in ms, or -1 (`getExpire`).
    pub fn expire_of(&self, key: &[u8]) -> i64 {
        if self.expires.is_empty() {
            return -1;
        }
        self.expires.get(key).copied().unwrap_or(-1)
    }
}

/// Lookup flags (Redis LOOKUP_*).
pub mod lookup {
    /// Do not update the key's access data.
    pub const NOTOUCH: u32 = 1 << 0;
    /// Do not fire the key-miss event.
    pub const NONOTIFY: u32 = 1 << 1;
    /// Do not count a hit or a miss.
    pub const NOSTATS: u32 = 1 << 2;
    /// A lookup for writing: deletes an expired key even on a replica, no stats.
    pub const WRITE: u32 = 1 << 3;
}

impl Server {
    /// The access-data rules in force.
    pub fn access_policy(&self) -> AccessPolicy {
        AccessPolicy {
            policy: self.config.maxmemory_policy,
            lfu_log_factor: self.config.lfu_log_factor,
            lfu_decay_time: self.config.lfu_decay_time,
        }
    }

    /// Whether new integer values may be shared objects (OBJECT REFCOUNT).
    pub fn share_integers(&self) -> bool {
        evict::share_integers(self.config.maxmemory_policy, self.config.maxmemory)
    }

    /// Fires a keyspace event (`notifyKeyspaceEvent`).
    pub fn notify(&mut self, class: i64, event: &'static str, key: &[u8], db: usize) {
        self.ks
            .events
            .fire(self.config.notify_keyspace_events, class, event, key, db);
    }

    /// A key's value changed (`signalModifiedKey`): WATCH invalidation;
    /// client-side caching hooks in here when it lands.
    pub fn signal_modified_key(&mut self, db: usize, key: &[u8]) {
        crate::multi::touch_watched_key(self, db, key);
        crate::tracking::invalidate_key(self, key);
    }

    /// True when `key` has an expire time in the past (`keyIsExpired`).
    pub fn key_is_expired(&self, db: usize, key: &[u8]) -> bool {
        // Nothing expires while a dataset loads; it is done afterwards.
        if self.status.persistence.loading {
            return false;
        }
        let when = self.dbs[db].expire_of(key);
        when >= 0 && self.time.mstime > when
    }

    /// True when an expire time given to a command is already past, so the
    /// command deletes the key instead (`checkAlreadyExpired`); never while
    /// loading, where the key keeps its past expire and goes later.
    pub fn check_already_expired(&self, when: i64) -> bool {
        when <= self.time.mstime && !self.status.persistence.loading
    }

    /// Deletes `key` if it is logically expired; returns true if it was
    /// (`expireIfNeeded`).
    pub fn expire_if_needed(&mut self, db: usize, key: &[u8], _force_delete: bool) -> bool {
        if !self.key_is_expired(db, key) {
            return false;
        }
        // Paused clients see the key gone, but it is deleted after the pause.
        if self.pause.freezes_dataset(self.time.mstime) {
            return true;
        }
        self.delete_expired_key(db, key);
        true
    }

    /// Deletes an expired key with its event and stats (`deleteExpiredKeyAndPropagate`).
    pub fn delete_expired_key(&mut self, db: usize, key: &[u8]) {
        let lazy = self.config.lazyfree_lazy_expire;
        self.db_generic_delete(db, key, lazy);
        crate::propagate::propagate_deletion(self, db, key, lazy);
        self.notify(notify::EXPIRED, "expired", key, db);
        crate::tracking::next_change_by_server(self);
        self.signal_modified_key(db, key);
        self.stats.expired_keys += 1;
    }

    /// Finds a live key (`lookupKey`): expired keys are deleted on the way,
    /// access data and hit/miss stats are updated as `flags` allow.
    pub fn lookup_key(&mut self, db: usize, key: &[u8], flags: u32) -> Option<&mut Value> {
        // An expired key a pause keeps in place is still missing to readers.
        let expired = self.expire_if_needed(db, key, flags & lookup::WRITE != 0);
        let count = flags & (lookup::NOSTATS | lookup::WRITE) == 0;
        let touch = flags & lookup::NOTOUCH == 0;
        let policy = self.access_policy();
        let now = self.time.mstime;
        let r = if touch && evict::is_lfu(policy.policy) {
            self.ks.random_unit()
        } else {
            0.0
        };
        let found = if expired {
            None
        } else {
            self.dbs[db].dict.find_mut(key)
        };
        match found {
            Some(e) => {
                if touch {
                    let m = policy.touched(e.key().meta(), now, r);
                    e.key_meta_mut().set_meta(m);
                }
                if count {
                    self.stats.keyspace_hits += 1;
                }
                Some(&mut e.val)
            }
            None => {
                if flags & (lookup::NONOTIFY | lookup::WRITE) == 0 {
                    self.ks.events.fire(
                        self.config.notify_keyspace_events,
                        notify::KEY_MISS,
                        "keymiss",
                        key,
                        db,
                    );
                }
                if count {
                    self.stats.keyspace_misses += 1;
                }
                None
            }
        }
    }

    /// `lookupKeyRead`.
    pub fn lookup_read(&mut self, db: usize, key: &[u8]) -> Option<&mut Value> {
        self.lookup_key(db, key, 0)
    }

    /// `lookupKeyWrite`.
    pub fn lookup_write(&mut self, db: usize, key: &[u8]) -> Option<&mut Value> {
        self.lookup_key(db, key, lookup::WRITE)
    }

    /// True when a live `key` exists, without touching or counting it.
    pub fn key_exists(&mut self, db: usize, key: &[u8]) -> bool {
        self.lookup_key(
            db,
            key,
            lookup::NOTOUCH | lookup::NOSTATS | lookup::NONOTIFY,
        )
        .is_some()
    }

    /// Adds a key the caller knows is absent (`dbAdd`).
    pub fn db_add(&mut self, db: usize, key: &[u8], val: Value) {
        let meta = evict::initial_meta(self.config.maxmemory_policy, self.time.mstime);
        evict::perform::guard_growth(self, db, false);
        self.dbs[db].dict.insert_new(Key::new(key, meta), val);
        self.notify(notify::NEW, "new", key, db);
        crate::blocking::signal_key_as_ready(self, db, key);
    }

    /// Replaces the value of an existing key, keeping its TTL (`dbOverwrite`).
    pub fn db_overwrite(&mut self, db: usize, key: &[u8], val: Value) {
        let lfu = evict::is_lfu(self.config.maxmemory_policy);
        let now_meta = evict::lru_clock(self.time.mstime);
        let Some(e) = self.dbs[db].dict.find_mut(key) else {
            return;
        };
        // Under LFU the new value inherits the counter; under LRU it is new now.
        if !lfu {
            e.key_meta_mut().set_meta(now_meta);
        }
        let old = std::mem::replace(&mut e.val, val);
        crate::types::stream::readgroup::signal_deleted_stream(self, db, &old, key);
        if self.config.lazyfree_lazy_server_del {
            self.ks.lazyfree.free_value(old);
        }
    }

    /// Sets `key` to `val`, creating or overwriting it (`setKey`). The TTL is
    /// removed unless `keep_ttl`.
    pub fn set_key(&mut self, db: usize, key: &[u8], val: Value, keep_ttl: bool) {
        if self.lookup_write(db, key).is_some() {
            self.db_overwrite(db, key, val);
        } else {
            self.db_add(db, key, val);
        }
        if !keep_ttl {
            self.remove_expire(db, key);
        }
        self.signal_modified_key(db, key);
    }

    /// Removes a key, freeing its value here or in the background (`dbGenericDelete`).
    pub fn db_generic_delete(&mut self, db: usize, key: &[u8], lazy: bool) -> bool {
        let d = &mut self.dbs[db];
        let Some((_, val)) = d.dict.remove(key) else {
            return false;
        };
        if !d.expires.is_empty() {
            d.expires.remove(key);
        }
        crate::types::stream::readgroup::signal_deleted_stream(self, db, &val, key);
        if lazy {
            self.ks.lazyfree.free_value(val);
        }
        true
    }

    /// `dbDelete`: a deletion made by the server itself.
    pub fn db_delete(&mut self, db: usize, key: &[u8]) -> bool {
        let lazy = self.config.lazyfree_lazy_server_del;
        self.db_generic_delete(db, key, lazy)
    }

    /// Sets the expire time of an existing key (`setExpire`).
    pub fn set_expire(&mut self, db: usize, key: &[u8], when_ms: i64) {
        let d = &mut self.dbs[db];
        if let Some(e) = d.expires.find_mut(key) {
            e.val = when_ms;
        } else if d.dict.contains(key) {
            evict::perform::guard_growth(self, db, true);
            self.dbs[db].expires.insert_new(Key::new(key, 0), when_ms);
        }
    }

    /// Removes the expire time of `key`; true if it had one (`removeExpire`).
    pub fn remove_expire(&mut self, db: usize, key: &[u8]) -> bool {
        let d = &mut self.dbs[db];
        !d.expires.is_empty() && d.expires.remove(key).is_some()
    }

    /// The expire time of `key` in ms, or -1 (`getExpire`).
    pub fn get_expire(&self, db: usize, key: &[u8]) -> i64 {
        self.dbs[db].expire_of(key)
    }
}
