//! Generic key commands, expiry and the keyspace against redis-server.

use std::time::Duration;

use crate::support::*;

fn diff(name: &str) -> Option<Differential> {
    Differential::start(name, &["--enable-debug-command", "yes"])
}

#[test]
fn del_exists_type_touch() {
    let Some(mut d) = diff("del_exists_type_touch") else {
        return;
    };
    let cmds: &[&[&str]] = &[
        &["MSET", "a", "1", "b", "2", "c", "3"],
        &["EXISTS", "a", "b", "a", "zz"],
        &["TYPE", "a"],
        &["TYPE", "zz"],
        &["TOUCH", "a", "b", "zz"],
        &["DEL", "a", "zz", "a"],
        &["UNLINK", "b", "c", "b"],
        &["DBSIZE"],
        &["DEL"],
        &["EXISTS"],
        &["DBSIZE", "x"],
    ];
    d.check_all(cmds);
}

#[test]
fn rename_move_copy_swapdb() {
    let Some(mut d) = diff("rename_move_copy_swapdb") else {
        return;
    };
    let cmds: &[&[&str]] = &[
        &["SET", "a", "1"],
        &["EXPIRE", "a", "1000"],
        &["RENAME", "a", "b"],
        &["TTL", "b"],
        &["EXISTS", "a"],
        &["RENAME", "nokey", "x"],
        &["RENAME", "b", "b"],
        &["RENAMENX", "b", "b"],
        &["RENAMENX", "nokey", "b"],
        &["SET", "c", "3"],
        &["RENAMENX", "b", "c"],
        &["RENAME", "b", "c"],
        &["GET", "c"],
        &["TTL", "c"],
        &["MOVE", "c", "1"],
        &["MOVE", "c", "1"],
        &["MOVE", "c", "0"],
        &["MOVE", "c", "16"],
        &["MOVE", "c", "-1"],
        &["MOVE", "c", "abc"],
        &["MOVE", "c", "4294967296"],
        &["SELECT", "1"],
        &["GET", "c"],
        &["TTL", "c"],
        &["SET", "d", "x"],
        &["MOVE", "d", "0"],
        &["SELECT", "0"],
        &["SET", "d", "y"],
        &["SELECT", "1"],
        &["MOVE", "d", "0"],
        &["COPY", "c", "c2"],
        &["TTL", "c2"],
        &["COPY", "c", "c2"],
        &["COPY", "c", "c2", "REPLACE"],
        &["COPY", "c", "c"],
        &["COPY", "c", "c", "DB", "1"],
        &["COPY", "c", "c", "DB", "0"],
        &["COPY", "c", "c", "DB", "0"],
        &["COPY", "c", "c", "DB", "99"],
        &["COPY", "c", "c", "DB", "x"],
        &["COPY", "c", "c", "DB"],
        &["COPY", "c", "c", "FOO"],
        &["COPY", "nokey", "z"],
        &["SET", "n", "5"],
        &["OBJECT", "REFCOUNT", "n"],
        &["COPY", "n", "n2"],
        &["OBJECT", "REFCOUNT", "n2"],
        &["OBJECT", "ENCODING", "n2"],
        &["DBSIZE"],
        &["SWAPDB", "0", "1"],
        &["DBSIZE"],
        &["SWAPDB", "0", "0"],
        &["SWAPDB", "0", "16"],
        &["SWAPDB", "a", "1"],
        &["SWAPDB", "0", "b"],
        &["SWAPDB", "-1", "0"],
        &["GET", "d"],
    ];
    d.check_all(cmds);
}

