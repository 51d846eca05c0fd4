//! The COMMAND command and the command metadata, against a live redis-server.
//!
//! Two kinds of checks: live differential runs for the commands this server
//! has, and in-process rendering of EVERY Redis command's metadata (our
//! COMMAND output only lists commands with handlers) compared with what
//! redis-server sends for it, in RESP2 and RESP3.

use std::collections::BTreeSet;

use ferrodis::cmd::meta::{self, CommandMeta};
use ferrodis::introspection::command::{reply_docs, reply_getkeys, reply_info};
use ferrodis::resp::Reply;

use crate::support::resp::reply_end;
use crate::support::*;

// ---------------------------------------------------------------- RESP trees

/// A parsed reply that keeps its wire type, so it can be put in a canonical
/// order (Redis lists subcommands in hash order) and written back.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Val {
    Line(u8, Vec<u8>),
    Bulk(u8, Vec<u8>),
    Agg(u8, Vec<Val>),
    Null(Vec<u8>),
}

fn parse(buf: &[u8]) -> Val {
    let (v, end) = parse_at(buf, 0);
    assert_eq!(end, buf.len(), "trailing bytes in reply");
    v
}

fn parse_at(buf: &[u8], pos: usize) -> (Val, usize) {
    let nl = pos + buf[pos..].windows(2).position(|w| w == b"\r\n").unwrap();
    let t = buf[pos];
    let line = buf[pos + 1..nl].to_vec();
    let n = || std::str::from_utf8(&line).unwrap().parse::<i64>().unwrap();
    match t {
        b'$' | b'=' if n() >= 0 => {
            let start = nl + 2;
            let end = start + n() as usize;
            (Val::Bulk(t, buf[start..end].to_vec()), end + 2)
        }
        b'*' | b'~' | b'%' | b'>' if n() >= 0 => {
            let count = if t == b'%' { 2 * n() } else { n() };
            let mut items = Vec::new();
            let mut p = nl + 2;
            for _ in 0..count {
                let (v, next) = parse_at(buf, p);
                items.push(v);
                p = next;
            }
            (Val::Agg(t, items), p)
        }
        b'$' | b'*' | b'_' => (Val::Null(buf[pos..nl].to_vec()), nl + 2),
        _ => (Val::Line(t, line), nl + 2),
    }
}

fn write(v: &Val, out: &mut Vec<u8>) {
    match v {
        Val::Line(t, l) => {
            out.push(*t);
            out.extend_from_slice(l);
            out.extend_from_slice(b"\r\n");
        }
        Val::Bulk(t, b) => {
            out.extend_from_slice(format!("{}{}\r\n", *t as char, b.len()).as_bytes());
            out.extend_from_slice(b);
            out.extend_from_slice(b"\r\n");
        }
        Val::Agg(t, items) => {
            let n = if *t == b'%' {
                items.len() / 2
            } else {
                items.len()
            };
            out.extend_from_slice(format!("{}{}\r\n", *t as char, n).as_bytes());
            for i in items {
                write(i, out);
            }
        }
        Val::Null(raw) => {
            out.extend_from_slice(raw);
            out.extend_from_slice(b"\r\n");
        }
    }
}

fn show(v: &Val) -> String {
    let mut out = Vec::new();
    write(v, &mut out);
    String::from_utf8_lossy(&out).replace("\r\n", " ")
}

/// Sorts the pairs of a map (or RESP2 flat map) by key.
fn sort_pairs(items: &mut Vec<Val>) {
    let mut pairs: Vec<(Val, Val)> = items
        .chunks(2)
        .map(|c| (c[0].clone(), c[1].clone()))
        .collect();
    pairs.sort();
    *items = pairs.into_iter().flat_map(|(k, v)| [k, v]).collect();
}

