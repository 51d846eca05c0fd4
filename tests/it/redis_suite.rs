//! Regressions found by running Redis 7.0.15's own Tcl test suite against
//! ferrodis (docs/redis-test-suite.md): each test pins one divergence the
//! suite showed, compared with redis-server where the replies allow it.

use crate::aof::Proc;
use crate::support::{have_redis, TempDir};

/// The bulk string inside a `$N\r\n...\r\n` reply.
fn bulk_payload(reply: &[u8]) -> Vec<u8> {
    let start = reply.iter().position(|&b| b == b'\n').expect("bulk header") + 1;
    reply[start..reply.len() - 2].to_vec()
}

/// Masks the millisecond timestamps (13 digits) of an AOF, which differ
/// between two servers run one after the other.
fn mask_ms(aof: &[u8]) -> String {
    let text = String::from_utf8_lossy(aof);
    let mut out = String::new();
    let mut digits = String::new();
    for ch in text.chars().chain(std::iter::once('\0')) {
        if ch.is_ascii_digit() {
            digits.push(ch);
            continue;
        }
        out.push_str(if digits.len() == 13 { "<ms>" } else { &digits });
        digits.clear();
        if ch != '\0' {
            out.push(ch);
        }
    }
    out
}

/// expire.tcl "All time-to-live(TTL) in commands are propagated as absolute
/// timestamp in milliseconds in AOF": RESTORE with a relative TTL must reach
/// the AOF as `RESTORE key <unix-ms> payload ABSTTL`, and a RESTORE REPLACE
/// whose TTL is already past (it only deletes) as a DEL.
#[test]
fn restore_ttl_propagates_as_absttl() {
    if !have_redis("restore_ttl_propagates_as_absttl") {
        return;
    }
    let mut files = Vec::new();
    for redis in [false, true] {
        let dir = TempDir::new("restore-absttl");
        let args = ["--appendonly", "yes", "--aof-use-rdb-preamble", "no"];
        let p = Proc::either(redis, dir.path(), &args);
        let mut c = p.conn();
        c.cmd(&["SET", "foo", "bar"]);
        let payload = bulk_payload(&c.cmd(&["DUMP", "foo"]));
        let restore = |c: &mut crate::support::RawConn, key: &str, ttl: &str, opts: &[&str]| {
            let mut argv: Vec<&[u8]> = vec![b"RESTORE", key.as_bytes(), ttl.as_bytes(), &payload];
            argv.extend(opts.iter().map(|o| o.as_bytes()));
            assert_eq!(c.cmd_bytes(&argv), b"+OK\r\n");
        };
        restore(&mut c, "foo17", "100000", &[]);
        restore(&mut c, "foo18", "100000", &["REPLACE"]);
        restore(&mut c, "foo19", "4102444800000", &["ABSTTL"]);
        restore(&mut c, "foo20", "0", &[]);
        restore(&mut c, "foo", "1", &["REPLACE", "ABSTTL"]);
        c.cmd(&["CONFIG", "SET", "lazyfree-lazy-server-del", "yes"]);
        restore(&mut c, "foo17", "1", &["REPLACE", "ABSTTL"]);
        restore(&mut c, "nokey", "1", &["ABSTTL"]);
        p.shutdown();
        let aof = dir.path().join("appendonlydir/appendonly.aof.1.incr.aof");
        files.push(mask_ms(&std::fs::read(aof).unwrap()));
    }
    assert!(files[0].contains("foo17\r\n$13\r\n<ms>"), "{}", files[0]);
    assert_eq!(files[0], files[1]);
}
