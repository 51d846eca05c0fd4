//! The append-only file: ferrodis's multi-part AOF is valid for
//! redis-check-aof and loads in redis-server 7.0 with the same dataset, and
//! the other way round; restarts, truncated tails, bad files, the legacy
//! single-file upgrade and `appendfsync always` durability under kill -9.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::support::{
    ferrodis_bin, free_port, have_redis, poll_until, Flavor, RawConn, Server, TempDir,
};

/// A server process running in a directory the test owns, so that it can
/// be restarted on the same files.
pub(crate) struct Proc {
    pub(crate) child: Child,
    pub(crate) port: u16,
    log: std::path::PathBuf,
}

impl Proc {
    pub(crate) fn spawn(bin: &str, dir: &Path, args: &[&str]) -> (Proc, bool) {
        let port = free_port();
        let log = dir.join(format!("{}.log", port));
        let child = Command::new(bin)
            .arg("--port")
            .arg(port.to_string())
            .args([
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--enable-debug-command",
                "yes",
            ])
            .arg("--dir")
            .arg(dir)
            .arg("--logfile")
            .arg(&log)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .stdin(Stdio::null())
            .spawn()
            .expect("spawn");
        let mut p = Proc { child, port, log };
        // The port opens before the AOF is loaded: wait for the ready line.
        let up = poll_until(Duration::from_secs(20), || {
            p.log().contains("Ready to accept connections")
                || matches!(p.child.try_wait(), Ok(Some(_)))
        }) && matches!(p.child.try_wait(), Ok(None));
        (p, up)
    }

    pub(crate) fn ferrodis(dir: &Path, args: &[&str]) -> Proc {
        let (p, up) = Proc::spawn(ferrodis_bin(), dir, args);
        assert!(up, "ferrodis did not start:\n{}", p.log());
        p
    }

    pub(crate) fn redis(dir: &Path, args: &[&str]) -> Proc {
        let (p, up) = Proc::spawn("redis-server", dir, args);
        assert!(up, "redis did not start:\n{}", p.log());
        p
    }

    /// The integer in key `counter` (the crash tests' INCR target).
    pub(crate) fn counter(&self) -> i64 {
        let got = String::from_utf8_lossy(&self.cmd(&["GET", "counter"])).into_owned();
        got.lines().nth(1).unwrap().parse().unwrap()
    }

    /// Redis or ferrodis, for tests that run the same steps on both.
    pub(crate) fn either(redis: bool, dir: &Path, args: &[&str]) -> Proc {
        if redis {
            Proc::redis(dir, args)
        } else {
            Proc::ferrodis(dir, args)
        }
    }

    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub(crate) fn conn(&self) -> RawConn {
        RawConn::connect(self.port)
    }

    pub(crate) fn cmd(&self, args: &[&str]) -> Vec<u8> {
        self.conn().cmd(args)
    }

    /// SHUTDOWN and wait for the exit.
    pub(crate) fn shutdown(mut self) {
        let mut c = self.conn();
        c.send(&RawConn::encode(&[b"SHUTDOWN"]));
        let _ = c.read_reply();
        assert!(poll_until(Duration::from_secs(10), || matches!(
            self.child.try_wait(),
            Ok(Some(_))
        )));
    }

    pub(crate) fn wait_exit(&mut self) -> bool {
        poll_until(Duration::from_secs(10), || {
            matches!(self.child.try_wait(), Ok(Some(_)))
        })
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("---- log (port {}) ----\n{}", self.port, self.log());
        }
    }
}

