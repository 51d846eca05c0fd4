//! Connection commands (server.c, networking.c, acl.c): PING, ECHO, QUIT,
//! SELECT, AUTH, HELLO, RESET. CLIENT lives in `client_cmd.rs`.

use crate::cmd::{CommandImpl, Ctx};
use crate::error::{CmdError, DB_INDEX_OUT_OF_RANGE, NOT_INTEGER, SYNTAX, WRONGPASS};
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
    CommandImpl {
        name: "auth",
        handler: auth_command,
    },
    CommandImpl {
        name: "hello",
        handler: hello_command,
    },
    CommandImpl {
        name: "reset",
        handler: reset_command,
    },
];

const AUTH_WITHOUT_PASSWORD: &str = "AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?";
const NOPROTO: CmdError = CmdError::fixed("NOPROTO unsupported protocol version");
const HELLO_NOAUTH: CmdError = CmdError::fixed(
    "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time",
);
const BAD_CLIENT_NAME: &str = "Client names cannot contain spaces, newlines or special characters.";

/// PING [message]
/// (In RESP2 pub/sub context the reply becomes ["pong", message]; that hook
/// arrives with pub/sub.)
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
    let id = string2ll(ctx.arg(1)).ok_or(NOT_INTEGER)?;
    if i32::try_from(id).is_err() {
        // Redis `getIntFromObjectOrReply`, typo included.
        return Err(CmdError::err(
            "value is out of range, value must between -2147483648 and 2147483647",
        ));
    }
    if id < 0 || id >= ctx.srv.config.databases {
        return Err(DB_INDEX_OUT_OF_RANGE);
    }
    ctx.client.db = id as usize;
    ctx.reply().ok();
    Ok(())
}

/// AUTH [username] password
fn auth_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    if ctx.argc() > 3 {
        return Err(SYNTAX);
    }
    // Passwords never reach MONITOR or the slowlog.
    ctx.client.redacted.extend(1..ctx.argc());
    let (user, pass): (&[u8], &[u8]) = if ctx.argc() == 2 {
        if ctx.srv.config.requirepass.is_empty() {
            return Err(CmdError::err(AUTH_WITHOUT_PASSWORD));
        }
        (b"default", ctx.arg(1))
    } else {
        (ctx.arg(1), ctx.arg(2))
    };
    authenticate(ctx, user, pass)?;
    ctx.reply().ok();
    Ok(())
}

/// Logs the client in as `user` (Redis `ACLAuthenticateUser`).
fn authenticate(ctx: &mut Ctx, user: &[u8], pass: &[u8]) -> Result<(), CmdError> {
    if !ctx.srv.check_user_password(user, pass) {
        return Err(WRONGPASS);
    }
    ctx.client.user = String::from_utf8_lossy(user).into_owned();
    ctx.client.flags.authenticated = true;
    Ok(())
}

/// Checks a client name (Redis `clientSetNameOrReply`): printable ASCII
/// without spaces, so that CLIENT LIST stays splittable. Empty removes the name.
pub fn validate_client_name(name: &[u8]) -> Result<Option<Vec<u8>>, CmdError> {
    if name.is_empty() {
        return Ok(None);
    }
    if name.iter().any(|&b| !(b'!'..=b'~').contains(&b)) {
        return Err(CmdError::err(BAD_CLIENT_NAME));
    }
    Ok(Some(name.to_vec()))
}

/// HELLO [protover [AUTH username password] [SETNAME clientname]]
fn hello_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let mut ver = 0;
    if ctx.argc() >= 2 {
        ver = string2ll(ctx.arg(1))
            .ok_or_else(|| CmdError::err("Protocol version is not an integer or out of range"))?;
        if !(2..=3).contains(&ver) {
            return Err(NOPROTO);
        }
    }
    let mut auth = None;
    let mut setname = None;
    let mut j = 2;
    while j < ctx.argc() {
        let more = ctx.argc() - 1 - j;
        if ctx.arg_is(j, "auth") && more >= 2 {
            ctx.client.redacted.extend([j + 1, j + 2]);
            auth = Some((ctx.arg(j + 1), ctx.arg(j + 2)));
            j += 3;
        } else if ctx.arg_is(j, "setname") && more >= 1 {
            setname = Some(ctx.arg(j + 1));
            j += 2;
        } else {
            return Err(CmdError::err(format!(
                "Syntax error in HELLO option '{}'",
                crate::error::lossy_prefix(ctx.arg(j), usize::MAX)
            )));
        }
    }
    if let Some((user, pass)) = auth {
        authenticate(ctx, user, pass)?;
    }
    // Redis 7.0 sets the name before it checks that the client is authenticated.
    if let Some(name) = setname {
        ctx.client.name = validate_client_name(name)?;
    }
    if ctx.srv.auth_required(ctx.client) {
        return Err(HELLO_NOAUTH);
    }
    if ver != 0 {
        ctx.client.reply.resp = ver as u8;
    }
    hello_reply(ctx);
    Ok(())
}

/// The HELLO map: server, version, proto, id, mode, role, modules.
fn hello_reply(ctx: &mut Ctx) {
    let id = ctx.client.id as i64;
    let r = ctx.reply();
    r.map(7);
    r.bulk(b"server");
    r.bulk(b"redis");
    r.bulk(b"version");
    r.bulk(crate::REDIS_VERSION.as_bytes());
    r.bulk(b"proto");
    let resp = r.resp as i64;
    r.int(resp);
    r.bulk(b"id");
    r.int(id);
    r.bulk(b"mode");
    r.bulk(b"standalone");
    r.bulk(b"role");
    r.bulk(b"master");
    r.bulk(b"modules");
    r.array(0);
}

/// RESET: back to a fresh connection's state.
fn reset_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    // Replica and master links cannot be reset; MONITOR clients can.
    ctx.srv.clear_connection_state(ctx.client);
    ctx.reply().simple(b"RESET");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_names() {
        assert_eq!(validate_client_name(b"").unwrap(), None);
        assert_eq!(validate_client_name(b"a-b").unwrap(), Some(b"a-b".to_vec()));
        assert!(validate_client_name(b"a b").is_err());
        assert!(validate_client_name(b"\xc3\xa9").is_err());
        assert!(validate_client_name(b"a\n").is_err());
    }
}
