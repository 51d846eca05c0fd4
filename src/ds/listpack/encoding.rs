//! Listpack entry encodings (Redis listpack.c, 7.0 format): the encoding
//! byte, integer and string payloads, and the backward-readable entry length.
//!
//! Every decoder here takes the whole buffer and an offset and returns `None`
//! instead of reading past the end, so corrupt input can never panic.

use crate::util::num::string2ll;

/// Bytes in the header: total bytes (u32 LE) + number of elements (u16 LE).
pub const HDR_SIZE: usize = 6;
/// The element count stored in the header when the real count does not fit.
pub const NUMELE_UNKNOWN: u16 = u16::MAX;
/// The terminator byte.
pub const EOF: u8 = 0xFF;
/// Largest integer encoding: a tag byte plus eight value bytes.
pub const MAX_INT_ENCODING_LEN: usize = 9;
/// Largest backlen encoding.
pub const MAX_BACKLEN_SIZE: usize = 5;

const ENC_6BIT_STR: u8 = 0x80;
const ENC_13BIT_INT: u8 = 0xC0;
const ENC_12BIT_STR: u8 = 0xE0;
const ENC_32BIT_STR: u8 = 0xF0;
const ENC_16BIT_INT: u8 = 0xF1;
const ENC_24BIT_INT: u8 = 0xF2;
const ENC_32BIT_INT: u8 = 0xF3;
const ENC_64BIT_INT: u8 = 0xF4;

/// The string-or-integer value of one listpack entry.
///
/// Integers are stored and returned as integers; a string that parses as an
/// integer under Redis's strict rules is always stored in integer form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LpValue<'a> {
    Str(&'a [u8]),
    Int(i64),
}

impl<'a> LpValue<'a> {
    /// Appends the value's bytes (the decimal form for integers) to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        match *self {
            LpValue::Str(s) => out.extend_from_slice(s),
            LpValue::Int(v) => crate::util::num::push_i64(out, v),
        }
    }

    /// The value as bytes (allocates).
    pub fn to_vec(&self) -> Vec<u8> {
        let mut v = Vec::new();
        self.write_to(&mut v);
        v
    }

    /// An owned copy.
    pub fn to_owned_value(&self) -> LpOwned {
        match *self {
            LpValue::Str(s) => LpOwned::Str(s.to_vec()),
            LpValue::Int(v) => LpOwned::Int(v),
        }
    }

    /// True when the value's string form equals `s` (lpCompare).
    pub fn eq_bytes(&self, s: &[u8]) -> bool {
        match *self {
            LpValue::Str(v) => v == s,
            LpValue::Int(v) => string2int(s) == Some(v),
        }
    }

    /// The integer value: integers as they are, strings when they parse
    /// strictly as a 64-bit integer.
    pub fn as_int(&self) -> Option<i64> {
        match *self {
            LpValue::Str(s) => string2int(s),
            LpValue::Int(v) => Some(v),
        }
    }
}

/// An owned listpack value, as returned by pops and lookups that must
/// outlive the container's borrow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LpOwned {
    Str(Vec<u8>),
    Int(i64),
}

impl LpOwned {
    /// Borrows as an [`LpValue`].
    pub fn as_value(&self) -> LpValue<'_> {
        match self {
            LpOwned::Str(s) => LpValue::Str(s),
            LpOwned::Int(v) => LpValue::Int(*v),
        }
    }

    /// The value as bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        match self {
            LpOwned::Str(s) => s,
            LpOwned::Int(v) => LpValue::Int(v).to_vec(),
        }
    }
}

/// lpStringToInt64: the same strict rules as Redis's `string2ll` (no spaces,
/// no `+`, no leading zeros, no "-0"), so a string converts exactly when
/// Redis would store it as an integer.
pub fn string2int(s: &[u8]) -> Option<i64> {
    string2ll(s)
}

/// An entry encoded and ready to be written: the header (or the whole
/// integer), the string payload and the backlen.
pub(super) struct Encoded<'a> {
    head: [u8; MAX_INT_ENCODING_LEN],
    head_len: usize,
    payload: &'a [u8],
    back: [u8; MAX_BACKLEN_SIZE],
    back_len: usize,
}

