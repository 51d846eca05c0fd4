//! Streams (t_stream.c): XADD, XRANGE, XREVRANGE, XLEN, XDEL, XTRIM, XSETID
//! and XREAD, byte-compared with redis-server, plus blocking XREAD,
//! propagation and keyspace events. IDs are explicit wherever a reply is
//! compared; `*` is checked structurally.

use std::time::Duration;

use crate::support::*;

fn enc(args: &[&str]) -> Vec<u8> {
    let b: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    RawConn::encode(&b)
}

fn read(c: &mut RawConn) -> Vec<u8> {
    c.read_reply().unwrap_or_default()
}

/// A connection to each server speaking `proto`, compared reply by reply.
struct Pair(RawConn, RawConn);

impl Pair {
    fn new(d: &Differential, proto: &str) -> Pair {
        let mut p = Pair(d.ours.raw(), d.theirs.raw());
        p.0.cmd(&["HELLO", proto]);
        p.1.cmd(&["HELLO", proto]);
        p
    }

    fn check_all(&mut self, cmds: &[&[&str]]) {
        for c in cmds {
            let (a, b) = (self.0.cmd(c), self.1.cmd(c));
            assert!(
                a == b,
                "replies differ for {c:?}\n  ferrodis: {}\n  redis:    {}",
                a.escape_ascii(),
                b.escape_ascii()
            );
        }
    }
}

fn fill(d: &mut Differential, key: &str, n: usize) {
    for i in 1..=n {
        let id = format!("{}-{}", i / 3 + 1, i % 3);
        let v = i.to_string();
        d.check(&["XADD", key, &id, "f", &v, "g", "x"]);
    }
}

#[test]
fn xadd_ids_options_and_errors() {
    let Some(mut d) = Differential::start("streams_xadd", &[]) else {
        return;
    };
    d.check_all(&[
        &["XADD", "s", "1-1", "a", "1", "b", "2"],
        &["XADD", "s", "1-2", "a", "3", "b", "4"],
        &["XADD", "s", "1-*", "a", "5"],
        &["XADD", "s", "2-*", "c", "6", "d", "7"],
        &["XADD", "s", "5", "e", "8"],
        &["XADD", "s", "5", "e", "8"],
        &["XADD", "s", "4-9", "e", "8"],
        &["XADD", "s", "0-0", "a", "1"],
        &["XADD", "new", "0-0", "a", "1"],
        &["EXISTS", "new"],
        &["XADD", "new", "0-*", "a", "1"],
        &["XADD", "s", "1", "a"],
        &["XADD", "s", "maxlen"],
        &["XADD", "s", "5-1", "a"],
        &["XADD", "s", "bad", "a", "1"],
        &["XADD", "s", "1-2-3", "a", "1"],
        &["XADD", "s", "-", "a", "1"],
        &["XADD", "s", "+", "a", "1"],
        &["XADD", "s", "18446744073709551616-0", "a", "1"],
        &["XADD", "s", "NOMKSTREAM", "6-0", "a", "1"],
        &["XADD", "nokey", "NOMKSTREAM", "1-1", "a", "1"],
        &["EXISTS", "nokey"],
        &["XADD", "s", "LIMIT", "0", "7-1", "a", "1"],
        &["XADD", "s", "LIMIT", "5", "7-1", "a", "1"],
        &["XADD", "s", "MAXLEN", "5", "LIMIT", "5", "7-1", "a", "1"],
        &["XADD", "s", "MAXLEN", "-1", "7-1", "a", "1"],
        &["XADD", "s", "MAXLEN", "x", "7-1", "a", "1"],
        &[
            "XADD", "s", "MAXLEN", "~", "2", "LIMIT", "-1", "7-1", "a", "1",
        ],
        &["XADD", "s", "MAXLEN", "1", "MINID", "1", "7-1", "a", "1"],
        &["XADD", "s", "MINID", "=", "bad", "7-1", "a", "1"],
        &["XADD", "s", "MAXLEN", "=", "3", "7-1", "a", "1"],
        &["XRANGE", "s", "-", "+"],
        &["XADD", "s", "MINID", "6", "7-2", "z", "1"],
        &["XRANGE", "s", "-", "+"],
        &[
            "XADD",
            "s",
            "18446744073709551615-18446744073709551615",
            "a",
            "1",
        ],
        &["XADD", "s", "*", "a", "1"],
        &["XADD", "s", "18446744073709551615-*", "a", "1"],
        &["SET", "str", "x"],
        &["XADD", "str", "1-1", "a", "1"],
        &["XADD", "s2", "1-18446744073709551615", "a", "1"],
        &["XADD", "s2", "1-*", "a", "1"],
        &["XADD", "s2", "2-*", "a", "1"],
        &["XADD", "s2", "0-*", "a", "1"],
        &["TYPE", "s2"],
        &["OBJECT", "ENCODING", "s2"],
    ]);
}

