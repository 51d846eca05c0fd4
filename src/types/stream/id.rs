//! Stream IDs (Redis t_stream.c `streamID`, `streamParseID*`,
//! `streamIncrID`/`streamDecrID`): `<ms>-<seq>`, two unsigned 64-bit parts.

use std::fmt;

use crate::error::CmdError;

/// "Invalid stream ID specified as stream command argument".
pub const INVALID_ID: CmdError =
    CmdError::fixed("ERR Invalid stream ID specified as stream command argument");

/// A stream entry ID. Ordered as (ms, seq), which is also the order of its
/// 128-bit big-endian encoding (the rax key of a node).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StreamId {
    pub ms: u64,
    pub seq: u64,
}

impl StreamId {
    pub const MIN: StreamId = StreamId { ms: 0, seq: 0 };
    pub const MAX: StreamId = StreamId {
        ms: u64::MAX,
        seq: u64::MAX,
    };

    pub const fn new(ms: u64, seq: u64) -> StreamId {
        StreamId { ms, seq }
    }

    pub fn is_zero(&self) -> bool {
        self.ms == 0 && self.seq == 0
    }

    /// The next ID (`streamIncrID`); `None` past the maximum.
    pub fn incr(self) -> Option<StreamId> {
        if self.seq == u64::MAX {
            if self.ms == u64::MAX {
                return None;
            }
            Some(StreamId::new(self.ms + 1, 0))
        } else {
            Some(StreamId::new(self.ms, self.seq + 1))
        }
    }

    /// The previous ID (`streamDecrID`); `None` before 0-0.
    pub fn decr(self) -> Option<StreamId> {
        if self.seq == 0 {
            if self.ms == 0 {
                return None;
            }
            Some(StreamId::new(self.ms - 1, u64::MAX))
        } else {
            Some(StreamId::new(self.ms, self.seq - 1))
        }
    }

    /// The 128-bit key of the ID (`streamEncodeID` read as big endian).
    pub fn to_u128(self) -> u128 {
        ((self.ms as u128) << 64) | self.seq as u128
    }

    pub fn from_u128(k: u128) -> StreamId {
        StreamId::new((k >> 64) as u64, k as u64)
    }

    /// The 16-byte big-endian rax key (`streamEncodeID`), as RDB writes it.
    pub fn to_be_bytes(self) -> [u8; 16] {
        self.to_u128().to_be_bytes()
    }

    pub fn from_be_bytes(b: [u8; 16]) -> StreamId {
        StreamId::from_u128(u128::from_be_bytes(b))
    }

    /// The ID as `<ms>-<seq>` bytes.
    pub fn to_bytes(self) -> Vec<u8> {
        self.to_string().into_bytes()
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.ms, self.seq)
    }
}

/// C `strtoull(s, &end, 10)` accepting the whole string: optional leading
/// whitespace and sign, at least one digit, no overflow. A `-` negates
/// modulo 2^64, as C does.
fn strtoull_full(s: &[u8]) -> Option<u64> {
    let mut i = 0;
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r') {
        i += 1;
    }
    let mut neg = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        neg = s[i] == b'-';
        i += 1;
    }
    let digits = &s[i..];
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut v: u64 = 0;
    for &d in digits {
        v = v.checked_mul(10)?.checked_add((d - b'0') as u64)?;
    }
    Some(if neg { v.wrapping_neg() } else { v })
}

/// Redis `string2ull`: the strict `string2ll` (negatives rejected), else
/// `strtoull` over the whole string.
fn parse_u64(s: &[u8]) -> Option<u64> {
    if let Some(v) = crate::util::num::string2ll(s) {
        return (v >= 0).then_some(v as u64);
    }
    strtoull_full(s)
}

/// A parsed ID argument: the ID and whether its sequence was given
/// (false for `<ms>-*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParsedId {
    pub id: StreamId,
    pub seq_given: bool,
}

