//! maxmemory-clients: per-client memory accounting and client eviction
//! (Redis 7.0 networking.c `evictClients`), CLIENT NO-EVICT, the config's
//! forms and errors, INFO fields and DEBUG CLIENT-EVICTION.

use std::time::Duration;

use crate::support::{poll_until, Differential, RawConn, Server};

const DEBUG: &[&str] = &["--enable-debug-command", "yes"];

/// The CLIENT LIST line of the client named `name`, if connected.
fn client_line(s: &Server, name: &str) -> Option<String> {
    let list = String::from_utf8_lossy(&s.cmd(&["CLIENT", "LIST"])).into_owned();
    let needle = format!(" name={} ", name);
    list.lines()
        .find(|l| l.contains(&needle))
        .map(|l| l.to_string())
}

fn field(line: &str, f: &str) -> i64 {
    let key = format!(" {}=", f);
    let at = line.find(&key).expect("field") + key.len();
    line[at..]
        .split(' ')
        .next()
        .and_then(|v| v.trim().parse().ok())
        .expect("number")
}

fn info_field(s: &Server, section: &str, f: &str) -> i64 {
    let info = String::from_utf8_lossy(&s.cmd(&["INFO", section])).into_owned();
    let key = format!("{}:", f);
    info.lines()
        .find_map(|l| l.strip_prefix(&key))
        .and_then(|v| v.trim().parse().ok())
        .expect("info field")
}

/// A connection named `name`, with `n` bytes of a request's last argument
/// sent but not finished: they wait in the query buffer.
fn client_with_qbuf(s: &Server, name: &str, n: usize) -> RawConn {
    let mut c = s.raw();
    assert_eq!(c.cmd(&["CLIENT", "SETNAME", name]), b"+OK\r\n");
    let mut req = format!("*1\r\n${}\r\n", n + 1).into_bytes();
    req.extend(std::iter::repeat_n(b'v', n));
    c.send(&req);
    assert!(poll_until(Duration::from_secs(10), || {
        client_line(s, name).is_some_and(|l| field(&l, "qbuf") >= n as i64)
    }));
    c
}

#[test]
fn config_forms_and_errors_match_redis() {
    let Some(mut d) = Differential::start("client_eviction_config", &[]) else {
        return;
    };
    for v in [
        "-5", "101%", "-101%", "abc", "1.5", "-0%", "50%%", "%", "-100", "-1",
    ] {
        d.check(&["CONFIG", "SET", "maxmemory-clients", v]);
    }
    d.check(&["CONFIG", "GET", "maxmemory-clients"]);
    for v in [
        "0%",
        "100%",
        "10%",
        "1gb",
        "3000000",
        "9223372036854775807",
        "9223372036854775808",
        "1",
        "0",
    ] {
        d.check(&["CONFIG", "SET", "maxmemory-clients", v]);
        d.check(&["CONFIG", "GET", "maxmemory-clients"]);
    }
    d.check(&["CLIENT", "NO-EVICT", "maybe"]);
    d.check(&["CLIENT", "NO-EVICT", "ON"]);
    d.check(&["CLIENT", "NO-EVICT", "off"]);
    d.check(&["CLIENT", "NO-EVICT"]);
}

#[test]
fn debug_client_eviction_matches_redis() {
    let args = ["--enable-debug-command", "yes"];
    let Some(mut d) = Differential::start("client_eviction_debug", &args) else {
        return;
    };
    // Off: an error. On: the bucket table; the running client enters a
    // bucket only after its command, so the buckets are empty here.
    d.check(&["DEBUG", "CLIENT-EVICTION"]);
    d.check(&["DEBUG", "CLIENT-EVICTION", "extra"]);
    d.check(&["CONFIG", "SET", "maxmemory-clients", "10mb"]);
    d.check(&["CONFIG", "SET", "maxmemory-clients", "0"]);
    d.check(&["DEBUG", "CLIENT-EVICTION"]);
    let mut ours = d.ours.raw();
    let mut theirs = d.theirs.raw();
    for c in [&mut ours, &mut theirs] {
        assert_eq!(
            c.cmd(&["CONFIG", "SET", "maxmemory-clients", "1mb"]),
            b"+OK\r\n"
        );
    }
    // The table's lines without the figures: the two servers' clients do
    // not use the same bytes, so they may sit in different buckets.
    let shape = |r: &[u8]| {
        let text = String::from_utf8_lossy(r).into_owned();
        let clients: usize = text
            .lines()
            .filter_map(|l| l.rsplit_once("clients: "))
            .map(|(_, n)| n.trim().parse::<usize>().unwrap())
            .sum();
        let labels: Vec<String> = text
            .lines()
            .map(|l| l.split("tot-mem:").next().unwrap().to_string())
            .collect();
        (labels, clients)
    };
    let (a, na) = shape(&ours.cmd(&["DEBUG", "CLIENT-EVICTION"]));
    let (b, nb) = shape(&theirs.cmd(&["DEBUG", "CLIENT-EVICTION"]));
    assert_eq!(a, b);
    assert_eq!(a.len(), 21, "{:?}", a);
    assert_eq!(a[1], "bucket          0 -      32767: ");
    // The connection that ran CONFIG SET and the differential's own one.
    assert_eq!((na, nb), (2, 2));
}

