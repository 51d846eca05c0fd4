//! Big values on the hot path (networking.c's PROTO_MBULK_BIG_ARG argument
//! taken without a copy, and replies written between pipelined commands once
//! they pile up), checked against redis-server on the wire.

use crate::support::resp::RawConn;
use crate::support::*;

/// A value of `len` bytes that differs at every position mod 251.
fn value(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| b'a' + ((i + seed as usize) % 251 % 26) as u8)
        .collect()
}

#[test]
fn pipelined_big_arguments_and_replies() {
    let Some(mut d) = Differential::start("pipelined_big_arguments_and_replies", &[]) else {
        return;
    };
    let mut req = Vec::new();
    let mut n = 0;
    for (i, len) in [32 * 1024, 100 * 1024, 32 * 1024 - 1, 300 * 1024, 5]
        .iter()
        .enumerate()
    {
        let v = value(*len, i as u8);
        let key = format!("k{}", i);
        req.extend(RawConn::encode(&[b"SET", key.as_bytes(), &v]));
        req.extend(RawConn::encode(&[b"GET", key.as_bytes()]));
        req.extend(RawConn::encode(&[b"RPUSH", b"l", &v, b"x"]));
        req.extend(RawConn::encode(&[b"APPEND", key.as_bytes(), b"tail"]));
        req.extend(RawConn::encode(&[b"GET", key.as_bytes()]));
        n += 5;
    }
    // Sixteen big GETs in a row: far more output than one early write.
    for _ in 0..16 {
        req.extend(RawConn::encode(&[b"GET", b"k1"]));
        n += 1;
    }
    req.extend(RawConn::encode(&[b"LRANGE", b"l", b"0", b"-1"]));
    req.extend(RawConn::encode(&[b"LPOP", b"l", b"3"]));
    req.extend(RawConn::encode(&[b"RPOP", b"l"]));
    req.extend(RawConn::encode(&[b"STRLEN", b"k3"]));
    n += 4;
    d.check_raw(&req, n);
}

#[test]
fn big_argument_in_pieces() {
    let Some(mut d) = Differential::start("big_argument_in_pieces", &[]) else {
        return;
    };
    let v = value(200 * 1024, 7);
    let req = RawConn::encode(&[b"SET", b"big", &v]);
    // Sent in several writes, the argument is completed across reads.
    for mut conn in [d.ours.raw(), d.theirs.raw()] {
        for chunk in req.chunks(50_000) {
            conn.send(chunk);
            std::thread::yield_now();
        }
        assert_eq!(conn.read_reply().unwrap(), b"+OK\r\n");
    }
    d.check(&["STRLEN", "big"]);
    d.check(&["GETRANGE", "big", "204790", "-1"]);
    let mut both_get = RawConn::encode(&[b"GET", b"big"]);
    both_get.extend(RawConn::encode(&[b"GET", b"big"]));
    d.check_raw(&both_get, 2);
}

#[test]
fn pipeline_over_an_output_limit_gets_no_reply() {
    let Some(mut d) = Differential::start("pipeline_over_an_output_limit_gets_no_reply", &[])
    else {
        return;
    };
    // A limit above the early-write threshold: the pipeline's output still
    // piles up and closes the client before anything is written.
    d.check(&[
        "CONFIG",
        "SET",
        "client-output-buffer-limit",
        "normal 200000 0 0",
    ]);
    d.check(&["SET", "bigkey", &"x".repeat(10_000)]);
    let mut req = Vec::new();
    for _ in 0..30 {
        req.extend(RawConn::encode(&[b"GET", b"bigkey"]));
    }
    let got = d.check_raw(&req, 30);
    assert!(got.is_empty(), "{} bytes of reply", got.len());
}

#[test]
fn big_set_values_moved_into_the_keyspace() {
    let Some(mut d) = Differential::start(
        "big_set_values_moved_into_the_keyspace",
        &["--enable-debug-command", "yes"],
    ) else {
        return;
    };
    // A big SET argument becomes the value itself, filled in after the
    // call: every form of SET, inside MULTI, and followed at once by reads
    // and writes of the same key in the same pipeline.
    let v = value(100 * 1024, 3);
    let w = value(40 * 1024, 9);
    let mut req = Vec::new();
    let cmds: Vec<Vec<&[u8]>> = vec![
        vec![b"SET", b"a", &v],
        vec![b"GET", b"a"],
        vec![b"OBJECT", b"ENCODING", b"a"],
        vec![b"STRLEN", b"a"],
        vec![b"APPEND", b"a", b"!"],
        vec![b"GETRANGE", b"a", b"102390", b"-1"],
        vec![b"SETRANGE", b"a", b"5", b"xyz"],
        vec![b"GETRANGE", b"a", b"0", b"10"],
        vec![b"SET", b"a", &w, b"GET"],
        vec![b"SETNX", b"a", &v],
        vec![b"SETNX", b"b", &v],
        vec![b"SETEX", b"c", b"100", &w],
        vec![b"PSETEX", b"e", b"100000", &v],
        vec![b"SET", b"f", &v, b"PX", b"100000", b"NX"],
        vec![b"SET", b"f", &w, b"XX", b"KEEPTTL"],
        vec![b"MULTI"],
        vec![b"SET", b"g", &v],
        vec![b"GET", b"g"],
        vec![b"SET", b"g", &w],
        vec![b"EXEC"],
        vec![b"MGET", b"a", b"b", b"c", b"e", b"f", b"g"],
        vec![b"OBJECT", b"ENCODING", b"g"],
    ];
    for c in &cmds {
        req.extend(RawConn::encode(c));
    }
    d.check_raw(&req, cmds.len());
    d.check(&["DEBUG", "DIGEST"]);
}

