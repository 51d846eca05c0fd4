//! Loading an AOF (Redis aof.c `loadSingleAppendOnlyFile`,
//! `loadAppendOnlyFiles`): each command is executed through a fake client
//! that has no connection and whose replies are dropped. A partial last
//! command is cut off under `aof-load-truncated`; an unfinished MULTI at
//! the end is rolled back; anything malformed refuses to start. At
//! startup the loop serves clients every 1024 commands (they get -LOADING).

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use crate::cmd::table::Lookup;
use crate::cmd::Ctx;
use crate::conn::{Client, Socket};
use crate::persistence::load::{EventsHook, LoadFailure};
use crate::server::Server;
use crate::util::strerror;

/// Commands executed between two rounds of serving clients (Redis's
/// `loops++ % 1024` in loadSingleAppendOnlyFile).
const COMMANDS_PER_EVENTS: u64 = 1024;

/// Redis AOF_OK .. AOF_TRUNCATED.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoadStatus {
    Ok,
    NotExist,
    Empty,
    OpenErr,
    Failed,
    Truncated,
    /// A shutdown (SHUTDOWN or a signal) was served during the load.
    Stopped,
}

/// Serving clients during the load, and the progress INFO reports.
pub struct Progress<'a> {
    events: Option<EventsHook<'a>>,
    /// Bytes of the files loaded before the current one.
    done_bytes: u64,
    loops: u64,
}

impl<'a> Progress<'a> {
    /// `events` is None outside startup (DEBUG LOADAOF runs inside a command).
    pub fn new(events: Option<EventsHook<'a>>) -> Progress<'a> {
        Progress {
            events,
            done_bytes: 0,
            loops: 0,
        }
    }

    /// Before each command: every 1024 commands, report the bytes read so
    /// far and serve clients. True once a shutdown was served.
    fn tick(&mut self, srv: &mut Server, pos: u64) -> bool {
        let due = self.loops.is_multiple_of(COMMANDS_PER_EVENTS);
        self.loops += 1;
        if !due {
            return false;
        }
        srv.status.persistence.loading_loaded_bytes = self.done_bytes + pos;
        if let Some(events) = self.events.as_mut() {
            events(srv);
            srv.shutdown_signal_while_loading();
        }
        srv.stop
    }

    /// The hook for the RDB loader of a base file, reborrowed (a `match`
    /// rather than `as_deref_mut`, which would keep the trait object's
    /// longer lifetime).
    fn rdb_events(&mut self) -> Option<EventsHook<'_>> {
        match self.events.as_mut() {
            Some(e) => Some(&mut **e),
            None => None,
        }
    }
}

/// How reading one file ended early.
enum Stop {
    /// Unexpected end of file (a partial command), truncatable.
    Eof,
    /// Malformed content.
    Format,
    /// An I/O error.
    Io(std::io::Error),
    /// A command the table does not know.
    Unknown(Vec<u8>),
    /// The server is shutting down.
    Stopped,
}

/// A client for loading: no socket is ever registered for it.
pub fn fake_client(srv: &Server) -> Option<Client> {
    let (sock, _peer) = mio::net::UnixStream::pair().ok()?;
    let mut c = Client::new(
        u64::MAX,
        usize::MAX,
        Socket::Unix(sock),
        String::new(),
        String::new(),
        srv.time.mstime,
    );
    c.flags.authenticated = true;
    Some(c)
}

/// The file reader with the offset of the last complete command.
struct Reader {
    r: BufReader<File>,
    pos: u64,
    line: Vec<u8>,
}

impl Reader {
    /// A line as C `fgets` gives it: None at EOF with nothing read.
    fn line(&mut self) -> Result<Option<&[u8]>, Stop> {
        self.line.clear();
        let n = self.r.read_until(b'\n', &mut self.line).map_err(Stop::Io)?;
        self.pos += n as u64;
        Ok((n > 0).then_some(&self.line[..]))
    }

    /// Exactly `n` bytes. The buffer grows as data arrives, so a corrupt
    /// huge length cannot allocate more than the file holds.
    fn exact(&mut self, n: usize) -> Result<Vec<u8>, Stop> {
        let mut v = Vec::with_capacity(n.min(1 << 20));
        let got = (&mut self.r)
            .take(n as u64)
            .read_to_end(&mut v)
            .map_err(Stop::Io)?;
        self.pos += got as u64;
        if got < n {
            return Err(Stop::Eof);
        }
        Ok(v)
    }

