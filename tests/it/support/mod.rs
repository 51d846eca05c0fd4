//! Test harness: spawns the real binary on a free port in a temporary
//! directory, kills it on drop and prints its log if the test failed.

#![allow(dead_code)]

pub mod resp;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub use resp::RawConn;

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh, empty temporary directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let p =
            std::env::temp_dir().join(format!("ferrodis-it-{}-{}-{}", std::process::id(), tag, n));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }

    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A port nobody listens on right now. Ports come from a per-process counter
/// so that tests running in parallel threads never pick the same one (binding
/// to port 0 and releasing it races between threads). The range stays below
/// the kernel's ephemeral ports (32768 and up), which the tests' own client
/// connections use.
pub fn free_port() -> u16 {
    const BASE: usize = 10000;
    const SPAN: usize = 22000;
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let start = (std::process::id() as usize * 7919) % SPAN;
    let _ = NEXT.compare_exchange(0, start + 1, Ordering::SeqCst, Ordering::SeqCst);
    loop {
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let port = (BASE + n % SPAN) as u16;
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// Which server binary a `Server` runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    Ferrodis,
    Redis,
}

/// A running server process.
pub struct Server {
    pub child: Child,
    pub port: u16,
    pub dir: TempDir,
    pub flavor: Flavor,
    log_path: PathBuf,
}

pub fn ferrodis_bin() -> &'static str {
    env!("CARGO_BIN_EXE_ferrodis-server")
}

/// True when `redis-server` is installed; prints a visible SKIP line when it is not.
pub fn have_redis(test: &str) -> bool {
    let ok = Command::new("redis-server")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok();
    if !ok {
        eprintln!("SKIP {}: redis-server is not installed", test);
    }
    ok
}

/// True when `redis-cli` is installed; prints a visible SKIP line when it is not.
pub fn have_redis_cli(test: &str) -> bool {
    let ok = Command::new("redis-cli")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok();
    if !ok {
        eprintln!("SKIP {}: redis-cli is not installed", test);
    }
    ok
}

impl Server {
    /// Starts ferrodis with default settings plus `args` (`--name value` pairs).
    pub fn start(args: &[&str]) -> Server {
        Server::spawn(Flavor::Ferrodis, args)
    }

    /// Starts the real redis-server (callers check `have_redis` first).
    pub fn start_redis(args: &[&str]) -> Server {
        Server::spawn(Flavor::Redis, args)
    }

