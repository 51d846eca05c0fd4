//! Socket reads and writes for one client (networking.c `readQueryFromClient`,
//! `writeToClient`). Each call does a bounded amount of work; the caller keeps
//! the client in a pending list when the budget, not the socket, stopped it.

use std::io;

use super::Client;
use crate::resp::parser::PROTO_MBULK_BIG_ARG;

/// Size of one read (Redis PROTO_IOBUF_LEN).
pub const IOBUF_LEN: usize = 16 * 1024;
/// Bytes written to one client per event before yielding (NET_MAX_WRITES_PER_EVENT).
pub const MAX_WRITE_PER_EVENT: usize = 64 * 1024;

#[derive(Debug)]
pub enum ReadOutcome {
    /// Read `n` bytes. `short` means fewer than asked for: the socket's receive
    /// queue was empty at that moment, so new data will raise a new edge.
    Data {
        n: usize,
        short: bool,
    },
    WouldBlock,
    /// The peer closed the connection.
    Eof,
    Error(io::Error),
}

/// Reads once into the query buffer. For a big bulk argument in progress,
/// reads only up to its end so that the argument lands in a buffer of its own size.
pub fn read_once(c: &mut Client) -> ReadOutcome {
    let mut want = IOBUF_LEN;
    if let Some(bulk) = c.parser.pending_bulk_len() {
        if bulk >= PROTO_MBULK_BIG_ARG {
            let have = c.querybuf_len();
            let remaining = (bulk + 2).saturating_sub(have);
            // Exactly up to the argument's end (as Redis reads), so that the
            // buffer holds just the argument and can become it uncopied.
            if remaining > 0 {
                want = remaining.min(1024 * 1024);
            }
        }
    }
    let fd = c.sock.fd();
    loop {
        match crate::event_loop::net::read_append(fd, &mut c.querybuf, want) {
            Ok(0) => return ReadOutcome::Eof,
            Ok(n) => {
                c.net_input_bytes += n as u64;
                c.querybuf_peak = c.querybuf_peak.max(c.querybuf.len());
                return ReadOutcome::Data { n, short: n < want };
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return ReadOutcome::WouldBlock,
            Err(e) => return ReadOutcome::Error(e),
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum WriteOutcome {
    /// Everything pending was written.
    Done,
    /// The socket is full; wait for a writable event.
    WouldBlock,
    /// The per-event budget ran out; try again on the next loop iteration.
    Budget,
    Error,
}

/// Writes pending replies until done, the socket is full, or `budget` bytes.
/// Returns the outcome and the bytes written.
pub fn write_pending(c: &mut Client, budget: usize) -> (WriteOutcome, usize) {
    c.reply_peak = c.reply_peak.max(c.reply.buf.len());
    let mut written = 0;
    while c.sent < c.reply.buf.len() {
        if written >= budget {
            return (WriteOutcome::Budget, written);
        }
        match c.sock.write(&c.reply.buf[c.sent..]) {
            Ok(0) => return (WriteOutcome::Error, written),
            Ok(n) => {
                c.sent += n;
                c.net_output_bytes += n as u64;
                written += n;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                compact_reply(c);
                return (WriteOutcome::WouldBlock, written);
            }
            Err(_) => return (WriteOutcome::Error, written),
        }
    }
    c.reply.buf.clear();
    c.sent = 0;
    // A huge reply's buffer is not kept around once sent.
    if c.reply.buf.capacity() > 4 * MAX_WRITE_PER_EVENT {
        c.reply.buf.shrink_to(IOBUF_LEN);
    }
    (WriteOutcome::Done, written)
}

/// Drops the written prefix once it is at least half the buffer, so that a
/// large reply drained in pieces costs linear, not quadratic, copying.
fn compact_reply(c: &mut Client) {
    if c.sent > 0 && c.sent >= c.reply.buf.len() / 2 {
        c.reply.buf.drain(..c.sent);
        c.sent = 0;
    }
}
