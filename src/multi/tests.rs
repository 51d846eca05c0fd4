//! In-process checks of the WATCH index: every way out of a watch leaves
//! no entry behind, and a client marked dirty while it runs gets the mark.

use crate::cmd::dispatch::process_command;
use crate::config::Config;
use crate::conn::client::{Client, Socket};
use crate::log::Logger;
use crate::server::Server;

fn setup() -> (Server, Client, mio::Poll) {
    let poll = mio::Poll::new().unwrap();
    let registry = poll.registry().try_clone().unwrap();
    let srv = Server::new(Config::with_defaults(), Logger::new(), registry);
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let s = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
    s.set_nonblocking(true).unwrap();
    let sock = Socket::Tcp(mio::net::TcpStream::from_std(s));
    let c = Client::new(1, 0, sock, "127.0.0.1:1".into(), "127.0.0.1:2".into(), 0);
    (srv, c, poll)
}

fn run(srv: &mut Server, c: &mut Client, args: &[&str]) -> Vec<u8> {
    c.argv = args.iter().map(|a| a.as_bytes().to_vec()).collect();
    let mark = c.reply.len();
    process_command(srv, c);
    c.reply.bytes_from(mark)
}

#[test]
fn watches_are_released() {
    let (mut srv, mut c, _poll) = setup();
    let ends: &[&[&[&str]]] = &[
        &[&["UNWATCH"]],
        &[&["MULTI"], &["EXEC"]],
        &[&["MULTI"], &["DISCARD"]],
        &[&["RESET"]],
        &[&["SET", "a", "1"]],
        &[&["MULTI"], &["EXEC", "x"]],
    ];
    for end in ends {
        run(&mut srv, &mut c, &["WATCH", "a", "b", "a"]);
        assert_eq!(srv.multi.len(), 2);
        for cmd in *end {
            run(&mut srv, &mut c, cmd);
        }
        assert!(srv.multi.is_empty(), "after {:?}", end);
        run(&mut srv, &mut c, &["UNWATCH"]);
    }
    run(&mut srv, &mut c, &["WATCH", "a"]);
    srv.forget_client(&mut c);
    assert!(srv.multi.is_empty());
}

#[test]
fn own_write_marks_the_running_client() {
    let (mut srv, mut c, _poll) = setup();
    run(&mut srv, &mut c, &["WATCH", "k"]);
    run(&mut srv, &mut c, &["SET", "k", "v"]);
    assert!(c.mstate.dirty_cas);
    assert!(srv.multi.pending_dirty.is_empty());
    run(&mut srv, &mut c, &["MULTI"]);
    assert_eq!(run(&mut srv, &mut c, &["GET", "k"]), b"+QUEUED\r\n");
    assert_eq!(run(&mut srv, &mut c, &["EXEC"]), b"*-1\r\n");
    assert!(!c.mstate.dirty_cas && !c.mstate.active);
}

#[test]
fn exec_sets_deny_blocking_only_while_running() {
    let (mut srv, mut c, _poll) = setup();
    run(&mut srv, &mut c, &["MULTI"]);
    run(&mut srv, &mut c, &["SET", "k", "v"]);
    assert!(!c.flags.deny_blocking);
    assert_eq!(run(&mut srv, &mut c, &["EXEC"]), b"*1\r\n+OK\r\n");
    assert!(!c.flags.deny_blocking && !c.flags.executing);
    assert_eq!(c.mstate.count, 0);
}
