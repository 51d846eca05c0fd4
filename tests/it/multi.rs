//! Transactions (MULTI/EXEC/DISCARD/WATCH/UNWATCH) against redis-server.

use std::time::Duration;

use crate::support::resp::RawConn;
use crate::support::*;

fn diff(name: &str) -> Option<Differential> {
    Differential::start(name, &["--enable-debug-command", "yes"])
}

/// Two connections to each server: `w` (the watcher) and `o` (another
/// client), every reply compared between ferrodis and redis-server.
struct Two {
    _d: Differential,
    ours: [RawConn; 2],
    theirs: [RawConn; 2],
}

const W: usize = 0;
const O: usize = 1;

impl Two {
    fn start(name: &str) -> Option<Two> {
        let d = diff(name)?;
        let ours = [d.ours.raw(), d.ours.raw()];
        let theirs = [d.theirs.raw(), d.theirs.raw()];
        Some(Two {
            _d: d,
            ours,
            theirs,
        })
    }

    fn check(&mut self, who: usize, args: &[&str]) -> Vec<u8> {
        let a = self.ours[who].cmd(args);
        let b = self.theirs[who].cmd(args);
        assert!(
            a == b,
            "replies differ for {:?} on conn {}\n  ferrodis: {}\n  redis:    {}",
            args,
            who,
            a.escape_ascii(),
            b.escape_ascii()
        );
        a
    }

    /// HELLO 3 on one connection of each (its reply differs by design).
    fn resp3(&mut self, who: usize) {
        self.ours[who].cmd(&["HELLO", "3"]);
        self.theirs[who].cmd(&["HELLO", "3"]);
    }

    /// Runs `steps` after WATCH x, then MULTI/EXEC; returns EXEC's reply.
    fn watch_case(&mut self, setup: &[&[&str]], steps: &[(usize, &[&str])]) -> Vec<u8> {
        self.check(W, &["UNWATCH"]);
        self.check(O, &["FLUSHALL"]);
        self.check(O, &["SELECT", "0"]);
        for s in setup {
            self.check(O, s);
        }
        self.check(W, &["WATCH", "x"]);
        for (who, s) in steps {
            self.check(*who, s);
        }
        self.check(W, &["MULTI"]);
        self.check(W, &["PING"]);
        self.check(W, &["EXEC"])
    }

    /// Polls (through `who`, on both servers) until `key` is gone.
    fn wait_gone(&mut self, who: usize, key: &str) {
        for conns in [&mut self.ours, &mut self.theirs] {
            let c = &mut conns[who];
            assert!(poll_until(Duration::from_secs(5), || {
                c.cmd(&["EXISTS", key]) == b":0\r\n"
            }));
        }
    }
}

const NULL_ARRAY: &[u8] = b"*-1\r\n";
const PONG_ARRAY: &[u8] = b"*1\r\n+PONG\r\n";

