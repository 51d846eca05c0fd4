//! Socket reads and writes for one client (networking.c `readQueryFromClient`,
//! `writeToClient`). Each call does a bounded amount of work; the caller keeps
//! the client in a pending list when the budget, not the socket, stopped it.

use std::io::{self, IoSlice};

use super::Client;
use crate::resp::outbuf::MAX_IOV;
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
    // The peak counts the room a read asks for, as Redis's querybuf_peak.
    c.querybuf_peak = c.querybuf_peak.max(c.querybuf.len() + want);
    let fd = c.sock.fd();
    loop {
        match crate::event_loop::net::read_append(fd, &mut c.querybuf, want) {
            Ok(0) => return ReadOutcome::Eof,
            Ok(n) => {
                c.net_input_bytes += n as u64;
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
/// One chunk goes out with `write`, several with one `writev` (Redis
/// `_writevToClient`); written blocks are freed at once. Returns the outcome
/// and the bytes written.
pub fn write_pending(c: &mut Client, budget: usize) -> (WriteOutcome, usize) {
    c.reply_peak = c.reply_peak.max(c.reply.out().head_len());
    let mut written = 0;
    while c.reply.out().pending() > 0 {
        if written >= budget {
            return (WriteOutcome::Budget, written);
        }
        let out = c.reply.out();
        let res = match out.head_only() {
            Some(bytes) => c.sock.write(bytes),
            None if out.one_chunk() => c.sock.write(out.first_pending()),
            None => {
                let mut iov = [IoSlice::new(&[]); MAX_IOV];
                let n = out.io_slices(&mut iov);
                c.sock.write_vectored(&iov[..n])
            }
        };
        match res {
            Ok(0) => return (WriteOutcome::Error, written),
            Ok(n) => {
                c.reply.out_mut().consume(n);
                c.net_output_bytes += n as u64;
                written += n;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                return (WriteOutcome::WouldBlock, written)
            }
            Err(_) => return (WriteOutcome::Error, written),
        }
    }
    (WriteOutcome::Done, written)
}
