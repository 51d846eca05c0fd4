//! RESP protocol handling (Redis networking.c `processInlineBuffer`,
//! `processMultibulkBuffer`, `readQueryFromClient`, `writeToClient`), checked
//! against redis-server wherever the behaviour is visible on the wire.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::support::resp::reply_end;
use crate::support::*;

/// What one connection saw: every byte the server sent, and whether it closed.
#[derive(Debug, PartialEq, Eq)]
struct Seen {
    bytes: Vec<u8>,
    closed: bool,
}

impl Seen {
    /// The reply as text, for asserting on known ASCII replies.
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

fn connect(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_nodelay(true).unwrap();
    s
}

/// Reads until EOF (closed) or until nothing arrives for `quiet` (still open).
/// A reset counts as closed: a server that closes with unread input sends RST.
fn drain(s: &mut TcpStream, quiet: Duration) -> (Vec<u8>, bool) {
    s.set_read_timeout(Some(quiet)).unwrap();
    let mut out = Vec::new();
    let mut buf = vec![0u8; 65536];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return (out, true),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return (out, false)
            }
            Err(_) => return (out, true),
        }
    }
}

/// Sends `input` on a fresh connection and records what comes back. When the
/// server is expected to close, waits for the close (bounded); otherwise waits
/// until it has been quiet for a moment.
fn exchange(port: u16, input: &[u8], expect_close: bool) -> Seen {
    let mut s = connect(port);
    // The server may close before taking everything; the reply still counts.
    let _ = s.write_all(input);
    let quiet = if expect_close {
        Duration::from_secs(10)
    } else {
        Duration::from_millis(300)
    };
    let (bytes, closed) = drain(&mut s, quiet);
    Seen { bytes, closed }
}

/// Sends `input` to both servers and asserts identical bytes and close state.
fn same(d: &Differential, input: &[u8], expect_close: bool) -> Seen {
    let ours = exchange(d.ours.port, input, expect_close);
    let theirs = exchange(d.theirs.port, input, expect_close);
    let shown = String::from_utf8_lossy(&input[..input.len().min(80)]).into_owned();
    let cut = |s: &Seen| {
        let n = s.bytes.len().min(300);
        format!("{} closed={}", s.bytes[..n].escape_ascii(), s.closed)
    };
    assert!(
        ours == theirs,
        "ferrodis vs redis for input {:?}:\n  ours:   {}\n  theirs: {}",
        shown,
        cut(&ours),
        cut(&theirs)
    );
    assert_eq!(
        ours.closed, expect_close,
        "close state for input {:?}",
        shown
    );
    ours
}

fn encode(args: &[&[u8]]) -> Vec<u8> {
    RawConn::encode(args)
}

/// Writes `input` from a scoped thread while `read` runs, so that a request
/// larger than the socket buffers cannot deadlock the test against its replies.
fn write_while<T>(s: &mut TcpStream, input: &[u8], read: impl FnOnce(&mut TcpStream) -> T) -> T {
    let mut w = s.try_clone().unwrap();
    std::thread::scope(|sc| {
        let writer = sc.spawn(move || w.write_all(input));
        let out = read(s);
        writer.join().unwrap().expect("write request");
        out
    })
}

#[test]
fn protocol_errors_reply_and_close() {
    let Some(d) = Differential::start("protocol_errors_reply_and_close", &[]) else {
        return;
    };
    let long_digits = |prefix: &[u8]| {
        let mut v = prefix.to_vec();
        v.extend(std::iter::repeat_n(b'1', 64 * 1024));
        v
    };
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"*abc\r\n".to_vec(), "invalid multibulk length"),
        (b"*3000000000\r\n".to_vec(), "invalid multibulk length"),
        (b"*+1\r\n".to_vec(), "invalid multibulk length"),
        (b"*1\r\n$abc\r\n".to_vec(), "invalid bulk length"),
        (b"*1\r\n$-1\r\n".to_vec(), "invalid bulk length"),
        (b"*1\r\n$04\r\n".to_vec(), "invalid bulk length"),
        (b"*1\r\nfoo\r\n".to_vec(), "expected '$', got 'f'"),
        (
            b"*2\r\n$4\r\nECHO\r\n:1\r\n".to_vec(),
            "expected '$', got ':'",
        ),
        (b"*1\rx\n$4\r\n".to_vec(), "expected '$', got ' '"),
        (b"ECHO \"abc\r\n".to_vec(), "unbalanced quotes in request"),
        (b"ECHO 'a'b\r\n".to_vec(), "unbalanced quotes in request"),
        (b"ECHO \"a\"b\r\n".to_vec(), "unbalanced quotes in request"),
        (vec![b'a'; 64 * 1024 + 1], "too big inline request"),
        (long_digits(b"*"), "too big mbulk count string"),
        (long_digits(b"*1\r\n$"), "too big bulk count string"),
    ];
    for (input, reason) in cases {
        let seen = same(&d, &input, true);
        assert_eq!(seen.text(), format!("-ERR Protocol error: {}\r\n", reason));
    }
    // Replies to requests before the bad one are sent; nothing after it runs.
    let seen = same(&d, b"PING\r\n*1\r\n$x\r\nPING\r\n", true);
    assert_eq!(
        seen.text(),
        "+PONG\r\n-ERR Protocol error: invalid bulk length\r\n"
    );
}

