//! Signal handlers that end the process (Redis server.c `sigShutdownHandler`
//! on a second SIGINT, "You insist...", and `sigKillChildHandler` in fork
//! children), logging as `serverLogFromHandler` does. Only
//! async-signal-safe calls: lines are formatted into stack buffers.

/// A fixed buffer that formats without allocating.
struct Buf {
    bytes: [u8; 128],
    len: usize,
}

impl Buf {
    fn push(&mut self, s: &[u8]) {
        let n = s.len().min(self.bytes.len() - self.len);
        self.bytes[self.len..self.len + n].copy_from_slice(&s[..n]);
        self.len += n;
    }

    fn push_num(&mut self, mut v: u64) {
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        loop {
            i -= 1;
            digits[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        self.push(&digits[i..]);
    }
}

/// The second SIGINT: logs "You insist... exiting now.", unlinks
/// `temp-<pid>.rdb` (the server runs inside `dir`) and exits 1.
pub(super) fn exit_now() -> ! {
    super::crash_signal::log_from_handler("You insist... exiting now.");
    // SAFETY: getpid, unlink and _exit are async-signal-safe; the name is
    // NUL-ended on this stack frame.
    unsafe {
        let mut temp = Buf {
            bytes: [0; 128],
            len: 0,
        };
        temp.push(b"temp-");
        temp.push_num(libc::getpid() as u64);
        temp.push(b".rdb\0");
        libc::unlink(temp.bytes.as_ptr().cast());
        libc::_exit(1)
    }
}

/// SIGUSR1 in a fork child (Redis `sigKillChildHandler`): the parent asks
/// it to stop; it says so and exits with the no-error code the parent
/// reads as "killed on purpose".
pub(super) fn child_exit_on_usr1() -> ! {
    super::crash_signal::log_from_handler("Received SIGUSR1 in child, exiting now.");
    // SAFETY: _exit is async-signal-safe.
    unsafe { libc::_exit(CHILD_NOERROR_EXIT) }
}

/// Redis SERVER_CHILD_NOERROR_RETVAL.
pub const CHILD_NOERROR_EXIT: i32 = 255;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_numbers() {
        let mut b = Buf {
            bytes: [0; 128],
            len: 0,
        };
        b.push_num(0);
        b.push(b" ");
        b.push_num(1234567890123);
        assert_eq!(&b.bytes[..b.len], b"0 1234567890123");
    }
}
