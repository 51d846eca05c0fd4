//! AOF rewrite by fork (BGREWRITEAOF, automatic, CONFIG SET appendonly yes):
//! the rewritten directory passes redis-check-aof and loads in redis-server
//! with the same digest under both `aof-use-rdb-preamble` settings; replies
//! and scheduling as redis-server gives them; and crash tests with real
//! processes (kill -9 of the server under load, of the rewrite child, and
//! of the server in the middle of a rewrite).

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use super::aof::{digest, manifest_path, workload, IncrWriter, Proc};
use crate::support::ferrodis_bin;
use crate::support::{have_redis, poll_until, RawConn, TempDir};

fn info(p: &Proc) -> String {
    String::from_utf8_lossy(&p.cmd(&["INFO", "persistence"])).into_owned()
}

/// Waits until no rewrite runs or is scheduled.
fn wait_rewrite_done(p: &Proc) {
    assert!(
        poll_until(Duration::from_secs(30), || {
            let i = info(p);
            i.contains("aof_rewrite_in_progress:0") && i.contains("aof_rewrite_scheduled:0")
        }),
        "{}",
        info(p)
    );
}

fn check_aof(dir: &Path) {
    let out = Command::new("redis-check-aof")
        .arg(manifest_path(dir))
        .output()
        .expect("redis-check-aof");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("All AOF files and manifest are valid"),
        "{}",
        text
    );
}

fn manifest(dir: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(manifest_path(dir)).unwrap()).into_owned()
}

/// The pids of a process's children (the rewrite child).
fn children(pid: u32) -> Vec<i32> {
    std::fs::read_to_string(format!("/proc/{}/task/{}/children", pid, pid))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|s| s.parse().ok())
        .collect()
}

fn kill9(pid: i32) {
    // SAFETY: signalling a child process of the server under test.
    unsafe {
        libc::kill(pid, libc::SIGKILL);
    }
}

/// Big enough, with rdb-key-save-delay, to keep a rewrite child busy.
fn populate(p: &Proc, n: usize) {
    let mut c = p.conn();
    let mut pipe = Vec::new();
    for i in 0..n {
        let (k, v) = (format!("key:{}", i), format!("value:{}", i));
        pipe.extend(RawConn::encode(&[b"SET", k.as_bytes(), v.as_bytes()]));
    }
    c.send(&pipe);
    for _ in 0..n {
        c.read_reply();
    }
}

/// BGREWRITEAOF with both preamble settings: the base is `.base.rdb` or
/// `.base.aof`, the old files are gone, redis-check-aof passes and Redis
/// and ferrodis both load the same dataset, before and after the rewrite.
#[test]
fn bgrewriteaof_output_loads_in_redis_with_both_preambles() {
    if !have_redis("bgrewriteaof_output_loads_in_redis_with_both_preambles") {
        return;
    }
    for (preamble, ext) in [("yes", "rdb"), ("no", "aof")] {
        let dir = TempDir::new("aofrw-interop");
        let args = ["--appendonly", "yes", "--aof-use-rdb-preamble", preamble];
        let f = Proc::ferrodis(dir.path(), &args);
        workload(&f);
        f.cmd(&["RPUSH", "list", "a", "b", "1", "2"]);
        let before = digest(&f);
        f.shutdown();
        check_aof(dir.path());
        let r = Proc::redis(dir.path(), &args);
        assert_eq!(digest(&r), before);
        r.shutdown();
        let f = Proc::ferrodis(dir.path(), &args);
        assert_eq!(
            f.cmd(&["BGREWRITEAOF"]),
            b"+Background append only file rewriting started\r\n"
        );
        wait_rewrite_done(&f);
        let log = f.log();
        for line in [
            "Background append only file rewriting started by pid",
            "Successfully created the temporary AOF base file temp-rewriteaof-bg-",
            "Background AOF rewrite terminated with success",
            &format!("into appendonly.aof.2.base.{}", ext),
            &format!(
                "Removing the history file appendonly.aof.1.base.{} in the background",
                ext
            ),
            "Removing the history file appendonly.aof.1.incr.aof in the background",
            "Background AOF rewrite finished successfully",
        ] {
            assert!(log.contains(line), "{} missing:\n{}", line, log);
        }
        f.cmd(&["SET", "after", "rewrite"]);
        f.cmd(&["SELECT", "3"]);
        f.cmd(&["INCR", "in3"]);
        let after = digest(&f);
        let i = info(&f);
        assert!(i.contains("aof_last_bgrewrite_status:ok"), "{}", i);
        assert!(i.contains("aof_rewrites:1\r\n"), "{}", i);
        f.shutdown();
        assert_eq!(
            manifest(dir.path()),
            format!(
                "file appendonly.aof.2.base.{} seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n",
                ext
            )
        );
        let ad = dir.path().join("appendonlydir");
        assert_eq!(std::fs::read_dir(&ad).unwrap().count(), 3);
        check_aof(dir.path());
        let r = Proc::redis(dir.path(), &args);
        assert_eq!(digest(&r), after);
        r.shutdown();
        let f = Proc::ferrodis(dir.path(), &args);
        assert_eq!(digest(&f), after);
    }
}

