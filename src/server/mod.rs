//! The server (Redis server.c): the composition root that owns clients,
//! the command table, configuration, statistics and (in later issues)
//! databases, persistence, replication and pub/sub. It implements the event
//! loop's handler: accepting, reading, writing, cron and before-sleep.

pub mod clients;
pub mod commands;
pub mod config_apply;
pub mod cron;
pub mod proctitle;
pub mod shutdown;
pub mod startup;
pub mod stats;
pub mod status;

use mio::Registry;

use crate::cmd::meta::CommandMeta;
use crate::cmd::{table, CommandTable};
use crate::config::Config;
use crate::conn::{Client, Clients};
use crate::event_loop::clock::{CachedTime, Monotonic};
use crate::event_loop::EventHandler;
use crate::log::Logger;
pub use stats::Stats;

/// A listening socket and what it listens on.
pub enum Listener {
    Tcp {
        addr: String,
        sock: mio::net::TcpListener,
    },
    Unix {
        path: String,
        sock: mio::net::UnixListener,
    },
}

/// Why and how the server is going down.
#[derive(Clone, Copy, Debug, Default)]
pub struct ShutdownRequest {
    pub nosave: bool,
    pub save: bool,
    pub now: bool,
    pub force: bool,
}

pub struct Server {
    pub config: Config,
    pub log: Logger,
    pub registry: Registry,
    pub listeners: Vec<Listener>,
    /// An accept failed with connections still queued (EMFILE and the like):
    /// the cron retries, as edge-triggered events will not report them again.
    pub accept_stalled: bool,
    pub clients: Clients,
    pub commands: CommandTable,
    pub stats: Stats,
    pub time: CachedTime,
    pub mono: Monotonic,
    /// Unix time in seconds when the server started.
    pub start_time: i64,
    pub run_id: String,
    pub next_client_id: u64,
    /// Clients with replies to write in before-sleep.
    pub pending_writes: Vec<usize>,
    /// Clients whose input was left unread or unprocessed by a budget.
    pub pending_input: Vec<usize>,
    /// Clients flagged close-asap, freed in before-sleep (Redis `clients_to_close`).
    pub clients_to_close: Vec<usize>,
    /// Set when the loop must exit.
    pub stop: bool,
    /// Exit code once stopped.
    pub exit_code: i32,
    /// The ms timestamp of the next serverCron run.
    pub next_cron_ms: i64,
    /// Cron iterations, for `run_with_period`.
    pub cronloops: u64,
    /// Peak of the number of connected clients (INFO).
    pub stat_peak_clients: usize,
    // Keyspace (keyspace helper): the databases and their runtime state.
    pub dbs: Vec<crate::keyspace::Db>,
    pub ks: crate::keyspace::State,
    // Introspection (src/introspection): slow log, latency monitor and
    // histograms, allocator samples, client buffer peaks, DEBUG switches.
    pub slowlog: crate::introspection::slowlog::Slowlog,
    pub latency: crate::introspection::latency::LatencyMonitor,
    pub mem: crate::introspection::mem_overhead::MemorySamples,
    pub mem_sampled_ms: i64,
    pub client_peaks: crate::introspection::ClientPeaks,
    pub debug: crate::introspection::debug::DebugFlags,
    /// State INFO reports for subsystems later issues implement.
    pub status: status::SubsystemStatus,
    // Blocking operations (lists helper): blocked clients, ready keys, timeouts.
    pub blocking: crate::blocking::State,
    // Pub/Sub (src/pubsub): channel, shard channel and pattern registries.
    pub pubsub: crate::pubsub::PubSub,
    // Persistence (src/persistence): the BGSAVE child and save scheduling.
    pub rdb: crate::persistence::State,
    // Connection and client management (conn/): CLIENT PAUSE state and
    // MONITOR clients as (token, id).
    pub pause: crate::conn::pause::PauseState,
    pub monitors: Vec<(usize, u64)>,
    // Reply and query buffer resizing in the clients cron (conn/resize.rs).
    pub client_resize: crate::conn::resize::ResizeState,
    // Config (src/server/config_apply.rs): the oom_score_adj the process had
    // before the first oom-score-adj change, to restore it.
    pub oom_score_base: Option<i64>,
    // Process title (src/server/proctitle.rs): the argv area ps shows, and
    // argv[0] as invoked (Redis `exec_argv[0]`, the `{title}` of servers).
    pub proc_title: Option<crate::event_loop::proctitle::ProcTitle>,
    pub exec_argv0: Vec<u8>,
    // Transactions (src/multi): watched keys of every database.
    pub multi: crate::multi::Watches,
    // Propagation (src/propagate.rs) and the append-only file
    // (src/persistence/aof): commands to propagate and the AOF state.
    pub propagation: crate::propagate::Propagation,
    pub aof: crate::persistence::aof::Aof,
    // Client-side caching (src/tracking): the key and prefix tables.
    pub tracking: crate::tracking::Tracking,
    // Client memory accounting and maxmemory-clients eviction (conn/evict.rs).
    pub client_mem: crate::conn::evict::ClientMemState,
}

