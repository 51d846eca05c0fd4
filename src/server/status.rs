//! State of subsystems that later issues implement (Redis server.h fields
//! for persistence, replication, scripting, pub/sub, tracking, cluster and
//! blocking), holding the values Redis reports before any of that happens.
//! INFO, MEMORY and DEBUG read and write these fields; each issue moves its
//! group into its own module and keeps the field names INFO reads.

/// RDB/AOF state (Redis `server.loading`, `server.dirty`, `server.lastsave`, ...).
#[derive(Clone, Debug)]
pub struct Persistence {
    pub loading: bool,
    pub async_loading: bool,
    pub loading_start_time: i64,
    pub loading_total_bytes: u64,
    pub loading_rdb_used_mem: u64,
    pub loading_loaded_bytes: u64,
    /// Changes since the last save (Redis `server.dirty`).
    pub dirty: u64,
    /// Unix time of the last successful save (startup time at first).
    pub lastsave: i64,
    pub rdb_child_pid: Option<i32>,
    /// Unix time the running RDB child started.
    pub rdb_save_time_start: i64,
    pub lastbgsave_ok: bool,
    /// Seconds taken by the last BGSAVE (-1: none yet).
    pub rdb_last_bgsave_time_sec: i64,
    pub rdb_saves: u64,
    pub rdb_last_cow_size: u64,
    pub rdb_last_load_keys_expired: u64,
    pub rdb_last_load_keys_loaded: u64,
    pub aof_enabled: bool,
    pub aof_child_pid: Option<i32>,
    pub aof_rewrite_time_start: i64,
    pub aof_rewrite_scheduled: bool,
    pub aof_last_rewrite_time_sec: i64,
    pub aof_lastbgrewrite_ok: bool,
    pub aof_rewrites: u64,
    pub aof_rewrites_consecutive_failures: u64,
    pub aof_last_write_ok: bool,
    pub aof_last_cow_size: u64,
    pub aof_current_size: u64,
    pub aof_base_size: u64,
    pub aof_buffer_length: u64,
    pub aof_pending_bio_fsync: u64,
    pub aof_delayed_fsync: u64,
    pub module_child_pid: Option<i32>,
    pub module_fork_last_cow_size: u64,
    /// Copy-on-write bytes of the running child, its peak and sample age.
    pub current_cow_peak: u64,
    pub current_cow_size: u64,
    pub current_cow_size_updated_ms: i64,
    pub current_fork_perc: f64,
    pub current_save_keys_processed: u64,
    pub current_save_keys_total: u64,
}

impl Persistence {
    pub fn new(now: i64) -> Persistence {
        Persistence {
            loading: false,
            async_loading: false,
            loading_start_time: 0,
            loading_total_bytes: 0,
            loading_rdb_used_mem: 0,
            loading_loaded_bytes: 0,
            dirty: 0,
            lastsave: now,
            rdb_child_pid: None,
            rdb_save_time_start: -1,
            lastbgsave_ok: true,
            rdb_last_bgsave_time_sec: -1,
            rdb_saves: 0,
            rdb_last_cow_size: 0,
            rdb_last_load_keys_expired: 0,
            rdb_last_load_keys_loaded: 0,
            aof_enabled: false,
            aof_child_pid: None,
            aof_rewrite_time_start: -1,
            aof_rewrite_scheduled: false,
            aof_last_rewrite_time_sec: -1,
            aof_lastbgrewrite_ok: true,
            aof_rewrites: 0,
            aof_rewrites_consecutive_failures: 0,
            aof_last_write_ok: true,
            aof_last_cow_size: 0,
            aof_current_size: 0,
            aof_base_size: 0,
            aof_buffer_length: 0,
            aof_pending_bio_fsync: 0,
            aof_delayed_fsync: 0,
            module_child_pid: None,
            module_fork_last_cow_size: 0,
            current_cow_peak: 0,
            current_cow_size: 0,
            current_cow_size_updated_ms: 0,
            current_fork_perc: 0.0,
            current_save_keys_processed: 0,
            current_save_keys_total: 0,
        }
    }

