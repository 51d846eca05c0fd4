//! Corrupt DUMP payloads never take the server down (Redis
//! tests/integration/corrupt-dump-fuzzer.tcl, made deterministic): valid
//! payloads of every type and encoding (made by this server, and the
//! legacy encodings `rdb_format` builds) get bytes
//! mutated with the CRC-64 and version footer recomputed so the body is what
//! gets parsed; each is RESTOREd with sanitize-dump-payload yes and no, then
//! read back with commands of every type (iterations, DUMP, OBJECT ENCODING,
//! DEBUG DIGEST-VALUE, stream groups), and every reply must arrive.

use crate::support::*;
use ferrodis::persistence::rio::crc64;

/// Setup that makes one key per type and encoding (small limits so the
/// compact encodings, several quicklist nodes and stream nodes appear).
const SETUP: &[&[&str]] = &[
    &["CONFIG", "SET", "list-max-listpack-size", "4"],
    &["CONFIG", "SET", "stream-node-max-entries", "3"],
    &["DEBUG", "QUICKLIST-PACKED-THRESHOLD", "40"],
    &[
        "RPUSH", "list", "e1", "e2", "3", "-4000", "e5", "600000", "e7",
    ],
    &[
        "RPUSH",
        "listplain",
        "a",
        "pppppppppppppppppppppppppppppppppppppppppppppppppp",
        "b",
    ],
    &["SADD", "intset", "1", "5", "-70000", "3000000000", "7"],
    &["SADD", "set", "5", "x", "y", "z1", "e1"],
    &[
        "ZADD", "zsetlp", "1", "z1", "2.5", "z2", "-3", "z3", "inf", "z4",
    ],
    &["HSET", "hashlp", "f1", "v1", "f2", "2", "f3", "-300000"],
    &["SET", "str", "hello world"],
    &["SET", "int", "12345"],
    &["XADD", "stream", "1-1", "f", "v1", "g", "w"],
    &["XADD", "stream", "1-2", "f", "v2", "g", "w"],
    &["XADD", "stream", "1-3", "other", "1"],
    &["XADD", "stream", "2-1", "f", "v4"],
    &["XADD", "stream", "2-2", "f", "5", "g", "6"],
    &["XDEL", "stream", "1-2"],
    &["XGROUP", "CREATE", "stream", "g1", "0"],
    &["XGROUP", "CREATE", "stream", "g2", "1-3"],
    &[
        "XREADGROUP",
        "GROUP",
        "g1",
        "c1",
        "COUNT",
        "2",
        "STREAMS",
        "stream",
        ">",
    ],
    &[
        "XREADGROUP",
        "GROUP",
        "g1",
        "c2",
        "COUNT",
        "1",
        "STREAMS",
        "stream",
        ">",
    ],
    &["XREADGROUP", "GROUP", "g2", "c1", "STREAMS", "stream", ">"],
    &["XACK", "stream", "g2", "2-1"],
    &["XGROUP", "CREATECONSUMER", "stream", "g1", "idle"],
    &["PFADD", "hllsparse", "a", "b", "c", "d"],
    &[
        "GEOADD", "geo", "13.36", "38.11", "m1", "15.08", "37.50", "m2",
    ],
];

/// Keys from SETUP, then keys whose encoding needs other limits.
const KEYS: &[&str] = &[
    "list",
    "listplain",
    "intset",
    "set",
    "zsetlp",
    "hashlp",
    "str",
    "int",
    "stream",
    "hllsparse",
    "geo",
];

