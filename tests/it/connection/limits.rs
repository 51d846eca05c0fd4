//! CLIENT PAUSE, connection limits and defences (maxclients, protected
//! mode, idle timeout), unix sockets, SHUTDOWN and signals, TIME/LASTSAVE.

use std::time::{Duration, Instant};

use super::{assert_silent, bulk_text, differential_scenario, field, int_reply, mask};
use crate::support::*;

#[test]
fn client_pause_all_holds_every_client_until_it_ends() {
    let s = Server::start(&[]);
    let mut a = s.raw();
    let mut b = s.raw();
    let mut m = s.raw();
    assert_eq!(m.cmd(&["MONITOR"]), b"+OK\r\n");
    assert_eq!(a.cmd(&["CLIENT", "PAUSE", "2000", "ALL"]), b"+OK\r\n");
    let start = Instant::now();
    // MONITOR clients count as replicas, which are never paused.
    assert_eq!(m.cmd(&["PING"]), b"+PONG\r\n");
    assert!(m.read_reply().unwrap().ends_with(b"\"PING\"\r\n"));
    // Two pipelined commands: both wait, then both run in order.
    b.send(b"PING\r\nECHO after\r\n");
    assert_silent(&mut b, "PING ran during the pause");
    // Held clients count as blocked.
    let info = String::from_utf8_lossy(&m.cmd(&["INFO", "clients"])).into_owned();
    assert!(info.contains("blocked_clients:1\r\n"), "{}", info);
    // The pausing client is held too, CLIENT UNPAUSE included.
    a.send(&RawConn::encode(&[b"CLIENT", b"UNPAUSE"]));
    assert_eq!(b.read_reply().unwrap(), b"+PONG\r\n");
    assert_eq!(b.read_reply().unwrap(), b"$5\r\nafter\r\n");
    assert_eq!(a.read_reply().unwrap(), b"+OK\r\n");
    // Replies came only once the pause expired (a lower bound only).
    assert!(start.elapsed() >= Duration::from_millis(1500));
    let info = String::from_utf8_lossy(&s.cmd(&["INFO", "clients"])).into_owned();
    assert!(info.contains("blocked_clients:0\r\n"), "{}", info);
}

#[test]
fn client_pause_write_lets_other_commands_run() {
    let s = Server::start(&[]);
    let mut a = s.raw();
    let mut b = s.raw();
    assert_eq!(a.cmd(&["CLIENT", "PAUSE", "100000", "WRITE"]), b"+OK\r\n");
    assert_eq!(b.cmd(&["PING"]), b"+PONG\r\n");
    assert_eq!(b.cmd(&["CLIENT", "ID"])[0], b':');
    assert_eq!(b.cmd(&["ECHO", "x"]), b"$1\r\nx\r\n");
    assert_eq!(a.cmd(&["CLIENT", "UNPAUSE"]), b"+OK\r\n");
}

#[test]
fn client_pause_write_holds_writes_until_unpause() {
    let s = Server::start(&[]);
    let mut a = s.raw();
    if a.cmd(&["SET", "k", "0"])
        .starts_with(b"-ERR unknown command")
    {
        eprintln!("SKIP client_pause_write_holds_writes_until_unpause: no SET yet");
        return;
    }
    let mut b = s.raw();
    let b_id = int_reply(&b.cmd(&["CLIENT", "ID"])).to_string();
    assert_eq!(a.cmd(&["CLIENT", "PAUSE", "100000", "WRITE"]), b"+OK\r\n");
    b.send(b"SET k 1\r\nGET k\r\n");
    // The held client shows as blocked on its pending command.
    assert!(poll_until(Duration::from_secs(10), || {
        let list = bulk_text(&a.cmd(&["CLIENT", "LIST", "ID", &b_id]));
        field(list.trim_end(), "flags") == "b" && field(list.trim_end(), "cmd") == "set"
    }));
    assert_silent(&mut b, "SET ran during the write pause");
    assert_eq!(a.cmd(&["GET", "k"]), b"$1\r\n0\r\n");
    assert_eq!(a.cmd(&["CLIENT", "UNPAUSE"]), b"+OK\r\n");
    assert_eq!(b.read_reply().unwrap(), b"+OK\r\n");
    assert_eq!(b.read_reply().unwrap(), b"$1\r\n1\r\n");
}

