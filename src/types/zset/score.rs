//! Score parsing and formatting for sorted sets (Redis object.c
//! `getDoubleFromObject`, t_zset.c `zslParseRange`, C `strtod`).

use crate::ds::skiplist::{LexRange, ScoreRange};
use crate::error::{CmdError, NOT_FLOAT};

/// C `strtod` over a prefix of `s`: the value, the bytes consumed (0 when
/// nothing parses) and whether the result over- or underflowed (ERANGE).
pub fn strtod(s: &[u8]) -> (f64, usize, bool) {
    let mut i = 0;
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
        i += 1;
    }
    let start = i;
    let neg = s.get(i) == Some(&b'-');
    if matches!(s.get(i), Some(b'-') | Some(b'+')) {
        i += 1;
    }
    let sign = if neg { -1.0 } else { 1.0 };
    let rest = &s[i..];
    let lower: Vec<u8> = rest
        .iter()
        .take(8)
        .map(|b| b.to_ascii_lowercase())
        .collect();
    if lower.starts_with(b"infinity") {
        return (sign * f64::INFINITY, i + 8, false);
    }
    if lower.starts_with(b"inf") {
        return (sign * f64::INFINITY, i + 3, false);
    }
    if lower.starts_with(b"nan") {
        let mut j = i + 3;
        if s.get(j) == Some(&b'(') {
            if let Some(close) = s[j..].iter().position(|&b| b == b')') {
                if s[j + 1..j + close]
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'_')
                {
                    j += close + 1;
                }
            }
        }
        return (f64::NAN, j, false);
    }
    if lower.starts_with(b"0x") {
        if let Some((v, n)) = hex_float(&rest[2..]) {
            let r = sign * v;
            return (r, i + 2 + n, r.is_infinite());
        }
    }
    let (n, nonzero) = decimal_len(rest);
    if n == 0 {
        return (0.0, 0, false);
    }
    let text = std::str::from_utf8(&s[start..i + n]).unwrap_or("0");
    let v: f64 = text.parse().unwrap_or(0.0);
    let erange =
        v.is_infinite() || (v == 0.0 && nonzero) || (v != 0.0 && v.abs() < f64::MIN_POSITIVE);
    (v, i + n, erange)
}

/// Length of a decimal float at the start of `s` and whether any mantissa
/// digit is non-zero.
fn decimal_len(s: &[u8]) -> (usize, bool) {
    let mut i = 0;
    let mut digits = 0;
    let mut nonzero = false;
    while i < s.len() && s[i].is_ascii_digit() {
        nonzero |= s[i] != b'0';
        i += 1;
        digits += 1;
    }
    if s.get(i) == Some(&b'.') {
        i += 1;
        while i < s.len() && s[i].is_ascii_digit() {
            nonzero |= s[i] != b'0';
            i += 1;
            digits += 1;
        }
    }
    if digits == 0 {
        return (0, false);
    }
    if matches!(s.get(i), Some(b'e') | Some(b'E')) {
        let mut j = i + 1;
        if matches!(s.get(j), Some(b'-') | Some(b'+')) {
            j += 1;
        }
        if s.get(j).is_some_and(|b| b.is_ascii_digit()) {
            while j < s.len() && s[j].is_ascii_digit() {
                j += 1;
            }
            i = j;
        }
    }
    (i, nonzero)
}

/// A hexadecimal float body after "0x": digits, optional fraction, optional
/// binary exponent. Returns the value and bytes consumed.
fn hex_float(s: &[u8]) -> Option<(f64, usize)> {
    let mut i = 0;
    let mut mant = 0f64;
    let mut digits = 0;
    let mut exp: i64 = 0;
    while let Some(d) = s.get(i).and_then(|b| (*b as char).to_digit(16)) {
        mant = mant * 16.0 + d as f64;
        i += 1;
        digits += 1;
    }
    if s.get(i) == Some(&b'.') {
        i += 1;
        while let Some(d) = s.get(i).and_then(|b| (*b as char).to_digit(16)) {
            mant = mant * 16.0 + d as f64;
            exp -= 4;
            i += 1;
            digits += 1;
        }
    }
    if digits == 0 {
        return None;
    }
    if matches!(s.get(i), Some(b'p') | Some(b'P')) {
        let mut j = i + 1;
        let neg = s.get(j) == Some(&b'-');
        if matches!(s.get(j), Some(b'-') | Some(b'+')) {
            j += 1;
        }
        let mut e: i64 = 0;
        let st = j;
        while let Some(d) = s.get(j).filter(|b| b.is_ascii_digit()) {
            e = (e * 10 + (d - b'0') as i64).min(100_000);
            j += 1;
        }
        if j > st {
            exp += if neg { -e } else { e };
            i = j;
        }
    }
    Some((mant * 2f64.powi(exp.clamp(-20_000, 20_000) as i32), i))
}

/// A score argument (`getDoubleFromObjectOrReply`): the whole string must
/// parse, no leading space, no overflow, no NaN.
pub fn parse_score(s: &[u8]) -> Result<f64, CmdError> {
    let (v, n, erange) = strtod(s);
    let bad = s.is_empty()
        || s[0].is_ascii_whitespace()
        || s[0] == 0x0b
        || n != s.len()
        || (erange && (v.is_infinite() || v == 0.0))
        || v.is_nan();
    if bad {
        Err(NOT_FLOAT)
    } else {
        Ok(v)
    }
}

/// One end of a score range: the rest after "(" must parse entirely, as a
/// C string (Redis's `zslParseRange` runs strtod, so a NUL byte ends it).
fn range_end(s: &[u8]) -> Option<f64> {
    let s = crate::config::parse::c_str(s);
    let (v, n, _) = strtod(s);
    (n == s.len()).then_some(v)
}

/// min/max of ZRANGEBYSCORE and friends, with Redis's error.
pub fn parse_score_range(min: &[u8], max: &[u8]) -> Result<ScoreRange, CmdError> {
    ScoreRange::parse_with(min, max, range_end)
        .ok_or(CmdError::fixed("ERR min or max is not a float"))
}

/// min/max of ZRANGEBYLEX and friends, with Redis's error.
pub fn parse_lex_range(min: &[u8], max: &[u8]) -> Result<LexRange, CmdError> {
    LexRange::parse(min, max).ok_or(CmdError::fixed(
        "ERR min or max not valid string range item",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strtod_forms() {
        assert_eq!(parse_score(b"1.5").unwrap(), 1.5);
        assert_eq!(parse_score(b"-inf").unwrap(), f64::NEG_INFINITY);
        assert_eq!(parse_score(b"+Infinity").unwrap(), f64::INFINITY);
        assert_eq!(parse_score(b"0x10").unwrap(), 16.0);
        assert_eq!(parse_score(b"0x1p-2").unwrap(), 0.25);
        assert!(parse_score(b" 1").is_err());
        assert!(parse_score(b"1 ").is_err());
        assert!(parse_score(b"nan").is_err());
        assert!(parse_score(b"1e400").is_err());
        assert!(parse_score(b"1e-400").is_err());
        assert!(parse_score(b"").is_err());
        assert_eq!(range_end(b" 5"), Some(5.0));
        assert_eq!(range_end(b""), Some(0.0));
    }
}
