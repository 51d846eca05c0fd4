//! Hash commands against redis-server: every command, option and error,
//! encodings after each conversion, and the digest.

use crate::support::*;

/// Both servers with DEBUG enabled (for DIGEST-VALUE).
pub fn diff(name: &str) -> Option<Differential> {
    Differential::start(name, &["--enable-debug-command", "yes"])
}

/// The lines of a raw reply, sorted: compares replies whose order is
/// unspecified (hashtable iteration) as multisets.
pub fn sorted_lines(raw: &[u8]) -> Vec<Vec<u8>> {
    let mut l: Vec<Vec<u8>> = raw.split(|&b| b == b'\n').map(|x| x.to_vec()).collect();
    l.sort();
    l
}

/// Sends to both and compares the replies ignoring order.
pub fn check_unordered(d: &mut Differential, args: &[&str]) {
    let a = d.ours.cmd(args);
    let b = d.theirs.cmd(args);
    assert_eq!(
        sorted_lines(&a),
        sorted_lines(&b),
        "replies differ for {:?}:\n{}\n{}",
        args,
        String::from_utf8_lossy(&a),
        String::from_utf8_lossy(&b)
    );
}

/// The elements of a flat RESP2 array reply (bulk strings only).
pub fn bulks(raw: &[u8]) -> Vec<Vec<u8>> {
    let lines: Vec<&[u8]> = raw.split(|&b| b == b'\n').collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].starts_with(b"$") && !lines[i].starts_with(b"$-1") {
            let v = lines[i + 1];
            out.push(v.strip_suffix(b"\r").unwrap_or(v).to_vec());
            i += 2;
        } else {
            i += 1;
        }
    }
    out
}

#[test]
fn hash_basic_commands_and_errors() {
    let Some(mut d) = diff("hash_basic_commands_and_errors") else {
        return;
    };
    d.check_all(&[
        &["HSET", "h"],
        &["HSET", "h", "a"],
        &["HSET", "h", "a", "1", "b"],
        &["HMSET", "h", "a"],
        &["HSET", "h", "a", "1", "b", "2", "a", "3"],
        &["HMSET", "h", "c", "3", "d", "-17"],
        &["HGETALL", "h"],
        &["HKEYS", "h"],
        &["HVALS", "h"],
        &["HLEN", "h"],
        &["HGET", "h", "a"],
        &["HGET", "h", "zz"],
        &["HGET", "nokey", "a"],
        &["HMGET", "h", "a", "zz", "d"],
        &["HMGET", "nokey", "a", "b"],
        &["HEXISTS", "h", "a"],
        &["HEXISTS", "h", "zz"],
        &["HEXISTS", "nokey", "zz"],
        &["HSTRLEN", "h", "d"],
        &["HSTRLEN", "h", "zz"],
        &["HSTRLEN", "nokey", "zz"],
        &["HSETNX", "h", "a", "x"],
        &["HSETNX", "h", "n", "x"],
        &["HSETNX", "nokey2", "n", "x"],
        &["HGET", "h", "n"],
        &["HDEL", "h", "a", "a", "zz"],
        &["HDEL", "nokey", "a"],
        &["HGETALL", "nokey"],
        &["HKEYS", "nokey"],
        &["HVALS", "nokey"],
        &["HLEN", "nokey"],
        &["OBJECT", "ENCODING", "h"],
        &["DEBUG", "DIGEST-VALUE", "h"],
        &["DEBUG", "DIGEST"],
        &["HDEL", "nokey2", "n"],
        &["EXISTS", "nokey2"],
        &["SET", "str", "x"],
        &["HSET", "str", "a", "b"],
        &["HGET", "str", "a"],
        &["HMGET", "str", "a"],
        &["HGETALL", "str"],
        &["HLEN", "str"],
        &["HDEL", "str", "a"],
        &["HSETNX", "str", "a", "b"],
        &["HINCRBY", "str", "a", "1"],
        &["HINCRBYFLOAT", "str", "a", "1"],
        &["HSCAN", "str", "0"],
        &["HRANDFIELD", "str"],
        &["HSTRLEN", "str", "a"],
        &["HEXISTS", "str", "a"],
    ]);
}

