//! Keyspace notification delivery (Redis notify.c `notifyKeyspaceEvent`):
//! the events the keyspace queued in `srv.ks.events` are published on
//! `__keyspace@<db>__:<key>` (message: the event) and
//! `__keyevent@<db>__:<event>` (message: the key).

use super::{publish, Kind};
use crate::conn::Client;
use crate::keyspace::notify::{KEYEVENT, KEYSPACE};
use crate::server::Server;

/// Publishes every queued event. `me` is the running client with the length
/// its reply had before the command ran: Redis publishes while the command
/// runs, so the client's own notifications go before its reply.
pub fn deliver(srv: &mut Server, me: Option<(&mut Client, usize)>) {
    if srv.ks.events.queue.is_empty() {
        return;
    }
    let events = std::mem::take(&mut srv.ks.events.queue);
    // The keyspace's unit tests check the event points through this list.
    #[cfg(test)]
    srv.ks.events.delivered.extend(events.iter().cloned());
    let flags = srv.config.notify_keyspace_events;
    let Some((c, reply_start)) = me else {
        for e in &events {
            publish_event(srv, None, flags, e);
        }
        return;
    };
    let before = c.reply.len();
    for e in &events {
        publish_event(srv, Some(&mut *c), flags, e);
    }
    // Pushes survive CLIENT REPLY OFF/SKIP: they are recorded as such.
    if c.reply.len() > before && reply_start < before {
        let pushed = c.reply.split_off(before);
        c.reply.insert_push(reply_start, &pushed);
    } else if c.reply.len() > before {
        c.reply.mark_push(before);
    }
}

fn publish_event(
    srv: &mut Server,
    mut me: Option<&mut Client>,
    flags: i64,
    e: &crate::keyspace::notify::Event,
) {
    let event = e.event.as_bytes();
    if flags & KEYSPACE != 0 {
        let mut chan = format!("__keyspace@{}__:", e.db).into_bytes();
        chan.extend_from_slice(&e.key);
        publish(srv, me.as_deref_mut(), Kind::Global, &chan, event);
    }
    if flags & KEYEVENT != 0 {
        let mut chan = format!("__keyevent@{}__:", e.db).into_bytes();
        chan.extend_from_slice(event);
        publish(srv, me, Kind::Global, &chan, &e.key);
    }
}
