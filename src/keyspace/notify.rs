//! Keyspace notifications (Redis notify.c): the `notify-keyspace-events`
//! flags and the event points. Events are queued on the server and published
//! by `pubsub::notify::deliver` after each command and in before-sleep.

pub use crate::config::notify::*;

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

    /// Drops queued events without publishing them (pub/sub's `deliver`
    /// publishes them; this is what is left for in-process tests).
    pub fn deliver(&mut self) {
        #[cfg(test)]
        self.delivered.append(&mut self.queue);
        self.queue.clear();
    }
}

/// Parses a flags string such as "KEA" (`keyspaceEventsStringToFlags`).
pub fn string_to_flags(s: &[u8]) -> Option<i64> {
    crate::config::special::keyspace_events_from_str(s)
}

#[cfg(test)]
#[path = "notify_tests.rs"]
pub(crate) mod event_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fires_only_enabled_classes() {
        assert!(string_to_flags(b"Q").is_none());
        let mut n = Notifications::default();
        n.fire(string_to_flags(b"g").unwrap(), GENERIC, "del", b"k", 0);
        assert!(n.queue.is_empty());
        n.fire(string_to_flags(b"gK").unwrap(), GENERIC, "del", b"k", 0);
        assert_eq!(n.queue.len(), 1);
    }
}
