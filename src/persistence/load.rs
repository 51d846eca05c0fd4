//! Loading the dataset (Redis rdb.c rdbLoad and server.c
//! loadDataFromDisk): the file into the databases, with Redis's log lines,
//! the INFO loading fields, and its fatal messages for corrupt files.

use std::fs::File;
use std::io::BufReader;

use super::rdb::file::{self, KeyMeta, Sink};
use super::rdb::value::Loaded;
use super::rdb::{LoadError, LoadOptions, LoadResult};
use super::rio::RioReader;
use crate::keyspace::{evict, Key};
use crate::server::Server;

/// Serves clients in the middle of a load (the event loop's
/// `process_events_while_blocked`, handed in by main).
pub type EventsHook<'a> = &'a mut dyn FnMut(&mut Server);

/// Options of one RDB load.
#[derive(Clone, Copy, Debug, Default)]
pub struct LoadHow {
    /// A key already present is replaced (DEBUG RELOAD MERGE).
    pub allow_dup: bool,
    /// The stream is an AOF's RDB base or preamble (RDBFLAGS_AOF_PREAMBLE).
    pub aof_preamble: bool,
}

/// Why a load did not happen.
pub enum LoadFailure {
    /// The server is shutting down (SHUTDOWN or a signal during the load).
    Stopped,
    /// No file: an empty dataset, not an error at startup.
    NotExist,
    /// Could not open or read the file (logged).
    Io(String),
    /// Corrupt or unusable data: the server must exit (logged).
    Fatal,
}

/// Puts what the file holds into the server's databases.
struct ServerSink<'a, 'e> {
    srv: &'a mut Server,
    db: usize,
    now_ms: i64,
    loaded: u64,
    expired: u64,
    empty: u64,
    allow_dup: bool,
    /// An AOF preamble keeps keys that have expired (the AOF's commands
    /// that follow may still refer to them), as Redis does.
    keep_expired: bool,
    events: Option<EventsHook<'e>>,
    /// Bytes read when clients were last served.
    events_at: u64,
    /// The load failed on the keyspace's side (a duplicated key, a DB out
    /// of range), not on the file's content: Redis exits without running
    /// its file check then.
    keyspace_failed: bool,
}

impl Sink for ServerSink<'_, '_> {
    fn aux(&mut self, key: &[u8], val: &[u8]) {
        let v = String::from_utf8_lossy(val);
        let log = &self.srv.log;
        match key {
            b"redis-ver" => log.notice(&format!("Loading RDB produced by version {}", v)),
            b"ctime" => {
                let ctime: i64 = v.parse().unwrap_or(0);
                let age = (self.now_ms / 1000 - ctime).max(0);
                log.notice(&format!("RDB age {} seconds", age));
            }
            b"used-mem" => {
                let used: u64 = v.parse().unwrap_or(0);
                log.notice(&format!(
                    "RDB memory usage when created {:.2} Mb",
                    used as f64 / (1024.0 * 1024.0)
                ));
                self.srv.status.persistence.loading_rdb_used_mem = used;
            }
            // Known fields with nothing to do without replication or AOF.
            b"repl-stream-db" | b"repl-id" | b"repl-offset" | b"lua" | b"aof-base"
            | b"redis-bits" | b"aof-preamble" => {}
            _ => log.debug(&format!(
                "Unrecognized RDB AUX field: '{}'",
                String::from_utf8_lossy(key)
            )),
        }
    }

    fn select_db(&mut self, id: u64) -> LoadResult<()> {
        if id >= self.srv.dbs.len() as u64 {
            self.keyspace_failed = true;
            return Err(LoadError::Unsupported(format!(
                "FATAL: Data file was created with a Redis server configured to handle more than {} databases. Exiting\n",
                self.srv.dbs.len()
            )));
        }
        self.db = id as usize;
        Ok(())
    }

    fn resize_db(&mut self, db_size: u64, expires_size: u64) {
        // A hint from the file: a key takes at least 3 bytes of it, so a
        // corrupt size cannot make us allocate beyond what the file holds.
        let most = self.srv.status.persistence.loading_total_bytes / 3;
        let cap = |n: u64| usize::try_from(n.min(most)).unwrap_or(usize::MAX);
        let d = &mut self.srv.dbs[self.db];
        // Growing is only an optimisation: an allocation failure is ignored.
        let _ = d.dict.try_expand(cap(db_size));
        let _ = d.expires.try_expand(cap(expires_size));
    }