#[test]
fn multi_exec_discard_and_errors() {
    let Some(mut t) = Two::start("multi_exec_discard_and_errors") else {
        return;
    };
    for resp in [2, 3] {
        if resp == 3 {
            t.resp3(W);
        }
        let cmds: &[&[&str]] = &[
            &["EXEC"],
            &["DISCARD"],
            &["EXEC", "x"],
            &["DISCARD", "x"],
            &["MULTI", "x"],
            &["MULTI"],
            &["SET", "a", "1"],
            &["INCR", "a"],
            &["GET", "a"],
            &["INCR", "nosuch", "x"],
            &["MULTI"],
            &["WATCH", "a"],
            &["EXEC"],
            &["MULTI"],
            &["SET", "a", "x"],
            &["INCR", "a"],
            &["GET", "a"],
            &["EXEC"],
            &["MULTI"],
            &["EXEC"],
            &["MULTI"],
            &["SET", "b", "1"],
            &["DISCARD"],
            &["EXISTS", "b"],
            &["MULTI"],
            &["SET", "b"],
            &["SET", "b", "2"],
            &["EXEC"],
            &["EXISTS", "b"],
            &["MULTI"],
            &["NOSUCHCOMMAND", "arg"],
            &["SET", "b", "2"],
            &["EXEC"],
            &["MULTI"],
            &["SET", "b", "2"],
            &["EXEC", "extra"],
            &["EXEC"],
            &["EXISTS", "b"],
            &["MULTI"],
            &["SET", "b", "2"],
            &["DISCARD", "extra"],
            &["EXEC"],
            &["MULTI"],
            &["UNWATCH"],
            &["GET", "a"],
            &["EXEC"],
            &["MULTI"],
            &["CLIENT", "REPLY"],
            &["RESET"],
            &["EXEC"],
            &["MULTI"],
            &["CONFIG", "NOSUCHSUB"],
            &["EXEC"],
            &["MULTI"],
            &["SELECT", "1"],
            &["SET", "a", "db1"],
            &["EXEC"],
            &["GET", "a"],
            &["SELECT", "0"],
            &["GET", "a"],
            &["FLUSHALL"],
        ];
        for c in cmds {
            t.check(W, c);
        }
    }
}

#[test]
fn exec_replies_in_resp3() {
    let Some(mut t) = Two::start("exec_replies_in_resp3") else {
        return;
    };
    t.resp3(W);
    t.check(W, &["MULTI"]);
    t.check(W, &["SET", "a", "1"]);
    t.check(W, &["GET", "a"]);
    t.check(W, &["INCR", "a", "b"]);
    t.check(W, &["HSET", "h", "f", "v"]);
    t.check(W, &["HGETALL", "h"]);
    t.check(W, &["ZADD", "z", "1.5", "m"]);
    t.check(W, &["ZSCORE", "z", "m"]);
    t.check(W, &["SMEMBERS", "nosuch"]);
    t.check(W, &["SET", "s", "x"]);
    t.check(W, &["INCR", "s"]);
    t.check(W, &["INCRBYFLOAT", "n", "1.5"]);
    t.check(W, &["TTL", "a"]);
    t.check(W, &["GET", "nosuch"]);
    t.check(W, &["CONFIG", "GET", "maxmemory-policy"]);
    t.check(W, &["OBJECT", "ENCODING", "a"]);
    t.check(W, &["EXEC"]);
    t.check(W, &["WATCH", "a"]);
    t.check(O, &["SET", "a", "2"]);
    t.check(W, &["MULTI"]);
    t.check(W, &["GET", "a"]);
    assert_eq!(t.check(W, &["EXEC"]), b"_\r\n");
    t.check(W, &["MULTI"]);
    t.check(W, &["SET", "a"]);
    t.check(W, &["EXEC"]);
}