impl<'a> Encoded<'a> {
    /// Encodes `v`; strings that look like integers become integers
    /// (lpEncodeGetType).
    pub fn new(v: LpValue<'a>) -> Encoded<'a> {
        let mut e = Encoded {
            head: [0; MAX_INT_ENCODING_LEN],
            head_len: 0,
            payload: &[],
            back: [0; MAX_BACKLEN_SIZE],
            back_len: 0,
        };
        match v {
            LpValue::Int(i) => e.head_len = encode_int(i, &mut e.head),
            LpValue::Str(s) => match string2int(s) {
                Some(i) => e.head_len = encode_int(i, &mut e.head),
                None => {
                    e.head_len = encode_str_header(s.len(), &mut e.head);
                    e.payload = s;
                }
            },
        }
        e.back_len = encode_backlen(e.head_len + e.payload.len(), &mut e.back);
        e
    }

    /// Total bytes including the backlen.
    pub fn len(&self) -> usize {
        self.head_len + self.payload.len() + self.back_len
    }

    /// Appends the entry to `out`.
    pub fn append_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.head[..self.head_len]);
        out.extend_from_slice(self.payload);
        out.extend_from_slice(&self.back[..self.back_len]);
    }

    /// Writes the entry into `dst`, which must be exactly `len()` bytes.
    pub fn write(&self, dst: &mut [u8]) {
        let (h, rest) = dst.split_at_mut(self.head_len);
        h.copy_from_slice(&self.head[..self.head_len]);
        let (p, b) = rest.split_at_mut(self.payload.len());
        p.copy_from_slice(self.payload);
        b.copy_from_slice(&self.back[..self.back_len]);
    }
}

/// Encodes an integer in the smallest of the integer encodings and returns
/// the number of bytes written.
pub fn encode_int(v: i64, out: &mut [u8; MAX_INT_ENCODING_LEN]) -> usize {
    if (0..=127).contains(&v) {
        out[0] = v as u8;
        1
    } else if (-4096..=4095).contains(&v) {
        let u = (v as u64) & 0x1FFF;
        out[0] = (u >> 8) as u8 | ENC_13BIT_INT;
        out[1] = u as u8;
        2
    } else if (-32768..=32767).contains(&v) {
        out[0] = ENC_16BIT_INT;
        out[1..3].copy_from_slice(&(v as i16).to_le_bytes());
        3
    } else if (-8_388_608..=8_388_607).contains(&v) {
        out[0] = ENC_24BIT_INT;
        out[1..4].copy_from_slice(&(v as i32).to_le_bytes()[..3]);
        4
    } else if (i32::MIN as i64..=i32::MAX as i64).contains(&v) {
        out[0] = ENC_32BIT_INT;
        out[1..5].copy_from_slice(&(v as i32).to_le_bytes());
        5
    } else {
        out[0] = ENC_64BIT_INT;
        out[1..9].copy_from_slice(&v.to_le_bytes());
        9
    }
}

/// Writes the header of a string of `len` bytes; returns the header size.
fn encode_str_header(len: usize, out: &mut [u8; MAX_INT_ENCODING_LEN]) -> usize {
    if len < 64 {
        out[0] = len as u8 | ENC_6BIT_STR;
        1
    } else if len < 4096 {
        out[0] = (len >> 8) as u8 | ENC_12BIT_STR;
        out[1] = len as u8;
        2
    } else {
        out[0] = ENC_32BIT_STR;
        out[1..5].copy_from_slice(&(len as u32).to_le_bytes());
        5
    }
}

/// Bytes needed to store the backlen of an entry of `l` bytes.
pub fn backlen_size(l: usize) -> usize {
    if l <= 127 {
        1
    } else if l < 16383 {
        2
    } else if l < 2_097_151 {
        3
    } else if l < 268_435_455 {
        4
    } else {
        5
    }
}

/// lpEncodeBacklen: the entry length written so it can be read backwards
/// from the entry's last byte (the first byte holds the high bits and no
/// continuation flag).
pub fn encode_backlen(l: usize, out: &mut [u8; MAX_BACKLEN_SIZE]) -> usize {
    let n = backlen_size(l);
    let l = l as u64;
    out[0] = (l >> (7 * (n - 1))) as u8;
    for (i, b) in out.iter_mut().enumerate().take(n).skip(1) {
        *b = ((l >> (7 * (n - 1 - i))) & 127) as u8 | 128;
    }
    n
}

/// lpDecodeBacklen: reads the backlen that ends at `buf[end]`. `None` when
/// it would run past the start of `buf` or uses more than five bytes.
pub fn decode_backlen(buf: &[u8], end: usize) -> Option<u64> {
    let mut val = 0u64;
    let mut shift = 0u32;
    let mut p = end;
    loop {
        let b = *buf.get(p)?;
        val |= ((b & 127) as u64) << shift;
        if b & 128 == 0 {
            return Some(val);
        }
        shift += 7;
        if shift > 28 {
            return None;
        }
        p = p.checked_sub(1)?;
    }
}