/// A workload touching the rewritten commands and several dbs.
pub(crate) fn workload(p: &Proc) {
    let mut c = p.conn();
    let cmds: &[&[&str]] = &[
        &["SET", "a", "1", "EX", "1000", "NX"],
        &["SETEX", "b", "1000", "x"],
        &["PSETEX", "b2", "1000000", "y"],
        &["EXPIRE", "a", "500", "GT"],
        &["SET", "c", "1", "PX", "1"],
        &["INCRBYFLOAT", "f", "1.5"],
        &["INCRBYFLOAT", "f", "10.1"],
        &["GETEX", "a", "PERSIST"],
        &["GETEX", "b", "PX", "99999"],
        &["GETDEL", "b2"],
        &["SET", "d", "1"],
        &["EXPIRE", "d", "-1"],
        &["MSET", "x", "1", "y", "2", "z", "three"],
        &["APPEND", "z", "-more"],
        &["INCR", "n"],
        &["SETRANGE", "r", "5", "hello"],
        &["SELECT", "3"],
        &["SET", "in3", "v"],
        &["RENAME", "in3", "moved3"],
        &["MOVE", "moved3", "4"],
        &["SELECT", "0"],
        &["DEL", "y", "nothere"],
        &["EXPIREAT", "x", "99999999999"],
        // Random and float commands go out in deterministic form.
        &[
            "SADD", "s", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j",
        ],
        &["SPOP", "s"],
        &["SPOP", "s", "3"],
        &["SPOP", "s", "7"],
        &["SADD", "s2", "1", "2", "3", "4", "5", "6", "7", "8"],
        &["SPOP", "s2", "7"],
        &["HSET", "h", "f", "1"],
        &["HINCRBYFLOAT", "h", "f", "0.1"],
        &["ZADD", "z", "1", "a", "2", "b"],
        &["ZINCRBY", "z", "1.5", "a"],
        // Transactions: several writes are wrapped, one goes out bare.
        &["MULTI"],
        &["SET", "m1", "1"],
        &["SELECT", "2"],
        &["SET", "m2", "2"],
        &["GET", "m1"],
        &["EXEC"],
        &["MULTI"],
        &["INCR", "m3"],
        &["EXEC"],
        &["SELECT", "0"],
    ];
    for args in cmds {
        c.cmd(args);
    }
    // A lazily expired key is propagated as DEL before the command that found it.
    assert!(poll_until(Duration::from_secs(5), || c
        .cmd(&["EXISTS", "c"])
        == b":0\r\n"));
    c.cmd(&["INCR", "c"]);
}

pub(crate) fn digest(p: &Proc) -> Vec<u8> {
    p.cmd(&["DEBUG", "DIGEST"])
}

pub(crate) fn manifest_path(dir: &Path) -> std::path::PathBuf {
    dir.join("appendonlydir/appendonly.aof.manifest")
}

fn incr_path(dir: &Path) -> std::path::PathBuf {
    dir.join("appendonlydir/appendonly.aof.1.incr.aof")
}

/// Creates `dir/appendonlydir` holding `manifest` and returns its path.
fn aof_dir_with_manifest(dir: &Path, manifest: &[u8]) -> std::path::PathBuf {
    let d = dir.join("appendonlydir");
    std::fs::create_dir(&d).unwrap();
    std::fs::write(d.join("appendonly.aof.manifest"), manifest).unwrap();
    d
}

/// A manifest naming one incremental file and nothing else.
const INCR_ONLY_MANIFEST: &[u8] = b"file appendonly.aof.1.incr.aof seq 1 type i\n";

#[test]
fn ferrodis_aof_passes_check_aof_and_loads_in_redis() {
    if !have_redis("ferrodis_aof_passes_check_aof_and_loads_in_redis") {
        return;
    }
    let dir = TempDir::new("aof-f2r");
    let f = Proc::ferrodis(
        dir.path(),
        &["--appendonly", "yes", "--aof-timestamp-enabled", "yes"],
    );
    workload(&f);
    let d = digest(&f);
    // A status reply with 40 hex digits, not the digest of an empty dataset.
    assert_eq!(d.len(), 43, "{}", String::from_utf8_lossy(&d));
    assert_ne!(&d[1..41], b"0000000000000000000000000000000000000000");
    f.shutdown();
    assert_eq!(
        std::fs::read(manifest_path(dir.path())).unwrap(),
        b"file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
    );
    let out = Command::new("redis-check-aof")
        .arg(manifest_path(dir.path()))
        .output()
        .expect("redis-check-aof");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("All AOF files and manifest are valid"),
        "{}",
        text
    );
    let r = Proc::redis(dir.path(), &["--appendonly", "yes"]);
    assert_eq!(digest(&r), d);
}

