//! The COMMAND command (Redis server.c `commandCommand` and friends,
//! `addReplyCommandInfo`, `addReplyCommandDocs`): describes the commands this
//! server has, from their metadata, in Redis's exact RESP2/RESP3 shapes.

use crate::cmd::keys::{self, KeyRef};
use crate::cmd::meta::{
    self, acl, all_bit_names, argflag, bit_names, docflag, flags, key, Arg, BeginSearch,
    CommandMeta, FindKeys, KeySpec,
};
use crate::cmd::table::{CommandTable, Lookup};
use crate::cmd::Ctx;
use crate::error::{CmdError, SYNTAX};
use crate::resp::Reply;
use crate::util::glob::string_match_len;

/// The metadata of the subcommands this server has for command `id`.
fn subcommand_metas(t: &CommandTable, id: usize) -> Vec<&'static CommandMeta> {
    t.cmds[id]
        .subcommands
        .iter()
        .map(|&s| t.cmds[s].meta)
        .collect()
}

/// Finds a command by full name ("get", "config|get"), ignoring case (Redis
/// `lookupCommandBySds`): a container's name alone finds the container.
fn find_fullname(t: &CommandTable, name: &[u8]) -> Option<usize> {
    let mut parts = name.split(|&b| b == b'|');
    let top = t.find_top(parts.next()?)?;
    match (parts.next(), parts.next()) {
        (None, _) => Some(top),
        (Some(sub), None) => t.cmds[top].subcommands.iter().copied().find(|&s| {
            t.cmds[s]
                .meta
                .short_name()
                .as_bytes()
                .eq_ignore_ascii_case(sub)
        }),
        _ => None,
    }
}

/// C's `strcasecmp` against a keyword: `arg` counts only up to its first NUL.
fn c_eq(arg: &[u8], word: &str) -> bool {
    let end = memchr::memchr(0, arg).unwrap_or(arg.len());
    arg[..end].eq_ignore_ascii_case(word.as_bytes())
}

/// COMMAND: every command's details.
pub fn command_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    reply_all_info(&ctx.srv.commands, &mut ctx.client.reply);
    Ok(())
}

fn reply_all_info(t: &CommandTable, r: &mut Reply) {
    let top: Vec<usize> = t.top_level().map(|c| c.id).collect();
    r.array(top.len());
    for id in top {
        reply_info(r, t.cmds[id].meta, &subcommand_metas(t, id));
    }
}

/// COMMAND COUNT
pub fn count_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let n = ctx.srv.commands.top_level().count();
    ctx.reply().int(n as i64);
    Ok(())
}

/// COMMAND INFO [command-name ...]: a null for names that are not commands.
pub fn info_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let t = &ctx.srv.commands;
    let r = &mut ctx.client.reply;
    if ctx.argv.len() == 2 {
        reply_all_info(t, r);
        return Ok(());
    }
    r.array(ctx.argv.len() - 2);
    for name in &ctx.argv[2..] {
        match find_fullname(t, name) {
            Some(id) => reply_info(r, t.cmds[id].meta, &subcommand_metas(t, id)),
            None => r.null(),
        }
    }
    Ok(())
}

/// COMMAND DOCS [command-name ...]: unknown names are left out.
pub fn docs_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let t = &ctx.srv.commands;
    let r = &mut ctx.client.reply;
    let ids: Vec<usize> = if ctx.argv.len() == 2 {
        t.top_level().map(|c| c.id).collect()
    } else {
        ctx.argv[2..]
            .iter()
            .filter_map(|name| find_fullname(t, name))
            .collect()
    };
    r.map(ids.len());
    for id in ids {
        let m = t.cmds[id].meta;
        r.bulk(m.name.as_bytes());
        reply_docs(r, m, &subcommand_metas(t, id));
    }
    Ok(())
}

/// The filter of COMMAND LIST FILTERBY.
enum Filter<'a> {
    All,
    Module,
    AclCat(u32),
    Pattern(&'a [u8]),
}

impl Filter<'_> {
    fn keeps(&self, m: &CommandMeta) -> bool {
        match self {
            Filter::All => true,
            // No modules can be loaded, so no command belongs to one.
            Filter::Module => false,
            Filter::AclCat(bit) => m.acl & bit != 0,
            Filter::Pattern(p) => string_match_len(p, m.name.as_bytes(), true),
        }
    }
}

/// COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]
pub fn list_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let argv = ctx.argv;
    let filter = match argv.len() {
        2 => Filter::All,
        5 if c_eq(&argv[2], "filterby") => {
            if c_eq(&argv[3], "module") {
                Filter::Module
            } else if c_eq(&argv[3], "aclcat") {
                let end = memchr::memchr(0, &argv[4]).unwrap_or(argv[4].len());
                Filter::AclCat(acl::by_name(&argv[4][..end]).unwrap_or(0))
            } else if c_eq(&argv[3], "pattern") {
                Filter::Pattern(&argv[4])
            } else {
                return Err(SYNTAX);
            }
        }
        _ => return Err(SYNTAX),
    };
    let t = &ctx.srv.commands;
    let r = &mut ctx.client.reply;
    let at = r.defer_len();
    let mut n = 0;
    for top in t.top_level() {
        let subs = top.subcommands.iter().map(|&s| t.cmds[s].meta);
        for m in std::iter::once(top.meta).chain(subs) {
            if filter.keeps(m) {
                r.bulk(m.name.as_bytes());
                n += 1;
            }
        }
    }
    r.set_deferred_array(at, n);
    Ok(())
}

