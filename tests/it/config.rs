//! Configuration at runtime: CONFIG GET/SET/REWRITE/HELP/RESETSTAT compared
//! with redis-server, and the effect of apply hooks (config_files.rs covers
//! startup).

use crate::support::*;

/// Settings that differ by design between the two servers of a differential
/// test: each runs on its own port, directory and log file.
const PER_SERVER: [&str; 3] = ["port", "dir", "logfile"];

/// Parses a flat array of bulk strings into (name, value) pairs, sorted:
/// Redis orders CONFIG GET results by its hash table, which is randomized.
pub fn pairs(reply: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(reply).into_owned();
    let mut lines = text.split("\r\n");
    let head = lines.next().unwrap_or("");
    let n: usize = head
        .strip_prefix('*')
        .unwrap_or_else(|| panic!("not an array: {}", text))
        .parse()
        .unwrap();
    let mut items = Vec::new();
    for _ in 0..n {
        let _len = lines.next();
        items.push(lines.next().unwrap_or("").to_string());
    }
    let mut out: Vec<(String, String)> = items
        .chunks(2)
        .map(|p| (p[0].clone(), p[1].clone()))
        .collect();
    out.sort();
    out
}

pub fn get_pairs(c: &mut RawConn, patterns: &[&str]) -> Vec<(String, String)> {
    let mut args = vec!["CONFIG", "GET"];
    args.extend_from_slice(patterns);
    pairs(&c.cmd(&args))
}

#[test]
fn config_get_star_matches_redis() {
    let Some(mut d) = Differential::start("config_get_star_matches_redis", &[]) else {
        return;
    };
    let mut ours = d.ours.raw();
    let mut theirs = d.theirs.raw();
    let drop_per_server = |v: Vec<(String, String)>| -> Vec<(String, String)> {
        v.into_iter()
            .filter(|(k, _)| !PER_SERVER.contains(&k.as_str()))
            .collect()
    };
    let all_ours = get_pairs(&mut ours, &["*"]);
    let all_theirs = get_pairs(&mut theirs, &["*"]);
    assert_eq!(all_ours.len(), all_theirs.len());
    assert_eq!(
        drop_per_server(all_ours),
        drop_per_server(all_theirs.clone())
    );
    // Each name alone, byte for byte.
    for (name, _) in &all_theirs {
        if !PER_SERVER.contains(&name.as_str()) {
            d.check(&["CONFIG", "GET", name]);
            d.check(&["CONFIG", "GET", &name.to_uppercase()]);
        }
    }
    // Hidden configs answer only to their exact name.
    for name in [
        "use-exit-on-panic",
        "rdb-key-save-delay",
        "key-load-delay",
        "watchdog-period",
        "loading-process-events-interval-bytes",
        "rdb-key*",
        "*-delay",
        "list-max-ziplist-entries",
        "lua-replicate-commands",
        "nosuchconfig",
    ] {
        d.check(&["CONFIG", "GET", name]);
    }
}

#[test]
fn config_get_patterns_match_redis() {
    let Some(d) = Differential::start("config_get_patterns_match_redis", &[]) else {
        return;
    };
    let mut ours = d.ours.raw();
    let mut theirs = d.theirs.raw();
    for patterns in [
        &["port", "PORT"][..],
        &["port", "p*"],
        &["P*", "port"],
        &["*max*"],
        &["slave*"],
        &["*replica*", "slave*"],
        &["[a-c]*"],
        &["[^a-r]*"],
        &["?z"],
        &["replicaof", "slaveof"],
        &[
            "save",
            "bind",
            "client-output-buffer-limit",
            "oom-score-adj-values",
        ],
        &["maxmemory", "MAXMEMORY", "maxmemory*"],
        &["nosuch*", "nosuch"],
        &["*\\-max-*"],
    ] {
        let shared = |v: Vec<(String, String)>| -> Vec<(String, String)> {
            v.into_iter()
                .filter(|(k, _)| !PER_SERVER.contains(&k.to_lowercase().as_str()))
                .collect()
        };
        let (a, b) = (
            get_pairs(&mut ours, patterns),
            get_pairs(&mut theirs, patterns),
        );
        assert_eq!(a.len(), b.len(), "CONFIG GET {:?}", patterns);
        assert_eq!(shared(a), shared(b), "CONFIG GET {:?}", patterns);
    }
}