/// BGREWRITEAOF with the AOF off writes a base only; a rewrite asked for
/// during a BGSAVE is scheduled and runs after it; BGSAVE during a rewrite
/// is refused or scheduled: the same replies and INFO fields as Redis.
#[test]
fn rewrite_replies_and_scheduling_match_redis() {
    if !have_redis("rewrite_replies_and_scheduling_match_redis") {
        return;
    }
    let mut seen = Vec::new();
    for redis in [false, true] {
        let dir = TempDir::new("aofrw-sched");
        let p = Proc::either(redis, dir.path(), &[]);
        populate(&p, 10);
        let mut out = Vec::new();
        out.push(p.cmd(&["BGREWRITEAOF"]));
        wait_rewrite_done(&p);
        out.push(manifest(dir.path()).into_bytes());
        p.cmd(&["CONFIG", "SET", "rdb-key-save-delay", "100000"]);
        out.push(p.cmd(&["BGSAVE"]));
        out.push(p.cmd(&["BGREWRITEAOF"]));
        let i = info(&p);
        out.push(
            i.contains("aof_rewrite_scheduled:1")
                .to_string()
                .into_bytes(),
        );
        p.cmd(&["CONFIG", "SET", "rdb-key-save-delay", "0"]);
        wait_rewrite_done(&p);
        p.cmd(&["CONFIG", "SET", "rdb-key-save-delay", "100000"]);
        out.push(p.cmd(&["BGREWRITEAOF"]));
        out.push(p.cmd(&["BGREWRITEAOF"]));
        out.push(p.cmd(&["BGSAVE"]));
        out.push(p.cmd(&["BGSAVE", "SCHEDULE"]));
        let i = info(&p);
        out.push(
            i.contains("aof_rewrite_in_progress:1")
                .to_string()
                .into_bytes(),
        );
        // CONFIG SET appendonly yes replaces a rewrite that collects no writes.
        out.push(p.cmd(&["CONFIG", "SET", "appendonly", "yes"]));
        p.cmd(&["SET", "during", "rewrite"]);
        out.push(p.cmd(&["SHUTDOWN"]));
        p.cmd(&["CONFIG", "SET", "rdb-key-save-delay", "0"]);
        wait_rewrite_done(&p);
        assert!(poll_until(Duration::from_secs(20), || info(&p)
            .contains("rdb_bgsave_in_progress:0")));
        out.push(p.cmd(&["GET", "during"]));
        out.push(manifest(dir.path()).into_bytes());
        let i = info(&p);
        out.push(i.contains("aof_rewrites:4\r\n").to_string().into_bytes());
        out.push(
            i.contains("aof_last_bgrewrite_status:ok")
                .to_string()
                .into_bytes(),
        );
        let d = digest(&p);
        p.shutdown();
        let again = if redis {
            Proc::redis(dir.path(), &["--appendonly", "yes"])
        } else {
            Proc::ferrodis(dir.path(), &["--appendonly", "yes"])
        };
        out.push((digest(&again) == d).to_string().into_bytes());
        seen.push(out);
    }
    let show = |v: &Vec<Vec<u8>>| {
        v.iter()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(show(&seen[0]), show(&seen[1]));
}

/// A rewrite child killed with SIGKILL: the status is err, its temp files
/// are removed, the server keeps serving and appending, and a restart
/// loads everything. CONFIG SET appendonly no kills a running child too.
#[test]
fn killed_rewrite_child_leaves_a_loadable_aof() {
    let dir = TempDir::new("aofrw-killchild");
    let f = Proc::ferrodis(dir.path(), &["--appendonly", "yes"]);
    populate(&f, 50);
    f.cmd(&["CONFIG", "SET", "rdb-key-save-delay", "100000"]);
    assert_eq!(
        f.cmd(&["BGREWRITEAOF"]),
        b"+Background append only file rewriting started\r\n"
    );
    let pid = f.child.id();
    let mut kids = Vec::new();
    assert!(poll_until(Duration::from_secs(10), || {
        kids = children(pid);
        !kids.is_empty()
    }));
    f.cmd(&["SET", "before-kill", "1"]);
    kill9(kids[0]);
    assert!(poll_until(Duration::from_secs(10), || info(&f)
        .contains("aof_rewrite_in_progress:0")));
    let i = info(&f);
    assert!(i.contains("aof_last_bgrewrite_status:err"), "{}", i);
    assert!(f
        .log()
        .contains("Background AOF rewrite terminated by signal 9"));
    for name in [
        format!("temp-rewriteaof-bg-{}.aof", kids[0]),
        format!("temp-rewriteaof-{}.aof", kids[0]),
    ] {
        assert!(!dir.path().join(name).exists());
    }
    f.cmd(&["SET", "after-kill", "1"]);
    // appendonly no kills the child of a new rewrite and removes its files.
    f.cmd(&["BGREWRITEAOF"]);
    assert!(poll_until(Duration::from_secs(10), || !children(pid).is_empty()));
    let kid = children(pid)[0];
    assert_eq!(f.cmd(&["CONFIG", "SET", "appendonly", "no"]), b"+OK\r\n");
    assert!(f
        .log()
        .contains(&format!("Killing running AOF rewrite child: {}", kid)));
    assert!(info(&f).contains("aof_rewrite_in_progress:0"));
    assert!(children(pid).is_empty());
    let d = digest(&f);
    f.shutdown();
    let f = Proc::ferrodis(dir.path(), &["--appendonly", "yes"]);
    assert_eq!(digest(&f), d);
    assert_eq!(f.cmd(&["EXISTS", "before-kill", "after-kill"]), b":2\r\n");
}

/// SHUTDOWN during a rewrite kills the child and removes its temp file;
/// during the first rewrite of CONFIG SET appendonly yes it refuses
/// (unless FORCE), as the dataset is not on disk yet.
#[test]
fn shutdown_during_rewrite() {
    let dir = TempDir::new("aofrw-shutdown");
    let f = Proc::ferrodis(dir.path(), &[]);
    populate(&f, 20);
    f.cmd(&["CONFIG", "SET", "rdb-key-save-delay", "100000"]);
    assert_eq!(f.cmd(&["CONFIG", "SET", "appendonly", "yes"]), b"+OK\r\n");
    assert_eq!(
        f.cmd(&["SHUTDOWN"]),
        b"-ERR Errors trying to SHUTDOWN. Check logs.\r\n"
    );
    assert!(f.log().contains("Writing initial AOF, can't exit."));
    f.cmd(&["CONFIG", "SET", "rdb-key-save-delay", "0"]);
    wait_rewrite_done(&f);
    f.cmd(&["CONFIG", "SET", "rdb-key-save-delay", "100000"]);
    f.cmd(&["BGREWRITEAOF"]);
    let pid = f.child.id();
    assert!(poll_until(Duration::from_secs(10), || !children(pid).is_empty()));
    let kid = children(pid)[0];
    f.cmd(&["SET", "last", "1"]);
    f.shutdown();
    assert!(!dir
        .path()
        .join(format!("temp-rewriteaof-bg-{}.aof", kid))
        .exists());
    assert!(!dir
        .path()
        .join(format!("temp-rewriteaof-{}.aof", kid))
        .exists());
    let f = Proc::ferrodis(dir.path(), &["--appendonly", "yes"]);
    assert_eq!(f.cmd(&["GET", "last"]), b"$1\r\n1\r\n");
    assert_eq!(f.cmd(&["DBSIZE"]), b":21\r\n");
}

/// auto-aof-rewrite-percentage / -min-size start a rewrite from cron.
#[test]
fn automatic_rewrite_on_growth() {
    let dir = TempDir::new("aofrw-auto");
    let f = Proc::ferrodis(
        dir.path(),
        &[
            "--appendonly",
            "yes",
            "--auto-aof-rewrite-min-size",
            "1000",
            "--auto-aof-rewrite-percentage",
            "100",
        ],
    );
    populate(&f, 100);
    assert!(poll_until(Duration::from_secs(10), || f
        .log()
        .contains("Background AOF rewrite finished successfully")));
    assert!(f.log().contains("Starting automatic rewriting of AOF on "));
    wait_rewrite_done(&f);
    let i = info(&f);
    assert!(i.contains("aof_rewrites:1\r\n"), "{}", i);
    let size = |k: &str| -> i64 {
        i.lines()
            .find_map(|l| l.strip_prefix(k))
            .and_then(|v| v.trim().parse().ok())
            .unwrap()
    };
    assert_eq!(size("aof_base_size:"), size("aof_current_size:"));
}

/// Under a steady INCR load, kill -9 of the server: every acknowledged
/// increment is in the AOF after restart. Under `no` the machine stays up,
/// so what was written before the reply is in the page cache. (Not under
/// `everysec`: while a background fsync runs, Redis and ferrodis postpone
/// the write for up to 2 seconds and still reply, so a kill -9 then may
/// lose acknowledged writes; on a busy disk that happens.)
/// The last round kills the server in the middle of a rewrite (and then
/// the orphaned child): the directory loads in ferrodis and in Redis.
#[test]
fn kill9_under_load_loses_no_acknowledged_write() {
    for (policy, mid_rewrite) in [("no", false), ("always", true)] {
        let dir = TempDir::new("aofrw-kill9");
        let args = ["--appendonly", "yes", "--appendfsync", policy];
        let mut f = Proc::ferrodis(dir.path(), &args);
        if mid_rewrite {
            populate(&f, 200);
            f.cmd(&["CONFIG", "SET", "rdb-key-save-delay", "100000"]);
        }
        let writer = IncrWriter::start(f.port);
        writer.wait_for(200);
        let pid = f.child.id();
        let mut kids = Vec::new();
        if mid_rewrite {
            f.cmd(&["BGREWRITEAOF"]);
            assert!(poll_until(Duration::from_secs(10), || {
                kids = children(pid);
                !kids.is_empty()
            }));
            writer.wait_for(writer.acked() + 200);
        }
        f.child.kill().unwrap();
        let _ = f.child.wait();
        for k in kids {
            kill9(k);
        }
        let last = writer.stop();
        drop(f);
        // Redis gets its own copy of the directory exactly as the crash left it.
        let copy = TempDir::new("aofrw-kill9-copy");
        let cp = Command::new("cp")
            .arg("-a")
            .arg(dir.path().join("appendonlydir"))
            .arg(copy.path())
            .status()
            .unwrap();
        assert!(cp.success());
        let f = Proc::ferrodis(dir.path(), &["--appendonly", "yes"]);
        let n = f.counter();
        assert!(
            n >= last,
            "{}: acknowledged {} but loaded {}",
            policy,
            last,
            n
        );
        let d = digest(&f);
        f.shutdown();
        if mid_rewrite && have_redis("kill9_under_load_loses_no_acknowledged_write") {
            check_aof(copy.path());
            let r = Proc::redis(copy.path(), &["--appendonly", "yes"]);
            assert_eq!(digest(&r), d);
        }
    }
}

/// CONFIG SET appendonly yes at runtime writes the dataset as a new base and
/// opens a new incremental file; files of an earlier AOF become history
/// and are deleted; redis-server loads the result.
#[test]
fn config_set_appendonly_yes_rewrites_the_dataset() {
    let dir = TempDir::new("aof-cfgyes");
    let f = Proc::ferrodis(dir.path(), &["--appendonly", "yes"]);
    f.cmd(&["SET", "old", "1"]);
    f.shutdown();
    let f = Proc::ferrodis(dir.path(), &[]);
    let mut c = f.conn();
    for args in [
        &["SET", "k", "v"][..],
        &["SET", "t", "1", "EX", "1000"],
        &["HSET", "h", "a", "1", "b", "2"],
        &["ZADD", "z", "1.5", "a", "-inf", "b", "0.1", "c"],
        &["SADD", "small", "1", "2", "3"],
        &["EXPIRE", "h", "5000"],
        &["SELECT", "5"],
        &["SET", "n", "12345"],
    ] {
        c.cmd(args);
    }
    // More than 64 members: several SADD/HMSET/ZADD commands.
    for i in 0..150 {
        let (m, s) = (format!("m{}", i), format!("{}", i));
        c.cmd(&["SADD", "big", &m]);
        c.cmd(&["HSET", "bigh", &m, &s]);
        c.cmd(&["ZADD", "bigz", &s, &m]);
    }
    // The rewrite runs in a child: writes meanwhile go to a temp
    // incremental file that becomes the next incremental file.
    c.cmd(&["CONFIG", "SET", "rdb-key-save-delay", "10000"]);
    assert_eq!(c.cmd(&["CONFIG", "SET", "appendonly", "yes"]), b"+OK\r\n");
    c.cmd(&["CONFIG", "SET", "rdb-key-save-delay", "0"]);
    let info = String::from_utf8_lossy(&c.cmd(&["INFO", "persistence"])).into_owned();
    assert!(
        info.contains("aof_enabled:1") && info.contains("aof_rewrite_in_progress:1"),
        "{}",
        info
    );
    assert!(dir
        .path()
        .join("appendonlydir/temp-appendonly.aof.incr")
        .exists());
    c.cmd(&["INCR", "n"]);
    let d = c.cmd(&["DEBUG", "DIGEST"]);
    assert!(poll_until(Duration::from_secs(30), || {
        let info = String::from_utf8_lossy(&c.cmd(&["INFO", "persistence"])).into_owned();
        info.contains("aof_rewrite_in_progress:0") && info.contains("aof_rewrites:1")
    }));
    assert_eq!(
        std::fs::read(manifest_path(dir.path())).unwrap(),
        b"file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n"
    );
    let ad = dir.path().join("appendonlydir");
    assert!(!ad.join("appendonly.aof.1.base.aof").exists());
    assert!(!ad.join("appendonly.aof.1.incr.aof").exists());
    f.shutdown();
    if let Ok(out) = Command::new("redis-check-aof")
        .arg(manifest_path(dir.path()))
        .output()
    {
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("All AOF files and manifest are valid"),
            "{}",
            text
        );
    }
    let f = Proc::ferrodis(dir.path(), &["--appendonly", "yes"]);
    assert_eq!(f.cmd(&["DEBUG", "DIGEST"]), d);
    assert_eq!(f.cmd(&["GET", "old"]), b"$-1\r\n");
    drop(f);
    if have_redis("config_set_appendonly_yes_rewrites_the_dataset") {
        let r = Proc::redis(dir.path(), &["--appendonly", "yes"]);
        assert_eq!(r.cmd(&["DEBUG", "DIGEST"]), d);
    }
}

