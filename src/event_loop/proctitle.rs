//! The process title as `ps` shows it (Redis setproctitle.c, the
//! replacement Redis uses on Linux, and server.c `redisSetProcTitle`).
//!
//! Linux shows the bytes of the process's original argv strings
//! (/proc/PID/cmdline). To have room for a long title, the environment
//! strings that follow them are copied to the heap first, then the argv
//! and environment areas are one buffer the title is written into. The
//! kernel names those areas in /proc/self/stat (fields 48-51), so no argv
//! pointer has to be kept from before `main`.

use std::ffi::OsString;

/// Redis's SPT_MAXTITLE: longer titles are cut.
const MAX_TITLE: usize = 255;

/// The writable title area: the original argv strings and the environment
/// strings right after them.
pub struct ProcTitle {
    /// Address of argv[0]'s first byte.
    base: usize,
    /// Size of the area, up to the last contiguous string's NUL included.
    len: usize,
    /// Offset of argv[0]'s terminating NUL.
    nul: usize,
    /// Whether the whole area was cleared once (Redis `SPT.reset`).
    reset: bool,
}

/// Fields 48-51 of /proc/self/stat: arg_start, arg_end, env_start, env_end.
fn arg_env_bounds(stat: &str) -> Option<[usize; 4]> {
    // The command name (field 2) may hold spaces and parentheses.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_ascii_whitespace().collect();
    // `fields[0]` is field 3 (state).
    let get = |n: usize| fields.get(n - 3)?.parse::<usize>().ok();
    Some([get(48)?, get(49)?, get(50)?, get(51)?])
}

impl ProcTitle {
    /// Takes over the argv and environment areas (Redis `spt_init`).
    /// `argv0` is the program name as invoked, checked against the memory
    /// before anything is written. Call it before any thread starts: it
    /// rebuilds the environment. None when the areas cannot be found.
    pub fn init(argv0: &[u8]) -> Option<ProcTitle> {
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        let [arg_start, arg_end, env_start, env_end] = arg_env_bounds(&stat)?;
        if arg_start == 0 || arg_end <= arg_start + argv0.len() || env_end < env_start {
            return None;
        }
        // SAFETY: [arg_start, arg_end) holds the argv strings the kernel
        // copied onto the initial stack: mapped and readable for the whole
        // life of the process.
        let first = unsafe { std::slice::from_raw_parts(arg_start as *const u8, argv0.len() + 1) };
        if &first[..argv0.len()] != argv0 || first[argv0.len()] != 0 {
            return None;
        }
        // The environment strings may follow the argv ones.
        let end = if env_start == arg_end && env_end > env_start {
            move_environment();
            env_end
        } else {
            arg_end
        };
        Some(ProcTitle {
            base: arg_start,
            len: end - arg_start,
            nul: argv0.len(),
            reset: false,
        })
    }

    /// Writes `title` over the area (Redis `setproctitle("%s", title)`):
    /// cut to fit, the rest cleared, and argv[0]'s old terminator made a
    /// '.' or a ' ' as Redis does so that tools reading only argv[0] see
    /// the change.
    pub fn set(&mut self, title: &[u8]) {
        // SAFETY: the area was checked in `init`; nothing else refers to
        // it since the environment moved to the heap (std's saved argv
        // pointers still point here, but ferrodis reads argv only before
        // `init`), and it stays mapped read-write for the process's life.
        let area = unsafe { std::slice::from_raw_parts_mut(self.base as *mut u8, self.len) };
        let room = area.len().min(MAX_TITLE + 1);
        if self.reset {
            area[..room].fill(0);
        } else {
            area.fill(0);
            self.reset = true;
        }
        let n = title.len().min(MAX_TITLE).min(room - 1);
        area[..n].copy_from_slice(&title[..n]);
        if n < self.nul {
            area[self.nul] = b'.';
        } else if n == self.nul && n + 1 < area.len() {
            area[self.nul] = b' ';
            area[n + 1] = 0;
        }
    }
}

/// Copies every environment string to the heap (Redis `spt_copyenv`:
/// clearenv, then setenv for each), so the old strings can be overwritten.
fn move_environment() {
    let vars: Vec<(OsString, OsString)> = std::env::vars_os().collect();
    // SAFETY: called from `main` before any thread exists, so no one reads
    // the environment meanwhile; glibc's clearenv only drops the array.
    unsafe {
        libc::clearenv();
    }
    for (k, v) in vars {
        std::env::set_var(k, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields() {
        let mut stat = String::from("42 (a (b) c) S");
        for i in 4..=52 {
            stat.push_str(&format!(" {}", i));
        }
        assert_eq!(arg_env_bounds(&stat), Some([48, 49, 50, 51]));
        assert_eq!(arg_env_bounds("42 (x) S 1 2"), None);
    }

    #[test]
    fn title_layout() {
        // An area of "prog\0arg\0" followed by "E=1\0".
        let mut mem = b"prog\0arg\0E=1\0".to_vec();
        let mut t = ProcTitle {
            base: mem.as_mut_ptr() as usize,
            len: mem.len(),
            nul: 4,
            reset: false,
        };
        t.set(b"ab");
        assert_eq!(&mem, b"ab\0\0.\0\0\0\0\0\0\0\0");
        t.set(b"abcd");
        assert_eq!(&mem, b"abcd \0\0\0\0\0\0\0\0");
        t.set(b"a long title here");
        assert_eq!(&mem, b"a long title\0");
    }
}
