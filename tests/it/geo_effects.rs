//! Side effects of the geo commands against redis-server: keyspace events
//! (GEOADD fires zadd, the stores georadiusstore / geosearchstore / del)
//! and the AOF (GEOADD propagated as Redis's rewritten ZADD).

use crate::support::*;
use std::time::Duration;

#[test]
fn geo_keyspace_events_match_redis() {
    if !have_redis("geo_keyspace_events_match_redis") {
        return;
    }
    let args = ["--notify-keyspace-events", "EA"];
    let ours = Server::start(&args);
    let theirs = Server::start_redis(&args);
    let cmds: &[&[&str]] = &[
        &[
            "GEOADD",
            "g",
            "13.361389",
            "38.115556",
            "P",
            "15.087269",
            "37.502669",
            "C",
        ],
        &["GEOADD", "g", "13.361389", "38.115556", "P"],
        &["GEOADD", "g", "NX", "1", "1", "P"],
        &["GEOADD", "g", "XX", "1", "1", "P"],
        &["GEOADD", "g", "XX", "1", "1", "nosuch"],
        &["GEORADIUS", "g", "15", "37", "200", "km", "STORE", "d"],
        &["GEORADIUS", "g", "15", "37", "200", "km", "STOREDIST", "d"],
        &["GEORADIUSBYMEMBER", "g", "C", "1", "m", "STORE", "d"],
        &["GEORADIUSBYMEMBER", "g", "C", "1", "m", "STORE", "d"],
        &[
            "GEOSEARCHSTORE",
            "d",
            "g",
            "FROMMEMBER",
            "P",
            "BYRADIUS",
            "900",
            "km",
        ],
        &[
            "GEOSEARCHSTORE",
            "d",
            "nokey",
            "FROMMEMBER",
            "P",
            "BYRADIUS",
            "9",
            "km",
        ],
        &["GEOSEARCH", "g", "FROMMEMBER", "P", "BYRADIUS", "900", "km"],
    ];
    let Some(a) = keyevents(&ours, cmds) else {
        eprintln!("SKIP geo_keyspace_events_match_redis: no pub/sub in ferrodis yet");
        return;
    };
    let b = keyevents(&theirs, cmds).expect("redis subscribes");
    assert_eq!(a, b);
}

/// GEOADD reaches the AOF as the ZADD Redis rewrites it into (integer
/// scores, the options as given); the search stores as sent.
#[test]
fn geo_aof_matches_redis_byte_for_byte() {
    if !have_redis("geo_aof_matches_redis_byte_for_byte") {
        return;
    }
    let mut files = Vec::new();
    for flavor in [Flavor::Ferrodis, Flavor::Redis] {
        let dir = TempDir::new("geo-aof");
        let d = dir.path().to_str().expect("utf-8 temp dir").to_string();
        let args = [
            "--appendonly",
            "yes",
            "--aof-use-rdb-preamble",
            "no",
            "--appendfsync",
            "always",
            "--dir",
            &d,
        ];
        let s = Server::spawn(flavor, &args);
        let mut c = s.raw();
        for cmd in [
            &[
                "GEOADD",
                "g",
                "13.361389",
                "38.115556",
                "P",
                "15.087269",
                "37.502669",
                "C",
            ][..],
            &[
                "GEOADD",
                "g",
                "ch",
                "XX",
                "180",
                "85.05112878",
                "P",
                "1",
                "1",
                "new",
            ],
            &[
                "GEOADD",
                "g",
                "NX",
                "-180",
                "-85.05112878",
                "sw",
                "1",
                "1",
                "P",
            ],
            &["GEOADD", "g", "13.361389", "38.115556", "P"],
            &["GEOADD", "g", "200", "1", "bad"],
            &["GEORADIUS", "g", "15", "37", "200", "km", "STORE", "d"],
            &["GEORADIUS", "g", "15", "37", "200", "km"],
            &[
                "GEOSEARCHSTORE",
                "d2",
                "g",
                "FROMMEMBER",
                "C",
                "BYBOX",
                "9",
                "9",
                "km",
            ],
            &[
                "GEOSEARCHSTORE",
                "d2",
                "nokey",
                "FROMMEMBER",
                "C",
                "BYBOX",
                "9",
                "9",
                "km",
            ],
            &["SET", "marker", "1"],
        ] {
            c.cmd(cmd);
        }
        let incr = dir.path().join("appendonlydir/appendonly.aof.1.incr.aof");
        let mut bytes = Vec::new();
        assert!(poll_until(Duration::from_secs(10), || {
            bytes = std::fs::read(&incr).unwrap_or_default();
            bytes.windows(6).any(|w| w == b"marker")
        }));
        files.push(String::from_utf8_lossy(&bytes).into_owned());
        drop(s);
    }
    assert!(files[1].contains("zadd\r\n$1\r\ng\r\n$16\r\n3479099956230698"));
    assert_eq!(files[0], files[1]);
}