/// Bigger values: a skiplist zset, a hashtable hash, a compressed
/// quicklist, a long (LZF) string, an intset over its limit.
fn big_setup() -> Vec<Vec<String>> {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let mut out = vec![
        s(&["CONFIG", "SET", "zset-max-listpack-entries", "4"]),
        s(&["CONFIG", "SET", "hash-max-listpack-entries", "4"]),
        s(&["CONFIG", "SET", "list-compress-depth", "1"]),
    ];
    let mut z = s(&["ZADD", "zsetsl"]);
    let mut h = s(&["HSET", "hashht"]);
    let mut l = s(&["RPUSH", "listz"]);
    for i in 0..12 {
        z.extend([format!("{}", i as f64 * 0.5 - 1.0), format!("m{}", i)]);
        h.extend([format!("f{}", i), format!("{}", i * 1000)]);
        l.push(format!("element-{:03}-aaaaaaaaaaaaaaaaaaaaaaaaaaaa", i));
    }
    out.extend([z, h, l]);
    out.push(vec!["SET".into(), "strlzf".into(), "abcdefgh".repeat(20)]);
    out.push(s(&["CONFIG", "SET", "hll-sparse-max-bytes", "0"]));
    out.push(s(&["PFADD", "hlldense", "a", "b", "c"]));
    out
}

const BIG_KEYS: &[&str] = &["zsetsl", "hashht", "listz", "strlzf", "hlldense"];

/// Reads and small writes of every type run on each restored key `k`.
const READ_BACK: &[&[&str]] = &[
    &["TYPE", "k"],
    &["OBJECT", "ENCODING", "k"],
    &["DEBUG", "DIGEST-VALUE", "k"],
    &["DUMP", "k"],
    &["MEMORY", "USAGE", "k"],
    &["GET", "k"],
    &["GETRANGE", "k", "2", "-3"],
    &["APPEND", "k", "x"],
    &["LRANGE", "k", "0", "-1"],
    &["LRANGE", "k", "-3", "-2"],
    &["LINDEX", "k", "2"],
    &["LPOS", "k", "e5", "RANK", "-1"],
    &["LINSERT", "k", "AFTER", "e2", "ins"],
    &["LSET", "k", "-1", "set"],
    &["LREM", "k", "0", "3"],
    &["SORT", "k", "ALPHA"],
    &["SMEMBERS", "k"],
    &["SISMEMBER", "k", "5"],
    &["SRANDMEMBER", "k", "-4"],
    &["SSCAN", "k", "0", "COUNT", "100"],
    &["SINTERCARD", "2", "k", "k"],
    &["SADD", "k", "newmember"],
    &["ZRANGE", "k", "0", "-1", "WITHSCORES"],
    &["ZREVRANGEBYSCORE", "k", "+inf", "-inf", "LIMIT", "1", "2"],
    &["ZRANGEBYLEX", "k", "-", "+"],
    &["ZRANK", "k", "z2"],
    &["ZSCORE", "k", "z1"],
    &["ZCOUNT", "k", "0", "10"],
    &["ZSCAN", "k", "0"],
    &["ZRANDMEMBER", "k", "-3", "WITHSCORES"],
    &["ZINCRBY", "k", "1", "z3"],
    &["ZADD", "k", "7", "new"],
    &["HGETALL", "k"],
    &["HGET", "k", "f2"],
    &["HSCAN", "k", "0"],
    &["HRANDFIELD", "k", "-3", "WITHVALUES"],
    &["HINCRBY", "k", "f2", "1"],
    &["HSET", "k", "newfield", "v"],
    &["XLEN", "k"],
    &["XRANGE", "k", "-", "+"],
    &["XREVRANGE", "k", "+", "-", "COUNT", "2"],
    &["XRANGE", "k", "1-2", "2-1"],
    &["XREAD", "STREAMS", "k", "0"],
    &["XREAD", "STREAMS", "k", "$"],
    &["XINFO", "STREAM", "k"],
    &["XINFO", "STREAM", "k", "FULL"],
    &["XINFO", "GROUPS", "k"],
    &["XINFO", "CONSUMERS", "k", "g1"],
    &["XPENDING", "k", "g1"],
    &["XPENDING", "k", "g1", "-", "+", "10"],
    &["XPENDING", "k", "g1", "IDLE", "0", "-", "+", "10", "c1"],
    &["XREADGROUP", "GROUP", "g1", "c1", "STREAMS", "k", "0"],
    &[
        "XREADGROUP",
        "GROUP",
        "g2",
        "c3",
        "COUNT",
        "2",
        "STREAMS",
        "k",
        ">",
    ],
    &["XCLAIM", "k", "g1", "c3", "0", "1-1", "2-1"],
    &["XAUTOCLAIM", "k", "g1", "c2", "0", "0-0", "COUNT", "5"],
    &["XACK", "k", "g1", "1-1"],
    &["XDEL", "k", "1-3"],
    &["XADD", "k", "*", "f", "new"],
    &["XTRIM", "k", "MAXLEN", "2"],
    &["XSETID", "k", "99-0"],
    &["XGROUP", "DELCONSUMER", "k", "g1", "c2"],
    &["XGROUP", "DESTROY", "k", "g2"],
    &["PFCOUNT", "k"],
    &["PFDEBUG", "GETREG", "k"],
    &["PFDEBUG", "DECODE", "k"],
    &["PFMERGE", "dst", "k"],
    &["PFADD", "k", "x", "y"],
    &["GETBIT", "k", "100"],
    &["BITCOUNT", "k"],
    &["BITPOS", "k", "1"],
    &[
        "BITFIELD", "k", "GET", "u8", "0", "INCRBY", "i5", "100", "1",
    ],
    &["SETRANGE", "k", "3", "xyz"],
    &["GEOPOS", "k", "m1", "m2"],
    &["GEODIST", "k", "m1", "m2"],
    &["GEOHASH", "k", "m1"],
    &[
        "GEOSEARCH",
        "k",
        "FROMLONLAT",
        "15",
        "37",
        "BYRADIUS",
        "500",
        "km",
        "ASC",
    ],
    &["HKEYS", "k"],
    &["HVALS", "k"],
    &["HSTRLEN", "k", "f1"],
    &["ZMSCORE", "k", "z1", "z2"],
    &["ZLEXCOUNT", "k", "-", "+"],
    &["ZRANGESTORE", "dst", "k", "0", "-1"],
    &["ZUNIONSTORE", "dst", "2", "k", "k"],
    &["SUNIONSTORE", "dst", "k", "k"],
    &["SINTER", "k", "k"],
    &["COPY", "k", "k2", "REPLACE"],
    &["DEBUG", "OBJECT", "k2"],
    &["ZPOPMIN", "k", "2"],
    &["ZREMRANGEBYSCORE", "k", "0", "1"],
    &["SPOP", "k"],
    &["LPOP", "k", "2"],
    &["LMPOP", "1", "k", "RIGHT", "COUNT", "2"],
    &["HDEL", "k", "f1", "f3"],
    &["DUMP", "k"],
    &["DEBUG", "DIGEST-VALUE", "k"],
    &["RENAME", "k", "k3"],
    &["DEL", "k", "k2", "k3", "dst"],
];

