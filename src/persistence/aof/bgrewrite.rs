//! Background AOF rewrite, the parent's side (Redis aof.c
//! `rewriteAppendOnlyFileBackground`, `openNewIncrAofForAppend`,
//! `backgroundRewriteDoneHandler`, `killAppendOnlyChild`,
//! `aofRewriteLimited`, `aofDelHistoryFiles`, and serverCron's AOF part).
//!
//! Before forking, the parent switches to a new incremental file and
//! persists a manifest naming it, so everything written from then on lands
//! in a file the new base does not cover (no rewrite buffer, as in 7.0).
//! When the child has written `temp-rewriteaof-bg-<pid>.aof`, the parent
//! renames it to the next base, marks the old base and the incremental
//! files before the current one as history, persists the manifest and
//! removes the history files.

use std::fs::OpenOptions;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use super::basefile::{bg_temp_name, temp_name};
use super::manifest::{self, FileType};
use super::{Failed, State};
use crate::persistence::child::{self, ChildKind, Forked};
use crate::server::Server;
use crate::util::strerror;

/// Redis AOF_REWRITE_LIMITE_THRESHOLD / _MAX_MINUTES: after 3 failures in a
/// row, automatic rewrites back off 1, 2, 4 ... up to 60 minutes.
const LIMIT_THRESHOLD: u64 = 3;
const LIMIT_MAX_MINUTES: i64 = 60;

fn dir(srv: &Server) -> PathBuf {
    PathBuf::from(&srv.config.appenddirname)
}

/// `temp-<appendfilename>.incr`: the incremental file written while the
/// AOF waits for its first rewrite (CONFIG SET appendonly yes).
pub fn temp_incr_name(srv: &Server) -> String {
    format!("temp-{}.incr", srv.config.appendfilename)
}

/// rewriteAppendOnlyFileBackground: switch to a new incremental file and
/// fork the child that writes the new base. Err when nothing was started
/// (logged).
pub fn start(srv: &mut Server) -> Result<(), Failed> {
    if srv.status.persistence.has_child() {
        return Err(Failed);
    }
    let d = dir(srv);
    if prepare(srv, &d).is_err() {
        srv.status.persistence.aof_lastbgrewrite_ok = false;
        return Err(Failed);
    }
    srv.status.persistence.aof_rewrites += 1;
    let start = srv.mono.now_us();
    let listeners = srv.listener_fds();
    match child::fork(ChildKind::Aof, &listeners) {
        Err(e) => {
            srv.status.persistence.aof_lastbgrewrite_ok = false;
            srv.log.warning(&format!(
                "Can't rewrite append only file in background: fork: {}",
                strerror(&e)
            ));
            Err(Failed)
        }
        Ok(Forked::Child(info)) => {
            srv.setup_fork_child(b"redis-aof-rewrite");
            super::basefile::child_main(srv, info)
        }
        Ok(Forked::Parent(c)) => {
            srv.record_fork(start);
            srv.log.notice(&format!(
                "Background append only file rewriting started by pid {}",
                c.pid
            ));
            let p = &mut srv.status.persistence;
            p.aof_rewrite_scheduled = false;
            p.aof_rewrite_time_start = srv.time.unixtime;
            p.aof_child_pid = Some(c.pid);
            p.current_save_keys_total = srv.dbs.iter().map(|d| d.len() as u64).sum();
            srv.aof.child = Some(c);
            srv.update_dict_resize_policy();
            Ok(())
        }
    }
}

/// Before the fork: the directory exists, the manifest is known, the
/// buffer is flushed and the new incremental file is open.
fn prepare(srv: &mut Server, d: &Path) -> Result<(), Failed> {
    if let Err(e) = std::fs::create_dir_all(d) {
        srv.log.warning(&format!(
            "Can't open or create append-only dir {}: {}",
            d.display(),
            strerror(&e)
        ));
        return Err(Failed);
    }
    // Redis reads the manifest at startup even with appendonly no: the
    // files it names become history of this rewrite.
    if srv.aof.state != State::On && srv.aof.manifest.is_empty() {
        srv.aof.manifest = super::startup::load_manifest(srv, d).map_err(|()| Failed)?;
    }
    // The next command written must SELECT its db in the new file.
    srv.aof.selected_db = None;
    if srv.aof.state != State::Off {
        super::flush(srv, true);
    }
    open_new_incr(srv, d)
}

