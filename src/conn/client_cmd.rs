//! The CLIENT command (networking.c `clientCommand`): ID, INFO, LIST, KILL,
//! SETNAME, GETNAME, PAUSE, UNPAUSE, REPLY, NO-EVICT, HELP.
//! TRACKING, CACHING, GETREDIR, TRACKINGINFO and UNBLOCK belong to the
//! tracking (src/tracking) and blocking modules.

use super::commands::validate_client_name;
use super::info::{client_info_line, client_info_line_with, client_type, ClientType};
use super::pause::{PauseKind, PausePurpose};
use super::{Client, ReplyMode};
use crate::cmd::{CommandImpl, Ctx};
use crate::error::{lossy_prefix, CmdError, SYNTAX};
use crate::introspection::help::{reply_help, subcommand_syntax_error};
use crate::util::num::string2ll;

pub const COMMANDS: &[CommandImpl] = &[
    CommandImpl {
        name: "client|id",
        handler: client_id_command,
    },
    CommandImpl {
        name: "client|info",
        handler: client_info_command,
    },
    CommandImpl {
        name: "client|list",
        handler: client_list_command,
    },
    CommandImpl {
        name: "client|kill",
        handler: client_kill_command,
    },
    CommandImpl {
        name: "client|setname",
        handler: client_setname_command,
    },
    CommandImpl {
        name: "client|getname",
        handler: client_getname_command,
    },
    CommandImpl {
        name: "client|pause",
        handler: client_pause_command,
    },
    CommandImpl {
        name: "client|unpause",
        handler: client_unpause_command,
    },
    CommandImpl {
        name: "client|reply",
        handler: client_reply_command,
    },
    CommandImpl {
        name: "client|no-evict",
        handler: client_no_evict_command,
    },
    CommandImpl {
        name: "client|help",
        handler: client_help_command,
    },
];

/// CLIENT ID
fn client_id_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let id = ctx.client.id as i64;
    ctx.reply().int(id);
    Ok(())
}

/// CLIENT INFO: this connection's CLIENT LIST line.
fn client_info_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let mut line = client_info_line_with(ctx.client, ctx.srv.time.mstime, ctx.argv);
    line.push('\n');
    ctx.reply().verbatim(line.as_bytes(), "txt");
    Ok(())
}

/// CLIENT LIST [TYPE type] | [ID id ...]
fn client_list_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let now = ctx.srv.time.mstime;
    let mut out = String::new();
    if ctx.argc() > 3 && ctx.arg_is(2, "id") {
        let mut ids = Vec::with_capacity(ctx.argc() - 3);
        for i in 3..ctx.argc() {
            let id = string2ll(ctx.arg(i)).ok_or_else(|| CmdError::err("Invalid client ID"))?;
            ids.push(id);
        }
        for id in ids {
            if id == ctx.client.id as i64 {
                out.push_str(&client_info_line_with(ctx.client, now, ctx.argv));
                out.push('\n');
            } else if let Some(c) = u64::try_from(id)
                .ok()
                .and_then(|id| ctx.srv.clients.by_id(id))
            {
                out.push_str(&client_info_line(c, now));
                out.push('\n');
            }
        }
    } else {
        let filter = match ctx.argc() {
            2 => None,
            4 if ctx.arg_is(2, "type") => Some(parse_type(ctx.arg(3))?),
            _ => return Err(SYNTAX),
        };
        let mut others: Vec<&Client> = ctx
            .srv
            .clients
            .iter()
            .filter(|c| filter.is_none_or(|t| client_type(c) == t))
            .collect();
        if filter.is_none_or(|t| client_type(ctx.client) == t) {
            others.push(ctx.client);
        }
        // Redis lists clients in connection order.
        others.sort_by_key(|c| c.id);
        for c in others {
            if c.id == ctx.client.id {
                out.push_str(&client_info_line_with(c, now, ctx.argv));
            } else {
                out.push_str(&client_info_line(c, now));
            }
            out.push('\n');
        }
    }
    ctx.reply().verbatim(out.as_bytes(), "txt");
    Ok(())
}

fn parse_type(name: &[u8]) -> Result<ClientType, CmdError> {
    ClientType::from_name(name).ok_or_else(|| {
        CmdError::err(format!(
            "Unknown client type '{}'",
            lossy_prefix(name, usize::MAX)
        ))
    })
}