/// A COMMAND INFO entry with its subcommands sorted by name.
fn canon_info(v: &mut Val) {
    if let Val::Agg(_, items) = v {
        if items.len() == 10 {
            if let Val::Agg(_, subs) = &mut items[9] {
                subs.iter_mut().for_each(canon_info);
                subs.sort();
            }
        }
    }
}

/// A docs map with its subcommands map sorted by name.
fn canon_docs(v: &mut Val) {
    if let Val::Agg(_, items) = v {
        for i in (0..items.len()).step_by(2) {
            if matches!(&items[i], Val::Bulk(_, k) if k == b"subcommands") {
                if let Val::Agg(_, subs) = &mut items[i + 1] {
                    for j in (1..subs.len()).step_by(2) {
                        canon_docs(&mut subs[j]);
                    }
                    sort_pairs(subs);
                }
            }
        }
    }
}

/// A whole COMMAND DOCS reply (a map of name -> docs), canonical.
fn canon_docs_reply(v: &mut Val) {
    if let Val::Agg(_, items) = v {
        for j in (1..items.len()).step_by(2) {
            canon_docs(&mut items[j]);
        }
        sort_pairs(items);
    }
}

/// Drops the subcommands whose names are not in `keep` from an INFO entry
/// or a docs map (this server lists only the subcommands it has).
fn only_subcommands(v: &mut Val, keep: &BTreeSet<Vec<u8>>, docs: bool) {
    let Val::Agg(_, items) = v else { return };
    if docs {
        for i in (0..items.len()).step_by(2) {
            if matches!(&items[i], Val::Bulk(_, k) if k == b"subcommands") {
                if let Val::Agg(_, subs) = &mut items[i + 1] {
                    let pairs: Vec<Val> = subs
                        .chunks(2)
                        .filter(|p| matches!(&p[0], Val::Bulk(_, n) if keep.contains(n)))
                        .flat_map(|p| p.to_vec())
                        .collect();
                    *subs = pairs;
                }
            }
        }
    } else if items.len() == 10 {
        if let Val::Agg(_, subs) = &mut items[9] {
            subs.retain(|e| {
                matches!(e, Val::Agg(_, f) if matches!(&f[0], Val::Bulk(_, n) if keep.contains(n)))
            });
        }
    }
}

/// A whole COMMAND / COMMAND INFO reply, canonical.
fn canon_info_reply(v: &mut Val) {
    if let Val::Agg(_, items) = v {
        items.iter_mut().for_each(canon_info);
        items.sort();
    }
}

// ---------------------------------------------------------------- helpers

fn conn(port: u16, resp: u8) -> RawConn {
    let mut c = RawConn::connect(port);
    if resp == 3 {
        let hello = c.cmd(&["HELLO", "3"]);
        assert!(hello.starts_with(b"%"), "HELLO 3 failed");
    }
    c
}

fn every_meta() -> Vec<&'static CommandMeta> {
    let mut out = Vec::new();
    for m in meta::all() {
        out.push(m);
        out.extend(m.subcommands.iter());
    }
    out
}

fn render_info(m: &CommandMeta, resp: u8) -> Val {
    let mut r = Reply::new(resp);
    r.array(1);
    let subs: Vec<&CommandMeta> = m.subcommands.iter().collect();
    reply_info(&mut r, m, &subs);
    parse(&r.to_vec())
}

fn render_docs(m: &CommandMeta, resp: u8) -> Val {
    let mut r = Reply::new(resp);
    r.map(1);
    r.bulk(m.name.as_bytes());
    let subs: Vec<&CommandMeta> = m.subcommands.iter().collect();
    reply_docs(&mut r, m, &subs);
    parse(&r.to_vec())
}

// ---------------------------------------------------------------- tests

