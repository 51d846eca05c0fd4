//! Signal handling (Redis server.c `setupSignalHandlers`): the handler
//! records the signal and serverCron shuts down as SHUTDOWN would; only a
//! second SIGINT during a shutdown exits from the handler (insist.rs).

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

/// The last shutdown signal received (0 for none). A signal handler can only
/// touch async-signal-safe state, so these statics are the server's only ones.
static SHUTDOWN_SIGNAL: AtomicI32 = AtomicI32::new(0);

/// Redis `shutdown_asap`: set by the first SIGTERM/SIGINT, cleared when the
/// shutdown fails or is aborted. A SIGINT while it is set exits at once.
static SHUTDOWN_ASAP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_shutdown_signal(sig: libc::c_int) {
    if sig == libc::SIGINT && SHUTDOWN_ASAP.load(Ordering::SeqCst) {
        super::insist::exit_now();
    }
    SHUTDOWN_ASAP.store(true, Ordering::SeqCst);
    SHUTDOWN_SIGNAL.store(sig, Ordering::SeqCst);
}

extern "C" fn on_child_usr1(_sig: libc::c_int) {
    super::insist::child_exit_on_usr1();
}

/// In a fork child: SIGUSR1 logs and exits with the no-error code
/// (Redis `setupChildSignalHandlers`).
pub fn install_child_usr1() {
    // SAFETY: the handler only makes async-signal-safe calls; the
    // sigaction struct is zero-initialised and then filled in.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = on_child_usr1 as *const () as usize;
        libc::sigemptyset(&mut sa.sa_mask);
        libc::sigaction(libc::SIGUSR1, &sa, std::ptr::null_mut());
    }
}

/// The exit code of a child that SIGUSR1 stopped (Redis SERVER_CHILD_NOERROR_RETVAL).
pub const CHILD_NOERROR_EXIT: i32 = super::insist::CHILD_NOERROR_EXIT;

/// A signal-requested shutdown failed or was aborted (Redis `cancelShutdown`).
pub fn cancel_shutdown() {
    SHUTDOWN_ASAP.store(false, Ordering::SeqCst);
    SHUTDOWN_SIGNAL.store(0, Ordering::SeqCst);
}

/// Installs SIGTERM/SIGINT handlers and ignores SIGPIPE and SIGHUP as Redis does.
pub fn install() {
    // SAFETY: the handler only stores into an atomic, which is async-signal-safe;
    // the sigaction struct is zero-initialised and then filled in.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = on_shutdown_signal as *const () as usize;
        libc::sigemptyset(&mut sa.sa_mask);
        sa.sa_flags = 0;
        libc::sigaction(libc::SIGTERM, &sa, std::ptr::null_mut());
        libc::sigaction(libc::SIGINT, &sa, std::ptr::null_mut());
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
        libc::signal(libc::SIGHUP, libc::SIG_IGN);
    }
}

/// Takes the pending shutdown signal, if any.
pub fn take_shutdown_signal() -> Option<i32> {
    match SHUTDOWN_SIGNAL.swap(0, Ordering::SeqCst) {
        0 => None,
        sig => Some(sig),
    }
}

/// Puts a signal back, so a refused shutdown can be retried on the next cron.
pub fn name(sig: i32) -> &'static str {
    match sig {
        libc::SIGINT => "SIGINT",
        libc::SIGTERM => "SIGTERM",
        _ => "signal",
    }
}
