//! Connection and server-level commands, client management and connection
//! limits, mostly differential against redis-server. Multi-connection
//! scenarios run the same function against both servers and compare
//! transcripts with ids, ports and timestamps masked.

use std::time::{Duration, Instant};

use crate::support::*;

/// Replaces what differs by nature between two servers (client ids, ports,
/// fds, ages, buffer sizes) in a reply so that transcripts compare.
fn mask(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes).into_owned();
    let mut out = String::with_capacity(s.len());
    let mut rest = s.as_str();
    // HELLO's id and CLIENT ID integers: ":<digits>" after an "id" bulk.
    while let Some(i) = rest.find("$2\r\nid\r\n:") {
        let (head, tail) = rest.split_at(i + "$2\r\nid\r\n:".len());
        out.push_str(head);
        out.push('#');
        rest = tail.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    out.push_str(rest);
    out
}

/// The field names of a CLIENT LIST line, in order.
fn field_names(line: &str) -> Vec<String> {
    line.split(' ')
        .map(|f| f.split('=').next().unwrap_or("").to_string())
        .collect()
}

/// The value of `field` in a CLIENT LIST line.
fn field<'a>(line: &'a str, name: &str) -> &'a str {
    line.split(' ')
        .find_map(|f| f.strip_prefix(name).and_then(|v| v.strip_prefix('=')))
        .unwrap_or_else(|| panic!("no field {} in {}", name, line))
}

/// The body of a bulk or verbatim reply, as text.
fn bulk_text(reply: &[u8]) -> String {
    let s = String::from_utf8_lossy(reply).into_owned();
    let body = s.split_once("\r\n").map(|x| x.1).unwrap_or("");
    let body = body.strip_suffix("\r\n").unwrap_or(body);
    body.strip_prefix("txt:").unwrap_or(body).to_string()
}

fn int_reply(reply: &[u8]) -> i64 {
    let s = String::from_utf8_lossy(reply);
    s.trim_start_matches(':').trim_end().parse().unwrap()
}

/// Runs `scenario` against ferrodis and redis-server and asserts the
/// transcripts are equal.
fn differential_scenario(test: &str, args: &[&str], scenario: fn(&Server) -> Vec<String>) {
    if !have_redis(test) {
        return;
    }
    let ours = Server::start(args);
    let theirs = Server::start_redis(args);
    let a = scenario(&ours);
    let b = scenario(&theirs);
    assert_eq!(a, b, "transcripts differ (left: ferrodis, right: redis)");
}

/// A connection whose replies are read with a short timeout, for checking
/// that nothing arrives.
fn quiet_conn(s: &Server) -> RawConn {
    let c = s.raw();
    c.stream
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    c
}

#[test]
fn connection_commands_match_redis() {
    let Some(mut d) = Differential::start("connection_commands_match_redis", &[]) else {
        return;
    };
    d.check_all(&[
        &["PING"],
        &["PING", "hello"],
        &["PING", "a", "b"],
        &["ECHO", "x y"],
        &["ECHO"],
        &["SELECT", "15"],
        &["SELECT", "16"],
        &["SELECT", "2147483648"],
        &["SELECT", "0"],
        &["AUTH", "pw"],
        &["AUTH", "default", "anything"],
        &["AUTH", "nouser", "pw"],
        &["AUTH", "a", "b", "c"],
        &["AUTH"],
        &["HELLO", "1"],
        &["HELLO", "4"],
        &["HELLO", "abc"],
        &["HELLO", "3", "auth"],
        &["HELLO", "3", "auth", "default"],
        &["HELLO", "3", "setname"],
        &["HELLO", "3", "setname", "a b"],
        &["HELLO", "2", "foo"],
        &["HELLO", "3", "AUTH", "nouser", "x"],
        &["TIME", "x"],
        &["LASTSAVE", "x"],
        &["MONITOR", "x"],
        &["RESET", "x"],
        &["QUIT"],
    ]);
}

/// Runs each command on one fresh connection and records masked replies.
fn transcript(s: &Server, cmds: &[&[&str]]) -> Vec<String> {
    let mut c = s.raw();
    cmds.iter().map(|cmd| mask(&c.cmd(cmd))).collect()
}

