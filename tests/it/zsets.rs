//! Sorted set commands against redis-server: every command, option and
//! error, score parsing and formatting, encodings after conversions.

use crate::hashes::{bulks, diff};
use crate::support::*;

#[test]
fn zset_zadd_flags_and_errors() {
    let Some(mut d) = diff("zset_zadd_flags_and_errors") else {
        return;
    };
    d.check_all(&[
        &["ZADD", "z"],
        &["ZADD", "z", "1"],
        &["ZADD", "z", "1", "a", "2"],
        &["ZADD", "z", "NX"],
        &["ZADD", "z", "NX", "XX", "1", "a"],
        &["ZADD", "z", "GT", "LT", "1", "a"],
        &["ZADD", "z", "GT", "NX", "1", "a"],
        &["ZADD", "z", "LT", "NX", "1", "a"],
        &["ZADD", "z", "INCR", "1", "a", "2", "b"],
        &["ZADD", "z", "x", "a"],
        &["ZADD", "z", "nan", "a"],
        &["ZADD", "z", " 1", "a"],
        &["ZADD", "z", "1 ", "a"],
        &["ZADD", "z", "1e400", "a"],
        &["ZADD", "z", "", "a"],
        &["ZADD", "z", "1", "a", "x", "b"],
        &["EXISTS", "z"],
        &["ZADD", "z", "XX", "1", "a"],
        &["EXISTS", "z"],
        &["ZADD", "z", "1", "a", "2", "b", "3", "c"],
        &["ZADD", "z", "CH", "1", "a", "5", "b", "4", "d"],
        &["ZADD", "z", "NX", "9", "a", "9", "e"],
        &["ZADD", "z", "XX", "CH", "8", "a", "8", "f"],
        &["ZADD", "z", "GT", "CH", "1", "a", "10", "b"],
        &["ZADD", "z", "LT", "CH", "100", "c", "0", "d"],
        &["ZADD", "z", "INCR", "2.5", "a"],
        &["ZADD", "z", "INCR", "0", "a"],
        &["ZINCRBY", "z", "0", "a"],
        &["ZADD", "nokey", "XX", "INCR", "1", "a"],
        &["ZADD", "nokey", "XX", "CH", "1", "a"],
        &["ZADD", "z", "CH", "5", "b"],
        &["ZADD", "z", "INCR", "NX", "2.5", "a"],
        &["ZADD", "z", "INCR", "XX", "1", "nosuch"],
        &["ZADD", "z", "INCR", "GT", "-1", "a"],
        &["ZADD", "z", "INCR", "LT", "-1", "a"],
        &[
            "ZADD", "z", "inf", "i", "-inf", "j", "+inf", "k", "0x10", "h", "1.5e3", "l",
        ],
        &["ZADD", "z", "INCR", "-inf", "i"],
        &["ZADD", "z", "nx", "ch", "incr", "3", "m"],
        &["ZINCRBY", "z", "1", "m"],
        &["ZINCRBY", "z", "x", "m"],
        &["ZINCRBY", "z", "1", "new"],
        &["ZINCRBY", "z", "-inf", "k"],
        &["ZRANGE", "z", "0", "-1", "WITHSCORES"],
        &[
            "ZADD",
            "z",
            "0.1",
            "p",
            "-0.0",
            "q",
            "1e-310",
            "r",
            "3.0000000000000004",
            "s",
        ],
        &["ZSCORE", "z", "p"],
        &["ZSCORE", "z", "q"],
        &["ZSCORE", "z", "r"],
        &["ZSCORE", "z", "s"],
        &["ZSCORE", "z", "i"],
        &["ZSCORE", "z", "nosuch"],
        &["ZSCORE", "nokey", "a"],
        &["ZMSCORE", "z", "p", "nosuch", "i"],
        &["ZMSCORE", "nokey", "a"],
        &["DEBUG", "DIGEST-VALUE", "z"],
        &["SET", "str", "x"],
        &["ZADD", "str", "1", "a"],
        &["ZINCRBY", "str", "1", "a"],
        &["ZSCORE", "str", "a"],
        &["ZRANGE", "str", "0", "-1"],
        &["ZCARD", "str"],
        &["ZREM", "str", "a"],
        &["ZPOPMIN", "str"],
        &["ZRANDMEMBER", "str"],
        &["ZUNION", "1", "str"],
        &["ZSCAN", "str", "0"],
    ]);
}

