//! Byte-exact RDB serialization against redis-server (rdb.c rdbSaveObject,
//! rdbSavedObjectLen, lzf_c.c): for every type and encoding, DUMP payloads
//! are identical (LZF blobs included, strings and compressed quicklist
//! nodes alike; hash tables aside, whose order is their own) and DEBUG
//! OBJECT's serializedlength is the same number, with rdbcompression on
//! and off.

use crate::support::Differential;

/// A deterministic string over a small alphabet (compressible to a
/// varying degree).
fn text(seed: u64, len: usize, alphabet: u8) -> String {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (b'a' + (x % alphabet as u64) as u8) as char
        })
        .collect()
}

/// Every type and encoding, with strings that compress and strings that
/// do not.
fn populate(d: &mut Differential) -> Vec<String> {
    let mut keys = Vec::new();
    let mut add = |d: &mut Differential, key: String, cmd: Vec<String>| {
        let args: Vec<&str> = cmd.iter().map(|s| s.as_str()).collect();
        d.check(&args);
        keys.push(key);
    };
    for (i, v) in [
        "0",
        "-1",
        "127",
        "-32768",
        "2147483647",
        "12345678901",
        "hello",
    ]
    .iter()
    .enumerate()
    {
        add(
            d,
            format!("int{}", i),
            vec!["SET".into(), format!("int{}", i), v.to_string()],
        );
    }
    for (i, len) in [20usize, 21, 24, 25, 30, 64, 100, 300, 1000, 5000, 20000]
        .iter()
        .enumerate()
    {
        for (j, alpha) in [1u8, 2, 4, 16, 26].iter().enumerate() {
            let k = format!("str{}-{}", i, j);
            add(
                d,
                k.clone(),
                vec!["SET".into(), k, text((i * 7 + j) as u64, *len, *alpha)],
            );
        }
    }
    let items = |n: usize, len: usize, alpha: u8| -> Vec<String> {
        (0..n).map(|i| text(i as u64 + 99, len, alpha)).collect()
    };
    let mut with =
        |d: &mut Differential, k: &str, cmd: &str, pre: Vec<String>, args: Vec<String>| {
            let mut c = vec![cmd.to_string(), k.to_string()];
            c.extend(pre);
            c.extend(args);
            add(d, k.to_string(), c);
        };
    with(d, "list-small", "RPUSH", vec![], items(5, 10, 3));
    with(d, "list-big", "RPUSH", vec![], items(600, 30, 4));
    with(
        d,
        "list-plain",
        "RPUSH",
        vec![],
        vec![text(5, 9000, 3), "x".into()],
    );
    with(
        d,
        "list-ints",
        "RPUSH",
        vec![],
        (0..300).map(|i| (i * 1000).to_string()).collect(),
    );
    with(
        d,
        "set-int",
        "SADD",
        vec![],
        (0..100).map(|i| (i * 7 - 50).to_string()).collect(),
    );
    with(d, "set-table", "SADD", vec![], items(40, 25, 4));
    let zargs = |n: usize, len: usize| -> Vec<String> {
        (0..n)
            .flat_map(|i| vec![format!("{}.5", i), text(i as u64, len, 5)])
            .collect()
    };
    with(d, "zset-lp", "ZADD", vec![], zargs(10, 12));
    with(d, "zset-skip", "ZADD", vec![], zargs(200, 30));
    let hargs = |n: usize, len: usize| -> Vec<String> {
        (0..n)
            .flat_map(|i| vec![format!("f{}", i), text(i as u64 + 5, len, 3)])
            .collect()
    };
    with(d, "hash-lp", "HSET", vec![], hargs(10, 40));
    with(d, "hash-table", "HSET", vec![], hargs(600, 30));
    keys
}

/// The serializedlength field of a DEBUG OBJECT reply.
fn serialized_len(reply: &[u8]) -> String {
    let s = String::from_utf8_lossy(reply);
    let at = s.find("serializedlength:").expect("field present");
    s[at..].split(' ').next().unwrap_or_default().to_string()
}

fn compare(d: &mut Differential, keys: &[String]) {
    for k in keys {
        // Hash tables iterate in an order of their own (random hash seed).
        if !k.ends_with("-table") {
            d.check(&["DUMP", k]);
        }
        let ours = d.ours.cmd(&["DEBUG", "OBJECT", k]);
        let theirs = d.theirs.cmd(&["DEBUG", "OBJECT", k]);
        assert_eq!(serialized_len(&ours), serialized_len(&theirs), "key {}", k);
        d.check(&["OBJECT", "ENCODING", k]);
    }
}

#[test]
fn dump_and_serializedlength_match_redis() {
    let Some(mut d) = Differential::start(
        "dump_and_serializedlength_match_redis",
        &[
            "--enable-debug-command",
            "yes",
            "--list-compress-depth",
            "1",
        ],
    ) else {
        return;
    };
    let keys = populate(&mut d);
    compare(&mut d, &keys);
    d.check(&["CONFIG", "SET", "rdbcompression", "no"]);
    compare(&mut d, &keys);
}
