//! Invalidation messages (Redis tracking.c `sendTrackingMessage`,
//! `trackingBuildBroadcastReply`): a RESP3 `invalidate` push, or for a RESP2
//! redirect target subscribed to `__redis__:invalidate` a pub/sub message,
//! and `tracking-redir-broken` once the redirect target is gone.

use std::collections::BTreeMap;

use crate::conn::obuf_limits;
use crate::conn::Client;
use crate::server::Server;
use crate::util::num::push_i64;

const PUSH_HEADER: &[u8] = b">2\r\n$10\r\ninvalidate\r\n";
const MESSAGE_HEADER: &[u8] = b"*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n";

/// What an invalidation carries.
pub(super) enum Body<'a> {
    /// One key, sent as a one-element array.
    Key(&'a [u8]),
    /// An array of keys already encoded (BCAST).
    Proto(&'a [u8]),
    /// "Every key" after a flush: the tracking client's null.
    Null,
}

impl Body<'_> {
    /// The value part; a null takes the form of the tracking client's
    /// protocol even when a client of the other protocol receives it, as in Redis.
    fn encode(&self, tracker_resp: u8) -> Vec<u8> {
        match self {
            Body::Key(k) => {
                let mut out = Vec::with_capacity(k.len() + 16);
                out.extend_from_slice(b"*1\r\n");
                push_bulk(&mut out, k);
                out
            }
            Body::Proto(p) => p.to_vec(),
            Body::Null if tracker_resp >= 3 => b"_\r\n".to_vec(),
            Body::Null => b"$-1\r\n".to_vec(),
        }
    }
}

fn push_bulk(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'$');
    push_i64(out, s.len() as i64);
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(s);
    out.extend_from_slice(b"\r\n");
}

/// The array of `keys`, leaving out those last modified by `exclude` (a
/// NOLOOP client; 0 leaves out none). None when nothing is left.
pub(super) fn keys_array(keys: &BTreeMap<Vec<u8>, u64>, exclude: u64) -> Option<Vec<u8>> {
    let kept: Vec<&Vec<u8>> = keys
        .iter()
        .filter(|(_, &m)| exclude == 0 || m != exclude)
        .map(|(k, _)| k)
        .collect();
    if kept.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(kept.iter().map(|k| k.len() + 16).sum::<usize>() + 16);
    out.push(b'*');
    push_i64(&mut out, kept.len() as i64);
    out.extend_from_slice(b"\r\n");
    for k in kept {
        push_bulk(&mut out, k);
    }
    Some(out)
}

/// The frame header for a receiver, or None when it cannot be told:
/// RESP2 without redirection, or a RESP2 redirect target not in pub/sub.
fn header(resp: u8, redirected: bool, pubsub: bool) -> Option<&'static [u8]> {
    if resp >= 3 {
        Some(PUSH_HEADER)
    } else if redirected && pubsub {
        Some(MESSAGE_HEADER)
    } else {
        None
    }
}

/// The tracking client `id`: its protocol and redirect target.
fn tracker(srv: &Server, me: &Option<&mut Client>, id: u64) -> Option<(u8, u64)> {
    if let Some(c) = me.as_deref().filter(|c| c.id == id) {
        return Some((c.reply.resp, c.tracking.redirect));
    }
    let token = *srv.tracking.clients.get(&id)?;
    let c = srv.clients.get(token).filter(|c| c.id == id)?;
    Some((c.reply.resp, c.tracking.redirect))
}

