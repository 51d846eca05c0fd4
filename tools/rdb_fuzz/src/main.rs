//! rdb-fuzz: mutates RDB files and DUMP payloads and feeds them to the
//! loader (ferrodis::persistence::rdb), deep and shallow, forever or for
//! N iterations. A panic is a bug: the input is written to crash-<n>.bin.
//!
//! Usage: rdb-fuzz [iterations] [seed files...]
//! Seeds ending in .rdb are whole files; others are DUMP payloads. Without
//! seed files, built-in seeds (strings, a list, an intset) are used.

use ferrodis::ds::intset::Intset;
use ferrodis::ds::quicklist::Quicklist;
use ferrodis::persistence::rdb::file::{self, KeyMeta, Sink};
use ferrodis::persistence::rdb::value::{Loaded, Saving};
use ferrodis::persistence::rdb::{dump, LoadOptions, LoadResult};
use ferrodis::persistence::rio::{RioReader, RioWriter};

struct Discard;

impl Sink for Discard {
    fn aux(&mut self, _: &[u8], _: &[u8]) {}
    fn select_db(&mut self, _: u64) -> LoadResult<()> {
        Ok(())
    }
    fn resize_db(&mut self, _: u64, _: u64) {}
    fn key(&mut self, _: Vec<u8>, v: Loaded, _: KeyMeta) -> LoadResult<()> {
        // Re-saving what loaded must work too.
        let p = v.save_with(|s| dump::create(s, true));
        assert!(dump::load(&p, &LoadOptions::default()).is_ok());
        Ok(())
    }
    fn empty_key(&mut self, _: &[u8]) {}
}

fn builtin_seeds() -> Vec<(bool, Vec<u8>)> {
    let mut ql = Quicklist::new(-2, 0);
    for i in 0..100 {
        ql.push_tail(format!("item-{}", i).as_bytes());
    }
    let mut is = Intset::new();
    for i in 0..50 {
        is.add(i * 1000 - 7);
    }
    let mut w = RioWriter::new(Vec::new(), true);
    file::save_header(&mut w, &[("redis-ver", "7.0.15".into())]).unwrap();
    file::save_db_header(&mut w, 0, 4, 1).unwrap();
    let ttl = KeyMeta {
        expire_ms: 1 << 42,
        ..KeyMeta::NONE
    };
    file::save_key(&mut w, b"s", Saving::Str(&b"abc".repeat(20)), ttl, true).unwrap();
    file::save_key(&mut w, b"i", Saving::Int(-5), KeyMeta::NONE, true).unwrap();
    file::save_key(&mut w, b"l", Saving::List(&ql), KeyMeta::NONE, true).unwrap();
    file::save_key(&mut w, b"is", Saving::SetIntset(&is), KeyMeta::NONE, true).unwrap();
    file::save_footer(&mut w).unwrap();
    vec![
        (true, w.into_inner()),
        (false, dump::create(Saving::List(&ql), true)),
        (false, dump::create(Saving::SetIntset(&is), false)),
    ]
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, p: &[u8]) -> Vec<u8> {
    let mut m = p.to_vec();
    let n = m.len().max(1);
    for _ in 0..1 + rng.below(3) {
        match rng.below(4) {
            0 => {
                let i = rng.below(n.min(m.len()));
                if i < m.len() {
                    m[i] ^= 1 << rng.below(8);
                }
            }
            1 => {
                let i = rng.below(m.len().max(1));
                if i < m.len() {
                    m[i] = [0u8, 0xFF, 0x80, 0xC3, 0x3F, 0xFE][rng.below(6)];
                }
            }
            2 => m.truncate(rng.below(m.len().max(1))),
            _ => {
                let a = rng.below(m.len().max(1));
                let b = (a + rng.below(32)).min(m.len());
                let chunk = m[a..b].to_vec();
                let at = rng.below(m.len().max(1));
                m.splice(at.min(m.len())..at.min(m.len()), chunk);
            }
        }
    }
    m
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let iterations: u64 = args
        .first()
        .and_then(|a| a.parse().ok())
        .unwrap_or(u64::MAX);
    let mut seeds: Vec<(bool, Vec<u8>)> = args
        .iter()
        .skip(1)
        .map(|p| (p.ends_with(".rdb"), std::fs::read(p).expect("seed file")))
        .collect();
    if seeds.is_empty() {
        seeds = builtin_seeds();
    }
    let mut rng = Rng(0x5EED ^ std::process::id() as u64);
    let (mut ok, mut err) = (0u64, 0u64);
    for i in 0..iterations {
        let (is_file, seed) = &seeds[(i % seeds.len() as u64) as usize];
        let m = mutate(&mut rng, seed);
        let opts = LoadOptions {
            deep: i % 2 == 0,
            ..LoadOptions::default()
        };
        let input = m.clone();
        let res = std::panic::catch_unwind(move || {
            if *is_file {
                let mut r = RioReader::new(&m[..], true);
                file::load(&mut r, &mut Discard, &opts, false).is_ok()
            } else {
                dump::load(&m, &opts).is_ok()
            }
        });
        match res {
            Ok(true) => ok += 1,
            Ok(false) => err += 1,
            Err(_) => {
                let name = format!("crash-{}.bin", i);
                std::fs::write(&name, &input).expect("write crash input");
                eprintln!("panic at iteration {}; input saved to {}", i, name);
                std::process::exit(1);
            }
        }
        if (i + 1) % 100_000 == 0 {
            eprintln!("{} iterations: {} loaded, {} rejected", i + 1, ok, err);
        }
    }
    println!("{} loaded, {} rejected, 0 crashes", ok, err);
}
