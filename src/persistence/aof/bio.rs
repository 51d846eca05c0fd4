//! The background fsync thread (Redis bio.c BIO_AOF_FSYNC): under
//! `appendfsync everysec` the event loop hands a duplicate of the AOF file
//! descriptor to this thread, which fsyncs it off the loop.

use std::fs::File;
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use std::sync::mpsc::{channel, Sender};
use std::sync::Arc;

pub struct FsyncWorker {
    tx: Sender<File>,
    pending: Arc<AtomicU64>,
    /// errno of the last fsync, 0 when it succeeded (Redis `aof_bio_fsync_status`).
    errno: Arc<AtomicI32>,
}

impl FsyncWorker {
    pub fn start() -> std::io::Result<FsyncWorker> {
        let (tx, rx) = channel::<File>();
        let pending = Arc::new(AtomicU64::new(0));
        let errno = Arc::new(AtomicI32::new(0));
        let (p, err) = (pending.clone(), errno.clone());
        std::thread::Builder::new()
            .name("bio_aof_fsync".into())
            .spawn(move || {
                while let Ok(f) = rx.recv() {
                    // EBADF/EINVAL mean the file cannot be synced at all
                    // (a pipe, /dev/null): not a disk error.
                    let code = match f.sync_data() {
                        Err(e) => match e.raw_os_error() {
                            Some(libc::EBADF) | Some(libc::EINVAL) | None => 0,
                            Some(c) => c,
                        },
                        Ok(()) => 0,
                    };
                    err.store(code, Ordering::SeqCst);
                    p.fetch_sub(1, Ordering::SeqCst);
                }
            })?;
        Ok(FsyncWorker { tx, pending, errno })
    }

    /// The strerror text of the last failed fsync, None after a success.
    pub fn error(&self) -> Option<String> {
        match self.errno.load(Ordering::SeqCst) {
            0 => None,
            c => Some(crate::server::shutdown::strerror(
                &std::io::Error::from_raw_os_error(c),
            )),
        }
    }

    /// Jobs queued or running (Redis `aof_pending_bio_fsync`).
    pub fn pending(&self) -> u64 {
        self.pending.load(Ordering::SeqCst)
    }

    /// Queues an fsync of `f`.
    pub fn fsync(&self, f: &File) {
        if let Ok(dup) = f.try_clone() {
            self.pending.fetch_add(1, Ordering::SeqCst);
            if self.tx.send(dup).is_err() {
                self.pending.fetch_sub(1, Ordering::SeqCst);
            }
        }
    }

    /// Pretends `n` fsyncs are running (tests of the postponed write).
    #[cfg(test)]
    pub fn hold(&self, n: u64) {
        self.pending.fetch_add(n, Ordering::SeqCst);
    }
}