#[test]
fn maxclients_refuses_extra_clients() {
    differential_scenario(
        "maxclients_refuses_extra_clients",
        &["--maxclients", "2"],
        |s| {
            // The readiness probe may still hold a slot for a moment.
            let connect_ok = || {
                let mut conn = None;
                assert!(poll_until(Duration::from_secs(10), || {
                    let mut c = s.raw();
                    c.stream
                        .set_read_timeout(Some(Duration::from_secs(2)))
                        .unwrap();
                    c.send(b"PING\r\n");
                    let ok = c.read_reply().as_deref() == Some(b"+PONG\r\n");
                    if ok {
                        conn = Some(c);
                    }
                    ok
                }));
                conn.unwrap()
            };
            let a = connect_ok();
            let _b = connect_ok();
            let mut c = s.raw();
            let refused = c.read_replies_or_eof(1);
            let closed = c.is_closed();
            drop(a);
            let mut d = connect_ok();
            vec![
                String::from_utf8_lossy(&refused).into_owned(),
                format!("closed={}", closed),
                mask(&d.cmd(&["PING"])),
            ]
        },
    );
}

/// A minimal RESP client over a Unix socket.
struct UnixConn {
    stream: std::os::unix::net::UnixStream,
    buf: Vec<u8>,
}

impl UnixConn {
    fn connect(path: &std::path::Path) -> UnixConn {
        let stream = std::os::unix::net::UnixStream::connect(path).expect("unix connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        UnixConn {
            stream,
            buf: Vec::new(),
        }
    }

    fn cmd(&mut self, args: &[&str]) -> Vec<u8> {
        use std::io::{Read, Write};
        let b: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        self.stream.write_all(&RawConn::encode(&b)).unwrap();
        loop {
            if let Some(end) = crate::support::resp::reply_end(&self.buf, 0) {
                let rest = self.buf.split_off(end);
                return std::mem::replace(&mut self.buf, rest);
            }
            let mut tmp = [0u8; 65536];
            match self.stream.read(&mut tmp) {
                Ok(0) | Err(_) => panic!("unix connection closed"),
                Ok(n) => self.buf.extend_from_slice(&tmp[..n]),
            }
        }
    }
}

/// Unix socket clients: addresses, flags, MONITOR format and KILL by ADDR.
fn unix_scenario(s: &Server, sock: &std::path::Path) -> Vec<String> {
    let path = sock.display().to_string();
    let mut u = UnixConn::connect(sock);
    let mut out = vec![mask(&u.cmd(&["PING"]))];
    let info = bulk_text(&u.cmd(&["CLIENT", "INFO"]));
    let info = info.trim_end().replace(&path, "SOCK");
    for f in ["addr", "laddr", "flags"] {
        out.push(format!("{}={}", f, field(&info, f)));
    }
    let mut m = s.raw();
    m.cmd(&["MONITOR"]);
    u.cmd(&["ECHO", "via unix"]);
    let line = String::from_utf8_lossy(&m.read_reply().unwrap()).replace(&path, "SOCK");
    out.push(line.split_once(' ').unwrap().1.to_string());
    let mut t = s.raw();
    let addr = format!("{}:0", path);
    out.push(mask(&t.cmd(&["CLIENT", "KILL", "ADDR", &addr])));
    out
}

