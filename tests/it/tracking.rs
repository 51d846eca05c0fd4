//! Client-side caching (CLIENT TRACKING): each scenario runs on ferrodis and
//! on redis-server and the bytes every connection received are compared,
//! RESP3 pushes and RESP2 `__redis__:invalidate` messages included. Client
//! ids differ between the two servers, so they are replaced by names.

use std::time::Duration;

use crate::support::*;

/// One scenario's transcript: what each step read, ids replaced by names.
#[derive(Default)]
struct Log {
    lines: Vec<Vec<u8>>,
    ids: Vec<(String, &'static str)>,
}

impl Log {
    /// Runs a command on `c` and records its reply.
    fn cmd(&mut self, c: &mut RawConn, args: &[&str]) {
        let r = c.cmd(args);
        self.lines.push(r);
    }

    /// Records the next reply or push waiting on `c`.
    fn next(&mut self, c: &mut RawConn) {
        let r = c.read_reply().expect("a push or reply");
        self.lines.push(r);
    }

    /// Sends PING and records everything up to its PONG: the pushes that
    /// were waiting, or none.
    fn ping(&mut self, c: &mut RawConn) {
        c.send(&RawConn::encode(&[b"PING"]));
        loop {
            let r = c.read_reply().expect("a push or PONG");
            let done = r == b"+PONG\r\n";
            self.lines.push(r);
            if done {
                return;
            }
        }
    }

    /// The id of `c`, remembered under `name` for the comparison.
    fn id(&mut self, c: &mut RawConn, name: &'static str) -> String {
        let r = c.cmd(&["CLIENT", "ID"]);
        let id = String::from_utf8_lossy(&r[1..r.len() - 2]).into_owned();
        self.ids.push((id.clone(), name));
        id
    }

