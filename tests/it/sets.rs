//! Set commands against redis-server: every command, option and error,
//! encodings after conversions, the set algebra and the random commands.

use crate::hashes::{bulks, check_unordered, diff};
use crate::support::*;

#[test]
fn set_basic_commands_and_errors() {
    let Some(mut d) = diff("set_basic_commands_and_errors") else {
        return;
    };
    d.check_all(&[
        &["SADD", "s"],
        &["SADD", "s", "3", "1", "2", "1"],
        &["OBJECT", "ENCODING", "s"],
        &["SMEMBERS", "s"],
        &["SCARD", "s"],
        &["SISMEMBER", "s", "1"],
        &["SISMEMBER", "s", "x"],
        &["SISMEMBER", "nokey", "x"],
        &["SMISMEMBER", "s", "1", "x", "3"],
        &["SMISMEMBER", "nokey", "1"],
        &["SMISMEMBER", "s"],
        &["SREM", "s", "1", "x", "1"],
        &["SREM", "nokey", "1"],
        &["SMEMBERS", "s"],
        &["SMEMBERS", "nokey"],
        &["SCARD", "nokey"],
        &[
            "SADD",
            "s",
            "-5",
            "9223372036854775807",
            "-9223372036854775808",
        ],
        &["SMEMBERS", "s"],
        &["DEBUG", "DIGEST-VALUE", "s"],
        &["SADD", "s", "01"],
        &["OBJECT", "ENCODING", "s"],
        &["SISMEMBER", "s", "01"],
        &["SISMEMBER", "s", "1"],
        &["DEBUG", "DIGEST-VALUE", "s"],
        &[
            "SREM",
            "s",
            "01",
            "2",
            "3",
            "-5",
            "9223372036854775807",
            "-9223372036854775808",
        ],
        &["EXISTS", "s"],
        &["SADD", "t", "a"],
        &["OBJECT", "ENCODING", "t"],
        &["SET", "str", "x"],
        &["SADD", "str", "a"],
        &["SREM", "str", "a"],
        &["SCARD", "str"],
        &["SISMEMBER", "str", "a"],
        &["SMISMEMBER", "str", "a"],
        &["SMEMBERS", "str"],
        &["SPOP", "str"],
        &["SPOP", "str", "1"],
        &["SRANDMEMBER", "str"],
        &["SRANDMEMBER", "str", "1"],
        &["SSCAN", "str", "0"],
        &["SMOVE", "str", "t", "a"],
        &["SMOVE", "t", "str", "a"],
        &["SMOVE", "nokey", "str", "a"],
        &["SINTER", "t", "str"],
        &["SUNION", "t", "str"],
        &["SDIFF", "t", "str"],
        &["SINTERCARD", "2", "t", "str"],
    ]);
}

#[test]
fn set_smove() {
    let Some(mut d) = diff("set_smove") else {
        return;
    };
    d.check_all(&[
        &["SADD", "a", "1", "2"],
        &["SMOVE", "a", "b", "1"],
        &["OBJECT", "ENCODING", "b"],
        &["SMOVE", "a", "b", "9"],
        &["SMOVE", "a", "a", "2"],
        &["SMOVE", "a", "a", "9"],
        &["SMOVE", "a", "c", "2"],
        &["EXISTS", "a"],
        &["SMOVE", "nokey", "b", "1"],
        &["SADD", "x", "foo"],
        &["SMOVE", "x", "b", "foo"],
        &["OBJECT", "ENCODING", "b"],
        &["SMEMBERS", "c"],
        &["SADD", "y", "1"],
        &["SMOVE", "y", "c", "1"],
        &["SMEMBERS", "c"],
        &["DEBUG", "DIGEST"],
    ]);
}

