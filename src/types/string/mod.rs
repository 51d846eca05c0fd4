//! The string type API (Redis object.c string helpers and t_string.c checks):
//! creating strings in Redis's encodings and reading them back as bytes or numbers.

pub mod commands;
pub mod lcs;
pub mod numeric;

use super::object::{Value, INLINE_STR, SHARED_INTEGERS};
use crate::error::{CmdError, NOT_INTEGER};
use crate::util::num::string2ll;

/// Room for the decimal form of any i64.
pub type NumBuf = [u8; 20];

impl Value {
    /// An "embstr"-style string without trying the int encoding (`createStringObject`).
    pub fn str_emb(bytes: &[u8]) -> Value {
        if bytes.len() <= INLINE_STR {
            let mut buf = [0u8; INLINE_STR];
            buf[..bytes.len()].copy_from_slice(bytes);
            Value::Inline {
                len: bytes.len() as u8,
                buf,
            }
        } else {
            Value::Fixed(Box::new(bytes.into()))
        }
    }

    /// A string in the most compact encoding (`createStringObject` then
    /// `tryObjectEncoding`): "int" when it is a canonical integer of at most 20 chars.
    pub fn str_encoded(bytes: &[u8], share_ints: bool) -> Value {
        if bytes.len() <= 20 {
            if let Some(v) = string2ll(bytes) {
                return Value::from_i64(v, share_ints);
            }
        }
        Value::str_emb(bytes)
    }

    /// A growable "raw" string (`createRawStringObject` over a buffer we keep).
    pub fn str_raw(bytes: Vec<u8>) -> Value {
        Value::Raw(Box::new(bytes))
    }

    /// An integer string (`createStringObjectFromLongLongForValue`).
    pub fn from_i64(v: i64, share_ints: bool) -> Value {
        Value::Int {
            v,
            shared: share_ints && (0..SHARED_INTEGERS).contains(&v),
        }
    }

    pub fn is_string(&self) -> bool {
        matches!(
            self,
            Value::Int { .. } | Value::Inline { .. } | Value::Fixed(_) | Value::Raw(_)
        )
    }

    /// The bytes of a string value; integers are formatted into `tmp`.
    /// Empty for non-strings (callers check the type first).
    pub fn str_bytes<'a>(&'a self, tmp: &'a mut NumBuf) -> &'a [u8] {
        match self {
            Value::Int { v, .. } => {
                let n = i64_digits(*v, tmp);
                &tmp[20 - n..]
            }
            Value::Inline { len, buf } => &buf[..*len as usize],
            Value::Fixed(b) => b,
            Value::Raw(v) => v,
            _ => &[],
        }
    }

    /// The string's length (`stringObjectLen`).
    pub fn str_len(&self) -> usize {
        match self {
            Value::Int { v, .. } => {
                let mut tmp = [0u8; 20];
                i64_digits(*v, &mut tmp)
            }
            Value::Inline { len, .. } => *len as usize,
            Value::Fixed(b) => b.len(),
            Value::Raw(v) => v.len(),
            _ => 0,
        }
    }

    /// The value as an integer, with Redis's error (`getLongLongFromObjectOrReply`).
    pub fn str_to_i64(&self) -> Result<i64, CmdError> {
        match self {
            Value::Int { v, .. } => Ok(*v),
            _ => {
                let mut tmp = [0u8; 20];
                string2ll(self.str_bytes(&mut tmp)).ok_or(NOT_INTEGER)
            }
        }
    }

    /// A growable buffer for in-place edits (`dbUnshareStringValue`): the
    /// value becomes "raw".
    pub fn str_make_raw(&mut self) -> &mut Vec<u8> {
        if !matches!(self, Value::Raw(_)) {
            let mut tmp = [0u8; 20];
            let bytes = self.str_bytes(&mut tmp).to_vec();
            *self = Value::Raw(Box::new(bytes));
        }
        match self {
            Value::Raw(v) => v,
            _ => unreachable!("just made raw"),
        }
    }
}

/// Writes the digits of `v` right-aligned into `tmp`; returns their count.
fn i64_digits(v: i64, tmp: &mut NumBuf) -> usize {
    let mut n = v.unsigned_abs();
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        i -= 1;
        tmp[i] = b'-';
    }
    tmp.len() - i
}

/// The size check of SETRANGE and APPEND (`checkStringLength`): the limit
/// is proto-max-bulk-len.
pub fn check_string_length(size: u64, limit: i64) -> Result<(), CmdError> {
    if size > limit.max(0) as u64 {
        return Err(CmdError::fixed(
            "ERR string exceeds maximum allowed size (proto-max-bulk-len)",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        assert_eq!(Value::str_encoded(b"123", true).encoding(), "int");
        assert_eq!(Value::str_encoded(b"123", true).refcount(), i32::MAX as i64);
        assert_eq!(Value::str_encoded(b"12345", true).refcount(), 1);
        assert_eq!(Value::str_encoded(b"0123", true).encoding(), "embstr");
        assert_eq!(Value::str_encoded(&[b'a'; 44], true).encoding(), "embstr");
        assert_eq!(Value::str_encoded(&[b'a'; 45], true).encoding(), "raw");
        let mut v = Value::str_encoded(b"-42", true);
        let mut t = [0u8; 20];
        assert_eq!(v.str_bytes(&mut t), b"-42");
        assert_eq!(v.str_len(), 3);
        v.str_make_raw().push(b'x');
        assert_eq!(v.encoding(), "raw");
        assert_eq!(v.str_bytes(&mut t), b"-42x");
        assert!(v.str_to_i64().is_err());
    }
}
