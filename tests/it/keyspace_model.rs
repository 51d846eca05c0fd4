//! Random SET/DEL/EXPIRE/PERSIST/RENAME/SCAN interleavings against a model,
//! and the same sequence against redis-server for identical replies.

use std::collections::{BTreeMap, HashSet};

use crate::support::*;

/// A small deterministic generator so failures replay.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn int_reply(r: &[u8]) -> i64 {
    std::str::from_utf8(&r[1..r.len() - 2])
        .unwrap()
        .parse()
        .unwrap()
}

/// Runs a full SCAN and returns the keys seen (with duplicates removed).
fn full_scan(c: &mut RawConn) -> HashSet<String> {
    let mut seen = HashSet::new();
    let mut cursor = "0".to_string();
    loop {
        let r = c.cmd(&["SCAN", &cursor, "COUNT", "7"]);
        let text = String::from_utf8(r).unwrap();
        let lines: Vec<&str> = text.split("\r\n").collect();
        // *2, $n, cursor, *k, then ($n, key) pairs.
        cursor = lines[2].to_string();
        for pair in lines[4..].chunks(2) {
            if pair.len() == 2 && pair[0].starts_with('$') {
                seen.insert(pair[1].to_string());
            }
        }
        if cursor == "0" {
            return seen;
        }
    }
}

#[test]
fn random_ops_match_model_and_redis() {
    let Some(mut d) = Differential::start(
        "random_ops_match_model_and_redis",
        &["--enable-debug-command", "yes"],
    ) else {
        return;
    };
    let mut model: BTreeMap<String, (String, bool)> = BTreeMap::new();
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    for step in 0..3000 {
        let k = format!("k{}", rng.below(300));
        let v = format!("v{}", rng.below(1000));
        match rng.below(10) {
            0..=2 => {
                d.check(&["SET", &k, &v]);
                model.insert(k, (v, false));
            }
            3 => {
                let r = d.check(&["DEL", &k]);
                assert_eq!(int_reply(&r) == 1, model.remove(&k).is_some());
            }
            4 => {
                // Long TTLs only: nothing expires during the test.
                let r = d.check(&["EXPIRE", &k, "100000"]);
                let has = model.get_mut(&k).map(|e| e.1 = true).is_some();
                assert_eq!(int_reply(&r) == 1, has);
            }
            5 => {
                // A TTL in the past deletes at once.
                let r = d.check(&["PEXPIREAT", &k, "1"]);
                assert_eq!(int_reply(&r) == 1, model.remove(&k).is_some());
            }
            6 => {
                let r = d.check(&["PERSIST", &k]);
                let had = model
                    .get_mut(&k)
                    .map(|e| std::mem::replace(&mut e.1, false));
                assert_eq!(int_reply(&r) == 1, had == Some(true));
            }
            7 => {
                let k2 = format!("k{}", rng.below(300));
                d.check(&["RENAME", &k, &k2]);
                if let Some(e) = model.remove(&k) {
                    model.insert(k2, e);
                }
            }
            8 => {
                d.check(&["GET", &k]);
                d.check(&["TTL", &k]);
            }
            _ => {
                d.check(&["DBSIZE"]);
                if step % 50 == 0 {
                    let want: HashSet<String> = model.keys().cloned().collect();
                    let mut c = d.ours.raw();
                    assert_eq!(full_scan(&mut c), want, "step {}", step);
                }
            }
        }
    }
    d.check(&["DEBUG", "DIGEST"]);
    let mut c = d.ours.raw();
    let want: HashSet<String> = model.keys().cloned().collect();
    assert_eq!(full_scan(&mut c), want);
}

/// Random string commands on a small key space: every reply equals Redis's.
#[test]
fn random_string_ops_match_redis() {
    let Some(mut d) = Differential::start(
        "random_string_ops_match_redis",
        &["--enable-debug-command", "yes"],
    ) else {
        return;
    };
    let seed: u64 = std::env::var("KS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0xC0FF_EE00_1234_5678);
    let mut rng = Rng(seed);
    let vals = [
        "0",
        "1",
        "-1",
        "9999",
        "10000",
        "abc",
        "1.5",
        "",
        "007",
        "9223372036854775807",
        "1e3",
        " 2",
        "-0",
        "0.1",
    ];
    for _ in 0..3000 {
        let k = format!("s{}", rng.below(8));
        let k2 = format!("s{}", rng.below(8));
        let v = vals[rng.below(vals.len() as u64) as usize];
        let n = (rng.below(40) as i64 - 10).to_string();
        let m = (rng.below(40) as i64 - 20).to_string();
        let cmd: Vec<&str> = match rng.below(16) {
            0 => vec!["SET", &k, v],
            1 => vec!["APPEND", &k, v],
            2 => vec!["INCR", &k],
            3 => vec!["DECRBY", &k, &n],
            4 => vec!["INCRBYFLOAT", &k, v],
            5 => vec!["SETRANGE", &k, &n, v],
            6 => vec!["GETRANGE", &k, &n, &m],
            7 => vec!["STRLEN", &k],
            8 => vec!["OBJECT", "ENCODING", &k],
            9 => vec!["OBJECT", "REFCOUNT", &k],
            10 => vec!["LCS", &k, &k2, "IDX", "WITHMATCHLEN"],
            11 => vec!["GETSET", &k, v],
            12 => vec!["MSETNX", &k, v, &k2, v],
            13 => vec!["COPY", &k, &k2, "REPLACE"],
            14 => vec!["DEL", &k],
            _ => vec!["MGET", &k, &k2],
        };
        d.check(&cmd);
        if std::env::var("KS_TRACE").is_ok() {
            eprintln!(
                "{:?} -> {:?}",
                cmd,
                String::from_utf8_lossy(&d.check(&["GET", &k]))
            );
        }
    }
    d.check(&["DEBUG", "DIGEST"]);
}
