//! Saving the dataset (Redis rdb.c rdbSaveRio, rdbSave, rdbSaveBackground
//! and backgroundSaveDoneHandler): the writer over every database, the
//! foreground save, BGSAVE through a forked child, and the parent's
//! bookkeeping when the child ends.

use std::fs::File;
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};

use super::child::{self, ChildInfo, ChildKind, CowTracker, Forked, InfoWriter};
use super::rdb::file::{self, KeyMeta};
use super::rio::RioWriter;
use crate::ds::dict::Entry;
use crate::keyspace::{evict, Db, Key};
use crate::log::Logger;
use crate::server::Server;
use crate::types::Value;

/// A save that failed; the reason is already in the log.
#[derive(Debug)]
pub struct SaveFailed;

/// How often the child reports progress, checked every 1024 keys from the first.
const INFO_EVERY_MS: i64 = 1000;
/// Seconds before a failed BGSAVE is retried by a save point (CONFIG_BGSAVE_RETRY_DELAY).
pub const BGSAVE_RETRY_DELAY: i64 = 5;

/// dir/dbfilename.
pub fn rdb_path(srv: &Server) -> PathBuf {
    Path::new(&srv.config.dir).join(&srv.config.dbfilename)
}

/// dir/temp-<pid>.rdb: where a save of process `pid` writes first.
pub fn temp_path(srv: &Server, pid: u32) -> PathBuf {
    Path::new(&srv.config.dir).join(format!("temp-{}.rdb", pid))
}

/// The aux fields Redis 7.0 writes (no replication info without a backlog);
/// `aof-base` is 1 in an AOF base file.
fn aux_fields(aof_base: bool) -> Vec<(&'static str, String)> {
    vec![
        ("redis-ver", crate::REDIS_VERSION.to_string()),
        ("redis-bits", (usize::BITS).to_string()),
        (
            "ctime",
            (crate::event_loop::clock::unix_ms() / 1000).to_string(),
        ),
        ("used-mem", crate::alloc::used_memory().to_string()),
        ("aof-base", u8::from(aof_base).to_string()),
    ]
}

/// debugDelay: sleep `usec` per key; a negative value sleeps 1us with
/// probability 1/|usec|.
pub fn key_delay(usec: i64, n: u64) {
    let us = if usec < 0 {
        u64::from(n.is_multiple_of(usec.unsigned_abs()))
    } else {
        usec as u64
    };
    if us > 0 {
        std::thread::sleep(std::time::Duration::from_micros(us));
    }
}

/// Keys between prefetching an entry's value box and writing it.
const AHEAD: usize = 8;

/// rdbSaveKeyValuePair for one dict entry, with its expire and its LRU or
/// LFU data as the maxmemory policy wants.
fn save_entry<W: io::Write>(
    srv: &Server,
    db: &Db,
    e: &Entry<Key, Value>,
    now: i64,
    w: &mut RioWriter<W>,
) -> io::Result<()> {
    let key = e.key().bytes();
    let policy = srv.config.maxmemory_policy;
    let mut meta = KeyMeta {
        expire_ms: db.expire_of(key),
        ..KeyMeta::NONE
    };
    if policy & evict::FLAG_LRU != 0 {
        meta.lru_idle_secs = (evict::idle_ms(e.key().meta(), now) / 1000) as i64;
    } else if evict::is_lfu(policy) {
        meta.lfu_freq =
            evict::lfu_decr_and_return(e.key().meta(), now, srv.config.lfu_decay_time) as i64;
    }
    let compress = srv.config.rdbcompression;
    super::objects::with_saving(&e.val, |val| file::save_key(w, key, val, meta, compress))
}

/// rdbSaveRio: the whole dataset to `w`. `progress` is called about once a
/// second with the number of keys written.
pub fn write_dataset<W: io::Write>(
    srv: &Server,
    w: &mut RioWriter<W>,
    progress: impl FnMut(u64),
) -> io::Result<()> {
    write_dataset_as(srv, w, false, progress)
}

/// rdbSaveRio with RDBFLAGS_AOF_PREAMBLE: the RDB base of an AOF.
pub fn write_dataset_aof_base<W: io::Write>(
    srv: &Server,
    w: &mut RioWriter<W>,
    progress: impl FnMut(u64),
) -> io::Result<()> {
    write_dataset_as(srv, w, true, progress)
}