#[test]
fn metadata_covers_every_redis_command() {
    if !have_redis("metadata_covers_every_redis_command") {
        return;
    }
    let redis = Server::start_redis(&[]);
    let mut c = conn(redis.port, 2);
    let Val::Agg(_, names) = parse(&c.cmd(&["COMMAND", "LIST"])) else {
        panic!("COMMAND LIST is not an array");
    };
    let theirs: BTreeSet<String> = names
        .iter()
        .map(|v| match v {
            Val::Bulk(_, b) => String::from_utf8(b.clone()).unwrap(),
            _ => panic!("bad name"),
        })
        .collect();
    let ours: BTreeSet<String> = every_meta().iter().map(|m| m.name.to_string()).collect();
    assert_eq!(ours, theirs);
    let count = parse(&c.cmd(&["COMMAND", "COUNT"]));
    assert_eq!(
        count,
        Val::Line(b':', meta::all().len().to_string().into_bytes())
    );
}

#[test]
fn every_command_renders_info_and_docs_like_redis() {
    if !have_redis("every_command_renders_info_and_docs_like_redis") {
        return;
    }
    let redis = Server::start_redis(&[]);
    for resp in [2, 3] {
        let mut c = conn(redis.port, resp);
        for m in every_meta() {
            let mut theirs = parse(&c.cmd(&["COMMAND", "INFO", m.name]));
            let mut ours = render_info(m, resp);
            canon_info_reply(&mut theirs);
            canon_info_reply(&mut ours);
            assert_eq!(
                show(&ours),
                show(&theirs),
                "COMMAND INFO {} (RESP{})",
                m.name,
                resp
            );

            let mut theirs = parse(&c.cmd(&["COMMAND", "DOCS", m.name]));
            let mut ours = render_docs(m, resp);
            canon_docs_reply(&mut theirs);
            canon_docs_reply(&mut ours);
            assert_eq!(
                show(&ours),
                show(&theirs),
                "COMMAND DOCS {} (RESP{})",
                m.name,
                resp
            );
        }
    }
}

/// Resolves argv like Redis's `lookupCommand`, over all of Redis's commands.
fn lookup_meta(argv: &[&str]) -> Option<&'static CommandMeta> {
    let top = meta::find(argv[0])?;
    if top.subcommands.is_empty() || argv.len() == 1 {
        return Some(top);
    }
    top.subcommand(argv[1].as_bytes())
}