    /// The transcript with every known id replaced by its name.
    fn text(&self) -> Vec<String> {
        self.lines
            .iter()
            .map(|l| {
                let mut s = String::from_utf8_lossy(l).into_owned();
                for (id, name) in &self.ids {
                    s = s.replace(&format!(":{id}\r\n"), &format!(":{name}\r\n"));
                    s = s.replace(&format!("redir={id} "), &format!("redir={name} "));
                }
                s
            })
            .collect()
    }
}

/// Runs `f` on both servers started with `args` and compares the transcripts.
fn scenario(name: &str, args: &[&str], f: impl Fn(&Server, &mut Log)) {
    if !have_redis(name) {
        return;
    }
    let ours = Server::start(args);
    let theirs = Server::start_redis(args);
    let mut a = Log::default();
    let mut b = Log::default();
    f(&ours, &mut a);
    f(&theirs, &mut b);
    assert_eq!(a.text(), b.text(), "{name}");
}

fn resp3(s: &Server) -> RawConn {
    let mut c = s.raw();
    c.cmd(&["HELLO", "3"]);
    c
}

/// One field of CLIENT INFO (`flags=`, `redir=`), with ids named.
fn info_field(log: &mut Log, c: &mut RawConn, field: &str) {
    let r = c.cmd(&["CLIENT", "INFO"]);
    let text = String::from_utf8_lossy(&r).into_owned();
    let v = text
        .split([' ', '\n'])
        .find(|w| w.starts_with(field))
        .unwrap_or("")
        .to_string();
    log.lines.push(format!("{v} ").into_bytes());
}

#[test]
fn default_mode_resp3_pushes_and_ordering() {
    scenario("default_mode_resp3_pushes_and_ordering", &[], |s, log| {
        let mut a = resp3(s);
        let mut w = s.raw();
        log.cmd(&mut a, &["CLIENT", "TRACKING", "on"]);
        log.cmd(&mut a, &["GET", "k"]);
        // Its own write: the reply, then the push.
        log.cmd(&mut a, &["SET", "k", "v"]);
        log.next(&mut a);
        log.cmd(&mut a, &["GET", "k"]);
        log.cmd(&mut w, &["SET", "k", "2"]);
        log.next(&mut a);
        // Invalidated keys are forgotten: a second write sends nothing.
        log.cmd(&mut w, &["SET", "k", "3"]);
        log.cmd(&mut a, &["PING"]);
        // Several keys: one push per key, in the order written.
        log.cmd(&mut a, &["MGET", "k1", "k2", "k3"]);
        log.cmd(&mut w, &["MSET", "k2", "x", "k1", "y"]);
        log.next(&mut a);
        log.next(&mut a);
        log.cmd(&mut w, &["DEL", "k3"]);
        log.cmd(&mut a, &["PING"]);
        log.cmd(&mut a, &["HGETALL", "h"]);
        log.cmd(&mut w, &["HSET", "h", "f", "v"]);
        log.next(&mut a);
        // A transaction: the EXEC reply first, then the invalidation.
        log.cmd(&mut a, &["GET", "k"]);
        log.cmd(&mut a, &["MULTI"]);
        log.cmd(&mut a, &["SET", "k", "4"]);
        log.cmd(&mut a, &["GET", "k"]);
        log.cmd(&mut a, &["EXEC"]);
        log.next(&mut a);
        log.cmd(&mut a, &["CLIENT", "TRACKING", "off"]);
        log.cmd(&mut a, &["GET", "k"]);
        log.cmd(&mut w, &["SET", "k", "5"]);
        log.cmd(&mut a, &["PING"]);
    });
}

#[test]
fn resp2_redirect_to_a_subscriber() {
    scenario("resp2_redirect_to_a_subscriber", &[], |s, log| {
        let mut r = s.raw();
        let rid = log.id(&mut r, "RID");
        log.cmd(&mut r, &["SUBSCRIBE", "__redis__:invalidate"]);
        let mut a = s.raw();
        let mut w = s.raw();
        log.cmd(&mut a, &["CLIENT", "TRACKING", "on", "REDIRECT", &rid]);
        log.cmd(&mut a, &["CLIENT", "GETREDIR"]);
        log.cmd(&mut a, &["CLIENT", "TRACKINGINFO"]);
        info_field(log, &mut a, "redir=");
        info_field(log, &mut a, "flags=");
        log.cmd(&mut a, &["GET", "k"]);
        log.cmd(&mut a, &["MGET", "k", "k2"]);
        log.cmd(&mut w, &["MSET", "k", "1", "k2", "2"]);
        log.next(&mut r);
        log.next(&mut r);
        // A RESP3 tracker redirecting to the same subscriber.
        let mut b = resp3(s);
        log.cmd(&mut b, &["CLIENT", "TRACKING", "on", "REDIRECT", &rid]);
        log.cmd(&mut b, &["GET", "k"]);
        log.cmd(&mut a, &["GET", "k"]);
        log.cmd(&mut w, &["SET", "k", "x"]);
        log.next(&mut r);
        log.next(&mut r);
        // A flush: each tracker's null, in its own protocol.
        log.cmd(&mut w, &["FLUSHALL"]);
        log.next(&mut r);
        log.next(&mut r);
        log.cmd(&mut r, &["PING"]);
    });
}

#[test]
fn resp3_redirect_target_and_resp2_tracker_without_redirect() {
    scenario("resp3_redirect_target", &[], |s, log| {
        let mut r = resp3(s);
        let rid = log.id(&mut r, "RID");
        let mut a = s.raw();
        log.cmd(&mut a, &["CLIENT", "TRACKING", "on", "REDIRECT", &rid]);
        log.cmd(&mut a, &["GET", "k"]);
        // The target itself writes the key: the push goes before its reply.
        log.cmd(&mut r, &["SET", "k", "1"]);
        log.next(&mut r);
        // RESP2 without redirection: tracking is on but nothing can be sent.
        let mut b = s.raw();
        log.cmd(&mut b, &["CLIENT", "TRACKING", "on"]);
        log.cmd(&mut b, &["GET", "k"]);
        log.cmd(&mut b, &["SET", "k", "2"]);
        log.cmd(&mut b, &["PING"]);
        log.cmd(&mut b, &["CLIENT", "TRACKINGINFO"]);
    });
}

#[test]
fn bcast_with_prefixes() {
    scenario("bcast_with_prefixes", &[], |s, log| {
        let mut a = resp3(s);
        let mut e = resp3(s);
        let mut w = s.raw();
        log.cmd(
            &mut a,
            &[
                "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "user:", "PREFIX", "obj:",
            ],
        );
        log.cmd(&mut e, &["CLIENT", "TRACKING", "on", "BCAST"]);
        log.cmd(&mut a, &["CLIENT", "TRACKINGINFO"]);
        log.cmd(&mut e, &["CLIENT", "TRACKINGINFO"]);
        info_field(log, &mut a, "flags=");
        // One loop iteration: keys grouped per prefix, in byte order.
        log.cmd(
            &mut w,
            &[
                "MSET", "user:2", "a", "other", "b", "user:1", "c", "obj:1", "d",
            ],
        );
        log.next(&mut a);
        log.next(&mut a);
        log.next(&mut e);
        // Reads are not tracked in BCAST mode; writes outside the prefixes are ignored.
        log.cmd(&mut a, &["GET", "zzz"]);
        log.cmd(&mut w, &["SET", "zzz", "1"]);
        log.cmd(&mut a, &["PING"]);
        log.next(&mut e);
        // More prefixes can be added while on.
        log.cmd(
            &mut a,
            &["CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "zzz"],
        );
        log.cmd(&mut w, &["SET", "zzz", "2"]);
        log.next(&mut a);
        log.next(&mut e);
        log.cmd(&mut a, &["CLIENT", "TRACKINGINFO"]);
        info_line(log, &mut w, "stats", "tracking_total_prefixes");
        log.cmd(&mut a, &["CLIENT", "TRACKING", "off"]);
        info_line(log, &mut w, "stats", "tracking_total_prefixes");
        log.cmd(&mut w, &["FLUSHALL"]);
        log.next(&mut e);
    });
}

/// One `name:value` line of an INFO section.
fn info_line(log: &mut Log, c: &mut RawConn, section: &str, name: &str) {
    let r = c.cmd(&["INFO", section]);
    let text = String::from_utf8_lossy(&r).into_owned();
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("{name}:")))
        .unwrap_or("missing")
        .to_string();
    log.lines.push(line.into_bytes());
}

