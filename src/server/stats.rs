//! Server statistics (Redis `server.stat_*`): counters behind INFO stats and
//! errorstats, and the instantaneous-metric samples taken in cron.

use std::collections::BTreeMap;

/// Number of samples kept for instantaneous metrics (STATS_METRIC_SAMPLES).
const SAMPLES: usize = 16;

/// A rolling rate, sampled every 100 ms in cron (Redis `trackInstantaneousMetric`).
#[derive(Clone, Debug, Default)]
pub struct InstantMetric {
    last_sample_ms: i64,
    last_value: u64,
    samples: [f64; SAMPLES],
    idx: usize,
}

impl InstantMetric {
    pub fn track(&mut self, value: u64, now_ms: i64) {
        if self.last_sample_ms != 0 {
            let dt = (now_ms - self.last_sample_ms).max(1) as f64;
            let rate = (value.saturating_sub(self.last_value)) as f64 * 1000.0 / dt;
            self.samples[self.idx] = rate;
            self.idx = (self.idx + 1) % SAMPLES;
        }
        self.last_sample_ms = now_ms;
        self.last_value = value;
    }

    pub fn value(&self) -> f64 {
        self.samples.iter().sum::<f64>() / SAMPLES as f64
    }
}

#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub total_connections_received: u64,
    pub total_commands_processed: u64,
    pub rejected_connections: u64,
    pub net_input_bytes: u64,
    pub net_output_bytes: u64,
    pub total_error_replies: u64,
    /// Errors by code (ERR, WRONGTYPE, ...), for INFO errorstats.
    pub errors: BTreeMap<String, u64>,
    pub client_qbuf_limit_disconnections: u64,
    pub client_outbuf_limit_disconnections: u64,
    pub ops_sec: InstantMetric,
    // Keyspace (keyspace helper), named as Redis's INFO fields.
    pub expired_keys: u64,
    /// Estimated percentage of logically expired keys still in memory.
    pub expired_stale_perc: f64,
    pub expired_time_cap_reached_count: u64,
    /// Microseconds spent in the active expire cycle (expire_cycle_cpu_milliseconds / 1000).
    pub expire_cycle_time_used_us: u64,
    pub keyspace_hits: u64,
    pub keyspace_misses: u64,
    pub input_kbps: InstantMetric,
    pub output_kbps: InstantMetric,
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

    /// CONFIG RESETSTAT.
    pub fn reset(&mut self) {
        *self = Stats::default();
    }
}
