//! Pub/Sub: every command in RESP2 and RESP3 against redis-server, the
//! subscribed context, patterns, PUBSUB introspection, output buffer limits
//! with a subscriber that never reads, and a large fan-out.

use std::time::Duration;

use crate::support::*;

/// One connection to each server, driven in lockstep and compared byte for byte.
struct Pair {
    ours: RawConn,
    theirs: RawConn,
}

impl Pair {
    fn new(d: &Differential) -> Pair {
        Pair {
            ours: d.ours.raw(),
            theirs: d.theirs.raw(),
        }
    }

    fn send(&mut self, args: &[&str]) {
        let b: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        self.ours.send(&RawConn::encode(&b));
        self.theirs.send(&RawConn::encode(&b));
    }

    /// Reads `n` replies from each side and asserts they are identical.
    fn expect(&mut self, n: usize, what: &str) -> Vec<u8> {
        let mut a = Vec::new();
        let mut b = Vec::new();
        for _ in 0..n {
            a.extend(self.ours.read_reply().expect("ferrodis reply"));
            b.extend(self.theirs.read_reply().expect("redis reply"));
        }
        assert_eq!(
            String::from_utf8_lossy(&a),
            String::from_utf8_lossy(&b),
            "replies differ for {}",
            what
        );
        a
    }

    /// Sends a command and compares the `n` replies it produces.
    fn check(&mut self, args: &[&str], n: usize) -> Vec<u8> {
        self.send(args);
        self.expect(n, &format!("{:?}", args))
    }

    /// Sends a command whose `n` confirmations name channels in hash-table
    /// order: compares the set of names, and the counts in order.
    fn check_unordered(&mut self, args: &[&str], n: usize) {
        self.send(args);
        let split = |r: Vec<u8>| {
            let text = String::from_utf8_lossy(&r).into_owned();
            let parts: Vec<String> = text.split("\r\n").map(|p| p.to_string()).collect();
            (parts[..3].join("|"), parts[4].clone(), parts[5].clone())
        };
        let read = |c: &mut RawConn| {
            let mut names = Vec::new();
            let mut rest = Vec::new();
            for _ in 0..n {
                let (head, name, count) = split(c.read_reply().unwrap());
                names.push(name);
                rest.push((head, count));
            }
            names.sort();
            (names, rest)
        };
        let a = read(&mut self.ours);
        let b = read(&mut self.theirs);
        assert_eq!(a, b, "replies differ for {:?}", args);
    }

    /// Switches both connections to RESP3 (HELLO's reply holds the client
    /// id, which differs between the servers).
    fn resp3(&mut self) {
        assert!(self.ours.cmd(&["HELLO", "3"]).starts_with(b"%"));
        assert!(self.theirs.cmd(&["HELLO", "3"]).starts_with(b"%"));
    }
}

/// The elements of a flat RESP array of bulk strings, sorted.
fn sorted_bulks(reply: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(reply).into_owned();
    let mut out: Vec<String> = text
        .split("\r\n")
        .skip(1)
        .collect::<Vec<_>>()
        .chunks(2)
        .filter(|c| c.len() == 2)
        .map(|c| c[1].to_string())
        .collect();
    out.sort();
    out
}

fn info_field(s: &Server, name: &str) -> String {
    let text = String::from_utf8_lossy(&s.cmd(&["INFO", "stats"])).into_owned();
    text.split("\r\n")
        .find_map(|l| l.strip_prefix(&format!("{}:", name)).map(|v| v.to_string()))
        .unwrap_or_default()
}

