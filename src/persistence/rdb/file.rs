//! The whole-file layout (Redis rdb.c rdbLoadRioWithLoadingCtx and
//! rdbSaveRio): the "REDIS0010" header, aux fields, SELECTDB and RESIZEDB,
//! per-key EXPIRETIME_MS / IDLE / FREQ, the EOF opcode and the checksum.
//! The loop is generic over a `Sink` so it knows nothing of the keyspace.

use std::io::{self, Read, Write};

use super::encoding::*;
use super::value::{load_value, save_value, Loaded, Saving};
use super::*;
use crate::persistence::rio::{RioReader, RioWriter};

/// Per-key metadata read before the key (-1: absent).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyMeta {
    pub expire_ms: i64,
    pub lru_idle_secs: i64,
    pub lfu_freq: i64,
}

impl KeyMeta {
    pub const NONE: KeyMeta = KeyMeta {
        expire_ms: -1,
        lru_idle_secs: -1,
        lfu_freq: -1,
    };
}

/// What a load does with what it reads.
pub trait Sink {
    /// An aux field (Redis logs some of them).
    fn aux(&mut self, key: &[u8], val: &[u8]);
    fn select_db(&mut self, id: u64) -> LoadResult<()>;
    /// A size hint for the current database.
    fn resize_db(&mut self, db_size: u64, expires_size: u64);
    fn key(&mut self, key: Vec<u8>, val: Loaded, meta: KeyMeta) -> LoadResult<()>;
    /// A key of value type `t` is about to be read.
    fn key_type(&mut self, _t: u8) {}
    /// A key was read and its value is about to be: a chance to prefetch
    /// where it will go.
    fn key_read(&mut self, _key: &[u8]) {}
    /// A key whose value had no elements (skipped, as Redis does).
    fn empty_key(&mut self, key: &[u8]);
    /// Called after each key with the bytes read so far; an error stops
    /// the load (the server is shutting down).
    fn progress(&mut self, _processed: u64) -> LoadResult<()> {
        Ok(())
    }
}

