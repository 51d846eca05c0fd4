//! Configuration (Redis config.c): one typed table of entries drives parsing of
//! redis.conf and the command line, CONFIG GET/SET/REWRITE, and defaults.
//! Each entry reads and writes one field of [`Config`]; hot code reads the
//! fields directly.
//!
//! Numeric fields are `i64` whatever the C type behind them. For the
//! unsigned 64-bit configs (`maxmemory`, `cluster-link-sendbuf-limit`) the
//! field holds the same bit pattern as Redis's `unsigned long long`, so a
//! negative value means "above i64::MAX"; read them with `as u64`.

pub mod commands;
pub mod file;
pub mod parse;
pub mod rewrite;
pub mod special;
pub mod table;
mod table_data;

pub use table::{Apply, ConfigEntry, Instance, Kind};

/// One class of client-output-buffer-limit (Redis `clientBufferLimitsConfig`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ObufLimit {
    pub hard_limit_bytes: u64,
    pub soft_limit_bytes: u64,
    pub soft_limit_seconds: i64,
}

/// Index of each client class in `client_output_buffer_limit` (Redis CLIENT_TYPE_*).
pub const OBUF_NORMAL: usize = 0;
pub const OBUF_REPLICA: usize = 1;
pub const OBUF_PUBSUB: usize = 2;

/// State of one load of the config text, kept across nested `include`s
/// (Redis's `reading_config_file` and `save_loaded` statics).
#[derive(Clone, Debug, Default)]
pub struct LoadState {
    /// True while a config text is being parsed; `save` then appends.
    pub reading_file: bool,
    /// Set once the first `save` line replaced the default save points.
    pub save_loaded: bool,
}

