//! Dispatch (Redis server.c `processCommand` and `call`): a chain of small
//! checks, each able to reject the command with Redis's error, then the call
//! itself with its statistics.

use super::table::Lookup;
use super::Ctx;
use crate::conn::{Client, ReplyMode};
use crate::error::{c_prefix, CmdError, NOAUTH};
use crate::server::Server;

/// One step of the processCommand chain.
type Check = fn(&Server, &Client, usize) -> Result<(), CmdError>;

/// Runs the request in `c.argv`. The client is out of the slab while it runs.
pub fn process_command(srv: &mut Server, c: &mut Client) {
    if c.argv.is_empty() {
        return;
    }
    srv.time.update();
    // CLIENT REPLY OFF/SKIP apply to rejected commands too (Redis checks the
    // mode when a reply is added, and resets SKIP after every command).
    let mode_before = c.reply_mode;
    let reply_mark = c.reply.len();
    run_checks_and_call(srv, c);
    if !c.flags.postponed {
        apply_reply_mode(c, mode_before, reply_mark);
    }
    // Push spans are positions in this command's output: a postponed
    // command's pushes are written before it runs again.
    c.reply.out_mut().end_command();
}

fn run_checks_and_call(srv: &mut Server, c: &mut Client) {
    let id = match check_lookup(srv, c) {
        Ok(id) => id,
        Err(e) => {
            c.last_cmd = "NULL";
            return reject(srv, c, None, e);
        }
    };
    // Redis records the last command at lookup, before any check.
    c.last_cmd = srv.commands.cmds[id].meta.name;
    let checks: [Check; 4] = [
        check_arity,
        check_protected,
        check_auth,
        crate::multi::check_no_multi,
    ];
    for check in checks {
        if let Err(e) = check(srv, c, id) {
            return reject(srv, c, Some(id), e);
        }
    }
    // maxmemory-clients: free the biggest clients first, before the OOM
    // step as in Redis; the command does not run if its own client went
    // (conn/evict.rs).
    if crate::conn::evict::before_command(srv, c) {
        return;
    }
    // maxmemory: evict, then refuse deny-oom commands if that failed
    // (keyspace/evict). One branch when no limit is set. A blocked client
    // being served is not a new command: Redis 7.0 serves it without this
    // step, so it neither evicts nor gets OOM for a key just made ready.
    if srv.config.maxmemory != 0 && !crate::blocking::is_reexecuting(srv, c.token) {
        if let Err(e) = crate::keyspace::evict::check_oom(srv, c, id) {
            return reject(srv, c, Some(id), e);
        }
    }
    let checks: [Check; 3] = [check_disk_error, check_pubsub_context, check_loading];
    for check in checks {
        if let Err(e) = check(srv, c, id) {
            return reject(srv, c, Some(id), e);
        }
    }
    // Checks still to come join the arrays above in Redis's order: ACL after
    // auth; cluster redirection before the OOM step; replica read-only
    // before the disk error check.
    // CLIENT PAUSE: hold the command until the pause ends (conn/pause.rs).
    // Replicas, MONITOR clients among them, are never held. Scripts and EXEC
    // will pass their effective flags here.
    crate::tracking::before_command(srv, c);
    if !c.flags.monitor && srv.pause.holds(crate::multi::effective_flags(srv, c, id)) {
        return srv.postpone_client(c);
    }
    // In MULTI, commands other than EXEC, DISCARD, MULTI, WATCH, QUIT and
    // RESET are queued (src/multi).
    if crate::multi::maybe_queue(srv, c, id) {
        return;
    }
    call(srv, c, id);
}

fn check_lookup(srv: &Server, c: &Client) -> Result<usize, CmdError> {
    match srv.commands.lookup(&c.argv) {
        Lookup::Found(id)
            if srv.commands.cmds[id].handler.is_some()
                || !srv.commands.cmds[id].subcommands.is_empty() =>
        {
            Ok(id)
        }
        Lookup::Found(_) | Lookup::Unknown => Err(unknown_command_error(&c.argv)),
        Lookup::UnknownSubcommand(id) => Err(CmdError::unknown_subcommand(
            &c.argv[1],
            srv.commands.cmds[id].fullname(),
        )),
    }
}