fn write_dataset_as<W: io::Write>(
    srv: &Server,
    w: &mut RioWriter<W>,
    aof_base: bool,
    mut progress: impl FnMut(u64),
) -> io::Result<()> {
    let now = crate::event_loop::clock::unix_ms();
    file::save_header(w, &aux_fields(aof_base))?;
    let mut keys = 0u64;
    // As Redis's info_updated_time starts at 0: the first key reports at once.
    let mut last_info = 0i64;
    for db in &srv.dbs {
        if db.is_empty() {
            continue;
        }
        file::save_db_header(w, db.id, db.dict.len(), db.expires.len())?;
        // A window of entries: the one `AHEAD` from the front gets its
        // value's bytes prefetched, each new one its value box, so the
        // cache misses of several keys overlap.
        let mut window = std::collections::VecDeque::with_capacity(2 * AHEAD);
        let mut it = db.dict.iter();
        loop {
            while window.len() < 2 * AHEAD {
                let Some(e) = it.next() else { break };
                super::objects::prefetch_value(&e.val);
                window.push_back(e);
            }
            let Some(e) = window.pop_front() else { break };
            if let Some(m) = window.get(AHEAD - 1) {
                super::objects::prefetch_value_data(&m.val);
                if let Key::Heap { bytes, .. } = m.key() {
                    crate::util::prefetch::prefetch(bytes.as_ptr());
                }
            }
            save_entry(srv, db, e, now, w)?;
            if srv.config.rdb_key_save_delay != 0 {
                key_delay(srv.config.rdb_key_save_delay, keys);
            }
            // Checked on keys 1, 1025, 2049... as rdbSaveDb's `key_counter++ & 1023`.
            let check = keys.is_multiple_of(1024);
            keys += 1;
            if check {
                let t = crate::event_loop::clock::unix_ms();
                if t - last_info >= INFO_EVERY_MS {
                    progress(keys);
                    last_info = t;
                }
            }
        }
    }
    file::save_footer(w)
}

/// rdbSave: writes temp-<pid>.rdb, fsyncs, renames it over the RDB file.
/// Errors are logged as Redis logs them.
pub fn save_to_disk(
    srv: &Server,
    log: &Logger,
    progress: impl FnMut(u64),
) -> Result<(), SaveFailed> {
    let tmp = temp_path(srv, std::process::id());
    let dest = rdb_path(srv);
    let f = match File::create(&tmp) {
        Ok(f) => f,
        Err(e) => {
            log.warning(&format!(
                "Failed opening the temp RDB file {} (in server root dir {}) for saving: {}",
                tmp.file_name().unwrap_or_default().to_string_lossy(),
                cwd(),
                os_error(&e)
            ));
            return Err(SaveFailed);
        }
    };
    let mut w = RioWriter::new(
        BufWriter::with_capacity(64 * 1024, f),
        srv.config.rdbchecksum,
    );
    let step = |op: &str, r: io::Result<()>| {
        r.map_err(|e| {
            log.warning(&format!(
                "Write error saving DB on disk({}): {}",
                op,
                os_error(&e)
            ));
        })
    };
    let written = step("rdbSaveRio", write_dataset(srv, &mut w, progress))
        .and_then(|_| step("fflush", w.flush()))
        .and_then(|_| step("fsync", w.get_ref().get_ref().sync_all()));
    drop(w);
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
        return Err(SaveFailed);
    }
    if let Err(e) = std::fs::rename(&tmp, &dest) {
        log.warning(&format!(
            "Error moving temp DB file {} on the final destination {} (in server root dir {}): {}",
            tmp.file_name().unwrap_or_default().to_string_lossy(),
            srv.config.dbfilename,
            cwd(),
            os_error(&e)
        ));
        let _ = std::fs::remove_file(&tmp);
        return Err(SaveFailed);
    }
    let dir = dest.parent().filter(|p| !p.as_os_str().is_empty());
    if let Ok(d) = File::open(dir.unwrap_or(Path::new("."))) {
        let _ = d.sync_all();
    }
    log.notice("DB saved on disk");
    Ok(())
}

