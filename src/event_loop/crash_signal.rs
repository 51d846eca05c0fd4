//! Fatal signal reports (Redis debug.c `sigsegvHandler`,
//! `setupSigSegvAction`): on SIGSEGV, SIGBUS, SIGFPE, SIGILL or SIGABRT the
//! log gets the bug report header, the signal and who sent it, and a stack
//! trace, then the signal is raised again with its default action so the
//! process dies as it would have.
//!
//! Only async-signal-safe calls are used once the handler runs: lines are
//! formatted into a stack buffer and written with write(2) to a log file
//! opened with open(2); glibc's `backtrace` is primed at install time so it
//! does not load libgcc from inside the handler.

use std::ffi::CString;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU32, Ordering};
use std::sync::OnceLock;

/// The log file named at startup (`logfile` cannot change at run time);
/// empty means standard output.
static LOG_PATH: OnceLock<CString> = OnceLock::new();
/// The server's pid: a crash in a fork child is logged with role 'C'.
static MAIN_PID: AtomicU32 = AtomicU32::new(0);
/// The local zone's UTC offset in seconds, cached outside the handlers:
/// localtime_r takes glibc's time zone lock and may read files, so a
/// handler that interrupted it would deadlock (Redis caches its timezone
/// and daylight flag for `nolocks_localtime` likewise).
static UTC_OFFSET_S: AtomicI64 = AtomicI64::new(0);

const FATAL_SIGNALS: [libc::c_int; 5] = [
    libc::SIGSEGV,
    libc::SIGBUS,
    libc::SIGFPE,
    libc::SIGILL,
    libc::SIGABRT,
];

const REPORT_START: &str = "\n\n=== REDIS BUG REPORT START: Cut & paste starting from here ===\n";
use crate::introspection::crash::REPORT_END;

/// Notes where the log goes ("" for standard output) and, when
/// `crash-log-enabled`, installs the report handler for the fatal signals.
pub fn install(logfile: &str, crash_log: bool) {
    if let Ok(path) = CString::new(logfile) {
        let _ = LOG_PATH.set(path);
    }
    MAIN_PID.store(std::process::id(), Ordering::SeqCst);
    refresh_utc_offset();
    let mut frames = [std::ptr::null_mut(); 4];
    // SAFETY: the buffer holds 4 pointers, as passed. Calling backtrace once
    // here loads what it needs, so a handler does not allocate for it.
    unsafe {
        libc::backtrace(frames.as_mut_ptr(), frames.len() as libc::c_int);
    }
    install_panic_hook();
    if crash_log {
        install_fatal();
    }
}

/// Re-reads the UTC offset the handlers' log lines use (the cron calls it,
/// so a daylight saving change shows within a tick, as in Redis).
pub fn refresh_utc_offset() {
    let off = super::clock::utc_offset_now();
    UTC_OFFSET_S.store(off, Ordering::Relaxed);
}

/// Rust panics are ferrodis's serverPanic / serverAssert: the hook writes
/// the bug report (the Guru Meditation lines with the panic's message and
/// place, then the stack trace) to the log, in the server or in a fork
/// child, before the default hook prints to stderr. Not a signal handler,
/// so it may allocate and resolve symbols.
fn install_panic_hook() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let msg = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "Box<dyn Any>".to_string());
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file().rsplit('/').next().unwrap_or(""), l.line()))
            .unwrap_or_default();
        let trace = std::backtrace::Backtrace::force_capture().to_string();
        let (fd, close) = open_log();
        write_panic_report(fd, &msg, &at, &trace);
        if close {
            // SAFETY: fd was opened by open_log and is not used after this.
            unsafe {
                libc::close(fd);
            }
        }
        default(info);
    }));
}

/// The report of a panic: `msg` raised at `at` (file:line), with `trace`.
fn write_panic_report(fd: libc::c_int, msg: &str, at: &str, trace: &str) {
    write_all(fd, REPORT_START.as_bytes());
    log_line(
        fd,
        format_args!("------------------------------------------------"),
    );
    log_line(
        fd,
        format_args!("!!! Software Failure. Press left mouse button to continue"),
    );
    log_line(fd, format_args!("Guru Meditation: {msg} #{at}"));
    write_all(fd, b"\n------ STACK TRACE ------\n");
    write_all(fd, trace.as_bytes());
    write_all(fd, REPORT_END.as_bytes());
}

