//! Server commands (server.c): SHUTDOWN, TIME, LASTSAVE, MONITOR.
//! DBSIZE lives with the keyspace.

use super::ShutdownRequest;
use crate::cmd::{CommandImpl, Ctx};
use crate::error::{CmdError, SYNTAX};

pub const COMMANDS: &[CommandImpl] = &[
    CommandImpl {
        name: "time",
        handler: time_command,
    },
    CommandImpl {
        name: "lastsave",
        handler: lastsave_command,
    },
    CommandImpl {
        name: "monitor",
        handler: monitor_command,
    },
    CommandImpl {
        name: "shutdown",
        handler: shutdown_command,
    },
];

/// TIME: [seconds, microseconds] as bulk strings.
fn time_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let us = ctx.srv.time.ustime;
    let r = ctx.reply();
    r.array(2);
    r.bulk_i64(us / 1_000_000);
    r.bulk_i64(us % 1_000_000);
    Ok(())
}

/// LASTSAVE: unix time of the last successful save (startup counts as one).
fn lastsave_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let t = ctx.srv.status.persistence.lastsave;
    ctx.reply().int(t);
    Ok(())
}

/// MONITOR: from now on this client receives every command the server runs.
/// A second MONITOR is ignored without a reply, as in Redis. A client that
/// expects one reply per command (inside EXEC or a script) cannot monitor.
fn monitor_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    if ctx.client.flags.deny_blocking {
        return Err(CmdError::err(
            "MONITOR isn't allowed for DENY BLOCKING client",
        ));
    }
    if ctx.srv.add_monitor(ctx.client) {
        ctx.reply().ok();
    }
    Ok(())
}

/// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]
fn shutdown_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let mut req = ShutdownRequest::default();
    let mut abort = false;
    for i in 1..ctx.argc() {
        if ctx.arg_is(i, "nosave") {
            req.nosave = true;
        } else if ctx.arg_is(i, "save") {
            req.save = true;
        } else if ctx.arg_is(i, "now") {
            req.now = true;
        } else if ctx.arg_is(i, "force") {
            req.force = true;
        } else if ctx.arg_is(i, "abort") {
            abort = true;
        } else {
            return Err(SYNTAX);
        }
    }
    let any_flag = req.nosave || req.save || req.now || req.force;
    if (abort && any_flag) || (req.nosave && req.save) {
        return Err(SYNTAX);
    }
    if abort {
        if !ctx.srv.abort_shutdown() {
            return Err(CmdError::err("No shutdown in progress."));
        }
        ctx.reply().ok();
        return Ok(());
    }
    // Clients that cannot block (EXEC, scripts) need NOW. Later hook: a
    // busy script allows only NOSAVE.
    if !req.now && ctx.client.flags.deny_blocking {
        return Err(CmdError::err(
            "SHUTDOWN without NOW or ABORT isn't allowed for DENY BLOCKING client",
        ));
    }
    if ctx.srv.prepare_for_shutdown(req).is_err() {
        return Err(CmdError::err("Errors trying to SHUTDOWN. Check logs."));
    }
    // Exit without replying: the loop stops before anything else is written.
    ctx.srv.stop = true;
    Ok(())
}
