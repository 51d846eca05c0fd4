//! Lazy freeing (Redis lazyfree.c and the bio lazyfree thread): values and
//! whole databases too big to free inside the event loop are handed to a
//! background thread that drops them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{channel, Sender};
use std::sync::Arc;

use super::db::Db;
use crate::types::Value;

/// Values whose free effort is above this go to the background (LAZYFREE_THRESHOLD).
pub const THRESHOLD: usize = 64;

enum Job {
    Value(Value),
    Dbs(Vec<Db>),
}

/// The handle to the lazyfree thread, started on first use.
#[derive(Default)]
pub struct LazyFree {
    tx: Option<Sender<Job>>,
    /// Objects handed over and not yet freed (INFO lazyfree_pending_objects).
    pending: Arc<AtomicU64>,
    /// Objects freed in the background (INFO lazyfreed_objects).
    freed: Arc<AtomicU64>,
}

impl LazyFree {
    pub fn pending_objects(&self) -> u64 {
        self.pending.load(Ordering::Relaxed)
    }

    pub fn freed_objects(&self) -> u64 {
        self.freed.load(Ordering::Relaxed)
    }

    /// Objects freed in the background since the last call (for INFO's
    /// lazyfreed_objects, which CONFIG RESETSTAT clears on its side).
    pub fn take_freed(&self) -> u64 {
        self.freed.swap(0, Ordering::Relaxed)
    }

    /// Frees `v` here when it is cheap, in the background otherwise (`freeObjAsync`).
    pub fn free_value(&mut self, v: Value) {
        let effort = v.free_effort();
        if effort > THRESHOLD {
            self.send(Job::Value(v), 1);
        } else {
            drop(v);
        }
    }

    /// Frees whole databases in the background (`emptyDbAsync`).
    pub fn free_dbs(&mut self, dbs: Vec<Db>) {
        let n: usize = dbs.iter().map(|d| d.dict.len()).sum();
        if n == 0 {
            return;
        }
        self.send(Job::Dbs(dbs), n as u64);
    }

    fn send(&mut self, job: Job, objects: u64) {
        if self.tx.is_none() {
            self.tx = self.start();
        }
        self.pending.fetch_add(objects, Ordering::Relaxed);
        let job = match &self.tx {
            Some(tx) => match tx.send(job) {
                Ok(()) => return,
                Err(e) => e.0,
            },
            None => job,
        };
        // No thread: free here rather than leak.
        drop(job);
        self.pending.fetch_sub(objects, Ordering::Relaxed);
    }

    fn start(&self) -> Option<Sender<Job>> {
        let (tx, rx) = channel::<Job>();
        let pending = self.pending.clone();
        let freed = self.freed.clone();
        let spawned = std::thread::Builder::new()
            .name("bio_lazy_free".into())
            .spawn(move || {
                crate::event_loop::crash_signal::block_watchdog_in_this_thread();
                while let Ok(job) = rx.recv() {
                    let n = match job {
                        Job::Value(v) => {
                            drop(v);
                            1
                        }
                        Job::Dbs(dbs) => {
                            let n: usize = dbs.iter().map(|d| d.dict.len()).sum();
                            drop(dbs);
                            n as u64
                        }
                    };
                    pending.fetch_sub(n, Ordering::Relaxed);
                    freed.fetch_add(n, Ordering::Relaxed);
                }
            });
        spawned.ok().map(|_| tx)
    }
}