/// A base in RDB format (Redis's default aof-use-rdb-preamble) loads, then
/// the incremental file on top of it; a corrupt RDB base refuses to start
/// with Redis's message.
#[test]
fn rdb_base_loads_and_a_corrupt_one_is_refused() {
    if !have_redis("rdb_base_loads_and_a_corrupt_one_is_refused") {
        return;
    }
    let dir = TempDir::new("aof-rdbbase");
    let r = Proc::redis(dir.path(), &["--appendonly", "yes"]);
    workload(&r);
    assert_eq!(
        r.cmd(&["BGREWRITEAOF"]),
        b"+Background append only file rewriting started\r\n"
    );
    assert!(poll_until(Duration::from_secs(20), || r
        .log()
        .contains("Background AOF rewrite finished successfully")));
    r.cmd(&["SET", "after", "rewrite"]);
    let d = digest(&r);
    r.shutdown();
    let f = Proc::ferrodis(dir.path(), &["--appendonly", "yes"]);
    assert_eq!(digest(&f), d);
    assert!(f.log().contains("Reading RDB base file on AOF loading..."));
    f.shutdown();
    let base = dir.path().join("appendonlydir/appendonly.aof.2.base.rdb");
    let mut bytes = std::fs::read(&base).unwrap();
    let n = bytes.len();
    bytes[n - 3] ^= 0xff;
    std::fs::write(&base, bytes).unwrap();
    let (mut p, up) = Proc::spawn(ferrodis_bin(), dir.path(), &["--appendonly", "yes"]);
    assert!(!up && p.wait_exit());
    assert!(p.log().contains(
        "Error reading the RDB base file appendonly.aof.2.base.rdb, AOF loading aborted"
    ));
}

