//! Blocking operations (Redis blocked.c): clients blocked on keys with a
//! timeout, the ready-keys pass that serves them in FIFO order, timeouts,
//! CLIENT UNBLOCK, and cleanup when a blocked client goes away.
//!
//! A command blocks by calling [`block_on_keys`] and returning without a
//! reply. When one of its keys is added to a database (`db_add` calls
//! [`signal_key_as_ready`]), the pass run after every command re-executes
//! the blocked command with its saved arguments: if it finds data it
//! replies and the client is unblocked; if it calls `block_on_keys` again
//! it simply stays blocked where it was in the queue. Any type (lists,
//! sorted sets, streams) can therefore block by writing its command as
//! "serve if possible, else block". See docs/blocking.md.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

use crate::cmd::{CommandImpl, Ctx};
use crate::conn::Client;
use crate::error::{CmdError, NOT_INTEGER, TIMEOUT_NEGATIVE, TIMEOUT_NOT_FLOAT};
use crate::server::Server;

/// What a client is blocked for (Redis BLOCKED_*): decides the timeout reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockKind {
    List,
    ZSet,
    Stream,
    /// XREADGROUP: also woken, to get an error, when its key is deleted.
    StreamGroup,
}

/// The unit of a timeout argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeUnit {
    Seconds,
    Millis,
}

/// One blocked client.
struct Blocked {
    id: u64,
    db: usize,
    keys: Vec<Vec<u8>>,
    /// Absolute unix ms, 0 for never; compared unsigned as Redis's radix tree does.
    deadline: u64,
    kind: BlockKind,
    /// The command to re-execute when a key becomes ready.
    argv: Vec<Vec<u8>>,
    /// Its id in the command table, for the stats CLIENT UNBLOCK updates.
    cmd_id: usize,
}

/// Blocking state (Redis `server.blocking_keys`, `ready_keys`, the timeout table).
#[derive(Default)]
pub struct State {
    clients: HashMap<usize, Blocked>,
    by_key: HashMap<(usize, Vec<u8>), VecDeque<usize>>,
    timeouts: BTreeSet<(u64, usize)>,
    ready: VecDeque<(usize, Vec<u8>)>,
    ready_set: HashSet<(usize, Vec<u8>)>,
    /// Ready keys that were deleted (`signalDeletedKeyAsReady`): their
    /// XREADGROUP waiters are served even though the key is gone.
    deleted: HashSet<(usize, Vec<u8>)>,
    /// The client whose blocked command is being re-executed.
    reprocessing: Option<usize>,
    /// The ready key it is being served from: Redis 7.0 serves a client
    /// blocked on several keys from the key that was signalled, not from
    /// the first non-empty one in argument order.
    serving_key: Option<Vec<u8>>,
    still_blocked: bool,
    handling: bool,
    /// Set while commands must not block (MULTI/EXEC, scripts): blocking
    /// commands then behave as if they timed out at once (CLIENT_DENY_BLOCKING).
    pub deny_blocking: bool,
}

impl State {
    pub fn is_blocked(&self, token: usize) -> bool {
        self.clients.contains_key(&token)
    }

    /// Number of blocked clients (INFO blocked_clients).
    pub fn blocked_count(&self) -> usize {
        self.clients.len()
    }

    /// Number of blocked clients with a timeout (INFO clients_in_timeout_table).
    pub fn in_timeout_table(&self) -> usize {
        self.timeouts.len()
    }
}

/// Parses a blocking timeout (`getTimeoutFromObjectOrReply`) into an
/// absolute deadline in unix ms, 0 meaning forever.
pub fn parse_timeout(ctx: &Ctx, arg: &[u8], unit: TimeUnit) -> Result<u64, CmdError> {
    let tval: i64 = match unit {
        // In long double as Redis: "-0.001" rounds up to 0 (forever).
        TimeUnit::Seconds => crate::util::ld::timeout_ms(arg).ok_or(TIMEOUT_NOT_FLOAT)?,
        TimeUnit::Millis => crate::util::num::string2ll(arg)
            .ok_or_else(|| CmdError::err("timeout is not an integer or out of range"))?,
    };
    if tval < 0 {
        return Err(TIMEOUT_NEGATIVE);
    }
    if tval == 0 {
        return Ok(0);
    }
    Ok((tval as u64).wrapping_add(ctx.srv.time.mstime as u64))
}

