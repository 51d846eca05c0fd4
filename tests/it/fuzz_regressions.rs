//! Divergences from redis-server found by the differential command fuzzer
//! (tools/diff_fuzz.py), each pinned against the real redis-server.

use crate::support::*;
use std::time::Duration;

/// SORT's numeric sort runs C `strtod` on the value's C string: it stops at
/// a NUL byte (so "\0x" sorts as 0), accepts hex and rejects ERANGE and all
/// spaces (diff_fuzz seed 3: `LPUSH "" "\x00\xfe"`, `SORT ""`).
#[test]
fn sort_scores_parse_like_strtod() {
    let Some(mut d) = Differential::start("fuzz_sort_strtod", &[]) else {
        return;
    };
    let cmds: &[&[&str]] = &[
        &[
            "RPUSH", "l", "\0x", "3", "7\0junk", "0x10", ".5", "5.", "", "infinity", "  4",
        ],
        &["SORT", "l"],
        &["SORT", "l", "DESC", "LIMIT", "1", "3"],
        &["SET", "w_1", "\0"],
        &["SET", "w_2", "0x1p3"],
        &["RPUSH", "by", "1", "2"],
        &["SORT", "by", "BY", "w_*"],
        &["RPUSH", "w", " "],
        &["SORT", "w"],
        &["RPUSH", "u", "1e-400"],
        &["SORT", "u"],
        &["RPUSH", "o", "1e400"],
        &["SORT", "o"],
        &["RPUSH", "n", "nan"],
        &["SORT", "n"],
        &["RPUSH", "t", "5 "],
        &["SORT", "t"],
        // Not after an ERANGE: Redis does not clear errno before strtod, so
        // once one value overflowed, valid ones fail too until errno changes.
    ];
    d.check_all(cmds);
}

/// ZPOPMIN/ZPOPMAX with a count of 0 still check the key's type first
/// (diff_fuzz seed 6: `APPEND a 10`, `ZPOPMIN a 0`).
#[test]
fn zpop_zero_count_checks_type() {
    let Some(mut d) = Differential::start("fuzz_zpop_zero", &[]) else {
        return;
    };
    let cmds: &[&[&str]] = &[
        &["ZPOPMIN", "nokey", "0"],
        &["APPEND", "a", "10"],
        &["ZPOPMIN", "a", "0"],
        &["ZPOPMAX", "a", "0"],
        &["ZPOPMIN", "a", "-1"],
        &["ZADD", "z", "1", "m"],
        &["ZPOPMAX", "z", "0"],
        &["ZCARD", "z"],
    ];
    d.check_all(cmds);
}

/// EXPIRETIME and TTL round milliseconds to seconds without overflowing
/// when the expire is near i64::MAX (diff_fuzz seed 10: `PEXPIREAT c
/// 9223372036854775807`, `EXPIRETIME c` gave a negative time).
#[test]
fn expiretime_of_the_largest_expire() {
    let Some(mut d) = Differential::start("fuzz_expiretime_max", &[]) else {
        return;
    };
    let cmds: &[&[&str]] = &[
        &["SET", "c", "v"],
        &["PEXPIREAT", "c", "9223372036854775807"],
        &["EXPIRETIME", "c"],
        &["PEXPIRETIME", "c"],
        &["PEXPIREAT", "c", "9223372036854775300"],
        &["EXPIRETIME", "c"],
    ];
    d.check_all(cmds);
}

/// SORT (and SORT_RO) convert a listpack sorted set to a skiplist, as Redis
/// sorts through it (diff_fuzz seed 31: `ZADD c ...`, `SORT c DESC ALPHA`,
/// `OBJECT ENCODING c`).
#[test]
fn sort_converts_a_sorted_set_to_skiplist() {
    let Some(mut d) = Differential::start("fuzz_sort_zset_encoding", &[]) else {
        return;
    };
    let cmds: &[&[&str]] = &[
        &["ZADD", "c", "1", "1", "2", "\0x", "-inf", "0"],
        &["OBJECT", "ENCODING", "c"],
        &["SORT", "c", "DESC", "ALPHA"],
        &["OBJECT", "ENCODING", "c"],
        &["ZADD", "r", "1", "a", "2", "b"],
        &["SORT_RO", "r", "BY", "nosort"],
        &["OBJECT", "ENCODING", "r"],
        &["ZADD", "e", "1", "a"],
        &["SORT", "e"],
        &["OBJECT", "ENCODING", "e"],
    ];
    d.check_all(cmds);
}

