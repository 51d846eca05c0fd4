//! Connection and server-level commands, client management and connection
//! limits, mostly differential against redis-server. Multi-connection
//! scenarios run the same function against both servers and compare
//! transcripts with ids, ports and timestamps masked. Pausing, connection
//! limits, unix sockets and shutdown are in `limits.rs`.

mod limits;

use std::time::Duration;

use crate::support::*;

/// Replaces what differs by nature between two servers (client ids, ports,
/// fds, ages, buffer sizes) in a reply so that transcripts compare.
pub(super) fn mask(bytes: &[u8]) -> String {
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
pub(super) fn field_names(line: &str) -> Vec<String> {
    line.split(' ')
        .map(|f| f.split('=').next().unwrap_or("").to_string())
        .collect()
}

/// The value of `field` in a CLIENT LIST line.
pub(super) fn field<'a>(line: &'a str, name: &str) -> &'a str {
    line.split(' ')
        .find_map(|f| f.strip_prefix(name).and_then(|v| v.strip_prefix('=')))
        .unwrap_or_else(|| panic!("no field {} in {}", name, line))
}

/// The body of a bulk or verbatim reply, as text.
pub(super) fn bulk_text(reply: &[u8]) -> String {
    let s = String::from_utf8_lossy(reply).into_owned();
    let body = s.split_once("\r\n").map(|x| x.1).unwrap_or("");
    let body = body.strip_suffix("\r\n").unwrap_or(body);
    body.strip_prefix("txt:").unwrap_or(body).to_string()
}

pub(super) fn int_reply(reply: &[u8]) -> i64 {
    let s = String::from_utf8_lossy(reply);
    s.trim_start_matches(':').trim_end().parse().unwrap()
}

/// Runs `scenario` against ferrodis and redis-server and asserts the
/// transcripts are equal.
pub(super) fn differential_scenario(
    test: &str,
    args: &[&str],
    scenario: fn(&Server) -> Vec<String>,
) {
    if !have_redis(test) {
        return;
    }
    let ours = Server::start(args);
    let theirs = Server::start_redis(args);
    eprintln!("running {} on ferrodis", test);
    let a = scenario(&ours);
    eprintln!("running {} on redis", test);
    let b = scenario(&theirs);
    assert_eq!(a, b, "transcripts differ (left: ferrodis, right: redis)");
}

/// Asserts that no reply arrives on `c` for a while (a held command).
pub(super) fn assert_silent(c: &mut RawConn, what: &str) {
    c.stream
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    assert_eq!(c.read_reply(), None, "{}", what);
    c.stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
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
        &["SHUTDOWN", "foo"],
        &["SHUTDOWN", "ABORT"],
        &["SHUTDOWN", "abort", "now"],
        &["SHUTDOWN", "save", "nosave"],
        &["SHUTDOWN", "NOSAVE", "abort"],
        &["SHUTDOWN", "force", "force", "x"],
        &["QUIT"],
    ]);
}

