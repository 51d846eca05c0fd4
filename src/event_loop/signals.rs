//! Signal handling (Redis server.c `setupSignalHandlers`): the handler only
//! records the signal; serverCron notices it and shuts down as SHUTDOWN would.

use std::sync::atomic::{AtomicI32, Ordering};

/// The last shutdown signal received (0 for none). A signal handler can only
/// touch async-signal-safe state, so this is the one static in the server.
static SHUTDOWN_SIGNAL: AtomicI32 = AtomicI32::new(0);

extern "C" fn on_shutdown_signal(sig: libc::c_int) {
    SHUTDOWN_SIGNAL.store(sig, Ordering::SeqCst);
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
