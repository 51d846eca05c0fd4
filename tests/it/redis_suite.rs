//! Regressions found by running Redis 7.0.15's own Tcl test suite against
//! ferrodis (docs/redis-test-suite.md): each test pins one divergence the
//! suite showed, compared with redis-server where the replies allow it.

use crate::aof::Proc;
use crate::support::{have_redis, TempDir};

/// The bulk string inside a `$N\r\n...\r\n` reply.
fn bulk_payload(reply: &[u8]) -> Vec<u8> {
    let start = reply.iter().position(|&b| b == b'\n').expect("bulk header") + 1;
    reply[start..reply.len() - 2].to_vec()
}

/// Masks the millisecond timestamps (13 digits) of an AOF, which differ
/// between two servers run one after the other.
fn mask_ms(aof: &[u8]) -> String {
    let text = String::from_utf8_lossy(aof);
    let mut out = String::new();
    let mut digits = String::new();
    for ch in text.chars().chain(std::iter::once('\0')) {
        if ch.is_ascii_digit() {
            digits.push(ch);
            continue;
        }
        out.push_str(if digits.len() == 13 { "<ms>" } else { &digits });
        digits.clear();
        if ch != '\0' {
            out.push(ch);
        }
    }
    out
}

/// expire.tcl "All time-to-live(TTL) in commands are propagated as absolute
/// timestamp in milliseconds in AOF": RESTORE with a relative TTL must reach
/// the AOF as `RESTORE key <unix-ms> payload ABSTTL`, and a RESTORE REPLACE
/// whose TTL is already past (it only deletes) as a DEL.
#[test]
fn restore_ttl_propagates_as_absttl() {
    if !have_redis("restore_ttl_propagates_as_absttl") {
        return;
    }
    let mut files = Vec::new();
    for redis in [false, true] {
        let dir = TempDir::new("restore-absttl");
        let args = ["--appendonly", "yes", "--aof-use-rdb-preamble", "no"];
        let p = Proc::either(redis, dir.path(), &args);
        let mut c = p.conn();
        c.cmd(&["SET", "foo", "bar"]);
        let payload = bulk_payload(&c.cmd(&["DUMP", "foo"]));
        let restore = |c: &mut crate::support::RawConn, key: &str, ttl: &str, opts: &[&str]| {
            let mut argv: Vec<&[u8]> = vec![b"RESTORE", key.as_bytes(), ttl.as_bytes(), &payload];
            argv.extend(opts.iter().map(|o| o.as_bytes()));
            assert_eq!(c.cmd_bytes(&argv), b"+OK\r\n");
        };
        restore(&mut c, "foo17", "100000", &[]);
        restore(&mut c, "foo18", "100000", &["REPLACE"]);
        restore(&mut c, "foo19", "4102444800000", &["ABSTTL"]);
        restore(&mut c, "foo20", "0", &[]);
        restore(&mut c, "foo", "1", &["REPLACE", "ABSTTL"]);
        c.cmd(&["CONFIG", "SET", "lazyfree-lazy-server-del", "yes"]);
        restore(&mut c, "foo17", "1", &["REPLACE", "ABSTTL"]);
        restore(&mut c, "nokey", "1", &["ABSTTL"]);
        p.shutdown();
        let aof = dir.path().join("appendonlydir/appendonly.aof.1.incr.aof");
        files.push(mask_ms(&std::fs::read(aof).unwrap()));
    }
    assert!(files[0].contains("foo17\r\n$13\r\n<ms>"), "{}", files[0]);
    assert_eq!(files[0], files[1]);
}

/// `INFO commandstats` for one command with the timings masked, plus the
/// error counters.
fn unblock_stats(s: &crate::support::Server, cmd: &str) -> Vec<u8> {
    let info = String::from_utf8_lossy(&s.cmd(&["INFO", "all"])).into_owned();
    let mut out = String::new();
    for line in info.lines() {
        if line.starts_with("errorstat_") || line.starts_with("total_error_replies:") {
            out.push_str(line);
            out.push('\n');
        } else if let Some(rest) = line.strip_prefix(&format!("cmdstat_{cmd}:")) {
            let fields: Vec<&str> = rest.split(',').filter(|f| f.contains("calls")).collect();
            out.push_str(&fields.join(","));
            out.push('\n');
        }
    }
    out.into_bytes()
}

