//! maxmemory: key eviction under each policy, the OOM refusal (also in
//! MULTI/EXEC), and the effects of an eviction (keyspace event, INFO,
//! tracking invalidation, propagation to the AOF).

use std::time::Duration;

use crate::support::resp::RawConn;
use crate::support::*;

const WAIT: Duration = Duration::from_secs(20);

fn info_field(s: &Server, section: &str, name: &str) -> Option<String> {
    let info = String::from_utf8_lossy(&s.cmd(&["INFO", section])).to_string();
    let prefix = format!("{name}:");
    info.lines()
        .find_map(|l| l.strip_prefix(&prefix).map(|v| v.trim().to_string()))
}

fn info_u64(s: &Server, section: &str, name: &str) -> u64 {
    info_field(s, section, name)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no INFO field {name}"))
}

fn int_reply(r: &[u8]) -> i64 {
    let s = String::from_utf8_lossy(r);
    s.trim()
        .trim_start_matches(':')
        .parse()
        .unwrap_or_else(|_| panic!("not an integer reply: {s}"))
}

fn exists(s: &Server, key: &str) -> bool {
    int_reply(&s.cmd(&["EXISTS", key])) == 1
}

/// Waits until the eviction time event is done: over the limit no more
/// (or with nothing left to evict), as INFO's current exceeded time says.
fn wait_evictions_done(s: &Server) {
    let done = poll_until(WAIT, || {
        info_u64(s, "stats", "current_eviction_exceeded_time") == 0
    });
    assert!(done, "eviction did not finish");
}

/// 300 keys without a TTL (`p:N`) and 300 with one (`v:N`, the TTL grows
/// with N), 1 KB each; then a limit about 150 KB under the memory in use.
fn fill_and_limit(s: &Server, policy: &str) {
    let val = "x".repeat(1024);
    let mut c = s.raw();
    for i in 0..300 {
        c.cmd(&["SET", &format!("p:{i}"), &val]);
        let ttl = (10_000 + i).to_string();
        c.cmd(&["SET", &format!("v:{i}"), &val, "EX", &ttl]);
    }
    assert_eq!(
        c.cmd(&["CONFIG", "SET", "maxmemory-policy", policy]),
        b"+OK\r\n"
    );
    let used = info_u64(s, "memory", "used_memory");
    let limit = (used - 150 * 1024).to_string();
    assert_eq!(c.cmd(&["CONFIG", "SET", "maxmemory", &limit]), b"+OK\r\n");
}

/// Lifts the limit so that the counting commands evict nothing more;
/// returns the keys evicted.
fn stop_evicting(s: &Server) -> u64 {
    s.cmd(&["CONFIG", "SET", "maxmemory", "0"]);
    info_u64(s, "stats", "evicted_keys")
}

fn count(s: &Server, prefix: &str) -> usize {
    (0..300)
        .filter(|i| exists(s, &format!("{prefix}:{i}")))
        .count()
}

#[test]
fn maxmemory_allkeys_policies_evict_any_key() {
    for policy in ["allkeys-lru", "allkeys-lfu", "allkeys-random"] {
        let s = Server::start(&[]);
        fill_and_limit(&s, policy);
        wait_evictions_done(&s);
        let evicted = stop_evicting(&s);
        assert!(evicted >= 100, "{policy}: evicted {evicted}");
        let (p, v) = (count(&s, "p"), count(&s, "v"));
        assert_eq!(p + v, 600 - evicted as usize, "{policy}");
        assert!(p < 300 && v < 300, "{policy}: p={p} v={v}");
        // A write still works: eviction makes room.
        assert_eq!(s.cmd(&["SET", "new", "1"]), b"+OK\r\n");
    }
}

#[test]
fn maxmemory_volatile_policies_evict_only_volatile_keys() {
    for policy in [
        "volatile-lru",
        "volatile-lfu",
        "volatile-random",
        "volatile-ttl",
    ] {
        let s = Server::start(&[]);
        fill_and_limit(&s, policy);
        wait_evictions_done(&s);
        let evicted = stop_evicting(&s);
        assert!(evicted >= 100, "{policy}: evicted {evicted}");
        assert_eq!(count(&s, "p"), 300, "{policy}");
        assert_eq!(count(&s, "v"), 300 - evicted as usize, "{policy}");
        if policy == "volatile-ttl" {
            // The soonest expiring keys go first.
            let gone: Vec<usize> = (0..300)
                .filter(|i| !exists(&s, &format!("v:{i}")))
                .collect();
            let avg = gone.iter().sum::<usize>() / gone.len();
            assert!(avg < 100, "volatile-ttl evicted keys averaging N={avg}");
        }
    }
}