/// COMMAND GETKEYS command [arg ...]
pub fn getkeys_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    getkeys_generic(ctx, false)
}

/// COMMAND GETKEYSANDFLAGS command [arg ...]
pub fn getkeysandflags_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    getkeys_generic(ctx, true)
}

fn getkeys_generic(ctx: &mut Ctx, with_flags: bool) -> Result<(), CmdError> {
    let argv = &ctx.argv[2..];
    let t = &ctx.srv.commands;
    let id = match t.lookup(argv) {
        Lookup::Found(id) => id,
        Lookup::Unknown | Lookup::UnknownSubcommand(_) => {
            return Err(CmdError::err("Invalid command specified"))
        }
    };
    reply_getkeys(&mut ctx.client.reply, t.cmds[id].meta, argv, with_flags)
}

/// The reply of COMMAND GETKEYS / GETKEYSANDFLAGS once `argv` (the target
/// command's full argv) has been resolved to `m` (Redis `getKeysSubcommandImpl`).
pub fn reply_getkeys(
    r: &mut Reply,
    m: &CommandMeta,
    argv: &[Vec<u8>],
    with_flags: bool,
) -> Result<(), CmdError> {
    if !keys::has_keys(m) {
        return Err(CmdError::err("The command has no key arguments"));
    }
    let argc = argv.len() as i64;
    let arity = m.arity as i64;
    if (arity > 0 && arity != argc) || argc < -arity {
        return Err(CmdError::err(
            "Invalid number of arguments specified for command",
        ));
    }
    let found = keys::get_keys(m, argv);
    if found.is_empty() && !m.has(flags::NO_MANDATORY_KEYS) {
        return Err(CmdError::err("Invalid arguments specified for command"));
    }
    reply_keys(r, argv, &found, with_flags);
    Ok(())
}

fn reply_keys(r: &mut Reply, argv: &[Vec<u8>], found: &[KeyRef], with_flags: bool) {
    r.array(found.len());
    for k in found {
        if with_flags {
            r.array(2);
            r.bulk(&argv[k.pos]);
            reply_name_set(r, all_bit_names(k.flags as u64, &key::NAMES));
        } else {
            r.bulk(&argv[k.pos]);
        }
    }
}

/// COMMAND HELP
pub fn help_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    const LINES: &[&str] = &[
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "GETKEYS <full-command>",
        "    Return the keys from a full Redis command.",
        "GETKEYSANDFLAGS <full-command>",
        "    Return the keys and the access flags from a full Redis command.",
    ];
    super::help::reply_help(ctx, "command", LINES);
    Ok(())
}

// ---------------------------------------------------------------- rendering

/// A set of simple strings (flag names).
fn reply_name_set<'a>(r: &mut Reply, names: impl Iterator<Item = &'a str> + Clone) {
    r.set(names.clone().count());
    for n in names {
        r.simple(n.as_bytes());
    }
}

/// One command's COMMAND INFO entry (Redis `addReplyCommandInfo`). `subs` are
/// the subcommands to list; a command without any gets an empty set.
pub fn reply_info(r: &mut Reply, m: &CommandMeta, subs: &[&CommandMeta]) {
    r.array(10);
    r.bulk(m.name.as_bytes());
    r.int(m.arity as i64);
    reply_name_set(r, bit_names(m.flags, &flags::NAMES));
    let (first, last, step) = m.legacy_keys;
    r.int(first as i64);
    r.int(last as i64);
    r.int(step as i64);
    let cats = all_bit_names(m.acl as u64, &acl::NAMES);
    r.set(cats.clone().count());
    for c in cats {
        r.simple(format!("@{}", c).as_bytes());
    }
    r.set(m.tips.len());
    for tip in m.tips {
        r.bulk(tip.as_bytes());
    }
    r.set(m.key_specs.len());
    for ks in m.key_specs {
        reply_key_spec(r, ks);
    }
    if m.subcommands.is_empty() {
        r.set(0);
    } else {
        r.array(subs.len());
        for s in subs {
            reply_info(r, s, &[]);
        }
    }
}