#[test]
fn xadd_auto_id_is_time_based_and_increasing() {
    let s = Server::start(&[]);
    let a = s.cmd(&["XADD", "s", "*", "f", "v"]);
    let b = s.cmd(&["XADD", "s", "*", "f", "v"]);
    let parse = |r: &[u8]| -> (u64, u64) {
        let t = String::from_utf8_lossy(r).into_owned();
        let id = t.lines().nth(1).unwrap().to_string();
        let (ms, seq) = id.split_once('-').unwrap();
        (ms.parse().unwrap(), seq.parse().unwrap())
    };
    let (pa, pb) = (parse(&a), parse(&b));
    assert!(pa < pb, "{pa:?} {pb:?}");
    assert!(pa.0 > 1_600_000_000_000);
    // A last ID in the future makes `*` increment the sequence.
    s.cmd(&["XADD", "f", "99999999999999-5", "a", "1"]);
    assert_eq!(
        s.cmd(&["XADD", "f", "*", "a", "1"]),
        b"$16\r\n99999999999999-6\r\n"
    );
}

#[test]
fn ranges_counts_and_exclusive_bounds() {
    let Some(mut d) = Differential::start("streams_range", &[]) else {
        return;
    };
    fill(&mut d, "s", 20);
    d.check(&["XADD", "s", "9-0", "other", "fields", "n", "42"]);
    for (a, b) in [
        ("-", "+"),
        ("2", "4"),
        ("2-1", "4-0"),
        ("(2-1", "(4-0"),
        ("(1", "+"),
        ("-", "(3"),
        ("5", "2"),
        ("(18446744073709551615-18446744073709551615", "+"),
        ("-", "(0-0"),
        ("(+", "+"),
        ("(-", "+"),
        ("(", "+"),
        ("x", "+"),
        ("-", "1-x"),
        ("1-", "+"),
        (" 2", "+4"),
    ] {
        d.check(&["XRANGE", "s", a, b]);
        d.check(&["XREVRANGE", "s", b, a]);
    }
    for c in ["0", "-1", "1", "3", "100", "x"] {
        d.check(&["XRANGE", "s", "-", "+", "COUNT", c]);
        d.check(&["XREVRANGE", "s", "+", "-", "COUNT", c]);
    }
    d.check_all(&[
        &["XRANGE", "s", "-", "+", "COUNT"],
        &["XRANGE", "s", "-", "+", "COUNT", "1", "COUNT", "2"],
        &["XRANGE", "s", "-", "+", "LIMIT", "1"],
        &["XRANGE", "nokey", "-", "+", "COUNT", "0"],
        &["XRANGE", "nokey", "-", "+"],
        &["XLEN", "s"],
        &["XLEN", "nokey"],
        &["SET", "str", "x"],
        &["XLEN", "str"],
        &["XRANGE", "str", "-", "+"],
        &["XREVRANGE", "str", "+", "-"],
    ]);
    Pair::new(&d, "3").check_all(&[
        &["XRANGE", "s", "-", "+", "COUNT", "2"],
        &["XRANGE", "s", "-", "+", "COUNT", "0"],
    ]);
}

