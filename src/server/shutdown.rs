//! Shutting down (server.c `prepareForShutdown`, `finishShutdown`,
//! `abortShutdown`, `closeListeningSockets`): the steps between SHUTDOWN (or
//! SIGTERM/SIGINT) and the process exit, with Redis's log lines.

use super::{Server, ShutdownRequest};
use crate::event_loop::signals;

/// Why a shutdown could not finish; the server keeps running.
#[derive(Debug, PartialEq, Eq)]
pub struct ShutdownFailed;

impl Server {
    /// Starts shutting down (Redis `prepareForShutdown`). On success the
    /// caller sets `stop` and the loop exits without serving anyone else.
    pub fn prepare_for_shutdown(&mut self, req: ShutdownRequest) -> Result<(), ShutdownFailed> {
        self.log.warning("User requested shutdown...");
        // Waiting for lagging replicas (shutdown-timeout, unless NOW) plugs in
        // here with replication: it pauses writes and finishes from cron.
        self.finish_shutdown(req)
    }

    /// The last steps before exit (Redis `finishShutdown`). Persistence plugs
    /// in before the pid file is removed, in Redis's order: kill a saving
    /// child, flush and fsync the AOF, then the final RDB save when save
    /// points are configured and NOSAVE was not given, or SAVE was given.
    /// A failed save refuses to exit unless `force`, logging
    /// "Errors trying to shut down the server. Check the logs for more information."
    fn finish_shutdown(&mut self, req: ShutdownRequest) -> Result<(), ShutdownFailed> {
        // Redis's order: kill the RDB child, flush and fsync the AOF, then
        // the final RDB save.
        self.kill_rdb_child_for_shutdown();
        let aof_ok = crate::persistence::aof::shutdown(self, req.force).is_ok();
        if !aof_ok || self.shutdown_save(req.save, req.nosave, req.force).is_err() {
            self.log.warning(
                "Errors trying to shut down the server. Check the logs for more information.",
            );
            // Redis `cancelShutdown`: a pending signal is forgotten too.
            signals::cancel_shutdown();
            return Err(ShutdownFailed);
        }
        if self.config.daemonize || !self.config.pidfile.is_empty() {
            self.log.notice("Removing the pid file.");
            if !self.config.pidfile.is_empty() {
                let _ = std::fs::remove_file(&self.config.pidfile);
            }
        }
        self.close_listening_sockets(true);
        self.log.warning("Redis is now ready to exit, bye bye...");
        Ok(())
    }

    /// SHUTDOWN ABORT (Redis `abortShutdown`): cancels a signal-requested
    /// shutdown that cron has not started yet. Returns false when there is
    /// nothing to abort.
    pub fn abort_shutdown(&mut self) -> bool {
        let Some(sig) = signals::take_shutdown_signal() else {
            return false;
        };
        signals::cancel_shutdown();
        self.log_shutdown_signal(sig);
        self.log.notice("Shutdown manually aborted.");
        true
    }

    /// Closes the listeners and removes the unix socket file (Redis `closeListeningSockets`).
    pub fn close_listening_sockets(&mut self, unlink_unix_socket: bool) {
        self.close_listeners();
        if unlink_unix_socket && !self.config.unixsocket.is_empty() {
            self.log.notice("Removing the unix socket file.");
            if let Err(e) = std::fs::remove_file(&self.config.unixsocket) {
                self.log.warning(&format!(
                    "Error removing the unix socket file: {}",
                    crate::util::strerror(&e)
                ));
            }
        }
    }

    /// Shuts down when SIGTERM or SIGINT arrived (called from cron).
    pub fn check_shutdown_signal(&mut self) {
        let Some(sig) = signals::take_shutdown_signal() else {
            return;
        };
        self.log_shutdown_signal(sig);
        let flags = match sig {
            libc::SIGINT => self.config.shutdown_on_sigint,
            libc::SIGTERM => self.config.shutdown_on_sigterm,
            _ => 0,
        };
        if self
            .prepare_for_shutdown(ShutdownRequest::from_flags(flags))
            .is_ok()
        {
            self.stop = true;
        }
    }

    /// The line Redis's signal handler logs (without the usual prefix).
    fn log_shutdown_signal(&self, sig: i32) {
        self.log.log_raw(&format!(
            "{}:signal-handler ({}) Received {} scheduling shutdown...\n",
            self.log.pid,
            self.time.unixtime,
            signals::name(sig)
        ));
    }
}

impl ShutdownRequest {
    /// The request a `shutdown-on-sigint`/`shutdown-on-sigterm` value asks
    /// for (Redis's SHUTDOWN_SAVE 1, NOSAVE 2, NOW 4, FORCE 8 bits).
    pub fn from_flags(flags: i64) -> ShutdownRequest {
        ShutdownRequest {
            save: flags & 1 != 0,
            nosave: flags & 2 != 0,
            now: flags & 4 != 0,
            force: flags & 8 != 0,
        }
    }
}