/// Runs each command on one fresh connection and records masked replies.
pub(super) fn transcript(s: &Server, cmds: &[&[&str]]) -> Vec<String> {
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

/// CLIENT KILL with each filter, old and new forms.
fn client_kill_scenario(s: &Server) -> Vec<String> {
    let mut me = s.raw();
    let mut out = Vec::new();
    // By ID.
    let mut v = s.raw();
    let id = int_reply(&v.cmd(&["CLIENT", "ID"])).to_string();
    out.push(mask(&me.cmd(&["CLIENT", "KILL", "ID", &id])));
    out.push(format!("closed by id: {}", v.is_closed()));
    out.push(mask(&me.cmd(&["CLIENT", "KILL", "ID", &id])));
    // Old form by address; a second time there is no such client.
    let mut v = s.raw();
    let addr = field(bulk_text(&v.cmd(&["CLIENT", "INFO"])).trim_end(), "addr").to_string();
    out.push(mask(&me.cmd(&["CLIENT", "KILL", &addr])));
    out.push(format!("closed by old form: {}", v.is_closed()));
    out.push(mask(&me.cmd(&["CLIENT", "KILL", &addr])));
    // ADDR together with TYPE and USER.
    let mut v = s.raw();
    let addr = field(bulk_text(&v.cmd(&["CLIENT", "INFO"])).trim_end(), "addr").to_string();
    out.push(mask(
        &me.cmd(&["CLIENT", "KILL", "ADDR", &addr, "TYPE", "pubsub"]),
    ));
    out.push(mask(&me.cmd(&[
        "CLIENT", "KILL", "addr", &addr, "type", "normal", "user", "default",
    ])));
    out.push(format!("closed by addr: {}", v.is_closed()));
    // SKIPME yes (the default) spares the caller even when it matches.
    let my_addr = field(bulk_text(&me.cmd(&["CLIENT", "INFO"])).trim_end(), "addr").to_string();
    out.push(mask(&me.cmd(&["CLIENT", "KILL", "ADDR", &my_addr])));
    out.push(mask(
        &me.cmd(&["CLIENT", "KILL", "ADDR", &my_addr, "SKIPME", "yes"]),
    ));
    // LADDR matches every client of this listener; the others die.
    let mut v1 = s.raw();
    let mut v2 = s.raw();
    let info = bulk_text(&v1.cmd(&["CLIENT", "INFO"]));
    let laddr = field(info.trim_end(), "laddr").to_string();
    v2.cmd(&["PING"]);
    let n = int_reply(&me.cmd(&["CLIENT", "KILL", "LADDR", &laddr]));
    out.push(format!("laddr killed at least 2: {}", n >= 2));
    out.push(format!(
        "closed by laddr: {} {}",
        v1.is_closed(),
        v2.is_closed()
    ));
    out.push(mask(&me.cmd(&["PING"])));
    // SKIPME no kills the caller too, after its reply.
    let mut v = s.raw();
    v.cmd(&["PING"]);
    let reply = me.cmd(&["CLIENT", "KILL", "USER", "default", "SKIPME", "no"]);
    out.push(format!(
        "skipme no killed at least 2: {}",
        int_reply(&reply) >= 2
    ));
    out.push(format!(
        "closed by skipme no: {} {}",
        v.is_closed(),
        me.is_closed()
    ));
    // The old form may kill the caller itself.
    let mut me = s.raw();
    let my_addr = field(bulk_text(&me.cmd(&["CLIENT", "INFO"])).trim_end(), "addr").to_string();
    out.push(mask(&me.cmd(&["CLIENT", "KILL", &my_addr])));
    out.push(format!("closed itself: {}", me.is_closed()));
    out
}

#[test]
fn client_kill_filters_match_redis() {
    differential_scenario("client_kill_filters_match_redis", &[], client_kill_scenario);
}

#[test]
fn client_reply_modes_match_redis() {
    let Some(mut d) = Differential::start("client_reply_modes_match_redis", &[]) else {
        return;
    };
    let script = "CLIENT REPLY OFF\r\nPING\r\nNOSUCH\r\nECHO a\r\nCLIENT REPLY SKIP\r\nPING\r\n\
        CLIENT REPLY ON\r\nPING\r\nCLIENT REPLY SKIP\r\nECHO skipped\r\nECHO shown\r\n\
        CLIENT REPLY SKIP\r\nCLIENT REPLY ON\r\nPING\r\nCLIENT REPLY OFF\r\nRESET\r\nPING\r\n\
        CLIENT REPLY SKIP\r\nRESET\r\nPING\r\nCLIENT REPLY SKIP\r\nNOSUCH\r\nPING\r\n\
        CLIENT REPLY SKIP\r\nCLIENT REPLY SKIP\r\nPING\r\nPING\r\n";
    let out = d.check_raw(script.as_bytes(), 10);
    assert_eq!(
        out,
        b"+OK\r\n+PONG\r\n$5\r\nshown\r\n+OK\r\n+PONG\r\n+RESET\r\n+PONG\r\n+PONG\r\n+PONG\r\n+PONG\r\n"
    );
}

#[test]
fn reset_restores_a_fresh_connection() {
    differential_scenario("reset_restores_a_fresh_connection", &[], |s| {
        let mut c = s.raw();
        let mut out = vec![
            mask(&c.cmd(&["SELECT", "4"])),
            mask(&c.cmd(&["CLIENT", "SETNAME", "n"])),
            mask(&c.cmd(&["CLIENT", "NO-EVICT", "on"])),
            mask(&c.cmd(&["HELLO", "3"])),
            mask(&c.cmd(&["RESET"])),
        ];
        let info = bulk_text(&c.cmd(&["CLIENT", "INFO"]));
        for f in ["name", "db", "resp", "flags", "user"] {
            out.push(format!("{}={}", f, field(info.trim_end(), f)));
        }
        out.push(mask(&c.cmd(&["CLIENT", "GETNAME"])));
        out
    });
}

#[test]
fn auth_flows_with_requirepass_match_redis() {
    differential_scenario(
        "auth_flows_with_requirepass_match_redis",
        &["--requirepass", "s3cret"],
        |s| {
            let mut out = transcript(
                s,
                &[
                    &["PING"],
                    &["CLIENT", "ID"],
                    &["AUTH", "wrong"],
                    &["AUTH", "default", "wrong"],
                    &["AUTH", "nouser", "s3cret"],
                    &["HELLO"],
                    &["HELLO", "3"],
                    &["HELLO", "3", "SETNAME", "early"],
                    &["HELLO", "3", "AUTH", "default", "wrong"],
                    &["AUTH", "s3cret"],
                    &["CLIENT", "GETNAME"],
                    &["PING"],
                    &["AUTH", "default", "s3cret"],
                    &["RESET"],
                    &["PING"],
                    &["HELLO", "3", "AUTH", "default", "s3cret", "SETNAME", "x"],
                    &["CLIENT", "GETNAME"],
                    &["RESET"],
                    &[
                        "HELLO", "2", "AUTH", "default", "s3cret", "SETNAME", "bad name",
                    ],
                    &["PING"],
                    &["QUIT"],
                ],
            );
            // Unauthenticated requests are limited to 10 arguments and 16 KB bulks.
            for input in [&b"*20\r\n"[..], b"*1\r\n$16385\r\n"] {
                let mut c = s.raw();
                c.send(input);
                out.push(String::from_utf8_lossy(&c.read_replies_or_eof(1)).into_owned());
            }
            out
        },
    );
}

/// Collects MONITOR lines until one contains `end`, dropping timestamps and
/// the client address (which differ by nature).
fn monitor_lines(m: &mut RawConn, end: &str) -> Vec<String> {
    let mut lines = Vec::new();
    loop {
        let Some(raw) = m.read_reply() else {
            panic!("no monitor line after {:?}", lines)
        };
        let line = String::from_utf8_lossy(&raw).into_owned();
        let (ts, rest) = line[1..].split_once(' ').unwrap();
        let (secs, micros) = ts.split_once('.').unwrap();
        assert!(secs.parse::<u64>().is_ok() && micros.len() == 6, "{}", line);
        let (db, rest) = rest[1..].split_once(' ').unwrap();
        let (_addr, args) = rest.split_once("] ").unwrap();
        lines.push(format!("[{}] {}", db, args.trim_end()));
        if line.contains(end) {
            return lines;
        }
    }
}

/// A client blocked on keys shows the 'b' flag until it is served.
#[test]
fn blocked_client_has_the_b_flag() {
    differential_scenario("blocked_client_b_flag", &[], |s| {
        let mut b = s.raw();
        let id = String::from_utf8(b.cmd(&["CLIENT", "ID"])).unwrap();
        let id = id.trim_start_matches(':').trim().to_string();
        b.send(&RawConn::encode(&[b"BLPOP", b"l", b"0"]));
        wait_blocked(s, 1);
        let mut c = s.raw();
        let flags = |c: &mut RawConn| {
            let line = String::from_utf8(c.cmd(&["CLIENT", "LIST", "ID", &id])).unwrap();
            line.split(' ')
                .find(|f| f.starts_with("flags="))
                .unwrap()
                .to_string()
        };
        let mut out = vec![flags(&mut c)];
        c.cmd(&["RPUSH", "l", "x"]);
        out.push(mask(&b.read_reply().unwrap()));
        out.push(flags(&mut c));
        out
    });
}

/// A blocked command shows once in MONITOR, when it is called, and not
/// again when a push serves it.
#[test]
fn monitor_shows_a_served_blocked_command_once() {
    differential_scenario("monitor_blocked_once", &[], |s| {
        let mut m = s.raw();
        assert_eq!(m.cmd(&["MONITOR"]), b"+OK\r\n");
        let mut b = s.raw();
        b.send(&RawConn::encode(&[b"BLPOP", b"l", b"0"]));
        wait_blocked(s, 1);
        let mut c = s.raw();
        c.cmd(&["RPUSH", "l", "x"]);
        let mut out = vec![mask(&b.read_reply().unwrap())];
        c.cmd(&["ECHO", "end"]);
        out.extend(monitor_lines(&mut m, "end"));
        out
    });
}

#[test]
fn monitor_output_matches_redis() {
    differential_scenario("monitor_output_matches_redis", &[], |s| {
        let mut m = s.raw();
        assert_eq!(m.cmd(&["MONITOR"]), b"+OK\r\n");
        // A second MONITOR is ignored without a reply.
        m.send(&RawConn::encode(&[b"MONITOR"]));
        let mut c = s.raw();
        c.cmd(&["PING"]);
        c.cmd(&["SELECT", "2"]);
        c.cmd_bytes(&[b"ECHO", b"a\"b\\c\x01\xc3\xa9 \n"]);
        c.cmd(&["AUTH", "default", "secret"]);
        c.cmd(&["AUTH", "secret"]);
        c.cmd(&["HELLO", "2", "AUTH", "default", "pw", "SETNAME", "n"]);
        c.cmd(&["CLIENT", "LIST"]);
        c.cmd(&["CLIENT", "ID"]);
        c.cmd(&["NOSUCHCOMMAND"]);
        c.cmd(&["ECHO"]);
        c.cmd(&["TIME"]);
        c.send(b"echo inline\r\n");
        c.read_reply();
        c.cmd(&["ECHO", "end"]);
        let mut out = monitor_lines(&mut m, "end");
        // The monitor's own commands are fed to itself after their reply.
        out.push(mask(&m.cmd(&["PING"])));
        out.extend(monitor_lines(&mut m, "PING"));
        out.push(mask(&m.cmd(&["RESET"])));
        c.cmd(&["PING"]);
        out.push(mask(&m.cmd(&["ECHO", "after reset"])));
        out
    });
}