/// SUBSCRIBE, UNSUBSCRIBE, PUBLISH and the confirmations in RESP2.
fn channel_commands(d: &Differential, resp3: bool) {
    let mut sub = Pair::new(d);
    let mut publ = Pair::new(d);
    if resp3 {
        sub.resp3();
    }
    // Nothing subscribed: one confirmation with a nil channel and count 0.
    sub.check(&["UNSUBSCRIBE"], 1);
    sub.check(&["PUNSUBSCRIBE"], 1);
    sub.check(&["SUNSUBSCRIBE"], 1);
    sub.check(&["SUBSCRIBE", "c1", "c2", "c1"], 3);
    sub.check(&["subscribe", ""], 1);
    publ.check(&["PUBLISH", "c1", "hello"], 1);
    sub.expect(1, "message on c1");
    publ.check(&["PUBLISH", "", "empty channel"], 1);
    sub.expect(1, "message on the empty channel");
    publ.check(&["PUBLISH", "nobody", "x"], 1);
    let big = "v".repeat(100_000);
    publ.check(&["PUBLISH", "c2", &big], 1);
    sub.expect(1, "big message");
    sub.check(&["UNSUBSCRIBE", "c1", "never"], 2);
    sub.check(&["UNSUBSCRIBE", ""], 1);
    publ.check(&["PUBLISH", "c1", "gone"], 1);
    // One channel left: unsubscribing from all is deterministic.
    sub.check(&["UNSUBSCRIBE"], 1);
    sub.check(&["SUBSCRIBE", "a", "b", "c"], 3);
    sub.check_unordered(&["UNSUBSCRIBE"], 3);
    sub.check(&["UNSUBSCRIBE"], 1);
    publ.check(&["PUBLISH", "a", "x"], 1);
    // Back to normal: any command runs again.
    sub.check(&["PING"], 1);
    sub.check(&["ECHO", "ok"], 1);
    // Arity errors.
    sub.check(&["SUBSCRIBE"], 1);
    publ.check(&["PUBLISH", "c1"], 1);
    publ.check(&["SPUBLISH", "c1", "a", "b"], 1);
}

#[test]
fn channel_commands_match_redis_resp2() {
    let Some(d) = Differential::start("channel_commands_match_redis_resp2", &[]) else {
        return;
    };
    channel_commands(&d, false);
}

#[test]
fn channel_commands_match_redis_resp3() {
    let Some(d) = Differential::start("channel_commands_match_redis_resp3", &[]) else {
        return;
    };
    channel_commands(&d, true);
}

/// PSUBSCRIBE, PUNSUBSCRIBE and glob matching of published channels.
fn pattern_commands(d: &Differential, resp3: bool) {
    let mut sub = Pair::new(d);
    let mut publ = Pair::new(d);
    if resp3 {
        sub.resp3();
    }
    sub.check(&["PSUBSCRIBE", "news.*", "news.*", "h?llo", "h[ae]llo"], 4);
    sub.check(&["SUBSCRIBE", "news.art"], 1);
    // A channel subscriber gets `message` first, then the pattern's `pmessage`.
    publ.check(&["PUBLISH", "news.art", "m1"], 1);
    sub.expect(2, "message then pmessage");
    publ.check(&["PUBLISH", "news.", "m2"], 1);
    sub.expect(1, "pmessage news.*");
    publ.check(&["PUBLISH", "hxllo", "m3"], 1);
    sub.expect(1, "pmessage h?llo");
    publ.check(&["PUBLISH", "hllo", "m4"], 1);
    publ.check(&["PUBSUB", "NUMPAT"], 1);
    sub.check(&["PUNSUBSCRIBE", "h?llo", "nope"], 2);
    sub.check(&["PSUBSCRIBE", "[", "\\*", "z[^a]"], 3);
    publ.check(&["PUBLISH", "*", "star"], 1);
    sub.expect(1, "pmessage \\*");
    publ.check(&["PUBLISH", "[", "bracket"], 1);
    publ.check(&["PUBLISH", "zb", "class"], 1);
    sub.expect(1, "pmessage z[^a]");
    // Patterns answer PUNSUBSCRIBE in subscription order, as in Redis 7.0.
    sub.check(&["PUNSUBSCRIBE"], 5);
    sub.check(&["PUNSUBSCRIBE"], 1);
    sub.check(&["UNSUBSCRIBE"], 1);
    publ.check(&["PUBSUB", "NUMPAT"], 1);
}

#[test]
fn pattern_commands_match_redis_resp2() {
    let Some(d) = Differential::start("pattern_commands_match_redis_resp2", &[]) else {
        return;
    };
    pattern_commands(&d, false);
}

#[test]
fn pattern_commands_match_redis_resp3() {
    let Some(d) = Differential::start("pattern_commands_match_redis_resp3", &[]) else {
        return;
    };
    pattern_commands(&d, true);
}