#[test]
fn watch_invalidated_by_writes() {
    let Some(mut t) = Two::start("watch_invalidated_by_writes") else {
        return;
    };
    let live: &[&[&str]] = &[&["SET", "x", "1"], &["SET", "src", "s"]];
    let sets: &[&[&str]] = &[&["SADD", "x", "a"], &["SADD", "src", "m"]];
    let dirty: &[&[&str]] = &[
        &["SET", "x", "2"],
        &["DEL", "x"],
        &["UNLINK", "x"],
        &["EXPIRE", "x", "100"],
        &["PERSIST", "x"],
        &["APPEND", "x", "y"],
        &["INCR", "x"],
        &["RENAME", "src", "x"],
        &["RENAME", "x", "y"],
        &["MOVE", "x", "1"],
        &["COPY", "src", "x", "REPLACE"],
        &["FLUSHDB"],
        &["FLUSHALL"],
        &["SWAPDB", "0", "1"],
        &["GETDEL", "x"],
        &["SETRANGE", "x", "0", "z"],
        &["SADD", "x", "m"],
        &["SMOVE", "src", "x", "m"],
        &["SUNIONSTORE", "x", "nosuch"],
        &["ZUNIONSTORE", "x", "1", "nosuch"],
    ];
    let with_ttl: &[&[&str]] = &[&["SET", "x", "1", "EX", "100"], &["SET", "src", "s"]];
    for s in dirty {
        let setup = match s[0] {
            "PERSIST" => with_ttl,
            "SADD" | "SMOVE" => sets,
            _ => live,
        };
        let r = t.watch_case(setup, &[(O, s)]);
        assert_eq!(r, NULL_ARRAY, "after {:?}", s);
    }
    // No change: the watch survives.
    let clean: &[&[&str]] = &[
        &["GET", "x"],
        &["TOUCH", "x"],
        &["PERSIST", "x"],
        &["DEL", "nosuch"],
        &["SET", "y", "1"],
        &["SWAPDB", "0", "0"],
        &["SWAPDB", "1", "2"],
        &["SELECT", "1"],
    ];
    for s in clean {
        let r = t.watch_case(live, &[(O, s)]);
        assert_eq!(r, PONG_ARRAY, "after {:?}", s);
    }
    // The same key in another database is another key.
    let r = t.watch_case(live, &[(O, &["SELECT", "1"]), (O, &["SET", "x", "1"])]);
    assert_eq!(r, PONG_ARRAY);
    // The watcher's own writes count too.
    let r = t.watch_case(live, &[(W, &["SET", "x", "3"])]);
    assert_eq!(r, NULL_ARRAY);
}

#[test]
fn watch_missing_keys_and_whole_db_changes() {
    let Some(mut t) = Two::start("watch_missing_keys_and_whole_db_changes") else {
        return;
    };
    // Flushing a database without the key is no change.
    for s in [
        &["FLUSHALL"][..],
        &["FLUSHDB"],
        &["DEL", "x"],
        &["EXPIRE", "x", "9"],
    ] {
        assert_eq!(t.watch_case(&[], &[(O, s)]), PONG_ARRAY);
    }
    // SWAPDB brings the key in from the other database.
    let other: &[&[&str]] = &[&["SELECT", "1"], &["SET", "x", "1"], &["SELECT", "0"]];
    let r = t.watch_case(other, &[(O, &["SWAPDB", "0", "1"])]);
    assert_eq!(r, NULL_ARRAY);
    let r = t.watch_case(other, &[(O, &["SWAPDB", "1", "0"])]);
    assert_eq!(r, NULL_ARRAY);
    // Both databases hold it.
    let both: &[&[&str]] = &[
        &["SET", "x", "1"],
        &["SELECT", "1"],
        &["SET", "x", "1"],
        &["SELECT", "0"],
    ];
    assert_eq!(
        t.watch_case(both, &[(O, &["SWAPDB", "0", "1"])]),
        NULL_ARRAY
    );
    // A watch in db 1 is hit by a write after the key was swapped there.
    t.check(W, &["SELECT", "1"]);
    let r = t.watch_case(&[], &[(O, &["SELECT", "1"]), (O, &["SET", "x", "1"])]);
    assert_eq!(r, NULL_ARRAY);
    t.check(W, &["SELECT", "0"]);
}

