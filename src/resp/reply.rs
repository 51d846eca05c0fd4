//! Reply encoders (networking.c `addReply*`). One buffer per client; the
//! encoders pick the RESP2 or RESP3 form from the client's protocol version.

use crate::util::num::{fmt_g17, fmt_i64, push_i64};

/// A client's pending output plus the protocol version it speaks.
#[derive(Debug)]
pub struct Reply {
    pub buf: Vec<u8>,
    pub resp: u8,
}

impl Default for Reply {
    fn default() -> Self {
        Reply::new(2)
    }
}

impl Reply {
    pub fn new(resp: u8) -> Reply {
        Reply {
            buf: Vec::new(),
            resp,
        }
    }

    pub fn len(&self) -> usize {
        self.buf.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    pub fn raw(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    pub fn ok(&mut self) {
        self.raw(b"+OK\r\n");
    }

    /// `+text` — the caller guarantees no CR/LF inside.
    pub fn simple(&mut self, s: &[u8]) {
        self.buf.push(b'+');
        self.raw(s);
        self.raw(b"\r\n");
    }

    /// `-text`: `text` carries its code ("ERR ...", "WRONGTYPE ..."). Newlines
    /// are turned into spaces, as Redis does, so the protocol stays valid.
    pub fn error(&mut self, text: impl AsRef<[u8]>) {
        self.buf.push(b'-');
        let start = self.buf.len();
        self.raw(text.as_ref());
        for b in &mut self.buf[start..] {
            if *b == b'\r' || *b == b'\n' {
                *b = b' ';
            }
        }
        self.raw(b"\r\n");
    }

    pub fn int(&mut self, v: i64) {
        self.prefixed_len(b':', v);
    }

    pub fn bulk(&mut self, s: &[u8]) {
        self.prefixed_len(b'$', s.len() as i64);
        self.raw(s);
        self.raw(b"\r\n");
    }

    /// A bulk string holding the decimal form of `v`.
    pub fn bulk_i64(&mut self, v: i64) {
        let mut tmp = [0u8; 20];
        self.bulk(fmt_i64(&mut tmp, v));
    }

    /// The null bulk string: `$-1` in RESP2, `_` in RESP3.
    pub fn null(&mut self) {
        if self.resp >= 3 {
            self.raw(b"_\r\n");
        } else {
            self.raw(b"$-1\r\n");
        }
    }

    /// The null array: `*-1` in RESP2, `_` in RESP3.
    pub fn null_array(&mut self) {
        if self.resp >= 3 {
            self.raw(b"_\r\n");
        } else {
            self.raw(b"*-1\r\n");
        }
    }

    pub fn array(&mut self, n: usize) {
        self.prefixed_len(b'*', n as i64);
    }

    /// A map of `n` pairs: `%n` in RESP3, a flat array of 2n in RESP2.
    pub fn map(&mut self, n: usize) {
        if self.resp >= 3 {
            self.prefixed_len(b'%', n as i64);
        } else {
            self.prefixed_len(b'*', 2 * n as i64);
        }
    }

    /// A set: `~n` in RESP3, an array in RESP2.
    pub fn set(&mut self, n: usize) {
        let p = if self.resp >= 3 { b'~' } else { b'*' };
        self.prefixed_len(p, n as i64);
    }

    /// A push message header: `>n` in RESP3, an array in RESP2.
    pub fn push(&mut self, n: usize) {
        let p = if self.resp >= 3 { b'>' } else { b'*' };
        self.prefixed_len(p, n as i64);
    }

    /// An attribute header (RESP3 only; callers skip it in RESP2).
    pub fn attribute(&mut self, n: usize) {
        self.prefixed_len(b'|', n as i64);
    }

    pub fn bool(&mut self, v: bool) {
        if self.resp >= 3 {
            self.raw(if v { b"#t\r\n" } else { b"#f\r\n" });
        } else {
            self.int(v as i64);
        }
    }

    /// A double: a bulk string in RESP2, `,` in RESP3, both `%.17g`.
    pub fn double(&mut self, v: f64) {
        let s = fmt_g17(v);
        if self.resp >= 3 {
            self.buf.push(b',');
            self.raw(s.as_bytes());
            self.raw(b"\r\n");
        } else {
            self.bulk(s.as_bytes());
        }
    }

    /// A big number: `(` in RESP3, a bulk string in RESP2.
    pub fn big_number(&mut self, digits: &[u8]) {
        if self.resp >= 3 {
            self.buf.push(b'(');
            self.raw(digits);
            self.raw(b"\r\n");
        } else {
            self.bulk(digits);
        }
    }

    /// Verbatim text (`=len\r\ntxt:...` in RESP3, a bulk string in RESP2).
    pub fn verbatim(&mut self, text: &[u8], format: &str) {
        if self.resp >= 3 {
            self.prefixed_len(b'=', (text.len() + 4) as i64);
            self.raw(format.as_bytes());
            self.buf.push(b':');
            self.raw(text);
            self.raw(b"\r\n");
        } else {
            self.bulk(text);
        }
    }

    /// Reserves a place for an aggregate header whose length is not known yet
    /// (Redis's `addReplyDeferredLen`). Returns the position to fill later.
    pub fn defer_len(&mut self) -> usize {
        self.buf.len()
    }

    /// Fills a deferred array header at `at`.
    pub fn set_deferred_array(&mut self, at: usize, n: usize) {
        self.insert_header(at, b'*', n as i64);
    }

    /// Fills a deferred map header at `at` (`n` pairs).
    pub fn set_deferred_map(&mut self, at: usize, n: usize) {
        if self.resp >= 3 {
            self.insert_header(at, b'%', n as i64);
        } else {
            self.insert_header(at, b'*', 2 * n as i64);
        }
    }

    /// Fills a deferred set header at `at`.
    pub fn set_deferred_set(&mut self, at: usize, n: usize) {
        let p = if self.resp >= 3 { b'~' } else { b'*' };
        self.insert_header(at, p, n as i64);
    }

    fn insert_header(&mut self, at: usize, prefix: u8, n: i64) {
        let mut hdr = Vec::with_capacity(24);
        hdr.push(prefix);
        push_i64(&mut hdr, n);
        hdr.extend_from_slice(b"\r\n");
        self.buf.splice(at..at, hdr);
    }

    fn prefixed_len(&mut self, prefix: u8, n: i64) {
        self.buf.push(prefix);
        push_i64(&mut self.buf, n);
        self.raw(b"\r\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resp2_and_resp3_forms() {
        let mut r2 = Reply::new(2);
        let mut r3 = Reply::new(3);
        for r in [&mut r2, &mut r3] {
            r.null();
            r.map(1);
            r.double(1.5);
            r.bool(true);
        }
        assert_eq!(r2.buf, b"$-1\r\n*2\r\n$3\r\n1.5\r\n:1\r\n");
        assert_eq!(r3.buf, b"_\r\n%1\r\n,1.5\r\n#t\r\n");
    }

    #[test]
    fn error_newlines_become_spaces() {
        let mut r = Reply::new(2);
        r.error("ERR a\r\nb");
        assert_eq!(r.buf, b"-ERR a  b\r\n");
    }

    #[test]
    fn deferred_header() {
        let mut r = Reply::new(2);
        r.int(1);
        let at = r.defer_len();
        r.bulk(b"x");
        r.set_deferred_array(at, 1);
        assert_eq!(r.buf, b":1\r\n*1\r\n$1\r\nx\r\n");
    }

    #[test]
    fn bulk_integers() {
        let mut r = Reply::new(2);
        for v in [0, 7, -7, 1234567890, i64::MIN, i64::MAX] {
            r.buf.clear();
            r.bulk_i64(v);
            let s = v.to_string();
            assert_eq!(r.buf, format!("${}\r\n{}\r\n", s.len(), s).into_bytes());
        }
    }
}
