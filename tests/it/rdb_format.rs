//! The RDB value formats of every type and encoding, through the library's
//! loader and writer, against payloads redis-server 7.0.15 produces at test
//! time: Redis DUMPs a value, we load it into the encoding Redis reports,
//! write it back, and Redis RESTOREs our payload to an identical value.
//! Legacy encodings (ziplist, zipmap, quicklist of ziplists, ZSET) are built
//! here and checked against what Redis makes of them. Ends with the RESTORE
//! fuzz loops.

use crate::support::*;
use ferrodis::persistence::rdb::{dump, LoadOptions};

fn q<T: redis::FromRedisValue>(c: &mut redis::Connection, args: &[&[u8]]) -> T {
    let mut cmd = redis::cmd(std::str::from_utf8(args[0]).unwrap());
    for a in &args[1..] {
        cmd.arg(*a);
    }
    cmd.query(c).unwrap()
}

/// One key per type and encoding, built with plain commands.
fn fill_collections(c: &mut redis::Connection) -> Vec<&'static str> {
    let mut run = |args: Vec<Vec<u8>>| {
        let a: Vec<&[u8]> = args.iter().map(|x| x.as_slice()).collect();
        q::<redis::Value>(c, &a);
    };
    let v = |s: &str| s.as_bytes().to_vec();
    let many = |cmd: &str, key: &str, items: Vec<Vec<u8>>| {
        let mut a = vec![v(cmd), v(key)];
        a.extend(items);
        a
    };
    run(many(
        "RPUSH",
        "list:small",
        (0..10).map(|i| v(&format!("e{}", i))).collect(),
    ));
    run(many(
        "RPUSH",
        "list:ints",
        (0..300).map(|i| v(&(i * 7919).to_string())).collect(),
    ));
    run(many(
        "RPUSH",
        "list:big",
        (0..3000)
            .map(|i| v(&format!("element-{}-{}", i, "x".repeat(i % 50))))
            .collect(),
    ));
    run(vec![v("DEBUG"), v("QUICKLIST-PACKED-THRESHOLD"), v("100")]);
    run(many(
        "RPUSH",
        "list:plain",
        vec![v("a"), vec![b'p'; 300], v("b")],
    ));
    run(many(
        "SADD",
        "set:intset",
        (0..50).map(|i| v(&(i * 3 - 70).to_string())).collect(),
    ));
    run(many(
        "SADD",
        "set:bigints",
        (0..600).map(|i| v(&i.to_string())).collect(),
    ));
    run(many(
        "SADD",
        "set:strings",
        (0..40).map(|i| v(&format!("m{}", i))).collect(),
    ));
    let zitems = |n: usize, w: usize| -> Vec<Vec<u8>> {
        (0..n)
            .flat_map(|i| {
                [
                    v(&format!("{}", (i as f64) * 1.5 - 3.25)),
                    v(&format!("z{}{}", i, "y".repeat(w))),
                ]
            })
            .collect()
    };
    run(many("ZADD", "zset:lp", zitems(20, 0)));
    run(many("ZADD", "zset:sl", zitems(200, 0)));
    run(many("ZADD", "zset:long", zitems(5, 80)));
    run(many(
        "ZADD",
        "zset:inf",
        vec![v("inf"), v("a"), v("-inf"), v("b"), v("0"), v("c")],
    ));
    let hitems = |n: usize, w: usize| -> Vec<Vec<u8>> {
        (0..n)
            .flat_map(|i| [v(&format!("f{}", i)), v(&format!("{}{}", i, "v".repeat(w)))])
            .collect()
    };
    run(many("HSET", "hash:lp", hitems(30, 0)));
    run(many("HSET", "hash:ht", hitems(600, 0)));
    run(many("HSET", "hash:long", hitems(3, 100)));
    run(vec![v("SET"), v("str:int"), v("12345")]);
    run(vec![v("SET"), v("str:raw"), vec![b'q'; 100]]);
    vec![
        "list:small",
        "list:ints",
        "list:big",
        "list:plain",
        "set:intset",
        "set:bigints",
        "set:strings",
        "zset:lp",
        "zset:sl",
        "zset:long",
        "zset:inf",
        "hash:lp",
        "hash:ht",
        "hash:long",
        "str:int",
        "str:raw",
    ]
}

