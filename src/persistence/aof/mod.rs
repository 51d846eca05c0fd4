//! The append-only file (Redis aof.c): commands propagated by writes are
//! accumulated in `buf` during an event-loop iteration and written in
//! before-sleep, before any reply leaves (`flushAppendOnlyFile`), with the
//! `appendfsync` policy: `always` fsyncs at once, `everysec` hands the fsync
//! to a background thread about once a second, `no` leaves it to the OS.

pub mod basefile;
pub mod bgrewrite;
pub mod bio;
pub mod commands;
pub mod load;
pub mod manifest;
pub mod rewrite;
pub mod rewrite_stream;
pub mod startup;
#[cfg(test)]
mod tests;

use std::fs::File;
use std::io::Write;

use crate::server::Server;
pub use startup::{start, StartError, DEBUG_SUBCOMMANDS};

/// An AOF operation failed; the reason is already in the log.
#[derive(Debug)]
pub struct Failed;

/// `appendfsync` values as the config table stores them (Redis AOF_FSYNC_*).
pub const FSYNC_NO: i64 = 0;
pub const FSYNC_ALWAYS: i64 = 1;
pub const FSYNC_EVERYSEC: i64 = 2;

/// Redis `aof_state`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum State {
    #[default]
    Off,
    On,
    /// Enabled at runtime and waiting for the first rewrite to finish;
    /// writes go to a temp incremental file meanwhile.
    WaitRewrite,
}

/// The AOF's runtime state (Redis `server.aof_*`).
#[derive(Default)]
pub struct Aof {
    pub state: State,
    /// Commands not yet written (Redis `aof_buf`).
    pub buf: Vec<u8>,
    /// The incremental file being appended to.
    pub file: Option<File>,
    pub manifest: manifest::Manifest,
    /// The db of the last command written; a SELECT goes out when it changes.
    pub selected_db: Option<usize>,
    /// Unix time of the last `#TS:` annotation.
    pub cur_timestamp: i64,
    /// Unix time of the last fsync (or its hand-off to the background thread).
    pub last_fsync: i64,
    /// Unix time a write was first postponed for a running fsync (0: none).
    pub flush_postponed_start: i64,
    /// `aof_current_size` at the last fsync.
    pub fsync_offset: u64,
    /// Size of the incremental file being appended to.
    pub last_incr_size: u64,
    /// The last write error's strerror text, while writes fail (Redis
    /// `aof_last_write_status` / `aof_last_write_errno`).
    pub last_write_errno: Option<String>,
    pub bio: Option<bio::FsyncWorker>,
    /// The running rewrite child (BGREWRITEAOF, automatic, or the first
    /// rewrite of CONFIG SET appendonly yes).
    pub child: Option<crate::persistence::child::Child>,
    /// aofRewriteLimited's backoff: the current delay and when it ends.
    pub limit_delay_minutes: i64,
    pub limit_next_time: i64,
}

/// Appends a propagated command to `buf` (Redis `feedAppendOnlyFile`),
/// preceded by `#TS:` when timestamps are on and a SELECT when the db
/// changed. `db` None (Redis dbid -1, for MULTI/EXEC) never selects.
pub fn feed(srv: &mut Server, db: Option<usize>, argv: &[Vec<u8>]) {
    // While waiting for the first rewrite, writes are kept only once the
    // rewrite child exists: the dataset it forked with covers the rest.
    let waiting = srv.aof.state == State::WaitRewrite && srv.aof.child.is_some();
    if srv.aof.state != State::On && !waiting {
        return;
    }
    let now = srv.time.unixtime;
    let aof = &mut srv.aof;
    if srv.config.aof_timestamp_enabled && aof.cur_timestamp < now {
        aof.buf
            .extend_from_slice(format!("#TS:{}\r\n", now).as_bytes());
        aof.cur_timestamp = now;
    }
    if let Some(db) = db.filter(|&d| aof.selected_db != Some(d)) {
        let id = db.to_string();
        cat_command(&mut aof.buf, &[b"SELECT", id.as_bytes()]);
        aof.selected_db = Some(db);
    }
    cat_command(&mut aof.buf, argv);
    srv.status.persistence.aof_buffer_length = aof.buf.len() as u64;
}

