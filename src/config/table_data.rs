//! The rows of the config table (Redis config.c `static_configs[]`), one
//! per directive of Redis 7.0.15, with Redis's names, aliases, flags,
//! bounds, defaults and apply hooks. Rows are brace-delimited macro calls so
//! that each stays on one line.

use super::special::{
    check_active_defrag, check_aof_dirname, check_aof_filename, check_dbfilename, check_hostname,
    check_proc_title, check_shutdown_flags, BIND, CLIENT_OUTPUT_BUFFER_LIMIT, DIR,
    LATENCY_PERCENTILES, NOTIFY_KEYSPACE_EVENTS, OOM_SCORE_ADJ_VALUES, REPLICAOF, SAVE,
};
use super::table::flag::*;
use super::table::numflag::{MEMORY, OCTAL, PERCENT};
use super::table::{Apply, ConfigEntry, Kind, NumType::*};
use super::{
    APPENDFSYNC, LOGLEVELS, MAXMEMORY_NO_EVICTION, MAXMEMORY_POLICIES, OOM_SCORE_ADJ, PROTECTION,
    SHUTDOWN_FLAGS,
};

const M: u32 = 0; // Redis MODIFIABLE_CONFIG
const INT_MIN: i64 = i32::MIN as i64;
const INT_MAX: i64 = i32::MAX as i64;
const UINT_MAX: i64 = u32::MAX as i64;
const LONG_MAX: i64 = i64::MAX;
const ULLONG_MAX: i64 = -1; // u64::MAX as C's long long
const MB: i64 = 1024 * 1024;

const SUPERVISED: &[(&str, i64)] = &[("upstart", 1), ("systemd", 2), ("auto", 3), ("no", 0)];
const SYSLOG_FACILITY: &[(&str, i64)] = &[
    ("user", 8),
    ("local0", 128),
    ("local1", 136),
    ("local2", 144),
    ("local3", 152),
    ("local4", 160),
    ("local5", 168),
    ("local6", 176),
    ("local7", 184),
];
const REPL_DISKLESS_LOAD: &[(&str, i64)] = &[("disabled", 0), ("on-empty-db", 1), ("swapdb", 2)];
const ACL_PUBSUB_DEFAULT: &[(&str, i64)] = &[("allchannels", 1 << 3), ("resetchannels", 0)];
const SANITIZE_DUMP: &[(&str, i64)] = &[("no", 0), ("yes", 1), ("clients", 2)];
const ENDPOINT_TYPE: &[(&str, i64)] = &[("ip", 0), ("hostname", 1), ("unknown-endpoint", 2)];
const PROPAGATION_ERROR: &[(&str, i64)] = &[("ignore", 0), ("panic", 1), ("panic-on-replicas", 2)];
const TLS_AUTH_CLIENTS: &[(&str, i64)] = &[("no", 0), ("yes", 1), ("optional", 2)];

macro_rules! opt_apply {
    () => {
        Apply::None
    };
    ($a:ident) => {
        Apply::$a
    };
}

macro_rules! opt_check {
    () => {
        None
    };
    ($c:expr) => {
        Some($c)
    };
}

macro_rules! boolean {
    ($name:literal, $alias:expr, $flags:expr, $field:ident, $def:expr $(, apply = $a:ident)? $(, check = $c:expr)?) => {
        ConfigEntry {
            name: $name,
            alias: $alias,
            flags: $flags,
            kind: Kind::Bool {
                default: $def,
                get: |c| c.$field,
                set: |c, v| c.$field = v,
                check: opt_check!($($c)?),
            },
            apply: opt_apply!($($a)?),
        }
    };
}

macro_rules! string {
    ($name:literal, $alias:expr, $flags:expr, $null:expr, $field:ident, $def:expr $(, apply = $a:ident)? $(, check = $c:expr)?) => {
        ConfigEntry {
            name: $name,
            alias: $alias,
            flags: $flags,
            kind: Kind::Str {
                default: $def,
                empty_is_null: $null,
                get: |c| c.$field.as_str(),
                set: |c, v| c.$field = v,
                check: opt_check!($($c)?),
            },
            apply: opt_apply!($($a)?),
        }
    };
}