#[test]
fn xdel_and_first_ids() {
    let Some(mut d) = Differential::start("streams_xdel", &["--stream-node-max-entries", "3"])
    else {
        return;
    };
    fill(&mut d, "s", 12);
    d.check_all(&[
        &["XDEL", "nokey", "bad"],
        &["XDEL", "s", "1-1", "bad"],
        &["XDEL", "s", "1-1", "1-2", "1-2", "9-9", "2-0"],
        &["XRANGE", "s", "-", "+"],
        &["XDEL", "s", "2-1", "2-2", "3-0"],
        &["XRANGE", "s", "-", "+"],
        &["XREVRANGE", "s", "+", "-", "COUNT", "2"],
        &["XLEN", "s"],
        &["XADD", "s", "5-5", "a", "b"],
        &["XDEL", "s", "5-5"],
        &["XADD", "s", "5-5", "a", "b"],
        &["XADD", "s", "5-6", "a", "b"],
        &["XRANGE", "s", "-", "+"],
        &["XSETID", "s", "5-5"],
        &["XSETID", "s", "5-6"],
    ]);
    // Delete everything: the key stays, empty.
    for i in 1..=12 {
        let id = format!("{}-{}", i / 3 + 1, i % 3);
        d.check(&["XDEL", "s", &id]);
    }
    d.check_all(&[
        &["XDEL", "s", "5-6"],
        &["XLEN", "s"],
        &["EXISTS", "s"],
        &["XRANGE", "s", "-", "+"],
        &["XADD", "s", "5-6", "a", "b"],
        &["XADD", "s", "5-7", "a", "b"],
        &["XRANGE", "s", "-", "+"],
    ]);
}

#[test]
fn xtrim_exact_approx_and_limits() {
    let Some(mut d) = Differential::start("streams_xtrim", &["--stream-node-max-entries", "4"])
    else {
        return;
    };
    d.check_all(&[
        &["XTRIM", "nokey", "MAXLEN", "0"],
        &["XTRIM", "s", "MAXLEN"],
        &["XTRIM", "s", "foo", "1"],
        &["XTRIM", "s", "LIMIT", "3", "MAXLEN", "1"],
        &["XTRIM", "s", "MAXLEN", "~", "1", "LIMIT", "-1"],
        &["XTRIM", "s", "MINID", "1", "MINID", "2"],
        &["XTRIM", "s", "MINID", "1", "foo"],
        &["XTRIM", "s", "LIMIT", "1"],
        &["XTRIM", "s", "MINID", "="],
        &["XTRIM", "s", "MAXLEN", "~"],
    ]);
    fill(&mut d, "s", 30);
    d.check_all(&[
        &["XTRIM", "s", "MAXLEN", "~", "25"],
        &["XLEN", "s"],
        &["XTRIM", "s", "MAXLEN", "~", "20"],
        &["XLEN", "s"],
        &["XTRIM", "s", "MAXLEN", "=", "18"],
        &["XRANGE", "s", "-", "+", "COUNT", "3"],
        &["XTRIM", "s", "MINID", "~", "6-0"],
        &["XRANGE", "s", "-", "+", "COUNT", "3"],
        &["XTRIM", "s", "MINID", "6-2"],
        &["XRANGE", "s", "-", "+", "COUNT", "3"],
        &["XTRIM", "s", "MAXLEN", "~", "0", "LIMIT", "3"],
        &["XTRIM", "s", "MAXLEN", "~", "0", "LIMIT", "4"],
        &["XLEN", "s"],
        &["XTRIM", "s", "MAXLEN", "~", "0", "LIMIT", "0"],
        &["XLEN", "s"],
        &["XADD", "s", "MAXLEN", "~", "2", "20-0", "a", "1"],
        &["XADD", "s", "MAXLEN", "2", "20-1", "a", "1"],
        &["XRANGE", "s", "-", "+"],
        &["XTRIM", "s", "MINID", "99"],
        &["XLEN", "s"],
        &["EXISTS", "s"],
        &["XADD", "s", "30-0", "x", "y"],
        &["XSETID", "s", "30-0"],
    ]);
}