/// A SCAN cursor is read as a C string, so a NUL byte ends it
/// (diff_fuzz seed 32: `SCAN "\x00\xfe" COUNT 5` is a scan from 0).
#[test]
fn scan_cursor_stops_at_nul() {
    let Some(mut d) = Differential::start("fuzz_scan_cursor_nul", &[]) else {
        return;
    };
    let cmds: &[&[&str]] = &[
        &["SET", "k", "v"],
        &["SCAN", "\0x", "COUNT", "5"],
        &["SCAN", "0\0junk"],
        &["SCAN", "x\0"],
        &["SADD", "s", "m"],
        &["SSCAN", "s", "\0"],
        &["HSET", "h", "f", "v"],
        &["HSCAN", "h", "0\0 1"],
    ];
    d.check_all(cmds);
}

/// A score range end is read as a C string: a NUL byte ends it, so "\0x"
/// is 0 (diff_fuzz seed 63: `ZCOUNT sorted-set:1 "\x00\xfe" 2.5`).
#[test]
fn score_range_stops_at_nul() {
    let Some(mut d) = Differential::start("fuzz_score_range_nul", &[]) else {
        return;
    };
    let cmds: &[&[&str]] = &[
        &["ZCOUNT", "z", "\0x", "2.5"],
        &["ZADD", "z", "0", "a", "1", "b", "3", "c"],
        &["ZCOUNT", "z", "\0x", "2.5"],
        &["ZCOUNT", "z", "(\0", "+inf"],
        &["ZRANGEBYSCORE", "z", "", "1\0junk"],
        &["ZREVRANGEBYSCORE", "z", "5\0", "(0"],
        &["ZCOUNT", "z", "x\0", "1"],
        &["ZREMRANGEBYSCORE", "z", "3\0", "3"],
        &["ZCARD", "z"],
    ];
    d.check_all(cmds);
}

/// Active expiry sums the TTLs it samples; expires near i64::MAX overflowed
/// that sum and panicked a debug build (diff_fuzz seed 56, debug binary).
#[test]
fn active_expiry_of_huge_expires_does_not_overflow() {
    let mut s = Server::start(&["--hz", "100"]);
    for k in ["a", "b", "c"] {
        s.cmd(&["SET", k, "v"]);
        s.cmd(&["PEXPIREAT", k, "9223372036854775807"]);
    }
    // avg_ttl in INFO keyspace is set by the active expire cycle.
    let sampled = poll_until(Duration::from_secs(10), || {
        let info = String::from_utf8_lossy(&s.cmd(&["INFO", "keyspace"])).to_string();
        !info.contains("avg_ttl=0")
    });
    assert!(sampled, "the active expire cycle never sampled the keys");
    assert!(s.is_alive());
    assert_eq!(s.cmd(&["DBSIZE"]), b":3\r\n");
}

/// ZINTER/ZUNION/ZDIFF order results as the skiplist does: -0 equals 0 and
/// the member breaks the tie (diff_fuzz seed 74: `ZADD s -inf 1 -2.5 3.5`,
/// `ZINTER 1 s WEIGHTS 0 AGGREGATE MIN WITHSCORES`).
#[test]
fn set_algebra_orders_negative_zero_as_zero() {
    let Some(mut d) = Differential::start("fuzz_zalgebra_neg_zero", &[]) else {
        return;
    };
    let cmds: &[&[&str]] = &[
        &["ZADD", "s", "-inf", "1", "-2.5", "3.5", "0", "2"],
        &[
            "ZINTER",
            "1",
            "s",
            "WEIGHTS",
            "0",
            "AGGREGATE",
            "MIN",
            "WITHSCORES",
        ],
        &["ZUNION", "1", "s", "WEIGHTS", "-0", "WITHSCORES"],
        &["ZUNIONSTORE", "d", "1", "s", "WEIGHTS", "0"],
        &["ZRANGE", "d", "0", "-1", "WITHSCORES"],
    ];
    d.check_all(cmds);
}