/// Requests whose keys COMMAND GETKEYSANDFLAGS must find as Redis does: key
/// specs of every shape, the procs, and the error paths.
const GETKEYS_CASES: &[&[&str]] = &[
    &["get", "k"],
    &["get", "k", "x"],
    &["set", "k", "v"],
    &["set", "k", "v", "get"],
    &["set", "k", "v", "GET", "ex", "1"],
    &["set", "k", "v", "GETX"],
    &["set", "k"],
    &["mset", "a", "1", "b", "2"],
    &["mset", "a", "1", "b"],
    &["msetnx", "a", "1", "b", "2"],
    &["del", "a", "b", "c"],
    &["blpop", "a", "b", "0"],
    &["brpoplpush", "a", "b", "0"],
    &["blmove", "a", "b", "left", "right", "0"],
    &["lmove", "a", "b", "left", "right"],
    &["bitop", "and", "d", "a", "b"],
    &["bitfield", "k", "get", "u8", "0"],
    &[
        "bitfield", "k", "get", "u8", "0", "overflow", "wrap", "get", "i4", "1",
    ],
    &["bitfield", "k", "set", "u8", "0", "1"],
    &["bitfield", "k", "get", "u8"],
    &["bitfield", "k", "incrby", "u8", "0", "1"],
    &["bitfield", "k", "overflow"],
    &["bitfield", "k"],
    &["bitfield_ro", "k", "get", "u8", "0"],
    &["zunionstore", "d", "2", "a", "b"],
    &["zunionstore", "d", "2abc", "a", "b"],
    &["zunionstore", "d", "0", "a"],
    &["zunionstore", "d", "3", "a", "b"],
    &["zunionstore", "d", "-1", "a", "b"],
    &["zunionstore", "d", "x", "a", "b"],
    &["zunionstore", "d", "1", "a", "weights", "1"],
    &["zinterstore", "d", "2", "a", "b", "aggregate", "sum"],
    &["zdiffstore", "d", "1", "a"],
    &["zunion", "2", "a", "b", "withscores"],
    &["zunion", "2x", "a", "b"],
    &["zinter", "1", "a"],
    &["zdiff", "3", "a", "b"],
    &["zintercard", "2", "a", "b", "limit", "1"],
    &["sintercard", "2", "a", "b"],
    &["sintercard", "2a", "a", "b"],
    &["sintercard", "0", "a"],
    &["lmpop", "2", "a", "b", "left"],
    &["lmpop", "2", "a", "b"],
    &["lmpop", " 1", "a", "left"],
    &["blmpop", "0", "2", "a", "b", "left"],
    &["blmpop", "0", "x2", "a", "b", "left"],
    &["zmpop", "1", "a", "min"],
    &["bzmpop", "0", "1", "a", "min"],
    &["bzmpop", "0", "+1", "a", "min"],
    &["eval", "s", "0"],
    &["eval", "s", "2", "a", "b", "c"],
    &["eval", "s", "2abc", "a", "b"],
    &["eval", "s", "3", "a", "b"],
    &["eval", "s", "-1", "a"],
    &["evalsha", "s", "1", "a"],
    &["eval_ro", "s", "1", "a"],
    &["evalsha_ro", "s", "1", "a"],
    &["fcall", "f", "1", "a", "x"],
    &["fcall", "f", "4294967297", "a", "x"],
    &["fcall_ro", "f", "0"],
    &["sort", "k"],
    &[
        "sort", "k", "by", "x", "store", "d", "get", "y", "store", "e",
    ],
    &["sort", "k", "limit", "0", "1", "store", "d"],
    &["sort", "k", "store"],
    &["sort", "k", "get", "store", "d"],
    &["sort", "k", "store", "limit", "store", "x"],
    &["sort_ro", "k", "by", "x"],
    &["migrate", "h", "p", "k", "0", "5"],
    &["migrate", "h", "p", "", "0", "5", "copy", "keys", "a", "b"],
    &[
        "migrate", "h", "p", "", "0", "5", "auth", "keys", "keys", "a",
    ],
    &[
        "migrate", "h", "p", "", "0", "5", "auth2", "u", "keys", "keys", "a",
    ],
    &["migrate", "h", "p", "k", "0", "5", "keys", "a", "b"],
    &["migrate", "h", "p", "", "0", "5"],
    &["migrate", "h", "p", "", "0", "5", "keys"],
    &["georadius", "k", "1", "2", "3", "m"],
    &["georadius", "k", "1", "2", "3", "m", "store", "a"],
    &[
        "georadius",
        "k",
        "1",
        "2",
        "3",
        "m",
        "store",
        "a",
        "storedist",
        "b",
    ],
    &["georadius", "k", "1", "2", "3", "m", "store"],
    &["georadiusbymember", "k", "x", "3", "m", "storedist", "a"],
    &["georadius_ro", "k", "1", "2", "3", "m"],
    &["xread", "streams", "a", "1"],
    &["xread", "count", "2", "streams", "a", "b", "1", "2"],
    &["xread", "streams", "a", "b", "1"],
    &["xread", "count", "2", "streams", "a"],
    &["xread", "block", "0", "streams", "streams", "0"],
    &[
        "xreadgroup",
        "group",
        "g",
        "c",
        "streams",
        "a",
        "b",
        "1",
        "2",
    ],
    &[
        "xreadgroup",
        "group",
        "g",
        "c",
        "noack",
        "streams",
        "a",
        "1",
    ],
    &["xreadgroup", "group", "streams", "c", "streams", "a", "1"],
    &["lcs", "a", "b"],
    &["memory", "usage", "k"],
    &["memory", "usage", "k", "samples", "5"],
    &["xinfo", "stream", "s", "full"],
    &["object", "encoding", "k"],
    &["spublish", "c", "m"],
    &["ssubscribe", "a", "b"],
    &["publish", "c", "m"],
    &["ping"],
    &["config", "get", "x"],
    &["config", "nosuch"],
    &["pfmerge", "d", "a", "b"],
    &["pfcount", "a", "b"],
    &["watch", "a", "b"],
    &["exists", "a"],
    &["restore", "k", "0", "v"],
    &["copy", "a", "b", "db", "1"],
    &["rename", "a", "b"],
    &["smove", "a", "b", "m"],
    &["zrangestore", "d", "s", "0", "1"],
    &[
        "geosearchstore",
        "d",
        "s",
        "frommember",
        "m",
        "byradius",
        "1",
        "m",
    ],
    &["xautoclaim", "s", "g", "c", "0", "0"],
    &["getex", "k", "persist"],
];