    pub fn spawn(flavor: Flavor, args: &[&str]) -> Server {
        let dir = TempDir::new(match flavor {
            Flavor::Ferrodis => "ferrodis",
            Flavor::Redis => "redis",
        });
        let port = free_port();
        let log_path = dir.path().join("server.log");
        let bin = match flavor {
            Flavor::Ferrodis => ferrodis_bin(),
            Flavor::Redis => "redis-server",
        };
        let mut cmd = Command::new(bin);
        cmd.arg("--port").arg(port.to_string());
        cmd.arg("--bind").arg("127.0.0.1");
        cmd.arg("--save").arg("");
        cmd.arg("--dir").arg(dir.path());
        cmd.arg("--logfile").arg(&log_path);
        cmd.args(args);
        // stderr is kept: a panic's message goes there, not to the log.
        let stderr = std::fs::File::create(dir.path().join("stderr.log"))
            .map(Stdio::from)
            .unwrap_or_else(|_| Stdio::null());
        cmd.stdout(Stdio::null())
            .stderr(stderr)
            .stdin(Stdio::null());
        let child = cmd.spawn().expect("spawn server");
        let mut s = Server {
            child,
            port,
            dir,
            flavor,
            log_path,
        };
        s.wait_ready();
        s
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "server on port {} exited with {}; log:\n{}",
                    self.port,
                    status,
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!(
            "server on port {} did not start; log:\n{}",
            self.port,
            self.log()
        );
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// What the server wrote on stderr (a panic message, for one).
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("stderr.log")).unwrap_or_default()
    }

    /// Polls until the log contains `needle` (bounded), returning whether it did.
    pub fn wait_for_log(&self, needle: &str) -> bool {
        poll_until(Duration::from_secs(10), || self.log().contains(needle))
    }

    /// A `redis` crate connection.
    pub fn client(&self) -> redis::Connection {
        let c = redis::Client::open(format!("redis://127.0.0.1:{}/", self.port)).unwrap();
        c.get_connection().expect("connect")
    }

    /// A raw socket for byte-exact protocol tests.
    pub fn raw(&self) -> RawConn {
        match TcpStream::connect(("127.0.0.1", self.port)) {
            Ok(stream) => RawConn::from_stream(stream),
            Err(e) => panic!("{}", self.connect_failure(e)),
        }
    }

    /// What a failed connect to a server that was ready tells about it: a
    /// rare "connection refused" right after startup has been seen twice,
    /// with nothing in the server's log (see docs/testing.md).
    fn connect_failure(&self, e: std::io::Error) -> String {
        let pid = self.child.id();
        let state = std::fs::read_to_string(format!("/proc/{}/stat", pid))
            .ok()
            .and_then(|st| st.rsplit(')').next().map(|r| r.trim().to_string()))
            .map(|r| r.chars().next().unwrap_or('?').to_string())
            .unwrap_or_else(|| "gone".into());
        let listening = std::process::Command::new("ss")
            .args(["-Htlnp", &format!("sport = :{}", self.port)])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default();
        format!(
            "connect to {:?} server (pid {}, state {}) on port {}: {}; listening there: [{}]; stderr: [{}]",
            self.flavor, pid, state, self.port, e, listening, self.stderr().trim()
        )
    }

    /// Sends one command on a fresh raw connection and returns the reply bytes.
    pub fn cmd(&self, args: &[&str]) -> Vec<u8> {
        let mut c = self.raw();
        c.cmd(args)
    }

    /// Runs redis-cli against this server with the given arguments.
    pub fn redis_cli(&self, args: &[&str], stdin: Option<&[u8]>) -> std::process::Output {
        let mut cmd = Command::new("redis-cli");
        cmd.arg("-p").arg(self.port.to_string()).args(args);
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("redis-cli");
        if let Some(input) = stdin {
            child.stdin.take().unwrap().write_all(input).unwrap();
        } else {
            drop(child.stdin.take());
        }
        child.wait_with_output().unwrap()
    }

    pub fn is_alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Sends SIGTERM and waits (bounded) for the process to exit; returns its status code.
    pub fn terminate(&mut self) -> Option<i32> {
        unsafe_kill(self.child.id(), 15);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(st)) = self.child.try_wait() {
                return st.code();
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        None
    }
}

fn unsafe_kill(pid: u32, sig: i32) {
    let _ = Command::new("kill")
        .arg(format!("-{}", sig))
        .arg(pid.to_string())
        .status();
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!(
                "---- {:?} log (port {}) ----\n{}",
                self.flavor,
                self.port,
                self.log()
            );
            let stderr = self.stderr();
            if !stderr.is_empty() {
                eprintln!("---- {:?} stderr ----\n{}", self.flavor, stderr);
            }
        }
    }
}

