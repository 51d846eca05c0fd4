//! Bit operations on string values (Redis bitops.c, the helpers half):
//! popcount and first-bit search a word at a time, big-endian bitfields of
//! 1..64 bits, overflow handling of BITFIELD, and argument parsing.

pub mod commands;

use crate::error::CmdError;
use crate::util::num::string2ll;

pub const OFFSET_ERR: CmdError =
    CmdError::fixed("ERR bit offset is not an integer or out of range");
pub const TYPE_ERR: CmdError = CmdError::fixed(
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.",
);

/// Number of set bits in `s` (`redisPopcount`), eight bytes at a time.
pub fn popcount(s: &[u8]) -> u64 {
    let mut chunks = s.chunks_exact(8);
    let mut n: u64 = 0;
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        n += u64::from_ne_bytes(w).count_ones() as u64;
    }
    n + chunks
        .remainder()
        .iter()
        .map(|b| b.count_ones() as u64)
        .sum::<u64>()
}

/// Position of the first bit equal to `bit` in `s`, MSB of byte 0 first
/// (`redisBitpos`). When looking for 0 and every bit is 1 the answer is the
/// bit just past the end; when looking for 1 in all zeros it is None.
pub fn first_bit(s: &[u8], bit: bool) -> Option<u64> {
    let skip = if bit { 0u8 } else { 0xff };
    let mut chunks = s.chunks_exact(8);
    let mut pos = 0u64;
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        let v = u64::from_be_bytes(w);
        let v = if bit { v } else { !v };
        if v != 0 {
            return Some(pos + v.leading_zeros() as u64);
        }
        pos += 64;
    }
    for &b in chunks.remainder() {
        if b != skip {
            let v = if bit { b } else { !b };
            return Some(pos + v.leading_zeros() as u64);
        }
        pos += 8;
    }
    if bit {
        None
    } else {
        Some(pos)
    }
}

/// Parses a bit offset (`getBitOffsetFromArgument`). With `bits > 0` the
/// "#N" form means N * bits. Offsets must address a byte below `max_bytes`
/// (proto-max-bulk-len).
pub fn parse_offset(arg: &[u8], bits: u32, max_bytes: i64) -> Result<u64, CmdError> {
    let hash = bits > 0 && arg.first() == Some(&b'#');
    let digits = if hash { &arg[1..] } else { arg };
    let mut off = string2ll(digits).ok_or(OFFSET_ERR)?;
    if hash {
        // Redis multiplies in a C long long; overflow wraps there.
        off = off.wrapping_mul(bits as i64);
    }
    if off < 0 || (off >> 3) >= max_bytes {
        return Err(OFFSET_ERR);
    }
    Ok(off as u64)
}

/// A BITFIELD type: signedness and width (`getBitfieldTypeFromArgument`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldType {
    pub signed: bool,
    pub bits: u32,
}

/// Parses "i1".."i64" or "u1".."u63". Redis reads the width as a C string,
/// so it stops at a NUL byte.
pub fn parse_type(arg: &[u8]) -> Result<FieldType, CmdError> {
    let signed = match arg.first() {
        Some(b'i') => true,
        Some(b'u') => false,
        _ => return Err(TYPE_ERR),
    };
    let rest = &arg[1..];
    let rest = &rest[..memchr::memchr(0, rest).unwrap_or(rest.len())];
    let bits = string2ll(rest).ok_or(TYPE_ERR)?;
    let max = if signed { 64 } else { 63 };
    if !(1..=max).contains(&bits) {
        return Err(TYPE_ERR);
    }
    Ok(FieldType {
        signed,
        bits: bits as u32,
    })
}

/// Reads `bits` bits at bit `offset` as an unsigned number; bits past the
/// end of `s` read as zero (`getUnsignedBitfield` on a padded buffer).
pub fn get_unsigned(s: &[u8], offset: u64, bits: u32) -> u64 {
    let mut v = 0u64;
    for i in 0..bits as u64 {
        let o = offset + i;
        let byte = s.get((o >> 3) as usize).copied().unwrap_or(0);
        v = (v << 1) | ((byte >> (7 - (o & 7))) & 1) as u64;
    }
    v
}

/// Reads a two's complement field, sign extended (`getSignedBitfield`).
pub fn get_signed(s: &[u8], offset: u64, bits: u32) -> i64 {
    let v = get_unsigned(s, offset, bits);
    if bits < 64 && v & (1 << (bits - 1)) != 0 {
        (v | (u64::MAX << bits)) as i64
    } else {
        v as i64
    }
}

/// Writes the low `bits` bits of `v` at bit `offset`; `s` must be long enough.
pub fn set_field(s: &mut [u8], offset: u64, bits: u32, v: u64) {
    for i in 0..bits as u64 {
        let bit = (v >> (bits as u64 - 1 - i)) & 1;
        let o = offset + i;
        let shift = 7 - (o & 7);
        let b = &mut s[(o >> 3) as usize];
        *b = (*b & !(1 << shift)) | ((bit as u8) << shift);
    }
}

/// BITFIELD OVERFLOW behaviours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overflow {
    Wrap,
    Sat,
    Fail,
}

