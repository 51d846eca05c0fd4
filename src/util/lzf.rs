//! LZF compression as Redis builds liblzf 3.6 (lzf_c.c with lzfP.h's
//! HLOG 16, VERY_FAST, not ULTRA_FAST): the same hash, the same match
//! search and the same output limits, so a compressed string or quicklist
//! node has the very bytes (and length) redis-server produces. That makes
//! RDB files byte-identical and DEBUG OBJECT serializedlength exact.
//!
//! liblzf leaves its 64K-slot hash table uninitialised; an empty slot reads
//! as offset 0, which its `ref > in_data` test never takes. We keep one
//! table per thread and never clear it: slots hold `base + position`, and
//! each call moves `base` past every value stored before, so an old slot
//! reads as empty and each call costs only its input (the `lzf` crate
//! zeroes 64K entries per call). Decompression uses `lzf-rust`.

use std::cell::RefCell;

const HLOG: u32 = 16;
const HSIZE: usize = 1 << HLOG;
const MAX_LIT: usize = 1 << 5;
const MAX_OFF: usize = 1 << 13;
const MAX_REF: usize = (1 << 8) + (1 << 3);

struct Table {
    slots: Vec<u32>,
    /// Slot values at or below this are from earlier calls (empty).
    base: u32,
}

thread_local! {
    static TABLE: RefCell<Table> = RefCell::new(Table { slots: vec![0; HSIZE], base: 0 });
}

/// liblzf's IDX(h) for the 3 bytes at `p` (VERY_FAST): only these three
/// bytes reach the 16 bits kept.
#[inline(always)]
fn slot_of(p: &[u8]) -> usize {
    let h = (p[0] as u32) << 16 | (p[1] as u32) << 8 | p[2] as u32;
    ((h >> (24 - HLOG)).wrapping_sub(h.wrapping_mul(5)) as usize) & (HSIZE - 1)
}

/// Compresses `inp` into at most `cap` bytes, or None where lzf_compress
/// returns 0 (empty input, no room, or output that would not fit).
pub fn compress(inp: &[u8], cap: usize) -> Option<Vec<u8>> {
    if inp.is_empty() || cap == 0 || inp.len() >= (u32::MAX / 2) as usize {
        return None;
    }
    TABLE.with(|t| {
        let mut t = t.borrow_mut();
        if t.base as usize + inp.len() + 1 >= u32::MAX as usize {
            t.slots.iter_mut().for_each(|s| *s = 0);
            t.base = 0;
        }
        let base = t.base;
        let out = compress_with(&mut t.slots, base, inp, cap);
        t.base += inp.len() as u32;
        out
    })
}

/// Output under construction: the current literal run's header byte is
/// reserved just before its `lit` literals and filled in when it ends.
struct Out {
    buf: Vec<u8>,
    lit: usize,
}

impl Out {
    /// Closes the literal run (or drops its header when it is empty).
    fn end_run(&mut self) {
        if self.lit == 0 {
            self.buf.pop();
        } else {
            let at = self.buf.len() - self.lit - 1;
            self.buf[at] = (self.lit - 1) as u8;
        }
    }

    fn start_run(&mut self) {
        self.buf.push(0);
        self.lit = 0;
    }

    fn literal(&mut self, b: u8) {
        self.buf.push(b);
        self.lit += 1;
        if self.lit == MAX_LIT {
            self.end_run();
            self.start_run();
        }
    }
}

/// How many bytes at `r` and `ip` agree, as lzf_c.c's unrolled loop counts
/// them: at least 3 (already compared), at most `maxlen` except that with
/// `maxlen` over 16 the first 16 extra bytes are compared unbounded.
#[inline(always)]
fn match_len(inp: &[u8], r: usize, ip: usize, maxlen: usize) -> usize {
    let eq = |k: usize| inp[r + k] == inp[ip + k];
    let mut len = 3;
    if maxlen > 16 {
        while len <= 18 && eq(len) {
            len += 1;
        }
        if len <= 18 {
            return len;
        }
    }
    while len < maxlen && eq(len) {
        len += 1;
    }
    len
}