#[test]
fn expire_family() {
    let Some(mut d) = diff("expire_family") else {
        return;
    };
    let cmds: &[&[&str]] = &[
        &["SET", "k", "v"],
        &["TTL", "k"],
        &["PTTL", "k"],
        &["EXPIRETIME", "k"],
        &["TTL", "nokey"],
        &["PEXPIRETIME", "nokey"],
        &["EXPIRE", "nokey", "10"],
        &["EXPIRE", "k", "100"],
        &["TTL", "k"],
        &["EXPIRE", "k", "50", "NX"],
        &["EXPIRE", "k", "50", "XX"],
        &["TTL", "k"],
        &["EXPIRE", "k", "10", "GT"],
        &["EXPIRE", "k", "100", "GT"],
        &["TTL", "k"],
        &["EXPIRE", "k", "200", "LT"],
        &["EXPIRE", "k", "20", "LT"],
        &["TTL", "k"],
        &["EXPIRE", "k", "20", "NX", "XX"],
        &["EXPIRE", "k", "20", "GT", "LT"],
        &["EXPIRE", "k", "20", "NX", "GT"],
        &["EXPIRE", "k", "20", "FOO"],
        &["EXPIRE", "k", "30", "xx", "gt"],
        &["PERSIST", "k"],
        &["PERSIST", "k"],
        &["PERSIST", "nokey"],
        &["EXPIRE", "k", "10", "GT"],
        &["EXPIRE", "k", "10", "LT"],
        &["TTL", "k"],
        &["PERSIST", "k"],
        &["EXPIRE", "k", "10", "XX"],
        &["EXPIRE", "k", "abc"],
        &["EXPIRE", "k", "9223372036854775807"],
        &["EXPIRE", "k", "9223372036854775"],
        &["EXPIRE", "k", "-9223372036854775808"],
        &["PEXPIRE", "k", "9223372036854775807"],
        &["PEXPIREAT", "k", "9223372036854775807"],
        &["PEXPIRETIME", "k"],
        &["EXPIREAT", "k", "9223372036854775"],
        &["EXPIRETIME", "k"],
        &["EXPIREAT", "k", "9223372036854776"],
        &["PEXPIREAT", "k", "100000000000000"],
        &["PEXPIRETIME", "k"],
        &["EXPIRETIME", "k"],
        &["EXPIRE", "k", "-1"],
        &["EXISTS", "k"],
        &["SET", "k", "v"],
        &["EXPIREAT", "k", "1"],
        &["EXISTS", "k"],
        &["SET", "k", "v"],
        &["PEXPIRE", "k", "0"],
        &["EXISTS", "k"],
        &["SET", "k", "v"],
        &["EXPIRE", "k", "0", "LT"],
        &["EXISTS", "k"],
        &["SET", "k", "v"],
        &["EXPIRE", "k", "-5", "LT"],
        &["EXISTS", "k"],
        &["EXPIRE"],
        &["TTL"],
    ];
    d.check_all(cmds);
}

/// Keys with a 1 ms TTL vanish from every reply in both servers.
#[test]
fn expired_keys_never_appear() {
    let Some(mut d) = diff("expired_keys_never_appear") else {
        return;
    };
    d.check(&["DEBUG", "SET-ACTIVE-EXPIRE", "0"]);
    d.check(&["SET", "live", "1"]);
    d.check(&["SET", "gone", "1", "PX", "1"]);
    for s in [&d.ours, &d.theirs] {
        let mut c = s.raw();
        assert!(poll_until(Duration::from_secs(5), || c
            .cmd(&["PTTL", "gone"])
            == b":-2\r\n"));
    }
    let cmds: &[&[&str]] = &[
        &["KEYS", "*"],
        &["SCAN", "0", "COUNT", "100"],
        &["TYPE", "gone"],
        &["EXISTS", "gone"],
        &["GET", "gone"],
        &["RANDOMKEY"],
        &["DBSIZE"],
    ];
    d.check_all(cmds);
}