fn dump_of(c: &mut redis::Connection, key: &str) -> Vec<u8> {
    q(c, &[b"DUMP", key.as_bytes()])
}

/// Collected payloads from Redis, for the fuzz loops too.
fn redis_payloads(c: &mut redis::Connection) -> Vec<(String, Vec<u8>)> {
    fill_collections(c)
        .into_iter()
        .map(|k| (k.to_string(), dump_of(c, k)))
        .collect()
}

#[test]
fn every_encoding_round_trips_through_redis() {
    if !have_redis("every_encoding_round_trips_through_redis") {
        return;
    }
    let r = Server::start_redis(&[
        "--enable-debug-command",
        "yes",
        "--list-compress-depth",
        "1",
    ]);
    let mut c = r.client();
    let mut opts = LoadOptions::default();
    opts.limits.list_compress_depth = 1;
    for (key, p) in redis_payloads(&mut c) {
        for deep in [false, true] {
            opts.deep = deep;
            opts.sanitized.set(0);
            let loaded = dump::load(&p, &opts).unwrap_or_else(|e| panic!("{}: {:?}", key, e));
            let enc: String = q(&mut c, &[b"OBJECT", b"ENCODING", key.as_bytes()]);
            // Deep checks are counted per encoded blob (Redis's
            // dump_payload_sanitizations), never for plain forms.
            let blob = matches!(enc.as_str(), "listpack" | "intset" | "quicklist");
            assert_eq!(
                opts.sanitized.get() > 0,
                deep && blob,
                "sanitizations of {}",
                key
            );
            assert_eq!(loaded.encoding_name(), enc, "encoding of {}", key);
            let ours = loaded.save_with(|s| dump::create(s, true));
            let copy = format!("{}:copy", key);
            q::<()>(
                &mut c,
                &[b"RESTORE", copy.as_bytes(), b"0", &ours, b"REPLACE"],
            );
            let d: Vec<String> = q(
                &mut c,
                &[b"DEBUG", b"DIGEST-VALUE", key.as_bytes(), copy.as_bytes()],
            );
            assert_eq!(d[0], d[1], "content of {}", key);
            let enc2: String = q(&mut c, &[b"OBJECT", b"ENCODING", copy.as_bytes()]);
            assert_eq!(enc, enc2, "encoding of the copy of {}", key);
        }
    }
}

/// A ziplist (Redis ziplist.c layout) of strings, integers where they parse.
fn ziplist(items: &[&[u8]]) -> Vec<u8> {
    let mut body = Vec::new();
    let mut prev = 0usize;
    let mut last = 10usize;
    for it in items {
        let mut e = Vec::new();
        if prev < 254 {
            e.push(prev as u8);
        } else {
            e.push(0xFE);
            e.extend_from_slice(&(prev as u32).to_le_bytes());
        }
        let n = std::str::from_utf8(it)
            .ok()
            .and_then(|s| s.parse::<i64>().ok());
        match n {
            Some(v) if (0..=12).contains(&v) && it.len() == v.to_string().len() => {
                e.push(0xF1 + v as u8)
            }
            Some(v) if i8::try_from(v).is_ok() && v.to_string().as_bytes() == *it => {
                e.push(0xFE);
                e.push(v as i8 as u8);
            }
            Some(v) if i16::try_from(v).is_ok() && v.to_string().as_bytes() == *it => {
                e.push(0xC0);
                e.extend_from_slice(&(v as i16).to_le_bytes());
            }
            Some(v) if v.to_string().as_bytes() == *it => {
                e.push(0xE0);
                e.extend_from_slice(&v.to_le_bytes());
            }
            _ if it.len() < 64 => {
                e.push(it.len() as u8);
                e.extend_from_slice(it);
            }
            _ => {
                e.push(0x40 | (it.len() >> 8) as u8);
                e.push(it.len() as u8);
                e.extend_from_slice(it);
            }
        }
        last = 10 + body.len();
        prev = e.len();
        body.extend_from_slice(&e);
    }
    let mut z = Vec::new();
    z.extend_from_slice(&((11 + body.len()) as u32).to_le_bytes());
    z.extend_from_slice(&(last as u32).to_le_bytes());
    z.extend_from_slice(&(items.len() as u16).to_le_bytes());
    z.extend_from_slice(&body);
    z.push(0xFF);
    z
}

