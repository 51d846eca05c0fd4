//! Glob-style pattern matching (Redis util.c `stringmatchlen`), used by KEYS,
//! SCAN MATCH, PSUBSCRIBE, CONFIG GET, COMMAND LIST FILTERBY PATTERN and ACL
//! key patterns. Works on bytes; supports `*`, `?`, `[...]` (with `^`, ranges
//! that may be written backwards, and `\` escapes) and `\` outside classes.

/// Deeper `*` recursion than this is refused (no match), as Redis does to
/// protect itself from abusive patterns.
const MAX_NESTING: u32 = 1000;

/// True when `string` matches `pattern`; `nocase` folds ASCII letters.
pub fn string_match_len(pattern: &[u8], string: &[u8], nocase: bool) -> bool {
    let mut give_up = false;
    match_from(pattern, string, nocase, &mut give_up, 0)
}

/// Lower-cases like C's `tolower` in the C locale: only A-Z change.
fn fold(c: u8, nocase: bool) -> u8 {
    if nocase {
        c.to_ascii_lowercase()
    } else {
        c
    }
}

/// `give_up` is set once a `*` found no match for the rest of the pattern at
/// any later position: then no shorter match for an earlier `*` can succeed
/// either, which keeps patterns like `*a*a*a*b` linear-ish instead of
/// exponential.
fn match_from(p: &[u8], s: &[u8], nocase: bool, give_up: &mut bool, nesting: u32) -> bool {
    if nesting > MAX_NESTING {
        return false;
    }
    let (mut pi, mut si) = (0, 0);
    while pi < p.len() && si < s.len() {
        match p[pi] {
            b'*' => {
                while pi + 1 < p.len() && p[pi + 1] == b'*' {
                    pi += 1;
                }
                if pi + 1 == p.len() {
                    return true;
                }
                while si < s.len() {
                    if match_from(&p[pi + 1..], &s[si..], nocase, give_up, nesting + 1) {
                        return true;
                    }
                    if *give_up {
                        return false;
                    }
                    si += 1;
                }
                *give_up = true;
                return false;
            }
            b'?' => si += 1,
            b'[' => {
                let (matched, end) = match_class(p, pi + 1, s[si], nocase);
                if !matched {
                    return false;
                }
                pi = end;
                si += 1;
            }
            c => {
                let mut c = c;
                if c == b'\\' && pi + 1 < p.len() {
                    pi += 1;
                    c = p[pi];
                }
                if fold(c, nocase) != fold(s[si], nocase) {
                    return false;
                }
                si += 1;
            }
        }
        pi += 1;
        if si == s.len() {
            while pi < p.len() && p[pi] == b'*' {
                pi += 1;
            }
            break;
        }
    }
    pi == p.len() && si == s.len()
}

/// Matches byte `c` against the class whose body starts at `p[start]` (just
/// after the `[`). Returns whether it matched and the index of the class's
/// last byte (its `]`, or the pattern's last byte when unterminated).
fn match_class(p: &[u8], start: usize, c: u8, nocase: bool) -> (bool, usize) {
    let mut i = start;
    let negate = p.get(i) == Some(&b'^');
    if negate {
        i += 1;
    }
    let mut matched = false;
    loop {
        let left = p.len() - i.min(p.len());
        if left >= 2 && p[i] == b'\\' {
            // An escaped byte is compared exactly, even with nocase.
            i += 1;
            matched |= p[i] == c;
        } else if left == 0 {
            // Unterminated class: it runs to the end of the pattern.
            i -= 1;
            break;
        } else if p[i] == b']' {
            break;
        } else if left >= 3 && p[i + 1] == b'-' {
            matched |= in_range(p[i], p[i + 2], c, nocase);
            i += 2;
        } else {
            matched |= fold(p[i], nocase) == fold(c, nocase);
        }
        i += 1;
    }
    (matched != negate, i)
}

/// Range test with C's signed `char` ordering (bytes >= 0x80 sort below
/// ASCII) and backwards ranges accepted.
fn in_range(a: u8, b: u8, c: u8, nocase: bool) -> bool {
    let signed = |x: u8| fold(x, nocase) as i8 as i32;
    let (mut lo, mut hi) = (a as i8 as i32, b as i8 as i32);
    if lo > hi {
        std::mem::swap(&mut lo, &mut hi);
    }
    if nocase {
        lo = signed(lo as u8);
        hi = signed(hi as u8);
    }
    let c = signed(c);
    lo <= c && c <= hi
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str) -> bool {
        string_match_len(p.as_bytes(), s.as_bytes(), false)
    }

    fn mi(p: &str, s: &str) -> bool {
        string_match_len(p.as_bytes(), s.as_bytes(), true)
    }

    #[test]
    fn stars_and_questions() {
        assert!(!m("*", ""), "the loop needs a byte, as in Redis");
        assert!(m("*", "abc"));
        assert!(m("a*", "abc"));
        assert!(m("*c", "abc"));
        assert!(m("a*c", "ac"));
        assert!(m("a**c", "abbbc"));
        assert!(!m("a*d", "abc"));
        assert!(m("h?llo", "hello"));
        assert!(!m("h?llo", "hllo"));
        assert!(!m("?", ""));
        assert!(m("", ""));
        assert!(!m("", "a"));
        assert!(m("a*", "a"));
        assert!(m("a***", "a"));
        assert!(!m("a*?", "a"));
    }

    #[test]
    fn classes() {
        assert!(m("h[ae]llo", "hello"));
        assert!(!m("h[ae]llo", "hillo"));
        assert!(m("h[^e]llo", "hallo"));
        assert!(!m("h[^e]llo", "hello"));
        assert!(m("h[a-b]llo", "hbllo"));
        assert!(m("h[b-a]llo", "hbllo"), "backwards range");
        assert!(!m("h[a-b]llo", "hcllo"));
        assert!(m("[a-]", "]"), "range up to ']' as C reads it");
        assert!(m("a[bc", "ab"), "unterminated class runs to the end");
        assert!(m("a[bc", "ac"));
        assert!(!m("a[bc", "abc"));
        assert!(m("[\\]]", "]"));
        assert!(m("[\\-]", "-"));
        assert!(!m("[", "a"));
        assert!(!m("[", ""));
        assert!(m("[^", "a"), "an empty negated class matches anything");
    }

    #[test]
    fn escapes_and_case() {
        assert!(m("\\*", "*"));
        assert!(!m("\\*", "a"));
        assert!(m("a\\", "a\\"));
        assert!(mi("HeLLo", "hello"));
        assert!(!m("HeLLo", "hello"));
        assert!(mi("[A-C]x", "bX"));
        assert!(!mi("[\\A]", "a"), "escaped class bytes compare exactly");
        assert!(mi("CONF*", "config|get"));
    }

    #[test]
    fn bytes_and_signed_ranges() {
        let p = b"[a-\xff]";
        // 0xff is -1 as a C char, so the range is [-1, 'a'].
        assert!(string_match_len(p, b"\xff", false));
        assert!(string_match_len(p, b"0", false));
        assert!(!string_match_len(p, b"b", false));
        assert!(!string_match_len(p, b"\xfe", false));
        assert!(string_match_len(b"*\x00*", b"a\x00b", false));
    }

    #[test]
    fn nesting_guard() {
        let s = "a".repeat(1100);
        assert!(m(&"*a".repeat(1000), &s));
        assert!(!m(&"*a".repeat(1001), &s));
    }

    #[test]
    fn pathological_patterns_finish() {
        let s = "a".repeat(60);
        let p = format!("{}b", "*a".repeat(30));
        assert!(!m(&p, &s));
    }
}
