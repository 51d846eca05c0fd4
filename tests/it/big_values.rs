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