#[test]
fn unix_socket_clients_match_redis() {
    if !have_redis("unix_socket_clients_match_redis") {
        return;
    }
    let mut transcripts = Vec::new();
    for flavor in [Flavor::Ferrodis, Flavor::Redis] {
        let dir = TempDir::new("unix");
        let sock = dir.path().join("s.sock");
        let sock_arg = sock.display().to_string();
        let s = Server::spawn(
            flavor,
            &["--unixsocket", &sock_arg, "--loglevel", "verbose"],
        );
        // The readiness probe is TCP, whose listener is opened before the
        // Unix socket: wait for the latter too before connecting to it.
        assert!(s.wait_for_log(&format!(
            "The server is now ready to accept connections at {}",
            sock_arg
        )));
        transcripts.push(unix_scenario(&s, &sock));
        assert!(s.wait_for_log(&format!("Accepted connection to {}", sock_arg)));
    }
    assert_eq!(transcripts[0], transcripts[1]);
}

#[test]
fn unixsocketperm_sets_the_socket_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("unixperm");
    let sock = dir.path().join("p.sock");
    let sock_arg = sock.display().to_string();
    let s = Server::start(&["--unixsocket", &sock_arg, "--unixsocketperm", "700"]);
    // The readiness probe is TCP: the socket file's mode is set after it.
    assert!(s.wait_for_log("The server is now ready to accept connections at"));
    let mode = std::fs::metadata(&sock).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700);
    assert_eq!(UnixConn::connect(&sock).cmd(&["PING"]), b"+PONG\r\n");
    drop(s);
}

