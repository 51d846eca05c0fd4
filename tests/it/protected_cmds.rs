//! enable-debug-command: DEBUG is refused in dispatch, after the arity check
//! and before authentication, as a rejected call (Redis processCommand).

use crate::support::{Differential, Server};

fn stat_line(s: &Server, password: &str, section: &str, prefix: &str) -> String {
    let mut c = s.raw();
    assert_eq!(c.cmd(&["AUTH", password]), b"+OK\r\n");
    let info = String::from_utf8_lossy(&c.cmd(&["INFO", section])).into_owned();
    info.lines()
        .find(|l| l.starts_with(prefix))
        .unwrap_or("")
        .to_string()
}

#[test]
fn refused_debug_matches_redis() {
    let Some(mut d) = Differential::start("refused_debug_matches_redis", &["--requirepass", "pw"])
    else {
        return;
    };
    d.check_all(&[
        // Unauthenticated: the protected refusal comes before NOAUTH.
        &["DEBUG", "SLEEP", "0"],
        &["DEBUG"],
        &["GET", "x"],
        &["AUTH", "pw"],
        &["DEBUG", "SLEEP", "0"],
        &["DEBUG", "OBJECT", "nokey"],
        &["MULTI"],
        &["DEBUG", "SLEEP", "0"],
        &["EXEC"],
        &["INFO", "errorstats"],
    ]);
    let ours = stat_line(&d.ours, "pw", "commandstats", "cmdstat_debug:");
    let theirs = stat_line(&d.theirs, "pw", "commandstats", "cmdstat_debug:");
    assert_eq!(ours, theirs);
    assert!(ours.contains("rejected_calls=5,failed_calls=0"), "{ours}");
}