macro_rules! enumeration {
    ($name:literal, $alias:expr, $flags:expr, $values:expr, $field:ident, $def:expr $(, apply = $a:ident)? $(, check = $c:expr)?) => {
        ConfigEntry {
            name: $name,
            alias: $alias,
            flags: $flags,
            kind: Kind::Enum {
                values: $values,
                default: $def,
                get: |c| c.$field,
                set: |c, v| c.$field = v,
                check: opt_check!($($c)?),
            },
            apply: opt_apply!($($a)?),
        }
    };
}

macro_rules! numeric {
    ($name:literal, $alias:expr, $flags:expr, $ty:ident, $min:expr, $max:expr, $field:ident, $def:expr, $nf:expr $(, apply = $a:ident)?) => {
        ConfigEntry {
            name: $name,
            alias: $alias,
            flags: $flags,
            kind: Kind::Num {
                ty: $ty,
                nflags: $nf,
                min: $min,
                max: $max,
                default: $def,
                get: |c| c.$field,
                set: |c, v| c.$field = v,
                check: None,
            },
            apply: opt_apply!($($a)?),
        }
    };
}

macro_rules! special {
    ($name:literal, $alias:expr, $flags:expr, $ops:expr $(, apply = $a:ident)?) => {
        ConfigEntry {
            name: $name,
            alias: $alias,
            flags: $flags,
            kind: Kind::Special(&$ops),
            apply: opt_apply!($($a)?),
        }
    };
}