    fn key_read(&mut self, key: &[u8]) {
        self.srv.dbs[self.db].dict.prefetch_bucket(key);
    }

    fn key(&mut self, key: Vec<u8>, val: Loaded, meta: KeyMeta) -> LoadResult<()> {
        // Expired keys are dropped by a master (no replication yet: always),
        // except in an AOF preamble.
        if !self.keep_expired && meta.expire_ms != -1 && meta.expire_ms < self.now_ms {
            self.expired += 1;
            return Ok(());
        }
        let srv = &mut *self.srv;
        let value = super::objects::value_from(val, srv.share_integers())?;
        let access = access_meta(srv, meta.lfu_freq, meta.lru_idle_secs, self.now_ms);
        if self.allow_dup {
            srv.db_generic_delete(self.db, &key, false);
        }
        let d = &mut srv.dbs[self.db];
        if d.dict.add(Key::new(&key, access), value).is_err() {
            srv.log.warning(&format!(
                "RDB has duplicated key '{}' in DB {}",
                String::from_utf8_lossy(&key),
                self.db
            ));
            self.keyspace_failed = true;
            return Err(super::rdb::corrupt("Duplicated key found in RDB file"));
        }
        if meta.expire_ms != -1 {
            srv.set_expire(self.db, &key, meta.expire_ms);
        }
        self.loaded += 1;
        Ok(())
    }

    fn empty_key(&mut self, key: &[u8]) {
        if self.empty < 10 {
            self.srv.log.notice(&format!(
                "rdbLoadObject skipping empty key: {}",
                String::from_utf8_lossy(key)
            ));
        }
        self.empty += 1;
    }

    fn progress(&mut self, processed: u64) -> LoadResult<()> {
        let srv = &mut *self.srv;
        srv.status.persistence.loading_loaded_bytes = processed;
        if srv.config.key_load_delay != 0 {
            super::save::key_delay(srv.config.key_load_delay, self.loaded);
        }
        let interval = srv.config.loading_process_events_interval_bytes.max(1) as u64;
        let Some(events) = self.events.as_mut() else {
            return Ok(());
        };
        if processed / interval > self.events_at / interval {
            self.events_at = processed;
            events(srv);
            srv.shutdown_signal_while_loading();
        }
        if srv.stop {
            return Err(LoadError::Stopped);
        }
        Ok(())
    }
}

/// objectSetLRUOrLFU: the access data a loaded or restored key starts
/// with, from FREQ or IDLE when the policy uses them.
pub fn access_meta(srv: &Server, lfu_freq: i64, lru_idle_secs: i64, now_ms: i64) -> u32 {
    let policy = srv.config.maxmemory_policy;
    let fresh = evict::initial_meta(policy, now_ms);
    if evict::is_lfu(policy) {
        if (0..=255).contains(&lfu_freq) {
            return (fresh & !255) | lfu_freq as u32;
        }
    } else if lru_idle_secs >= 0 {
        let clock = evict::lru_clock(now_ms) as i64;
        let mut abs = clock - lru_idle_secs;
        if abs < 0 {
            abs = (clock + (evict::LRU_CLOCK_MAX as i64 / 2)) % evict::LRU_CLOCK_MAX as i64;
        }
        return abs as u32;
    }
    fresh
}

/// How RESTORE and file loads validate (sanitize-dump-payload, with
/// "clients" meaning deep checks for clients but not for file loads).
pub fn load_options(srv: &Server, from_client: bool) -> LoadOptions {
    let c = &srv.config;
    let limits = super::rdb::Limits {
        list_max_listpack_size: c
            .list_max_listpack_size
            .clamp(i32::MIN as i64, i32::MAX as i64) as i32,
        list_compress_depth: c.list_compress_depth.clamp(0, u32::MAX as i64) as u32,
        set_max_intset_entries: c.set_max_intset_entries.max(0) as usize,
        zset_max_listpack_entries: c.zset_max_listpack_entries.max(0) as usize,
        zset_max_listpack_value: c.zset_max_listpack_value.max(0) as usize,
        hash_max_listpack_entries: c.hash_max_listpack_entries.max(0) as usize,
        hash_max_listpack_value: c.hash_max_listpack_value.max(0) as usize,
        packed_threshold: usize::try_from(srv.debug.quicklist_packed_threshold)
            .unwrap_or(usize::MAX),
    };
    let deep = match c.sanitize_dump_payload {
        1 => true,
        2 => from_client,
        _ => false,
    };
    LoadOptions {
        limits,
        deep,
        ..Default::default()
    }
}