/// Reads the 9-byte header; returns the RDB version.
pub fn load_header<R: Read>(r: &mut RioReader<R>) -> LoadResult<u32> {
    let mut buf = [0u8; 9];
    r.read_exact(&mut buf)?;
    if &buf[..5] != b"REDIS" {
        return Err(LoadError::BadSignature);
    }
    // atoi: leading digits.
    let v = buf[5..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .fold(0u32, |a, b| a * 10 + (b - b'0') as u32);
    if v < 1 || v > RDB_VERSION as u32 {
        return Err(LoadError::BadVersion(v));
    }
    Ok(v)
}

/// Loads a whole RDB stream into `sink`. `verify` false skips the checksum
/// comparison (rdbchecksum no, DEBUG SET-SKIP-CHECKSUM-VALIDATION).
pub fn load<R: Read, S: Sink>(
    r: &mut RioReader<R>,
    sink: &mut S,
    opts: &LoadOptions,
    verify: bool,
) -> LoadResult<()> {
    let version = load_header(r)?;
    let mut meta = KeyMeta::NONE;
    loop {
        let t = load_u8(r)?;
        match t {
            OPCODE_EXPIRETIME => meta.expire_ms = load_seconds_as_ms(r)?,
            OPCODE_EXPIRETIME_MS => meta.expire_ms = load_millis(r)?,
            OPCODE_FREQ => meta.lfu_freq = load_u8(r)? as i64,
            OPCODE_IDLE => {
                meta.lru_idle_secs = i64::try_from(load_len(r)?).map_err(|_| corrupt("Bad IDLE"))?
            }
            OPCODE_EOF => break,
            OPCODE_SELECTDB => sink.select_db(load_len(r)?)?,
            OPCODE_RESIZEDB => {
                let size = load_len(r)?;
                let expires = load_len(r)?;
                sink.resize_db(size, expires);
            }
            OPCODE_AUX => {
                let k = load_bytes(r)?;
                let v = load_bytes(r)?;
                sink.aux(&k, &v);
            }
            OPCODE_MODULE_AUX => return Err(module_aux(r)?),
            OPCODE_FUNCTION_PRE_GA => {
                return Err(corrupt("Pre-release function format not supported."))
            }
            OPCODE_FUNCTION2 => {
                return Err(LoadError::Unsupported(
                    "Failed loading library: functions are not supported by this server yet".into(),
                ))
            }
            t if is_object_type(t) => {
                sink.key_type(t);
                let key = load_bytes(r)?;
                sink.key_read(&key);
                match load_value(r, t, opts) {
                    Ok(v) => sink.key(key, v, meta)?,
                    Err(LoadError::EmptyKey) => sink.empty_key(&key),
                    Err(e) => return Err(e),
                }
                meta = KeyMeta::NONE;
                sink.progress(r.processed())?;
            }
            t => return Err(corrupt(format!("Unknown RDB encoding type {}", t))),
        }
    }
    if version >= 5 {
        let computed = r.checksum();
        r.stop_checksum();
        let mut b = [0u8; 8];
        r.read_exact(&mut b)?;
        let stored = u64::from_le_bytes(b);
        if verify && stored != 0 && stored != computed {
            return Err(LoadError::Checksum { computed, stored });
        }
    }
    Ok(())
}

/// RDB_OPCODE_MODULE_AUX: no modules are loaded, so this is always the
/// fatal "no matching module" after the header is checked.
fn module_aux<R: Read>(r: &mut RioReader<R>) -> LoadResult<LoadError> {
    let id = load_len(r)?;
    let when_opcode = load_len(r)?;
    let _when = load_len(r)?;
    if when_opcode != MODULE_OPCODE_UINT {
        return Err(corrupt("bad when_opcode"));
    }
    Ok(LoadError::Unsupported(format!(
        "The RDB file contains AUX module data I can't load: no matching module '{}'",
        module_type_name(id)
    )))
}

/// The header and the aux fields (rdbSaveInfoAuxFields order).
pub fn save_header<W: Write>(w: &mut RioWriter<W>, aux: &[(&str, String)]) -> io::Result<()> {
    w.write(format!("REDIS{:04}", RDB_VERSION).as_bytes())?;
    for (k, v) in aux {
        save_aux(w, k.as_bytes(), v.as_bytes())?;
    }
    Ok(())
}

/// SELECTDB and RESIZEDB before a database's keys.
pub fn save_db_header<W: Write>(
    w: &mut RioWriter<W>,
    id: usize,
    size: usize,
    expires: usize,
) -> io::Result<()> {
    save_type(w, OPCODE_SELECTDB)?;
    save_len(w, id as u64)?;
    save_type(w, OPCODE_RESIZEDB)?;
    save_len(w, size as u64)?;
    save_len(w, expires as u64)
}

/// rdbSaveKeyValuePair: expire, IDLE or FREQ, the type, the key, the value.
pub fn save_key<W: Write>(
    w: &mut RioWriter<W>,
    key: &[u8],
    val: Saving<'_>,
    meta: KeyMeta,
    compress: bool,
) -> io::Result<()> {
    if meta.expire_ms != -1 {
        save_type(w, OPCODE_EXPIRETIME_MS)?;
        save_millis(w, meta.expire_ms)?;
    }
    if meta.lru_idle_secs >= 0 {
        save_type(w, OPCODE_IDLE)?;
        save_len(w, meta.lru_idle_secs as u64)?;
    }
    if meta.lfu_freq >= 0 {
        save_type(w, OPCODE_FREQ)?;
        w.write(&[meta.lfu_freq as u8])?;
    }
    save_type(w, val.rdb_type())?;
    save_string(w, key, compress)?;
    save_value(w, val, compress)
}

/// The EOF opcode and the checksum (0 when checksums are off).
pub fn save_footer<W: Write>(w: &mut RioWriter<W>) -> io::Result<()> {
    save_type(w, OPCODE_EOF)?;
    let ck = w.checksum();
    w.write(&ck.to_le_bytes())
}
