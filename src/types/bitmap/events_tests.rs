//! The keyspace events bitmap and HLL commands fire, in Redis's order
//! (recorded from redis-server 7.0.15 with notify-keyspace-events KEAnm).

use crate::conn::client::Client;
use crate::keyspace::notify::event_tests::{fired, setup};
use crate::server::Server;

/// Runs a command and returns "event:key" for each event it fired.
fn run(srv: &mut Server, c: &mut Client, args: &[&str]) -> Vec<String> {
    fired(srv, c, args)
        .into_iter()
        .map(|e| format!("{}:{}", e.event, String::from_utf8_lossy(&e.key)))
        .collect()
}

#[test]
fn bitmap_and_hll_events() {
    let (mut srv, mut c, _poll) = setup();
    let cases: &[(&[&str], &[&str])] = &[
        (&["SETBIT", "b", "3", "1"], &["new:b", "setbit:b"]),
        (&["SETBIT", "b", "3", "1"], &[]),
        (&["GETBIT", "nob", "1"], &["keymiss:nob"]),
        (&["BITFIELD", "b", "SET", "u8", "0", "1"], &["setbit:b"]),
        (&["BITFIELD", "b", "GET", "u8", "0"], &[]),
        (
            &[
                "BITFIELD", "b", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "1000",
            ],
            &[],
        ),
        (&["BITOP", "OR", "d", "b"], &["new:d", "set:d"]),
        (&["BITOP", "OR", "d", "nokey"], &["keymiss:nokey", "del:d"]),
        (&["BITCOUNT", "nokey"], &["keymiss:nokey"]),
        (&["PFADD", "h", "a"], &["new:h", "pfadd:h"]),
        (&["PFADD", "h", "a"], &[]),
        (&["PFADD", "h2"], &["new:h2", "pfadd:h2"]),
        (&["PFCOUNT", "h"], &[]),
        (&["PFMERGE", "m", "h"], &["keymiss:m", "new:m", "pfadd:m"]),
        (&["PFDEBUG", "TODENSE", "h"], &[]),
        (&["BITPOS", "nokey", "1"], &["keymiss:nokey"]),
    ];
    for (cmd, want) in cases {
        assert_eq!(run(&mut srv, &mut c, cmd), *want, "{:?}", cmd);
    }
}
