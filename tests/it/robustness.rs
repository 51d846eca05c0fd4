//! Robustness of the server core (Redis networking.c under hostile input):
//! random bytes, broken-but-plausible RESP (differential against
//! redis-server), and connections dropped in the middle of a request.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

use crate::support::*;

/// splitmix64: a tiny seeded generator, so every failure is reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let v = self.next().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
}

fn connect(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_nodelay(true).unwrap();
    s
}

/// Reads whatever is waiting without blocking for long, so replies to
/// garbage never fill the socket buffers and stall the sender.
fn skim(s: &mut TcpStream) {
    s.set_read_timeout(Some(Duration::from_millis(1))).unwrap();
    let mut buf = [0u8; 65536];
    while let Ok(n) = s.read(&mut buf) {
        if n == 0 {
            break;
        }
    }
}

/// The server is still there: the process runs and a fresh client gets PONG.
fn assert_healthy(s: &mut Server) {
    assert!(s.is_alive(), "server process died");
    assert_eq!(s.cmd(&["PING"]), b"+PONG\r\n");
    assert_eq!(s.cmd(&["ECHO", "still here"]), b"$10\r\nstill here\r\n");
}

/// Sends `total` bytes from `gen` round-robin over `conns` connections in
/// small chunks. A connection the server closed is replaced by a new one.
fn spray(s: &Server, conns: usize, total: usize, mut gen: impl FnMut(&mut [u8])) {
    let mut socks: Vec<TcpStream> = (0..conns).map(|_| connect(s.port)).collect();
    let mut chunk = vec![0u8; 4096];
    let mut sent = 0;
    let mut i = 0;
    while sent < total {
        gen(&mut chunk);
        let k = i % conns;
        if socks[k].write_all(&chunk).is_err() {
            socks[k] = connect(s.port);
        }
        skim(&mut socks[k]);
        sent += chunk.len();
        i += 1;
    }
}

#[test]
fn random_bytes_do_not_hurt_the_server() {
    let mut s = Server::start(&[]);
    for seed in [1u64, 7, 42, 1234] {
        let mut rng = Rng(seed);
        spray(&s, 8, 1 << 20, |buf| rng.fill(buf));
        assert_healthy(&mut s);
    }
}

#[test]
fn random_resp_alphabet_does_not_hurt_the_server() {
    // Bytes drawn from the characters the parser cares about reach deeper states.
    let alphabet = b"*$\r\n\r\n0123456789-+ \"'\\xPINGECHO\0";
    let mut s = Server::start(&[]);
    for seed in [3u64, 99] {
        let mut rng = Rng(seed);
        spray(&s, 8, 1 << 20, |buf| {
            for b in buf.iter_mut() {
                *b = rng.pick(alphabet);
            }
        });
        assert_healthy(&mut s);
    }
}

/// One plausible frame, possibly broken in one of the ways clients break them.
fn frame(rng: &mut Rng, out: &mut Vec<u8>) {
    let names: [&[u8]; 5] = [b"PING", b"ECHO", b"echo", b"nosuch", b"PiNg"];
    let name = rng.pick(&names);
    let nargs = rng.below(3);
    let mut args: Vec<Vec<u8>> = vec![name.to_vec()];
    for _ in 0..nargs {
        let len = rng.pick(&[0usize, 1, 5, 40]);
        args.push((0..len).map(|_| b'a' + rng.below(26) as u8).collect());
    }
    match rng.below(14) {
        0 => out.extend(RawConn::encode(&refs(&args))),
        1 => inline(rng, &args, out),
        2 => out.extend_from_slice(rng.pick(&[
            &b"\r\n"[..],
            b"\n",
            b"  \r\n",
            b"*0\r\n",
            b"*-1\r\n",
        ])),
        3 => {
            // Declared count larger than what follows: the next frame is eaten.
            out.extend(format!("*{}\r\n", args.len() + 1 + rng.below(2)).into_bytes());
            out.extend_from_slice(&RawConn::encode(&refs(&args))[4..]);
        }
        4 => {
            // A bulk whose declared length is off by a little.
            let mut enc = RawConn::encode(&refs(&args));
            if let Some(p) = enc.iter().rposition(|&b| b == b'$') {
                enc[p + 1] = b'0' + rng.below(10) as u8;
            }
            out.extend(enc);
        }
        5 => out.extend_from_slice(rng.pick(&[&b"*x\r\n"[..], b"*1\r\n$y\r\n", b"*1\r\n$-7\r\n"])),
        6 => {
            out.extend_from_slice(rng.pick(&[&b"*1\r\n:1\r\n"[..], b"*2\r\n$4\r\nECHO\r\n+x\r\n"]))
        }
        7 => out.extend_from_slice(rng.pick(&[&b"ECHO \"ab\r\n"[..], b"ECHO 'a'b\r\n"])),
        8 => {
            // A frame cut short, followed by the rest of the stream.
            let enc = RawConn::encode(&refs(&args));
            let cut = rng.below(enc.len());
            out.extend_from_slice(&enc[..cut]);
        }
        9 => out.extend_from_slice(b"*1\rx\n"),
        10 => out.extend_from_slice(b"*3000000000\r\n"),
        11 => out.extend_from_slice(b"*1\r\n$5\r\nhellx\r\n"),
        _ => out.extend(RawConn::encode(&refs(&args))),
    }
}

