//! The tracking subcommands of CLIENT (Redis networking.c `clientCommand`
//! and tracking.c `checkPrefixCollisionsOrReply`): TRACKING, CACHING,
//! GETREDIR and TRACKINGINFO.

use super::ClientTracking;
use crate::cmd::{CommandImpl, Ctx};
use crate::error::{CmdError, NOT_INTEGER, SYNTAX};
use crate::util::num::string2ll;

pub const COMMANDS: &[CommandImpl] = &[
    CommandImpl {
        name: "client|tracking",
        handler: client_tracking_command,
    },
    CommandImpl {
        name: "client|caching",
        handler: client_caching_command,
    },
    CommandImpl {
        name: "client|getredir",
        handler: client_getredir_command,
    },
    CommandImpl {
        name: "client|trackinginfo",
        handler: client_trackinginfo_command,
    },
];

/// Options of CLIENT TRACKING as given.
struct Options<'a> {
    redirect: u64,
    flags: ClientTracking,
    prefixes: Vec<&'a [u8]>,
}

/// Parses the options after ON|OFF, checking REDIRECT's target exists now.
fn parse_options<'a>(ctx: &Ctx<'a>) -> Result<Options<'a>, CmdError> {
    let argv = ctx.argv;
    let mut o = Options {
        redirect: 0,
        flags: ClientTracking::default(),
        prefixes: Vec::new(),
    };
    let mut j = 3;
    while j < argv.len() {
        let more = j + 1 < argv.len();
        let a = &argv[j];
        if a.eq_ignore_ascii_case(b"redirect") && more {
            j += 1;
            if o.redirect != 0 {
                return Err(CmdError::err(
                    "A client can only redirect to a single other client",
                ));
            }
            let id = string2ll(&argv[j]).ok_or(NOT_INTEGER)?;
            if !client_exists(ctx, id) {
                return Err(CmdError::err(
                    "The client ID you want redirect to does not exist",
                ));
            }
            o.redirect = id as u64;
        } else if a.eq_ignore_ascii_case(b"bcast") {
            o.flags.bcast = true;
        } else if a.eq_ignore_ascii_case(b"optin") {
            o.flags.optin = true;
        } else if a.eq_ignore_ascii_case(b"optout") {
            o.flags.optout = true;
        } else if a.eq_ignore_ascii_case(b"noloop") {
            o.flags.noloop = true;
        } else if a.eq_ignore_ascii_case(b"prefix") && more {
            j += 1;
            o.prefixes.push(&argv[j]);
        } else {
            return Err(SYNTAX);
        }
        j += 1;
    }
    Ok(o)
}

/// Redis `lookupClientByID`: the running client or one in the slab.
fn client_exists(ctx: &Ctx, id: i64) -> bool {
    id > 0 && (id as u64 == ctx.client.id || ctx.srv.clients.token_of(id as u64).is_some())
}

/// CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX p ...] [BCAST] [OPTIN] [OPTOUT] [NOLOOP]
fn client_tracking_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let o = parse_options(ctx)?;
    if ctx.arg_is(2, "off") {
        super::disable(ctx.srv, ctx.client);
        ctx.reply().ok();
        return Ok(());
    }
    if !ctx.arg_is(2, "on") {
        return Err(SYNTAX);
    }
    check_compatible(&ctx.client.tracking, &o)?;
    if o.flags.bcast {
        match check_prefix_collisions(&ctx.client.tracking, &o.prefixes) {
            Collision::None => {}
            Collision::First(e) => return Err(e),
            Collision::Later(e) => {
                // Redis replies with the error and still goes on to enable
                // tracking and reply +OK when the overlap is not found at
                // the first prefix: two replies, kept for compatibility.
                ctx.srv.stats.count_error(e.code());
                ctx.srv.commands.cmds[ctx.cmd_id].stats.failed_calls += 1;
                ctx.reply().error(e.as_bytes());
            }
        }
    }
    let mut flags = o.flags;
    flags.prefixes = o.prefixes.iter().map(|p| p.to_vec()).collect();
    super::enable(ctx.srv, ctx.client, o.redirect, &flags);
    ctx.reply().ok();
    Ok(())
}

/// The option checks of CLIENT TRACKING ON, in Redis's order.
fn check_compatible(cur: &ClientTracking, o: &Options) -> Result<(), CmdError> {
    let f = &o.flags;
    if !f.bcast && !o.prefixes.is_empty() {
        return Err(CmdError::err(
            "PREFIX option requires BCAST mode to be enabled",
        ));
    }
    if cur.on && cur.bcast != f.bcast {
        return Err(CmdError::err(
            "You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.",
        ));
    }
    if f.bcast && (f.optin || f.optout) {
        return Err(CmdError::err(
            "OPTIN and OPTOUT are not compatible with BCAST",
        ));
    }
    if f.optin && f.optout {
        return Err(CmdError::err(
            "You can't specify both OPTIN mode and OPTOUT mode",
        ));
    }
    if (f.optin && cur.optout) || (f.optout && cur.optin) {
        return Err(CmdError::err(
            "You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.",
        ));
    }
    Ok(())
}