/// A zipmap (Redis zipmap.c) with 1 byte of free space after each value.
fn zipmap(pairs: &[(&[u8], &[u8])]) -> Vec<u8> {
    let mut z = vec![pairs.len() as u8];
    for (f, v) in pairs {
        z.push(f.len() as u8);
        z.extend_from_slice(f);
        z.push(v.len() as u8);
        z.push(1);
        z.extend_from_slice(v);
        z.push(0);
    }
    z.push(0xFF);
    z
}

/// A DUMP payload of RDB type `t` whose body is written by `body`.
fn payload(t: u8, body: impl FnOnce(&mut RioWriter<Vec<u8>>)) -> Vec<u8> {
    let mut w = RioWriter::new(Vec::new(), false);
    w.write(&[t]).unwrap();
    body(&mut w);
    let mut p = w.into_inner();
    p.extend_from_slice(&9u16.to_le_bytes());
    let crc = ferrodis::persistence::rio::crc64(0, &p);
    p.extend_from_slice(&crc.to_le_bytes());
    p
}

use ferrodis::persistence::rdb::encoding::{save_len, save_string};
use ferrodis::persistence::rio::RioWriter;

pub(crate) fn legacy_payloads() -> Vec<(&'static str, Vec<u8>)> {
    let items: Vec<Vec<u8>> = (0..40)
        .map(|i| match i % 4 {
            0 => format!("{}", i).into_bytes(),
            1 => format!("-{}", i * 1000).into_bytes(),
            2 => format!("s{}", "x".repeat(i)).into_bytes(),
            _ => format!("{}", (i as i64) << 40).into_bytes(),
        })
        .collect();
    let refs: Vec<&[u8]> = items.iter().map(|v| v.as_slice()).collect();
    let zl = ziplist(&refs);
    let pairs: Vec<&[u8]> = (0..20)
        .flat_map(|i| [refs[2 * i], refs[2 * i + 1]])
        .collect();
    let zset_pairs: Vec<Vec<u8>> = (0..20)
        .flat_map(|i| {
            [
                format!("m{}", i).into_bytes(),
                format!("{}", i as f64 * 0.5).into_bytes(),
            ]
        })
        .collect();
    let zrefs: Vec<&[u8]> = zset_pairs.iter().map(|v| v.as_slice()).collect();
    let zmap = zipmap(&[(b"a", b"1"), (b"bb", b"two"), (b"ccc", b"3333")]);
    vec![
        (
            "list-ziplist",
            payload(10, |w| save_string(w, &zl, false).unwrap()),
        ),
        (
            "list-quicklist-ziplists",
            payload(14, |w| {
                save_len(w, 2).unwrap();
                save_string(w, &zl, false).unwrap();
                save_string(w, &ziplist(&refs[..5]), true).unwrap();
            }),
        ),
        (
            "hash-ziplist",
            payload(13, |w| save_string(w, &ziplist(&pairs), false).unwrap()),
        ),
        (
            "zset-ziplist",
            payload(12, |w| save_string(w, &ziplist(&zrefs), false).unwrap()),
        ),
        (
            "hash-zipmap",
            payload(9, |w| save_string(w, &zmap, false).unwrap()),
        ),
        (
            "list-linked",
            payload(1, |w| {
                save_len(w, refs.len() as u64).unwrap();
                for r in &refs {
                    save_string(w, r, false).unwrap();
                }
            }),
        ),
        (
            "set-plain-ints",
            payload(2, |w| {
                save_len(w, 3).unwrap();
                for r in [&b"5"[..], b"-7", b"100000"] {
                    save_string(w, r, false).unwrap();
                }
            }),
        ),
        (
            "set-plain-mixed",
            payload(2, |w| {
                save_len(w, 3).unwrap();
                for r in [&b"5"[..], b"x", b"007"] {
                    save_string(w, r, false).unwrap();
                }
            }),
        ),
        (
            "zset-text-doubles",
            payload(3, |w| {
                save_len(w, 3).unwrap();
                for (m, d) in [
                    (&b"a"[..], &b"\x031.5"[..]),
                    (b"b", b"\xfe"),
                    (b"c", b"\x02-2"),
                ] {
                    save_string(w, m, false).unwrap();
                    w.write(d).unwrap();
                }
            }),
        ),
        (
            "hash-plain",
            payload(4, |w| {
                save_len(w, 2).unwrap();
                for r in [&b"f1"[..], b"v1", b"f2", b"v2"] {
                    save_string(w, r, false).unwrap();
                }
            }),
        ),
    ]
}