#[test]
fn scan_and_keys_options() {
    let Some(mut d) = diff("scan_and_keys_options") else {
        return;
    };
    d.check(&["MSET", "a1", "x", "a2", "y", "b1", "z"]);
    let cmds: &[&[&str]] = &[
        &["SCAN", "abc"],
        &["SCAN", "-"],
        &["SCAN", " 0"],
        &["SCAN", "18446744073709551616"],
        &["SCAN", "0", "COUNT", "0"],
        &["SCAN", "0", "COUNT", "abc"],
        &["SCAN", "0", "COUNT"],
        &["SCAN", "0", "FOO", "bar"],
        &["SCAN", "0", "MATCH", "nomatch*", "COUNT", "100"],
        &["SCAN", "0", "TYPE", "list", "COUNT", "100"],
        &["KEYS", "nomatch*"],
        &["KEYS", "b?"],
        &["KEYS", "[b]1"],
    ];
    d.check_all(cmds);
    let sorted = |args: &[&str]| {
        let mut out = Vec::new();
        for s in [&d.ours, &d.theirs] {
            let mut c = s.client();
            let mut v: Vec<Vec<u8>> = redis::cmd(args[0]).arg(&args[1..]).query(&mut c).unwrap();
            v.sort();
            out.push(v);
        }
        assert_eq!(out[0], out[1], "{:?}", args);
        out.pop().unwrap()
    };
    assert_eq!(sorted(&["KEYS", "*"]).len(), 3);
    assert_eq!(sorted(&["KEYS", "a*"]).len(), 2);
    assert_eq!(sorted(&["KEYS", "A*"]).len(), 0);
}

/// SCAN returns each key at least once across a full iteration while the
/// table grows and shrinks between calls.
#[test]
fn scan_full_iteration_while_resizing() {
    let s = Server::start(&[]);
    let mut c = s.client();
    for i in 0..1000 {
        let _: () = redis::cmd("SET")
            .arg(format!("k{}", i))
            .arg(i)
            .query(&mut c)
            .unwrap();
    }
    let mut seen = std::collections::HashSet::new();
    let mut cursor: u64 = 0;
    let mut step = 0;
    loop {
        let (next, keys): (u64, Vec<String>) =
            redis::cmd("SCAN").arg(cursor).query(&mut c).unwrap();
        seen.extend(keys);
        cursor = next;
        if cursor == 0 {
            break;
        }
        // Grow to 5000 keys, then delete the extra ones again.
        step += 1;
        if step < 40 {
            for j in 0..100 {
                let _: () = redis::cmd("SET")
                    .arg(format!("x{}", step * 100 + j))
                    .arg(1)
                    .query(&mut c)
                    .unwrap();
            }
        } else if step == 40 {
            for j in 0..4000 {
                let _: () = redis::cmd("DEL")
                    .arg(format!("x{}", j))
                    .query(&mut c)
                    .unwrap();
            }
        }
    }
    for i in 0..1000 {
        assert!(seen.contains(&format!("k{}", i)), "k{} missed", i);
    }
}

#[test]
fn keys_pathological_pattern_is_fast() {
    let Some(mut d) = diff("keys_pathological_pattern_is_fast") else {
        return;
    };
    d.check(&["SET", &"a".repeat(100), "1"]);
    let p = "*?".repeat(50_000);
    d.check(&["KEYS", &format!("{}b", p)]);
    d.check(&["KEYS", &p]);
}

#[test]
fn flush_and_randomkey() {
    let Some(mut d) = diff("flush_and_randomkey") else {
        return;
    };
    let cmds: &[&[&str]] = &[
        &["RANDOMKEY"],
        &["SET", "only", "1"],
        &["RANDOMKEY"],
        &["FLUSHDB", "FOO"],
        &["FLUSHDB", "ASYNC", "x"],
        &["FLUSHDB", "SYNC"],
        &["DBSIZE"],
        &["MSET", "a", "1", "b", "2"],
        &["SELECT", "2"],
        &["SET", "c", "3"],
        &["FLUSHDB", "ASYNC"],
        &["DBSIZE"],
        &["SET", "c", "3"],
        &["FLUSHALL"],
        &["DBSIZE"],
        &["SELECT", "0"],
        &["DBSIZE"],
        &["SET", "a", "1"],
        &["FLUSHALL", "ASYNC"],
        &["DBSIZE"],
        &["FLUSHALL", "BAD"],
    ];
    d.check_all(cmds);
}

