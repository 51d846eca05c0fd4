//! The keyspace events bitmap and HLL commands fire, in Redis's order
//! (recorded from redis-server 7.0.15 with notify-keyspace-events KEAnm).

use crate::cmd::dispatch::process_command;
use crate::config::Config;
use crate::conn::client::{Client, Socket};
use crate::log::Logger;
use crate::server::Server;

fn setup() -> (Server, Client, mio::Poll) {
    let poll = mio::Poll::new().unwrap();
    let registry = poll.registry().try_clone().unwrap();
    let mut srv = Server::new(Config::with_defaults(), Logger::new(), registry);
    srv.config.notify_keyspace_events = crate::keyspace::notify::string_to_flags(b"KEAnm").unwrap();
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let s = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
    s.set_nonblocking(true).unwrap();
    let sock = Socket::Tcp(mio::net::TcpStream::from_std(s));
    let c = Client::new(1, 0, sock, "127.0.0.1:1".into(), "127.0.0.1:2".into(), 0);
    (srv, c, poll)
}

fn run(srv: &mut Server, c: &mut Client, args: &[&str]) -> Vec<String> {
    c.argv = args.iter().map(|a| a.as_bytes().to_vec()).collect();
    process_command(srv, c);
    srv.ks.events.deliver();
    srv.ks
        .events
        .delivered
        .drain(..)
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