/// CLIENT SETNAME name
fn client_setname_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    ctx.client.name = validate_client_name(ctx.arg(2))?;
    ctx.reply().ok();
    Ok(())
}

/// CLIENT GETNAME
fn client_getname_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    match ctx.client.name.clone() {
        Some(n) => ctx.reply().bulk(&n),
        None => ctx.reply().null(),
    }
    Ok(())
}

/// CLIENT PAUSE timeout [WRITE|ALL]
fn client_pause_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    if ctx.argc() > 4 {
        return Err(subcommand_syntax_error(ctx));
    }
    let mut kind = PauseKind::All;
    if ctx.argc() == 4 {
        if ctx.arg_is(3, "write") {
            kind = PauseKind::Write;
        } else if ctx.arg_is(3, "all") {
            kind = PauseKind::All;
        } else {
            return Err(CmdError::err("CLIENT PAUSE mode must be WRITE or ALL"));
        }
    }
    let ms = string2ll(ctx.arg(2))
        .ok_or_else(|| CmdError::err("timeout is not an integer or out of range"))?;
    if ms < 0 {
        return Err(CmdError::err("timeout is negative"));
    }
    // Redis 7.0 adds the timeout to the clock without an overflow check; a
    // huge timeout wraps into the past and the pause ends at the next check.
    let end = if ms > 0 {
        ms.wrapping_add(ctx.srv.time.mstime)
    } else {
        0
    };
    ctx.srv
        .pause_clients(PausePurpose::ClientCommand, end, kind);
    ctx.reply().ok();
    Ok(())
}

/// CLIENT UNPAUSE
fn client_unpause_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    ctx.srv.unpause_clients(PausePurpose::ClientCommand);
    ctx.reply().ok();
    Ok(())
}

/// CLIENT REPLY ON|OFF|SKIP (dispatch drops the replies the mode suppresses).
fn client_reply_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    if ctx.arg_is(2, "on") {
        ctx.client.reply_mode = ReplyMode::On;
        ctx.reply().ok();
    } else if ctx.arg_is(2, "off") {
        ctx.client.reply_mode = ReplyMode::Off;
    } else if ctx.arg_is(2, "skip") {
        if ctx.client.reply_mode != ReplyMode::Off {
            ctx.client.reply_mode = ReplyMode::SkipNext;
        }
    } else {
        return Err(SYNTAX);
    }
    Ok(())
}

/// CLIENT NO-EVICT ON|OFF
fn client_no_evict_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    if ctx.arg_is(2, "on") {
        ctx.client.flags.no_evict = true;
        super::evict::no_evict_changed(ctx.srv, ctx.client);
    } else if ctx.arg_is(2, "off") {
        ctx.client.flags.no_evict = false;
        super::evict::no_evict_changed(ctx.srv, ctx.client);
    } else {
        return Err(SYNTAX);
    }
    ctx.reply().ok();
    Ok(())
}

/// The filters of CLIENT KILL's new form.
#[derive(Default)]
struct KillFilter<'a> {
    addr: Option<&'a [u8]>,
    laddr: Option<&'a [u8]>,
    kind: Option<ClientType>,
    id: Option<u64>,
    user: Option<&'a [u8]>,
    skipme: bool,
}

impl KillFilter<'_> {
    fn matches(&self, c: &Client, is_me: bool) -> bool {
        self.addr.is_none_or(|a| a == c.addr.as_bytes())
            && self.laddr.is_none_or(|a| a == c.laddr.as_bytes())
            && self.kind.is_none_or(|t| client_type(c) == t)
            && self.id.is_none_or(|id| id == c.id)
            && self.user.is_none_or(|u| u == c.user.as_bytes())
            && !(is_me && self.skipme)
    }
}

