//! What the server does when configuration changes (Redis config.c apply
//! functions `updatePort`, `applyBind`, `updateMaxclients`, `updateHZ`,
//! `updateOOMScoreAdj`; server.c `adjustOpenFilesLimit`, `setOOMScoreAdj`,
//! and the startup steps that act on config-file-only directives).

use super::Server;
use crate::cmd::CommandTable;
use crate::config::{Apply, Config};
use crate::event_loop::process;
use crate::log::Level;

/// Descriptors kept free for the server's own use (Redis CONFIG_MIN_RESERVED_FDS).
const MIN_RESERVED_FDS: u64 = 32;
/// Redis CONFIG_MIN_HZ and CONFIG_MAX_HZ.
const MIN_HZ: i64 = 1;
const MAX_HZ: i64 = 500;

/// The logger level for a `loglevel` value.
pub fn log_level(v: i64) -> Level {
    match v {
        0 => Level::Debug,
        1 => Level::Verbose,
        2 => Level::Notice,
        _ => Level::Warning,
    }
}

/// Applies the config file's `rename-command` lines to the command table;
/// names ferrodis has no handler for are already gone from it.
pub fn apply_renames(commands: &mut CommandTable, config: &Config) {
    for (from, to) in &config.rename_commands {
        commands.rename(from, to);
    }
}

impl Server {
    /// Runs one apply hook after CONFIG SET changed a value. The error is
    /// the text CONFIG SET reports.
    pub fn apply_config(&mut self, apply: Apply) -> Result<(), String> {
        match apply {
            Apply::None => Ok(()),
            Apply::Port => self
                .reopen_tcp_listeners()
                .map_err(|_| "Unable to listen on this port. Check server logs.".into()),
            Apply::Bind => self
                .reopen_tcp_listeners()
                .map_err(|_| "Failed to bind to specified addresses.".into()),
            Apply::MaxClients => self.update_maxclients(),
            Apply::Hz => {
                // hz is a hint: out-of-range values are accepted and clamped.
                self.config.hz = self.config.hz.clamp(MIN_HZ, MAX_HZ);
                Ok(())
            }
            Apply::LogLevel => {
                self.log.level = log_level(self.config.loglevel);
                Ok(())
            }
            Apply::OomScoreAdj => self
                .set_oom_score_adj()
                .map_err(|_| "Failed to set current oom_score_adj. Check server logs.".into()),
            Apply::ProcTitle => match self.set_proc_title(None) {
                true => Ok(()),
                false => Err("failed to set process title".into()),
            },
            Apply::Latency => {
                crate::introspection::apply_latency_config(self);
                Ok(())
            }
            Apply::AppendOnly => crate::persistence::aof::update_appendonly(self),
            Apply::AofAutoGc => crate::persistence::aof::update_auto_gc(self),
            Apply::MaxMemory => {
                crate::keyspace::evict::update_maxmemory(self);
                Ok(())
            }
            Apply::CrashLog => {
                if self.config.crash_log_enabled {
                    crate::event_loop::crash_signal::install_fatal();
                } else {
                    crate::event_loop::crash_signal::uninstall();
                }
                Ok(())
            }
            Apply::Watchdog => {
                let hz = self.config.hz;
                crate::event_loop::crash_signal::apply_watchdog(
                    &mut self.config.watchdog_period,
                    hz,
                );
                Ok(())
            }
            Apply::MaxmemoryClients => {
                crate::conn::evict::apply_config(self);
                Ok(())
            }
        }
    }

    /// Closes the listeners and opens them again from `port` and `bind`
    /// (Redis `changeListenPort` / `changeBindAddr`). On failure nothing
    /// stays open; CONFIG SET then restores the old values and reopens.
    fn reopen_tcp_listeners(&mut self) -> Result<(), ()> {
        self.close_listeners();
        match self.listen() {
            Ok(()) => Ok(()),
            Err(msg) => {
                self.log.warning(&msg);
                self.close_listeners();
                Err(())
            }
        }
    }

    /// Redis `updateMaxclients`: the limit must fit the open files limit.
    fn update_maxclients(&mut self) -> Result<(), String> {
        let wanted = self.config.maxclients;
        self.adjust_open_files_limit()?;
        if self.config.maxclients != wanted {
            return Err(format!(
                "The operating system is not able to handle the specified number of clients, \
                 try with {}",
                self.config.maxclients
            ));
        }
        Ok(())
    }

