//! The process as the system sees it: its title in ps (proc-title-template),
//! shutdown on SIGTERM/SIGINT (shutdown-on-sigterm, shutdown-on-sigint, a
//! second SIGINT during the final save), the oom score of fork children,
//! and activedefrag, which this build (like Debian's redis-server) refuses.
//! Each behaviour is checked on ferrodis and on redis-server.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use crate::support::*;

fn flavors(test: &str) -> Vec<Flavor> {
    if have_redis(test) {
        vec![Flavor::Ferrodis, Flavor::Redis]
    } else {
        vec![Flavor::Ferrodis]
    }
}

fn binary(s: &Server) -> String {
    match s.flavor {
        Flavor::Ferrodis => ferrodis_bin().to_string(),
        Flavor::Redis => "redis-server".to_string(),
    }
}

fn cmdline(pid: u32) -> Vec<u8> {
    std::fs::read(format!("/proc/{}/cmdline", pid)).unwrap_or_default()
}

fn signal(pid: u32, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "kill {} {}", sig, pid);
}

fn wait_exit(s: &mut Server) -> Option<i32> {
    let mut code = None;
    let exited = poll_until(Duration::from_secs(10), || match s.child.try_wait() {
        Ok(Some(st)) => {
            code = st.code();
            true
        }
        _ => false,
    });
    assert!(exited, "{:?} did not exit", s.flavor);
    code
}

/// The server's title is the template expanded, written over argv as
/// Redis's setproctitle does: the kernel shows it up to its NUL.
#[test]
fn process_title_follows_the_template() {
    for flavor in flavors("process_title_follows_the_template") {
        let s = Server::spawn(flavor, &[]);
        let pid = s.child.id();
        let bin = binary(&s);
        // At startup: "{title} {listen-addr} {server-mode}", trimmed.
        let start = cmdline(pid);
        let want = format!("{} 127.0.0.1:{}", bin, s.port);
        assert!(
            start.starts_with(want.as_bytes()),
            "{:?}",
            String::from_utf8_lossy(&start)
        );
        assert!(start[want.len()..].iter().all(|&b| b == 0), "{:?}", start);
        let tpl = "TEST {title} {listen-addr} {port} {tls-port} {unixsocket} {config-file}";
        assert_eq!(
            s.cmd(&["CONFIG", "SET", "proc-title-template", tpl]),
            b"+OK\r\n"
        );
        // No unix socket, and "-" for the missing config file.
        let title = format!("TEST {} 127.0.0.1:{} {} 0  -", bin, s.port, s.port);
        let got = cmdline(pid);
        let text = String::from_utf8_lossy(&got);
        assert_eq!(text.trim_end_matches('\0'), title, "{:?}", flavor);
        let bad = s.cmd(&["CONFIG", "SET", "proc-title-template", "{invalid-var}"]);
        assert!(bad.starts_with(b"-ERR CONFIG SET failed"), "{:?}", bad);
        assert_eq!(cmdline(pid), got);
    }
}

/// A BGSAVE child takes the "redis-rdb-bgsave" title and the background
/// child's oom score (oom-score-adj-values' third value).
#[test]
fn bgsave_child_title_and_oom_score() {
    for flavor in flavors("bgsave_child_title_and_oom_score") {
        let s = Server::spawn(flavor, &[]);
        let base: i64 = std::fs::read_to_string(format!("/proc/{}/oom_score_adj", s.child.id()))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        for (k, v) in [
            ("oom-score-adj-values", "10 20 30"),
            ("oom-score-adj", "yes"),
            ("proc-title-template", "{title} x"),
            ("rdb-key-save-delay", "1000000"),
        ] {
            assert_eq!(s.cmd(&["CONFIG", "SET", k, v]), b"+OK\r\n");
        }
        assert_eq!(s.cmd(&["SET", "k", "v"]), b"+OK\r\n");
        assert_eq!(s.cmd(&["BGSAVE"]), b"+Background saving started\r\n");
        let mut child = None;
        assert!(poll_until(Duration::from_secs(10), || {
            child = children_of(s.child.id()).into_iter().next();
            child.is_some()
        }));
        let child = child.unwrap();
        let score = |pid: u32| {
            std::fs::read_to_string(format!("/proc/{}/oom_score_adj", pid))
                .map(|t| t.trim().to_string())
                .unwrap_or_default()
        };
        assert!(
            poll_until(Duration::from_secs(10), || score(child)
                == (base + 30).to_string()),
            "{:?}: child oom {}",
            flavor,
            score(child)
        );
        assert_eq!(score(s.child.id()), (base + 10).to_string());
        assert!(poll_until(Duration::from_secs(10), || cmdline(child)
            .starts_with(b"redis-rdb-bgsave x\0")));
    }
}

