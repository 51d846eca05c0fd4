//! SORT and SORT_RO (sort.c) against redis-server.

use crate::support::*;

#[test]
fn sort_options_and_errors() {
    let Some(mut d) = Differential::start("sort_options", &[]) else {
        return;
    };
    let cmds: &[&[&str]] = &[
        &["RPUSH", "l", "3", "1", "2", "5", "4", "10", "-1", "2.5"],
        &["SORT", "l"],
        &["SORT", "l", "DESC"],
        &["SORT", "l", "ALPHA"],
        &["SORT", "l", "ALPHA", "DESC"],
        &["SORT", "l", "LIMIT", "1", "3"],
        &["SORT", "l", "LIMIT", "-1", "3"],
        &["SORT", "l", "LIMIT", "1", "-1"],
        &["SORT", "l", "LIMIT", "10", "3"],
        &["SORT", "l", "LIMIT", "0", "0"],
        &["SORT", "l", "LIMIT", "2", "9223372036854775807"],
        &[
            "SORT_RO",
            "l",
            "BY",
            "a",
            "LIMIT",
            "2",
            "9223372036854775807",
        ],
        &[
            "SORT_RO",
            "l",
            "BY",
            "a",
            "LIMIT",
            "-9223372036854775808",
            "9223372036854775807",
        ],
        &["SORT", "l", "BY", "nosort"],
        &["SORT", "l", "BY", "nosort", "DESC"],
        &["SORT", "l", "BY", "nosort", "DESC", "LIMIT", "1", "2"],
        &["SORT", "l", "BY", "nosort", "LIMIT", "1", "2"],
        &[
            "MSET", "w_3", "30", "w_1", "100", "w_2", "-5", "o_1", "one", "o_3", "three",
        ],
        &["SORT", "l", "BY", "w_*"],
        &["SORT", "l", "BY", "w_*", "DESC", "LIMIT", "0", "3"],
        &["SORT", "l", "BY", "w_*", "ALPHA"],
        &["SORT", "l", "BY", "w_*", "GET", "o_*", "GET", "#"],
        &["SORT", "l", "GET", "o_*"],
        &["SORT", "l", "BY", "nosort", "GET", "#", "GET", "w_*"],
        &["SORT", "l", "BY", "w_*", "STORE", "dst"],
        &["LRANGE", "dst", "0", "-1"],
        &["SORT", "l", "GET", "o_*", "STORE", "dst2"],
        &["LRANGE", "dst2", "0", "-1"],
        &["SORT", "nokey", "STORE", "dst2"],
        &["EXISTS", "dst2"],
        &["SORT", "nokey"],
        &["SORT", "nokey", "LIMIT", "2", "9223372036854775807"],
        &["SORT_RO", "l", "STORE", "x"],
        &["SORT", "l", "LIMIT", "x", "1"],
        &["SORT", "l", "LIMIT", "1"],
        &["SORT", "l", "GET"],
        &["SORT", "l", "BY"],
        &["SORT", "l", "FOO"],
        &["RPUSH", "bad", "1", "x", "2"],
        &["SORT", "bad"],
        &["SORT", "bad", "ALPHA"],
        &["SORT", "bad", "BY", "nosort"],
        &["RPUSH", "g", " 2", "1", "", "inf", "-inf"],
        &["SORT", "g"],
        &["SET", "s", "1"],
        &["SORT", "s"],
        &["SORT_RO", "s"],
        &["SORT", "l", "BY", "w_*->f"],
        &["SORT", "l", "GET", "o_*->f"],
        &["SORT", "l", "BY", "w_*", "GET", "s"],
        // Last: Redis leaves errno at ERANGE after this, which makes later
        // numeric sorts in the same process fail too.
        &["RPUSH", "f", "1e400", "1"],
        &["SORT", "f"],
    ];
    d.check_all(cmds);
}

#[test]
fn sort_sets_zsets_and_hash_fields() {
    let Some(mut d) = Differential::start("sort_collections", &[]) else {
        return;
    };
    let cmds: &[&[&str]] = &[
        &["SADD", "is", "5", "3", "9", "1"],
        &["SORT", "is"],
        &["SORT", "is", "DESC", "LIMIT", "1", "2"],
        &["SORT", "is", "BY", "nosort"],
        &["SORT", "is", "BY", "nosort", "STORE", "d1"],
        &["LRANGE", "d1", "0", "-1"],
        &["SADD", "ss", "b", "a", "c"],
        &["SORT", "ss", "ALPHA"],
        &["SORT", "ss"],
        &["SORT", "ss", "BY", "nosort", "STORE", "d2"],
        &["LRANGE", "d2", "0", "-1"],
        &["ZADD", "z", "3", "a", "1", "b", "2", "c"],
        &["SORT", "z", "ALPHA"],
        &["SORT", "z", "BY", "nosort"],
        &["SORT", "z", "BY", "nosort", "DESC"],
        &["SORT", "z", "BY", "nosort", "LIMIT", "1", "1"],
        &["SORT", "z", "BY", "nosort", "DESC", "LIMIT", "0", "2"],
        &["HSET", "h_a", "f", "30", "n", "A"],
        &["HSET", "h_b", "f", "10", "n", "B"],
        &["HSET", "h_c", "f", "20"],
        &["SORT", "z", "BY", "h_*->f"],
        &["SORT", "z", "BY", "h_*->f", "GET", "h_*->n", "GET", "#"],
        &["SORT", "z", "BY", "h_*->f", "DESC", "ALPHA", "GET", "h_*->"],
        &["SORT", "z", "BY", "h_*->f", "GET", "h_*->n", "STORE", "d3"],
        &["LRANGE", "d3", "0", "-1"],
        &["HSET", "hh", "f", "v"],
        &["SORT", "hh"],
    ];
    d.check_all(cmds);
}