    /// The next command; None at a clean end of file. `#` lines are annotations.
    fn command(&mut self) -> Result<Option<Vec<Vec<u8>>>, Stop> {
        let argc = loop {
            let Some(l) = self.line()? else {
                return Ok(None);
            };
            if l[0] == b'#' {
                continue;
            }
            if l[0] != b'*' {
                return Err(Stop::Format);
            }
            if l.len() == 1 {
                return Err(Stop::Eof);
            }
            let argc = atol(&l[1..]);
            if argc < 1 {
                return Err(Stop::Format);
            }
            break argc as usize;
        };
        let mut argv = Vec::with_capacity(argc.min(1024));
        for _ in 0..argc {
            let len = match self.line()? {
                None => return Err(Stop::Eof),
                Some(l) if l[0] != b'$' => return Err(Stop::Format),
                Some(l) => atol(&l[1..]).max(0) as usize,
            };
            argv.push(self.exact(len)?);
            self.exact(2)?;
        }
        Ok(Some(argv))
    }
}

/// C `strtol`/`atoi` on a prefix: 0 when no digits.
fn atol(s: &[u8]) -> i64 {
    let s = match s.iter().position(|b| !b.is_ascii_whitespace()) {
        Some(i) => &s[i..],
        None => return 0,
    };
    let (neg, d) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let mut v: i64 = 0;
    for &c in d.iter().take_while(|c| c.is_ascii_digit()) {
        v = v.saturating_mul(10).saturating_add((c - b'0') as i64);
    }
    if neg {
        -v
    } else {
        v
    }
}

/// Loads one file of the AOF directory (Redis `loadSingleAppendOnlyFile`).
pub fn load_single(
    srv: &mut Server,
    c: &mut Client,
    dir: &Path,
    name: &str,
    progress: &mut Progress<'_>,
) -> LoadStatus {
    let path = dir.join(name);
    let file = match File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            srv.log.warning(&format!(
                "The append log file {} doesn't exist: {}",
                name,
                strerror(&e)
            ));
            return LoadStatus::NotExist;
        }
        Err(e) => {
            srv.log.warning(&format!(
                "Fatal error: can't open the append log file {} for reading: {}",
                name,
                strerror(&e)
            ));
            return LoadStatus::OpenErr;
        }
    };
    if file.metadata().map(|m| m.len()).unwrap_or(0) == 0 {
        return LoadStatus::Empty;
    }
    let mut rd = Reader {
        r: BufReader::new(file),
        pos: 0,
        line: Vec::new(),
    };
    let rdb =
        rd.r.fill_buf()
            .map(|b| b.starts_with(b"REDIS"))
            .unwrap_or(false);
    if rdb {
        if let Err(status) = load_rdb_base(srv, &mut rd, name, progress) {
            return status;
        }
    }
    c.db = 0;
    let (stop, valid_up_to) = run_commands(srv, c, &mut rd, name, progress);
    match stop {
        None => LoadStatus::Ok,
        Some(Stop::Eof) => truncated_end(srv, &path, name, valid_up_to),
        Some(Stop::Stopped) => LoadStatus::Stopped,
        Some(stop) => {
            report_stop(srv, stop, name);
            LoadStatus::Failed
        }
    }
}

/// The log line for a file that cannot be loaded.
fn report_stop(srv: &Server, stop: Stop, name: &str) {
    match stop {
        Stop::Eof | Stop::Stopped => {}
        Stop::Io(e) => {
            srv.log.warning(&format!(
                "Unrecoverable error reading the append only file {}: {}",
                name,
                strerror(&e)
            ));
        }
        Stop::Unknown(cmd) => {
            srv.log.warning(&format!(
                "Unknown command '{}' reading the append only file {}",
                String::from_utf8_lossy(&cmd),
                name
            ));
        }
        Stop::Format => {
            srv.log.warning(&format!("Bad file format reading the append only file {}: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>", name));
        }
    }
}

