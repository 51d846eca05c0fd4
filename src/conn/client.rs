//! One connected client (Redis `client` struct in server.h).

use std::io::{self, Read, Write};

use crate::resp::parser::PROTO_MBULK_BIG_ARG;
use crate::resp::{Reply, RequestParser};

/// A client's socket: TCP or Unix domain.
#[derive(Debug)]
pub enum Socket {
    Tcp(mio::net::TcpStream),
    Unix(mio::net::UnixStream),
}

impl Socket {
    pub fn source(&mut self) -> &mut dyn mio::event::Source {
        match self {
            Socket::Tcp(s) => s,
            Socket::Unix(s) => s,
        }
    }

    pub fn fd(&self) -> i32 {
        use std::os::unix::io::AsRawFd;
        match self {
            Socket::Tcp(s) => s.as_raw_fd(),
            Socket::Unix(s) => s.as_raw_fd(),
        }
    }

    pub fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Socket::Tcp(s) => s.read(buf),
            Socket::Unix(s) => s.read(buf),
        }
    }

    pub fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Socket::Tcp(s) => s.write(buf),
            Socket::Unix(s) => s.write(buf),
        }
    }

    /// One `writev` of `bufs`, in order.
    pub fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        match self {
            Socket::Tcp(s) => s.write_vectored(bufs),
            Socket::Unix(s) => s.write_vectored(bufs),
        }
    }

    pub fn shutdown(&self) {
        let _ = match self {
            Socket::Tcp(s) => s.shutdown(std::net::Shutdown::Both),
            Socket::Unix(s) => s.shutdown(std::net::Shutdown::Both),
        };
    }
}

/// CLIENT REPLY state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplyMode {
    On,
    Off,
    /// Skip the reply of the next command only.
    SkipNext,
    /// Skipping the reply of the command now running.
    Skip,
}

/// Boolean client state (Redis CLIENT_* flags), as named fields.
#[derive(Clone, Copy, Debug, Default)]
pub struct ClientFlags {
    /// Close once the pending replies are written (QUIT, protocol errors).
    pub close_after_reply: bool,
    /// Close in the next before-sleep, without writing more.
    pub close_asap: bool,
    pub authenticated: bool,
    pub unix_socket: bool,
    pub monitor: bool,
    pub no_evict: bool,
    pub no_touch: bool,
    /// A command is executing for this client right now.
    pub executing: bool,
    /// Held back by CLIENT PAUSE (Redis BLOCKED_POSTPONE): input is read but
    /// not processed until the pause ends. Shown as 'b' in CLIENT LIST.
    pub postponed: bool,
    /// Blocked on keys (BLPOP, XREAD BLOCK...) until served or timed out.
    pub blocked_on_keys: bool,
    /// `argv` holds a parsed command that has not run yet (CLIENT_PENDING_COMMAND).
    pub pending_command: bool,
    /// Blocking commands must not block (Redis CLIENT_DENY_BLOCKING): set
    /// while EXEC runs its queued commands (docs/transactions.md).
    pub deny_blocking: bool,
}

/// A connected client.
#[derive(Debug)]
pub struct Client {
    pub id: u64,
    /// Slab index, also the mio token.
    pub token: usize,
    pub sock: Socket,
    pub addr: String,
    pub laddr: String,
    pub name: Option<Vec<u8>>,
    pub lib_name: Option<Vec<u8>>,
    pub lib_ver: Option<Vec<u8>>,
    pub user: String,
    pub db: usize,
    pub flags: ClientFlags,
    pub reply_mode: ReplyMode,
    /// Unparsed input, with `qb_pos` bytes already consumed.
    pub querybuf: Vec<u8>,
    pub qb_pos: usize,
    /// Peak of the query buffer since the last cron check (for resizing).
    pub querybuf_peak: usize,
    /// Length of the last request's last argument if it was big
    /// (PROTO_MBULK_BIG_ARG or more), else 0: sizes the next read (`io::read_size`).
    pub last_big_arg: usize,
    pub parser: RequestParser,
    pub argv: Vec<Vec<u8>>,
    pub reply: Reply,
    /// Pub/sub subscriptions (src/pubsub).
    pub pubsub: crate::pubsub::ClientSubscriptions,
    /// Creation and last interaction times in ms (for CLIENT LIST age/idle, timeout).
    pub ctime_ms: i64,
    pub last_interaction_ms: i64,
    /// Full name of the last command run ("config|get"), for CLIENT LIST.
    pub last_cmd: &'static str,
    /// Total bytes read and written, for CLIENT INFO and INFO stats.
    pub net_input_bytes: u64,
    pub net_output_bytes: u64,
    /// When the output buffer first passed the soft limit (0: it has not).
    pub obuf_soft_limit_reached_ms: i64,
    /// True while the client sits in the pending-write list.
    pub pending_write: bool,
    /// True while the client sits in the pending-input list.
    pub pending_input: bool,
    /// Indexes of arguments of the running command that MONITOR and the
    /// slowlog must show as "(redacted)" (passwords). Cleared before each command.
    pub redacted: Vec<usize>,
    /// Most bytes the reply head held since the last peak reset (Redis
    /// `buf_peak`, CLIENT LIST `rbp`); the clients cron resizes the head
    /// toward it (conn/resize.rs).
    pub reply_peak: usize,
    /// When the cron last reset `reply_peak` (Redis `buf_peak_last_reset_time`).
    pub reply_peak_reset_ms: i64,
    /// MULTI/EXEC and WATCH state (src/multi).
    pub mstate: crate::multi::ClientMulti,
    /// Client-side caching state (src/tracking).
    pub tracking: crate::tracking::ClientTracking,
    /// Memory accounting for INFO and client eviction (conn/memory.rs).
    pub mem: super::memory::ClientMem,
}

