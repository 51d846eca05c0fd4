//! Opening the AOF at startup (Redis server.c `loadDataFromDisk`, aof.c
//! `aofLoadManifestFromDisk`, `aofUpgradePrepare`,
//! `aofOpenIfNeededOnServerStart`) and DEBUG LOADAOF.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};

use super::load::{load_files, LoadStatus, Progress};
use super::manifest::{self, AofInfo, FileType, Manifest};
use super::{bio, State};
use crate::cmd::Ctx;
use crate::error::CmdError;
use crate::introspection::debug::DebugSub;
use crate::persistence::load::EventsHook;
use crate::server::Server;
use crate::util::strerror;

/// DEBUG rows of the AOF, chained by introspection/debug.rs.
pub const DEBUG_SUBCOMMANDS: &[DebugSub] = &[DebugSub {
    name: "loadaof",
    min_argc: 2,
    max_argc: 2,
    handler: debug_loadaof,
}];

fn dir(srv: &Server) -> PathBuf {
    PathBuf::from(&srv.config.appenddirname)
}

/// With `appendonly yes`: loads the AOF (it takes precedence over the RDB
/// file), then opens the incremental file for appending, creating the base
/// and the first incremental file when there is no AOF yet. Err means the
/// server must not start (the reason is logged).
/// `events` serves clients now and then while the files load.
pub fn start(srv: &mut Server, events: EventsHook<'_>) -> Result<(), StartError> {
    start_and_load(srv, events)
}

/// Why the server must not go on.
#[derive(Debug, PartialEq, Eq)]
pub enum StartError {
    /// The AOF could not be loaded or opened; the reason was logged.
    Failed,
    /// A shutdown was served while loading: exit with the server's code.
    Stopped,
}

impl From<()> for StartError {
    fn from(_: ()) -> StartError {
        StartError::Failed
    }
}

fn start_and_load(srv: &mut Server, events: EventsHook<'_>) -> Result<(), StartError> {
    if !srv.config.appendonly {
        return Ok(());
    }
    srv.status.persistence.aof_enabled = true;
    let d = dir(srv);
    create_dir(srv, &d)?;
    srv.aof.manifest = load_manifest(srv, &d)?;
    upgrade_if_needed(srv, &d)?;
    let start = crate::event_loop::clock::unix_us();
    let ret = load_files(srv, &d, &mut Progress::new(Some(events)));
    match ret {
        LoadStatus::Failed | LoadStatus::OpenErr => return Err(StartError::Failed),
        LoadStatus::Stopped => return Err(StartError::Stopped),
        _ => {}
    }
    if ret != LoadStatus::NotExist {
        let secs = (crate::event_loop::clock::unix_us() - start) as f64 / 1e6;
        srv.log.notice(&format!(
            "DB loaded from append only file: {:.3} seconds",
            secs
        ));
    }
    Ok(open_on_start(srv, &d)?)
}

fn create_dir(srv: &Server, d: &Path) -> Result<(), ()> {
    if let Err(e) = std::fs::create_dir(d) {
        if e.kind() != std::io::ErrorKind::AlreadyExists {
            srv.log.warning(&format!(
                "Can't open or create append-only dir {}: {}",
                d.display(),
                strerror(&e)
            ));
            return Err(());
        }
    }
    Ok(())
}

/// The manifest on disk, or an empty one when the directory or the
/// manifest does not exist yet. A bad manifest is fatal.
pub(super) fn load_manifest(srv: &Server, d: &Path) -> Result<Manifest, ()> {
    let path = d.join(format!("{}.manifest", srv.config.appendfilename));
    let text = match std::fs::read(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Manifest::default()),
        Err(e) => {
            srv.log.warning(&format!(
                "Fatal error: can't open the AOF manifest file {} for reading: {}",
                path.display(),
                strerror(&e)
            ));
            return Err(());
        }
    };
    Manifest::parse(&text).map_err(|e| {
        srv.log.warning("\n*** FATAL AOF MANIFEST FILE ERROR ***\n");
        if let Some((n, line)) = &e.line {
            srv.log
                .warning(&format!("Reading the manifest file, at line {}\n", n));
            srv.log.warning(&format!(">>> '{}'\n", line));
        }
        srv.log.warning(&format!("{}\n", e.msg));
    })
}

