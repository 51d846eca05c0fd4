//! Format tests on bytes written by redis-server 7.0.15 (small literals
//! captured from DUMP and SAVE) and round trips through our writer.

use super::encoding::*;
use super::file::{self, KeyMeta, Sink};
use super::value::{Loaded, Saving};
use super::*;
use crate::persistence::rio::{RioReader, RioWriter};

fn unhex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[derive(Default)]
struct Collect {
    aux: Vec<(Vec<u8>, Vec<u8>)>,
    db: u64,
    keys: Vec<(u64, Vec<u8>, Loaded, KeyMeta)>,
    empty: usize,
}

impl Sink for Collect {
    fn aux(&mut self, k: &[u8], v: &[u8]) {
        self.aux.push((k.to_vec(), v.to_vec()));
    }
    fn select_db(&mut self, id: u64) -> LoadResult<()> {
        self.db = id;
        Ok(())
    }
    fn resize_db(&mut self, _: u64, _: u64) {}
    fn key(&mut self, key: Vec<u8>, val: Loaded, meta: KeyMeta) -> LoadResult<()> {
        self.keys.push((self.db, key, val, meta));
        Ok(())
    }
    fn empty_key(&mut self, _: &[u8]) {
        self.empty += 1;
    }
}

/// `SET foo bar; SET n 12345; SETEX t 100 hello; SAVE` on redis-server 7.0.15.
const REDIS_FILE: &str = "
5245 4449 5330 3031 30fa 0972 6564 6973 2d76 6572 0637 2e30 2e31 35fa 0a72 6564
6973 2d62 6974 73c0 40fa 0563 7469 6d65 c2dc e105 6bfa 0875 7365 642d 6d65 6dc2
10f5 0d00 fa08 616f 662d 6261 7365 c000 fe00 fb03 0100 016e c139 30fc 2fc6 fb0e
a201 0000 0001 7405 6865 6c6c 6f00 0366 6f6f 0362 6172 ff86 e7ba 6d7c 6d38 9f";

#[test]
fn loads_a_redis_file() {
    let data = unhex(REDIS_FILE);
    let mut r = RioReader::new(&data[..], true);
    let mut c = Collect::default();
    file::load(&mut r, &mut c, &LoadOptions::default(), true).unwrap();
    assert_eq!(c.aux[0], (b"redis-ver".to_vec(), b"7.0.15".to_vec()));
    assert_eq!(c.aux.len(), 5);
    assert_eq!(c.keys.len(), 3);
    assert!(matches!(c.keys[0].2, Loaded::Str(RdbStr::Int(12345))));
    assert_eq!(c.keys[1].1, b"t");
    assert_eq!(c.keys[1].3.expire_ms, 0x01a20efbc62f);
    assert!(matches!(&c.keys[2].2, Loaded::Str(RdbStr::Bytes(b)) if b == b"bar"));
    // A flipped checksum byte is reported, unless verification is off.
    let mut bad = data.clone();
    let n = bad.len();
    bad[n - 3] ^= 1;
    let mut r = RioReader::new(&bad[..], true);
    let e = file::load(
        &mut r,
        &mut Collect::default(),
        &LoadOptions::default(),
        true,
    );
    assert!(matches!(e, Err(LoadError::Checksum { .. })));
    let mut r = RioReader::new(&bad[..], true);
    file::load(
        &mut r,
        &mut Collect::default(),
        &LoadOptions::default(),
        false,
    )
    .unwrap();
    // Every truncation is a clean EOF error.
    for cut in 0..data.len() {
        let mut r = RioReader::new(&data[..cut], true);
        let e = file::load(
            &mut r,
            &mut Collect::default(),
            &LoadOptions::default(),
            true,
        );
        assert!(matches!(e, Err(LoadError::Eof)), "cut {}", cut);
    }
}

#[test]
fn our_writer_matches_redis_bytes() {
    // Same aux values and keys as REDIS_FILE: byte-identical output.
    let mut w = RioWriter::new(Vec::new(), true);
    let aux = [
        ("redis-ver", "7.0.15".to_string()),
        ("redis-bits", "64".to_string()),
        ("ctime", "1795547612".to_string()),
        ("used-mem", "914704".to_string()),
        ("aof-base", "0".to_string()),
    ];
    file::save_header(&mut w, &aux).unwrap();
    file::save_db_header(&mut w, 0, 3, 1).unwrap();
    let none = KeyMeta::NONE;
    file::save_key(&mut w, b"n", Saving::Int(12345), none, true).unwrap();
    let ttl = KeyMeta {
        expire_ms: 0x01a20efbc62f,
        ..none
    };
    file::save_key(&mut w, b"t", Saving::Str(b"hello"), ttl, true).unwrap();
    file::save_key(&mut w, b"foo", Saving::Str(b"bar"), none, true).unwrap();
    file::save_footer(&mut w).unwrap();
    assert_eq!(w.into_inner(), unhex(REDIS_FILE));
}

