//! Configuration (Redis config.c): one typed table of entries drives parsing of
//! redis.conf and the command line, CONFIG GET/SET/RESETSTAT/REWRITE, and
//! defaults. Each entry reads and writes one field of [`Config`].

pub mod commands;
pub mod file;
pub mod table;

pub use table::{Apply, ConfigEntry, Kind};

/// Every setting, as typed values. Hot code reads these fields directly.
#[derive(Clone, Debug, Default)]
pub struct Config {
    // Network.
    pub port: i64,
    pub bind: Vec<String>,
    pub unixsocket: String,
    pub unixsocketperm: i64,
    pub tcp_backlog: i64,
    pub tcp_keepalive: i64,
    pub timeout: i64,
    pub protected_mode: bool,
    pub maxclients: i64,
    // Process.
    pub daemonize: bool,
    pub pidfile: String,
    pub loglevel: i64,
    pub logfile: String,
    pub always_show_logo: bool,
    pub databases: i64,
    pub hz: i64,
    pub dynamic_hz: bool,
    pub dir: String,
    // Security.
    pub requirepass: String,
    pub enable_debug_command: i64,
    pub enable_protected_configs: i64,
    pub enable_module_command: i64,
    // Limits.
    pub proto_max_bulk_len: i64,
    pub client_query_buffer_limit: i64,
    pub maxmemory: i64,
    // Persistence (used by later issues).
    pub save: Vec<(i64, i64)>,
    pub dbfilename: String,
    // Introspection.
    pub slowlog_log_slower_than: i64,
    pub slowlog_max_len: i64,
    pub latency_monitor_threshold: i64,
    // Keyspace, expiry, eviction policy (keyspace helper).
    pub maxmemory_policy: i64,
    pub lfu_log_factor: i64,
    pub lfu_decay_time: i64,
    // Lists (lists helper).
    pub list_max_listpack_size: i64,
    pub list_compress_depth: i64,
    pub active_expire_effort: i64,
    pub activerehashing: bool,
    pub lazyfree_lazy_eviction: bool,
    pub lazyfree_lazy_expire: bool,
    pub lazyfree_lazy_server_del: bool,
    pub lazyfree_lazy_user_del: bool,
    pub lazyfree_lazy_user_flush: bool,
    /// NOTIFY_* flags (see keyspace::notify).
    pub notify_keyspace_events: i64,
    /// Directives with no typed field yet: name -> raw value, shown by CONFIG GET.
    pub raw: Vec<(String, String)>,
    /// The config file path, absolute, when one was given.
    pub config_file: Option<String>,
}

/// Values of the `loglevel` enum, in Level order.
pub const LOGLEVELS: &[(&str, i64)] =
    &[("debug", 0), ("verbose", 1), ("notice", 2), ("warning", 3)];

/// Values of the enable-*-command protections.
pub const PROTECTION: &[(&str, i64)] = &[("no", 0), ("yes", 1), ("local", 2)];

impl Config {
    /// A config holding every table default.
    pub fn with_defaults() -> Config {
        let mut c = Config::default();
        for e in table::entries() {
            e.set_default(&mut c);
        }
        c
    }
}
