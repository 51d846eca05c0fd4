//! Process-level helpers (Redis server.c `daemonize`, `createPidFile`).

use std::io;

/// Detaches from the terminal as Redis's `daemonize()` does: fork, let the
/// parent exit, start a new session and point stdio at /dev/null.
pub fn daemonize() -> io::Result<()> {
    // SAFETY: called at startup before any thread is spawned, so fork() is safe;
    // the parent exits immediately with _exit without running destructors.
    unsafe {
        match libc::fork() {
            -1 => return Err(io::Error::last_os_error()),
            0 => {}
            _ => libc::_exit(0),
        }
        libc::setsid();
        let fd = libc::open(c"/dev/null".as_ptr(), libc::O_RDWR, 0);
        if fd != -1 {
            libc::dup2(fd, libc::STDIN_FILENO);
            libc::dup2(fd, libc::STDOUT_FILENO);
            libc::dup2(fd, libc::STDERR_FILENO);
            if fd > libc::STDERR_FILENO {
                libc::close(fd);
            }
        }
    }
    Ok(())
}

/// Writes the pid file; failure is only logged by the caller, as in Redis.
pub fn write_pidfile(path: &str) -> io::Result<()> {
    std::fs::write(path, format!("{}\n", std::process::id()))
}

/// Raises RLIMIT_NOFILE so that `maxclients` plus reserved descriptors fit.
/// Returns the number of clients the limit allows.
pub fn adjust_open_files_limit(maxclients: u64, reserved: u64) -> u64 {
    let wanted = maxclients + reserved;
    // SAFETY: getrlimit/setrlimit take a pointer to a plain struct we own.
    unsafe {
        let mut lim: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return maxclients;
        }
        if lim.rlim_cur as u64 >= wanted {
            return maxclients;
        }
        let target = wanted.min(lim.rlim_max as u64);
        lim.rlim_cur = target as libc::rlim_t;
        if libc::setrlimit(libc::RLIMIT_NOFILE, &lim) == 0 {
            return target.saturating_sub(reserved).max(1);
        }
        (lim.rlim_cur as u64).saturating_sub(reserved).max(1)
    }
}

/// The process umask (read by setting it and putting it back, as Redis does
/// at startup).
pub fn umask() -> u32 {
    // SAFETY: umask only swaps the process's file mode mask; the old mask is
    // restored right away.
    unsafe {
        let old = libc::umask(0o777);
        libc::umask(old);
        old as u32
    }
}

/// The soft RLIMIT_NOFILE.
pub fn nofile_limit() -> io::Result<u64> {
    // SAFETY: getrlimit writes into a plain struct we own.
    unsafe {
        let mut lim: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(lim.rlim_cur as u64)
    }
}

/// Sets both the soft and hard RLIMIT_NOFILE to `n` (Redis's
/// `adjustOpenFilesLimit` step).
pub fn set_nofile_limit(n: u64) -> io::Result<()> {
    let lim = libc::rlimit {
        rlim_cur: n as libc::rlim_t,
        rlim_max: n as libc::rlim_t,
    };
    // SAFETY: setrlimit reads a plain struct we own.
    if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lim) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Reads /proc/self/oom_score_adj.
pub fn read_oom_score_adj() -> io::Result<i64> {
    let text = std::fs::read_to_string("/proc/self/oom_score_adj")?;
    Ok(text.trim().parse().unwrap_or(0))
}

/// Writes /proc/self/oom_score_adj.
pub fn write_oom_score_adj(v: i64) -> io::Result<()> {
    std::fs::write("/proc/self/oom_score_adj", format!("{}\n", v))
}
