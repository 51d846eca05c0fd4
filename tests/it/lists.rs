//! List commands (t_list.c) against redis-server: every command, option and
//! error, encodings, compression, packed threshold, digests, hostile input.

use crate::support::*;

fn diff(name: &str, extra: &[&str]) -> Option<Differential> {
    let mut args = vec!["--enable-debug-command", "yes"];
    args.extend_from_slice(extra);
    Differential::start(name, &args)
}

#[test]
fn push_pop_range_basics() {
    let Some(mut d) = diff("list_push_pop", &[]) else {
        return;
    };
    let cmds: &[&[&str]] = &[
        &["RPUSH", "l", "a", "b", "c", "1", "2", "-3", "0", "007"],
        &["LPUSH", "l", "x", "y"],
        &["LPUSHX", "nokey", "a"],
        &["RPUSHX", "nokey", "a"],
        &["RPUSHX", "l", "z"],
        &["LPUSHX", "l", "w", "v"],
        &["LLEN", "l"],
        &["LLEN", "nokey"],
        &["LRANGE", "l", "0", "-1"],
        &["LRANGE", "l", "-3", "-1"],
        &["LRANGE", "l", "5", "2"],
        &["LRANGE", "l", "-100", "100"],
        &["LRANGE", "l", "-9223372036854775808", "9223372036854775807"],
        &["LRANGE", "l", "x", "1"],
        &["LRANGE", "nokey", "0", "-1"],
        &["LINDEX", "l", "0"],
        &["LINDEX", "l", "-1"],
        &["LINDEX", "l", "100"],
        &["LINDEX", "l", "x"],
        &["LINDEX", "nokey", "x"],
        &["LPOP", "l"],
        &["RPOP", "l"],
        &["LPOP", "l", "2"],
        &["RPOP", "l", "3"],
        &["LPOP", "l", "0"],
        &["LPOP", "l", "-1"],
        &["LPOP", "l", "x"],
        &["LPOP", "l", "1", "2"],
        &["LPOP", "nokey"],
        &["LPOP", "nokey", "0"],
        &["RPOP", "nokey", "3"],
        &["RPOP", "l", "100"],
        &["EXISTS", "l"],
        &["RPOP", "l"],
        &["SET", "s", "v"],
        &["LPUSH", "s", "a"],
        &["LPUSHX", "s", "a"],
        &["LLEN", "s"],
        &["LRANGE", "s", "0", "1"],
        &["LINDEX", "s", "0"],
        &["LPOP", "s"],
        &["RPOP", "s", "2"],
        &["LPUSH", "l"],
        &["OBJECT", "ENCODING", "s"],
    ];
    d.check_all(cmds);
}

#[test]
fn insert_set_trim_rem() {
    let Some(mut d) = diff("list_insert_set_trim_rem", &[]) else {
        return;
    };
    let cmds: &[&[&str]] = &[
        &["RPUSH", "l", "a", "b", "a", "c", "a", "1", "01"],
        &["LINSERT", "l", "BEFORE", "b", "x"],
        &["LINSERT", "l", "after", "c", "y"],
        &["LINSERT", "l", "after", "1", "2"],
        &["LINSERT", "l", "after", "nope", "y"],
        &["LINSERT", "l", "middle", "c", "y"],
        &["LINSERT", "nokey", "before", "c", "y"],
        &["LINSERT", "nokey", "foo", "c", "y"],
        &["LRANGE", "l", "0", "-1"],
        &["LSET", "l", "0", "first"],
        &["LSET", "l", "-1", "last"],
        &["LSET", "l", "100", "z"],
        &["LSET", "l", "x", "z"],
        &["LSET", "nokey", "0", "z"],
        &["LREM", "l", "1", "a"],
        &["LREM", "l", "-1", "a"],
        &["LRANGE", "l", "0", "-1"],
        &["LREM", "l", "0", "a"],
        &["LREM", "l", "0", "zzz"],
        &["LREM", "l", "x", "a"],
        &["LREM", "nokey", "0", "a"],
        &["LTRIM", "l", "1", "-2"],
        &["LRANGE", "l", "0", "-1"],
        &["LTRIM", "l", "0", "x"],
        &["LTRIM", "nokey", "0", "1"],
        &["LTRIM", "l", "5", "1"],
        &["EXISTS", "l"],
        &["RPUSH", "m", "1", "2", "3"],
        &["LREM", "m", "0", "2"],
        &["LREM", "m", "-2", "1"],
        &["LREM", "m", "5", "3"],
        &["EXISTS", "m"],
        &["SET", "s", "v"],
        &["LINSERT", "s", "before", "a", "b"],
        &["LSET", "s", "0", "a"],
        &["LTRIM", "s", "0", "1"],
        &["LREM", "s", "0", "a"],
    ];
    d.check_all(cmds);
}

