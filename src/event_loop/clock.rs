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

/// Local time from wall-clock microseconds and a UTC offset in seconds,
/// with arithmetic only: no lock, no allocation, no file read, so a signal
/// handler may call it (Redis `nolocks_localtime`). The offset is the
/// caller's, cached from `utc_offset_now`.
pub fn local_time_at(us: i64, utc_offset_s: i64) -> LocalTime {
    let secs = us.div_euclid(1_000_000) + utc_offset_s;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Days since 1970-01-01 to a civil date (proleptic Gregorian calendar,
    // eras of 400 years from 0000-03-01).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month0 = if mp < 10 { mp + 2 } else { mp - 10 };
    let year = yoe + era * 400 + i64::from(month0 <= 1);
    LocalTime {
        year: year as i32,
        month: month0 as u32,
        day: day as u32,
        hour: (rem / 3600) as u32,
        min: (rem / 60 % 60) as u32,
        sec: (rem % 60) as u32,
        millis: (us.rem_euclid(1_000_000) / 1000) as u32,
    }
}

/// The local time zone's current offset from UTC in seconds (DST included),
/// via `localtime_r`: not for signal handlers, which use a cached value.
pub fn utc_offset_now() -> i64 {
    let secs = (unix_us() / 1_000_000) as libc::time_t;
    // SAFETY: `tm` is plain old data written by localtime_r; both pointers
    // are valid for the duration of the call.
    unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&secs, &mut tm).is_null() {
            return 0;
        }
        tm.tm_gmtoff
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

    #[test]
    fn arithmetic_local_time_matches_localtime_r() {
        let offset = utc_offset_now();
        let us = unix_us();
        let a = local_time_now();
        let b = local_time_at(us, offset);
        assert_eq!((a.year, a.month, a.day), (b.year, b.month, b.day));
        // Known dates, UTC: leap day, century rules, pre-epoch.
        let t = local_time_at(951_782_400_123_000, 0); // 2000-02-29 00:00:00.123
        assert_eq!(
            (t.year, t.month, t.day, t.hour, t.millis),
            (2000, 1, 29, 0, 123)
        );
        let t = local_time_at(4_107_542_399_000_000, 0); // 2100-02-28 23:59:59
        assert_eq!(
            (t.year, t.month, t.day, t.hour, t.min, t.sec),
            (2100, 1, 28, 23, 59, 59)
        );
        let t = local_time_at(-1_000_000, 3600); // 1970-01-01 00:59:59 at +01:00
        assert_eq!(
            (t.year, t.month, t.day, t.hour, t.min, t.sec),
            (1970, 0, 1, 0, 59, 59)
        );
        let t = local_time_at(1_764_045_000_000_000, -5 * 3600); // 2025-11-25 04:30 UTC
        assert_eq!(
            (t.year, t.month, t.day, t.hour, t.min),
            (2025, 10, 24, 23, 30)
        );
    }
}
