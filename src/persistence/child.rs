//! Forked children (Redis server.c redisFork, childinfo.c, and the child
//! halves of rdb.c): the only place that forks, the pipe a child reports
//! through, waiting for and killing a child. See docs/persistence.md for
//! why forking here is safe.
//!
//! Fork safety: the event loop is single-threaded; the other threads are
//! the lazyfree thread (keyspace/lazyfree.rs), which only drops values it
//! was handed, and none of jemalloc's (background threads are off).
//! jemalloc registers pthread_atfork handlers that take all its locks
//! before fork and release them in both processes, so the child's
//! allocator is consistent whatever the lazyfree thread was doing. The
//! child never touches the lazyfree channel or any other lock another
//! thread may hold: it reads the dataset, writes its own file and pipe,
//! and leaves with `_exit`, running no destructors or atexit handlers.

use std::io;
use std::os::fd::RawFd;

/// What a child does (Redis CHILD_TYPE_*).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChildKind {
    Rdb,
    /// An AOF rewrite (persistence/aof/bgrewrite.rs).
    Aof,
}

/// A report from the child (Redis childInfoData): periodic progress, or
/// the final copy-on-write size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChildInfo {
    /// 0: current info; 1: final RDB COW size; 2: final AOF rewrite COW size.
    pub kind: u64,
    pub keys: u64,
    pub cow: u64,
    pub cow_updated_ms: u64,
}

pub const INFO_CURRENT: u64 = 0;
pub const INFO_RDB_COW: u64 = 1;
/// Final AOF rewrite COW size (CHILD_INFO_TYPE_AOF_COW_SIZE).
pub const INFO_AOF_COW: u64 = 2;
const INFO_LEN: usize = 32;

impl ChildInfo {
    /// Records a report in INFO persistence (Redis `updateChildInfo`): the
    /// COW peak always, progress for a current report. Returns true for a
    /// final COW report, whose size the caller files under its own field.
    pub fn record(&self, p: &mut crate::server::status::Persistence) -> bool {
        p.current_cow_peak = p.current_cow_peak.max(self.cow);
        if self.kind != INFO_CURRENT {
            return true;
        }
        p.current_cow_size = self.cow;
        p.current_cow_size_updated_ms = self.cow_updated_ms as i64;
        p.current_save_keys_processed = self.keys;
        if p.current_save_keys_total > 0 {
            p.current_fork_perc = self.keys as f64 / p.current_save_keys_total as f64 * 100.0;
        }
        false
    }

    fn encode(&self) -> [u8; INFO_LEN] {
        let mut b = [0u8; INFO_LEN];
        for (i, v) in [self.kind, self.keys, self.cow, self.cow_updated_ms]
            .iter()
            .enumerate()
        {
            b[i * 8..i * 8 + 8].copy_from_slice(&v.to_le_bytes());
        }
        b
    }

    fn decode(b: &[u8]) -> ChildInfo {
        let f = |i: usize| {
            let mut x = [0u8; 8];
            x.copy_from_slice(&b[i * 8..i * 8 + 8]);
            u64::from_le_bytes(x)
        };
        ChildInfo {
            kind: f(0),
            keys: f(1),
            cow: f(2),
            cow_updated_ms: f(3),
        }
    }
}

/// The parent's handle on a running child.
#[derive(Debug)]
pub struct Child {
    pub pid: i32,
    pub kind: ChildKind,
    /// Read end of the info pipe (nonblocking).
    info_rd: RawFd,
    partial: Vec<u8>,
}

/// Which side of a fork we are on.
pub enum Forked {
    Parent(Child),
    /// In the child: the write end of the info pipe.
    Child(InfoWriter),
}

/// The child's end of the info pipe.
pub struct InfoWriter {
    fd: RawFd,
}

