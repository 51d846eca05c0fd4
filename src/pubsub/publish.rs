//! Publish fan-out (Redis pubsub.c `pubsubPublishMessage`, `addReplyPubsubMessage`,
//! `addReplyPubsubPatMessage`). A message is encoded once per channel or
//! pattern and copied into each subscriber's reply buffer; the before-sleep
//! writer sends what each socket accepts, so a slow subscriber never blocks
//! the publisher, and the output buffer limits close one that falls too far behind.

use super::{Kind, Subscribers};
use crate::config::Config;
use crate::conn::evict::ClientMemState;
use crate::conn::obuf_limits;
use crate::conn::{Client, Clients};
use crate::server::Server;
use crate::util::glob::string_match_len;
use crate::util::num::push_i64;

/// Encodes a pub/sub push as a RESP2 array. RESP3 receivers get the same
/// bytes with `>` instead of `*` as the first byte.
pub fn encode_push(parts: &[&[u8]]) -> Vec<u8> {
    let len: usize = parts.iter().map(|p| p.len() + 16).sum();
    let mut out = Vec::with_capacity(len + 8);
    out.push(b'*');
    push_i64(&mut out, parts.len() as i64);
    out.extend_from_slice(b"\r\n");
    for p in parts {
        out.push(b'$');
        push_i64(&mut out, p.len() as i64);
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(p);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Appends an encoded push to a client's replies, in its protocol's form.
pub fn append_push(c: &mut Client, frame: &[u8]) {
    match frame.split_first() {
        // The frame is encoded as an array; RESP3 clients get a push.
        Some((_, rest)) if c.reply.resp >= 3 => {
            c.reply.raw(b">");
            c.reply.raw(rest);
        }
        _ => c.reply.raw(frame),
    }
}

/// Where a fan-out writes: the clients in the slab, the pending-write list,
/// and the running client, which is out of the slab while its command runs.
struct Outbox<'a> {
    clients: &'a mut Clients,
    pending_writes: &'a mut Vec<usize>,
    config: &'a Config,
    now_ms: i64,
    me: Option<&'a mut Client>,
    /// Client memory accounting (conn/evict.rs).
    client_mem: &'a mut ClientMemState,
    /// Receivers that went over their output buffer limit.
    over_limit: Vec<usize>,
}

impl Outbox<'_> {
    fn deliver(&mut self, subs: &Subscribers, frame: &[u8]) {
        for (&id, &token) in subs {
            self.deliver_one(id, token, frame);
        }
    }

    fn deliver_one(&mut self, id: u64, token: usize, frame: &[u8]) {
        if let Some(me) = self.me.as_deref_mut() {
            if me.id == id {
                if !me.flags.close_asap {
                    let start = me.reply.len();
                    append_push(me, frame);
                    // Pushes survive CLIENT REPLY OFF/SKIP, as in Redis;
                    // after the handler, notify::deliver records its own.
                    if me.flags.executing {
                        me.reply.mark_push(start);
                    }
                }
                return;
            }
        }
        let Some(c) = self.clients.get_mut(token) else {
            return;
        };
        // Redis writes nothing more to a client that is about to be closed.
        if c.id != id || c.flags.close_asap {
            return;
        }
        append_push(c, frame);
        self.client_mem.update(c);
        if !c.pending_write {
            c.pending_write = true;
            self.pending_writes.push(token);
        }
        if obuf_limits::over_limit(c, &self.config.client_output_buffer_limit, self.now_ms) {
            self.over_limit.push(token);
        }
    }
}

/// Delivers `message` to the subscribers of `channel` and, for ordinary
/// channels, of every pattern that matches it. `me` is the running client
/// (it receives its own messages when subscribed). Returns the number of
/// receivers, as PUBLISH replies.
pub fn publish(
    srv: &mut Server,
    me: Option<&mut Client>,
    kind: Kind,
    channel: &[u8],
    message: &[u8],
) -> usize {
    let ps = &srv.pubsub;
    let mut out = Outbox {
        clients: &mut srv.clients,
        pending_writes: &mut srv.pending_writes,
        config: &srv.config,
        now_ms: srv.time.mstime,
        me,
        client_mem: &mut srv.client_mem,
        over_limit: Vec::new(),
    };
    let mut receivers = 0;
    if let Some(subs) = ps.registry(kind).get(channel) {
        let word: &[u8] = match kind {
            Kind::Global => b"message",
            Kind::Shard => b"smessage",
        };
        out.deliver(subs, &encode_push(&[word, channel, message]));
        receivers += subs.len();
    }
    // Shard channels ignore patterns.
    if kind == Kind::Global {
        for (pattern, subs) in &ps.patterns {
            if !string_match_len(pattern, channel, false) {
                continue;
            }
            out.deliver(
                subs,
                &encode_push(&[b"pmessage", pattern, channel, message]),
            );
            receivers += subs.len();
        }
    }
    let over = std::mem::take(&mut out.over_limit);
    for token in over {
        obuf_limits::close_async(srv, token);
    }
    receivers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_frames() {
        assert_eq!(
            encode_push(&[b"message", b"ch", b"hi"]),
            b"*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n"
        );
        assert_eq!(encode_push(&[b""]), b"*1\r\n$0\r\n\r\n");
    }
}