#[test]
fn xsetid_options_and_errors() {
    let Some(mut d) = Differential::start("streams_xsetid", &[]) else {
        return;
    };
    d.check_all(&[
        &["XSETID", "nokey", "1-1"],
        &["XSETID", "nokey", "bad"],
        &["XADD", "s", "5-5", "a", "1"],
        &["XADD", "s", "6-0", "a", "1"],
        &["XSETID", "s", "1-1"],
        &["XSETID", "s", "6"],
        &["XSETID", "s", "5-9"],
        &["XSETID", "s", "+"],
        &["XSETID", "s", "9-0", "ENTRIESADDED", "-1"],
        &["XSETID", "s", "9-0", "ENTRIESADDED", "x"],
        &["XSETID", "s", "9-0", "ENTRIESADDED", "1"],
        &["XSETID", "s", "9-0", "MAXDELETEDID", "10-0"],
        &["XSETID", "s", "9-0", "MAXDELETEDID", "bad"],
        &["XSETID", "s", "9-0", "ENTRIESADDED"],
        &["XSETID", "s", "9-0", "foo", "bar"],
        &[
            "XSETID",
            "s",
            "9-0",
            "ENTRIESADDED",
            "10",
            "MAXDELETEDID",
            "8-0",
        ],
        &["XSETID", "s", "7-0"],
        &["XSETID", "s", "9-0"],
        &["XADD", "s", "9-0", "a", "1"],
        &["XADD", "s", "9-*", "a", "1"],
        &["XDEL", "s", "9-1", "6-0", "5-5"],
        &["XSETID", "s", "1-0"],
        &["XSETID", "s", "9-1"],
        &["SET", "str", "x"],
        &["XSETID", "str", "1-1"],
    ]);
}

#[test]
fn xread_replies_resp2_and_resp3() {
    let Some(mut d) = Differential::start("streams_xread", &[]) else {
        return;
    };
    fill(&mut d, "s1", 6);
    fill(&mut d, "s2", 3);
    for proto in ["2", "3"] {
        Pair::new(&d, proto).check_all(&[
            &["XREAD", "STREAMS", "s1", "0"],
            &["XREAD", "COUNT", "2", "STREAMS", "s1", "s2", "0", "1-2"],
            &["XREAD", "STREAMS", "s1", "s2", "$", "$"],
            &["XREAD", "STREAMS", "s1", "nokey", "3-0", "0"],
            &["XREAD", "COUNT", "-5", "STREAMS", "s1", "2-2"],
            &["XREAD", "COUNT", "0", "STREAMS", "s2", "0-0"],
            &["XREAD", "STREAMS", "s1", "+"],
            &["XREAD", "STREAMS", "s1", "-"],
            &["XREAD", "STREAMS", "s1", ">"],
            &["XREAD", "STREAMS", "s1", "bad"],
            &["XREAD", "STREAMS", "s1", "s2", "0"],
            &["XREAD", "foo", "STREAMS", "s1", "0"],
            &["XREAD", "COUNT", "x", "STREAMS", "s1", "0"],
            &["XREAD", "BLOCK", "-1", "STREAMS", "s1", "0"],
            &["XREAD", "BLOCK", "x", "STREAMS", "s1", "0"],
            &["XREAD", "GROUP", "g", "c", "STREAMS", "s1", "0"],
            &["XREAD", "NOACK", "STREAMS", "s1", "0"],
            &["XREAD", "COUNT", "1", "BLOCK"],
            &["XREAD", "STREAMS", "STREAMS", "s1", "0"],
            &["SET", "str", "x"],
            &["XREAD", "STREAMS", "s1", "str", "0", "bad"],
            &["XREAD", "STREAMS", "s1", "str", "bad", "0"],
            &["XREAD", "BLOCK", "10", "STREAMS", "s1", "0"],
            &["MULTI"],
            &["XREAD", "BLOCK", "0", "STREAMS", "s1", "$"],
            &["EXEC"],
        ]);
    }
    // A deleted last entry: `$` still means the top ID, nothing is served.
    d.check_all(&[
        &["XDEL", "s2", "2-0"],
        &["XREAD", "STREAMS", "s2", "1-2"],
        &["XREAD", "STREAMS", "s2", "1-1"],
    ]);
}