#[test]
fn legacy_encodings_convert_as_redis_does() {
    if !have_redis("legacy_encodings_convert_as_redis_does") {
        return;
    }
    let r = Server::start_redis(&["--enable-debug-command", "yes"]);
    let mut c = r.client();
    for (name, p) in legacy_payloads() {
        // Redis accepts our hand-built legacy payload...
        q::<()>(&mut c, &[b"RESTORE", name.as_bytes(), b"0", &p]);
        let enc: String = q(&mut c, &[b"OBJECT", b"ENCODING", name.as_bytes()]);
        for deep in [false, true] {
            let opts = LoadOptions {
                deep,
                ..LoadOptions::default()
            };
            // ...and we convert it to the same encoding and contents.
            let loaded = dump::load(&p, &opts).unwrap_or_else(|e| panic!("{}: {:?}", name, e));
            assert_eq!(loaded.encoding_name(), enc, "encoding of {}", name);
            let ours = loaded.save_with(|s| dump::create(s, true));
            let copy = format!("{}:copy", name);
            q::<()>(
                &mut c,
                &[b"RESTORE", copy.as_bytes(), b"0", &ours, b"REPLACE"],
            );
            let d: Vec<String> = q(
                &mut c,
                &[b"DEBUG", b"DIGEST-VALUE", name.as_bytes(), copy.as_bytes()],
            );
            assert_eq!(d[0], d[1], "content of {}", name);
        }
    }
}

/// xorshift64*: a deterministic mutation source.
/// One random corruption: byte flips, special bytes, a cut, or a splice.
fn mutate(rng: &mut Rng, p: &[u8]) -> Vec<u8> {
    let mut m = p.to_vec();
    let body = m.len().saturating_sub(10).max(1);
    match rng.below(5) {
        0 | 1 => {
            for _ in 0..1 + rng.below(4) {
                let i = rng.below(body);
                m[i] ^= 1 << rng.below(8);
            }
        }
        2 => {
            let specials = [0u8, 0xFF, 0x7F, 0x80, 0xC0, 0xC3, 0xFE, 0x3F, 0x40, 0x81];
            let i = rng.below(body);
            m[i] = specials[rng.below(specials.len())];
        }
        3 => {
            let cut = rng.below(body);
            m.drain(cut..body);
        }
        _ => {
            let a = rng.below(body);
            let b = (a + rng.below(16)).min(body);
            let chunk = m[a..b].to_vec();
            let at = rng.below(body);
            m.splice(at..at, chunk);
        }
    }
    m
}

/// Small seeds: every encoding from Redis plus the legacy payloads.
fn fuzz_seeds(c: &mut redis::Connection) -> Vec<Vec<u8>> {
    let mut seeds: Vec<Vec<u8>> = redis_payloads(c)
        .into_iter()
        .map(|(_, p)| p)
        .filter(|p| p.len() < 4096)
        .collect();
    seeds.extend(legacy_payloads().into_iter().map(|(_, p)| p));
    seeds
}

/// The in-process RESTORE fuzz: 100,000 corrupted payloads through the
/// loader (deep and shallow); whatever loads must save and load again.
#[test]
fn restore_fuzz_in_process() {
    if !have_redis("restore_fuzz_in_process") {
        return;
    }
    let r = Server::start_redis(&["--enable-debug-command", "yes"]);
    let seeds = fuzz_seeds(&mut r.client());
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut ok, mut err) = (0, 0);
    for i in 0..100_000 {
        let seed = &seeds[i % seeds.len()];
        let m = mutate(&mut rng, seed);
        let opts = LoadOptions {
            deep: i % 2 == 0,
            ..LoadOptions::default()
        };
        match dump::load(&m, &opts) {
            Ok(v) => {
                ok += 1;
                let again = v.save_with(|s| dump::create(s, true));
                assert!(
                    dump::load(&again, &opts).is_ok(),
                    "re-load of iteration {}",
                    i
                );
            }
            Err(_) => err += 1,
        }
    }
    assert!(ok > 0 && err > 0, "ok {} err {}", ok, err);
}