/// A legacy single-file AOF with an RDB preamble and a command tail (what
/// Redis 6 wrote) is upgraded and loaded the same way by both servers.
#[test]
fn legacy_aof_with_rdb_preamble_loads() {
    if !have_redis("legacy_aof_with_rdb_preamble_loads") {
        return;
    }
    let src = TempDir::new("aofrw-legacy-src");
    let f = Proc::ferrodis(src.path(), &[]);
    workload(&f);
    assert_eq!(f.cmd(&["SAVE"]), b"+OK\r\n");
    f.shutdown();
    let mut legacy = std::fs::read(src.path().join("dump.rdb")).unwrap();
    legacy.extend(RawConn::encode(&[b"SELECT", b"7"]));
    legacy.extend(RawConn::encode(&[b"SET", b"tail", b"1"]));
    let mut seen = Vec::new();
    for redis in [false, true] {
        let dir = TempDir::new("aofrw-legacy");
        std::fs::write(dir.path().join("appendonly.aof"), &legacy).unwrap();
        let args = ["--appendonly", "yes"];
        let p = Proc::either(redis, dir.path(), &args);
        let log = p.log();
        assert!(
            log.contains("Reading RDB preamble from AOF file..."),
            "{}",
            log
        );
        assert!(log.contains("Reading the remaining AOF tail..."), "{}", log);
        let mut c = p.conn();
        c.cmd(&["SELECT", "7"]);
        assert_eq!(c.cmd(&["GET", "tail"]), b"$1\r\n1\r\n");
        seen.push(digest(&p));
    }
    assert_eq!(seen[0], seen[1]);
}

