//! serverCron (server.c): periodic work at `hz` times per second.

use super::Server;

/// Most clients checked for timeouts per cron call are spread so that each
/// client is visited about once per second (Redis CLIENTS_CRON_MIN_ITERATIONS).
const CLIENTS_CRON_MIN_ITERATIONS: usize = 5;
/// Redis's ceiling for dynamic hz.
const CONFIG_MAX_HZ: i64 = 500;
/// Clients per hz step for dynamic hz (MAX_CLIENTS_PER_CLOCK_TICK).
const MAX_CLIENTS_PER_CLOCK_TICK: usize = 200;

impl Server {
    /// Runs serverCron when due; returns ms until the next run.
    pub(super) fn run_time_events(&mut self) -> u64 {
        let now = self.time.mstime;
        if now >= self.next_cron_ms {
            self.server_cron();
            self.next_cron_ms = now + 1000 / self.effective_hz().max(1);
        }
        // Eviction left unfinished by its time budget goes on at once.
        if crate::keyspace::evict::time_proc(self) {
            return 0;
        }
        (self.next_cron_ms - self.time.mstime).max(0) as u64
    }

    /// The hz in force: `hz`, raised with the number of clients when dynamic-hz is on.
    pub fn effective_hz(&self) -> i64 {
        let mut hz = self.config.hz.clamp(1, CONFIG_MAX_HZ);
        if self.config.dynamic_hz {
            while (self.clients.len() / (hz as usize).max(1)) > MAX_CLIENTS_PER_CLOCK_TICK
                && hz < CONFIG_MAX_HZ
            {
                hz = (hz * 2).min(CONFIG_MAX_HZ);
            }
        }
        hz
    }

    /// True once every `ms` milliseconds of cron time (Redis `run_with_period`).
    fn run_with_period(&self, ms: i64) -> bool {
        let period = 1000 / self.effective_hz();
        ms <= period || self.cronloops.is_multiple_of((ms / period).max(1) as u64)
    }

    fn server_cron(&mut self) {
        // The software watchdog: SIGALRM fires unless the cron runs again in time.
        if self.config.watchdog_period != 0 {
            crate::event_loop::crash_signal::watchdog_schedule(self.config.watchdog_period);
        }
        // The crash handlers' log lines need the zone offset without localtime_r.
        if self.run_with_period(1000) {
            crate::event_loop::crash_signal::refresh_utc_offset();
        }
        // DEBUG PAUSE-CRON skips all the cron's work, as in Redis: even a
        // shutdown signal waits (shutdown.tcl aborts one meanwhile).
        if self.debug.pause_cron {
            return;
        }
        if self.run_with_period(100) {
            let now = self.time.mstime;
            self.stats
                .ops_sec
                .track(self.stats.total_commands_processed, now);
            self.stats.input_kbps.track(self.stats.net_input_bytes, now);
            self.stats
                .output_kbps
                .track(self.stats.net_output_bytes, now);
        }
        self.clients_cron();
        self.retry_stalled_accepts();
        crate::blocking::check_timeouts(self);
        crate::keyspace::expire::databases_cron(self);
        crate::persistence::aof::cron(self, self.run_with_period(1000));
        self.check_pause_timeout();
        crate::tracking::cron(self);
        crate::introspection::cron(self);
        self.persistence_cron();
        self.check_shutdown_signal();
        self.cronloops += 1;
    }

    /// Redis `clientsCron`: visits `clients / hz` clients per tick (at
    /// least five), rotating through the slab so that each is seen about
    /// once a second: the idle timeout, buffer resizing (conn/resize.rs),
    /// the recent buffer peaks and the output buffer limits.
    fn clients_cron(&mut self) {
        let n = self.clients.len();
        let per_call = (n / self.effective_hz() as usize).max(CLIENTS_CRON_MIN_ITERATIONS.min(n));
        let batch = crate::conn::resize::next_batch(self, per_call);
        for &token in &batch {
            if self.timed_out(token) {
                if let Some(c) = self.clients.take(token) {
                    self.log.verbose("Closing idle client");
                    self.free_client(c);
                }
                continue;
            }
            crate::conn::resize::visit(self, token);
            crate::introspection::track_client_peaks(self, token);
            if let Some(c) = self.clients.get_mut(token) {
                self.client_mem.cron_update(c);
            }
            crate::conn::obuf_limits::cron_check(self, token);
        }
        crate::conn::resize::give_back_batch(self, batch);
    }

    /// Redis `clientsCronHandleTimeout`: idle time is counted in whole
    /// seconds; MONITOR clients, subscribers and blocked clients (on keys,
    /// or held by a pause) never time out.
    fn timed_out(&self, token: usize) -> bool {
        let Some(c) = self.clients.get(token) else {
            return false;
        };
        self.config.timeout > 0
            && !c.flags.monitor
            && !c.flags.postponed
            && !c.flags.blocked_on_keys
            && !c.is_pubsub()
            && self.time.unixtime - c.last_interaction_ms / 1000 > self.config.timeout
    }
}
