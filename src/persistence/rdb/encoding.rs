//! RDB primitives (Redis rdb.c rdbSaveLen/rdbLoadLen, rdbSaveRawString,
//! rdbGenericLoadStringObject, the double encodings and the time fields).

use std::io::{self, Read, Write};

use super::{corrupt, LoadError, LoadResult};
use crate::persistence::rio::{RioReader, RioWriter};

const LEN_6BIT: u8 = 0;
const LEN_14BIT: u8 = 1;
const LEN_32BIT: u8 = 0x80;
const LEN_64BIT: u8 = 0x81;
const ENCVAL: u8 = 3;

/// Special string encodings after an `11xxxxxx` length byte (RDB_ENC_*).
pub const ENC_INT8: u64 = 0;
pub const ENC_INT16: u64 = 1;
pub const ENC_INT32: u64 = 2;
pub const ENC_LZF: u64 = 3;

/// Largest expansion LZF can produce: a 3-byte back reference copies at
/// most 264 bytes. Lengths beyond that are corrupt, not allocated.
const LZF_MAX_RATIO: u64 = 90;

// ---- writing ----------------------------------------------------------

pub fn save_type<W: Write>(w: &mut RioWriter<W>, t: u8) -> io::Result<()> {
    w.write(&[t])
}

/// rdbSaveLen: 6, 14, 32 or 64 bits by size.
pub fn save_len<W: Write>(w: &mut RioWriter<W>, len: u64) -> io::Result<()> {
    if len < 1 << 6 {
        w.write(&[(len as u8) | (LEN_6BIT << 6)])
    } else if len < 1 << 14 {
        w.write(&[((len >> 8) as u8) | (LEN_14BIT << 6), len as u8])
    } else if len <= u32::MAX as u64 {
        w.write(&[LEN_32BIT])?;
        w.write(&(len as u32).to_be_bytes())
    } else {
        w.write(&[LEN_64BIT])?;
        w.write(&len.to_be_bytes())
    }
}

/// rdbEncodeInteger: the 2, 3 or 5 byte form of an integer that fits 32 bits.
pub fn encode_integer(v: i64, out: &mut [u8; 5]) -> Option<usize> {
    let enc = |e: u64| (ENCVAL << 6) | e as u8;
    if (i8::MIN as i64..=i8::MAX as i64).contains(&v) {
        out[0] = enc(ENC_INT8);
        out[1] = v as u8;
        Some(2)
    } else if (i16::MIN as i64..=i16::MAX as i64).contains(&v) {
        out[0] = enc(ENC_INT16);
        out[1..3].copy_from_slice(&(v as i16).to_le_bytes());
        Some(3)
    } else if (i32::MIN as i64..=i32::MAX as i64).contains(&v) {
        out[0] = enc(ENC_INT32);
        out[1..5].copy_from_slice(&(v as i32).to_le_bytes());
        Some(5)
    } else {
        None
    }
}

/// rdbTryIntegerEncoding: only strings that are the canonical form of an
/// integer (so they load back byte-identical).
fn try_integer_encoding(s: &[u8], out: &mut [u8; 5]) -> Option<usize> {
    let v = crate::util::num::string2ll(s)?;
    encode_integer(v, out)
}

/// rdbSaveRawString: integer form for short numeric strings, LZF when
/// `compress` and it saves space, else length + bytes.
pub fn save_string<W: Write>(w: &mut RioWriter<W>, s: &[u8], compress: bool) -> io::Result<()> {
    if s.len() <= 11 {
        let mut buf = [0u8; 5];
        if let Some(n) = try_integer_encoding(s, &mut buf) {
            return w.write(&buf[..n]);
        }
    }
    if compress && s.len() > 20 && save_lzf_string(w, s)? {
        return Ok(());
    }
    save_len(w, s.len() as u64)?;
    w.write(s)
}