#[test]
fn optin_and_optout_with_caching() {
    scenario("optin_and_optout_with_caching", &[], |s, log| {
        let mut a = resp3(s);
        let mut w = s.raw();
        log.cmd(&mut a, &["CLIENT", "TRACKING", "on", "OPTIN"]);
        log.cmd(&mut a, &["GET", "k1"]);
        log.cmd(&mut a, &["CLIENT", "CACHING", "yes"]);
        log.cmd(&mut a, &["CLIENT", "TRACKINGINFO"]);
        log.cmd(&mut a, &["GET", "k2"]);
        log.cmd(&mut a, &["GET", "k3"]);
        log.cmd(&mut w, &["MSET", "k1", "1", "k2", "2", "k3", "3"]);
        log.next(&mut a);
        log.cmd(&mut a, &["PING"]);
        // CACHING yes lasts through a transaction.
        log.cmd(&mut a, &["CLIENT", "CACHING", "yes"]);
        log.cmd(&mut a, &["MULTI"]);
        log.cmd(&mut a, &["GET", "k1"]);
        log.cmd(&mut a, &["GET", "k3"]);
        log.cmd(&mut a, &["EXEC"]);
        log.cmd(&mut w, &["MSET", "k1", "1", "k3", "3"]);
        log.next(&mut a);
        log.next(&mut a);
        log.cmd(&mut a, &["CLIENT", "TRACKING", "off"]);
        log.cmd(&mut a, &["CLIENT", "TRACKING", "on", "OPTOUT"]);
        log.cmd(&mut a, &["GET", "k1"]);
        log.cmd(&mut a, &["CLIENT", "CACHING", "no"]);
        log.cmd(&mut a, &["CLIENT", "TRACKINGINFO"]);
        log.cmd(&mut a, &["GET", "k2"]);
        log.cmd(&mut w, &["MSET", "k1", "1", "k2", "2"]);
        log.next(&mut a);
        log.cmd(&mut a, &["PING"]);
    });
}

