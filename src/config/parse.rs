//! Value parsers with the exact C semantics config.c relies on (util.c
//! `memtoull`, `string2d`, `trimDoubleString`; libc `strtoll`). Redis's
//! errors depend on these corner cases (saturation, wrapping, empty input),
//! so they are reproduced rather than replaced by Rust's parsers.

/// C `isspace` in the "C" locale.
fn is_c_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// A C string view: bytes up to the first NUL.
pub fn c_str(s: &[u8]) -> &[u8] {
    match memchr::memchr(0, s) {
        Some(i) => &s[..i],
        None => s,
    }
}

/// Result of C `strtoll`: the value, where parsing stopped and whether it
/// overflowed (errno == ERANGE; the value is then saturated).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StrToLl {
    pub value: i64,
    pub end: usize,
    pub overflow: bool,
}

impl StrToLl {
    /// True when the whole input was consumed (`*endptr == '\0'`).
    pub fn complete(&self, s: &[u8]) -> bool {
        self.end == c_str(s).len()
    }
}

/// C `strtoll(s, &end, base)` for bases 8 and 10: leading spaces, an
/// optional sign, then digits. Without digits, `end` is 0 and the value 0.
pub fn strtoll(s: &[u8], base: u32) -> StrToLl {
    let s = c_str(s);
    let mut i = 0;
    while i < s.len() && is_c_space(s[i]) {
        i += 1;
    }
    let neg = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let digits_start = i;
    let mut mag: u64 = 0;
    let mut overflow = false;
    while let Some(d) = s.get(i).and_then(|c| (*c as char).to_digit(base)) {
        match mag
            .checked_mul(base as u64)
            .and_then(|m| m.checked_add(d as u64))
        {
            Some(m) => mag = m,
            None => overflow = true,
        }
        i += 1;
    }
    if i == digits_start {
        return StrToLl {
            value: 0,
            end: 0,
            overflow: false,
        };
    }
    let limit = if neg {
        i64::MAX as u64 + 1
    } else {
        i64::MAX as u64
    };
    let value = if overflow || mag > limit {
        overflow = true;
        if neg {
            i64::MIN
        } else {
            i64::MAX
        }
    } else if neg {
        (mag as i64).wrapping_neg()
    } else {
        mag as i64
    };
    StrToLl {
        value,
        end: i,
        overflow,
    }
}

/// Redis `memtoull`: digits followed by an optional unit (b, k, kb, m, mb,
/// g, gb; any case). The digits saturate like `strtoull` and the unit
/// multiplication wraps, as in Redis. An empty number reads as 0.
pub fn memtoull(s: &[u8]) -> Option<u64> {
    let s = c_str(s);
    if s.first() == Some(&b'-') {
        return None;
    }
    let digits = s.iter().take_while(|c| c.is_ascii_digit()).count();
    let unit = &s[digits..];
    let mul: u64 = match unit.to_ascii_lowercase().as_slice() {
        b"" | b"b" => 1,
        b"k" => 1000,
        b"kb" => 1024,
        b"m" => 1000 * 1000,
        b"mb" => 1024 * 1024,
        b"g" => 1000 * 1000 * 1000,
        b"gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    if digits >= 128 {
        return None;
    }
    let mut val: u64 = 0;
    for &c in &s[..digits] {
        val = val
            .checked_mul(10)
            .and_then(|v| v.checked_add((c - b'0') as u64))
            .unwrap_or(u64::MAX);
        if val == u64::MAX {
            break;
        }
    }
    Some(val.wrapping_mul(mul))
}

/// Redis `string2d`: a whole-string `strtod` that rejects empty input,
/// leading spaces, trailing garbage, NaN and out-of-range values.
pub fn string2d(s: &[u8]) -> Option<f64> {
    if s.is_empty() || is_c_space(s[0]) {
        return None;
    }
    let text = std::str::from_utf8(s).ok()?;
    let v: f64 = text.parse().ok()?;
    if v.is_nan() {
        return None;
    }
    let lower = text.to_ascii_lowercase();
    let literal_inf = lower.trim_start_matches(['+', '-']).starts_with("inf");
    if v.is_infinite() && !literal_inf {
        return None; // strtod overflow: ERANGE with HUGE_VAL
    }
    if v == 0.0 && mantissa_has_nonzero(&lower) {
        return None; // strtod underflow: ERANGE with zero
    }
    Some(v)
}

fn mantissa_has_nonzero(lower: &str) -> bool {
    let mantissa = lower.split('e').next().unwrap_or("");
    mantissa.bytes().any(|c| (b'1'..=b'9').contains(&c))
}

/// `sprintf("%f")` followed by Redis's `trimDoubleString` (trailing zeros
/// and a trailing dot removed).
pub fn fmt_f_trimmed(v: f64) -> String {
    let mut s = format!("{:.6}", v);
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    s
}

