//! Stream consumer groups (t_stream.c XGROUP, XREADGROUP, XACK, XPENDING,
//! XCLAIM, XAUTOCLAIM, XINFO) against redis-server 7.0.15, byte for byte on
//! both protocols. Values that depend on the clock (idle times, seen-time,
//! delivery times not set through XCLAIM TIME) are masked, not compared.

use std::time::Duration;

use crate::support::*;

fn enc(args: &[&str]) -> Vec<u8> {
    let b: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    RawConn::encode(&b)
}

/// Replaces the integer after a bulk `idle` / `seen-time` key, and every
/// integer of 10^11 or more (a unix time in ms), with `:T`.
fn mask(reply: &[u8]) -> String {
    let text = String::from_utf8_lossy(reply).into_owned();
    let mut out = Vec::new();
    let mut mask_next = false;
    for line in text.split("\r\n") {
        let is_int = line.starts_with(':');
        let big = is_int && line[1..].parse::<i64>().is_ok_and(|v| v >= 100_000_000_000);
        if is_int && (mask_next || big) {
            out.push(":T".to_string());
        } else {
            out.push(line.to_string());
        }
        if !line.starts_with('$') {
            mask_next = line == "idle" || line == "seen-time";
        }
    }
    out.join("\r\n")
}

/// Like `Differential::check` but compares the masked replies.
fn check_masked(d: &mut Differential, args: &[&str]) {
    d.check_masked_by(args, mask);
}

/// Switches both connections to protocol `proto` (the reply names the
/// client id, which differs).
fn hello(d: &mut Differential, proto: &str) {
    d.check_masked_by(&["HELLO", proto], |_| String::new());
}

/// Runs `cmds` in RESP2 and then (after FLUSHALL) in RESP3.
fn both_protocols(name: &str, cmds: &[&[&str]]) {
    let Some(mut d) = Differential::start(name, &[]) else {
        return;
    };
    for proto in ["2", "3"] {
        hello(&mut d, proto);
        d.check_all(cmds);
        d.check(&["FLUSHALL"]);
    }
}

fn setup() -> Vec<&'static [&'static str]> {
    vec![
        &["XADD", "s", "1-1", "a", "1"],
        &["XADD", "s", "2-1", "b", "2"],
        &["XADD", "s", "3-1", "c", "3", "d", "4"],
    ]
}

#[test]
fn xgroup_create_setid_destroy_and_errors() {
    let mut cmds = setup();
    cmds.extend_from_slice(&[
        &["XGROUP", "HELP"],
        &["XGROUP", "HELP", "extra"],
        &["XGROUP", "FOO"],
        &["XGROUP", "CREATE", "s"],
        &["XGROUP", "CREATE", "nokey", "g", "0"],
        &["XGROUP", "CREATE", "nokey", "g", "$"],
        &["XGROUP", "CREATE", "s", "g", "0"],
        &["XGROUP", "CREATE", "s", "g", "0"],
        &["XGROUP", "CREATE", "s", "g2", "$"],
        &["XGROUP", "CREATE", "s", "g3", "2-1", "ENTRIESREAD", "5"],
        &["XGROUP", "CREATE", "s", "g4", "bad"],
        &["XGROUP", "CREATE", "s", "g4", "+"],
        &["XGROUP", "CREATE", "s", "g4", "-"],
        &["XGROUP", "CREATE", "s", "g4", "3"],
        &["XGROUP", "CREATE", "s", "g5", "0", "ENTRIESREAD", "-2"],
        &["XGROUP", "CREATE", "s", "g5", "0", "ENTRIESREAD", "x"],
        &["XGROUP", "CREATE", "s", "g5", "0", "ENTRIESREAD"],
        &["XGROUP", "CREATE", "s", "g5", "0", "FOO"],
        &[
            "XGROUP",
            "CREATE",
            "s",
            "g5",
            "0",
            "MKSTREAM",
            "ENTRIESREAD",
            "1",
            "x",
        ],
        &[
            "XGROUP",
            "CREATE",
            "s",
            "g5",
            "0",
            "ENTRIESREAD",
            "-1",
            "MKSTREAM",
        ],
        &["XGROUP", "CREATE", "new", "g", "$", "MKSTREAM"],
        &[
            "XGROUP",
            "CREATE",
            "new2",
            "g",
            "5-5",
            "mkstream",
            "entriesread",
            "3",
        ],
        &["TYPE", "new"],
        &["XLEN", "new"],
        &["XINFO", "GROUPS", "s"],
        &["XINFO", "GROUPS", "new2"],
        &["XGROUP", "SETID", "s", "nog", "0"],
        &["XGROUP", "SETID", "nokey", "g", "0"],
        &["XGROUP", "SETID", "s", "g", "$"],
        &["XGROUP", "SETID", "s", "g", "bad"],
        &["XGROUP", "SETID", "s", "g", "-"],
        &["XGROUP", "SETID", "s", "g", "+"],
        &["XGROUP", "SETID", "s", "g", "0", "ENTRIESREAD", "9"],
        &["XGROUP", "SETID", "s", "g2", "1-1", "ENTRIESREAD", "-1"],
        &["XGROUP", "SETID", "s", "g", "0", "ENTRIESREAD", "-2"],
        &["XGROUP", "SETID", "s", "g", "0", "ENTRIESREAD", "z"],
        &["XGROUP", "SETID", "s", "g", "0", "FOO", "1"],
        &["XGROUP", "SETID", "s", "g", "0", "ENTRIESREAD"],
        &["XGROUP", "SETID", "s", "g", "0", "ENTRIESREAD", "1", "x"],
        &["XINFO", "GROUPS", "s"],
        &["XGROUP", "CREATECONSUMER", "s", "g", "c1"],
        &["XGROUP", "CREATECONSUMER", "s", "g", "c1"],
        &["XGROUP", "CREATECONSUMER", "s", "nog", "c1"],
        &["XGROUP", "CREATECONSUMER", "nokey", "g", "c1"],
        &["XGROUP", "CREATECONSUMER", "s", "g"],
        &["XGROUP", "DELCONSUMER", "s", "g", "c1"],
        &["XGROUP", "DELCONSUMER", "s", "g", "c1"],
        &["XGROUP", "DELCONSUMER", "s", "nog", "c1"],
        &["XGROUP", "DELCONSUMER", "nokey", "g", "c1"],
        &["XGROUP", "DESTROY", "s", "g2"],
        &["XGROUP", "DESTROY", "s", "g2"],
        &["XGROUP", "DESTROY", "nokey", "g2"],
        &["XGROUP", "DESTROY", "s"],
        &["SET", "str", "x"],
        &["XGROUP", "CREATE", "str", "g", "0"],
        &["XGROUP", "CREATE", "str", "g", "0", "ENTRIESREAD", "-5"],
        &["XGROUP", "DESTROY", "str", "g"],
        &["XGROUP", "SETID", "str", "g", "0"],
        &["XINFO", "GROUPS", "s"],
    ]);
    both_protocols("xgroup_create", &cmds);
}