/// CLIENT KILL addr | CLIENT KILL [ID id] [TYPE type] [USER user] [ADDR addr]
/// [LADDR laddr] [SKIPME yes|no]. Others are closed in before-sleep; the
/// caller, when it matches, is closed once this reply is written.
fn client_kill_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let old_form = ctx.argc() == 3;
    let filter = if old_form {
        // The old form may kill the caller too.
        KillFilter {
            addr: Some(ctx.arg(2)),
            ..KillFilter::default()
        }
    } else {
        parse_kill_filter(ctx)?
    };
    let mut killed = 0;
    let mut kill = |c: &mut Client, to_close: &mut Vec<usize>| {
        if !c.flags.close_asap && filter.matches(c, false) {
            c.flags.close_asap = true;
            to_close.push(c.token);
            killed += 1;
        }
    };
    let srv = &mut *ctx.srv;
    match filter.id {
        // With an ID only that client can match: no scan.
        Some(id) => {
            if let Some(c) = srv.clients.by_id_mut(id) {
                kill(c, &mut srv.clients_to_close);
            }
        }
        None => {
            for c in srv.clients.iter_mut() {
                kill(c, &mut srv.clients_to_close);
            }
        }
    }
    let kill_me = filter.matches(ctx.client, true);
    if kill_me {
        killed += 1;
    }
    if old_form {
        if killed == 0 {
            return Err(CmdError::err("No such client"));
        }
        ctx.reply().ok();
    } else {
        ctx.reply().int(killed);
    }
    if kill_me {
        ctx.client.flags.close_after_reply = true;
    }
    Ok(())
}

fn parse_kill_filter<'a>(ctx: &Ctx<'a>) -> Result<KillFilter<'a>, CmdError> {
    let mut f = KillFilter {
        skipme: true,
        ..KillFilter::default()
    };
    let mut i = 2;
    while i < ctx.argc() {
        if i + 1 >= ctx.argc() {
            return Err(SYNTAX);
        }
        let val = ctx.arg(i + 1);
        if ctx.arg_is(i, "id") {
            let id = string2ll(val)
                .filter(|&v| v >= 1)
                .ok_or_else(|| CmdError::err("client-id should be greater than 0"))?;
            f.id = Some(id as u64);
        } else if ctx.arg_is(i, "type") {
            f.kind = Some(parse_type(val)?);
        } else if ctx.arg_is(i, "addr") {
            f.addr = Some(val);
        } else if ctx.arg_is(i, "laddr") {
            f.laddr = Some(val);
        } else if ctx.arg_is(i, "user") {
            if val != b"default" {
                return Err(CmdError::err(format!(
                    "No such user '{}'",
                    lossy_prefix(val, usize::MAX)
                )));
            }
            f.user = Some(val);
        } else if ctx.arg_is(i, "skipme") {
            if val.eq_ignore_ascii_case(b"yes") {
                f.skipme = true;
            } else if val.eq_ignore_ascii_case(b"no") {
                f.skipme = false;
            } else {
                return Err(SYNTAX);
            }
        } else {
            return Err(SYNTAX);
        }
        i += 2;
    }
    Ok(f)
}

/// CLIENT HELP
fn client_help_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    reply_help(ctx, "client", HELP);
    Ok(())
}

const HELP: &[&str] = &[
    "CACHING (YES|NO)",
    "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
    "GETREDIR",
    "    Return the client ID we are redirecting to when tracking is enabled.",
    "GETNAME",
    "    Return the name of the current connection.",
    "ID",
    "    Return the ID of the current connection.",
    "INFO",
    "    Return information about the current client connection.",
    "KILL <ip:port>",
    "    Kill connection made from <ip:port>.",
    "KILL <option> <value> [<option> <value> [...]]",
    "    Kill connections. Options are:",
    "    * ADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made from the specified address",
    "    * LADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made to specified local address",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Kill connections by type.",
    "    * USER <username>",
    "      Kill connections authenticated by <username>.",
    "    * SKIPME (YES|NO)",
    "      Skip killing current connection (default: yes).",
    "LIST [options ...]",
    "    Return information about client connections. Options:",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Return clients of specified type.",
    "UNPAUSE",
    "    Stop the current client pause, resuming traffic.",
    "PAUSE <timeout> [WRITE|ALL]",
    "    Suspend all, or just write, clients for <timeout> milliseconds.",
    "REPLY (ON|OFF|SKIP)",
    "    Control the replies sent to the current connection.",
    "SETNAME <name>",
    "    Assign the name <name> to the current connection.",
    "UNBLOCK <clientid> [TIMEOUT|ERROR]",
    "    Unblock the specified blocked client.",
    "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
    "         [OPTIN] [OPTOUT] [NOLOOP]",
    "    Control server assisted client side caching.",
    "TRACKINGINFO",
    "    Report tracking status for the current connection.",
    "NO-EVICT (ON|OFF)",
    "    Protect current client connection from eviction.",
];
