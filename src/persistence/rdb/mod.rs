//! The RDB format (Redis rdb.h, rdb.c): constants, the load error type and
//! the encoding limits that decide which compact encodings a loaded value keeps.
//!
//! - `encoding`: lengths, strings (integer and LZF forms), doubles, times.
//! - `value`: one value per type, loaded into the `ds` encodings and saved from them.
//! - `legacy`: ziplist and zipmap, converted to listpacks on load.
//! - `file`: the whole-file loop (header, aux fields, dbs, EOF, checksum).
//! - `dump`: DUMP/RESTORE payloads.
//! - `check`: the file check a failed startup load prints (redis-check-rdb).
//! - `stream`, `stream_node`: streams (nodes, groups, PELs) and the node layout.

pub mod check;
pub mod dump;
pub mod encoding;
pub mod file;
pub mod legacy;
pub mod stream;
pub mod stream_node;
pub mod value;

#[cfg(test)]
mod stream_tests;
#[cfg(test)]
mod tests;

/// The RDB version we write and the highest we read (Redis 7.0).
pub const RDB_VERSION: u16 = 10;

// Value types (RDB_TYPE_*).
pub const TYPE_STRING: u8 = 0;
pub const TYPE_LIST: u8 = 1;
pub const TYPE_SET: u8 = 2;
pub const TYPE_ZSET: u8 = 3;
pub const TYPE_HASH: u8 = 4;
pub const TYPE_ZSET_2: u8 = 5;
pub const TYPE_MODULE_PRE_GA: u8 = 6;
pub const TYPE_MODULE_2: u8 = 7;
pub const TYPE_HASH_ZIPMAP: u8 = 9;
pub const TYPE_LIST_ZIPLIST: u8 = 10;
pub const TYPE_SET_INTSET: u8 = 11;
pub const TYPE_ZSET_ZIPLIST: u8 = 12;
pub const TYPE_HASH_ZIPLIST: u8 = 13;
pub const TYPE_LIST_QUICKLIST: u8 = 14;
pub const TYPE_STREAM_LISTPACKS: u8 = 15;
pub const TYPE_HASH_LISTPACK: u8 = 16;
pub const TYPE_ZSET_LISTPACK: u8 = 17;
pub const TYPE_LIST_QUICKLIST_2: u8 = 18;
pub const TYPE_STREAM_LISTPACKS_2: u8 = 19;

/// True for the bytes that introduce a key (rdbIsObjectType).
pub fn is_object_type(t: u8) -> bool {
    t <= 7 || (9..=19).contains(&t)
}

// Opcodes (RDB_OPCODE_*).
pub const OPCODE_FUNCTION2: u8 = 245;
pub const OPCODE_FUNCTION_PRE_GA: u8 = 246;
pub const OPCODE_MODULE_AUX: u8 = 247;
pub const OPCODE_IDLE: u8 = 248;
pub const OPCODE_FREQ: u8 = 249;
pub const OPCODE_AUX: u8 = 250;
pub const OPCODE_RESIZEDB: u8 = 251;
pub const OPCODE_EXPIRETIME_MS: u8 = 252;
pub const OPCODE_EXPIRETIME: u8 = 253;
pub const OPCODE_SELECTDB: u8 = 254;
pub const OPCODE_EOF: u8 = 255;

// Module value opcodes (RDB_MODULE_OPCODE_*), for skipping module data.
pub const MODULE_OPCODE_EOF: u64 = 0;
pub const MODULE_OPCODE_SINT: u64 = 1;
pub const MODULE_OPCODE_UINT: u64 = 2;
pub const MODULE_OPCODE_FLOAT: u64 = 3;
pub const MODULE_OPCODE_DOUBLE: u64 = 4;
pub const MODULE_OPCODE_STRING: u64 = 5;

// Quicklist node containers (QUICKLIST_NODE_CONTAINER_*).
pub const CONTAINER_PLAIN: u64 = 1;
pub const CONTAINER_PACKED: u64 = 2;

/// Why loading stopped.
#[derive(Debug)]
pub enum LoadError {
    /// The input ended early ("Unexpected EOF reading RDB file").
    Eof,
    /// A read failed.
    Io(std::io::Error),
    /// Corrupt data (rdbReportCorruptRDB): the reason and where it was found.
    Corrupt {
        reason: String,
        at: &'static std::panic::Location<'static>,
    },
    /// A value of zero elements (skipped with a notice when loading a file).
    EmptyKey,
    /// The stored and computed checksums differ.
    Checksum { computed: u64, stored: u64 },
    /// Data this server cannot hold: a module type, a function.
    Unsupported(String),
    /// The file does not start with "REDIS".
    BadSignature,
    /// An RDB version newer than ours (or 0).
    BadVersion(u32),
    /// The server started shutting down during the load.
    Stopped,
}