#[test]
fn getkeys_and_flags_match_redis_for_every_shape() {
    if !have_redis("getkeys_and_flags_match_redis_for_every_shape") {
        return;
    }
    let redis = Server::start_redis(&[]);
    for resp in [2, 3] {
        let mut c = conn(redis.port, resp);
        for case in GETKEYS_CASES {
            for sub in ["GETKEYS", "GETKEYSANDFLAGS"] {
                let mut req = vec!["COMMAND", sub];
                req.extend_from_slice(case);
                let theirs = c.cmd(&req);
                let mut r = Reply::new(resp);
                let container = meta::find_fullname(format!("command|{}", sub).as_bytes());
                let arity = container.map(|m| m.arity).unwrap_or(0);
                match lookup_meta(case) {
                    _ if (req.len() as i32) < -arity => r.error(format!(
                        "ERR wrong number of arguments for 'command|{}' command",
                        sub.to_ascii_lowercase()
                    )),
                    None => r.error("ERR Invalid command specified"),
                    Some(m) => {
                        let argv: Vec<Vec<u8>> =
                            case.iter().map(|a| a.as_bytes().to_vec()).collect();
                        if let Err(e) = reply_getkeys(&mut r, m, &argv, sub == "GETKEYSANDFLAGS") {
                            r.error(e.as_bytes());
                        }
                    }
                }
                assert_eq!(
                    String::from_utf8_lossy(&r.to_vec()),
                    String::from_utf8_lossy(&theirs),
                    "COMMAND {} {:?} (RESP{})",
                    sub,
                    case,
                    resp
                );
            }
        }
    }
}

fn names_of(v: &Val) -> BTreeSet<Vec<u8>> {
    let Val::Agg(_, items) = v else {
        panic!("not an array: {}", show(v));
    };
    items
        .iter()
        .map(|i| match i {
            Val::Bulk(_, b) => b.clone(),
            other => panic!("not a name: {}", show(other)),
        })
        .collect()
}