/// xorshift64*: a deterministic mutation source.
/// Mutates the body (everything before the 10-byte footer) and writes a
/// fresh footer: RDB version 10 and the CRC-64 of the mutated bytes.
fn corrupt(rng: &mut Rng, p: &[u8]) -> Vec<u8> {
    let mut body = p[..p.len() - 10].to_vec();
    let n = body.len().max(1);
    for _ in 0..1 + rng.below(3) {
        if body.is_empty() {
            break;
        }
        let last = body.len() - 1;
        match rng.below(6) {
            0 | 1 => body[rng.below(n).min(last)] = rng.next() as u8,
            2 => {
                let i = rng.below(n).min(last);
                body[i] ^= 1 << rng.below(8);
            }
            3 => {
                let special = [0u8, 1, 0x7F, 0x80, 0xC0, 0xF0, 0xFE, 0xFF];
                let i = rng.below(n).min(last);
                body[i] = special[rng.below(special.len())];
            }
            4 => {
                let i = rng.below(body.len());
                let end = (i + 1 + rng.below(8)).min(body.len());
                body.drain(i..end);
            }
            _ => {
                let i = rng.below(body.len());
                let b = body[i];
                body.insert(i, b);
            }
        }
    }
    body.extend_from_slice(&10u16.to_le_bytes());
    let crc = crc64(0, &body);
    body.extend_from_slice(&crc.to_le_bytes());
    body
}

