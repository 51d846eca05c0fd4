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
        self.ks.lazyfree.take_freed();
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::log::Logger;
    use crate::server::Server;

    #[test]
    fn resetstat_clears_counters_histograms_and_errors() {
        let poll = mio::Poll::new().unwrap();
        let registry = poll.registry().try_clone().unwrap();
        let mut srv = Server::new(Config::with_defaults(), Logger::new(), registry);
        let id = srv.commands.find_top(b"ping").unwrap();
        srv.commands.cmds[id].stats.calls = 3;
        srv.latency.record_command(id, 10);
        srv.stats.total_commands_processed = 3;
        srv.stats.count_error("ERR");
        srv.stats.track_peak_memory(1 << 20);
        srv.slowlog
            .push_if_needed(0, 10, &[b"ping".to_vec()], 5, 1, "127.0.0.1:1", None);
        srv.latency.add_sample("command", 5, 1);
        srv.reset_stats();
        assert_eq!(srv.commands.cmds[id].stats.calls, 0);
        assert!(srv.latency.histogram(id).is_none());
        assert_eq!(srv.stats.total_commands_processed, 0);
        assert_eq!(srv.stats.total_error_replies, 0);
        assert!(srv.stats.errors.is_empty());
        assert_eq!(srv.stats.peak_memory, 0);
        // The slow log and latency events survive, as in Redis.
        assert_eq!(srv.slowlog.len(), 1);
        assert_eq!(srv.latency.event_count(), 1);
    }
}