/// Installs the report handler for the fatal signals (also what CONFIG SET
/// crash-log-enabled yes does).
pub fn install_fatal() {
    // SAFETY: the sigaction struct is zeroed and then filled in; the handler
    // has the three-argument SA_SIGINFO signature.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = on_fatal_signal as *const () as usize;
        libc::sigemptyset(&mut sa.sa_mask);
        sa.sa_flags = libc::SA_SIGINFO | libc::SA_NODEFER | libc::SA_RESETHAND;
        for sig in FATAL_SIGNALS {
            libc::sigaction(sig, &sa, std::ptr::null_mut());
        }
    }
}

/// Restores the default action of every fatal signal: used before a crash
/// that has already written its own report (DEBUG SEGFAULT, a failed
/// assert), and by CONFIG SET crash-log-enabled no.
pub fn uninstall() {
    // SAFETY: setting SIG_DFL is always valid.
    unsafe {
        for sig in FATAL_SIGNALS {
            libc::signal(sig, libc::SIG_DFL);
        }
    }
}

/// A line built without allocating (the handler may interrupt malloc).
struct Line {
    buf: [u8; 512],
    len: usize,
}

impl Line {
    fn new() -> Line {
        Line {
            buf: [0; 512],
            len: 0,
        }
    }
}

impl std::fmt::Write for Line {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let n = s.len().min(self.buf.len() - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}

fn write_all(fd: libc::c_int, mut bytes: &[u8]) {
    while !bytes.is_empty() {
        // SAFETY: the pointer and length describe a live slice.
        let n = unsafe { libc::write(fd, bytes.as_ptr().cast(), bytes.len()) };
        if n <= 0 {
            return;
        }
        bytes = &bytes[n as usize..];
    }
}

/// A warning line in serverLog's format.
fn log_line(fd: libc::c_int, args: std::fmt::Arguments<'_>) {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    // No localtime_r here: see UTC_OFFSET_S.
    let t = super::clock::local_time_at(
        super::clock::unix_us(),
        UTC_OFFSET_S.load(Ordering::Relaxed),
    );
    let pid = std::process::id();
    let role = if pid == MAIN_PID.load(Ordering::SeqCst) {
        'M'
    } else {
        'C'
    };
    let mut line = Line::new();
    let _ = write!(
        line,
        "{}:{} {:02} {} {} {:02}:{:02}:{:02}.{:03} # ",
        pid,
        role,
        t.day,
        MONTHS.get(t.month as usize).copied().unwrap_or("Jan"),
        t.year,
        t.hour,
        t.min,
        t.sec,
        t.millis
    );
    let _ = line.write_fmt(args);
    let _ = line.write_str("\n");
    write_all(fd, &line.buf[..line.len]);
}

/// The log's descriptor: the log file opened for appending, or stdout.
fn open_log() -> (libc::c_int, bool) {
    match LOG_PATH.get() {
        Some(p) if !p.as_bytes().is_empty() => {
            // SAFETY: `p` is a NUL-terminated path.
            let fd = unsafe {
                libc::open(
                    p.as_ptr(),
                    libc::O_WRONLY | libc::O_APPEND | libc::O_CREAT,
                    0o644,
                )
            };
            if fd < 0 {
                (libc::STDOUT_FILENO, false)
            } else {
                (fd, true)
            }
        }
        _ => (libc::STDOUT_FILENO, false),
    }
}

/// logStackTrace: the interrupted instruction and the frames of the
/// thread, without this function's and the handler's own.
#[inline(never)]
fn log_stack_trace(fd: libc::c_int, eip: Option<usize>) {
    const OWN_FRAMES: usize = 2;
    let mut frames = [std::ptr::null_mut(); 100];
    // SAFETY: the buffer holds 100 pointers; backtrace_symbols_fd writes to
    // the descriptor without allocating, reading only the frames given.
    unsafe {
        let n = libc::backtrace(frames.as_mut_ptr(), frames.len() as libc::c_int).max(0) as usize;
        write_all(fd, b"\n------ STACK TRACE ------\n");
        if let Some(ip) = eip {
            write_all(fd, b"EIP:\n");
            let one = [ip as *mut libc::c_void];
            libc::backtrace_symbols_fd(one.as_ptr(), 1, fd);
        }
        write_all(fd, b"\nBacktrace:\n");
        let skip = OWN_FRAMES.min(n);
        libc::backtrace_symbols_fd(frames[skip..].as_ptr(), (n - skip) as libc::c_int, fd);
    }
}

/// Redis `serverLogFromHandler`: one line appended to the log (or stdout)
/// from a signal handler, without allocating.
pub(super) fn log_from_handler(msg: &str) {
    let (fd, close) = open_log();
    handler_line(fd, msg);
    if close {
        // SAFETY: fd was opened by open_log and is not used after this.
        unsafe {
            libc::close(fd);
        }
    }
}

/// A line as serverLogFromHandler writes it: `pid:signal-handler (time) msg`.
fn handler_line(fd: libc::c_int, msg: &str) {
    // SAFETY: time(NULL) is async-signal-safe.
    let now = unsafe { libc::time(std::ptr::null_mut()) };
    let mut line = Line::new();
    let _ = writeln!(
        line,
        "{}:signal-handler ({}) {}",
        std::process::id(),
        now,
        msg
    );
    write_all(fd, &line.buf[..line.len]);
}

/// Redis `applyWatchdogPeriod`: 0 stops the timer and ignores SIGALRM;
/// otherwise the period (raised to two cron ticks at least) arms the
/// timer, which serverCron re-arms on every run. When the main thread does
/// not get back to the cron in time, SIGALRM logs where it is.
pub fn apply_watchdog(period_ms: &mut i64, hz: i64) {
    // SAFETY: the sigaction struct is zeroed and then filled in; the handler
    // has the three-argument SA_SIGINFO signature.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        libc::sigemptyset(&mut sa.sa_mask);
        if *period_ms == 0 {
            watchdog_schedule(0);
            sa.sa_sigaction = libc::SIG_IGN;
            libc::sigaction(libc::SIGALRM, &sa, std::ptr::null_mut());
            return;
        }
        sa.sa_sigaction = on_watchdog as *const () as usize;
        sa.sa_flags = libc::SA_SIGINFO | libc::SA_RESTART;
        libc::sigaction(libc::SIGALRM, &sa, std::ptr::null_mut());
    }
    let min_period = (1000 / hz.max(1)) * 2;
    if *period_ms < min_period {
        *period_ms = min_period;
    }
    watchdog_schedule(*period_ms);
}

