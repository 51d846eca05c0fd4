//! Client buffers (conn/resize.rs, resp/outbuf.rs): the clients cron
//! resizing reply heads and freeing idle query buffers, DEBUG REPLYBUFFER,
//! and CLIENT REPLY OFF/SKIP keeping only the pushes a command wrote. Each
//! scenario runs on ferrodis and on redis-server.

use std::time::Duration;

use crate::support::*;

const DEBUG: &[&str] = &["--enable-debug-command", "yes"];

/// A numeric field of the CLIENT LIST line of the client named `name`.
fn client_field(admin: &mut RawConn, name: &str, field: &str) -> Option<i64> {
    let list = admin.cmd(&["CLIENT", "LIST"]);
    let list = String::from_utf8_lossy(&list).into_owned();
    let line = list
        .lines()
        .find(|l| l.contains(&format!(" name={name} ")))?;
    line.split(' ')
        .find_map(|f| f.strip_prefix(&format!("{field}=")))
        .and_then(|v| v.parse().ok())
}

/// One server of a scenario run on both: an admin connection and the
/// client whose buffers are watched.
struct Side {
    _server: Server,
    admin: RawConn,
    tc: RawConn,
}

impl Side {
    fn new(server: Server) -> Side {
        let admin = server.raw();
        let mut tc = server.raw();
        assert_eq!(tc.cmd(&["CLIENT", "SETNAME", "tc"]), b"+OK\r\n");
        Side {
            _server: server,
            admin,
            tc,
        }
    }

    fn field(&mut self, field: &str) -> i64 {
        client_field(&mut self.admin, "tc", field).expect("tc in CLIENT LIST")
    }
}

/// Both servers, or None (with a SKIP line) without redis-server.
fn sides(test: &str) -> Option<[Side; 2]> {
    if !have_redis(test) {
        return None;
    }
    Some([
        Side::new(Server::start(DEBUG)),
        Side::new(Server::start_redis(DEBUG)),
    ])
}

/// Polls until `f` holds on both servers.
fn on_both(sides: &mut [Side; 2], f: impl Fn(&mut Side) -> bool) -> bool {
    poll_until(Duration::from_secs(20), || sides.iter_mut().all(&f))
}