/// openNewIncrAofForAppend: with the AOF on, the next incremental file is
/// created and named in the manifest before the fork; while waiting for the
/// first rewrite, a temp incremental file collects the writes. The old
/// file is fsynced and closed in the background.
fn open_new_incr(srv: &mut Server, d: &Path) -> Result<(), Failed> {
    if srv.aof.state == State::Off {
        return Ok(());
    }
    let fname = srv.config.appendfilename.clone();
    let (name, m) = if srv.aof.state == State::WaitRewrite {
        (temp_incr_name(srv), None)
    } else {
        let mut m = srv.aof.manifest.clone();
        (m.new_incr(&fname), Some(m))
    };
    let file = OpenOptions::new()
        .append(true)
        .create(true)
        .custom_flags(libc::O_TRUNC)
        .open(d.join(&name));
    let file = match file {
        Ok(f) => f,
        Err(e) => {
            srv.log.warning(&format!(
                "Can't open the append-only file {}: {}",
                name,
                strerror(&e)
            ));
            return Err(Failed);
        }
    };
    if let Some(m) = &m {
        if let Err(msg) = manifest::persist(d, &fname, m) {
            srv.log.warning(&msg);
            return Err(Failed);
        }
    }
    srv.log.notice(&format!(
        "Creating AOF incr file {} on background rewrite",
        name
    ));
    if let Some(old) = srv.aof.file.take() {
        // aof_background_fsync_and_close: under always the file is already
        // synced; under everysec the fsync may be late but must happen.
        if let Some(bio) = srv.aof.bio.as_ref() {
            bio.fsync_and_close(old);
        }
        srv.aof.fsync_offset = srv.status.persistence.aof_current_size;
        srv.aof.last_fsync = srv.time.unixtime;
    }
    srv.aof.file = Some(file);
    srv.aof.last_incr_size = 0;
    if let Some(m) = m {
        srv.aof.manifest = m;
    }
    Ok(())
}

/// serverCron's AOF rewrite part: take the child's reports and reap it,
/// start a scheduled rewrite, or an automatic one on growth.
pub fn cron(srv: &mut Server) {
    let p = &srv.status.persistence;
    if !p.has_child() && p.aof_rewrite_scheduled && !limited(srv) {
        let _ = start(srv);
    }
    if srv.aof.child.is_some() {
        receive_child_info(srv);
        check_child_done(srv);
        return;
    }
    if srv.status.persistence.has_child() || srv.aof.state != State::On {
        return;
    }
    let p = &srv.status.persistence;
    let perc = srv.config.auto_aof_rewrite_percentage;
    if perc == 0 || p.aof_current_size <= srv.config.auto_aof_rewrite_min_size.max(0) as u64 {
        return;
    }
    let base = p.aof_base_size.max(1);
    let growth = (p.aof_current_size as i128 * 100 / base as i128 - 100) as i64;
    if growth >= perc && !limited(srv) {
        srv.log.notice(&format!(
            "Starting automatic rewriting of AOF on {}% growth",
            growth
        ));
        let _ = start(srv);
    }
}

/// aofRewriteLimited: after repeated failures, wait longer and longer
/// before the next automatic or scheduled rewrite.
fn limited(srv: &mut Server) -> bool {
    let aof = &mut srv.aof;
    if srv.status.persistence.aof_rewrites_consecutive_failures < LIMIT_THRESHOLD {
        aof.limit_delay_minutes = 0;
        aof.limit_next_time = 0;
        return false;
    }
    if aof.limit_next_time != 0 {
        if srv.time.unixtime < aof.limit_next_time {
            return true;
        }
        aof.limit_next_time = 0;
        return false;
    }
    aof.limit_delay_minutes = if aof.limit_delay_minutes == 0 {
        1
    } else {
        (aof.limit_delay_minutes * 2).min(LIMIT_MAX_MINUTES)
    };
    aof.limit_next_time = srv.time.unixtime + aof.limit_delay_minutes * 60;
    srv.log.warning(&format!(
        "Background AOF rewrite has repeatedly failed and triggered the limit, will retry in {} minutes",
        aof.limit_delay_minutes
    ));
    true
}

/// receiveChildInfo for the rewrite child.
fn receive_child_info(srv: &mut Server) {
    let Some(c) = srv.aof.child.as_mut() else {
        return;
    };
    let p = &mut srv.status.persistence;
    for info in c.receive() {
        if info.record(p) && info.kind == child::INFO_AOF_COW {
            p.aof_last_cow_size = p.current_cow_peak;
        }
    }
}

