//! Query buffer resizing from the clients cron (Redis server.c
//! `clientsCronResizeQueryBuffer`): a buffer that wastes more than 4 KB is
//! freed when its client has been idle over two seconds, or trimmed towards
//! its recent peak when it is much bigger than that peak.

use super::Client;
use crate::server::Server;

/// Buffers above this size are trimmed towards their peak (PROTO_RESIZE_THRESHOLD).
const PROTO_RESIZE_THRESHOLD: usize = 32 * 1024;

/// Unused capacity worth giving back.
const WASTE_LIMIT: usize = 4 * 1024;

/// Seconds without interaction after which the buffer is freed.
const IDLE_SECS: i64 = 2;

/// Resizes one client's query buffer and restarts its peak measurement.
pub fn resize_query_buffer(c: &mut Client, unixtime: i64) {
    let len = c.querybuf.len();
    let capacity = c.querybuf.capacity();
    let bulk = c.parser.pending_bulk_len().unwrap_or(0);
    if capacity - len > WASTE_LIMIT {
        if unixtime - c.last_interaction_ms / 1000 > IDLE_SECS {
            c.querybuf.shrink_to_fit();
        } else if capacity > PROTO_RESIZE_THRESHOLD && capacity / 2 > c.querybuf_peak {
            // Not below the recent peak, nor below a bulk being read.
            c.querybuf.shrink_to(len.max(c.querybuf_peak).max(bulk));
        }
    }
    c.querybuf_peak = c.querybuf.len().max(bulk);
}

/// Clients visited per cron tick at least (Redis CLIENTS_CRON_MIN_ITERATIONS).
const MIN_PER_TICK: usize = 5;

/// Resizes the query buffers of this tick's share of the clients: all of
/// them once a second, and at least five a tick, as Redis's clientsCron.
pub fn cron(srv: &mut Server) {
    let hz = srv.effective_hz().max(1) as usize;
    let n = (srv.clients.len() / hz).max(MIN_PER_TICK);
    let now = srv.time.unixtime;
    for token in srv.clients.cron_batch(n) {
        if let Some(c) = srv.clients.get_mut(token) {
            resize_query_buffer(c, now);
        }
    }
}