#[test]
fn set_algebra() {
    let Some(mut d) = diff("set_algebra") else {
        return;
    };
    d.check_all(&[
        &["SADD", "a", "1", "2", "3", "4", "5"],
        &["SADD", "b", "2", "3", "10"],
        &["SADD", "c", "3", "4", "2"],
        &["SINTER", "a", "b", "c"],
        &["SINTER", "a"],
        &["SINTER", "a", "nokey"],
        &["SINTER", "nokey", "a"],
        &["SUNION", "a", "b", "c"],
        &["SUNION", "a", "nokey"],
        &["SUNION", "nokey"],
        &["SDIFF", "a", "b"],
        &["SDIFF", "a", "b", "c"],
        &["SDIFF", "a", "nokey"],
        &["SDIFF", "nokey", "a"],
        &["SDIFF", "a", "a"],
        &["SDIFF", "a", "b", "a"],
        &["SINTERCARD", "3", "a", "b", "c"],
        &["SINTERCARD", "3", "a", "b", "c", "LIMIT", "1"],
        &["SINTERCARD", "3", "a", "b", "c", "LIMIT", "0"],
        &["SINTERCARD", "2", "a", "nokey"],
        &["SINTERCARD", "0", "a"],
        &["SINTERCARD", "x", "a"],
        &["SINTERCARD", "-1", "a"],
        &["SINTERCARD", "3", "a", "b"],
        &["SINTERCARD", "1", "a", "LIMIT", "-1"],
        &["SINTERCARD", "1", "a", "LIMIT", "x"],
        &["SINTERCARD", "1", "a", "LIMIT"],
        &["SINTERCARD", "1", "a", "FOO", "1"],
        &["SINTERSTORE", "dst", "a", "b", "c"],
        &["SMEMBERS", "dst"],
        &["OBJECT", "ENCODING", "dst"],
        &["SINTERSTORE", "dst", "a", "nokey"],
        &["EXISTS", "dst"],
        &["SUNIONSTORE", "dst", "a", "b", "c"],
        &["SMEMBERS", "dst"],
        &["SDIFFSTORE", "dst", "a", "b"],
        &["SMEMBERS", "dst"],
        &["SDIFFSTORE", "dst", "a", "a"],
        &["EXISTS", "dst"],
        &["SET", "dst", "string"],
        &["EXPIRE", "dst", "100"],
        &["SUNIONSTORE", "dst", "a"],
        &["TTL", "dst"],
        &["TYPE", "dst"],
        &["SADD", "w", "x", "y", "2"],
        &["SINTERSTORE", "dst2", "w", "a"],
        &["OBJECT", "ENCODING", "dst2"],
        &["SUNIONSTORE", "dst3", "w", "a"],
        &["OBJECT", "ENCODING", "dst3"],
        &["SDIFFSTORE", "dst4", "w", "a"],
        &["OBJECT", "ENCODING", "dst4"],
        &["DEBUG", "DIGEST"],
    ]);
    check_unordered(&mut d, &["SUNION", "w", "a"]);
    check_unordered(&mut d, &["SDIFF", "w", "a"]);
    check_unordered(&mut d, &["SMEMBERS", "w"]);
}

#[test]
fn set_encoding_conversions() {
    let Some(mut d) = Differential::start(
        "set_encoding_conversions",
        &[
            "--enable-debug-command",
            "yes",
            "--set-max-intset-entries",
            "4",
        ],
    ) else {
        return;
    };
    d.check_all(&[
        &["SADD", "s", "1", "2", "3", "4"],
        &["OBJECT", "ENCODING", "s"],
        &["SADD", "s", "5"],
        &["OBJECT", "ENCODING", "s"],
        &["SREM", "s", "1", "2", "3"],
        &["OBJECT", "ENCODING", "s"],
        &["SADD", "u", "1", "2", "3"],
        &["SADD", "v", "3", "4", "5"],
        &["SUNIONSTORE", "uv", "u", "v"],
        &["OBJECT", "ENCODING", "uv"],
        &["SINTERSTORE", "i", "u", "v"],
        &["OBJECT", "ENCODING", "i"],
        &["DEBUG", "DIGEST-VALUE", "s", "uv", "i"],
    ]);
    check_unordered(&mut d, &["SMEMBERS", "uv"]);
    let mut args = vec!["SADD".to_string(), "big".to_string()];
    for i in 0..200 {
        args.push(format!("m{i}"));
    }
    let a: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
    d.check(&a);
    d.check(&["DEBUG", "DIGEST-VALUE", "big"]);
    d.check(&["SSCAN", "u", "0"]);
    d.check(&["SSCAN", "u", "0", "MATCH", "1*"]);
    d.check(&["SSCAN", "u", "0", "COUNT", "0"]);
    d.check(&["SSCAN", "nokey", "0"]);
    let mut seen = std::collections::HashSet::new();
    let mut cursor = "0".to_string();
    loop {
        let b = bulks(&d.ours.cmd(&["SSCAN", "big", &cursor, "COUNT", "7"]));
        cursor = String::from_utf8(b[0].clone()).unwrap();
        seen.extend(b[1..].iter().cloned());
        if cursor == "0" {
            break;
        }
    }
    assert_eq!(seen.len(), 200);
}

