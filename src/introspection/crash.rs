//! Crash reports (Redis debug.c `bugReportStart`, `_serverPanic`,
//! `_serverAssert`, `printCrashReport`, `bugReportEnd`): what DEBUG PANIC,
//! ASSERT, OOM and SEGFAULT write to the log before the process dies.

use crate::conn::info::client_info_line;
use crate::conn::Client;
use crate::server::Server;

const REPORT_START: &str = "\n\n=== REDIS BUG REPORT START: Cut & paste starting from here ===\n";
pub(crate) const REPORT_END: &str = "\n=== REDIS BUG REPORT END. Make sure to include from START to END. ===\n\n       Please report the crash by opening an issue on github:\n\n           http://github.com/redis/redis/issues\n\n  If a Redis module was involved, please open in the module's repo instead.\n\n  Suspect RAM error? Use redis-server --test-memory to verify it.\n\n  Some other issues could be detected by redis-server --check-system\n";

/// Why the server is going down.
pub enum Crash<'a> {
    /// serverPanic: the Guru Meditation message.
    Panic(&'a str),
    /// serverAssert with the client as context: the failed expression.
    Assert(&'a str),
    /// A fatal signal: its number and si_code, and the faulting address.
    Signal(i32, i32, usize),
}

/// Logs the whole report. The caller then ends the process. Locations name
/// the caller's file and line, as Redis's `#debug.c:510`.
#[track_caller]
pub fn log_report(srv: &Server, c: &Client, argv: &[Vec<u8>], crash: Crash) {
    let caller = std::panic::Location::caller();
    let file = caller.file().rsplit('/').next().unwrap_or("");
    let at = format!("{}:{}", file, caller.line());
    let log = &srv.log;
    log.log_raw(REPORT_START);
    match crash {
        Crash::Panic(msg) => {
            log.warning("------------------------------------------------");
            log.warning("!!! Software Failure. Press left mouse button to continue");
            log.warning(&format!("Guru Meditation: {} #{}", msg, at));
        }
        Crash::Assert(expr) => {
            log.warning("=== ASSERTION FAILED CLIENT CONTEXT ===");
            log.warning(&format!("client->conn = fd={}", c.sock.fd()));
            log.warning(&format!("client->argc = {}", argv.len()));
            for (j, a) in argv.iter().enumerate() {
                log.warning(&format!(
                    "client->argv[{}] = \"{}\" (refcount: 1)",
                    j,
                    String::from_utf8_lossy(a)
                ));
            }
            log.warning("=== ASSERTION FAILED ===");
            log.warning(&format!("==> {} '{}' is not true", at, expr));
        }
        Crash::Signal(sig, code, addr) => {
            log.warning(&format!(
                "Redis {} crashed by signal: {}, si_code: {}",
                crate::REDIS_VERSION,
                sig,
                code
            ));
            log.warning(&format!("Accessing address: {:#x}", addr));
        }
    }
    let trace = std::backtrace::Backtrace::force_capture();
    log.log_raw(&format!("\n------ STACK TRACE ------\n{}\n", trace));
    let info = super::info::info_string(
        srv,
        Some(c),
        &super::info::Selection::parse(&[b"everything".to_vec()]),
    );
    log.log_raw(&format!(
        "\n------ INFO OUTPUT ------\n{}",
        info.replace("\r\n", "\n")
    ));
    let now = srv.time.mstime;
    let mut list = String::new();
    for other in srv.clients.iter() {
        list.push_str(&client_info_line(other, now));
        list.push('\n');
    }
    list.push_str(&client_info_line(c, now));
    log.log_raw(&format!("\n------ CLIENT LIST OUTPUT ------\n{}\n", list));
    let mut current = client_info_line(c, now);
    for (j, a) in argv.iter().enumerate() {
        current.push_str(&format!(
            "\nargv[{}]: '\"{}\"'",
            j,
            String::from_utf8_lossy(a)
        ));
    }
    log.log_raw(&format!(
        "\n------ CURRENT CLIENT INFO ------\n{}\n",
        current
    ));
    log.log_raw("\n------ MODULES INFO OUTPUT ------\n");
    log.log_raw(REPORT_END);
}

/// Ends the process with SIGABRT, as Redis's `bugReportEnd` does after a
/// panic or a failed assertion.
pub fn abort() -> ! {
    // The report is written: the fatal-signal handler must not add another.
    crate::event_loop::crash_signal::uninstall();
    std::process::abort()
}

/// A genuine segmentation fault: a write to a read-only page, with the
/// default handler restored so the signal kills the process.
pub fn segfault(page: ReadOnlyPage) -> ! {
    let page = page.0;
    // SAFETY: restoring the default disposition is always valid; the write
    // targets a page mapped read-only by `readonly_page`, so it faults
    // (SEGV_ACCERR) and the default action terminates the process. The
    // volatile write keeps the compiler from removing it.
    unsafe {
        libc::signal(libc::SIGSEGV, libc::SIG_DFL);
        std::ptr::write_volatile(page, b'x');
    }
    // Unreachable in practice: the write above kills the process.
    std::process::abort()
}

/// A page mapped read-only, written to on purpose by `segfault`.
pub struct ReadOnlyPage(*mut u8);

impl ReadOnlyPage {
    pub fn addr(&self) -> usize {
        self.0 as usize
    }
}

/// Maps one read-only anonymous page (its address goes in the crash log).
pub fn readonly_page() -> ReadOnlyPage {
    // SAFETY: an anonymous private mapping with no fixed address; the
    // result is only compared with MAP_FAILED and then written to on purpose.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            4096,
            libc::PROT_READ,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        ReadOnlyPage(std::ptr::null_mut())
    } else {
        ReadOnlyPage(p as *mut u8)
    }
}
