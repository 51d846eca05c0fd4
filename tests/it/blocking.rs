//! Blocking list commands (blocked.c): serving, FIFO order, timeouts,
//! CLIENT UNBLOCK, disconnects, pipelines, INFO blocked_clients.

use std::time::Duration;

use crate::support::*;

#[test]
fn hundred_clients_served_in_order() {
    both("blocking_fifo", |s| {
        let mut conns: Vec<RawConn> = (0..100).map(|_| s.raw()).collect();
        for (i, c) in conns.iter_mut().enumerate() {
            c.send(&RawConn::encode(&[b"BLPOP", b"k", b"0"]));
            wait_blocked(s, i as i64 + 1);
        }
        let vals: Vec<String> = (0..100).map(|i| i.to_string()).collect();
        let mut args: Vec<&str> = vec!["RPUSH", "k"];
        args.extend(vals.iter().map(|v| v.as_str()));
        let mut out = vec![s.cmd(&args)];
        for c in conns.iter_mut() {
            out.push(c.read_reply().unwrap_or_default());
        }
        wait_blocked(s, 0);
        out.push(s.cmd(&["LLEN", "k"]));
        out
    });
}

#[test]
fn served_by_push_move_and_multi_keys() {
    both("blocking_serve", |s| {
        let mut out = Vec::new();
        let mut a = s.raw();
        let mut b = s.raw();
        let mut c = s.raw();
        a.send(&RawConn::encode(&[b"BRPOP", b"x", b"y", b"0"]));
        b.send(&RawConn::encode(&[
            b"BLMOVE", b"src", b"dst", b"LEFT", b"RIGHT", b"0",
        ]));
        c.send(&RawConn::encode(&[
            b"BLMPOP", b"0", b"2", b"dst", b"z", b"LEFT", b"COUNT", b"5",
        ]));
        wait_blocked(s, 3);
        out.push(s.cmd(&["RPUSH", "y", "1", "2"]));
        out.push(a.read_reply().unwrap_or_default());
        out.push(s.cmd(&["LPUSH", "src", "v"]));
        out.push(b.read_reply().unwrap_or_default());
        out.push(c.read_reply().unwrap_or_default());
        out.push(s.cmd(&["LRANGE", "y", "0", "-1"]));
        out.push(s.cmd(&["EXISTS", "src", "dst"]));
        out
    });
}

#[test]
fn timeouts_unblock_and_disconnect() {
    both("blocking_timeouts", |s| {
        let mut out = Vec::new();
        let mut a = s.raw();
        a.send(&RawConn::encode(&[b"BLPOP", b"k", b"0.05"]));
        out.push(a.read_reply().unwrap_or_default());
        a.send(&RawConn::encode(&[
            b"BLMOVE", b"k", b"d", b"LEFT", b"LEFT", b"0.05",
        ]));
        out.push(a.read_reply().unwrap_or_default());
        // CLIENT ID is not ours to rely on here: find the blocked client's id
        // by unblocking candidates (only the blocked one answers 1).
        a.send(&RawConn::encode(&[b"BLPOP", b"k", b"0"]));
        wait_blocked(s, 1);
        let id = (1..500)
            .map(|i| i.to_string())
            .find(|i| s.cmd(&["CLIENT", "UNBLOCK", i, "TIMEOUT"]) == b":1\r\n")
            .expect("blocked client id");
        out.push(a.read_reply().unwrap_or_default());
        a.send(&RawConn::encode(&[b"BRPOP", b"k", b"0"]));
        wait_blocked(s, 1);
        out.push(s.cmd(&["CLIENT", "UNBLOCK", &id, "ERROR"]));
        out.push(a.read_reply().unwrap_or_default());
        out.push(s.cmd(&["CLIENT", "UNBLOCK", &id]));
        out.push(s.cmd(&["CLIENT", "UNBLOCK", &id, "FOO"]));
        out.push(s.cmd(&["CLIENT", "UNBLOCK", "x"]));
        {
            let mut gone = s.raw();
            gone.send(&RawConn::encode(&[b"BLPOP", b"k", b"0"]));
            wait_blocked(s, 1);
        }
        wait_blocked(s, 0);
        out.push(s.cmd(&["RPUSH", "k", "survives"]));
        out.push(s.cmd(&["LRANGE", "k", "0", "-1"]));
        out
    });
}