#[test]
fn hash_incr_and_errors() {
    let Some(mut d) = diff("hash_incr_and_errors") else {
        return;
    };
    d.check_all(&[
        &["HINCRBY", "h", "n", "5"],
        &["HINCRBY", "h", "n", "-7"],
        &["HINCRBY", "h", "n", "x"],
        &["HINCRBY", "h", "n", "9223372036854775807"],
        &["HINCRBY", "h", "n", "1.5"],
        &["HSET", "h", "s", "abc", "big", "9223372036854775807"],
        &["HINCRBY", "h", "s", "1"],
        &["HINCRBY", "h", "big", "1"],
        &["HINCRBYFLOAT", "h", "f", "1.5"],
        &["HINCRBYFLOAT", "h", "f", "0.1"],
        &["HINCRBYFLOAT", "h", "f", "-1.6"],
        &["HINCRBYFLOAT", "h", "f", "1e400"],
        &["HINCRBYFLOAT", "h", "g", "inf"],
        &["HINCRBYFLOAT", "h", "g", "-inf"],
        &["HINCRBYFLOAT", "h", "g", "nan"],
        &["HINCRBYFLOAT", "h", "g", " 1"],
        &["HINCRBYFLOAT", "h", "g", "abc"],
        &["HINCRBYFLOAT", "h", "s", "1"],
        &["HINCRBYFLOAT", "h", "n", "3"],
        &["HINCRBY", "h", "f", "1"],
    ]);
    check_unordered(&mut d, &["HGETALL", "h"]);
    let Some(mut d) =
        Differential::start("hash_incr_and_errors", &["--hash-max-listpack-value", "5"])
    else {
        return;
    };
    d.check_all(&[
        &["HINCRBYFLOAT", "h2", "f", "1.123456789"],
        &["OBJECT", "ENCODING", "h2"],
        &["HINCRBY", "h3", "toolongfield", "1"],
        &["OBJECT", "ENCODING", "h3"],
    ]);
}

#[test]
fn hash_encoding_conversions() {
    let Some(mut d) = Differential::start(
        "hash_encoding_conversions",
        &[
            "--enable-debug-command",
            "yes",
            "--hash-max-listpack-entries",
            "4",
            "--hash-max-ziplist-value",
            "8",
        ],
    ) else {
        return;
    };
    d.check_all(&[
        &["HSET", "h", "a", "1", "b", "2", "c", "3", "d", "4"],
        &["OBJECT", "ENCODING", "h"],
        &["HSET", "h", "e", "5"],
        &["OBJECT", "ENCODING", "h"],
        &["HSET", "v", "a", "12345678"],
        &["OBJECT", "ENCODING", "v"],
        &["HSET", "v", "b", "123456789"],
        &["OBJECT", "ENCODING", "v"],
        &["HSET", "w", "123456789", "1"],
        &["OBJECT", "ENCODING", "w"],
        &["HSETNX", "x", "a", "123456789"],
        &["OBJECT", "ENCODING", "x"],
        &["HDEL", "h", "a", "b", "c", "d"],
        &["OBJECT", "ENCODING", "h"],
        &["DEBUG", "DIGEST-VALUE", "h", "v", "w", "x"],
        &["DEBUG", "DIGEST"],
        &["HDEL", "h", "e"],
        &["EXISTS", "h"],
    ]);
    check_unordered(&mut d, &["HGETALL", "v"]);
    // Big hashtable: everything comes back through HSCAN with a cursor.
    let mut args = vec!["HSET".to_string(), "big".to_string()];
    for i in 0..300 {
        args.push(format!("f{i}"));
        args.push(format!("v{i}"));
    }
    let a: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
    d.check(&a);
    d.check(&["DEBUG", "DIGEST-VALUE", "big"]);
    check_unordered(&mut d, &["HKEYS", "big"]);
    check_unordered(&mut d, &["HVALS", "big"]);
    let mut seen = std::collections::HashSet::new();
    let mut cursor = "0".to_string();
    loop {
        let r = d.ours.cmd(&["HSCAN", "big", &cursor, "COUNT", "20"]);
        let b = bulks(&r);
        cursor = String::from_utf8(b[0].clone()).unwrap();
        for pair in b[1..].chunks(2) {
            assert_eq!(pair[0][1..], pair[1][1..]);
            seen.insert(pair[0].clone());
        }
        if cursor == "0" {
            break;
        }
    }
    assert_eq!(seen.len(), 300);
    let r = d
        .ours
        .cmd(&["HSCAN", "big", "0", "MATCH", "f1?", "COUNT", "1000"]);
    assert_eq!(bulks(&r).len(), 1 + 20);
}