#[test]
fn noloop_in_default_and_bcast_modes() {
    scenario("noloop_in_default_and_bcast_modes", &[], |s, log| {
        let mut a = resp3(s);
        let mut w = s.raw();
        log.cmd(&mut a, &["CLIENT", "TRACKING", "on", "NOLOOP"]);
        log.cmd(&mut a, &["GET", "k"]);
        log.cmd(&mut a, &["SET", "k", "1"]);
        log.cmd(&mut a, &["PING"]);
        log.cmd(&mut a, &["GET", "k"]);
        log.cmd(&mut a, &["MULTI"]);
        log.cmd(&mut a, &["SET", "k", "2"]);
        log.cmd(&mut a, &["EXEC"]);
        log.cmd(&mut a, &["PING"]);
        log.cmd(&mut a, &["GET", "j"]);
        log.cmd(&mut w, &["SET", "j", "1"]);
        log.next(&mut a);
        log.cmd(&mut a, &["CLIENT", "TRACKING", "off"]);
        log.cmd(&mut a, &["CLIENT", "TRACKING", "on", "BCAST", "NOLOOP"]);
        log.cmd(&mut a, &["MSET", "x", "1", "y", "2"]);
        log.cmd(&mut a, &["PING"]);
        log.cmd(&mut w, &["SET", "z", "1"]);
        log.next(&mut a);
    });
}

#[test]
fn flush_sends_null_invalidation() {
    scenario("flush_sends_null_invalidation", &[], |s, log| {
        let mut a = resp3(s);
        let mut b = resp3(s);
        let mut w = s.raw();
        log.cmd(&mut a, &["CLIENT", "TRACKING", "on"]);
        log.cmd(&mut b, &["CLIENT", "TRACKING", "on", "BCAST"]);
        log.cmd(&mut a, &["GET", "k"]);
        log.cmd(&mut w, &["FLUSHDB"]);
        log.next(&mut a);
        log.next(&mut b);
        // The flusher itself: reply first, then the null.
        log.cmd(&mut a, &["FLUSHALL", "ASYNC"]);
        log.next(&mut a);
        log.next(&mut b);
        log.cmd(&mut a, &["MULTI"]);
        log.cmd(&mut a, &["FLUSHDB"]);
        log.cmd(&mut a, &["PING"]);
        log.cmd(&mut a, &["EXEC"]);
        log.next(&mut a);
        log.next(&mut b);
        info_line(log, &mut w, "stats", "tracking_total_keys");
    });
}

#[test]
fn redirect_broken_when_target_goes() {
    scenario("redirect_broken_when_target_goes", &[], |s, log| {
        let mut r = s.raw();
        let rid = log.id(&mut r, "RID");
        let mut a = resp3(s);
        let mut w = s.raw();
        log.cmd(&mut a, &["CLIENT", "TRACKING", "on", "REDIRECT", &rid]);
        log.cmd(&mut a, &["GET", "k"]);
        drop(r);
        assert!(poll_until(Duration::from_secs(10), || {
            let list = String::from_utf8_lossy(&w.cmd(&["CLIENT", "LIST"])).into_owned();
            !list.contains(&format!("id={rid} "))
        }));
        log.cmd(&mut w, &["SET", "k", "1"]);
        log.next(&mut a);
        info_field(log, &mut a, "flags=");
        info_field(log, &mut a, "redir=");
        log.cmd(&mut a, &["CLIENT", "TRACKINGINFO"]);
        log.cmd(&mut a, &["CLIENT", "GETREDIR"]);
        // A redirect to a missing client is refused up front.
        log.cmd(&mut a, &["CLIENT", "TRACKING", "on", "REDIRECT", &rid]);
        log.cmd(&mut a, &["GET", "k"]);
        log.cmd(&mut a, &["SET", "k", "2"]);
        log.next(&mut a);
    });
}