#[test]
fn blocking_xread_served_by_xadd() {
    both("streams_block_serve", |s| {
        let mut out = Vec::new();
        s.cmd(&["XADD", "s", "1-1", "a", "1"]);
        for proto in ["2", "3"] {
            let mut a = s.raw();
            let mut b = s.raw();
            let mut c = s.raw();
            for x in [&mut a, &mut b, &mut c] {
                x.cmd(&["HELLO", proto]);
            }
            a.send(&enc(&["XREAD", "BLOCK", "0", "STREAMS", "s", "$"]));
            b.send(&enc(&[
                "XREAD", "COUNT", "1", "BLOCK", "0", "STREAMS", "new", "s", "0", "$",
            ]));
            c.send(&enc(&["XREAD", "BLOCK", "0", "STREAMS", "new", "$"]));
            wait_blocked(s, 3);
            out.push(
                s.cmd(&["XADD", "s", "*", "b", "2"])
                    .len()
                    .to_le_bytes()
                    .to_vec(),
            );
            let ra = read(&mut a);
            let rb = read(&mut b);
            out.push(ra.len().to_le_bytes().to_vec());
            assert_eq!(ra, rb);
            wait_blocked(s, 1);
            out.push(s.cmd(&["XADD", "new", "3-3", "x", "y", "z", "w"]));
            out.push(read(&mut c));
            wait_blocked(s, 0);
            s.cmd(&["DEL", "new"]);
        }
        out
    });
}

#[test]
fn blocking_xread_timeouts_types_and_deletes() {
    both("streams_block_misc", |s| {
        let mut out = Vec::new();
        for proto in ["2", "3"] {
            let mut a = s.raw();
            a.cmd(&["HELLO", proto]);
            // Timeout: a null array (RESP3 null).
            out.push(a.cmd(&["XREAD", "BLOCK", "20", "STREAMS", "k", "0"]));
            // A waiter on `$` is not served by an older ID after a re-create,
            // ignores other types, and is served by a later ID.
            s.cmd(&["XADD", "k", "5-0", "a", "1"]);
            a.send(&enc(&["XREAD", "BLOCK", "0", "STREAMS", "k", "$"]));
            wait_blocked(s, 1);
            s.cmd(&["DEL", "k"]);
            s.cmd(&["XADD", "k", "3-0", "a", "1"]);
            s.cmd(&["DEL", "k"]);
            s.cmd(&["LPUSH", "k", "x"]);
            s.cmd(&["DEL", "k"]);
            s.cmd(&["SET", "k", "v"]);
            s.cmd(&["DEL", "k"]);
            assert_eq!(blocked_clients(s), 1);
            out.push(s.cmd(&["XADD", "k", "6-0", "b", "2"]));
            out.push(read(&mut a));
            // Entries added then deleted in one MULTI still wake the waiter
            // (the top ID moved), with no entries.
            a.send(&enc(&["XREAD", "BLOCK", "0", "STREAMS", "k", "$"]));
            wait_blocked(s, 1);
            let mut m = s.raw();
            m.cmd(&["MULTI"]);
            m.cmd(&["XADD", "k", "7-0", "c", "3"]);
            m.cmd(&["XDEL", "k", "7-0"]);
            out.push(m.cmd(&["EXEC"]));
            out.push(read(&mut a));
            // CLIENT UNBLOCK behaves as a timeout.
            a.send(&enc(&["CLIENT", "ID"]));
            let id = String::from_utf8_lossy(&read(&mut a))
                .trim_start_matches(':')
                .trim()
                .to_string();
            a.send(&enc(&["XREAD", "BLOCK", "0", "STREAMS", "k", "$"]));
            wait_blocked(s, 1);
            out.push(s.cmd(&["CLIENT", "UNBLOCK", &id]));
            out.push(read(&mut a));
            s.cmd(&["DEL", "k"]);
        }
        out
    });
}

#[test]
fn debug_digest_and_type_of_streams() {
    let args = [
        "--enable-debug-command",
        "yes",
        "--stream-node-max-entries",
        "2",
    ];
    let Some(mut d) = Differential::start("streams_digest", &args) else {
        return;
    };
    fill(&mut d, "s", 7);
    d.check_all(&[
        &["XADD", "s", "9-0", "other", "12345", "n", "-7"],
        &["XDEL", "s", "2-0"],
        &["DEBUG", "DIGEST-VALUE", "s"],
        &["DEBUG", "DIGEST"],
        &["TYPE", "s"],
        &["OBJECT", "ENCODING", "s"],
        &["SCAN", "0", "TYPE", "stream"],
        &["LPUSH", "s", "x"],
        &["GET", "s"],
        &["COPY", "s", "c"],
        &["DEBUG", "DIGEST-VALUE", "c"],
        &["XRANGE", "c", "-", "+"],
        &["RENAME", "c", "d"],
        &["XLEN", "d"],
        &["DEL", "d"],
    ]);
}

