//! Client pausing (networking.c `pauseClients`, `unpauseClients`,
//! `checkClientPauseTimeoutAndReturnIfPaused`, blocked.c `blockPostponeClient`).
//!
//! A paused client keeps reading: its parsed command stays in `argv`
//! (`pending_command`) and the rest of its input stays in the query buffer.
//! When the pause ends or becomes less strict, every postponed client is
//! queued for reprocessing in before-sleep, where its command goes through
//! dispatch again (and may be postponed again).

use crate::cmd::meta::flags;
use crate::conn::Client;
use crate::server::Server;

/// How much is paused, in order of strictness (Redis `pause_type`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum PauseKind {
    #[default]
    Off,
    /// Only commands that may write or replicate.
    Write,
    All,
}

/// Who asked for a pause (Redis `pause_purpose`); each keeps its own pause.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PausePurpose {
    ClientCommand = 0,
    /// SHUTDOWN waiting for replicas to catch up.
    Shutdown = 1,
    /// FAILOVER in progress.
    Failover = 2,
}

#[derive(Clone, Copy, Debug)]
struct PauseEvent {
    kind: PauseKind,
    end_ms: i64,
}

/// The server's pause state.
#[derive(Debug, Default)]
pub struct PauseState {
    per_purpose: [Option<PauseEvent>; 3],
    /// The strictest pause in force and when it ends.
    pub kind: PauseKind,
    pub end_ms: i64,
    /// Clients held by the pause, as (token, id) so that a reused slot is not mistaken.
    postponed: Vec<(usize, u64)>,
    /// Clients released by an unpause, to reprocess in before-sleep.
    unblocked: Vec<(usize, u64)>,
}

impl PauseState {
    /// True when a command with these flags must wait (the pause check of
    /// Redis `processCommand`). Write pauses hold commands that write or may
    /// replicate (EVAL, PUBLISH, PFCOUNT, ...). The flags are the command's
    /// effective ones: a script's shebang flags, or for EXEC those of the
    /// queued commands.
    pub fn holds(&self, cmd_flags: u64) -> bool {
        match self.kind {
            PauseKind::Off => false,
            PauseKind::All => true,
            PauseKind::Write => cmd_flags & (flags::WRITE | flags::MAY_REPLICATE) != 0,
        }
    }

    /// True while writes are paused (expiry and eviction also stop then).
    pub fn writes_paused(&self) -> bool {
        self.kind != PauseKind::Off
    }

    /// True while a pause keeps the dataset constant: no key is expired,
    /// actively or on access (`checkClientPauseTimeoutAndReturnIfPaused`;
    /// a pause whose time is up no longer counts, the cron ends it).
    pub fn freezes_dataset(&self, now_ms: i64) -> bool {
        self.kind != PauseKind::Off && self.end_ms >= now_ms
    }

    /// Number of clients held right now.
    pub fn postponed_count(&self) -> usize {
        self.postponed.len()
    }
}

impl Server {
    /// Pauses clients until `end_ms` (Redis `pauseClients`). A purpose that
    /// is already paused keeps the stricter kind and the later end.
    pub fn pause_clients(&mut self, purpose: PausePurpose, end_ms: i64, kind: PauseKind) {
        let slot = &mut self.pause.per_purpose[purpose as usize];
        match slot {
            None => *slot = Some(PauseEvent { kind, end_ms }),
            Some(ev) => {
                ev.kind = ev.kind.max(kind);
                ev.end_ms = ev.end_ms.max(end_ms);
            }
        }
        self.update_pause();
    }

    /// Ends the pause of one purpose (Redis `unpauseClients`).
    pub fn unpause_clients(&mut self, purpose: PausePurpose) {
        self.pause.per_purpose[purpose as usize] = None;
        self.update_pause();
    }

    /// Ends pauses whose time is up; called from cron.
    pub fn check_pause_timeout(&mut self) {
        if self.pause.kind != PauseKind::Off && self.pause.end_ms < self.time.mstime {
            self.unpause_clients(PausePurpose::ClientCommand);
        }
    }