fn refs(args: &[Vec<u8>]) -> Vec<&[u8]> {
    args.iter().map(|a| a.as_slice()).collect()
}

fn inline(rng: &mut Rng, args: &[Vec<u8>], out: &mut Vec<u8>) {
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(rng.pick(&[&b" "[..], b"\t", b"   "]));
        }
        match rng.below(3) {
            0 => out.extend_from_slice(a),
            1 => {
                out.push(b'"');
                out.extend_from_slice(a);
                out.extend_from_slice(rng.pick(&[&b""[..], b"\\x41", b"\\n"]));
                out.push(b'"');
            }
            _ => {
                out.push(b'\'');
                out.extend_from_slice(a);
                out.push(b'\'');
            }
        }
    }
    out.extend_from_slice(rng.pick(&[&b"\r\n"[..], b"\n"]));
}

/// Sends `input`, half-closes, and returns every byte until the server closes.
fn exchange(port: u16, input: &[u8]) -> Vec<u8> {
    let mut s = connect(port);
    let _ = s.write_all(input);
    let _ = s.shutdown(Shutdown::Write);
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 16384];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return out,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            // A server closing with unread input sends RST after its replies.
            Err(e) if e.kind() == ErrorKind::ConnectionReset => return out,
            Err(e) => panic!("reading replies: {}", e),
        }
    }
}

#[test]
fn broken_resp_matches_redis() {
    let Some(d) = Differential::start("broken_resp_matches_redis", &[]) else {
        return;
    };
    for seed in 0..300u64 {
        let mut rng = Rng(seed);
        let mut input = Vec::new();
        for _ in 0..1 + rng.below(12) {
            frame(&mut rng, &mut input);
        }
        let ours = exchange(d.ours.port, &input);
        let theirs = exchange(d.theirs.port, &input);
        assert!(
            ours == theirs,
            "seed {}: input {:?}\n  ours:   {:?}\n  theirs: {:?}",
            seed,
            String::from_utf8_lossy(&input),
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&theirs)
        );
    }
}

/// Open file descriptors of a process (Linux), to catch leaked sockets.
fn open_fds(pid: u32) -> Option<usize> {
    std::fs::read_dir(format!("/proc/{}/fd", pid))
        .ok()
        .map(|d| d.count())
}

#[test]
fn connections_dropped_mid_request() {
    let mut s = Server::start(&[]);
    let baseline = open_fds(s.child.id());
    let partials: [&[u8]; 6] = [
        b"*3\r\n$3\r\nSET\r\n$1",
        b"*2\r\n$4\r\nECHO\r\n$100000\r\nabc",
        b"ECHO \"unterminated",
        b"*1",
        b"*2\r\n$4\r\nECHO\r\n$5\r\nhel",
        b"PING\r\nPING\r\n*2\r\n",
    ];
    let mut rng = Rng(5);
    for round in 0..3 {
        let mut socks = Vec::new();
        for i in 0..100 {
            let mut c = connect(s.port);
            c.write_all(partials[(i + round) % partials.len()]).unwrap();
            if rng.chance(30) {
                // Half the big bulk, so the server is mid-argument.
                let _ = c.write_all(&vec![b'z'; 60_000]);
            }
            socks.push(c);
        }
        for c in socks.drain(..) {
            if rng.chance(50) {
                // Abortive close: the server sees a reset instead of EOF.
                let _ = socket2::SockRef::from(&c).set_linger(Some(Duration::ZERO));
            }
            drop(c);
        }
        assert_healthy(&mut s);
    }
    if let Some(base) = baseline {
        let pid = s.child.id();
        let settled = poll_until(Duration::from_secs(10), || {
            open_fds(pid).is_some_and(|n| n <= base)
        });
        assert!(
            settled,
            "server leaks sockets: {:?} fds, {} at start",
            open_fds(pid),
            base
        );
    }
}