/// lpCurrentEncodedSizeBytes: bytes of tag plus length field for the entry
/// whose first byte is `b`; 0 for an invalid tag, 1 for EOF.
pub fn header_size(b: u8) -> usize {
    if b & 0x80 == 0 || b & 0xC0 == ENC_6BIT_STR || b & 0xE0 == ENC_13BIT_INT {
        1
    } else if b & 0xF0 == ENC_12BIT_STR {
        2
    } else {
        match b {
            ENC_16BIT_INT | ENC_24BIT_INT | ENC_32BIT_INT | ENC_64BIT_INT | EOF => 1,
            ENC_32BIT_STR => 5,
            _ => 0,
        }
    }
}

/// lpCurrentEncodedSizeUnsafe made safe: the size of the entry at `p`
/// without its backlen (tag, length field and payload). `None` for an
/// invalid tag or a length field that is cut off.
pub fn encoded_size(buf: &[u8], p: usize) -> Option<u64> {
    let b = *buf.get(p)?;
    let n = if b & 0x80 == 0 {
        1
    } else if b & 0xC0 == ENC_6BIT_STR {
        1 + (b & 0x3F) as u64
    } else if b & 0xE0 == ENC_13BIT_INT {
        2
    } else if b & 0xF0 == ENC_12BIT_STR {
        2 + ((((b & 0x0F) as u64) << 8) | *buf.get(p + 1)? as u64)
    } else {
        match b {
            ENC_16BIT_INT => 3,
            ENC_24BIT_INT => 4,
            ENC_32BIT_INT => 5,
            ENC_64BIT_INT => 9,
            ENC_32BIT_STR => 5 + u32::from_le_bytes(buf.get(p + 1..p + 5)?.try_into().ok()?) as u64,
            EOF => 1,
            _ => return None,
        }
    };
    Some(n)
}

/// The full size of the entry at `p` including its backlen (lpSkip's step).
pub fn entry_size(buf: &[u8], p: usize) -> Option<usize> {
    let n = usize::try_from(encoded_size(buf, p)?).ok()?;
    n.checked_add(backlen_size(n))
}

/// lpGet: decodes the entry at `p`. `None` when the tag is invalid or the
/// entry runs past the buffer.
pub fn decode(buf: &[u8], p: usize) -> Option<LpValue<'_>> {
    let b = *buf.get(p)?;
    let field = |n: usize| buf.get(p + 1..p + 1 + n);
    let sext = |bytes: &[u8], bits: u32| {
        let mut u = 0u64;
        for (i, x) in bytes.iter().enumerate() {
            u |= (*x as u64) << (8 * i);
        }
        ((u << (64 - bits)) as i64) >> (64 - bits)
    };
    let v = if b & 0x80 == 0 {
        LpValue::Int((b & 0x7F) as i64)
    } else if b & 0xC0 == ENC_6BIT_STR {
        LpValue::Str(field((b & 0x3F) as usize)?)
    } else if b & 0xE0 == ENC_13BIT_INT {
        let u = (((b & 0x1F) as u64) << 8) | *buf.get(p + 1)? as u64;
        LpValue::Int(((u << 51) as i64) >> 51)
    } else if b & 0xF0 == ENC_12BIT_STR {
        let len = (((b & 0x0F) as usize) << 8) | *buf.get(p + 1)? as usize;
        LpValue::Str(buf.get(p + 2..p + 2 + len)?)
    } else {
        match b {
            ENC_16BIT_INT => LpValue::Int(sext(field(2)?, 16)),
            ENC_24BIT_INT => LpValue::Int(sext(field(3)?, 24)),
            ENC_32BIT_INT => LpValue::Int(sext(field(4)?, 32)),
            ENC_64BIT_INT => LpValue::Int(sext(field(8)?, 64)),
            ENC_32BIT_STR => {
                let len = u32::from_le_bytes(field(4)?.try_into().ok()?) as usize;
                LpValue::Str(buf.get(p + 5..(p + 5).checked_add(len)?)?)
            }
            _ => return None,
        }
    };
    Some(v)
}

/// Reads the header's total-bytes field.
pub fn hdr_total_bytes(buf: &[u8]) -> Option<u32> {
    Some(u32::from_le_bytes(buf.get(0..4)?.try_into().ok()?))
}

/// Reads the header's element-count field.
pub fn hdr_num_elements(buf: &[u8]) -> Option<u16> {
    Some(u16::from_le_bytes(buf.get(4..6)?.try_into().ok()?))
}