/// rdbSaveLzfStringObject: writes the LZF form if it is at least 4 bytes
/// smaller; returns false (nothing written) otherwise.
fn save_lzf_string<W: Write>(w: &mut RioWriter<W>, s: &[u8]) -> io::Result<bool> {
    if s.len() <= 4 {
        return Ok(false);
    }
    match crate::util::lzf::compress(s, s.len() - 4) {
        Some(out) if !out.is_empty() => {
            save_lzf_blob(w, &out, s.len())?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// rdbSaveLzfBlob: an already compressed blob (quicklist nodes).
pub fn save_lzf_blob<W: Write>(w: &mut RioWriter<W>, lzf: &[u8], raw_len: usize) -> io::Result<()> {
    w.write(&[(ENCVAL << 6) | ENC_LZF as u8])?;
    save_len(w, lzf.len() as u64)?;
    save_len(w, raw_len as u64)?;
    w.write(lzf)
}

/// rdbSaveLongLongAsStringObject: the integer form when it fits, else digits.
pub fn save_int_string<W: Write>(w: &mut RioWriter<W>, v: i64) -> io::Result<()> {
    let mut buf = [0u8; 5];
    if let Some(n) = encode_integer(v, &mut buf) {
        return w.write(&buf[..n]);
    }
    let s = v.to_string();
    save_len(w, s.len() as u64)?;
    w.write(s.as_bytes())
}

/// rdbSaveBinaryDoubleValue: 8 bytes little endian.
pub fn save_binary_double<W: Write>(w: &mut RioWriter<W>, v: f64) -> io::Result<()> {
    w.write(&v.to_le_bytes())
}

pub fn save_millis<W: Write>(w: &mut RioWriter<W>, ms: i64) -> io::Result<()> {
    w.write(&ms.to_le_bytes())
}

/// rdbSaveAuxField with a string value.
pub fn save_aux<W: Write>(w: &mut RioWriter<W>, key: &[u8], val: &[u8]) -> io::Result<()> {
    save_type(w, super::OPCODE_AUX)?;
    save_string(w, key, true)?;
    save_string(w, val, true)
}

// ---- reading ----------------------------------------------------------

pub fn load_u8<R: Read>(r: &mut RioReader<R>) -> LoadResult<u8> {
    let mut b = [0u8; 1];
    r.read_exact(&mut b)?;
    Ok(b[0])
}

/// rdbLoadLenByRef: the length and whether it is a special encoding
/// (then the value is one of ENC_*).
pub fn load_len_enc<R: Read>(r: &mut RioReader<R>) -> LoadResult<(u64, bool)> {
    let b = load_u8(r)?;
    match b >> 6 {
        LEN_6BIT => Ok(((b & 0x3F) as u64, false)),
        LEN_14BIT => {
            let b2 = load_u8(r)?;
            Ok(((((b & 0x3F) as u64) << 8) | b2 as u64, false))
        }
        ENCVAL => Ok(((b & 0x3F) as u64, true)),
        _ if b == LEN_32BIT => {
            let mut x = [0u8; 4];
            r.read_exact(&mut x)?;
            Ok((u32::from_be_bytes(x) as u64, false))
        }
        _ if b == LEN_64BIT => {
            let mut x = [0u8; 8];
            r.read_exact(&mut x)?;
            Ok((u64::from_be_bytes(x), false))
        }
        // Redis names the 2-bit type here, which is always 2.
        _ => Err(corrupt(format!(
            "Unknown length encoding {} in rdbLoadLen()",
            b >> 6
        ))),
    }
}

/// rdbLoadLen(rdb, NULL): where no encoded value is expected, Redis takes
/// an encoded-value byte's 6 bits as the length, and so do we.
pub fn load_len<R: Read>(r: &mut RioReader<R>) -> LoadResult<u64> {
    load_len_enc(r).map(|(len, _)| len)
}

/// A length used to size a collection: bounded by usize.
pub fn load_count<R: Read>(r: &mut RioReader<R>) -> LoadResult<usize> {
    usize::try_from(load_len(r)?).map_err(|_| corrupt("Length out of range"))
}

/// A loaded string, keeping integer encodings as integers (RDB_LOAD_ENC).
#[derive(Clone, Debug, PartialEq)]
pub enum RdbStr {
    Int(i64),
    Bytes(Vec<u8>),
}

impl RdbStr {
    pub fn into_bytes(self) -> Vec<u8> {
        match self {
            RdbStr::Int(v) => v.to_string().into_bytes(),
            RdbStr::Bytes(b) => b,
        }
    }
}

/// rdbGenericLoadStringObject.
pub fn load_str<R: Read>(r: &mut RioReader<R>) -> LoadResult<RdbStr> {
    let (len, enc) = load_len_enc(r)?;
    if !enc {
        let n = usize::try_from(len).map_err(|_| corrupt("String length out of range"))?;
        return Ok(RdbStr::Bytes(r.read_vec(n)?));
    }
    match len {
        ENC_INT8 => Ok(RdbStr::Int(load_u8(r)? as i8 as i64)),
        ENC_INT16 => {
            let mut b = [0u8; 2];
            r.read_exact(&mut b)?;
            Ok(RdbStr::Int(i16::from_le_bytes(b) as i64))
        }
        ENC_INT32 => {
            let mut b = [0u8; 4];
            r.read_exact(&mut b)?;
            Ok(RdbStr::Int(i32::from_le_bytes(b) as i64))
        }
        ENC_LZF => load_lzf(r).map(RdbStr::Bytes),
        other => Err(corrupt(format!(
            "Unknown RDB string encoding type {}",
            other
        ))),
    }
}

/// A string as plain bytes (RDB_LOAD_PLAIN / RDB_LOAD_SDS).
pub fn load_bytes<R: Read>(r: &mut RioReader<R>) -> LoadResult<Vec<u8>> {
    load_str(r).map(RdbStr::into_bytes)
}

/// rdbLoadLzfStringObject: the decompressed length must come out exactly.
fn load_lzf<R: Read>(r: &mut RioReader<R>) -> LoadResult<Vec<u8>> {
    let clen = load_len(r)?;
    let len = load_len(r)?;
    if len == 0 || clen == 0 || len > clen.saturating_mul(LZF_MAX_RATIO) {
        // Read what the header claims so the error names the data, not EOF.
        return Err(corrupt("Invalid LZF compressed string"));
    }
    let c = r.read_vec(usize::try_from(clen).map_err(|_| corrupt("LZF length"))?)?;
    let len = usize::try_from(len).map_err(|_| corrupt("LZF length"))?;
    crate::util::lzf::decompress_exact(&c, len)
        .ok_or_else(|| corrupt("Invalid LZF compressed string"))
}

/// rdbLoadDoubleValue: the old text form (1-byte length, 253/254/255 for
/// NaN/+inf/-inf).
pub fn load_text_double<R: Read>(r: &mut RioReader<R>) -> LoadResult<f64> {
    let len = load_u8(r)?;
    match len {
        255 => Ok(f64::NEG_INFINITY),
        254 => Ok(f64::INFINITY),
        253 => Ok(f64::NAN),
        n => {
            let mut buf = vec![0u8; n as usize];
            r.read_exact(&mut buf)?;
            // sscanf("%lg") reads a prefix; a full parse of valid input agrees.
            let s = std::str::from_utf8(&buf).map_err(|_| corrupt("Bad double"))?;
            s.trim()
                .parse::<f64>()
                .map_err(|_| corrupt("Bad double value"))
        }
    }
}

/// rdbLoadBinaryDoubleValue.
pub fn load_binary_double<R: Read>(r: &mut RioReader<R>) -> LoadResult<f64> {
    let mut b = [0u8; 8];
    r.read_exact(&mut b)?;
    Ok(f64::from_le_bytes(b))
}

/// rdbLoadBinaryFloatValue (module data).
pub fn load_binary_float<R: Read>(r: &mut RioReader<R>) -> LoadResult<f32> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b)?;
    Ok(f32::from_le_bytes(b))
}

pub fn load_millis<R: Read>(r: &mut RioReader<R>) -> LoadResult<i64> {
    let mut b = [0u8; 8];
    r.read_exact(&mut b)?;
    Ok(i64::from_le_bytes(b))
}

/// EXPIRETIME (seconds, 32 bits), as ms.
pub fn load_seconds_as_ms<R: Read>(r: &mut RioReader<R>) -> LoadResult<i64> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b)?;
    Ok(i32::from_le_bytes(b) as i64 * 1000)
}