/// False while the running command is a blocked command being re-executed
/// (it then serves only from keys of the type it waits for).
pub fn may_block_fresh(ctx: &Ctx) -> bool {
    ctx.srv.blocking.reprocessing != Some(ctx.client.token)
}

/// True while `token`'s blocked command is being re-executed to serve it:
/// MONITOR saw it when it was first called and does not see it again.
pub fn is_reexecuting(srv: &Server, token: usize) -> bool {
    srv.blocking.reprocessing == Some(token)
}

/// The keys a blocking command may serve from now: all of them when first
/// called, only the ready key when re-executed to serve it (7.0's
/// `serveClientsBlockedOnListKey` and friends pop from the signalled key).
pub fn keys_to_serve<'k>(ctx: &Ctx, keys: &'k [Vec<u8>]) -> &'k [Vec<u8>] {
    match serving_key(ctx) {
        Some(ready) => match keys.iter().position(|k| k[..] == *ready) {
            Some(i) => &keys[i..i + 1],
            None => keys,
        },
        None => keys,
    }
}

/// The ready key a re-executed blocked command is being served from.
pub fn serving_key<'a>(ctx: &'a Ctx) -> Option<&'a [u8]> {
    if may_block_fresh(ctx) {
        return None;
    }
    ctx.srv.blocking.serving_key.as_deref()
}

/// True when the running command may block (false inside MULTI or scripts).
pub fn may_block(ctx: &Ctx) -> bool {
    !(ctx.srv.blocking.deny_blocking || ctx.client.flags.deny_blocking)
        || ctx.srv.blocking.reprocessing.is_some()
}

/// Blocks the running client on `keys` until one is served, the deadline
/// passes, or it is unblocked (`blockForKeys`). The command must not reply.
pub fn block_on_keys(ctx: &mut Ctx, keys: &[&[u8]], deadline: u64, kind: BlockKind) {
    let token = ctx.client.token;
    let st = &mut ctx.srv.blocking;
    if st.reprocessing == Some(token) {
        st.still_blocked = true;
        return;
    }
    let db = ctx.client.db;
    let mut uniq: Vec<Vec<u8>> = Vec::with_capacity(keys.len());
    for k in keys {
        if !uniq.iter().any(|u| u == k) {
            uniq.push(k.to_vec());
        }
    }
    for k in &uniq {
        st.by_key
            .entry((db, k.clone()))
            .or_default()
            .push_back(token);
    }
    if deadline != 0 {
        st.timeouts.insert((deadline, token));
    }
    st.clients.insert(
        token,
        Blocked {
            id: ctx.client.id,
            db,
            keys: uniq,
            deadline,
            kind,
            argv: ctx.argv.to_vec(),
            cmd_id: ctx.cmd_id,
        },
    );
    ctx.client.flags.blocked_on_keys = true;
    update_status(ctx.srv);
}

/// Replaces the argv a blocked client will re-execute, e.g. XREAD with
/// `$` resolved to the concrete last ID so it does not block again.
pub fn set_blocked_argv(srv: &mut Server, token: usize, argv: Vec<Vec<u8>>) {
    if let Some(b) = srv.blocking.clients.get_mut(&token) {
        b.argv = argv;
    }
}

/// A key was added to a database: queue it if clients wait on it (`signalKeyAsReady`).
pub fn signal_key_as_ready(srv: &mut Server, db: usize, key: &[u8]) {
    let st = &mut srv.blocking;
    if st.clients.is_empty() {
        return;
    }
    let k = (db, key.to_vec());
    if st.by_key.contains_key(&k) && st.ready_set.insert(k.clone()) {
        st.ready.push_back(k);
    }
}

