//! Reply encoders (networking.c `addReply*`). They write into the client's
//! output buffer (`OutBuf`: a head buffer and a list of blocks) and pick the
//! RESP2 or RESP3 form from the client's protocol version.

use super::outbuf::OutBuf;
use crate::util::num::{fmt_g17, fmt_i64};

/// A client's pending output plus the protocol version it speaks.
#[derive(Debug)]
pub struct Reply {
    out: OutBuf,
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
            out: OutBuf::default(),
            resp,
        }
    }

    /// The output buffer, for writing it to the socket and for its figures.
    pub fn out(&self) -> &OutBuf {
        &self.out
    }

    pub fn out_mut(&mut self) -> &mut OutBuf {
        &mut self.out
    }

    /// Position at the end of the output (a mark for `truncate`, `insert`).
    #[inline]
    pub fn len(&self) -> usize {
        self.out.len()
    }

    pub fn is_empty(&self) -> bool {
        self.out.is_empty()
    }

    #[inline]
    pub fn raw(&mut self, bytes: &[u8]) {
        self.out.extend(bytes);
    }

    /// Drops the output from position `at` on (CLIENT REPLY OFF/SKIP).
    pub fn truncate(&mut self, at: usize) {
        self.out.truncate(at);
    }

    /// Inserts `bytes` at position `at`, before output written after it.
    pub fn insert(&mut self, at: usize, bytes: &[u8]) {
        self.out.insert(at, bytes);
    }

    /// Records the output from `start` to the end as a push of the running
    /// command (kept by CLIENT REPLY OFF/SKIP).
    pub fn mark_push(&mut self, start: usize) {
        self.out.mark_push(start);
    }

    /// Inserts a push at `at`, before output written after it, and records it.
    pub fn insert_push(&mut self, at: usize, bytes: &[u8]) {
        self.out.insert_push(at, bytes);
    }

    /// Removes and returns the output from position `at` on.
    pub fn split_off(&mut self, at: usize) -> Vec<u8> {
        self.out.split_off(at)
    }

    /// The output from position `at` on, as one vector.
    pub fn bytes_from(&self, at: usize) -> Vec<u8> {
        self.out.bytes_from(at)
    }

    /// All the output held, as one vector.
    pub fn to_vec(&self) -> Vec<u8> {
        self.out.to_vec()
    }

    /// Drops all output, written or not.
    pub fn clear(&mut self) {
        self.out.clear();
    }

    #[inline]
    pub fn ok(&mut self) {
        self.raw(b"+OK\r\n");
    }

    /// `+text` — the caller guarantees no CR/LF inside.
    #[inline(always)]
    pub fn simple(&mut self, s: &[u8]) {
        match self.out.head_room(s.len() + 3) {
            Some(h) => {
                h.push(b'+');
                h.extend_from_slice(s);
                h.extend_from_slice(b"\r\n");
            }
            None => self.simple_slow(s),
        }
    }

    #[cold]
    #[inline(never)]
    fn simple_slow(&mut self, s: &[u8]) {
        self.out.push(b'+');
        self.raw(s);
        self.raw(b"\r\n");
    }

    /// `-text`: `text` carries its code ("ERR ...", "WRONGTYPE ..."). Newlines
    /// are turned into spaces, as Redis does, so the protocol stays valid.
    pub fn error(&mut self, text: impl AsRef<[u8]>) {
        self.out.push(b'-');
        let mut rest = text.as_ref();
        while let Some(i) = rest.iter().position(|&b| b == b'\r' || b == b'\n') {
            self.raw(&rest[..i]);
            self.out.push(b' ');
            rest = &rest[i + 1..];
        }
        self.raw(rest);
        self.raw(b"\r\n");
    }

    #[inline]
    pub fn int(&mut self, v: i64) {
        self.prefixed_len(b':', v);
    }

    #[inline]
    pub fn bulk(&mut self, s: &[u8]) {
        let mut hdr = [0u8; 24];
        let len = header(&mut hdr, b'$', s.len() as i64);
        match self.out.head_room(len + s.len() + 2) {
            Some(h) => {
                h.extend_from_slice(&hdr[..len]);
                h.extend_from_slice(s);
                h.extend_from_slice(b"\r\n");
            }
            None => self.bulk_slow(&hdr[..len], s),
        }
    }

    /// A bulk that does not fit in the head: a block made for a big value
    /// also holds its CRLF.
    #[inline(never)]
    fn bulk_slow(&mut self, hdr: &[u8], s: &[u8]) {
        self.raw(hdr);
        self.out.extend_reserving(s, 2);
        self.raw(b"\r\n");
    }

    /// A bulk string holding the decimal form of `v`.
    pub fn bulk_i64(&mut self, v: i64) {
        let mut tmp = [0u8; 20];
        self.bulk(fmt_i64(&mut tmp, v));
    }

    /// The null bulk string: `$-1` in RESP2, `_` in RESP3.
    #[inline]
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

    #[inline]
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
            self.out.push(b',');
            self.raw(s.as_bytes());
            self.raw(b"\r\n");
        } else {
            self.bulk(s.as_bytes());
        }
    }

    /// A big number: `(` in RESP3, a bulk string in RESP2.
    pub fn big_number(&mut self, digits: &[u8]) {
        if self.resp >= 3 {
            self.out.push(b'(');
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
            self.out.push(b':');
            self.raw(text);
            self.raw(b"\r\n");
        } else {
            self.bulk(text);
        }
    }

    /// Reserves a place for an aggregate header whose length is not known yet
    /// (Redis's `addReplyDeferredLen`). Returns the position to fill later.
    pub fn defer_len(&mut self) -> usize {
        self.out.len()
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
        let mut hdr = [0u8; 24];
        let len = header(&mut hdr, prefix, n);
        self.out.insert(at, &hdr[..len]);
    }

    #[inline]
    fn prefixed_len(&mut self, prefix: u8, n: i64) {
        let mut hdr = [0u8; 24];
        let len = header(&mut hdr, prefix, n);
        self.raw(&hdr[..len]);
    }
}