/// Regression (nul_byte_ends_line_search): Redis finds line ends with strchr,
/// so a NUL before the end of a count line or inline request stalls it.
#[test]
fn nul_byte_ends_line_search() {
    let Some(d) = Differential::start("nul_byte_ends_line_search", &[]) else {
        return;
    };
    for input in [
        &b"*1\0\r\n$4\r\nPING\r\n"[..],
        b"*1\r\n$4\0\r\nPING\r\n",
        b"PI\0NG\r\nPING\r\n",
        b"\0\r\n",
    ] {
        let seen = same(&d, input, false);
        assert_eq!(seen.text(), "");
    }
    let mut big = b"PING\0\r\n".to_vec();
    big.extend(vec![b'x'; 64 * 1024]);
    same(&d, &big, true);
}

#[test]
fn empty_and_null_requests_are_skipped() {
    let Some(d) = Differential::start("empty_and_null_requests_are_skipped", &[]) else {
        return;
    };
    let seen = same(
        &d,
        b"*0\r\n*-1\r\n*-5\r\n\r\n\n   \r\n\t\r\nPING\r\n",
        false,
    );
    assert_eq!(seen.text(), "+PONG\r\n");
    same(&d, b"*1\r\n$0\r\n\r\nPING\r\n", false);
    same(&d, b"*1\r\n$4\r\nPINGxxPING\r\n", false);
}

#[test]
fn inline_commands_with_quotes() {
    let Some(d) = Differential::start("inline_commands_with_quotes", &[]) else {
        return;
    };
    let inputs: &[&[u8]] = &[
        b"ECHO \"hello world\"\r\n",
        b"ECHO 'hello world'\r\n",
        b"ECHO \"a\\x41\\n\\t\\\"b\"\r\n",
        b"ECHO 'it\\'s'\r\n",
        b"ECHO 'a\\nb'\r\n",
        b"ECHO \"\"\r\n",
        b"ECHO ''\r\n",
        b"  ECHO\t  spaced   \r\n",
        b"ECHO nocr\n",
        b"echo \"\\xzz\"\r\n",
        b"ECHO a b\r\n",
        b"PING \"x y\"\r\n",
        b"ECHO \"\xff\xfe\"\r\n",
    ];
    for input in inputs {
        same(&d, input, false);
    }
}

/// Reads exactly `n` replies from `s`, parsing incrementally.
fn read_n_replies(s: &mut TcpStream, n: usize) -> Vec<u8> {
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut buf = Vec::new();
    let mut pos = 0;
    let mut got = 0;
    let mut tmp = vec![0u8; 65536];
    while got < n {
        while got < n {
            match reply_end(&buf, pos) {
                Some(end) => {
                    pos = end;
                    got += 1;
                }
                None => break,
            }
        }
        if got == n {
            break;
        }
        let r = s.read(&mut tmp).expect("read replies");
        assert!(r > 0, "server closed after {} of {} replies", got, n);
        buf.extend_from_slice(&tmp[..r]);
    }
    buf
}

fn pipeline_payload(n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..n {
        match i % 3 {
            0 => out.extend(encode(&[b"PING"])),
            1 => out.extend(encode(&[b"ECHO", format!("value-{}", i).as_bytes()])),
            _ => out.extend(format!("ECHO inline-{}\r\n", i).into_bytes()),
        }
    }
    out
}

#[test]
fn pipeline_of_thousands_in_one_write() {
    let Some(d) = Differential::start("pipeline_of_thousands_in_one_write", &[]) else {
        return;
    };
    let n = 10_000;
    let payload = pipeline_payload(n);
    let mut outs = Vec::new();
    for port in [d.ours.port, d.theirs.port] {
        let mut s = connect(port);
        outs.push(write_while(&mut s, &payload, |s| read_n_replies(s, n)));
    }
    assert!(outs[0] == outs[1], "pipelined replies differ");
    assert!(outs[0].starts_with(b"+PONG\r\n$7\r\nvalue-1\r\n$8\r\ninline-2\r\n"));
}

