//! The clock (Redis server.c `updateCachedTime`, monotonic.c): the one place
//! that reads OS time. The loop caches it once per iteration.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Wall-clock microseconds since the Unix epoch.
pub fn unix_us() -> i64 {
    #[allow(clippy::disallowed_methods)]
    let now = SystemTime::now();
    now.duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

/// Wall-clock milliseconds since the Unix epoch.
pub fn unix_ms() -> i64 {
    unix_us() / 1000
}

/// A monotonic clock in microseconds from an arbitrary origin.
#[derive(Clone, Copy, Debug)]
pub struct Monotonic {
    origin: Instant,
}

impl Monotonic {
    pub fn new() -> Monotonic {
        Monotonic {
            origin: Instant::now(),
        }
    }

    pub fn now_us(&self) -> u64 {
        self.origin.elapsed().as_micros() as u64
    }
}

impl Default for Monotonic {
    fn default() -> Self {
        Monotonic::new()
    }
}

/// Cached time, refreshed once per event-loop iteration and before each command
/// (Redis's `server.unixtime`, `server.mstime`, `server.ustime`).
#[derive(Clone, Copy, Debug, Default)]
pub struct CachedTime {
    pub ustime: i64,
    pub mstime: i64,
    pub unixtime: i64,
}

impl CachedTime {
    pub fn now() -> CachedTime {
        let mut t = CachedTime::default();
        t.update();
        t
    }

    pub fn update(&mut self) {
        self.ustime = unix_us();
        self.mstime = self.ustime / 1000;
        self.unixtime = self.mstime / 1000;
    }
}

/// Broken-down local time for log lines.
#[derive(Clone, Copy, Debug, Default)]
pub struct LocalTime {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub min: u32,
    pub sec: u32,
    pub millis: u32,
}

/// The current local time, via `localtime_r` so the TZ setting is honoured as in Redis.
pub fn local_time_now() -> LocalTime {
    let us = unix_us();
    let secs = (us / 1_000_000) as libc::time_t;
    // SAFETY: `tm` is plain old data, fully written by localtime_r on success;
    // both pointers are valid for the duration of the call.
    let tm = unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&secs, &mut tm).is_null() {
            return LocalTime::default();
        }
        tm
    };
    LocalTime {
        year: tm.tm_year + 1900,
        month: tm.tm_mon as u32,
        day: tm.tm_mday as u32,
        hour: tm.tm_hour as u32,
        min: tm.tm_min as u32,
        sec: tm.tm_sec as u32,
        millis: ((us / 1000) % 1000) as u32,
    }
}