#[test]
fn list_count_and_filters_match_redis_for_our_commands() {
    let Some(mut d) =
        Differential::start("list_count_and_filters_match_redis_for_our_commands", &[])
    else {
        return;
    };
    let ours_all = names_of(&parse(&d.ours.cmd(&["COMMAND", "LIST"])));
    let top = ours_all.iter().filter(|n| !n.contains(&b'|')).count();
    assert_eq!(
        d.ours.cmd(&["COMMAND", "COUNT"]),
        format!(":{}\r\n", top).into_bytes()
    );
    let Val::Agg(_, all_info) = parse(&d.ours.cmd(&["COMMAND"])) else {
        panic!("COMMAND is not an array");
    };
    assert_eq!(all_info.len(), top);
    assert!(ours_all.contains(&b"command|getkeys"[..]));

    let filters: &[&[&str]] = &[
        &["PATTERN", "*"],
        &["PATTERN", "CoMm*"],
        &["pattern", "command|*"],
        &["pattern", "[a-p]*"],
        &["pattern", "*|?e*"],
        &["ACLCAT", "connection"],
        &["aclcat", "SLOW"],
        &["aclcat", "fast"],
        &["aclcat", "nosuch"],
        &["MODULE", "x"],
    ];
    for f in filters {
        let req = ["COMMAND", "LIST", "FILTERBY", f[0], f[1]];
        let theirs = names_of(&parse(&d.theirs.cmd(&req)));
        let ours = names_of(&parse(&d.ours.cmd(&req)));
        let expected: BTreeSet<_> = theirs.intersection(&ours_all).cloned().collect();
        assert_eq!(ours, expected, "{:?}", req);
    }
    d.check(&["COMMAND", "LIST", "FILTERBY", "module", "x"]);
    d.check(&["COMMAND", "LIST", "FILTERBY"]);
    d.check(&["COMMAND", "LIST", "FILTERBY", "pattern"]);
    d.check(&["COMMAND", "LIST", "FILTERBY", "foo", "bar"]);
    d.check(&["COMMAND", "LIST", "FILTERBY", "pattern", "a", "b"]);
    d.check(&["COMMAND", "LIST", "foo"]);
    d.check(&["COMMAND", "LIST", "foo", "pattern", "x"]);
    d.check(&["COMMAND", "COUNT", "x"]);
}

#[test]
fn info_and_docs_of_our_commands_match_redis() {
    let Some(mut d) = Differential::start("info_and_docs_of_our_commands_match_redis", &[]) else {
        return;
    };
    let ours_all = names_of(&parse(&d.ours.cmd(&["COMMAND", "LIST"])));
    for name in &ours_all {
        let name = std::str::from_utf8(name).unwrap();
        for sub in ["INFO", "DOCS"] {
            let req = ["COMMAND", sub, name];
            let mut ours = parse(&d.ours.cmd(&req));
            let mut theirs = parse(&d.theirs.cmd(&req));
            if let Val::Agg(_, entries) = &mut theirs {
                let docs = sub == "DOCS";
                let step = if docs { 2 } else { 1 };
                for e in entries.iter_mut().skip(step - 1).step_by(step) {
                    only_subcommands(e, &ours_all, docs);
                }
            }
            if sub == "INFO" {
                canon_info_reply(&mut ours);
                canon_info_reply(&mut theirs);
            } else {
                canon_docs_reply(&mut ours);
                canon_docs_reply(&mut theirs);
            }
            assert_eq!(show(&ours), show(&theirs), "{:?}", req);
        }
    }
    // Every entry of COMMAND is Redis's entry for that command.
    let mut ours = parse(&d.ours.cmd(&["COMMAND"]));
    canon_info_reply(&mut ours);
    let Val::Agg(_, entries) = &ours else {
        panic!()
    };
    for e in entries {
        let Val::Agg(_, fields) = e else { panic!() };
        let Val::Bulk(_, name) = &fields[0] else {
            panic!()
        };
        let name = String::from_utf8(name.clone()).unwrap();
        let mut theirs = parse(&d.theirs.cmd(&["COMMAND", "INFO", &name]));
        canon_info_reply(&mut theirs);
        let Val::Agg(_, t) = &mut theirs else {
            panic!()
        };
        only_subcommands(&mut t[0], &ours_all, false);
        assert_eq!(show(e), show(&t[0]), "COMMAND entry {}", name);
    }
    // Lookups by odd names, and unknown names.
    d.check(&[
        "COMMAND",
        "INFO",
        "PiNg",
        "nosuch",
        "ping|x",
        "",
        "|",
        "command|COUNT",
    ]);
    d.check(&["COMMAND", "INFO", "command|count|x", "Command|Info"]);
    d.check(&[
        "COMMAND",
        "DOCS",
        "nosuch",
        "ECHO",
        "command|list",
        "ping|x",
    ]);
    d.check(&["COMMAND", "DOCS", "nosuch"]);
    d.check(&["COMMAND", "INFO", "nosuch"]);
    d.check(&["COMMAND", "HELP"]);
    d.check(&["command", "help"]);
    d.check(&["COMMAND", "help"]);
    d.check(&["COMMAND", "HELP", "x"]);
    d.check(&["COMMAND", "nosuch"]);
}

