//! Configuration at startup: config files, includes, the command line and
//! stdin, fatal config errors, and CONFIG REWRITE's output, compared with
//! redis-server.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::config::get_pairs;
use crate::support::*;

/// A server process started with a custom command line.
struct Proc {
    child: Child,
    port: u16,
    dir: TempDir,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            let log = std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default();
            eprintln!("---- log (port {}) ----\n{}", self.port, log);
        }
    }
}

fn bin(flavor: Flavor) -> &'static str {
    match flavor {
        Flavor::Ferrodis => ferrodis_bin(),
        Flavor::Redis => "redis-server",
    }
}

/// The lines every test config starts with: its own port, dir and log.
fn base_conf(port: u16, dir: &Path) -> String {
    format!(
        "port {}\nbind 127.0.0.1\ndir {}\nlogfile {}\nsave \"\"\n",
        port,
        dir.display(),
        dir.join("log").display()
    )
}

/// Starts a server with `conf` written to `dir/server.conf` as first
/// argument (when given), then `args`; `stdin` is piped in when given.
fn start_proc(
    flavor: Flavor,
    conf: Option<&str>,
    args: &[&str],
    stdin: Option<&str>,
    port: u16,
    dir: TempDir,
) -> Proc {
    let mut cmd = Command::new(bin(flavor));
    cmd.current_dir(dir.path());
    if let Some(text) = conf {
        let path = dir.path().join("server.conf");
        std::fs::write(&path, text).unwrap();
        cmd.arg(path);
    }
    cmd.args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
    let mut child = cmd.spawn().expect("spawn");
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    let p = Proc { child, port, dir };
    let up = poll_until(Duration::from_secs(20), || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    assert!(up, "server on port {} did not start", port);
    p
}

/// Runs a server command line that must exit; returns its output.
fn run_to_exit(flavor: Flavor, args: &[&str], stdin: Option<&str>, cwd: &Path) -> Output {
    let mut child = Command::new(bin(flavor))
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return child.wait_with_output().unwrap();
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("{:?} {:?} did not exit", flavor, args);
}

/// Drops the "pid:role date time level " prefix of log lines.
fn strip_log_prefix(text: &str) -> String {
    text.lines()
        .map(|l| match l.find(" # ").or_else(|| l.find(" * ")) {
            Some(i)
                if l.split(':')
                    .next()
                    .is_some_and(|p| p.parse::<u32>().is_ok()) =>
            {
                &l[i + 3..]
            }
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs both servers with the same bad command line and compares exit code,
/// stderr and (without pids and times) stdout.
fn check_fatal(args: &[&str], stdin: Option<&str>, setup: impl Fn(&Path)) {
    let (ours_dir, theirs_dir) = (TempDir::new("cfg-fatal"), TempDir::new("cfg-fatal"));
    setup(ours_dir.path());
    setup(theirs_dir.path());
    let ours = run_to_exit(Flavor::Ferrodis, args, stdin, ours_dir.path());
    let theirs = run_to_exit(Flavor::Redis, args, stdin, theirs_dir.path());
    assert_eq!(ours.status.code(), Some(1), "{:?}", args);
    assert_eq!(ours.status.code(), theirs.status.code(), "{:?}", args);
    assert_eq!(
        String::from_utf8_lossy(&ours.stderr),
        String::from_utf8_lossy(&theirs.stderr),
        "stderr for {:?}",
        args
    );
    assert_eq!(
        strip_log_prefix(&String::from_utf8_lossy(&ours.stdout)),
        strip_log_prefix(&String::from_utf8_lossy(&theirs.stdout)),
        "stdout for {:?}",
        args
    );
}

#[test]
fn bad_command_lines_fail_like_redis() {
    if !have_redis("bad_command_lines_fail_like_redis") {
        return;
    }
    let none = |_: &Path| {};
    for args in [
        &["--port", "7001", "--maxclients", "abc"][..],
        &["--save", "--port", "abc"],
        &["--port"],
        &["--port abc"],
        &[
            "--port",
            "7001",
            "--bind",
            "127.0.0.1",
            "::1",
            "--maxclients",
            "abc",
        ],
        &["--foo", "bar"],
        &["--port", "70000", "x", "y"],
        &["--save", "1", "2", "3"],
        &["--loglevel", "verbose", "-", "--port", "-1"],
        &["--databases", "0"],
        &["--unixsocketperm", "999"],
        &["--socket-mark-id", "-1"],
        &["--supervised", "foo"],
        &["--enable-debug-command", "foo"],
        &["--daemonize", "foo"],
        &["--replicaof", "localhost", "-1"],
        &["--dbfilename", "a/b"],
        &["--appendfilename", ""],
        &["--appenddirname", "x/y"],
        &["--sentinel-x", "monitor"],
        &["--user"],
        &["--mod.config"],
        &["--cluster-enabled", "yes", "--replicaof", "127.0.0.1", "1"],
        &["--logfile", "/nonexistent-ferrodis-dir/x.log"],
        &["--port", "\"unbalanced"],
        &["--rename-command", "nosuchcommand", "x"],
        &["--rename-command", "ping", "echo"],
        &["--save", "1"],
        &["--notify-keyspace-events", "KEAq"],
        &["/nonexistent-ferrodis.conf"],
        &["/nonexistent-ferrodis.conf", "--port", "1"],
    ] {
        check_fatal(args, None, none);
    }
}

#[test]
fn bad_config_files_fail_like_redis() {
    if !have_redis("bad_config_files_fail_like_redis") {
        return;
    }
    let cases: &[(&str, &[&str])] = &[
        ("port 7001\nfoo bar\n", &[]),
        ("# comment\n\n  maxclients abc  \n", &[]),
        ("port \"7001\n", &[]),
        ("port 7001\n", &["--maxclients", "abc"]),
        ("include inc1.conf\n", &[]),
        ("include missing.conf\n", &[]),
        ("include nested/*.conf\n", &[]),
        ("PORT 7001\nHz abc\n", &[]),
        ("sentinel monitor mymaster 127.0.0.1 6379 2\n", &[]),
        ("loglevel notice warning\n", &[]),
    ];
    for (conf, extra) in cases {
        let setup = |dir: &Path| {
            std::fs::write(dir.join("server.conf"), conf).unwrap();
            std::fs::write(dir.join("inc1.conf"), "port 7002\ninclude inc2.conf\n").unwrap();
            std::fs::write(dir.join("inc2.conf"), "hz 10\n\nmaxclients -1\n").unwrap();
            std::fs::create_dir_all(dir.join("nested")).unwrap();
            std::fs::write(dir.join("nested/a.conf"), "hz 10\n").unwrap();
            std::fs::write(dir.join("nested/b.conf"), "hz abc\n").unwrap();
        };
        let mut args = vec!["server.conf"];
        args.extend_from_slice(extra);
        check_fatal(&args, None, setup);
    }
    check_fatal(&["-"], Some("port abc\n"), |_| {});
    check_fatal(&["--port", "5", "-"], Some("port abc\n"), |_| {});
    check_fatal(&["-", "--port", "5"], Some("hz 1\nport abc\n"), |_| {});
}

#[test]
fn port_and_empty_save_on_the_command_line() {
    let port = free_port();
    let dir = TempDir::new("cfg-cmdline");
    let log = dir.path().join("log");
    let args = [
        "--port",
        &port.to_string(),
        "--save",
        "",
        "--logfile",
        log.to_str().unwrap(),
    ];
    let p = start_proc(Flavor::Ferrodis, None, &args, None, port, dir);
    let mut c = RawConn::connect(p.port);
    assert_eq!(
        c.cmd(&["CONFIG", "GET", "save"]),
        b"*2\r\n$4\r\nsave\r\n$0\r\n\r\n"
    );
    assert_eq!(
        c.cmd(&["CONFIG", "REWRITE"]),
        b"-ERR The server is running without a config file\r\n"
    );
}

#[test]
fn config_from_stdin_and_options() {
    let port = free_port();
    let dir = TempDir::new("cfg-stdin");
    let conf = format!("{}maxclients 77\nhz 5\n", base_conf(port, dir.path()));
    let p = start_proc(
        Flavor::Ferrodis,
        None,
        &["-", "--hz", "7"],
        Some(&conf),
        port,
        dir,
    );
    let mut c = RawConn::connect(p.port);
    assert_eq!(
        get_pairs(&mut c, &["maxclients", "hz"]),
        vec![
            ("hz".into(), "7".into()),
            ("maxclients".into(), "77".into())
        ]
    );
    let log = std::fs::read_to_string(p.dir.path().join("log")).unwrap();
    assert!(log.contains("Configuration loaded"), "{}", log);
}

#[test]
fn includes_relative_nested_and_globbed() {
    let port = free_port();
    let dir = TempDir::new("cfg-include");
    let d = dir.path();
    std::fs::create_dir_all(d.join("conf.d")).unwrap();
    std::fs::write(d.join("a.conf"), "maxclients 55\ninclude b.conf\n").unwrap();
    std::fs::write(d.join("b.conf"), "timeout 9\n").unwrap();
    std::fs::write(d.join("conf.d/1.conf"), "hz 11\n").unwrap();
    std::fs::write(d.join("conf.d/2.conf"), "hz 12\nsave 100 1\n").unwrap();
    std::fs::write(d.join("conf.d/.hidden.conf"), "hz 99\n").unwrap();
    let conf = format!(
        "{}include a.conf\ninclude conf.d/*.conf\ninclude empty.d/*.conf\nsave 5 5\n",
        base_conf(port, d)
    );
    let p = start_proc(Flavor::Ferrodis, Some(&conf), &[], None, port, dir);
    let mut c = RawConn::connect(p.port);
    assert_eq!(
        get_pairs(&mut c, &["maxclients", "timeout", "hz", "save"]),
        vec![
            ("hz".into(), "12".into()),
            ("maxclients".into(), "55".into()),
            ("save".into(), "5 5".into()),
            ("timeout".into(), "9".into()),
        ]
    );
}

#[test]
fn rename_command_from_config_file() {
    let port = free_port();
    let dir = TempDir::new("cfg-rename");
    let conf = format!(
        "{}rename-command PING pong\nrename-command echo \"\"\n",
        base_conf(port, dir.path())
    );
    let p = start_proc(Flavor::Ferrodis, Some(&conf), &[], None, port, dir);
    let mut c = RawConn::connect(p.port);
    assert_eq!(c.cmd(&["PONG"]), b"+PONG\r\n");
    assert!(c.cmd(&["PING"]).starts_with(b"-ERR unknown command 'PING'"));
    assert!(c
        .cmd(&["ECHO", "x"])
        .starts_with(b"-ERR unknown command 'ECHO'"));
}

/// The lines of a rewritten file with the per-server ones dropped, split
/// into the part before the signature (exact order) and after it (Redis
/// writes those in hash-table order, so as a sorted list).
fn rewritten_parts(text: &str) -> (Vec<String>, Vec<String>) {
    let keep = |l: &&str| {
        !["port ", "dir ", "logfile "]
            .iter()
            .any(|p| l.starts_with(p))
    };
    let (head, tail) = match text.split_once("# Generated by CONFIG REWRITE\n") {
        Some((h, t)) => (h, t),
        None => (text, ""),
    };
    let mut tail: Vec<String> = tail.lines().filter(keep).map(String::from).collect();
    tail.sort();
    (head.lines().filter(keep).map(String::from).collect(), tail)
}

#[test]
fn config_rewrite_matches_redis_and_loads_back() {
    if !have_redis("config_rewrite_matches_redis_and_loads_back") {
        return;
    }
    let extra = "# A comment\n\n\nsave 900 1\nsave 300 10\nslave-priority 50\nHZ 10\n\
                 maxmemory 100mb\nrename-command FLUSHALL \"\"\ntimeout 0\n\
                 maxmemory-policy allkeys-lru\nlist-max-ziplist-entries 5\n\
                 hash-max-ziplist-entries 100\n";
    let appended =
        "\"unbalanced\nnotreal directive here\nslave-read-only yes\nreplica-read-only no\n";
    let sets: &[&str] = &[
        "maxmemory",
        "200mb",
        "hz",
        "20",
        "timeout",
        "5",
        "appendfsync",
        "always",
        "client-output-buffer-limit",
        "pubsub 1mb 2mb 3",
        "save",
        "60 1",
        "notify-keyspace-events",
        "KEA",
        "oom-score-adj-values",
        "1 2 3",
        "proc-title-template",
        "{title} x",
        "latency-tracking-info-percentiles",
        "1.5 99",
        "hash-max-listpack-entries",
        "200",
        "maxmemory-clients",
        "5%",
        "bind",
        "127.0.0.1 -::1",
        "masteruser",
        "se\"cret",
    ];
    let mut files = Vec::new();
    for flavor in [Flavor::Ferrodis, Flavor::Redis] {
        let port = free_port();
        let dir = TempDir::new("cfg-rewrite");
        let conf = format!("{}{}", base_conf(port, dir.path()), extra);
        let p = start_proc(flavor, Some(&conf), &[], None, port, dir);
        let path = p.dir.path().join("server.conf");
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str(appended);
        std::fs::write(&path, text).unwrap();
        let mut c = RawConn::connect(p.port);
        let mut args = vec!["CONFIG", "SET"];
        args.extend_from_slice(sets);
        assert_eq!(c.cmd(&args), b"+OK\r\n");
        assert_eq!(c.cmd(&["CONFIG", "REWRITE"]), b"+OK\r\n");
        files.push(std::fs::read_to_string(&path).unwrap());
        if flavor == Flavor::Ferrodis {
            let ferrodis_get = get_pairs(&mut c, &["*"]);
            // The rewritten file starts a server with the same settings.
            drop(c);
            let dir = TempDir::new("cfg-rewrite-reload");
            let reload_port = free_port();
            let text =
                files[0].replace(&format!("port {}", port), &format!("port {}", reload_port));
            let q = start_proc(flavor, Some(&text), &[], None, reload_port, dir);
            let mut c = RawConn::connect(q.port);
            let reloaded = get_pairs(&mut c, &["*"]);
            let differs: Vec<_> = ferrodis_get
                .iter()
                .zip(&reloaded)
                .filter(|(a, b)| a != b && a.0 != "port")
                .collect();
            assert!(differs.is_empty(), "{:?}", differs);
        }
        drop(p);
    }
    let (ours, theirs) = (rewritten_parts(&files[0]), rewritten_parts(&files[1]));
    assert_eq!(ours.0, theirs.0, "\n{}\n----\n{}", files[0], files[1]);
    assert_eq!(ours.1, theirs.1, "\n{}\n----\n{}", files[0], files[1]);
}

#[test]
fn config_rewrite_recreates_a_deleted_file() {
    let port = free_port();
    let dir = TempDir::new("cfg-rewrite-new");
    let conf = base_conf(port, dir.path());
    let p = start_proc(Flavor::Ferrodis, Some(&conf), &[], None, port, dir);
    let path: PathBuf = p.dir.path().join("server.conf");
    std::fs::remove_file(&path).unwrap();
    let mut c = RawConn::connect(p.port);
    assert_eq!(c.cmd(&["CONFIG", "SET", "maxclients", "99"]), b"+OK\r\n");
    assert_eq!(c.cmd(&["CONFIG", "REWRITE"]), b"+OK\r\n");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.starts_with("# Generated by CONFIG REWRITE\n"),
        "{}",
        text
    );
    assert!(text.contains("\nmaxclients 99\n"), "{}", text);
    assert!(text.contains(&format!("\nport {}\n", port)), "{}", text);
}

/// DEBUG CONFIG-REWRITE-FORCE-ALL writes every option, defaults included:
/// the same set of lines as redis-server, and a server started from the
/// file has the same settings (introspection.tcl "CONFIG REWRITE sanity").
#[test]
fn debug_config_rewrite_force_all_like_redis() {
    if !have_redis("debug_config_rewrite_force_all_like_redis") {
        return;
    }
    let mut files = Vec::new();
    for flavor in [Flavor::Ferrodis, Flavor::Redis] {
        let port = free_port();
        let dir = TempDir::new("cfg-force-all");
        let conf = format!(
            "{}enable-debug-command yes\nmaxmemory 10mb\n",
            base_conf(port, dir.path())
        );
        let p = start_proc(flavor, Some(&conf), &[], None, port, dir);
        let mut c = RawConn::connect(p.port);
        assert_eq!(c.cmd(&["CONFIG", "SET", "hz", "15"]), b"+OK\r\n");
        assert_eq!(c.cmd(&["DEBUG", "CONFIG-REWRITE-FORCE-ALL"]), b"+OK\r\n");
        let path = p.dir.path().join("server.conf");
        let text = std::fs::read_to_string(&path).unwrap();
        // Debian's redis-server has one directive 7.0.15 lacks.
        let mut lines: Vec<String> = text
            .lines()
            .filter(|l| !l.starts_with("lua-enable-deprecated-api"))
            .map(|l| l.replace(&p.dir.path().display().to_string(), "DIR"))
            .map(|l| l.replace(&port.to_string(), "PORT"))
            .collect();
        lines.sort();
        files.push(lines);
        if flavor == Flavor::Ferrodis {
            let before = get_pairs(&mut c, &["*"]);
            drop(c);
            let reload_port = free_port();
            let text = text.replace(&format!("port {}", port), &format!("port {}", reload_port));
            let q = start_proc(
                flavor,
                Some(&text),
                &[],
                None,
                reload_port,
                TempDir::new("cfg-fa"),
            );
            let after = get_pairs(&mut RawConn::connect(q.port), &["*"]);
            let differs: Vec<_> = before
                .iter()
                .zip(&after)
                .filter(|(a, b)| a != b && a.0 != "port")
                .collect();
            assert!(differs.is_empty(), "{:?}", differs);
        }
    }
    assert_eq!(files[0], files[1]);
}

/// Without a config file Redis hands fopen a null path: the reply names EFAULT.
#[test]
fn debug_config_rewrite_force_all_without_a_file() {
    let Some(mut d) = Differential::start(
        "debug_config_rewrite_force_all_without_a_file",
        &["--enable-debug-command", "yes"],
    ) else {
        return;
    };
    d.check(&["DEBUG", "CONFIG-REWRITE-FORCE-ALL"]);
    d.check(&["DEBUG", "CONFIG-REWRITE-FORCE-ALL", "x"]);
}