#[test]
fn requests_split_at_every_byte() {
    let Some(d) = Differential::start("requests_split_at_every_byte", &[]) else {
        return;
    };
    let mut payload = pipeline_payload(30);
    payload.extend_from_slice(b"*0\r\n\r\nECHO \"q u\"\r\n");
    payload.extend(encode(&[b"ECHO", &[b'z'; 300]]));
    let n = 30 + 2;
    let mut outs = Vec::new();
    for port in [d.ours.port, d.theirs.port] {
        let mut s = connect(port);
        for b in &payload {
            s.write_all(std::slice::from_ref(b)).unwrap();
            s.flush().unwrap();
        }
        outs.push(read_n_replies(&mut s, n));
    }
    assert!(outs[0] == outs[1], "byte-at-a-time replies differ");
}

#[test]
fn proto_max_bulk_len_is_enforced() {
    let args = ["--proto-max-bulk-len", "1mb"];
    let Some(d) = Differential::start("proto_max_bulk_len_is_enforced", &args) else {
        return;
    };
    let seen = same(&d, b"*2\r\n$4\r\nECHO\r\n$1048577\r\n", true);
    assert_eq!(seen.text(), "-ERR Protocol error: invalid bulk length\r\n");
    // Exactly the limit is allowed.
    let value = vec![b'v'; 1024 * 1024];
    let mut s = connect(d.ours.port);
    s.write_all(&encode(&[b"ECHO", &value])).unwrap();
    let reply = read_n_replies(&mut s, 1);
    assert_eq!(reply.len(), value.len() + b"$1048576\r\n\r\n".len());
}

#[test]
fn client_query_buffer_limit_closes_client() {
    let args = ["--client-query-buffer-limit", "1mb"];
    let Some(d) = Differential::start("client_query_buffer_limit_closes_client", &args) else {
        return;
    };
    // A bulk bigger than the limit, sent in part: the server closes without a reply.
    let mut input = b"*2\r\n$4\r\nECHO\r\n$3000000\r\n".to_vec();
    input.extend_from_slice(b"\x00\x01\r\n\"q\\ \x7f\xff");
    input.extend(vec![b'a'; 1_500_000]);
    same(&d, &input, true);
    let line = "Closing client that reached max query buffer length: ";
    assert!(d.ours.wait_for_log(line));
    assert!(d.theirs.wait_for_log(line));
    let tail = |log: String| {
        let l = log.lines().find(|l| l.contains(line)).unwrap().to_string();
        l[l.find("(qbuf initial bytes:").unwrap()..].to_string()
    };
    assert_eq!(tail(d.ours.log()), tail(d.theirs.log()));
    // Other clients are unaffected.
    assert_eq!(d.ours.cmd(&["PING"]), b"+PONG\r\n");
}

#[test]
fn unauthenticated_clients_get_small_limits() {
    let args = ["--requirepass", "secret"];
    let Some(d) = Differential::start("unauthenticated_clients_get_small_limits", &args) else {
        return;
    };
    // Regression (unauthenticated_limit_error_text).
    let seen = same(&d, b"*11\r\n", true);
    assert_eq!(
        seen.text(),
        "-ERR Protocol error: unauthenticated multibulk length\r\n"
    );
    let seen = same(&d, b"*2\r\n$4\r\nECHO\r\n$16385\r\n", true);
    assert_eq!(
        seen.text(),
        "-ERR Protocol error: unauthenticated bulk length\r\n"
    );
    same(&d, b"*1\r\n$-2\r\n", true);
    // At the limits the request is read whole and refused with NOAUTH.
    let ten: Vec<&[u8]> = vec![b"ECHO"; 10];
    same(&d, &encode(&ten), false);
    same(&d, &encode(&[b"ECHO", &[b'x'; 16384]]), false);
}

#[test]
fn authenticated_clients_lose_small_limits() {
    let args = ["--requirepass", "secret"];
    let Some(d) = Differential::start("authenticated_clients_lose_small_limits", &args) else {
        return;
    };
    let mut input = encode(&[b"AUTH", b"secret"]);
    input.extend(encode(&[b"ECHO", &[b'y'; 20000]]));
    let seen = same(&d, &input, false);
    assert!(seen.text().starts_with("+OK\r\n$20000\r\n"));
}

