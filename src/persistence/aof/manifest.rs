//! The AOF manifest (Redis aof.c `aofManifest`, `aofLoadManifestFromFile`,
//! `getAofManifestAsString`, `persistAofManifest`): the list of base,
//! history and incremental files of a multi-part AOF, one line per file:
//! `file appendonly.aof.1.base.aof seq 1 type b`.

use std::io::Write;
use std::path::Path;

use crate::util::args::{repr, split_args};

/// A file's role (Redis AOF_FILE_TYPE_*).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileType {
    Base,
    History,
    Incr,
}

impl FileType {
    fn letter(self) -> char {
        match self {
            FileType::Base => 'b',
            FileType::History => 'h',
            FileType::Incr => 'i',
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AofInfo {
    pub name: String,
    pub seq: i64,
    pub kind: FileType,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Manifest {
    pub base: Option<AofInfo>,
    pub history: Vec<AofInfo>,
    pub incr: Vec<AofInfo>,
    pub curr_base_seq: i64,
    pub curr_incr_seq: i64,
}

/// Why a manifest was refused: the message and, when known, the line.
#[derive(Debug, PartialEq, Eq)]
pub struct ManifestError {
    pub msg: &'static str,
    pub line: Option<(usize, String)>,
}

/// Redis MANIFEST_MAX_LINE.
const MAX_LINE: usize = 1024;

impl Manifest {
    /// Parses a manifest with Redis's strictness (fgets lines of at most 1024 bytes).
    pub fn parse(text: &[u8]) -> Result<Manifest, ManifestError> {
        let mut m = Manifest::default();
        let mut maxseq = 0;
        let mut linenum = 0;
        let mut rest = text;
        while !rest.is_empty() {
            let cut = rest.len().min(MAX_LINE);
            let (raw, next) = match rest[..cut].iter().position(|&b| b == b'\n') {
                Some(i) => (&rest[..=i], &rest[i + 1..]),
                None => (&rest[..cut], &rest[cut..]),
            };
            rest = next;
            linenum += 1;
            if raw.first() == Some(&b'#') {
                continue;
            }
            let err = |msg, line: Option<&[u8]>| ManifestError {
                msg,
                line: line.map(|l| (linenum, String::from_utf8_lossy(l).into_owned())),
            };
            if raw.last() != Some(&b'\n') {
                return Err(err("The AOF manifest file contains too long line", None));
            }
            let line = trim(raw);
            let info = parse_line(line).map_err(|msg| err(msg, Some(line)))?;
            match info.kind {
                FileType::Base => {
                    if m.base.is_some() {
                        return Err(err("Found duplicate base file information", Some(line)));
                    }
                    m.curr_base_seq = info.seq;
                    m.base = Some(info);
                }
                FileType::History => m.history.push(info),
                FileType::Incr => {
                    if info.seq <= maxseq {
                        return Err(err("Found a non-monotonic sequence number", Some(line)));
                    }
                    maxseq = info.seq;
                    m.curr_incr_seq = info.seq;
                    m.incr.push(info);
                }
            }
        }
        if linenum == 0 {
            return Err(ManifestError {
                msg: "Found an empty AOF manifest",
                line: None,
            });
        }
        Ok(m)
    }

    /// The manifest text: base first, then history, then incremental files.
    pub fn to_text(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for ai in self.base.iter().chain(&self.history).chain(&self.incr) {
            out.extend_from_slice(b"file ");
            let needs_repr = ai
                .name
                .bytes()
                .any(|b| !b.is_ascii_graphic() || b == b'"' || b == b'\'' || b == b'\\');
            if needs_repr {
                repr(&mut out, ai.name.as_bytes());
            } else {
                out.extend_from_slice(ai.name.as_bytes());
            }
            out.extend_from_slice(
                format!(" seq {} type {}\n", ai.seq, ai.kind.letter()).as_bytes(),
            );
        }
        out
    }

    /// Names a new base file and makes the old one history (Redis
    /// `getNewBaseFileNameAndMarkPreAsHistory`).
    pub fn new_base(&mut self, filename: &str, rdb_format: bool) -> String {
        if let Some(mut old) = self.base.take() {
            old.kind = FileType::History;
            self.history.insert(0, old);
        }
        self.curr_base_seq += 1;
        let suffix = if rdb_format { ".rdb" } else { ".aof" };
        let name = format!("{}.{}.base{}", filename, self.curr_base_seq, suffix);
        self.base = Some(AofInfo {
            name: name.clone(),
            seq: self.curr_base_seq,
            kind: FileType::Base,
        });
        name
    }

    /// Names a new incremental file (Redis `getNewIncrAofName`).
    pub fn new_incr(&mut self, filename: &str) -> String {
        self.curr_incr_seq += 1;
        let name = format!("{}.{}.incr.aof", filename, self.curr_incr_seq);
        self.incr.push(AofInfo {
            name: name.clone(),
            seq: self.curr_incr_seq,
            kind: FileType::Incr,
        });
        name
    }

    /// The incremental file being appended to, created if none (Redis `getLastIncrAofName`).
    pub fn last_incr(&mut self, filename: &str) -> String {
        match self.incr.last() {
            Some(ai) => ai.name.clone(),
            None => self.new_incr(filename),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.base.is_none() && self.incr.is_empty()
    }
}

fn trim(line: &[u8]) -> &[u8] {
    let ws = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let start = line.iter().position(|b| !ws(b)).unwrap_or(line.len());
    let end = line.iter().rposition(|b| !ws(b)).map_or(start, |e| e + 1);
    &line[start..end]
}

/// One line: key/value pairs, at least file, seq and type (more are allowed
/// for forward compatibility).
fn parse_line(line: &[u8]) -> Result<AofInfo, &'static str> {
    const BAD: &str = "Invalid AOF manifest file format";
    if line.is_empty() {
        return Err(BAD);
    }
    let args = split_args(line).ok_or(BAD)?;
    if args.len() < 6 || args.len() % 2 != 0 {
        return Err(BAD);
    }
    let (mut name, mut seq, mut kind) = (None, 0i64, None);
    for kv in args.chunks(2) {
        let (k, v) = (&kv[0], &kv[1]);
        if k.eq_ignore_ascii_case(b"file") {
            let n = String::from_utf8_lossy(v).into_owned();
            if n.contains('/') {
                return Err("File can't be a path, just a filename");
            }
            name = Some(n);
        } else if k.eq_ignore_ascii_case(b"seq") {
            seq = atoll(v);
        } else if k.eq_ignore_ascii_case(b"type") {
            kind = v.first().copied();
        }
    }
    let (Some(name), Some(t)) = (name, kind) else {
        return Err(BAD);
    };
    if seq == 0 {
        return Err(BAD);
    }
    let kind = match t {
        b'b' => FileType::Base,
        b'h' => FileType::History,
        b'i' => FileType::Incr,
        _ => return Err("Unknown AOF file type"),
    };
    Ok(AofInfo { name, seq, kind })
}

/// C `atoll`: leading digits with an optional sign, 0 when none.
fn atoll(s: &[u8]) -> i64 {
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let mut v: i64 = 0;
    for &d in digits.iter().take_while(|d| d.is_ascii_digit()) {
        v = v.wrapping_mul(10).wrapping_add((d - b'0') as i64);
    }
    if neg {
        -v
    } else {
        v
    }
}

/// Writes the manifest atomically into `dir` (Redis `writeAofManifestFile`):
/// a temp file, fsync, rename over `<filename>.manifest`, fsync the directory.
pub fn persist(dir: &Path, filename: &str, m: &Manifest) -> Result<(), String> {
    let name = format!("{}.manifest", filename);
    let tmp = dir.join(format!("temp-{}", name));
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&m.to_text())?;
        f.sync_all()
    };
    if let Err(e) = write() {
        let _ = std::fs::remove_file(&tmp);
        return Err(format!(
            "Can't write the AOF manifest file {}: {}",
            tmp.display(),
            crate::util::strerror(&e)
        ));
    }
    if let Err(e) = std::fs::rename(&tmp, dir.join(&name)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(format!(
            "Error trying to rename the temporary AOF manifest file {} into {}: {}",
            tmp.display(),
            name,
            crate::util::strerror(&e)
        ));
    }
    fsync_dir(dir)
}

/// Makes a rename durable (Redis `fsyncFileDir`).
pub fn fsync_dir(dir: &Path) -> Result<(), String> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| {
            format!(
                "Fail to fsync the AOF directory {}: {}",
                dir.display(),
                crate::util::strerror(&e)
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let text = b"file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n";
        let m = Manifest::parse(text).unwrap();
        assert_eq!(m.base.as_ref().unwrap().name, "appendonly.aof.1.base.rdb");
        assert_eq!(m.incr.len(), 1);
        assert_eq!(m.to_text(), text.to_vec());
    }

    #[test]
    fn errors() {
        let e = |t: &[u8]| Manifest::parse(t).unwrap_err().msg;
        assert_eq!(e(b""), "Found an empty AOF manifest");
        assert_eq!(e(b"file a seq 1\n"), "Invalid AOF manifest file format");
        assert_eq!(e(b"file a seq 1 type x\n"), "Unknown AOF file type");
        assert_eq!(
            e(b"file a/b seq 1 type b\n"),
            "File can't be a path, just a filename"
        );
        assert_eq!(
            e(b"file a seq 2 type i\nfile b seq 1 type i\n"),
            "Found a non-monotonic sequence number"
        );
        assert_eq!(
            e(b"file a seq 1 type b\nfile b seq 2 type b\n"),
            "Found duplicate base file information"
        );
        assert_eq!(
            e(b"file a seq 1 type b"),
            "The AOF manifest file contains too long line"
        );
        assert!(Manifest::parse(b"# comment\nfile a seq 1 type b\n").is_ok());
    }

    #[test]
    fn new_names() {
        let mut m = Manifest::default();
        assert_eq!(
            m.new_base("appendonly.aof", false),
            "appendonly.aof.1.base.aof"
        );
        assert_eq!(m.last_incr("appendonly.aof"), "appendonly.aof.1.incr.aof");
        assert_eq!(
            m.new_base("appendonly.aof", true),
            "appendonly.aof.2.base.rdb"
        );
        assert_eq!(m.history[0].kind, FileType::History);
    }
}