/// Every setting, as typed values.
#[derive(Clone, Debug, Default)]
pub struct Config {
    // Network.
    pub port: i64,
    pub bind: Vec<String>,
    pub bind_source_addr: String,
    pub unixsocket: String,
    pub unixsocketperm: i64,
    pub tcp_backlog: i64,
    pub tcp_keepalive: i64,
    pub timeout: i64,
    pub protected_mode: bool,
    pub maxclients: i64,
    pub socket_mark_id: i64,
    pub io_threads: i64,
    pub io_threads_do_reads: bool,
    // Process, logging.
    pub daemonize: bool,
    pub supervised: i64,
    pub pidfile: String,
    pub loglevel: i64,
    pub logfile: String,
    pub syslog_enabled: bool,
    pub syslog_ident: String,
    pub syslog_facility: i64,
    pub always_show_logo: bool,
    pub set_proc_title: bool,
    pub proc_title_template: String,
    pub databases: i64,
    pub hz: i64,
    pub dynamic_hz: bool,
    /// The working directory, absolute. CONFIG GET reads the live cwd, as Redis does.
    pub dir: String,
    pub crash_log_enabled: bool,
    pub crash_memcheck_enabled: bool,
    pub use_exit_on_panic: bool,
    pub disable_thp: bool,
    pub jemalloc_bg_thread: bool,
    pub ignore_warnings: String,
    pub oom_score_adj: i64,
    /// Values for master, replica and background child (Redis CONFIG_OOM_*).
    pub oom_score_adj_values: [i64; 3],
    pub server_cpulist: String,
    pub bio_cpulist: String,
    pub aof_rewrite_cpulist: String,
    pub bgsave_cpulist: String,
    pub shutdown_timeout: i64,
    pub shutdown_on_sigint: i64,
    pub shutdown_on_sigterm: i64,
    pub watchdog_period: i64,
    // Security.
    pub requirepass: String,
    pub aclfile: String,
    pub acllog_max_len: i64,
    pub acl_pubsub_default: i64,
    pub enable_debug_command: i64,
    pub enable_protected_configs: i64,
    pub enable_module_command: i64,
    pub sanitize_dump_payload: i64,
    // Clients and limits.
    pub proto_max_bulk_len: i64,
    pub client_query_buffer_limit: i64,
    /// Indexed by OBUF_NORMAL, OBUF_REPLICA, OBUF_PUBSUB.
    pub client_output_buffer_limit: [ObufLimit; 3],
    pub tracking_table_max_keys: i64,
    pub busy_reply_threshold: i64,
    // Memory and eviction.
    pub maxmemory: i64,
    pub maxmemory_policy: i64,
    pub maxmemory_samples: i64,
    pub maxmemory_eviction_tenacity: i64,
    /// Bytes, or a negative percentage of maxmemory (Redis's encoding).
    pub maxmemory_clients: i64,
    pub lfu_log_factor: i64,
    pub lfu_decay_time: i64,
    pub active_expire_effort: i64,
    pub activerehashing: bool,
    pub lazyfree_lazy_eviction: bool,
    pub lazyfree_lazy_expire: bool,
    pub lazyfree_lazy_server_del: bool,
    pub lazyfree_lazy_user_del: bool,
    pub lazyfree_lazy_user_flush: bool,
    pub activedefrag: bool,
    pub active_defrag_ignore_bytes: i64,
    pub active_defrag_threshold_lower: i64,
    pub active_defrag_threshold_upper: i64,
    pub active_defrag_cycle_min: i64,
    pub active_defrag_cycle_max: i64,
    pub active_defrag_max_scan_fields: i64,
    // Encodings.
    pub hash_max_listpack_entries: i64,
    pub hash_max_listpack_value: i64,
    pub list_max_listpack_size: i64,
    pub list_compress_depth: i64,
    pub set_max_intset_entries: i64,
    pub zset_max_listpack_entries: i64,
    pub zset_max_listpack_value: i64,
    pub hll_sparse_max_bytes: i64,
    pub stream_node_max_bytes: i64,
    pub stream_node_max_entries: i64,
    // Keyspace events and introspection.
    /// NOTIFY_* bits, see [`notify`].
    pub notify_keyspace_events: i64,
    pub slowlog_log_slower_than: i64,
    pub slowlog_max_len: i64,
    pub latency_monitor_threshold: i64,
    pub latency_tracking: bool,
    pub latency_tracking_info_percentiles: Vec<f64>,
    // RDB.
    /// (seconds, changes) save points.
    pub save: Vec<(i64, i64)>,
    pub dbfilename: String,
    pub rdbcompression: bool,
    pub rdbchecksum: bool,
    pub rdb_del_sync_files: bool,
    pub rdb_save_incremental_fsync: bool,
    pub stop_writes_on_bgsave_error: bool,
    pub rdb_key_save_delay: i64,
    pub key_load_delay: i64,
    pub loading_process_events_interval_bytes: i64,
    // AOF.
    pub appendonly: bool,
    pub appendfilename: String,
    pub appenddirname: String,
    pub appendfsync: i64,
    pub no_appendfsync_on_rewrite: bool,
    pub auto_aof_rewrite_percentage: i64,
    pub auto_aof_rewrite_min_size: i64,
    pub aof_load_truncated: bool,
    pub aof_use_rdb_preamble: bool,
    pub aof_rewrite_incremental_fsync: bool,
    pub aof_timestamp_enabled: bool,
    pub aof_disable_auto_gc: bool,
    // Replication.
    /// Master host and port when this server is configured as a replica.
    pub replicaof: Option<(String, i64)>,
    pub masterauth: String,
    pub masteruser: String,
    pub replica_serve_stale_data: bool,
    pub replica_read_only: bool,
    pub replica_lazy_flush: bool,
    pub replica_ignore_maxmemory: bool,
    pub replica_announced: bool,
    pub replica_ignore_disk_write_errors: bool,
    pub replica_priority: i64,
    pub replica_announce_ip: String,
    pub replica_announce_port: i64,
    pub repl_diskless_sync: bool,
    pub repl_diskless_sync_delay: i64,
    pub repl_diskless_sync_max_replicas: i64,
    pub repl_diskless_load: i64,
    pub repl_disable_tcp_nodelay: bool,
    pub repl_ping_replica_period: i64,
    pub repl_timeout: i64,
    pub repl_backlog_size: i64,
    pub repl_backlog_ttl: i64,
    pub min_replicas_to_write: i64,
    pub min_replicas_max_lag: i64,
    pub propagation_error_behavior: i64,
    // Cluster.
    pub cluster_enabled: bool,
    pub cluster_config_file: String,
    pub cluster_node_timeout: i64,
    pub cluster_port: i64,
    pub cluster_announce_ip: String,
    pub cluster_announce_hostname: String,
    pub cluster_announce_port: i64,
    pub cluster_announce_bus_port: i64,
    pub cluster_announce_tls_port: i64,
    pub cluster_replica_validity_factor: i64,
    pub cluster_migration_barrier: i64,
    pub cluster_require_full_coverage: bool,
    pub cluster_replica_no_failover: bool,
    pub cluster_allow_reads_when_down: bool,
    pub cluster_allow_pubsubshard_when_down: bool,
    pub cluster_allow_replica_migration: bool,
    pub cluster_link_sendbuf_limit: i64,
    pub cluster_preferred_endpoint_type: i64,
    // TLS (stored only: ferrodis has no TLS).
    pub tls_port: i64,
    pub tls_cert_file: String,
    pub tls_key_file: String,
    pub tls_key_file_pass: String,
    pub tls_client_cert_file: String,
    pub tls_client_key_file: String,
    pub tls_client_key_file_pass: String,
    pub tls_dh_params_file: String,
    pub tls_ca_cert_file: String,
    pub tls_ca_cert_dir: String,
    pub tls_protocols: String,
    pub tls_ciphers: String,
    pub tls_ciphersuites: String,
    pub tls_prefer_server_ciphers: bool,
    pub tls_session_caching: bool,
    pub tls_session_cache_size: i64,
    pub tls_session_cache_timeout: i64,
    pub tls_cluster: bool,
    pub tls_replication: bool,
    pub tls_auth_clients: i64,
    // Directives outside the table (config-file only).
    /// `rename-command old new` pairs, in file order (new may be empty: delete).
    pub rename_commands: Vec<(Vec<u8>, Vec<u8>)>,
    /// Arguments of each `user` directive (without the word "user").
    pub users: Vec<Vec<Vec<u8>>>,
    /// Arguments of each `loadmodule` directive (path first).
    pub loadmodules: Vec<Vec<Vec<u8>>>,
    /// `module.name value` lines, queued for modules.
    pub module_configs: Vec<(Vec<u8>, Vec<u8>)>,
    /// The config file path, absolute, when one was given.
    pub config_file: Option<String>,
    /// Parser state shared by nested includes.
    pub load_state: LoadState,
}

