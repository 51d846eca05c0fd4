//! Per-connection state that the server tracks outside the client
//! (networking.c `freeClient`, `clearClientConnectionState`, `clientSetDefaultAuth`).

use crate::conn::{Client, ReplyMode};
use crate::server::Server;

impl Server {
    /// Drops every server-side reference to a client being freed.
    pub fn forget_client(&mut self, c: &mut Client) {
        self.remove_monitor(c);
        self.forget_postponed(c);
        crate::multi::reset_client(self, c);
    }

    /// Authenticates `c` as the default user when it needs no password
    /// (Redis `clientSetDefaultAuth`).
    pub fn set_default_auth(&self, c: &mut Client) {
        c.user = "default".into();
        c.flags.authenticated = self.config.requirepass.is_empty();
    }

    /// Checks a user name and password against the users that exist. Only the
    /// `default` user exists until ACL users arrive; with no `requirepass`
    /// it takes any password (nopass).
    pub fn check_user_password(&self, user: &[u8], pass: &[u8]) -> bool {
        user == b"default"
            && (self.config.requirepass.is_empty()
                || constant_time_eq(pass, self.config.requirepass.as_bytes()))
    }

    /// What RESET undoes (Redis `clearClientConnectionState`): MONITOR mode,
    /// the selected db, the protocol, the user, the name, and the reply mode.
    /// A SKIP already in force for this command stays, as in Redis. Pub/sub
    /// subscriptions go silently; MULTI, WATCH and tracking state are cleared
    /// by their owners when those features land.
    pub fn clear_connection_state(&mut self, c: &mut Client) {
        self.remove_monitor(c);
        crate::multi::reset_client(self, c);
        crate::pubsub::reset_client(self, c);
        crate::tracking::disable(self, c);
        c.db = 0;
        c.reply.resp = 2;
        self.set_default_auth(c);
        c.name = None;
        if matches!(c.reply_mode, ReplyMode::Off | ReplyMode::SkipNext) {
            c.reply_mode = ReplyMode::On;
        }
    }
}

/// Compares without an early exit, so timing does not reveal the password.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = a.len() ^ b.len();
    for i in 0..a.len().max(b.len()) {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        diff |= (x ^ y) as usize;
    }
    diff == 0
}

#[cfg(test)]
mod tests {
    use super::constant_time_eq;

    #[test]
    fn compares_bytes() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert!(constant_time_eq(b"", b""));
    }
}
