//! The request parser (networking.c). Requests are multibulk (`*N\r\n$len\r\n...`)
//! or inline (a text line split with sdssplitargs). The parser keeps its
//! progress between calls, so a request split across reads resumes where it
//! stopped without scanning the buffer again.

use memchr::memchr2;

use crate::util::args::split_args;
use crate::util::num::string2ll;

/// Longest inline request, and longest count line in a multibulk request.
pub const PROTO_INLINE_MAX_SIZE: usize = 64 * 1024;
/// Bulk arguments at least this big are read into their own exact-size buffer.
pub const PROTO_MBULK_BIG_ARG: usize = 32 * 1024;

/// The limits that depend on configuration and on the client's state.
#[derive(Clone, Copy, Debug)]
pub struct ParseLimits {
    pub proto_max_bulk_len: i64,
    /// Unauthenticated clients get tiny limits (10 arguments, 16 KB bulks), as in Redis.
    pub unauthenticated: bool,
}

/// A protocol error. The text is Redis's; the connection closes after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProtocolError {
    TooBigInline,
    UnbalancedQuotes,
    TooBigMbulkCount,
    InvalidMultibulkLength,
    UnauthenticatedMultibulkLength,
    ExpectedDollar(u8),
    TooBigBulkCount,
    InvalidBulkLength,
    UnauthenticatedBulkLength,
}

impl ProtocolError {
    /// The reason as Redis writes it after "Protocol error: ".
    pub fn reason(&self) -> String {
        match self {
            ProtocolError::TooBigInline => "too big inline request".into(),
            ProtocolError::UnbalancedQuotes => "unbalanced quotes in request".into(),
            ProtocolError::TooBigMbulkCount => "too big mbulk count string".into(),
            ProtocolError::InvalidMultibulkLength => "invalid multibulk length".into(),
            ProtocolError::UnauthenticatedMultibulkLength => {
                "unauthenticated multibulk length".into()
            }
            ProtocolError::ExpectedDollar(c) => format!("expected '$', got '{}'", *c as char),
            ProtocolError::TooBigBulkCount => "too big bulk count string".into(),
            ProtocolError::InvalidBulkLength => "invalid bulk length".into(),
            ProtocolError::UnauthenticatedBulkLength => "unauthenticated bulk length".into(),
        }
    }
}

/// Outcome of one parse step.
#[derive(Debug, PartialEq, Eq)]
pub enum Parsed {
    /// A full request is in `argv` (possibly empty, for a blank line).
    Request,
    /// More bytes are needed.
    Incomplete,
}

/// Most argument buffers kept for reuse between requests.
const SPARE_MAX: usize = 16;
/// Largest argument buffer kept for reuse (bytes of capacity).
const SPARE_ARG_MAX: usize = 64;
/// Smallest capacity given to a new argument buffer, so that a buffer kept
/// for reuse fits the next request's short names and keys without growing.
const ARG_MIN_CAP: usize = 16;

/// Argument arrays up to this many slots are kept from one request to the next.
const ARGV_KEEP_MAX: usize = 1024;

/// Parser state carried across reads (Redis's `c->multibulklen`, `c->bulklen`).
#[derive(Debug, Default)]
pub struct RequestParser {
    /// Arguments still expected in the current multibulk request; 0 = none started.
    multibulk_left: i64,
    /// Length of the bulk being read, or -1 while its `$` line is not read yet.
    bulk_len: i64,
    in_multibulk: bool,
    /// Small argument buffers of earlier requests, for reuse: a stream of
    /// small commands then allocates nothing per argument. Bounded by
    /// SPARE_MAX buffers of at most SPARE_ARG_MAX bytes (about 1.4 KB).
    /// Stacked so that the next pop gives the buffer of argument 0.
    spare: Vec<Vec<u8>>,
}

