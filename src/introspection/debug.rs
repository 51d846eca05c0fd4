//! DEBUG (Redis debug.c `debugCommand`): DEBUG parses its own subcommand
//! (arity -2, not a container). Each area exports a table of
//! (name, handler) rows; this dispatcher looks the name up in every table.
//! NOTE for the intro helper: this is the keyspace helper's minimal version;
//! keep `crate::keyspace::debug_cmds::DEBUG_SUBCOMMANDS` in `TABLES` when
//! replacing it with the full one (HELP, SLEEP, LOG, PROTOCOL, ...).

use crate::cmd::{CommandImpl, Ctx, Handler};
use crate::error::CmdError;

pub const COMMANDS: &[CommandImpl] = &[CommandImpl {
    name: "debug",
    handler: debug_command,
}];

/// Every area's DEBUG subcommands.
const TABLES: &[&[(&str, Handler)]] = &[crate::keyspace::debug_cmds::DEBUG_SUBCOMMANDS];

/// DEBUG subcommand [arg ...]
pub fn debug_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let sub = ctx.arg(1);
    for table in TABLES {
        for (name, handler) in table.iter() {
            if name.as_bytes().eq_ignore_ascii_case(sub) {
                return handler(ctx);
            }
        }
    }
    Err(crate::keyspace::debug_cmds::subcommand_syntax_error(ctx))
}