#[test]
fn expired_keys_are_invalidated() {
    scenario("expired_keys_are_invalidated", &[], |s, log| {
        let mut a = resp3(s);
        let mut w = s.raw();
        log.cmd(&mut a, &["CLIENT", "TRACKING", "on"]);
        log.cmd(&mut a, &["GET", "k"]);
        log.cmd(&mut w, &["SET", "k", "v", "PX", "500"]);
        log.next(&mut a);
        log.cmd(&mut a, &["GET", "k"]);
        // Active expiry deletes it within a few cron runs: the push arrives
        // without any further command.
        log.next(&mut a);
        log.cmd(&mut a, &["GET", "k"]);
    });
}

#[test]
fn table_max_keys_evicts_with_invalidations() {
    scenario("table_max_keys_evicts_with_invalidations", &[], |s, log| {
        let mut a = resp3(s);
        let mut w = s.raw();
        log.cmd(&mut w, &["CONFIG", "SET", "tracking-table-max-keys", "3"]);
        log.cmd(&mut a, &["CLIENT", "TRACKING", "on"]);
        let keys: Vec<String> = (0..8).map(|i| format!("key{i}")).collect();
        let mut args = vec!["MGET"];
        args.extend(keys.iter().map(|k| k.as_str()));
        log.cmd(&mut a, &args);
        // The next command (or cron) brings the table down to the limit; the
        // keys are random, so only their number is compared.
        let mut evicted = 0;
        while evicted < 5 {
            let r = a.read_reply().expect("an invalidation");
            assert!(r.starts_with(b">2\r\n$10\r\ninvalidate\r\n*1\r\n"));
            evicted += 1;
        }
        log.lines.push(format!("evicted {evicted}").into_bytes());
        info_line(log, &mut w, "stats", "tracking_total_keys");
        info_line(log, &mut w, "stats", "tracking_total_items");
        info_line(log, &mut w, "clients", "tracking_clients");
        log.cmd(&mut a, &["PING"]);
    });
}

