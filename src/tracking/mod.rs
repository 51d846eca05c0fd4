//! Client-side caching (Redis tracking.c): the table of keys read by tracking
//! clients, the BCAST prefix table, and the invalidation messages sent when
//! those keys change, expire or are flushed. The CLIENT subcommands live in
//! `commands.rs`, message building and delivery in `deliver.rs`.
//!
//! Hooks elsewhere call in with one line each: dispatch (before a command
//! and around its handler), `Server::after_call`, `signal_modified_key`,
//! `empty_data`, before-sleep, cron, RESET and client free.

pub mod commands;
mod deliver;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::cmd::meta::{flags, CommandMeta};
use crate::conn::Client;
use crate::server::Server;

pub use commands::COMMANDS;
use deliver::{send, Body};

/// One client's tracking state (Redis `CLIENT_TRACKING*` flags,
/// `client_tracking_redirection`, `client_tracking_prefixes`).
#[derive(Debug, Default)]
pub struct ClientTracking {
    pub on: bool,
    pub bcast: bool,
    pub optin: bool,
    pub optout: bool,
    /// CLIENT CACHING was given for the next command.
    pub caching: bool,
    pub noloop: bool,
    /// The redirect client went away (CLIENT LIST flag `R`).
    pub broken_redir: bool,
    /// Client id invalidations go to; 0 for none.
    pub redirect: u64,
    /// BCAST prefixes, in byte order as Redis's radix tree lists them.
    pub prefixes: BTreeSet<Vec<u8>>,
}

/// Clients in BCAST mode for one prefix and the keys under it modified
/// since the last before-sleep (Redis `bcastState`).
#[derive(Debug, Default)]
struct Bcast {
    /// Client id -> slab token.
    clients: BTreeMap<u64, usize>,
    /// Key -> id of the client that modified it last (0: none), for NOLOOP.
    keys: BTreeMap<Vec<u8>, u64>,
}

/// Server-wide tracking state (Redis `TrackingTable`, `PrefixTable`,
/// `server.tracking_pending_keys`).
#[derive(Debug, Default)]
pub struct Tracking {
    /// Tracked keys with the ids of the clients that may cache them. A Vec
    /// plus an index, so the table limit can pick a random key in O(1).
    /// Ids are kept as little-endian bytes: Redis's radix tree orders them so.
    keys: Vec<(Vec<u8>, BTreeSet<[u8; 8]>)>,
    index: HashMap<Vec<u8>, usize>,
    /// Sum of the clients of every key (`tracking_total_items`).
    items: u64,
    prefixes: BTreeMap<Vec<u8>, Bcast>,
    /// Clients with tracking on: id -> slab token.
    clients: BTreeMap<u64, usize>,
    /// Clients named as a REDIRECT target and still connected: id -> token.
    targets: HashMap<u64, usize>,
    /// The client running a command (Redis `server.current_client`), 0 when none.
    current: u64,
    /// Invalidations for the running client, sent after its reply (a key, or
    /// None for a flush). Redis `server.tracking_pending_keys`.
    pending: Vec<Option<Vec<u8>>>,
    /// Frames for the running client as a redirect target, written while its
    /// command runs: they go before its reply.
    immediate: Vec<Vec<u8>>,
    /// The next change has no client behind it (an expiry): BCAST NOLOOP
    /// clients hear of it even when it happens inside their command.
    anonymous: bool,
    /// Rounds the table limit ended still over the limit (its effort grows).
    limit_rounds: u32,
    rng: u64,
}

impl Tracking {
    /// Number of tracked keys (`tracking_total_keys`).
    pub fn total_keys(&self) -> usize {
        self.keys.len()
    }

    /// Adds `id` to the clients of `key`.
    fn remember(&mut self, key: &[u8], id: u64) {
        let i = match self.index.get(key) {
            Some(&i) => i,
            None => {
                self.keys.push((key.to_vec(), BTreeSet::new()));
                self.index.insert(key.to_vec(), self.keys.len() - 1);
                self.keys.len() - 1
            }
        };
        if self.keys[i].1.insert(id.to_le_bytes()) {
            self.items += 1;
        }
    }

    /// Removes `key` from the table and returns its clients.
    fn take(&mut self, key: &[u8]) -> Option<BTreeSet<[u8; 8]>> {
        let i = self.index.remove(key)?;
        let (_, ids) = self.keys.swap_remove(i);
        if i < self.keys.len() {
            let moved = self.keys[i].0.clone();
            self.index.insert(moved, i);
        }
        self.items -= ids.len() as u64;
        Some(ids)
    }