/// checkChildrenDone for the rewrite child: waitpid without blocking.
fn check_child_done(srv: &mut Server) {
    let Some(pid) = srv.aof.child.as_ref().map(|c| c.pid) else {
        return;
    };
    let Some(st) = child::try_wait(pid) else {
        return;
    };
    if st.signal == 0 && st.code == 0 {
        receive_child_info(srv);
    }
    rewrite_done(srv, pid, st.code, st.signal);
    reset_child_state(srv);
}

/// resetChildState for the rewrite child.
fn reset_child_state(srv: &mut Server) {
    srv.aof.child = None;
    srv.update_dict_resize_policy();
    let p = &mut srv.status.persistence;
    p.aof_child_pid = None;
    p.current_cow_peak = 0;
    p.current_cow_size = 0;
    p.current_cow_size_updated_ms = 0;
    p.current_save_keys_processed = 0;
    p.current_save_keys_total = 0;
    p.current_fork_perc = 0.0;
}

/// backgroundRewriteDoneHandler.
fn rewrite_done(srv: &mut Server, pid: i32, code: i32, signal: i32) {
    let p = &mut srv.status.persistence;
    if signal == 0 && code == 0 {
        let start = crate::event_loop::clock::unix_us();
        srv.log
            .notice("Background AOF rewrite terminated with success");
        if install(srv, pid as u32).is_ok() {
            srv.log.verbose(&format!(
                "Background AOF rewrite signal handler took {}us",
                crate::event_loop::clock::unix_us() - start
            ));
        }
    } else if signal == 0 {
        p.aof_lastbgrewrite_ok = false;
        p.aof_rewrites_consecutive_failures += 1;
        srv.log
            .warning("Background AOF rewrite terminated with error");
    } else {
        // SIGUSR1 is how we kill a child on purpose: not an error.
        if signal != libc::SIGUSR1 {
            p.aof_lastbgrewrite_ok = false;
            p.aof_rewrites_consecutive_failures += 1;
        }
        srv.log.warning(&format!(
            "Background AOF rewrite terminated by signal {}",
            signal
        ));
    }
    remove_temp_files(pid as u32);
    let waiting = srv.aof.state == State::WaitRewrite;
    if waiting {
        // The first rewrite failed: drop what the temp file collected; a
        // new rewrite starts from the dataset again.
        srv.aof.buf.clear();
        let name = temp_incr_name(srv);
        srv.log.notice(&format!(
            "Removing the temp incr aof file {} in the background",
            name
        ));
        bg_unlink(srv, &dir(srv).join(name));
    }
    let p = &mut srv.status.persistence;
    p.aof_last_rewrite_time_sec = srv.time.unixtime - p.aof_rewrite_time_start;
    p.aof_rewrite_time_start = -1;
    if waiting {
        p.aof_rewrite_scheduled = true;
    }
}

/// The success path: the new base (and, when the AOF was waiting for this
/// rewrite, the temp incremental file) renamed into place, the manifest
/// switched, history removed.
fn install(srv: &mut Server, pid: u32) -> Result<(), Failed> {
    let d = dir(srv);
    let fname = srv.config.appendfilename.clone();
    let tmp = bg_temp_name(pid);
    let mut m = srv.aof.manifest.clone();
    let base = m.new_base(&fname, srv.config.aof_use_rdb_preamble);
    let base_path = d.join(&base);
    if let Err(e) = std::fs::rename(&tmp, &base_path) {
        srv.log.warning(&format!(
            "Error trying to rename the temporary AOF file {} into {}: {}",
            tmp,
            base_path.display(),
            strerror(&e)
        ));
        return Err(Failed);
    }
    srv.log.notice(&format!(
        "Successfully renamed the temporary AOF base file {} into {}",
        tmp, base
    ));
    let mut new_incr_path = None;
    if srv.aof.state == State::WaitRewrite {
        match rename_temp_incr(srv, &d, &mut m) {
            Ok(p) => new_incr_path = Some(p),
            Err(Failed) => {
                bg_unlink(srv, &base_path);
                return Err(Failed);
            }
        }
    }
    mark_rewritten_incr_as_history(&mut m, srv.aof.file.is_some());
    if let Err(msg) = manifest::persist(&d, &fname, &m) {
        srv.log.warning(&msg);
        bg_unlink(srv, &base_path);
        if let Some(p) = new_incr_path {
            bg_unlink(srv, &p);
        }
        return Err(Failed);
    }
    srv.aof.manifest = m;
    if srv.aof.file.is_some() {
        reset_sizes(srv, &base_path);
    }
    del_history_files(srv, &d);
    let p = &mut srv.status.persistence;
    p.aof_lastbgrewrite_ok = true;
    p.aof_rewrites_consecutive_failures = 0;
    srv.log
        .notice("Background AOF rewrite finished successfully");
    if srv.aof.state == State::WaitRewrite {
        srv.aof.state = State::On;
    }
    Ok(())
}