#[test]
fn zset_nan_increment() {
    let Some(mut d) = diff("zset_nan_increment") else {
        return;
    };
    d.check_all(&[
        &["ZADD", "z", "inf", "a"],
        &["ZADD", "z", "INCR", "-inf", "a"],
        &["ZINCRBY", "z", "-inf", "a"],
        &["ZRANGE", "z", "0", "-1", "WITHSCORES"],
    ]);
}

#[test]
fn zset_reads_and_ranges() {
    let Some(mut d) = diff("zset_reads_and_ranges") else {
        return;
    };
    d.check_all(&[&[
        "ZADD", "z", "1", "a", "2", "b", "3", "c", "3", "cc", "4", "d", "5", "e", "-1", "neg",
    ]]);
    let mut cmds: Vec<Vec<&str>> = vec![
        vec!["ZCARD", "z"],
        vec!["ZCARD", "nokey"],
        vec!["ZRANK", "z", "c"],
        vec!["ZREVRANK", "z", "c"],
        vec!["ZRANK", "z", "nosuch"],
        vec!["ZRANK", "nokey", "a"],
        vec!["ZCOUNT", "z", "2", "4"],
        vec!["ZCOUNT", "z", "(2", "(4"],
        vec!["ZCOUNT", "z", "-inf", "+inf"],
        vec!["ZCOUNT", "z", "x", "1"],
        vec!["ZCOUNT", "z", "nan", "1"],
        vec!["ZCOUNT", "z", "(", "1"],
        vec!["ZCOUNT", "z", " 1", "3"],
        vec!["ZCOUNT", "z", "5", "1"],
        vec!["ZCOUNT", "nokey", "1", "2"],
        vec!["ZLEXCOUNT", "z", "-", "+"],
        vec!["ZLEXCOUNT", "z", "[b", "(d"],
        vec!["ZLEXCOUNT", "z", "b", "d"],
        vec!["ZLEXCOUNT", "nokey", "-", "+"],
        vec!["ZRANGE", "z", "0", "-1"],
        vec!["ZRANGE", "z", "0", "-1", "WITHSCORES"],
        vec!["ZRANGE", "z", "-3", "-2", "withscores"],
        vec!["ZRANGE", "z", "5", "1"],
        vec!["ZRANGE", "z", "100", "200"],
        vec!["ZRANGE", "z", "-100", "1"],
        vec!["ZRANGE", "z", "0", "-1", "REV"],
        vec!["ZRANGE", "z", "0", "1", "REV", "WITHSCORES"],
        vec!["ZRANGE", "z", "1", "4", "BYSCORE"],
        vec!["ZRANGE", "z", "4", "1", "BYSCORE", "REV", "WITHSCORES"],
        vec!["ZRANGE", "z", "(1", "+inf", "BYSCORE", "LIMIT", "1", "2"],
        vec![
            "ZRANGE", "z", "+inf", "(1", "BYSCORE", "REV", "LIMIT", "1", "2",
        ],
        vec!["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "0", "-1"],
        vec!["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "-1", "2"],
        vec![
            "ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "100", "2",
        ],
        vec!["ZRANGE", "z", "[b", "(d", "BYLEX"],
        vec!["ZRANGE", "z", "(d", "[b", "BYLEX", "REV"],
        vec!["ZRANGE", "z", "-", "+", "BYLEX", "LIMIT", "2", "3"],
        vec!["ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES"],
        vec!["ZRANGE", "z", "0", "1", "LIMIT", "0", "1"],
        vec!["ZRANGE", "z", "0", "1", "BYSCORE", "BYLEX"],
        vec!["ZRANGE", "z", "0", "1", "REV", "REV"],
        vec!["ZRANGE", "z", "0", "1", "LIMIT", "1"],
        vec!["ZRANGE", "z", "a", "b"],
        vec!["ZRANGE", "z", "a", "b", "BYLEX"],
        vec!["ZRANGE", "z", "a", "b", "BYSCORE"],
        vec!["ZRANGE", "nokey", "0", "-1"],
        vec!["ZRANGE", "nokey", "x", "-1"],
        vec!["ZREVRANGE", "z", "0", "2", "WITHSCORES"],
        vec!["ZREVRANGE", "z", "0", "2", "REV"],
        vec!["ZRANGEBYSCORE", "z", "2", "3", "WITHSCORES"],
        vec!["ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "2", "2"],
        vec!["ZRANGEBYSCORE", "z", "0", "10", "REV"],
        vec!["ZRANGEBYSCORE", "z", "0", "10", "BYLEX"],
        vec!["ZREVRANGEBYSCORE", "z", "3", "2", "WITHSCORES"],
        vec!["ZREVRANGEBYSCORE", "z", "+inf", "-inf", "LIMIT", "1", "3"],
        vec!["ZRANGEBYLEX", "z", "-", "[c"],
        vec!["ZRANGEBYLEX", "z", "-", "+", "LIMIT", "1", "1"],
        vec!["ZRANGEBYLEX", "z", "-", "+", "WITHSCORES"],
        vec!["ZREVRANGEBYLEX", "z", "+", "-"],
        vec!["ZREVRANGEBYLEX", "z", "[d", "(b", "LIMIT", "0", "1"],
        vec!["ZSCAN", "z", "0"],
        vec!["ZSCAN", "z", "0", "MATCH", "c*"],
        vec!["ZSCAN", "nokey", "0"],
        vec!["ZSCAN", "z", "x"],
        vec!["ZRANGESTORE", "dst", "z", "0", "2"],
        vec!["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
        vec!["OBJECT", "ENCODING", "dst"],
        vec!["ZRANGESTORE", "dst", "z", "1", "3", "BYSCORE", "REV"],
        vec![
            "ZRANGESTORE",
            "dst",
            "z",
            "3",
            "1",
            "BYSCORE",
            "REV",
            "LIMIT",
            "0",
            "1",
        ],
        vec!["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
        vec!["ZRANGESTORE", "dst", "z", "0", "1", "WITHSCORES"],
        vec!["ZRANGESTORE", "dst", "nokey", "0", "-1"],
        vec!["EXISTS", "dst"],
        vec!["ZRANGESTORE", "dst", "z", "5", "1"],
    ];
    for c in cmds.drain(..) {
        d.check(&c);
    }
}

fn zset_reads_big(d: &mut Differential) {
    let mut args = vec!["ZADD".to_string(), "big".to_string()];
    for i in 0..200 {
        args.push(format!("{}", (i % 50) as f64 / 4.0));
        args.push(format!("m{i:03}"));
    }
    let a: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
    d.check(&a);
    for c in [
        &["OBJECT", "ENCODING", "big"][..],
        &["ZRANGE", "big", "0", "-1", "WITHSCORES"],
        &["ZRANGE", "big", "10", "20", "REV", "WITHSCORES"],
        &["ZRANGE", "big", "2", "(5", "BYSCORE", "LIMIT", "3", "7"],
        &[
            "ZRANGE",
            "big",
            "(5",
            "2",
            "BYSCORE",
            "REV",
            "LIMIT",
            "3",
            "7",
            "WITHSCORES",
        ],
        &["ZRANK", "big", "m123"],
        &["ZREVRANK", "big", "m123"],
        &["ZCOUNT", "big", "1", "3"],
        &[
            "ZADD", "lex", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e", "0", "f",
        ],
        &["ZLEXCOUNT", "lex", "[b", "(e"],
        &["ZRANGEBYLEX", "lex", "[b", "(e", "LIMIT", "1", "5"],
        &["ZREVRANGEBYLEX", "lex", "+", "(b", "LIMIT", "1", "2"],
        &["ZREMRANGEBYLEX", "lex", "(a", "[c"],
        &["ZRANGE", "lex", "0", "-1"],
        &["ZSCORE", "big", "m149"],
        &["DEBUG", "DIGEST-VALUE", "big"],
        &["ZREMRANGEBYRANK", "big", "0", "9"],
        &["ZREMRANGEBYSCORE", "big", "(10", "11"],
        &["ZRANGE", "big", "0", "-1", "WITHSCORES"],
        &["ZPOPMIN", "big", "3"],
        &["ZPOPMAX", "big"],
        &["ZUNIONSTORE", "u", "1", "big", "WEIGHTS", "2"],
        &["OBJECT", "ENCODING", "u"],
        &["ZRANGESTORE", "small", "big", "0", "3"],
        &["OBJECT", "ENCODING", "small"],
        &["DEBUG", "DIGEST"],
    ] {
        d.check(c);
    }
    let mut seen = std::collections::HashSet::new();
    let mut cursor = "0".to_string();
    loop {
        let b = bulks(&d.ours.cmd(&["ZSCAN", "big", &cursor, "COUNT", "9"]));
        cursor = String::from_utf8(b[0].clone()).unwrap();
        for p in b[1..].chunks(2) {
            seen.insert(p[0].clone());
        }
        if cursor == "0" {
            break;
        }
    }
    let card = d.ours.cmd(&["ZCARD", "big"]);
    assert_eq!(card, format!(":{}\r\n", seen.len()).into_bytes());
}

#[test]
fn zset_skiplist_encoding() {
    let Some(mut d) = diff("zset_skiplist_encoding") else {
        return;
    };
    zset_reads_big(&mut d);
}

#[test]
fn zset_encoding_conversions() {
    let Some(mut d) = Differential::start(
        "zset_encoding_conversions",
        &[
            "--enable-debug-command",
            "yes",
            "--zset-max-ziplist-entries",
            "3",
            "--zset-max-listpack-value",
            "5",
        ],
    ) else {
        return;
    };
    d.check_all(&[
        &["ZADD", "z", "1", "a", "1", "a", "1", "a"],
        &["OBJECT", "ENCODING", "z"],
        &["ZADD", "z", "2", "b", "3", "c"],
        &["OBJECT", "ENCODING", "z"],
        &["ZADD", "z", "4", "d"],
        &["OBJECT", "ENCODING", "z"],
        &["ZADD", "y", "1", "toolong"],
        &["OBJECT", "ENCODING", "y"],
        &["ZADD", "x", "1", "a", "2", "toolong"],
        &["OBJECT", "ENCODING", "x"],
        &["ZREM", "x", "toolong"],
        &["OBJECT", "ENCODING", "x"],
        &["ZUNIONSTORE", "u", "1", "x"],
        &["OBJECT", "ENCODING", "u"],
        &["ZINTERSTORE", "i", "2", "z", "z"],
        &["OBJECT", "ENCODING", "i"],
        &["ZRANGESTORE", "r", "z", "0", "1"],
        &["OBJECT", "ENCODING", "r"],
        &["ZRANGESTORE", "r", "z", "0", "-1"],
        &["OBJECT", "ENCODING", "r"],
        &["ZINCRBY", "w", "1", "toolong"],
        &["OBJECT", "ENCODING", "w"],
        &["DEBUG", "DIGEST"],
    ]);
    zset_reads_big(&mut d);
}

#[test]
fn zset_removals_and_pops() {
    let Some(mut d) = diff("zset_removals_and_pops") else {
        return;
    };
    d.check_all(&[
        &[
            "ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e",
        ],
        &["ZREM", "z", "a", "nosuch", "a"],
        &["ZREM", "nokey", "a"],
        &["ZREMRANGEBYRANK", "z", "0", "0"],
        &["ZREMRANGEBYRANK", "z", "5", "10"],
        &["ZREMRANGEBYRANK", "z", "x", "1"],
        &["ZREMRANGEBYRANK", "nokey", "0", "1"],
        &["ZREMRANGEBYSCORE", "z", "(3", "4"],
        &["ZREMRANGEBYSCORE", "z", "x", "4"],
        &["ZREMRANGEBYLEX", "z", "[e", "+"],
        &["ZREMRANGEBYLEX", "z", "e", "+"],
        &["ZRANGE", "z", "0", "-1", "WITHSCORES"],
        &["ZREMRANGEBYRANK", "z", "0", "-1"],
        &["EXISTS", "z"],
        &[
            "ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e",
        ],
        &["ZPOPMIN", "z"],
        &["ZPOPMAX", "z"],
        &["ZPOPMIN", "z", "2"],
        &["ZPOPMIN", "z", "0"],
        &["ZPOPMIN", "z", "-1"],
        &["ZPOPMIN", "z", "x"],
        &["ZPOPMIN", "z", "1", "2"],
        &["ZPOPMAX", "z", "10"],
        &["EXISTS", "z"],
        &["ZPOPMIN", "nokey"],
        &["ZPOPMIN", "nokey", "2"],
        &["ZADD", "z", "1", "a", "2", "b", "3", "c"],
        &["ZMPOP", "0", "z", "MIN"],
        &["ZMPOP", "x", "z", "MIN"],
        &["ZMPOP", "2", "z", "MIN"],
        &["ZMPOP", "1", "z", "FOO"],
        &["ZMPOP", "1", "z", "MIN", "COUNT", "0"],
        &["ZMPOP", "1", "z", "MIN", "COUNT", "x"],
        &["ZMPOP", "1", "z", "MIN", "COUNT"],
        &["ZMPOP", "1", "z", "MIN", "COUNT", "1", "COUNT", "2"],
        &["ZMPOP", "2", "nokey", "z", "MAX", "COUNT", "2"],
        &["ZMPOP", "1", "nokey", "MIN"],
        &["ZMPOP", "1", "z", "MIN", "COUNT", "10"],
        &["EXISTS", "z"],
        &["ZADD", "z", "1", "a", "2", "b"],
        &["BZPOPMIN", "z", "-1"],
        &["BZPOPMIN", "z", "x"],
        &["BZPOPMIN", "nokey", "z", "0"],
        &["BZPOPMAX", "z", "0.5"],
        &["BZMPOP", "-1", "1", "z", "MIN"],
        &[
            "ZADD", "t", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "6", "f",
        ],
        &["BZPOPMIN", "t", "inf"],
        &["BZPOPMIN", "t", "-inf"],
        &["BZPOPMIN", "t", "1e30"],
        &["BZPOPMIN", "t", " 1"],
        &["BZPOPMIN", "t", "0x10"],
        &["BZPOPMIN", "t", "1e-400"],
        &["BZPOPMIN", "t", "nan"],
        &["BZPOPMIN", "t", ""],
        &["BZPOPMIN", "t", "1.5abc"],
        &["BZPOPMIN", "t", "9223372036854775807"],
        &["BZPOPMIN", "t", "-0"],
        &["BZPOPMIN", "t", "-0.0001"],
        &["BZMPOP", "inf", "1", "t", "MIN"],
        &["BZMPOP", "x", "1", "z", "MIN"],
        &["BZMPOP", "0", "0", "z", "MIN"],
        &["ZADD", "z", "1", "a", "2", "b"],
        &["BZMPOP", "0", "2", "nokey", "z", "MAX", "COUNT", "5"],
        &["SET", "str", "x"],
        &["ZMPOP", "2", "nokey", "str", "MIN"],
        &["BZPOPMIN", "str", "0"],
    ]);
}

#[test]
fn zset_algebra() {
    let Some(mut d) = diff("zset_algebra") else {
        return;
    };
    d.check_all(&[
        &["ZADD", "z", "1", "a", "2", "b", "3", "c"],
        &["ZADD", "y", "5", "b", "1", "d", "2", "c"],
        &["SADD", "s", "a", "d", "x"],
        &["ZUNION", "2", "z", "y"],
        &["ZUNION", "2", "z", "y", "WITHSCORES"],
        &[
            "ZUNION",
            "3",
            "z",
            "y",
            "s",
            "WITHSCORES",
            "AGGREGATE",
            "MAX",
        ],
        &[
            "ZUNION",
            "2",
            "z",
            "y",
            "WEIGHTS",
            "2",
            "3",
            "WITHSCORES",
            "AGGREGATE",
            "MIN",
        ],
        &[
            "ZUNION",
            "2",
            "z",
            "y",
            "WEIGHTS",
            "inf",
            "-inf",
            "WITHSCORES",
        ],
        &["ZUNION", "2", "z", "y", "WEIGHTS", "1"],
        &["ZUNION", "2", "z", "y", "WEIGHTS", "1", "x"],
        &["ZUNION", "2", "z", "y", "AGGREGATE", "foo"],
        &["ZUNION", "2", "z", "y", "AGGREGATE"],
        &["ZUNION", "2", "z", "y", "FOO"],
        &["ZUNION", "0", "z"],
        &["ZUNION", "-1", "z"],
        &["ZUNION", "x", "z"],
        &["ZUNION", "3", "z", "y"],
        &["ZUNION", "2", "z", "nokey", "WITHSCORES"],
        &["ZINTER", "2", "z", "y", "WITHSCORES"],
        &["ZINTER", "3", "z", "y", "s", "WITHSCORES"],
        &["ZINTER", "2", "z", "nokey"],
        &[
            "ZINTER",
            "2",
            "z",
            "y",
            "WEIGHTS",
            "2",
            "3",
            "AGGREGATE",
            "MAX",
            "WITHSCORES",
        ],
        &["ZDIFF", "2", "z", "y", "WITHSCORES"],
        &["ZDIFF", "2", "z", "s"],
        &["ZDIFF", "2", "nokey", "z"],
        &["ZDIFF", "2", "z", "y", "WEIGHTS", "1", "1"],
        &["ZDIFF", "2", "z", "y", "AGGREGATE", "MIN"],
        &["ZINTERCARD", "2", "z", "y"],
        &["ZINTERCARD", "2", "z", "y", "LIMIT", "1"],
        &["ZINTERCARD", "2", "z", "y", "LIMIT", "0"],
        &["ZINTERCARD", "2", "z", "y", "LIMIT", "-1"],
        &["ZINTERCARD", "2", "z", "y", "WITHSCORES"],
        &["ZINTERCARD", "0", "z"],
        &["ZINTERCARD", "3", "z", "y"],
        &["ZUNIONSTORE", "d", "2", "z", "y"],
        &["ZRANGE", "d", "0", "-1", "WITHSCORES"],
        &["ZUNIONSTORE", "d", "2", "z", "y", "WITHSCORES"],
        &["ZUNIONSTORE", "d", "0", "z"],
        &["ZINTERSTORE", "d", "2", "z", "y", "WEIGHTS", "1", "2"],
        &["ZRANGE", "d", "0", "-1", "WITHSCORES"],
        &["ZDIFFSTORE", "d", "2", "z", "y"],
        &["ZRANGE", "d", "0", "-1", "WITHSCORES"],
        &["ZDIFFSTORE", "d", "2", "z", "z"],
        &["EXISTS", "d"],
        &["ZINTERSTORE", "d", "2", "z", "nokey"],
        &["SET", "str", "x"],
        &["ZUNION", "2", "z", "str"],
        &["ZINTERSTORE", "d", "2", "z", "str"],
        &["ZUNIONSTORE", "z", "2", "z", "y"],
        &["ZRANGE", "z", "0", "-1", "WITHSCORES"],
        &["DEBUG", "DIGEST"],
    ]);
}

#[test]
fn zset_zrandmember_forms() {
    let Some(mut d) = diff("zset_zrandmember_forms") else {
        return;
    };
    d.check_all(&[
        &["ZRANDMEMBER", "nokey"],
        &["ZRANDMEMBER", "nokey", "3"],
        &["ZRANDMEMBER", "nokey", "3", "WITHSCORES"],
        &["ZADD", "z", "1.5", "a"],
        &["ZRANDMEMBER", "z"],
        &["ZRANDMEMBER", "z", "1", "WITHSCORES"],
        &["ZRANDMEMBER", "z", "-2", "WITHSCORES"],
        &["ZRANDMEMBER", "z", "0"],
        &["ZRANDMEMBER", "z", "x"],
        &["ZRANDMEMBER", "z", "1", "foo"],
        &["ZRANDMEMBER", "z", "1", "WITHSCORES", "x"],
        &["ZRANDMEMBER", "z", "-9223372036854770000", "WITHSCORES"],
        &["ZRANDMEMBER", "z", "9223372036854770000", "WITHSCORES"],
        &["ZRANDMEMBER", "z", "-9223372036854775808"],
    ]);
    for (key, n) in [("zl", 5usize), ("zs", 300)] {
        let mut args = vec!["ZADD".to_string(), key.to_string()];
        for i in 0..n {
            args.push(format!("{i}"));
            args.push(format!("m{i}"));
        }
        let a: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
        d.check(&a);
        for count in [1i64, 2, 4, 5, 50, 99, 101, 299, 300, 1000, -1, -9, -600] {
            for ws in [false, true] {
                let c = count.to_string();
                let mut cmd = vec!["ZRANDMEMBER", key, c.as_str()];
                if ws {
                    cmd.push("WITHSCORES");
                }
                let r = bulks(&d.ours.cmd(&cmd));
                let want = if count < 0 {
                    (-count) as usize
                } else {
                    (count as usize).min(n)
                };
                let per = if ws { 2 } else { 1 };
                assert_eq!(r.len(), want * per, "{cmd:?}");
                let members: Vec<&Vec<u8>> = r.iter().step_by(per).collect();
                for (i, m) in members.iter().enumerate() {
                    let idx: usize = std::str::from_utf8(&m[1..]).unwrap().parse().unwrap();
                    assert!(idx < n);
                    if ws {
                        assert_eq!(r[i * 2 + 1], m[1..]);
                    }
                }
                if count > 0 {
                    let set: std::collections::HashSet<_> = members.iter().collect();
                    assert_eq!(set.len(), members.len(), "{cmd:?} repeats");
                }
            }
        }
    }
}

/// RESP3 shapes of every collection reply kind; skips while ferrodis has
/// no HELLO.
#[test]
fn coll_resp3_shapes() {
    let Some(d) = diff("coll_resp3_shapes") else {
        return;
    };
    let mut ours = d.ours.raw();
    let mut theirs = d.theirs.raw();
    if ours.cmd(&["HELLO", "3"]).starts_with(b"-") {
        eprintln!("SKIP coll_resp3_shapes: no HELLO 3 yet");
        return;
    }
    theirs.cmd(&["HELLO", "3"]);
    for c in [
        &[
            "ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e",
        ][..],
        &["SADD", "s", "1", "2", "3"],
        &["HSET", "h", "a", "1"],
        &["ZPOPMIN", "z"],
        &["ZPOPMIN", "z", "1"],
        &["ZADD", "one", "1.5", "m"],
        &["ZRANDMEMBER", "one", "-2", "WITHSCORES"],
        &["ZRANDMEMBER", "one", "5", "WITHSCORES"],
        &["SRANDMEMBER", "s", "5"],
        &["SMEMBERS", "s"],
        &["SINTER", "s"],
        &["SUNION", "s", "nokey"],
        &["SDIFF", "nokey"],
        &["ZMPOP", "1", "z", "MIN"],
        &["ZMPOP", "1", "nokey", "MIN"],
        &["BZPOPMIN", "z", "0"],
        &["HRANDFIELD", "h", "1", "WITHVALUES"],
        &["HRANDFIELD", "h", "-1"],
        &["ZRANGE", "z", "0", "-1", "WITHSCORES"],
        &["ZSCORE", "z", "e"],
        &["ZSCORE", "z", "x"],
        &["ZUNION", "1", "z", "WITHSCORES"],
        &["ZSCAN", "z", "0"],
        &["HGETALL", "h"],
        &["HGETALL", "nokey"],
        &["HMGET", "h", "a", "x"],
        &["ZMSCORE", "z", "e", "x"],
        &["ZINCRBY", "z", "1", "e"],
        &["ZADD", "z", "INCR", "1", "e"],
        &["ZADD", "z", "NX", "INCR", "1", "e"],
        &["SPOP", "s", "5"],
        &["SPOP", "nokey", "1"],
        &["SRANDMEMBER", "nokey", "1"],
        &["ZPOPMIN", "nokey"],
        &["SMEMBERS", "nokey"],
        &["ZRANGE", "nokey", "0", "1"],
    ] {
        let (a, b) = (ours.cmd(c), theirs.cmd(c));
        assert_eq!(
            String::from_utf8_lossy(&a),
            String::from_utf8_lossy(&b),
            "{c:?}"
        );
    }
}

#[test]
fn zset_edge_cases() {
    let Some(mut d) = diff("zset_edge_cases") else {
        return;
    };
    d.check_all(&[
        &["ZADD", "z", "1", "a", "INCR"],
        &[
            "ZADD", "z", "0x1p-2", "h", "-0x1P+3", "g", "1e-310", "t", "4.9e-324", "u",
        ],
        &["ZRANGE", "z", "0", "-1", "WITHSCORES"],
        &["ZRANGEBYSCORE", "z", "0x0", "(0x1", "WITHSCORES"],
        &["ZRANGEBYSCORE", "z", "", "1"],
        &["ZRANGEBYSCORE", "z", "(", "1"],
        &["ZRANGEBYSCORE", "z", "((1", "1"],
        &["ZRANGEBYSCORE", "z", "-inf", "(-inf"],
        &["ZRANGEBYSCORE", "z", "1", "1", "LIMIT", "0", "0"],
        &["ZRANGEBYSCORE", "z", "inf", "-inf"],
        &["ZRANGEBYSCORE", "z", "-Infinity", "+INF"],
        &["ZRANGEBYLEX", "z", "[a", "[a"],
        &["ZRANGEBYLEX", "z", "(a", "(a"],
        &["ZRANGEBYLEX", "z", "+", "-"],
        &["ZRANGEBYLEX", "z", "[", "+"],
        &["ZLEXCOUNT", "z", "-", "(g"],
        &["ZRANGE", "z", "-9223372036854775808", "9223372036854775807"],
        &[
            "ZREMRANGEBYRANK",
            "z",
            "-9223372036854775808",
            "-9223372036854775808",
        ],
        &["ZSCAN", "z", "0", "COUNT", "1", "MATCH", "*"],
        &["ZADD", "big", "123456789012345678", "m", "-0.0", "n"],
        &["ZSCAN", "big", "0"],
        &["ZSCORE", "big", "n"],
        &["ZRANDMEMBER", "big", "5", "WITHSCORES"],
        &[
            "ZUNION",
            "2",
            "big",
            "big",
            "WEIGHTS",
            "1e308",
            "1e308",
            "WITHSCORES",
        ],
        &[
            "ZUNION",
            "2",
            "big",
            "big",
            "AGGREGATE",
            "MIN",
            "AGGREGATE",
            "MAX",
            "WITHSCORES",
        ],
        &["ZUNION", "1", "big", "WITHSCORES", "WITHSCORES"],
        &["ZADD", "k", "1", "a", "2", "b", "3", "c"],
        &["ZRANDMEMBER", "k", "5", "WITHSCORES"],
        &["ZRANDMEMBER", "k", "3"],
        &[
            "ZADD",
            "kk",
            "1",
            "a",
            "2",
            "b",
            "3",
            "c",
            "4",
            "a-member-longer-than-64-bytes-so-the-zset-is-a-skiplist-0123456789",
        ],
        &["OBJECT", "ENCODING", "kk"],
        &["ZRANDMEMBER", "kk", "10", "WITHSCORES"],
        &["HSET", "hh", "a", "1", "b", "2", "c", "3"],
        &["HRANDFIELD", "hh", "10", "WITHVALUES"],
        &["HRANDFIELD", "hh", "3"],
        &["ZINCRBY", "big", "1.7976931348623157e308", "m"],
        &["ZINCRBY", "big", "1.7976931348623157e308", "m"],
        &["ZSCORE", "big", "m"],
    ]);
}
