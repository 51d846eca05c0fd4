//! Resizing clients' buffers (server.c `clientsCronResizeQueryBuffer`,
//! `clientsCronResizeOutputBuffer`; debug.c `DEBUG REPLYBUFFER`). The
//! clients cron (server/cron.rs) visits a few clients per tick, each about
//! once a second: this moves their reply head toward the peak seen lately
//! and gives back query buffer space they no longer use.

use super::Client;
use crate::cmd::Ctx;
use crate::error::{CmdError, NOT_INTEGER};
use crate::introspection::debug::DebugSub;
use crate::introspection::help::subcommand_syntax_error;
use crate::resp::outbuf::{REPLY_CHUNK, REPLY_MIN};
use crate::server::Server;
use crate::util::num::string2ll;

/// Default ms between reply peak resets (REPLY_BUFFER_DEFAULT_PEAK_RESET_TIME).
pub const DEFAULT_PEAK_RESET_MS: i64 = 5000;
/// Free query buffer space worth giving back ("a few kbytes" in Redis).
const QUERYBUF_WASTE: usize = 4 * 1024;
/// A busy client's query buffer above this is trimmed to its recent peak
/// (PROTO_RESIZE_THRESHOLD).
const PROTO_RESIZE_THRESHOLD: usize = 32 * 1024;
/// Seconds of idleness after which all free query buffer space goes.
const QUERYBUF_IDLE_S: i64 = 2;

/// The resizing settings (DEBUG REPLYBUFFER) and where the cron is in the slab.
#[derive(Debug)]
pub struct ResizeState {
    /// Ms between reply peak resets; negative: never (PEAK-RESET-TIME NEVER).
    pub peak_reset_ms: i64,
    /// Whether the cron resizes reply heads at all (RESIZING).
    pub resizing: bool,
    /// Slab slot the next tick starts from.
    cursor: usize,
    /// Tokens visited in one tick, kept to reuse its allocation.
    batch: Vec<usize>,
}

impl Default for ResizeState {
    fn default() -> Self {
        ResizeState {
            peak_reset_ms: DEFAULT_PEAK_RESET_MS,
            resizing: true,
            cursor: 0,
            batch: Vec::new(),
        }
    }
}

/// How a reply head was resized, for INFO's `reply_buffer_shrinks` / `_expands`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resize {
    Shrink,
    Expand,
}

/// The next `n` clients for the clients cron (server/cron.rs), from where
/// the last tick stopped, as Redis rotates its client list.
pub fn next_batch(srv: &mut Server, n: usize) -> Vec<usize> {
    let st = &mut srv.client_resize;
    let mut batch = std::mem::take(&mut st.batch);
    srv.clients.rotate(&mut st.cursor, n, &mut batch);
    batch
}

/// Returns the batch's allocation for the next tick.
pub fn give_back_batch(srv: &mut Server, batch: Vec<usize>) {
    srv.client_resize.batch = batch;
}

/// The clients cron's buffer work on one client.
pub fn visit(srv: &mut Server, token: usize) {
    let (now_ms, now_s) = (srv.time.mstime, srv.time.unixtime);
    let Some(c) = srv.clients.get_mut(token) else {
        return;
    };
    resize_query_buffer(c, now_s);
    match resize_reply_buffer(c, &srv.client_resize, now_ms) {
        Some(Resize::Shrink) => srv.stats.reply_buffer_shrinks += 1,
        Some(Resize::Expand) => srv.stats.reply_buffer_expands += 1,
        None => {}
    }
}

/// Gives back query buffer space (Redis `clientsCronResizeQueryBuffer`):
/// all of it once the client has been idle over two seconds, or down to the
/// recent peak when the buffer is big and used less than half of it. Never
/// below what the buffer holds or the bulk argument being read.
pub fn resize_query_buffer(c: &mut Client, now_s: i64) {
    let (len, cap) = (c.querybuf.len(), c.querybuf.capacity());
    let bulk = c.parser.pending_bulk_len().map_or(0, |n| n + 2);
    if cap - len > QUERYBUF_WASTE {
        if now_s - c.last_interaction_ms / 1000 > QUERYBUF_IDLE_S {
            c.querybuf.shrink_to_fit();
        } else if cap > PROTO_RESIZE_THRESHOLD && cap / 2 > c.querybuf_peak {
            c.querybuf.shrink_to(len.max(c.querybuf_peak).max(bulk));
        }
    }
    // The next period's peak starts from what is held now.
    c.querybuf_peak = len.max(bulk);
}

/// Moves the reply head toward the recent peak (Redis
/// `clientsCronResizeOutputBuffer`): down to the peak (1 KB at least) when
/// the peak stayed under half the head, up to twice the size (16 KB at
/// most) when the peak filled it. The peak restarts from the head's content
/// every `peak_reset_ms`, so an idle client's head shrinks.
pub fn resize_reply_buffer(c: &mut Client, st: &ResizeState, now_ms: i64) -> Option<Resize> {
    if !st.resizing {
        return None;
    }
    let out = c.reply.out();
    let (size, held) = (out.head_size(), out.head_len());
    let peak = c.reply_peak.max(held);
    let change = if size / 2 >= REPLY_MIN && peak < size / 2 {
        Some((REPLY_MIN.max(peak + 1), Resize::Shrink))
    } else if size < REPLY_CHUNK && peak >= size {
        Some(((size * 2).min(REPLY_CHUNK), Resize::Expand))
    } else {
        None
    };
    if st.peak_reset_ms >= 0 && now_ms - c.reply_peak_reset_ms >= st.peak_reset_ms {
        c.reply_peak = held;
        c.reply_peak_reset_ms = now_ms;
    }
    let (new_size, how) = change?;
    // The whole allocation is usable, as Redis's zmalloc_usable reports.
    let new_size = crate::alloc::size_class(new_size);
    c.reply.out_mut().set_head_size(new_size);
    Some(how)
}

