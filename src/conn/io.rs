//! Socket reads and writes for one client (networking.c `readQueryFromClient`,
//! `writeToClient`). Each call does a bounded amount of work; the caller keeps
//! the client in a pending list when the budget, not the socket, stopped it.

use std::io::{self, IoSlice};

use super::Client;
use crate::resp::outbuf::MAX_IOV;
use crate::resp::parser::PROTO_MBULK_BIG_ARG;

/// Size of one read (Redis PROTO_IOBUF_LEN).
pub const IOBUF_LEN: usize = 16 * 1024;
/// Largest single read (and largest request size `read_size` anticipates).
const BIG_READ_MAX: usize = 1024 * 1024;
/// Room for the header of a request that carries a big argument.
const BIG_HEADER_ROOM: usize = 1024;
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

/// Reads once into the query buffer, `read_size` bytes at most.
pub fn read_once(c: &mut Client) -> ReadOutcome {
    let want = read_size(c);
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

/// How much one read asks for: IOBUF_LEN, or for big arguments
/// (PROTO_MBULK_BIG_ARG bytes or more) as Redis sizes its reads:
/// - while one is being read, exactly up to its end (1 MB at most per
///   read), so that the buffer holds just the argument and becomes it
///   uncopied;
/// - after a request whose last argument was big, enough for one more
///   request like it (Redis's query buffer keeps the size of the last big
///   argument). A stream of 100 KB SETs then costs one read each instead of
///   16 KB plus the rest; the value, which lands after its request's header,
///   is copied out. Each read of a socket whose peer is waiting on a closed
///   receive window makes the kernel send the peer's next segments from
///   inside that read, so halving the reads halves that work too
///   (docs/performance.md, "read budget").
fn read_size(c: &mut Client) -> usize {
    if let Some(bulk) = c.parser.pending_bulk_len() {
        if bulk >= PROTO_MBULK_BIG_ARG {
            let remaining = (bulk + 2).saturating_sub(c.querybuf_len());
            if remaining > 0 {
                return remaining.min(BIG_READ_MAX);
            }
        }
        return IOBUF_LEN;
    }
    if c.last_big_arg == 0 {
        return IOBUF_LEN;
    }
    // The next request's header, its big argument and CRLF, with room for
    // a header up to BIG_HEADER_ROOM bytes long.
    let target = c.last_big_arg + 2 + BIG_HEADER_ROOM;
    let have = c.querybuf.len();
    if target > BIG_READ_MAX || target < have + IOBUF_LEN {
        return IOBUF_LEN;
    }
    // Exactly, so that the buffer stays at `target` from one request to
    // the next instead of doubling.
    c.querybuf.reserve_exact(target - have);
    target - have
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
