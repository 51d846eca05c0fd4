//! HyperLogLog commands against redis-server, byte for byte: the sparse and
//! dense strings themselves (GET), counts, merges, PFDEBUG, errors, HLLs
//! moved between the two servers, and corrupted HLLs.

use crate::support::*;

fn diff(name: &str, args: &[&str]) -> Option<Differential> {
    Differential::start(name, args)
}

/// A small deterministic generator.
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

/// The payload of a bulk string reply.
fn bulk_payload(reply: &[u8]) -> Vec<u8> {
    assert_eq!(reply[0], b'$', "not a bulk reply: {}", reply.escape_ascii());
    let nl = reply.iter().position(|b| *b == b'\n').unwrap();
    reply[nl + 1..reply.len() - 2].to_vec()
}

/// PFADDs `n` elements named `prefix:i` in batches, comparing each reply,
/// then compares the string bytes, encoding and count.
fn fill(d: &mut Differential, key: &str, prefix: &str, n: usize, batch: usize) {
    let mut i = 0;
    while i < n {
        let mut cmd: Vec<String> = vec!["PFADD".into(), key.into()];
        for j in i..(i + batch).min(n) {
            cmd.push(format!("{}:{}", prefix, j));
        }
        let args: Vec<&str> = cmd.iter().map(String::as_str).collect();
        d.check(&args);
        i += batch;
    }
    d.check(&["GET", key]);
    d.check(&["PFDEBUG", "ENCODING", key]);
    d.check(&["PFCOUNT", key]);
    d.check(&["GET", key]);
}

#[test]
fn pfadd_bytes_identical_sparse_to_dense() {
    let Some(mut d) = diff("pfadd_bytes_identical", &[]) else {
        return;
    };
    d.check_all(&[
        &["PFADD", "h"],
        &["GET", "h"],
        &["OBJECT", "ENCODING", "h"],
        &["PFADD", "h"],
        &["PFCOUNT", "h"],
        &["GET", "h"],
        &["PFADD", "h", "a", "b", "c"],
        &["PFDEBUG", "DECODE", "h"],
        &["PFADD", "h", "a"],
    ]);
    // Single adds through the sparse range, then on past the promotion.
    for step in 0..60 {
        let e = format!("e{}", step);
        d.check(&["PFADD", "h", &e]);
        d.check(&["GET", "h"]);
    }
    d.check(&["PFDEBUG", "DECODE", "h"]);
    fill(&mut d, "h", "x", 3000, 50);
    fill(&mut d, "big", "y", 20000, 500);
    d.check_all(&[
        &["PFDEBUG", "ENCODING", "big"],
        &["PFDEBUG", "DECODE", "big"],
        &["PFCOUNT", "h", "big"],
        &["PFCOUNT", "h", "big", "nokey"],
        &["PFCOUNT", "nokey1", "nokey2"],
    ]);
}

#[test]
fn sparse_max_bytes_is_honoured() {
    for limit in ["0", "50", "200", "10000"] {
        let Some(mut d) = diff("sparse_max_bytes", &["--hll-sparse-max-bytes", limit]) else {
            return;
        };
        fill(&mut d, "h", "el", 600, 7);
        d.check(&["CONFIG", "SET", "hll-sparse-max-bytes", "3000"]);
        fill(&mut d, "h2", "el", 300, 300);
        d.check(&["PFDEBUG", "DECODE", "h2"]);
    }
}

#[test]
fn hll_moves_between_servers() {
    let Some(mut d) = diff("hll_moves_between_servers", &[]) else {
        return;
    };
    for (key, n) in [("t", 3usize), ("s", 200), ("m", 1500), ("dn", 10000)] {
        for i in 0..n {
            let e = format!("{}-{}", key, i);
            if i % 3 == 0 {
                d.theirs.cmd(&["PFADD", key, &e]);
            } else {
                d.ours.cmd(&["PFADD", key, &e]);
            }
        }
        // Both servers get Redis's HLL as "x" and ferrodis's as "y".
        let ours = bulk_payload(&d.ours.cmd(&["GET", key]));
        let theirs = bulk_payload(&d.theirs.cmd(&["GET", key]));
        d.check_bytes(&[b"SET", b"x", &theirs]);
        d.check_bytes(&[b"SET", b"y", &ours]);
        d.check(&["OBJECT", "ENCODING", "x"]);
        d.check(&["PFCOUNT", "x"]);
        d.check(&["OBJECT", "ENCODING", "x"]);
        d.check(&["GET", "x"]);
        d.check(&["PFCOUNT", "y"]);
        d.check(&["PFCOUNT", "x", "y"]);
        d.check(&["PFMERGE", "z", "x", "y"]);
        d.check(&["GET", "z"]);
        d.check(&["PFCOUNT", "z"]);
        d.check(&["PFADD", "x", "more", "elements", "here"]);
        d.check(&["GET", "x"]);
        d.check(&["DEL", "x", "y", "z"]);
    }
}

