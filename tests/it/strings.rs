//! String commands against redis-server, byte for byte: every option and error.

use crate::support::*;

fn diff(name: &str) -> Option<Differential> {
    Differential::start(name, &[])
}

#[test]
fn set_options_and_errors() {
    let Some(mut d) = diff("set_options_and_errors") else {
        return;
    };
    let cmds: &[&[&str]] = &[
        &["SET", "k", "v"],
        &["SET", "k", "v2", "NX"],
        &["SET", "k", "v3", "XX"],
        &["SET", "nokey", "v", "XX"],
        &["SET", "k", "v4", "GET"],
        &["SET", "k", "v5", "NX", "GET"],
        &["SET", "nokey", "v", "XX", "GET"],
        &["SET", "k", "v", "NX", "XX"],
        &["SET", "k", "v", "XX", "NX"],
        &["SET", "k", "v", "EX", "100"],
        &["TTL", "k"],
        &["SET", "k", "v", "KEEPTTL"],
        &["TTL", "k"],
        &["SET", "k", "v"],
        &["TTL", "k"],
        &["SET", "k", "v", "EX", "10", "EX", "20"],
        &["TTL", "k"],
        &["SET", "k", "v", "EX", "10", "PX", "20"],
        &["SET", "k", "v", "EX", "10", "KEEPTTL"],
        &["SET", "k", "v", "KEEPTTL", "EX", "10"],
        &["SET", "k", "v", "PERSIST"],
        &["SET", "k", "v", "EX"],
        &["SET", "k", "v", "EX", "0"],
        &["SET", "k", "v", "EX", "-1"],
        &["SET", "k", "v", "EX", "abc"],
        &["SET", "k", "v", "PX", "0"],
        &["SET", "k", "v", "EX", "9223372036854775"],
        &["SET", "k", "v", "EX", "9223372036854776"],
        &["SET", "k", "v", "PX", "9223372036854775807"],
        &["SET", "k", "v", "EXAT", "9223372036854775"],
        &["PEXPIRETIME", "k"],
        &["SET", "k", "v", "PXAT", "9223372036854775807"],
        &["PEXPIRETIME", "k"],
        &["SET", "k", "v", "EXAT", "1"],
        &["EXISTS", "k"],
        &["SET", "k", "v", "PXAT", "1", "GET"],
        &["SET", "k", "v", "FOO"],
        &["set", "k", "v", "nx", "get", "px", "100000"],
        &["SET", "k"],
        &["SETNX", "k", "x"],
        &["SETNX", "new", "x"],
        &["SETEX", "k", "100", "v"],
        &["TTL", "k"],
        &["SETEX", "k", "0", "v"],
        &["SETEX", "k", "abc", "v"],
        &["PSETEX", "k", "100000", "v"],
        &["PSETEX", "k", "-5", "v"],
        &["GET", "k"],
        &["GET", "missing"],
    ];
    d.check_all(cmds);
}

#[test]
fn get_family() {
    let Some(mut d) = diff("get_family") else {
        return;
    };
    let cmds: &[&[&str]] = &[
        &["SET", "k", "hello"],
        &["GETEX", "k"],
        &["GETEX", "k", "EX", "100"],
        &["TTL", "k"],
        &["GETEX", "k", "PERSIST"],
        &["TTL", "k"],
        &["GETEX", "k", "PX", "0"],
        &["GETEX", "k", "EX", "10", "PERSIST"],
        &["GETEX", "k", "PERSIST", "EX", "10"],
        &["GETEX", "k", "KEEPTTL"],
        &["GETEX", "k", "NX"],
        &["GETEX", "k", "EXAT", "9999999999"],
        &["EXPIRETIME", "k"],
        &["GETEX", "k", "EXAT", "1"],
        &["EXISTS", "k"],
        &["GETEX", "missing", "EX", "abc"],
        &["SET", "k", "v"],
        &["GETEX", "k", "EX", "abc"],
        &["GETDEL", "k"],
        &["GETDEL", "k"],
        &["GETSET", "k", "a"],
        &["GETSET", "k", "b"],
        &["GET", "k"],
        &["MSET", "a", "1", "b", "2"],
        &["MSET", "a", "1", "b"],
        &["MGET", "a", "b", "nope"],
        &["MSETNX", "a", "1", "c", "3"],
        &["MSETNX", "x", "1", "y", "3"],
        &["MSETNX", "z", "a", "z", "b"],
        &["GET", "z"],
        &["MSETNX", "q"],
        &["STRLEN", "z"],
        &["STRLEN", "none"],
        &["SET", "n", "-12345"],
        &["STRLEN", "n"],
        &["GETRANGE", "n", "0", "-1"],
    ];
    d.check_all(cmds);
}

