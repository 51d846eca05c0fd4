//! Connection commands (server.c, networking.c): PING, ECHO, QUIT, SELECT.

use crate::cmd::{CommandImpl, Ctx};
use crate::error::{CmdError, DB_INDEX_OUT_OF_RANGE, NOT_INTEGER};
use crate::util::num::string2ll;

pub const COMMANDS: &[CommandImpl] = &[
    CommandImpl {
        name: "ping",
        handler: ping_command,
    },
    CommandImpl {
        name: "echo",
        handler: echo_command,
    },
    CommandImpl {
        name: "quit",
        handler: quit_command,
    },
    CommandImpl {
        name: "select",
        handler: select_command,
    },
];

/// PING [message]
fn ping_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    if ctx.argc() > 2 {
        return Err(ctx.wrong_args());
    }
    if ctx.client.is_pubsub() && ctx.client.reply.resp == 2 {
        crate::pubsub::commands::pong_push(ctx);
        return Ok(());
    }
    match ctx.argc() {
        1 => ctx.reply().simple(b"PONG"),
        _ => {
            let msg = ctx.arg(1);
            ctx.reply().bulk(msg)
        }
    }
    Ok(())
}

/// ECHO message
fn echo_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let msg = ctx.arg(1);
    ctx.reply().bulk(msg);
    Ok(())
}

/// QUIT: reply OK, then close once the reply is written.
fn quit_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    ctx.reply().ok();
    ctx.client.flags.close_after_reply = true;
    Ok(())
}

/// SELECT index
fn select_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let id = string2ll(ctx.arg(1))
        .filter(|v| i32::try_from(*v).is_ok())
        .ok_or(NOT_INTEGER)?;
    if id < 0 || id >= ctx.srv.config.databases {
        return Err(DB_INDEX_OUT_OF_RANGE);
    }
    ctx.client.db = id as usize;
    ctx.reply().ok();
    Ok(())
}