/// Appends `argv` in RESP (Redis `catAppendOnlyGenericCommand`).
pub fn cat_command<A: AsRef<[u8]>>(buf: &mut Vec<u8>, argv: &[A]) {
    buf.extend_from_slice(format!("*{}\r\n", argv.len()).as_bytes());
    for a in argv {
        let a = a.as_ref();
        buf.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        buf.extend_from_slice(a);
        buf.extend_from_slice(b"\r\n");
    }
}

/// Before-sleep: write the buffer before replies go out (Redis beforeSleep).
pub fn before_sleep(srv: &mut Server) {
    if srv.aof.state != State::Off {
        flush(srv, false);
    }
    sync_status(srv);
}

/// serverCron: the rewrite child, scheduled and automatic rewrites; retry
/// a postponed flush, and a failed write once a second.
pub fn cron(srv: &mut Server, every_second: bool) {
    bgrewrite::cron(srv);
    if srv.aof.state == State::Off {
        return;
    }
    if srv.aof.flush_postponed_start != 0 || (every_second && srv.aof.last_write_errno.is_some()) {
        flush(srv, false);
    }
    sync_status(srv);
}

/// Copies what INFO reads into `srv.status`.
fn sync_status(srv: &mut Server) {
    let p = &mut srv.status.persistence;
    p.aof_buffer_length = srv.aof.buf.len() as u64;
    p.aof_pending_bio_fsync = srv.aof.bio.as_ref().map_or(0, |b| b.pending());
    // INFO keeps reporting a failed write after the AOF is turned off.
    let ok = srv.aof.last_write_errno.is_none()
        && srv.aof.bio.as_ref().is_none_or(|b| b.error().is_none());
    srv.status.persistence.aof_last_write_ok = ok;
}

/// Why writes must be refused: the last write failed, or the last
/// background fsync did.
fn write_error_text(srv: &Server) -> Option<String> {
    if srv.aof.state == State::Off {
        return None;
    }
    srv.aof
        .last_write_errno
        .clone()
        .or_else(|| srv.aof.bio.as_ref().and_then(|b| b.error()))
}

/// The MISCONF error for write commands while the AOF cannot be written
/// (Redis `writeCommandsDeniedByDiskError`, DISK_ERROR_TYPE_AOF).
pub fn write_error(srv: &Server) -> Option<crate::error::CmdError> {
    let text = write_error_text(srv)?;
    Some(crate::error::CmdError::from_bytes(
        format!("MISCONF Errors writing to the AOF file: {}", text).into_bytes(),
    ))
}

/// CONFIG SET appendonly (Redis `updateAppendonly`).
pub fn update_appendonly(srv: &mut Server) -> Result<(), String> {
    if !srv.config.appendonly && srv.aof.state != State::Off {
        stop(srv);
    } else if srv.config.appendonly
        && srv.aof.state == State::Off
        && start_append_only(srv).is_err()
    {
        return Err("Unable to turn on AOF. Check server logs.".into());
    }
    Ok(())
}

/// CONFIG SET aof-disable-auto-gc (Redis `updateAofAutoGCEnabled`):
/// turning the collection back on removes the history files at once.
pub fn update_auto_gc(srv: &mut Server) -> Result<(), String> {
    if !srv.config.aof_disable_auto_gc {
        let d = std::path::PathBuf::from(&srv.config.appenddirname);
        bgrewrite::del_history_files(srv, &d);
    }
    Ok(())
}

