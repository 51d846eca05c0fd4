//! Transactions (Redis multi.c): MULTI/EXEC/DISCARD queueing and the
//! WATCH/UNWATCH optimistic locks.
//!
//! The per-client part (queue, MULTI and dirty flags, the keys it watches)
//! lives in `Client::mstate`; the per-database index from a watched key to
//! its watchers lives in `Server::multi`. A write marks watchers dirty
//! through `Server::signal_modified_key` (see `watch.rs`).

mod commands;
#[cfg(test)]
mod tests;
pub mod watch;

pub use commands::COMMANDS;
pub use watch::{touch_all_in_db, touch_watched_key, Watches};

use crate::cmd::meta::flags;
use crate::conn::Client;
use crate::error::CmdError;
use crate::server::Server;

/// A command queued by a client in MULTI (Redis `multiCmd`).
#[derive(Debug)]
pub struct Queued {
    pub cmd_id: usize,
    pub argv: Vec<Vec<u8>>,
}

/// A client's MULTI/EXEC and WATCH state (Redis `multiState` plus the
/// CLIENT_MULTI, CLIENT_DIRTY_EXEC and CLIENT_DIRTY_CAS flags).
#[derive(Debug, Default)]
pub struct ClientMulti {
    /// In MULTI (CLIENT LIST flag `x`).
    pub active: bool,
    /// A command was rejected while queueing: EXEC aborts with EXECABORT.
    pub dirty_exec: bool,
    /// A watched key was touched: EXEC replies with a null array (flag `d`).
    pub dirty_cas: bool,
    pub queue: Vec<Queued>,
    /// Queued commands, kept while EXEC runs them (CLIENT LIST `multi=`).
    pub count: usize,
    /// Bytes of the queued arguments plus one pointer each (CLIENT LIST `multi-mem`).
    pub argv_len_sums: usize,
    /// Union of the queued commands' flags, and of their complements
    /// (EXEC's effective flags; see `effective_flags`).
    pub cmd_flags: u64,
    pub cmd_inv_flags: u64,
    /// Keys this client watches, as (db, key).
    pub watched: Vec<(usize, Vec<u8>)>,
}

impl ClientMulti {
    /// CLIENT LIST `multi=`: the queued count, -1 outside MULTI.
    pub fn list_count(&self) -> i64 {
        if self.active {
            self.count as i64
        } else {
            -1
        }
    }

    /// CLIENT LIST `multi-mem=` and the client's share of `tot-mem`.
    pub fn memory(&self) -> usize {
        self.argv_len_sums
    }
}

/// Commands that run at once inside MULTI instead of being queued.
fn runs_inside_multi(name: &str) -> bool {
    matches!(
        name,
        "exec" | "discard" | "multi" | "watch" | "quit" | "reset"
    )
}

/// Queues the command in `c.argv` if `c` is in MULTI (the queueing step of
/// `processCommand`). Returns true when it was queued and answered.
pub fn maybe_queue(srv: &Server, c: &mut Client, cmd_id: usize) -> bool {
    let meta = srv.commands.cmds[cmd_id].meta;
    if !c.mstate.active || runs_inside_multi(meta.name) {
        return false;
    }
    // A dirty transaction will not run: Redis stops storing its commands.
    if !c.mstate.dirty_exec && !c.mstate.dirty_cas {
        let argv = std::mem::take(&mut c.argv);
        let len: usize = argv.iter().map(|a| a.len()).sum();
        c.mstate.argv_len_sums += len + argv.len() * std::mem::size_of::<usize>();
        c.mstate.cmd_flags |= meta.flags;
        c.mstate.cmd_inv_flags |= !meta.flags;
        c.mstate.count += 1;
        c.mstate.queue.push(Queued { cmd_id, argv });
    }
    c.argv.clear();
    c.reply.simple(b"QUEUED");
    true
}

/// The flags the processCommand checks see for a command (pause now; OOM,
/// read-only replica, stale and loading checks when they land). EXEC is a
/// write, may-replicate or deny-oom command if any queued command is, and
/// loses `stale`/`loading` if any queued command lacks them.
pub fn effective_flags(srv: &Server, c: &Client, cmd_id: usize) -> u64 {
    let meta = srv.commands.cmds[cmd_id].meta;
    // Cheap first test: only a client with queued commands can differ.
    if c.mstate.cmd_flags == 0 || meta.name != "exec" {
        return meta.flags;
    }
    let m = &c.mstate;
    let any = flags::WRITE | flags::MAY_REPLICATE | flags::DENYOOM;
    let all = flags::STALE | flags::LOADING;
    (meta.flags | (m.cmd_flags & any)) & !(m.cmd_inv_flags & all)
}

/// A command was rejected before running (`flagTransaction` in
/// `rejectCommand`). Returns the error to reply: a rejected EXEC aborts the
/// transaction with "EXECABORT Transaction discarded because of: ...".
pub fn on_reject(srv: &mut Server, c: &mut Client, cmd_id: Option<usize>, e: CmdError) -> CmdError {
    if c.mstate.active {
        c.mstate.dirty_exec = true;
    }
    let is_exec = cmd_id.is_some_and(|id| srv.commands.cmds[id].meta.name == "exec");
    if !is_exec {
        return e;
    }
    discard_transaction(srv, c);
    // Redis passes its formatted rejections without the "ERR " code, and
    // shared error objects with theirs.
    let text = e.as_bytes();
    let reason = text.strip_prefix(b"ERR ").unwrap_or(text);
    let mut t = b"EXECABORT Transaction discarded because of: ".to_vec();
    t.extend_from_slice(reason);
    CmdError::from_bytes(t)
}

/// Refuses no-multi commands inside MULTI (a step of the dispatch chain).
pub fn check_no_multi(srv: &Server, c: &Client, cmd_id: usize) -> Result<(), CmdError> {
    if c.mstate.active && srv.commands.cmds[cmd_id].meta.has(flags::NO_MULTI) {
        return Err(CmdError::fixed(
            "ERR Command not allowed inside a transaction",
        ));
    }
    Ok(())
}

/// Leaves MULTI, dropping the queue, and unwatches everything (`discardTransaction`).
pub fn discard_transaction(srv: &mut Server, c: &mut Client) {
    let watched = std::mem::take(&mut c.mstate.watched);
    c.mstate = ClientMulti::default();
    srv.multi.unwatch_keys(c.id, watched);
}

/// RESET and disconnection: leave MULTI and drop every watch.
pub fn reset_client(srv: &mut Server, c: &mut Client) {
    discard_transaction(srv, c);
}

/// After every command: apply dirty marks aimed at the client that was
/// running (it is out of the slab while it runs).
pub fn after_call(srv: &mut Server, c: &mut Client) {
    if srv.multi.pending_dirty.is_empty() {
        return;
    }
    let pending = std::mem::take(&mut srv.multi.pending_dirty);
    if pending.contains(&c.id) {
        c.mstate.dirty_cas = true;
        let watched = std::mem::take(&mut c.mstate.watched);
        srv.multi.unwatch_keys(c.id, watched);
    }
}