/// Redis names a module type by its 64-bit id: 9 chars of 6 bits each,
/// then a 10-bit encoding version (moduleTypeNameByID).
pub fn module_type_name(id: u64) -> String {
    const SET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut id = id >> 10;
    let mut name = [0u8; 9];
    for j in (0..9).rev() {
        name[j] = SET[(id & 63) as usize];
        id >>= 6;
    }
    String::from_utf8_lossy(&name).into_owned()
}

/// Skips a module value (rdbLoadCheckModuleValue): typed fields until the
/// EOF opcode. Used by check mode; a normal load cannot use the data.
pub fn skip_module_value<R: Read>(r: &mut RioReader<R>) -> LoadResult<()> {
    use super::*;
    loop {
        let op = load_len(r)?;
        match op {
            MODULE_OPCODE_EOF => return Ok(()),
            MODULE_OPCODE_SINT | MODULE_OPCODE_UINT => {
                load_len(r)?;
            }
            MODULE_OPCODE_STRING => {
                load_str(r)?;
            }
            MODULE_OPCODE_FLOAT => {
                load_binary_float(r)?;
            }
            MODULE_OPCODE_DOUBLE => {
                load_binary_double(r)?;
            }
            _ => return Err(corrupt(format!("Unknown module opcode {}", op))),
        }
    }
}

impl From<io::Error> for LoadError {
    fn from(e: io::Error) -> LoadError {
        LoadError::Io(e)
    }
}
