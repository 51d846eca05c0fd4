//! MONITOR feed (replication.c `replicationFeedMonitors`): every executed
//! command, except admin and skip-monitor ones, is sent to MONITOR clients as
//! `+<unixtime>.<micros> [<db> <addr>] "cmd" "arg" ...`.

use crate::cmd::meta::{flags, CommandMeta};
use crate::conn::{obuf_limits, Client, ReplyMode};
use crate::event_loop::clock;
use crate::server::Server;
use crate::util::args::repr;
use crate::util::num::push_i64;

/// What a redacted argument (a password) looks like in MONITOR and the slowlog.
pub const REDACTED: &[u8] = b"(redacted)";

impl Server {
    /// Sends the command `c` just ran to every MONITOR client (called from `after_call`).
    pub fn feed_monitors(&mut self, c: &mut Client, argv: &[Vec<u8>], meta: &CommandMeta) {
        if self.monitors.is_empty() || meta.has(flags::SKIP_MONITOR) || meta.has(flags::ADMIN) {
            return;
        }
        let line = monitor_line(
            clock::unix_us(),
            c,
            &self.config.unixsocket,
            argv,
            &c.redacted,
        );
        let limits = self.config.client_output_buffer_limit;
        let mut over = Vec::new();
        for i in 0..self.monitors.len() {
            let (token, id) = self.monitors[i];
            if token == c.token && id == c.id {
                // The running client is out of the slab: append directly.
                if accepts_feed(c) {
                    c.reply.raw(&line);
                }
                continue;
            }
            let Some(m) = self.clients.get_mut(token) else {
                continue;
            };
            if m.id != id || !accepts_feed(m) {
                continue;
            }
            m.reply.raw(&line);
            if !m.pending_write {
                m.pending_write = true;
                self.pending_writes.push(token);
            }
            // A monitor that does not read is held to the normal class limit.
            if obuf_limits::over_limit(m, &limits, self.time.mstime) {
                over.push(token);
            }
        }
        for token in over {
            obuf_limits::close_async(self, token);
        }
    }

    /// Turns `c` into a MONITOR client. Returns false if it already is one.
    pub fn add_monitor(&mut self, c: &mut Client) -> bool {
        if c.flags.monitor {
            return false;
        }
        c.flags.monitor = true;
        self.monitors.push((c.token, c.id));
        true
    }

    /// Ends MONITOR mode for `c` (RESET, disconnection).
    pub fn remove_monitor(&mut self, c: &mut Client) {
        if c.flags.monitor {
            c.flags.monitor = false;
            let (token, id) = (c.token, c.id);
            self.monitors.retain(|&m| m != (token, id));
        }
    }
}

/// A reply can be queued to the client (Redis `prepareClientToWrite`).
fn accepts_feed(c: &Client) -> bool {
    !matches!(c.reply_mode, ReplyMode::Off | ReplyMode::Skip)
        && !c.flags.close_after_reply
        && !c.flags.close_asap
}

/// One MONITOR line, CRLF included.
pub fn monitor_line(
    now_us: i64,
    c: &Client,
    unixsocket: &str,
    argv: &[Vec<u8>],
    redacted: &[usize],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + argv.iter().map(|a| a.len() + 3).sum::<usize>());
    out.push(b'+');
    push_i64(&mut out, now_us / 1_000_000);
    out.extend_from_slice(format!(".{:06} [", now_us % 1_000_000).as_bytes());
    push_i64(&mut out, c.db as i64);
    out.push(b' ');
    if c.flags.unix_socket {
        out.extend_from_slice(b"unix:");
        out.extend_from_slice(unixsocket.as_bytes());
    } else {
        out.extend_from_slice(c.addr.as_bytes());
    }
    out.extend_from_slice(b"] ");
    for (i, arg) in argv.iter().enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        let shown: &[u8] = if redacted.contains(&i) { REDACTED } else { arg };
        repr(&mut out, shown);
    }
    out.extend_from_slice(b"\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conn::Socket;

    fn client(unix: bool) -> Client {
        let (a, _b) = mio::net::UnixStream::pair().unwrap();
        let mut c = Client::new(7, 0, Socket::Unix(a), "10.0.0.1:5000".into(), "".into(), 0);
        c.flags.unix_socket = unix;
        c.db = 3;
        c
    }

    #[test]
    fn line_format() {
        let c = client(false);
        let argv = vec![b"auth".to_vec(), b"pw".to_vec(), b"a\"\n\x01".to_vec()];
        let line = monitor_line(1_700_000_000_000_042, &c, "", &argv, &[1]);
        assert_eq!(
            String::from_utf8(line).unwrap(),
            "+1700000000.000042 [3 10.0.0.1:5000] \"auth\" \"(redacted)\" \"a\\\"\\n\\x01\"\r\n"
        );
    }

    #[test]
    fn unix_clients_show_the_socket() {
        let c = client(true);
        let line = monitor_line(1_000_000, &c, "/tmp/r.sock", &[b"PING".to_vec()], &[]);
        assert_eq!(line, b"+1.000000 [3 unix:/tmp/r.sock] \"PING\"\r\n");
    }
}