/// DEBUG REPLYBUFFER, chained into DEBUG's subcommand rows.
pub const DEBUG_SUBCOMMANDS: &[DebugSub] = &[DebugSub {
    name: "replybuffer",
    min_argc: 4,
    max_argc: 4,
    handler: debug_replybuffer,
}];

/// DEBUG REPLYBUFFER PEAK-RESET-TIME <NEVER|RESET|ms> | RESIZING <0|1>.
/// RESIZING takes any text as C's `atoi` does ("x" disables).
fn debug_replybuffer(ctx: &mut Ctx) -> Result<(), CmdError> {
    let (what, v) = (ctx.arg(2), ctx.arg(3));
    if what.eq_ignore_ascii_case(b"peak-reset-time") {
        let ms = if v.eq_ignore_ascii_case(b"never") {
            -1
        } else if v.eq_ignore_ascii_case(b"reset") {
            DEFAULT_PEAK_RESET_MS
        } else {
            string2ll(v).ok_or(NOT_INTEGER)?
        };
        ctx.srv.client_resize.peak_reset_ms = ms;
    } else if what.eq_ignore_ascii_case(b"resizing") {
        ctx.srv.client_resize.resizing = crate::introspection::debug::atoi(v) != 0;
    } else {
        return Err(subcommand_syntax_error(ctx));
    }
    ctx.reply().ok();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conn::Socket;

    fn client() -> Client {
        let (a, _b) = mio::net::UnixStream::pair().unwrap();
        Client::new(1, 0, Socket::Unix(a), "/s:0".into(), "/s:0".into(), 0)
    }

    /// Writes `n` bytes of reply and drains them, as a reply and its write would.
    fn reply_and_write(c: &mut Client, n: usize) {
        c.reply.raw(&vec![b'x'; n]);
        c.reply_peak = c.reply_peak.max(c.reply.out().head_len());
        let len = c.reply.out().len();
        c.reply.out_mut().consume(len);
    }

    #[test]
    fn an_idle_head_shrinks_to_1k_in_two_visits() {
        let mut c = client();
        let st = ResizeState::default();
        assert_eq!((c.reply.out().head_size(), c.reply_peak), (16384, 16384));
        // First visit: the creation peak fills the head; the peak restarts.
        let t = 1_700_000_000_000;
        assert_eq!(resize_reply_buffer(&mut c, &st, t), None);
        assert_eq!(c.reply_peak, 0);
        assert_eq!(
            resize_reply_buffer(&mut c, &st, t + 100),
            Some(Resize::Shrink)
        );
        assert_eq!(c.reply.out().head_size(), REPLY_MIN);
        assert_eq!(resize_reply_buffer(&mut c, &st, t + 200), None);
    }

    #[test]
    fn a_full_head_doubles_up_to_16k() {
        let mut c = client();
        let mut st = ResizeState {
            peak_reset_ms: -1,
            ..Default::default()
        };
        c.reply_peak = 0;
        resize_reply_buffer(&mut c, &st, 0);
        assert_eq!(c.reply.out().head_size(), REPLY_MIN);
        for want in [2048, 4096, 8192, 16384, 16384] {
            // A 32 KB reply fills the head whatever its size.
            reply_and_write(&mut c, 32 * 1024);
            resize_reply_buffer(&mut c, &st, 0);
            assert_eq!(c.reply.out().head_size(), want);
        }
        // With resets, the peak of a small reply shrinks it to that peak.
        st.peak_reset_ms = 0;
        resize_reply_buffer(&mut c, &st, 1);
        reply_and_write(&mut c, 3000);
        assert_eq!(resize_reply_buffer(&mut c, &st, 2), Some(Resize::Shrink));
        assert_eq!(c.reply.out().head_size(), crate::alloc::size_class(3001));
        st.resizing = false;
        assert_eq!(resize_reply_buffer(&mut c, &st, 3), None);
    }

    #[test]
    fn pending_output_survives_a_shrink() {
        let mut c = client();
        let st = ResizeState::default();
        c.reply_peak = 0;
        c.reply.raw(b"+OK\r\n");
        resize_reply_buffer(&mut c, &st, 0);
        assert_eq!(c.reply.out().head_size(), REPLY_MIN);
        assert_eq!(c.reply.out().to_vec(), b"+OK\r\n");
        // Past the head's size, replies go to a block.
        c.reply.raw(&[b'y'; 2000]);
        assert_eq!(c.reply.out().head_len(), REPLY_MIN);
        assert_eq!(c.reply.out().block_count(), 1);
    }

    #[test]
    fn query_buffer_space_goes_when_idle() {
        let mut c = client();
        c.querybuf.reserve(16 * 1024);
        c.querybuf.extend_from_slice(b"PI");
        resize_query_buffer(&mut c, 2);
        assert!(c.querybuf.capacity() >= 16 * 1024);
        assert_eq!(c.querybuf_peak, 2);
        resize_query_buffer(&mut c, 3);
        assert_eq!((c.querybuf.capacity(), &c.querybuf[..]), (2, &b"PI"[..]));
    }

    #[test]
    fn a_big_query_buffer_is_trimmed_to_its_peak() {
        let mut c = client();
        c.querybuf.reserve_exact(100 * 1024);
        c.querybuf.extend_from_slice(&[b'a'; 1000]);
        c.querybuf_peak = 10 * 1024;
        resize_query_buffer(&mut c, 0);
        assert_eq!(c.querybuf.capacity(), 10 * 1024);
        assert_eq!(c.querybuf_peak, 1000);
    }
}
