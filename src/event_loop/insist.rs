//! The second SIGINT during a shutdown (Redis server.c `sigShutdownHandler`,
//! "You insist..."): log from the handler, remove this process's temporary
//! RDB file (a final save may be writing it) and exit with an error. Only
//! async-signal-safe calls: the line is formatted into a stack buffer.

use std::ffi::CStr;

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

/// Logs "You insist... exiting now." as `serverLogFromHandler` does,
/// unlinks `temp-<pid>.rdb` (the server runs inside `dir`) and exits 1.
pub(super) fn exit_now(log_file: Option<&CStr>) -> ! {
    // SAFETY: getpid, time, open, write, close, unlink and _exit are all
    // async-signal-safe; every buffer is on this stack frame and NUL-ended
    // where a C string is expected.
    unsafe {
        let pid = libc::getpid() as u64;
        let mut line = Buf {
            bytes: [0; 128],
            len: 0,
        };
        line.push_num(pid);
        line.push(b":signal-handler (");
        line.push_num(libc::time(std::ptr::null_mut()) as u64);
        line.push(b") You insist... exiting now.\n");
        let fd = match log_file {
            Some(path) => libc::open(
                path.as_ptr(),
                libc::O_APPEND | libc::O_CREAT | libc::O_WRONLY,
                0o644,
            ),
            None => libc::STDOUT_FILENO,
        };
        if fd != -1 {
            libc::write(fd, line.bytes.as_ptr().cast(), line.len);
            if log_file.is_some() {
                libc::close(fd);
            }
        }
        let mut temp = Buf {
            bytes: [0; 128],
            len: 0,
        };
        temp.push(b"temp-");
        temp.push_num(pid);
        temp.push(b".rdb\0");
        libc::unlink(temp.bytes.as_ptr().cast());
        libc::_exit(1)
    }
}

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