impl InfoWriter {
    /// Sends one report; dropped if the pipe is full (the parent only
    /// needs the latest).
    pub fn send(&self, info: &ChildInfo) {
        let b = info.encode();
        // SAFETY: `fd` is the pipe's write end, open for the child's life;
        // a write of 32 bytes (< PIPE_BUF) is atomic or fails with EAGAIN.
        unsafe {
            libc::write(self.fd, b.as_ptr().cast(), b.len());
        }
    }
}

/// Forks (redisFork). `close_in_child` are descriptors the child must not
/// keep (listening sockets), closed right after the fork.
pub fn fork(kind: ChildKind, close_in_child: &[RawFd]) -> io::Result<Forked> {
    let mut fds = [0 as RawFd; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_NONBLOCK | libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: see the module comment: no lock another thread may hold is
    // touched by the child, which ends with `_exit`.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        let e = io::Error::last_os_error();
        close_fd(fds[0]);
        close_fd(fds[1]);
        return Err(e);
    }
    if pid == 0 {
        close_fd(fds[0]);
        for &fd in close_in_child {
            close_fd(fd);
        }
        reset_child_signals();
        // The child shares the parent's pages: no dict moves in it.
        crate::ds::dict_resize::set_policy(crate::ds::dict_resize::ResizePolicy::Forbid);
        return Ok(Forked::Child(InfoWriter { fd: fds[1] }));
    }
    close_fd(fds[1]);
    Ok(Forked::Parent(Child {
        pid,
        kind,
        info_rd: fds[0],
        partial: Vec::new(),
    }))
}

fn close_fd(fd: RawFd) {
    // SAFETY: closing a descriptor we own; errors are irrelevant here.
    unsafe {
        libc::close(fd);
    }
}

/// The child takes the default action for the signals the parent handles,
/// so SIGTERM/SIGINT/SIGUSR1 end it (Redis kills children with SIGUSR1).
fn reset_child_signals() {
    // SAFETY: restoring default dispositions is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGTERM, libc::SIG_DFL);
        libc::signal(libc::SIGINT, libc::SIG_DFL);
        libc::signal(libc::SIGUSR1, libc::SIG_DFL);
    }
}

/// Leaves the child (exitFromChild): `_exit`, so no destructor, atexit
/// handler or stdio buffer of the parent's runs twice.
pub fn exit_child(code: i32) -> ! {
    // SAFETY: _exit is always safe to call; it does not return.
    unsafe { libc::_exit(code) }
}

/// How a child ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExitStatus {
    pub pid: i32,
    pub code: i32,
    /// The signal that killed it, 0 if it exited.
    pub signal: i32,
}

/// waitpid(pid, WNOHANG): the child's status once it has ended. Waiting
/// for our child only (Redis waits for any) leaves other children, such as
/// processes a test or a tool spawns, to whoever spawned them.
pub fn try_wait(pid: i32) -> Option<ExitStatus> {
    let mut status = 0;
    // SAFETY: `status` is a valid out pointer.
    let pid = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
    if pid <= 0 {
        return None;
    }
    Some(decode_status(pid, status))
}

fn decode_status(pid: i32, status: i32) -> ExitStatus {
    let (code, signal) = if libc::WIFSIGNALED(status) {
        (-1, libc::WTERMSIG(status))
    } else {
        (libc::WEXITSTATUS(status), 0)
    };
    ExitStatus { pid, code, signal }
}

/// Blocks until `pid` ends (after killing it at shutdown, and in tests).
pub fn wait_blocking(pid: i32) -> Option<ExitStatus> {
    let mut status = 0;
    loop {
        // SAFETY: `status` is a valid out pointer.
        let r = unsafe { libc::waitpid(pid, &mut status, 0) };
        if r == pid {
            return Some(decode_status(pid, status));
        }
        if r < 0 && io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
            return None;
        }
    }
}

impl Child {
    /// Sends SIGUSR1 (killRDBChild): the child dies, and the save is not
    /// counted as an error.
    pub fn kill(&self) {
        // SAFETY: signalling our own child by pid.
        unsafe {
            libc::kill(self.pid, libc::SIGUSR1);
        }
    }