#[test]
fn maxmemory_volatile_policy_without_volatile_keys_refuses_writes() {
    let s = Server::start(&[]);
    s.cmd(&["SET", "a", "1"]);
    s.cmd(&["CONFIG", "SET", "maxmemory-policy", "volatile-lru"]);
    s.cmd(&["CONFIG", "SET", "maxmemory", "1"]);
    assert_eq!(
        s.cmd(&["SET", "b", "1"]),
        b"-OOM command not allowed when used memory > 'maxmemory'.\r\n"
    );
    assert!(exists(&s, "a"));
    s.cmd(&["CONFIG", "SET", "maxmemory", "0"]);
    assert_eq!(s.cmd(&["SET", "b", "1"]), b"+OK\r\n");
}

#[test]
fn maxmemory_lfu_keeps_frequently_used_keys() {
    let s = Server::start(&["--lfu-log-factor", "0"]);
    let val = "x".repeat(1024);
    let mut c = s.raw();
    c.cmd(&["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"]);
    for i in 0..400 {
        c.cmd(&["SET", &format!("k:{i}"), &val]);
    }
    // Every fourth key is hot: its counter climbs well above a new key's 5.
    for _ in 0..20 {
        for i in (0..400).step_by(4) {
            c.cmd(&["GET", &format!("k:{i}")]);
        }
    }
    let used = info_u64(&s, "memory", "used_memory");
    c.cmd(&[
        "CONFIG",
        "SET",
        "maxmemory",
        &(used - 150 * 1024).to_string(),
    ]);
    wait_evictions_done(&s);
    assert!(stop_evicting(&s) >= 100);
    let hot_left = (0..400)
        .step_by(4)
        .filter(|i| int_reply(&c.cmd(&["EXISTS", &format!("k:{i}")])) == 1)
        .count();
    assert_eq!(hot_left, 100);
}

#[test]
fn maxmemory_low_tenacity_continues_in_time_event() {
    // Tenacity 0: each run evicts 16 keys, the time event does the rest.
    let s = Server::start(&["--maxmemory-eviction-tenacity", "0"]);
    let mut c = s.raw();
    c.cmd(&["CONFIG", "SET", "maxmemory-policy", "allkeys-random"]);
    for i in 0..2000 {
        c.cmd(&["SET", &format!("k:{i}"), "value"]);
    }
    c.cmd(&["CONFIG", "SET", "maxmemory", "1"]);
    assert!(poll_until(WAIT, || c.cmd(&["DBSIZE"]) == b":0\r\n"));
    assert_eq!(info_u64(&s, "stats", "evicted_keys"), 2000);
    // Still over a 1-byte limit with nothing left: the clock runs (in ms,
    // so it may still read 0 right after the last eviction).
    assert!(poll_until(WAIT, || info_u64(
        &s,
        "stats",
        "current_eviction_exceeded_time"
    ) > 0));
}

#[test]
fn maxmemory_evicted_keyspace_event() {
    let s = Server::start(&[]);
    s.cmd(&["CONFIG", "SET", "notify-keyspace-events", "Ee"]);
    s.cmd(&["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"]);
    let mut sub = s.raw();
    sub.cmd(&["PSUBSCRIBE", "*"]);
    s.cmd(&["SET", "foo", "bar"]);
    s.cmd(&["CONFIG", "SET", "maxmemory", "1"]);
    let msg = sub.read_reply().expect("no event");
    assert_eq!(
        msg,
        b"*4\r\n$8\r\npmessage\r\n$1\r\n*\r\n$22\r\n__keyevent@0__:evicted\r\n$3\r\nfoo\r\n"
    );
}

#[test]
fn maxmemory_tracking_invalidation_before_reply() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    c.cmd(&["HELLO", "3"]);
    c.cmd(&["CLIENT", "TRACKING", "on"]);
    c.cmd(&["SETEX", "volatile-key", "10000", "x"]);
    c.cmd(&["GET", "volatile-key"]);
    let used = info_u64(&s, "memory", "used_memory");
    c.cmd(&[
        "CONFIG",
        "SET",
        "maxmemory",
        &(used + 100 * 1024).to_string(),
    ]);
    c.cmd(&["CONFIG", "SET", "maxmemory-policy", "volatile-random"]);
    // 200 KB in one write; the next command evicts the tracked key first.
    c.cmd(&["SETBIT", "big-key", "1600000", "0"]);
    let push = c.cmd(&["GETBIT", "big-key", "0"]);
    assert_eq!(
        push,
        b">2\r\n$10\r\ninvalidate\r\n*1\r\n$12\r\nvolatile-key\r\n"
    );
    assert_eq!(c.read_reply().expect("no reply"), b":0\r\n");
}

