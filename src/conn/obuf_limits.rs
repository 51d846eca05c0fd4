//! Client output buffer limits (Redis networking.c `checkClientOutputBufferLimits`,
//! `closeClientOnOutputBufferLimitReached`, `getClientOutputBufferMemoryUsage`).
//! The `client-output-buffer-limit` setting itself lives in config/special.rs.
//!
//! As in Redis, the reply is a 16 KB head buffer plus a list of blocks
//! (resp/outbuf.rs) and only the blocks' memory counts against the limits.

use super::info::client_info_line;
use super::Client;
use crate::config::{ObufLimit, OBUF_NORMAL, OBUF_PUBSUB};
use crate::server::Server;

pub use crate::resp::REPLY_CHUNK;

/// Output-buffer figures of a client, as CLIENT LIST shows them.
impl Client {
    /// Bytes in the head buffer, Redis's static `buf` (`obl`).
    pub fn obuf_static_len(&self) -> usize {
        self.reply.out().head_len()
    }

    /// Memory of the reply blocks, counted against the limits (`omem`,
    /// Redis `getClientOutputBufferMemoryUsage`).
    pub fn obuf_memory(&self) -> usize {
        self.reply.out().blocks_memory()
    }

    /// Reply blocks beyond the head (`oll`).
    pub fn obuf_list_len(&self) -> usize {
        self.reply.out().block_count()
    }

    /// The limit class, an index into `client_output_buffer_limit` (Redis
    /// `getClientType` for limits: MONITOR clients count as normal,
    /// subscribers as pubsub; replicas arrive with replication).
    pub fn obuf_class(&self) -> usize {
        if self.is_pubsub() {
            OBUF_PUBSUB
        } else {
            OBUF_NORMAL
        }
    }
}

/// The reply size at which a command writing a huge reply stops early:
/// Redis's loops in KEYS, HRANDFIELD, SRANDMEMBER and ZRANDMEMBER check
/// CLIENT_CLOSE_ASAP, which passing the hard limit sets mid-reply; the
/// client is then closed without its reply (`after_command`). Compare
/// with the reply's `blocks_memory()`.
pub fn reply_stop_at(srv: &Server, c: &Client) -> usize {
    if c.flags.close_asap {
        return 0;
    }
    match srv.config.client_output_buffer_limit[c.obuf_class()].hard_limit_bytes {
        0 => usize::MAX,
        n => n.min(usize::MAX as u64) as usize,
    }
}

/// True when `c` is over its class's hard limit, or over the soft limit for
/// longer than allowed. Tracks when the soft limit was first passed.
pub fn over_limit(c: &mut Client, limits: &[ObufLimit; 3], now_ms: i64) -> bool {
    let used = c.obuf_memory() as u64;
    if used == 0 || c.flags.close_asap {
        return false;
    }
    let l = &limits[c.obuf_class()];
    let hard = l.hard_limit_bytes != 0 && used >= l.hard_limit_bytes;
    let mut soft = l.soft_limit_bytes != 0 && used >= l.soft_limit_bytes;
    if soft {
        if c.obuf_soft_limit_reached_ms == 0 {
            // First time over: the timer starts now.
            c.obuf_soft_limit_reached_ms = now_ms;
            soft = false;
        } else {
            let elapsed = now_ms / 1000 - c.obuf_soft_limit_reached_ms / 1000;
            if elapsed <= l.soft_limit_seconds {
                soft = false;
            }
        }
    } else {
        c.obuf_soft_limit_reached_ms = 0;
    }
    hard || soft
}

/// Flags `c` to be closed in before-sleep and logs why, as Redis's
/// `freeClientAsync` path does.
fn schedule_close(srv: &mut Server, c: &mut Client) {
    srv.close_asap(c);
    srv.log.warning(&format!(
        "Client {} scheduled to be closed ASAP for overcoming of output buffer limits.",
        client_info_line(c, srv.time.mstime)
    ));
    srv.stats.client_outbuf_limit_disconnections += 1;
}

/// Closes asynchronously a client in the slab that went over its limit.
pub fn close_async(srv: &mut Server, token: usize) {
    let Some(mut c) = srv.clients.take(token) else {
        return;
    };
    if !c.flags.close_asap {
        schedule_close(srv, &mut c);
    }
    srv.clients.put(c);
}

/// Checks the running client once its command has written its reply.
pub fn after_command(srv: &mut Server, c: &mut Client) {
    if over_limit(c, &srv.config.client_output_buffer_limit, srv.time.mstime) {
        schedule_close(srv, c);
    }
}

/// The clients cron's check of one visited client (server/cron.rs; Redis
/// `clientsCron` calls `closeClientOnOutputBufferLimitReached(c, 0)`): a
/// client whose output stopped growing is still closed once its soft limit
/// has lasted too long. Returns true if the client was closed.
pub fn cron_check(srv: &mut Server, token: usize) -> bool {
    let limits = srv.config.client_output_buffer_limit;
    let now = srv.time.mstime;
    let over = match srv.clients.get_mut(token) {
        Some(c) => c.obuf_memory() > 0 && !c.flags.close_asap && over_limit(c, &limits, now),
        None => false,
    };
    if !over {
        return false;
    }
    let Some(c) = srv.clients.take(token) else {
        return false;
    };
    srv.log.warning(&format!(
        "Client {} closed for overcoming of output buffer limits.",
        client_info_line(&c, now)
    ));
    srv.stats.client_outbuf_limit_disconnections += 1;
    srv.free_client(c);
    true
}