#[test]
fn biggest_client_is_evicted_and_counted() {
    let s = Server::start(DEBUG);
    let mut control = s.raw();
    control.cmd(&["CLIENT", "SETNAME", "control"]);
    control.cmd(&["CLIENT", "NO-EVICT", "on"]);
    let _small = client_with_qbuf(&s, "small", 200_000);
    let _big = client_with_qbuf(&s, "big", 1_500_000);
    let _biggest = client_with_qbuf(&s, "biggest", 3_000_000);
    assert_eq!(info_field(&s, "stats", "evicted_clients"), 0);
    assert_eq!(
        s.cmd(&["CONFIG", "SET", "maxmemory-clients", "1500000"]),
        b"+OK\r\n"
    );
    // The next command evicts: 'biggest' and 'big' go, biggest first,
    // until the total is below 1.5 MB.
    assert!(poll_until(Duration::from_secs(5), || client_line(
        &s, "big"
    )
    .is_none()));
    assert!(client_line(&s, "biggest").is_none());
    assert!(client_line(&s, "small").is_some());
    assert!(client_line(&s, "control").is_some());
    assert_eq!(info_field(&s, "stats", "evicted_clients"), 2);
    assert!(s.log().contains("Evicting client: id="));
    assert!(s.log().contains(" name=biggest "));
    assert_eq!(s.cmd(&["CONFIG", "RESETSTAT"]), b"+OK\r\n");
    assert_eq!(info_field(&s, "stats", "evicted_clients"), 0);
}

#[test]
fn no_evict_clients_stay_over_the_limit() {
    let s = Server::start(DEBUG);
    let mut control = s.raw();
    control.cmd(&["CLIENT", "SETNAME", "control"]);
    control.cmd(&["CLIENT", "NO-EVICT", "on"]);
    control.cmd(&["CONFIG", "SET", "maxmemory-clients", "1mb"]);
    let mut keep = s.raw();
    keep.cmd(&["CLIENT", "SETNAME", "keep"]);
    keep.cmd(&["CLIENT", "NO-EVICT", "on"]);
    let mut req = b"*1\r\n$2000001\r\n".to_vec();
    req.extend(std::iter::repeat_n(b'v', 2_000_000));
    keep.send(&req);
    assert!(poll_until(Duration::from_secs(10), || {
        client_line(&s, "keep").is_some_and(|l| field(&l, "qbuf") >= 2_000_000)
    }));
    let line = client_line(&s, "keep").unwrap();
    assert!(field(&line, "tot-mem") > 1 << 20, "{}", line);
    assert!(line.contains(" flags=e "), "{}", line);
    // A no-evict client is in no bucket.
    let report = String::from_utf8_lossy(&s.cmd(&["DEBUG", "CLIENT-EVICTION"])).into_owned();
    assert!(!report.contains("1048576 -    2097151: tot-mem:          0, clients: 1"));
    // Its memory still counts, as in Redis: with nothing left to evict
    // (other connections may have gone), the server says so.
    assert!(poll_until(Duration::from_secs(5), || s.log().contains(
        "Over client maxmemory after evicting all evictable clients"
    )));
    // The percentage form: with maxmemory 0 it means no limit.
    control.cmd(&["CONFIG", "SET", "maxmemory-clients", "50%"]);
    assert!(client_line(&s, "keep").is_some());
}

