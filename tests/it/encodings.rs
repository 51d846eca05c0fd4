//! Byte compatibility of the `ds` encodings with redis-server 7.0: the same
//! operations are run on a real Redis and on our listpack, intset and
//! quicklist, and the encodings inside Redis's DUMP payloads (RDB types 11,
//! 16 and 18) must equal ours byte for byte, node for node.

use crate::support::*;
use ferrodis::ds::intset::Intset;
use ferrodis::ds::listpack::{Listpack, LpValue};
use ferrodis::ds::quicklist::{End, NodeView, Quicklist};

const RDB_TYPE_SET_INTSET: u8 = 11;
const RDB_TYPE_HASH_LISTPACK: u8 = 16;
const RDB_TYPE_LIST_QUICKLIST_2: u8 = 18;

/// A reader for the object part of a DUMP payload.
struct Rdb<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Rdb<'a> {
    fn byte(&mut self) -> u8 {
        self.i += 1;
        self.b[self.i - 1]
    }

    /// rdbLoadLen; `Err(enc)` for the special string encodings.
    fn len_or_enc(&mut self) -> Result<u64, u8> {
        let b = self.byte();
        match b >> 6 {
            0 => Ok((b & 0x3F) as u64),
            1 => Ok((((b & 0x3F) as u64) << 8) | self.byte() as u64),
            2 => {
                let n = if b == 0x80 { 4 } else { 8 };
                let mut v = 0u64;
                for _ in 0..n {
                    v = (v << 8) | self.byte() as u64;
                }
                Ok(v)
            }
            _ => Err(b & 0x3F),
        }
    }

    fn len(&mut self) -> u64 {
        self.len_or_enc().expect("a length")
    }

    /// A string, raw or LZF-compressed; the flag says it was compressed.
    fn string(&mut self) -> (Vec<u8>, bool) {
        match self.len_or_enc() {
            Ok(n) => {
                let s = self.b[self.i..self.i + n as usize].to_vec();
                self.i += n as usize;
                (s, false)
            }
            Err(3) => {
                let clen = self.len() as usize;
                let len = self.len() as usize;
                let mut out = vec![0u8; len];
                let n = lzf_rust::decompress(&self.b[self.i..self.i + clen], &mut out).unwrap();
                assert_eq!(n, len);
                self.i += clen;
                (out, true)
            }
            Err(e) => panic!("unexpected string encoding {}", e),
        }
    }
}

fn dump(c: &mut redis::Connection, key: &str) -> Option<Vec<u8>> {
    redis::cmd("DUMP").arg(key).query(c).unwrap()
}

/// The single encoded blob of a hash or set dump, checking the RDB type.
fn dump_blob(c: &mut redis::Connection, key: &str, rdb_type: u8) -> Vec<u8> {
    let d = dump(c, key).expect("key exists");
    let mut r = Rdb { b: &d, i: 0 };
    assert_eq!(r.byte(), rdb_type, "RDB type of {}", key);
    r.string().0
}

/// (plain, compressed, bytes) for each node of a list dump.
fn dump_nodes(c: &mut redis::Connection, key: &str) -> Option<Vec<(bool, bool, Vec<u8>)>> {
    let d = dump(c, key)?;
    let mut r = Rdb { b: &d, i: 0 };
    assert_eq!(r.byte(), RDB_TYPE_LIST_QUICKLIST_2);
    let n = r.len();
    let mut out = Vec::new();
    for _ in 0..n {
        let container = r.len();
        let (bytes, compressed) = r.string();
        out.push((container == 1, compressed, bytes));
    }
    Some(out)
}

fn our_nodes(ql: &Quicklist) -> Option<Vec<(bool, bool, Vec<u8>)>> {
    if ql.is_empty() {
        return None;
    }
    let nodes = ql
        .node_views()
        .map(|v| match v {
            NodeView::Packed(b) => (false, false, b.to_vec()),
            NodeView::Plain(b) => (true, false, b.to_vec()),
            NodeView::Compressed {
                lzf,
                raw_len,
                plain,
            } => {
                let mut out = vec![0u8; raw_len];
                assert_eq!(lzf_rust::decompress(lzf, &mut out).unwrap(), raw_len);
                (plain, true, out)
            }
        })
        .collect();
    Some(nodes)
}

