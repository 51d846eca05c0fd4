//! HyperLogLog (Redis hyperloglog.c, the data structure half): the `HYLL`
//! header, MurmurHash64A, the dense representation (16384 6-bit registers)
//! and Ertl's improved estimator. The sparse representation is in `sparse.rs`.
//!
//! An HLL is a plain string value, so its bytes must be exactly Redis's: an
//! HLL moved between Redis and ferrodis with GET/SET counts the same.

pub mod commands;
pub mod sparse;

use crate::error::CmdError;
use crate::types::Value;

/// Register index bits (HLL_P) and the register count.
pub const P: u32 = 14;
pub const REGISTERS: usize = 1 << P;
/// Bits of the hash left for the run of zeros (HLL_Q).
pub const Q: usize = 64 - P as usize;
/// Bits per dense register and its largest value.
pub const BITS: usize = 6;
pub const REGISTER_MAX: u8 = (1 << BITS) - 1;
pub const HDR_SIZE: usize = 16;
pub const DENSE_SIZE: usize = HDR_SIZE + (REGISTERS * BITS).div_ceil(8);
/// Header encoding byte values.
pub const DENSE: u8 = 0;
pub const SPARSE: u8 = 1;
const MAX_ENCODING: u8 = 1;
const ALPHA_INF: f64 = 0.721_347_520_444_481_7;

pub const NOT_HLL: CmdError =
    CmdError::fixed("WRONGTYPE Key is not a valid HyperLogLog string value.");
pub const CORRUPTED: CmdError = CmdError::fixed("INVALIDOBJ Corrupted HLL object detected");

/// The HLL is structurally broken (a sparse run overflowing the registers,
/// a bad encoding byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Corrupt;