#[test]
fn percentage_of_maxmemory() {
    let s = Server::start(&[]);
    let mut control = s.raw();
    control.cmd(&["CLIENT", "NO-EVICT", "on"]);
    control.cmd(&["CONFIG", "SET", "maxmemory", "1gb"]);
    // 1% of 1 GB: about 10.7 MB; a 3 MB client stays, a 12 MB one goes
    // (it passes the limit at 7.7 MB or more, a bucket above the other's).
    control.cmd(&["CONFIG", "SET", "maxmemory-clients", "1%"]);
    let _half = client_with_qbuf(&s, "half", 3_000_000);
    let mut over = s.raw();
    over.cmd(&["CLIENT", "SETNAME", "over"]);
    let mut req = b"*1\r\n$12000001\r\n".to_vec();
    req.extend(std::iter::repeat_n(b'v', 12_000_000));
    // The server may close the connection while the request is sent.
    let _ = std::io::Write::write_all(&mut over.stream, &req);
    assert!(poll_until(Duration::from_secs(10), || client_line(
        &s, "over"
    )
    .is_none()));
    assert!(client_line(&s, "half").is_some());
    assert_eq!(info_field(&s, "stats", "evicted_clients"), 1);
    control.cmd(&["CONFIG", "SET", "maxmemory", "0"]);
}

#[test]
fn output_buffer_growth_evicts() {
    let s = Server::start(&[]);
    let mut control = s.raw();
    control.cmd(&["CLIENT", "NO-EVICT", "on"]);
    control.cmd(&["SETRANGE", "k", "200000", "v"]);
    control.cmd(&["CONFIG", "SET", "maxmemory-clients", "3000000"]);
    let mut reader = s.raw();
    reader.cmd(&["CLIENT", "SETNAME", "reader"]);
    // GETs whose replies are never read pile up in the output buffer.
    let get = RawConn::encode(&[b"GET", b"k"]);
    let mut gone = false;
    for _ in 0..400 {
        if let Some(l) = client_line(&s, "reader") {
            assert!(field(&l, "tot-mem") < 3_000_000, "{}", l);
        } else {
            gone = true;
            break;
        }
        let _ = std::io::Write::write_all(&mut reader.stream, &get);
    }
    assert!(
        gone || poll_until(Duration::from_secs(5), || client_line(&s, "reader")
            .is_none())
    );
}

#[test]
fn info_memory_clients_tracks_the_clients_cron() {
    let s = Server::start(&["--hz", "100"]);
    let _c = client_with_qbuf(&s, "c", 1_000_000);
    assert!(poll_until(Duration::from_secs(5), || {
        info_field(&s, "memory", "mem_clients_normal") > 1_000_000
    }));
    assert_eq!(info_field(&s, "memory", "mem_clients_slaves"), 0);
}

#[test]
fn tracking_redirect_target_is_evicted_by_its_pushes() {
    let s = Server::start(DEBUG);
    let mut control = s.raw();
    control.cmd(&["CLIENT", "NO-EVICT", "on"]);
    control.cmd(&["CONFIG", "SET", "maxmemory-clients", "3000000"]);
    let mut target = s.raw();
    target.cmd(&["CLIENT", "SETNAME", "redirected"]);
    let id = String::from_utf8_lossy(&target.cmd(&["CLIENT", "ID"]))
        .trim_start_matches(':')
        .trim()
        .to_string();
    target.cmd(&["SUBSCRIBE", "__redis__:invalidate"]);
    let mut writer = s.raw();
    let on = ["CLIENT", "TRACKING", "on", "REDIRECT", &id, "BCAST"];
    assert_eq!(writer.cmd(&on), b"+OK\r\n");
    // Pushes with a 200 KB key name pile up unread in the target's output;
    // the cron is paused, so only the push path updates its memory.
    control.cmd(&["DEBUG", "PAUSE-CRON", "1"]);
    let key = "k".repeat(200 * 1024);
    let mut gone = false;
    for _ in 0..200 {
        match client_line(&s, "redirected") {
            Some(l) => assert!(field(&l, "tot-mem") < 3_000_000, "{}", l),
            None => {
                gone = true;
                break;
            }
        }
        writer.cmd(&["INCR", &key]);
    }
    control.cmd(&["DEBUG", "PAUSE-CRON", "0"]);
    assert!(gone, "the redirect target was never evicted");
    assert_eq!(info_field(&s, "stats", "evicted_clients"), 1);
}