#[test]
fn object_subcommands() {
    let Some(mut d) = diff("object_subcommands") else {
        return;
    };
    let cmds: &[&[&str]] = &[
        &["SET", "s", "hello"],
        &["SET", "i", "1234"],
        &["SET", "big", &"x".repeat(45)],
        &["SET", "e44", &"x".repeat(44)],
        &["OBJECT", "ENCODING", "s"],
        &["OBJECT", "ENCODING", "i"],
        &["OBJECT", "ENCODING", "big"],
        &["OBJECT", "ENCODING", "e44"],
        &["OBJECT", "ENCODING", "nokey"],
        &["OBJECT", "REFCOUNT", "s"],
        &["OBJECT", "REFCOUNT", "i"],
        &["OBJECT", "REFCOUNT", "nokey"],
        &["OBJECT", "IDLETIME", "s"],
        &["OBJECT", "IDLETIME", "nokey"],
        &["OBJECT", "FREQ", "s"],
        &["OBJECT", "HELP"],
        &["object", "help"],
        &["OBJECT", "FOO"],
        &["OBJECT", "ENCODING"],
        &["OBJECT"],
    ];
    d.check_all(cmds);
}

#[test]
fn object_freq_under_lfu() {
    let args = ["--maxmemory-policy", "allkeys-lfu"];
    let Some(mut d) = Differential::start("object_freq_under_lfu", &args) else {
        return;
    };
    let cmds: &[&[&str]] = &[
        &["SET", "s", "1"],
        &["OBJECT", "FREQ", "s"],
        &["OBJECT", "IDLETIME", "s"],
        &["OBJECT", "FREQ", "nokey"],
        &["SET", "i", "100"],
        &["OBJECT", "REFCOUNT", "i"],
    ];
    d.check_all(cmds);
    // With a maxmemory and an LFU policy, integers are not shared.
    let cmds: &[&[&str]] = &[
        &["CONFIG", "SET", "maxmemory", "100mb"],
        &["SET", "j", "100"],
        &["OBJECT", "REFCOUNT", "j"],
        &["CONFIG", "SET", "maxmemory-policy", "noeviction"],
        &["OBJECT", "FREQ", "j"],
        &["SET", "j2", "100"],
        &["OBJECT", "REFCOUNT", "j2"],
        &["CONFIG", "SET", "maxmemory", "0"],
        &["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"],
        &["FLUSHALL"],
        &["RANDOMKEY"],
        &["SCAN", "0"],
        &["SET", "s", "1"],
    ];
    d.check_all(cmds);
    // The counter grows logarithmically with accesses.
    let mut c = d.ours.raw();
    for _ in 0..100 {
        c.cmd(&["GET", "s"]);
    }
    let r = String::from_utf8(c.cmd(&["OBJECT", "FREQ", "s"])).unwrap();
    let n: i64 = r.trim_start_matches(':').trim().parse().unwrap();
    assert!(n > 5 && n < 255, "{}", n);
}

/// DEBUG DIGEST of the same dataset is equal in ferrodis and Redis.
#[test]
fn debug_digest_matches_redis() {
    let Some(mut d) = diff("debug_digest_matches_redis") else {
        return;
    };
    let cmds: &[&[&str]] = &[
        &["DEBUG", "DIGEST"],
        &["DEBUG", "DIGEST-VALUE"],
        &[
            "MSET",
            "a",
            "1",
            "b",
            "hello",
            "c",
            "-12345678901234",
            "d",
            "",
        ],
        &["SET", "big", &"z".repeat(1000)],
        &["APPEND", "b", " world"],
        &["EXPIRE", "a", "1000"],
        &["SELECT", "3"],
        &["SET", "a", "1"],
        &["DEBUG", "POPULATE", "1000"],
        &["DEBUG", "POPULATE", "10", "pre", "20"],
        &["DEBUG", "POPULATE", "5", "pre", "3"],
        &["GET", "pre:1"],
        &["DEBUG", "DIGEST"],
        &["DEBUG", "DIGEST-VALUE", "a", "key:5", "nokey"],
        &["SELECT", "0"],
        &["DEBUG", "DIGEST-VALUE", "a", "b", "c", "big"],
        &["DEBUG", "DIGEST"],
        &["DEBUG", "DIGEST", "x"],
        &["DEBUG", "POPULATE", "-1"],
        &["DEBUG", "POPULATE", "x"],
        &["DEBUG", "POPULATE"],
        &["DEBUG", "POPULATE", "1", "a", "1", "x"],
        &["DEBUG", "OBJECT", "nokey"],
        &["DEBUG", "OBJECT"],
        &["DEBUG", "HTSTATS-KEY", "a"],
        &["DEBUG", "HTSTATS-KEY", "nokey"],
        &["DEBUG", "HTSTATS", "99"],
        &["DEBUG", "HTSTATS", "x"],
        &["DEBUG", "HTSTATS", "5"],
        &["DEBUG", "SET-ACTIVE-EXPIRE"],
        &["DEBUG", "NOSUCHSUB"],
        &["FLUSHALL"],
        &["DEBUG", "DIGEST"],
    ];
    d.check_all(cmds);
}