/// Turns the AOF on at runtime (Redis `startAppendOnly`): a rewrite child
/// writes the base from the dataset while writes collect in a temp
/// incremental file; the AOF is on once the rewrite is installed. With
/// another child running (or inside EXEC) the rewrite is scheduled.
pub fn start_append_only(srv: &mut Server) -> Result<(), Failed> {
    srv.aof.state = State::WaitRewrite;
    startup::start_bio(srv);
    let other_child = srv.status.persistence.has_child() && srv.aof.child.is_none();
    if other_child {
        srv.status.persistence.aof_rewrite_scheduled = true;
        srv.log.warning("AOF was enabled but there is already another background operation. An AOF background was scheduled to start when possible.");
    } else if srv.propagation.in_exec {
        srv.status.persistence.aof_rewrite_scheduled = true;
        srv.log.warning("AOF was enabled during a transaction. An AOF background was scheduled to start when possible.");
    } else {
        // A rewrite started with the AOF off collects no writes: restart.
        if srv.aof.child.is_some() {
            srv.log.warning("AOF was enabled but there is already an AOF rewriting in background. Stopping background AOF and starting a rewrite now.");
            bgrewrite::kill_child(srv);
        }
        if bgrewrite::start(srv).is_err() {
            srv.aof.state = State::Off;
            srv.log.warning("Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error.");
            return Err(Failed);
        }
    }
    srv.aof.last_fsync = srv.time.unixtime;
    if srv.aof.bio.as_ref().is_some_and(|b| b.clear_error()) {
        srv.log
            .warning("AOF reopen, just ignore the AOF fsync error in bio job");
    }
    if srv.aof.last_write_errno.take().is_some() {
        srv.log.warning("AOF reopen, just ignore the last error.");
    }
    srv.status.persistence.aof_enabled = true;
    sync_status(srv);
    Ok(())
}

/// Turns the AOF off at runtime (Redis `stopAppendOnly`): flush, fsync,
/// close, and kill a rewrite child.
pub fn stop(srv: &mut Server) {
    flush(srv, true);
    if let Some(f) = srv.aof.file.take() {
        match f.sync_data() {
            Ok(()) => {
                srv.aof.fsync_offset = srv.status.persistence.aof_current_size;
                srv.aof.last_fsync = srv.time.unixtime;
            }
            Err(e) => srv.log.warning(&format!(
                "Fail to fsync the AOF file: {}",
                crate::util::strerror(&e)
            )),
        }
    }
    srv.aof.selected_db = None;
    srv.aof.state = State::Off;
    srv.aof.last_incr_size = 0;
    srv.status.persistence.aof_rewrite_scheduled = false;
    bgrewrite::kill_child(srv);
    srv.aof.buf.clear();
    srv.status.persistence.aof_enabled = false;
    sync_status(srv);
}

/// Writes `buf` to the incremental file and fsyncs by policy (Redis
/// `flushAppendOnlyFile`). Under everysec a write waits up to 2 seconds for a
/// running background fsync, then goes ahead and counts a delayed fsync.
pub fn flush(srv: &mut Server, force: bool) {
    let policy = srv.config.appendfsync;
    let now = srv.time.unixtime;
    let sync_in_progress =
        policy == FSYNC_EVERYSEC && srv.aof.bio.as_ref().is_some_and(|b| b.pending() != 0);
    if srv.aof.buf.is_empty() {
        // Under everysec an fsync may still be owed for earlier writes.
        if policy == FSYNC_EVERYSEC
            && srv.aof.fsync_offset != srv.status.persistence.aof_current_size
            && now > srv.aof.last_fsync
            && !sync_in_progress
        {
            try_fsync(srv, policy, now, sync_in_progress);
        }
        return;
    }
    if policy == FSYNC_EVERYSEC && !force && sync_in_progress {
        if srv.aof.flush_postponed_start == 0 {
            srv.aof.flush_postponed_start = now;
            return;
        } else if now - srv.aof.flush_postponed_start < 2 {
            return;
        }
        srv.status.persistence.aof_delayed_fsync += 1;
        srv.log.notice("Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer without waiting for fsync to complete, this may slow down Redis.");
    }
    if srv.debug.aof_flush_sleep_us > 0 {
        std::thread::sleep(std::time::Duration::from_micros(
            srv.debug.aof_flush_sleep_us as u64,
        ));
    }
    if !write_buffer(srv, policy) {
        return;
    }
    try_fsync(srv, policy, now, sync_in_progress);
}