/// A base file in RDB format, or the RDB preamble of an old-style AOF
/// (Redis `rdbLoadRio` with RDBFLAGS_AOF_PREAMBLE: expired keys are kept,
/// the commands after it expire them). The reader is left just after the
/// RDB, so any AOF tail follows.
fn load_rdb_base(
    srv: &mut Server,
    rd: &mut Reader,
    name: &str,
    progress: &mut Progress<'_>,
) -> Result<(), LoadStatus> {
    let old_style = name == srv.config.appendfilename;
    if old_style {
        srv.log.notice("Reading RDB preamble from AOF file...");
    } else {
        srv.log.notice("Reading RDB base file on AOF loading...");
    }
    let how = crate::persistence::load::LoadHow {
        allow_dup: false,
        aof_preamble: true,
    };
    match srv.rdb_load_reader(&mut rd.r, how, progress.rdb_events()) {
        Ok(n) => {
            rd.pos = n;
            if old_style {
                srv.log.notice("Reading the remaining AOF tail...");
            }
            Ok(())
        }
        Err(LoadFailure::Stopped) => Err(LoadStatus::Stopped),
        Err(_) => {
            let what = if old_style {
                "the RDB preamble of the AOF file"
            } else {
                "the RDB base file"
            };
            srv.log.warning(&format!(
                "Error reading {} {}, AOF loading aborted",
                what, name
            ));
            Err(LoadStatus::Failed)
        }
    }
}

/// Executes the file's commands; returns how it stopped and the offset just
/// after the last command that can be kept.
fn run_commands(
    srv: &mut Server,
    c: &mut Client,
    rd: &mut Reader,
    name: &str,
    progress: &mut Progress<'_>,
) -> (Option<Stop>, u64) {
    // After an RDB base, a truncated tail is cut back to the RDB's end at most.
    let mut valid_up_to = rd.pos;
    let mut valid_before_multi = rd.pos;
    let mut multi: Option<Vec<Vec<Vec<u8>>>> = None;
    loop {
        if progress.tick(srv, rd.pos) {
            return (Some(Stop::Stopped), valid_up_to);
        }
        let argv = match rd.command() {
            Ok(Some(a)) => a,
            Ok(None) => break,
            Err(stop) => return (Some(stop), valid_up_to),
        };
        if argv[0].eq_ignore_ascii_case(b"multi") {
            valid_before_multi = valid_up_to;
            multi = Some(Vec::new());
        } else if argv[0].eq_ignore_ascii_case(b"exec") && multi.is_some() {
            for queued in multi.take().unwrap_or_default() {
                if let Err(stop) = execute(srv, c, queued) {
                    return (Some(stop), valid_up_to);
                }
            }
        } else if let Some(q) = multi.as_mut() {
            if !matches!(srv.commands.lookup(&argv), Lookup::Found(_)) {
                return (Some(Stop::Unknown(argv[0].clone())), valid_up_to);
            }
            q.push(argv);
        } else if let Err(stop) = execute(srv, c, argv) {
            return (Some(stop), valid_up_to);
        }
        if srv.config.aof_load_truncated {
            valid_up_to = rd.pos;
        }
        if srv.config.key_load_delay != 0 {
            crate::persistence::save::key_delay(srv.config.key_load_delay, progress.loops);
        }
    }
    if multi.is_some() {
        srv.log.warning(&format!(
            "Revert incomplete MULTI/EXEC transaction in AOF file {}",
            name
        ));
        return (Some(Stop::Eof), valid_before_multi);
    }
    (None, valid_up_to)
}

/// Runs one command as the fake client, dropping its reply.
fn execute(srv: &mut Server, c: &mut Client, mut argv: Vec<Vec<u8>>) -> Result<(), Stop> {
    let id = match srv.commands.lookup(&argv) {
        Lookup::Found(id) => id,
        _ => return Err(Stop::Unknown(argv[0].clone())),
    };
    let cmd = &srv.commands.cmds[id];
    let (meta, handler) = (cmd.meta, cmd.handler);
    if let Some(handler) = handler {
        let mut ctx = Ctx {
            srv,
            client: c,
            argv: &argv,
            meta,
            cmd_id: id,
            adopt: None,
        };
        let _ = handler(&mut ctx);
        if let Some(a) = ctx.adopt.take() {
            crate::cmd::ctx::adopt_arg(srv, &mut argv, a);
        }
    }
    c.reply.clear();
    srv.ks.events.deliver();
    Ok(())
}