#[test]
fn propagation_rewrites_ids_and_approx_trims() {
    // Checked against Redis 7.0.15's appendonly incr file: `*` and `ms-*`
    // become the concrete ID, `~` becomes `=` with the threshold reached.
    let dir = TempDir::new("streams_aof");
    let s = Server::start(&["--appendonly", "yes", "--dir", dir.path().to_str().unwrap()]);
    s.cmd(&["CONFIG", "SET", "stream-node-max-entries", "2"]);
    s.cmd(&["XADD", "s", "5-*", "a", "1"]);
    for i in 1..=6 {
        s.cmd(&["XADD", "s", &format!("6-{i}"), "a", "1"]);
    }
    s.cmd(&["XADD", "s", "MAXLEN", "~", "3", "7-0", "a", "1"]);
    s.cmd(&["XTRIM", "s", "MINID", "~", "7", "LIMIT", "100"]);
    s.cmd(&["XTRIM", "s", "MAXLEN", "~", "0"]);
    s.cmd(&["XADD", "s", "MAXLEN", "1", "8-0", "a", "1"]);
    let aof = dir
        .path()
        .join("appendonlydir")
        .join("appendonly.aof.1.incr.aof");
    let want = [
        "*5\r\n$4\r\nXADD\r\n$1\r\ns\r\n$3\r\n5-0\r\n",
        "*8\r\n$4\r\nXADD\r\n$1\r\ns\r\n$6\r\nMAXLEN\r\n$1\r\n=\r\n$1\r\n4\r\n$3\r\n7-0\r\n",
        "*7\r\n$5\r\nXTRIM\r\n$1\r\ns\r\n$5\r\nMINID\r\n$1\r\n=\r\n$3\r\n6-6\r\n$5\r\nLIMIT\r\n$3\r\n100\r\n",
        "*7\r\n$4\r\nXADD\r\n$1\r\ns\r\n$6\r\nMAXLEN\r\n$1\r\n1\r\n$3\r\n8-0\r\n",
    ];
    assert!(
        poll_until(Duration::from_secs(10), || {
            let text =
                String::from_utf8_lossy(&std::fs::read(&aof).unwrap_or_default()).into_owned();
            want.iter().all(|w| text.contains(w))
        }),
        "{}",
        String::from_utf8_lossy(&std::fs::read(&aof).unwrap_or_default())
    );
    // The AOF replays (LIMIT with `=` is accepted from the AOF client).
    drop(s);
    let s = Server::start(&["--appendonly", "yes", "--dir", dir.path().to_str().unwrap()]);
    assert_eq!(
        s.cmd(&["XRANGE", "s", "-", "+"]),
        b"*1\r\n*2\r\n$3\r\n8-0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"
    );
}

#[test]
fn keyspace_events_of_streams() {
    both("streams_events", |s| {
        s.cmd(&["CONFIG", "SET", "notify-keyspace-events", "KEA"]);
        let ev = keyevents(
            s,
            &[
                &["XADD", "s", "1-1", "a", "1"],
                &["XADD", "s", "MAXLEN", "1", "2-1", "a", "1"],
                &["XADD", "s", "MAXLEN", "5", "3-1", "a", "1"],
                &["XDEL", "s", "9-9"],
                &["XDEL", "s", "2-1"],
                &["XTRIM", "s", "MAXLEN", "5"],
                &["XTRIM", "s", "MAXLEN", "0"],
                &["XSETID", "s", "10-0"],
                &["XADD", "n", "NOMKSTREAM", "1-1", "a", "1"],
            ],
        )
        .unwrap_or_default();
        ev.into_iter().map(String::into_bytes).collect()
    });
}

#[test]
fn watch_sees_stream_writes() {
    both("streams_watch", |s| {
        let mut out = Vec::new();
        s.cmd(&["XADD", "s", "1-1", "a", "1"]);
        for w in [
            vec!["XADD", "s", "2-1", "a", "1"],
            vec!["XDEL", "s", "2-1"],
            vec!["XDEL", "s", "9-9"],
            vec!["XTRIM", "s", "MAXLEN", "5"],
            vec!["XSETID", "s", "5-0"],
            vec!["XTRIM", "s", "MAXLEN", "0"],
        ] {
            let mut c = s.raw();
            c.cmd(&["WATCH", "s"]);
            s.cmd(&w);
            c.cmd(&["MULTI"]);
            c.cmd(&["PING"]);
            out.push(c.cmd(&["EXEC"]));
        }
        out
    });
}