/// Outcome of the prefix overlap check.
enum Collision {
    None,
    /// Found while checking the first prefix: the command fails.
    First(CmdError),
    /// Found later: Redis replies the error and carries on.
    Later(CmdError),
}

/// Two prefixes overlap when one starts the other (Redis `stringCheckPrefix`).
fn overlap(a: &[u8], b: &[u8]) -> bool {
    let n = a.len().min(b.len());
    a[..n] == b[..n]
}

/// The bytes `%s` prints: up to the first NUL.
fn c_str(s: &[u8]) -> &[u8] {
    match s.iter().position(|&b| b == 0) {
        Some(i) => &s[..i],
        None => s,
    }
}

fn collision_error(new: &[u8], kind: &str, other: &[u8]) -> CmdError {
    let mut t = b"ERR Prefix '".to_vec();
    t.extend_from_slice(c_str(new));
    t.extend_from_slice(format!("' overlaps with {kind} prefix '").as_bytes());
    t.extend_from_slice(c_str(other));
    t.extend_from_slice(b"'. Prefixes for a single client must not overlap.");
    CmdError::from_bytes(t)
}

/// Redis `checkPrefixCollisionsOrReply`: each new prefix against the
/// client's prefixes, then against the new ones after it.
fn check_prefix_collisions(cur: &ClientTracking, prefixes: &[&[u8]]) -> Collision {
    for (i, p) in prefixes.iter().enumerate() {
        if let Some(old) = cur.prefixes.iter().find(|old| overlap(old, p)) {
            return Collision::First(collision_error(p, "an existing", old));
        }
        if let Some(q) = prefixes[i + 1..].iter().find(|q| overlap(p, q)) {
            let e = collision_error(p, "another provided", q);
            return if i == 0 {
                Collision::First(e)
            } else {
                Collision::Later(e)
            };
        }
    }
    Collision::None
}

/// CLIENT CACHING YES|NO: applies to the next command only.
fn client_caching_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let t = &mut ctx.client.tracking;
    if !t.on {
        return Err(CmdError::err(
            "CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled",
        ));
    }
    if ctx.argv[2].eq_ignore_ascii_case(b"yes") {
        if !t.optin {
            return Err(CmdError::err(
                "CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.",
            ));
        }
    } else if ctx.argv[2].eq_ignore_ascii_case(b"no") {
        if !t.optout {
            return Err(CmdError::err(
                "CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.",
            ));
        }
    } else {
        return Err(SYNTAX);
    }
    t.caching = true;
    ctx.reply().ok();
    Ok(())
}

/// CLIENT GETREDIR: the redirect id, 0 without one, -1 when not tracking.
fn client_getredir_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let v = super::redir_field(ctx.client);
    ctx.reply().int(v);
    Ok(())
}

/// CLIENT TRACKINGINFO: flags, redirect and prefixes.
fn client_trackinginfo_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let t = &ctx.client.tracking;
    let mut flags: Vec<&[u8]> = vec![if t.on { b"on" } else { b"off" }];
    if t.bcast {
        flags.push(b"bcast");
    }
    if t.optin {
        flags.push(b"optin");
        if t.caching {
            flags.push(b"caching-yes");
        }
    }
    if t.optout {
        flags.push(b"optout");
        if t.caching {
            flags.push(b"caching-no");
        }
    }
    if t.noloop {
        flags.push(b"noloop");
    }
    if t.broken_redir {
        flags.push(b"broken_redirect");
    }
    let redir = super::redir_field(ctx.client);
    let prefixes: Vec<Vec<u8>> = ctx.client.tracking.prefixes.iter().cloned().collect();
    let r = &mut ctx.client.reply;
    r.map(3);
    r.bulk(b"flags");
    r.set(flags.len());
    for f in flags {
        r.bulk(f);
    }
    r.bulk(b"redirect");
    r.int(redir);
    r.bulk(b"prefixes");
    r.array(prefixes.len());
    for p in &prefixes {
        r.bulk(p);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_overlap_when_one_starts_the_other() {
        assert!(overlap(b"a", b"ab"));
        assert!(overlap(b"", b"x"));
        assert!(!overlap(b"a", b"b"));
        assert!(overlap(b"same", b"same"));
    }

    #[test]
    fn collision_text_stops_at_nul() {
        let e = collision_error(b"a\0b", "another provided", b"a");
        assert_eq!(
            e.text(),
            "ERR Prefix 'a' overlaps with another provided prefix 'a'. Prefixes for a single client must not overlap."
        );
    }
}