    fn random_index(&mut self) -> usize {
        let mut x = self.rng | 1;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng = x;
        (x.wrapping_mul(0x2545_F491_4F6C_DD1D) % self.keys.len() as u64) as usize
    }
}

/// INFO's tracking fields live in `srv.status`; refreshed after each change.
fn sync_stats(srv: &mut Server) {
    let t = &srv.tracking;
    let s = &mut srv.status;
    s.tracking_clients = t.clients.len() as u64;
    s.tracking_total_keys = t.keys.len() as u64;
    s.tracking_total_items = t.items;
    s.tracking_total_prefixes = t.prefixes.len() as u64;
}

/// Turns tracking on for `c` (Redis `enableTracking`); options were checked.
pub fn enable(srv: &mut Server, c: &mut Client, redirect: u64, opts: &ClientTracking) {
    let t = &mut c.tracking;
    t.on = true;
    t.bcast = opts.bcast;
    t.optin = opts.optin;
    t.optout = opts.optout;
    t.noloop = opts.noloop;
    t.broken_redir = false;
    t.redirect = redirect;
    srv.tracking.clients.insert(c.id, c.token);
    if redirect != 0 {
        let token = if redirect == c.id {
            Some(c.token)
        } else {
            srv.clients.token_of(redirect)
        };
        if let Some(token) = token {
            srv.tracking.targets.insert(redirect, token);
        }
    }
    if opts.bcast {
        let mut wanted: Vec<&[u8]> = opts.prefixes.iter().map(|p| p.as_slice()).collect();
        if wanted.is_empty() {
            wanted.push(b"");
        }
        for p in wanted {
            let bs = srv.tracking.prefixes.entry(p.to_vec()).or_default();
            bs.clients.insert(c.id, c.token);
            c.tracking.prefixes.insert(p.to_vec());
        }
    }
    sync_stats(srv);
}

/// Turns tracking off for `c` (Redis `disableTracking`). Its entries in the
/// key table stay until those keys are invalidated, as in Redis.
pub fn disable(srv: &mut Server, c: &mut Client) {
    for p in std::mem::take(&mut c.tracking.prefixes) {
        if let Some(bs) = srv.tracking.prefixes.get_mut(&p) {
            bs.clients.remove(&c.id);
            if bs.clients.is_empty() {
                srv.tracking.prefixes.remove(&p);
            }
        }
    }
    if c.tracking.on {
        srv.tracking.clients.remove(&c.id);
        let t = &mut c.tracking;
        t.on = false;
        t.bcast = false;
        t.optin = false;
        t.optout = false;
        t.caching = false;
        t.noloop = false;
        t.broken_redir = false;
    }
    sync_stats(srv);
}

/// A client is being freed: its tracking ends, and redirections to it break.
pub fn client_freed(srv: &mut Server, c: &mut Client) {
    if c.tracking.on {
        disable(srv, c);
    }
    srv.tracking.targets.remove(&c.id);
}

/// Before a command's checks pass (Redis `processCommand`): keep the table
/// within `tracking-table-max-keys`. Messages for `c` go before its reply.
pub fn before_command(srv: &mut Server, c: &mut Client) {
    if !srv.tracking.clients.is_empty() {
        limit_used_slots(srv, Some(c));
    }
}

/// Just before a handler runs: `c` becomes the current client.
pub fn before_call(srv: &mut Server, c: &Client) {
    if srv.propagation.in_exec {
        return;
    }
    srv.tracking.current = c.id;
}

/// Right after a handler: frames for the running client as a redirect
/// target were written during its command in Redis, so before its reply.
pub fn after_handler(srv: &mut Server, c: &mut Client, reply_start: usize) {
    if srv.tracking.immediate.is_empty() {
        return;
    }
    let values = std::mem::take(&mut srv.tracking.immediate);
    let frames = deliver::finish_immediate(c, values);
    let mut at = reply_start.min(c.reply.len());
    // Pushes survive CLIENT REPLY OFF/SKIP (Redis CLIENT_PUSHING).
    for f in frames {
        c.reply.insert_push(at, &f);
        at += f.len();
    }
}

