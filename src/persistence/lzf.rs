//! An LZF compressor for RDB strings (the format of Redis's liblzf,
//! lzf_c.c). lzf-rust clears a 64K-entry hash table on every call, which
//! dominated saving many small strings; this one keeps its table across
//! calls and ignores stale entries by a generation stamp, so each call
//! costs only its input. Decompression stays with lzf-rust.

use std::cell::RefCell;

const HLOG: u32 = 14;
const HSIZE: usize = 1 << HLOG;
const MAX_LIT: usize = 32;
const MAX_OFF: usize = 1 << 13;
const MAX_REF: usize = (1 << 8) + (1 << 3);

struct Table {
    /// (position + 1, generation) per hash slot; 0 position means empty.
    slots: Vec<(u32, u32)>,
    gen: u32,
}

thread_local! {
    static TABLE: RefCell<Table> = RefCell::new(Table { slots: vec![(0, 0); HSIZE], gen: 0 });
}

fn hash(b: &[u8]) -> usize {
    let v = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
    (v.wrapping_mul(2_654_435_761) >> (32 - HLOG)) as usize
}

/// Output with a capacity limit: pushing past it fails the compression.
struct Out {
    buf: Vec<u8>,
    cap: usize,
}

impl Out {
    fn push(&mut self, b: u8) -> Option<()> {
        (self.buf.len() < self.cap).then(|| self.buf.push(b))
    }

    fn literals(&mut self, lit: &[u8]) -> Option<()> {
        for chunk in lit.chunks(MAX_LIT) {
            if self.buf.len() + 1 + chunk.len() > self.cap {
                return None;
            }
            self.buf.push((chunk.len() - 1) as u8);
            self.buf.extend_from_slice(chunk);
        }
        Some(())
    }
}

/// Compresses `inp` into at most `cap` bytes; None if it does not fit
/// (lzf_compress returning 0).
pub fn compress(inp: &[u8], cap: usize) -> Option<Vec<u8>> {
    TABLE.with(|t| {
        let mut t = t.borrow_mut();
        t.gen = t.gen.wrapping_add(1);
        if t.gen == 0 {
            t.slots.iter_mut().for_each(|s| *s = (0, 0));
            t.gen = 1;
        }
        compress_with(&mut t, inp, cap)
    })
}

fn compress_with(t: &mut Table, inp: &[u8], cap: usize) -> Option<Vec<u8>> {
    let n = inp.len();
    let gen = t.gen;
    let mut out = Out {
        buf: Vec::with_capacity(cap.min(n + n / 32 + 1)),
        cap,
    };
    let (mut ip, mut lit) = (0usize, 0usize);
    while ip + 2 < n {
        let h = hash(&inp[ip..]);
        let (slot, g) = t.slots[h];
        t.slots[h] = (ip as u32 + 1, gen);
        let cand = slot as usize;
        if g == gen && cand > 0 {
            let r = cand - 1;
            let off = ip - r - 1;
            if off < MAX_OFF && inp[r..r + 3] == inp[ip..ip + 3] {
                let max = (n - ip).min(MAX_REF);
                let mut len = 3;
                while len < max && inp[r + len] == inp[ip + len] {
                    len += 1;
                }
                out.literals(&inp[lit..ip])?;
                let l = len - 2;
                let hi = (off >> 8) as u8;
                if l < 7 {
                    out.push(((l as u8) << 5) | hi)?;
                } else {
                    out.push((7 << 5) | hi)?;
                    out.push((l - 7) as u8)?;
                }
                out.push(off as u8)?;
                for p in ip + 1..(ip + len).min(n.saturating_sub(2)) {
                    t.slots[hash(&inp[p..])] = (p as u32 + 1, gen);
                }
                ip += len;
                lit = ip;
                continue;
            }
        }
        ip += 1;
    }
    out.literals(&inp[lit..])?;
    Some(out.buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn roundtrip(data: &[u8]) {
        let c = compress(data, data.len() + data.len() / 16 + 64).expect("fits");
        let mut out = vec![0u8; data.len()];
        let n = lzf_rust::decompress(&c, &mut out).expect("valid LZF");
        assert_eq!(&out[..n], data);
    }

    #[test]
    fn known_shapes() {
        roundtrip(b"");
        roundtrip(b"a");
        roundtrip(&b"abc".repeat(500));
        roundtrip(&[0u8; 10_000]);
        let noise: Vec<u8> = (0..5000u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 11) as u8)
            .collect();
        roundtrip(&noise);
        // A repetitive string must shrink; cap enforcement returns None.
        assert!(compress(&b"abc".repeat(100), 290).unwrap().len() < 40);
        assert!(compress(&noise, 100).is_none());
    }

    proptest! {
        #[test]
        fn random_roundtrip(data in proptest::collection::vec(0u8..4, 0..3000)) {
            roundtrip(&data);
        }
    }
}
