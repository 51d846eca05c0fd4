//! Keyspace notifications (Redis notify.c): the `notify-keyspace-events`
//! flags and the event points. Events are queued on the server; delivery over
//! pub/sub arrives with the pub/sub issue, which fills in `deliver`.

use crate::config::Config;

pub const KEYSPACE: i64 = 1 << 0; // K
pub const KEYEVENT: i64 = 1 << 1; // E
pub const GENERIC: i64 = 1 << 2; // g
pub const STRING: i64 = 1 << 3; // $
pub const LIST: i64 = 1 << 4; // l
pub const SET: i64 = 1 << 5; // s
pub const HASH: i64 = 1 << 6; // h
pub const ZSET: i64 = 1 << 7; // z
pub const EXPIRED: i64 = 1 << 8; // x
pub const EVICTED: i64 = 1 << 9; // e
pub const STREAM: i64 = 1 << 10; // t
pub const KEY_MISS: i64 = 1 << 11; // m
pub const LOADED: i64 = 1 << 12; // module only
pub const MODULE: i64 = 1 << 13; // d
pub const NEW: i64 = 1 << 14; // n
/// 'A': every class but key-miss and new.
pub const ALL: i64 =
    GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE;

/// One fired event, waiting for delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub class: i64,
    pub event: &'static str,
    pub key: Vec<u8>,
    pub db: usize,
}

/// Events fired since the last drain.
#[derive(Debug, Default)]
pub struct Notifications {
    pub queue: Vec<Event>,
    /// Delivered events, kept by unit tests to check the event points.
    #[cfg(test)]
    pub delivered: Vec<Event>,
}

impl Notifications {
    /// Records an event if `flags` (notify-keyspace-events) asks for its class
    /// (`notifyKeyspaceEvent`). Nothing is recorded when neither K nor E is set.
    pub fn fire(&mut self, flags: i64, class: i64, event: &'static str, key: &[u8], db: usize) {
        if flags & class == 0 || flags & (KEYSPACE | KEYEVENT) == 0 {
            return;
        }
        self.queue.push(Event {
            class,
            event,
            key: key.to_vec(),
            db,
        });
    }

    /// Hands queued events to subscribers. Until pub/sub exists there are no
    /// subscribers, so the queue is simply emptied.
    pub fn deliver(&mut self) {
        #[cfg(test)]
        self.delivered.append(&mut self.queue);
        self.queue.clear();
    }
}

/// Parses a flags string such as "KEA" (`keyspaceEventsStringToFlags`).
pub fn string_to_flags(s: &[u8]) -> Option<i64> {
    let mut flags = 0;
    for &c in s {
        flags |= match c {
            b'A' => ALL,
            b'g' => GENERIC,
            b'$' => STRING,
            b'l' => LIST,
            b's' => SET,
            b'h' => HASH,
            b'z' => ZSET,
            b'x' => EXPIRED,
            b'e' => EVICTED,
            b'K' => KEYSPACE,
            b'E' => KEYEVENT,
            b't' => STREAM,
            b'm' => KEY_MISS,
            b'd' => MODULE,
            b'n' => NEW,
            _ => return None,
        };
    }
    Some(flags)
}

/// Formats flags back into the canonical string (`keyspaceEventsFlagsToString`).
pub fn flags_to_string(flags: i64) -> String {
    let mut s = String::new();
    if flags & ALL == ALL {
        s.push('A');
    } else {
        for (f, c) in [
            (GENERIC, 'g'),
            (STRING, '$'),
            (LIST, 'l'),
            (SET, 's'),
            (HASH, 'h'),
            (ZSET, 'z'),
            (EXPIRED, 'x'),
            (EVICTED, 'e'),
            (STREAM, 't'),
            (MODULE, 'd'),
            (NEW, 'n'),
        ] {
            if flags & f != 0 {
                s.push(c);
            }
        }
    }
    for (f, c) in [(KEYSPACE, 'K'), (KEYEVENT, 'E'), (KEY_MISS, 'm')] {
        if flags & f != 0 {
            s.push(c);
        }
    }
    s
}

/// The config table's parser for notify-keyspace-events.
pub fn parse_config(c: &mut Config, args: &[Vec<u8>]) -> Result<(), String> {
    if args.len() > 1 {
        return Err("wrong number of arguments".into());
    }
    let v = args.first().map(|a| a.as_slice()).unwrap_or(b"");
    match string_to_flags(v) {
        Some(f) => {
            c.notify_keyspace_events = f;
            Ok(())
        }
        None => Err("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.".into()),
    }
}

pub fn format_config(c: &Config) -> String {
    flags_to_string(c.notify_keyspace_events)
}

#[cfg(test)]
#[path = "notify_tests.rs"]
mod event_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_round_trip() {
        assert_eq!(flags_to_string(string_to_flags(b"KEA").unwrap()), "AKE");
        assert_eq!(
            flags_to_string(string_to_flags(b"Emn$gK").unwrap()),
            "g$nKEm"
        );
        assert!(string_to_flags(b"Q").is_none());
        let mut n = Notifications::default();
        n.fire(string_to_flags(b"g").unwrap(), GENERIC, "del", b"k", 0);
        assert!(n.queue.is_empty());
        n.fire(string_to_flags(b"gK").unwrap(), GENERIC, "del", b"k", 0);
        assert_eq!(n.queue.len(), 1);
    }
}