/// After every call (Redis `call` and `afterCommand`): remember the keys a
/// read-only command fetched, drop a spent CLIENT CACHING, and after the
/// top-level call send the running client its own invalidations.
pub fn after_call(srv: &mut Server, c: &mut Client, argv: &[Vec<u8>], meta: &CommandMeta) {
    if c.tracking.on && !c.tracking.bcast && meta.has(flags::READONLY) {
        remember_keys(srv, c, argv, meta);
    }
    if srv.propagation.in_exec {
        return;
    }
    // Redis `resetClient`: CACHING lasts for one command, but any CLIENT
    // subcommand and a whole transaction keep it.
    if c.tracking.caching && !c.mstate.active && !meta.name.starts_with("client|") {
        c.tracking.caching = false;
    }
    srv.tracking.current = 0;
    if !srv.tracking.immediate.is_empty() {
        // Written after the handler (blocked clients served meanwhile).
        let values = std::mem::take(&mut srv.tracking.immediate);
        for f in deliver::finish_immediate(c, values) {
            let start = c.reply.len();
            c.reply.raw(&f);
            c.reply.mark_push(start);
        }
    }
    if srv.tracking.pending.is_empty() {
        return;
    }
    flush_pending(srv, c);
}

/// A command was refused before running: Redis still resets the client,
/// which ends a CLIENT CACHING outside a transaction.
pub fn after_reject(c: &mut Client) {
    if !c.mstate.active {
        c.tracking.caching = false;
    }
}

/// Sends the running client the invalidations queued while it ran
/// (Redis `trackingHandlePendingKeyInvalidations`).
/// With replies off, dispatch keeps these pushes and drops the reply.
fn flush_pending(srv: &mut Server, c: &mut Client) {
    let pending = std::mem::take(&mut srv.tracking.pending);
    let mut me = Some(c);
    for key in pending {
        let Some(c) = me.as_deref() else { break };
        let (id, t) = (c.id, &c.tracking);
        let body = match &key {
            // A key: the checks trackingInvalidateKey made while it ran.
            Some(k) if t.on && !t.bcast && !t.noloop => Body::Key(k),
            Some(_) => continue,
            None if t.on => Body::Null,
            None => continue,
        };
        send(srv, &mut me, id, body);
    }
}

/// Redis `trackingRememberKeys`.
fn remember_keys(srv: &mut Server, c: &Client, argv: &[Vec<u8>], meta: &CommandMeta) {
    let t = &c.tracking;
    if (t.optin && !t.caching) || (t.optout && t.caching) {
        return;
    }
    // Shard channels are keys in the specs, but never cached.
    if meta.has(flags::PUBSUB) {
        return;
    }
    let keys = crate::cmd::keys::get_keys(meta, argv);
    if keys.is_empty() {
        return;
    }
    for k in keys {
        if let Some(key) = argv.get(k.pos) {
            srv.tracking.remember(key, c.id);
        }
    }
    sync_stats(srv);
}

/// A key changed (Redis `trackingInvalidateKey`, from `signalModifiedKey`).
pub fn invalidate_key(srv: &mut Server, key: &[u8]) {
    if srv.tracking.clients.is_empty() && srv.tracking.keys.is_empty() {
        srv.tracking.anonymous = false;
        return;
    }
    invalidate(srv, key, true, None);
}

/// A key the server deleted by itself, e.g. evicted before `me`'s command
/// runs (Redis `signalModifiedKey` with a NULL client in `performEvictions`):
/// `me`, out of the slab, gets its invalidation before its reply.
pub fn invalidate_key_by_server(srv: &mut Server, key: &[u8], me: Option<&mut Client>) {
    if srv.tracking.clients.is_empty() && srv.tracking.keys.is_empty() {
        srv.tracking.anonymous = false;
        return;
    }
    srv.tracking.anonymous = true;
    invalidate(srv, key, true, me);
}

/// The next `signal_modified_key` is done by the server itself (Redis
/// passes a NULL client for expired keys).
pub fn next_change_by_server(srv: &mut Server) {
    srv.tracking.anonymous = true;
}

/// Invalidates `key` for the clients that read it. `bcast` also records it
/// for BCAST clients (a real change, not a table eviction). `me` is the
/// client about to run a command, when there is one and it is at hand.
fn invalidate(srv: &mut Server, key: &[u8], bcast: bool, mut me: Option<&mut Client>) {
    let anonymous = std::mem::take(&mut srv.tracking.anonymous);
    if bcast && !srv.tracking.prefixes.is_empty() {
        let modifier = if anonymous { 0 } else { srv.tracking.current };
        for (p, bs) in srv.tracking.prefixes.iter_mut() {
            if key.starts_with(p) {
                bs.keys.insert(key.to_vec(), modifier);
            }
        }
    }
    let Some(ids) = srv.tracking.take(key) else {
        return;
    };
    for id in ids {
        let id = u64::from_le_bytes(id);
        if let Some(c) = me.as_deref() {
            if c.id == id {
                if c.tracking.on && !c.tracking.bcast && !c.tracking.noloop {
                    send(srv, &mut me, id, Body::Key(key));
                }
                continue;
            }
        }
        if id == srv.tracking.current && srv.tracking.clients.contains_key(&id) {
            // The running client: after its reply (flags checked then).
            srv.tracking.pending.push(Some(key.to_vec()));
            continue;
        }
        let Some(&token) = srv.tracking.clients.get(&id) else {
            continue;
        };
        let bcast_mode = srv
            .clients
            .get(token)
            .is_none_or(|c| c.id != id || c.tracking.bcast);
        if !bcast_mode {
            send(srv, &mut me, id, Body::Key(key));
        }
    }
    sync_stats(srv);
}