/// Calls `f` until it returns true or `limit` passes.
pub fn poll_until(limit: Duration, mut f: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if f() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Runs the same command sequences against ferrodis and redis-server and
/// compares every reply byte for byte.
pub struct Differential {
    pub ours: Server,
    pub theirs: Server,
    ours_conn: RawConn,
    theirs_conn: RawConn,
}

impl Differential {
    /// None (with a SKIP line) when redis-server is not installed.
    pub fn start(test: &str, args: &[&str]) -> Option<Differential> {
        if !have_redis(test) {
            return None;
        }
        let ours = Server::start(args);
        let theirs = Server::start_redis(args);
        let ours_conn = ours.raw();
        let theirs_conn = theirs.raw();
        Some(Differential {
            ours,
            theirs,
            ours_conn,
            theirs_conn,
        })
    }

    /// Sends `args` to both servers and asserts the replies are identical.
    /// Returns the reply.
    pub fn check(&mut self, args: &[&str]) -> Vec<u8> {
        let b: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        self.check_bytes(&b)
    }

    pub fn check_bytes(&mut self, args: &[&[u8]]) -> Vec<u8> {
        let a = self.ours_conn.cmd_bytes(args);
        let b = self.theirs_conn.cmd_bytes(args);
        // Compared as bytes: a lossy UTF-8 view would hide differences in
        // non-UTF-8 replies.
        assert!(
            a == b,
            "replies differ for {:?}\n  ferrodis: {}\n  redis:    {}",
            args.iter()
                .map(|x| String::from_utf8_lossy(x))
                .collect::<Vec<_>>(),
            a.escape_ascii(),
            b.escape_ascii()
        );
        a
    }

    /// Sends `args` to both servers and asserts the replies are identical
    /// once passed through `mask` (for values that depend on the clock).
    pub fn check_masked_by(&mut self, args: &[&str], mask: fn(&[u8]) -> String) -> Vec<u8> {
        let b: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        let a = self.ours_conn.cmd_bytes(&b);
        let r = self.theirs_conn.cmd_bytes(&b);
        assert_eq!(mask(&a), mask(&r), "masked replies differ for {:?}", args);
        a
    }

    /// Checks a list of commands in order.
    pub fn check_all(&mut self, cmds: &[&[&str]]) {
        for c in cmds {
            self.check(c);
        }
    }

    /// Sends raw bytes to both and compares everything each sends back until it closes
    /// the connection or `expect_replies` replies arrived.
    pub fn check_raw(&mut self, bytes: &[u8], expect_replies: usize) -> Vec<u8> {
        let mut a = self.ours.raw();
        let mut b = self.theirs.raw();
        a.send(bytes);
        b.send(bytes);
        let ra = a.read_replies_or_eof(expect_replies);
        let rb = b.read_replies_or_eof(expect_replies);
        assert!(
            ra == rb,
            "raw replies differ for {:?}\n  ferrodis: {}\n  redis:    {}",
            String::from_utf8_lossy(bytes),
            ra.escape_ascii(),
            rb.escape_ascii()
        );
        ra
    }
}

/// Reads everything until EOF (bounded by a timeout), for tests that expect a close.
pub fn read_to_eof(s: &mut TcpStream) -> Vec<u8> {
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => return out,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
}

/// INFO clients `blocked_clients` (-1 if it cannot be read).
pub fn blocked_clients(s: &Server) -> i64 {
    let info = String::from_utf8_lossy(&s.cmd(&["INFO", "clients"])).into_owned();
    info.lines()
        .find_map(|l| l.strip_prefix("blocked_clients:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(-1)
}

/// Polls until exactly `n` clients are blocked.
pub fn wait_blocked(s: &Server, n: i64) {
    assert!(
        poll_until(Duration::from_secs(10), || blocked_clients(s) == n),
        "expected {} blocked clients, have {}",
        n,
        blocked_clients(s)
    );
}

/// Runs a scenario on ferrodis and on redis-server and compares what its
/// clients received (skips visibly without redis-server).
pub fn both(name: &str, f: impl Fn(&Server) -> Vec<Vec<u8>>) {
    if !have_redis(name) {
        return;
    }
    let ours = Server::start(&[]);
    let theirs = Server::start_redis(&[]);
    let a = f(&ours);
    let b = f(&theirs);
    let show = |v: &Vec<Vec<u8>>| {
        v.iter()
            .map(|x| String::from_utf8_lossy(x).into_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(show(&a), show(&b), "{}", name);
}

/// Runs `cmds` on one connection and returns the `__keyevent@0__` messages a
/// pattern subscriber heard, in order, or None when the server cannot
/// subscribe. A final `SET marker` ends the collection.
pub fn keyevents(server: &Server, cmds: &[&[&str]]) -> Option<Vec<String>> {
    let mut sub = server.raw();
    if sub
        .cmd(&["PSUBSCRIBE", "__keyevent@0__:*"])
        .starts_with(b"-")
    {
        return None;
    }
    let mut c = server.raw();
    for cmd in cmds {
        c.cmd(cmd);
    }
    c.cmd(&["SET", "marker", "1"]);
    let mut out = Vec::new();
    while let Some(m) = sub.read_reply() {
        let text = String::from_utf8_lossy(&m).into_owned();
        if text.contains("__keyevent@0__:set\r\n$6\r\nmarker") {
            return Some(out);
        }
        out.push(text);
    }
    Some(out)
}

/// A seeded xorshift64* generator for fuzz-style tests: the same seed gives
/// the same sequence on every run.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A value in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}