#[test]
fn dump_payload_of_redis() {
    // DUMP foo (value "bar") from redis-server 7.0.15.
    let p = unhex("0003 6261 720a 00e6 be49 60ee 66fd 17");
    assert!(dump::verify(&p, false));
    let v = dump::load(&p, &LoadOptions::default()).unwrap();
    assert!(matches!(v, Loaded::Str(RdbStr::Bytes(b)) if b == b"bar"));
    assert_eq!(dump::create(Saving::Str(b"bar"), true), p);
    let mut bad = p.clone();
    bad[2] ^= 1;
    assert!(!dump::verify(&bad, false));
    assert!(dump::verify(&bad, true));
    // Version 11 is refused even without checksum checks.
    let mut v11 = p.clone();
    v11[6] = 11;
    assert!(!dump::verify(&v11, true));
}

fn roundtrip_len(n: u64) -> u64 {
    let mut w = RioWriter::new(Vec::new(), false);
    save_len(&mut w, n).unwrap();
    let b = w.into_inner();
    let mut r = RioReader::new(&b[..], false);
    load_len(&mut r).unwrap()
}

#[test]
fn lengths_and_strings() {
    for n in [
        0,
        63,
        64,
        16383,
        16384,
        u32::MAX as u64,
        u32::MAX as u64 + 1,
        u64::MAX,
    ] {
        assert_eq!(roundtrip_len(n), n);
    }
    for s in [
        &b"0"[..],
        b"-128",
        b"127",
        b"-32768",
        b"32767",
        b"2147483647",
        b"-2147483648",
        b"2147483648",
        b"007",
        b"+1",
        b"-0",
        b"",
    ] {
        let mut w = RioWriter::new(Vec::new(), false);
        save_string(&mut w, s, true).unwrap();
        let b = w.into_inner();
        let mut r = RioReader::new(&b[..], false);
        assert_eq!(load_bytes(&mut r).unwrap(), s);
    }
    // LZF: long compressible strings shrink and come back.
    let long = b"abcabcabcabcabcabcabcabcabcabcabcabcabcabc".repeat(10);
    let mut w = RioWriter::new(Vec::new(), false);
    save_string(&mut w, &long, true).unwrap();
    let b = w.into_inner();
    assert_eq!(b[0], 0xC3);
    assert!(b.len() < long.len());
    let mut r = RioReader::new(&b[..], false);
    assert_eq!(load_bytes(&mut r).unwrap(), long);
    // A lying decompressed length is corrupt, not a short string.
    let mut lie = b.clone();
    let mut w = RioWriter::new(Vec::new(), false);
    save_len(&mut w, long.len() as u64 + 1).unwrap();
    let enc = w.into_inner();
    let clen_bytes = {
        let mut w = RioWriter::new(Vec::new(), false);
        save_len(&mut w, (b.len() - 1 - 2 - 2) as u64).unwrap();
        w.into_inner().len()
    };
    lie.splice(1 + clen_bytes..1 + clen_bytes + enc.len(), enc);
    let mut r = RioReader::new(&lie[..], false);
    assert!(matches!(load_bytes(&mut r), Err(LoadError::Corrupt { .. })));
}

#[test]
fn text_doubles() {
    for (bytes, want) in [
        (&[253u8][..], f64::NAN),
        (&[254], f64::INFINITY),
        (&[255], f64::NEG_INFINITY),
        (&[3, b'1', b'.', b'5'], 1.5),
    ] {
        let mut r = RioReader::new(bytes, false);
        let got = load_text_double(&mut r).unwrap();
        assert!(got == want || (got.is_nan() && want.is_nan()));
    }
}

#[test]
fn module_names() {
    // "MyType123" with encoding version 0 round-trips through the id.
    let set = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut id = 0u64;
    for c in b"MyType123" {
        id = (id << 6) | set.iter().position(|x| x == c).unwrap() as u64;
    }
    assert_eq!(module_type_name(id << 10), "MyType123");
}

/// rdbLoadLen(rdb, NULL): an encoded-value byte is taken as a 6-bit
/// length, and a bad first byte names the 2-bit type, as Redis does.
#[test]
fn lengths_read_like_rdb_load_len() {
    let mut r = RioReader::new(&[0xC5u8, 0x85][..], false);
    assert_eq!(load_len(&mut r).unwrap(), 5);
    match load_len(&mut r) {
        Err(LoadError::Corrupt { reason, .. }) => {
            assert_eq!(reason, "Unknown length encoding 2 in rdbLoadLen()")
        }
        other => panic!("{:?}", other),
    }
}

/// RESTORE reads the footer as Redis does: a string whose length runs
/// into it loads (redis-server 7.0.15 accepts this payload too).
#[test]
fn restore_value_may_run_into_the_footer() {
    // Type 0, length 4: "9i" and the footer's version bytes 0a 00.
    let p = unhex("00 04 39 69 0a 00 9d 94 ea 27 93 fc 08 b9");
    let v = dump::load(&p, &LoadOptions::default()).unwrap();
    match v {
        Loaded::Str(RdbStr::Bytes(b)) => assert_eq!(b, b"9i\n\0"),
        other => panic!("{:?}", other),
    }
}