#[test]
fn blocked_xread_gets_at_most_1000_without_count() {
    both("streams_block_count", |s| {
        let mut a = s.raw();
        let mut b = s.raw();
        a.send(&enc(&["XREAD", "BLOCK", "0", "STREAMS", "s", "$"]));
        b.send(&enc(&[
            "XREAD", "COUNT", "0", "BLOCK", "0", "COUNT", "3", "STREAMS", "s", "0-0",
        ]));
        wait_blocked(s, 2);
        let mut m = s.raw();
        m.cmd(&["MULTI"]);
        for i in 1..=1200 {
            m.cmd(&["XADD", "s", &format!("1-{i}"), "f", "v"]);
        }
        m.cmd(&["EXEC"]);
        let ra = read(&mut a);
        let rb = read(&mut b);
        // Only the shape is compared: 1000 entries, then 3.
        vec![
            ra.iter()
                .filter(|&&c| c == b'*')
                .count()
                .to_string()
                .into_bytes(),
            rb,
        ]
    });
}

/// Random XADD/XDEL/XTRIM/XRANGE with tiny nodes: approximate trims return
/// how many entries whole nodes held, so equal replies mean equal node
/// splits (stream-node-max-bytes / -entries) and equal trimming.
#[test]
fn random_ops_match_redis_node_for_node() {
    for (i, (bytes, entries)) in [("0", "3"), ("120", "0"), ("200", "5"), ("4096", "100")]
        .into_iter()
        .enumerate()
    {
        let args = [
            "--stream-node-max-bytes",
            bytes,
            "--stream-node-max-entries",
            entries,
            "--enable-debug-command",
            "yes",
        ];
        let Some(mut d) = Differential::start("streams_random", &args) else {
            return;
        };
        let mut x: u64 = 0x2545_f491_4f6c_dd1d ^ (i as u64 + 1);
        let mut rnd = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        let mut ms = 1;
        for _ in 0..400 {
            match rnd(10) {
                0..=4 => {
                    ms += rnd(2);
                    let id = if rnd(2) == 0 {
                        format!("{ms}-*")
                    } else {
                        format!("{ms}-{}", rnd(50))
                    };
                    let fa = if rnd(3) == 0 { "other" } else { "f" };
                    let val = "v".repeat(rnd(30) as usize);
                    let num = rnd(100000).to_string();
                    d.check(&["XADD", "s", &id, fa, &val, "n", &num]);
                }
                5 | 6 => {
                    let id = format!("{}-{}", rnd(ms + 1), rnd(50));
                    d.check(&["XDEL", "s", &id]);
                }
                7 => {
                    let approx = if rnd(2) == 0 { "~" } else { "=" };
                    if rnd(2) == 0 {
                        let n = rnd(40).to_string();
                        d.check(&["XTRIM", "s", "MAXLEN", approx, &n]);
                    } else {
                        let id = format!("{}-{}", rnd(ms + 1), rnd(50));
                        d.check(&["XTRIM", "s", "MINID", approx, &id]);
                    }
                    if approx == "~" && rnd(2) == 0 {
                        let lim = rnd(8).to_string();
                        d.check(&["XTRIM", "s", "MAXLEN", "~", "0", "LIMIT", &lim]);
                    }
                }
                8 => {
                    let a = format!("{}", rnd(ms + 1));
                    let b = format!("({}", rnd(ms + 2));
                    d.check(&["XRANGE", "s", &a, &b, "COUNT", "5"]);
                    d.check(&["XREVRANGE", "s", &b, &a]);
                }
                _ => {
                    d.check(&["XLEN", "s"]);
                    d.check(&["XREAD", "COUNT", "3", "STREAMS", "s", "0-0"]);
                }
            }
        }
        d.check(&["XRANGE", "s", "-", "+"]);
        d.check(&["DEBUG", "DIGEST-VALUE", "s"]);
        d.check(&["XSETID", "s", "0-1"]);
    }
}