impl Server {
    /// Builds a server from a loaded configuration. Sockets are opened by `startup::listen`.
    pub fn new(config: Config, log: Logger, registry: Registry) -> Server {
        let time = CachedTime::now();
        let dbs = crate::keyspace::new_dbs(config.databases);
        let mut srv = Server {
            config,
            log,
            registry,
            listeners: Vec::new(),
            accept_stalled: false,
            clients: Clients::default(),
            commands: CommandTable::build(&table::families()),
            stats: Stats::default(),
            time,
            mono: Monotonic::new(),
            start_time: time.unixtime,
            run_id: startup::random_hex(40),
            next_client_id: 1,
            pending_writes: Vec::new(),
            pending_input: Vec::new(),
            clients_to_close: Vec::new(),
            stop: false,
            exit_code: 0,
            next_cron_ms: 0,
            cronloops: 0,
            stat_peak_clients: 0,
            dbs,
            ks: crate::keyspace::State::new(),
            slowlog: Default::default(),
            latency: Default::default(),
            mem: crate::introspection::mem_overhead::MemorySamples::new(),
            mem_sampled_ms: time.mstime,
            client_peaks: Default::default(),
            debug: Default::default(),
            status: status::SubsystemStatus::new(time.unixtime, startup::random_hex(40)),
            blocking: Default::default(),
            pubsub: Default::default(),
            rdb: Default::default(),
            pause: Default::default(),
            monitors: Vec::new(),
            client_resize: Default::default(),
            oom_score_base: None,
            proc_title: None,
            exec_argv0: Vec::new(),
            multi: Default::default(),
            propagation: Default::default(),
            aof: Default::default(),
            tracking: Default::default(),
            client_mem: Default::default(),
        };
        config_apply::apply_renames(&mut srv.commands, &srv.config);
        crate::introspection::apply_latency_config(&mut srv);
        crate::conn::evict::apply_config(&mut srv);
        srv
    }

    /// True when the client must authenticate before running commands.
    pub fn auth_required(&self, c: &Client) -> bool {
        !c.flags.authenticated && !self.config.requirepass.is_empty()
    }

    /// Bookkeeping after every executed command: slowlog, latency monitor,
    /// MONITOR feed, propagation. Filled in as those features arrive.
    pub fn after_call(
        &mut self,
        c: &mut Client,
        argv: &[Vec<u8>],
        meta: &'static CommandMeta,
        cmd_id: usize,
        duration_us: u64,
    ) {
        crate::introspection::after_call(self, c, argv, meta, cmd_id, duration_us);
        crate::conn::obuf_limits::after_command(self, c);
        if !crate::blocking::is_reexecuting(self, c.token) {
            self.feed_monitors(c, argv, meta);
        }
        crate::multi::after_call(self, c);
        crate::blocking::handle_ready_keys(self);
        crate::tracking::after_call(self, c, argv, meta);
    }
}

impl EventHandler for Server {
    fn accept(&mut self, listener: usize) {
        // After SHUTDOWN the listeners are closed, and CONFIG SET port/bind
        // may have closed some: later events of the batch are stale.
        if self.stop || listener >= self.listeners.len() {
            return;
        }
        self.accept_clients(listener);
    }

    fn client_event(&mut self, token: usize, readable: bool, writable: bool, closed: bool) {
        // Once SHUTDOWN succeeded nothing else runs, as Redis exits at once.
        if self.stop {
            return;
        }
        if writable {
            self.handle_writable(token);
        }
        if readable {
            self.handle_readable(token, !closed);
        }
    }

    fn before_sleep(&mut self) -> bool {
        self.before_sleep_work()
    }

    fn time_events(&mut self) -> u64 {
        if self.stop {
            return 0;
        }
        self.run_time_events()
    }

    fn after_sleep(&mut self) {
        self.time.update();
    }

    fn should_stop(&self) -> bool {
        self.stop
    }
}