#[test]
fn every_tracking_error() {
    let Some(mut d) = Differential::start("every_tracking_error", &[]) else {
        return;
    };
    d.check_all(&[
        &["CLIENT", "TRACKING"],
        &["CLIENT", "TRACKING", "maybe"],
        &["CLIENT", "TRACKING", "on", "foo"],
        &["CLIENT", "TRACKING", "on", "redirect"],
        &["CLIENT", "TRACKING", "on", "redirect", "abc"],
        &["CLIENT", "TRACKING", "on", "redirect", "999"],
        &["CLIENT", "TRACKING", "on", "redirect", "0"],
        &["CLIENT", "TRACKING", "on", "redirect", "-1"],
        &[
            "CLIENT", "TRACKING", "on", "redirect", "998", "redirect", "999",
        ],
        &["CLIENT", "TRACKING", "on", "prefix", "a"],
        &["CLIENT", "TRACKING", "on", "bcast", "optin"],
        &["CLIENT", "TRACKING", "on", "bcast", "optout"],
        &["CLIENT", "TRACKING", "on", "optin", "optout"],
        &[
            "CLIENT", "TRACKING", "on", "bcast", "prefix", "a", "prefix", "ab",
        ],
        &[
            "CLIENT", "TRACKING", "on", "bcast", "prefix", "x\r\ny", "prefix", "x",
        ],
        &["CLIENT", "TRACKING", "off", "foo"],
        &["CLIENT", "TRACKING", "off", "prefix", "x"],
        &["CLIENT", "CACHING", "yes"],
        &["CLIENT", "CACHING", "maybe"],
        &["CLIENT", "CACHING", "yes", "x"],
        &["CLIENT", "GETREDIR", "x"],
        &["CLIENT", "TRACKINGINFO", "x"],
        &[
            "CLIENT", "TRACKING", "on", "bcast", "prefix", "a", "prefix", "b",
        ],
        &["CLIENT", "TRACKING", "on", "bcast", "prefix", "ab"],
        &["CLIENT", "TRACKING", "on", "bcast", "prefix", ""],
        &["CLIENT", "TRACKING", "on"],
        &["CLIENT", "TRACKING", "on", "prefix", "c"],
        &["CLIENT", "CACHING", "yes"],
        &["CLIENT", "TRACKINGINFO"],
        &["CLIENT", "TRACKING", "off"],
        &["CLIENT", "TRACKING", "on", "optin"],
        &["CLIENT", "TRACKING", "on", "optout"],
        &["CLIENT", "TRACKING", "on", "bcast"],
        &["CLIENT", "CACHING", "no"],
        &["CLIENT", "CACHING", "yes"],
        &["CLIENT", "TRACKING", "on", "optin", "noloop"],
        &["CLIENT", "TRACKINGINFO"],
        &["CLIENT", "TRACKING", "off"],
        &["CLIENT", "TRACKING", "on", "optout"],
        &["CLIENT", "CACHING", "yes"],
        &["CLIENT", "CACHING", "no"],
        &["CLIENT", "TRACKINGINFO"],
        &["CLIENT", "TRACKING", "off"],
        &["CLIENT", "TRACKINGINFO"],
        &["CLIENT", "GETREDIR"],
    ]);
    // An overlap found after the first prefix: Redis replies the error and
    // then enables tracking and replies +OK as well.
    d.check_raw(
        &RawConn::encode(&[
            b"CLIENT",
            b"TRACKING",
            b"on",
            b"bcast",
            b"prefix",
            b"a",
            b"prefix",
            b"b",
            b"prefix",
            b"bc",
        ]),
        2,
    );
}