#[test]
fn redis_aof_loads_in_ferrodis() {
    if !have_redis("redis_aof_loads_in_ferrodis") {
        return;
    }
    let dir = TempDir::new("aof-r2f");
    let r = Proc::redis(
        dir.path(),
        &["--appendonly", "yes", "--aof-use-rdb-preamble", "no"],
    );
    workload(&r);
    let d = digest(&r);
    r.shutdown();
    let f = Proc::ferrodis(dir.path(), &["--appendonly", "yes"]);
    assert_eq!(digest(&f), d);
    assert!(f
        .log()
        .contains("DB loaded from incr file appendonly.aof.1.incr.aof"));
    assert!(f
        .log()
        .contains("Opening AOF incr file appendonly.aof.1.incr.aof on server start"));
}

/// The same commands give byte-identical incremental files (but for times).
#[test]
fn incr_file_matches_redis_byte_for_byte() {
    if !have_redis("incr_file_matches_redis_byte_for_byte") {
        return;
    }
    let mut files = Vec::new();
    for redis in [false, true] {
        let dir = TempDir::new("aof-bytes");
        let args = ["--appendonly", "yes", "--aof-use-rdb-preamble", "no"];
        let p = Proc::either(redis, dir.path(), &args);
        let mut c = p.conn();
        for args in [
            &["SET", "k", "v"][..],
            &["SELECT", "2"],
            &["SET", "k", "v", "KEEPTTL"],
            &["INCRBYFLOAT", "k2", "0.1"],
            &["GETDEL", "k"],
            &["SELECT", "5"],
            &["DEL", "missing"],
            &["MSET", "a", "1", "b", "2"],
            &["EXPIRE", "a", "-5"],
            &["PERSIST", "b"],
            &["GETEX", "b", "PERSIST"],
            &["GETSET", "gs", "1"],
            &["SETNX", "gs2", "1"],
            &["MSETNX", "gs3", "1", "gs4", "2"],
            &["INCRBY", "gs", "5"],
            &["APPEND", "gs", "x"],
            &["SETRANGE", "gs", "0", "y"],
            &["RENAME", "gs", "gs5"],
            &["COPY", "gs5", "gs6"],
            &["MOVE", "gs6", "3"],
            &["UNLINK", "gs2"],
            &["TOUCH", "gs3"],
            &["SMOVE", "s1", "s2", "x"],
            &["HSETNX", "h", "f", "v"],
            &["HINCRBY", "h", "n", "1"],
            &["ZINCRBY", "zz", "1.5", "m"],
            &["ZADD", "zz", "INCR", "2", "m"],
            &["SETBIT", "bits", "7", "1"],
            &["BITOP", "NOT", "bits2", "bits"],
            &["BITFIELD", "bf", "INCRBY", "u8", "0", "200"],
            &["PFADD", "hll", "a", "b", "c"],
            &["PFCOUNT", "hll"],
            &["PFMERGE", "hll2", "hll"],
            &["SADD", "t", "1"],
            &["SPOP", "t"],
            &["SADD", "u", "a", "b"],
            &["SPOP", "u", "5"],
            &["HINCRBYFLOAT", "hf", "f", "1.5"],
            &[
                "ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "6", "f",
            ],
            &["ZPOPMIN", "z"],
            &["ZPOPMAX", "z", "2"],
            &["BZPOPMIN", "z", "0"],
            &["BZPOPMAX", "nothere", "z", "0"],
            &["ZMPOP", "1", "z", "MIN", "COUNT", "100"],
            &["ZADD", "z2", "1", "a"],
            &["BZMPOP", "0", "2", "none", "z2", "MAX"],
            &["MULTI"],
            &["SET", "m1", "1"],
            &["SELECT", "3"],
            &["SET", "m2", "2"],
            &["EXEC"],
            &["MULTI"],
            &["GET", "m1"],
            &["EXEC"],
            &["MULTI"],
            &["SET", "m3", "3"],
            &["EXEC"],
            &["FLUSHDB"],
            &["FLUSHDB", "ASYNC"],
            &["SWAPDB", "0", "1"],
            &["SELECT", "7"],
            &["FLUSHALL"],
        ] {
            c.cmd(args);
        }
        p.shutdown();
        files.push(std::fs::read(incr_path(dir.path())).unwrap());
        assert_eq!(
            std::fs::read(dir.path().join("appendonlydir/appendonly.aof.1.base.aof")).unwrap(),
            b""
        );
    }
    assert_eq!(
        String::from_utf8_lossy(&files[0]),
        String::from_utf8_lossy(&files[1])
    );
}

