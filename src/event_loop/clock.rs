//! The clock (Redis server.c `updateCachedTime`, monotonic.c): the one place
//! that reads OS time. The loop caches it once per iteration.

/// Reads a clock in microseconds. `clock_gettime` goes through the vDSO, so
/// this is no system call; called directly it skips `SystemTime`/`Instant`'s
/// checked `Duration` arithmetic, which cost more than the read itself on
/// the per-command path.
fn clock_us(clock: libc::clockid_t) -> i64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the duration of the call.
    let rc = unsafe { libc::clock_gettime(clock, &mut ts) };
    if rc != 0 {
        return 0;
    }
    ts.tv_sec * 1_000_000 + ts.tv_nsec / 1000
}

/// Wall-clock microseconds since the Unix epoch.
pub fn unix_us() -> i64 {
    clock_us(libc::CLOCK_REALTIME)
}

/// Wall-clock milliseconds since the Unix epoch.
pub fn unix_ms() -> i64 {
    unix_us() / 1000
}

/// A monotonic clock in microseconds from an arbitrary origin.
#[derive(Clone, Copy, Debug)]
pub struct Monotonic {
    origin_us: i64,
}

impl Monotonic {
    pub fn new() -> Monotonic {
        Monotonic {
            origin_us: clock_us(libc::CLOCK_MONOTONIC),
        }
    }

    pub fn now_us(&self) -> u64 {
        (clock_us(libc::CLOCK_MONOTONIC) - self.origin_us).max(0) as u64
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks_agree_with_std() {
        #[allow(clippy::disallowed_methods)]
        let std_us = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_micros() as i64;
        assert!((unix_us() - std_us).abs() < 1_000_000);
        let m = Monotonic::new();
        let a = m.now_us();
        let b = m.now_us();
        assert!(b >= a && a < 1_000_000);
    }
}
