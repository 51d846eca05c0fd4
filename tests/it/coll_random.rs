//! Random hash, set and sorted set commands against redis-server with small
//! encoding limits, so conversions happen often: identical replies (order
//! ignored where Redis leaves it unspecified), encodings and digests.

use crate::hashes::sorted_lines;
use crate::support::*;

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn pick<'a>(&mut self, v: &[&'a str]) -> &'a str {
        v[self.below(v.len())]
    }
}

const MEMBERS: &[&str] = &["1", "2", "3", "17", "-4", "a", "b", "c", "dd", "longmember"];
const SCORES: &[&str] = &["0", "1", "1.5", "-2", "3", "10", "2.25", "-inf", "+inf"];
const HKEYS: &[&str] = &["h0", "h1"];
const SKEYS: &[&str] = &["s0", "s1", "s2"];
const ZKEYS: &[&str] = &["z0", "z1", "z2"];

/// One random command; `ordered` is false when Redis's reply order is
/// unspecified (hashtable iteration).
fn random_cmd(r: &mut Rng) -> (Vec<String>, bool) {
    let m = r.pick(MEMBERS);
    let m2 = r.pick(MEMBERS);
    let sc = r.pick(SCORES);
    let (h, s, s2, z, z2) = (
        r.pick(HKEYS),
        r.pick(SKEYS),
        r.pick(SKEYS),
        r.pick(ZKEYS),
        r.pick(ZKEYS),
    );
    let n = (r.below(7) as i64 - 3).to_string();
    let v: Vec<&str> = match r.below(42) {
        0 | 1 => vec!["HSET", h, m, m2],
        2 => vec!["HDEL", h, m, m2],
        3 => vec!["HINCRBY", h, m, &n],
        4 => vec!["HGET", h, m],
        5 => vec!["HMGET", h, m, m2],
        6 => vec!["HSETNX", h, m, "v"],
        7 => return (vec!["HGETALL".into(), h.into()], false),
        8 => vec!["HSTRLEN", h, m],
        9 | 10 => vec!["SADD", s, m, m2],
        11 => vec!["SREM", s, m],
        12 => vec!["SMOVE", s, s2, m],
        13 => vec!["SINTERSTORE", "sd", s, s2],
        14 => vec!["SUNIONSTORE", "sd", s, s2],
        15 => vec!["SDIFFSTORE", "sd", s, s2],
        16 => vec!["SINTERCARD", "2", s, s2],
        17 => return (vec!["SMEMBERS".into(), s.into()], false),
        18 => vec!["SMISMEMBER", s, m, m2],
        19 | 20 => vec!["ZADD", z, sc, m],
        21 => vec!["ZADD", z, r.pick(&["NX", "XX", "GT", "LT", "CH"]), sc, m],
        22 => vec!["ZINCRBY", z, sc, m],
        23 => vec!["ZREM", z, m, m2],
        24 => vec!["ZRANGE", z, "0", "-1", "WITHSCORES"],
        25 => vec![
            "ZRANGE",
            z,
            "(1",
            "+inf",
            "BYSCORE",
            "LIMIT",
            "1",
            "3",
            "WITHSCORES",
        ],
        26 => vec!["ZRANGE", z, "10", "-inf", "BYSCORE", "REV", "WITHSCORES"],
        27 => vec!["ZRANK", z, m],
        28 => vec!["ZREMRANGEBYSCORE", z, "-1", "1.5"],
        29 => vec!["ZPOPMIN", z, "2"],
        30 => vec![
            "ZUNIONSTORE",
            "zd",
            "2",
            z,
            z2,
            "WEIGHTS",
            "2",
            "1",
            "AGGREGATE",
            "MAX",
        ],
        31 => vec!["ZINTERSTORE", "zd", "2", z, s],
        32 => vec!["ZRANGESTORE", "zd", z, "0", "2"],
        33 => vec!["ZREVRANGE", z, "1", "3", "WITHSCORES"],
        34 => vec!["ZMPOP", "2", z, z2, "MAX", "COUNT", "2"],
        35 => vec!["ZREMRANGEBYRANK", z, "1", "2"],
        36 => vec!["ZCOUNT", z, "(0", "3"],
        37 => vec!["HINCRBYFLOAT", h, m, "0.25"],
        38 => vec!["ZDIFFSTORE", "zd", "2", z, z2],
        39 => vec!["ZINTERCARD", "2", z, z2],
        40 => return (vec!["SDIFF".into(), s.into(), s2.into()], false),
        _ => vec!["ZUNION", "3", z, z2, s, "WITHSCORES"],
    };
    (v.into_iter().map(String::from).collect(), true)
}

#[test]
fn coll_random_ops_match_redis() {
    let Some(d) = Differential::start(
        "coll_random_ops_match_redis",
        &[
            "--enable-debug-command",
            "yes",
            "--hash-max-listpack-entries",
            "6",
            "--hash-max-listpack-value",
            "6",
            "--set-max-intset-entries",
            "5",
            "--zset-max-listpack-entries",
            "6",
            "--zset-max-listpack-value",
            "6",
        ],
    ) else {
        return;
    };
    for seed in [0x2545_F491_4F6C_DD1D_u64, 7, 0x9E37_79B9_7F4A_7C15] {
        run_seed(&d, seed);
    }
}

fn run_seed(d: &Differential, seed: u64) {
    let mut r = Rng(seed);
    let mut ours = d.ours.raw();
    let mut theirs = d.theirs.raw();
    ours.cmd(&["FLUSHALL"]);
    theirs.cmd(&["FLUSHALL"]);
    ours.cmd(&["CONFIG", "RESETSTAT"]);
    theirs.cmd(&["CONFIG", "RESETSTAT"]);
    for step in 0..2000 {
        let (cmd, ordered) = random_cmd(&mut r);
        let args: Vec<&str> = cmd.iter().map(|s| s.as_str()).collect();
        let (a, b) = (ours.cmd(&args), theirs.cmd(&args));
        if ordered {
            assert_eq!(
                String::from_utf8_lossy(&a),
                String::from_utf8_lossy(&b),
                "seed {seed} step {step}: {args:?}"
            );
        } else {
            assert_eq!(
                sorted_lines(&a),
                sorted_lines(&b),
                "seed {seed} step {step}: {args:?}"
            );
        }
        if step % 50 == 0 {
            for k in HKEYS.iter().chain(SKEYS).chain(ZKEYS).chain(&["sd", "zd"]) {
                let e = ["OBJECT", "ENCODING", k];
                assert_eq!(ours.cmd(&e), theirs.cmd(&e), "step {step}: encoding of {k}");
            }
            let g = ["DEBUG", "DIGEST"];
            assert_eq!(ours.cmd(&g), theirs.cmd(&g), "step {step}: digest");
        }
    }
    let stat = |c: &mut RawConn| {
        let info = String::from_utf8(c.cmd(&["INFO", "stats"])).unwrap();
        info.lines()
            .filter(|l| l.starts_with("keyspace_"))
            .map(String::from)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        stat(&mut ours),
        stat(&mut theirs),
        "seed {seed}: hits/misses"
    );
}