/// DEBUG OBJECT has Redis's fields (the address differs by nature).
#[test]
fn debug_object_fields() {
    let s = Server::start(&["--enable-debug-command", "yes"]);
    s.cmd(&["SET", "s", "hello"]);
    s.cmd(&["SET", "i", "123"]);
    let r = String::from_utf8(s.cmd(&["DEBUG", "OBJECT", "s"])).unwrap();
    assert!(r.starts_with("+Value at:0x"), "{}", r);
    assert!(
        r.contains(" refcount:1 encoding:embstr serializedlength:6 lru:"),
        "{}",
        r
    );
    let r = String::from_utf8(s.cmd(&["DEBUG", "OBJECT", "i"])).unwrap();
    assert!(
        r.contains("refcount:2147483647 encoding:int serializedlength:2 lru:"),
        "{}",
        r
    );
}

/// The active expire cycle removes keys nobody touches; SET-ACTIVE-EXPIRE 0 stops it.
#[test]
fn active_expiry_reclaims_keys() {
    let s = Server::start(&["--hz", "100", "--enable-debug-command", "yes"]);
    let mut c = s.raw();
    c.cmd(&["DEBUG", "SET-ACTIVE-EXPIRE", "0"]);
    for i in 0..200 {
        c.cmd(&["SET", &format!("k{}", i), "v", "PX", "1"]);
    }
    c.cmd(&["SET", "keep", "v"]);
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(c.cmd(&["DBSIZE"]), b":201\r\n");
    c.cmd(&["DEBUG", "SET-ACTIVE-EXPIRE", "1"]);
    assert!(poll_until(Duration::from_secs(10), || c.cmd(&["DBSIZE"]) == b":1\r\n"));
}

fn info_field(s: &Server, section: &str, name: &str) -> String {
    let text = String::from_utf8(s.cmd(&["INFO", section])).unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{}:", name)))
        .unwrap_or("")
        .to_string()
}

/// INFO keyspace and the hit/miss/expired counters match Redis's after the same commands.
#[test]
fn info_keyspace_and_counters() {
    let Some(mut d) = diff("info_keyspace_and_counters") else {
        return;
    };
    let cmds: &[&[&str]] = &[
        &["MSET", "a", "1", "b", "2", "c", "3"],
        &["GET", "a"],
        &["GET", "nokey"],
        &["MGET", "a", "b", "x", "y"],
        &["EXISTS", "a"],
        &["DEBUG", "SET-ACTIVE-EXPIRE", "0"],
        &["SET", "e", "1", "PX", "1"],
        &["SELECT", "5"],
        &["SET", "z", "1"],
        &["SELECT", "0"],
        &["INCR", "n"],
        &["APPEND", "n", "x"],
        &["SETRANGE", "n", "0", ""],
        &["DEL", "a", "nokey"],
        &["EXPIRE", "b", "1000"],
        &["PERSIST", "b"],
        &["RENAME", "b", "b2"],
        &["COPY", "b2", "b3"],
        &["SWAPDB", "1", "2"],
        &["FLUSHDB", "x"],
        &["MSETNX", "c", "1"],
        &["GETDEL", "c"],
    ];
    d.check_all(cmds);
    // KEYS counts no hits or misses: wait with it, then expire "e" lazily.
    for s in [&d.ours, &d.theirs] {
        let mut c = s.raw();
        assert!(poll_until(Duration::from_secs(5), || c.cmd(&["KEYS", "e"])
            == b"*0\r\n"));
    }
    d.check(&["GET", "e"]);
    for (sec, f) in [
        ("keyspace", "db0"),
        ("keyspace", "db5"),
        ("stats", "keyspace_hits"),
        ("stats", "keyspace_misses"),
        ("stats", "expired_keys"),
        ("persistence", "rdb_changes_since_last_save"),
    ] {
        assert_eq!(
            info_field(&d.ours, sec, f),
            info_field(&d.theirs, sec, f),
            "{}",
            f
        );
    }
}