#[test]
fn pfmerge_and_pfcount() {
    let Some(mut d) = diff("pfmerge_and_pfcount", &[]) else {
        return;
    };
    fill(&mut d, "a", "a", 100, 100);
    fill(&mut d, "b", "b", 150, 150);
    fill(&mut d, "dense", "d", 5000, 1000);
    d.check_all(&[
        &["PFMERGE", "m", "a", "b"],
        &["GET", "m"],
        &["PFCOUNT", "m"],
        &["PFMERGE", "m", "a", "b", "nokey"],
        &["GET", "m"],
        &["PFMERGE", "m2", "a", "dense"],
        &["GET", "m2"],
        &["PFDEBUG", "ENCODING", "m2"],
        &["PFMERGE", "a", "b"],
        &["GET", "a"],
        &["PFMERGE", "empty"],
        &["GET", "empty"],
        &["PFMERGE", "empty2", "nokey"],
        &["GET", "empty2"],
        &["PFCOUNT", "a", "b", "dense", "m"],
        &["SET", "str", "hello"],
        &["PFMERGE", "m", "a", "str"],
        &["PFMERGE", "str", "a"],
        &["PFCOUNT", "a", "str"],
        &["PFCOUNT", "str"],
        &["PFADD", "str", "x"],
        &["SET", "e", "HYLL\u{0}"],
        &["PFCOUNT", "e"],
        &["SET", "n", "12345678901234567"],
        &["PFCOUNT", "n"],
        &["PFADD", "n", "x"],
        &["PFMERGE"],
        &["PFCOUNT"],
        &["PFADD"],
    ]);
}

#[test]
fn pfdebug_subcommands() {
    let Some(mut d) = diff("pfdebug_subcommands", &[]) else {
        return;
    };
    d.check_all(&[
        &["PFADD", "h", "a", "b", "c", "d"],
        &["PFDEBUG", "ENCODING", "h"],
        &["PFDEBUG", "DECODE", "h"],
        &["PFDEBUG", "decode", "h", "x"],
        &["PFDEBUG", "FOO", "h"],
        &["PFDEBUG", "FOO", "nokey"],
        &["PFDEBUG", "GETREG", "nokey"],
        &["PFDEBUG", "GETREG", "h", "x"],
        &["PFDEBUG", "GETREG"],
        &["PFDEBUG", "TODENSE", "h", "extra"],
        &["PFDEBUG", "TODENSE", "h"],
        &["PFDEBUG", "TODENSE", "h"],
        &["PFDEBUG", "ENCODING", "h"],
        &["PFDEBUG", "DECODE", "h"],
        &["GET", "h"],
        &["PFCOUNT", "h"],
        &["PFADD", "g", "x", "y"],
        &["PFDEBUG", "GETREG", "g"],
        &["PFDEBUG", "ENCODING", "g"],
        &["GET", "g"],
        &["SET", "s", "not an hll at all"],
        &["PFDEBUG", "ENCODING", "s"],
    ]);
}

/// A sparse HLL from raw opcodes.
fn sparse_hll(ops: &[u8]) -> Vec<u8> {
    let mut s = b"HYLL\x01\0\0\0\0\0\0\0\0\0\0\x80".to_vec();
    s.extend_from_slice(ops);
    s
}

