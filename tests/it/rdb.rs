//! RDB interop and persistence behaviour against redis-server 7.0.15:
//! files written by Redis load here and ours load there (with
//! redis-check-rdb's approval), DEBUG DIGEST equal at every step; DUMP and
//! RESTORE byte for byte; BGSAVE with a child that is slow, killed or
//! failing; startup with corrupt files.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::*;

fn q<T: redis::FromRedisValue>(c: &mut redis::Connection, args: &[&[u8]]) -> T {
    let mut cmd = redis::cmd(std::str::from_utf8(args[0]).unwrap());
    for a in &args[1..] {
        cmd.arg(*a);
    }
    cmd.query(c).unwrap()
}

fn digest(c: &mut redis::Connection) -> String {
    q(c, &[b"DEBUG", b"DIGEST"])
}

/// Strings of every encoding and shape, binary keys, TTLs, several dbs.
fn fill_strings(c: &mut redis::Connection) {
    let long_rep = "abc".repeat(300);
    let noise: Vec<u8> = (0..500u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let values: Vec<Vec<u8>> = vec![
        b"0".to_vec(),
        b"-1".to_vec(),
        b"127".to_vec(),
        b"-32769".to_vec(),
        b"2147483648".to_vec(),
        b"9223372036854775807".to_vec(),
        b"-9223372036854775808".to_vec(),
        b"007".to_vec(),
        b"+5".to_vec(),
        b"".to_vec(),
        vec![b'e'; 44],
        vec![b'r'; 45],
        long_rep.into_bytes(),
        noise,
        b"\x00\xff\r\n".to_vec(),
    ];
    for db in [0u8, 3, 15] {
        q::<()>(c, &[b"SELECT", db.to_string().as_bytes()]);
        for (i, v) in values.iter().enumerate() {
            let key = format!("k{}:{}", db, i);
            q::<()>(c, &[b"SET", key.as_bytes(), v]);
        }
        q::<()>(c, &[b"SET", b"bin\x00key\xff", b"v"]);
        q::<()>(c, &[b"SET", b"ttl", b"x", b"PX", b"100000000"]);
        q::<()>(c, &[b"SET", b"ttl2", b"12", b"EX", b"5000"]);
    }
    q::<()>(c, &[b"SELECT", b"0"]);
}

/// Starts a server of `flavor` whose dir holds a copy of `rdb`.
fn start_with_file(flavor: Flavor, rdb: &Path, dir: &TempDir) -> Server {
    std::fs::copy(rdb, dir.path().join("dump.rdb")).unwrap();
    let d = dir.path().to_str().unwrap();
    Server::spawn(flavor, &["--dir", d, "--enable-debug-command", "yes"])
}

fn save(c: &mut redis::Connection) {
    q::<()>(c, &[b"SAVE"]);
}

#[test]
fn strings_move_between_redis_and_ferrodis() {
    if !have_redis("strings_move_between_redis_and_ferrodis") {
        return;
    }
    let redis1 = Server::start_redis(&["--enable-debug-command", "yes"]);
    let mut rc = redis1.client();
    fill_strings(&mut rc);
    let want = digest(&mut rc);
    save(&mut rc);
    // Redis -> ferrodis.
    let d1 = TempDir::new("rdb-a");
    let ours = start_with_file(Flavor::Ferrodis, &redis1.dir.path().join("dump.rdb"), &d1);
    let mut oc = ours.client();
    assert_eq!(digest(&mut oc), want);
    assert!(ours
        .log()
        .contains("Loading RDB produced by version 7.0.15"));
    assert!(ours.log().contains("DB loaded from disk"));
    for key in ["k0:0", "k0:7", "k0:10", "k0:11", "k0:12"] {
        let a: String = q(&mut rc, &[b"OBJECT", b"ENCODING", key.as_bytes()]);
        let b: String = q(&mut oc, &[b"OBJECT", b"ENCODING", key.as_bytes()]);
        assert_eq!(a, b, "encoding of {}", key);
    }
    // ferrodis -> redis-check-rdb -> Redis.
    save(&mut oc);
    let ours_file = d1.path().join("dump.rdb");
    match Command::new("redis-check-rdb").arg(&ours_file).output() {
        Ok(check) => {
            let text = String::from_utf8_lossy(&check.stdout);
            assert!(
                check.status.success() && text.contains("RDB looks OK!"),
                "{}",
                text
            );
        }
        Err(_) => eprintln!("SKIP redis-check-rdb: not installed (package redis-tools)"),
    }
    let d2 = TempDir::new("rdb-b");
    let redis2 = start_with_file(Flavor::Redis, &ours_file, &d2);
    let mut rc2 = redis2.client();
    assert_eq!(digest(&mut rc2), want);
    // DEBUG RELOAD keeps everything.
    q::<()>(&mut oc, &[b"DEBUG", b"RELOAD"]);
    assert_eq!(digest(&mut oc), want);
}

#[test]
fn dump_and_restore_match_redis() {
    let Some(mut d) = Differential::start("dump_and_restore_match_redis", &[]) else {
        return;
    };
    d.check_all(&[
        &["SET", "s", "hello"],
        &["SET", "n", "-12345"],
        &["SET", "l", &"xyz".repeat(40)],
        &["DUMP", "s"],
        &["DUMP", "n"],
        &["DUMP", "missing"],
    ]);
    // LZF output may differ from liblzf's (the format allows it): check
    // that each side restores the other's payload instead.
    let lzf = |s: &Server| s.cmd(&["DUMP", "l"]);
    let (ours_l, theirs_l) = (lzf(&d.ours), lzf(&d.theirs));
    for (srv, p) in [(&d.ours, &theirs_l), (&d.theirs, &ours_l)] {
        let start = p.iter().position(|&b| b == b'\n').unwrap() + 1;
        let body = &p[start..p.len() - 2];
        let mut c = srv.raw();
        assert_eq!(c.cmd_bytes(&[b"RESTORE", b"l2", b"0", body]), b"+OK\r\n");
        assert_eq!(c.cmd(&["GET", "l2"]), c.cmd(&["GET", "l"]));
    }
    let payload = d.check(&["DUMP", "s"]);
    // The bulk body without "$len\r\n" and the trailing CRLF.
    let start = payload.iter().position(|&b| b == b'\n').unwrap() + 1;
    let p = payload[start..payload.len() - 2].to_vec();
    let ok: &[&[u8]] = &[b"RESTORE", b"s2", b"0", &p];
    d.check_bytes(ok);
    d.check(&["GET", "s2"]);
    d.check_bytes(ok); // BUSYKEY
    d.check_bytes(&[b"RESTORE", b"s2", b"0", &p, b"REPLACE", b"IDLETIME", b"100"]);
    d.check(&["OBJECT", "IDLETIME", "s2"]);
    d.check_bytes(&[b"RESTORE", b"s3", b"-1", &p]);
    d.check_bytes(&[b"RESTORE", b"s3", b"abc", &p]);
    d.check_bytes(&[b"RESTORE", b"s3", b"0", &p, b"IDLETIME", b"-1"]);
    d.check_bytes(&[b"RESTORE", b"s3", b"0", &p, b"FREQ", b"256"]);
    d.check_bytes(&[
        b"RESTORE",
        b"s3",
        b"0",
        &p,
        b"FREQ",
        b"1",
        b"IDLETIME",
        b"1",
    ]);
    d.check_bytes(&[b"RESTORE", b"s3", b"0", &p, b"BOGUS"]);
    d.check_bytes(&[b"RESTORE", b"s3", b"0", b"short"]);
    let mut bad = p.clone();
    bad[1] ^= 0x40;
    d.check_bytes(&[b"RESTORE", b"s3", b"0", &bad]);
    d.check_bytes(&[b"RESTORE", b"s4", b"1", &p, b"ABSTTL"]); // already expired
    d.check(&["EXISTS", "s4"]);
    d.check_bytes(&[b"RESTORE", b"s5", b"100000", &p]);
    assert_eq!(d.ours.cmd(&["EXISTS", "s5"]), b":1\r\n");
    d.check_bytes(&[b"RESTORE", b"s6", b"99999999999999", &p, b"ABSTTL"]);
    d.check(&["PEXPIRETIME", "s6"]);
    // A payload whose checksum is right but whose data is not.
    d.check(&["DEBUG", "SET-SKIP-CHECKSUM-VALIDATION", "1"]);
    let mut garbage = p.clone();
    garbage[0] = 0x63;
    d.check_bytes(&[b"RESTORE", b"s7", b"0", &garbage]);
    garbage[0] = 0;
    garbage[1] = 0x3f;
    d.check_bytes(&[b"RESTORE", b"s7", b"0", &garbage]);
}

/// Redis's MISCONF and the failing-save path, side by side.
#[test]
fn failed_bgsave_gives_misconf() {
    if !have_redis("failed_bgsave_gives_misconf") {
        return;
    }
    for flavor in [Flavor::Ferrodis, Flavor::Redis] {
        let s = Server::spawn(
            flavor,
            &["--save", "900", "1", "--rdb-key-save-delay", "1000000"],
        );
        let mut c = s.client();
        q::<()>(&mut c, &[b"SET", b"a", b"1"]);
        let r: String = q(&mut c, &[b"BGSAVE"]);
        assert_eq!(r, "Background saving started");
        let info: String = q(&mut c, &[b"INFO", b"persistence"]);
        assert!(info.contains("rdb_bgsave_in_progress:1"), "{}", info);
        let again = s.cmd(&["BGSAVE"]);
        assert_eq!(again, b"-ERR Background save already in progress\r\n");
        assert_eq!(
            s.cmd(&["SAVE"]),
            b"-ERR Background save already in progress\r\n"
        );
        // Kill the child the hard way: the save failed.
        let pid = child_pid(&s);
        Command::new("kill")
            .arg("-9")
            .arg(pid.to_string())
            .status()
            .unwrap();
        assert!(s.wait_for_log("Background saving terminated by signal 9"));
        assert!(poll_until(Duration::from_secs(5), || {
            let i: String = q(&mut c, &[b"INFO", b"persistence"]);
            i.contains("rdb_last_bgsave_status:err")
        }));
        let temp = s.dir.path().join(format!("temp-{}.rdb", pid));
        assert!(!temp.exists(), "{:?} left behind", temp);
        let set = s.cmd(&["SET", "b", "2"]);
        assert!(set.starts_with(b"-MISCONF Redis is configured to save RDB snapshots"));
        assert!(s.cmd(&["PING"]).starts_with(b"-MISCONF"));
        assert_eq!(s.cmd(&["GET", "a"]), b"$1\r\n1\r\n");
        // A good save clears it (one key: one second of rdb-key-save-delay).
        q::<()>(&mut c, &[b"SAVE"]);
        assert_eq!(s.cmd(&["SET", "b", "2"]), b"+OK\r\n", "{:?}", flavor);
    }
}

/// The pid of the running save child, from the log line.
fn child_pid(s: &Server) -> u32 {
    assert!(s.wait_for_log("Background saving started by pid "));
    let log = s.log();
    let line = log
        .lines()
        .rev()
        .find(|l| l.contains("Background saving started by pid "))
        .unwrap();
    line.rsplit(' ').next().unwrap().trim().parse().unwrap()
}

#[test]
fn bgsave_reports_and_counts() {
    let s = Server::start(&["--enable-debug-command", "yes"]);
    let mut c = s.client();
    q::<()>(&mut c, &[b"DEBUG", b"POPULATE", b"5000"]);
    let before: i64 = q(&mut c, &[b"LASTSAVE"]);
    let r: String = q(&mut c, &[b"BGSAVE"]);
    assert_eq!(r, "Background saving started");
    assert!(s.wait_for_log("Background saving terminated with success"));
    assert!(s.log().contains("Fork CoW for RDB: current"));
    let info: String = q(&mut c, &[b"INFO", b"persistence"]);
    assert!(info.contains("rdb_saves:1"), "{}", info);
    assert!(info.contains("rdb_changes_since_last_save:0"), "{}", info);
    let stats: String = q(&mut c, &[b"INFO", b"stats"]);
    assert!(stats.contains("total_forks:1"));
    assert!(!stats.contains("latest_fork_usec:0\r"));
    let after: i64 = q(&mut c, &[b"LASTSAVE"]);
    assert!(after >= before);
    assert_eq!(s.cmd(&["BGSAVE", "x"]), b"-ERR syntax error\r\n");
    let file = s.dir.path().join("dump.rdb");
    let check = Command::new("redis-check-rdb").arg(&file).output();
    if let Ok(out) = check {
        assert!(String::from_utf8_lossy(&out.stdout).contains("RDB looks OK!"));
    }
}

#[test]
fn shutdown_signal_saves_with_save_points() {
    let mut s = Server::start(&["--save", "3600", "1"]);
    s.cmd(&["SET", "k", "v"]);
    assert_eq!(s.terminate(), Some(0));
    assert!(s
        .log()
        .contains("Saving the final RDB snapshot before exiting."));
    assert!(s.dir.path().join("dump.rdb").exists());
    let d = TempDir::new("rdb-restart");
    let again = start_with_file(Flavor::Ferrodis, &s.dir.path().join("dump.rdb"), &d);
    assert_eq!(again.cmd(&["GET", "k"]), b"$1\r\nv\r\n");
}

/// A valid file with a few keys, from our writer (byte-identical to what
/// Redis writes for the same data, see the unit tests).
fn small_file() -> Vec<u8> {
    use ferrodis::persistence::rdb::file::{self, KeyMeta};
    use ferrodis::persistence::rdb::value::Saving;
    use ferrodis::persistence::rio::RioWriter;
    let mut w = RioWriter::new(Vec::new(), true);
    file::save_header(&mut w, &[("redis-ver", "7.0.15".into())]).unwrap();
    file::save_db_header(&mut w, 0, 3, 0).unwrap();
    for (k, v) in [("a", "1"), ("b", "hello"), ("c", "world")] {
        let val = Saving::Str(v.as_bytes());
        file::save_key(&mut w, k.as_bytes(), val, KeyMeta::NONE, true).unwrap();
    }
    file::save_footer(&mut w).unwrap();
    w.into_inner()
}

/// Runs ferrodis on `file` and returns (exit code, log) once it exits.
fn run_on_file(bytes: &[u8]) -> (Option<i32>, String) {
    let dir = TempDir::new("rdb-bad");
    std::fs::write(dir.path().join("dump.rdb"), bytes).unwrap();
    let log = dir.path().join("log");
    let mut child = Command::new(ferrodis_bin())
        .args(["--port", &free_port().to_string(), "--save", ""])
        .arg("--dir")
        .arg(dir.path())
        .arg("--logfile")
        .arg(&log)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut code = None;
    poll_until(Duration::from_secs(10), || match child.try_wait() {
        Ok(Some(st)) => {
            code = st.code();
            true
        }
        _ => false,
    });
    let _ = child.kill();
    let _ = child.wait();
    (code, std::fs::read_to_string(log).unwrap_or_default())
}

#[test]
fn corrupt_files_stop_the_server_with_redis_messages() {
    let good = small_file();
    let (code, log) = run_on_file(&good[..good.len() - 20]);
    assert_eq!(code, Some(1));
    assert!(log.contains("Short read or OOM loading DB. Unrecoverable error, aborting now."));
    let mut bad = good.to_vec();
    let n = bad.len();
    bad[n - 3] ^= 1;
    let (code, log) = run_on_file(&bad);
    assert_eq!(code, Some(1));
    assert!(log.contains("Wrong RDB checksum expected: ("), "{}", log);
    assert!(log.contains("RDB CRC error"));
    let (code, log) = run_on_file(b"XEDIS0010\xff");
    assert_eq!(code, Some(1));
    assert!(log.contains("Wrong signature trying to load DB from file"));
    let (code, log) = run_on_file(b"REDIS0011\xff");
    assert_eq!(code, Some(1));
    assert!(log.contains("Can't handle RDB format version 11"));
}

#[test]
fn save_points_and_flushall() {
    let s = Server::start(&["--save", "1", "1", "--enable-debug-command", "yes"]);
    s.cmd(&["SET", "k", "v"]);
    assert!(s.wait_for_log("1 changes in 1 seconds. Saving..."));
    assert!(s.wait_for_log("Background saving terminated with success"));
    assert!(s.dir.path().join("dump.rdb").exists());
    // FLUSHALL kills a running save and saves the empty dataset itself.
    let mut c = s.raw();
    c.cmd(&["DEBUG", "POPULATE", "100"]);
    let slow = Server::start(&["--save", "3600", "1", "--rdb-key-save-delay", "100000"]);
    slow.cmd(&["SET", "a", "1"]);
    slow.cmd(&["SET", "b", "2"]);
    assert_eq!(slow.cmd(&["BGSAVE"]), b"+Background saving started\r\n");
    let pid = child_pid(&slow);
    assert_eq!(slow.cmd(&["FLUSHALL"]), b"+OK\r\n");
    assert!(slow
        .log()
        .contains("Background saving terminated by signal 10"));
    assert!(!slow.dir.path().join(format!("temp-{}.rdb", pid)).exists());
    let info = String::from_utf8(slow.cmd(&["INFO", "persistence"])).unwrap();
    assert!(info.contains("rdb_bgsave_in_progress:0"), "{}", info);
    assert!(info.contains("rdb_last_bgsave_status:ok"), "{}", info);
    assert!(slow.dir.path().join("dump.rdb").exists());
    assert_eq!(
        c.cmd(&["DEBUG", "RELOAD", "BAD"]),
        b"-ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.\r\n"
    );
    assert_eq!(c.cmd(&["DEBUG", "RELOAD", "NOSAVE"]), b"+OK\r\n");
    assert_eq!(c.cmd(&["DBSIZE"]), b":1\r\n");
}

#[test]
fn lfu_and_lru_data_travel_in_the_file() {
    if !have_redis("lfu_and_lru_data_travel_in_the_file") {
        return;
    }
    for policy in ["allkeys-lfu", "allkeys-lru"] {
        let r = Server::start_redis(&["--maxmemory-policy", policy]);
        let mut rc = r.client();
        q::<()>(&mut rc, &[b"SET", b"k", b"v"]);
        let field: &[u8] = if policy == "allkeys-lfu" {
            b"FREQ"
        } else {
            b"IDLETIME"
        };
        if policy == "allkeys-lfu" {
            for _ in 0..50 {
                q::<String>(&mut rc, &[b"GET", b"k"]);
            }
        } else {
            // RESTORE's IDLETIME sets an old access time without waiting.
            let p: Vec<u8> = q(&mut rc, &[b"DUMP", b"k"]);
            q::<()>(
                &mut rc,
                &[b"RESTORE", b"k", b"0", &p, b"REPLACE", b"IDLETIME", b"1000"],
            );
        }
        let want: i64 = q(&mut rc, &[b"OBJECT", field, b"k"]);
        save(&mut rc);
        let d = TempDir::new("rdb-lfu");
        std::fs::copy(r.dir.path().join("dump.rdb"), d.path().join("dump.rdb")).unwrap();
        let ours = Server::start(&[
            "--dir",
            d.path().to_str().unwrap(),
            "--maxmemory-policy",
            policy,
        ]);
        let mut oc = ours.client();
        let got: i64 = q(&mut oc, &[b"OBJECT", field, b"k"]);
        assert!(
            (got - want).abs() <= 2,
            "{}: ours {} redis {}",
            policy,
            got,
            want
        );
        // And back: our file carries it to Redis.
        save(&mut oc);
        let d2 = TempDir::new("rdb-lfu2");
        std::fs::copy(d.path().join("dump.rdb"), d2.path().join("dump.rdb")).unwrap();
        let r2 = Server::spawn(
            Flavor::Redis,
            &[
                "--dir",
                d2.path().to_str().unwrap(),
                "--maxmemory-policy",
                policy,
            ],
        );
        let back: i64 = q(&mut r2.client(), &[b"OBJECT", field, b"k"]);
        assert!(
            (back - want).abs() <= 2,
            "{}: back {} redis {}",
            policy,
            back,
            want
        );
    }
}

#[test]
fn shutdown_save_and_nosave() {
    let s = Server::start(&[]);
    s.cmd(&["SET", "k", "v"]);
    let mut c = s.raw();
    c.send(&RawConn::encode(&[b"SHUTDOWN", b"SAVE"]));
    assert!(c.is_closed() || c.read_reply().is_none());
    assert!(s.wait_for_log("Saving the final RDB snapshot before exiting."));
    assert!(s.wait_for_log("DB saved on disk"));
    let s2 = Server::start(&["--save", "60", "1"]);
    s2.cmd(&["SET", "k", "v"]);
    let mut c2 = s2.raw();
    c2.send(&RawConn::encode(&[b"SHUTDOWN", b"NOSAVE"]));
    assert!(c2.is_closed() || c2.read_reply().is_none());
    assert!(s2.wait_for_log("Redis is now ready to exit, bye bye..."));
    assert!(!s2.log().contains("Saving the final RDB snapshot"));
    assert!(!s2.dir.path().join("dump.rdb").exists());
}

#[test]
fn clients_are_served_while_loading() {
    if !have_redis("clients_are_served_while_loading") {
        return;
    }
    let src = Server::start(&["--enable-debug-command", "yes"]);
    src.cmd(&["DEBUG", "POPULATE", "20000"]);
    src.cmd(&["SAVE"]);
    let file = src.dir.path().join("dump.rdb");
    for flavor in [Flavor::Ferrodis, Flavor::Redis] {
        let d = TempDir::new("rdb-loading");
        std::fs::copy(&file, d.path().join("dump.rdb")).unwrap();
        let dir = d.path().to_str().unwrap();
        let mut s = Server::spawn(
            flavor,
            &[
                "--dir",
                dir,
                "--key-load-delay",
                "100",
                "--loading-process-events-interval-bytes",
                "1024",
                "--save",
                "60",
                "1",
            ],
        );
        let mut c = s.raw();
        assert_eq!(
            c.cmd(&["GET", "key:1"]),
            b"-LOADING Redis is loading the dataset in memory\r\n",
            "{:?}",
            flavor
        );
        let info = String::from_utf8(c.cmd(&["INFO", "persistence"])).unwrap();
        for field in [
            "loading:1",
            "loading_start_time:",
            "loading_total_bytes:",
            "loading_loaded_perc:",
            "loading_eta_seconds:",
        ] {
            assert!(
                info.contains(field),
                "{:?} lacks {}: {}",
                flavor,
                field,
                info
            );
        }
        // A signal during the load stops the server without saving.
        let before = std::fs::metadata(d.path().join("dump.rdb"))
            .unwrap()
            .modified()
            .unwrap();
        assert_eq!(s.terminate(), Some(0), "{:?}", flavor);
        assert!(s
            .log()
            .contains("Received shutdown signal during loading, scheduling shutdown."));
        assert!(!s.log().contains("Saving the final RDB snapshot"));
        let after = std::fs::metadata(d.path().join("dump.rdb"))
            .unwrap()
            .modified()
            .unwrap();
        assert_eq!(before, after);
    }
}

/// Sets, sorted sets and hashes in every encoding, with TTLs, in two dbs.
fn fill_collections(c: &mut redis::Connection) -> Vec<String> {
    let mut keys = Vec::new();
    for db in ["0", "5"] {
        q::<()>(c, &[b"SELECT", db.as_bytes()]);
        let mut run = |cmd: &str, key: &str, items: Vec<String>| {
            let mut a: Vec<&[u8]> = vec![cmd.as_bytes(), key.as_bytes()];
            a.extend(items.iter().map(|s| s.as_bytes()));
            q::<redis::Value>(c, &a);
        };
        let n = |count: usize, f: &dyn Fn(usize) -> Vec<String>| -> Vec<String> {
            (0..count).flat_map(f).collect()
        };
        run(
            "SADD",
            "set:intset",
            n(40, &|i| vec![format!("{}", i as i64 * 37 - 500)]),
        );
        run("SADD", "set:bigints", n(600, &|i| vec![i.to_string()]));
        run(
            "SADD",
            "set:strings",
            n(30, &|i| vec![format!("m\x00{}", i)]),
        );
        run(
            "ZADD",
            "zset:lp",
            n(20, &|i| {
                vec![format!("{}", i as f64 / 3.0), format!("z{}", i)]
            }),
        );
        run(
            "ZADD",
            "zset:sl",
            n(300, &|i| vec![format!("{}", i % 17), format!("z{}", i)]),
        );
        run(
            "ZADD",
            "zset:inf",
            vec![
                "inf".into(),
                "a".into(),
                "-inf".into(),
                "b".into(),
                "-0".into(),
                "c".into(),
            ],
        );
        run(
            "HSET",
            "hash:lp",
            n(30, &|i| vec![format!("f{}", i), format!("{}", i * 1000)]),
        );
        run(
            "HSET",
            "hash:ht",
            n(700, &|i| vec![format!("f{}", i), format!("v{}", i)]),
        );
        run("HSET", "hash:long", vec!["f".into(), "x".repeat(100)]);
        run("RPUSH", "list:small", n(10, &|i| vec![format!("e{}", i)]));
        run(
            "RPUSH",
            "list:big",
            n(3000, &|i| {
                vec![format!("element-{}-{}", i, "x".repeat(i % 40))]
            }),
        );
        run("DEBUG", "QUICKLIST-PACKED-THRESHOLD", vec!["100".into()]);
        run(
            "RPUSH",
            "list:plain",
            vec!["a".into(), "p".repeat(300), "b".into()],
        );
        run("DEBUG", "QUICKLIST-PACKED-THRESHOLD", vec!["0".into()]);
        q::<()>(c, &[b"PEXPIRE", b"zset:sl", b"100000000"]);
        q::<()>(c, &[b"PEXPIRE", b"hash:lp", b"100000000"]);
        for k in [
            "list:small",
            "list:big",
            "list:plain",
            "set:intset",
            "set:bigints",
            "set:strings",
            "zset:lp",
            "zset:sl",
            "zset:inf",
            "hash:lp",
            "hash:ht",
            "hash:long",
        ] {
            keys.push(format!("{}|{}", db, k));
        }
    }
    q::<()>(c, &[b"SELECT", b"0"]);
    keys
}

fn encodings(c: &mut redis::Connection, keys: &[String]) -> Vec<String> {
    keys.iter()
        .map(|k| {
            let (db, key) = k.split_once('|').unwrap();
            q::<()>(c, &[b"SELECT", db.as_bytes()]);
            let e: String = q(c, &[b"OBJECT", b"ENCODING", key.as_bytes()]);
            format!("{} {}", k, e)
        })
        .collect()
}

#[test]
fn collections_move_between_redis_and_ferrodis() {
    if !have_redis("collections_move_between_redis_and_ferrodis") {
        return;
    }
    let redis1 = Server::start_redis(&[
        "--enable-debug-command",
        "yes",
        "--list-compress-depth",
        "1",
    ]);
    let mut rc = redis1.client();
    let keys = fill_collections(&mut rc);
    let want = digest(&mut rc);
    let want_enc = encodings(&mut rc, &keys);
    save(&mut rc);
    let d1 = TempDir::new("rdb-coll-a");
    let ours = start_with_file(Flavor::Ferrodis, &redis1.dir.path().join("dump.rdb"), &d1);
    let mut oc = ours.client();
    assert_eq!(digest(&mut oc), want);
    assert_eq!(encodings(&mut oc, &keys), want_enc);
    // DUMP from us restores in Redis to the same value, and back.
    // (Both connections are in db 5 now: encodings() selected it.)
    for key in [
        "list:big",
        "list:plain",
        "set:intset",
        "set:bigints",
        "set:strings",
        "zset:lp",
        "zset:sl",
        "zset:inf",
        "hash:lp",
        "hash:ht",
        "hash:long",
    ] {
        // DIGEST-VALUE counts whether a key has a TTL: the copy gets the same.
        let pttl: i64 = q(&mut rc, &[b"PTTL", key.as_bytes()]);
        let ttl = pttl.max(0).to_string();
        let p: Vec<u8> = q(&mut oc, &[b"DUMP", key.as_bytes()]);
        let copy = format!("{}:copy", key);
        q::<()>(&mut rc, &[b"RESTORE", copy.as_bytes(), ttl.as_bytes(), &p]);
        let d: Vec<String> = q(
            &mut rc,
            &[b"DEBUG", b"DIGEST-VALUE", key.as_bytes(), copy.as_bytes()],
        );
        assert_eq!(d[0], d[1], "{}", key);
        let p: Vec<u8> = q(&mut rc, &[b"DUMP", key.as_bytes()]);
        q::<()>(&mut oc, &[b"RESTORE", copy.as_bytes(), ttl.as_bytes(), &p]);
        let d: Vec<String> = q(
            &mut oc,
            &[b"DEBUG", b"DIGEST-VALUE", key.as_bytes(), copy.as_bytes()],
        );
        assert_eq!(d[0], d[1], "{}", key);
        q::<()>(&mut oc, &[b"DEL", copy.as_bytes()]);
        q::<()>(&mut rc, &[b"DEL", copy.as_bytes()]);
    }
    // ferrodis -> redis-check-rdb -> Redis.
    save(&mut oc);
    let ours_file = d1.path().join("dump.rdb");
    if let Ok(check) = Command::new("redis-check-rdb").arg(&ours_file).output() {
        let text = String::from_utf8_lossy(&check.stdout);
        assert!(text.contains("RDB looks OK!"), "{}", text);
    }
    let d2 = TempDir::new("rdb-coll-b");
    let redis2 = start_with_file(Flavor::Redis, &ours_file, &d2);
    let mut rc2 = redis2.client();
    assert_eq!(digest(&mut rc2), want);
    assert_eq!(encodings(&mut rc2, &keys), want_enc);
    q::<()>(&mut oc, &[b"DEBUG", b"RELOAD"]);
    assert_eq!(digest(&mut oc), want);
    assert_eq!(encodings(&mut oc, &keys), want_enc);
}

/// The BGSAVE child reports its progress from the first key (Redis checks
/// on keys 1, 1025, ... at most once a second), so INFO shows a slow save
/// moving before a thousand keys are written.
#[test]
fn bgsave_reports_progress_from_the_first_key() {
    if !have_redis("bgsave_reports_progress_from_the_first_key") {
        return;
    }
    for flavor in [Flavor::Ferrodis, Flavor::Redis] {
        let s = Server::spawn(flavor, &["--rdb-key-save-delay", "200000"]);
        for i in 0..10 {
            s.cmd(&["SET", &format!("k{}", i), "v"]);
        }
        assert_eq!(s.cmd(&["BGSAVE"]), b"+Background saving started\r\n");
        let info = || String::from_utf8(s.cmd(&["INFO", "persistence"])).unwrap();
        assert!(
            poll_until(Duration::from_secs(10), || info()
                .contains("current_save_keys_processed:1\r")),
            "{:?}: {}",
            flavor,
            info()
        );
        assert!(info().contains("rdb_bgsave_in_progress:1"), "{:?}", flavor);
    }
}
