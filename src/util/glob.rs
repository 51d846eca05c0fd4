//! Glob-style matching (Redis util.c `stringmatchlen`): `*`, `?`, `[...]`
//! classes with `^` negation and ranges (swapped ends allowed), `\` escapes,
//! optional ASCII case folding, and a guard against deeply nested `*`.

/// Nested `*` past this depth never match (Redis's protection against abusive patterns).
const MAX_NESTING: usize = 1000;

/// True when `string` matches the glob `pattern`. With `nocase`, ASCII
/// letters compare case-insensitively.
pub fn stringmatch(pattern: &[u8], string: &[u8], nocase: bool) -> bool {
    let mut skip_longer = false;
    match_impl(pattern, string, nocase, &mut skip_longer, 0)
}

/// The byte at `i`, or 0 past the end (C strings end with a NUL, and Redis's
/// matcher peeks at it).
fn at(s: &[u8], i: usize) -> u8 {
    s.get(i).copied().unwrap_or(0)
}

/// C's `tolower` on a `char` (signed): only ASCII letters change.
fn lower(c: u8) -> u8 {
    c.to_ascii_lowercase()
}

/// A byte as C sees a plain `char` in an `int` context (signed on x86).
fn signed(c: u8) -> i32 {
    c as i8 as i32
}

fn match_impl(
    pattern: &[u8],
    string: &[u8],
    nocase: bool,
    skip_longer: &mut bool,
    nesting: usize,
) -> bool {
    if nesting > MAX_NESTING {
        return false;
    }
    let (mut p, mut s) = (0usize, 0usize);
    let (plen, slen) = (pattern.len(), string.len());
    while p < plen && s < slen {
        match pattern[p] {
            b'*' => {
                while p + 1 < plen && pattern[p + 1] == b'*' {
                    p += 1;
                }
                if p + 1 == plen {
                    return true;
                }
                while s < slen {
                    if match_impl(
                        &pattern[p + 1..],
                        &string[s..],
                        nocase,
                        skip_longer,
                        nesting + 1,
                    ) {
                        return true;
                    }
                    if *skip_longer {
                        return false;
                    }
                    s += 1;
                }
                // No match for the rest of the pattern from anywhere in the
                // rest of the string: earlier '*' cannot help either.
                *skip_longer = true;
                return false;
            }
            b'?' => s += 1,
            b'[' => {
                let (matched, next) = match_class(pattern, p + 1, string[s], nocase);
                if !matched {
                    return false;
                }
                p = next;
                s += 1;
            }
            c => {
                let mut c = c;
                if c == b'\\' && plen - p >= 2 {
                    p += 1;
                    c = pattern[p];
                }
                let same = if nocase {
                    lower(c) == lower(string[s])
                } else {
                    c == string[s]
                };
                if !same {
                    return false;
                }
                s += 1;
            }
        }
        p += 1;
        if s == slen {
            while at(pattern, p) == b'*' {
                p += 1;
            }
            break;
        }
    }
    p >= plen && s == slen
}

/// Matches one byte against the class starting at `p` (just after '[').
/// Returns whether it matched and the index of the class's closing ']' (or
/// of its last byte when the class is unterminated).
fn match_class(pattern: &[u8], mut p: usize, c: u8, nocase: bool) -> (bool, usize) {
    let plen = pattern.len();
    let not = at(pattern, p) == b'^';
    if not {
        p += 1;
    }
    let mut matched = false;
    loop {
        let left = plen.saturating_sub(p);
        let pc = at(pattern, p);
        if pc == b'\\' && left >= 2 {
            p += 1;
            if pattern[p] == c {
                matched = true;
            }
        } else if pc == b']' && left > 0 {
            break;
        } else if left == 0 {
            p -= 1;
            break;
        } else if left >= 3 && pattern[p + 1] == b'-' {
            let (mut start, mut end, mut ch) = (signed(pc), signed(pattern[p + 2]), signed(c));
            if start > end {
                std::mem::swap(&mut start, &mut end);
            }
            if nocase {
                start = fold(start);
                end = fold(end);
                ch = fold(ch);
            }
            p += 2;
            if ch >= start && ch <= end {
                matched = true;
            }
        } else if nocase {
            if lower(pc) == lower(c) {
                matched = true;
            }
        } else if pc == c {
            matched = true;
        }
        p += 1;
    }
    (matched != not, p)
}

/// `tolower` on a signed char value.
fn fold(c: i32) -> i32 {
    if (b'A' as i32..=b'Z' as i32).contains(&c) {
        c + 32
    } else {
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str) -> bool {
        stringmatch(p.as_bytes(), s.as_bytes(), false)
    }

    #[test]
    fn stars_and_questions() {
        // Redis quirk: the loop never runs for an empty string, so "*" fails.
        assert!(!m("*", ""));
        assert!(m("*", "anything"));
        assert!(m("h?llo", "hello"));
        assert!(!m("h?llo", "hllo"));
        assert!(m("h*llo", "heeeello"));
        assert!(m("h*llo", "hllo"));
        assert!(m("a*b*c", "axxbyyc"));
        assert!(!m("a*b*c", "axxbyy"));
        assert!(m("**a", "a"));
        assert!(m("a**", "a"));
        assert!(!m("", "a"));
        assert!(m("", ""));
        assert!(!m("a", ""));
    }

    #[test]
    fn classes() {
        assert!(m("h[ae]llo", "hello"));
        assert!(m("h[ae]llo", "hallo"));
        assert!(!m("h[ae]llo", "hillo"));
        assert!(m("h[^e]llo", "hallo"));
        assert!(!m("h[^e]llo", "hello"));
        assert!(m("h[a-b]llo", "hbllo"));
        assert!(m("h[b-a]llo", "hallo"));
        assert!(!m("h[a-b]llo", "hcllo"));
        assert!(m("[\\]]", "]"));
        // "a-]" is read as the range \]-a, and the class is left open.
        assert!(m("[a-]", "^"));
        assert!(!m("[a-]", "-"));
        // An unterminated class ends the pattern.
        assert!(m("[abc", "a"));
        assert!(!m("[abc", "ab"));
    }

    #[test]
    fn escapes_and_case() {
        assert!(m("h\\*llo", "h*llo"));
        assert!(!m("h\\*llo", "hello"));
        assert!(m("a\\", "a\\"));
        assert!(stringmatch(b"HELLO", b"hello", true));
        assert!(stringmatch(b"h[A-Z]llo", b"hello", true));
        assert!(!stringmatch(b"HELLO", b"hello", false));
        assert!(stringmatch(b"slave*", b"SLAVE-priority", true));
    }

    #[test]
    fn trailing_stars_after_full_match() {
        assert!(m("abc*", "abc"));
        assert!(m("abc***", "abc"));
        assert!(!m("abc*d", "abc"));
    }

    #[test]
    fn abusive_patterns_terminate() {
        let p = "a*".repeat(50) + "b";
        let s = "a".repeat(60);
        assert!(!m(&p, &s));
        let deep = "*".repeat(5000) + "x";
        assert!(m(&deep, "x"));
    }

    #[test]
    fn high_bytes_use_signed_ranges() {
        // Redis compares range ends as signed chars: [a-\xff] becomes [\xff-a].
        assert!(stringmatch(b"[a-\xff]", b"\xff", false));
        assert!(stringmatch(b"[a-\xff]", b"0", false));
        assert!(!stringmatch(b"[a-\xff]", b"z", false));
    }
}
