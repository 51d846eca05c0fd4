//! Persistence (Redis rdb.c, aof.c, rio.c, childinfo.c and the fork parts
//! of server.c): the RDB format, saving through a forked child, loading at
//! startup, DUMP/RESTORE, and the append-only file (`aof`). `child` is the
//! only place that forks.
//!
//! INFO reads the persistence fields from `srv.status.persistence`; this
//! module keeps them up to date and holds the rest in `srv.rdb`.

pub mod aof;
pub mod child;
pub mod commands;
pub mod load;
pub mod objects;
pub mod objects_stream;
pub mod rdb;
pub mod rio;
pub mod save;

use crate::cmd::meta::flags;
use crate::error::CmdError;
use crate::server::Server;

/// Runtime state of RDB persistence besides what INFO reads.
#[derive(Default)]
pub struct State {
    /// The running BGSAVE child.
    pub child: Option<child::Child>,
    /// `dirty` when the running BGSAVE started (Redis `dirty_before_bgsave`).
    pub dirty_before_bgsave: u64,
    /// Unix time of the last BGSAVE attempt (Redis `lastbgsave_try`).
    pub lastbgsave_try: i64,
    /// BGSAVE SCHEDULE is waiting for another child to finish.
    pub bgsave_scheduled: bool,
}

/// The -MISCONF error (Redis shared.bgsaveerr).
pub const MISCONF: &str = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";

/// The -LOADING error (Redis shared.loadingerr).
pub const LOADING: &str = "LOADING Redis is loading the dataset in memory";

/// Dispatch step: while the dataset loads, only commands flagged
/// `loading` run.
pub fn check_loading(srv: &Server, id: usize) -> Result<(), CmdError> {
    if srv.status.persistence.loading && !srv.commands.cmds[id].meta.has(flags::LOADING) {
        return Err(CmdError::fixed(LOADING));
    }
    Ok(())
}

/// Dispatch step (processCommand's writeCommandsDeniedByDiskError): after
/// a failed BGSAVE with save points set, writes and PING are refused.
pub fn check_disk_error(srv: &Server, id: usize) -> Result<(), CmdError> {
    let p = &srv.status.persistence;
    if !(srv.config.stop_writes_on_bgsave_error && !srv.config.save.is_empty() && !p.lastbgsave_ok)
    {
        return Ok(());
    }
    let meta = srv.commands.cmds[id].meta;
    if meta.has(flags::WRITE) || meta.name == "ping" {
        return Err(CmdError::fixed(MISCONF));
    }
    Ok(())
}

impl Server {
    /// serverCron's persistence part: reap a finished child, take its
    /// reports, start BGSAVE for a reached save point or a scheduled one.
    pub fn persistence_cron(&mut self) {
        if self.rdb.child.is_some() {
            self.receive_child_info();
            self.check_child_done();
        } else if !self.status.persistence.has_child() {
            self.check_save_points();
        }
        let p = &self.status.persistence;
        if !p.has_child()
            && self.rdb.bgsave_scheduled
            && (self.time.unixtime - self.rdb.lastbgsave_try > save::BGSAVE_RETRY_DELAY
                || p.lastbgsave_ok)
            && self.rdb_save_background().is_ok()
        {
            self.rdb.bgsave_scheduled = false;
        }
    }

    fn check_save_points(&mut self) {
        let now = self.time.unixtime;
        let p = &self.status.persistence;
        let due = self.config.save.iter().copied().find(|&(secs, changes)| {
            self.status.persistence.dirty >= changes as u64
                && now - p.lastsave > secs
                && (now - self.rdb.lastbgsave_try > save::BGSAVE_RETRY_DELAY || p.lastbgsave_ok)
        });
        if let Some((secs, changes)) = due {
            self.log.notice(&format!(
                "{} changes in {} seconds. Saving...",
                changes, secs
            ));
            let _ = self.rdb_save_background();
        }
    }

    /// receiveChildInfo / updateChildInfo.
    fn receive_child_info(&mut self) {
        let Some(c) = self.rdb.child.as_mut() else {
            return;
        };
        let p = &mut self.status.persistence;
        for info in c.receive() {
            if info.record(p) && info.kind == child::INFO_RDB_COW {
                p.rdb_last_cow_size = p.current_cow_peak;
            }
        }
    }

    /// checkChildrenDone: waitpid without blocking.
    fn check_child_done(&mut self) {
        let Some(pid) = self.rdb.child.as_ref().map(|c| c.pid) else {
            return;
        };
        let Some(st) = child::try_wait(pid) else {
            return;
        };
        if st.signal == 0 && st.code == 0 {
            self.receive_child_info();
        }
        self.background_save_done(st.code, st.signal);
        self.reset_child_state();
    }