/// "unknown command 'x', with args beginning with: 'a' 'b' " with Redis's 128-byte cuts.
fn unknown_command_error(argv: &[Vec<u8>]) -> CmdError {
    let mut args = Vec::new();
    for a in &argv[1..] {
        if args.len() >= 128 {
            break;
        }
        let room = 128 - args.len();
        args.push(b'\'');
        args.extend_from_slice(c_prefix(a, room));
        args.extend_from_slice(b"' ");
    }
    let mut t = b"ERR unknown command '".to_vec();
    t.extend_from_slice(c_prefix(&argv[0], 128));
    t.extend_from_slice(b"', with args beginning with: ");
    t.extend_from_slice(&args);
    CmdError::from_bytes(t)
}

fn check_arity(srv: &Server, c: &Client, id: usize) -> Result<(), CmdError> {
    let arity = srv.commands.cmds[id].meta.arity;
    let argc = c.argv.len() as i32;
    if (arity > 0 && arity != argc) || argc < -arity {
        return Err(CmdError::wrong_args(srv.commands.cmds[id].fullname()));
    }
    Ok(())
}

/// DEBUG and MODULE's protected subcommands need `enable-debug-command` /
/// `enable-module-command` to allow this client. Redis checks this right
/// after the arity, before authentication.
fn check_protected(srv: &Server, c: &Client, id: usize) -> Result<(), CmdError> {
    let meta = srv.commands.cmds[id].meta;
    if !meta.has(super::meta::flags::PROTECTED) {
        return Ok(());
    }
    let name = srv.commands.cmds[id].fullname();
    let (cmd, option, setting) = if name.starts_with("module") {
        (
            "MODULE",
            "enable-module-command",
            srv.config.enable_module_command,
        )
    } else {
        (
            "DEBUG",
            "enable-debug-command",
            srv.config.enable_debug_command,
        )
    };
    if crate::config::commands::allow_protected_action(setting, c) {
        return Ok(());
    }
    Err(CmdError::err(format!(
        "{cmd} command not allowed. If the {option} option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server."
    )))
}

fn check_auth(srv: &Server, c: &Client, id: usize) -> Result<(), CmdError> {
    if srv.auth_required(c) && !srv.commands.cmds[id].meta.has(super::meta::flags::NO_AUTH) {
        return Err(NOAUTH);
    }
    Ok(())
}