#[test]
fn watch_and_expiry() {
    let Some(mut t) = Two::start("watch_and_expiry") else {
        return;
    };
    t.check(O, &["DEBUG", "SET-ACTIVE-EXPIRE", "0"]);
    // A live watched key that expires is a change, deleted or not.
    t.check(W, &["UNWATCH"]);
    t.check(O, &["SET", "x", "1"]);
    t.check(O, &["SET", "probe", "1"]);
    t.check(W, &["WATCH", "x"]);
    t.check(O, &["PEXPIRE", "x", "1"]);
    t.check(O, &["PEXPIRE", "probe", "1"]);
    t.wait_gone(O, "probe");
    t.check(W, &["MULTI"]);
    assert_eq!(t.check(W, &["EXEC"]), NULL_ARRAY);
    // Watching an already expired key: its deletion is no change.
    for extra in [
        &[][..],
        &[(O, &["GET", "x"][..])],
        &[(O, &["DEL", "x"][..])],
    ] {
        expire_then_watch(&mut t);
        for (who, s) in extra {
            t.check(*who, s);
        }
        t.check(W, &["MULTI"]);
        assert_eq!(t.check(W, &["EXEC"]), b"*0\r\n");
    }
    // ... but setting it again is.
    expire_then_watch(&mut t);
    t.check(O, &["SET", "x", "2"]);
    t.check(W, &["MULTI"]);
    assert_eq!(t.check(W, &["EXEC"]), NULL_ARRAY);
    // FLUSHALL of an expired watched key: no change.
    expire_then_watch(&mut t);
    t.check(O, &["FLUSHALL"]);
    t.check(W, &["MULTI"]);
    assert_eq!(t.check(W, &["EXEC"]), b"*0\r\n");
    // The active expire cycle deleting a watched key.
    t.check(O, &["DEBUG", "SET-ACTIVE-EXPIRE", "1"]);
    t.check(O, &["SET", "x", "1"]);
    t.check(W, &["WATCH", "x"]);
    t.check(O, &["PEXPIRE", "x", "1"]);
    for conns in [&mut t.ours, &mut t.theirs] {
        let c = &mut conns[O];
        assert!(poll_until(Duration::from_secs(5), || {
            c.cmd(&["DBSIZE"]) == b":0\r\n"
        }));
    }
    t.check(W, &["MULTI"]);
    assert_eq!(t.check(W, &["EXEC"]), NULL_ARRAY);
}

/// Leaves x logically expired but not deleted, then WATCHes it.
fn expire_then_watch(t: &mut Two) {
    t.check(W, &["UNWATCH"]);
    t.check(O, &["FLUSHALL"]);
    t.check(O, &["SET", "x", "1", "PX", "1"]);
    t.check(O, &["SET", "probe", "1", "PX", "1"]);
    t.wait_gone(O, "probe");
    t.check(W, &["WATCH", "x"]);
}