#[test]
fn restart_keeps_data_and_debug_loadaof() {
    let dir = TempDir::new("aof-restart");
    let f = Proc::ferrodis(dir.path(), &["--appendonly", "yes"]);
    assert!(f
        .log()
        .contains("Creating AOF base file appendonly.aof.1.base.rdb on server start"));
    assert!(f
        .log()
        .contains("Creating AOF incr file appendonly.aof.1.incr.aof on server start"));
    workload(&f);
    let d = digest(&f);
    assert_eq!(f.cmd(&["DEBUG", "LOADAOF"]), b"+OK\r\n");
    assert_eq!(digest(&f), d);
    let info = String::from_utf8_lossy(&f.cmd(&["INFO", "persistence"])).into_owned();
    assert!(info.contains("aof_enabled:1"), "{}", info);
    assert!(info.contains("aof_last_write_status:ok"), "{}", info);
    let base = dir.path().join("appendonlydir/appendonly.aof.1.base.rdb");
    let size = std::fs::metadata(incr_path(dir.path())).unwrap().len()
        + std::fs::metadata(base).unwrap().len();
    assert!(
        info.contains(&format!("aof_current_size:{}\r\n", size)),
        "{}",
        info
    );
    f.shutdown();
    let f = Proc::ferrodis(dir.path(), &["--appendonly", "yes"]);
    assert_eq!(digest(&f), d);
    assert!(f.log().contains("DB loaded from append only file"));
}

/// appendonly yes takes precedence: without it the AOF is not read.
#[test]
fn appendonly_no_ignores_the_aof() {
    let dir = TempDir::new("aof-off");
    let f = Proc::ferrodis(dir.path(), &["--appendonly", "yes"]);
    f.cmd(&["SET", "k", "v"]);
    f.shutdown();
    let f = Proc::ferrodis(dir.path(), &["--appendonly", "no"]);
    assert_eq!(f.cmd(&["DBSIZE"]), b":0\r\n");
    let info = String::from_utf8_lossy(&f.cmd(&["INFO", "persistence"])).into_owned();
    assert!(info.contains("aof_enabled:0"));
}

fn append(path: &Path, bytes: &[u8]) {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    f.write_all(bytes).unwrap();
}

#[test]
fn truncated_tail_loads_with_aof_load_truncated() {
    let dir = TempDir::new("aof-trunc");
    let f = Proc::ferrodis(dir.path(), &["--appendonly", "yes"]);
    f.cmd(&["SET", "k", "v"]);
    f.shutdown();
    let good = std::fs::metadata(incr_path(dir.path())).unwrap().len();
    append(
        &incr_path(dir.path()),
        b"*2\r\n$4\r\nincr\r\n$1\r\nq\r\n*2\r\n$4\r\nin",
    );
    let (mut p, up) = Proc::spawn(
        ferrodis_bin(),
        dir.path(),
        &["--appendonly", "yes", "--aof-load-truncated", "no"],
    );
    assert!(!up && p.wait_exit());
    assert!(p.log().contains("Unexpected end of file reading the append only file appendonly.aof.1.incr.aof. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server."), "{}", p.log());
    drop(p);
    let f = Proc::ferrodis(dir.path(), &["--appendonly", "yes"]);
    let cut = good + 21;
    assert!(f.log().contains(&format!(
        "!!! Truncating the AOF appendonly.aof.1.incr.aof at offset {} !!!",
        cut
    )));
    assert!(f.log().contains(
        "AOF appendonly.aof.1.incr.aof loaded anyway because aof-load-truncated is enabled"
    ));
    assert_eq!(f.cmd(&["GET", "q"]), b"$1\r\n1\r\n");
    assert_eq!(f.cmd(&["GET", "k"]), b"$1\r\nv\r\n");
    f.cmd(&["SET", "after", "1"]);
    f.shutdown();
    let out = Command::new("redis-check-aof")
        .arg(manifest_path(dir.path()))
        .output();
    if let Ok(out) = out {
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("All AOF files and manifest are valid"),
            "{}",
            text
        );
    }
}