/// Values that fail (or succeed) the same way for every config type.
const PROBE_VALUES: [&str; 7] = [
    "abc",
    "-5",
    "0",
    "1.5",
    "99999999999999999999999",
    "-99999999999999999999",
    "",
];

/// Configs whose changes act on the test itself (listeners, passwords) or
/// on TLS, which only Redis has.
const NOT_PROBED: [&str; 5] = ["bind", "port", "requirepass", "tls-port", "dir"];

#[test]
fn config_set_values_match_redis_for_every_config() {
    let Some(mut d) = Differential::start("config_set_values_match_redis_for_every_config", &[])
    else {
        return;
    };
    let all = get_pairs(&mut d.theirs.raw(), &["*"]);
    for (name, original) in &all {
        if NOT_PROBED.contains(&name.as_str()) || PER_SERVER.contains(&name.as_str()) {
            continue;
        }
        d.check(&["CONFIG", "SET", name, original]);
        for v in PROBE_VALUES {
            d.check(&["CONFIG", "SET", name, v]);
            d.check(&["CONFIG", "GET", name]);
            d.check(&["CONFIG", "SET", name, original]);
        }
    }
}

#[test]
fn config_set_special_syntaxes_match_redis() {
    let Some(mut d) = Differential::start("config_set_special_syntaxes_match_redis", &[]) else {
        return;
    };
    let cases: &[(&str, &[&str])] = &[
        (
            "save",
            &[
                "100 10 200 20",
                "100  10",
                " 100 10",
                "0100 010",
                "+5 -0",
                "5 99999999999",
                "1 2 3",
                "a b",
                "",
            ],
        ),
        (
            "client-output-buffer-limit",
            &[
                "normal 1mb 2mb 3 replica 1k 2kb 4",
                "slave 1 2 3 PUBSUB 4 5 6 pubsub 7 8 9",
                "pubsub 1 2 -3",
                "pubsub 1 2 3x",
                "pubsub 1 2 4294967295",
                "master 1 2 3",
                "normal 1 2",
                "normal 1x 2 3",
                "",
            ],
        ),
        (
            "notify-keyspace-events",
            &[
                "KEA",
                "Kg$",
                "lshzxetmdn",
                "g$lshzxetdmn",
                "Elsh",
                "Kx",
                "KEAq",
                "",
                "A K",
            ],
        ),
        (
            "oom-score-adj-values",
            &["1 2 3", "10 5 1", "-3000 0 0", "1 2 3x", "1 2", "0 200 800"],
        ),
        (
            "latency-tracking-info-percentiles",
            &[
                "50 99.99 0.000001 100",
                "1e1 5.5000",
                "",
                "50  99",
                "101",
                "abc",
                "50 99 99.9",
            ],
        ),
        (
            "shutdown-on-sigterm",
            &[
                "nosave now",
                "now nosave",
                "save nosave",
                "force now save",
                "",
                "default now",
                "NOW",
                "default",
            ],
        ),
        (
            "maxmemory",
            &[
                "1GB",
                "1b",
                "0b",
                "kb",
                "00012",
                "18446744073709551615kb",
                "1 2",
                "0",
            ],
        ),
        (
            "maxmemory-clients",
            &["10%", "0%", "200%", "-1%", "1%%", "%", "5", "0"],
        ),
        ("unixsocketperm", &["777"]),
        ("hz", &["1000", "0", "10"]),
        (
            "proc-title-template",
            &[
                "",
                "abc",
                "{title}",
                "{foo}",
                "{title",
                "{title}}",
                "{port}",
                "{server-mode}",
                "{title} {listen-addr} {server-mode}",
            ],
        ),
        (
            "cluster-announce-hostname",
            &["bad_host!", "good-host.x", "-a", ""],
        ),
        (
            "maxmemory-policy",
            &["ALLKEYS-LRU", "allkeys_lru", "noeviction"],
        ),
        (
            "oom-score-adj",
            &["yes", "relative", "absolute", "maybe", "no"],
        ),
        ("slaveof", &["no one", "127.0.0.1 6379"]),
        ("appendonly", &["YES", "no"]),
    ];
    for (name, values) in cases {
        for v in values.iter() {
            d.check(&["CONFIG", "SET", name, v]);
            d.check(&["CONFIG", "GET", name]);
        }
    }
}