fn children_of(pid: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|p| {
            let stat = std::fs::read_to_string(format!("/proc/{}/stat", p)).unwrap_or_default();
            let rest = stat.rsplit(')').next().unwrap_or("");
            rest.split_whitespace().nth(1) == Some(&pid.to_string())
        })
        .collect()
}

/// shutdown-on-sigterm nosave skips the final save that save points would
/// make; the default saves.
#[test]
fn shutdown_on_sigterm_flags() {
    for flavor in flavors("shutdown_on_sigterm_flags") {
        for (flags, saved) in [("default", true), ("nosave now", false)] {
            let mut s = Server::spawn(flavor, &["--save", "900 1"]);
            assert_eq!(s.cmd(&["SET", "k", "v"]), b"+OK\r\n");
            let set = ["CONFIG", "SET", "shutdown-on-sigterm", flags];
            assert_eq!(s.cmd(&set), b"+OK\r\n");
            signal(s.child.id(), "-TERM");
            assert_eq!(wait_exit(&mut s), Some(0));
            let dump: PathBuf = s.dir.path().join("dump.rdb");
            assert_eq!(dump.exists(), saved, "{:?} {}", flavor, flags);
            assert_eq!(s.log().contains("Saving the final RDB snapshot"), saved);
            assert!(s.log().contains("Received SIGTERM scheduling shutdown..."));
        }
    }
}

/// A second SIGINT while the final save runs exits at once with status 1
/// and removes the half-written temp-<pid>.rdb.
#[test]
fn second_sigint_during_final_save_exits_now() {
    for flavor in flavors("second_sigint_during_final_save_exits_now") {
        let mut s = Server::spawn(flavor, &["--save", "900 1"]);
        for i in 0..20 {
            let k = i.to_string();
            assert_eq!(s.cmd(&["SET", &k, &k]), b"+OK\r\n");
        }
        let delay = ["CONFIG", "SET", "rdb-key-save-delay", "100000"];
        assert_eq!(s.cmd(&delay), b"+OK\r\n");
        let pid = s.child.id();
        let temp = s.dir.path().join(format!("temp-{}.rdb", pid));
        signal(pid, "-INT");
        assert!(poll_until(Duration::from_secs(10), || temp.exists()));
        signal(pid, "-INT");
        assert_eq!(wait_exit(&mut s), Some(1), "{:?}", flavor);
        assert!(!temp.exists());
        assert!(
            s.log().contains("You insist... exiting now."),
            "{}",
            s.log()
        );
    }
}

/// Active defragmentation needs Redis's patched jemalloc: without it the
/// config refuses "yes", at run time and in the config file.
#[test]
fn activedefrag_is_refused() {
    let Some(mut d) = Differential::start("activedefrag_is_refused", &[]) else {
        return;
    };
    d.check(&["CONFIG", "SET", "activedefrag", "yes"]);
    d.check(&["CONFIG", "SET", "activedefrag", "no"]);
    d.check(&["CONFIG", "GET", "activedefrag"]);
}

/// Template checks: unknown variables and blank expansions are refused;
/// `{config-file}` is "-" without a file, so it alone is a valid template.
#[test]
fn proc_title_template_checks() {
    let Some(mut d) = Differential::start("proc_title_template_checks", &[]) else {
        return;
    };
    for t in [
        "{config-file}",
        "{invalid-var}",
        "{title}",
        "  ",
        "{{x",
        "a{",
        "{port} {server-mode}",
    ] {
        d.check(&["CONFIG", "SET", "proc-title-template", t]);
        d.check(&["CONFIG", "GET", "proc-title-template"]);
    }
}