/// aof-disable-auto-gc yes keeps the history files of a rewrite (type h in
/// the manifest); setting it back to no removes them at once, as in Redis.
/// INFO's sizes match Redis's on the way.
#[test]
fn disable_auto_gc_keeps_history_until_turned_off() {
    if !have_redis("disable_auto_gc_keeps_history_until_turned_off") {
        return;
    }
    let mut seen = Vec::new();
    for redis in [false, true] {
        let dir = TempDir::new("aofrw-gc");
        let args = ["--appendonly", "yes", "--aof-disable-auto-gc", "yes"];
        let p = Proc::either(redis, dir.path(), &args);
        // A fresh start: the sizes do not count the base just created.
        let sizes = |p: &Proc| -> String {
            info(p)
                .lines()
                .filter(|l| l.starts_with("aof_current_size") || l.starts_with("aof_base_size"))
                .collect::<Vec<_>>()
                .join(",")
        };
        let mut out = vec![sizes(&p)];
        p.cmd(&["SET", "k", "v"]);
        out.push(sizes(&p));
        p.cmd(&["BGREWRITEAOF"]);
        wait_rewrite_done(&p);
        out.push(manifest(dir.path()));
        let ad = dir.path().join("appendonlydir");
        out.push(ad.join("appendonly.aof.1.incr.aof").exists().to_string());
        p.cmd(&["CONFIG", "SET", "aof-disable-auto-gc", "no"]);
        out.push(manifest(dir.path()));
        out.push(ad.join("appendonly.aof.1.incr.aof").exists().to_string());
        seen.push(out);
    }
    assert_eq!(seen[0], seen[1]);
}

