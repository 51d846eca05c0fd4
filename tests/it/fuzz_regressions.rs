//! Divergences from redis-server found by the differential command fuzzer
//! (tools/diff_fuzz.py), each pinned against the real redis-server.

use crate::support::*;

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
        &["SET", "w_1", "\0"],
        &["SET", "w_2", "0x1p3"],
        &["RPUSH", "by", "1", "2"],
        &["SORT", "by", "BY", "w_*"],
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