#[test]
fn pipeline_after_block_and_wrong_type() {
    both("blocking_pipeline", |s| {
        let mut out = Vec::new();
        let mut a = s.raw();
        // The PING waits behind the blocked BLPOP and runs once it is served.
        let mut p = RawConn::encode(&[b"BLPOP", b"k", b"0"]);
        p.extend(RawConn::encode(&[b"PING"]));
        a.send(&p);
        wait_blocked(s, 1);
        // A string at the key does not serve a list waiter (7.0).
        out.push(s.cmd(&["SET", "k", "str"]));
        out.push(s.cmd(&["DEL", "k"]));
        // A push and a pop in one pipeline: the waiter is served first.
        let mut b = s.raw();
        let mut q = RawConn::encode(&[b"RPUSH", b"k", b"v1"]);
        q.extend(RawConn::encode(&[b"LPOP", b"k"]));
        b.send(&q);
        out.push(b.read_reply().unwrap_or_default());
        out.push(b.read_reply().unwrap_or_default());
        out.push(a.read_reply().unwrap_or_default());
        out.push(a.read_reply().unwrap_or_default());
        // Push then BLPOP in one pipeline from the same client.
        let mut r = RawConn::encode(&[b"LPUSH", b"m", b"x"]);
        r.extend(RawConn::encode(&[b"BLPOP", b"m", b"0"]));
        b.send(&r);
        out.push(b.read_reply().unwrap_or_default());
        out.push(b.read_reply().unwrap_or_default());
        // RENAME onto a waited key serves the waiter.
        a.send(&RawConn::encode(&[b"BLPOP", b"n", b"0"]));
        wait_blocked(s, 1);
        out.push(s.cmd(&["RPUSH", "tmp", "moved"]));
        out.push(s.cmd(&["RENAME", "tmp", "n"]));
        out.push(a.read_reply().unwrap_or_default());
        out
    });
}

#[test]
fn blocking_commands_inside_multi_do_not_block() {
    let Some(mut d) = Differential::start("blocking_multi", &[]) else {
        return;
    };
    let cmds: &[&[&str]] = &[
        &["MULTI"],
        &["BLPOP", "k", "0"],
        &["BLMOVE", "k", "d", "LEFT", "LEFT", "0"],
        &["BLMPOP", "0", "1", "k", "LEFT"],
        &["RPUSH", "k", "a"],
        &["BRPOP", "k", "0"],
        &["EXEC"],
    ];
    d.check_all(cmds);
}

#[test]
fn served_blocked_command_counts_one_call() {
    both("blocking_commandstats", |s| {
        let mut a = s.raw();
        a.send(&RawConn::encode(&[b"BLPOP", b"k", b"0"]));
        wait_blocked(s, 1);
        s.cmd(&["SET", "other", "x"]);
        s.cmd(&["DEL", "other"]);
        s.cmd(&["RPUSH", "k", "v"]);
        let mut out = vec![a.read_reply().unwrap_or_default()];
        let info = String::from_utf8_lossy(&s.cmd(&["INFO", "commandstats"])).into_owned();
        let calls = info
            .lines()
            .find(|l| l.starts_with("cmdstat_blpop:"))
            .and_then(|l| l.split(',').next())
            .unwrap_or("")
            .to_string();
        out.push(calls.into_bytes());
        out
    });
}

#[test]
fn wrong_type_rules_when_served() {
    both("blocking_wrongtype", |s| {
        let mut out = Vec::new();
        let mut a = s.raw();
        let mut b = s.raw();
        // BLMOVE whose destination became a string gets WRONGTYPE when served.
        a.send(&RawConn::encode(&[
            b"BLMOVE", b"src", b"dst", b"LEFT", b"LEFT", b"0",
        ]));
        // A list waiter ignores a sorted set created at its key.
        b.send(&RawConn::encode(&[b"BLPOP", b"zk", b"lk", b"0"]));
        wait_blocked(s, 2);
        out.push(s.cmd(&["SET", "dst", "str"]));
        out.push(s.cmd(&["RPUSH", "src", "v"]));
        out.push(a.read_reply().unwrap_or_default());
        out.push(s.cmd(&["LRANGE", "src", "0", "-1"]));
        out.push(s.cmd(&["ZADD", "zk", "1", "m"]));
        out.push(s.cmd(&["RPUSH", "lk", "x"]));
        out.push(b.read_reply().unwrap_or_default());
        out.push(s.cmd(&["EXISTS", "lk", "zk"]));
        out
    });
}

#[test]
fn chained_blmove_and_swapdb() {
    both("blocking_chain_swapdb", |s| {
        let mut out = Vec::new();
        let mut a = s.raw();
        let mut b = s.raw();
        let mut c = s.raw();
        a.send(&RawConn::encode(&[
            b"BLMOVE", b"l1", b"l2", b"RIGHT", b"LEFT", b"0",
        ]));
        wait_blocked(s, 1);
        b.send(&RawConn::encode(&[
            b"BLMOVE", b"l2", b"l3", b"RIGHT", b"LEFT", b"0",
        ]));
        wait_blocked(s, 2);
        out.push(s.cmd(&["RPUSH", "l1", "x"]));
        out.push(a.read_reply().unwrap_or_default());
        out.push(b.read_reply().unwrap_or_default());
        out.push(s.cmd(&["LRANGE", "l3", "0", "-1"]));
        // A waiter in db 0 is served when SWAPDB brings a list in.
        c.send(&RawConn::encode(&[b"BLPOP", b"w", b"0"]));
        wait_blocked(s, 1);
        let mut d = s.raw();
        out.push(d.cmd(&["SELECT", "1"]));
        out.push(d.cmd(&["RPUSH", "w", "from1"]));
        out.push(d.cmd(&["SWAPDB", "0", "1"]));
        out.push(c.read_reply().unwrap_or_default());
        out
    });
}

