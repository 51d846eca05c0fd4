//! WATCH bookkeeping (Redis multi.c `watchForKey`, `touchWatchedKey`,
//! `touchAllWatchedKeysInDb`, `isWatchedKeyExpired`): which clients watch
//! which keys of which database, and marking them dirty on writes.

use std::collections::HashMap;

use crate::conn::Client;
use crate::server::Server;

/// One client watching one key.
#[derive(Debug, Clone, Copy)]
struct Watcher {
    token: usize,
    id: u64,
    /// The key was already logically expired when WATCH ran: its deletion
    /// is then no change (Redis `watchedKey.expired`).
    expired: bool,
}

/// Watched keys of every database. Indexed by database number, so SWAPDB
/// (which moves contents, not numbers) leaves the watches in place as Redis does.
#[derive(Default)]
pub struct Watches {
    per_db: Vec<HashMap<Vec<u8>, Vec<Watcher>>>,
    /// Clients marked dirty while out of the slab (the running client):
    /// applied by `multi::after_call`.
    pub pending_dirty: Vec<u64>,
}

impl Watches {
    fn db(&mut self, db: usize) -> &mut HashMap<Vec<u8>, Vec<Watcher>> {
        if self.per_db.len() <= db {
            self.per_db.resize_with(db + 1, HashMap::new);
        }
        &mut self.per_db[db]
    }

    /// Number of (key, client) watches across all databases.
    pub fn len(&self) -> usize {
        self.per_db
            .iter()
            .flat_map(|m| m.values())
            .map(|l| l.len())
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Removes client `id` from the watchers of each of `keys`.
    pub fn unwatch_keys(&mut self, id: u64, keys: Vec<(usize, Vec<u8>)>) {
        for (db, key) in keys {
            let Some(map) = self.per_db.get_mut(db) else {
                continue;
            };
            if let Some(list) = map.get_mut(&key) {
                list.retain(|w| w.id != id);
                if list.is_empty() {
                    map.remove(&key);
                }
            }
        }
    }

    /// The `expired` mark of client `id` on `key`.
    fn watched_as_expired(&self, db: usize, key: &[u8], id: u64) -> bool {
        self.per_db
            .get(db)
            .and_then(|m| m.get(key))
            .and_then(|l| l.iter().find(|w| w.id == id))
            .is_some_and(|w| w.expired)
    }
}

/// WATCH one key for `c` (`watchForKey`); a key watched twice counts once.
pub fn watch_key(srv: &mut Server, c: &mut Client, key: &[u8]) {
    let db = c.db;
    if c.mstate.watched.iter().any(|(d, k)| *d == db && k == key) {
        return;
    }
    let expired = srv.key_is_expired(db, key);
    srv.multi
        .db(db)
        .entry(key.to_vec())
        .or_default()
        .push(Watcher {
            token: c.token,
            id: c.id,
            expired,
        });
    c.mstate.watched.push((db, key.to_vec()));
}

/// True when a key `c` watches expired since WATCH (`isWatchedKeyExpired`).
pub fn watched_key_expired(srv: &Server, c: &Client) -> bool {
    c.mstate.watched.iter().any(|(db, key)| {
        !srv.multi.watched_as_expired(*db, key, c.id) && srv.key_is_expired(*db, key)
    })
}

/// Marks a client dirty; with `unwatch`, also drops all its watches as
/// nothing can make it clean again before EXEC.
fn mark_dirty(srv: &mut Server, token: usize, id: u64, unwatch: bool) {
    match srv.clients.get_mut(token) {
        Some(c) if c.id == id => {
            c.mstate.dirty_cas = true;
            if unwatch {
                let keys = std::mem::take(&mut c.mstate.watched);
                srv.multi.unwatch_keys(id, keys);
            }
        }
        _ => srv.multi.pending_dirty.push(id),
    }
}

/// A key was modified (`touchWatchedKey`): its watchers become dirty.
pub fn touch_watched_key(srv: &mut Server, db: usize, key: &[u8]) {
    let Some(map) = srv.multi.per_db.get_mut(db) else {
        return;
    };
    let Some(list) = map.get_mut(key) else {
        return;
    };
    let exists = srv.dbs[db].dict.contains(key);
    let mut dirty = Vec::new();
    for w in list.iter_mut() {
        if w.expired && !exists {
            // The already expired key was deleted: logically no change.
            w.expired = false;
            continue;
        }
        dirty.push((w.token, w.id));
    }
    for (token, id) in dirty {
        mark_dirty(srv, token, id, true);
    }
}

/// Database `emptied` is flushed, or swapped with `replaced_with`
/// (`touchAllWatchedKeysInDb`): watchers of keys whose existence or value
/// changes become dirty. Call before the contents change.
pub fn touch_all_in_db(srv: &mut Server, emptied: usize, replaced_with: Option<usize>) {
    let Some(map) = srv.multi.per_db.get(emptied) else {
        return;
    };
    if map.is_empty() {
        return;
    }
    let keys: Vec<Vec<u8>> = map.keys().cloned().collect();
    let mut dirty = Vec::new();
    for key in keys {
        let in_emptied = srv.dbs[emptied].dict.contains(&key);
        let in_other = replaced_with.is_some_and(|o| srv.dbs[o].dict.contains(&key));
        if !in_emptied && !in_other {
            continue;
        }
        let other_expired = in_other && replaced_with.is_some_and(|o| srv.key_is_expired(o, &key));
        let Some(list) = srv.multi.per_db[emptied].get_mut(&key) else {
            continue;
        };
        for w in list.iter_mut() {
            if w.expired {
                if !in_other {
                    // The expired key is just gone: no logical change.
                    w.expired = false;
                    continue;
                } else if other_expired {
                    continue;
                }
            } else if !in_emptied && other_expired {
                // A missing key replaced by an expired one: still missing.
                w.expired = true;
                continue;
            }
            dirty.push((w.token, w.id));
        }
    }
    for (token, id) in dirty {
        mark_dirty(srv, token, id, false);
    }
}