/// info.tcl "errorstats: blocking commands": CLIENT UNBLOCK ... ERROR counts
/// an UNBLOCKED error, and both TIMEOUT and ERROR count the blocked command
/// as a failed call (Redis updateStatsOnUnblock).
#[test]
fn client_unblock_counts_failed_call_and_error() {
    crate::support::both("client_unblock_counts_failed_call_and_error", |s| {
        let mut out = Vec::new();
        s.cmd(&["CONFIG", "RESETSTAT"]);
        for (cmd, how) in [
            ("blpop", "ERROR"),
            ("bzpopmin", "TIMEOUT"),
            ("blpop", "TIMEOUT"),
        ] {
            let mut blocked = s.raw();
            let id = String::from_utf8_lossy(&blocked.cmd(&["CLIENT", "ID"])).into_owned();
            let id = id.trim_start_matches(':').trim().to_string();
            blocked.send(&crate::support::RawConn::encode(&[
                cmd.as_bytes(),
                b"k",
                b"0",
            ]));
            crate::support::wait_blocked(s, 1);
            out.push(s.cmd(&["CLIENT", "UNBLOCK", &id, how]));
            out.push(blocked.read_reply().expect("reply of the unblocked client"));
            out.push(unblock_stats(s, cmd));
        }
        out
    });
}