/// The log messages from `line` on, without the "pid:role date" prefix.
fn messages_from(log: &str, line: &str) -> Vec<String> {
    let mut out: Vec<String> = log
        .lines()
        .skip_while(|l| !l.contains(line))
        .map(|l| match l.find(") ") {
            Some(i) if l.contains(":signal-handler (") => l[i + 2..].to_string(),
            _ => match l.find(" # ").or_else(|| l.find(" * ")) {
                Some(i) => l[i + 3..].to_string(),
                None => l.to_string(),
            },
        })
        .collect();
    // The killed child logs from its own process: its line may come
    // before or after the parent's next one.
    out.sort();
    out
}

/// SHUTDOWN while a BGSAVE child runs: the child is killed (it says so
/// from its SIGUSR1 handler), no "terminated by signal" report, then the
/// final save; the same messages as Redis.
#[test]
fn shutdown_kills_the_save_child_like_redis() {
    if !have_redis("shutdown_kills_the_save_child_like_redis") {
        return;
    }
    let mut logs = Vec::new();
    for flavor in [Flavor::Ferrodis, Flavor::Redis] {
        let mut s = Server::spawn(flavor, &["--save", "900 1"]);
        assert_eq!(s.cmd(&["SET", "k", "v"]), b"+OK\r\n");
        let delay = ["CONFIG", "SET", "rdb-key-save-delay", "1000000"];
        assert_eq!(s.cmd(&delay), b"+OK\r\n");
        assert_eq!(s.cmd(&["BGSAVE"]), b"+Background saving started\r\n");
        // Once the child writes its file it has its SIGUSR1 handler.
        let dir = s.dir.path().to_path_buf();
        assert!(poll_until(Duration::from_secs(10), || {
            std::fs::read_dir(&dir).is_ok_and(|mut d| {
                d.any(|e| e.is_ok_and(|e| e.file_name().to_string_lossy().starts_with("temp-")))
            })
        }));
        let delay = ["CONFIG", "SET", "rdb-key-save-delay", "0"];
        assert_eq!(s.cmd(&delay), b"+OK\r\n");
        let mut c = s.raw();
        c.send(b"SHUTDOWN\r\n");
        assert!(c.is_closed());
        assert_eq!(wait_exit(&mut s), Some(0));
        logs.push(messages_from(&s.log(), "User requested shutdown..."));
    }
    assert_eq!(logs[0], logs[1]);
}

/// While DEBUG PAUSE-CRON holds the cron, a SIGTERM waits and SHUTDOWN
/// ABORT cancels it, logged at notice level; a second ABORT has nothing
/// to cancel (shutdown.tcl "SHUTDOWN ABORT can cancel SIGTERM").
#[test]
fn shutdown_abort_cancels_a_signal() {
    for flavor in flavors("shutdown_abort_cancels_a_signal") {
        let s = Server::spawn(flavor, &["--enable-debug-command", "yes"]);
        let mut c = s.raw();
        assert_eq!(c.cmd(&["DEBUG", "PAUSE-CRON", "1"]), b"+OK\r\n");
        signal(s.child.id(), "-TERM");
        // The handler has run once the signal is no longer pending.
        assert!(poll_until(Duration::from_secs(10), || {
            let status = std::fs::read_to_string(format!("/proc/{}/status", s.child.id()));
            let idle = |t: &str, k: &str| t.lines().any(|l| l == format!("{}:\t{:016}", k, 0));
            status.is_ok_and(|t| idle(&t, "ShdPnd") && idle(&t, "SigPnd"))
        }));
        assert_eq!(c.cmd(&["SHUTDOWN", "ABORT"]), b"+OK\r\n");
        assert!(
            s.wait_for_log("* Shutdown manually aborted."),
            "{:?}",
            flavor
        );
        let none = c.cmd(&["SHUTDOWN", "ABORT"]);
        assert_eq!(none, b"-ERR No shutdown in progress.\r\n");
        assert_eq!(c.cmd(&["DEBUG", "PAUSE-CRON", "0"]), b"+OK\r\n");
        assert_eq!(c.cmd(&["PING"]), b"+PONG\r\n");
    }
}