/// Called first thing by each background thread (Redis `bioInit` does the
/// same): SIGALRM stays with the main thread, so the watchdog's stack trace
/// is the stalled event loop's, and an fsync or a free in a background
/// thread is never interrupted by it.
pub fn block_watchdog_in_this_thread() {
    // SAFETY: the set is initialised by sigemptyset before use; changing
    // this thread's own mask is always valid.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGALRM);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
    }
}

/// Redis `watchdogScheduleSignal`: one SIGALRM `period_ms` from now (0
/// disarms the timer).
pub fn watchdog_schedule(period_ms: i64) {
    let ms = period_ms.max(0);
    let it = libc::itimerval {
        it_interval: libc::timeval {
            tv_sec: 0,
            tv_usec: 0,
        },
        it_value: libc::timeval {
            tv_sec: (ms / 1000) as libc::time_t,
            tv_usec: ((ms % 1000) * 1000) as libc::suseconds_t,
        },
    };
    // SAFETY: a valid itimerval; the old value is not wanted.
    unsafe {
        libc::setitimer(libc::ITIMER_REAL, &it, std::ptr::null_mut());
    }
}

extern "C" fn on_watchdog(_sig: libc::c_int, _info: *mut libc::siginfo_t, uc: *mut libc::c_void) {
    let (fd, close) = open_log();
    handler_line(fd, "\n--- WATCHDOG TIMER EXPIRED ---");
    log_stack_trace(fd, fault_ip(uc));
    handler_line(fd, "--------\n");
    if close {
        // SAFETY: close is async-signal-safe; fd was opened by open_log.
        unsafe {
            libc::close(fd);
        }
    }
}

