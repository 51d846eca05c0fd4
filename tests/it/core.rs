//! Server core: startup, protocol handling, dispatch errors.

use crate::support::*;

#[test]
fn ping_and_echo() {
    let s = Server::start(&[]);
    assert_eq!(s.cmd(&["PING"]), b"+PONG\r\n");
    assert_eq!(s.cmd(&["ping", "hi"]), b"$2\r\nhi\r\n");
    assert_eq!(s.cmd(&["ECHO", "x"]), b"$1\r\nx\r\n");
    let mut c = s.client();
    let pong: String = redis::cmd("PING").query(&mut c).unwrap();
    assert_eq!(pong, "PONG");
}

#[test]
fn startup_log_lines() {
    let s = Server::start(&[]);
    assert!(s.wait_for_log("Ready to accept connections"));
    let log = s.log();
    assert!(log.contains("Server initialized"));
    assert!(log.contains(&format!("port={}", s.port)));
}

#[test]
fn dispatch_errors_match_redis() {
    let Some(mut d) = Differential::start("dispatch_errors_match_redis", &[]) else {
        return;
    };
    d.check(&["nosuchcommand", "a", "b"]);
    d.check(&["nosuchcommand"]);
    d.check(&["PING", "a", "b"]);
    d.check(&["ECHO"]);
    d.check(&["select", "100"]);
    d.check(&["select", "abc"]);
    d.check(&["select", "-1"]);
    d.check(&["select", "1"]);
    let long = "x".repeat(300);
    d.check(&["nosuchcommand", &long, "b"]);
    d.check(&["nosuch\r\ncommand", "a\nb"]);
}

#[test]
fn protocol_errors_match_redis_and_close() {
    let Some(mut d) = Differential::start("protocol_errors_match_redis_and_close", &[]) else {
        return;
    };
    for input in [
        &b"*abc\r\n"[..],
        b"*1\r\nx\r\n",
        b"*1\r\n$-5\r\n",
        b"*3000000000\r\n",
        b"\"unbalanced\r\n",
        b"PING\r\n*1\r\n$abc\r\n",
    ] {
        d.check_raw(input, 3);
    }
}