impl Server {
    /// rdbLoad: the RDB file into the (empty or merged) databases.
    /// `allow_dup`: a key already present is replaced (DEBUG RELOAD MERGE).
    /// `events` serves clients now and then during the load (startup only).
    pub fn rdb_load(
        &mut self,
        allow_dup: bool,
        events: Option<EventsHook<'_>>,
    ) -> Result<(), LoadFailure> {
        let path = super::save::rdb_path(self);
        let f = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(LoadFailure::NotExist)
            }
            Err(e) => {
                let msg = super::save::os_error(&e);
                self.log
                    .warning(&format!("Fatal error loading the DB: {}. Exiting.", msg));
                return Err(LoadFailure::Io(msg));
            }
        };
        let total = f.metadata().map(|m| m.len()).unwrap_or(0);
        self.start_loading(total);
        let how = LoadHow {
            allow_dup,
            aof_preamble: false,
        };
        let reader = BufReader::with_capacity(1 << 16, f);
        let res = self.rdb_load_checked(reader, how, events, Some(&path));
        self.stop_loading();
        res.map(|_| ())
    }

    /// rdbLoadRio: an RDB stream from any reader into the databases, for
    /// the RDB file and for an AOF's RDB base or preamble (the AOF loader
    /// calls this; it sets up and ends the loading state itself). Returns
    /// the bytes the RDB part took, so a caller can go on after it.
    pub fn rdb_load_reader<R: std::io::Read>(
        &mut self,
        reader: R,
        how: LoadHow,
        events: Option<EventsHook<'_>>,
    ) -> Result<u64, LoadFailure> {
        self.rdb_load_checked(reader, how, events, None)
    }

    /// rdb_load_reader; when the stream is the RDB file at `file`, a
    /// corrupt load runs the file check (rdbReportError) before the
    /// server says it terminates.
    fn rdb_load_checked<R: std::io::Read>(
        &mut self,
        reader: R,
        how: LoadHow,
        events: Option<EventsHook<'_>>,
        file: Option<&std::path::Path>,
    ) -> Result<u64, LoadFailure> {
        let opts = load_options(self, false);
        let verify = self.config.rdbchecksum && !self.debug.skip_checksum_validation;
        let mut r = RioReader::new(reader, self.config.rdbchecksum);
        let interval = self.config.loading_process_events_interval_bytes.max(1) as u64;
        r.set_progress_interval(interval);
        let now_ms = crate::event_loop::clock::unix_ms();
        let mut sink = ServerSink {
            srv: self,
            db: 0,
            now_ms,
            loaded: 0,
            expired: 0,
            empty: 0,
            allow_dup: how.allow_dup,
            keep_expired: how.aof_preamble,
            events,
            events_at: 0,
            keyspace_failed: false,
        };
        let res = file::load(&mut r, &mut sink, &opts, verify);
        let (loaded, expired, empty) = (sink.loaded, sink.expired, sink.empty);
        let file = file.filter(|_| !sink.keyspace_failed);
        self.stats.dump_payload_sanitizations += opts.sanitized.get();
        let p = &mut self.status.persistence;
        p.rdb_last_load_keys_loaded = loaded;
        p.rdb_last_load_keys_expired = expired;
        let res = res.map(|()| r.processed());
        match res {
            Ok(n) => {
                self.log_load_done(loaded, expired, empty);
                Ok(n)
            }
            Err(LoadError::Stopped) => Err(LoadFailure::Stopped),
            Err(e) => {
                opts.log_hexdumps(&self.log);
                // Redis names the offset its progress callback last saw;
                // for an AOF's RDB part we keep the exact one.
                let at = match file {
                    Some(_) => r.progress_mark(),
                    None => r.processed(),
                };
                self.log_load_error(&e, at, file, &opts);
                Err(LoadFailure::Fatal)
            }
        }
    }

    /// The closing line of a successful load.
    fn log_load_done(&self, loaded: u64, expired: u64, empty: u64) {
        let line = format!(
            "Done loading RDB, keys loaded: {}, keys expired: {}",
            loaded, expired
        );
        if empty > 0 {
            self.log
                .warning(&format!("{}, empty keys skipped: {}.", line, empty));
        } else {
            self.log.notice(&format!("{}.", line));
        }
    }

    /// Redis's log lines for each way a file load fails.
    fn log_load_error(
        &self,
        e: &LoadError,
        offset: u64,
        file: Option<&std::path::Path>,
        opts: &LoadOptions,
    ) {
        let log = &self.log;
        match e {
            LoadError::BadSignature => {
                log.warning("Wrong signature trying to load DB from file");
                log.warning("Fatal error loading the DB: Invalid argument. Exiting.");
            }
            LoadError::BadVersion(v) => {
                log.warning(&format!("Can't handle RDB format version {}", v));
                log.warning("Fatal error loading the DB: Invalid argument. Exiting.");
            }
            LoadError::Eof | LoadError::Io(_) => {
                log.warning("Short read or OOM loading DB. Unrecoverable error, aborting now.");
                log.warning(&e.describe(offset));
            }
            LoadError::Checksum { computed, stored } => {
                log.warning(&format!(
                    "Wrong RDB checksum expected: ({:x}) but got ({:x}). Aborting now.",
                    computed, stored
                ));
                log.warning(&e.describe(offset));
            }
            LoadError::Unsupported(msg) => log.warning(msg.trim_end()),
            _ => log.warning(&e.describe(offset)),
        }
        if !matches!(e, LoadError::BadSignature | LoadError::BadVersion(_)) {
            use super::rdb::check::{check_file, CheckEnd};
            let end = match file {
                Some(path) => {
                    let name = self.config.dbfilename.clone();
                    check_file(path, &name, opts, &mut std::io::stdout().lock())
                }
                None => CheckEnd::Corrupt,
            };
            // Redis's checker exits by itself unless the content was corrupt.
            if end == CheckEnd::Corrupt {
                log.warning("Terminating server after rdb file reading failure.");
            }
        }
    }

    fn start_loading(&mut self, total: u64) {
        let p = &mut self.status.persistence;
        p.loading = true;
        p.loading_start_time = crate::event_loop::clock::unix_ms() / 1000;
        p.loading_total_bytes = total;
        p.loading_loaded_bytes = 0;
        p.loading_rdb_used_mem = 0;
    }

    fn stop_loading(&mut self) {
        self.status.persistence.loading = false;
    }

    /// SIGTERM/SIGINT while loading (Redis whileBlockedCron): shut down
    /// without saving the half-loaded dataset.
    pub(crate) fn shutdown_signal_while_loading(&mut self) {
        let Some(_sig) = crate::event_loop::signals::take_shutdown_signal() else {
            return;
        };
        self.log.log_raw(&format!(
            "{}:signal-handler ({}) Received shutdown signal during loading, scheduling shutdown.\n",
            self.log.pid,
            crate::event_loop::clock::unix_ms() / 1000
        ));
        let req = crate::server::ShutdownRequest {
            nosave: true,
            ..Default::default()
        };
        if self.prepare_for_shutdown(req).is_ok() {
            self.stop = true;
        } else {
            self.log.warning("SIGTERM received but errors trying to shut down the server, check the logs for more information");
        }
    }

    /// loadDataFromDisk at startup; Err means the server must exit.
    pub fn load_data_from_disk(&mut self, events: EventsHook<'_>) -> Result<(), LoadFailure> {
        let start = crate::event_loop::clock::unix_us();
        match self.rdb_load(false, Some(events)) {
            Ok(()) => {
                let secs = (crate::event_loop::clock::unix_us() - start) as f64 / 1e6;
                self.log
                    .notice(&format!("DB loaded from disk: {:.3} seconds", secs));
                Ok(())
            }
            Err(LoadFailure::NotExist) => Ok(()),
            Err(e) => Err(e),
        }
    }
}