/// With the AOF on: the AOF is now the new base plus the current
/// incremental file, which is also the size automatic rewrites grow from.
fn reset_sizes(srv: &mut Server, base_path: &Path) {
    srv.aof.selected_db = None;
    let base_size = std::fs::metadata(base_path).map_or(0, |md| md.len());
    let size = base_size + srv.aof.last_incr_size;
    let p = &mut srv.status.persistence;
    p.aof_current_size = size;
    p.aof_base_size = size;
    srv.aof.fsync_offset = size;
    srv.aof.last_fsync = srv.time.unixtime;
}

/// The temp incremental file of a first rewrite becomes the next
/// incremental file of the manifest.
fn rename_temp_incr(srv: &Server, d: &Path, m: &mut manifest::Manifest) -> Result<PathBuf, Failed> {
    let temp_incr = temp_incr_name(srv);
    let incr = m.new_incr(&srv.config.appendfilename);
    let path = d.join(&incr);
    if let Err(e) = std::fs::rename(d.join(&temp_incr), &path) {
        srv.log.warning(&format!(
            "Error trying to rename the temporary AOF incr file {} into {}: {}",
            d.join(&temp_incr).display(),
            path.display(),
            strerror(&e)
        ));
        return Err(Failed);
    }
    srv.log.notice(&format!(
        "Successfully renamed the temporary AOF incr file {} into {}",
        temp_incr, incr
    ));
    Ok(path)
}

/// markRewrittenIncrAofAsHistory: every incremental file the new base
/// covers becomes history; the one being appended to (the last, when the
/// AOF is on) stays.
pub(super) fn mark_rewritten_incr_as_history(m: &mut manifest::Manifest, appending: bool) {
    let keep = usize::from(appending).min(m.incr.len());
    let split = m.incr.len() - keep;
    let done: Vec<_> = m.incr.drain(..split).collect();
    for mut i in done.into_iter().rev() {
        i.kind = FileType::History;
        m.history.insert(0, i);
    }
}

/// aofRemoveTempFile: both names a rewrite child may have left.
fn remove_temp_files(pid: u32) {
    let _ = std::fs::remove_file(bg_temp_name(pid));
    let _ = std::fs::remove_file(temp_name(pid));
}

/// bg_unlink: the name goes at once; the last close, which frees the
/// blocks of a big file, happens on the background thread when there is
/// one, else here.
fn bg_unlink(srv: &Server, path: &Path) {
    let file = std::fs::File::open(path);
    let _ = std::fs::remove_file(path);
    if let (Ok(f), Some(bio)) = (file, srv.aof.bio.as_ref()) {
        bio.close(f);
    }
}

/// aofDelHistoryFiles: removes the history files and drops them from the
/// manifest, unless aof-disable-auto-gc.
pub fn del_history_files(srv: &mut Server, d: &Path) {
    if srv.config.aof_disable_auto_gc || srv.aof.manifest.history.is_empty() {
        return;
    }
    for h in std::mem::take(&mut srv.aof.manifest.history) {
        srv.log.notice(&format!(
            "Removing the history file {} in the background",
            h.name
        ));
        bg_unlink(srv, &d.join(&h.name));
    }
    let fname = srv.config.appendfilename.clone();
    if let Err(msg) = manifest::persist(d, &fname, &srv.aof.manifest) {
        srv.log.warning(&msg);
    }
}

/// killAppendOnlyChild: SIGUSR1, wait for it, remove its temp files. The
/// done handler does not run (nothing is installed).
pub fn kill_child(srv: &mut Server) {
    let Some(c) = srv.aof.child.as_ref() else {
        return;
    };
    let pid = c.pid;
    srv.log
        .notice(&format!("Killing running AOF rewrite child: {}", pid));
    c.kill();
    let _ = child::wait_blocking(pid);
    remove_temp_files(pid as u32);
    reset_child_state(srv);
    srv.status.persistence.aof_rewrite_time_start = -1;
}
