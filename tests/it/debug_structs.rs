//! DEBUG LISTPACK and DEBUG QUICKLIST replies and errors against redis-server
//! (the dumps go to stdout; their format is unit-tested in src/ds).

use crate::support::Differential;

#[test]
fn debug_listpack_quicklist_match_redis() {
    let Some(mut d) = Differential::start(
        "debug_listpack_quicklist_match_redis",
        &["--enable-debug-command", "yes"],
    ) else {
        return;
    };
    d.check_all(&[
        &["HSET", "h", "a", "1", "b", "hello"],
        &["ZADD", "z", "1", "a"],
        &["RPUSH", "l", "a", "b", "12345"],
        &["SET", "s", "x"],
        &["SADD", "st", "1"],
        &["DEBUG", "LISTPACK", "h"],
        &["DEBUG", "LISTPACK", "z"],
        &["DEBUG", "LISTPACK", "l"],
        &["DEBUG", "LISTPACK", "s"],
        &["DEBUG", "LISTPACK", "st"],
        &["DEBUG", "LISTPACK", "nokey"],
        &["DEBUG", "LISTPACK"],
        &["DEBUG", "LISTPACK", "h", "x"],
        &["DEBUG", "QUICKLIST", "l"],
        &["DEBUG", "QUICKLIST", "l", "1"],
        &["DEBUG", "QUICKLIST", "l", "0"],
        &["DEBUG", "QUICKLIST", "l", "x"],
        &["DEBUG", "QUICKLIST", "h"],
        &["DEBUG", "QUICKLIST", "nokey"],
        &["DEBUG", "QUICKLIST"],
        &["DEBUG", "QUICKLIST", "l", "1", "2"],
        &["LRANGE", "l", "0", "-1"],
    ]);
}