#[test]
fn swapdb_with_expired_keys() {
    let Some(mut t) = Two::start("swapdb_with_expired_keys") else {
        return;
    };
    t.check(O, &["DEBUG", "SET-ACTIVE-EXPIRE", "0"]);
    // (watched key in db 0, key in db 1, expected EXEC)
    type Case<'a> = (&'a [&'a str], &'a [&'a str], &'a [u8]);
    let cases: &[Case] = &[
        (&[], &["SET", "x", "1", "PX", "1"], b"*0\r\n"),
        (
            &["SET", "x", "1", "PX", "1"],
            &["SET", "x", "1", "PX", "1"],
            b"*0\r\n",
        ),
        (&["SET", "x", "1", "PX", "1"], &[], b"*0\r\n"),
        (
            &["SET", "x", "1", "PX", "1"],
            &["SET", "x", "1"],
            NULL_ARRAY,
        ),
    ];
    for (mine, other, want) in cases {
        t.check(W, &["UNWATCH"]);
        t.check(O, &["FLUSHALL"]);
        if !mine.is_empty() {
            t.check(O, mine);
        }
        t.check(O, &["SELECT", "1"]);
        if !other.is_empty() {
            t.check(O, other);
        }
        t.check(O, &["SET", "probe", "1", "PX", "1"]);
        t.wait_gone(O, "probe");
        t.check(O, &["SELECT", "0"]);
        t.check(W, &["WATCH", "x"]);
        t.check(O, &["SWAPDB", "0", "1"]);
        t.check(W, &["MULTI"]);
        assert_eq!(t.check(W, &["EXEC"]), *want, "{:?} / {:?}", mine, other);
    }
}

#[test]
fn unwatch_discard_reset_and_dirty_client() {
    let Some(mut t) = Two::start("unwatch_discard_reset_and_dirty_client") else {
        return;
    };
    let live: &[&[&str]] = &[&["SET", "x", "1"]];
    // UNWATCH clears the dirty mark.
    let r = t.watch_case(live, &[(O, &["SET", "x", "2"]), (W, &["UNWATCH"])]);
    assert_eq!(r, PONG_ARRAY);
    // RESET unwatches.
    let r = t.watch_case(live, &[(W, &["RESET"]), (O, &["SET", "x", "2"])]);
    assert_eq!(r, PONG_ARRAY);
    // A dirty client stays dirty after more WATCHes.
    let r = t.watch_case(live, &[(O, &["SET", "x", "2"]), (W, &["WATCH", "y"])]);
    assert_eq!(r, NULL_ARRAY);
    // EXEC and DISCARD unwatch.
    for end in ["EXEC", "DISCARD"] {
        t.check(W, &["WATCH", "x"]);
        t.check(W, &["MULTI"]);
        t.check(W, &["GET", "x"]);
        t.check(W, &["EXEC"]);
        let _ = end;
        t.check(O, &["SET", "x", "3"]);
        t.check(W, &["MULTI"]);
        assert_eq!(t.check(W, &["EXEC"]), b"*0\r\n");
    }
    t.check(W, &["WATCH", "x"]);
    t.check(W, &["MULTI"]);
    t.check(W, &["DISCARD"]);
    t.check(O, &["SET", "x", "3"]);
    t.check(W, &["MULTI"]);
    assert_eq!(t.check(W, &["EXEC"]), b"*0\r\n");
    // A transaction's own writes do not dirty it; a watched key read twice.
    t.check(W, &["WATCH", "x", "x", "z"]);
    t.check(W, &["MULTI"]);
    t.check(W, &["SET", "x", "4"]);
    t.check(W, &["SET", "z", "4"]);
    t.check(W, &["EXEC"]);
    t.check(W, &["WATCH"]);
    t.check(W, &["UNWATCH", "x"]);
}

#[test]
fn pipelined_transaction() {
    let Some(mut d) = diff("pipelined_transaction") else {
        return;
    };
    let mut p = Vec::new();
    for args in [
        &["MULTI"][..],
        &["SET", "a", "1"],
        &["INCR", "a"],
        &["SET", "s", "x"],
        &["INCR", "s"],
        &["MULTI"],
        &["GET", "a"],
        &["EXEC"],
        &["MULTI"],
        &["SET", "a", "2"],
        &["FOO"],
        &["EXEC"],
        &["GET", "a"],
    ] {
        let b: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        p.extend(RawConn::encode(&b));
    }
    d.check_raw(&p, 13);
    d.check_raw(b"MULTI\r\nSET b 1\r\nEXEC\r\nGET b\r\n", 4);
    // QUIT is not queued; MONITOR inside EXEC is refused, SHUTDOWN never queued.
    d.check_raw(b"MULTI\r\nSET c 1\r\nQUIT\r\n", 3);
    d.check_raw(b"MULTI\r\nMONITOR\r\nEXEC\r\nPING\r\n", 4);
    d.check_raw(b"MULTI\r\nSHUTDOWN\r\nEXEC\r\n", 3);
    d.check(&["EXISTS", "c"]);
}

#[test]
fn stats_and_monitor() {
    let Some(mut t) = Two::start("stats_and_monitor") else {
        return;
    };
    t.check(W, &["CONFIG", "RESETSTAT"]);
    let mon_ours = t._d.ours.raw();
    let mon_theirs = t._d.theirs.raw();
    let mut mons = [mon_ours, mon_theirs];
    for m in mons.iter_mut() {
        assert_eq!(m.cmd(&["MONITOR"]), b"+OK\r\n");
    }
    for s in [
        &["MULTI"][..],
        &["SET", "a", "1"],
        &["NOSUCH"],
        &["EXEC"],
        &["MULTI"],
        &["SET", "a", "1"],
        &["GET", "a"],
        &["SET", "s", "x"],
        &["INCR", "s"],
        &["EXEC"],
        &["WATCH", "a"],
        &["UNWATCH"],
        &["MULTI"],
        &["MULTI"],
        &["DISCARD"],
        &["PING"],
    ] {
        t.check(W, s);
    }
    // The MONITOR feed: commands as they run, queued ones inside EXEC.
    let mut feeds = Vec::new();
    for m in mons.iter_mut() {
        let mut lines = Vec::new();
        loop {
            let r = m.read_reply().expect("monitor line");
            let s = String::from_utf8_lossy(&r).into_owned();
            let cmd = s.split("] ").nth(1).unwrap_or("").to_string();
            if cmd.to_ascii_lowercase().starts_with("\"ping\"") {
                break;
            }
            lines.push(cmd);
        }
        feeds.push(lines);
    }
    assert_eq!(feeds[0], feeds[1]);
    // Counters: the queued commands count when EXEC runs them.
    let ours = t.ours[W].cmd(&["INFO", "commandstats"]);
    let theirs = t.theirs[W].cmd(&["INFO", "commandstats"]);
    assert_eq!(cmdstats(&ours), cmdstats(&theirs));
    let ours = t.ours[W].cmd(&["INFO", "errorstats"]);
    let theirs = t.theirs[W].cmd(&["INFO", "errorstats"]);
    assert_eq!(ours, theirs);
    let n = |r: Vec<u8>| {
        String::from_utf8_lossy(&r)
            .lines()
            .find(|l| l.starts_with("total_commands_processed:"))
            .map(str::to_string)
    };
    assert_eq!(
        n(t.ours[W].cmd(&["INFO", "stats"])),
        n(t.theirs[W].cmd(&["INFO", "stats"]))
    );
}

/// commandstats lines without the timings.
fn cmdstats(r: &[u8]) -> Vec<String> {
    let mut v: Vec<String> = String::from_utf8_lossy(r)
        .lines()
        .filter(|l| l.starts_with("cmdstat_"))
        .map(|l| {
            let (name, rest) = l.split_once(':').unwrap_or((l, ""));
            let keep: Vec<&str> = rest.split(',').filter(|f| !f.starts_with("usec")).collect();
            format!("{}:{}", name, keep.join(","))
        })
        .collect();
    v.sort();
    v
}

#[test]
fn client_list_multi_fields() {
    let s = Server::start(&[]);
    let mut w = s.raw();
    let mut o = s.raw();
    let field = |o: &mut RawConn, name: &str| {
        let r = o.cmd(&["CLIENT", "LIST"]);
        let text = String::from_utf8_lossy(&r).into_owned();
        let line = text
            .lines()
            .find(|l| !l.contains("cmd=client|list") && l.contains("id="))
            .expect("watcher line")
            .to_string();
        line.split(' ')
            .find_map(|f| f.strip_prefix(&format!("{}=", name)).map(str::to_string))
            .expect("field")
    };
    assert_eq!(field(&mut o, "multi"), "-1");
    assert_eq!(field(&mut o, "flags"), "N");
    w.cmd(&["MULTI"]);
    w.cmd(&["SET", "a", "b"]);
    assert_eq!(field(&mut o, "multi"), "1");
    assert_eq!(field(&mut o, "multi-mem"), "29");
    assert_eq!(field(&mut o, "flags"), "x");
    w.cmd(&["DISCARD"]);
    w.cmd(&["WATCH", "k"]);
    o.cmd(&["SET", "k", "1"]);
    assert_eq!(field(&mut o, "flags"), "d");
    w.cmd(&["MULTI"]);
    w.cmd(&["SET", "a", "b"]);
    // A dirty transaction stores nothing.
    assert_eq!(field(&mut o, "multi"), "0");
    assert_eq!(field(&mut o, "flags"), "xd");
    assert_eq!(w.cmd(&["EXEC"]), NULL_ARRAY);
    assert_eq!(field(&mut o, "flags"), "N");
    assert_eq!(field(&mut o, "multi-mem"), "0");
    // Inside EXEC the client is still in MULTI with its queue.
    w.cmd(&["MULTI"]);
    w.cmd(&["SET", "a", "b"]);
    w.cmd(&["CLIENT", "INFO"]);
    let r = String::from_utf8_lossy(&w.cmd(&["EXEC"])).into_owned();
    assert!(r.contains(" flags=x ") && r.contains(" multi=2 ") && r.contains(" multi-mem=55 "));
}

#[test]
fn client_pause_write_holds_exec_of_writes() {
    let Some(mut t) = Two::start("client_pause_write_holds_exec_of_writes") else {
        return;
    };
    t.check(W, &["MULTI"]);
    t.check(W, &["GET", "a"]);
    t.check(O, &["CLIENT", "PAUSE", "100000", "WRITE"]);
    // A read-only transaction runs; a write is held even when queued.
    t.check(W, &["EXEC"]);
    t.check(W, &["MULTI"]);
    t.check(W, &["GET", "a"]);
    let set = RawConn::encode(&[b"SET", b"a", b"1"]);
    let exec = RawConn::encode(&[b"EXEC"]);
    for conns in [&mut t.ours, &mut t.theirs] {
        conns[W].send(&set);
        let o = &mut conns[O];
        assert!(poll_until(Duration::from_secs(5), || {
            let r = o.cmd(&["CLIENT", "LIST"]);
            String::from_utf8_lossy(&r).contains("flags=xb ")
        }));
    }
    t.check(O, &["CLIENT", "UNPAUSE"]);
    let a = t.ours[W].read_reply();
    let b = t.theirs[W].read_reply();
    assert_eq!(a, b);
    t.check(O, &["CLIENT", "PAUSE", "100000", "WRITE"]);
    for conns in [&mut t.ours, &mut t.theirs] {
        conns[W].send(&exec);
        let o = &mut conns[O];
        assert!(poll_until(Duration::from_secs(5), || {
            let r = o.cmd(&["CLIENT", "LIST"]);
            String::from_utf8_lossy(&r).contains("flags=xb ")
        }));
    }
    t.check(O, &["CLIENT", "UNPAUSE"]);
    let a = t.ours[W].read_reply();
    let b = t.theirs[W].read_reply();
    assert_eq!(a, b);
    assert_eq!(a.as_deref(), Some(&b"*2\r\n$-1\r\n+OK\r\n"[..]));
}

#[test]
fn slowlog_records_queued_commands_not_exec() {
    let Some(d) = diff("slowlog_records_queued_commands_not_exec") else {
        return;
    };
    let mut args_per_server = Vec::new();
    for srv in [&d.ours, &d.theirs] {
        let mut c = srv.client();
        let cmds: &[&[&str]] = &[
            &["CONFIG", "SET", "slowlog-log-slower-than", "0"],
            &["SLOWLOG", "RESET"],
            &["MULTI"],
            &["SET", "a", "1"],
            &["GET", "a"],
            &["EXEC"],
        ];
        for args in cmds {
            let _: redis::Value = redis::cmd(args[0]).arg(&args[1..]).query(&mut c).unwrap();
        }
        let entries: Vec<Vec<String>> = redis::cmd("SLOWLOG")
            .arg("GET")
            .arg("-1")
            .query::<Vec<redis::Value>>(&mut c)
            .unwrap()
            .into_iter()
            .map(|e| {
                let redis::Value::Array(f) = e else {
                    panic!("entry");
                };
                let args: Vec<String> = redis::from_redis_value(f[3].clone()).unwrap();
                args
            })
            .collect();
        args_per_server.push(entries);
    }
    assert_eq!(args_per_server[0], args_per_server[1]);
    assert!(!args_per_server[0]
        .iter()
        .any(|e| e[0].eq_ignore_ascii_case("exec")));
    assert!(args_per_server[0].iter().any(|e| e == &["SET", "a", "1"]));
}