/// A legacy single `appendonly.aof` in `dir` becomes the base of a
/// multi-part AOF: moved into the AOF directory under its own name, with a
/// manifest naming it (Redis `aofUpgradePrepare`).
fn upgrade_if_needed(srv: &mut Server, d: &Path) -> Result<(), ()> {
    let name = srv.config.appendfilename.clone();
    if !Path::new(&name).is_file() {
        return Ok(());
    }
    let m = &srv.aof.manifest;
    let only_legacy_base = m.incr.is_empty()
        && m.base.as_ref().is_some_and(|b| b.name == name)
        && !d.join(&name).exists();
    if !(m.is_empty() || only_legacy_base) {
        return Ok(());
    }
    srv.aof.manifest = Manifest {
        base: Some(AofInfo {
            name: name.clone(),
            seq: 1,
            kind: FileType::Base,
        }),
        curr_base_seq: 1,
        ..Manifest::default()
    };
    if let Err(msg) = manifest::persist(d, &name, &srv.aof.manifest) {
        srv.log.warning(&msg);
        return Err(());
    }
    if let Err(e) = std::fs::rename(&name, d.join(&name)) {
        srv.log.warning(&format!(
            "Error trying to rename the existing AOF to old tempfile: {}.",
            strerror(&e)
        ));
        return Err(());
    }
    srv.log.notice(&format!(
        "Successfully migrated an old-style AOF file ({}) into the AOF directory ({}).",
        name,
        d.display()
    ));
    Ok(())
}

/// Opens (or creates) the incremental file and persists the manifest
/// (Redis `aofOpenIfNeededOnServerStart`). With no AOF yet, the base is
/// written from the dataset in-process, as Redis does, in the
/// `aof-use-rdb-preamble` format.
fn open_on_start(srv: &mut Server, d: &Path) -> Result<(), ()> {
    let fname = srv.config.appendfilename.clone();
    let had_incr = !srv.aof.manifest.incr.is_empty();
    if srv.aof.manifest.is_empty() {
        let rdb = srv.config.aof_use_rdb_preamble;
        let base = srv.aof.manifest.new_base(&fname, rdb);
        write_start_base(srv, &d.join(&base))?;
        srv.log
            .notice(&format!("Creating AOF base file {} on server start", base));
    }
    let incr = srv.aof.manifest.last_incr(&fname);
    let path = d.join(&incr);
    let file = match OpenOptions::new().append(true).create(true).open(&path) {
        Ok(f) => f,
        Err(e) => {
            srv.log.warning(&format!(
                "Can't open the append-only file {}: {}",
                incr,
                strerror(&e)
            ));
            return Err(());
        }
    };
    if let Err(msg) = manifest::persist(d, &fname, &srv.aof.manifest) {
        srv.log.warning(&msg);
        return Err(());
    }
    srv.aof.last_incr_size = file.metadata().map(|m| m.len()).unwrap_or(0);
    srv.aof.file = Some(file);
    let verb = if had_incr { "Opening" } else { "Creating" };
    srv.log
        .notice(&format!("{} AOF incr file {} on server start", verb, incr));
    turn_on(srv);
    super::bgrewrite::del_history_files(srv, d);
    Ok(())
}

/// The first base, written in the server process (the dataset is what
/// startup loaded, usually nothing). Like Redis 7.0.15, the sizes INFO
/// shows are not updated for it: `aof_current_size` starts at 0.
fn write_start_base(srv: &mut Server, path: &Path) -> Result<(), ()> {
    let log = srv.log.clone();
    super::basefile::write_base(srv, &log, path, |_| {}).map_err(|_| ())
}

pub(super) fn turn_on(srv: &mut Server) {
    srv.aof.state = State::On;
    srv.aof.selected_db = None;
    srv.aof.last_fsync = srv.time.unixtime;
    srv.aof.fsync_offset = srv.status.persistence.aof_current_size;
    start_bio(srv);
}

/// Starts the background fsync/close thread once.
pub(super) fn start_bio(srv: &mut Server) {
    if srv.aof.bio.is_none() {
        match bio::FsyncWorker::start() {
            Ok(w) => srv.aof.bio = Some(w),
            Err(e) => srv.log.warning(&format!(
                "Fatal: Can't initialize Background Jobs. Error message: {}",
                strerror(&e)
            )),
        }
    }
}

/// DEBUG LOADAOF: flush the AOF, empty the dataset and load it back. A
/// file that does not load exits the process, as in Redis.
fn debug_loadaof(ctx: &mut Ctx) -> Result<(), CmdError> {
    let srv = &mut *ctx.srv;
    if srv.aof.state == State::On {
        super::flush(srv, true);
    }
    let _ = crate::keyspace::commands::empty_data(srv, None, false);
    let d = dir(srv);
    match load_manifest(srv, &d) {
        Ok(m) => srv.aof.manifest = m,
        Err(()) => super::exit_now(),
    }
    let state = std::mem::replace(&mut srv.aof.state, State::Off);
    let ret = load_files(srv, &d, &mut Progress::new(None));
    srv.aof.state = state;
    if !matches!(ret, LoadStatus::Ok | LoadStatus::Empty) {
        super::exit_now();
    }
    srv.status.persistence.dirty = 0;
    srv.log.warning("Append Only File loaded by DEBUG LOADAOF");
    ctx.client.reply.ok();
    Ok(())
}