/// `qbuf + qbuf-free` of the client named `name` in CLIENT LIST.
fn query_buffer_size(s: &crate::support::Server, name: &str) -> usize {
    let list = String::from_utf8_lossy(&s.cmd(&["CLIENT", "LIST"])).into_owned();
    let Some(line) = list.lines().find(|l| l.contains(&format!(" name={name} "))) else {
        return 0;
    };
    let field = |f: &str| -> usize {
        line.split(' ')
            .find_map(|kv| kv.strip_prefix(f))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    field("qbuf=") + field("qbuf-free=")
}

/// querybuf.tcl "query buffer resized correctly": the clients cron frees
/// the read buffer of a client idle for more than two seconds.
#[test]
fn idle_client_query_buffer_is_freed() {
    let s = crate::support::Server::start(&[]);
    let mut c = s.raw();
    c.cmd(&["CLIENT", "SETNAME", "idle"]);
    let size = query_buffer_size(&s, "idle");
    assert!((16384..32768).contains(&size), "fresh buffer {size}");
    assert!(crate::support::poll_until(
        std::time::Duration::from_secs(10),
        || query_buffer_size(&s, "idle") == 0
    ));
}

/// querybuf.tcl "query buffer resized correctly when not idle": after a
/// fat argument the buffer keeps room for another one, then the cron trims
/// it towards its recent peak once smaller commands follow.
#[test]
fn busy_client_query_buffer_shrinks_to_peak() {
    let s = crate::support::Server::start(&[]);
    let mut c = s.raw();
    c.cmd(&["CLIENT", "SETNAME", "busy"]);
    let big = "A".repeat(400_000);
    c.cmd(&["SET", "x", &big]);
    let orig = query_buffer_size(&s, "busy");
    assert!(orig > 32768, "after a fat argument {orig}");
    let small = "A".repeat(100);
    assert!(crate::support::poll_until(
        std::time::Duration::from_secs(10),
        || {
            c.cmd(&["SET", "x", &small]);
            let now = query_buffer_size(&s, "busy");
            now > 0 && now < orig
        }
    ));
}

/// pause.tcl "Test special commands are paused by RO": CLIENT PAUSE WRITE
/// holds PFCOUNT and PUBLISH (CMD_MAY_REPLICATE, a flag COMMAND INFO hides),
/// and a MULTI that queued one of them.
#[test]
fn pause_write_holds_may_replicate_commands() {
    crate::support::both("pause_write_holds_may_replicate_commands", |s| {
        let mut out = Vec::new();
        s.cmd(&["PFADD", "hll", "a"]);
        let mut multi = s.raw();
        multi.cmd(&["MULTI"]);
        multi.cmd(&["PUBLISH", "ch", "m"]);
        out.push(s.cmd(&["CLIENT", "PAUSE", "100000", "WRITE"]));
        let mut held = Vec::new();
        for (n, args) in [&["PFCOUNT", "hll"][..], &["PUBLISH", "ch", "m"]]
            .iter()
            .enumerate()
        {
            let mut c = s.raw();
            let argv: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
            c.send(&crate::support::RawConn::encode(&argv));
            crate::support::wait_blocked(s, n as i64 + 1);
            held.push(c);
        }
        multi.send(&crate::support::RawConn::encode(&[b"EXEC"]));
        crate::support::wait_blocked(s, 3);
        out.push(s.cmd(&["COMMAND", "INFO", "PFCOUNT", "PUBLISH"]));
        out.push(s.cmd(&["CLIENT", "UNPAUSE"]));
        for c in held.iter_mut().chain(std::iter::once(&mut multi)) {
            out.push(c.read_reply().expect("reply after the pause"));
        }
        out
    });
}

/// aof.tcl "AOF+EXPIRE: List should be empty": a PEXPIREAT in the past read
/// from the AOF sets the past expire instead of deleting the key (Redis
/// `checkAlreadyExpired` is false while loading), so the later RPUSH
/// appends to the same list, which then expires whole.
#[test]
fn past_expire_in_aof_does_not_delete_while_loading() {
    if !have_redis("past_expire_in_aof_does_not_delete_while_loading") {
        return;
    }
    let mut replies = Vec::new();
    for redis in [false, true] {
        let dir = TempDir::new("aof-past-expire");
        let aof = dir.path().join("appendonlydir");
        std::fs::create_dir_all(&aof).unwrap();
        std::fs::write(
            aof.join("appendonly.aof.manifest"),
            "file appendonly.aof.1.incr.aof seq 1 type i\n",
        )
        .unwrap();
        let mut cmds = Vec::new();
        for args in [
            &["RPUSH", "list", "foo"][..],
            &["PEXPIREAT", "list", "1000"],
            &["RPUSH", "list", "bar"],
            &["SET", "s", "v"],
            &["GETEX", "s", "PXAT", "1000"],
            &["SET", "t", "v"],
            &["EXPIREAT", "t", "1"],
            &["SET", "t", "w"],
        ] {
            let argv: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
            cmds.extend(crate::support::RawConn::encode(&argv));
        }
        std::fs::write(aof.join("appendonly.aof.1.incr.aof"), cmds).unwrap();
        let p = Proc::either(redis, dir.path(), &["--appendonly", "yes"]);
        for args in [["LLEN", "list"], ["EXISTS", "s"], ["GET", "t"]] {
            replies.push((redis, p.cmd(&args)));
        }
        p.shutdown();
    }
    let (ours, theirs): (Vec<_>, Vec<_>) = replies.into_iter().partition(|(r, _)| !r);
    assert_eq!(
        ours,
        theirs
            .into_iter()
            .map(|(_, b)| (false, b))
            .collect::<Vec<_>>()
    );
}

/// INFO `used_memory`.
fn used_memory(s: &crate::support::Server) -> i64 {
    let info = String::from_utf8_lossy(&s.cmd(&["INFO", "memory"])).into_owned();
    info.lines()
        .find_map(|l| l.strip_prefix("used_memory:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(-1)
}

/// lazyfree.tcl "UNLINK can reclaim memory in background": after a request
/// of 100k arguments, the client keeps no 100k-slot argument array, so the
/// memory goes back near where it was once the set is freed.
#[test]
fn many_argument_request_does_not_keep_its_argv() {
    let s = crate::support::Server::start(&[]);
    let mut c = s.raw();
    let orig = used_memory(&s);
    let members: Vec<String> = (0..100_000).map(|i| i.to_string()).collect();
    let mut argv: Vec<&[u8]> = vec![b"SADD", b"myset"];
    argv.extend(members.iter().map(|m| m.as_bytes()));
    assert_eq!(c.cmd_bytes(&argv), b":100000\r\n");
    assert!(used_memory(&s) > orig + 1_000_000);
    assert_eq!(c.cmd(&["UNLINK", "myset"]), b":1\r\n");
    assert!(
        crate::support::poll_until(std::time::Duration::from_secs(10), || {
            used_memory(&s) < orig * 2
        }),
        "used_memory {} after UNLINK, {} before",
        used_memory(&s),
        orig
    );
}

/// tracking.tcl "Regression test for #11715" pauses the cron with DEBUG
/// PAUSE-CRON; the replies (and the arity error) match Redis's.
#[test]
fn debug_pause_cron_replies() {
    let Some(mut d) = crate::support::Differential::start(
        "debug_pause_cron_replies",
        &["--enable-debug-command", "yes"],
    ) else {
        return;
    };
    d.check(&["DEBUG", "PAUSE-CRON", "1"]);
    d.check(&["SET", "k", "v"]);
    d.check(&["DEBUG", "PAUSE-CRON", "0"]);
    d.check(&["DEBUG", "PAUSE-CRON"]);
    d.check(&["DEBUG", "pause-cron", "x"]);
}

/// string.tcl "trim on SET with big value": a fat argument stored as the
/// value in place of a copy is trimmed when its buffer was sized for a
/// bigger one (the query buffer keeps room after a 100 KB argument).
#[test]
fn adopted_big_value_is_trimmed() {
    let s = crate::support::Server::start(&[]);
    let mut c = s.raw();
    c.cmd(&["SET", "key", &"A".repeat(100_000)]);
    c.cmd(&["SET", "key", &"A".repeat(33_000)]);
    let usage = String::from_utf8_lossy(&c.cmd(&["MEMORY", "USAGE", "key"])).into_owned();
    let usage: i64 = usage.trim_start_matches(':').trim().parse().unwrap();
    assert!(usage < 42_000, "MEMORY USAGE {usage}");
    assert_eq!(c.cmd(&["STRLEN", "key"]), b":33000\r\n");
}

/// INFO stats `expired_keys`.
fn expired_keys(s: &crate::support::Server) -> Vec<u8> {
    let info = String::from_utf8_lossy(&s.cmd(&["INFO", "stats"])).into_owned();
    let line = info
        .lines()
        .find(|l| l.starts_with("expired_keys:"))
        .unwrap_or("");
    line.as_bytes().to_vec()
}

/// pause.tcl "Test both active and passive expires are skipped during
/// client pause": while paused, expired keys read as missing but stay in
/// the dataset (neither an access nor the active cycle deletes them).
#[test]
fn pause_keeps_expired_keys_in_place() {
    crate::support::both("pause_keeps_expired_keys_in_place", |s| {
        let mut out = Vec::new();
        let mut c = s.raw();
        c.cmd(&["MULTI"]);
        c.cmd(&["SET", "foo", "bar", "PX", "10"]);
        c.cmd(&["SET", "bar", "foo", "PX", "10"]);
        c.cmd(&["CLIENT", "PAUSE", "50000", "WRITE"]);
        out.push(c.cmd(&["EXEC"]));
        assert!(crate::support::poll_until(
            std::time::Duration::from_secs(10),
            || c.cmd(&["GET", "foo"]) == b"$-1\r\n" && c.cmd(&["EXISTS", "bar"]) == b":0\r\n"
        ));
        out.push(expired_keys(s));
        out.push(c.cmd(&["DBSIZE"]));
        out.push(c.cmd(&["CLIENT", "UNPAUSE"]));
        out.push(c.cmd(&["GET", "foo"]));
        out.push(c.cmd(&["GET", "bar"]));
        out.push(expired_keys(s));
        out.push(c.cmd(&["DBSIZE"]));
        out
    });
}

/// The report lines a SIGABRT sent by `kill` leaves in a server's log, in
/// order, with the varying parts (pids, addresses, times) left out.
fn abort_report(s: &crate::support::Server) -> Vec<String> {
    let info = String::from_utf8_lossy(&s.cmd(&["INFO", "server"])).into_owned();
    let pid = info
        .lines()
        .find_map(|l| l.strip_prefix("process_id:"))
        .expect("process_id")
        .trim()
        .to_string();
    let status = std::process::Command::new("kill")
        .args(["-ABRT", &pid])
        .status()
        .expect("kill");
    assert!(status.success());
    assert!(s.wait_for_log("=== REDIS BUG REPORT END"), "{}", s.log());
    let wanted = [
        "=== REDIS BUG REPORT START",
        "crashed by signal: 6, si_code: 0",
        "Killed by PID: ",
        "Crashed running the instruction at: 0x",
        "------ STACK TRACE ------",
        "=== REDIS BUG REPORT END",
    ];
    let log = s.log();
    let mut found = Vec::new();
    for line in log.lines() {
        if let Some(w) = wanted.iter().find(|w| line.contains(*w)) {
            found.push(w.to_string());
        }
    }
    found
}

/// logging.tcl "Crash report generated on SIGABRT": a fatal signal from
/// outside writes the bug report with a stack trace before the process dies.
#[test]
fn sigabrt_writes_crash_report() {
    let s = crate::support::Server::start(&["--crash-memcheck-enabled", "no"]);
    let ours = abort_report(&s);
    assert_eq!(
        ours,
        [
            "=== REDIS BUG REPORT START",
            "crashed by signal: 6, si_code: 0",
            "Killed by PID: ",
            "Crashed running the instruction at: 0x",
            "------ STACK TRACE ------",
            "=== REDIS BUG REPORT END",
        ]
    );
    // The handler's lines carry the same local date and hour as the lines
    // logged before it, without calling localtime_r from the handler.
    let log = s.log();
    let stamp = |needle: &str| {
        let line = log.lines().find(|l| l.contains(needle)).unwrap_or("");
        // "pid:M 25 Nov 2026 04:50:41.019 # ..." -> "25 Nov 2026 04"
        line.split_once(' ')
            .map(|(_, rest)| rest.get(..14).unwrap_or("").to_string())
            .unwrap_or_default()
    };
    let ready = stamp("Ready to accept connections");
    let crash = stamp("crashed by signal");
    assert!(
        !ready.is_empty() && ready == crash,
        "{ready:?} vs {crash:?}\n{log}"
    );
    if have_redis("sigabrt_writes_crash_report") {
        let r = crate::support::Server::start_redis(&["--crash-memcheck-enabled", "no"]);
        assert_eq!(ours, abort_report(&r));
    }
}

/// The marker lines of the watchdog's report in a server's log, in order.
fn watchdog_report(s: &crate::support::Server) -> Vec<String> {
    let mut out = vec![
        String::from_utf8_lossy(&s.cmd(&["CONFIG", "SET", "watchdog-period", "1"])).into_owned(),
        String::from_utf8_lossy(&s.cmd(&["CONFIG", "GET", "watchdog-period"])).into_owned(),
    ];
    s.cmd(&["CONFIG", "SET", "watchdog-period", "200"]);
    s.cmd(&["DEBUG", "SLEEP", "1"]);
    assert!(s.wait_for_log(") --------"), "{}", s.log());
    s.cmd(&["CONFIG", "SET", "watchdog-period", "0"]);
    // Off again: a slow command no longer reports, and the server lives on.
    s.cmd(&["DEBUG", "SLEEP", "0.5"]);
    out.push(String::from_utf8_lossy(&s.cmd(&["PING"])).into_owned());
    let wanted = [
        "--- WATCHDOG TIMER EXPIRED ---",
        "------ STACK TRACE ------",
        "EIP:",
        "Backtrace:",
        ":signal-handler (",
    ];
    for line in s.log().lines() {
        if let Some(w) = wanted.iter().find(|w| line.contains(*w)) {
            out.push(w.to_string());
        }
    }
    out
}

/// logging.tcl "Server is able to generate a stack trace on selected
/// systems": with watchdog-period set, a command that keeps the main thread
/// longer than the period makes SIGALRM log a stack trace (once per expiry).
/// The Tcl test also greps the trace for Redis's C function name
/// (debugCommand), which a Rust binary cannot contain.
#[test]
fn watchdog_logs_a_stack_trace() {
    let s = crate::support::Server::start(&["--enable-debug-command", "yes"]);
    let ours = watchdog_report(&s);
    assert_eq!(ours.len(), 9, "{:?}", ours);
    if have_redis("watchdog_logs_a_stack_trace") {
        let r = crate::support::Server::start_redis(&["--enable-debug-command", "yes"]);
        assert_eq!(ours, watchdog_report(&r));
    }
}

/// CONFIG SET crash-log-enabled no removes the report handler: SIGABRT then
/// ends the process with no report; yes puts it back.
#[test]
fn crash_log_enabled_toggles_the_report() {
    let s = crate::support::Server::start(&[]);
    assert_eq!(
        s.cmd(&["CONFIG", "SET", "crash-log-enabled", "no"]),
        b"+OK\r\n"
    );
    assert_eq!(
        s.cmd(&["CONFIG", "SET", "crash-log-enabled", "yes"]),
        b"+OK\r\n"
    );
    assert_eq!(abort_report(&s).len(), 6);
    let mut quiet = crate::support::Server::start(&[]);
    assert_eq!(
        quiet.cmd(&["CONFIG", "SET", "crash-log-enabled", "no"]),
        b"+OK\r\n"
    );
    let info = String::from_utf8_lossy(&quiet.cmd(&["INFO", "server"])).into_owned();
    let pid = info
        .lines()
        .find_map(|l| l.strip_prefix("process_id:"))
        .expect("process_id")
        .trim()
        .to_string();
    std::process::Command::new("kill")
        .args(["-ABRT", &pid])
        .status()
        .expect("kill");
    assert!(crate::support::poll_until(
        std::time::Duration::from_secs(10),
        || !quiet.is_alive()
    ));
    assert!(!quiet.log().contains("BUG REPORT"), "{}", quiet.log());
}