#[test]
fn served_blocking_commands_propagate_as_plain_pops() {
    both("blocking_aof", |s| {
        let mut a = s.raw();
        s.cmd(&["CONFIG", "SET", "appendonly", "yes"]);
        s.cmd(&["CONFIG", "SET", "appendfsync", "always"]);
        let aof = s.dir.path().join("appendonlydir/appendonly.aof.2.incr.aof");
        let alt = s.dir.path().join("appendonlydir/appendonly.aof.1.incr.aof");
        assert!(poll_until(Duration::from_secs(10), || aof.exists() || alt.exists()));
        a.send(&RawConn::encode(&[b"BLPOP", b"k", b"0"]));
        wait_blocked(s, 1);
        s.cmd(&["RPUSH", "k", "1", "2", "3", "4"]);
        a.read_reply();
        a.cmd(&["BLMPOP", "0", "1", "k", "RIGHT", "COUNT", "2"]);
        a.cmd(&["BLMOVE", "k", "d", "LEFT", "RIGHT", "0"]);
        a.cmd(&["RPUSH", "k", "5"]);
        a.cmd(&["BRPOPLPUSH", "k", "d", "0"]);
        a.cmd(&["LMPOP", "1", "d", "LEFT", "COUNT", "9"]);
        let path = if aof.exists() { aof } else { alt };
        let text = String::from_utf8_lossy(&std::fs::read(path).unwrap_or_default()).into_owned();
        // Everything after the first SELECT is the commands' replication form.
        let body = text
            .find("SELECT")
            .map(|i| text[i..].to_string())
            .unwrap_or(text);
        vec![body.into_bytes()]
    });
}

/// A client blocked on several keys is served from the key signalled first,
/// not from the first non-empty key in argument order (7.0 serves ready
/// keys in the order they were signalled, popping from that key), and a
/// blocked XREAD/XREADGROUP replies with that one stream.
#[test]
fn served_from_the_first_signalled_key() {
    both("blocking_signal_order", |s| {
        let mut out = Vec::new();
        let cases: [(&[&str], &[&[&str]]); 6] = [
            (
                &["BLPOP", "l1", "l2", "0"],
                &[&["RPUSH", "l2", "b"], &["RPUSH", "l1", "a"]],
            ),
            (
                &["BLMPOP", "0", "2", "l1", "l2", "RIGHT", "COUNT", "2"],
                &[&["RPUSH", "l2", "b", "c"], &["RPUSH", "l1", "a"]],
            ),
            (
                &["BZPOPMAX", "z1", "z2", "0"],
                &[&["ZADD", "z2", "1", "b"], &["ZADD", "z1", "1", "a"]],
            ),
            (
                &["BZMPOP", "0", "2", "z1", "z2", "MIN"],
                &[&["ZADD", "z2", "1", "b"], &["ZADD", "z1", "1", "a"]],
            ),
            (
                &["XREAD", "BLOCK", "0", "STREAMS", "s1", "s2", "$", "$"],
                &[
                    &["XADD", "s2", "1-1", "b", "2"],
                    &["XADD", "s1", "1-1", "a", "1"],
                ],
            ),
            (
                &[
                    "XREADGROUP",
                    "GROUP",
                    "g",
                    "c",
                    "BLOCK",
                    "0",
                    "STREAMS",
                    "s1",
                    "s2",
                    ">",
                    ">",
                ],
                &[
                    &["XADD", "s2", "2-1", "b", "2"],
                    &["XADD", "s1", "2-1", "a", "1"],
                ],
            ),
        ];
        for (block, writes) in cases {
            out.push(s.cmd(&["DEL", "l1", "l2", "z1", "z2"]));
            if block[0] == "XREADGROUP" {
                out.push(s.cmd(&["XGROUP", "CREATE", "s1", "g", "$"]));
                out.push(s.cmd(&["XGROUP", "CREATE", "s2", "g", "$"]));
            }
            let mut a = s.raw();
            let args: Vec<&[u8]> = block.iter().map(|x| x.as_bytes()).collect();
            a.send(&RawConn::encode(&args));
            wait_blocked(s, 1);
            let mut b = s.raw();
            out.push(b.cmd(&["MULTI"]));
            for w in writes {
                out.push(b.cmd(w));
            }
            out.push(b.cmd(&["EXEC"]));
            out.push(a.read_reply().unwrap_or_default());
            out.push(s.cmd(&["LRANGE", "l1", "0", "-1"]));
            out.push(s.cmd(&["ZRANGE", "z1", "0", "-1"]));
        }
        out
    });
}