#[test]
fn hundred_megabyte_bulk_argument() {
    let s = Server::start(&[]);
    let size = 100 * 1024 * 1024;
    let mut value = vec![0u8; size];
    for (i, b) in value.iter_mut().enumerate() {
        *b = (i % 251) as u8;
    }
    let mut c = connect(s.port);
    let req = encode(&[b"ECHO", &value]);
    let reply = write_while(&mut c, &req, |c| read_n_replies(c, 1));
    let header = format!("${}\r\n", size);
    assert!(reply.starts_with(header.as_bytes()));
    assert!(reply[header.len()..reply.len() - 2] == value[..]);
    assert_eq!(&reply[reply.len() - 2..], b"\r\n");
    assert_eq!(s.cmd(&["PING"]), b"+PONG\r\n");
}

/// A client that does not read its huge reply must not stall the others.
#[test]
fn slow_reader_does_not_block_others() {
    let s = Server::start(&[]);
    let value = vec![b'r'; 1024 * 1024];
    let copies = 64;
    let mut slow = connect(s.port);
    let mut req = Vec::new();
    for _ in 0..copies {
        req.extend(encode(&[b"ECHO", &value]));
    }
    let mut w = slow.try_clone().unwrap();
    std::thread::scope(|sc| {
        let writer = sc.spawn(move || w.write_all(&req));
        // While the request is still going in and the replies pile up unread,
        // another client is served, again and again.
        let deadline = std::time::Instant::now() + Duration::from_secs(300);
        let mut pings = 0;
        while !writer.is_finished() || pings < 20 {
            assert!(
                std::time::Instant::now() < deadline,
                "the server stopped reading"
            );
            let mut other = s.raw();
            assert_eq!(other.cmd(&["PING"]), b"+PONG\r\n");
            pings += 1;
        }
        writer.join().unwrap().expect("write request");
    });
    // The server has read the whole request, so most of the 64 MB reply is
    // now pending; other clients are still answered.
    for _ in 0..5 {
        assert_eq!(s.cmd(&["PING"]), b"+PONG\r\n");
    }
    // The slow client finally reads everything, intact.
    let replies = read_n_replies(&mut slow, copies);
    assert_eq!(
        replies.len(),
        copies * (value.len() + b"$1048576\r\n\r\n".len())
    );
    assert!(replies.starts_with(b"$1048576\r\nrrrr"));
}

/// A long pipeline of big SETs is read a budget at a time: another client
/// is served while it runs, and the pipeline still gets every reply, in
/// order, with each value intact whether it was read in one piece with its
/// header or completed by later reads (sizes vary so reads mispredict).
#[test]
fn long_pipeline_shares_the_server_and_keeps_order() {
    let s = Server::start(&[]);
    let rounds = 600;
    let sizes = [100_000usize, 40_000, 100_000, 250_000, 33_000];
    let value = |i: usize| {
        let mut v = vec![(i % 251) as u8; sizes[i % sizes.len()]];
        v[..8].copy_from_slice(&(i as u64).to_be_bytes());
        v
    };
    let mut req = Vec::new();
    for i in 0..rounds {
        req.extend(encode(&[
            b"SET",
            format!("big{}", i % 7).as_bytes(),
            &value(i),
        ]));
        req.extend(encode(&[b"INCR", b"counter"]));
    }
    let mut a = connect(s.port);
    a.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut w = a.try_clone().unwrap();
    let mut b = s.raw();
    let done = std::sync::atomic::AtomicBool::new(false);
    let (a_replies, b_counts) = std::thread::scope(|sc| {
        let writer = sc.spawn(move || w.write_all(&req));
        // Another client runs INCRs all along, one at a time.
        let other = sc.spawn(|| {
            let mut counts = Vec::new();
            while !done.load(std::sync::atomic::Ordering::Relaxed) && counts.len() < 100_000 {
                counts.push(int_reply(&b.cmd(&["INCR", "counter"])));
            }
            counts
        });
        let mut replies = Vec::new();
        read_replies_into(&mut a, &mut replies, 2 * rounds);
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        writer.join().unwrap().expect("write pipeline");
        (split_replies(&replies), other.join().unwrap())
    });
    assert_eq!(a_replies.len(), 2 * rounds);
    let mut incrs = Vec::new();
    for (i, r) in a_replies.iter().enumerate() {
        if i % 2 == 0 {
            assert_eq!(r, b"+OK\r\n", "reply {}", i);
        } else {
            incrs.push(int_reply(r));
        }
    }
    // In order: each client's INCRs increase; all increments are counted.
    assert!(
        incrs.windows(2).all(|p| p[0] < p[1]),
        "pipeline replies out of order"
    );
    assert!(b_counts.windows(2).all(|p| p[0] < p[1]));
    let total = (rounds + b_counts.len()).to_string();
    assert_eq!(
        s.cmd(&["GET", "counter"]),
        format!("${}\r\n{}\r\n", total.len(), total).into_bytes()
    );
    // The other client was served while the pipeline ran, not only after it.
    let (first, last) = (incrs[0], incrs[rounds - 1]);
    assert!(
        b_counts.iter().any(|&v| first < v && v < last),
        "the other client waited for the whole pipeline"
    );
    for i in rounds - 7..rounds {
        let got = s
            .raw()
            .cmd_bytes(&[b"GET", format!("big{}", i % 7).as_bytes()]);
        let v = value(i);
        let header = format!("${}\r\n", v.len());
        assert!(got.starts_with(header.as_bytes()), "value {} length", i);
        assert!(
            got[header.len()..got.len() - 2] == v[..],
            "value {} corrupted",
            i
        );
    }
}