impl Client {
    pub fn new(
        id: u64,
        token: usize,
        sock: Socket,
        addr: String,
        laddr: String,
        now_ms: i64,
    ) -> Client {
        let unix = matches!(sock, Socket::Unix(_));
        Client {
            id,
            token,
            sock,
            addr,
            laddr,
            name: None,
            lib_name: None,
            lib_ver: None,
            user: "default".into(),
            db: 0,
            flags: ClientFlags {
                unix_socket: unix,
                ..ClientFlags::default()
            },
            reply_mode: ReplyMode::On,
            querybuf: Vec::new(),
            qb_pos: 0,
            querybuf_peak: 0,
            last_big_arg: 0,
            parser: RequestParser::new(),
            argv: Vec::new(),
            reply: Reply::new(2),
            pubsub: Default::default(),
            ctime_ms: now_ms,
            last_interaction_ms: now_ms,
            last_cmd: "NULL",
            net_input_bytes: 0,
            net_output_bytes: 0,
            obuf_soft_limit_reached_ms: 0,
            pending_write: false,
            pending_input: false,
            redacted: Vec::new(),
            // A new head counts as full, as in Redis; its reset time is
            // long past (Redis stores seconds there, compared with ms), so
            // the cron's first visit restarts the peak and the next shrinks.
            reply_peak: crate::resp::REPLY_CHUNK,
            reply_peak_reset_ms: 0,
            mstate: Default::default(),
            tracking: Default::default(),
            mem: Default::default(),
        }
    }

    /// Bytes of reply not yet written to the socket.
    pub fn pending_output(&self) -> usize {
        self.reply.out().pending()
    }

    /// Memory held by the reply buffer: the head's capacity and the blocks.
    pub fn reply_memory(&self) -> usize {
        self.reply.out().head_capacity() + self.reply.out().blocks_memory()
    }

    pub fn has_pending_output(&self) -> bool {
        self.pending_output() > 0
    }

    /// Unparsed bytes in the query buffer.
    pub fn querybuf_len(&self) -> usize {
        self.querybuf.len() - self.qb_pos
    }

    /// Drops consumed bytes from the front of the query buffer.
    pub fn trim_querybuf(&mut self) {
        if self.qb_pos == 0 {
            return;
        }
        if self.qb_pos == self.querybuf.len() {
            // The capacity stays: the clients cron (conn/resize.rs) trims a
            // big buffer toward its recent peak, as Redis does, and CLIENT
            // LIST shows the room left meanwhile (qbuf-free).
            self.querybuf.clear();
        } else {
            self.querybuf.drain(..self.qb_pos);
        }
        self.qb_pos = 0;
    }

    /// While a big bulk argument (PROTO_MBULK_BIG_ARG or more) is being
    /// read and the trimmed buffer holds only its start, makes room for
    /// exactly the rest (Redis's `sdsMakeRoomForNonGreedy`): the reads then
    /// complete it in place and the parser takes the buffer as the argument.
    pub fn reserve_big_arg(&mut self) {
        let Some(n) = self.parser.pending_bulk_len() else {
            return;
        };
        if n >= PROTO_MBULK_BIG_ARG && self.qb_pos == 0 && self.querybuf.len() < n + 2 {
            self.querybuf.reserve_exact(n + 2 - self.querybuf.len());
        }
    }

    /// Records whether the request just parsed ended with a big argument.
    pub fn note_big_arg(&mut self) {
        self.last_big_arg = match self.argv.last() {
            Some(a) if a.len() >= PROTO_MBULK_BIG_ARG => a.len(),
            _ => 0,
        };
    }

    /// Empties `argv` after a request, keeping small argument buffers for
    /// the parser to reuse.
    pub fn recycle_argv(&mut self) {
        self.parser.recycle(&mut self.argv);
        self.mem.argv_len_sum = 0;
    }

    /// Writes a protocol error and marks the client to close after it.
    pub fn protocol_error(&mut self, reason: &str) {
        self.reply.error(format!("ERR Protocol error: {}", reason));
        self.flags.close_after_reply = true;
    }
}