#[test]
fn hash_scan_compact_and_errors() {
    let Some(mut d) = diff("hash_scan_compact_and_errors") else {
        return;
    };
    d.check_all(&[
        &["HSET", "h", "a", "1", "b", "2", "ab", "3"],
        &["HSCAN", "h", "0"],
        &["HSCAN", "h", "0", "COUNT", "1"],
        &["HSCAN", "h", "0", "MATCH", "a*"],
        &["HSCAN", "h", "0", "COUNT", "0"],
        &["HSCAN", "h", "0", "COUNT", "x"],
        &["HSCAN", "h", "0", "MATCH"],
        &["HSCAN", "h", "0", "TYPE", "string"],
        &["HSCAN", "h", "x"],
        &["HSCAN", "h", "-1"],
        &["HSCAN", "nokey", "0", "COUNT", "0"],
        &["HSCAN", "nokey", "x"],
    ]);
}

#[test]
fn hash_hrandfield_forms() {
    let Some(mut d) = diff("hash_hrandfield_forms") else {
        return;
    };
    d.check_all(&[
        &["HRANDFIELD", "nokey"],
        &["HRANDFIELD", "nokey", "5"],
        &["HRANDFIELD", "nokey", "5", "WITHVALUES"],
        &["HRANDFIELD", "nokey", "1", "foo"],
        &["HSET", "h", "a", "1"],
        &["HRANDFIELD", "h"],
        &["HRANDFIELD", "h", "1"],
        &["HRANDFIELD", "h", "0"],
        &["HRANDFIELD", "h", "-0"],
        &["HRANDFIELD", "h", "x"],
        &["HRANDFIELD", "h", "1", "foo"],
        &["HRANDFIELD", "h", "1", "WITHVALUES", "x"],
        &["HRANDFIELD", "h", "-3", "WITHVALUES"],
        &["HRANDFIELD", "h", "-9223372036854770000", "WITHVALUES"],
        &["HRANDFIELD", "h", "9223372036854770000", "WITHVALUES"],
        &["HRANDFIELD", "h", "-9223372036854775808"],
        &["HRANDFIELD", "h", "-9223372036854775808", "WITHVALUES"],
    ]);
    for enc in [&["hl", "5"][..], &["ht", "300"][..]] {
        let (key, n) = (enc[0], enc[1].parse::<usize>().unwrap());
        let mut args = vec!["HSET".to_string(), key.to_string()];
        for i in 0..n {
            args.push(format!("f{i}"));
            args.push(format!("v{i}"));
        }
        let a: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
        d.check(&a);
        for count in [
            1i64, 2, 3, 5, 10, 50, 99, 101, 250, 299, 300, 1000, -1, -7, -500,
        ] {
            for wv in [false, true] {
                let c = count.to_string();
                let mut cmd = vec!["HRANDFIELD", key, c.as_str()];
                if wv {
                    cmd.push("WITHVALUES");
                }
                let r = bulks(&d.ours.cmd(&cmd));
                let want = if count < 0 {
                    (-count) as usize
                } else {
                    (count as usize).min(n)
                };
                let per = if wv { 2 } else { 1 };
                assert_eq!(r.len(), want * per, "{cmd:?}");
                let fields: Vec<&Vec<u8>> = r.iter().step_by(per).collect();
                for (i, f) in fields.iter().enumerate() {
                    let idx: usize = std::str::from_utf8(&f[1..]).unwrap().parse().unwrap();
                    assert!(idx < n);
                    if wv {
                        assert_eq!(r[i * 2 + 1][1..], f[1..]);
                    }
                }
                if count > 0 {
                    let set: std::collections::HashSet<_> = fields.iter().collect();
                    assert_eq!(set.len(), fields.len(), "{cmd:?} repeats");
                }
            }
        }
    }
    // RESP3 nests each pair.
    let mut c = d.ours.raw();
    if c.cmd(&["HELLO", "3"]).starts_with(b"-") {
        return; // RESP3 not on this branch yet.
    }
    let r = c.cmd(&["HRANDFIELD", "hl", "2", "WITHVALUES"]);
    assert!(
        r.starts_with(b"*2\r\n*2\r\n$"),
        "{}",
        String::from_utf8_lossy(&r)
    );
    let r = c.cmd(&["HGETALL", "hl"]);
    assert!(r.starts_with(b"%5\r\n"));
}