/// Writes `<prefix><n>\r\n` into `out`; returns its length.
#[inline]
fn header(out: &mut [u8; 24], prefix: u8, n: i64) -> usize {
    let mut tmp = [0u8; 20];
    let digits = fmt_i64(&mut tmp, n);
    out[0] = prefix;
    out[1..1 + digits.len()].copy_from_slice(digits);
    out[1 + digits.len()..3 + digits.len()].copy_from_slice(b"\r\n");
    3 + digits.len()
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
        assert_eq!(r2.to_vec(), b"$-1\r\n*2\r\n$3\r\n1.5\r\n:1\r\n");
        assert_eq!(r3.to_vec(), b"_\r\n%1\r\n,1.5\r\n#t\r\n");
    }

    #[test]
    fn error_newlines_become_spaces() {
        let mut r = Reply::new(2);
        r.error("ERR a\r\nb");
        assert_eq!(r.to_vec(), b"-ERR a  b\r\n");
    }

    #[test]
    fn deferred_header() {
        let mut r = Reply::new(2);
        r.int(1);
        let at = r.defer_len();
        r.bulk(b"x");
        r.set_deferred_array(at, 1);
        assert_eq!(r.to_vec(), b":1\r\n*1\r\n$1\r\nx\r\n");
    }

    #[test]
    fn bulk_integers() {
        let mut r = Reply::new(2);
        for v in [0, 7, -7, 1234567890, i64::MIN, i64::MAX] {
            r.clear();
            r.bulk_i64(v);
            let s = v.to_string();
            assert_eq!(
                r.to_vec(),
                format!("${}\r\n{}\r\n", s.len(), s).into_bytes()
            );
        }
    }
}
