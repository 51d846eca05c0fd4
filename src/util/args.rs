//! Redis's `sdssplitargs` (sds.c): splits a line into arguments with the quoting
//! rules shared by redis.conf, inline commands and redis-cli.

/// Splits `line` into arguments. Returns `None` on unbalanced quotes, or when a
/// closing quote is not followed by a space, as Redis does.
pub fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut args = Vec::new();
    let mut p = 0;
    loop {
        while p < line.len() && is_space(line[p]) {
            p += 1;
        }
        if p >= line.len() {
            return Some(args);
        }
        let mut cur = Vec::new();
        let mut in_dq = false;
        let mut in_sq = false;
        loop {
            if in_dq {
                if p >= line.len() {
                    return None;
                }
                let c = line[p];
                if c == b'\\'
                    && p + 3 < line.len()
                    && line[p + 1] == b'x'
                    && is_hex(line[p + 2])
                    && is_hex(line[p + 3])
                {
                    cur.push(hex_val(line[p + 2]) * 16 + hex_val(line[p + 3]));
                    p += 3;
                } else if c == b'\\' && p + 1 < line.len() {
                    p += 1;
                    cur.push(match line[p] {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 8,
                        b'a' => 7,
                        other => other,
                    });
                } else if c == b'"' {
                    if p + 1 < line.len() && !is_space(line[p + 1]) {
                        return None;
                    }
                    p += 1;
                    break;
                } else {
                    cur.push(c);
                }
            } else if in_sq {
                if p >= line.len() {
                    return None;
                }
                let c = line[p];
                if c == b'\\' && p + 1 < line.len() && line[p + 1] == b'\'' {
                    p += 1;
                    cur.push(b'\'');
                } else if c == b'\'' {
                    if p + 1 < line.len() && !is_space(line[p + 1]) {
                        return None;
                    }
                    p += 1;
                    break;
                } else {
                    cur.push(c);
                }
            } else {
                if p >= line.len() {
                    break;
                }
                match line[p] {
                    b' ' | b'\n' | b'\r' | b'\t' | 0 => {
                        p += 1;
                        break;
                    }
                    b'"' => in_dq = true,
                    b'\'' => in_sq = true,
                    c => cur.push(c),
                }
            }
            p += 1;
        }
        args.push(cur);
    }
}

/// Quotes a byte string the way `sdscatrepr` does (used by MONITOR, CONFIG REWRITE, logs).
pub fn repr(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'"');
    for &c in s {
        match c {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'"' => out.extend_from_slice(b"\\\""),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            7 => out.extend_from_slice(b"\\a"),
            8 => out.extend_from_slice(b"\\b"),
            c if c.is_ascii_graphic() || c == b' ' => out.push(c),
            c => out.extend_from_slice(format!("\\x{:02x}", c).as_bytes()),
        }
    }
    out.push(b'"');
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\n' | b'\r' | b'\t' | 0x0b | 0x0c)
}

fn is_hex(c: u8) -> bool {
    c.is_ascii_hexdigit()
}

fn hex_val(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => c - b'A' + 10,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &str) -> Option<Vec<String>> {
        split_args(s.as_bytes()).map(|v| {
            v.into_iter()
                .map(|a| String::from_utf8(a).unwrap())
                .collect()
        })
    }

    #[test]
    fn splits_with_quotes_and_escapes() {
        assert_eq!(split("set a b").unwrap(), ["set", "a", "b"]);
        assert_eq!(
            split("  set \"a b\" 'c d'  ").unwrap(),
            ["set", "a b", "c d"]
        );
        assert_eq!(split("\"\\x41\\n\"").unwrap(), ["A\n"]);
        assert_eq!(split("'it\\'s'").unwrap(), ["it's"]);
        assert_eq!(split("save \"\"").unwrap(), ["save", ""]);
        assert!(split("\"abc").is_none());
        assert!(split("\"abc\"def").is_none());
        assert!(split("'abc").is_none());
        assert_eq!(split("").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn repr_escapes() {
        let mut out = Vec::new();
        repr(&mut out, b"a\"\n\x01");
        assert_eq!(out, b"\"a\\\"\\n\\x01\"");
    }
}