impl RequestParser {
    pub fn new() -> RequestParser {
        RequestParser {
            multibulk_left: 0,
            bulk_len: -1,
            in_multibulk: false,
            spare: Vec::new(),
        }
    }

    /// Empties `argv` after a request, keeping small argument buffers for
    /// the next requests.
    pub fn recycle(&mut self, argv: &mut Vec<Vec<u8>>) {
        // Popped from the end, so argument 0's buffer ends on top.
        while let Some(v) = argv.pop() {
            if self.spare.len() < SPARE_MAX && v.capacity() <= SPARE_ARG_MAX {
                self.spare.push(v);
            }
        }
        // The array of a request with many arguments is not kept (Redis
        // frees argv after each command): 100k arguments hold 2.4 MB.
        if argv.capacity() > ARGV_KEEP_MAX {
            *argv = Vec::new();
        }
    }

    /// Drops the kept argument buffers (an idle client's memory).
    pub fn release_spare(&mut self) {
        self.spare = Vec::new();
    }

    /// A buffer holding `arg`: a kept one when there is one.
    #[inline]
    fn arg_buf(&mut self, arg: &[u8]) -> Vec<u8> {
        match self.spare.pop() {
            Some(mut v) => {
                v.clear();
                v.extend_from_slice(arg);
                v
            }
            None if arg.len() < ARG_MIN_CAP => {
                let mut v = Vec::with_capacity(ARG_MIN_CAP);
                v.extend_from_slice(arg);
                v
            }
            None => arg.to_vec(),
        }
    }

    /// True when a request has been started but not finished.
    pub fn mid_request(&self) -> bool {
        self.in_multibulk
    }

    /// Parses one request from `buf[*pos..]`, appending arguments to `argv`.
    /// Advances `pos` over consumed bytes.
    pub fn parse(
        &mut self,
        buf: &[u8],
        pos: &mut usize,
        argv: &mut Vec<Vec<u8>>,
        limits: ParseLimits,
    ) -> Result<Parsed, ProtocolError> {
        if !self.in_multibulk {
            if *pos >= buf.len() {
                return Ok(Parsed::Incomplete);
            }
            if buf[*pos] != b'*' {
                return parse_inline(buf, pos, argv);
            }
        }
        self.parse_multibulk(buf, pos, argv, limits)
    }

    fn parse_multibulk(
        &mut self,
        buf: &[u8],
        pos: &mut usize,
        argv: &mut Vec<Vec<u8>>,
        limits: ParseLimits,
    ) -> Result<Parsed, ProtocolError> {
        if !self.in_multibulk {
            let (n, line) = match quick_count(buf, *pos + 1) {
                Some(v) => v,
                None => {
                    let Some(line) = read_line(buf, *pos, ProtocolError::TooBigMbulkCount)? else {
                        return Ok(Parsed::Incomplete);
                    };
                    let n = string2ll(&buf[*pos + 1..line])
                        .ok_or(ProtocolError::InvalidMultibulkLength)?;
                    (n, line)
                }
            };
            if n > i32::MAX as i64 {
                return Err(ProtocolError::InvalidMultibulkLength);
            }
            if limits.unauthenticated && n > 10 {
                return Err(ProtocolError::UnauthenticatedMultibulkLength);
            }
            *pos = line + 2;
            if n <= 0 {
                return Ok(Parsed::Request);
            }
            self.in_multibulk = true;
            self.multibulk_left = n;
            self.bulk_len = -1;
            argv.reserve(n.min(1024) as usize);
        }
        while self.multibulk_left > 0 {
            if self.bulk_len == -1 {
                let quick = match buf.get(*pos) {
                    Some(b'$') => quick_count(buf, *pos + 1),
                    _ => None,
                };
                let (len, line) = match quick {
                    Some(v) => v,
                    None => {
                        let Some(line) = read_line(buf, *pos, ProtocolError::TooBigBulkCount)?
                        else {
                            return Ok(Parsed::Incomplete);
                        };
                        if buf[*pos] != b'$' {
                            return Err(ProtocolError::ExpectedDollar(buf[*pos]));
                        }
                        let len = string2ll(&buf[*pos + 1..line])
                            .ok_or(ProtocolError::InvalidBulkLength)?;
                        (len, line)
                    }
                };
                if len < 0 || len > limits.proto_max_bulk_len {
                    return Err(ProtocolError::InvalidBulkLength);
                }
                if limits.unauthenticated && len > 16384 {
                    return Err(ProtocolError::UnauthenticatedBulkLength);
                }
                *pos = line + 2;
                self.bulk_len = len;
            }
            let need = self.bulk_len as usize;
            if buf.len() - *pos < need + 2 {
                return Ok(Parsed::Incomplete);
            }
            argv.push(self.arg_buf(&buf[*pos..*pos + need]));
            *pos += need + 2;
            self.bulk_len = -1;
            self.multibulk_left -= 1;
        }
        self.in_multibulk = false;
        Ok(Parsed::Request)
    }