/// MISCONF: writes (and PING) are refused while persistence is failing
/// (Redis `writeCommandsDeniedByDiskError`): a failed BGSAVE first, then
/// the AOF's write errors.
fn check_disk_error(srv: &Server, _c: &Client, id: usize) -> Result<(), CmdError> {
    let meta = srv.commands.cmds[id].meta;
    if !meta.has(super::meta::flags::WRITE) && meta.name != "ping" {
        return Ok(());
    }
    crate::persistence::check_disk_error(srv, id)?;
    match crate::persistence::aof::write_error(srv) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// -LOADING while the dataset loads (persistence decides).
fn check_loading(srv: &Server, _c: &Client, id: usize) -> Result<(), CmdError> {
    crate::persistence::check_loading(srv, id)
}

/// A RESP2 client with subscriptions may only (un)subscribe, PING, QUIT and
/// RESET; RESP3 clients may run anything (Redis `processCommand`).
fn check_pubsub_context(srv: &Server, c: &Client, id: usize) -> Result<(), CmdError> {
    if !c.is_pubsub() || c.reply.resp != 2 {
        return Ok(());
    }
    let name = srv.commands.cmds[id].fullname();
    if crate::pubsub::ALLOWED_WHEN_SUBSCRIBED.contains(&name) {
        return Ok(());
    }
    Err(CmdError::err(format!(
        "Can't execute '{}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
        name
    )))
}

/// A command refused before it ran: counted as rejected in commandstats. In
/// MULTI it makes the transaction fail (`flagTransaction`).
fn reject(srv: &mut Server, c: &mut Client, id: Option<usize>, e: CmdError) {
    let e = crate::multi::on_reject(srv, c, id, e);
    if let Some(id) = id {
        srv.commands.cmds[id].stats.rejected_calls += 1;
    }
    srv.stats.count_error(e.code());
    c.reply.error(e.as_bytes());
    crate::tracking::after_reject(c);
}

/// Runs the handler and records its statistics (Redis `call`). EXEC calls
/// it for each queued command.
pub(crate) fn call(srv: &mut Server, c: &mut Client, id: usize) {
    let cmd = &srv.commands.cmds[id];
    let (meta, handler) = (cmd.meta, cmd.handler);
    let Some(handler) = handler else {
        // A container called without a subcommand but with a valid arity.
        return reject(srv, c, Some(id), CmdError::wrong_args(meta.name));
    };
    let mut argv = std::mem::take(&mut c.argv);
    c.redacted.clear();
    c.flags.executing = true;
    let reply_start = c.reply.len();
    let start = srv.mono.now_us();
    let dirty_before = srv.status.persistence.dirty;
    crate::propagate::before_call(srv);
    crate::tracking::before_call(srv, c);
    let (result, adopt) = {
        let mut ctx = Ctx {
            srv,
            client: c,
            argv: &argv,
            meta,
            cmd_id: id,
            adopt: None,
        };
        (handler(&mut ctx), ctx.adopt)
    };
    let duration = srv.mono.now_us().saturating_sub(start);
    c.flags.executing = false;
    // Keyspace notifications the command fired (pushes to itself go before its reply).
    crate::pubsub::notify::deliver(srv, Some((c, reply_start)));
    crate::tracking::after_handler(srv, c, reply_start);
    let stats = &mut srv.commands.cmds[id].stats;
    stats.calls += 1;
    stats.usec += duration;
    if let Err(e) = result {
        stats.failed_calls += 1;
        srv.stats.count_error(e.code());
        c.reply.error(e.as_bytes());
    }
    srv.stats.total_commands_processed += 1;
    crate::propagate::after_call(srv, c.db, &argv, meta, dirty_before);
    srv.after_call(c, &argv, meta, id, duration);
    if let Some(a) = adopt {
        crate::cmd::ctx::adopt_arg(srv, &mut argv, a);
    }
    c.argv = argv;
    c.recycle_argv();
}

/// CLIENT REPLY OFF/SKIP: drop what this command wrote when replies are off,
/// except the pushes it wrote to its own client (Redis CLIENT_PUSHING). A
/// command that turned replies back on (CLIENT REPLY ON) keeps its reply.
fn apply_reply_mode(c: &mut Client, before: ReplyMode, mark: usize) {
    let drop = (before == ReplyMode::Skip && c.reply_mode != ReplyMode::On)
        || c.reply_mode == ReplyMode::Off;
    if drop {
        c.reply.out_mut().drop_replies_from(mark);
    }
    match c.reply_mode {
        ReplyMode::SkipNext => c.reply_mode = ReplyMode::Skip,
        ReplyMode::Skip if before == ReplyMode::Skip => c.reply_mode = ReplyMode::On,
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_command_text() {
        let argv = vec![b"foo".to_vec(), b"a".to_vec(), b"b".to_vec()];
        assert_eq!(
            unknown_command_error(&argv).text(),
            "ERR unknown command 'foo', with args beginning with: 'a' 'b' "
        );
        let argv = vec![b"foo".to_vec()];
        assert_eq!(
            unknown_command_error(&argv).text(),
            "ERR unknown command 'foo', with args beginning with: "
        );
    }
}