/// `value + incr` in an unsigned field of `bits` bits
/// (`checkUnsignedBitfieldOverflow`): Ok(sum) when it fits, Err(Some(v))
/// with the wrapped or saturated value on overflow, Err(None) under FAIL.
pub fn unsigned_add(value: u64, incr: i64, bits: u32, ow: Overflow) -> Result<u64, Option<u64>> {
    let max = if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    let maxincr = max.wrapping_sub(value) as i64;
    let minincr = (value as i64).wrapping_neg();
    let sat = if value > max || (incr > 0 && incr > maxincr) {
        max
    } else if incr < 0 && incr < minincr {
        0
    } else {
        return Ok(value.wrapping_add(incr as u64));
    };
    match ow {
        Overflow::Wrap => Err(Some(value.wrapping_add(incr as u64) & max)),
        Overflow::Sat => Err(Some(sat)),
        Overflow::Fail => Err(None),
    }
}

/// `value + incr` in a signed field of `bits` bits
/// (`checkSignedBitfieldOverflow`); results as in `unsigned_add`.
pub fn signed_add(value: i64, incr: i64, bits: u32, ow: Overflow) -> Result<i64, Option<i64>> {
    let max = if bits == 64 {
        i64::MAX
    } else {
        (1i64 << (bits - 1)) - 1
    };
    let min = -max - 1;
    let maxincr = (max as u64).wrapping_sub(value as u64) as i64;
    let minincr = min.wrapping_sub(value);
    let wide = bits != 64;
    let sat = if value > max
        || (wide && incr > maxincr)
        || (value >= 0 && incr > 0 && incr > maxincr)
    {
        max
    } else if value < min || (wide && incr < minincr) || (value < 0 && incr < 0 && incr < minincr) {
        min
    } else {
        return Ok(value.wrapping_add(incr));
    };
    match ow {
        Overflow::Wrap => {
            let mut c = (value as u64).wrapping_add(incr as u64);
            if bits < 64 {
                let mask = u64::MAX << bits;
                if c & (1 << (bits - 1)) != 0 {
                    c |= mask;
                } else {
                    c &= !mask;
                }
            }
            Err(Some(c as i64))
        }
        Overflow::Sat => Err(Some(sat)),
        Overflow::Fail => Err(None),
    }
}

/// The byte range and edge masks of a BITCOUNT/BITPOS range after Redis's
/// index normalisation. `first_mask`/`last_mask` have a 1 for each bit of
/// the first/last byte that lies outside the range (BIT mode only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    pub start: i64,
    pub end: i64,
    pub first_mask: u8,
    pub last_mask: u8,
}

/// Normalises `start..=end` (negative counts from the end) over a string of
/// `len` bytes, in bits when `bit` (the BYTE|BIT option).
pub fn normalize(mut start: i64, mut end: i64, len: i64, bit: bool) -> Range {
    let total = if bit { len << 3 } else { len };
    if start < 0 {
        start += total;
    }
    if end < 0 {
        end += total;
    }
    start = start.max(0);
    end = end.max(0);
    if end >= total {
        end = total - 1;
    }
    let (mut first_mask, mut last_mask) = (0, 0);
    if bit && start <= end {
        first_mask = !((1u16 << (8 - (start & 7))) - 1) as u8;
        last_mask = ((1u16 << (7 - (end & 7))) - 1) as u8;
        start >>= 3;
        end >>= 3;
    }
    Range {
        start,
        end,
        first_mask,
        last_mask,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_positions() {
        let s: Vec<u8> = (0..37u8).map(|i| i.wrapping_mul(37)).collect();
        let slow: u64 = s.iter().map(|b| b.count_ones() as u64).sum();
        assert_eq!(popcount(&s), slow);
        assert_eq!(first_bit(&[0, 0, 0x10], true), Some(19));
        assert_eq!(first_bit(&[0; 9], true), None);
        assert_eq!(first_bit(&[0xff; 9], false), Some(72));
        let mut v = vec![0xffu8; 20];
        v[17] = 0xfe;
        assert_eq!(first_bit(&v, false), Some(17 * 8 + 7));
    }

    #[test]
    fn fields() {
        let mut s = vec![0u8; 10];
        set_field(&mut s, 3, 13, 0x1abc);
        assert_eq!(get_unsigned(&s, 3, 13), 0x1abc);
        assert_eq!(get_signed(&s, 3, 13), 0x1abc - 0x2000);
        set_field(&mut s, 5, 64, u64::MAX - 5);
        assert_eq!(get_signed(&s, 5, 64), -6);
        assert_eq!(get_unsigned(&[0xff], 4, 8), 0xf0);
    }

    #[test]
    fn overflow() {
        assert_eq!(unsigned_add(250, 10, 8, Overflow::Wrap), Err(Some(4)));
        assert_eq!(unsigned_add(250, 10, 8, Overflow::Sat), Err(Some(255)));
        assert_eq!(unsigned_add(5, -10, 8, Overflow::Sat), Err(Some(0)));
        assert_eq!(unsigned_add(5, -10, 8, Overflow::Fail), Err(None));
        assert_eq!(signed_add(127, 1, 8, Overflow::Wrap), Err(Some(-128)));
        assert_eq!(signed_add(-128, -1, 8, Overflow::Sat), Err(Some(-128)));
        assert_eq!(
            signed_add(i64::MAX, 1, 64, Overflow::Wrap),
            Err(Some(i64::MIN))
        );
        assert_eq!(signed_add(3, 4, 8, Overflow::Fail), Ok(7));
        assert!(parse_type(b"u64").is_err());
        assert_eq!(parse_type(b"i8\0zz").unwrap().bits, 8);
        assert_eq!(parse_offset(b"#3", 8, 512 << 20), Ok(24));
        assert!(parse_offset(b"4294967296", 0, 512 << 20).is_err());
    }
}

#[cfg(test)]
#[path = "events_tests.rs"]
mod events_tests;
