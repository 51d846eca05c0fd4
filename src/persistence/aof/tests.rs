//! In-process tests of feeding, flushing and the everysec postponement.

use super::*;
use crate::cmd::dispatch::process_command;
use crate::config::Config;
use crate::conn::client::{Client, Socket};
use crate::log::Logger;

struct Setup {
    srv: Server,
    c: Client,
    path: std::path::PathBuf,
    _poll: mio::Poll,
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

fn setup(tag: &str, policy: i64) -> Setup {
    let poll = mio::Poll::new().unwrap();
    let registry = poll.registry().try_clone().unwrap();
    let mut config = Config::with_defaults();
    config.appendfsync = policy;
    let mut srv = Server::new(config, Logger::new(), registry);
    let path = std::env::temp_dir().join(format!(
        "ferrodis-aof-unit-{}-{}.aof",
        std::process::id(),
        tag
    ));
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .open(&path)
        .unwrap();
    srv.aof.file = Some(file);
    srv.aof.state = State::On;
    srv.aof.bio = Some(bio::FsyncWorker::start().unwrap());
    let (sock, _) = mio::net::UnixStream::pair().unwrap();
    let c = Client::new(1, 0, Socket::Unix(sock), String::new(), String::new(), 0);
    Setup {
        srv,
        c,
        path,
        _poll: poll,
    }
}

fn run(s: &mut Setup, args: &[&str]) {
    s.c.argv = args.iter().map(|a| a.as_bytes().to_vec()).collect();
    process_command(&mut s.srv, &mut s.c);
    s.c.reply.clear();
}

fn resp(cmds: &[&[&str]]) -> Vec<u8> {
    let mut out = Vec::new();
    for c in cmds {
        cat_command(&mut out, c);
    }
    out
}

#[test]
fn select_once_per_db_and_only_for_changes() {
    let mut s = setup("select", FSYNC_NO);
    run(&mut s, &["SET", "a", "1"]);
    run(&mut s, &["GET", "a"]);
    run(&mut s, &["DEL", "missing"]);
    run(&mut s, &["SELECT", "3"]);
    run(&mut s, &["SET", "b", "2"]);
    run(&mut s, &["SET", "c", "3"]);
    let want = resp(&[
        &["SELECT", "0"],
        &["SET", "a", "1"],
        &["SELECT", "3"],
        &["SET", "b", "2"],
        &["SET", "c", "3"],
    ]);
    assert_eq!(s.srv.aof.buf, want);
    flush(&mut s.srv, false);
    assert!(s.srv.aof.buf.is_empty());
    assert_eq!(std::fs::read(&s.path).unwrap(), want);
    assert_eq!(s.srv.status.persistence.aof_current_size, want.len() as u64);
}

#[test]
fn timestamp_annotation_once_per_second() {
    let mut s = setup("ts", FSYNC_NO);
    s.srv.config.aof_timestamp_enabled = true;
    run(&mut s, &["SET", "a", "1"]);
    run(&mut s, &["SET", "a", "2"]);
    let ts = format!("#TS:{}\r\n", s.srv.time.unixtime);
    let text = String::from_utf8(s.srv.aof.buf.clone()).unwrap();
    assert!(text.starts_with(&ts), "{}", text);
    assert_eq!(text.matches("#TS:").count(), 1);
}

#[test]
fn several_ops_are_wrapped_in_multi_exec() {
    let mut s = setup("multi", FSYNC_NO);
    let argv = crate::propagate::argv;
    s.srv.propagation.ops.push(crate::propagate::Op {
        db: 0,
        argv: argv(&[b"SET", b"a", b"1"]),
    });
    s.srv.propagation.ops.push(crate::propagate::Op {
        db: 0,
        argv: argv(&[b"DEL", b"b"]),
    });
    s.srv.propagation.ops.push(crate::propagate::Op {
        db: 4,
        argv: argv(&[b"DEL", b"c"]),
    });
    crate::propagate::propagate_pending(&mut s.srv);
    let want = resp(&[
        &["SELECT", "0"],
        &["MULTI"],
        &["SET", "a", "1"],
        &["DEL", "b"],
        &["SELECT", "4"],
        &["DEL", "c"],
        &["EXEC"],
    ]);
    assert_eq!(s.srv.aof.buf, want);
}

#[test]
fn everysec_postpones_a_write_while_fsync_runs_for_two_seconds() {
    let mut s = setup("postpone", FSYNC_EVERYSEC);
    run(&mut s, &["SET", "a", "1"]);
    s.srv.aof.bio.as_ref().unwrap().hold(1);
    let start = s.srv.time.unixtime;
    flush(&mut s.srv, false);
    assert_eq!(s.srv.aof.flush_postponed_start, start);
    assert!(!s.srv.aof.buf.is_empty());
    s.srv.time.unixtime = start + 1;
    flush(&mut s.srv, false);
    assert!(!s.srv.aof.buf.is_empty());
    s.srv.time.unixtime = start + 2;
    flush(&mut s.srv, false);
    assert!(s.srv.aof.buf.is_empty());
    assert_eq!(s.srv.status.persistence.aof_delayed_fsync, 1);
    assert_eq!(s.srv.aof.flush_postponed_start, 0);
}

#[test]
fn everysec_fsyncs_in_the_background_once_a_second() {
    let mut s = setup("everysec", FSYNC_EVERYSEC);
    s.srv.aof.last_fsync = s.srv.time.unixtime - 1;
    run(&mut s, &["SET", "a", "1"]);
    flush(&mut s.srv, false);
    assert_eq!(s.srv.aof.last_fsync, s.srv.time.unixtime);
    assert_eq!(
        s.srv.aof.fsync_offset,
        s.srv.status.persistence.aof_current_size
    );
    let bio = s.srv.aof.bio.as_ref().unwrap();
    let drained = (0..1000).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(5));
        bio.pending() == 0
    });
    assert!(drained);
}