#[test]
fn crafted_sparse_hlls() {
    let Some(mut d) = diff("crafted_sparse_hlls", &[]) else {
        return;
    };
    let cases: Vec<Vec<u8>> = vec![
        sparse_hll(&[]),
        sparse_hll(&[0x7f]),
        sparse_hll(&[0x7f, 0xff, 0x80]),
        sparse_hll(&[0x7f, 0xfe]),
        sparse_hll(&[0xff, 0x7f, 0xfb]),
        sparse_hll(&[0x7f, 0xfb, 0xff]),
        sparse_hll(&[0x7f, 0xfb, 0xff, 0xff, 0xff, 0xff, 0xff]),
        sparse_hll(&[0x00; 300]),
        sparse_hll(&[0xff; 5000]),
        sparse_hll(&[0x3f; 256]),
        sparse_hll(&[0x7f, 0xff, 0x7f, 0xff]),
        sparse_hll(&[0x40, 0x00, 0x7f, 0xfe]),
        b"HYLL\x01\0\0\0\x05\0\0\0\0\0\0\0\x7f\xff".to_vec(),
        b"HYLL\x00\0\0\0\0\0\0\0\0\0\0\x80\x7f\xff".to_vec(),
        b"HYLL\x02\0\0\0\0\0\0\0\0\0\0\x80\x7f\xff".to_vec(),
        b"HYLL\x01\0\0\0\0\0\0\0".to_vec(),
        b"HYLX\x01\0\0\0\0\0\0\0\0\0\0\x80\x7f\xff".to_vec(),
    ];
    for (n, c) in cases.iter().enumerate() {
        let key = format!("c{}", n).into_bytes();
        d.check_bytes(&[b"SET", &key, c]);
        let k = String::from_utf8(key).unwrap();
        for cmd in [
            &["PFCOUNT", &k][..],
            &["PFDEBUG", "DECODE", &k],
            &["PFCOUNT", &k, "nokey"],
            &["PFMERGE", "dst", &k],
            &["PFADD", &k, "a", "b", "c", "hello", "world"],
            &["GET", &k],
            &["PFCOUNT", &k],
            &["PFDEBUG", "GETREG", &k],
            &["PFDEBUG", "TODENSE", &k],
            &["GET", "dst"],
        ] {
            d.check(cmd);
        }
        d.check(&["DEL", "dst"]);
    }
}

/// Flips random bytes of valid sparse and dense HLLs and runs every HLL
/// command on them: same replies as Redis, and no crash.
#[test]
fn corrupted_hll_fuzz() {
    let Some(mut d) = diff("corrupted_hll_fuzz", &[]) else {
        return;
    };
    fuzz(&mut d, 300, 0x005e_ed0f_f022, "3000");
}

/// The same with a tiny hll-sparse-max-bytes, so corrupted sparse HLLs get
/// promoted to dense on the way.
#[test]
fn corrupted_hll_fuzz_small_sparse() {
    let Some(mut d) = diff("corrupted_hll_fuzz_small", &[]) else {
        return;
    };
    fuzz(&mut d, 150, 0x0123_4567_89ab, "60");
}

fn fuzz(d: &mut Differential, rounds: usize, seed: u64, sparse_max: &str) {
    d.check(&["CONFIG", "SET", "hll-sparse-max-bytes", "3000"]);
    fill(d, "sp", "s", 150, 150);
    fill(d, "dn", "d", 4000, 1000);
    let sparse = bulk_payload(&d.ours.cmd(&["GET", "sp"]));
    let dense = bulk_payload(&d.ours.cmd(&["GET", "dn"]));
    d.check(&["CONFIG", "SET", "hll-sparse-max-bytes", sparse_max]);
    let mut rng = Rng(seed);
    for round in 0..rounds {
        let mut v = if round % 3 == 2 {
            dense.clone()
        } else {
            sparse.clone()
        };
        for _ in 0..1 + rng.below(4) {
            // Mostly the body; sometimes the header's encoding and cache bytes.
            let at = if rng.below(8) == 0 {
                4 + rng.below(12) as usize
            } else {
                16 + rng.below((v.len() - 16) as u64) as usize
            };
            v[at] ^= 1 << rng.below(8);
        }
        if round % 10 == 0 {
            v.truncate(v.len() - 1 - rng.below(3) as usize);
        }
        d.check_bytes(&[b"SET", b"f", &v]);
        let e1 = format!("x{}", round);
        let e2 = format!("y{}", round);
        for cmd in [
            &["PFCOUNT", "f"][..],
            &["PFCOUNT", "f", "sp"],
            &["PFDEBUG", "DECODE", "f"],
            &["PFADD", "f", &e1, &e2, "z"],
            &["GET", "f"],
            &["PFMERGE", "m", "f", "sp"],
            &["GET", "m"],
            &["PFMERGE", "f", "dn"],
            &["PFCOUNT", "f"],
            &["PFDEBUG", "TODENSE", "f"],
        ] {
            d.check(cmd);
        }
        d.check(&["DEL", "m"]);
    }
    assert!(d.ours.is_alive());
}

