//! MULTI, EXEC, DISCARD, WATCH and UNWATCH (Redis multi.c commands).

use super::watch::{watch_key, watched_key_expired};
use super::{discard_transaction, ClientMulti};
use crate::cmd::table::CommandImpl;
use crate::cmd::Ctx;
use crate::error::CmdError;

pub const COMMANDS: &[CommandImpl] = &[
    CommandImpl {
        name: "multi",
        handler: multi_command,
    },
    CommandImpl {
        name: "exec",
        handler: exec_command,
    },
    CommandImpl {
        name: "discard",
        handler: discard_command,
    },
    CommandImpl {
        name: "watch",
        handler: watch_command,
    },
    CommandImpl {
        name: "unwatch",
        handler: unwatch_command,
    },
];

const EXECABORT: CmdError =
    CmdError::fixed("EXECABORT Transaction discarded because of previous errors.");

/// MULTI
fn multi_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    if ctx.client.mstate.active {
        return Err(CmdError::fixed("ERR MULTI calls can not be nested"));
    }
    ctx.client.mstate.active = true;
    ctx.client.reply.ok();
    Ok(())
}

/// DISCARD
fn discard_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    if !ctx.client.mstate.active {
        return Err(CmdError::fixed("ERR DISCARD without MULTI"));
    }
    discard_transaction(ctx.srv, ctx.client);
    ctx.client.reply.ok();
    Ok(())
}

/// EXEC: runs the queued commands through `call`, their replies in one array.
fn exec_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let (srv, c) = (&mut *ctx.srv, &mut *ctx.client);
    if !c.mstate.active {
        return Err(CmdError::fixed("ERR EXEC without MULTI"));
    }
    if !c.mstate.dirty_cas && watched_key_expired(srv, c) {
        c.mstate.dirty_cas = true;
    }
    if c.mstate.dirty_exec || c.mstate.dirty_cas {
        let aborted = c.mstate.dirty_exec;
        discard_transaction(srv, c);
        if aborted {
            return Err(EXECABORT);
        }
        c.reply.null_array();
        return Ok(());
    }
    // Unwatch first: the transaction's own writes must not touch its watches.
    let watched = std::mem::take(&mut c.mstate.watched);
    srv.multi.unwatch_keys(c.id, watched);
    let queue = std::mem::take(&mut c.mstate.queue);
    c.reply.array(queue.len());
    // Blocking commands see this and act as if their timeout expired at once.
    // The queued writes' propagation accumulates while `in_exec` is set;
    // EXEC's own call then sends them, wrapped in MULTI/EXEC when there are
    // several (src/propagate.rs), and never propagates EXEC itself.
    let deny_before = c.flags.deny_blocking;
    c.flags.deny_blocking = true;
    let nested = std::mem::replace(&mut srv.propagation.in_exec, true);
    for q in queue {
        c.argv = q.argv;
        crate::cmd::dispatch::call(srv, c, q.cmd_id);
    }
    srv.propagation.in_exec = nested;
    srv.propagation.prevent = true;
    c.flags.deny_blocking = deny_before;
    c.flags.executing = true;
    c.mstate = ClientMulti::default();
    Ok(())
}

/// WATCH key [key ...]
fn watch_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    if ctx.client.mstate.active {
        return Err(CmdError::fixed("ERR WATCH inside MULTI is not allowed"));
    }
    // A dirty client stays dirty until EXEC/DISCARD/UNWATCH: no point watching.
    if !ctx.client.mstate.dirty_cas {
        for key in &ctx.argv[1..] {
            watch_key(ctx.srv, ctx.client, key);
        }
    }
    ctx.client.reply.ok();
    Ok(())
}

/// UNWATCH
fn unwatch_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let watched = std::mem::take(&mut ctx.client.mstate.watched);
    ctx.srv.multi.unwatch_keys(ctx.client.id, watched);
    ctx.client.mstate.dirty_cas = false;
    ctx.client.reply.ok();
    Ok(())
}
