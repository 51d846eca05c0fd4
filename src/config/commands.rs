//! CONFIG GET/SET/RESETSTAT/REWRITE/HELP (config.c `configGetCommand`,
//! `configSetCommand`, `configResetStatCommand`, `configRewriteCommand`,
//! `configHelpCommand`).

use super::parse::split_spaces;
use super::table::{self, flag, Apply, Instance};
use super::{PROTECTED_LOCAL, PROTECTED_YES};
use crate::cmd::{CommandImpl, Ctx};
use crate::conn::Client;
use crate::error::{CmdError, SYNTAX};
use crate::server::Server;
use crate::util::glob::string_match_len;

pub const COMMANDS: &[CommandImpl] = &[
    CommandImpl {
        name: "config|get",
        handler: config_get_command,
    },
    CommandImpl {
        name: "config|set",
        handler: config_set_command,
    },
    CommandImpl {
        name: "config|resetstat",
        handler: config_resetstat_command,
    },
    CommandImpl {
        name: "config|rewrite",
        handler: config_rewrite_command,
    },
    CommandImpl {
        name: "config|help",
        handler: config_help_command,
    },
];

const HELP: &[&str] = &[
    "GET <pattern>",
    "    Return parameters matching the glob-like <pattern> and their values.",
    "SET <directive> <value>",
    "    Set the configuration <directive> to <value>.",
    "RESETSTAT",
    "    Reset statistics reported by the INFO command.",
    "REWRITE",
    "    Rewrite the configuration file.",
];

const LOADING: CmdError = CmdError::fixed("LOADING Redis is loading the dataset in memory");

fn config_help_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    crate::introspection::help::reply_help(ctx, "CONFIG", HELP);
    Ok(())
}

/// CONFIG GET parameter [parameter ...]: exact names (hidden configs
/// included) and glob patterns, each config reported once.
fn config_get_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let mut matches: Vec<(Vec<u8>, Instance)> = Vec::new();
    let seen = |m: &[(Vec<u8>, Instance)], name: &[u8]| {
        m.iter().any(|(k, _)| k.eq_ignore_ascii_case(name))
    };
    for pattern in &ctx.argv[2..] {
        let pat = super::parse::c_str(pattern);
        if !pat.iter().any(|c| matches!(c, b'[' | b'*' | b'?')) {
            if seen(&matches, pattern) {
                continue;
            }
            if let Some(inst) = table::lookup(pattern) {
                matches.push((pattern.clone(), inst));
            }
            continue;
        }
        for inst in table::instances() {
            if inst.entry.has(flag::HIDDEN) || seen(&matches, inst.name().as_bytes()) {
                continue;
            }
            if string_match_len(pattern, inst.name().as_bytes(), true) {
                matches.push((inst.name().as_bytes().to_vec(), inst));
            }
        }
    }
    let values: Vec<String> = matches
        .iter()
        .map(|(_, i)| i.entry.get(&ctx.srv.config))
        .collect();
    let r = ctx.reply();
    r.map(matches.len());
    for ((name, _), value) in matches.iter().zip(values) {
        r.bulk(name);
        r.bulk(value.as_bytes());
    }
    Ok(())
}

/// Redis `islocalClient`: a Unix socket or a loopback address.
fn is_local_client(c: &Client) -> bool {
    if c.flags.unix_socket {
        return true;
    }
    let host = c.addr.rsplit_once(':').map_or(c.addr.as_str(), |(h, _)| h);
    host == "127.0.0.1" || host == "::1"
}

/// Redis `allowProtectedAction`.
pub fn allow_protected_action(setting: i64, c: &Client) -> bool {
    setting == PROTECTED_YES || (setting == PROTECTED_LOCAL && is_local_client(c))
}

/// CONFIG SET parameter value [parameter value ...]: every value is checked
/// and stored, then the apply hooks run; any failure restores every value.
fn config_set_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    if ctx.argc() % 2 == 1 {
        return Err(SYNTAX);
    }
    // Values of sensitive configs never reach the slowlog or MONITOR, even
    // when the command fails.
    for i in (2..ctx.argc()).step_by(2) {
        if table::find(ctx.arg(i)).is_some_and(|e| e.has(flag::SENSITIVE)) {
            ctx.client.redacted.push(i + 1);
        }
    }
    let configs = check_set_names(ctx)?;
    let values: Vec<&[u8]> = (0..configs.len()).map(|i| ctx.arg(3 + 2 * i)).collect();
    set_configs(ctx.srv, &configs, &values)?;
    ctx.reply().ok();
    Ok(())
}

/// The first pass over the names: unknown, immutable, protected, loading
/// and duplicate parameters, with Redis's precedence between them.
fn check_set_names(ctx: &Ctx) -> Result<Vec<Instance>, CmdError> {
    let count = (ctx.argc() - 2) / 2;
    let mut configs: Vec<Instance> = Vec::with_capacity(count);
    let mut unknown: Option<&[u8]> = None;
    let mut failed: Option<(&[u8], &str)> = None;
    let mut deny_loading = false;
    for i in 0..count {
        let name = ctx.arg(2 + 2 * i);
        let Some(inst) = table::lookup(name) else {
            if unknown.is_none() && failed.is_none() && !deny_loading {
                unknown = Some(name);
            }
            continue;
        };
        if unknown.is_some() || failed.is_some() || deny_loading {
            continue;
        }
        let e = inst.entry;
        let protected = e.has(flag::PROTECTED)
            && !allow_protected_action(ctx.srv.config.enable_protected_configs, ctx.client);
        if e.has(flag::IMMUTABLE) || protected {
            let why = if e.has(flag::IMMUTABLE) {
                "can't set immutable config"
            } else {
                "can't set protected config"
            };
            failed = Some((name, why));
            continue;
        }
        if ctx.srv.status.persistence.loading && e.has(flag::DENY_LOADING) {
            deny_loading = true;
            continue;
        }
        if configs.iter().any(|c| c.same(&inst)) {
            failed = Some((name, "duplicate parameter"));
            continue;
        }
        configs.push(inst);
    }
    if deny_loading {
        return Err(LOADING);
    }
    if let Some(name) = unknown {
        return Err(CmdError::err(format!(
            "Unknown option or number of arguments for CONFIG SET - '{}'",
            String::from_utf8_lossy(name)
        )));
    }
    if let Some((name, why)) = failed {
        return Err(set_failed(&String::from_utf8_lossy(name), why));
    }
    Ok(configs)
}

