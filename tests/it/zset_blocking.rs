//! Blocking sorted-set pops (t_zset.c `blockingGenericZpopCommand`,
//! blocked.c `serveClientsBlockedOnSortedSetKey`): BZPOPMIN, BZPOPMAX and
//! BZMPOP against redis-server, on both protocols.

use std::time::Duration;

use crate::support::*;

fn enc(args: &[&str]) -> Vec<u8> {
    let b: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    RawConn::encode(&b)
}

fn read(c: &mut RawConn) -> Vec<u8> {
    c.read_reply().unwrap_or_default()
}

/// Each blocking pop served by a ZADD, in RESP2 and RESP3.
#[test]
fn served_by_zadd_resp2_and_resp3() {
    both("zset_blocking_serve", |s| {
        let mut out = Vec::new();
        for proto in ["2", "3"] {
            let mut a = s.raw();
            let mut b = s.raw();
            let mut c = s.raw();
            for x in [&mut a, &mut b, &mut c] {
                x.cmd(&["HELLO", proto]);
            }
            a.send(&enc(&["BZPOPMIN", "z1", "z2", "0"]));
            b.send(&enc(&["BZPOPMAX", "z2", "0"]));
            c.send(&enc(&["BZMPOP", "0", "2", "z3", "z1", "MAX", "COUNT", "5"]));
            wait_blocked(s, 3);
            out.push(s.cmd(&["ZADD", "z2", "1.5", "a", "2", "b", "3", "c"]));
            out.push(read(&mut a));
            out.push(read(&mut b));
            out.push(s.cmd(&["ZADD", "z1", "1", "x", "2", "y", "-inf", "w"]));
            out.push(read(&mut c));
            out.push(s.cmd(&["ZRANGE", "z2", "0", "-1", "WITHSCORES"]));
            out.push(s.cmd(&["EXISTS", "z1"]));
            // With data present the pops answer at once.
            out.push(a.cmd(&["BZMPOP", "0", "1", "z2", "MIN"]));
            out.push(s.cmd(&["ZADD", "z2", "7", "p", "8", "q"]));
            out.push(a.cmd(&["BZPOPMAX", "nokey", "z2", "0"]));
            s.cmd(&["FLUSHALL"]);
        }
        out
    });
}

#[test]
fn hundred_clients_served_in_order() {
    both("zset_blocking_fifo", |s| {
        let mut conns: Vec<RawConn> = (0..100).map(|_| s.raw()).collect();
        for (i, c) in conns.iter_mut().enumerate() {
            let cmd = if i % 2 == 0 { "BZPOPMIN" } else { "BZPOPMAX" };
            c.send(&enc(&[cmd, "z", "0"]));
            wait_blocked(s, i as i64 + 1);
        }
        let mut args: Vec<String> = vec!["ZADD".into(), "z".into()];
        for i in 0..100 {
            args.push(i.to_string());
            args.push(format!("m{}", i));
        }
        let args: Vec<&str> = args.iter().map(|a| a.as_str()).collect();
        let mut out = vec![s.cmd(&args)];
        for c in conns.iter_mut() {
            out.push(read(c));
        }
        wait_blocked(s, 0);
        out.push(s.cmd(&["ZCARD", "z"]));
        out
    });
}

