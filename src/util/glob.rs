//! Glob-style matching with Redis's exact rules (util.c `stringmatchlen`):
//! bytes, optional ASCII case folding, `\` escapes, `[...]` classes with `^`
//! and swapped ranges, and the guards against pathological patterns
//! (a nesting limit and the "skip longer matches" cut-off for `*`).

/// True when `string` matches the glob `pattern`.
pub fn string_match(pattern: &[u8], string: &[u8], nocase: bool) -> bool {
    let mut skip_longer = false;
    match_impl(pattern, string, nocase, &mut skip_longer, 0)
}

/// Byte `i` of `p`, or 0 past the end (Redis reads the sds terminator there).
fn at(p: &[u8], i: usize) -> u8 {
    p.get(i).copied().unwrap_or(0)
}

/// C `tolower` in the C locale on a `char` widened to int.
fn lower(c: i32) -> i32 {
    if (b'A' as i32..=b'Z' as i32).contains(&c) {
        c + 32
    } else {
        c
    }
}

/// A byte as C's signed `char` widened to int, as Redis's range test sees it.
fn schar(b: u8) -> i32 {
    b as i8 as i32
}

fn match_impl(pat: &[u8], s: &[u8], nocase: bool, skip_longer: &mut bool, nesting: u32) -> bool {
    if nesting > 1000 {
        return false;
    }
    let (mut p, mut plen) = (0usize, pat.len());
    let (mut si, mut slen) = (0usize, s.len());
    while plen > 0 && slen > 0 {
        match pat[p] {
            b'*' => {
                while plen > 0 && at(pat, p + 1) == b'*' {
                    p += 1;
                    plen -= 1;
                }
                if plen == 1 {
                    return true;
                }
                while slen > 0 {
                    let rest = &pat[p + 1..p + plen];
                    if match_impl(rest, &s[si..si + slen], nocase, skip_longer, nesting + 1) {
                        return true;
                    }
                    if *skip_longer {
                        return false;
                    }
                    si += 1;
                    slen -= 1;
                }
                *skip_longer = true;
                return false;
            }
            b'?' => {
                si += 1;
                slen -= 1;
            }
            b'[' => {
                p += 1;
                plen -= 1;
                let not = at(pat, p) == b'^';
                if not {
                    p += 1;
                    plen -= 1;
                }
                let mut matched = false;
                let c = s[si];
                loop {
                    if at(pat, p) == b'\\' && plen >= 2 {
                        p += 1;
                        plen -= 1;
                        if at(pat, p) == c {
                            matched = true;
                        }
                    } else if at(pat, p) == b']' {
                        break;
                    } else if plen == 0 {
                        p -= 1;
                        plen += 1;
                        break;
                    } else if plen >= 3 && at(pat, p + 1) == b'-' {
                        let (mut start, mut end) = (schar(at(pat, p)), schar(at(pat, p + 2)));
                        let mut ch = schar(c);
                        if start > end {
                            std::mem::swap(&mut start, &mut end);
                        }
                        if nocase {
                            start = lower(start);
                            end = lower(end);
                            ch = lower(ch);
                        }
                        p += 2;
                        plen -= 2;
                        if ch >= start && ch <= end {
                            matched = true;
                        }
                    } else if !nocase {
                        if at(pat, p) == c {
                            matched = true;
                        }
                    } else if lower(schar(at(pat, p))) == lower(schar(c)) {
                        matched = true;
                    }
                    p += 1;
                    plen -= 1;
                }
                if not {
                    matched = !matched;
                }
                if !matched {
                    return false;
                }
                si += 1;
                slen -= 1;
            }
            b => {
                let mut b = b;
                if b == b'\\' && plen >= 2 {
                    p += 1;
                    plen -= 1;
                    b = pat[p];
                }
                let same = if nocase {
                    lower(schar(b)) == lower(schar(s[si]))
                } else {
                    b == s[si]
                };
                if !same {
                    return false;
                }
                si += 1;
                slen -= 1;
            }
        }
        p += 1;
        plen -= 1;
        if slen == 0 {
            while at(pat, p) == b'*' && p < pat.len() {
                p += 1;
                plen -= 1;
            }
            break;
        }
    }
    plen == 0 && slen == 0
}

/// The name main's callers use (merge of the keyspace and meta globs).
pub fn string_match_len(pattern: &[u8], string: &[u8], nocase: bool) -> bool {
    string_match(pattern, string, nocase)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str) -> bool {
        string_match(p.as_bytes(), s.as_bytes(), false)
    }

    #[test]
    fn globs() {
        assert!(m("*", "anything"));
        assert!(m("h?llo", "hello"));
        assert!(m("h*llo", "heeeello"));
        assert!(m("h[ae]llo", "hallo"));
        assert!(!m("h[^e]llo", "hello"));
        assert!(m("h[a-b]llo", "hbllo"));
        assert!(m("h[b-a]llo", "hallo"));
        assert!(m("h\\*llo", "h*llo"));
        assert!(!m("h\\*llo", "hallo"));
        assert!(m("a*", "a"));
        assert!(m("a**", "a"));
        assert!(!m("a[", "ab"));
        assert!(m("[abc", "a"));
        assert!(string_match(b"HELLO", b"hello", true));
        assert!(!m("", "a"));
        assert!(m("", ""));
    }

    #[test]
    fn pathological_pattern_is_fast() {
        let p = "*?".repeat(50_000);
        let s = "x".repeat(100);
        assert!(!m(&format!("{}z", p), &s));
        assert!(!m(&"a*".repeat(100), &"a".repeat(50)));
    }
}