/// A database or all were emptied (Redis `trackingInvalidateKeysOnFlush`):
/// every tracking client gets a null invalidation, and the table empties.
pub fn on_flush(srv: &mut Server) {
    let ids: Vec<u64> = srv.tracking.clients.keys().copied().collect();
    for id in ids {
        if id == srv.tracking.current {
            srv.tracking.pending.push(None);
        } else {
            send(srv, &mut None, id, Body::Null);
        }
    }
    let t = &mut srv.tracking;
    t.keys = Vec::new();
    t.index = HashMap::new();
    t.items = 0;
    sync_stats(srv);
}

/// Keeps the key table within `tracking-table-max-keys` by invalidating
/// random keys, with an effort that grows while it stays over
/// (Redis `trackingLimitUsedSlots`).
fn limit_used_slots(srv: &mut Server, mut me: Option<&mut Client>) {
    let max = srv.config.tracking_table_max_keys;
    if max <= 0 {
        return;
    }
    let max = max as usize;
    if srv.tracking.keys.len() <= max {
        srv.tracking.limit_rounds = 0;
        return;
    }
    if srv.tracking.rng == 0 {
        srv.tracking.rng = srv.ks.random();
    }
    let mut effort = 100 * (srv.tracking.limit_rounds as u64 + 1);
    while effort > 0 && !srv.tracking.keys.is_empty() {
        effort -= 1;
        let i = srv.tracking.random_index();
        let key = srv.tracking.keys[i].0.clone();
        invalidate(srv, &key, false, me.as_deref_mut());
        if srv.tracking.keys.len() <= max {
            srv.tracking.limit_rounds = 0;
            return;
        }
    }
    srv.tracking.limit_rounds += 1;
}

/// serverCron: the limit also applies while the server is idle (after a
/// CONFIG SET lowered it).
pub fn cron(srv: &mut Server) {
    if !srv.tracking.clients.is_empty() {
        limit_used_slots(srv, None);
    }
}

/// Before sleeping: send BCAST clients the keys modified under their
/// prefixes since last time (Redis `trackingBroadcastInvalidationMessages`).
pub fn broadcast(srv: &mut Server) {
    if srv.tracking.clients.is_empty() || srv.tracking.prefixes.is_empty() {
        return;
    }
    let mut work = Vec::new();
    for bs in srv.tracking.prefixes.values_mut() {
        if bs.keys.is_empty() {
            continue;
        }
        let keys = std::mem::take(&mut bs.keys);
        let clients: Vec<u64> = bs.clients.keys().copied().collect();
        work.push((keys, clients));
    }
    for (keys, clients) in work {
        let all = deliver::keys_array(&keys, 0);
        for id in clients {
            let noloop = srv
                .tracking
                .clients
                .get(&id)
                .and_then(|&t| srv.clients.get(t))
                .is_some_and(|c| c.id == id && c.tracking.noloop);
            if noloop {
                if let Some(own) = deliver::keys_array(&keys, id) {
                    send(srv, &mut None, id, Body::Proto(&own));
                }
            } else if let Some(all) = &all {
                send(srv, &mut None, id, Body::Proto(all));
            }
        }
    }
}

/// CLIENT LIST's `redir=` value.
pub fn redir_field(c: &Client) -> i64 {
    if c.tracking.on {
        c.tracking.redirect as i64
    } else {
        -1
    }
}

/// CLIENT LIST's tracking flag letters, in Redis's order (`t`, `R`, `B`).
pub fn push_flags(c: &Client, s: &mut String) {
    if c.tracking.on {
        s.push('t');
    }
    if c.tracking.broken_redir {
        s.push('R');
    }
    if c.tracking.bcast {
        s.push('B');
    }
}

#[cfg(test)]
mod tests;