    /// Recomputes the pause in force; when it becomes less strict, releases
    /// every postponed client for reprocessing.
    fn update_pause(&mut self) {
        let now = self.time.mstime;
        let old = self.pause.kind;
        let mut kind = PauseKind::Off;
        for slot in self.pause.per_purpose.iter_mut() {
            match slot {
                Some(ev) if ev.end_ms < now => *slot = None,
                Some(ev) => kind = kind.max(ev.kind),
                None => {}
            }
        }
        let end = self
            .pause
            .per_purpose
            .iter()
            .flatten()
            .filter(|ev| ev.kind == kind)
            .map(|ev| ev.end_ms)
            .max()
            .unwrap_or(0);
        self.pause.kind = kind;
        self.pause.end_ms = end;
        if kind < old {
            let released = std::mem::take(&mut self.pause.postponed);
            self.status.blocked_clients = self
                .status
                .blocked_clients
                .saturating_sub(released.len() as u64);
            self.pause.unblocked.extend(released);
        }
    }

    /// Holds a client whose parsed command may not run now (Redis
    /// `blockPostponeClient`). Held clients count as blocked in INFO.
    pub fn postpone_client(&mut self, c: &mut Client) {
        c.flags.postponed = true;
        c.flags.pending_command = true;
        self.pause.postponed.push((c.token, c.id));
        self.status.blocked_clients += 1;
    }

    /// Forgets a client that is being freed.
    pub fn forget_postponed(&mut self, c: &Client) {
        if c.flags.postponed {
            let before = self.pause.postponed.len();
            self.pause.postponed.retain(|&(t, _)| t != c.token);
            let gone = (before - self.pause.postponed.len()) as u64;
            self.status.blocked_clients = self.status.blocked_clients.saturating_sub(gone);
            self.pause.unblocked.retain(|&(t, _)| t != c.token);
        }
    }

    /// Runs the held command and the buffered input of clients released by
    /// an unpause (Redis `processUnblockedClients`); called in before-sleep.
    pub fn process_unblocked_clients(&mut self) {
        let released = std::mem::take(&mut self.pause.unblocked);
        for (token, id) in released {
            let Some(mut c) = self.clients.take(token) else {
                continue;
            };
            if c.id != id {
                self.clients.put(c);
                continue;
            }
            c.flags.postponed = false;
            self.process_input(&mut c);
            self.return_client(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::log::Logger;

    fn server() -> (mio::Poll, Server) {
        let poll = mio::Poll::new().unwrap();
        let registry = poll.registry().try_clone().unwrap();
        let mut log = Logger::new();
        log.level = crate::log::Level::Warning;
        (poll, Server::new(Config::with_defaults(), log, registry))
    }

    #[test]
    fn stricter_kind_and_later_end_win() {
        let (_poll, mut srv) = server();
        let now = srv.time.mstime;
        srv.pause_clients(PausePurpose::ClientCommand, now + 100_000, PauseKind::Write);
        srv.pause_clients(PausePurpose::ClientCommand, now + 10, PauseKind::Write);
        assert_eq!(srv.pause.kind, PauseKind::Write);
        assert_eq!(srv.pause.end_ms, now + 100_000);
        srv.pause_clients(PausePurpose::ClientCommand, now + 10, PauseKind::All);
        assert_eq!(srv.pause.kind, PauseKind::All);
        assert_eq!(srv.pause.end_ms, now + 100_000);
        srv.unpause_clients(PausePurpose::ClientCommand);
        assert_eq!(srv.pause.kind, PauseKind::Off);
    }

    #[test]
    fn a_pause_already_over_does_nothing() {
        let (_poll, mut srv) = server();
        srv.pause_clients(PausePurpose::ClientCommand, 0, PauseKind::All);
        assert_eq!(srv.pause.kind, PauseKind::Off);
        let wrapped = i64::MAX.wrapping_add(srv.time.mstime);
        srv.pause_clients(PausePurpose::ClientCommand, wrapped, PauseKind::All);
        assert_eq!(srv.pause.kind, PauseKind::Off);
    }

    #[test]
    fn expired_pause_ends_in_cron() {
        let (_poll, mut srv) = server();
        let now = srv.time.mstime;
        srv.pause_clients(PausePurpose::ClientCommand, now + 5, PauseKind::All);
        assert!(srv.pause.writes_paused());
        srv.time.mstime += 10;
        srv.check_pause_timeout();
        assert!(!srv.pause.writes_paused());
    }

    #[test]
    fn what_each_kind_holds() {
        let mut st = PauseState::default();
        assert!(!st.holds(flags::WRITE));
        st.kind = PauseKind::All;
        assert!(st.holds(flags::FAST));
        st.kind = PauseKind::Write;
        assert!(!st.holds(flags::FAST | flags::READONLY));
        assert!(st.holds(flags::WRITE));
        assert!(st.holds(flags::MAY_REPLICATE));
    }
}