const N: Option<&str> = None;
const fn a(s: &'static str) -> Option<&'static str> {
    Some(s)
}
const NUL: bool = true; // EMPTY_STRING_IS_NULL
const EMP: bool = false; // ALLOW_EMPTY_STRING

pub static ENTRIES: &[ConfigEntry] = &[
    // Bool configs.
    boolean! {"rdbchecksum", N, IMMUTABLE, rdbchecksum, true},
    boolean! {"daemonize", N, IMMUTABLE, daemonize, false},
    boolean! {"io-threads-do-reads", N, DEBUG | IMMUTABLE, io_threads_do_reads, false},
    boolean! {"always-show-logo", N, IMMUTABLE, always_show_logo, false},
    boolean! {"protected-mode", N, M, protected_mode, true},
    boolean! {"rdbcompression", N, M, rdbcompression, true},
    boolean! {"rdb-del-sync-files", N, M, rdb_del_sync_files, false},
    boolean! {"activerehashing", N, M, activerehashing, true},
    boolean! {"stop-writes-on-bgsave-error", N, M, stop_writes_on_bgsave_error, true},
    boolean! {"set-proc-title", N, IMMUTABLE, set_proc_title, true},
    boolean! {"dynamic-hz", N, M, dynamic_hz, true},
    boolean! {"lazyfree-lazy-eviction", N, DEBUG, lazyfree_lazy_eviction, false},
    boolean! {"lazyfree-lazy-expire", N, DEBUG, lazyfree_lazy_expire, false},
    boolean! {"lazyfree-lazy-server-del", N, DEBUG, lazyfree_lazy_server_del, false},
    boolean! {"lazyfree-lazy-user-del", N, DEBUG, lazyfree_lazy_user_del, false},
    boolean! {"lazyfree-lazy-user-flush", N, DEBUG, lazyfree_lazy_user_flush, false},
    boolean! {"repl-disable-tcp-nodelay", N, M, repl_disable_tcp_nodelay, false},
    boolean! {"repl-diskless-sync", N, DEBUG, repl_diskless_sync, true},
    boolean! {"aof-rewrite-incremental-fsync", N, M, aof_rewrite_incremental_fsync, true},
    boolean! {"no-appendfsync-on-rewrite", N, M, no_appendfsync_on_rewrite, false},
    boolean! {"cluster-require-full-coverage", N, M, cluster_require_full_coverage, true},
    boolean! {"rdb-save-incremental-fsync", N, M, rdb_save_incremental_fsync, true},
    boolean! {"aof-load-truncated", N, M, aof_load_truncated, true},
    boolean! {"aof-use-rdb-preamble", N, M, aof_use_rdb_preamble, true},
    boolean! {"aof-timestamp-enabled", N, M, aof_timestamp_enabled, false},
    boolean! {"cluster-replica-no-failover", a("cluster-slave-no-failover"), M, cluster_replica_no_failover, false},
    boolean! {"replica-lazy-flush", a("slave-lazy-flush"), M, replica_lazy_flush, false},
    boolean! {"replica-serve-stale-data", a("slave-serve-stale-data"), M, replica_serve_stale_data, true},
    boolean! {"replica-read-only", a("slave-read-only"), DEBUG, replica_read_only, true},
    boolean! {"replica-ignore-maxmemory", a("slave-ignore-maxmemory"), M, replica_ignore_maxmemory, true},
    boolean! {"jemalloc-bg-thread", N, M, jemalloc_bg_thread, true},
    boolean! {"activedefrag", N, DEBUG, activedefrag, false, check = check_active_defrag},
    boolean! {"syslog-enabled", N, IMMUTABLE, syslog_enabled, false},
    boolean! {"cluster-enabled", N, IMMUTABLE, cluster_enabled, false},
    boolean! {"appendonly", N, DENY_LOADING, appendonly, false, apply = AppendOnly},
    boolean! {"cluster-allow-reads-when-down", N, M, cluster_allow_reads_when_down, false},
    boolean! {"cluster-allow-pubsubshard-when-down", N, M, cluster_allow_pubsubshard_when_down, true},
    boolean! {"crash-log-enabled", N, M, crash_log_enabled, true, apply = CrashLog},
    boolean! {"crash-memcheck-enabled", N, M, crash_memcheck_enabled, true},
    boolean! {"use-exit-on-panic", N, HIDDEN, use_exit_on_panic, false},
    boolean! {"disable-thp", N, IMMUTABLE, disable_thp, true},
    boolean! {"cluster-allow-replica-migration", N, M, cluster_allow_replica_migration, true},
    boolean! {"replica-announced", N, M, replica_announced, true},
    boolean! {"latency-tracking", N, M, latency_tracking, true, apply = Latency},
    boolean! {"aof-disable-auto-gc", N, M, aof_disable_auto_gc, false, apply = AofAutoGc},
    boolean! {"replica-ignore-disk-write-errors", N, M, replica_ignore_disk_write_errors, false},
    // String configs.
    string! {"aclfile", N, IMMUTABLE, EMP, aclfile, Some("")},
    string! {"unixsocket", N, IMMUTABLE, NUL, unixsocket, None},
    string! {"pidfile", N, IMMUTABLE, NUL, pidfile, None},
    string! {"replica-announce-ip", a("slave-announce-ip"), M, NUL, replica_announce_ip, None},
    string! {"masteruser", N, SENSITIVE, NUL, masteruser, None},
    string! {"cluster-announce-ip", N, M, NUL, cluster_announce_ip, None},
    string! {"cluster-config-file", N, IMMUTABLE, EMP, cluster_config_file, Some("nodes.conf")},
    string! {"cluster-announce-hostname", N, M, NUL, cluster_announce_hostname, None, check = check_hostname},
    string! {"syslog-ident", N, IMMUTABLE, EMP, syslog_ident, Some("redis")},
    string! {"dbfilename", N, PROTECTED, EMP, dbfilename, Some("dump.rdb"), check = check_dbfilename},
    string! {"appendfilename", N, IMMUTABLE, EMP, appendfilename, Some("appendonly.aof"), check = check_aof_filename},
    string! {"appenddirname", N, IMMUTABLE, EMP, appenddirname, Some("appendonlydir"), check = check_aof_dirname},
    string! {"server_cpulist", N, IMMUTABLE, NUL, server_cpulist, None},
    string! {"bio_cpulist", N, IMMUTABLE, NUL, bio_cpulist, None},
    string! {"aof_rewrite_cpulist", N, IMMUTABLE, NUL, aof_rewrite_cpulist, None},
    string! {"bgsave_cpulist", N, IMMUTABLE, NUL, bgsave_cpulist, None},
    string! {"ignore-warnings", N, M, EMP, ignore_warnings, Some("")},
    string! {"proc-title-template", N, M, EMP, proc_title_template, Some("{title} {listen-addr} {server-mode}"), apply = ProcTitle, check = check_proc_title},
    string! {"bind-source-addr", N, M, NUL, bind_source_addr, None},
    string! {"logfile", N, IMMUTABLE, EMP, logfile, Some("")},
    string! {"masterauth", N, SENSITIVE, NUL, masterauth, None},
    string! {"requirepass", N, SENSITIVE, NUL, requirepass, None},
    // Enum configs.
    enumeration! {"supervised", N, IMMUTABLE, SUPERVISED, supervised, 0},
    enumeration! {"syslog-facility", N, IMMUTABLE, SYSLOG_FACILITY, syslog_facility, 128},
    enumeration! {"repl-diskless-load", N, DEBUG | DENY_LOADING, REPL_DISKLESS_LOAD, repl_diskless_load, 0},
    enumeration! {"loglevel", N, M, LOGLEVELS, loglevel, 2, apply = LogLevel},
    enumeration! {"maxmemory-policy", N, M, MAXMEMORY_POLICIES, maxmemory_policy, MAXMEMORY_NO_EVICTION},
    enumeration! {"appendfsync", N, M, APPENDFSYNC, appendfsync, 2},
    enumeration! {"oom-score-adj", N, M, OOM_SCORE_ADJ, oom_score_adj, 0, apply = OomScoreAdj},
    enumeration! {"acl-pubsub-default", N, M, ACL_PUBSUB_DEFAULT, acl_pubsub_default, 0},
    enumeration! {"sanitize-dump-payload", N, DEBUG, SANITIZE_DUMP, sanitize_dump_payload, 0},
    enumeration! {"enable-protected-configs", N, IMMUTABLE, PROTECTION, enable_protected_configs, 0},
    enumeration! {"enable-debug-command", N, IMMUTABLE, PROTECTION, enable_debug_command, 0},
    enumeration! {"enable-module-command", N, IMMUTABLE, PROTECTION, enable_module_command, 0},
    enumeration! {"cluster-preferred-endpoint-type", N, M, ENDPOINT_TYPE, cluster_preferred_endpoint_type, 0},
    enumeration! {"propagation-error-behavior", N, M, PROPAGATION_ERROR, propagation_error_behavior, 0},
    enumeration! {"shutdown-on-sigint", N, MULTI_ARG, SHUTDOWN_FLAGS, shutdown_on_sigint, 0, check = check_shutdown_flags},
    enumeration! {"shutdown-on-sigterm", N, MULTI_ARG, SHUTDOWN_FLAGS, shutdown_on_sigterm, 0, check = check_shutdown_flags},
    // Integer configs.
    numeric! {"databases", N, IMMUTABLE, Int, 1, INT_MAX, databases, 16, 0},
    numeric! {"port", N, M, Int, 0, 65535, port, 6379, 0, apply = Port},
    numeric! {"io-threads", N, DEBUG | IMMUTABLE, Int, 1, 128, io_threads, 1, 0},
    numeric! {"auto-aof-rewrite-percentage", N, M, Int, 0, INT_MAX, auto_aof_rewrite_percentage, 100, 0},
    numeric! {"cluster-replica-validity-factor", a("cluster-slave-validity-factor"), M, Int, 0, INT_MAX, cluster_replica_validity_factor, 10, 0},
    numeric! {"list-max-listpack-size", a("list-max-ziplist-size"), M, Int, INT_MIN, INT_MAX, list_max_listpack_size, -2, 0},
    numeric! {"tcp-keepalive", N, M, Int, 0, INT_MAX, tcp_keepalive, 300, 0},
    numeric! {"cluster-migration-barrier", N, M, Int, 0, INT_MAX, cluster_migration_barrier, 1, 0},
    numeric! {"active-defrag-cycle-min", N, M, Int, 1, 99, active_defrag_cycle_min, 1, 0},
    numeric! {"active-defrag-cycle-max", N, M, Int, 1, 99, active_defrag_cycle_max, 25, 0},
    numeric! {"active-defrag-threshold-lower", N, M, Int, 0, 1000, active_defrag_threshold_lower, 10, 0},
    numeric! {"active-defrag-threshold-upper", N, M, Int, 0, 1000, active_defrag_threshold_upper, 100, 0},
    numeric! {"lfu-log-factor", N, M, Int, 0, INT_MAX, lfu_log_factor, 10, 0},
    numeric! {"lfu-decay-time", N, M, Int, 0, INT_MAX, lfu_decay_time, 1, 0},
    numeric! {"replica-priority", a("slave-priority"), M, Int, 0, INT_MAX, replica_priority, 100, 0},
    numeric! {"repl-diskless-sync-delay", N, M, Int, 0, INT_MAX, repl_diskless_sync_delay, 5, 0},
    numeric! {"maxmemory-samples", N, M, Int, 1, INT_MAX, maxmemory_samples, 5, 0},
    numeric! {"maxmemory-eviction-tenacity", N, M, Int, 0, 100, maxmemory_eviction_tenacity, 10, 0},
    numeric! {"timeout", N, M, Int, 0, INT_MAX, timeout, 0, 0},
    numeric! {"replica-announce-port", a("slave-announce-port"), M, Int, 0, 65535, replica_announce_port, 0, 0},
    numeric! {"tcp-backlog", N, IMMUTABLE, Int, 0, INT_MAX, tcp_backlog, 511, 0},
    numeric! {"cluster-port", N, IMMUTABLE, Int, 0, 65535, cluster_port, 0, 0},
    numeric! {"cluster-announce-bus-port", N, M, Int, 0, 65535, cluster_announce_bus_port, 0, 0},
    numeric! {"cluster-announce-port", N, M, Int, 0, 65535, cluster_announce_port, 0, 0},
    numeric! {"cluster-announce-tls-port", N, M, Int, 0, 65535, cluster_announce_tls_port, 0, 0},
    numeric! {"repl-timeout", N, M, Int, 1, INT_MAX, repl_timeout, 60, 0},
    numeric! {"repl-ping-replica-period", a("repl-ping-slave-period"), M, Int, 1, INT_MAX, repl_ping_replica_period, 10, 0},
    numeric! {"list-compress-depth", N, DEBUG, Int, 0, INT_MAX, list_compress_depth, 0, 0},
    numeric! {"rdb-key-save-delay", N, HIDDEN, Int, INT_MIN, INT_MAX, rdb_key_save_delay, 0, 0},
    numeric! {"key-load-delay", N, HIDDEN, Int, INT_MIN, INT_MAX, key_load_delay, 0, 0},
    numeric! {"active-expire-effort", N, M, Int, 1, 10, active_expire_effort, 1, 0},
    numeric! {"hz", N, M, Int, 0, INT_MAX, hz, 10, 0, apply = Hz},
    numeric! {"min-replicas-to-write", a("min-slaves-to-write"), M, Int, 0, INT_MAX, min_replicas_to_write, 0, 0},
    numeric! {"min-replicas-max-lag", a("min-slaves-max-lag"), M, Int, 0, INT_MAX, min_replicas_max_lag, 10, 0},
    numeric! {"watchdog-period", N, HIDDEN, Int, 0, INT_MAX, watchdog_period, 0, 0, apply = Watchdog},
    numeric! {"shutdown-timeout", N, M, Int, 0, INT_MAX, shutdown_timeout, 10, 0},
    numeric! {"repl-diskless-sync-max-replicas", N, M, Int, 0, INT_MAX, repl_diskless_sync_max_replicas, 0, 0},
    // Unsigned int configs.
    numeric! {"maxclients", N, M, UInt, 1, UINT_MAX, maxclients, 10000, 0, apply = MaxClients},
    numeric! {"unixsocketperm", N, IMMUTABLE, UInt, 0, 0o777, unixsocketperm, 0, OCTAL},
    numeric! {"socket-mark-id", N, IMMUTABLE, UInt, 0, UINT_MAX, socket_mark_id, 0, 0},
    // Unsigned long configs.
    numeric! {"active-defrag-max-scan-fields", N, M, ULong, 1, LONG_MAX, active_defrag_max_scan_fields, 1000, 0},
    numeric! {"slowlog-max-len", N, M, ULong, 0, LONG_MAX, slowlog_max_len, 128, 0},
    numeric! {"acllog-max-len", N, M, ULong, 0, LONG_MAX, acllog_max_len, 128, 0},
    // Long long configs.
    numeric! {"busy-reply-threshold", a("lua-time-limit"), M, LongLong, 0, LONG_MAX, busy_reply_threshold, 5000, 0},
    numeric! {"cluster-node-timeout", N, M, LongLong, 0, LONG_MAX, cluster_node_timeout, 15000, 0},
    numeric! {"slowlog-log-slower-than", N, M, LongLong, -1, LONG_MAX, slowlog_log_slower_than, 10000, 0},
    numeric! {"latency-monitor-threshold", N, M, LongLong, 0, LONG_MAX, latency_monitor_threshold, 0, 0},
    numeric! {"proto-max-bulk-len", N, DEBUG, LongLong, MB, LONG_MAX, proto_max_bulk_len, 512 * MB, MEMORY},
    numeric! {"stream-node-max-entries", N, M, LongLong, 0, LONG_MAX, stream_node_max_entries, 100, 0},
    numeric! {"repl-backlog-size", N, M, LongLong, 1, LONG_MAX, repl_backlog_size, MB, MEMORY},
    // Unsigned long long configs.
    numeric! {"maxmemory", N, M, ULongLong, 0, ULLONG_MAX, maxmemory, 0, MEMORY, apply = MaxMemory},
    numeric! {"cluster-link-sendbuf-limit", N, M, ULongLong, 0, ULLONG_MAX, cluster_link_sendbuf_limit, 0, MEMORY},
    // Size_t configs.
    numeric! {"hash-max-listpack-entries", a("hash-max-ziplist-entries"), M, SizeT, 0, LONG_MAX, hash_max_listpack_entries, 512, 0},
    numeric! {"set-max-intset-entries", N, M, SizeT, 0, LONG_MAX, set_max_intset_entries, 512, 0},
    numeric! {"zset-max-listpack-entries", a("zset-max-ziplist-entries"), M, SizeT, 0, LONG_MAX, zset_max_listpack_entries, 128, 0},
    numeric! {"active-defrag-ignore-bytes", N, M, SizeT, 1, LONG_MAX, active_defrag_ignore_bytes, 100 * MB, MEMORY},
    numeric! {"hash-max-listpack-value", a("hash-max-ziplist-value"), M, SizeT, 0, LONG_MAX, hash_max_listpack_value, 64, MEMORY},
    numeric! {"stream-node-max-bytes", N, M, SizeT, 0, LONG_MAX, stream_node_max_bytes, 4096, MEMORY},
    numeric! {"zset-max-listpack-value", a("zset-max-ziplist-value"), M, SizeT, 0, LONG_MAX, zset_max_listpack_value, 64, MEMORY},
    numeric! {"hll-sparse-max-bytes", N, M, SizeT, 0, LONG_MAX, hll_sparse_max_bytes, 3000, MEMORY},
    numeric! {"tracking-table-max-keys", N, M, SizeT, 0, LONG_MAX, tracking_table_max_keys, 1000000, 0},
    numeric! {"client-query-buffer-limit", N, DEBUG, SizeT, MB, LONG_MAX, client_query_buffer_limit, 1024 * MB, MEMORY},
    numeric! {"maxmemory-clients", N, M, SSizeT, -100, LONG_MAX, maxmemory_clients, 0, MEMORY | PERCENT, apply = MaxmemoryClients},
    // Other numeric configs.
    numeric! {"repl-backlog-ttl", N, M, TimeT, 0, LONG_MAX, repl_backlog_ttl, 3600, 0},
    numeric! {"auto-aof-rewrite-min-size", N, M, OffT, 0, LONG_MAX, auto_aof_rewrite_min_size, 64 * MB, MEMORY},
    numeric! {"loading-process-events-interval-bytes", N, HIDDEN, OffT, 1024, INT_MAX, loading_process_events_interval_bytes, 2 * MB, 0},
    // TLS configs (stored and shown; ferrodis has no TLS).
    numeric! {"tls-port", N, M, Int, 0, 65535, tls_port, 0, 0},
    numeric! {"tls-session-cache-size", N, M, Int, 0, INT_MAX, tls_session_cache_size, 20 * 1024, 0},
    numeric! {"tls-session-cache-timeout", N, M, Int, 0, INT_MAX, tls_session_cache_timeout, 300, 0},
    boolean! {"tls-cluster", N, M, tls_cluster, false},
    boolean! {"tls-replication", N, M, tls_replication, false},
    enumeration! {"tls-auth-clients", N, M, TLS_AUTH_CLIENTS, tls_auth_clients, 1},
    boolean! {"tls-prefer-server-ciphers", N, M, tls_prefer_server_ciphers, false},
    boolean! {"tls-session-caching", N, M, tls_session_caching, true},
    string! {"tls-cert-file", N, M, NUL, tls_cert_file, None},
    string! {"tls-key-file", N, M, NUL, tls_key_file, None},
    string! {"tls-key-file-pass", N, M, NUL, tls_key_file_pass, None},
    string! {"tls-client-cert-file", N, M, NUL, tls_client_cert_file, None},
    string! {"tls-client-key-file", N, M, NUL, tls_client_key_file, None},
    string! {"tls-client-key-file-pass", N, M, NUL, tls_client_key_file_pass, None},
    string! {"tls-dh-params-file", N, M, NUL, tls_dh_params_file, None},
    string! {"tls-ca-cert-file", N, M, NUL, tls_ca_cert_file, None},
    string! {"tls-ca-cert-dir", N, M, NUL, tls_ca_cert_dir, None},
    string! {"tls-protocols", N, M, NUL, tls_protocols, None},
    string! {"tls-ciphers", N, M, NUL, tls_ciphers, None},
    string! {"tls-ciphersuites", N, M, NUL, tls_ciphersuites, None},
    // Special configs.
    special! {"dir", N, PROTECTED | DENY_LOADING, DIR},
    special! {"save", N, MULTI_ARG, SAVE},
    special! {"client-output-buffer-limit", N, MULTI_ARG, CLIENT_OUTPUT_BUFFER_LIMIT},
    special! {"oom-score-adj-values", N, MULTI_ARG, OOM_SCORE_ADJ_VALUES, apply = OomScoreAdj},
    special! {"notify-keyspace-events", N, M, NOTIFY_KEYSPACE_EVENTS},
    special! {"bind", N, MULTI_ARG, BIND, apply = Bind},
    special! {"replicaof", a("slaveof"), IMMUTABLE | MULTI_ARG, REPLICAOF},
    special! {"latency-tracking-info-percentiles", N, MULTI_ARG, LATENCY_PERCENTILES, apply = Latency},
];
