//! The background fsync thread (Redis bio.c BIO_AOF_FSYNC): under
//! `appendfsync everysec` the event loop hands a duplicate of the AOF file
//! descriptor to this thread, which fsyncs it off the loop. It also does
//! the last close of files the loop let go of (BIO_CLOSE_AOF, and
//! BIO_CLOSE_FILE for history files unlinked after a rewrite), since that
//! close can be slow when it frees a big file's blocks.

use std::fs::File;
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use std::sync::mpsc::{channel, Sender};
use std::sync::Arc;

/// A job for the thread.
enum Job {
    /// fsync, counted in `pending`.
    Fsync(File),
    /// fsync then close (aof_background_fsync_and_close).
    FsyncClose(File),
    /// Only close.
    Close(File),
}

pub struct FsyncWorker {
    tx: Sender<Job>,
    pending: Arc<AtomicU64>,
    /// errno of the last fsync, 0 when it succeeded (Redis `aof_bio_fsync_status`).
    errno: Arc<AtomicI32>,
}

impl FsyncWorker {
    pub fn start() -> std::io::Result<FsyncWorker> {
        let (tx, rx) = channel::<Job>();
        let pending = Arc::new(AtomicU64::new(0));
        let errno = Arc::new(AtomicI32::new(0));
        let (p, err) = (pending.clone(), errno.clone());
        std::thread::Builder::new()
            .name("bio_aof_fsync".into())
            .spawn(move || {
                crate::event_loop::crash_signal::block_watchdog_in_this_thread();
                while let Ok(job) = rx.recv() {
                    let f = match job {
                        Job::Close(f) => {
                            drop(f);
                            continue;
                        }
                        Job::Fsync(f) | Job::FsyncClose(f) => f,
                    };
                    err.store(fsync_code(&f), Ordering::SeqCst);
                    drop(f);
                    p.fetch_sub(1, Ordering::SeqCst);
                }
            })?;
        Ok(FsyncWorker { tx, pending, errno })
    }

    /// The strerror text of the last failed fsync, None after a success.
    pub fn error(&self) -> Option<String> {
        match self.errno.load(Ordering::SeqCst) {
            0 => None,
            c => Some(crate::util::strerror(&std::io::Error::from_raw_os_error(c))),
        }
    }

    /// Forgets a failed fsync (the AOF is reopened); true if there was one.
    pub fn clear_error(&self) -> bool {
        self.errno.swap(0, Ordering::SeqCst) != 0
    }

    /// Jobs queued or running (Redis `aof_pending_bio_fsync`).
    pub fn pending(&self) -> u64 {
        self.pending.load(Ordering::SeqCst)
    }

    /// Queues an fsync of `f`.
    pub fn fsync(&self, f: &File) {
        if let Ok(dup) = f.try_clone() {
            self.queue_fsync(Job::Fsync(dup));
        }
    }

    /// Queues an fsync of `f`, then its close.
    pub fn fsync_and_close(&self, f: File) {
        self.queue_fsync(Job::FsyncClose(f));
    }

    fn queue_fsync(&self, job: Job) {
        self.pending.fetch_add(1, Ordering::SeqCst);
        if self.tx.send(job).is_err() {
            self.pending.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Queues the close of `f` (a file already unlinked).
    pub fn close(&self, f: File) {
        let _ = self.tx.send(Job::Close(f));
    }

    /// Pretends `n` fsyncs are running (tests of the postponed write).
    #[cfg(test)]
    pub fn hold(&self, n: u64) {
        self.pending.fetch_add(n, Ordering::SeqCst);
    }
}

/// The errno of an fsync, 0 for success. EBADF/EINVAL mean the file
/// cannot be synced at all (a pipe, /dev/null): not a disk error.
fn fsync_code(f: &File) -> i32 {
    match f.sync_data() {
        Err(e) => match e.raw_os_error() {
            Some(libc::EBADF) | Some(libc::EINVAL) | None => 0,
            Some(c) => c,
        },
        Ok(()) => 0,
    }
}