#[test]
fn getkeys_errors_match_redis() {
    let Some(mut d) = Differential::start("getkeys_errors_match_redis", &[]) else {
        return;
    };
    d.check(&["COMMAND", "GETKEYS"]);
    d.check(&["COMMAND", "GETKEYS", "ping"]);
    d.check(&["COMMAND", "GETKEYS", "nosuch", "a"]);
    d.check(&["COMMAND", "GETKEYS", "ping", "a"]);
    d.check(&["COMMAND", "GETKEYSANDFLAGS", "echo", "a"]);
    d.check(&["COMMAND", "GETKEYS", "command", "count"]);
    d.check(&["COMMAND", "GETKEYS", "command", "nosuch"]);
    d.check(&["COMMAND", "GETKEYS", "config", "nosuch"]);
    d.check(&["COMMAND", "GETKEYSANDFLAGS", "command", "info", "x"]);
}

/// The reply bytes of a RESP3 COMMAND reply through the live server must be
/// complete frames (the deferred headers land in the right place).
#[test]
fn command_replies_are_well_formed() {
    let s = Server::start(&[]);
    for req in [
        &["COMMAND"][..],
        &["COMMAND", "DOCS"],
        &["COMMAND", "LIST", "FILTERBY", "pattern", "*"],
    ] {
        let reply = s.cmd(req);
        assert_eq!(reply_end(&reply, 0), Some(reply.len()), "{:?}", req);
    }
}

/// Random requests, built from the words key extraction looks at, for every
/// command that has keys: our extraction must agree with Redis's on each.
#[test]
fn getkeys_match_redis_on_random_requests() {
    if !have_redis("getkeys_match_redis_on_random_requests") {
        return;
    }
    // Comma-separated so the empty argument is one of them.
    let words: Vec<&str> = "k,x,0,1,2,3,-1,2x,,STORE,storedist,streams,KEYS,get,GET,by,\
                            limit,count,block,group,noack,auth,auth2,overflow,set,incrby,u8,\
                            copy,replace"
        .split(',')
        .collect();
    let redis = Server::start_redis(&[]);
    let mut c = conn(redis.port, 3);
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |n: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) as usize) % n
    };
    let keyed: Vec<&CommandMeta> = every_meta()
        .into_iter()
        .filter(|m| !m.key_specs.is_empty())
        .collect();
    let mut with_keys = 0;
    for _ in 0..4000 {
        let m = keyed[next(keyed.len())];
        let mut argv: Vec<&str> = m.name.split('|').collect();
        let extra = match m.arity {
            a if a > 0 => (a as usize).max(2),
            a => (a.unsigned_abs() as usize).max(2) + next(6),
        };
        while argv.len() < extra {
            argv.push(words[next(words.len())]);
        }
        let mut req = vec!["COMMAND", "GETKEYSANDFLAGS"];
        req.extend_from_slice(&argv);
        let theirs = c.cmd(&req);
        with_keys += theirs.starts_with(b"*") as usize;
        let mut r = Reply::new(3);
        let owned: Vec<Vec<u8>> = argv.iter().map(|a| a.as_bytes().to_vec()).collect();
        if let Err(e) = reply_getkeys(&mut r, m, &owned, true) {
            r.error(e.as_bytes());
        }
        assert_eq!(
            String::from_utf8_lossy(&r.to_vec()),
            String::from_utf8_lossy(&theirs),
            "COMMAND GETKEYSANDFLAGS {:?}",
            argv
        );
    }
    // Most requests must reach the extraction itself, not an early error.
    assert!(with_keys > 2000, "only {} requests had keys", with_keys);
}
