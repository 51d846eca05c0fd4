//! Big sets and sorted sets with members of every length around the inline
//! limits of their dict keys (`SmallStr`: 22 bytes, `ZKey`: 18 bytes),
//! against redis-server: score moves that change a member's skiplist node,
//! scans, range deletes, algebra, DEBUG RELOAD and the digests.

use std::collections::BTreeMap;

use crate::hashes::diff;
use crate::support::Differential;

/// A member of `len` bytes, distinct for each `i`.
fn member(i: usize, len: usize) -> String {
    let tag = format!("{i}:");
    let mut m = tag.clone();
    while m.len() < len {
        m.push((b'a' + (m.len() % 26) as u8) as char);
    }
    if len < tag.len() {
        return format!("{i}");
    }
    m
}

/// Members 0..n with lengths cycling through 1..=40 and a few long ones.
fn members(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let len = if i % 50 == 0 { 200 + i } else { 1 + i % 40 };
            member(i, len)
        })
        .collect()
}

#[test]
fn zset_members_of_every_length() {
    let Some(mut d) = diff("zset_members_of_every_length") else {
        return;
    };
    let ms = members(400);
    for (i, m) in ms.iter().enumerate() {
        d.check(&["ZADD", "z", &format!("{}", (i % 37) as f64 / 2.0), m]);
    }
    d.check(&["OBJECT", "ENCODING", "z"]);
    // Moves that relink a node elsewhere, moves in place, increments.
    for (i, m) in ms.iter().enumerate().step_by(3) {
        d.check(&["ZADD", "z", &format!("{}", 100 - i as i64), m]);
        d.check(&["ZSCORE", "z", m]);
        d.check(&["ZINCRBY", "z", "0.25", m]);
        d.check(&["ZRANK", "z", m]);
    }
    for (i, m) in ms.iter().enumerate().step_by(7) {
        d.check(&["ZADD", "z", "GT", "CH", &format!("{}", i), m]);
        d.check(&["ZMSCORE", "z", m, "nosuch", &ms[(i + 1) % ms.len()]]);
    }
    for m in ms.iter().step_by(11) {
        d.check(&["ZREM", "z", m]);
        d.check(&["ZSCORE", "z", m]);
    }
    let cmds: &[&[&str]] = &[
        &["ZRANGE", "z", "0", "-1", "WITHSCORES"],
        &["ZREMRANGEBYSCORE", "z", "(3", "5"],
        &["ZREMRANGEBYRANK", "z", "10", "19"],
        &["ZPOPMIN", "z", "3"],
        &["ZPOPMAX", "z", "3"],
        &["ZUNIONSTORE", "u", "2", "z", "z", "WEIGHTS", "1", "2"],
        &["ZINTERSTORE", "i", "2", "z", "u", "AGGREGATE", "MAX"],
        &["ZRANGE", "i", "0", "-1", "WITHSCORES"],
        &["DEBUG", "DIGEST-VALUE", "z", "u", "i"],
        &["DEBUG", "RELOAD"],
        &["DEBUG", "DIGEST-VALUE", "z", "u", "i"],
        &["OBJECT", "ENCODING", "z"],
        &["ZRANGE", "z", "0", "-1", "WITHSCORES"],
    ];
    d.check_all(cmds);
    for m in ms.iter().step_by(5) {
        d.check(&["ZSCORE", "z", m]);
        d.check(&["ZADD", "z", "XX", "INCR", "1", m]);
    }
    d.check(&["ZRANGE", "z", "0", "-1", "WITHSCORES"]);
    // ZSCAN pairs each member with its score.
    let seen = zscan_all(&d, "z");
    for (m, s) in &seen {
        let m = String::from_utf8(m.clone()).unwrap();
        let got = d.check(&["ZSCORE", "z", &m]);
        assert!(got.ends_with(&[&s[..], b"\r\n"].concat()), "{m}");
    }
    let card = d.check(&["ZCARD", "z"]);
    assert_eq!(card, format!(":{}\r\n", seen.len()).into_bytes());
    // ZRANDMEMBER's pairs agree with ZSCORE.
    let pairs = crate::hashes::bulks(&d.ours.cmd(&["ZRANDMEMBER", "z", "-50", "WITHSCORES"]));
    for p in pairs.chunks(2) {
        assert_eq!(seen.get(&p[0]), Some(&p[1]));
    }
}

/// Every member and score ZSCAN returns for `key` on ferrodis.
fn zscan_all(d: &Differential, key: &str) -> BTreeMap<Vec<u8>, Vec<u8>> {
    let mut seen = BTreeMap::new();
    let mut cursor = "0".to_string();
    loop {
        let b = crate::hashes::bulks(&d.ours.cmd(&["ZSCAN", key, &cursor, "COUNT", "20"]));
        cursor = String::from_utf8(b[0].clone()).unwrap();
        for p in b[1..].chunks(2) {
            seen.insert(p[0].clone(), p[1].clone());
        }
        if cursor == "0" {
            return seen;
        }
    }
}

#[test]
fn set_members_of_every_length() {
    let Some(mut d) = diff("set_members_of_every_length") else {
        return;
    };
    let ms = members(300);
    for m in &ms {
        d.check(&["SADD", "s", m]);
    }
    d.check(&["SADD", "i", "1", "2", "3"]);
    for m in ms.iter().step_by(3) {
        d.check(&["SADD", "t", m, "x"]);
        d.check(&["SADD", "i", m]);
    }
    for m in ms.iter().step_by(7) {
        d.check(&["SREM", "s", m]);
        d.check(&["SISMEMBER", "s", m]);
        d.check(&["SMISMEMBER", "t", m, "x", "nosuch"]);
    }
    let cmds: &[&[&str]] = &[
        &["OBJECT", "ENCODING", "s"],
        &["OBJECT", "ENCODING", "i"],
        &["SCARD", "s"],
        &["SINTERCARD", "2", "s", "t"],
        &["SINTERSTORE", "st", "s", "t"],
        &["SDIFFSTORE", "sd", "s", "t"],
        &["SUNIONSTORE", "su", "s", "t", "i"],
        &["SCARD", "su"],
        &["DEBUG", "DIGEST-VALUE", "s", "t", "i", "st", "sd", "su"],
        &["DEBUG", "RELOAD"],
        &["DEBUG", "DIGEST-VALUE", "s", "t", "i", "st", "sd", "su"],
        &["OBJECT", "ENCODING", "s"],
        &["SMOVE", "s", "t", &ms[1]],
        &["DEBUG", "DIGEST"],
    ];
    d.check_all(cmds);
    for m in ms.iter().step_by(4) {
        d.check(&["SISMEMBER", "s", m]);
        d.check(&["SISMEMBER", "su", m]);
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut cursor = "0".to_string();
    loop {
        let b = crate::hashes::bulks(&d.ours.cmd(&["SSCAN", "s", &cursor, "COUNT", "20"]));
        cursor = String::from_utf8(b[0].clone()).unwrap();
        seen.extend(b[1..].iter().cloned());
        if cursor == "0" {
            break;
        }
    }
    let card = d.check(&["SCARD", "s"]);
    assert_eq!(card, format!(":{}\r\n", seen.len()).into_bytes());
    for m in crate::hashes::bulks(&d.ours.cmd(&["SRANDMEMBER", "s", "-40"])) {
        assert!(seen.contains(&m));
    }
    for m in crate::hashes::bulks(&d.ours.cmd(&["SPOP", "s", "30"])) {
        assert!(seen.contains(&m));
    }
    d.theirs.cmd(&["SPOP", "s", "30"]);
    d.check(&["SCARD", "s"]);
}