/// A local address that is not loopback, to connect from outside 127.0.0.0/8.
fn non_loopback_ipv4() -> Option<std::net::IpAddr> {
    let sock = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    // No packet is sent: connecting a UDP socket only picks a route.
    sock.connect("192.0.2.1:9").ok()?;
    let ip = sock.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

#[test]
fn protected_mode_denies_non_loopback_clients() {
    let Some(ip) = non_loopback_ipv4() else {
        eprintln!("SKIP protected_mode_denies_non_loopback_clients: no non-loopback address");
        return;
    };
    let ip = ip.to_string();
    let bind = ["--bind", &ip, "127.0.0.1"];
    differential_scenario("protected_mode_denies_non_loopback_clients", &bind, |s| {
        let mut out = Vec::new();
        let mut ext = std::net::TcpStream::connect((non_loopback_ipv4().unwrap(), s.port)).unwrap();
        out.push(String::from_utf8_lossy(&read_to_eof(&mut ext)).into_owned());
        // Loopback clients are served.
        out.push(mask(&s.cmd(&["PING"])));
        out
    });
    // With a password, outside clients are let in (and must AUTH).
    let args = ["--bind", &ip, "127.0.0.1", "--requirepass", "pw"];
    differential_scenario("protected_mode_denies_non_loopback_clients", &args, |s| {
        let ip = non_loopback_ipv4().unwrap();
        let mut ext = std::net::TcpStream::connect((ip, s.port)).unwrap();
        use std::io::{Read, Write};
        ext.write_all(b"PING\r\n").unwrap();
        ext.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut buf = [0u8; 256];
        let n = ext.read(&mut buf).unwrap();
        vec![String::from_utf8_lossy(&buf[..n]).into_owned()]
    });
}

#[test]
fn timeout_closes_idle_clients_but_not_monitors() {
    let s = Server::start(&["--timeout", "1", "--loglevel", "verbose"]);
    let mut idle = s.raw();
    let mut monitor = s.raw();
    assert_eq!(monitor.cmd(&["MONITOR"]), b"+OK\r\n");
    assert_eq!(idle.cmd(&["PING"]), b"+PONG\r\n");
    assert!(monitor.read_reply().unwrap().ends_with(b"\"PING\"\r\n"));
    assert!(idle.is_closed(), "idle client was not closed");
    assert!(s.wait_for_log("- Closing idle client\n"));
    // The MONITOR client, idle just as long, is still served.
    assert_eq!(monitor.cmd(&["PING"]), b"+PONG\r\n");
}

#[test]
fn time_and_lastsave() {
    let Some(d) = Differential::start("time_and_lastsave", &[]) else {
        return;
    };
    let mut secs = Vec::new();
    for s in [&d.ours, &d.theirs] {
        let reply = String::from_utf8_lossy(&s.cmd(&["TIME"])).into_owned();
        let parts: Vec<&str> = reply.split("\r\n").collect();
        assert_eq!(parts[0], "*2", "{}", reply);
        let t: i64 = parts[2].parse().unwrap();
        let us: i64 = parts[4].parse().unwrap();
        assert!((0..1_000_000).contains(&us));
        assert_eq!(parts[3], format!("${}", parts[4].len()));
        let lastsave = int_reply(&s.cmd(&["LASTSAVE"]));
        // Startup counts as a save.
        assert!(lastsave <= t && t - lastsave < 60, "{} {}", lastsave, t);
        secs.push(t);
    }
    assert!((secs[0] - secs[1]).abs() <= 5);
}

#[test]
fn shutdown_closes_listeners_and_exits() {
    let dir = TempDir::new("shutdown");
    let sock = dir.path().join("sd.sock");
    let pidfile = dir.path().join("sd.pid");
    let sock_arg = sock.display().to_string();
    let pid_arg = pidfile.display().to_string();
    let mut s = Server::start(&["--unixsocket", &sock_arg, "--pidfile", &pid_arg]);
    assert!(poll_until(Duration::from_secs(10), || pidfile.exists()));
    let mut c = s.raw();
    // Errors first: the server stays up.
    assert_eq!(
        c.cmd(&["SHUTDOWN", "ABORT"]),
        b"-ERR No shutdown in progress.\r\n"
    );
    assert_eq!(
        c.cmd(&["SHUTDOWN", "NOSAVE", "SAVE"]),
        b"-ERR syntax error\r\n"
    );
    // No reply: the connection just closes.
    c.send(&RawConn::encode(&[b"SHUTDOWN", b"NOSAVE", b"NOW"]));
    assert_eq!(c.read_replies_or_eof(1), b"");
    assert!(poll_until(Duration::from_secs(10), || !s.is_alive()));
    assert_eq!(s.child.wait().unwrap().code(), Some(0));
    let log = s.log();
    let want = [
        "# User requested shutdown...",
        "* Removing the pid file.",
        "* Removing the unix socket file.",
        "# Redis is now ready to exit, bye bye...",
    ];
    let mut at = 0;
    for line in want {
        let i = log[at..]
            .find(line)
            .unwrap_or_else(|| panic!("{} missing", line));
        at += i;
    }
    assert!(!sock.exists() && !pidfile.exists());
    assert!(std::net::TcpStream::connect(("127.0.0.1", s.port)).is_err());
}

#[test]
fn sigterm_shuts_down_with_redis_log_lines() {
    let mut s = Server::start(&[]);
    assert_eq!(s.terminate(), Some(0));
    let log = s.log();
    assert!(log.contains("Received SIGTERM scheduling shutdown..."));
    assert!(log.contains("# User requested shutdown..."));
    assert!(log.contains("# Redis is now ready to exit, bye bye..."));
    assert!(!log.contains("Removing the pid file."));
}

/// A MONITOR client that never reads is held to the normal class's hard
/// limit and closed, on both servers; the writer is not held up.
#[test]
fn stalled_monitor_is_closed_at_the_normal_limit() {
    both("stalled_monitor_closed", |s| {
        s.cmd(&[
            "CONFIG",
            "SET",
            "client-output-buffer-limit",
            "normal 1mb 0 0",
        ]);
        let mut m = s.raw();
        assert_eq!(m.cmd(&["MONITOR"]), b"+OK\r\n");
        let mut w = s.raw();
        let value = "v".repeat(100_000);
        let clients = |w: &mut RawConn| bulk_text(&w.cmd(&["CLIENT", "LIST"])).lines().count();
        let mut closed = false;
        // Enough output to fill the socket buffers and then the limit.
        for _ in 0..2000 {
            assert_eq!(w.cmd(&["SET", "k", &value]), b"+OK\r\n");
            if clients(&mut w) == 1 {
                closed = true;
                break;
            }
        }
        assert!(closed, "the monitor was not closed");
        vec![b"closed".to_vec()]
    });
}