/// `streamGenericParseIDOrReply`. `missing_seq` fills `<ms>` alone;
/// `strict` rejects `-` and `+`; `allow_seq_star` accepts `<ms>-*`.
pub fn parse_generic(
    arg: &[u8],
    missing_seq: u64,
    strict: bool,
    allow_seq_star: bool,
) -> Result<ParsedId, CmdError> {
    if arg.len() > 127 {
        return Err(INVALID_ID);
    }
    // Redis copies the argument into a C string: it ends at the first NUL.
    let s = match arg.iter().position(|&b| b == 0) {
        Some(n) => &arg[..n],
        None => arg,
    };
    if s == b"-" || s == b"+" {
        if strict {
            return Err(INVALID_ID);
        }
        let id = if s == b"-" {
            StreamId::MIN
        } else {
            StreamId::MAX
        };
        return Ok(ParsedId {
            id,
            seq_given: true,
        });
    }
    let (ms_part, seq_part) = match s.iter().position(|&b| b == b'-') {
        Some(d) => (&s[..d], Some(&s[d + 1..])),
        None => (s, None),
    };
    let ms = parse_u64(ms_part).ok_or(INVALID_ID)?;
    let (seq, seq_given) = match seq_part {
        Some(b"*") if allow_seq_star => (0, false),
        Some(p) => (parse_u64(p).ok_or(INVALID_ID)?, true),
        None => (missing_seq, true),
    };
    Ok(ParsedId {
        id: StreamId::new(ms, seq),
        seq_given,
    })
}

/// `streamParseStrictIDOrReply` with no `<ms>-*`: `-` and `+` rejected,
/// a missing sequence is `missing_seq`.
pub fn parse_strict(arg: &[u8], missing_seq: u64) -> Result<StreamId, CmdError> {
    parse_generic(arg, missing_seq, true, false).map(|p| p.id)
}

/// `streamParseIDOrReply`: `-` is 0-0 and `+` the maximum ID.
pub fn parse(arg: &[u8], missing_seq: u64) -> Result<StreamId, CmdError> {
    parse_generic(arg, missing_seq, false, false).map(|p| p.id)
}

/// `streamParseIntervalIDOrReply`: `(` makes the bound exclusive (and then
/// the rest is parsed strictly). Returns the ID and whether it is exclusive.
pub fn parse_interval(arg: &[u8], missing_seq: u64) -> Result<(StreamId, bool), CmdError> {
    if arg.len() > 1 && arg[0] == b'(' {
        Ok((parse_strict(&arg[1..], missing_seq)?, true))
    } else {
        Ok((parse(arg, missing_seq)?, false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_redis() {
        let p = |s: &str| parse(s.as_bytes(), 0).ok();
        assert_eq!(p("1-2"), Some(StreamId::new(1, 2)));
        assert_eq!(p("5"), Some(StreamId::new(5, 0)));
        assert_eq!(p("-"), Some(StreamId::MIN));
        assert_eq!(p("+"), Some(StreamId::MAX));
        assert_eq!(
            p("18446744073709551615-18446744073709551615"),
            Some(StreamId::MAX)
        );
        assert_eq!(p("18446744073709551616"), None);
        assert_eq!(p("-1"), None);
        // The '-' splits first: " -1" is an empty-ish ms part.
        assert_eq!(p(" -1"), None);
        assert_eq!(p("1- 5"), Some(StreamId::new(1, 5)));
        assert_eq!(p("1--5"), None);
        assert_eq!(p("1- -5"), Some(StreamId::new(1, 5u64.wrapping_neg())));
        assert_eq!(p("+5-007"), Some(StreamId::new(5, 7)));
        assert_eq!(p("1-"), None);
        assert_eq!(p("1-2-3"), None);
        assert_eq!(p(""), None);
        assert_eq!(p("1\0garbage"), Some(StreamId::new(1, 0)));
        assert_eq!(parse_strict(b"+", 0), Err(INVALID_ID));
        let star = parse_generic(b"7-*", 0, true, true).unwrap();
        assert_eq!((star.id, star.seq_given), (StreamId::new(7, 0), false));
        assert!(parse_generic(b"7-*", 0, true, false).is_err());
        assert_eq!(parse_interval(b"(1-1", 0), Ok((StreamId::new(1, 1), true)));
        assert_eq!(parse_interval(b"(", 0), Err(INVALID_ID));
    }

    #[test]
    fn incr_decr_and_keys() {
        assert_eq!(StreamId::new(1, u64::MAX).incr(), Some(StreamId::new(2, 0)));
        assert_eq!(StreamId::MAX.incr(), None);
        assert_eq!(StreamId::new(2, 0).decr(), Some(StreamId::new(1, u64::MAX)));
        assert_eq!(StreamId::MIN.decr(), None);
        let a = StreamId::new(1, 5);
        assert_eq!(StreamId::from_be_bytes(a.to_be_bytes()), a);
        assert!(StreamId::new(1, 9).to_u128() < StreamId::new(2, 0).to_u128());
    }
}
