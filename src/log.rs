//! serverLog (server.c): Redis's log line format and levels.
//!
//! `pid:role dd Mon yyyy HH:MM:SS.mmm <c> message`, where the level char is
//! `.` debug, `-` verbose, `*` notice and `#` warning.

use std::fs::OpenOptions;
use std::io::Write;

use crate::event_loop::clock;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Debug = 0,
    Verbose = 1,
    Notice = 2,
    Warning = 3,
}

impl Level {
    fn mark(self) -> char {
        match self {
            Level::Debug => '.',
            Level::Verbose => '-',
            Level::Notice => '*',
            Level::Warning => '#',
        }
    }
}

/// Where and how much the server logs. Owned by the server; the file is
/// reopened for every line, as Redis does, so log rotation just works.
#[derive(Clone, Debug)]
pub struct Logger {
    pub level: Level,
    /// Empty means standard output.
    pub file: String,
    /// 'C' before the server starts (and in a child), 'M' for a master, 'S' for a replica.
    pub role: char,
    pub pid: u32,
}

impl Logger {
    pub fn new() -> Logger {
        Logger {
            level: Level::Notice,
            file: String::new(),
            role: 'C',
            pid: std::process::id(),
        }
    }

    pub fn enabled(&self, level: Level) -> bool {
        level >= self.level
    }

    pub fn log(&self, level: Level, msg: &str) {
        if !self.enabled(level) {
            return;
        }
        self.log_raw(&self.format_line(level, msg));
    }

    /// Writes text without the prefix (the ASCII logo).
    pub fn log_raw(&self, text: &str) {
        if self.file.is_empty() {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        } else if let Ok(mut f) = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.file)
        {
            let _ = f.write_all(text.as_bytes());
        }
    }

    pub fn format_line(&self, level: Level, msg: &str) -> String {
        let t = clock::local_time_now();
        format!(
            "{}:{} {:02} {} {} {:02}:{:02}:{:02}.{:03} {} {}\n",
            self.pid,
            self.role,
            t.day,
            MONTHS[t.month as usize],
            t.year,
            t.hour,
            t.min,
            t.sec,
            t.millis,
            level.mark(),
            msg
        )
    }

    pub fn warning(&self, msg: &str) {
        self.log(Level::Warning, msg)
    }

    pub fn notice(&self, msg: &str) {
        self.log(Level::Notice, msg)
    }

    pub fn verbose(&self, msg: &str) {
        self.log(Level::Verbose, msg)
    }

    pub fn debug(&self, msg: &str) {
        self.log(Level::Debug, msg)
    }
}

impl Default for Logger {
    fn default() -> Self {
        Logger::new()
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_has_redis_shape() {
        let l = Logger {
            level: Level::Notice,
            file: String::new(),
            role: 'M',
            pid: 42,
        };
        let line = l.format_line(Level::Warning, "hello");
        let parts: Vec<&str> = line.trim_end().split(' ').collect();
        assert_eq!(parts[0], "42:M");
        assert_eq!(parts[2].len(), 3);
        assert_eq!(parts[4].len(), 12);
        assert_eq!(parts[5], "#");
        assert_eq!(parts[6], "hello");
    }
}