#[test]
fn append_ranges_and_limits() {
    let Some(mut d) = diff("append_ranges_and_limits") else {
        return;
    };
    let cmds: &[&[&str]] = &[
        &["APPEND", "k", "hello"],
        &["OBJECT", "ENCODING", "k"],
        &["APPEND", "k", " world"],
        &["OBJECT", "ENCODING", "k"],
        &["GET", "k"],
        &["GETRANGE", "k", "0", "4"],
        &["GETRANGE", "k", "-5", "-1"],
        &["GETRANGE", "k", "-1", "-5"],
        &["GETRANGE", "k", "5", "1"],
        &["GETRANGE", "k", "0", "1000"],
        &["GETRANGE", "k", "-1000", "1000"],
        &["GETRANGE", "k", "a", "1"],
        &["GETRANGE", "k", "0", "9223372036854775808"],
        &["GETRANGE", "none", "0", "1"],
        &["SUBSTR", "k", "1", "3"],
        &["SETRANGE", "k", "6", "WORLD"],
        &["GET", "k"],
        &["SETRANGE", "k", "20", "x"],
        &["GET", "k"],
        &["SETRANGE", "k", "0", ""],
        &["SETRANGE", "new", "0", ""],
        &["EXISTS", "new"],
        &["SETRANGE", "new", "3", "ab"],
        &["GET", "new"],
        &["OBJECT", "ENCODING", "new"],
        &["SETRANGE", "k", "-1", "x"],
        &["SETRANGE", "k", "abc", "x"],
        &["SETRANGE", "k", "9223372036854775807", "A"],
        &["SETRANGE", "k", "536870912", "A"],
        &["SETRANGE", "k", "536870911", ""],
        &["SETRANGE", "nk", "9223372036854775807", "A"],
        &["SET", "i", "123"],
        &["APPEND", "i", "4"],
        &["OBJECT", "ENCODING", "i"],
        &["GET", "i"],
        &["SETRANGE", "i", "0", "9"],
        &["GET", "i"],
    ];
    d.check_all(cmds);
}

#[test]
fn counters() {
    let Some(mut d) = diff("counters") else {
        return;
    };
    let cmds: &[&[&str]] = &[
        &["INCR", "c"],
        &["INCRBY", "c", "10"],
        &["DECR", "c"],
        &["DECRBY", "c", "5"],
        &["INCRBY", "c", "abc"],
        &["DECRBY", "c", "-9223372036854775808"],
        &["SET", "c", "9223372036854775807"],
        &["INCR", "c"],
        &["SET", "c", "-9223372036854775808"],
        &["DECR", "c"],
        &["INCRBY", "c", "-1"],
        &["SET", "c", " 1"],
        &["INCR", "c"],
        &["SET", "c", "01"],
        &["INCR", "c"],
        &["SET", "c", "1.5"],
        &["INCR", "c"],
        &["SET", "c", "9999"],
        &["OBJECT", "REFCOUNT", "c"],
        &["INCR", "c"],
        &["OBJECT", "REFCOUNT", "c"],
        &["OBJECT", "ENCODING", "c"],
        &["SET", "f", "10"],
        &["INCRBYFLOAT", "f", "1.1"],
        &["INCRBYFLOAT", "f", "-1.1"],
        &["INCRBYFLOAT", "f", "0.1"],
        &["INCRBYFLOAT", "f", "5.0e3"],
        &["INCRBYFLOAT", "f", "1e308"],
        &["INCRBYFLOAT", "f", "1e308"],
        &["INCRBYFLOAT", "f", "inf"],
        &["INCRBYFLOAT", "f", "nan"],
        &["INCRBYFLOAT", "f", "abc"],
        &["INCRBYFLOAT", "f", " 1"],
        &["INCRBYFLOAT", "g", "-0"],
        &["INCRBYFLOAT", "g", "3.0"],
        &["OBJECT", "ENCODING", "g"],
        &["SET", "h", "1e4932"],
        &["INCRBYFLOAT", "h", "1"],
        &["SET", "h", "1e4931"],
        &["INCRBYFLOAT", "h", "1e4931"],
        &["INCRBYFLOAT", "h", "1e4932"],
        &["SET", "h", "hello"],
        &["INCRBYFLOAT", "h", "1"],
        &["INCRBYFLOAT", "x", "0x10"],
        &["INCRBYFLOAT", "y", "1.23456789012345678901"],
        &["INCRBYFLOAT", "z", "-1e-20"],
    ];
    d.check_all(cmds);
}