/// Writes made while the child rewrites land in the new incremental file:
/// after the rewrite the base plus that file rebuild exactly the dataset,
/// in ferrodis and in Redis, with both preamble settings.
#[test]
fn writes_during_a_rewrite_are_kept() {
    for preamble in ["yes", "no"] {
        let dir = TempDir::new("aofrw-during");
        let args = ["--appendonly", "yes", "--aof-use-rdb-preamble", preamble];
        let f = Proc::ferrodis(dir.path(), &args);
        populate(&f, 100);
        f.cmd(&["CONFIG", "SET", "rdb-key-save-delay", "20000"]);
        f.cmd(&["BGREWRITEAOF"]);
        let mut c = f.conn();
        for i in 0..300 {
            let k = format!("key:{}", i % 150);
            c.cmd(&["INCR", "during"]);
            c.cmd(&["APPEND", &k, "+"]);
            if i % 50 == 0 {
                c.cmd(&["SELECT", "1"]);
                c.cmd(&["RPUSH", "l", &k]);
                c.cmd(&["SELECT", "0"]);
            }
        }
        assert!(info(&f).contains("aof_rewrite_in_progress:1"));
        wait_rewrite_done(&f);
        assert!(info(&f).contains("aof_last_bgrewrite_status:ok"));
        let d = digest(&f);
        f.shutdown();
        let f = Proc::ferrodis(dir.path(), &args);
        assert_eq!(digest(&f), d);
        f.shutdown();
        if have_redis("writes_during_a_rewrite_are_kept") {
            check_aof(dir.path());
            let r = Proc::redis(dir.path(), &args);
            assert_eq!(digest(&r), d);
        }
    }
}

