//! INFO stats total_reads_processed / total_writes_processed count socket
//! reads and writes (Redis readQueryFromClient / writeToClient calls).

use crate::support::Server;

fn counter(s: &Server, name: &str) -> u64 {
    let info = String::from_utf8_lossy(&s.cmd(&["INFO", "stats"])).into_owned();
    info.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}:")))
        .and_then(|v| v.trim().parse().ok())
        .expect("counter in INFO stats")
}

#[test]
fn reads_and_writes_are_counted() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    let r0 = counter(&s, "total_reads_processed");
    let w0 = counter(&s, "total_writes_processed");
    for _ in 0..5 {
        assert_eq!(c.cmd(&["PING"]), b"+PONG\r\n");
    }
    let r1 = counter(&s, "total_reads_processed");
    let w1 = counter(&s, "total_writes_processed");
    // Five PINGs, each read and answered separately, plus the INFO calls.
    assert!(r1 >= r0 + 6, "{r0} {r1}");
    assert!(w1 >= w0 + 6, "{w0} {w1}");
    s.cmd(&["CONFIG", "RESETSTAT"]);
    assert!(counter(&s, "total_reads_processed") <= 2);
}