/// SSUBSCRIBE, SUNSUBSCRIBE, SPUBLISH: shard channels ignore patterns and
/// count separately from ordinary subscriptions.
fn shard_commands(d: &Differential, resp3: bool) {
    let mut sub = Pair::new(d);
    let mut publ = Pair::new(d);
    if resp3 {
        sub.resp3();
    }
    sub.check(&["SSUBSCRIBE", "s1", "s2", "s1"], 3);
    sub.check(&["PSUBSCRIBE", "s*"], 1);
    sub.check(&["SUBSCRIBE", "s1"], 1);
    publ.check(&["SPUBLISH", "s1", "shard"], 1);
    sub.expect(1, "smessage");
    publ.check(&["PUBLISH", "s1", "plain"], 1);
    sub.expect(2, "message and pmessage");
    publ.check(&["PUBSUB", "SHARDNUMSUB", "s1", "s2", "s3"], 1);
    publ.check(&["PUBSUB", "SHARDCHANNELS", "s1"], 1);
    sub.check(&["SUNSUBSCRIBE", "s1", "zz"], 2);
    sub.check(&["SUNSUBSCRIBE"], 1);
    sub.check(&["SUNSUBSCRIBE"], 1);
    sub.check(&["UNSUBSCRIBE"], 1);
    sub.check(&["PUNSUBSCRIBE"], 1);
    publ.check(&["SPUBLISH", "s2", "gone"], 1);
}

#[test]
fn shard_commands_match_redis_resp2() {
    let Some(d) = Differential::start("shard_commands_match_redis_resp2", &[]) else {
        return;
    };
    shard_commands(&d, false);
}

#[test]
fn shard_commands_match_redis_resp3() {
    let Some(d) = Differential::start("shard_commands_match_redis_resp3", &[]) else {
        return;
    };
    shard_commands(&d, true);
}

#[test]
fn subscribed_resp2_context_matches_redis() {
    let Some(d) = Differential::start("subscribed_resp2_context_matches_redis", &[]) else {
        return;
    };
    let mut sub = Pair::new(&d);
    sub.check(&["SUBSCRIBE", "ch"], 1);
    sub.check(&["ECHO", "x"], 1);
    sub.check(&["slowlog", "len"], 1);
    sub.check(&["PUBLISH", "ch", "x"], 1);
    sub.check(&["PUBSUB", "NUMSUB"], 1);
    // Unknown commands and arity errors come first, as in Redis.
    sub.check(&["nosuchcommand"], 1);
    sub.check(&["PING", "a", "b"], 1);
    // PING answers with the push-shaped pong.
    sub.check(&["PING"], 1);
    sub.check(&["PING", "hello"], 1);
    sub.check(&["PSUBSCRIBE", "p*"], 1);
    sub.check(&["UNSUBSCRIBE"], 1);
    // Still a pattern: still in the context.
    sub.check(&["ECHO", "x"], 1);
    sub.check(&["SSUBSCRIBE", "s"], 1);
    sub.check(&["PUNSUBSCRIBE"], 1);
    sub.check(&["ECHO", "x"], 1);
    sub.check(&["SUNSUBSCRIBE"], 1);
    sub.check(&["ECHO", "x"], 1);
    sub.check(&["PING"], 1);
    // QUIT is allowed and closes the connection.
    sub.check(&["SUBSCRIBE", "ch"], 1);
    sub.check(&["QUIT"], 1);
    assert!(sub.ours.is_closed());
    let mut d = d;
    d.check(&["PUBSUB", "NUMSUB", "ch"]);
}

#[test]
fn subscribed_resp3_runs_anything_and_hears_itself() {
    let Some(d) = Differential::start("subscribed_resp3_runs_anything_and_hears_itself", &[])
    else {
        return;
    };
    let mut c = Pair::new(&d);
    c.resp3();
    c.check(&["SUBSCRIBE", "me"], 1);
    c.check(&["PSUBSCRIBE", "m*"], 1);
    c.check(&["ECHO", "x"], 1);
    c.check(&["PING"], 1);
    // Publishing to itself: the pushes come before the reply.
    c.check(&["PUBLISH", "me", "self"], 3);
    c.check(&["SSUBSCRIBE", "sme"], 1);
    c.check(&["SPUBLISH", "sme", "self"], 2);
    // HELLO 2 while subscribed enters the RESP2 subscribed context. (Its
    // reply holds the client id, which differs between the servers.)
    c.ours.cmd(&["HELLO", "2"]);
    c.theirs.cmd(&["HELLO", "2"]);
    c.check(&["ECHO", "x"], 1);
    c.check(&["RESET"], 1);
    c.check(&["ECHO", "x"], 1);
    let mut d = d;
    d.check(&["PUBSUB", "NUMSUB", "me"]);
    d.check(&["PUBSUB", "NUMPAT"]);
    d.check(&["PUBSUB", "SHARDNUMSUB", "sme"]);
}