/// The end of a file came inside a command (or a MULTI): cut it off when
/// aof-load-truncated allows, else refuse to start.
fn truncated_end(srv: &mut Server, path: &Path, name: &str, valid_up_to: u64) -> LoadStatus {
    if srv.config.aof_load_truncated {
        srv.log.warning(&format!(
            "!!! Warning: short read while loading the AOF file {}!!!",
            name
        ));
        srv.log.warning(&format!(
            "!!! Truncating the AOF {} at offset {} !!!",
            name, valid_up_to
        ));
        let cut = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|f| f.set_len(valid_up_to));
        match cut {
            Ok(()) => {
                srv.log.warning(&format!(
                    "AOF {} loaded anyway because aof-load-truncated is enabled",
                    name
                ));
                return LoadStatus::Truncated;
            }
            Err(e) => srv.log.warning(&format!(
                "Error truncating the AOF file {}: {}",
                name,
                strerror(&e)
            )),
        }
    }
    srv.log.warning(&format!("Unexpected end of file reading the append only file {}. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.", name));
    LoadStatus::Failed
}

/// Loads the base then every incremental file in order (Redis
/// `loadAppendOnlyFiles`). A truncated file is fatal unless it is the last.
pub fn load_files(srv: &mut Server, dir: &Path, progress: &mut Progress<'_>) -> LoadStatus {
    let m = srv.aof.manifest.clone();
    if m.is_empty() {
        return LoadStatus::NotExist;
    }
    let files: Vec<(bool, String)> = m
        .base
        .iter()
        .map(|b| (true, b.name.clone()))
        .chain(m.incr.iter().map(|i| (false, i.name.clone())))
        .collect();
    let mut total = 0;
    for (_, name) in &files {
        match std::fs::metadata(dir.join(name)) {
            Ok(md) => total += md.len(),
            Err(e) => {
                srv.log.warning(&format!(
                    "The append log file {} doesn't exist: {}",
                    name,
                    strerror(&e)
                ));
                return LoadStatus::Failed;
            }
        }
    }
    if total == 0 {
        return LoadStatus::Empty;
    }
    let Some(mut c) = fake_client(srv) else {
        return LoadStatus::Failed;
    };
    start_loading(srv, total);
    let ret = load_each(srv, &mut c, dir, &files, progress);
    let p = &mut srv.status.persistence;
    p.loading = false;
    if matches!(ret, LoadStatus::Ok | LoadStatus::Truncated) {
        p.aof_current_size = total_size(dir, &files);
        p.aof_base_size = m
            .base
            .as_ref()
            .and_then(|b| std::fs::metadata(dir.join(&b.name)).ok())
            .map_or(0, |md| md.len());
        srv.aof.fsync_offset = srv.status.persistence.aof_current_size;
    }
    ret
}

fn total_size(dir: &Path, files: &[(bool, String)]) -> u64 {
    files
        .iter()
        .filter_map(|(_, n)| std::fs::metadata(dir.join(n)).ok())
        .map(|m| m.len())
        .sum()
}

fn start_loading(srv: &mut Server, total: u64) {
    let p = &mut srv.status.persistence;
    p.loading = true;
    p.loading_start_time = srv.time.unixtime;
    p.loading_total_bytes = total;
    p.loading_loaded_bytes = 0;
}

fn load_each(
    srv: &mut Server,
    c: &mut Client,
    dir: &Path,
    files: &[(bool, String)],
    progress: &mut Progress<'_>,
) -> LoadStatus {
    let mut ret = LoadStatus::Ok;
    for (i, (is_base, name)) in files.iter().enumerate() {
        let last = i + 1 == files.len();
        let start = crate::event_loop::clock::unix_us();
        ret = load_single(srv, c, dir, name, progress);
        if ret == LoadStatus::Ok || (ret == LoadStatus::Truncated && last) {
            let secs = (crate::event_loop::clock::unix_us() - start) as f64 / 1e6;
            let kind = if *is_base { "base" } else { "incr" };
            srv.log.notice(&format!(
                "DB loaded from {} file {}: {:.3} seconds",
                kind, name, secs
            ));
        }
        if ret == LoadStatus::Empty && !is_base {
            ret = LoadStatus::Ok;
        }
        if ret == LoadStatus::Truncated && !last {
            ret = LoadStatus::Failed;
        }
        if matches!(
            ret,
            LoadStatus::OpenErr | LoadStatus::Failed | LoadStatus::Stopped
        ) {
            return ret;
        }
        if let Ok(md) = std::fs::metadata(dir.join(name)) {
            progress.done_bytes += md.len();
            srv.status.persistence.loading_loaded_bytes = progress.done_bytes;
        }
    }
    ret
}