/// Values that exercise every listpack encoding and the integer parse.
fn tricky_values() -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = Vec::new();
    for n in [
        0i64,
        1,
        127,
        128,
        -1,
        -4096,
        4095,
        4096,
        -4097,
        32767,
        -32768,
        32768,
        8_388_607,
        -8_388_608,
        8_388_608,
        i32::MAX as i64,
        i32::MIN as i64,
        i32::MAX as i64 + 1,
        i64::MAX,
        i64::MIN,
    ] {
        v.push(n.to_string().into_bytes());
    }
    for s in [
        "",
        "-0",
        "007",
        "+5",
        " 5",
        "5 ",
        "1e3",
        "1.5",
        "0x10",
        "-",
        "9223372036854775808",
        "-9223372036854775809",
        "18446744073709551616",
    ] {
        v.push(s.as_bytes().to_vec());
    }
    for n in [1usize, 63, 64, 127, 128, 4095, 4096, 5000, 20000] {
        v.push(vec![b'x'; n]);
    }
    v.push(b"bin\x00\xff\r\n".to_vec());
    v
}

#[test]
fn listpack_bytes_match_redis_hashes() {
    if !have_redis("listpack_bytes_match_redis_hashes") {
        return;
    }
    let s = Server::start_redis(&[
        "--rdbcompression",
        "no",
        "--hash-max-listpack-entries",
        "100000",
        "--hash-max-listpack-value",
        "100000",
    ]);
    let mut c = s.client();
    let vals = tricky_values();
    let mut lp = Listpack::new();
    // hashTypeSet on a listpack: replace the value of an existing field,
    // or append field and value.
    let hset = |lp: &mut Listpack, c: &mut redis::Connection, f: &[u8], v: &[u8]| {
        let _: i64 = redis::cmd("HSET").arg("h").arg(f).arg(v).query(c).unwrap();
        match lp.first().and_then(|p| lp.find(p, f, 1)) {
            Some(fp) => {
                let vp = lp.next(fp).unwrap();
                lp.replace(vp, LpValue::Str(v));
            }
            None => {
                lp.append(LpValue::Str(f));
                lp.append(LpValue::Str(v));
            }
        }
    };
    for (i, v) in vals.iter().enumerate() {
        hset(&mut lp, &mut c, v, &vals[(i + 7) % vals.len()]);
        assert_eq!(
            dump_blob(&mut c, "h", RDB_TYPE_HASH_LISTPACK),
            lp.as_bytes()
        );
    }
    // Overwrite values with every other encoding, then delete some fields.
    for (i, v) in vals.iter().enumerate() {
        hset(&mut lp, &mut c, v, &vals[(i * 5 + 3) % vals.len()]);
    }
    assert_eq!(
        dump_blob(&mut c, "h", RDB_TYPE_HASH_LISTPACK),
        lp.as_bytes()
    );
    for v in vals.iter().step_by(3) {
        let _: i64 = redis::cmd("HDEL").arg("h").arg(v).query(&mut c).unwrap();
        let fp = lp.find(lp.first().unwrap(), v, 1).unwrap();
        lp.delete_range_with_entry(fp, 2);
        assert_eq!(
            dump_blob(&mut c, "h", RDB_TYPE_HASH_LISTPACK),
            lp.as_bytes()
        );
    }
    // Redis's bytes load back through our deep validation.
    let theirs = dump_blob(&mut c, "h", RDB_TYPE_HASH_LISTPACK);
    assert_eq!(Listpack::from_bytes(theirs).as_ref(), Some(&lp));
}