fn reply_key_spec(r: &mut Reply, ks: &KeySpec) {
    r.map(3 + ks.notes.is_some() as usize);
    if let Some(notes) = ks.notes {
        r.bulk(b"notes");
        r.bulk(notes.as_bytes());
    }
    r.bulk(b"flags");
    reply_name_set(r, all_bit_names(ks.flags as u64, &key::NAMES));
    r.bulk(b"begin_search");
    r.map(2);
    r.bulk(b"type");
    match ks.begin_search {
        BeginSearch::Index(i) => {
            r.bulk(b"index");
            spec_map(r, &[("index", SpecVal::Int(i))]);
        }
        BeginSearch::Keyword { keyword, startfrom } => {
            r.bulk(b"keyword");
            let spec = [
                ("keyword", SpecVal::Str(keyword)),
                ("startfrom", SpecVal::Int(startfrom)),
            ];
            spec_map(r, &spec);
        }
        BeginSearch::Unknown => {
            r.bulk(b"unknown");
            spec_map(r, &[]);
        }
    }
    r.bulk(b"find_keys");
    r.map(2);
    r.bulk(b"type");
    match ks.find_keys {
        FindKeys::Range {
            lastkey,
            keystep,
            limit,
        } => {
            r.bulk(b"range");
            let spec = [
                ("lastkey", SpecVal::Int(lastkey)),
                ("keystep", SpecVal::Int(keystep)),
                ("limit", SpecVal::Int(limit)),
            ];
            spec_map(r, &spec);
        }
        FindKeys::Keynum {
            keynumidx,
            firstkey,
            keystep,
        } => {
            r.bulk(b"keynum");
            let spec = [
                ("keynumidx", SpecVal::Int(keynumidx)),
                ("firstkey", SpecVal::Int(firstkey)),
                ("keystep", SpecVal::Int(keystep)),
            ];
            spec_map(r, &spec);
        }
        FindKeys::Unknown => {
            r.bulk(b"unknown");
            spec_map(r, &[]);
        }
    }
}

enum SpecVal {
    Int(i32),
    Str(&'static str),
}

/// The `spec` entry of a begin_search / find_keys map.
fn spec_map(r: &mut Reply, fields: &[(&str, SpecVal)]) {
    r.bulk(b"spec");
    r.map(fields.len());
    for (name, v) in fields {
        r.bulk(name.as_bytes());
        match v {
            SpecVal::Int(i) => r.int(*i as i64),
            SpecVal::Str(s) => r.bulk(s.as_bytes()),
        }
    }
}

/// One command's COMMAND DOCS map (Redis `addReplyCommandDocs`); the caller
/// writes the name key. `subs` are the subcommands to document.
pub fn reply_docs(r: &mut Reply, m: &CommandMeta, subs: &[&CommandMeta]) {
    let d = &m.docs;
    let has_subs = !m.subcommands.is_empty();
    let n = 3
        + d.complexity.is_some() as usize
        + (d.doc_flags != 0) as usize
        + d.deprecated_since.is_some() as usize
        + d.replaced_by.is_some() as usize
        + !d.history.is_empty() as usize
        + !d.args.is_empty() as usize
        + has_subs as usize;
    r.map(n);
    field(r, "summary", d.summary);
    field(r, "since", d.since);
    field(r, "group", d.group);
    if let Some(c) = d.complexity {
        field(r, "complexity", c);
    }
    if d.doc_flags != 0 {
        r.bulk(b"doc_flags");
        reply_name_set(r, all_bit_names(d.doc_flags as u64, &docflag::NAMES));
    }
    if let Some(v) = d.deprecated_since {
        field(r, "deprecated_since", v);
    }
    if let Some(v) = d.replaced_by {
        field(r, "replaced_by", v);
    }
    if !d.history.is_empty() {
        r.bulk(b"history");
        r.set(d.history.len());
        for (version, change) in d.history {
            r.array(2);
            r.bulk(version.as_bytes());
            r.bulk(change.as_bytes());
        }
    }
    if !d.args.is_empty() {
        r.bulk(b"arguments");
        reply_args(r, d.args);
    }
    if has_subs {
        r.bulk(b"subcommands");
        r.map(subs.len());
        for s in subs {
            r.bulk(s.name.as_bytes());
            reply_docs(r, s, &[]);
        }
    }
}

fn field(r: &mut Reply, name: &str, value: &str) {
    r.bulk(name.as_bytes());
    r.bulk(value.as_bytes());
}

/// Redis `addReplyCommandArgList`.
fn reply_args(r: &mut Reply, args: &[Arg]) {
    r.array(args.len());
    for a in args {
        let container = matches!(a.kind, meta::ArgType::OneOf | meta::ArgType::Block);
        let n = 2
            + (a.key_spec_index >= 0) as usize
            + a.token.is_some() as usize
            + a.summary.is_some() as usize
            + a.since.is_some() as usize
            + a.deprecated_since.is_some() as usize
            + (a.flags != 0) as usize
            + container as usize;
        r.map(n);
        field(r, "name", a.name);
        field(r, "type", a.kind.name());
        if a.key_spec_index >= 0 {
            r.bulk(b"key_spec_index");
            r.int(a.key_spec_index as i64);
        }
        let optional = [
            ("token", a.token),
            ("summary", a.summary),
            ("since", a.since),
            ("deprecated_since", a.deprecated_since),
        ];
        for (name, v) in optional {
            if let Some(v) = v {
                field(r, name, v);
            }
        }
        if a.flags != 0 {
            r.bulk(b"flags");
            reply_name_set(r, all_bit_names(a.flags as u64, &argflag::NAMES));
        }
        if container {
            r.bulk(b"arguments");
            reply_args(r, a.args);
        }
    }
}
