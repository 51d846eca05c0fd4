//! The slow log (Redis slowlog.c): commands slower than
//! `slowlog-log-slower-than` microseconds, newest first, at most
//! `slowlog-max-len` entries, and the SLOWLOG command.

use std::collections::VecDeque;

use crate::cmd::Ctx;
use crate::error::CmdError;
use crate::util::num::string2ll;

/// At most this many arguments are kept per entry (SLOWLOG_ENTRY_MAX_ARGC).
const MAX_ARGC: usize = 32;
/// Longer arguments are cut to this many bytes (SLOWLOG_ENTRY_MAX_STRING).
const MAX_STRING: usize = 128;

/// One logged command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub id: u64,
    pub time: i64,
    pub duration_us: u64,
    pub argv: Vec<Vec<u8>>,
    pub peer: String,
    pub name: Vec<u8>,
}

#[derive(Clone, Debug, Default)]
pub struct Slowlog {
    /// Newest first.
    entries: VecDeque<Entry>,
    next_id: u64,
}

impl Slowlog {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn reset(&mut self) {
        self.entries.clear();
    }

    /// Logs a command when it ran for at least `slower_than` µs (negative
    /// disables the log), then trims to `max_len` (Redis `slowlogPushEntryIfNeeded`).
    #[allow(clippy::too_many_arguments)]
    pub fn push_if_needed(
        &mut self,
        slower_than: i64,
        max_len: i64,
        argv: &[Vec<u8>],
        duration_us: u64,
        now: i64,
        peer: &str,
        name: Option<&[u8]>,
    ) {
        if slower_than < 0 || (duration_us as i128) < slower_than as i128 {
            return;
        }
        let entry = Entry {
            id: self.next_id,
            time: now,
            duration_us,
            argv: trim_argv(argv),
            peer: peer.to_string(),
            name: name.map(<[u8]>::to_vec).unwrap_or_default(),
        };
        self.next_id += 1;
        self.entries.push_front(entry);
        self.trim(max_len);
    }

    /// Drops the oldest entries beyond `max_len`.
    pub fn trim(&mut self, max_len: i64) {
        let max = max_len.max(0) as usize;
        self.entries.truncate(max);
    }

    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter()
    }
}

/// `argv` with the arguments at `redacted` replaced by "(redacted)".
pub fn redact(argv: &[Vec<u8>], redacted: &[usize]) -> Vec<Vec<u8>> {
    argv.iter()
        .enumerate()
        .map(|(i, a)| {
            if redacted.contains(&i) {
                crate::conn::monitor::REDACTED.to_vec()
            } else {
                a.clone()
            }
        })
        .collect()
}

/// Keeps at most 32 arguments (the last one saying how many more there were)
/// and cuts strings to 128 bytes with a note of the bytes left out.
fn trim_argv(argv: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let kept = argv.len().min(MAX_ARGC);
    let mut out = Vec::with_capacity(kept);
    for (j, a) in argv.iter().take(kept).enumerate() {
        if j == kept - 1 && kept != argv.len() {
            let more = argv.len() - kept + 1;
            out.push(format!("... ({} more arguments)", more).into_bytes());
        } else if a.len() > MAX_STRING {
            let mut s = a[..MAX_STRING].to_vec();
            s.extend_from_slice(format!("... ({} more bytes)", a.len() - MAX_STRING).as_bytes());
            out.push(s);
        } else {
            out.push(a.clone());
        }
    }
    out
}

/// SLOWLOG GET [count]: `count` defaults to 10; -1 means every entry.
pub(super) fn slowlog_get_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    if ctx.argc() > 3 {
        return Err(super::help::subcommand_syntax_error(ctx));
    }
    let mut count: i64 = 10;
    if ctx.argc() == 3 {
        count = string2ll(ctx.arg(2))
            .filter(|v| *v >= -1)
            .ok_or_else(|| CmdError::err("count should be greater than or equal to -1"))?;
        if count == -1 {
            count = ctx.srv.slowlog.len() as i64;
        }
    }
    let n = (count as usize).min(ctx.srv.slowlog.len());
    let entries: Vec<Entry> = ctx.srv.slowlog.iter().take(n).cloned().collect();
    let r = ctx.reply();
    r.array(entries.len());
    for e in &entries {
        r.array(6);
        r.int(e.id as i64);
        r.int(e.time);
        r.int(e.duration_us as i64);
        r.array(e.argv.len());
        for a in &e.argv {
            r.bulk(a);
        }
        r.bulk(e.peer.as_bytes());
        r.bulk(&e.name);
    }
    Ok(())
}

pub(super) fn slowlog_len_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let n = ctx.srv.slowlog.len() as i64;
    ctx.reply().int(n);
    Ok(())
}

pub(super) fn slowlog_reset_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    ctx.srv.slowlog.reset();
    ctx.reply().ok();
    Ok(())
}

pub(super) fn slowlog_help_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    super::help::reply_help(
        ctx,
        "SLOWLOG",
        &[
            "GET [<count>]",
            "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
            "    Entries are made of:",
            "    id, timestamp, time in microseconds, arguments array, client IP and port,",
            "    client name",
            "LEN",
            "    Return the length of the slowlog.",
            "RESET",
            "    Reset the slowlog.",
        ],
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(n: usize) -> Vec<Vec<u8>> {
        (0..n).map(|i| i.to_string().into_bytes()).collect()
    }

    #[test]
    fn trims_arguments_and_strings() {
        let t = trim_argv(&args(40));
        assert_eq!(t.len(), 32);
        assert_eq!(t[31], b"... (9 more arguments)");
        assert_eq!(trim_argv(&args(32)).len(), 32);
        let long = vec![vec![b'a'; 130]];
        let t = trim_argv(&long);
        assert_eq!(t[0].len(), 128 + "... (2 more bytes)".len());
        assert!(t[0].ends_with(b"... (2 more bytes)"));
    }

    #[test]
    fn threshold_and_max_len() {
        let mut s = Slowlog::default();
        s.push_if_needed(-1, 10, &args(1), 100, 0, "p", None);
        assert!(s.is_empty());
        s.push_if_needed(10, 10, &args(1), 9, 0, "p", None);
        assert!(s.is_empty());
        for _ in 0..5 {
            s.push_if_needed(0, 3, &args(1), 0, 0, "p", Some(b"n"));
        }
        assert_eq!(s.len(), 3);
        let ids: Vec<u64> = s.iter().map(|e| e.id).collect();
        assert_eq!(ids, vec![4, 3, 2]);
    }
}