#[test]
fn pubsub_introspection_matches_redis() {
    let Some(mut d) = Differential::start("pubsub_introspection_matches_redis", &[]) else {
        return;
    };
    d.check(&["PUBSUB", "CHANNELS"]);
    d.check(&["PUBSUB", "NUMSUB"]);
    d.check(&["PUBSUB", "NUMPAT"]);
    d.check(&["PUBSUB", "SHARDCHANNELS"]);
    d.check(&["PUBSUB", "SHARDNUMSUB"]);
    let mut a = Pair::new(&d);
    let mut b = Pair::new(&d);
    a.check(&["SUBSCRIBE", "news.1", "news.2", "other", ""], 4);
    b.check(&["SUBSCRIBE", "news.1"], 1);
    a.check(&["PSUBSCRIBE", "n*", "o*"], 2);
    b.check(&["PSUBSCRIBE", "n*"], 1);
    b.check(&["SSUBSCRIBE", "shard.1", "shard.2"], 2);
    d.check(&["PUBSUB", "NUMSUB", "news.1", "news.2", "none", ""]);
    d.check(&["PUBSUB", "NUMPAT"]);
    d.check(&["PUBSUB", "SHARDNUMSUB", "shard.1", "news.1"]);
    d.check(&["pubsub", "channels", "news.1"]);
    d.check(&["pubsub", "channels", "x*"]);
    // The empty channel is listed, but `*` needs at least one byte (Redis's glob).
    for args in [
        &["PUBSUB", "CHANNELS"][..],
        &["PUBSUB", "CHANNELS", "*"],
        &["PUBSUB", "CHANNELS", "news.?"],
        &["PUBSUB", "SHARDCHANNELS"],
        &["PUBSUB", "SHARDCHANNELS", "*.2"],
    ] {
        let ours = d.ours.cmd(args);
        let theirs = d.theirs.cmd(args);
        assert_eq!(sorted_bulks(&ours), sorted_bulks(&theirs), "{:?}", args);
        assert_eq!(
            ours.split(|&b| b == b'\r').next(),
            theirs.split(|&b| b == b'\r').next()
        );
    }
    for name in ["pubsub_channels", "pubsub_patterns", "pubsubshard_channels"] {
        assert_eq!(
            info_field(&d.ours, name),
            info_field(&d.theirs, name),
            "{}",
            name
        );
    }
    assert_eq!(info_field(&d.ours, "pubsub_channels"), "4");
    assert_eq!(info_field(&d.ours, "pubsub_patterns"), "2");
    assert_eq!(info_field(&d.ours, "pubsubshard_channels"), "2");
    // Errors and help.
    d.check(&["PUBSUB"]);
    d.check(&["PUBSUB", "HELP"]);
    d.check(&["pubsub", "help", "x"]);
    d.check(&["PUBSUB", "NOSUCH"]);
    d.check(&["PUBSUB", "CHANNELS", "a", "b"]);
    d.check(&["PUBSUB", "shardchannels", "a", "b"]);
    d.check(&["PUBSUB", "NUMPAT", "x"]);
    // A closed connection leaves no subscriptions behind.
    drop(a);
    assert!(poll_until(Duration::from_secs(10), || {
        d.ours.cmd(&["PUBSUB", "NUMSUB", "news.1"]) == b"*2\r\n$6\r\nnews.1\r\n:1\r\n"
    }));
    assert!(poll_until(Duration::from_secs(10), || {
        d.theirs.cmd(&["PUBSUB", "NUMPAT"]) == b":1\r\n"
    }));
    d.check(&["PUBSUB", "NUMPAT"]);
    d.check(&["PUBSUB", "NUMSUB", "news.1", "news.2", "other"]);
    drop(b);
    assert!(poll_until(Duration::from_secs(10), || {
        info_field(&d.ours, "pubsubshard_channels") == "0"
    }));
    assert_eq!(info_field(&d.ours, "pubsub_channels"), "0");
    assert_eq!(info_field(&d.ours, "pubsub_patterns"), "0");
}