#[test]
fn intset_bytes_match_redis() {
    if !have_redis("intset_bytes_match_redis") {
        return;
    }
    let s = Server::start_redis(&["--rdbcompression", "no"]);
    let mut c = s.client();
    let mut set = Intset::new();
    let adds: Vec<i64> = vec![
        5,
        -3,
        100,
        -32768,
        32767,
        0,
        40000,
        -40000,
        7,
        i32::MAX as i64,
        i32::MIN as i64,
        1 << 40,
        -(1 << 40),
        i64::MAX,
        i64::MIN,
        12,
        5,
    ];
    for v in adds {
        let _: i64 = redis::cmd("SADD").arg("s").arg(v).query(&mut c).unwrap();
        set.add(v);
        assert_eq!(dump_blob(&mut c, "s", RDB_TYPE_SET_INTSET), set.as_bytes());
    }
    for v in [5i64, i64::MIN, 999, 40000] {
        let _: i64 = redis::cmd("SREM").arg("s").arg(v).query(&mut c).unwrap();
        set.remove(v);
        assert_eq!(dump_blob(&mut c, "s", RDB_TYPE_SET_INTSET), set.as_bytes());
    }
    let theirs = dump_blob(&mut c, "s", RDB_TYPE_SET_INTSET);
    assert_eq!(Intset::from_bytes(theirs).as_ref(), Some(&set));
}

/// A deterministic generator for the list workload.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn list_value(r: &mut Rng, large: bool) -> Vec<u8> {
    match r.below(if large { 11 } else { 10 }) {
        0..=3 => vec![b'a' + r.below(4) as u8],
        4 | 5 => (r.below(20000) as i64 - 10000).to_string().into_bytes(),
        6..=8 => {
            let n = 20 + r.below(700);
            (0..n).map(|i| b'a' + ((i * 7 + n) % 26) as u8).collect()
        }
        9 => vec![b'r'; 1500 + r.below(3000)],
        _ => vec![b'P'; 1000 + r.below(600)],
    }
}

/// Runs one random list command on Redis and the same quicklist
/// operations that t_list.c performs on ours.
fn list_step(c: &mut redis::Connection, ql: &mut Quicklist, r: &mut Rng, large: bool) {
    let n = ql.len();
    let v = list_value(r, large);
    match r.below(10) {
        0..=2 => {
            let _: i64 = redis::cmd("RPUSH").arg("l").arg(&v).query(c).unwrap();
            ql.push(End::Tail, &v);
        }
        3 | 4 => {
            let _: i64 = redis::cmd("LPUSH").arg("l").arg(&v).query(c).unwrap();
            ql.push(End::Head, &v);
        }
        5 if n > 0 => {
            let after = r.below(2) == 0;
            let pivot = ql.index(r.below(n) as i64).unwrap().into_bytes();
            let wh = if after { "AFTER" } else { "BEFORE" };
            let _: i64 = redis::cmd("LINSERT")
                .arg("l")
                .arg(wh)
                .arg(&pivot)
                .arg(&v)
                .query(c)
                .unwrap();
            let mut it = ql.iter_mut(End::Head, Some(0)).unwrap();
            while let Some(e) = it.next() {
                if it.compare(&e, &pivot) {
                    it.insert(e, &v, after);
                    break;
                }
            }
        }
        6 if n > 0 => {
            let idx = r.below(2 * n) as i64 - n as i64;
            let _: () = redis::cmd("LSET")
                .arg("l")
                .arg(idx)
                .arg(&v)
                .query(c)
                .unwrap();
            assert!(ql.replace_at_index(idx, &v));
        }
        7 if n > 0 => {
            let target = ql.index(r.below(n) as i64).unwrap().into_bytes();
            let count = r.below(5) as i64 - 2;
            let _: i64 = redis::cmd("LREM")
                .arg("l")
                .arg(count)
                .arg(&target)
                .query(c)
                .unwrap();
            let (dir, start, limit) = if count < 0 {
                (End::Tail, -1, -count)
            } else {
                (End::Head, 0, count)
            };
            let mut removed = 0;
            let mut it = ql.iter_mut(dir, Some(start)).unwrap();
            while let Some(e) = it.next() {
                if it.compare(&e, &target) {
                    it.delete(e);
                    removed += 1;
                    if limit != 0 && removed == limit {
                        break;
                    }
                }
            }
        }
        8 if n > 40 => {
            let start = r.below(n / 4 + 1) as i64;
            let end = n as i64 - 1 - r.below(n / 4 + 1) as i64;
            let _: () = redis::cmd("LTRIM")
                .arg("l")
                .arg(start)
                .arg(end)
                .query(c)
                .unwrap();
            let (ltrim, rtrim) = if start > end || start >= n as i64 {
                (n as i64, 0)
            } else {
                (start, n as i64 - end - 1)
            };
            ql.del_range(0, ltrim);
            ql.del_range(-rtrim, rtrim);
        }
        _ if n > 0 => {
            let tail = r.below(2) == 0;
            let cmd = if tail { "RPOP" } else { "LPOP" };
            let got: Vec<u8> = redis::cmd(cmd).arg("l").query(c).unwrap();
            let ours = ql.pop(if tail { End::Tail } else { End::Head }).unwrap();
            assert_eq!(ours.into_bytes(), got);
        }
        _ => {}
    }
}