fn set_failed(name: &str, why: &str) -> CmdError {
    CmdError::err(format!(
        "CONFIG SET failed (possibly related to argument '{}') - {}",
        name, why
    ))
}

/// Stores one value the way CONFIG SET passes it (Redis `performInterfaceSet`).
fn perform_set(srv: &mut Server, inst: &Instance, value: &[u8]) -> Result<(), String> {
    let args = if inst.entry.has(flag::MULTI_ARG) {
        split_spaces(value)
    } else {
        vec![value.to_vec()]
    };
    inst.entry.set(&mut srv.config, &args)
}

/// Sets every value, then runs each distinct apply hook once; on a failure
/// restores the old values (and re-applies them if hooks already ran).
pub fn set_configs(
    srv: &mut Server,
    configs: &[Instance],
    values: &[&[u8]],
) -> Result<(), CmdError> {
    let old: Vec<String> = configs.iter().map(|i| i.entry.get(&srv.config)).collect();
    let mut applies: Vec<(Apply, usize)> = Vec::new();
    for (i, inst) in configs.iter().enumerate() {
        let before = &old[i];
        if let Err(why) = perform_set(srv, inst, values[i]) {
            restore(srv, &configs[..=i], &old, &[]);
            return Err(set_failed(inst.name(), &why));
        }
        let changed = inst.entry.get(&srv.config) != *before || inst.entry.apply == Apply::Bind;
        let apply = inst.entry.apply;
        if changed && apply != Apply::None && !applies.iter().any(|(a, _)| *a == apply) {
            applies.push((apply, i));
        }
    }
    for &(apply, i) in &applies {
        if let Err(why) = srv.apply_config(apply) {
            let name = configs[i].name();
            srv.log.warning(&format!(
                "Failed applying new configuration. Possibly related to new {} setting. \
                 Restoring previous settings.",
                name
            ));
            restore(srv, configs, &old, &applies);
            return Err(set_failed(name, &why));
        }
    }
    Ok(())
}

/// Redis `restoreBackupConfig`.
fn restore(srv: &mut Server, configs: &[Instance], old: &[String], applies: &[(Apply, usize)]) {
    for (inst, value) in configs.iter().zip(old) {
        if let Err(why) = perform_set(srv, inst, value.as_bytes()) {
            srv.log.warning(&format!(
                "Failed restoring failed CONFIG SET command. Error setting {} to '{}': {}",
                inst.name(),
                value,
                why
            ));
        }
    }
    for &(apply, _) in applies {
        if let Err(why) = srv.apply_config(apply) {
            srv.log.warning(&format!(
                "Failed applying restored failed CONFIG SET command: {}",
                why
            ));
        }
    }
}

fn config_resetstat_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    ctx.srv.reset_stats();
    ctx.reply().ok();
    Ok(())
}

fn config_rewrite_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let Some(path) = ctx.srv.config.config_file.clone() else {
        return Err(CmdError::err("The server is running without a config file"));
    };
    let umask = crate::event_loop::process::umask();
    match super::rewrite::rewrite_config(&ctx.srv.config, &path, umask, false) {
        Ok(()) => {
            ctx.srv.log.warning("CONFIG REWRITE executed with success.");
            ctx.reply().ok();
            Ok(())
        }
        Err(e) => {
            if let Some(w) = &e.warning {
                ctx.srv.log.warning(w);
            }
            let why = crate::util::strerror(&e.error);
            ctx.srv
                .log
                .warning(&format!("CONFIG REWRITE failed: {}", why));
            Err(CmdError::err(format!("Rewriting config file: {}", why)))
        }
    }
}

/// DEBUG CONFIG-REWRITE-FORCE-ALL: CONFIG REWRITE writing every option,
/// defaults included. Redis hands its null config path to fopen, which
/// fails with EFAULT ("Bad address"); without a file we reply the same.
pub fn debug_config_rewrite_force_all(ctx: &mut Ctx) -> Result<(), CmdError> {
    let result = match ctx.srv.config.config_file.clone() {
        Some(path) => {
            let umask = crate::event_loop::process::umask();
            super::rewrite::rewrite_config(&ctx.srv.config, &path, umask, true).map_err(|e| {
                if let Some(w) = &e.warning {
                    ctx.srv.log.warning(w);
                }
                e.error
            })
        }
        None => Err(std::io::Error::from_raw_os_error(libc::EFAULT)),
    };
    match result {
        Ok(()) => {
            ctx.reply().ok();
            Ok(())
        }
        Err(e) => Err(CmdError::err(format!(
            "CONFIG-REWRITE-FORCE-ALL failed: {}",
            crate::util::strerror(&e)
        ))),
    }
}