#[test]
fn xreadgroup_reads_new_and_history() {
    let mut cmds = setup();
    cmds.extend_from_slice(&[
        &["XADD", "t", "5-0", "x", "y"],
        &["XGROUP", "CREATE", "s", "g", "0"],
        &["XGROUP", "CREATE", "t", "g", "0"],
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c1",
            "COUNT",
            "1",
            "STREAMS",
            "s",
            ">",
        ],
        &["XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", "0"],
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c2",
            "STREAMS",
            "s",
            "t",
            ">",
            ">",
        ],
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c2",
            "STREAMS",
            "s",
            "t",
            ">",
            ">",
        ],
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c2",
            "STREAMS",
            "s",
            "t",
            "0",
            "0",
        ],
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c2",
            "COUNT",
            "1",
            "STREAMS",
            "s",
            "2-1",
        ],
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c2",
            "COUNT",
            "-5",
            "STREAMS",
            "s",
            "0-0",
        ],
        &["XREADGROUP", "GROUP", "g", "c3", "STREAMS", "s", "0"],
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c1",
            "NOACK",
            "STREAMS",
            "s",
            "0",
        ],
        &["XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", "$"],
        &["XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", "+"],
        &["XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", "bad"],
        &["XREADGROUP", "GROUP", "nog", "c1", "STREAMS", "s", ">"],
        &["XREADGROUP", "GROUP", "g", "c1", "STREAMS", "nokey", ">"],
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c1",
            "STREAMS",
            "s",
            "nokey",
            ">",
            ">",
        ],
        &["XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s"],
        &["XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", "a", "b"],
        &["XREADGROUP", "STREAMS", "s", ">"],
        &["XREADGROUP", "COUNT", "1", "STREAMS", "s", ">"],
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c1",
            "COUNT",
            "x",
            "STREAMS",
            "s",
            ">",
        ],
        &["XREADGROUP", "GROUP", "g", "c1", "FOO", "STREAMS", "s", ">"],
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c1",
            "BLOCK",
            "-1",
            "STREAMS",
            "s",
            ">",
        ],
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c1",
            "BLOCK",
            "x",
            "STREAMS",
            "s",
            ">",
        ],
        &["XREAD", "GROUP", "g", "c1", "STREAMS", "s", "0"],
        &["XREAD", "NOACK", "STREAMS", "s", "0"],
        &["XADD", "s", "4-1", "e", "5"],
        &["XADD", "s", "5-1", "f", "6"],
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c4",
            "NOACK",
            "COUNT",
            "1",
            "STREAMS",
            "s",
            ">",
        ],
        &["XREADGROUP", "GROUP", "g", "c4", "STREAMS", "s", "0"],
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c4",
            "BLOCK",
            "10",
            "STREAMS",
            "s",
            "0",
        ],
        &["XPENDING", "s", "g"],
        &["XINFO", "GROUPS", "s"],
        &["SET", "str", "x"],
        &["XREADGROUP", "GROUP", "g", "c1", "STREAMS", "str", ">"],
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c1",
            "STREAMS",
            "s",
            "str",
            ">",
            ">",
        ],
        &["XDEL", "s", "1-1"],
        &["XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", "0"],
        &["XREADGROUP", "GROUP", "g", "c5", "STREAMS", "s", ">"],
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c5",
            "BLOCK",
            "10",
            "STREAMS",
            "s",
            ">",
        ],
        &["XINFO", "GROUPS", "s"],
    ]);
    both_protocols("xreadgroup_basic", &cmds);
}

#[test]
fn xack_and_xpending() {
    let mut cmds = setup();
    cmds.extend_from_slice(&[
        &["XGROUP", "CREATE", "s", "g", "0"],
        &["XPENDING", "s", "g"],
        &["XPENDING", "s", "g", "-", "+", "10"],
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c1",
            "COUNT",
            "1",
            "STREAMS",
            "s",
            ">",
        ],
        &["XREADGROUP", "GROUP", "g", "c2", "STREAMS", "s", ">"],
        &[
            "XCLAIM",
            "s",
            "g",
            "c1",
            "0",
            "1-1",
            "TIME",
            "1000",
            "RETRYCOUNT",
            "3",
        ],
        &[
            "XCLAIM", "s", "g", "c2", "0", "2-1", "3-1", "TIME", "2000", "JUSTID",
        ],
        &["XPENDING", "s", "g"],
        &["XPENDING", "s", "g", "IDLE", "1000000", "-", "+", "10"],
        &[
            "XPENDING", "s", "g", "IDLE", "1000000", "-", "+", "10", "c2",
        ],
        &["XPENDING", "s", "g", "IDLE", "1000000", "-", "+", "1", "c2"],
        &["XPENDING", "s", "g", "IDLE", "-5", "-", "+", "0"],
        &[
            "XPENDING", "s", "g", "IDLE", "1000000", "(1-1", "(3-1", "10",
        ],
        &[
            "XPENDING", "s", "g", "IDLE", "1000000", "-", "+", "10", "nobody",
        ],
        &[
            "XPENDING", "s", "g", "IDLE", "1000000", "-", "+", "10", "c1", "x",
        ],
        &["XPENDING", "s", "g", "IDLE", "1000000", "-", "+"],
        &["XPENDING", "s", "g", "IDLE", "x", "-", "+", "10"],
        &["XPENDING", "s", "g", "IDLE", "5"],
        &["XPENDING", "s", "g", "-", "+", "-1"],
        &["XPENDING", "s", "g", "-", "+", "x"],
        &["XPENDING", "s", "g", "bad", "+", "10"],
        &["XPENDING", "s", "g", "-", "bad", "10"],
        &["XPENDING", "s", "g", "(-", "+", "10"],
        &[
            "XPENDING",
            "s",
            "g",
            "(18446744073709551615-18446744073709551615",
            "+",
            "10",
        ],
        &["XPENDING", "s", "g", "-", "(0-0", "10"],
        &["XPENDING", "s", "g", "-"],
        &["XPENDING", "s", "g", "-", "+"],
        &["XPENDING", "s", "g", "a", "b", "c", "d", "e", "f", "g"],
        &["XPENDING", "s", "nog"],
        &["XPENDING", "nokey", "g"],
        &["XPENDING", "nokey", "g", "-", "+", "x"],
        &["XACK", "s", "g", "1-1", "bad"],
        &["XACK", "s", "g", "+"],
        &["XACK", "s", "g", "1-1", "1-1", "9-9"],
        &["XACK", "s", "g", "2"],
        &["XACK", "s", "nog", "2-1"],
        &["XACK", "nokey", "g", "2-1"],
        &["XACK", "s", "g"],
        &["XPENDING", "s", "g"],
        &["XINFO", "CONSUMERS", "s", "g"],
        &["XACK", "s", "g", "2-1", "3-1"],
        &["XPENDING", "s", "g"],
        &["XPENDING", "s", "g", "-", "+", "10", "c1"],
        &["SET", "str", "x"],
        &["XACK", "str", "g", "1-1"],
        &["XPENDING", "str", "g"],
        &["XPENDING", "str", "g", "-", "+", "1"],
    ]);
    let Some(mut d) = Differential::start("xack_xpending", &[]) else {
        return;
    };
    for proto in ["2", "3"] {
        hello(&mut d, proto);
        for c in &cmds {
            if c[0] == "XINFO" || c[0] == "XPENDING" {
                check_masked(&mut d, c);
            } else {
                d.check(c);
            }
        }
        d.check(&["FLUSHALL"]);
    }
}

