//! The keyspace events of the hash, set and sorted set commands, in
//! Redis's order (checked in-process until pub/sub delivers them). The
//! expected lists were recorded from redis-server 7.0.15 with "KEAnm".

use crate::keyspace::notify::event_tests::{run, setup};

#[test]
fn collection_events_match_redis() {
    let (mut srv, mut c, _poll) = setup();
    let cases: &[(&[&str], &[&str])] = &[
        (&["HSET", "h", "a", "1", "b", "2"], &["new:h@0", "hset:h@0"]),
        (&["HSET", "h", "a", "1"], &["hset:h@0"]),
        (&["HSETNX", "h", "a", "x"], &[]),
        (&["HSETNX", "h", "c", "x"], &["hset:h@0"]),
        (&["HINCRBY", "h", "n", "1"], &["hincrby:h@0"]),
        (&["HINCRBYFLOAT", "h", "f", "1.5"], &["hincrbyfloat:h@0"]),
        (&["HDEL", "h", "zz"], &[]),
        (
            &["HDEL", "h", "a", "b", "c", "n", "f"],
            &["hdel:h@0", "del:h@0"],
        ),
        (&["HGET", "nokey", "a"], &["keymiss:nokey@0"]),
        (&["SADD", "s", "1", "2", "3"], &["new:s@0", "sadd:s@0"]),
        (&["SADD", "s", "1"], &[]),
        (&["SREM", "s", "1"], &["srem:s@0"]),
        (
            &["SMOVE", "s", "t", "2"],
            &["srem:s@0", "new:t@0", "sadd:t@0"],
        ),
        (&["SMOVE", "s", "t", "9"], &[]),
        (&["SPOP", "s"], &["spop:s@0", "del:s@0"]),
        (&["SADD", "u", "a", "b"], &["new:u@0", "sadd:u@0"]),
        (
            &["SUNIONSTORE", "d", "u", "t"],
            &["new:d@0", "sunionstore:d@0"],
        ),
        (&["SINTERSTORE", "d", "u", "t"], &["del:d@0"]),
        (
            &["SDIFFSTORE", "d", "u", "t"],
            &["new:d@0", "sdiffstore:d@0"],
        ),
        (
            &["SINTERSTORE", "d", "u", "nokey"],
            &["keymiss:nokey@0", "del:d@0"],
        ),
        (
            &[
                "SADD", "v", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j",
            ],
            &["new:v@0", "sadd:v@0"],
        ),
        (&["SPOP", "v", "2"], &["spop:v@0"]),
        (&["SPOP", "v", "5"], &["spop:v@0"]),
        (&["SPOP", "v", "50"], &["spop:v@0", "del:v@0"]),
        (&["SREM", "u", "a", "b"], &["srem:u@0", "del:u@0"]),
        (
            &["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"],
            &["new:z@0", "zadd:z@0"],
        ),
        (&["ZADD", "z", "NX", "1", "a"], &[]),
        (&["ZADD", "z", "XX", "CH", "5", "a"], &["zadd:z@0"]),
        (&["ZINCRBY", "z", "1", "a"], &["zincr:z@0"]),
        (&["ZADD", "z", "INCR", "1", "a"], &["zincr:z@0"]),
        (&["ZREM", "z", "a"], &["zrem:z@0"]),
        (
            &["ZREMRANGEBYRANK", "z", "0", "0"],
            &["zremrangebyrank:z@0"],
        ),
        (
            &["ZREMRANGEBYSCORE", "z", "3", "3"],
            &["zremrangebyscore:z@0"],
        ),
        (&["ZADD", "z", "5", "e", "6", "f"], &["zadd:z@0"]),
        (&["ZPOPMIN", "z"], &["zpopmin:z@0"]),
        (&["ZPOPMAX", "z", "5"], &["zpopmax:z@0", "del:z@0"]),
        (&["ZADD", "y", "0", "a", "0", "b"], &["new:y@0", "zadd:y@0"]),
        (
            &["ZREMRANGEBYLEX", "y", "-", "+"],
            &["zremrangebylex:y@0", "del:y@0"],
        ),
        (&["ZADD", "y", "1", "a"], &["new:y@0", "zadd:y@0"]),
        (
            &["ZUNIONSTORE", "zd", "1", "y"],
            &["new:zd@0", "zunionstore:zd@0"],
        ),
        (
            &["ZINTERSTORE", "zd", "2", "y", "nokey"],
            &["keymiss:nokey@0", "del:zd@0"],
        ),
        (
            &["ZRANGESTORE", "zd", "y", "0", "-1"],
            &["new:zd@0", "zrangestore:zd@0"],
        ),
        (&["ZDIFFSTORE", "zd", "1", "y"], &["zdiffstore:zd@0"]),
        (&["ZRANGESTORE", "zd", "y", "5", "6"], &["del:zd@0"]),
        (&["ZMPOP", "1", "y", "MIN"], &["zpopmin:y@0", "del:y@0"]),
        (&["ZADD", "w", "1", "a"], &["new:w@0", "zadd:w@0"]),
        (&["BZPOPMIN", "w", "0"], &["zpopmin:w@0", "del:w@0"]),
        (&["ZADD", "w", "1", "a", "2", "b"], &["new:w@0", "zadd:w@0"]),
        (
            &["BZMPOP", "0", "1", "w", "MAX", "COUNT", "5"],
            &["zpopmax:w@0", "del:w@0"],
        ),
        (&["ZRANGE", "nokey", "0", "1"], &["keymiss:nokey@0"]),
        (&["SET", "str", "x"], &["new:str@0", "set:str@0"]),
        (&["HSET", "str", "a", "b"], &[]),
        (&["SADD", "q", "x"], &["new:q@0", "sadd:q@0"]),
        (&["SMOVE", "q", "str", "x"], &[]),
    ];
    for (cmd, want) in cases {
        assert_eq!(run(&mut srv, &mut c, cmd), *want, "{:?}", cmd);
    }
}