#[test]
fn maxmemory_eviction_propagates_to_aof() {
    for (lazy, cmd) in [("no", "DEL"), ("yes", "UNLINK")] {
        let s = Server::start(&["--appendonly", "yes", "--lazyfree-lazy-eviction", lazy]);
        s.cmd(&["SET", "asdf1", "1"]);
        s.cmd(&["SET", "asdf2", "2"]);
        s.cmd(&["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"]);
        s.cmd(&["CONFIG", "SET", "maxmemory", "1"]);
        assert!(poll_until(WAIT, || s.cmd(&["DBSIZE"]) == b":0\r\n"));
        s.cmd(&["CONFIG", "SET", "maxmemory", "0"]);
        s.cmd(&["SET", "asdf3", "3"]);
        let path = s.dir.path().join("appendonlydir/appendonly.aof.1.incr.aof");
        let ok = poll_until(WAIT, || {
            let aof = std::fs::read(&path).unwrap_or_default();
            String::from_utf8_lossy(&aof).contains("asdf3")
        });
        assert!(ok, "AOF never got the last write");
        let aof = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).to_string();
        let dels = aof.matches(&format!("${}\r\n{cmd}\r\n", cmd.len())).count();
        assert_eq!(dels, 2, "{aof}");
        // No MULTI/EXEC around the deletions.
        assert!(!aof.contains("MULTI"), "{aof}");
    }
}

#[test]
fn maxmemory_info_fields() {
    let s = Server::start(&[]);
    for f in [
        "evicted_keys",
        "total_eviction_exceeded_time",
        "current_eviction_exceeded_time",
    ] {
        assert_eq!(info_u64(&s, "stats", f), 0, "{f}");
    }
    assert_eq!(info_u64(&s, "memory", "mem_not_counted_for_evict"), 0);
    s.cmd(&["CONFIG", "SET", "maxmemory", "1"]);
    s.cmd(&["SET", "a", "1"]);
    assert!(poll_until(WAIT, || {
        info_u64(&s, "stats", "current_eviction_exceeded_time") > 0
    }));
    // As in Redis, the clock stops only when a check finds memory fine:
    // with maxmemory 0 nothing checks, so a limit far above use is set.
    s.cmd(&["CONFIG", "SET", "maxmemory", "1gb"]);
    s.cmd(&["PING"]);
    assert_eq!(info_u64(&s, "stats", "current_eviction_exceeded_time"), 0);
    assert!(info_u64(&s, "stats", "total_eviction_exceeded_time") > 0);
}

/// Sends each step on connection 0 or 1 of both servers and compares.
fn run_two(name: &str, steps: &[(usize, &[&str])]) {
    let Some(d) = Differential::start(name, &[]) else {
        return;
    };
    let mut ours: [RawConn; 2] = [d.ours.raw(), d.ours.raw()];
    let mut theirs: [RawConn; 2] = [d.theirs.raw(), d.theirs.raw()];
    for (who, args) in steps {
        let a = ours[*who].cmd(args);
        let b = theirs[*who].cmd(args);
        assert!(
            a == b,
            "{name}: replies differ for {args:?}\n  ferrodis: {}\n  redis:    {}",
            a.escape_ascii(),
            b.escape_ascii()
        );
    }
}

#[test]
fn maxmemory_noeviction_oom_matches_redis() {
    run_two(
        "maxmemory_noeviction_oom_matches_redis",
        &[
            (0, &["SET", "foo", "bar"]),
            (0, &["CONFIG", "SET", "maxmemory", "1"]),
            (0, &["CONFIG", "GET", "maxmemory"]),
            (0, &["CONFIG", "GET", "maxmemory-policy"]),
            (0, &["SET", "foo", "baz"]),
            (0, &["APPEND", "foo", "x"]),
            (0, &["GET", "foo"]),
            (0, &["DEL", "foo"]),
            (0, &["PING"]),
            (0, &["INFO", "errorstats"]),
            (0, &["CONFIG", "SET", "maxmemory", "0"]),
            (0, &["SET", "foo", "bar"]),
        ],
    );
}

