//! Keyspace notifications of the hash, set and sorted set commands against
//! redis-server: the same events in the same order. Skips while ferrodis
//! has no pub/sub (PSUBSCRIBE unknown).

use crate::support::*;

#[test]
fn coll_keyspace_events_match_redis() {
    if !have_redis("coll_keyspace_events_match_redis") {
        return;
    }
    let args = ["--notify-keyspace-events", "EA"];
    let ours = Server::start(&args);
    let theirs = Server::start_redis(&args);
    let cmds: &[&[&str]] = &[
        &["HSET", "h", "a", "1", "b", "2"],
        &["HSETNX", "h", "a", "x"],
        &["HSETNX", "h", "c", "x"],
        &["HINCRBY", "h", "n", "1"],
        &["HINCRBYFLOAT", "h", "f", "1.5"],
        &["HDEL", "h", "zz"],
        &["HDEL", "h", "a", "b", "c", "n", "f"],
        &["SADD", "s", "1", "2", "3"],
        &["SADD", "s", "1"],
        &["SREM", "s", "1"],
        &["SMOVE", "s", "t", "2"],
        &["SPOP", "s"],
        &["SADD", "u", "a", "b"],
        &["SUNIONSTORE", "d", "u", "t"],
        &["SINTERSTORE", "d", "u", "t"],
        &["SDIFFSTORE", "d", "u", "t"],
        &["SPOP", "u", "5"],
        &["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"],
        &["ZADD", "z", "NX", "1", "a"],
        &["ZINCRBY", "z", "1", "a"],
        &["ZREM", "z", "a"],
        &["ZREMRANGEBYRANK", "z", "0", "0"],
        &["ZREMRANGEBYSCORE", "z", "3", "3"],
        &["ZADD", "z", "5", "e", "6", "f"],
        &["ZPOPMIN", "z"],
        &["ZPOPMAX", "z", "5"],
        &["ZADD", "y", "0", "a", "0", "b"],
        &["ZREMRANGEBYLEX", "y", "-", "+"],
        &["ZADD", "y", "1", "a"],
        &["ZUNIONSTORE", "zd", "1", "y"],
        &["ZINTERSTORE", "zd", "2", "y", "nokey"],
        &["ZRANGESTORE", "zd", "y", "0", "-1"],
        &["ZDIFFSTORE", "zd", "1", "y"],
        &["ZMPOP", "1", "y", "MIN"],
    ];
    let Some(a) = keyevents(&ours, cmds) else {
        eprintln!("SKIP coll_keyspace_events_match_redis: no pub/sub in ferrodis yet");
        return;
    };
    let b = keyevents(&theirs, cmds).expect("redis subscribes");
    assert_eq!(a, b);
}
