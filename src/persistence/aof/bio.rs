//! The background fsync thread (Redis bio.c BIO_AOF_FSYNC): under
//! `appendfsync everysec` the event loop hands a duplicate of the AOF file
//! descriptor to this thread, which fsyncs it off the loop.

use std::fs::File;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{channel, Sender};
use std::sync::Arc;

pub struct FsyncWorker {
    tx: Sender<File>,
    pending: Arc<AtomicU64>,
}

impl FsyncWorker {
    pub fn start() -> std::io::Result<FsyncWorker> {
        let (tx, rx) = channel::<File>();
        let pending = Arc::new(AtomicU64::new(0));
        let p = pending.clone();
        std::thread::Builder::new()
            .name("bio_aof_fsync".into())
            .spawn(move || {
                while let Ok(f) = rx.recv() {
                    let _ = f.sync_data();
                    p.fetch_sub(1, Ordering::SeqCst);
                }
            })?;
        Ok(FsyncWorker { tx, pending })
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
}
