//! MEMORY USAGE: errors against redis-server, sizes that follow content.

use crate::support::{Differential, Server};

fn int_of(reply: &[u8]) -> i64 {
    let s = String::from_utf8_lossy(reply);
    s.trim_start_matches(':')
        .trim_end()
        .parse()
        .expect("integer reply")
}

#[test]
fn memory_usage_errors_match_redis() {
    let Some(mut d) = Differential::start("memory_usage_errors_match_redis", &[]) else {
        return;
    };
    d.check_all(&[
        &["SET", "s", "hello"],
        &["MEMORY", "USAGE", "nokey"],
        &["MEMORY", "USAGE", "s", "SAMPLES"],
        &["MEMORY", "USAGE", "s", "SAMPLES", "x"],
        &["MEMORY", "USAGE", "s", "SAMPLES", "-1"],
        &["MEMORY", "USAGE", "s", "foo"],
        &["MEMORY", "USAGE", "nokey", "SAMPLES", "x"],
        &["MEMORY", "USAGE", "nokey", "SAMPLES", "0"],
        &["MEMORY", "USAGE", "nokey", "samples", "3", "SAMPLES", "1"],
        &["MEMORY", "USAGE"],
        &["MEMORY", "HELP"],
    ]);
}

#[test]
fn memory_usage_grows_and_samples() {
    let s = Server::start(&["--hash-max-listpack-entries", "1"]);
    s.cmd(&["SET", "k", "x"]);
    let a = int_of(&s.cmd(&["MEMORY", "USAGE", "k"]));
    s.cmd(&["SET", "k", &"x".repeat(1000)]);
    let b = int_of(&s.cmd(&["MEMORY", "USAGE", "k"]));
    assert!(a > 0 && b > a + 1000, "{a} {b}");
    // Fields grow in size: the first 5 sampled underestimate the whole.
    for i in 1..=100 {
        s.cmd(&["HSET", "h", &format!("f{i}"), &"v".repeat(i * 10)]);
    }
    let sampled = int_of(&s.cmd(&["MEMORY", "USAGE", "h"]));
    let all = int_of(&s.cmd(&["MEMORY", "USAGE", "h", "SAMPLES", "0"]));
    let one = int_of(&s.cmd(&["MEMORY", "USAGE", "h", "SAMPLES", "1"]));
    assert!(
        all > 50 * 1000 && one > 0 && sampled > 0,
        "{one} {sampled} {all}"
    );
    assert_ne!(one, all);
    for i in 0..200 {
        s.cmd(&["RPUSH", "l", &format!("{i:0100}")]);
    }
    let l = int_of(&s.cmd(&["MEMORY", "USAGE", "l", "SAMPLES", "0"]));
    assert!(l > 200 * 100, "{l}");
    s.cmd(&["SADD", "st", "1", "2", "3"]);
    s.cmd(&["ZADD", "z", "1", "a"]);
    assert!(int_of(&s.cmd(&["MEMORY", "USAGE", "st"])) > 0);
    assert!(int_of(&s.cmd(&["MEMORY", "USAGE", "z"])) > 0);
}