#[test]
fn config_set_several_parameters_match_redis() {
    let Some(mut d) = Differential::start("config_set_several_parameters_match_redis", &[]) else {
        return;
    };
    let cmds: &[&[&str]] = &[
        &[
            "CONFIG",
            "SET",
            "maxmemory",
            "10mb",
            "hz",
            "20",
            "timeout",
            "5",
        ],
        &["CONFIG", "GET", "maxmemory"],
        &["CONFIG", "GET", "hz"],
        // A failing value restores the ones already set.
        &["CONFIG", "SET", "maxmemory", "20mb", "hz", "abc"],
        &["CONFIG", "GET", "maxmemory"],
        &["CONFIG", "SET", "hz", "5", "hz", "6"],
        &["CONFIG", "SET", "hz", "5", "HZ", "6"],
        &["CONFIG", "SET", "maxmemory", "1", "maxmemory", "abc"],
        &[
            "CONFIG",
            "SET",
            "replica-priority",
            "5",
            "slave-priority",
            "6",
        ],
        &["CONFIG", "GET", "replica-priority"],
        &["CONFIG", "SET", "port", "1", "2"],
        &["CONFIG", "SET", "port"],
        &["CONFIG", "SET"],
        &["CONFIG", "SET", "foo", "bar", "port", "abc"],
        &["CONFIG", "SET", "port", "abc", "foo", "bar"],
        &["CONFIG", "SET", "daemonize", "no", "foo", "bar"],
        &["CONFIG", "SET", "foo", "bar", "daemonize", "no"],
        &["CONFIG", "SET", "hz", "5", "daemonize", "no", "dir", "/tmp"],
        &["CONFIG", "SET", "hz", "7", "dir", "/tmp", "daemonize", "no"],
        &["CONFIG", "SET", "PORT", "abc"],
        &["CONFIG", "SET", "SLAVE-PRIORITY", "abc"],
        &["CONFIG", "SET", "Slave-Priority", "7"],
        &["CONFIG", "SET", "dbfilename", "x.rdb"],
        &["CONFIG", "SET", "enable-protected-configs", "yes"],
        &["CONFIG", "SET", "replicaof", "no one"],
    ];
    d.check_all(cmds);
    let wanted = ["hz", "timeout", "slave-priority", "maxmemory"];
    assert_eq!(
        get_pairs(&mut d.ours.raw(), &wanted),
        get_pairs(&mut d.theirs.raw(), &wanted)
    );
}

#[test]
fn config_subcommands_match_redis() {
    let Some(mut d) = Differential::start("config_subcommands_match_redis", &[]) else {
        return;
    };
    d.check_all(&[
        &["CONFIG", "HELP"],
        &["config", "help"],
        &["CONFIG", "HELP", "x"],
        &["CONFIG", "RESETSTAT"],
        &["CONFIG", "RESETSTAT", "x"],
        &["CONFIG", "REWRITE"],
        &["CONFIG", "REWRITE", "x"],
        &["CONFIG", "GET"],
        &["CONFIG"],
        &["CONFIG", "foo"],
    ]);
}

#[test]
fn resetstat_clears_command_stats() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    c.cmd(&["PING"]);
    c.cmd(&["NOSUCHCOMMAND"]);
    assert_eq!(c.cmd(&["CONFIG", "RESETSTAT"]), b"+OK\r\n");
    let info = String::from_utf8_lossy(&c.cmd(&["INFO", "stats"])).into_owned();
    assert!(info.contains("total_error_replies:0"), "{}", info);
    let cmdstats = String::from_utf8_lossy(&c.cmd(&["INFO", "commandstats"])).into_owned();
    assert!(!cmdstats.contains("cmdstat_ping"), "{}", cmdstats);
}