/// The first rewrite after CONFIG SET appendonly yes, killed: the temp
/// incremental file is removed with the log line aof-multi-part.tcl counts,
/// and the next rewrite is scheduled. Same lines as redis-server.
fn killed_first_rewrite_lines(p: &Proc) -> Vec<String> {
    populate(p, 50);
    p.cmd(&["CONFIG", "SET", "rdb-key-save-delay", "100000"]);
    assert_eq!(p.cmd(&["CONFIG", "SET", "appendonly", "yes"]), b"+OK\r\n");
    let pid = p.child.id();
    let mut kids = Vec::new();
    assert!(poll_until(Duration::from_secs(10), || {
        kids = children(pid);
        !kids.is_empty()
    }));
    kill9(kids[0]);
    let line = "Removing the temp incr aof file temp-appendonly.aof.incr in the background";
    assert!(poll_until(Duration::from_secs(10), || p
        .log()
        .contains(line)));
    p.cmd(&["CONFIG", "SET", "rdb-key-save-delay", "0"]);
    wait_rewrite_done(p);
    let log = p.log();
    let mut found: Vec<String> = log
        .lines()
        .filter(|l| l.contains("Removing the temp incr") || l.contains("terminated by signal"))
        .filter_map(|l| {
            l.find(" # ")
                .or_else(|| l.find(" * "))
                .map(|i| l[i..].to_string())
        })
        .collect();
    found.dedup();
    found
}

#[test]
fn killed_first_rewrite_removes_temp_incr_file() {
    let dir = TempDir::new("aofrw-tempincr");
    let f = Proc::ferrodis(dir.path(), &[]);
    let ours = killed_first_rewrite_lines(&f);
    assert!(!dir
        .path()
        .join("appendonlydir/temp-appendonly.aof.incr")
        .exists());
    assert!(info(&f).contains("aof_enabled:1"));
    if have_redis("killed_first_rewrite_removes_temp_incr_file") {
        let rdir = TempDir::new("aofrw-tempincr-redis");
        let r = Proc::redis(rdir.path(), &[]);
        assert_eq!(ours, killed_first_rewrite_lines(&r));
    }
}