    /// Redis's big-argument optimisation (networking.c, "if the buffer
    /// contains JUST our bulk element"): when `buf` holds exactly the pending
    /// bulk of PROTO_MBULK_BIG_ARG bytes or more plus its CRLF, from offset
    /// 0, the buffer itself becomes the argument instead of being copied,
    /// and `buf` is left empty (with room for another such argument). `None` when that does not apply; the caller
    /// then calls `parse`.
    pub fn take_big_arg(
        &mut self,
        buf: &mut Vec<u8>,
        pos: usize,
        argv: &mut Vec<Vec<u8>>,
    ) -> Option<Parsed> {
        let need = self.pending_bulk_len()?;
        if need < PROTO_MBULK_BIG_ARG || pos != 0 || buf.len() != need + 2 {
            return None;
        }
        // A client that sent one fat argument likely sends another: the
        // new buffer is sized for it (the cron trims it if not).
        let mut arg = std::mem::replace(buf, Vec::with_capacity(need + 2));
        arg.truncate(need);
        argv.push(arg);
        self.bulk_len = -1;
        self.multibulk_left -= 1;
        if self.multibulk_left > 0 {
            return Some(Parsed::Incomplete);
        }
        self.in_multibulk = false;
        Some(Parsed::Request)
    }

    /// Bytes the current bulk still needs, so the reader can size its buffer
    /// for big arguments (Redis's PROTO_MBULK_BIG_ARG optimisation).
    pub fn pending_bulk_len(&self) -> Option<usize> {
        (self.in_multibulk && self.bulk_len >= 0).then_some(self.bulk_len as usize)
    }
}

/// Reads a count line's number the quick way: `start` is just after the
/// `*` or `$`, and only a plain number (1 to 18 digits, no sign, no leading
/// zero) followed by a complete `\r\n` is taken. Returns the number and the
/// index of the `\r`. Anything else gives None and the general path
/// (`read_line` and `string2ll`) decides, so the outcome is the same.
#[inline]
fn quick_count(buf: &[u8], start: usize) -> Option<(i64, usize)> {
    let digits = buf.get(start..)?;
    let mut v: i64 = 0;
    let mut n = 0;
    while n < digits.len() && n < 18 && digits[n].is_ascii_digit() {
        v = v * 10 + (digits[n] - b'0') as i64;
        n += 1;
    }
    if n == 0 || (n > 1 && digits[0] == b'0') {
        return None;
    }
    match digits.get(n..n + 2) {
        Some(b"\r\n") => Some((v, start + n)),
        _ => None,
    }
}

/// Finds `needle` from `pos` the way Redis's `strchr` on the query buffer
/// does: a NUL byte ends the search, so a line with a NUL before its end is
/// never complete and the request waits until the too-big limit closes it.
fn find_c(buf: &[u8], pos: usize, needle: u8) -> Option<usize> {
    memchr2(needle, 0, &buf[pos..])
        .filter(|&off| buf[pos + off] == needle)
        .map(|off| pos + off)
}