fn run(c: &mut RawConn, args: &[&str]) -> Vec<u8> {
    c.cmd(args)
}

/// DUMPs of every key SETUP and big_setup make, from this server.
fn seeds(s: &Server) -> Vec<(String, Vec<u8>)> {
    let mut c = s.raw();
    for cmd in SETUP {
        let r = run(&mut c, cmd);
        assert!(
            !r.starts_with(b"-"),
            "{:?}: {:?}",
            cmd,
            String::from_utf8_lossy(&r)
        );
    }
    for cmd in big_setup() {
        let a: Vec<&str> = cmd.iter().map(|x| x.as_str()).collect();
        let r = run(&mut c, &a);
        assert!(
            !r.starts_with(b"-"),
            "{:?}: {:?}",
            a,
            String::from_utf8_lossy(&r)
        );
    }
    let mut out = Vec::new();
    for k in KEYS.iter().chain(BIG_KEYS) {
        let r = c.cmd_bytes(&[b"DUMP", k.as_bytes()]);
        // $<len>\r\n<payload>\r\n
        assert!(
            r.len() > 12,
            "DUMP {}: {:?}",
            k,
            String::from_utf8_lossy(&r)
        );
        let nl = r.iter().position(|&b| b == b'\n').expect("bulk");
        let p = r[nl + 1..r.len() - 2].to_vec();
        assert!(p.len() > 10, "DUMP {}", k);
        out.push((k.to_string(), p));
    }
    // Encodings Redis 7.0 reads but no longer writes (ziplists, zipmap,
    // quicklist of ziplists, text-score ZSET, plain LIST/SET/HASH).
    for (name, p) in crate::rdb_format::legacy_payloads() {
        out.push((name.to_string(), p));
    }
    out
}