#[test]
fn timeouts_and_their_errors() {
    let Some(mut d) = Differential::start("zset_blocking_timeout_errors", &[]) else {
        return;
    };
    d.check_all(&[
        &["BZPOPMIN", "z", "abc"],
        &["BZPOPMIN", "z", "-1"],
        &["BZPOPMAX", "z", "1e30"],
        &["BZPOPMAX", "z", "-0.002"],
        &["BZPOPMAX", "z", "0x"],
        &["BZPOPMIN", "z", "inf"],
        &["BZPOPMIN", "z", "nan"],
        &["BZMPOP", "abc", "1", "z", "MIN"],
        &["BZMPOP", "-1", "1", "z", "MAX"],
        &["BZMPOP", "abc", "0", "z", "MIN"],
        &["BZMPOP", "abc", "1", "z", "FOO"],
        &["BZMPOP", "abc", "1", "z", "MIN", "COUNT", "0"],
        &["BZMPOP", "0", "2", "z", "MIN"],
        &["SET", "s", "x"],
        &["BZPOPMIN", "s", "z", "0"],
        &["BZMPOP", "0", "2", "z", "s", "MAX"],
        &["ZADD", "z", "1", "a"],
        &["BZPOPMIN", "z", "s", "0"],
    ]);
    both("zset_blocking_timeouts", |s| {
        let mut out = Vec::new();
        let mut a = s.raw();
        out.push(a.cmd(&["BZPOPMIN", "k", "0.05"]));
        out.push(a.cmd(&["BZPOPMAX", "k", "k2", "0.01"]));
        out.push(a.cmd(&["BZMPOP", "0.02", "1", "k", "MIN", "COUNT", "3"]));
        a.cmd(&["HELLO", "3"]);
        out.push(a.cmd(&["BZPOPMIN", "k", "0.01"]));
        out.push(a.cmd(&["BZMPOP", "0.01", "1", "k", "MAX"]));
        // -0.001 s rounds up to 0 ms in long double: it blocks forever.
        a.send(&enc(&["BZPOPMIN", "k", "-0.001"]));
        wait_blocked(s, 1);
        out.push(s.cmd(&["ZADD", "k", "1", "m"]));
        out.push(read(&mut a));
        out
    });
}

#[test]
fn client_unblock_and_disconnect() {
    both("zset_blocking_unblock", |s| {
        let mut out = Vec::new();
        let mut a = s.raw();
        let id = String::from_utf8_lossy(&a.cmd(&["CLIENT", "ID"]))
            .trim_start_matches(':')
            .trim()
            .to_string();
        a.send(&enc(&["BZPOPMIN", "k", "0"]));
        wait_blocked(s, 1);
        out.push(s.cmd(&["CLIENT", "UNBLOCK", &id, "TIMEOUT"]));
        out.push(read(&mut a));
        a.send(&enc(&["BZMPOP", "0", "1", "k", "MIN"]));
        wait_blocked(s, 1);
        out.push(s.cmd(&["CLIENT", "UNBLOCK", &id, "ERROR"]));
        out.push(read(&mut a));
        a.send(&enc(&["BZPOPMAX", "k", "100"]));
        wait_blocked(s, 1);
        out.push(s.cmd(&["CLIENT", "UNBLOCK", &id]));
        out.push(read(&mut a));
        {
            let mut gone = s.raw();
            gone.send(&enc(&["BZPOPMIN", "k", "0"]));
            wait_blocked(s, 1);
        }
        wait_blocked(s, 0);
        out.push(s.cmd(&["ZADD", "k", "1", "survives"]));
        out.push(s.cmd(&["ZRANGE", "k", "0", "-1"]));
        out
    });
}

#[test]
fn blocking_pops_inside_multi_do_not_block() {
    both("zset_blocking_multi", |s| {
        let mut out = Vec::new();
        for proto in ["2", "3"] {
            let mut a = s.raw();
            a.cmd(&["HELLO", proto]);
            let cmds: &[&[&str]] = &[
                &["MULTI"],
                &["BZPOPMIN", "z", "0"],
                &["BZPOPMAX", "z", "y", "0"],
                &["BZMPOP", "0", "1", "z", "MIN", "COUNT", "2"],
                &["ZADD", "z", "1", "a", "2", "b"],
                &["BZPOPMAX", "z", "0"],
                &["BZMPOP", "0", "1", "z", "MIN", "COUNT", "2"],
                &["EXEC"],
            ];
            for c in cmds {
                out.push(a.cmd(c));
            }
        }
        out
    });
}