#[test]
fn xclaim_options_and_deleted_entries() {
    let mut cmds = setup();
    cmds.extend_from_slice(&[
        &["XGROUP", "CREATE", "s", "g", "0"],
        &["XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", ">"],
        &["XCLAIM", "s", "g", "c2", "0", "1-1", "TIME", "1000"],
        &[
            "XCLAIM",
            "s",
            "g",
            "c2",
            "0",
            "1-1",
            "TIME",
            "1000",
            "RETRYCOUNT",
            "7",
        ],
        &[
            "XCLAIM", "s", "g", "c3", "3600000", "1-1", "2-1", "TIME", "5000",
        ],
        &[
            "XCLAIM", "s", "g", "c3", "0", "2-1", "IDLE", "10000000", "JUSTID",
        ],
        &[
            "XCLAIM", "s", "g", "c3", "-5", "3-1", "TIME", "-1", "JUSTID",
        ],
        &[
            "XCLAIM",
            "s",
            "g",
            "c3",
            "0",
            "3-1",
            "TIME",
            "99999999999999",
            "JUSTID",
        ],
        &[
            "XCLAIM",
            "s",
            "g",
            "c3",
            "0",
            "3-1",
            "TIME",
            "1",
            "RETRYCOUNT",
            "-1",
        ],
        &[
            "XCLAIM",
            "s",
            "g",
            "c3",
            "0",
            "3-1",
            "TIME",
            "1",
            "RETRYCOUNT",
            "0",
        ],
        &["XCLAIM", "s", "g", "c4", "0", "9-9", "FORCE"],
        &["XCLAIM", "s", "g", "c4", "0", "1-2", "FORCE"],
        &["XADD", "s", "6-0", "z", "z"],
        &["XCLAIM", "s", "g", "c4", "0", "6-0", "FORCE", "TIME", "1"],
        &[
            "XCLAIM", "s", "g", "c4", "0", "1-1", "LASTID", "1-0", "TIME", "1",
        ],
        &["XINFO", "GROUPS", "s"],
        &[
            "XCLAIM", "s", "g", "c4", "0", "1-1", "LASTID", "10-0", "TIME", "1",
        ],
        &["XINFO", "GROUPS", "s"],
        &["XCLAIM", "s", "g", "c4", "0", "1-1", "bogus"],
        &["XCLAIM", "s", "g", "c4", "abc", "1-1"],
        &["XCLAIM", "s", "g", "c4", "0", "1-1", "IDLE", "abc"],
        &["XCLAIM", "s", "g", "c4", "0", "1-1", "TIME", "abc"],
        &["XCLAIM", "s", "g", "c4", "0", "1-1", "RETRYCOUNT", "abc"],
        &["XCLAIM", "s", "g", "c4", "0", "1-1", "LASTID", "abc"],
        &["XCLAIM", "s", "g", "c4", "0", "1-1", "LASTID", "+"],
        &["XCLAIM", "s", "g", "c4", "0", "1-1", "IDLE"],
        &["XCLAIM", "s", "g", "c4", "0", "bad"],
        &["XCLAIM", "s", "g", "c4", "0", "+"],
        &["XCLAIM", "s", "g", "c4", "0", "1-1", "+"],
        &["XCLAIM", "s", "nog", "c", "0", "1-1"],
        &["XCLAIM", "nokey", "g", "c", "0", "1-1"],
        &["XCLAIM", "nokey", "g", "c", "x", "1-1"],
        &["XCLAIM", "s", "g", "c"],
        &["XDEL", "s", "1-1"],
        &["XCLAIM", "s", "g", "c5", "0", "1-1", "2-1", "TIME", "1"],
        &["XCLAIM", "s", "g", "c6", "0", "1-1", "JUSTID", "FORCE"],
        &["XPENDING", "s", "g", "IDLE", "0", "-", "+", "10"],
        &["SET", "str", "x"],
        &["XCLAIM", "str", "g", "c", "0", "1-1"],
    ]);
    let Some(mut d) = Differential::start("xclaim", &[]) else {
        return;
    };
    for proto in ["2", "3"] {
        hello(&mut d, proto);
        for c in &cmds {
            check_masked(&mut d, c);
        }
        check_masked(&mut d, &["XINFO", "CONSUMERS", "s", "g"]);
        check_masked(&mut d, &["XINFO", "STREAM", "s", "FULL"]);
        d.check(&["FLUSHALL"]);
    }
}

#[test]
fn xautoclaim_cursor_count_and_deleted() {
    let mut cmds = setup();
    cmds.extend_from_slice(&[
        &["XADD", "s", "4-1", "e", "5"],
        &["XADD", "s", "5-1", "f", "6"],
        &["XGROUP", "CREATE", "s", "g", "0"],
        &["XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", ">"],
        &["XAUTOCLAIM", "s", "g", "c2", "3600000", "0"],
        &[
            "XCLAIM", "s", "g", "c1", "0", "1-1", "2-1", "3-1", "4-1", "5-1", "TIME", "1", "JUSTID",
        ],
        &["XAUTOCLAIM", "s", "g", "c2", "3600000", "0", "COUNT", "2"],
        &[
            "XAUTOCLAIM",
            "s",
            "g",
            "c2",
            "3600000",
            "3-1",
            "COUNT",
            "2",
            "JUSTID",
        ],
        &["XAUTOCLAIM", "s", "g", "c2", "0", "(3-1", "COUNT", "1"],
        &["XAUTOCLAIM", "s", "g", "c2", "0", "-", "JUSTID"],
        &["XDEL", "s", "2-1", "4-1"],
        &["XAUTOCLAIM", "s", "g", "c3", "0", "0", "COUNT", "1"],
        &["XAUTOCLAIM", "s", "g", "c3", "0", "0", "COUNT", "3"],
        &["XAUTOCLAIM", "s", "g", "c3", "0", "0"],
        &[
            "XAUTOCLAIM",
            "s",
            "g",
            "c3",
            "0",
            "0",
            "COUNT",
            "8070450532247928833",
        ],
        &[
            "XAUTOCLAIM",
            "s",
            "g",
            "c3",
            "0",
            "0",
            "COUNT",
            "576460752303423488",
        ],
        &["XAUTOCLAIM", "s", "g", "c3", "0", "0", "COUNT", "0"],
        &["XAUTOCLAIM", "s", "g", "c3", "0", "0", "COUNT", "-1"],
        &["XAUTOCLAIM", "s", "g", "c3", "0", "0", "COUNT", "x"],
        &["XAUTOCLAIM", "s", "g", "c3", "0", "0", "COUNT"],
        &["XAUTOCLAIM", "s", "g", "c3", "0", "0", "FOO"],
        &["XAUTOCLAIM", "s", "g", "c3", "x", "0"],
        &["XAUTOCLAIM", "s", "g", "c3", "-5", "0", "JUSTID"],
        &["XAUTOCLAIM", "s", "g", "c3", "0", "bad"],
        &["XAUTOCLAIM", "s", "g", "c3", "0", "+"],
        &[
            "XAUTOCLAIM",
            "s",
            "g",
            "c3",
            "0",
            "(18446744073709551615-18446744073709551615",
        ],
        &["XAUTOCLAIM", "s", "nog", "c3", "0", "0"],
        &["XAUTOCLAIM", "nokey", "g", "c3", "0", "0"],
        &["XAUTOCLAIM", "nokey", "g", "c3", "x", "0"],
        &["SET", "str", "x"],
        &["XAUTOCLAIM", "str", "g", "c3", "0", "0"],
        &["XPENDING", "s", "g"],
    ]);
    let Some(mut d) = Differential::start("xautoclaim", &[]) else {
        return;
    };
    for proto in ["2", "3"] {
        hello(&mut d, proto);
        for c in &cmds {
            check_masked(&mut d, c);
        }
        d.check(&["FLUSHALL"]);
    }
}