#[test]
fn pfselftest_passes() {
    let s = Server::start(&[]);
    // Unoptimised builds take several seconds over the self-test.
    let mut c = s.raw();
    c.stream
        .set_read_timeout(Some(std::time::Duration::from_secs(120)))
        .unwrap();
    assert_eq!(c.cmd(&["PFSELFTEST"]), b"+OK\r\n");
    assert_eq!(
        s.cmd(&["PFSELFTEST", "x"]),
        b"-ERR wrong number of arguments for 'pfselftest' command\r\n"
    );
}

#[test]
fn dirty_counts() {
    let Some(mut d) = diff("hll_dirty_counts", &[]) else {
        return;
    };
    let changes = |s: &Server| {
        let mut r = s.cmd(&["INFO", "persistence"]);
        r.extend(s.cmd(&["INFO", "stats"]));
        String::from_utf8_lossy(&r)
            .lines()
            .filter(|l| l.starts_with("rdb_changes_since_last_save") || l.starts_with("keyspace_"))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    for c in [
        &["PFADD", "h", "a", "b", "c"][..],
        &["PFADD", "h", "a"],
        &["PFADD", "new"],
        &["PFCOUNT", "h"],
        &["PFCOUNT", "h"],
        &["PFCOUNT", "h", "new"],
        &["PFMERGE", "m", "h"],
        &["PFDEBUG", "ENCODING", "h"],
        &["PFDEBUG", "TODENSE", "h"],
        &["PFDEBUG", "GETREG", "m"],
        &["PFCOUNT", "nokey"],
        &["PFCOUNT", "nokey", "h"],
        &["PFMERGE", "m2", "nokey", "h"],
        &["PFADD", "m2", "q"],
        &["SETBIT", "b", "1", "1"],
        &["GETBIT", "b", "1"],
        &["GETBIT", "nob", "1"],
        &["BITCOUNT", "b"],
        &["BITPOS", "nob", "1"],
        &["BITOP", "OR", "d", "b", "nob"],
        &["BITFIELD", "b", "GET", "u8", "0"],
        &["BITFIELD", "nob", "SET", "u8", "0", "1"],
        &["BITFIELD_RO", "b", "GET", "u8", "0"],
    ] {
        d.check(c);
        assert_eq!(changes(&d.ours), changes(&d.theirs), "after {:?}", c);
    }
}

#[test]
fn digest_and_wrong_type() {
    let Some(mut d) = diff("hll_digest_and_wrong_type", &[]) else {
        return;
    };
    d.check_all(&[
        &["PFADD", "h", "a", "b"],
        &["SETBIT", "b", "77", "1"],
        &["DEBUG", "DIGEST-VALUE", "h", "b"],
        &["DEBUG", "DIGEST"],
    ]);
    d.check(&["SADD", "l", "a"]);
    d.check_all(&[
        &["PFADD", "l", "x"],
        &["PFCOUNT", "l"],
        &["PFCOUNT", "h", "l"],
        &["PFMERGE", "l", "h"],
        &["PFMERGE", "h", "l"],
        &["PFDEBUG", "GETREG", "l"],
    ]);
}

/// Scenarios of Redis's unit/hyperloglog.tcl: the cache byte, corruption by
/// APPEND/SETRANGE, the empty element, and run lengths that overflow a C int.
#[test]
fn redis_suite_scenarios() {
    let Some(mut d) = diff("hll_redis_suite_scenarios", &[]) else {
        return;
    };
    d.check_all(&[
        &["PFADD", "e", ""],
        &["PFCOUNT", "e"],
        &["GET", "e"],
        &["PFADD", "hll", "a", "b", "c"],
        &["PFCOUNT", "hll"],
        &["GETRANGE", "hll", "15", "15"],
        &["PFADD", "hll", "a", "b", "c"],
        &["GETRANGE", "hll", "15", "15"],
        &["PFADD", "hll", "1", "2", "3"],
        &["GETRANGE", "hll", "15", "15"],
        &["APPEND", "hll", "hello"],
        &["PFCOUNT", "hll"],
        &["DEL", "hll"],
        &["PFADD", "hll", "a", "b", "c"],
        &["SETRANGE", "hll", "0", "0123"],
        &["PFCOUNT", "hll"],
        &["DEL", "hll"],
        &["PFADD", "hll", "a", "b", "c"],
        &["SETRANGE", "hll", "4", "x"],
        &["PFCOUNT", "hll"],
        &["DEL", "hll"],
        &["PFADD", "hll", "a", "b", "c"],
        &["SETRANGE", "hll", "4", "\u{0}"],
        &["PFCOUNT", "hll"],
    ]);
    // Enough long runs to pass 2^31 registers in a C int.
    let head = b"HYLL\x01\0\0\0\0\0\0\0\0\0\0\0".to_vec();
    for run in [&b"\x7f\xff"[..], b"\x3f", b"\xff"] {
        let mut v = head.clone();
        for _ in 0..(if run.len() == 2 { 140_000 } else { 40_000 }) {
            v.extend_from_slice(run);
        }
        v.extend_from_slice(b"\x80\x7f\xff");
        d.check_bytes(&[b"SET", b"big", &v]);
        d.check(&["PFCOUNT", "big"]);
        d.check(&["PFCOUNT", "big", "e"]);
        d.check(&["PFMERGE", "m", "big"]);
        d.check(&["PFADD", "big", "x", "y"]);
        d.check(&["PFDEBUG", "TODENSE", "big"]);
    }
}

/// Writes from another client invalidate WATCH exactly when Redis signals
/// the key: a PFCOUNT that refreshes the cache does, a no-op SETBIT does not.
#[test]
fn watch_invalidation() {
    let Some(mut d) = diff("bits_watch_invalidation", &[]) else {
        return;
    };
    d.check_all(&[&["PFADD", "h", "a"], &["SETBIT", "b", "3", "1"]]);
    let other: &[&[&str]] = &[
        &["PFCOUNT", "h"],
        &["PFCOUNT", "h"],
        &["SETBIT", "b", "3", "1"],
        &["SETBIT", "b", "3", "0"],
        &["PFADD", "h", "a"],
        &["PFADD", "h", "zz"],
        &["BITFIELD", "b", "GET", "u8", "0"],
        &["BITFIELD", "b", "SET", "u8", "0", "0"],
        &["PFMERGE", "h", "h"],
        &["BITOP", "NOT", "b", "b"],
    ];
    for cmd in other {
        let key = cmd[1];
        let key = if cmd[0] == "BITOP" { "b" } else { key };
        d.check(&["WATCH", key]);
        assert_eq!(d.ours.cmd(cmd), d.theirs.cmd(cmd));
        d.check(&["MULTI"]);
        d.check(&["PING"]);
        d.check(&["EXEC"]);
    }
}

/// The keyspace events of bitmap and HLL commands as a subscriber hears
/// them, compared with redis-server (the stream up to a PING's reply).
#[test]
fn keyspace_events_published() {
    let Some(mut d) = diff("bits_keyspace_events", &["--notify-keyspace-events", "KEA"]) else {
        return;
    };
    let mut subs = [d.ours.raw(), d.theirs.raw()];
    for s in subs.iter_mut() {
        s.cmd(&["PSUBSCRIBE", "__key*@0__:*"]);
    }
    d.check_all(&[
        &["SETBIT", "b", "3", "1"],
        &["SETBIT", "b", "3", "1"],
        &["SETBIT", "b", "3", "0"],
        &["GETBIT", "nob", "1"],
        &[
            "BITFIELD", "b", "SET", "u8", "0", "1", "INCRBY", "u4", "0", "1",
        ],
        &[
            "BITFIELD", "nb", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "9",
        ],
        &["BITOP", "OR", "d", "b"],
        &["BITOP", "OR", "d", "nokey"],
        &["PFADD", "h", "a"],
        &["PFADD", "h", "a"],
        &["PFCOUNT", "h"],
        &["PFMERGE", "m", "h"],
        &["PFDEBUG", "TODENSE", "m"],
    ]);
    let mut streams = Vec::new();
    for s in subs.iter_mut() {
        s.send(&RawConn::encode(&[b"PING"]));
        let mut all = Vec::new();
        while let Some(r) = s.read_reply() {
            let done = r.windows(4).any(|w| w == b"pong");
            all.extend(r);
            if done {
                break;
            }
        }
        streams.push(all);
    }
    assert_eq!(
        String::from_utf8_lossy(&streams[0]),
        String::from_utf8_lossy(&streams[1])
    );
}