#[test]
fn lpos_options_and_hostile_input() {
    let Some(mut d) = diff("list_lpos", &[]) else {
        return;
    };
    d.check(&["RPUSH", "l", "a", "b", "c", "1", "2", "3", "c", "c", "1"]);
    let cmds: &[&[&str]] = &[
        &["LPOS", "l", "c"],
        &["LPOS", "l", "1"],
        &["LPOS", "l", "c", "RANK", "2"],
        &["LPOS", "l", "c", "RANK", "-1"],
        &["LPOS", "l", "c", "RANK", "-3"],
        &["LPOS", "l", "c", "RANK", "-4"],
        &["LPOS", "l", "c", "COUNT", "0"],
        &["LPOS", "l", "c", "COUNT", "2"],
        &["LPOS", "l", "c", "COUNT", "0", "RANK", "-1"],
        &["LPOS", "l", "c", "COUNT", "0", "MAXLEN", "7"],
        &["LPOS", "l", "c", "MAXLEN", "2"],
        &["LPOS", "l", "c", "RANK", "-1", "MAXLEN", "2"],
        &["LPOS", "l", "zz"],
        &["LPOS", "l", "zz", "COUNT", "3"],
        &["LPOS", "l", "c", "RANK", "0"],
        &["LPOS", "l", "c", "RANK", "-9223372036854775808"],
        &["LPOS", "l", "c", "RANK", "9223372036854775807"],
        &["LPOS", "l", "c", "RANK", "-9223372036854775807"],
        &["LPOS", "l", "c", "COUNT", "9223372036854775807"],
        &[
            "LPOS",
            "l",
            "c",
            "COUNT",
            "9223372036854775807",
            "RANK",
            "-9223372036854775808",
        ],
        &["LPOS", "l", "c", "MAXLEN", "9223372036854775807"],
        &["LPOS", "l", "c", "RANK", "x"],
        &["LPOS", "l", "c", "COUNT", "-1"],
        &["LPOS", "l", "c", "COUNT", "x"],
        &["LPOS", "l", "c", "MAXLEN", "-1"],
        &["LPOS", "l", "c", "MAXLEN", "x"],
        &["LPOS", "l", "c", "FOO"],
        &["LPOS", "l", "c", "RANK"],
        &["LPOS", "nokey", "c"],
        &["LPOS", "nokey", "c", "COUNT", "0"],
        &["SET", "s", "v"],
        &["LPOS", "s", "c"],
        &["LPOS", "s", "c", "RANK", "0"],
    ];
    d.check_all(cmds);
}