/// A stream key was deleted or overwritten: queue it for its XREADGROUP
/// waiters, which then get an error (`signalDeletedKeyAsReady`).
pub fn signal_deleted_key_as_ready(srv: &mut Server, db: usize, key: &[u8]) {
    if srv.blocking.clients.is_empty() {
        return;
    }
    let k = (db, key.to_vec());
    if srv.blocking.by_key.contains_key(&k) {
        srv.blocking.deleted.insert(k);
        signal_key_as_ready(srv, db, key);
    }
}

/// The keys of `db` some client is blocked on.
fn waited_keys(srv: &Server, db: usize) -> Vec<Vec<u8>> {
    srv.blocking
        .by_key
        .keys()
        .filter(|(d, _)| *d == db)
        .map(|(_, k)| k.clone())
        .collect()
}

/// Every waited-on key of `db` that holds a stream is about to go
/// (FLUSHDB, FLUSHALL, SWAPDB): signal it deleted.
pub fn signal_flushed_db(srv: &mut Server, db: usize) {
    let keys = waited_keys(srv, db);
    for k in keys {
        let is_stream = matches!(
            srv.dbs[db].dict.get(&k[..]),
            Some(crate::types::object::Value::Stream(_))
        );
        if is_stream {
            signal_deleted_key_as_ready(srv, db, &k);
        }
    }
}

/// Queues every waited-on key of `db` that now exists (`scanDatabaseForReadyKeys`, SWAPDB).
pub fn scan_db_for_ready_keys(srv: &mut Server, db: usize) {
    let keys = waited_keys(srv, db);
    for k in keys {
        if srv.dbs[db].dict.contains(&k[..]) {
            signal_key_as_ready(srv, db, &k);
        }
    }
}

/// Publishes the counts INFO clients shows.
fn update_status(srv: &mut Server) {
    srv.status.blocked_clients = srv.blocking.blocked_count() as u64;
    srv.status.clients_in_timeout_table = srv.blocking.in_timeout_table() as u64;
}

/// Forgets a blocked client's registration (`unblockClient` bookkeeping).
fn forget(srv: &mut Server, token: usize) -> Option<Blocked> {
    let st = &mut srv.blocking;
    let b = st.clients.remove(&token)?;
    for k in &b.keys {
        let entry = (b.db, k.clone());
        if let Some(q) = st.by_key.get_mut(&entry) {
            q.retain(|&t| t != token);
            if q.is_empty() {
                st.by_key.remove(&entry);
            }
        }
    }
    if b.deadline != 0 {
        st.timeouts.remove(&(b.deadline, token));
    }
    update_status(srv);
    Some(b)
}

/// The reply of a blocked command that timed out (`replyToBlockedClientTimedOut`).
fn reply_timeout(c: &mut Client, kind: BlockKind) {
    match kind {
        BlockKind::List | BlockKind::ZSet | BlockKind::Stream | BlockKind::StreamGroup => {
            c.reply.null_array()
        }
    }
}

/// Unblocks a client taken out of the slab and resumes its pipeline.
fn resume(srv: &mut Server, mut c: Box<Client>) {
    c.flags.blocked_on_keys = false;
    srv.process_input(&mut c);
    srv.return_client(c);
}

/// Serves clients blocked on keys that became ready, until none are left
/// (`handleClientsBlockedOnKeys`). Runs after every command.
pub fn handle_ready_keys(srv: &mut Server) {
    // Inside EXEC the keys wait until the whole transaction ran, as in Redis
    // (a key pushed and popped in one MULTI serves nobody).
    if srv.blocking.handling || srv.propagation.in_exec || srv.blocking.ready.is_empty() {
        return;
    }
    srv.blocking.handling = true;
    while let Some(k) = srv.blocking.ready.pop_front() {
        srv.blocking.ready_set.remove(&k);
        let deleted = srv.blocking.deleted.remove(&k);
        let waiters: Vec<usize> = match srv.blocking.by_key.get(&k) {
            Some(q) => q.iter().copied().collect(),
            None => continue,
        };
        for token in waiters {
            let gone = !srv.dbs[k.0].dict.contains(&k.1[..]);
            if gone && !deleted {
                break;
            }
            // A deleted key only wakes XREADGROUP waiters (for their error).
            let kind = srv.blocking.clients.get(&token).map(|b| b.kind);
            if gone && kind != Some(BlockKind::StreamGroup) {
                continue;
            }
            if kind.is_some() {
                srv.blocking.serving_key = Some(k.1.clone());
                serve(srv, token);
                srv.blocking.serving_key = None;
            }
        }
    }
    srv.blocking.handling = false;
}