/// The command-form base: one emitter per type, 64 items per command,
/// PEXPIREAT after a key with a TTL, SELECT per non-empty db.
#[test]
fn rewrite_writes_every_type_as_commands() {
    let mut s = setup("rewrite", FSYNC_NO);
    run(&mut s, &["RPUSH", "l", "a", "1"]);
    run(&mut s, &["SADD", "s", "x"]);
    run(&mut s, &["HSET", "h", "f", "v"]);
    run(&mut s, &["ZADD", "z", "1.5", "m"]);
    run(&mut s, &["SET", "k", "v", "PXAT", "99999999999999"]);
    run(&mut s, &["SELECT", "2"]);
    for i in 0..65 {
        run(&mut s, &["RPUSH", "big", &i.to_string()]);
    }
    let mut out = Vec::new();
    let mut calls = 0;
    rewrite::write_dataset(&s.srv, &mut out, |_| calls += 1).unwrap();
    let text = String::from_utf8_lossy(&out).into_owned();
    for cmd in [
        resp(&[&["SELECT", "0"]]),
        resp(&[&["RPUSH", "l", "a", "1"]]),
        resp(&[&["SADD", "s", "x"]]),
        resp(&[&["HMSET", "h", "f", "v"]]),
        resp(&[&["ZADD", "z", "1.5", "m"]]),
        resp(&[&["SET", "k", "v"], &["PEXPIREAT", "k", "99999999999999"]]),
        resp(&[&["SELECT", "2"]]),
        resp(&[&["RPUSH", "big", "64"]]),
    ] {
        assert!(text.contains(&*String::from_utf8_lossy(&cmd)), "{}", text);
    }
    // 65 items: one RPUSH of 64, one of 1.
    assert_eq!(text.matches("RPUSH\r\n$3\r\nbig").count(), 2);
}

/// Rewritten incremental files become history, before the old base; the
/// one being appended to stays.
#[test]
fn rewritten_incr_files_become_history() {
    let mut m = manifest::Manifest::default();
    m.new_base("a.aof", true);
    m.new_incr("a.aof");
    m.new_incr("a.aof");
    m.new_incr("a.aof");
    m.new_base("a.aof", true);
    bgrewrite::mark_rewritten_incr_as_history(&mut m, true);
    let names: Vec<&str> = m.history.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(
        names,
        ["a.aof.1.incr.aof", "a.aof.2.incr.aof", "a.aof.1.base.rdb"]
    );
    assert_eq!(m.incr.len(), 1);
    assert_eq!(m.incr[0].name, "a.aof.3.incr.aof");
    bgrewrite::mark_rewritten_incr_as_history(&mut m, false);
    assert!(m.incr.is_empty());
}

/// no-appendfsync-on-rewrite: the write happens, the fsync does not while
/// a child runs; it happens again once no child is left.
#[test]
fn no_fsync_while_a_child_runs() {
    let mut s = setup("nofsync", FSYNC_ALWAYS);
    s.srv.config.no_appendfsync_on_rewrite = true;
    s.srv.status.persistence.aof_child_pid = Some(1);
    run(&mut s, &["SET", "a", "1"]);
    flush(&mut s.srv, false);
    assert!(s.srv.aof.buf.is_empty());
    assert!(s.srv.status.persistence.aof_current_size > 0);
    assert_eq!(s.srv.aof.fsync_offset, 0);
    s.srv.status.persistence.aof_child_pid = None;
    run(&mut s, &["SET", "a", "2"]);
    flush(&mut s.srv, false);
    assert_eq!(
        s.srv.aof.fsync_offset,
        s.srv.status.persistence.aof_current_size
    );
}
