//! Writing a base file (Redis aof.c `rewriteAppendOnlyFile` and the child
//! half of `rewriteAppendOnlyFileBackground`): the dataset as an RDB
//! (`aof-use-rdb-preamble yes`, with the `aof-base` aux field set) or as
//! commands, into `temp-rewriteaof-<pid>.aof`, flushed, fsynced and renamed
//! to its destination. The BGREWRITEAOF child and the base created at
//! startup both use it.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use super::Failed;
use crate::log::Logger;
use crate::persistence::child::{self, ChildInfo, CowTracker, InfoWriter};
use crate::persistence::rio::RioWriter;
use crate::server::Server;
use crate::util::strerror;

/// Redis REDIS_AUTOSYNC_BYTES: with `aof-rewrite-incremental-fsync` the
/// file is fsynced every 4 MB, so the kernel never holds a huge dirty
/// backlog that a final fsync would stall on.
pub const AUTOSYNC_BYTES: usize = 4 * 1024 * 1024;

/// A file that fsyncs itself every `every` bytes (0: never), as Redis's
/// rio file target does with `rioSetAutoSync`.
struct AutoSync {
    f: File,
    every: usize,
    since: usize,
}

impl Write for AutoSync {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.f.write(buf)?;
        self.since += n;
        if self.every > 0 && self.since >= self.every {
            self.f.sync_data()?;
            self.since = 0;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.f.flush()
    }
}

/// `temp-rewriteaof-<pid>.aof`: where process `pid` writes a base first.
pub fn temp_name(pid: u32) -> String {
    format!("temp-rewriteaof-{}.aof", pid)
}

/// `temp-rewriteaof-bg-<pid>.aof`: the base a rewrite child leaves for the parent.
pub fn bg_temp_name(pid: u32) -> String {
    format!("temp-rewriteaof-bg-{}.aof", pid)
}

/// rewriteAppendOnlyFile: writes the dataset into `dest` through a temp
/// file. Errors are logged as Redis logs them.
pub fn write_base(
    srv: &Server,
    log: &Logger,
    dest: &Path,
    progress: impl FnMut(u64),
) -> Result<(), Failed> {
    let tmp = temp_name(std::process::id());
    let f = match File::create(&tmp) {
        Ok(f) => f,
        Err(e) => {
            log.warning(&format!(
                "Opening the temp file for AOF rewrite in rewriteAppendOnlyFile(): {}",
                strerror(&e)
            ));
            return Err(Failed);
        }
    };
    let every = if srv.config.aof_rewrite_incremental_fsync {
        AUTOSYNC_BYTES
    } else {
        0
    };
    let out = BufWriter::with_capacity(64 * 1024, AutoSync { f, every, since: 0 });
    if let Err(e) = write_and_sync(srv, out, progress) {
        log.warning(&format!(
            "Write error writing append only file on disk: {}",
            strerror(&e)
        ));
        let _ = std::fs::remove_file(&tmp);
        return Err(Failed);
    }
    if let Err(e) = std::fs::rename(&tmp, dest) {
        log.warning(&format!(
            "Error moving temp append only file on the final destination: {}",
            strerror(&e)
        ));
        let _ = std::fs::remove_file(&tmp);
        return Err(Failed);
    }
    Ok(())
}

/// The dataset in the configured format, then fflush and fsync.
fn write_and_sync(
    srv: &Server,
    out: BufWriter<AutoSync>,
    progress: impl FnMut(u64),
) -> io::Result<()> {
    let out = if srv.config.aof_use_rdb_preamble {
        let mut w = RioWriter::new(out, srv.config.rdbchecksum);
        crate::persistence::save::write_dataset_aof_base(srv, &mut w, progress)?;
        w.flush()?;
        w.into_inner()
    } else {
        let mut out = out;
        super::rewrite::write_dataset(srv, &mut out, progress)?;
        out
    };
    let inner = out.into_inner().map_err(|e| e.into_error())?;
    inner.f.sync_all()
}

/// The rewrite child's whole life: write `temp-rewriteaof-bg-<pid>.aof`,
/// report progress and the final copy-on-write size, `_exit`.
pub fn child_main(srv: &Server, info: InfoWriter) -> ! {
    let mut log = srv.log.clone();
    log.role = 'C';
    log.pid = std::process::id();
    let dest = bg_temp_name(log.pid);
    let mut cow = CowTracker::default();
    // A panic must not unwind into the parent's event loop frames, which
    // this process also holds: it ends the child like a failure.
    let written = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        write_base(srv, &log, Path::new(&dest), |keys| {
            let (bytes, at) = cow.sample(false, &log, "AOF rewrite");
            info.send(&ChildInfo {
                kind: child::INFO_CURRENT,
                keys,
                cow: bytes,
                cow_updated_ms: at,
            });
        })
        .is_ok()
    }));
    let ok = written.unwrap_or(false);
    if ok {
        log.notice(&format!(
            "Successfully created the temporary AOF base file {}",
            dest
        ));
        let (bytes, at) = cow.sample(true, &log, "AOF rewrite");
        info.send(&ChildInfo {
            kind: child::INFO_AOF_COW,
            keys: 0,
            cow: bytes,
            cow_updated_ms: at,
        });
    }
    child::exit_child(if ok { 0 } else { 1 })
}
