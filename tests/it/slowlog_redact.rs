//! The slow log shows passwords and sensitive CONFIG SET values as
//! "(redacted)", like redis-server.

use crate::support::{Differential, Server};

/// The argv of every slow log entry, oldest first, with the SLOWLOG calls
/// themselves left out.
fn logged_argvs(s: &Server) -> Vec<Vec<Vec<u8>>> {
    let mut c = s.client();
    let v: redis::Value = redis::cmd("SLOWLOG")
        .arg("GET")
        .arg(-1)
        .query(&mut c)
        .expect("slowlog get");
    let redis::Value::Array(entries) = v else {
        panic!("not an array: {v:?}");
    };
    let mut out = Vec::new();
    for e in entries.into_iter().rev() {
        let redis::Value::Array(fields) = e else {
            panic!("entry")
        };
        let Some(redis::Value::Array(args)) = fields.get(3) else {
            panic!("argv")
        };
        let argv: Vec<Vec<u8>> = args
            .iter()
            .map(|a| match a {
                redis::Value::BulkString(b) => b.clone(),
                other => panic!("arg {other:?}"),
            })
            .collect();
        if !argv[0].eq_ignore_ascii_case(b"slowlog") {
            out.push(argv);
        }
    }
    out
}

#[test]
fn slowlog_redacts_like_redis() {
    let Some(d) = Differential::start(
        "slowlog_redacts_like_redis",
        &["--slowlog-log-slower-than", "0", "--requirepass", "pw"],
    ) else {
        return;
    };
    let cmds: &[&[&str]] = &[
        &["AUTH", "wrong"],
        &["AUTH", "pw"],
        &["AUTH", "default", "pw"],
        &["HELLO", "2", "AUTH", "default", "pw", "SETNAME", "n"],
        &["HELLO", "2", "AUTH", "default", "bad"],
        &[
            "CONFIG",
            "SET",
            "masterauth",
            "secret",
            "maxmemory-samples",
            "5",
        ],
        &["CONFIG", "SET", "masteruser", "u"],
        &["CONFIG", "SET", "requirepass", "pw"],
        &["SET", "k", "v"],
        // So that a fresh connection can read the log.
        &["CONFIG", "SET", "requirepass", ""],
    ];
    for server in [&d.ours, &d.theirs] {
        let mut c = server.raw();
        for cmd in cmds {
            c.cmd(cmd);
        }
    }
    let ours = logged_argvs(&d.ours);
    let theirs = logged_argvs(&d.theirs);
    assert_eq!(ours, theirs);
    assert!(ours.iter().any(|a| a.iter().any(|x| x == b"(redacted)")));
    assert!(!ours.iter().flatten().any(|x| x == b"secret"));
}