#[test]
fn hello_switches_protocol() {
    differential_scenario("hello_switches_protocol", &[], |s| {
        transcript(
            s,
            &[
                &["HELLO"],
                &["HELLO", "3"],
                &["CLIENT", "GETNAME"],
                &["HELLO", "3", "SETNAME", "conn1", "AUTH", "default", "pw"],
                &["CLIENT", "GETNAME"],
                &["ECHO", "x"],
                &["HELLO", "2"],
                &["CLIENT", "GETNAME"],
                &["CLIENT", "SETNAME", ""],
                &["CLIENT", "GETNAME"],
                &["hello", "3", "auth", "default", "pw", "setname", "bad name"],
                &["CLIENT", "GETNAME"],
                &["PING"],
            ],
        )
    });
}

#[test]
fn client_subcommand_errors_match_redis() {
    let Some(mut d) = Differential::start("client_subcommand_errors_match_redis", &[]) else {
        return;
    };
    d.check_all(&[
        &["CLIENT"],
        &["CLIENT", "foo"],
        &["CLIENT", "no-touch", "on"],
        &["CLIENT", "setinfo", "lib-name", "x"],
        &["CLIENT", "ID", "x"],
        &["CLIENT", "INFO", "x"],
        &["CLIENT", "LIST", "x"],
        &["CLIENT", "LIST", "TYPE"],
        &["CLIENT", "LIST", "TYPE", "foo"],
        &["CLIENT", "LIST", "TYPE", "normal", "x"],
        &["CLIENT", "LIST", "ID"],
        &["CLIENT", "LIST", "ID", "abc"],
        &["CLIENT", "LIST", "ID", "1000", "abc"],
        &["CLIENT", "LIST", "ID", "99999"],
        &["CLIENT", "LIST", "ID", "-1", "0"],
        &["CLIENT", "LIST", "TYPE", "master"],
        &["CLIENT", "LIST", "TYPE", "replica"],
        &["CLIENT", "LIST", "TYPE", "slave"],
        &["CLIENT", "LIST", "TYPE", "pubsub"],
        &["CLIENT", "SETNAME"],
        &["CLIENT", "SETNAME", "a b"],
        &["CLIENT", "SETNAME", "a\nb"],
        &["CLIENT", "SETNAME", "\u{e9}"],
        &["CLIENT", "SETNAME", "a", "b"],
        &["CLIENT", "GETNAME"],
        &["CLIENT", "SETNAME", "myname"],
        &["CLIENT", "GETNAME"],
        &["CLIENT", "SETNAME", ""],
        &["CLIENT", "GETNAME"],
        &["CLIENT", "GETNAME", "x"],
        &["CLIENT", "REPLY"],
        &["CLIENT", "REPLY", "foo"],
        &["CLIENT", "REPLY", "on", "x"],
        &["CLIENT", "REPLY", "ON"],
        &["CLIENT", "NO-EVICT"],
        &["CLIENT", "NO-EVICT", "foo"],
        &["CLIENT", "NO-EVICT", "on"],
        &["CLIENT", "NO-EVICT", "OFF"],
        &["CLIENT", "PAUSE"],
        &["CLIENT", "PAUSE", "abc"],
        &["CLIENT", "PAUSE", "-1"],
        &["CLIENT", "PAUSE", "1.5"],
        &["CLIENT", "PAUSE", "0", "foo"],
        &["CLIENT", "PAUSE", "abc", "foo"],
        &["CLIENT", "PAUSE", "1", "write", "x"],
        &["CLIENT", "Pause", "1", "write", "x"],
        &["CLIENT", "PAUSE", "9223372036854775808"],
        &["CLIENT", "PAUSE", "0", "write"],
        &["CLIENT", "PAUSE", "0", "ALL"],
        &["CLIENT", "UNPAUSE", "x"],
        &["CLIENT", "UNPAUSE"],
        &["CLIENT", "KILL"],
        &["CLIENT", "KILL", "id"],
        &["CLIENT", "KILL", "1.2.3.4:5"],
        &["CLIENT", "KILL", "a", "b", "c"],
        &["CLIENT", "KILL", "a", "b", "c", "d"],
        &["CLIENT", "KILL", "maxage", "100"],
        &["CLIENT", "KILL", "id", "abc"],
        &["CLIENT", "KILL", "id", "0"],
        &["CLIENT", "KILL", "id", "-1"],
        &["CLIENT", "KILL", "id", "99999"],
        &["CLIENT", "KILL", "skipme", "maybe"],
        &["CLIENT", "KILL", "type", "foo"],
        &["CLIENT", "KILL", "type", "master"],
        &["CLIENT", "KILL", "type", "replica"],
        &["CLIENT", "KILL", "type", "pubsub"],
        &["CLIENT", "KILL", "user", "nobody"],
        &["CLIENT", "KILL", "addr", "1.2.3.4:5"],
        &["CLIENT", "KILL", "laddr", "1.2.3.4:5"],
        &["CLIENT", "KILL", "id", "1", "type"],
        &["CLIENT", "HELP", "x"],
        &["CLIENT", "HELP"],
        &["client", "help"],
    ]);
}

