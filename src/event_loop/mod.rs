//! The event loop (Redis ae.c): one mio reactor thread with file events, time
//! events and a before-sleep hook. It knows sockets and time, never commands.
//!
//! mio is edge-triggered: a readiness event is reported once, so the handler
//! must read until `WouldBlock` or remember that a client still has input.
//! `before_sleep` reports such leftover work and the loop then polls without
//! waiting.

pub mod clock;
pub mod crash_signal;
mod insist;
pub mod net;
pub mod process;
pub mod proctitle;
pub mod signals;

use std::io;
use std::time::Duration;

use mio::{Events, Poll, Registry, Token};

/// Tokens at or above this value belong to listeners; below it, to clients.
pub const LISTENER_TOKEN_BASE: usize = usize::MAX / 2;

/// What the reactor asks of the server (Redis's file-event and time-event procs).
pub trait EventHandler {
    /// A listening socket (index `listener`) has connections to accept.
    fn accept(&mut self, listener: usize);
    /// A client socket is readable and/or writable. `closed` reports that the
    /// peer had already closed (or the socket failed) when the poll returned:
    /// no later edge will announce it, so the handler must read until EOF.
    fn client_event(&mut self, token: usize, readable: bool, writable: bool, closed: bool);
    /// Called before the loop sleeps. Returns true when work is still pending,
    /// in which case the loop polls without blocking.
    fn before_sleep(&mut self) -> bool;
    /// Runs due time events and returns milliseconds until the next one.
    fn time_events(&mut self) -> u64;
    /// Refreshes cached time after the poll returns.
    fn after_sleep(&mut self);
    /// True once the server has decided to exit.
    fn should_stop(&self) -> bool;
}

/// The reactor: a mio `Poll` plus its event buffer.
pub struct EventLoop {
    poll: Poll,
    events: Events,
}

impl EventLoop {
    pub fn new() -> io::Result<EventLoop> {
        Ok(EventLoop {
            poll: Poll::new()?,
            events: Events::with_capacity(1024),
        })
    }

    /// A registry handle the server keeps to register its sockets.
    pub fn registry(&self) -> io::Result<Registry> {
        self.poll.registry().try_clone()
    }

    /// Serves clients without waiting while a long job runs in the loop's
    /// thread (Redis `processEventsWhileBlocked`, used while loading): up to
    /// four non-blocking polls, stopping early when nothing happened. Time
    /// events do not run.
    pub fn process_events_while_blocked<H: EventHandler>(&mut self, handler: &mut H) {
        for _ in 0..4 {
            handler.before_sleep();
            match self.poll.poll(&mut self.events, Some(Duration::ZERO)) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return,
            }
            handler.after_sleep();
            if self.events.is_empty() {
                return;
            }
            for ev in self.events.iter() {
                let Token(t) = ev.token();
                if t >= LISTENER_TOKEN_BASE {
                    handler.accept(t - LISTENER_TOKEN_BASE);
                } else {
                    let closed = ev.is_read_closed() || ev.is_error();
                    let readable = ev.is_readable() || closed;
                    handler.client_event(t, readable, ev.is_writable(), closed);
                }
            }
        }
        handler.before_sleep();
    }

    /// Runs until the handler says stop (Redis's `aeMain`).
    pub fn run<H: EventHandler>(&mut self, handler: &mut H) {
        let mut next_timer_ms = 0u64;
        while !handler.should_stop() {
            let pending = handler.before_sleep();
            let timeout = if pending {
                Duration::ZERO
            } else {
                Duration::from_millis(next_timer_ms)
            };
            match self.poll.poll(&mut self.events, Some(timeout)) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => continue,
            }
            handler.after_sleep();
            for ev in self.events.iter() {
                let Token(t) = ev.token();
                if t >= LISTENER_TOKEN_BASE {
                    handler.accept(t - LISTENER_TOKEN_BASE);
                } else {
                    let closed = ev.is_read_closed() || ev.is_error();
                    let readable = ev.is_readable() || closed;
                    handler.client_event(t, readable, ev.is_writable(), closed);
                }
            }
            next_timer_ms = handler.time_events();
        }
    }
}