/// The issue's case: every pending entry deleted, then a huge COUNT.
#[test]
fn xautoclaim_after_xdel_issue_cases() {
    both_protocols(
        "xautoclaim_xdel",
        &[
            &["XADD", "x", "1-0", "f", "v"],
            &["XADD", "x", "2-0", "f", "v"],
            &["XADD", "x", "3-0", "f", "v"],
            &["XGROUP", "CREATE", "x", "grp", "0"],
            &["XREADGROUP", "GROUP", "grp", "Alice", "STREAMS", "x", ">"],
            &["XDEL", "x", "1-0"],
            &["XDEL", "x", "2-0"],
            &["XAUTOCLAIM", "x", "grp", "Bob", "0", "0-0", "COUNT", "1"],
            &["XAUTOCLAIM", "x", "grp", "Bob", "0", "0-0"],
            &["XPENDING", "x", "grp", "-", "+", "10", "Alice"],
            &[
                "XAUTOCLAIM",
                "x",
                "grp",
                "Bob",
                "0",
                "0",
                "COUNT",
                "8070450532247928833",
            ],
            &["XDEL", "x", "3-0"],
            &["XAUTOCLAIM", "x", "grp", "Bob", "0", "0", "JUSTID"],
            &["XPENDING", "x", "grp"],
        ],
    );
}

#[test]
fn xinfo_stream_groups_consumers_and_lag() {
    let Some(mut d) = Differential::start("xinfo", &[]) else {
        return;
    };
    let cmds: &[&[&str]] = &[
        &["XINFO", "HELP"],
        &["XINFO", "HELP", "x"],
        &["XINFO", "FOO"],
        &["XINFO", "STREAM", "nokey"],
        &["XINFO", "GROUPS", "nokey"],
        &["XINFO", "CONSUMERS", "nokey", "g"],
        &["XGROUP", "CREATE", "e", "g", "$", "MKSTREAM"],
        &["XINFO", "STREAM", "e"],
        &["XINFO", "STREAM", "e", "FULL"],
        &["XINFO", "GROUPS", "e"],
        &["XADD", "s", "1-1", "a", "1"],
        &["XADD", "s", "2-1", "b", "2"],
        &["XADD", "s", "3-1", "c", "3"],
        &["XADD", "s", "4-1", "d", "4"],
        &["XGROUP", "CREATE", "s", "g", "0"],
        &["XGROUP", "CREATE", "s", "g2", "2-1"],
        &["XGROUP", "CREATE", "s", "g3", "$"],
        &["XGROUP", "CREATE", "s", "g4", "0-0", "ENTRIESREAD", "0"],
        &["XGROUP", "CREATE", "s", "g5", "9-9"],
        &["XGROUP", "CREATE", "s", "g6", "1-1", "ENTRIESREAD", "100"],
        &["XGROUP", "CREATE", "s", "g7", "1-0"],
        &["XGROUP", "CREATE", "s", "g8", "1-1"],
        &["XINFO", "GROUPS", "s"],
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c1",
            "COUNT",
            "1",
            "STREAMS",
            "s",
            ">",
        ],
        &[
            "XREADGROUP",
            "GROUP",
            "g2",
            "c1",
            "COUNT",
            "1",
            "STREAMS",
            "s",
            ">",
        ],
        &[
            "XREADGROUP",
            "GROUP",
            "g7",
            "c1",
            "COUNT",
            "1",
            "STREAMS",
            "s",
            ">",
        ],
        &["XINFO", "GROUPS", "s"],
        &["XDEL", "s", "3-1"],
        &["XINFO", "GROUPS", "s"],
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c1",
            "COUNT",
            "1",
            "STREAMS",
            "s",
            ">",
        ],
        &["XREADGROUP", "GROUP", "g4", "c1", "STREAMS", "s", ">"],
        &["XINFO", "GROUPS", "s"],
        &["XDEL", "s", "1-1"],
        &["XINFO", "GROUPS", "s"],
        &["XTRIM", "s", "MAXLEN", "1"],
        &["XINFO", "GROUPS", "s"],
        &["XADD", "s", "5-1", "e", "5"],
        &["XINFO", "GROUPS", "s"],
        &["XREADGROUP", "GROUP", "g3", "c9", "STREAMS", "s", ">"],
        &["XGROUP", "SETID", "s", "g2", "$"],
        &["XGROUP", "SETID", "s", "g5", "0", "ENTRIESREAD", "2"],
        &["XINFO", "GROUPS", "s"],
        &["XINFO", "STREAM", "s"],
        &["XINFO", "STREAM", "s", "FULL"],
        &["XINFO", "STREAM", "s", "FULL", "COUNT", "1"],
        &["XINFO", "STREAM", "s", "FULL", "COUNT", "0"],
        &["XINFO", "STREAM", "s", "FULL", "COUNT", "-1"],
        &["XINFO", "STREAM", "s", "FULL", "COUNT", "x"],
        &["XINFO", "STREAM", "s", "FULL", "COUNT"],
        &["XINFO", "STREAM", "s", "FULL", "x", "1"],
        &["XINFO", "STREAM", "s", "FOO"],
        &["XINFO", "STREAM", "s", "FULL", "COUNT", "1", "x"],
        &["XINFO", "STREAM", "nokey", "FOO"],
        &["XINFO", "CONSUMERS", "s", "g"],
        &["XINFO", "CONSUMERS", "s", "nog"],
        &["XINFO", "CONSUMERS", "s"],
        &["XINFO", "GROUPS", "s", "x"],
        &["SET", "str", "x"],
        &["XINFO", "STREAM", "str"],
        &["XINFO", "GROUPS", "str"],
        &["XINFO", "CONSUMERS", "str", "g"],
        &[
            "XSETID",
            "s",
            "5-1",
            "ENTRIESADDED",
            "50",
            "MAXDELETEDID",
            "4-0",
        ],
        &["XINFO", "GROUPS", "s"],
        &["XINFO", "STREAM", "s"],
    ];
    for proto in ["2", "3"] {
        hello(&mut d, proto);
        for c in cmds {
            check_masked(&mut d, c);
        }
        d.check(&["FLUSHALL"]);
    }
}

