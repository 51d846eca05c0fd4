//! The events each command fires, in Redis's order (checked in-process until
//! pub/sub delivers them to clients).

use crate::cmd::dispatch::process_command;
use crate::config::Config;
use crate::conn::client::{Client, Socket};
use crate::log::Logger;
use crate::server::Server;

/// A server with "KEAnm" notifications and one client (shared by the
/// per-type event tests).
pub(crate) fn setup() -> (Server, Client, mio::Poll) {
    let poll = mio::Poll::new().unwrap();
    let registry = poll.registry().try_clone().unwrap();
    let mut srv = Server::new(Config::with_defaults(), Logger::new(), registry);
    srv.config.notify_keyspace_events = super::string_to_flags(b"KEAnm").unwrap();
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let s = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
    s.set_nonblocking(true).unwrap();
    let sock = Socket::Tcp(mio::net::TcpStream::from_std(s));
    let c = Client::new(1, 0, sock, "127.0.0.1:1".into(), "127.0.0.1:2".into(), 0);
    (srv, c, poll)
}

/// Runs a command and returns the events it fired.
pub(crate) fn fired(srv: &mut Server, c: &mut Client, args: &[&str]) -> Vec<super::Event> {
    c.argv = args.iter().map(|a| a.as_bytes().to_vec()).collect();
    process_command(srv, c);
    srv.ks.events.deliver();
    srv.ks.events.delivered.drain(..).collect()
}

/// Runs a command and returns "event:key@db" for each event it fired.
pub(crate) fn run(srv: &mut Server, c: &mut Client, args: &[&str]) -> Vec<String> {
    fired(srv, c, args)
        .into_iter()
        .map(|e| format!("{}:{}@{}", e.event, String::from_utf8_lossy(&e.key), e.db))
        .collect()
}

#[test]
fn events_per_command() {
    let (mut srv, mut c, _poll) = setup();
    let cases: &[(&[&str], &[&str])] = &[
        (&["SET", "k", "v"], &["new:k@0", "set:k@0"]),
        (&["SET", "k", "v", "EX", "100"], &["set:k@0", "expire:k@0"]),
        (&["SET", "k", "v", "NX"], &[]),
        (&["APPEND", "k", "x"], &["append:k@0"]),
        (&["SETRANGE", "k", "0", "a"], &["setrange:k@0"]),
        (&["INCR", "n"], &["new:n@0", "incrby:n@0"]),
        (&["INCRBYFLOAT", "n", "1.5"], &["incrbyfloat:n@0"]),
        (&["PERSIST", "k"], &["persist:k@0"]),
        (&["EXPIRE", "k", "100"], &["expire:k@0"]),
        (&["GETEX", "k", "PERSIST"], &["persist:k@0"]),
        (
            &["RENAME", "k", "k2"],
            &["new:k2@0", "rename_from:k@0", "rename_to:k2@0"],
        ),
        (&["DEL", "k2", "nokey"], &["del:k2@0"]),
        (&["GET", "nokey"], &["keymiss:nokey@0"]),
        (
            &["MSET", "a", "1", "b", "2"],
            &["new:a@0", "set:a@0", "new:b@0", "set:b@0"],
        ),
        (&["GETDEL", "a"], &["del:a@0"]),
        (
            &["MOVE", "b", "1"],
            &["new:b@1", "move_from:b@0", "move_to:b@1"],
        ),
        (&["COPY", "n", "n2"], &["new:n2@0", "copy_to:n2@0"]),
        (&["EXPIRE", "n2", "-1"], &["del:n2@0"]),
        (&["GETSET", "n", "5"], &["set:n@0"]),
        (&["UNLINK", "n"], &["del:n@0"]),
    ];
    for (cmd, want) in cases {
        assert_eq!(run(&mut srv, &mut c, cmd), *want, "{:?}", cmd);
    }
}

#[test]
fn lazy_expiry_fires_expired_then_keymiss() {
    let (mut srv, mut c, _poll) = setup();
    run(&mut srv, &mut c, &["SET", "k", "v"]);
    let db = 0;
    let past = srv.time.mstime - 10;
    srv.set_expire(db, b"k", past);
    assert_eq!(
        run(&mut srv, &mut c, &["GET", "k"]),
        ["expired:k@0", "keymiss:k@0"]
    );
    assert_eq!(srv.stats.expired_keys, 1);
    assert_eq!(srv.stats.keyspace_misses, 1);
}