    /// backgroundSaveDoneHandlerDisk.
    fn background_save_done(&mut self, code: i32, signal: i32) {
        let now = self.time.unixtime;
        if signal == 0 && code == 0 {
            self.log.notice("Background saving terminated with success");
            self.status.persistence.dirty = self
                .status
                .persistence
                .dirty
                .saturating_sub(self.rdb.dirty_before_bgsave);
            self.status.persistence.lastsave = now;
            self.status.persistence.lastbgsave_ok = true;
        } else if signal == 0 {
            self.log.warning("Background saving error");
            self.status.persistence.lastbgsave_ok = false;
        } else {
            self.log.warning(&format!(
                "Background saving terminated by signal {}",
                signal
            ));
            if let Some(pid) = self.status.persistence.rdb_child_pid {
                remove_temp_file(self, pid as u32);
            }
            // SIGUSR1 is how we kill a child on purpose: not an error.
            if signal != libc::SIGUSR1 {
                self.status.persistence.lastbgsave_ok = false;
            }
        }
        let p = &mut self.status.persistence;
        p.rdb_last_bgsave_time_sec = now - p.rdb_save_time_start;
        p.rdb_save_time_start = -1;
    }

    /// updateDictResizePolicy: while a child shares our pages, every dict
    /// (keyspace, expires, and those inside sets, hashes and zsets) grows
    /// only past the forced ratio, so rehashing does not copy every page.
    /// The child sets `Forbid` for itself right after the fork.
    pub fn update_dict_resize_policy(&mut self) {
        use crate::ds::dict_resize::{set_policy, ResizePolicy};
        if self.rdb.child.is_none() && self.aof.child.is_none() {
            set_policy(ResizePolicy::Enable);
        } else {
            set_policy(ResizePolicy::Avoid);
        }
    }

    /// resetChildState.
    fn reset_child_state(&mut self) {
        self.rdb.child = None;
        self.update_dict_resize_policy();
        let p = &mut self.status.persistence;
        p.rdb_child_pid = None;
        p.current_cow_peak = 0;
        p.current_cow_size = 0;
        p.current_cow_size_updated_ms = 0;
        p.current_save_keys_processed = 0;
        p.current_save_keys_total = 0;
        p.current_fork_perc = 0.0;
    }

    /// killRDBChild plus the temp file cleanup callers do after it; the
    /// child is reaped by cron, or here when `wait` (shutdown).
    pub fn kill_rdb_child(&mut self, wait: bool) {
        let Some(c) = self.rdb.child.as_ref() else {
            return;
        };
        let pid = c.pid;
        c.kill();
        if wait {
            if let Some(st) = child::wait_blocking(pid) {
                self.background_save_done(st.code, st.signal);
            }
            self.reset_child_state();
        }
        remove_temp_file(self, pid as u32);
    }

    /// finishShutdown's first step: a running save child is killed so it
    /// cannot rename an older snapshot over the final one.
    pub fn kill_rdb_child_for_shutdown(&mut self) {
        if self.rdb.child.is_some() {
            self.log
                .warning("There is a child saving an .rdb. Killing it!");
            self.kill_rdb_child(true);
        }
    }

    /// finishShutdown's RDB save: when save points exist (or SAVE was
    /// asked) unless NOSAVE; never while loading.
    pub fn shutdown_save(
        &mut self,
        save: bool,
        nosave: bool,
        force: bool,
    ) -> Result<(), save::SaveFailed> {
        self.kill_rdb_child_for_shutdown();
        // Never save while loading: the dataset is only half there.
        if self.status.persistence.loading {
            return Ok(());
        }
        if (!self.config.save.is_empty() && !nosave) || save {
            self.log
                .notice("Saving the final RDB snapshot before exiting.");
            if self.rdb_save().is_err() {
                if force {
                    self.log
                        .warning("Error trying to save the DB. Exit anyway.");
                } else {
                    self.log.warning("Error trying to save the DB, can't exit.");
                    return Err(save::SaveFailed);
                }
            }
        }
        Ok(())
    }

    /// flushAllDataAndResetRDB's persistence part, after the data is gone.
    pub fn flushall_persistence(&mut self) {
        // Waiting (a killed child dies at once) keeps it from renaming an
        // old snapshot over the save below.
        self.kill_rdb_child(true);
        if !self.config.save.is_empty() {
            let _ = self.rdb_save();
        }
    }
}

/// rdbRemoveTempFile.
fn remove_temp_file(srv: &Server, pid: u32) {
    let _ = std::fs::remove_file(save::temp_path(srv, pid));
}