/// What the end-to-end fuzz runs on each restored key: reads of every
/// type, writes that convert encodings, and a DUMP of the result.
const READ_BACK: &[&[&str]] = &[
    &["TYPE", "k"],
    &["GET", "k"],
    &["STRLEN", "k"],
    &["SMEMBERS", "k"],
    &["SISMEMBER", "k", "5"],
    &["SRANDMEMBER", "k", "-5"],
    &["ZRANGE", "k", "0", "-1", "WITHSCORES"],
    &["ZRANGEBYSCORE", "k", "-inf", "+inf", "LIMIT", "1", "3"],
    &["ZRANK", "k", "z1"],
    &["ZSCORE", "k", "z1"],
    &["ZRANDMEMBER", "k", "-3", "WITHSCORES"],
    &["HGETALL", "k"],
    &["HGET", "k", "f1"],
    &["HRANDFIELD", "k", "-3", "WITHVALUES"],
    &["LRANGE", "k", "0", "-1"],
    &["LINDEX", "k", "-2"],
    &["LPOS", "k", "e1"],
    &["DUMP", "k"],
    &["LPUSH", "k", "new"],
    &["LINSERT", "k", "BEFORE", "e2", "ins"],
    &["LSET", "k", "1", "set"],
    &["RPOP", "k", "2"],
    &["LTRIM", "k", "1", "-2"],
    &["SADD", "k", "x", "y"],
    &["ZADD", "k", "1.5", "new"],
    &["HSET", "k", "newfield", "v"],
    &["ZREM", "k", "z1"],
    &["HDEL", "k", "f1"],
    &["SREM", "k", "5"],
    &["DEBUG", "DIGEST-VALUE", "k"],
    &["OBJECT", "ENCODING", "k"],
    &["DEL", "k"],
];

/// End to end: corrupted payloads RESTOREd with checksums off, sanitizing
/// on and off, then read back and modified with commands of every type.
#[test]
fn restore_fuzz_end_to_end() {
    if !have_redis("restore_fuzz_end_to_end") {
        return;
    }
    let r = Server::start_redis(&["--enable-debug-command", "yes"]);
    let seeds = fuzz_seeds(&mut r.client());
    for sanitize in ["yes", "no"] {
        fuzz_server(&seeds, sanitize);
    }
}

fn fuzz_server(seeds: &[Vec<u8>], sanitize: &str) {
    let s = Server::start(&[
        "--enable-debug-command",
        "yes",
        "--sanitize-dump-payload",
        sanitize,
    ]);
    let mut c = s.raw();
    assert_eq!(
        c.cmd(&["DEBUG", "SET-SKIP-CHECKSUM-VALIDATION", "1"]),
        b"+OK\r\n"
    );
    let mut rng = Rng(42);
    for i in 0..1500 {
        let m = mutate(&mut rng, &seeds[i % seeds.len()]);
        let mut batch = RawConn::encode(&[b"RESTORE", b"k", b"0", &m, b"REPLACE"]);
        for cmd in READ_BACK {
            let a: Vec<&[u8]> = cmd.iter().map(|x| x.as_bytes()).collect();
            batch.extend(RawConn::encode(&a));
        }
        c.send(&batch);
        let replies = c.read_replies_or_eof(1 + READ_BACK.len());
        assert!(
            !replies.is_empty(),
            "no reply at iteration {} (sanitize {})",
            i,
            sanitize
        );
    }
    assert_eq!(c.cmd(&["PING"]), b"+PONG\r\n");
    let info = String::from_utf8(c.cmd(&["INFO", "stats"])).unwrap();
    assert!(info.contains("dump_payload_sanitizations:"));
}