/// Finds the `\r` that ends a count line starting at `pos`. Returns its index
/// once the `\n` after it has arrived too.
fn read_line(
    buf: &[u8],
    pos: usize,
    too_big: ProtocolError,
) -> Result<Option<usize>, ProtocolError> {
    match find_c(buf, pos, b'\r').map(|i| i - pos) {
        None => {
            if buf.len() - pos > PROTO_INLINE_MAX_SIZE {
                Err(too_big)
            } else {
                Ok(None)
            }
        }
        Some(off) if pos + off + 1 >= buf.len() => Ok(None),
        Some(off) => Ok(Some(pos + off)),
    }
}

fn parse_inline(
    buf: &[u8],
    pos: &mut usize,
    argv: &mut Vec<Vec<u8>>,
) -> Result<Parsed, ProtocolError> {
    let Some(nl) = find_c(buf, *pos, b'\n').map(|i| i - *pos) else {
        if buf.len() - *pos > PROTO_INLINE_MAX_SIZE {
            return Err(ProtocolError::TooBigInline);
        }
        return Ok(Parsed::Incomplete);
    };
    let mut end = *pos + nl;
    if end > *pos && buf[end - 1] == b'\r' {
        end -= 1;
    }
    let args = split_args(&buf[*pos..end]).ok_or(ProtocolError::UnbalancedQuotes)?;
    *pos += nl + 1;
    argv.extend(args);
    Ok(Parsed::Request)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: ParseLimits = ParseLimits {
        proto_max_bulk_len: 512 * 1024 * 1024,
        unauthenticated: false,
    };

    fn parse_all(input: &[u8]) -> Result<Vec<Vec<Vec<u8>>>, ProtocolError> {
        let mut p = RequestParser::new();
        let mut pos = 0;
        let mut out = Vec::new();
        loop {
            let mut argv = Vec::new();
            match p.parse(input, &mut pos, &mut argv, LIMITS)? {
                Parsed::Request => out.push(argv),
                Parsed::Incomplete => return Ok(out),
            }
        }
    }

    /// Feeds `input` one growing prefix at a time, as partial reads deliver it.
    fn parse_split(input: &[u8], cut: usize) -> Vec<Vec<Vec<u8>>> {
        let mut p = RequestParser::new();
        let mut buf = Vec::new();
        let mut pos = 0;
        let mut argv = Vec::new();
        let mut out = Vec::new();
        for chunk in [&input[..cut], &input[cut..]] {
            buf.extend_from_slice(chunk);
            while let Parsed::Request = p.parse(&buf, &mut pos, &mut argv, LIMITS).unwrap() {
                out.push(std::mem::take(&mut argv));
            }
        }
        out
    }

    #[test]
    fn multibulk_and_inline() {
        let reqs = parse_all(b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\nPING\r\nset a \"b c\"\n").unwrap();
        assert_eq!(reqs[0], vec![b"GET".to_vec(), b"k".to_vec()]);
        assert_eq!(reqs[1], vec![b"PING".to_vec()]);
        assert_eq!(
            reqs[2],
            vec![b"set".to_vec(), b"a".to_vec(), b"b c".to_vec()]
        );
    }

    #[test]
    fn every_split_point_gives_the_same_requests() {
        let input: &[u8] =
            b"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nva\r\nl\r\nPING\r\n*0\r\n*1\r\n$0\r\n\r\n  echo 'x y'\r\n\r\n";
        let whole = parse_all(input).unwrap();
        assert_eq!(whole.len(), 6);
        for cut in 0..=input.len() {
            assert_eq!(parse_split(input, cut), whole, "split at {}", cut);
        }
    }

    #[test]
    fn protocol_errors_have_redis_text() {
        let cases: [(&[u8], &str); 6] = [
            (b"*abc\r\n", "invalid multibulk length"),
            (b"*1\r\nx\r\n", "expected '$', got 'x'"),
            (b"*1\r\n$-1\r\n", "invalid bulk length"),
            (b"*1\r\n$abc\r\n", "invalid bulk length"),
            (b"*3000000000\r\n", "invalid multibulk length"),
            (b"\"unbalanced\n", "unbalanced quotes in request"),
        ];
        for (input, reason) in cases {
            assert_eq!(parse_all(input).unwrap_err().reason(), reason);
        }
        let big = vec![b'a'; PROTO_INLINE_MAX_SIZE + 1];
        assert_eq!(parse_all(&big).unwrap_err(), ProtocolError::TooBigInline);
        let mut big = b"*".to_vec();
        big.extend(vec![b'1'; PROTO_INLINE_MAX_SIZE + 1]);
        assert_eq!(
            parse_all(&big).unwrap_err(),
            ProtocolError::TooBigMbulkCount
        );
    }

    /// Regression (nul_byte_ends_line_search): Redis looks for line ends with
    /// `strchr`, so a NUL before the `\r` or `\n` leaves the request incomplete
    /// rather than giving an error or running a truncated inline command.
    #[test]
    fn nul_byte_ends_line_search() {
        for input in [
            &b"*1\0\r\n$4\r\nPING\r\n"[..],
            b"*1\r\n$4\0\r\nPING\r\n",
            b"PI\0NG\r\nPING\r\n",
            b"\0\r\n",
        ] {
            assert_eq!(parse_all(input).unwrap(), Vec::<Vec<Vec<u8>>>::new());
        }
        let mut big = b"PING\0\r\n".to_vec();
        big.extend(vec![b'x'; PROTO_INLINE_MAX_SIZE]);
        assert_eq!(parse_all(&big).unwrap_err(), ProtocolError::TooBigInline);
        let mut big = b"*1\r\n$1\0\r\n".to_vec();
        big.extend(vec![b'x'; PROTO_INLINE_MAX_SIZE]);
        assert_eq!(parse_all(&big).unwrap_err(), ProtocolError::TooBigBulkCount);
    }

    /// The quick count path takes only what the general path would read the
    /// same way.
    #[test]
    fn quick_count_agrees_with_the_general_path() {
        let bodies: [&[u8]; 16] = [
            b"0",
            b"00",
            b"01",
            b"7",
            b"42",
            b"-1",
            b"+3",
            b"",
            b" 1",
            b"1 ",
            b"999999999999999999",
            b"9999999999999999999",
            b"12a",
            b"1\0",
            b"3\r",
            b"3\n",
        ];
        for body in bodies {
            for tail in [&b"\r\n"[..], b"\r", b"", b"\n"] {
                let mut line = body.to_vec();
                line.extend_from_slice(tail);
                let general = find_c(&line, 0, b'\r')
                    .filter(|&r| r + 1 < line.len())
                    .and_then(|r| string2ll(&line[..r]).map(|v| (v, r)));
                if let Some(q) = quick_count(&line, 0) {
                    assert_eq!(Some(q), general, "{:?}", line);
                }
                let well_formed = tail == b"\r\n" && !body.contains(&b'\r');
                if well_formed && general.is_some_and(|(v, _)| v >= 0) && body.len() <= 18 {
                    assert_eq!(quick_count(&line, 0), general, "{:?}", line);
                }
            }
        }
    }

    #[test]
    fn argument_buffers_are_reused_within_bounds() {
        let mut p = RequestParser::new();
        let mut argv = Vec::new();
        let mut pos = 0;
        let input = b"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n";
        p.parse(input, &mut pos, &mut argv, LIMITS).unwrap();
        let ptrs: Vec<*const u8> = argv.iter().map(|a| a.as_ptr()).collect();
        p.recycle(&mut argv);
        assert!(argv.is_empty());
        pos = 0;
        p.parse(input, &mut pos, &mut argv, LIMITS).unwrap();
        assert_eq!(
            argv,
            vec![b"SET".to_vec(), b"key".to_vec(), b"value".to_vec()]
        );
        // Argument i reuses argument i's buffer of the previous request.
        let again: Vec<*const u8> = argv.iter().map(|a| a.as_ptr()).collect();
        assert_eq!(ptrs, again);
        // Big buffers are not kept, and at most SPARE_MAX are.
        argv.push(vec![0; SPARE_ARG_MAX + 1]);
        for _ in 0..2 * SPARE_MAX {
            argv.push(Vec::with_capacity(8));
        }
        p.recycle(&mut argv);
        assert!(argv.is_empty());
        assert_eq!(p.spare.len(), SPARE_MAX);
        assert!(p.spare.iter().all(|v| v.capacity() <= SPARE_ARG_MAX));
        p.release_spare();
        assert!(p.spare.is_empty());
    }

    /// Regression (unauthenticated_limit_error_text): Redis 7.0 names these
    /// errors "unauthenticated ... length", not "invalid ... length".
    #[test]
    fn big_argument_buffer_is_taken_without_copy() {
        let mut p = RequestParser::new();
        let big = PROTO_MBULK_BIG_ARG;
        let mut buf = format!("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n${}\r\n", big).into_bytes();
        let (mut pos, mut argv) = (0, Vec::new());
        let parsed = p.parse(&buf, &mut pos, &mut argv, LIMITS).unwrap();
        assert!(matches!(parsed, Parsed::Incomplete));
        assert_eq!(p.pending_bulk_len(), Some(big));
        // Not applicable while the bulk does not start the buffer.
        buf.extend(std::iter::repeat_n(b'v', big));
        buf.extend_from_slice(b"\r\n");
        assert!(p.take_big_arg(&mut buf, pos, &mut argv).is_none());
        buf.drain(..pos);
        let ptr = buf.as_ptr();
        let parsed = p.take_big_arg(&mut buf, 0, &mut argv).unwrap();
        assert!(matches!(parsed, Parsed::Request));
        assert!(buf.is_empty());
        assert_eq!(argv.len(), 3);
        assert_eq!(argv[2].len(), big);
        assert_eq!(argv[2].as_ptr(), ptr);
        assert!(!p.mid_request());
        // Too small an argument is left to the copying path.
        let mut small = b"*1\r\n$4\r\nPING\r\n".to_vec();
        let (mut pos, mut argv) = (0, Vec::new());
        p.parse(&small[..8], &mut pos, &mut argv, LIMITS).unwrap();
        assert!(p.take_big_arg(&mut small, 0, &mut argv).is_none());
    }

    #[test]
    fn unauthenticated_limits() {
        let lim = ParseLimits {
            unauthenticated: true,
            ..LIMITS
        };
        let mut p = RequestParser::new();
        let mut argv = Vec::new();
        let r = p.parse(b"*11\r\n", &mut 0, &mut argv, lim);
        let e = r.unwrap_err();
        assert_eq!(e.reason(), "unauthenticated multibulk length");
        let mut p = RequestParser::new();
        let r = p.parse(b"*1\r\n$16385\r\n", &mut 0, &mut argv, lim);
        assert_eq!(r.unwrap_err().reason(), "unauthenticated bulk length");
        // Malformed counts are still "invalid", checked first.
        let mut p = RequestParser::new();
        let r = p.parse(b"*1\r\n$-3\r\n", &mut 0, &mut argv, lim);
        assert_eq!(r.unwrap_err(), ProtocolError::InvalidBulkLength);
        let mut p = RequestParser::new();
        let r = p.parse(b"*10\r\n$16384\r\n", &mut 0, &mut argv, lim);
        assert_eq!(r, Ok(Parsed::Incomplete));
    }
}