#[test]
fn many_subscribers_each_get_the_message() {
    let s = Server::start(&[]);
    let mut subs: Vec<RawConn> = (0..200).map(|_| s.raw()).collect();
    for (i, c) in subs.iter_mut().enumerate() {
        let r = c.cmd(&["SUBSCRIBE", "all"]);
        assert!(r.ends_with(b":1\r\n"), "subscriber {}", i);
    }
    assert_eq!(s.cmd(&["PUBLISH", "all", "hi"]), b":200\r\n");
    for c in subs.iter_mut() {
        assert_eq!(
            c.read_reply().unwrap(),
            b"*3\r\n$7\r\nmessage\r\n$3\r\nall\r\n$2\r\nhi\r\n"
        );
    }
}

#[test]
fn thousand_patterns_and_ten_thousand_channels_fan_out() {
    let s = Server::start(&[]);
    let mut chans = s.raw();
    let names: Vec<String> = (0..10_000).map(|i| format!("ch:{}", i)).collect();
    let mut args: Vec<&str> = vec!["SUBSCRIBE"];
    args.extend(names.iter().map(|n| n.as_str()));
    let b: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    chans.send(&RawConn::encode(&b));
    for i in 0..names.len() {
        let r = chans.read_reply().expect("confirmation");
        assert!(r.ends_with(format!(":{}\r\n", i + 1).as_bytes()));
    }
    // Patterns "ch:0*" .. "ch:999*": channel ch:N matches one pattern per
    // prefix of N that is below 1000.
    let mut pats = s.raw();
    let patterns: Vec<String> = (0..1_000).map(|i| format!("ch:{}*", i)).collect();
    let mut args: Vec<&str> = vec!["PSUBSCRIBE"];
    args.extend(patterns.iter().map(|p| p.as_str()));
    let b: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    pats.send(&RawConn::encode(&b));
    for _ in 0..patterns.len() {
        pats.read_reply().expect("confirmation");
    }
    assert_eq!(s.cmd(&["PUBSUB", "NUMPAT"]), b":1000\r\n");
    assert_eq!(info_field(&s, "pubsub_channels"), "10000");
    let expected_pmessages = |n: usize| {
        let d = n.to_string();
        (1..=d.len())
            .filter(|&k| d[..k].parse::<usize>().unwrap() < 1000)
            .filter(|&k| k == 1 || !d.starts_with('0'))
            .count()
    };
    // Publish to every channel, pipelined, and count receivers.
    let mut publ = s.raw();
    let mut batch = Vec::new();
    for n in &names {
        batch.extend(RawConn::encode(&[b"PUBLISH", n.as_bytes(), b"m"]));
    }
    publ.send(&batch);
    let mut total_p = 0;
    for (i, _) in names.iter().enumerate() {
        let want = 1 + expected_pmessages(i);
        total_p += want - 1;
        assert_eq!(
            publ.read_reply().unwrap(),
            format!(":{}\r\n", want).into_bytes(),
            "receivers of ch:{}",
            i
        );
    }
    for n in &names {
        let want = format!(
            "*3\r\n$7\r\nmessage\r\n${}\r\n{}\r\n$1\r\nm\r\n",
            n.len(),
            n
        );
        assert_eq!(chans.read_reply().unwrap(), want.into_bytes());
    }
    for _ in 0..total_p {
        let r = pats.read_reply().expect("pmessage");
        assert!(r.starts_with(b"*4\r\n$8\r\npmessage\r\n"));
    }
    assert_eq!(pats.cmd(&["PING"]), b"*2\r\n$4\r\npong\r\n$0\r\n\r\n");
}

