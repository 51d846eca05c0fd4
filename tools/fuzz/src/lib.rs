//! Shared pieces of the cargo-fuzz targets (Redis has no counterpart; its
//! corrupt-dump tests play this role): load options chosen by the input's
//! first byte, a sink that keeps what a file load yields, and a writer that
//! saves it back so round trips can be compared byte for byte.

use ferrodis::persistence::rdb::file::{self, KeyMeta, Sink};
use ferrodis::persistence::rdb::value::Loaded;
use ferrodis::persistence::rdb::{dump, Limits, LoadOptions, LoadResult};
use ferrodis::persistence::rio::{RioReader, RioWriter};

/// Splits a fuzz input into load options and the bytes to load. The first
/// byte picks sanitize-dump-payload (bit 0) and small or default encoding
/// limits (bits 1-4), so the conversions on load (listpack to table, intset
/// to table, quicklist node sizes, compression) are all reached.
pub fn options(data: &[u8]) -> (LoadOptions, &[u8]) {
    let Some((&ctl, rest)) = data.split_first() else {
        return (LoadOptions::default(), data);
    };
    let mut limits = Limits::default();
    if ctl & 2 != 0 {
        limits.list_max_listpack_size = 3;
        limits.packed_threshold = 16;
    }
    if ctl & 4 != 0 {
        limits.list_compress_depth = 1;
    }
    if ctl & 8 != 0 {
        limits.set_max_intset_entries = 2;
        limits.hash_max_listpack_entries = 2;
        limits.zset_max_listpack_entries = 2;
    }
    if ctl & 16 != 0 {
        limits.hash_max_listpack_value = 4;
        limits.zset_max_listpack_value = 4;
    }
    let opts = LoadOptions {
        limits,
        deep: ctl & 1 != 0,
        ..LoadOptions::default()
    };
    (opts, rest)
}

/// One key as a file load yields it.
pub struct Key {
    pub db: u64,
    pub key: Vec<u8>,
    pub val: Loaded,
    pub meta: KeyMeta,
}

/// A sink that keeps every key, and re-saves each value as a DUMP payload
/// that must load again (the server's save path for anything a load gives).
#[derive(Default)]
pub struct Collect {
    pub db: u64,
    pub keys: Vec<Key>,
}

impl Sink for Collect {
    fn aux(&mut self, _: &[u8], _: &[u8]) {}
    fn select_db(&mut self, id: u64) -> LoadResult<()> {
        self.db = id;
        Ok(())
    }
    fn resize_db(&mut self, _: u64, _: u64) {}
    fn key(&mut self, key: Vec<u8>, val: Loaded, meta: KeyMeta) -> LoadResult<()> {
        self.keys.push(Key {
            db: self.db,
            key,
            val,
            meta,
        });
        Ok(())
    }
    fn empty_key(&mut self, _: &[u8]) {}
}

/// Loads a whole RDB stream (checksum not verified, so mutations reach the
/// values instead of stopping at the footer).
pub fn load_file(data: &[u8], opts: &LoadOptions) -> LoadResult<Collect> {
    let mut sink = Collect::default();
    let mut r = RioReader::new(data, true);
    file::load(&mut r, &mut sink, opts, false)?;
    Ok(sink)
}

/// Saves loaded keys as an RDB file (header, one SELECTDB per db run,
/// every key with its metadata, footer), LZF on.
pub fn save_file(keys: &[Key]) -> Vec<u8> {
    let mut w = RioWriter::new(Vec::new(), true);
    // Writing to a Vec cannot fail.
    let _ = file::save_header(&mut w, &[]);
    let mut db = None;
    for k in keys {
        if db != Some(k.db) {
            let _ = file::save_db_header(&mut w, k.db as usize, 0, 0);
            db = Some(k.db);
        }
        let _ = k
            .val
            .save_with(|v| file::save_key(&mut w, &k.key, v, k.meta, true));
    }
    let _ = file::save_footer(&mut w);
    w.into_inner()
}

/// Every loaded value must save as a payload that loads again.
pub fn check_resave(val: &Loaded, opts: &LoadOptions) {
    for compress in [false, true] {
        let p = val.save_with(|s| dump::create(s, compress));
        assert!(dump::verify(&p, false), "own payload fails its checksum");
        if let Err(e) = dump::load(&p, opts) {
            panic!("re-saved value does not load: {:?}", e);
        }
    }
}