/// Redis `yesnotoi`.
pub fn yes_no(s: &[u8]) -> Option<bool> {
    if s.eq_ignore_ascii_case(b"yes") {
        Some(true)
    } else if s.eq_ignore_ascii_case(b"no") {
        Some(false)
    } else {
        None
    }
}

/// Redis `sdssplitlen(value, " ")` as CONFIG SET uses it for multi-argument
/// configs: an empty value gives no arguments, and consecutive spaces give
/// empty ones.
pub fn split_spaces(v: &[u8]) -> Vec<Vec<u8>> {
    if v.is_empty() {
        return Vec::new();
    }
    v.split(|c| *c == b' ').map(|p| p.to_vec()).collect()
}

/// Formats a byte count the way CONFIG REWRITE does (config.c
/// `rewriteConfigFormatMemory`): gb, mb or kb when exact, else plain bytes.
pub fn format_memory(bytes: i64) -> String {
    const GB: i64 = 1024 * 1024 * 1024;
    const MB: i64 = 1024 * 1024;
    const KB: i64 = 1024;
    if bytes != 0 && bytes % GB == 0 {
        format!("{}gb", bytes / GB)
    } else if bytes != 0 && bytes % MB == 0 {
        format!("{}mb", bytes / MB)
    } else if bytes != 0 && bytes % KB == 0 {
        format!("{}kb", bytes / KB)
    } else {
        bytes.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strtoll_like_c() {
        let r = strtoll(b"  -12x", 10);
        assert_eq!((r.value, r.end, r.overflow), (-12, 5, false));
        assert!(!r.complete(b"  -12x"));
        let r = strtoll(b"", 10);
        assert!(r.complete(b""));
        assert_eq!(r.value, 0);
        let r = strtoll(b"abc", 10);
        assert_eq!((r.value, r.end), (0, 0));
        let r = strtoll(b"99999999999999999999", 10);
        assert_eq!((r.value, r.overflow), (i64::MAX, true));
        let r = strtoll(b"-99999999999999999999", 10);
        assert_eq!((r.value, r.overflow), (i64::MIN, true));
        assert_eq!(strtoll(b"777", 8).value, 0o777);
        assert!(!strtoll(b"999", 8).complete(b"999"));
        assert_eq!(strtoll(b"+5", 10).value, 5);
        assert_eq!(strtoll(b"-0", 10).value, 0);
    }

    #[test]
    fn memtoull_like_redis() {
        assert_eq!(memtoull(b"1gb"), Some(1 << 30));
        assert_eq!(memtoull(b"1GB"), Some(1 << 30));
        assert_eq!(memtoull(b"100k"), Some(100_000));
        assert_eq!(memtoull(b"12"), Some(12));
        assert_eq!(memtoull(b"00012"), Some(12));
        assert_eq!(memtoull(b""), Some(0));
        assert_eq!(memtoull(b"kb"), Some(0));
        assert_eq!(memtoull(b"1x"), None);
        assert_eq!(memtoull(b"-1"), None);
        assert_eq!(memtoull(b"1.5"), None);
        assert_eq!(memtoull(b" 1"), None);
        assert_eq!(memtoull(b"99999999999999999999999"), Some(u64::MAX));
        assert_eq!(
            memtoull(b"18446744073709551615kb"),
            Some(18446744073709550592)
        );
    }

    #[test]
    fn string2d_like_redis() {
        assert_eq!(string2d(b"99.9"), Some(99.9));
        assert_eq!(string2d(b"1e1"), Some(10.0));
        assert_eq!(string2d(b""), None);
        assert_eq!(string2d(b" 1"), None);
        assert_eq!(string2d(b"1 "), None);
        assert_eq!(string2d(b"nan"), None);
        assert_eq!(string2d(b"1e999"), None);
        assert_eq!(string2d(b"1e-999"), None);
        assert_eq!(string2d(b"0"), Some(0.0));
        assert_eq!(string2d(b"inf"), Some(f64::INFINITY));
    }

    #[test]
    fn trimmed_doubles() {
        assert_eq!(fmt_f_trimmed(50.0), "50");
        assert_eq!(fmt_f_trimmed(99.9), "99.9");
        assert_eq!(fmt_f_trimmed(0.000001), "0.000001");
        assert_eq!(fmt_f_trimmed(5.5), "5.5");
    }

    #[test]
    fn split_like_sdssplitlen() {
        assert!(split_spaces(b"").is_empty());
        assert_eq!(split_spaces(b"a b"), vec![b"a".to_vec(), b"b".to_vec()]);
        assert_eq!(split_spaces(b"a  b").len(), 3);
        assert_eq!(split_spaces(b" a").len(), 2);
    }

    #[test]
    fn memory_format() {
        assert_eq!(format_memory(0), "0");
        assert_eq!(format_memory(1 << 30), "1gb");
        assert_eq!(format_memory(3 << 20), "3mb");
        assert_eq!(format_memory(2048), "2kb");
        assert_eq!(format_memory(1000), "1000");
        assert_eq!(format_memory(-1), "-1");
    }
}
