//! BGREWRITEAOF (Redis aof.c `bgrewriteaofCommand`).

use crate::cmd::table::CommandImpl;
use crate::cmd::Ctx;
use crate::error::CmdError;

pub const COMMANDS: &[CommandImpl] = &[CommandImpl {
    name: "bgrewriteaof",
    handler: bgrewriteaof_command,
}];

/// BGREWRITEAOF: started now, or scheduled while another child runs (or
/// inside EXEC); refused while a rewrite runs.
fn bgrewriteaof_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let srv = &mut *ctx.srv;
    if srv.aof.child.is_some() {
        return Err(CmdError::err(
            "Background append only file rewriting already in progress",
        ));
    }
    if srv.status.persistence.has_child() || srv.propagation.in_exec {
        srv.status.persistence.aof_rewrite_scheduled = true;
        srv.status.persistence.aof_rewrites_consecutive_failures = 0;
        ctx.reply()
            .simple(b"Background append only file rewriting scheduled");
        return Ok(());
    }
    if super::bgrewrite::start(srv).is_err() {
        return Err(CmdError::err("Can't execute an AOF background rewriting. Please check the server logs for more information."));
    }
    ctx.reply()
        .simple(b"Background append only file rewriting started");
    Ok(())
}
