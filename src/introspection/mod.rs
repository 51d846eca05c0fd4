//! Introspection (Redis server.c INFO, slowlog.c, latency.c, debug.c, the
//! COMMAND command, object.c MEMORY): commands that describe the server,
//! and the bookkeeping behind them that runs after every command and in cron.

pub mod command;
pub mod crash;
pub mod debug;
mod debug_help;
pub mod help;
pub mod histogram;
pub mod info;
pub mod latency;
mod latency_doctor;
pub mod mem_overhead;
pub mod memory;
pub mod slowlog;
mod sparkline;
pub mod stats_reset;
pub mod sys;

use crate::cmd::meta::{flags, CommandMeta};
use crate::cmd::CommandImpl;
use crate::conn::Client;
use crate::server::Server;

const fn row(name: &'static str, handler: crate::cmd::Handler) -> CommandImpl {
    CommandImpl { name, handler }
}

pub const COMMANDS: &[CommandImpl] = &[
    row("info", info::info_command),
    row("slowlog|get", slowlog::slowlog_get_command),
    row("slowlog|len", slowlog::slowlog_len_command),
    row("slowlog|reset", slowlog::slowlog_reset_command),
    row("slowlog|help", slowlog::slowlog_help_command),
    row("latency|latest", latency::latency_latest_command),
    row("latency|history", latency::latency_history_command),
    row("latency|reset", latency::latency_reset_command),
    row("latency|graph", latency::latency_graph_command),
    row("latency|doctor", latency::latency_doctor_command),
    row("latency|histogram", latency::latency_histogram_command),
    row("latency|help", latency::latency_help_command),
    row("memory|stats", memory::memory_stats_command),
    row("memory|doctor", memory::memory_doctor_command),
    row("memory|malloc-stats", memory::memory_malloc_stats_command),
    row("memory|purge", memory::memory_purge_command),
    row("memory|help", memory::memory_help_command),
    row("memory|usage", memory::memory_usage_command),
    row("debug", debug::debug_command),
    row("command", command::command_command),
    row("command|count", command::count_command),
    row("command|list", command::list_command),
    row("command|info", command::info_command),
    row("command|docs", command::docs_command),
    row("command|getkeys", command::getkeys_command),
    row("command|getkeysandflags", command::getkeysandflags_command),
    row("command|help", command::help_command),
];

/// Per-command bookkeeping after it ran (Redis `call`): the latency
/// histogram, the latency monitor, the slow log and the memory peak.
pub fn after_call(
    srv: &mut Server,
    c: &Client,
    argv: &[Vec<u8>],
    meta: &'static CommandMeta,
    cmd_id: usize,
    duration_us: u64,
) {
    if srv.latency.tracking {
        srv.latency.record_command(cmd_id, duration_us);
    }
    let event = if meta.has(flags::FAST) {
        "fast-command"
    } else {
        "command"
    };
    let threshold = srv.config.latency_monitor_threshold;
    let now = srv.time.unixtime;
    srv.latency
        .add_sample_if_needed(threshold, event, duration_us / 1000, now);
    if !meta.has(flags::SKIP_SLOWLOG) {
        // Passwords and sensitive config values show as "(redacted)", as in
        // MONITOR (Redis redactClientCommandArgument rewrites argv).
        let shown: std::borrow::Cow<'_, [Vec<u8>]> = if c.redacted.is_empty() {
            std::borrow::Cow::Borrowed(argv)
        } else {
            std::borrow::Cow::Owned(slowlog::redact(argv, &c.redacted))
        };
        srv.slowlog.push_if_needed(
            srv.config.slowlog_log_slower_than,
            srv.config.slowlog_max_len,
            &shown,
            duration_us,
            now,
            &c.addr,
            c.name.as_deref(),
        );
    }
    srv.stats.track_peak_memory(crate::alloc::used_memory());
}