/// The integer of an `:n` reply.
fn int_reply(r: &[u8]) -> i64 {
    let text = std::str::from_utf8(r).expect("ascii reply");
    text.strip_prefix(':')
        .and_then(|t| t.trim_end().parse().ok())
        .unwrap_or_else(|| panic!("not an integer reply: {:?}", text))
}

/// Reads into `buf` until it holds at least `n` complete replies.
fn read_replies_into(s: &mut TcpStream, buf: &mut Vec<u8>, n: usize) {
    let mut tmp = vec![0u8; 65536];
    while split_replies(buf).len() < n {
        let r = s.read(&mut tmp).expect("read replies");
        assert!(r > 0, "server closed the pipelining client");
        buf.extend_from_slice(&tmp[..r]);
    }
}

/// Splits a run of complete replies.
fn split_replies(buf: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(end) = reply_end(buf, pos) {
        out.push(buf[pos..end].to_vec());
        pos = end;
    }
    out
}

/// Regression (half_closed_client_gets_its_replies): a client that shuts down
/// its sending side after a pipeline still receives every reply, as with Redis.
#[test]
fn half_closed_client_gets_its_replies() {
    let Some(d) = Differential::start("half_closed_client_gets_its_replies", &[]) else {
        return;
    };
    for n in [1, 100, 5000] {
        let payload = pipeline_payload(n);
        let mut outs = Vec::new();
        for port in [d.ours.port, d.theirs.port] {
            let mut s = connect(port);
            s.write_all(&payload).unwrap();
            s.shutdown(std::net::Shutdown::Write).unwrap();
            let (bytes, closed) = drain(&mut s, Duration::from_secs(10));
            assert!(closed, "server did not close after EOF");
            outs.push(bytes);
        }
        assert!(outs[0] == outs[1], "replies differ for {} requests", n);
    }
}

/// Redis puts the raw argument bytes in the unknown-command error.
#[test]
fn unknown_command_error_keeps_raw_bytes() {
    let Some(d) = Differential::start("unknown_command_error_keeps_raw_bytes", &[]) else {
        return;
    };
    same(&d, b"*2\r\n$3\r\nfoo\r\n$2\r\n\xff\xfe\r\n", false);
    same(&d, b"\xff\xfe abc\r\n", false);
}

/// QUIT replies +OK and closes; nothing pipelined after it runs.
#[test]
fn quit_ends_the_pipeline() {
    let Some(d) = Differential::start("quit_ends_the_pipeline", &[]) else {
        return;
    };
    let seen = same(&d, b"PING\r\nQUIT\r\nPING\r\n", true);
    assert_eq!(seen.text(), "+PONG\r\n+OK\r\n");
    let mut input = encode(&[b"ECHO", b"abc"]);
    input.extend(encode(&[b"quit"]));
    input.extend(encode(&[b"PING"]));
    same(&d, &input, true);
}

/// A connection over `maxclients` gets Redis's error and is closed.
#[test]
fn maxclients_refuses_with_error() {
    let Some(d) = Differential::start("maxclients_refuses_with_error", &["--maxclients", "2"])
    else {
        return;
    };
    for port in [d.ours.port, d.theirs.port] {
        // The differential harness already holds one connection per server.
        // The readiness probe's connection may not be reaped yet: retry the
        // second connection until the server has room for it.
        let mut second = None;
        assert!(poll_until(Duration::from_secs(10), || {
            let mut c = connect(port);
            c.write_all(b"PING\r\n").unwrap();
            let ok = read_n_replies(&mut c, 1) == b"+PONG\r\n";
            if ok {
                second = Some(c);
            }
            ok
        }));
        let mut third = connect(port);
        let (bytes, closed) = drain(&mut third, Duration::from_secs(10));
        assert_eq!(bytes, b"-ERR max number of clients reached\r\n");
        assert!(closed);
    }
}