#[test]
fn lmove_rpoplpush_lmpop() {
    let Some(mut d) = diff("list_lmove_lmpop", &[]) else {
        return;
    };
    let cmds: &[&[&str]] = &[
        &["RPUSH", "a", "1", "2", "3"],
        &["LMOVE", "a", "b", "LEFT", "RIGHT"],
        &["LMOVE", "a", "b", "right", "left"],
        &["LMOVE", "a", "a", "left", "right"],
        &["LRANGE", "a", "0", "-1"],
        &["LRANGE", "b", "0", "-1"],
        &["RPOPLPUSH", "a", "b"],
        &["EXISTS", "a"],
        &["RPOPLPUSH", "a", "b"],
        &["LMOVE", "a", "b", "up", "left"],
        &["LMOVE", "a", "b", "left", "down"],
        &["SET", "s", "x"],
        &["LMOVE", "b", "s", "left", "left"],
        &["LMOVE", "s", "b", "left", "left"],
        &["RPOPLPUSH", "b", "s"],
        &["LLEN", "b"],
        &["RPUSH", "one", "x"],
        &["RPOPLPUSH", "one", "one"],
        &["LRANGE", "one", "0", "-1"],
        &["LMPOP", "2", "nokey", "b", "LEFT"],
        &["LMPOP", "2", "nokey", "b", "RIGHT", "COUNT", "10"],
        &["LMPOP", "1", "b", "LEFT"],
        &["RPUSH", "c", "1", "2", "3", "4"],
        &["LMPOP", "1", "c", "left", "count", "2"],
        &["LMPOP", "0", "c", "left"],
        &["LMPOP", "-1", "c", "left"],
        &["LMPOP", "x", "c", "left"],
        &["LMPOP", "1", "c"],
        &["LMPOP", "1", "c", "middle"],
        &["LMPOP", "1", "c", "left", "count"],
        &["LMPOP", "1", "c", "left", "count", "0"],
        &["LMPOP", "1", "c", "left", "count", "-1"],
        &["LMPOP", "1", "c", "left", "count", "x"],
        &["LMPOP", "1", "c", "left", "count", "1", "count", "1"],
        &["LMPOP", "1", "c", "left", "foo"],
        &["LMPOP", "9223372036854775807", "c", "left"],
        &["LMPOP", "3", "c", "left"],
        &["LMPOP", "2", "s", "c", "left"],
        &["LMPOP", "2", "c", "s", "left"],
        &["LMPOP", "1", "c", "left", "count", "9223372036854775807"],
        &["LMPOP", "1", "c", "left"],
        &["BLMPOP", "0", "2", "nokey", "s", "left"],
        &["BLPOP", "nokey", "s", "0"],
    ];
    d.check_all(cmds);
}

#[test]
fn nonblocking_paths_of_blocking_commands() {
    let Some(mut d) = diff("list_blocking_nonblocking", &[]) else {
        return;
    };
    let cmds: &[&[&str]] = &[
        &["RPUSH", "a", "1", "2", "3"],
        &["BLPOP", "nokey", "a", "0"],
        &["BRPOP", "a", "nokey", "0"],
        &["BLMOVE", "a", "b", "left", "left", "0"],
        &["BRPOPLPUSH", "b", "a", "0"],
        &["BLMPOP", "0", "1", "a", "right", "count", "5"],
        &["EXISTS", "a"],
        &["BLPOP", "nokey", "-1"],
        &["BLPOP", "nokey", "x"],
        &["BLPOP", "nokey", "inf"],
        &["BLPOP", "nokey", "1e30"],
        &["BLPOP", "nokey", "nan"],
        &["BLPOP", "nokey", ""],
        &["BLMOVE", "nokey", "b", "left", "left", "-1"],
        &["BLMOVE", "nokey", "b", "foo", "left", "0"],
        &["BRPOPLPUSH", "nokey", "b", "x"],
        &["BLMPOP", "x", "1", "a", "left"],
        &["BLMPOP", "0", "0", "a", "left"],
        &["BLMPOP", "-1", "1", "a", "left"],
        &["BLMPOP", "0", "1", "a", "left", "count", "0"],
        &["BLPOP", "nokey", "0.01"],
        &["BRPOP", "nokey", "0.001"],
        &["BLMOVE", "nokey", "b", "left", "left", "0.01"],
        &["BRPOPLPUSH", "nokey", "b", "0.01"],
        &["BLMPOP", "0.01", "1", "nokey", "left"],
        &["BLPOP", "nokey", "1e-5"],
        &["SET", "s", "x"],
        &["BLMOVE", "s", "b", "left", "left", "0"],
        &["RPUSH", "q", "1"],
        &["BLMOVE", "q", "s", "left", "left", "0"],
        &["LLEN", "q"],
    ];
    d.check_all(cmds);
}