/// What a workload went through, to show it exercised the interesting paths.
#[derive(Default, Debug)]
struct Seen {
    max_nodes: usize,
    plain: usize,
    compressed_theirs: usize,
    compressed_ours: usize,
    compressed_same: usize,
}

fn run_list_workload(
    c: &mut redis::Connection,
    fill: i32,
    depth: u32,
    large: bool,
    seed: u64,
) -> Seen {
    let mut seen = Seen::default();
    let _: () = redis::cmd("DEL").arg("l").query(c).unwrap();
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("list-max-listpack-size")
        .arg(fill)
        .arg("list-compress-depth")
        .arg(depth)
        .query(c)
        .unwrap();
    let mut ql = Quicklist::new(fill, depth);
    if large {
        ql.set_packed_threshold(1000);
    }
    let mut r = Rng(seed);
    for step in 0..500 {
        list_step(c, &mut ql, &mut r, large);
        let theirs = dump_nodes(c, "l");
        let ours = our_nodes(&ql);
        let shape = |n: &Option<Vec<(bool, bool, Vec<u8>)>>| {
            n.as_ref()
                .map(|v| v.iter().map(|x| (x.0, x.2.len())).collect::<Vec<_>>())
        };
        assert_eq!(
            shape(&ours),
            shape(&theirs),
            "node shapes differ: fill {} depth {} large {} step {}",
            fill,
            depth,
            large,
            step
        );
        let strip = |n: Option<Vec<(bool, bool, Vec<u8>)>>| {
            n.map(|v| v.into_iter().map(|x| (x.0, x.2)).collect::<Vec<_>>())
        };
        for (o, t) in ours.iter().flatten().zip(theirs.iter().flatten()) {
            seen.plain += usize::from(o.0);
            seen.compressed_ours += usize::from(o.1);
            seen.compressed_theirs += usize::from(t.1);
            seen.compressed_same += usize::from(o.1 == t.1);
        }
        seen.max_nodes = seen.max_nodes.max(ql.node_count());
        assert!(
            strip(ours) == strip(theirs),
            "node bytes differ at step {}",
            step
        );
        if ql.is_empty() {
            // Redis deletes the key; start over with the current config.
            ql = Quicklist::new(fill, depth);
            if large {
                ql.set_packed_threshold(1000);
            }
        }
    }
    seen
}

#[test]
fn quicklist_nodes_match_redis_lists() {
    if !have_redis("quicklist_nodes_match_redis_lists") {
        return;
    }
    let s = Server::start_redis(&["--rdbcompression", "no", "--enable-debug-command", "yes"]);
    let mut c = s.client();
    for (i, fill) in [-1, -2, 3, 16].into_iter().enumerate() {
        let a = run_list_workload(&mut c, fill, 0, false, 100 + i as u64);
        assert!(a.max_nodes >= 4, "fill {}: {:?}", fill, a);
        let b = run_list_workload(&mut c, fill, 1, false, 200 + i as u64);
        assert!(b.compressed_theirs > 0 && b.compressed_ours > 0, "{:?}", b);
        eprintln!("fill {}: {:?} {:?}", fill, a, b);
    }
    let _: () = redis::cmd("DEBUG")
        .arg("QUICKLIST-PACKED-THRESHOLD")
        .arg("1000")
        .query(&mut c)
        .unwrap();
    for (i, fill) in [-1, 5].into_iter().enumerate() {
        let a = run_list_workload(&mut c, fill, 0, true, 300 + i as u64);
        assert!(a.plain > 0, "{:?}", a);
        let b = run_list_workload(&mut c, fill, 2, true, 400 + i as u64);
        eprintln!("large fill {}: {:?} {:?}", fill, a, b);
    }
}