fn fuzz_with(sanitize: &str, iterations: usize, seed: u64) {
    let s = Server::start(&[
        "--enable-debug-command",
        "yes",
        "--sanitize-dump-payload",
        sanitize,
    ]);
    let seeds = seeds(&s);
    let mut c = s.raw();
    let mut rng = Rng(seed);
    let mut restored = 0;
    // CORRUPT_FUZZ_ITERS runs a longer fuzz by hand.
    let iterations = std::env::var("CORRUPT_FUZZ_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(iterations);
    for i in 0..iterations {
        let (name, seed) = &seeds[i % seeds.len()];
        let m = corrupt(&mut rng, seed);
        let mut batch = RawConn::encode(&[b"RESTORE", b"k", b"0", &m, b"REPLACE"]);
        for cmd in READ_BACK {
            let a: Vec<&[u8]> = cmd.iter().map(|x| x.as_bytes()).collect();
            batch.extend(RawConn::encode(&a));
        }
        c.send(&batch);
        let first = c.read_reply();
        if first.as_deref() == Some(b"+OK\r\n") {
            restored += 1;
        }
        let mut got = usize::from(first.is_some());
        while got < 1 + READ_BACK.len() && c.read_reply().is_some() {
            got += 1;
        }
        assert_eq!(
            got,
            1 + READ_BACK.len(),
            "server died (sanitize {}, iteration {}, seed {}): payload {:02x?}\nlog tail: {}",
            sanitize,
            i,
            name,
            m,
            tail(&s.log())
        );
    }
    // A value that survived must also survive a save and load.
    assert_eq!(c.cmd(&["PING"]), b"+PONG\r\n");
    eprintln!(
        "sanitize {}: {} of {} restored",
        sanitize, restored, iterations
    );
    assert!(restored > 0, "no corrupted payload was accepted");
}

fn tail(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}

#[test]
fn corrupt_restore_never_kills_server_sanitized() {
    fuzz_with("yes", 1200, 0x5EED_0001);
}

#[test]
fn corrupt_restore_never_kills_server_unsanitized() {
    fuzz_with("no", 1200, 0x5EED_0002);
}

/// Reads run on the whole keyspace after a corrupted file loaded.
const AFTER_RELOAD: &[&[&str]] = &[
    &["DBSIZE"],
    &["KEYS", "*"],
    &["SCAN", "0", "COUNT", "100"],
    &["DEBUG", "DIGEST"],
    &["RANDOMKEY"],
    &["INFO", "keyspace"],
];

/// A server whose RDB file gets corrupted byte by byte (the checksum
/// zeroed, so only the content is checked) and loaded by DEBUG RELOAD
/// NOSAVE: the reload succeeds, or fails and the server exits with
/// status 1 after Redis's log lines; never a panic (status 101).
fn reload_fuzz(sanitize: &str, iterations: usize, seed: u64) {
    let start = || {
        Server::start(&[
            "--enable-debug-command",
            "yes",
            "--sanitize-dump-payload",
            sanitize,
        ])
    };
    let mut s = start();
    seeds(&s);
    assert_eq!(s.cmd(&["SAVE"]), b"+OK\r\n");
    let file = s.dir.path().join("dump.rdb");
    let valid = std::fs::read(&file).expect("dump.rdb");
    // The file without its checksum, with room for corrupt()'s footer.
    let mut body = valid[..valid.len() - 8].to_vec();
    body.extend_from_slice(&[0; 10]);
    let mut rng = Rng(seed);
    let (mut loaded, mut refused) = (0, 0);
    let iterations = std::env::var("CORRUPT_RELOAD_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(iterations);
    for i in 0..iterations {
        // corrupt() works on a payload's body; a file's last 8 bytes are
        // its checksum, zeroed here so the content is what gets checked.
        let mut m = corrupt(&mut rng, &body);
        m.truncate(m.len() - 10);
        m.extend_from_slice(&[0; 8]);
        std::fs::write(s.dir.path().join("dump.rdb"), &m).unwrap();
        let mut c = s.raw();
        // Redis exits during the load, so a refused file may get no reply.
        c.send(&RawConn::encode(&[b"DEBUG", b"RELOAD", b"NOSAVE"]));
        if c.read_reply().as_deref() == Some(b"+OK\r\n") {
            loaded += 1;
            for cmd in AFTER_RELOAD {
                c.cmd(cmd);
            }
            assert_eq!(c.cmd(&["PING"]), b"+PONG\r\n");
            continue;
        }
        refused += 1;
        let code = s.terminate();
        assert!(
            matches!(code, Some(0) | Some(1)),
            "reload exit status {:?} (sanitize {}, iteration {}): file {:02x?}\nlog tail: {}",
            code,
            sanitize,
            i,
            m,
            tail(&s.log())
        );
        s = start();
    }
    eprintln!(
        "reload sanitize {}: {} loaded, {} refused",
        sanitize, loaded, refused
    );
}

#[test]
fn corrupt_rdb_reload_never_panics() {
    reload_fuzz("no", 40, 0x5EED_0003);
    reload_fuzz("yes", 20, 0x5EED_0004);
}

/// Redis's log lines for refused payloads (corrupt-dump.tcl "hash empty
/// zipmap" and "hash listpack with duplicate records - convert"): the
/// reason at verbose level, and the hexdump Redis writes before the panic
/// it hits converting a listpack with a duplicate field (we refuse it).
#[test]
fn refused_payloads_log_like_redis() {
    let s = Server::start(&["--enable-debug-command", "yes", "--loglevel", "verbose"]);
    let mut c = s.raw();
    c.cmd(&["DEBUG", "SET-SKIP-CHECKSUM-VALIDATION", "1"]);
    let zipmap = b"\x09\x02\x00\xFF\x09\x00\xC0\xF1\xB8\x67\x4C\x16\xAC\xE3";
    let r = c.cmd_bytes(&[b"RESTORE", b"h1", b"0", zipmap]);
    assert_eq!(r, b"-ERR Bad data format\r\n");
    assert!(s.wait_for_log(" - Internal error in RDB reading offset 0, function at"));
    assert!(s.wait_for_log("-> Zipmap integrity check failed."));
    c.cmd(&["CONFIG", "SET", "sanitize-dump-payload", "no"]);
    c.cmd(&["CONFIG", "SET", "hash-max-listpack-entries", "1"]);
    let dup = b"\x10\x17\x17\x00\x00\x00\x04\x00\x82\x61\x00\x03\x82\x62\x00\x03\x82\x61\x00\x03\x82\x64\x00\x03\xff\x0a\x00\xc0\xcf\xa6\x87\xe5\xa7\xc5\xbe";
    let r = c.cmd_bytes(&[b"RESTORE", b"h2", b"0", dup]);
    assert_eq!(r, b"-ERR Bad data format\r\n");
    assert!(s.wait_for_log(
        " # listpack with dup elements dump (hexdump of 23 bytes):\n\
         17000000040082610003826200038261000382640003ff\n"
    ));
    // Within the limit Redis keeps it unconverted: no hexdump for this one.
    c.cmd(&["CONFIG", "SET", "hash-max-listpack-entries", "128"]);
    let r = c.cmd_bytes(&[b"RESTORE", b"h3", b"0", dup]);
    assert_eq!(r, b"-ERR Bad data format\r\n");
    assert_eq!(s.log().matches("listpack with dup elements").count(), 1);
    assert_eq!(c.cmd(&["PING"]), b"+PONG\r\n");
}

/// A corrupt RDB file at startup: Redis's log line, the redis-check-rdb
/// report on stdout, "Terminating server ..." and exit status 1.
#[test]
fn corrupt_rdb_at_startup_prints_the_check() {
    let dir = TempDir::new("corrupt-startup");
    // A string key cut in the middle of its value.
    let file = b"REDIS0010\xfa\x03ver\x017\xfe\x00\x00\x01k\x05a";
    std::fs::write(dir.path().join("dump.rdb"), file).unwrap();
    let out = std::process::Command::new(ferrodis_bin())
        .args(["--port", "0", "--save", ""])
        .arg("--dir")
        .arg(dir.path())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    let check = "[offset 0] Checking RDB file dump.rdb\n\
                 [offset 16] AUX FIELD ver = '7'\n\
                 [offset 18] Selecting DB ID 0\n\
                 --- RDB ERROR DETECTED ---\n\
                 [offset 22] Unexpected EOF reading RDB file\n\
                 [additional info] While doing: read-object-value\n\
                 [additional info] Reading key 'k'\n\
                 [additional info] Reading type 0 (string)\n\
                 [info] 1 keys read\n\
                 [info] 0 expires\n\
                 [info] 0 already expired\n";
    assert!(text.contains(check), "{}", text);
    assert!(text.contains("# Short read or OOM loading DB. Unrecoverable error, aborting now."));
    // Redis's checker exits on a short read before that line.
    assert!(!text.contains("Terminating server after rdb file reading failure."));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

/// A duplicated key is the keyspace's failure, not the file's: Redis
/// stops without running its file check.
#[test]
fn duplicated_key_at_startup_skips_the_check() {
    let dir = TempDir::new("dup-startup");
    let mut file = b"REDIS0010\xfe\x00".to_vec();
    file.extend_from_slice(b"\x00\x01k\x01a\x00\x01k\x01b\xff");
    file.extend_from_slice(&[0; 8]);
    std::fs::write(dir.path().join("dump.rdb"), &file).unwrap();
    let out = std::process::Command::new(ferrodis_bin())
        .args(["--port", "0", "--save", ""])
        .arg("--dir")
        .arg(dir.path())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("# RDB has duplicated key 'k' in DB 0"),
        "{}",
        text
    );
    assert!(!text.contains("Checking RDB file"), "{}", text);
}