/// A zset waiter ignores a list (and a string) at its key; a list waiter
/// ignores a sorted set. Both stay blocked until their own type arrives.
#[test]
fn waiters_ignore_keys_of_another_type() {
    both("zset_blocking_types", |s| {
        let mut out = Vec::new();
        let mut a = s.raw();
        let mut b = s.raw();
        a.send(&enc(&["BZPOPMIN", "k", "z", "0"]));
        b.send(&enc(&["BLPOP", "z", "0"]));
        wait_blocked(s, 2);
        out.push(s.cmd(&["RPUSH", "k", "l"]));
        out.push(s.cmd(&["SET", "z", "str"]));
        out.push(s.cmd(&["DEL", "z"]));
        out.push(s.cmd(&["ZADD", "z", "1", "m"]));
        out.push(read(&mut a));
        out.push(s.cmd(&["RPUSH", "z", "v"]));
        out.push(read(&mut b));
        out.push(s.cmd(&["EXISTS", "k", "z"]));
        // BZMPOP too, with a pipelined command waiting behind it.
        out.push(s.cmd(&["DEL", "k"]));
        let mut p = enc(&["BZMPOP", "0", "1", "k", "MAX"]);
        p.extend(enc(&["PING"]));
        a.send(&p);
        wait_blocked(s, 1);
        out.push(s.cmd(&["RPUSH", "k", "l2"]));
        out.push(s.cmd(&["RENAME", "k", "other"]));
        out.push(s.cmd(&["ZADD", "tmp", "3", "three"]));
        out.push(s.cmd(&["RENAME", "tmp", "k"]));
        out.push(read(&mut a));
        out.push(read(&mut a));
        out
    });
}

#[test]
fn served_blocked_pop_counts_one_call_and_fires_events() {
    both("zset_blocking_stats_events", |s| {
        s.cmd(&["CONFIG", "SET", "notify-keyspace-events", "KEA"]);
        let mut sub = s.raw();
        sub.cmd(&["PSUBSCRIBE", "__keyevent@0__:*"]);
        let mut a = s.raw();
        a.send(&enc(&["BZPOPMIN", "z", "0"]));
        wait_blocked(s, 1);
        s.cmd(&["ZADD", "z", "1", "a", "2", "b"]);
        let mut out = vec![read(&mut a)];
        a.send(&enc(&["BZMPOP", "0", "1", "q", "MAX", "COUNT", "3"]));
        wait_blocked(s, 1);
        s.cmd(&["ZADD", "q", "5", "e"]);
        out.push(read(&mut a));
        // zadd, zpopmin; zadd, zpopmax, del.
        for _ in 0..5 {
            out.push(read(&mut sub));
        }
        let info = String::from_utf8_lossy(&s.cmd(&["INFO", "commandstats"])).into_owned();
        for name in ["bzpopmin", "bzmpop"] {
            let calls = info
                .lines()
                .find(|l| l.starts_with(&format!("cmdstat_{}:", name)))
                .and_then(|l| l.split(',').next())
                .unwrap_or("")
                .to_string();
            out.push(calls.into_bytes());
        }
        out
    });
}

#[test]
fn served_blocked_pops_propagate_as_zpop() {
    both("zset_blocking_aof", |s| {
        let mut a = s.raw();
        s.cmd(&["CONFIG", "SET", "appendonly", "yes"]);
        s.cmd(&["CONFIG", "SET", "appendfsync", "always"]);
        let aof = s.dir.path().join("appendonlydir/appendonly.aof.2.incr.aof");
        let alt = s.dir.path().join("appendonlydir/appendonly.aof.1.incr.aof");
        assert!(poll_until(Duration::from_secs(10), || aof.exists() || alt.exists()));
        a.send(&enc(&["BZPOPMAX", "z", "0"]));
        wait_blocked(s, 1);
        s.cmd(&["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"]);
        read(&mut a);
        a.send(&enc(&["BZMPOP", "0", "1", "y", "MIN", "COUNT", "10"]));
        wait_blocked(s, 1);
        s.cmd(&["ZADD", "y", "1", "a", "2", "b"]);
        read(&mut a);
        a.cmd(&["BZMPOP", "0", "1", "z", "MIN", "COUNT", "2"]);
        a.cmd(&["BZPOPMIN", "z", "0"]);
        a.cmd(&["ZMPOP", "1", "z", "MIN", "COUNT", "9"]);
        let path = if aof.exists() { aof } else { alt };
        let text = String::from_utf8_lossy(&std::fs::read(path).unwrap_or_default()).into_owned();
        let body = text
            .find("SELECT")
            .map(|i| text[i..].to_string())
            .unwrap_or(text);
        vec![body.into_bytes()]
    });
}
