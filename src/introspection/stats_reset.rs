//! CONFIG RESETSTAT's effect (Redis server.c `resetServerStats`,
//! `resetCommandTableStats`, `resetErrorTableStats`).

use crate::cmd::table::CommandStats;
use crate::server::Server;

impl Server {
    /// Clears every statistic CONFIG RESETSTAT clears: server counters and
    /// rate samples, the error table, the memory peak, each command's
    /// counters and latency histogram. The slow log and the latency monitor
    /// keep their data, as in Redis.
    pub fn reset_stats(&mut self) {
        self.stats.reset();
        for cmd in self.commands.cmds.iter_mut() {
            cmd.stats = CommandStats::default();
        }
        self.latency.reset_histograms();
        self.status.persistence.aof_delayed_fsync = 0;
        self.status.lazyfreed_objects = 0;
    }
}