#[test]
fn reset_and_disconnect_clean_up() {
    scenario("reset_and_disconnect_clean_up", &[], |s, log| {
        let mut w = s.raw();
        {
            let mut a = resp3(s);
            log.cmd(
                &mut a,
                &["CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "p"],
            );
            let mut b = resp3(s);
            log.cmd(&mut b, &["CLIENT", "TRACKING", "on"]);
            log.cmd(&mut b, &["GET", "k"]);
            info_line(log, &mut w, "clients", "tracking_clients");
            info_line(log, &mut w, "stats", "tracking_total_prefixes");
            info_line(log, &mut w, "stats", "tracking_total_items");
            log.cmd(&mut a, &["RESET"]);
            log.cmd(&mut a, &["CLIENT", "TRACKINGINFO"]);
            info_line(log, &mut w, "clients", "tracking_clients");
            info_line(log, &mut w, "stats", "tracking_total_prefixes");
        }
        assert!(poll_until(Duration::from_secs(10), || {
            let info = String::from_utf8_lossy(&w.cmd(&["INFO", "clients"])).into_owned();
            info.contains("tracking_clients:0\r\n")
        }));
        // The key stays in the table until it is invalidated.
        info_line(log, &mut w, "stats", "tracking_total_keys");
        log.cmd(&mut w, &["SET", "k", "1"]);
        info_line(log, &mut w, "stats", "tracking_total_keys");
        info_line(log, &mut w, "stats", "tracking_total_items");
    });
}

#[test]
fn caching_lasts_one_command_even_a_refused_one() {
    scenario("caching_lasts_one_command", &[], |s, log| {
        let mut a = resp3(s);
        let mut w = s.raw();
        log.cmd(&mut a, &["CLIENT", "TRACKING", "on", "OPTIN"]);
        for refused in [&["NOSUCHCMD"][..], &["GET", "k", "extra"][..]] {
            log.cmd(&mut a, &["CLIENT", "CACHING", "yes"]);
            log.cmd(&mut a, refused);
            log.cmd(&mut a, &["GET", "k"]);
            log.cmd(&mut w, &["SET", "k", "1"]);
            log.cmd(&mut a, &["PING"]);
        }
        // Other CLIENT subcommands keep it.
        log.cmd(&mut a, &["CLIENT", "CACHING", "yes"]);
        log.cmd(&mut a, &["CLIENT", "ID"]);
        log.lines.pop();
        log.cmd(&mut a, &["GET", "k"]);
        log.cmd(&mut w, &["SET", "k", "1"]);
        log.cmd(&mut a, &["PING"]);
    });
}

#[test]
fn pushes_survive_client_reply_off_and_skip() {
    scenario("pushes_survive_client_reply_off", &[], |s, log| {
        let mut a = resp3(s);
        log.cmd(&mut a, &["CLIENT", "TRACKING", "on"]);
        log.cmd(&mut a, &["GET", "k"]);
        a.send(&RawConn::encode(&[b"CLIENT", b"REPLY", b"OFF"]));
        log.cmd(&mut a, &["SET", "k", "v"]);
        log.cmd(&mut a, &["CLIENT", "REPLY", "ON"]);
        log.cmd(&mut a, &["GET", "k"]);
        a.send(&RawConn::encode(&[b"CLIENT", b"REPLY", b"SKIP"]));
        log.cmd(&mut a, &["SET", "k", "v2"]);
        log.cmd(&mut a, &["PING"]);
    });
}

#[test]
fn keys_written_by_every_kind_of_command() {
    scenario("keys_written_by_every_kind_of_command", &[], |s, log| {
        let mut a = resp3(s);
        let mut w = s.raw();
        log.cmd(&mut a, &["CLIENT", "TRACKING", "on"]);
        let steps: &[&[&str]] = &[
            &["SET", "s", "1"],
            &["RENAME", "s", "d"],
            &["COPY", "d", "s"],
            &["MOVE", "d", "1"],
            &["SWAPDB", "0", "1"],
            &["EXPIRE", "s", "100"],
            &["PERSIST", "s"],
            &["APPEND", "s", "x"],
        ];
        for step in steps {
            log.cmd(&mut a, &["MGET", "s", "d"]);
            log.cmd(&mut w, step);
            log.ping(&mut a);
        }
        // A blocked client served by another's push hears of the key it
        // moved into after its own reply.
        log.cmd(&mut a, &["LRANGE", "dst", "0", "-1"]);
        a.send(&RawConn::encode(&[
            b"BLMOVE", b"src", b"dst", b"LEFT", b"LEFT", b"0",
        ]));
        wait_blocked(s, 1);
        log.cmd(&mut w, &["LPUSH", "src", "v"]);
        log.next(&mut a);
        log.next(&mut a);
    });
}

#[test]
fn redirect_target_switching_to_resp3() {
    scenario("redirect_target_switching_to_resp3", &[], |s, log| {
        let mut r = s.raw();
        let rid = log.id(&mut r, "RID");
        let mut a = s.raw();
        let mut w = s.raw();
        log.cmd(&mut a, &["CLIENT", "TRACKING", "on", "REDIRECT", &rid]);
        log.cmd(&mut a, &["GET", "k"]);
        // Not subscribed in RESP2: nothing; in RESP3: a push.
        log.cmd(&mut w, &["SET", "k", "1"]);
        log.cmd(&mut r, &["PING"]);
        log.cmd(&mut a, &["GET", "k"]);
        log.cmd(&mut r, &["HELLO", "3"]);
        log.lines.pop();
        log.cmd(&mut w, &["SET", "k", "2"]);
        log.next(&mut r);
        // CLIENT KILL of the target breaks the redirection.
        log.cmd(&mut a, &["GET", "k"]);
        log.cmd(&mut w, &["CLIENT", "KILL", "ID", &rid]);
        log.cmd(&mut w, &["SET", "k", "3"]);
        log.cmd(&mut a, &["CLIENT", "TRACKINGINFO"]);
    });
}

#[test]
fn lazy_expiry_reaches_bcast_noloop_client_that_read_it() {
    // An expiry has no client behind it: a NOLOOP client that expires a key
    // by reading it still hears of it (Redis passes a NULL client).
    let args = ["--enable-debug-command", "yes"];
    scenario("lazy_expiry_reaches_bcast_noloop", &args, |s, log| {
        let mut r = resp3(s);
        log.cmd(&mut r, &["DEBUG", "SET-ACTIVE-EXPIRE", "0"]);
        log.cmd(&mut r, &["CLIENT", "TRACKING", "on", "BCAST", "NOLOOP"]);
        log.cmd(&mut r, &["SET", "k", "1", "PX", "1"]);
        log.cmd(&mut r, &["DEBUG", "SLEEP", "0.01"]);
        log.cmd(&mut r, &["GET", "k"]);
        log.next(&mut r);
        // In default mode, NOLOOP skips its own lazy expiry. (The key must
        // live until the read that tracks it: 500 ms is ample.)
        log.cmd(&mut r, &["CLIENT", "TRACKING", "off"]);
        log.cmd(&mut r, &["CLIENT", "TRACKING", "on", "NOLOOP"]);
        log.cmd(&mut r, &["GET", "k"]);
        log.cmd(&mut r, &["SET", "k", "1", "PX", "500"]);
        log.cmd(&mut r, &["GET", "k"]);
        log.cmd(&mut r, &["DEBUG", "SLEEP", "0.6"]);
        log.cmd(&mut r, &["GET", "k"]);
        log.ping(&mut r);
        // Without NOLOOP: the push follows the reply of the read that expired it.
        log.cmd(&mut r, &["CLIENT", "TRACKING", "on"]);
        log.cmd(&mut r, &["SET", "k", "1", "PX", "500"]);
        log.cmd(&mut r, &["GET", "k"]);
        log.cmd(&mut r, &["DEBUG", "SLEEP", "0.6"]);
        log.cmd(&mut r, &["MGET", "x", "k"]);
        log.next(&mut r);
        log.ping(&mut r);
        log.cmd(&mut r, &["DEBUG", "SET-ACTIVE-EXPIRE", "1"]);
    });
}

#[test]
fn table_limit_lowered_while_idle_evicts_with_growing_effort() {
    // 250 keys and a limit of 1: cron evicts 100, then 200 more per run
    // until one key is left, without any command from the tracker.
    scenario("table_limit_lowered_while_idle", &[], |s, log| {
        let mut a = resp3(s);
        let mut w = s.raw();
        log.cmd(&mut a, &["CLIENT", "TRACKING", "on"]);
        let keys: Vec<String> = (0..250).map(|i| format!("key{i}")).collect();
        let mut args = vec!["MGET"];
        args.extend(keys.iter().map(|k| k.as_str()));
        a.cmd(&args);
        log.cmd(&mut w, &["CONFIG", "SET", "tracking-table-max-keys", "1"]);
        for _ in 0..249 {
            let r = a.read_reply().expect("an invalidation");
            assert!(r.starts_with(b">2\r\n$10\r\ninvalidate\r\n*1\r\n"));
        }
        log.ping(&mut a);
        info_line(log, &mut w, "stats", "tracking_total_keys");
    });
}