impl LoadError {
    /// The log line Redis writes for corrupt data ("Internal error in RDB ...").
    pub fn describe(&self, offset: u64) -> String {
        let (file, line, reason) = match self {
            LoadError::Eof | LoadError::Io(_) => {
                ("rdb.rs", 0, "Unexpected EOF reading RDB file".to_string())
            }
            LoadError::Corrupt { reason, at } => (at.file(), at.line(), reason.clone()),
            LoadError::EmptyKey => ("rdb.rs", 0, "Empty keys skipped".to_string()),
            LoadError::Checksum { .. } => ("rdb.rs", 0, "RDB CRC error".to_string()),
            LoadError::Unsupported(s) => ("rdb.rs", 0, s.clone()),
            LoadError::BadSignature => ("rdb.rs", 0, "Wrong signature".to_string()),
            LoadError::Stopped => ("rdb.rs", 0, "Shutdown during loading".to_string()),
            LoadError::BadVersion(v) => (
                "rdb.rs",
                0,
                format!("Can't handle RDB format version {}", v),
            ),
        };
        let file = file.rsplit('/').next().unwrap_or(file);
        format!(
            "Internal error in RDB reading offset {}, function at {}:{} -> {}",
            offset, file, line, reason
        )
    }
}

/// A corruption error carrying the caller's location.
#[track_caller]
pub fn corrupt(reason: impl Into<String>) -> LoadError {
    LoadError::Corrupt {
        reason: reason.into(),
        at: std::panic::Location::caller(),
    }
}

impl From<crate::persistence::rio::ReadError> for LoadError {
    fn from(e: crate::persistence::rio::ReadError) -> LoadError {
        match e {
            crate::persistence::rio::ReadError::Eof => LoadError::Eof,
            crate::persistence::rio::ReadError::Io(e) => LoadError::Io(e),
        }
    }
}

pub type LoadResult<T> = Result<T, LoadError>;

/// The encoding limits in force (the *-max-* configs): a loaded value keeps
/// its compact encoding when it fits, exactly as Redis converts on load.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub list_max_listpack_size: i32,
    pub list_compress_depth: u32,
    pub set_max_intset_entries: usize,
    pub zset_max_listpack_entries: usize,
    pub zset_max_listpack_value: usize,
    pub hash_max_listpack_entries: usize,
    pub hash_max_listpack_value: usize,
    /// Elements from this size get a plain quicklist node (DEBUG QUICKLIST-PACKED-THRESHOLD).
    pub packed_threshold: usize,
}

impl Default for Limits {
    /// Redis 7.0's defaults.
    fn default() -> Limits {
        Limits {
            list_max_listpack_size: -2,
            list_compress_depth: 0,
            set_max_intset_entries: 512,
            zset_max_listpack_entries: 128,
            zset_max_listpack_value: 64,
            hash_max_listpack_entries: 512,
            hash_max_listpack_value: 64,
            packed_threshold: crate::ds::quicklist::DEFAULT_PACKED_THRESHOLD,
        }
    }
}

/// How a load checks values (sanitize-dump-payload resolved for this load).
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    pub limits: Limits,
    /// Deep integrity validation of compact encodings (every entry).
    pub deep: bool,
    /// Encoded blobs validated deeply so far (INFO dump_payload_sanitizations).
    pub sanitized: std::cell::Cell<u64>,
    /// Blobs to log as hexdumps (serverLogHexDump) with their description:
    /// corruption Redis would log before panicking, refused here instead.
    pub hexdumps: std::cell::RefCell<Vec<(&'static str, Vec<u8>)>>,
}

impl LoadOptions {
    /// Counts one deep validation of an encoded blob, as Redis does.
    pub fn count_sanitized(&self) {
        if self.deep {
            self.sanitized.set(self.sanitized.get() + 1);
        }
    }

    /// Writes the hexdumps gathered during the load to the log at warning
    /// level: "<descr> (hexdump of N bytes):" then the bytes in hex.
    pub fn log_hexdumps(&self, log: &crate::log::Logger) {
        for (descr, blob) in self.hexdumps.borrow_mut().drain(..) {
            log.warning(&format!("{} (hexdump of {} bytes):", descr, blob.len()));
            let mut hex = String::with_capacity(blob.len() * 2 + 1);
            for b in &blob {
                hex.push_str(&format!("{:02x}", b));
            }
            hex.push('\n');
            log.log_raw(&hex);
        }
    }
}
