//! The HELP reply and subcommand syntax error shared by container commands
//! (Redis networking.c `addReplyHelp`, `addReplySubcommandSyntaxError`).

use crate::cmd::Ctx;
use crate::error::{lossy_prefix, CmdError};

/// Replies with "<CMD> <subcommand> ..." then `lines`, then the HELP entry.
/// The command name is the client's argv[0] in upper case, as Redis prints it.
pub fn reply_help(ctx: &mut Ctx, _container: &str, lines: &[&str]) {
    let cmd = String::from_utf8_lossy(ctx.arg(0)).to_ascii_uppercase();
    let r = ctx.reply();
    r.array(lines.len() + 3);
    r.simple(
        format!(
            "{} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            cmd
        )
        .as_bytes(),
    );
    for l in lines {
        r.simple(l.as_bytes());
    }
    r.simple(b"HELP");
    r.simple(b"    Prints this help.");
}

/// "unknown subcommand or wrong number of arguments for 'x'. Try CMD HELP."
pub fn subcommand_syntax_error(ctx: &Ctx) -> CmdError {
    CmdError::err(format!(
        "unknown subcommand or wrong number of arguments for '{}'. Try {} HELP.",
        lossy_prefix(ctx.arg(1), 128),
        String::from_utf8_lossy(ctx.arg(0)).to_ascii_uppercase()
    ))
}