#[test]
fn client_list_and_info_have_redis_fields() {
    let Some(d) = Differential::start("client_list_and_info_have_redis_fields", &[]) else {
        return;
    };
    let mut lines = Vec::new();
    for s in [&d.ours, &d.theirs] {
        let mut c = s.raw();
        let info = bulk_text(&c.cmd(&["CLIENT", "INFO"]));
        let list = bulk_text(&c.cmd(&["CLIENT", "LIST"]));
        assert!(info.ends_with('\n'));
        let mine = list
            .lines()
            .find(|l| field(l, "cmd") == "client|list")
            .unwrap()
            .to_string();
        lines.push((info.trim_end().to_string(), mine));
    }
    let (ours_info, ours_list) = &lines[0];
    let (theirs_info, theirs_list) = &lines[1];
    assert_eq!(field_names(ours_info), field_names(theirs_info));
    assert_eq!(field_names(ours_list), field_names(theirs_list));
    // Fields whose values do not depend on the implementation.
    for f in [
        "name",
        "flags",
        "db",
        "sub",
        "psub",
        "ssub",
        "multi",
        "qbuf",
        "argv-mem",
        "multi-mem",
        "obl",
        "oll",
        "omem",
        "events",
        "cmd",
        "user",
        "redir",
        "resp",
    ] {
        assert_eq!(field(ours_list, f), field(theirs_list, f), "field {}", f);
    }
    assert_eq!(field(ours_info, "cmd"), "client|info");
}

/// CLIENT LIST / INFO reflect name, db, flags, protocol and filters.
fn client_list_scenario(s: &Server) -> Vec<String> {
    let mut a = s.raw();
    let mut b = s.raw();
    let a_id = int_reply(&a.cmd(&["CLIENT", "ID"]));
    let b_id = int_reply(&b.cmd(&["CLIENT", "ID"]));
    let mut out = vec![mask(&b.cmd(&["CLIENT", "SETNAME", "bee"]))];
    b.cmd(&["SELECT", "3"]);
    b.cmd(&["CLIENT", "NO-EVICT", "on"]);
    let list = bulk_text(&a.cmd(&["CLIENT", "LIST"]));
    let ids: Vec<i64> = list
        .lines()
        .map(|l| field(l, "id").parse().unwrap())
        .collect();
    out.push(format!("sorted={}", ids.windows(2).all(|w| w[0] < w[1])));
    let b_line = list
        .lines()
        .find(|l| field(l, "id") == b_id.to_string())
        .unwrap();
    for f in ["name", "db", "flags", "cmd", "resp", "events"] {
        out.push(format!("{}={}", f, field(b_line, f)));
    }
    let by_id = bulk_text(&a.cmd(&[
        "CLIENT",
        "LIST",
        "ID",
        &b_id.to_string(),
        "999999",
        &a_id.to_string(),
    ]));
    let listed: Vec<bool> = by_id
        .lines()
        .map(|l| field(l, "id") == b_id.to_string())
        .collect();
    out.push(format!("by_id={:?}", listed));
    let normal = bulk_text(&a.cmd(&["CLIENT", "LIST", "TYPE", "NORMAL"]));
    out.push(format!("normal={}", normal.lines().count() >= 2));
    out.push(mask(&a.cmd(&["CLIENT", "LIST", "TYPE", "pubsub"])));
    a.cmd(&["HELLO", "3"]);
    let info = a.cmd(&["CLIENT", "INFO"]);
    out.push(format!("verbatim={}", info.starts_with(b"=")));
    out.push(format!(
        "resp={}",
        field(bulk_text(&info).trim_end(), "resp")
    ));
    out
}

#[test]
fn client_list_reflects_client_state() {
    differential_scenario(
        "client_list_reflects_client_state",
        &[],
        client_list_scenario,
    );
}
