//! Command propagation (Redis server.c `alsoPropagate`, `propagateNow`,
//! `propagatePendingCommands`; db.c `propagateDeletion`): after a write
//! command changed data, the commands that reproduce its effect are fed to
//! the AOF (and, later, to replicas) in their replication form.

use crate::cmd::meta::CommandMeta;
use crate::cmd::Ctx;
use crate::server::Server;

/// One command to propagate, with the db it runs in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Op {
    pub db: usize,
    pub argv: Vec<Vec<u8>>,
}

/// Propagation state of the running command (Redis `server.also_propagate`
/// and the client's rewritten argv / `CLIENT_PREVENT_PROP`).
#[derive(Default, Debug)]
pub struct Propagation {
    /// Commands a handler added with `also_propagate`, in order.
    pub ops: Vec<Op>,
    /// The running command's own argv, rewritten by its handler.
    pub replaced: Option<Vec<Vec<u8>>>,
    /// The running command must not propagate itself.
    pub prevent: bool,
    /// The running command propagates even if it changed nothing.
    pub force: bool,
    /// Set while EXEC (or a script) runs: its commands are wrapped by the
    /// caller, so `propagate_pending` must not wrap them again.
    pub in_exec: bool,
}

impl Ctx<'_> {
    /// Propagates `argv` instead of the command as the client sent it
    /// (Redis `rewriteClientCommandVector`): SET EX -> SET PXAT, EXPIRE -> PEXPIREAT.
    pub fn propagate_replace(&mut self, argv: Vec<Vec<u8>>) {
        self.srv.propagation.replaced = Some(argv);
    }

    /// Propagates one more command after this one ran (Redis `alsoPropagate`).
    pub fn also_propagate(&mut self, db: usize, argv: Vec<Vec<u8>>) {
        self.srv.propagation.ops.push(Op { db, argv });
    }

    /// This command does not propagate itself, even if it changed data
    /// (Redis `preventCommandPropagation`), e.g. when it added its own ops.
    pub fn prevent_propagation(&mut self) {
        self.srv.propagation.prevent = true;
    }

    /// This command propagates even if it changed nothing (Redis
    /// `forceCommandPropagation`): FLUSHDB on an empty db.
    pub fn force_propagation(&mut self) {
        self.srv.propagation.force = true;
    }
}

/// Builds an argv from byte slices.
pub fn argv(parts: &[&[u8]]) -> Vec<Vec<u8>> {
    parts.iter().map(|p| p.to_vec()).collect()
}

/// Clears the running command's propagation state (before the handler).
pub fn before_call(srv: &mut Server) {
    let p = &mut srv.propagation;
    p.replaced = None;
    p.prevent = false;
    p.force = false;
}

/// After a handler returned (Redis `call`): a command that changed data
/// (`dirty` grew) propagates itself, in its rewritten form if any, after the
/// ops its handler added; then everything pending is flushed.
pub fn after_call(
    srv: &mut Server,
    db: usize,
    argv: &[Vec<u8>],
    _meta: &'static CommandMeta,
    dirty_before: u64,
) {
    let dirty = srv.status.persistence.dirty > dirty_before || srv.propagation.force;
    let replaced = srv.propagation.replaced.take();
    if dirty && !srv.propagation.prevent && has_consumers(srv) {
        let argv = replaced.unwrap_or_else(|| argv.to_vec());
        srv.propagation.ops.push(Op { db, argv });
    }
    srv.propagation.prevent = false;
    srv.propagation.force = false;
    if !srv.propagation.in_exec {
        propagate_pending(srv);
    }
}

/// True when someone reads propagated commands: without an AOF (and, later,
/// replicas) the argv is not copied at all.
pub fn has_consumers(srv: &Server) -> bool {
    srv.aof.state != crate::persistence::aof::State::Off
}

/// True when `n` pending commands must be wrapped in MULTI/EXEC: more than
/// one command, unless the caller (EXEC, a script) already wraps them.
pub fn needs_wrap(srv: &Server, n: usize) -> bool {
    n > 1 && !srv.propagation.in_exec
}

/// Propagates the pending ops (Redis `propagatePendingCommands`), wrapped in
/// MULTI/EXEC when there is more than one, so they apply atomically.
pub fn propagate_pending(srv: &mut Server) {
    // Checked before taking the list: the usual empty case then costs no
    // out-of-line drop of an empty Vec.
    if srv.propagation.ops.is_empty() {
        return;
    }
    let ops = std::mem::take(&mut srv.propagation.ops);
    // MULTI carries the first command's db, so that a SELECT goes before
    // it; EXEC carries none (Redis dbid -1). Checked against Redis 7.0.15.
    let wrap = needs_wrap(srv, ops.len());
    if wrap {
        feed(srv, Some(ops[0].db), &argv(&[b"MULTI"]));
    }
    for op in &ops {
        propagate_now(srv, op.db, &op.argv);
    }
    if wrap {
        feed(srv, None, &argv(&[b"EXEC"]));
    }
}

/// Feeds one command to the AOF; replication plugs in here (Redis `propagateNow`).
pub fn propagate_now(srv: &mut Server, db: usize, argv: &[Vec<u8>]) {
    feed(srv, Some(db), argv);
}

/// Sends a command to every consumer; `db` None writes no SELECT.
pub fn feed(srv: &mut Server, db: Option<usize>, argv: &[Vec<u8>]) {
    crate::persistence::aof::feed(srv, db, argv);
}

/// An expired key was deleted: DEL, or UNLINK under lazyfree-lazy-expire,
/// goes out at once, before the command that found the key (Redis
/// `propagateDeletion`, then `propagatePendingCommands`).
pub fn propagate_deletion(srv: &mut Server, db: usize, key: &[u8], lazy: bool) {
    if !has_consumers(srv) {
        return;
    }
    let cmd: &[u8] = if lazy { b"UNLINK" } else { b"DEL" };
    propagate_now(srv, db, &argv(&[cmd, key]));
}
