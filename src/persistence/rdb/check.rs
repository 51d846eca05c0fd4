//! The RDB check a failed startup load runs on its file before the server
//! exits (Redis redis-check-rdb.c, as rdbReportError calls it): the file is
//! read again with deep sanitisation, and what was read and where it
//! failed is printed on stdout ("[offset N] ..." lines, "--- RDB ERROR
//! DETECTED ---", "[info] N keys read").

use std::cell::Cell;
use std::io::{self, Read, Write};
use std::rc::Rc;

use super::file::{self, KeyMeta, Sink};
use super::value::Loaded;
use super::*;
use crate::persistence::rio::RioReader;

/// rdb_type_string: the names the checker gives value types.
fn type_name(t: u8) -> &'static str {
    const NAMES: [&str; 19] = [
        "string",
        "list-linked",
        "set-hashtable",
        "zset-v1",
        "hash-hashtable",
        "zset-v2",
        "module-value",
        "",
        "",
        "hash-zipmap",
        "list-ziplist",
        "set-intset",
        "zset-ziplist",
        "hash-ziplist",
        "quicklist",
        "stream",
        "hash-listpack",
        "zset-listpack",
        "quicklist-v2",
    ];
    NAMES.get(t as usize).copied().unwrap_or("unknown")
}

/// A reader that counts the bytes taken from it, shared with the sink so
/// its lines can name the offset.
struct Counting<R> {
    inner: R,
    count: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

/// What the checker tracks while reading (rdbstate).
struct CheckSink<'w, W: Write> {
    out: &'w mut W,
    at: Rc<Cell<u64>>,
    now_ms: i64,
    doing: &'static str,
    key: Option<Vec<u8>>,
    key_type: Option<u8>,
    keys: u64,
    expires: u64,
    already_expired: u64,
}

impl<W: Write> CheckSink<'_, W> {
    fn info(&mut self, msg: &str) {
        let _ = writeln!(self.out, "[offset {}] {}", self.at.get(), msg);
    }

    fn generic_info(&mut self) {
        let _ = writeln!(self.out, "[info] {} keys read", self.keys);
        let _ = writeln!(self.out, "[info] {} expires", self.expires);
        let _ = writeln!(self.out, "[info] {} already expired", self.already_expired);
    }

    /// rdbCheckError.
    fn error(&mut self, msg: &str) {
        let _ = writeln!(self.out, "--- RDB ERROR DETECTED ---");
        self.info(msg);
        let _ = writeln!(self.out, "[additional info] While doing: {}", self.doing);
        if let Some(k) = &self.key {
            let _ = writeln!(
                self.out,
                "[additional info] Reading key '{}'",
                String::from_utf8_lossy(k)
            );
        }
        if let Some(t) = self.key_type {
            let _ = writeln!(
                self.out,
                "[additional info] Reading type {} ({})",
                t,
                type_name(t)
            );
        }
        self.generic_info();
    }

    fn value_done(&mut self, meta: Option<KeyMeta>) {
        if let Some(m) = meta {
            if m.expire_ms != -1 {
                self.expires += 1;
                if m.expire_ms < self.now_ms {
                    self.already_expired += 1;
                }
            }
        }
        self.key = None;
        self.key_type = None;
        self.doing = "read-type";
    }
}

impl<W: Write> Sink for CheckSink<'_, W> {
    fn aux(&mut self, key: &[u8], val: &[u8]) {
        let msg = format!(
            "AUX FIELD {} = '{}'",
            String::from_utf8_lossy(key),
            String::from_utf8_lossy(val)
        );
        self.info(&msg);
    }

    fn select_db(&mut self, id: u64) -> LoadResult<()> {
        self.info(&format!("Selecting DB ID {}", id));
        Ok(())
    }

    fn resize_db(&mut self, _db_size: u64, _expires_size: u64) {}

    fn key_type(&mut self, t: u8) {
        self.key_type = Some(t);
        self.doing = "read-key";
    }

    fn key_read(&mut self, key: &[u8]) {
        self.key = Some(key.to_vec());
        self.keys += 1;
        self.doing = "read-object-value";
    }

    fn key(&mut self, _key: Vec<u8>, _val: Loaded, meta: KeyMeta) -> LoadResult<()> {
        self.value_done(Some(meta));
        Ok(())
    }

    fn empty_key(&mut self, _key: &[u8]) {
        self.value_done(None);
    }
}