    /// Redis `adjustOpenFilesLimit`: raises RLIMIT_NOFILE to maxclients plus
    /// reserved descriptors, stepping down 16 at a time when refused, and
    /// lowers maxclients to what fits. The error (startup aborts) is the
    /// warning already logged.
    pub fn adjust_open_files_limit(&mut self) -> Result<(), String> {
        let maxfiles = self.config.maxclients as u64 + MIN_RESERVED_FDS;
        let oldlimit = match process::nofile_limit() {
            Ok(l) => l,
            Err(e) => {
                self.log.warning(&format!(
                    "Unable to obtain the current NOFILE limit ({}), assuming 1024 and setting \
                     the max clients configuration accordingly.",
                    crate::util::strerror(&e)
                ));
                self.config.maxclients = (1024 - MIN_RESERVED_FDS) as i64;
                return Ok(());
            }
        };
        if oldlimit >= maxfiles {
            return Ok(());
        }
        let mut best = maxfiles;
        let mut error = None;
        while best > oldlimit {
            match process::set_nofile_limit(best) {
                Ok(()) => break,
                Err(e) => error = Some(e),
            }
            if best < 16 {
                best = oldlimit;
                break;
            }
            best -= 16;
        }
        best = best.max(oldlimit);
        if best >= maxfiles {
            self.log.notice(&format!(
                "Increased maximum number of open files to {} (it was originally set to {}).",
                maxfiles, oldlimit
            ));
            return Ok(());
        }
        let old_maxclients = self.config.maxclients;
        self.config.maxclients = best as i64 - MIN_RESERVED_FDS as i64;
        if best <= MIN_RESERVED_FDS {
            let msg = format!(
                "Your current 'ulimit -n' of {} is not enough for the server to start. Please \
                 increase your open file limit to at least {}. Exiting.",
                oldlimit, maxfiles
            );
            self.log.warning(&msg);
            return Err(msg);
        }
        let why = error.map_or_else(String::new, |e| crate::util::strerror(&e));
        self.log_reduced_maxclients(old_maxclients, maxfiles, best, &why);
        Ok(())
    }

    fn log_reduced_maxclients(&self, requested: i64, maxfiles: u64, limit: u64, why: &str) {
        self.log.warning(&format!(
            "You requested maxclients of {} requiring at least {} max file descriptors.",
            requested, maxfiles
        ));
        self.log.warning(&format!(
            "Server can't set maximum open files to {} because of OS error: {}.",
            maxfiles, why
        ));
        self.log.warning(&format!(
            "Current maximum open files is {}. maxclients has been reduced to {} to compensate \
             for low ulimit. If you need higher maxclients increase 'ulimit -n'.",
            limit, self.config.maxclients
        ));
    }

    /// Redis `setOOMScoreAdj` for this process's class (master or replica):
    /// remembers the score found before the first change and puts it back
    /// when `oom-score-adj` is turned off. The error is the warning logged.
    pub fn set_oom_score_adj(&mut self) -> Result<(), String> {
        let class = if self.config.replicaof.is_some() {
            1
        } else {
            0
        };
        self.set_oom_score_adj_class(class)
    }

    /// `setOOMScoreAdj` for a class: 0 master, 1 replica, 2 fork child
    /// (Redis CONFIG_OOM_BGCHILD, set by every child right after the fork).
    pub fn set_oom_score_adj_class(&mut self, class: usize) -> Result<(), String> {
        let val = if self.config.oom_score_adj != 0 {
            let base = match self.oom_score_base {
                Some(b) => b,
                None => match process::read_oom_score_adj() {
                    Ok(b) => {
                        self.oom_score_base = Some(b);
                        b
                    }
                    Err(e) => {
                        let msg = format!(
                            "Unable to read oom_score_adj: {}",
                            crate::util::strerror(&e)
                        );
                        self.log.warning(&msg);
                        return Err(msg);
                    }
                },
            };
            let mut v = self.config.oom_score_adj_values[class];
            // "relative" (and "yes") add the score the process started with.
            if self.config.oom_score_adj == 1 {
                v += base;
            }
            v.clamp(-1000, 1000)
        } else if let Some(base) = self.oom_score_base.take() {
            base
        } else {
            return Ok(());
        };
        process::write_oom_score_adj(val).map_err(|e| {
            let msg = format!(
                "Unable to write oom_score_adj: {}",
                crate::util::strerror(&e)
            );
            self.log.warning(&msg);
            msg
        })
    }

    /// Redis aborts when a module cannot load; ferrodis has no module
    /// support, so `loadmodule` and module settings abort startup with the
    /// lines Redis logs. Returns the lines to log before exiting 1.
    pub fn check_modules(&self) -> Result<(), Vec<String>> {
        if let Some(m) = self.config.loadmodules.first() {
            let path = String::from_utf8_lossy(&m[0]).into_owned();
            return Err(vec![
                format!(
                    "Module {} failed to load: ferrodis does not support modules",
                    path
                ),
                format!("Can't load module from {}: server aborting", path),
            ]);
        }
        if !self.config.module_configs.is_empty() {
            return Err(vec![
                "Module Configuration detected without loadmodule directive or no ApplyConfig \
                 call: aborting"
                    .into(),
            ]);
        }
        Ok(())
    }
}
