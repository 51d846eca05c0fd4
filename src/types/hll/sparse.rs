//! The sparse HyperLogLog representation (Redis hyperloglog.c, sparse half).
//! Three opcodes describe runs of registers:
//!   ZERO  00xxxxxx           1..64 zero registers
//!   XZERO 01xxxxxx yyyyyyyy  1..16384 zero registers
//!   VAL   1vvvvvxx           1..4 registers holding 1..32
//! Updates rewrite the opcode covering the register in place and then merge
//! neighbouring VAL runs in a small window, exactly as Redis does, so the
//! bytes stay identical to Redis's for the same sequence of additions.
//! Redis strings end with a NUL byte that a truncated XZERO reads as its
//! second byte; `at` mirrors that.

use super::{dense_raise, dense_set, Corrupt, Histogram, DENSE, DENSE_SIZE, HDR_SIZE, REGISTERS};

const ZERO_MAX_LEN: usize = 64;
const VAL_MAX_VALUE: u8 = 32;
const VAL_MAX_LEN: usize = 4;

fn is_zero(b: u8) -> bool {
    b & 0xc0 == 0
}
fn is_xzero(b: u8) -> bool {
    b & 0xc0 == 0x40
}
fn is_val(b: u8) -> bool {
    b & 0x80 != 0
}
fn val_value(b: u8) -> u8 {
    ((b >> 2) & 0x1f) + 1
}
fn val_len(b: u8) -> usize {
    (b & 3) as usize + 1
}
fn val_op(value: u8, len: usize) -> u8 {
    (((value - 1) << 2) | (len as u8 - 1)) | 0x80
}

/// The byte at `i`, or the string's NUL terminator past the end.
fn at(s: &[u8], i: usize) -> u8 {
    s.get(i).copied().unwrap_or(0)
}

/// One decoded opcode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Zero(usize),
    XZero(usize),
    Val(u8, usize),
}

impl Op {
    /// The opcode at `p` and its size in bytes.
    fn decode(s: &[u8], p: usize) -> (Op, usize) {
        let b = s[p];
        if is_zero(b) {
            (Op::Zero((b & 0x3f) as usize + 1), 1)
        } else if is_xzero(b) {
            let len = (((b & 0x3f) as usize) << 8 | at(s, p + 1) as usize) + 1;
            (Op::XZero(len), 2)
        } else {
            (Op::Val(val_value(b), val_len(b)), 1)
        }
    }

    pub fn span(self) -> usize {
        match self {
            Op::Zero(n) | Op::XZero(n) | Op::Val(_, n) => n,
        }
    }
}

/// The opcodes of a sparse body, in order.
pub fn ops(body: &[u8]) -> impl Iterator<Item = Op> + '_ {
    let mut p = 0;
    std::iter::from_fn(move || {
        if p >= body.len() {
            return None;
        }
        let (op, n) = Op::decode(body, p);
        p += n;
        Some(op)
    })
}

/// Appends XZERO opcodes covering `n` zero registers.
pub fn push_xzero(s: &mut Vec<u8>, mut n: usize) {
    while n > 0 {
        let len = n.min(REGISTERS);
        let l = len - 1;
        s.push((l >> 8) as u8 | 0x40);
        s.push((l & 0xff) as u8);
        n -= len;
    }
}

/// Appends the opcode for a zero run of 1..=16384 registers.
fn push_zero_run(seq: &mut Vec<u8>, len: usize) {
    if len > ZERO_MAX_LEN {
        push_xzero(seq, len);
    } else {
        seq.push(len as u8 - 1);
    }
}

/// Calls `f(register, value)` for every register in a VAL run; fails when
/// a run would pass the last register or the runs do not cover exactly all
/// registers (`hllMerge` and `hllSparseToDense` with the CVE-2025-32023
/// checks, as the reference redis-server 7.0.15 build has them).
pub fn for_each_register(body: &[u8], mut f: impl FnMut(usize, u8)) -> Result<(), Corrupt> {
    let mut i = 0usize;
    for op in ops(body) {
        let n = op.span();
        if i + n > REGISTERS {
            return Err(Corrupt);
        }
        if let Op::Val(v, _) = op {
            (i..i + n).for_each(|r| f(r, v));
        }
        i += n;
    }
    if i == REGISTERS {
        Ok(())
    } else {
        Err(Corrupt)
    }
}

/// The register histogram of a sparse body (`hllSparseRegHisto`).
pub fn histogram(body: &[u8]) -> Result<Histogram, Corrupt> {
    let mut h = [0u32; 64];
    let mut idx = 0usize;
    for op in ops(body) {
        match op {
            Op::Zero(n) | Op::XZero(n) => h[0] += n as u32,
            Op::Val(v, n) => h[v as usize] += n as u32,
        }
        idx += op.span();
    }
    if idx == REGISTERS {
        Ok(h)
    } else {
        Err(Corrupt)
    }
}

/// Converts a sparse HLL to dense in place, keeping the header; a dense one
/// is left alone (`hllSparseToDense`).
pub fn to_dense(s: &mut Vec<u8>) -> Result<(), Corrupt> {
    if s[4] == DENSE {
        return Ok(());
    }
    let mut dense = vec![0u8; DENSE_SIZE];
    dense[..HDR_SIZE].copy_from_slice(&s[..HDR_SIZE]);
    dense[4] = DENSE;
    let regs = &mut dense[HDR_SIZE..];
    for_each_register(&s[HDR_SIZE..], |i, v| dense_set(regs, i, v))?;
    *s = dense;
    Ok(())
}