#[test]
fn keys_and_random_commands_stop_at_the_output_limit() {
    let Some(mut d) = Differential::start("obuf_limit_keys", &[]) else {
        return;
    };
    let prefix = "long-key-name-prefix-of-100-chars-".to_string() + &"-".repeat(66);
    for i in 0..1000 {
        d.check(&["SET", &format!("{}{}", prefix, i), "v"]);
    }
    d.check(&["HSET", "myhash", "a", "b"]);
    d.check(&["SADD", "myset", "a"]);
    d.check(&["ZADD", "myzset", "1", "a"]);
    d.check(&[
        "CONFIG",
        "SET",
        "client-output-buffer-limit",
        "normal 100000 0 0",
    ]);
    // Each reply passes the hard limit: the connection closes without it.
    for cmd in [
        &["KEYS", "*"][..],
        &["HRANDFIELD", "myhash", "-999999999"],
        &["SRANDMEMBER", "myset", "-999999999"],
        &["ZRANDMEMBER", "myzset", "-999999999"],
    ] {
        let req = RawConn::encode(&cmd.iter().map(|a| a.as_bytes()).collect::<Vec<_>>());
        assert_eq!(d.check_raw(&req, 1), b"", "{:?}", cmd);
    }
    d.check(&["DBSIZE"]);
}

/// The `name:` of each line of an INFO section, and the values of `keep`.
fn info_shape(reply: &[u8], keep: &[&str]) -> Vec<String> {
    String::from_utf8_lossy(reply)
        .lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| match l.split_once(':') {
            Some((k, _)) if !keep.contains(&k) => k.to_string(),
            _ => l.to_string(),
        })
        .collect()
}

#[test]
fn info_fields_match_redis() {
    let Some(mut d) = Differential::start("client_eviction_info", &[]) else {
        return;
    };
    d.check(&["CONFIG", "SET", "maxmemory-clients", "1mb"]);
    let mut ours = d.ours.raw();
    let mut theirs = d.theirs.raw();
    for (section, keep) in [
        ("stats", &["evicted_clients"][..]),
        ("memory", &["mem_clients_slaves"][..]),
    ] {
        let a = info_shape(&ours.cmd(&["INFO", section]), keep);
        let b = info_shape(&theirs.cmd(&["INFO", section]), keep);
        assert_eq!(a, b, "INFO {}", section);
    }
}

/// One scenario on both servers: who is evicted and what the survivors see.
#[test]
fn eviction_scenarios_match_redis() {
    crate::support::both("client_eviction_scenarios", |s| {
        let mut out = Vec::new();
        let mut control = s.raw();
        out.push(control.cmd(&["CLIENT", "SETNAME", "control"]));
        out.push(control.cmd(&["CLIENT", "NO-EVICT", "on"]));
        out.push(control.cmd(&["CONFIG", "SET", "maxmemory-clients", "1mb"]));
        // A query buffer over the limit: evicted.
        let mut big = s.raw();
        out.push(big.cmd(&["CLIENT", "SETNAME", "big"]));
        let mut req = b"*1\r\n$3000000\r\n".to_vec();
        req.extend(std::iter::repeat_n(b'v', 2_000_000));
        let _ = std::io::Write::write_all(&mut big.stream, &req);
        assert!(poll_until(Duration::from_secs(10), || client_line(
            s, "big"
        )
        .is_none()));
        out.push(format!("big closed: {}", big.is_closed()).into_bytes());
        // MULTI queueing past the limit: the client goes mid-transaction.
        let mut multi = s.raw();
        out.push(multi.cmd(&["MULTI"]));
        let value = "v".repeat(400_000);
        // One at a time, each reply read before the next is sent.
        for _ in 0..4 {
            let set = RawConn::encode(&[b"SET", b"k", value.as_bytes()]);
            if std::io::Write::write_all(&mut multi.stream, &set).is_err() {
                break;
            }
            match multi.read_reply() {
                Some(r) => out.push(r),
                None => break,
            }
        }
        out.push(format!("multi closed: {}", multi.is_closed()).into_bytes());
        // Disabling the limit keeps a big client.
        out.push(control.cmd(&["CONFIG", "SET", "maxmemory-clients", "0"]));
        let _kept = client_with_qbuf(s, "kept", 2_000_000);
        out.push(control.cmd(&["CLIENT", "SETNAME", "control"]));
        out.push(format!("kept: {}", client_line(s, "kept").is_some()).into_bytes());
        let evicted = info_field(s, "stats", "evicted_clients");
        out.push(format!("evicted_clients={}", evicted).into_bytes());
        out
    });
}