fn cwd() -> String {
    std::env::current_dir()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "unknown".into())
}

/// strerror's text without Rust's " (os error N)" suffix.
pub fn os_error(e: &io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

impl Server {
    /// rdbSave in the server process (SAVE, DEBUG RELOAD, SHUTDOWN, FLUSHALL).
    pub fn rdb_save(&mut self) -> Result<(), SaveFailed> {
        let log = self.log.clone();
        save_to_disk(self, &log, |_| {})?;
        self.status.persistence.dirty = 0;
        let p = &mut self.status.persistence;
        p.lastsave = crate::event_loop::clock::unix_ms() / 1000;
        p.lastbgsave_ok = true;
        Ok(())
    }

    /// rdbSaveBackground: forks a child that saves; the parent returns at once.
    pub fn rdb_save_background(&mut self) -> Result<(), SaveFailed> {
        if self.status.persistence.has_child() {
            return Err(SaveFailed);
        }
        self.rdb.dirty_before_bgsave = self.status.persistence.dirty;
        self.rdb.lastbgsave_try = self.time.unixtime;
        let start = self.mono.now_us();
        let listeners = self.listener_fds();
        match child::fork(ChildKind::Rdb, &listeners) {
            Err(e) => {
                self.status.persistence.lastbgsave_ok = false;
                self.log
                    .warning(&format!("Can't save in background: fork: {}", os_error(&e)));
                Err(SaveFailed)
            }
            Ok(Forked::Child(info)) => self.bgsave_child(info),
            Ok(Forked::Parent(c)) => {
                self.record_fork(start);
                self.log
                    .notice(&format!("Background saving started by pid {}", c.pid));
                let p = &mut self.status.persistence;
                p.rdb_child_pid = Some(c.pid);
                p.rdb_save_time_start = self.time.unixtime;
                p.current_save_keys_total = self.dbs.iter().map(|d| d.len() as u64).sum();
                self.rdb.child = Some(c);
                self.update_dict_resize_policy();
                Ok(())
            }
        }
    }

    /// The child's whole life: save, report COW, `_exit`.
    fn bgsave_child(&mut self, info: InfoWriter) -> ! {
        self.setup_fork_child(b"redis-rdb-bgsave");
        let mut log = self.log.clone();
        log.role = 'C';
        log.pid = std::process::id();
        let mut cow = CowTracker::default();
        // A panic must not unwind into the parent's event loop frames,
        // which this process also holds: it ends the child like a failure.
        let srv: &Server = self;
        let saved = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            save_to_disk(srv, &log, |keys| {
                let (bytes, at) = cow.sample(false, &log, "RDB");
                info.send(&ChildInfo {
                    kind: child::INFO_CURRENT,
                    keys,
                    cow: bytes,
                    cow_updated_ms: at,
                });
            })
            .is_ok()
        }));
        let ok = saved.unwrap_or(false);
        if ok {
            let (bytes, at) = cow.sample(true, &log, "RDB");
            info.send(&ChildInfo {
                kind: child::INFO_RDB_COW,
                keys: 0,
                cow: bytes,
                cow_updated_ms: at,
            });
        }
        child::exit_child(if ok { 0 } else { 1 })
    }

    /// Fork statistics (redisFork's parent side).
    pub(super) fn record_fork(&mut self, start_us: u64) {
        let took = self.mono.now_us().saturating_sub(start_us).max(1);
        self.stats.total_forks += 1;
        self.stats.latest_fork_usec = took;
        self.stats.fork_rate =
            crate::alloc::used_memory() as f64 * 1_000_000.0 / took as f64 / (1u64 << 30) as f64;
        let threshold = self.config.latency_monitor_threshold;
        let now = self.time.unixtime;
        self.latency
            .add_sample_if_needed(threshold, "fork", took / 1000, now);
    }

    /// Raw descriptors of the listening sockets (closed in children).
    pub(super) fn listener_fds(&self) -> Vec<std::os::fd::RawFd> {
        use std::os::fd::AsRawFd;
        self.listeners
            .iter()
            .map(|l| match l {
                crate::server::Listener::Tcp { sock, .. } => sock.as_raw_fd(),
                crate::server::Listener::Unix { sock, .. } => sock.as_raw_fd(),
            })
            .collect()
    }
}
