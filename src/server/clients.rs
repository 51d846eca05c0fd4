//! Client lifecycle on the server side (networking.c `acceptCommonHandler`,
//! `readQueryFromClient`, `processInputBuffer`, `handleClientsWithPendingWrites`,
//! `freeClient`).

use mio::{Interest, Token};

use super::{Listener, Server};
use crate::cmd::dispatch::process_command;
use crate::conn::info::client_info_line;
use crate::conn::io::{self, ReadOutcome, WriteOutcome, MAX_WRITE_PER_EVENT};
use crate::conn::{Client, Socket};
use crate::resp::parser::{ParseLimits, Parsed};
use crate::util::args::repr;

/// Reads per turn, at most (with `READ_BUDGET`, whichever ends first).
const READS_PER_EVENT: usize = 16;

/// Bytes read from one client per turn before the others get theirs: no
/// further read starts once this many were read. A single read may go past
/// it for a big argument (`io::read_size`), as Redis reads a big argument's
/// rest whatever its size. Redis reads 16 KB per event; four times that
/// keeps a pipeline of 16 1 KB SETs in one turn.
const READ_BUDGET: usize = 64 * 1024;

/// Pending output from which a client's replies are written between two
/// pipelined commands (see `write_early`).
const EARLY_WRITE_BYTES: usize = 2 * MAX_WRITE_PER_EVENT;

const MAXCLIENTS_ERR: &[u8] = b"-ERR max number of clients reached\r\n";

const PROTECTED_MODE_ERR: &[u8] = b"-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n";