/// PFDEBUG DECODE's text: "z:3 Z:100 v:2,1".
pub fn decode_text(body: &[u8]) -> Vec<u8> {
    let parts: Vec<String> = ops(body)
        .map(|op| match op {
            Op::Zero(n) => format!("z:{}", n),
            Op::XZero(n) => format!("Z:{}", n),
            Op::Val(v, n) => format!("v:{},{}", v, n),
        })
        .collect();
    parts.join(" ").into_bytes()
}

/// Raises register `index` to `count` (`hllSparseSet`): returns whether it
/// changed. Promotes to dense when `count` does not fit a VAL opcode or the
/// string would grow past `max_bytes` (hll-sparse-max-bytes).
pub fn set(s: &mut Vec<u8>, index: usize, count: u8, max_bytes: usize) -> Result<bool, Corrupt> {
    if count > VAL_MAX_VALUE {
        return promote(s, index, count);
    }
    // Step 1: find the opcode covering `index`.
    let end = s.len();
    let (mut p, mut first, mut prev) = (HDR_SIZE, 0usize, None);
    let mut found = None;
    while p < end {
        let (op, n) = Op::decode(s, p);
        if index < first + op.span() {
            found = Some((op, n));
            break;
        }
        prev = Some(p);
        p += n;
        first += op.span();
    }
    let Some((op, oplen)) = found else {
        return Err(Corrupt);
    };
    // Step 2: the trivial in-place updates, else the split sequence.
    match op {
        Op::Val(v, _) if v >= count => return Ok(false),
        Op::Val(_, 1) | Op::Zero(1) => s[p] = val_op(count, 1),
        _ => {
            let seq = split(op, index - first, count);
            // Step 3: replace the opcode, unless that makes the string too big.
            let newlen = end + seq.len() - oplen;
            if seq.len() > oplen && newlen > max_bytes {
                return promote(s, index, count);
            }
            // A truncated XZERO at the very end (2 bytes, 1 present) leaves
            // one byte of the sequence past the new length; it is dropped.
            let tail = (p + oplen).min(end);
            s.splice(p..tail, seq);
            s.truncate(newlen);
        }
    }
    merge_vals(s, prev.unwrap_or(HDR_SIZE));
    super::invalidate_cache(s);
    Ok(true)
}

/// The opcodes replacing `op` when the register `at` registers into it
/// becomes `count`: the part before, a VAL of one, the part after.
fn split(op: Op, at: usize, count: u8) -> Vec<u8> {
    let mut seq = Vec::with_capacity(5);
    let after = op.span() - 1 - at;
    let run = |seq: &mut Vec<u8>, len: usize| match op {
        Op::Val(v, _) => seq.push(val_op(v, len)),
        _ => push_zero_run(seq, len),
    };
    if at > 0 {
        run(&mut seq, at);
    }
    seq.push(val_op(count, 1));
    if after > 0 {
        run(&mut seq, after);
    }
    seq
}

/// Step 4 of an update: merges adjacent VAL opcodes of equal value whose
/// lengths fit one opcode, scanning at most 5 opcodes from `p`.
fn merge_vals(s: &mut Vec<u8>, mut p: usize) {
    let mut scan = 5;
    while p < s.len() && scan > 0 {
        scan -= 1;
        let b = s[p];
        if is_xzero(b) {
            p += 2;
            continue;
        }
        if is_zero(b) {
            p += 1;
            continue;
        }
        if p + 1 < s.len() && is_val(s[p + 1]) && val_value(b) == val_value(s[p + 1]) {
            let len = val_len(b) + val_len(s[p + 1]);
            if len <= VAL_MAX_LEN {
                s[p + 1] = val_op(val_value(b), len);
                s.remove(p);
                continue;
            }
        }
        p += 1;
    }
}

/// Converts to dense and sets the register there.
fn promote(s: &mut Vec<u8>, index: usize, count: u8) -> Result<bool, Corrupt> {
    to_dense(s)?;
    Ok(dense_raise(&mut s[HDR_SIZE..], index, count))
}

#[cfg(test)]
mod tests {
    use super::super::{count, create, pattern};
    use super::*;

    #[test]
    fn three_elements_like_redis() {
        let mut s = create();
        for e in [b"a", b"b", b"c"] {
            let (i, c) = pattern(e);
            assert_eq!(set(&mut s, i, c, 3000), Ok(true));
        }
        assert_eq!(
            decode_text(&s[HDR_SIZE..]),
            b"Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603".to_vec()
        );
        assert_eq!(count(&s), Ok(3));
    }

    #[test]
    fn truncated_xzero_is_safe() {
        let mut s = create();
        s.pop();
        // Z:(0x3f << 8 | NUL) + 1 = 16129 registers, then nothing: corrupt.
        assert!(histogram(&s[HDR_SIZE..]).is_err());
        assert_eq!(set(&mut s, 16000, 3, 3000), Ok(true));
        assert_eq!(set(&mut s, 16383, 3, 3000), Err(Corrupt));
    }
}
