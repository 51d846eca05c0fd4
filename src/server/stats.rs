//! Server statistics (Redis `server.stat_*`): counters behind INFO stats and
//! errorstats, and the instantaneous-metric samples taken in cron. CONFIG
//! RESETSTAT clears all of it (Redis `resetServerStats`).

use std::collections::BTreeMap;

/// Number of samples kept for instantaneous metrics (STATS_METRIC_SAMPLES).
const SAMPLES: usize = 16;

/// A rolling rate, sampled every 100 ms in cron (Redis `trackInstantaneousMetric`).
#[derive(Clone, Debug, Default)]
pub struct InstantMetric {
    last_sample_ms: i64,
    last_value: u64,
    samples: [i64; SAMPLES],
    idx: usize,
}

impl InstantMetric {
    /// Records the rate per second since the previous sample, with Redis's
    /// integer arithmetic.
    pub fn track(&mut self, value: u64, now_ms: i64) {
        let dt = if self.last_sample_ms == 0 {
            0
        } else {
            now_ms - self.last_sample_ms
        };
        let delta = value.saturating_sub(self.last_value) as i64;
        self.samples[self.idx] = if dt > 0 { delta * 1000 / dt } else { 0 };
        self.idx = (self.idx + 1) % SAMPLES;
        self.last_sample_ms = now_ms;
        self.last_value = value;
    }

    /// The mean of the samples (Redis `getInstantaneousMetric`).
    pub fn value(&self) -> i64 {
        self.samples.iter().sum::<i64>() / SAMPLES as i64
    }
}

#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub total_connections_received: u64,
    pub total_commands_processed: u64,
    pub rejected_connections: u64,
    pub net_input_bytes: u64,
    pub net_output_bytes: u64,
    pub net_repl_input_bytes: u64,
    pub net_repl_output_bytes: u64,
    pub sync_full: u64,
    pub sync_partial_ok: u64,
    pub sync_partial_err: u64,
    pub expired_keys: u64,
    /// Estimated share of logically expired keys still in memory (percent).
    pub expired_stale_perc: f64,
    pub expired_time_cap_reached_count: u64,
    /// Microseconds spent in the active expire cycle.
    pub expire_cycle_time_used_us: u64,
    pub evicted_keys: u64,
    pub evicted_clients: u64,
    /// Milliseconds spent over maxmemory, in total and since (ms timestamp) now.
    pub total_eviction_exceeded_time_ms: u64,
    pub eviction_exceeded_since_ms: i64,
    pub keyspace_hits: u64,
    pub keyspace_misses: u64,
    /// Microseconds the last fork took (Redis `stat_fork_time`).
    pub latest_fork_usec: u64,
    pub total_forks: u64,
    /// GB per second of the last fork (for LATENCY DOCTOR).
    pub fork_rate: f64,
    pub active_defrag_hits: u64,
    pub active_defrag_misses: u64,
    pub active_defrag_key_hits: u64,
    pub active_defrag_key_misses: u64,
    pub total_active_defrag_time_ms: u64,
    pub active_defrag_since_ms: i64,
    pub unexpected_error_replies: u64,
    pub total_error_replies: u64,
    pub dump_payload_sanitizations: u64,
    pub total_reads_processed: u64,
    pub total_writes_processed: u64,
    pub io_threaded_reads_processed: u64,
    pub io_threaded_writes_processed: u64,
    pub reply_buffer_shrinks: u64,
    pub reply_buffer_expands: u64,
    /// Errors by code (ERR, WRONGTYPE, ...), for INFO errorstats.
    pub errors: BTreeMap<String, u64>,
    pub client_qbuf_limit_disconnections: u64,
    pub client_outbuf_limit_disconnections: u64,
    /// Highest `used_memory` seen (Redis `stat_peak_memory`).
    pub peak_memory: usize,
    pub ops_sec: InstantMetric,
    pub input_kbps: InstantMetric,
    pub output_kbps: InstantMetric,
    pub repl_input_kbps: InstantMetric,
    pub repl_output_kbps: InstantMetric,
}

/// Redis stops tracking new error codes past this many (ERROR_STATS_NUMBER).
const MAX_ERROR_CODES: usize = 128;

impl Stats {
    pub fn count_error(&mut self, code: &str) {
        self.total_error_replies += 1;
        if let Some(n) = self.errors.get_mut(code) {
            *n += 1;
        } else if self.errors.len() < MAX_ERROR_CODES {
            self.errors.insert(code.to_string(), 1);
        }
    }

    /// CONFIG RESETSTAT: every counter, rate sample and the error table.
    pub fn reset(&mut self) {
        *self = Stats::default();
    }

    /// Raises the memory peak to `used` when it is higher.
    pub fn track_peak_memory(&mut self, used: usize) {
        if used > self.peak_memory {
            self.peak_memory = used;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instant_metric_is_integer_mean() {
        let mut m = InstantMetric::default();
        m.track(0, 1000);
        m.track(160, 1100);
        assert_eq!(m.value(), 1600 / 16);
    }

    #[test]
    fn error_table_is_capped() {
        let mut s = Stats::default();
        for i in 0..200 {
            s.count_error(&format!("E{}", i));
        }
        assert_eq!(s.errors.len(), MAX_ERROR_CODES);
        assert_eq!(s.total_error_replies, 200);
        s.reset();
        assert!(s.errors.is_empty());
    }
}