#[test]
fn lcs_all_options() {
    let Some(mut d) = diff("lcs_all_options") else {
        return;
    };
    let cmds: &[&[&str]] = &[
        &["MSET", "a", "ohmytext", "b", "mynewtext"],
        &["LCS", "a", "b"],
        &["LCS", "a", "b", "LEN"],
        &["LCS", "a", "b", "IDX"],
        &["LCS", "a", "b", "IDX", "WITHMATCHLEN"],
        &["LCS", "a", "b", "IDX", "MINMATCHLEN", "4"],
        &["LCS", "a", "b", "IDX", "MINMATCHLEN", "-4", "WITHMATCHLEN"],
        &["LCS", "a", "b", "IDX", "MINMATCHLEN"],
        &["LCS", "a", "b", "IDX", "MINMATCHLEN", "x"],
        &["LCS", "a", "b", "LEN", "IDX"],
        &["LCS", "a", "b", "FOO"],
        &["LCS", "a", "missing"],
        &["LCS", "a", "missing", "IDX"],
        &["SET", "n", "12345"],
        &["SET", "m", "2345"],
        &["LCS", "n", "m", "IDX", "WITHMATCHLEN"],
        &["MSET", "x", "aaaaabbbbbaaaaa", "y", "abababababab"],
        &["LCS", "x", "y", "IDX", "WITHMATCHLEN"],
        &["LCS", "x", "y"],
    ];
    d.check_all(cmds);
    // RESP3: IDX is a map, nulls are `_`.
    let (mut a, mut b) = (d.ours.raw(), d.theirs.raw());
    a.cmd(&["HELLO", "3"]);
    b.cmd(&["HELLO", "3"]);
    let resp3: &[&[&str]] = &[
        &["LCS", "a", "b", "IDX", "WITHMATCHLEN"],
        &["SET", "k", "v", "GET"],
        &["GET", "nokey"],
        &["MGET", "nokey", "k"],
        &["INCRBYFLOAT", "fl", "1.5"],
        &["OBJECT", "ENCODING", "nokey"],
        &["OBJECT", "HELP"],
    ];
    for c in resp3 {
        assert_eq!(
            String::from_utf8_lossy(&a.cmd(c)),
            String::from_utf8_lossy(&b.cmd(c)),
            "{:?}",
            c
        );
    }
}

#[test]
fn wrong_type_and_arity() {
    let Some(mut d) = diff("wrong_type_and_arity") else {
        return;
    };
    for c in [
        "GET",
        "SET",
        "GETEX",
        "GETDEL",
        "GETSET",
        "MGET",
        "MSET",
        "MSETNX",
        "APPEND",
        "STRLEN",
        "GETRANGE",
        "SUBSTR",
        "SETRANGE",
        "INCR",
        "DECR",
        "INCRBY",
        "DECRBY",
        "INCRBYFLOAT",
        "LCS",
        "SETNX",
        "SETEX",
        "PSETEX",
    ] {
        d.check(&[c]);
    }
}