#[test]
fn compression_fill_and_packed_threshold() {
    for (fill, depth) in [("-2", "0"), ("4", "1"), ("-1", "2"), ("1", "0")] {
        let Some(mut d) = diff(
            "list_compression",
            &[
                "--list-max-listpack-size",
                fill,
                "--list-compress-depth",
                depth,
            ],
        ) else {
            return;
        };
        let big = "x".repeat(300);
        for i in 0..200 {
            let v = format!("{}{}", big, i);
            d.check(&["RPUSH", "l", &v]);
            d.check(&["LPUSH", "l", &i.to_string()]);
        }
        d.check(&["OBJECT", "ENCODING", "l"]);
        d.check(&["LINSERT", "l", "BEFORE", "50", "ins"]);
        d.check(&["LSET", "l", "100", "changed"]);
        d.check(&["LREM", "l", "0", "7"]);
        d.check(&["LTRIM", "l", "3", "-4"]);
        d.check(&["LRANGE", "l", "0", "-1"]);
        d.check(&["LINDEX", "l", "150"]);
        d.check(&["DEBUG", "DIGEST-VALUE", "l"]);
        d.check(&["DEBUG", "DIGEST"]);
        d.check(&["LPOS", "l", "ins"]);
    }
    let Some(mut d) = diff("list_packed_threshold", &[]) else {
        return;
    };
    d.check(&["DEBUG", "QUICKLIST-PACKED-THRESHOLD", "100"]);
    let big = "y".repeat(150);
    d.check(&["RPUSH", "p", "a", &big, "b", &big]);
    d.check(&["LINSERT", "p", "AFTER", "a", &big]);
    d.check(&["LSET", "p", "0", &big]);
    d.check(&["LRANGE", "p", "0", "-1"]);
    d.check(&["LREM", "p", "1", &big]);
    d.check(&["LPOP", "p", "2"]);
    d.check(&["DEBUG", "DIGEST-VALUE", "p"]);
    d.check(&["OBJECT", "ENCODING", "p"]);
}

#[test]
fn random_workload_digest_matches() {
    let Some(mut d) = diff("list_random", &["--list-max-listpack-size", "3"]) else {
        return;
    };
    let mut x: u64 = 0x1234_5678;
    let mut rnd = |n: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    };
    for _ in 0..600 {
        let k = format!("k{}", rnd(3));
        let v = rnd(20).to_string();
        let i = (rnd(12) as i64 - 6).to_string();
        let c: Vec<String> = match rnd(10) {
            0 => vec!["LPUSH".into(), k, v],
            1 => vec!["RPUSH".into(), k, v.clone(), v],
            2 => vec!["LPOP".into(), k],
            3 => vec!["RPOP".into(), k, "2".into()],
            4 => vec!["LINSERT".into(), k, "BEFORE".into(), v, "ins".into()],
            5 => vec!["LREM".into(), k, i, v],
            6 => vec!["LTRIM".into(), k, "1".into(), i],
            7 => vec!["LSET".into(), k, i, v],
            8 => vec![
                "LMOVE".into(),
                k,
                format!("k{}", rnd(3)),
                "LEFT".into(),
                "RIGHT".into(),
            ],
            _ => vec!["LRANGE".into(), k, "0".into(), "-1".into()],
        };
        let args: Vec<&str> = c.iter().map(|s| s.as_str()).collect();
        d.check(&args);
    }
    d.check(&["DEBUG", "DIGEST"]);
}

/// The quicklist part of DEBUG OBJECT (from " ql_nodes") on both servers.
fn ql_fields(s: &Server, key: &str) -> String {
    let r = String::from_utf8_lossy(&s.cmd(&["DEBUG", "OBJECT", key])).into_owned();
    r.find(" ql_nodes").map(|i| r[i..].to_string()).unwrap_or(r)
}

