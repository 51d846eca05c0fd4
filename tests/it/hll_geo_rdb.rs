//! HyperLogLogs (sparse and dense) and geo sets written by redis-server load
//! in ferrodis through an RDB file, and ferrodis's file loads in Redis, with
//! identical replies and DEBUG DIGEST at every step (issue 8).

use std::path::Path;

use crate::support::*;

/// Builds the dataset on `s`: a sparse and a dense HLL, a merged one, and
/// geo sets in both zset encodings.
fn fill(s: &Server) {
    let mut c = s.raw();
    c.cmd(&["PFADD", "hll:sparse", "a", "b", "c", "d"]);
    let many: Vec<String> = (0..20_000).map(|i| format!("m{i}")).collect();
    let mut args = vec!["PFADD", "hll:dense"];
    args.extend(many.iter().map(|m| m.as_str()));
    c.cmd(&args);
    c.cmd(&["PFMERGE", "hll:merged", "hll:sparse", "hll:dense"]);
    c.cmd(&[
        "GEOADD",
        "geo:small",
        "13.361389",
        "38.115556",
        "Palermo",
        "15.087269",
        "37.502669",
        "Catania",
    ]);
    let mut args = vec!["GEOADD".to_string(), "geo:big".to_string()];
    for i in 0..300 {
        args.push(format!("{}", -170.0 + i as f64 * 1.1));
        args.push(format!("{}", -80.0 + (i % 160) as f64));
        args.push(format!("p{i}"));
    }
    let args: Vec<&str> = args.iter().map(|a| a.as_str()).collect();
    c.cmd(&args);
}

/// The replies a client would compare.
fn state(s: &Server) -> Vec<Vec<u8>> {
    let mut c = s.raw();
    let cmds: &[&[&str]] = &[
        &["PFCOUNT", "hll:sparse"],
        &["PFCOUNT", "hll:dense"],
        &["PFCOUNT", "hll:merged"],
        &["PFCOUNT", "hll:sparse", "hll:dense"],
        &["GET", "hll:sparse"],
        &["GET", "hll:dense"],
        &["OBJECT", "ENCODING", "geo:small"],
        &["OBJECT", "ENCODING", "geo:big"],
        &["GEOPOS", "geo:small", "Palermo", "Catania"],
        &["GEOHASH", "geo:big", "p0", "p150", "p299"],
        &["GEODIST", "geo:small", "Palermo", "Catania", "km"],
        &[
            "GEOSEARCH",
            "geo:big",
            "FROMLONLAT",
            "0",
            "0",
            "BYRADIUS",
            "3000",
            "km",
            "ASC",
            "WITHCOORD",
            "WITHDIST",
            "WITHHASH",
        ],
        &["ZRANGE", "geo:big", "0", "-1", "WITHSCORES"],
        &["DEBUG", "DIGEST"],
    ];
    cmds.iter().map(|a| c.cmd(a)).collect()
}

fn start_with_file(flavor: Flavor, rdb: &Path, dir: &TempDir) -> Server {
    std::fs::copy(rdb, dir.path().join("dump.rdb")).unwrap();
    let d = dir.path().to_str().unwrap();
    let s = Server::spawn(flavor, &["--dir", d, "--enable-debug-command", "yes"]);
    let loaded = || !s.cmd(&["PING"]).starts_with(b"-LOADING");
    assert!(poll_until(std::time::Duration::from_secs(20), loaded));
    s
}

#[test]
fn hll_and_geo_move_between_redis_and_ferrodis() {
    if !have_redis("hll_and_geo_move_between_redis_and_ferrodis") {
        return;
    }
    let redis1 = Server::start_redis(&["--enable-debug-command", "yes"]);
    fill(&redis1);
    let want = state(&redis1);
    assert_eq!(redis1.cmd(&["SAVE"]), b"+OK\r\n");
    let d1 = TempDir::new("hgrdb-a");
    let ours = start_with_file(Flavor::Ferrodis, &redis1.dir.path().join("dump.rdb"), &d1);
    assert_eq!(state(&ours), want, "Redis's file loaded in ferrodis");
    // Counting through the cached cardinality and after an update.
    assert_eq!(
        ours.cmd(&["PFADD", "hll:dense", "new"]),
        redis1.cmd(&["PFADD", "hll:dense", "new"])
    );
    assert_eq!(state(&ours), state(&redis1), "after PFADD on both");
    assert_eq!(ours.cmd(&["SAVE"]), b"+OK\r\n");
    let d2 = TempDir::new("hgrdb-b");
    let redis2 = start_with_file(Flavor::Redis, &d1.path().join("dump.rdb"), &d2);
    assert_eq!(
        state(&redis2),
        state(&redis1),
        "ferrodis's file loaded in Redis"
    );
}