/// Redis's replybufsize test: an idle client's head shrinks to 1 KB, grows
/// to 16 KB while big replies fill it, and shrinks again once the peak
/// resets.
#[test]
fn reply_head_follows_the_recent_peak() {
    let Some(mut s) = sides("reply_head_follows_the_recent_peak") else {
        return;
    };
    let small = |s: &mut Side| (1024..2046).contains(&s.field("rbs"));
    let value = "x".repeat(32768);
    for side in s.iter_mut() {
        let a = &mut side.admin;
        assert_eq!(
            a.cmd(&["DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "100"]),
            b"+OK\r\n"
        );
        assert_eq!(a.cmd(&["SET", "bigval", &value]), b"+OK\r\n");
    }
    assert!(on_both(&mut s, small), "idle heads did not shrink");
    for side in s.iter_mut() {
        side.admin
            .cmd(&["DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "never"]);
    }
    let grown = |s: &mut Side| {
        s.tc.cmd(&["GET", "bigval"]);
        (16384..32768).contains(&s.field("rbs"))
    };
    assert!(on_both(&mut s, grown), "busy heads did not grow");
    for side in s.iter_mut() {
        side.admin
            .cmd(&["DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "reset"]);
    }
    assert!(
        on_both(&mut s, small),
        "heads did not shrink after the reset"
    );
    for side in s.iter_mut() {
        let info = String::from_utf8_lossy(&side.admin.cmd(&["INFO", "stats"])).into_owned();
        for stat in ["reply_buffer_shrinks:", "reply_buffer_expands:"] {
            let n: i64 = info
                .lines()
                .find_map(|l| l.strip_prefix(stat))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            assert!(n > 0, "{stat} {n}");
        }
    }
}

/// A client idle for over two seconds gives back its query buffer space;
/// with RESIZING 0 its head keeps its size and peak meanwhile.
#[test]
fn idle_buffers_with_resizing_off() {
    let Some(mut s) = sides("idle_buffers_with_resizing_off") else {
        return;
    };
    for side in s.iter_mut() {
        side.admin.cmd(&["DEBUG", "REPLYBUFFER", "RESIZING", "0"]);
        // A client that connects after the switch: no cron visit resized it.
        side.tc = side._server.raw();
        side.tc.cmd(&["CLIENT", "SETNAME", "t2"]);
    }
    let t2 = |s: &mut Side, f: &str| client_field(&mut s.admin, "t2", f).expect("t2");
    for side in s.iter_mut() {
        assert!(t2(side, "qbuf-free") > 0);
    }
    assert!(on_both(&mut s, |s| t2(s, "qbuf-free") == 0));
    for side in s.iter_mut() {
        assert_eq!((t2(side, "rbs"), t2(side, "rbp")), (16384, 16384));
        side.admin.cmd(&["DEBUG", "REPLYBUFFER", "RESIZING", "1"]);
        // The next command reads into a new query buffer, as before.
        assert_eq!(side.tc.cmd(&["PING"]), b"+PONG\r\n");
    }
    assert!(on_both(&mut s, |s| t2(s, "rbs") == 1024));
}

#[test]
fn debug_replybuffer_and_pause_cron_replies() {
    let Some(mut d) = Differential::start("debug_replybuffer_and_pause_cron_replies", DEBUG) else {
        return;
    };
    for args in [
        &["DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "100"][..],
        &["DEBUG", "replybuffer", "peak-reset-time", "NEVER"],
        &["DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "reset"],
        &["DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "-5"],
        &["DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "abc"],
        &[
            "DEBUG",
            "REPLYBUFFER",
            "PEAK-RESET-TIME",
            "99999999999999999999",
        ],
        &["DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME"],
        &["DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "5", "6"],
        &["DEBUG", "REPLYBUFFER", "RESIZING", "0"],
        &["DEBUG", "REPLYBUFFER", "resizing", "x"],
        &["DEBUG", "REPLYBUFFER", "RESIZING", "1"],
        &["DEBUG", "REPLYBUFFER", "RESIZING"],
        &["DEBUG", "REPLYBUFFER", "foo", "bar"],
        &["DEBUG", "REPLYBUFFER"],
        &["DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "reset"],
        &["DEBUG", "PAUSE-CRON", "1"],
        &["DEBUG", "pause-cron", "x"],
        &["DEBUG", "PAUSE-CRON"],
        &["DEBUG", "PAUSE-CRON", "1", "2"],
        &["DEBUG", "PAUSE-CRON", "0"],
    ] {
        d.check(args);
    }
}

/// Sends `cmds` at once, then CLIENT REPLY ON and ECHO END; returns every
/// reply and push up to END.
fn transcript(c: &mut RawConn, cmds: &[&[&str]]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for cmd in cmds
        .iter()
        .chain([&["CLIENT", "REPLY", "ON"][..], &["ECHO", "END"]].iter())
    {
        let b: Vec<&[u8]> = cmd.iter().map(|a| a.as_bytes()).collect();
        out.extend(RawConn::encode(&b));
    }
    c.send(&out);
    let mut got = Vec::new();
    loop {
        let r = c.read_reply().expect("a reply or push");
        let end = r == b"$3\r\nEND\r\n";
        got.push(r);
        if end {
            return got;
        }
    }
}

/// A RESP3 connection for a scenario (HELLO's reply holds the id: not kept).
fn resp3(s: &Server) -> RawConn {
    let mut c = s.raw();
    assert!(c.cmd(&["HELLO", "3"]).starts_with(b"%"));
    c
}

fn scenario(name: &str, cmds: &'static [&'static [&'static str]]) {
    both(name, |s| {
        let mut c = resp3(s);
        transcript(&mut c, cmds)
    });
}

#[test]
fn reply_off_keeps_a_publish_inside_exec() {
    scenario(
        "reply_off_keeps_a_publish_inside_exec",
        &[
            &["SUBSCRIBE", "ch"],
            &["CLIENT", "REPLY", "OFF"],
            &["MULTI"],
            &["PING"],
            &["PUBLISH", "ch", "hi"],
            &["PING"],
            &["EXEC"],
        ],
    );
}

#[test]
fn reply_skip_of_exec_with_a_publish() {
    scenario(
        "reply_skip_of_exec_with_a_publish",
        &[
            &["SUBSCRIBE", "ch"],
            &["MULTI"],
            &["PING"],
            &["PUBLISH", "ch", "hi"],
            &["CLIENT", "REPLY", "SKIP"],
            &["EXEC"],
            &["PING"],
        ],
    );
}

#[test]
fn reply_off_keeps_keyspace_events_inside_exec() {
    both("reply_off_keeps_keyspace_events_inside_exec", |s| {
        s.cmd(&["CONFIG", "SET", "notify-keyspace-events", "KEA"]);
        let mut c = resp3(s);
        transcript(
            &mut c,
            &[
                &["SUBSCRIBE", "__keyevent@0__:set"],
                &["CLIENT", "REPLY", "OFF"],
                &["SET", "k", "v"],
                &["MULTI"],
                &["SET", "a", "1"],
                &["PING"],
                &["SET", "b", "2"],
                &["EXEC"],
            ],
        )
    });
}

#[test]
fn reply_off_keeps_own_invalidations_inside_exec() {
    scenario(
        "reply_off_keeps_own_invalidations_inside_exec",
        &[
            &["CLIENT", "TRACKING", "ON"],
            &["GET", "k"],
            &["GET", "k2"],
            &["CLIENT", "REPLY", "SKIP"],
            &["SET", "k", "v"],
            &["GET", "k"],
            &["CLIENT", "REPLY", "OFF"],
            &["MULTI"],
            &["SET", "k", "v"],
            &["GET", "k2"],
            &["SET", "k2", "x"],
            &["EXEC"],
        ],
    );
}

#[test]
fn reply_skip_keeps_subscribe_confirmations() {
    scenario(
        "reply_skip_keeps_subscribe_confirmations",
        &[
            &["CLIENT", "REPLY", "SKIP"],
            &["SUBSCRIBE", "a", "b"],
            &["PING"],
            &["CLIENT", "REPLY", "SKIP"],
            &["UNSUBSCRIBE", "a", "b"],
        ],
    );
}

/// Regression: a command held by CLIENT PAUSE after an invalidation push
/// (the tracking table shrank) left the push's end as a stale mark, and
/// with replies off its reply then went out when it ran.
#[test]
fn postponed_command_leaves_no_stale_push_mark() {
    both("postponed_command_leaves_no_stale_push_mark", |s| {
        let mut a = resp3(s);
        a.cmd(&["CLIENT", "SETNAME", "a"]);
        a.cmd(&["CLIENT", "TRACKING", "ON"]);
        a.cmd(&["GET", "k1"]);
        a.cmd(&["GET", "k2"]);
        let mut b = s.raw();
        let a_line_has = |b: &mut RawConn, what: &str| {
            let list = String::from_utf8_lossy(&b.cmd(&["CLIENT", "LIST"])).into_owned();
            list.lines()
                .any(|l| l.contains(" name=a ") && l.contains(what))
        };
        a.send(&RawConn::encode(&[b"CLIENT", b"REPLY", b"OFF"]));
        let off = poll_until(Duration::from_secs(10), || {
            a_line_has(&mut b, " cmd=client|reply ")
        });
        assert!(off, "CLIENT REPLY OFF did not run");
        for cmd in [
            &["MULTI"][..],
            &["CONFIG", "SET", "tracking-table-max-keys", "1"],
            &["CLIENT", "PAUSE", "100000", "WRITE"],
        ] {
            b.cmd(cmd);
        }
        assert_eq!(b.cmd(&["EXEC"]), b"*2\r\n+OK\r\n+OK\r\n");
        // The next command is A's SET: it evicts a key, which sends A an
        // invalidation, and is then held by the pause.
        a.send(&RawConn::encode(&[b"SET", b"k3", b"v"]));
        let push = a.read_reply().expect("an invalidation");
        let held = poll_until(Duration::from_secs(10), || a_line_has(&mut b, " flags=b"));
        assert!(held, "SET was not held by the pause");
        assert_eq!(b.cmd(&["CLIENT", "UNPAUSE"]), b"+OK\r\n");
        // SET's +OK must not follow (the key evicted is random: not kept).
        let mut got = vec![push.len().to_string().into_bytes()];
        got.extend(transcript(&mut a, &[&["PING"]]));
        got
    });
}

/// The idle timeout spares subscribers and blocked clients, as Redis's
/// `clientsCronHandleTimeout` does.
#[test]
fn timeout_spares_subscribers_and_blocked_clients() {
    both("timeout_spares_subscribers_and_blocked_clients", |s| {
        let mut admin = s.raw();
        admin.cmd(&["CONFIG", "SET", "timeout", "1"]);
        let mut sub = s.raw();
        sub.cmd(&["SUBSCRIBE", "ch"]);
        let mut blocked = s.raw();
        blocked.send(&RawConn::encode(&[b"BLPOP", b"nolist", b"0"]));
        let mut idle = s.raw();
        idle.cmd(&["CLIENT", "SETNAME", "idle"]);
        let mut names = || {
            let list = String::from_utf8_lossy(&admin.cmd(&["CLIENT", "LIST"])).into_owned();
            let mut cmds: Vec<String> = list
                .lines()
                .filter_map(|l| l.split(" cmd=").nth(1))
                .filter_map(|r| r.split(' ').next())
                .map(str::to_owned)
                .collect();
            cmds.sort();
            cmds
        };
        // The admin connection stays busy polling; the idle one goes.
        assert!(poll_until(Duration::from_secs(20), || !names()
            .contains(&"client|setname".to_owned())));
        let left = names();
        admin.cmd(&["CONFIG", "SET", "timeout", "0"]);
        left.into_iter().map(String::into_bytes).collect()
    });
}