#[test]
fn debug_object_quicklist_fields() {
    for (fill, depth) in [("-2", "0"), ("3", "1")] {
        let Some(mut d) = diff(
            "list_debug_object",
            &[
                "--list-max-listpack-size",
                fill,
                "--list-compress-depth",
                depth,
            ],
        ) else {
            return;
        };
        for i in 0..50 {
            d.check(&["RPUSH", "l", &format!("element-{}", i)]);
            if i % 7 == 0 {
                assert_eq!(ql_fields(&d.ours, "l"), ql_fields(&d.theirs, "l"));
            }
        }
        d.check(&["LTRIM", "l", "5", "-5"]);
        assert_eq!(ql_fields(&d.ours, "l"), ql_fields(&d.theirs, "l"));
    }
}

#[test]
fn resp3_replies() {
    if !have_redis("list_resp3") {
        return;
    }
    let ours = Server::start(&[]);
    let theirs = Server::start_redis(&[]);
    let run = |s: &Server| {
        let mut c = s.raw();
        c.cmd(&["HELLO", "3"]);
        let cmds: &[&[&str]] = &[
            &["LPOP", "nokey"],
            &["LPOP", "nokey", "2"],
            &["LINDEX", "nokey", "0"],
            &["LPOS", "nokey", "a"],
            &["LMPOP", "1", "nokey", "LEFT"],
            &["BLPOP", "nokey", "0.01"],
            &["BLMOVE", "nokey", "d", "LEFT", "LEFT", "0.01"],
            &["RPUSH", "l", "a"],
            &["BLMPOP", "0", "1", "l", "LEFT"],
        ];
        cmds.iter()
            .map(|a| String::from_utf8_lossy(&c.cmd(a)).into_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(run(&ours), run(&theirs));
}

#[test]
fn keyspace_events_of_list_commands() {
    if !have_redis("list_events") {
        return;
    }
    let run = |s: &Server| {
        let mut sub = s.raw();
        sub.cmd(&["CONFIG", "SET", "notify-keyspace-events", "KEA"]);
        sub.cmd(&["PSUBSCRIBE", "__key*__:*"]);
        let cmds: &[&[&str]] = &[
            &["RPUSH", "l", "a", "b", "c", "d"],
            &["LPUSHX", "l", "z"],
            &["LINSERT", "l", "BEFORE", "b", "x"],
            &["LSET", "l", "0", "y"],
            &["LREM", "l", "0", "x"],
            &["LTRIM", "l", "0", "2"],
            &["LMOVE", "l", "m", "LEFT", "RIGHT"],
            &["RPOPLPUSH", "l", "l"],
            &["LPOP", "l", "2"],
            &["LMPOP", "1", "m", "RIGHT"],
            &["RPUSH", "s", "3", "1", "2"],
            &["SORT", "s", "STORE", "t"],
            &["SORT", "nokey", "STORE", "t"],
            &["BLPOP", "s", "0"],
            &["PING"],
        ];
        let c = s.raw();
        let mut c = c;
        for a in cmds {
            c.cmd(a);
        }
        // Read events until the marker PING's absence: events for the last
        // write (BLPOP on s) are the final ones we expect.
        let mut events = Vec::new();
        for _ in 0..200 {
            match sub.read_reply() {
                Some(r) => {
                    let t = String::from_utf8_lossy(&r).into_owned();
                    let done = t.contains("__keyevent@0__:lpop") && t.contains("\r\ns\r\n");
                    events.push(t);
                    if done {
                        break;
                    }
                }
                None => break,
            }
        }
        events
    };
    let ours = Server::start(&[]);
    let theirs = Server::start_redis(&[]);
    let a = run(&ours);
    assert!(a.len() > 20, "too few events: {:?}", a);
    assert_eq!(a, run(&theirs));
}