#[test]
fn coll_limits_set_at_runtime() {
    let Some(mut d) = diff("coll_limits_set_at_runtime") else {
        return;
    };
    d.check_all(&[
        &["CONFIG", "SET", "hash-max-ziplist-entries", "2"],
        &["CONFIG", "SET", "set-max-intset-entries", "2"],
        &["CONFIG", "SET", "zset-max-ziplist-value", "3"],
        &["CONFIG", "GET", "hash-max-listpack-entries"],
        &["HSET", "h", "a", "1", "b", "2", "c", "3"],
        &["OBJECT", "ENCODING", "h"],
        &["SADD", "s", "1", "2", "3"],
        &["OBJECT", "ENCODING", "s"],
        &["ZADD", "z", "1", "abcd"],
        &["OBJECT", "ENCODING", "z"],
        &["ZADD", "y", "1", "abc"],
        &["OBJECT", "ENCODING", "y"],
    ]);
}

/// The body of a bulk reply (DUMP's payload) without `$len\r\n` and CRLF.
fn bulk_body(raw: &[u8]) -> Vec<u8> {
    let start = raw.iter().position(|&b| b == b'\n').unwrap() + 1;
    raw[start..raw.len() - 2].to_vec()
}

/// A hashtable hash whose fields and values straddle the lengths where a
/// pair moves between living inside the dict entry, a boxed value and one
/// shared allocation (types/hash/pair.rs): every read, overwrite, increment,
/// delete, DUMP/RESTORE in both directions and DEBUG RELOAD agree with Redis.
#[test]
fn hashtable_pairs_of_every_length() {
    let Some(mut d) = Differential::start(
        "hashtable_pairs_of_every_length",
        &[
            "--enable-debug-command",
            "yes",
            "--hash-max-listpack-entries",
            "0",
        ],
    ) else {
        return;
    };
    let flens = [1usize, 8, 14, 21, 22, 23, 36, 37, 38, 100];
    let vlens = [0usize, 1, 15, 16, 23, 29, 37, 38, 100, 1000];
    let mut fields = Vec::new();
    for (i, &fl) in flens.iter().enumerate() {
        for (j, &vl) in vlens.iter().enumerate() {
            let mut f = format!("{i}.{j}.");
            while f.len() < fl {
                f.push('f');
            }
            let v: String = (0..vl).map(|k| (b'a' + (k % 26) as u8) as char).collect();
            d.check(&["HSET", "h", &f, &v]);
            fields.push(f);
        }
    }
    d.check(&["OBJECT", "ENCODING", "h"]);
    d.check(&["HLEN", "h"]);
    for f in &fields {
        d.check(&["HGET", "h", f]);
        d.check(&["HSTRLEN", "h", f]);
        d.check(&["HEXISTS", "h", f]);
    }
    // Overwrites that change the value's length, then increments.
    for (n, f) in fields.iter().enumerate() {
        let v = "v".repeat(vlens[(n * 7 + 3) % vlens.len()]);
        d.check(&["HSET", "h", f, &v]);
        d.check(&["HGET", "h", f]);
    }
    for f in fields.iter().step_by(3) {
        d.check(&["HSET", "h", f, "99999999999999"]);
        d.check(&["HINCRBY", "h", f, "-123456789012345"]);
        d.check(&["HINCRBYFLOAT", "h", f, "0.5"]);
        d.check(&["HGET", "h", f]);
    }
    check_unordered(&mut d, &["HGETALL", "h"]);
    let args: Vec<&str> = ["HMGET", "h", "nope"]
        .into_iter()
        .chain(fields.iter().map(|f| f.as_str()))
        .collect();
    d.check(&args);
    d.check(&["DEBUG", "DIGEST-VALUE", "h"]);
    // DUMP order differs between the servers (dict iteration), so each
    // side restores both payloads and the digests are compared.
    let ours = bulk_body(&d.ours.cmd(&["DUMP", "h"]));
    let theirs = bulk_body(&d.theirs.cmd(&["DUMP", "h"]));
    for (key, p) in [("from_ours", &ours), ("from_theirs", &theirs)] {
        d.check_bytes(&[b"RESTORE", key.as_bytes(), b"0", p]);
        d.check(&["OBJECT", "ENCODING", key]);
        d.check(&["DEBUG", "DIGEST-VALUE", key]);
    }
    for f in fields.iter().step_by(2) {
        d.check(&["HDEL", "h", f]);
    }
    d.check(&["HLEN", "h"]);
    d.check(&["DEBUG", "RELOAD"]);
    d.check(&["DEBUG", "DIGEST"]);
    check_unordered(&mut d, &["HGETALL", "h"]);
}