/// Introspection's part of serverCron: allocator samples every 100 ms
/// (Redis `cronUpdateMemoryStats`); the clients' buffer peaks are recorded
/// by the clients cron (`track_client_peaks`).
pub fn cron(srv: &mut Server) {
    let now = srv.time.mstime;
    if now - srv.mem_sampled_ms >= 100 {
        srv.mem_sampled_ms = now;
        srv.stats.track_peak_memory(crate::alloc::used_memory());
        srv.mem.sample();
    }
    // Opens this second's slot even when no client is visited.
    srv.client_peaks.record(srv.time.unixtime, 0, 0);
}

/// The clients cron's visit of one client (Redis
/// `clientsCronTrackExpansiveClients`): its query and output buffer sizes
/// go into this second's peaks. Each client is visited about once a second.
pub fn track_client_peaks(srv: &mut Server, token: usize) {
    let Some(c) = srv.clients.get(token) else {
        return;
    };
    let (input, output) = (c.querybuf.capacity() as u64, c.obuf_memory() as u64);
    srv.client_peaks.record(srv.time.unixtime, input, output);
}

/// Number of one-second slots the recent buffer peaks cover (CLIENTS_PEAK_MEM_USAGE_SLOTS).
const PEAK_SLOTS: usize = 8;

/// The largest client query and output buffers over the last seconds.
#[derive(Clone, Debug, Default)]
pub struct ClientPeaks {
    second: i64,
    input: [u64; PEAK_SLOTS],
    output: [u64; PEAK_SLOTS],
}

impl ClientPeaks {
    /// Stores this second's peaks, clearing the slot a full window ago.
    pub fn record(&mut self, second: i64, input: u64, output: u64) {
        let slot = second.rem_euclid(PEAK_SLOTS as i64) as usize;
        if self.second != second {
            self.input[slot] = 0;
            self.output[slot] = 0;
            self.second = second;
        }
        self.input[slot] = self.input[slot].max(input);
        self.output[slot] = self.output[slot].max(output);
    }

    /// (input, output) maxima over the window.
    pub fn recent_max(&self) -> (u64, u64) {
        (
            self.input.iter().copied().max().unwrap_or(0),
            self.output.iter().copied().max().unwrap_or(0),
        )
    }
}

/// One database's counts for INFO keyspace and MEMORY STATS.
#[derive(Clone, Debug, Default)]
pub struct DbStats {
    pub index: usize,
    pub keys: u64,
    pub expires: u64,
    pub avg_ttl: i64,
}

/// Counts for every non-empty database.
pub fn keyspace_stats(srv: &Server) -> Vec<DbStats> {
    srv.dbs
        .iter()
        .filter(|db| !db.is_empty())
        .map(|db| DbStats {
            index: db.id,
            keys: db.dict.len() as u64,
            expires: db.expires.len() as u64,
            avg_ttl: db.avg_ttl,
        })
        .collect()
}

/// A setting's value as CONFIG GET shows it. Used for settings read rarely
/// (INFO, the doctors), never on the command path.
pub fn config_value(srv: &Server, name: &str) -> Option<String> {
    crate::config::table::find(name.as_bytes()).map(|e| e.get(&srv.config))
}

/// Reads `latency-tracking` and `latency-tracking-info-percentiles` into
/// the monitor (at startup, and by CONFIG SET once those settings exist).
pub fn apply_latency_config(srv: &mut Server) {
    if let Some(v) = config_value(srv, "latency-tracking") {
        srv.latency.tracking = v.eq_ignore_ascii_case("yes");
    }
    if let Some(v) = config_value(srv, "latency-tracking-info-percentiles") {
        let parsed: Option<Vec<f64>> = v.split_whitespace().map(|p| p.parse().ok()).collect();
        if let Some(p) = parsed {
            srv.latency.percentiles = p;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_peaks_window() {
        let mut p = ClientPeaks::default();
        p.record(100, 10, 1);
        p.record(101, 5, 7);
        assert_eq!(p.recent_max(), (10, 7));
        p.record(108, 1, 1);
        assert_eq!(p.recent_max(), (5, 7));
    }
}