#[test]
fn unfinished_multi_is_rolled_back() {
    let dir = TempDir::new("aof-multi");
    let f = Proc::ferrodis(dir.path(), &["--appendonly", "yes"]);
    f.cmd(&["SET", "k", "v"]);
    f.shutdown();
    append(
        &incr_path(dir.path()),
        b"*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n*1\r\n$4\r\nEXEC\r\n*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n1\r\n",
    );
    let f = Proc::ferrodis(dir.path(), &["--appendonly", "yes"]);
    assert!(f.log().contains(
        "Revert incomplete MULTI/EXEC transaction in AOF file appendonly.aof.1.incr.aof"
    ));
    assert_eq!(
        f.cmd(&["MGET", "k", "a", "b"]),
        b"*3\r\n$1\r\nv\r\n$1\r\n1\r\n$-1\r\n"
    );
}

#[test]
fn garbage_refuses_to_start() {
    let dir = TempDir::new("aof-garbage");
    let f = Proc::ferrodis(dir.path(), &["--appendonly", "yes"]);
    f.cmd(&["SET", "k", "v"]);
    f.shutdown();
    append(&incr_path(dir.path()), b"garbage\r\n*1\r\n$4\r\nPING\r\n");
    let (mut p, up) = Proc::spawn(ferrodis_bin(), dir.path(), &["--appendonly", "yes"]);
    assert!(!up && p.wait_exit());
    assert!(p.log().contains("Bad file format reading the append only file appendonly.aof.1.incr.aof: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>"), "{}", p.log());
}

#[test]
fn bad_manifest_refuses_to_start() {
    let dir = TempDir::new("aof-manifest");
    std::fs::create_dir(dir.path().join("appendonlydir")).unwrap();
    std::fs::write(manifest_path(dir.path()), b"file x seq 1 type z\n").unwrap();
    let (mut p, up) = Proc::spawn(ferrodis_bin(), dir.path(), &["--appendonly", "yes"]);
    assert!(!up && p.wait_exit());
    let log = p.log();
    assert!(
        log.contains("*** FATAL AOF MANIFEST FILE ERROR ***"),
        "{}",
        log
    );
    assert!(log.contains("Unknown AOF file type"), "{}", log);
}

#[test]
fn legacy_single_file_is_upgraded() {
    let dir = TempDir::new("aof-legacy");
    std::fs::write(
        dir.path().join("appendonly.aof"),
        b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nset\r\n$1\r\nk\r\n$1\r\nv\r\n",
    )
    .unwrap();
    let f = Proc::ferrodis(dir.path(), &["--appendonly", "yes"]);
    assert!(f.log().contains("Successfully migrated an old-style AOF file (appendonly.aof) into the AOF directory (appendonlydir)."));
    assert_eq!(f.cmd(&["GET", "k"]), b"$1\r\nv\r\n");
    f.cmd(&["SET", "k2", "v2"]);
    f.shutdown();
    assert!(!dir.path().join("appendonly.aof").exists());
    assert_eq!(
        std::fs::read(manifest_path(dir.path())).unwrap(),
        b"file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
    );
    let f = Proc::ferrodis(dir.path(), &["--appendonly", "yes"]);
    assert_eq!(
        f.cmd(&["MGET", "k", "k2"]),
        b"*2\r\n$1\r\nv\r\n$2\r\nv2\r\n"
    );
}