/// Values of the `loglevel` enum, in Level order.
pub const LOGLEVELS: &[(&str, i64)] =
    &[("debug", 0), ("verbose", 1), ("notice", 2), ("warning", 3)];

/// Values of the enable-*-command protections (Redis PROTECTED_ACTION_ALLOWED_*).
pub const PROTECTION: &[(&str, i64)] = &[("no", 0), ("yes", 1), ("local", 2)];

/// Redis PROTECTED_ACTION_ALLOWED_* values.
pub const PROTECTED_NO: i64 = 0;
pub const PROTECTED_YES: i64 = 1;
pub const PROTECTED_LOCAL: i64 = 2;

/// `maxmemory-policy` flag bits (Redis MAXMEMORY_FLAG_*).
pub const MAXMEMORY_FLAG_LRU: i64 = 1 << 0;
pub const MAXMEMORY_FLAG_LFU: i64 = 1 << 1;
pub const MAXMEMORY_FLAG_ALLKEYS: i64 = 1 << 2;
pub const MAXMEMORY_NO_EVICTION: i64 = 7 << 8;

/// `maxmemory-policy` values (Redis MAXMEMORY_*), in the order Redis lists them.
pub const MAXMEMORY_POLICIES: &[(&str, i64)] = &[
    ("volatile-lru", MAXMEMORY_FLAG_LRU),
    ("volatile-lfu", 1 << 8 | MAXMEMORY_FLAG_LFU),
    ("volatile-random", 3 << 8),
    ("volatile-ttl", 2 << 8),
    (
        "allkeys-lru",
        4 << 8 | MAXMEMORY_FLAG_LRU | MAXMEMORY_FLAG_ALLKEYS,
    ),
    (
        "allkeys-lfu",
        5 << 8 | MAXMEMORY_FLAG_LFU | MAXMEMORY_FLAG_ALLKEYS,
    ),
    ("allkeys-random", 6 << 8 | MAXMEMORY_FLAG_ALLKEYS),
    ("noeviction", MAXMEMORY_NO_EVICTION),
];

/// `appendfsync` values (Redis AOF_FSYNC_*).
pub const APPENDFSYNC: &[(&str, i64)] = &[("everysec", 2), ("always", 1), ("no", 0)];

/// `oom-score-adj` values (Redis OOM_SCORE_*): "yes" is "relative".
pub const OOM_SCORE_ADJ: &[(&str, i64)] =
    &[("no", 0), ("yes", 1), ("relative", 1), ("absolute", 2)];

/// `shutdown-on-sig*` flags (Redis SHUTDOWN_*), combinable.
pub const SHUTDOWN_FLAGS: &[(&str, i64)] = &[
    ("default", 0),
    ("save", 1),
    ("nosave", 2),
    ("now", 4),
    ("force", 8),
];

/// Keyspace event classes (Redis NOTIFY_*).
pub mod notify {
    pub const KEYSPACE: i64 = 1 << 0;
    pub const KEYEVENT: i64 = 1 << 1;
    pub const GENERIC: i64 = 1 << 2;
    pub const STRING: i64 = 1 << 3;
    pub const LIST: i64 = 1 << 4;
    pub const SET: i64 = 1 << 5;
    pub const HASH: i64 = 1 << 6;
    pub const ZSET: i64 = 1 << 7;
    pub const EXPIRED: i64 = 1 << 8;
    pub const EVICTED: i64 = 1 << 9;
    pub const STREAM: i64 = 1 << 10;
    pub const KEY_MISS: i64 = 1 << 11;
    pub const LOADED: i64 = 1 << 12;
    pub const MODULE: i64 = 1 << 13;
    pub const NEW: i64 = 1 << 14;
    /// The 'A' alias: every class but key-miss and new.
    pub const ALL: i64 =
        GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE;
}

impl Config {
    /// A config holding every table default.
    pub fn with_defaults() -> Config {
        let mut c = Config::default();
        for e in table::entries() {
            e.init(&mut c);
        }
        c
    }
}
