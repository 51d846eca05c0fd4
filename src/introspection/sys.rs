//! Process and system facts for INFO and the doctors (Redis zmalloc.c
//! `zmalloc_get_rss`, `zmalloc_get_memory_size`, `zmalloc_get_smap_bytes_by_field`,
//! and the getrusage / uname calls of server.c).

/// CPU time as (seconds, microseconds) pairs for system and user time.
#[derive(Clone, Copy, Debug, Default)]
pub struct CpuTimes {
    pub sys: (i64, i64),
    pub user: (i64, i64),
}

/// Who to ask getrusage about.
#[derive(Clone, Copy, Debug)]
pub enum Who {
    Process,
    Children,
    MainThread,
}

/// CPU usage from getrusage(2).
pub fn cpu_times(who: Who) -> CpuTimes {
    let which = match who {
        Who::Process => libc::RUSAGE_SELF,
        Who::Children => libc::RUSAGE_CHILDREN,
        Who::MainThread => libc::RUSAGE_THREAD,
    };
    // SAFETY: getrusage writes a plain struct we own; it was zeroed first so
    // a failure leaves zeros.
    let ru = unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        libc::getrusage(which, &mut ru);
        ru
    };
    CpuTimes {
        sys: (ru.ru_stime.tv_sec, ru.ru_stime.tv_usec),
        user: (ru.ru_utime.tv_sec, ru.ru_utime.tv_usec),
    }
}

/// "sysname release machine", as Redis prints `os:` from uname(2).
pub fn os_string() -> String {
    let read = |p: &str| {
        std::fs::read_to_string(p)
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let sysname = match read("/proc/sys/kernel/ostype") {
        s if s.is_empty() => "Linux".to_string(),
        s => s,
    };
    format!(
        "{} {} {}",
        sysname,
        read("/proc/sys/kernel/osrelease"),
        std::env::consts::ARCH
    )
}

/// Total physical memory in bytes (0 when unknown).
pub fn total_system_memory() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map(|kb| kb * 1024)
        .unwrap_or(0)
}

fn page_size() -> u64 {
    // SAFETY: sysconf only reads a system constant.
    let n = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if n > 0 {
        n as u64
    } else {
        4096
    }
}

/// Resident set size in bytes, from /proc/self/statm.
pub fn rss() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map(|pages| pages * page_size())
        .unwrap_or(0)
}

/// Bytes of anonymous huge pages mapped by this process (AnonHugePages in smaps).
pub fn anon_huge_pages_bytes() -> u64 {
    let Ok(smaps) = std::fs::read_to_string("/proc/self/smaps") else {
        return 0;
    };
    smaps
        .lines()
        .filter_map(|l| l.strip_prefix("AnonHugePages:"))
        .filter_map(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        .sum::<u64>()
        * 1024
}

/// The absolute path of the running executable.
pub fn executable() -> String {
    std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_default()
}

/// Redis's `bytesToHuman`: B below 1K, then K, M, G, T, P with two decimals.
pub fn bytes_to_human(n: u64) -> String {
    const UNITS: [(u64, &str); 5] = [
        (1 << 10, "K"),
        (1 << 20, "M"),
        (1 << 30, "G"),
        (1 << 40, "T"),
        (1 << 50, "P"),
    ];
    if n < 1024 {
        return format!("{}B", n);
    }
    for (i, (unit, name)) in UNITS.iter().enumerate() {
        let next = UNITS.get(i + 1).map(|u| u.0).unwrap_or(1 << 60);
        if n < next {
            return format!("{:.2}{}", n as f64 / *unit as f64, name);
        }
    }
    format!("{}B", n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_sizes() {
        assert_eq!(bytes_to_human(0), "0B");
        assert_eq!(bytes_to_human(1023), "1023B");
        assert_eq!(bytes_to_human(941256), "919.20K");
        assert_eq!(bytes_to_human(6733824), "6.42M");
        assert_eq!(bytes_to_human(25276510208), "23.54G");
        assert_eq!(bytes_to_human(u64::MAX), format!("{}B", u64::MAX));
    }

    #[test]
    fn process_facts() {
        assert!(rss() > 0);
        assert!(total_system_memory() > 0);
        assert!(os_string().starts_with("Linux "));
        let t = cpu_times(Who::Process);
        assert!(t.user.0 >= 0);
    }
}