/// How a check ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckEnd {
    /// "RDB looks OK".
    Sane,
    /// Corrupt content (rdbReportError): the server goes on to say it
    /// terminates, as Redis's error path does.
    Corrupt,
    /// A failure the checker reports itself (short read, signature,
    /// version, checksum): Redis's checker exits without that line.
    Failed,
}

/// Checks the RDB file at `path`, printing as redis-check-rdb does with
/// `name` as the file's name.
pub fn check_file(
    path: &std::path::Path,
    name: &str,
    opts: &LoadOptions,
    out: &mut impl Write,
) -> CheckEnd {
    let at = Rc::new(Cell::new(0));
    let counter = at.clone();
    let mut sink = CheckSink {
        out,
        at,
        now_ms: crate::event_loop::clock::unix_ms(),
        doing: "start",
        key: None,
        key_type: None,
        keys: 0,
        expires: 0,
        already_expired: 0,
    };
    sink.info(&format!("Checking RDB file {}", name));
    let Ok(f) = std::fs::File::open(path) else {
        return CheckEnd::Failed;
    };
    let reader = Counting {
        inner: io::BufReader::new(f),
        count: counter,
    };
    let mut r = RioReader::new(reader, true);
    let deep = LoadOptions {
        limits: opts.limits,
        deep: true,
        ..Default::default()
    };
    sink.doing = "read-type";
    let res = file::load(&mut r, &mut sink, &deep, true);
    let ok = match res {
        Ok(()) => {
            sink.info("\\o/ RDB looks OK! \\o/");
            sink.generic_info();
            CheckEnd::Sane
        }
        Err(e) => {
            // Where the failed read started, not how far it got.
            sink.at.set(r.processed());
            let msg = check_message(&e, &mut sink.doing);
            sink.error(&msg);
            match e {
                LoadError::Corrupt { .. } | LoadError::Unsupported(_) => CheckEnd::Corrupt,
                _ => CheckEnd::Failed,
            }
        }
    };
    let _ = sink.out.flush();
    ok
}

/// The checker's text for a load error (and the step a checksum error
/// belongs to).
fn check_message(e: &LoadError, doing: &mut &'static str) -> String {
    match e {
        LoadError::BadSignature => "Wrong signature trying to load DB from file".into(),
        LoadError::BadVersion(v) => format!("Can't handle RDB format version {}", v),
        LoadError::Eof | LoadError::Io(_) => "Unexpected EOF reading RDB file".into(),
        LoadError::Checksum { .. } => {
            *doing = "check-sum";
            "RDB CRC error".into()
        }
        e => e.describe(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncated_file_reports_where_it_stopped() {
        let dir = std::env::temp_dir().join(format!("ferrodis-check-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.rdb");
        // Header, one aux field, SELECTDB 0, a string key, cut in its value
        // (the same text redis-check-rdb prints for this file).
        let mut b = b"REDIS0010".to_vec();
        b.extend_from_slice(&[OPCODE_AUX, 3, b'v', b'e', b'r', 1, b'7']);
        b.extend_from_slice(&[OPCODE_SELECTDB, 0, TYPE_STRING, 1, b'k', 5, b'a']);
        std::fs::write(&path, &b).unwrap();
        let mut out = Vec::new();
        let end = check_file(&path, "t.rdb", &LoadOptions::default(), &mut out);
        assert_eq!(end, CheckEnd::Failed);
        let text = String::from_utf8(out).unwrap();
        let want = "[offset 0] Checking RDB file t.rdb\n\
                    [offset 16] AUX FIELD ver = '7'\n\
                    [offset 18] Selecting DB ID 0\n\
                    --- RDB ERROR DETECTED ---\n\
                    [offset 22] Unexpected EOF reading RDB file\n\
                    [additional info] While doing: read-object-value\n\
                    [additional info] Reading key 'k'\n\
                    [additional info] Reading type 0 (string)\n\
                    [info] 1 keys read\n\
                    [info] 0 expires\n\
                    [info] 0 already expired\n";
        assert_eq!(text, want);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