/// Many entries and consumers: FULL's default COUNT of 10 on entries and PELs.
#[test]
fn xinfo_full_limits_entries_and_pels() {
    let Some(mut d) = Differential::start("xinfo_full_many", &[]) else {
        return;
    };
    for i in 1..=30 {
        let id = format!("{}-0", i);
        d.check(&["XADD", "s", &id, "f", &i.to_string()]);
    }
    d.check(&["XGROUP", "CREATE", "s", "g", "0"]);
    d.check(&[
        "XREADGROUP",
        "GROUP",
        "g",
        "a",
        "COUNT",
        "12",
        "STREAMS",
        "s",
        ">",
    ]);
    d.check(&[
        "XREADGROUP",
        "GROUP",
        "g",
        "b",
        "COUNT",
        "15",
        "STREAMS",
        "s",
        ">",
    ]);
    d.check(&[
        "XCLAIM", "s", "g", "b", "0", "1-0", "2-0", "20-0", "TIME", "7", "JUSTID",
    ]);
    for proto in ["2", "3"] {
        hello(&mut d, proto);
        check_masked(&mut d, &["XINFO", "STREAM", "s", "FULL"]);
        check_masked(&mut d, &["XINFO", "STREAM", "s", "FULL", "COUNT", "3"]);
        check_masked(&mut d, &["XINFO", "STREAM", "s", "FULL", "COUNT", "0"]);
        check_masked(&mut d, &["XINFO", "CONSUMERS", "s", "g"]);
        d.check(&["XPENDING", "s", "g"]);
    }
}