impl Server {
    /// Accepts every pending connection on a listener (edge-triggered: until WouldBlock).
    pub(super) fn accept_clients(&mut self, idx: usize) {
        loop {
            let accepted = match &self.listeners[idx] {
                Listener::Tcp { sock, .. } => sock.accept().map(|(s, peer)| {
                    crate::event_loop::net::tune_client_socket(&s, self.config.tcp_keepalive);
                    let local = s.local_addr().map(|a| fmt_addr(&a)).unwrap_or_default();
                    let loopback = peer.ip().is_loopback();
                    (Socket::Tcp(s), fmt_addr(&peer), local, loopback)
                }),
                Listener::Unix { sock, path } => {
                    // Redis names both ends of a Unix connection "<path>:0".
                    let name = format!("{}:0", path);
                    sock.accept()
                        .map(|(s, _)| (Socket::Unix(s), name.clone(), name, true))
                }
            };
            match accepted {
                Ok((sock, addr, laddr, local)) => self.accept_one(sock, addr, laddr, local),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.log.warning(&format!(
                        "Accepting client connection: accept: {}",
                        crate::util::strerror(&e)
                    ));
                    // Edge-triggered: a connection that was reset before
                    // accept must not leave the ones queued behind it
                    // waiting for the next edge.
                    if e.kind() == std::io::ErrorKind::ConnectionAborted {
                        continue;
                    }
                    // Out of descriptors or buffers: what is queued stays
                    // queued and raises no new edge, so the cron retries
                    // (Redis's level-triggered loop would retry at once).
                    self.accept_stalled = true;
                    return;
                }
            }
        }
    }

    /// Retries every listener after an accept failed for lack of
    /// descriptors or memory (see `accept_clients`).
    pub(super) fn retry_stalled_accepts(&mut self) {
        if !std::mem::take(&mut self.accept_stalled) {
            return;
        }
        for idx in 0..self.listeners.len() {
            self.accept_clients(idx);
        }
    }

    fn accept_one(&mut self, mut sock: Socket, addr: String, laddr: String, local: bool) {
        if let Socket::Unix(_) = sock {
            self.log.verbose(&format!(
                "Accepted connection to {}",
                self.config.unixsocket
            ));
        } else {
            self.log.verbose(&format!("Accepted {}", addr));
        }
        if self.clients.len() as i64 >= self.config.maxclients {
            let _ = sock.write(MAXCLIENTS_ERR);
            self.stats.rejected_connections += 1;
            return;
        }
        // Redis 7.0 applies protected mode whatever `bind` says; the refused
        // connection had a client created for it, so it used up an id.
        if self.config.protected_mode && self.config.requirepass.is_empty() && !local {
            let _ = sock.write(PROTECTED_MODE_ERR);
            self.stats.rejected_connections += 1;
            self.next_client_id += 1;
            return;
        }
        let token = self.clients.reserve();
        if self
            .registry
            .register(
                sock.source(),
                Token(token),
                Interest::READABLE | Interest::WRITABLE,
            )
            .is_err()
        {
            self.clients.release(token);
            return;
        }
        let id = self.next_client_id;
        self.next_client_id += 1;
        self.stats.total_connections_received += 1;
        let mut c = Client::new(id, token, sock, addr, laddr, self.time.mstime);
        // Without a password the default user needs no AUTH, and a client
        // created then stays authenticated if one is set later (as in Redis).
        c.flags.authenticated = self.config.requirepass.is_empty();
        self.clients.put(Box::new(c));
        self.stat_peak_clients = self.stat_peak_clients.max(self.clients.len());
    }

    /// Reads and runs what a client sent, within a per-event budget.
    ///
    /// mio is edge-triggered, so the socket must be drained. A short read
    /// (fewer bytes than asked) proves the receive queue was empty at that
    /// moment, and anything arriving later raises a new edge; `stop_on_short`
    /// lets such a read end the turn without a final read that would only
    /// return WouldBlock (one syscall saved per event). It is false when the
    /// peer's close was already reported, or when resuming a budget-limited
    /// client, where no new edge is guaranteed.
    ///
    /// A turn reads up to `READ_BUDGET` bytes; a client with more to read is
    /// queued in `pending_input` and resumed after this iteration's replies
    /// are written, so each client gets one turn per loop iteration, as a
    /// level-triggered loop would give it, and the replies of a long
    /// pipeline go out turn by turn rather than all after its last command.
    pub(super) fn handle_readable(&mut self, token: usize, stop_on_short: bool) {
        let Some(mut c) = self.clients.take(token) else {
            return;
        };
        let mut read = 0;
        for _ in 0..READS_PER_EVENT {
            if c.flags.close_after_reply || c.flags.close_asap || read >= READ_BUDGET {
                break;
            }
            // One readQueryFromClient in Redis, whatever the read returns.
            self.stats.total_reads_processed += 1;
            match io::read_once(&mut c) {
                ReadOutcome::Data { n, short } => {
                    self.stats.net_input_bytes += n as u64;
                    read += n;
                    c.last_interaction_ms = self.time.mstime;
                    if self.querybuf_over_limit(&c) {
                        return self.free_client(c);
                    }
                    self.process_input(&mut c);
                    // Redis `beforeNextClient`: a client flagged to close
                    // while served (output limit, eviction) goes at once.
                    if c.flags.close_asap {
                        return self.free_client(c);
                    }
                    if short && stop_on_short {
                        return self.return_client(c);
                    }
                }
                ReadOutcome::WouldBlock => return self.return_client(c),
                ReadOutcome::Eof => return self.client_eof(c),
                ReadOutcome::Error(e) => {
                    self.log.verbose(&format!("Reading from client: {}", e));
                    return self.free_client(c);
                }
            }
        }
        // The budget ran out before the socket was drained: come back next iteration.
        if !c.flags.close_after_reply && !c.pending_input {
            c.pending_input = true;
            self.pending_input.push(token);
        }
        self.return_client(c);
    }

    fn client_eof(&mut self, mut c: Box<Client>) {
        self.log.verbose(&format!(
            "Client closed connection {}",
            client_info_line(&c, self.time.mstime)
        ));
        // The peer may have shut down only its sending side. Redis writes the
        // replies in the before-sleep that precedes the read that sees EOF; do
        // the same before closing. The write stops at WouldBlock, so it is
        // bounded by the socket buffer.
        if c.has_pending_output() {
            self.stats.total_writes_processed += 1;
            let (_, n) = io::write_pending(&mut c, usize::MAX);
            self.stats.net_output_bytes += n as u64;
        }
        self.free_client(c)
    }

    fn querybuf_over_limit(&mut self, c: &Client) -> bool {
        if (c.querybuf_len() as i64) <= self.config.client_query_buffer_limit {
            return false;
        }
        let info = client_info_line(c, self.time.mstime);
        // The first bytes quoted as sdscatrepr does: \x escapes, never lossy UTF-8.
        let mut head = Vec::new();
        repr(
            &mut head,
            &c.querybuf[c.qb_pos..c.qb_pos + 64.min(c.querybuf_len())],
        );
        self.log.warning(&format!(
            "Closing client that reached max query buffer length: {} (qbuf initial bytes: {})",
            info,
            String::from_utf8_lossy(&head)
        ));
        self.stats.client_qbuf_limit_disconnections += 1;
        true
    }

    /// Parses and runs every complete request in the query buffer (Redis `processInputBuffer`).
    /// A client held by CLIENT PAUSE keeps its input for later.
    pub fn process_input(&mut self, c: &mut Client) {
        if c.flags.postponed || c.flags.close_asap || self.stop || self.blocking.is_blocked(c.token)
        {
            return;
        }
        if c.flags.pending_command {
            c.flags.pending_command = false;
            process_command(self, c);
            if c.flags.postponed {
                return;
            }
            c.recycle_argv();
            self.client_mem.update(c);
        }
        while c.qb_pos < c.querybuf.len()
            && !c.flags.close_after_reply
            && !c.flags.close_asap
            && !self.stop
            && !self.blocking.is_blocked(c.token)
        {
            let limits = ParseLimits {
                proto_max_bulk_len: self.config.proto_max_bulk_len,
                unauthenticated: self.auth_required(c),
            };
            let mut argv = std::mem::take(&mut c.argv);
            let argc_before = argv.len();
            let parsed = match c.parser.take_big_arg(&mut c.querybuf, c.qb_pos, &mut argv) {
                Some(p) => Ok(p),
                None => c
                    .parser
                    .parse(&c.querybuf, &mut c.qb_pos, &mut argv, limits),
            };
            c.argv = argv;
            self.client_mem.note_parsed(c, argc_before);
            match parsed {
                Ok(Parsed::Request) => {
                    c.note_big_arg();
                    if !c.argv.is_empty() {
                        process_command(self, c);
                    }
                    if c.flags.postponed {
                        break;
                    }
                    c.recycle_argv();
                    // Output grown by the command (Redis
                    // `processCommandAndResetClient`).
                    self.client_mem.update(c);
                    if c.pending_output() >= EARLY_WRITE_BYTES {
                        self.write_early(c);
                    }
                }
                Ok(Parsed::Incomplete) => break,
                Err(e) => {
                    let reason = e.reason();
                    self.log.verbose(&format!(
                        "Protocol error ({}) from client: {}",
                        reason,
                        client_info_line(c, self.time.mstime)
                    ));
                    c.protocol_error(&reason);
                    c.recycle_argv();
                    break;
                }
            }
        }
        c.trim_querybuf();
        c.reserve_big_arg();
        // A big query buffer not drained by the loop counts now.
        self.client_mem.update(c);
    }

    /// Writes a big pending output between two pipelined commands instead
    /// of letting it pile up through the whole pipeline: the reply blocks
    /// of big values (GET of 100 KB) are freed as soon as they are written,
    /// so a client holds about 128 KB of output instead of all its replies,
    /// and one `writev` carries two replies (Redis writes one per loop
    /// iteration). A write error closes the client as a failed write in
    /// before-sleep would.
    /// Not for a client whose class has an output limit: there, what piles
    /// up during a pipeline counts against the limit, as in Redis. Not while
    /// the AOF buffer holds writes not yet in the file.
    fn write_early(&mut self, c: &mut Client) {
        let limit = &self.config.client_output_buffer_limit[c.obuf_class()];
        if c.flags.close_asap || limit.hard_limit_bytes != 0 || limit.soft_limit_bytes != 0 {
            return;
        }
        // A reply must not leave before the AOF holds the writes it follows
        // (before-sleep writes the AOF, then the replies): with commands
        // waiting in the AOF buffer, the output waits for before-sleep too.
        if !self.aof.buf.is_empty() {
            return;
        }
        if let WriteOutcome::Error = self.write_client(c) {
            self.close_asap(c);
        }
    }

    /// Puts a client back in the slab, queueing its replies for before-sleep.
    pub fn return_client(&mut self, mut c: Box<Client>) {
        if c.has_pending_output() && !c.pending_write {
            c.pending_write = true;
            self.pending_writes.push(c.token);
        } else if c.flags.close_after_reply && !c.has_pending_output() {
            return self.free_client(c);
        }
        self.clients.put(c);
    }

    pub(super) fn handle_writable(&mut self, token: usize) {
        let Some(mut c) = self.clients.take(token) else {
            return;
        };
        if c.has_pending_output() && !c.flags.close_asap {
            match self.write_client(&mut c) {
                WriteOutcome::Error => return self.free_client(c),
                // Edge-triggered: no new writable event comes while the
                // socket has room, so before-sleep goes on writing.
                WriteOutcome::Budget if !c.pending_write => {
                    c.pending_write = true;
                    self.pending_writes.push(c.token);
                }
                _ => {}
            }
        }
        if c.flags.close_after_reply && !c.has_pending_output() {
            return self.free_client(c);
        }
        self.clients.put(c);
    }

    fn write_client(&mut self, c: &mut Client) -> WriteOutcome {
        // One writeToClient in Redis.
        self.stats.total_writes_processed += 1;
        // Over maxmemory, Redis writes all it can to free the output sooner.
        let maxmemory = self.config.maxmemory;
        let budget = if maxmemory > 0 && crate::alloc::used_memory() as i64 >= maxmemory {
            usize::MAX
        } else {
            MAX_WRITE_PER_EVENT
        };
        let (outcome, n) = io::write_pending(c, budget);
        self.stats.net_output_bytes += n as u64;
        if n > 0 {
            c.last_interaction_ms = self.time.mstime;
        }
        self.client_mem.update(c);
        outcome
    }

    /// Writes pending replies directly (Redis `handleClientsWithPendingWrites`).
    /// Returns true if some client still has output it could not write for budget reasons.
    pub(super) fn flush_pending_writes(&mut self) -> bool {
        let tokens = std::mem::take(&mut self.pending_writes);
        let mut again = false;
        for token in tokens {
            let Some(mut c) = self.clients.take(token) else {
                continue;
            };
            c.pending_write = false;
            // A killed client is closed without being written to, as in Redis.
            if c.flags.close_asap {
                self.clients.put(c);
                continue;
            }
            // An early write (`write_early`) may have sent everything already.
            let outcome = if c.has_pending_output() {
                self.write_client(&mut c)
            } else {
                WriteOutcome::Done
            };
            match outcome {
                WriteOutcome::Error => {
                    self.free_client(c);
                    continue;
                }
                WriteOutcome::Budget => {
                    c.pending_write = true;
                    self.pending_writes.push(token);
                    again = true;
                }
                WriteOutcome::Done | WriteOutcome::WouldBlock => {}
            }
            if c.flags.close_after_reply && !c.has_pending_output() {
                self.free_client(c);
            } else {
                self.clients.put(c);
            }
        }
        again
    }

    /// Re-runs clients that still have unread or unprocessed input.
    pub(super) fn process_pending_input(&mut self) {
        let tokens = std::mem::take(&mut self.pending_input);
        for token in tokens {
            if let Some(c) = self.clients.get_mut(token) {
                c.pending_input = false;
            }
            self.handle_readable(token, false);
        }
    }

    /// Closes a client now (Redis `freeClient`).
    pub fn free_client(&mut self, mut c: Box<Client>) {
        crate::blocking::client_freed(self, c.token);
        self.client_mem.forget(&mut c);
        self.forget_client(&mut c);
        let _ = self.registry.deregister(c.sock.source());
        c.sock.shutdown();
        self.clients.release(c.token);
        crate::pubsub::forget_client(self, &mut c);
        crate::tracking::client_freed(self, &mut c);
    }

    /// Flags a client to be freed in before-sleep (Redis `freeClientAsync`).
    pub fn close_asap(&mut self, c: &mut Client) {
        if !c.flags.close_asap {
            c.flags.close_asap = true;
            self.clients_to_close.push(c.token);
        }
    }

    /// Frees the clients flagged close-asap (Redis `freeClientsInAsyncFreeQueue`).
    /// A token freed and reused since it was queued belongs to a new client
    /// without the flag, which is left alone.
    pub(super) fn close_flagged_clients(&mut self) {
        for token in std::mem::take(&mut self.clients_to_close) {
            match self.clients.take(token) {
                Some(c) if c.flags.close_asap => self.free_client(c),
                Some(c) => self.clients.put(c),
                None => {}
            }
        }
    }

    /// The before-sleep hook (Redis `beforeSleep`). Returns true if work remains.
    pub(super) fn before_sleep_work(&mut self) -> bool {
        self.process_unblocked_clients();
        crate::keyspace::expire::before_sleep(self);
        crate::blocking::check_timeouts(self);
        crate::tracking::broadcast(self);
        crate::persistence::aof::before_sleep(self);
        let more_output = self.flush_pending_writes();
        // Redis's before-sleep ends with the writes, the async frees, then
        // client eviction (conn/evict.rs); the budget-limited reads below
        // stand for the next iteration's, whose effects the next
        // before-sleep handles once their replies are written.
        self.close_flagged_clients();
        crate::conn::evict::before_sleep(self);
        // Clients whose turn ended on the budget read again only now, after
        // the replies of their previous turn went out.
        if !self.pending_input.is_empty() {
            self.process_pending_input();
        }
        self.close_flagged_clients();
        more_output || !self.pending_input.is_empty() || !self.pending_writes.is_empty()
    }
}

fn fmt_addr(a: &std::net::SocketAddr) -> String {
    match a {
        std::net::SocketAddr::V4(v4) => format!("{}:{}", v4.ip(), v4.port()),
        std::net::SocketAddr::V6(v6) => format!("{}:{}", v6.ip(), v6.port()),
    }
}