/// Writes the whole buffer; false when (part of) it must be retried later.
fn write_buffer(srv: &mut Server, policy: i64) -> bool {
    srv.aof.flush_postponed_start = 0;
    let Some(file) = srv.aof.file.as_mut() else {
        return false;
    };
    let len = srv.aof.buf.len();
    let (written, err) = write_all_counting(file, &srv.aof.buf);
    if written == len {
        let p = &mut srv.status.persistence;
        p.aof_current_size += len as u64;
        srv.aof.last_incr_size += len as u64;
        srv.aof.buf.clear();
        if srv.aof.last_write_errno.take().is_some() {
            srv.log
                .warning("AOF write error looks solved, Redis can write again.");
        }
        return true;
    }
    // A short write without an error is reported as a full disk, as Redis does.
    let (msg, errno) = match &err {
        Some(e) if written == 0 => {
            let s = crate::util::strerror(e);
            (format!("Error writing to the AOF file: {}", s), s)
        }
        _ => (
            format!(
                "Short write while writing to the AOF file: (nwritten={}, expected={})",
                written, len
            ),
            "No space left on device".to_string(),
        ),
    };
    if srv.aof.last_write_errno.is_none() {
        srv.log.warning(&msg);
    }
    // Remove a partial command so the file stays loadable; if that fails,
    // keep what was written and retry the rest.
    let keep = srv.aof.last_incr_size;
    let truncated = written == 0 || file.set_len(keep).is_ok();
    if !truncated {
        srv.status.persistence.aof_current_size += written as u64;
        srv.aof.last_incr_size += written as u64;
        srv.aof.buf.drain(..written);
    }
    if policy == FSYNC_ALWAYS {
        srv.log.warning(
            "Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...",
        );
        exit_now();
    }
    srv.aof.last_write_errno = Some(errno);
    sync_status(srv);
    false
}

fn write_all_counting(file: &mut File, mut data: &[u8]) -> (usize, Option<std::io::Error>) {
    let mut written = 0;
    while !data.is_empty() {
        match file.write(data) {
            Ok(0) => return (written, None),
            Ok(n) => {
                written += n;
                data = &data[n..];
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return (written, Some(e)),
        }
    }
    (written, None)
}

fn try_fsync(srv: &mut Server, policy: i64, now: i64, sync_in_progress: bool) {
    // no-appendfsync-on-rewrite: a child is doing heavy I/O, skip the fsync.
    if srv.config.no_appendfsync_on_rewrite && srv.status.persistence.has_child() {
        return;
    }
    if policy == FSYNC_ALWAYS {
        if let Some(Err(e)) = srv.aof.file.as_ref().map(|f| f.sync_data()) {
            srv.log.warning(&format!(
                "Can't persist AOF for fsync error when the AOF fsync policy is 'always': {}. Exiting...",
                crate::util::strerror(&e)
            ));
            exit_now();
        }
        srv.aof.fsync_offset = srv.status.persistence.aof_current_size;
        srv.aof.last_fsync = now;
    } else if policy == FSYNC_EVERYSEC && now > srv.aof.last_fsync {
        if !sync_in_progress {
            if let (Some(bio), Some(f)) = (srv.aof.bio.as_ref(), srv.aof.file.as_ref()) {
                bio.fsync(f);
            }
            srv.aof.fsync_offset = srv.status.persistence.aof_current_size;
        }
        srv.aof.last_fsync = now;
    }
}

/// finishShutdown's AOF part: kill a rewrite child (the AOF we have is
/// complete, if longer), then flush and fsync. Refuses (Err) while the
/// first rewrite of a runtime `appendonly yes` is running, unless `force`:
/// the dataset would not be on disk yet.
pub fn shutdown(srv: &mut Server, force: bool) -> Result<(), Failed> {
    if srv.aof.child.is_some() {
        if srv.aof.state == State::WaitRewrite {
            if !force {
                srv.log.warning("Writing initial AOF, can't exit.");
                return Err(Failed);
            }
            srv.log.warning("Writing initial AOF. Exit anyway.");
        }
        srv.log
            .warning("There is a child rewriting the AOF. Killing it!");
        bgrewrite::kill_child(srv);
    }
    if srv.aof.state == State::Off {
        return Ok(());
    }
    srv.log.notice("Calling fsync() on the AOF file.");
    flush(srv, true);
    if let Some(Err(e)) = srv.aof.file.as_ref().map(|f| f.sync_data()) {
        srv.log.warning(&format!(
            "Fail to fsync the AOF file: {}.",
            crate::util::strerror(&e)
        ));
    }
    Ok(())
}

/// An unrecoverable AOF error under `appendfsync always`: acknowledged
/// writes could be lost, so Redis exits at once.
#[allow(clippy::disallowed_methods)]
pub(super) fn exit_now() -> ! {
    std::process::exit(1)
}