/// The instruction the signal interrupted, from the saved registers.
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn fault_ip(uc: *mut libc::c_void) -> Option<usize> {
    if uc.is_null() {
        return None;
    }
    // SAFETY: for an SA_SIGINFO handler the kernel passes a valid ucontext_t.
    let uc = unsafe { &*(uc as *const libc::ucontext_t) };
    Some(uc.uc_mcontext.gregs[libc::REG_RIP as usize] as usize)
}

#[cfg(not(all(target_os = "linux", target_arch = "x86_64")))]
fn fault_ip(_uc: *mut libc::c_void) -> Option<usize> {
    None
}

extern "C" fn on_fatal_signal(sig: libc::c_int, info: *mut libc::siginfo_t, uc: *mut libc::c_void) {
    let (fd, close) = open_log();
    write_all(fd, REPORT_START.as_bytes());
    let version = crate::REDIS_VERSION;
    if info.is_null() {
        log_line(
            fd,
            format_args!("Redis {version} crashed by signal: {sig}, si_code: 0"),
        );
    } else {
        // SAFETY: the kernel passes a valid siginfo_t to an SA_SIGINFO handler.
        let info = unsafe { &*info };
        let code = info.si_code;
        log_line(
            fd,
            format_args!("Redis {version} crashed by signal: {sig}, si_code: {code}"),
        );
        if sig == libc::SIGSEGV || sig == libc::SIGBUS {
            // SAFETY: si_addr is defined for these signals.
            let addr = unsafe { info.si_addr() } as usize;
            log_line(fd, format_args!("Accessing address: {addr:#x}"));
        }
        if code == libc::SI_USER {
            // SAFETY: si_pid and si_uid are defined for a signal sent by kill.
            let (pid, uid) = unsafe { (info.si_pid(), info.si_uid()) };
            log_line(fd, format_args!("Killed by PID: {pid}, UID: {uid}"));
        }
    }
    if let Some(ip) = fault_ip(uc) {
        log_line(
            fd,
            format_args!("Crashed running the instruction at: {ip:#x}"),
        );
    }
    log_stack_trace(fd, fault_ip(uc));
    write_all(fd, REPORT_END.as_bytes());
    // SAFETY: close and kill are async-signal-safe. SA_RESETHAND restored the
    // default action, so the signal raised again ends the process (with a
    // core dump when enabled), as Redis's handler does.
    unsafe {
        if close {
            libc::close(fd);
        }
        libc::kill(libc::getpid(), sig);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsRawFd;

    #[test]
    fn background_threads_block_the_watchdog_signal() {
        // A thread of its own, as the background threads are.
        #[allow(clippy::disallowed_methods)]
        let blocked = std::thread::spawn(|| {
            block_watchdog_in_this_thread();
            // SAFETY: reads this thread's mask into a zeroed set.
            unsafe {
                let mut cur: libc::sigset_t = std::mem::zeroed();
                libc::pthread_sigmask(libc::SIG_BLOCK, std::ptr::null(), &mut cur);
                libc::sigismember(&cur, libc::SIGALRM) == 1
            }
        })
        .join()
        .unwrap();
        assert!(blocked);
    }

    #[test]
    fn panic_report_has_redis_panic_lines() {
        let path = std::env::temp_dir().join(format!("ferrodis-panic-{}.log", std::process::id()));
        let f = std::fs::File::create(&path).unwrap();
        write_panic_report(
            f.as_raw_fd(),
            "index out of bounds",
            "db.rs:12",
            "   0: main\n",
        );
        drop(f);
        let text = std::fs::read_to_string(&path).unwrap();
        let _ = std::fs::remove_file(&path);
        let start = text.find("=== REDIS BUG REPORT START").unwrap();
        let guru = text
            .find("# Guru Meditation: index out of bounds #db.rs:12\n")
            .unwrap();
        let trace = text
            .find("\n------ STACK TRACE ------\n   0: main\n")
            .unwrap();
        let end = text.find("=== REDIS BUG REPORT END").unwrap();
        assert!(start < guru && guru < trace && trace < end, "{}", text);
        assert!(text.contains("# !!! Software Failure. Press left mouse button to continue\n"));
    }
}
