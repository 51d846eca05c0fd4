//! The dict resize policy under a fork child (Redis `updateDictResizePolicy`):
//! while a BGSAVE child runs, the dicts inside values (set, hash, zset) hold
//! their size like the keyspace does, then resize once the child is gone.
//! Checked on ferrodis and, as a control, on redis-server.

use std::time::Duration;

use crate::support::*;

/// `table size` of the main table, and whether a rehash is running.
fn table(s: &Server, key: &str) -> (usize, bool) {
    let r = String::from_utf8_lossy(&s.cmd(&["DEBUG", "HTSTATS-KEY", key])).into_owned();
    let size = r
        .lines()
        .find_map(|l| l.trim().strip_prefix("table size: "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    (size, r.contains("rehashing target"))
}

/// The write that adds `members` to `key` of the given type.
fn add(kind: &str, key: &str, members: &[String]) -> Vec<String> {
    let mut cmd = vec![kind.to_string(), key.to_string()];
    for m in members {
        match kind {
            "SADD" => cmd.push(m.clone()),
            "HSET" => cmd.extend([m.clone(), "v".into()]),
            _ => cmd.extend(["1".into(), m.clone()]),
        }
    }
    cmd
}

fn remover(kind: &str) -> &'static str {
    match kind {
        "SADD" => "SREM",
        "HSET" => "HDEL",
        _ => "ZREM",
    }
}

fn run(s: &Server, c: &mut RawConn, kind: &str, key: &str, members: &[String]) {
    let args = add(kind, key, members);
    let args: Vec<&str> = args.iter().map(|a| a.as_str()).collect();
    let r = c.cmd(&args);
    assert!(
        r.starts_with(b":"),
        "{:?} {}",
        s.flavor,
        String::from_utf8_lossy(&r)
    );
}

fn members(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|i| format!("m:{}", i)).collect()
}

/// The server's children (the BGSAVE child).
fn children(s: &Server) -> Vec<i32> {
    let pid = s.child.id();
    std::fs::read_to_string(format!("/proc/{}/task/{}/children", pid, pid))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

fn scenario(flavor: Flavor) -> Vec<(usize, bool)> {
    let s = Server::spawn(
        flavor,
        &[
            "--enable-debug-command",
            "yes",
            "--set-max-intset-entries",
            "0",
            "--hash-max-listpack-entries",
            "0",
            "--zset-max-listpack-entries",
            "0",
        ],
    );
    let mut c = s.raw();
    let kinds = [("SADD", "s"), ("HSET", "h"), ("ZADD", "z")];
    let mut seen = Vec::new();
    for (kind, key) in kinds {
        run(&s, &mut c, kind, key, &members(0..60));
        // Re-adding existing members takes rehash steps until the 60 are in place
        // (below a full table, where Redis would also grow on a re-add).
        assert!(poll_until(Duration::from_secs(10), || {
            run(&s, &mut c, kind, key, &members(0..8));
            !table(&s, key).1
        }));
        seen.push(table(&s, key));
    }
    assert_eq!(
        c.cmd(&["CONFIG", "SET", "rdb-key-save-delay", "100000000"]),
        b"+OK\r\n"
    );
    assert!(c
        .cmd(&["BGSAVE"])
        .starts_with(b"+Background saving started"));
    assert!(poll_until(Duration::from_secs(10), || !children(&s).is_empty()));
    for (kind, key) in kinds {
        // Twice the elements of the buckets: no growth while the child runs.
        run(&s, &mut c, kind, key, &members(60..120));
        seen.push(table(&s, key));
        // Nearly empty: no shrinking either.
        let mut del = vec![remover(kind).to_string(), key.to_string()];
        del.extend(members(0..116));
        let del: Vec<&str> = del.iter().map(|a| a.as_str()).collect();
        assert_eq!(c.cmd(&del), b":116\r\n");
        seen.push(table(&s, key));
    }
    for kid in children(&s) {
        // SAFETY: signalling the server's own BGSAVE child, which the
        // server (alive) reaps; its pid cannot have been reused before that.
        unsafe {
            libc::kill(kid, libc::SIGKILL);
        }
    }
    assert!(poll_until(Duration::from_secs(10), || {
        String::from_utf8_lossy(&c.cmd(&["INFO", "persistence"]))
            .contains("rdb_bgsave_in_progress:0")
    }));
    for (kind, key) in kinds {
        // The next deletion shrinks the table: a rehash to 4 buckets starts.
        let r = c.cmd(&[remover(kind), key, "m:116"]);
        assert_eq!(r, b":1\r\n");
        seen.push(table(&s, key));
    }
    seen
}

#[test]
fn value_dicts_hold_still_while_a_child_runs() {
    let ours = scenario(Flavor::Ferrodis);
    let mut want = vec![(64, false); 9];
    want.extend([(64, true); 3]);
    assert_eq!(ours, want);
    if have_redis("value_dicts_hold_still_while_a_child_runs") {
        assert_eq!(ours, scenario(Flavor::Redis));
    }
}