#[test]
fn subscriber_that_never_reads_is_disconnected_at_its_limit() {
    let s = Server::start(&["--client-output-buffer-limit", "pubsub 1mb 512kb 60"]);
    let mut slow = s.raw();
    assert_eq!(
        slow.cmd(&["SUBSCRIBE", "feed"]),
        b"*3\r\n$9\r\nsubscribe\r\n$4\r\nfeed\r\n:1\r\n"
    );
    let mut fast = s.raw();
    fast.cmd(&["SUBSCRIBE", "feed"]);
    let mut publ = s.raw();
    let payload = "x".repeat(64 * 1024);
    let frame_len = {
        let mut f = b"*3\r\n$7\r\nmessage\r\n$4\r\nfeed\r\n".to_vec();
        f.extend(format!("${}\r\n", payload.len()).as_bytes());
        f.len() + payload.len() + 2
    };
    // The slow subscriber's kernel buffers fill first, then its reply buffer
    // grows to the hard limit. Publishing never blocks meanwhile, and the
    // fast subscriber keeps getting every message.
    let mut dropped = false;
    for _ in 0..20_000 {
        let r = publ.cmd(&["PUBLISH", "feed", &payload]);
        let msg = fast.read_reply().expect("fast subscriber message");
        assert_eq!(msg.len(), frame_len);
        if r == b":1\r\n" {
            dropped = true;
            break;
        }
        assert_eq!(r, b":2\r\n");
    }
    assert!(dropped, "the slow subscriber was never disconnected");
    assert!(s.wait_for_log("scheduled to be closed ASAP for overcoming of output buffer limits."));
    assert!(slow.is_closed());
    assert_eq!(
        s.cmd(&["PUBSUB", "NUMSUB", "feed"]),
        b"*2\r\n$4\r\nfeed\r\n:1\r\n"
    );
    assert_eq!(publ.cmd(&["PUBLISH", "feed", "after"]), b":1\r\n");
    assert_eq!(
        fast.read_reply().unwrap(),
        b"*3\r\n$7\r\nmessage\r\n$4\r\nfeed\r\n$5\r\nafter\r\n"
    );
}

#[test]
fn pubsub_class_without_limits_keeps_the_backlog() {
    let s = Server::start(&["--client-output-buffer-limit", "pubsub 0 0 0"]);
    let mut slow = s.raw();
    slow.cmd(&["SUBSCRIBE", "feed"]);
    let mut publ = s.raw();
    let payload = "y".repeat(256 * 1024);
    for _ in 0..40 {
        assert_eq!(publ.cmd(&["PUBLISH", "feed", &payload]), b":1\r\n");
    }
    assert!(!s.log().contains("overcoming of output buffer limits"));
    for _ in 0..40 {
        let r = slow.read_reply().expect("message");
        assert!(r.len() > payload.len());
    }
}

/// The CLIENT LIST line of the client whose last command was `cmd`.
fn client_line(s: &Server, cmd: &str) -> String {
    client_line_on(&mut s.raw(), cmd)
}

fn client_line_on(conn: &mut RawConn, cmd: &str) -> String {
    let list = String::from_utf8_lossy(&conn.cmd(&["CLIENT", "LIST"])).into_owned();
    list.split('\n')
        .find(|l| l.contains(&format!(" cmd={} ", cmd)))
        .unwrap_or_default()
        .to_string()
}

/// The value of `name=` in a CLIENT LIST line.
fn list_field(line: &str, name: &str) -> String {
    line.split(' ')
        .find_map(|f| f.strip_prefix(&format!("{}=", name)))
        .unwrap_or_default()
        .to_string()
}

#[test]
fn client_list_shows_subscriptions() {
    let Some(d) = Differential::start("client_list_shows_subscriptions", &[]) else {
        return;
    };
    let mut sub = Pair::new(&d);
    sub.check(&["SUBSCRIBE", "a", "b"], 2);
    sub.check(&["PSUBSCRIBE", "p*"], 1);
    sub.check(&["SSUBSCRIBE", "s"], 1);
    for server in [&d.ours, &d.theirs] {
        let line = client_line(server, "ssubscribe");
        for (field, want) in [("flags", "P"), ("sub", "2"), ("psub", "1"), ("ssub", "1")] {
            assert_eq!(list_field(&line, field), want, "{} in {}", field, line);
        }
    }
    sub.check_unordered(&["UNSUBSCRIBE"], 2);
    sub.check(&["PUNSUBSCRIBE"], 1);
    for server in [&d.ours, &d.theirs] {
        let line = client_line(server, "punsubscribe");
        assert_eq!(list_field(&line, "flags"), "P", "{}", line);
        assert_eq!(list_field(&line, "sub"), "0", "{}", line);
    }
    sub.check(&["SUNSUBSCRIBE"], 1);
    for server in [&d.ours, &d.theirs] {
        let line = client_line(server, "sunsubscribe");
        assert_eq!(list_field(&line, "flags"), "N", "{}", line);
        assert_eq!(list_field(&line, "ssub"), "0", "{}", line);
    }
    // Subscribers are the pubsub client type.
    let mut d = d;
    d.check(&["CLIENT", "KILL", "TYPE", "pubsub"]);
    sub.check(&["SUBSCRIBE", "a"], 1);
    d.check(&["CLIENT", "KILL", "TYPE", "pubsub"]);
    assert!(sub.ours.is_closed());
    d.check(&["PUBSUB", "NUMSUB", "a"]);
}