    /// True while any forked child (RDB, AOF rewrite, module) runs.
    pub fn has_child(&self) -> bool {
        self.rdb_child_pid.is_some()
            || self.aof_child_pid.is_some()
            || self.module_child_pid.is_some()
    }
}

/// A connected replica as INFO replication lists it.
#[derive(Clone, Debug)]
pub struct ReplicaInfo {
    pub ip: String,
    pub port: i64,
    /// "wait_bgsave", "send_bulk" or "online".
    pub state: &'static str,
    pub offset: i64,
    pub lag: i64,
}

/// Replication state (Redis `server.replid`, `server.masterhost`, ...).
#[derive(Clone, Debug)]
pub struct Replication {
    pub replid: String,
    pub replid2: String,
    pub master_repl_offset: i64,
    pub second_replid_offset: i64,
    /// Some when a backlog exists: (first byte offset, history length, memory).
    pub backlog: Option<(i64, i64, u64)>,
    pub total_replication_buffers: u64,
    pub replicas: Vec<ReplicaInfo>,
    pub good_replicas: i64,
    /// "no-failover", "waiting-for-sync", "failover-in-progress".
    pub failover_state: &'static str,
    /// Set on a replica: the master it follows.
    pub master: Option<MasterLink>,
}

/// A replica's view of its master (INFO replication on a replica).
#[derive(Clone, Debug)]
pub struct MasterLink {
    pub host: String,
    pub port: i64,
    pub link_up: bool,
    /// Seconds since the last interaction with the master (-1: no master client).
    pub last_io_seconds_ago: i64,
    pub sync_in_progress: bool,
    pub read_repl_offset: i64,
    pub repl_offset: i64,
    pub transfer_size: i64,
    pub transfer_read: i64,
    pub transfer_last_io: i64,
    /// Unix time the link went down (0: never up).
    pub down_since: i64,
}

impl Replication {
    pub fn new(replid: String) -> Replication {
        Replication {
            replid,
            replid2: "0".repeat(40),
            master_repl_offset: 0,
            second_replid_offset: -1,
            backlog: None,
            total_replication_buffers: 0,
            replicas: Vec::new(),
            good_replicas: 0,
            failover_state: "no-failover",
            master: None,
        }
    }
}

/// Lua and functions memory and counts (Redis `evalMemory()`, `functionsMemory()`).
#[derive(Clone, Debug, Default)]
pub struct Scripting {
    pub vm_eval_memory: u64,
    pub eval_overhead: u64,
    pub cached_scripts: u64,
    pub vm_functions_memory: u64,
    pub functions_overhead: u64,
    pub functions: u64,
    pub libraries: u64,
}

/// Everything not yet owned by a subsystem, grouped.
#[derive(Clone, Debug)]
pub struct SubsystemStatus {
    pub persistence: Persistence,
    pub repl: Replication,
    pub scripting: Scripting,
    pub cluster_enabled: bool,
    pub cluster_links_memory: u64,
    pub blocked_clients: u64,
    pub clients_in_timeout_table: u64,
    pub tracking_clients: u64,
    pub tracking_total_keys: u64,
    pub tracking_total_items: u64,
    pub tracking_total_prefixes: u64,
    pub active_defrag_running: u64,
    pub slave_expires_tracked_keys: u64,
    pub migrate_cached_sockets: u64,
}

impl SubsystemStatus {
    pub fn new(now: i64, replid: String) -> SubsystemStatus {
        SubsystemStatus {
            persistence: Persistence::new(now),
            repl: Replication::new(replid),
            scripting: Scripting::default(),
            cluster_enabled: false,
            cluster_links_memory: 0,
            blocked_clients: 0,
            clients_in_timeout_table: 0,
            tracking_clients: 0,
            tracking_total_keys: 0,
            tracking_total_items: 0,
            tracking_total_prefixes: 0,
            active_defrag_running: 0,
            slave_expires_tracked_keys: 0,
            migrate_cached_sockets: 0,
        }
    }
}
