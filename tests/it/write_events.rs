//! Output that outlasts one writable event: a write that stops on the
//! per-event budget (NET_MAX_WRITES_PER_EVENT) while the socket still has
//! room must go on in before-sleep, since an edge-triggered poll sends no
//! new writable event then (memefficiency.tcl "Active defrag big list"
//! stalled on it with replies pending and both socket queues empty).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::support::*;

#[test]
fn big_pipelined_output_read_while_sent_never_stalls() {
    let s = Server::start(&[]);
    let value = "x".repeat(200_000);
    assert_eq!(s.cmd(&["SET", "k", &value]), b"+OK\r\n");
    let n = 300;
    let reply_len = value.len() + "$200000\r\n\r\n".len();
    for (round, chunk) in [4096, 65536].iter().cycle().take(12).enumerate() {
        let mut reader = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
        reader
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut writer = reader.try_clone().unwrap();
        std::thread::scope(|sc| {
            sc.spawn(|| {
                writer.write_all("GET k\r\n".repeat(n).as_bytes()).unwrap();
            });
            let mut buf = vec![0u8; *chunk];
            let mut got = 0;
            while got < n * reply_len {
                match reader.read(&mut buf) {
                    Ok(0) => panic!("closed after {} bytes", got),
                    Ok(k) => got += k,
                    Err(e) => panic!(
                        "round {}: stalled at {} of {}: {}",
                        round,
                        got,
                        n * reply_len,
                        e
                    ),
                }
            }
        });
    }
}