    /// Reads every complete report waiting in the pipe (receiveChildInfo).
    pub fn receive(&mut self) -> Vec<ChildInfo> {
        let mut buf = [0u8; 4096];
        loop {
            // SAFETY: reading into a local buffer from our nonblocking pipe end.
            let n = unsafe { libc::read(self.info_rd, buf.as_mut_ptr().cast(), buf.len()) };
            if n <= 0 {
                break;
            }
            self.partial.extend_from_slice(&buf[..n as usize]);
        }
        let whole = self.partial.len() / INFO_LEN * INFO_LEN;
        let out = self.partial[..whole]
            .chunks(INFO_LEN)
            .map(ChildInfo::decode)
            .collect();
        self.partial.drain(..whole);
        out
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        close_fd(self.info_rd);
    }
}

/// The child's copy-on-write samples (sendChildInfoGeneric's statics):
/// reading smaps is costly, so periodic samples are spaced to take at most
/// 1% of the time (CHILD_COW_DUTY_CYCLE).
#[derive(Default)]
pub struct CowTracker {
    cow: u64,
    peak: u64,
    sum: u64,
    samples: u64,
    updated_us: i64,
    cost_us: i64,
}

const COW_DUTY_CYCLE: i64 = 100;

impl CowTracker {
    /// Returns the COW bytes and the wall-clock ms they were measured at;
    /// `last` forces a sample and logs it at notice level.
    pub fn sample(&mut self, last: bool, log: &crate::log::Logger, what: &str) -> (u64, u64) {
        let now = crate::event_loop::clock::unix_us();
        if last || self.updated_us == 0 || now - self.updated_us > self.cost_us * COW_DUTY_CYCLE {
            self.cow = private_dirty();
            self.updated_us = crate::event_loop::clock::unix_us();
            self.cost_us = self.updated_us - now;
            self.peak = self.peak.max(self.cow);
            self.sum += self.cow;
            self.samples += 1;
            if self.cow > 0 || last {
                let line = format!(
                    "Fork CoW for {}: current {} MB, peak {} MB, average {} MB",
                    what,
                    self.cow >> 20,
                    self.peak >> 20,
                    (self.sum / self.samples) >> 20
                );
                if last {
                    log.notice(&line);
                } else {
                    log.verbose(&line);
                }
            }
        }
        (self.cow, (self.updated_us / 1000) as u64)
    }
}

/// Private_Dirty bytes of this process (zmalloc_get_private_dirty): what
/// copy-on-write has duplicated so far, read in the child.
pub fn private_dirty() -> u64 {
    let text = std::fs::read_to_string("/proc/self/smaps_rollup")
        .or_else(|_| std::fs::read_to_string("/proc/self/smaps"))
        .unwrap_or_default();
    text.lines()
        .filter_map(|l| l.strip_prefix("Private_Dirty:"))
        .filter_map(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .sum::<u64>()
        * 1024
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_roundtrip() {
        let i = ChildInfo {
            kind: INFO_RDB_COW,
            keys: 7,
            cow: 4096,
            cow_updated_ms: 123,
        };
        assert_eq!(ChildInfo::decode(&i.encode()), i);
    }

    #[test]
    fn fork_report_and_exit() {
        match fork(ChildKind::Rdb, &[]).unwrap() {
            Forked::Child(w) => {
                w.send(&ChildInfo {
                    kind: INFO_CURRENT,
                    keys: 42,
                    cow: 0,
                    cow_updated_ms: 1,
                });
                exit_child(3);
            }
            Forked::Parent(mut c) => {
                let st = wait_blocking(c.pid).unwrap();
                assert_eq!((st.code, st.signal), (3, 0));
                let got = c.receive();
                assert_eq!(got.len(), 1);
                assert_eq!(got[0].keys, 42);
            }
        }
    }

    #[test]
    fn private_dirty_reads() {
        assert!(private_dirty() > 0);
    }
}
