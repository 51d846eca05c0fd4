//! lpRepr (Redis listpack.c): the listpack's structure as text, for
//! DEBUG LISTPACK and DEBUG QUICKLIST.

use std::io::Write as _;

use super::encoding::{backlen_size, entry_size};
use super::Listpack;

/// Longest element text printed before "..." is appended.
const REPR_MAX: usize = 40;

/// Bytes of the encoding header of the entry starting with `b`: string
/// encodings carry their length in 1, 2 or 5 bytes; integers have 1.
fn header_len(b: u8) -> usize {
    if b & 0xF0 == 0xE0 {
        2
    } else if b == 0xF0 {
        5
    } else {
        1
    }
}

impl Listpack {
    /// Appends the listpack's description to `out`, one block per entry.
    pub fn repr(&self, out: &mut Vec<u8>) {
        let buf = self.as_bytes();
        let _ = writeln!(
            out,
            "{{total bytes {}}} {{num entries {}}}",
            buf.len(),
            self.len()
        );
        let mut pos = self.first();
        let mut index = 0usize;
        while let Some(p) = pos {
            let total = entry_size(buf, p).unwrap_or(1);
            // The element's own length l satisfies l + backlen_size(l) == total.
            let backlen = (1..=5)
                .find(|&k| total > k && backlen_size(total - k) == k)
                .unwrap_or(1);
            let hdr = header_len(buf[p]);
            let payload = (total - backlen).saturating_sub(hdr);
            let _ = write!(
                out,
                "{{\n\taddr: 0x{:08x},\n\tindex: {:2},\n\toffset: {},\n\thdr+entrylen+backlen: {:2},\n\thdrlen: {:3},\n\tbacklen: {:2},\n\tpayload: {}\n\tbytes: ",
                buf.as_ptr() as usize + p,
                index,
                p,
                total,
                hdr,
                backlen,
                payload
            );
            for b in buf.iter().skip(p).take(total) {
                let _ = write!(out, "{:02x}|", b);
            }
            let ele = self.get(p).to_vec();
            out.extend_from_slice(b"\n\t[str]");
            out.extend_from_slice(&ele[..ele.len().min(REPR_MAX)]);
            if ele.len() > REPR_MAX {
                out.extend_from_slice(b"...");
            }
            out.extend_from_slice(b"\n}\n");
            index += 1;
            pos = self.next(p);
        }
        out.extend_from_slice(b"{end}\n\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ds::listpack::LpValue;

    /// Drops the `addr:` lines, which hold pointers.
    fn strip_addr(text: &[u8]) -> String {
        String::from_utf8_lossy(text)
            .lines()
            .filter(|l| !l.starts_with("\taddr: "))
            .map(|l| format!("{l}\n"))
            .collect()
    }

    #[test]
    fn repr_matches_redis_layout() {
        // What redis-server 7.0.15 prints for HSET h a 1 b hello.
        let mut lp = Listpack::new();
        for v in [&b"a"[..], b"1", b"b", b"hello"] {
            lp.append(LpValue::Str(v));
        }
        let mut out = Vec::new();
        lp.repr(&mut out);
        let expected = "{total bytes 22} {num entries 4}\n\
{\n\tindex:  0,\n\toffset: 6,\n\thdr+entrylen+backlen:  3,\n\thdrlen:   1,\n\tbacklen:  1,\n\tpayload: 1\n\tbytes: 81|61|02|\n\t[str]a\n}\n\
{\n\tindex:  1,\n\toffset: 9,\n\thdr+entrylen+backlen:  2,\n\thdrlen:   1,\n\tbacklen:  1,\n\tpayload: 0\n\tbytes: 01|01|\n\t[str]1\n}\n\
{\n\tindex:  2,\n\toffset: 11,\n\thdr+entrylen+backlen:  3,\n\thdrlen:   1,\n\tbacklen:  1,\n\tpayload: 1\n\tbytes: 81|62|02|\n\t[str]b\n}\n\
{\n\tindex:  3,\n\toffset: 14,\n\thdr+entrylen+backlen:  7,\n\thdrlen:   1,\n\tbacklen:  1,\n\tpayload: 5\n\tbytes: 85|68|65|6c|6c|6f|06|\n\t[str]hello\n}\n\
{end}\n\n";
        assert_eq!(strip_addr(&out), expected);
    }

    #[test]
    fn repr_long_entries() {
        let mut lp = Listpack::new();
        lp.append(LpValue::Str(&[b'b'; 100]));
        lp.append(LpValue::Str(&[b'c'; 5000]));
        let mut out = Vec::new();
        lp.repr(&mut out);
        let text = strip_addr(&out);
        assert!(text.contains(
            "\thdr+entrylen+backlen: 103,\n\thdrlen:   2,\n\tbacklen:  1,\n\tpayload: 100\n"
        ));
        assert!(text.contains(
            "\thdr+entrylen+backlen: 5007,\n\thdrlen:   5,\n\tbacklen:  2,\n\tpayload: 5000\n"
        ));
        assert!(text.contains(&format!("\t[str]{}...\n", "b".repeat(40))));
    }
}