/// Sends an invalidation for tracking client `id` (Redis `sendTrackingMessage`).
/// `me` is the running client when it is at hand.
pub(super) fn send(srv: &mut Server, me: &mut Option<&mut Client>, id: u64, body: Body) {
    let Some((resp, redirect)) = tracker(srv, me, id) else {
        return;
    };
    let value = body.encode(resp);
    if redirect == 0 {
        if let Some(h) = header(resp, false, false) {
            let mut frame = h.to_vec();
            frame.extend_from_slice(&value);
            write_to(srv, me, id, &frame);
        }
        return;
    }
    if !srv.tracking.targets.contains_key(&redirect) {
        redirect_broken(srv, me, id, resp, redirect);
        return;
    }
    if me.as_deref().is_none_or(|c| c.id != redirect) && redirect == srv.tracking.current {
        // The target is running a command and out of reach: its frame is
        // finished and put before its reply once the handler returns.
        srv.tracking.immediate.push(value);
        return;
    }
    let Some((r_resp, r_pubsub)) = receiver(srv, me, redirect) else {
        return;
    };
    if let Some(h) = header(r_resp, true, r_pubsub) {
        let mut frame = h.to_vec();
        frame.extend_from_slice(&value);
        write_to(srv, me, redirect, &frame);
    }
}

/// Protocol and pub/sub state of a redirect target.
fn receiver(srv: &Server, me: &Option<&mut Client>, id: u64) -> Option<(u8, bool)> {
    if let Some(c) = me.as_deref().filter(|c| c.id == id) {
        return Some((c.reply.resp, c.is_pubsub()));
    }
    let token = *srv.tracking.targets.get(&id)?;
    let c = srv.clients.get(token).filter(|c| c.id == id)?;
    Some((c.reply.resp, c.is_pubsub()))
}

/// The redirect target is gone: flag the tracker, and tell it if it speaks RESP3.
fn redirect_broken(srv: &mut Server, me: &mut Option<&mut Client>, id: u64, resp: u8, redir: u64) {
    match me.as_deref_mut().filter(|c| c.id == id) {
        Some(c) => c.tracking.broken_redir = true,
        None => {
            let token = srv.tracking.clients.get(&id).copied();
            if let Some(c) = token.and_then(|t| srv.clients.get_mut(t)) {
                c.tracking.broken_redir = true;
            }
        }
    }
    if resp >= 3 {
        let mut frame = b">2\r\n$21\r\ntracking-redir-broken\r\n:".to_vec();
        push_i64(&mut frame, redir as i64);
        frame.extend_from_slice(b"\r\n");
        write_to(srv, me, id, &frame);
    }
}

/// Appends a frame to client `id`: the running client directly, any other
/// through the slab with the pending-write list and output limits.
fn write_to(srv: &mut Server, me: &mut Option<&mut Client>, id: u64, frame: &[u8]) {
    if let Some(c) = me.as_deref_mut().filter(|c| c.id == id) {
        let start = c.reply.len();
        c.reply.raw(frame);
        // Pushes survive CLIENT REPLY OFF/SKIP (Redis CLIENT_PUSHING).
        c.reply.mark_push(start);
        return;
    }
    let token = srv
        .tracking
        .clients
        .get(&id)
        .or_else(|| srv.tracking.targets.get(&id))
        .copied();
    let Some(token) = token else {
        return;
    };
    let now_ms = srv.time.mstime;
    let Some(c) = srv.clients.get_mut(token) else {
        return;
    };
    // Redis writes nothing more to a client that is about to be closed.
    if c.id != id || c.flags.close_asap {
        return;
    }
    c.reply.raw(frame);
    srv.client_mem.update(c);
    if !c.pending_write {
        c.pending_write = true;
        srv.pending_writes.push(token);
    }
    if obuf_limits::over_limit(c, &srv.config.client_output_buffer_limit, now_ms) {
        obuf_limits::close_async(srv, token);
    }
}

/// Finishes the frames queued for the running client as a redirect target
/// (see `send`), now that its protocol and pub/sub state can be read.
pub(super) fn finish_immediate(c: &Client, values: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    let Some(h) = header(c.reply.resp, true, c.is_pubsub()) else {
        return Vec::new();
    };
    values
        .into_iter()
        .map(|v| {
            let mut f = h.to_vec();
            f.extend_from_slice(&v);
            f
        })
        .collect()
}