#[test]
fn protected_configs_when_enabled_match_redis() {
    let args = ["--enable-protected-configs", "yes"];
    let Some(mut d) = Differential::start("protected_configs_when_enabled_match_redis", &args)
    else {
        return;
    };
    let ours_dir = d.ours.dir.path().to_string_lossy().into_owned();
    d.check_all(&[
        &["CONFIG", "SET", "dir", "/nonexistent-ferrodis-dir"],
        &["CONFIG", "SET", "dbfilename", "a/b"],
        &["CONFIG", "SET", "dbfilename", "a\\b"],
        &["CONFIG", "SET", "dbfilename", "x.rdb"],
        &["CONFIG", "GET", "dbfilename"],
        &["CONFIG", "SET", "dir", "/"],
        &["CONFIG", "GET", "dir"],
    ]);
    let mut c = d.ours.raw();
    assert_eq!(c.cmd(&["CONFIG", "SET", "dir", &ours_dir]), b"+OK\r\n");
}

#[test]
fn protected_configs_for_local_clients_match_redis() {
    let args = ["--enable-protected-configs", "local"];
    let Some(mut d) = Differential::start("protected_configs_for_local_clients_match_redis", &args)
    else {
        return;
    };
    d.check_all(&[
        &["CONFIG", "SET", "dbfilename", "y.rdb"],
        &["CONFIG", "GET", "dbfilename"],
        &["CONFIG", "SET", "dbfilename", "a/b"],
    ]);
}

#[test]
fn runtime_changes_take_effect() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    // Rebinding: the old port closes, the new one answers.
    let new_port = free_port();
    let reply = c.cmd(&["CONFIG", "SET", "port", &new_port.to_string()]);
    assert_eq!(reply, b"+OK\r\n");
    assert!(std::net::TcpStream::connect(("127.0.0.1", s.port)).is_err());
    let mut c2 = RawConn::connect(new_port);
    assert_eq!(c2.cmd(&["PING"]), b"+PONG\r\n");
    // A port in use fails and keeps the listener we had.
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let busy_port = busy.local_addr().unwrap().port().to_string();
    let reply = c2.cmd(&["CONFIG", "SET", "port", &busy_port]);
    assert_eq!(
        String::from_utf8_lossy(&reply),
        "-ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.\r\n"
    );
    assert_eq!(RawConn::connect(new_port).cmd(&["PING"]), b"+PONG\r\n");
    let reply = c2.cmd(&["CONFIG", "SET", "bind", "127.0.0.1 192.0.2.1"]);
    assert_eq!(
        String::from_utf8_lossy(&reply),
        "-ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to specified addresses.\r\n"
    );
    assert_eq!(RawConn::connect(new_port).cmd(&["PING"]), b"+PONG\r\n");
    assert_eq!(
        c2.cmd(&["CONFIG", "GET", "bind"]),
        b"*2\r\n$4\r\nbind\r\n$9\r\n127.0.0.1\r\n"
    );
    // hz is clamped, loglevel reaches the logger.
    assert_eq!(c2.cmd(&["CONFIG", "SET", "hz", "1000"]), b"+OK\r\n");
    assert_eq!(
        c2.cmd(&["CONFIG", "GET", "hz"]),
        b"*2\r\n$2\r\nhz\r\n$3\r\n500\r\n"
    );
    assert_eq!(c2.cmd(&["CONFIG", "SET", "loglevel", "debug"]), b"+OK\r\n");
    assert_eq!(c2.cmd(&["CONFIG", "SET", "maxclients", "100"]), b"+OK\r\n");
    assert_eq!(
        c2.cmd(&["CONFIG", "GET", "maxclients"]),
        b"*2\r\n$10\r\nmaxclients\r\n$3\r\n100\r\n"
    );
}