#[test]
fn maxmemory_multi_exec_oom_matches_redis() {
    run_two(
        "maxmemory_multi_exec_oom_matches_redis",
        &[
            // Queueing anything is refused while out of memory.
            (1, &["CONFIG", "SET", "maxmemory", "1"]),
            (0, &["MULTI"]),
            (0, &["GET", "x"]),
            (0, &["SET", "x", "1"]),
            (0, &["EXEC"]),
            // Nested MULTI and WATCH are refused for memory first.
            (0, &["MULTI"]),
            (0, &["MULTI"]),
            (0, &["WATCH", "x"]),
            (0, &["EXEC"]),
            // DISCARD is never refused.
            (0, &["MULTI"]),
            (0, &["SET", "x", "1"]),
            (0, &["DISCARD"]),
            (1, &["CONFIG", "SET", "maxmemory", "0"]),
            // Read-only transactions run even when the limit is hit meanwhile.
            (0, &["SET", "x", "value"]),
            (0, &["MULTI"]),
            (0, &["GET", "x"]),
            (0, &["PING"]),
            (1, &["CONFIG", "SET", "maxmemory", "1"]),
            (0, &["EXEC"]),
            // A queued deny-oom command makes EXEC abort.
            (1, &["CONFIG", "SET", "maxmemory", "0"]),
            (0, &["MULTI"]),
            (0, &["SET", "x", "1"]),
            (0, &["GET", "x"]),
            (1, &["CONFIG", "SET", "maxmemory", "1"]),
            (0, &["EXEC"]),
            (0, &["GET", "x"]),
            (1, &["CONFIG", "SET", "maxmemory", "0"]),
            (0, &["INFO", "errorstats"]),
        ],
    );
}

#[test]
fn maxmemory_db_dict_does_not_grow_over_the_limit() {
    // A full 4096-bucket table would grow to 8192 (64 KB) on the next add;
    // with 10 KB of room it stays, so nothing is evicted (dictExpandAllowed).
    let s = Server::start(&["--latency-tracking", "no"]);
    let mut c = s.raw();
    c.cmd(&["CONFIG", "SET", "maxmemory-policy", "allkeys-random"]);
    let mut batch = Vec::new();
    for i in 0..4096 {
        let k = format!("key:{i}");
        batch.extend_from_slice(&RawConn::encode(&[b"SET", k.as_bytes(), b"x"]));
    }
    c.send(&batch);
    c.read_replies_or_eof(4096);
    let used = info_u64(&s, "memory", "used_memory");
    c.cmd(&[
        "CONFIG",
        "SET",
        "maxmemory",
        &(used + 10 * 1024).to_string(),
    ]);
    c.cmd(&["SET", "k1", "v1"]);
    c.cmd(&["SET", "k2", "v2"]);
    assert_eq!(c.cmd(&["DBSIZE"]), b":4098\r\n");
    assert_eq!(info_u64(&s, "stats", "evicted_keys"), 0);
}

#[test]
fn maxmemory_lazy_eviction_frees_in_background() {
    let s = Server::start(&["--lazyfree-lazy-eviction", "yes"]);
    let mut c = s.raw();
    let mut args: Vec<String> = vec!["SADD".into(), "big".into()];
    args.extend((0..1000).map(|i| format!("member:{i}")));
    let argv: Vec<&str> = args.iter().map(|a| a.as_str()).collect();
    assert_eq!(c.cmd(&argv), b":1000\r\n");
    c.cmd(&["CONFIG", "SET", "maxmemory-policy", "allkeys-random"]);
    c.cmd(&["CONFIG", "SET", "maxmemory", "1"]);
    assert!(poll_until(WAIT, || c.cmd(&["DBSIZE"]) == b":0\r\n"));
    // The set is over the lazy-free threshold: the background thread frees it.
    assert!(poll_until(WAIT, || {
        info_u64(&s, "memory", "lazyfreed_objects") == 1
    }));
    assert_eq!(info_u64(&s, "stats", "evicted_keys"), 1);
}

/// A blocked client served while memory is over the limit gets its
/// element: Redis serves blocked clients without the OOM step (no
/// eviction there either), even for a deny-oom command like BLMOVE.
#[test]
fn blocked_client_served_while_over_maxmemory() {
    both("maxmemory_blocked_served", |s| {
        let mut out = Vec::new();
        let mut a = s.raw();
        out.push(s.cmd(&["RPUSH", "tmp", "v"]));
        a.send(&RawConn::encode(&[
            b"BLMOVE", b"src", b"dst", b"LEFT", b"RIGHT", b"0",
        ]));
        wait_blocked(s, 1);
        out.push(s.cmd(&["CONFIG", "SET", "maxmemory-policy", "noeviction"]));
        out.push(s.cmd(&["CONFIG", "SET", "maxmemory", "1"]));
        // RENAME is not deny-oom: it makes `src` ready while over the limit.
        out.push(s.cmd(&["RENAME", "tmp", "src"]));
        out.push(a.read_reply().unwrap_or_default());
        out.push(s.cmd(&["CONFIG", "SET", "maxmemory", "0"]));
        out.push(s.cmd(&["LRANGE", "dst", "0", "-1"]));
        out.push(s.cmd(&["EXISTS", "src"]));
        out
    });
}