/// OBJECT IDLETIME grows while a key is untouched; reads and TOUCH reset it,
/// OBJECT itself and TYPE/EXISTS do not. The clock has 1 s resolution, so a
/// reset shows as at most 1 after an idle time of at least 2.
#[test]
fn idletime_is_real() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    let idle = |c: &mut RawConn| -> i64 {
        let r = String::from_utf8(c.cmd(&["OBJECT", "IDLETIME", "k"])).unwrap();
        r.trim_start_matches(':').trim().parse().unwrap()
    };
    c.cmd(&["SET", "k", "v"]);
    for reset in [&["GET", "k"][..], &["TOUCH", "k"]] {
        assert!(poll_until(Duration::from_secs(5), || idle(&mut c) >= 2));
        c.cmd(&["TYPE", "k"]);
        c.cmd(&["EXISTS", "k"]);
        assert!(idle(&mut c) >= 2);
        c.cmd(reset);
        assert!(idle(&mut c) <= 1, "{:?}", reset);
    }
}

/// FLUSHALL adds the flushed keys to the dirty counter and nothing more; with
/// save points it saves at once, which leaves the counter at 0.
#[test]
fn flushall_dirty_counter_with_and_without_save_points() {
    let Some(mut d) = diff("flushall_dirty_counter") else {
        return;
    };
    for save in ["", "3600 1"] {
        d.check(&["CONFIG", "SET", "save", save]);
        d.check(&["MSET", "a", "1", "b", "2", "c", "3"]);
        d.check(&["FLUSHALL"]);
        d.check(&["FLUSHALL"]);
        let f = "rdb_changes_since_last_save";
        let ours = info_field(&d.ours, "persistence", f);
        assert_eq!(
            ours,
            info_field(&d.theirs, "persistence", f),
            "save {save:?}"
        );
    }
}

/// UNLINK of a big value frees it in the background and counts it in INFO
/// lazyfreed_objects; CONFIG RESETSTAT clears the count.
#[test]
fn lazyfreed_objects_counts_background_frees() {
    let Some(mut d) = diff("lazyfreed_objects") else {
        return;
    };
    let mut args = vec!["HSET".to_string(), "h".to_string()];
    // Past hash-max-listpack-entries (512), so a hashtable worth freeing lazily.
    for i in 0..1000 {
        args.push(format!("f{i}"));
        args.push("v".to_string());
    }
    let args: Vec<&str> = args.iter().map(|a| a.as_str()).collect();
    d.check(&args);
    d.check(&["UNLINK", "h"]);
    for s in [&d.ours, &d.theirs] {
        assert!(
            poll_until(Duration::from_secs(10), || info_field(
                s,
                "memory",
                "lazyfreed_objects"
            ) == "1"),
            "lazyfreed_objects never reached 1"
        );
        assert_eq!(info_field(s, "memory", "lazyfree_pending_objects"), "0");
    }
    d.check(&["CONFIG", "RESETSTAT"]);
    let f = "lazyfreed_objects";
    assert_eq!(info_field(&d.ours, "memory", f), "0");
    assert_eq!(info_field(&d.theirs, "memory", f), "0");
}