fn compress_with(slots: &mut [u32], base: u32, inp: &[u8], cap: usize) -> Option<Vec<u8>> {
    let n = inp.len();
    let mut out = Out {
        buf: Vec::with_capacity(cap.min(n + n / 16 + 4)),
        lit: 0,
    };
    out.start_run();
    let mut ip = 0usize;
    while ip + 2 < n {
        let h = slot_of(&inp[ip..]);
        let v = slots[h];
        slots[h] = base + ip as u32;
        // v - base is the earlier position; 0 and stale values never match.
        let cand = (v > base).then(|| (v - base) as usize);
        let Some(r) = cand.filter(|&r| ip - r - 1 < MAX_OFF && inp[r..r + 3] == inp[ip..ip + 3])
        else {
            if out.buf.len() >= cap {
                return None;
            }
            out.literal(inp[ip]);
            ip += 1;
            continue;
        };
        if out.buf.len() + 4 >= cap && out.buf.len() - usize::from(out.lit == 0) + 4 >= cap {
            return None;
        }
        let off = ip - r - 1;
        let len = match_len(inp, r, ip, (n - ip - 2).min(MAX_REF));
        out.end_run();
        let l = len - 2;
        if l < 7 {
            out.buf.push((off >> 8) as u8 + ((l as u8) << 5));
        } else {
            out.buf.push((off >> 8) as u8 + (7 << 5));
            out.buf.push((l - 7) as u8);
        }
        out.buf.push(off as u8);
        out.start_run();
        ip += len;
        if ip + 2 >= n {
            break;
        }
        // VERY_FAST: hash the last two positions of the match.
        for p in [ip - 2, ip - 1] {
            slots[slot_of(&inp[p..])] = base + p as u32;
        }
    }
    if out.buf.len() + 3 > cap {
        return None;
    }
    for &b in &inp[ip..] {
        out.literal(b);
    }
    out.end_run();
    Some(out.buf)
}

/// Decompresses `z` into exactly `len` bytes, or None if it is not valid
/// LZF of that length.
pub fn decompress_exact(z: &[u8], len: usize) -> Option<Vec<u8>> {
    let mut out = vec![0u8; len];
    match lzf_rust::decompress(z, &mut out) {
        Ok(n) if n == len => Some(out),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn roundtrip(data: &[u8]) {
        let c = compress(data, data.len() + data.len() / 16 + 64).expect("fits");
        assert_eq!(decompress_exact(&c, data.len()).as_deref(), Some(data));
    }

    #[test]
    fn known_shapes() {
        roundtrip(b"a");
        roundtrip(&b"abc".repeat(500));
        roundtrip(&[0u8; 10_000]);
        let noise: Vec<u8> = (0..5000u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 11) as u8)
            .collect();
        roundtrip(&noise);
        assert!(compress(&b"abc".repeat(100), 290).unwrap().len() < 40);
        assert!(compress(&noise, 100).is_none());
        assert!(compress(b"", 10).is_none());
    }

    /// Bytes redis-server 7.0.15 wrote (DUMP of SET k <value>, the LZF
    /// blob cut out): ours must be identical, not just decodable.
    #[test]
    fn same_bytes_as_redis() {
        // "a" x 30: position 0 is never a match source in liblzf.
        let a30 = compress(&[b'a'; 30], 26).unwrap();
        assert_eq!(a30, [0x01, b'a', b'a', 0xe0, 0x11, 0x00, 0x01, b'a', b'a']);
        let abc = compress(&b"abc".repeat(40), 116).unwrap();
        assert_eq!(
            abc,
            [0x03, b'a', b'b', b'c', b'a', 0xe0, 0x69, 0x02, 0x01, b'b', b'c']
        );
    }

    #[test]
    fn calls_do_not_see_each_other() {
        let x = b"0123456789abcdef0123456789abcdef-xyz".repeat(3);
        let first = compress(&x, x.len()).unwrap();
        compress(&b"other data other data other data".repeat(7), 500);
        assert_eq!(compress(&x, x.len()).unwrap(), first);
    }

    /// Not a test: times this compressor against `lzf-rust`'s on 8 KB
    /// listpack-like quicklist nodes and on 64-byte strings (docs/persistence.md).
    /// `cargo test --release --lib util::lzf -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn speed_against_lzf_rust() {
        let node: Vec<u8> = (0..8192u32)
            .map(|i| b"\x0aelement-%:"[(i % 11) as usize] ^ ((i / 97) as u8 & 3))
            .collect();
        let mut small = b"value:123456".to_vec();
        small.resize(64, 0);
        for (name, data, rounds) in [
            ("8 KB node", &node, 20_000),
            ("64 B string", &small, 1_000_000),
        ] {
            let t = std::time::Instant::now();
            let mut n = 0;
            for _ in 0..rounds {
                n += compress(std::hint::black_box(data), data.len()).map_or(0, |c| c.len());
            }
            let ours = t.elapsed() / rounds;
            let t = std::time::Instant::now();
            let mut out = vec![0u8; data.len()];
            for _ in 0..rounds {
                n += lzf_rust::compress(std::hint::black_box(data), &mut out).unwrap_or(0);
            }
            let theirs = t.elapsed() / rounds;
            println!(
                "{}: ours {:?}, lzf-rust {:?} per call ({})",
                name, ours, theirs, n
            );
        }
    }

    proptest! {
        #[test]
        fn random_roundtrip(data in proptest::collection::vec(0u8..4, 1..3000)) {
            roundtrip(&data);
        }

        /// Whatever the cap, a result never exceeds it.
        #[test]
        fn cap_is_respected(data in proptest::collection::vec(0u8..3, 1..600), cap in 1usize..700) {
            if let Some(c) = compress(&data, cap) {
                prop_assert!(c.len() <= cap);
                prop_assert_eq!(decompress_exact(&c, data.len()), Some(data));
            }
        }
    }
}