#[test]
fn pushes_survive_client_reply_off() {
    let Some(d) = Differential::start("pushes_survive_client_reply_off", &[]) else {
        return;
    };
    let mut sub = Pair::new(&d);
    let mut publ = Pair::new(&d);
    sub.send(&["CLIENT", "REPLY", "OFF"]);
    sub.check(&["SUBSCRIBE", "x"], 1);
    publ.check(&["PUBLISH", "x", "hello"], 1);
    sub.expect(1, "message to a client with replies off");
    sub.check(&["UNSUBSCRIBE"], 1);
    sub.send(&["ECHO", "silenced"]);
    sub.check(&["CLIENT", "REPLY", "ON"], 1);
    // RESP3: a client publishing to itself with replies off gets only the push.
    let mut me = Pair::new(&d);
    me.resp3();
    me.check(&["SUBSCRIBE", "self"], 1);
    me.send(&["CLIENT", "REPLY", "OFF"]);
    me.check(&["PUBLISH", "self", "hi"], 1);
    me.check(&["CLIENT", "REPLY", "ON"], 1);
    me.check(&["PUBLISH", "self", "again"], 2);
}

/// The shape of Redis's obuf-limits test: a subscriber that never reads is
/// watched through CLIENT LIST `omem` until the hard limit closes it.
#[test]
fn omem_grows_to_the_hard_limit() {
    let s = Server::start(&["--client-output-buffer-limit", "pubsub 100000 0 0"]);
    let mut slow = s.raw();
    slow.cmd(&["SUBSCRIBE", "foo"]);
    let mut r = s.raw();
    let mut omem = 0;
    let mut closed = false;
    let payload = "b".repeat(1000);
    for _ in 0..1_000_000 {
        r.cmd(&["PUBLISH", "foo", &payload]);
        let line = client_line_on(&mut r, "subscribe");
        if line.is_empty() {
            closed = true;
            break;
        }
        omem = list_field(&line, "omem").parse::<u64>().unwrap();
        if omem > 200_000 {
            break;
        }
    }
    assert!(closed, "the subscriber was not closed (omem={})", omem);
    assert!((70_000..200_000).contains(&omem), "omem={}", omem);
}

/// The CLIENT LIST `omem` of the client whose last command was `cmd`.
fn omem_of(conn: &mut RawConn, cmd: &str) -> Option<u64> {
    let line = client_line_on(conn, cmd);
    (!line.is_empty()).then(|| list_field(&line, "omem").parse().unwrap())
}

#[test]
fn soft_limit_closes_a_stalled_subscriber_after_its_seconds() {
    let s = Server::start(&["--client-output-buffer-limit", "pubsub 0 100000 1"]);
    let mut slow = s.raw();
    slow.cmd(&["SUBSCRIBE", "feed"]);
    let mut publ = s.raw();
    let payload = "z".repeat(1000);
    let mut over = false;
    for _ in 0..1_000_000 {
        publ.cmd(&["PUBLISH", "feed", &payload]);
        // None: the soft limit already closed the subscriber (a slow run
        // can spend more than its second between two looks).
        if omem_of(&mut publ, "subscribe").is_none_or(|m| m > 100_000) {
            over = true;
            break;
        }
    }
    assert!(over, "the subscriber's output never passed the soft limit");
    // Nothing more is published: serverCron closes it once the soft limit
    // has lasted longer than its second.
    assert!(poll_until(Duration::from_secs(20), || {
        s.cmd(&["PUBSUB", "NUMSUB", "feed"]) == b"*2\r\n$4\r\nfeed\r\n:0\r\n"
    }));
    assert!(s.wait_for_log("closed for overcoming of output buffer limits."));
    assert!(slow.is_closed());
}