/// Re-executes a blocked client's command; unblocks it if it was served.
fn serve(srv: &mut Server, token: usize) {
    let Some(mut c) = srv.clients.take(token) else {
        return;
    };
    let argv = match srv.blocking.clients.get(&token) {
        Some(b) => b.argv.clone(),
        None => return srv.clients.put(c),
    };
    let saved = std::mem::replace(&mut c.argv, argv);
    // Redis counts a blocked command once, when it was first called.
    let id = match srv.commands.lookup(&c.argv) {
        crate::cmd::table::Lookup::Found(id) => Some(id),
        _ => None,
    };
    let calls = id.map(|i| srv.commands.cmds[i].stats.calls);
    let total = srv.stats.total_commands_processed;
    srv.blocking.reprocessing = Some(token);
    srv.blocking.still_blocked = false;
    crate::cmd::dispatch::process_command(srv, &mut c);
    srv.blocking.reprocessing = None;
    if let (Some(i), Some(n)) = (id, calls) {
        srv.commands.cmds[i].stats.calls = n;
    }
    srv.stats.total_commands_processed = total;
    c.argv = saved;
    if srv.blocking.still_blocked {
        srv.return_client(c);
    } else {
        forget(srv, token);
        resume(srv, c);
    }
}

/// Times out blocked clients whose deadline passed (`handleBlockedClientsTimeout`).
pub fn check_timeouts(srv: &mut Server) {
    let now = srv.time.mstime as u64;
    while let Some(&(deadline, token)) = srv.blocking.timeouts.first() {
        if deadline > now {
            break;
        }
        srv.blocking.timeouts.remove(&(deadline, token));
        let Some(mut c) = srv.clients.take(token) else {
            forget(srv, token);
            continue;
        };
        if let Some(b) = forget(srv, token) {
            reply_timeout(&mut c, b.kind);
        }
        resume(srv, c);
    }
}

/// A client is being freed: drop its blocked state.
pub fn client_freed(srv: &mut Server, token: usize) {
    forget(srv, token);
}

/// CLIENT UNBLOCK: unblocks client `id` as if timed out, or with an error.
pub fn unblock_by_id(srv: &mut Server, id: u64, error: bool) -> bool {
    let Some(token) = srv
        .clients
        .token_of(id)
        .filter(|t| srv.blocking.clients.get(t).is_some_and(|b| b.id == id))
    else {
        return false;
    };
    let Some(mut c) = srv.clients.take(token) else {
        return false;
    };
    if let Some(b) = forget(srv, token) {
        if error {
            c.reply
                .error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
            srv.stats.count_error("UNBLOCKED");
        } else {
            reply_timeout(&mut c, b.kind);
        }
        // Redis (updateStatsOnUnblock with had_errors=1) counts the blocked
        // command as failed whether it was unblocked with TIMEOUT or ERROR.
        if let Some(cmd) = srv.commands.cmds.get_mut(b.cmd_id) {
            cmd.stats.failed_calls += 1;
        }
    }
    resume(srv, c);
    true
}

pub const COMMANDS: &[CommandImpl] = &[CommandImpl {
    name: "client|unblock",
    handler: client_unblock_command,
}];

/// CLIENT UNBLOCK client-id [TIMEOUT|ERROR]
fn client_unblock_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let id = ctx.arg_i64(2).map_err(|_| NOT_INTEGER)?;
    let error = match ctx.argc() {
        3 => false,
        4 if ctx.arg_is(3, "timeout") => false,
        4 if ctx.arg_is(3, "error") => true,
        4 => {
            return Err(CmdError::err(
                "CLIENT UNBLOCK reason should be TIMEOUT or ERROR",
            ))
        }
        _ => return Err(ctx.wrong_args()),
    };
    let done = id >= 0 && unblock_by_id(ctx.srv, id as u64, error);
    ctx.reply().int(done as i64);
    Ok(())
}