/// XREADGROUP BLOCK served by XADD, timing out, NOACK, and unblocked with
/// an error when its group or key goes away.
#[test]
fn xreadgroup_blocking() {
    both("xreadgroup_blocking", |s| {
        let mut out = Vec::new();
        for proto in ["2", "3"] {
            let mut a = s.raw();
            let mut b = s.raw();
            let mut c = s.raw();
            for x in [&mut a, &mut b, &mut c] {
                x.cmd(&["HELLO", proto]);
            }
            out.push(s.cmd(&["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]));
            out.push(s.cmd(&["XGROUP", "CREATE", "s", "g2", "$"]));
            a.send(&enc(&[
                "XREADGROUP",
                "GROUP",
                "g",
                "c1",
                "BLOCK",
                "0",
                "STREAMS",
                "s",
                ">",
            ]));
            wait_blocked(s, 1);
            b.send(&enc(&[
                "XREADGROUP",
                "GROUP",
                "g",
                "c2",
                "COUNT",
                "1",
                "NOACK",
                "BLOCK",
                "0",
                "STREAMS",
                "s",
                ">",
            ]));
            wait_blocked(s, 2);
            c.send(&enc(&[
                "XREADGROUP",
                "GROUP",
                "g2",
                "c3",
                "BLOCK",
                "0",
                "STREAMS",
                "s",
                ">",
            ]));
            wait_blocked(s, 3);
            out.push(s.cmd(&["XADD", "s", "1-1", "a", "1"]));
            out.push(a.read_reply().unwrap_or_default());
            out.push(c.read_reply().unwrap_or_default());
            wait_blocked(s, 1);
            out.push(s.cmd(&["XADD", "s", "2-1", "b", "2"]));
            out.push(b.read_reply().unwrap_or_default());
            out.push(s.cmd(&["XPENDING", "s", "g"]));
            out.push(s.cmd(&["XINFO", "GROUPS", "s"]));
            // History reads never block.
            out.push(a.cmd(&[
                "XREADGROUP",
                "GROUP",
                "g",
                "c1",
                "BLOCK",
                "0",
                "STREAMS",
                "s",
                "0",
            ]));
            // Timeout.
            out.push(a.cmd(&[
                "XREADGROUP",
                "GROUP",
                "g",
                "c1",
                "BLOCK",
                "20",
                "STREAMS",
                "s",
                ">",
            ]));
            // Group destroyed while blocked.
            a.send(&enc(&[
                "XREADGROUP",
                "GROUP",
                "g",
                "c1",
                "BLOCK",
                "0",
                "STREAMS",
                "s",
                ">",
            ]));
            wait_blocked(s, 1);
            out.push(s.cmd(&["XGROUP", "SETID", "s", "g", "0"]));
            out.push(s.cmd(&["XGROUP", "SETID", "s", "g", "$"]));
            out.push(s.cmd(&["XGROUP", "DESTROY", "s", "g"]));
            out.push(a.read_reply().unwrap_or_default());
            // Key deleted, overwritten, renamed or flushed while blocked.
            for how in [
                &["DEL", "s"][..],
                &["SET", "s", "x"][..],
                &["RENAME", "s", "s2"][..],
                &["FLUSHALL"][..],
                &["MOVE", "s", "1"][..],
                &["SWAPDB", "0", "1"][..],
                &["EXPIRE", "s", "0"][..],
            ] {
                s.cmd(&["FLUSHALL"]);
                s.cmd(&["DEL", "s", "s2"]);
                s.cmd(&["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]);
                a.send(&enc(&[
                    "XREADGROUP",
                    "GROUP",
                    "g",
                    "c1",
                    "BLOCK",
                    "0",
                    "STREAMS",
                    "s",
                    ">",
                ]));
                wait_blocked(s, 1);
                out.push(s.cmd(how));
                out.push(a.read_reply().unwrap_or_default());
                wait_blocked(s, 0);
            }
            // SWAPDB brings a stream without the group, or one with it.
            for other in [
                &["XGROUP", "CREATE", "s", "g9", "$", "MKSTREAM"][..],
                &["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"][..],
            ] {
                s.cmd(&["FLUSHALL"]);
                s.cmd(&["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]);
                let mut one = s.raw();
                one.cmd(&["SELECT", "1"]);
                one.cmd(other);
                a.send(&enc(&[
                    "XREADGROUP",
                    "GROUP",
                    "g",
                    "c1",
                    "BLOCK",
                    "0",
                    "STREAMS",
                    "s",
                    ">",
                ]));
                wait_blocked(s, 1);
                out.push(s.cmd(&["SWAPDB", "0", "1"]));
                out.push(s.cmd(&["XADD", "s", "3-3", "k", "v"]));
                out.push(a.read_reply().unwrap_or_default());
                wait_blocked(s, 0);
            }
            s.cmd(&["FLUSHALL"]);
            // Two keys: one has no group any more.
            s.cmd(&["DEL", "s", "s2"]);
            s.cmd(&["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]);
            s.cmd(&["XGROUP", "CREATE", "s2", "g", "$", "MKSTREAM"]);
            a.send(&enc(&[
                "XREADGROUP",
                "GROUP",
                "g",
                "c1",
                "BLOCK",
                "0",
                "STREAMS",
                "s",
                "s2",
                ">",
                ">",
            ]));
            wait_blocked(s, 1);
            out.push(s.cmd(&["XADD", "s2", "7-7", "k", "v"]));
            out.push(a.read_reply().unwrap_or_default());
            // Added and deleted in one MULTI: the waiter gets an empty list.
            s.cmd(&["FLUSHALL"]);
            s.cmd(&["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]);
            a.send(&enc(&[
                "XREADGROUP",
                "GROUP",
                "g",
                "c1",
                "BLOCK",
                "0",
                "STREAMS",
                "s",
                ">",
            ]));
            wait_blocked(s, 1);
            let mut m = s.raw();
            m.cmd(&["MULTI"]);
            m.cmd(&["XADD", "s", "5-0", "a", "1"]);
            m.cmd(&["XDEL", "s", "5-0"]);
            out.push(m.cmd(&["EXEC"]));
            out.push(a.read_reply().unwrap_or_default());
            out.push(s.cmd(&["XINFO", "GROUPS", "s"]));
            // Two waiters of one group, COUNT 1: one entry each, in FIFO
            // order; CLIENT UNBLOCK ... ERROR ends a third.
            s.cmd(&["FLUSHALL"]);
            s.cmd(&["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]);
            let cid = String::from_utf8_lossy(&c.cmd(&["CLIENT", "ID"]))
                .trim_start_matches(':')
                .trim()
                .to_string();
            for (n, (conn, name)) in [(&mut a, "c1"), (&mut b, "c2"), (&mut c, "c3")]
                .into_iter()
                .enumerate()
            {
                conn.send(&enc(&[
                    "XREADGROUP",
                    "GROUP",
                    "g",
                    name,
                    "COUNT",
                    "1",
                    "BLOCK",
                    "0",
                    "STREAMS",
                    "s",
                    ">",
                ]));
                wait_blocked(s, n as i64 + 1);
            }
            wait_blocked(s, 3);
            let mut m = s.raw();
            m.cmd(&["MULTI"]);
            m.cmd(&["XADD", "s", "1-0", "a", "1"]);
            m.cmd(&["XADD", "s", "2-0", "b", "2"]);
            out.push(m.cmd(&["EXEC"]));
            out.push(a.read_reply().unwrap_or_default());
            out.push(b.read_reply().unwrap_or_default());
            wait_blocked(s, 1);
            out.push(s.cmd(&["CLIENT", "UNBLOCK", &cid, "ERROR"]));
            out.push(c.read_reply().unwrap_or_default());
            // Inside MULTI, XREADGROUP BLOCK does not block.
            out.push(a.cmd(&["MULTI"]));
            out.push(a.cmd(&[
                "XREADGROUP",
                "GROUP",
                "g",
                "c1",
                "BLOCK",
                "0",
                "STREAMS",
                "s",
                ">",
            ]));
            out.push(a.cmd(&["EXEC"]));
            s.cmd(&["FLUSHALL"]);
        }
        out
    });
}

/// Consumer-group keyspace events, in order.
#[test]
fn consumer_group_keyspace_events() {
    if !have_redis("xgroup_events") {
        return;
    }
    let cmds: &[&[&str]] = &[
        &["CONFIG", "SET", "notify-keyspace-events", "KEA"],
        &["XADD", "s", "1-1", "a", "1"],
        &["XADD", "s", "2-1", "b", "2"],
        &["XGROUP", "CREATE", "s", "g", "0"],
        &["XGROUP", "CREATE", "s", "g", "0"],
        &["XGROUP", "CREATE", "m", "g", "$", "MKSTREAM"],
        &["XGROUP", "CREATECONSUMER", "s", "g", "c0"],
        &["XGROUP", "CREATECONSUMER", "s", "g", "c0"],
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c1",
            "COUNT",
            "1",
            "STREAMS",
            "s",
            ">",
        ],
        &["XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", ">"],
        &["XREADGROUP", "GROUP", "g", "c9", "STREAMS", "s", "0"],
        &["XCLAIM", "s", "g", "c2", "0", "1-1"],
        &["XAUTOCLAIM", "s", "g", "c3", "0", "0"],
        &["XACK", "s", "g", "1-1"],
        &["XGROUP", "SETID", "s", "g", "0"],
        &["XGROUP", "DELCONSUMER", "s", "g", "c1"],
        &["XGROUP", "DELCONSUMER", "s", "g", "nobody"],
        &["XGROUP", "DESTROY", "s", "g"],
        &["XGROUP", "DESTROY", "s", "g"],
    ];
    let ours = Server::start(&[]);
    let theirs = Server::start_redis(&[]);
    let a = keyevents(&ours, cmds);
    let b = keyevents(&theirs, cmds);
    assert_eq!(a, b);
}

/// Mask the TIME argument of propagated XCLAIMs (it is a clock reading).
fn mask_aof(aof: &[u8]) -> String {
    let text = String::from_utf8_lossy(aof).into_owned();
    let mut out = Vec::new();
    let mut after_time = false;
    for line in text.split("\r\n") {
        if after_time && !line.starts_with('$') {
            out.push("T".to_string());
            after_time = false;
            continue;
        }
        if !line.starts_with('$') {
            after_time = line == "TIME";
        }
        if line.starts_with('$') && after_time {
            out.push("$N".to_string());
            continue;
        }
        out.push(line.to_string());
    }
    out.join("\n")
}

/// What XREADGROUP, XCLAIM, XAUTOCLAIM and XGROUP write to the AOF.
#[test]
fn propagation_to_the_aof() {
    let Some(mut d) = Differential::start(
        "xgroup_aof",
        &["--appendonly", "yes", "--aof-use-rdb-preamble", "no"],
    ) else {
        return;
    };
    let cmds: &[&[&str]] = &[
        &["XADD", "s", "1-1", "a", "1"],
        &["XADD", "s", "2-1", "b", "2"],
        &["XADD", "s", "3-1", "c", "3"],
        &["XADD", "s", "4-1", "d", "4"],
        &["XGROUP", "CREATE", "s", "g", "0"],
        &["xgroup", "create", "s", "g0", "$", "entriesread", "4"],
        &["XGROUP", "CREATE", "m", "g", "$", "MKSTREAM"],
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c1",
            "COUNT",
            "1",
            "STREAMS",
            "s",
            ">",
        ],
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c1",
            "COUNT",
            "2",
            "STREAMS",
            "s",
            ">",
        ],
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c2",
            "NOACK",
            "STREAMS",
            "s",
            ">",
        ],
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c3",
            "NOACK",
            "STREAMS",
            "s",
            ">",
        ],
        &["XREADGROUP", "GROUP", "g", "c4", "STREAMS", "s", ">"],
        &["XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", "0"],
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c1",
            "STREAMS",
            "s",
            "m",
            ">",
            ">",
        ],
        &[
            "XCLAIM",
            "s",
            "g",
            "c5",
            "0",
            "1-1",
            "RETRYCOUNT",
            "7",
            "LASTID",
            "9-9",
        ],
        &[
            "XCLAIM", "s", "g", "c5", "0", "2-1", "LASTID", "0-1", "JUSTID",
        ],
        &[
            "XCLAIM", "s", "g", "c5", "0", "1-1", "LASTID", "12-0", "JUSTID",
        ],
        &["XDEL", "s", "1-1"],
        &["XCLAIM", "s", "g", "c6", "0", "1-1"],
        &["XAUTOCLAIM", "s", "g", "c7", "0", "0", "COUNT", "1"],
        &["XAUTOCLAIM", "s", "g", "c7", "0", "0", "JUSTID"],
        &["XAUTOCLAIM", "s", "g", "c7", "3600000", "0"],
        &["XACK", "s", "g", "2-1", "9-9"],
        &["XACK", "s", "g", "9-9"],
        &["XGROUP", "SETID", "s", "g", "0", "ENTRIESREAD", "1"],
        &["XGROUP", "CREATECONSUMER", "s", "g", "c8"],
        &["XGROUP", "CREATECONSUMER", "s", "g", "c8"],
        &["XGROUP", "DELCONSUMER", "s", "g", "c8"],
        &["XGROUP", "DELCONSUMER", "s", "g", "nobody"],
        &["XGROUP", "DESTROY", "s", "g0"],
        &["XGROUP", "DESTROY", "s", "g0"],
        &["MULTI"],
        &["XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", ">"],
        &["XADD", "s", "20-0", "x", "y"],
        &["XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", ">"],
        &["EXEC"],
        &["SET", "marker", "1"],
    ];
    for c in cmds {
        check_masked(&mut d, c);
    }
    let path = |s: &Server| s.dir.path().join("appendonlydir/appendonly.aof.1.incr.aof");
    let (mut a, mut b) = (String::new(), String::new());
    let same = poll_until(Duration::from_secs(10), || {
        a = mask_aof(&std::fs::read(path(&d.ours)).unwrap_or_default());
        b = mask_aof(&std::fs::read(path(&d.theirs)).unwrap_or_default());
        a == b && a.contains("marker")
    });
    assert!(same, "AOF differs:\n--- ferrodis\n{}\n--- redis\n{}", a, b);
}

/// DEBUG DIGEST-VALUE ignores the groups; MEMORY USAGE grows with them as
/// in Redis (compared as growth, so the stream's own size is not at stake).
#[test]
fn digest_and_memory_usage_with_groups() {
    let Some(mut d) = Differential::start("xgroup_digest", &["--enable-debug-command", "yes"])
    else {
        return;
    };
    let usage = |d: &mut Differential| -> (i64, i64) {
        let parse = |b: Vec<u8>| -> i64 {
            String::from_utf8_lossy(&b[1..])
                .trim()
                .parse()
                .unwrap_or(-1)
        };
        let a = parse(d.ours.cmd(&["MEMORY", "USAGE", "s"]));
        let b = parse(d.theirs.cmd(&["MEMORY", "USAGE", "s"]));
        (a, b)
    };
    d.check(&["XADD", "s", "1-1", "a", "1"]);
    d.check(&["XADD", "s", "2-1", "b", "2"]);
    d.check(&["DEBUG", "DIGEST-VALUE", "s"]);
    let base = usage(&mut d);
    let steps: &[&[&str]] = &[
        &["XGROUP", "CREATE", "s", "g", "0"],
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c1",
            "COUNT",
            "1",
            "STREAMS",
            "s",
            ">",
        ],
        &["XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", ">"],
        &["XGROUP", "CREATE", "s", "g2", "$"],
        &["XGROUP", "CREATECONSUMER", "s", "g2", "somebody"],
        &["XCLAIM", "s", "g", "other", "0", "2-1", "JUSTID"],
        &["XACK", "s", "g", "1-1"],
    ];
    for step in steps {
        d.check(step);
        d.check(&["DEBUG", "DIGEST-VALUE", "s"]);
        let now = usage(&mut d);
        assert_eq!(
            now.0 - base.0,
            now.1 - base.1,
            "MEMORY USAGE growth after {:?}",
            step
        );
    }
}

/// Entries deleted by XDEL or XTRIM stay pending; history reads show them
/// as `[id, nil]`; XSETID backwards is refused; SETID backwards re-delivers
/// entries pending elsewhere to the reader.
#[test]
fn pel_outlives_xdel_and_xtrim() {
    let cmds: &[&[&str]] = &[
        &["XADD", "s", "1-0", "a", "1"],
        &["XADD", "s", "2-0", "b", "2"],
        &["XADD", "s", "3-0", "c", "3"],
        &["XADD", "s", "4-0", "d", "4"],
        &["XADD", "s", "5-0", "e", "5"],
        &["XGROUP", "CREATE", "s", "g", "0"],
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c1",
            "COUNT",
            "3",
            "STREAMS",
            "s",
            ">",
        ],
        &["XREADGROUP", "GROUP", "g", "c2", "STREAMS", "s", ">"],
        &["XTRIM", "s", "MAXLEN", "2"],
        &["XDEL", "s", "4-0"],
        &["XPENDING", "s", "g"],
        &["XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", "0"],
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c2",
            "COUNT",
            "1",
            "STREAMS",
            "s",
            "0",
        ],
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c2",
            "COUNT",
            "0",
            "STREAMS",
            "s",
            "0-0",
        ],
        &["XINFO", "GROUPS", "s"],
        &["XACK", "s", "g", "1-0"],
        &["XGROUP", "DELCONSUMER", "s", "g", "c1"],
        &["XPENDING", "s", "g"],
        &["XGROUP", "SETID", "s", "g", "0"],
        &["XREADGROUP", "GROUP", "g", "c3", "STREAMS", "s", ">"],
        &["XPENDING", "s", "g"],
        &["XINFO", "GROUPS", "s"],
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c3",
            "STREAMS",
            "s",
            "s",
            ">",
            "0",
        ],
        &["XGROUP", "CREATE", "s", "\u{e9}t\u{e9} grp", "0"],
        &[
            "XREADGROUP",
            "GROUP",
            "\u{e9}t\u{e9} grp",
            "\u{ff}",
            "STREAMS",
            "s",
            ">",
        ],
        &["XPENDING", "s", "\u{e9}t\u{e9} grp"],
        &["XINFO", "GROUPS", "s"],
        &["XGROUP", "DESTROY", "s", "\u{e9}t\u{e9} grp"],
        &["DEL", "s"],
        &["XADD", "s", "1-0", "a", "1"],
        &["XINFO", "GROUPS", "s"],
        // COPY duplicates the groups, their PELs and consumers.
        &["XADD", "s", "2-0", "b", "2"],
        &["XGROUP", "CREATE", "s", "g", "0"],
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c",
            "COUNT",
            "1",
            "STREAMS",
            "s",
            ">",
        ],
        &["COPY", "s", "s2"],
        &["XINFO", "GROUPS", "s2"],
        &["XPENDING", "s2", "g"],
        &["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s2", ">"],
        &["XPENDING", "s", "g"],
        // The read counter wraps as a C long long.
        &[
            "XGROUP",
            "CREATE",
            "s",
            "gmax",
            "0",
            "ENTRIESREAD",
            "9223372036854775807",
        ],
        &["XREADGROUP", "GROUP", "gmax", "c", "STREAMS", "s", ">"],
        &["XINFO", "GROUPS", "s"],
    ];
    both_protocols("xgroup_pel_deleted", cmds);
}

/// A blocked XREADGROUP served later propagates like a direct one.
#[test]
fn blocked_xreadgroup_propagation() {
    let Some(mut d) = Differential::start(
        "xgroup_blocked_aof",
        &["--appendonly", "yes", "--aof-use-rdb-preamble", "no"],
    ) else {
        return;
    };
    d.check(&["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]);
    let mut a = (d.ours.raw(), d.theirs.raw());
    let mut b = (d.ours.raw(), d.theirs.raw());
    for (cmd, conn) in [
        (
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "c1",
                "BLOCK",
                "0",
                "STREAMS",
                "s",
                ">",
            ][..],
            &mut a,
        ),
        (
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "c2",
                "NOACK",
                "BLOCK",
                "0",
                "STREAMS",
                "s",
                ">",
            ][..],
            &mut b,
        ),
    ] {
        conn.0.send(&enc(cmd));
        conn.1.send(&enc(cmd));
        // One at a time, so both servers queue them in the same order.
        let n = if cmd.contains(&"NOACK") { 2 } else { 1 };
        wait_blocked(&d.ours, n);
        wait_blocked(&d.theirs, n);
    }
    d.check(&["XADD", "s", "1-1", "a", "1"]);
    assert_eq!(a.0.read_reply(), a.1.read_reply());
    d.check(&["XADD", "s", "2-1", "b", "2"]);
    assert_eq!(b.0.read_reply(), b.1.read_reply());
    d.check(&["SET", "marker", "1"]);
    let path = |s: &Server| s.dir.path().join("appendonlydir/appendonly.aof.1.incr.aof");
    let (mut x, mut y) = (String::new(), String::new());
    let same = poll_until(Duration::from_secs(10), || {
        x = mask_aof(&std::fs::read(path(&d.ours)).unwrap_or_default());
        y = mask_aof(&std::fs::read(path(&d.theirs)).unwrap_or_default());
        x == y && x.contains("marker")
    });
    assert!(same, "AOF differs:\n--- ferrodis\n{}\n--- redis\n{}", x, y);
}

/// Group commands do not touch WATCHed keys, except XGROUP CREATE MKSTREAM
/// creating the key.
#[test]
fn watch_sees_only_mkstream() {
    let cmds: &[&[&str]] = &[
        &["XGROUP", "CREATE", "s", "g2", "0"],
        &["XGROUP", "SETID", "s", "g", "0"],
        &["XGROUP", "DESTROY", "s", "g"],
        &["XGROUP", "CREATECONSUMER", "s", "g", "c9"],
        &["XGROUP", "DELCONSUMER", "s", "g", "c1"],
        &["XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", ">"],
        &["XACK", "s", "g", "1-1"],
        &["XCLAIM", "s", "g", "c5", "0", "1-1"],
        &["XAUTOCLAIM", "s", "g", "c5", "0", "0"],
        &["XGROUP", "CREATE", "new", "g", "0", "MKSTREAM"],
    ];
    both("xgroup_watch", |s| {
        let mut out = Vec::new();
        for cmd in cmds {
            s.cmd(&["FLUSHALL"]);
            s.cmd(&["XADD", "s", "1-1", "a", "1"]);
            s.cmd(&["XGROUP", "CREATE", "s", "g", "0"]);
            s.cmd(&["XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", ">"]);
            s.cmd(&["XADD", "s", "2-1", "a", "1"]);
            let mut w = s.raw();
            let key = if cmd.contains(&"new") { "new" } else { "s" };
            w.cmd(&["WATCH", key]);
            out.push(s.cmd(cmd));
            w.cmd(&["MULTI"]);
            w.cmd(&["PING"]);
            out.push(w.cmd(&["EXEC"]));
        }
        out
    });
}

/// Replaying the AOF (DEBUG LOADAOF) rebuilds the groups from the
/// propagated XCLAIM / XGROUP forms exactly as Redis does (entries-read
/// included: a plain `>` read does not carry it).
#[test]
fn aof_replay_rebuilds_groups() {
    let Some(mut d) = Differential::start(
        "xgroup_aof_replay",
        &[
            "--appendonly",
            "yes",
            "--aof-use-rdb-preamble",
            "no",
            "--enable-debug-command",
            "yes",
        ],
    ) else {
        return;
    };
    let cmds: &[&[&str]] = &[
        &["XADD", "s", "1-1", "a", "1"],
        &["XADD", "s", "2-1", "b", "2"],
        &["XADD", "s", "3-1", "c", "3"],
        &["XADD", "s", "4-1", "d", "4"],
        &["XGROUP", "CREATE", "s", "g", "0"],
        &["XGROUP", "CREATE", "s", "g2", "0"],
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c1",
            "COUNT",
            "2",
            "STREAMS",
            "s",
            ">",
        ],
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c2",
            "NOACK",
            "COUNT",
            "1",
            "STREAMS",
            "s",
            ">",
        ],
        &["XREADGROUP", "GROUP", "g2", "c1", "STREAMS", "s", ">"],
        &["XCLAIM", "s", "g", "c3", "0", "1-1", "RETRYCOUNT", "5"],
        &["XDEL", "s", "2-1"],
        &["XAUTOCLAIM", "s", "g", "c4", "0", "0"],
        &["XACK", "s", "g2", "3-1"],
        &["XGROUP", "CREATECONSUMER", "s", "g2", "lonely"],
        &["XGROUP", "CREATE", "s", "g3", "$", "ENTRIESREAD", "7"],
        &["XGROUP", "DELCONSUMER", "s", "g", "c2"],
    ];
    for c in cmds {
        check_masked(&mut d, c);
    }
    check_masked(&mut d, &["DEBUG", "LOADAOF"]);
    check_masked(&mut d, &["XINFO", "GROUPS", "s"]);
    check_masked(&mut d, &["XINFO", "STREAM", "s", "FULL"]);
    check_masked(&mut d, &["XPENDING", "s", "g2"]);
}