/// A client sending `INCR counter` in a loop until stopped or cut off,
/// remembering the last value the server acknowledged (the crash tests).
pub(crate) struct IncrWriter {
    acked: Arc<AtomicI64>,
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<()>,
}

impl IncrWriter {
    pub(crate) fn start(port: u16) -> IncrWriter {
        let acked = Arc::new(AtomicI64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (a, s) = (acked.clone(), stop.clone());
        let thread = std::thread::Builder::new()
            .spawn(move || {
                let mut c = RawConn::connect(port);
                while !s.load(Ordering::SeqCst) {
                    c.send(&RawConn::encode(&[b"INCR", b"counter"]));
                    match c.read_reply() {
                        Some(r) if r.starts_with(b":") => {
                            let v = String::from_utf8_lossy(&r[1..r.len() - 2]).parse().unwrap();
                            a.store(v, Ordering::SeqCst);
                        }
                        _ => break,
                    }
                }
            })
            .unwrap();
        IncrWriter {
            acked,
            stop,
            thread,
        }
    }

    pub(crate) fn acked(&self) -> i64 {
        self.acked.load(Ordering::SeqCst)
    }

    /// Waits until at least `n` increments were acknowledged.
    pub(crate) fn wait_for(&self, n: i64) {
        assert!(poll_until(Duration::from_secs(20), || self.acked() >= n));
    }

    /// Stops the writer and returns the last acknowledged value.
    pub(crate) fn stop(self) -> i64 {
        self.stop.store(true, Ordering::SeqCst);
        self.thread.join().unwrap();
        self.acked.load(Ordering::SeqCst)
    }
}

/// Under `appendfsync always` every acknowledged write survives kill -9.
#[test]
fn always_loses_no_acknowledged_write_on_kill() {
    let dir = TempDir::new("aof-kill");
    let mut f = Proc::ferrodis(
        dir.path(),
        &["--appendonly", "yes", "--appendfsync", "always"],
    );
    let writer = IncrWriter::start(f.port);
    writer.wait_for(200);
    f.child.kill().unwrap();
    let _ = f.child.wait();
    let last = writer.stop();
    drop(f);
    let f = Proc::ferrodis(dir.path(), &["--appendonly", "yes"]);
    let n = f.counter();
    assert!(n >= last, "acknowledged {} but loaded {}", last, n);
}

/// everysec: the background fsync runs and INFO shows the AOF fields.
#[test]
fn everysec_and_no_policies_write_before_replying() {
    for policy in ["everysec", "no"] {
        let dir = TempDir::new("aof-policy");
        let f = Proc::ferrodis(
            dir.path(),
            &["--appendonly", "yes", "--appendfsync", policy],
        );
        f.cmd(&["SET", "k", "v"]);
        // The write reached the file before the reply left.
        let text = std::fs::read(incr_path(dir.path())).unwrap();
        assert!(text.ends_with(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"));
        let info = String::from_utf8_lossy(&f.cmd(&["INFO", "persistence"])).into_owned();
        assert!(info.contains("aof_buffer_length:0"), "{}", info);
        assert!(info.contains("aof_delayed_fsync:0"), "{}", info);
    }
}

/// Nothing expires while the AOF loads: a command after an already past
/// PXAT sees the old value, as in Redis.
#[test]
fn keys_do_not_expire_while_loading() {
    if !have_redis("keys_do_not_expire_while_loading") {
        return;
    }
    let mut replies = Vec::new();
    for redis in [false, true] {
        let dir = TempDir::new("aof-noexpire");
        let d = aof_dir_with_manifest(dir.path(), INCR_ONLY_MANIFEST);
        let mut text = Vec::new();
        for args in [
            &["SET", "k", "5", "PXAT", "1"][..],
            &["INCR", "k"],
            &["PERSIST", "k"],
        ] {
            let a: Vec<&[u8]> = args.iter().map(|s| s.as_bytes()).collect();
            text.extend_from_slice(&RawConn::encode(&a));
        }
        std::fs::write(d.join("appendonly.aof.1.incr.aof"), &text).unwrap();
        let args = ["--appendonly", "yes"];
        let p = Proc::either(redis, dir.path(), &args);
        replies.push((p.cmd(&["GET", "k"]), p.cmd(&["INFO", "persistence"])));
    }
    assert_eq!(replies[0].0, replies[1].0);
    assert_eq!(replies[0].0, b"$1\r\n6\r\n");
    // The aof_* fields agree too (sizes and counters).
    let aof_fields = |info: &[u8]| -> Vec<String> {
        String::from_utf8_lossy(info)
            .lines()
            .filter(|l| l.starts_with("aof_") || l.starts_with("rdb_changes"))
            .map(String::from)
            .collect()
    };
    assert_eq!(aof_fields(&replies[0].1), aof_fields(&replies[1].1));
}

/// A failing AOF write (the incremental file is /dev/full) refuses writes
/// with MISCONF until it succeeds; CONFIG SET appendonly no turns it off.
#[test]
fn write_errors_refuse_writes_like_redis() {
    if !have_redis("write_errors_refuse_writes_like_redis") || !Path::new("/dev/full").exists() {
        return;
    }
    let mut results = Vec::new();
    for redis in [false, true] {
        let dir = TempDir::new("aof-full");
        let d = aof_dir_with_manifest(dir.path(), b"file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n");
        std::fs::write(d.join("appendonly.aof.1.base.aof"), b"").unwrap();
        std::os::unix::fs::symlink("/dev/full", d.join("appendonly.aof.1.incr.aof")).unwrap();
        let args = ["--appendonly", "yes"];
        let p = Proc::either(redis, dir.path(), &args);
        let mut c = p.conn();
        let mut out = Vec::new();
        for args in [
            &["SET", "a", "1"][..],
            &["SET", "a", "2"],
            &["PING"],
            &["GET", "a"],
            &["CONFIG", "SET", "appendonly", "no"],
            &["SET", "a", "3"],
            &["GET", "a"],
        ] {
            out.push(c.cmd(args));
        }
        let info = String::from_utf8_lossy(&c.cmd(&["INFO", "persistence"])).into_owned();
        out.push(
            info.lines()
                .filter(|l| l.starts_with("aof_"))
                .collect::<Vec<_>>()
                .join("\n")
                .into_bytes(),
        );
        assert!(p
            .log()
            .contains("Error writing to the AOF file: No space left on device"));
        results.push(out);
    }
    assert_eq!(results[0], results[1]);
    assert_eq!(
        results[0][1],
        b"-MISCONF Errors writing to the AOF file: No space left on device\r\n"
    );
}

/// A corrupt huge argument length is a truncated tail, not a huge allocation.
#[test]
fn huge_length_in_tail_is_truncated() {
    let dir = TempDir::new("aof-huge");
    let f = Proc::ferrodis(dir.path(), &["--appendonly", "yes"]);
    f.cmd(&["SET", "k", "v"]);
    f.shutdown();
    append(
        &incr_path(dir.path()),
        b"*3\r\n$3\r\nSET\r\n$99999999999999\r\nabc",
    );
    let f = Proc::ferrodis(dir.path(), &["--appendonly", "yes"]);
    assert!(f
        .log()
        .contains("loaded anyway because aof-load-truncated is enabled"));
    assert_eq!(f.cmd(&["GET", "k"]), b"$1\r\nv\r\n");
}

/// The active expire cycle propagates DEL (UNLINK under lazyfree-lazy-expire).
#[test]
fn active_expiry_propagates_del_or_unlink() {
    for (lazy, cmd) in [("no", "DEL"), ("yes", "UNLINK")] {
        let dir = TempDir::new("aof-active");
        let f = Proc::ferrodis(
            dir.path(),
            &["--appendonly", "yes", "--lazyfree-lazy-expire", lazy],
        );
        f.cmd(&["SET", "k", "v", "PX", "20"]);
        let tail = format!("*2\r\n${}\r\n{}\r\n$1\r\nk\r\n", cmd.len(), cmd);
        assert!(
            poll_until(Duration::from_secs(10), || {
                std::fs::read(incr_path(dir.path()))
                    .unwrap()
                    .ends_with(tail.as_bytes())
            }),
            "{:?}",
            String::from_utf8_lossy(&std::fs::read(incr_path(dir.path())).unwrap())
        );
    }
}

/// History files named by the manifest are deleted at startup and dropped
/// from the manifest, as Redis does.
#[test]
fn history_files_are_removed_at_startup() {
    if !have_redis("history_files_are_removed_at_startup") {
        return;
    }
    let mut seen = Vec::new();
    for redis in [false, true] {
        let dir = TempDir::new("aof-hist");
        let d = aof_dir_with_manifest(dir.path(), b"file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.1.base.aof seq 1 type h\nfile appendonly.aof.2.incr.aof seq 2 type i\n");
        std::fs::write(d.join("appendonly.aof.2.base.aof"), b"").unwrap();
        std::fs::write(d.join("appendonly.aof.1.base.aof"), b"junk").unwrap();
        std::fs::write(
            d.join("appendonly.aof.2.incr.aof"),
            RawConn::encode(&[b"SET", b"k", b"v"]),
        )
        .unwrap();
        let args = ["--appendonly", "yes"];
        let p = Proc::either(redis, dir.path(), &args);
        assert!(poll_until(Duration::from_secs(5), || !d
            .join("appendonly.aof.1.base.aof")
            .exists()));
        seen.push((
            p.cmd(&["GET", "k"]),
            std::fs::read(d.join("appendonly.aof.manifest")).unwrap(),
        ));
    }
    assert_eq!(seen[0], seen[1]);
}

/// Clients are served while the AOF loads (every 1024 commands, as Redis
/// does): they get -LOADING, INFO shows the progress, and a signal stops
/// the load and the server without touching the files.
#[test]
fn clients_are_served_while_loading_the_aof() {
    if !have_redis("clients_are_served_while_loading_the_aof") {
        return;
    }
    let mut text = Vec::new();
    for i in 0..20000 {
        let (k, v) = (format!("key:{}", i), format!("value:{}", i));
        text.extend_from_slice(&RawConn::encode(&[b"SET", k.as_bytes(), v.as_bytes()]));
    }
    for flavor in [Flavor::Ferrodis, Flavor::Redis] {
        let dir = TempDir::new("aof-loading");
        let d = aof_dir_with_manifest(dir.path(), INCR_ONLY_MANIFEST);
        std::fs::write(d.join("appendonly.aof.1.incr.aof"), &text).unwrap();
        let args = [
            "--dir",
            dir.path().to_str().unwrap(),
            "--appendonly",
            "yes",
            "--key-load-delay",
            "200",
        ];
        let mut s = Server::spawn(flavor, &args);
        let mut c = s.raw();
        assert_eq!(
            c.cmd(&["GET", "key:1"]),
            b"-LOADING Redis is loading the dataset in memory\r\n",
            "{:?}",
            flavor
        );
        let info = |c: &mut RawConn| String::from_utf8(c.cmd(&["INFO", "persistence"])).unwrap();
        let first = info(&mut c);
        assert!(first.contains("loading:1"), "{:?}: {}", flavor, first);
        let total = format!("loading_total_bytes:{}", text.len());
        assert!(first.contains(&total), "{:?}: {}", flavor, first);
        assert!(first.contains("loading_loaded_bytes:"), "{:?}", flavor);
        // The loaded bytes move forward as batches of commands run.
        assert!(
            poll_until(Duration::from_secs(10), || {
                !info(&mut c).contains("loading_loaded_bytes:0\r")
            }),
            "{:?}",
            flavor
        );
        let before = std::fs::read(d.join("appendonly.aof.1.incr.aof")).unwrap();
        assert_eq!(s.terminate(), Some(0), "{:?}", flavor);
        assert!(s
            .log()
            .contains("Received shutdown signal during loading, scheduling shutdown."));
        assert!(!s.log().contains("DB loaded from"), "{:?}", flavor);
        let after = std::fs::read(d.join("appendonly.aof.1.incr.aof")).unwrap();
        assert_eq!(before, after, "{:?}", flavor);
    }
}