#[test]
fn set_random_commands() {
    let Some(mut d) = diff("set_random_commands") else {
        return;
    };
    d.check_all(&[
        &["SPOP", "nokey"],
        &["SPOP", "nokey", "3"],
        &["SPOP", "nokey", "-1"],
        &["SPOP", "nokey", "0"],
        &["SPOP", "nokey", "1", "2"],
        &["SRANDMEMBER", "nokey"],
        &["SRANDMEMBER", "nokey", "3"],
        &["SRANDMEMBER", "nokey", "-3"],
        &["SRANDMEMBER", "nokey", "1", "2"],
        &["SADD", "one", "7"],
        &["SRANDMEMBER", "one"],
        &["SRANDMEMBER", "one", "5"],
        &["SRANDMEMBER", "one", "-3"],
        &["SRANDMEMBER", "one", "0"],
        &["SRANDMEMBER", "one", "x"],
        &["SRANDMEMBER", "one", "-9223372036854775808"],
        &["SPOP", "one", "x"],
        &["SPOP", "one", "-1"],
        &["SPOP", "one", "0"],
        &["SPOP", "one"],
        &["EXISTS", "one"],
        &["SADD", "ints", "5", "3", "1", "4", "2"],
        &["SRANDMEMBER", "ints", "5"],
        &["SRANDMEMBER", "ints", "100"],
        &["SPOP", "ints", "100"],
        &["EXISTS", "ints"],
    ]);
    for (key, prefix, n) in [("si", "", 100usize), ("sh", "m", 300)] {
        for count in [1i64, 2, 10, 30, 60, 99, 150, 299, 300, 500, -1, -5, -400] {
            let mut args = vec!["SADD".to_string(), key.to_string()];
            for i in 0..n {
                args.push(format!("{prefix}{i}"));
            }
            let a: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
            d.ours.cmd(&a);
            let c = count.to_string();
            let r = bulks(&d.ours.cmd(&["SRANDMEMBER", key, &c]));
            let want = if count < 0 {
                (-count) as usize
            } else {
                (count as usize).min(n)
            };
            assert_eq!(r.len(), want, "SRANDMEMBER {key} {count}");
            let set: std::collections::HashSet<_> = r.iter().collect();
            if count > 0 {
                assert_eq!(set.len(), r.len(), "SRANDMEMBER {key} {count} repeats");
            }
            if count > 0 {
                let p = bulks(&d.ours.cmd(&["SPOP", key, &c]));
                assert_eq!(p.len(), want);
                let ps: std::collections::HashSet<_> = p.iter().collect();
                assert_eq!(ps.len(), p.len());
                let left = d.ours.cmd(&["SCARD", key]);
                assert_eq!(left, format!(":{}\r\n", n - want).into_bytes());
                for m in &p {
                    let m = String::from_utf8(m.clone()).unwrap();
                    assert_eq!(d.ours.cmd(&["SISMEMBER", key, &m]), b":0\r\n");
                }
            }
            d.ours.cmd(&["DEL", key]);
        }
    }
}

#[test]
fn coll_debug_htstats_key() {
    let Some(mut d) = diff("coll_debug_htstats_key") else {
        return;
    };
    d.check_all(&[
        &["SADD", "i", "1"],
        &["DEBUG", "HTSTATS-KEY", "i"],
        &["HSET", "h", "a", "1"],
        &["DEBUG", "HTSTATS-KEY", "h"],
        &["ZADD", "z", "1", "a"],
        &["DEBUG", "HTSTATS-KEY", "z"],
        &["DEBUG", "HTSTATS-KEY", "nokey"],
    ]);
    // Slot counts depend on the hash seed: compare the shape only.
    d.check(&["SADD", "s", "a", "b", "c"]);
    let ours = String::from_utf8(d.ours.cmd(&["DEBUG", "HTSTATS-KEY", "s"])).unwrap();
    let theirs = String::from_utf8(d.theirs.cmd(&["DEBUG", "HTSTATS-KEY", "s"])).unwrap();
    for needle in [
        "Hash table 0 stats (main hash table):",
        " table size: 4",
        " number of elements: 3",
    ] {
        assert!(
            ours.contains(needle) && theirs.contains(needle),
            "{ours}\n{theirs}"
        );
    }
}

#[test]
fn coll_generic_key_commands() {
    let Some(mut d) = diff("coll_generic_key_commands") else {
        return;
    };
    d.check_all(&[
        &["HSET", "h", "a", "1"],
        &["SADD", "s", "1", "x"],
        &["ZADD", "z", "1", "a"],
        &["TYPE", "h"],
        &["TYPE", "s"],
        &["TYPE", "z"],
        &["COPY", "h", "h2"],
        &["COPY", "s", "s2"],
        &["COPY", "z", "z2"],
        &["OBJECT", "ENCODING", "s2"],
        &["DEBUG", "DIGEST-VALUE", "h2", "s2", "z2"],
        &["HSET", "h2", "b", "2"],
        &["HLEN", "h"],
        &["RENAME", "z2", "z3"],
        &["ZRANGE", "z3", "0", "-1", "WITHSCORES"],
        &["MOVE", "s2", "1"],
        &["EXISTS", "s2"],
        &["SCAN", "0", "TYPE", "set"],
        &["EXPIRE", "h", "100"],
        &["HSET", "h", "c", "3"],
        &["TTL", "h"],
        &["SUNIONSTORE", "h", "s"],
        &["TTL", "h"],
        &["TYPE", "h"],
        &["DEBUG", "DIGEST"],
    ]);
}