/// MurmurHash64A as Redis ships it (little-endian words).
pub fn murmur64a(key: &[u8], seed: u32) -> u64 {
    const M: u64 = 0xc6a4_a793_5bd1_e995;
    const R: u32 = 47;
    let mut h = (seed as u64) ^ (key.len() as u64).wrapping_mul(M);
    let mut chunks = key.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        let mut k = u64::from_le_bytes(w).wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h ^= k;
        h = h.wrapping_mul(M);
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        for (i, b) in tail.iter().enumerate() {
            h ^= (*b as u64) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^= h >> R;
    h
}

/// The register an element lands in and the length of its "000..1"
/// pattern, 1..=Q+1 (`hllPatLen`).
pub fn pattern(ele: &[u8]) -> (usize, u8) {
    let hash = murmur64a(ele, 0xadc8_3b19);
    let index = (hash & (REGISTERS as u64 - 1)) as usize;
    let rest = (hash >> P) | (1u64 << Q);
    (index, rest.trailing_zeros() as u8 + 1)
}

/// Dense register `i` (`HLL_DENSE_GET_REGISTER`). The last register ends
/// exactly at the end of the string.
pub fn dense_get(regs: &[u8], i: usize) -> u8 {
    let byte = i * BITS / 8;
    let fb = (i * BITS) & 7;
    let b0 = regs[byte] as u32;
    let b1 = regs.get(byte + 1).copied().unwrap_or(0) as u32;
    (((b0 >> fb) | (b1 << (8 - fb))) & REGISTER_MAX as u32) as u8
}

/// Sets dense register `i` to `v` (`HLL_DENSE_SET_REGISTER`).
pub fn dense_set(regs: &mut [u8], i: usize, v: u8) {
    let byte = i * BITS / 8;
    let fb = (i * BITS) & 7;
    let v = v as u32;
    let m = REGISTER_MAX as u32;
    regs[byte] = ((regs[byte] as u32 & !(m << fb)) | (v << fb)) as u8;
    if let Some(b) = regs.get_mut(byte + 1) {
        let fb8 = 8 - fb;
        *b = ((*b as u32 & !(m >> fb8)) | (v >> fb8)) as u8;
    }
}

/// Raises dense register `i` to `count`; true if it changed (`hllDenseSet`).
pub fn dense_raise(regs: &mut [u8], i: usize, count: u8) -> bool {
    if count > dense_get(regs, i) {
        dense_set(regs, i, count);
        true
    } else {
        false
    }
}

/// A new empty HLL: sparse, one XZERO run covering every register
/// (`createHLLObject`).
pub fn create() -> Vec<u8> {
    let mut s = Vec::with_capacity(HDR_SIZE + 2 + 3);
    s.extend_from_slice(b"HYLL");
    s.push(SPARSE);
    s.resize(HDR_SIZE, 0);
    sparse::push_xzero(&mut s, REGISTERS);
    s
}

/// Checks that a value is a string holding an HLL (`isHLLObjectOrReply`).
pub fn check(v: &Value) -> Result<(), CmdError> {
    if !v.is_string() {
        return Err(crate::error::WRONGTYPE);
    }
    let s: &[u8] = match v {
        Value::Inline { len, buf } => &buf[..*len as usize],
        Value::Fixed(b) => b,
        Value::Raw(b) => b,
        _ => return Err(NOT_HLL),
    };
    if s.len() < HDR_SIZE || &s[..4] != b"HYLL" || s[4] > MAX_ENCODING {
        return Err(NOT_HLL);
    }
    if s[4] == DENSE && s.len() != DENSE_SIZE {
        return Err(NOT_HLL);
    }
    Ok(())
}

/// The cached cardinality, if valid (`HLL_VALID_CACHE`).
pub fn cached_card(s: &[u8]) -> Option<u64> {
    let mut b = [0u8; 8];
    b.copy_from_slice(&s[8..16]);
    (b[7] & 0x80 == 0).then(|| u64::from_le_bytes(b))
}

pub fn set_cached_card(s: &mut [u8], card: u64) {
    s[8..16].copy_from_slice(&card.to_le_bytes());
}

/// `HLL_INVALIDATE_CACHE`.
pub fn invalidate_cache(s: &mut [u8]) {
    s[15] |= 0x80;
}

/// Adds an element; true if a register changed (`hllAdd`).
pub fn add(s: &mut Vec<u8>, ele: &[u8], sparse_max: usize) -> Result<bool, Corrupt> {
    let (index, count) = pattern(ele);
    match s[4] {
        DENSE => Ok(dense_raise(&mut s[HDR_SIZE..], index, count)),
        SPARSE => sparse::set(s, index, count, sparse_max),
        _ => Err(Corrupt),
    }
}

/// Raises `max[i]` to each register of the HLL `s` (`hllMerge`).
pub fn merge_into(max: &mut [u8; REGISTERS], s: &[u8]) -> Result<(), Corrupt> {
    if s[4] == DENSE {
        let regs = &s[HDR_SIZE..];
        for (i, m) in max.iter_mut().enumerate() {
            *m = (*m).max(dense_get(regs, i));
        }
        return Ok(());
    }
    sparse::for_each_register(&s[HDR_SIZE..], |i, v| max[i] = max[i].max(v))
}

/// The register histogram: how many registers hold each value.
pub type Histogram = [u32; 64];

/// Histogram of a dense HLL's registers.
pub fn dense_histogram(regs: &[u8]) -> Histogram {
    let mut h = [0u32; 64];
    for i in 0..REGISTERS {
        h[dense_get(regs, i) as usize] += 1;
    }
    h
}

/// Histogram of plain 8-bit registers (Redis's internal HLL_RAW).
pub fn raw_histogram(regs: &[u8; REGISTERS]) -> Histogram {
    let mut h = [0u32; 64];
    for &r in regs {
        h[(r & 63) as usize] += 1;
    }
    h
}

/// `hllSigma` of Ertl's estimator.
fn sigma(mut x: f64) -> f64 {
    if x == 1.0 {
        return f64::INFINITY;
    }
    let mut y = 1.0;
    let mut z = x;
    loop {
        x *= x;
        let prev = z;
        z += x * y;
        y += y;
        if prev == z {
            return z;
        }
    }
}

/// `hllTau` of Ertl's estimator.
fn tau(mut x: f64) -> f64 {
    if x == 0.0 || x == 1.0 {
        return 0.0;
    }
    let mut y = 1.0;
    let mut z = 1.0 - x;
    loop {
        x = x.sqrt();
        let prev = z;
        y *= 0.5;
        z -= (1.0 - x) * (1.0 - x) * y;
        if prev == z {
            return z / 3.0;
        }
    }
}

/// The cardinality estimate from a register histogram (`hllCount`, Otmar
/// Ertl's "New cardinality estimation algorithms for HyperLogLog sketches").
pub fn estimate(h: &Histogram) -> u64 {
    let m = REGISTERS as f64;
    let mut z = m * tau((m - h[Q + 1] as f64) / m);
    for j in (1..=Q).rev() {
        z += h[j] as f64;
        z *= 0.5;
    }
    z += m * sigma(h[0] as f64 / m);
    (ALPHA_INF * m * m / z).round() as i64 as u64
}

/// The cardinality of a valid HLL string; Corrupt for a sparse one whose
/// runs do not cover exactly the registers.
pub fn count(s: &[u8]) -> Result<u64, Corrupt> {
    let body = &s[HDR_SIZE..];
    let h = if s[4] == DENSE {
        dense_histogram(body)
    } else {
        sparse::histogram(body)?
    };
    Ok(estimate(&h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn murmur_matches_redis() {
        // The register and count of "a", "b", "c" as Redis's PFDEBUG DECODE shows them.
        let mut regs: Vec<(usize, u8)> =
            [b"a", b"b", b"c"].iter().map(|e| pattern(&e[..])).collect();
        regs.sort();
        assert_eq!(regs, vec![(8436, 1), (12711, 2), (15780, 1)]);
    }

    #[test]
    fn dense_registers() {
        let mut regs = vec![0u8; DENSE_SIZE - HDR_SIZE];
        for i in 0..REGISTERS {
            dense_set(&mut regs, i, (i * 7 % 64) as u8);
        }
        for i in 0..REGISTERS {
            assert_eq!(dense_get(&regs, i), (i * 7 % 64) as u8);
        }
    }

    #[test]
    fn empty_counts_zero() {
        let s = create();
        assert_eq!(s.len(), 18);
        assert_eq!(count(&s), Ok(0));
    }
}