#[test]
fn client_output_buffer_limit_config_matches_redis() {
    let Some(mut d) = Differential::start("client_output_buffer_limit_config_matches_redis", &[])
    else {
        return;
    };
    d.check(&["CONFIG", "GET", "client-output-buffer-limit"]);
    for v in [
        "normal 1 2",
        "master 1 2 3",
        "normal 1x 2 3",
        "normal 1 2 3x",
        "normal 1k 2 -1",
        "normal 0 0 2147483648",
        " normal 0 0 0",
        "normal 0 0 0 ",
        "normal 1k 2mb 5 replica 1 1 1",
        "NORMAL 5kb 1gb +5",
        "normal 0 0 4294967297",
        "pubsub 20000000000gb 18446744073709551616 0",
        "normal  0 0",
        "",
        "normal 0 0 0 slave 256mb 64mb 60 pubsub 32mb 8mb 60",
    ] {
        d.check(&["CONFIG", "SET", "client-output-buffer-limit", v]);
        d.check(&["CONFIG", "GET", "client-output-buffer-limit"]);
    }
}

#[test]
fn keyspace_notifications_match_redis() {
    let Some(mut d) = Differential::start(
        "keyspace_notifications_match_redis",
        &["--notify-keyspace-events", "KEA"],
    ) else {
        return;
    };
    let mut sub = Pair::new(&d);
    sub.check(&["PSUBSCRIBE", "__keyspace@0__:*"], 1);
    sub.check(&["SUBSCRIBE", "__keyevent@0__:set"], 1);
    d.check(&["SET", "k", "v"]);
    sub.expect(2, "keyspace then keyevent for SET");
    d.check(&["DEL", "k", "nokey"]);
    sub.expect(1, "keyspace del");
    d.check(&["SELECT", "1"]);
    d.check(&["SET", "k", "v"]);
    d.check(&["SELECT", "0"]);
    // Active expiry publishes from the event loop, not from a command.
    let mut exp = Pair::new(&d);
    exp.check(&["SUBSCRIBE", "__keyevent@0__:expired"], 1);
    d.check(&["SET", "e", "1", "PX", "1"]);
    sub.expect(3, "set, keyevent set, expire");
    exp.expect(1, "expired");
    sub.expect(1, "keyspace expired");
    // A RESP3 client hears its own notifications before its reply.
    let mut me = Pair::new(&d);
    me.resp3();
    me.check(&["SUBSCRIBE", "__keyevent@0__:set"], 1);
    me.check(&["SET", "a", "1"], 2);
    me.check(&["MSET", "a", "1", "b", "2"], 3);
    me.check(&["GET", "a"], 1);
    me.send(&["CLIENT", "REPLY", "OFF"]);
    me.check(&["SET", "a", "2"], 1);
    me.check(&["CLIENT", "REPLY", "ON"], 1);
    sub.expect(6, "keyspace and keyevent for the RESP3 client's writes");
}

#[test]
fn subscribe_and_publish_inside_multi_match_redis() {
    let Some(d) = Differential::start(
        "subscribe_and_publish_inside_multi_match_redis",
        &["--notify-keyspace-events", "KEA"],
    ) else {
        return;
    };
    // RESP2: SUBSCRIBE is allowed in a transaction, SSUBSCRIBE is not.
    let mut c = Pair::new(&d);
    c.check(&["MULTI"], 1);
    c.check(&["SSUBSCRIBE", "s"], 1);
    c.check(&["SUBSCRIBE", "a"], 1);
    c.check(&["PSUBSCRIBE", "p*"], 1);
    c.check(&["EXEC"], 1);
    c.check(&["ECHO", "x"], 1);
    c.check(&["PING"], 1);
    // RESP3: Redis 7.0 writes pushes to itself inside EXEC's array.
    let mut me = Pair::new(&d);
    me.resp3();
    me.check(&["SUBSCRIBE", "foo", "__keyevent@0__:set"], 2);
    me.check(&["MULTI"], 1);
    me.check(&["PING", "abc"], 1);
    me.check(&["PUBLISH", "foo", "bar"], 1);
    me.check(&["SET", "k", "v"], 1);
    me.check(&["PING", "def"], 1);
    // The test reader counts the two pushes as array elements, so the last
    // two replies of the array come as two more reads.
    me.check(&["EXEC"], 3);
    assert_eq!(me.ours.cmd(&["PING"]), b"+PONG\r\n");
}