#[test]
fn big_set_values_reach_monitor_and_aof_whole() {
    let s = Server::start(&["--appendonly", "yes", "--enable-debug-command", "yes"]);
    let mut mon = s.raw();
    assert_eq!(mon.cmd(&["MONITOR"]), b"+OK\r\n");
    let v = value(64 * 1024, 1);
    let mut c = s.raw();
    assert_eq!(c.cmd_bytes(&[b"SET", b"k", &v]), b"+OK\r\n");
    assert_eq!(c.cmd_bytes(&[b"SET", b"t", &v, b"EX", b"1000"]), b"+OK\r\n");
    // MONITOR shows the argument in full (printable, so quoted as is).
    let line = mon.read_reply().unwrap();
    assert!(line.ends_with(format!("\"k\" \"{}\"\r\n", String::from_utf8_lossy(&v)).as_bytes()));
    // The AOF got the whole value: reload it and read the keys back.
    assert_eq!(c.cmd(&["DEBUG", "LOADAOF"]), b"+OK\r\n");
    let mut want = format!("${}\r\n", v.len()).into_bytes();
    want.extend_from_slice(&v);
    want.extend_from_slice(b"\r\n");
    assert_eq!(c.cmd(&["GET", "k"]), want);
    assert_eq!(c.cmd(&["GET", "t"]), want);
}

#[test]
fn big_pushes_in_resp3_and_resp2() {
    let Some(d) = Differential::start("big_pushes_in_resp3_and_resp2", &[]) else {
        return;
    };
    let msg = value(150 * 1024, 5);
    let mut got = Vec::new();
    for s in [&d.ours, &d.theirs] {
        let mut sub2 = s.raw();
        let mut sub3 = s.raw();
        sub3.cmd(&["HELLO", "3"]);
        let mut out = sub2.cmd(&["SUBSCRIBE", "ch"]);
        out.extend(sub3.cmd(&["SUBSCRIBE", "ch"]));
        let mut p = s.raw();
        // Several big messages pile up before the subscribers read.
        for _ in 0..5 {
            assert_eq!(p.cmd_bytes(&[b"PUBLISH", b"ch", &msg]), b":2\r\n");
        }
        for _ in 0..5 {
            out.extend(sub2.read_reply().unwrap());
            out.extend(sub3.read_reply().unwrap());
        }
        got.push(out);
    }
    assert!(got[0] == got[1], "pushes differ");
}

#[test]
fn client_list_output_fields_for_a_big_pending_reply() {
    let Some(d) = Differential::start("client_list_output_fields_for_a_big_pending_reply", &[])
    else {
        return;
    };
    let v = value(200 * 1024, 2);
    for s in [&d.ours, &d.theirs] {
        let mut c = s.raw();
        c.cmd(&["CLIENT", "SETNAME", "slow"]);
        assert_eq!(c.cmd_bytes(&[b"SET", b"k", &v]), b"+OK\r\n");
        // Many GETs that are never read: the socket fills and the rest waits.
        let mut req = Vec::new();
        for _ in 0..100 {
            req.extend(RawConn::encode(&[b"GET", b"k"]));
        }
        c.send(&req);
        let mut admin = s.raw();
        let mut fields = (0, 0, 0);
        assert!(poll_until(std::time::Duration::from_secs(10), || {
            let list = admin.cmd(&["CLIENT", "LIST"]);
            let list = String::from_utf8_lossy(&list).into_owned();
            let Some(line) = list.lines().find(|l| l.contains("name=slow")) else {
                return false;
            };
            let field = |name: &str| -> u64 {
                line.split(' ')
                    .find_map(|f| f.strip_prefix(&format!("{}=", name)[..]))
                    .and_then(|x| x.parse().ok())
                    .unwrap_or(0)
            };
            fields = (field("obl"), field("oll"), field("omem"));
            line.contains("cmd=get") && fields.2 > 0
        }));
        let (obl, oll, omem) = fields;
        // The head is full or written out; the blocks hold the rest.
        assert!(obl <= 16384, "obl={}", obl);
        assert!(oll >= 1 && omem >= 16384 * oll, "oll={} omem={}", oll, omem);
        assert!(omem <= 100 * 210 * 1024, "omem={}", omem);
    }
}

#[test]
fn recent_max_output_buffer_counts_reply_blocks() {
    let Some(d) = Differential::start("recent_max_output_buffer_counts_reply_blocks", &[]) else {
        return;
    };
    let v = value(200 * 1024, 4);
    for s in [&d.ours, &d.theirs] {
        let mut c = s.raw();
        assert_eq!(c.cmd_bytes(&[b"SET", b"k", &v]), b"+OK\r\n");
        let mut req = Vec::new();
        for _ in 0..50 {
            req.extend(RawConn::encode(&[b"GET", b"k"]));
        }
        // Never read: the replies stay in reply blocks, which INFO reports
        // (Redis getClientOutputBufferMemoryUsage: the list, not `buf`).
        c.send(&req);
        let mut admin = s.raw();
        let mut seen = 0u64;
        assert!(poll_until(std::time::Duration::from_secs(10), || {
            let info = admin.cmd(&["INFO", "clients"]);
            seen = String::from_utf8_lossy(&info)
                .lines()
                .find_map(|l| l.strip_prefix("client_recent_max_output_buffer:"))
                .and_then(|x| x.trim().parse().ok())
                .unwrap_or(0);
            seen >= 16384
        }));
        assert!(seen <= 50 * 210 * 1024, "{}", seen);
    }
}
